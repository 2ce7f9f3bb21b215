#include "signing/der.hpp"

#include <catch2/catch.hpp>

namespace antq::signing {

TEST_CASE("DerReader walks nested elements and reports their content and whole bytes", "[signing]") {
  Bytes der = {0x30, 0x06, 0x02, 0x01, 0x05, 0x04, 0x01, 0xaa};
  DerReader top(der);
  auto seq = top.next(kDerSequence);
  REQUIRE(seq.has_value());
  CHECK(top.at_end());
  CHECK(seq->whole.size() == 8);
  DerReader in(seq->content);
  CHECK(in.peek_tag() == kDerInteger);
  CHECK_FALSE(in.next(kDerOctetString).has_value());  // wrong tag: nothing consumed, no failure
  CHECK_FALSE(in.failed());
  auto integer = in.next(kDerInteger);
  REQUIRE(integer.has_value());
  CHECK(der_small_integer(*integer) == 5);
  auto octets = in.next();
  REQUIRE(octets.has_value());
  CHECK(octets->tag == kDerOctetString);
  CHECK(Bytes(octets->content.begin(), octets->content.end()) == Bytes{0xaa});
  CHECK(in.at_end());
  CHECK_FALSE(in.next().has_value());
}

TEST_CASE("DerReader refuses BER and malformed lengths", "[signing]") {
  auto fails = [](Bytes der) {
    DerReader r(der);
    auto e = r.next();
    return !e.has_value() && r.failed();
  };
  CHECK(fails({0x30, 0x80, 0x00, 0x00}));                    // indefinite length
  CHECK(fails({0x04, 0x81, 0x01, 0xaa}));                    // long form for a short length
  CHECK(fails({0x04, 0x82, 0x00, 0x81}));                    // leading zero length byte
  CHECK(fails({0x04, 0x03, 0xaa}));                          // longer than the input
  CHECK(fails({0x04}));                                      // no length
  CHECK(fails({0x1f, 0x81, 0x01, 0x00}));                    // multi-byte tag
  CHECK(fails({0x04, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00}));  // absurd length of length
  Bytes long_form = {0x04, 0x81, 0x80};
  long_form.resize(3 + 0x80, 0x11);
  DerReader ok(long_form);
  auto e = ok.next();
  REQUIRE(e.has_value());
  CHECK(e->content.size() == 0x80);
}

TEST_CASE("a failed DerReader stays failed", "[signing]") {
  Bytes der = {0x04, 0x05, 0x01, 0x02, 0x01, 0x00};
  DerReader r(der);
  CHECK_FALSE(r.next().has_value());
  CHECK(r.failed());
  CHECK_FALSE(r.at_end());
  CHECK_FALSE(r.peek_tag().has_value());
}

TEST_CASE("append_der writes minimal lengths", "[signing]") {
  Bytes out;
  append_der(out, kDerOctetString, Bytes(5, 1));
  CHECK(Bytes(out.begin(), out.begin() + 2) == Bytes{0x04, 0x05});
  out.clear();
  append_der(out, kDerOctetString, Bytes(0x80, 1));
  CHECK(Bytes(out.begin(), out.begin() + 3) == Bytes{0x04, 0x81, 0x80});
  out.clear();
  append_der(out, kDerSequence, Bytes(0x1234, 1));
  CHECK(Bytes(out.begin(), out.begin() + 4) == Bytes{0x30, 0x82, 0x12, 0x34});
  DerReader r(out);
  CHECK(r.next(kDerSequence)->content.size() == 0x1234);
}

TEST_CASE("der_small_integer takes only minimal non-negative INTEGERs", "[signing]") {
  auto value = [](Bytes content) {
    Bytes der;
    append_der(der, kDerInteger, content);
    DerReader r(der);
    return der_small_integer(*r.next());
  };
  CHECK(value({0x01}) == 1);
  CHECK(value({0x00, 0x80}) == 128);
  CHECK_FALSE(value({0x00, 0x01}).has_value());  // not minimal
  CHECK_FALSE(value({0x80}).has_value());        // negative
  CHECK_FALSE(value({}).has_value());
  CHECK_FALSE(value({0x01, 0x00, 0x00}).has_value());
}

}  // namespace antq::signing
