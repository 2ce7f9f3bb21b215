// Damaged storage is reported, never crashed on (issue 18 point 6), end to end through the antq program: byte flips
// of a real ledger's data.mdb, a copy taken with a plain file copy while another process appends, a file cut short,
// pages swapped; `antq backup`; and a ledger on read-only media (a read-only bind mount in a private mount
// namespace).
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "generated_ledger.hpp"
#include "demo.hpp"

namespace antq::test {
namespace {

// The commune demo, and acts to append to it.
struct StorageDemo : CommuneDemo {
  // A decision that begins a new subject `subject` (its survey plan approved; lawful after the demo's acts),
  // written to a file.
  fs::path plan_approved(const std::string& subject) const {
    const fs::path file = tmp / (subject + ".json");
    write_file(file,
               json{{"act", "survey.plan-approved"},
                    {"subject", subject},
                    {"date", "2024-03-01"},
                    {"document", {{"number", "20/QĐ-UBND"}, {"title", "Quyết định"}, {"issuer", "UBND xã Tân Lập"}}},
                    {"authority", {{"level", "commune"}, {"unit", "UBND xã Tân Lập"}}},
                    {"data", {{"purpose", "khảo sát tình hình ANTT " + subject}}}}
                   .dump());
    return file;
  }
};

// A ledger directory holding `bytes` as its data.mdb, and the verifier key of `from`.
fs::path ledger_with(const fs::path& dir, const fs::path& from, const std::string& bytes) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  write_file(dir / "data.mdb", bytes);
  fs::copy_file(from / "operator.vkey", dir / "operator.vkey");
  return dir;
}

// `antq verify` of a damaged ledger: exit 0 (the damage hit no byte in use), or exit 1 with either exactly one line
// "... damaged store at page N: ..." or an ordinary verification report; never a signal, never exit 2. Returns
// whether the store was named damaged.
bool verify_survives(const fs::path& ledger, const std::string& what) {
  std::string out;
  const int status = run(kAntq + " verify " + quote(ledger), &out);
  INFO(what << "\n-> exit " << status << "\n" << out);
  REQUIRE(status != -1);  // run() returns -1 when antq died by a signal
  REQUIRE((status == 0 || status == 1));
  const bool damaged = out.find("damaged store at page ") != std::string::npos;
  if (damaged) CHECK(lines_of(out) == 1);
  return damaged;
}

// The header pages of a compacted data.mdb (every page in use): number and flags, in file order.
struct HeaderPage {
  std::uint64_t number;
  std::uint16_t flags;
  std::size_t nodes;
};
std::vector<HeaderPage> header_pages(const std::string& file) {
  std::uint32_t psize;
  std::memcpy(&psize, file.data() + 40, 4);
  REQUIRE(psize == 4096);
  std::vector<HeaderPage> out;
  for (std::uint64_t p = 2; (p + 1) * psize <= file.size();) {
    std::uint16_t flags, lower;
    std::uint32_t run = 1;
    std::memcpy(&flags, file.data() + p * psize + 10, 2);
    std::memcpy(&lower, file.data() + p * psize + 12, 2);
    if (flags == 0x04) std::memcpy(&run, file.data() + p * psize + 12, 4);
    out.push_back({p, flags, flags == 0x04 ? 0 : (lower - 16u) / 2});
    p += std::max<std::uint32_t>(run, 1);
  }
  return out;
}

// A generated district of a few hundred acts, so that its trees have branch pages, compacted by `antq backup`: every
// page from 2 to the last is in use, so that every header flip is damage LMDB would meet. Built once per run.
struct CompactLedger {
  CompactLedger() {
    generator::Options o;
    o.models = 6;
    o.points = 30;
    o.exemplars = 2;
    o.years = 1;
    auto acts = generator::district(o);
    REQUIRE(acts);
    generated = std::make_unique<GeneratedLedger>(o);
    generated->append_all(*acts);
    generated->ledger.reset();
    std::string out;
    INFO(out);
    REQUIRE(run(kAntq + " backup " + quote(generated->tmp / "ledger") + " " + quote(dir()), &out) == 0);
    bytes = read_file(dir() / "data.mdb");
  }
  fs::path dir() const { return generated->tmp / "compact"; }
  static const CompactLedger& get() {
    static const CompactLedger ledger;
    return ledger;
  }

  std::unique_ptr<GeneratedLedger> generated;
  std::string bytes;
};

TEST_CASE("verify names a damaged store in one line with exit 1: headers, node offsets, branch pointers, meta pages",
          "[cli][storage]") {
  const CompactLedger& c = CompactLedger::get();
  const fs::path compact = c.dir();
  const std::string& good = c.bytes;
  TempDir tmp;
  const fs::path damaged = tmp / "damaged";

  SECTION("page headers, node offsets and branch pointers") {
    // Pages spread over the file: every fourth branch page and every twelfth other page (a few seconds in all;
    // tests/ledger/lmdb_check_test.cpp damages every page of a smaller file, tools/damage-sweep.sh any ledger).
    std::size_t branches = 0, cases = 0, branch_seen = 0, other_seen = 0;
    for (const HeaderPage& page : header_pages(good)) {
      if (page.flags == 0x01 ? branch_seen++ % 4 != 0 : other_seen++ % 12 != 0) continue;
      auto flip = [&](std::size_t offset, std::uint8_t mask, const char* what) {
        std::string bytes = good;
        bytes[offset] = static_cast<char>(bytes[offset] ^ mask);
        ledger_with(damaged, compact, bytes);
        INFO("page " << page.number << ": " << what);
        CHECK(verify_survives(damaged, what));
        ++cases;
      };
      const std::size_t at = page.number * 4096;
      flip(at, 0x01, "its page number");
      if (page.flags == 0x04) continue;
      flip(at + 10, 0x04, "its kind");
      flip(at + 16, 0x02, "its first node offset");
      if (page.flags == 0x01) {
        ++branches;
        std::uint16_t node;
        std::memcpy(&node, good.data() + at + 16, 2);
        flip(at + node, 0x01, "its first branch pointer");
      }
    }
    INFO(cases << " damaged copies");
    CHECK(branches >= 2);
  }
  SECTION("the meta pages: a page size of 0, which LMDB divides by, on either page") {
    for (std::size_t meta : {0u, 4096u}) {
      std::string bytes = good;
      std::memset(bytes.data() + meta + 40, 0, 4);
      std::string msg;
      ledger_with(damaged, compact, bytes);
      REQUIRE(run(kAntq + " verify " + quote(damaged), &msg) == 1);
      CHECK_THAT(msg, Catch::Contains(fmt::format("damaged store at page {}: page size 0", meta / 4096)));
      CHECK(lines_of(msg) == 1);
    }
  }
  SECTION("a file cut short, and two pages swapped") {
    ledger_with(damaged, compact, good.substr(0, good.size() / 2));
    CHECK(verify_survives(damaged, "cut to half"));
    std::string bytes = good;
    const auto pages = header_pages(good);
    const std::uint64_t a = pages[1].number, b = pages[pages.size() / 2].number;
    bytes.replace(a * 4096, 4096, good, b * 4096, 4096);
    bytes.replace(b * 4096, 4096, good, a * 4096, 4096);
    ledger_with(damaged, compact, bytes);
    CHECK(verify_survives(damaged, "pages swapped"));
  }
  SECTION("every command that opens the ledger names damage where opening reads (the main database, `meta`)") {
    // The main database's root page: a wrong page kind is what tripped LMDB's IS_LEAF assertion.
    std::string bytes = good;
    std::uint64_t main_root;
    std::memcpy(&main_root, good.data() + 4096 + 128, 8);  // meta page 1 (the copy's snapshot), mm_dbs[1].md_root
    bytes[main_root * 4096 + 10] ^= 0x03;                  // a leaf becomes a branch page
    ledger_with(damaged, compact, bytes);
    for (const std::string& command : {"checkpoint " + quote(damaged), "stats " + quote(damaged),
                                       "audit " + quote(damaged), "verify " + quote(damaged)}) {
      std::string msg;
      INFO(command << " -> " << msg);
      CHECK(run(kAntq + " " + command, &msg) == 1);
      CHECK_THAT(msg, Catch::Contains(fmt::format("damaged store at page {}", main_root)));
      CHECK(lines_of(msg) == 1);
    }
  }
}

TEST_CASE("verify survives byte flips at random offsets of a live ledger's data.mdb", "[cli][storage]") {
  StorageDemo demo;
  const std::string good = read_file(demo.ledger() / "data.mdb");
  const fs::path damaged = demo.tmp / "damaged";
  std::mt19937 random(6);
  std::size_t named = 0;
  for (int i = 0; i < 16; ++i) {
    const std::size_t offset = random() % good.size();
    std::string bytes = good;
    bytes[offset] = static_cast<char>(bytes[offset] ^ (1u << (random() % 8)));
    ledger_with(damaged, demo.ledger(), bytes);
    named += verify_survives(damaged, fmt::format("byte {} (page {})", offset, offset / 4096));
  }
  INFO(named << " of 16 flips named as a damaged store");
  SUCCEED();
}

// Copies `from` to `to` as cp does (read, write) in blocks of 4 KiB, with `pause` after each, as a copy of a large
// file on a busy disk takes its time.
void slow_copy(const fs::path& from, const fs::path& to, std::chrono::microseconds pause) {
  const int in = ::open(from.c_str(), O_RDONLY);
  const int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0640);
  REQUIRE(in >= 0);
  REQUIRE(out >= 0);
  char buffer[4096];
  for (ssize_t n; (n = ::read(in, buffer, sizeof buffer)) > 0;) {
    REQUIRE(::write(out, buffer, static_cast<std::size_t>(n)) == n);
    std::this_thread::sleep_for(pause);
  }
  ::close(in);
  ::close(out);
}

TEST_CASE("A copy that cp took while appends committed fails verify with exit 1, never a crash", "[cli][storage]") {
  // What cp meets when appends commit while it reads: the meta pages (and the pages before `split`) as they were,
  // the rest of the file as four appends later left it. LMDB reuses a page two commits after the one that freed
  // it, so the tree the copied meta page names has been partly overwritten: the IS_LEAF abort the issue found.
  StorageDemo demo;
  const std::string before = read_file(demo.ledger() / "data.mdb");
  for (int i = 0; i < 4; ++i)
    REQUIRE(run(demo.record(demo.ledger(), demo.plan_approved(fmt::format("MS-TL-S{:02}", i))) + " > /dev/null") == 0);
  const std::string after = read_file(demo.ledger() / "data.mdb");
  REQUIRE(after.size() >= before.size());
  std::size_t named = 0;
  for (std::size_t split : {std::size_t{2}, before.size() / 4096 / 2, before.size() / 4096 - 1}) {
    std::string mixed = after;
    mixed.replace(0, split * 4096, before, 0, split * 4096);
    const fs::path copy = ledger_with(demo.tmp / fmt::format("cp-{}", split), demo.ledger(), mixed);
    std::string out;
    const int status = run(kAntq + " verify " + quote(copy), &out);
    INFO("pages 0 to " << split - 1 << " copied before the appends\n-> exit " << status << "\n" << out);
    REQUIRE(status == 1);
    if (out.find("damaged store at page ") != std::string::npos) {
      ++named;
      CHECK(lines_of(out) == 1);
    }
  }
  INFO(named << " of 3 copies named as a damaged store");
  CHECK(named >= 1);
}

TEST_CASE("Copies taken with cp while another process appends: verify never crashes, a backup meanwhile verifies",
          "[cli][storage]") {
  StorageDemo demo;
  // Another process appends 32 acts, one `antq record` after the other, while copies are taken one after the other
  // (a page a millisecond: several copies, whatever the speed of the machine).
  std::string script;
  for (int i = 0; i < 32; ++i)
    script += demo.record(demo.ledger(), demo.plan_approved(fmt::format("MS-TL-C{:02}", i))) + " > /dev/null || exit 1\n";
  write_file(demo.tmp / "appender.sh", script);
  const pid_t appender = fork();
  REQUIRE(appender >= 0);
  if (appender == 0) {
    execl("/bin/sh", "sh", (demo.tmp / "appender.sh").c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  std::vector<fs::path> copies;
  std::vector<fs::path> backups;
  int status = 0;
  for (int i = 0; waitpid(appender, &status, WNOHANG) == 0; ++i) {
    const fs::path copy = demo.tmp / fmt::format("cp-{}", i);
    fs::create_directories(copy);
    fs::copy_file(demo.ledger() / "operator.vkey", copy / "operator.vkey");
    slow_copy(demo.ledger() / "data.mdb", copy / "data.mdb", std::chrono::milliseconds(1));
    copies.push_back(copy);
    if (i % 3 == 0) {  // and now and then a backup, which appends do not disturb
      const fs::path backup = demo.tmp / fmt::format("backup-{}", i);
      std::string out;
      INFO(out);
      CHECK(run(kAntq + " backup " + quote(demo.ledger()) + " " + quote(backup), &out) == 0);
      backups.push_back(backup);
    }
  }
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  std::size_t named = 0;
  for (const fs::path& copy : copies) named += verify_survives(copy, "a cp copy: " + copy.filename().string());
  INFO(copies.size() << " copies taken while appending; " << named << " named as a damaged store");
  CHECK(copies.size() >= 2);
  for (const fs::path& backup : backups) {
    std::string out;
    INFO(backup << "\n" << out);
    CHECK(run(kAntq + " verify " + quote(backup), &out) == 0);
  }
  CHECK(backups.size() >= 1);
}

TEST_CASE("backup copies a live ledger into a verified, compacted backup without the operator's key", "[cli][backup]") {
  StorageDemo demo;
  const fs::path dest = demo.tmp / "backup";
  std::string out;
  REQUIRE(run(kAntq + " backup " + quote(demo.ledger()) + " " + quote(dest), &out) == 0);
  INFO(out);
  CHECK_THAT(out, Catch::Contains("is a verified backup"));
  CHECK(fs::exists(dest / "data.mdb"));
  CHECK(read_file(dest / "operator.vkey") == read_file(demo.ledger() / "operator.vkey"));
  CHECK_FALSE(fs::exists(dest / "operator.key"));
  CHECK(fs::file_size(dest / "data.mdb") <= fs::file_size(demo.ledger() / "data.mdb"));
  // The backup is a ledger: it verifies on its own, with the source's root and checkpoint.
  std::string source_json, backup_json, a, b;
  REQUIRE(run(kAntq + " verify " + quote(demo.ledger()) + " --json 2>/dev/null", &source_json) == 0);
  REQUIRE(run(kAntq + " verify " + quote(dest) + " --json 2>/dev/null", &backup_json) == 0);
  CHECK(json::parse(source_json)["root"] == json::parse(backup_json)["root"]);
  REQUIRE(run(kAntq + " checkpoint " + quote(demo.ledger()), &a) == 0);
  REQUIRE(run(kAntq + " checkpoint " + quote(dest), &b) == 0);
  CHECK(a == b);

  SECTION("--json") {
    REQUIRE(run(kAntq + " backup " + quote(demo.ledger()) + " " + quote(demo.tmp / "b2") + " --json", &out) == 0);
    const json j = json::parse(out);
    CHECK(j["ok"] == true);
    CHECK(j["entries"] == 14);
    CHECK(j["root"] == json::parse(source_json)["root"]);
    CHECK(j["verify"]["ok"] == true);
  }
  SECTION("an existing DEST, or no ledger, is bad usage: one line, exit 2, nothing written") {
    for (const std::string& command : {kAntq + " backup " + quote(demo.ledger()) + " " + quote(dest),
                                       kAntq + " backup " + quote(demo.tmp / "nope") + " " + quote(demo.tmp / "b3")}) {
      INFO(command);
      CHECK(run(command, &out) == 2);
      CHECK(lines_of(out) == 1);
    }
    CHECK_FALSE(fs::exists(demo.tmp / "b3"));
  }
  SECTION("--help says that cp of a live ledger is not a backup") {
    REQUIRE(run(kAntq + " backup --help", &out) == 0);
    CHECK_THAT(out, Catch::Contains("`cp` of a live ledger is not a backup"));
    CHECK_THAT(out, Catch::Contains("never operator.key"));
  }
}

TEST_CASE("backup makes no backup of a damaged store, and says a copy that fails verification must not be trusted",
          "[cli][backup]") {
  StorageDemo demo;
  const fs::path dest = demo.tmp / "backup";
  std::string out;
  SECTION("a damaged store is not copied") {
    std::string bytes = read_file(demo.ledger() / "data.mdb");
    std::memset(bytes.data() + 40, 0, 4);  // meta page 0's page size
    const fs::path damaged = ledger_with(demo.tmp / "damaged", demo.ledger(), bytes);
    CHECK(run(kAntq + " backup " + quote(damaged) + " " + quote(dest), &out) == 1);
    INFO(out);
    CHECK(lines_of(out) == 1);
    CHECK_THAT(out, Catch::Contains("damaged store at page 0"));
    CHECK_THAT(out, Catch::Contains("no backup was made"));
    CHECK_FALSE(fs::exists(dest));
    // The same line in Vietnamese, every word of it; in English in the JSON, as verify's reasons.
    CHECK(run("LANG=C LC_ALL= LANGUAGE= " + kAntq + " backup " + quote(damaged) + " " + quote(dest) + " --lang vi",
              &out) == 1);
    CHECK(lines_of(out) == 1);
    CHECK_THAT(out, Catch::StartsWith("sao lưu KHÔNG ĐẠT: "));
    CHECK_THAT(out, Catch::Contains("không có bản sao lưu nào được tạo"));
    CHECK_THAT(out, !Catch::Contains("backup FAILED") && !Catch::Contains("no backup was made"));
    CHECK(run(kAntq + " backup " + quote(damaged) + " " + quote(dest) + " --lang vi --json", &out) == 1);
    const json j = json::parse(out);
    CHECK(j["ok"] == false);
    CHECK_THAT(j["error"].get<std::string>(), Catch::StartsWith("backup FAILED: ") &&
                                                  Catch::Contains("damaged store at page 0") &&
                                                  Catch::EndsWith("no backup was made"));
    CHECK_FALSE(fs::exists(dest));
  }
  SECTION("an entry altered in place: the copy fails verification") {
    edit_database(demo.ledger(), "entries", [](MDB_txn* txn, MDB_dbi dbi) {
      std::uint8_t k[8] = {0, 0, 0, 0, 0, 0, 0, 5};
      MDB_val key{8, k}, val;
      REQUIRE(mdb_get(txn, dbi, &key, &val) == 0);
      std::string bytes(static_cast<char*>(val.mv_data), val.mv_size);
      bytes[bytes.size() / 2] ^= 0x01;
      MDB_val changed{bytes.size(), bytes.data()};
      REQUIRE(mdb_put(txn, dbi, &key, &changed, 0) == 0);
    });
    CHECK(run(kAntq + " backup " + quote(demo.ledger()) + " " + quote(dest), &out) == 1);
    INFO(out);
    CHECK(lines_of(out) == 1);
    CHECK_THAT(out, Catch::Contains("the copy fails verification"));
    CHECK_THAT(out, Catch::Contains("must not be trusted"));
    CHECK(run("LANG=C LC_ALL= LANGUAGE= " + kAntq + " backup " + quote(demo.ledger()) + " " +
                  quote(demo.tmp / "backup-vi") + " --lang vi",
              &out) == 1);
    CHECK(lines_of(out) == 1);
    CHECK_THAT(out, Catch::Contains("bản sao không qua được xác minh"));
    CHECK_THAT(out, Catch::Contains("không được tin vào bản sao trong"));
  }
}

// How this environment can make a private mount namespace: "unshare -m" as root, "unshare -rm" (a user namespace
// too) otherwise; empty when neither is allowed.
std::string namespace_command() {
  for (std::string command : {"unshare -m", "unshare -rm"})
    if (run(command + " true") == 0) return command;
  return {};
}

TEST_CASE("A ledger on read-only media opens for every reading command, and writing commands say it is read-only",
          "[cli][read-only]") {
  const std::string unshare = namespace_command();
  if (unshare.empty()) {
    WARN(
        "skipped: this environment allows no private mount namespace (unshare -m, unshare -rm), so no read-only "
        "bind mount can be made");
    return;
  }
  StorageDemo demo;
  const fs::path l = demo.ledger();
  const fs::path signed_act = demo.tmp / "new.signed";
  REQUIRE(run(kAntq + " sign " + quote(demo.plan_approved("MS-TL-RO")) + " --key " + quote(demo.tmp / "pki/chair.key") +
              " --cert " + quote(demo.tmp / "pki/chair.crt") + " --role person -o " + quote(signed_act)) == 0);
  REQUIRE(run(kAntq + " sign --signed " + quote(signed_act) + " --key " + quote(demo.tmp / "pki/office.key") +
              " --cert " + quote(demo.tmp / "pki/office.crt") + " --role organisation -o " + quote(signed_act)) == 0);
  REQUIRE(run(kAntq + " report " + quote(l) + " 2023 --format csv > " + quote(demo.tmp / "report.csv")) == 0);
  const std::string before = read_file(l / "data.mdb");
  const fs::path results = demo.tmp / "results", out = demo.tmp / "out";
  fs::create_directories(results);
  fs::create_directories(out);

  const std::string L = quote(l), S = "MS-TL-TDCTQ";
  const std::vector<std::pair<std::string, std::string>> reading = {
      {"show", "show " + L + " " + S},
      {"history", "history " + L + " " + S},
      {"dossier", "dossier " + L + " " + S},
      {"diff", "diff " + L + " " + S + " --from 2023-01-01 --to 2024-12-31"},
      {"audit", "audit " + L},
      {"stats", "stats " + L},
      {"report", "report " + L + " 2023"},
      {"reconcile", "reconcile " + L + " " + quote(demo.tmp / "report.csv")},
      {"checkpoint", "checkpoint " + L},
      {"proof-inclusion", "proof inclusion " + L + " 3"},
      {"proof-consistency", "proof consistency " + L + " 2 14"},
      {"export", "export " + L + " " + quote(out / "bundle")},
      {"verify", "verify " + L},
      {"backup", "backup " + L + " " + quote(out / "backup")},
  };
  const std::vector<std::pair<std::string, std::string>> writing = {
      {"append", "append " + L + " " + quote(signed_act)},
      {"record", "record " + L + " " + quote(demo.plan_approved("MS-TL-RO2")) + " --person " + demo.signer("chair") +
                     " --org " + demo.signer("office")},
      {"compact", "compact " + L},
  };
  std::string script = "set -u\nmount --bind " + L + " " + L + " && mount -o remount,bind,ro " + L + " || exit 97\n" +
                       "touch " + quote(l / "probe") + " 2>/dev/null && exit 98\n";  // the mount must refuse writes
  for (const auto& commands : {reading, writing})
    for (const auto& [name, command] : commands)
      script += kAntq + " " + command + " > " + quote(results / (name + ".out")) + " 2>&1; echo $? > " +
                quote(results / (name + ".rc")) + "\n";
  write_file(demo.tmp / "read-only.sh", script);
  std::string log;
  const int status = run(unshare + " sh " + quote(demo.tmp / "read-only.sh"), &log);
  INFO(log);
  REQUIRE(status == 0);

  for (const auto& [name, command] : reading) {
    const std::string output = read_file(results / (name + ".out"));
    INFO(name << ": antq " << command << "\n" << output);
    const std::string rc = read_file(results / (name + ".rc"));
    // reconcile exits 1 when the report lists figures that differ: it ran.
    CHECK((rc == "0\n" || (name == "reconcile" && rc == "1\n")));
    // verify says first that it could not record its outcome in the ledger's directory (cli/queries.hpp).
    if (name == "verify") CHECK_THAT(output, Catch::StartsWith("verify: cannot record the verification in "));
    const std::string shown = name == "verify" ? output.substr(output.find('\n') + 1) : output;
    CHECK(shown.find("Read-only file system") == std::string::npos);
    CHECK(shown.find("read-only media") == std::string::npos);
  }
  for (const auto& [name, command] : writing) {
    const std::string output = read_file(results / (name + ".out"));
    INFO(name << ": antq " << command << "\n" << output);
    CHECK(read_file(results / (name + ".rc")) == "2\n");
    CHECK(lines_of(output) == 1);
    CHECK_THAT(output, Catch::Contains("the ledger is on read-only media"));
  }
  // Nothing was written, and the backup taken from the read-only ledger verifies.
  CHECK(read_file(l / "data.mdb") == before);
  std::string verify_out;
  CHECK(run(kAntq + " verify " + quote(out / "backup"), &verify_out) == 0);
}

}  // namespace
}  // namespace antq::test
