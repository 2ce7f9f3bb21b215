// Signing keys from PEM or PKCS#12 files, with the passphrase from ANTQ_KEY_PASSPHRASE or the terminal (tokens:
// pkcs11.cpp).
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/ui.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "signing/file.hpp"
#include "signing/openssl_util.hpp"

namespace antq::signing {

namespace {

constexpr const char* kPassphraseVariable = "ANTQ_KEY_PASSPHRASE";

}  // namespace

std::optional<Result<Pkcs12Parts>> read_pkcs12(ByteView data, const std::string& path) {
  if (looks_like_pem(data)) return std::nullopt;
  auto p12 = d2i_exact<PKCS12, d2i_PKCS12, PKCS12_free>(data);
  if (!p12) return std::nullopt;
  // The password: ANTQ_KEY_PASSPHRASE, else none (a file exported without one), else asked for at a terminal.
  std::string password;
  PassphraseState state{kPassphraseVariable, "PKCS#12 file " + path};
  const bool without_password = std::getenv(kPassphraseVariable) == nullptr &&
                                (PKCS12_verify_mac(p12.get(), "", 0) == 1 || PKCS12_verify_mac(p12.get(), nullptr, 0) == 1);
  clear_ssl_errors();
  if (!without_password) {
    char buf[1024];
    int n = passphrase_callback(buf, sizeof buf, 0, &state);
    if (n < 0)
      return Result<Pkcs12Parts>(
          bad_input(state.source == PassphraseState::Source::unavailable
                        ? i18n::Text("PKCS#12 file {} is protected: set {}", path, kPassphraseVariable)
                        : i18n::Text("PKCS#12 file {}: no password given", path)));
    password.assign(buf, static_cast<std::size_t>(n));
    OPENSSL_cleanse(buf, sizeof buf);
  }
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509)* ca = nullptr;
  int ok = PKCS12_parse(p12.get(), password.c_str(), &key, &cert, &ca);
  OPENSSL_cleanse(password.data(), password.size());
  if (ok != 1) {
    std::string why = ssl_errors();
    if (why.find("mac verify failure") == std::string::npos)
      return Result<Pkcs12Parts>(bad_input(i18n::Text("PKCS#12 file {}: {}", path, why)));
    return Result<Pkcs12Parts>(
        bad_input(state.source == PassphraseState::Source::environment
                      ? i18n::Text("PKCS#12 file {}: the passphrase in {} does not open it", path, kPassphraseVariable)
                      : i18n::Text("PKCS#12 file {}: wrong password", path)));
  }
  Pkcs12Parts parts;
  parts.key.reset(key);
  parts.without_password = without_password;
  if (cert != nullptr) {
    parts.certificates.push_back(x509_to_der(cert));
    X509_free(cert);
  }
  for (int i = 0; ca != nullptr && i < sk_X509_num(ca); ++i) parts.certificates.push_back(x509_to_der(sk_X509_value(ca, i)));
  sk_X509_pop_free(ca, X509_free);
  return Result<Pkcs12Parts>(std::move(parts));
}

PrivateKey::PrivateKey(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
PrivateKey::PrivateKey(PrivateKey&&) noexcept = default;
PrivateKey& PrivateKey::operator=(PrivateKey&&) noexcept = default;
PrivateKey::~PrivateKey() = default;

Result<PrivateKey> PrivateKey::load(const std::string& spec) {
  if (spec.starts_with("pkcs11:")) return load_pkcs11_key(spec);
  auto file = read_user_file(spec, kMaxKeyFileBytes, N_("key file"));
  if (!file) return std::unexpected(file.error());
  Bytes& pem = *file;

  if (auto p12 = read_pkcs12(pem, spec)) {
    OPENSSL_cleanse(pem.data(), pem.size());  // the file's bytes hold the key (encrypted or not): as for a PEM
    if (!*p12) return std::unexpected(p12->error());
    if (!(*p12)->key) return bad_input(i18n::Text("PKCS#12 file {} holds no private key", spec));
    auto rep = std::make_unique<Rep>();
    rep->key = std::move((*p12)->key);
    rep->spec = spec;
    rep->unencrypted_file = (*p12)->without_password;
    return PrivateKey(std::move(rep));
  }
  auto read = read_pem_private_key(pem, "key " + spec, kPassphraseVariable);
  OPENSSL_cleanse(pem.data(), pem.size());
  if (!read) return std::unexpected(read.error());
  auto rep = std::make_unique<Rep>();
  rep->key = std::move(read->key);
  rep->spec = spec;
  rep->unencrypted_file = read->unencrypted;
  return PrivateKey(std::move(rep));
}

bool PrivateKey::unencrypted_file() const { return rep_->unencrypted_file; }

}  // namespace antq::signing
