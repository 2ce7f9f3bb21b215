// Private to signing/: a strict DER reader over borrowed bytes, for the structure OpenSSL has no call for: cutting
// the certificates field out of a SignedData, the versions and digestAlgorithms of one (cms.cpp), the length of a
// CMS in a PDF's zero-padded /Contents (pdf.cpp). It never parses anything cryptographic.
// Strict means: one-byte tags only, definite lengths in minimal form, nothing past the end of the input.
#pragma once

#include <cstdint>
#include <optional>

#include "signing/digest.hpp"

namespace antq::signing {

// DER tags used by CMS.
inline constexpr std::uint8_t kDerInteger = 0x02;
inline constexpr std::uint8_t kDerOctetString = 0x04;
inline constexpr std::uint8_t kDerNull = 0x05;
inline constexpr std::uint8_t kDerOid = 0x06;
inline constexpr std::uint8_t kDerUtcTime = 0x17;
inline constexpr std::uint8_t kDerGeneralizedTime = 0x18;
inline constexpr std::uint8_t kDerSequence = 0x30;
inline constexpr std::uint8_t kDerSet = 0x31;
inline constexpr std::uint8_t kDerContext0 = 0xa0;  // [0] constructed
inline constexpr std::uint8_t kDerContext1 = 0xa1;  // [1] constructed
inline constexpr std::uint8_t kDerContext0Primitive = 0x80;

// One element: its tag, its content, and all of its bytes (tag, length and content).
struct DerElement {
  std::uint8_t tag = 0;
  ByteView content;
  ByteView whole;
};

// Reads consecutive elements from `data`. The views it returns borrow `data`. Any malformed element makes the
// reader fail (every later read returns nullopt).
class DerReader {
 public:
  explicit DerReader(ByteView data) : data_(data) {}

  bool at_end() const { return !failed_ && pos_ == data_.size(); }
  bool failed() const { return failed_; }
  // The tag of the next element, or nullopt at the end.
  std::optional<std::uint8_t> peek_tag() const;
  // The next element, whatever its tag; nullopt at the end or when it is malformed.
  std::optional<DerElement> next();
  // The next element when it has `tag`; nullopt (and nothing consumed) otherwise.
  std::optional<DerElement> next(std::uint8_t tag);

 private:
  std::optional<DerElement> read();

  ByteView data_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

// Appends a DER tag and length, then `content`.
void append_der(Bytes& out, std::uint8_t tag, ByteView content);

// A small non-negative INTEGER's value (content of at most 2 bytes, minimal); nullopt otherwise.
std::optional<int> der_small_integer(const DerElement& e);

}  // namespace antq::signing
