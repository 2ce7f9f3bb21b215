// antq verify-bundle: a bundle checked against anchors the auditor holds (FORMAT.md §7, "Verifying a bundle").
//
// Nothing the bundle says about its own keys is believed: the operator key comes from --operator-key (or is proven
// by a checkpoint the auditor kept), the roots from --trust. Every file found in the bundle ends up checked,
// unchecked (with why) or failed; an omission the bundle's own files reveal (an entry that an acts/ file, an index
// line, a proof or an act's attachment digest names) is a failure.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "ledger/act.hpp"
#include "ledger/bundle.hpp"
#include "ledger/merkle.hpp"
#include "ledger/parallel.hpp"
#include "ledger/tiles.hpp"

namespace antq::ledger {

std::string_view status_name(BundleFile::Status status) {
  switch (status) {
    case BundleFile::Status::checked:
      return "checked";
    case BundleFile::Status::unchecked:
      return "unchecked";
    case BundleFile::Status::failed:
      return "failed";
  }
  return "failed";
}

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using FileStatus = BundleFile::Status;

// The most verify-bundle reads of each kind of file, all of which it holds in memory: what export writes stays well
// below (an attachment was at most one submission; a certificate, a note or a text is small), and a larger file, a
// sparse one say, costs nothing but a refusal. entries.bin and proofs.json grow with the log: a bundle of more than
// 4 GiB of entries is verified as the ledger itself (antq verify).
constexpr std::uint64_t kMaxLogFileBytes = std::uint64_t{4} << 30;  // entries.bin, proofs.json
constexpr std::uint64_t kMaxAttachmentFileBytes = kMaxMessageBytes;
constexpr std::uint64_t kMaxCertificateFileBytes = 1u << 20;
constexpr std::uint64_t kMaxTextFileBytes = 16u << 20;  // notes, keys, trust.pem, index.tsv, README.txt, profile.json
// What entries.bin's entries cost in memory stays within a small multiple of their own size: none is shorter than
// this (a signature's CMS alone is longer), and reading stops once more than so many do not decode (a file of zeros,
// of junk).
constexpr std::uint64_t kMinEntryBytes = 128;
constexpr std::size_t kMaxUndecodableEntries = 100;
// proofs.json holds at most what the proofs of entries.bin's entries take: per entry, its seq and leaf hash and at
// most 64 proof hashes, each as hex in JSON (66 bytes, with a comma and indentation within 80), and as JSON values
// its object, seq, leaf hash, proof array and 64 hashes (70 at most); for the document, some bytes and values more.
constexpr std::uint64_t kMaxProofBytesPerEntry = 64 * 80 + 256;
constexpr std::uint64_t kMaxProofValuesPerEntry = 70;
constexpr std::uint64_t kProofsDocumentValues = 16;

// The content of a bundle file, read only when it is a regular file of at most `max_bytes`: never through a symlink,
// never a device or a FIFO (opened without blocking, then refused). nullopt when it is missing or anything else.
std::optional<Bytes> read_regular(const fs::path& path, std::uint64_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  std::optional<Bytes> out;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) <= max_bytes) {
    out.emplace(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (done < out->size()) {
      ssize_t n = ::read(fd, out->data() + done, out->size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    if (done != out->size()) out.reset();  // changed while read
  }
  ::close(fd);
  return out;
}

std::string as_text(ByteView bytes) { return std::string(bytes.begin(), bytes.end()); }

bool same_key(const VerifierKey& a, const VerifierKey& b) {
  return a.name == b.name && a.id == b.id && a.public_key == b.public_key;
}

// The subject names of `certificates` (DER), for messages.
std::string subjects(const std::vector<const Bytes*>& certificates) {
  std::string out;
  for (const Bytes* der : certificates) {
    auto info = signing::inspect_certificate(*der);
    out += (out.empty() ? "" : "; ") + (info ? info->subject : "SHA-256 " + to_hex(sha256(*der)));
  }
  return out;
}

// One entry of entries.bin, as far as it decoded.
struct Item {
  ByteView bytes;
  Digest leaf{};
  std::optional<Entry> entry;
  std::optional<Act> act;
  std::vector<CheckedSignature> signatures;  // when every signature verified
  std::optional<i18n::Text> failure;         // the first problem of this entry
};

class BundleCheck {
 public:
  BundleCheck(const fs::path& dir, const BundleAnchors& anchors) : dir_(dir), anchors_(anchors) {}

  Result<BundleReport> run(const Progress& progress) {
    if (auto s = list_files(); !s) return std::unexpected(s.error());
    check_operator_key();
    check_checkpoint();
    if (auto s = check_kept_checkpoint(); !s) return std::unexpected(s.error());
    check_trust();
    read_certificates();
    read_entries();
    read_proofs();
    check_tree();
    load_trust_changes();
    check_signatures(progress);
    check_attachments();
    check_acts();
    check_copies();
    check_profile();
    check_readme();
    return finish();
  }

 private:
  // ---- files and failures ----

  // A failure of the bundle; `path` (when not empty) is the file it concerns, marked failed with its first reason.
  // Reasons are said in English in the report's strings (the JSON's) and kept as i18n::Text for the reader's language.
  void fail(const std::string& path, const i18n::Text& reason, std::optional<std::uint64_t> seq = std::nullopt) {
    report_.verify.ok = false;
    const i18n::Text said = path.empty() ? reason : i18n::Text("{}: {}", path, reason);
    report_.verify.failures.push_back({seq, said.str(), said});
    if (path.empty()) return;
    BundleFile& f = files_[path];
    if (f.status == FileStatus::failed) return;
    f = {path, FileStatus::failed, reason.str(), reason};
  }
  void fail(const std::string& path, const std::string& reason, std::optional<std::uint64_t> seq = std::nullopt) {
    fail(path, i18n::Text::verbatim(reason), seq);
  }
  void mark(const std::string& path, FileStatus status, const i18n::Text& reason) {
    auto it = files_.find(path);
    if (it == files_.end() || it->second.status == FileStatus::failed) return;
    it->second.status = status;
    it->second.reason = reason.str();
    it->second.text = reason;
  }
  void mark(const std::string& path, FileStatus status, const std::string& reason) {
    mark(path, status, i18n::Text::verbatim(reason));
  }
  bool present(const std::string& path) const { return files_.contains(path); }
  // A file the bundle must hold: its bytes, or a failure naming it.
  std::optional<Bytes> required(const std::string& path, const i18n::Text& why,
                                std::optional<std::uint64_t> seq = std::nullopt,
                                std::optional<std::uint64_t> cap = std::nullopt) {
    if (!present(path)) {
      std::error_code ec;
      if (fs::is_directory(fs::symlink_status(dir_ / path, ec)))
        fail(path, i18n::Text("a directory, not a file ({})", why), seq);
      else
        fail(path, i18n::Text("missing ({})", why), seq);
      return std::nullopt;
    }
    const std::uint64_t max_bytes = cap                                              ? *cap
                                    : path == "entries.bin" || path == "proofs.json" ? kMaxLogFileBytes
                                                                                     : kMaxTextFileBytes;
    auto bytes = read_regular(dir_ / path, max_bytes);
    if (!bytes)
      fail(path,
           i18n::Text("not a regular file (a symlink or a special file), larger than {} bytes, or unreadable",
                      max_bytes),
           seq);
    return bytes;
  }

  // Every file below the bundle directory (symlinks are listed, never followed), unchecked until a check says more.
  Status list_files() {
    std::error_code ec;
    auto st = fs::symlink_status(dir_, ec);
    if (ec || !fs::is_directory(st)) return bad_input(i18n::Text("{} is not a bundle directory", dir_.string()));
    fs::recursive_directory_iterator it(dir_, fs::directory_options::none, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const auto kind = it->symlink_status(ec).type();
      if (kind == fs::file_type::directory) continue;
      const std::string path = it->path().lexically_relative(dir_).generic_string();
      files_[path] = {path, FileStatus::unchecked,
                      kind == fs::file_type::regular ? "not a file antq export writes"
                                                     : "not a regular file (a symlink or a special file): not read"};
    }
    if (ec) fail("", i18n::Text("cannot list the bundle's files: {}", ec.message()));
    return {};
  }

  // ---- the operator key and the checkpoints ----

  void check_operator_key() {
    std::optional<VerifierKey> own;
    if (auto text = required("operator.vkey", i18n::Text("the operator's verifier key"))) {
      auto parsed = parse_verifier_key(as_text(*text));
      if (!parsed)
        fail("operator.vkey", text_of(parsed.error()));
      else
        own = *parsed;
    }
    if (anchors_.operator_key) {
      key_ = anchors_.operator_key;
      key_source_ = i18n::Text("the operator key given (--operator-key)");
      if (own && same_key(*own, *key_))
        mark("operator.vkey", FileStatus::checked, i18n::Text("the same key as --operator-key"));
      else if (own)
        fail("operator.vkey", i18n::Text("not the operator key given with --operator-key ({}): the bundle was made "
                                         "with another key",
                                         key_->name));
    } else if (own) {
      key_ = own;
      key_source_ = i18n::Text("the bundle's own operator.vkey");
      mark(
          "operator.vkey", FileStatus::unchecked,
          i18n::Text(
              "taken from the bundle itself: nothing outside it vouches for it (give --operator-key or --checkpoint)"));
    }
  }

  void check_checkpoint() {
    auto note = required("checkpoint", i18n::Text("the log's signed checkpoint"));
    if (!note) return;
    if (!key_)
      return mark("checkpoint", FileStatus::unchecked, i18n::Text("no operator key to check its signature with"));
    auto opened = open_checkpoint(as_text(*note), *key_);
    if (!opened) {
      fail("checkpoint", opened.error().kind == ErrorKind::bad_input
                             ? text_of(opened.error())
                             : i18n::Text("not signed by {}: {}", key_source_, text_of(opened.error())));
      return;
    }
    if (opened->origin != key_->name) {
      fail("checkpoint",
           i18n::Text("its origin \"{}\" is not the operator key's name \"{}\"", opened->origin, key_->name));
      return;
    }
    cp_ = *opened;
    ++report_.verify.checkpoints;
    report_.verify.root = cp_->root;
    mark("checkpoint", FileStatus::checked, i18n::Text("signed by {}", key_source_));
  }

  // --checkpoint: signed by the operator key in use (which it thereby proves, when it is the bundle's own), of the
  // same origin; check_tree proves the bundle's tree extends it. bad_input when the file is no checkpoint note.
  Status check_kept_checkpoint() {
    if (!anchors_.checkpoint) return {};
    if (!key_) {
      fail("", i18n::Text(
                   "the checkpoint you kept (--checkpoint) cannot be checked: the bundle has no usable operator key"));
      return {};
    }
    auto kept = open_checkpoint(*anchors_.checkpoint, *key_);
    if (!kept && kept.error().kind == ErrorKind::bad_input)
      return bad_input(i18n::Text("--checkpoint: {}", text_of(kept.error())));
    if (!kept) {
      const auto reason = i18n::Text(
          "the checkpoint you kept (--checkpoint) is not signed by {}: the bundle's "
          "operator is not the one whose checkpoint you kept ({})",
          key_source_, text_of(kept.error()));
      if (anchors_.operator_key)
        fail("", reason);
      else
        fail("operator.vkey", reason);
      return {};
    }
    if (cp_ && kept->origin != cp_->origin) {
      fail("checkpoint",
           i18n::Text("origin \"{}\", but the checkpoint you kept is of \"{}\"", cp_->origin, kept->origin));
      return {};
    }
    kept_ = *kept;
    ++report_.verify.checkpoints;
    if (!anchors_.operator_key)
      mark("operator.vkey", FileStatus::checked, i18n::Text("signed the checkpoint you kept (--checkpoint)"));
    return {};
  }

  // ---- trust roots and certificates ----

  void check_trust() {
    std::optional<std::vector<Bytes>> own;
    if (auto text = required("trust.pem", i18n::Text("the trust anchors"))) {
      // PEM only, from the bytes read: never a PKCS#12 file, whose key derivation runs as long as it asks.
      auto read = signing::pem_certificates(*text, "trust.pem");
      if (!read)
        fail("trust.pem", text_of(read.error()));
      else if (read->empty())
        fail("trust.pem", i18n::Text("holds no PEM certificate"));
      else
        own = std::move(*read);
    }
    const std::vector<Bytes>* roots = nullptr;
    if (anchors_.trust) {
      roots = &*anchors_.trust;
      if (own) compare_roots(*own, *anchors_.trust);
    } else if (own) {
      roots = &*own;
      mark("trust.pem", FileStatus::unchecked,
           i18n::Text("used as the trust roots, but taken from the bundle itself: nothing outside it vouches for them "
                      "(give --trust)"));
    }
    if (roots)
      for (const Bytes& der : *roots)
        if (auto s = verifier_.add_root(der); !s) fail(anchors_.trust ? "" : "trust.pem", text_of(s.error()));
  }

  void compare_roots(const std::vector<Bytes>& own, const std::vector<Bytes>& given) {
    std::map<Digest, const Bytes*> mine, theirs;
    for (const Bytes& der : own) mine[sha256(der)] = &der;
    for (const Bytes& der : given) theirs[sha256(der)] = &der;
    std::vector<const Bytes*> extra, lacking;
    for (const auto& [fp, der] : mine)
      if (!theirs.contains(fp)) extra.push_back(der);
    for (const auto& [fp, der] : theirs)
      if (!mine.contains(fp)) lacking.push_back(der);
    if (extra.empty() && lacking.empty()) {
      mark("trust.pem", FileStatus::checked, i18n::Text("the same roots as --trust"));
      return;
    }
    auto why = i18n::Text("not used (--trust given), and it differs:");
    if (!extra.empty()) why = i18n::Text("{} {} root(s) that --trust lacks ({})", why, extra.size(), subjects(extra));
    if (!extra.empty() && !lacking.empty()) why = i18n::Text("{};", why);
    if (!lacking.empty())
      why = i18n::Text("{} {} root(s) of --trust missing ({})", why, lacking.size(), subjects(lacking));
    mark("trust.pem", FileStatus::unchecked, why);
  }

  // certs/<sha256>.der: each must hash to its name. CA certificates serve as intermediates of chains.
  void read_certificates() {
    for (const auto& [path, file] : files_) {
      auto name = tiles::named_digest(path, tiles::Resource::Kind::certificate);
      if (!name) continue;  // not a name export writes: stays unchecked
      auto der = read_regular(dir_ / path, kMaxCertificateFileBytes);
      if (!der) {
        fail(path, i18n::Text("not a regular file (a symlink or a special file), larger than {} bytes, or unreadable",
                              kMaxCertificateFileBytes));
        continue;
      }
      if (sha256(*der) != *name) {
        fail(path, i18n::Text("does not hash to its name"));
        continue;
      }
      auto info = signing::inspect_certificate(*der);
      if (!info) {
        fail(path, i18n::Text("not a DER certificate"));
        continue;
      }
      if (info->is_ca) {
        (void)verifier_.add_intermediate(*der);
        ca_certs_.insert(*name);
      }
      certs_[*name] = std::move(*der);
    }
  }

  // ---- entries ----

  // entries.bin framed and decoded in one pass, so that what a file of junk costs stops with it: a framing failure
  // (no entry at all is kept), an entry shorter than any, or more undecodable entries than a log has (the rest not
  // read).
  void read_entries() {
    auto bin = required("entries.bin", i18n::Text("the entries"));
    if (!bin) return;
    bin_ = std::move(*bin);
    const auto framing = [&](const i18n::Text& why) {
      fail("entries.bin", why);
      items_.clear();
      by_seq_.clear();
    };
    std::set<Digest> bodies;
    std::size_t undecodable = 0;
    for (std::size_t pos = 0; pos < bin_.size();) {
      const std::size_t i = items_.size();
      const bool whole_length = bin_.size() - pos >= 4;
      const std::uint64_t n =
          whole_length ? bin_[pos] | bin_[pos + 1] << 8 | bin_[pos + 2] << 16 | std::uint64_t{bin_[pos + 3]} << 24 : 0;
      if (!whole_length || n > bin_.size() - pos - 4)
        return framing(i18n::Text::verbatim(whole_length ? "ends inside an entry" : "ends inside a length"));
      if (n < kMinEntryBytes)  // zeros, a sparse file: not entries, and each would cost far more than its bytes
        return framing(
            i18n::Text("the entry at position {} is {} bytes long: no entry is shorter than {} (one "
                       "signature alone is longer)",
                       i, n, kMinEntryBytes));
      Item it;
      it.bytes = ByteView(bin_.data() + pos + 4, n);
      pos += 4 + n;
      auto entry = decode_entry(it.bytes);
      if (!entry && ++undecodable > kMaxUndecodableEntries) {  // not a log's entries: the rest is not read
        fail("entries.bin", i18n::Text("{} entries up to position {} do not decode: not the entries of a log; the "
                                       "rest is not read",
                                       undecodable, i));
        break;
      }
      it.leaf = leaf_hash(it.bytes);
      if (!entry) {
        it.failure = i18n::Text("entry at position {}: {}", i, text_of(entry.error()));
      } else {
        auto act = decode_body(entry->event.body);
        if (!act)
          it.failure = text_of(act.error());
        else if (!bodies.insert(sha256(entry->event.body)).second)
          it.failure = i18n::Text("the same act body as an earlier entry");
        if (act) it.act = std::move(*act);
        it.entry = std::move(*entry);
        if (!by_seq_.emplace(it.entry->seq, i).second && !it.failure)
          it.failure = i18n::Text("a second entry with this seq");
      }
      items_.push_back(std::move(it));
    }
    report_.verify.entries = items_.size();
  }

  // proofs.json: present in --subject bundles only. {subject, size, entries: [{seq, leaf_hash, proof[]}]}.
  void read_proofs() {
    if (!present("proofs.json")) return;
    // No more than the proofs of entries.bin's entries can take: what it costs to read and parse stays near the
    // bundle's own size.
    auto text = required("proofs.json", i18n::Text("the inclusion proofs"), std::nullopt,
                         (items_.size() + 1) * kMaxProofBytesPerEntry);
    if (!text) return;
    auto parsed = parse_json_nested(as_text(*text), 4, "proofs.json",
                                    kProofsDocumentValues + items_.size() * kMaxProofValuesPerEntry);
    if (!parsed) {
      fail("", text_of(parsed.error()));  // which names proofs.json
      return mark("proofs.json", FileStatus::failed, text_of(parsed.error()));
    }
    json& j = *parsed;
    auto malformed = [&](const std::string& what) { fail("proofs.json", i18n::Text("malformed: {}", what)); };
    if (!j.is_object() || !j.contains("subject") || !j["subject"].is_string() || !j.contains("size") ||
        !j["size"].is_number_unsigned() || !j.contains("entries") || !j["entries"].is_array())
      return malformed("expected {subject, size, entries[]}");
    subject_ = j["subject"].get<std::string>();
    proofs_size_ = j["size"].get<std::uint64_t>();
    for (const json& e : j["entries"]) {
      if (!e.is_object() || !e.contains("seq") || !e["seq"].is_number_unsigned() || !e.contains("leaf_hash") ||
          !e["leaf_hash"].is_string() || !e.contains("proof") || !e["proof"].is_array())
        return malformed("an entry is not {seq, leaf_hash, proof[]}");
      Proof p;
      auto leaf = digest_from_hex(e["leaf_hash"].get<std::string>());
      if (!leaf) return malformed("a leaf_hash is not 64 hex digits");
      p.leaf = *leaf;
      for (const json& h : e["proof"]) {
        auto d = h.is_string() ? digest_from_hex(h.get<std::string>()) : std::nullopt;
        if (!d) return malformed("a proof hash is not 64 hex digits");
        p.path.push_back(*d);
      }
      if (!proofs_.emplace(e["seq"].get<std::uint64_t>(), std::move(p)).second)
        return malformed(fmt::format("two proofs of entry {}", e["seq"].get<std::uint64_t>()));
    }
  }

  // The tree: a whole-ledger bundle holds entries 0..size-1 and its root is recomputed; a --subject bundle proves
  // each entry by its inclusion proof. A kept checkpoint must be a prefix of the bundle's tree.
  void check_tree() {
    if (!cp_) {
      mark("entries.bin", FileStatus::unchecked,
           i18n::Text("not checked against a tree: the checkpoint did not verify"));
      mark("proofs.json", FileStatus::unchecked,
           i18n::Text("not checked against a tree: the checkpoint did not verify"));
    }
    if (subject_)
      check_subject_tree();
    else
      check_whole_tree();
  }

  void check_whole_tree() {
    CompactRange range;
    std::optional<Digest> kept_root;
    if (kept_ && kept_->size == 0) kept_root = empty_root();
    for (std::size_t i = 0; i < items_.size(); ++i) {
      Item& it = items_[i];
      range.append(it.leaf);
      if (kept_ && range.size() == kept_->size) kept_root = range.root();
      if (it.entry && it.entry->seq != i && !it.failure)
        it.failure = i18n::Text("at position {} of entries.bin, but its seq is {} (entries removed or reordered)", i,
                                it.entry->seq);
    }
    if (!cp_) return;
    bool tree_ok = true;
    if (items_.size() != cp_->size) {
      tree_ok = false;
      fail("entries.bin", i18n::Text("holds {} entries, but the checkpoint is of {}", items_.size(), cp_->size));
    } else if (range.root() != cp_->root) {
      tree_ok = false;
      fail("entries.bin", i18n::Text("the root recomputed from its entries is not the checkpoint's root"));
    }
    if (kept_) {
      if (kept_->size > cp_->size)
        fail("checkpoint", i18n::Text("of {} entries, older than the checkpoint you kept ({} entries): this bundle "
                                      "is older than what you kept, or was cut short",
                                      cp_->size, kept_->size));
      else if (!kept_root || *kept_root != kept_->root)
        fail("entries.bin", i18n::Text("its first {} entries do not have the root of the checkpoint you kept: the "
                                       "log was rewritten since",
                                       kept_->size));
    }
    if (tree_ok)
      mark("entries.bin", FileStatus::checked, i18n::Text("every entry in the checkpoint's tree (root recomputed)"));
  }

  void check_subject_tree() {
    if (cp_ && proofs_size_ != cp_->size)
      fail("proofs.json",
           i18n::Text("its proofs are for a tree of {} entries, the checkpoint's is of {}", proofs_size_, cp_->size));
    std::optional<std::uint64_t> previous;
    bool proofs_ok = cp_ && proofs_size_ == cp_->size;
    for (Item& it : items_) {
      if (!it.entry || it.failure) {
        proofs_ok = false;
        continue;
      }
      const std::uint64_t seq = it.entry->seq;
      if (previous && seq <= *previous) it.failure = i18n::Text("out of seq order in entries.bin");
      previous = seq;
      if (!it.failure && it.act && !act_in_subject_bundle(*it.act, *subject_, subject_attachments()))
        it.failure = i18n::Text("not an act of subject {} nor a records act naming it", *subject_);
      auto p = proofs_.find(seq);
      if (it.failure || !cp_) continue;
      if (p == proofs_.end())
        it.failure = i18n::Text("no inclusion proof in proofs.json");
      else if (p->second.leaf != it.leaf)
        it.failure = i18n::Text("its leaf hash in proofs.json is not the hash of its bytes");
      else if (seq >= cp_->size || !verify_inclusion(seq, cp_->size, it.leaf, p->second.path, cp_->root))
        it.failure = i18n::Text("its inclusion proof (proofs.json) does not verify against the checkpoint");
      if (it.failure) proofs_ok = false;
    }
    for (const auto& [seq, proof] : proofs_)
      if (!by_seq_.contains(seq))
        fail("proofs.json", i18n::Text("holds a proof of entry {}, which entries.bin lacks (removed?)", seq), seq);
    if (proofs_ok)
      mark("proofs.json", FileStatus::checked,
           i18n::Text("one proof per entry, each verifying against the checkpoint"));
    if (kept_ && cp_ && kept_->size != cp_->size)
      fail("", i18n::Text("the checkpoint you kept is of {} entries and this --subject bundle's of {}: a subject "
                          "bundle proves only a checkpoint of its own size; give --operator-key",
                          kept_->size, cp_->size));
    else if (kept_ && cp_ && kept_->root != cp_->root)
      fail("checkpoint",
           i18n::Text("another root than the checkpoint you kept, at the same size: the log was rewritten since"));
    if (cp_ && std::none_of(items_.begin(), items_.end(), [](const Item& it) { return it.failure.has_value(); }))
      mark("entries.bin", FileStatus::checked, i18n::Text("every entry proven in the checkpoint's tree (proofs.json)"));
  }

  // The attachments of the subject's own acts (a records act in a --subject bundle may name them).
  const std::set<Digest>& subject_attachments() {
    if (!subject_attachments_) {
      subject_attachments_.emplace();
      for (const Item& it : items_)
        if (it.act && is_subject_or_point(it.act->subject, *subject_))
          for (const auto& a : it.act->attachments) subject_attachments_->insert(a.sha256);
    }
    return *subject_attachments_;
  }

  // The CRLs and time-stamp authorities the bundle's trust.* entries added (their attachments): into the verifier,
  // and into the history that judges each entry's signatures with what its admission had. A missing attachment is
  // named by check_attachments.
  void load_trust_changes() {
    std::vector<TrustRecord> crls, authorities;
    for (const Item& it : items_) {
      if (!it.act || !it.entry || it.failure || it.act->attachments.size() != 1) continue;
      const bool crl = it.act->act == kCrlAdded;
      if (!crl && it.act->act != kTimestampAuthorityAdded) continue;
      const Digest& d = it.act->attachments[0].sha256;
      const std::string path = "attachments/" + to_hex(d);
      if (!present(path)) continue;
      auto content = read_regular(dir_ / path, kMaxAttachmentFileBytes);
      if (!content || sha256(*content) != d) continue;  // check_attachments names it
      std::optional<Error> refused;
      if (crl) {
        if (auto r = verifier_.add_crl(*content); !r) refused = r.error();
      } else if (auto r = verifier_.add_timestamp_authority(*content); !r) {
        refused = r.error();
      }
      if (refused) {
        fail(path, i18n::Text("entry {} adds it to the trust store: {}", it.entry->seq, refused->message),
             it.entry->seq);
        continue;
      }
      (crl ? crls : authorities).push_back({d, it.entry->seq, {}});
    }
    trust_history_.emplace(crls, authorities);
  }

  // Every signature and chain at its signing time, against the roots in use; certificates from certs/.
  void check_signatures(const Progress& progress) {
    for (Item& it : items_) {
      if (!it.entry) continue;
      for (const auto& s : it.entry->event.signatures) {
        named_certs_.emplace(s.signer, it.entry->seq);
        if (!certs_.contains(s.signer))
          fail("certs/" + to_hex(s.signer) + ".der",
               i18n::Text("missing: entry {} names it as its {} signer", it.entry->seq, role_text(s.role)),
               it.entry->seq);
      }
    }
    parallel_for(items_.size(), 0, [&](std::size_t i) {
      Item& it = items_[i];
      if (!it.entry || it.failure) return;
      auto t = signing::parse_time(it.entry->recorded_at);
      auto checked =
          ledger::check_signatures(it.entry->event, verifier_, trust_history_->at_entry(it.entry->seq, t.value_or(0)),
                                   [&](const Digest& fp) -> std::optional<ByteView> {
                                     auto c = certs_.find(fp);  // each hashes to its name (read_certificates)
                                     if (c == certs_.end()) return std::nullopt;
                                     return ByteView(c->second);
                                   });
      if (!checked)
        it.failure = line_text(checked.error());
      else
        it.signatures = std::move(*checked);
    });
    for (std::size_t i = 0; i < items_.size(); ++i) {
      Item& it = items_[i];
      if (it.entry) report_.verify.signatures += it.entry->event.signatures.size();
      for (const CheckedSignature& s : it.signatures)
        for (const Digest& fp : s.verified.chain) chain_certs_.insert(fp);
      if (it.failure) {
        fail("entries.bin", *it.failure, it.entry ? std::optional(it.entry->seq) : std::nullopt);
      }
    }
    if (progress) progress(items_.size(), items_.size());
  }

  // ---- attachments, acts/, copies, profile, README ----

  void check_attachments() {
    std::map<Digest, std::uint64_t> disposed;  // digest -> the first entry disposing of it
    // digest -> (seq, recordedAt) of every entry naming it, in order: one of them carried it and was its admission
    std::map<Digest, std::vector<Naming>> named;
    for (const Item& it : items_) {
      if (!it.act || !it.entry) continue;
      for (const auto& a : it.act->attachments)
        named[a.sha256].emplace_back(it.entry->seq, signing::parse_time(it.entry->recorded_at).value_or(0));
      note_disposals(*it.act, it.entry->seq, disposed);
    }
    for (const auto& [path, file] : files_) {
      auto name = tiles::named_digest(path, tiles::Resource::Kind::attachment);
      if (!name) continue;  // not a name export writes (lower-case): unchecked
      auto content = read_regular(dir_ / path, kMaxAttachmentFileBytes);
      if (!content) {
        fail(path, i18n::Text("not a regular file (a symlink or a special file), larger than {} bytes, or unreadable",
                              kMaxAttachmentFileBytes));
        continue;
      }
      ++report_.verify.attachments;
      if (sha256(*content) != *name) {
        fail(path, i18n::Text("does not hash to its name"));
        continue;
      }
      auto by = named.find(*name);
      if (by == named.end()) {
        // export writes only the documents its entries name: one that none names reveals an entry removed.
        fail(path, i18n::Text("not named by any entry of the bundle (export writes only the documents its entries "
                              "name: an entry removed?)"));
        continue;
      }
      // A signed PDF's own signatures, as admission checked them (a bundle holds no record of them to compare).
      const std::uint64_t first = by->second.front().first;
      auto pdf = recheck_pdf_signatures(*content, verifier_, *trust_history_, by->second,
                                        [](const Result<CheckedPdf>& checked) { return checked.has_value(); });
      if (!pdf) {
        fail(path, line_text(pdf.error()), first);
        continue;
      }
      for (const auto& v : pdf->verified)
        for (const Digest& fp : v.chain) chain_certs_.insert(fp);
      mark(path, FileStatus::checked, i18n::Text("hashes to its name; named by entry {}", first));
    }
    for (const auto& [digest, by] : named) {
      const std::string path = "attachments/" + to_hex(digest);
      if (present(path) || disposed.contains(digest)) continue;
      const std::uint64_t seq = by.front().first;
      fail(path,
           i18n::Text("missing: entry {} names it and no record.disposed entry of the bundle disposes of it "
                      "(removed from the bundle, or the act named it by digest only and the ledger never held it)",
                      seq),
           seq);
    }
  }

  // acts/ (an exploded bundle): a body for every entry, a .p7s for every signature carrying exactly the entry's CMS
  // with the signer's chain, and index.tsv as regenerated from the entries.
  void check_acts() {
    std::error_code ec;
    explode_ = fs::is_directory(fs::symlink_status(dir_ / "acts", ec));
    if (!explode_) return;
    std::string index = kBundleIndexHeader;
    for (const Item& it : items_) {
      if (!it.entry) continue;
      const std::uint64_t seq = it.entry->seq;
      const std::string body_path = fmt::format("acts/{}.body", seq);
      if (auto body =
              required(body_path, i18n::Text("the bundle has acts/, and entry {} is in entries.bin", seq), seq)) {
        if (*body == it.entry->event.body)
          mark(body_path, FileStatus::checked, i18n::Text("the signed body of entry {}", seq));
        else
          fail(body_path, i18n::Text("differs from the signed body of entry {}", seq), seq);
      }
      for (const SignatureRecord& s : it.entry->event.signatures) {
        auto parts = signing::cms_parse(s.cms);
        if (parts && parts->signing_time) index += bundle_index_line(seq, s.role, s.signer, *parts->signing_time);
        check_p7s(it, s);
      }
    }
    if (auto text = required("acts/index.tsv", i18n::Text("the bundle has acts/"))) {
      const std::string given = as_text(*text);
      if (given == index) {
        mark("acts/index.tsv", FileStatus::checked,
             i18n::Text("equals the index regenerated from the verified entries"));
      } else {
        std::size_t line = 1, at = 0;
        while (at < given.size() && at < index.size() && given[at] == index[at]) line += given[at++] == '\n';
        fail("acts/index.tsv",
             i18n::Text("differs from the index regenerated from entries.bin, from line {} on", line));
      }
    }
    // Files of acts/ that name an entry the bundle lacks reveal a removal.
    for (const auto& [path, file] : files_) {
      if (!path.starts_with("acts/") || file.status != FileStatus::unchecked || path == "acts/index.tsv") continue;
      const std::string name = path.substr(5);
      const auto dot = name.find('.');
      const std::string digits = name.substr(0, dot);
      const std::string rest = dot == std::string::npos ? "" : name.substr(dot);
      if (digits.empty() || digits.size() > 19 || (digits.size() > 1 && digits[0] == '0') ||
          !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        continue;  // not a name export writes (acts/5.body, never acts/0005.body): stays unchecked
      if (rest != ".body" && rest != ".person.p7s" && rest != ".organisation.p7s") continue;
      const std::uint64_t seq = std::stoull(digits);
      if (!by_seq_.contains(seq))
        fail(path, i18n::Text("names entry {}, which entries.bin lacks (removed?)", seq), seq);
      else
        fail(path, i18n::Text("entry {} has no such signature", seq), seq);
    }
  }

  void check_p7s(const Item& it, const SignatureRecord& s) {
    const std::uint64_t seq = it.entry->seq;
    const std::string path = fmt::format("acts/{}.{}.p7s", seq, role_name(s.role));
    auto p7s = required(
        path, i18n::Text("the bundle has acts/, and entry {} is signed by the {}", seq, role_text(s.role)), seq);
    if (!p7s) return;
    auto parts = signing::cms_parse(*p7s);
    if (!parts) return fail(path, text_of(parts.error()), seq);
    if (parts->without_certificates != s.cms)
      return fail(path,
                  i18n::Text("does not carry entry {}'s {} signature (without its certificates it differs from "
                             "the CMS in entries.bin)",
                             seq, role_text(s.role)),
                  seq);
    // The certificates it carries: the signer's chain without the root, as verified. (When the entry's signatures
    // did not verify, that failure is reported with the entry, and only the signer's certificate is required here.)
    std::set<Digest> carried, chain{s.signer};
    for (const Bytes& der : parts->certificates) carried.insert(sha256(der));
    for (const CheckedSignature& c : it.signatures)
      if (c.role == s.role)
        for (std::size_t i = 0; i + 1 < c.verified.chain.size(); ++i) chain.insert(c.verified.chain[i]);
    if (it.signatures.empty() ? !carried.contains(s.signer) : carried != chain)
      return fail(path,
                  i18n::Text("its certificates are not the {} signer's chain (without the root)", role_text(s.role)),
                  seq);
    mark(path, FileStatus::checked,
         i18n::Text("carries entry {}'s {} signature with its signer's chain", seq, role_text(s.role)));
  }

  // FORMAT.md and the schema: documentation, compared with this antq's own copies.
  void check_copies() {
    for (const auto& [path, ours] : {std::pair<std::string, const char*>{"FORMAT.md", kFormatText},
                                     std::pair<std::string, const char*>{"schema/antq.capnp", kSchemaText}}) {
      auto text = required(path, i18n::Text("export writes it"));
      if (!text) continue;
      if (as_text(*text) == ours)
        mark(path, FileStatus::checked, i18n::Text("equals this antq's copy"));
      else
        mark(path, FileStatus::unchecked,
             i18n::Text("differs from this antq's copy (another version of antq, or edited)"));
    }
  }

  void check_profile() {
    if (!present("profile.json")) return;
    auto text = read_regular(dir_ / "profile.json", kMaxTextFileBytes);
    if (!text)
      return fail("profile.json", i18n::Text("not a regular file (a symlink or a special file), larger than {} bytes, "
                                             "or unreadable",
                                             kMaxTextFileBytes));
    const Digest digest = sha256(*text);
    for (const Item& it : items_)
      if (it.act && it.entry && it.act->act == "profile.adopted" && !it.failure)
        for (const auto& a : it.act->attachments)
          if (a.sha256 == digest)
            return mark("profile.json", FileStatus::checked,
                        i18n::Text("the profile file adopted by entry {}", it.entry->seq));
    mark("profile.json", FileStatus::unchecked,
         i18n::Text(
             "the rule profile given at init is kept beside the log, not in it: nothing in the bundle proves it"));
  }

  // README.txt tells people which commands to run: it must be exactly what export writes for these checked facts.
  void check_readme() {
    auto text = required("README.txt", i18n::Text("export writes it"));
    if (!text) return;
    if (!cp_)
      return mark("README.txt", FileStatus::unchecked, i18n::Text("not compared: the checkpoint did not verify"));
    std::map<Digest, std::uint64_t> disposed;
    for (const Item& it : items_)
      if (it.act && it.entry) note_disposals(*it.act, it.entry->seq, disposed);
    const std::string expected = bundle_readme({cp_->origin, items_.size(), cp_->size, subject_, explode_, disposed});
    if (as_text(*text) == expected)
      mark("README.txt", FileStatus::checked, i18n::Text("exactly what export writes for this bundle"));
    else
      fail("README.txt",
           i18n::Text("differs from what export writes for this bundle (it tells people which commands to run)"));
  }

  // ---- the result ----

  Result<BundleReport> finish() {
    // A certificate is checked when it hashes to its name and an entry names it or a verified chain runs through it.
    for (const auto& [fp, der] : certs_) {
      const std::string path = "certs/" + to_hex(fp) + ".der";
      if (auto n = named_certs_.find(fp); n != named_certs_.end())
        mark(path, FileStatus::checked, i18n::Text("hashes to its name; signer of entry {}", n->second));
      else if (chain_certs_.contains(fp))
        mark(path, FileStatus::checked, i18n::Text("hashes to its name; in a verified signature's chain"));
      else if (ca_certs_.contains(fp))
        mark(path, FileStatus::unchecked, i18n::Text("a CA certificate that no verified signature's chain uses"));
      else  // export writes a signer's certificate only for the entries it holds
        fail(path, i18n::Text("a signer's certificate that no entry of the bundle names (an entry removed?)"));
    }
    report_.operator_anchored = anchors_.operator_key.has_value() || anchors_.checkpoint.has_value();
    report_.trust_anchored = anchors_.trust.has_value();
    for (auto& [path, file] : files_) report_.files.push_back(std::move(file));
    // The bundle's own failures first (its checkpoint, its operator key, entries.bin's framing: the ones that decide
    // the rest), then the entries' in seq order.
    std::stable_sort(report_.verify.failures.begin(), report_.verify.failures.end(), [](const auto& a, const auto& b) {
      if (a.seq.has_value() != b.seq.has_value()) return !a.seq.has_value();
      return a.seq.value_or(0) < b.seq.value_or(0);
    });
    report_.whole_log = !present("proofs.json");
    report_.subject = subject_;
    if (cp_) report_.tree_size = cp_->size;
    return std::move(report_);
  }

  struct Proof {
    Digest leaf{};
    std::vector<Digest> path;
  };

  const fs::path dir_;
  const BundleAnchors& anchors_;
  BundleReport report_;
  std::map<std::string, BundleFile> files_;  // by path

  std::optional<VerifierKey> key_;  // the operator key in use
  i18n::Text key_source_;           // where it came from, for messages
  std::optional<Checkpoint> cp_;    // the bundle's checkpoint, once verified
  std::optional<Checkpoint> kept_;  // --checkpoint, once verified

  signing::Verifier verifier_;
  std::optional<TrustHistory> trust_history_;  // load_trust_changes
  std::map<Digest, Bytes> certs_;                // certs/ files that hash to their names
  std::map<Digest, std::uint64_t> named_certs_;  // signer fingerprint -> first entry naming it
  std::set<Digest> chain_certs_;                 // every certificate of a verified chain
  std::set<Digest> ca_certs_;                    // certs/ files that are CA certificates

  Bytes bin_;  // entries.bin; items_ view into it
  std::vector<Item> items_;
  std::map<std::uint64_t, std::size_t> by_seq_;  // seq -> index in items_

  std::optional<std::string> subject_;  // proofs.json's subject: a --subject bundle
  std::uint64_t proofs_size_ = 0;
  std::map<std::uint64_t, Proof> proofs_;
  std::optional<std::set<Digest>> subject_attachments_;
  bool explode_ = false;
};

}  // namespace

Result<BundleReport> verify_bundle(const fs::path& dir, const BundleAnchors& anchors, const Progress& progress) {
  return BundleCheck(dir, anchors).run(progress);
}

}  // namespace antq::ledger
