// The RFC 9162 §2.1 Merkle tree over ledger entries: hashing, proofs from stored nodes, and proof verification.
//
// Leaf hash: SHA-256(0x00 || entry bytes). Interior node: SHA-256(0x01 || left || right). The root of an empty tree
// is SHA-256 of the empty string. A "perfect node" (level L, index i) is the root of the complete subtree over
// leaves [i * 2^L, (i + 1) * 2^L); level 0 nodes are the leaf hashes. The store keeps every perfect node, so a
// proof or a root of any size needs O(log n) node reads and no rehashing of leaves.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "signing/digest.hpp"

namespace antq::ledger {

Digest leaf_hash(ByteView entry);
Digest node_hash(const Digest& left, const Digest& right);
Digest empty_root();

struct PerfectNode {
  unsigned level = 0;
  std::uint64_t index = 0;
  Digest hash{};
};

// Reads the stored hash of perfect node (level, index). Called only for nodes that lie wholly inside the tree
// size being asked about. Must not throw.
using NodeReader = std::function<Digest(unsigned level, std::uint64_t index)>;

// Root hash of the tree of the first `size` leaves.
Digest root_at(std::uint64_t size, const NodeReader& read);

// RFC 9162 §2.1.3.1 inclusion proof of leaf `index` in the tree of `size` leaves. REQUIRES: index < size.
std::vector<Digest> inclusion_proof(std::uint64_t index, std::uint64_t size, const NodeReader& read);

// RFC 9162 §2.1.4.1 consistency proof between sizes `first` and `second`. REQUIRES: 0 < first <= second.
// (first == second gives an empty proof.)
std::vector<Digest> consistency_proof(std::uint64_t first, std::uint64_t second, const NodeReader& read);

// RFC 9162 §2.1.3.2: true when `proof` proves `leaf` is leaf `index` of the tree of `size` leaves with `root`.
bool verify_inclusion(std::uint64_t index, std::uint64_t size, const Digest& leaf, std::span<const Digest> proof,
                      const Digest& root);

// RFC 9162 §2.1.4.2: true when `proof` proves the tree of size `first` with `first_root` is a prefix of the tree
// of size `second` with `second_root`. Handles every edge case of the public test vectors (first == 0,
// first == second, first > second).
bool verify_consistency(std::uint64_t first, std::uint64_t second, const Digest& first_root,
                        const Digest& second_root, std::span<const Digest> proof);

// A compact range [0, size): the perfect nodes of the binary decomposition of `size`, largest first.
// Appending a leaf yields the perfect nodes it completes (the leaf itself first), exactly the nodes a store must
// add. Used by the append path (to know what to store) and by the verifier (to recompute roots while streaming).
class CompactRange {
 public:
  CompactRange() = default;
  // Rebuilds the range for `size` leaves from stored nodes (O(log n) reads).
  static CompactRange load(std::uint64_t size, const NodeReader& read);

  // Adds the next leaf; returns the perfect nodes completed by it, level 0 first.
  std::vector<PerfectNode> append(const Digest& leaf);
  std::uint64_t size() const { return size_; }
  Digest root() const;  // root_at(size()) without reads

 private:
  std::uint64_t size_ = 0;
  std::vector<PerfectNode> nodes_;  // decomposition of size_, highest level first
};

}  // namespace antq::ledger
