// Signing acts into submissions: shared by `antq sign`, `antq record` and `antq demo`.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

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

// A profile.adopted act that attaches nothing gets the file of the profile it names from this program
// (projections/profiles/), so the rules it adopts are signed with it. Other acts are left as they are.
void attach_builtin_profile(ledger::ActInput& input);

// A submission of `input` (after attach_builtin_profile) with no signature yet.
ledger::Submission unsigned_submission(ledger::ActInput input);

// What `antq sign --dry-run` and `antq record --dry-run` show before anything is signed: each attachment of `act`
// (the dossier item, the file it was read from, its size and SHA-256) as a table on stdout, or as JSON with `json`.
// `sources` is parallel to act.attachments (ledger::ActInput::attachment_sources); an empty path, or none, shows
// an attachment not read from a file (given by sha256 and size, carried by a signed event, or this program's).
void print_attachments(const ledger::Act& act, const std::vector<std::filesystem::path>& sources, bool json);

// Whether add_signature says, in one line on stderr, that the key file it signed with has no passphrase
// (signing::PrivateKey::unencrypted_file). `quiet` is for test keys that are made unencrypted on purpose (the demo's).
enum class UnencryptedKey { warn, quiet };

// Adds the signature of `role` by the key and certificate files. bad_input when that role already signed, the
// act is dated later than today (ledger::check_document_date), the key does not match the certificate, or a file
// cannot be read. A key file without passphrase still signs, with a warning unless `unencrypted` is quiet.
Status add_signature(ledger::Submission& submission, ledger::Role role, const SignerSpec& signer,
                     const signing::SignOptions& options = {}, UnencryptedKey unencrypted = UnencryptedKey::warn);

Result<ledger::Submission> read_submission(const std::filesystem::path& path);
Status write_submission(const std::filesystem::path& path, const ledger::Submission& submission);

}  // namespace antq::cli
