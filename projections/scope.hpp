// What a reader of the service may see: the whole ledger, or the subjects of some units and/or levels. A grant
// (access.granted) carries one; the queries of cli/queries.hpp and the service's routes apply it.
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace antq::projections {

struct Scope {
  // Empty sets: no restriction on that side. A subject is covered when its authority's unit is among `units` (or
  // `units` is empty) and its level among `levels` (or `levels` is empty): the whole ledger when both are empty.
  std::set<std::string, std::less<>> units;
  std::set<std::string, std::less<>> levels;

  bool whole() const { return units.empty() && levels.empty(); }
  bool operator==(const Scope&) const = default;
  bool covers(std::string_view unit, std::string_view level) const {
    return (units.empty() || units.contains(unit)) && (levels.empty() || levels.contains(level));
  }
};

}  // namespace antq::projections
