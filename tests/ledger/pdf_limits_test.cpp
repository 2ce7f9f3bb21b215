// A signed PDF built to make admission and every verify slow (issue 18 point 5): many signature dictionaries that
// all name one signature are admitted and recorded each, and rechecked by verify; more than the limit is refused
// and nothing is written. (That such dictionaries cost one CMS verification: tests/signing/pdf_test.cpp.)
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "support.hpp"

namespace antq::ledger {
namespace {

using nlohmann::json;
using test::decision_with;

// A PDF signed by `signer` (antq-pdf-fixture), then `copies` more signature dictionaries naming the /ByteRange of
// its signature, appended as an incremental update.
std::filesystem::path pdf_with_copies(const test::TestLedger& t, const test::Identity& signer, std::size_t copies) {
  const auto path = t.tmp / fmt::format("copies-{}.pdf", copies);
  std::string out;
  const std::string command = test::quote(std::filesystem::path(test::kPdfFixture)) + " " + test::quote(path) +
                              " --signer " + test::quote(signer.files.key) + ":" + test::quote(signer.files.cert);
  INFO(command << "\n" << out);
  REQUIRE(test::run(command, &out) == 0);
  std::string pdf = test::read_file(path);
  const std::size_t at = pdf.find("/ByteRange");
  const std::string range = pdf.substr(at, pdf.find(']', at) + 1 - at);
  for (std::size_t i = 0; i < copies; ++i)
    pdf += fmt::format("{} 0 obj\n<< /Type /Sig /SubFilter /adbe.pkcs7.detached {} >>\nendobj\n", 1000 + i, range);
  test::write_file(path, pdf + "%%EOF\n");
  return path;
}

}  // namespace

TEST_CASE("Signature dictionaries repeating one signature are admitted, recorded each and verified again",
          "[ledger][pdf-limits]") {
  test::TestLedger t;
  const auto pdf = pdf_with_copies(t, t.chair, signing::kMaxPdfSignatures - 1);
  test::require_ok(t.record(decision_with(pdf)));
  const auto records = t.ledger->pdf_signatures(sha256(as_bytes(test::read_file(pdf))));
  REQUIRE(records.size() == signing::kMaxPdfSignatures);
  for (const auto& r : records) {
    CHECK(r.byte_range == records[0].byte_range);
    CHECK(r.signer == t.chair.fingerprint);
    CHECK_FALSE(r.covers_whole_file);
  }
  auto report = t.verify();
  INFO((report.failures.empty() ? std::string() : report.failures.front().reason));
  CHECK(report.ok);
}

TEST_CASE("A PDF with 2,001 signature dictionaries is refused at admission and nothing is written",
          "[ledger][pdf-limits]") {
  test::TestLedger t;
  const auto pdf = pdf_with_copies(t, t.chair, 2000);
  const std::string before = t.data_bytes();
  auto r = t.record(decision_with(pdf));
  REQUIRE_FALSE(r);
  CHECK(r.error().rule == "signature");
  CHECK_THAT(r.error().message, Catch::Contains("more than 64 signature dictionaries"));
  CHECK(t.data_bytes() == before);
}

}  // namespace antq::ledger
