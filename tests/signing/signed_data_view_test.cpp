#include "signing/signed_data_view.hpp"

#include <algorithm>

#include "signing_test_support.hpp"

namespace antq::signing {
using namespace test;

namespace {

const Bytes kBody = {'v', 'i', 'e', 'w'};

Bytes stripped_cms(const TempDir& dir, const IssuedCertificate& signer) {
  PrivateKey key = key_of(dir, signer);
  auto cms = cms_sign(kBody, key, signer.certificate_der, sign_options(kSigningTime));
  REQUIRE(cms.has_value());
  return cms_parse(*cms)->without_certificates;
}

}  // namespace

TEST_CASE("the view reads the CMS the ledger stores", "[signing]") {
  TempDir dir;
  Bytes cms = stripped_cms(dir, pki().p256);
  auto view = view_signed_data(cms);
  REQUIRE(view.has_value());
  CHECK(view->signer_version == 1);
  CHECK(view->signing_time == kSigningTime);
  CHECK(std::ranges::equal(view->digest_algorithm_oid, oid::kSha256));
  CHECK(view->message_digest.size() == 32);
  CHECK(std::ranges::equal(view->message_digest, sha256(kBody)));
  CHECK(view->signing_certificate_v2.has_value());
  CHECK_FALSE(view->signing_certificate.has_value());
  CHECK(view->signature.size() > 60);
  CHECK(view->signed_attributes_whole[0] == kDerContext0);
}

TEST_CASE("the view leaves certificates, BER and unusual shapes to the full path", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  PrivateKey key = key_of(dir, p.p256);
  Bytes with_certificate = *cms_sign(kBody, key, p.p256.certificate_der, sign_options(kSigningTime));
  CHECK_FALSE(view_signed_data(with_certificate).has_value());

  Bytes der = stripped_cms(dir, p.p256);
  std::size_t header = (der[1] & 0x80) ? 2 + (der[1] & 0x7f) : 2;
  Bytes ber = {0x30, 0x80};
  ber.insert(ber.end(), der.begin() + static_cast<std::ptrdiff_t>(header), der.end());
  ber.insert(ber.end(), {0x00, 0x00});
  CHECK_FALSE(view_signed_data(ber).has_value());

  Bytes trailing = der;
  trailing.push_back(0);
  CHECK_FALSE(view_signed_data(trailing).has_value());
  CHECK_FALSE(view_signed_data(Bytes(der.begin(), der.end() - 1)).has_value());
  CHECK_FALSE(view_signed_data(Bytes{}).has_value());
}

TEST_CASE("signed attributes out of DER order are left to OpenSSL, which re-sorts them", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  Bytes cms = stripped_cms(dir, p.p256);
  auto view = view_signed_data(cms);
  REQUIRE(view.has_value());
  // Reverse the order of the attributes in place (same total length).
  std::size_t offset = static_cast<std::size_t>(view->signed_attributes.data() - cms.data());
  std::vector<Bytes> attributes;
  DerReader r(view->signed_attributes);
  while (auto a = r.next()) attributes.emplace_back(a->whole.begin(), a->whole.end());
  REQUIRE(attributes.size() >= 4);
  std::reverse(attributes.begin(), attributes.end());
  Bytes reordered = cms;
  std::size_t at = offset;
  for (const Bytes& a : attributes) {
    std::copy(a.begin(), a.end(), reordered.begin() + static_cast<std::ptrdiff_t>(at));
    at += a.size();
  }
  REQUIRE(reordered != cms);
  CHECK_FALSE(view_signed_data(reordered).has_value());
  // BER order is the same value; the signature is over its DER (RFC 5652 §5.4), which OpenSSL re-creates.
  Verifier verifier = verifier_for(p.root);
  auto verified = verifier.verify(kBody, reordered, p.p256.certificate_der);
  CHECK(verified.has_value());
  // Stored, it is normalised to DER.
  CHECK(cms_parse(reordered)->without_certificates == cms);
}

}  // namespace antq::signing
