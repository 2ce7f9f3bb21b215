// SHA-256 and hex/base64 helpers. Thread-safe; no state.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace antq {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
using Digest = std::array<std::uint8_t, 32>;

inline ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view as_chars(ByteView b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

// SHA-256 of the concatenation of the parts (any of which may be empty).
Digest sha256(ByteView data);
Digest sha256(std::initializer_list<ByteView> parts);

// SHA-256 of bytes given in pieces (a file read in chunks), through OpenSSL's EVP. Not thread-safe; one object per
// stream.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void update(ByteView piece);
  // The digest of every piece given. REQUIRES: called once, after the last update.
  Digest finish();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

// Hash for unordered containers of digests: SHA-256 output is uniform, so its first eight bytes are a good hash.
struct DigestHash {
  std::size_t operator()(const Digest& d) const noexcept {
    std::size_t h;
    std::memcpy(&h, d.data(), sizeof h);
    return h;
  }
};

std::string to_hex(ByteView data);  // lower case
std::optional<Bytes> from_hex(std::string_view hex);
std::optional<Digest> digest_from_hex(std::string_view hex);  // exactly 64 hex digits
std::string to_base64(ByteView data);  // standard alphabet, padded, one line
std::optional<Bytes> from_base64(std::string_view b64);  // strict: rejects junk and bad padding

}  // namespace antq
