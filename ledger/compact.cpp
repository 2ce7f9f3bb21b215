// Ledger::compact: data.mdb rewritten to hold the pages in use alone, swapped in while the ledger's exclusive lock
// is held (FORMAT.md §11, "Compaction").
//
// How LMDB 0.9 shares an environment between processes (mdb.c, mdb_env_setup_locks and mdb_env_open): every process
// that has it open holds a POSIX (fcntl) lock on byte 0 of lock.mdb. An opener first tries F_SETLK F_WRLCK there;
// if it gets it, nobody else has the environment open and it initialises lock.mdb (reader table, mutexes,
// mti_txnid = 0), opens data.mdb, sets mti_txnid to the id of data.mdb's newest meta page (mdb_env_share_locks) and
// downgrades to F_RDLCK. Otherwise it waits in F_SETLKW F_RDLCK, then trusts lock.mdb as it finds it, and opens
// data.mdb only after that (a writable environment: the lock comes first). Every transaction reads the meta page
// mti_txnid & 1 of whatever data.mdb it mapped. A compacted data.mdb has its snapshot on meta page 1 as transaction 1
// and an empty database on page 0 (mdb_env_copyfd1): a lock.mdb left from the old file with an even mti_txnid would
// show the next opener an empty ledger, and its first append would be written over it. Hence:
//
//  - the write lock on byte 0 is ours from the first step to the last, on a descriptor of our own. POSIX locks
//    belong to the process: F_SETLK does not see this process's own (an environment open here: F_OFD_GETLK does),
//    and closing any descriptor of lock.mdb drops all of them, so the ledger is read with LMDB's MDB_NOLOCK
//    (open_rep without_lock), which never opens lock.mdb;
//  - lock.mdb's magic is cleared just before the rename: a process let in by a crash of ours before lock.mdb is set
//    up again finds no LMDB lock file (MDB_INVALID) instead of a stale one, and the next opener that finds nobody
//    else sets it up;
//  - after the rename, the ledger is opened once in this process: LMDB's F_SETLK F_WRLCK succeeds (the lock is this
//    process's already), so it is the first opener and sets lock.mdb up for the new file before anyone else is let
//    in. Closing it releases every lock we held.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <expected>
#include <optional>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "ledger/ledger.hpp"
#include "ledger/store.hpp"

namespace antq::ledger {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kTempPrefix = ".compact-";  // DIR/.compact-<pid>: the copy, until it is swapped in

// A file descriptor, closed on destruction.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { if (fd_ >= 0) ::close(fd_); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// F_SETLK of `type` on byte 0 of lock.mdb, the byte mdb_env_excl_lock locks. 0, or the errno.
int lock_byte_zero(int fd, short type) {
  struct flock lock {};
  lock.l_type = type;
  lock.l_whence = SEEK_SET;
  lock.l_start = 0;
  lock.l_len = 1;
  while (::fcntl(fd, F_SETLK, &lock) != 0)
    if (errno != EINTR) return errno;
  return 0;
}

// Whether any process, this one included, holds a lock on byte 0 of lock.mdb (`fd`): an environment open there.
// The errno when the kernel cannot tell.
std::expected<bool, int> lock_held(int fd) {
  struct flock probe {};
  probe.l_type = F_WRLCK;
  probe.l_whence = SEEK_SET;
  probe.l_start = 0;
  probe.l_len = 1;
  probe.l_pid = 0;
  if (::fcntl(fd, F_OFD_GETLK, &probe) != 0) return std::unexpected(errno);
  return probe.l_type != F_UNLCK;
}

// Writes `bytes` at offset 0 of `fd` (lock.mdb's magic: MDB_txninfo starts with mtb_magic, 4 bytes).
bool write_magic(int fd, const std::array<char, 4>& bytes) {
  return ::pwrite(fd, bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size());
}

// Whether `name` is one that compaction gives its copy: ".compact-" and a process id.
bool is_compaction_copy(const std::string& name) {
  if (!name.starts_with(kTempPrefix) || name.size() == kTempPrefix.size()) return false;
  for (std::size_t i = kTempPrefix.size(); i < name.size(); ++i)
    if (name[i] < '0' || name[i] > '9') return false;
  return true;
}

// What a copy must have of the ledger it was made from.
struct Facts {
  std::uint64_t size = 0;
  std::string checkpoint;
  std::string verifier_key;
  std::vector<std::pair<std::string, std::uint64_t>> records;  // every named database and its count of records
};

Result<Facts> facts_of(const Ledger& ledger, const Ledger::Rep& rep) {
  Facts f;
  f.size = ledger.size();
  f.checkpoint = ledger.checkpoint();
  f.verifier_key = ledger.info().verifier_key;
  Txn txn(rep.env, false);
  if (txn.begin_status())
    return io_error(i18n::Text("cannot read {}: {}", rep.dir.string(), lmdb_error(txn.begin_status())));
  MDB_dbi main = 0;
  MDB_cursor* cursor = nullptr;
  if (int rc = mdb_dbi_open(txn.get(), nullptr, 0, &main); rc != MDB_SUCCESS)
    return io_error(i18n::Text("cannot read {}: {}", rep.dir.string(), lmdb_error(rc)));
  if (int rc = mdb_cursor_open(txn.get(), main, &cursor); rc != MDB_SUCCESS)
    return io_error(i18n::Text("cannot read {}: {}", rep.dir.string(), lmdb_error(rc)));
  std::vector<std::string> names;
  MDB_val key, value;
  for (int rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST); rc == MDB_SUCCESS;
       rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT))
    names.emplace_back(static_cast<const char*>(key.mv_data), key.mv_size);
  mdb_cursor_close(cursor);
  for (const std::string& name : names) {
    MDB_dbi dbi = 0;
    MDB_stat st{};
    if (int rc = mdb_dbi_open(txn.get(), name.c_str(), 0, &dbi); rc != MDB_SUCCESS)
      return corruption(i18n::Text("{}: database `{}` cannot be opened: {}", rep.dir.string(), name, lmdb_error(rc)));
    if (int rc = mdb_stat(txn.get(), dbi, &st); rc != MDB_SUCCESS)
      return io_error(i18n::Text("cannot read {}: {}", rep.dir.string(), lmdb_error(rc)));
    f.records.emplace_back(name, st.ms_entries);
  }
  return f;
}

// The first difference between what the ledger held and what its copy holds, if any.
std::optional<std::string> difference(const Facts& ledger, const Facts& copy) {
  if (copy.size != ledger.size) return fmt::format("{} entries instead of {}", copy.size, ledger.size);
  if (copy.checkpoint != ledger.checkpoint) return "another checkpoint";
  if (copy.verifier_key != ledger.verifier_key) return "another operator key";
  if (copy.records.size() != ledger.records.size())
    return fmt::format("{} databases instead of {}", copy.records.size(), ledger.records.size());
  for (std::size_t i = 0; i < ledger.records.size(); ++i) {
    const auto& [name, count] = ledger.records[i];
    if (copy.records[i].first != name) return fmt::format("database `{}` instead of `{}`", copy.records[i].first, name);
    if (copy.records[i].second != count)
      return fmt::format("{} records in `{}` instead of {}", copy.records[i].second, name, count);
  }
  return std::nullopt;
}

std::string read_only_media(const fs::path& dir) {
  return fmt::format("the ledger is on read-only media ({}): compaction rewrites data.mdb, which cannot be done "
                     "there (compact a copy on writable media: `antq backup`, then `antq compact` on the backup)",
                     dir.string());
}

}  // namespace

Result<CompactReport> Ledger::compact(const fs::path& dir, const std::function<void(std::string_view)>& step) {
  auto say = [&](const std::string& what) {
    if (step) step(what);
  };
  const fs::path data = dir / "data.mdb";
  struct stat before {};
  if (::lstat(data.c_str(), &before) != 0)
    return bad_input(i18n::Text("{} holds no ledger (no data.mdb); create one with `antq init`", dir.string()));
  if (!S_ISREG(before.st_mode))
    return bad_input(i18n::Text("{} is not a regular file: compaction replaces only a file", data.string()));
  if (on_read_only_media(dir)) return io_error(read_only_media(dir));

  // 1. The lock of LMDB's first opener, kept to the end: nobody else has the ledger open, and nobody can open it.
  say("taking the ledger's exclusive lock (" + (dir / "lock.mdb").string() + ")");
  const fs::path lock_file = dir / "lock.mdb";
  Fd lock(::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640));
  if (lock.get() < 0) {
    if (errno == EROFS) return io_error(read_only_media(dir));
    return io_error(i18n::Text("cannot open {}: {}", lock_file.string(), std::strerror(errno)));
  }
  // F_SETLK cannot see the locks of this process: an open file description's lock can (F_OFD_GETLK).
  const auto in_use = [&] {
    return bad_input(
        i18n::Text("{} is open in another process (another antq command, an mdb_ tool) or in this "
                   "one: compaction must run alone; nothing was changed. Stop it and run again",
                   dir.string()));
  };
  if (auto held = lock_held(lock.get()); !held) {
    return io_error(i18n::Text("cannot test the lock of {}: {}", lock_file.string(), std::strerror(held.error())));
  } else if (*held) {
    return in_use();
  }
  if (int error = lock_byte_zero(lock.get(), F_WRLCK); error != 0) {
    if (error == EAGAIN || error == EACCES) return in_use();
    return io_error(i18n::Text("cannot lock {}: {}", lock_file.string(), std::strerror(error)));
  }

  // 2. What an interrupted compaction left: a copy never swapped in (the rename is the last step that matters).
  CompactReport report;
  report.before_bytes = static_cast<std::uint64_t>(before.st_size);
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!is_compaction_copy(it->path().filename().string()) || !it->is_directory(ec) || it->is_symlink(ec)) continue;
    report.leftovers_removed.push_back(it->path());
  }
  if (ec) return io_error(i18n::Text("cannot list {}: {}", dir.string(), ec.message()));
  for (const fs::path& old : report.leftovers_removed) {
    say("removing " + old.string() + ", left by an interrupted compaction");
    fs::remove_all(old, ec);
    if (ec) return io_error(i18n::Text("cannot remove {}: {}", old.string(), ec.message()));
  }

  // 3. The copy, beside data.mdb (the same file system, so that the rename is atomic).
  const fs::path temp = dir / fmt::format("{}{}", kTempPrefix, ::getpid());
  if (!fs::create_directory(temp, ec) || ec)
    return io_error(i18n::Text("cannot create {}: {}", temp.string(), ec ? ec.message() : "it exists"));
  fs::permissions(temp, fs::perms::owner_all, ec);
  struct RemoveTemp {
    const fs::path& path;
    ~RemoveTemp() {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  } remove_temp{temp};

  Facts facts;
  {
    say("checking the structure of " + data.string());
    auto rep = open_rep(dir, {.check_structure = true}, /*without_lock=*/true);
    if (!rep) return std::unexpected(rep.error());
    const Ledger source(std::move(*rep));
    auto f = facts_of(source, *source.rep_);
    if (!f) return std::unexpected(f.error());
    facts = std::move(*f);
    say("copying the pages in use into " + (temp / "data.mdb").string());
    if (auto copied = source.copy_to(temp); !copied) return std::unexpected(copied.error());
  }
  report.entries = facts.size;

  // 4. The copy holds what the ledger held.
  {
    say("checking the copy");
    auto rep = open_rep(temp, {.check_structure = true}, /*without_lock=*/true);
    if (!rep)
      return corruption(
          i18n::Text("the compacted copy does not open: {}; nothing was changed", line_text(rep.error())));
    const Ledger copy(std::move(*rep));
    auto f = facts_of(copy, *copy.rep_);
    if (!f) return std::unexpected(f.error());
    if (auto d = difference(facts, *f))
      return corruption(i18n::Text("the compacted copy is not the ledger: it holds {}; nothing was changed", *d));
  }

  // 5. The swap. lock.mdb is made invalid first: whoever is let in before LMDB sets it up again for the new file
  // (our crash) must not trust the old file's transaction id.
  say("replacing " + data.string());
  const fs::path copied = temp / "data.mdb";
  if (::chmod(copied.c_str(), before.st_mode & 07777) != 0)
    return io_error(i18n::Text("cannot set the mode of {}: {}", copied.string(), std::strerror(errno)));
  std::array<char, 4> magic{};
  const bool has_magic = ::pread(lock.get(), magic.data(), magic.size(), 0) == static_cast<ssize_t>(magic.size());
  if (has_magic && !write_magic(lock.get(), {}))
    return io_error(i18n::Text("cannot write {}: {}", lock_file.string(), std::strerror(errno)));
  if (::rename(copied.c_str(), data.c_str()) != 0) {
    const int error = errno;
    if (has_magic) (void)write_magic(lock.get(), magic);  // the old file stays: so does its lock file
    return io_error(i18n::Text("cannot rename {} to {}: {}; nothing was changed", copied.string(), data.string(),
                               std::strerror(error)));
  }
  const int sync_error = sync_directory(dir);

  // 6. lock.mdb set up for the new file, by LMDB itself, before anybody else is let in.
  say("opening the compacted ledger (LMDB sets lock.mdb up for it)");
  std::string reopen_error;
  {
    auto reopened = Ledger::open(dir);
    if (!reopened) reopen_error = "the ledger does not open: " + reopened.error().line();
    else if ((*reopened)->size() != facts.size || (*reopened)->checkpoint() != facts.checkpoint)
      reopen_error = "the ledger opens with another size or checkpoint";
  }  // Closing it dropped every lock this process held on lock.mdb: others come in now.
  if (!reopen_error.empty()) {
    // Take the lock back if nobody came in, and leave lock.mdb invalid, so that the next opener sets it up again.
    if (lock_byte_zero(lock.get(), F_WRLCK) == 0) (void)write_magic(lock.get(), {});
    return io_error(i18n::Text("{} was replaced by its compacted copy (checked), but {}; run `antq verify {}`",
                               data.string(), reopen_error, dir.string()));
  }
  if (sync_error != 0)
    return io_error(
        i18n::Text("{} was replaced by its compacted copy, but the directory could not be flushed "
                   "({}): a crash now may bring back the old file (complete, freed pages and all)",
                   data.string(), std::strerror(sync_error)));
  struct stat after {};
  if (::stat(data.c_str(), &after) == 0) report.after_bytes = static_cast<std::uint64_t>(after.st_size);
  return report;
}

}  // namespace antq::ledger
