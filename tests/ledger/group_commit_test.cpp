// Ledger::append_group: the group commit of antq serve. Each batch is judged alone on what the batches before it
// left; the admitted ones are written in one transaction with one checkpoint; a refused one leaves no trace.
#include <lmdb.h>

#include <catch2/catch.hpp>

#include "ledger/ledger.hpp"
#include "support.hpp"

namespace antq::ledger {
namespace {

using nlohmann::json;
using test::make_act;
using test::TestLedger;

json proposed(const std::string& id) { return make_act("model.proposed", id, "2023-03-15"); }

// The sizes for which the ledger stores a signed checkpoint.
std::vector<std::uint64_t> checkpoint_sizes(const std::filesystem::path& dir) {
  std::vector<std::uint64_t> sizes;
  test::edit_database(dir, "checkpoints", [&](MDB_txn* txn, MDB_dbi dbi) {
    MDB_cursor* cur = nullptr;
    REQUIRE(mdb_cursor_open(txn, dbi, &cur) == 0);
    MDB_val k, v;
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
      std::uint64_t size = 0;
      for (std::size_t i = 0; i < k.mv_size; ++i) size = size << 8 | static_cast<const std::uint8_t*>(k.mv_data)[i];
      sizes.push_back(size);
    }
    mdb_cursor_close(cur);
  });
  return sizes;
}

TEST_CASE("A group commits its admitted batches in one transaction and refuses the others alone", "[ledger][group]") {
  TestLedger t;
  REQUIRE(t.append({test::sign(proposed("M-1"), t.chair)}));
  const std::uint64_t size = t.ledger->size();  // 3
  auto stranger = t.pki.issue("stranger");

  std::vector<std::vector<Submission>> group = {
      {test::sign(proposed("M-2"), t.chair)},
      {test::sign(proposed("M-1"), t.chair)},                                           // admitted before
      {test::sign(proposed("M-3"), t.chair), test::sign(proposed("M-4"), t.chair)},     // two events together
      {test::sign(proposed("M-5"), t.chair), test::sign(proposed("M-6"), stranger)},    // refused as a whole
      {test::sign(proposed("M-5"), t.chair)},                                           // M-5 left no trace
      {test::sign(proposed("M-2"), t.chair)},                                           // admitted earlier in the group
      {},                                                                               // an empty batch
  };
  auto results = t.ledger->append_group(group, *t.admission);
  REQUIRE(results.size() == group.size());
  REQUIRE(results[0]);
  CHECK(*results[0] == std::vector<std::uint64_t>{size});
  REQUIRE_FALSE(results[1]);
  CHECK(results[1].error().rule == "duplicate");
  REQUIRE(results[2]);
  CHECK(*results[2] == std::vector<std::uint64_t>{size + 1, size + 2});
  REQUIRE_FALSE(results[3]);
  CHECK(results[3].error().rule == "authority");
  CHECK_THAT(results[3].error().message, Catch::StartsWith("event 2 of 2: "));
  REQUIRE(results[4]);
  CHECK(*results[4] == std::vector<std::uint64_t>{size + 3});
  REQUIRE_FALSE(results[5]);
  CHECK(results[5].error().rule == "duplicate");
  REQUIRE(results[6]);
  CHECK(results[6]->empty());

  CHECK(t.ledger->size() == size + 4);
  // One checkpoint for the whole group: none for the sizes inside it.
  const auto sizes = checkpoint_sizes(t.dir());
  CHECK(std::find(sizes.begin(), sizes.end(), size + 4) != sizes.end());
  for (std::uint64_t s = size + 1; s < size + 4; ++s) CHECK(std::find(sizes.begin(), sizes.end(), s) == sizes.end());
  auto report = t.verify();
  CHECK(report.ok);
  for (const auto& f : report.failures) INFO(f.reason);
  CHECK(report.entries == size + 4);
}

TEST_CASE("A group whose every batch is refused writes nothing", "[ledger][group]") {
  TestLedger t;
  REQUIRE(t.append({test::sign(proposed("M-1"), t.chair)}));
  const std::string before = t.data_bytes();
  auto stranger = t.pki.issue("stranger");
  auto results = t.ledger->append_group({{test::sign(proposed("M-1"), t.chair)}, {test::sign(proposed("M-7"), stranger)}},
                                        *t.admission);
  REQUIRE(results.size() == 2);
  CHECK_FALSE(results[0]);
  CHECK_FALSE(results[1]);
  CHECK(t.data_bytes() == before);
}

TEST_CASE("A group judges each batch on the state the admitted batches before it leave", "[ledger][group]") {
  TestLedger t;
  // The second batch proposes the model the first proposed (another document): the rules see the first's state.
  auto results = t.ledger->append_group({{test::sign(make_act("model.proposed", "M-8", "2023-03-15"), t.chair)},
                                         {test::sign(make_act("model.proposed", "M-8", "2023-03-16"), t.chair)}},
                                        *t.admission);
  REQUIRE(results.size() == 2);
  CHECK(results[0]);
  REQUIRE_FALSE(results[1]);
  CHECK(results[1].error().rule == "unknown-subject");
  CHECK_THAT(results[1].error().message, Catch::Contains("M-8 exists already"));
  CHECK(t.verify().ok);
}

}  // namespace
}  // namespace antq::ledger
