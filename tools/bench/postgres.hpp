// The PostgreSQL peer of the benchmarks (append_bench, serve_bench): a throwaway PostgreSQL 15 cluster on 127.0.0.1
// whose table keeps a SHA-256 hash chain computed by a BEFORE INSERT trigger (pgcrypto), fed by psql scripts.
// Header-only, as bench_support.hpp: every tools/bench/*.cpp is its own executable.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>

#include <sstream>

#include "tools/bench/bench_support.hpp"

namespace antq::bench {

// Emergency cleanup for signals: argv prepared in advance, run with fork/execv/waitpid (async-signal-safe).
struct SignalCleanup {
  std::vector<std::vector<std::string>> commands;
  std::vector<std::vector<char*>> argvs;
  void prepare() {
    argvs.clear();
    for (auto& c : commands) {
      std::vector<char*> a;
      for (auto& s : c) a.push_back(s.data());
      a.push_back(nullptr);
      argvs.push_back(std::move(a));
    }
  }
};
inline SignalCleanup g_cleanup;

extern "C" inline void on_fatal_signal(int sig) {
  for (auto& argv : g_cleanup.argvs) {
    pid_t pid = fork();
    if (pid == 0) {
      execv(argv[0], argv.data());
      _exit(127);
    }
    if (pid > 0) waitpid(pid, nullptr, 0);
  }
  _exit(128 + sig);
}

// A free TCP port on 127.0.0.1 (asked of the kernel; free when this returns, almost surely still free a moment later).
inline int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw Failure("cannot create a socket to find a free port");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  int ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
           getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  close(fd);
  if (!ok) throw Failure("cannot find a free TCP port on 127.0.0.1");
  return ntohs(a.sin_port);
}

// A throwaway PostgreSQL cluster in a temporary directory, listening on 127.0.0.1 only. PostgreSQL refuses to run as
// root, so when we are root the server tools run as the `postgres` user (runuser) in a directory it owns; psql is a
// client and runs as we are. Settings are initdb's defaults (fsync on, synchronous_commit on): durable commits.
class PgCluster {
 public:
  explicit PgCluster(fs::path bin) : bin_(std::move(bin)), tmp_("antq-bench-pg") {
    dir_ = tmp_.path();
    if (geteuid() == 0) {
      const passwd* pw = getpwnam("postgres");
      if (pw == nullptr) throw Failure("running as root and there is no `postgres` user to run PostgreSQL as");
      if (chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0)
        throw Failure("cannot give " + dir_.string() + " to postgres");
      as_user_ = "runuser -u postgres -- ";
    }
    g_cleanup.commands = {{"/bin/rm", "-rf", dir_.string()}};  // a signal must not leave the directory behind
    g_cleanup.prepare();
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) signal(sig, on_fatal_signal);
    const auto init = run_command(as_user_ + shell_quote((bin_ / "initdb").string()) + " -D " +
                                  shell_quote(data().string()) + " -U postgres -A trust -E UTF8 --locale=C");
    if (init.status != 0) throw Failure("initdb failed:\n" + init.output);
  }

  // Starts the server on a free port. Separate from the constructor so that the destructor stops it even when the
  // start fails half-way.
  void start() {
    port_ = free_port();
    // From here on, a signal must not leave a server behind either.
    std::vector<std::string> stop = {
        (bin_ / "pg_ctl").string(), "-D", data().string(), "-m", "immediate", "-w", "stop"};
    if (!as_user_.empty()) stop.insert(stop.begin(), {"/usr/sbin/runuser", "-u", "postgres", "--"});
    g_cleanup.commands.insert(g_cleanup.commands.begin(), stop);
    g_cleanup.prepare();
    const std::string options =
        fmt::format("-c listen_addresses=127.0.0.1 -c port={} -c unix_socket_directories={}", port_, dir_.string());
    started_ = true;  // even a failed start may have left a postmaster: the destructor stops it
    const auto r = run_command(as_user_ + shell_quote((bin_ / "pg_ctl").string()) + " -D " +
                               shell_quote(data().string()) + " -l " + shell_quote((dir_ / "server.log").string()) +
                               " -w -t 60 -o " + shell_quote(options) + " start");
    if (r.status != 0) throw Failure("pg_ctl start failed:\n" + r.output + log_tail());
  }

  ~PgCluster() {
    if (started_) {
      const auto r = run_command(as_user_ + shell_quote((bin_ / "pg_ctl").string()) + " -D " +
                                 shell_quote(data().string()) + " -m fast -w -t 60 stop");
      if (r.status != 0) fmt::print(stderr, "warning: pg_ctl stop failed:\n{}\n", r.output);
    }
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) signal(sig, SIG_DFL);
    g_cleanup = {};
    // tmp_ removes the directory.
  }
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // psql over TCP to 127.0.0.1: no .psqlrc, stop at the first error, quiet, tuples only, unaligned.
  std::string psql_command(const std::string& args) const {
    return fmt::format("{} -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p {} -U postgres -d postgres {}",
                       shell_quote((bin_ / "psql").string()), port_, args);
  }
  CommandResult psql_file(const fs::path& file) const {
    auto r = run_command(psql_command("-f " + shell_quote(file.string())));
    if (r.status != 0) throw Failure("psql -f " + file.string() + " failed:\n" + r.output.substr(0, 4000));
    return r;
  }
  std::string query(const std::string& sql) const {
    auto r = run_command(psql_command("-c " + shell_quote(sql)));
    if (r.status != 0) throw Failure("psql -c failed:\n" + r.output);
    while (!r.output.empty() && (r.output.back() == '\n' || r.output.back() == '\r')) r.output.pop_back();
    return r.output;
  }

 private:
  fs::path data() const { return dir_ / "data"; }
  std::string log_tail() const {
    std::ifstream in(dir_ / "server.log");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    return s.size() > 2000 ? s.substr(s.size() - 2000) : s;
  }

  fs::path bin_;
  TempDir tmp_;
  fs::path dir_;
  std::string as_user_;
  int port_ = 0;
  bool started_ = false;
};

// The peer's schema: the hash chain kept by the database itself. The trigger reads the last row's hash (primary-key
// index, newest first) and links the new row to it. In a multi-row INSERT, a VOLATILE trigger function sees the rows
// the same statement inserted before (PostgreSQL manual, "Visibility of Data Changes"); check_chain() verifies it.
inline const char* const kSchema = R"sql(
CREATE EXTENSION IF NOT EXISTS pgcrypto;
DROP TABLE IF EXISTS chain;
CREATE TABLE chain (seq bigserial PRIMARY KEY, entry bytea NOT NULL, prev_hash bytea, hash bytea NOT NULL);
CREATE OR REPLACE FUNCTION chain_link() RETURNS trigger LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  last bytea;
BEGIN
  SELECT c.hash INTO last FROM chain c ORDER BY c.seq DESC LIMIT 1;
  NEW.prev_hash := last;
  NEW.hash := digest(coalesce(last, ''::bytea) || NEW.entry, 'sha256');
  RETURN NEW;
END $$;
CREATE TRIGGER chain_link BEFORE INSERT ON chain FOR EACH ROW EXECUTE FUNCTION chain_link();
)sql";

// The same table for concurrent writers (serve_bench: N psql sessions, one transaction per row). Without more, two
// transactions would read the same last row and fork the chain; so the trigger first takes a transaction-scoped
// advisory lock, which PostgreSQL releases only after the commit is durable and visible, and numbers the row itself
// under it (a sequence would hand out numbers in another order than the lock's). Writers of the chain are thus
// serialised through their commits, as any correct hash chain in a table must be; kCheckChain checks it as well.
inline const char* const kConcurrentSchema = R"sql(
CREATE EXTENSION IF NOT EXISTS pgcrypto;
DROP TABLE IF EXISTS chain;
CREATE TABLE chain (seq bigint PRIMARY KEY, entry bytea NOT NULL, prev_hash bytea, hash bytea NOT NULL);
CREATE OR REPLACE FUNCTION chain_link() RETURNS trigger LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  last_seq bigint;
  last bytea;
BEGIN
  PERFORM pg_advisory_xact_lock(7262);
  SELECT c.seq, c.hash INTO last_seq, last FROM chain c ORDER BY c.seq DESC LIMIT 1;
  NEW.seq := coalesce(last_seq, 0) + 1;
  NEW.prev_hash := last;
  NEW.hash := digest(coalesce(last, ''::bytea) || NEW.entry, 'sha256');
  RETURN NEW;
END $$;
CREATE TRIGGER chain_link BEFORE INSERT ON chain FOR EACH ROW EXECUTE FUNCTION chain_link();
)sql";

// "rows broken-links head": every row's link recomputed in SQL, and the newest hash (hex).
inline const char* const kCheckChain = R"sql(
SELECT count(*) || ' ' ||
       count(*) FILTER (WHERE NOT (c.prev_hash IS NOT DISTINCT FROM p.hash AND
                                   c.hash = digest(coalesce(p.hash, ''::bytea) || c.entry, 'sha256'))) || ' ' ||
       encode((SELECT hash FROM chain ORDER BY seq DESC LIMIT 1), 'hex')
FROM chain c LEFT JOIN chain p ON p.seq = c.seq - 1
)sql";

// The set of entries the table holds, whatever their order (concurrent writers): SHA-256 of the sorted hex SHA-256
// digests of the entries, concatenated; entries_digest() computes the same of ours.
inline const char* const kEntriesDigest = R"sql(
SELECT encode(digest(coalesce(string_agg(h, '' ORDER BY h), ''), 'sha256'), 'hex')
FROM (SELECT encode(digest(entry, 'sha256'), 'hex') AS h FROM chain) s
)sql";

inline std::string entries_digest(const std::vector<Bytes>& entries) {
  std::vector<std::string> hashes;
  hashes.reserve(entries.size());
  for (const auto& e : entries) hashes.push_back(to_hex(sha256(e)));
  std::sort(hashes.begin(), hashes.end());
  std::string all;
  for (const auto& h : hashes) all += h;
  return to_hex(sha256(as_bytes(all)));
}

// A psql script inserting `entries` in transactions of `batch` rows (batch 1: one autocommitted INSERT per row, as
// each Ledger::append of one event is one transaction). The server's clock brackets the inserts, so the figure
// excludes psql's start and connection; psql prints the elapsed seconds.
inline void write_insert_script(const fs::path& path, const std::vector<Bytes>& entries, std::size_t batch) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << "SELECT extract(epoch FROM clock_timestamp()) AS t0 \\gset\n";
  for (std::size_t i = 0; i < entries.size(); i += batch) {
    const std::size_t end = std::min(entries.size(), i + batch);
    if (batch > 1) out << "BEGIN;\n";
    out << "INSERT INTO chain (entry) VALUES\n";
    for (std::size_t j = i; j < end; ++j) out << "('\\x" << to_hex(entries[j]) << "')" << (j + 1 < end ? ",\n" : ";\n");
    if (batch > 1) out << "COMMIT;\n";
  }
  out << "SELECT extract(epoch FROM clock_timestamp()) - :t0;\n";
  if (!out.flush()) throw Failure("cannot write " + path.string());
}

// Seconds printed by the script's last SELECT.
inline double script_seconds(const CommandResult& r) {
  std::istringstream in(r.output);
  std::string last;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) last = line;
  try {
    return std::stod(last);
  } catch (const std::exception&) {
    throw Failure("psql did not print the elapsed time; its output ends with: " + last);
  }
}

// The hash chain our side expects PostgreSQL to hold after `entries`: h = SHA-256(previous h || entry).
inline Digest chain_head(const std::vector<Bytes>& entries) {
  Digest h{};
  bool first = true;
  for (const auto& e : entries) {
    h = first ? sha256(e) : sha256({ByteView(h), ByteView(e)});
    first = false;
  }
  return h;
}

}  // namespace antq::bench
