// RFC 9162 §2.1 Merkle tree. See merkle.hpp for the contracts.
//
// Every subtree of the RFC tree over leaves [0, n) covers a range [begin, end) whose `begin` is a multiple of the
// largest power of two not above end - begin. Such a range is the fold, from the right, of the perfect nodes of the
// binary decomposition of its size (largest first), so its hash costs popcount(end - begin) node reads. The proofs
// below walk the RFC recursion top-down; all the siblings they collect are perfect nodes except at most one (the
// right sibling where the path first turns left), which is folded from stored perfect nodes.
#include "ledger/merkle.hpp"

#include <array>
#include <bit>
#include <cstddef>

namespace antq::ledger {

namespace {

constexpr std::uint8_t kLeafPrefix[] = {0x00};
constexpr std::uint8_t kNodePrefix[] = {0x01};

// No tree has more than 64 levels, so no proof has more than 64 (inclusion) or 65 (consistency) hashes.
constexpr std::size_t kMaxProof = 66;

// The largest power of two strictly below n. REQUIRES: n > 1.
std::uint64_t split_point(std::uint64_t n) { return std::bit_floor(n - 1); }

// Hash of the RFC subtree over leaves [begin, end). REQUIRES: begin < end, begin aligned as described above.
Digest range_hash(std::uint64_t begin, std::uint64_t end, const NodeReader& read) {
  const std::uint64_t n = end - begin;
  // Smallest (rightmost) node first, then fold the larger ones in from the left.
  unsigned level = static_cast<unsigned>(std::countr_zero(n));
  std::uint64_t rest = n >> level >> 1 << 1 << level;  // sizes of the nodes to the left of this one
  Digest acc = read(level, (begin + rest) >> level);
  for (++level; level < 64 && (n >> level) != 0; ++level) {
    if (((n >> level) & 1) == 0) continue;
    rest = n >> level >> 1 << 1 << level;
    acc = node_hash(read(level, (begin + rest) >> level), acc);
  }
  return acc;
}

// Hash of a perfect range [begin, begin + 2^level).
Digest perfect_hash(std::uint64_t begin, unsigned level, const NodeReader& read) { return read(level, begin >> level); }

// Hash of a range that is either perfect or not; reads one node when it is perfect.
Digest subtree_hash(std::uint64_t begin, std::uint64_t end, const NodeReader& read) {
  const std::uint64_t n = end - begin;
  if (std::has_single_bit(n)) return perfect_hash(begin, static_cast<unsigned>(std::countr_zero(n)), read);
  return range_hash(begin, end, read);
}

}  // namespace

Digest leaf_hash(ByteView entry) { return sha256({ByteView(kLeafPrefix), entry}); }

Digest node_hash(const Digest& left, const Digest& right) {
  return sha256({ByteView(kNodePrefix), ByteView(left), ByteView(right)});
}

Digest empty_root() { return sha256(ByteView()); }

Digest root_at(std::uint64_t size, const NodeReader& read) {
  if (size == 0) return empty_root();
  return range_hash(0, size, read);
}

std::vector<Digest> inclusion_proof(std::uint64_t index, std::uint64_t size, const NodeReader& read) {
  // PATH(m, D[b:e]) from RFC 9162 §2.1.3.1, unrolled: siblings are found root first and emitted leaf first.
  if (index >= size) return {};  // outside the contract; an empty proof verifies nothing
  std::array<Digest, kMaxProof> siblings;
  std::size_t count = 0;
  std::uint64_t begin = 0, end = size;
  while (end - begin > 1) {
    const std::uint64_t k = split_point(end - begin);
    const unsigned k_level = static_cast<unsigned>(std::countr_zero(k));
    if (index < begin + k) {
      siblings[count++] = subtree_hash(begin + k, end, read);  // not perfect only the first time
      end = begin + k;
    } else {
      siblings[count++] = perfect_hash(begin, k_level, read);
      begin += k;
    }
  }
  return std::vector<Digest>(siblings.rbegin() + static_cast<std::ptrdiff_t>(kMaxProof - count), siblings.rend());
}

std::vector<Digest> consistency_proof(std::uint64_t first, std::uint64_t second, const NodeReader& read) {
  // SUBPROOF(m, D[b:e], flag) from RFC 9162 §2.1.4.1, unrolled like inclusion_proof.
  if (first == 0 || first > second) return {};  // outside the contract; an empty proof verifies nothing here
  std::array<Digest, kMaxProof> nodes;
  std::size_t count = 0;
  std::uint64_t begin = 0, end = second;
  bool whole_old_tree = true;  // the RFC's `b`: this subtree is the whole old tree, whose root the verifier has
  while (first != end) {
    const std::uint64_t k = split_point(end - begin);
    const unsigned k_level = static_cast<unsigned>(std::countr_zero(k));
    if (first <= begin + k) {
      nodes[count++] = subtree_hash(begin + k, end, read);
      end = begin + k;
    } else {
      nodes[count++] = perfect_hash(begin, k_level, read);
      begin += k;
      whole_old_tree = false;
    }
  }
  // Here [begin, end) ends at `first` and is perfect (reached by a left turn), unless first == second.
  if (!whole_old_tree) nodes[count++] = subtree_hash(begin, end, read);
  return std::vector<Digest>(nodes.rbegin() + static_cast<std::ptrdiff_t>(kMaxProof - count), nodes.rend());
}

bool verify_inclusion(std::uint64_t index, std::uint64_t size, const Digest& leaf, std::span<const Digest> proof,
                      const Digest& root) {
  // RFC 9162 §2.1.3.2, step by step.
  if (index >= size) return false;
  std::uint64_t fn = index, sn = size - 1;
  Digest r = leaf;
  for (const Digest& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) != 0 || fn == sn) {
      r = node_hash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool verify_consistency(std::uint64_t first, std::uint64_t second, const Digest& first_root, const Digest& second_root,
                        std::span<const Digest> proof) {
  // A consistency proof is defined for 0 < first <= second (RFC 9162 §2.1.4). The empty tree is a prefix of every
  // tree, so a proof from size 0 proves nothing and is refused, as the public vectors expect.
  if (first == 0 || first > second) return false;
  if (first == second) return proof.empty() && first_root == second_root;

  // RFC 9162 §2.1.4.2, step by step; "prepend first_hash" is done by starting from it instead of copying.
  if (proof.empty()) return false;
  const bool prepend = std::has_single_bit(first);
  const Digest& seed = prepend ? first_root : proof[0];
  const std::span<const Digest> rest = prepend ? proof : proof.subspan(1);

  std::uint64_t fn = first - 1, sn = second - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Digest fr = seed, sr = seed;
  for (const Digest& c : rest) {
    if (sn == 0) return false;
    if ((fn & 1) != 0 || fn == sn) {
      fr = node_hash(c, fr);
      sr = node_hash(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = node_hash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == first_root && sr == second_root && sn == 0;
}

CompactRange CompactRange::load(std::uint64_t size, const NodeReader& read) {
  CompactRange range;
  range.size_ = size;
  range.nodes_.reserve(static_cast<std::size_t>(std::popcount(size)));
  std::uint64_t begin = 0;
  for (int level = 63; level >= 0; --level) {
    const std::uint64_t width = std::uint64_t{1} << level;
    if ((size & width) == 0) continue;
    const auto l = static_cast<unsigned>(level);
    range.nodes_.push_back({l, begin >> l, read(l, begin >> l)});
    begin += width;
  }
  return range;
}

std::vector<PerfectNode> CompactRange::append(const Digest& leaf) {
  std::vector<PerfectNode> completed;
  completed.reserve(static_cast<std::size_t>(std::countr_one(size_)) + 1);
  PerfectNode node{0, size_, leaf};
  completed.push_back(node);
  // Each trailing node on the same level is the left sibling of the new one: merge them upwards.
  while (!nodes_.empty() && nodes_.back().level == node.level) {
    node = {node.level + 1, node.index >> 1, node_hash(nodes_.back().hash, node.hash)};
    nodes_.pop_back();
    completed.push_back(node);
  }
  nodes_.push_back(node);
  ++size_;
  return completed;
}

Digest CompactRange::root() const {
  if (nodes_.empty()) return empty_root();
  Digest acc = nodes_.back().hash;
  for (auto it = nodes_.rbegin() + 1; it != nodes_.rend(); ++it) acc = node_hash(it->hash, acc);
  return acc;
}

}  // namespace antq::ledger
