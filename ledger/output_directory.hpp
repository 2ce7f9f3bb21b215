// A directory that a command creates and fills (antq export's bundle, antq handover's hand-over), made so that
// nothing another user plants meanwhile is followed or overwritten, and undone on failure.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "signing/digest.hpp"
#include "signing/result.hpp"

namespace antq::ledger {

// Every name inside is created relative to an open directory (openat, mkdirat) with O_CREAT | O_EXCL | O_NOFOLLOW,
// so a symlink planted by another user is neither followed nor overwritten. Paths inside are relative and
// '/'-separated ("entries.bin", "bag/data/ho-so/001/certs/x.der"); a file's or subdirectory's parent must have been
// made by make_subdirectory first. One thread at a time.
class OutputDirectory {
 public:
  // Creates `out` (mode 0755 less the umask), which must not exist in any form: bad_input when it does (an empty
  // directory, a file, a symlink, a dangling symlink), with `who_creates` in the message ("export creates the
  // bundle directory itself"). Then opens it without following a symlink and checks that what was opened is a
  // directory of ours that nobody else may write to.
  static Result<OutputDirectory> create(const std::filesystem::path& out, std::string_view who_creates);

  OutputDirectory(OutputDirectory&& other) noexcept;
  OutputDirectory& operator=(OutputDirectory&&) = delete;
  ~OutputDirectory();  // closes; removes nothing

  const std::filesystem::path& path() const { return out_; }
  // `path` inside, as a message shows it: the directory's path joined with it.
  std::string shown(const std::string& path) const { return (out_ / path).string(); }

  Status make_subdirectory(const std::string& path);
  // Creates the file `path`; returns its descriptor, which the caller closes.
  Result<int> create_file(const std::string& path);
  Status write_file(const std::string& path, ByteView bytes);
  Status write_text(const std::string& path, std::string_view text) { return write_file(path, as_bytes(text)); }
  // Writes all of `bytes` to `fd` (a file of this directory named `path`, for messages).
  Status write_all(int fd, ByteView bytes, const std::string& path) const;

  // Reads back the file `path` this directory created, in pieces of at most 1 MiB handed to `piece` in order,
  // without following a symlink. Returns the number of bytes read.
  Result<std::uint64_t> read_file(const std::string& path, const std::function<void(ByteView)>& piece) const;
  // The files created so far whose path begins with `prefix`, in the order they were created.
  std::vector<std::string> files_under(std::string_view prefix) const;

  // What has been created so far; remove_since(mark()) later removes everything created after this point.
  std::size_t mark() const { return created_.size(); }
  // Removes what was created after `mark`, newest first.
  void remove_since(std::size_t mark);
  // Removes everything created, newest first, then the directory itself. The object is then closed.
  void remove();

 private:
  explicit OutputDirectory(std::filesystem::path out) : out_(std::move(out)) {}
  // The descriptor of the directory `path` is in, and its last component; -1 when that directory was not made.
  std::pair<int, std::string> locate(const std::string& path) const;

  struct Created {
    std::string path;
    bool directory = false;
  };
  std::filesystem::path out_;
  int root_ = -1;
  std::map<std::string, int, std::less<>> subdirs_;  // every subdirectory made, by path, open
  std::vector<Created> created_;
};

}  // namespace antq::ledger
