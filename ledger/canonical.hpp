// Private to ledger/: writes the canonical Cap'n Proto form of a message directly, word by word, for the checks
// that a stored entry or body is exactly what encode_entry or encode_body makes of its values (event.cpp, act.cpp).
// Building the message with a MessageBuilder and copying it with setCanonical, as canonical_bytes does, made
// decode_entry 10,807 and decode_body 21,375 instructions per entry of verify_bench's ledger; with this writer they
// are 4,793 and 14,969 (callgrind). The tests compare the two on every shape the schema allows
// (tests/ledger/event_test.cpp, act_test.cpp).
//
// The canonical form (https://capnproto.org/encoding.html#canonicalization), as Cap'n Proto 0.9 makes it:
//   - one segment, no segment table; the root pointer in word 0;
//   - objects in pre-order: a struct's (or a struct list's) own words first, then what its pointers point at, in
//     pointer order (in a list: element by element), each object directly after the one before;
//   - a struct's data section without its trailing zero words, its pointer section without its trailing null
//     pointers; a struct of neither is pointed at with offset -1 and takes no words;
//   - in a struct list, every element as large as the largest element so truncated (the tag word says so);
//   - text and data padded with zeros to a whole word; text has its NUL; a list of no bytes takes no words.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "signing/digest.hpp"

namespace antq::ledger {

static_assert(std::endian::native == std::endian::little, "words are written in the machine's order");

class CanonicalWriter {
 public:
  // Element sizes of list pointers (encoding.html, "Lists").
  static constexpr unsigned kBytes = 2;
  static constexpr unsigned kComposite = 7;

  // Starts a new message: the root pointer, not yet set, is slot 0.
  void start() {
    used_ = 0;
    allocate(1);
  }

  // The message so far, as bytes.
  ByteView bytes() const { return {reinterpret_cast<const std::uint8_t*>(words_.data()), used_ * 8}; }

  // A struct pointed at from `slot`: its data words (trailing zeros are dropped) and `pointers` pointer slots, which
  // the caller fills next, in order, with the struct's children (a null child only after every non-null one: the
  // caller passes the count up to the last non-null). Returns the index of the first pointer slot.
  std::size_t add_struct(std::size_t slot, std::span<const std::uint64_t> data, unsigned pointers) {
    const unsigned data_words = truncated(data);
    if (data_words == 0 && pointers == 0) {
      words_[slot] = 0xfffffffcull;  // offset -1: an empty struct, which is not null
      return used_;
    }
    const std::size_t at = allocate(data_words + pointers);
    if (data_words > 0) std::memcpy(&words_[at], data.data(), data_words * 8);
    words_[slot] = pointer(slot, at, 0) | (std::uint64_t{data_words} << 32) | (std::uint64_t{pointers} << 48);
    return at + data_words;
  }

  // A list of `count` structs of `data_words` and `pointers` each (the largest truncated element; the tag of an
  // empty list says 0 and 0), pointed at from `slot`: the tag word and the elements' words, zeroed. Returns the index
  // of the first element's first word.
  std::size_t add_struct_list(std::size_t slot, std::size_t count, unsigned data_words, unsigned pointers) {
    if (count == 0) data_words = pointers = 0;
    const std::size_t element = data_words + pointers;
    const std::size_t tag = allocate(1 + count * element);
    words_[tag] = (count << 2) | (std::uint64_t{data_words} << 32) | (std::uint64_t{pointers} << 48);
    words_[slot] = pointer(slot, tag, 1) | (std::uint64_t{kComposite} << 32) | (std::uint64_t(count * element) << 35);
    return tag + 1;
  }

  void add_text(std::size_t slot, std::string_view text) { add_bytes(slot, text.data(), text.size(), 1); }
  void add_data(std::size_t slot, ByteView data) { add_bytes(slot, data.data(), data.size(), 0); }

  std::uint64_t& word(std::size_t index) { return words_[index]; }

  // The number of data words a struct with these data words keeps.
  static unsigned truncated(std::span<const std::uint64_t> data) {
    std::size_t n = data.size();
    while (n > 0 && data[n - 1] == 0) --n;
    return static_cast<unsigned>(n);
  }

 private:
  // `words` zeroed words at the end. The buffer only grows, so that a thread's writer soon stops allocating.
  std::size_t allocate(std::size_t words) {
    const std::size_t at = used_;
    used_ += words;
    if (used_ > words_.size()) words_.resize(std::max(used_, 2 * words_.size()));
    std::memset(words_.data() + at, 0, words * 8);
    return at;
  }

  // The low half of a pointer at `slot` to `target`: its offset in words from the end of the slot, and its kind.
  static std::uint64_t pointer(std::size_t slot, std::size_t target, unsigned kind) {
    const auto offset = static_cast<std::int64_t>(target) - static_cast<std::int64_t>(slot) - 1;
    return (static_cast<std::uint64_t>(offset << 2) & 0xffffffffull) | kind;
  }

  // `size` bytes and `nul` more (zero), padded to a word.
  void add_bytes(std::size_t slot, const void* data, std::size_t size, std::size_t nul) {
    const std::size_t elements = size + nul;
    const std::size_t at = allocate((elements + 7) / 8);
    if (size > 0) std::memcpy(&words_[at], data, size);
    words_[slot] = pointer(slot, at, 1) | (std::uint64_t{kBytes} << 32) | (std::uint64_t(elements) << 35);
  }

  std::vector<std::uint64_t> words_;
  std::size_t used_ = 0;  // words of the message; words_ may hold more
};

// This thread's writer, reused so that checking a message allocates nothing once it has grown.
inline CanonicalWriter& thread_canonical_writer() {
  thread_local CanonicalWriter writer;
  return writer;
}

}  // namespace antq::ledger
