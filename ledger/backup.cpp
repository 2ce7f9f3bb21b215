// Ledger::copy_to: the consistent, compacted copy that `antq backup` makes and then verifies (FORMAT.md, "Backup"),
// and the copy of an LMDB environment that AccessLog::copy_to shares.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "ledger/ledger.hpp"
#include "ledger/store.hpp"

namespace antq::ledger {
namespace {

namespace fs = std::filesystem;

// Writes all of `bytes` to `fd`.
bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

Result<Ledger::Copy> Ledger::copy_to(const fs::path& dest) const {
  // mdb_env_copy walks the trees as LMDB's reads do: their structure is checked first. The copy reads the snapshot
  // current when its own transaction begins: the one checked, or a later one that adds only the pages appends wrote
  // since. (Whatever it copies is checked again, with everything else, when the copy is verified.)
  if (auto checked = rep_->checked_txn({}); !checked) return std::unexpected(checked.error());

  const fs::path data = dest / "data.mdb";
  auto bytes = copy_environment(rep_->env, data);
  if (!bytes) return std::unexpected(bytes.error());
  auto fail = [&](const std::string& what) {
    std::error_code ec;
    fs::remove(data, ec);
    return io_error(i18n::Text("cannot write the copy {}: {}", data.string(), what));
  };

  // The operator's verifier key, as the ledger holds it (meta `operator.vkey`; init wrote the same to
  // DIR/operator.vkey). The private key operator.key never goes into a copy.
  const fs::path vkey = dest / "operator.vkey";
  int kfd = ::open(vkey.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (kfd < 0) return fail(fmt::format("cannot create {}: {}", vkey.string(), std::strerror(errno)));
  const bool written = write_all(kfd, rep_->info.verifier_key + "\n") && ::fsync(kfd) == 0;
  const int error = errno;
  ::close(kfd);
  if (!written) {
    std::error_code ec;
    fs::remove(vkey, ec);
    return fail(fmt::format("cannot write {}: {}", vkey.string(), std::strerror(error)));
  }
  if (int error = sync_directory(dest); error != 0)
    return io_error(i18n::Text("cannot flush the directory {}: {}", dest.string(), std::strerror(error)));
  return Copy{*bytes};
}

Result<std::uint64_t> copy_environment(MDB_env* env, const fs::path& data) {
  auto fail = [&](const std::string& what) {
    std::error_code ec;
    fs::remove(data, ec);
    return io_error(i18n::Text("cannot write the copy {}: {}", data.string(), what));
  };
  int fd = ::open(data.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) return io_error(i18n::Text("cannot create {}: {}", data.string(), std::strerror(errno)));
  // MDB_CP_COMPACT: the live pages only, renumbered in tree order, and an empty free list.
  if (int rc = mdb_env_copyfd2(env, fd, MDB_CP_COMPACT); rc != MDB_SUCCESS) {
    ::close(fd);
    return fail(lmdb_error(rc));
  }
  struct stat st {};
  if (::fsync(fd) != 0 || ::fstat(fd, &st) != 0) {
    const int error = errno;
    ::close(fd);
    return fail(std::strerror(error));
  }
  if (::close(fd) != 0) return fail(std::strerror(errno));
  return static_cast<std::uint64_t>(st.st_size);
}

int sync_directory(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno;
  const int error = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  return error;
}

}  // namespace antq::ledger
