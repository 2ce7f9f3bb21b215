// antq rebuild end to end: a `state` database damaged through LMDB is recomputed from the entries, byte for byte.
#include <lmdb.h>

#include <map>

#include <catch2/catch.hpp>

#include "demo.hpp"

namespace antq::test {
namespace {

using StateMap = std::map<std::string, std::string>;

// Runs `edit` in one write transaction on the ledger's `state` database, through LMDB directly (as anybody with
// file access could), and returns the database as it stood before.
StateMap edit_state(const fs::path& dir, const std::function<void(MDB_txn*, MDB_dbi)>& edit = {}) {
  StateMap before;
  edit_database(dir, "state", [&](MDB_txn* txn, MDB_dbi dbi) {
    MDB_cursor* c = nullptr;
    REQUIRE(mdb_cursor_open(txn, dbi, &c) == 0);
    MDB_val k, v;
    for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
      before.emplace(std::string(static_cast<char*>(k.mv_data), k.mv_size),
                     std::string(static_cast<char*>(v.mv_data), v.mv_size));
    mdb_cursor_close(c);
    if (edit) edit(txn, dbi);
  });
  return before;
}

TEST_CASE("rebuild restores a state key deleted and one changed through LMDB, byte for byte, verify passes again, "
          "and a terminal sees the progress", "[cli][rebuild]") {
  CommuneDemo demo;
  std::string subject, authority;
  const StateMap intact = edit_state(demo.ledger(), [&](MDB_txn* txn, MDB_dbi dbi) {
    MDB_cursor* c = nullptr;
    REQUIRE(mdb_cursor_open(txn, dbi, &c) == 0);
    MDB_val k, v;
    for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
      std::string key(static_cast<char*>(k.mv_data), k.mv_size);
      if (subject.empty() && key.starts_with("subject/")) subject = key;
      if (authority.empty() && key.starts_with("authority/")) authority = key;
    }
    mdb_cursor_close(c);
    REQUIRE(!subject.empty());
    REQUIRE(!authority.empty());
    MDB_val ks = mval(subject), ka = mval(authority), va = mval("[]");
    REQUIRE(mdb_del(txn, dbi, &ks, nullptr) == 0);
    REQUIRE(mdb_put(txn, dbi, &ka, &va, 0) == 0);
  });
  std::string out;
  CHECK(run(kAntq + " verify " + quote(demo.ledger()), &out) == 1);  // the replay no longer matches the state

  REQUIRE(run(kAntq + " rebuild " + quote(demo.ledger()), &out) == 0);
  INFO(out);
  CHECK_THAT(out, Catch::Contains("1 changed, 1 added, 0 removed"));
  CHECK(edit_state(demo.ledger()) == intact);
  CHECK(run(kAntq + " verify " + quote(demo.ledger()), &out) == 0);

  // Again: nothing differs, nothing is written.
  const std::string data = read_file(demo.ledger() / "data.mdb");
  REQUIRE(run(kAntq + " rebuild --json " + quote(demo.ledger()), &out) == 0);
  auto report = json::parse(out);
  CHECK(report["written"] == false);
  CHECK(report["keys"] == intact.size());
  CHECK(report["unchanged"] == intact.size());
  CHECK(report["changed"] == 0);
  CHECK(report["entries"].get<std::uint64_t>() > 10);
  CHECK(read_file(demo.ledger() / "data.mdb") == data);

  // With a terminal on stderr (script(1) gives it one; its output is what the terminal showed), the progress.
  REQUIRE(run("script -qec " + quote(kAntq + " rebuild " + demo.ledger().string()) + " /dev/null", &out) == 0);
  CHECK_THAT(out, Catch::Contains("\rrebuild: ") && Catch::Contains(" entries\r\n"));
}

TEST_CASE("rebuild of a missing directory or of no ledger exits 2 with one line", "[cli][rebuild]") {
  TempDir tmp;
  for (const fs::path& dir : {tmp / "missing", tmp.path()}) {
    std::string out;
    INFO(dir);
    CHECK(run(kAntq + " rebuild " + quote(dir), &out) == 2);
    CHECK(lines_of(out) == 1);
    CHECK_THAT(out, Catch::Contains("holds no ledger"));
  }
  std::string out;
  CHECK(run(kAntq + " rebuild --help", &out) == 0);
  CHECK_THAT(out, Catch::Contains("Usage: antq rebuild"));
}

}  // namespace
}  // namespace antq::test
