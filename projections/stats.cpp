#include "projections/stats.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "projections/admission.hpp"
#include "projections/lifecycle.hpp"
#include "projections/names.hpp"
#include "projections/units.hpp"

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

PointsOfYear points_of_year(const std::vector<const SubjectState*>& points, int year, const Profile& profile) {
  PointsOfYear out;
  const std::string ends = fmt::format("{:04}-10-31", year);
  // Eligible when it will have operated the months a rating needs by the last day a decision is on time (the day
  // before the late-decision deadline; the year's end when the profile has none).
  std::string decided_by = ends;
  for (const Deadline& d : profile.deadlines)
    if (d.id == "late-decision" && d.act == "model.rated") {
      using namespace std::chrono;
      const year_month_day due{std::chrono::year{year}, month{static_cast<unsigned>(std::stoi(d.before.substr(0, 2)))},
                               day{static_cast<unsigned>(std::stoi(d.before.substr(3, 2)))}};
      const year_month_day last{sys_days{due} - days{1}};
      decided_by = fmt::format("{:04}-{:02}-{:02}", static_cast<int>(last.year()), static_cast<unsigned>(last.month()),
                               static_cast<unsigned>(last.day()));
    }
  for (const SubjectState* p : points) {
    ++out.points;
    if (auto rating = p->ratings.find(year); rating != p->ratings.end()) {
      ++out.rated;
      ++out.counted;
      if (rating->second.level == "good" || rating->second.level == "fair") ++out.effective;
      continue;
    }
    const bool open = p->is_founded() && p->founded <= ends && !(p->closed() && p->last_date <= ends);
    const auto& months = profile.rating.eligibility_months;
    if (open && (!months || full_months(p->founded, decided_by) >= *months)) ++out.counted;
  }
  return out;
}

Result<Statistics> statistics(const ledger::Ledger& ledger, const AsOf& at, std::optional<int> year,
                              const std::string& unit, const std::optional<Period>& period,
                              const SubjectFilter& keep) {
  auto every = SubjectReader(ledger).all(at);
  if (!every) return std::unexpected(every.error());
  // A merged province's predecessors: their subjects as of the day, those no subject of this ledger continues yet.
  auto parts = keep ? Result<std::vector<PartSubjects>>() : part_subjects(ledger, at);
  if (!parts) return std::unexpected(parts.error());
  std::map<std::string, std::size_t> from_parts;
  for (auto& p : *parts) {
    std::size_t n = 0;
    for (const auto& [id, s] : p.states) n += unit.empty() || s.authority.unit == unit;
    if (n) from_parts[p.prefix] = n;
    every->merge(p.states);
  }
  // The successions in force on the as-of day (unit.reorganised): a subject counts under the unit competent then.
  const LedgerState state(ledger);
  const UnitTree tree(registered_units(state), reorganisations(state), at.date.value_or(""), at.seq);
  const bool reorganised = !tree.reorganisations().empty();
  auto unit_of = [&](const SubjectState& s) { return reorganised ? tree.competent(s.authority.unit, s.id) : s.authority.unit; };
  std::vector<SubjectState> states;
  for (auto& [id, s] : *every)
    if ((unit.empty() || s.authority.unit == unit || (reorganised && unit_key(unit_of(s)) == unit_key(unit))) &&
        (!keep || keep(id)))
      states.push_back(std::move(s));
  Statistics st;
  st.parts = std::move(from_parts);
  for (const Reorganisation& r : tree.reorganisations())
    for (const auto& old : r.units) {
      std::vector<std::string> next{r.successor};
      for (const auto& [id, to] : r.subjects)
        if (std::find(next.begin(), next.end(), to) == next.end()) next.push_back(to);
      for (const auto& to : next) st.succeeded.push_back({old, to, r.effective, r.kind, r.seq});
    }
  if (year) st.year = *year;
  else
    for (const auto& s : states)
      if (!s.ratings.empty()) st.year = std::max(st.year, s.ratings.rbegin()->first);

  // The profile the figures are counted under: which reasons keep a model apart, its names and abbreviations.
  const std::string day = at.date.value_or(fmt::format("{:04}-12-31", st.year ? st.year : 2000));
  auto profile = profile_on(ledger, day);
  if (!profile) return std::unexpected(profile.error());
  // A part's subjects are set apart by the reasons its own profile lists (each act judged by its own ledger's rules).
  std::map<std::string, std::vector<std::string>> part_apart;  // prefix -> statistics.apart
  for (const auto& p : *parts) {
    auto theirs = profile_on(*p.part, day);
    if (!theirs) return std::unexpected(theirs.error());
    part_apart[p.prefix] = theirs->statistics_apart;
  }
  auto apart_for = [&](const SubjectState& s, const char* reason) {
    const std::size_t dot = s.id.find('.');
    const auto& apart = dot == std::string::npos ? profile->statistics_apart : part_apart[s.id.substr(0, dot)];
    return std::find(apart.begin(), apart.end(), reason) != apart.end();
  };
  const ModelNames names(profile->names);

  std::map<std::string, Statistics::ByName> by_name;  // by name key
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
    // Apart only for the reasons the profile lists (Hòa Bình 000 §VI.2-3; the other seeds set nothing apart).
    const bool dvk = origin->movement == "dan-van-kheo" || s.movement == "dan-van-kheo";
    const bool no_content = !origin->security_content || !s.security_content;
    const char* reason = dvk && apart_for(s, "dan-van-kheo")                 ? "dan-van-kheo"
                         : no_content && apart_for(s, "no-security-content") ? "no-security-content"
                                                                             : nullptr;
    if (reason) {
      if (active) st.apart.push_back({s.id, s.name, reason});
      continue;  // never in the Movement totals, nor in its ratings
    }
    if (period) count_in_period(s, *period, st.in_period);
    if (active) {
      const std::string key = names.group(origin->name);
      auto& n = by_name[key];
      n.key = key;
      ++n.variants[origin->name];
      ++n.points;
      n.teams += s.teams;
      ++st.points;
      st.teams += s.teams;
    }
    if (auto r = s.ratings.find(st.year); r != s.ratings.end()) {
      ++st.ratings[r->second.level];
      ++st.ratings_by_unit[unit_of(s)][r->second.level];
      const Unit* competent = reorganised && tree.ceased(s.authority.unit) ? tree.find(unit_of(s)) : nullptr;
      ++st.ratings_by_level[competent ? competent->level : s.authority.level];
    }
  }
  for (auto& [key, n] : by_name) {
    // The standard name, else the variant most points use (the first in byte order on a tie).
    if (auto standard = names.standard(key)) n.name = *standard;
    else
      for (const auto& [variant, count] : n.variants)
        if (n.name.empty() || count > n.variants.at(n.name)) n.name = variant;
    st.models.push_back(std::move(n));
  }
  std::stable_sort(st.models.begin(), st.models.end(), [](const auto& a, const auto& b) { return a.points > b.points; });

  // Replicated models: how many of their points were effective (Fair or better) in the year, of those counted.
  for (const auto& s : states) {
    if (s.points.empty()) continue;
    std::vector<const SubjectState*> points;
    for (const auto& p : s.points)
      if (auto it = by_id.find(p); it != by_id.end()) points.push_back(it->second);
    const PointsOfYear y = points_of_year(points, st.year, *profile);
    st.replication.push_back({s.id, s.name, y.points, y.rated, y.effective, y.counted, profile->points_effective_pct});
  }
  return st;
}

std::vector<std::array<std::string, 3>> succession_rows(const Statistics& s) {
  std::vector<std::array<std::string, 3>> out;
  for (std::size_t i = 0; i < s.succeeded.size();) {
    const auto& first = s.succeeded[i];
    std::string next;
    for (; i < s.succeeded.size() && s.succeeded[i].unit == first.unit && s.succeeded[i].seq == first.seq; ++i)
      next += (next.empty() ? "" : "; ") + s.succeeded[i].successor;
    out.push_back({"succeeded", first.unit, next});
    out.push_back({"succeeded-on", first.unit, first.effective});
  }
  return out;
}

}  // namespace antq::projections
