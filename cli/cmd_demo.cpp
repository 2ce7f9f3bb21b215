// antq demo: a small ledger for a fictional commune, built with a demo PKI, then verified and exported.
#include <fstream>
#include <iostream>

#include "cli/common.hpp"
#include "cli/report.hpp"
#include "cli/signer.hpp"
#include "ledger/bundle.hpp"
#include "ledger/ledger.hpp"
#include "ledger/merkle.hpp"
#include "projections/admission.hpp"
#include "projections/profile.hpp"

namespace antq::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Identity {
  std::string name;
  SignerSpec files;
  Digest fingerprint{};
};

Result<Identity> make_identity(const fs::path& pki, const std::string& file, const signing::CertificateRequest& request,
                               const signing::IssuedCertificate& ca) {
  auto issued = signing::issue_certificate(request, &ca);
  if (!issued) return std::unexpected(issued.error());
  Identity id{request.common_name, {(pki / (file + ".key")).string(), (pki / (file + ".crt")).string()}, sha256(issued->certificate_der)};
  std::ofstream(id.files.key) << issued->private_key_pem;
  std::ofstream(id.files.cert) << signing::certificate_to_pem(issued->certificate_der);
  fs::permissions(id.files.key, fs::perms::owner_read | fs::perms::owner_write);
  return id;
}

int demo(const fs::path& root) {
  std::error_code ec;
  if (fs::exists(root, ec) && !fs::is_empty(root, ec))
    return fail(bad_input(root.string() + " is not empty: give a new directory for the demo"));
  const fs::path pki = root / "pki", dir = root / "ledger", acts = root / "acts", bundle = root / "bundle";
  for (const auto& d : {pki, acts}) fs::create_directories(d, ec);
  if (ec) return fail(io_error("cannot create " + root.string() + ": " + ec.message()));

  std::cout << "== 1. A demo PKI (" << pki.string() << "; for demonstration only)\n";
  const signing::UnixTime now = signing::now(), year = 365 * 86400;
  signing::CertificateRequest ca_req;
  ca_req.common_name = "antq demo root CA";
  ca_req.organisation = "antq-ledger demo";
  ca_req.not_before = now - year;
  ca_req.not_after = now + 10 * year;
  ca_req.is_ca = true;
  auto ca = signing::issue_certificate(ca_req, nullptr);
  if (!ca) return fail(ca.error());
  std::ofstream(pki / "roots.pem") << signing::certificate_to_pem(ca->certificate_der);
  auto leaf_cert = [&](std::string cn, std::string org, std::string alg) {
    signing::CertificateRequest r;
    r.common_name = std::move(cn);
    r.organisation = std::move(org);
    r.key_algorithm = std::move(alg);
    r.not_before = now - year;
    r.not_after = now + 2 * year;
    return r;
  };
  auto admin = make_identity(pki, "admin", leaf_cert("Quản trị sổ cái (demo)", "Công an huyện Minh Sơn", "p256"), *ca);
  auto chair = make_identity(pki, "chair", leaf_cert("Nguyễn Văn An, Chủ tịch UBND xã Tân Lập", "UBND xã Tân Lập", "p256"), *ca);
  auto office = make_identity(pki, "office", leaf_cert("UBND xã Tân Lập", "UBND xã Tân Lập", "rsa2048"), *ca);
  auto police = make_identity(pki, "police", leaf_cert("Trần Thị Bình, Trưởng Công an xã Tân Lập", "Công an xã Tân Lập", "p256"), *ca);
  for (auto* id : {&admin, &chair, &office, &police})
    if (!*id) return fail(id->error());
  for (auto* id : {&admin, &chair, &office, &police})
    std::cout << fmt::format("   {:<44} {}…\n", (*id)->name, to_hex(ByteView((*id)->fingerprint.data(), 8)));

  std::cout << "\n== 2. A new ledger (" << dir.string() << ", profile hoa-binh-2023)\n";
  ledger::InitOptions init;
  init.dir = dir;
  init.profile = "hoa-binh-2023";
  std::string_view profile_text = projections::builtin_profile_text(init.profile);
  init.profile_document.assign(profile_text.begin(), profile_text.end());
  init.origin = "antq-ledger.demo/minh-son";
  init.roots = {ca->certificate_der};
  init.administrator = *signing::read_certificates(admin->files.cert)->begin();
  auto vkey = ledger::Ledger::init(init);
  if (!vkey) return fail(vkey.error());
  std::cout << "   operator key: " << *vkey << "\n";
  auto ledger = ledger::Ledger::open(dir);
  if (!ledger) return fail(ledger.error());
  auto admission = projections::make_admission(**ledger);
  if (!admission) return fail(admission.error());

  const json commune = {{"level", "commune"}, {"unit", "UBND xã Tân Lập"}};
  const json police_unit = {{"level", "commune"}, {"unit", "Công an xã Tân Lập"}};
  const std::string subject = "MS-TL-TDCTQ";
  auto bind = [&](const Identity& who, const char* role, const json& unit, const char* title) {
    return json{{"act", "authority.bound"}, {"subject", "ledger"}, {"date", "2023-01-02"},
                {"document", {{"number", "01/QĐ-CAH"}, {"title", "Đăng ký chữ ký số"}, {"issuer", "Công an huyện Minh Sơn"}}},
                {"data", {{"certificate", to_hex(who.fingerprint)}, {"role", role}, {"unit", unit["unit"]},
                          {"level", unit["level"]}, {"title", title}, {"from", "2023-01-01"}}}};
  };
  auto act = [&](const char* kind, const char* date, const char* number, const char* title, const json& authority, json data) {
    return json{{"act", kind}, {"subject", subject}, {"date", date},
                {"document", {{"number", number}, {"title", title}, {"issuer", authority["unit"]}}},
                {"authority", authority}, {"data", std::move(data)}};
  };
  std::ofstream(acts / "qd-15.txt") << "QUYẾT ĐỊNH thành lập mô hình Tổ dân cư tự quản về ANTT thôn Đồng Tâm (demo)\n";
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
  const Identity *a = &*admin, *c = &*chair, *o = &*office, *p = &*police;
  std::vector<Step> steps = {
      {bind(*c, "person", commune, "Chủ tịch UBND xã"), a, nullptr},
      {bind(*o, "organisation", commune, "Văn thư UBND xã"), a, nullptr},
      {bind(*p, "person", police_unit, "Trưởng Công an xã"), a, nullptr},
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

  std::cout << "\n== 3. Signed acts, appended (each: CMS over the canonical act; decisions signed twice)\n";
  std::uint64_t established_seq = 0;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const fs::path file = acts / fmt::format("{:02}-{}.json", i, steps[i].act["act"].get<std::string>());
    std::ofstream(file) << steps[i].act.dump(2) << "\n";
    auto input = read_act(file);
    if (!input) return fail(input.error());
    auto submission = unsigned_submission(std::move(*input));
    submission.label = file.filename().string();
    if (auto s = add_signature(submission, ledger::Role::person, steps[i].person->files); !s) return fail(s.error());
    if (steps[i].org)
      if (auto s = add_signature(submission, ledger::Role::organisation, steps[i].org->files); !s) return fail(s.error());
    auto seqs = (*ledger)->append({submission}, **admission);
    if (!seqs) return fail(seqs.error());
    if (steps[i].act["act"] == "model.established") established_seq = seqs->front();
    std::cout << fmt::format("   seq {:<3} {:<28} {:<12} signed by {}{}\n", seqs->front(), steps[i].act["act"].get<std::string>(),
                             steps[i].act["subject"].get<std::string>(), steps[i].person->name,
                             steps[i].org ? " + " + steps[i].org->name : "");
  }

  std::cout << "\n== 4. A forged act is refused, and nothing is written\n";
  {
    json forged = act("model.terminated", "2024-12-01", "99/QĐ", "Quyết định kết thúc (giả mạo)", commune, {{"reason", "giả mạo"}});
    const fs::path file = acts / "forged.json";
    std::ofstream(file) << forged.dump(2) << "\n";
    auto submission = unsigned_submission(*read_act(file));
    (void)add_signature(submission, ledger::Role::person, p->files);  // the police chief is not the commune chairman
    (void)add_signature(submission, ledger::Role::organisation, o->files);
    auto refused = (*ledger)->append({submission}, **admission);
    std::cout << "   " << (refused ? std::string("UNEXPECTEDLY ADMITTED") : refused.error().line()) << "\n";
  }

  std::cout << "\n== 5. antq verify " << dir.string() << "\n";
  auto replay = projections::make_admission(**ledger);
  ledger::VerifyReport report = (*ledger)->verify({}, **replay);
  print_report(report, false, dir.string());

  std::cout << "\n== 6. antq checkpoint " << dir.string() << "   (C2SP signed note; keep it to detect rewrites)\n";
  std::string note = (*ledger)->checkpoint();
  std::cout << note;
  std::ofstream(root / "checkpoint.txt") << note;

  const std::uint64_t size = (*ledger)->size();
  auto proof = (*ledger)->inclusion_proof(established_seq, size);
  auto leaf = ledger::leaf_hash(*(*ledger)->entry_bytes(established_seq));
  bool proven = ledger::verify_inclusion(established_seq, size, leaf, proof, (*ledger)->root(size));
  std::cout << fmt::format("\n== 7. antq proof inclusion {} {}   (the establishment decision)\n   {} hashes; RFC 9162 verification: {}\n",
                           dir.string(), established_seq, proof.size(), proven ? "OK" : "FAILED");

  std::cout << "\n== 8. antq export " << dir.string() << " " << bundle.string() << " --explode\n";
  ledger::ExportOptions export_options;
  export_options.explode = true;
  auto summary = ledger::export_bundle(**ledger, bundle, export_options);
  if (!summary) return fail(summary.error());
  auto bundle_report = ledger::verify_bundle(bundle);
  if (!bundle_report) return fail(bundle_report.error());
  std::cout << fmt::format("   {} entries, {} certificates, {} attachments; antq verify-bundle: {}\n", summary->entries,
                           summary->certificates, summary->attachments, bundle_report->ok ? "OK" : "FAILED");
  std::cout << fmt::format("   with stock OpenSSL: openssl cms -verify -binary -inform DER -content {0}/acts/{1}.body \\\n"
                           "       -in {0}/acts/{1}.person.p7s -CAfile {0}/trust.pem -purpose any -out /dev/null\n",
                           bundle.string(), established_seq);

  std::cout << "\nTry next:\n"
            << fmt::format("   antq show {} {} --as-of 2023-02-20\n", dir.string(), subject)
            << fmt::format("   antq history {} {}\n", dir.string(), subject)
            << fmt::format("   antq verify {} --checkpoint {}\n", dir.string(), (root / "checkpoint.txt").string())
            << fmt::format("   antq proof consistency {} 5 {} --json\n", dir.string(), size)
            << fmt::format("   cat {}/README.txt\n", bundle.string());
  return report.ok && bundle_report->ok && proven ? kOk : kCheckFailed;
}

}  // namespace

void add_demo(CLI::App& app, Action& run) {
  auto dir = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("demo", "Build a demo ledger (demo PKI, a fictional commune) and show it verified");
  cmd->add_option("DIR", *dir, "Directory for the demo (default: ./antq-demo)");
  cmd->callback([dir, &run] {
    run = [dir]() -> int { return demo(dir->empty() ? fs::path("antq-demo") : fs::path(*dir)); };
  });
}

}  // namespace antq::cli
