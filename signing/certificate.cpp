// Certificates as DER bytes: reading PEM/DER files, describing one, writing PEM.
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cctype>

#include "signing/file.hpp"
#include "signing/openssl_util.hpp"

namespace antq::signing {

namespace {

std::string serial_hex(const X509* cert) {
  UniqueSsl<BIGNUM, BN_free> bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  if (!bn) {
    clear_ssl_errors();
    return "";
  }
  char* hex = BN_bn2hex(bn.get());
  std::string out = hex != nullptr ? hex : "";
  OPENSSL_free(hex);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A PEM block that says it is encrypted (Proc-Type: 4,ENCRYPTED) gets no passphrase: OpenSSL's default asks the
// terminal for one.
int no_passphrase(char*, int, int, void*) { return -1; }

}  // namespace

Result<Bytes> read_crl(const std::string& path) {
  auto data = read_user_file(path, kMaxCrlFileBytes, N_("CRL file"));
  if (!data) return std::unexpected(data.error());
  X509CrlPtr crl;
  if (looks_like_pem(*data)) {
    BioPtr bio = memory_bio(*data);
    crl.reset(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  } else {
    crl = crl_from_der(*data);
  }
  clear_ssl_errors();
  if (!crl)
    return bad_input(
        i18n::Text("CRL file {} holds neither a PEM (X509 CRL) nor a DER certificate revocation list", path));
  Bytes der = der_bytes(crl.get(), i2d_X509_CRL);
  if (der.empty()) return bad_input(i18n::Text("CRL file {}: cannot encode the CRL", path));
  return der;
}

Result<std::vector<Bytes>> pem_certificates(ByteView data, std::string_view name) {
  std::vector<Bytes> out;
  BioPtr bio = memory_bio(data);
  for (;;) {
    // PEM_read_bio_X509 skips blocks of other types (keys, parameters) and stops at the end of the data.
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr));
    if (!cert) {
      unsigned long e = ERR_peek_last_error();
      bool at_end = ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
      if (!at_end) {
        std::string why = ssl_errors();
        return bad_input(
            i18n::Text("certificate file {}: certificate {} is malformed ({})", name, out.size() + 1, why));
      }
      clear_ssl_errors();
      break;
    }
    out.push_back(x509_to_der(cert.get()));
  }
  return out;
}

Result<std::vector<Bytes>> read_certificates(const std::string& path) {
  auto data = read_user_file(path, kMaxCertificateFileBytes, N_("certificate file"));
  if (!data) return std::unexpected(data.error());
  if (!looks_like_pem(*data)) {
    X509Ptr cert = x509_from_der(*data);
    if (!cert) {
      clear_ssl_errors();
      if (auto p12 = read_pkcs12(*data, path)) {
        if (!*p12) return std::unexpected(p12->error());
        if ((*p12)->certificates.empty()) return bad_input(i18n::Text("PKCS#12 file {} holds no certificate", path));
        return std::move((*p12)->certificates);
      }
      return bad_input(i18n::Text("certificate file {} holds neither PEM, a DER certificate nor PKCS#12", path));
    }
    std::vector<Bytes> out;
    out.push_back(std::move(*data));
    return out;
  }
  auto out = pem_certificates(*data, path);
  if (out && out->empty()) return bad_input(i18n::Text("certificate file {} holds no certificate", path));
  return out;
}

Result<CertificateInfo> inspect_certificate(ByteView der) {
  X509Ptr cert = x509_from_der(der);
  if (!cert) return bad_input(i18n::Text("not a DER X.509 certificate"));
  CertificateInfo info;
  info.fingerprint = sha256(der);
  info.subject = name_to_string(X509_get_subject_name(cert.get()));
  info.issuer = name_to_string(X509_get_issuer_name(cert.get()));
  info.serial_hex = serial_hex(cert.get());
  auto nb = asn1_time_to_unix(X509_get0_notBefore(cert.get()));
  auto na = asn1_time_to_unix(X509_get0_notAfter(cert.get()));
  if (!nb || !na) return bad_input(i18n::Text("certificate {} has a malformed validity period", info.subject));
  info.not_before = *nb;
  info.not_after = *na;
  const EVP_PKEY* key = X509_get0_pubkey(cert.get());
  if (key == nullptr) {
    clear_ssl_errors();
    info.key_algorithm = "unsupported key";
  } else {
    info.key_algorithm = key_description(key);
  }
  std::uint32_t flags = X509_get_extension_flags(cert.get());
  info.is_ca = (flags & EXFLAG_CA) != 0;
  if ((flags & EXFLAG_KUSAGE) != 0) {
    std::uint32_t ku = X509_get_key_usage(cert.get());
    info.digital_signature = (ku & KU_DIGITAL_SIGNATURE) != 0;
    info.non_repudiation = (ku & KU_NON_REPUDIATION) != 0;
  }
  return info;
}

std::string certificate_to_pem(ByteView der) {
  std::string b64 = to_base64(der);
  std::string out = "-----BEGIN CERTIFICATE-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) {
    out.append(b64, i, 64);
    out += '\n';
  }
  out += "-----END CERTIFICATE-----\n";
  return out;
}

}  // namespace antq::signing
