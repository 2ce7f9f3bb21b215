// Statistics (domain.md §7; Hòa Bình 000 §VI): points and teams by model name over a lineage, models apart
// (no security-and-order content, Dân vận khéo) never in the totals, ratings of a year by level and unit, exemplars
// by stage, and the Kon Tum share of effective points; as of several dates.
#include "projections/stats.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "projections/admission.hpp"
#include "support.hpp"

namespace antq::projections {
namespace {

using nlohmann::json;
using test::make_act;
using test::TestLedger;

void found(TestLedger& t, const std::string& id, const std::string& month, json data) {
  const auto& steps = test::kBaselineSteps;
  for (std::size_t i = 0; i < steps.size(); ++i) t.admit(make_act(steps[i], id, fmt::format("{}-{:02}", month, i + 1)));
  data["type"] = "self-managed";
  t.admit(make_act("model.established", id, month + "-10", data));
}

TEST_CASE("Points and teams by model name, apart models, ratings by level and unit, exemplars, as of a date", "[stats]") {
  TestLedger t("kon-tum-2022", "p256");
  found(t, "TDC", "2023-01", {{"name", "Tổ dân cư tự quản"}, {"teams", 5}});
  found(t, "GREEN", "2023-01", {{"name", "Tuyến đường xanh"}, {"teams", 2}, {"security_content", false}});
  found(t, "DVK", "2023-01", {{"name", "Dân vận khéo"}, {"teams", 3}, {"movement", "dan-van-kheo"}});
  t.admit(make_act("model.rated", "TDC", "2023-11-20", {{"year", 2024}, {"level", "good"}}));
  t.admit(make_act("model.rated", "GREEN", "2023-11-20", {{"year", 2024}, {"level", "good"}}));
  t.admit(make_act("model.replicated", "TDC", "2023-11-25", {{"areas", {"Thôn A", "Thôn B"}}}));
  found(t, "TDC/P001", "2023-12", {{"name", "Tổ dân cư tự quản"}, {"teams", 4}});
  found(t, "TDC/P002", "2024-02", {{"name", "Tổ dân cư tự quản"}, {"teams", 6}});
  t.admit(make_act("exemplar.surveyed", "E-1", "2023-02-01", {{"holder", "Bà Lò Thị C"}}));
  t.admit(make_act("exemplar.plan-issued", "E-1", "2023-03-01"));
  t.admit(make_act("model.rated", "TDC/P001", "2024-11-08", {{"year", 2025}, {"level", "weak"}}));
  t.admit(make_act("model.rated", "TDC/P002", "2024-12-20", {{"year", 2025}, {"level", "fair"}}));

  auto now = statistics(*t.ledger, {}, std::nullopt);
  REQUIRE(now);
  CHECK(now->year == 2025);  // the latest rated
  REQUIRE(now->models.size() == 1);
  CHECK(now->models[0].name == "Tổ dân cư tự quản");
  CHECK(now->models[0].points == 3);  // the origin and its two points
  CHECK(now->models[0].teams == 5 + 4 + 6);
  CHECK(now->points == 3);
  CHECK(now->teams == 15);
  REQUIRE(now->apart.size() == 2);
  CHECK(now->apart[0].reason == "dan-van-kheo");
  CHECK(now->apart[1].reason == "no-security-content");
  CHECK(now->ratings.at("weak") == 1);
  CHECK(now->ratings.at("fair") == 1);
  CHECK(now->ratings_by_unit.at("UBND xã Tân Lập").at("fair") == 1);
  CHECK(now->ratings_by_level.at("commune") == 2);
  CHECK(now->exemplars.at("building") == 1);
  CHECK(now->replications == 1);
  REQUIRE(now->replication.size() == 1);
  CHECK(now->replication[0].points == 2);
  CHECK(now->replication[0].rated == 2);
  CHECK(now->replication[0].effective == 1);
  CHECK(now->replication[0].threshold_pct == 50);

  // 2024: the green-street model's rating is apart; only TDC counts.
  auto y2024 = statistics(*t.ledger, {}, 2024);
  REQUIRE(y2024);
  CHECK(y2024->ratings.at("good") == 1);
  CHECK(y2024->ratings.size() == 1);

  // As of 2024-01-31: the second point was not founded yet.
  auto early = statistics(*t.ledger, AsOf{"2024-01-31", std::nullopt}, 2024);
  REQUIRE(early);
  CHECK(early->points == 2);
  CHECK(early->teams == 9);
  // As of 2023-06-30: no replication yet, one point.
  auto first = statistics(*t.ledger, AsOf{"2023-06-30", std::nullopt}, 2024);
  REQUIRE(first);
  CHECK(first->points == 1);
  CHECK(first->replications == 0);
  // --unit: a unit that founded nothing has nothing.
  auto other = statistics(*t.ledger, {}, std::nullopt, "UBND xã Khác");
  REQUIRE(other);
  CHECK(other->points == 0);
}

}  // namespace
}  // namespace antq::projections
