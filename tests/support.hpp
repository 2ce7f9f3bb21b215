// Test support: temporary directories, a test PKI, a ledger with bound signers, and corruption helpers.
// Keys and certificates are made fresh for every run (signing::issue_certificate); none is checked in.
#pragma once

#include <lmdb.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli/signer.hpp"
#include "ledger/ledger.hpp"
#include "projections/admission.hpp"
#include "projections/profile.hpp"
#include "signing/signing.hpp"

namespace antq::test {

namespace fs = std::filesystem;
using nlohmann::json;

// A fresh directory under $TMPDIR, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "antq-test-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

inline std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
inline void write_file(const fs::path& p, std::string_view content) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << content;
}

// A signer's key and certificate files.
struct Identity {
  cli::SignerSpec files;
  Bytes certificate;
  Digest fingerprint{};
};

// A root CA and signers under it, written to `dir`.
class Pki {
 public:
  explicit Pki(const fs::path& dir) : dir_(dir) {
    fs::create_directories(dir_);
    const signing::UnixTime now = signing::now();
    signing::CertificateRequest ca;
    ca.common_name = "Test Root CA";
    ca.organisation = "antq tests";
    ca.not_before = now - 400 * 86400;
    ca.not_after = now + 3650 * 86400;
    ca.is_ca = true;
    auto root = signing::issue_certificate(ca, nullptr);
    REQUIRE(root);
    root_ = std::move(*root);
    write_file(roots_pem(), signing::certificate_to_pem(root_.certificate_der));
  }
  fs::path roots_pem() const { return dir_ / "roots.pem"; }
  const signing::IssuedCertificate& root() const { return root_; }

  // A signer certificate issued by the root (or self-signed with `self_signed`), valid around now by default.
  Identity issue(const std::string& name, signing::CertificateRequest request = {}, bool self_signed = false) {
    const signing::UnixTime now = signing::now();
    if (request.common_name.empty()) request.common_name = name;
    if (request.organisation.empty()) request.organisation = "antq tests";
    if (request.not_before == 0) request.not_before = now - 365 * 86400;
    if (request.not_after == 0) request.not_after = now + 365 * 86400;
    auto issued = signing::issue_certificate(request, self_signed ? nullptr : &root_);
    REQUIRE(issued);
    Identity id{{(dir_ / (name + ".key")).string(), (dir_ / (name + ".crt")).string()}, issued->certificate_der,
                sha256(issued->certificate_der)};
    write_file(id.files.key, issued->private_key_pem);
    write_file(id.files.cert, signing::certificate_to_pem(issued->certificate_der));
    return id;
  }

 private:
  fs::path dir_;
  signing::IssuedCertificate root_;
};

#ifdef ANTQ_BINARY
inline const std::string kAntq = ANTQ_BINARY;  // the antq program the tests run
#endif
#ifdef ANTQ_PDF_FIXTURE
inline const std::string kPdfFixture = ANTQ_PDF_FIXTURE;  // tools/pdf-fixture.cpp's program
#endif

inline const json kCommune = {{"level", "commune"}, {"unit", "UBND xã Tân Lập"}};

// The Ministry baseline's steps before the establishment decision, in order (domain.md §2; Hòa Bình 000 §III.1).
inline const std::vector<std::string> kBaselineSteps = {"survey.plan-approved", "survey.reported",
                                                        "model.proposed",       "model.policy-issued",
                                                        "model.implementation-issued", "model.consulted"};

// An act of `kind` for `subject`, by the commune.
inline json make_act(const std::string& kind, const std::string& subject, const std::string& date, json data = json::object(),
                     const json& authority = kCommune) {
  return json{{"act", kind},
              {"subject", subject},
              {"date", date},
              {"document", {{"number", "1/" + kind}, {"title", kind}, {"issuer", authority["unit"]}}},
              {"authority", authority},
              {"data", std::move(data)}};
}

// The acts that found model `id` as the Ministry baseline, Hòa Bình, Bình Thuận and Kon Tum want it: the six steps
// of kBaselineSteps on the six days before `date` (the proposal carrying the description of `data`), then the
// establishment decision of `date` with `data` (name, type, teams ...), all by `unit`. Sign each, with the
// organisation's signature on decisions (projections::is_decision_act), in this order.
inline std::vector<json> founding_acts(const std::string& id, const std::string& date, const json& data,
                                       const json& unit = kCommune) {
  using namespace std::chrono;
  const year_month_day day{year{std::stoi(date.substr(0, 4))}, month{static_cast<unsigned>(std::stoi(date.substr(5, 2)))},
                           std::chrono::day{static_cast<unsigned>(std::stoi(date.substr(8, 2)))}};
  json proposal = json::object();
  for (const char* key : {"name", "type", "area", "movement", "security_content", "point_of", "members"})
    if (data.contains(key)) proposal[key] = data[key];
  std::vector<json> acts;
  const int n = static_cast<int>(kBaselineSteps.size());
  for (int i = 0; i < n; ++i) {
    const year_month_day d{sys_days{day} - days{n - i}};
    const std::string when = std::to_string(static_cast<int>(d.year())) + "-" +
                             (static_cast<unsigned>(d.month()) < 10 ? "0" : "") + std::to_string(static_cast<unsigned>(d.month())) +
                             "-" + (static_cast<unsigned>(d.day()) < 10 ? "0" : "") + std::to_string(static_cast<unsigned>(d.day()));
    const std::string& step = kBaselineSteps[i];
    acts.push_back(make_act(step, id, when, step == "model.proposed" ? proposal : json::object(), unit));
  }
  acts.push_back(make_act("model.established", id, date, data, unit));
  return acts;
}

// The approval of a survey plan for `subject` (a decision) with one attachment, item 1, the file `path` of
// `media_type`.
inline json decision_with(const fs::path& path, const std::string& media_type = "application/pdf",
                          const std::string& subject = "MS-PDF") {
  json act = make_act("survey.plan-approved", subject, "2023-03-01", {{"purpose", "khảo sát tình hình ANTT"}});
  act["attachments"] = json::array({{{"item", "1"}, {"media_type", media_type}, {"path", path.string()}}});
  return act;
}

// A yearly rating's data: `level` with a share of targets met that fits it.
inline json rating(int year, const std::string& level) {
  static const std::map<std::string, int> pct = {{"good", 95}, {"fair", 80}, {"average", 60}, {"weak", 40}};
  return {{"year", year}, {"level", level}, {"targets_met_pct", pct.at(level)}};
}

// The built-in rule profile `id` (projections/profiles/); fails the test when there is none.
inline const projections::Profile& builtin(const std::string& id) {
  auto p = projections::builtin_profile(id);
  if (!p) FAIL(p.error().line());
  return **p;
}

inline json bind_act(const Identity& who, const std::string& role, const json& unit = kCommune, const std::string& date = "2023-01-02",
                     const std::string& from = "2023-01-01") {
  return json{{"act", "authority.bound"}, {"subject", "ledger"}, {"date", date},
              {"data", {{"certificate", to_hex(who.fingerprint)}, {"role", role}, {"unit", unit["unit"]},
                        {"level", unit["level"]}, {"from", from}}}};
}

// Signs `act` by `person` (and `org`) into a submission.
inline ledger::Submission sign(const json& act, const Identity& person, const Identity* org = nullptr,
                               signing::SignOptions options = {}) {
  auto input = ledger::act_from_json(act, "act", ".");
  if (!input) FAIL(input.error().line());
  auto s = cli::unsigned_submission(std::move(*input));
  auto r = cli::add_signature(s, ledger::Role::person, person.files, options, cli::UnencryptedKey::quiet);
  REQUIRE(r);
  if (org) REQUIRE(cli::add_signature(s, ledger::Role::organisation, org->files, options, cli::UnencryptedKey::quiet));
  return s;
}

// Fails the test with the error's one line when `r` holds an error.
template <class T>
void require_ok(const Result<T>& r) {
  if (!r) FAIL(r.error().line());
}

// A new operator key (Ed25519), kept in memory: what a ledger's InitOptions and Ledger::use_operator_key take.
inline std::shared_ptr<const signing::Ed25519Key> new_operator_key() {
  auto key = signing::Ed25519Key::generate();
  REQUIRE(key);
  return std::make_shared<const signing::Ed25519Key>(std::move(*key));
}

// ANTQ_OPERATOR_KEY set to `file` while this object lives, as an operator sets it: the antq commands a test runs
// find the operator key of its ledger there. (Under ctest each test case runs in a process of its own.)
class OperatorKeyVariable {
 public:
  explicit OperatorKeyVariable(const fs::path& file) { setenv("ANTQ_OPERATOR_KEY", file.c_str(), 1); }
  ~OperatorKeyVariable() { unsetenv("ANTQ_OPERATOR_KEY"); }
  OperatorKeyVariable(const OperatorKeyVariable&) = delete;
  OperatorKeyVariable& operator=(const OperatorKeyVariable&) = delete;
};

// `output` without its warning lines (those starting "warning: "), each line left ending in a line feed: what is
// left of a refusal is its one line.
inline std::string without_warnings(const std::string& output) {
  std::string out;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);)
    if (!line.starts_with("warning: ") && !line.starts_with("cảnh báo: ")) out += line + "\n";
  return out;
}

// Opens the ledger in `dir` with `key` for appending.
inline std::unique_ptr<ledger::Ledger> open_ledger(const fs::path& dir,
                                                   const std::shared_ptr<const signing::Ed25519Key>& key) {
  auto l = ledger::Ledger::open(dir);
  if (!l) FAIL(l.error().line());
  require_ok((*l)->use_operator_key(key));
  return std::move(*l);
}

// A unit's chairman (person) and office (organisation), both bound to `unit` by the administrator.
struct UnitSigners {
  json unit;  // {"level", "unit"}, as in kCommune
  Identity person, office;
};

// The profile file a TestLedger keeps from init: today's (as antq init stores it), the frozen format-1 file of its
// id (a ledger made before issue 21), or none (a ledger made before profiles were stored: judged by that frozen file).
enum class StoredProfile { today, format1, none };

// A ledger with an administrator, a commune chairman (person) and the commune office (organisation) bound, under
// rule profile `profile_id` (domain.md §9; default hoa-binh-2023). The office's key is RSA-2048 unless
// `office_key` names another algorithm (e.g. "p256": generating an RSA key costs ~0.2 s).
class TestLedger {
 public:
  explicit TestLedger(std::string profile_id = "hoa-binh-2023", std::string office_key = "rsa2048",
                      StoredProfile stored = StoredProfile::today, std::optional<std::string> profile_text = std::nullopt)
      : pki(tmp / "pki"), profile(std::move(profile_id)) {
    admin = pki.issue("admin");
    chair = pki.issue("chair");
    signing::CertificateRequest office_request;
    office_request.key_algorithm = std::move(office_key);
    office = pki.issue("office", office_request);
    ledger::InitOptions o;
    o.dir = dir();
    o.profile = profile;
    // Stored as antq init stores it: the ledger is judged by today's file of `profile` (or as `stored` says).
    // `profile_text`, when given, is stored instead: a profile file of id `profile_id` as a test changed it.
    const std::string_view text = profile_text                        ? std::string_view(*profile_text)
                                  : stored == StoredProfile::format1 ? projections::frozen_format1_text(profile)
                                                                     : projections::builtin_profile_text(profile);
    if (stored != StoredProfile::none) o.profile_document.assign(text.begin(), text.end());
    o.roots = {pki.root().certificate_der};
    o.administrator = admin.certificate;
    o.operator_key = operator_key;
    require_ok(ledger::Ledger::init(o));
    reopen();
    require_ok(append({sign(bind_act(chair, "person"), admin), sign(bind_act(office, "organisation"), admin)}));
  }
  fs::path dir() const { return tmp / "ledger"; }
  // The operator key, written unencrypted (a test key) to a file beside the ledger on the first call, for the antq
  // commands a test runs on this ledger (--operator-key).
  fs::path operator_key_file() {
    const fs::path file = tmp / "operator.key";
    if (!fs::exists(file)) require_ok(operator_key->save(file.string(), std::nullopt));
    return file;
  }
  void reopen() {
    ledger.reset();
    ledger = open_ledger(dir(), operator_key);
    auto a = projections::make_admission(*ledger);
    REQUIRE(a);
    admission = std::move(*a);
  }
  Result<std::vector<std::uint64_t>> append(const std::vector<ledger::Submission>& events) {
    return ledger->append(events, *admission);
  }
  Result<std::vector<std::uint64_t>> record(const json& act, bool with_org = true) {
    return append({sign(act, chair, with_org ? &office : nullptr)});
  }
  // Appends `act` signed by the commune chairman, and by the office too when it is a decision (domain.md §10
  // `authority`); fails the test naming the refusal otherwise.
  void admit(const json& act) {
    auto r = record(act, projections::is_decision_act(act["act"].get<std::string>()));
    if (!r) FAIL(r.error().line());
  }
  // Founds model `id` by the commune through the baseline's steps (founding_acts).
  void found(const std::string& id, const std::string& date, const json& data) {
    for (const json& act : founding_acts(id, date, data)) admit(act);
  }
  // Binds the commune's chairman and office from `from` too, for acts dated before 2023 (records kept for years).
  void bind_commune_from(const std::string& from) {
    require_ok(append({sign(bind_act(chair, "person", kCommune, "2023-01-02", from), admin),
                       sign(bind_act(office, "organisation", kCommune, "2023-01-02", from), admin)}));
  }
  // Issues a chairman's and an office's certificate for `unit` (e.g. a district or province People's Committee)
  // and binds them from 2023-01-01, as the commune's are.
  UnitSigners bind_unit(const std::string& name, const json& unit) {
    UnitSigners u{unit, pki.issue(name + " chair"), pki.issue(name + " office")};
    require_ok(append({sign(bind_act(u.person, "person", unit), admin), sign(bind_act(u.office, "organisation", unit), admin)}));
    return u;
  }
  // `act` signed by the person of `by` (and its office, for decisions).
  Result<std::vector<std::uint64_t>> record(const UnitSigners& by, const json& act, bool with_org = true) {
    return append({sign(act, by.person, with_org ? &by.office : nullptr)});
  }
  ledger::VerifyReport verify(std::optional<std::string> checkpoint = std::nullopt) {
    auto replay = projections::make_admission(*ledger);
    REQUIRE(replay);
    ledger::VerifyOptions o;
    o.checkpoint = std::move(checkpoint);
    return ledger->verify(o, **replay);
  }
  std::string data_bytes() const { return read_file(dir() / "data.mdb"); }

  TempDir tmp;
  Pki pki;
  Identity admin, chair, office;
  std::shared_ptr<const signing::Ed25519Key> operator_key = new_operator_key();  // kept apart from dir()
  std::unique_ptr<ledger::Ledger> ledger;
  std::unique_ptr<ledger::Admission> admission;
  std::string profile;  // the rule profile of init, of the admission and of verify's replay
};

// Checks that `t`'s ledger verifies, with the first failure's reason when it does not.
inline void verified(TestLedger& t) {
  auto report = t.verify();
  INFO((report.failures.empty() ? std::string() : report.failures.front().reason));
  CHECK(report.ok);
}

// Runs a shell command; returns its exit status and puts stdout+stderr into `output`.
inline int run(const std::string& command, std::string* output = nullptr) {
  std::string full = command + " 2>&1";
  FILE* p = popen(full.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  int status = pclose(p);
  if (output) *output = out;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline std::string quote(const fs::path& p) { return "'" + p.string() + "'"; }

// Runs `edit` in one write transaction on LMDB database `name` of the ledger in `dir`, through LMDB directly, as
// anybody with file access could. The ledger must not be open in this process (LMDB allows one environment each).
inline void edit_database(const fs::path& dir, const char* name, const std::function<void(MDB_txn*, MDB_dbi)>& edit) {
  MDB_env* env = nullptr;
  REQUIRE(mdb_env_create(&env) == 0);
  mdb_env_set_maxdbs(env, 16);
  REQUIRE(mdb_env_open(env, dir.c_str(), 0, 0640) == 0);
  MDB_txn* txn = nullptr;
  REQUIRE(mdb_txn_begin(env, nullptr, 0, &txn) == 0);
  MDB_dbi dbi;
  REQUIRE(mdb_dbi_open(txn, name, 0, &dbi) == 0);
  edit(txn, dbi);
  REQUIRE(mdb_txn_commit(txn) == 0);
  mdb_env_close(env);
}

// An MDB_val over `s`: a literal, or a string that outlives the MDB_val.
inline MDB_val mval(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }

}  // namespace antq::test
