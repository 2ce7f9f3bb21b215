// Models in agencies, enterprises and schools under Circular 124/2021/TT-BCA (Hòa Bình 000 §III.2.3: "riêng đối
// với mô hình trong cơ quan, doanh nghiệp, cơ sở giáo dục thuộc diện đối tượng điều chỉnh của Thông tư số
// 124/2021/TT-BCA … thì cấp có thẩm quyền hoặc được ủy quyền xét duyệt, quyết định công nhận đạt tiêu chuẩn “An toàn
// về an ninh, trật tự” … có thẩm quyền xét duyệt, thẩm định, xếp loại mô hình"): the unit the registry names as the
// one recognising the school's "An toàn về an ninh, trật tự" rates its models; the school itself does not.
#include <set>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "projections/admission.hpp"
#include "projections/profile.hpp"
#include "projections/query.hpp"
#include "projections/units.hpp"
#include "support.hpp"

namespace antq::projections {
namespace {

using nlohmann::json;
using test::make_act;
using test::rating;
using test::TestLedger;
using test::UnitSigners;

const json kSchool = {{"level", "agency"}, {"unit", "Trường THPT Yên Thủy A"}};
const json kPolice = {{"level", "district"}, {"unit", "Công an huyện Yên Thủy"}};

json registered_unit(const std::string& name, const std::string& level, const std::string& kind,
                     const std::string& parent, json extra = json::object()) {
  json data = {{"name", name}, {"level", level}, {"kind", kind}, {"from", "2020-01-01"}};
  if (!parent.empty()) data["parent"] = parent;
  data.update(extra);
  return json{{"act", "unit.registered"}, {"subject", "ledger"}, {"date", "2023-01-02"}, {"data", std::move(data)}};
}

// The Ministry baseline's steps and the establishment of model `id` by `by`, dated up to 2023-03-01.
void found_model_by(TestLedger& t, const std::string& id, const UnitSigners& by) {
  std::vector<ledger::Submission> batch;
  int day = 1;
  for (const auto& step : test::kBaselineSteps) {
    json data = json::object();
    if (step == "model.proposed")
      data = {{"name", "Tổ an ninh trường học"}, {"type", "self-managed"}, {"area", "Trường THPT Yên Thủy A"},
              {"field", "school"}};
    batch.push_back(test::sign(make_act(step, id, fmt::format("2023-02-{:02}", day++), data, by.unit), by.person,
                               is_decision_act(step) ? &by.office : nullptr));
  }
  batch.push_back(test::sign(make_act("model.established", id, "2023-03-01",
                                      {{"name", "Tổ an ninh trường học"}, {"type", "self-managed"},
                                       {"area", "Trường THPT Yên Thủy A"}, {"teams", 2}},
                                      by.unit),
                             by.person, &by.office));
  auto r = t.append(batch);
  if (!r) FAIL("founding " + id + ": " + r.error().line());
}

struct School {
  explicit School(const std::string& profile, bool tt124 = true) : t(profile, "p256") {
    school = t.bind_unit("school", kSchool);
    police = t.bind_unit("police", kPolice);
    std::vector<ledger::Submission> acts{
        test::sign(registered_unit("UBND huyện Yên Thủy", "district", "people-committee", ""), t.admin),
        test::sign(registered_unit("Công an huyện Yên Thủy", "district", "police", "UBND huyện Yên Thủy"), t.admin),
        test::sign(registered_unit(
                       "Trường THPT Yên Thủy A", "agency", "school", "UBND huyện Yên Thủy",
                       tt124 ? json{{"tt124", true}, {"safety_recognizer", "công an huyện yên thủy"}} : json::object()),
                   t.admin)};
    auto r = t.append(acts);
    if (!r) FAIL(r.error().line());
    found_model_by(t, "TH-1", school);
  }
  Result<std::vector<std::uint64_t>> rate(const UnitSigners& by, const std::string& date = "2024-11-08") {
    return t.record(by, make_act("model.rated", "TH-1", date, rating(2024, "good"), by.unit));
  }
  TestLedger t;
  UnitSigners school, police;
};

TEST_CASE("Circular 124 under hoa-binh-2023: the unit recognising a school's safety rates its model, the school does "
          "not (000 §III.2.3)",
          "[lifecycle][units]") {
  School s("hoa-binh-2023");
  const std::string before = s.t.data_bytes();
  auto by_school = s.rate(s.school);
  REQUIRE_FALSE(by_school);
  CHECK_THAT(by_school.error().line(),
             Catch::StartsWith("refused [same-level]: model.rated of TH-1 dated 2024-11-08 is decided by Trường THPT "
                               "Yên Thủy A") &&
                 Catch::Contains("Circular 124/2021/TT-BCA") && Catch::Contains("Công an huyện Yên Thủy") &&
                 Catch::Contains("000 §III.2.3"));
  CHECK(s.t.data_bytes() == before);
  auto by_police = s.rate(s.police);
  if (!by_police) FAIL(by_police.error().line());
  auto state = subject_state(LedgerState(*s.t.ledger), "TH-1");
  REQUIRE(state);
  CHECK(state->ratings.at(2024).level == "good");
  CHECK(state->authority.unit == "Trường THPT Yên Thủy A");  // the founder stays the school
  // Termination stays the founder's: the police may not end the school's model.
  for (const auto& k : {"model.termination-reported", "model.termination-consulted"})
    REQUIRE(s.t.record(s.school, make_act(k, "TH-1", "2025-01-05", json::object(), kSchool), false));
  auto ended = s.t.record(s.police, make_act("model.terminated", "TH-1", "2025-01-10", {{"reason", "x"}}, kPolice));
  REQUIRE_FALSE(ended);
  CHECK(ended.error().rule == "same-level");
  CHECK(s.t.verify().ok);
}

TEST_CASE("Circular 124 where the profile does not apply it, or the school is not registered under it: same-level "
          "as before",
          "[lifecycle][units]") {
  SECTION("bca-22-2022 does not apply it: the school rates, the police is refused") {
    School s("bca-22-2022");
    auto by_police = s.rate(s.police);
    REQUIRE_FALSE(by_police);
    CHECK(by_police.error().rule == "same-level");
    CHECK_THAT(by_police.error().message, !Catch::Contains("Circular 124"));
    REQUIRE(s.rate(s.school));
  }
  SECTION("hoa-binh-2023, a school registered without tt124: the school rates") {
    School s("hoa-binh-2023", false);
    REQUIRE_FALSE(s.rate(s.police));
    REQUIRE(s.rate(s.school));
  }
}

TEST_CASE("unit.registered with tt124 is refused when it cannot apply, data.mdb unchanged", "[lifecycle][units]") {
  TestLedger t("hoa-binh-2023", "p256");
  REQUIRE(t.append({test::sign(registered_unit("UBND huyện Yên Thủy", "district", "people-committee", ""), t.admin)}));
  auto refused_with = [&](const json& act, const std::string& words) {
    const std::string before = t.data_bytes();
    auto r = t.append({test::sign(act, t.admin)});
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().line(), Catch::StartsWith("refused [unit]: ") && Catch::Contains(words));
    CHECK(t.data_bytes() == before);
  };
  refused_with(registered_unit("UBND xã Phú Lai", "commune", "people-committee", "UBND huyện Yên Thủy",
                               {{"tt124", true}, {"safety_recognizer", "UBND huyện Yên Thủy"}}),
               "Circular 124/2021/TT-BCA covers agencies, enterprises and schools");
  refused_with(registered_unit("Trường THCS Phú Lai", "agency", "school", "UBND huyện Yên Thủy", {{"tt124", true}}),
               "names no safety_recognizer");
  refused_with(registered_unit("Trường THCS Phú Lai", "agency", "school", "UBND huyện Yên Thủy",
                               {{"tt124", true}, {"safety_recognizer", "Công an huyện Yên Thuỷ"}}),
               "safety_recognizer \"Công an huyện Yên Thuỷ\" is not a registered unit");
  refused_with(registered_unit("Trường THCS Phú Lai", "agency", "school", "UBND huyện Yên Thủy",
                               {{"safety_recognizer", "UBND huyện Yên Thủy"}}),
               "safety_recognizer without tt124");
}

TEST_CASE("Profile section circular_124: format 2 only, applied by hoa-binh-2023 alone", "[projections][units]") {
  for (const auto& id : known_profiles()) {
    INFO(id);
    auto p = builtin_profile(id);
    REQUIRE(p);
    CHECK((*p)->circular_124.applies == (id == "hoa-binh-2023"));
    CHECK_FALSE((*p)->circular_124.cite.empty());
    auto frozen = frozen_format1_profile(id);
    REQUIRE(frozen);
    CHECK_FALSE((*frozen)->circular_124.applies);
  }
  json j = json::parse(builtin_profile_text("hoa-binh-2023"));
  j.erase("circular_124");
  auto missing = parse_profile(j.dump(), "test.json");
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().message, Catch::Contains("circular_124: missing"));
  json v1 = json::parse(frozen_format1_text("hoa-binh-2023"));
  v1["circular_124"] = {{"applies", true}, {"cite", "x"}};
  auto unknown = parse_profile(v1.dump(), "test.json");
  REQUIRE_FALSE(unknown);
  CHECK_THAT(unknown.error().message, Catch::Contains("circular_124: unknown field"));
}

}  // namespace
}  // namespace antq::projections

namespace antq::projections {
namespace {

TEST_CASE("Circular 124 after the 2025 reorganisation: the unit that took over the recognizer's competence rates",
          "[lifecycle][units][reorganisation]") {
  School s("hoa-binh-2023");
  REQUIRE(s.rate(s.police));  // 2024, by the district police
  const json kCommunePolice = {{"level", "commune"}, {"unit", "Công an xã Yên Thủy"}};
  auto commune_police = s.t.bind_unit("commune-police", kCommunePolice);
  json registered = registered_unit("Công an xã Yên Thủy", "commune", "police", "");
  registered["data"]["from"] = "2025-07-01";
  json abolished = {{"act", "unit.reorganised"}, {"subject", "ledger"}, {"date", "2025-06-20"},
                    {"data", {{"effective", "2025-07-01"}, {"kind", "abolished"},
                              {"units", {"Công an huyện Yên Thủy"}}, {"successor", "Công an xã Yên Thủy"}}}};
  auto admitted = s.t.append({test::sign(registered, s.t.admin), test::sign(abolished, s.t.admin)});
  if (!admitted) FAIL(admitted.error().line());
  const std::string before = s.t.data_bytes();
  auto by_school = s.t.record(s.school, make_act("model.rated", "TH-1", "2025-11-08", rating(2025, "good"), kSchool));
  REQUIRE_FALSE(by_school);
  CHECK_THAT(by_school.error().line(), Catch::StartsWith("refused [same-level]: ") &&
                                           Catch::Contains("its models are rated by Công an xã Yên Thủy"));
  auto by_district_police = s.t.record(s.police, make_act("model.rated", "TH-1", "2025-11-08", rating(2025, "good"), kPolice));
  REQUIRE_FALSE(by_district_police);
  CHECK(by_district_police.error().rule == "authority");
  CHECK(s.t.data_bytes() == before);
  auto by_successor =
      s.t.record(commune_police, make_act("model.rated", "TH-1", "2025-11-08", rating(2025, "good"), kCommunePolice));
  if (!by_successor) FAIL(by_successor.error().line());
  CHECK(s.t.verify().ok);
}

}  // namespace
}  // namespace antq::projections
