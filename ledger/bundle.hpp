// Bundles: a self-contained directory for offline verification with our tools or stock ones (design.md §3,
// FORMAT.md "Bundles").
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "ledger/ledger.hpp"

namespace antq::ledger {

extern const char* const kSchemaText;  // ledger/schema/antq.capnp, embedded at build time
extern const char* const kFormatText;  // ledger/FORMAT.md, embedded at build time

struct ExportOptions {
  bool explode = false;                 // also acts/<seq>.body and acts/<seq>.<role>.p7s
  std::optional<std::string> subject;   // only this subject and its points (ID/...), with inclusion proofs
  Progress progress;
};

struct ExportSummary {
  std::uint64_t entries = 0;            // entries written
  std::uint64_t size = 0;               // tree size of the bundle's checkpoint
  std::uint64_t certificates = 0;
  std::uint64_t attachments = 0;
};

// Writes the bundle into `out` (created; must not exist or be empty). On error the partial directory is removed.
Result<ExportSummary> export_bundle(const Ledger& ledger, const std::filesystem::path& out, const ExportOptions& options);

// Verifies a bundle: the checkpoint's signature by the bundle's operator.vkey; every entry in the tree of the
// checkpoint (the whole root recomputed, or an inclusion proof each for subject bundles); every signature and
// chain at its signing time against trust.pem; every certificate and attachment file hashes to its name.
// bad_input when the bundle is malformed; failures in the report otherwise.
Result<VerifyReport> verify_bundle(const std::filesystem::path& dir, const Progress& progress = {});

}  // namespace antq::ledger
