// The structural check of data.mdb (ledger/lmdb_check.cpp) against real LMDB files damaged at chosen places, in the
// manner of leveldb's corruption_test: every meta field LMDB trusts, every page header, every node offset, every
// branch pointer, and byte flips across the file. A damaged file must be named ("damaged store at page N"), and
// whatever the check accepts, LMDB itself must read without crashing (checked in a child process).
#include "ledger/lmdb_check.hpp"

#include <fcntl.h>
#include <lmdb.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <random>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "support.hpp"

namespace antq::ledger {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

// LMDB 0.9's layout (mdb.c), as the test damages it.
constexpr std::size_t kPageHeader = 16;
constexpr std::uint16_t kBranch = 0x01, kLeaf = 0x02, kOverflow = 0x04;
constexpr std::size_t kMeta = 16;  // MDB_meta within a meta page
constexpr std::size_t kFreeDb = kMeta + 24, kMainDb = kFreeDb + 48, kLastPage = kMainDb + 48, kTxnid = kLastPage + 8;

template <class T>
T load(const std::string& bytes, std::size_t at) {
  T v;
  std::memcpy(&v, bytes.data() + at, sizeof v);
  return v;
}
template <class T>
void store(std::string& bytes, std::size_t at, T v) {
  std::memcpy(bytes.data() + at, &v, sizeof v);
}

// An LMDB environment like a ledger's, small enough to damage everywhere: named databases `a` (3,000 short
// records: a tree of depth 2 or more), `b` (20 records of 6,000 bytes: overflow runs) and `c` (empty), and the free
// list that deleting half of `a` in later transactions leaves.
struct Environment {
  Environment() {
    fs::create_directories(dir());
    MDB_env* env = nullptr;
    REQUIRE(mdb_env_create(&env) == 0);
    mdb_env_set_maxdbs(env, 8);
    mdb_env_set_mapsize(env, std::size_t{64} << 20);
    REQUIRE(mdb_env_open(env, dir().c_str(), 0, 0640) == 0);
    auto write = [&](const std::function<void(MDB_txn*)>& fn) {
      MDB_txn* txn = nullptr;
      REQUIRE(mdb_txn_begin(env, nullptr, 0, &txn) == 0);
      fn(txn);
      REQUIRE(mdb_txn_commit(txn) == 0);
    };
    write([&](MDB_txn* txn) {
      MDB_dbi a, b, c;
      REQUIRE(mdb_dbi_open(txn, "a", MDB_CREATE, &a) == 0);
      REQUIRE(mdb_dbi_open(txn, "b", MDB_CREATE, &b) == 0);
      REQUIRE(mdb_dbi_open(txn, "c", MDB_CREATE, &c) == 0);
      for (int i = 0; i < 3000; ++i) {
        std::string k = fmt::format("key-{:05}", i), v = fmt::format("value of record {} ...", i);
        MDB_val key{k.size(), k.data()}, val{v.size(), v.data()};
        REQUIRE(mdb_put(txn, a, &key, &val, 0) == 0);
      }
      for (int i = 0; i < 20; ++i) {
        std::string k = fmt::format("doc-{:02}", i), v(6000, static_cast<char>('A' + i));
        MDB_val key{k.size(), k.data()}, val{v.size(), v.data()};
        REQUIRE(mdb_put(txn, b, &key, &val, 0) == 0);
      }
    });
    for (int round = 0; round < 3; ++round)
      write([&](MDB_txn* txn) {
        MDB_dbi a;
        REQUIRE(mdb_dbi_open(txn, "a", 0, &a) == 0);
        for (int i = round; i < 3000; i += 6) {
          std::string k = fmt::format("key-{:05}", i);
          MDB_val key{k.size(), k.data()};
          REQUIRE(mdb_del(txn, a, &key, nullptr) == 0);
        }
      });
    fs::create_directories(compact());
    REQUIRE(mdb_env_copy2(env, compact().c_str(), MDB_CP_COMPACT) == 0);
    mdb_env_close(env);
  }
  fs::path dir() const { return tmp / "live"; }
  // A compacted copy: every page from 2 to the last is in use by a tree.
  fs::path compact() const { return tmp / "compact"; }

  TempDir tmp;
};

// A page of the file as the test sees it.
struct Page {
  std::uint64_t number = 0;
  std::uint16_t flags = 0;
  std::size_t nodes = 0;  // branch and leaf pages
  std::uint32_t run = 1;  // overflow pages
};

// The pages with a header of a compacted file, in file order (an overflow run's later pages have none).
std::vector<Page> pages_of(const std::string& file, std::uint32_t psize) {
  std::vector<Page> out;
  for (std::uint64_t p = 2; (p + 1) * psize <= file.size();) {
    Page page{p, load<std::uint16_t>(file, p * psize + 10)};
    if (page.flags == kOverflow)
      page.run = load<std::uint32_t>(file, p * psize + 12);
    else
      page.nodes = (load<std::uint16_t>(file, p * psize + 12) - kPageHeader) / 2;
    REQUIRE(page.run >= 1);
    out.push_back(page);
    p += page.run;
  }
  return out;
}

// The check as Ledger::open and verify run it: the meta pages, then every tree of the newest snapshot.
Status check_file(const fs::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  Status result;
  if (auto meta = check_meta_pages(fd); !meta) {
    result = std::unexpected(meta.error());
  } else if (auto snapshot = check_snapshot(fd, meta->txnid, {}); !snapshot) {
    result = std::unexpected(snapshot.error());
  } else {
    REQUIRE(snapshot->found);
  }
  ::close(fd);
  return result;
}

// Reads every record of every database of the environment in `dir` with LMDB, as verify does (a cursor from first
// to last, each value's bytes, keys looked up again), in a child process: false when LMDB crashed (a signal).
bool lmdb_reads_everything(const fs::path& dir) {
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    MDB_env* env = nullptr;
    if (mdb_env_create(&env) != 0) _exit(3);
    mdb_env_set_maxdbs(env, 8);
    mdb_env_set_mapsize(env, std::size_t{64} << 20);
    if (mdb_env_open(env, dir.c_str(), MDB_RDONLY | MDB_NOLOCK, 0640) != 0) _exit(3);
    MDB_txn* txn = nullptr;
    if (mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn) != 0) _exit(3);
    unsigned sum = 0;
    for (const char* name : {"a", "b", "c"}) {
      MDB_dbi dbi;
      if (mdb_dbi_open(txn, name, 0, &dbi) != 0) continue;
      MDB_stat st;
      mdb_stat(txn, dbi, &st);
      MDB_cursor* cur = nullptr;
      if (mdb_cursor_open(txn, dbi, &cur) != 0) continue;
      MDB_val k, v;
      int n = 0;
      for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        for (std::size_t i = 0; i < v.mv_size; ++i) sum += static_cast<const unsigned char*>(v.mv_data)[i];
        if (++n % 4 != 0) continue;  // a search from the root for every fourth key
        std::string key(static_cast<const char*>(k.mv_data), k.mv_size);
        MDB_val again{key.size(), key.data()}, found;
        (void)mdb_get(txn, dbi, &again, &found);
      }
      mdb_cursor_close(cur);
    }
    mdb_txn_abort(txn);
    mdb_env_close(env);
    _exit(sum == 0xffffffffu ? 4 : 0);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  return WIFEXITED(status);
}

// Writes `bytes` as the data.mdb of a fresh directory under `tmp` and returns the directory.
fs::path write_copy(const TempDir& tmp, const std::string& bytes, const std::string& name) {
  const fs::path dir = tmp / name;
  fs::create_directories(dir);
  test::write_file(dir / "data.mdb", bytes);
  return dir;
}

// The data.mdb that damaged variants of one file are written to, one after the other: only the pages that differ
// from the last variant are rewritten (thousands of variants of a 400 KB file stay cheap).
class Scratch {
 public:
  explicit Scratch(const TempDir& tmp) : dir_(tmp / "damaged") { fs::create_directories(dir_); }

  // data.mdb holds `bytes` when this returns.
  const fs::path& write(const std::string& bytes) {
    if (bytes.size() != current_.size()) {
      test::write_file(file(), bytes);
      current_ = bytes;
      return dir_;
    }
    const int fd = ::open(file().c_str(), O_WRONLY);
    REQUIRE(fd >= 0);
    for (std::size_t at = 0; at < bytes.size(); at += kChunk) {
      const std::size_t n = std::min(kChunk, bytes.size() - at);
      if (std::memcmp(bytes.data() + at, current_.data() + at, n) == 0) continue;
      REQUIRE(::pwrite(fd, bytes.data() + at, n, static_cast<off_t>(at)) == static_cast<ssize_t>(n));
      current_.replace(at, n, bytes, at, n);
    }
    ::close(fd);
    return dir_;
  }
  fs::path file() const { return dir_ / "data.mdb"; }

 private:
  static constexpr std::size_t kChunk = 4096;
  fs::path dir_;
  std::string current_;
};

// The check must name the damage with its page (one line), and must not crash.
void expect_damage(Scratch& scratch, const std::string& bytes, const std::string& expected) {
  scratch.write(bytes);
  Status s = check_file(scratch.file());
  INFO("expected: " << expected);
  REQUIRE_FALSE(s);
  INFO(s.error().message);
  CHECK(s.error().kind == ErrorKind::corruption);
  CHECK_THAT(s.error().message, Catch::StartsWith("damaged store at page "));
  CHECK_THAT(s.error().message, Catch::Contains(expected));
  CHECK(s.error().message.find('\n') == std::string::npos);
}

TEST_CASE("A healthy environment passes the check, and a compacted copy uses every page", "[ledger][lmdb-check]") {
  Environment e;
  REQUIRE(check_file(e.dir() / "data.mdb"));
  int fd = ::open((e.compact() / "data.mdb").c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  auto meta = check_meta_pages(fd);
  REQUIRE(meta);
  auto snapshot = check_snapshot(fd, meta->txnid, {});
  ::close(fd);
  REQUIRE(snapshot);
  CHECK(snapshot->databases == std::vector<std::string>{"a", "b", "c"});
  CHECK(snapshot->pages == meta->last_page - 1);  // pages 2 to last, each once
  // The live file has a free list: its pages are counted too, so every page is in a tree or free.
  fd = ::open((e.dir() / "data.mdb").c_str(), O_RDONLY);
  auto live = check_meta_pages(fd);
  REQUIRE(live);
  auto checked = check_snapshot(fd, live->txnid, {});
  REQUIRE(checked);
  CHECK(live->free_db.entries > 0);
  CHECK(checked->pages == live->last_page - 1);
  // A snapshot whose meta page has been overwritten since is not found (the caller takes a newer one).
  auto gone = check_snapshot(fd, live->txnid - 2, {});
  ::close(fd);
  REQUIRE(gone);
  CHECK_FALSE(gone->found);
}

TEST_CASE("Every meta field LMDB trusts is checked before LMDB opens the file", "[ledger][lmdb-check]") {
  Environment e;
  Scratch scratch(e.tmp);
  const std::string good = test::read_file(e.compact() / "data.mdb");
  const std::uint32_t psize = load<std::uint32_t>(good, kFreeDb);
  REQUIRE(psize == 4096);
  // The compacted copy's snapshot is transaction 1, on meta page 1.
  REQUIRE(load<std::uint64_t>(good, psize + kTxnid) == 1);
  const std::size_t m = psize;  // meta page 1
  struct Case {
    const char* what;
    std::function<void(std::string&)> damage;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"a page size of 0 (LMDB divides by it)", [&](std::string& b) { store<std::uint32_t>(b, m + kFreeDb, 0); },
       "damaged store at page 1: page size 0"},
      {"page size 0 on page 0 (LMDB finds page 1 with it)",
       [&](std::string& b) { store<std::uint32_t>(b, kFreeDb, 0); }, "damaged store at page 0: page size 0"},
      {"a page size that is no power of two", [&](std::string& b) { store<std::uint32_t>(b, m + kFreeDb, 3000); },
       "page size 3000"},
      {"the magic number", [&](std::string& b) { b[m + kMeta] ^= 1; }, "at page 1: the meta page lacks LMDB's magic"},
      {"the data version", [&](std::string& b) { store<std::uint32_t>(b, m + kMeta + 4, 2); }, "LMDB data version 2"},
      {"the page kind", [&](std::string& b) { store<std::uint16_t>(b, m + 10, kLeaf); }, "at page 1: not a meta page"},
      {"the page number", [&](std::string& b) { store<std::uint64_t>(b, m, 7); }, "the meta page says it is page 7"},
      {"the last page past the end of the file",
       [&](std::string& b) { store<std::uint64_t>(b, m + kLastPage, b.size() / psize); },
       "the snapshot's last page is"},
      {"a transaction id on the wrong meta page", [&](std::string& b) { store<std::uint64_t>(b, m + kTxnid, 2); },
       "transaction 2 is written on meta page 1"},
      {"the main database's root", [&](std::string& b) { store<std::uint64_t>(b, m + kMainDb + 40, 1); },
       "the main database's root is page 1"},
      {"the main database's depth", [&](std::string& b) { store<std::uint16_t>(b, m + kMainDb + 6, 40); },
       "the main database has depth 40"},
      {"the main database's flags", [&](std::string& b) { store<std::uint16_t>(b, m + kMainDb + 4, MDB_DUPSORT); },
       "the main database has flags 0x4"},
      {"the free database's flags", [&](std::string& b) { store<std::uint16_t>(b, m + kFreeDb + 4, 0); },
       "the free database has flags 0x0"},
      {"the main database's entry count", [&](std::string& b) { store<std::uint64_t>(b, m + kMainDb + 32, 7); },
       "the main database has 3 entries, its record says 7"},
      {"the main database's leaf count", [&](std::string& b) { store<std::uint64_t>(b, m + kMainDb + 16, 9); },
       "the main database has 1 leaf pages, its record says 9"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    std::string bytes = good;
    c.damage(bytes);
    expect_damage(scratch, bytes, c.expected);
  }
  SECTION("a file cut short, as a copy that stopped early") {
    expect_damage(scratch, good.substr(0, good.size() / 2), "the snapshot's last page is");
    expect_damage(scratch, good.substr(0, psize + 20), "at page 1: the file ends before the meta page");
  }
}

TEST_CASE("Every page header field, node offset and branch pointer of every page is damage named at its page",
          "[ledger][lmdb-check]") {
  Environment e;
  Scratch scratch(e.tmp);
  const std::string good = test::read_file(e.compact() / "data.mdb");
  const std::uint32_t psize = load<std::uint32_t>(good, kFreeDb);
  const std::vector<Page> pages = pages_of(good, psize);
  std::size_t branches = 0, leaves = 0, runs = 0, cases = 0;
  for (const Page& page : pages) {
    const std::size_t at = page.number * psize;
    const std::string here = fmt::format("damaged store at page {}:", page.number);
    auto damage = [&](std::size_t offset, std::uint8_t mask, const std::string& expected, const char* what) {
      std::string bytes = good;
      bytes[offset] = static_cast<char>(bytes[offset] ^ mask);
      INFO("page " << page.number << " (flags " << page.flags << "): " << what);
      expect_damage(scratch, bytes, expected);
      ++cases;
    };
    damage(at, 0x01, here, "its page number");
    damage(at + 10, page.flags == kOverflow ? kLeaf : kOverflow, here, "its kind");
    if (page.flags == kOverflow) {
      ++runs;
      damage(at + 12, 0x01, "damaged store at page", "its run length");
      continue;
    }
    page.flags == kBranch ? ++branches : ++leaves;
    damage(at + 12, 0x02, here, "the lower bound of its free space");
    damage(at + 14, 0x02, here, "the upper bound of its free space");
    for (std::size_t i = 0; i < page.nodes; ++i) {
      damage(at + kPageHeader + 2 * i, 0x02, here, "a node offset, moved by 2 bytes");
      damage(at + kPageHeader + 2 * i, 0x01, here, "a node offset, made odd");
      if (page.flags == kBranch) {
        // In a compacted file every page is in use: a branch pointer moved to any other page reaches a page twice,
        // leaves the snapshot, or finds a page of the wrong kind.
        const std::size_t node = at + load<std::uint16_t>(good, at + kPageHeader + 2 * i);
        damage(node, 0x01, "damaged store at page", "a branch pointer");
      }
    }
  }
  INFO(cases << " cases");
  CHECK(branches >= 1);
  CHECK(leaves >= 10);
  CHECK(runs == 20);
}

TEST_CASE("Cycles, pages shared by two trees, swapped pages and a free list naming a page in use are named",
          "[ledger][lmdb-check]") {
  Environment e;
  Scratch scratch(e.tmp);
  const std::string good = test::read_file(e.compact() / "data.mdb");
  const std::uint32_t psize = load<std::uint32_t>(good, kFreeDb);
  const std::vector<Page> pages = pages_of(good, psize);
  auto first_of = [&](std::uint16_t flags) {
    for (const Page& p : pages)
      if (p.flags == flags) return p;
    FAIL("no page of kind " << flags);
    return Page{};
  };
  const Page branch = first_of(kBranch);
  const std::size_t node = branch.number * psize + load<std::uint16_t>(good, branch.number * psize + kPageHeader);
  SECTION("a branch pointer to its own page") {
    std::string bytes = good;
    store<std::uint16_t>(bytes, node, static_cast<std::uint16_t>(branch.number));
    store<std::uint16_t>(bytes, node + 2, 0);
    expect_damage(scratch, bytes,
                  fmt::format("damaged store at page {}: a branch pointer of database `a` points at page {}, "
                              "which is reached twice",
                              branch.number, branch.number));
  }
  SECTION("a branch pointer to the meta page") {
    std::string bytes = good;
    store<std::uint16_t>(bytes, node, 1);
    store<std::uint16_t>(bytes, node + 2, 0);
    expect_damage(scratch, bytes, "points at page 1, outside the snapshot's pages 2 to");
  }
  SECTION("two tree pages swapped") {
    std::string bytes = good;
    const Page leaf = first_of(kLeaf);
    bytes.replace(leaf.number * psize, psize, good, branch.number * psize, psize);
    bytes.replace(branch.number * psize, psize, good, leaf.number * psize, psize);
    expect_damage(scratch, bytes, "(a page of another place, or pages swapped)");
  }
  SECTION("a free list that names a page in use") {
    // In the live file: the free database's first record lists pages; make its first page the main root.
    std::string bytes = test::read_file(e.dir() / "data.mdb");
    const std::size_t meta =
        load<std::uint64_t>(bytes, kTxnid) > load<std::uint64_t>(bytes, psize + kTxnid) ? 0 : psize;
    const std::uint64_t free_root = load<std::uint64_t>(bytes, meta + kFreeDb + 40);
    const std::uint64_t main_root = load<std::uint64_t>(bytes, meta + kMainDb + 40);
    REQUIRE(load<std::uint16_t>(bytes, free_root * psize + 10) == kLeaf);
    const std::size_t record = free_root * psize + load<std::uint16_t>(bytes, free_root * psize + kPageHeader);
    REQUIRE(load<std::uint16_t>(bytes, record + 4) == 0);  // the list is on the page
    const std::size_t list = record + 8 + load<std::uint16_t>(bytes, record + 6);
    REQUIRE(load<std::uint64_t>(bytes, list) >= 1);
    store<std::uint64_t>(bytes, list, 1);  // one page, which is in use
    store<std::uint64_t>(bytes, list + 8, main_root);
    expect_damage(scratch, bytes, fmt::format("names page {}, which is in use", main_root));
  }
}

TEST_CASE("No byte flip anywhere crashes the check, and LMDB reads whatever the check accepts",
          "[ledger][lmdb-check]") {
  Environment e;
  for (const fs::path& source : {e.compact(), e.dir()}) {
    const std::string good = test::read_file(source / "data.mdb");
    const std::uint32_t psize = load<std::uint32_t>(good, kFreeDb);
    std::mt19937 random(18);
    std::vector<std::size_t> offsets;
    if (source == e.compact()) {
      // Every page of the compacted file is in use: every byte of every page header and of the first node offsets
      // (but mp_pad, which LMDB does not read), and the last bytes of every page, where the nodes start.
      for (std::size_t p = 0; p < good.size() / psize; ++p) {
        for (std::size_t i = 0; i < 24; ++i)
          if (i != 8 && i != 9) offsets.push_back(p * psize + i);
        for (std::size_t i = 1; i <= 48; i += 8) offsets.push_back((p + 1) * psize - i);
      }
    } else {
      // The live file (with a free list and the pages it names): bytes chosen at random.
      for (int i = 0; i < 400; ++i) offsets.push_back(random() % good.size());
    }
    const fs::path dir = write_copy(e.tmp, good, "flipped");
    const int fd = ::open((dir / "data.mdb").c_str(), O_WRONLY);
    REQUIRE(fd >= 0);
    std::size_t named = 0, accepted = 0;
    for (std::size_t offset : offsets) {
      const char flipped = static_cast<char>(good[offset] ^ (1u << (random() % 8)));
      REQUIRE(::pwrite(fd, &flipped, 1, static_cast<off_t>(offset)) == 1);
      INFO(source.filename().string() << ": byte " << offset << " (page " << offset / psize << ")");
      if (Status s = check_file(dir / "data.mdb"); !s) {
        ++named;
        REQUIRE_THAT(s.error().message, Catch::StartsWith("damaged store at page "));
      } else {
        ++accepted;
        REQUIRE(lmdb_reads_everything(dir));
      }
      REQUIRE(::pwrite(fd, &good[offset], 1, static_cast<off_t>(offset)) == 1);
    }
    ::close(fd);
    INFO(named << " flips named as damage, " << accepted << " accepted and read by LMDB");
    CHECK(named > 0);
    CHECK(accepted > 0);
  }
}

}  // namespace
}  // namespace antq::ledger
