// The CSV of `antq reconcile` (a submitted report: rows section,key,value): cli::parse_csv and
// cli::parse_submitted_report, then what reconcile does with the report's identity: projections::periodic_report
// for its period, unit and as-of day, here on an empty ledger made at start (a fresh root certificate; no key kept).
#include "cli/csv.hpp"
#include "ledger/ledger.hpp"
#include "projections/admission.hpp"
#include "projections/profile.hpp"
#include "projections/report.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace antq;

namespace {

const ledger::Ledger& empty_ledger() {
  static const std::unique_ptr<ledger::Ledger> ledger = [] {
    signing::CertificateRequest request;
    request.common_name = "antq fuzz root";
    request.is_ca = true;
    auto root = signing::issue_certificate(request, nullptr);
    if (!root) fuzz::broken(root.error().message);
    ledger::InitOptions o;
    o.dir = fuzz::scratch_dir() / "ledger";
    o.profile = projections::known_profiles().front();
    const std::string_view profile = projections::builtin_profile_text(o.profile);
    o.profile_document.assign(profile.begin(), profile.end());
    o.roots = {root->certificate_der};
    o.administrator = root->certificate_der;
    auto key = signing::Ed25519Key::generate();
    if (!key) fuzz::broken(key.error().message);
    o.operator_key = std::make_shared<const signing::Ed25519Key>(std::move(*key));
    if (auto made = ledger::Ledger::init(o); !made) fuzz::broken(made.error().message);
    auto opened = ledger::Ledger::open(o.dir);
    if (!opened) fuzz::broken(opened.error().message);
    return std::move(*opened);
  }();
  return *ledger;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::text(data, size);
  if (auto records = cli::parse_csv(text, "report.csv"); !records) fuzz::check_error(records.error());
  auto report = cli::parse_submitted_report(text, "report.csv");
  if (!report) {
    fuzz::check_error(report.error());
    return 0;
  }
  auto r = projections::periodic_report(empty_ledger(), report->report["period"], report->report["unit"],
                                        report->report["as_of"], "2025-06-01");
  if (!r) fuzz::check_error(r.error());
  else (void)projections::report_figures(*r);
  return 0;
}
