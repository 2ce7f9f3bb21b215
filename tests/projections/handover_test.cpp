// The hand-over of a unit's files (retention.md, "Archive hand-over and disposal"): the files whose work ended in
// the year, of a class handed over, go; those handed over already or under a hold stay, each with its reason.
#include "projections/handover.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "projections/admission.hpp"
#include "support.hpp"

namespace antq::projections {
namespace {

using nlohmann::json;
using test::make_act;
using test::TestLedger;

// An exemplar of the commune built over `year`, recognised in June (so the commune keeps its file) unless
// `recognize` is false, and ended on 30 November.
void exemplar(TestLedger& t, const std::string& id, int year, const std::string& holder, bool recognize = true) {
  auto day = [&](const char* md) { return fmt::format("{}-{}", year, md); };
  t.admit(make_act("exemplar.surveyed", id, day("01-10"), {{"holder", holder}, {"holder_kind", "collective"}, {"area", "xã"}}));
  t.admit(make_act("exemplar.criteria-set", id, day("01-20"),
                   {{"criteria", json::array({{{"id", "C1"}, {"text", "Tiêu chí 1"}}})}, {"scope", "single"}}));
  t.admit(make_act("exemplar.plan-issued", id, day("02-01")));
  t.admit(make_act("exemplar.evaluated", id, day("06-01"), {{"met", json::array({"C1"})}}));
  if (recognize) t.admit(make_act("exemplar.recognized", id, day("06-10"), {{"level", "commune"}}));
  t.admit(make_act("exemplar.ended", id, day("11-30"), {{"reason", "Hoàn thành"}}));
}

Handover handover(const TestLedger& t, int year, const std::string& on = "2026-12-15") {
  auto h = handover_of(*t.ledger, test::kCommune["unit"].get<std::string>(), year, on);
  if (!h) FAIL(h.error().line());
  REQUIRE(h->schedule);
  return *h;
}

std::vector<std::string> codes(const std::vector<HandoverFile>& files) {
  std::vector<std::string> out;
  for (const auto& f : files) out.push_back(f.file.subject + (f.reason.empty() ? "" : ":" + f.reason));
  return out;
}

TEST_CASE("A hand-over lists the unit's files that ended in the year, and says why the others stay", "[handover]") {
  TestLedger t;
  exemplar(t, "E-1", 2024, "Tổ <b>một</b>");
  exemplar(t, "E-2", 2024, "Tổ hai");
  exemplar(t, "E-3", 2023, "Tổ ba");
  exemplar(t, "E-4", 2024, "Tổ bốn", /*recognize=*/false);
  t.found("M-1", "2024-03-01", {{"name", "Tổ tự quản"}, {"type", "self-managed"}, {"teams", 2}});
  test::require_ok(t.append({test::sign(make_act("record.held", "ledger", "2025-03-01",
                                                 {{"targets", json::array({"E-2"})}, {"reason", "thanh tra"}}),
                                        t.admin)}));

  Handover h = handover(t, 2024);
  // E-4 ended without recognition: the unit of its first act keeps its file (retention.hpp, keeper_of).
  CHECK(codes(h.files) == std::vector<std::string>{"E-1", "E-4"});
  CHECK(codes(h.others) == std::vector<std::string>{"E-2:held"});
  CHECK(h.unkept.empty());
  CHECK(h.unit_files == 5);  // E-1, E-2, E-3, E-4 and the open M-1
  CHECK(h.others[0].file.holds.size() == 1);
  CHECK(h.holds.size() == 1);

  const HandoverFile& f = h.files[0];
  CHECK(f.title == "Hồ sơ điển hình Tổ <b>một</b>");  // escaping is the writer's business, once
  CHECK(f.first_date == "2024-01-10");
  CHECK(f.last_date == "2024-11-30");
  CHECK(f.acts == 6);
  CHECK(f.attachments == 0);
  CHECK(f.file.ended == std::optional<std::string>("2024-11-30"));
  CHECK(f.record.status == "handover-overdue");
  CHECK(f.record.due_kind == "handover");
  CHECK(f.record.due == std::optional<std::string>("2025-12-31"));

  // Judged on an earlier day, the hand-over is only due.
  CHECK(handover(t, 2024, "2025-12-05").files.at(0).record.status == "handover-due");
  CHECK(codes(handover(t, 2023).files) == std::vector<std::string>{"E-3"});
  CHECK(handover(t, 2022).files.empty());
}

TEST_CASE("A file handed over by archive.transferred leaves the hand-over, as transferred", "[handover]") {
  TestLedger t;
  exemplar(t, "E-1", 2024, "Tổ một");
  exemplar(t, "E-2", 2024, "Tổ hai");
  auto r = t.record(make_act("archive.transferred", "ledger", "2026-01-15",
                             {{"subjects", json::array({"E-1"})}, {"archive", "Lưu trữ cơ quan"}}));
  if (!r) FAIL(r.error().line());

  Handover h = handover(t, 2024);
  CHECK(codes(h.files) == std::vector<std::string>{"E-2"});
  CHECK(codes(h.others) == std::vector<std::string>{"E-1:transferred"});
  REQUIRE(h.others[0].file.transferred);
  CHECK(h.others[0].file.transferred->seq == r->at(0));
  CHECK(h.others[0].file.transferred->archive == "Lưu trữ cơ quan");
  // Before the transfer's date it still goes.
  CHECK(codes(handover(t, 2024, "2026-01-10").files) == std::vector<std::string>{"E-1", "E-2"});
}

}  // namespace
}  // namespace antq::projections
