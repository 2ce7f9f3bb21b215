#include "signing_test_support.hpp"

namespace antq::signing {
using namespace test;

TEST_CASE("inspect_certificate reports names, validity, key and usage", "[signing]") {
  const Pki& p = pki();
  auto info = inspect_certificate(p.p256.certificate_der);
  REQUIRE(info.has_value());
  CHECK(info->fingerprint == sha256(p.p256.certificate_der));
  CHECK(info->subject == "CN=P-256 signer,O=Công an huyện Yên Thế");  // RFC 2253: most specific first, UTF-8 kept
  CHECK(info->issuer == "CN=Test Root CA,O=Ban Co yeu Chinh phu (test)");
  CHECK(info->serial_hex.size() == 32);
  CHECK(info->not_before == at("2020-01-01T00:00:00Z"));
  CHECK(info->not_after == at("2045-01-01T00:00:00Z"));
  CHECK(info->key_algorithm == "ECDSA-P-256");
  CHECK_FALSE(info->is_ca);
  CHECK(info->digital_signature);
  CHECK(info->non_repudiation);

  auto root = inspect_certificate(p.root.certificate_der);
  REQUIRE(root.has_value());
  CHECK(root->is_ca);
  CHECK(root->subject == root->issuer);
  CHECK_FALSE(root->digital_signature);
}

TEST_CASE("inspect_certificate names every key algorithm", "[signing]") {
  const Pki& p = pki();
  CHECK(inspect_certificate(p.rsa.certificate_der)->key_algorithm == "RSA-2048");
  CHECK(inspect_certificate(p.p384.certificate_der)->key_algorithm == "ECDSA-P-384");
  CHECK(inspect_certificate(p.ed25519.certificate_der)->key_algorithm == "Ed25519");
}

TEST_CASE("inspect_certificate refuses bytes that are not one DER certificate", "[signing]") {
  CHECK(inspect_certificate(as_bytes("not a certificate")).error().kind == ErrorKind::bad_input);
  Bytes der = pki().p256.certificate_der;
  der.push_back(0);  // trailing garbage
  CHECK_FALSE(inspect_certificate(der).has_value());
  der.resize(der.size() / 2);
  CHECK_FALSE(inspect_certificate(der).has_value());
  CHECK_FALSE(inspect_certificate(Bytes{}).has_value());
}

TEST_CASE("read_certificates reads every certificate of a PEM file and skips other blocks", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  std::string pem =
      certificate_to_pem(p.p256.certificate_der) + p.p256.private_key_pem + certificate_to_pem(p.root.certificate_der);
  write_file(dir.file("chain.pem"), pem);
  auto certs = read_certificates(dir.file("chain.pem"));
  REQUIRE(certs.has_value());
  REQUIRE(certs->size() == 2);
  CHECK((*certs)[0] == p.p256.certificate_der);
  CHECK((*certs)[1] == p.root.certificate_der);
}

TEST_CASE("read_certificates reads a single DER certificate", "[signing]") {
  TempDir dir;
  write_file(dir.file("cert.der"), pki().rsa.certificate_der);
  auto certs = read_certificates(dir.file("cert.der"));
  REQUIRE(certs.has_value());
  CHECK(*certs == std::vector<Bytes>{pki().rsa.certificate_der});
}

TEST_CASE("read_certificates names the file that is missing, empty or corrupt", "[signing]") {
  TempDir dir;
  auto missing = read_certificates(dir.file("missing.pem"));
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().kind == ErrorKind::bad_input);
  CHECK(contains(missing.error().message, "missing.pem"));

  write_file(dir.file("key.pem"), pki().p256.private_key_pem);
  auto none = read_certificates(dir.file("key.pem"));
  REQUIRE_FALSE(none.has_value());
  CHECK(contains(none.error().message, "holds no certificate"));

  std::string pem = certificate_to_pem(pki().p256.certificate_der);
  pem.erase(28, 65);  // drop the first line of base64: the DER is cut short
  write_file(dir.file("bad.pem"), certificate_to_pem(pki().root.certificate_der) + pem);
  auto bad = read_certificates(dir.file("bad.pem"));
  REQUIRE_FALSE(bad.has_value());
  CHECK(contains(bad.error().message, "certificate 2 is malformed"));

  write_file(dir.file("junk.der"), std::string("junk"));
  CHECK_FALSE(read_certificates(dir.file("junk.der")).has_value());
}

TEST_CASE("certificate_to_pem is read back by read_certificates and by openssl x509", "[signing]") {
  TempDir dir;
  write_pem(dir.file("cert.pem"), pki().p384);
  auto certs = read_certificates(dir.file("cert.pem"));
  REQUIRE(certs.has_value());
  CHECK((*certs)[0] == pki().p384.certificate_der);
  CHECK(run(dir, "openssl x509 -in " + dir.file("cert.pem") + " -noout -subject") == 0);
}

}  // namespace antq::signing
