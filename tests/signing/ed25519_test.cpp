#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "signing_test_support.hpp"

namespace antq::signing {
using namespace test;

namespace {

// RFC 8032 §7.1, TEST 1 and TEST 2.
constexpr const char* kSecret1 = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr const char* kPublic1 = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
constexpr const char* kSignature1 =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe2465"
    "5141438e7a100b";
constexpr const char* kPublic2 = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
constexpr const char* kSignature2 =
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb0"
    "0d291612bb0c00";

Bytes hex(const char* s) { return *from_hex(s); }

// Runs `body` with ANTQ_OPERATOR_PASSPHRASE set to `value` (unset when null) and stdin on /dev/null.
template <class F>
void with_operator_passphrase(const char* value, F body) {
  with_variable(kOperatorPassphraseVariable, value, body);
}

// PKCS#8 PEM of a raw Ed25519 seed (RFC 8410 §7).
std::string pkcs8_pem(const Bytes& seed) {
  Bytes der = *from_hex("302e020100300506032b657004220420");
  der.insert(der.end(), seed.begin(), seed.end());
  return "-----BEGIN PRIVATE KEY-----\n" + to_base64(der) + "\n-----END PRIVATE KEY-----\n";
}

}  // namespace

TEST_CASE("ed25519_verify accepts the RFC 8032 vectors and rejects any change", "[signing]") {
  CHECK(ed25519_verify(hex(kPublic1), Bytes{}, hex(kSignature1)));
  CHECK(ed25519_verify(hex(kPublic2), Bytes{0x72}, hex(kSignature2)));
  CHECK_FALSE(ed25519_verify(hex(kPublic2), Bytes{0x73}, hex(kSignature2)));
  Bytes sig = hex(kSignature1);
  sig[10] ^= 1;
  CHECK_FALSE(ed25519_verify(hex(kPublic1), Bytes{}, sig));
  CHECK_FALSE(ed25519_verify(hex(kPublic2), Bytes{}, hex(kSignature1)));
  CHECK_FALSE(ed25519_verify(Bytes(31), Bytes{}, hex(kSignature1)));
  CHECK_FALSE(ed25519_verify(hex(kPublic1), Bytes{}, Bytes(63)));
}

TEST_CASE("Ed25519Key loads a PKCS#8 key and signs deterministically as RFC 8032 says", "[signing]") {
  TempDir dir;
  write_file(dir.file("op.key"), pkcs8_pem(hex(kSecret1)));
  auto key = Ed25519Key::load(dir.file("op.key"));
  REQUIRE(key.has_value());
  CHECK(to_hex(key->public_key()) == kPublic1);
  CHECK(to_hex(*key->sign(Bytes{})) == kSignature1);
}

TEST_CASE("a generated key signs and its public key verifies", "[signing]") {
  auto key = Ed25519Key::generate();
  REQUIRE(key.has_value());
  auto sig = *key->sign(as_bytes("checkpoint body\n"));
  auto pub = key->public_key();
  CHECK(ed25519_verify(pub, as_bytes("checkpoint body\n"), sig));
  CHECK_FALSE(ed25519_verify(pub, as_bytes("checkpoint body"), sig));
}

TEST_CASE("Ed25519Key::save writes a 0600 PKCS#8 file and never overwrites", "[signing]") {
  TempDir dir;
  auto key = Ed25519Key::generate();
  REQUIRE(key.has_value());
  std::string path = dir.file("operator.key");
  REQUIRE(key->save(path, std::nullopt).has_value());
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(contains(read_text(path), "-----BEGIN PRIVATE KEY-----"));

  auto again = key->save(path, std::nullopt);
  REQUIRE_FALSE(again.has_value());
  CHECK(contains(again.error().message, "already exists"));

  auto loaded = Ed25519Key::load(path);
  REQUIRE(loaded.has_value());
  CHECK(loaded->public_key() == key->public_key());
  CHECK(run(dir, "openssl pkey -in " + path + " -noout -text") == 0);

  auto bad_dir = key->save(dir.file("no-such-dir/operator.key"), std::nullopt);
  REQUIRE_FALSE(bad_dir.has_value());
  CHECK(bad_dir.error().kind == ErrorKind::io);
}

TEST_CASE("Ed25519Key::load refuses other key types and missing files", "[signing]") {
  TempDir dir;
  write_file(dir.file("ec.key"), pki().p256.private_key_pem);
  auto ec = Ed25519Key::load(dir.file("ec.key"));
  REQUIRE_FALSE(ec.has_value());
  CHECK(contains(ec.error().message, "ECDSA-P-256, not Ed25519"));
  CHECK_FALSE(Ed25519Key::load(dir.file("missing.key")).has_value());
}

// Issue 18 point 9: the operator's key file is encrypted; stock openssl opens it with the passphrase and only then.
TEST_CASE("Ed25519Key::save with a passphrase writes PBES2 PKCS#8 (PBKDF2-SHA256 600000, AES-256) that openssl opens",
          "[signing]") {
  TempDir dir;
  auto key = Ed25519Key::generate();
  REQUIRE(key.has_value());
  const std::string path = dir.file("operator.pem");
  REQUIRE(key->save(path, std::string("s3cret passphrase")).has_value());
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const std::string pem = read_text(path);
  CHECK(contains(pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----"));
  CHECK_FALSE(contains(pem, "-----BEGIN PRIVATE KEY-----"));
  CHECK(private_key_material(as_bytes(pem)).has_value());  // still key material: it never goes into a ledger

  CHECK(run(dir, "openssl pkey -in " + path + " -passin pass:wrong -noout") != 0);
  CHECK(run(dir, "openssl pkey -in " + path + " -passin 'pass:s3cret passphrase' -noout") == 0);
  REQUIRE(run(dir, "openssl asn1parse -in " + path + " > " + dir.file("asn1.txt")) == 0);
  const std::string asn1 = read_text(dir.file("asn1.txt"));
  CHECK(contains(asn1, ":PBES2"));
  CHECK(contains(asn1, ":PBKDF2"));
  CHECK(contains(asn1, ":hmacWithSHA256"));
  CHECK(contains(asn1, ":aes-256-cbc"));
  CHECK(contains(asn1, "INTEGER           :0927C0"));  // 600000 iterations

  with_operator_passphrase("s3cret passphrase", [&] {
    auto loaded = Ed25519Key::load(path);
    REQUIRE(loaded.has_value());
    CHECK(loaded->public_key() == key->public_key());
    CHECK(loaded->storage() == Ed25519Key::Storage::encrypted_file);
  });
  with_operator_passphrase("wrong", [&] {
    auto loaded = Ed25519Key::load(path);
    REQUIRE_FALSE(loaded.has_value());
    CHECK(loaded.error().kind == ErrorKind::bad_input);
    CHECK(loaded.error().message ==
          "operator key " + path + ": the passphrase in ANTQ_OPERATOR_PASSPHRASE does not decrypt it");
  });
  with_operator_passphrase(nullptr, [&] {
    auto loaded = Ed25519Key::load(path);
    REQUIRE_FALSE(loaded.has_value());
    CHECK(loaded.error().message ==
          "operator key " + path + " is encrypted: set ANTQ_OPERATOR_PASSPHRASE (or run at a terminal to be asked)");
  });
}

TEST_CASE("An unencrypted operator key still loads, and says it is one", "[signing]") {
  TempDir dir;
  write_file(dir.file("op.key"), pkcs8_pem(hex(kSecret1)));
  with_operator_passphrase("unused", [&] {
    auto key = Ed25519Key::load(dir.file("op.key"));
    REQUIRE(key.has_value());
    CHECK(key->storage() == Ed25519Key::Storage::unencrypted_file);
    CHECK(to_hex(key->public_key()) == kPublic1);
  });
  auto generated = Ed25519Key::generate();
  REQUIRE(generated.has_value());
  CHECK(generated->storage() == Ed25519Key::Storage::generated);
}

TEST_CASE("The passphrase of a new operator key comes from the environment, never empty, else a terminal",
          "[signing]") {
  with_operator_passphrase("from the environment", [] {
    auto p = new_operator_key_passphrase("/k.pem");
    REQUIRE(p.has_value());
    CHECK(*p == "from the environment");
  });
  with_operator_passphrase("", [] {
    auto p = new_operator_key_passphrase("/k.pem");
    REQUIRE_FALSE(p.has_value());
    CHECK(contains(p.error().message, "ANTQ_OPERATOR_PASSPHRASE is empty"));
  });
  with_operator_passphrase(nullptr, [] {
    auto p = new_operator_key_passphrase("/k.pem");
    REQUIRE_FALSE(p.has_value());
    CHECK(p.error().kind == ErrorKind::bad_input);
    CHECK(p.error().message == "the new operator key /k.pem is encrypted with a passphrase: set "
                               "ANTQ_OPERATOR_PASSPHRASE (or run at a terminal to be asked)");
  });
}

}  // namespace antq::signing
