// private_key_material: what an attachment must never be. Keys are made fresh and converted with stock `openssl`
// into every form a signer may have lying next to an act: PEM (PKCS#8, encrypted, traditional), DER, PKCS#12.
#include "signing_test_support.hpp"

namespace antq::signing {
using namespace test;

namespace {

// The reason private_key_material gives for the file at `path`, or "" when it finds none.
std::string reason_for(const std::string& path) {
  auto why = private_key_material(read_file(path));
  return why ? *why : "";
}

}  // namespace

TEST_CASE("private_key_material finds a private key in every form openssl writes", "[signing][key-material]") {
  TempDir dir;
  const IssuedCertificate& ec = pki().p256;
  const IssuedCertificate& rsa = pki().rsa;
  write_file(dir.file("ec.pem"), ec.private_key_pem);
  write_file(dir.file("ec.crt"), certificate_to_pem(ec.certificate_der));
  write_file(dir.file("rsa.pem"), rsa.private_key_pem);
  const std::string d = dir.path().string() + "/";
  for (const std::string& command :
       {"openssl pkcs8 -topk8 -nocrypt -in " + d + "ec.pem -outform DER -out " + d + "ec.p8.der",
        "openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:secret -in " + d + "ec.pem -out " + d + "ec.enc.pem",
        "openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:secret -in " + d + "ec.pem -outform DER -out " + d +
            "ec.enc.der",
        "openssl ec -in " + d + "ec.pem -out " + d + "ec.sec1.pem", "openssl ec -in " + d + "ec.pem -outform DER -out " + d + "ec.sec1.der",
        "openssl rsa -in " + d + "rsa.pem -traditional -out " + d + "rsa.pkcs1.pem",
        "openssl rsa -in " + d + "rsa.pem -traditional -outform DER -out " + d + "rsa.pkcs1.der",
        "openssl pkcs12 -export -inkey " + d + "ec.pem -in " + d + "ec.crt -passout pass:secret -out " + d + "ec.p12",
        "openssl pkcs12 -export -inkey " + d + "ec.pem -in " + d + "ec.crt -passout pass: -out " + d + "open.p12"})
    REQUIRE(run(dir, command) == 0);
  write_file(dir.file("openssh.key"),
             "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\n"
             "-----END OPENSSH PRIVATE KEY-----\n");
  write_file(dir.file("notes.txt"), "Chìa khóa của chủ tịch, để dùng sau:\n\n" + ec.private_key_pem + "\nHết.\n");
  write_file(dir.file("key-then-more.der"), [&] {
    Bytes b = read_file(dir.file("ec.p8.der"));
    b.insert(b.end(), 100, 0x41);
    return b;
  }());

  const std::pair<const char*, const char*> expected[] = {
      {"ec.pem", "-----BEGIN PRIVATE KEY-----"},
      {"rsa.pem", "-----BEGIN PRIVATE KEY-----"},
      {"ec.enc.pem", "-----BEGIN ENCRYPTED PRIVATE KEY-----"},
      {"ec.sec1.pem", "-----BEGIN EC PRIVATE KEY-----"},
      {"rsa.pkcs1.pem", "-----BEGIN RSA PRIVATE KEY-----"},
      {"openssh.key", "-----BEGIN OPENSSH PRIVATE KEY-----"},
      {"notes.txt", "-----BEGIN PRIVATE KEY-----"},
      {"ec.p8.der", "PKCS#8 PrivateKeyInfo"},
      {"key-then-more.der", "PKCS#8 PrivateKeyInfo"},
      {"ec.enc.der", "EncryptedPrivateKeyInfo"},
      {"ec.p12", "PKCS#12"},
      {"open.p12", "PKCS#12"},
      {"ec.sec1.der", "DER ECDSA-P-256"},
      {"rsa.pkcs1.der", "DER RSA-2048"},
  };
  for (const auto& [file, reason] : expected) {
    INFO(file);
    CHECK_THAT(reason_for(dir.file(file)), Catch::Contains(reason));
  }
}

TEST_CASE("private_key_material leaves certificates, signatures, CRLs, public keys and documents alone",
          "[signing][key-material]") {
  TempDir dir;
  const IssuedCertificate& ec = pki().p256;
  write_file(dir.file("ec.pem"), ec.private_key_pem);
  write_file(dir.file("ec.crt"), certificate_to_pem(ec.certificate_der));
  write_file(dir.file("ec.der"), ec.certificate_der);
  const std::string d = dir.path().string() + "/";
  REQUIRE(run(dir, "openssl pkey -in " + d + "ec.pem -pubout -out " + d + "ec.pub.pem") == 0);
  REQUIRE(run(dir, "openssl pkey -in " + d + "ec.pem -pubout -outform DER -out " + d + "ec.pub.der") == 0);
  auto key = PrivateKey::load(dir.file("ec.pem"));
  REQUIRE(key.has_value());
  auto cms = cms_sign(as_bytes("a decision"), *key, ec.certificate_der, sign_options(kSigningTime));
  REQUIRE(cms.has_value());
  write_file(dir.file("decision.p7s"), *cms);
  auto crl = issue_crl(pki().root, {{ec.certificate_der, kSigningTime}}, kSigningTime);
  REQUIRE(crl.has_value());
  write_file(dir.file("root.crl"), *crl);
  write_file(dir.file("decision.pdf"), "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n");
  write_file(dir.file("prose.txt"), "The private key stays on the token; -----BEGIN the report-----\n");
  write_file(dir.file("sequence.bin"), Bytes{0x30, 0x03, 0x02, 0x01, 0x00});
  write_file(dir.file("empty"), "");
  for (const char* file : {"ec.crt", "ec.der", "ec.pub.pem", "ec.pub.der", "decision.p7s", "root.crl", "decision.pdf",
                           "prose.txt", "sequence.bin", "empty"}) {
    INFO(file);
    CHECK(reason_for(dir.file(file)).empty());
  }
}

}  // namespace antq::signing
