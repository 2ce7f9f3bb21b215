// Signatures inside PDFs: the /ByteRange and /Contents checks of pdf_signatures, and verify_pdf over the covered
// bytes. The documents here are the smallest that carry a signature dictionary; whole PDFs that poppler's
// pdfsig accepts come from tools/pdf-fixture.cpp (tests/tools/pdf_fixture_test.sh, tests/ledger).
#include <fmt/format.h>

#include "signing_test_support.hpp"

namespace antq::signing {
using namespace test;

namespace {

constexpr std::size_t kReserved = 8192;  // bytes reserved for the CMS in /Contents

std::string hex(ByteView b) {
  std::string out;
  for (std::uint8_t x : b) out += fmt::format("{:02X}", x);
  return out;
}

// A document with one signature dictionary whose /Contents is `reserved` bytes (as hex) and whose /ByteRange
// leaves exactly that hex string uncovered; `after` follows the signature (a later revision).
struct Document {
  std::string text;
  std::size_t gap_begin = 0, gap_end = 0;  // the "<...>" of /Contents
};
Document unsigned_document(const std::string& sub_filter = "adbe.pkcs7.detached", const std::string& after = "") {
  std::string head = "%PDF-1.7\n1 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /" + sub_filter +
                     " /ByteRange [0 0000000000 0000000000 0000000000] /Contents <";
  Document d;
  d.gap_begin = head.size() - 1;
  d.text = head + std::string(2 * kReserved, '0') + ">";
  d.gap_end = d.text.size();
  d.text += " /M (D:20260301090000+07'00') >>\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n" + after;
  std::string range = fmt::format("[0 {:010} {:010} {:010}]", d.gap_begin, d.gap_end, d.text.size() - d.gap_end);
  d.text.replace(d.text.find("[0 0000000000"), range.size(), range);
  return d;
}

Bytes covered(const Document& d) {
  std::string c = d.text.substr(0, d.gap_begin) + d.text.substr(d.gap_end);
  return Bytes(c.begin(), c.end());
}

// Signs the covered bytes of `d` by `signer` and puts the CMS into /Contents.
std::string sign_document(const TempDir& dir, Document d, const IssuedCertificate& signer, UnixTime when = kSigningTime) {
  PrivateKey key = key_of(dir, signer);
  auto cms = cms_sign(covered(d), key, signer.certificate_der, sign_options(when));
  REQUIRE(cms.has_value());
  REQUIRE(cms->size() <= kReserved);
  std::string h = hex(*cms);
  d.text.replace(d.gap_begin + 1, h.size(), h);
  return d.text;
}

ByteView bytes_of(const std::string& s) { return as_bytes(s); }

}  // namespace

TEST_CASE("pdf_signatures finds nothing in what is not a signed PDF", "[signing]") {
  auto none = pdf_signatures(as_bytes("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"));
  REQUIRE(none.has_value());
  CHECK(none->empty());
  auto not_pdf = pdf_signatures(as_bytes("plain text that mentions /ByteRange [0 1 2 3]"));
  REQUIRE(not_pdf.has_value());
  CHECK(not_pdf->empty());
}

TEST_CASE("verify_pdf accepts a signature over the covered bytes and names its signer", "[signing]") {
  TempDir dir;
  const Pki& p = pki();
  for (const IssuedCertificate* signer : {&p.p256, &p.rsa}) {
    std::string pdf = sign_document(dir, unsigned_document(), *signer);
    auto found = pdf_signatures(bytes_of(pdf));
    REQUIRE(found.has_value());
    REQUIRE(found->size() == 1);
    CHECK((*found)[0].sub_filter == "adbe.pkcs7.detached");
    CHECK((*found)[0].covers_whole_file);
    auto verified = verify_pdf(bytes_of(pdf), verifier_for(p.root));
    if (!verified) FAIL(verified.error().line());
    REQUIRE(verified->size() == 1);
    CHECK((*verified)[0].verified.signer == sha256(signer->certificate_der));
    CHECK((*verified)[0].verified.signing_time == kSigningTime);
    CHECK((*verified)[0].signer_certificate == signer->certificate_der);
  }
}

TEST_CASE("verify_pdf refuses a PDF whose covered bytes changed", "[signing]") {
  TempDir dir;
  std::string pdf = sign_document(dir, unsigned_document(), pki().p256);
  pdf[pdf.find("/M (D:2026") + 8] = '7';  // 2026 -> 2076 in the covered /M entry
  auto verified = verify_pdf(bytes_of(pdf), verifier_for(pki().root));
  REQUIRE_FALSE(verified.has_value());
  CHECK(verified.error().kind == ErrorKind::refused);
  CHECK_THAT(verified.error().message, Catch::Contains("PDF signature 1"));
}

TEST_CASE("verify_pdf refuses a signer outside the trust store", "[signing]") {
  TempDir dir;
  IssuedCertificate other_root = root_ca("Other Root");
  IssuedCertificate stranger = leaf(other_root, "p256", "Stranger");
  std::string pdf = sign_document(dir, unsigned_document(), stranger);
  auto verified = verify_pdf(bytes_of(pdf), verifier_for(pki().root));
  REQUIRE_FALSE(verified.has_value());
  CHECK(verified.error().kind == ErrorKind::refused);
}

TEST_CASE("a PDF revised after signing: the signature stands but does not cover the whole file", "[signing]") {
  TempDir dir;
  Document d = unsigned_document("adbe.pkcs7.detached");
  std::string pdf = sign_document(dir, d, pki().p256) + "% an incremental update after the signature\n";
  auto verified = verify_pdf(bytes_of(pdf), verifier_for(pki().root));
  if (!verified) FAIL(verified.error().line());
  REQUIRE(verified->size() == 1);
  CHECK_FALSE((*verified)[0].signature.covers_whole_file);
}

TEST_CASE("pdf_signatures refuses malformed signature dictionaries, naming what is wrong", "[signing]") {
  TempDir dir;
  const std::string good = sign_document(dir, unsigned_document(), pki().p256);
  auto refusal = [](const std::string& pdf) {
    auto r = pdf_signatures(bytes_of(pdf));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == ErrorKind::bad_input);
    return r.error().message;
  };
  auto with_range = [&](const std::string& range) {
    std::string pdf = good;
    std::size_t at = pdf.find("[0 ");
    pdf.replace(at, pdf.find(']', at) + 1 - at, range);
    return pdf;
  };
  CHECK_THAT(refusal(with_range("[0 12 x 4]")), Catch::Contains("four integers"));
  CHECK_THAT(refusal(with_range("[5 12 20 4]")), Catch::Contains("beginning of the file"));
  CHECK_THAT(refusal(with_range("[0 12 20 999999999]")), Catch::Contains("inside the file"));
  CHECK_THAT(refusal(with_range("[0 20 60 4]")), Catch::Contains("hex string"));

  std::string bad_digit = good;
  bad_digit[bad_digit.find("<30") + 1] = 'G';
  CHECK_THAT(refusal(bad_digit), Catch::Contains("not a hex digit"));

  std::string trailing = good;
  trailing[trailing.find("> /M") - 2] = '1';  // a non-zero byte in the padding
  CHECK_THAT(refusal(trailing), Catch::Contains("not padding"));

  Document sha1 = unsigned_document("adbe.pkcs7.sha1");
  CHECK_THAT(refusal(sha1.text), Catch::Contains("adbe.pkcs7.sha1"));
}

namespace {

// `pdf` with `count` more signature dictionaries that all name the /ByteRange of its first signature, appended as
// an incremental update: one object each, or all in one object with `one_object`.
std::string with_copies(const std::string& pdf, std::size_t count, bool one_object = false) {
  const std::size_t at = pdf.find("/ByteRange");
  const std::string range = pdf.substr(at, pdf.find(']', at) + 1 - at);
  std::string out = pdf;
  if (one_object) out += "90 0 obj\n<< /Type /Sig /SubFilter /adbe.pkcs7.detached";
  for (std::size_t i = 0; i < count; ++i) {
    if (one_object) out += " " + range;
    else out += fmt::format("{} 0 obj\n<< /Type /Sig /SubFilter /adbe.pkcs7.detached {} >>\nendobj\n", 100 + i, range);
  }
  if (one_object) out += " >>\nendobj\n";
  return out + "%%EOF\n";
}

}  // namespace

TEST_CASE("Signature dictionaries that repeat one /ByteRange are listed each but verified once", "[signing][pdf-limits]") {
  TempDir dir;
  const std::string signed_pdf = sign_document(dir, unsigned_document(), pki().p256);
  const Verifier verifier = verifier_for(pki().root);
  for (bool one_object : {false, true}) {
    INFO((one_object ? "in one object" : "one object each"));
    const std::string pdf = with_copies(signed_pdf, kMaxPdfSignatures - 1, one_object);
    auto found = pdf_signatures(bytes_of(pdf));
    if (!found) FAIL(found.error().line());
    REQUIRE(found->size() == kMaxPdfSignatures);
    for (const PdfSignature& s : *found) {
      CHECK(s.byte_range == (*found)[0].byte_range);
      CHECK(s.sub_filter == "adbe.pkcs7.detached");
      CHECK(s.cms == (*found)[0].cms);
    }
    const std::uint64_t before = Verifier::verifications_on_this_thread();
    auto verified = verify_pdf(bytes_of(pdf), verifier);
    if (!verified) FAIL(verified.error().line());
    CHECK(Verifier::verifications_on_this_thread() - before == 1);
    REQUIRE(verified->size() == kMaxPdfSignatures);
    for (const VerifiedPdfSignature& v : *verified) CHECK(v.verified.signer == sha256(pki().p256.certificate_der));
  }
}

TEST_CASE("A PDF with more signature dictionaries than the limit is refused before any is verified",
          "[signing][pdf-limits]") {
  TempDir dir;
  const std::string pdf = with_copies(sign_document(dir, unsigned_document(), pki().p256), 2000);
  const std::uint64_t before = Verifier::verifications_on_this_thread();
  auto verified = verify_pdf(bytes_of(pdf), verifier_for(pki().root));
  REQUIRE_FALSE(verified.has_value());
  CHECK(verified.error().kind == ErrorKind::bad_input);
  CHECK_THAT(verified.error().message, Catch::Contains("more than 64 signature dictionaries"));
  CHECK(Verifier::verifications_on_this_thread() == before);
}

TEST_CASE("A /Contents larger than the limit is refused, naming the signature", "[signing][pdf-limits]") {
  const std::size_t digits = 2 * (kMaxPdfContentsBytes + 1);
  std::string head = "%PDF-1.7\n1 0 obj\n<< /Type /Sig /SubFilter /adbe.pkcs7.detached /ByteRange "
                     "[0 0000000000 0000000000 0000000000] /Contents <";
  const std::size_t gap_begin = head.size() - 1;
  std::string pdf = head + std::string(digits, '0') + ">";
  const std::size_t gap_end = pdf.size();
  pdf += " >>\nendobj\n%%EOF\n";
  const std::string range = fmt::format("[0 {:010} {:010} {:010}]", gap_begin, gap_end, pdf.size() - gap_end);
  pdf.replace(pdf.find("[0 0000000000"), range.size(), range);
  auto found = pdf_signatures(bytes_of(pdf));
  REQUIRE_FALSE(found.has_value());
  CHECK_THAT(found.error().message, Catch::Contains("PDF signature 1"));
  CHECK_THAT(found.error().message, Catch::Contains("more than the limit of 1 MiB"));
}

}  // namespace antq::signing
