// Predecessor ledgers taken in (antq take-in; ledger/FORMAT.md §14): each sealed part checked as a nested ledger,
// and opened as one for proofs.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ledger/ledger.hpp"

namespace antq::cli {

// A sealed part written out as a ledger directory of its own (Ledger::write_part) in a temporary directory,
// removed with this object.
class OpenedPart {
 public:
  OpenedPart() = default;
  OpenedPart(const OpenedPart&) = delete;
  OpenedPart& operator=(const OpenedPart&) = delete;
  ~OpenedPart();
  std::string prefix;                         // the part's
  std::unique_ptr<ledger::Ledger> as_ledger;  // the part, opened as a ledger
  std::filesystem::path dir;  // the temporary directory
};

// Part `prefix` of `ledger` as a ledger (its structure checked as verify checks it). bad_input when there is no such
// part.
Result<std::unique_ptr<OpenedPart>> open_part(const ledger::Ledger& ledger, const std::string& prefix);

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
