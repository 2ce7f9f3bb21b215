// Who rates under Bắc Giang (rule `rater`, profile field rating.raters; docs/rules.md "Who rates"): 004 §III.2 "06
// tháng, một năm Phòng An ninh chính trị nội bộ, Phòng An ninh kinh tế (Công an tỉnh), Ban Chỉ đạo huyện, thành phố,
// Ban Chỉ đạo xã, phường, thị trấn, tổ chức rà soát, đánh giá chất lượng các Mô hình". A model.rated is decided by a
// unit the registry holds on the act's date, of a listed kind and level, whose area covers the model's founder.
// Acts dated as 004's calendar has it: founded in spring, the yearly review reported before 10 November (§III.2).
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "bac_giang_units.hpp"
#include "projections/admission.hpp"
#include "projections/query.hpp"
#include "projections/units.hpp"
#include "support.hpp"

namespace antq::projections {
namespace {

using nlohmann::json;
using test::make_act;
using test::require_ok;
using test::TestLedger;
using test::UnitSigners;
using test::verified;

const std::string kRaterProfile = "bac-giang-2020";
const std::string kReviewers =
    "under bac-giang-2020 the reviewers are a police unit of level province, a steering-committee of level district "
    "or a steering-committee of level commune, each for the models of its area (004 §III.2)";

// A Weak rating names one Weak criterion and needs nothing more in the chain (004 §III.1.4, rule rating-criteria).
json weak(int year) { return {{"year", year}, {"level", "weak"}, {"criteria", {"BG.W2"}}}; }

// Bắc Giang's step 1 (proposal, consultation) and the commune chairman's establishment decision (004 §II.1.1–§II.1.2).
void found_by_chairman(TestLedger& t, const std::string& id, const std::string& month = "03") {
  t.admit(make_act("model.proposed", id, fmt::format("2023-{}-01", month),
                   {{"name", "Tổ tự quản về an ninh, trật tự"}, {"type", "self-managed"}, {"area", "Thôn Đồng Tâm"}}));
  t.admit(make_act("model.consulted", id, fmt::format("2023-{}-10", month)));
  t.admit(make_act("model.established", id, fmt::format("2023-{}-20", month),
                   {{"name", "Tổ tự quản về an ninh, trật tự"}, {"type", "self-managed"}, {"teams", 2}}));
}

// Requires `act` signed by `by` refused [rater] with a message holding each of `names`, data.mdb byte for byte as it
// was.
void refused_rater(TestLedger& t, const UnitSigners* by, const json& act, const std::vector<std::string>& names) {
  const std::string before = t.data_bytes();
  auto r = by ? t.record(*by, act) : t.record(act);
  REQUIRE_FALSE(r);
  INFO(r.error().line());
  CHECK(r.error().kind == ErrorKind::refused);
  CHECK(r.error().rule == "rater");
  CHECK_THAT(r.error().line(), Catch::StartsWith("refused [rater]: "));
  for (const auto& n : names) CHECK_THAT(r.error().message, Catch::Contains(n));
  CHECK(t.data_bytes() == before);
}

void admitted(TestLedger& t, const UnitSigners& by, const json& act) {
  auto r = t.record(by, act);
  if (!r) FAIL(r.error().line());
}

TEST_CASE("rater under bac-giang-2020: a rater the registry does not hold is refused, saying to register it (004 §III.2)", "[rater]") {
  TestLedger t(kRaterProfile, "p256");
  found_by_chairman(t, "M-1");
  // No registry at all: the founding commune's chairman rates, as every profile let it before rule rater.
  refused_rater(t, nullptr, make_act("model.rated", "M-1", "2023-11-08", weak(2023)),
                {"model.rated of M-1 dated 2023-11-08 is decided by UBND xã Tân Lập (commune), which the unit registry "
                 "does not hold on 2023-11-08; " + kReviewers,
                 "an administrator registers it first (unit.registered with its kind and level, under the unit of its area)"});
  // A committee bound, but not registered.
  auto committee = t.bind_unit("committee", test::kCommuneCommittee);
  refused_rater(t, &committee, make_act("model.rated", "M-1", "2023-11-08", weak(2023), test::kCommuneCommittee),
                {"decided by Ban Chỉ đạo xã Tân Lập (commune), which the unit registry does not hold on 2023-11-08"});
  // Registered once its rating is dated: the registry as of the act's date, not the ledger's latest.
  test::register_bac_giang(t);
  std::vector<ledger::Submission> late{test::sign(test::unit_registered("Tổ rà soát mô hình xã Tân Lập", "commune",
                                                                        "steering-committee", "UBND xã Tân Lập",
                                                                        "2024-01-01", "2023-12-01"),
                                                  t.admin)};
  require_ok(t.append(late));
  const json kTeam = {{"level", "commune"}, {"unit", "Tổ rà soát mô hình xã Tân Lập"}};
  auto team = t.bind_unit("team", kTeam);
  refused_rater(t, &team, make_act("model.rated", "M-1", "2023-12-08", weak(2023), kTeam),
                {"decided by Tổ rà soát mô hình xã Tân Lập (commune), which the unit registry does not hold on 2023-12-08"});
  admitted(t, team, make_act("model.rated", "M-1", "2024-11-08", weak(2024), kTeam));
  verified(t);
}

TEST_CASE("rater under bac-giang-2020: a registered unit of a kind or level 004 §III.2 does not list is refused", "[rater]") {
  TestLedger t(kRaterProfile, "p256");
  test::register_bac_giang(t);
  found_by_chairman(t, "M-1");
  // The founder: a people's committee (004 §II.1.2 founds; §III.2 reviews by others).
  refused_rater(t, nullptr, make_act("model.rated", "M-1", "2023-11-08", weak(2023)),
                {"model.rated of M-1 dated 2023-11-08 is decided by UBND xã Tân Lập (people-committee, commune); " + kReviewers});
  // The provincial police itself is a police unit of province level: 004 names its two departments, which the registry
  // cannot tell from it (profile note); a district police is not listed.
  const json kDistrictPolice = {{"level", "district"}, {"unit", "Công an huyện Lạc Sơn"}};
  require_ok(t.append({test::sign(test::unit_registered("Công an huyện Lạc Sơn", "district", "police", "UBND huyện Lạc Sơn"),
                                  t.admin)}));
  auto police = t.bind_unit("district police", kDistrictPolice);
  refused_rater(t, &police, make_act("model.rated", "M-1", "2023-11-08", weak(2023), kDistrictPolice),
                {"decided by Công an huyện Lạc Sơn (police, district); " + kReviewers});
  // The district's people's committee: a listed level, not a listed kind.
  const json kDistrict = {{"level", "district"}, {"unit", "UBND huyện Lạc Sơn"}};
  auto district = t.bind_unit("district", kDistrict);
  refused_rater(t, &district, make_act("model.rated", "M-1", "2023-11-08", weak(2023), kDistrict),
                {"decided by UBND huyện Lạc Sơn (people-committee, district); " + kReviewers});
  // A proposal is not a rating decision: 004 says who reviews, not who proposes (rule rater judges model.rated).
  t.admit(make_act("model.rating-proposed", "M-1", "2023-11-03", weak(2023)));
  verified(t);
}

TEST_CASE("rater under bac-giang-2020: a committee rates the models of its area only (the highest unit of its level above it)", "[rater]") {
  TestLedger t(kRaterProfile, "p256");
  test::register_bac_giang(t);
  found_by_chairman(t, "M-1");
  // The steering committee of Tân Mỹ is registered under UBND xã Tân Mỹ: its area is that commune.
  auto other = t.bind_unit("other committee", test::kOtherCommuneCommittee);
  refused_rater(t, &other, make_act("model.rated", "M-1", "2023-11-08", weak(2023), test::kOtherCommuneCommittee),
                {"model.rated of M-1 dated 2023-11-08 is decided by Ban Chỉ đạo xã Tân Mỹ (steering-committee, commune), "
                 "whose area is UBND xã Tân Mỹ; M-1 was founded by UBND xã Tân Lập (commune), which the registry on "
                 "2023-11-08 does not hold under UBND xã Tân Mỹ: " + kReviewers});
  // A committee registered straight under the district committee, not under its commune: its area is itself.
  require_ok(t.append({test::sign(test::unit_registered("Ban Chỉ đạo thị trấn Lạc Sơn", "commune", "steering-committee",
                                                        "Ban Chỉ đạo huyện Lạc Sơn"),
                                  t.admin)}));
  const json kTown = {{"level", "commune"}, {"unit", "Ban Chỉ đạo thị trấn Lạc Sơn"}};
  auto town = t.bind_unit("town", kTown);
  refused_rater(t, &town, make_act("model.rated", "M-1", "2023-11-08", weak(2023), kTown),
                {"whose area is Ban Chỉ đạo thị trấn Lạc Sơn; M-1 was founded by UBND xã Tân Lập (commune)"});
  // Police departments registered under a Công an tỉnh that stands alone (no people's committee above it) cover no
  // commune.
  TestLedger u(kRaterProfile, "p256");
  require_ok(u.append({test::sign(test::unit_registered("Công an tỉnh Bắc Giang", "province", "police", ""), u.admin),
                       test::sign(test::unit_registered(test::kSecurityDepartment["unit"].get<std::string>(), "province",
                                                        "police", "Công an tỉnh Bắc Giang"),
                                  u.admin)}));
  found_by_chairman(u, "M-1");
  auto department = u.bind_unit("department", test::kSecurityDepartment);
  refused_rater(u, &department, make_act("model.rated", "M-1", "2023-11-08", weak(2023), test::kSecurityDepartment),
                {"(police, province), whose area is Công an tỉnh Bắc Giang; M-1 was founded by UBND xã Tân Lập (commune)"});
  // The area found in the registry: UnitTree, rater_area.
  const UnitTree tree(registered_units(LedgerState(*t.ledger)), "2023-11-08");
  REQUIRE(tree.find("Ban Chỉ đạo xã Tân Lập"));
  CHECK(rater_area(tree, *tree.find("Ban Chỉ đạo xã Tân Lập")).name == "UBND xã Tân Lập");
  CHECK(rater_area(tree, *tree.find("Ban Chỉ đạo huyện Lạc Sơn")).name == "UBND huyện Lạc Sơn");
  CHECK(rater_area(tree, *tree.find(test::kEconomicDepartment["unit"].get<std::string>())).name == "UBND tỉnh Bắc Giang");
  CHECK(rater_area(tree, *tree.find("Ban Chỉ đạo thị trấn Lạc Sơn")).name == "Ban Chỉ đạo thị trấn Lạc Sơn");
  verified(t);
}

TEST_CASE("rater under bac-giang-2020: each reviewer 004 §III.2 lists rates a model of its area", "[rater]") {
  TestLedger t(kRaterProfile, "p256");
  auto commune = test::commune_committee(t);
  auto district = t.bind_unit("district committee", test::kDistrictCommittee);
  auto security = t.bind_unit("security department", test::kSecurityDepartment);
  auto economic = t.bind_unit("economic department", test::kEconomicDepartment);
  found_by_chairman(t, "M-1", "03");
  found_by_chairman(t, "M-2", "04");
  found_by_chairman(t, "M-3", "05");
  found_by_chairman(t, "M-4", "06");
  // The commune's steering committee (its area: UBND xã Tân Lập, the founder).
  admitted(t, commune, make_act("model.rated", "M-1", "2023-11-08", weak(2023), test::kCommuneCommittee));
  // The district's (its area: UBND huyện Lạc Sơn, above the commune).
  admitted(t, district, make_act("model.rated", "M-2", "2023-11-08", weak(2023), test::kDistrictCommittee));
  // The provincial police's two departments (their area: UBND tỉnh Bắc Giang, above Công an tỉnh).
  admitted(t, security, make_act("model.rated", "M-3", "2023-11-08", weak(2023), test::kSecurityDepartment));
  admitted(t, economic, make_act("model.rated", "M-4", "2023-11-08", weak(2023), test::kEconomicDepartment));
  // The authority may write the unit as users type it: matched after folding, as the registry matches names.
  json folded = test::kCommuneCommittee;
  folded["unit"] = "BAN CHỈ ĐẠO XÃ TÂN LẬP";
  auto typed = t.bind_unit("typed", folded);
  admitted(t, typed, make_act("model.rated", "M-1", "2024-11-08", weak(2024), folded));
  for (const char* id : {"M-1", "M-2", "M-3", "M-4"}) {
    auto s = subject_state(LedgerState(*t.ledger), id);
    REQUIRE(s);
    CHECK(s->ratings.at(2023).level == "weak");
  }
  verified(t);
}

TEST_CASE("rater: bac-giang-2020 format 1 and the other profiles rate as before (no rating.raters)", "[rater]") {
  // A ledger that stored Bắc Giang's format-1 file: the founder rates with no registry, as before.
  TestLedger t(kRaterProfile, "p256", test::StoredProfile::format1);
  found_by_chairman(t, "M-1");
  t.admit(make_act("model.rated", "M-1", "2023-11-08", weak(2023)));
  CHECK(subject_state(LedgerState(*t.ledger), "M-1")->ratings.at(2023).level == "weak");
  verified(t);
  // Hòa Bình: the establishing level rates (same-level), whatever the registry holds.
  TestLedger h("hoa-binh-2023", "p256");
  test::register_bac_giang(h);
  h.found("M-1", "2023-03-01", {{"name", "Tổ tự quản"}, {"type", "self-managed"}, {"teams", 2}});
  h.admit(make_act("model.rated", "M-1", "2024-11-08", {{"year", 2024}, {"level", "good"}, {"targets_met_pct", 95}}));
  verified(h);
}

}  // namespace
}  // namespace antq::projections
