#include "ledger/tiles.hpp"

#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "ledger/merkle.hpp"
#include "support.hpp"

namespace antq::ledger::tiles {
namespace {

using test::make_act;
using test::TestLedger;

// RFC 9162 §2.1.1 written out again here, from SHA-256 alone (not merkle.cpp): the tree hash of already hashed
// leaves, split at the largest power of two smaller than their number.
Digest mth(const std::vector<Digest>& leaves, std::size_t from, std::size_t to) {
  if (to - from == 1) return leaves[from];
  std::size_t k = 1;
  while (k * 2 < to - from) k *= 2;
  const Digest left = mth(leaves, from, from + k), right = mth(leaves, from + k, to);
  const std::uint8_t one = 1;
  return sha256({ByteView(&one, 1), left, right});
}

Digest rfc_leaf(ByteView entry) {
  const std::uint8_t zero = 0;
  return sha256({ByteView(&zero, 1), entry});
}

// What tile `t` must hold per the specification: hash i is MTH(D[(n * 256 + i) * 256^l : (n * 256 + i + 1) * 256^l]).
Bytes expected_tile(const Tile& t, const std::vector<Digest>& leaves) {
  Bytes out;
  const std::size_t span = std::size_t{1} << (8 * t.level);
  for (std::size_t i = 0; i < t.width; ++i) {
    const std::size_t first = (t.index * 256 + i) * span;
    const Digest d = mth(leaves, first, first + span);
    out.insert(out.end(), d.begin(), d.end());
  }
  return out;
}

TEST_CASE("Tile indexes are written in 3-digit groups, all but the last prefixed by x", "[tiles]") {
  CHECK(index_path(0) == "000");
  CHECK(index_path(7) == "007");
  CHECK(index_path(999) == "999");
  CHECK(index_path(1000) == "x001/000");
  CHECK(index_path(1234067) == "x001/x234/067");  // the specification's example
  CHECK(index_path(UINT64_MAX) == "x018/x446/x744/x073/x709/x551/615");
  CHECK(tile_path({false, false, 0, 1234067, 256}) == "tile/0/x001/x234/067");
  CHECK(tile_path({false, false, 2, 5, 17}) == "tile/2/005.p/17");
  CHECK(tile_path({true, false, 0, 273, 112}) == "tile/entries/273.p/112");
  CHECK(tile_path({true, true, 0, 1, 256}) == "antq/entries/001");
}

TEST_CASE("Only canonical paths of the layout parse, and they print back the same", "[tiles]") {
  for (const char* path :
       {"checkpoint", "trust.pem", "intermediates.pem", "profile.json", "tile/0/000", "tile/0/001.p/1",
        "tile/0/x001/x234/067", "tile/0/x001/x234/067.p/255", "tile/63/000.p/1", "tile/5/x018/x446/x744/x073/x709/x551/615",
        "tile/entries/000", "tile/entries/x001/000.p/3", "antq/entries/002.p/200",
        "certs/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855.der",
        "attachments/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}) {
    INFO(path);
    auto r = parse_path(path);
    REQUIRE(r);
    CHECK(resource_path(*r) == path);
  }
  auto r = parse_path("tile/3/x001/x234/067.p/5");
  REQUIRE(r);
  CHECK(r->tile == Tile{false, false, 3, 1234067, 5});

  for (const char* path :
       {"", "/checkpoint", "checkpoint/", "tile", "tile/0", "tile/0/", "tile/00/000", "tile/01/000", "tile/64/000",
        "tile/-1/000", "tile/0/0", "tile/0/00", "tile/0/0000", "tile/0/1000", "tile/0/x000/001", "tile/0/001/x002",
        "tile/0/x1/001", "tile/0/X001/000", "tile//0/000", "tile/0//000", "tile/0/000.p", "tile/0/000.p/",
        "tile/0/000.p/0", "tile/0/000.p/256", "tile/0/000.p/01", "tile/0/000.p/1/", "tile/0/000.q/1", "tile/0/000.p/1.p/1",
        "tile/0/x018/x446/x744/x073/x709/x551/616", "tile/0/x001/x001/x001/x001/x001/x001/x001/000",
        "tile/entries/000/", "tile/entries", "antq/0/000", "antq/entries", "tile/0/./000", "tile/0/../000",
        "tile/0/000?x=1", "certs/E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855.der",
        "certs/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "attachments/e3b0c4", "attachments/../checkpoint", "checkpoint.p/1", "tile/0/+01"}) {
    INFO(path);
    CHECK_FALSE(parse_path(path));
  }

  // A file's name as a digest, of the kind asked for only.
  const std::string hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  using Kind = Resource::Kind;
  CHECK(named_digest("certs/" + hex + ".der", Kind::certificate) == digest_from_hex(hex));
  CHECK(named_digest("attachments/" + hex, Kind::attachment) == digest_from_hex(hex));
  CHECK_FALSE(named_digest("certs/" + hex + ".der", Kind::attachment));
  CHECK_FALSE(named_digest("attachments/" + hex, Kind::certificate));
  CHECK_FALSE(named_digest("attachments/" + hex + "/", Kind::attachment));
  CHECK_FALSE(named_digest("../attachments/" + hex, Kind::attachment));
  CHECK_FALSE(named_digest("tile/0/000", Kind::certificate));
}

TEST_CASE("The tile math follows the specification's examples", "[tiles]") {
  // "a tree of size 70,000 will be represented by 273 full level 0 tiles, one partial level 0 tile of width 112,
  // one full level 1 tile, one partial level 1 tile of width 17, and one partial level 2 tile of width 1"
  CHECK(full_tiles(0, 70000) == 273);
  CHECK(partial_width(0, 70000) == 112);
  CHECK(full_tiles(1, 70000) == 1);
  CHECK(partial_width(1, 70000) == 17);
  CHECK(full_tiles(2, 70000) == 0);
  CHECK(partial_width(2, 70000) == 1);
  CHECK(tile_levels(70000) == 3);
  // "a tree of size 256 will be represented by a full level 0 tile and a partial level 1 tile of width 1"
  CHECK(full_tiles(0, 256) == 1);
  CHECK(partial_width(0, 256) == 0);
  CHECK(partial_width(1, 256) == 1);
  CHECK(tile_levels(0) == 0);
  CHECK(tile_levels(UINT64_MAX) == 8);
  CHECK(full_tiles(63, UINT64_MAX) == 0);

  std::vector<std::string> all;
  for_each_tile(70000, 0, [&](const Tile& t) { all.push_back(tile_path(t)); });
  CHECK(all.size() == 273 + 1 + 1 + 1 + 1 + 273 + 1);
  CHECK(std::count(all.begin(), all.end(), "tile/0/272") == 1);
  CHECK(std::count(all.begin(), all.end(), "tile/0/273.p/112") == 1);
  CHECK(std::count(all.begin(), all.end(), "tile/1/000") == 1);
  CHECK(std::count(all.begin(), all.end(), "tile/1/001.p/17") == 1);
  CHECK(std::count(all.begin(), all.end(), "tile/2/000.p/1") == 1);
  CHECK(std::count(all.begin(), all.end(), "tile/entries/273.p/112") == 1);
  // A mirror holding 69,900 leaves lacks the tiles that cover any leaf from 69,900 on, and the new partials.
  std::vector<std::string> lacking;
  for_each_tile(70000, 69900, [&](const Tile& t) { lacking.push_back(tile_path(t)); });
  CHECK(lacking == std::vector<std::string>{"tile/0/273.p/112", "tile/1/001.p/17", "tile/2/000.p/1",
                                            "tile/entries/273.p/112"});
  std::vector<std::string> none;
  for_each_tile(0, 0, [&](const Tile& t) { none.push_back(tile_path(t)); });
  CHECK(none.empty());
}

TEST_CASE("The tiles built from leaves hold the tree hashes the specification names", "[tiles]") {
  for (std::size_t size : {1, 2, 255, 256, 257, 511, 512, 65535, 65536, 70000}) {
    INFO(size);
    std::vector<Digest> leaves;
    for (std::size_t i = 0; i < size; ++i) leaves.push_back(rfc_leaf(as_bytes(fmt::format("entry {}", i))));
    std::map<std::string, Bytes> built;
    TileBuilder builder([&](const Tile& t, ByteView bytes) -> Status {
      CHECK(built.emplace(tile_path(t), Bytes(bytes.begin(), bytes.end())).second);
      return {};
    });
    for (const Digest& leaf : leaves) REQUIRE(builder.add(leaf));
    REQUIRE(builder.finish());
    std::size_t expected = 0;
    for_each_tile(size, 0, [&](const Tile& t) {
      if (t.entries) return;
      ++expected;
      const std::string path = tile_path(t);
      INFO(path);
      REQUIRE(built.contains(path));
      // Large trees: check the first and last hash tiles of each level in full, the rest by their size.
      if (size < 4096 || t.index == 0 || t.partial() || t.level > 0)
        CHECK(built[path] == expected_tile(t, leaves));
      else
        CHECK(built[path].size() == kFullTileBytes);
    });
    CHECK(built.size() == expected);
    // The tiles of the top level, with the partial ones, give the root (RFC 9162 §2.1.1).
    CompactRange range;
    for (const Digest& leaf : leaves) range.append(leaf);
    CHECK(range.root() == mth(leaves, 0, leaves.size()));
  }
}

TEST_CASE("Entry bundles are uint16-prefixed, or uint32 in the long form where an entry does not fit", "[tiles]") {
  const Bytes a{1, 2, 3}, b(300, 7), big(70000, 9);
  auto bundle = entry_bundle({a, b}, false);
  REQUIRE(bundle);
  REQUIRE(bundle->size() == 2 + 3 + 2 + 300);
  CHECK(Bytes(bundle->begin(), bundle->begin() + 7) == Bytes{0, 3, 1, 2, 3, 1, 44});
  CHECK(Bytes(bundle->begin() + 7, bundle->end()) == b);
  CHECK_FALSE(entry_bundle({a, big}, false));
  auto long_bundle = entry_bundle({a, big}, true);
  REQUIRE(long_bundle);
  CHECK(long_bundle->size() == 4 + 3 + 4 + 70000);
  CHECK(Bytes(long_bundle->begin() + 7, long_bundle->begin() + 11) == Bytes{0, 1, 0x11, 0x70});

  auto split = split_entry_bundle(*bundle, 2, false, "b");
  REQUIRE(split);
  CHECK(Bytes((*split)[1].begin(), (*split)[1].end()) == b);
  auto split_long = split_entry_bundle(*long_bundle, 2, true, "b");
  REQUIRE(split_long);
  CHECK((*split_long)[1].size() == 70000);

  auto message = [](const Result<std::vector<ByteView>>& r) { return r ? std::string("accepted") : r.error().message; };
  CHECK(message(split_entry_bundle(*bundle, 3, false, "b")) == "b: 2 entries, 3 expected");
  CHECK(message(split_entry_bundle(*bundle, 1, false, "b")) == "b: 302 bytes after its 1 entries");
  Bytes cut(bundle->begin(), bundle->end() - 1);
  CHECK(message(split_entry_bundle(cut, 2, false, "b")) == "b: entry 1 says 300 bytes, 299 are left");
  CHECK(message(split_entry_bundle(Bytes{0, 3, 1, 2, 3, 0}, 2, false, "b")) == "b: entry 1 is cut short in its length");
  CHECK(message(split_entry_bundle(Bytes{0, 0}, 1, false, "b")) == "b: entry 0 is empty");
}

TEST_CASE("serve gives the checkpoint, every tile and bundle of the tree, and nothing else", "[tiles]") {
  TestLedger t;
  std::vector<Submission> batch;
  for (int i = 0; i < 300; ++i)
    batch.push_back(test::sign(make_act("model.proposed", fmt::format("M-{}", i), "2023-03-15"), t.chair));
  REQUIRE(t.append(batch));
  const std::uint64_t size = t.ledger->size();
  REQUIRE(size == 302);
  std::vector<Digest> leaves;
  std::vector<Bytes> entries;
  for (std::uint64_t i = 0; i < size; ++i) {
    entries.push_back(*t.ledger->entry_bytes(i));
    leaves.push_back(rfc_leaf(entries.back()));
  }
  auto get = [&](std::string_view path) {
    auto served = serve(*t.ledger, path);
    REQUIRE(served);
    return *served;
  };

  auto cp = get("checkpoint");
  REQUIRE(cp);
  CHECK(std::string(cp->body.begin(), cp->body.end()) == t.ledger->checkpoint());
  CHECK(cp->content_type == "text/plain; charset=utf-8");
  CHECK_FALSE(cp->immutable);

  auto full = get("tile/0/000");
  REQUIRE(full);
  CHECK(full->body == expected_tile({false, false, 0, 0, 256}, leaves));
  CHECK(full->immutable);
  CHECK(full->content_type == "application/octet-stream");
  auto partial = get("tile/0/001.p/46");
  REQUIRE(partial);
  CHECK(partial->body == expected_tile({false, false, 0, 1, 46}, leaves));
  CHECK_FALSE(partial->immutable);
  // A narrower partial of the same right edge (a checkpoint a little older), but never a wider one.
  auto older = get("tile/0/001.p/10");
  REQUIRE(older);
  CHECK(older->body == expected_tile({false, false, 0, 1, 10}, leaves));
  CHECK_FALSE(get("tile/0/001.p/47"));
  CHECK_FALSE(get("tile/0/001"));
  CHECK_FALSE(get("tile/0/000.p/5"));  // the full tile exists: its partials are gone
  CHECK_FALSE(get("tile/0/002.p/1"));
  auto level1 = get("tile/1/000.p/1");
  REQUIRE(level1);
  CHECK(level1->body == expected_tile({false, false, 1, 0, 1}, leaves));
  CHECK_FALSE(get("tile/1/000"));
  CHECK_FALSE(get("tile/2/000.p/1"));

  auto bundle = get("tile/entries/001.p/46");
  REQUIRE(bundle);
  CHECK_FALSE(bundle->immutable);
  std::vector<ByteView> tail(entries.begin() + 256, entries.end());
  CHECK(bundle->body == *entry_bundle(tail, false));
  auto first = get("tile/entries/000");
  REQUIRE(first);
  CHECK(first->immutable);
  CHECK_FALSE(get("antq/entries/000"));  // every entry fits a uint16: only the specification's form
  CHECK_FALSE(get("tile/entries/001"));

  auto cert = get("certs/" + to_hex(t.chair.fingerprint) + ".der");
  REQUIRE(cert);
  CHECK(cert->body == t.chair.certificate);
  CHECK(cert->immutable);
  CHECK_FALSE(get("certs/" + to_hex(sha256(as_bytes("none"))) + ".der"));
  CHECK_FALSE(get("tile/0/00"));
  CHECK_FALSE(get("/checkpoint"));
  auto trust = get("trust.pem");
  REQUIRE(trust);
  CHECK(std::string(trust->body.begin(), trust->body.end()).starts_with("-----BEGIN CERTIFICATE-----"));
}

TEST_CASE("A bundle holding an entry over 65535 bytes is served and exported in the long form only", "[tiles]") {
  TestLedger t;
  std::vector<Submission> batch;
  for (int i = 0; i < 260; ++i)
    batch.push_back(test::sign(make_act("model.proposed", fmt::format("M-{}", i), "2023-03-15"), t.chair));
  // 400 members of 200 characters: a body of some 80 kB, within the limits (docs/act-limits.md).
  nlohmann::json members = nlohmann::json::array();
  for (int i = 0; i < 400; ++i) members.push_back(fmt::format("{:0>200}", i));
  batch.push_back(test::sign(make_act("model.proposed", "M-big", "2023-03-15", {{"members", members}}), t.chair));
  REQUIRE(t.append(batch));
  REQUIRE(t.ledger->size() == 263);
  const Bytes big = *t.ledger->entry_bytes(262);
  REQUIRE(big.size() > kMaxShortEntryBytes);

  auto get = [&](std::string_view path) {
    auto served = serve(*t.ledger, path);
    REQUIRE(served);
    return *served;
  };
  CHECK(get("tile/entries/000"));  // the first bundle's entries all fit
  CHECK_FALSE(get("antq/entries/000"));
  CHECK_FALSE(get("tile/entries/001.p/7"));
  auto long_form = get("antq/entries/001.p/7");
  REQUIRE(long_form);
  auto split = split_entry_bundle(long_form->body, 7, true, "antq/entries/001.p/7");
  REQUIRE(split);
  CHECK(Bytes(split->back().begin(), split->back().end()) == big);
  // A narrower partial of that edge holds no long entry: the specification's form.
  CHECK(get("tile/entries/001.p/6"));
  CHECK_FALSE(get("antq/entries/001.p/6"));

  // The export holds that form, and an independent reading of the specification (tests/tools/tiles_check.py)
  // finds every tile and bundle as it lays them out.
  const std::filesystem::path out = t.tmp / "site";
  auto summary = export_tiles(*t.ledger, out);
  REQUIRE(summary);
  CHECK(summary->bundles == 2);
  CHECK(summary->long_bundles == 1);
  CHECK(std::filesystem::exists(out / "antq/entries/001.p/7"));
  CHECK_FALSE(std::filesystem::exists(out / "tile/entries/001.p/7"));
  std::string output;
  CHECK(test::run("python3 " + test::quote(std::filesystem::path(ANTQ_SOURCE_DIR) / "tests/tools/tiles_check.py") + " " +
                  test::quote(out), &output) == 0);
  INFO(output);
  CHECK(output.find("263 entries") != std::string::npos);
}

}  // namespace
}  // namespace antq::ledger::tiles
