// The public face of signing/: keys, certificates, CMS (CAdES-BES) signatures, trust and time.
// OpenSSL types never leave signing/; everything here speaks DER bytes, digests and Unix seconds.
//
// Algorithm policy (retention.md, Decree 23/2025 technical rules): RSA >= 2048 bits with PKCS#1 v1.5 or PSS,
// ECDSA on P-256 or P-384, Ed25519; digests SHA-256/384/512 (Ed25519 in CMS: SHA-512, RFC 8419).
// SHA-1, MD5 and RSA < 2048 are refused, in the signature and anywhere in the certificate chain.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "signing/digest.hpp"
#include "signing/result.hpp"

namespace antq::signing {

// ---- time ---------------------------------------------------------------------------------------------------

// Seconds since the Unix epoch, UTC.
using UnixTime = std::int64_t;

UnixTime now();
// "2023-03-07T14:30:57+07:00": how signing times are shown to users (the Vietnam offset).
std::string format_vietnam_time(UnixTime t);
// "2023-03-07T07:30:57Z".
std::string format_utc(UnixTime t);
// Parses ISO 8601 with Z or +hh:mm / +hhmm offset, or a date YYYY-MM-DD (taken as 00:00 Vietnam time).
std::optional<UnixTime> parse_time(std::string_view text);

// ---- certificates -------------------------------------------------------------------------------------------

struct CertificateInfo {
  Digest fingerprint{};      // SHA-256 of the DER
  std::string subject;       // RFC 2253, UTF-8
  std::string issuer;        // RFC 2253, UTF-8
  std::string serial_hex;
  UnixTime not_before = 0;
  UnixTime not_after = 0;
  std::string key_algorithm; // "RSA-2048", "ECDSA-P-256", "Ed25519", ...
  bool is_ca = false;
  bool digital_signature = false;  // keyUsage bits; both false when the extension is absent
  bool non_repudiation = false;
};

// Reads every certificate of a PEM file (or a single DER certificate, or a PKCS#12 file: its key's certificate
// first) as DER. bad_input naming the file when
// it is missing, unreadable or holds no certificate.
Result<std::vector<Bytes>> read_certificates(const std::string& path);
// The certificates of PEM text `data` already read (`name` for messages), in order; none when it holds no
// certificate block. For files that come from others (a bundle's or a server's trust.pem): PEM only, never a
// PKCS#12 file (its key derivation runs as many rounds as the file asks, and it would ask for a passphrase).
Result<std::vector<Bytes>> pem_certificates(ByteView data, std::string_view name);
// Parses one DER certificate. bad_input when it is not one.
Result<CertificateInfo> inspect_certificate(ByteView der);
std::string certificate_to_pem(ByteView der);

// ---- keys ---------------------------------------------------------------------------------------------------

// A private key for signing. Move-only; thread-compatible (one thread at a time).
class PrivateKey {
 public:
  // PEM (PKCS#8, also traditional RSA/EC) or PKCS#12 (.p12/.pfx, as CAs hand out signing keys; read_certificates
  // takes its certificates from the same file). An encrypted key's passphrase comes from the environment variable
  // ANTQ_KEY_PASSPHRASE, else from a prompt on the terminal when there is one; bad_input when neither gives the
  // right one. A `spec` that starts "pkcs11:" is an RFC 7512 URI of a key on a token (pkcs11:token=...;object=...),
  // used through OpenSSL's pkcs11 engine: the PIN comes from ANTQ_PKCS11_PIN (or the URI's pin-value), else a
  // prompt at a terminal; the module is ANTQ_PKCS11_MODULE, else p11-kit's proxy (every registered module).
  static Result<PrivateKey> load(const std::string& spec);
  // True when the key was read from a file that no passphrase protects (PEM not encrypted, PKCS#12 without a
  // password): anyone who copies that file can sign as its holder. False for encrypted files and token keys.
  bool unencrypted_file() const;
  PrivateKey(PrivateKey&&) noexcept;
  PrivateKey& operator=(PrivateKey&&) noexcept;
  ~PrivateKey();

  struct Rep;
  explicit PrivateKey(std::unique_ptr<Rep> rep);
  Rep* rep() const { return rep_.get(); }

 private:
  std::unique_ptr<Rep> rep_;
};

// A PKCS#11 URI as messages show it: any pin-value replaced by "***".
std::string pkcs11_uri_shown(std::string uri);

// Why `content` looks like private key material, or nullopt: a PEM block anywhere in it whose label names a private
// key ("-----BEGIN PRIVATE KEY-----", "ENCRYPTED PRIVATE KEY", "RSA/EC/DSA/OPENSSH PRIVATE KEY", ...), or, decoded
// by OpenSSL from its first byte, DER PKCS#8 (PrivateKeyInfo, or EncryptedPrivateKeyInfo under a password-based
// scheme), PKCS#12, or a DER RSA/EC/DSA private key. The reason reads after a name: "x.key: it holds a private key
// (a PEM block \"-----BEGIN EC PRIVATE KEY-----\")". Attachments are checked with it: no key enters the log.
std::optional<std::string> private_key_material(ByteView content);

// ---- CMS ----------------------------------------------------------------------------------------------------

// How an RSA key signs. RSASSA-PSS (RFC 8017 §8.1; salt as long as the digest, MGF1 with the same digest) is the
// default for new signatures; PKCS#1 v1.5 remains for signers whose other tools need it, and is always verified.
enum class RsaPadding { pss, pkcs1 };

struct SignOptions {
  std::optional<UnixTime> signing_time;   // default: now()
  RsaPadding rsa_padding = RsaPadding::pss;  // RSA keys only
};

// CMS detached SignedData (CAdES-BES: contentType, messageDigest, signingTime, signingCertificateV2) over
// `content`, SHA-256 (SHA-512 for Ed25519), the signer certificate included. The key must match the
// certificate and the algorithm policy above (bad_input otherwise). `openssl cms -verify -binary` accepts the
// result, except Ed25519: OpenSSL 3.0's CMS cannot verify Ed25519 (RFC 8419) SignerInfos at all.
Result<Bytes> cms_sign(ByteView content, const PrivateKey& key, ByteView certificate_der,
                       const SignOptions& options = {});

// What a CMS blob says about itself, before any check.
struct CmsParts {
  Bytes without_certificates;          // the same SignedData with its certificates field removed
  std::vector<Bytes> certificates;     // certificates it carried (DER)
  std::optional<Digest> signer;        // fingerprint of the carried certificate matching the SignerInfo's sid
  std::optional<UnixTime> signing_time;
  bool der = true;  // the bytes given were exactly OpenSSL's DER of what they hold (else BER, normalised here)
};
// Exactly one SignerInfo is required. bad_input when the bytes are not a detached CMS SignedData.
Result<CmsParts> cms_parse(ByteView der);
// The CMS with `certificates` added (for bundles: `openssl cms -verify` needs the signer certificate).
Result<Bytes> cms_with_certificates(ByteView der, const std::vector<Bytes>& certificates);

// ---- trust and verification ---------------------------------------------------------------------------------

// A certificate of a signature's chain listed by a CRL the verifier holds.
struct Revocation {
  UnixTime at = 0;       // the revocationDate
  Digest crl{};          // SHA-256 of the CRL's DER
  std::string what;      // e.g. "certificate CN=... was revoked 2024-...+07:00 (keyCompromise)"
};

struct VerifiedSignature {
  Digest signer{};                 // fingerprint of the signer certificate
  // The time the signature counts as made: the time-stamp token's genTime when the signature carries one from a
  // trusted time-stamp authority (RFC 3161), else the signingTime attribute the signer claims.
  UnixTime signing_time = 0;
  UnixTime claimed_signing_time = 0;           // the signingTime attribute
  std::optional<Digest> timestamp_authority;   // the trusted TSA certificate a time-stamp token verified against
  // Revocations of chain certificates in the CRLs held, all after signing_time (one at or before it refuses the
  // signature), earliest first. The signature stays valid; admission refuses it when one is at or before admission.
  std::vector<Revocation> revocations;
  std::optional<UnixTime> revoked_after;       // revocations.front().at, when there is one
  UnixTime chain_valid_from = 0;   // every certificate of the chain is valid in [chain_valid_from, chain_valid_until]
  UnixTime chain_valid_until = 0;
  std::string algorithm;           // e.g. "ECDSA-P-256 with SHA-256", "RSA-PSS-2048 with SHA-256"
  std::vector<Digest> chain;       // signer first, root last
  // CAdES-BES: the ESS signingCertificateV2 attribute binds the signer certificate (checked when present).
  // Older signatures without it are still valid; `history` says so.
  bool signing_certificate_v2 = false;
};

// Which time-stamp authorities (by the SHA-256 of their certificate's DER) count; an empty one counts them all.
using AuthorityFilter = std::function<bool(const Digest&)>;

// Roots and intermediates; verifies CMS signatures and certificate chains at the signing time.
// Thread-safe after construction: verify() may be called from many threads at once. Chain results are cached
// per (signer, validity window), so a signer's chain signatures are checked once, not per event.
class Verifier {
 public:
  Verifier();
  Verifier(Verifier&&) noexcept;
  Verifier& operator=(Verifier&&) noexcept;
  ~Verifier();

  // bad_input when the DER is not a certificate. An intermediate held takes part in chains only while it chains to
  // a root by signature (chained_intermediates, signing/openssl_util.hpp): one with a real CA's name and key under a
  // self-made root of a trusted root's name would otherwise be taken first and hide the real one.
  Status add_root(ByteView der);
  Status add_intermediate(ByteView der);

  // A certificate revocation list of a CA this verifier knows (a root or an intermediate held that chains to one),
  // its signature checked against that CA. From then on a signature is refused when a certificate of its chain was revoked at or before
  // its signing time; a revocation after the signing time leaves it valid (VerifiedSignature::revoked_after).
  // bad_input when the DER is not a CRL, its issuer is unknown or its signature does not verify.
  struct CrlInfo {
    std::string issuer;
    UnixTime this_update = 0;
    std::optional<UnixTime> next_update;
    std::size_t revoked = 0;  // entries
  };
  Result<CrlInfo> add_crl(ByteView der);

  // A time-stamp authority's certificate (DER), trusted as an anchor for RFC 3161 time-stamp tokens: a token
  // verifies when OpenSSL's TS code finds its signer chaining to it (the TSA certificate itself, or a CA above it),
  // with extendedKeyUsage timeStamping, valid at the token's genTime. bad_input when the DER is not a certificate.
  Status add_timestamp_authority(ByteView der);

  // Checks, refusing with rule "signature" and a message naming the failing check:
  // the CMS is DER exactly as OpenSSL re-encodes it (nothing unsigned can be altered without changing it), a
  // detached SignedData with exactly one SignerInfo naming the signer byte for byte, signed attributes present,
  // messageDigest matches, the signature over the signed attributes verifies; allowed algorithms (policy above);
  // the signer certificate `signer_der` has keyUsage digitalSignature or nonRepudiation; no unsigned attribute but
  // one signatureTimeStampToken, which must verify against a trusted time-stamp authority; a chain from the signer
  // to a root, valid at the signing time (VerifiedSignature), built from the held intermediates that chain to a
  // root, then `extra_certs`, then the other intermediates held (a chain that fails is built again, up to 8 times,
  // without a certificate another of the same subject could stand for: FORMAT.md §3); and no certificate of it
  // revoked at or before that time by a CRL held.
  // CmsForm::ledger (signatures of events) also requires what FORMAT.md §3 says of the ledger's stored form: exactly
  // OpenSSL's DER, no CRLs inside, the signer named by its certificate's own bytes, and no unsigned attribute but the
  // token. CmsForm::document (signatures inside PDFs) leaves other unsigned attributes alone and
  // ignores a token that does not verify (the claimed signingTime then counts).
  // `counted`, for CmsForm::document: the time-stamp authorities whose tokens count (verify_pdf); all when unset.
  enum class CmsForm { ledger, document };
  Result<VerifiedSignature> verify(ByteView content, ByteView cms_der, ByteView signer_der,
                                   const std::vector<Bytes>& extra_certs = {}, CmsForm form = CmsForm::ledger,
                                   const AuthorityFilter& counted = {}) const;

  // How many signatures this thread has asked any Verifier to verify (either verify()), for tests that count the
  // work done: a PDF's duplicated signature dictionaries are verified once.
  static std::uint64_t verifications_on_this_thread();

  struct Rep;
 private:
  std::unique_ptr<Rep> rep_;
};

// The signatureTimeStampToken (RFC 3161 / CAdES-T) of a signature: a TimeStampReq (DER) asking a time-stamp
// authority to stamp the SHA-256 of the SignerInfo's signature value, with a fresh nonce and certReq set.
// bad_input when `cms_der` is not a CMS with one SignerInfo.
Result<Bytes> timestamp_request(ByteView cms_der);
// The CMS with the time-stamp token of `response` (a DER TimeStampResp to timestamp_request's request, as a TSA
// answers) added as the unsigned attribute id-aa-signatureTimeStampToken. Checks that the response grants a token
// whose imprint is the signature's; whether its TSA is trusted is admission's question. bad_input otherwise.
Result<Bytes> add_timestamp(ByteView cms_der, ByteView response);

// ---- signatures inside PDF documents --------------------------------------------------------------------------

// One signature dictionary of a PDF (ISO 32000-1 §12.8): what /ByteRange covers and the CMS in /Contents.
struct PdfSignature {
  std::array<std::uint64_t, 4> byte_range{};  // [a b c d]: bytes [a, a+b) and [c, c+d) are signed
  std::string sub_filter;                     // "adbe.pkcs7.detached" or "ETSI.CAdES.detached"
  bool covers_whole_file = false;             // false: the file was revised after this signature
  Bytes cms;                                  // DER, without the zero padding of /Contents
};
// Limits on what a PDF may make admission and every later verify do. An official document carries a handful of
// signatures (the competent person's, the organisation's, perhaps an approval or a document time stamp): 64
// dictionaries is far beyond any real workflow, and each distinct signature costs a hash of up to the whole file.
// A /Contents value is at most 1 MiB of DER (2 MiB of hex digits): signing tools reserve 8 to 32 KiB, and one that
// embeds revocation data (adbe-revocationInfoArchival) with a large CRL some hundreds of KiB.
inline constexpr std::size_t kMaxPdfSignatures = 64;
inline constexpr std::size_t kMaxPdfContentsBytes = 1u << 20;

// Every signature dictionary of a PDF, in file order (earlier revisions first); empty when `pdf` does not start
// with "%PDF-" or holds no /ByteRange. bad_input naming the signature when a /ByteRange is malformed, does not start
// at 0, does not leave exactly the /Contents hex string uncovered, or the /SubFilter is not one of the two above;
// and when the PDF has more than kMaxPdfSignatures dictionaries or a /Contents larger than kMaxPdfContentsBytes.
// Time linear in the size of the file: dictionaries with the same /ByteRange share one decoding of /Contents.
Result<std::vector<PdfSignature>> pdf_signatures(ByteView pdf);
// The bytes a signature covers, concatenated: its detached content.
Bytes pdf_covered_bytes(ByteView pdf, const PdfSignature& signature);

struct VerifiedPdfSignature {
  PdfSignature signature;
  VerifiedSignature verified;
  Bytes signer_certificate;          // DER, carried in the CMS
  std::vector<Bytes> certificates;   // every certificate the CMS carried (the signer's among them)
};
// Finds and verifies every signature of `pdf` with `verifier` (covered bytes, digest, chain at the signing time
// with the certificates the CMS carries). The first failure is returned, naming the signature by its number.
// Dictionaries with the same /ByteRange and the same CMS are one signature: verified once, each listed.
// `counted`, when set, says which of the verifier's time-stamp authorities count for the tokens (those the ledger
// trusted when the PDF was admitted): a token of another is ignored, as it was then.
Result<std::vector<VerifiedPdfSignature>> verify_pdf(ByteView pdf, const Verifier& verifier,
                                                     const AuthorityFilter& counted = {});

// ---- Ed25519 (checkpoint notes) -----------------------------------------------------------------------------

// The operator's key that signs checkpoints. Thread-compatible.
//
// It is never part of the ledger (FORMAT.md §1): the operator keeps it in a file apart, encrypted, or on a PKCS#11
// token, and names it to each command that appends (cli/operator_key.hpp says where it is looked for).
class Ed25519Key {
 public:
  // How the key is kept, for the warnings of the commands that use it.
  enum class Storage { generated, unencrypted_file, encrypted_file, token };

  static Result<Ed25519Key> generate();
  // The key that `spec` names:
  // - a PEM file: PKCS#8, encrypted ("ENCRYPTED PRIVATE KEY", any scheme OpenSSL reads) or not. An encrypted file's
  //   passphrase comes from ANTQ_OPERATOR_PASSPHRASE, else from a prompt at the terminal.
  // - an RFC 7512 "pkcs11:" URI of an Ed25519 private key on a token (CKK_EC_EDWARDS, curve edwards25519), used
  //   through p11-kit (operator_token.cpp: Debian 12's OpenSSL pkcs11 engine cannot use Ed25519 token keys). The URI
  //   must match one token and one private key there, with its public key object (same CKA_ID) beside it. The PIN
  //   comes from ANTQ_OPERATOR_PIN, else the URI's pin-value, else a prompt at the terminal; the module is
  //   ANTQ_PKCS11_MODULE, else every module registered with p11-kit. The key signs a test message at load, checked
  //   with its public key. The private key never leaves the token.
  // bad_input, naming the file or URI, when it cannot be read or found, no passphrase or PIN is at hand, the
  // passphrase or PIN does not open it (saying where it came from), or the key is not Ed25519.
  static Result<Ed25519Key> load(const std::string& spec);
  // Writes the key to the new file `path`, mode 0600 (bad_input if it exists; nothing left behind on failure): as
  // PKCS#8 encrypted under `passphrase` (PKCS#5 v2.1 PBES2: PBKDF2-HMAC-SHA256 with kOperatorKeyIterations and a
  // 16-byte random salt, AES-256-CBC), which stock `openssl pkey` reads; unencrypted when `passphrase` is nullopt
  // (test and demo keys only). bad_input for a key on a token: it cannot leave it.
  Status save(const std::string& path, const std::optional<std::string>& passphrase) const;
  Storage storage() const;
  std::array<std::uint8_t, 32> public_key() const;
  // The RFC 8032 signature of `message`. Always succeeds for a key in memory; io_error when a token fails to sign
  // (removed, logged out) or returns a signature that does not verify with public_key().
  Result<std::array<std::uint8_t, 64>> sign(ByteView message) const;
  Ed25519Key(Ed25519Key&&) noexcept;
  Ed25519Key& operator=(Ed25519Key&&) noexcept;
  ~Ed25519Key();

  struct Rep;
  explicit Ed25519Key(std::unique_ptr<Rep> rep);
 private:
  std::unique_ptr<Rep> rep_;
};

// Where the passphrase of an operator key file comes from, when not from a prompt at the terminal.
inline constexpr const char* kOperatorPassphraseVariable = "ANTQ_OPERATOR_PASSPHRASE";
// PBKDF2-HMAC-SHA256 iterations for a new operator key file: OWASP's figure for 2023 (Password Storage Cheat
// Sheet), about a quarter of a second here for each command that unlocks the key, and as much for each guess.
inline constexpr int kOperatorKeyIterations = 600'000;

// The passphrase to encrypt a new operator key file `path` with: ANTQ_OPERATOR_PASSPHRASE, else asked for twice at
// the terminal. bad_input (one line) when there is neither, when the two entries differ, or when it is empty.
Result<std::string> new_operator_key_passphrase(const std::string& path);

bool ed25519_verify(ByteView public_key, ByteView message, ByteView signature);

// A CRL file, DER or PEM ("X509 CRL"), as DER. bad_input when it is neither.
Result<Bytes> read_crl(const std::string& path);

// ---- test and demo PKI --------------------------------------------------------------------------------------

// Makes certificates for tests and the demo (never for production). Key algorithms: "rsa2048", "rsa1024",
// "p256", "p384", "ed25519".
struct CertificateRequest {
  std::string common_name;
  std::string organisation;             // O=
  std::string key_algorithm = "p256";
  UnixTime not_before = 0;              // 0: an hour before now()
  UnixTime not_after = 0;               // 0: ten years after not_before
  bool is_ca = false;
  bool digital_signature = true;        // keyUsage for end-entity certificates
  bool non_repudiation = true;
  bool sha1 = false;                    // sign the certificate with SHA-1 (to test the refusal)
  // A TLS server's certificate (antq serve): extendedKeyUsage serverAuth, keyUsage digitalSignature and
  // keyEncipherment, and these names in subjectAltName ("DNS:localhost", "IP:127.0.0.1").
  std::vector<std::string> tls_server_names;
  // The subject's key (PKCS#8 PEM, unencrypted) instead of a new one: another certificate of a key (a CA's key
  // under a forged root, in tests of what hostile certificates cannot do).
  std::string key_pem;
};
struct IssuedCertificate {
  Bytes certificate_der;
  std::string private_key_pem;          // PKCS#8, unencrypted
};
// Self-signed when `issuer` is null.
Result<IssuedCertificate> issue_certificate(const CertificateRequest& request, const IssuedCertificate* issuer);
// A CRL (DER, SHA-256) by `issuer` listing each certificate (DER) with its revocation time.
Result<Bytes> issue_crl(const IssuedCertificate& issuer, const std::vector<std::pair<Bytes, UnixTime>>& revoked,
                        UnixTime this_update);

// The OpenSSL library this program runs with, as it names itself ("OpenSSL 3.0.17 1 Jul 2025"): antq --version.
std::string openssl_version();

}  // namespace antq::signing
