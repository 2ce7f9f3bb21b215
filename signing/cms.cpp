// CMS detached SignedData with CAdES-BES signed attributes: signing, parsing, certificates in and out.
//
// RSA and ECDSA are signed by OpenSSL's CMS code. Ed25519 is not: OpenSSL 3.0's CMS passes the SignerInfo
// digest to the EdDSA signer, which refuses it ("invalid digest"), so Ed25519 SignerInfos are completed here
// as RFC 8419 §3 describes: digestAlgorithm SHA-512, signatureAlgorithm id-Ed25519 without parameters, and the
// signature PureEdDSA over the DER of the signed attributes.
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>

#include "signing/der.hpp"
#include "signing/openssl_util.hpp"

namespace antq::signing {

CmsPtr decode_cms(ByteView der) {
  return d2i_exact<CMS_ContentInfo, d2i_CMS_ContentInfo, CMS_ContentInfo_free>(der);
}

Bytes encode_cms(CMS_ContentInfo* cms) { return der_bytes(cms, i2d_CMS_ContentInfo); }

Result<CMS_SignerInfo*> detached_signer_info(CMS_ContentInfo* cms) {
  if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) return bad_input(i18n::Text("the CMS is not a SignedData"));
  if (OBJ_obj2nid(CMS_get0_eContentType(cms)) != NID_pkcs7_data)
    return bad_input(i18n::Text("the CMS content type is not id-data"));
  ASN1_OCTET_STRING** content = CMS_get0_content(cms);
  if (content == nullptr || *content != nullptr)
    return bad_input(i18n::Text("the CMS is not detached (it embeds its content)"));
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms);
  int n = infos != nullptr ? sk_CMS_SignerInfo_num(infos) : 0;
  if (n != 1) return bad_input(i18n::Text("the CMS has {} SignerInfos; exactly one is required", std::to_string(n)));
  return sk_CMS_SignerInfo_value(infos, 0);
}

std::optional<UnixTime> cms_signing_time(CMS_SignerInfo* si) {
  const ASN1_TYPE* value = single_signed_attribute(si, NID_pkcs9_signingTime);
  if (value == nullptr) return std::nullopt;
  if (value->type != V_ASN1_UTCTIME && value->type != V_ASN1_GENERALIZEDTIME) return std::nullopt;
  return asn1_time_to_unix(value->value.asn1_string);
}

namespace {

// The fields of ContentInfo { contentType, [0] EXPLICIT SignedData } as DER elements; nullopt when `der`
// does not have that shape.
struct SignedDataFields {
  DerElement content_type;
  std::vector<DerElement> fields;  // SignedData's fields in order
};

std::optional<SignedDataFields> signed_data_fields(ByteView der) {
  DerReader top(der);
  auto ci = top.next(kDerSequence);
  if (!ci || !top.at_end()) return std::nullopt;
  DerReader in_ci(ci->content);
  auto oid = in_ci.next(kDerOid);
  auto wrapper = in_ci.next(kDerContext0);
  if (!oid || !wrapper || !in_ci.at_end()) return std::nullopt;
  DerReader in_wrapper(wrapper->content);
  auto sd = in_wrapper.next(kDerSequence);
  if (!sd || !in_wrapper.at_end()) return std::nullopt;
  SignedDataFields out;
  out.content_type = *oid;
  DerReader in_sd(sd->content);
  while (auto field = in_sd.next()) out.fields.push_back(*field);
  if (!in_sd.at_end()) return std::nullopt;
  return out;
}

// ContentInfo { content_type, [0] EXPLICIT SignedData { fields } } in DER (minimal lengths); `fields` are the
// SignedData's fields, each a whole DER element.
Bytes content_info_der(const DerElement& content_type, ByteView fields) {
  Bytes signed_data, wrapper, body, content_info;
  append_der(signed_data, kDerSequence, fields);
  append_der(wrapper, kDerContext0, signed_data);
  body.assign(content_type.whole.begin(), content_type.whole.end());
  body.insert(body.end(), wrapper.begin(), wrapper.end());
  append_der(content_info, kDerSequence, body);
  return content_info;
}

// The DER ContentInfo with SignedData's `certificates [0] IMPLICIT` field removed; every other byte is kept.
std::optional<Bytes> strip_certificates(ByteView der) {
  auto parsed = signed_data_fields(der);
  if (!parsed) return std::nullopt;
  Bytes fields;
  for (const DerElement& f : parsed->fields)
    if (f.tag != kDerContext0) fields.insert(fields.end(), f.whole.begin(), f.whole.end());
  return content_info_der(parsed->content_type, fields);
}

constexpr const char* kNotDer = "not DER";

// The version and digestAlgorithms bytes of a SignedData that OpenSSL's decoder accepts whatever they say
// (they are outside the signature): SignedData and SignerInfo versions must agree with the sid form
// (RFC 5652 §5.1, §5.3) and digestAlgorithms must list the SignerInfo's digest. DER only.
std::optional<std::string> shape_problem(ByteView der) {
  auto parsed = signed_data_fields(der);
  if (!parsed) return kNotDer;
  const std::vector<DerElement>& f = parsed->fields;
  // version, digestAlgorithms, encapContentInfo, [certificates], [crls], signerInfos
  if (f.size() < 4 || f[1].tag != kDerSet || f[2].tag != kDerSequence || f.back().tag != kDerSet) return kNotDer;
  bool carries_certificates = f.size() > 4;
  for (std::size_t i = 3; i + 1 < f.size(); ++i)
    if (f[i].tag != kDerContext0 && f[i].tag != kDerContext1) return kNotDer;
  auto sd_version = der_small_integer(f[0]);

  DerReader infos(f.back().content);
  auto info = infos.next(kDerSequence);
  if (!info || !infos.at_end()) return kNotDer;
  DerReader in_info(info->content);
  auto si_version_element = in_info.next(kDerInteger);
  auto sid = in_info.next();
  auto digest = in_info.next(kDerSequence);
  if (!si_version_element || !sid || !digest) return kNotDer;
  auto si_version = der_small_integer(*si_version_element);

  if (!(si_version == 1 && sid->tag == kDerSequence) && !(si_version == 3 && sid->tag == kDerContext0Primitive))
    return "the SignerInfo version does not match its signer identifier";
  int expected = *si_version;
  if (!sd_version || (*sd_version != expected && !(carries_certificates && *sd_version > expected && *sd_version <= 5)))
    return "the SignedData version is " + (sd_version ? std::to_string(*sd_version) : std::string("malformed")) +
           ", not " + std::to_string(expected);
  DerReader digests(f[1].content);
  while (auto alg = digests.next())
    if (std::ranges::equal(alg->whole, digest->whole)) return std::nullopt;
  return "the SignedData digestAlgorithms do not list the SignerInfo's digest";
}

bool add_signing_time(CMS_SignerInfo* si, UnixTime t) {
  Asn1TimePtr time = unix_to_asn1_time(t);
  return time && CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, time->type, time.get(), -1) == 1;
}

// Completes an Ed25519 SignerInfo made with CMS_PARTIAL (RFC 8419): contentType and messageDigest attributes,
// then the signature over the DER of the signed attributes.
Status finish_ed25519_signer(CMS_SignerInfo* si, EVP_PKEY* key, ByteView content) {
  X509_ALGOR* signature_algorithm = nullptr;
  CMS_SignerInfo_get0_algs(si, nullptr, nullptr, nullptr, &signature_algorithm);
  if (signature_algorithm == nullptr ||
      X509_ALGOR_set0(signature_algorithm, OBJ_nid2obj(NID_ED25519), V_ASN1_UNDEF, nullptr) != 1)
    return bad_input(i18n::Text("cannot set the Ed25519 signature algorithm: {}", ssl_errors()));
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (EVP_Digest(content.data(), content.size(), md, &md_len, allowed_digest(NID_sha512), nullptr) != 1 ||
      CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT, OBJ_nid2obj(NID_pkcs7_data), -1) != 1 ||
      CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, md, static_cast<int>(md_len)) != 1)
    return bad_input(i18n::Text("cannot add the signed attributes: {}", ssl_errors()));
  auto attributes = signed_attributes_der(si);
  if (!attributes) return bad_input(i18n::Text("cannot encode the signed attributes"));
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  std::uint8_t signature[64];
  std::size_t signature_len = sizeof signature;
  if (!ctx || EVP_DigestSignInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, key, nullptr) != 1 ||
      EVP_DigestSign(ctx.get(), signature, &signature_len, attributes->data(), attributes->size()) != 1 ||
      ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), signature, static_cast<int>(signature_len)) != 1)
    return bad_input(i18n::Text("Ed25519 signing failed: {}", ssl_errors()));
  return {};
}

// The signer certificate, parsed. A signer signs many events in a row (a district's acts, a benchmark's ledger), and
// OpenSSL 3 parses a certificate's public key through its decoder registry, under a global lock: nearly half the time
// of signing with an ECDSA key (verify_bench: 20,000 P-256 events signed in 6.1 s with a parse per signature,
// 3.4 s without). One certificate per thread, kept by its DER.
X509Ptr signer_certificate(ByteView der) {
  thread_local Bytes last_der;
  thread_local X509Ptr last;
  if (!last || !std::equal(der.begin(), der.end(), last_der.begin(), last_der.end())) {
    X509Ptr cert = x509_from_der(der);
    if (!cert) return nullptr;
    last = std::move(cert);
    last_der.assign(der.begin(), der.end());
  }
  X509_up_ref(last.get());
  return X509Ptr(last.get());
}

}  // namespace

Result<Bytes> cms_sign(ByteView content, const PrivateKey& key, ByteView certificate_der, const SignOptions& options) {
  X509Ptr cert = signer_certificate(certificate_der);
  if (!cert) return bad_input(i18n::Text("the signer certificate is not a DER certificate"));
  EVP_PKEY* pkey = key.rep()->key.get();
  const std::string& spec = key.rep()->spec;
  if (X509_check_private_key(cert.get(), pkey) != 1) {
    clear_ssl_errors();
    return bad_input(i18n::Text("key {} does not belong to certificate {}", spec, short_subject(cert.get())));
  }
  if (auto why = key_policy_violation(pkey)) return bad_input(i18n::Text("cannot sign with key {}: {}", spec, *why));
  bool ed25519 = is_ed25519(pkey);
  bool rsa = EVP_PKEY_is_a(pkey, "RSA") || EVP_PKEY_is_a(pkey, "RSA-PSS");
  if (options.rsa_padding == RsaPadding::pkcs1 && !rsa)
    return bad_input(i18n::Text("PKCS#1 v1.5 padding needs an RSA key; {} is {}", spec, key_description(pkey)));
  if (options.rsa_padding == RsaPadding::pkcs1 && EVP_PKEY_is_a(pkey, "RSA-PSS"))
    return bad_input(i18n::Text("key {} is an RSASSA-PSS key: it signs with PSS only", spec));
  const bool pss = rsa && options.rsa_padding == RsaPadding::pss;

  CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, CMS_DETACHED | CMS_BINARY | CMS_PARTIAL));
  if (!cms) return bad_input(i18n::Text("cannot start a CMS: {}", ssl_errors()));
  // CMS_CADES adds signingCertificateV2; S/MIME capabilities say nothing useful about a ledger signature.
  unsigned int flags = CMS_BINARY | CMS_PARTIAL | CMS_CADES | CMS_NOSMIMECAP;
  if (pss) flags |= CMS_KEY_PARAM;  // keeps the signing context so that PSS can be set on it
  const EVP_MD* md = allowed_digest(ed25519 ? NID_sha512 : NID_sha256);
  CMS_SignerInfo* si = CMS_add1_signer(cms.get(), cert.get(), pkey, md, flags);
  if (si == nullptr)
    return bad_input(i18n::Text("cannot add the signer {}: {}", short_subject(cert.get()), ssl_errors()));
  if (pss) {
    EVP_PKEY_CTX* pctx = CMS_SignerInfo_get0_pkey_ctx(si);
    if (pctx == nullptr || EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) <= 0 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) <= 0)
      return bad_input(i18n::Text("cannot set RSA-PSS: {}", ssl_errors()));
  }
  // Always explicit: OpenSSL would add "now" itself, but only at CMS_final and only when absent.
  if (!add_signing_time(si, options.signing_time.value_or(now())))
    return bad_input(i18n::Text("cannot add the signing time: {}", ssl_errors()));

  if (ed25519) {
    if (auto done = finish_ed25519_signer(si, pkey, content); !done) return std::unexpected(done.error());
  } else {
    BioPtr data = memory_bio(content);
    if (!data || CMS_final(cms.get(), data.get(), nullptr, CMS_DETACHED | CMS_BINARY) != 1)
      return bad_input(i18n::Text("CMS signing failed: {}", ssl_errors()));
  }
  Bytes der = encode_cms(cms.get());
  if (der.empty()) return bad_input(i18n::Text("cannot encode the CMS"));
  return der;
}

std::optional<std::string> signed_data_problem(ByteView der, CMS_ContentInfo* cms) {
  auto problem = shape_problem(der);
  if (problem && *problem == kNotDer) {
    // BER (indefinite lengths, unsorted sets): judge the DER re-encoding instead.
    Bytes normalised = encode_cms(cms);
    problem = shape_problem(normalised);
  }
  if (problem && *problem == kNotDer) return "the SignedData has an unexpected structure";
  return problem;
}

namespace {

// The certificates the CMS of a signature carries, decoded by OpenSSL once each, kept by the SHA-256 of their exact
// DER. OpenSSL 3.0 decodes a certificate's public key through its decoder registry, under a lock: a signer signs many
// acts, and without this cache the decoding of the same few certificates took 41% of antq serve's CPU
// (docs/performance.md). Bounded: emptied when full.
class CarriedCertificates {
 public:
  // The certificate whose DER is `der`; null when OpenSSL does not decode it or would encode it otherwise (not DER).
  X509Ptr get(ByteView der) {
    const Digest key = sha256(der);
    {
      std::lock_guard lock(mutex_);
      if (auto found = cache_.find(key); found != cache_.end()) return up_ref(found->second.get());
    }
    X509Ptr cert = x509_from_der(der);
    clear_ssl_errors();
    if (!cert || !std::ranges::equal(x509_to_der(cert.get()), der)) return nullptr;
    // The extensions are cached now, once, rather than lazily by the threads that share the certificate.
    X509_check_purpose(cert.get(), -1, 0);
    std::lock_guard lock(mutex_);
    if (cache_.size() >= kMaxCertificates) cache_.clear();
    auto [at, inserted] = cache_.try_emplace(key, std::move(cert));
    return up_ref(at->second.get());
  }

 private:
  static constexpr std::size_t kMaxCertificates = 4096;
  static X509Ptr up_ref(X509* cert) {
    X509_up_ref(cert);
    return X509Ptr(cert);
  }
  std::mutex mutex_;
  std::map<Digest, X509Ptr> cache_;
};

CarriedCertificates& carried_certificates() {
  static CarriedCertificates cache;
  return cache;
}

// cms_parse for the common case, with the certificates field split off by the DER reader and each certificate taken
// from the cache: a DER ContentInfo (every length minimal) whose SignedData carries one or more plain certificates,
// in the order DER sorts a SET OF, each exactly OpenSSL's DER, and the rest exactly OpenSSL's DER too, with no
// structural problem. Then what OpenSSL would re-encode is `der` itself, and the answer is the general path's.
// nullopt for anything else, which the general path then judges (and words any error).
std::optional<CmsParts> cms_parse_der_with_certificates(ByteView der) {
  auto parsed = signed_data_fields(der);
  if (!parsed) return std::nullopt;
  const DerElement* field = nullptr;
  for (const DerElement& f : parsed->fields)
    if (f.tag == kDerContext0) {
      if (field != nullptr) return std::nullopt;
      field = &f;
    }
  if (field == nullptr) return std::nullopt;  // no certificates: the general path is as quick
  std::vector<ByteView> elements;
  DerReader in_field(field->content);
  while (auto e = in_field.next()) {
    if (e->tag != kDerSequence) return std::nullopt;  // another CertificateChoices than a certificate
    if (!elements.empty()) {
      // DER's order for SET OF (X.690 §11.6), as OpenSSL sorts it: by the bytes, a shorter prefix first.
      const ByteView& before = elements.back();
      if (!std::ranges::lexicographical_compare(before, e->whole)) return std::nullopt;
    }
    elements.push_back(e->whole);
  }
  if (!in_field.at_end() || elements.empty()) return std::nullopt;
  if (shape_problem(der)) return std::nullopt;

  // The same ContentInfo rebuilt with minimal lengths around the same fields must be `der` (every length minimal).
  auto without = strip_certificates(der);
  if (!without) return std::nullopt;
  {
    Bytes certificates, fields;
    for (ByteView e : elements) certificates.insert(certificates.end(), e.begin(), e.end());
    for (const DerElement& f : parsed->fields)
      if (&f == field) append_der(fields, kDerContext0, certificates);
      else fields.insert(fields.end(), f.whole.begin(), f.whole.end());
    if (!std::ranges::equal(content_info_der(parsed->content_type, fields), der)) return std::nullopt;
  }
  CmsPtr cms = decode_cms(*without);
  if (!cms || !std::ranges::equal(encode_cms(cms.get()), *without)) return std::nullopt;
  auto si = detached_signer_info(cms.get());
  if (!si) return std::nullopt;

  CmsParts parts;
  parts.signing_time = cms_signing_time(*si);
  for (ByteView e : elements) {
    X509Ptr cert = carried_certificates().get(e);
    if (!cert) return std::nullopt;
    if (!parts.signer && CMS_SignerInfo_cert_cmp(*si, cert.get()) == 0) parts.signer = sha256(e);
    parts.certificates.emplace_back(e.begin(), e.end());
  }
  clear_ssl_errors();
  parts.der = true;
  parts.without_certificates = std::move(*without);
  return parts;
}

std::atomic<std::uint64_t> quick_answers{0};

}  // namespace

Result<CmsParts> cms_parse(ByteView der) {
  if (auto parts = cms_parse_der_with_certificates(der)) {
    quick_answers.fetch_add(1, std::memory_order_relaxed);
    return std::move(*parts);
  }
  return cms_parse_general(der);
}

std::uint64_t cms_parse_quick_answers() { return quick_answers.load(std::memory_order_relaxed); }

Result<CmsParts> cms_parse_general(ByteView der) {
  CmsPtr cms = decode_cms(der);
  if (!cms) return bad_input(i18n::Text("the signature is not a DER CMS ContentInfo"));
  auto si = detached_signer_info(cms.get());
  if (!si) return std::unexpected(si.error());
  if (auto problem = signed_data_problem(der, cms.get())) return bad_input(*problem);

  CmsParts parts;
  parts.signing_time = cms_signing_time(*si);
  X509StackPtr certs(CMS_get1_certs(cms.get()));
  clear_ssl_errors();
  for (int i = 0; certs && i < sk_X509_num(certs.get()); ++i) {
    X509* cert = sk_X509_value(certs.get(), i);
    Bytes cert_der = x509_to_der(cert);
    if (!parts.signer && CMS_SignerInfo_cert_cmp(*si, cert) == 0) parts.signer = sha256(cert_der);
    parts.certificates.push_back(std::move(cert_der));
  }
  // Re-encoding normalises BER (indefinite lengths) to DER before the certificates field is cut out.
  Bytes normalised = encode_cms(cms.get());
  parts.der = std::equal(normalised.begin(), normalised.end(), der.begin(), der.end());
  auto stripped = strip_certificates(normalised);
  if (!stripped) return bad_input(i18n::Text("the signature's SignedData has an unexpected structure"));
  parts.without_certificates = std::move(*stripped);
  return parts;
}

Result<Bytes> cms_with_certificates(ByteView der, const std::vector<Bytes>& certificates) {
  CmsPtr cms = decode_cms(der);
  if (!cms) return bad_input(i18n::Text("the signature is not a DER CMS ContentInfo"));
  if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed)
    return bad_input(i18n::Text("the CMS is not a SignedData"));
  std::set<Digest> present;
  X509StackPtr existing(CMS_get1_certs(cms.get()));
  clear_ssl_errors();
  for (int i = 0; existing && i < sk_X509_num(existing.get()); ++i)
    present.insert(x509_fingerprint(sk_X509_value(existing.get(), i)));
  for (const Bytes& cert_der : certificates) {
    X509Ptr cert = x509_from_der(cert_der);
    if (!cert) return bad_input(i18n::Text("a certificate to add is not a DER certificate"));
    if (!present.insert(sha256(cert_der)).second) continue;  // OpenSSL 3.0 refuses duplicates
    if (CMS_add1_cert(cms.get(), cert.get()) != 1)
      return bad_input(i18n::Text("cannot add a certificate: {}", ssl_errors()));
  }
  Bytes out = encode_cms(cms.get());
  if (out.empty()) return bad_input(i18n::Text("cannot encode the CMS"));
  return out;
}

}  // namespace antq::signing
