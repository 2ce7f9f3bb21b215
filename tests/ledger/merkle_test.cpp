// Tests for ledger/merkle.cpp: the public RFC 6962/9162 vectors, a slow reference straight from RFC 9162 §2.1, and
// the compact range that feeds the node store.
#include "ledger/merkle.hpp"

#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace antq::ledger {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// ---------------------------------------------------------------------------------------------------------------
// Reference: RFC 9162 §2.1.1 MTH, §2.1.3.1 PATH, §2.1.4.1 PROOF/SUBPROOF, written as the RFC states them, over a
// fixed sequence of entries. Hashes are computed here with sha256 directly, not with the code under test.

Digest ref_leaf(const Bytes& entry) {
  const std::uint8_t prefix[] = {0x00};
  return sha256({ByteView(prefix), ByteView(entry)});
}

Digest ref_node(const Digest& left, const Digest& right) {
  const std::uint8_t prefix[] = {0x01};
  return sha256({ByteView(prefix), ByteView(left), ByteView(right)});
}

// The largest power of two smaller than n. REQUIRES: n > 1.
std::uint64_t ref_split(std::uint64_t n) {
  std::uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

class Reference {
 public:
  explicit Reference(std::uint64_t count) : memo_((count + 1) * (count + 1)) {
    for (std::uint64_t i = 0; i < count; ++i) {
      std::string text = "entry " + std::to_string(i);
      entries_.emplace_back(text.begin(), text.end());
    }
  }

  const Bytes& entry(std::uint64_t i) const { return entries_[i]; }

  // MTH(D[begin:end]). Memoised: the entries are fixed, so the hash of a range never changes.
  Digest mth(std::uint64_t begin, std::uint64_t end) {
    std::optional<Digest>& memo = memo_[begin * (entries_.size() + 1) + end];
    if (memo) return *memo;
    Digest h;
    const std::uint64_t n = end - begin;
    if (n == 0) {
      h = sha256(ByteView());
    } else if (n == 1) {
      h = ref_leaf(entries_[begin]);
    } else {
      const std::uint64_t k = ref_split(n);
      h = ref_node(mth(begin, begin + k), mth(begin + k, end));
    }
    memo = h;
    return h;
  }

  // PATH(m, D[begin:end]), m relative to begin.
  std::vector<Digest> path(std::uint64_t m, std::uint64_t begin, std::uint64_t end) {
    const std::uint64_t n = end - begin;
    if (n == 1) return {};
    const std::uint64_t k = ref_split(n);
    std::vector<Digest> out;
    if (m < k) {
      out = path(m, begin, begin + k);
      out.push_back(mth(begin + k, end));
    } else {
      out = path(m - k, begin + k, end);
      out.push_back(mth(begin, begin + k));
    }
    return out;
  }

  // SUBPROOF(m, D[begin:end], b), m relative to begin.
  std::vector<Digest> subproof(std::uint64_t m, std::uint64_t begin, std::uint64_t end, bool b) {
    const std::uint64_t n = end - begin;
    if (m == n) {
      if (b) return {};
      return {mth(begin, end)};
    }
    const std::uint64_t k = ref_split(n);
    std::vector<Digest> out;
    if (m <= k) {
      out = subproof(m, begin, begin + k, b);
      out.push_back(mth(begin + k, end));
    } else {
      out = subproof(m - k, begin + k, end, false);
      out.push_back(mth(begin, begin + k));
    }
    return out;
  }

  std::vector<Digest> proof(std::uint64_t m, std::uint64_t n) { return subproof(m, 0, n, true); }

 private:
  std::vector<Bytes> entries_;
  std::vector<std::optional<Digest>> memo_;  // MTH(D[begin:end]) at begin * (count + 1) + end
};

// ---------------------------------------------------------------------------------------------------------------
// A node store in memory, filled the way the ledger fills its own: with what CompactRange::append returns.

using NodeMap = std::map<std::pair<unsigned, std::uint64_t>, Digest>;

NodeMap store_nodes(Reference& ref, std::uint64_t count) {
  NodeMap nodes;
  CompactRange range;
  for (std::uint64_t i = 0; i < count; ++i) {
    for (const PerfectNode& node : range.append(leaf_hash(ref.entry(i)))) nodes[{node.level, node.index}] = node.hash;
  }
  return nodes;
}

// Reads from `nodes` on behalf of a question about the tree of `size` leaves; counts reads and records any read
// of a node that is missing or not wholly inside that tree (the NodeReader contract).
struct CountingReader {
  const NodeMap* nodes = nullptr;
  std::uint64_t size = 0;
  std::size_t reads = 0;
  bool out_of_contract = false;

  NodeReader reader() {
    return [this](unsigned level, std::uint64_t index) -> Digest {
      ++reads;
      if (level >= 64 || index >= (size >> level)) {
        out_of_contract = true;
        return Digest{};
      }
      auto found = nodes->find({level, index});
      if (found == nodes->end()) {
        out_of_contract = true;
        return Digest{};
      }
      return found->second;
    };
  }
};

void flip_bit(std::vector<Digest>& proof, std::size_t seed) {
  Digest& d = proof[seed % proof.size()];
  d[(seed / 7) % d.size()] ^= static_cast<std::uint8_t>(1u << (seed % 8));
}

// ---------------------------------------------------------------------------------------------------------------
// Public vectors (transparency-dev/merkle testdata, RFC 6962/9162), read in place.

Bytes vector_bytes(const Json& value) {
  if (value.is_null()) return {};  // null or missing: the empty byte string
  auto decoded = from_base64(value.get<std::string>());
  REQUIRE(decoded.has_value());
  return std::move(*decoded);
}

// A leaf hash or proof hash. Our API only holds 32-byte digests, so a value of another length is refused where it
// is decoded, as transparency-dev's own verifier refuses a leaf hash of the wrong size: nullopt.
std::optional<Digest> vector_digest(const Json& value) {
  const Bytes bytes = vector_bytes(value);
  Digest out{};
  if (bytes.size() != out.size()) return std::nullopt;
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

// A root. The verifiers only compare roots, and some vectors use short "don't care" roots that must compare equal
// to themselves, so a root of another length becomes a stand-in digest: distinct for distinct byte strings and
// equal to no real hash. The verifier, not this harness, then decides.
Digest vector_root(const Json& value) {
  if (auto digest = vector_digest(value)) return *digest;
  return sha256({as_bytes("antq test: not a 32-byte hash:"), ByteView(vector_bytes(value))});
}

const Json& field(const Json& object, const char* name) {
  static const Json kNull;
  auto found = object.find(name);
  return found == object.end() ? kNull : *found;
}

// nullopt when an element is not a 32-byte hash.
std::optional<std::vector<Digest>> vector_proof(const Json& value) {
  std::vector<Digest> proof;
  if (value.is_null()) return proof;
  for (const Json& item : value) {
    auto digest = vector_digest(item);
    if (!digest) return std::nullopt;
    proof.push_back(*digest);
  }
  return proof;
}

std::uint64_t vector_size(const Json& value) {
  REQUIRE(value.is_number_unsigned());
  return value.get<std::uint64_t>();
}

// ---------------------------------------------------------------------------------------------------------------

TEST_CASE("EveryPublicVectorVerifiesOrIsRejectedAsItSays", "[merkle]") {
  const fs::path dir = fs::path(ANTQ_VECTORS_DIR) / "rfc9162";
  if (!fs::is_directory(dir)) {
    WARN("RFC 9162 vectors not found at " << dir.string() << "; skipped");
    return;
  }
  std::vector<fs::path> files;
  for (const auto& item : fs::recursive_directory_iterator(dir)) {
    if (item.is_regular_file() && item.path().extension() == ".json") files.push_back(item.path());
  }
  std::sort(files.begin(), files.end());

  int inclusion = 0, consistency = 0, accepted = 0, rejected = 0, refused_at_decoding = 0;
  for (const fs::path& file : files) {
    const std::string kind = fs::relative(file, dir).begin()->string();
    if (kind != "inclusion" && kind != "consistency") continue;
    std::ifstream in(file);
    const Json v = Json::parse(in);
    INFO(file.string() << ": " << field(v, "desc"));
    const bool want_err = field(v, "wantErr").is_boolean() && field(v, "wantErr").get<bool>();
    const std::optional<std::vector<Digest>> proof = vector_proof(field(v, "proof"));
    bool ok = false;
    if (kind == "inclusion") {
      ++inclusion;
      const std::optional<Digest> leaf = vector_digest(field(v, "leafHash"));
      if (!leaf || !proof) {
        ++refused_at_decoding;
        CHECK(want_err);
        continue;
      }
      ok = verify_inclusion(vector_size(field(v, "leafIdx")), vector_size(field(v, "treeSize")), *leaf, *proof,
                            vector_root(field(v, "root")));
    } else {
      ++consistency;
      if (!proof) {
        ++refused_at_decoding;
        CHECK(want_err);
        continue;
      }
      ok = verify_consistency(vector_size(field(v, "size1")), vector_size(field(v, "size2")),
                              vector_root(field(v, "root1")), vector_root(field(v, "root2")), *proof);
    }
    CHECK(ok == !want_err);
    ++(ok ? accepted : rejected);
  }
  INFO("inclusion " << inclusion << ", consistency " << consistency << ": accepted " << accepted
                    << ", rejected by the verifier " << rejected << ", refused at decoding " << refused_at_decoding);
  REQUIRE(inclusion > 0);
  REQUIRE(consistency > 0);
}

TEST_CASE("ProofsFromStoredNodesEqualTheRfcReferenceForEverySizeUpTo300", "[merkle]") {
  constexpr std::uint64_t kMaxSize = 300;
  constexpr std::uint64_t kAllPairsUpTo = 130;  // above, every 4th old size and the edges (keeps a sanitizer run short)
  Reference ref(kMaxSize);
  const NodeMap nodes = store_nodes(ref, kMaxSize);

  // About 60,000 proofs are checked; a Catch assertion for each would dominate the run time (seconds in a
  // sanitizer build), so the loops note failures and one assertion at the end reports the first ones.
  std::vector<std::string> failures;
  std::size_t indices = 0, pairs = 0;
  auto expect = [&](bool ok, const char* what, std::uint64_t m, std::uint64_t n) {
    if (!ok && failures.size() < 10)
      failures.push_back(std::string(what) + " m=" + std::to_string(m) + " n=" + std::to_string(n));
  };

  for (std::uint64_t n = 1; n <= kMaxSize; ++n) {
    CountingReader counter{&nodes, n};
    const NodeReader read = counter.reader();
    const std::size_t max_reads = 2 * static_cast<std::size_t>(std::bit_width(n)) + 1;

    const Digest root = root_at(n, read);
    expect(root == ref.mth(0, n), "root_at", 0, n);

    for (std::uint64_t m = 0; m < n; ++m) {
      ++indices;
      counter.reads = 0;
      std::vector<Digest> proof = inclusion_proof(m, n, read);
      expect(counter.reads <= max_reads, "inclusion_proof reads O(log n) nodes", m, n);
      expect(proof == ref.path(m, 0, n), "inclusion_proof equals PATH", m, n);
      const Digest leaf = leaf_hash(ref.entry(m));
      expect(verify_inclusion(m, n, leaf, proof, root), "verify_inclusion accepts", m, n);
      if (!proof.empty()) {
        flip_bit(proof, static_cast<std::size_t>(m * 31 + n));
        expect(!verify_inclusion(m, n, leaf, proof, root), "verify_inclusion rejects a flipped bit", m, n);
      }
    }

    for (std::uint64_t m = 1; m <= n; ++m) {
      const bool edge = m <= 2 || m + 2 >= n || std::has_single_bit(m) || std::has_single_bit(n);
      if (n > kAllPairsUpTo && !edge && (m + n) % 4 != 0) continue;
      ++pairs;
      counter.reads = 0;
      std::vector<Digest> proof = consistency_proof(m, n, read);
      expect(counter.reads <= max_reads, "consistency_proof reads O(log n) nodes", m, n);
      expect(proof == ref.proof(m, n), "consistency_proof equals PROOF", m, n);
      const Digest old_root = ref.mth(0, m);
      expect(verify_consistency(m, n, old_root, root, proof), "verify_consistency accepts", m, n);
      if (!proof.empty()) {
        flip_bit(proof, static_cast<std::size_t>(m * 17 + n));
        expect(!verify_consistency(m, n, old_root, root, proof), "verify_consistency rejects a flipped bit", m, n);
      }
    }
    expect(!counter.out_of_contract, "reads only stored nodes wholly inside the tree", 0, n);
  }

  std::string report;
  for (const std::string& failure : failures) report += failure + "\n";
  INFO(report);
  REQUIRE(failures.empty());
  REQUIRE(indices == kMaxSize * (kMaxSize + 1) / 2);          // every index of every size
  REQUIRE(pairs >= kAllPairsUpTo * (kAllPairsUpTo + 1) / 2);  // at least every pair 0 < m <= n <= 130
}

TEST_CASE("StoredNodesAreTheRfcSubtreeHashes", "[merkle]") {
  constexpr std::uint64_t kSize = 300;
  Reference ref(kSize);
  const NodeMap nodes = store_nodes(ref, kSize);
  std::size_t expected = 0;
  for (unsigned level = 0; (kSize >> level) != 0; ++level) expected += kSize >> level;
  REQUIRE(nodes.size() == expected);
  for (const auto& [key, hash] : nodes) {
    const auto [level, index] = key;
    REQUIRE(hash == ref.mth(index << level, (index + 1) << level));
  }
}

TEST_CASE("AppendReturnsTheLeafFirstThenEveryNodeItCompletes", "[merkle]") {
  Reference ref(300);
  CompactRange range;
  REQUIRE(range.size() == 0);
  REQUIRE(range.root() == empty_root());
  for (std::uint64_t i = 0; i < 300; ++i) {
    INFO("leaf " << i);
    const Digest leaf = leaf_hash(ref.entry(i));
    const std::vector<PerfectNode> completed = range.append(leaf);
    REQUIRE(completed.size() == static_cast<std::size_t>(std::countr_one(i)) + 1);
    REQUIRE(completed[0].level == 0);
    REQUIRE(completed[0].index == i);
    REQUIRE(completed[0].hash == leaf);
    for (std::size_t j = 0; j < completed.size(); ++j) {
      REQUIRE(completed[j].level == j);
      REQUIRE(completed[j].index == i >> j);
    }
    REQUIRE(range.size() == i + 1);
    REQUIRE(range.root() == ref.mth(0, i + 1));
  }
}

TEST_CASE("LoadedCompactRangeHasTheRootOfTheAppendedOne", "[merkle]") {
  constexpr std::uint64_t kSize = 300;
  Reference ref(kSize);
  const NodeMap nodes = store_nodes(ref, kSize);
  CompactRange appended;
  for (std::uint64_t n = 0; n <= kSize; ++n) {
    INFO("size " << n);
    CountingReader counter{&nodes, n};
    const CompactRange loaded = CompactRange::load(n, counter.reader());
    REQUIRE(counter.reads == static_cast<std::size_t>(std::popcount(n)));
    REQUIRE_FALSE(counter.out_of_contract);
    REQUIRE(loaded.size() == n);
    REQUIRE(loaded.root() == appended.root());
    REQUIRE(loaded.root() == ref.mth(0, n));

    // A loaded range carries on exactly like the one it was loaded from.
    if (n < kSize) {
      CompactRange next = loaded;
      const Digest leaf = leaf_hash(ref.entry(n));
      const std::vector<PerfectNode> a = next.append(leaf);
      const std::vector<PerfectNode> b = appended.append(leaf);
      REQUIRE(a.size() == b.size());
      for (std::size_t j = 0; j < a.size(); ++j) {
        REQUIRE(a[j].level == b[j].level);
        REQUIRE(a[j].index == b[j].index);
        REQUIRE(a[j].hash == b[j].hash);
      }
      REQUIRE(next.root() == appended.root());
    }
  }
}

TEST_CASE("EmptyTreeRootIsTheHashOfNothing", "[merkle]") {
  REQUIRE(to_hex(empty_root()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  REQUIRE(root_at(0, [](unsigned, std::uint64_t) -> Digest {
            FAIL("no read expected");
            return {};
          }) == empty_root());
}

// A tree whose leaves are all equal: every perfect node of a level has the same hash, so trees of any size up to
// 2^64 - 1 can be served without storing them.
struct UniformTree {
  std::array<Digest, 64> level_hash{};
  UniformTree() {
    level_hash[0] = leaf_hash(as_bytes("same"));
    for (unsigned l = 1; l < 64; ++l) level_hash[l] = node_hash(level_hash[l - 1], level_hash[l - 1]);
  }
  NodeReader reader(std::uint64_t size, bool& out_of_contract) const {
    return [this, size, &out_of_contract](unsigned level, std::uint64_t index) {
      if (level >= 64 || index >= (size >> level)) out_of_contract = true;
      return level_hash[level % 64];
    };
  }
};

TEST_CASE("ProofsAtSizesNearTwoToTheSixtyFourVerify", "[merkle]") {
  const UniformTree tree;
  const std::uint64_t kMax = ~std::uint64_t{0};
  for (std::uint64_t n :
       {kMax, kMax - 1, std::uint64_t{1} << 63, (std::uint64_t{1} << 63) + 12345, (std::uint64_t{1} << 63) - 1}) {
    INFO("size " << n);
    bool out_of_contract = false;
    const NodeReader read = tree.reader(n, out_of_contract);
    const Digest root = root_at(n, read);
    for (std::uint64_t m : {std::uint64_t{0}, std::uint64_t{1}, n / 2, n - 2, n - 1}) {
      const std::vector<Digest> proof = inclusion_proof(m, n, read);
      REQUIRE(proof.size() <= 64);
      REQUIRE(verify_inclusion(m, n, tree.level_hash[0], proof, root));
      REQUIRE_FALSE(verify_inclusion(m, n, tree.level_hash[1], proof, root));
    }
    for (std::uint64_t m : {std::uint64_t{1}, std::uint64_t{3}, n / 2, n - 1, n}) {
      bool inner_out_of_contract = false;
      const Digest old_root = root_at(m, tree.reader(m, inner_out_of_contract));
      const std::vector<Digest> proof = consistency_proof(m, n, read);
      REQUIRE(verify_consistency(m, n, old_root, root, proof));
      REQUIRE_FALSE(inner_out_of_contract);
    }
    REQUIRE_FALSE(out_of_contract);
  }
}

TEST_CASE("ProofsAtAMillionEntriesReadLogarithmicallyManyNodes", "[merkle]") {
  // An in-memory store of synthetic node hashes: proof generation only reads nodes, so their values do not matter.
  // How fast that is, is measured by tools/bench/proof_bench, not here.
  constexpr std::uint64_t kSize = 1'000'000;
  std::vector<std::vector<Digest>> levels;
  for (std::uint64_t count = kSize; count != 0; count >>= 1) {
    std::vector<Digest> level(count);
    for (std::uint64_t i = 0; i < count; ++i) {
      level[i][0] = static_cast<std::uint8_t>(levels.size());
      for (int b = 0; b < 8; ++b) level[i][1 + b] = static_cast<std::uint8_t>(i >> (8 * b));
    }
    levels.push_back(std::move(level));
  }
  std::size_t reads = 0;
  const NodeReader read = [&](unsigned level, std::uint64_t index) {
    ++reads;
    return levels[level][index];
  };

  std::mt19937_64 rng(1);
  std::size_t max_reads = 0;
  for (int i = 0; i < 2'000; ++i) {
    reads = 0;
    auto inclusion = inclusion_proof(rng() % kSize, kSize, read);
    CHECK(inclusion.size() <= 20);
    max_reads = std::max(max_reads, reads);
    reads = 0;
    auto consistency = consistency_proof(1 + rng() % kSize, kSize, read);
    CHECK(consistency.size() <= 2 * 20);
    max_reads = std::max(max_reads, reads);
  }
  INFO("at most " << max_reads << " node reads per proof");
  CHECK(max_reads <= 2 * 20 + 1);  // 2^20 > 10^6
}

}  // namespace
}  // namespace antq::ledger
