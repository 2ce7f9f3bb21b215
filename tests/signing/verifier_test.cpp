#include <atomic>
#include <thread>

#include "signing_test_support.hpp"

namespace antq::signing {
using namespace test;

namespace {

const Bytes kBody = Bytes{'a', 'c', 't', '\r', '\n', 0, 1, 2, 0xff};

Bytes sign(const TempDir& dir, const IssuedCertificate& signer, UnixTime signing_time = kSigningTime,
           RsaPadding padding = RsaPadding::pss) {
  PrivateKey key = key_of(dir, signer);
  auto cms = cms_sign(kBody, key, signer.certificate_der, sign_options(signing_time, padding));
  REQUIRE(cms.has_value());
  return std::move(*cms);
}

// A CMS made by the stock openssl command line; `options` are extra `openssl cms -sign` options.
Bytes openssl_sign(const TempDir& dir, const IssuedCertificate& signer, const std::string& options) {
  write_file(dir.file("body"), kBody);
  write_pem(dir.file("signer.pem"), signer);
  write_file(dir.file("signer.key"), signer.private_key_pem);
  REQUIRE(run(dir, "openssl cms -sign -binary -outform DER -in " + dir.file("body") + " -signer " +
                       dir.file("signer.pem") + " -inkey " + dir.file("signer.key") + " " + options + " -out " +
                       dir.file("openssl.p7s")) == 0);
  return read_file(dir.file("openssl.p7s"));
}

// The refusal message, or a failure when the verification passed or failed otherwise.
std::string refusal(const Result<VerifiedSignature>& r) {
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == ErrorKind::refused);
  CHECK(r.error().rule == "signature");
  return r.error().message;
}

}  // namespace

TEST_CASE("a CMS made by stock openssl cms -sign -cades is accepted", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  Verifier verifier = verifier_for(p.root);
  struct Case {
    const IssuedCertificate* cert;
    const char* options;
    const char* algorithm;
  };
  for (const Case& c : {Case{&p.rsa, "-cades -md sha256", "RSA-2048 with SHA-256"},
                        Case{&p.rsa, "-cades -md sha256 -keyopt rsa_padding_mode:pss", "RSA-PSS-2048 with SHA-256"},
                        Case{&p.p256, "-cades -md sha256", "ECDSA-P-256 with SHA-256"},
                        Case{&p.p384, "-cades -md sha384", "ECDSA-P-384 with SHA-384"},
                        Case{&p.p256, "-md sha512", "ECDSA-P-256 with SHA-512"}}) {
    INFO(c.options << " " << c.algorithm);
    UnixTime before = now();
    Bytes cms = openssl_sign(dir, *c.cert, c.options);
    auto verified = verifier.verify(kBody, cms, c.cert->certificate_der);
    INFO((verified ? std::string() : verified.error().line()));
    REQUIRE(verified.has_value());
    CHECK(verified->algorithm == c.algorithm);
    CHECK(verified->signing_time >= before - 1);
    // Without -cades there is no signingCertificateV2: still valid (older documents), and said so.
    CHECK(verified->signing_certificate_v2 == contains(c.options, "-cades"));
    // The same again through the verifier's fast path (the signer is cached now).
    auto again = verifier.verify(kBody, cms, c.cert->certificate_der);
    REQUIRE(again.has_value());
    CHECK(again->signing_certificate_v2 == verified->signing_certificate_v2);
  }
}

TEST_CASE("openssl-made CMS verify again and again once stripped, by issuer and serial or by key id", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  Verifier verifier = verifier_for(p.root);
  for (const char* options : {"-cades -md sha256", "-cades -md sha256 -keyid", "-md sha384 -keyid -nosmimecap",
                              "-cades -md sha512 -keyopt rsa_padding_mode:pss -keyopt rsa_pss_saltlen:64"}) {
    INFO(options);
    const IssuedCertificate& signer = contains(options, "pss") ? p.rsa : p.p384;
    auto parts = cms_parse(openssl_sign(dir, signer, options));
    REQUIRE(parts.has_value());
    CHECK(parts->signer == sha256(signer.certificate_der));
    for (int i = 0; i < 3; ++i) {
      auto verified = verifier.verify(kBody, parts->without_certificates, signer.certificate_der);
      INFO((verified ? std::string() : verified.error().line()));
      CHECK(verified.has_value());
    }
    Bytes altered = kBody;
    altered[1] ^= 0x20;
    CHECK(contains(refusal(verifier.verify(altered, parts->without_certificates, signer.certificate_der)),
                   "does not match"));
  }
}

TEST_CASE("refused: the signer certificate expired before the signing time", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  auto expired = issue(valid(request("Expired signer"), at("2020-01-01"), at("2022-01-01")), &p.root);
  std::string why = refusal(verifier_for(p.root).verify(kBody, sign(dir, expired), expired.certificate_der));
  CHECK(why ==
        "certificate CN=Expired signer expired 2022-01-01T00:00:00+07:00, before the signing time "
        "2023-03-07T14:30:57+07:00");
}

TEST_CASE("refused: the signer certificate is not yet valid at the signing time", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  auto future = issue(valid(request("Future signer"), at("2024-01-01"), at("2030-01-01")), &p.root);
  std::string why = refusal(verifier_for(p.root).verify(kBody, sign(dir, future), future.certificate_der));
  CHECK(why ==
        "certificate CN=Future signer is valid only from 2024-01-01T00:00:00+07:00, after the signing time "
        "2023-03-07T14:30:57+07:00");
}

TEST_CASE("refused: the chain ends at a root that is not trusted", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  IssuedCertificate other_root = root_ca("Other Root");
  std::string why = refusal(verifier_for(other_root).verify(kBody, sign(dir, p.p256), p.p256.certificate_der));
  CHECK(contains(why, "no chain to a trusted root"));
  CHECK(contains(why, "CN=Test Root CA"));
  CHECK(refusal(Verifier().verify(kBody, sign(dir, p.p256), p.p256.certificate_der)).starts_with("no chain"));
  auto self_signed = root_ca("Self-signed signer");
  CHECK(contains(refusal(verifier_for(p.root).verify(kBody, sign(dir, self_signed), self_signed.certificate_der)),
                 "keyUsage without digitalSignature"));
}

TEST_CASE("refused: keyUsage without digitalSignature or nonRepudiation", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  auto encipher_only = issue(with_usage(request("Encipherment only"), false, false), &p.root);
  std::string why =
      refusal(verifier_for(p.root).verify(kBody, sign(dir, encipher_only), encipher_only.certificate_der));
  CHECK(why ==
        "signer certificate CN=Encipherment only (ECDSA-P-256) has keyUsage without digitalSignature or "
        "nonRepudiation");
  // Either bit alone is enough.
  auto nr_only = issue(with_usage(request("Non-repudiation only"), false, true), &p.root);
  CHECK(verifier_for(p.root).verify(kBody, sign(dir, nr_only), nr_only.certificate_der).has_value());
  auto ds_only = issue(with_usage(request("Digital signature only"), true, false), &p.root);
  CHECK(verifier_for(p.root).verify(kBody, sign(dir, ds_only), ds_only.certificate_der).has_value());
}

TEST_CASE("refused: a certificate in the chain is signed with SHA-1", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  CertificateRequest r = request("SHA-1 signed");
  r.sha1 = true;
  auto weak = issue(r, &p.root);
  std::string why = refusal(verifier_for(p.root).verify(kBody, sign(dir, weak), weak.certificate_der));
  CHECK(why ==
        "certificate CN=SHA-1 signed is signed with a weak algorithm (ecdsa-with-SHA1): SHA-1 and MD5 are "
        "refused");

  CertificateRequest ca = request("SHA-1 intermediate");
  ca.is_ca = true;
  ca.sha1 = true;
  auto weak_ca = issue(ca, &p.root);
  auto below = leaf(weak_ca, "p256", "Below a SHA-1 CA");
  Verifier v = verifier_for(p.root);
  REQUIRE(v.add_intermediate(weak_ca.certificate_der).has_value());
  CHECK(contains(refusal(v.verify(kBody, sign(dir, below), below.certificate_der)),
                 "CN=SHA-1 intermediate is signed "
                 "with a weak algorithm"));
}

TEST_CASE("refused: a SHA-1 or MD5 CMS digest", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  Verifier verifier = verifier_for(p.root);
  std::string why = refusal(verifier.verify(kBody, openssl_sign(dir, p.rsa, "-md sha1"), p.rsa.certificate_der));
  CHECK(why == "digest algorithm SHA-1 is not allowed (SHA-256, SHA-384 or SHA-512 only)");
  why = refusal(verifier.verify(kBody, openssl_sign(dir, p.p256, "-md sha1"), p.p256.certificate_der));
  CHECK(why == "digest algorithm SHA-1 is not allowed (SHA-256, SHA-384 or SHA-512 only)");
}

TEST_CASE("refused: an RSA-1024 signer or CA", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  auto weak = issue(request("RSA-1024 signer", "rsa1024"), &p.root);
  std::string why =
      refusal(verifier_for(p.root).verify(kBody, openssl_sign(dir, weak, "-md sha256"), weak.certificate_der));
  CHECK(why == "signer certificate CN=RSA-1024 signer: RSA-1024 is too small (RSA keys must have at least 2048 bits)");

  CertificateRequest ca = request("RSA-1024 CA", "rsa1024");
  ca.is_ca = true;
  auto weak_ca = issue(ca, &p.root);
  auto below = leaf(weak_ca, "p256", "Below an RSA-1024 CA");
  Verifier v = verifier_for(p.root);
  REQUIRE(v.add_intermediate(weak_ca.certificate_der).has_value());
  why = refusal(v.verify(kBody, sign(dir, below), below.certificate_der));
  CHECK(contains(why, "RSA-1024"));
  CHECK(contains(why, "too small"));
}

TEST_CASE("refused: the content or the signature was altered", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  Verifier verifier = verifier_for(p.root);
  for (const IssuedCertificate* c : {&p.rsa, &p.p256, &p.p384, &p.ed25519}) {
    Bytes cms = sign(dir, *c);
    Bytes altered = kBody;
    altered[0] ^= 1;
    std::string why = refusal(verifier.verify(altered, cms, c->certificate_der));
    CHECK(contains(why, "the content does not match the signature"));
    CHECK(contains(refusal(verifier.verify(Bytes{}, cms, c->certificate_der)), "does not match"));

    Bytes tampered = cms;
    tampered.back() ^= 0x01;  // the last byte of the DER is the last byte of the signature value
    auto r = verifier.verify(kBody, tampered, c->certificate_der);
    CHECK(contains(refusal(r), "signature does not verify with the key of"));
  }
}

TEST_CASE("refused: the certificate given is not the signer's", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  std::string why = refusal(verifier_for(p.root).verify(kBody, sign(dir, p.p256), p.p384.certificate_der));
  CHECK(why == "signer certificate CN=P-384 signer is not the one the SignerInfo names");
}

TEST_CASE("refused: not one detached SignerInfo with a signing time", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  Verifier verifier = verifier_for(p.root);
  CHECK(contains(refusal(verifier.verify(kBody, openssl_sign(dir, p.p256, "-nodetach"), p.p256.certificate_der)),
                 "not detached"));
  write_pem(dir.file("second.pem"), p.p384);
  write_file(dir.file("second.key"), p.p384.private_key_pem);
  Bytes two = openssl_sign(dir, p.p256, "-signer " + dir.file("second.pem") + " -inkey " + dir.file("second.key"));
  CHECK(refusal(verifier.verify(kBody, two, p.p256.certificate_der)) ==
        "the CMS has 2 SignerInfos; exactly one is required");
  CHECK(refusal(verifier.verify(kBody, openssl_sign(dir, p.p256, "-noattr"), p.p256.certificate_der)) ==
        "the signature has no valid signingTime attribute");
}

TEST_CASE("malformed DER is bad input, not a refusal", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  Verifier verifier = verifier_for(p.root);
  Bytes cms = sign(dir, p.p256);
  for (Bytes bad :
       {Bytes{}, Bytes{0x30, 0x03, 0x02, 0x01}, Bytes(cms.begin(), cms.begin() + 100), Bytes{0x2d, 0x2d, 0x2d}}) {
    auto r = verifier.verify(kBody, bad, p.p256.certificate_der);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == ErrorKind::bad_input);
  }
  auto r = verifier.verify(kBody, cms, as_bytes("not a certificate"));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == ErrorKind::bad_input);
  CHECK(verifier.add_root(as_bytes("x")).error().kind == ErrorKind::bad_input);
  CHECK(verifier.add_intermediate(as_bytes("x")).error().kind == ErrorKind::bad_input);
}

TEST_CASE("every single-byte corruption of a CMS is refused or bad input, never accepted", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  Verifier verifier = verifier_for(p.root);
  struct Case {
    const IssuedCertificate* cert;
    RsaPadding padding;
  };
  for (const Case& c : {Case{&p.p256, RsaPadding::pss}, Case{&p.rsa, RsaPadding::pkcs1}, Case{&p.rsa, RsaPadding::pss},
                        Case{&p.ed25519, RsaPadding::pss}}) {
    auto parts = cms_parse(sign(dir, *c.cert, kSigningTime, c.padding));
    REQUIRE(parts.has_value());
    Bytes stripped = parts->without_certificates;
    REQUIRE(verifier.verify(kBody, stripped, c.cert->certificate_der).has_value());
    for (std::size_t i = 0; i < stripped.size(); ++i) {
      for (std::uint8_t flip : {0x01, 0x55, 0x80}) {
        Bytes bad = stripped;
        bad[i] ^= flip;
        auto r = verifier.verify(kBody, bad, c.cert->certificate_der);
        INFO(inspect_certificate(c.cert->certificate_der)->key_algorithm << (c.padding == RsaPadding::pkcs1 ? " PKCS#1" : "") << " byte " << i
                                                                         << " ^ " << int(flip));
        CHECK_FALSE(r.has_value());
      }
    }
  }
}

TEST_CASE("a chain through an intermediate verifies only when the intermediate is known", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  CertificateRequest ca = request("Intermediate CA");
  ca.is_ca = true;
  auto intermediate = issue(ca, &p.root);
  auto signer = leaf(intermediate, "p256", "Signer under intermediate");
  Bytes cms = sign(dir, signer);

  Verifier verifier = verifier_for(p.root);
  std::string why = refusal(verifier.verify(kBody, cms, signer.certificate_der));
  CHECK(why ==
        "no chain to a trusted root: the issuer CN=Intermediate CA of certificate CN=Signer under intermediate "
        "is neither a trusted root nor an intermediate held that chains to one");

  auto with_extra = verifier.verify(kBody, cms, signer.certificate_der, {intermediate.certificate_der});
  REQUIRE(with_extra.has_value());
  CHECK(with_extra->chain.size() == 3);
  // The chain built with extra certificates is not reused for a call without them.
  CHECK_FALSE(verifier.verify(kBody, cms, signer.certificate_der).has_value());

  REQUIRE(verifier.add_intermediate(intermediate.certificate_der).has_value());
  auto verified = verifier.verify(kBody, cms, signer.certificate_der);
  REQUIRE(verified.has_value());
  CHECK(verified->chain == std::vector<Digest>{sha256(signer.certificate_der), sha256(intermediate.certificate_der),
                                               sha256(p.root.certificate_der)});
}

// Below the shared root, an intermediate, a sub CA under it and a signer under that (a chain of two
// intermediates), and the signer's CMS over kBody.
struct TwoLevels {
  static CertificateRequest ca_request(const std::string& name) {
    CertificateRequest r = request(name);
    r.is_ca = true;
    return r;
  }
  TempDir dir;
  const Pki& p = pki();
  CertificateRequest ca = ca_request("Intermediate CA");
  IssuedCertificate intermediate = issue(ca, &p.root);
  CertificateRequest sub = ca_request("Sub CA");
  IssuedCertificate sub_ca = issue(sub, &intermediate);
  IssuedCertificate signer = leaf(sub_ca, "p256", "Signer under two intermediates");
  Bytes cms = sign(dir, signer);
  // A verified signature's chain: signer, sub CA, intermediate, root.
  std::vector<Digest> chain() const {
    return {sha256(signer.certificate_der), sha256(sub_ca.certificate_der), sha256(intermediate.certificate_der),
            sha256(p.root.certificate_der)};
  }
};

TEST_CASE("an intermediate that does not chain to a root cannot hide one that does", "[signing]") {
  TwoLevels t;
  // What a hostile submitter, bundle or server can offer: the intermediate's name and key under a root of the
  // trusted root's name and another key (OpenSSL takes it for the issuer of everything the intermediate issued, and
  // the chain then fails at that root); the sub CA's name under that root, with another key (a CRL it signs must
  // not count as the sub CA's); and one signed by nothing trusted at all.
  auto forged_root = root_ca();
  CertificateRequest copy = t.ca;
  copy.key_pem = t.intermediate.private_key_pem;
  auto same_key = issue(copy, &forged_root);
  auto other_key = issue(t.sub, &forged_root);
  auto stranger = issue(t.ca);  // self-signed, the intermediate's name

  // Without the forgeries, the chain is the real one; with them added first or last, still.
  const std::vector<const Bytes*> genuine{&t.sub_ca.certificate_der, &t.intermediate.certificate_der};
  const std::vector<const Bytes*> forged{&same_key.certificate_der, &other_key.certificate_der,
                                         &stranger.certificate_der};
  for (const bool forged_first : {true, false}) {
    INFO("forged first: " << forged_first);
    Verifier verifier = verifier_for(t.p.root);
    for (const auto* list : forged_first ? std::vector{&forged, &genuine} : std::vector{&genuine, &forged})
      for (const Bytes* der : *list) REQUIRE(verifier.add_intermediate(*der).has_value());
    auto verified = verifier.verify(kBody, t.cms, t.signer.certificate_der);
    INFO((verified ? std::string() : verified.error().line()));
    REQUIRE(verified.has_value());
    CHECK(verified->chain == t.chain());
    // A CRL in the sub CA's name signed with the forged sub CA's key is not the sub CA's.
    auto crl = issue_crl(other_key, {{t.signer.certificate_der, kSigningTime}}, kSigningTime);
    REQUIRE(crl);
    CHECK(contains(verifier.add_crl(*crl).error().message, "does not verify with the key of its issuer"));
    CHECK(verifier.verify(kBody, t.cms, t.signer.certificate_der).has_value());
  }
  // Forgeries alone chain nothing.
  Verifier forged_only = verifier_for(t.p.root);
  for (const Bytes* der : forged) REQUIRE(forged_only.add_intermediate(*der).has_value());
  REQUIRE(forged_only.add_intermediate(t.sub_ca.certificate_der).has_value());
  CHECK(contains(refusal(forged_only.verify(kBody, t.cms, t.signer.certificate_der)), "no chain to a trusted root"));

  // The certificates a signature carries, the forgery first, when the verifier holds no intermediate: the chain is
  // built again without the forgery (it failed, and the intermediate carried after it has its subject).
  Verifier bare = verifier_for(t.p.root);
  auto carried = bare.verify(kBody, t.cms, t.signer.certificate_der,
                             {same_key.certificate_der, t.intermediate.certificate_der, t.sub_ca.certificate_der});
  INFO((carried ? std::string() : carried.error().line()));
  REQUIRE(carried.has_value());
  CHECK(carried->chain == t.chain());
  // A held intermediate that chains only through what the signature carries: the sub CA held, the intermediate
  // carried.
  Verifier sub_only = verifier_for(t.p.root);
  REQUIRE(sub_only.add_intermediate(t.sub_ca.certificate_der).has_value());
  auto through = sub_only.verify(kBody, t.cms, t.signer.certificate_der, {t.intermediate.certificate_der});
  INFO((through ? std::string() : through.error().line()));
  REQUIRE(through.has_value());
  CHECK(through->chain == t.chain());
}

TEST_CASE("a chain is built again without an issuer that chains to a root but fails at the signing time", "[signing]") {
  TwoLevels t;
  // A bridge CA under the root that expired before the signing time, and a cross-certificate it issued for the sub
  // CA (its name and key), valid then: both chain to the root (at some time), and the cross-certificate is offered
  // first. OpenSSL takes it for the signer's issuer, then finds its issuer expired.
  CertificateRequest bridge_request = valid(request("Bridge CA"), at("2015-01-01"), at("2018-01-01"));
  bridge_request.is_ca = true;
  auto bridge = issue(bridge_request, &t.p.root);
  CertificateRequest cross_request = valid(t.sub, at("2015-01-01"), at("2040-01-01"));
  cross_request.key_pem = t.sub_ca.private_key_pem;
  auto cross = issue(cross_request, &bridge);

  Verifier verifier = verifier_for(t.p.root);
  for (const Bytes* der :
       {&t.intermediate.certificate_der, &bridge.certificate_der, &cross.certificate_der, &t.sub_ca.certificate_der})
    REQUIRE(verifier.add_intermediate(*der).has_value());
  auto verified = verifier.verify(kBody, t.cms, t.signer.certificate_der);
  INFO((verified ? std::string() : verified.error().line()));
  REQUIRE(verified.has_value());
  CHECK(verified->chain == t.chain());
  // Without the sub CA's own certificate, the cross-certificate is all there is: refused for the bridge's expiry.
  Verifier cross_only = verifier_for(t.p.root);
  for (const Bytes* der : {&t.intermediate.certificate_der, &bridge.certificate_der, &cross.certificate_der})
    REQUIRE(cross_only.add_intermediate(*der).has_value());
  CHECK(contains(refusal(cross_only.verify(kBody, t.cms, t.signer.certificate_der)), "CN=Bridge CA expired"));

  // At two levels, a version signed with SHA-1 (the same name and key): the intermediate's first, the sub CA's
  // after its good one. The retry drops the certificate the check failed at (the weak intermediate), not the lowest
  // one that has a stand-in (the good sub CA, which would leave only the weak one).
  CertificateRequest weak_intermediate = t.ca;
  weak_intermediate.key_pem = t.intermediate.private_key_pem;
  weak_intermediate.sha1 = true;
  CertificateRequest weak_sub = t.sub;
  weak_sub.key_pem = t.sub_ca.private_key_pem;
  weak_sub.sha1 = true;
  Bytes weak_intermediate_der = issue(weak_intermediate, &t.p.root).certificate_der;
  Bytes weak_sub_der = issue(weak_sub, &t.intermediate).certificate_der;
  Verifier two_weak = verifier_for(t.p.root);
  for (const Bytes* der :
       {&weak_intermediate_der, &t.intermediate.certificate_der, &t.sub_ca.certificate_der, &weak_sub_der})
    REQUIRE(two_weak.add_intermediate(*der).has_value());
  auto strong = two_weak.verify(kBody, t.cms, t.signer.certificate_der);
  INFO((strong ? std::string() : strong.error().line()));
  REQUIRE(strong.has_value());
  CHECK(strong->chain == t.chain());
}

TEST_CASE("a sub CA under a CA re-keyed under the same name chains when it names no key identifier", "[signing]") {
  TwoLevels t;
  // The intermediate re-keyed: a new certificate of its name and another key, and the sub CA issued by the new key
  // without an authorityKeyIdentifier. OpenSSL takes the old key's certificate (held first) for the sub CA's issuer:
  // the sub CA must still be found to chain, and the signer's chain through it built.
  CertificateRequest rekeyed_request = t.ca;
  IssuedCertificate rekeyed = issue(rekeyed_request, &t.p.root);
  IssuedCertificate sub_ca = issue(t.sub, &rekeyed);
  sub_ca.certificate_der = without_authority_key_id(sub_ca.certificate_der, rekeyed);
  IssuedCertificate signer = leaf(sub_ca, "p256", "Signer under the re-keyed CA");
  Bytes cms = sign(t.dir, signer);

  Verifier verifier = verifier_for(t.p.root);
  for (const Bytes* der : {&t.intermediate.certificate_der, &rekeyed.certificate_der, &sub_ca.certificate_der})
    REQUIRE(verifier.add_intermediate(*der).has_value());
  auto verified = verifier.verify(kBody, cms, signer.certificate_der);
  INFO((verified ? std::string() : verified.error().line()));
  REQUIRE(verified.has_value());
  CHECK(verified->chain == std::vector<Digest>{sha256(signer.certificate_der), sha256(sub_ca.certificate_der),
                                               sha256(rekeyed.certificate_der), sha256(t.p.root.certificate_der)});
  // The parting itself: all three chain to the root.
  X509StorePtr store(X509_STORE_new());
  X509Ptr root = x509_from_der(t.p.root.certificate_der);
  REQUIRE((store && root && X509_STORE_add_cert(store.get(), root.get()) == 1));
  X509StackPtr offered(sk_X509_new_null());
  for (const Bytes* der : {&t.intermediate.certificate_der, &rekeyed.certificate_der, &sub_ca.certificate_der})
    REQUIRE(sk_X509_push(offered.get(), x509_from_der(*der).release()) > 0);
  auto parted = chained_intermediates(store.get(), offered.get(), -1);
  CHECK(sk_X509_num(parted.chained.get()) == 3);
  CHECK(sk_X509_num(parted.unchained.get()) == 0);
}

TEST_CASE("a cached chain is reused only inside its validity window", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  auto signer = issue(valid(request("Window signer"), at("2022-01-01"), at("2026-01-01")), &p.root);
  // Both the CMS as signed (certificate included) and as the ledger stores it (certificates stripped).
  auto forms = [&](UnixTime t) {
    Bytes full = sign(dir, signer, t);
    return std::vector<Bytes>{full, cms_parse(full)->without_certificates};
  };
  Verifier verifier = verifier_for(p.root);
  for (int round = 0; round < 2; ++round) {  // the second round finds the signer cached
    INFO("round " << round);
    for (const Bytes& cms : forms(at("2023-01-01")))
      CHECK(verifier.verify(kBody, cms, signer.certificate_der).has_value());
    for (const Bytes& cms : forms(at("2025-12-31T23:59:59+07:00")))
      CHECK(verifier.verify(kBody, cms, signer.certificate_der).has_value());
    for (const Bytes& cms : forms(at("2026-01-01T00:00:01+07:00")))
      CHECK(
          contains(refusal(verifier.verify(kBody, cms, signer.certificate_der)), "expired 2026-01-01T00:00:00+07:00"));
    for (const Bytes& cms : forms(at("2021-12-31")))
      CHECK(contains(refusal(verifier.verify(kBody, cms, signer.certificate_der)),
                     "is valid only from 2022-01-01T00:00:00+07:00"));
    // A cached signer is still checked against the content and the SignerInfo every time.
    Bytes altered = kBody;
    altered.push_back(0);
    for (const Bytes& cms : forms(at("2023-01-01")))
      CHECK(contains(refusal(verifier.verify(altered, cms, signer.certificate_der)), "does not match"));
    for (const Bytes& cms : {sign(dir, p.p256), cms_parse(sign(dir, p.p256))->without_certificates})
      CHECK(contains(refusal(verifier.verify(kBody, cms, signer.certificate_der)),
                     "is not the one the SignerInfo names"));
  }
}

TEST_CASE("a new root clears earlier refusals", "[signing]") {
  TempDir dir;
  IssuedCertificate other_root = root_ca("Late Root");
  auto signer = leaf(other_root, "p256", "Late signer");
  Bytes cms = sign(dir, signer);
  Verifier verifier = verifier_for(pki().root);
  CHECK_FALSE(verifier.verify(kBody, cms, signer.certificate_der).has_value());
  REQUIRE(verifier.add_root(other_root.certificate_der).has_value());
  CHECK(verifier.verify(kBody, cms, signer.certificate_der).has_value());
}

TEST_CASE("verify may be called from many threads at once", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  const Verifier verifier = verifier_for(p.root);
  struct Signed {
    Bytes cms;
    const IssuedCertificate* cert;
  };
  std::vector<Signed> items;
  for (const IssuedCertificate* c : {&p.rsa, &p.p256, &p.p384, &p.ed25519}) {
    Bytes full = sign(dir, *c);
    items.push_back({cms_parse(full)->without_certificates, c});  // the ledger's form
    items.push_back({std::move(full), c});
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        const Signed& s = items[static_cast<std::size_t>(t + i) % items.size()];
        if (!verifier.verify(kBody, s.cms, s.cert->certificate_der)) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
}

TEST_CASE("a CRL invalidates signatures made after a revocation, not those made before it", "[signing][crl]") {
  TempDir dir;
  const Pki& p = pki();
  auto signer = issue(request("revoked signer"), &p.root);
  const UnixTime revoked_at = kSigningTime + 86400;
  auto crl = issue_crl(p.root, {{signer.certificate_der, revoked_at}}, revoked_at + 3600);
  REQUIRE(crl);
  Verifier verifier = verifier_for(p.root);
  // Before the CRL is held, both verify (and the signer's chain is cached).
  REQUIRE(verifier.verify(kBody, sign(dir, signer, revoked_at + 60), signer.certificate_der));
  auto info = verifier.add_crl(*crl);
  REQUIRE(info);
  CHECK(info->revoked == 1);
  CHECK(contains(info->issuer, "Test Root CA"));
  for (int round = 0; round < 2; ++round) {  // the second round uses the cached chain
    INFO("round " << round);
    auto before = verifier.verify(kBody, sign(dir, signer, revoked_at - 60), signer.certificate_der);
    REQUIRE(before);
    REQUIRE(before->revoked_after.has_value());
    CHECK(*before->revoked_after == revoked_at);
    std::string why = refusal(verifier.verify(kBody, sign(dir, signer, revoked_at + 60), signer.certificate_der));
    CHECK(contains(why, "was revoked " + format_vietnam_time(revoked_at)));
    CHECK(contains(why, "before the signing time"));
  }
  // Other signers of the same CA are untouched.
  auto other = verifier.verify(kBody, sign(dir, p.p256, revoked_at + 60), p.p256.certificate_der);
  REQUIRE(other);
  CHECK_FALSE(other->revoked_after.has_value());
}

TEST_CASE("add_crl refuses what is not a CRL, an unknown issuer and a forged signature", "[signing][crl]") {
  const Pki& p = pki();
  Verifier verifier = verifier_for(p.root);
  CHECK(verifier.add_crl(as_bytes("not a crl")).error().kind == ErrorKind::bad_input);
  auto stranger = root_ca("Stranger CA");  // self-signed, not trusted
  auto foreign = issue_crl(stranger, {}, kSigningTime);
  REQUIRE(foreign);
  CHECK(contains(verifier.add_crl(*foreign).error().message,
                 "neither a trusted root nor an intermediate held that chains to one"));
  // Same issuer name as the root, another key.
  auto fake_root = root_ca();
  auto forged = issue_crl(fake_root, {}, kSigningTime);
  REQUIRE(forged);
  CHECK(contains(verifier.add_crl(*forged).error().message, "does not verify with the key of its issuer"));
}

}  // namespace antq::signing
