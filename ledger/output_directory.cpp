#include "ledger/output_directory.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace antq::ledger {
namespace {

namespace fs = std::filesystem;

}  // namespace

Result<OutputDirectory> OutputDirectory::create(const fs::path& out, std::string_view who_creates) {
  if (::mkdir(out.c_str(), 0755) != 0) {
    if (errno == EEXIST)
      return bad_input(i18n::Text("{} exists: {}; name a new one", out.string(), i18n::Text::word(std::string(who_creates))));
    return io_error(i18n::Text("cannot create {}: {}", out.string(), std::strerror(errno)));
  }
  OutputDirectory d(out);
  d.root_ = ::open(out.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (d.root_ < 0) {
    const std::string why = std::strerror(errno);
    ::rmdir(out.c_str());  // ours and empty; a symlink put in its place is not removed (ENOTDIR)
    return io_error(i18n::Text("cannot open {} after creating it: {}", out.string(), why));
  }
  struct stat st {};
  if (::fstat(d.root_, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid() ||
      (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    // Replaced between mkdir and open (only possible in a directory others may write to): leave it alone.
    return io_error(i18n::Text("{} changed while it was being created (is its parent directory writable by others?)",
                               out.string()));
  }
  return d;
}

OutputDirectory::OutputDirectory(OutputDirectory&& other) noexcept
    : out_(std::move(other.out_)), root_(std::exchange(other.root_, -1)), subdirs_(std::move(other.subdirs_)),
      created_(std::move(other.created_)) {
  other.subdirs_.clear();
}

OutputDirectory::~OutputDirectory() {
  for (const auto& [name, fd] : subdirs_) ::close(fd);
  if (root_ >= 0) ::close(root_);
}

std::pair<int, std::string> OutputDirectory::locate(const std::string& path) const {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return {root_, path};
  auto it = subdirs_.find(std::string_view(path).substr(0, slash));
  return {it == subdirs_.end() ? -1 : it->second, path.substr(slash + 1)};
}

Status OutputDirectory::make_subdirectory(const std::string& path) {
  auto [dir, name] = locate(path);
  if (dir < 0) return io_error(i18n::Text("cannot create {}: its parent directory was not made", shown(path)));
  if (::mkdirat(dir, name.c_str(), 0755) != 0)
    return io_error(i18n::Text("cannot create {}: {}", shown(path), std::strerror(errno)));
  created_.push_back({path, true});
  int fd = ::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return io_error(i18n::Text("cannot open {}: {}", shown(path), std::strerror(errno)));
  subdirs_[path] = fd;
  return {};
}

Result<int> OutputDirectory::create_file(const std::string& path) {
  auto [dir, name] = locate(path);
  if (dir < 0) return io_error(i18n::Text("cannot create {}: no such subdirectory", shown(path)));
  int fd = ::openat(dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return io_error(i18n::Text("cannot create {}: {}", shown(path), std::strerror(errno)));
  created_.push_back({path, false});
  return fd;
}

Status OutputDirectory::write_file(const std::string& path, ByteView bytes) {
  auto fd = create_file(path);
  if (!fd) return std::unexpected(fd.error());
  Status s = write_all(*fd, bytes, path);
  if (::close(*fd) != 0 && s) s = io_error(i18n::Text("cannot write {}: {}", shown(path), std::strerror(errno)));
  return s;
}

Status OutputDirectory::write_all(int fd, ByteView bytes, const std::string& path) const {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return io_error(i18n::Text("cannot write {}: {} (disk full?)", shown(path), std::strerror(errno)));
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
  return {};
}

Result<std::uint64_t> OutputDirectory::read_file(const std::string& path,
                                                  const std::function<void(ByteView)>& piece) const {
  auto [dir, name] = locate(path);
  if (dir < 0) return io_error(i18n::Text("cannot read {}: no such subdirectory", shown(path)));
  int fd = ::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return io_error(i18n::Text("cannot read {}: {}", shown(path), std::strerror(errno)));
  Bytes buffer(1 << 20);
  std::uint64_t total = 0;
  for (;;) {
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      return io_error(i18n::Text("cannot read {}: {}", shown(path), why));
    }
    if (n == 0) break;
    piece(ByteView(buffer.data(), static_cast<std::size_t>(n)));
    total += static_cast<std::uint64_t>(n);
  }
  ::close(fd);
  return total;
}

std::vector<std::string> OutputDirectory::files_under(std::string_view prefix) const {
  std::vector<std::string> out;
  for (const Created& c : created_)
    if (!c.directory && c.path.starts_with(prefix)) out.push_back(c.path);
  return out;
}

void OutputDirectory::remove_since(std::size_t mark) {
  while (created_.size() > mark) {
    const Created c = std::move(created_.back());
    created_.pop_back();
    if (c.directory) {
      if (auto fd = subdirs_.find(c.path); fd != subdirs_.end()) {
        ::close(fd->second);
        subdirs_.erase(fd);
      }
    }
    // Newest first: a directory's contents are gone before it, and its parent is still open.
    if (auto [dir, name] = locate(c.path); dir >= 0) ::unlinkat(dir, name.c_str(), c.directory ? AT_REMOVEDIR : 0);
  }
}

void OutputDirectory::remove() {
  remove_since(0);
  if (root_ >= 0) ::close(std::exchange(root_, -1));
  ::rmdir(out_.c_str());  // empty now; rmdir removes nothing else
}

}  // namespace antq::ledger
