#include "cli/pdf.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace antq::cli {
namespace fs = std::filesystem;
namespace {

constexpr auto kPrintTimeout = std::chrono::minutes(2);

bool executable_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

// `path` as a file:// URL (every byte but unreserved ones and '/' percent-encoded).
std::string file_url(const fs::path& path) {
  std::string url = "file://";
  for (unsigned char c : path.string()) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~')
      url += static_cast<char>(c);
    else
      url += fmt::format("%{:02X}", c);
  }
  return url;
}

// The last line of `file` that says something (Chromium's log: the reason it stopped), at most 300 bytes.
std::string last_line(const fs::path& file) {
  std::ifstream in(file);
  std::string line, last;
  while (std::getline(in, line))
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  return last.size() > 300 ? last.substr(0, 300) + "…" : last;
}

// A directory of our own under the system's temporary directory, removed with what it holds when this goes.
struct ScratchDir {
  fs::path path;
  ScratchDir() {
    std::string tmpl = (fs::temp_directory_path() / "antq-pdf-XXXXXX").string();
    if (::mkdtemp(tmpl.data())) path = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

// The temporary file beside `output` the PDF is printed to, removed unless it was renamed (kept = true).
struct Beside {
  fs::path path;
  bool kept = false;
  ~Beside() {
    std::error_code ec;
    if (!path.empty() && !kept) fs::remove(path, ec);
  }
};

}  // namespace

Result<fs::path> find_chromium() {
  if (const char* given = std::getenv(kChromiumVariable); given && *given) {
    if (!executable_file(given))
      return bad_input(
          i18n::Text("{}={}: not an executable file (the Chromium to print the PDF with)", kChromiumVariable, given));
    return fs::path(given);
  }
  if (const char* path = std::getenv("PATH")) {
    std::istringstream dirs(path);
    for (std::string dir; std::getline(dirs, dir, ':');)
      if (!dir.empty() && executable_file(fs::path(dir) / "chromium")) return fs::path(dir) / "chromium";
  }
  return bad_input(
      i18n::Text("--format pdf prints with Chromium, which is not installed: install Debian's package chromium "
                 "(apt-get install chromium), or set {} to its path",
                 kChromiumVariable));
}

Status print_pdf(const fs::path& chromium, std::string_view html, const fs::path& output) {
  ScratchDir scratch;
  if (scratch.path.empty()) return io_error(i18n::Text("cannot create a temporary directory to print the PDF in"));
  const fs::path page = scratch.path / "page.html", log = scratch.path / "chromium.log";
  {
    std::ofstream out(page, std::ios::binary);
    out.write(html.data(), static_cast<std::streamsize>(html.size()));
    if (!out.flush()) return io_error(i18n::Text("cannot write {}", page.string()));
  }
  // The temporary PDF in output's directory, so that the rename below cannot cross file systems.
  Beside beside;
  const fs::path dir = output.has_parent_path() ? output.parent_path() : fs::path(".");
  // Appended rather than "." + name + …: GCC 12 at -O3 warns (-Wrestrict, PR 105329) on that form.
  std::string name = ".";
  name += output.filename().string();
  name += ".XXXXXX";
  std::string tmpl = (dir / name).string();
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0)
    return bad_input(i18n::Text("{}: cannot write in {}: {}", output.string(), dir.string(), std::strerror(errno)));
  ::close(fd);
  beside.path = tmpl;

  std::vector<std::string> args = {chromium.string(),
                                   "--headless",
                                   "--disable-gpu",
                                   "--no-first-run",
                                   "--no-default-browser-check",
                                   "--disable-extensions",
                                   "--disable-sync",
                                   "--disable-background-networking",
                                   "--disable-component-update",
                                   "--password-store=basic",
                                   "--user-data-dir=" + (scratch.path / "profile").string(),
                                   "--no-pdf-header-footer",
                                   "--print-to-pdf=" + beside.path.string()};
  // Chromium's sandbox refuses to start as root (a container, a build machine); the page is ours and loads nothing.
  if (::geteuid() == 0) args.emplace_back("--no-sandbox");
  args.push_back(file_url(page));
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  // Chromium gets a small environment of its own: not the passphrases and PINs antq may hold (ANTQ_*), and a home
  // inside the scratch directory, so that it writes nothing into the user's.
  std::vector<std::string> env_strings = {"HOME=" + scratch.path.string(), "TMPDIR=" + scratch.path.string()};
  for (const char* name : {"PATH", "LANG", "LC_ALL", "FONTCONFIG_PATH", "FONTCONFIG_FILE"})
    if (const char* value = std::getenv(name)) env_strings.push_back(std::string(name) + "=" + value);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  // SIGINT, SIGTERM and SIGHUP are held while Chromium prints: one that comes kills Chromium's whole process group
  // and ends the print with nothing written (the scratch directory and the file beside the output are removed as
  // this function returns), instead of ending antq with Chromium left running and its files left behind.
  sigset_t stops, before;
  sigemptyset(&stops);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&stops, sig);
  ::pthread_sigmask(SIG_BLOCK, &stops, &before);
  struct Restore {
    sigset_t mask;
    ~Restore() { ::pthread_sigmask(SIG_SETMASK, &mask, nullptr); }
  } restore{before};

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group (killed whole on a timeout or a signal), with the signal mask antq had before.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigmask(&attr, &before);
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, chromium.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (spawned != 0) return io_error(i18n::Text("cannot run {}: {}", chromium.string(), std::strerror(spawned)));
  int status = 0;
  const auto stop = [&] {
    ::kill(-pid, SIGKILL);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  };

  const auto deadline = std::chrono::steady_clock::now() + kPrintTimeout;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) {
      const int error = errno;
      stop();
      return io_error(i18n::Text("waiting for {}: {}", chromium.string(), std::strerror(error)));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      stop();
      return io_error(i18n::Text("{} did not print the PDF within two minutes; nothing written", chromium.string()));
    }
    const timespec pause{0, 20'000'000};  // 20 ms
    if (const int sig = ::sigtimedwait(&stops, nullptr, &pause); sig > 0) {
      stop();
      return io_error(i18n::Text("stopped by signal {} while Chromium printed the PDF; nothing written", sig));
    }
  }
  const bool exited = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  std::string head(5, '\0');
  {
    std::ifstream in(beside.path, std::ios::binary);
    in.read(head.data(), 5);
  }
  if (!exited || head != "%PDF-") {
    const std::string why = WIFEXITED(status) ? fmt::format("exit {}", WEXITSTATUS(status))
                                              : fmt::format("signal {}", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return io_error(i18n::Text("{} did not print the PDF ({}): {}; nothing written", chromium.string(),
                               exited ? i18n::Text("no PDF") : i18n::Text::verbatim(why), last_line(log)));
  }
  // As a file the user writes is (mkstemp made it 0600), flushed before it takes output's name.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  const int sync_fd = ::open(beside.path.c_str(), O_RDONLY);
  const bool synced = sync_fd >= 0 && ::fchmod(sync_fd, 0666 & ~mask) == 0 && ::fsync(sync_fd) == 0;
  const int error = errno;
  if (sync_fd >= 0) ::close(sync_fd);
  if (!synced) return io_error(i18n::Text("{}: cannot flush: {}", beside.path.string(), std::strerror(error)));
  std::error_code ec;
  fs::rename(beside.path, output, ec);
  if (ec) return io_error(i18n::Text("{}: cannot rename the printed PDF to it: {}", output.string(), ec.message()));
  beside.kept = true;
  return {};
}

}  // namespace antq::cli
