// Signing keys from PEM files, with the passphrase from ANTQ_KEY_PASSPHRASE or the terminal (tokens: pkcs11.cpp).
#include <openssl/pem.h>
#include <openssl/ui.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

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

PrivateKey::PrivateKey(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
PrivateKey::PrivateKey(PrivateKey&&) noexcept = default;
PrivateKey& PrivateKey::operator=(PrivateKey&&) noexcept = default;
PrivateKey::~PrivateKey() = default;

Result<PrivateKey> PrivateKey::load(const std::string& spec) {
  if (spec.starts_with("pkcs11:")) return load_pkcs11_key(spec);
  std::ifstream in(spec, std::ios::binary);
  if (!in) return bad_input("cannot read key " + spec + ": " + std::strerror(errno));
  Bytes pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return bad_input("cannot read key " + spec + ": " + std::strerror(errno));

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
  return PrivateKey(std::move(rep));
}

}  // namespace antq::signing
