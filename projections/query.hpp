// Questions about one subject, answered from a ledger without replaying the whole log (design.md §4). Now: the
// `state` database's subject/<id>. As of a date: the subject's snapshot of the last half-year that ended by then
// (asof/<id>@<end>, admission.hpp), and only the acts of its chain dated after that, up to the date (a ledger written
// before snapshots has none: its chains are folded from their first act). As of an entry: the latest snapshot
// holding no later entry, and the acts of the chain (subject/<id> lists its entries) after it, up to that entry.
// `show`, `history`, `stats`, `audit` and the reports read through this.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
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
  // Whether the admission keeps a state for `id`, without reading it.
  bool holds(const std::string& id) const;
  // Every act of the subject's chain in order, including the merge that closed it. Empty when unknown.
  // corruption when an entry the index names cannot be read.
  Result<std::vector<ChainLink>> chain(const std::string& id) const;
  // The state as of `at`: the fold of the chain's acts it includes (a merge folds the absorbed subjects as they
  // stood before it), from the snapshot of a half-year when `at` has a date. nullopt when the subject had no act yet.
  Result<std::optional<SubjectState>> state(const std::string& id, const AsOf& at) const;
  // The same, always by folding the subject's chain from its first act: what state() must equal (the tests compare
  // them).
  Result<std::optional<SubjectState>> replayed(const std::string& id, const AsOf& at) const;
  // The states as of `at` of every subject that had an act by then, by id: for questions about all subjects (the
  // statistics), without reading each model's points again.
  Result<std::map<std::string, SubjectState>> all(const AsOf& at) const;
  // The state as of `at` and the subject's own acts it includes (the merge that closed it left out), read once:
  // for the audit and the dossier, which need both.
  struct WithActs {
    std::optional<SubjectState> state;
    std::vector<ChainLink> acts;
  };
  Result<WithActs> state_with_acts(const std::string& id, const AsOf& at) const;

 private:
  Result<ChainLink> link(const std::string& id, std::uint64_t seq) const;
  // The state as of `at` with `points` as the stored state had them (state() and all() set them).
  Result<std::optional<SubjectState>> unlisted(const std::string& id, const AsOf& at) const;
  // unlisted() with an entry limit: alone, or before the last entry of the date's snapshot.
  Result<std::optional<SubjectState>> before_entry(const std::string& id, const AsOf& at) const;
  // The points of `origin` whose first act `at` includes, in the order they began.
  std::vector<std::string> points_begun(const std::string& origin, const AsOf& at) const;
  // The fold from `from` of the entries `seqs` of the chain (those that follow the entries folded into `from`) that
  // `at` includes. `last`, when given, is the link of seqs.back(), already read.
  Result<std::optional<SubjectState>> fold_entries(const std::string& id, std::optional<SubjectState> from,
                                                   std::span<const std::uint64_t> seqs, const AsOf& at,
                                                   std::optional<ChainLink> last = std::nullopt) const;
  // The fold as of `at` of `links`, acts of the chain that follow those folded into `from`.
  Result<std::optional<SubjectState>> fold(const std::string& id, std::optional<SubjectState> from,
                                           const std::vector<ChainLink>& links, const AsOf& at) const;
  const ledger::Ledger& ledger_;
};

// The state key of a subject's state: kSubjectPrefix + id.
inline constexpr std::string_view kSubjectPrefix = "subject/";

// Every subject the ledger holds, in id order.
std::vector<std::string> subject_ids(const ledger::Ledger& ledger);

// What the ledger.predecessor-sealed entry of part `prefix` recorded (state predecessors/<prefix>), when `at`
// includes that entry: its seq and the day the merger took effect. nullopt otherwise, and for a part no entry
// records (verify names it).
struct Sealing {
  std::uint64_t seq = 0;
  std::string effective;
};
std::optional<Sealing> sealed_as_of(const ledger::Ledger& ledger, const std::string& prefix, const AsOf& at);
// Whether subject `id` of part `prefix` continues in `ledger` as of `at`: carried over (state carried/<prefix>/<id>)
// by an entry `at` includes, dated on or before at.date.
bool carried_as_of(const ledger::Ledger& ledger, const std::string& prefix, const std::string& id, const AsOf& at);

// The subjects of the sealed parts of `ledger` (merged provinces' predecessors taken in: ledger/FORMAT.md §14) as of
// `at`, for the questions about all subjects (statistics, reports): of each part sealed by an entry `at` includes,
// every subject that had an act dated on or before at.date (its part's own entries, judged by its own profile),
// unless a subject of `ledger` continues it as of `at` (subject.carried-over by an entry `at` includes, dated on or
// before at.date): no subject counts twice. Ids are as this ledger names them, PREFIX.<id>, and so are the ids they
// name (point_of, points, merged_from, merged_into). None when the ledger took no predecessor in.
struct PartSubjects {
  std::string prefix;
  std::unique_ptr<ledger::Ledger> part;        // the part, opened as a ledger (Ledger::open_part)
  std::map<std::string, SubjectState> states;  // by PREFIX.<id>
};
Result<std::vector<PartSubjects>> part_subjects(const ledger::Ledger& ledger, const AsOf& at);

// Which subjects a question about all of them counts (a reader's scope: cli/queries.hpp): true for those it keeps.
// An empty filter keeps every subject.
using SubjectFilter = std::function<bool(const std::string& id)>;

// A StateStore over a ledger's `state` database, read-only (for the functions of admission.hpp and authority.hpp).
class LedgerState final : public ledger::StateStore {
 public:
  explicit LedgerState(const ledger::Ledger& ledger) : ledger_(ledger) {}
  std::optional<std::string> get(std::string_view key) const override { return ledger_.state_value(key); }
  using ledger::StateStore::put;
  void put(std::string_view, std::string_view) override {}
  bool for_each(std::string_view prefix,
                const std::function<void(std::string_view, std::string_view)>& fn) const override {
    ledger_.for_each_state(prefix, fn);
    return true;
  }

 private:
  const ledger::Ledger& ledger_;
};

}  // namespace antq::projections
