#include "signing/openssl_util.hpp"

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/ui.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace antq::signing {

std::string ssl_errors() {
  std::string out;
  const char* data = nullptr;
  int flags = 0;
  while (unsigned long e = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) {
    if (!out.empty()) out += "; ";
    const char* reason = ERR_reason_error_string(e);
    if (reason != nullptr) {
      out += reason;
    } else {
      char buf[256];
      ERR_error_string_n(e, buf, sizeof buf);
      out += buf;
    }
    if ((flags & ERR_TXT_STRING) != 0 && data != nullptr && *data != '\0') {
      out += " (";
      out += data;
      out += ")";
    }
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

void clear_ssl_errors() { ERR_clear_error(); }

BioPtr memory_bio(ByteView data) {
  // BIO_new_mem_buf wants a non-null pointer even for empty input.
  static const std::uint8_t kEmpty = 0;
  const void* p = data.empty() ? &kEmpty : data.data();
  return BioPtr(BIO_new_mem_buf(p, static_cast<int>(data.size())));
}

Bytes bio_bytes(BIO* bio) {
  char* p = nullptr;
  long n = BIO_get_mem_data(bio, &p);
  if (n <= 0 || p == nullptr) return {};
  return Bytes(reinterpret_cast<const std::uint8_t*>(p), reinterpret_cast<const std::uint8_t*>(p) + n);
}

std::string bio_string(BIO* bio) {
  char* p = nullptr;
  long n = BIO_get_mem_data(bio, &p);
  if (n <= 0 || p == nullptr) return {};
  return std::string(p, static_cast<std::size_t>(n));
}

bool looks_like_pem(ByteView data) {
  std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  return text.find("-----BEGIN ") != std::string_view::npos;
}

X509Ptr x509_from_der(ByteView der) { return d2i_exact<X509, d2i_X509, X509_free>(der); }

X509CrlPtr crl_from_der(ByteView der) { return d2i_exact<X509_CRL, d2i_X509_CRL, X509_CRL_free>(der); }

Bytes x509_to_der(const X509* cert) { return der_bytes(cert, i2d_X509); }

Digest x509_fingerprint(const X509* cert) { return sha256(x509_to_der(cert)); }

std::optional<UnixTime> asn1_time_to_unix(const ASN1_TIME* t) {
  if (t == nullptr) return std::nullopt;
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) {
    clear_ssl_errors();
    return std::nullopt;
  }
  return static_cast<UnixTime>(timegm(&tm));
}

Asn1TimePtr unix_to_asn1_time(UnixTime t) { return Asn1TimePtr(ASN1_TIME_adj(nullptr, static_cast<time_t>(t), 0, 0)); }

std::string name_to_string(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) {
    clear_ssl_errors();
    return "?";
  }
  return bio_string(bio.get());
}

std::string short_subject(const X509* cert) {
  const X509_NAME* name = X509_get_subject_name(cert);
  int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (i >= 0) {
    const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    unsigned char* utf8 = nullptr;
    int n = ASN1_STRING_to_UTF8(&utf8, value);
    if (n >= 0) {
      std::string out = "CN=" + std::string(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
      OPENSSL_free(utf8);
      return out;
    }
    clear_ssl_errors();
  }
  return name_to_string(name);
}

namespace {

std::string group_name(const EVP_PKEY* key) {
  char buf[80] = {};
  std::size_t len = 0;
  if (EVP_PKEY_get_group_name(key, buf, sizeof buf, &len) != 1) {
    clear_ssl_errors();
    return "unknown curve";
  }
  std::string name(buf, len);
  if (name == "prime256v1" || name == "P-256") return "P-256";
  if (name == "secp384r1" || name == "P-384") return "P-384";
  if (name == "secp521r1" || name == "P-521") return "P-521";
  return name;
}

}  // namespace

bool is_ed25519(const EVP_PKEY* key) { return EVP_PKEY_is_a(key, "ED25519") == 1; }

std::string key_description(const EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "RSA-PSS")) return "RSA-PSS-" + std::to_string(EVP_PKEY_get_bits(key));
  if (EVP_PKEY_is_a(key, "RSA")) return "RSA-" + std::to_string(EVP_PKEY_get_bits(key));
  if (EVP_PKEY_is_a(key, "EC")) return "ECDSA-" + group_name(key);
  if (EVP_PKEY_is_a(key, "ED25519")) return "Ed25519";
  if (EVP_PKEY_is_a(key, "ED448")) return "Ed448";
  if (EVP_PKEY_is_a(key, "DSA")) return "DSA-" + std::to_string(EVP_PKEY_get_bits(key));
  const char* name = EVP_PKEY_get0_type_name(key);
  return name != nullptr ? name : "unknown";
}

std::optional<std::string> key_policy_violation(const EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS")) {
    if (EVP_PKEY_get_bits(key) >= 2048) return std::nullopt;
    return key_description(key) + " is too small (RSA keys must have at least 2048 bits)";
  }
  if (EVP_PKEY_is_a(key, "EC")) {
    std::string curve = group_name(key);
    if (curve == "P-256" || curve == "P-384") return std::nullopt;
    return key_description(key) + " is not allowed (ECDSA keys must be on P-256 or P-384)";
  }
  if (is_ed25519(key)) return std::nullopt;
  return key_description(key) + " keys are not allowed (only RSA >= 2048, ECDSA P-256/P-384 and Ed25519)";
}

const EVP_MD* allowed_digest(int nid) {
  // Explicit fetches once per process: implicit fetches by EVP_sha256() cost a lookup on every use.
  static const EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  static const EVP_MD* const kSha384 = EVP_MD_fetch(nullptr, "SHA2-384", nullptr);
  static const EVP_MD* const kSha512 = EVP_MD_fetch(nullptr, "SHA2-512", nullptr);
  switch (nid) {
    case NID_sha256:
      return kSha256;
    case NID_sha384:
      return kSha384;
    case NID_sha512:
      return kSha512;
    default:
      return nullptr;
  }
}

std::string digest_display_name(int nid) {
  switch (nid) {
    case NID_sha256:
      return "SHA-256";
    case NID_sha384:
      return "SHA-384";
    case NID_sha512:
      return "SHA-512";
    case NID_sha1:
      return "SHA-1";
    case NID_md5:
      return "MD5";
    case NID_undef:
      return "an unknown digest";
    default: {
      const char* sn = OBJ_nid2sn(nid);
      return sn != nullptr ? sn : "an unknown digest";
    }
  }
}

namespace {

void append_der_length(Bytes& out, std::size_t n) {
  if (n < 0x80) {
    out.push_back(static_cast<std::uint8_t>(n));
    return;
  }
  std::uint8_t buf[sizeof(std::size_t)];
  int k = 0;
  for (std::size_t v = n; v != 0; v >>= 8) buf[k++] = static_cast<std::uint8_t>(v & 0xff);
  out.push_back(static_cast<std::uint8_t>(0x80 | k));
  while (k > 0) out.push_back(buf[--k]);
}

}  // namespace

std::optional<Bytes> signed_attributes_der(CMS_SignerInfo* si) {
  int count = CMS_signed_get_attr_count(si);
  if (count <= 0) return std::nullopt;
  std::vector<Bytes> encodings;
  encodings.reserve(static_cast<std::size_t>(count));
  std::size_t total = 0;
  for (int i = 0; i < count; ++i) {
    const X509_ATTRIBUTE* attr = CMS_signed_get_attr(si, i);
    int n = i2d_X509_ATTRIBUTE(attr, nullptr);
    if (n <= 0) {
      clear_ssl_errors();
      return std::nullopt;
    }
    Bytes enc(static_cast<std::size_t>(n));
    unsigned char* p = enc.data();
    i2d_X509_ATTRIBUTE(attr, &p);
    total += enc.size();
    encodings.push_back(std::move(enc));
  }
  // DER orders SET OF elements by their encodings, a shorter prefix first (X.690 §11.6): std::vector's lexicographic
  // order, written out because GCC 12 at -O3 misjudges the bound of the memcmp inside operator< (stringop-overread).
  std::sort(encodings.begin(), encodings.end(), [](const Bytes& a, const Bytes& b) {
    const std::size_t n = std::min(a.size(), b.size());
    const int c = n == 0 ? 0 : std::memcmp(a.data(), b.data(), n);
    return c != 0 ? c < 0 : a.size() < b.size();
  });
  Bytes out;
  out.reserve(total + 6);
  out.push_back(V_ASN1_SET | V_ASN1_CONSTRUCTED);
  append_der_length(out, total);
  for (const Bytes& e : encodings) out.insert(out.end(), e.begin(), e.end());
  return out;
}

const ASN1_TYPE* single_signed_attribute(CMS_SignerInfo* si, int nid) {
  int at = CMS_signed_get_attr_by_NID(si, nid, -1);
  if (at < 0) return nullptr;
  if (CMS_signed_get_attr_by_NID(si, nid, at) >= 0) return nullptr;  // the attribute twice
  X509_ATTRIBUTE* attr = CMS_signed_get_attr(si, at);
  if (X509_ATTRIBUTE_count(attr) != 1) return nullptr;
  return X509_ATTRIBUTE_get0_type(attr, 0);
}

int passphrase_callback(char* buf, int size, int /*rwflag*/, void* userdata) {
  auto* state = static_cast<PassphraseState*>(userdata);
  if (const char* env = std::getenv(state->variable); env != nullptr) {
    state->source = PassphraseState::Source::environment;
    std::size_t n = std::strlen(env);
    if (n > static_cast<std::size_t>(size)) return -1;
    std::memcpy(buf, env, n);
    return static_cast<int>(n);
  }
  if (isatty(STDIN_FILENO) == 1) {
    state->source = PassphraseState::Source::terminal;
    const std::string prompt = "Passphrase for " + state->name + ": ";
    if (EVP_read_pw_string(buf, size, prompt.c_str(), 0) != 0) return -1;
    return static_cast<int>(std::strlen(buf));
  }
  state->source = PassphraseState::Source::unavailable;
  return -1;
}

std::optional<std::string> ask_secret(const std::string& prompt, bool twice) {
  char buf[1024];
  const int rc = EVP_read_pw_string(buf, sizeof buf, prompt.c_str(), twice ? 1 : 0);
  std::string secret(rc == 0 ? buf : "");
  OPENSSL_cleanse(buf, sizeof buf);
  clear_ssl_errors();
  if (rc != 0) return std::nullopt;
  return secret;
}

Result<PemPrivateKey> read_pem_private_key(ByteView pem, const std::string& name, const char* variable) {
  BioPtr bio = memory_bio(pem);
  PassphraseState state{variable, name};
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, passphrase_callback, &state));
  if (!key) {
    std::string why = ssl_errors();
    switch (state.source) {
      case PassphraseState::Source::unavailable:
        return bad_input(i18n::Text("{} is encrypted: set {} (or run at a terminal to be asked)", name, variable));
      case PassphraseState::Source::environment:
        return bad_input(i18n::Text("{}: the passphrase in {} does not decrypt it", name, variable));
      case PassphraseState::Source::terminal:
        return bad_input(i18n::Text("{}: wrong passphrase", name));
      case PassphraseState::Source::none_asked:
        break;
    }
    return bad_input(i18n::Text("{} holds no PEM private key ({})", name, why));
  }
  return PemPrivateKey{std::move(key), state.source == PassphraseState::Source::none_asked};
}

}  // namespace antq::signing
