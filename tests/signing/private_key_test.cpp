#include <fcntl.h>
#include <unistd.h>

#include "signing_test_support.hpp"

namespace antq::signing {
using namespace test;

namespace {

template <class F>
void with_passphrase(const char* value, F body) {
  with_variable("ANTQ_KEY_PASSPHRASE", value, body);
}

}  // namespace

TEST_CASE("PrivateKey loads PKCS#8 PEM keys of every algorithm", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  for (const IssuedCertificate* c : {&p.rsa, &p.p256, &p.p384, &p.ed25519}) {
    write_file(dir.file("k.pem"), c->private_key_pem);
    CHECK(PrivateKey::load(dir.file("k.pem")).has_value());
  }
}

TEST_CASE("PrivateKey loads traditional RSA and EC PEM keys", "[signing]") {
  TempDir dir;
  write_file(dir.file("rsa.pem"), pki().rsa.private_key_pem);
  write_file(dir.file("ec.pem"), pki().p256.private_key_pem);
  REQUIRE(run(dir, "openssl rsa -traditional -in " + dir.file("rsa.pem") + " -out " + dir.file("rsa-trad.pem")) == 0);
  REQUIRE(run(dir, "openssl ec -in " + dir.file("ec.pem") + " -out " + dir.file("ec-trad.pem")) == 0);
  CHECK(contains(read_text(dir.file("rsa-trad.pem")), "BEGIN RSA PRIVATE KEY"));
  CHECK(contains(read_text(dir.file("ec-trad.pem")), "BEGIN EC PRIVATE KEY"));
  CHECK(PrivateKey::load(dir.file("rsa-trad.pem")).has_value());
  CHECK(PrivateKey::load(dir.file("ec-trad.pem")).has_value());
}

TEST_CASE("an encrypted key takes its passphrase from ANTQ_KEY_PASSPHRASE", "[signing]") {
  TempDir dir;
  write_file(dir.file("plain.pem"), pki().p256.private_key_pem);
  REQUIRE(run(dir, "openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:s3cret -in " + dir.file("plain.pem") + " -out " +
                       dir.file("enc.pem")) == 0);
  REQUIRE(contains(read_text(dir.file("enc.pem")), "ENCRYPTED PRIVATE KEY"));

  with_passphrase("s3cret", [&] { CHECK(PrivateKey::load(dir.file("enc.pem")).has_value()); });
  with_passphrase("wrong", [&] {
    auto key = PrivateKey::load(dir.file("enc.pem"));
    REQUIRE_FALSE(key.has_value());
    CHECK(key.error().kind == ErrorKind::bad_input);
    CHECK(contains(key.error().message, "ANTQ_KEY_PASSPHRASE does not decrypt it"));
  });
  with_passphrase(nullptr, [&] {
    auto key = PrivateKey::load(dir.file("enc.pem"));
    REQUIRE_FALSE(key.has_value());
    CHECK(key.error().message ==
          "key " + dir.file("enc.pem") + " is encrypted: set ANTQ_KEY_PASSPHRASE (or run at a terminal to be asked)");
  });
  // A passphrase in the environment does not disturb an unencrypted key.
  with_passphrase("unused", [&] { CHECK(PrivateKey::load(dir.file("plain.pem")).has_value()); });
}

// Keys on a token are exercised end to end against SoftHSM2 by tests/tools/token_test.sh (ctest tools:token).
TEST_CASE("A PKCS#11 key without a PIN, away from a terminal, is refused before the token is touched", "[signing]") {
  with_variable("ANTQ_PKCS11_PIN", nullptr, [] {
    auto key = PrivateKey::load("pkcs11:token=antq;object=signer;type=private");
    REQUIRE_FALSE(key.has_value());
    CHECK(key.error().kind == ErrorKind::bad_input);
    CHECK(contains(key.error().message, "pkcs11:token=antq;object=signer;type=private"));
    CHECK(contains(key.error().message, "set ANTQ_PKCS11_PIN"));
  });
}

TEST_CASE("PrivateKey names a missing file and a file without a key", "[signing]") {
  TempDir dir;
  auto missing = PrivateKey::load(dir.file("nope.pem"));
  REQUIRE_FALSE(missing.has_value());
  CHECK(contains(missing.error().message, "nope.pem"));
  CHECK(contains(missing.error().message, "no such file"));

  write_pem(dir.file("cert.pem"), pki().p256);
  with_passphrase(nullptr, [&] {
    auto not_key = PrivateKey::load(dir.file("cert.pem"));
    REQUIRE_FALSE(not_key.has_value());
    CHECK(contains(not_key.error().message, "holds no PEM private key"));
  });
}

TEST_CASE("PKCS#12 files (.p12) give the key and its certificates, with the password from the environment", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  write_file(dir.file("signer.key"), p.rsa.private_key_pem);
  write_pem(dir.file("signer.crt"), p.rsa);
  write_pem(dir.file("root.crt"), p.root);
  REQUIRE(run(dir, "openssl pkcs12 -export -inkey " + dir.file("signer.key") + " -in " + dir.file("signer.crt") +
                       " -certfile " + dir.file("root.crt") + " -passout pass:mật-khẩu -out " + dir.file("id.p12")) == 0);
  REQUIRE(run(dir, "openssl pkcs12 -export -inkey " + dir.file("signer.key") + " -in " + dir.file("signer.crt") +
                       " -passout pass: -out " + dir.file("open.p12")) == 0);

  with_passphrase("mật-khẩu", [&] {
    auto certs = read_certificates(dir.file("id.p12"));
    REQUIRE(certs.has_value());
    REQUIRE(certs->size() == 2);
    CHECK((*certs)[0] == p.rsa.certificate_der);  // the key's own certificate first
    CHECK((*certs)[1] == p.root.certificate_der);
    auto key = PrivateKey::load(dir.file("id.p12"));
    REQUIRE(key.has_value());
    auto cms = cms_sign(as_bytes("body"), *key, (*certs)[0]);
    REQUIRE(cms.has_value());
    CHECK(verifier_for(p.root).verify(as_bytes("body"), *cms, (*certs)[0]).has_value());
  });
  with_passphrase("wrong", [&] {
    auto key = PrivateKey::load(dir.file("id.p12"));
    REQUIRE_FALSE(key.has_value());
    CHECK(contains(key.error().message, "does not open it"));
  });
  with_passphrase(nullptr, [&] {
    auto key = PrivateKey::load(dir.file("id.p12"));
    REQUIRE_FALSE(key.has_value());
    CHECK(contains(key.error().message, "set ANTQ_KEY_PASSPHRASE"));
    // A file exported without a password opens without one.
    CHECK(PrivateKey::load(dir.file("open.p12")).has_value());
  });
}

// Issue 18 point 9: `antq sign` and `antq record` warn when the key file has no passphrase; they ask the key.
TEST_CASE("PrivateKey says whether its file had no passphrase: PEM or PKCS#12 without one, never a protected file",
          "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  write_file(dir.file("plain.pem"), p.p256.private_key_pem);
  write_pem(dir.file("signer.crt"), p.p256);
  REQUIRE(run(dir, "openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:s3cret -in " + dir.file("plain.pem") + " -out " +
                       dir.file("enc.pem")) == 0);
  REQUIRE(run(dir, "openssl pkcs12 -export -inkey " + dir.file("plain.pem") + " -in " + dir.file("signer.crt") +
                       " -passout pass: -out " + dir.file("open.p12")) == 0);
  REQUIRE(run(dir, "openssl pkcs12 -export -inkey " + dir.file("plain.pem") + " -in " + dir.file("signer.crt") +
                       " -passout pass:s3cret -out " + dir.file("closed.p12")) == 0);
  with_passphrase(nullptr, [&] {
    auto plain = PrivateKey::load(dir.file("plain.pem"));
    REQUIRE(plain.has_value());
    CHECK(plain->unencrypted_file());
    auto open = PrivateKey::load(dir.file("open.p12"));
    REQUIRE(open.has_value());
    CHECK(open->unencrypted_file());
  });
  with_passphrase("s3cret", [&] {
    auto encrypted = PrivateKey::load(dir.file("enc.pem"));
    REQUIRE(encrypted.has_value());
    CHECK_FALSE(encrypted->unencrypted_file());
    auto closed = PrivateKey::load(dir.file("closed.p12"));
    REQUIRE(closed.has_value());
    CHECK_FALSE(closed->unencrypted_file());
    // A passphrase in the environment does not make a plain file protected.
    auto plain = PrivateKey::load(dir.file("plain.pem"));
    REQUIRE(plain.has_value());
    CHECK(plain->unencrypted_file());
  });
}

}  // namespace antq::signing
