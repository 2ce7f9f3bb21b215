#include "projections/stats.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "projections/admission.hpp"

namespace antq::projections {

const std::vector<std::string>& period_keys() {
  static const std::vector<std::string> keys = {
      "models-established", "points-established", "models-recognized", "replicated",           "merged",
      "reorganized",        "terminated",         "announced",         "exemplars-recognized", "exemplars-ended"};
  return keys;
}

namespace {

// What `s` did in `period`, under the keys of period_keys(); a merge counts on the model absorbed.
void count_in_period(const SubjectState& s, const Period& period, std::map<std::string, std::size_t>& out) {
  auto in = [&](const std::string& date) { return !date.empty() && date >= period.from && date <= period.to; };
  auto act_in = [&](const char* kind) {
    auto it = s.acts.find(kind);
    return it != s.acts.end() && in(it->second.date);
  };
  if (s.kind == "exemplar") {
    if (act_in("exemplar.recognized")) ++out["exemplars-recognized"];
    if (act_in("exemplar.ended")) ++out["exemplars-ended"];
    return;
  }
  if (in(s.founded))
    ++out[s.has("model.recognized") ? "models-recognized" : s.kind == "point" ? "points-established" : "models-established"];
  if (s.stage == "merged" && act_in("model.merged")) ++out["merged"];
  for (const char* kind : {"replicated", "reorganized", "terminated", "announced"})
    if (act_in(fmt::format("model.{}", kind).c_str())) ++out[kind];
}

}  // namespace

Result<Statistics> statistics(const ledger::Ledger& ledger, const AsOf& at, std::optional<int> year,
                              const std::string& unit, const std::optional<Period>& period,
                              const SubjectFilter& keep) {
  auto every = SubjectReader(ledger).all(at);
  if (!every) return std::unexpected(every.error());
  std::vector<SubjectState> states;
  for (auto& [id, s] : *every)
    if ((unit.empty() || s.authority.unit == unit) && (!keep || keep(id))) states.push_back(std::move(s));
  Statistics st;
  if (year) st.year = *year;
  else
    for (const auto& s : states)
      if (!s.ratings.empty()) st.year = std::max(st.year, s.ratings.rbegin()->first);

  std::map<std::string, Statistics::ByName> by_name;
  std::map<std::string, const SubjectState*> by_id;
  for (const auto& s : states) by_id[s.id] = &s;
  for (const auto& s : states) {
    if (s.kind == "exemplar") {
      ++st.exemplars[s.stage];
      if (period) count_in_period(s, *period, st.in_period);
      continue;
    }
    if (s.has("model.replicated")) ++st.replications;
    if (s.has("model.announced")) ++st.announcements;
    // A point counts under its origin's name (the lineage), and apart when its origin is.
    const SubjectState* origin = &s;
    if (!s.point_of.empty())
      if (auto it = by_id.find(s.point_of); it != by_id.end()) origin = it->second;
    const bool active = s.is_founded() && !s.closed();
    if (origin->movement == "dan-van-kheo" || !origin->security_content || s.movement == "dan-van-kheo" ||
        !s.security_content) {
      if (active)
        st.apart.push_back({s.id, s.name, s.movement == "dan-van-kheo" || origin->movement == "dan-van-kheo"
                                              ? "dan-van-kheo" : "no-security-content"});
      continue;  // never in the Movement totals, nor in its ratings
    }
    if (period) count_in_period(s, *period, st.in_period);
    if (active) {
      auto& n = by_name[origin->name];
      n.name = origin->name;
      ++n.points;
      n.teams += s.teams;
      ++st.points;
      st.teams += s.teams;
    }
    if (auto r = s.ratings.find(st.year); r != s.ratings.end()) {
      ++st.ratings[r->second.level];
      ++st.ratings_by_unit[s.authority.unit][r->second.level];
      ++st.ratings_by_level[s.authority.level];
    }
  }
  for (auto& [name, n] : by_name) st.models.push_back(std::move(n));
  std::stable_sort(st.models.begin(), st.models.end(), [](const auto& a, const auto& b) { return a.points > b.points; });

  // Replicated models: how many of their points were effective (Fair or better) in the year.
  auto profile = profile_on(ledger, at.date.value_or(fmt::format("{:04}-12-31", st.year ? st.year : 2000)));
  if (!profile) return std::unexpected(profile.error());
  for (const auto& s : states) {
    if (s.points.empty()) continue;
    Statistics::Replication r{s.id, s.name, 0, 0, 0, profile->points_effective_pct};
    for (const auto& p : s.points) {
      auto it = by_id.find(p);
      if (it == by_id.end()) continue;
      ++r.points;
      if (auto rating = it->second->ratings.find(st.year); rating != it->second->ratings.end()) {
        ++r.rated;
        if (rating->second.level == "good" || rating->second.level == "fair") ++r.effective;
      }
    }
    st.replication.push_back(std::move(r));
  }
  return st;
}

}  // namespace antq::projections
