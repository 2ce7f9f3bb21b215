// append_bench: durable appends through Ledger::append, against PostgreSQL 15 keeping the same bytes in a hash chain.
//
// Events are signed first (RSA-2048 person signature each; not timed). Then, timed: appends in batches of 1 (each one
// fsync'ed LMDB transaction) and in batches of 1,000. The peer, in the same run: a throwaway PostgreSQL 15 cluster on
// 127.0.0.1 (fsync and synchronous_commit at their durable defaults) whose table keeps a SHA-256 hash chain computed by
// a BEFORE INSERT trigger (pgcrypto), fed the same entry bytes (the encoded submissions) by psql, one transaction per
// event, then one per 1,000 rows. The cluster is stopped and removed at the end, also on failure or SIGINT/SIGTERM.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>

#include <sstream>

#include <CLI/CLI.hpp>

#include "tools/bench/bench_support.hpp"

namespace antq::bench {
namespace {

// ---- PostgreSQL -----------------------------------------------------------------------------------------------

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
SignalCleanup g_cleanup;

extern "C" void on_fatal_signal(int sig) {
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
int free_port() {
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
const char* const kSchema = R"sql(
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

// "rows broken-links head": every row's link recomputed in SQL, and the newest hash (hex).
const char* const kCheckChain = R"sql(
SELECT count(*) || ' ' ||
       count(*) FILTER (WHERE NOT (c.prev_hash IS NOT DISTINCT FROM p.hash AND
                                   c.hash = digest(coalesce(p.hash, ''::bytea) || c.entry, 'sha256'))) || ' ' ||
       encode((SELECT hash FROM chain ORDER BY seq DESC LIMIT 1), 'hex')
FROM chain c LEFT JOIN chain p ON p.seq = c.seq - 1
)sql";

// A psql script inserting `entries` in transactions of `batch` rows (batch 1: one autocommitted INSERT per row, as
// each Ledger::append of one event is one transaction). The server's clock brackets the inserts, so the figure
// excludes psql's start and connection; psql prints the elapsed seconds.
void write_insert_script(const fs::path& path, const std::vector<Bytes>& entries, std::size_t batch) {
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
double script_seconds(const CommandResult& r) {
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
Digest chain_head(const std::vector<Bytes>& entries) {
  Digest h{};
  bool first = true;
  for (const auto& e : entries) {
    h = first ? sha256(e) : sha256({ByteView(h), ByteView(e)});
    first = false;
  }
  return h;
}

// ---- the disk ------------------------------------------------------------------------------------------------

struct FlushRate {
  double per_s = 0;
  std::size_t flushes = 0;
};

// How many "write 8 kB, fdatasync" rounds the file system of `path` completes per second, for `seconds`. A durable
// commit needs at least one such flush (PostgreSQL: its WAL record; LMDB: the data pages, then the meta page).
FlushRate measure_flush_rate(const fs::path& path, double seconds) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) throw Failure("cannot create " + path.string());
  const std::string page(8192, 'x');
  FlushRate r;
  const auto t0 = Clock::now();
  double elapsed = 0;
  while (elapsed < seconds) {
    if (::pwrite(fd, page.data(), page.size(), 0) != static_cast<ssize_t>(page.size()) || ::fdatasync(fd) != 0) {
      ::close(fd);
      throw Failure("cannot write and flush " + path.string());
    }
    ++r.flushes;
    elapsed = seconds_since(t0);
  }
  ::close(fd);
  fs::remove(path);
  r.per_s = static_cast<double>(r.flushes) / elapsed;
  return r;
}

// ---- the benchmark --------------------------------------------------------------------------------------------

struct Options {
  std::size_t single = 300;
  std::size_t batched = 20000;
  std::size_t batch = 1000;
  std::string algorithm = "rsa2048";
  std::string pg_bin = "/usr/lib/postgresql/15/bin";
  bool no_postgres = false;
  bool smoke = false;
  bool json = false;
};

struct Phase {
  std::string name;
  std::size_t events = 0, batch = 0;
  double ours_s = 0;
  std::vector<double> commit_s;        // per Ledger::append call
  std::optional<double> pg_s;          // in-session time
  std::optional<double> pg_process_s;  // psql process wall clock (start, connect, parse, inserts)
  double ours_rate() const { return static_cast<double>(events) / ours_s; }
  std::optional<double> pg_rate() const {
    if (!pg_s) return std::nullopt;
    return static_cast<double>(events) / *pg_s;
  }
};

int run(const Options& o) {
  Report report("append_bench: durable Ledger::append against PostgreSQL 15 with a hash-chain trigger", o.json);
  TempDir work("antq-append-bench");

  // Which peer: PostgreSQL when its binaries are there (never in smoke runs).
  std::string pg_status;
  const bool pg_present = fs::exists(fs::path(o.pg_bin) / "initdb") && fs::exists(fs::path(o.pg_bin) / "pg_ctl") &&
                          fs::exists(fs::path(o.pg_bin) / "psql");
  if (o.smoke)
    pg_status = "skipped (smoke run): the SQL scripts are written but not run";
  else if (o.no_postgres)
    pg_status = "skipped (--no-postgres)";
  else if (!pg_present)
    pg_status = "NOT FOUND: no initdb/pg_ctl/psql in " + o.pg_bin + "; our figures only";
  const bool use_pg = pg_status.empty();
  if (!use_pg) progress("PostgreSQL: {}", pg_status);

  report.config() = {
      {"events in batches of 1", o.single},
      {fmt::format("events in batches of {}", o.batch), o.batched},
      {"signatures", o.algorithm + ", person only, one per event"},
      {"cores", cores()},
      {"ledger", work.path().string() + " (LMDB; every append one durable transaction)"},
      {"postgresql", use_pg ? o.pg_bin + " on 127.0.0.1, fsync and synchronous_commit at defaults (on)" : pg_status},
      {"smoke", o.smoke}};

  // Pre-signed events (not timed): the first `single` for batches of 1, the rest for batches of `batch`.
  const std::size_t total = o.single + o.batched;
  progress("signing {} events ({}) on {} threads", total, o.algorithm, cores());
  auto [cast, bench] = create_ledger(work / "ledger", work / "pki", o.algorithm);
  auto t0 = Clock::now();
  auto plan = [](std::size_t i) { return Planned{proposed_act(i), false}; };
  const auto events = sign_parallel(total, plan, cast.person, nullptr);
  progress("  signed in {:.1f} s", seconds_since(t0));
  std::vector<Bytes> entries;  // the bytes PostgreSQL stores: the encoded submissions
  entries.reserve(total);
  std::size_t entry_bytes = 0;
  for (const auto& e : events) entries.push_back(ledger::encode_submission(e)), entry_bytes += entries.back().size();

  std::vector<Phase> phases = {
      {"batches of 1", o.single, 1, 0, {}, {}, {}},
      {fmt::format("batches of {}", grouped(static_cast<double>(o.batch))), o.batched, o.batch, 0, {}, {}, {}}};
  const std::vector<ledger::Submission> singles(events.begin(), events.begin() + static_cast<std::ptrdiff_t>(o.single));
  const std::vector<ledger::Submission> batched(events.begin() + static_cast<std::ptrdiff_t>(o.single), events.end());

  // The PostgreSQL scripts are always written (so that a smoke run checks them), and run only with a cluster.
  const fs::path scripts[2] = {work / "insert-1.sql", work / "insert-batched.sql"};
  write_insert_script(scripts[0], {entries.begin(), entries.begin() + static_cast<std::ptrdiff_t>(o.single)}, 1);
  write_insert_script(scripts[1], {entries.begin() + static_cast<std::ptrdiff_t>(o.single), entries.end()}, o.batch);
  std::optional<PgCluster> pg;
  std::string pg_version;
  if (use_pg) {
    progress("PostgreSQL: initdb and start in a temporary directory");
    pg.emplace(o.pg_bin);
    pg->start();
    pg_version = pg->query("SHOW server_version");
    pg_version = pg_version.substr(0, pg_version.find(' '));  // "15.18 (Debian 15.18-0+deb12u1)" -> "15.18"
    const std::string durable =
        pg->query("SELECT current_setting('fsync') || ' ' || current_setting('synchronous_commit')");
    if (durable != "on on")
      throw Failure("PostgreSQL is not durable here (fsync, synchronous_commit = " + durable + ")");
    write_file(work / "schema.sql", kSchema);
    pg->psql_file(work / "schema.sql");
  }

  // The device's flush rate, on the ledger's file system just before the phases: a floor for batches of 1.
  const double flush_s = o.smoke ? 0.2 : 2.0;
  const FlushRate flush = measure_flush_rate(work / "flush.test", flush_s);

  // Each phase: ours, then PostgreSQL right after (the disk is shared with other work; adjacent runs see the same
  // conditions). Every Ledger::append call is timed on its own; the phase total is their sum.
  for (std::size_t p = 0; p < phases.size(); ++p) {
    Phase& ph = phases[p];
    const auto& evs = p == 0 ? singles : batched;
    progress("ours, {}: {} events", ph.name, ph.events);
    std::vector<ledger::Submission> chunk;
    for (std::size_t i = 0; i < evs.size(); i += ph.batch) {
      chunk.assign(evs.begin() + static_cast<std::ptrdiff_t>(i),
                   evs.begin() + static_cast<std::ptrdiff_t>(std::min(evs.size(), i + ph.batch)));
      t0 = Clock::now();
      bench.append(chunk);
      ph.commit_s.push_back(seconds_since(t0));
      ph.ours_s += ph.commit_s.back();
    }
    if (pg) {
      progress("PostgreSQL {}, {}: {} rows", pg_version, ph.name, ph.events);
      const auto r = pg->psql_file(scripts[p]);
      ph.pg_s = script_seconds(r);
      ph.pg_process_s = r.seconds;
    }
  }
  if (bench.ledger->size() != total + 2)
    throw Failure(fmt::format("the ledger holds {} entries, expected {}", bench.ledger->size(), total + 2));
  if (pg) {
    // The chain must be whole and hold exactly our bytes: every link checked in SQL, the head compared with ours.
    const std::string check = pg->query(kCheckChain);
    const std::string expected = fmt::format("{} 0 {}", total, to_hex(chain_head(entries)));
    if (check != expected)
      throw Failure("PostgreSQL's hash chain is not the expected one: got \"" + check + "\", expected \"" + expected +
                    "\"");
    progress("PostgreSQL: chain of {} rows checked; stopping the cluster", total);
    pg.reset();
  }

  Table table("Durable appends of the same pre-signed events (wall clock)",
              {"batch size", "events", "ours s", "ours events/s", "ours commit p50", "ours commit p99", "PostgreSQL s",
               "PostgreSQL events/s", "ours / PostgreSQL"});
  ojson measured = ojson::array();
  for (auto& ph : phases) {
    std::vector<double> commits = ph.commit_s;
    const Summary c = summarize(commits);
    const auto pg = ph.pg_rate();
    const double ratio = pg ? ph.ours_rate() / *pg : NAN;
    table.row({ph.name, grouped(static_cast<double>(ph.events)), fmt::format("{:.3f}", ph.ours_s),
               grouped(ph.ours_rate()), fmt::format("{:.2f} ms", 1e3 * c.p50), fmt::format("{:.2f} ms", 1e3 * c.p99),
               ph.pg_s ? fmt::format("{:.3f}", *ph.pg_s) : "-", pg ? grouped(*pg) : "-", pg ? percent(ratio) : "-"});
    const bool thousand = ph.batch >= 1000;
    report.figure({.name = "append, " + ph.name,
                   .value = ph.ours_rate(),
                   .unit = "events/s",
                   .peer = pg ? "PostgreSQL " + pg_version : "no peer run",
                   .peer_value = pg.value_or(NAN),
                   .ratio = ratio,
                   .ratio_meaning = "of PostgreSQL",
                   .target = thousand ? "≥ 20,000 events/s on 2 cores" : "",
                   .met = thousand ? std::optional<bool>(ph.ours_rate() >= 20000) : std::nullopt});
    ojson m = {{"phase", ph.name},
               {"events", ph.events},
               {"batch", ph.batch},
               {"ours_seconds", ph.ours_s},
               {"ours_events_per_s", ph.ours_rate()},
               {"ours_commit_seconds", to_json(c)}};
    if (pg)
      m.update({{"pg_seconds", *ph.pg_s},
                {"pg_psql_process_seconds", *ph.pg_process_s},
                {"pg_events_per_s", *pg},
                {"ratio", ratio}});
    measured.push_back(std::move(m));
  }
  // The floor for batches of 1: one durable commit needs at least one device flush.
  const Phase& one = phases[0];
  report.figure({.name = "append, batches of 1, against the disk",
                 .value = one.ours_rate(),
                 .unit = "events/s",
                 .peer = "one 8 kB write + fdatasync per event",
                 .peer_value = flush.per_s,
                 .ratio = one.ours_rate() / flush.per_s,
                 .ratio_meaning = "of the flush rate"});
  report.note(fmt::format(
      "disk: {} flushes/s (8 kB pwrite + fdatasync, {} in {:.1f} s, on the ledger's file system, "
      "measured just before the phases){}",
      grouped(flush.per_s), flush.flushes, flush_s,
      one.pg_rate() ? fmt::format("; PostgreSQL batches of 1 reach {} of it", percent(*one.pg_rate() / flush.per_s))
                    : ""));
  report.table(std::move(table));
  report.extra() = {{"flushes_per_s", flush.per_s}, {"phases", measured}};
  report.note(
      fmt::format("entries: {} bytes on average (the encoded submission: act body and CMS with certificate); "
                  "PostgreSQL stores these same bytes.",
                  grouped(static_cast<double>(entry_bytes) / static_cast<double>(total))));
  report.note(
      "ours: each Ledger::append checks every CMS signature and certificate chain, applies the admission rules, "
      "stores entry, Merkle nodes, indexes and an Ed25519-signed checkpoint, and commits one fsync'ed LMDB "
      "transaction. PostgreSQL only stores bytes and hashes them into its chain.");
  if (use_pg)
    for (const auto& ph : phases)
      report.note(
          fmt::format("PostgreSQL {}: {:.3f} s inside the session (used), {:.3f} s for the whole psql process "
                      "(start, connect, parse the script)",
                      ph.name, *ph.pg_s, *ph.pg_process_s));
  else
    report.note("PostgreSQL " + pg_status);
  if (o.smoke) report.note("smoke run: tiny sizes; figures are not meaningful");
  report.print();
  return 0;
}

}  // namespace
}  // namespace antq::bench

int main(int argc, char** argv) {
  using namespace antq::bench;
  Options o;
  CLI::App app{
      "Times durable Ledger::append of pre-signed events in batches of 1 and of 1,000, and PostgreSQL 15 "
      "inserting the same bytes into a SHA-256 hash chain (trigger) in the same batches, in the same run."};
  app.add_option("--single", o.single, "events appended one per transaction")->check(CLI::Range(1, 10000000));
  app.add_option("--batched", o.batched, "events appended in batches of --batch")->check(CLI::Range(1, 100000000));
  app.add_option("--batch", o.batch, "batch size of the second phase")->check(CLI::Range(1, 1000000));
  app.add_option("--algorithm", o.algorithm, "signer key algorithm (rsa2048, p256, p384, ed25519)");
  app.add_option("--pg-bin", o.pg_bin, "directory of initdb, pg_ctl and psql");
  app.add_flag("--no-postgres", o.no_postgres, "do not run the PostgreSQL peer");
  app.add_flag("--smoke", o.smoke, "tiny sizes (20 single, 2,000 batched), no PostgreSQL: a quick check");
  app.add_flag("--json", o.json, "print one JSON document instead of tables");
  CLI11_PARSE(app, argc, argv);
  if (o.smoke) {
    if (!app.count("--single")) o.single = 20;
    if (!app.count("--batched")) o.batched = 2000;
  }
  return run_main("append_bench", [&] { return run(o); });
}
