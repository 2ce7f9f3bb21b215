// The ledger stores signed bytes only (issue 18, point 8): the parts of a CMS that its signature does not cover —
// the signer's issuer Name in the SignerInfo, unsigned attributes, the encoding itself — cannot vary, so two
// different entries can never hold "the same" signature.
#include <openssl/cms.h>
#include <openssl/x509.h>

#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "support.hpp"

namespace antq::ledger {
namespace {

using test::make_act;
using test::TestLedger;

// The issuer Name of `certificate` (DER) as DER: the bytes an IssuerAndSerialNumber repeats.
Bytes issuer_der(const Bytes& certificate) {
  const unsigned char* p = certificate.data();
  X509* cert = d2i_X509(nullptr, &p, static_cast<long>(certificate.size()));
  REQUIRE(cert != nullptr);
  unsigned char* out = nullptr;
  int n = i2d_X509_NAME(X509_get_issuer_name(cert), &out);
  REQUIRE(n > 0);
  Bytes der(out, out + n);
  OPENSSL_free(out);
  X509_free(cert);
  return der;
}

// `cms` with the SignerInfo's copy of `issuer` changed by `edit`. The Name occurs in the carried certificate, in the
// SignerInfo's IssuerAndSerialNumber, and in the signingCertificateV2 attribute's IssuerSerial after it (signed).
Bytes edit_signer_issuer(Bytes cms, const Bytes& issuer, const std::function<void(Bytes&)>& edit) {
  std::vector<Bytes::iterator> found;
  for (auto at = cms.begin(); (at = std::search(at, cms.end(), issuer.begin(), issuer.end())) != cms.end(); ++at)
    found.push_back(at);
  REQUIRE(found.size() == 3);
  auto at = found[1];
  Bytes name(at, at + static_cast<std::ptrdiff_t>(issuer.size()));
  edit(name);
  REQUIRE(name.size() == issuer.size());
  std::copy(name.begin(), name.end(), at);
  return cms;
}

TEST_CASE("A SignerInfo naming its signer's issuer in other letter case is refused, and nothing is written",
          "[ledger][signature]") {
  TestLedger t;
  Submission s = test::sign(make_act("model.proposed", "CASE-1", "2023-03-15"), t.chair);
  const Bytes issuer = issuer_der(t.chair.certificate);
  // "Test Root CA" -> "test Root CA": OpenSSL compares names case-insensitively, so the signature still verifies.
  s.event.signatures[0].cms = edit_signer_issuer(s.event.signatures[0].cms, issuer, [](Bytes& name) {
    auto t = std::search(name.begin(), name.end(), std::begin("Test Root"), std::end("Test Root") - 1);
    REQUIRE(t != name.end());
    *t = 't';
  });
  const std::string before = t.data_bytes();
  auto r = t.append({s});
  REQUIRE_FALSE(r);
  INFO(r.error().line());
  CHECK(r.error().line().starts_with("refused [signature]: person signature: the SignerInfo names the issuer"));
  CHECK(t.data_bytes() == before);
}

TEST_CASE("A signature submitted in BER (an indefinite length) is refused, not stored re-encoded", "[ledger][signature]") {
  TestLedger t;
  Submission s = test::sign(make_act("model.proposed", "BER-1", "2023-03-15"), t.chair);
  Bytes& der = s.event.signatures[0].cms;
  REQUIRE(der.size() > 4);
  REQUIRE(der[0] == 0x30);
  REQUIRE(der[1] == 0x82);  // a two-byte length: the ContentInfo is 256 to 65,535 bytes
  Bytes ber{0x30, 0x80};    // the same SEQUENCE with an indefinite length, ended by two zero bytes
  ber.insert(ber.end(), der.begin() + 4, der.end());
  ber.insert(ber.end(), {0x00, 0x00});
  der = ber;
  const std::string before = t.data_bytes();
  auto r = t.append({s});
  REQUIRE_FALSE(r);
  INFO(r.error().line());
  CHECK(r.error().line().starts_with("refused [signature]: "));
  CHECK_THAT(r.error().line(), Catch::Contains("person signature: the CMS is not DER"));
  CHECK(t.data_bytes() == before);
}

TEST_CASE("A signature with an unsigned attribute other than a time-stamp token is refused", "[ledger][signature]") {
  TestLedger t;
  Submission s = test::sign(make_act("model.proposed", "UNSIGNED-1", "2023-03-15"), t.chair);
  Bytes& der = s.event.signatures[0].cms;
  const unsigned char* p = der.data();
  CMS_ContentInfo* cms = d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size()));
  REQUIRE(cms != nullptr);
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
  // A countersignature-looking attribute: anything unsigned could be added by whoever passes the event on.
  const unsigned char note[] = "added later";
  REQUIRE(CMS_unsigned_add1_attr_by_NID(si, NID_pkcs9_unstructuredName, V_ASN1_UTF8STRING, note, sizeof note - 1) == 1);
  unsigned char* out = nullptr;
  int n = i2d_CMS_ContentInfo(cms, &out);
  REQUIRE(n > 0);
  der.assign(out, out + n);
  OPENSSL_free(out);
  CMS_ContentInfo_free(cms);
  auto r = t.append({s});
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().line(), Catch::StartsWith("refused [signature]") &&
                                   Catch::Contains("unsigned attribute other than a signatureTimeStampToken"));
}

TEST_CASE("A signature as `antq sign` writes it is stored as canonical DER and verifies", "[ledger][signature]") {
  TestLedger t;
  REQUIRE(t.append({test::sign(make_act("model.proposed", "PLAIN-1", "2023-03-15"), t.chair)}));
  CHECK(t.verify().ok);
}

}  // namespace
}  // namespace antq::ledger
