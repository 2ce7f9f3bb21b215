// Audit findings (domain.md §10, "Findings"): each one fires on the act or the lapse it describes, under the
// profile's numbers (Hòa Bình 000 §III.2.3 deadlines and bands, §III.3 Weak models, §IV exemplars; Kon Tum 002 §2
// for the 50%-of-points rule), and a lawful model raises none of them.
#include "projections/audit.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "projections/admission.hpp"
#include "projections/report.hpp"
#include "bac_giang_units.hpp"
#include "support.hpp"

namespace antq::projections {
namespace {

using nlohmann::json;
using test::make_act;
using test::TestLedger;

// A model founded by the six baseline steps in January of `year`, established on 1 February and launched.
void found_in_year(TestLedger& t, const std::string& id, int year, const std::string& name = "Tổ tự quản",
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
  found_in_year(t, "M-LATE", 2023);
  t.admit(make_act("model.rating-proposed", "M-LATE", "2024-11-06", {{"year", 2024}, {"level", "good"}}));
  t.admit(make_act("model.rated", "M-LATE", "2024-11-12", {{"year", 2024}, {"level", "good"}, {"targets_met_pct", 60}}));
  t.admit(make_act("model.rating-forwarded", "M-LATE", "2024-11-20", {{"year", 2024}, {"to", "Công an tỉnh"}}));
  found_in_year(t, "M-OK", 2023, "Camera an ninh");
  t.admit(make_act("model.rating-proposed", "M-OK", "2024-11-03", {{"year", 2024}, {"level", "fair"}}));
  t.admit(make_act("model.rated", "M-OK", "2024-11-08", {{"year", 2024}, {"level", "fair"}, {"targets_met_pct", 75}}));
  t.admit(make_act("model.rating-forwarded", "M-OK", "2024-11-12", {{"year", 2024}, {"to", "Công an tỉnh"}}));

  auto late = findings(t, "2024-12-31", "M-LATE");
  REQUIRE(find(late, "late-proposal"));
  CHECK_THAT(find(late, "late-proposal")->message.str(),
             Catch::Contains("dated 2024-11-06; it was due before 2024-11-05"));
  REQUIRE(find(late, "late-decision"));
  CHECK(find(late, "late-decision")->date == "2024-11-12");
  REQUIRE(find(late, "late-forwarding"));
  CHECK_THAT(find(late, "late-forwarding")->message.str(), Catch::Contains("2024-11-15"));
  REQUIRE(find(late, "level-mismatch"));
  CHECK_THAT(find(late, "level-mismatch")->message.str(),
             Catch::Contains("rated good") && Catch::Contains("60% of its targets met is the average band"));
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
  found_in_year(t, "M-WEAK", 2023);
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
  CHECK_THAT(find(later, "weak-not-terminated")->message.str(),
             Catch::Contains("rated weak for 2024") && Catch::Contains("model.report-filed for 2025"));
  // No plan for evaluation year 2025 (it opened 2024-11-01): missing once that year has ended (no seed gives a day).
  CHECK_FALSE(find(findings(t, "2025-10-31", "M-WEAK"), "missing-plan"));
  REQUIRE(find(later, "missing-plan"));
  CHECK(find(later, "missing-plan")->date == "2025-11-01");
  CHECK_THAT(find(later, "missing-plan")->message.str(),
             Catch::Contains("evaluation year 2025") && Catch::Contains("due before 2025-11-01"));
  // The yearly report of 2024 was never filed (due before 15 Nov); the half-year report of 2024 was.
  bool yearly_2024 = false, h1_2024 = false;
  for (const auto& f : later) {
    if (f.rule != "missing-report") continue;
    yearly_2024 = yearly_2024 || f.message.str().find("period 2024)") != std::string::npos;
    h1_2024 = h1_2024 || f.message.str().find("period 2024-H1") != std::string::npos;
  }
  CHECK(yearly_2024);
  CHECK_FALSE(h1_2024);
  REQUIRE(find(later, "dossier-incomplete"));
  CHECK_THAT(find(later, "dossier-incomplete")->message.str(), Catch::Contains("lacks item(s) 7"));
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
  found_in_year(t, "D-1", 2023, "Tổ tự quản bến đò", "Bến đò Tân Lập");
  found_in_year(t, "D-2", 2024, "Tổ tự quản bến đò", "Bến đò Tân Lập");

  auto late = findings(t, "2025-02-01", "E-LATE");
  REQUIRE(find(late, "exemplar-late-evaluation"));
  CHECK_THAT(find(late, "exemplar-late-evaluation")->message.str(),
             Catch::Contains("first evaluated 2024-04-01, more than 12 months after its build plan of 2023-03-01"));
  CHECK_FALSE(find(findings(t, "2025-02-01", "E-LOW"), "exemplar-late-evaluation"));
  auto low = findings(t, "2025-02-01", "E-LOW");
  REQUIRE(find(low, "exemplar-below-threshold"));
  CHECK_THAT(find(low, "exemplar-below-threshold")->message.str(), Catch::Contains("met 1 of its 3 criteria (33%)"));
  auto dup = findings(t, "2025-02-01", "D-2");
  REQUIRE(find(dup, "duplicate-model"));
  CHECK_THAT(find(dup, "duplicate-model")->message.str(), Catch::Contains("D-1 and D-2"));
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
  CHECK_THAT(find(dp, "duplicate-model")->message.str(),
             Catch::Contains("TQ (“Tổ tự quản về an ninh, trật tự”) and DP (“Tổ dân phòng”)") &&
                 Catch::Contains("the same implementer under different names"));
  CHECK_FALSE(find(findings(t, "2025-02-01", "TQ"), "duplicate-model"));
  CHECK_FALSE(find(findings(t, "2025-02-01", "TQ2"), "duplicate-model"));
  CHECK_FALSE(find(findings(t, "2025-02-01", "LK2"), "duplicate-model"));
  auto n1 = findings(t, "2025-02-01", "N1");
  REQUIRE(find(n1, "duplicate-model"));
  CHECK_THAT(find(n1, "duplicate-model")->message.str(), Catch::Contains("TQ and N1"));
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
  CHECK_THAT(find(miss, "exemplar-common-criteria")->message.str(),
             Catch::Contains("EX.C4 (được khen thưởng trong năm xây dựng điển hình)") && !Catch::Contains("EX.C1"));
  auto claim = findings(t, "2024-12-31", "E-CLAIM");
  REQUIRE(find(claim, "exemplar-common-criteria"));
  CHECK_THAT(find(claim, "exemplar-common-criteria")->message.str(),
             Catch::Contains("claiming EX.C4") && Catch::Contains("no commendation.awarded"));
  CHECK_FALSE(find(findings(t, "2024-12-31", "E-OK"), "exemplar-common-criteria"));
  // The own criteria alone make the share: 2 of 2, not over 100%.
  CHECK_FALSE(find(findings(t, "2024-12-31", "E-OK"), "exemplar-below-threshold"));
  CHECK(t.verify().ok);
}

TEST_CASE("Kon Tum: a replicated model whose points are mostly ineffective (002 §2: 50% of the points)", "[audit]") {
  TestLedger t("kon-tum-2022", "p256");
  found_in_year(t, "O", 2023);
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
  CHECK_THAT(find(f, "replication-ineffective")->message.str(), Catch::Contains("0 of its 2 points counted for 2026"));
  CHECK(t.verify().ok);
}

TEST_CASE("Kon Tum: the 50% is of all the model's points open and eligible in the year, rated or not (002 §1.c)", "[audit]") {
  TestLedger t("kon-tum-2022", "p256");
  found_in_year(t, "O", 2023);
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
  CHECK_THAT(find(f, "replication-ineffective")->message.str(),
             Catch::Contains("1 of its 3 points counted for 2025") && Catch::Contains("(2 rated)"));
}

// Every finding of `rule` about `subject` as of `as_of`: their messages.
std::vector<std::string> messages(const TestLedger& t, const std::string& as_of, const std::string& subject,
                                  const std::string& rule) {
  std::vector<std::string> out;
  for (const auto& f : findings(t, as_of, subject))
    if (f.rule == rule) out.push_back(f.date + " " + f.message.str());
  return out;
}

// Those of `messages` about the report of `period` ("2024", "2024-H1").
std::vector<std::string> of_period(const std::vector<std::string>& messages, const std::string& period) {
  std::vector<std::string> out;
  for (const auto& m : messages)
    if (m.find("period " + period + ")") != std::string::npos) out.push_back(m);
  return out;
}

TEST_CASE("A model's own deadlines (000 §III.2.3): its yearly report before 5 November, the rating before 10, the "
          "forwarding before 15 — not the units' 15/5 and 15/11 (000 §VIII.1)", "[audit]") {
  TestLedger t("hoa-binh-2023", "p256");
  found_in_year(t, "M-1",
                2023);  // established 2023-02-01: 9 months by 2023-11-10, not eligible for 2023 (000 §III.2.1)
  found_in_year(t, "M-2", 2023, "Camera an ninh");
  t.admit(make_act("model.report-filed", "M-1", "2024-11-04", {{"period", "2024"}, {"targets_met", 4}}));
  t.admit(make_act("model.report-filed", "M-2", "2024-11-05", {{"period", "2024"}, {"targets_met", 4}}));
  t.admit(make_act("model.rated", "M-2", "2024-11-09", {{"year", 2024}, {"level", "good"}, {"targets_met_pct", 95}}));

  // missing-report: the report dated 11-04 is in time; the one of 11-05 is not, from 11-05 on.
  CHECK(of_period(messages(t, "2024-11-04", "M-2", "missing-report"), "2024").empty());
  auto m2 = of_period(messages(t, "2024-11-05", "M-2", "missing-report"), "2024");
  REQUIRE(m2.size() == 1);
  CHECK_THAT(m2[0], Catch::StartsWith("2024-11-05 M-2 has no yearly report (model.report-filed, period 2024) dated before 2024-11-05"));
  CHECK(of_period(messages(t, "2024-12-31", "M-1", "missing-report"), "2024").empty());
  // A model's half-year report has no day in the sources: no finding for 2024-H1, nor the units' 15 May.
  for (const auto& m : messages(t, "2024-12-31", "M-2", "missing-report")) CHECK(m.find("2024-H1") == std::string::npos);

  // missing-rating: M-1 has none for 2024, found from 11-10 (not on 11-09); none for 2023 (not yet eligible).
  CHECK(messages(t, "2024-11-09", "M-1", "missing-rating").empty());
  auto r1 = messages(t, "2024-11-10", "M-1", "missing-rating");
  REQUIRE(r1.size() == 1);
  CHECK_THAT(r1[0], Catch::StartsWith("2024-11-10 M-1 was established 2023-02-01 and has no rating decision (model.rated) "
                                      "for 2024, due before 2024-11-10 (hoa-binh-2023)"));
  CHECK(messages(t, "2024-11-10", "M-2", "missing-rating").empty());
  // M-2's rating decided 11-09 was never sent on: found from 11-15 (not on 11-14).
  CHECK(messages(t, "2024-11-14", "M-2", "missing-forwarding").empty());
  auto f2 = messages(t, "2024-11-15", "M-2", "missing-forwarding");
  REQUIRE(f2.size() == 1);
  CHECK_THAT(f2[0], Catch::Contains("M-2 was rated good for 2024 (decision of 2024-11-09") &&
                        Catch::Contains("never sent on (model.rating-forwarded), due before 2024-11-15"));
  t.admit(make_act("model.rating-forwarded", "M-2", "2024-11-20", {{"year", 2024}, {"to", "Công an tỉnh"}}));
  CHECK(messages(t, "2024-12-31", "M-2", "missing-forwarding").empty());
  CHECK(messages(t, "2024-12-31", "M-2", "late-forwarding").size() == 1);
  // A model terminated before the day owes no rating.
  t.admit(make_act("model.termination-reported", "M-1", "2025-03-01"));
  t.admit(make_act("model.termination-consulted", "M-1", "2025-03-05"));
  t.admit(make_act("model.terminated", "M-1", "2025-03-10"));
  auto later = messages(t, "2025-12-31", "M-1", "missing-rating");
  CHECK(later.size() == 1);  // 2024's only
}

TEST_CASE("Kon Tum: a model's report before 5 November, the units' 10 November is not a model's (002 §1.d)", "[audit]") {
  TestLedger t("kon-tum-2022", "p256");
  found_in_year(t, "K-1", 2023);
  t.admit(make_act("model.report-filed", "K-1", "2024-11-07", {{"period", "2024"}, {"targets_met", 4}}));
  auto m = of_period(messages(t, "2024-12-31", "K-1", "missing-report"), "2024");
  REQUIRE(m.size() == 1);
  CHECK_THAT(m[0], Catch::Contains("dated before 2024-11-05 (kon-tum-2022)"));
}

TEST_CASE("Format 1: a ledger that stored the format-1 file keeps its deadlines and has no missing-rating", "[audit]") {
  TestLedger t("hoa-binh-2023", "p256", test::StoredProfile::format1);
  found_in_year(t, "M-1", 2023);
  t.admit(make_act("model.report-filed", "M-1", "2024-11-07", {{"period", "2024"}, {"targets_met", 4}}));
  // As before: the half-year report due before 15 May, the yearly one before 15 November (the units' days).
  CHECK(of_period(messages(t, "2024-12-31", "M-1", "missing-report"), "2024-H1").size() == 1);
  CHECK(of_period(messages(t, "2024-12-31", "M-1", "missing-report"), "2024").empty());
  CHECK(messages(t, "2024-12-31", "M-1", "missing-rating").empty());
  CHECK(messages(t, "2024-12-31", "M-1", "missing-forwarding").empty());
}

// A Bắc Giang self-managed model founded on `founded` with its whole dossier and the plan and report of `year`.
void found_bac_giang(TestLedger& t, const std::string& id, const std::string& founded, int year) {
  t.admit(make_act("model.proposed", id, founded, {{"name", "Tổ tự quản"}, {"type", "self-managed"}}));
  t.admit(make_act("model.consulted", id, founded));
  t.admit(make_act("model.established", id, founded, {{"name", "Tổ tự quản"}, {"type", "self-managed"}, {"teams", 2}}));
  for (const char* k : {"model.policy-issued", "model.implementation-issued", "model.launched"}) t.admit(make_act(k, id, founded));
  t.admit(make_act("model.regulations-issued", id, founded, {{"covers", {"model"}}, {"security_content", true}}));
  t.admit(make_act("model.plan-issued", id, founded, {{"year", year}, {"targets", 5}}));
  t.admit(make_act("model.report-filed", id, fmt::format("{}-11-01", year), {{"period", std::to_string(year)}, {"targets_met", 5}}));
}

TEST_CASE("Bắc Giang: a Good model must be announced for replication (004 §III.2), the yearly review before 10 November", "[audit]") {
  TestLedger t("bac-giang-2020", "p256");
  // The commune's steering committee rates (rule rater, 004 §III.2).
  const auto committee = test::commune_committee(t);
  auto rate = [&](const json& act) { REQUIRE(t.record(committee, act)); };
  const std::vector<std::string> good = {"BG.G.SM1", "BG.G.SM2", "BG.G.SM3", "BG.G.SM4", "BG.G.SM5"};
  found_bac_giang(t, "G-1", "2024-01-10", 2024);
  found_bac_giang(t, "G-2", "2024-01-10", 2024);
  // G-1: Good by a commendation (BG.G.X2), never announced; G-2: Good by an announcement (BG.G.X1).
  t.admit(make_act("commendation.awarded", "G-1", "2024-11-02", {{"form", "giay-khen"}, {"level", "district"}, {"to", "model"}}));
  json g1 = {{"year", 2024}, {"level", "good"}, {"criteria", good}};
  g1["criteria"].push_back("BG.G.X2");
  rate(make_act("model.rated", "G-1", "2024-11-08", g1, test::kCommuneCommittee));
  t.admit(make_act("model.announced", "G-2", "2024-11-02", {{"scope", "district"}}));
  json g2 = {{"year", 2024}, {"level", "good"}, {"criteria", good}};
  g2["criteria"].push_back("BG.G.X1");
  rate(make_act("model.rated", "G-2", "2024-11-08", g2, test::kCommuneCommittee));

  CHECK(messages(t, "2025-11-09", "G-1", "good-not-announced").empty());
  auto g = messages(t, "2025-11-10", "G-1", "good-not-announced");
  REQUIRE(g.size() == 1);
  CHECK_THAT(g[0], Catch::StartsWith("2025-11-10 G-1 was rated good for 2024 (decision of 2024-11-08") &&
                       Catch::Contains("not announced for dissemination and replication (model.announced) from "
                                       "2023-11-08 to before 2025-11-10 (bac-giang-2020)"));
  CHECK(messages(t, "2025-11-10", "G-2", "good-not-announced").empty());
  // 004 rates in the yearly review reported before 10/11: a model with no rating of 2025 by then is found.
  CHECK(messages(t, "2025-11-09", "G-2", "missing-rating").empty());
  CHECK(messages(t, "2025-11-10", "G-2", "missing-rating").size() == 1);
  // No model report deadline nor forwarding day in 004: none of those findings.
  CHECK(messages(t, "2025-12-31", "G-2", "missing-report").empty());
  CHECK(messages(t, "2025-12-31", "G-2", "missing-forwarding").empty());
}

TEST_CASE("Bắc Giang: an announcement or commendation criterion the act's scope or level does not support "
          "(rating-criteria-unsupported, 004 §III.1.1, §III.1.2)", "[audit]") {
  TestLedger t("bac-giang-2020", "p256");
  const auto committee = test::commune_committee(t);  // who rates (rule rater, 004 §III.2)
  const std::vector<std::string> good = {"BG.G.SM1", "BG.G.SM2", "BG.G.SM3", "BG.G.SM4", "BG.G.SM5"};
  const std::vector<std::string> fair = {"BG.F.SM1", "BG.F.SM2", "BG.F.SM3", "BG.F.SM4"};
  auto rated = [&](const std::string& id, const std::string& level, std::vector<std::string> criteria, const std::string& more) {
    criteria.push_back(more);
    REQUIRE(t.record(committee, make_act("model.rated", id, "2024-11-08", {{"year", 2024}, {"level", level}, {"criteria", criteria}},
                                         test::kCommuneCommittee)));
  };
  // Good by an announcement of the commune only (Good wants the district or higher): found.
  found_bac_giang(t, "U-1", "2024-01-10", 2024);
  t.admit(make_act("model.announced", "U-1", "2024-11-02", {{"scope", "commune"}}));
  rated("U-1", "good", good, "BG.G.X1");
  // Good by a commune commendation (Good wants the district chairman's or higher): found.
  found_bac_giang(t, "U-2", "2024-01-10", 2024);
  t.admit(make_act("commendation.awarded", "U-2", "2024-11-02", {{"form", "giay-khen"}, {"level", "commune"}, {"to", "member"}}));
  rated("U-2", "good", good, "BG.G.X2");
  // Fair by the commune's announcement: supported; an announcement that says no scope: found.
  found_bac_giang(t, "U-3", "2024-01-10", 2024);
  t.admit(make_act("model.announced", "U-3", "2024-11-02", {{"scope", "commune"}}));
  rated("U-3", "fair", fair, "BG.F.X1");
  found_bac_giang(t, "U-4", "2024-01-10", 2024);
  t.admit(make_act("model.announced", "U-4", "2024-11-02"));
  rated("U-4", "fair", fair, "BG.F.X1");

  auto u1 = messages(t, "2024-12-31", "U-1", "rating-criteria-unsupported");
  REQUIRE(u1.size() == 1);
  CHECK_THAT(u1[0], Catch::StartsWith("2024-11-08 U-1 was rated good for 2024 (decision of 2024-11-08) naming BG.G.X1, "
                                      "but no model.announced from 2023-11-08 has data.scope district, province or "
                                      "national (bac-giang-2020)"));
  auto u2 = messages(t, "2024-12-31", "U-2", "rating-criteria-unsupported");
  REQUIRE(u2.size() == 1);
  CHECK_THAT(u2[0], Catch::Contains("naming BG.G.X2, but no commendation.awarded from 2023-11-08 has data.level "
                                    "district, province or ministry"));
  CHECK(messages(t, "2024-12-31", "U-3", "rating-criteria-unsupported").empty());
  CHECK(messages(t, "2024-12-31", "U-4", "rating-criteria-unsupported").size() == 1);
}

// The reporting units' reports (004 §III.2): the commune steering committees before 10/5 and 10/11 to the district,
// the district committees before 20/5 and 20/11 to the province (unit_reports), filed as unit.report-filed.
TEST_CASE("Bắc Giang: a unit's report not filed by its tier's day (missing-unit-report, unit.report-filed, 004 §III.2)", "[audit]") {
  TestLedger t("bac-giang-2020", "p256");
  found_bac_giang(t, "G-1", "2024-01-10", 2024);
  const json kDistrict = {{"level", "district"}, {"unit", "UBND huyện Lạc Sơn"}};
  auto district = t.bind_unit("district", kDistrict);
  auto report = [&](const std::string& date, const std::string& period, const json& unit = test::kCommune) {
    return make_act("unit.report-filed", "ledger", date, {{"period", period}, {"to", "Ban Chỉ đạo huyện"}}, unit);
  };
  // The unit's person signs it; no administrator, no organisation signature.
  REQUIRE(t.record(report("2024-05-09", "2024-H1"), false));
  // Signed by a person not bound to the unit it names: refused, nothing written.
  {
    const std::string before = t.data_bytes();
    auto r = t.record(report("2024-05-09", "2024-H1", kDistrict), false);
    REQUIRE_FALSE(r);
    CHECK(r.error().rule == "authority");
    CHECK(t.data_bytes() == before);
    auto adhoc = t.record(report("2024-05-09", "adhoc"), false);
    REQUIRE_FALSE(adhoc);
    CHECK(adhoc.error().kind == ErrorKind::bad_input);
    CHECK_THAT(adhoc.error().message, Catch::Contains("data.period: expected YYYY-H1"));
    CHECK(t.data_bytes() == before);
  }
  REQUIRE(t.record(district, report("2024-05-19", "2024-H1", kDistrict), false));
  REQUIRE(t.record(report("2024-11-10", "2024"), false));  // on the day: late

  // The commune (tier 1, before 10/11): found from 11-10, not on 11-09; its half-year report was in time.
  auto commune = [&](const std::string& as_of) {
    std::vector<std::string> out;
    for (const auto& f : findings(t, as_of, "ledger"))
      if (f.rule == "missing-unit-report" && f.unit == "UBND xã Tân Lập") out.push_back(f.date + " " + f.message.str());
    return out;
  };
  CHECK(commune("2024-11-09").empty());
  auto c = commune("2024-11-10");
  REQUIRE(c.size() == 1);
  CHECK_THAT(c[0], Catch::StartsWith("2024-11-10 UBND xã Tân Lập (commune) has no yearly report 2024 (unit.report-filed) "
                                     "dated before 2024-11-10 to Ban Chỉ đạo huyện, thành phố (qua Công an huyện, thành "
                                     "phố) (bac-giang-2020)"));
  // The district (tier 2, before 20/11): found from 11-20, not on 11-19.
  auto of_district = [&](const std::string& as_of) {
    std::vector<std::string> out;
    for (const auto& f : findings(t, as_of, "ledger"))
      if (f.rule == "missing-unit-report" && f.unit == "UBND huyện Lạc Sơn")
        out.push_back(f.date + " " + f.message.str());
    return out;
  };
  CHECK(of_district("2024-11-19").empty());
  auto d = of_district("2024-11-20");
  REQUIRE(d.size() == 1);
  CHECK_THAT(d[0], Catch::Contains("UBND huyện Lạc Sơn (district) has no yearly report 2024") &&
                       Catch::Contains("dated before 2024-11-20 to Ban Chỉ đạo tỉnh"));

  // antq report --unit takes the day of the unit's tier: the level it founds its models at.
  json founding = {{"name", "Tổ tự quản"}, {"type", "self-managed"}, {"teams", 1}};
  REQUIRE(t.record(district, make_act("model.proposed", "D-1", "2024-11-21", {{"type", "self-managed"}}, kDistrict), false));
  REQUIRE(t.record(district, make_act("model.consulted", "D-1", "2024-11-22", json::object(), kDistrict), false));
  REQUIRE(t.record(district, make_act("model.established", "D-1", "2024-11-23", founding, kDistrict), true));
  auto due = [&](const std::string& period, const std::string& unit) {
    auto r = periodic_report(*t.ledger, period, unit, std::string("2024-12-31"), "2024-12-31");
    if (!r) FAIL(r.error().line());
    return r->due;
  };
  CHECK(due("2024", "UBND xã Tân Lập") == "2024-11-10");
  CHECK(due("2024-H1", "UBND xã Tân Lập") == "2024-05-10");
  CHECK(due("2024", "UBND huyện Lạc Sơn") == "2024-11-20");
  CHECK(due("2024-H1", "UBND huyện Lạc Sơn") == "2024-05-20");
  CHECK(due("2024", "") == "2024-11-10");  // the whole ledger: the period's earliest
  CHECK(t.verify().ok);
}

// With a unit registry, the reporting units are the registered ones of a tier's level and kinds (Hòa Bình 000 §VIII.1:
// "Các sở, ban, ngành, Ủy ban Mặt trận Tổ quốc Việt Nam và các đoàn thể trong tỉnh … báo cáo"): the departments, the
// Front and the organisations of the province report before 15/5 and 15/11; the provincial people's committee (not
// of those kinds) does not, founding no model is no excuse, and a report names its unit in any case or by an alias.
TEST_CASE("Hòa Bình: the registered units of a tier's kinds owe its reports (missing-unit-report, unit_reports kinds)", "[audit][units]") {
  TestLedger t("hoa-binh-2023", "p256");
  auto registered = [&](const std::string& name, const std::string& kind, json extra = json::object()) {
    json data = {{"name", name}, {"level", "province"}, {"kind", kind}, {"from", "2024-01-01"}};
    if (kind != "people-committee") data["parent"] = "UBND tỉnh Hòa Bình";
    data.update(extra);
    return test::sign(json{{"act", "unit.registered"}, {"subject", "ledger"}, {"date", "2024-01-02"}, {"data", data}},
                      t.admin);
  };
  auto r = t.append({registered("UBND tỉnh Hòa Bình", "people-committee"),
                     registered("Sở Giáo dục và Đào tạo", "department", {{"aliases", json::array({"Sở GD&ĐT"})}}),
                     registered("Ủy ban MTTQ Việt Nam tỉnh", "front")});
  REQUIRE(r);
  const json kDepartment = {{"level", "province"}, {"unit", "sở gd&đt"}};  // an alias, in lower case
  auto department = t.bind_unit("department", kDepartment);
  REQUIRE(t.record(department, make_act("unit.report-filed", "ledger", "2024-05-14", {{"period", "2024-H1"}}, kDepartment),
                   false));
  auto owed = [&](const std::string& as_of, const UnitFilter& reporting = {}) {
    auto all = audit(*t.ledger, as_of, AsOf{as_of, std::nullopt}, {}, reporting);
    if (!all) FAIL(all.error().line());
    std::vector<std::string> out;
    for (const auto& f : *all)
      if (f.rule == "missing-unit-report") out.push_back(f.unit + " " + f.date);
    return out;
  };
  CHECK(owed("2024-05-14").empty());
  CHECK(owed("2024-05-15") == std::vector<std::string>{"Ủy ban MTTQ Việt Nam tỉnh 2024-05-15"});
  CHECK(owed("2024-11-15") == std::vector<std::string>{"Ủy ban MTTQ Việt Nam tỉnh 2024-05-15", "Sở Giáo dục và Đào tạo 2024-11-15",
                                                        "Ủy ban MTTQ Việt Nam tỉnh 2024-11-15"});
  auto all = audit(*t.ledger, "2024-11-15", AsOf{"2024-11-15", std::nullopt});
  REQUIRE(all);
  for (const auto& f : *all)
    if (f.rule == "missing-unit-report" && f.unit == "Sở Giáo dục và Đào tạo")
      CHECK_THAT(f.message.str(),
                 Catch::StartsWith("Sở Giáo dục và Đào tạo (province, department) has no yearly report 2024 "
                                   "(unit.report-filed) dated before 2024-11-15 to Ban Chỉ đạo 09 tỉnh"));
  // Audited for one unit (antq audit --unit): only its reports.
  CHECK(owed("2024-11-15", [](std::string_view name, std::string_view) { return name == "Ủy ban MTTQ Việt Nam tỉnh"; }) ==
        std::vector<std::string>{"Ủy ban MTTQ Việt Nam tỉnh 2024-05-15", "Ủy ban MTTQ Việt Nam tỉnh 2024-11-15"});
}

}  // namespace
}  // namespace antq::projections
