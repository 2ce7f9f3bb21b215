// verify_bench: how fast Ledger::verify rechecks a ledger, against the signature-verification limit of this machine.
//
// For each signer key algorithm (RSA-2048 as the Vietnamese Government CA issues it, signing with PKCS#1 v1.5 and
// then with PSS, then ECDSA P-256): a ledger of N pre-signed events, half "model.proposed" signed by the person
// alone, half "survey.plan-approved" decisions signed by the person and the organisation; then Ledger::verify on all
// cores, timed. The limit is what `openssl speed -multi` measures on the same cores in the same run: verifying every
// signature of the ledger once, nothing else, at OpenSSL's raw verify rate. Time per event = sum over its signatures
// of 1 / verify rate.
#include <sstream>

#include <CLI/CLI.hpp>

#include "tools/bench/bench_support.hpp"

namespace antq::bench {
namespace {

struct Algorithm {
  std::string name;         // --algorithms
  std::string key;          // CertificateRequest::key_algorithm
  signing::RsaPadding padding;
  std::string label;        // shown
  std::string speed_name;   // `openssl speed` algorithm
  std::string line_marker;  // how its summary line in `openssl speed` output is recognised
};

// `openssl speed rsa2048` times RSA-2048 with PKCS#1 v1.5 padding, so that is the like-for-like RSA run. PSS, which
// `antq sign` uses by default, adds MGF1 (eight SHA-256 blocks per signature) that the same limit does not count.
const std::vector<Algorithm>& algorithms() {
  using enum signing::RsaPadding;
  static const std::vector<Algorithm> all = {
      {"rsa2048", "rsa2048", pkcs1, "RSA-2048 PKCS#1 v1.5", "rsa2048", "2048 bits"},
      {"rsa2048-pss", "rsa2048", pss, "RSA-2048 PSS", "rsa2048", "2048 bits"},
      {"p256", "p256", pss, "ECDSA P-256", "ecdsap256", "nistp256"},
      {"p384", "p384", pss, "ECDSA P-384", "ecdsap384", "nistp384"},
      {"ed25519", "ed25519", pss, "Ed25519", "ed25519", "Ed25519"}};
  return all;
}

const Algorithm& algorithm(const std::string& name) {
  for (const auto& a : algorithms())
    if (a.name == name) return a;
  throw Failure("unknown algorithm \"" + name + "\" (rsa2048, rsa2048-pss, p256, p384, ed25519)");
}

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::optional<double> number(const std::string& s) {
  try {
    std::size_t used = 0;
    double v = std::stod(s, &used);
    if (used == s.size() && std::isfinite(v)) return v;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

// verify/s as `openssl speed` prints it, in both places it may be found.
struct SpeedOutput {
  // The summary table ("sign verify sign/s verify/s", one line per key size; with -multi its figures are the sum over
  // the processes). Read by column name, counting columns from the right, because the row label has spaces
  // ("rsa 2048 bits", " 256 bits ecdsa (nistp256)") and newer OpenSSL releases add columns (encr./s, decr./s).
  std::optional<double> summary;
  // With -multi, the sum of the per-process lines ("Got: +F2:2:2048:<sign/s>:<verify/s> from 1").
  std::optional<double> processes;
};

SpeedOutput parse_speed_output(const std::string& output, const std::string& marker) {
  SpeedOutput r;
  std::istringstream in(output);
  std::vector<std::string> header;
  for (std::string line; std::getline(in, line);) {
    auto w = words(line);
    if (w.empty()) continue;
    if (w[0] == "Got:" && w.size() >= 2 && w[1].starts_with("+F")) {
      std::vector<std::string> fields;
      std::istringstream f(w[1]);
      for (std::string x; std::getline(f, x, ':');) fields.push_back(x);
      if (fields.size() >= 5)
        if (auto v = number(fields[4])) r.processes = r.processes.value_or(0) + *v;
      continue;
    }
    if (std::find(w.begin(), w.end(), "verify/s") != w.end()) {
      header = w;
      continue;
    }
    if (!header.empty() && !r.summary && line.find(marker) != std::string::npos && w.size() > header.size()) {
      const auto column =
          static_cast<std::size_t>(std::find(header.begin(), header.end(), "verify/s") - header.begin());
      r.summary = number(w[w.size() - header.size() + column]);
    }
  }
  return r;
}

struct SpeedResult {
  double verify_per_s = 0;
  SpeedOutput parsed;
  std::string command;
  double seconds = 0;
};

SpeedResult openssl_speed(const Algorithm& a, int seconds, unsigned processes) {
  SpeedResult r;
  r.command = fmt::format("openssl speed -seconds {}{} {}", seconds,
                          processes > 1 ? fmt::format(" -multi {}", processes) : "", a.speed_name);
  progress("  {}", r.command);
  auto out = run_command(r.command);
  r.seconds = out.seconds;
  if (out.status != 0) throw Failure(fmt::format("`{}` failed (status {}):\n{}", r.command, out.status, out.output));
  r.parsed = parse_speed_output(out.output, a.line_marker);
  const auto rate = r.parsed.summary ? r.parsed.summary : r.parsed.processes;
  if (!rate || *rate <= 0)
    throw Failure(fmt::format("cannot find verify/s in the output of `{}`:\n{}", r.command, out.output));
  // Both present (-multi): they must agree, or the parse is wrong.
  if (r.parsed.summary && r.parsed.processes && std::fabs(*r.parsed.summary - *r.parsed.processes) > 0.02 * *rate)
    throw Failure(fmt::format("`{}`: summary verify/s {} but the processes' lines add up to {}", r.command,
                              *r.parsed.summary, *r.parsed.processes));
  r.verify_per_s = *rate;
  return r;
}

struct Options {
  std::size_t events = 20000;
  unsigned jobs = 0;
  int speed_seconds = 3;
  unsigned repeat = 3;
  std::size_t batch = 1000;
  std::vector<std::string> algorithms = {"rsa2048", "rsa2048-pss", "p256"};
  bool smoke = false;
  bool json = false;
};

int run(const Options& o) {
  const unsigned jobs = o.jobs == 0 ? cores() : o.jobs;
  Report report("verify_bench: Ledger::verify against the openssl speed verify limit", o.json);
  report.config() = {{"events", o.events},
                     {"mix", "half model.proposed (person), half survey.plan-approved (person + organisation)"},
                     {"verify jobs", jobs},
                     {"cores", cores()},
                     {"openssl speed", fmt::format("-seconds {} -multi {}", o.speed_seconds, jobs)},
                     {"verify runs (median taken)", o.repeat},
                     {"smoke", o.smoke}};
  Table table(fmt::format("Ledger::verify of {} events + 2 bindings, {} jobs; limit from openssl speed on {} processes",
                          o.events, jobs, jobs),
              {"signers", "entries", "signatures", "sig/entry", "verify s", "cores busy", "events/s", "openssl verify/s",
               "limit events/s", "ratio"});
  ojson runs = ojson::array();

  for (const auto& key : o.algorithms) {
    const Algorithm& a = algorithm(key);
    progress("{}: issuing the PKI and signing {} events on {} threads", a.label, o.events, cores());
    TempDir tmp("antq-verify-bench");
    auto [cast, bench] = create_ledger(tmp / "ledger", tmp / "pki", a.key);
    auto t0 = Clock::now();
    // Even events: "model.proposed", the person alone; odd events: "survey.plan-approved", person and organisation.
    auto plan = [](std::size_t i) {
      return i % 2 == 0 ? Planned{proposed_act(i), false} : Planned{decision_act(i), true};
    };
    auto events = sign_parallel(o.events, plan, cast.person, &cast.organisation, 0, a.padding);
    const double sign_s = seconds_since(t0);
    progress("  signed in {:.1f} s; appending in batches of {}", sign_s, o.batch);
    const double append_s = append_in_batches(bench, events, o.batch);
    events.clear();

    {
      const std::string& label = a.label;
      // The timed part: verify from the bytes, as `antq verify` does, `repeat` times. The limit is measured between
      // the runs, and each run is compared with the higher of the measurements just before and just after it: a
      // neighbour's load on a shared machine then lowers our ratio rather than raising it, and the machine's speed
      // drifting over the minutes of the benchmark moves both sides of a ratio alike. The median ratio is reported.
      std::vector<SpeedResult> speeds{openssl_speed(a, o.speed_seconds, jobs)};
      std::vector<double> times, ratios, limits;
      std::vector<double> busy;  // CPU seconds of the process / (wall seconds * jobs), per run
      ledger::VerifyReport last;
      for (unsigned r = 0; r < std::max(1u, o.repeat); ++r) {
        auto replay = unwrap(projections::make_admission(kProfile), "admission rules");
        ledger::VerifyOptions vo;
        vo.jobs = jobs;
        const double cpu0 = process_cpu_seconds();
        t0 = Clock::now();
        last = bench.ledger->verify(vo, *replay);
        times.push_back(seconds_since(t0));
        busy.push_back((process_cpu_seconds() - cpu0) / (times.back() * jobs));
        if (!last.ok)
          throw Failure(
              fmt::format("verify failed: {}{}", last.failures.empty() ? "" : last.failures[0].reason,
                          last.failures.size() > 1 ? fmt::format(" (and {} more)", last.failures.size() - 1) : ""));
        speeds.push_back(openssl_speed(a, o.speed_seconds, jobs));
        // Every signature of this ledger verified once at OpenSSL's aggregate rate on the same cores. All signers of
        // a run (administrator included) use algorithm `a`: time per entry = signatures / entries / rate.
        const double per_entry = static_cast<double>(last.signatures) / static_cast<double>(last.entries);
        const double rate = std::max(speeds[r].verify_per_s, speeds[r + 1].verify_per_s);
        limits.push_back(rate / per_entry);
        ratios.push_back(static_cast<double>(last.entries) / times.back() / limits.back());
        progress("  verify run {}: {:.3f} s, {} of the limit around it", r + 1, times.back(), percent(ratios.back()));
      }
      if (last.entries != o.events + 2)
        throw Failure(fmt::format("verify saw {} entries, expected {}", last.entries, o.events + 2));
      const std::vector<double> run_ratios = ratios;  // in run order, for the JSON
      const Summary verify = summarize(times);
      const double ours = static_cast<double>(last.entries) / verify.p50;
      const double ratio = summarize(ratios).p50;
      const double limit = summarize(limits).p50;
      std::vector<double> rates;  // in measurement order, for the JSON
      for (const SpeedResult& sr : speeds) rates.push_back(sr.verify_per_s);
      std::vector<double> sorted_rates = rates;
      const double speed_median = summarize(sorted_rates).p50;
      const double per_entry = static_cast<double>(last.signatures) / static_cast<double>(last.entries);

      table.row({label, grouped(static_cast<double>(last.entries)), grouped(static_cast<double>(last.signatures)),
                 fmt::format("{:.3f}", per_entry), fmt::format("{:.3f}", verify.p50),
                 percent(summarize(busy).p50), grouped(ours),
                 grouped(speed_median), grouped(limit), percent(ratio)});
      report.figure({.name = "verify " + label,
                     .value = ours,
                     .unit = "events/s",
                     .peer = "openssl speed limit",
                     .peer_value = limit,
                     .ratio = ratio,
                     .ratio_meaning = "of the limit",
                     .target = "",
                     .met = std::nullopt});
      runs.push_back({{"algorithm", a.label},
                      {"entries", last.entries},
                      {"signatures", last.signatures},
                      {"sign_seconds", sign_s},
                      {"append_seconds", append_s},
                      {"verify_seconds", to_json(verify)},
                      {"events_per_s", ours},
                      {"cores_busy", to_json(summarize(busy))},
                      {"openssl_command", speeds.front().command},
                      {"openssl_verify_per_s_between_runs", rates},
                      {"limit_events_per_s", limit},
                      {"run_ratios", run_ratios},
                      {"ratio", ratio}});
    }
  }

  report.table(std::move(table));
  report.extra() = runs;
  report.note(
      "verify s: median wall clock of Ledger::verify (decode, leaf and tree hashes, CMS signatures and chains, "
      "admission replay, checkpoints, derived state).");
  report.note(
      "limit events/s: openssl speed's aggregate verify/s divided by the signatures per entry, from the higher of "
      "the measurements just before and just after each verify run (median over the runs); openssl verify/s: the "
      "median of all the measurements. The limit counts the public-key operations alone, so the ratio is the share "
      "of verify time that is signature arithmetic.");
  report.note("ratio: the median over the verify runs of each run's events/s over the limit around it.");
  report.note("cores busy: CPU time of this process during verify over wall time times jobs (median run).");
  if (o.smoke)
    report.note(fmt::format("smoke run: tiny ledger and openssl speed -seconds {}; figures are not meaningful",
                            o.speed_seconds));
  report.print();
  return 0;
}

}  // namespace
}  // namespace antq::bench

int main(int argc, char** argv) {
  using namespace antq::bench;
  Options o;
  CLI::App app{
      "Times Ledger::verify on a ledger of pre-signed events (RSA-2048 signers with PKCS#1 v1.5 and with PSS, then "
      "ECDSA P-256 signers) and compares "
      "it with the signature-verification limit `openssl speed -multi` measures in the same run."};
  app.add_option("--events", o.events, "events in the ledger, half with one signature, half with two")
      ->check(CLI::Range(2, 100000000));
  app.add_option("--jobs", o.jobs, "verify threads and openssl speed processes (0: all cores)");
  app.add_option("--seconds", o.speed_seconds, "openssl speed -seconds")->check(CLI::Range(1, 60));
  app.add_option("--repeat", o.repeat, "verify runs; the median is reported")->check(CLI::Range(1, 100));
  app.add_option("--batch", o.batch, "append batch size while building (not timed)")->check(CLI::Range(1, 100000));
  app.add_option("--algorithms", o.algorithms,
                 "signer key algorithms, in order (rsa2048: PKCS#1 v1.5, rsa2048-pss, p256, p384, ed25519)");
  app.add_flag("--smoke", o.smoke, "tiny sizes (200 events, openssl speed -seconds 1, one verify run): a quick check");
  app.add_flag("--json", o.json, "print one JSON document instead of tables");
  CLI11_PARSE(app, argc, argv);
  if (o.smoke) {
    if (!app.count("--events")) o.events = 200;
    if (!app.count("--seconds")) o.speed_seconds = 1;
    if (!app.count("--repeat")) o.repeat = 1;
    if (!app.count("--batch")) o.batch = 50;
  }
  return run_main("verify_bench", [&] { return run(o); });
}
