// The 2025 reorganisation of units at the command line: --unit of a unit that had ceased by the day asked about is
// exit 2 naming its successor; antq units shows `to` and `successor`; stats and report carry the old-to-new table.
#include <catch2/catch.hpp>

#include "cli/queries.hpp"
#include "demo.hpp"
#include "projections/units.hpp"
#include "reorganisation.hpp"
#include "support.hpp"

namespace antq::test {
namespace {

using namespace reorg;

TEST_CASE("cli: a half-year report reads the registry on the day its figures are taken, not at the end of June",
          "[cli][units][reorganisation]") {
  Reorganisation2025 r;
  // Phú Lai merged into Yên Trị from 1 June 2025: after the half-year's figures (taken the day before the May
  // deadline), before 30 June.
  r.admin({reorganised("merger", {"UBND xã Phú Lai"}, "UBND xã Yên Trị", nullptr, "2025-06-01")});
  const std::string dir = quote(r.t.dir());
  std::string out;
  REQUIRE(run(kAntq + " report " + dir + " 2025-H1 --unit 'UBND xã Phú Lai' --format json", &out) == 0);
  const json h1 = json::parse(out);
  CHECK(h1["as_of"].get<std::string>() < "2025-06-01");
  CHECK(h1["unit"] == "UBND xã Phú Lai");
  // The yearly report's figures are taken in November: Phú Lai had ceased, its successor answers.
  CHECK(run(kAntq + " report " + dir + " 2025 --unit 'UBND xã Phú Lai'", &out) == 2);
  CHECK_THAT(out, Catch::Contains("its successor is UBND xã Yên Trị"));
}

TEST_CASE("cli: the unit of a commune merged on 2025-07-01 is exit 2 after that day, naming its successor",
          "[cli][units][reorganisation]") {
  Reorganisation2025 r;
  r.reorganise();
  REQUIRE(r.rate(r.merged, "PL-1", "2025-11-08", 2025, "fair"));
  const std::string dir = quote(r.t.dir());
  std::string out;
  for (const std::string& command :
       {kAntq + " stats " + dir + " --unit 'ubnd xã phú lai' --as-of 2025-12-31",
        kAntq + " report " + dir + " 2025 --unit 'UBND xã Phú Lai' --as-of 2025-12-31",
        kAntq + " audit " + dir + " --unit 'UBND huyện Yên Thủy' --as-of 2025-12-31",
        kAntq + " retention " + dir + " --unit 'UBND xã Phú Lai' --as-of 2025-12-31"}) {
    INFO(command);
    CHECK(run(command, &out) == 2);
    CHECK_THAT(out, Catch::Contains("ceased on 2025-07-01 (unit.reorganised, entry ") &&
                        Catch::Contains("its successor is UBND xã Yên Phú") && Catch::Contains("--as-of before 2025-07-01"));
    CHECK(std::count(out.begin(), out.end(), '\n') == 1);
  }
  // A day before, its own figures; after, the successor's include them, with the old-to-new rows.
  REQUIRE(run(kAntq + " stats " + dir + " --unit 'UBND xã Phú Lai' --as-of 2025-06-30 --year 2024 --format csv", &out) == 0);
  CHECK_THAT(out, Catch::Contains("ratings,good,1") && !Catch::Contains("succeeded"));
  REQUIRE(run(kAntq + " stats " + dir + " --unit 'UBND xã Yên Phú' --as-of 2025-12-31 --year 2024 --format csv", &out) == 0);
  CHECK_THAT(out, Catch::Contains("ratings,good,3") && Catch::Contains("succeeded,UBND xã Phú Lai,UBND xã Yên Phú") &&
                      Catch::Contains("succeeded-on,UBND xã Phú Lai,2025-07-01"));
  REQUIRE(run(kAntq + " stats " + dir + " --as-of 2025-12-31 --format json", &out) == 0);
  const json stats = json::parse(out);
  REQUIRE(stats["succeeded"].size() == 3);
  CHECK(stats["succeeded"][1] == json{{"unit", "UBND xã Phú Lai"}, {"successor", "UBND xã Yên Phú"},
                                      {"effective", "2025-07-01"}, {"kind", "merger"}, {"seq", stats["succeeded"][1]["seq"]}});
  CHECK(stats["ratings_by_unit"].contains("UBND xã Yên Phú"));
  CHECK_FALSE(stats["ratings_by_unit"].contains("UBND xã Phú Lai"));
  REQUIRE(run(kAntq + " report " + dir + " 2025 --unit 'UBND xã Yên Phú' --as-of 2025-12-31 --format html", &out) == 0);
  CHECK_THAT(out, Catch::Contains("<th>Đơn vị cũ</th>") && Catch::Contains("<td>UBND xã Yên Trị</td><td>UBND xã Yên Phú</td>"));
  REQUIRE(run(kAntq + " report " + dir + " 2024 --as-of 2024-12-31 --format html", &out) == 0);
  CHECK_THAT(out, !Catch::Contains("Đơn vị cũ"));

  // antq units: to and successor, ceased from the day.
  REQUIRE(run(kAntq + " units " + dir + " --json --as-of 2025-06-30", &out) == 0);
  json before = json::parse(out);
  REQUIRE(run(kAntq + " units " + dir + " --json --as-of 2025-07-01", &out) == 0);
  json after = json::parse(out);
  auto find = [](const json& units, const std::string& name) {
    for (const auto& u : units["units"])
      if (u["name"] == name) return u;
    FAIL("no unit " + name);
    return json();
  };
  CHECK(find(before, "UBND xã Phú Lai")["to"] == "2025-07-01");
  CHECK(find(before, "UBND xã Phú Lai")["successor"] == "UBND xã Yên Phú");
  CHECK(find(before, "UBND xã Phú Lai")["ceased"] == false);
  CHECK(find(after, "UBND xã Phú Lai")["ceased"] == true);
  CHECK(find(after, "UBND huyện Yên Thủy")["successor"] == "UBND xã Yên Phú");
  CHECK(find(after, "UBND xã Yên Phú")["to"].is_null());
  CHECK(find(after, "UBND xã Yên Phú")["successor"].is_null());
  // The subjects under a unit follow the succession: from the day, the ceased communes' are the successor's.
  const auto under = [](const json& u) { return u["subjects_under"].get<std::size_t>(); };
  CHECK(under(find(before, "UBND xã Phú Lai")) > 0);
  CHECK(under(find(after, "UBND xã Phú Lai")) == 0);
  CHECK(under(find(after, "UBND xã Yên Trị")) == 0);
  CHECK(under(find(after, "UBND xã Yên Phú")) >=
        under(find(before, "UBND xã Phú Lai")) + under(find(before, "UBND xã Yên Trị")) + under(find(before, "UBND xã Yên Phú")));
  REQUIRE(run(kAntq + " units " + dir + " --as-of 2025-07-01", &out) == 0);
  CHECK_THAT(out, Catch::Contains("succeeded by UBND xã Yên Phú"));
  REQUIRE(run(kAntq + " units --help", &out) == 0);
  CHECK_THAT(out, Catch::Contains("unit.reorganised"));
}

TEST_CASE("cli: a scoped reader's statistics and report list only the successions of its own units",
          "[cli][units][reorganisation][scope]") {
  Reorganisation2025 r;
  r.reorganise();
  const projections::LedgerState state(*r.t.ledger);
  auto tree = std::make_shared<const projections::UnitTree>(projections::registered_units(state),
                                                            projections::reorganisations(state), "2025-12-31");
  auto successions = [&](projections::Scope scope) {
    scope.tree = tree;
    auto stats = cli::queries::stats(*r.t.ledger, {{"2025-12-31", std::nullopt}, std::nullopt, ""}, scope);
    REQUIRE(stats);
    auto report = cli::queries::report(*r.t.ledger, {"2025", "", {"2025-12-31", std::nullopt}}, scope);
    REQUIRE(report);
    std::set<std::string> units, in_report;
    for (const auto& s : (*stats)["succeeded"]) units.insert(s["unit"].get<std::string>());
    for (const auto& row : (*report)["figures"])
      if (row["section"] == "succeeded") in_report.insert(row["key"].get<std::string>());
    CHECK(in_report == units);
    return units;
  };
  const std::set<std::string> all = {"UBND huyện Yên Thủy", "UBND xã Phú Lai", "UBND xã Yên Trị"};
  CHECK(successions({}) == all);                         // the whole ledger
  CHECK(successions({{"UBND xã Yên Phú"}, {}}) == all);  // the successor of all three
  CHECK(successions({{"UBND xã Phú Lai"}, {}}) == std::set<std::string>{"UBND xã Phú Lai"});
  CHECK(successions({{"UBND tỉnh Hòa Bình"}, {}}) == all);  // every unit is under the province
  CHECK(successions({{}, {"province"}}).empty());           // no province ceased or succeeded
}

}  // namespace
}  // namespace antq::test
