// The unit hierarchy (issue 21 point 7): communes under districts under provinces, departments and agencies under
// the units they belong to, as the administrator records them with `unit.registered` (docs/rules.md "The unit
// registry"). Acts keep naming their authority by free text (authority.unit); the registry says where such a name
// sits: `--unit` of a district then covers the subjects its communes founded.
//
// A ledger with no registry works as before: every unit stands alone, and a name covers only the subjects founded
// under that name (matched after folding, as users type it).
//
// Names are compared by their key (unit_key): NFC, case folding, white space collapsed and trimmed. The registry
// refuses (rule `unit`) a name or alias whose key another registered unit already has, a parent it does not hold
// (or holds only from a later date), a unit named as its own parent, and a parent of a lower level.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/act.hpp"
#include "ledger/ledger.hpp"
#include "projections/profile.hpp"
#include "projections/subject.hpp"
#include "signing/result.hpp"

namespace antq::projections {

// The registry's state keys (ledger/FORMAT.md §2), written only by unit.registered: one record per unit, keyed by its
// entry (`units/registry/<seq, 20 digits>`: key order is the order of the entries), an index of every name and
// alias by the SHA-256 of its unit_key (`units/names/<hex>` -> the unit's seq, 20 digits), `units/tt124` once a
// unit under Circular 124/2021 is registered, and `units/version` (the seq and event digest of the latest
// unit.registered: what a RegistryCache compares). Each unit.registered reads and writes a few keys, whatever the
// size of the registry.
inline constexpr std::string_view kUnitsPrefix = "units/registry/";
inline constexpr std::string_view kUnitNamesPrefix = "units/names/";
inline constexpr std::string_view kUnitsTt124Key = "units/tt124";
inline constexpr std::string_view kUnitsVersionKey = "units/version";

// A name as users may type it, for comparison: NFC, case-folded, white space collapsed to single spaces and trimmed
// (fold_text of projections/names.hpp).
std::string unit_key(std::string_view name);

// Edit distance between two byte strings (of names: short).
std::size_t edit_distance(std::string_view a, std::string_view b);

struct Unit {
  std::string name;    // as registered
  std::string level;   // commune | district | province | ministry | agency
  std::string kind;    // people-committee | steering-committee | police | ... (ledger/act.cpp kUnitKinds)
  std::string parent;  // the registered name of the unit above it; "" for a top unit
  std::string from;    // YYYY-MM-DD: in the hierarchy from this day
  std::vector<std::string> aliases;  // other names acts write it by
  std::uint64_t seq = 0;             // the unit.registered entry
  std::string date;                  // of that act
  // Circular 124/2021/TT-BCA (an agency, enterprise or school): the registered unit that recognises its "An toàn về
  // an ninh, trật tự" and so rates its models where the profile applies the circular (circular_124_rater); "" when
  // the unit is not registered under the circular.
  std::string safety_recognizer;
};

// The registered units, in the order of their entries (none in a ledger without a registry).
std::vector<Unit> registered_units(const ledger::StateStore& state);

// The reorganisations' state keys (issue 21 point 8: the 2025 reorganisation of units), written only by
// unit.reorganised, so a ledger that records none has none and is judged as before: one record per act
// (`units/reorganisations/<seq, 20 digits>`), the act that ceased each unit (`units/ceased/<SHA-256 hex of the
// unit_key of its registered name>` -> that seq, 20 digits) and `units/reorganisations-version` (as units/version).
inline constexpr std::string_view kReorganisationsPrefix = "units/reorganisations/";
inline constexpr std::string_view kCeasedPrefix = "units/ceased/";
inline constexpr std::string_view kReorganisationsVersionKey = "units/reorganisations-version";

// A unit.reorganised act (docs/rules.md "The 2025 reorganisation of units"): from `effective`, the registered
// `units` cease and `successor` holds their competence; a split names the successor of each open subject the split
// unit founded (`subjects`; the others, closed or never founded, go to `successor`).
struct Reorganisation {
  std::uint64_t seq = 0;  // the unit.reorganised entry
  std::string date;       // of that act
  std::string effective;  // YYYY-MM-DD: the units have ceased on this day
  std::string kind;       // merger | split | abolished
  std::vector<std::string> units;  // registered names of the units that cease
  std::string successor;           // registered name
  std::map<std::string, std::string> subjects;  // split: subject id -> registered name of its successor
};

// The recorded reorganisations, in the order of their entries (none in a ledger that records none).
std::vector<Reorganisation> reorganisations(const ledger::StateStore& state);
// The reorganisation by which `unit` (a name or alias, as UnitTree::ceased takes it) had ceased by `date` (any day
// when ""), found through the indexes (units/names/, units/ceased/): a few reads, whatever the size of the registry.
std::optional<Reorganisation> ceased_by(const ledger::StateStore& state, std::string_view unit,
                                        const std::string& date);

// Admission of unit.reorganised (projections/admission.cpp): refused [unit] for a unit or successor not registered
// (or registered only from after `effective`), a unit named twice or already succeeded, a successor among the units
// that cease or itself ceased by `effective`, a split of more than one unit, `subjects` outside a split, and a split
// that names an unknown subject, one the split unit is not competent for, a closed one, or leaves an open subject
// founded by it unnamed. Then the act joins the reorganisations (kReorganisationsPrefix); `version` as for
// register_unit.
Status reorganise_units(const ledger::Act& act, std::uint64_t seq, const std::string& version,
                        ledger::StateStore& state);

// Admission of unit.registered (projections/admission.cpp): the checks above, then the unit joins kUnitsKey.
// `version` names the act (its seq and event digest) for units/version.
Status register_unit(const ledger::Act& act, std::uint64_t seq, const std::string& version,
                     ledger::StateStore& state);

// The registry as it stood on `date` (units whose `from` is on or before it; "" for every registered unit) and after
// entry `at` (when given).
//
// With reorganisations, the successions effective on or before `date` (every one for "") and recorded by entry `at`
// (when given) hold: a unit that ceased stays in the tree (its parent, its names) but competence for what it
// founded is its successor's (competent), and covers follows it.
class UnitTree {
 public:
  UnitTree(std::vector<Unit> units, const std::string& date, std::optional<std::uint64_t> at = std::nullopt);
  UnitTree(std::vector<Unit> units, std::vector<Reorganisation> reorganisations, const std::string& date,
           std::optional<std::uint64_t> at = std::nullopt);
  // The same, with the keys of each unit's names computed already (keys[i]: unit_key of units[i]'s name, then of
  // each alias): what a RegistryCache builds each date's tree from without folding every name again.
  UnitTree(const std::vector<Unit>& units, const std::vector<std::vector<std::string>>& keys,
           const std::vector<Reorganisation>& reorganisations, const std::string& date,
           std::optional<std::uint64_t> at = std::nullopt);
  // unit_key of the name and of each alias of `u`; of every unit of `units`, in order.
  static std::vector<std::string> keys_of(const Unit& u);
  static std::vector<std::vector<std::string>> keys_of_each(const std::vector<Unit>& units);

  // The unit `name` (its name or an alias, by key); null when no unit of the tree has it.
  const Unit* find(std::string_view name) const;
  // The unit above `u` in the tree on its date; null for a top unit. Where the registered parent had ceased by then
  // (unit.reorganised), the unit it merged into, or for a level abolished or a split unit, that unit's own parent
  // (followed while it has ceased too): a commune of an abolished district is under the province.
  const Unit* parent(const Unit& u) const;
  // Whether `unit` covers a subject founded by `founder`: founder is unit, or a unit under it (ancestor-or-self).
  // Names not in the tree stand alone: covered only by themselves (by key).
  // With successions: founder is first followed to its competent unit (for `subject`, where a split names it).
  bool covers(std::string_view unit, std::string_view founder, std::string_view subject = {}) const;
  const std::vector<Unit>& units() const { return units_; }

  // The reorganisation by which `unit` (a name or alias) had ceased by the tree's date; null when it had not.
  const Reorganisation* ceased(std::string_view unit) const;
  // The unit that took over from `unit` when it ceased (for `subject`, where a split names one): its registered
  // name; "" when `unit` had not ceased by the tree's date.
  std::string successor(std::string_view unit, std::string_view subject = {}) const;
  // The unit competent on the tree's date for what `founder` founded (for `subject`): `founder` itself (as given)
  // while it has not ceased, else its successor followed through every succession effective by then.
  std::string competent(std::string_view founder, std::string_view subject = {}) const;
  // The successions in force: each ceased unit, its reorganisation.
  const std::vector<Reorganisation>& reorganisations() const { return reorganisations_; }

 private:
  const Unit* by_key(const std::string& key) const;
  void index(const std::vector<std::vector<std::string>>& keys);  // keys_ and primary_ of units_, ceased_

  std::vector<Unit> units_;
  std::vector<Reorganisation> reorganisations_;  // effective by the tree's date, recorded by `at`
  std::map<std::string, std::size_t, std::less<>> keys_;  // the key of each name and alias -> index in units_
  std::vector<std::string> primary_;                      // the key of each unit's registered name
  std::map<std::string, std::size_t, std::less<>> ceased_;  // the key of a ceased unit's name -> its reorganisation
};

// The registry parsed once for many acts (the admission keeps one across the acts it judges): the units and the
// reorganisations are read again only when units/version or units/reorganisations-version differ from those it
// read (each names the seq and event digest of the act that last changed them, so an act admitted in a transaction
// that was then undone cannot leave its units here), and the tree of a date is kept for the next acts of that date
// (a few dates at a time).
class RegistryCache {
 public:
  const UnitTree& tree(const ledger::StateStore& state, const std::string& date);

 private:
  static constexpr std::size_t kTrees = 8;
  std::optional<std::string> units_version_, reorganisations_version_;
  std::vector<Unit> units_;
  std::vector<std::vector<std::string>> keys_;  // UnitTree::keys_of each of units_
  std::vector<Reorganisation> reorganisations_;
  std::map<std::string, UnitTree> trees_;  // by date
  std::vector<std::string> dates_;        // of trees_, oldest first
};

// The registry as one act's admission reads it, as of the act's date: read and parsed into a UnitTree at most once
// (from `cache` when given, which keeps it across acts), however many rules ask (Circular 124, rater, competence).
class RegistryOn {
 public:
  RegistryOn(const ledger::StateStore& state, std::string date, RegistryCache* cache = nullptr)
      : state_(state), date_(std::move(date)), cache_(cache) {}
  // Whether some registered unit is under Circular 124/2021/TT-BCA (has a safety_recognizer): a read of one key.
  // False for a ledger with no registry.
  bool any_tt124();
  // Whether the ledger records a reorganisation of units (unit.reorganised): a read of one key, without parsing it.
  bool any_reorganisation();
  // The registry as it stood on the date, with the reorganisations in force by then (parsed on the first call).
  const UnitTree& tree();
  const std::string& date() const { return date_; }

 private:
  const ledger::StateStore& state_;
  std::string date_;
  RegistryCache* cache_;
  std::optional<bool> tt124_, reorganised_;
  std::optional<UnitTree> tree_;
  const UnitTree* cached_ = nullptr;
};

// Circular 124/2021/TT-BCA (Hòa Bình 000 §III.2.3), where `profile` applies it (Profile::circular_124): true when
// `act` is a model.rated of a model whose founder the registry (as of the act's date) holds under the circular and
// the act's authority is the unit recognising its safety — the same-level rule then does not refuse it; refused
// [same-level] when another unit (the founder included) rates such a model; false otherwise (same-level as before).
// The registry is not parsed when no unit of it is under the circular.
Result<bool> circular_124_rater(const Profile& profile, const ledger::Act& act, const SubjectState& model,
                                RegistryOn& registry);

// The area of a rater (rule `rater`): the highest unit of the rater's own level above it in the registry, found by
// walking up its parents while the level stays the same — the commune's people's committee for a commune steering
// committee registered under it, the province's for a department of Công an tỉnh registered under Công an tỉnh under
// UBND tỉnh; the rater itself when its parent is of another level (or it has none).
const Unit& rater_area(const UnitTree& tree, const Unit& rater);

// Rule `rater` (format 2, Profile::rating raters; Bắc Giang 004 §III.2): a model.rated of the founded `model` is
// decided by a unit the registry holds on the act's date, of a kind and level the profile lists, whose area
// (rater_area) covers the model's founder. refused [rater] otherwise, naming the reviewers the profile lists (and,
// for a unit the registry does not hold, saying to register it). Nothing to check where the rule is off, the profile
// names no raters, or for other acts.
Status check_rater(const Profile& profile, const ledger::Act& act, const SubjectState& model, RegistryOn& registry);

}  // namespace antq::projections
