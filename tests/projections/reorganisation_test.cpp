// The 2025 reorganisation of units (issue 21 point 8; docs/rules.md "The 2025 reorganisation of units"): from
// 2025-07-01 the district level is gone and communes were merged (003 III.1 addresses "Chủ tịch Ủy ban nhân dân các
// xã, phường"). unit.reorganised records it: competence follows the succession, bindings to a ceased unit lapse on
// the day, statistics count a ceased unit's subjects under its successor, and the refusals keep data.mdb unchanged.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "projections/access.hpp"
#include "projections/admission.hpp"
#include "projections/query.hpp"
#include "projections/report.hpp"
#include "projections/stats.hpp"
#include "projections/units.hpp"
#include "reorganisation.hpp"
#include "support.hpp"

namespace antq::projections {
namespace {

using nlohmann::json;
using test::make_act;
using test::TestLedger;
using test::UnitSigners;
using namespace test::reorg;
using test::StoredProfile;

TEST_CASE("unit.reorganised: a model founded by an abolished district is rated and terminated by the successor after "
          "2025-07-01, and refused for the district's own certificate",
          "[lifecycle][units][reorganisation]") {
  Reorganisation2025 r;
  // No reorganisation recorded: the founder rates, as before; Yên Phú may not.
  auto early = r.rate(r.merged, "HUYEN-1", "2025-11-08", 2025);
  REQUIRE_FALSE(early);
  CHECK(early.error().rule == "same-level");
  r.reorganise();
  // An act dated before the day, appended after the reorganisation, is the district's still (its bindings hold
  // until 2025-07-01).
  auto plan = r.t.record(r.district, make_act("model.plan-issued", "HUYEN-1", "2025-06-30", {{"year", 2025}, {"targets", 3}},
                                              kDistrict),
                         false);
  if (!plan) FAIL(plan.error().line());

  const std::string before = r.t.data_bytes();
  // The district's bindings lapsed on 2025-07-01.
  auto by_district = r.rate(r.district, "HUYEN-1", "2025-11-08", 2025);
  REQUIRE_FALSE(by_district);
  CHECK_THAT(by_district.error().line(),
             Catch::StartsWith("refused [authority]: model.rated dated 2025-11-08: the person signer") &&
                 Catch::Contains("is bound to UBND huyện Yên Thủy (entry ") &&
                 Catch::Contains("which ceased on 2025-07-01 (unit.reorganised, entry ") &&
                 Catch::Contains("its successor is UBND xã Yên Phú"));
  CHECK(r.t.data_bytes() == before);
  // Another unit (the province) is not the successor: same-level names the one that is.
  auto by_province = r.rate(r.province, "HUYEN-1", "2025-11-08", 2025);
  REQUIRE_FALSE(by_province);
  CHECK_THAT(by_province.error().line(),
             Catch::StartsWith("refused [same-level]: model.rated of HUYEN-1 dated 2025-11-08 is decided by UBND tỉnh "
                               "Hòa Bình (province)") &&
                 Catch::Contains("UBND huyện Yên Thủy ceased on 2025-07-01") &&
                 Catch::Contains("HUYEN-1 is now decided by UBND xã Yên Phú (commune)"));
  CHECK(r.t.data_bytes() == before);
  // The successor rates it.
  auto by_successor = r.rate(r.merged, "HUYEN-1", "2025-11-08", 2025);
  if (!by_successor) FAIL(by_successor.error().line());
  auto state = subject_state(LedgerState(*r.t.ledger), "HUYEN-1");
  REQUIRE(state);
  CHECK(state->ratings.at(2025).level == "good");
  CHECK(state->authority.unit == "UBND huyện Yên Thủy");  // the founder stays what the founding decision says
  // And the successor ends it.
  for (const auto& k : {"model.termination-reported", "model.termination-consulted"})
    REQUIRE(r.t.record(r.merged, make_act(k, "HUYEN-1", "2026-01-05", json::object(), kMerged), false));
  auto ended_by_province =
      r.t.record(r.province, make_act("model.terminated", "HUYEN-1", "2026-01-10", {{"reason", "x"}}, kProvince));
  REQUIRE_FALSE(ended_by_province);
  CHECK(ended_by_province.error().rule == "same-level");
  auto ended = r.t.record(r.merged, make_act("model.terminated", "HUYEN-1", "2026-01-10", {{"reason", "x"}}, kMerged));
  if (!ended) FAIL(ended.error().line());
  // The old communes' models: rated by the merged commune, not by the old ones.
  auto by_phu_lai = r.rate(r.phu_lai, "PL-1", "2025-11-08", 2025);
  REQUIRE_FALSE(by_phu_lai);
  CHECK(by_phu_lai.error().rule == "authority");
  REQUIRE(r.rate(r.merged, "PL-1", "2025-11-08", 2025, "fair"));
  REQUIRE(r.rate(r.merged, "YT-1", "2025-11-08", 2025, "average"));
  // The file of a ceased commune's model is kept by its successor: it hands the file over, no other unit.
  for (const auto& k : {"model.termination-reported", "model.termination-consulted"})
    REQUIRE(r.t.record(r.merged, make_act(k, "YT-1", "2025-12-01", json::object(), kMerged), false));
  REQUIRE(r.t.record(r.merged, make_act("model.terminated", "YT-1", "2025-12-05", {{"reason", "x"}}, kMerged)));
  const json transfer = {{"act", "archive.transferred"}, {"subject", "ledger"}, {"date", "2026-02-02"},
                         {"document", {{"number", "5/BB-UBND"}}},
                         {"data", {{"subjects", {"YT-1"}}, {"archive", "Lưu trữ lịch sử tỉnh"}}}};
  json by_other = transfer;
  by_other["authority"] = kProvince;
  auto refused_transfer = r.t.record(r.province, by_other);
  REQUIRE_FALSE(refused_transfer);
  CHECK_THAT(refused_transfer.error().line(),
             Catch::Contains("the file of YT-1 is kept by UBND xã Yên Phú (UBND xã Yên Trị ceased on 2025-07-01"));
  json by_keeper = transfer;
  by_keeper["authority"] = kMerged;
  if (auto t = r.t.record(r.merged, by_keeper); !t) FAIL(t.error().line());
  CHECK(r.t.verify().ok);
}

TEST_CASE("unit.reorganised: statistics and the report before and after a merger of two communes",
          "[stats][report][units][reorganisation]") {
  Reorganisation2025 r;
  r.reorganise();
  REQUIRE(r.rate(r.merged, "PL-1", "2025-11-08", 2025, "fair"));
  REQUIRE(r.rate(r.merged, "YT-1", "2025-11-08", 2025, "fair"));
  // A day before: the old units, no table.
  auto old = statistics(*r.t.ledger, AsOf{std::string("2025-06-30"), std::nullopt}, 2024);
  REQUIRE(old);
  CHECK(old->ratings_by_unit.at("UBND xã Phú Lai").at("good") == 1);
  CHECK(old->ratings_by_unit.at("UBND xã Yên Trị").at("good") == 1);
  CHECK(old->ratings_by_unit.at("UBND huyện Yên Thủy").at("good") == 1);
  CHECK(old->succeeded.empty());
  // After: every subject under Yên Phú, and the old-to-new table.
  auto now = statistics(*r.t.ledger, AsOf{std::string("2025-12-31"), std::nullopt}, 2025);
  REQUIRE(now);
  REQUIRE(now->ratings_by_unit.size() == 1);
  CHECK(now->ratings_by_unit.at("UBND xã Yên Phú").at("fair") == 2);
  CHECK(now->ratings_by_level.at("commune") == 2);
  REQUIRE(now->succeeded.size() == 3);
  CHECK(now->succeeded[0].unit == "UBND huyện Yên Thủy");
  CHECK(now->succeeded[0].successor == "UBND xã Yên Phú");
  CHECK(now->succeeded[0].kind == "abolished");
  CHECK(now->succeeded[1].unit == "UBND xã Phú Lai");
  CHECK(now->succeeded[2].unit == "UBND xã Yên Trị");
  CHECK(now->succeeded[2].effective == "2025-07-01");
  CHECK(now->succeeded[2].kind == "merger");
  // The 2024 figures as of a day after: counted under the successor.
  auto later_2024 = statistics(*r.t.ledger, AsOf{std::string("2025-12-31"), std::nullopt}, 2024);
  REQUIRE(later_2024);
  CHECK(later_2024->ratings_by_unit.at("UBND xã Yên Phú").at("good") == 3);

  // The report: 2025 (as of 2025-12-31) has the table, 2024 (as of 2024-12-31) has not.
  auto y2025 = periodic_report(*r.t.ledger, "2025", "", std::string("2025-12-31"), "2026-12-01");
  REQUIRE(y2025);
  std::vector<std::string> rows;
  for (const auto& f : report_figures(*y2025))
    if (f.section.starts_with("succeeded")) rows.push_back(f.section + "," + f.key + "," + f.value);
  CHECK(rows == std::vector<std::string>{"succeeded,UBND huyện Yên Thủy,UBND xã Yên Phú",
                                         "succeeded-on,UBND huyện Yên Thủy,2025-07-01",
                                         "succeeded,UBND xã Phú Lai,UBND xã Yên Phú",
                                         "succeeded-on,UBND xã Phú Lai,2025-07-01",
                                         "succeeded,UBND xã Yên Trị,UBND xã Yên Phú",
                                         "succeeded-on,UBND xã Yên Trị,2025-07-01"});
  auto y2024 = periodic_report(*r.t.ledger, "2024", "", std::string("2024-12-31"), "2026-12-01");
  REQUIRE(y2024);
  for (const auto& f : report_figures(*y2024)) CHECK_FALSE(f.section.starts_with("succeeded"));
  // The unit tree as of each day.
  const LedgerState state(*r.t.ledger);
  const UnitTree june(registered_units(state), reorganisations(state), "2025-06-30");
  CHECK(june.ceased("UBND xã Phú Lai") == nullptr);
  CHECK(june.competent("UBND xã Phú Lai") == "UBND xã Phú Lai");
  CHECK(june.covers("UBND huyện Yên Thủy", "UBND xã Phú Lai"));
  CHECK_FALSE(june.covers("UBND xã Yên Phú", "UBND xã Phú Lai"));
  const UnitTree july(registered_units(state), reorganisations(state), "2025-07-01");
  REQUIRE(july.ceased("ubnd xã phú lai") != nullptr);
  CHECK(july.ceased("UBND xã Phú Lai")->effective == "2025-07-01");
  CHECK(july.successor("UBND xã Phú Lai") == "UBND xã Yên Phú");
  CHECK(july.competent("UBND xã Phú Lai") == "UBND xã Yên Phú");
  CHECK(july.covers("UBND xã Yên Phú", "UBND xã Phú Lai"));
  CHECK(july.covers("UBND tỉnh Hòa Bình", "UBND xã Yên Trị"));
  CHECK(july.successor("UBND xã Yên Phú").empty());
}

TEST_CASE("unit.reorganised: a split names the successor of each open subject", "[lifecycle][units][reorganisation]") {
  Reorganisation2025 r;
  const json kLacThinh = {{"level", "commune"}, {"unit", "UBND xã Lạc Thịnh"}};
  const json kDaPhuc = {{"level", "commune"}, {"unit", "UBND xã Đa Phúc"}};
  auto lac_thinh = r.t.bind_unit("lac-thinh", kLacThinh);
  auto da_phuc = r.t.bind_unit("da-phuc", kDaPhuc);
  r.admin({unit_act("UBND xã Lạc Thịnh", "commune", "UBND tỉnh Hòa Bình", "2025-07-01"),
           unit_act("UBND xã Đa Phúc", "commune", "UBND tỉnh Hòa Bình", "2025-07-01")});
  found_model(r.t, "PL-2", r.phu_lai, "Câu lạc bộ phòng, chống tội phạm");
  auto refused_with = [&](const json& act, const std::string& words) {
    const std::string before = r.t.data_bytes();
    auto a = r.t.append({test::sign(act, r.t.admin)});
    REQUIRE_FALSE(a);
    CHECK_THAT(a.error().line(), Catch::StartsWith("refused [unit]: unit.reorganised (split, effective 2025-07-01): ") &&
                                     Catch::Contains(words));
    CHECK(r.t.data_bytes() == before);
  };
  refused_with(reorganised("split", {"UBND xã Phú Lai"}, "UBND xã Lạc Thịnh", json{{"PL-1", "UBND xã Lạc Thịnh"}}),
               "the split leaves open subjects of \"UBND xã Phú Lai\" without a successor: PL-2");
  refused_with(reorganised("split", {"UBND xã Phú Lai"}, "UBND xã Lạc Thịnh",
                           json{{"PL-1", "UBND xã Lạc Thịnh"}, {"PL-2", "UBND xã Đa Phúc"}, {"NO-1", "UBND xã Đa Phúc"}}),
               "data.subjects names NO-1, which is not a subject of the ledger");
  refused_with(reorganised("split", {"UBND xã Phú Lai"}, "UBND xã Lạc Thịnh",
                           json{{"PL-1", "UBND xã Lạc Thịnh"}, {"PL-2", "UBND xã Đa Phúc"}, {"YT-1", "UBND xã Đa Phúc"}}),
               "data.subjects names YT-1, which is not an open subject founded by \"UBND xã Phú Lai\"");
  refused_with(reorganised("split", {"UBND xã Phú Lai"}, "UBND xã Lạc Thịnh", nullptr),
               "a split names the successor of each open subject");
  refused_with(reorganised("split", {"UBND xã Phú Lai", "UBND xã Yên Trị"}, "UBND xã Lạc Thịnh", json::object()),
               "a split divides one unit; data.units names 2");
  r.admin({reorganised("split", {"UBND xã Phú Lai"}, "UBND xã Lạc Thịnh",
                       json{{"PL-1", "ubnd xã lạc thịnh"}, {"PL-2", "UBND xã Đa Phúc"}})});
  // Each successor rates its own subject only.
  auto wrong = r.rate(lac_thinh, "PL-2", "2025-11-08", 2025);
  REQUIRE_FALSE(wrong);
  CHECK_THAT(wrong.error().line(), Catch::StartsWith("refused [same-level]: ") &&
                                       Catch::Contains("PL-2 is now decided by UBND xã Đa Phúc (commune)"));
  REQUIRE(r.rate(lac_thinh, "PL-1", "2025-11-08", 2025));
  REQUIRE(r.rate(da_phuc, "PL-2", "2025-11-08", 2025, "fair"));
  auto now = statistics(*r.t.ledger, AsOf{std::string("2025-12-31"), std::nullopt}, 2025);
  REQUIRE(now);
  CHECK(now->ratings_by_unit.at("UBND xã Lạc Thịnh").at("good") == 1);
  CHECK(now->ratings_by_unit.at("UBND xã Đa Phúc").at("fair") == 1);
  REQUIRE(now->succeeded.size() == 2);
  CHECK(now->succeeded[0].successor == "UBND xã Lạc Thịnh");
  CHECK(now->succeeded[1].successor == "UBND xã Đa Phúc");
  auto rows = succession_rows(*now);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0][2] == "UBND xã Lạc Thịnh; UBND xã Đa Phúc");
  // A reader granted one successor (the scope a grant gets from client_access) sees that successor's subject only,
  // not every subject of the split unit, whichever successor is the main one.
  const LedgerState state(*r.t.ledger);
  auto tree = std::make_shared<const UnitTree>(registered_units(state), reorganisations(state), "2025-12-31");
  const Scope da_phuc_reader{{"UBND xã Đa Phúc"}, {}, tree}, lac_thinh_reader{{"UBND xã Lạc Thịnh"}, {}, tree};
  SubjectReader subjects(*r.t.ledger);
  auto pl1 = subjects.current("PL-1"), pl2 = subjects.current("PL-2");
  REQUIRE(pl1);
  REQUIRE(pl2);
  CHECK(visible(da_phuc_reader, *pl2, state));
  CHECK_FALSE(visible(da_phuc_reader, *pl1, state));
  CHECK(visible(lac_thinh_reader, *pl1, state));
  CHECK_FALSE(visible(lac_thinh_reader, *pl2, state));
  CHECK(r.t.verify().ok);
}

TEST_CASE("ClientAccess::bound: the units a submitter is bound to, and with the registry the units under them",
          "[access][units]") {
  Reorganisation2025 r;
  const LedgerState state(*r.t.ledger);
  SubjectReader subjects(*r.t.ledger);
  auto pl1 = subjects.current("PL-1"), yt1 = subjects.current("YT-1");
  REQUIRE(pl1);
  REQUIRE(yt1);
  auto bound = [&](const test::Identity& who) {
    Scope s = client_access(*r.t.ledger, who.fingerprint, "2025-06-30").bound;
    CHECK_FALSE(s.whole());
    s.tree = registry_tree(*r.t.ledger, "2025-06-30");
    return s;
  };
  CHECK(visible(bound(r.province.person), *pl1, state));  // the commune is under the province
  CHECK(visible(bound(r.phu_lai.office), *pl1, state));
  CHECK_FALSE(visible(bound(r.phu_lai.person), *yt1, state));
  CHECK(client_access(*r.t.ledger, r.t.admin.fingerprint, "2025-06-30").bound.whole());
}

TEST_CASE("UnitTree: after the district is abolished its surviving communes are the province's, a merged "
          "commune's units go to the commune it merged into", "[units][reorganisation]") {
  auto unit = [](std::string name, std::string level, std::string parent, std::uint64_t seq) {
    return Unit{std::move(name), std::move(level), "people-committee", std::move(parent), "2020-01-01", {}, seq,
                "2020-01-02", ""};
  };
  const std::vector<Unit> units = {unit("UBND tỉnh Hòa Bình", "province", "", 1),
                                    unit("UBND huyện Yên Thủy", "district", "UBND tỉnh Hòa Bình", 2),
                                    unit("UBND xã Lạc Thịnh", "commune", "UBND huyện Yên Thủy", 3),
                                    unit("UBND xã Phú Lai", "commune", "UBND huyện Yên Thủy", 4),
                                    unit("Công an xã Phú Lai", "commune", "UBND xã Phú Lai", 5),
                                    unit("UBND xã Yên Phú", "commune", "UBND tỉnh Hòa Bình", 6)};
  const std::vector<Reorganisation> reorganisations = {
      {7, "2025-06-20", "2025-07-01", "abolished", {"UBND huyện Yên Thủy"}, "UBND xã Yên Phú", {}},
      {8, "2025-06-20", "2025-07-01", "merger", {"UBND xã Phú Lai"}, "UBND xã Yên Phú", {}}};
  auto parent_of = [&](const std::string& date, const std::string& name) -> std::string {
    const UnitTree tree(units, reorganisations, date);
    const Unit* u = tree.find(name);
    REQUIRE(u != nullptr);
    const Unit* p = tree.parent(*u);
    return p ? p->name : "";
  };
  // The day before: as registered.
  CHECK(parent_of("2025-06-30", "UBND xã Lạc Thịnh") == "UBND huyện Yên Thủy");
  CHECK(parent_of("2025-06-30", "Công an xã Phú Lai") == "UBND xã Phú Lai");
  // From the day: the surviving commune stands under the province, not under the commune that took the district's
  // competence; the merged commune's police under the commune it merged into.
  CHECK(parent_of("2025-07-01", "UBND xã Lạc Thịnh") == "UBND tỉnh Hòa Bình");
  CHECK(parent_of("2025-07-01", "Công an xã Phú Lai") == "UBND xã Yên Phú");
  CHECK(parent_of("2025-07-01", "UBND huyện Yên Thủy") == "UBND tỉnh Hòa Bình");
  const UnitTree today(units, reorganisations, "2026-01-01");
  CHECK(today.covers("UBND tỉnh Hòa Bình", "UBND xã Lạc Thịnh"));
  CHECK_FALSE(today.covers("UBND huyện Yên Thủy", "UBND xã Lạc Thịnh"));
}

TEST_CASE("unit.reorganised is refused for unregistered units, a unit succeeded twice, a successor too late or among "
          "the units that cease, data.mdb unchanged",
          "[units][reorganisation]") {
  Reorganisation2025 r;
  r.admin({unit_act("UBND xã Mới", "commune", "UBND tỉnh Hòa Bình", "2025-08-01")});
  auto refused_with = [&](const json& act, const std::string& words, const test::Identity* signer = nullptr,
                          const std::string& rule = "unit") {
    const std::string before = r.t.data_bytes();
    auto a = r.t.append({test::sign(act, signer ? *signer : r.t.admin)});
    REQUIRE_FALSE(a);
    CHECK_THAT(a.error().line(), Catch::StartsWith("refused [" + rule + "]: ") && Catch::Contains(words));
    CHECK(r.t.data_bytes() == before);
  };
  refused_with(reorganised("merger", {"UBND xã Phú Lai", "UBND xã Lạc Sỹ"}, "UBND xã Yên Phú"),
               "data.units[1] \"UBND xã Lạc Sỹ\" is not a registered unit");
  refused_with(reorganised("merger", {"UBND xã Phú Lai"}, "UBND xã Yên Hòa"),
               "data.successor \"UBND xã Yên Hòa\" is not a registered unit");
  refused_with(reorganised("merger", {"UBND xã Phú Lai"}, "UBND xã Mới"),
               "data.successor \"UBND xã Mới\" is in the registry only from 2025-08-01");
  refused_with(reorganised("merger", {"UBND xã Phú Lai", "UBND xã Yên Phú"}, "UBND xã Yên Phú"),
               "data.successor \"UBND xã Yên Phú\" is among the units that cease");
  refused_with(reorganised("merger", {"UBND xã Phú Lai", "ubnd xã phú lai"}, "UBND xã Yên Phú"),
               "data.units names \"UBND xã Phú Lai\" twice");
  refused_with(reorganised("abolished", {"UBND huyện Yên Thủy"}, "UBND xã Yên Phú", json{{"HUYEN-1", "UBND xã Yên Phú"}}),
               "data.subjects: only a split names a successor per subject");
  refused_with(reorganised("abolished", {}, "UBND xã Yên Phú"), "data.units names no unit");
  // Only an administrator records it.
  refused_with(reorganised("abolished", {"UBND huyện Yên Thủy"}, "UBND xã Yên Phú"),
               "unit.reorganised is a registry act and must be signed by an administrator", &r.t.chair, "authority");
  r.reorganise();
  refused_with(reorganised("merger", {"UBND xã Phú Lai"}, "UBND tỉnh Hòa Bình", nullptr, "2026-01-01"),
               "\"UBND xã Phú Lai\" was already succeeded by \"UBND xã Yên Phú\" from 2025-07-01 (entry ");
  refused_with(reorganised("abolished", {"UBND tỉnh Hòa Bình"}, "UBND xã Phú Lai", nullptr, "2026-01-01"),
               "data.successor \"UBND xã Phú Lai\" had itself ceased on 2025-07-01");
  // Hostile data: one clear line, nothing written.
  for (const json& data : {json{{"effective", "2025-07-01"}, {"kind", "merger"}, {"units", "UBND xã Phú Lai"},
                                {"successor", "UBND xã Yên Phú"}},
                           json{{"effective", "2025-07-01"}, {"kind", "merged"}, {"units", json::array()},
                                {"successor", "UBND xã Yên Phú"}},
                           json{{"effective", "2025-07-01"}, {"kind", "split"}, {"units", {"UBND xã Phú Lai"}},
                                {"successor", "UBND xã Yên Phú"}, {"subjects", {{"../x", "UBND xã Yên Phú"}}}},
                           json{{"effective", "2025-07-01"}, {"kind", "split"}, {"units", {"UBND xã Phú Lai"}},
                                {"successor", "UBND xã Yên Phú"}, {"subjects", {{"PL-1", 3}}}}}) {
    json act = reorganised("merger", {}, "");
    act["data"] = data;
    auto input = ledger::act_from_json(act, "act", ".");
    REQUIRE_FALSE(input);
    CHECK(input.error().kind == ErrorKind::bad_input);
    CHECK(input.error().line().find('\n') == std::string::npos);
  }
  CHECK(r.t.verify().ok);
}

TEST_CASE("A ledger without reorganisations, and a format-1 ledger, are judged as before", "[units][reorganisation]") {
  for (StoredProfile stored : {StoredProfile::today, StoredProfile::format1}) {
    Reorganisation2025 r(stored);
    // No unit.reorganised: the district still rates after 2025-07-01 and the successor may not.
    const std::string before = r.t.data_bytes();
    auto by_successor = r.rate(r.merged, "HUYEN-1", "2025-11-08", 2025);
    REQUIRE_FALSE(by_successor);
    CHECK_THAT(by_successor.error().line(), Catch::StartsWith("refused [same-level]: ") &&
                                                !Catch::Contains("ceased"));
    CHECK(r.t.data_bytes() == before);
    REQUIRE(r.rate(r.district, "HUYEN-1", "2025-11-08", 2025));
    CHECK_FALSE(r.t.ledger->state_value(kReorganisationsVersionKey).has_value());
    auto now = statistics(*r.t.ledger, AsOf{std::string("2025-12-31"), std::nullopt}, 2025);
    REQUIRE(now);
    CHECK(now->succeeded.empty());
    CHECK(now->ratings_by_unit.at("UBND huyện Yên Thủy").at("good") == 1);
    CHECK(r.t.verify().ok);
  }
}

}  // namespace
}  // namespace antq::projections
