// What a reader of the service may see: the whole ledger, or the subjects of some units and/or levels. A grant
// (access.granted) carries one; the queries of cli/queries.hpp and the service's routes apply it.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <string_view>

namespace antq::projections {

class UnitTree;  // projections/units.hpp

struct Scope {
  // Empty sets: no restriction on that side. A subject is covered when its authority's unit is among `units` (or
  // `units` is empty), or under one of them in `tree`, and its level among `levels` (or `levels` is empty): the
  // whole ledger when both are empty.
  std::set<std::string, std::less<>> units;
  std::set<std::string, std::less<>> levels;
  // The unit registry as the grant is read (client_access, on the day of the request): a unit under a granted one,
  // or one whose competence passed to it (unit.reorganised), is covered too (UnitTree::covers). Null: the names
  // alone, as granted (a ledger with no registry).
  std::shared_ptr<const UnitTree> tree = nullptr;

  bool whole() const { return units.empty() && levels.empty(); }
  bool operator==(const Scope& o) const { return units == o.units && levels == o.levels; }
  // Whether a subject `subject` founded by `unit` at `level` is covered: after a split (unit.reorganised naming each
  // subject's successor) the subject follows its own successor, not the split unit's main one. Without `subject`:
  // the unit's own (a unit report, a binding).
  bool covers(std::string_view unit, std::string_view level,
              std::string_view subject = {}) const;  // projections/access.cpp
};

}  // namespace antq::projections
