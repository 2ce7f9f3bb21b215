// The log as C2SP tlog-tiles (tiles.hpp, FORMAT.md §13).
#include "ledger/tiles.hpp"

#include <set>

#include <fmt/format.h>

#include "ledger/act.hpp"
#include "ledger/event.hpp"
#include "ledger/merkle.hpp"
#include "ledger/output_directory.hpp"
#include "signing/signing.hpp"

namespace antq::ledger::tiles {
namespace {

constexpr const char* kText = "text/plain; charset=utf-8";
constexpr const char* kOctets = "application/octet-stream";

// size / 256^level, 0 once 256^level exceeds every uint64.
std::uint64_t shifted(std::uint64_t size, unsigned level) {
  return level * kTileHeight < 64 ? size >> (level * kTileHeight) : 0;
}

std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> out;
  while (true) {
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return out;
    path.remove_prefix(slash + 1);
  }
}

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

// A decimal with no leading zero (or "0"), at most `max`.
std::optional<unsigned> small_decimal(std::string_view s, unsigned max) {
  if (!all_digits(s) || s.size() > 3 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  unsigned v = 0;
  for (char c : s) v = v * 10 + static_cast<unsigned>(c - '0');
  if (v > max) return std::nullopt;
  return v;
}

// <N>[.p/<W>] from the path's remaining segments; the canonical spelling only.
bool parse_index(std::vector<std::string_view> groups, Tile& tile) {
  if (groups.size() >= 2) {
    std::string_view& before = groups[groups.size() - 2];
    if (before.size() == 5 && before.ends_with(".p")) {
      auto w = small_decimal(groups.back(), kTileWidth - 1);
      if (!w || *w == 0) return false;
      tile.width = *w;
      before.remove_suffix(2);
      groups.pop_back();
    }
  }
  if (groups.empty() || groups.size() > 7) return false;  // 7 groups hold every uint64
  std::uint64_t index = 0;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    std::string_view g = groups[i];
    const bool last = i + 1 == groups.size();
    if (!last) {
      if (g.size() != 4 || g[0] != 'x') return false;
      g.remove_prefix(1);
    }
    if (g.size() != 3 || !all_digits(g)) return false;
    const unsigned v = static_cast<unsigned>((g[0] - '0') * 100 + (g[1] - '0') * 10 + (g[2] - '0'));
    if (i == 0 && !last && v == 0) return false;  // a leading zero group: not canonical
    if (index > (UINT64_MAX - v) / 1000) return false;
    index = index * 1000 + v;
  }
  tile.index = index;
  return true;
}

std::optional<Digest> lower_hex_digest(std::string_view hex) {
  auto d = digest_from_hex(hex);
  if (!d || to_hex(*d) != hex) return std::nullopt;
  return d;
}

Digest tile_root(std::vector<Digest> hashes) {  // REQUIRES: a power of two of them
  while (hashes.size() > 1) {
    for (std::size_t i = 0; i < hashes.size() / 2; ++i) hashes[i] = node_hash(hashes[2 * i], hashes[2 * i + 1]);
    hashes.resize(hashes.size() / 2);
  }
  return hashes.front();
}

Served served_text(std::string body, const char* type, bool immutable) {
  return Served{Bytes(body.begin(), body.end()), type, immutable};
}

}  // namespace

std::string index_path(std::uint64_t index) {
  std::string out = fmt::format("{:03}", index % 1000);
  for (index /= 1000; index > 0; index /= 1000) out = fmt::format("x{:03}/", index % 1000) + out;
  return out;
}

std::string tile_path(const Tile& t) {
  std::string p = t.entries ? (t.long_form ? "antq/entries/" : "tile/entries/") : fmt::format("tile/{}/", t.level);
  p += index_path(t.index);
  if (t.partial()) p += fmt::format(".p/{}", t.width);
  return p;
}

std::optional<Resource> parse_path(std::string_view path) {
  using Kind = Resource::Kind;
  if (path == "checkpoint") return Resource{Kind::checkpoint, {}, {}};
  if (path == "trust.pem") return Resource{Kind::trust, {}, {}};
  if (path == "intermediates.pem") return Resource{Kind::intermediates, {}, {}};
  if (path == "profile.json") return Resource{Kind::profile, {}, {}};
  auto segs = split(path);
  for (auto s : segs)
    if (s.empty()) return std::nullopt;
  if (segs.size() == 2 && segs[0] == "certs" && segs[1].ends_with(".der")) {
    auto d = lower_hex_digest(segs[1].substr(0, segs[1].size() - 4));
    if (!d) return std::nullopt;
    return Resource{Kind::certificate, {}, *d};
  }
  if (segs.size() == 2 && segs[0] == "attachments") {
    auto d = lower_hex_digest(segs[1]);
    if (!d) return std::nullopt;
    return Resource{Kind::attachment, {}, *d};
  }
  if (segs.size() < 3) return std::nullopt;
  Resource r{Kind::tile, {}, {}};
  if ((segs[0] == "tile" || segs[0] == "antq") && segs[1] == "entries") {
    r.tile.entries = true;
    r.tile.long_form = segs[0] == "antq";
  } else if (segs[0] == "tile") {
    auto level = small_decimal(segs[1], kMaxLevel);
    if (!level) return std::nullopt;
    r.tile.level = *level;
  } else {
    return std::nullopt;
  }
  if (!parse_index({segs.begin() + 2, segs.end()}, r.tile)) return std::nullopt;
  return r;
}

std::optional<Digest> named_digest(std::string_view path, Resource::Kind kind) {
  auto r = parse_path(path);
  if (!r || r->kind != kind) return std::nullopt;
  return r->digest;
}

std::string resource_path(const Resource& r) {
  using Kind = Resource::Kind;
  switch (r.kind) {
    case Kind::checkpoint: return "checkpoint";
    case Kind::trust: return "trust.pem";
    case Kind::intermediates: return "intermediates.pem";
    case Kind::profile: return "profile.json";
    case Kind::certificate: return "certs/" + to_hex(r.digest) + ".der";
    case Kind::attachment: return "attachments/" + to_hex(r.digest);
    case Kind::tile: return tile_path(r.tile);
  }
  return {};
}

std::uint64_t full_tiles(unsigned level, std::uint64_t size) { return shifted(size, level + 1); }

unsigned partial_width(unsigned level, std::uint64_t size) {
  return static_cast<unsigned>(shifted(size, level) % kTileWidth);
}

unsigned tile_levels(std::uint64_t size) {
  unsigned n = 0;
  while (n <= kMaxLevel && shifted(size, n) > 0) ++n;
  return n;
}

void for_each_tile(std::uint64_t size, std::uint64_t from, const std::function<void(const Tile&)>& fn) {
  const unsigned levels = tile_levels(size);
  for (unsigned l = 0; l <= levels; ++l) {
    const bool entries = l == levels;  // the entry bundles last, laid out as level 0
    const unsigned level = entries ? 0 : l;
    if (entries && size == 0) break;
    Tile t;
    t.entries = entries;
    t.level = level;
    for (t.index = full_tiles(level, from); t.index < full_tiles(level, size); ++t.index) fn(t);
    if (const unsigned w = partial_width(level, size); w > 0) {
      t.index = full_tiles(level, size);
      t.width = w;
      fn(t);
    }
  }
}

Bytes hash_tile(const Tile& tile, const NodesReader& nodes) {
  Bytes out;
  out.reserve(tile.width * kHashBytes);
  for (const Digest& d : nodes(tile.level * kTileHeight, tile.index * kTileWidth, tile.width))
    out.insert(out.end(), d.begin(), d.end());
  return out;
}

std::optional<Bytes> entry_bundle(const std::vector<ByteView>& entries, bool long_form) {
  Bytes out;
  for (ByteView e : entries) {
    if (!long_form && e.size() > kMaxShortEntryBytes) return std::nullopt;
    const std::uint64_t n = e.size();
    if (long_form) {
      out.push_back(static_cast<std::uint8_t>(n >> 24));
      out.push_back(static_cast<std::uint8_t>(n >> 16));
    }
    out.push_back(static_cast<std::uint8_t>(n >> 8));
    out.push_back(static_cast<std::uint8_t>(n));
    out.insert(out.end(), e.begin(), e.end());
  }
  return out;
}

Result<std::vector<ByteView>> split_entry_bundle(ByteView bundle, unsigned width, bool long_form,
                                                 std::string_view what) {
  std::vector<ByteView> out;
  const std::size_t prefix = long_form ? 4 : 2;
  std::size_t at = 0;
  while (at < bundle.size()) {
    if (out.size() == width)
      return bad_input(i18n::Text("{}: {} bytes after its {} entries", what, bundle.size() - at, width));
    if (bundle.size() - at < prefix)
      return bad_input(i18n::Text("{}: entry {} is cut short in its length", what, out.size()));
    std::uint64_t n = 0;
    for (std::size_t i = 0; i < prefix; ++i) n = n << 8 | bundle[at + i];
    at += prefix;
    if (n == 0) return bad_input(i18n::Text("{}: entry {} is empty", what, out.size()));
    if (n > bundle.size() - at)
      return bad_input(i18n::Text("{}: entry {} says {} bytes, {} are left", what, out.size(), n, bundle.size() - at));
    out.push_back(bundle.subspan(at, n));
    at += n;
  }
  if (out.size() != width) return bad_input(i18n::Text("{}: {} entries, {} expected", what, out.size(), width));
  return out;
}

Status TileBuilder::add(const Digest& leaf) {
  ++size_;
  Digest carry = leaf;
  for (unsigned l = 0;; ++l) {
    if (levels_.size() <= l) {
      levels_.emplace_back();
      full_.push_back(0);
    }
    levels_[l].push_back(carry);
    if (levels_[l].size() < kTileWidth) return {};
    Bytes bytes;
    bytes.reserve(kFullTileBytes);
    for (const Digest& d : levels_[l]) bytes.insert(bytes.end(), d.begin(), d.end());
    Tile t;
    t.level = l;
    t.index = full_[l]++;
    if (auto s = sink_(t, bytes); !s) return s;
    carry = tile_root(std::move(levels_[l]));
    levels_[l].clear();
  }
}

Status TileBuilder::finish() {
  for (unsigned l = 0; l < levels_.size(); ++l) {
    if (levels_[l].empty()) continue;
    Bytes bytes;
    for (const Digest& d : levels_[l]) bytes.insert(bytes.end(), d.begin(), d.end());
    Tile t;
    t.level = l;
    t.index = full_[l];
    t.width = static_cast<unsigned>(levels_[l].size());
    if (auto s = sink_(t, bytes); !s) return s;
  }
  return {};
}

Result<Snapshot> current_snapshot(const Ledger& ledger) {
  auto key = parse_verifier_key(ledger.info().verifier_key);
  if (!key) return std::unexpected(key.error());
  std::string note = ledger.checkpoint();
  auto cp = open_checkpoint(note, *key);
  if (!cp) return corruption(i18n::Text("the ledger's checkpoint does not verify: {}", text_of(cp.error())));
  return Snapshot{std::move(note), std::move(*cp)};
}

Result<std::optional<Served>> serve(const Ledger& ledger, const Snapshot& snapshot, std::string_view path) {
  using Kind = Resource::Kind;
  auto r = parse_path(path);
  if (!r) return std::nullopt;
  const std::uint64_t size = snapshot.checkpoint.size;
  switch (r->kind) {
    case Kind::checkpoint:
      return served_text(snapshot.note, kText, false);
    case Kind::trust: {
      std::string pem;
      for (const auto& der : ledger.trust_roots()) pem += signing::certificate_to_pem(der);
      return served_text(pem, kText, false);
    }
    case Kind::intermediates: {
      std::string pem;
      for (const auto& der : ledger.intermediates()) pem += signing::certificate_to_pem(der);
      return served_text(pem, kText, false);
    }
    case Kind::profile: {
      const auto& digest = ledger.info().profile_document;
      if (!digest) return std::nullopt;
      auto bytes = ledger.attachment(*digest);
      if (!bytes) return std::nullopt;
      return Served{std::move(*bytes), "application/json", false};
    }
    case Kind::certificate: {
      auto der = ledger.certificate(r->digest);
      if (!der) return std::nullopt;
      return Served{std::move(*der), "application/pkix-cert", true};
    }
    case Kind::attachment: {
      auto bytes = ledger.attachment(r->digest);
      if (!bytes) return std::nullopt;
      return Served{std::move(*bytes), kOctets, false};
    }
    case Kind::tile:
      break;
  }
  const Tile& t = r->tile;
  const unsigned level = t.entries ? 0 : t.level;
  const std::uint64_t full = full_tiles(level, size);
  if (t.partial() ? (t.index != full || t.width > partial_width(level, size)) : t.index >= full) return std::nullopt;
  if (!t.entries)
    return Served{hash_tile(t, [&](unsigned l, std::uint64_t from, std::uint64_t count) {
                    return ledger.nodes(l, from, count);
                  }),
                  kOctets, !t.partial()};
  std::vector<Bytes> held;
  const std::uint64_t first = t.index * kTileWidth;
  Status s = ledger.for_each_entry(first, first + t.width, [&](std::uint64_t, ByteView bytes) -> Status {
    held.emplace_back(bytes.begin(), bytes.end());
    return {};
  });
  if (!s) return std::unexpected(s.error());
  if (held.size() != t.width)
    return corruption(i18n::Text("the ledger holds {} of the entries {} to {} its checkpoint covers", held.size(),
                                 first, first + t.width - 1));
  std::vector<ByteView> views(held.begin(), held.end());
  auto bundle = entry_bundle(views, t.long_form);
  // Each bundle has one form: the specification's while its entries fit, antq/entries/ when one does not.
  if (!bundle || (t.long_form && entry_bundle(views, false))) return std::nullopt;
  return Served{std::move(*bundle), kOctets, !t.partial()};
}

Result<std::optional<Served>> serve(const Ledger& ledger, std::string_view path) {
  auto snapshot = current_snapshot(ledger);
  if (!snapshot) return std::unexpected(snapshot.error());
  return serve(ledger, *snapshot, path);
}

namespace {

// Writes every resource of the layout into `dir` through serve().
Result<TilesSummary> write_tiles(const Ledger& ledger, const Snapshot& snapshot, OutputDirectory& dir,
                                 const Progress& progress) {
  TilesSummary summary;
  summary.size = snapshot.checkpoint.size;
  std::set<std::string, std::less<>> made;
  auto make_parents = [&](const std::string& path) -> Status {
    for (auto slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1)) {
      std::string parent = path.substr(0, slash);
      if (made.insert(parent).second)
        if (auto s = dir.make_subdirectory(parent); !s) return s;
    }
    return {};
  };
  // Writes the resource at `path`; false when there is none.
  auto put = [&](const std::string& path) -> Result<bool> {
    auto served = serve(ledger, snapshot, path);
    if (!served) return std::unexpected(served.error());
    if (!*served) return false;
    if (auto s = make_parents(path); !s) return std::unexpected(s.error());
    if (auto s = dir.write_file(path, (*served)->body); !s) return std::unexpected(s.error());
    return true;
  };
  auto must_put = [&](const std::string& path) -> Status {
    auto put_it = put(path);
    if (!put_it) return std::unexpected(put_it.error());
    if (!*put_it) return corruption(i18n::Text("the ledger cannot give {} of its checkpoint's tree", path));
    return {};
  };

  Status status;
  std::uint64_t done = 0, total = 0;
  for_each_tile(summary.size, 0, [&](const Tile&) { ++total; });
  for_each_tile(summary.size, 0, [&](const Tile& t) {
    if (!status) return;
    if (progress && done % 256 == 0) progress(done, total);
    ++done;
    if (!t.entries) {
      status = must_put(tile_path(t));
      ++summary.tiles;
      return;
    }
    auto spec = put(tile_path(t));
    if (!spec) {
      status = std::unexpected(spec.error());
      return;
    }
    if (!*spec) {
      Tile long_form = t;
      long_form.long_form = true;
      status = must_put(tile_path(long_form));
      ++summary.long_bundles;
    }
    ++summary.bundles;
  });
  if (!status) return std::unexpected(status.error());

  // What a mirror needs beside the log to keep a copy `antq verify-bundle` accepts: the certificates the
  // signatures name, the documents the entries name (those still held), the anchors and intermediates.
  std::set<Digest> certs, documents;
  status = ledger.for_each_entry(0, summary.size, [&](std::uint64_t seq, ByteView bytes) -> Status {
    auto entry = decode_entry(bytes);
    if (!entry) return corruption(i18n::Text("entry {}: {}", seq, text_of(entry.error())));
    auto act = decode_body(entry->event.body);
    if (!act) return corruption(i18n::Text("entry {}: {}", seq, text_of(act.error())));
    for (const auto& s : entry->event.signatures) certs.insert(s.signer);
    for (const auto& a : act->attachments) documents.insert(a.sha256);
    return {};
  });
  for (const auto& der : ledger.intermediates()) certs.insert(sha256(der));
  for (auto it = certs.begin(); status && it != certs.end(); ++it) {
    status = must_put(resource_path({Resource::Kind::certificate, {}, *it}));
    ++summary.certificates;
  }
  for (auto it = documents.begin(); status && it != documents.end(); ++it) {
    auto written = put(resource_path({Resource::Kind::attachment, {}, *it}));  // absent once disposed of
    if (!written) status = std::unexpected(written.error());
    else if (*written) ++summary.attachments;
  }
  for (const char* path : {"trust.pem", "intermediates.pem"})
    if (status) status = must_put(path);
  if (status) {
    auto profile = put("profile.json");
    if (!profile) status = std::unexpected(profile.error());
  }
  // The checkpoint last: a reader that finds it finds everything it covers.
  if (status) status = must_put("checkpoint");
  if (!status) return std::unexpected(status.error());
  if (progress) progress(total, total);
  return summary;
}

}  // namespace

Result<TilesSummary> export_tiles(const Ledger& ledger, const std::filesystem::path& out, const Progress& progress) {
  auto snapshot = current_snapshot(ledger);
  if (!snapshot) return std::unexpected(snapshot.error());
  auto dir = OutputDirectory::create(out, N_("export creates the tiles directory itself"));
  if (!dir) return std::unexpected(dir.error());
  auto summary = write_tiles(ledger, *snapshot, *dir, progress);
  if (!summary) dir->remove();
  return summary;
}

}  // namespace antq::ledger::tiles
