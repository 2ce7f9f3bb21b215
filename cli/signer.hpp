// Signing acts into submissions: shared by `antq sign`, `antq record` and `antq demo`.
#pragma once

#include <filesystem>
#include <string>

#include "ledger/act.hpp"
#include "ledger/event.hpp"
#include "signing/signing.hpp"

namespace antq::cli {

// A signer given as KEY:CERT, split at the last colon: KEY may be a PKCS#11 URI, which has a colon itself.
struct SignerSpec {
  std::string key;
  std::string cert;
};
Result<SignerSpec> parse_signer(const std::string& spec);

// Reads ACT.json (attachment paths relative to its directory).
Result<ledger::ActInput> read_act(const std::filesystem::path& path);

// A submission of `input` with no signature yet. A profile.adopted act that attaches nothing gets the file of the
// profile it names from this program (projections/profiles/), so the rules it adopts are signed with it.
ledger::Submission unsigned_submission(ledger::ActInput input);

// Adds the signature of `role` by the key and certificate files. bad_input when that role already signed, the
// act is dated later than today (ledger::check_document_date), the key does not match the certificate, or a file
// cannot be read.
Status add_signature(ledger::Submission& submission, ledger::Role role, const SignerSpec& signer,
                     const signing::SignOptions& options = {});

Result<ledger::Submission> read_submission(const std::filesystem::path& path);
Status write_submission(const std::filesystem::path& path, const ledger::Submission& submission);

}  // namespace antq::cli
