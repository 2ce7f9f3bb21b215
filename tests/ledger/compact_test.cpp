// Ledger::compact (ledger/compact.cpp): the bytes of a deleted attachment that LMDB's freed pages still hold are gone
// from data.mdb afterwards; the ledger verifies and takes appends; and compaction never runs beside another user of
// the ledger, never swaps in a copy of a damaged store, and leaves lock.mdb so that nobody reads the new file through
// the old file's lock table.
#include <fcntl.h>
#include <lmdb.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "support.hpp"

namespace antq::ledger {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::decision_with;
using test::kAntq;
using test::make_act;
using test::require_ok;
using test::TestLedger;

// Deletes the attachment `digest` from `attachments` through LMDB directly, in one write transaction, as a disposal
// does (the ledger must not be open in this process).
void delete_attachment(const fs::path& dir, const Digest& digest) {
  test::edit_database(dir, "attachments", [&](MDB_txn* txn, MDB_dbi dbi) {
    MDB_val key{digest.size(), const_cast<std::uint8_t*>(digest.data())};
    REQUIRE(mdb_del(txn, dbi, &key, nullptr) == 0);
  });
}

// The directories a compaction makes in `dir` (DIR/.compact-*).
std::vector<std::string> compaction_copies(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().starts_with(".compact-")) out.push_back(e.path().filename().string());
  return out;
}

// The first 4 bytes of lock.mdb: LMDB's magic (MDB_txninfo.mti_magic), 0xBEEFC0DE, when the lock table is valid.
std::uint32_t lock_magic(const fs::path& dir) {
  const std::string bytes = test::read_file(dir / "lock.mdb");
  REQUIRE(bytes.size() >= 4);
  std::uint32_t magic = 0;
  std::memcpy(&magic, bytes.data(), 4);
  return magic;
}
constexpr std::uint32_t kLmdbMagic = 0xBEEFC0DE;

// A child process holding the ledger in `dir` open, until this object is destroyed: LMDB's own open (its read lock
// on byte 0 of lock.mdb), or with `raw_lock` only that read lock, as an LMDB process that is not the first opener
// holds it.
class OtherProcess {
 public:
  explicit OtherProcess(const fs::path& dir, bool raw_lock = false) {
    REQUIRE(::pipe(ready_) == 0);
    REQUIRE(::pipe(release_) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      char c = 0;
      if (raw_lock) {
        const int fd = ::open((dir / "lock.mdb").c_str(), O_RDWR);
        struct flock lock {};
        lock.l_type = F_RDLCK;
        lock.l_whence = SEEK_SET;
        lock.l_len = 1;
        if (fd < 0 || ::fcntl(fd, F_SETLK, &lock) != 0) _exit(3);
      } else {
        MDB_env* env = nullptr;
        if (mdb_env_create(&env) != 0 || mdb_env_set_maxdbs(env, 16) != 0 ||
            mdb_env_open(env, dir.c_str(), MDB_RDONLY, 0640) != 0)
          _exit(3);
      }
      if (::write(ready_[1], "x", 1) != 1 || ::read(release_[0], &c, 1) < 0) _exit(4);
      _exit(0);
    }
    char c = 0;
    REQUIRE(::read(ready_[0], &c, 1) == 1);
  }
  ~OtherProcess() {
    (void)!::write(release_[1], "x", 1);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    for (int fd : {ready_[0], ready_[1], release_[0], release_[1]}) ::close(fd);
  }
  OtherProcess(const OtherProcess&) = delete;
  OtherProcess& operator=(const OtherProcess&) = delete;

 private:
  int ready_[2] = {-1, -1}, release_[2] = {-1, -1};
  pid_t pid_ = -1;
};

}  // namespace

TEST_CASE("compact removes from data.mdb the bytes of deleted attachments that LMDB's freed pages kept",
          "[ledger][compact]") {
  TestLedger t;
  // A short document (it shares a leaf page with other records) and a long one (a run of overflow pages).
  const std::string short_marker = "antq-compact-test: short disposed document 5f1c0e";
  const std::string long_marker = "antq-compact-test: long disposed document 9b27d4";
  std::string long_text;
  while (long_text.size() < 12000) long_text += long_marker + "\n";
  const fs::path short_file = t.tmp / "short.txt", long_file = t.tmp / "long.txt";
  test::write_file(short_file, short_marker);
  test::write_file(long_file, long_text);
  t.admit(decision_with(short_file, "text/plain", "MS-SHORT"));
  t.admit(decision_with(long_file, "text/plain", "MS-LONG"));
  const std::uint64_t size = t.ledger->size();
  const std::string checkpoint = t.ledger->checkpoint();
  t.ledger.reset();

  // What a disposal does to `attachments`: the records go, the pages that held them are freed and keep their bytes.
  delete_attachment(t.dir(), sha256(as_bytes(short_marker)));
  delete_attachment(t.dir(), sha256(as_bytes(long_text)));
  const std::string before = t.data_bytes();
  CHECK(before.find(short_marker) != std::string::npos);
  CHECK(before.find(long_marker) != std::string::npos);

  // Between the rename and LMDB's set-up of lock.mdb for the new file, lock.mdb is no valid lock table: nobody let in
  // then (a crash of ours) can read the new file by the old file's transaction id.
  std::optional<std::uint32_t> magic_after_rename;
  auto report = Ledger::compact(t.dir(), [&](std::string_view step) {
    if (step.starts_with("opening the compacted ledger")) magic_after_rename = lock_magic(t.dir());
  });
  require_ok(report);
  CHECK(magic_after_rename == 0u);
  CHECK(report->entries == size);
  CHECK(report->before_bytes == before.size());
  CHECK(report->after_bytes == fs::file_size(t.dir() / "data.mdb"));
  CHECK(report->after_bytes < report->before_bytes);
  CHECK(report->leftovers_removed.empty());
  const std::string after = t.data_bytes();
  CHECK(after.find(short_marker) == std::string::npos);
  CHECK(after.find(long_marker) == std::string::npos);
  CHECK(compaction_copies(t.dir()).empty());
  CHECK(lock_magic(t.dir()) == kLmdbMagic);

  // The same ledger: it opens, verifies, and takes appends (lock.mdb was set up for the new file).
  t.reopen();
  CHECK(t.ledger->size() == size);
  CHECK(t.ledger->checkpoint() == checkpoint);
  CHECK_FALSE(t.ledger->attachment(sha256(as_bytes(short_marker))));
  auto verified = t.verify();
  INFO((verified.failures.empty() ? std::string() : verified.failures.front().reason));
  CHECK(verified.ok);
  t.admit(make_act("model.proposed", "M-AFTER", "2023-03-15"));
  CHECK(t.ledger->size() == size + 1);
  CHECK(t.verify().ok);
}

TEST_CASE("compact refuses while another process has the ledger open, and changes nothing", "[ledger][compact]") {
  TestLedger t;
  t.ledger.reset();
  const std::string data = t.data_bytes();
  {
    OtherProcess reader(t.dir());
    auto r = Ledger::compact(t.dir());
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::bad_input);
    CHECK_THAT(r.error().message, Catch::Contains("is open in another process"));
    CHECK_THAT(r.error().message, Catch::Contains("nothing was changed"));
    CHECK(t.data_bytes() == data);
    CHECK(compaction_copies(t.dir()).empty());
  }
  require_ok(Ledger::compact(t.dir()));  // once it is closed
}

TEST_CASE("compact refuses while this process has the ledger open (POSIX locks cannot tell it apart)",
          "[ledger][compact]") {
  TestLedger t;  // t.ledger is open
  const std::string data = t.data_bytes();
  auto r = Ledger::compact(t.dir());
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::Contains("or in this one"));
  CHECK(t.data_bytes() == data);
  CHECK(t.ledger->size() == 2);
}

TEST_CASE("A command that opens the ledger while compact runs waits, then reads the compacted file",
          "[ledger][compact]") {
  TestLedger t;
  // Transactions 1 and 2 only in the old file would pass for the new file's transaction 1 (its one snapshot).
  for (int i = 0; i < 3; ++i) t.admit(make_act("model.proposed", fmt::format("M-{}", i), "2023-03-15"));
  t.ledger.reset();
  const auto lock_inode = fs::path(t.dir() / "lock.mdb");
  struct stat st {};
  REQUIRE(::stat(lock_inode.c_str(), &st) == 0);
  const std::string waiting = fmt::format(":{} ", st.st_ino);  // /proc/locks: "... -> POSIX ... MAJ:MIN:INODE 0 0"
  FILE* verify = nullptr;
  bool saw_it_wait = false;
  auto report = Ledger::compact(t.dir(), [&](std::string_view step) {
    if (!step.starts_with("copying")) return;
    // It opens data.mdb (the old file), then waits in LMDB for the lock compaction holds.
    verify = ::popen((test::quote(kAntq) + " verify " + test::quote(t.dir()) + " 2>&1").c_str(), "r");
    REQUIRE(verify != nullptr);
    for (int i = 0; i < 200 && !saw_it_wait; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      std::istringstream locks(test::read_file("/proc/locks"));
      for (std::string line; std::getline(locks, line);)
        if (line.find("->") != std::string::npos && line.find(waiting) != std::string::npos) saw_it_wait = true;
    }
  });
  require_ok(report);
  REQUIRE(verify != nullptr);
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, verify)) > 0;) out.append(buf, n);
  const int status = ::pclose(verify);
  INFO(out);
  CHECK(saw_it_wait);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK_THAT(out, Catch::Contains("every entry, checkpoint and signature verifies"));
}

TEST_CASE("A damaged store is not compacted, and nothing changes", "[ledger][compact]") {
  TestLedger t;
  t.ledger.reset();
  require_ok(Ledger::compact(t.dir()));  // now every page from 2 on is in use
  std::string data = t.data_bytes();
  REQUIRE(data.size() > 3 * 4096);
  data[2 * 4096] ^= 0x40;  // page 2's header names another page
  test::write_file(t.dir() / "data.mdb", data);
  auto r = Ledger::compact(t.dir());
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::corruption);
  CHECK_THAT(r.error().message, Catch::Contains("damaged store at page 2"));
  CHECK(t.data_bytes() == data);
  CHECK(compaction_copies(t.dir()).empty());
  CHECK(lock_magic(t.dir()) == kLmdbMagic);
}

TEST_CASE("What an interrupted compaction left is ignored by open and removed by the next compaction",
          "[ledger][compact]") {
  TestLedger t;
  t.ledger.reset();
  const fs::path left = t.dir() / ".compact-4242", other = t.dir() / ".compact-notes";
  fs::create_directories(left);
  fs::create_directories(other);
  test::write_file(left / "data.mdb", "half a copy");
  t.reopen();
  CHECK(t.verify().ok);
  t.ledger.reset();
  auto report = Ledger::compact(t.dir());
  require_ok(report);
  CHECK(report->leftovers_removed == std::vector<fs::path>{left});
  CHECK_FALSE(fs::exists(left));
  CHECK(fs::exists(other));  // not a name compaction gives
}

TEST_CASE("A lock file left invalid by an interrupted compaction stops whoever shares it and is set up again by the "
          "next first opener",
          "[ledger][compact]") {
  TestLedger t;
  const std::uint64_t size = t.ledger->size();
  t.ledger.reset();
  // Compaction clears the magic just before its rename; killed then, it leaves lock.mdb so.
  {
    const int fd = ::open((t.dir() / "lock.mdb").c_str(), O_RDWR);
    REQUIRE(fd >= 0);
    REQUIRE(::pwrite(fd, "\0\0\0\0", 4, 0) == 4);
    ::close(fd);
  }
  {
    // A process that was waiting for the lock comes in as LMDB's second opener: it trusts lock.mdb, finds no lock
    // table, and stops, instead of reading the new file by the old file's transaction id.
    OtherProcess sharer(t.dir(), /*raw_lock=*/true);
    auto opened = Ledger::open(t.dir());
    REQUIRE_FALSE(opened);
    CHECK_THAT(opened.error().message, Catch::Contains("MDB_INVALID"));
  }
  auto opened = Ledger::open(t.dir());  // the first opener: LMDB sets lock.mdb up
  require_ok(opened);
  CHECK((*opened)->size() == size);
  CHECK(lock_magic(t.dir()) == kLmdbMagic);
}

}  // namespace antq::ledger
