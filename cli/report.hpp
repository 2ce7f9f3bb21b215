// Printing a verification report (antq verify, antq verify-bundle).
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "ledger/bundle.hpp"
#include "ledger/ledger.hpp"

namespace antq::cli {

// A table on stdout, or the JSON of design.md §5: ok, entries, root, signatures, checkpoints, attachments,
// failures[] (seq, reason).
void print_report(const ledger::VerifyReport& report, bool json, const std::string& what);
nlohmann::json report_json(const ledger::VerifyReport& report);

// antq verify-bundle's verdict: the exit code (0 only when consistent and anchored, or not anchored with
// --self-consistent-only), and the one line said when the bundle was checked against itself only (empty when
// anchored).
int bundle_exit_code(const ledger::BundleReport& report, bool self_consistent_only);
std::string not_anchored_line(const ledger::BundleReport& report, i18n::Lang lang = i18n::Lang::en);
// The table (the not-anchored line first, then the counts, the checked files by kind, the unchecked files with why,
// the result), or the JSON: report_json's keys, with `ok` true exactly when the exit code is 0, and `consistent`,
// `anchored`, `anchors` (`operator_key`, `checkpoint`, `trust`), `self_consistent_only`, `not_anchored` (the
// line, or null), `files[]` (`path`, `status`: checked|unchecked|failed, `reason`).
void print_bundle_report(const ledger::BundleReport& report, const ledger::BundleAnchors& anchors,
                         bool self_consistent_only, bool json, const std::string& what);

// What the technical rules for official digital signatures ask a verifier to show of each signature: issuer,
// signer, signing time (ISO 8601, +07:00), integrity, validity at the signing time, and the certificate's validity
// and revocation status now. Used by `verify --json`; certificates are read from the ledger once per signer.
class SignatureDescriber {
 public:
  SignatureDescriber(const ledger::Ledger& ledger, signing::UnixTime now);
  // A signature that verified (ledger::VerifyOptions::on_signature), counted in the tallies below.
  nlohmann::json describe(const signing::VerifiedSignature& v);
  // Only counts it in the tallies (the table needs no more).
  void count(const signing::VerifiedSignature& v);

  // Tallies over everything described, for the table.
  std::size_t without_signing_certificate_v2 = 0;
  std::size_t revoked_since_signing = 0;
  std::size_t expired_since_signing = 0;

 private:
  const signing::CertificateInfo* certificate(const Digest& fingerprint);
  const ledger::Ledger& ledger_;
  signing::UnixTime now_;
  std::size_t crls_held_;
  std::map<Digest, std::optional<signing::CertificateInfo>> certificates_;
};

}  // namespace antq::cli
