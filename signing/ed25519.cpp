// The operator's Ed25519 key (checkpoint notes): raw RFC 8032 signatures, PKCS#8 PEM files.
#include <fcntl.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

#include "signing/file.hpp"
#include "signing/openssl_util.hpp"

namespace antq::signing {

struct Ed25519Key::Rep {
  EvpPkeyPtr key;
};

namespace {

// Refuses to prompt: an operator key is read unattended.
int no_passphrase(char*, int, int, void*) { return -1; }

[[noreturn]] void die(const char* what) {
  // Only reachable on allocation failure or an OpenSSL bug: a valid Ed25519 key always signs.
  std::fprintf(stderr, "antq: Ed25519 %s failed: %s\n", what, ssl_errors().c_str());
  std::abort();
}

}  // namespace

Ed25519Key::Ed25519Key(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
Ed25519Key::Ed25519Key(Ed25519Key&&) noexcept = default;
Ed25519Key& Ed25519Key::operator=(Ed25519Key&&) noexcept = default;
Ed25519Key::~Ed25519Key() = default;

Result<Ed25519Key> Ed25519Key::generate() {
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) return io_error("cannot generate an Ed25519 key: " + ssl_errors());
  auto rep = std::make_unique<Rep>();
  rep->key = std::move(key);
  return Ed25519Key(std::move(rep));
}

Result<Ed25519Key> Ed25519Key::load(const std::string& pem_path) {
  auto file = read_user_file(pem_path, kMaxKeyFileBytes, "operator key file");
  if (!file) return std::unexpected(file.error());
  Bytes& pem = *file;
  BioPtr bio = memory_bio(pem);
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  OPENSSL_cleanse(pem.data(), pem.size());
  if (!key)
    return bad_input("operator key " + pem_path + " holds no unencrypted PEM private key (" + ssl_errors() + ")");
  if (!is_ed25519(key.get()))
    return bad_input("operator key " + pem_path + " is " + key_description(key.get()) + ", not Ed25519");
  auto rep = std::make_unique<Rep>();
  rep->key = std::move(key);
  return Ed25519Key(std::move(rep));
}

Status Ed25519Key::save(const std::string& pem_path) const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), rep_->key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return io_error("cannot encode the operator key: " + ssl_errors());
  Bytes pem = bio_bytes(bio.get());
  int fd = ::open(pem_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    int err = errno;
    OPENSSL_cleanse(pem.data(), pem.size());
    if (err == EEXIST) return bad_input("operator key " + pem_path + " already exists; not overwriting it");
    return io_error("cannot create operator key " + pem_path + ": " + std::strerror(err));
  }
  std::size_t done = 0;
  int err = 0;
  while (done < pem.size()) {
    ssize_t n = ::write(fd, pem.data() + done, pem.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  OPENSSL_cleanse(pem.data(), pem.size());
  if (err != 0) {
    ::unlink(pem_path.c_str());  // no half-written key left behind
    return io_error("cannot write operator key " + pem_path + ": " + std::strerror(err));
  }
  return {};
}

std::array<std::uint8_t, 32> Ed25519Key::public_key() const {
  std::array<std::uint8_t, 32> out{};
  std::size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(rep_->key.get(), out.data(), &len) != 1 || len != out.size()) die("public key");
  return out;
}

std::array<std::uint8_t, 64> Ed25519Key::sign(ByteView message) const {
  std::array<std::uint8_t, 64> out{};
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  std::size_t len = out.size();
  if (!ctx || EVP_DigestSignInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, rep_->key.get(), nullptr) != 1 ||
      EVP_DigestSign(ctx.get(), out.data(), &len, message.data(), message.size()) != 1 || len != out.size())
    die("signing");
  return out;
}

bool ed25519_verify(ByteView public_key, ByteView message, ByteView signature) {
  if (public_key.size() != 32 || signature.size() != 64) return false;
  EvpPkeyPtr key(EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr, public_key.data(), public_key.size()));
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  bool ok = key && ctx &&
            EVP_DigestVerifyInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, key.get(), nullptr) == 1 &&
            EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(), message.size()) == 1;
  clear_ssl_errors();
  return ok;
}

}  // namespace antq::signing
