// The log as C2SP tlog-tiles (c2sp.org/tlog-tiles): static resources any HTTP cache, CDN or object store can hold
// and serve, from which anybody can recompute every root and proof of the log. FORMAT.md §13 documents the layout.
//
//   checkpoint                       the signed checkpoint note (FORMAT.md §5) of the size served
//   tile/<L>/<N>[.p/<W>]             hash tiles: hash i of tile N at level L is the root of the perfect subtree over
//                                    leaves [(N * 256 + i) * 256^L, (N * 256 + i + 1) * 256^L): our perfect node
//                                    (level 8L, index N * 256 + i) (merkle.hpp); level 0 holds the leaf hashes
//   tile/entries/<N>[.p/<W>]         entry bundles: entries N * 256 ... N * 256 + W - 1, each a big-endian uint16
//                                    length and the entry bytes (FORMAT.md §3)
//
// N is written in 3-digit groups, every group but the last prefixed by 'x' (1234067: x001/x234/067); W (1 to 255)
// only on the right edge of the tree, where fewer than 256 hashes or entries exist (a partial tile). Beside these,
// antq's own resources, which the specification leaves to the log (a mirror needs them to keep a copy that
// `antq verify-bundle` accepts; their names are those of a bundle, FORMAT.md §7):
//
//   antq/entries/<N>[.p/<W>]         the entries of an entry bundle that holds an entry longer than 65535 bytes,
//                                    which a uint16 cannot prefix: each a big-endian uint32 length and the bytes.
//                                    tile/entries/<N>... is then absent (the specification: entries in another
//                                    encoding are served at another URL)
//   certs/<sha256 hex>.der           a certificate of the ledger's store (DER), content-addressed
//   attachments/<sha256 hex>         a document the ledger holds, content-addressed (absent once disposed of)
//   trust.pem                        the ledger's trust anchors (PEM), as a bundle's trust.pem
//   intermediates.pem                the ledger's intermediate certificates (PEM), which no entry names
//   profile.json                     the rule profile stored at `antq init` (absent for ledgers that stored none)
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/checkpoint.hpp"
#include "ledger/ledger.hpp"
#include "signing/digest.hpp"
#include "signing/result.hpp"

namespace antq::ledger::tiles {

inline constexpr unsigned kTileHeight = 8;
inline constexpr unsigned kTileWidth = 256;        // hashes (or entries) in a full tile
inline constexpr unsigned kMaxLevel = 63;          // the specification's largest <L>
inline constexpr std::size_t kHashBytes = 32;
inline constexpr std::size_t kFullTileBytes = kTileWidth * kHashBytes;  // 8192
inline constexpr std::size_t kMaxShortEntryBytes = 0xFFFF;              // what a uint16 length can say

// A tile: a hash tile (level 0 to 63) or an entry bundle (`entries`; in the antq/entries form when `long_form`).
struct Tile {
  bool entries = false;
  bool long_form = false;         // entries only: antq/entries/..., uint32 lengths
  unsigned level = 0;             // hash tiles only
  std::uint64_t index = 0;
  unsigned width = kTileWidth;    // 1 to 256; 256 is a full tile (no .p/<W>)
  bool partial() const { return width < kTileWidth; }
  bool operator==(const Tile&) const = default;
};

// "x001/x234/067" for 1234067; "000" for 0.
std::string index_path(std::uint64_t index);
// "tile/0/x001/x234/067.p/5", "tile/entries/000", "antq/entries/001".
std::string tile_path(const Tile& tile);

// A resource of the layout, as a request path names it (relative: no leading '/').
struct Resource {
  enum class Kind { checkpoint, tile, certificate, attachment, trust, intermediates, profile };
  Kind kind = Kind::checkpoint;
  Tile tile;                      // Kind::tile
  Digest digest{};                // Kind::certificate, Kind::attachment
};
// Parses a path of the layout. Only the canonical spelling is accepted (no leading zeros in L or W, three digits
// in every group of N, 'x' on every group but the last, no group "x000" leading N, W from 1 to 255, lower-case
// hex digests, no "." / ".." / empty segments, no query): nullopt otherwise, so that each resource has one name.
std::optional<Resource> parse_path(std::string_view path);
std::string resource_path(const Resource& resource);
// The digest a file's name gives when `path` is that of a `kind` (certificate or attachment) as parse_path reads it
// ("certs/<sha256>.der", "attachments/<sha256>"): nullopt for any other path or spelling.
std::optional<Digest> named_digest(std::string_view path, Resource::Kind kind);

// The tile math for a tree of `size` leaves.
// Full tiles at `level`: floor(size / 256^(level + 1)).
std::uint64_t full_tiles(unsigned level, std::uint64_t size);
// The width of the partial tile at `level` (0: none): floor(size / 256^level) mod 256.
unsigned partial_width(unsigned level, std::uint64_t size);
// The number of levels that have any tile (full or partial): 0 for the empty tree.
unsigned tile_levels(std::uint64_t size);
// Every tile of the tree of `size` leaves, hash tiles level by level (full tiles in order, then the partial one),
// then the entry bundles; `from` skips the tiles whose leaves all lie below it (for a mirror holding `from`
// leaves already: the tiles it lacks). Entry bundles come in the spec form; the caller picks the long form.
void for_each_tile(std::uint64_t size, std::uint64_t from, const std::function<void(const Tile&)>& fn);

// Reads `count` consecutive perfect nodes of one level (Ledger::nodes).
using NodesReader = std::function<std::vector<Digest>(unsigned level, std::uint64_t from, std::uint64_t count)>;
// The content of hash tile `tile`: its hashes concatenated.
Bytes hash_tile(const Tile& tile, const NodesReader& nodes);
// An entry bundle of `entries`: nullopt in the spec form when one is longer than 65535 bytes.
std::optional<Bytes> entry_bundle(const std::vector<ByteView>& entries, bool long_form);
// Splits an entry bundle that must hold `width` entries; bad_input (naming `what`) when it does not hold exactly
// that many well-formed entries (a length running past the end, bytes left over, an empty entry).
Result<std::vector<ByteView>> split_entry_bundle(ByteView bundle, unsigned width, bool long_form, std::string_view what);

// Recomputes the tiles from leaf hashes in order: `tile(t, bytes)` sees each full hash tile as it completes, and
// finish() hands over the partial tiles of the size reached (hash tiles only; the caller makes entry bundles).
class TileBuilder {
 public:
  using Sink = std::function<Status(const Tile&, ByteView)>;
  explicit TileBuilder(Sink sink) : sink_(std::move(sink)) {}
  Status add(const Digest& leaf);
  Status finish();
  std::uint64_t size() const { return size_; }

 private:
  Sink sink_;
  std::uint64_t size_ = 0;
  std::vector<std::vector<Digest>> levels_;  // the hashes of the unfinished tile at each level
  std::vector<std::uint64_t> full_;          // full tiles handed over at each level
};

// What a resource is served as.
struct Served {
  Bytes body;
  std::string content_type;  // "text/plain; charset=utf-8" (checkpoint, trust.pem, ...) or "application/octet-stream"
  // Full tiles and entry bundles, certificates: never change (Cache-Control: public, max-age=31536000, immutable).
  // The checkpoint, partial tiles, trust.pem, intermediates.pem, profile.json and attachments (a disposal removes
  // one) may change or go: a short cache at most.
  bool immutable = false;
};

// The log at one checkpoint: what every resource is computed from.
struct Snapshot {
  std::string note;           // the signed checkpoint note
  Checkpoint checkpoint;      // its size and root
};
// The ledger's current checkpoint, opened with its own verifier key (corruption when it does not verify).
Result<Snapshot> current_snapshot(const Ledger& ledger);

// The one function the server and `antq export --tiles` call: the resource at `path` (relative, as parse_path
// takes it) of the log at `snapshot`, or nullopt when there is none (not a path of the layout, a tile the tree of
// that size does not have, a partial tile other than those of the right edge of that size, an entry bundle held
// in the other form, a certificate or document the ledger does not hold). Partial tiles: any width up to that of
// the snapshot's right edge, while the full tile is not complete (a client whose checkpoint is a little older
// still finds its tiles). corruption when the ledger cannot give what its checkpoint covers.
Result<std::optional<Served>> serve(const Ledger& ledger, const Snapshot& snapshot, std::string_view path);
// The same at the ledger's current checkpoint.
Result<std::optional<Served>> serve(const Ledger& ledger, std::string_view path);

struct TilesSummary {
  std::uint64_t size = 0;
  std::uint64_t tiles = 0;          // hash tiles written
  std::uint64_t bundles = 0;        // entry bundles written (both forms)
  std::uint64_t long_bundles = 0;   // of those, in the antq/entries form
  std::uint64_t certificates = 0;
  std::uint64_t attachments = 0;
};
// `antq export --tiles OUT`: every resource of the layout at the ledger's current checkpoint, as static files
// (OUT is created as a bundle's directory is, output_directory.hpp; on error everything written is removed). The
// bytes of each are what serve() gives.
Result<TilesSummary> export_tiles(const Ledger& ledger, const std::filesystem::path& out, const Progress& progress = {});

}  // namespace antq::ledger::tiles
