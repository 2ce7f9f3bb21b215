// RFC 3161 time-stamp tokens on CMS signatures (CAdES-T: the unsigned attribute id-aa-signatureTimeStampToken over
// the SignerInfo's signature value). Requests, responses and tokens are OpenSSL's TS code throughout: this file only
// says which bytes are stamped and which authorities are trusted.
#include <openssl/rand.h>
#include <openssl/ts.h>

#include "signing/openssl_util.hpp"

namespace antq::signing {

namespace {

using TsReqPtr = UniqueSsl<TS_REQ, TS_REQ_free>;
using TsRespPtr = UniqueSsl<TS_RESP, TS_RESP_free>;
using TsVerifyCtxPtr = UniqueSsl<TS_VERIFY_CTX, TS_VERIFY_CTX_free>;
using TsTstInfoPtr = UniqueSsl<TS_TST_INFO, TS_TST_INFO_free>;
using Pkcs7Ptr = UniqueSsl<PKCS7, PKCS7_free>;

ByteView signature_value(CMS_SignerInfo* si) {
  const ASN1_OCTET_STRING* s = CMS_SignerInfo_get0_signature(si);
  return {ASN1_STRING_get0_data(s), static_cast<std::size_t>(ASN1_STRING_length(s))};
}

Result<std::optional<Timestamp>> verified_token(CMS_SignerInfo* si, X509_ATTRIBUTE* attribute,
                                                const std::vector<X509Ptr>& authorities,
                                                const AuthorityFilter& counted) {
  const ASN1_TYPE* value = X509_ATTRIBUTE_count(attribute) == 1 ? X509_ATTRIBUTE_get0_type(attribute, 0) : nullptr;
  if (value == nullptr || value->type != V_ASN1_SEQUENCE)
    return bad_input(i18n::Text("the signatureTimeStampToken attribute does not hold exactly one token"));
  const ByteView token_der(ASN1_STRING_get0_data(value->value.sequence),
                           static_cast<std::size_t>(ASN1_STRING_length(value->value.sequence)));
  Pkcs7Ptr token = d2i_exact<PKCS7, d2i_PKCS7, PKCS7_free>(token_der);
  if (!token) return bad_input(i18n::Text("the time-stamp token is not a DER CMS ContentInfo"));
  // The token is not covered by the signature: its bytes must be exactly OpenSSL's encoding, so that nobody can
  // alter them without changing what the ledger stores and hashes.
  if (der_bytes(token.get(), i2d_PKCS7) != Bytes(token_der.begin(), token_der.end()))
    return bad_input(i18n::Text("the time-stamp token is not DER (OpenSSL encodes it differently)"));
  TsTstInfoPtr info(PKCS7_to_TS_TST_INFO(token.get()));
  if (!info) {
    clear_ssl_errors();
    return bad_input(i18n::Text("the time-stamp token holds no TSTInfo"));
  }
  auto time = asn1_time_to_unix(TS_TST_INFO_get_time(info.get()));
  if (!time) return bad_input(i18n::Text("the time-stamp token's genTime is malformed"));
  const X509_ALGOR* imprint_algorithm = TS_MSG_IMPRINT_get_algo(TS_TST_INFO_get_msg_imprint(info.get()));
  const ASN1_OBJECT* imprint_oid = nullptr;
  X509_ALGOR_get0(&imprint_oid, nullptr, nullptr, imprint_algorithm);
  if (allowed_digest(OBJ_obj2nid(imprint_oid)) == nullptr)
    return bad_input(i18n::Text("the time-stamp token's imprint uses {} (SHA-256, SHA-384 or SHA-512 only)",
                                digest_display_name(OBJ_obj2nid(imprint_oid))));
  STACK_OF(PKCS7_SIGNER_INFO)* token_signers = PKCS7_get_signer_info(token.get());
  if (token_signers == nullptr || sk_PKCS7_SIGNER_INFO_num(token_signers) != 1)
    return bad_input(i18n::Text("the time-stamp token does not have exactly one signer"));
  X509_ALGOR* token_digest = nullptr;
  PKCS7_SIGNER_INFO_get0_algs(sk_PKCS7_SIGNER_INFO_value(token_signers, 0), nullptr, &token_digest, nullptr);
  const ASN1_OBJECT* token_digest_oid = nullptr;
  X509_ALGOR_get0(&token_digest_oid, nullptr, nullptr, token_digest);
  if (allowed_digest(OBJ_obj2nid(token_digest_oid)) == nullptr)
    return bad_input(i18n::Text("the time-stamp token is signed with {} (SHA-256, SHA-384 or SHA-512 only)",
                                digest_display_name(OBJ_obj2nid(token_digest_oid))));

  // One trust store per authority, so that the one the token chains to is known (authorities are few).
  std::string why = "no time-stamp authority is trusted by this ledger";
  for (const X509Ptr& authority : authorities) {
    if (counted && !counted(x509_fingerprint(authority.get()))) continue;
    X509_STORE* store = X509_STORE_new();
    BIO* data = BIO_new_mem_buf(signature_value(si).data(), static_cast<int>(signature_value(si).size()));
    TsVerifyCtxPtr ctx(TS_VERIFY_CTX_new());
    if (store == nullptr || data == nullptr || !ctx || X509_STORE_add_cert(store, authority.get()) != 1) {
      X509_STORE_free(store);
      BIO_free(data);
      return bad_input(i18n::Text("cannot set up time-stamp verification: {}", ssl_errors()));
    }
    X509_VERIFY_PARAM* param = X509_STORE_get0_param(store);
    X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(*time));
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);  // the TSA certificate itself may be the anchor
    X509_VERIFY_PARAM_set_auth_level(param, 2);
    TS_VERIFY_CTX_set_store(ctx.get(), store);  // owned by ctx from here
    TS_VERIFY_CTX_set_data(ctx.get(), data);    // likewise
    TS_VERIFY_CTX_set_flags(ctx.get(), TS_VFY_VERSION | TS_VFY_SIGNATURE | TS_VFY_DATA);
    if (TS_RESP_verify_token(ctx.get(), token.get()) == 1) {
      clear_ssl_errors();
      return std::optional<Timestamp>{Timestamp{*time, x509_fingerprint(authority.get())}};
    }
    why = ssl_errors();
  }
  return bad_input(
      i18n::Text("the time-stamp token does not verify against a time-stamp authority this ledger trusts ({})", why));
}

}  // namespace

Result<std::optional<Timestamp>> signer_info_timestamp(CMS_SignerInfo* si, const std::vector<X509Ptr>& authorities,
                                                       bool strict, const AuthorityFilter& counted) {
  const int count = CMS_unsigned_get_attr_count(si);
  if (count <= 0) return std::optional<Timestamp>{};
  if (!strict) {
    const int at = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1);
    if (at < 0) return std::optional<Timestamp>{};
    auto stamp = verified_token(si, CMS_unsigned_get_attr(si, at), authorities, counted);
    return stamp ? stamp : std::optional<Timestamp>{};
  }
  if (count > 1)
    return bad_input(
        i18n::Text("the SignerInfo has {} unsigned attributes; only one signatureTimeStampToken is allowed",
                   std::to_string(count)));
  X509_ATTRIBUTE* attribute = CMS_unsigned_get_attr(si, 0);
  if (OBJ_obj2nid(X509_ATTRIBUTE_get0_object(attribute)) != NID_id_smime_aa_timeStampToken)
    return bad_input(i18n::Text("the SignerInfo carries an unsigned attribute other than a signatureTimeStampToken"));
  return verified_token(si, attribute, authorities, counted);
}

Result<Bytes> timestamp_request(ByteView cms_der) {
  CmsPtr cms = decode_cms(cms_der);
  if (!cms) return bad_input(i18n::Text("the signature is not a DER CMS ContentInfo"));
  auto si = detached_signer_info(cms.get());
  if (!si) return std::unexpected(si.error());
  const Digest imprint = sha256(signature_value(*si));
  TsReqPtr request(TS_REQ_new());
  UniqueSsl<TS_MSG_IMPRINT, TS_MSG_IMPRINT_free> message(TS_MSG_IMPRINT_new());
  UniqueSsl<X509_ALGOR, X509_ALGOR_free> algorithm(X509_ALGOR_new());
  UniqueSsl<ASN1_INTEGER, ASN1_INTEGER_free> nonce(ASN1_INTEGER_new());
  unsigned char random[8];
  UniqueSsl<BIGNUM, BN_free> nonce_bn(nullptr);
  bool ok = request && message && algorithm && nonce && RAND_bytes(random, sizeof random) == 1;
  if (ok) {
    random[0] &= 0x7f;  // a positive INTEGER
    nonce_bn.reset(BN_bin2bn(random, sizeof random, nullptr));
    ok = nonce_bn && BN_to_ASN1_INTEGER(nonce_bn.get(), nonce.get()) != nullptr;
  }
  ok = ok && TS_REQ_set_version(request.get(), 1) == 1 &&
       X509_ALGOR_set0(algorithm.get(), OBJ_nid2obj(NID_sha256), V_ASN1_NULL, nullptr) == 1 &&
       TS_MSG_IMPRINT_set_algo(message.get(), algorithm.get()) == 1 &&
       TS_MSG_IMPRINT_set_msg(message.get(), const_cast<unsigned char*>(imprint.data()),
                              static_cast<int>(imprint.size())) == 1 &&
       TS_REQ_set_msg_imprint(request.get(), message.get()) == 1 && TS_REQ_set_nonce(request.get(), nonce.get()) == 1 &&
       TS_REQ_set_cert_req(request.get(), 1) == 1;
  if (!ok) return bad_input(i18n::Text("cannot make the time-stamp request: {}", ssl_errors()));
  Bytes out = der_bytes(request.get(), i2d_TS_REQ);
  if (out.empty()) return bad_input(i18n::Text("cannot encode the time-stamp request"));
  return out;
}

Result<Bytes> add_timestamp(ByteView cms_der, ByteView response_der) {
  CmsPtr cms = decode_cms(cms_der);
  if (!cms) return bad_input(i18n::Text("the signature is not a DER CMS ContentInfo"));
  auto si = detached_signer_info(cms.get());
  if (!si) return std::unexpected(si.error());
  if (CMS_unsigned_get_attr_count(*si) > 0)
    return bad_input(i18n::Text("the signature carries a time-stamp token already"));
  TsRespPtr response = d2i_exact<TS_RESP, d2i_TS_RESP, TS_RESP_free>(response_der);
  if (!response) return bad_input(i18n::Text("the time-stamp response is not a DER TimeStampResp"));
  const TS_STATUS_INFO* status = TS_RESP_get_status_info(response.get());
  long granted = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(status));
  if (granted != 0 && granted != 1)  // granted, grantedWithMods
    return bad_input(
        i18n::Text("the time-stamp authority refused the request (PKIStatus {})", std::to_string(granted)));
  PKCS7* token = TS_RESP_get_token(response.get());
  if (token == nullptr) return bad_input(i18n::Text("the time-stamp response carries no token"));
  // Only the imprint is checked here: the token must stamp this signature. Its signature and authority are
  // admission's to judge, against the authorities the ledger trusts.
  BIO* data = BIO_new_mem_buf(signature_value(*si).data(), static_cast<int>(signature_value(*si).size()));
  TsVerifyCtxPtr ctx(TS_VERIFY_CTX_new());
  if (data == nullptr || !ctx) {
    BIO_free(data);
    return bad_input(i18n::Text("cannot check the time-stamp response: {}", ssl_errors()));
  }
  TS_VERIFY_CTX_set_data(ctx.get(), data);
  TS_VERIFY_CTX_set_flags(ctx.get(), TS_VFY_VERSION | TS_VFY_DATA);
  if (TS_RESP_verify_token(ctx.get(), token) != 1)
    return bad_input(i18n::Text("the time-stamp token does not stamp this signature: {}", ssl_errors()));
  Bytes token_der = der_bytes(token, i2d_PKCS7);
  if (token_der.empty()) return bad_input(i18n::Text("cannot encode the time-stamp token"));
  if (CMS_unsigned_add1_attr_by_NID(*si, NID_id_smime_aa_timeStampToken, V_ASN1_SEQUENCE, token_der.data(),
                                    static_cast<int>(token_der.size())) != 1)
    return bad_input(i18n::Text("cannot add the time-stamp token: {}", ssl_errors()));
  Bytes out = encode_cms(cms.get());
  if (out.empty()) return bad_input(i18n::Text("cannot encode the CMS"));
  return out;
}

}  // namespace antq::signing
