#include "projections/report.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "ledger/act.hpp"
#include "projections/admission.hpp"
#include "projections/profile_view.hpp"
#include "projections/units.hpp"

namespace antq::projections {
namespace {

// The day before `date` (YYYY-MM-DD).
std::string day_before(const std::string& date) {
  using namespace std::chrono;
  const year_month_day d{year{std::stoi(date.substr(0, 4))}, month{static_cast<unsigned>(std::stoi(date.substr(5, 2)))},
                         day{static_cast<unsigned>(std::stoi(date.substr(8, 2)))}};
  const year_month_day before{sys_days{d} - days{1}};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(before.year()), static_cast<unsigned>(before.month()),
                     static_cast<unsigned>(before.day()));
}

std::string count(std::size_t n) { return std::to_string(n); }

// The level of `unit`: the registry's (unit.registered), else the level it founded its subjects at (the authority of
// their founding or first act); "" when neither says.
std::string level_of(const ledger::Ledger& ledger, const std::string& unit) {
  const LedgerState state(ledger);
  const UnitTree tree(registered_units(state), "");
  if (const Unit* u = tree.find(unit)) return u->level;
  for (const auto& id : subject_ids(ledger)) {
    auto s = subject_state(state, id);
    if (s && s->authority.unit == unit && !s->authority.level.empty()) return s->authority.level;
  }
  return "";
}

}  // namespace

Result<PeriodicReport> report_frame(const ledger::Ledger& ledger, const std::string& period, const std::string& unit,
                                    const std::optional<std::string>& as_of, const std::string& today,
                                    std::optional<std::uint64_t> at) {
  const bool digits = period.size() >= 4 && period.find_first_not_of("0123456789") >= 4;
  if (!digits || !(period.size() == 4 || period.substr(4) == "-H1"))
    return bad_input(
        i18n::Text("period \"{}\": expected YYYY-H1 (the half-year) or YYYY (the evaluation year)", period));
  if (as_of && !ledger::is_date(*as_of))
    return bad_input(i18n::Text("--as-of: expected a date YYYY-MM-DD, got \"{}\"", *as_of));
  if (at && *at >= ledger.size())
    return bad_input(i18n::Text("--at {}: the ledger has entries 0 to {}", *at, ledger.size() - 1));
  PeriodicReport r;
  r.at = at;
  r.period = period;
  r.year = std::stoi(period.substr(0, 4));
  r.yearly = period.size() == 4;
  r.unit = unit;
  r.covers = {fmt::format("{:04}-11-01", r.year - 1), fmt::format("{:04}-{}", r.year, r.yearly ? "10-31" : "04-30")};

  // The deadline of the profile in force at the period's end. Format 2: the day of the reporting units' tier of
  // the period (unit_reports) whose levels include the unit's (the level it founded subjects at), the earliest of
  // the period when no unit is given or its level is not known. Format 1: the earliest "before" of its report rules.
  auto profile = profile_on(ledger, r.covers.to);
  if (!profile) return std::unexpected(profile.error());
  const std::string period_kind = r.yearly ? "year" : "H1";
  auto earlier = [&](const std::string& before, const std::string& to) {
    const std::string due = fmt::format("{:04}-{}", r.year, before);
    if (r.due.empty() || due < r.due) {
      r.due = due;
      r.to = to;
    }
  };
  if (profile->format >= 2) {
    const std::string level = unit.empty() ? "" : level_of(ledger, unit);
    for (const UnitReportTier& t : profile->unit_reports)
      if (t.period == period_kind && (level.empty() || std::find(t.levels.begin(), t.levels.end(), level) != t.levels.end()))
        earlier(t.before, t.to);
    if (r.due.empty() && !level.empty())  // a unit of no tier's level: the period's earliest
      for (const UnitReportTier& t : profile->unit_reports)
        if (t.period == period_kind) earlier(t.before, "");  // sent to whom, the profile does not say
  } else {
    for (const Deadline& d : profile->deadlines)
      if (d.id == "missing-report" && d.period == period_kind) earlier(d.before, "");
  }
  r.as_of = as_of.value_or(std::min(r.due.empty() ? r.covers.to : day_before(r.due), today));
  if (r.as_of < r.covers.from)
    return bad_input(i18n::Text("the report of {} covers {} to {}; as of {} nothing of it has happened yet", period,
                                r.covers.from, r.covers.to, r.as_of));
  auto in_force = profile_on(ledger, r.as_of);
  if (!in_force) return std::unexpected(in_force.error());
  r.profile = in_force->id;
  r.basis = profile_basis(*in_force);
  return r;
}

Result<PeriodicReport> report_in_frame(const ledger::Ledger& ledger, PeriodicReport r, const SubjectFilter& keep) {
  const Period counted{r.covers.from, std::min(r.covers.to, r.as_of)};
  // `keep`, when given, has chosen the subjects (the unit's and those of the units under it): `unit` only names them.
  auto stats = statistics(ledger, AsOf{r.as_of, r.at}, r.year, keep ? std::string() : r.unit, counted, keep);
  if (!stats) return std::unexpected(stats.error());
  r.stats = std::move(*stats);
  return r;
}

Result<PeriodicReport> periodic_report(const ledger::Ledger& ledger, const std::string& period,
                                       const std::string& unit, const std::optional<std::string>& as_of,
                                       const std::string& today, std::optional<std::uint64_t> at,
                                       const SubjectFilter& keep) {
  auto frame = report_frame(ledger, period, unit, as_of, today, at);
  if (!frame) return frame;
  return report_in_frame(ledger, std::move(*frame), keep);
}

std::vector<Figure> report_figures(const PeriodicReport& r) {
  const Statistics& s = r.stats;
  std::vector<Figure> f = {{"report", "period", r.period}, {"report", "unit", r.unit}, {"report", "as_of", r.as_of}};
  if (r.at) f.push_back({"report", "at", std::to_string(*r.at)});
  for (const auto& [key, value] : {std::pair{"from", r.covers.from}, {"to", r.covers.to}, {"due", r.due}, {"profile", r.profile}})
    f.push_back({"report", key, value});
  // I. Models by name: points and implementing teams (000 §VI).
  for (const auto& m : s.models) {
    f.push_back({"points", m.name, count(m.points)});
    f.push_back({"teams", m.name, count(static_cast<std::size_t>(m.teams))});
  }
  f.push_back({"total", "points", count(s.points)});
  f.push_back({"total", "teams", count(static_cast<std::size_t>(s.teams))});
  // II. Built, recognised, replicated, merged, reorganised, ended in the period; IV. announcements.
  for (const auto& key : period_keys()) {
    auto it = s.in_period.find(key);
    f.push_back({"period", key, count(it == s.in_period.end() ? 0 : it->second)});
  }
  // III. Ratings of the evaluation year (yearly reports): by level, and effective (Fair or better, 000 §III.1).
  if (r.yearly) {
    std::size_t effective = 0;
    for (const char* level : {"good", "fair", "average", "weak"}) {
      auto it = s.ratings.find(level);
      const std::size_t n = it == s.ratings.end() ? 0 : it->second;
      f.push_back({"ratings", level, count(n)});
      if (std::string_view(level) == "good" || std::string_view(level) == "fair") effective += n;
    }
    f.push_back({"ratings", "effective", count(effective)});
    for (const auto& rep : s.replication) {
      f.push_back({"replication-points", rep.origin, count(rep.points)});
      f.push_back({"replication-effective", rep.origin, count(rep.effective)});
    }
  }
  // V. Exemplars by stage on the report's day.
  for (const char* stage : {"building", "recognized", "ended"}) {
    auto it = s.exemplars.find(stage);
    f.push_back({"exemplars", stage, count(it == s.exemplars.end() ? 0 : it->second)});
  }
  // VII. Counted apart, never in the totals (000 §VI).
  for (const auto& a : s.apart) f.push_back({"apart", a.subject, a.reason});
  // The units as they were on the report's day: each unit that had ceased (unit.reorganised), its successor.
  for (const auto& [section, key, value] : succession_rows(s)) f.push_back({section, key, value});
  // The subjects counted from a merged province's predecessors (sealed parts), by prefix.
  for (const auto& [prefix, n] : s.parts) f.push_back({"part", prefix, count(n)});
  return f;
}

}  // namespace antq::projections
