// Keys on PKCS#11 tokens (USB tokens, smart cards, SoftHSM2), named by RFC 7512 URI, through libp11's "pkcs11"
// engine (Debian libengine-pkcs11-openssl). OpenSSL 3 deprecates engines, but Debian 12 ships no PKCS#11
// provider, and an engine key is an ordinary EVP_PKEY to CMS: the private key never leaves the token, each
// signature is a C_Sign on it.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/engine.h>
#include <openssl/ui.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "signing/openssl_util.hpp"

namespace antq::signing {

namespace {

constexpr const char* kPinVariable = "ANTQ_PKCS11_PIN";

// The engine, loaded and initialised once per process and kept to its end: libp11 initialises the PKCS#11
// module once, and keys loaded through it use it until they are freed.
Result<ENGINE*> pkcs11_engine() {
  static std::mutex mutex;
  static ENGINE* engine = nullptr;
  std::lock_guard lock(mutex);
  if (engine != nullptr) return engine;
  ENGINE* e = ENGINE_by_id("pkcs11");
  if (e == nullptr) {
    clear_ssl_errors();
    return bad_input(i18n::Text(
        "PKCS#11 keys need OpenSSL's pkcs11 engine: install libengine-pkcs11-openssl (tools/install-deps.sh does)"));
  }
  // Without a module path libp11 uses PKCS11_MODULE_PATH, else p11-kit's proxy, which reaches every module
  // registered with p11-kit (OpenSC for most tokens, SoftHSM2).
  if (const char* module = std::getenv(kPkcs11ModuleVariable); module != nullptr && *module != '\0') {
    if (ENGINE_ctrl_cmd_string(e, "MODULE_PATH", module, 0) != 1) {
      ENGINE_free(e);
      return bad_input(
          i18n::Text("cannot use PKCS#11 module {} ({}): {}", module, kPkcs11ModuleVariable, ssl_errors()));
    }
  }
  if (ENGINE_init(e) != 1) {
    std::string why = ssl_errors();
    ENGINE_free(e);
    return bad_input(i18n::Text("cannot start the PKCS#11 engine: {}", why));
  }
  ENGINE_free(e);  // ENGINE_init took a functional reference; it is the one kept
  engine = e;
  return engine;
}

// libp11 also prints some failures ("Login failed") on stderr; what OpenSSL's error queue holds is what we report,
// in one line. A prompt for the PIN goes to /dev/tty, not to stderr.
class QuietStderr {
 public:
  QuietStderr() {
    std::fflush(stderr);
    saved_ = dup(STDERR_FILENO);
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (saved_ >= 0 && null >= 0) dup2(null, STDERR_FILENO);
    if (null >= 0) close(null);
  }
  ~QuietStderr() {
    std::fflush(stderr);
    if (saved_ >= 0) {
      dup2(saved_, STDERR_FILENO);
      close(saved_);
    }
  }
  QuietStderr(const QuietStderr&) = delete;
  QuietStderr& operator=(const QuietStderr&) = delete;

 private:
  int saved_ = -1;
};

bool names_pin(const std::string& uri) {
  return uri.find("pin-value=") != std::string::npos || uri.find("pin-source=") != std::string::npos;
}

}  // namespace

std::string pkcs11_uri_shown(std::string uri) {
  for (std::size_t at = uri.find("pin-value="); at != std::string::npos; at = uri.find("pin-value=", at + 1)) {
    std::size_t begin = at + 10;
    std::size_t end = uri.find_first_of(";?&", begin);
    uri.replace(begin, (end == std::string::npos ? uri.size() : end) - begin, "***");
  }
  return uri;
}

Result<PrivateKey> load_pkcs11_key(const std::string& uri) {
  const std::string name = pkcs11_uri_shown(uri);
  const bool terminal = isatty(STDIN_FILENO) == 1;
  const char* pin = std::getenv(kPinVariable);
  if (pin == nullptr && !terminal && !names_pin(uri))
    return bad_input(
        i18n::Text("key {}: the token needs its PIN: set {} (or run at a terminal to be asked)", name, kPinVariable));
  auto engine = pkcs11_engine();
  if (!engine) return std::unexpected(engine.error());
  if (pin != nullptr && ENGINE_ctrl_cmd_string(*engine, "PIN", pin, 0) != 1)
    return bad_input(i18n::Text("key {}: cannot hand the PIN to the engine: {}", name, ssl_errors()));
  // At a terminal libp11 asks for a missing PIN through OpenSSL's UI.
  EVP_PKEY* key = nullptr;
  {
    QuietStderr quiet;
    key = ENGINE_load_private_key(*engine, uri.c_str(), terminal ? UI_OpenSSL() : nullptr, nullptr);
  }
  if (key == nullptr) {
    std::string why = ssl_errors();
    if (why.find("PIN") != std::string::npos || why.find("login") != std::string::npos ||
        why.find("LOGIN") != std::string::npos)
      return bad_input(i18n::Text("key {}: the token refused the PIN ({})", name, why));
    return bad_input(i18n::Text(
        "key {}: no such private key on any token ({}); list them with `pkcs11-tool --list-objects --type privkey`",
        name, why));
  }
  auto rep = std::make_unique<PrivateKey::Rep>();
  rep->key.reset(key);
  rep->spec = name;
  return PrivateKey(std::move(rep));
}

}  // namespace antq::signing
