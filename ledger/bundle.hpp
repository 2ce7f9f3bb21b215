// Bundles: a self-contained directory for offline verification with our tools or stock ones (design.md §3,
// FORMAT.md §7). export_bundle writes one (bundle.cpp); verify_bundle checks one against anchors the auditor holds
// (bundle_verify.cpp).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ledger/ledger.hpp"
#include "ledger/output_directory.hpp"

namespace antq::ledger {

extern const char* const kSchemaText;  // ledger/schema/antq.capnp, embedded at build time
extern const char* const kFormatText;  // ledger/FORMAT.md, embedded at build time

struct ExportOptions {
  bool explode = false;                 // also acts/<seq>.body, acts/<seq>.<role>.p7s and acts/index.tsv
  // Only this subject and its points (ID/...), and the records acts (record.*, archive.transferred) that name one
  // of them or one of their attachments; each entry with its inclusion proof.
  std::optional<std::string> subject;
  Progress progress;
};

struct ExportSummary {
  std::uint64_t entries = 0;            // entries written
  std::uint64_t size = 0;               // tree size of the bundle's checkpoint
  std::uint64_t certificates = 0;
  std::uint64_t attachments = 0;
};

// Writes the bundle into `out`, which export creates (mode 0755 less the umask): bad_input when `out` exists in any
// form (an empty directory, a file, a symlink, a dangling symlink). Every file and subdirectory is created relative
// to the directory just made, exclusively and without following symlinks (O_CREAT | O_EXCL | O_NOFOLLOW). On any
// error, everything export created is removed again.
Result<ExportSummary> export_bundle(const Ledger& ledger, const std::filesystem::path& out, const ExportOptions& options);
// The same bundle written into `dir` as its new subdirectory `at` (a path inside `dir` whose parent `dir` made, for
// a bundle that travels inside a larger package: antq handover's BagIt bag). On error, everything this call created
// is removed again; what `dir` held before stays.
Result<ExportSummary> export_bundle(const Ledger& ledger, OutputDirectory& dir, const std::string& at,
                                    const ExportOptions& options);

// What the README.txt of a bundle says depends on these facts only, each of which verify_bundle checks; it
// regenerates the README from them and compares (the README tells people which commands to run).
struct BundleFacts {
  std::string origin;                   // the checkpoint's origin
  std::uint64_t entries = 0;            // entries in entries.bin
  std::uint64_t size = 0;               // the checkpoint's tree size
  std::optional<std::string> subject;   // --subject bundles (proofs.json)
  bool explode = false;                 // acts/ present
  // Documents a record.disposed entry of the bundle destroyed: digest -> that entry's seq (the first, when several).
  std::map<Digest, std::uint64_t> disposed;
};
std::string bundle_readme(const BundleFacts& facts);
// Adds the documents `act` (entry `seq`) disposed of to `disposed`, when it is a record.disposed act.
void note_disposals(const Act& act, std::uint64_t seq, std::map<Digest, std::uint64_t>& disposed);

// The line of acts/index.tsv for one signature (the signing time is the one the CMS states), and its header line.
extern const char* const kBundleIndexHeader;
std::string bundle_index_line(std::uint64_t seq, Role role, const Digest& signer, signing::UnixTime signing_time);

// Whether `id` is `subject` or one of its points (`subject`/...).
bool is_subject_or_point(std::string_view id, std::string_view subject);
// Whether the act belongs in a --subject bundle of `subject`: an act of the subject or of one of its points, or a
// records act (record.held, record.released, record.disposed, archive.transferred) whose data names one of them or
// an attachment digest of `attachments` (those of the subject's acts).
bool act_in_subject_bundle(const Act& act, const std::string& subject, const std::set<Digest>& attachments);

// What the auditor brings from outside the bundle. Each is optional; verify_bundle runs every internal check
// whatever is given, and says which anchors were used.
struct BundleAnchors {
  std::optional<VerifierKey> operator_key;  // --operator-key: the operator's C2SP verifier key
  std::optional<std::string> checkpoint;    // --checkpoint: a checkpoint note kept earlier (a well-formed note)
  std::optional<std::vector<Bytes>> trust;  // --trust: root certificates (DER) every signature chain must reach
};

// One file of the bundle and what verification made of it.
struct BundleFile {
  enum class Status { checked, unchecked, failed };
  std::string path;                     // relative to the bundle, '/'-separated
  Status status = Status::unchecked;
  std::string reason;                   // checked: what was checked; unchecked: why not; failed: the first failure
  i18n::Text text = {};                 // `reason` to be put into words in the reader's language, if made so
  std::string said(i18n::Lang lang) const { return text.empty() ? reason : text.str(lang); }
};
std::string_view status_name(BundleFile::Status status);  // "checked" | "unchecked" | "failed"

struct BundleReport {
  VerifyReport verify;  // ok (no failure), entries, root, signatures, attachments, failures (here: those tied to no
                        // entry first, the checkpoint's, operator.vkey's, entries.bin's framing; then by seq)
  std::vector<BundleFile> files;        // every file found in the bundle and every one it lacks; sorted by path
  bool operator_anchored = false;       // --operator-key or --checkpoint given (and, if ok, they held)
  bool trust_anchored = false;          // --trust given
  bool whole_log = false;               // no proofs.json: a bundle of the whole log
  std::optional<std::string> subject;   // a --subject bundle's subject, from its proofs.json (when that reads)
  std::optional<std::uint64_t> tree_size;  // the size of the checkpoint's tree, once the checkpoint verified
  bool whole_refused = false;  // the caller required the whole log of a --subject bundle: its failure is the first
  bool anchored() const { return operator_anchored && trust_anchored; }
};

// Verifies the bundle in `dir` (FORMAT.md §7, "Verifying a bundle"): the checkpoint signed by the operator key (the
// anchor's when given, and then the bundle's operator.vkey must be the same key); a kept checkpoint signed by that
// key and extended by the bundle's tree; every entry in the tree (the root recomputed from entries.bin, or an
// inclusion proof each); every signature and chain at its signing time against the anchor's roots (else the
// bundle's trust.pem); and every other file of the bundle checked against the entries, or listed as unchecked.
// bad_input only when `dir` is not a directory; whatever the bundle holds gives failures in the report.
Result<BundleReport> verify_bundle(const std::filesystem::path& dir, const BundleAnchors& anchors,
                                   const Progress& progress = {});

}  // namespace antq::ledger
