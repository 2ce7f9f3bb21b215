// The lifecycle rules of domain.md §10 at admission (projections/lifecycle.cpp), under each rule profile of §9,
// through the real ledger: acts signed by bound signers (test::sign), appended, and replayed by verify.
//
// One scenario per profile walks a model (and, where the source has them, an exemplar) through its whole life.
// Then one test per refusal rule and profile: the rule fires (kind refused, its id, a message naming the dates,
// units and acts, nothing written) and the closest lawful act is admitted; where a profile switches the rule off,
// the act it would refuse is admitted. The expectations are written from the sources (shared/seeds/*.txt, digested
// in shared/domain.md); each test names the section it tests, as the profile files' `cite` fields give it:
//   000 = Hòa Bình 2023, 001 = Bình Thuận 163/HD-BCĐ 2023, 002 = Kon Tum 2022 (on top of the baseline),
//   004 = Bắc Giang 1923/HD-BCD 2020; bca-22-2022 is what 000 and 001 share (the Ministry's 22/HD-BCA-V05).
// The rule `authority` is tested in admission_test.cpp.
#include "projections/lifecycle.hpp"

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "bac_giang_units.hpp"
#include "projections/admission.hpp"
#include "projections/query.hpp"
#include "support.hpp"

namespace antq::projections {
namespace {

using nlohmann::json;
using test::make_act;
using test::rating;
using test::TestLedger;
using test::UnitSigners;
using test::verified;

const std::string kBca = "bca-22-2022";
const std::string kHoaBinh = "hoa-binh-2023";
const std::string kBinhThuan = "binh-thuan-2023";
const std::string kKonTum = "kon-tum-2022";
const std::string kBacGiang = "bac-giang-2020";

// The office's key in the rule tests: P-256, generated in microseconds (the scenarios keep TestLedger's RSA office).
const std::string kQuickKey = "p256";

const json kLacSon = {{"level", "district"}, {"unit", "UBND huyện Lạc Sơn"}};
const json kHoaBinhProvince = {{"level", "province"}, {"unit", "UBND tỉnh Hòa Bình"}};

// Steps 1–3 before the establishment decision, in order (domain.md §2): the Ministry baseline, 000 §III.1.1–§III.1.4
// = 001 §III.1.a–d (Kon Tum 002 inherits them) ...
using test::kBaselineSteps;
// ... and Bắc Giang's step 1: the proposal, then the drafts consulted (004 §II.1.1.1, §II.1.1.4; linked §II.2.1.1,
// §II.2.1.4). No survey plan, and the party resolution and directing plan are not required before the decision.
const std::vector<std::string> kBacGiangSteps = {"model.proposed", "model.consulted"};

const std::vector<std::string>& steps_of(const std::string& profile) {
  return profile == kBacGiang ? kBacGiangSteps : kBaselineSteps;
}

// Decision acts (domain.md §10, rule `authority`): signed by the chairman and the office of the unit.
bool is_decision(const json& act) {
  static const std::set<std::string> kinds = {
      "model.established",    "model.recognized", "exemplar.recognized",  "model.rated",
      "model.terminated",     "model.replicated", "model.merged",         "model.reorganized",
      "exemplar.plan-issued", "exemplar.ended",   "commendation.awarded", "survey.plan-approved",
      "model.policy-issued",  "model.implementation-issued"};
  return kinds.contains(act.at("act").get<std::string>());
}

// `date` plus `n` days (n may be negative), YYYY-MM-DD.
std::string plus_days(const std::string& date, int n) {
  using namespace std::chrono;
  const year_month_day d{year{std::stoi(date.substr(0, 4))}, month{static_cast<unsigned>(std::stoi(date.substr(5, 2)))},
                         day{static_cast<unsigned>(std::stoi(date.substr(8, 2)))}};
  const year_month_day r{sys_days{d} + days{n}};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(r.year()), static_cast<unsigned>(r.month()),
                     static_cast<unsigned>(r.day()));
}

const json kLinkedMembers = json::array({"UBND xã Tân Lập", "UBND xã Tân Mỹ", "Trường THCS Tân Lập"});

// data of model.proposed and of the founding decision (acts.md).
json proposal(const std::string& type = "self-managed", const std::string& name = "Tổ tự quản về an ninh, trật tự") {
  json d = {{"name", name}, {"type", type}, {"area", "Thôn Đồng Tâm"}, {"field", "residential"},
            {"proposer", "Công an xã Tân Lập"}};
  if (type == "linked") d["members"] = kLinkedMembers;
  return d;
}
json founding(const std::string& type = "self-managed", std::int64_t teams = 3,
              const std::string& name = "Tổ tự quản về an ninh, trật tự") {
  return {{"name", name}, {"type", type}, {"area", "Thôn Đồng Tâm"}, {"teams", teams},
          {"members", type == "linked" ? kLinkedMembers : json(12)}};
}
json step_data(const std::string& step, const std::string& type) {
  if (step == "survey.plan-approved") return {{"purpose", "khảo sát tình hình ANTT thôn Đồng Tâm"}};
  if (step == "survey.reported") return {{"findings", "trộm cắp vặt, tranh chấp đất đai"}};
  if (step == "model.proposed") return proposal(type);
  return json::object();
}
json criteria_rating(int year, const std::string& level, std::vector<std::string> criteria) {
  return {{"year", year}, {"level", level}, {"criteria", criteria}};
}
json criteria_set() {
  return {{"criteria", json::array({{{"id", "C1"}, {"text", "Tích cực tố giác tội phạm"}},
                                    {{"id", "C2"}, {"text", "Vận động Nhân dân tham gia tự quản"}},
                                    {{"id", "C3"}, {"text", "Được khen thưởng trong năm"}}})},
          {"scope", "several"}};
}

SubjectState state_of(const TestLedger& t, const std::string& id) {
  auto s = subject_state(LedgerState(*t.ledger), id);
  REQUIRE(s);
  return *s;
}

// Appends `act` signed by the commune chairman (or `by`), with the office's signature on decisions; requires
// admission and returns the entry's seq.
std::uint64_t admit(TestLedger& t, const json& act, const UnitSigners* by = nullptr) {
  auto r = by ? t.record(*by, act, is_decision(act)) : t.record(act, is_decision(act));
  if (!r) FAIL(act.at("act").get<std::string>() + " of " + act.at("subject").get<std::string>() + " dated " +
               act.at("date").get<std::string>() + " was not admitted: " + r.error().line());
  return r->front();
}

// Requires `act` refused by `rule` with a message naming each of `names`, and nothing written: the ledger keeps its
// size and the subject its state.
void refuses(TestLedger& t, const json& act, const std::string& rule, const std::vector<std::string>& names,
             const UnitSigners* by = nullptr) {
  const std::uint64_t size = t.ledger->size();
  const std::string key = "subject/" + act.at("subject").get<std::string>();
  const auto state = t.ledger->state_value(key);
  auto r = by ? t.record(*by, act, is_decision(act)) : t.record(act, is_decision(act));
  INFO(act.at("act").get<std::string>() + " of " + act.at("subject").get<std::string>() + " dated " +
       act.at("date").get<std::string>());
  REQUIRE_FALSE(r);
  INFO(r.error().line());
  CHECK(r.error().kind == ErrorKind::refused);
  CHECK(r.error().rule == rule);
  for (const auto& n : names) CHECK_THAT(r.error().message, Catch::Contains(n));
  CHECK(t.ledger->size() == size);
  CHECK(t.ledger->state_value(key) == state);
}

// Records the profile's steps for `id` (5 days apart, the last 5 days before `established`) and the establishment
// decision of the commune (or `by`), in one append (one write transaction, each act judged after the one before);
// returns the seq of the decision.
std::uint64_t found_model_at(TestLedger& t, const std::string& id, const std::string& established = "2023-03-01",
                             const std::string& type = "self-managed", const UnitSigners* by = nullptr,
                             std::int64_t teams = 3) {
  const json& unit = by ? by->unit : test::kCommune;
  const test::Identity& person = by ? by->person : t.chair;
  const test::Identity& office = by ? by->office : t.office;
  const auto& steps = steps_of(t.profile);
  const int n = static_cast<int>(steps.size());
  std::vector<json> acts;
  for (int i = 0; i < n; ++i)
    acts.push_back(make_act(steps[i], id, plus_days(established, -5 * (n - i)), step_data(steps[i], type), unit));
  acts.push_back(make_act("model.established", id, established, founding(type, teams), unit));
  std::vector<ledger::Submission> batch;
  for (const json& a : acts) batch.push_back(test::sign(a, person, is_decision(a) ? &office : nullptr));
  auto r = t.append(batch);
  if (!r) FAIL("founding " + id + " under " + t.profile + ": " + r.error().line());
  REQUIRE(r->size() == acts.size());
  return r->back();
}

// The rest of a Bắc Giang self-managed model's dossier (004 §II.1.4) after its founding on `founded`: the party
// resolution and the directing plan (items 1–2), regulations (5), launch (6), the plan of `year` (8) and its yearly
// report (9), dated from `founded` to `year`-11-01.
void bg_dossier(TestLedger& t, const std::string& id, const std::string& founded, int year) {
  admit(t, make_act("model.policy-issued", id, founded));
  admit(t, make_act("model.implementation-issued", id, founded));
  admit(t, make_act("model.regulations-issued", id, plus_days(founded, 4), {{"covers", {"model"}}, {"security_content", true}}));
  admit(t, make_act("model.launched", id, plus_days(founded, 9)));
  admit(t, make_act("model.plan-issued", id, plus_days(founded, 14), {{"year", year}, {"targets", 5}}));
  admit(t, make_act("model.report-filed", id, fmt::format("{}-11-01", year), {{"period", std::to_string(year)}, {"targets_met", 4}}));
}

// ---------------------------------------------------------------------------------------------------------------
// full_months, the count behind `eligibility`: "từ đủ 10 tháng trở lên (tính từ ngày có quyết định thành lập)"
// (000 §III.2.1 = 001 §III.2.a).

TEST_CASE("full_months counts the whole months from the decision's date (000 §III.2.1 = 001 §III.2.a)", "[lifecycle]") {
  CHECK(full_months("2023-03-01", "2023-03-01") == 0);
  CHECK(full_months("2023-03-01", "2023-11-08") == 8);  // lifecycle.hpp's examples
  CHECK(full_months("2023-03-01", "2024-01-01") == 10);
  CHECK(full_months("2023-03-01", "2023-12-31") == 9);  // a day short
  CHECK(full_months("2024-01-08", "2024-11-07") == 9);
  CHECK(full_months("2024-01-08", "2024-11-08") == 10);
  CHECK(full_months("2022-12-15", "2023-10-15") == 10);  // across a year
  // A month from a day the end month lacks ends on that month's last day (the Civil Code's count of months).
  CHECK(full_months("2023-08-31", "2024-06-30") == 10);
  CHECK(full_months("2023-08-31", "2024-06-29") == 9);
  CHECK(full_months("2023-04-30", "2024-02-29") == 10);  // 2024 is a leap year
  CHECK(full_months("2023-04-30", "2024-02-28") == 9);
}

// ---------------------------------------------------------------------------------------------------------------
// Scenarios: a whole life per profile.

// A model under the Ministry baseline's procedure (000 §III = 001 §III): the five building steps, plans and reports,
// a Good rating, replication to a point (built by the same steps), a commendation and an announcement, the merge of
// a second model on the same area with the same people and goal (000 §III.3 Lưu ý and its example), a Weak rating
// and the four termination steps.
void walk_baseline_model(TestLedger& t) {
  const std::uint64_t established = found_model_at(t, "TTQ", "2023-03-01");
  SubjectState s = state_of(t, "TTQ");
  CHECK(s.kind == "model");
  CHECK(s.stage == "established");
  CHECK(s.founded == "2023-03-01");
  CHECK(s.authority.unit == "UBND xã Tân Lập");
  CHECK(s.authority.level == "commune");
  CHECK(s.acts.at("model.established").seq == established);
  for (const auto& step : kBaselineSteps) CHECK(s.has(step));

  admit(t, make_act("model.regulations-issued", "TTQ", "2023-03-10", {{"covers", {"board", "model"}}, {"security_content", true}}));
  admit(t, make_act("model.launched", "TTQ", "2023-03-15"));
  CHECK(state_of(t, "TTQ").stage == "active");
  admit(t, make_act("model.plan-issued", "TTQ", "2023-03-20", {{"year", 2023}, {"targets", 8}}));
  admit(t, make_act("model.report-filed", "TTQ", "2023-10-31", {{"period", "2023"}, {"targets_met", 6}}));
  admit(t, make_act("model.plan-issued", "TTQ", "2023-11-15", {{"year", 2024}, {"targets", 10}}));
  admit(t, make_act("model.report-filed", "TTQ", "2024-05-10", {{"period", "2024-H1"}, {"targets_met", 5}}));
  admit(t, make_act("model.report-filed", "TTQ", "2024-10-31", {{"period", "2024"}, {"targets_met", 10}}));
  // 000 §III.2.3: the board proposes before 5 Nov, the establishing level decides before 10 Nov, the result goes to
  // the provincial police before 15 Nov; 20 full months since the decision (000 §III.2.1).
  admit(t, make_act("model.rating-proposed", "TTQ", "2024-11-04", rating(2024, "good")));
  const std::uint64_t rated = admit(t, make_act("model.rated", "TTQ", "2024-11-08", rating(2024, "good")));
  admit(t, make_act("model.rating-forwarded", "TTQ", "2024-11-12", {{"year", 2024}, {"to", "Công an tỉnh (PV05)"}}));
  admit(t, make_act("commendation.awarded", "TTQ", "2024-12-01",
                    {{"form", "giay-khen"}, {"level", "commune"}, {"to", "model"}, {"year", 2024}}));
  admit(t, make_act("model.announced", "TTQ", "2024-12-10", {{"scope", "province"}, {"by", "Công an tỉnh"}}));
  // Replication of a Good model (000 §III.3), "theo quy trình các bước như quy trình xây dựng mô hình": the point
  // TTQ/P001 is built by the same steps.
  admit(t, make_act("model.replicated", "TTQ", "2025-01-10", {{"areas", {"Thôn Đồng Bến"}}}));
  found_model_at(t, "TTQ/P001", "2025-03-01", "self-managed", nullptr, 2);
  admit(t, make_act("model.launched", "TTQ/P001", "2025-03-15"));
  admit(t, make_act("model.reorganized", "TTQ", "2025-04-01", {{"teams", 4}, {"summary", "kiện toàn Ban Chỉ đạo"}}));

  // 000 §III.3 example: "Tổ tự quản về an ninh, trật tự" and "Tổ dân phòng" on one village, same people and goal,
  // are merged and renamed; the merged model keeps both teams.
  found_model_at(t, "TDP", "2023-06-01", "self-managed", nullptr, 2);
  const std::uint64_t merged = admit(
      t, make_act("model.merged", "TTQ", "2025-05-01", {{"from", {"TDP"}}, {"name", "Tổ dân phòng và tự quản về an ninh, trật tự"}}));

  // A Weak year, then the four steps of 000 §III.3 = 001 §III.3, the decision by the establishing level.
  admit(t, make_act("model.rated", "TTQ", "2025-11-08", rating(2025, "weak")));
  admit(t, make_act("model.termination-reported", "TTQ", "2025-12-01", {{"reason", "hoạt động Yếu"}}));
  admit(t, make_act("model.termination-consulted", "TTQ", "2025-12-10", {{"reason", "các thành viên nhất trí"}}));
  const std::uint64_t terminated = admit(t, make_act("model.terminated", "TTQ", "2025-12-20", {{"reason", "hoạt động Yếu"}}));
  admit(t, make_act("model.termination-announced", "TTQ", "2025-12-27", {{"reason", "thông báo công khai"}}));

  s = state_of(t, "TTQ");
  CHECK(s.stage == "terminated");
  CHECK(s.closed());
  CHECK(s.name == "Tổ dân phòng và tự quản về an ninh, trật tự");
  CHECK(s.teams == 4 + 2);
  CHECK(s.merged_from == std::vector<std::string>{"TDP"});
  REQUIRE(s.ratings.size() == 2);
  CHECK(s.ratings.at(2024) == SubjectRating{"good", "2024-11-08", rated});
  CHECK(s.ratings.at(2025).level == "weak");
  CHECK(s.acts.at("model.terminated").seq == terminated);
  CHECK(s.last_date == "2025-12-27");
  CHECK(s.entries.size() == kBaselineSteps.size() + 1 + 20);
  const SubjectState tdp = state_of(t, "TDP");
  CHECK(tdp.stage == "merged");
  CHECK(tdp.merged_into == "TTQ");
  CHECK(tdp.acts.at("model.merged").seq == merged);
  const SubjectState point = state_of(t, "TTQ/P001");
  CHECK(point.kind == "point");
  CHECK(point.point_of == "TTQ");
  CHECK(point.stage == "active");  // a point lives on its own (000 §VI.1)
  CHECK(point.founded == "2025-03-01");
}

// An exemplar (000 §IV = 001 §IV): survey, criteria set, build plan, self-assessment and evaluation within a year of
// the plan, recognition, a commendation, replication, the yearly re-evaluation under 70% and the end (000 §IV.3).
void walk_exemplar(TestLedger& t) {
  admit(t, make_act("exemplar.surveyed", "DH-1", "2023-02-01",
                    {{"holder_kind", "individual"}, {"area", "Thôn Đồng Tâm"}}));
  admit(t, make_act("exemplar.criteria-set", "DH-1", "2023-02-15", criteria_set()));
  admit(t, make_act("exemplar.plan-issued", "DH-1", "2023-03-01"));
  CHECK(state_of(t, "DH-1").stage == "building");
  admit(t, make_act("exemplar.self-assessed", "DH-1", "2023-12-01", {{"met", {"C1", "C2"}}}));
  admit(t, make_act("exemplar.evaluated", "DH-1", "2024-01-15", {{"met", {"C1", "C2", "C3"}}}));
  const std::uint64_t recognized = admit(t, make_act("exemplar.recognized", "DH-1", "2024-02-01", {{"level", "commune"}}));
  SubjectState s = state_of(t, "DH-1");
  CHECK(s.stage == "recognized");
  CHECK(s.founded == "2024-02-01");
  CHECK(s.acts.at("exemplar.recognized").seq == recognized);
  admit(t, make_act("commendation.awarded", "DH-1", "2024-03-01",
                    {{"form", "giay-khen"}, {"level", "commune"}, {"to", "exemplar"}, {"year", 2024}}));
  admit(t, make_act("exemplar.replicated", "DH-1", "2024-04-01", {{"areas", {"Thôn Đồng Bến"}}}));
  admit(t, make_act("exemplar.evaluated", "DH-1", "2025-01-15", {{"met", {"C1"}}}));  // 1 of 3: under 70%
  admit(t, make_act("exemplar.ended", "DH-1", "2025-02-01", {{"reason", "hoàn thành dưới 70% các tiêu chí"}}));
  s = state_of(t, "DH-1");
  CHECK(s.kind == "exemplar");
  CHECK(s.stage == "ended");
  CHECK(s.closed());
  CHECK(s.name.empty());  // an individual's name is personal data: in the dossier (E1), not in the act
  CHECK(s.criteria == std::vector<std::string>{"C1", "C2", "C3"});
  CHECK(s.met == std::vector<std::string>{"C1"});
  CHECK(s.entries.size() == 10);
}

TEST_CASE("bca-22-2022: a model and an exemplar through their whole life (000 §III, §IV = 001 §III, §IV)", "[lifecycle]") {
  TestLedger t(kBca);
  walk_baseline_model(t);
  walk_exemplar(t);
  verified(t);
}

TEST_CASE("hoa-binh-2023: a model and an exemplar through their whole life (000 §III.1–§III.3, §IV.1–§IV.3)", "[lifecycle]") {
  TestLedger t(kHoaBinh);
  walk_baseline_model(t);
  walk_exemplar(t);
  verified(t);
}

TEST_CASE("binh-thuan-2023: a model and an exemplar through their whole life (001 §III.1–§III.3, §IV.1–§IV.3)", "[lifecycle]") {
  TestLedger t(kBinhThuan);
  walk_baseline_model(t);
  walk_exemplar(t);
  verified(t);
}

TEST_CASE("kon-tum-2022: a model and an exemplar through their whole life (002 silent, 000 §III, §IV = 001 §III, §IV), "
          "and a spontaneous model recognised (002 §1.c)", "[lifecycle]") {
  TestLedger t(kKonTum);
  walk_baseline_model(t);
  walk_exemplar(t);
  // 002 §1.c: a model that works without a decision may be recognised, on the advice (tham mưu) of the steering
  // committee's members: their proposal, then the recognition, which plays the establishment's role.
  admit(t, make_act("model.proposed", "TP-1", "2023-04-20", proposal("self-managed", "Tổ hòa giải tự phát")));
  admit(t, make_act("model.recognized", "TP-1", "2023-05-01", founding("self-managed", 2, "Tổ hòa giải tự phát")));
  admit(t, make_act("model.launched", "TP-1", "2023-05-10"));
  admit(t, make_act("model.rated", "TP-1", "2024-11-08", rating(2024, "fair")));
  const SubjectState s = state_of(t, "TP-1");
  CHECK(s.stage == "active");
  CHECK(s.founded == "2023-05-01");
  CHECK(s.ratings.at(2024).level == "fair");
  verified(t);
}

TEST_CASE("bac-giang-2020: a self-managed and a linked model through their whole life, no exemplar "
          "(004 §II.1, §II.2, §II.3, §III)", "[lifecycle]") {
  TestLedger t(kBacGiang);
  auto district = t.bind_unit("district", kLacSon);
  // 004 §III.2: the commune's steering committee reviews and rates its models (rule rater, rating.raters).
  auto committee = test::commune_committee(t);
  const json& kCommittee = test::kCommuneCommittee;

  // Self-managed (004 §II.1): Bước 1 proposal and consultation, Bước 2 the commune chairman's decision and launch,
  // Bước 3 maintenance. No survey plan, policy or implementation document before the decision.
  admit(t, make_act("model.proposed", "BG-TQ", "2023-02-01", proposal()));
  admit(t, make_act("model.consulted", "BG-TQ", "2023-02-20"));
  admit(t, make_act("model.established", "BG-TQ", "2023-03-01", founding()));
  // The party resolution and the directing plan, drafted in Bước 1 (§II.1.1.3), dossier items 1–2 (§II.1.4).
  admit(t, make_act("model.policy-issued", "BG-TQ", "2023-03-01"));
  admit(t, make_act("model.implementation-issued", "BG-TQ", "2023-03-01"));
  admit(t, make_act("model.regulations-issued", "BG-TQ", "2023-03-05", {{"covers", {"model"}}, {"security_content", true}}));
  admit(t, make_act("model.launched", "BG-TQ", "2023-03-10"));
  admit(t, make_act("model.plan-issued", "BG-TQ", "2023-03-15", {{"year", 2023}, {"targets", 5}}));
  admit(t, make_act("model.report-filed", "BG-TQ", "2023-05-09", {{"period", "2023-H1"}, {"targets_met", 3}}));
  // 004 §III.1.1 BG.G.X2: a district chairman's certificate of merit in the year is one way to Good.
  admit(t,
        make_act("commendation.awarded", "BG-TQ", "2023-10-01",
                 {{"form", "giay-khen"}, {"level", "district"}, {"to", "model"}, {"year", 2023}}, kLacSon),
        &district);
  admit(t, make_act("model.report-filed", "BG-TQ", "2023-11-09", {{"period", "2023"}, {"targets_met", 5}}));
  // 004 sets no eligibility period (§III.1): a rating 8 months after the decision is admitted.
  admit(t, make_act("model.rated", "BG-TQ", "2023-11-20",
                    criteria_rating(2023, "good", {"BG.G.SM1", "BG.G.SM2", "BG.G.SM3", "BG.G.SM4", "BG.G.SM5", "BG.G.X2"}), kCommittee),
        &committee);
  // 004 §III.2: "Mô hình hoạt động Tốt phải được thông báo phổ biến, nhân rộng"; the point is built by the same steps.
  admit(t, make_act("model.replicated", "BG-TQ", "2023-12-01", {{"areas", {"Thôn Đồng Bến"}}}));
  found_model_at(t, "BG-TQ/P001", "2024-01-10", "self-managed", nullptr, 2);
  CHECK(state_of(t, "BG-TQ/P001").kind == "point");
  // 004 §II.3, §III.2: "Mô hình xếp loại Yếu phải thanh loại ngay": proposal report, then the liquidation decision.
  admit(t, make_act("model.rated", "BG-TQ", "2024-11-20", criteria_rating(2024, "weak", {"BG.W2"}), kCommittee), &committee);
  admit(t, make_act("model.termination-reported", "BG-TQ", "2024-11-25", {{"reason", "xếp loại Yếu"}}));
  admit(t, make_act("model.terminated", "BG-TQ", "2024-11-30", {{"reason", "xếp loại Yếu"}}));
  SubjectState s = state_of(t, "BG-TQ");
  CHECK(s.stage == "terminated");
  CHECK(s.type == "self-managed");
  CHECK(s.ratings.at(2023).level == "good");
  CHECK(s.ratings.at(2024).level == "weak");
  CHECK_FALSE(s.has("model.termination-consulted"));
  CHECK_FALSE(s.has("survey.plan-approved"));

  // Linked (004 §II.2): proposal, the prospective members consulted, then the signing of the coordination rules at
  // the signing-and-launch conference (§II.2.2), recorded as model.established; liquidation with the written
  // agreement of the rotating heads (§II.3), recorded as model.termination-consulted.
  admit(t, make_act("model.proposed", "BG-LK", "2023-04-01", proposal("linked", "Cụm liên kết ANTT Tân Lập")));
  admit(t, make_act("model.consulted", "BG-LK", "2023-04-10"));
  admit(t, make_act("model.established", "BG-LK", "2023-04-20", founding("linked", 3, "Cụm liên kết ANTT Tân Lập")));
  admit(t, make_act("model.regulations-issued", "BG-LK", "2023-04-20", {{"covers", {"coordination"}}, {"security_content", true}}));
  admit(t, make_act("model.launched", "BG-LK", "2023-04-20"));
  admit(t, make_act("model.plan-issued", "BG-LK", "2023-12-01", {{"year", 2024}, {"targets", 4}}));
  admit(t, make_act("model.report-filed", "BG-LK", "2024-11-05", {{"period", "2024"}, {"targets_met", 4}}));
  // 004 §III.1.2 BG.F.X1: announced for replication in the year by the commune steering committee.
  admit(t, make_act("model.announced", "BG-LK", "2024-11-10", {{"scope", "commune"}, {"by", "Ban Chỉ đạo xã Tân Lập"}}));
  admit(t, make_act("model.rated", "BG-LK", "2024-11-20",
                    criteria_rating(2024, "fair", {"BG.F.LK1", "BG.F.LK2", "BG.F.LK3", "BG.F.LK4", "BG.F.LK5", "BG.F.X1"}), kCommittee),
        &committee);
  admit(t, make_act("model.rated", "BG-LK", "2025-11-20", criteria_rating(2025, "weak", {"BG.W3"}), kCommittee), &committee);
  admit(t, make_act("model.termination-reported", "BG-LK", "2025-11-25", {{"reason", "xếp loại Yếu"}}));
  admit(t, make_act("model.termination-consulted", "BG-LK", "2025-11-28", {{"reason", "các thành viên luân phiên chủ trì đồng ý"}}));
  admit(t, make_act("model.terminated", "BG-LK", "2025-12-01", {{"reason", "xếp loại Yếu"}}));
  s = state_of(t, "BG-LK");
  CHECK(s.type == "linked");
  CHECK(s.members == kLinkedMembers);
  CHECK(s.stage == "terminated");
  CHECK(s.founded == "2023-04-20");
  verified(t);
}

// ---------------------------------------------------------------------------------------------------------------
// unknown-subject (domain.md §10): a subject begins with survey.plan-approved, model.proposed or exemplar.surveyed
// (and, under format-1 profiles, model.recognized; "Recognition and transition" below) — in the sources, with the first document of Bước 1 (000 §III.1.1, 001 §III.1.a, 004 §II.1.1.1)
// or of the exemplar's survey (000 §IV.1.1).

void unknown_subject_rule(const std::string& profile) {
  TestLedger t(profile, kQuickKey);
  refuses(t, make_act("model.launched", "X-1", "2023-03-15"), "unknown-subject", {"X-1 is not in the ledger", "model.launched"});
  // The closest lawful act: the profile's first step begins the subject.
  const std::string& first = steps_of(profile).front();
  const std::uint64_t begun = admit(t, make_act(first, "X-1", "2023-02-01", step_data(first, "self-managed")));
  // A beginning act for a subject that exists is no beginning; nor is an exemplar's act one of a model.
  refuses(t, make_act("survey.plan-approved", "X-1", "2023-03-01", step_data("survey.plan-approved", "self-managed")),
          "unknown-subject", {"survey.plan-approved", "X-1 exists already", fmt::format("since entry {}", begun)});
  refuses(t, make_act("exemplar.criteria-set", "X-1", "2023-03-01", criteria_set()), "unknown-subject",
          {"X-1 is a model", "exemplar.criteria-set"});
  refuses(t, make_act("model.launched", "DH-9", "2023-03-01"), "unknown-subject", {"DH-9 is not in the ledger"});
  admit(t, make_act("exemplar.surveyed", "DH-9", "2023-03-01", {{"holder", "Trần Thị Bình"}}));
  // A point of a model the ledger does not know.
  refuses(t, make_act("model.proposed", "Y-9/P001", "2023-03-01", proposal()), "unknown-subject",
          {"Y-9/P001 is a point of Y-9", "not in the ledger"});
  CHECK(state_of(t, "X-1").entries == std::vector<std::uint64_t>{begun});
}

TEST_CASE("unknown-subject under bca-22-2022: a subject begins with Bước 1 (000 §III.1.1 = 001 §III.1.a, domain.md §10)", "[lifecycle]") {
  unknown_subject_rule(kBca);
}
TEST_CASE("unknown-subject under hoa-binh-2023: a subject begins with Bước 1 (000 §III.1.1, §IV.1.1, domain.md §10)", "[lifecycle]") {
  unknown_subject_rule(kHoaBinh);
}
TEST_CASE("unknown-subject under binh-thuan-2023: a subject begins with Bước 1 (001 §III.1.a, §IV.1, domain.md §10)", "[lifecycle]") {
  unknown_subject_rule(kBinhThuan);
}
TEST_CASE("unknown-subject under kon-tum-2022: a subject begins with Bước 1 (002 silent, 000 §III.1.1 = 001 §III.1.a, domain.md §10)", "[lifecycle]") {
  unknown_subject_rule(kKonTum);
}
TEST_CASE("unknown-subject under bac-giang-2020: a subject begins with the proposal (004 §II.1.1.1, domain.md §10)", "[lifecycle]") {
  unknown_subject_rule(kBacGiang);
}

// ---------------------------------------------------------------------------------------------------------------
// Recognition and transition (docs/rules.md): the foundings a profile provides besides its establishment steps.
// model.recognized, the recognition of a spontaneous model, exists only in Kon Tum (002 §1.c: "Đối với những mô
// hình tự phát: Tham mưu cấp có thẩm quyền ra quyết định công nhận"), after the proposal; elsewhere refused
// [order]. Bình Thuận brings in the models built under QĐ 1383/2017 by their establishment decision, without the
// steps (001 §IV(second).3). A ledger judged by a format-1 file recognises as it did.

void no_recognition_rule(const std::string& profile) {
  TestLedger t(profile, kQuickKey);
  const std::vector<std::string> names = {"model.recognized of R-1 dated 2023-03-01",
                                          profile + " provides no recognition of spontaneous models",
                                          "kon-tum-2022 provides it: 002 §1.c",
                                          "found it through " + steps_of(profile).front()};
  const std::string empty = t.data_bytes();
  refuses(t, make_act("model.recognized", "R-1", "2023-03-01", founding()), "order", names);
  CHECK(t.data_bytes() == empty);
  // After a proposal too: the profile has no recognition to follow it.
  admit(t, make_act("model.proposed", "R-1", "2023-02-20", proposal()));
  const std::string proposed = t.data_bytes();
  refuses(t, make_act("model.recognized", "R-1", "2023-03-01", founding()), "order", names);
  CHECK(t.data_bytes() == proposed);
  CHECK(state_of(t, "R-1").stage == "proposed");
  // The closest lawful act: a model founded through the profile's steps.
  found_model_at(t, "R-2", "2023-03-01");
  CHECK(state_of(t, "R-2").stage == "established");
  verified(t);
}

TEST_CASE("No recognition of spontaneous models under bca-22-2022: refused [order] (000 and 001 are silent)", "[lifecycle][recognition]") {
  no_recognition_rule(kBca);
}
TEST_CASE("No recognition of spontaneous models under hoa-binh-2023: refused [order] (000 is silent)", "[lifecycle][recognition]") {
  no_recognition_rule(kHoaBinh);
}
TEST_CASE("No recognition of spontaneous models under binh-thuan-2023: refused [order] (001 is silent)", "[lifecycle][recognition]") {
  no_recognition_rule(kBinhThuan);
}
TEST_CASE("No recognition of spontaneous models under bac-giang-2020: refused [order] (004 is silent)", "[lifecycle][recognition]") {
  no_recognition_rule(kBacGiang);
}

TEST_CASE("Recognition under kon-tum-2022: after the proposal (002 §1.c 'Tham mưu'), founding the model once", "[lifecycle][recognition]") {
  TestLedger t(kKonTum, kQuickKey);
  const std::vector<std::string> needs = {"model.recognized of TP-1 dated 2023-05-01 needs model.proposed before it",
                                          "kon-tum-2022: 002 §1.c", "TP-1 has no model.proposed"};
  const std::string empty = t.data_bytes();
  refuses(t, make_act("model.recognized", "TP-1", "2023-05-01", founding()), "order", needs);
  CHECK(t.data_bytes() == empty);
  // A survey begun is no proposal.
  admit(t, make_act("survey.plan-approved", "TP-2", "2023-04-01", step_data("survey.plan-approved", "self-managed")));
  const std::string surveyed = t.data_bytes();
  refuses(t, make_act("model.recognized", "TP-2", "2023-05-01", founding()), "order",
          {"model.recognized of TP-2 dated 2023-05-01 needs model.proposed before it", "TP-2 has no model.proposed"});
  CHECK(t.data_bytes() == surveyed);
  admit(t, make_act("model.proposed", "TP-1", "2023-04-20", proposal("self-managed", "Tổ hòa giải tự phát")));
  const std::uint64_t recognized =
      admit(t, make_act("model.recognized", "TP-1", "2023-05-01", founding("self-managed", 2, "Tổ hòa giải tự phát")));
  const SubjectState s = state_of(t, "TP-1");
  CHECK(s.stage == "established");
  CHECK(s.founded == "2023-05-01");
  CHECK(s.founding_seq() == recognized);
  CHECK(s.name == "Tổ hòa giải tự phát");
  // Founded once, by either decision.
  refuses(t, make_act("model.recognized", "TP-1", "2023-06-01", founding()), "order",
          {"TP-1 was recognized 2023-05-01", "would found it again"});
  refuses(t, make_act("model.established", "TP-1", "2023-06-01", founding()), "order",
          {"TP-1 was recognized 2023-05-01", "would found it again"});
  // An exemplar is not recognised as a model.
  admit(t, make_act("exemplar.surveyed", "DH-1", "2023-03-01", {{"holder", "Trần Thị Bình"}}));
  refuses(t, make_act("model.recognized", "DH-1", "2023-05-01", founding()), "unknown-subject",
          {"DH-1 is an exemplar", "model.recognized"});
  verified(t);
}

TEST_CASE("Transition under binh-thuan-2023: a model built under QĐ 1383/2017 is brought in by its establishment "
          "decision, without the steps (001 §IV(second).3)", "[lifecycle][recognition]") {
  TestLedger t(kBinhThuan, kQuickKey);
  t.bind_commune_from("2017-01-01");
  json old = founding();
  old["transition"] = "1383/QĐ-BCĐ";
  json other = old;
  other["transition"] = "94/HD-UBMTTQ-CAT";
  const std::string empty = t.data_bytes();
  refuses(t, make_act("model.established", "CU-1", "2020-06-01", other), "order",
          {"names data.transition \"94/HD-UBMTTQ-CAT\"", "binh-thuan-2023 brings in the models built under 1383/QĐ-BCĐ only",
           "001 second §IV"});
  // 163/HD-BCĐ replaced 1383 on the day it was signed: a model established since is built by its steps.
  refuses(t, make_act("model.established", "CU-1", "2023-01-17", old), "order",
          {"binh-thuan-2023 replaced 1383/QĐ-BCĐ on 2023-01-17", "found a later one through survey.plan-approved"});
  // Without data.transition a decision with no step before it begins nothing, as before.
  refuses(t, make_act("model.established", "CU-1", "2020-06-01", founding()), "unknown-subject",
          {"CU-1 is not in the ledger", "model.established naming it in data.transition"});
  CHECK(t.data_bytes() == empty);
  const std::uint64_t seq = admit(t, make_act("model.established", "CU-1", "2020-06-01", old));
  const SubjectState s = state_of(t, "CU-1");
  CHECK(s.stage == "established");
  CHECK(s.founded == "2020-06-01");
  CHECK(s.founding_seq() == seq);
  CHECK(s.entries == std::vector<std::uint64_t>{seq});
  // Its unit keeps its file (retention.hpp), as the unit of any subject's first act.
  CHECK(t.ledger->state_value("records/keeper/CU-1") == std::optional<std::string>("UBND xã Tân Lập"));
  // It goes on as any established model.
  admit(t, make_act("model.launched", "CU-1", "2020-07-01"));
  admit(t, make_act("model.rated", "CU-1", "2023-11-08", rating(2023, "good")));
  refuses(t, make_act("model.established", "CU-1", "2023-12-01", old), "order",
          {"CU-1 was established 2020-06-01", "would found it again"});
  verified(t);
}

void no_transition_rule(const std::string& profile, test::StoredProfile stored, const std::vector<std::string>& names) {
  TestLedger t(profile, kQuickKey, stored);
  t.bind_commune_from("2017-01-01");
  json old = founding();
  old["transition"] = "1383/QĐ-BCĐ";
  const std::string empty = t.data_bytes();
  refuses(t, make_act("model.established", "CU-1", "2020-06-01", old), "order", names);
  CHECK(t.data_bytes() == empty);
}

TEST_CASE("Transition only where the profile provides it: refused [order] under hoa-binh-2023 and under a format-1 file",
          "[lifecycle][recognition]") {
  no_transition_rule(kHoaBinh, test::StoredProfile::today,
                     {"hoa-binh-2023 brings in no model of an earlier procedure",
                      "binh-thuan-2023 provides it for 1383/QĐ-BCĐ: 001 second §IV", "found it through survey.plan-approved"});
  no_transition_rule(kBinhThuan, test::StoredProfile::format1,
                     {"binh-thuan-2023 brings in no model of an earlier procedure"});
}

// A ledger judged by a format-1 file (stored at init, or none stored: the frozen file of its id) admits a one-act
// recognition under hoa-binh-2023 as it did, and verify and rebuild agree with what it stored.
void format1_recognition(test::StoredProfile stored) {
  TestLedger t(kHoaBinh, kQuickKey, stored);
  CHECK(t.ledger->info().profile_document.has_value() == (stored == test::StoredProfile::format1));
  auto judged = initial_profile(*t.ledger);
  if (!judged) FAIL(judged.error().line());
  CHECK(judged->format == 1);
  const std::uint64_t seq = admit(t, make_act("model.recognized", "R-1", "2023-03-01", founding()));
  admit(t, make_act("model.launched", "R-1", "2023-03-10"));
  const SubjectState s = state_of(t, "R-1");
  CHECK(s.stage == "active");
  CHECK(s.founding_seq() == seq);
  verified(t);
  auto replay = make_admission(*t.ledger);
  REQUIRE(replay);
  const std::string before = t.data_bytes();
  auto r = t.ledger->rebuild(**replay);
  if (!r) FAIL(r.error().line());
  CHECK(r->entries == t.ledger->size());
  CHECK_FALSE(r->written());
  CHECK(t.data_bytes() == before);
}

TEST_CASE("A format-1 ledger's one-act recognition under hoa-binh-2023 still verifies and rebuilds (stored file)", "[lifecycle][recognition]") {
  format1_recognition(test::StoredProfile::format1);
}
TEST_CASE("A format-1 ledger's one-act recognition under hoa-binh-2023 still verifies and rebuilds (no stored file)", "[lifecycle][recognition]") {
  format1_recognition(test::StoredProfile::none);
}

// ---------------------------------------------------------------------------------------------------------------
// order: the establishment decision after the profile's steps, each step after those before it, dates forward,
// launch after the decision, the announcement of an end after the decision to end.

void order_rule(const std::string& profile) {
  TestLedger t(profile, kQuickKey);
  const auto& steps = steps_of(profile);
  const int n = static_cast<int>(steps.size());
  // Every step but the consultation (Bước 3 in 000 §III.1.3 / 001 §III.1.c; 004 §II.1.1.4), 5 days apart.
  for (int i = 0; i + 1 < n; ++i)
    admit(t, make_act(steps[i], "M-1", plus_days("2023-02-01", 5 * i), step_data(steps[i], "self-managed")));
  const std::string last_step_date = plus_days("2023-02-01", 5 * (n - 2));
  refuses(t, make_act("model.established", "M-1", "2023-03-01", founding()), "order",
          {"model.established of M-1 dated 2023-03-01", "M-1 has no model.consulted", profile});
  // Not launched before it is established.
  refuses(t, make_act("model.launched", "M-1", "2023-03-01"), "order",
          {"model.launched of M-1 dated 2023-03-01", "needs it established or recognized first", "stage proposed"});
  // Dates go forward along one subject's chain.
  refuses(t, make_act("model.consulted", "M-1", "2023-01-20"), "order",
          {"model.consulted of M-1 is dated 2023-01-20", steps[n - 2] + " of " + last_step_date, "may not go backwards"});
  admit(t, make_act("model.consulted", "M-1", "2023-02-25"));
  admit(t, make_act("model.established", "M-1", "2023-03-01", founding()));
  admit(t, make_act("model.launched", "M-1", "2023-03-10"));
  refuses(t, make_act("model.launched", "M-1", "2023-03-20"), "order", {"M-1 was launched on 2023-03-10"});
  // The public announcement of an end follows the decision to end (000 §III.3 Bước 4).
  refuses(t, make_act("model.termination-announced", "M-1", "2023-04-01"), "order",
          {"model.termination-announced of M-1 dated 2023-04-01", "M-1 has no model.terminated"});
  CHECK(state_of(t, "M-1").stage == "active");

  // Each step after those before it.
  if (profile == kBacGiang) {
    // A subject begun by a survey plan (which 004 does not require) still needs the proposal before the consultation.
    admit(t, make_act("survey.plan-approved", "M-2", "2023-02-01", step_data("survey.plan-approved", "self-managed")));
    refuses(t, make_act("model.consulted", "M-2", "2023-02-10"), "order",
            {"model.consulted of M-2 dated 2023-02-10", "M-2 has no model.proposed"});
    admit(t, make_act("model.proposed", "M-2", "2023-02-10", proposal()));
    admit(t, make_act("model.consulted", "M-2", "2023-02-15"));
    // Bắc Giang asks neither survey report, policy nor implementation document before the decision (004 §II.1.2).
    admit(t, make_act("model.established", "M-2", "2023-03-01", founding()));
  } else {
    // The proposal is made "Trên cơ sở kết quả khảo sát" (000 §III.1.1): not before the survey report.
    admit(t, make_act("survey.plan-approved", "M-2", "2023-02-01", step_data("survey.plan-approved", "self-managed")));
    refuses(t, make_act("model.proposed", "M-2", "2023-02-10", proposal()), "order",
            {"model.proposed of M-2 dated 2023-02-10", "M-2 has no survey.reported"});
    admit(t, make_act("survey.reported", "M-2", "2023-02-10", step_data("survey.reported", "self-managed")));
    admit(t, make_act("model.proposed", "M-2", "2023-02-10", proposal()));
    // A model begun by its proposal, with no survey, cannot be established under the baseline.
    admit(t, make_act("model.proposed", "M-3", "2023-02-01", proposal()));
    refuses(t, make_act("model.established", "M-3", "2023-03-01", founding()), "order",
            {"M-3 has no survey.plan-approved, survey.reported, model.policy-issued, model.implementation-issued and "
             "model.consulted"});
  }
}

TEST_CASE("order under bca-22-2022: the establishment after Bước 1–3 (000 §III.1.1–§III.1.4 = 001 §III.1.a–d)", "[lifecycle]") {
  order_rule(kBca);
}
TEST_CASE("order under hoa-binh-2023: the establishment after Bước 1–3 (000 §III.1.1–§III.1.4)", "[lifecycle]") {
  order_rule(kHoaBinh);
}
TEST_CASE("order under binh-thuan-2023: the establishment after Bước 1–3 (001 §III.1.a–d)", "[lifecycle]") {
  order_rule(kBinhThuan);
}
TEST_CASE("order under kon-tum-2022: the establishment after Bước 1–3 (002 silent, 000 §III.1.1–§III.1.4 = 001 §III.1.a–d)", "[lifecycle]") {
  order_rule(kKonTum);
}
TEST_CASE("order under bac-giang-2020: the decision after the proposal and the consultation (004 §II.1.1.1, §II.1.1.4, §II.1.2)", "[lifecycle]") {
  order_rule(kBacGiang);
}

// ---------------------------------------------------------------------------------------------------------------
// eligibility: "Có thời gian hoạt động từ đủ 10 tháng trở lên (tính từ ngày có quyết định thành lập)" (000 §III.2.1
// = 001 §III.2.a), evaluation year "từ ngày 01/11 năm trước đến ngày 31/10 năm sau" (000 §III.2.3 = 001 §III.2.c).

void eligibility_rule(const std::string& profile) {
  TestLedger t(profile, kQuickKey);
  const std::uint64_t established = found_model_at(t, "M-1", "2024-01-08");
  // The decision for 2025 cannot come before 2025's evaluation year opens on 2024-11-01.
  refuses(t, make_act("model.rated", "M-1", "2024-10-31", rating(2025, "good")), "eligibility",
          {"rating decision of M-1 for evaluation year 2025", "dated 2024-10-31", "opens on 2024-11-01"});
  // 2024-01-08 to 2024-11-07: 9 full months, one day short.
  refuses(t, make_act("model.rated", "M-1", "2024-11-07", rating(2024, "good")), "eligibility",
          {"M-1 was established 2024-01-08 by UBND xã Tân Lập (commune)", fmt::format("(entry {})", established),
           "rating decision of 2024-11-07", "operated 9 months", "needs 10"});
  // The closest lawful act: the decision of the next day, 10 full months, within 000 §III.2.3's "trước 10/11".
  admit(t, make_act("model.rated", "M-1", "2024-11-08", rating(2024, "good")));
  // And the decision for 2025 from the day its year opens.
  admit(t, make_act("model.rated", "M-1", "2025-11-01", rating(2025, "good")));
  const SubjectState s = state_of(t, "M-1");
  CHECK(s.ratings.at(2024).date == "2024-11-08");
  CHECK(s.ratings.at(2025).date == "2025-11-01");
}

TEST_CASE("eligibility under bca-22-2022: 10 full months and the year from 1 Nov (000 §III.2.1, §III.2.3 = 001 §III.2.a, §III.2.c)", "[lifecycle]") {
  eligibility_rule(kBca);
}
TEST_CASE("eligibility under hoa-binh-2023: 10 full months and the year from 1 Nov (000 §III.2.1, §III.2.3)", "[lifecycle]") {
  eligibility_rule(kHoaBinh);
}
TEST_CASE("eligibility under binh-thuan-2023: 10 full months and the year from 1 Nov (001 §III.2.a, §III.2.c)", "[lifecycle]") {
  eligibility_rule(kBinhThuan);
}
TEST_CASE("eligibility under kon-tum-2022: 10 full months and the year from 1 Nov (002 silent, 000 §III.2.1 = 001 §III.2.a)", "[lifecycle]") {
  eligibility_rule(kKonTum);
}
TEST_CASE("eligibility off under bac-giang-2020: no eligibility period nor evaluation year (004 §III.1 silent)", "[lifecycle]") {
  TestLedger t(kBacGiang, kQuickKey);
  auto committee = test::commune_committee(t);
  found_model_at(t, "M-1", "2023-03-01");
  bg_dossier(t, "M-1", "2023-03-01", 2023);
  // 8 months after the decision, and a decision for 2025 dated before 1 Nov 2024: both admitted.
  admit(t, make_act("model.rated", "M-1", "2023-11-08", criteria_rating(2023, "average", {"BG.A1", "BG.A2", "BG.A3"}),
                    test::kCommuneCommittee), &committee);
  admit(t, make_act("model.rated", "M-1", "2024-10-31", criteria_rating(2025, "average", {"BG.A1", "BG.A2", "BG.A3"}),
                    test::kCommuneCommittee), &committee);
  const SubjectState s = state_of(t, "M-1");
  CHECK(s.ratings.at(2023).date == "2023-11-08");
  CHECK(s.ratings.at(2025).date == "2024-10-31");
  verified(t);
}

// ---------------------------------------------------------------------------------------------------------------
// same-level: "Cấp nào có thẩm quyền thành lập mô hình thì cấp đó có thẩm quyền xét duyệt, thẩm định, quyết định xếp
// loại" (000 §III.2.3 = 001 §III.2.c) and "cấp nào ra quyết định thành lập thì cấp đó có thẩm quyền kết thúc mô
// hình" (000 §III.3 = 001 §III.3 Bước 3).

void same_level_rule(const std::string& profile) {
  TestLedger t(profile, kQuickKey);
  auto district = t.bind_unit("district", kLacSon);
  const std::uint64_t established = found_model_at(t, "M-1", "2023-03-01");  // by the commune
  const std::string founder = fmt::format("M-1 was established 2023-03-01 by UBND xã Tân Lập (commune) (entry {})", established);
  refuses(t, make_act("model.rated", "M-1", "2024-11-08", rating(2024, "good"), kLacSon), "same-level",
          {"model.rated of M-1 dated 2024-11-08", "decided by UBND huyện Lạc Sơn (district)", founder}, &district);
  admit(t, make_act("model.rated", "M-1", "2024-11-08", rating(2024, "good")));
  refuses(t, make_act("model.reorganized", "M-1", "2024-12-01", {{"teams", 5}}, kLacSon), "same-level",
          {"model.reorganized of M-1 dated 2024-12-01", "UBND huyện Lạc Sơn (district)", founder}, &district);
  admit(t, make_act("model.reorganized", "M-1", "2024-12-01", {{"teams", 5}}));
  for (const auto& k : {"model.termination-reported", "model.termination-consulted"})
    admit(t, make_act(k, "M-1", "2025-01-05"));
  refuses(t, make_act("model.terminated", "M-1", "2025-01-10", {{"reason", "không còn phù hợp"}}, kLacSon),
          "same-level", {"model.terminated of M-1 dated 2025-01-10", "UBND huyện Lạc Sơn (district)", founder},
          &district);
  admit(t, make_act("model.terminated", "M-1", "2025-01-10", {{"reason", "không còn phù hợp"}}));

  // A model the district established is rated by the district, not by the commune.
  found_model_at(t, "M-2", "2023-03-01", "self-managed", &district);
  refuses(t, make_act("model.rated", "M-2", "2024-11-08", rating(2024, "fair")), "same-level",
          {"decided by UBND xã Tân Lập (commune)", "M-2 was established 2023-03-01 by UBND huyện Lạc Sơn (district)"});
  admit(t, make_act("model.rated", "M-2", "2024-11-08", rating(2024, "fair"), kLacSon), &district);
  CHECK(state_of(t, "M-2").authority.unit == "UBND huyện Lạc Sơn");
}

TEST_CASE("same-level under bca-22-2022: the establishing level rates, reorganises and ends (000 §III.2.3, §III.3 = 001 §III.2.c, §III.3)", "[lifecycle]") {
  same_level_rule(kBca);
}
TEST_CASE("same-level under hoa-binh-2023: the establishing level rates, reorganises and ends (000 §III.2.3, §III.3)", "[lifecycle]") {
  same_level_rule(kHoaBinh);
}
TEST_CASE("same-level under binh-thuan-2023: the establishing level rates, reorganises and ends (001 §III.2.c, §III.3)", "[lifecycle]") {
  same_level_rule(kBinhThuan);
}
TEST_CASE("same-level under kon-tum-2022: the establishing level rates, reorganises and ends (002 silent, 000 §III.2.3 = 001 §III.2.c)", "[lifecycle]") {
  same_level_rule(kKonTum);
}
TEST_CASE("same-level off under bac-giang-2020: the quality review is not the establishing level's (004 §III.2), "
          "the liquidation is (004 §II.3)", "[lifecycle]") {
  TestLedger t(kBacGiang, kQuickKey);
  auto district = t.bind_unit("district", kLacSon);
  test::register_bac_giang(t);
  auto committee = t.bind_unit("district committee", test::kDistrictCommittee);
  const std::uint64_t established = found_model_at(t, "M-1", "2023-03-01");  // by the commune chairman (004 §II.1.2)
  // 004 §III.2: the district steering committee (among others) reviews and rates the commune's models.
  admit(t, make_act("model.rated", "M-1", "2023-11-20", criteria_rating(2023, "weak", {"BG.W1"}), test::kDistrictCommittee),
        &committee);
  admit(t, make_act("model.reorganized", "M-1", "2023-11-25", {{"teams", 2}}, kLacSon), &district);
  CHECK(state_of(t, "M-1").ratings.at(2023).level == "weak");
  admit(t, make_act("model.termination-reported", "M-1", "2023-11-28", {{"reason", "xếp loại Yếu"}}));
  // 004 §II.3: "Quyết định thanh loại của người có thẩm quyền (Mô hình tự quản)" — the profile reads it as the
  // establishing level (termination.decided_by = "establishing-level", note: "the phrase §I uses for whoever decides
  // the establishment").
  // So the district's termination of the commune's model is refused although `same-level` is off for ratings.
  refuses(t, make_act("model.terminated", "M-1", "2023-11-30", {{"reason", "xếp loại Yếu"}}, kLacSon), "same-level",
          {"model.terminated of M-1 dated 2023-11-30", "UBND huyện Lạc Sơn (district)",
           fmt::format("M-1 was established 2023-03-01 by UBND xã Tân Lập (commune) (entry {})", established)},
          &district);
  admit(t, make_act("model.terminated", "M-1", "2023-11-30", {{"reason", "xếp loại Yếu"}}));
  CHECK(state_of(t, "M-1").stage == "terminated");
}

// ---------------------------------------------------------------------------------------------------------------
// one-rating: the rating is yearly, "hằng năm" (000 §III.2, §III.2.3 = 001 §III.2, §III.2.c).

void one_rating_rule(const std::string& profile) {
  TestLedger t(profile, kQuickKey);
  found_model_at(t, "M-1", "2023-03-01");
  const std::uint64_t first = admit(t, make_act("model.rated", "M-1", "2024-11-08", rating(2024, "good")));
  refuses(t, make_act("model.rated", "M-1", "2024-11-09", rating(2024, "fair")), "one-rating",
          {"M-1 was rated good for 2024", "decision of 2024-11-08", fmt::format("(entry {})", first)});
  admit(t, make_act("model.rated", "M-1", "2025-11-08", rating(2025, "fair")));
  const SubjectState s = state_of(t, "M-1");
  CHECK(s.ratings.at(2024).level == "good");
  CHECK(s.ratings.at(2025).level == "fair");
}

TEST_CASE("one-rating under bca-22-2022: one rating per model and evaluation year (000 §III.2.3 = 001 §III.2.c)", "[lifecycle]") {
  one_rating_rule(kBca);
}
TEST_CASE("one-rating under hoa-binh-2023: one rating per model and evaluation year (000 §III.2.3)", "[lifecycle]") {
  one_rating_rule(kHoaBinh);
}
TEST_CASE("one-rating under binh-thuan-2023: one rating per model and evaluation year (001 §III.2.c)", "[lifecycle]") {
  one_rating_rule(kBinhThuan);
}
TEST_CASE("one-rating under kon-tum-2022: one rating per model and evaluation year (002 silent, 000 §III.2.3 = 001 §III.2.c)", "[lifecycle]") {
  one_rating_rule(kKonTum);
}
TEST_CASE("one-rating under bac-giang-2020 (format 2): one rating a year, the second tier appraises (004 §III.2)", "[lifecycle]") {
  TestLedger t(kBacGiang, kQuickKey);
  auto committee = test::commune_committee(t);
  found_model_at(t, "M-1", "2023-03-01");
  bg_dossier(t, "M-1", "2023-03-01", 2023);
  const std::uint64_t first =
      admit(t, make_act("model.rated", "M-1", "2023-11-08", criteria_rating(2023, "average", {"BG.A1", "BG.A2", "BG.A3"}),
                        test::kCommuneCommittee), &committee);
  refuses(t, make_act("model.rated", "M-1", "2023-11-20", criteria_rating(2023, "weak", {"BG.W2"})), "one-rating",
          {"M-1 was rated average for 2023", "decision of 2023-11-08", fmt::format("(entry {})", first)});
  admit(t, make_act("model.rated", "M-1", "2024-11-08", criteria_rating(2024, "weak", {"BG.W2"}), test::kCommuneCommittee),
        &committee);
  CHECK(state_of(t, "M-1").ratings.at(2023).level == "average");
  verified(t);
}

// ---------------------------------------------------------------------------------------------------------------
// rating-criteria (format 2): "Ngoài đạt tiêu chí chung, Mô hình cần đạt một trong hai tiêu chí sau" (004 §III.1.1,
// §III.1.2), "Mô hình xếp loại Yếu khi có một trong các tiêu chí sau" (§III.1.4): the level follows from the
// criteria named, and what they claim is in the ledger.

// Requires `act` refused by `rule` like refuses(), and data.mdb byte for byte as it was.
void refuses_untouched(TestLedger& t, const json& act, const std::string& rule, const std::vector<std::string>& names,
                       const UnitSigners* by = nullptr) {
  const std::string before = t.data_bytes();
  refuses(t, act, rule, names, by);
  CHECK(t.data_bytes() == before);
}

const std::vector<std::string> kGoodSM = {"BG.G.SM1", "BG.G.SM2", "BG.G.SM3", "BG.G.SM4", "BG.G.SM5"};
const std::vector<std::string> kFairSM = {"BG.F.SM1", "BG.F.SM2", "BG.F.SM3", "BG.F.SM4"};
std::vector<std::string> plus(std::vector<std::string> v, const std::vector<std::string>& more) {
  v.insert(v.end(), more.begin(), more.end());
  return v;
}

TEST_CASE("rating-criteria under bac-giang-2020: the level follows from the criteria named (004 §III.1.1–§III.1.4)", "[lifecycle]") {
  TestLedger t(kBacGiang, kQuickKey);
  auto committee = test::commune_committee(t);
  found_model_at(t, "M-1", "2023-03-01");
  const std::string rated = "model.rated of M-1 for 2023 dated 2023-11-08 (decides good)";
  refuses_untouched(t, make_act("model.rated", "M-1", "2023-11-08", {{"year", 2023}, {"level", "good"}}),
                    "rating-criteria", {rated, "names no criteria (data.criteria)", kBacGiang});
  refuses_untouched(t, make_act("model.rated", "M-1", "2023-11-08", criteria_rating(2023, "good", plus(kGoodSM, {"BG.C1"}))),
                    "rating-criteria", {rated, "names BG.C1, which is no criterion of the profile"});
  refuses_untouched(t, make_act("model.rated", "M-1", "2023-11-08",
                                criteria_rating(2023, "good", {"BG.G.LK1", "BG.G.LK2", "BG.G.LK3", "BG.G.LK4", "BG.G.LK5", "BG.G.X1"})),
                    "rating-criteria", {"names BG.G.LK1, a criterion of another model type; M-1 is self-managed"});
  refuses_untouched(t, make_act("model.rated", "M-1", "2023-11-08", criteria_rating(2023, "good", plus(kGoodSM, {"BG.G.X2", "BG.W1"}))),
                    "rating-criteria", {rated, "names BG.W1, a criterion of a Weak model"});
  refuses_untouched(t, make_act("model.rated", "M-1", "2023-11-08",
                                criteria_rating(2023, "good", {"BG.G.SM1", "BG.G.SM2", "BG.G.SM3", "BG.G.SM4", "BG.G.X1"})),
                    "rating-criteria", {rated, "does not meet the criteria of that level: it does not name BG.G.SM5"});
  refuses_untouched(t, make_act("model.rated", "M-1", "2023-11-08", criteria_rating(2023, "good", kGoodSM)),
                    "rating-criteria", {"it names none of BG.G.X1 and BG.G.X2"});
  refuses_untouched(t, make_act("model.rated", "M-1", "2023-11-08",
                                criteria_rating(2023, "fair", plus(plus(kFairSM, {"BG.F.X1"}), plus(kGoodSM, {"BG.G.X2"})))),
                    "rating-criteria", {"(decides fair)", "names the criteria of good (all of BG.G.SM1", "and one of BG.G.X1 and BG.G.X2)"});
  refuses_untouched(t, make_act("model.rated", "M-1", "2023-11-08",
                                criteria_rating(2023, "average", {"BG.A1", "BG.A2", "BG.A3", "BG.W3"})),
                    "rating-criteria", {"(decides average)", "names BG.W3"});
  // The proposal of a level is held to the same rule.
  refuses_untouched(t, make_act("model.rating-proposed", "M-1", "2023-11-03", criteria_rating(2023, "fair", kFairSM)),
                    "rating-criteria", {"model.rating-proposed of M-1 for 2023 dated 2023-11-03 (proposes fair)",
                                        "names none of BG.F.X1 and BG.F.X2"});

  // Claims the ledger contradicts. The case: Good one month after founding, with a quarter of its dossier.
  refuses_untouched(t, make_act("model.rated", "M-1", "2023-04-01", criteria_rating(2023, "good", plus(kGoodSM, {"BG.G.X1"}))),
                    "rating-criteria", {"names BG.G.SM1 (the dossier complete), but M-1's dossier lacks item 1 (no model.policy-issued)",
                                        "item 5 (no model.regulations-issued)", "item 8 (no model.plan-issued)",
                                        "item 9 (no model.report-filed)"});
  bg_dossier(t, "M-1", "2023-03-01", 2023);
  refuses_untouched(t, make_act("model.rated", "M-1", "2023-11-08", criteria_rating(2023, "good", plus(kGoodSM, {"BG.G.X1"}))),
                    "rating-criteria", {"names BG.G.X1, but M-1 has no model.announced"});
  refuses_untouched(t, make_act("model.rated", "M-1", "2023-11-08", criteria_rating(2023, "good", plus(kGoodSM, {"BG.G.X2"}))),
                    "rating-criteria", {"names BG.G.X2, but M-1 has no commendation.awarded"});
  // A Weak criterion needs nothing more: "không có hồ sơ hoặc hồ sơ không đầy đủ".
  admit(t, make_act("model.rated", "M-1", "2023-11-08", criteria_rating(2023, "average", {"BG.A1", "BG.A2", "BG.A3"}),
                    test::kCommuneCommittee), &committee);

  // 2024: a commendation of 2023-11-07 is more than 12 months before a decision of 2024-11-08 ("Trong năm").
  auto district = t.bind_unit("district", kLacSon);
  const std::uint64_t old_merit =
      admit(t,
            make_act("commendation.awarded", "M-1", "2023-11-08",
                     {{"form", "giay-khen"}, {"level", "district"}, {"to", "member"}, {"year", 2023}}, kLacSon),
            &district);
  admit(t, make_act("model.plan-issued", "M-1", "2023-11-20", {{"year", 2024}, {"targets", 5}}));
  admit(t, make_act("model.report-filed", "M-1", "2024-11-01", {{"period", "2024"}, {"targets_met", 5}}));
  refuses_untouched(t, make_act("model.rated", "M-1", "2024-11-09", criteria_rating(2024, "good", plus(kGoodSM, {"BG.G.X2"}))),
                    "rating-criteria", {"names BG.G.X2, but M-1's latest commendation.awarded is of 2023-11-08",
                                        fmt::format("(entry {})", old_merit), "not within the 12 months before the decision (from 2023-11-09)"});
  admit(t,
        make_act("model.announced", "M-1", "2024-11-02", {{"scope", "district"}, {"by", "Ban Chỉ đạo huyện Lạc Sơn"}},
                 kLacSon),
        &district);
  admit(t, make_act("model.rating-proposed", "M-1", "2024-11-03", criteria_rating(2024, "good", plus(kGoodSM, {"BG.G.X1"}))));
  admit(t, make_act("model.rated", "M-1", "2024-11-09", criteria_rating(2024, "good", plus(kGoodSM, {"BG.G.X1"})),
                    test::kCommuneCommittee), &committee);
  CHECK(state_of(t, "M-1").ratings.at(2024).level == "good");
  // One rating a year (rules.one-rating, format 2).
  refuses_untouched(t, make_act("model.rated", "M-1", "2024-11-20", criteria_rating(2024, "weak", {"BG.W2"})), "one-rating",
                    {"M-1 was rated good for 2024"});
  verified(t);
}

TEST_CASE("rating-criteria under bac-giang-2020: a linked model names the linked criteria, its dossier its own items (004 §III.1, §II.2.4)", "[lifecycle]") {
  TestLedger t(kBacGiang, kQuickKey);
  auto committee = test::commune_committee(t);
  found_model_at(t, "LK-1", "2023-03-01", "linked");
  const std::vector<std::string> fair = {"BG.F.LK1", "BG.F.LK2", "BG.F.LK3", "BG.F.LK4", "BG.F.LK5", "BG.F.X2"};
  refuses_untouched(t, make_act("model.rated", "LK-1", "2023-11-08", criteria_rating(2023, "fair", plus(kFairSM, {"BG.F.X2"}))),
                    "rating-criteria", {"names BG.F.SM1, a criterion of another model type; LK-1 is linked"});
  admit(t, make_act("commendation.awarded", "LK-1", "2023-10-01", {{"form", "giay-khen"}, {"level", "commune"}, {"to", "model"}}));
  refuses_untouched(t, make_act("model.rated", "LK-1", "2023-11-08", criteria_rating(2023, "fair", fair)), "rating-criteria",
                    {"LK-1's dossier lacks item 5 (no model.plan-issued) and item 7 (no model.report-filed)"});
  admit(t, make_act("model.plan-issued", "LK-1", "2023-10-02", {{"year", 2023}, {"targets", 3}}));
  admit(t, make_act("model.report-filed", "LK-1", "2023-11-01", {{"period", "2023"}, {"targets_met", 3}}));
  admit(t, make_act("model.rated", "LK-1", "2023-11-08", criteria_rating(2023, "fair", fair), test::kCommuneCommittee), &committee);
  CHECK(state_of(t, "LK-1").ratings.at(2023).level == "fair");
  verified(t);
}

TEST_CASE("bac-giang-2020 format 1: a ledger that stored the format-1 file keeps today's admission of ratings "
          "(no criteria checked, two ratings a year)", "[lifecycle]") {
  TestLedger t(kBacGiang, kQuickKey, test::StoredProfile::format1);
  found_model_at(t, "M-1", "2023-03-01");
  // Good one month after founding, citing a Weak criterion, with a quarter of its dossier; then Weak two days later.
  admit(t, make_act("model.rated", "M-1", "2023-04-01",
                    criteria_rating(2023, "good", {"BG.G.SM1", "BG.W1"})));
  admit(t, make_act("model.rated", "M-1", "2023-04-03", criteria_rating(2023, "weak", {"BG.W2"})));
  admit(t, make_act("model.rating-proposed", "M-1", "2023-04-05", criteria_rating(2024, "fair", {})));
  const SubjectState s = state_of(t, "M-1");
  CHECK(s.ratings.size() == 1);
  CHECK(s.ratings.at(2023).level == "weak");  // the later decision stands
  verified(t);
}

// ---------------------------------------------------------------------------------------------------------------
// replication: "trong số những mô hình hoạt động “Tốt” đề xuất nhân rộng" (000 §III.3 = 001 §III.3); a point is
// a locality where a replicated model is applied (000 §VI.1).

void replication_rule(const std::string& profile) {
  TestLedger t(profile, kQuickKey);
  found_model_at(t, "M-1", "2023-03-01");
  refuses(t, make_act("model.replicated", "M-1", "2023-06-01", {{"areas", {"Thôn Đồng Bến"}}}), "replication",
          {"M-1 has never been rated", "model.replicated dated 2023-06-01"});
  // Points of a model not replicated: by its id M-1/Pnnn, or by data.point_of.
  refuses(t, make_act("model.proposed", "M-1/P001", "2023-07-01", proposal()), "replication",
          {"M-1/P001 is a point of M-1", "M-1 was never replicated", "model.proposed of 2023-07-01"});
  json of_origin = proposal();
  of_origin["point_of"] = "M-1";
  refuses(t, make_act("model.proposed", "DB-1", "2023-07-01", of_origin), "replication",
          {"DB-1 is a point of M-1", "M-1 was never replicated"});
  const std::uint64_t fair = admit(t, make_act("model.rated", "M-1", "2024-11-08", rating(2024, "fair")));
  refuses(t, make_act("model.replicated", "M-1", "2024-11-20", {{"areas", {"Thôn Đồng Bến"}}}), "replication",
          {"M-1's latest rating is fair for 2024", fmt::format("decision of 2024-11-08, entry {}", fair), "rated good"});
  admit(t, make_act("model.rated", "M-1", "2025-11-08", rating(2025, "good")));
  admit(t, make_act("model.replicated", "M-1", "2025-11-20", {{"areas", {"Thôn Đồng Bến"}}}));
  admit(t, make_act("model.proposed", "M-1/P001", "2025-12-01", proposal()));
  admit(t, make_act("model.proposed", "DB-1", "2025-12-01", of_origin));
  CHECK(state_of(t, "M-1/P001").kind == "point");
  CHECK(state_of(t, "DB-1").point_of == "M-1");
}

TEST_CASE("replication under bca-22-2022: only a Good model is replicated (000 §III.3 = 001 §III.3)", "[lifecycle]") {
  replication_rule(kBca);
}
TEST_CASE("replication under hoa-binh-2023: only a Good model is replicated, points (000 §III.3, §VI.1)", "[lifecycle]") {
  replication_rule(kHoaBinh);
}
TEST_CASE("replication under binh-thuan-2023: only a Good model is replicated (001 §III.3)", "[lifecycle]") {
  replication_rule(kBinhThuan);
}
TEST_CASE("replication under kon-tum-2022: only a Good model is replicated (002 §1.c, 000 §III.3 = 001 §III.3)", "[lifecycle]") {
  replication_rule(kKonTum);
}
TEST_CASE("replication off under bac-giang-2020: an announcement for replication is itself a Good criterion (004 §III.1.1, §III.2)", "[lifecycle]") {
  TestLedger t(kBacGiang, kQuickKey);
  found_model_at(t, "M-1", "2023-03-01");
  admit(t, make_act("model.proposed", "M-1/P001", "2023-07-01", proposal()));  // a point before any replication
  admit(t, make_act("model.replicated", "M-1", "2023-08-01", {{"areas", {"Thôn Đồng Bến"}}}));  // never rated
  CHECK(state_of(t, "M-1/P001").point_of == "M-1");
  CHECK(state_of(t, "M-1").has("model.replicated"));
  verified(t);
}

// ---------------------------------------------------------------------------------------------------------------
// termination-steps: Bước 1 report, Bước 2 the members' opinions, Bước 3 the decision (000 §III.3 = 001 §III.3);
// Bắc Giang: the proposal report, then the decision (004 §II.3).

void termination_steps_rule(const std::string& profile, const std::vector<std::string>& requires_) {
  TestLedger t(profile, kQuickKey);
  found_model_at(t, "M-1", "2023-03-01");
  admit(t, make_act("model.launched", "M-1", "2023-03-10"));
  std::string needed;
  for (std::size_t i = 0; i < requires_.size(); ++i)
    needed += (i == 0 ? "" : i + 1 == requires_.size() ? " and " : ", ") + requires_[i];
  refuses(t, make_act("model.terminated", "M-1", "2024-01-10"), "termination-steps",
          {"model.terminated of M-1 dated 2024-01-10", "needs " + needed + " before it", profile,
           "M-1 has no " + needed});
  admit(t, make_act("model.termination-reported", "M-1", "2024-01-05", {{"reason", "hoạt động Yếu"}}));
  if (requires_.size() == 2) {
    refuses(t, make_act("model.terminated", "M-1", "2024-01-10"), "termination-steps",
            {"model.terminated of M-1 dated 2024-01-10", "M-1 has no model.termination-consulted"});
    admit(t, make_act("model.termination-consulted", "M-1", "2024-01-08"));
  }
  admit(t, make_act("model.terminated", "M-1", "2024-01-10"));
  CHECK(state_of(t, "M-1").stage == "terminated");
}

const std::vector<std::string> kBaselineTermination = {"model.termination-reported", "model.termination-consulted"};

TEST_CASE("termination-steps under bca-22-2022: report and members' opinions before the decision (000 §III.3 = 001 §III.3 Bước 1–3)", "[lifecycle]") {
  termination_steps_rule(kBca, kBaselineTermination);
}
TEST_CASE("termination-steps under hoa-binh-2023: report and members' opinions before the decision (000 §III.3 Bước 1–3)", "[lifecycle]") {
  termination_steps_rule(kHoaBinh, kBaselineTermination);
}
TEST_CASE("termination-steps under binh-thuan-2023: report and members' opinions before the decision (001 §III.3 Bước 1–3)", "[lifecycle]") {
  termination_steps_rule(kBinhThuan, kBaselineTermination);
}
TEST_CASE("termination-steps under kon-tum-2022: report and members' opinions before the decision (002 silent, 000 §III.3 = 001 §III.3)", "[lifecycle]") {
  termination_steps_rule(kKonTum, kBaselineTermination);
}
TEST_CASE("termination-steps under bac-giang-2020: the proposal report before the liquidation decision (004 §II.3)", "[lifecycle]") {
  termination_steps_rule(kBacGiang, {"model.termination-reported"});
}

// ---------------------------------------------------------------------------------------------------------------
// closed: a terminated (000 §III.3 = 001 §III.3; 004 §II.3), merged (000 §III.3 Lưu ý) or ended (000 §IV.3 = 001
// §IV.3) subject takes no further lifecycle act but the announcement of its end and attachments (domain.md §10).

void closed_rule(const std::string& profile) {
  TestLedger t(profile, kQuickKey);
  found_model_at(t, "M-1", "2023-03-01");
  for (const auto& k : {"model.termination-reported", "model.termination-consulted"})
    admit(t, make_act(k, "M-1", "2024-01-05"));
  const std::uint64_t terminated = admit(t, make_act("model.terminated", "M-1", "2024-01-10"));
  const std::string how = fmt::format("M-1 was terminated by the decision of 2024-01-10 (entry {})", terminated);
  refuses(t, make_act("model.report-filed", "M-1", "2024-02-01", {{"period", "2024-H1"}, {"targets_met", 1}}), "closed",
          {how, "model.report-filed"});
  refuses(t, make_act("model.rated", "M-1", "2024-11-08", rating(2024, "weak")), "closed", {how, "model.rated"});
  // The closest lawful act: the public announcement of the end (000 §III.3 Bước 4).
  admit(t, make_act("model.termination-announced", "M-1", "2024-02-01", {{"reason", "thông báo công khai"}}));

  // Merged: M-2 into M-3; M-2 takes nothing more, M-3 goes on; a terminated model is not merged.
  found_model_at(t, "M-2", "2023-04-01");
  found_model_at(t, "M-3", "2023-05-01");
  refuses(t, make_act("model.merged", "M-3", "2024-03-01", {{"from", {"M-1"}}}), "closed",
          {"model.merged of M-3 dated 2024-03-01 merges M-1, which was terminated by the decision of 2024-01-10",
           fmt::format("(entry {})", terminated)});
  const std::uint64_t merged = admit(t, make_act("model.merged", "M-3", "2024-03-01", {{"from", {"M-2"}}}));
  refuses(t, make_act("model.launched", "M-2", "2024-03-10"), "closed",
          {fmt::format("M-2 was merged into M-3 on 2024-03-01 (entry {})", merged), "model.launched"});
  admit(t, make_act("model.launched", "M-3", "2024-03-10"));

  // Ended exemplar.
  admit(t, make_act("exemplar.surveyed", "DH-1", "2023-02-01", {{"holder", "Nguyễn Văn An"}}));
  admit(t, make_act("exemplar.criteria-set", "DH-1", "2023-02-15", criteria_set()));
  admit(t, make_act("exemplar.plan-issued", "DH-1", "2023-03-01"));
  admit(t, make_act("exemplar.evaluated", "DH-1", "2024-01-15", {{"met", {"C1"}}}));
  const std::uint64_t ended = admit(t, make_act("exemplar.ended", "DH-1", "2024-02-01"));
  refuses(t, make_act("exemplar.recognized", "DH-1", "2024-03-01", {{"level", "commune"}}), "closed",
          {fmt::format("DH-1 was ended by the decision of 2024-02-01 (entry {})", ended), "exemplar.recognized"});

  CHECK(state_of(t, "M-1").stage == "terminated");
  CHECK(state_of(t, "M-2").stage == "merged");
  CHECK(state_of(t, "M-3").stage == "active");
  CHECK(state_of(t, "DH-1").stage == "ended");
}

TEST_CASE("closed under bca-22-2022: nothing after the end but its announcement (000 §III.3 = 001 §III.3 Bước 4, §IV.3)", "[lifecycle]") {
  closed_rule(kBca);
}
TEST_CASE("closed under hoa-binh-2023: nothing after the end but its announcement, merged models (000 §III.3 Bước 4, Lưu ý, §IV.3)", "[lifecycle]") {
  closed_rule(kHoaBinh);
}
TEST_CASE("closed under binh-thuan-2023: nothing after the end but its announcement (001 §III.3 Bước 4, §IV.3)", "[lifecycle]") {
  closed_rule(kBinhThuan);
}
TEST_CASE("closed under kon-tum-2022: nothing after the end but its announcement (002 silent, 000 §III.3 = 001 §III.3)", "[lifecycle]") {
  closed_rule(kKonTum);
}
TEST_CASE("closed under bac-giang-2020: nothing after the liquidation (004 §II.3)", "[lifecycle]") {
  closed_rule(kBacGiang);
}

// ---------------------------------------------------------------------------------------------------------------
// exemplar-order: Bước 1 survey and criteria, Bước 2 the build plan, Bước 3 self-assessment and evaluation "căn cứ
// tiêu chí chung ... và tiêu chí riêng", then recognition or the end; replication of a recognised exemplar
// (000 §IV.1.1–§IV.1.3, §IV.2 = 001 §IV.1 Bước 1–3, §IV.2).

void exemplar_order_rule(const std::string& profile) {
  TestLedger t(profile, kQuickKey);
  admit(t, make_act("exemplar.surveyed", "DH-1", "2023-02-01", {{"holder_kind", "individual"}}));
  refuses(t, make_act("exemplar.evaluated", "DH-1", "2023-02-10", {{"met", {"C1"}}}), "exemplar-order",
          {"exemplar.evaluated of DH-1 dated 2023-02-10", "needs exemplar.criteria-set and exemplar.plan-issued",
           "DH-1 has no exemplar.criteria-set and exemplar.plan-issued"});
  const std::uint64_t set = admit(t, make_act("exemplar.criteria-set", "DH-1", "2023-02-15", criteria_set()));
  refuses(t, make_act("exemplar.self-assessed", "DH-1", "2023-02-20", {{"met", {"C1"}}}), "exemplar-order",
          {"exemplar.self-assessed of DH-1 dated 2023-02-20", "DH-1 has no exemplar.plan-issued"});
  admit(t, make_act("exemplar.plan-issued", "DH-1", "2023-03-01"));
  refuses(t, make_act("exemplar.recognized", "DH-1", "2023-06-01", {{"level", "commune"}}), "exemplar-order",
          {"exemplar.recognized of DH-1 dated 2023-06-01", "DH-1 has no exemplar.evaluated"});
  refuses(t, make_act("exemplar.ended", "DH-1", "2023-06-01"), "exemplar-order", {"DH-1 has no exemplar.evaluated"});
  // The criteria met are criteria of its set.
  refuses(t, make_act("exemplar.evaluated", "DH-1", "2023-12-01", {{"met", {"C1", "C9"}}}), "exemplar-order",
          {"lists criterion C9 as met", fmt::format("criteria set of 2023-02-15 (entry {}: C1, C2 and C3)", set)});
  admit(t, make_act("exemplar.evaluated", "DH-1", "2023-12-01", {{"met", {"C1", "C2", "C3"}}}));
  refuses(t, make_act("exemplar.replicated", "DH-1", "2023-12-05", {{"areas", {"Thôn Đồng Bến"}}}), "exemplar-order",
          {"exemplar.replicated of DH-1 dated 2023-12-05", "only a recognized exemplar", "stage building"});
  admit(t, make_act("exemplar.recognized", "DH-1", "2024-01-10", {{"level", "commune"}}));
  admit(t, make_act("exemplar.replicated", "DH-1", "2024-02-01", {{"areas", {"Thôn Đồng Bến"}}}));
  CHECK(state_of(t, "DH-1").stage == "recognized");
}

TEST_CASE("exemplar-order under bca-22-2022: criteria and plan before evaluation, evaluation before recognition (000 §IV.1 = 001 §IV.1)", "[lifecycle]") {
  exemplar_order_rule(kBca);
}
TEST_CASE("exemplar-order under hoa-binh-2023: criteria and plan before evaluation, evaluation before recognition (000 §IV.1.1–§IV.1.3, §IV.2)", "[lifecycle]") {
  exemplar_order_rule(kHoaBinh);
}
TEST_CASE("exemplar-order under hoa-binh-2023: a province-level exemplar is recognised by the provincial chairman (000 §IV.1.3)", "[lifecycle]") {
  TestLedger t(kHoaBinh, kQuickKey);
  auto district = t.bind_unit("district", kLacSon);
  auto province = t.bind_unit("province", kHoaBinhProvince);
  admit(t, make_act("exemplar.surveyed", "DH-2", "2023-02-01", {{"holder", "Hợp tác xã Đồng Tâm"}, {"holder_kind", "collective"}}));
  admit(t, make_act("exemplar.criteria-set", "DH-2", "2023-02-15", criteria_set()));
  admit(t, make_act("exemplar.plan-issued", "DH-2", "2023-03-01"));
  admit(t, make_act("exemplar.evaluated", "DH-2", "2023-12-01", {{"met", {"C1", "C2", "C3"}}}));
  // "Chủ tịch Ủy ban nhân dân các huyện ... hoàn thiện hồ sơ đề nghị Chủ tịch Ủy ban nhân dân tỉnh công nhận điển
  // hình cấp tỉnh": the district proposes, the province recognises.
  refuses(t, make_act("exemplar.recognized", "DH-2", "2024-01-10", {{"level", "province"}}, kLacSon), "exemplar-order",
          {"DH-2 is recognized as a province-level exemplar by UBND huyện Lạc Sơn (district)",
           "only a province authority", kHoaBinh},
          &district);
  refuses(t, make_act("exemplar.recognized", "DH-2", "2024-01-10", {{"level", "province"}}), "exemplar-order",
          {"by UBND xã Tân Lập (commune)"});
  admit(t, make_act("exemplar.recognized", "DH-2", "2024-01-10", {{"level", "province"}}, kHoaBinhProvince), &province);
  const SubjectState s = state_of(t, "DH-2");
  CHECK(s.stage == "recognized");
  CHECK(s.authority.unit == "UBND tỉnh Hòa Bình");
  CHECK(s.authority.level == "province");
}
TEST_CASE("exemplar-order under binh-thuan-2023: criteria and plan before evaluation, evaluation before recognition (001 §IV.1 Bước 1–3, §IV.2)", "[lifecycle]") {
  exemplar_order_rule(kBinhThuan);
}
TEST_CASE("exemplar-order under kon-tum-2022: criteria and plan before evaluation, evaluation before recognition (002 silent, 000 §IV.1 = 001 §IV.1)", "[lifecycle]") {
  exemplar_order_rule(kKonTum);
}
TEST_CASE("exemplar-order off under bac-giang-2020: 004 has no exemplar procedure (profile exemplar: null)", "[lifecycle]") {
  TestLedger t(kBacGiang, kQuickKey);
  admit(t, make_act("exemplar.surveyed", "DH-1", "2023-02-01", {{"holder", "Nguyễn Văn An"}}));
  admit(t, make_act("exemplar.evaluated", "DH-1", "2023-02-10", {{"met", {"C1"}}}));  // no criteria set, no plan
  admit(t, make_act("exemplar.recognized", "DH-1", "2023-03-01", {{"level", "province"}}));  // by the commune
  admit(t, make_act("exemplar.replicated", "DH-1", "2023-04-01", {{"areas", {"Thôn Đồng Bến"}}}));
  const SubjectState s = state_of(t, "DH-1");
  CHECK(s.stage == "recognized");
  CHECK(s.met == std::vector<std::string>{"C1"});
  verified(t);
}

}  // namespace
}  // namespace antq::projections

namespace antq::projections {
namespace {

// domain.md §9: "A profile change applies to acts dated on or after its effective date"; Bình Thuận 001 replaced
// QĐ 1383/2017 with a transition. Here Hòa Bình's rules give way to Bắc Giang's from 2025-01-01.
TEST_CASE("profile.adopted: acts dated from its effective date are judged by the new profile, earlier ones by the old", "[lifecycle]") {
  TestLedger t(kHoaBinh, kQuickKey);
  // Bắc Giang's reviewers (rule rater, 004 §III.2), in the registry from before the adoption.
  auto committee = test::commune_committee(t);
  found_model_at(t, "M-1", "2023-03-01");
  admit(t, make_act("model.rated", "M-1", "2024-11-08", rating(2024, "good")));
  const json adopt = {{"act", "profile.adopted"}, {"subject", "ledger"}, {"date", "2024-12-01"},
                      {"data", {{"profile", kBacGiang}, {"effective", "2025-01-01"}}}};
  REQUIRE(t.append({test::sign(adopt, t.admin)}));  // antq sign attaches projections/profiles/bac-giang-2020.json

  // Dated before 2025-01-01: still Hòa Bình's rules (one rating a year; the six founding steps).
  refuses(t, make_act("model.rated", "M-1", "2024-12-15", rating(2024, "fair")), "one-rating",
          {"M-1 was rated good for 2024", "decision of 2024-11-08"});
  admit(t, make_act("model.proposed", "M-2", "2024-12-02", proposal()));
  refuses(t, make_act("model.consulted", "M-2", "2024-12-10"), "order",
          {"hoa-binh-2023", "M-2 has no survey.plan-approved"});
  // From 2025-01-01: Bắc Giang's (004 §II.1: the proposal and the consultation found a model).
  admit(t, make_act("model.consulted", "M-2", "2025-01-02"));
  admit(t, make_act("model.established", "M-2", "2025-01-05", founding()));
  CHECK(state_of(t, "M-2").stage == "established");
  // Bắc Giang's rating: by the criteria named (rule rating-criteria), one a year (rule one-rating, format 2).
  refuses(t, make_act("model.rated", "M-1", "2025-01-10", criteria_rating(2024, "weak", {"BG.W2"})), "one-rating",
          {"M-1 was rated good for 2024"});
  refuses(t, make_act("model.rated", "M-1", "2025-01-10", criteria_rating(2025, "fair", {"BG.C1"})), "rating-criteria",
          {"names BG.C1, which is no criterion of the profile", kBacGiang});
  // Bắc Giang's reviewers rate (rule rater): the founder no more, its steering committee.
  refuses(t, make_act("model.rated", "M-1", "2025-01-10", criteria_rating(2025, "weak", {"BG.W2"})), "rater",
          {"decided by UBND xã Tân Lập (people-committee, commune)", kBacGiang});
  admit(t, make_act("model.rated", "M-1", "2025-01-10", criteria_rating(2025, "weak", {"BG.W2"}), test::kCommuneCommittee),
        &committee);
  CHECK(state_of(t, "M-1").ratings.at(2025).level == "weak");
  verified(t);
}

}  // namespace
}  // namespace antq::projections
