#include "ledger/checkpoint.hpp"

#include <catch2/catch.hpp>

#include "ledger/merkle.hpp"

namespace antq::ledger {
namespace {

signing::Ed25519Key new_key() {
  auto k = signing::Ed25519Key::generate();
  REQUIRE(k);
  return std::move(*k);
}

VerifierKey verifier_of(const std::string& name, const signing::Ed25519Key& key) {
  auto v = parse_verifier_key(format_verifier_key(name, key.public_key()));
  REQUIRE(v);
  return *v;
}

TEST_CASE("Every verifier key we format parses back, '+' in its base64 included", "[checkpoint]") {
  int with_plus = 0;
  for (int i = 0; i < 200; ++i) {
    auto key = new_key();
    std::string text = format_verifier_key("o", key.public_key());
    std::string base64 = text.substr(text.find('+', text.find('+') + 1) + 1);
    with_plus += base64.find('+') != std::string::npos;
    auto parsed = parse_verifier_key(text);
    REQUIRE(parsed);
    CHECK(parsed->public_key == key.public_key());
  }
  CHECK(with_plus > 0);  // 200 random keys: the chance that none has a '+' in 44 base64 digits is below 1e-50
}

TEST_CASE("Notes signed by other C2SP implementations open with their published verifier keys", "[checkpoint]") {
  // Examples published with Go's golang.org/x/mod/sumdb/note and other signed-note implementations.
  auto peter = parse_verifier_key("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  REQUIRE(peter);
  auto text = open_note(
      "If you think cryptography is the answer to your problem,\n"
      "then you don't know what your problem is.\n"
      "\n"
      "\xE2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
      *peter);
  REQUIRE(text);
  CHECK(*text == "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n");

  auto foo = parse_verifier_key("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k");
  REQUIRE(foo);
  const std::string note =
      "This is an example message.\n\n"
      "\xE2\x80\x94 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";
  REQUIRE(open_note(note, *foo));
  std::string altered = note;
  altered[0] = 't';
  CHECK(open_note(altered, *foo).error().kind == ErrorKind::corruption);
}

TEST_CASE("A verifier key with a wrong key id or type is refused", "[checkpoint]") {
  CHECK_FALSE(parse_verifier_key("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"));
  CHECK_FALSE(parse_verifier_key("PeterNeumann+c74f20a3+ApAc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"));
  CHECK_FALSE(parse_verifier_key("no-plus-signs"));
  CHECK_FALSE(parse_verifier_key("a+b+c+d"));
}

TEST_CASE("A signed checkpoint opens with the operator's key and gives back its size and root", "[checkpoint]") {
  auto key = new_key();
  Checkpoint c{"antq-ledger/test", 42, sha256(as_bytes("root"))};
  std::string note = *sign_checkpoint(c, key);
  CHECK(note.starts_with("antq-ledger/test\n42\n" + to_base64(c.root) + "\n\n\xE2\x80\x94 antq-ledger/test "));
  auto vkey = parse_verifier_key(format_verifier_key("antq-ledger/test", key.public_key()));
  REQUIRE(vkey);
  auto opened = open_checkpoint(note, *vkey);
  REQUIRE(opened);
  CHECK(opened->origin == c.origin);
  CHECK(opened->size == 42);
  CHECK(opened->root == c.root);
}

TEST_CASE("A checkpoint with a changed size, a foreign key or a broken signature line does not open", "[checkpoint]") {
  auto key = new_key(), other = new_key();
  std::string note = *sign_checkpoint({"o", 7, empty_root()}, key);
  auto vkey = verifier_of("o", key);
  auto other_vkey = verifier_of("o", other);

  std::string bigger = note;
  bigger.replace(bigger.find("\n7\n"), 3, "\n8\n");
  CHECK(open_checkpoint(bigger, vkey).error().kind == ErrorKind::corruption);
  CHECK(open_checkpoint(note, other_vkey).error().kind == ErrorKind::corruption);
  CHECK(open_checkpoint(note.substr(0, note.size() - 1), vkey).error().kind == ErrorKind::bad_input);
  CHECK(open_checkpoint("o\n7\n", vkey).error().kind == ErrorKind::bad_input);

  // A body the operator did sign, but whose size is not canonical decimal: the signature opens, the body is refused.
  std::string body = "o\n07\n" + to_base64(empty_root()) + "\n";
  auto blob = *from_base64(note.substr(note.rfind(' ') + 1, note.size() - note.rfind(' ') - 2));
  auto signature = *key.sign(as_bytes(body));
  std::copy(signature.begin(), signature.end(), blob.begin() + 4);
  auto leading_zero = open_checkpoint(body + "\n\xE2\x80\x94 o " + to_base64(blob) + "\n", vkey);
  REQUIRE_FALSE(leading_zero);
  CHECK(leading_zero.error().kind == ErrorKind::bad_input);
  CHECK_THAT(leading_zero.error().message, Catch::Contains("tree size"));
}

TEST_CASE("A witness's extra signature line does not stop the operator's from verifying", "[checkpoint]") {
  auto key = new_key(), witness = new_key();
  std::string note = *sign_checkpoint({"o", 3, empty_root()}, key);
  std::string witnessed = *sign_checkpoint({"o", 3, empty_root()}, witness);
  std::string witness_line = witnessed.substr(witnessed.rfind("\xE2\x80\x94 "));
  witness_line.replace(witness_line.find(" o ") + 1, 1, "w");  // another key name
  auto vkey = verifier_of("o", key);
  CHECK(open_checkpoint(note + witness_line, vkey));
}

}  // namespace
}  // namespace antq::ledger
