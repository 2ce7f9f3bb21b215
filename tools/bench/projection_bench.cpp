// projection_bench: rebuilding every projection from a large ledger, and the as-of queries answered from it.
//
// Builds (or reuses, with --ledger DIR) a ledger of N events (default 1,000,000) of generated districts
// (tools/generator: each a few thousand lawful acts of models, points and exemplars; district k has prefix Dkkkk
// and seed k+1), signed by a person and, for decisions, an organisation certificate bound to each unit, appended in
// batches of 1,000 through the real admission. The build runs in a child process, so that the measurements below
// start from a fresh heap and their memory figures are theirs alone.
//
// Then, each against a physical limit or a peer measured in the same run:
//   rebuild     Ledger::rebuild (every projection from all N events) against a raw LMDB scan of `entries` (every
//               entry byte read, one read transaction, best of 3): the floor of any pass over the log. A scan that
//               also decodes every entry and its act is shown between the two.
//   show        SubjectReader::state(id, as of date) — what `antq show ID --as-of DATE` runs: the subject's half-year
//               snapshot and the acts after it — for random subjects at random dates, against one random LMDB entry
//               read (Ledger::entry_bytes), and against the same answer found by folding the subject's chain; the
//               same as of random entries (`show ID --at SEQ`).
//   stats       projections::statistics as of a few dates — what `antq stats --as-of DATE` runs — against the
//               rebuild (how much a query costs next to a full replay) and against stats now (every stored state
//               read once: the floor of any question about every subject). Its parts are timed apart.
#include <sys/resource.h>

#include <cstring>
#include <map>
#include <random>
#include <sstream>
#include <stop_token>

#include <CLI/CLI.hpp>

#include "projections/dossier.hpp"
#include "projections/profile.hpp"
#include "projections/query.hpp"
#include "projections/stats.hpp"
#include "tools/bench/bench_support.hpp"
#include "tools/generator/district.hpp"

namespace antq::bench {
namespace {

struct Options {
  std::uint64_t events = 1000000;
  std::size_t batch = 1000;
  std::size_t chunk = 20000;
  std::string algorithm = "p256";
  std::string ledger_dir;
  bool keep = false;
  std::size_t shows = 10000;
  std::size_t stats_dates = 4;
  std::uint64_t seed = 20230315;
  bool smoke = false;
  bool json = false;
};

std::string read_text_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw Failure("cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// ---- building the ledger (in a child process) -----------------------------------------------------------------

// What the build did, kept beside the ledger (build.json) for the runs that reuse it.
struct Build {
  bool reused = false;
  std::uint64_t districts = 0, events = 0;
  double generate_s = 0, sign_s = 0, append_s = 0, wall_s = 0;
  std::string algorithm;

  ojson to_json() const {
    return {{"districts", districts}, {"events", events},     {"generate_seconds", generate_s},
            {"sign_seconds", sign_s}, {"append_seconds", append_s}, {"wall_seconds", wall_s},
            {"algorithm", algorithm}};
  }
  static Build from_json(const json& j) {
    Build b;
    b.districts = j.value("districts", std::uint64_t{0});
    b.events = j.value("events", std::uint64_t{0});
    b.generate_s = j.value("generate_seconds", 0.0);
    b.sign_s = j.value("sign_seconds", 0.0);
    b.append_s = j.value("append_seconds", 0.0);
    b.wall_s = j.value("wall_seconds", 0.0);
    b.algorithm = j.value("algorithm", "");
    return b;
  }
};

// An act to sign: by the person of unit `unit`, and its organisation for decisions.
struct Pending {
  json act;
  std::size_t unit = 0;
  bool decision = false;
};

// The person (2i) and organisation (2i+1) signers of every unit, each thread loading its own keys.
std::vector<ledger::Submission> sign_pending(const std::vector<Pending>& pending, const std::vector<Signer>& signers) {
  std::vector<ledger::Submission> out(pending.size());
  const unsigned workers = worker_count(pending.size(), 0);
  std::vector<std::vector<LoadedSigner>> keys(workers);
  run_parallel(
      pending.size(), workers,
      [&](unsigned w) {
        keys[w].reserve(signers.size());
        for (const Signer& s : signers) keys[w].emplace_back(s);
      },
      [&](unsigned w, std::size_t i) {
        const Pending& p = pending[i];
        out[i] = sign_act(p.act, keys[w][2 * p.unit], p.decision ? &keys[w][2 * p.unit + 1] : nullptr);
      });
  return out;
}

// Creates the ledger in `root`/ledger with its PKI in `root`/pki and fills it to `o.events` entries.
Build build_ledger(const fs::path& root, const Options& o) {
  Build b;
  b.algorithm = o.algorithm;
  const auto t_build = Clock::now();
  const fs::path dir = root / "ledger";
  BenchPki pki(root / "pki", o.algorithm);
  const Signer admin = pki.issue("admin");
  // units() is the same list for every prefix (the district's People's Committee and its communes): bound once.
  const std::vector<ledger::Act::Authority> units = generator::units({});
  std::map<std::string, std::size_t> unit_index;
  std::vector<Signer> signers;
  for (std::size_t i = 0; i < units.size(); ++i) {
    unit_index[units[i].unit] = i;
    signers.push_back(pki.issue(fmt::format("person-{}", i)));
    signers.push_back(pki.issue(fmt::format("organisation-{}", i)));
  }
  ledger::InitOptions init;
  init.dir = dir;
  init.profile = kProfile;
  init.roots = {pki.root().certificate_der};
  init.administrator = admin.certificate;
  const std::string_view profile = projections::builtin_profile_text(kProfile);
  init.profile_document.assign(profile.begin(), profile.end());
  // The operator's key lives in this process only: the ledger is built here and only read afterwards.
  init.operator_key =
      std::make_shared<const signing::Ed25519Key>(unwrap(signing::Ed25519Key::generate(), "the operator key"));
  unwrap(ledger::Ledger::init(init), "ledger init");
  auto L = unwrap(ledger::Ledger::open(dir), "opening the ledger");
  unwrap(L->use_operator_key(init.operator_key), "the operator key");
  auto admission = unwrap(projections::make_admission(*L), "admission rules");
  {
    LoadedSigner a(admin);
    std::vector<ledger::Submission> binds;
    for (std::size_t i = 0; i < signers.size(); ++i) {
      const auto& unit = units[i / 2];
      binds.push_back(sign_act({{"act", "authority.bound"}, {"subject", "ledger"}, {"date", "2020-01-02"},
                                {"data", {{"certificate", to_hex(signers[i].fingerprint)},
                                          {"role", i % 2 == 0 ? "person" : "organisation"},
                                          {"unit", unit.unit}, {"level", unit.level}, {"from", "2020-01-01"}}}},
                               a));
    }
    unwrap(L->append(binds, *admission), "binding the signers");
  }
  progress("building {}: {} events of generated districts ({} signatures, batches of {}, signing on {} threads)",
           dir.string(), grouped(static_cast<double>(o.events)), o.algorithm, o.batch, cores());
  std::uint64_t size = L->size();
  std::vector<Pending> pending;
  std::uint64_t last_report = size;
  auto flush = [&] {
    auto t0 = Clock::now();
    auto events = sign_pending(pending, signers);
    b.sign_s += seconds_since(t0);
    t0 = Clock::now();
    std::vector<ledger::Submission> chunk;
    for (std::size_t i = 0; i < events.size(); i += o.batch) {
      chunk.assign(std::make_move_iterator(events.begin() + static_cast<std::ptrdiff_t>(i)),
                   std::make_move_iterator(events.begin() + static_cast<std::ptrdiff_t>(std::min(events.size(), i + o.batch))));
      unwrap(L->append(chunk, *admission), "append");
    }
    b.append_s += seconds_since(t0);
    b.events += pending.size();
    size += pending.size();
    pending.clear();
    if (size - last_report >= 100000 || size >= o.events) {
      last_report = size;
      const double elapsed = seconds_since(t_build);
      progress("  {:>9} / {} entries, {} districts  sign {:>6} events/s  append {:>6} events/s  {:.0f} s, ETA {:.0f} s",
               grouped(static_cast<double>(size)), grouped(static_cast<double>(o.events)), b.districts,
               grouped(static_cast<double>(b.events) / b.sign_s), grouped(static_cast<double>(b.events) / b.append_s),
               elapsed, elapsed / static_cast<double>(b.events) * static_cast<double>(o.events - size));
    }
  };
  while (size + pending.size() < o.events) {
    const auto t0 = Clock::now();
    generator::Options g;
    g.seed = b.districts + 1;
    g.prefix = fmt::format("D{:04}", b.districts);
    g.profile = kProfile;
    auto acts = unwrap(generator::district(g), "generating district " + g.prefix);
    ++b.districts;
    // The last district is cut short: its acts are in date order, so any prefix of them is lawful too.
    const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(acts.size(), o.events - size - pending.size()));
    for (std::size_t i = 0; i < take; ++i) {
      const std::string unit = acts[i].act["authority"]["unit"].get<std::string>();
      auto it = unit_index.find(unit);
      if (it == unit_index.end()) throw Failure(fmt::format("district {} names unit {}, which is not bound", g.prefix, unit));
      pending.push_back({std::move(acts[i].act), it->second, acts[i].decision});
    }
    b.generate_s += seconds_since(t0);
    if (pending.size() >= o.chunk) flush();
  }
  if (!pending.empty()) flush();
  b.wall_s = seconds_since(t_build);
  write_file(root / "build.json", b.to_json().dump(2));
  return b;
}

// Runs build_ledger in a child process (its memory is not this process's) and waits for it.
Build build_in_child(const fs::path& root, const Options& o) {
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) throw Failure("fork failed");
  if (pid == 0) {
    int status = 0;
    try {
      build_ledger(root, o);
    } catch (const std::exception& e) {
      fmt::print(stderr, "projection_bench: building the ledger: {}\n", e.what());
      status = 1;
    }
    std::fflush(stderr);
    _exit(status);  // no destructors: the parent owns the directories
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw Failure("building the ledger failed (see above)");
  return Build::from_json(json::parse(read_text_file(root / "build.json")));
}

// ---- memory -----------------------------------------------------------------------------------------------------

// A field of /proc/self/status in KiB ("VmRSS", "RssAnon", "VmHWM"...), 0 when absent.
std::uint64_t status_kib(const std::string& field) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.starts_with(field + ":")) return std::stoull(line.substr(field.size() + 1));
  return 0;
}

// Samples this process's anonymous resident memory (the heap; LMDB's map is file-backed) every few ms while alive.
class AnonSampler {
 public:
  AnonSampler() : before_(status_kib("RssAnon")), peak_(before_) {
    thread_ = std::jthread([this](std::stop_token stop) {
      while (!stop.stop_requested()) {
        peak_ = std::max<std::uint64_t>(peak_, status_kib("RssAnon"));
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    });
  }
  // Stops sampling; the peak includes a last sample.
  void stop() {
    thread_.request_stop();
    thread_.join();
    peak_ = std::max<std::uint64_t>(peak_, status_kib("RssAnon"));
  }
  std::uint64_t before_kib() const { return before_; }
  std::uint64_t peak_kib() const { return peak_; }

 private:
  std::uint64_t before_;
  std::atomic<std::uint64_t> peak_;
  std::jthread thread_;
};

// The 1-minute load average: the measurements run on one thread, so a load above 1 on two cores means a neighbour.
std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one;
  in >> one;
  return one.empty() ? "-" : one;
}

std::uint64_t max_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<std::uint64_t>(u.ru_maxrss);
}

std::string mib(std::uint64_t kib) { return fmt::format("{:.1f} MiB", static_cast<double>(kib) / 1024); }

// ---- passes over the log ---------------------------------------------------------------------------------------

struct Pass {
  double seconds = 0;
  std::uint64_t entries = 0, bytes = 0, checksum = 0;
  double rate() const { return static_cast<double>(entries) / seconds; }
};

// Every byte of every entry read, in one read transaction: the floor of any pass over the log.
Pass raw_scan(const ledger::Ledger& L) {
  Pass p;
  const auto t0 = Clock::now();
  unwrap(L.for_each_entry(0, L.size(), [&](std::uint64_t, ByteView bytes) -> Status {
    std::uint64_t sum = 0, word = 0;
    std::size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) {
      std::memcpy(&word, bytes.data() + i, 8);
      sum += word;
    }
    for (; i < bytes.size(); ++i) sum += bytes[i];
    p.checksum += sum;
    p.bytes += bytes.size();
    ++p.entries;
    return {};
  }),
         "scanning the entries");
  p.seconds = seconds_since(t0);
  return p;
}

// The scan plus what any replay must do first: decode each entry and its act.
Pass decode_scan(const ledger::Ledger& L) {
  Pass p;
  const auto t0 = Clock::now();
  unwrap(L.for_each_entry(0, L.size(), [&](std::uint64_t seq, ByteView bytes) -> Status {
    auto entry = ledger::decode_entry(bytes);
    if (!entry) return corruption(fmt::format("entry {}: {}", seq, entry.error().message));
    auto act = ledger::decode_body(entry->event.body);
    if (!act) return corruption(fmt::format("entry {}: {}", seq, act.error().message));
    p.checksum += act->date.size();
    p.bytes += bytes.size();
    ++p.entries;
    return {};
  }),
         "decoding the entries");
  p.seconds = seconds_since(t0);
  return p;
}

// ---- queries -----------------------------------------------------------------------------------------------------

double micros_since(Clock::time_point t0) { return std::chrono::duration<double, std::micro>(Clock::now() - t0).count(); }

std::string random_date(std::mt19937_64& rng) {
  // The generated districts' acts run from 2021 to 2025.
  std::uniform_int_distribution<int> year(2021, 2026), month(1, 12), day(1, 28);
  return fmt::format("{:04}-{:02}-{:02}", year(rng), month(rng), day(rng));
}

struct StatsParts {
  double ids_s = 0, stored_s = 0, all_s = 0, replayed_s = 0, total_s = 0;
  std::uint64_t subjects = 0, begun = 0;
};

// statistics() as of `date`, and what it is made of: the subject list, then every subject's state as of the date
// (SubjectReader::all: its half-year snapshot and the acts after it), then the counting. For scale, every stored
// state read and parsed (what stats without --as-of reads: the floor of a question about every subject), and every
// subject's chain folded from its first act (SubjectReader::replayed: how the same states were found before the
// snapshots).
StatsParts stats_parts(const ledger::Ledger& L, const std::string& date) {
  StatsParts p;
  const projections::AsOf at{date, std::nullopt};
  auto t0 = Clock::now();
  const auto ids = projections::subject_ids(L);
  p.ids_s = seconds_since(t0);
  p.subjects = ids.size();
  projections::SubjectReader reader(L);
  t0 = Clock::now();
  std::uint64_t stored = 0;
  for (const auto& id : ids) stored += reader.current(id).has_value();
  p.stored_s = seconds_since(t0);
  if (stored != ids.size()) throw Failure("a subject listed has no stored state");
  t0 = Clock::now();
  unwrap(projections::statistics(L, at, std::nullopt), "statistics");
  p.total_s = seconds_since(t0);
  t0 = Clock::now();  // after statistics(), whose reads it repeats: the lower bound of its share
  p.begun = unwrap(reader.all(at), "every state").size();
  p.all_s = seconds_since(t0);
  t0 = Clock::now();
  std::uint64_t replayed = 0;
  for (const auto& id : ids) replayed += unwrap(reader.replayed(id, at), "chain of " + id).has_value();
  p.replayed_s = seconds_since(t0);
  if (replayed != p.begun)
    throw Failure(fmt::format("as of {}: {} subjects from the snapshots, {} from their chains", date, p.begun, replayed));
  return p;
}

// ---- the run -------------------------------------------------------------------------------------------------------

int run(const Options& o) {
  Report report("projection_bench: rebuilding every projection, and as-of queries, on a ledger of generated districts",
                o.json);
  std::optional<TempDir> tmp;
  fs::path root;
  if (o.ledger_dir.empty()) {
    tmp.emplace("antq-projection-bench");
    root = tmp->path();
  } else {
    root = o.ledger_dir;
  }
  const fs::path dir = root / "ledger";
  const bool reuse = fs::exists(dir / "data.mdb");
  // A ledger this run builds in --ledger DIR stays only with --keep (a temporary one never does; a reused one always).
  struct Cleanup {
    fs::path root;
    ~Cleanup() {
      std::error_code ec;
      if (root.empty()) return;
      for (const char* name : {"ledger", "pki", "build.json"}) fs::remove_all(root / name, ec);
    }
  } cleanup{!tmp && !reuse && !o.keep ? root : fs::path()};
  Build build;
  if (!reuse) build = build_in_child(root, o);
  else if (fs::exists(root / "build.json")) build = Build::from_json(json::parse(read_text_file(root / "build.json")));
  build.reused = reuse;

  auto L = unwrap(ledger::Ledger::open(dir), "opening the ledger");
  const std::uint64_t n = L->size();
  if (n < o.events && !reuse) throw Failure(fmt::format("the ledger holds {} entries, expected {}", n, o.events));
  report.config() = {
      {"ledger", dir.string() + (tmp ? " (temporary)" : reuse ? " (reused)" : o.keep ? " (kept)" : " (removed at the end)")},
      {"entries", n},
      {"built", build.reused ? "earlier (reused)" : "in this run, in a child process"},
      {"signatures", build.algorithm},
      {"show queries", o.shows},
      {"stats dates", o.stats_dates},
      {"threads", "1 (rebuild, scans and queries); building: all cores"},
      {"seed", o.seed},
      {"smoke", o.smoke}};

  const std::string load_before = load_average();
  // Passes over the log. The first scan warms the page cache for all that follow (and is not counted).
  progress("scanning {} entries (warm-up, then best of 3)", grouped(static_cast<double>(n)));
  raw_scan(*L);
  Pass scan;
  for (int i = 0; i < 3; ++i) {
    Pass p = raw_scan(*L);
    if (i == 0 || p.seconds < scan.seconds) scan = p;
  }
  progress("decoding {} entries", grouped(static_cast<double>(n)));
  const Pass decoded = decode_scan(*L);

  progress("rebuilding every projection from {} entries", grouped(static_cast<double>(n)));
  auto replay = unwrap(projections::make_admission(*L), "admission rules");
  const std::uint64_t maxrss_before = max_rss_kib();
  AnonSampler sampler;
  const auto t_rebuild = Clock::now();
  const ledger::RebuildReport rebuilt = unwrap(L->rebuild(*replay), "rebuild");
  const double rebuild_s = seconds_since(t_rebuild);
  sampler.stop();
  replay.reset();
  const std::uint64_t anon_after = status_kib("RssAnon");
  if (rebuilt.written())
    throw Failure(fmt::format("rebuild changed the state of an intact ledger: {} changed, {} added, {} removed",
                              rebuilt.changed, rebuilt.added, rebuilt.removed));
  const double rebuild_rate = static_cast<double>(rebuilt.entries) / rebuild_s;

  // show --as-of: random subjects at random dates, against random entry reads.
  std::mt19937_64 rng(o.seed);
  const std::vector<std::string> ids = projections::subject_ids(*L);
  if (ids.empty()) throw Failure("the ledger has no subject");
  std::uniform_int_distribution<std::size_t> any_id(0, ids.size() - 1);
  std::uniform_int_distribution<std::uint64_t> any_seq(0, n - 1);
  projections::SubjectReader reader(*L);
  std::uint64_t sink = 0;
  const std::size_t warm = std::min<std::size_t>(o.shows, 1000);
  progress("timing {} entry reads and {} show --as-of queries", o.shows, o.shows);
  for (std::size_t k = 0; k < warm; ++k) sink += L->entry_bytes(any_seq(rng))->size();
  std::vector<double> read_us, chain_len;
  for (std::size_t k = 0; k < o.shows; ++k) {
    const std::uint64_t seq = any_seq(rng);
    const auto t0 = Clock::now();
    auto bytes = L->entry_bytes(seq);
    read_us.push_back(micros_since(t0));
    sink += bytes->size();
  }
  for (std::size_t k = 0; k < warm; ++k) {
    auto s = unwrap(reader.state(ids[any_id(rng)], {random_date(rng), std::nullopt}), "show");
    sink += s.has_value();
  }
  // Each query answered from the snapshots and, for scale, by folding the subject's chain from its first act (how
  // it was answered before them), in turn, so that a neighbour's noise falls alike on both. As of a random date
  // (show --as-of), then as of a random entry (show --at).
  struct Timings {
    std::vector<double> state_us, fold_us;
    std::size_t found = 0;
  };
  auto time_queries = [&](const std::function<projections::AsOf()>& any_at) {
    Timings t;
    for (std::size_t k = 0; k < o.shows; ++k) {
      const std::string& id = ids[any_id(rng)];
      const projections::AsOf at = any_at();
      std::optional<projections::SubjectState> snap, fold;
      auto time_state = [&] {
        const auto t0 = Clock::now();
        snap = unwrap(reader.state(id, at), "show " + id);
        t.state_us.push_back(micros_since(t0));
      };
      auto time_fold = [&] {
        const auto t0 = Clock::now();
        fold = unwrap(reader.replayed(id, at), "chain of " + id);
        t.fold_us.push_back(micros_since(t0));
      };
      if (k % 2 == 0) time_state(), time_fold();
      else time_fold(), time_state();
      if (snap.has_value() != fold.has_value() || (snap && snap->to_text() != fold->to_text()))
        throw Failure(fmt::format("{} as of {}: the snapshot's answer differs from the chain's", id,
                                  at.date ? *at.date : fmt::format("entry {}", *at.seq)));
      t.found += snap.has_value();
      if (at.date) chain_len.push_back(static_cast<double>(reader.current(id)->entries.size()));
    }
    return t;
  };
  Timings by_date = time_queries([&] { return projections::AsOf{random_date(rng), std::nullopt}; });
  Timings by_entry = time_queries([&] { return projections::AsOf{std::nullopt, any_seq(rng)}; });
  const std::size_t found = by_date.found;
  const Summary read = summarize(read_us), show = summarize(by_date.state_us), folded = summarize(by_date.fold_us),
                at_entry = summarize(by_entry.state_us), at_folded = summarize(by_entry.fold_us),
                chain = summarize(chain_len);

  // stats --as-of at dates spread over the generated years.
  std::vector<std::string> dates;
  for (std::size_t k = 0; k < o.stats_dates; ++k)
    dates.push_back(fmt::format("{:04}-06-30", 2022 + static_cast<int>(k * 4 / std::max<std::size_t>(1, o.stats_dates))));
  progress("timing stats --as-of at {} dates", dates.size());
  std::vector<double> stats_s;
  for (const auto& d : dates) {
    const auto t0 = Clock::now();
    auto st = unwrap(projections::statistics(*L, {d, std::nullopt}, std::nullopt), "stats --as-of " + d);
    stats_s.push_back(seconds_since(t0));
    sink += st.points;
  }
  auto t0 = Clock::now();
  sink += unwrap(projections::statistics(*L, {}, std::nullopt), "stats").points;
  const double stats_now_s = seconds_since(t0);
  progress("timing the parts of stats --as-of {}", dates.back());
  const StatsParts parts = stats_parts(*L, dates.back());
  const Summary stats = summarize(stats_s);
  const std::string load_after = load_average();

  // The report.
  Table passes(fmt::format("Passes over all {} entries (one thread)", grouped(static_cast<double>(n))),
               {"pass", "events/s", "seconds", "MiB read", "vs raw scan"});
  passes.row({"raw LMDB scan of `entries` (every byte; best of 3)", grouped(scan.rate()), fmt::format("{:.2f}", scan.seconds),
              grouped(static_cast<double>(scan.bytes) / (1 << 20)), "100.0%"});
  passes.row({"scan + decode entry and act", grouped(decoded.rate()), fmt::format("{:.2f}", decoded.seconds),
              grouped(static_cast<double>(decoded.bytes) / (1 << 20)), percent(decoded.rate() / scan.rate())});
  passes.row({"rebuild: every projection (Ledger::rebuild)", grouped(rebuild_rate), fmt::format("{:.2f}", rebuild_s),
              "", percent(rebuild_rate / scan.rate())});
  report.table(std::move(passes));

  Table queries("Queries (one thread; latency)",
                {"query", "count", "median", "p99", "max", "peer", "peer median", "median ratio"});
  queries.row({"random entry read (Ledger::entry_bytes)", grouped(static_cast<double>(read.count)),
               fmt::format("{:.2f} µs", read.p50), fmt::format("{:.2f} µs", read.p99),
               fmt::format("{:.2f} µs", read.max), "", "", ""});
  // A query's row against an entry read, and the row of the same answers found by folding the chain against it.
  auto query_rows = [&](const std::string& name, const Summary& q, const Summary& fold) {
    queries.row({name, grouped(static_cast<double>(q.count)), fmt::format("{:.1f} µs", q.p50),
                 fmt::format("{:.1f} µs", q.p99), fmt::format("{:.1f} µs", q.max), "entry read",
                 fmt::format("{:.2f} µs", read.p50), fmt::format("{:.1f}×", q.p50 / read.p50)});
    queries.row({"  the same, by folding the chain (SubjectReader::replayed)", grouped(static_cast<double>(fold.count)),
                 fmt::format("{:.1f} µs", fold.p50), fmt::format("{:.1f} µs", fold.p99),
                 fmt::format("{:.1f} µs", fold.max), "snapshot", fmt::format("{:.1f} µs", q.p50),
                 fmt::format("{:.1f}×", fold.p50 / q.p50)});
  };
  query_rows("show ID --as-of DATE (SubjectReader::state)", show, folded);
  query_rows("show ID --at SEQ (SubjectReader::state)", at_entry, at_folded);
  queries.row({"stats --as-of DATE (projections::statistics)", grouped(static_cast<double>(stats.count)),
               fmt::format("{:.3f} s", stats.p50), "", fmt::format("{:.3f} s", stats.max), "rebuild",
               fmt::format("{:.3f} s", rebuild_s), percent(stats.p50 / rebuild_s)});
  queries.row({"stats (now: the stored states, no fold)", "1", fmt::format("{:.3f} s", stats_now_s), "", "", "rebuild",
               fmt::format("{:.3f} s", rebuild_s), percent(stats_now_s / rebuild_s)});
  report.table(std::move(queries));

  Table split(fmt::format("stats --as-of {}: what it is made of ({} subjects, {} begun by then)", dates.back(),
                          grouped(static_cast<double>(parts.subjects)), grouped(static_cast<double>(parts.begun))),
              {"part", "seconds", "share of statistics()"});
  auto part = [&](const std::string& name, double seconds) {
    split.row({name, fmt::format("{:.3f}", seconds), percent(seconds / parts.total_s)});
  };
  part("statistics() in all", parts.total_s);
  part("  subject ids (state keys subject/*)", parts.ids_s);
  part("  every state as of the date (SubjectReader::all: snapshot, then the acts after it)", parts.all_s);
  part("  the counting (the rest)", std::max(0.0, parts.total_s - parts.ids_s - parts.all_s));
  part("for scale: every stored state read and parsed (stats now)", parts.stored_s);
  part("for scale: every chain folded from its first act (before snapshots)", parts.replayed_s);
  report.table(std::move(split));

  Table memory("Memory (this process: the build ran in a child)", {"", "value"});
  memory.row({"rebuild: heap growth at its peak (RssAnon, sampled every 5 ms)", mib(sampler.peak_kib() - sampler.before_kib())});
  memory.row({"rebuild: heap before / peak / after", fmt::format("{} / {} / {}", mib(sampler.before_kib()),
                                                                  mib(sampler.peak_kib()), mib(anon_after))});
  memory.row({"peak RSS of the process (ru_maxrss; LMDB's mapped pages included)", mib(max_rss_kib())});
  memory.row({"peak RSS before the rebuild (after the scans)", mib(maxrss_before)});
  report.table(std::move(memory));

  report.note(fmt::format("state: {} keys rebuilt ({} unchanged, {} changed, {} added, {} removed: nothing written)",
                          grouped(static_cast<double>(rebuilt.keys)), grouped(static_cast<double>(rebuilt.unchanged)),
                          rebuilt.changed, rebuilt.added, rebuilt.removed));
  report.note(fmt::format("show: {} subjects; chains of {:.1f} entries on average (p99 {:.0f}, max {:.0f}); {} of the "
                          "queries found the subject begun by the date",
                          grouped(static_cast<double>(ids.size())), chain.mean, chain.p99, chain.max, found));
  std::string date_list;
  for (const auto& d : dates) date_list += (date_list.empty() ? "" : ", ") + d;
  report.note("stats --as-of dates: " + date_list);
  if (build.reused)
    report.note(fmt::format("build: reused {}{}", dir.string(),
                            build.events ? fmt::format(" (built earlier: {} events of {} districts in {:.0f} s)",
                                                       grouped(static_cast<double>(build.events)), build.districts, build.wall_s)
                                         : std::string()));
  else
    report.note(fmt::format("build: {} events of {} districts in {:.1f} s: generated {:.1f} s, signed {:.1f} s ({} "
                            "events/s on {} threads), appended {:.1f} s ({} events/s, batches of {})",
                            grouped(static_cast<double>(build.events)), build.districts, build.wall_s, build.generate_s,
                            build.sign_s, grouped(static_cast<double>(build.events) / build.sign_s), cores(),
                            build.append_s, grouped(static_cast<double>(build.events) / build.append_s), o.batch));
  report.note(fmt::format("load average (1 min) before the measurements {}, after {} ({} cores)", load_before,
                          load_after, cores()));
  if (o.smoke) report.note("smoke run: tiny ledger; figures are not meaningful");

  report.extra() = {{"entries", n},
                    {"raw_scan", {{"seconds", scan.seconds}, {"events_per_s", scan.rate()}, {"bytes", scan.bytes}}},
                    {"decode_scan", {{"seconds", decoded.seconds}, {"events_per_s", decoded.rate()}}},
                    {"rebuild",
                     {{"seconds", rebuild_s}, {"events_per_s", rebuild_rate}, {"keys", rebuilt.keys},
                      {"written", rebuilt.written()}, {"heap_before_kib", sampler.before_kib()},
                      {"heap_peak_kib", sampler.peak_kib()}, {"heap_after_kib", anon_after},
                      {"maxrss_kib", max_rss_kib()}, {"maxrss_before_kib", maxrss_before}}},
                    {"entry_read_us", to_json(read)},
                    {"show_as_of_us", to_json(show)},
                    {"show_chain_entries", to_json(chain)},
                    {"stats_as_of_s", to_json(stats)},
                    {"stats_now_s", stats_now_s},
                    {"show_by_fold_us", to_json(folded)},
                    {"show_at_seq_us", to_json(at_entry)},
                    {"show_at_seq_by_fold_us", to_json(at_folded)},
                    {"stats_parts",
                     {{"date", dates.back()}, {"subjects", parts.subjects}, {"begun", parts.begun},
                      {"ids_s", parts.ids_s}, {"all_states_s", parts.all_s}, {"total_s", parts.total_s},
                      {"stored_states_s", parts.stored_s}, {"by_fold_s", parts.replayed_s}}},
                    {"build", build.to_json()},
                    {"checksum", scan.checksum + decoded.checksum + sink}};

  report.figure({.name = "rebuild",
                 .value = rebuild_rate,
                 .unit = "events/s",
                 .peer = "raw LMDB scan of `entries`",
                 .peer_value = scan.rate(),
                 .ratio = rebuild_rate / scan.rate(),
                 .ratio_meaning = "of a raw LMDB scan"});
  report.figure({.name = "rebuild",
                 .value = rebuild_rate,
                 .unit = "events/s",
                 .peer = "scan + decode of every entry and act",
                 .peer_value = decoded.rate(),
                 .ratio = rebuild_rate / decoded.rate(),
                 .ratio_meaning = "of a scan that decodes"});
  report.figure({.name = "show --as-of (median)",
                 .value = show.p50,
                 .unit = "µs",
                 .peer = "one random entry read",
                 .peer_value = read.p50,
                 .ratio = show.p50 / read.p50,
                 .ratio_meaning = "one entry read",
                 .ratio_as_multiple = true});
  report.figure({.name = "show --as-of (p99)",
                 .value = show.p99,
                 .unit = "µs",
                 .peer = "one random entry read, p99",
                 .peer_value = read.p99,
                 .ratio = show.p99 / read.p99,
                 .ratio_meaning = "one entry read",
                 .ratio_as_multiple = true});
  report.figure({.name = "stats --as-of (median)",
                 .value = stats.p50,
                 .unit = "s",
                 .peer = "the full rebuild",
                 .peer_value = rebuild_s,
                 .ratio = stats.p50 / rebuild_s,
                 .ratio_meaning = "of the time of a full rebuild"});
  report.figure({.name = "stats --as-of (median)",
                 .value = stats.p50,
                 .unit = "s",
                 .peer = "stats now (every stored state read once)",
                 .peer_value = stats_now_s,
                 .ratio = stats.p50 / stats_now_s,
                 .ratio_meaning = "stats now",
                 .ratio_as_multiple = true});
  report.print();
  return 0;
}

}  // namespace
}  // namespace antq::bench

int main(int argc, char** argv) {
  using namespace antq::bench;
  Options o;
  CLI::App app{
      "Builds (or reuses) a ledger of 1,000,000 events of generated districts, then times the rebuild of every "
      "projection against a raw LMDB scan, and show --as-of and stats --as-of queries against an entry read and "
      "the rebuild."};
  app.add_option("--events", o.events, "ledger size to build (entries, the signers' bindings included)")
      ->check(CLI::Range(100, 1000000000));
  app.add_option("--ledger", o.ledger_dir, "build the ledger (and its PKI) in DIR, or reuse the one there");
  app.add_flag("--keep", o.keep, "keep the ledger built in --ledger DIR for later runs");
  app.add_option("--batch", o.batch, "append batch size while building")->check(CLI::Range(1, 1000000));
  app.add_option("--chunk", o.chunk, "events signed at a time while building (bounds memory)")
      ->check(CLI::Range(1, 10000000));
  app.add_option("--algorithm", o.algorithm, "signer key algorithm for a new ledger (p256, ed25519, rsa2048, p384)");
  app.add_option("--shows", o.shows, "random show --as-of queries (and entry reads)")->check(CLI::Range(1, 100000000));
  app.add_option("--stats-dates", o.stats_dates, "dates of stats --as-of")->check(CLI::Range(1, 100));
  app.add_option("--seed", o.seed, "random seed of the queries");
  app.add_flag("--smoke", o.smoke, "tiny sizes (5,000 events, 200 queries, 2 dates): a quick check");
  app.add_flag("--json", o.json, "print one JSON document instead of tables");
  CLI11_PARSE(app, argc, argv);
  if (o.smoke) {
    if (!app.count("--events")) o.events = 5000;
    if (!app.count("--shows")) o.shows = 200;
    if (!app.count("--stats-dates")) o.stats_dates = 2;
  }
  if (o.keep && o.ledger_dir.empty()) {
    fmt::print(stderr, "projection_bench: --keep needs --ledger DIR\n");
    return 2;
  }
  return run_main("projection_bench", [&] { return run(o); });
}
