// Printing a verification report (antq verify, antq verify-bundle).
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "ledger/ledger.hpp"

namespace antq::cli {

// A table on stdout, or the JSON of design.md §5: ok, entries, root, signatures, checkpoints, attachments,
// failures[] (seq, reason).
void print_report(const ledger::VerifyReport& report, bool json, const std::string& what);
nlohmann::json report_json(const ledger::VerifyReport& report);

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
