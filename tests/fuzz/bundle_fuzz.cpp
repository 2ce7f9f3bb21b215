// Bundles (FORMAT.md §7), as `antq verify-bundle --operator-key --trust` reads them: ledger::verify_bundle on a
// directory whose checkpoint, entries.bin and proofs.json come from the input, beside the other files of the demo
// ledger's bundle (data/bundle/: operator.vkey, trust.pem, certs/, attachments/, README.txt, ...), anchored in that
// bundle's operator key and roots as an auditor holding them would be.
//
// The input is the checkpoint, then entries.bin, then (for a subject bundle) proofs.json, separated by kSeparator;
// a part that is not there is a file that is not there. Besides "an error or a report": a report that says ok
// has no failures, and every failure is a message a user can be shown.
#include <string_view>

#include "ledger/bundle.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace antq;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kSeparator = "\n--antq-fuzz-next-file--\n";

// The bundle directory with its fixed files in place, made on first use.
const fs::path& bundle_dir() {
  static const fs::path dir = [] {
    const fs::path d = fuzz::scratch_dir() / "bundle";
    fs::create_directories(d);
    fs::copy(fuzz::data_dir() / "bundle", d, fs::copy_options::recursive);
    return d;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fs::path& dir = bundle_dir();
  const auto parts = fuzz::split(ByteView(data, size), kSeparator);
  const char* names[] = {"checkpoint", "entries.bin", "proofs.json"};
  for (std::size_t i = 0; i < std::size(names); ++i) {
    std::error_code ec;
    if (i < parts.size()) fuzz::write_file(dir / names[i], parts[i]);
    else fs::remove(dir / names[i], ec);
  }
  static const ledger::BundleAnchors anchors = [] {
    ledger::BundleAnchors a;
    const Bytes vkey = fuzz::read_file(fuzz::data_dir() / "bundle" / "operator.vkey");
    auto key = ledger::parse_verifier_key(std::string_view(reinterpret_cast<const char*>(vkey.data()), vkey.size()));
    if (!key) fuzz::broken("data/bundle/operator.vkey: " + key.error().message);
    a.operator_key = *key;
    a.trust = fuzz::certificates("bundle/trust.pem");
    return a;
  }();
  auto report = ledger::verify_bundle(dir, anchors);
  if (!report) {
    fuzz::check_error(report.error());
    return 0;
  }
  const ledger::VerifyReport& v = report->verify;
  fuzz::require(v.ok == v.failures.empty(), "a report's ok disagrees with its failures");
  for (const auto& f : v.failures) fuzz::check_error(Error{ErrorKind::corruption, {}, f.reason});
  return 0;
}
