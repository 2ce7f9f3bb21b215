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

void found_with_data(TestLedger& t, const std::string& id, const std::string& month, json data) {
  const auto& steps = test::kBaselineSteps;
  for (std::size_t i = 0; i < steps.size(); ++i) t.admit(make_act(steps[i], id, fmt::format("{}-{:02}", month, i + 1)));
  data["type"] = "self-managed";
  t.admit(make_act("model.established", id, month + "-10", data));
}

TEST_CASE("Points and teams by model name, ratings by level and unit, exemplars, as of a date (Kon Tum: nothing apart)", "[stats]") {
  TestLedger t("kon-tum-2022", "p256");
  found_with_data(t, "TDC", "2023-01", {{"name", "Tổ dân cư tự quản"}, {"teams", 5}});
  found_with_data(t, "GREEN", "2023-01", {{"name", "Tuyến đường xanh"}, {"teams", 2}, {"security_content", false}});
  found_with_data(t, "DVK", "2023-01", {{"name", "Dân vận khéo"}, {"teams", 3}, {"movement", "dan-van-kheo"}});
  t.admit(make_act("model.rated", "TDC", "2023-11-20", {{"year", 2024}, {"level", "good"}}));
  t.admit(make_act("model.rated", "GREEN", "2023-11-20", {{"year", 2024}, {"level", "good"}}));
  t.admit(make_act("model.replicated", "TDC", "2023-11-25", {{"areas", {"Thôn A", "Thôn B"}}}));
  found_with_data(t, "TDC/P001", "2023-12", {{"name", "Tổ dân cư tự quản"}, {"teams", 4}});
  found_with_data(t, "TDC/P002", "2024-02", {{"name", "Tổ dân cư tự quản"}, {"teams", 6}});
  t.admit(make_act("exemplar.surveyed", "E-1", "2023-02-01", {{"holder", "Bà Lò Thị C"}}));
  t.admit(make_act("exemplar.plan-issued", "E-1", "2023-03-01"));
  t.admit(make_act("model.rated", "TDC/P001", "2024-11-08", {{"year", 2025}, {"level", "weak"}}));
  t.admit(make_act("model.rated", "TDC/P002", "2024-12-20", {{"year", 2025}, {"level", "fair"}}));

  auto now = statistics(*t.ledger, {}, std::nullopt);
  REQUIRE(now);
  CHECK(now->year == 2025);  // the latest rated
  // 002 sets nothing apart (statistics.apart is empty): the green-street and Dân vận khéo models count too.
  REQUIRE(now->models.size() == 3);
  CHECK(now->models[0].name == "Tổ dân cư tự quản");
  CHECK(now->models[0].points == 3);  // the origin and its two points
  CHECK(now->models[0].teams == 5 + 4 + 6);
  CHECK(now->points == 5);
  CHECK(now->teams == 15 + 2 + 3);
  CHECK(now->apart.empty());
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
  CHECK(now->replication[0].counted == 2);
  CHECK(now->replication[0].threshold_pct == 50);

  // 2024: the green-street model's rating counts with TDC's.
  auto y2024 = statistics(*t.ledger, {}, 2024);
  REQUIRE(y2024);
  CHECK(y2024->ratings.at("good") == 2);
  CHECK(y2024->ratings.size() == 1);

  // As of 2024-01-31: the second point was not founded yet.
  auto early = statistics(*t.ledger, AsOf{"2024-01-31", std::nullopt}, 2024);
  REQUIRE(early);
  CHECK(early->points == 4);
  CHECK(early->teams == 9 + 5);
  // As of 2023-06-30: no replication yet, one point.
  auto first = statistics(*t.ledger, AsOf{"2023-06-30", std::nullopt}, 2024);
  REQUIRE(first);
  CHECK(first->points == 3);
  CHECK(first->replications == 0);
  // --unit: a unit that founded nothing has nothing.
  auto other = statistics(*t.ledger, {}, std::nullopt, "UBND xã Khác");
  REQUIRE(other);
  CHECK(other->points == 0);
}

TEST_CASE("Hòa Bình sets Dân vận khéo models and models without security content apart (000 §VI.2-3)", "[stats]") {
  TestLedger t("hoa-binh-2023", "p256");
  found_with_data(t, "TDC", "2023-01", {{"name", "Tổ dân cư tự quản"}, {"teams", 5}});
  found_with_data(t, "GREEN", "2023-01", {{"name", "Tuyến đường xanh"}, {"teams", 2}, {"security_content", false}});
  found_with_data(t, "DVK", "2023-01", {{"name", "Dân vận khéo"}, {"teams", 3}, {"movement", "dan-van-kheo"}});
  t.admit(make_act("model.rated", "GREEN", "2023-11-20", {{"year", 2024}, {"level", "good"}}));
  auto st = statistics(*t.ledger, {}, 2024);
  REQUIRE(st);
  REQUIRE(st->models.size() == 1);
  CHECK(st->points == 1);
  CHECK(st->teams == 5);
  REQUIRE(st->apart.size() == 2);
  CHECK(st->apart[0].reason == "dan-van-kheo");
  CHECK(st->apart[1].reason == "no-security-content");
  CHECK(st->ratings.empty());  // the green-street model's rating is apart too
}

TEST_CASE("Kon Tum's 50%: of all the points open and eligible in the year, not only of those rated (002 §1.c)", "[stats]") {
  TestLedger t("kon-tum-2022", "p256");
  found_with_data(t, "O", "2023-01", {{"name", "Tổ tự quản"}, {"teams", 1}});
  t.admit(make_act("model.rated", "O", "2023-11-20", {{"year", 2024}, {"level", "good"}}));
  t.admit(make_act("model.replicated", "O", "2023-11-20", {{"areas", {"Thôn A", "Thôn B", "Thôn C"}}}));
  for (const char* p : {"O/P001", "O/P002", "O/P003"})
    found_with_data(t, p, "2023-12", {{"name", "Tổ tự quản"}, {"teams", 1}});
  // A point founded in 2024-09 has not operated the 10 months a rating needs by 31 October 2024.
  found_with_data(t, "O/P004", "2024-09", {{"name", "Tổ tự quản"}, {"teams", 1}});
  t.admit(make_act("model.rated", "O/P001", "2024-11-08", {{"year", 2024}, {"level", "fair"}}));
  auto st = statistics(*t.ledger, {}, 2024);
  REQUIRE(st);
  REQUIRE(st->replication.size() == 1);
  const auto& r = st->replication[0];
  CHECK(r.points == 4);
  CHECK(r.rated == 1);
  CHECK(r.effective == 1);
  CHECK(r.counted == 3);  // P001 rated; P002, P003 open and eligible; P004 too recent
}

}  // namespace
}  // namespace antq::projections
