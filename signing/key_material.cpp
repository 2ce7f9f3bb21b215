// Private key material among the bytes of a document: what an attachment must never be (issue 18 point 3). An act
// naming the signer's own key file as an attachment would copy the key into the append-only log and every export.
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <climits>
#include <string_view>

#include "signing/openssl_util.hpp"

namespace antq::signing {

namespace {

// The label of the first PEM block whose label names a private key ("-----BEGIN RSA PRIVATE KEY-----" gives
// "RSA PRIVATE KEY"), anywhere in `s`; empty when there is none. One pass over `s`: each "-----BEGIN " is looked at
// once, its label being the rest of its line up to the closing dashes (RFC 7468 §2).
std::string_view private_key_pem_label(std::string_view s) {
  constexpr std::string_view kBegin = "-----BEGIN ";
  constexpr std::size_t kLongestLabel = 80;
  for (std::size_t at = s.find(kBegin); at != std::string_view::npos; at = s.find(kBegin, at + 1)) {
    const std::string_view rest = s.substr(at + kBegin.size(), kLongestLabel + 5);
    const std::size_t end = rest.find("-----");
    if (end == std::string_view::npos) continue;
    const std::string_view label = rest.substr(0, end);
    if (label.find('\n') != std::string_view::npos) continue;
    if (label.find("PRIVATE KEY") != std::string_view::npos) return label;
  }
  return {};
}

bool is_password_based_encryption(const X509_ALGOR* algorithm) {
  const ASN1_OBJECT* oid = nullptr;
  X509_ALGOR_get0(&oid, nullptr, nullptr, algorithm);
  const int nid = OBJ_obj2nid(oid);
  return nid != NID_undef && EVP_PBE_find(EVP_PBE_TYPE_OUTER, nid, nullptr, nullptr, nullptr) == 1;
}

// The DER structures that hold a private key, decoded by OpenSSL from the start of `der` (bytes may follow).
template <class T, T* (*D2i)(T**, const unsigned char**, long), void (*Free)(T*)>
UniqueSsl<T, Free> d2i_prefix(ByteView der) {
  const unsigned char* p = der.data();
  UniqueSsl<T, Free> out(D2i(nullptr, &p, static_cast<long>(der.size())));
  clear_ssl_errors();
  return out;
}

}  // namespace

std::optional<std::string> private_key_material(ByteView content) {
  if (auto label = private_key_pem_label(as_chars(content)); !label.empty())
    return "it holds a private key (a PEM block \"-----BEGIN " + std::string(label) + "-----\")";
  // Every DER form of a key is a SEQUENCE; anything else (PDF, images, text) is not looked at further.
  if (content.empty() || content[0] != 0x30 || content.size() > static_cast<std::size_t>(LONG_MAX)) return std::nullopt;
  if (d2i_prefix<PKCS8_PRIV_KEY_INFO, d2i_PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>(content))
    return "it is a private key (DER PKCS#8 PrivateKeyInfo)";
  if (auto sig = d2i_prefix<X509_SIG, d2i_X509_SIG, X509_SIG_free>(content)) {
    const X509_ALGOR* algorithm = nullptr;
    X509_SIG_get0(sig.get(), &algorithm, nullptr);
    if (is_password_based_encryption(algorithm))
      return "it is an encrypted private key (DER PKCS#8 EncryptedPrivateKeyInfo)";
  }
  if (d2i_prefix<PKCS12, d2i_PKCS12, PKCS12_free>(content)) return "it is a PKCS#12 key store (.p12/.pfx)";
  {
    const unsigned char* p = content.data();
    EvpPkeyPtr key(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(content.size())));
    clear_ssl_errors();
    if (key) return "it is a private key (DER " + key_description(key.get()) + ")";
  }
  return std::nullopt;
}

}  // namespace antq::signing
