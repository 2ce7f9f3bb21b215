// A small PKI for tests and the demo: roots, intermediates and end-entity certificates in one call each.
// Never for production: keys are returned unencrypted.
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "signing/openssl_util.hpp"

namespace antq::signing {

namespace {

Result<EvpPkeyPtr> generate_key(const std::string& algorithm) {
  EVP_PKEY* key = nullptr;
  if (algorithm == "rsa2048")
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(2048));
  else if (algorithm == "rsa1024")
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(1024));
  else if (algorithm == "p256")
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  else if (algorithm == "p384")
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
  else if (algorithm == "ed25519")
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  else
    return bad_input("unknown key algorithm '" + algorithm + "' (rsa2048, rsa1024, p256, p384, ed25519)");
  if (key == nullptr) return io_error("cannot generate a " + algorithm + " key: " + ssl_errors());
  return EvpPkeyPtr(key);
}

Result<EvpPkeyPtr> read_key(const std::string& pem, const std::string& what) {
  BioPtr bio = memory_bio(as_bytes(pem));
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return bad_input(what + " is not an unencrypted PEM private key: " + ssl_errors());
  return key;
}

bool add_name_entry(X509_NAME* name, const char* field, const std::string& value) {
  if (value.empty()) return true;
  return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.data()),
                                    static_cast<int>(value.size()), -1, 0) == 1;
}

bool add_extension(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  UniqueSsl<X509_EXTENSION, X509_EXTENSION_free> ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

bool set_random_serial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return false;
  bytes[0] &= 0x7f;  // positive
  bytes[0] |= 0x40;  // and exactly 16 bytes long
  UniqueSsl<BIGNUM, BN_free> bn(BN_bin2bn(bytes, sizeof bytes, nullptr));
  return bn && BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) != nullptr;
}

const EVP_MD* certificate_digest(const EVP_PKEY* signer, bool sha1) {
  if (is_ed25519(signer)) return nullptr;  // pure EdDSA: no separate digest
  if (sha1) return EVP_sha1();
  if (EVP_PKEY_is_a(signer, "EC") && EVP_PKEY_get_bits(signer) > 256) return EVP_sha384();
  return EVP_sha256();
}

}  // namespace

Result<IssuedCertificate> issue_certificate(const CertificateRequest& request, const IssuedCertificate* issuer) {
  auto key = request.key_pem.empty() ? generate_key(request.key_algorithm) : read_key(request.key_pem, "key_pem");
  if (!key) return std::unexpected(key.error());

  X509Ptr issuer_cert;
  EvpPkeyPtr issuer_key;
  if (issuer != nullptr) {
    issuer_cert = x509_from_der(issuer->certificate_der);
    if (!issuer_cert) return bad_input("issuer certificate is not a DER certificate");
    auto read = read_key(issuer->private_key_pem, "issuer key");
    if (!read) return std::unexpected(read.error());
    issuer_key = std::move(*read);
  }

  X509Ptr cert(X509_new());
  if (!cert) return io_error("out of memory: " + ssl_errors());
  UnixTime not_before = request.not_before != 0 ? request.not_before : now() - 3600;
  UnixTime not_after = request.not_after != 0 ? request.not_after : not_before + 10LL * 366 * 86400;
  Asn1TimePtr nb = unix_to_asn1_time(not_before), na = unix_to_asn1_time(not_after);
  UniqueSsl<X509_NAME, X509_NAME_free> subject(X509_NAME_new());
  if (!nb || !na || !subject || X509_set_version(cert.get(), X509_VERSION_3) != 1 || !set_random_serial(cert.get()) ||
      X509_set1_notBefore(cert.get(), nb.get()) != 1 || X509_set1_notAfter(cert.get(), na.get()) != 1 ||
      !add_name_entry(subject.get(), "O", request.organisation) ||
      !add_name_entry(subject.get(), "CN", request.common_name) ||
      X509_set_subject_name(cert.get(), subject.get()) != 1 ||
      X509_set_issuer_name(cert.get(), issuer_cert ? X509_get_subject_name(issuer_cert.get()) : subject.get()) != 1 ||
      X509_set_pubkey(cert.get(), key->get()) != 1)
    return bad_input("cannot build certificate " + request.common_name + ": " + ssl_errors());

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer_cert ? issuer_cert.get() : cert.get(), cert.get(), nullptr, nullptr, 0);
  std::string key_usage;
  if (request.is_ca) {
    key_usage = "critical,keyCertSign,cRLSign";
  } else if (!request.tls_server_names.empty()) {
    key_usage = "critical,digitalSignature,keyEncipherment";
  } else {
    std::string bits;
    if (request.digital_signature) bits += ",digitalSignature";
    if (request.non_repudiation) bits += ",nonRepudiation";
    if (bits.empty()) bits = ",keyEncipherment";  // a usage that does not allow signing
    key_usage = "critical" + bits;
  }
  if (!add_extension(cert.get(), &ctx, NID_basic_constraints,
                     request.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE") ||
      !add_extension(cert.get(), &ctx, NID_key_usage, key_usage) ||
      !add_extension(cert.get(), &ctx, NID_subject_key_identifier, "hash") ||
      !add_extension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always"))
    return bad_input("cannot add extensions to certificate " + request.common_name + ": " + ssl_errors());
  if (!request.tls_server_names.empty()) {
    std::string names;
    for (const auto& n : request.tls_server_names) names += (names.empty() ? "" : ",") + n;
    if (!add_extension(cert.get(), &ctx, NID_ext_key_usage, "serverAuth") ||
        !add_extension(cert.get(), &ctx, NID_subject_alt_name, names))
      return bad_input("cannot add the TLS server extensions to certificate " + request.common_name + ": " + ssl_errors());
  }

  EVP_PKEY* signer = issuer_key ? issuer_key.get() : key->get();
  if (X509_sign(cert.get(), signer, certificate_digest(signer, request.sha1)) <= 0)
    return bad_input("cannot sign certificate " + request.common_name + ": " + ssl_errors());

  IssuedCertificate out;
  out.certificate_der = x509_to_der(cert.get());
  BioPtr pem(BIO_new(BIO_s_mem()));
  if (!pem || PEM_write_bio_PrivateKey(pem.get(), key->get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return io_error("cannot encode the key of " + request.common_name + ": " + ssl_errors());
  out.private_key_pem = bio_string(pem.get());
  return out;
}

Result<Bytes> issue_crl(const IssuedCertificate& issuer, const std::vector<std::pair<Bytes, UnixTime>>& revoked,
                        UnixTime this_update) {
  X509Ptr issuer_cert = x509_from_der(issuer.certificate_der);
  if (!issuer_cert) return bad_input("issuer certificate is not a DER certificate");
  auto read = read_key(issuer.private_key_pem, "issuer key");
  if (!read) return std::unexpected(read.error());
  EvpPkeyPtr issuer_key = std::move(*read);
  X509CrlPtr crl(X509_CRL_new());
  Asn1TimePtr last = unix_to_asn1_time(this_update), next = unix_to_asn1_time(this_update + 30LL * 86400);
  bool ok = crl && X509_CRL_set_version(crl.get(), 1) == 1 &&
            X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer_cert.get())) == 1 && last && next &&
            X509_CRL_set1_lastUpdate(crl.get(), last.get()) == 1 && X509_CRL_set1_nextUpdate(crl.get(), next.get()) == 1;
  for (const auto& [der, when] : revoked) {
    X509Ptr cert = x509_from_der(der);
    X509_REVOKED* entry = X509_REVOKED_new();
    Asn1TimePtr at = unix_to_asn1_time(when);
    ok = ok && cert && entry && at && X509_REVOKED_set_serialNumber(entry, X509_get_serialNumber(cert.get())) == 1 &&
         X509_REVOKED_set_revocationDate(entry, at.get()) == 1 && X509_CRL_add0_revoked(crl.get(), entry) == 1;
    if (!ok) {
      X509_REVOKED_free(entry);
      break;
    }
  }
  ok = ok && X509_CRL_sort(crl.get()) == 1 && X509_CRL_sign(crl.get(), issuer_key.get(), EVP_sha256()) > 0;
  if (!ok) return bad_input("cannot make the CRL: " + ssl_errors());
  Bytes result = der_bytes(crl.get(), i2d_X509_CRL);
  if (result.empty()) return bad_input("cannot encode the CRL");
  return result;
}

}  // namespace antq::signing
