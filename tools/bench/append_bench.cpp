// append_bench: durable appends through Ledger::append, against PostgreSQL 15 keeping the same bytes in a hash chain.
//
// Events are signed first (RSA-2048 person signature each; not timed). Then, timed: appends in batches of 1 (each one
// fsync'ed LMDB transaction) and in batches of 1,000. The peer, in the same run: a throwaway PostgreSQL 15 cluster on
// 127.0.0.1 (fsync and synchronous_commit at their durable defaults) whose table keeps a SHA-256 hash chain computed by
// a BEFORE INSERT trigger (pgcrypto), fed the same entry bytes (the encoded submissions) by psql, one transaction per
// event, then one per 1,000 rows. The cluster is stopped and removed at the end, also on failure or SIGINT/SIGTERM.
#include <fcntl.h>

#include <CLI/CLI.hpp>

#include "tools/bench/bench_support.hpp"
#include "tools/bench/postgres.hpp"

namespace antq::bench {
namespace {

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
