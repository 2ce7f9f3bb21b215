// The operator's Ed25519 key on a PKCS#11 token (a USB token, a smart card, an HSM, SoftHSM2), through p11-kit.
//
// Why not OpenSSL's pkcs11 engine, as pkcs11.cpp uses for signers' keys: Debian 12's engine (libp11 0.4.12) knows
// RSA and EC keys only. It does not list a CKK_EC_EDWARDS key ("object not found"), and a token that holds one makes
// it fail to list any private key on that token at all ("Unable to enumerate private keys"). Debian 12 ships no
// PKCS#11 provider for OpenSSL 3 either. So this file speaks PKCS#11 itself, through p11-kit (Debian's module
// registry, libp11-kit): it finds the token and the key the RFC 7512 URI names, logs in, and asks the token for
// CKM_EDDSA signatures (PKCS#11 3.0 §2.3.14). The token computes them; the private key never leaves it. OpenSSL
// still checks every signature against the key's public half (ed25519_verify), and decodes the DER of CKA_EC_PARAMS
// and CKA_EC_POINT.
#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/ui.h>
#include <p11-kit/p11-kit.h>
#include <p11-kit/pkcs11.h>
#include <p11-kit/uri.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

#include "signing/openssl_util.hpp"

namespace antq::signing {
namespace {

// Not ANTQ_PKCS11_PIN, the signers' tokens' PIN: a command that appends may use a signer's token and the operator's
// token at once, and one PIN tried on the other would use up that token's retries until it locks.
constexpr const char* kOperatorPinVariable = "ANTQ_OPERATOR_PIN";

// "CKR_PIN_INCORRECT" and the like, for messages.
std::string rv_text(CK_RV rv) {
  const char* text = p11_kit_strerror(rv);
  return text != nullptr ? std::string(text) : "PKCS#11 error " + std::to_string(rv);
}

// A fixed-width PKCS#11 text field (blank-padded UTF-8), as shown to people.
std::string field(const CK_UTF8CHAR* text, std::size_t size) {
  std::string out(reinterpret_cast<const char*>(text), size);
  out.erase(out.find_last_not_of(' ') + 1);
  return out;
}

// The PKCS#11 modules, loaded and initialised once per process and finalised at its end: ANTQ_PKCS11_MODULE, else
// every module registered with p11-kit.
class Modules {
 public:
  static Result<const std::vector<CK_FUNCTION_LIST*>*> get() {
    static std::mutex mutex;
    static Modules modules;
    std::lock_guard lock(mutex);
    if (!modules.loaded_) {
      if (auto s = modules.load(); !s) return std::unexpected(s.error());
      modules.loaded_ = true;
    }
    return &modules.list_;
  }
  ~Modules() {
    if (single_ != nullptr) {
      p11_kit_module_finalize(single_);
      p11_kit_module_release(single_);
    }
    if (registered_ != nullptr) p11_kit_modules_finalize_and_release(registered_);
  }

 private:
  Status load() {
    if (const char* path = std::getenv(kPkcs11ModuleVariable); path != nullptr && *path != '\0') {
      single_ = p11_kit_module_load(path, 0);
      if (single_ == nullptr)
        return bad_input(i18n::Text("cannot load PKCS#11 module {} ({}): {}", path, kPkcs11ModuleVariable,
                                    (p11_kit_message() != nullptr ? p11_kit_message() : "unknown error")));
      // A module that another part of this process (OpenSSL's pkcs11 engine) has initialised already is usable.
      if (CK_RV rv = p11_kit_module_initialize(single_); rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        p11_kit_module_release(single_);
        single_ = nullptr;
        return bad_input(i18n::Text("cannot start PKCS#11 module {}: {}", path, rv_text(rv)));
      }
      list_.push_back(single_);
      return {};
    }
    registered_ = p11_kit_modules_load_and_initialize(0);
    if (registered_ == nullptr)
      return bad_input(i18n::Text("cannot load the PKCS#11 modules registered with p11-kit: {}",
                                  (p11_kit_message() != nullptr ? p11_kit_message() : "unknown error")));
    for (CK_FUNCTION_LIST** m = registered_; *m != nullptr; ++m) list_.push_back(*m);
    return {};
  }

  bool loaded_ = false;
  CK_FUNCTION_LIST* single_ = nullptr;
  CK_FUNCTION_LIST** registered_ = nullptr;
  std::vector<CK_FUNCTION_LIST*> list_;
};

struct UriDeleter {
  void operator()(P11KitUri* uri) const { p11_kit_uri_free(uri); }
};

// A token the URI matches.
struct Slot {
  CK_FUNCTION_LIST* module = nullptr;
  CK_SLOT_ID id = 0;
  CK_TOKEN_INFO info{};
};

// The value of attribute `type` of `object`; nullopt when the object has none (or the token will not say).
std::optional<Bytes> attribute(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
                               CK_ATTRIBUTE_TYPE type) {
  CK_ATTRIBUTE a{type, nullptr, 0};
  if (f->C_GetAttributeValue(session, object, &a, 1) != CKR_OK || a.ulValueLen == CK_UNAVAILABLE_INFORMATION ||
      a.ulValueLen > (1u << 16))
    return std::nullopt;
  Bytes value(a.ulValueLen);
  a.pValue = value.data();
  if (f->C_GetAttributeValue(session, object, &a, 1) != CKR_OK) return std::nullopt;
  value.resize(a.ulValueLen);
  return value;
}

// The objects matching `match`, at most `limit` of them.
Result<std::vector<CK_OBJECT_HANDLE>> find_objects(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE session,
                                                   std::vector<CK_ATTRIBUTE>& match, CK_ULONG limit) {
  if (CK_RV rv = f->C_FindObjectsInit(session, match.data(), match.size()); rv != CKR_OK)
    return io_error(i18n::Text("cannot search the token: {}", rv_text(rv)));
  std::vector<CK_OBJECT_HANDLE> found(limit);
  CK_ULONG n = 0;
  CK_RV rv = f->C_FindObjects(session, found.data(), limit, &n);
  f->C_FindObjectsFinal(session);
  if (rv != CKR_OK) return io_error(i18n::Text("cannot search the token: {}", rv_text(rv)));
  found.resize(n);
  return found;
}

// Whether DER CKA_EC_PARAMS name Ed25519: the OID 1.3.101.112 (RFC 8410), or the PrintableString "edwards25519"
// that PKCS#11 3.0 §2.3.10 also allows (and SoftHSM2 writes).
bool is_ed25519_params(const Bytes& der) {
  const unsigned char* p = der.data();
  if (UniqueSsl<ASN1_OBJECT, ASN1_OBJECT_free> oid(d2i_ASN1_OBJECT(nullptr, &p, static_cast<long>(der.size())));
      oid && p == der.data() + der.size())
    return OBJ_obj2nid(oid.get()) == NID_ED25519;
  p = der.data();
  UniqueSsl<ASN1_STRING, ASN1_STRING_free> name(d2i_ASN1_PRINTABLESTRING(nullptr, &p, static_cast<long>(der.size())));
  clear_ssl_errors();
  if (!name || p != der.data() + der.size()) return false;
  const std::string_view text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(name.get())),
                              static_cast<std::size_t>(ASN1_STRING_length(name.get())));
  return text == "edwards25519";
}

// The 32-byte public key of CKA_EC_POINT: a DER OCTET STRING (PKCS#11 3.0), or the raw bytes (some tokens).
std::optional<std::array<std::uint8_t, 32>> ed25519_point(const Bytes& value) {
  std::array<std::uint8_t, 32> out{};
  if (value.size() == out.size()) {
    std::memcpy(out.data(), value.data(), out.size());
    return out;
  }
  const unsigned char* p = value.data();
  UniqueSsl<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free> octets(
      d2i_ASN1_OCTET_STRING(nullptr, &p, static_cast<long>(value.size())));
  clear_ssl_errors();
  if (!octets || p != value.data() + value.size() || ASN1_STRING_length(octets.get()) != 32) return std::nullopt;
  std::memcpy(out.data(), ASN1_STRING_get0_data(octets.get()), out.size());
  return out;
}

class SessionKey final : public TokenEd25519Key {
 public:
  SessionKey(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE session) : f_(f), session_(session) {}
  ~SessionKey() override { f_->C_CloseSession(session_); }
  SessionKey(const SessionKey&) = delete;
  SessionKey& operator=(const SessionKey&) = delete;

  const std::array<std::uint8_t, 32>& public_key() const override { return public_key_; }

  Result<std::array<std::uint8_t, 64>> sign(ByteView message) const override {
    std::array<std::uint8_t, 64> out{};
    CK_MECHANISM mechanism{CKM_EDDSA, nullptr, 0};  // pure Ed25519: no parameters
    if (CK_RV rv = f_->C_SignInit(session_, &mechanism, key_); rv != CKR_OK)
      return io_error(i18n::Text("{}: the token cannot start an Ed25519 signature: {}", name_, rv_text(rv)));
    CK_ULONG length = out.size();
    if (CK_RV rv = f_->C_Sign(session_, const_cast<CK_BYTE*>(message.data()), message.size(), out.data(), &length);
        rv != CKR_OK)
      return io_error(i18n::Text("{}: the token did not sign: {}", name_, rv_text(rv)));
    if (length != out.size() || !ed25519_verify(public_key_, message, out))
      return io_error(i18n::Text("{}: the token's signature does not verify with its public key", name_));
    return out;
  }

  CK_FUNCTION_LIST* f_;
  CK_SESSION_HANDLE session_;
  CK_OBJECT_HANDLE key_ = 0;
  std::array<std::uint8_t, 32> public_key_{};
  std::string name_;
};

// The PIN for `token`: ANTQ_OPERATOR_PIN, else the URI's pin-value, else a prompt at the terminal.
Result<std::string> pin_for(const P11KitUri* uri, const std::string& name, const std::string& token) {
  if (const char* pin = std::getenv(kOperatorPinVariable); pin != nullptr) return std::string(pin);
  if (const char* pin = p11_kit_uri_get_pin_value(uri); pin != nullptr) return std::string(pin);
  if (isatty(STDIN_FILENO) != 1)
    return bad_input(i18n::Text("operator key {}: the token needs its PIN: set {} (or run at a terminal to be asked)",
                                name, kOperatorPinVariable));
  auto pin = ask_secret("PIN for token " + token + ": ", false);
  if (!pin) return bad_input(i18n::Text("operator key {}: no PIN given", name));
  return std::move(*pin);
}

}  // namespace

Result<std::unique_ptr<TokenEd25519Key>> load_token_ed25519_key(const std::string& text) {
  const std::string name = pkcs11_uri_shown(text);
  std::unique_ptr<P11KitUri, UriDeleter> uri(p11_kit_uri_new());
  if (int rc = p11_kit_uri_parse(text.c_str(), P11_KIT_URI_FOR_OBJECT_ON_TOKEN_AND_MODULE, uri.get());
      rc != P11_KIT_URI_OK)
    return bad_input(i18n::Text("operator key {}: not a PKCS#11 URI ({})", name, p11_kit_uri_message(rc)));
  if (CK_ATTRIBUTE* type = p11_kit_uri_get_attribute(uri.get(), CKA_CLASS);
      type != nullptr && (type->ulValueLen != sizeof(CK_OBJECT_CLASS) ||
                          *static_cast<const CK_OBJECT_CLASS*>(type->pValue) != CKO_PRIVATE_KEY))
    return bad_input(i18n::Text("operator key {}: names no private key (give type=private, or no type)", name));

  auto modules = Modules::get();
  if (!modules) return std::unexpected(modules.error());
  std::vector<Slot> slots;
  for (CK_FUNCTION_LIST* f : **modules) {
    CK_INFO info{};
    if (f->C_GetInfo(&info) != CKR_OK || p11_kit_uri_match_module_info(uri.get(), &info) != 1) continue;
    CK_ULONG count = 0;
    if (f->C_GetSlotList(CK_TRUE, nullptr, &count) != CKR_OK || count == 0) continue;
    std::vector<CK_SLOT_ID> ids(count);
    if (f->C_GetSlotList(CK_TRUE, ids.data(), &count) != CKR_OK) continue;
    ids.resize(count);
    for (CK_SLOT_ID id : ids) {
      Slot slot{f, id, {}};
      if (f->C_GetTokenInfo(id, &slot.info) == CKR_OK && (slot.info.flags & CKF_TOKEN_INITIALIZED) &&
          p11_kit_uri_match_token_info(uri.get(), &slot.info) == 1)
        slots.push_back(slot);
    }
  }
  if (slots.empty())
    return bad_input(i18n::Text(
        "operator key {}: no token matches it (is the token inserted? list tokens with `p11-kit list-modules`)", name));
  if (slots.size() > 1) {
    // Logging in to each with one PIN could lock a token that has another: the URI must say which.
    std::string labels;
    for (const Slot& s : slots) labels += (labels.empty() ? "" : ", ") + field(s.info.label, sizeof s.info.label);
    return bad_input(i18n::Text("operator key {}: {} tokens match it ({}): name one with token=", name,
                                std::to_string(slots.size()), labels));
  }
  const Slot& slot = slots.front();
  const std::string token = field(slot.info.label, sizeof slot.info.label);
  CK_FUNCTION_LIST* f = slot.module;

  CK_SESSION_HANDLE session = 0;
  if (CK_RV rv = f->C_OpenSession(slot.id, CKF_SERIAL_SESSION, nullptr, nullptr, &session); rv != CKR_OK)
    return bad_input(i18n::Text("operator key {}: cannot open a session with token {}: {}", name, token, rv_text(rv)));
  auto key = std::make_unique<SessionKey>(f, session);  // closes the session from here on
  key->name_ = name;
  if (slot.info.flags & CKF_LOGIN_REQUIRED) {
    auto pin = pin_for(uri.get(), name, token);
    if (!pin) return std::unexpected(pin.error());
    CK_RV rv = f->C_Login(session, CKU_USER, reinterpret_cast<CK_UTF8CHAR*>(pin->data()), pin->size());
    OPENSSL_cleanse(pin->data(), pin->size());
    if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LEN_RANGE)
      return bad_input(i18n::Text("operator key {}: token {} refused the PIN ({})", name, token, rv_text(rv)));
    if (rv == CKR_PIN_LOCKED)
      return bad_input(i18n::Text("operator key {}: the PIN of token {} is locked", name, token));
    if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
      return bad_input(i18n::Text("operator key {}: cannot log in to token {}: {}", name, token, rv_text(rv)));
  }

  // The private key: what the URI says of the object, and a private key.
  CK_ULONG n_attributes = 0;
  CK_ATTRIBUTE* named = p11_kit_uri_get_attributes(uri.get(), &n_attributes);
  std::vector<CK_ATTRIBUTE> match(named, named + n_attributes);
  CK_OBJECT_CLASS private_class = CKO_PRIVATE_KEY;
  if (p11_kit_uri_get_attribute(uri.get(), CKA_CLASS) == nullptr)
    match.push_back({CKA_CLASS, &private_class, sizeof private_class});
  auto found = find_objects(f, session, match, 2);
  if (!found) return std::unexpected(found.error());
  if (found->empty())
    return bad_input(i18n::Text(
        "operator key {}: no such private key on token {}; list them with `pkcs11-tool --list-objects --type privkey`",
        name, token));
  if (found->size() > 1)
    return bad_input(i18n::Text(
        "operator key {}: several private keys on token {} match it: name one with object= or id=", name, token));
  key->key_ = found->front();
  auto key_type = attribute(f, session, key->key_, CKA_KEY_TYPE);
  auto params = attribute(f, session, key->key_, CKA_EC_PARAMS);
  CK_KEY_TYPE type = 0;
  if (key_type && key_type->size() == sizeof type) std::memcpy(&type, key_type->data(), sizeof type);
  if (type != CKK_EC_EDWARDS || !params || !is_ed25519_params(*params))
    return bad_input(
        i18n::Text("operator key {}: not an Ed25519 key (the operator's key signs checkpoints with Ed25519: make one "
                   "with `pkcs11-tool --keypairgen --key-type EC:edwards25519`)",
                   name));

  // Its public half: the public key object with the same CKA_ID.
  auto id = attribute(f, session, key->key_, CKA_ID);
  if (!id || id->empty())
    return bad_input(i18n::Text("operator key {}: the private key has no CKA_ID to find its public key by", name));
  CK_OBJECT_CLASS public_class = CKO_PUBLIC_KEY;
  std::vector<CK_ATTRIBUTE> public_match{{CKA_CLASS, &public_class, sizeof public_class},
                                         {CKA_ID, id->data(), id->size()}};
  auto publics = find_objects(f, session, public_match, 2);
  if (!publics) return std::unexpected(publics.error());
  std::optional<std::array<std::uint8_t, 32>> point;
  if (publics->size() == 1)
    if (auto value = attribute(f, session, publics->front(), CKA_EC_POINT)) point = ed25519_point(*value);
  if (!point)
    return bad_input(
        i18n::Text("operator key {}: no Ed25519 public key object with the same CKA_ID on token {}", name, token));
  key->public_key_ = *point;

  // The pair belongs together, and the token signs with CKM_EDDSA: a test signature, checked with OpenSSL.
  static constexpr std::string_view kProbe = "antq operator key check\n";
  if (auto probe = key->sign(as_bytes(kProbe)); !probe)
    return bad_input(
        i18n::Text("{} (the public key object does not belong to the private key?)", text_of(probe.error())));
  return std::unique_ptr<TokenEd25519Key>(std::move(key));
}

}  // namespace antq::signing
