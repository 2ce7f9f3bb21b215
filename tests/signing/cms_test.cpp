#include <cctype>
#include <cstdio>

#include "signing/der.hpp"
#include "signing/openssl_util.hpp"
#include "signing_test_support.hpp"

namespace antq::signing {
using namespace test;

namespace {

const Bytes kCmsBody = [] {
  std::string s = "canonical ActBody bytes\r\n\x00\x01 with CR LF and NUL";
  s.push_back('\0');
  return Bytes(s.begin(), s.end());
}();

Bytes sign_body(const TempDir& dir, const IssuedCertificate& signer, SignOptions options = {}) {
  if (!options.signing_time) options.signing_time = kSigningTime;
  PrivateKey key = key_of(dir, signer);
  auto cms = cms_sign(kCmsBody, key, signer.certificate_der, options);
  REQUIRE(cms.has_value());
  return std::move(*cms);
}

// Stock `openssl cms -verify` as the bundle README tells users to run it.
int openssl_verify(const TempDir& dir, const Bytes& cms_der, const IssuedCertificate& root) {
  write_file(dir.file("body"), kCmsBody);
  write_file(dir.file("x.p7s"), cms_der);
  write_pem(dir.file("trust.pem"), root);
  return run(dir, "openssl cms -verify -binary -inform DER -content " + dir.file("body") + " -in " + dir.file("x.p7s") +
                      " -CAfile " + dir.file("trust.pem") + " -purpose any -out /dev/null");
}

}  // namespace

TEST_CASE("cms_sign and Verifier round-trip for every allowed algorithm", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  Verifier verifier = verifier_for(p.root);
  struct Case {
    const IssuedCertificate* cert;
    RsaPadding padding;
    const char* algorithm;
  };
  for (const Case& c :
       {Case{&p.rsa, RsaPadding::pkcs1, "RSA-2048 with SHA-256"}, Case{&p.rsa, RsaPadding::pss, "RSA-PSS-2048 with SHA-256"},
        Case{&p.p256, RsaPadding::pss, "ECDSA-P-256 with SHA-256"}, Case{&p.p384, RsaPadding::pss, "ECDSA-P-384 with SHA-256"},
        Case{&p.ed25519, RsaPadding::pss, "Ed25519 with SHA-512"}}) {
    INFO(c.algorithm);
    Bytes cms = sign_body(dir, *c.cert, sign_options(kSigningTime, c.padding));
    auto verified = verifier.verify(kCmsBody, cms, c.cert->certificate_der);
    INFO((verified ? std::string() : verified.error().line()));
    REQUIRE(verified.has_value());
    CHECK(verified->algorithm == c.algorithm);
    CHECK(verified->signer == sha256(c.cert->certificate_der));
    CHECK(verified->signing_time == kSigningTime);
    CHECK(verified->chain == std::vector<Digest>{sha256(c.cert->certificate_der), sha256(p.root.certificate_der)});
  }
}

TEST_CASE("new RSA signatures are RSASSA-PSS unless PKCS#1 v1.5 is asked for", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  Verifier verifier = verifier_for(p.root);
  PrivateKey key = key_of(dir, p.rsa);
  auto by_default = cms_sign(kCmsBody, key, p.rsa.certificate_der);
  REQUIRE(by_default);
  auto verified = verifier.verify(kCmsBody, *by_default, p.rsa.certificate_der);
  REQUIRE(verified);
  CHECK(verified->algorithm == "RSA-PSS-2048 with SHA-256");
  SignOptions pkcs1;
  pkcs1.rsa_padding = RsaPadding::pkcs1;
  auto old_style = cms_sign(kCmsBody, key, p.rsa.certificate_der, pkcs1);
  REQUIRE(old_style);
  verified = verifier.verify(kCmsBody, *old_style, p.rsa.certificate_der);
  REQUIRE(verified);
  CHECK(verified->algorithm == "RSA-2048 with SHA-256");
}

TEST_CASE("cms_sign uses the current time when none is given", "[signing]") {
  TempDir dir;
  PrivateKey key = key_of(dir, pki().p256);
  UnixTime before = now();
  auto cms = cms_sign(kCmsBody, key, pki().p256.certificate_der);
  REQUIRE(cms.has_value());
  auto parts = cms_parse(*cms);
  REQUIRE(parts.has_value());
  REQUIRE(parts->signing_time.has_value());
  CHECK(*parts->signing_time >= before);
  CHECK(*parts->signing_time <= now());
}

TEST_CASE("cms_sign keeps signing times outside the UTCTime range", "[signing]") {
  TempDir dir;
  UnixTime late = at("2051-06-01T12:00:00+07:00");  // GeneralizedTime from 2050 on
  auto parts = cms_parse(sign_body(dir, pki().p256, sign_options(late)));
  REQUIRE(parts.has_value());
  CHECK(parts->signing_time == late);
}

TEST_CASE("cms_sign refuses a key that does not fit the certificate or the policy", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  PrivateKey ec = key_of(dir, p.p256, "ec.key");
  auto mismatch = cms_sign(kCmsBody, ec, p.rsa.certificate_der);
  REQUIRE_FALSE(mismatch.has_value());
  CHECK(contains(mismatch.error().message, "does not belong to certificate CN=RSA signer"));

  auto pkcs1 = cms_sign(kCmsBody, ec, p.p256.certificate_der, sign_options(std::nullopt, RsaPadding::pkcs1));
  REQUIRE_FALSE(pkcs1.has_value());
  CHECK(contains(pkcs1.error().message, "PKCS#1 v1.5 padding needs an RSA key"));

  auto weak = issue(request("weak", "rsa1024"), &p.root);
  PrivateKey weak_key = key_of(dir, weak, "weak.key");
  auto refused_weak = cms_sign(kCmsBody, weak_key, weak.certificate_der);
  REQUIRE_FALSE(refused_weak.has_value());
  CHECK(contains(refused_weak.error().message, "RSA-1024 is too small"));

  CHECK_FALSE(cms_sign(kCmsBody, ec, as_bytes("not a cert")).has_value());
}

TEST_CASE("cms_parse strips the certificates and names the signer and signing time", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  Bytes cms = sign_body(dir, p.p256);
  auto parts = cms_parse(cms);
  REQUIRE(parts.has_value());
  CHECK(parts->certificates == std::vector<Bytes>{p.p256.certificate_der});
  CHECK(parts->signer == sha256(p.p256.certificate_der));
  CHECK(parts->signing_time == kSigningTime);
  CHECK(parts->without_certificates.size() < cms.size() - p.p256.certificate_der.size() + 8);

  auto stripped = cms_parse(parts->without_certificates);
  REQUIRE(stripped.has_value());
  CHECK(stripped->certificates.empty());
  CHECK_FALSE(stripped->signer.has_value());
  CHECK(stripped->signing_time == kSigningTime);
  CHECK(stripped->without_certificates == parts->without_certificates);

  // The ledger stores the stripped form and verifies it with the stored certificate.
  auto verified = verifier_for(p.root).verify(kCmsBody, parts->without_certificates, p.p256.certificate_der);
  CHECK(verified.has_value());
}

TEST_CASE("cms_parse finds the signer among several carried certificates", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  auto with = cms_with_certificates(sign_body(dir, p.rsa, sign_options(std::nullopt, RsaPadding::pss)),
                                    {p.root.certificate_der, p.p256.certificate_der});
  REQUIRE(with.has_value());
  auto parts = cms_parse(*with);
  REQUIRE(parts.has_value());
  CHECK(parts->certificates.size() == 3);
  CHECK(parts->signer == sha256(p.rsa.certificate_der));
}

TEST_CASE("cms_parse refuses what is not one detached SignedData", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  CHECK(cms_parse(as_bytes("garbage")).error().kind == ErrorKind::bad_input);
  CHECK(cms_parse(Bytes{}).error().kind == ErrorKind::bad_input);
  Bytes cms = sign_body(dir, p.p256);
  Bytes truncated(cms.begin(), cms.end() - 1);
  CHECK(cms_parse(truncated).error().kind == ErrorKind::bad_input);
  Bytes trailing = cms;
  trailing.push_back(0);
  CHECK(cms_parse(trailing).error().kind == ErrorKind::bad_input);

  write_file(dir.file("body"), kCmsBody);
  write_pem(dir.file("a.pem"), p.p256);
  write_file(dir.file("a.key"), p.p256.private_key_pem);
  write_pem(dir.file("b.pem"), p.p384);
  write_file(dir.file("b.key"), p.p384.private_key_pem);
  std::string sign_cmd = "openssl cms -sign -binary -md sha256 -outform DER -in " + dir.file("body") + " -signer " +
                         dir.file("a.pem") + " -inkey " + dir.file("a.key");
  REQUIRE(run(dir, sign_cmd + " -nodetach -out " + dir.file("attached.p7s")) == 0);
  auto attached = cms_parse(read_file(dir.file("attached.p7s")));
  REQUIRE_FALSE(attached.has_value());
  CHECK(contains(attached.error().message, "not detached"));

  REQUIRE(run(dir, sign_cmd + " -signer " + dir.file("b.pem") + " -inkey " + dir.file("b.key") + " -out " +
                       dir.file("two.p7s")) == 0);
  auto two = cms_parse(read_file(dir.file("two.p7s")));
  REQUIRE_FALSE(two.has_value());
  CHECK(contains(two.error().message, "2 SignerInfos"));
}

TEST_CASE("cms_parse reads BER (indefinite lengths) and returns DER", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  Bytes der = sign_body(dir, p.p256);
  // The same ContentInfo with the outer SEQUENCE in indefinite-length form: 30 80 ... 00 00.
  REQUIRE(der[0] == 0x30);
  std::size_t header = (der[1] & 0x80) ? 2 + (der[1] & 0x7f) : 2;
  Bytes ber = {0x30, 0x80};
  ber.insert(ber.end(), der.begin() + static_cast<std::ptrdiff_t>(header), der.end());
  ber.insert(ber.end(), {0x00, 0x00});
  auto parts = cms_parse(ber);
  REQUIRE(parts.has_value());
  CHECK(parts->signer == sha256(p.p256.certificate_der));
  CHECK(parts->without_certificates == cms_parse(der)->without_certificates);
  CHECK(verifier_for(p.root).verify(kCmsBody, parts->without_certificates, p.p256.certificate_der).has_value());
}

namespace {

// cms_parse (which answers DER with certificates by its quicker path) and cms_parse_general (every byte through
// OpenSSL) give the same answer for `cms`.
void same_answer(ByteView cms) {
  auto quick = cms_parse(cms);
  auto general = cms_parse_general(cms);
  REQUIRE(quick.has_value() == general.has_value());
  if (!quick) {
    CHECK(quick.error().line() == general.error().line());
    return;
  }
  CHECK(quick->without_certificates == general->without_certificates);
  CHECK(quick->certificates == general->certificates);
  CHECK(quick->signer == general->signer);
  CHECK(quick->signing_time == general->signing_time);
  CHECK(quick->der == general->der);
}

// `cms` with its certificates field holding `elements` (each a whole DER element), every length re-encoded
// minimally except the field's own length, written with `extra_length_bytes` more bytes than it needs.
Bytes with_certificate_elements(ByteView cms, const std::vector<Bytes>& elements, int extra_length_bytes = 0) {
  DerReader top(cms);
  auto ci = top.next(kDerSequence);
  REQUIRE(ci);
  DerReader in_ci(ci->content);
  auto oid = in_ci.next();
  auto wrapper = in_ci.next();
  REQUIRE((oid && wrapper));
  DerReader in_wrapper(wrapper->content);
  auto sd = in_wrapper.next(kDerSequence);
  REQUIRE(sd);
  DerReader in_sd(sd->content);
  Bytes fields, certificates;
  for (const Bytes& e : elements) certificates.insert(certificates.end(), e.begin(), e.end());
  while (auto f = in_sd.next()) {
    if (f->tag != kDerContext0) {
      fields.insert(fields.end(), f->whole.begin(), f->whole.end());
      continue;
    }
    if (extra_length_bytes == 0) {
      append_der(fields, kDerContext0, certificates);
    } else {  // long form with leading zero bytes: not DER
      const int n = 2 + extra_length_bytes;
      fields.push_back(kDerContext0);
      fields.push_back(static_cast<std::uint8_t>(0x80 | n));
      for (int i = n - 1; i >= 0; --i) fields.push_back(static_cast<std::uint8_t>((certificates.size() >> (8 * i)) & 0xff));
      fields.insert(fields.end(), certificates.begin(), certificates.end());
    }
  }
  Bytes signed_data, wrapped, body, out;
  append_der(signed_data, kDerSequence, fields);
  append_der(wrapped, kDerContext0, signed_data);
  body.assign(oid->whole.begin(), oid->whole.end());
  body.insert(body.end(), wrapped.begin(), wrapped.end());
  append_der(out, kDerSequence, body);
  return out;
}

}  // namespace

TEST_CASE("cms_parse's quicker path for DER with certificates answers as OpenSSL's full decoding does", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  const std::uint64_t quick_before = cms_parse_quick_answers();
  std::vector<Bytes> signed_ones;
  for (const IssuedCertificate* c : {&p.rsa, &p.p256, &p.p384, &p.ed25519}) signed_ones.push_back(sign_body(dir, *c));
  signed_ones.push_back(sign_body(dir, p.rsa, sign_options(kSigningTime, RsaPadding::pkcs1)));
  for (const Bytes& cms : signed_ones) {
    same_answer(cms);
    auto parts = cms_parse(cms);
    REQUIRE(parts);
    CHECK(parts->der);
    same_answer(parts->without_certificates);  // no certificates: the general path
  }
  CHECK(cms_parse_quick_answers() >= quick_before + signed_ones.size());  // the quicker path answered those

  // Several certificates: in DER's order (as OpenSSL writes them), out of it, twice the same, a length not minimal,
  // a CertificateChoices other than a certificate, a certificate that is not one.
  auto three = cms_with_certificates(signed_ones[0], {p.root.certificate_der, p.p256.certificate_der});
  REQUIRE(three);
  same_answer(*three);
  std::vector<Bytes> elements = cms_parse(*three)->certificates;
  REQUIRE(elements.size() == 3);
  std::vector<Bytes> reversed(elements.rbegin(), elements.rend());
  const Bytes unsorted = with_certificate_elements(*three, reversed);
  same_answer(unsorted);
  CHECK_FALSE(cms_parse(unsorted)->der);
  const Bytes twice = with_certificate_elements(*three, {elements[0], elements[0], elements[1], elements[2]});
  same_answer(twice);
  CHECK(with_certificate_elements(*three, elements) == *three);
  const Bytes long_length = with_certificate_elements(*three, elements, 1);
  same_answer(long_length);
  Bytes attribute_certificate{0xa1, 0x03, 0x02, 0x01, 0x00};
  same_answer(with_certificate_elements(*three, {elements[0], attribute_certificate}));
  Bytes not_a_certificate{0x30, 0x03, 0x02, 0x01, 0x00};
  same_answer(with_certificate_elements(*three, {not_a_certificate}));
  same_answer(with_certificate_elements(*three, {}));

  // Damage anywhere: every 5th byte flipped, one at a time, and the input cut short.
  for (const Bytes& base : {signed_ones[1], *three}) {
    for (std::size_t i = 0; i < base.size(); i += 5) {
      Bytes damaged = base;
      damaged[i] ^= 0x41;
      same_answer(damaged);
    }
    for (std::size_t n : {base.size() - 1, base.size() / 2, std::size_t{10}}) same_answer(ByteView(base.data(), n));
  }
}

TEST_CASE("cms_with_certificates output verifies with stock openssl cms -verify", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  struct Case {
    const IssuedCertificate* cert;
    RsaPadding padding;
    const char* name;
  };
  for (const Case& c : {Case{&p.rsa, RsaPadding::pkcs1, "RSA PKCS#1 v1.5"}, Case{&p.rsa, RsaPadding::pss, "RSA-PSS"},
                        Case{&p.p256, RsaPadding::pss, "ECDSA P-256"}, Case{&p.p384, RsaPadding::pss, "ECDSA P-384"}}) {
    INFO(c.name);
    auto stripped = cms_parse(sign_body(dir, *c.cert, sign_options(std::nullopt, c.padding)));
    REQUIRE(stripped.has_value());
    CHECK(openssl_verify(dir, stripped->without_certificates, p.root) != 0);  // no signer certificate: fails
    auto bundled = cms_with_certificates(stripped->without_certificates, {c.cert->certificate_der});
    REQUIRE(bundled.has_value());
    CHECK(openssl_verify(dir, *bundled, p.root) == 0);
  }
}

TEST_CASE("cms_with_certificates does not add a certificate twice", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  Bytes cms = sign_body(dir, p.p256);
  auto again = cms_with_certificates(cms, {p.p256.certificate_der, p.root.certificate_der, p.root.certificate_der});
  REQUIRE(again.has_value());
  CHECK(cms_parse(*again)->certificates.size() == 2);
  CHECK_FALSE(cms_with_certificates(cms, {Bytes{1, 2, 3}}).has_value());
  CHECK_FALSE(cms_with_certificates(as_bytes("junk"), {}).has_value());
}

TEST_CASE("Ed25519 CMS follows RFC 8419: id-Ed25519 without parameters over SHA-512 attributes", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  write_file(dir.file("ed.p7s"), sign_body(dir, p.ed25519));
  REQUIRE(run(dir, "openssl cms -cmsout -print -inform DER -in " + dir.file("ed.p7s")) == 0);
  std::string printed = read_text(dir.file("command.log"));
  CHECK(contains(printed, "algorithm: ED25519 (1.3.101.112)"));
  CHECK(contains(printed, "algorithm: sha512 (2.16.840.1.101.3.4.2.3)"));
  CHECK(contains(printed, "id-smime-aa-signingCertificateV2"));
  CHECK(contains(printed, "signingTime"));
  CHECK(contains(printed, "messageDigest"));
}

TEST_CASE("Ed25519 CMS signatures check with openssl primitives as RFC 8419 describes", "[signing]") {
  // Stock `openssl cms -verify` of OpenSSL 3.0 cannot verify Ed25519 SignerInfos ("invalid digest"), so this
  // checks our encoding independently: the signature is PureEdDSA over the signed attributes re-tagged as
  // SET, and messageDigest is SHA-512 of the content.
  TempDir dir;
  const Pki& p = pki();
  auto parts = cms_parse(sign_body(dir, p.ed25519));
  REQUIRE(parts.has_value());
  const Bytes& cms = parts->without_certificates;
  write_file(dir.file("ed.p7s"), cms);
  REQUIRE(run(dir, "openssl asn1parse -inform DER -in " + dir.file("ed.p7s")) == 0);
  std::string listing = read_text(dir.file("command.log"));
  // The first "d=5 ... cont [ 0 ]" of a SignedData without certificates is the SignerInfo's signedAttrs.
  std::size_t line = listing.find("cont [ 0 ]", listing.find("d=5"));
  REQUIRE(line != std::string::npos);
  std::size_t start = listing.rfind('\n', line) + 1;
  std::size_t offset = 0, header = 0, length = 0;
  REQUIRE(std::sscanf(listing.c_str() + start, " %zu:d=5 hl=%zu l=%zu", &offset, &header, &length) == 3);
  Bytes to_be_signed(cms.begin() + static_cast<std::ptrdiff_t>(offset),
                     cms.begin() + static_cast<std::ptrdiff_t>(offset + header + length));
  to_be_signed[0] = 0x31;
  write_file(dir.file("tbs.der"), to_be_signed);
  write_file(dir.file("sig.bin"), Bytes(cms.end() - 64, cms.end()));
  write_pem(dir.file("ed.pem"), p.ed25519);
  REQUIRE(run(dir, "openssl x509 -in " + dir.file("ed.pem") + " -pubkey -noout -out " + dir.file("pub.pem")) == 0);
  CHECK(run(dir, "openssl pkeyutl -verify -pubin -inkey " + dir.file("pub.pem") + " -rawin -in " + dir.file("tbs.der") +
                     " -sigfile " + dir.file("sig.bin")) == 0);

  write_file(dir.file("body"), kCmsBody);
  REQUIRE(run(dir, "openssl dgst -sha512 -r " + dir.file("body")) == 0);
  std::string sha512 = read_text(dir.file("command.log")).substr(0, 128);
  for (char& c : sha512) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(contains(listing, "[HEX DUMP]:" + sha512));
}

}  // namespace antq::signing
