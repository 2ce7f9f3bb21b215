// Questions about one subject, answered from a ledger without replaying the whole log (design.md §4): the `state`
// database's subject/<id> lists the subject's entries (FORMAT.md), and those alone are folded again up to the
// date or entry asked about. `show` and `history` read through this.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ledger/ledger.hpp"
#include "projections/subject.hpp"

namespace antq::projections {

// A point in the ledger's history: acts whose document is dated on or before `date`, and entries up to `seq`.
// Neither set: now.
struct AsOf {
  std::optional<std::string> date;
  std::optional<std::uint64_t> seq;
  bool includes(std::uint64_t entry_seq, const std::string& act_date) const {
    return (!seq || entry_seq <= *seq) && (!date || act_date <= *date);
  }
};

// One act of a subject's chain, as stored.
struct ChainLink {
  ledger::Entry entry;
  ledger::Act act;
};

class SubjectReader {
 public:
  explicit SubjectReader(const ledger::Ledger& ledger) : ledger_(ledger) {}

  // The state the admission keeps for `id` (after the ledger's latest act), or nullopt when it has none.
  std::optional<SubjectState> current(const std::string& id) const;
  // Every act of the subject's chain in order, including the merge that closed it. Empty when unknown.
  // corruption when an entry the index names cannot be read.
  Result<std::vector<ChainLink>> chain(const std::string& id) const;
  // The state as of `at`: the fold of the chain's acts it includes (a merge folds the absorbed subjects as they
  // stood before it). nullopt when the subject had no act yet.
  Result<std::optional<SubjectState>> state(const std::string& id, const AsOf& at) const;
  // The state as of `at` and the subject's own acts it includes (the merge that closed it left out), read once:
  // for the audit and the dossier, which need both.
  struct WithActs {
    std::optional<SubjectState> state;
    std::vector<ChainLink> acts;
  };
  Result<WithActs> state_with_acts(const std::string& id, const AsOf& at) const;

 private:
  std::vector<std::string> points_begun(const SubjectState& origin, const AsOf& at) const;
  // The fold of `links` (a chain read by chain()) as of `at`.
  Result<std::optional<SubjectState>> fold(const std::string& id, const std::vector<ChainLink>& links,
                                           const AsOf& at) const;
  const ledger::Ledger& ledger_;
};

// A StateStore over a ledger's `state` database, read-only (for the functions of admission.hpp and authority.hpp).
class LedgerState final : public ledger::StateStore {
 public:
  explicit LedgerState(const ledger::Ledger& ledger) : ledger_(ledger) {}
  std::optional<std::string> get(std::string_view key) const override { return ledger_.state_value(key); }
  void put(std::string_view, std::string_view) override {}

 private:
  const ledger::Ledger& ledger_;
};

}  // namespace antq::projections
