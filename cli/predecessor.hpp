// Predecessor ledgers taken in (antq take-in; ledger/FORMAT.md §14): each sealed part checked as a nested ledger.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ledger/ledger.hpp"

namespace antq::cli {

// What verify says of one sealed part.
struct PartReport {
  std::string prefix;
  ledger::SealedPart part;
  std::size_t carried = 0;  // subjects carried over from it (subject.carried-over), each record checked against it
  std::vector<std::string> failures;  // each prefixed "sealed part HB: "
  bool ok() const { return failures.empty(); }
};

// Each sealed part of `ledger`, checked as a nested ledger: it is recorded by a ledger.predecessor-sealed entry
// (state `predecessors/<prefix>`), whose data and attachments are the part's (ledger::check_sealing_act: origin,
// size, root, the final checkpoint note signed by the recorded operator key); and the part verifies as a ledger
// (Ledger::verify under its own stored profile: every entry, signature, node and checkpoint, and its state equal to
// the replay of its entries byte for byte). A `predecessors/` record without its part fails too.
std::vector<PartReport> verify_sealed_parts(const ledger::Ledger& ledger);

}  // namespace antq::cli
