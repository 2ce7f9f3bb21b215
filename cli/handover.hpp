// The hand-over package antq handover writes (docs/handover.md), for the command and the demo.
#pragma once

#include <optional>
#include <string>

#include "cli/bagit.hpp"
#include "ledger/ledger.hpp"
#include "projections/handover.hpp"

namespace antq::cli {

// The ledger as the package names it: its origin, and the root of its tree of `size` entries (hex).
struct LedgerPoint {
  std::string origin, root;
  std::uint64_t size = 0;
};

struct WrittenHandover {
  std::size_t documents = 0, attachments = 0;  // of the files handed over
  std::string from, to;                        // the first and last date of their acts
  SealedBag bag;
  LedgerPoint at;
};

// Writes `out` (which it creates; bad_input when it exists): the list of files as HTML and CSV, the hand-over record,
// and the BagIt bag of `h.files`, each a --subject bundle. On any error it removes what it made.
Result<WrittenHandover> write_handover(const ledger::Ledger& ledger, const projections::Handover& h,
                                       const std::string& out, const std::optional<std::string>& archive);

}  // namespace antq::cli
