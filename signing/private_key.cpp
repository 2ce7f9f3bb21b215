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

// What the passphrase callback did, so that a failed load can say why.
struct PassphraseState {
  const std::string* spec = nullptr;
  enum class Source { none_asked, environment, terminal, unavailable } source = Source::none_asked;
};

int passphrase_callback(char* buf, int size, int /*rwflag*/, void* userdata) {
  auto* state = static_cast<PassphraseState*>(userdata);
  if (const char* env = std::getenv(kPassphraseVariable); env != nullptr) {
    state->source = PassphraseState::Source::environment;
    std::size_t n = std::strlen(env);
    if (n > static_cast<std::size_t>(size)) return -1;
    std::memcpy(buf, env, n);
    return static_cast<int>(n);
  }
  if (isatty(STDIN_FILENO) == 1) {
    state->source = PassphraseState::Source::terminal;
    std::string prompt = "Passphrase for key " + *state->spec + ": ";
    if (EVP_read_pw_string(buf, size, prompt.c_str(), 0) != 0) return -1;
    return static_cast<int>(std::strlen(buf));
  }
  state->source = PassphraseState::Source::unavailable;
  return -1;
}

}  // namespace

std::optional<Result<Pkcs12Parts>> read_pkcs12(ByteView data, const std::string& path) {
  if (looks_like_pem(data)) return std::nullopt;
  auto p12 = d2i_exact<PKCS12, d2i_PKCS12, PKCS12_free>(data);
  if (!p12) return std::nullopt;
  // The password: ANTQ_KEY_PASSPHRASE, else none (a file exported without one), else asked for at a terminal.
  std::string password;
  PassphraseState state{&path};
  const bool without_password = std::getenv(kPassphraseVariable) == nullptr &&
                                (PKCS12_verify_mac(p12.get(), "", 0) == 1 || PKCS12_verify_mac(p12.get(), nullptr, 0) == 1);
  clear_ssl_errors();
  if (!without_password) {
    char buf[1024];
    int n = passphrase_callback(buf, sizeof buf, 0, &state);
    if (n < 0)
      return Result<Pkcs12Parts>(bad_input(state.source == PassphraseState::Source::unavailable
                                               ? "PKCS#12 file " + path + " is protected: set " + kPassphraseVariable
                                               : "PKCS#12 file " + path + ": no password given"));
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
    return Result<Pkcs12Parts>(bad_input(
        "PKCS#12 file " + path + ": " +
        (why.find("mac verify failure") != std::string::npos
             ? std::string(state.source == PassphraseState::Source::environment
                                   ? "the passphrase in " + std::string(kPassphraseVariable) + " does not open it"
                                   : "wrong password")
             : why)));
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
  auto file = read_user_file(spec, kMaxKeyFileBytes, "key file");
  if (!file) return std::unexpected(file.error());
  Bytes& pem = *file;

  if (auto p12 = read_pkcs12(pem, spec)) {
    if (!*p12) return std::unexpected(p12->error());
    if (!(*p12)->key) return bad_input("PKCS#12 file " + spec + " holds no private key");
    auto rep = std::make_unique<Rep>();
    rep->key = std::move((*p12)->key);
    rep->spec = spec;
    rep->unencrypted_file = (*p12)->without_password;
    return PrivateKey(std::move(rep));
  }
  BioPtr bio = memory_bio(pem);
  PassphraseState state{&spec};
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, passphrase_callback, &state));
  OPENSSL_cleanse(pem.data(), pem.size());
  if (!key) {
    std::string why = ssl_errors();
    switch (state.source) {
      case PassphraseState::Source::unavailable:
        return bad_input("key " + spec + " is encrypted: set " + kPassphraseVariable);
      case PassphraseState::Source::environment:
        return bad_input("key " + spec + ": the passphrase in " + kPassphraseVariable + " does not decrypt it");
      case PassphraseState::Source::terminal:
        return bad_input("key " + spec + ": wrong passphrase");
      case PassphraseState::Source::none_asked:
        break;
    }
    return bad_input("key " + spec + " holds no PEM private key (" + why + ")");
  }
  auto rep = std::make_unique<Rep>();
  rep->key = std::move(key);
  rep->spec = spec;
  rep->unencrypted_file = state.source == PassphraseState::Source::none_asked;  // no passphrase was needed
  return PrivateKey(std::move(rep));
}

bool PrivateKey::unencrypted_file() const { return rep_->unencrypted_file; }

}  // namespace antq::signing
