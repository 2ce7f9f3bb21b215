// antq mirror URL DIR: keeps a verified copy of a log served as C2SP tlog-tiles (ledger/tiles.hpp, FORMAT.md §13).
//
// DIR holds the layout as served (checkpoint, tiles, entry bundles, certificates, documents, anchors) and beside it
// what makes it a whole-ledger bundle (FORMAT.md §7): entries.bin, README.txt, operator.vkey, schema/, FORMAT.md.
// A run holds a lock on DIR (flock), stages everything it fetches and makes in DIR/.mirror-incoming, checks it all,
// and only then moves it in, the checkpoint last, after the files it covers are on disk. A run that fails before
// moving files in removes the staging directory and leaves DIR as it was; one that fails while moving them (a disk
// error) leaves the old checkpoint in force. A run that finds the mark a run makes before it moves files in (one cut
// short: kill -9, a disk error) makes entries.bin and README.txt again for the kept checkpoint before anything else
// (repair()); a staging directory without the mark is removed. What a first copy killed while moving files in left
// (operator.vkey, the staged checkpoint, the copy's own names) is removed and made again by the next run, once the
// new checkpoint verifies. Partial tiles of other sizes than the checkpoint's are removed.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "cli/common.hpp"
#include "cli/operator_key.hpp"
#include "cli/service_client.hpp"
#include "ledger/act.hpp"
#include "ledger/bundle.hpp"
#include "ledger/event.hpp"
#include "ledger/merkle.hpp"
#include "ledger/tiles.hpp"
#include "signing/file.hpp"
#include "signing/signing.hpp"

namespace antq::cli {
namespace {

namespace fs = std::filesystem;
namespace tiles = ledger::tiles;

constexpr const char* kStaging = ".mirror-incoming";
constexpr const char* kMovingMark = "moving-in";  // in the staging directory: made before a file is moved in
// Caps of each response (docs/act-limits.md): a checkpoint note; a certificate; the anchors' PEM files and the
// profile; an entry bundle of the spec's form (256 entries of at most 65535 bytes and their lengths) or of the
// long form (256 MiB in all, the limit of one signed event: a bundle whose entries average more than 1 MiB, which
// only acts near the 2 MiB limit of a body make, is refused with a line saying so, not held in memory).
constexpr std::size_t kMaxNoteBytes = kMaxCheckpointBytes;
constexpr std::size_t kMaxCertBytes = signing::kMaxCertificateFileBytes;
constexpr std::size_t kMaxTextBytes = 16u << 20;
constexpr std::size_t kMaxLongBundleBytes = ledger::kMaxMessageBytes;

std::string errno_text() { return std::strerror(errno); }

// Level-0 tiles (as many entry bundles) of the tree of `size` leaves, full and partial; the width of tile `index`.
std::uint64_t level0_tiles(std::uint64_t size) {
  return tiles::full_tiles(0, size) + (tiles::partial_width(0, size) > 0 ? 1 : 0);
}
unsigned width_at(std::uint64_t index, std::uint64_t size) {
  return static_cast<unsigned>(std::min<std::uint64_t>(tiles::kTileWidth, size - index * tiles::kTileWidth));
}
// Hash `i` of a hash tile's bytes (of at least i + 1 hashes).
Digest leaf_at(std::string_view tile, std::size_t i) {
  Digest d;
  std::memcpy(d.data(), tile.data() + i * tiles::kHashBytes, tiles::kHashBytes);
  return d;
}
// What an entry bundle of `width` entries may take, in the specification's form or the long one.
std::size_t bundle_cap(unsigned width, bool long_form) {
  return long_form ? kMaxLongBundleBytes : width * (2 + tiles::kMaxShortEntryBytes);
}

bool same_key(const ledger::VerifierKey& a, const ledger::VerifierKey& b) {
  return a.name == b.name && a.id == b.id && a.public_key == b.public_key;
}

class Mirror {
 public:
  Mirror(HttpClient& http, fs::path dir, ledger::VerifierKey key)
      : http_(http), dir_(std::move(dir)), stage_(dir_ / kStaging), key_(std::move(key)) {}
  Mirror(const Mirror&) = delete;
  Mirror& operator=(const Mirror&) = delete;
  ~Mirror() {
    if (entries_fd_ >= 0) ::close(entries_fd_);
    if (dir_fd_ >= 0) ::close(dir_fd_);  // and the lock with it
  }
  // After a failed run: removes what this run made (its staging directory; DIR itself when it made DIR for a first
  // copy; what a first copy moved into DIR before it failed), never what another run or an earlier copy holds.
  void discard() {
    std::error_code ec;
    if (made_dir_) {
      fs::remove_all(dir_, ec);
      return;
    }
    if (first_copy_ && moving_)  // DIR held nothing but staging before this run (checked under the lock)
      for (const auto& e : fs::directory_iterator(dir_, ec)) fs::remove_all(e.path(), ec);
    // Files were being moved in (or put back by repair()): the staging directory keeps its mark for the next run.
    if (made_stage_ && !kept(moving_mark())) fs::remove_all(stage_, ec);
  }

  // The copy brought up to date: what was fetched, and the line that says so.
  struct Outcome {
    nlohmann::json figures;
    std::string line;
  };
  Result<Outcome> run();

 private:
  // ---- fetching ----
  // GET `path` (relative to the URL): the body, nullopt on 404; anything but 200 or 404 is an error.
  Result<std::optional<std::string>> fetch(const std::string& path, std::size_t cap) {
    auto res = http_.get("/" + path, cap);
    if (!res) return std::unexpected(res.error());
    if (res->status == 404) return std::nullopt;
    if (res->status != 200) return io_error(i18n::Text("GET {}/{}: status {}", http_.url().shown(), path, res->status));
    ++fetched_;
    return std::move(res->body);
  }
  Result<std::string> fetch_required(const std::string& path, std::size_t cap) {
    auto body = fetch(path, cap);
    if (!body) return std::unexpected(body.error());
    if (!*body)
      return corruption(i18n::Text("{}/{}: not found, though the checkpoint covers it", http_.url().shown(), path));
    return std::move(**body);
  }
  std::string shown(const std::string& path) const { return http_.url().shown() + "/" + path; }
  // A hash tile as served. A partial tile the server no longer has (the log grew past it: a server serves no partial
  // once the full tile exists) is the first hashes of the full tile, which is fetched instead.
  Result<std::string> fetch_tile(const tiles::Tile& t, const std::string& path) {
    if (!t.partial()) return fetch_required(path, tiles::kFullTileBytes);
    auto got = fetch(path, tiles::kFullTileBytes);
    if (!got) return std::unexpected(got.error());
    if (*got) return std::move(**got);
    tiles::Tile full = t;
    full.width = tiles::kTileWidth;
    auto whole = fetch(tiles::tile_path(full), tiles::kFullTileBytes);
    if (!whole) return std::unexpected(whole.error());
    if (!*whole)
      return corruption(i18n::Text("{}: not found, nor the full tile {}, though the checkpoint covers it", shown(path),
                                   tiles::tile_path(full)));
    if (auto s = hashes_size(tiles::tile_path(full), (*whole)->size(), tiles::kTileWidth); !s)
      return std::unexpected(s.error());
    return (*whole)->substr(0, std::size_t{t.width} * tiles::kHashBytes);
  }
  // corruption naming `path` unless `got` bytes are `width` hashes.
  Status hashes_size(const std::string& path, std::size_t got, unsigned width) const {
    if (got == std::size_t{width} * tiles::kHashBytes) return {};
    return corruption(i18n::Text("{}: {} bytes, {} expected ({} hashes)", shown(path), got,
                                 std::size_t{width} * tiles::kHashBytes, width));
  }
  // The leaf hashes of the level-0 tile `index` of the tree of `size` leaves, as served.
  Result<std::string> fetch_leaves(std::uint64_t index, std::uint64_t size) {
    tiles::Tile t;
    t.index = index;
    t.width = width_at(index, size);
    const std::string path = tiles::tile_path(t);
    auto served = fetch_tile(t, path);
    if (!served) return std::unexpected(served.error());
    ++tiles_checked_;
    if (auto s = hashes_size(path, served->size(), t.width); !s) return std::unexpected(s.error());
    return served;
  }
  // The entry bundle `t` (the spec's form, or else the long form) and the path it is kept at; the entries split.
  // A partial bundle the server no longer has is the first entries of the full bundle, written again in the form
  // the server gives a partial bundle of those entries.
  struct Bundle {
    std::string body, path;
    bool long_form = false;
  };
  Result<Bundle> fetch_bundle(const tiles::Tile& t) {
    for (const bool partial_of_full : {false, true}) {
      if (partial_of_full && !t.partial()) break;
      tiles::Tile asked = t;
      if (partial_of_full) asked.width = tiles::kTileWidth;
      for (const bool long_form : {false, true}) {
        asked.long_form = long_form;
        const std::string path = tiles::tile_path(asked);
        auto got = fetch(path, bundle_cap(asked.width, long_form));
        if (!got) return std::unexpected(got.error());
        if (!*got) continue;
        if (!partial_of_full) return Bundle{std::move(**got), path, long_form};
        auto all = tiles::split_entry_bundle(as_bytes(**got), asked.width, long_form, shown(path));
        if (!all) return corruption(text_of(all.error()));
        const std::vector<ByteView> first(all->begin(), all->begin() + t.width);
        auto short_form = tiles::entry_bundle(first, false);
        tiles::Tile kept = t;
        kept.long_form = !short_form;
        auto body = short_form ? std::move(short_form) : tiles::entry_bundle(first, true);
        return Bundle{std::string(body->begin(), body->end()), tiles::tile_path(kept), kept.long_form};
      }
    }
    return corruption(i18n::Text("{}: not found in either form{}, though the checkpoint covers it",
                                 shown(tiles::tile_path(t)),
                                 t.partial() ? i18n::Text(", nor the full bundle") : i18n::Text::verbatim("")));
  }

  // ---- files ----
  Status write_staged(const std::string& path, ByteView bytes) {
    const fs::path p = stage_ / path;
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    if (ec) return io_error(i18n::Text("cannot create {}: {}", p.parent_path().string(), ec.message()));
    const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) return io_error(i18n::Text("cannot create {}: {}", p.string(), errno_text()));
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ::close(fd);
        return io_error(i18n::Text("cannot write {}: {}", p.string(), errno_text()));
      }
      done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0)
      return io_error(i18n::Text("cannot write {}: {}", p.string(), errno_text()));
    staged_.push_back(path);
    return {};
  }
  Status write_staged(const std::string& path, std::string_view text) { return write_staged(path, as_bytes(text)); }
  // entries.bin (FORMAT.md §7), written through a buffer as the entries are taken.
  Status open_entries_bin() {
    const fs::path p = stage_ / "entries.bin";
    entries_fd_ = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (entries_fd_ < 0) return io_error(i18n::Text("cannot create {}: {}", p.string(), errno_text()));
    staged_.push_back("entries.bin");
    return {};
  }
  Status flush_entries_bin() {
    std::size_t done = 0;
    while (done < entries_bin_.size()) {
      const ssize_t n = ::write(entries_fd_, entries_bin_.data() + done, entries_bin_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return io_error(i18n::Text("cannot write {}: {}", (stage_ / "entries.bin").string(), errno_text()));
      done += static_cast<std::size_t>(n);
    }
    entries_bin_.clear();
    return {};
  }
  Status close_entries_bin() {
    Status s = flush_entries_bin();
    if (s && (::fsync(entries_fd_) != 0 || ::close(std::exchange(entries_fd_, -1)) != 0))
      s = io_error(i18n::Text("cannot write {}: {}", (stage_ / "entries.bin").string(), errno_text()));
    return s;
  }
  static std::string moving_mark() { return std::string(kStaging) + "/" + kMovingMark; }
  bool kept(const std::string& path) const {
    std::error_code ec;
    return fs::is_regular_file(fs::symlink_status(dir_ / path, ec));
  }
  Result<std::string> read_kept(const std::string& path, std::size_t cap) {
    return read_text(dir_ / path, cap, N_("the kept copy's file"));
  }

  // The copy's entries in order, from its bundles (each in the form it is kept in): `fn(seq, entry, leaf hash, file)`
  // for each; corruption when they do not give `root`, the kept checkpoint's (the copy is damaged).
  using KeptEntry = std::function<Status(std::uint64_t, ByteView, const Digest&, const std::string&)>;
  Status for_each_kept_entry(const Digest& root, const KeptEntry& fn) {
    ledger::CompactRange range;
    for (std::uint64_t b = 0; b < level0_tiles(kept_size_); ++b) {
      tiles::Tile t;
      t.entries = true;
      t.index = b;
      t.width = width_at(b, kept_size_);
      if (!kept(tiles::tile_path(t))) t.long_form = true;
      const std::string path = tiles::tile_path(t), where = (dir_ / path).string();
      auto body = read_kept(path, bundle_cap(t.width, t.long_form));
      if (!body) return std::unexpected(body.error());
      auto entries = tiles::split_entry_bundle(as_bytes(*body), t.width, t.long_form, where);
      if (!entries) return corruption(text_of(entries.error()));
      for (std::size_t i = 0; i < entries->size(); ++i) {
        const Digest leaf = ledger::leaf_hash((*entries)[i]);
        range.append(leaf);
        if (auto s = fn(b * tiles::kTileWidth + i, (*entries)[i], leaf, where); !s) return s;
      }
    }
    if (range.root() != root)
      return corruption(
          i18n::Text("{}: the kept entries do not give the kept checkpoint's root: the kept copy is "
                     "damaged (mirror it again into a new directory)",
                     dir_.string()));
    return {};
  }
  // After the level-0 tiles served did not give the new checkpoint's root with the copy's leaves: the first entry
  // of the copy that the tree the new root covers holds otherwise, when the level-0 tiles served over the whole
  // tree give that root (a fork the operator's key signed); nullopt when they do not either (the server's tiles).
  Result<std::optional<std::uint64_t>> fork_point(const ledger::Checkpoint& kept_cp, const ledger::Checkpoint& cp) {
    ledger::CompactRange served;
    std::optional<std::uint64_t> differs;
    std::string leaves;
    std::uint64_t fetched = 0;  // the level-0 tiles served fetched (in order), their leaves in `served`
    auto take_tile = [&]() -> Status {
      auto got = fetch_leaves(fetched, cp.size);
      if (!got) return std::unexpected(got.error());
      leaves = std::move(*got);
      for (std::size_t i = 0; i < leaves.size() / tiles::kHashBytes; ++i) served.append(leaf_at(leaves, i));
      ++fetched;
      return {};
    };
    auto s = for_each_kept_entry(
        kept_cp.root, [&](std::uint64_t seq, ByteView, const Digest& leaf, const std::string&) -> Status {
          if (seq >= cp.size) return {};
          if (seq / tiles::kTileWidth == fetched)
            if (auto t = take_tile(); !t) return t;
          if (!differs && leaf != leaf_at(leaves, seq % tiles::kTileWidth)) differs = seq;
          return {};
        });
    if (!s) return std::unexpected(s.error());
    while (fetched < level0_tiles(cp.size))
      if (auto t = take_tile(); !t) return std::unexpected(t.error());
    if (served.root() != cp.root) return std::optional<std::uint64_t>();
    return differs;
  }

  // ---- the log ----
  Status take_entry(std::uint64_t seq, ByteView bytes, bool fresh, const std::string& where);
  Status on_tile(const tiles::Tile& t, ByteView computed);
  Status fetch_documents();
  Status commit(const std::string& note, const ledger::Checkpoint& cp);
  void remove_other_partials(std::uint64_t size);
  Status repair(const std::string& note, const ledger::Checkpoint& kept_cp);
  Status sync_directory(const fs::path& d);
  Status lock();
  std::string outcome_line(const ledger::Checkpoint& cp) const;
  std::string repaired_clause() const;
  nlohmann::json figures(const ledger::Checkpoint& cp, bool up_to_date) const;

  HttpClient& http_;
  fs::path dir_, stage_;
  ledger::VerifierKey key_;
  std::uint64_t kept_size_ = 0;
  std::vector<std::string> staged_;      // paths written under the staging directory, in order
  ledger::CompactRange range_;           // the leaves of the new size: the copy's, then those the tiles served
  Bytes entries_bin_;                    // the part of entries.bin not yet written
  int entries_fd_ = -1;
  std::set<Digest> certs_, documents_;
  std::map<Digest, std::uint64_t> disposed_;
  std::map<Digest, std::uint64_t> document_sizes_;
  std::uint64_t fetched_ = 0, new_entries_ = 0, new_certs_ = 0, new_documents_ = 0, tiles_checked_ = 0;
  std::uint64_t missing_documents_ = 0;
  int dir_fd_ = -1;          // DIR, open while the run holds its lock
  bool made_dir_ = false;    // this run created DIR (a failed first copy removes it)
  bool made_stage_ = false;  // this run created the staging directory
  bool moving_ = false;      // files are being moved in: a failure now leaves some, under the old checkpoint
  bool first_copy_ = false;  // no checkpoint was kept: nothing to fall back on
  bool repaired_ = false;    // an interrupted run's leavings were put in order first (repair())
  bool root_checked_ = false;  // the new checkpoint's root is that of the leaves (run()'s step 2)
  std::vector<std::pair<tiles::Tile, Bytes>> held_tiles_;  // tiles above level 0 completed before that
  std::vector<fs::path> cut_short_;  // what a first copy cut short while moving files in left in DIR (made again)
};

Status Mirror::take_entry(std::uint64_t seq, ByteView bytes, bool fresh, const std::string& where) {
  auto entry = ledger::decode_entry(bytes);
  if (!entry) return corruption(i18n::Text("{}: entry {}: {}", where, seq, text_of(entry.error())));
  if (entry->seq != seq) return corruption(i18n::Text("{}: entry {} says it is entry {}", where, seq, entry->seq));
  auto act = ledger::decode_body(entry->event.body);
  if (!act) return corruption(i18n::Text("{}: entry {}: {}", where, seq, text_of(act.error())));
  for (const auto& s : entry->event.signatures) certs_.insert(s.signer);
  for (const auto& a : act->attachments) {
    documents_.insert(a.sha256);
    document_sizes_.emplace(a.sha256, a.size);
  }
  ledger::note_disposals(*act, seq, disposed_);
  if (fresh) ++new_entries_;
  const auto n = static_cast<std::uint32_t>(bytes.size());
  const std::uint8_t length[4] = {static_cast<std::uint8_t>(n), static_cast<std::uint8_t>(n >> 8),
                                  static_cast<std::uint8_t>(n >> 16), static_cast<std::uint8_t>(n >> 24)};
  entries_bin_.insert(entries_bin_.end(), length, length + 4);
  entries_bin_.insert(entries_bin_.end(), bytes.begin(), bytes.end());
  return entries_bin_.size() >= (1u << 20) ? flush_entries_bin() : Status{};
}

Status Mirror::on_tile(const tiles::Tile& t, ByteView computed) {
  // The tiles the kept copy lacks (those tiles::for_each_tile(size, kept size) names): every full tile not wholly
  // below the kept size, and the partial tile of the new size. Told from the tile, not from a list of them, so that a
  // checkpoint's size costs no memory before its entries arrive.
  if (!t.partial() && t.index < tiles::full_tiles(t.level, kept_size_)) return {};  // kept already
  const std::string path = tiles::tile_path(t);
  // Level 0 holds the leaf hashes run() fetched and checked against the checkpoint's root: kept as they came.
  if (t.level == 0) return write_staged(path, computed);
  // One above, completed before the root was checked, waits for it: a fork is told by the root, not by a tile.
  if (!root_checked_) {
    held_tiles_.emplace_back(t, Bytes(computed.begin(), computed.end()));
    return {};
  }
  auto served = fetch_tile(t, path);
  if (!served) return std::unexpected(served.error());
  ++tiles_checked_;
  const ByteView got = as_bytes(*served);
  if (auto s = hashes_size(path, got.size(), t.width); !s) return s;
  // Computed from the leaf hashes (the copy's, those served): a hash that differs is the server's error.
  for (std::size_t i = 0; i < t.width; ++i)
    if (std::memcmp(got.data() + i * 32, computed.data() + i * 32, 32) != 0)
      return corruption(i18n::Text("{}: hash {} is not that of the level-0 tiles below it", shown(path), i));
  return write_staged(path, computed);
}

Status Mirror::fetch_documents() {
  for (const Digest& d : certs_) {
    const std::string path = "certs/" + to_hex(d) + ".der";
    if (kept(path)) continue;
    auto der = fetch_required(path, kMaxCertBytes);
    if (!der) return std::unexpected(der.error());
    if (sha256(as_bytes(*der)) != d) return corruption(i18n::Text("{}: its SHA-256 is not its name", shown(path)));
    if (auto s = write_staged(path, *der); !s) return s;
    ++new_certs_;
  }
  for (const Digest& d : documents_) {
    const std::string path = "attachments/" + to_hex(d);
    if (kept(path) || disposed_.contains(d)) continue;
    const std::uint64_t size = document_sizes_[d];
    if (size > ledger::kMaxMessageBytes) {  // held elsewhere: no ledger holds it, no server serves it
      ++missing_documents_;
      continue;
    }
    auto doc = fetch(path, static_cast<std::size_t>(size));
    if (!doc) return std::unexpected(doc.error());
    if (!*doc) {  // a document the server does not hold (verify-bundle judges it): counted, asked for next run
      ++missing_documents_;
      continue;
    }
    if (sha256(as_bytes(**doc)) != d) return corruption(i18n::Text("{}: its SHA-256 is not its name", shown(path)));
    if (auto s = write_staged(path, **doc); !s) return s;
    ++new_documents_;
  }
  // The ledger's intermediate certificates, which no entry names, and the anchors and profile beside the log.
  auto intermediates = fetch_required("intermediates.pem", kMaxTextBytes);
  if (!intermediates) return std::unexpected(intermediates.error());
  if (auto s = write_staged("intermediates.pem", *intermediates); !s) return s;
  // PEM only (never a PKCS#12 file: its key derivation runs as long as the file asks), empty when the ledger has
  // no intermediate.
  auto ders = signing::pem_certificates(as_bytes(*intermediates), shown("intermediates.pem"));
  if (!ders) return corruption(text_of(ders.error()));
  if (ders->empty() && intermediates->find_first_not_of(" \t\r\n") != std::string::npos)
    return corruption(i18n::Text("{}: holds no PEM certificate", shown("intermediates.pem")));
  for (const Bytes& der : *ders) {
    // The server's word, as trust.pem: only CA certificates, which verify-bundle lists unchecked unless a chain
    // uses one (any other it takes for the signer of an entry removed, and the copy would fail for good).
    auto info = signing::inspect_certificate(der);
    if (!info || !info->is_ca)
      return corruption(i18n::Text(
          "{}: holds a certificate that is not a CA's ({}), where the ledger's intermediates are; the kept copy "
          "is unchanged",
          shown("intermediates.pem"), info ? info->subject : std::string("?")));
    const std::string path = "certs/" + to_hex(sha256(der)) + ".der";
    if (kept(path) || std::find(staged_.begin(), staged_.end(), path) != staged_.end()) continue;
    if (auto s = write_staged(path, der); !s) return s;
    ++new_certs_;
  }
  auto trust = fetch_required("trust.pem", kMaxTextBytes);
  if (!trust) return std::unexpected(trust.error());
  if (auto s = write_staged("trust.pem", *trust); !s) return s;
  // The server's word, not checked against anything (verify-bundle is given the roots to trust), but it must read
  // as certificates: verify-bundle refuses a bundle whose trust.pem does not.
  auto roots = signing::pem_certificates(as_bytes(*trust), shown("trust.pem"));
  if (!roots) return corruption(text_of(roots.error()));
  if (roots->empty()) return corruption(i18n::Text("{}: holds no PEM certificate", shown("trust.pem")));
  auto profile = fetch("profile.json", kMaxTextBytes);
  if (!profile) return std::unexpected(profile.error());
  if (*profile)
    if (auto s = write_staged("profile.json", **profile); !s) return s;
  return {};
}

Status Mirror::commit(const std::string& note, const ledger::Checkpoint& cp) {
  if (auto s = write_staged("README.txt", ledger::bundle_readme({cp.origin, cp.size, cp.size, std::nullopt, false,
                                                                 disposed_}));
      !s)
    return s;
  if (auto s = write_staged("operator.vkey", ledger::format_verifier_key(key_.name, key_.public_key) + "\n"); !s)
    return s;
  if (auto s = write_staged("schema/antq.capnp", std::string_view(ledger::kSchemaText)); !s) return s;
  if (auto s = write_staged("FORMAT.md", std::string_view(ledger::kFormatText)); !s) return s;
  if (auto s = write_staged("checkpoint", note); !s) return s;
  // Every check passed: move the staged files in, the checkpoint last (a reader that finds it finds what it covers),
  // and only after the directories that name the others are on disk (a crash then cannot keep the new checkpoint
  // without the files it covers). operator.vkey goes first: a first copy cut short (kill -9) is known by it, and
  // made again by the next run; entries.bin and README.txt just before the checkpoint, so that the old checkpoint
  // stands beside the entries it covers but for that instant.
  const auto rank = [](const std::string& p) {
    return p == "operator.vkey" ? 0 : p == "entries.bin" || p == "README.txt" ? 2 : p == "checkpoint" ? 3 : 1;
  };
  std::vector<std::string> order = staged_;
  std::stable_sort(order.begin(), order.end(),
                   [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
  std::set<fs::path> directories{dir_};
  // The mark for the next run (repair()), not a file of the copy: it names the certificates and documents this run
  // adds, which only the entries it has not committed name. A repair keeps the mark it found.
  if (!kept(moving_mark())) {
    std::string added;
    for (const std::string& path : staged_)
      if (path.starts_with("certs/") || path.starts_with("attachments/")) added += path + "\n";
    if (auto s = write_staged(kMovingMark, added); !s) return s;
    staged_.pop_back();
    if (auto s = sync_directory(stage_); !s) return s;
  }
  moving_ = true;
  for (const std::string& path : order) {
    if (path == "checkpoint")
      for (const fs::path& d : directories)
        if (auto s = sync_directory(d); !s) return s;
    std::error_code ec;
    fs::create_directories((dir_ / path).parent_path(), ec);
    if (!ec) fs::rename(stage_ / path, dir_ / path, ec);
    if (ec && first_copy_)
      return io_error(i18n::Text("cannot move {} into {}: {}; nothing of this first copy is kept", path, dir_.string(),
                                 ec.message()));
    if (ec)
      return io_error(
          i18n::Text("cannot move {} into {}: {}; the copy's checkpoint is still the old one, and the "
                     "next antq mirror finishes the work",
                     path, dir_.string(), ec.message()));
    for (fs::path d = fs::path(path).parent_path(); !d.empty(); d = d.parent_path()) directories.insert(dir_ / d);
  }
  // What the new size no longer has: the partial tiles of other sizes, and the documents disposed of.
  remove_other_partials(cp.size);
  for (const auto& [d, seq] : disposed_) {
    std::error_code ec;
    fs::remove(dir_ / ("attachments/" + to_hex(d)), ec);
  }
  return sync_directory(dir_);
}

// A run cut short while moving files in (kill -9, a power cut) leaves its staging directory with the mark it made
// first, and may have moved in the entries.bin and README.txt of the size it was fetching, beside the old checkpoint,
// which verify-bundle then refuses: the next run, before anything else, makes them again from the kept entries for
// the kept checkpoint (and removes the partial tiles of the size never committed), whatever the server serves.
Status Mirror::repair(const std::string& note, const ledger::Checkpoint& kept_cp) {
  // The staging directory emptied but for the mark, which stays until the repair is done (a repair cut short is
  // made again).
  auto added = read_text(stage_ / kMovingMark, kMaxLongBundleBytes, N_("the mark of a run cut short"));
  if (!added) return std::unexpected(added.error());
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(stage_, ec))
    if (e.path().filename() != kMovingMark) fs::remove_all(e.path(), ec);
  if (ec) return io_error(i18n::Text("cannot empty {}: {}", stage_.string(), ec.message()));
  made_stage_ = true;
  if (auto s = open_entries_bin(); !s) return s;
  if (auto s = for_each_kept_entry(kept_cp.root,
                                   [&](std::uint64_t seq, ByteView entry, const Digest&, const std::string& where) {
                                     return take_entry(seq, entry, false, where);
                                   });
      !s)
    return s;
  if (auto s = close_entries_bin(); !s) return s;
  // The certificates and documents the cut run moved in that no kept entry names (verify-bundle would fail them).
  for (std::size_t at = 0; at < added->size();) {
    const std::size_t end = std::min(added->find('\n', at), added->size());
    const std::string path = added->substr(at, end - at);
    at = end + 1;
    const auto cert = tiles::named_digest(path, tiles::Resource::Kind::certificate);
    const auto document = tiles::named_digest(path, tiles::Resource::Kind::attachment);
    if ((cert && !certs_.contains(*cert)) || (document && !documents_.contains(*document))) fs::remove(dir_ / path, ec);
  }
  if (auto s = commit(note, kept_cp); !s) return s;  // the kept checkpoint, the same bytes, moved in again last
  fs::remove_all(stage_, ec);
  staged_.clear();
  made_stage_ = moving_ = false;
  repaired_ = true;
  return {};
}

// Removes the partial tiles and bundles in DIR that are not those of the tree of `size` leaves: the old right edge
// of a tree that grew, and what a run cut short while moving files in moved in for a size it never committed.
void Mirror::remove_other_partials(std::uint64_t size) {
  std::set<fs::path> now;
  tiles::for_each_tile(size, size, [&](const tiles::Tile& t) {  // the partial tiles of `size` only
    now.insert(dir_ / tiles::tile_path(t));
    tiles::Tile long_form = t;
    long_form.long_form = true;
    if (t.entries) now.insert(dir_ / tiles::tile_path(long_form));
  });
  std::vector<fs::path> partial_dirs;  // tile/L/NNN.p/, tile/entries/NNN.p/, antq/entries/NNN.p/
  for (const char* top : {"tile", "antq/entries"}) {
    std::error_code ec;
    // Never through a symlink: the copy's own directories only.
    if (fs::is_symlink(fs::symlink_status(dir_ / "antq", ec)) || !fs::is_directory(fs::symlink_status(dir_ / top, ec)))
      continue;
    for (fs::recursive_directory_iterator it(dir_ / top, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_directory(ec) && !it->is_symlink(ec) && it->path().extension() == ".p") {
        partial_dirs.push_back(it->path());
        it.disable_recursion_pending();
      }
  }
  for (const fs::path& d : partial_dirs) {
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(d, ec))
      if (!now.contains(e.path())) files.push_back(e.path());
    for (const fs::path& f : files) fs::remove(f, ec);
    if (fs::is_empty(d, ec)) fs::remove(d, ec);
  }
}

// Puts a directory's entries (the names renamed into it) on disk.
Status Mirror::sync_directory(const fs::path& d) {
  const int fd = ::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    const std::string why = errno_text();
    if (fd >= 0) ::close(fd);
    return io_error(i18n::Text("cannot flush {} to disk: {}", d.string(), why));
  }
  ::close(fd);
  return {};
}

Status Mirror::lock() {
  dir_fd_ = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd_ < 0) return io_error(i18n::Text("cannot open {}: {}", dir_.string(), errno_text()));
  if (::flock(dir_fd_, LOCK_EX | LOCK_NB) != 0) {
    const bool held = errno == EWOULDBLOCK;
    const std::string why = errno_text();
    made_dir_ = false;  // another run may be filling it
    if (held)
      return io_error(
          i18n::Text("{}: another antq mirror is updating this copy; run again when it has finished", dir_.string()));
    return io_error(i18n::Text("cannot lock {}: {}", dir_.string(), why));
  }
  return {};
}

// What a run did, for --json: `cp` the checkpoint served; `up_to_date` when the copy needed nothing of it (it
// holds that size or more, and documents_missing is not known: such a run reads no entry).
nlohmann::json Mirror::figures(const ledger::Checkpoint& cp, bool up_to_date) const {
  return {{"url", http_.url().shown()},
          {"dir", dir_.string()},
          {"size", up_to_date ? kept_size_ : cp.size},
          {"before", kept_size_},
          {"up_to_date", up_to_date},
          {"served_size", cp.size},
          {"new_entries", new_entries_},
          {"tiles_checked", tiles_checked_},
          {"certificates", new_certs_},
          {"documents", new_documents_},
          {"fetched", fetched_},
          {"first_copy", first_copy_},
          {"repaired", repaired_},
          {"documents_missing", up_to_date ? nlohmann::json() : nlohmann::json(missing_documents_)}};
}

// What the line of a run that began with repair() adds.
std::string Mirror::repaired_clause() const {
  if (!repaired_) return {};
  return i18n::tr(i18n::process_lang(),
                  "; an interrupted run had left its files here: entries.bin and README.txt were first made again "
                  "for the kept checkpoint");
}

// The line a run that brought the copy up to date ends with: what it fetched, and what the copy is anchored on.
std::string Mirror::outcome_line(const ledger::Checkpoint& cp) const {
  const i18n::Lang lang = i18n::process_lang();
  std::string line = i18n::trf(lang,
                               "mirrored {} to {}: tree size {} ({} before), {} new entries, {} tiles checked, {} "
                               "certificates and {} documents fetched ({} resources in all)",
                               http_.url().shown(), dir_.string(), cp.size, kept_size_, new_entries_, tiles_checked_,
                               new_certs_, new_documents_, fetched_);
  line += first_copy_ ? i18n::tr(lang,
                                 "; a first copy: its checkpoint verifies with the operator key given, and nothing was "
                                 "kept to compare it with")
                      : i18n::tr(lang, "; consistent with the checkpoint kept");
  line += repaired_clause();
  if (missing_documents_ > 0)
    line += i18n::trf(lang,
                      "; {} documents that entries name are not served (verify-bundle accepts only those disposed "
                      "of; a later run that finds new entries asks for them again)",
                      missing_documents_);
  return line;
}

Result<Mirror::Outcome> Mirror::run() {
  // The copy kept: its checkpoint, verified again with the key given.
  std::optional<ledger::Checkpoint> kept_cp;
  std::string kept_note;
  std::error_code ec;
  if (fs::exists(fs::symlink_status(dir_, ec))) {
    if (!fs::is_directory(fs::symlink_status(dir_, ec)))
      return bad_input(i18n::Text("{} is not a directory", dir_.string()));
  } else if (!fs::create_directory(dir_, ec) || ec) {
    return io_error(i18n::Text("cannot create {}: {}", dir_.string(), ec ? ec.message() : "it exists"));
  } else {
    made_dir_ = true;
  }
  if (auto s = lock(); !s) return std::unexpected(s.error());
  {
    if (kept("operator.vkey")) {
      auto text = read_kept("operator.vkey", kMaxNoteBytes);
      if (!text) return std::unexpected(text.error());
      auto own = ledger::parse_verifier_key(*text);
      if (!own || !same_key(*own, key_))
        return bad_input(
            i18n::Text("{} is the copy of a log of another operator key, not {}", dir_.string(), key_.name));
    }
    if (kept("checkpoint")) {
      auto note = read_kept("checkpoint", kMaxNoteBytes);
      if (!note) return std::unexpected(note.error());
      auto cp = ledger::open_checkpoint(*note, key_);
      if (!cp)
        return corruption(
            i18n::Text("{}/checkpoint: the kept checkpoint does not verify with the operator key {}: "
                       "{}",
                       dir_.string(), key_.name, text_of(cp.error())));
      kept_cp = *cp;
      kept_note = std::move(*note);
    } else {
      // Empty, or holding only what an interrupted first run staged, or moved in before it was cut short: then
      // operator.vkey (moved first, and of this key: checked above), the staged checkpoint (moved last), and
      // nothing but the copy's own names, which are made again once the new checkpoint verifies.
      static const std::set<std::string> own{
          kStaging, "operator.vkey", "entries.bin", "README.txt",        "schema",      "FORMAT.md", "tile", "antq",
          "certs",  "attachments",   "trust.pem",   "intermediates.pem", "profile.json"};
      std::vector<fs::path> left;
      for (const auto& e : fs::directory_iterator(dir_, ec))
        if (e.path().filename() != kStaging) left.push_back(e.path());
      if (ec) return io_error(i18n::Text("cannot read {}: {}", dir_.string(), ec.message()));
      const bool cut_short =
          kept("operator.vkey") && kept(std::string(kStaging) + "/checkpoint") &&
          std::all_of(left.begin(), left.end(), [&](const fs::path& p) { return own.contains(p.filename().string()); });
      if (!left.empty() && !cut_short)
        return bad_input(i18n::Text("{} holds no mirrored copy (no checkpoint) and is not empty", dir_.string()));
      cut_short_ = std::move(left);
    }
  }
  kept_size_ = kept_cp ? kept_cp->size : 0;
  first_copy_ = !kept_cp;
  if (kept_cp && kept(moving_mark())) {
    if (auto s = repair(kept_note, *kept_cp); !s) return std::unexpected(s.error());
  } else if (kept_cp) {
    fs::remove_all(stage_, ec);  // what a run stopped before moving files in left (no run holds the lock now)
  }

  auto got_note = fetch("checkpoint", kMaxNoteBytes);
  if (!got_note) return std::unexpected(got_note.error());
  if (!*got_note)
    return bad_input(
        i18n::Text("{}: not found: is {} the URL prefix of a log, where its checkpoint and tile/ are "
                   "served?",
                   shown("checkpoint"), http_.url().shown()));
  const std::string note = std::move(**got_note);
  auto cp = ledger::open_checkpoint(note, key_);
  if (!cp)
    return corruption(
        i18n::Text("{}: the checkpoint does not verify with the operator key {}: {}; the kept copy is "
                   "unchanged",
                   shown("checkpoint"), key_.name, text_of(cp.error())));
  if (cp->origin != key_.name)
    return corruption(
        i18n::Text("{}: the checkpoint is of the log {}, not {}", shown("checkpoint"), cp->origin, key_.name));
  // The copy up to date: nothing fetched, and how many documents it lacks not known (such a run reads no entry).
  const auto up_to_date = [&](std::string line) { return Outcome{figures(*cp, true), line + repaired_clause()}; };
  if (kept_cp && cp->size < kept_cp->size) {
    // An older checkpoint (a cache not yet refreshed) is consistent with the copy: nothing to fetch. One whose root
    // is not that of the copy's first entries is a fork the operator's key signed.
    ledger::CompactRange first;
    auto read = for_each_kept_entry(kept_cp->root,
                                    [&](std::uint64_t seq, ByteView, const Digest& leaf, const std::string&) -> Status {
                                      if (seq < cp->size) first.append(leaf);
                                      return {};
                                    });
    if (!read) return std::unexpected(read.error());
    if (first.root() != cp->root)
      return corruption(
          i18n::Text("forked: {} serves a checkpoint of size {} whose root is not that of the copy's first {} entries "
                     "(the log was rewritten); the kept copy is unchanged",
                     http_.url().shown(), cp->size, cp->size));
    return up_to_date(i18n::trf(i18n::process_lang(),
                                "{}: up to date at tree size {}; {} serves an older checkpoint (size {}), consistent "
                                "with the copy (a cache not yet refreshed?)",
                                dir_.string(), kept_size_, http_.url().shown(), cp->size));
  }
  if (kept_cp && cp->size == kept_cp->size) {
    if (cp->root != kept_cp->root)
      return corruption(
          i18n::Text("forked: {} serves a checkpoint of size {} with another root than the one kept; "
                     "the kept copy is unchanged",
                     http_.url().shown(), cp->size));
    return up_to_date(i18n::trf(i18n::process_lang(), "{}: up to date at tree size {}", dir_.string(), cp->size));
  }

  fs::remove_all(stage_, ec);  // what an interrupted run left (no run holds the lock now)
  for (const fs::path& p : cut_short_) {
    fs::remove_all(p, ec);
    if (ec) return io_error(i18n::Text("cannot remove {}: {}", p.string(), ec.message()));
  }
  if (!fs::create_directory(stage_, ec) || ec)
    return io_error(i18n::Text("cannot create {}: {}", stage_.string(), ec.message()));
  made_stage_ = true;

  tiles::TileBuilder builder([&](const tiles::Tile& t, ByteView bytes) { return on_tile(t, bytes); });
  if (auto s = open_entries_bin(); !s) return std::unexpected(s.error());
  const auto progress = progress_printer("mirror");

  // 1. The copy's entries, from its bundles, into entries.bin; their leaves, those of the bundle the kept size ends
  // inside (a partial one) apart. They must give the kept checkpoint's root.
  const std::uint64_t kept_full = tiles::full_tiles(0, kept_size_);
  std::vector<Digest> kept_edge;
  if (kept_cp) {
    auto read = for_each_kept_entry(
        kept_cp->root, [&](std::uint64_t seq, ByteView entry, const Digest& leaf, const std::string& where) -> Status {
          if (progress && seq % 4096 == 0) progress(seq, cp->size);
          if (auto s = take_entry(seq, entry, false, where); !s) return s;
          if (seq >= kept_full * tiles::kTileWidth) {
            kept_edge.push_back(leaf);
            return {};
          }
          range_.append(leaf);
          return builder.add(leaf);
        });
    if (!read) return std::unexpected(read.error());
  }

  // 2. The leaves the copy lacks, from the level-0 tiles served: with the copy's, they must give the new checkpoint's
  // root before an entry is fetched, so that what a server without the operator's key sends costs no more than the
  // log's own level-0 tiles (32 bytes an entry of the size the key signed; fork_point fetches them again). An entry
  // of the copy whose leaf differs there is a fork the operator's key signed; when the root is not given, the tiles
  // served over the whole tree tell a fork below the copy's last tile from the server's error (fork_point).
  const std::uint64_t level0 = level0_tiles(cp->size);
  std::optional<std::uint64_t> rewritten;
  for (std::uint64_t n = kept_full; n < level0; ++n) {  // 8 KiB each: no progress told, the entries' is
    auto served = fetch_leaves(n, cp->size);
    if (!served) return std::unexpected(served.error());
    for (unsigned i = 0; i < width_at(n, cp->size); ++i) {
      const Digest leaf = leaf_at(*served, i);
      if (n == kept_full && i < kept_edge.size() && leaf != kept_edge[i] && !rewritten)
        rewritten = n * tiles::kTileWidth + i;
      range_.append(leaf);
      if (auto s = builder.add(leaf); !s) return std::unexpected(s.error());
    }
  }
  if (range_.size() != cp->size || range_.root() != cp->root) {
    // The server's tiles, or a fork below the copy's last tile: told by the tiles served over the whole tree.
    if (kept_cp) {
      auto fork = fork_point(*kept_cp, *cp);
      if (!fork) return std::unexpected(fork.error());
      rewritten = *fork;
    }
    if (!rewritten)
      return corruption(
          i18n::Text("{}: the checkpoint's root (tree size {}) is not that of the tiles served; the kept copy is "
                     "unchanged",
                     shown("checkpoint"), cp->size));
  }
  if (rewritten)
    return corruption(
        i18n::Text("forked: the checkpoint of size {} that {} serves, signed with the operator key, holds another "
                   "entry {} than the copy's (the log rewrote an entry its checkpoint of size {} held); the kept "
                   "copy is unchanged",
                   cp->size, http_.url().shown(), *rewritten, kept_size_));
  root_checked_ = true;
  for (const auto& [t, computed] : held_tiles_)
    if (auto s = on_tile(t, computed); !s) return std::unexpected(s.error());
  if (auto s = builder.finish(); !s) return std::unexpected(s.error());  // the tiles above level 0, compared

  // 3. The new entries: each bundle checked against its leaves (staged by the builder) as it arrives.
  for (std::uint64_t b = kept_full; b < level0; ++b) {
    if (progress && b % 16 == 0) progress(b * tiles::kTileWidth, cp->size);
    tiles::Tile t;
    t.entries = true;
    t.index = b;
    t.width = width_at(b, cp->size);
    auto got = fetch_bundle(t);
    if (!got) return std::unexpected(got.error());
    const std::string where = shown(got->path);
    auto entries = tiles::split_entry_bundle(as_bytes(got->body), t.width, got->long_form, where);
    if (!entries) return corruption(text_of(entries.error()));
    if (got->long_form && tiles::entry_bundle(*entries, false))
      return corruption(i18n::Text("{}: in the long form, though every entry fits a uint16 length", where));
    tiles::Tile leaves_tile;
    leaves_tile.index = b;
    leaves_tile.width = t.width;
    auto leaves = read_text(stage_ / tiles::tile_path(leaves_tile), tiles::kFullTileBytes, N_("a staged tile"));
    if (!leaves) return std::unexpected(leaves.error());
    for (std::uint64_t i = 0; i < entries->size(); ++i) {
      const std::uint64_t seq = b * tiles::kTileWidth + i;
      const Digest leaf = ledger::leaf_hash((*entries)[i]);
      if (leaves->size() != std::size_t{t.width} * tiles::kHashBytes || leaf != leaf_at(*leaves, i))
        return corruption(i18n::Text("{}: entry {} is not the one the checkpoint's tiles hold", where, seq));
      if (seq < kept_size_) continue;  // the copy's, taken in step 1 (the same bytes: the same leaf)
      if (auto s = take_entry(seq, (*entries)[i], true, where); !s) return std::unexpected(s.error());
    }
    if (auto s = write_staged(got->path, got->body); !s) return std::unexpected(s.error());
  }
  if (auto s = close_entries_bin(); !s) return std::unexpected(s.error());
  if (auto s = fetch_documents(); !s) return std::unexpected(s.error());
  if (auto s = commit(note, *cp); !s) return std::unexpected(s.error());
  fs::remove_all(stage_, ec);
  return Outcome{figures(*cp, false), outcome_line(*cp)};
}

}  // namespace

void add_mirror(CLI::App& app, Action& run) {
  struct Args {
    std::string url, dir, operator_key, client_cert, server_ca;
    unsigned max_time = 0;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("mirror", N_("Keep a verified copy of a log served as C2SP tlog-tiles"));
  cmd->footer(
      "Fetches URL/checkpoint, checks its signature with the operator's verifier key YOU hold (--operator-key),\n"
      "fetches the tiles and entry bundles DIR lacks, recomputes the tree from the entries (its tiles must be those\n"
      "served, its root the checkpoint's), checks the new checkpoint extends the one kept in DIR (a forked or\n"
      "rewritten log is refused, exit 1, and DIR is left as it was; an older checkpoint consistent with DIR, as a\n"
      "cache may serve, fetches nothing), and keeps the copy: DIR is then a whole-ledger\n"
      "bundle, which `antq verify-bundle DIR --operator-key VKEY --trust ROOTS.pem` accepts, and a tiles layout any\n"
      "static web server can serve again. A later run fetches only what is new. FORMAT.md §13 has the layout.\n"
      "A first copy has nothing kept to compare with: it proves only that the operator's key signed what it holds;\n"
      "keep DIR and run mirror again, and each later run proves the log extends it. One run at a time holds DIR.\n"
      "Example:\n  antq mirror https://ledger.example:8443 ./copy --operator-key operator.vkey \\\n"
      "      --client-cert archivist.key:archivist.crt --server-ca ca.pem");
  cmd->add_option("URL", args->url, "The log's URL prefix (http:// or https://)")->required();
  cmd->add_option("DIR", args->dir, "The copy (created when missing)")->required();
  cmd->add_option("--operator-key", args->operator_key, "The operator's C2SP verifier key (file), your own copy")
      ->required();
  cmd->add_option("--client-cert", args->client_cert, "KEY:CERT for mutual TLS (KEY: a file or a pkcs11: URI)");
  cmd->add_option("--server-ca", args->server_ca, "PEM roots the server's certificate must chain to");
  cmd->add_option(
         "--max-time", args->max_time,
         "Stop the run's requests and waits after SECONDS in all (a run from cron that must not overrun the "
         "next): exit 2, the copy's checkpoint unchanged, nothing this run fetched kept. Default: no limit "
         "but each request's own (10 s to find the server's address, 10 s to connect, 60 s for an answer); "
         "how many requests a run makes follows from the signed checkpoint")
      ->check(CLI::Range(0u, 30u * 86400u))
      ->type_name("SECONDS");
  cmd->add_flag(
      "--json", args->json,
      "JSON: url, dir, size (the tree now kept), before (the size kept before), up_to_date, served_size (the "
      "served checkpoint's: smaller than size when the server gives an older one, consistent with the copy), "
      "new_entries, "
      "tiles_checked, certificates, documents, fetched (resources in all), first_copy, repaired (an interrupted run's "
      "files were first put in order), documents_missing (named by "
      "entries, not served; null when up to date: such a run reads no entry, and a later run that finds new entries "
      "asks for them again)");
  cmd->callback([args, &run] {
    run = [args]() -> int {
      auto key = read_verifier_key(args->operator_key);
      if (!key) return fail(key.error());
      auto http = service_client(args->url, {args->client_cert, args->server_ca, std::chrono::seconds(args->max_time)},
                                 /*certificate_optional=*/true);
      if (!http) return fail(http.error());
      Mirror mirror(*http, args->dir, *key);
      auto done = mirror.run();
      if (!done) {
        mirror.discard();  // nothing of a failed run stays: its staging directory, or the directory it made
        return fail(done.error());
      }
      if (args->json)
        print_json(done->figures);
      else
        std::cout << done->line << "\n";
      return kOk;
    };
  });
}

}  // namespace antq::cli
