// Private to ledger/: Cap'n Proto helpers. Builder and reader types never leave ledger/.
#pragma once

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/array.h>

#include <cstdint>
#include <cstring>

#include "signing/digest.hpp"

namespace antq::ledger {

// Limits for every message read from outside (capnp/message.h: amplification attacks). The traversal limit is
// a small multiple of the message's own size, so a reader never walks more than the bytes it was given.
inline constexpr int kNestingLimit = 32;

// The canonical encoding (capnp::canonicalize) of a struct: one segment, no segment table.
template <class Reader>
Bytes canonical_bytes(Reader reader) {
  kj::Array<capnp::word> words = capnp::canonicalize(reader);
  auto bytes = words.asBytes();
  return Bytes(bytes.begin(), bytes.end());
}

// Reads a flat (single-segment, no segment table) message in place, or from a word-aligned copy when the bytes
// are not word-aligned. Throws kj::Exception on malformed input; callers catch it at their decode boundary.
class FlatReader {
 public:
  explicit FlatReader(ByteView bytes)
      : segments_{init(bytes)},
        reader_(kj::arrayPtr(segments_, 1), options(bytes.size())) {}

  template <class T>
  typename T::Reader root() { return reader_.getRoot<T>(); }

 private:
  kj::ArrayPtr<const capnp::word> init(ByteView bytes) {
    if (bytes.empty() || bytes.size() % 8 != 0) KJ_FAIL_REQUIRE("message size is not a positive multiple of 8 bytes");
    if (reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(capnp::word) == 0)
      return kj::arrayPtr(reinterpret_cast<const capnp::word*>(bytes.data()), bytes.size() / 8);
    words_ = kj::heapArray<capnp::word>(bytes.size() / 8);
    std::memcpy(words_.begin(), bytes.data(), bytes.size());
    return words_.asPtr();
  }
  static capnp::ReaderOptions options(std::size_t size) {
    capnp::ReaderOptions o;
    o.traversalLimitInWords = size / 8 * 4 + 64;
    o.nestingLimit = kNestingLimit;
    return o;
  }
  kj::Array<capnp::word> words_;
  kj::ArrayPtr<const capnp::word> segments_[1];
  capnp::SegmentArrayMessageReader reader_;  // one segment, no segment table: the canonical form
};

}  // namespace antq::ledger
