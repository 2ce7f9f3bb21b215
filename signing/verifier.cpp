// Verification of CMS signatures, certificate chains at the signing time, revocation, and RFC 3161 time-stamps.
//
// Every cryptographic and parsing step is OpenSSL's; this file decides which checks run, in which order, and says
// what failed. For each signature:
//   1. decode the CMS with OpenSSL, take its one SignerInfo and signing time, check versions and
//      digestAlgorithms (signed_data_problem); in the ledger's form, the bytes must be exactly OpenSSL's DER
//      re-encoding, without certificates or CRLs, and the SignerInfo must name the signer byte for byte;
//   2. look the signer up in the cache (SHA-256 of its DER, plus the extra certificates given);
//      on a miss parse it and check its key against the policy and its keyUsage;
//   3. check that it is the certificate the SignerInfo names, the messageDigest attribute against the
//      content, and the signature over the DER of the signed attributes with EVP_DigestVerify (RSA PKCS#1 v1.5 /
//      PSS, ECDSA, and Ed25519 per RFC 8419, which OpenSSL 3.0's CMS_SignerInfo_verify cannot do);
//   4. a signatureTimeStampToken, the only unsigned attribute allowed, is verified with OpenSSL's TS code against
//      the trusted time-stamp authorities; its genTime becomes the signing time;
//   5. unless the cache holds a chain result whose validity window covers the signing time, build and check
//      the chain with X509_verify_cert at the signing time, auth level 2 (no SHA-1/MD5 signatures, no RSA <
//      2048 in the chain), and cache the signer with the window [max notBefore, min notAfter] of the chain;
//   6. check the ESS signingCertificate(V2) attribute, when present, against the chain;
//   7. a revocation of a chain certificate at or before the signing time refuses the signature; later ones are
//      returned, for admission to judge against its own time.
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "signing/openssl_util.hpp"

namespace antq::signing {

namespace {

enum class SignatureFamily { pkcs1, pss, ecdsa, ed25519 };

// "ECDSA-P-256 with SHA-256", "RSA-PSS-2048 with SHA-256", "Ed25519 with SHA-512".
std::string display_algorithm(const std::string& key_desc, SignatureFamily family, int digest_nid) {
  std::string key = key_desc;
  if (family == SignatureFamily::pss && !key.starts_with("RSA-PSS-") && key.starts_with("RSA-"))
    key = "RSA-PSS-" + key.substr(4);
  return key + " with " + digest_display_name(digest_nid);
}

// A signer whose static checks (policy, keyUsage) and chain passed. Immutable once in the cache.
struct Signer {
  X509Ptr cert;
  std::string key_description;
  UnixTime valid_from = 0;  // the chain is valid at every time in [valid_from, valid_until]
  UnixTime valid_until = 0;
  std::vector<Digest> chain;  // signer first, root last
  X509StackPtr chain_certs;   // the same, for the ESS check
  Bytes accepted_ess;         // DER of a signingCertificate(V2) value already checked against chain_certs
  // Every revocation of a chain certificate in the CRLs held when the chain was built, earliest first.
  std::vector<Revocation> revocations;
};

struct HeldCrl {
  X509CrlPtr crl;
  Digest fingerprint{};
};

// The revocations, in `crls`, of the certificates of `signer`'s chain (signer first, root last), earliest first. A CRL
// counts for a certificate only when its issuer is the next certificate of the chain and that certificate's key
// signed it.
void find_revocations(Signer& signer, const std::vector<HeldCrl>& crls) {
  STACK_OF(X509)* chain = signer.chain_certs.get();
  for (int i = 0; i + 1 < sk_X509_num(chain); ++i) {
    X509* cert = sk_X509_value(chain, i);
    X509* issuer = sk_X509_value(chain, i + 1);
    for (const HeldCrl& held : crls) {
      X509_CRL* crl = held.crl.get();
      if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0) continue;
      if (X509_CRL_verify(crl, X509_get0_pubkey(issuer)) != 1) {
        clear_ssl_errors();
        continue;
      }
      X509_REVOKED* entry = nullptr;
      if (X509_CRL_get0_by_serial(crl, &entry, X509_get0_serialNumber(cert)) != 1 || entry == nullptr) continue;
      auto at = asn1_time_to_unix(X509_REVOKED_get0_revocationDate(entry));
      if (!at) continue;
      std::string reason;
      int crit = 0;
      if (auto* code = static_cast<ASN1_ENUMERATED*>(X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, &crit, nullptr))) {
        static const char* const kReasons[] = {"unspecified", "keyCompromise", "cACompromise", "affiliationChanged",
                                               "superseded", "cessationOfOperation", "certificateHold", "",
                                               "removeFromCRL", "privilegeWithdrawn", "aACompromise"};
        long r = ASN1_ENUMERATED_get(code);
        if (r >= 0 && r <= 10 && kReasons[r][0] != 0) reason = std::string(" (") + kReasons[r] + ")";
        ASN1_ENUMERATED_free(code);
      }
      signer.revocations.push_back(
          {*at, held.fingerprint,
           "certificate " + short_subject(cert) + " was revoked " + format_vietnam_time(*at) + reason});
    }
  }
  std::stable_sort(signer.revocations.begin(), signer.revocations.end(),
                   [](const Revocation& a, const Revocation& b) { return a.at < b.at; });
}

constexpr std::size_t kMaxCachedSigners = 100000;

// How much later than the time-stamp over a signature its claimed signingTime may be (clocks differ a little).
constexpr UnixTime kTimestampSkew = 5 * 60;

// What the ledger's form of a CMS adds to any valid one (FORMAT.md §3): nothing outside the signature can be
// altered without changing the bytes. Its DER is exactly OpenSSL's re-encoding of what it decoded, it carries no
// CRLs (certificates travel in submissions; the ledger stores them apart), and an IssuerAndSerialNumber names the
// signer with the bytes of the certificate's own issuer Name (OpenSSL compares names case-insensitively, and keeps
// a decoded Name's original bytes).
std::optional<std::string> ledger_form_problem(ByteView der, CMS_ContentInfo* cms, CMS_SignerInfo* si, X509* cert) {
  if (encode_cms(cms) != Bytes(der.begin(), der.end()))
    return "the signature is not in DER as OpenSSL encodes it (the ledger stores only canonical DER)";
  UniqueSsl<STACK_OF(X509_CRL), detail::free_crl_stack> crls(CMS_get1_crls(cms));
  clear_ssl_errors();
  if (crls && sk_X509_CRL_num(crls.get()) > 0)
    return "the signature carries CRLs (add revocation lists to the ledger with `antq trust add-crl`)";
  ASN1_OCTET_STRING* key_id = nullptr;
  X509_NAME* issuer = nullptr;
  ASN1_INTEGER* serial = nullptr;
  if (CMS_SignerInfo_get0_signer_id(si, &key_id, &issuer, &serial) != 1) return "the SignerInfo names no signer";
  if (issuer != nullptr) {
    if (der_bytes(issuer, i2d_X509_NAME) != der_bytes(X509_get_issuer_name(cert), i2d_X509_NAME))
      return "the SignerInfo names the issuer " + name_to_string(issuer) +
             " with other bytes than the signer certificate's own issuer Name";
  }
  return std::nullopt;
}

std::optional<std::string> static_signer_checks(X509* cert, const std::string& key_desc) {
  const EVP_PKEY* key = X509_get0_pubkey(cert);
  if (key == nullptr) {
    clear_ssl_errors();
    return "signer certificate " + short_subject(cert) + " has a public key OpenSSL cannot read";
  }
  if (auto why = key_policy_violation(key)) return "signer certificate " + short_subject(cert) + ": " + *why;
  std::uint32_t flags = X509_get_extension_flags(cert);
  if ((flags & EXFLAG_INVALID) != 0) return "signer certificate " + short_subject(cert) + " has malformed extensions";
  if ((flags & EXFLAG_KUSAGE) == 0)
    return "signer certificate " + short_subject(cert) +
           " has no keyUsage extension (digitalSignature or nonRepudiation is required)";
  std::uint32_t ku = X509_get_key_usage(cert);
  if ((ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) == 0)
    return "signer certificate " + short_subject(cert) + " (" + key_desc +
           ") has keyUsage without digitalSignature or nonRepudiation";
  return std::nullopt;
}

std::string algorithm_name(int nid) {
  const char* ln = OBJ_nid2ln(nid);
  return ln != nullptr ? ln : "an unknown algorithm";
}

std::string oid_text(const ASN1_OBJECT* obj) {
  char buf[128];
  int n = OBJ_obj2txt(buf, sizeof buf, obj, 0);
  return n > 0 ? std::string(buf, std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 1)) : "?";
}

// The hash of an AlgorithmIdentifier inside RSASSA-PSS-params (hash or MGF1 hash); SHA-1 when absent (the
// RFC 4055 default), NID_undef when its parameters are neither absent nor NULL.
int pss_hash_nid(const X509_ALGOR* alg) {
  if (alg == nullptr) return NID_sha1;
  const ASN1_OBJECT* obj = nullptr;
  int ptype = V_ASN1_UNDEF;
  X509_ALGOR_get0(&obj, &ptype, nullptr, alg);
  if (ptype != V_ASN1_UNDEF && ptype != V_ASN1_NULL) return NID_undef;
  return OBJ_obj2nid(obj);
}

struct PssParameters {
  int hash_nid = NID_undef;
  int mgf1_hash_nid = NID_undef;
  int salt_length = 20;
};

// RSASSA-PSS-params (RFC 4055 §3.1), or why they are unusable.
Result<PssParameters> decode_pss_parameters(const X509_ALGOR* alg) {
  int ptype = V_ASN1_UNDEF;
  const void* pval = nullptr;
  X509_ALGOR_get0(nullptr, &ptype, &pval, alg);
  if (ptype != V_ASN1_SEQUENCE || pval == nullptr)
    return bad_input(i18n::Text("RSA-PSS signature without parameters (SHA-1 defaults are refused)"));
  const ASN1_STRING* seq = static_cast<const ASN1_STRING*>(pval);
  const unsigned char* p = ASN1_STRING_get0_data(seq);
  UniqueSsl<RSA_PSS_PARAMS, RSA_PSS_PARAMS_free> params(d2i_RSA_PSS_PARAMS(nullptr, &p, ASN1_STRING_length(seq)));
  if (!params) {
    clear_ssl_errors();
    return bad_input(i18n::Text("malformed RSA-PSS parameters"));
  }
  PssParameters out;
  out.hash_nid = pss_hash_nid(params->hashAlgorithm);
  if (params->maskGenAlgorithm == nullptr) {
    out.mgf1_hash_nid = NID_sha1;
  } else {
    const ASN1_OBJECT* obj = nullptr;
    int mtype = V_ASN1_UNDEF;
    const void* mval = nullptr;
    X509_ALGOR_get0(&obj, &mtype, &mval, params->maskGenAlgorithm);
    if (OBJ_obj2nid(obj) != NID_mgf1 || mtype != V_ASN1_SEQUENCE || mval == nullptr)
      return bad_input(i18n::Text("RSA-PSS mask generation is not MGF1"));
    const ASN1_STRING* mseq = static_cast<const ASN1_STRING*>(mval);
    const unsigned char* mp = ASN1_STRING_get0_data(mseq);
    UniqueSsl<X509_ALGOR, X509_ALGOR_free> mgf_hash(d2i_X509_ALGOR(nullptr, &mp, ASN1_STRING_length(mseq)));
    if (!mgf_hash) {
      clear_ssl_errors();
      return bad_input(i18n::Text("malformed RSA-PSS MGF1 parameters"));
    }
    out.mgf1_hash_nid = pss_hash_nid(mgf_hash.get());
  }
  if (params->saltLength != nullptr) {
    long salt = ASN1_INTEGER_get(params->saltLength);
    if (salt < 0 || salt > 1024)
      return bad_input(i18n::Text("RSA-PSS salt length {} is invalid", std::to_string(salt)));
    out.salt_length = static_cast<int>(salt);
  }
  if (params->trailerField != nullptr && ASN1_INTEGER_get(params->trailerField) != 1)
    return bad_input(i18n::Text("RSA-PSS trailer field is not 1"));
  return out;
}

// Checks signed attributes, messageDigest and the signature value. Returns the algorithm for display, or a refusal
// message.
Result<std::string> check_signature(CMS_SignerInfo* si, X509* cert, const std::string& key_desc, ByteView content) {
  X509_ALGOR* digest_alg = nullptr;
  X509_ALGOR* signature_alg = nullptr;
  CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &digest_alg, &signature_alg);
  const ASN1_OBJECT* obj = nullptr;
  int digest_ptype = V_ASN1_UNDEF;
  X509_ALGOR_get0(&obj, &digest_ptype, nullptr, digest_alg);
  int digest_nid = OBJ_obj2nid(obj);
  const EVP_MD* md = allowed_digest(digest_nid);
  if (md == nullptr)
    return bad_input(i18n::Text("digest algorithm {} is not allowed (SHA-256, SHA-384 or SHA-512 only)",
                                digest_display_name(digest_nid)));
  std::string digest_name = digest_display_name(digest_nid);
  if (digest_ptype != V_ASN1_UNDEF && digest_ptype != V_ASN1_NULL)
    return bad_input(i18n::Text("digest algorithm {} has parameters", digest_name));

  if (CMS_signed_get_attr_count(si) <= 0) return bad_input(i18n::Text("the SignerInfo has no signed attributes"));
  const ASN1_TYPE* content_type = single_signed_attribute(si, NID_pkcs9_contentType);
  if (content_type == nullptr || content_type->type != V_ASN1_OBJECT ||
      OBJ_obj2nid(content_type->value.object) != NID_pkcs7_data)
    return bad_input(i18n::Text("the contentType attribute is missing or is not id-data"));
  const ASN1_TYPE* message_digest = single_signed_attribute(si, NID_pkcs9_messageDigest);
  if (message_digest == nullptr || message_digest->type != V_ASN1_OCTET_STRING)
    return bad_input(i18n::Text("the messageDigest attribute is missing or malformed"));
  unsigned char md_value[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (EVP_Digest(content.data(), content.size(), md_value, &md_len, md, nullptr) != 1)
    return bad_input(i18n::Text("cannot hash the content: {}", ssl_errors()));
  const ASN1_OCTET_STRING* signed_md = message_digest->value.octet_string;
  if (ASN1_STRING_length(signed_md) != static_cast<int>(md_len) ||
      std::memcmp(ASN1_STRING_get0_data(signed_md), md_value, md_len) != 0)
    return bad_input(i18n::Text(
        "the content does not match the signature: its {} differs from the signed messageDigest", digest_name));

  int sig_ptype = V_ASN1_UNDEF;
  X509_ALGOR_get0(&obj, &sig_ptype, nullptr, signature_alg);
  int sig_nid = OBJ_obj2nid(obj);
  // Parameters: absent for Ed25519 (RFC 8419) and ECDSA (RFC 5758; NULL tolerated), NULL or absent for
  // PKCS#1 v1.5, RSASSA-PSS-params for PSS (checked below).
  bool no_parameters = sig_ptype == V_ASN1_UNDEF || (sig_ptype == V_ASN1_NULL && sig_nid != NID_ED25519);
  const EVP_PKEY* key = X509_get0_pubkey(cert);
  bool ed25519 = is_ed25519(key);
  bool rsa = EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS");
  bool ec = EVP_PKEY_is_a(key, "EC");
  std::optional<PssParameters> pss;
  std::string algorithm;
  auto mismatch = [&] {
    return bad_input(i18n::Text("signature algorithm {} with {} does not fit the signer's {} key",
                                (sig_nid != NID_undef ? algorithm_name(sig_nid) : oid_text(obj)), digest_name,
                                key_desc));
  };
  int sig_digest = NID_undef, sig_key = NID_undef;
  bool combined = sig_nid != NID_undef && OBJ_find_sigid_algs(sig_nid, &sig_digest, &sig_key) == 1;
  if (sig_nid != NID_rsassaPss && !no_parameters)
    return bad_input(i18n::Text("signature algorithm {} has unexpected parameters", algorithm_name(sig_nid)));
  if (ed25519) {
    if (sig_nid != NID_ED25519) return mismatch();
    if (digest_nid != NID_sha512)
      return bad_input(i18n::Text("Ed25519 in CMS requires SHA-512 (RFC 8419), not {}", digest_name));
    algorithm = display_algorithm(key_desc, SignatureFamily::ed25519, digest_nid);
  } else if (rsa) {
    if (sig_nid == NID_rsassaPss) {
      auto params = decode_pss_parameters(signature_alg);
      if (!params) return std::unexpected(params.error());
      if (params->hash_nid != digest_nid || allowed_digest(params->mgf1_hash_nid) == nullptr)
        return bad_input(i18n::Text("RSA-PSS hash {} / MGF1 {} is not allowed with digest {}",
                                    digest_display_name(params->hash_nid), digest_display_name(params->mgf1_hash_nid),
                                    digest_name));
      pss = *params;
      algorithm = display_algorithm(key_desc, SignatureFamily::pss, digest_nid);
    } else if (EVP_PKEY_is_a(key, "RSA-PSS")) {
      return mismatch();  // an RSASSA-PSS key may only make PSS signatures
    } else if (sig_nid == NID_rsaEncryption || (combined && sig_key == NID_rsaEncryption && sig_digest == digest_nid)) {
      algorithm = display_algorithm(key_desc, SignatureFamily::pkcs1, digest_nid);
    } else {
      return mismatch();
    }
  } else if (ec) {
    if (!(sig_nid == NID_X9_62_id_ecPublicKey ||
          (combined && sig_key == NID_X9_62_id_ecPublicKey && sig_digest == digest_nid)))
      return mismatch();
    algorithm = display_algorithm(key_desc, SignatureFamily::ecdsa, digest_nid);
  } else {
    return bad_input(i18n::Text("signer key {} is not allowed", key_desc));
  }

  auto attributes = signed_attributes_der(si);
  if (!attributes) return bad_input(i18n::Text("cannot encode the signed attributes"));
  ASN1_OCTET_STRING* signature = CMS_SignerInfo_get0_signature(si);
  const unsigned char* sig = ASN1_STRING_get0_data(signature);
  std::size_t sig_len = static_cast<std::size_t>(ASN1_STRING_length(signature));
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  bool ok = ctx && EVP_DigestVerifyInit_ex(ctx.get(), &pctx, ed25519 ? nullptr : EVP_MD_get0_name(md), nullptr,
                                           nullptr, const_cast<EVP_PKEY*>(key), nullptr) == 1;
  if (ok && pss) {
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, allowed_digest(pss->mgf1_hash_nid)) > 0 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, pss->salt_length) > 0;
  }
  ok = ok && EVP_DigestVerify(ctx.get(), sig, sig_len, attributes->data(), attributes->size()) == 1;
  clear_ssl_errors();
  if (!ok)
    return bad_input(i18n::Text("the {} signature does not verify with the key of {}", algorithm, short_subject(cert)));
  return algorithm;
}

// The raw DER of the signingCertificate and signingCertificateV2 attribute values, concatenated (DER is
// self-delimiting); empty when neither is present.
Bytes ess_attribute_bytes(CMS_SignerInfo* si) {
  Bytes out;
  for (int nid : {NID_id_smime_aa_signingCertificate, NID_id_smime_aa_signingCertificateV2}) {
    if (CMS_signed_get_attr_by_NID(si, nid, -1) < 0) continue;
    out.push_back(static_cast<std::uint8_t>(nid & 0xff));  // which attribute, so that a move between them differs
    const ASN1_TYPE* value = single_signed_attribute(si, nid);
    if (value == nullptr || value->type != V_ASN1_SEQUENCE) {
      out.push_back(0);  // malformed: never equal to accepted bytes, and ess_names_chain refuses it
      continue;
    }
    const ASN1_STRING* seq = value->value.sequence;
    out.insert(out.end(), ASN1_STRING_get0_data(seq), ASN1_STRING_get0_data(seq) + ASN1_STRING_length(seq));
  }
  return out;
}

// Whether the ESS attributes present name the chain's certificates (the first one the signer), RFC 5035.
bool ess_names_chain(CMS_SignerInfo* si, STACK_OF(X509) * chain) {
  const ASN1_TYPE* ess_v2 = nullptr;
  const ASN1_TYPE* ess_v1 = nullptr;
  UniqueSsl<ESS_SIGNING_CERT_V2, ESS_SIGNING_CERT_V2_free> v2;
  UniqueSsl<ESS_SIGNING_CERT, ESS_SIGNING_CERT_free> v1;
  if (CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, -1) >= 0) {
    ess_v2 = single_signed_attribute(si, NID_id_smime_aa_signingCertificateV2);
    if (ess_v2 == nullptr) return false;
    v2.reset(static_cast<ESS_SIGNING_CERT_V2*>(ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(ESS_SIGNING_CERT_V2), ess_v2)));
    if (!v2) return false;
  }
  if (CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_signingCertificate, -1) >= 0) {
    ess_v1 = single_signed_attribute(si, NID_id_smime_aa_signingCertificate);
    if (ess_v1 == nullptr) return false;
    v1.reset(static_cast<ESS_SIGNING_CERT*>(ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(ESS_SIGNING_CERT), ess_v1)));
    if (!v1) return false;
  }
  bool ok = OSSL_ESS_check_signing_certs(v1.get(), v2.get(), chain, 0) == 1;
  clear_ssl_errors();
  return ok;
}


std::string chain_error_message(X509_STORE_CTX* ctx, X509* signer, UnixTime signing_time) {
  int err = X509_STORE_CTX_get_error(ctx);
  X509* at = X509_STORE_CTX_get_current_cert(ctx);
  if (at == nullptr) at = signer;
  std::string who = "certificate " + short_subject(at);
  std::string when = format_vietnam_time(signing_time);
  switch (err) {
    case X509_V_ERR_CERT_HAS_EXPIRED: {
      auto until = asn1_time_to_unix(X509_get0_notAfter(at));
      return who + " expired " + (until ? format_vietnam_time(*until) : "?") + ", before the signing time " + when;
    }
    case X509_V_ERR_CERT_NOT_YET_VALID: {
      auto from = asn1_time_to_unix(X509_get0_notBefore(at));
      return who + " is valid only from " + (from ? format_vietnam_time(*from) : "?") + ", after the signing time " +
             when;
    }
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
      return "no chain to a trusted root: the issuer " + name_to_string(X509_get_issuer_name(at)) + " of " + who +
             " is neither a trusted root nor an intermediate held that chains to one";
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      return who + " is self-signed and not a trusted root";
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return "no chain to a trusted root: the chain of " + short_subject(signer) + " ends at " + who +
             ", which is not trusted";
    case X509_V_ERR_CA_MD_TOO_WEAK:
    case X509_V_ERR_EE_KEY_TOO_SMALL:
    case X509_V_ERR_CA_KEY_TOO_SMALL: {
      const X509_ALGOR* alg = nullptr;
      X509_get0_signature(nullptr, &alg, at);
      const ASN1_OBJECT* obj = nullptr;
      X509_ALGOR_get0(&obj, nullptr, nullptr, alg);
      const EVP_PKEY* key = X509_get0_pubkey(at);
      if (err == X509_V_ERR_CA_MD_TOO_WEAK)
        return who + " is signed with a weak algorithm (" + algorithm_name(OBJ_obj2nid(obj)) +
               "): SHA-1 and MD5 are refused";
      return who + " has a key too small (" + (key ? key_description(key) : std::string("?")) +
             "): RSA keys must have at least 2048 bits";
    }
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
      return "the signature on " + who + " does not verify with its issuer's key";
    case X509_V_ERR_INVALID_CA:
      return who + " issues certificates but is not a CA (basicConstraints/keyUsage)";
    default:
      return "certificate chain of " + short_subject(signer) + ": " + X509_verify_cert_error_string(err) + " (at " +
             who + ")";
  }
}

// How many times a chain is built again without an issuer that failed (build_chain).
constexpr int kMaxOtherIssuers = 8;

// A certificate of the chain `ctx` built (and failed), above the signer's, that came from `pool` and that another
// certificate of `pool` could stand for (the same subject name): the one where the check failed or, going up, the
// first above it; else the lowest below it. Null when there is none.
X509* replaceable_issuer(X509_STORE_CTX* ctx, STACK_OF(X509) * pool) {
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx);
  const int n = sk_X509_num(chain), failed = std::clamp(X509_STORE_CTX_get_error_depth(ctx), 1, std::max(n - 1, 1));
  for (int k = 0; k < n - 1; ++k) {
    const int depth = failed + k < n ? failed + k : k - (n - failed) + 1;  // failed .. n-1, then 1 .. failed-1
    X509* c = sk_X509_value(chain, depth);
    bool from_pool = false, stand_in = false;
    for (int i = 0; i < sk_X509_num(pool); ++i) {
      X509* p = sk_X509_value(pool, i);
      if (p == c)
        from_pool = true;
      else if (X509_cmp(p, c) != 0 && X509_NAME_cmp(X509_get_subject_name(p), X509_get_subject_name(c)) == 0)
        stand_in = true;
    }
    if (from_pool && stand_in) return c;
  }
  return nullptr;
}

}  // namespace

BuiltChain build_chain(X509_STORE* store, X509* cert,
                       const std::function<X509StackPtr(const std::vector<X509*>& excluded)>& pool,
                       const std::function<void(X509_STORE_CTX*)>& setup,
                       const std::function<void(X509_STORE_CTX*)>& first_failure) {
  std::vector<X509*> excluded;
  for (int attempt = 0;; ++attempt) {
    BuiltChain built{pool(excluded), X509StoreCtxPtr(X509_STORE_CTX_new())};
    if (!built.untrusted || !built.ctx ||
        X509_STORE_CTX_init(built.ctx.get(), store, cert, built.untrusted.get()) != 1) {
      built.ctx.reset();
      return built;
    }
    setup(built.ctx.get());
    if (X509_verify_cert(built.ctx.get()) == 1) {
      built.verified = true;
      return built;
    }
    if (attempt == 0 && first_failure) first_failure(built.ctx.get());
    clear_ssl_errors();
    // No other issuer can help a certificate revoked (a CRL that revokes a CA's certificate cuts off what it issued,
    // whatever other certificate of its key there is), nor a signer's own certificate out of its validity, of
    // another purpose or with too small a key.
    const int error = X509_STORE_CTX_get_error(built.ctx.get());
    if (error == X509_V_ERR_CERT_REVOKED ||
        (X509_STORE_CTX_get_error_depth(built.ctx.get()) == 0 &&
         (error == X509_V_ERR_CERT_HAS_EXPIRED || error == X509_V_ERR_CERT_NOT_YET_VALID ||
          error == X509_V_ERR_INVALID_PURPOSE || error == X509_V_ERR_EE_KEY_TOO_SMALL)))
      return built;
    X509* replaced = attempt < kMaxOtherIssuers ? replaceable_issuer(built.ctx.get(), built.untrusted.get()) : nullptr;
    if (replaced == nullptr) return built;
    excluded.push_back(replaced);
  }
}

// OpenSSL's security level for chains (X509_VERIFY_PARAM_set_auth_level): 112-bit keys, no SHA-1 or MD5.
constexpr int kAuthLevel = 2;

struct Verifier::Rep {
  // Trust configuration: written by add_root/add_intermediate/add_crl/add_timestamp_authority (exclusive), read by
  // verify (shared).
  mutable std::shared_mutex config_mutex;
  X509StorePtr store;                // guarded by config_mutex
  X509StackPtr intermediates;        // guarded by config_mutex: as added
  // `intermediates` parted by whether they chain to a root (chained_intermediates): chains are built from the
  // first, and from the others only after the certificates a signature carries (through which one may chain); made
  // again at the first use after a root or an intermediate is added.
  mutable X509StackPtr chained, unchained;  // guarded by config_mutex
  mutable std::atomic<bool> chained_stale{false};
  std::vector<HeldCrl> crls;         // guarded by config_mutex; each verified against its issuer when added
  std::vector<X509Ptr> timestamp_authorities;  // guarded by config_mutex

  // Signers whose chain was verified, by cache key (the signer's fingerprint, bound to any extra certificates).
  // Cleared when the trust configuration changes.
  mutable std::shared_mutex cache_mutex;
  mutable std::unordered_map<Digest, std::shared_ptr<const Signer>, DigestHash> cache;  // guarded by cache_mutex

  std::shared_ptr<const Signer> lookup(const Digest& key) const {
    std::shared_lock lock(cache_mutex);
    auto it = cache.find(key);
    return it == cache.end() ? nullptr : it->second;
  }
  void remember(const Digest& key, std::shared_ptr<const Signer> signer) const {
    std::unique_lock lock(cache_mutex);
    if (cache.size() >= kMaxCachedSigners) cache.clear();
    cache[key] = std::move(signer);
  }
  void forget_all() const {
    std::unique_lock lock(cache_mutex);
    cache.clear();
  }
  // `chained` brought up to date; config_mutex held exclusively.
  void rechain_locked() const {
    if (!chained_stale.load(std::memory_order_relaxed)) return;
    // No security level: a weak CA certificate is refused by name when a chain needs it (and passed over when
    // another stands for it: verify()).
    auto parted = chained_intermediates(store.get(), intermediates.get(), -1);
    chained = std::move(parted.chained);
    unchained = std::move(parted.unchained);
    chained_stale.store(false, std::memory_order_release);
  }
  // The same, config_mutex not held (before verify takes it shared).
  void rechain() const {
    if (!chained_stale.load(std::memory_order_acquire)) return;
    std::unique_lock lock(config_mutex);
    rechain_locked();
  }
};

ChainedIntermediates chained_intermediates(X509_STORE* store, STACK_OF(X509) * offered, int auth_level) {
  ChainedIntermediates out{X509StackPtr(sk_X509_new_null()), X509StackPtr(sk_X509_new_null())};
  std::vector<X509*> pending, taken;
  for (int i = 0; i < sk_X509_num(offered); ++i) pending.push_back(sk_X509_value(offered, i));
  // Each round takes those whose issuer is a root or was taken before: the first tries every certificate, each
  // later one only those whose issuer's name is that of one the round before took. A round that takes none ends it.
  for (bool first = true; !pending.empty(); first = false) {
    const std::vector<X509*> before = std::exchange(taken, {});
    std::erase_if(pending, [&](X509* c) {
      if (!first && std::none_of(before.begin(), before.end(), [&](X509* t) {
            return X509_NAME_cmp(X509_get_issuer_name(c), X509_get_subject_name(t)) == 0;
          }))
        return false;
      // Through those taken; when the chain fails, again without one of them another could stand for (a CA re-keyed
      // under the same name, its certificates without a key identifier: OpenSSL may take the old key first).
      const auto pool = [&](const std::vector<X509*>& excluded) {
        X509StackPtr from(sk_X509_new_null());
        if (from) push_held_except(from.get(), out.chained.get(), excluded);
        return from;
      };
      const auto setup = [&](X509_STORE_CTX* ctx) {
        X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx);
        X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_NO_CHECK_TIME);
        if (auth_level >= 0) X509_VERIFY_PARAM_set_auth_level(param, auth_level);
      };
      if (!build_chain(store, c, pool, setup).verified) return false;
      taken.push_back(c);
      return true;
    });
    for (X509* c : taken) push_held(out.chained.get(), c);
    if (taken.empty()) break;
  }
  for (X509* c : pending) push_held(out.unchained.get(), c);
  clear_ssl_errors();
  return out;
}

Verifier::Verifier() : rep_(std::make_unique<Rep>()) {
  rep_->store.reset(X509_STORE_new());
  rep_->intermediates.reset(sk_X509_new_null());
  rep_->chained.reset(sk_X509_new_null());
  rep_->unchained.reset(sk_X509_new_null());
}
Verifier::Verifier(Verifier&&) noexcept = default;
Verifier& Verifier::operator=(Verifier&&) noexcept = default;
Verifier::~Verifier() = default;

Status Verifier::add_root(ByteView der) {
  X509Ptr cert = x509_from_der(der);
  if (!cert) return bad_input(i18n::Text("trusted root is not a DER certificate"));
  {
    std::unique_lock lock(rep_->config_mutex);
    if (X509_STORE_add_cert(rep_->store.get(), cert.get()) != 1)
      return bad_input(i18n::Text("cannot add root {}: {}", short_subject(cert.get()), ssl_errors()));
    rep_->chained_stale.store(true, std::memory_order_relaxed);
  }
  rep_->forget_all();
  return {};
}

Status Verifier::add_intermediate(ByteView der) {
  X509Ptr cert = x509_from_der(der);
  if (!cert) return bad_input(i18n::Text("intermediate certificate is not a DER certificate"));
  {
    std::unique_lock lock(rep_->config_mutex);
    if (sk_X509_push(rep_->intermediates.get(), cert.get()) <= 0)
      return bad_input(i18n::Text("cannot add intermediate {}: {}", short_subject(cert.get()), ssl_errors()));
    cert.release();  // owned by the stack now
    rep_->chained_stale.store(true, std::memory_order_relaxed);
  }
  rep_->forget_all();
  return {};
}

Status Verifier::add_timestamp_authority(ByteView der) {
  X509Ptr cert = x509_from_der(der);
  if (!cert) return bad_input(i18n::Text("the time-stamp authority's certificate is not a DER certificate"));
  std::unique_lock lock(rep_->config_mutex);
  rep_->timestamp_authorities.push_back(std::move(cert));
  return {};
}

Result<Verifier::CrlInfo> Verifier::add_crl(ByteView der) {
  X509CrlPtr crl = crl_from_der(der);
  if (!crl) return bad_input(i18n::Text("not a DER certificate revocation list (CRL)"));
  const X509_NAME* issuer_name = X509_CRL_get_issuer(crl.get());
  CrlInfo info;
  info.issuer = name_to_string(issuer_name);
  auto this_update = asn1_time_to_unix(X509_CRL_get0_lastUpdate(crl.get()));
  if (!this_update) return bad_input(i18n::Text("the CRL of {} has no valid thisUpdate", info.issuer));
  info.this_update = *this_update;
  if (const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl.get())) info.next_update = asn1_time_to_unix(next);
  info.revoked = static_cast<std::size_t>(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl.get())));
  std::unique_lock lock(rep_->config_mutex);
  // The issuer must be a CA we know, and its key must have signed the CRL.
  std::vector<X509*> candidates;
  STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(rep_->store.get());
  for (int i = 0; i < sk_X509_OBJECT_num(objects); ++i)
    if (X509* c = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objects, i))) candidates.push_back(c);
  rep_->rechain_locked();
  for (int i = 0; i < sk_X509_num(rep_->chained.get()); ++i)
    candidates.push_back(sk_X509_value(rep_->chained.get(), i));
  bool named = false, signed_by = false;
  for (X509* c : candidates) {
    if (X509_NAME_cmp(X509_get_subject_name(c), issuer_name) != 0) continue;
    named = true;
    if (X509_CRL_verify(crl.get(), X509_get0_pubkey(c)) == 1) signed_by = true;
  }
  clear_ssl_errors();
  if (!named)
    return bad_input(i18n::Text(
        "the CRL's issuer {} is neither a trusted root nor an intermediate held that chains to one", info.issuer));
  if (!signed_by)
    return bad_input(i18n::Text("the CRL's signature does not verify with the key of its issuer {}", info.issuer));
  rep_->crls.push_back({std::move(crl), sha256(der)});
  lock.unlock();
  rep_->forget_all();
  return info;
}

namespace {
thread_local std::uint64_t verifications_on_this_thread_ = 0;  // Verifier::verifications_on_this_thread()
}  // namespace

std::uint64_t Verifier::verifications_on_this_thread() { return verifications_on_this_thread_; }

Result<VerifiedSignature> Verifier::verify(ByteView content, ByteView cms_der, ByteView signer_der,
                                           const std::vector<Bytes>& extra_certs, CmsForm form,
                                           const AuthorityFilter& counted) const {
  const Digest fingerprint = sha256(signer_der);
  ++verifications_on_this_thread_;
  // The cache key binds the signer to the extra certificates that helped build its chain.
  Digest key = fingerprint;
  if (!extra_certs.empty()) {
    std::vector<Digest> extras;
    for (const Bytes& e : extra_certs) extras.push_back(sha256(e));
    std::sort(extras.begin(), extras.end());
    Bytes material(fingerprint.begin(), fingerprint.end());
    for (const Digest& d : extras) material.insert(material.end(), d.begin(), d.end());
    key = sha256(material);
  }

  CmsPtr cms = decode_cms(cms_der);
  if (!cms) return bad_input(i18n::Text("the signature is not a DER CMS ContentInfo"));
  auto si = detached_signer_info(cms.get());
  if (!si) return refused("signature", text_of(si.error()));
  if (auto problem = signed_data_problem(cms_der, cms.get())) return refused("signature", *problem);
  auto claimed_time = cms_signing_time(*si);
  if (!claimed_time) return refused("signature", i18n::Text("the signature has no valid signingTime attribute"));

  std::shared_ptr<const Signer> cached = rep_->lookup(key);
  X509Ptr fresh;
  X509* cert = nullptr;
  std::string key_desc;
  if (cached) {
    cert = cached->cert.get();
    key_desc = cached->key_description;
  } else {
    fresh = x509_from_der(signer_der);
    if (!fresh) return bad_input(i18n::Text("the signer certificate is not a DER certificate"));
    cert = fresh.get();
    const EVP_PKEY* pkey = X509_get0_pubkey(cert);
    key_desc = pkey != nullptr ? key_description(pkey) : "unreadable key";
    if (auto why = static_signer_checks(cert, key_desc)) return refused("signature", *why);
  }

  if (CMS_SignerInfo_cert_cmp(*si, cert) != 0) {
    clear_ssl_errors();
    return refused("signature",
                   i18n::Text("signer certificate {} is not the one the SignerInfo names", short_subject(cert)));
  }
  if (form == CmsForm::ledger)
    if (auto problem = ledger_form_problem(cms_der, cms.get(), *si, cert)) return refused("signature", *problem);
  auto algorithm = check_signature(*si, cert, key_desc, content);
  if (!algorithm) return refused("signature", text_of(algorithm.error()));

  // A time-stamp token fixes the time the signature existed; the claimed signingTime may not be later than that.
  std::optional<Timestamp> stamp;
  {
    std::shared_lock config(rep_->config_mutex);
    auto found = signer_info_timestamp(*si, rep_->timestamp_authorities, form == CmsForm::ledger,
                                       form == CmsForm::document ? counted : AuthorityFilter{});
    if (!found) return refused("signature", text_of(found.error()));
    stamp = *found;
  }
  if (stamp && *claimed_time > stamp->time + kTimestampSkew)
    return refused("signature", i18n::Text("the signingTime {} is later than the time-stamp over the signature, {}",
                                           format_vietnam_time(*claimed_time), format_vietnam_time(stamp->time)));
  const UnixTime signing_time = stamp ? stamp->time : *claimed_time;

  std::shared_ptr<const Signer> signer = cached;
  std::shared_ptr<Signer> entry;  // a new cache entry, published once every check has passed
  if (!cached || signing_time < cached->valid_from || signing_time > cached->valid_until) {
    X509StackPtr extras(sk_X509_new_null());
    if (!extras) return bad_input(i18n::Text("cannot start chain verification: {}", ssl_errors()));
    for (const Bytes& e : extra_certs) {
      X509Ptr x = x509_from_der(e);
      if (!x) return bad_input(i18n::Text("an extra certificate is not a DER certificate"));
      push_held(extras.get(), x.get());
    }
    rep_->rechain();
    std::shared_lock config(rep_->config_mutex);
    // The pool: the intermediates that chain to a root, the certificates the signature carries, and (through these)
    // the other intermediates; each attempt after the first without an issuer that failed (build_chain).
    auto pool = [&](const std::vector<X509*>& excluded) {
      X509StackPtr out(sk_X509_new_null());
      if (!out) return out;
      push_held_except(out.get(), rep_->chained.get(), excluded);
      push_held_except(out.get(), extras.get(), excluded);
      if (sk_X509_num(extras.get()) > 0) push_held_except(out.get(), rep_->unchained.get(), excluded);
      return out;
    };
    // The refusal names what the first chain failed on (build_chain tries others).
    std::string why;
    const BuiltChain built = build_chain(
        rep_->store.get(), cert, pool,
        [&](X509_STORE_CTX* attempt) {
          X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(attempt);
          X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(signing_time));
          X509_VERIFY_PARAM_set_auth_level(param, kAuthLevel);
        },
        [&](X509_STORE_CTX* failed) { why = chain_error_message(failed, cert, signing_time); });
    if (!built.ctx) return bad_input(i18n::Text("cannot start chain verification: {}", ssl_errors()));
    if (!built.verified) return refused("signature", why);
    entry = std::make_shared<Signer>();
    entry->chain_certs.reset(X509_STORE_CTX_get1_chain(built.ctx.get()));
    entry->key_description = key_desc;
    entry->valid_from = INT64_MIN;
    entry->valid_until = INT64_MAX;
    for (int i = 0; i < sk_X509_num(entry->chain_certs.get()); ++i) {
      X509* c = sk_X509_value(entry->chain_certs.get(), i);
      auto nb = asn1_time_to_unix(X509_get0_notBefore(c));
      auto na = asn1_time_to_unix(X509_get0_notAfter(c));
      if (!nb || !na)
        return refused("signature", i18n::Text("certificate {} has a malformed validity", short_subject(c)));
      entry->valid_from = std::max(entry->valid_from, *nb);
      entry->valid_until = std::min(entry->valid_until, *na);
      entry->chain.push_back(i == 0 ? fingerprint : x509_fingerprint(c));
    }
    find_revocations(*entry, rep_->crls);  // config_mutex is held (shared)
    if (fresh) {
      entry->cert = std::move(fresh);
    } else {
      X509_up_ref(cert);
      entry->cert.reset(cert);
    }
    signer = entry;
  }

  // CAdES signingCertificate(V2): when present it must name the signer (and any listed chain certificates).
  // A signer's attribute is the same in every signature it makes, so the checked bytes are remembered.
  Bytes ess = ess_attribute_bytes(*si);
  if (!ess.empty() && ess != signer->accepted_ess) {
    if (!ess_names_chain(*si, signer->chain_certs.get()))
      return refused("signature", i18n::Text("the signingCertificate attribute does not name the signer certificate {}",
                                             short_subject(cert)));
    if (entry) entry->accepted_ess = std::move(ess);
  }
  // Revocation (CRLs held): at or before the signing time the signature is invalid; after it, it stands.
  if (!signer->revocations.empty() && signer->revocations.front().at <= signing_time)
    return refused("signature", i18n::Text("{}, before the signing time {}", signer->revocations.front().what,
                                           format_vietnam_time(signing_time)));
  if (entry) rep_->remember(key, std::move(entry));

  VerifiedSignature out;
  out.signer = fingerprint;
  out.signing_time = signing_time;
  out.claimed_signing_time = *claimed_time;
  if (stamp) out.timestamp_authority = stamp->authority;
  out.revocations = signer->revocations;
  if (!out.revocations.empty()) out.revoked_after = out.revocations.front().at;
  out.chain_valid_from = signer->valid_from;
  out.chain_valid_until = signer->valid_until;
  out.algorithm = std::move(*algorithm);
  out.chain = signer->chain;
  out.signing_certificate_v2 = CMS_signed_get_attr_by_NID(*si, NID_id_smime_aa_signingCertificateV2, -1) >= 0;
  return out;
}

}  // namespace antq::signing
