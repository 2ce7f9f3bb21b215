// Signed PDFs as attachments (issue 3): every signature inside an attached PDF is verified at admission against
// the trust store, recorded in `pdf_signatures`, and rechecked by verify. The PDFs come from tools/pdf-fixture.cpp,
// whose output poppler's pdfsig accepts (tests/tools/pdf_fixture_test.sh).
#include <catch2/catch.hpp>

#include "support.hpp"

namespace antq::ledger {
namespace {

using nlohmann::json;
using test::decision_with;
using test::Identity;
using test::require_ok;
using test::TestLedger;

// A PDF at `path` signed by each of `signers` in turn (incremental updates); `extra` goes to the tool as is.
void make_pdf(const std::filesystem::path& path, const std::vector<const Identity*>& signers, const std::string& extra = "") {
  std::string command = test::quote(std::filesystem::path(test::kPdfFixture)) + " " + test::quote(path) + " " + extra;
  for (const Identity* s : signers) command += " --signer " + test::quote(s->files.key) + ":" + test::quote(s->files.cert);
  std::string out;
  INFO(command << "\n" << out);
  REQUIRE(test::run(command, &out) == 0);
}

}  // namespace

TEST_CASE("A signed PDF attachment is verified at admission and its signatures are recorded", "[ledger]") {
  TestLedger t;
  const auto pdf = t.tmp / "decision.pdf";
  make_pdf(pdf, {&t.chair, &t.office});
  const Digest digest = sha256(as_bytes(test::read_file(pdf)));

  auto seqs = t.record(decision_with(pdf));
  if (!seqs) FAIL(seqs.error().line());
  auto records = t.ledger->pdf_signatures(digest);
  REQUIRE(records.size() == 2);
  CHECK(records[0].signer == t.chair.fingerprint);
  CHECK(records[1].signer == t.office.fingerprint);
  CHECK_FALSE(records[0].covers_whole_file);  // the office signed a later revision
  CHECK(records[1].covers_whole_file);
  CHECK(records[0].sub_filter == "adbe.pkcs7.detached");
  CHECK(records[1].algorithm.starts_with("RSA-PSS-2048"));
  CHECK(records[0].signing_time <= records[1].signing_time);

  auto report = t.verify();
  INFO((report.failures.empty() ? std::string() : report.failures.front().reason));
  CHECK(report.ok);

  // After reopening (the database is found again), the record is still there.
  t.reopen();
  CHECK(t.ledger->pdf_signatures(digest) == records);
}

TEST_CASE("A PDF attachment whose covered bytes changed is refused and nothing is written", "[ledger]") {
  TestLedger t;
  const auto pdf = t.tmp / "tampered.pdf";
  make_pdf(pdf, {&t.chair}, "--tamper");
  const std::string before = t.data_bytes();
  const auto size = t.ledger->size();
  auto r = t.record(decision_with(pdf));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind == ErrorKind::refused);
  CHECK(r.error().rule == "signature");
  CHECK_THAT(r.error().message, Catch::Contains("PDF signature 1"));
  CHECK(t.ledger->size() == size);
  CHECK(t.data_bytes() == before);
}

TEST_CASE("A PDF signed by a certificate outside the trust store is refused", "[ledger]") {
  TestLedger t;
  test::Pki other(t.tmp / "other-pki");
  Identity stranger = other.issue("stranger");
  const auto pdf = t.tmp / "stranger.pdf";
  make_pdf(pdf, {&stranger});
  auto r = t.record(decision_with(pdf));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().rule == "signature");
}

TEST_CASE("An unsigned attachment has no PDF signature record", "[ledger]") {
  TestLedger t;
  const auto file = t.tmp / "minutes.txt";
  test::write_file(file, "biên bản họp");
  json act = decision_with(file);
  act["attachments"][0]["media_type"] = "text/plain";
  require_ok(t.record(act));
  CHECK(t.ledger->pdf_signatures(sha256(as_bytes(test::read_file(file)))).empty());
  CHECK(t.verify().ok);
}

}  // namespace antq::ledger
