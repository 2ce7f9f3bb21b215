// The low-level SHA256_* calls avoid EVP context allocation on the Merkle hot path.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "signing/digest.hpp"
#include "signing/signing.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <new>

namespace antq {

Digest sha256(ByteView data) {
  // Not SHA256(): in OpenSSL 3 it fetches the algorithm on every call.
  return sha256({data});
}

Digest sha256(std::initializer_list<ByteView> parts) {
  SHA256_CTX ctx;  // the low-level API is the fastest path for small inputs (Merkle nodes)
  SHA256_Init(&ctx);
  for (ByteView p : parts) SHA256_Update(&ctx, p.data(), p.size());
  Digest out;
  SHA256_Final(out.data(), &ctx);
  return out;
}

struct Sha256Stream::Context {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Context() { EVP_MD_CTX_free(ctx); }
};

Sha256Stream::Sha256Stream() : context_(std::make_unique<Context>()) {
  // Failure here is the machine's (out of memory, a broken OpenSSL), not the input's.
  if (context_->ctx == nullptr || EVP_DigestInit_ex(context_->ctx, EVP_sha256(), nullptr) != 1) throw std::bad_alloc();
}

Sha256Stream::~Sha256Stream() = default;

void Sha256Stream::update(ByteView piece) {
  if (EVP_DigestUpdate(context_->ctx, piece.data(), piece.size()) != 1) throw std::bad_alloc();
}

Digest Sha256Stream::finish() {
  Digest out{};
  unsigned int n = 0;
  if (EVP_DigestFinal_ex(context_->ctx, out.data(), &n) != 1 || n != out.size()) throw std::bad_alloc();
  return out;
}

std::string to_hex(ByteView data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(data.size() * 2, '0');
  for (std::size_t i = 0; i < data.size(); ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 15];
  }
  return out;
}

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<Bytes> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  Bytes out(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return out;
}

std::optional<Digest> digest_from_hex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  auto bytes = from_hex(hex);
  if (!bytes) return std::nullopt;
  Digest d{};
  std::copy(bytes->begin(), bytes->end(), d.begin());
  return d;
}

std::string to_base64(ByteView data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(), static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<Bytes> from_base64(std::string_view b64) {
  if (b64.size() % 4 != 0) return std::nullopt;
  for (char c : b64) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
    if (!ok) return std::nullopt;
  }
  std::size_t pad = 0;
  while (pad < b64.size() && pad < 2 && b64[b64.size() - 1 - pad] == '=') ++pad;
  if (b64.substr(0, b64.size() - pad).find('=') != std::string_view::npos) return std::nullopt;
  Bytes out(b64.size() / 4 * 3);
  if (b64.empty()) return out;
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<std::size_t>(n) - pad);
  // Reject non-canonical encodings (stray bits in the last character) by re-encoding.
  if (to_base64(out) != b64) return std::nullopt;
  return out;
}

std::string signing::openssl_version() { return OpenSSL_version(OPENSSL_VERSION); }

}  // namespace antq
