// Shared by the benchmarks of tools/bench/. Header-only: every .cpp there becomes its own executable.
//
// Rules every benchmark follows: every figure it prints is measured in the same run, and each is printed with a
// ratio against a peer or a physical limit measured in that run too. No figure is hard-coded (targets are goals,
// not measurements). `--smoke` runs tiny sizes in a few seconds; `--json` prints one JSON document instead of the
// tables; progress goes to stderr.
#pragma once

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ledger/act.hpp"
#include "ledger/event.hpp"
#include "ledger/ledger.hpp"
#include "projections/admission.hpp"
#include "signing/signing.hpp"

namespace antq::bench {

namespace fs = std::filesystem;
using nlohmann::json;                  // acts, as ledger::act_from_json takes them
using ojson = nlohmann::ordered_json;  // reports: keys in the order they were added
using Clock = std::chrono::steady_clock;

// ---- failures -----------------------------------------------------------------------------------------------

// A benchmark stops at its first failure: thrown, so that destructors clean up (temporary directories, servers),
// caught in main by run_main().
struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

template <class T>
T unwrap(Result<T> r, std::string_view what) {
  if (!r) throw Failure(fmt::format("{}: {}", what, r.error().line()));
  return std::move(*r);
}
inline void unwrap(const Status& s, std::string_view what) {
  if (!s) throw Failure(fmt::format("{}: {}", what, s.error().line()));
}

// Runs `body`, turning a Failure (or any exception) into a message on stderr and exit code 1.
inline int run_main(const char* program, const std::function<int()>& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    std::fflush(stdout);
    fmt::print(stderr, "{}: {}\n", program, e.what());
    return 1;
  }
}

// ---- time, cores, statistics --------------------------------------------------------------------------------

inline double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// User plus system CPU time of this process so far, all threads.
inline double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

inline unsigned cores() { return std::max(1u, std::thread::hardware_concurrency()); }

struct Summary {
  std::size_t count = 0;
  double mean = 0, p50 = 0, p99 = 0, min = 0, max = 0;
};

// Nearest-rank percentiles of `values` (sorted in place).
inline Summary summarize(std::vector<double>& values) {
  Summary s;
  s.count = values.size();
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  double sum = 0;
  for (double v : values) sum += v;
  auto rank = [&](double p) {
    auto i = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
    return values[std::min(values.size() - 1, i == 0 ? 0 : i - 1)];
  };
  s.mean = sum / static_cast<double>(values.size());
  s.p50 = rank(0.50);
  s.p99 = rank(0.99);
  s.min = values.front();
  s.max = values.back();
  return s;
}

inline ojson to_json(const Summary& s) {
  return {{"count", s.count}, {"mean", s.mean}, {"p50", s.p50}, {"p99", s.p99}, {"min", s.min}, {"max", s.max}};
}

// ---- formatting ---------------------------------------------------------------------------------------------

// 1234567.8 -> "1,234,568" (rounded to an integer, thousands grouped).
inline std::string grouped(double v) {
  if (!std::isfinite(v)) return "-";
  auto n = static_cast<long long>(std::llround(std::fabs(v)));
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return v < 0 && n != 0 ? "-" + out : out;
}

inline std::string percent(double ratio) { return std::isfinite(ratio) ? fmt::format("{:.1f}%", 100 * ratio) : "-"; }

// A plain text table: the first column left-aligned, the others right-aligned.
class Table {
 public:
  explicit Table(std::string title, std::vector<std::string> header)
      : title_(std::move(title)), header_(std::move(header)) {}
  void row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }

  void print(std::FILE* out) const {
    std::vector<std::size_t> width(header_.size(), 0);
    auto measure = [&](const std::vector<std::string>& r) {
      for (std::size_t i = 0; i < r.size() && i < width.size(); ++i) width[i] = std::max(width[i], display_width(r[i]));
    };
    measure(header_);
    for (const auto& r : rows_) measure(r);
    fmt::print(out, "\n{}\n", title_);
    auto line = [&](const std::vector<std::string>& r) {
      std::string text;
      for (std::size_t i = 0; i < width.size(); ++i) {
        const std::string cell = i < r.size() ? r[i] : std::string();
        const std::string pad(width[i] - display_width(cell), ' ');
        text += "  " + (i == 0 ? cell + pad : pad + cell);
      }
      fmt::print(out, "{}\n", text);
    };
    line(header_);
    std::size_t total = 0;
    for (std::size_t w : width) total += w + 2;
    fmt::print(out, "  {}\n", std::string(total - 2, '-'));
    for (const auto& r : rows_) line(r);
  }

  ojson to_json() const {
    ojson rows = ojson::array();
    for (const auto& r : rows_) {
      ojson o = ojson::object();
      for (std::size_t i = 0; i < r.size() && i < header_.size(); ++i) o[header_[i]] = r[i];
      rows.push_back(std::move(o));
    }
    return {{"title", title_}, {"rows", rows}};
  }

 private:
  // Code points, not bytes: titles and cells may hold UTF-8 ("µs", "≥").
  static std::size_t display_width(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  }
  std::string title_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// One headline figure: ours, the peer or limit it is compared with (both measured in this run), and their ratio.
struct Figure {
  std::string name = "";  // "verify RSA-2048"
  double value = 0;
  std::string unit = "";  // "events/s", "µs"
  std::string peer = "";  // what `peer_value` is
  double peer_value = 0;
  double ratio = 0;                // as defined by `ratio_meaning`
  std::string ratio_meaning = "";  // "of the limit", "of PostgreSQL", ...
  std::string target = "";         // a goal stated in the brief, "" when none
  std::optional<bool> met = std::nullopt;
  bool ratio_as_multiple = false;  // print the ratio as "3.52×" rather than "352.0%"
};

// Collects what a benchmark found and prints it: tables, notes and one summary line per figure, or JSON.
class Report {
 public:
  Report(std::string bench, bool as_json) : bench_(std::move(bench)), json_(as_json) {}
  bool as_json() const { return json_; }
  ojson& config() { return config_; }
  ojson& extra() { return extra_; }

  void note(std::string text) { notes_.push_back(std::move(text)); }
  void table(Table t) { tables_.push_back(std::move(t)); }
  void figure(Figure f) { figures_.push_back(std::move(f)); }

  // The figure's one-line summary: "verify RSA-2048: 12,345 events/s = 71.2% of the limit (17,340 events/s ...)".
  static std::string summary_line(const Figure& f) {
    auto num = [&](double v) { return f.unit == "events/s" || v >= 1000 ? grouped(v) : fmt::format("{:.2f}", v); };
    const std::string ratio = !std::isfinite(f.ratio) ? "-"
                              : f.ratio_as_multiple   ? fmt::format("{:.2f}×", f.ratio)
                                                      : percent(f.ratio);
    std::string line = fmt::format("{}: {} {} = {} {} ({}: {} {})", f.name, num(f.value), f.unit, ratio,
                                   f.ratio_meaning, f.peer, num(f.peer_value), f.unit);
    if (!f.target.empty())
      line += fmt::format("; target {}: {}", f.target, !f.met ? "n/a" : *f.met ? "met" : "NOT met");
    return line;
  }

  void print() const {
    if (json_) {
      ojson figures = ojson::array();
      for (const auto& f : figures_) {
        ojson o = {{"name", f.name},
                   {"value", f.value},
                   {"unit", f.unit},
                   {"peer", f.peer},
                   {"peer_value", f.peer_value},
                   {"ratio", f.ratio},
                   {"ratio_meaning", f.ratio_meaning},
                   {"summary", summary_line(f)}};
        if (!f.target.empty()) o["target"] = f.target;
        if (f.met) o["met"] = *f.met;
        figures.push_back(std::move(o));
      }
      ojson tables = ojson::array();
      for (const auto& t : tables_) tables.push_back(t.to_json());
      ojson doc = {{"bench", bench_}, {"config", config_}, {"tables", tables}, {"notes", notes_}, {"figures", figures}};
      if (!extra_.is_null()) doc["measurements"] = extra_;
      fmt::print("{}\n", doc.dump(2));
      return;
    }
    fmt::print("{}\n", bench_);
    for (const auto& [k, v] : config_.items())
      fmt::print("  {}: {}\n", k, v.is_string() ? v.get<std::string>() : v.dump());
    for (const auto& t : tables_) t.print(stdout);
    if (!notes_.empty()) fmt::print("\n");
    for (const auto& n : notes_) fmt::print("note: {}\n", n);
    fmt::print("\n");
    for (const auto& f : figures_) fmt::print("{}\n", summary_line(f));
    std::fflush(stdout);
  }

 private:
  std::string bench_;
  bool json_ = false;
  ojson config_ = ojson::object();
  ojson extra_;
  std::vector<std::string> notes_;
  std::vector<Table> tables_;
  std::vector<Figure> figures_;
};

// Progress and log lines: stderr, so that --json leaves stdout a single JSON document.
template <class... Args>
void progress(fmt::format_string<Args...> format, Args&&... args) {
  fmt::print(stderr, "{}\n", fmt::format(format, std::forward<Args>(args)...));
  std::fflush(stderr);
}

// ---- files and commands -------------------------------------------------------------------------------------

// A fresh directory under $TMPDIR, removed with everything in it on destruction unless keep() was called.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "antq-bench") {
    std::string tmpl = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (mkdtemp(tmpl.data()) == nullptr)
      throw Failure("cannot create a temporary directory under " + fs::temp_directory_path().string());
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!keep_) fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }
  void keep() { keep_ = true; }

 private:
  fs::path path_;
  bool keep_ = false;
};

inline void write_file(const fs::path& p, std::string_view content) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out.flush()) throw Failure("cannot write " + p.string());
}

// POSIX shell quoting: 'it'\''s'.
inline std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct CommandResult {
  int status = -1;     // exit status; -1 when killed by a signal or not run
  std::string output;  // stdout and stderr
  double seconds = 0;  // wall clock, from before popen() to after pclose()
};

// Runs `command` with /bin/sh, capturing stdout and stderr together.
inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  const auto t0 = Clock::now();
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) throw Failure("cannot run: " + command);
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) r.output.append(buf, n);
  const int status = pclose(p);
  r.seconds = seconds_since(t0);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// ---- PKI, signers, ledger -----------------------------------------------------------------------------------

// A signer's key and certificate files, as `antq sign` takes them.
struct Signer {
  std::string name;
  fs::path key_file, cert_file;
  Bytes certificate;
  Digest fingerprint{};
};

// Reads back a signer that BenchPki::issue wrote to `dir`.
inline Signer load_signer(const fs::path& dir, const std::string& name) {
  Signer s{name, dir / (name + ".key"), dir / (name + ".crt"), {}, {}};
  auto certs = unwrap(signing::read_certificates(s.cert_file.string()), "signer " + name);
  s.certificate = certs.front();
  s.fingerprint = sha256(s.certificate);
  return s;
}

// A root CA and end-entity signers under it, all of one key algorithm ("rsa2048", "p256", ...), written to `dir`.
// As tests/support.hpp's Pki, for benchmarks: never for production.
class BenchPki {
 public:
  BenchPki(fs::path dir, std::string algorithm) : dir_(std::move(dir)), algorithm_(std::move(algorithm)) {
    fs::create_directories(dir_);
    const signing::UnixTime now = signing::now();
    signing::CertificateRequest ca;
    ca.common_name = "antq bench root CA";
    ca.organisation = "antq benchmarks";
    ca.key_algorithm = algorithm_;
    ca.not_before = now - 400 * 86400;
    ca.not_after = now + 3650 * 86400;
    ca.is_ca = true;
    root_ = unwrap(signing::issue_certificate(ca, nullptr), "root CA");
    write_file(roots_pem(), signing::certificate_to_pem(root_.certificate_der));
  }
  const fs::path& dir() const { return dir_; }
  fs::path roots_pem() const { return dir_ / "roots.pem"; }
  const signing::IssuedCertificate& root() const { return root_; }
  const std::string& algorithm() const { return algorithm_; }

  // An end-entity signer; with `tls_server_names` ("IP:127.0.0.1"), a TLS server's certificate for antq serve.
  Signer issue(const std::string& name, std::vector<std::string> tls_server_names = {}) {
    const signing::UnixTime now = signing::now();
    signing::CertificateRequest request;
    request.common_name = name;
    request.organisation = "antq benchmarks";
    request.key_algorithm = algorithm_;
    request.not_before = now - 365 * 86400;
    request.not_after = now + 365 * 86400;
    request.tls_server_names = std::move(tls_server_names);
    auto issued = unwrap(signing::issue_certificate(request, &root_), "certificate for " + name);
    Signer s{name, dir_ / (name + ".key"), dir_ / (name + ".crt"), issued.certificate_der,
             sha256(issued.certificate_der)};
    write_file(s.key_file, issued.private_key_pem);
    fs::permissions(s.key_file, fs::perms::owner_read | fs::perms::owner_write);
    write_file(s.cert_file, signing::certificate_to_pem(issued.certificate_der));
    return s;
  }

 private:
  fs::path dir_;
  std::string algorithm_;
  signing::IssuedCertificate root_;
};

inline const json kCommune = {{"level", "commune"}, {"unit", "UBND xã Tân Lập"}};

// An act of `kind` for `subject`, by the commune (as tests/support.hpp make_act).
inline json make_act(const std::string& kind, const std::string& subject, const std::string& date,
                     json data = json::object()) {
  // clang-format off
  return json{{"act", kind},
              {"subject", subject},
              {"date", date},
              {"document", {{"number", "1/" + kind}, {"title", kind}, {"issuer", kCommune["unit"]}}},
              {"authority", kCommune},
              {"data", std::move(data)}};
  // clang-format on
}

// Binds `who` to the commune in `role` ("person", "organisation"); a registry act the administrator signs.
inline json bind_act(const Signer& who, const std::string& role) {
  return json{{"act", "authority.bound"},
              {"subject", "ledger"},
              {"date", "2023-01-02"},
              {"data",
               {{"certificate", to_hex(who.fingerprint)},
                {"role", role},
                {"unit", kCommune["unit"]},
                {"level", kCommune["level"]},
                {"from", "2023-01-01"}}}};
}

// Acts that each begin a new subject (domain.md §10 `unknown-subject`): the bound person alone signs the proposal
// "model.proposed"; the approval of a survey plan "survey.plan-approved" is a decision and needs the organisation's
// signature too (projections/admission.cpp). (Until issue 21 the decision was a one-act "model.recognized", which
// only Kon Tum's profile now admits, after a proposal: the same two signatures, a body of about the same size.)
inline json proposed_act(std::uint64_t i) { return make_act("model.proposed", fmt::format("M-{}", i), "2023-03-15"); }
inline json decision_act(std::uint64_t i) {
  return make_act("survey.plan-approved", fmt::format("M-{}", i), "2023-03-01",
                  {{"purpose", "khảo sát xây dựng Tổ tự quản"}});
}

// A signer's key loaded once. PrivateKey is thread-compatible, so each signing thread loads its own.
struct LoadedSigner {
  explicit LoadedSigner(const Signer& s, signing::RsaPadding padding = signing::RsaPadding::pss)
      : signer(&s), key(unwrap(signing::PrivateKey::load(s.key_file.string()), "key of " + s.name)) {
    options.rsa_padding = padding;
  }
  const Signer* signer;
  signing::PrivateKey key;
  signing::SignOptions options;  // the padding of an RSA key (`antq sign --pkcs1`), signing time now
};

// `act` signed by the person (and the organisation when given), in the order cli::add_signature keeps (person
// first). Same bytes as `antq sign`, without reading the key files for every event.
inline ledger::Submission sign_act(const json& act, LoadedSigner& person, LoadedSigner* organisation = nullptr) {
  ledger::Submission s;
  s.event.body = ledger::encode_body(unwrap(ledger::act_from_json(act, "act", "."), "act").act);
  auto add = [&](ledger::Role role, LoadedSigner& who) {
    auto cms =
        unwrap(signing::cms_sign(s.event.body, who.key, who.signer->certificate, who.options),
               "signing by " + who.signer->name);
    s.event.signatures.push_back({role, who.signer->fingerprint, std::move(cms)});
  };
  add(ledger::Role::person, person);
  if (organisation) add(ledger::Role::organisation, *organisation);
  return s;
}

// What to sign for event `i` of a run: the act, and whether the organisation signs too.
struct Planned {
  json act;
  bool organisation = false;
};

// How many threads run_parallel uses for `count` items when asked for `jobs` (0: all cores).
inline unsigned worker_count(std::size_t count, unsigned jobs) {
  if (jobs == 0) jobs = cores();
  return static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(jobs, count)));
}

// Runs body(w, i) for every i in [0, count) on `workers` threads (worker_count), thread w calling setup(w) first
// (to load its own keys). The first exception stops the others and is thrown again as a Failure.
inline void run_parallel(std::size_t count, unsigned workers, const std::function<void(unsigned)>& setup,
                         const std::function<void(unsigned, std::size_t)>& body) {
  std::atomic<std::size_t> next{0};
  std::vector<std::string> errors(workers);
  auto worker = [&](unsigned w) {
    try {
      setup(w);
      for (std::size_t i; (i = next.fetch_add(1)) < count;) body(w, i);
    } catch (const std::exception& e) {
      errors[w] = e.what();
      next = count;  // the others stop too
    }
  };
  std::vector<std::thread> threads;
  for (unsigned w = 1; w < workers; ++w) threads.emplace_back(worker, w);
  worker(0);
  for (auto& t : threads) t.join();
  for (const auto& e : errors)
    if (!e.empty()) throw Failure(e);
}

// Signs `count` events on `jobs` threads (0: all cores); plan(i) says what event i is. Results are in order.
// RSA keys sign with `padding`.
inline std::vector<ledger::Submission> sign_parallel(std::size_t count, const std::function<Planned(std::size_t)>& plan,
                                                     const Signer& person, const Signer* organisation,
                                                     unsigned jobs = 0,
                                                     signing::RsaPadding padding = signing::RsaPadding::pss) {
  std::vector<ledger::Submission> out(count);
  const unsigned workers = worker_count(count, jobs);
  std::vector<std::optional<LoadedSigner>> persons(workers), organisations(workers);
  run_parallel(
      count, workers,
      [&](unsigned w) {
        persons[w].emplace(person, padding);
        if (organisation) organisations[w].emplace(*organisation, padding);
      },
      [&](unsigned w, std::size_t i) {
        Planned e = plan(i);
        if (e.organisation && !organisations[w])
          throw Failure("an organisation signature was planned but no organisation signer given");
        out[i] = sign_act(e.act, *persons[w], e.organisation ? &*organisations[w] : nullptr);
      });
  return out;
}

inline std::size_t signature_count(const std::vector<ledger::Submission>& events) {
  std::size_t n = 0;
  for (const auto& e : events) n += e.event.signatures.size();
  return n;
}

inline constexpr const char* kProfile = "hoa-binh-2023";

// Where create_ledger keeps the operator's key of a benchmark ledger: with the benchmark's test PKI, outside the
// ledger, unencrypted (a benchmark key, like the PKI's).
inline fs::path operator_key_file(const fs::path& pki_dir) { return pki_dir / "operator.key"; }

// A ledger with its admission rules, opened from `dir` with the operator key kept in `pki_dir`.
struct BenchLedger {
  std::unique_ptr<ledger::Ledger> ledger;
  std::unique_ptr<ledger::Admission> admission;

  static BenchLedger open(const fs::path& dir, const fs::path& pki_dir) {
    BenchLedger b;
    b.ledger = unwrap(ledger::Ledger::open(dir), "opening the ledger");
    auto key = unwrap(signing::Ed25519Key::load(operator_key_file(pki_dir).string()), "the operator key");
    unwrap(b.ledger->use_operator_key(std::make_shared<const signing::Ed25519Key>(std::move(key))), "the operator key");
    b.admission = unwrap(projections::make_admission(kProfile), "admission rules");
    return b;
  }
  std::vector<std::uint64_t> append(const std::vector<ledger::Submission>& events) {
    return unwrap(ledger->append(events, *admission), "append");
  }
};

// The people of a benchmark ledger: an administrator, the commune chairman (person) and the commune office
// (organisation), all under one root of one key algorithm.
struct Cast {
  Signer admin, person, organisation;
};

// Issues the cast from `pki` (into its directory), creates a ledger in `dir` trusting its root with `admin` as
// administrator, and binds the person and the organisation (entries 0 and 1), as tests/support.hpp's TestLedger.
inline std::pair<Cast, BenchLedger> create_ledger(const fs::path& dir, BenchPki& pki) {
  Cast cast{pki.issue("admin"), pki.issue("chair"), pki.issue("office")};
  ledger::InitOptions o;
  o.dir = dir;
  o.profile = kProfile;
  o.roots = {pki.root().certificate_der};
  o.administrator = cast.admin.certificate;
  auto key = unwrap(signing::Ed25519Key::generate(), "the operator key");
  unwrap(key.save(operator_key_file(pki.dir()).string(), std::nullopt), "the operator key");
  o.operator_key = std::make_shared<const signing::Ed25519Key>(std::move(key));
  unwrap(ledger::Ledger::init(o), "ledger init");
  BenchLedger b = BenchLedger::open(dir, pki.dir());
  LoadedSigner admin(cast.admin);
  b.append(
      {sign_act(bind_act(cast.person, "person"), admin), sign_act(bind_act(cast.organisation, "organisation"), admin)});
  return {std::move(cast), std::move(b)};
}

// The same with a PKI of its own, of one key algorithm, in `pki_dir`.
inline std::pair<Cast, BenchLedger> create_ledger(const fs::path& dir, const fs::path& pki_dir,
                                                  const std::string& algorithm) {
  BenchPki pki(pki_dir, algorithm);
  return create_ledger(dir, pki);
}

// The cast of a ledger made by create_ledger, read back from `pki_dir`.
inline Cast load_cast(const fs::path& pki_dir) {
  return {load_signer(pki_dir, "admin"), load_signer(pki_dir, "chair"), load_signer(pki_dir, "office")};
}

// Appends `events` in batches of `batch`; returns the wall-clock seconds spent inside Ledger::append.
inline double append_in_batches(BenchLedger& b, const std::vector<ledger::Submission>& events, std::size_t batch) {
  double seconds = 0;
  std::vector<ledger::Submission> chunk;
  for (std::size_t i = 0; i < events.size(); i += batch) {
    chunk.assign(events.begin() + static_cast<std::ptrdiff_t>(i),
                 events.begin() + static_cast<std::ptrdiff_t>(std::min(events.size(), i + batch)));
    const auto t0 = Clock::now();
    b.append(chunk);
    seconds += seconds_since(t0);
  }
  return seconds;
}

}  // namespace antq::bench
