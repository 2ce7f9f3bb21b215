// Private to signing/: owning handles for OpenSSL objects and the small conversions every file of the
// component needs (DER <-> objects, ASN1_TIME <-> UnixTime, names, key descriptions, the error queue).
// Nothing outside signing/ and its tests (tests/signing/, the cms fuzz target) includes this header.
#pragma once

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "signing/signing.hpp"

namespace antq::signing {

// unique_ptr with an OpenSSL free function: UniqueSsl<X509, X509_free>.
template <class T, void (*Free)(T*)>
struct SslDeleter {
  void operator()(T* p) const { Free(p); }
};
template <class T, void (*Free)(T*)>
using UniqueSsl = std::unique_ptr<T, SslDeleter<T, Free>>;

namespace detail {
inline void free_x509_stack(STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); }
inline void free_crl_stack(STACK_OF(X509_CRL) * s) { sk_X509_CRL_pop_free(s, X509_CRL_free); }
inline void free_bio(BIO* b) { BIO_free_all(b); }
inline void free_name_stack(STACK_OF(X509_NAME) * s) { sk_X509_NAME_pop_free(s, X509_NAME_free); }
}  // namespace detail

using BioPtr = UniqueSsl<BIO, detail::free_bio>;
using X509Ptr = UniqueSsl<X509, X509_free>;
using X509CrlPtr = UniqueSsl<X509_CRL, X509_CRL_free>;
using X509StackPtr = UniqueSsl<STACK_OF(X509), detail::free_x509_stack>;
using X509StorePtr = UniqueSsl<X509_STORE, X509_STORE_free>;
using X509StoreCtxPtr = UniqueSsl<X509_STORE_CTX, X509_STORE_CTX_free>;
using EvpPkeyPtr = UniqueSsl<EVP_PKEY, EVP_PKEY_free>;
using EvpPkeyCtxPtr = UniqueSsl<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using EvpMdCtxPtr = UniqueSsl<EVP_MD_CTX, EVP_MD_CTX_free>;
using CmsPtr = UniqueSsl<CMS_ContentInfo, CMS_ContentInfo_free>;
using Asn1TimePtr = UniqueSsl<ASN1_TIME, ASN1_TIME_free>;

// Pushes `c` onto `to`, which then holds a reference of its own; nothing when that fails.
inline void push_held(STACK_OF(X509) * to, X509* c) {
  if (X509_up_ref(c) == 1 && sk_X509_push(to, c) <= 0) X509_free(c);
}
// Pushes those of `from` that are not in `excluded` onto `to`, in order (push_held).
inline void push_held_except(STACK_OF(X509) * to, STACK_OF(X509) * from, const std::vector<X509*>& excluded) {
  for (int i = 0; i < sk_X509_num(from); ++i)
    if (X509* c = sk_X509_value(from, i); std::find(excluded.begin(), excluded.end(), c) == excluded.end())
      push_held(to, c);
}

// Those of `offered` (CA certificates of any origin) that chain to a root of `store` through the others that do, by
// signatures (at OpenSSL's security level `auth_level`; none when negative), at any time (a chain built through them
// later checks validity at its own time). OpenSSL builds a chain from the first issuer it finds by name and key
// identifier and does not try another when that one then fails: a certificate that copies a CA's name and key
// identifier (or its key, under a root of the same name) would hide the CA from every chain through it. Each
// certificate's chain is built with build_chain (below), through those taken before. Chains are built from what this
// returns first (`chained`); `unchained` (the rest, in the order offered) may serve only after the certificates a
// signature carries or a client sends (Verifier::verify, the TLS server).
struct ChainedIntermediates {
  X509StackPtr chained, unchained;
};
ChainedIntermediates chained_intermediates(X509_STORE* store, STACK_OF(X509) * offered, int auth_level);

// A chain of `cert` to a root of `store`, built through the untrusted certificates `pool` gives (without those
// excluded so far), each attempt's context set up by `setup` (its parameters, its callback). OpenSSL does not try
// another issuer when the one it took fails (a cross-certificate whose own issuer has expired, one signed with SHA-1,
// a CA's name and key identifier on another CA's certificate, a CA re-keyed under the same name): a chain that fails
// is built again without a certificate of it that another of the pool could stand for (the one the check failed at,
// else the first above it, else the lowest), 8 times at most. `first_failure` sees the first attempt's context when
// that attempt fails. Verifier::verify, chained_intermediates and the TLS server's client check build chains so.
struct BuiltChain {
  X509StackPtr untrusted;  // what `ctx` was given: kept as long as it is
  X509StoreCtxPtr ctx;     // the last attempt's; null when none could be made (OpenSSL's errors left in the queue)
  bool verified = false;
};
BuiltChain build_chain(X509_STORE* store, X509* cert,
                       const std::function<X509StackPtr(const std::vector<X509*>& excluded)>& pool,
                       const std::function<void(X509_STORE_CTX*)>& setup,
                       const std::function<void(X509_STORE_CTX*)>& first_failure = {});

// Drains this thread's OpenSSL error queue into one line ("reason; reason"), or "unknown OpenSSL error" when
// it is empty. Call it right after the failing OpenSSL call.
std::string ssl_errors();
// Empties this thread's error queue (after an expected failure).
void clear_ssl_errors();

// A read-only memory BIO over `data`; the BIO borrows the bytes, which must outlive it.
BioPtr memory_bio(ByteView data);
// Everything written to a memory BIO.
Bytes bio_bytes(BIO* bio);
std::string bio_string(BIO* bio);

// Decodes exactly one DER object with OpenSSL's d2i function for T (nothing may follow it); null, with the error
// queue cleared, when `der` is not one.
template <class T, T* (*D2i)(T**, const unsigned char**, long), void (*Free)(T*)>
UniqueSsl<T, Free> d2i_exact(ByteView der) {
  const unsigned char* p = der.data();
  UniqueSsl<T, Free> out(D2i(nullptr, &p, static_cast<long>(der.size())));
  if (!out || p != der.data() + der.size()) {
    clear_ssl_errors();
    return nullptr;
  }
  return out;
}

// The DER of an OpenSSL object through its i2d function (i2d_X509, i2d_PKCS7, ...); empty, with the error queue
// cleared, when OpenSSL cannot encode it.
template <class T, class I2d>
Bytes der_bytes(T* object, I2d i2d) {
  unsigned char* p = nullptr;
  const int n = i2d(object, &p);
  if (n <= 0) {
    clear_ssl_errors();
    return {};
  }
  Bytes out(p, p + n);
  OPENSSL_free(p);
  return out;
}

// True when `data` holds a PEM block ("-----BEGIN "): PEM files, as opposed to DER.
bool looks_like_pem(ByteView data);

// Parses exactly one DER certificate (no trailing bytes); null when it is not one.
X509Ptr x509_from_der(ByteView der);
// A DER CRL with nothing after it, or null.
X509CrlPtr crl_from_der(ByteView der);
Bytes x509_to_der(const X509* cert);
// SHA-256 of the certificate's DER encoding.
Digest x509_fingerprint(const X509* cert);

// ASN1_TIME (UTCTime or GeneralizedTime) to Unix seconds; nullopt when malformed.
std::optional<UnixTime> asn1_time_to_unix(const ASN1_TIME* t);
// UTCTime for 1950..2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5, RFC 5652 §11.3).
Asn1TimePtr unix_to_asn1_time(UnixTime t);

// RFC 2253 with UTF-8 kept as UTF-8 (not \-escaped).
std::string name_to_string(const X509_NAME* name);
// "CN=..." of the subject when there is one, else the whole subject: for messages.
std::string short_subject(const X509* cert);

// "RSA-2048", "RSA-PSS-2048", "ECDSA-P-256", "ECDSA-P-384", "ECDSA-secp521r1", "Ed25519", "Ed448", ...
std::string key_description(const EVP_PKEY* key);
// nullopt when the key is allowed by the policy (RSA >= 2048, ECDSA P-256/P-384, Ed25519); otherwise why not.
std::optional<std::string> key_policy_violation(const EVP_PKEY* key);
bool is_ed25519(const EVP_PKEY* key);

// Digests allowed by the policy, fetched once: SHA-256, SHA-384, SHA-512 by NID; null for any other NID.
const EVP_MD* allowed_digest(int nid);
// "SHA-256" for NID_sha256 etc.; the OpenSSL short name for others.
std::string digest_display_name(int nid);

// DER of a SignerInfo's signed attributes as the SET OF that is signed (RFC 5652 §5.4): each attribute
// DER-encoded, the encodings sorted as DER requires for SET OF, under the universal SET tag. This is what
// OpenSSL's internal CMS_Attributes_Sign item produces, which 3.0 does not export.
std::optional<Bytes> signed_attributes_der(CMS_SignerInfo* si);

// The single value of a signed attribute, or null when the attribute is absent or has not exactly one value.
const ASN1_TYPE* single_signed_attribute(CMS_SignerInfo* si, int nid);

// ---- CMS internals shared by cms.cpp and verifier.cpp ----

// Decodes a DER ContentInfo (all bytes, nothing trailing); null when it is not one.
CmsPtr decode_cms(ByteView der);
Bytes encode_cms(CMS_ContentInfo* cms);
// The only SignerInfo of a detached id-data SignedData; otherwise why the structure is not one.
Result<CMS_SignerInfo*> detached_signer_info(CMS_ContentInfo* cms);
// What is wrong with the parts of `der` (the encoding of `cms`) that the decoder does not judge: versions and
// digestAlgorithms (see cms.cpp); nullopt when nothing.
std::optional<std::string> signed_data_problem(ByteView der, CMS_ContentInfo* cms);
// cms_parse with every byte decoded by OpenSSL, the certificates the CMS carries included. cms_parse gives the same
// answer by a quicker path for a DER CMS that carries plain certificates (cms.cpp); the tests and the cms fuzz
// target compare the two.
Result<CmsParts> cms_parse_general(ByteView der);
// How many answers of cms_parse the quicker path gave, in this process (tests).
std::uint64_t cms_parse_quick_answers();
// The signingTime attribute; nullopt when absent or malformed.
std::optional<UnixTime> cms_signing_time(CMS_SignerInfo* si);

// A signature's time-stamp (timestamp.cpp): the token's genTime and the trusted authority it verified against.
struct Timestamp {
  UnixTime time = 0;
  Digest authority{};  // SHA-256 of the trusted TSA certificate's DER
};
// The signatureTimeStampToken of `si` verified with OpenSSL's TS code against `authorities` (trusted TSA
// certificates): nullopt when the SignerInfo has no unsigned attribute; bad_input (saying why) when it has any other,
// or more than one, or a token that is not DER, does not stamp this signature's value, uses a digest the policy
// refuses, or verifies against none of the authorities at its genTime.
// With `strict` false (a CMS from a document, not the ledger's own), other unsigned attributes are left alone and a
// token that does not verify is ignored: the signature then counts as made at its claimed signingTime.
// `counted`, when set, leaves out the authorities it says no to (those not trusted yet when a PDF was admitted).
Result<std::optional<Timestamp>> signer_info_timestamp(CMS_SignerInfo* si, const std::vector<X509Ptr>& authorities,
                                                       bool strict, const AuthorityFilter& counted = {});

// The passphrase of an encrypted key file, as OpenSSL's pem_password_cb asks for it (passphrase_callback, with a
// PassphraseState as its userdata): the environment variable `variable`, else a prompt at the terminal
// ("Passphrase for <name>: "). `source` then says where it came from, for the message of a failed load.
struct PassphraseState {
  const char* variable;
  std::string name;  // "key FILE", "operator key FILE"
  enum class Source { none_asked, environment, terminal, unavailable } source = Source::none_asked;
};
int passphrase_callback(char* buf, int size, int rwflag, void* userdata);

// A secret (passphrase, PIN) typed at the terminal, not echoed, after `prompt`; asked twice when `twice`. nullopt
// when none was typed, or the two differed.
std::optional<std::string> ask_secret(const std::string& prompt, bool twice);

// The private key in PEM `pem` (PKCS#8, encrypted or not, or a traditional format OpenSSL reads), its passphrase as
// passphrase_callback finds it. `name` says which key in messages ("key FILE"). bad_input: encrypted and no
// passphrase at hand, the passphrase does not decrypt it (saying where it came from), or no PEM private key.
struct PemPrivateKey {
  EvpPkeyPtr key;
  bool unencrypted = false;  // no passphrase was needed
};
Result<PemPrivateKey> read_pem_private_key(ByteView pem, const std::string& name, const char* variable);

// The key behind a PrivateKey: `spec` is how it was named (for messages); `unencrypted_file` when it was read
// from a file that no passphrase protects (PrivateKey::unencrypted_file).
struct PrivateKey::Rep {
  EvpPkeyPtr key;
  std::string spec;
  bool unencrypted_file = false;
};

// What a PKCS#12 (.p12/.pfx) file holds: the key, then its certificate and any others.
struct Pkcs12Parts {
  EvpPkeyPtr key;
  std::vector<Bytes> certificates;  // the key's certificate first, when there is one
  bool without_password = false;    // opened with no password: anyone who copies the file holds the key
};
// nullopt when `data` is not PKCS#12 (DER); otherwise the parts, or bad_input naming `path` (wrong or missing
// password: ANTQ_KEY_PASSPHRASE, else none, else a prompt at a terminal).
std::optional<Result<Pkcs12Parts>> read_pkcs12(ByteView data, const std::string& path);

// The PKCS#11 module to use instead of those registered with p11-kit (a `.so` path), for signers' and the operator's
// tokens alike.
inline constexpr const char* kPkcs11ModuleVariable = "ANTQ_PKCS11_MODULE";

// A key on a PKCS#11 token (pkcs11.cpp): `uri` is an RFC 7512 "pkcs11:" URI.
Result<PrivateKey> load_pkcs11_key(const std::string& uri);

// The operator's Ed25519 key on a PKCS#11 token, reached through p11-kit (operator_token.cpp), as Ed25519Key::load
// describes. Signs with CKM_EDDSA in a session that stays open and logged in while the object lives.
class TokenEd25519Key {
 public:
  virtual ~TokenEd25519Key() = default;
  virtual const std::array<std::uint8_t, 32>& public_key() const = 0;
  // io_error when the token fails to sign or its signature does not verify with public_key().
  virtual Result<std::array<std::uint8_t, 64>> sign(ByteView message) const = 0;
};
Result<std::unique_ptr<TokenEd25519Key>> load_token_ed25519_key(const std::string& uri);

}  // namespace antq::signing
