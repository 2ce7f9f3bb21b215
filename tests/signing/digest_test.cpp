#include "signing/digest.hpp"

#include <catch2/catch.hpp>
#include <string>

namespace antq {
namespace {

std::string b64(std::string_view s) { return to_base64(as_bytes(s)); }

std::optional<std::string> unb64(std::string_view s) {
  auto bytes = from_base64(s);
  if (!bytes) return std::nullopt;
  return std::string(bytes->begin(), bytes->end());
}

}  // namespace

TEST_CASE("sha256 matches the FIPS 180-2 vector and is the same in parts", "[signing]") {
  CHECK(to_hex(sha256(as_bytes("abc"))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(to_hex(sha256(as_bytes(""))) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256({as_bytes("a"), as_bytes(""), as_bytes("bc")}) == sha256(as_bytes("abc")));
}

TEST_CASE("Sha256Stream gives the FIPS 180-2 digests whatever the pieces", "[signing]") {
  Sha256Stream empty;
  CHECK(to_hex(empty.finish()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Sha256Stream parts;
  for (std::string_view p : {"a", "", "bc"}) parts.update(as_bytes(p));
  CHECK(to_hex(parts.finish()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // The FIPS 180-2 long message: a million 'a's, given in uneven pieces.
  const std::string a(1000000, 'a');
  Sha256Stream million;
  for (std::size_t at = 0, n = 1; at < a.size(); at += n, n = n * 3 % 65521 + 1)
    million.update(as_bytes(std::string_view(a).substr(at, n)));
  CHECK(to_hex(million.finish()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("hex round-trips and rejects odd lengths and non-hex digits", "[signing]") {
  Bytes data = {0x00, 0x01, 0xab, 0xff};
  CHECK(to_hex(data) == "0001abff");
  CHECK(from_hex("0001abff") == data);
  CHECK(from_hex("0001ABFF") == data);
  CHECK(from_hex("")->empty());
  CHECK_FALSE(from_hex("abc").has_value());
  CHECK_FALSE(from_hex("zz").has_value());
  CHECK_FALSE(from_hex("0x12").has_value());
}

TEST_CASE("digest_from_hex takes exactly 64 hex digits", "[signing]") {
  std::string hex(64, 'a');
  REQUIRE(digest_from_hex(hex).has_value());
  CHECK(to_hex(*digest_from_hex(hex)) == hex);
  CHECK_FALSE(digest_from_hex(hex.substr(2)).has_value());
  CHECK_FALSE(digest_from_hex(hex + "aa").has_value());
  CHECK_FALSE(digest_from_hex(std::string(63, 'a') + "g").has_value());
}

TEST_CASE("base64 encodes the RFC 4648 vectors", "[signing]") {
  CHECK(b64("") == "");
  CHECK(b64("f") == "Zg==");
  CHECK(b64("fo") == "Zm8=");
  CHECK(b64("foo") == "Zm9v");
  CHECK(b64("foob") == "Zm9vYg==");
  CHECK(b64("fooba") == "Zm9vYmE=");
  CHECK(b64("foobar") == "Zm9vYmFy");
  for (const char* s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) CHECK(unb64(b64(s)) == std::string(s));
  Bytes all(256);
  for (int i = 0; i < 256; ++i) all[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i);
  CHECK(from_base64(to_base64(all)) == all);
}

TEST_CASE("strict base64 rejects garbage, missing or misplaced padding and stray bits", "[signing]") {
  CHECK_FALSE(from_base64("Zg").has_value());        // padding missing
  CHECK_FALSE(from_base64("Zg=").has_value());       // padding short
  CHECK_FALSE(from_base64("Z===").has_value());      // three pad characters
  CHECK_FALSE(from_base64("Zm=v").has_value());      // padding in the middle
  CHECK_FALSE(from_base64("Zg==Zg==").has_value());  // padding before the end
  CHECK_FALSE(from_base64("====").has_value());
  CHECK_FALSE(from_base64("Zh==").has_value());  // non-zero bits after the last byte
  CHECK_FALSE(from_base64("Zm9w=").has_value());
  CHECK_FALSE(from_base64("Zm9v\n").has_value());  // whitespace
  CHECK_FALSE(from_base64("Zm 9v").has_value());
  CHECK_FALSE(from_base64("Zm9-").has_value());  // URL alphabet
  CHECK_FALSE(from_base64("Zm9_").has_value());
  CHECK_FALSE(from_base64("Zm9v!").has_value());
}

}  // namespace antq
