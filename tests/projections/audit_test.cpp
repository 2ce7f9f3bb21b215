// Audit findings (domain.md §10, "Findings"): each one fires on the act or the lapse it describes, under the
// profile's numbers (Hòa Bình 000 §III.2.3 deadlines and bands, §III.3 Weak models, §IV exemplars; Kon Tum 002 §2
// for the 50%-of-points rule), and a lawful model raises none of them.
#include "projections/audit.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "projections/admission.hpp"
#include "support.hpp"

namespace antq::projections {
namespace {

using nlohmann::json;
using test::make_act;
using test::TestLedger;

// A model founded by the six baseline steps in January of `year`, established on 1 February and launched.
void found(TestLedger& t, const std::string& id, int year, const std::string& name = "Tổ tự quản",
           const std::string& area = "") {
  const auto& steps = test::kBaselineSteps;
  for (std::size_t i = 0; i < steps.size(); ++i)
    t.admit(make_act(steps[i], id, fmt::format("{}-01-{:02}", year, i + 1)));
  json data = {{"name", name}, {"type", "self-managed"}, {"teams", 2}};
  if (!area.empty()) data["area"] = area;
  t.admit(make_act("model.established", id, fmt::format("{}-02-01", year), data));
  t.admit(make_act("model.launched", id, fmt::format("{}-02-10", year)));
}

std::vector<Finding> findings(const TestLedger& t, const std::string& as_of, const std::string& subject) {
  auto all = audit(*t.ledger, as_of, AsOf{as_of, std::nullopt});
  if (!all) FAIL(all.error().line());
  std::vector<Finding> out;
  for (auto& f : *all)
    if (f.subject == subject) out.push_back(std::move(f));
  return out;
}

const Finding* find(const std::vector<Finding>& fs, const std::string& rule) {
  for (const auto& f : fs)
    if (f.rule == rule) return &f;
  return nullptr;
}

TEST_CASE("Late proposal, decision and forwarding, and a level outside its band (000 §III.2.2, §III.2.3)", "[audit]") {
  TestLedger t("hoa-binh-2023", "p256");
  found(t, "M-LATE", 2023);
  t.admit(make_act("model.rating-proposed", "M-LATE", "2024-11-06", {{"year", 2024}, {"level", "good"}}));
  t.admit(make_act("model.rated", "M-LATE", "2024-11-12", {{"year", 2024}, {"level", "good"}, {"targets_met_pct", 60}}));
  t.admit(make_act("model.rating-forwarded", "M-LATE", "2024-11-20", {{"year", 2024}, {"to", "Công an tỉnh"}}));
  found(t, "M-OK", 2023, "Camera an ninh");
  t.admit(make_act("model.rating-proposed", "M-OK", "2024-11-03", {{"year", 2024}, {"level", "fair"}}));
  t.admit(make_act("model.rated", "M-OK", "2024-11-08", {{"year", 2024}, {"level", "fair"}, {"targets_met_pct", 75}}));
  t.admit(make_act("model.rating-forwarded", "M-OK", "2024-11-12", {{"year", 2024}, {"to", "Công an tỉnh"}}));

  auto late = findings(t, "2024-12-31", "M-LATE");
  REQUIRE(find(late, "late-proposal"));
  CHECK_THAT(find(late, "late-proposal")->message, Catch::Contains("dated 2024-11-06; it was due before 2024-11-05"));
  REQUIRE(find(late, "late-decision"));
  CHECK(find(late, "late-decision")->date == "2024-11-12");
  REQUIRE(find(late, "late-forwarding"));
  CHECK_THAT(find(late, "late-forwarding")->message, Catch::Contains("2024-11-15"));
  REQUIRE(find(late, "level-mismatch"));
  CHECK_THAT(find(late, "level-mismatch")->message, Catch::Contains("rated good") && Catch::Contains("60% of its targets met is the average band"));
  auto ok = findings(t, "2024-12-31", "M-OK");
  for (const char* rule : {"late-proposal", "late-decision", "late-forwarding", "level-mismatch"}) {
    INFO(rule);
    CHECK_FALSE(find(ok, rule));
  }
  // --as-of before the acts: nothing late yet.
  CHECK_FALSE(find(findings(t, "2024-11-01", "M-LATE"), "late-decision"));
}

TEST_CASE("A Weak model kept going instead of ended, missing plans and reports, dossier gaps (000 §III.3, §VIII)", "[audit]") {
  TestLedger t("hoa-binh-2023", "p256");
  found(t, "M-WEAK", 2023);
  t.admit(make_act("model.plan-issued", "M-WEAK", "2023-11-20", {{"year", 2024}, {"targets", 10}}));
  t.admit(make_act("model.report-filed", "M-WEAK", "2024-05-10", {{"period", "2024-H1"}, {"targets_met", 2}}));
  t.admit(make_act("model.rated", "M-WEAK", "2024-11-08", {{"year", 2024}, {"level", "weak"}, {"targets_met_pct", 30}}));
  // 000 §III.3 sets no time limit: a year on, with nothing done for a later year, there is no finding yet.
  CHECK_FALSE(find(findings(t, "2025-12-31", "M-WEAK"), "weak-not-terminated"));
  // A half-year report for 2025 shows the Weak model kept going, not ended.
  const auto report = t.record(make_act("model.report-filed", "M-WEAK", "2025-05-10", {{"period", "2025-H1"}, {"targets_met", 1}}),
                               is_decision_act("model.report-filed"));
  REQUIRE(report);
  auto later = findings(t, "2025-11-20", "M-WEAK");
  REQUIRE(find(later, "weak-not-terminated"));
  CHECK(find(later, "weak-not-terminated")->date == "2025-05-10");
  CHECK(find(later, "weak-not-terminated")->documents.back() == report->front());
  CHECK_THAT(find(later, "weak-not-terminated")->message,
             Catch::Contains("rated weak for 2024") && Catch::Contains("model.report-filed for 2025"));
  // No plan for evaluation year 2025 (it opened 2024-11-01): missing once that year has ended (no seed gives a day).
  CHECK_FALSE(find(findings(t, "2025-10-31", "M-WEAK"), "missing-plan"));
  REQUIRE(find(later, "missing-plan"));
  CHECK(find(later, "missing-plan")->date == "2025-11-01");
  CHECK_THAT(find(later, "missing-plan")->message, Catch::Contains("evaluation year 2025") && Catch::Contains("due before 2025-11-01"));
  // The yearly report of 2024 was never filed (due before 15 Nov); the half-year report of 2024 was.
  bool yearly_2024 = false, h1_2024 = false;
  for (const auto& f : later) {
    if (f.rule != "missing-report") continue;
    yearly_2024 = yearly_2024 || f.message.find("period 2024)") != std::string::npos;
    h1_2024 = h1_2024 || f.message.find("period 2024-H1") != std::string::npos;
  }
  CHECK(yearly_2024);
  CHECK_FALSE(h1_2024);
  REQUIRE(find(later, "dossier-incomplete"));
  CHECK_THAT(find(later, "dossier-incomplete")->message, Catch::Contains("lacks item(s) 7"));
}

TEST_CASE("Exemplars evaluated late or kept below the threshold, duplicate models (000 §IV.1.3, §IV.3, §III.1)", "[audit]") {
  TestLedger t("hoa-binh-2023", "p256");
  const json criteria = {{"criteria", {{{"id", "C1"}, {"text", "a"}}, {{"id", "C2"}, {"text", "b"}}, {{"id", "C3"}, {"text", "c"}}}}};
  for (const char* id : {"E-LATE", "E-LOW"}) {
    t.admit(make_act("exemplar.surveyed", id, "2023-02-01", {{"holder", "Nguyễn Văn An"}}));
    t.admit(make_act("exemplar.criteria-set", id, "2023-02-10", criteria));
    t.admit(make_act("exemplar.plan-issued", id, "2023-03-01"));
  }
  t.admit(make_act("exemplar.evaluated", "E-LATE", "2024-04-01", {{"met", {"C1", "C2", "C3"}}}));
  t.admit(make_act("exemplar.evaluated", "E-LOW", "2024-01-15", {{"met", {"C1", "C2", "C3"}}}));
  t.admit(make_act("exemplar.recognized", "E-LOW", "2024-02-01", {{"level", "commune"}}));
  t.admit(make_act("exemplar.evaluated", "E-LOW", "2025-01-15", {{"met", json::array({"C1"})}}));
  found(t, "D-1", 2023, "Tổ tự quản bến đò", "Bến đò Tân Lập");
  found(t, "D-2", 2024, "Tổ tự quản bến đò", "Bến đò Tân Lập");

  auto late = findings(t, "2025-02-01", "E-LATE");
  REQUIRE(find(late, "exemplar-late-evaluation"));
  CHECK_THAT(find(late, "exemplar-late-evaluation")->message, Catch::Contains("first evaluated 2024-04-01, more than 12 months after its build plan of 2023-03-01"));
  CHECK_FALSE(find(findings(t, "2025-02-01", "E-LOW"), "exemplar-late-evaluation"));
  auto low = findings(t, "2025-02-01", "E-LOW");
  REQUIRE(find(low, "exemplar-below-threshold"));
  CHECK_THAT(find(low, "exemplar-below-threshold")->message, Catch::Contains("met 1 of its 3 criteria (33%)"));
  auto dup = findings(t, "2025-02-01", "D-2");
  REQUIRE(find(dup, "duplicate-model"));
  CHECK_THAT(find(dup, "duplicate-model")->message, Catch::Contains("D-1 and D-2"));
  CHECK_FALSE(find(findings(t, "2025-02-01", "D-1"), "duplicate-model"));
}

// A model founded by the baseline steps with `data` on its establishment (name, type, area, implementer...).
void found_with(TestLedger& t, const std::string& id, int year, json data) {
  const auto& steps = test::kBaselineSteps;
  for (std::size_t i = 0; i < steps.size(); ++i)
    t.admit(make_act(steps[i], id, fmt::format("{}-01-{:02}", year, i + 1)));
  data["teams"] = 1;
  t.admit(make_act("model.established", id, fmt::format("{}-02-01", year), data));
}

TEST_CASE("duplicate-model: one implementer under different names in one area, linked models never (000 §III.1, §III.3)", "[audit]") {
  TestLedger t("hoa-binh-2023", "p256");
  // 000 §III.3's example: "Tổ tự quản về an ninh, trật tự" and "Tổ dân phòng" with the same people, on one hamlet.
  const std::string area = "Xóm Đồng Bến";
  found_with(t, "TQ", 2023, {{"name", "Tổ tự quản về an ninh, trật tự"}, {"type", "self-managed"}, {"area", area},
                             {"implementer", "Tổ dân cư xóm Đồng Bến"}});
  found_with(t, "DP", 2024, {{"name", "Tổ dân phòng"}, {"type", "self-managed"}, {"area", "xóm đồng bến"},
                             {"implementer", "TỔ DÂN CƯ XÓM ĐỒNG BẾN"}});
  // The same name but another implementer: not one model twice.
  found_with(t, "TQ2", 2024, {{"name", "Tổ tự quản về an ninh, trật tự"}, {"type", "self-managed"}, {"area", area},
                              {"implementer", "Chi hội Cựu chiến binh xóm Đồng Bến"}});
  // Linked models (mô hình liên kết, phối hợp) are never merge candidates, whatever their names.
  found_with(t, "LK1", 2023, {{"name", "Cụm an ninh liên hoàn"}, {"type", "linked"}, {"area", area}});
  found_with(t, "LK2", 2024, {{"name", "Cụm an ninh liên hoàn"}, {"type", "linked"}, {"area", area}});
  // A model naming no implementer is compared by name key: Hòa Bình's abbreviations expand ANTT (000 §III.1).
  found_with(t, "N1", 2024, {{"name", "Tổ tự quản về ANTT"}, {"type", "self-managed"}, {"area", area}});

  auto dp = findings(t, "2025-02-01", "DP");
  REQUIRE(find(dp, "duplicate-model"));
  CHECK_THAT(find(dp, "duplicate-model")->message,
             Catch::Contains("TQ (\"Tổ tự quản về an ninh, trật tự\") and DP (\"Tổ dân phòng\")") &&
                 Catch::Contains("the same implementer under different names"));
  CHECK_FALSE(find(findings(t, "2025-02-01", "TQ"), "duplicate-model"));
  CHECK_FALSE(find(findings(t, "2025-02-01", "TQ2"), "duplicate-model"));
  CHECK_FALSE(find(findings(t, "2025-02-01", "LK2"), "duplicate-model"));
  auto n1 = findings(t, "2025-02-01", "N1");
  REQUIRE(find(n1, "duplicate-model"));
  CHECK_THAT(find(n1, "duplicate-model")->message, Catch::Contains("TQ and N1"));
}

TEST_CASE("exemplar-common-criteria: recognised without every common criterion, or claiming an unbacked commendation (000 §IV.1.3)", "[audit]") {
  TestLedger t("hoa-binh-2023", "p256");
  const json criteria = {{"criteria", {{{"id", "C1"}, {"text", "a"}}, {{"id", "C2"}, {"text", "b"}}}}};
  for (const char* id : {"E-MISS", "E-CLAIM", "E-OK"}) {
    t.admit(make_act("exemplar.surveyed", id, "2023-02-01", {{"holder", "Nguyễn Văn An"}}));
    t.admit(make_act("exemplar.criteria-set", id, "2023-02-10", criteria));
    t.admit(make_act("exemplar.plan-issued", id, "2023-03-01"));
  }
  const json four = {"C1", "C2", "EX.C1", "EX.C2", "EX.C3", "EX.C5"};
  const json five = {"C1", "C2", "EX.C1", "EX.C2", "EX.C3", "EX.C4", "EX.C5"};
  // The common ids may be listed as met besides the exemplar's own (format 2).
  t.admit(make_act("exemplar.evaluated", "E-MISS", "2024-01-15", {{"met", four}}));
  t.admit(make_act("exemplar.recognized", "E-MISS", "2024-02-01", {{"level", "commune"}}));
  t.admit(make_act("exemplar.evaluated", "E-CLAIM", "2024-01-15", {{"met", five}}));
  t.admit(make_act("exemplar.recognized", "E-CLAIM", "2024-02-01", {{"level", "commune"}}));
  t.admit(make_act("commendation.awarded", "E-OK", "2023-12-01",
                   {{"form", "giay-khen"}, {"level", "commune"}, {"to", "exemplar"}, {"year", 2023}}));
  t.admit(make_act("exemplar.evaluated", "E-OK", "2024-01-15", {{"met", five}}));
  t.admit(make_act("exemplar.recognized", "E-OK", "2024-02-01", {{"level", "commune"}}));
  // A commendation after the building year does not back the claim.
  t.admit(make_act("commendation.awarded", "E-CLAIM", "2024-06-01",
                   {{"form", "giay-khen"}, {"level", "commune"}, {"to", "exemplar"}, {"year", 2024}}));

  auto miss = findings(t, "2024-12-31", "E-MISS");
  REQUIRE(find(miss, "exemplar-common-criteria"));
  CHECK(find(miss, "exemplar-common-criteria")->date == "2024-02-01");
  CHECK_THAT(find(miss, "exemplar-common-criteria")->message,
             Catch::Contains("EX.C4 (được khen thưởng trong năm xây dựng điển hình)") && !Catch::Contains("EX.C1"));
  auto claim = findings(t, "2024-12-31", "E-CLAIM");
  REQUIRE(find(claim, "exemplar-common-criteria"));
  CHECK_THAT(find(claim, "exemplar-common-criteria")->message,
             Catch::Contains("claiming EX.C4") && Catch::Contains("no commendation.awarded"));
  CHECK_FALSE(find(findings(t, "2024-12-31", "E-OK"), "exemplar-common-criteria"));
  // The own criteria alone make the share: 2 of 2, not over 100%.
  CHECK_FALSE(find(findings(t, "2024-12-31", "E-OK"), "exemplar-below-threshold"));
  CHECK(t.verify().ok);
}

TEST_CASE("Kon Tum: a replicated model whose points are mostly ineffective (002 §2: 50% of the points)", "[audit]") {
  TestLedger t("kon-tum-2022", "p256");
  found(t, "O", 2023);
  t.admit(make_act("model.rated", "O", "2024-11-08", {{"year", 2024}, {"level", "good"}, {"targets_met_pct", 95}}));
  t.admit(make_act("model.replicated", "O", "2024-11-20", {{"areas", {"Thôn A", "Thôn B"}}}));
  const auto& steps = test::kBaselineSteps;
  for (const char* p : {"O/P001", "O/P002"}) {
    for (std::size_t i = 0; i < steps.size(); ++i) t.admit(make_act(steps[i], p, fmt::format("2024-12-{:02}", i + 1)));
    t.admit(make_act("model.established", p, "2025-01-01", {{"name", "Tổ tự quản"}, {"type", "self-managed"}, {"teams", 1}}));
  }
  t.admit(make_act("model.rated", "O/P001", "2025-11-08", {{"year", 2025}, {"level", "average"}, {"targets_met_pct", 55}}));
  t.admit(make_act("model.rated", "O/P002", "2025-11-08", {{"year", 2025}, {"level", "fair"}, {"targets_met_pct", 75}}));
  // 1 of 2 is effective: 50% is not under 50%.
  CHECK_FALSE(find(findings(t, "2025-12-31", "O"), "replication-ineffective"));
  t.admit(make_act("model.rated", "O/P001", "2026-11-08", {{"year", 2026}, {"level", "weak"}, {"targets_met_pct", 20}}));
  t.admit(make_act("model.rated", "O/P002", "2026-11-08", {{"year", 2026}, {"level", "average"}, {"targets_met_pct", 60}}));
  auto f = findings(t, "2026-12-31", "O");
  REQUIRE(find(f, "replication-ineffective"));
  CHECK_THAT(find(f, "replication-ineffective")->message, Catch::Contains("0 of its 2 points counted for 2026"));
  CHECK(t.verify().ok);
}

TEST_CASE("Kon Tum: the 50% is of all the model's points open and eligible in the year, rated or not (002 §1.c)", "[audit]") {
  TestLedger t("kon-tum-2022", "p256");
  found(t, "O", 2023);
  t.admit(make_act("model.rated", "O", "2024-11-08", {{"year", 2024}, {"level", "good"}, {"targets_met_pct", 95}}));
  t.admit(make_act("model.replicated", "O", "2024-11-20", {{"areas", {"Thôn A", "Thôn B", "Thôn C"}}}));
  const auto& steps = test::kBaselineSteps;
  for (const char* p : {"O/P001", "O/P002", "O/P003"}) {
    for (std::size_t i = 0; i < steps.size(); ++i) t.admit(make_act(steps[i], p, fmt::format("2024-12-{:02}", i + 1)));
    t.admit(make_act("model.established", p, "2025-01-01", {{"name", "Tổ tự quản"}, {"type", "self-managed"}, {"teams", 1}}));
  }
  // Two rated, one of them effective; the third was never rated though it had operated 10 months by 31 October.
  t.admit(make_act("model.rated", "O/P001", "2025-11-08", {{"year", 2025}, {"level", "average"}, {"targets_met_pct", 55}}));
  t.admit(make_act("model.rated", "O/P002", "2025-11-08", {{"year", 2025}, {"level", "fair"}, {"targets_met_pct", 75}}));
  auto f = findings(t, "2025-12-31", "O");
  REQUIRE(find(f, "replication-ineffective"));
  CHECK_THAT(find(f, "replication-ineffective")->message,
             Catch::Contains("1 of its 3 points counted for 2025") && Catch::Contains("(2 rated)"));
}

}  // namespace
}  // namespace antq::projections
