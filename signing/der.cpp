#include "signing/der.hpp"

namespace antq::signing {

std::optional<std::uint8_t> DerReader::peek_tag() const {
  if (failed_ || pos_ >= data_.size()) return std::nullopt;
  return data_[pos_];
}

std::optional<DerElement> DerReader::next() {
  if (failed_ || pos_ >= data_.size()) return std::nullopt;
  auto element = read();
  if (!element) failed_ = true;
  return element;
}

std::optional<DerElement> DerReader::read() {
  std::size_t size = data_.size();
  if (pos_ + 2 > size) return std::nullopt;
  std::uint8_t tag = data_[pos_];
  if ((tag & 0x1f) == 0x1f) return std::nullopt;  // multi-byte tags do not occur in CMS SignedData
  std::size_t at = pos_ + 2;
  std::size_t length = data_[pos_ + 1];
  if (length == 0x80) return std::nullopt;  // indefinite: BER, not DER
  if (length > 0x80) {
    std::size_t n = length & 0x7f;
    if (n > 4 || at + n > size || data_[at] == 0) return std::nullopt;  // too long or not minimal
    length = 0;
    for (std::size_t i = 0; i < n; ++i) length = length << 8 | data_[at + i];
    at += n;
    if (length < 0x80) return std::nullopt;  // the short form was required
  }
  if (length > size - at) return std::nullopt;
  DerElement e;
  e.tag = tag;
  e.content = data_.subspan(at, length);
  e.whole = data_.subspan(pos_, at + length - pos_);
  pos_ = at + length;
  return e;
}

std::optional<DerElement> DerReader::next(std::uint8_t tag) {
  if (peek_tag() != tag) return std::nullopt;
  return next();
}

void append_der(Bytes& out, std::uint8_t tag, ByteView content) {
  out.push_back(tag);
  std::size_t n = content.size();
  if (n < 0x80) {
    out.push_back(static_cast<std::uint8_t>(n));
  } else {
    std::uint8_t buf[sizeof(std::size_t)];
    int k = 0;
    for (std::size_t v = n; v != 0; v >>= 8) buf[k++] = static_cast<std::uint8_t>(v & 0xff);
    out.push_back(static_cast<std::uint8_t>(0x80 | k));
    while (k > 0) out.push_back(buf[--k]);
  }
  out.insert(out.end(), content.begin(), content.end());
}

std::optional<int> der_small_integer(const DerElement& e) {
  if (e.tag != kDerInteger || e.content.empty() || e.content.size() > 2) return std::nullopt;
  if (e.content[0] & 0x80) return std::nullopt;                                                   // negative
  if (e.content.size() == 2 && e.content[0] == 0 && !(e.content[1] & 0x80)) return std::nullopt;  // not minimal
  int v = 0;
  for (std::uint8_t b : e.content) v = v << 8 | b;
  return v;
}

}  // namespace antq::signing
