// serve_bench: `antq serve` over mutual TLS on loopback, against PostgreSQL 15 keeping the same bytes in a hash chain.
//
// Set-up (not timed): a PKI of one key algorithm (RSA-2048 by default: root, administrator, the commune's chairman and
// office, an inspector, and the server's TLS certificate for 127.0.0.1); a ledger that binds the chairman (person) and
// the office (organisation) and grants the inspector read access to the whole ledger (access.granted); decisions
// ("survey.plan-approved") signed by both, RSA keys with PSS, each beginning a subject of its own so that every one is
// admitted. Then the built `antq serve` as a child process on 127.0.0.1, on a port the system chooses.
//
// Timed, for each number of concurrent clients (1, 8, 64): every client a thread with its own keep-alive mTLS
// connection (the chairman's certificate), connected before the clock starts, POSTing one signed act per request to
// /v1/acts; every answer must be 201. The peer, right after, in the same run: as many psql sessions, released together,
// inserting the same entry bytes into PostgreSQL's hash chain (tools/bench/postgres.hpp), one autocommitted INSERT per
// row, each statement timed by psql (\timing). Then reads as the inspector, by 64 clients: GET /v1/show?subject=..
// &as_of=.. of admitted subjects (answers must be 200 and name the subject), as fast as the clients can (a closed
// loop: with 64 clients waiting, a read's latency is about 64 / the rate), then paced at --read-pace reads/s in all
// (a read's latency when the server is not saturated); and GET /v1/health, the round trip of TLS and HTTP alone, as
// the floor a read is compared with. Every phase is bounded in count and by --time-limit.
// The server, the PostgreSQL cluster and the temporary directories are gone at the end, also on failure.
#include <fcntl.h>
#include <sys/prctl.h>

#include <latch>
#include <mutex>

#include <CLI/CLI.hpp>
#include <fmt/ranges.h>

#include "cli/http_client.hpp"
#include "tools/bench/bench_support.hpp"
#include "tools/bench/postgres.hpp"

namespace antq::bench {
namespace {

// ---- antq serve as a child process --------------------------------------------------------------------------

// `antq serve` started with fork/exec, its stdout and stderr to `log`; it gets SIGTERM if this process dies first
// (PR_SET_PDEATHSIG), and is SIGKILLed by the destructor unless stop() ended it.
class ServerProcess {
 public:
  ServerProcess(const fs::path& antq, std::vector<std::string> args, fs::path log) : log_(std::move(log)) {
    args.insert(args.begin(), antq.string());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw Failure("cannot create " + log_.string());
    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ == 0) {  // only async-signal-safe calls until execv
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (getppid() != parent) _exit(127);
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      execv(argv[0], argv.data());
      _exit(127);
    }
    ::close(fd);
    if (pid_ < 0) throw Failure("cannot fork to start antq serve");
  }
  ~ServerProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // The port of its line "antq serve: DIR (N entries) on https://127.0.0.1:PORT with ...", waiting up to `seconds`.
  int wait_for_port(double seconds) {
    const auto t0 = Clock::now();
    const std::string marker = "https://127.0.0.1:";
    while (seconds_since(t0) < seconds) {
      const std::string text = log_text();
      if (const auto at = text.find(marker); at != std::string::npos) {
        const auto end = text.find(' ', at);
        if (end != std::string::npos) return std::stoi(text.substr(at + marker.size(), end - at - marker.size()));
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw Failure("antq serve exited before it listened:\n" + log_tail());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw Failure(fmt::format("antq serve did not listen within {:.0f} s:\n{}", seconds, log_tail()));
  }

  // SIGTERM, then its exit status once it has drained (SIGKILL after `seconds`: a Failure).
  int stop(double seconds) {
    kill(pid_, SIGTERM);
    const auto t0 = Clock::now();
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) != pid_) {
      if (seconds_since(t0) > seconds) throw Failure(fmt::format("antq serve did not stop within {:.0f} s", seconds));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  pid_t pid() const { return pid_; }

  std::string log_text() const {
    std::ifstream in(log_, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::string log_tail() const {
    const std::string s = log_text();
    return s.size() > 3000 ? s.substr(s.size() - 3000) : s;
  }

 private:
  fs::path log_;
  pid_t pid_ = -1;
};

// CPU seconds (user + system) process `pid` has used so far, from /proc/PID/stat.
double cpu_seconds_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return NAN;
  std::istringstream fields(stat.substr(close + 2));
  std::string f;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {  // fields 14 and 15: utime, stime in clock ticks
    if (i == 14) utime = std::stod(f);
    if (i == 15) stime = std::stod(f);
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// ---- HTTPS clients ------------------------------------------------------------------------------------------

struct Identity {
  fs::path key, cert;  // the client certificate of the mTLS connection
};

// One request of a phase, and what its answer must be.
struct Call {
  std::string method, path, body;
  unsigned status = 200;
  std::string must_contain;  // in the answer's body; "" for no check
};

// What a phase measured.
struct Run {
  unsigned clients = 0;
  std::size_t planned = 0, done = 0;
  double seconds = 0;
  std::vector<double> latency_s;      // per request, all clients
  std::vector<std::size_t> answered;  // the calls answered as expected, in order
  bool timed_out = false;
  double server_cpu_s = NAN;
  double rate() const { return static_cast<double>(done) / seconds; }
};

// `count` calls by `clients` threads, client j making calls j, j + clients, ... on its own keep-alive connection,
// opened (GET /v1/health) before the clock starts; the clock stops at the last answer. Each client sends its next
// call as soon as it has the answer to the last one, or, with `pace` > 0 (calls per second, all clients together),
// not before call i's time on the schedule, i / pace seconds after the start. No new call starts after `time_limit`
// seconds. The first wrong answer or failed call stops every client and is thrown as a Failure.
Run run_clients(const std::string& url, const std::string& server_ca, const Identity& who, unsigned clients,
                std::size_t count, const std::function<Call(std::size_t)>& call_for, double time_limit, pid_t server,
                double pace = 0) {
  Run run;
  run.clients = clients;
  run.planned = count;
  std::latch connected(clients), go(1);
  std::atomic<bool> stop{false};
  std::atomic<std::size_t> done{0};
  std::mutex mutex;
  std::string first_error;
  std::vector<std::vector<double>> latencies(clients);
  std::vector<std::vector<std::size_t>> answered(clients);
  std::vector<Clock::time_point> ends(clients);
  Clock::time_point t0;
  auto fail = [&](std::string e) {
    std::lock_guard lock(mutex);
    if (first_error.empty()) first_error = std::move(e);
    stop = true;
  };
  auto client = [&](unsigned j) {
    std::optional<cli::HttpClient> http;
    {
      cli::HttpOptions options;
      options.client_key = who.key.string();
      options.client_cert = who.cert.string();
      options.server_ca = server_ca;
      options.response_timeout = std::chrono::milliseconds(static_cast<long>(1000 * std::max(60.0, time_limit)));
      auto parsed = cli::parse_url(url);
      auto created =
          parsed ? cli::HttpClient::create(*parsed, options) : Result<cli::HttpClient>(std::unexpected(parsed.error()));
      if (!created) {
        fail(created.error().line());
      } else {
        http.emplace(std::move(*created));
        auto r = http->get("/v1/health");
        if (!r)
          fail(r.error().line());
        else if (r->status != 200)
          fail(fmt::format("GET /v1/health: HTTP {}: {}", r->status, r->body.substr(0, 300)));
      }
    }
    connected.count_down();
    go.wait();
    for (std::size_t i = j; i < count && !stop; i += clients) {
      if (seconds_since(t0) > time_limit) {
        stop = true;
        std::lock_guard lock(mutex);
        run.timed_out = true;
        break;
      }
      Call c = call_for(i);
      if (pace > 0)
        std::this_thread::sleep_until(t0 + std::chrono::duration_cast<Clock::duration>(
                                               std::chrono::duration<double>(static_cast<double>(i) / pace)));
      const auto start = Clock::now();
      cli::HttpHeaders headers;
      if (!c.body.empty()) headers.emplace_back("Content-Type", "application/octet-stream");
      auto r = http->request(c.method, c.path, headers, std::move(c.body));
      latencies[j].push_back(seconds_since(start));
      if (!r) return fail(r.error().line());
      if (r->status != c.status || (!c.must_contain.empty() && r->body.find(c.must_contain) == std::string::npos))
        return fail(fmt::format("{} {}: HTTP {} (expected {}{}): {}", c.method, c.path, r->status, c.status,
                                c.must_contain.empty() ? "" : " naming " + c.must_contain, r->body.substr(0, 300)));
      ++done;
      answered[j].push_back(i);
      ends[j] = Clock::now();
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(clients);
  for (unsigned j = 0; j < clients; ++j) threads.emplace_back(client, j);
  connected.wait();
  const double cpu0 = cpu_seconds_of(server);
  t0 = Clock::now();
  for (auto& e : ends) e = t0;
  go.count_down();
  for (auto& t : threads) t.join();
  if (!first_error.empty()) throw Failure(first_error);
  run.seconds = std::chrono::duration<double>(*std::max_element(ends.begin(), ends.end()) - t0).count();
  run.server_cpu_s = cpu_seconds_of(server) - cpu0;
  run.done = done;
  for (auto& l : latencies) run.latency_s.insert(run.latency_s.end(), l.begin(), l.end());
  for (auto& a : answered) run.answered.insert(run.answered.end(), a.begin(), a.end());
  std::sort(run.answered.begin(), run.answered.end());
  return run;
}

// ---- the PostgreSQL peer ------------------------------------------------------------------------------------

// Session j's script: wait at the barrier (advisory lock 1, held by the benchmark until every session waits), note
// the server's clock, insert its rows one autocommitted INSERT each with psql's \timing on, and print
// "START END" (the server's clock, epoch seconds) last.
void write_client_script(const fs::path& path, const std::vector<Bytes>& entries, unsigned j, unsigned clients) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << "SELECT pg_advisory_lock_shared(1);\nSELECT pg_advisory_unlock_shared(1);\n"
         "SELECT extract(epoch FROM clock_timestamp()) AS t0 \\gset\n\\timing on\n";
  for (std::size_t i = j; i < entries.size(); i += clients)
    out << "INSERT INTO chain (entry) VALUES ('\\x" << to_hex(entries[i]) << "');\n";
  out << "\\timing off\nSELECT :'t0' || ' ' || extract(epoch FROM clock_timestamp());\n";
  if (!out.flush()) throw Failure("cannot write " + path.string());
}

// What one session printed: the latency of each INSERT ("Time: 1.234 ms"), and its first and last clock readings.
struct SessionOutput {
  std::vector<double> latency_s;
  double start = 0, end = 0;
};

SessionOutput parse_session(const CommandResult& r) {
  SessionOutput s;
  std::istringstream in(r.output);
  std::string last;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("Time: "))
      s.latency_s.push_back(std::stod(line.substr(6)) / 1e3);
    else if (!line.empty())
      last = line;
  }
  std::istringstream clock(last);
  if (!(clock >> s.start >> s.end))
    throw Failure("psql did not print its clock readings; its output ends with: " + last);
  return s;
}

// The rows of `entries` inserted by `clients` psql sessions at once, one transaction per row.
Run run_postgres(PgCluster& pg, const fs::path& dir, const std::vector<Bytes>& entries, unsigned clients,
                 double time_limit) {
  std::vector<fs::path> scripts;
  for (unsigned j = 0; j < clients; ++j) {
    scripts.push_back(dir / fmt::format("client-{}.sql", j));
    write_client_script(scripts.back(), entries, j, clients);
  }
  auto wait_until = [&](const std::string& sql, const std::string& expected, const std::string& what) {
    const auto t0 = Clock::now();
    std::string got;
    while ((got = pg.query(sql)) != expected) {
      if (seconds_since(t0) > 60) throw Failure("PostgreSQL: " + what + " within 60 s (" + got + ")");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  };
  const std::string barrier = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 1 AND ";
  // The barrier's holder: a psql session reading its statements from our pipe.
  FILE* holder = popen((pg.psql_command("") + " >/dev/null 2>&1").c_str(), "w");
  if (holder == nullptr) throw Failure("cannot start psql");
  auto close_holder = [&] {
    if (holder) pclose(holder), holder = nullptr;
  };
  std::vector<CommandResult> results(clients);
  std::vector<std::thread> threads;
  try {
    fmt::print(holder, "SELECT pg_advisory_lock(1);\n");
    std::fflush(holder);
    wait_until(barrier + "granted", "1", "the barrier was not taken");
    for (unsigned j = 0; j < clients; ++j)
      threads.emplace_back([&, j] {
        results[j] = run_command(fmt::format("timeout -s KILL {:.0f} ", time_limit + 60) +
                                 pg.psql_command("-f " + shell_quote(scripts[j].string())));
      });
    wait_until(barrier + "NOT granted", std::to_string(clients), "the sessions did not all reach the barrier");
    fmt::print(holder, "SELECT pg_advisory_unlock(1);\n");
    close_holder();
  } catch (...) {
    close_holder();
    for (auto& t : threads) t.join();
    throw;
  }
  for (auto& t : threads) t.join();
  Run run;
  run.clients = clients;
  run.planned = entries.size();
  double start = INFINITY, end = -INFINITY;
  for (unsigned j = 0; j < clients; ++j) {
    if (results[j].status != 0)
      throw Failure(fmt::format("psql session {} failed (status {}):\n{}", j, results[j].status,
                                results[j].output.substr(0, 2000)));
    SessionOutput s = parse_session(results[j]);
    start = std::min(start, s.start);
    end = std::max(end, s.end);
    run.done += s.latency_s.size();
    run.latency_s.insert(run.latency_s.end(), s.latency_s.begin(), s.latency_s.end());
  }
  if (run.done != entries.size())
    throw Failure(fmt::format("psql timed {} INSERTs, expected {}", run.done, entries.size()));
  run.seconds = end - start;
  return run;
}

// ---- the benchmark ------------------------------------------------------------------------------------------

struct Options {
  std::vector<unsigned> clients = {1, 8, 64};
  std::size_t acts = 3200;  // per number of clients
  unsigned read_clients = 64;
  std::size_t reads = 6400;
  double read_pace = 1000;  // reads per second of the paced read phase
  std::string algorithm = "rsa2048";
  std::string antq;
  std::string pg_bin = "/usr/lib/postgresql/15/bin";
  unsigned server_threads = 0;
  double time_limit = 300;
  bool no_postgres = false;
  bool smoke = false;
  bool json = false;
};

// The decisions' date, and the date the reads ask the state at.
constexpr const char* kAsOf = "2023-06-30";

fs::path default_antq() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw Failure("cannot find this program's directory (/proc/self/exe): give --antq");
  return self.parent_path() / "antq";
}

std::string ms(double seconds) { return fmt::format("{:.2f} ms", 1e3 * seconds); }

int run(const Options& o) {
  Report report("serve_bench: antq serve over mutual TLS on loopback, against PostgreSQL 15 with a hash-chain trigger",
                o.json);
  TempDir work("antq-serve-bench");
  const fs::path antq = o.antq.empty() ? default_antq() : fs::path(o.antq);
  if (access(antq.c_str(), X_OK) != 0)
    throw Failure("no antq program at " + antq.string() + ": build it, or give --antq");

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
  if (use_pg && *std::max_element(o.clients.begin(), o.clients.end()) > 90)
    throw Failure("--clients above 90: PostgreSQL's default max_connections (100) would refuse sessions; "
                  "add --no-postgres");

  // The PKI, the ledger, the grant.
  progress("PKI ({}) and ledger", o.algorithm);
  BenchPki pki(work / "pki", o.algorithm);
  auto [cast, bench] = create_ledger(work / "ledger", pki);
  const Signer inspector = pki.issue("inspector");
  const Signer server = pki.issue("server", {"IP:127.0.0.1"});
  {
    LoadedSigner admin(cast.admin);
    // clang-format off
    const json grant = {{"act", "access.granted"}, {"subject", "ledger"}, {"date", "2023-01-02"},
                        {"document", {{"number", "1/QĐ-TT"}, {"title", "Cấp quyền tra cứu"}, {"issuer", "Thanh tra tỉnh"}}},
                        {"data", {{"certificate", to_hex(inspector.fingerprint)}, {"role", "inspector"},
                                  {"whole_ledger", true}, {"from", "2023-01-01"}}}};
    // clang-format on
    bench.append({sign_act(grant, admin)});
  }
  const std::uint64_t initial = bench.ledger->size();
  bench.admission.reset();
  bench.ledger.reset();  // closed: antq serve opens it

  // The decisions (not timed): acts 0..acts-1 for the first number of clients, and so on; one subject each.
  const std::size_t total = o.acts * o.clients.size();
  progress("signing {} decisions (person and organisation, {}{}) on {} threads", total, o.algorithm,
           o.algorithm.starts_with("rsa") ? " PSS" : "", cores());
  auto t0 = Clock::now();
  const auto events = sign_parallel(
      total,
      [](std::size_t i) {
        return Planned{decision_act(i), true};
      },
      cast.person, &cast.organisation);
  progress("  signed in {:.1f} s", seconds_since(t0));
  std::vector<Bytes> entries;  // the request bodies, and the bytes PostgreSQL stores
  entries.reserve(total);
  std::size_t entry_bytes = 0;
  for (const auto& e : events) entries.push_back(ledger::encode_submission(e)), entry_bytes += entries.back().size();

  // The peer's scripts are always written (a smoke run checks that they can be), and run only with a cluster.
  std::vector<std::vector<Bytes>> shares;
  for (std::size_t k = 0; k < o.clients.size(); ++k) {
    shares.emplace_back(entries.begin() + static_cast<std::ptrdiff_t>(k * o.acts),
                        entries.begin() + static_cast<std::ptrdiff_t>((k + 1) * o.acts));
    fs::create_directories(work / fmt::format("sql-{}", o.clients[k]));
    if (!use_pg)
      for (unsigned j = 0; j < o.clients[k]; ++j)
        write_client_script(work / fmt::format("sql-{}", o.clients[k]) / fmt::format("client-{}.sql", j), shares[k], j,
                            o.clients[k]);
  }
  std::optional<PgCluster> pg;
  std::string pg_version;
  if (use_pg) {
    progress("PostgreSQL: initdb and start in a temporary directory");
    pg.emplace(o.pg_bin);
    pg->start();
    pg_version = pg->query("SHOW server_version");
    pg_version = pg_version.substr(0, pg_version.find(' '));
    const std::string durable =
        pg->query("SELECT current_setting('fsync') || ' ' || current_setting('synchronous_commit')");
    if (durable != "on on")
      throw Failure("PostgreSQL is not durable here (fsync, synchronous_commit = " + durable + ")");
    write_file(work / "schema.sql", kConcurrentSchema);
    pg->psql_file(work / "schema.sql");
  }

  // The server. Its per-client limits are lifted: every submitting client here holds the same certificate.
  const std::string rate = std::to_string(std::max<std::size_t>(100000, 10 * total));
  std::vector<std::string> args = {"serve",
                                   (work / "ledger").string(),
                                   "--listen",
                                   "127.0.0.1:0",
                                   "--cert",
                                   server.cert_file.string(),
                                   "--key",
                                   server.key_file.string(),
                                   "--operator-key",
                                   operator_key_file(pki.dir()).string(),
                                   "--client-rate",
                                   rate,
                                   "--client-burst",
                                   rate,
                                   "--max-client-connections",
                                   "1024"};
  if (o.server_threads) args.insert(args.end(), {"--threads", std::to_string(o.server_threads)});
  progress("starting {} serve", antq.string());
  ServerProcess serve(antq, args, work / "serve.log");
  const int port = serve.wait_for_port(60);
  const std::string url = fmt::format("https://127.0.0.1:{}", port);
  const std::string roots = pki.roots_pem().string();
  const Identity clerk{cast.person.key_file, cast.person.cert_file};
  const Identity reader{inspector.key_file, inspector.cert_file};
  progress("  listening on {}", url);

  // Submissions, then the peer right after (adjacent runs see the same conditions of the shared machine).
  struct Config {
    Run ours;
    std::optional<Run> peer;
  };
  std::vector<Config> configs;
  for (std::size_t k = 0; k < o.clients.size(); ++k) {
    const unsigned n = o.clients[k];
    progress("antq serve: {} acts by {} client{}", o.acts, n, n == 1 ? "" : "s");
    const auto& share = shares[k];
    Config c;
    c.ours = run_clients(
        url, roots, clerk, n, share.size(),
        [&](std::size_t i) {
          return Call{"POST", "/v1/acts", std::string(share[i].begin(), share[i].end()), 201, "\"seqs\""};
        },
        o.time_limit, serve.pid());
    if (pg) {
      progress("PostgreSQL {}: {} rows by {} session{}", pg_version, o.acts, n, n == 1 ? "" : "s");
      c.peer = run_postgres(*pg, work / fmt::format("sql-{}", n), share, n, o.time_limit);
    }
    configs.push_back(std::move(c));
  }
  std::vector<std::size_t> admitted;  // the decisions admitted (their subjects exist): index into `events`
  for (std::size_t k = 0; k < configs.size(); ++k)
    for (std::size_t i : configs[k].ours.answered) admitted.push_back(k * o.acts + i);

  if (admitted.empty()) throw Failure("no act was admitted within --time-limit: nothing to read");
  // Reads, as the inspector, of subjects admitted above (round robin), as of a date; then the bare round trip.
  const unsigned rc = o.read_clients;
  progress("antq serve: {} reads (GET /v1/show as of {}) by {} clients", o.reads, kAsOf, rc);
  auto show = [&](std::size_t i) {
    const std::string subject = fmt::format("M-{}", admitted[i % admitted.size()]);
    return Call{"GET", fmt::format("/v1/show?subject={}&as_of={}", subject, kAsOf), "", 200,
                "\"subject\":\"" + subject + "\""};
  };
  const Run reads = run_clients(url, roots, reader, rc, o.reads, show, o.time_limit, serve.pid());
  progress("antq serve: {} reads by {} clients again, paced at {}/s in all", o.reads, rc, grouped(o.read_pace));
  const Run paced = run_clients(url, roots, reader, rc, o.reads, show, o.time_limit, serve.pid(), o.read_pace);
  progress("antq serve: {} GET /v1/health by {} clients", o.reads, rc);
  const Run health = run_clients(
      url, roots, reader, rc, o.reads,
      [](std::size_t) {
        return Call{"GET", "/v1/health", "", 200, "\"ok\""};
      },
      o.time_limit, serve.pid());

  // Everything acknowledged is in the ledger; the server drains and exits 0.
  {
    auto parsed = unwrap(cli::parse_url(url), "url");
    cli::HttpOptions options;
    options.client_key = reader.key.string();
    options.client_cert = reader.cert.string();
    options.server_ca = roots;
    auto http = unwrap(cli::HttpClient::create(parsed, options), "client");
    auto r = unwrap(http.get("/v1/health"), "GET /v1/health");
    const std::string expected = fmt::format("\"entries\":{}", initial + admitted.size());
    if (r.status != 200 || r.body.find(expected) == std::string::npos)
      throw Failure(
          fmt::format("after {} acknowledged acts the server says {}; expected {}", admitted.size(), r.body, expected));
  }
  const std::string log = serve.log_text();
  if (const int status = serve.stop(60); status != 0)
    throw Failure(fmt::format("antq serve exited {} after SIGTERM:\n{}", status, serve.log_tail()));
  if (pg) {
    // The chain must be whole and hold exactly our bytes (in the order the sessions' commits took).
    const std::string check = pg->query(kCheckChain);
    const std::size_t rows = total;
    if (check.substr(0, check.rfind(' ')) != fmt::format("{} 0", rows))
      throw Failure(fmt::format("PostgreSQL's hash chain is not whole: got \"{}\", expected {} rows, 0 broken links",
                                check, rows));
    if (const std::string d = pg->query(kEntriesDigest); d != entries_digest(entries))
      throw Failure("PostgreSQL's chain does not hold the entries it was given");
    progress("PostgreSQL: chain of {} rows checked; stopping the cluster", rows);
    pg.reset();
  }

  // ---- the report ----
  report.config() = {
      {"clients", fmt::format("{}", fmt::join(o.clients, ", "))},
      {"acts per number of clients", o.acts},
      {"decisions", o.algorithm + (o.algorithm.starts_with("rsa") ? " PSS" : "") +
                        ", two signatures (person and organisation), one act per request"},
      {"reads", fmt::format("{} by {} clients, GET /v1/show?subject=..&as_of={}: unpaced, then paced at {}/s", o.reads,
                            rc, kAsOf, grouped(o.read_pace))},
      {"server", fmt::format("{} serve on {}: TLS with client certificates ({}), keep-alive connections", antq.string(),
                             url, o.algorithm)},
      {"server threads", o.server_threads ? std::to_string(o.server_threads) : "antq's default"},
      {"cores", cores()},
      {"postgresql", use_pg ? o.pg_bin + " on 127.0.0.1, fsync and synchronous_commit at defaults (on)" : pg_status},
      {"smoke", o.smoke}};

  Table subs("Single-act submissions (wall clock; latency per request, at the client)",
             {"clients", "acts", "serve events/s", "serve p50", "serve p99", "server CPU/act", "PostgreSQL events/s",
              "PostgreSQL p50", "PostgreSQL p99", "serve ÷ PostgreSQL"});
  ojson measured = ojson::array();
  for (auto& c : configs) {
    const Summary ours = summarize(c.ours.latency_s);
    std::optional<Summary> peer;
    if (c.peer) peer = summarize(c.peer->latency_s);
    const double ratio = c.peer ? c.ours.rate() / c.peer->rate() : NAN;
    const double cpu_per_act = c.ours.server_cpu_s / static_cast<double>(c.ours.done);
    subs.row({std::to_string(c.ours.clients), grouped(static_cast<double>(c.ours.done)), grouped(c.ours.rate()),
              ms(ours.p50), ms(ours.p99), ms(cpu_per_act), c.peer ? grouped(c.peer->rate()) : "-",
              peer ? ms(peer->p50) : "-", peer ? ms(peer->p99) : "-", c.peer ? fmt::format("{:.2f}×", ratio) : "-"});
    const bool target = c.ours.clients == 64 && !o.smoke;
    report.figure({.name = fmt::format("submissions, {} client{}", c.ours.clients, c.ours.clients == 1 ? "" : "s"),
                   .value = c.ours.rate(),
                   .unit = "events/s",
                   .peer = c.peer ? "PostgreSQL " + pg_version + ", as many sessions" : "no peer run",
                   .peer_value = c.peer ? c.peer->rate() : NAN,
                   .ratio = ratio,
                   .ratio_meaning = "PostgreSQL's rate",
                   .target = c.ours.clients == 64 ? "≥ 5× PostgreSQL's rate" : "",
                   .met = target && c.peer ? std::optional<bool>(ratio >= 5) : std::nullopt,
                   .ratio_as_multiple = true});
    if (c.ours.clients == 64)
      report.figure({.name = "submission p99, 64 clients",
                     .value = 1e3 * ours.p99,
                     .unit = "ms",
                     .peer = peer ? "PostgreSQL INSERT p99, 64 sessions" : "no peer run",
                     .peer_value = peer ? 1e3 * peer->p99 : NAN,
                     .ratio = peer ? ours.p99 / peer->p99 : NAN,
                     .ratio_meaning = "PostgreSQL's",
                     .target = "< 50 ms",
                     .met = target ? std::optional<bool>(ours.p99 < 0.050) : std::nullopt,
                     .ratio_as_multiple = true});
    ojson m = {{"clients", c.ours.clients},
               {"acts", c.ours.done},
               {"planned", c.ours.planned},
               {"seconds", c.ours.seconds},
               {"events_per_s", c.ours.rate()},
               {"latency_seconds", to_json(ours)},
               {"server_cpu_seconds", c.ours.server_cpu_s},
               {"stopped_by_time_limit", c.ours.timed_out}};
    if (c.peer)
      m["postgresql"] = {{"seconds", c.peer->seconds},
                         {"events_per_s", c.peer->rate()},
                         {"latency_seconds", to_json(*peer)},
                         {"ratio", ratio}};
    measured.push_back(std::move(m));
  }
  report.table(std::move(subs));

  Run reads_copy = reads, paced_copy = paced, health_copy = health;
  const Summary r = summarize(reads_copy.latency_s), rp = summarize(paced_copy.latency_s),
                h = summarize(health_copy.latency_s);
  Table rt(fmt::format("Reads as the inspector by {} clients (latency per request, at the client)", rc),
           {"request", "requests", "requests/s", "p50", "p99", "server CPU/request"});
  rt.row({fmt::format("GET /v1/show?subject=..&as_of={}", kAsOf), grouped(static_cast<double>(reads.done)),
          grouped(reads.rate()), ms(r.p50), ms(r.p99), ms(reads.server_cpu_s / static_cast<double>(reads.done))});
  rt.row({fmt::format("the same, paced at {} reads/s in all", grouped(o.read_pace)),
          grouped(static_cast<double>(paced.done)), grouped(paced.rate()), ms(rp.p50), ms(rp.p99),
          ms(paced.server_cpu_s / static_cast<double>(paced.done))});
  rt.row({"GET /v1/health", grouped(static_cast<double>(health.done)), grouped(health.rate()), ms(h.p50), ms(h.p99),
          ms(health.server_cpu_s / static_cast<double>(health.done))});
  report.table(std::move(rt));
  report.figure({.name = fmt::format("subject read p50, {} clients", rc),
                 .value = 1e3 * r.p50,
                 .unit = "ms",
                 .peer = "GET /v1/health p50 (TLS and HTTP alone)",
                 .peer_value = 1e3 * h.p50,
                 .ratio = r.p50 / h.p50,
                 .ratio_meaning = "the bare round trip",
                 .target = rc == 64 ? "< 1 ms" : "",
                 .met = rc == 64 && !o.smoke ? std::optional<bool>(r.p50 < 0.001) : std::nullopt,
                 .ratio_as_multiple = true});
  report.figure({.name = fmt::format("subject read p50, {} clients paced at {} reads/s", rc, grouped(o.read_pace)),
                 .value = 1e3 * rp.p50,
                 .unit = "ms",
                 .peer = "GET /v1/health p50, unpaced",
                 .peer_value = 1e3 * h.p50,
                 .ratio = rp.p50 / h.p50,
                 .ratio_meaning = "the bare round trip",
                 .ratio_as_multiple = true});
  report.figure({.name = fmt::format("subject read p99, {} clients", rc),
                 .value = 1e3 * r.p99,
                 .unit = "ms",
                 .peer = "GET /v1/health p99",
                 .peer_value = 1e3 * h.p99,
                 .ratio = r.p99 / h.p99,
                 .ratio_meaning = "the bare round trip",
                 .ratio_as_multiple = true});
  report.extra() = {{"submissions", measured},
                    {"reads",
                     {{"clients", rc},
                      {"requests", reads.done},
                      {"seconds", reads.seconds},
                      {"per_s", reads.rate()},
                      {"latency_seconds", to_json(r)},
                      {"server_cpu_seconds", reads.server_cpu_s}}},
                    {"reads_paced",
                     {{"clients", rc},
                      {"pace_per_s", o.read_pace},
                      {"requests", paced.done},
                      {"seconds", paced.seconds},
                      {"per_s", paced.rate()},
                      {"latency_seconds", to_json(rp)},
                      {"server_cpu_seconds", paced.server_cpu_s}}},
                    {"health",
                     {{"clients", rc},
                      {"requests", health.done},
                      {"seconds", health.seconds},
                      {"per_s", health.rate()},
                      {"latency_seconds", to_json(h)},
                      {"server_cpu_seconds", health.server_cpu_s}}}};

  std::size_t log_lines = 0;
  for (char ch : log) log_lines += ch == '\n';
  report.note(fmt::format(
      "entries: {} bytes on average (the signed event `antq sign` writes: act body and two CMS signatures with "
      "their certificates); each is one request's body, and PostgreSQL stores these same bytes.",
      grouped(static_cast<double>(entry_bytes) / static_cast<double>(total))));
  report.note(
      "antq serve: each act's signatures and certificate chains are checked, the admission rules applied, and acts "
      "arriving together committed together (one LMDB transaction, one fsync, one signed checkpoint); each client "
      "is answered, with its inclusion proof, after the commit holding its act is durable. Reads are entered in the "
      "access history before they are answered.");
  report.note(
      "PostgreSQL: the chain's trigger takes an advisory lock held until the commit (two sessions linking to the same "
      "row would fork the chain), so the sessions' commits are serialised; PostgreSQL only stores the bytes and "
      "hashes them into its chain. Its latency is psql's \\timing of each INSERT; its rate, the rows over the span of "
      "the server's clock from the first session's start to the last one's end, the sessions released together.");
  report.note(fmt::format(
      "clients, server (and PostgreSQL) share the machine's {} cores; client threads, TLS on both ends, and the "
      "server's request log ({} lines) are in every figure.",
      cores(), log_lines));
  for (const auto& c : configs)
    if (c.ours.timed_out)
      report.note(fmt::format("{} clients: stopped by --time-limit after {} of {} acts", c.ours.clients, c.ours.done,
                              c.ours.planned));
  if (!use_pg) report.note("PostgreSQL " + pg_status);
  if (o.smoke) report.note("smoke run: tiny sizes; figures are not meaningful and targets are not judged");
  report.print();
  return 0;
}

}  // namespace
}  // namespace antq::bench

int main(int argc, char** argv) {
  using namespace antq::bench;
  Options o;
  CLI::App app{
      "Times antq serve on loopback: single-act submissions (RSA-2048 PSS decisions, two signatures) over mutual "
      "TLS keep-alive connections by 1, 8 and 64 concurrent clients, against PostgreSQL 15 inserting the same bytes "
      "into a hash chain by as many sessions, one transaction per row, in the same run; and subject reads as of a "
      "date by 64 clients."};
  app.add_option("--clients", o.clients, "numbers of concurrent submitting clients")
      ->delimiter(',')
      ->check(CLI::Range(1, 512));
  app.add_option("--acts", o.acts, "acts submitted for each number of clients")->check(CLI::Range(1, 1000000));
  app.add_option("--read-clients", o.read_clients, "concurrent reading clients")->check(CLI::Range(1, 512));
  app.add_option("--reads", o.reads,
                 "subject reads (twice: as fast as the clients can, then paced; and as many GET "
                 "/v1/health)")
      ->check(CLI::Range(1, 10000000));
  app.add_option("--read-pace", o.read_pace, "reads per second, all clients together, of the paced read phase")
      ->check(CLI::Range(1.0, 1e6));
  app.add_option("--algorithm", o.algorithm,
                 "key algorithm of the PKI (rsa2048, p256, p384, ed25519); RSA signs with PSS");
  app.add_option("--antq", o.antq, "the antq program to serve with (default: antq next to this program)");
  app.add_option("--server-threads", o.server_threads, "antq serve --threads (default: antq's)");
  app.add_option("--time-limit", o.time_limit, "seconds a phase may take; no request starts after")
      ->check(CLI::Range(1.0, 86400.0));
  app.add_option("--pg-bin", o.pg_bin, "directory of initdb, pg_ctl and psql");
  app.add_flag("--no-postgres", o.no_postgres, "do not run the PostgreSQL peer");
  app.add_flag(
      "--smoke", o.smoke,
      "tiny sizes (1 and 4 clients, 8 acts each, 16 reads by 4 clients, paced at 200/s), no PostgreSQL: a quick check");
  app.add_flag("--json", o.json, "print one JSON document instead of tables");
  CLI11_PARSE(app, argc, argv);
  if (o.smoke) {
    if (!app.count("--clients")) o.clients = {1, 4};
    if (!app.count("--acts")) o.acts = 8;
    if (!app.count("--read-clients")) o.read_clients = 4;
    if (!app.count("--reads")) o.reads = 16;
    if (!app.count("--time-limit")) o.time_limit = 30;
    if (!app.count("--read-pace")) o.read_pace = 200;
  }
  return run_main("serve_bench", [&] { return run(o); });
}
