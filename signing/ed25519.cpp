// The operator's Ed25519 key (checkpoint notes): raw RFC 8032 signatures, PKCS#8 PEM files, encrypted (PBES2) or not.
#include <fcntl.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/ui.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

#include "signing/file.hpp"
#include "signing/openssl_util.hpp"

namespace antq::signing {

// One of `key` (in memory: generated or read from a file) and `token`.
struct Ed25519Key::Rep {
  EvpPkeyPtr key;
  std::unique_ptr<TokenEd25519Key> token;
  Storage storage = Storage::generated;
};

namespace {

[[noreturn]] void die(const char* what) {
  // Only reachable on allocation failure or an OpenSSL bug: a valid Ed25519 key always signs.
  std::fprintf(stderr, "antq: Ed25519 %s failed: %s\n", what, ssl_errors().c_str());
  std::abort();
}

// The PEM of `key`: PKCS#8, encrypted under `passphrase` as Ed25519Key::save says, or unencrypted.
Result<Bytes> encode_pkcs8(EVP_PKEY* key, const std::optional<std::string>& passphrase) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return io_error(i18n::Text("cannot encode the operator key: {}", ssl_errors()));
  if (!passphrase) {
    if (PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
      return io_error(i18n::Text("cannot encode the operator key: {}", ssl_errors()));
    return bio_bytes(bio.get());
  }
  if (passphrase->size() > static_cast<std::size_t>(INT_MAX))
    return bad_input(i18n::Text("the passphrase is too long"));
  // PEM_write_bio_PKCS8PrivateKey would take OpenSSL's default of 2048 PBKDF2 iterations: far too few.
  UniqueSsl<X509_ALGOR, X509_ALGOR_free> pbe(PKCS5_pbe2_set_iv_ex(EVP_aes_256_cbc(), kOperatorKeyIterations, nullptr,
                                                                  16, nullptr, NID_hmacWithSHA256, nullptr));
  UniqueSsl<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free> info(EVP_PKEY2PKCS8(key));
  if (!pbe || !info) return io_error(i18n::Text("cannot encode the operator key: {}", ssl_errors()));
  // PKCS8_set0_pbe takes `pbe` only when it succeeds.
  UniqueSsl<X509_SIG, X509_SIG_free> encrypted(
      PKCS8_set0_pbe(passphrase->data(), static_cast<int>(passphrase->size()), info.get(), pbe.get()));
  if (!encrypted) return io_error(i18n::Text("cannot encrypt the operator key: {}", ssl_errors()));
  (void)pbe.release();
  if (PEM_write_bio_PKCS8(bio.get(), encrypted.get()) != 1)
    return io_error(i18n::Text("cannot encode the operator key: {}", ssl_errors()));
  return bio_bytes(bio.get());
}

}  // namespace

Ed25519Key::Ed25519Key(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
Ed25519Key::Ed25519Key(Ed25519Key&&) noexcept = default;
Ed25519Key& Ed25519Key::operator=(Ed25519Key&&) noexcept = default;
Ed25519Key::~Ed25519Key() = default;

Result<Ed25519Key> Ed25519Key::generate() {
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) return io_error(i18n::Text("cannot generate an Ed25519 key: {}", ssl_errors()));
  auto rep = std::make_unique<Rep>();
  rep->key = std::move(key);
  return Ed25519Key(std::move(rep));
}

Result<Ed25519Key> Ed25519Key::load(const std::string& path) {
  if (path.starts_with("pkcs11:")) {
    auto token = load_token_ed25519_key(path);
    if (!token) return std::unexpected(token.error());
    auto rep = std::make_unique<Rep>();
    rep->token = std::move(*token);
    rep->storage = Storage::token;
    return Ed25519Key(std::move(rep));
  }
  auto file = read_user_file(path, kMaxKeyFileBytes, N_("operator key file"));
  if (!file) return std::unexpected(file.error());
  Bytes& pem = *file;
  auto read = read_pem_private_key(pem, "operator key " + path, kOperatorPassphraseVariable);
  OPENSSL_cleanse(pem.data(), pem.size());
  if (!read) return std::unexpected(read.error());
  EvpPkeyPtr key = std::move(read->key);
  if (!is_ed25519(key.get()))
    return bad_input(i18n::Text("operator key {} is {}, not Ed25519", path, key_description(key.get())));
  auto rep = std::make_unique<Rep>();
  rep->key = std::move(key);
  rep->storage = read->unencrypted ? Storage::unencrypted_file : Storage::encrypted_file;
  return Ed25519Key(std::move(rep));
}

Status Ed25519Key::save(const std::string& pem_path, const std::optional<std::string>& passphrase) const {
  if (rep_->token) return bad_input(i18n::Text("the operator key is on a token: it cannot be written to {}", pem_path));
  auto encoded = encode_pkcs8(rep_->key.get(), passphrase);
  if (!encoded) return std::unexpected(encoded.error());
  Bytes& pem = *encoded;
  int fd = ::open(pem_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    int err = errno;
    OPENSSL_cleanse(pem.data(), pem.size());
    if (err == EEXIST) return bad_input(i18n::Text("operator key {} already exists; not overwriting it", pem_path));
    return io_error(i18n::Text("cannot create operator key {}: {}", pem_path, std::strerror(err)));
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
    return io_error(i18n::Text("cannot write operator key {}: {}", pem_path, std::strerror(err)));
  }
  return {};
}

Ed25519Key::Storage Ed25519Key::storage() const { return rep_->storage; }

Result<std::string> new_operator_key_passphrase(const std::string& path) {
  if (const char* env = std::getenv(kOperatorPassphraseVariable); env != nullptr) {
    if (*env == '\0')
      return bad_input(
          i18n::Text("{} is empty: a key file needs a passphrase", std::string(kOperatorPassphraseVariable)));
    return std::string(env);
  }
  if (isatty(STDIN_FILENO) != 1)
    return bad_input(
        i18n::Text("the new operator key {} is encrypted with a passphrase: set {} (or run at a terminal to be asked)",
                   path, kOperatorPassphraseVariable));
  auto passphrase = ask_secret("Passphrase for the new operator key " + path + ": ", true);
  if (!passphrase) return bad_input(i18n::Text("operator key {}: the passphrase was not entered twice alike", path));
  if (passphrase->empty()) return bad_input(i18n::Text("operator key {}: an empty passphrase protects nothing", path));
  return std::move(*passphrase);
}

std::array<std::uint8_t, 32> Ed25519Key::public_key() const {
  if (rep_->token) return rep_->token->public_key();
  std::array<std::uint8_t, 32> out{};
  std::size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(rep_->key.get(), out.data(), &len) != 1 || len != out.size()) die("public key");
  return out;
}

Result<std::array<std::uint8_t, 64>> Ed25519Key::sign(ByteView message) const {
  if (rep_->token) return rep_->token->sign(message);
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
