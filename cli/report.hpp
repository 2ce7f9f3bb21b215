// Printing a verification report (antq verify, antq verify-bundle).
#pragma once

#include <string>

#include "ledger/ledger.hpp"

namespace antq::cli {

// A table on stdout, or the JSON of design.md §5: ok, entries, root, signatures, checkpoints, attachments,
// failures[] (seq, reason).
void print_report(const ledger::VerifyReport& report, bool json, const std::string& what);

}  // namespace antq::cli
