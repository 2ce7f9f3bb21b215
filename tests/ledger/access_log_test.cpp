// The access history (ledger/access_log.hpp): records, group commit, durability, verification, tampering.
#include "ledger/access_log.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include <fmt/format.h>

#include "ledger/merkle.hpp"
#include "support.hpp"

using namespace antq;
using namespace antq::ledger;
using antq::test::TempDir;
namespace fs = std::filesystem;

namespace {

const std::string kOrigin = "antq-ledger/test";

// Keys as FORMAT.md §12 lays them out: a record's seq, 8 bytes big-endian; a tree node's level (1 byte) and index.
std::array<std::uint8_t, 8> seq_key(std::uint64_t v) {
  std::array<std::uint8_t, 8> k{};
  for (int i = 7; i >= 0; --i, v >>= 8) k[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v);
  return k;
}
std::array<std::uint8_t, 9> node_key(unsigned level, std::uint64_t index) {
  std::array<std::uint8_t, 9> k{static_cast<std::uint8_t>(level)};
  const auto i = seq_key(index);
  std::copy(i.begin(), i.end(), k.begin() + 1);
  return k;
}

// A record of a read by client `client` (0-255), its `n`th.
AccessRecord read_record(unsigned client, unsigned n) {
  AccessRecord r;
  r.at = "2026-12-05T06:20:18Z";
  r.certificate = to_hex(sha256(as_bytes(fmt::format("client {}", client))));
  r.subject_dn = fmt::format("CN=Thanh tra {},O=Thanh tra tỉnh", client);
  r.role = "inspector";
  r.route = fmt::format("GET /v1/subjects/M-{}/dossier?n={}", client, n);
  r.subject = fmt::format("M-{}", client);
  return r;
}

// A directory standing for a ledger's, and the operator key its access log signs with.
struct Fixture {
  TempDir tmp;
  std::shared_ptr<const signing::Ed25519Key> key = test::new_operator_key();
  fs::path dir() const { return tmp.path(); }
  VerifierKey verifier() const {
    auto k = parse_verifier_key(format_verifier_key(kOrigin, key->public_key()));
    REQUIRE(k);
    return *k;
  }
  std::unique_ptr<AccessLog> writer(AccessLog::Options options = {}) {
    auto log = AccessLog::open_writer(dir(), kOrigin, key, options);
    if (!log) FAIL(log.error().line());
    return std::move(*log);
  }
  std::unique_ptr<AccessLog> reader() {
    auto log = AccessLog::open_reader(dir());
    if (!log) FAIL(log.error().line());
    return std::move(*log);
  }
  std::vector<AccessRecord> records() {
    std::vector<AccessRecord> out;
    require(reader()->for_each({}, [&](const AccessRecord& r) -> Status {
      out.push_back(r);
      return {};
    }));
    return out;
  }
  AccessLogReport verify() { return reader()->verify(verifier()); }
  static void require(const Status& s) {
    if (!s) FAIL(s.error().line());
  }
};

// Writes `count` records from one writer and closes it (the destructor flushes).
void write_records(Fixture& f, unsigned count) {
  auto log = f.writer();
  for (unsigned i = 0; i < count; ++i) REQUIRE(log->record(read_record(1, i)));
}

}  // namespace

TEST_CASE("Records are encoded as canonical JSON and decoded only from exactly that", "[access_log]") {
  AccessRecord r = read_record(7, 3);
  r.seq = 12;
  r.unit = "UBND xã Tân Lập";
  const std::string bytes = encode_access_record(r);
  CHECK(bytes == R"({"at":"2026-12-05T06:20:18Z","certificate":")" + r.certificate +
                     R"(","report":"","role":"inspector","route":"GET /v1/subjects/M-7/dossier?n=3","seq":12,)"
                     R"("subject":"M-7","subject_dn":"CN=Thanh tra 7,O=Thanh tra tỉnh","unit":"UBND xã Tân Lập"})");
  auto back = decode_access_record(bytes);
  REQUIRE(back);
  CHECK(*back == r);

  auto refused = [](std::string_view text) {
    auto d = decode_access_record(text);
    REQUIRE_FALSE(d);
    CHECK(d.error().kind == ErrorKind::bad_input);
    return d.error().message;
  };
  std::string spaced = bytes;
  spaced.insert(1, " ");
  CHECK(refused(spaced) == "access record: not in its canonical form (FORMAT.md §12)");
  CHECK(refused("[]") == "access record: not a JSON object of the 9 fields of a record");
  CHECK(refused("{\"at\":") == "access record: not a JSON object of the 9 fields of a record");
  nlohmann::json j = nlohmann::json::parse(bytes);
  j["seq"] = -1;
  CHECK(refused(j.dump()) == "access record: seq: missing or not a number");
  j = nlohmann::json::parse(bytes);
  j.erase("unit");
  j["extra"] = "";
  CHECK(refused(j.dump()) == "access record: unit: missing or not text");
  j = nlohmann::json::parse(bytes);
  j["at"] = "2026-12-05T13:20:18+07:00";
  CHECK_THAT(refused(j.dump()), Catch::StartsWith("access record: at: expected an RFC 3339 UTC time"));
  CHECK_THAT(refused(std::string(1u << 20, ' ')), Catch::Contains("more than any record can be"));
}

TEST_CASE("record() refuses a malformed record with one line and queues nothing", "[access_log]") {
  Fixture f;
  auto log = f.writer();
  auto bad = [&](auto change) {
    AccessRecord r = read_record(1, 1);
    change(r);
    auto t = log->record(r);
    REQUIRE_FALSE(t);
    CHECK(t.error().kind == ErrorKind::bad_input);
    return t.error().message;
  };
  CHECK(bad([](AccessRecord& r) { r.certificate = "ABCD"; }) ==
        "access record: certificate: expected a SHA-256 fingerprint (64 lower-case hex digits)");
  CHECK(bad([](AccessRecord& r) { r.role = "Inspector"; }) == "access record: role: expected 1-32 of a-z and '-'");
  CHECK(bad([](AccessRecord& r) { r.route.clear(); }) == "access record: route: missing (what was read)");
  CHECK(bad([](AccessRecord& r) { r.route = "GET /\xff"; }) ==
        "access record: route: not valid UTF-8 text (or holds a NUL)");
  CHECK(bad([](AccessRecord& r) { r.route = std::string(3000, 'a'); }) ==
        "access record: route: 3000 bytes, more than the limit of 2048");
  CHECK(bad([](AccessRecord& r) { r.at = "yesterday"; }) ==
        "access record: at: expected an RFC 3339 UTC time YYYY-MM-DDTHH:MM:SSZ, got \"yesterday\"");
  // An empty `at` is stamped with the time of the call.
  AccessRecord now = read_record(1, 1);
  now.at.clear();
  REQUIRE(log->record(now));
  Fixture::require(log->flush());
  CHECK(log->size() == 1);
  std::vector<AccessRecord> seen;
  Fixture::require(log->for_each({}, [&](const AccessRecord& r) -> Status {
    seen.push_back(r);
    return {};
  }));
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].at.substr(0, 4) == signing::format_utc(signing::now()).substr(0, 4));
}

TEST_CASE("Records from many threads are committed in groups, each thread's in its order, all after flush",
          "[access_log]") {
  Fixture f;
  constexpr unsigned kThreads = 16, kEach = 250;
  std::atomic<unsigned> returned{0};  // record() calls of the threads that returned
  std::atomic<bool> first_committed{false};
  std::vector<std::size_t> groups;  // on the committer thread only
  AccessLog::Options options;
  options.on_commit = [&](std::size_t group, std::uint64_t) {
    groups.push_back(group);
    // The first commit holds the next back until every thread has queued everything: the rest is then one group.
    if (groups.size() == 1) {
      first_committed = true;
      while (returned.load() < kThreads * kEach) std::this_thread::yield();
    }
  };
  auto log = f.writer(options);
  REQUIRE(log->record(read_record(kThreads, 0)));  // the first group, alone
  while (!first_committed) std::this_thread::yield();
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (unsigned i = 0; i < kEach; ++i) {
        if (!log->record(read_record(t, i))) return;
        returned.fetch_add(1);
      }
    });
  for (auto& t : threads) t.join();
  REQUIRE(returned.load() == kThreads * kEach);
  Fixture::require(log->flush());
  CHECK(log->size() == kThreads * kEach + 1);
  // One transaction for the first record, one for everything the threads queued meanwhile.
  CHECK(groups == std::vector<std::size_t>{1, kThreads * kEach});
  log.reset();

  const auto records = f.records();
  REQUIRE(records.size() == kThreads * kEach + 1);
  std::vector<int> last(kThreads + 1, -1);
  for (std::size_t i = 0; i < records.size(); ++i) {
    CHECK(records[i].seq == i);
    const unsigned client = static_cast<unsigned>(std::stoul(records[i].subject.substr(2)));
    const int n = std::stoi(records[i].route.substr(records[i].route.find("?n=") + 3));
    CHECK(n == last[client] + 1);  // a thread's records in the order it made them
    last[client] = n;
  }
  const AccessLogReport report = f.verify();
  CHECK(report.ok());
  CHECK(report.records == kThreads * kEach + 1);
  CHECK(report.checkpoints == 3);  // size 0, then one per group
}

TEST_CASE("A reopened log goes on where it stopped, and its checkpoint signs its size and root", "[access_log]") {
  Fixture f;
  write_records(f, 5);
  std::string note;
  {
    auto log = f.writer();
    CHECK(log->size() == 5);
    REQUIRE(log->record(read_record(2, 0)));
    Fixture::require(log->flush());
    CHECK(log->size() == 6);
    note = log->checkpoint();
    auto c = open_checkpoint(note, *parse_verifier_key(format_verifier_key(kOrigin + "/access", f.key->public_key())));
    REQUIRE(c);
    CHECK(c->origin == "antq-ledger/test/access");
    CHECK(c->size == 6);
  }
  const auto records = f.records();
  REQUIRE(records.size() == 6);
  CHECK(records[5].subject == "M-2");
  const AccessLogReport report = f.verify();
  CHECK(report.ok());
  // The root is RFC 9162's over the records' bytes.
  std::vector<Digest> leaves;
  for (const auto& r : records) leaves.push_back(leaf_hash(as_bytes(encode_access_record(r))));
  CompactRange range;
  for (const auto& l : leaves) range.append(l);
  CHECK(report.root == range.root());
  CHECK(f.reader()->checkpoint() == note);

  // Another ledger's log is not this one's.
  auto other = AccessLog::open_writer(f.dir(), "antq-ledger/other", f.key);
  REQUIRE_FALSE(other);
  CHECK(other.error().message == (f.dir() / "access").string() +
                                     " is the access log of origin \"antq-ledger/test/access\", not of this ledger "
                                     "(\"antq-ledger/other/access\")");
  // Nor signed by another key.
  auto stranger = AccessLog::open_writer(f.dir(), kOrigin, test::new_operator_key());
  REQUIRE_FALSE(stranger);
  CHECK(stranger.error().kind == ErrorKind::corruption);
}

TEST_CASE("What flush() returned survives a crash of the writer", "[access_log]") {
  Fixture f;
  write_records(f, 1);  // the log exists before the child opens it
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // As kill -9 would leave it: no destructor, no flush of what came after the last flush().
    auto log = AccessLog::open_writer(f.dir(), kOrigin, f.key);
    if (!log) _exit(3);
    for (unsigned i = 0; i < 100; ++i)
      if (!(*log)->record(read_record(3, i))) _exit(4);
    if (!(*log)->flush()) _exit(5);
    for (unsigned i = 100; i < 200; ++i) (void)(*log)->record(read_record(3, i));
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  const auto records = f.records();
  CHECK(records.size() >= 101);
  CHECK(records.size() <= 201);
  for (std::size_t i = 1; i < 101; ++i) CHECK(records[i].route == read_record(3, static_cast<unsigned>(i - 1)).route);
  CHECK(f.verify().ok());
}

TEST_CASE("verify fails a log whose record was changed, removed or signed by another key", "[access_log]") {
  Fixture f;
  write_records(f, 6);
  REQUIRE(f.verify().ok());
  const fs::path access = f.dir() / "access";

  SECTION("a byte of a record changed in data.mdb") {
    std::string bytes = test::read_file(access / "data.mdb");
    const std::string route = "dossier?n=4";
    // Record 4 now says it read n=5: still a valid record. (Pages LMDB freed may hold older copies of the leaf:
    // every copy is changed, so that the live one is.)
    std::size_t copies = 0;
    for (auto at = bytes.find(route); at != std::string::npos; at = bytes.find(route, at + 1), ++copies)
      bytes[at + route.size() - 1] = '5';
    REQUIRE(copies >= 1);
    test::write_file(access / "data.mdb", bytes);
    const AccessLogReport r = f.verify();
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.failures.front(),
               Catch::StartsWith("access log: record 4: the stored tree node (level 0, index 4) differs"));
    CHECK(std::any_of(r.failures.begin(), r.failures.end(), [](const std::string& s) {
      return s == "access log: checkpoint 6: its root is not the root of the first 6 records";
    }));
  }
  SECTION("a record rewritten with its tree nodes recomputed: the signed checkpoint still tells") {
    test::edit_database(access, "records", [](MDB_txn* txn, MDB_dbi dbi) {
      const auto k = seq_key(2);
      MDB_val key{8, const_cast<std::uint8_t*>(k.data())}, value;
      REQUIRE(mdb_get(txn, dbi, &key, &value) == 0);
      std::string text(static_cast<const char*>(value.mv_data), value.mv_size);
      text.replace(text.find("inspector"), 9, "archivist");  // still a valid, canonical record
      MDB_val changed = test::mval(text);
      REQUIRE(mdb_put(txn, dbi, &key, &changed, 0) == 0);
    });
    // Recompute every node as a forger would.
    std::vector<std::string> records;
    test::edit_database(access, "records", [&](MDB_txn* txn, MDB_dbi dbi) {
      for (std::uint64_t i = 0; i < 6; ++i) {
        const auto k = seq_key(i);
        MDB_val key{8, const_cast<std::uint8_t*>(k.data())}, value;
        REQUIRE(mdb_get(txn, dbi, &key, &value) == 0);
        records.emplace_back(static_cast<const char*>(value.mv_data), value.mv_size);
      }
    });
    test::edit_database(access, "nodes", [&](MDB_txn* txn, MDB_dbi dbi) {
      CompactRange range;
      for (const auto& r : records)
        for (const PerfectNode& n : range.append(leaf_hash(as_bytes(r)))) {
          const auto k = node_key(n.level, n.index);
          MDB_val key{k.size(), const_cast<std::uint8_t*>(k.data())};
          MDB_val value{32, const_cast<std::uint8_t*>(n.hash.data())};
          REQUIRE(mdb_put(txn, dbi, &key, &value, 0) == 0);
        }
    });
    const AccessLogReport r = f.verify();
    REQUIRE_FALSE(r.ok());
    // Checkpoints of sizes up to 2 still hold; every later one (one per group written) names the change.
    for (const auto& failure : r.failures)
      CHECK_THAT(failure,
                 Catch::Matches("access log: checkpoint [3-6]: its root is not the root of the first [3-6] records"));
    CHECK(r.failures.back() == "access log: checkpoint 6: its root is not the root of the first 6 records");
  }
  SECTION("the last record removed") {
    test::edit_database(access, "records", [](MDB_txn* txn, MDB_dbi dbi) {
      const auto k = seq_key(5);
      MDB_val key{8, const_cast<std::uint8_t*>(k.data())};
      REQUIRE(mdb_del(txn, dbi, &key, nullptr) == 0);
    });
    const AccessLogReport r = f.verify();
    REQUIRE_FALSE(r.ok());
    CHECK(std::find(r.failures.begin(), r.failures.end(),
                    "access log: checkpoint 6: the log holds 5 records (records removed?)") != r.failures.end());
  }
  SECTION("a record in the middle removed") {
    test::edit_database(access, "records", [](MDB_txn* txn, MDB_dbi dbi) {
      const auto k = seq_key(2);
      MDB_val key{8, const_cast<std::uint8_t*>(k.data())};
      REQUIRE(mdb_del(txn, dbi, &key, nullptr) == 0);
    });
    const AccessLogReport r = f.verify();
    REQUIRE_FALSE(r.ok());
    CHECK(r.failures.front() == "access log: record 2 is missing (the next is 3): records were removed");
  }
  SECTION("checked against another operator key") {
    auto other = parse_verifier_key(format_verifier_key(kOrigin, test::new_operator_key()->public_key()));
    REQUIRE(other);
    const AccessLogReport r = f.reader()->verify(*other);
    REQUIRE_FALSE(r.ok());
    CHECK(r.failures.front() == "access log: checkpoint 0: checkpoint note: not signed by antq-ledger/test/access");
  }
}

TEST_CASE("A reader cannot record, and a directory without a log has none to open", "[access_log]") {
  Fixture f;
  CHECK_FALSE(AccessLog::exists(f.dir()));
  auto none = AccessLog::open_reader(f.dir());
  REQUIRE_FALSE(none);
  CHECK_THAT(none.error().message, Catch::Contains("holds no access log"));
  write_records(f, 1);
  CHECK(AccessLog::exists(f.dir()));
  auto r = f.reader();
  auto t = r->record(read_record(1, 1));
  REQUIRE_FALSE(t);
  CHECK(t.error().message == "the access log was opened for reading");
  CHECK(r->size() == 1);
  // Filters: subject and time.
  std::size_t n = 0;
  Fixture::require(r->for_each({.subject = "M-2", .since = std::nullopt}, [&](const AccessRecord&) -> Status {
    ++n;
    return {};
  }));
  CHECK(n == 0);
  Fixture::require(r->for_each({.subject = "M-1", .since = *signing::parse_time("2026-12-05T06:20:18Z")},
                               [&](const AccessRecord&) -> Status {
                                 ++n;
                                 return {};
                               }));
  CHECK(n == 1);
  Fixture::require(r->for_each({.subject = std::nullopt, .since = *signing::parse_time("2026-12-05T06:20:19Z")},
                               [&](const AccessRecord&) -> Status {
                                 ++n;
                                 return {};
                               }));
  CHECK(n == 1);
}

TEST_CASE("The fuzzer's seed records, written by another JSON writer in FORMAT.md's form, decode", "[access_log]") {
  // Python's json.dumps(sort_keys=True, separators=(',', ':'), ensure_ascii=False) made them: the form is the
  // format's, not this program's alone.
  std::size_t seeds = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(ANTQ_SOURCE_DIR) / "tests/fuzz/corpus/access_record")) {
    INFO(entry.path());
    const std::string bytes = test::read_file(entry.path());
    auto r = decode_access_record(bytes);
    if (!r) FAIL(r.error().line());
    CHECK(encode_access_record(*r) == bytes);
    ++seeds;
  }
  CHECK(seeds == 3);
}

TEST_CASE("A log whose creation never committed is made afresh when the writer opens it again", "[access_log]") {
  Fixture f;
  // What a crash between mdb_env_open and the first commit leaves: data.mdb and lock.mdb, and no database.
  fs::create_directory(f.dir() / "access");
  MDB_env* env = nullptr;
  REQUIRE(mdb_env_create(&env) == 0);
  REQUIRE(mdb_env_open(env, (f.dir() / "access").c_str(), 0, 0640) == 0);
  mdb_env_close(env);
  REQUIRE(AccessLog::exists(f.dir()));
  write_records(f, 2);
  const AccessLogReport report = f.verify();
  CHECK(report.ok());
  CHECK(report.records == 2);
}
