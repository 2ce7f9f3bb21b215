// Private to ledger/: Cap'n Proto helpers. Builder and reader types never leave ledger/.
#pragma once

#include <capnp/any.h>
#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/array.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

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

// A zeroed first segment for a message of about `bytes` bytes: `scratch` (64 KiB, made on first use) when it fits,
// else `large`, allocated here. MallocMessageBuilder zeroes the part of a given first segment it used when it is
// destroyed, so the scratch stays zeroed for the next message.
inline kj::ArrayPtr<capnp::word> zeroed_segment(kj::Array<capnp::word>& scratch, kj::Array<capnp::word>& large,
                                                std::size_t bytes) {
  constexpr std::size_t kScratchWords = 8192;
  const std::size_t want = bytes / 8 + 16;
  kj::Array<capnp::word>& use = want <= kScratchWords ? scratch : large;
  if (use == nullptr) {
    use = kj::heapArray<capnp::word>(want <= kScratchWords ? kScratchWords : want);
    std::memset(use.begin(), 0, use.size() * sizeof(capnp::word));
  }
  return use.asPtr();
}

// This thread's scratch segment for the canonical copies is_canonical_encoding makes (one for all its
// instantiations).
inline kj::Array<capnp::word>& canonical_scratch() {
  thread_local kj::Array<capnp::word> scratch;
  return scratch;
}

// Whether `bytes` is exactly canonical_bytes(reader), without building that copy on the heap: the canonical layout
// (the one capnp::canonicalize makes, AnyPointer::Builder::setCanonical) is written into this thread's canonical
// scratch and compared there. A layout that outgrows the segment goes on in a second one, which `bytes` cannot equal.
template <class T>
bool is_canonical_encoding(typename T::Reader reader, ByteView bytes) {
  kj::Array<capnp::word> large;
  capnp::MallocMessageBuilder message(zeroed_segment(canonical_scratch(), large, bytes.size()),
                                      capnp::AllocationStrategy::FIXED_SIZE);
  message.initRoot<capnp::AnyPointer>().setCanonicalAs<T>(reader);
  auto segments = message.getSegmentsForOutput();
  return segments.size() == 1 && std::ranges::equal(segments[0].asBytes(), bytes);
}

// Reads a flat (single-segment, no segment table) message in place, or from a word-aligned copy when the bytes
// are not word-aligned (as in an LMDB leaf page). Throws kj::Exception on malformed input; callers catch it at their
// decode boundary. The copies of small messages reuse this thread's spare buffers, one per reader alive at once.
class FlatReader {
 public:
  explicit FlatReader(ByteView bytes)
      : given_(bytes),
        segments_{init(bytes)},
        reader_(kj::arrayPtr(segments_, 1), options(bytes.size())) {}
  FlatReader(const FlatReader&) = delete;
  FlatReader& operator=(const FlatReader&) = delete;
  ~FlatReader() {
    if (words_ != nullptr && words_.size() <= kSpareWords) spare().push_back(std::move(words_));
  }

  template <class T>
  typename T::Reader root() { return reader_.getRoot<T>(); }

  // Where `data`, read from this message, lies in the bytes given to the constructor. (An empty one may be a null
  // pointer's default value, which lies in no message.)
  ByteView in_given(capnp::Data::Reader data) const {
    if (data.size() == 0) return {};
    const auto* at = reinterpret_cast<const std::uint8_t*>(data.begin());
    return given_.subspan(static_cast<std::size_t>(at - reinterpret_cast<const std::uint8_t*>(segments_[0].begin())),
                          data.size());
  }
  std::string_view in_given(capnp::Text::Reader text) const {
    if (text.size() == 0) return {};
    ByteView b = in_given(capnp::Data::Reader(reinterpret_cast<const kj::byte*>(text.begin()), text.size()));
    return {reinterpret_cast<const char*>(b.data()), b.size()};
  }

 private:
  static constexpr std::size_t kSpareWords = 8192;  // 64 KiB: entries and bodies, not attachments
  static std::vector<kj::Array<capnp::word>>& spare() {
    thread_local std::vector<kj::Array<capnp::word>> buffers;
    return buffers;
  }
  kj::ArrayPtr<const capnp::word> init(ByteView bytes) {
    if (bytes.empty() || bytes.size() % 8 != 0) KJ_FAIL_REQUIRE("message size is not a positive multiple of 8 bytes");
    if (reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(capnp::word) == 0)
      return kj::arrayPtr(reinterpret_cast<const capnp::word*>(bytes.data()), bytes.size() / 8);
    const std::size_t n = bytes.size() / 8;
    if (n <= kSpareWords && !spare().empty()) {
      words_ = std::move(spare().back());
      spare().pop_back();
    }
    if (words_.size() < n) words_ = kj::heapArray<capnp::word>(n <= kSpareWords ? kSpareWords : n);
    std::memcpy(words_.begin(), bytes.data(), bytes.size());
    return kj::arrayPtr(static_cast<const capnp::word*>(words_.begin()), n);
  }
  static capnp::ReaderOptions options(std::size_t size) {
    capnp::ReaderOptions o;
    o.traversalLimitInWords = size / 8 * 4 + 64;
    o.nestingLimit = kNestingLimit;
    return o;
  }
  ByteView given_;
  kj::Array<capnp::word> words_;
  kj::ArrayPtr<const capnp::word> segments_[1];
  capnp::SegmentArrayMessageReader reader_;  // one segment, no segment table: the canonical form
};

}  // namespace antq::ledger
