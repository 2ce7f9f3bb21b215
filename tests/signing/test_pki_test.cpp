#include "signing_test_support.hpp"

namespace antq::signing {
using namespace test;

TEST_CASE("issued certificates verify with stock openssl and carry SKI, AKI and basicConstraints", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  write_pem(dir.file("root.pem"), p.root);
  for (const IssuedCertificate* c : {&p.rsa, &p.p256, &p.p384, &p.ed25519}) {
    write_pem(dir.file("leaf.pem"), *c);
    CHECK(run(dir, "openssl verify -CAfile " + dir.file("root.pem") + " " + dir.file("leaf.pem")) == 0);
    REQUIRE(run(dir, "openssl x509 -in " + dir.file("leaf.pem") + " -noout -text") == 0);
    std::string text = read_text(dir.file("command.log"));
    CHECK(contains(text, "X509v3 Subject Key Identifier"));
    CHECK(contains(text, "X509v3 Authority Key Identifier"));
    CHECK(contains(text, "CA:FALSE"));
    CHECK(contains(text, "Digital Signature, Non Repudiation"));
  }
  REQUIRE(run(dir, "openssl x509 -in " + dir.file("root.pem") + " -noout -text") == 0);
  std::string text = read_text(dir.file("command.log"));
  CHECK(contains(text, "CA:TRUE"));
  CHECK(contains(text, "Certificate Sign, CRL Sign"));
  CHECK(contains(text, "ecdsa-with-SHA256"));
}

TEST_CASE("issue_certificate makes each key algorithm and random serials", "[signing]") {
  const Pki& p = pki();
  CHECK(inspect_certificate(p.root.certificate_der)->serial_hex !=
        inspect_certificate(p.p256.certificate_der)->serial_hex);
  auto rsa1024 = issue_certificate(request("weak", "rsa1024"), &p.root);
  REQUIRE(rsa1024.has_value());
  CHECK(inspect_certificate(rsa1024->certificate_der)->key_algorithm == "RSA-1024");
  CHECK(contains(rsa1024->private_key_pem, "-----BEGIN PRIVATE KEY-----"));
}

TEST_CASE("issue_certificate sets the requested key usage of end-entity certificates", "[signing]") {
  const Pki& p = pki();
  auto only_nr = issue(with_usage(request("nr"), false, true), &p.root);
  auto info = inspect_certificate(only_nr.certificate_der);
  CHECK_FALSE(info->digital_signature);
  CHECK(info->non_repudiation);
  auto neither = issue(with_usage(request("none"), false, false), &p.root);
  info = inspect_certificate(neither.certificate_der);
  CHECK_FALSE(info->digital_signature);
  CHECK_FALSE(info->non_repudiation);
}

TEST_CASE("issue_certificate signs with SHA-1 when asked", "[signing]") {
  TempDir dir;
  CertificateRequest r = request("sha1");
  r.sha1 = true;
  auto weak = issue(r, &pki().root);
  write_pem(dir.file("weak.pem"), weak);
  REQUIRE(run(dir, "openssl x509 -in " + dir.file("weak.pem") + " -noout -text") == 0);
  CHECK(contains(read_text(dir.file("command.log")), "ecdsa-with-SHA1"));
}

TEST_CASE("issue_certificate refuses an unknown key algorithm and a broken issuer", "[signing]") {
  auto unknown = issue_certificate(request("x", "dsa"), nullptr);
  REQUIRE_FALSE(unknown.has_value());
  CHECK(contains(unknown.error().message, "unknown key algorithm 'dsa'"));
  IssuedCertificate broken;
  broken.certificate_der = Bytes{1, 2, 3};
  CHECK_FALSE(issue_certificate(request("x"), &broken).has_value());
}

}  // namespace antq::signing
