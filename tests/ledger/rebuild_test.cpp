// Ledger::rebuild: the `state` database recomputed from the entries, written only when it differs.
#include <fmt/format.h>
#include <lmdb.h>

#include <catch2/catch.hpp>

#include "projections/query.hpp"
#include "support.hpp"

namespace antq::ledger {
namespace {

using nlohmann::json;
using test::edit_database;
using test::make_act;
using test::mval;
using test::TestLedger;

// A model founded through the baseline's steps, then a second one proposed: subject states, bindings.
void found_models(TestLedger& t) {
  const auto& steps = test::kBaselineSteps;
  for (std::size_t i = 0; i < steps.size(); ++i) t.admit(make_act(steps[i], "TL-1", fmt::format("2023-02-{:02}", i + 1)));
  t.admit(make_act("model.established", "TL-1", "2023-02-10", {{"name", "Tổ tự quản"}, {"type", "self-managed"}, {"teams", 3}}));
  t.admit(make_act("survey.plan-approved", "TL-2", "2023-03-01"));
}

Result<RebuildReport> rebuild(TestLedger& t) {
  auto replay = projections::make_admission(*t.ledger);
  REQUIRE(replay);
  return t.ledger->rebuild(**replay);
}

TEST_CASE("Rebuild of an intact ledger finds every key as stored and writes nothing", "[ledger][rebuild]") {
  TestLedger t("hoa-binh-2023", "p256");
  found_models(t);
  const std::string before = t.data_bytes();
  std::vector<std::pair<std::uint64_t, std::uint64_t>> seen;
  auto replay = projections::make_admission(*t.ledger);
  REQUIRE(replay);
  auto r = t.ledger->rebuild(**replay, [&](std::uint64_t done, std::uint64_t total) { seen.emplace_back(done, total); });
  test::require_ok(r);
  CHECK(r->entries == t.ledger->size());
  // authority/ of the chair and the office, subject/TL-1, subject/TL-2 (one half-year each), and records/keeper/ of
  // each (retention.hpp: the unit of its first act)
  CHECK(r->keys == 6);
  CHECK(r->unchanged == r->keys);
  CHECK(r->changed + r->added + r->removed == 0);
  CHECK_FALSE(r->written());
  CHECK(t.data_bytes() == before);
  REQUIRE_FALSE(seen.empty());
  CHECK(seen.back() == std::pair{t.ledger->size(), t.ledger->size()});
}

TEST_CASE("Rebuild restores a changed, a deleted and a foreign state key in one write, and verify passes again",
          "[ledger][rebuild]") {
  TestLedger t("hoa-binh-2023", "p256");
  found_models(t);
  const auto tl1 = t.ledger->state_value("subject/TL-1"), tl2 = t.ledger->state_value("subject/TL-2");
  REQUIRE(tl1);
  REQUIRE(tl2);
  t.ledger.reset();
  edit_database(t.dir(), "state", [](MDB_txn* txn, MDB_dbi dbi) {
    MDB_val k1 = mval("subject/TL-1"), v1 = mval("{}"), k2 = mval("subject/TL-2"), k3 = mval("subject/ZZ"), v3 = mval("{}");
    REQUIRE(mdb_put(txn, dbi, &k1, &v1, 0) == 0);
    REQUIRE(mdb_del(txn, dbi, &k2, nullptr) == 0);
    REQUIRE(mdb_put(txn, dbi, &k3, &v3, 0) == 0);
  });
  t.reopen();
  CHECK_FALSE(t.verify().ok);

  auto r = rebuild(t);
  test::require_ok(r);
  CHECK(r->changed == 1);
  CHECK(r->added == 1);
  CHECK(r->removed == 1);
  CHECK(r->unchanged == 4);
  CHECK(r->written());
  CHECK(t.ledger->state_value("subject/TL-1") == tl1);
  CHECK(t.ledger->state_value("subject/TL-2") == tl2);
  CHECK_FALSE(t.ledger->state_value("subject/ZZ"));
  CHECK(t.verify().ok);
  // Appends go on from the rebuilt state.
  t.admit(make_act("survey.reported", "TL-2", "2023-03-05"));
  CHECK(t.verify().ok);
}

TEST_CASE("A ledger written before half-year snapshots, then appended to: as-of answers fold the chains, and rebuild "
          "adds the snapshots",
          "[ledger][rebuild]") {
  TestLedger t("hoa-binh-2023", "p256");
  found_models(t);
  t.admit(make_act("model.launched", "TL-1", "2023-06-01"));
  const projections::AsOf spring{"2023-04-30", std::nullopt}, summer{"2023-07-01", std::nullopt};
  auto stage_of = [&](const projections::AsOf& at) {
    auto s = projections::SubjectReader(*t.ledger).state("TL-1", at);
    REQUIRE(s);
    REQUIRE(*s);
    return (*s)->stage;
  };
  REQUIRE(stage_of(spring) == "established");
  REQUIRE(stage_of(summer) == "active");
  std::vector<std::string> snapshots;
  t.ledger->for_each_state("asof/", [&](std::string_view k, std::string_view) { snapshots.emplace_back(k); });
  CHECK(snapshots == std::vector<std::string>{"asof/TL-1@2023-04-30"});  // TL-1 as it stood at the half-year's end
  t.ledger.reset();
  edit_database(t.dir(), "state", [&](MDB_txn* txn, MDB_dbi dbi) {
    for (const auto& k : snapshots) {
      MDB_val key = mval(k);
      REQUIRE(mdb_del(txn, dbi, &key, nullptr) == 0);
    }
  });
  t.reopen();
  CHECK(stage_of(spring) == "established");
  CHECK(stage_of(summer) == "active");
  CHECK_FALSE(t.verify().ok);
  // Appended to by this version: the act of a new half-year keeps the summer's state (asof/TL-1@2023-10-31); the
  // spring's is still missing, and the answers still right.
  t.admit(make_act("model.plan-issued", "TL-1", "2023-12-01", {{"year", 2024}, {"targets", 10}}));
  CHECK(t.ledger->state_value("asof/TL-1@2023-10-31"));
  CHECK(stage_of(spring) == "established");
  CHECK(stage_of(summer) == "active");
  CHECK(stage_of({"2023-10-31", std::nullopt}) == "active");

  auto r = rebuild(t);
  test::require_ok(r);
  CHECK(r->added == 1);  // asof/TL-1@2023-04-30
  CHECK(r->changed + r->removed == 0);
  CHECK(json::parse(*t.ledger->state_value("asof/TL-1@2023-04-30"))["stage"] == "established");
  CHECK(stage_of(spring) == "established");
  CHECK(stage_of(summer) == "active");
  CHECK(t.verify().ok);
}

TEST_CASE("Rebuild of a log with an entry missing fails naming it and writes nothing", "[ledger][rebuild]") {
  TestLedger t("hoa-binh-2023", "p256");
  found_models(t);
  t.ledger.reset();
  edit_database(t.dir(), "state", [](MDB_txn* txn, MDB_dbi dbi) {
    MDB_val k = mval("subject/TL-2");
    REQUIRE(mdb_del(txn, dbi, &k, nullptr) == 0);
  });
  edit_database(t.dir(), "entries", [](MDB_txn* txn, MDB_dbi dbi) {
    std::uint8_t seq5[8] = {0, 0, 0, 0, 0, 0, 0, 5};
    MDB_val k{8, seq5};
    REQUIRE(mdb_del(txn, dbi, &k, nullptr) == 0);
  });
  t.reopen();
  const std::string before = t.data_bytes();
  auto r = rebuild(t);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::corruption);
  CHECK_THAT(r.error().message, Catch::Contains("entry 5 is missing"));
  CHECK(t.data_bytes() == before);
  CHECK_FALSE(t.ledger->state_value("subject/TL-2"));
}

}  // namespace
}  // namespace antq::ledger
