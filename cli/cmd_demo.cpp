// antq demo: a demo ledger, built with a demo PKI and shown as a newcomer should see it. First a commune's model
// from its survey to its first rating, one act at a time; then a fictional district at scale (tools/generator,
// Hòa Bình profile, three evaluation years up to today) with a few unlawful acts refused; then verification, a
// checkpoint, a proof, an exported bundle, the statistics, the worst dossier gaps and the audit findings; last, the
// district's units before and after the 2025 reorganisation (a registry, two communes merged, the district abolished).
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <map>

#include "cli/common.hpp"
#include "cli/csv.hpp"
#include "cli/display.hpp"
#include "cli/handover.hpp"
#include "cli/queries.hpp"
#include "cli/report.hpp"
#include "cli/signer.hpp"
#include "ledger/bundle.hpp"
#include "ledger/ledger.hpp"
#include "ledger/merkle.hpp"
#include "projections/admission.hpp"
#include "projections/audit.hpp"
#include "projections/dossier.hpp"
#include "projections/handover.hpp"
#include "projections/profile.hpp"
#include "projections/report.hpp"
#include "projections/retention.hpp"
#include "projections/stats.hpp"
#include "tools/generator/district.hpp"

namespace antq::cli {
namespace {

// The demo's prose in the reader's language (po/vi.po); commands, ids, figures and dates as they are.
template <typename... A>
std::string prose(const char* msgid, A&&... args) {
  return i18n::trf(i18n::process_lang(), msgid, std::forward<A>(args)...);
}

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct Identity {
  std::string name;
  SignerSpec files;
  Digest fingerprint{};
};

struct DemoOptions {
  bool district = true;  // false: only the commune's story (--commune-only), a few seconds less
};

// The demo's ledger, its PKI and the files it writes, built step by step; each step prints what it did.
class Demo {
 public:
  Demo(fs::path root, DemoOptions options)
      : root_(std::move(root)), pki_(root_ / "pki"), dir_(root_ / "ledger"), acts_(root_ / "acts"),
        bundle_(root_ / "bundle"), options_(options) {}

  int run();
  // What antq demo --json prints after a run that ended with `code`: where everything is and what was checked.
  nlohmann::json summary(int code) const;

 private:
  Status make_pki();
  Status make_ledger();
  Status commune_story();
  Status district();
  Status unlawful_acts();
  Status archive_story();
  Status units_story();
  int verify_and_prove();
  Status read_it();

  // A certificate of the demo CA and its key, in pki/`file`.{crt,key}; a TLS server's when `tls_server_names` are
  // given (signing::CertificateRequest).
  Result<Identity> identity(const std::string& file, std::string common_name, std::string organisation,
                            std::string algorithm, const signing::IssuedCertificate& ca,
                            std::vector<std::string> tls_server_names = {});
  // `act` written to acts/`file` (so a reader can look at it and sign it again), signed by `person` and, when
  // given, `org`.
  Result<ledger::Submission> signed_act(const std::string& file, const json& act, const Identity& person,
                                        const Identity* org);
  // An act that must be refused: prints what it tries and the refusal, and notes when it was admitted instead.
  void try_unlawful(const std::string& what, const std::string& file, const json& act, const Identity& person,
                    const Identity* org);

  fs::path operator_key_file() const { return pki_ / "operator.key"; }

  const fs::path root_, pki_, dir_, acts_, bundle_;
  const DemoOptions options_;
  const signing::UnixTime now_ = signing::now();
  const std::string today_ = vietnam_today();
  std::optional<signing::IssuedCertificate> ca_;
  std::map<std::string, Identity> people_;                            // admin, chair, office, police, server, inspector
  std::map<std::string, std::pair<Identity, Identity>> unit_signers_;  // district unit -> (person, organisation)
  // The generator's units (level, the days its people sign, its successor), by name.
  std::map<std::string, generator::SigningUnit> units_;
  // The district's generator options (today's three evaluation years; the hierarchy and the 2025 reorganisation).
  generator::Options district_options() const;
  // The authority that acts on `date` for what `authority` founded: itself, or the unit that took over once it has
  // ceased (the 2025 reorganisation, units_).
  json competent(const json& authority, const std::string& date) const;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::unique_ptr<ledger::Admission> admission_;
  std::vector<generator::GeneratedAct> generated_;
  std::uint64_t established_seq_ = 0;
  int last_closed_year_ = 0;  // the latest evaluation year that has ended (district only)
  bool unexpected_ = false;  // an unlawful act was admitted
};

constexpr const char* kStorySubject = "MS-TL-TDCTQ";
constexpr const char* kReplicated = "YT-M01";
// The 2025 reorganisation of the district's units (generator::Options::reorganise_on, docs/rules.md).
constexpr const char* kReorganised = "2025-07-01";
constexpr const char* kReorganisedCommune = generator::kReorganisedCommune;
constexpr const char* kDistrict = "UBND huyện Yên Thủy";

Result<Identity> Demo::identity(const std::string& file, std::string common_name, std::string organisation,
                                std::string algorithm, const signing::IssuedCertificate& ca,
                                std::vector<std::string> tls_server_names) {
  signing::CertificateRequest r;
  r.tls_server_names = std::move(tls_server_names);
  r.common_name = std::move(common_name);
  r.organisation = std::move(organisation);
  r.key_algorithm = std::move(algorithm);
  r.not_before = now_ - 365 * 86400;
  r.not_after = now_ + 2 * 365 * 86400;
  auto issued = signing::issue_certificate(r, &ca);
  if (!issued) return std::unexpected(issued.error());
  Identity id{r.common_name, {(pki_ / (file + ".key")).string(), (pki_ / (file + ".crt")).string()},
              sha256(issued->certificate_der)};
  std::ofstream(id.files.key) << issued->private_key_pem;
  std::ofstream(id.files.cert) << signing::certificate_to_pem(issued->certificate_der);
  fs::permissions(id.files.key, fs::perms::owner_read | fs::perms::owner_write);
  return id;
}

Result<ledger::Submission> Demo::signed_act(const std::string& file, const json& act, const Identity& person,
                                            const Identity* org) {
  const fs::path path = acts_ / file;
  std::ofstream(path) << act.dump(2) << "\n";
  auto input = read_act(path);
  if (!input) return std::unexpected(input.error());
  auto submission = unsigned_submission(std::move(*input));
  submission.label = file;
  // The demo's keys are test keys, unencrypted on purpose: no warning for each of its thousands of signatures.
  if (auto s = add_signature(submission, ledger::Role::person, person.files, {}, UnencryptedKey::quiet); !s)
    return std::unexpected(s.error());
  if (org)
    if (auto s = add_signature(submission, ledger::Role::organisation, org->files, {}, UnencryptedKey::quiet); !s)
      return std::unexpected(s.error());
  return submission;
}

Status Demo::make_pki() {
  std::cout << prose("== 1. A demo PKI ({}; test keys, for demonstration only)", pki_.string()) << "\n";
  signing::CertificateRequest ca_req;
  ca_req.common_name = "antq demo root CA";
  ca_req.organisation = "antq-ledger demo";
  ca_req.not_before = now_ - 365 * 86400;
  ca_req.not_after = now_ + 10 * 365 * 86400;
  ca_req.is_ca = true;
  auto ca = signing::issue_certificate(ca_req, nullptr);
  if (!ca) return std::unexpected(ca.error());
  ca_ = std::move(*ca);
  std::ofstream(pki_ / "roots.pem") << signing::certificate_to_pem(ca_->certificate_der);
  struct Person {
    const char *file, *name, *org, *algorithm;
  };
  for (const Person& p : {Person{"admin", "Quản trị sổ cái (demo)", "Công an huyện Minh Sơn", "p256"},
                          Person{"chair", "Nguyễn Văn An, Chủ tịch UBND xã Tân Lập", "UBND xã Tân Lập", "p256"},
                          Person{"office", "UBND xã Tân Lập", "UBND xã Tân Lập", "rsa2048"},
                          Person{"police", "Trần Thị Bình, Trưởng Công an xã Tân Lập", "Công an xã Tân Lập", "p256"}}) {
    auto id = identity(p.file, p.name, p.org, p.algorithm, *ca_);
    if (!id) return std::unexpected(id.error());
    std::cout << fmt::format("   {:<44} {}…\n", id->name, to_hex(ByteView(id->fingerprint.data(), 8)));
    people_.emplace(p.file, std::move(*id));
  }
  // For antq serve: its TLS certificate, and a provincial inspector who reads once an access.granted act names her.
  auto server = identity("server", "localhost", "antq-ledger demo service", "p256", *ca_,
                         {"DNS:localhost", "IP:127.0.0.1", "IP:::1"});
  if (!server) return std::unexpected(server.error());
  people_.emplace("server", std::move(*server));
  auto inspector = identity("inspector", "Lê Thị Cúc, Thanh tra Công an tỉnh (demo)", "Công an tỉnh Hòa Bình", "p256", *ca_);
  if (!inspector) return std::unexpected(inspector.error());
  people_.emplace("inspector", std::move(*inspector));
  std::cout << prose(
                   "   and for antq serve: its TLS certificate (pki/server.crt, for localhost) and an inspector's\n"
                   "   client certificate (pki/inspector.crt)")
            << "\n";
  if (!options_.district) return {};
  int n = 0;
  for (const auto& su : generator::signing_units(district_options())) {
    const auto& unit = su.authority;
    units_.emplace(unit.unit, su);
    const std::string file = fmt::format("unit-{:02}", n++);
    auto person = identity(file + "-person", "Chủ tịch " + unit.unit, unit.unit, "p256", *ca_);
    if (!person) return std::unexpected(person.error());
    auto org = identity(file + "-organisation", unit.unit, unit.unit, n == 1 ? "rsa2048" : "p256", *ca_);
    if (!org) return std::unexpected(org.error());
    unit_signers_.emplace(unit.unit, std::pair{std::move(*person), std::move(*org)});
  }
  std::cout << prose(
                   "   and a chairman and an office for each of the {} units of the district of Yên Thủy "
                   "(pki/unit-*.crt)",
                   unit_signers_.size())
            << "\n";
  return {};
}

Status Demo::make_ledger() {
  std::cout << "\n" << prose("== 2. A new ledger ({}, profile hoa-binh-2023)", dir_.string()) << "\n";
  ledger::InitOptions init;
  init.dir = dir_;
  init.profile = "hoa-binh-2023";
  std::string_view profile_text = projections::builtin_profile_text(init.profile);
  init.profile_document.assign(profile_text.begin(), profile_text.end());
  init.origin = "antq-ledger.demo/minh-son";
  init.roots = {ca_->certificate_der};
  init.administrator = *signing::read_certificates(people_.at("admin").files.cert)->begin();
  // The operator's key, a test key as the demo PKI's are: unencrypted, beside them, and never in the ledger.
  auto key = signing::Ed25519Key::generate();
  if (!key) return std::unexpected(key.error());
  init.operator_key = std::make_shared<const signing::Ed25519Key>(std::move(*key));
  if (auto s = init.operator_key->save(operator_key_file().string(), std::nullopt); !s) return s;
  auto vkey = ledger::Ledger::init(init);
  if (!vkey) return std::unexpected(vkey.error());
  std::cout << prose("   operator key: {}", *vkey) << "\n"
            << prose("   (its private key, a test key: {}, outside the ledger)", operator_key_file().string()) << "\n";
  auto ledger = ledger::Ledger::open(dir_);
  if (!ledger) return std::unexpected(ledger.error());
  if (auto s = (*ledger)->use_operator_key(init.operator_key); !s) return s;
  ledger_ = std::move(*ledger);
  auto admission = projections::make_admission(*ledger_);
  if (!admission) return std::unexpected(admission.error());
  admission_ = std::move(*admission);
  return {};
}

// The administrator's act that binds `who` to `role` of `unit` (authority.bound, acts.md).
json binding(const Identity& who, const char* role, const std::string& level, const std::string& unit,
             const std::string& title, const char* date) {
  return json{{"act", "authority.bound"}, {"subject", "ledger"}, {"date", date},
              {"document", {{"number", "01/QĐ-CAH"}, {"title", "Đăng ký chữ ký số"}, {"issuer", "Công an huyện Minh Sơn"}}},
              {"data", {{"certificate", to_hex(who.fingerprint)}, {"role", role}, {"unit", unit}, {"level", level},
                        {"title", title}, {"from", std::string(date).substr(0, 8) + "01"}}}};
}

Status Demo::commune_story() {
  const json commune = {{"level", "commune"}, {"unit", "UBND xã Tân Lập"}};
  const json police_unit = {{"level", "commune"}, {"unit", "Công an xã Tân Lập"}};
  auto act = [&](const char* kind, const char* date, const char* number, const char* title, const json& authority, json data) {
    return json{{"act", kind}, {"subject", kStorySubject}, {"date", date},
                {"document", {{"number", number}, {"title", title}, {"issuer", authority["unit"]}}},
                {"authority", authority}, {"data", std::move(data)}};
  };
  std::ofstream(acts_ / "qd-15.txt") << "QUYẾT ĐỊNH thành lập mô hình Tổ dân cư tự quản về ANTT thôn Đồng Tâm (demo)\n";
  json established = act("model.established", "2023-03-01", "15/QĐ-UBND",
                         "Quyết định thành lập mô hình Tổ dân cư tự quản về ANTT", commune,
                         {{"name", "Tổ dân cư tự quản về ANTT"}, {"type", "self-managed"}, {"area", "Thôn Đồng Tâm"},
                          {"teams", 4}, {"members", 23}});
  established["attachments"] = json::array({{{"item", "6"}, {"path", "qd-15.txt"}, {"media_type", "text/plain"}}});
  struct Step {
    json act;
    const Identity* person;
    const Identity* org;
  };
  const Identity *a = &people_.at("admin"), *c = &people_.at("chair"), *o = &people_.at("office"),
                 *p = &people_.at("police");
  const std::vector<Step> steps = {
      {binding(*c, "person", "commune", "UBND xã Tân Lập", "Chủ tịch UBND xã", "2023-01-02"), a, nullptr},
      {binding(*o, "organisation", "commune", "UBND xã Tân Lập", "Văn thư UBND xã", "2023-01-02"), a, nullptr},
      {binding(*p, "person", "commune", "Công an xã Tân Lập", "Trưởng Công an xã", "2023-01-02"), a, nullptr},
      {act("survey.plan-approved", "2023-01-05", "02/KH-UBND", "Kế hoạch khảo sát", commune, {{"purpose", "Khảo sát tình hình ANTT thôn Đồng Tâm"}}), c, o},
      {act("survey.reported", "2023-01-20", "05/BC-CAX", "Báo cáo kết quả khảo sát", police_unit, {{"findings", "Cần mô hình tự quản"}}), p, nullptr},
      {act("model.proposed", "2023-02-01", "07/BC-CAX", "Báo cáo đề xuất xây dựng mô hình", police_unit,
           {{"name", "Tổ dân cư tự quản về ANTT"}, {"type", "self-managed"}, {"area", "Thôn Đồng Tâm"}, {"field", "residential"}}), p, nullptr},
      {act("model.policy-issued", "2023-02-10", "12-CV/ĐU", "Chủ trương xây dựng mô hình", commune, json::object()), c, o},
      {act("model.implementation-issued", "2023-02-15", "09/KH-UBND", "Kế hoạch triển khai", commune, json::object()), c, o},
      {act("model.consulted", "2023-02-25", "10/BB-CAX", "Biên bản lấy ý kiến", police_unit, json::object()), p, nullptr},
      {established, c, o},
      {act("model.launched", "2023-03-15", "20/BB-UBND", "Biên bản ra mắt", commune, json::object()), c, nullptr},
      {act("model.plan-issued", "2023-11-05", "25/KH-UBND", "Kế hoạch hoạt động năm 2024", commune, {{"year", 2024}, {"targets", 10}}), c, nullptr},
      {act("model.report-filed", "2024-05-10", "30/BC-UBND", "Báo cáo sơ kết 6 tháng", commune, {{"period", "2024-H1"}, {"targets_met", 5}}), c, nullptr},
      {act("model.rated", "2024-11-08", "45/QĐ-UBND", "Quyết định xếp loại mô hình năm 2024", commune,
           {{"year", 2024}, {"level", "good"}, {"targets_met_pct", 92}}), c, o},
  };

  std::cout << "\n"
            << prose("== 3. A commune's model, act by act (each: CMS over the canonical act; decisions signed twice)")
            << "\n";
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const std::string kind = steps[i].act["act"];
    auto submission = signed_act(fmt::format("{:02}-{}.json", i, kind), steps[i].act, *steps[i].person, steps[i].org);
    if (!submission) return std::unexpected(submission.error());
    auto seqs = ledger_->append({*submission}, *admission_);
    if (!seqs) return std::unexpected(seqs.error());
    if (kind == "model.established") established_seq_ = seqs->front();
    print_line(fmt::format("   seq {:<3} {:<28} {:<12} signed by {}{}", seqs->front(), kind,
                           steps[i].act["subject"].get<std::string>(), steps[i].person->name,
                           steps[i].org ? " + " + steps[i].org->name : ""));
  }
  std::cout << "\n" << prose("   A forged act is refused, and nothing is written:") << "\n";
  try_unlawful(
      N_("the commune police chief signs the commune's termination decision"), "forged.json",
      act("model.terminated", "2024-12-01", "99/QĐ", "Quyết định kết thúc (giả mạo)", commune, {{"reason", "giả mạo"}}),
      *p, o);
  return {};
}

// Records and archives (retention.md): an older model of the commune, founded in 2012 and ended in 2019, whose
// file the schedule the ledger holds now says must go to the archive, and a commendation of 2013 whose ten years
// have run out. A hold stops its disposal until released; the lawful disposal destroys the document's bytes.
Status Demo::archive_story() {
  constexpr const char* kOld = "MS-TL-ANXH";
  const json commune = {{"level", "commune"}, {"unit", "UBND xã Tân Lập"}};
  const json police_unit = {{"level", "commune"}, {"unit", "Công an xã Tân Lập"}};
  auto act = [&](const char* kind, const char* subject, const char* date, const char* number, const char* title,
                 const json& authority, json data) {
    return json{{"act", kind}, {"subject", subject}, {"date", date},
                {"document", {{"number", number}, {"title", title}, {"issuer", authority["unit"]}}},
                {"authority", authority}, {"data", std::move(data)}};
  };
  auto with_file = [&](json a, const char* item, const char* file, const std::string& text) {
    std::ofstream(acts_ / file) << text;
    a["attachments"] = json::array({{{"item", item}, {"path", file}, {"media_type", "text/plain"}}});
    return a;
  };
  const Identity *a = &people_.at("admin"), *c = &people_.at("chair"), *o = &people_.at("office"),
                 *p = &people_.at("police");
  const json name = {{"name", "Tổ an ninh xã hội thôn Đồng Tâm"}, {"type", "self-managed"}, {"area", "Thôn Đồng Tâm"}};
  json established = name;
  established["teams"] = 2;
  const std::string commendation = "GIẤY KHEN năm 2013 của Chủ tịch UBND xã Tân Lập tặng Tổ an ninh xã hội (demo)\n";
  struct Step {
    json act;
    const Identity* person;
    const Identity* org;
  };
  const std::vector<Step> steps = {
      {binding(*c, "person", "commune", "UBND xã Tân Lập", "Chủ tịch UBND xã", "2012-01-02"), a, nullptr},
      {binding(*o, "organisation", "commune", "UBND xã Tân Lập", "Văn thư UBND xã", "2012-01-02"), a, nullptr},
      {binding(*p, "person", "commune", "Công an xã Tân Lập", "Trưởng Công an xã", "2012-01-02"), a, nullptr},
      {act("survey.plan-approved", kOld, "2012-02-01", "03/KH-UBND", "Kế hoạch khảo sát", commune, {{"purpose", "Khảo sát"}}), c, o},
      {act("survey.reported", kOld, "2012-02-15", "04/BC-CAX", "Báo cáo khảo sát", police_unit, {{"findings", "Cần mô hình"}}), p, nullptr},
      {act("model.proposed", kOld, "2012-03-01", "05/BC-CAX", "Báo cáo đề xuất", police_unit, name), p, nullptr},
      {act("model.policy-issued", kOld, "2012-03-10", "06-CV/ĐU", "Chủ trương", commune, json::object()), c, o},
      {act("model.implementation-issued", kOld, "2012-03-15", "07/KH-UBND", "Kế hoạch triển khai", commune, json::object()), c, o},
      {act("model.consulted", kOld, "2012-03-20", "08/BB-CAX", "Biên bản lấy ý kiến", police_unit, json::object()), p, nullptr},
      {with_file(act("model.established", kOld, "2012-04-01", "09/QĐ-UBND", "Quyết định thành lập mô hình", commune, established),
                 "6", "qd-09-2012.txt", "QUYẾT ĐỊNH thành lập Tổ an ninh xã hội thôn Đồng Tâm (demo)\n"), c, o},
      {with_file(act("commendation.awarded", kOld, "2013-12-20", "50/QĐ-UBND", "Quyết định tặng giấy khen năm 2013", commune,
                     {{"form", "giay-khen"}, {"level", "commune"}, {"to", "model"}, {"year", 2013}}),
                 "13", "giay-khen-2013.txt", commendation), c, o},
      {with_file(act("model.report-filed", kOld, "2018-06-01", "31/BC-UBND", "Báo cáo đột xuất", commune, {{"period", "adhoc"}}),
                 "10", "bc-dot-xuat-2018.txt", "BÁO CÁO đột xuất về tình hình ANTT thôn Đồng Tâm năm 2018 (demo)\n"), c, nullptr},
      {act("model.termination-reported", kOld, "2019-04-01", "12/BC-UBND", "Báo cáo đề nghị kết thúc", commune, {{"reason", "sáp xếp lại"}}), c, nullptr},
      {act("model.termination-consulted", kOld, "2019-04-15", "13/BB-UBND", "Biên bản lấy ý kiến", commune, {{"reason", "sáp xếp lại"}}), c, nullptr},
      {act("model.terminated", kOld, "2019-05-01", "14/QĐ-UBND", "Quyết định kết thúc mô hình", commune, {{"reason", "sáp xếp lại"}}), c, o},
  };
  std::cout << "\n"
            << prose("== 6. Records and archives: a file closed in 2019, a commendation kept ten years, a hand-over")
            << "\n";
  for (std::size_t i = 0; i < steps.size(); ++i) {
    auto submission = signed_act(fmt::format("archive-{:02}-{}.json", i, steps[i].act["act"].get<std::string>()),
                                 steps[i].act, *steps[i].person, steps[i].org);
    if (!submission) return std::unexpected(submission.error());
    if (auto seqs = ledger_->append({*submission}, *admission_); !seqs) return std::unexpected(seqs.error());
  }
  auto show = [&](const char* when) -> Status {
    auto listing = projections::retention_listing(*ledger_, today_, std::string("UBND xã Tân Lập"));
    if (!listing) return std::unexpected(listing.error());
    print_line(fmt::format("   {} (antq retention --unit 'UBND xã Tân Lập'; schedule {}, every row provisional):", when,
                           listing->schedule ? listing->schedule->schedule.id : "none"));
    for (const auto& r : listing->records)
      if (r.subject == kOld)
        print_line(fmt::format("   {:<22} {:<19} {:<10} {:<9} {:<10}  {}",
                               r.cls == "file" ? "(the file)" : r.act.substr(r.act.find('.') + 1), r.cls,
                               r.years ? fmt::format("{} years", *r.years) : r.period,
                               r.due_kind.empty() ? "" : r.due_kind, r.due.value_or("-"), r.status));
    return {};
  };
  if (auto s = show("Today"); !s) return s;
  const std::string digest = to_hex(sha256(as_bytes(commendation)));
  auto records = [&](const char* kind, const char* date, const char* number, json data) {
    return json{{"act", kind}, {"subject", "ledger"}, {"date", date},
                {"document", {{"number", number}, {"title", "Quyết định về tài liệu lưu trữ"}, {"issuer", "UBND xã Tân Lập"}}},
                {"authority", commune}, {"data", std::move(data)}};
  };
  const std::string day = today_;
  std::cout << "\n"
            << prose("   Disposal is a decision of the unit that keeps the file, judged by the schedule:") << "\n";
  try_unlawful(
      N_("the 2018 ad-hoc report is disposed of before its ten years have run"), "archive-early.json",
      records("record.disposed", day.c_str(), "60/QĐ-UBND",
              {{"attachments", json::array({to_hex(sha256(as_bytes(std::string(
                                   "BÁO CÁO đột xuất về tình hình ANTT thôn Đồng Tâm năm 2018 (demo)\n"))))})}}),
      *c, o);
  auto held = signed_act("archive-hold.json", records("record.held", day.c_str(), "61/QĐ-CAH",
                                                      {{"targets", json::array({kOld})}, {"reason", "thanh tra"}}), *a, nullptr);
  if (!held) return std::unexpected(held.error());
  auto hold = ledger_->append({*held}, *admission_);
  if (!hold) return std::unexpected(hold.error());
  print_line(fmt::format("   seq {:<3} record.held of {} (an inspection)", hold->front(), kOld));
  const json disposal = records("record.disposed", day.c_str(), "62/QĐ-UBND",
                                {{"attachments", json::array({digest})}, {"reason", "hết thời hạn bảo quản 10 năm"}});
  try_unlawful(N_("the 2013 commendation is disposed of while the hold stands"), "archive-held.json", disposal, *c, o);
  auto release = signed_act("archive-release.json",
                            records("record.released", day.c_str(), "63/QĐ-CAH",
                                    {{"targets", json::array({kOld})}, {"hold", hold->front()}}), *a, nullptr);
  if (!release) return std::unexpected(release.error());
  if (auto r = ledger_->append({*release}, *admission_); !r) return std::unexpected(r.error());
  auto lawful = signed_act("archive-disposal.json", disposal, *c, o);
  if (!lawful) return std::unexpected(lawful.error());
  auto disposed = ledger_->append({*lawful}, *admission_);
  if (!disposed) return std::unexpected(disposed.error());
  print_line(fmt::format("   seq {:<3} record.disposed of the 2013 commendation, after the hold was released: its bytes "
                         "left the store in that transaction (the digest {}… stays)", disposed->front(), digest.substr(0, 12)));

  // The hand-over to the agency archive: the list of files, the record, a BagIt bag; then the unit records it.
  const std::string archive = "Lưu trữ cơ quan UBND xã Tân Lập";
  auto h = projections::handover_of(*ledger_, "UBND xã Tân Lập", 2019, today_);
  if (!h) return std::unexpected(h.error());
  const fs::path out = root_ / "giao-nop-2019";
  auto written = write_handover(*ledger_, *h, out.string(), archive);
  if (!written) return std::unexpected(written.error());
  print_line(fmt::format("   antq handover --unit 'UBND xã Tân Lập' --year 2019 -o {}: {} file(s), {} documents",
                         out.string(), h->files.size(), written->documents));
  print_line(fmt::format("      muc-luc-ho-so.html/.csv (the list), bien-ban-giao-nhan.html (the record), bag/ (BagIt, "
                         "Payload-Oxum {}.{}: one verifiable bundle per file)",
                         written->bag.payload_octets, written->bag.payload_files));
  json subjects = json::array();
  for (const auto& f : h->files) subjects.push_back(f.file.subject);
  auto transfer = signed_act("archive-transfer.json",
                             records("archive.transferred", day.c_str(), "64/BB-UBND",
                                     {{"subjects", subjects}, {"archive", archive}}), *c, o);
  if (!transfer) return std::unexpected(transfer.error());
  auto transferred = ledger_->append({*transfer}, *admission_);
  if (!transferred) return std::unexpected(transferred.error());
  print_line(fmt::format("   seq {:<3} archive.transferred of {} to {}", transferred->front(), subjects.dump(), archive));
  return show("After the disposal and the hand-over");
}

void Demo::try_unlawful(const std::string& what, const std::string& file, const json& act, const Identity& person,
                        const Identity* org) {
  const std::uint64_t before = ledger_->size();
  auto submission = signed_act(file, act, person, org);
  auto refused = submission ? ledger_->append({*submission}, *admission_) : std::unexpected(submission.error());
  // `what` is marked N_ where it is written.
  print_line(fmt::format("   - {} ({}):", i18n::Text::word(what).str(i18n::process_lang()),
                         (acts_ / file).filename().string()));
  print_line("     " +
             (refused ? std::string("ADMITTED, which is a bug") : refused.error().line(i18n::process_lang())));
  unexpected_ = unexpected_ || refused.has_value() || ledger_->size() != before;
}

// One line of figures about the generated acts, as a newcomer reads the district.
std::string describe(const std::vector<generator::GeneratedAct>& acts) {
  std::map<std::string, std::size_t> kinds, levels;
  std::size_t models = 0, points = 0;
  for (const auto& g : acts) {
    const std::string kind = g.act["act"];
    ++kinds[kind];
    if (kind == "model.established")
      ++(g.act["data"].contains("point_of") ? points : models);
    if (kind == "model.rated") ++levels[g.act["data"]["level"].get<std::string>()];
  }
  auto count = [](const std::map<std::string, std::size_t>& m, const char* k) {
    auto it = m.find(k);
    return it == m.end() ? std::size_t{0} : it->second;
  };
  return fmt::format(
      "{} models founded and {} points of {} (replicated to {} villages); {} ratings (good {}, fair {}, average {}, "
      "weak {}); {} terminations; {} merge; {} exemplars surveyed, {} recognized",
      models, points, kReplicated, points, count(kinds, "model.rated"), count(levels, "good"), count(levels, "fair"),
      count(levels, "average"), count(levels, "weak"), count(kinds, "model.terminated"), count(kinds, "model.merged"),
      count(kinds, "exemplar.surveyed"), count(kinds, "exemplar.recognized"));
}

generator::Options Demo::district_options() const {
  // Three evaluation years up to today (each runs 1 Nov to 31 Oct), and the plans of the year running now.
  const int year = std::stoi(today_.substr(0, 4)), month = std::stoi(today_.substr(5, 2));
  const int running = month >= 11 ? year + 1 : year;
  generator::Options o;
  o.seed = 2023;
  o.models = 40;
  o.points = 120;
  o.exemplars = 10;
  o.first_year = running - 3;
  o.years = 4;
  o.lapses_pct = 6;
  o.attachments = true;
  o.until = today_;
  // The units in a registry (province, district, communes), and the 2025 reorganisation when the years span it.
  o.registry = true;
  if (today_ >= kReorganised && o.first_year - 2 <= 2025) o.reorganise_on = kReorganised;
  return o;
}

json Demo::competent(const json& authority, const std::string& date) const {
  auto it = units_.find(authority["unit"].get<std::string>());
  if (it == units_.end() || it->second.ceases.empty() || date < it->second.ceases) return authority;
  const auto& successor = units_.at(it->second.successor).authority;
  return json{{"level", successor.level}, {"unit", successor.unit}};
}

Status Demo::district() {
  const int year = std::stoi(today_.substr(0, 4)), month = std::stoi(today_.substr(5, 2));
  const int running = month >= 11 ? year + 1 : year;
  last_closed_year_ = running - 1;
  const generator::Options o = district_options();
  auto acts = generator::district(o);
  if (!acts) return std::unexpected(acts.error());
  generated_ = std::move(*acts);
  std::cout << "\n"
            << prose(
                   "== 4. The district of Yên Thủy at scale: evaluation years {}–{} up to today, {}\n"
                   "   (tools/generator, seed {}; acts of every unit, signed by its chairman and, for decisions, its "
                   "office)",
                   o.first_year, running - 1, today_, o.seed)
            << "\n";
  std::vector<ledger::Submission> binds;
  const Identity& admin = people_.at("admin");
  std::size_t later = 0;
  for (const auto& [unit, signers] : unit_signers_) {
    // The level and the first day from the generator's units: the commune formed on 2025-07-01 signs from that day
    // (its people need their own bindings; those of the units it took over from lapse on that day by themselves).
    const generator::SigningUnit& su = units_.at(unit);
    const std::string& level = su.authority.level;
    const bool from_start = su.from == "2020-01-01";
    later += from_start ? 0 : 1;
    for (const auto& [who, role] : {std::pair{&signers.first, "person"}, std::pair{&signers.second, "organisation"}}) {
      json act = binding(*who, role, level, unit, role == std::string("person") ? "Chủ tịch" : "Văn thư",
                         from_start ? "2020-01-02" : su.from.c_str());
      act["data"]["from"] = su.from;
      auto submission = signed_act(fmt::format("bind-{}-{}.json", to_hex(ByteView(who->fingerprint.data(), 4)), role),
                                   act, admin, nullptr);
      if (!submission) return std::unexpected(submission.error());
      binds.push_back(std::move(*submission));
    }
  }
  if (auto r = ledger_->append(binds, *admission_); !r) return std::unexpected(r.error());
  std::cout << fmt::format("   {} authority.bound acts by the administrator, in one transaction{}\n", binds.size(),
                           later ? fmt::format(" (those of {} from {})", kReorganisedCommune, o.reorganise_on) : "");

  constexpr std::size_t kBatch = 500;
  const fs::path generated_dir = acts_ / "district";
  fs::create_directories(generated_dir);
  const auto started = Clock::now();
  auto progress = progress_printer("append");
  for (std::size_t i = 0; i < generated_.size(); i += kBatch) {
    std::vector<ledger::Submission> batch;
    for (std::size_t j = i; j < std::min(generated_.size(), i + kBatch); ++j) {
      const auto& g = generated_[j];
      if (g.administrator) {  // the unit registry and the reorganisation: the administrator's acts
        auto submission = signed_act(fmt::format("district/{:05}.json", j), g.act, admin, nullptr);
        if (!submission) return std::unexpected(submission.error());
        batch.push_back(std::move(*submission));
        continue;
      }
      const auto& [person, org] = unit_signers_.at(g.act["authority"]["unit"].get<std::string>());
      for (const auto& [path, content] : g.files) {
        fs::create_directories((generated_dir / path).parent_path());
        std::ofstream(generated_dir / path) << content;
      }
      auto submission = signed_act(fmt::format("district/{:05}.json", j), g.act, person, g.decision ? &org : nullptr);
      if (!submission) return std::unexpected(submission.error());
      batch.push_back(std::move(*submission));
    }
    if (auto r = ledger_->append(batch, *admission_); !r) return std::unexpected(r.error());
    if (progress) progress(std::min(generated_.size(), i + kBatch), generated_.size());
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::cout << fmt::format("   {} acts signed and appended in {:.1f} s, in batches of {} (one durable transaction "
                           "each); the ledger has {} entries\n   {}\n",
                           generated_.size(), seconds, kBatch, ledger_->size(), describe(generated_));
  return {};
}

// What the generated record says of each subject, to pick the unlawful acts the demo tries.
struct Seen {
  json authority;  // of the latest act
  json founder;    // of model.established
  std::string last_date, last_act;
  int rated_year = 0;
  std::string rated_level;
  bool closed = false;
};

json district_act(const char* kind, const std::string& subject, const Seen& s, const std::string& date,
                  const char* number, const char* title, json data) {
  return json{{"act", kind}, {"subject", subject}, {"date", date},
              {"document", {{"number", number}, {"title", title}, {"issuer", s.authority["unit"]}}},
              {"authority", s.authority}, {"data", std::move(data)}};
}

Status Demo::unlawful_acts() {
  std::map<std::string, Seen> seen;
  for (const auto& g : generated_) {
    const std::string subject = g.act["subject"], kind = g.act["act"];
    if (g.administrator) continue;  // the registry's acts (subject "ledger")
    Seen& s = seen[subject];
    s.authority = g.act["authority"];
    if (kind == "model.established") s.founder = g.act["authority"];
    s.last_date = g.act["date"];
    s.last_act = kind;
    if (kind == "model.rated") {
      s.rated_year = g.act["data"]["year"];
      s.rated_level = g.act["data"]["level"];
    }
    if (kind == "model.terminated" || kind == "exemplar.ended") s.closed = true;
    if (kind == "model.merged")
      for (const auto& from : g.act["data"]["from"]) seen[from.get<std::string>()].closed = true;
  }
  auto find = [&](auto&& want) -> const std::pair<const std::string, Seen>* {
    for (const auto& entry : seen)
      if (entry.first.find('/') == std::string::npos && want(entry.second)) return &entry;
    return nullptr;
  };
  auto signers = [&](const Seen& s) -> const std::pair<Identity, Identity>& {
    return unit_signers_.at(s.authority["unit"].get<std::string>());
  };
  // The subject as it stands on `date`: acted on by the unit competent then (after the 2025 reorganisation, the
  // commune that took over from a ceased unit), so that each act below breaks only the rule it shows.
  auto on = [&](const Seen& s, const std::string& date) {
    Seen at = s;
    at.authority = competent(s.authority, date);
    return at;
  };
  std::cout << "\n"
            << prose("== 5. Unlawful acts are refused with the rule they break (domain.md §10), and nothing is written")
            << "\n";
  const std::uint64_t before = ledger_->size();
  if (auto* m = find([](const Seen& s) { return s.closed && s.last_act == "model.termination-announced"; })) {
    const auto& [person, org] = signers(m->second);
    try_unlawful(prose("a report for {}, which was terminated", m->first), "unlawful-closed.json",
                 district_act("model.report-filed", m->first, m->second, m->second.last_date, "98/BC-UBND",
                              "Báo cáo kết quả hoạt động của mô hình",
                              {{"period", m->second.last_date.substr(0, 4)}, {"targets_met", 4}}),
                 person, nullptr);
  }
  if (auto* m = find([](const Seen& s) { return !s.closed && (s.rated_level == "fair" || s.rated_level == "average"); })) {
    const Seen now = on(m->second, today_);
    const auto& [person, org] = signers(now);
    try_unlawful(prose("{} replicated, though its latest rating is {}", m->first, m->second.rated_level),
                 "unlawful-replication.json",
                 district_act("model.replicated", m->first, now, today_, "97/QĐ-UBND", "Quyết định nhân rộng mô hình",
                              {{"areas", {"Xóm Mới"}}}),
                 person, &org);
  }
  if (auto* m = find([](const Seen& s) { return !s.closed && s.rated_year > 0; })) {
    const auto& [person, org] = signers(m->second);
    try_unlawful(prose("a second rating of {} for {}", m->first, m->second.rated_year), "unlawful-rating.json",
                 district_act("model.rated", m->first, m->second, m->second.last_date, "96/QĐ-UBND",
                              "Quyết định công nhận mức xếp loại mô hình",
                              {{"year", m->second.rated_year}, {"level", "good"}, {"targets_met_pct", 95}}),
                 person, &org);
  }
  // The chairman of one commune signs in the name of another (a unit that stands today).
  auto standing = [&](const Seen& s) {
    const json a = competent(s.authority, today_);
    return a["level"] == "commune" && a["unit"] != kReorganisedCommune;
  };
  if (auto* m = find([&](const Seen& s) { return !s.closed && standing(s); })) {
    const Seen now = on(m->second, today_);
    const std::string other = now.authority["unit"] == "UBND xã Yên Trị" ? "UBND xã Đoàn Kết" : "UBND xã Yên Trị";
    const auto& [person, org] = unit_signers_.at(other);
    try_unlawful(
        prose("the chairman of {} signs a decision in the name of {}", other, now.authority["unit"].get<std::string>()),
        "unlawful-authority.json",
        district_act("model.terminated", m->first, now, today_, "95/QĐ-UBND", "Quyết định kết thúc mô hình",
                     {{"reason", "không rõ"}}),
        person, &org);
  }
  // After the 2025 reorganisation: the abolished district's chairman and office still sign in its name. Their
  // bindings lapsed on the day the district ceased; its models are now its successor's.
  if (units_.contains(kDistrict) && !units_.at(kDistrict).ceases.empty() && today_ >= kReorganised)
    if (auto* m = find([](const Seen& s) { return !s.closed && s.founder.is_object() && s.founder["unit"] == kDistrict; })) {
      const std::string& ceased = units_.at(kDistrict).ceases;
      const int year = std::stoi(ceased.substr(0, 4));
      const std::string day = fmt::format("{}-11-08", year);
      const auto& [person, org] = unit_signers_.at(kDistrict);
      try_unlawful(prose("the chairman of {} (abolished {}) rates {} on {}, as before the reorganisation", kDistrict,
                         ceased, m->first, day),
                   "unlawful-abolished.json",
                   district_act("model.rated", m->first,
                                [&] {
                                  Seen f = m->second;
                                  f.authority = f.founder;
                                  return f;
                                }(),
                                day, "93/QĐ-UBND", "Quyết định công nhận mức xếp loại mô hình",
                                {{"year", year}, {"level", "good"}, {"targets_met_pct", 95}}),
                   person, &org);
    }
  {
    signing::CertificateRequest r;
    r.common_name = "Tự cấp (demo)";
    r.is_ca = true;
    auto stranger_ca = signing::issue_certificate(r, nullptr);
    if (!stranger_ca) return std::unexpected(stranger_ca.error());
    auto stranger = identity("stranger", "Người lạ (demo)", "Không rõ", "p256", *stranger_ca);
    if (!stranger) return std::unexpected(stranger.error());
    const Seen& s = seen.at(kReplicated);
    try_unlawful(N_("an act signed with a certificate of a CA the ledger does not trust"), "unlawful-signature.json",
                 district_act("model.report-filed", kReplicated, s, s.last_date, "94/BC-UBND",
                              "Báo cáo kết quả hoạt động của mô hình",
                              {{"period", s.last_date.substr(0, 4)}, {"targets_met", 9}}),
                 *stranger, nullptr);
  }
  std::cout << prose("   the ledger still has {} entries", ledger_->size()) << "\n";
  unexpected_ = unexpected_ || ledger_->size() != before;
  return {};
}

int Demo::verify_and_prove() {
  std::cout << "\n== " << (options_.district ? 7 : 4) << ". antq verify " << dir_.string() << "\n";
  auto replay = projections::make_admission(*ledger_);
  if (!replay) return fail(replay.error());
  ledger::VerifyOptions verify_options;
  verify_options.progress = progress_printer("verify");
  ledger::VerifyReport report = ledger_->verify(verify_options, **replay);
  print_report(report, false, dir_.string());

  std::cout << "\n"
            << prose("   antq checkpoint {}   (C2SP signed note; keep it to detect rewrites)", dir_.string()) << "\n";
  std::string note = ledger_->checkpoint();
  std::cout << note;
  std::ofstream(root_ / "checkpoint.txt") << note;

  const std::uint64_t size = ledger_->size();
  auto proof = ledger_->inclusion_proof(established_seq_, size);
  auto leaf = ledger::leaf_hash(*ledger_->entry_bytes(established_seq_));
  bool proven = ledger::verify_inclusion(established_seq_, size, leaf, proof, ledger_->root(size));
  std::cout << "\n"
            << prose(
                   "   antq proof inclusion {} {}   (the commune's establishment decision)\n"
                   "   {} hashes; RFC 9162 verification: {}",
                   dir_.string(), established_seq_, proof.size(), proven ? "OK" : "FAILED")
            << "\n";

  std::cout << "\n   antq export " << dir_.string() << " " << bundle_.string() << " --explode\n";
  ledger::ExportOptions export_options;
  export_options.explode = true;
  auto summary = ledger::export_bundle(*ledger_, bundle_, export_options);
  if (!summary) return fail(summary.error());
  // Anchored as an auditor would: the operator's key and the roots come from outside the bundle (here the ledger's
  // operator.vkey and the demo PKI's roots.pem), never from the bundle's own copies.
  ledger::BundleAnchors anchors;
  auto operator_key = ledger::parse_verifier_key(ledger_->info().verifier_key);
  if (!operator_key) return fail(operator_key.error());
  anchors.operator_key = std::move(*operator_key);
  anchors.trust = std::vector<Bytes>{ca_->certificate_der};
  auto bundle_report = ledger::verify_bundle(bundle_, anchors);
  if (!bundle_report) return fail(bundle_report.error());
  const bool bundle_ok = bundle_exit_code(*bundle_report, false) == kOk;
  std::cout << prose("   {} entries, {} certificates, {} attachments", summary->entries, summary->certificates,
                     summary->attachments)
            << "\n"
            << fmt::format("   antq verify-bundle {} --operator-key {} --trust {}\n", bundle_.string(),
                           (dir_ / "operator.vkey").string(), (pki_ / "roots.pem").string())
            << prose("   (the operator's key and your roots, not the bundle's own copies): antq verify-bundle: {}",
                     bundle_ok ? "OK" : "FAILED")
            << "\n";
  std::cout << fmt::format("   with stock OpenSSL: openssl cms -verify -binary -inform DER -content {0}/acts/{1}.body \\\n"
                           "       -in {0}/acts/{1}.person.p7s -CAfile {2} -purpose any -out /dev/null\n",
                           bundle_.string(), established_seq_, (pki_ / "roots.pem").string());
  return report.ok && bundle_ok && proven ? kOk : kCheckFailed;
}

// The statistics, the dossiers with the most missing items, and the findings: what a newcomer reads first.
Status Demo::read_it() {
  std::cout << "\n== 8. antq stats " << dir_.string() << "\n";
  auto stats = projections::statistics(*ledger_, {}, std::nullopt);
  if (!stats) return std::unexpected(stats.error());
  print_stats_table(*stats, i18n::Text("today"));

  std::cout << "\n" << prose("== 9. The worst dossier gaps (antq dossier {} SUBJECT)", dir_.string()) << "\n";
  struct Gap {
    double completeness;
    std::size_t missing;
    std::string subject;
    std::vector<std::pair<std::string, std::string>> items;  // item, title
  };
  std::vector<Gap> gaps;
  std::size_t dossiers = 0;
  for (const auto& id : projections::subject_ids(*ledger_)) {
    auto d = projections::dossier_of(*ledger_, id, {});
    if (!d) return std::unexpected(d.error());
    ++dossiers;
    if (d->missing == 0) continue;
    std::vector<std::pair<std::string, std::string>> items;
    for (const auto& e : d->items)
      if (e.status == "missing") items.emplace_back(e.item.item, e.item.title);
    gaps.push_back({d->completeness(), d->missing, id, std::move(items)});
  }
  std::sort(gaps.begin(), gaps.end(), [](const Gap& a, const Gap& b) {
    return std::tie(a.completeness, b.missing, a.subject) < std::tie(b.completeness, a.missing, b.subject);
  });
  std::cout << prose("   {} of {} dossiers lack required items; the five most incomplete:", gaps.size(), dossiers)
            << "\n";
  std::map<std::pair<std::size_t, std::string>, std::string> legend;  // by (length, item): 7 before 11
  for (std::size_t i = 0; i < std::min<std::size_t>(5, gaps.size()); ++i) {
    std::string items;
    for (const auto& [item, title] : gaps[i].items) {
      items += (items.empty() ? "" : ", ") + item;
      legend.emplace(std::pair{item.size(), item}, title);
    }
    print_line(fmt::format("   {:<14} {:>4.0f}%  missing item {}", gaps[i].subject, gaps[i].completeness * 100, items));
  }
  for (const auto& [item, title] : legend) print_line(fmt::format("   item {:<3} {}", item.second, title));

  std::cout << "\n" << prose("== 10. antq audit {}   (findings as of today, {})", dir_.string(), today_) << "\n";
  auto findings = projections::audit(*ledger_, today_, {});
  if (!findings) return std::unexpected(findings.error());
  std::map<std::string, std::pair<std::size_t, const projections::Finding*>> by_rule;
  for (const auto& f : *findings) {
    auto& [n, example] = by_rule[f.rule];
    if (n++ == 0) example = &f;
  }
  std::cout << prose("   {} findings; one of each kind:", findings->size()) << "\n";
  for (const auto& [rule, counted] : by_rule)
    print_line(fmt::format("   {:<26} {:>4}  e.g. {}", rule, counted.first,
                           counted.second->message.str(i18n::process_lang())));

  // The yearly report as the district would send it, kept as CSV for reconcile.
  const std::string period = std::to_string(last_closed_year_);
  auto report = projections::periodic_report(*ledger_, period, "", std::nullopt, today_);
  if (!report) return std::unexpected(report.error());
  const fs::path csv = root_ / fmt::format("report-{}.csv", period);
  std::ofstream out(csv, std::ios::binary);
  out << kUtf8Bom << csv_record({"section", "key", "value"});
  for (const auto& f : projections::report_figures(*report)) out << csv_record({f.section, f.key, f.value});
  std::cout
      << "\n"
      << prose(
             "== 11. antq report {} {} --format csv > {}\n   the yearly report of {} (as of {}, due before {}): {} "
             "points, {} teams; antq reconcile checks a submitted copy of it",
             dir_.string(), period, csv.string(), period, report->as_of, report->due, report->stats.points,
             report->stats.teams)
      << "\n";
  return {};
}

// The units before and after the 2025 reorganisation: antq units as of the day before and today, the old-to-new
// table of the reports, the ratings counted under the units as they then were.
Status Demo::units_story() {
  const std::string& effective = units_.contains(kDistrict) ? units_.at(kDistrict).ceases : std::string();
  if (effective.empty()) return {};
  const int y = std::stoi(effective.substr(0, 4));
  const std::string before = fmt::format("{}-06-30", y);  // the day before the reorganisation took effect
  std::cout << "\n"
            << prose("== 12. The units as they were: the 2025 reorganisation (unit.reorganised, effective {})",
                     effective)
            << "\n";
  for (const std::string& day : {before, today_}) {
    auto found = queries::units(*ledger_, day, {});
    if (!found) return std::unexpected(found.error());
    std::vector<std::string> seen_only;
    print_line(fmt::format("   antq units {} --as-of {}", dir_.string(), day));
    for (const auto& u : (*found)["units"]) {
      if (!u["registered"].get<bool>()) {
        seen_only.push_back(u["name"].get<std::string>());
        continue;
      }
      const std::string indent(2 * std::min<std::size_t>(u["depth"].get<std::size_t>(), 8), ' ');
      std::string status;
      if (u["ceased"].get<bool>())
        status = fmt::format("ceased {}, succeeded by {}", u["to"].get<std::string>(), u["successor"].get<std::string>());
      else if (!u["to"].is_null())
        status = fmt::format("ceases {}", u["to"].get<std::string>());
      std::string line = fmt::format("   {} {:<9} from {}  {:>3} founded {:>4} under  {}",
                                     cell(indent + u["name"].get<std::string>(), 34), u["level"].get<std::string>(),
                                     u["from"].get<std::string>(), u["subjects"].get<std::size_t>(),
                                     u["subjects_under"].get<std::size_t>(), status);
      line.erase(line.find_last_not_of(' ') + 1);
      print_line(line);
    }
    std::string names;
    for (const auto& n : seen_only) names += (names.empty() ? "" : ", ") + n;
    print_line(fmt::format("   (not registered, only seen in acts: {})", names));
  }
  // The reports: a half-year before the reorganisation has no old-to-new table; the last year's has section VII.
  for (const std::string& period : {fmt::format("{}-H1", y), std::to_string(last_closed_year_)}) {
    auto r = projections::periodic_report(*ledger_, period, "", std::nullopt, today_);
    if (!r) return std::unexpected(r.error());
    print_line(fmt::format("   antq report {} {}   (as of {}: {} points, {} teams)", dir_.string(), period, r->as_of,
                           r->stats.points, r->stats.teams));
    if (r->stats.succeeded.empty())
      print_line(fmt::format("      no unit had been reorganised by {}: no section VII; the district and its communes report", r->as_of));
    else {
      print_line("      VII. Đơn vị sau sắp xếp (units reorganised by the report's day): old unit -> successor, from, kind");
      for (const auto& x : r->stats.succeeded)
        print_line(fmt::format("      {} -> {}, {}, {}", cell(x.unit, 24), x.successor, x.effective, x.kind));
    }
  }
  // Ratings by the unit competent as of the day asked about: the district's and the merged communes' before, their
  // successor's after.
  auto rated = [&](const std::string& as_of, int year) -> Status {
    auto st = projections::statistics(*ledger_, projections::AsOf{as_of, std::nullopt}, year);
    if (!st) return std::unexpected(st.error());
    std::string line;
    for (const auto& unit : {std::string(kDistrict), std::string("UBND xã Lạc Lương"), std::string("UBND xã Lạc Sỹ"),
                             std::string(kReorganisedCommune)}) {
      std::size_t n = 0;
      if (auto it = st->ratings_by_unit.find(unit); it != st->ratings_by_unit.end())
        for (const auto& [level, count] : it->second) n += count;
      line += fmt::format("{}{} {}", line.empty() ? "" : ", ", unit, n);
    }
    print_line(fmt::format("   antq stats {} --as-of {} --year {}: ratings by unit: {}", dir_.string(), as_of, year, line));
    return {};
  };
  if (auto s = rated(before, y - 1); !s) return s;
  if (auto s = rated(today_, last_closed_year_); !s) return s;
  // A unit gone by the day asked about is named with its successor (exit 2 at the command line).
  auto gone = queries::report(*ledger_, {std::to_string(last_closed_year_), kDistrict, {}}, {});
  print_line(fmt::format("   antq report {} {} --unit '{}': {}", dir_.string(), last_closed_year_, kDistrict,
                         gone ? std::string("answered, which is a bug") : gone.error().line()));
  unexpected_ = unexpected_ || gone.has_value();
  return {};
}

int Demo::run() {
  std::error_code ec;
  if (fs::exists(root_, ec) && !fs::is_empty(root_, ec))
    return fail(bad_input(i18n::Text("{} is not empty: give a new directory for the demo", root_.string())));
  for (const auto& d : {pki_, acts_}) fs::create_directories(d, ec);
  if (ec) return fail(io_error(i18n::Text("cannot create {}: {}", root_.string(), ec.message())));
  for (auto step : {&Demo::make_pki, &Demo::make_ledger, &Demo::commune_story})
    if (auto s = (this->*step)(); !s) return fail(s.error());
  if (options_.district)
    for (auto step : {&Demo::district, &Demo::unlawful_acts, &Demo::archive_story})
      if (auto s = (this->*step)(); !s) return fail(s.error());
  const int verified = verify_and_prove();
  if (options_.district)
    for (auto step : {&Demo::read_it, &Demo::units_story})
      if (auto s = (this->*step)(); !s) return fail(s.error());
  const std::string d = dir_.string();
  std::cout << "\n"
            << prose("Try next:") << "\n"
            << fmt::format("   antq show {} {} --as-of 2023-02-20\n", d, kStorySubject)
            << fmt::format("   antq history {} {}\n", d, kStorySubject);
  if (options_.district)
    std::cout << fmt::format("   antq stats {} --format csv            (or --year, --as-of, --unit)\n", d)
              << fmt::format("   antq dossier {} --unit 'UBND xã Phú Lai'\n", d)
              << fmt::format("   antq units {} --as-of 2025-06-30   (then without --as-of: after the reorganisation)\n", d)
              << fmt::format("   antq retention {} --unit 'UBND xã Tân Lập'   (records: periods, due dates, hand-over)\n", d)
              << fmt::format("   antq dossier {} MS-TL-ANXH   (item 13: disposed of, with its decision)\n", d)
              << fmt::format("   antq compact {}   (then no page of data.mdb holds the disposed document)\n", d)
              << fmt::format("   antq audit {} --since {}-11-01\n", d, std::stoi(today_.substr(0, 4)) - 1)
              << fmt::format("   antq diff {} {} --from {}-01-01 --to {}\n", d, kReplicated, std::stoi(today_.substr(0, 4)) - 2, today_)
              << fmt::format("   antq report {} {} --format html > report.html   (or {}-H1; --unit)\n", d,
                             last_closed_year_, last_closed_year_)
              << fmt::format("   antq reconcile {} {}   (edit a figure first: exit 1 lists it)\n", d,
                             (root_ / fmt::format("report-{}.csv", last_closed_year_)).string());
  std::cout << fmt::format("   antq verify {} --checkpoint {}\n", d, (root_ / "checkpoint.txt").string())
            << fmt::format("   antq append {} SIGNED --operator-key {}   (the demo's operator key)\n", d,
                           operator_key_file().string())
            << fmt::format("   antq proof consistency {} 5 {} --json\n", d, ledger_->size())
            << fmt::format("   cat {}/README.txt\n", bundle_.string());
  return verified != kOk || unexpected_ ? kCheckFailed : kOk;
}

nlohmann::json Demo::summary(int code) const {
  const std::uint64_t size = ledger_ ? ledger_->size() : 0;
  return {{"ok", code == kOk},
          {"dir", root_.string()},
          {"ledger", dir_.string()},
          {"pki", pki_.string()},
          {"acts", acts_.string()},
          {"bundle", bundle_.string()},
          {"checkpoint", (root_ / "checkpoint.txt").string()},
          {"operator_key", operator_key_file().string()},
          {"district", options_.district},
          {"entries", size},
          {"root", ledger_ && size > 0 ? to_hex(ledger_->root(size)) : std::string()},
          {"unlawful_admitted", unexpected_}};
}

}  // namespace

void add_demo(CLI::App& app, Action& run) {
  auto dir = std::make_shared<std::string>();
  auto commune_only = std::make_shared<bool>(false);
  auto json = std::make_shared<bool>(false);
  auto* cmd =
      app.add_subcommand("demo", N_("Build a demo ledger (demo PKI, a fictional district) and show what it holds"));
  cmd->footer(
      "Writes DIR/pki (test keys, the operator's too: pki/operator.key, outside the ledger), DIR/acts (every act as\n"
      "JSON), DIR/ledger, DIR/bundle and DIR/checkpoint.txt.\n"
      "First a commune's model from its survey to its first rating, act by act; then a district under the Hòa Bình\n"
      "profile over three evaluation years up to today (tools/generator: dozens of models, one replicated to over a\n"
      "hundred villages, ratings, terminations, a merge, exemplars, lapses an auditor finds) and a few unlawful acts,\n"
      "refused. Then verification, checkpoint, proof, export, statistics, the worst dossier gaps and the findings.\n"
      "The district's units are in the registry (province, district, communes), and on 2025-07-01 two communes are\n"
      "merged and the district abolished (unit.reorganised): the last step shows antq units the day before and\n"
      "today, and the reports of 2025-H1 and of the last year with the old-to-new table (docs/rules.md).\n"
      "Exit 0, or 1 when a check failed or an unlawful act was admitted.");
  cmd->add_option("DIR", *dir, "A new directory for the demo (default: ./antq-demo)");
  cmd->add_flag("--commune-only", *commune_only, "Only the commune's model (14 entries), without the district");
  cmd->add_flag("--json", *json,
                "Instead of the story, one JSON object at the end: ok, dir, ledger, pki, acts, bundle, checkpoint, "
                "operator_key (paths), district, entries, root, unlawful_admitted");
  cmd->callback([dir, commune_only, json, &run] {
    run = [dir, commune_only, json]() -> int {
      Demo demo(dir->empty() ? fs::path("antq-demo") : fs::path(*dir), DemoOptions{!*commune_only});
      if (!*json) return demo.run();
      // The story is told to nobody; errors still go to stderr.
      std::ostringstream story;
      std::streambuf* terminal = std::cout.rdbuf(story.rdbuf());
      const int code = demo.run();
      std::cout.rdbuf(terminal);
      print_json(demo.summary(code));
      return code;
    };
  });
}

}  // namespace antq::cli
