// proof_bench: inclusion and consistency proof latency from the stored Merkle nodes of a large ledger.
//
// Builds (or reuses, with --ledger DIR) a ledger of N entries (default 1,000,000) from pre-signed single-signature
// events appended in batches of 1,000, signing in parallel across cores and printing the append rate as it goes.
// Then, on one thread, from random positions: Ledger::inclusion_proof(seq, size) and Ledger::consistency_proof(first,
// size) at the full size, each proof checked against Ledger::root with verify_inclusion / verify_consistency.
//
// The peer: Ledger::entry_bytes of as many random entries. Serving a proof needs at least one read transaction and
// B-tree lookups in LMDB, as reading one entry does; a proof makes about log2(size) lookups in `nodes`, an entry
// read makes one in `entries` plus a copy. So the ratio says how many entry reads one proof costs. The client's
// side (SHA-256 along the path: verify_inclusion) is measured too and shown beside it.
#include <random>

#include <CLI/CLI.hpp>

#include "ledger/merkle.hpp"
#include "tools/bench/bench_support.hpp"

namespace antq::bench {
namespace {

struct Options {
  std::uint64_t entries = 1000000;
  std::size_t proofs = 100000;
  std::size_t batch = 1000;
  std::size_t chunk = 20000;
  std::string algorithm = "p256";
  std::string ledger_dir;
  std::uint64_t seed = 20230315;
  bool smoke = false;
  bool json = false;
};

struct Build {
  bool reused = false;
  std::uint64_t before = 0, after = 0;  // ledger size
  double sign_s = 0, append_s = 0, wall_s = 0;
  std::uint64_t appended = 0;
};

// Brings the ledger in `root`/ledger to `target` entries (2 bindings + events), creating it with its PKI in
// `root`/pki when missing. Events are signed `chunk` at a time on all cores, then appended in batches of `batch`.
Build build_ledger(const fs::path& root, const Options& o, std::unique_ptr<BenchLedger>& out) {
  Build b;
  const fs::path dir = root / "ledger", pki = root / "pki";
  if (fs::exists(dir / "data.mdb")) {
    out = std::make_unique<BenchLedger>(BenchLedger::open(dir, pki));
    b.reused = true;
  } else {
    fs::create_directories(root);
    out = std::make_unique<BenchLedger>(create_ledger(dir, pki, o.algorithm).second);
  }
  b.before = out->ledger->size();
  if (b.before < 2) throw Failure(dir.string() + " is not a proof_bench ledger (fewer than 2 entries)");
  if (b.before >= o.entries) {
    b.after = b.before;
    return b;
  }
  const Cast cast = load_cast(pki);
  const auto t_build = Clock::now();
  progress("building {}: {} -> {} entries ({} person signatures, batches of {}, signing on {} threads)", dir.string(),
           grouped(static_cast<double>(b.before)), grouped(static_cast<double>(o.entries)), o.algorithm, o.batch,
           cores());
  for (std::uint64_t size = b.before; size < o.entries;) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(o.chunk, o.entries - size));
    const std::uint64_t first_subject = size - 2;  // event i of the ledger is about M-i: unique, also when resuming
    auto t0 = Clock::now();
    auto plan = [&](std::size_t i) { return Planned{proposed_act(first_subject + i), false}; };
    auto events = sign_parallel(n, plan, cast.person, nullptr);
    const double sign_s = seconds_since(t0);
    const double append_s = append_in_batches(*out, events, o.batch);
    b.sign_s += sign_s;
    b.append_s += append_s;
    b.appended += n;
    size += n;
    const double elapsed = seconds_since(t_build);
    progress(
        "  {:>9} / {} entries  append {:>6} events/s (this chunk {:>6})  sign {:>6} events/s  {:.0f} s, ETA {:.0f} s",
        grouped(static_cast<double>(size)), grouped(static_cast<double>(o.entries)),
        grouped(static_cast<double>(b.appended) / b.append_s), grouped(static_cast<double>(n) / append_s),
        grouped(static_cast<double>(n) / sign_s), elapsed,
        elapsed / static_cast<double>(b.appended) * static_cast<double>(o.entries - size));
  }
  b.wall_s = seconds_since(t_build);
  b.after = out->ledger->size();
  if (b.after != o.entries) throw Failure(fmt::format("the ledger holds {} entries, expected {}", b.after, o.entries));
  return b;
}

double micros(Clock::time_point t0, Clock::time_point t1) {
  return std::chrono::duration<double, std::micro>(t1 - t0).count();
}

struct Timed {
  std::string name;
  std::vector<double> us;      // latency of each call
  std::vector<double> hashes;  // proof length, for proofs
  Summary latency() const {
    auto v = us;
    return summarize(v);
  }
  Summary size() const {
    auto v = hashes;
    return summarize(v);
  }
};

int run(const Options& o) {
  Report report("proof_bench: Merkle proofs from the stored nodes against random LMDB entry reads", o.json);
  std::optional<TempDir> tmp;
  fs::path root;
  if (o.ledger_dir.empty()) {
    tmp.emplace("antq-proof-bench");
    root = tmp->path();
  } else {
    root = o.ledger_dir;
  }
  std::unique_ptr<BenchLedger> bench;
  const Build build = build_ledger(root, o, bench);
  const ledger::Ledger& L = *bench->ledger;
  const std::uint64_t n = L.size();
  if (n < 2) throw Failure("the ledger is too small for proofs");

  report.config() = {
      {"ledger", (root / "ledger").string() + (o.ledger_dir.empty() ? " (temporary)" : " (kept)")},
      {"entries (tree size)", n},
      {"proofs per kind", o.proofs},
      {"threads", "1 (proofs, reads and checks); building: all cores"},
      {"positions", fmt::format("uniform random, seed {}; inclusion at size {}, consistency from a random "
                                "first size to {}",
                                o.seed, n, n)},
      {"warm-up", "each operation first runs untimed on a different random sample of the same size"},
      {"smoke", o.smoke}};

  std::mt19937_64 rng(o.seed);
  std::uniform_int_distribution<std::uint64_t> any_seq(0, n - 1), any_first(1, n - 1);
  auto sample = [&](auto& dist) {
    std::vector<std::uint64_t> v(o.proofs);
    for (auto& x : v) x = dist(rng);
    return v;
  };

  const Digest root_n = L.root(n);
  Timed entry{"entry_bytes read (peer)", {}, {}}, incl{"inclusion_proof", {}, {}},
      incl_check{"verify_inclusion", {}, {}}, cons{"consistency_proof", {}, {}},
      cons_check{"verify_consistency", {}, {}};
  std::size_t incl_failures = 0, cons_failures = 0;
  std::uint64_t sink = 0;  // keeps the reads from being optimised away

  // What one latency sample costs by itself (two clock reads): included in every figure below.
  Timed clock{"(clock reads alone)", {}, {}};
  for (std::size_t k = 0; k < o.proofs; ++k) {
    const auto t0 = Clock::now();
    clock.us.push_back(micros(t0, Clock::now()));
  }

  // The peer: one random entry read each (read transaction, one B-tree lookup, copy out).
  progress("timing {} random entry reads", o.proofs);
  for (std::uint64_t s : sample(any_seq)) sink += L.entry_bytes(s)->size();  // warm-up
  for (std::uint64_t s : sample(any_seq)) {
    const auto t0 = Clock::now();
    auto bytes = L.entry_bytes(s);
    const auto t1 = Clock::now();
    if (!bytes) throw Failure(fmt::format("entry {} is missing", s));
    sink += bytes->size();
    entry.us.push_back(micros(t0, t1));
  }

  progress("timing {} inclusion proofs", o.proofs);
  for (std::uint64_t s : sample(any_seq)) sink += L.inclusion_proof(s, n).size();
  for (std::uint64_t s : sample(any_seq)) {
    const auto t0 = Clock::now();
    const auto proof = L.inclusion_proof(s, n);
    const auto t1 = Clock::now();
    incl.us.push_back(micros(t0, t1));
    incl.hashes.push_back(static_cast<double>(proof.size()));
    const Digest leaf = ledger::leaf_hash(*L.entry_bytes(s));  // not timed: the client has the entry
    const auto t2 = Clock::now();
    const bool ok = ledger::verify_inclusion(s, n, leaf, proof, root_n);
    incl_check.us.push_back(micros(t2, Clock::now()));
    incl_failures += !ok;
  }

  progress("timing {} consistency proofs", o.proofs);
  for (std::uint64_t f : sample(any_first)) sink += L.consistency_proof(f, n).size();
  for (std::uint64_t f : sample(any_first)) {
    const auto t0 = Clock::now();
    const auto proof = L.consistency_proof(f, n);
    const auto t1 = Clock::now();
    cons.us.push_back(micros(t0, t1));
    cons.hashes.push_back(static_cast<double>(proof.size()));
    const Digest root_f = L.root(f);  // not timed: the client holds the older checkpoint
    const auto t2 = Clock::now();
    const bool ok = ledger::verify_consistency(f, n, root_f, root_n, proof);
    cons_check.us.push_back(micros(t2, Clock::now()));
    cons_failures += !ok;
  }

  Table table(fmt::format("Single-thread latency over {} random positions, tree size {} (µs)", o.proofs,
                          grouped(static_cast<double>(n))),
              {"operation", "mean", "p50", "p99", "max", "hashes mean", "hashes max", "bytes mean", "failures"});
  ojson measured = ojson::object();
  for (const Timed* t : {&entry, &incl, &incl_check, &cons, &cons_check, &clock}) {
    const Summary l = t->latency();
    const bool proof = !t->hashes.empty();
    const Summary h = t->size();
    std::string failures = "";
    if (t == &incl_check) failures = grouped(static_cast<double>(incl_failures));
    if (t == &cons_check) failures = grouped(static_cast<double>(cons_failures));
    table.row({t->name, fmt::format("{:.2f}", l.mean), fmt::format("{:.2f}", l.p50), fmt::format("{:.2f}", l.p99),
               fmt::format("{:.2f}", l.max), proof ? fmt::format("{:.2f}", h.mean) : "", proof ? grouped(h.max) : "",
               proof ? grouped(32 * h.mean) : "", failures});
    ojson m = {{"latency_us", to_json(l)}};
    if (proof) m["hashes"] = to_json(h);
    measured[t->name] = m;
  }
  measured["inclusion_failures"] = incl_failures;
  measured["consistency_failures"] = cons_failures;
  measured["bytes_read_checksum"] = sink;
  ojson b = {{"reused", build.reused}, {"size_before", build.before}, {"size_after", build.after}};
  if (build.appended > 0)
    b.update({{"appended", build.appended},
              {"sign_seconds", build.sign_s},
              {"append_seconds", build.append_s},
              {"wall_seconds", build.wall_s},
              {"append_events_per_s", static_cast<double>(build.appended) / build.append_s},
              {"sign_events_per_s", static_cast<double>(build.appended) / build.sign_s}});
  measured["build"] = b;
  report.table(std::move(table));
  report.extra() = measured;

  if (build.appended > 0)
    report.note(
        fmt::format("build: {} events appended in batches of {} at {} events/s (Ledger::append time, {:.1f} s); "
                    "signed at {} events/s on {} threads ({:.1f} s); {:.1f} s in all",
                    grouped(static_cast<double>(build.appended)), o.batch,
                    grouped(static_cast<double>(build.appended) / build.append_s), build.append_s,
                    grouped(static_cast<double>(build.appended) / build.sign_s), cores(), build.sign_s, build.wall_s));
  else
    report.note(fmt::format("build: reused {} with {} entries; nothing appended in this run",
                            (root / "ledger").string(), grouped(static_cast<double>(n))));
  report.note(
      "peer: entry_bytes opens a read transaction, makes one B-tree lookup in `entries` and copies the entry out; "
      "inclusion_proof opens one and makes about log2(size) lookups in `nodes`. The ratio is proof time over "
      "entry-read time (a physical-ish floor for anything served from LMDB).");
  report.note(
      "verify_inclusion / verify_consistency: the client's work, SHA-256 along the path; leaves and old roots "
      "are read outside the timed part.");
  report.note(
      "(clock reads alone): two steady_clock reads back to back, the cost every sample above includes (kvm-clock "
      "or TSC through the vDSO).");
  if (o.smoke) report.note("smoke run: tiny ledger; figures are not meaningful");

  const Summary e = entry.latency(), i = incl.latency(), c = cons.latency();
  report.figure({.name = "inclusion proof (mean)",
                 .value = i.mean,
                 .unit = "µs",
                 .peer = "random entry_bytes read",
                 .peer_value = e.mean,
                 .ratio = i.mean / e.mean,
                 .ratio_meaning = "the time of one entry read",
                 .target = fmt::format("< 100 µs (mean and p99; p99 = {:.2f} µs)", i.p99),
                 .met = i.mean < 100 && i.p99 < 100,
                 .ratio_as_multiple = true});
  report.figure({.name = "consistency proof (mean)",
                 .value = c.mean,
                 .unit = "µs",
                 .peer = "random entry_bytes read",
                 .peer_value = e.mean,
                 .ratio = c.mean / e.mean,
                 .ratio_meaning = "the time of one entry read",
                 .ratio_as_multiple = true});
  report.print();
  if (incl_failures + cons_failures > 0) {
    fmt::print(stderr, "proof_bench: {} inclusion and {} consistency proofs did not verify\n", incl_failures,
               cons_failures);
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace antq::bench

int main(int argc, char** argv) {
  using namespace antq::bench;
  Options o;
  CLI::App app{
      "Builds (or reuses) a ledger of 1,000,000 entries and times inclusion and consistency proofs from its "
      "stored Merkle nodes, checking every proof, against random entry reads from the same LMDB file."};
  app.add_option("--entries", o.entries, "ledger size to build (entries, the 2 bindings included)")
      ->check(CLI::Range(3, 1000000000));
  app.add_option("--proofs", o.proofs, "random proofs of each kind (and entry reads)")->check(CLI::Range(1, 100000000));
  app.add_option("--ledger", o.ledger_dir, "keep the ledger (and its PKI) in DIR, or reuse/extend the one there");
  app.add_option("--batch", o.batch, "append batch size while building")->check(CLI::Range(1, 1000000));
  app.add_option("--chunk", o.chunk, "events signed at a time while building (bounds memory)")
      ->check(CLI::Range(1, 10000000));
  app.add_option("--algorithm", o.algorithm, "signer key algorithm for a new ledger (p256, rsa2048, p384, ed25519)");
  app.add_option("--seed", o.seed, "random seed of the positions");
  app.add_flag("--smoke", o.smoke, "tiny sizes (2,000 entries, 1,000 proofs): a quick check");
  app.add_flag("--json", o.json, "print one JSON document instead of tables");
  CLI11_PARSE(app, argc, argv);
  if (o.smoke) {
    if (!app.count("--entries")) o.entries = 2000;
    if (!app.count("--proofs")) o.proofs = 1000;
  }
  return run_main("proof_bench", [&] { return run(o); });
}
