#include "signing/file.hpp"

#include "i18n/i18n.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace antq::signing {

namespace {

// What a file that is not regular is, for the message.
const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return N_("a directory");
  if (S_ISFIFO(mode)) return N_("a FIFO (named pipe)");
  if (S_ISSOCK(mode)) return N_("a socket");
  if (S_ISCHR(mode)) return N_("a character device");
  if (S_ISBLK(mode)) return N_("a block device");
  return N_("not a regular file");
}

// Closes the descriptor when the read is over, however it ends.
struct Descriptor {
  int fd = -1;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string byte_limit_text(std::uint64_t bytes) {
  for (const auto& [shift, unit] : {std::pair{40, " TiB"}, std::pair{30, " GiB"}, std::pair{20, " MiB"}, std::pair{10, " KiB"}})
    if (bytes >= (std::uint64_t{1} << shift) && bytes % (std::uint64_t{1} << shift) == 0)
      return std::to_string(bytes >> shift) + unit;
  return std::to_string(bytes) + " bytes";
}

Result<Bytes> read_user_file(const std::string& path, std::size_t max_bytes, std::string_view what) {
  // "signed event file /x.signed: no such file": `what` (marked N_ by the callers) in the reader's language.
  using i18n::Text;
  const Text named = Text("{} {}", Text::word(std::string(what)), path);
  const auto unreadable = [&] { return bad_input(Text("{}: cannot be read ({})", named, std::strerror(errno))); };
  Descriptor file;
  do {
    file.fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  } while (file.fd < 0 && errno == EINTR);
  if (file.fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return bad_input(Text("{}: no such file", named));
    return unreadable();
  }
  struct stat st{};
  if (::fstat(file.fd, &st) != 0) return unreadable();
  if (!S_ISREG(st.st_mode))
    return bad_input(Text("{}: {}, not a regular file", named, Text::word(kind_of(st.st_mode))));
  const auto too_large = [&] {
    return bad_input(Text("{}: larger than the {} limit", named, byte_limit_text(max_bytes)));
  };
  if (st.st_size < 0 || static_cast<std::uint64_t>(st.st_size) > max_bytes) return too_large();
  // The size fstat gave is a hint: the file may change while it is read, so the read stops one byte past the limit.
  Bytes out(static_cast<std::size_t>(st.st_size) + 1);
  std::size_t have = 0;
  for (;;) {
    if (have == out.size()) {
      if (out.size() > max_bytes) return too_large();
      out.resize(std::min(max_bytes + 1, out.size() * 2));
    }
    const ssize_t n = ::read(file.fd, out.data() + have, out.size() - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return unreadable();
    if (n == 0) break;
    have += static_cast<std::size_t>(n);
  }
  if (have > max_bytes) return too_large();
  out.resize(have);
  return out;
}

}  // namespace antq::signing
