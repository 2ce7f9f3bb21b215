// The half-year and yearly reports (projections/report.cpp): the period a report covers, the day it is as of (the
// day before the profile's deadline), and its figures against an oracle counted from the generated acts themselves.
#include "projections/report.hpp"

#include <map>
#include <set>

#include <catch2/catch.hpp>

#include "generated_ledger.hpp"

namespace antq::projections {
namespace {

using nlohmann::json;

// Counted from the acts alone: what each report key should be for acts dated in [from, to], apart models left out.
std::map<std::string, std::size_t> oracle(const std::vector<generator::GeneratedAct>& acts, const std::string& from,
                                          const std::string& to, int year) {
  std::set<std::string> apart;
  for (const auto& a : acts)
    if (a.act["act"] == "model.proposed" &&
        (a.act["data"].value("movement", "antq") == "dan-van-kheo" || !a.act["data"].value("security_content", true)))
      apart.insert(a.act["subject"].get<std::string>());
  std::map<std::string, std::size_t> n;
  for (const auto& a : acts) {
    const std::string kind = a.act["act"], subject = a.act["subject"], date = a.act["date"];
    if (apart.contains(subject)) continue;
    if (kind == "model.rated" && a.act["data"]["year"] == year) ++n[a.act["data"]["level"].get<std::string>()];
    if (date < from || date > to) continue;
    if (kind == "model.established") ++n[a.act["data"].contains("point_of") ? "points-established" : "models-established"];
    if (kind == "model.merged") n["merged"] += a.act["data"]["from"].size();
    if (kind == "model.replicated") ++n["replicated"];
    if (kind == "model.terminated") ++n["terminated"];
    if (kind == "exemplar.recognized") ++n["exemplars-recognized"];
    if (kind == "exemplar.ended") ++n["exemplars-ended"];
  }
  return n;
}

std::map<std::pair<std::string, std::string>, std::string> by_key(const std::vector<Figure>& figures) {
  std::map<std::pair<std::string, std::string>, std::string> out;
  for (const auto& f : figures) out[{f.section, f.key}] = f.value;
  return out;
}

TEST_CASE("Half-year and yearly reports of a generated district: periods, as-of days and every figure", "[report]") {
  generator::Options o;
  o.models = 16;
  o.points = 30;
  o.exemplars = 8;
  auto acts = generator::district(o);  // evaluation years 2023 to 2025
  REQUIRE(acts);
  test::GeneratedLedger g(o);
  g.append_all(*acts);

  for (const std::string period : {"2024-H1", "2024", "2025-H1", "2025"}) {
    INFO(period);
    auto r = periodic_report(*g.ledger, period, "", std::nullopt, "2026-12-01");
    REQUIRE(r);
    const bool yearly = period.size() == 4;
    const int year = std::stoi(period.substr(0, 4));
    CHECK(r->yearly == yearly);
    CHECK(r->covers.from == fmt::format("{}-11-01", year - 1));
    CHECK(r->covers.to == fmt::format("{}-{}", year, yearly ? "10-31" : "04-30"));
    // Hòa Bình: half-year before 15 May, yearly before 15 Nov; the figures are those of the day before.
    CHECK(r->due == fmt::format("{}-{}", year, yearly ? "11-15" : "05-15"));
    CHECK(r->as_of == fmt::format("{}-{}", year, yearly ? "11-14" : "05-14"));
    CHECK(r->profile == "hoa-binh-2023");

    auto figures = by_key(report_figures(*r));
    CHECK(figures.at({"report", "period"}) == period);
    CHECK(figures.at({"report", "as_of"}) == r->as_of);
    auto expected = oracle(*acts, r->covers.from, r->covers.to, year);
    for (const auto& key : period_keys()) {
      INFO(key);
      CHECK(figures.at({"period", key}) == std::to_string(expected[key]));
    }
    // Ratings only in the yearly report; they are the year's decisions, made before the as-of day.
    for (const char* level : {"good", "fair", "average", "weak"}) {
      INFO(level);
      if (yearly) CHECK(figures.at({"ratings", level}) == std::to_string(expected[level]));
      else CHECK_FALSE(figures.contains({"ratings", level}));
    }
    if (yearly)
      CHECK(figures.at({"ratings", "effective"}) == std::to_string(expected["good"] + expected["fair"]));
    // The stock figures are those of stats as of the same day.
    auto stats = statistics(*g.ledger, AsOf{r->as_of, std::nullopt}, year);
    REQUIRE(stats);
    CHECK(figures.at({"total", "points"}) == std::to_string(stats->points));
    CHECK(figures.at({"total", "teams"}) == std::to_string(stats->teams));
  }
  // The yearly report of 2024 has the replication and the merge of the generated district.
  auto y2024 = periodic_report(*g.ledger, "2024", "", std::nullopt, "2026-12-01");
  REQUIRE(y2024);
  auto f = by_key(report_figures(*y2024));
  CHECK(f.at({"period", "replicated"}) == "1");
  CHECK(f.at({"period", "merged"}) == "1");
  CHECK(f.contains({"replication-points", "YT-M01"}));
}

TEST_CASE("A report's as-of day: never after today, --as-of wins, and bad periods are refused", "[report]") {
  generator::Options o;
  o.models = 6;
  o.points = 4;
  o.exemplars = 2;
  auto acts = generator::district(o);
  REQUIRE(acts);
  test::GeneratedLedger g(o);
  g.append_all(*acts);
  auto early = periodic_report(*g.ledger, "2025", "", std::nullopt, "2025-06-01");
  REQUIRE(early);
  CHECK(early->as_of == "2025-06-01");  // today, before the deadline
  auto asked = periodic_report(*g.ledger, "2025", "", std::string("2025-12-31"), "2026-12-01");
  REQUIRE(asked);
  CHECK(asked->as_of == "2025-12-31");
  // A unit's report counts only the subjects it founded.
  const std::string unit = generator::units(o)[1].unit;
  auto mine = periodic_report(*g.ledger, "2025", unit, std::nullopt, "2026-12-01");
  auto all = periodic_report(*g.ledger, "2025", "", std::nullopt, "2026-12-01");
  REQUIRE(mine);
  REQUIRE(all);
  CHECK(mine->stats.points < all->stats.points);
  CHECK(by_key(report_figures(*mine)).at({"report", "unit"}) == unit);

  for (const char* bad : {"2025-H2", "25", "2025H1", ""}) CHECK_FALSE(periodic_report(*g.ledger, bad, "", std::nullopt, "2026-12-01"));
  CHECK_FALSE(periodic_report(*g.ledger, "2025", "", std::string("2025-13-01"), "2026-12-01"));
  CHECK_FALSE(periodic_report(*g.ledger, "2030", "", std::nullopt, "2026-12-01"));  // nothing of it has happened yet
}

}  // namespace
}  // namespace antq::projections
