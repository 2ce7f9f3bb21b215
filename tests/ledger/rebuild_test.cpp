// Ledger::rebuild: the `state` database recomputed from the entries, written only when it differs.
#include <fmt/format.h>
#include <lmdb.h>

#include <catch2/catch.hpp>

#include "support.hpp"

namespace antq::ledger {
namespace {

using nlohmann::json;
using test::make_act;
using test::TestLedger;

// A model founded through the baseline's steps, then a second one proposed: subject states, bindings.
void found_models(TestLedger& t) {
  const auto& steps = test::kBaselineSteps;
  for (std::size_t i = 0; i < steps.size(); ++i) t.admit(make_act(steps[i], "TL-1", fmt::format("2023-02-{:02}", i + 1)));
  t.admit(make_act("model.established", "TL-1", "2023-02-10", {{"name", "Tổ tự quản"}, {"type", "self-managed"}, {"teams", 3}}));
  t.admit(make_act("survey.plan-approved", "TL-2", "2023-03-01"));
}

// Opens the ledger's LMDB environment directly, as anybody with file access could, and runs `edit` in one
// write transaction on database `name`.
void edit_database(const std::filesystem::path& dir, const char* name, const std::function<void(MDB_txn*, MDB_dbi)>& edit) {
  MDB_env* env = nullptr;
  REQUIRE(mdb_env_create(&env) == 0);
  mdb_env_set_maxdbs(env, 16);
  REQUIRE(mdb_env_open(env, dir.c_str(), 0, 0640) == 0);
  MDB_txn* txn = nullptr;
  REQUIRE(mdb_txn_begin(env, nullptr, 0, &txn) == 0);
  MDB_dbi dbi;
  REQUIRE(mdb_dbi_open(txn, name, 0, &dbi) == 0);
  edit(txn, dbi);
  REQUIRE(mdb_txn_commit(txn) == 0);
  mdb_env_close(env);
}

// (A literal, or a string that outlives the MDB_val.)
MDB_val mval(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }

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
  CHECK(r->keys == 4);  // authority/ of the chair and the office, subject/TL-1, subject/TL-2
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
  CHECK(r->unchanged == 2);
  CHECK(r->written());
  CHECK(t.ledger->state_value("subject/TL-1") == tl1);
  CHECK(t.ledger->state_value("subject/TL-2") == tl2);
  CHECK_FALSE(t.ledger->state_value("subject/ZZ"));
  CHECK(t.verify().ok);
  // Appends go on from the rebuilt state.
  t.admit(make_act("survey.reported", "TL-2", "2023-03-05"));
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
