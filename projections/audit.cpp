#include "projections/audit.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "projections/admission.hpp"
#include "projections/dossier.hpp"
#include "projections/lifecycle.hpp"
#include "projections/names.hpp"
#include "projections/retention.hpp"
#include "projections/stats.hpp"
#include "projections/units.hpp"
#include "projections/words.hpp"

namespace antq::projections {
namespace {

using nlohmann::json;

// Whether at least `months` full months and a day have passed from `from` to `to`.
bool more_than_months(const std::string& from, const std::string& to, int months) {
  const int m = full_months(from, to);
  return m > months || (m == months && to.substr(8) > from.substr(8));
}

int data_year(const json& data) { return data.is_object() ? data.value("year", 0) : 0; }

// The evaluation year an act of a model's yearly work is for: data.year of a plan, a rating proposal or a rating;
// the year of a report's period ("2025-H1", "2025"); 0 for others (an ad hoc report).
int work_year(const ledger::Act& act) {
  if (act.act == "model.plan-issued" || act.act == "model.rating-proposed" || act.act == "model.rated")
    return data_year(act.data);
  if (act.act == "model.report-filed" && act.data.is_object()) {
    const std::string period = act.data.value("period", "");
    if (period.size() >= 4 && period.find_first_not_of("0123456789") >= 4) return std::stoi(period.substr(0, 4));
  }
  return 0;
}

// The latest data.`field` (text) the model's founding acts give (model.proposed, .established, .recognized).
std::string founding_text(const std::vector<ChainLink>& links, const char* field) {
  std::string out;
  for (const ChainLink& l : links)
    if ((l.act.act == "model.proposed" || l.act.act == "model.established" || l.act.act == "model.recognized") &&
        l.act.data.is_object() && l.act.data.contains(field) && l.act.data[field].is_string())
      out = l.act.data[field].get<std::string>();
  return out;
}

// A duplicate-model candidate: an active self-managed Movement model with security content and an area.
struct Candidate {
  const SubjectState* s;
  std::string area, implementer, name;  // keys (projections/names.hpp); implementer empty when no act names one
  std::string implementer_text;
};

// "a, b or c".
std::string list_of(const std::vector<std::string>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i == 0 ? "" : i + 1 == v.size() ? " or " : ", ") + v[i];
  return out;
}

class Auditor {
 public:
  Auditor(const ledger::Ledger& ledger, std::string today, const AsOf& at, const SubjectFilter& keep,
          const UnitFilter& reporting)
      : ledger_(ledger), today_(std::move(today)), at_(at), keep_(keep), reporting_(reporting), reader_(ledger) {}

  Result<std::vector<Finding>> run() {
    std::map<std::string, std::vector<Candidate>> by_area;  // duplicate-model candidates
    std::vector<SubjectState> states;
    std::map<std::string, std::vector<ChainLink>> chains;
    for (const auto& id : subject_ids(ledger_)) {
      if (keep_ && !keep_(id)) continue;
      auto s = reader_.state_with_acts(id, at_);
      if (!s) return std::unexpected(s.error());
      if (!s->state) continue;
      chains[id] = std::move(s->acts);
      states.push_back(std::move(*s->state));
    }
    auto p = profile_on(ledger_, today_);
    if (!p) return std::unexpected(p.error());
    const ModelNames names(p->names);
    for (const SubjectState& s : states) {
      const std::vector<ChainLink>& links = chains[s.id];
      if (s.kind == "exemplar") {
        exemplar(*p, s, links);
        continue;
      }
      deadlines(*p, s, links);
      level_mismatch(*p, s, links);
      weak_not_terminated(*p, s, links);
      good_not_announced(*p, s, links);
      criteria_unsupported(*p, s, links);
      missing_plan(*p, s, links);
      dossier(*p, s, links);
      if (!s.closed() && s.is_founded() && !s.area.empty() && p->applies("duplicate-model") && s.type != "linked" &&
          s.movement != "dan-van-kheo" && s.security_content) {
        const std::string implementer = founding_text(links, "implementer");
        by_area[name_key(s.area)].push_back(
            {&s, name_key(s.area), implementer.empty() ? "" : name_key(implementer), names.group(s.name), implementer});
      }
      if (!s.points.empty()) replication(*p, s);
    }
    for (const auto& [area, models] : by_area) duplicates(models);
    unit_reports(*p, states);
    if (!keep_) not_carried_over();
    if (auto r = retention(states, chains); !r) return std::unexpected(r.error());
    std::sort(out_.begin(), out_.end(), [](const Finding& a, const Finding& b) {
      return std::tie(a.subject, a.date, a.rule, a.seq) < std::tie(b.subject, b.date, b.rule, b.seq);
    });
    return std::move(out_);
  }

 private:
  void add(const SubjectState& s, std::uint64_t seq, std::string rule, std::string date, i18n::Text message,
           std::vector<std::uint64_t> documents = {}) {
    if (documents.empty()) documents.push_back(seq);
    out_.push_back({s.id, seq, std::move(rule), std::move(date), std::move(message), std::move(documents), {}});
  }

  // not-carried-over (ledger/FORMAT.md §14; whole-ledger audits): a subject that a sealed part (a merged province's
  // predecessor) held open and that no unit of this ledger had taken over (subject.carried-over) by the day. After
  // the merger no unit is competent to rate, replicate or end it (domain.md §11). Dated the day the merger took
  // effect; the entry is the ledger.predecessor-sealed one; the subject reads as PREFIX.<id>.
  void not_carried_over() {
    for (const std::string& part : ledger_.sealed_parts()) {
      const auto sealing = sealed_as_of(ledger_, part, at_);
      if (!sealing || !at_.includes(sealing->seq, sealing->effective) || today_ < sealing->effective) continue;
      const std::string& effective = sealing->effective;
      const std::uint64_t seq = sealing->seq;
      ledger_.for_each_sealed(part, "state", "subject/", [&](std::string_view, std::string_view value) {
        const auto s = SubjectState::from_json(nlohmann::json::parse(value, nullptr, false));
        if (!s || s->closed() || carried_as_of(ledger_, part, s->id, at_)) return;
        const std::string id = part + "." + s->id;
        out_.push_back(
            {id,
             seq,
             "not-carried-over",
             effective,
             i18n::Text("{} ({}, {}{}) was open when part {} was sealed, effective {} (entry {}), and no "
                        "unit of this ledger has taken it over (antq carry-over): none is competent to "
                        "rate, replicate or end it",
                        id, words::kind_text(s->kind), words::stage_text(s->stage),
                        s->authority.unit.empty() ? i18n::Text() : i18n::Text(", founded by {}", s->authority.unit),
                        part, effective, seq),
             {seq},
             {}});
      });
    }
  }

  // late-proposal, late-decision, late-forwarding (acts after the day of their evaluation year), missing-report,
  // and (format 2) missing-rating and missing-forwarding.
  void deadlines(const Profile& p, const SubjectState& s, const std::vector<ChainLink>& links) {
    std::map<std::string, std::string> report_due;  // period -> earliest "before" day
    for (const Deadline& d : p.deadlines) {
      if (!p.applies(d.id)) continue;
      if (d.id == "missing-rating") {
        missing_rating(p, d, s);
        continue;
      }
      if (d.id == "missing-forwarding") {
        missing_forwarding(p, d, s, links);
        continue;
      }
      // Format 1 files list the reporting units' days among a model's report deadlines; the earliest applies.
      // Format-2 files list a model's own day only (the units' are unit_reports).
      if (d.period) {
        auto [it, added] = report_due.emplace(*d.period, d.before);
        if (!added) it->second = std::min(it->second, d.before);
        continue;
      }
      for (const ChainLink& l : links) {
        if (l.act.act != d.act) continue;
        const int year = data_year(l.act.data);
        const std::string due = fmt::format("{:04}-{}", year, d.before);
        if (l.act.date >= due)
          add(s, l.entry.seq, d.id, l.act.date,
              i18n::Text("{} of {} for {} is dated {}; it was due before {} ({})", d.act, s.id, year, l.act.date, due,
                         p.id));
      }
    }
    if (!s.is_founded() || report_due.empty()) return;
    const int first = std::stoi(s.founded.substr(0, 4));
    const int last = std::stoi(today_.substr(0, 4));
    for (int y = first; y <= last; ++y)
      for (const auto& [period, before] : report_due) {
        const std::string due = fmt::format("{:04}-{}", y, before);
        const std::string name = period == "H1" ? fmt::format("{}-H1", y) : std::to_string(y);
        // Due when the model had six months to report on, the deadline has passed, and it was not yet closed.
        if (today_ < due || more_than_months(s.founded, due, 6) == false) continue;
        if (s.closed() && s.last_date < due) continue;
        bool filed = false;
        for (const ChainLink& l : links)
          filed = filed || (l.act.act == "model.report-filed" && l.act.data.value("period", "") == name && l.act.date < due);
        if (!filed)
          add(s, s.entries.back(), "missing-report", due,
              i18n::Text("{} has no {} report (model.report-filed, period {}) dated before {} ({})", s.id,
                         period == "H1" ? i18n::Text("half-year") : i18n::Text("yearly"), name, due, p.id));
      }
  }

  // The evaluation years from the founding's to today's.
  std::pair<int, int> years_of(const SubjectState& s) const {
    return {std::stoi(s.founded.substr(0, 4)), std::stoi(today_.substr(0, 4))};
  }

  // Whether `s` had to be rated for the year whose decision is due before `due`: open on that day and old enough
  // (the profile's eligibility months; else, as for reports, more than six months since its founding).
  bool due_for_rating(const Profile& p, const SubjectState& s, const std::string& due) const {
    if (s.founded >= due || (s.closed() && s.last_date < due)) return false;
    if (p.applies("eligibility") && p.rating.eligibility_months) return full_months(s.founded, due) >= *p.rating.eligibility_months;
    return more_than_months(s.founded, due, 6);
  }

  // missing-rating: an eligible model open on the day the rating decision was due, with no rating of that year.
  void missing_rating(const Profile& p, const Deadline& d, const SubjectState& s) {
    if (!s.is_founded()) return;
    const auto [first, last] = years_of(s);
    for (int y = first; y <= last; ++y) {
      const std::string due = fmt::format("{:04}-{}", y, d.before);
      if (today_ < due || !due_for_rating(p, s, due) || s.ratings.contains(y)) continue;
      add(s, s.entries.back(), "missing-rating", due,
          i18n::Text("{} {} {} and has no rating decision (model.rated) for {}, due before {} ({})", s.id,
                     s.has("model.recognized") ? i18n::Text("was recognized") : i18n::Text("was established"),
                     s.founded, y, due, p.id));
    }
  }

  // missing-forwarding: a rating of year Y never sent on (model.rating-forwarded of Y), its day passed.
  void missing_forwarding(const Profile& p, const Deadline& d, const SubjectState& s, const std::vector<ChainLink>& links) {
    for (const auto& [y, r] : s.ratings) {
      const std::string due = fmt::format("{:04}-{}", y, d.before);
      if (today_ < due) continue;
      const bool sent = std::any_of(links.begin(), links.end(), [&, y = y](const ChainLink& l) {
        return l.act.act == "model.rating-forwarded" && data_year(l.act.data) == y;
      });
      if (!sent)
        add(s, r.seq, "missing-forwarding", due,
            i18n::Text("{} was rated {} for {} (decision of {}, entry {}); the result was never sent on "
                       "(model.rating-forwarded), due before {} ({})",
                       s.id, words::level_text(r.level), y, r.date, r.seq, due, p.id));
    }
  }

  // good-not-announced (Bắc Giang 004 §III.2: "Mô hình hoạt động Tốt phải được thông báo phổ biến, nhân rộng"): a
  // Good rating of Y with no model.announced from 12 months before the decision to the next year's rating day.
  void good_not_announced(const Profile& p, const SubjectState& s, const std::vector<ChainLink>& links) {
    if (!p.applies("good-not-announced")) return;
    std::string day = "11-10";
    for (const Deadline& d : p.deadlines)
      if (d.id == "missing-rating") day = d.before;
    const int months = p.rating_evidence ? p.rating_evidence->within_months : 12;
    for (const auto& [y, r] : s.ratings) {
      if (r.level != "good") continue;
      const std::string from = months_before(r.date, months), by = fmt::format("{:04}-{}", y + 1, day);
      if (today_ < by) continue;
      const bool announced = std::any_of(links.begin(), links.end(), [&](const ChainLink& l) {
        return l.act.act == "model.announced" && l.act.date >= from && l.act.date < by;
      });
      if (!announced)
        add(s, r.seq, "good-not-announced", by,
            i18n::Text("{} was rated good for {} (decision of {}, entry {}) and was not announced for dissemination "
                       "and replication (model.announced) from {} to before {} ({})",
                       s.id, y, r.date, r.seq, from, by, p.id));
    }
  }

  // rating-criteria-unsupported (format 2, rating_evidence): a rating names an announcement or commendation
  // criterion, and no such act of the 12 months before it has a scope or level the criterion accepts (Good: the
  // district or higher, 004 §III.1.1; Fair: the commune, §III.1.2). Admission saw only that the act happened.
  void criteria_unsupported(const Profile& p, const SubjectState& s, const std::vector<ChainLink>& links) {
    if (!p.applies("rating-criteria-unsupported") || !p.rating_evidence) return;
    const RatingEvidence& ev = *p.rating_evidence;
    for (const ChainLink& l : links) {
      if (l.act.act != "model.rated" || !l.act.data.contains("criteria")) continue;
      const std::string since = months_before(l.act.date, ev.within_months);
      for (const auto& c : l.act.data.at("criteria")) {
        const std::string id = c.get<std::string>();
        for (const auto& [claims, kind, field] : {std::tuple{&ev.announced, "model.announced", "scope"},
                                                  std::tuple{&ev.commended, "commendation.awarded", "level"}}) {
          auto claim = std::find_if(claims->begin(), claims->end(), [&](const EvidenceClaim& e) { return e.criterion == id; });
          if (claim == claims->end()) continue;
          const bool supported = std::any_of(links.begin(), links.end(), [&](const ChainLink& a) {
            if (a.act.act != kind || a.act.date < since || a.act.date > l.act.date || a.entry.seq > l.entry.seq) return false;
            const std::string v = a.act.data.is_object() ? a.act.data.value(field, "") : "";
            return std::find(claim->of.begin(), claim->of.end(), v) != claim->of.end();
          });
          if (!supported)
            add(s, l.entry.seq, "rating-criteria-unsupported", l.act.date,
                i18n::Text("{} was rated {} for {} (decision of {}) naming {}, but no {} from {} has data.{} {} ({})",
                           s.id, words::level_text(l.act.data.value("level", "")), data_year(l.act.data), l.act.date,
                           id, kind, since, field, list_of(claim->of), p.id));
        }
      }
    }
  }

  // missing-unit-report (format 2, unit_reports): a reporting unit with no report of a period (unit.report-filed)
  // dated before its tier's day. The reporting units: where the ledger registers units (unit.registered), the
  // registered units of a tier's level and, where the tier names them (`kinds`), of its kinds, from their `from`
  // day; a report is theirs when its authority names them or an alias (after folding). A ledger without a registry
  // knows no kinds: the units at a tier's level that founded a subject audited here (or, on the whole ledger, filed a
  // report), from the day they founded their first.
  void unit_reports(const Profile& p, const std::vector<SubjectState>& states) {
    if (!p.applies("missing-unit-report") || p.unit_reports.empty()) return;
    struct Reporter {
      std::string level, kind, since;
      std::uint64_t seq = 0;
    };
    std::map<std::string, Reporter> units;
    std::vector<UnitReport> filed;
    for (auto& r : unit_reports_of(ledger_))
      if (!at_.seq || r.seq <= *at_.seq) filed.push_back(std::move(r));
    std::vector<projections::Unit> registered;
    for (auto& u : registered_units(LedgerState(ledger_)))
      if (!at_.seq || u.seq <= *at_.seq) registered.push_back(std::move(u));
    const UnitTree tree(registered, "");
    if (!registered.empty()) {
      std::set<std::string> founders;  // registered names of the units that founded an audited subject
      for (const SubjectState& s : states)
        if (const projections::Unit* u = tree.find(s.authority.unit)) founders.insert(u->name);
      for (const projections::Unit& u : registered) {
        const bool shown = reporting_ ? reporting_(u.name, u.level) : !keep_ || founders.contains(u.name);
        if (shown) units.try_emplace(u.name, Reporter{u.level, u.kind, u.from, u.seq});
      }
      for (UnitReport& r : filed)  // a report names its unit as the act's authority wrote it
        if (const projections::Unit* u = tree.find(r.unit)) r.unit = u->name;
    } else {
      for (const SubjectState& s : states) {
        if (!s.is_founded() || s.authority.unit.empty()) continue;
        auto [it, added] = units.try_emplace(s.authority.unit, Reporter{s.authority.level, "", s.founded, s.founding_seq()});
        if (!added && s.founded < it->second.since) it->second = {s.authority.level, "", s.founded, s.founding_seq()};
      }
      if (!keep_)
        for (const UnitReport& r : filed) units.try_emplace(r.unit, Reporter{r.level, "", r.date, r.seq});
    }
    const int last = std::stoi(today_.substr(0, 4));
    for (const auto& [unit, u] : units)
      for (const UnitReportTier& tier : p.unit_reports) {
        if (std::find(tier.levels.begin(), tier.levels.end(), u.level) == tier.levels.end()) continue;
        if (auto k = tier.kinds.find(u.level); k != tier.kinds.end() && !u.kind.empty() &&
                                               std::find(k->second.begin(), k->second.end(), u.kind) == k->second.end())
          continue;
        for (int y = std::stoi(u.since.substr(0, 4)); y <= last; ++y) {
          const std::string due = fmt::format("{:04}-{}", y, tier.before);
          const std::string name = tier.period == "H1" ? fmt::format("{}-H1", y) : std::to_string(y);
          if (today_ < due || due <= u.since) continue;
          const bool sent = std::any_of(filed.begin(), filed.end(), [&, &unit = unit](const UnitReport& r) {
            return r.unit == unit && r.period == name && r.date < due;
          });
          if (sent) continue;
          out_.push_back({"ledger",
                          u.seq,
                          "missing-unit-report",
                          due,
                          i18n::Text("{} ({}{}) has no {} report {} (unit.report-filed) dated before {} to {} ({})",
                                     unit, u.level, u.kind.empty() ? std::string() : ", " + u.kind,
                                     tier.period == "H1" ? i18n::Text("half-year") : i18n::Text("yearly"), name, due,
                                     tier.to, p.id),
                          {u.seq},
                          unit});
        }
      }
  }

  // level-mismatch: the decided level against the band of targets_met_pct (percentage profiles).
  void level_mismatch(const Profile& p, const SubjectState& s, const std::vector<ChainLink>& links) {
    if (!p.applies("level-mismatch") || p.rating.basis != "percentage") return;
    for (const ChainLink& l : links) {
      if (l.act.act != "model.rated" || !l.act.data.contains("targets_met_pct")) continue;
      const double pct = l.act.data["targets_met_pct"].get<double>();
      std::string band;
      for (const RatingBand& b : p.rating.bands)
        if (pct >= b.min_pct) {
          band = b.level;
          break;
        }
      const std::string level = l.act.data.value("level", "");
      if (!band.empty() && band != level)
        add(s, l.entry.seq, "level-mismatch", l.act.date,
            i18n::Text("{} was rated {} for {} (decision of {}), but {}% of its targets met is the {} band ({})", s.id,
                       words::level_text(level), data_year(l.act.data), l.act.date, pct, words::level_text(band),
                       p.id));
    }
  }

  // weak-not-terminated: a Weak model still open (Bắc Giang: at once). The other seeds set no time limit ("thì kết
  // thúc", 000 §III.3): under format 2 it is found on evidence that the model was kept going — a plan, a report or
  // a rating proposal for a later evaluation year — with no termination; under format 1 after 31 October of the
  // next evaluation year, as before.
  void weak_not_terminated(const Profile& p, const SubjectState& s, const std::vector<ChainLink>& links) {
    if (!p.applies("weak-not-terminated") || s.closed()) return;
    auto latest = s.latest_rating();
    if (!latest || latest->second.level != "weak") return;
    const bool at_once = p.weak_must_terminate == "immediately";
    if (!p.weak_must_terminate && p.weak_on_evidence) {
      for (const ChainLink& l : links)
        if (work_year(l.act) > latest->first) {
          add(s, latest->second.seq, "weak-not-terminated", l.act.date,
              i18n::Text("{} was rated weak for {} (decision of {}, entry {}) and is still {}: {} for {} (entry {}, "
                         "{}) keeps it going instead of ending it by the termination steps ({}: no time limit, 000 "
                         "§III.3)",
                         s.id, latest->first, latest->second.date, latest->second.seq, words::stage_text(s.stage),
                         l.act.act, work_year(l.act), l.entry.seq, l.act.date, p.id),
              {latest->second.seq, l.entry.seq});
          return;
        }
      return;
    }
    const std::string by = at_once ? latest->second.date : fmt::format("{:04}-10-31", latest->first + 1);
    if (today_ <= by) return;
    add(s, latest->second.seq, "weak-not-terminated", by,
        i18n::Text("{} was rated weak for {} (decision of {}, entry {}) and is still {} {}", s.id, latest->first,
                   latest->second.date, latest->second.seq, words::stage_text(s.stage),
                   at_once ? i18n::Text("({}: a Weak model is liquidated at once)", p.id)
                           : i18n::Text("after the next evaluation year ended {}", by)));
  }

  // missing-plan: an active model without an activity plan for an evaluation year that began after its founding,
  // two months into that year.
  void missing_plan(const Profile& p, const SubjectState& s, const std::vector<ChainLink>& links) {
    if (!p.applies("missing-plan") || s.stage != "active") return;
    const int first = std::stoi(s.founded.substr(0, 4)) + 1;
    for (int y = first; y <= std::stoi(today_.substr(0, 4)) + 1; ++y) {
      // Due before the profile's day of Y (format 1: 1 January), else by the end of the evaluation year.
      const std::string opens = fmt::format("{:04}-11-01", y - 1);
      const std::string due = fmt::format("{:04}-{}", y, p.missing_plan_before.value_or("11-01"));
      if (s.founded >= opens || today_ < due) continue;
      const bool planned = std::any_of(links.begin(), links.end(), [&](const ChainLink& l) {
        return l.act.act == "model.plan-issued" && data_year(l.act.data) == y;
      });
      if (!planned)
        add(s, s.entries.back(), "missing-plan", due,
            i18n::Text("{} is active but has no activity plan (model.plan-issued) for evaluation year {}, which "
                       "opened {} (due before {}, {})",
                       s.id, y, opens, due, p.id));
    }
  }

  // dossier-incomplete: a founded model whose dossier lacks required items.
  void dossier(const Profile& p, const SubjectState& s, const std::vector<ChainLink>& links) {
    if (!p.applies("dossier-incomplete") || !s.is_founded()) return;
    const Dossier d = dossier_from(ledger_, s, links, p);
    std::string items;
    for (const auto& e : d.items)
      if (e.status == "missing") items += (items.empty() ? "" : ", ") + e.item.item;
    if (!items.empty())
      add(s, s.entries.back(), "dossier-incomplete", s.last_date,
          i18n::Text("{}'s dossier lacks item(s) {} of {} ({}% complete; antq dossier {} lists them)", s.id, items,
                     p.id, fmt::format("{:.0f}", 100 * d.completeness()), s.id));
  }

  // handover-due, handover-overdue (a file), disposal-eligible (a document): retention.hpp, under the schedule the
  // ledger holds (none: no finding).
  Status retention(const std::vector<SubjectState>& states, const std::map<std::string, std::vector<ChainLink>>& chains) {
    auto schedule = schedule_on(ledger_, today_);
    if (!schedule) return std::unexpected(schedule.error());
    if (!*schedule) return {};
    const LedgerState state(ledger_);
    const std::vector<Hold> holds = holds_of(state);
    for (const SubjectState& s : states) {
      const FileFacts file = file_facts(s, transfer_of(state, s.id), holds, today_, keeper_of(state, s));
      for (const RetentionRecord& r : file_records(state, (*schedule)->schedule, holds, file, chains.at(s.id), today_))
        retention_finding(s, r);
    }
    return {};
  }

  // The finding a file's or a document's retention record calls for, if any.
  void retention_finding(const SubjectState& s, const RetentionRecord& r) {
    if (!r.due) return;
    const std::string next_day = fmt::format("{:04}-01-01", std::stoi(r.due->substr(0, 4)) + 1);
    const i18n::Text provisional = r.provisional ? i18n::Text(", provisional schedule") : i18n::Text();
    const i18n::Text kept = r.years                   ? i18n::Text("{} years", *r.years)
                            : r.period == "permanent" ? i18n::Text::term(r.period, NC_("retention", "permanent"))
                                                      : i18n::Text::verbatim(r.period);
    if (r.cls == "file" && r.status == "handover-due")
      add(s, s.entries.back(), "handover-due", r.due->substr(0, 4) + "-12-01",
          i18n::Text("the file of {} is due for hand-over to the archive by {} (kept {}{}; antq handover)", r.subject,
                     *r.due, kept, provisional));
    else if (r.cls == "file" && r.status == "handover-overdue")
      add(s, s.entries.back(), "handover-overdue", next_day,
          i18n::Text("the file of {} was due for hand-over to the archive by {} and has not been transferred (kept "
                     "{}{}; antq handover)",
                     r.subject, *r.due, kept, provisional));
    else if (r.cls != "file" && r.status == "disposal-eligible")
      add(s, r.seq.value_or(s.entries.back()), "disposal-eligible", next_day,
          i18n::Text("{} {} of {} ({}, {} years{}) has been kept to {}: the unit may decide its disposal "
                     "(record.disposed)",
                     r.act, r.number.empty() ? i18n::Text("(no number)") : i18n::Text::verbatim(r.number), r.subject,
                     r.cls, r.years.value_or(0), provisional, *r.due));
  }

  // duplicate-model (000 §III.1 Lưu ý: "cùng chủ thể thực hiện, cùng mục tiêu bảo đảm an ninh, trật tự nhưng hình
  // thành nhiều mô hình với tên gọi khác nhau"; §III.3: not two models with the same members and goal on one area,
  // "trừ loại mô hình liên kết, phối hợp"): among the active self-managed models of one area, a later one is a
  // duplicate of an earlier one with the same implementer when both name theirs, else with the same name key.
  void duplicates(std::vector<Candidate> models) {
    // The later founded is the duplicate.
    std::stable_sort(models.begin(), models.end(), [](const Candidate& a, const Candidate& b) {
      return std::pair(a.s->founded, a.s->founding_seq()) < std::pair(b.s->founded, b.s->founding_seq());
    });
    for (std::size_t j = 1; j < models.size(); ++j)
      for (std::size_t i = 0; i < j; ++i) {
        const Candidate& a = models[i];
        const Candidate& b = models[j];
        const bool by_implementer = !a.implementer.empty() && !b.implementer.empty();
        if (by_implementer ? a.implementer != b.implementer : a.name != b.name) continue;
        add(*b.s, b.s->founding_seq(), "duplicate-model", b.s->founded,
            by_implementer
                ? i18n::Text("{} (“{}”) and {} (“{}”) are both active models of {} in {}: the same implementer "
                             "under {} names, merge candidates (000 §III.1, §III.3)",
                             a.s->id, a.s->name, b.s->id, b.s->name, b.implementer_text, b.s->area,
                             a.s->name == b.s->name ? i18n::Text("the same") : i18n::Text("different"))
                : i18n::Text("{} and {} are both active “{}” models in {}: merge candidates (000 §III.1, §III.3)",
                             a.s->id, b.s->id, b.s->name, b.s->area),
            {a.s->founding_seq(), b.s->founding_seq()});
        break;
      }
  }

  // replication-ineffective (Kon Tum): fewer than the profile's share of a model's points rated Fair or better.
  void replication(const Profile& p, const SubjectState& origin) {
    if (!p.applies("replication-ineffective") || !p.points_effective_pct) return;
    std::vector<SubjectState> states;
    std::set<int> years;  // the years any point was rated for
    for (const auto& id : origin.points) {
      auto point = reader_.state(id, at_);
      if (!point || !*point) continue;
      for (const auto& [year, r] : (*point)->ratings) years.insert(year);
      states.push_back(std::move(**point));
    }
    std::vector<const SubjectState*> points;
    for (const auto& s : states) points.push_back(&s);
    // The share is of all the model's points open and eligible in the year, not only of those rated (002 §1.c).
    for (int year : years) {
      const PointsOfYear y = points_of_year(points, year, p);
      if (y.effective * 100 < static_cast<std::size_t>(*p.points_effective_pct) * y.counted)
        add(origin, origin.entries.back(), "replication-ineffective", fmt::format("{:04}-11-10", year),
            i18n::Text("{}: {} of its {} points counted for {} (rated, or open and eligible) are Fair or better "
                       "({} rated), under {}% ({})",
                       origin.id, y.effective, y.counted, year, y.rated, *p.points_effective_pct, p.id));
    }
  }

  // exemplar-late-evaluation and exemplar-below-threshold.
  void exemplar(const Profile& p, const SubjectState& s, const std::vector<ChainLink>& links) {
    if (!p.exemplar) return;
    const ChainLink* plan = nullptr;
    const ChainLink* evaluated = nullptr;
    for (const ChainLink& l : links) {
      if (l.act.act == "exemplar.plan-issued" && !plan) plan = &l;
      if (l.act.act == "exemplar.evaluated" && !evaluated) evaluated = &l;
    }
    const int within = p.exemplar->evaluate_within_months;
    if (plan && p.applies("exemplar-late-evaluation")) {
      const std::string when = evaluated ? evaluated->act.date : today_;
      if (more_than_months(plan->act.date, when, within) && !(s.closed() && !evaluated))
        add(s, evaluated ? evaluated->entry.seq : plan->entry.seq, "exemplar-late-evaluation", when,
            evaluated ? i18n::Text("{} was first evaluated {}, more than {} months after its build plan of {} ({})",
                                   s.id, evaluated->act.date, within, plan->act.date, p.id)
                      : i18n::Text("{} has no evaluation {} months after its build plan of {} ({})", s.id, within,
                                   plan->act.date, p.id),
            {plan->entry.seq});
    }
    if (s.has("exemplar.recognized") && p.applies("exemplar-common-criteria")) common_criteria(p, s, links, plan);
    if (s.stage == "recognized" && p.applies("exemplar-below-threshold") && !s.criteria.empty()) {
      // Of the exemplar's own criteria (the common ones a format-2 evaluation may list besides are not counted).
      const auto own = std::count_if(s.met.begin(), s.met.end(), [&](const std::string& id) {
        return std::find(s.criteria.begin(), s.criteria.end(), id) != s.criteria.end();
      });
      const int pct = static_cast<int>(100 * static_cast<std::size_t>(own) / s.criteria.size());
      if (pct < p.exemplar->keep_threshold_pct) {
        const ActRef& e = s.acts.at("exemplar.evaluated");
        add(s, e.seq, "exemplar-below-threshold", e.date,
            i18n::Text("{} met {} of its {} criteria ({}%) at the evaluation of {} and has not been ended (under {}%, "
                       "{})",
                       s.id, own, s.criteria.size(), pct, e.date, p.exemplar->keep_threshold_pct, p.id));
      }
    }
  }

  // exemplar-common-criteria (000 §IV.1.3 = 001 §IV.1 Bước 3: "Căn cứ tiêu chí chung (...) và tiêu chí riêng"): an
  // exemplar recognised on an evaluation that does not find every common criterion met, or that claims one whose
  // evidence (the commendation "trong năm xây dựng điển hình") has no act in the building year.
  void common_criteria(const Profile& p, const SubjectState& s, const std::vector<ChainLink>& links,
                       const ChainLink* plan) {
    const ChainLink* recognized = nullptr;
    const ChainLink* basis = nullptr;  // the latest evaluation before the recognition
    for (const ChainLink& l : links) {
      if (l.act.act == "exemplar.recognized") {
        recognized = &l;
        break;
      }
      if (l.act.act == "exemplar.evaluated") basis = &l;
    }
    if (!recognized || p.exemplar->common_criteria.empty()) return;
    std::set<std::string> met;
    if (basis && basis->act.data.is_object()) {
      for (const auto& m : basis->act.data.value("met", json::array())) {
        if (m.is_string()) met.insert(m.get<std::string>());
        else if (m.is_object() && m.contains("id") && m["id"].is_string()) met.insert(m["id"].get<std::string>());
      }
    }
    std::string missing;
    for (const CommonCriterion& c : p.exemplar->common_criteria)
      if (!met.contains(c.id)) missing += fmt::format("{}{} ({})", missing.empty() ? "" : "; ", c.id, c.vi);
    std::vector<std::uint64_t> documents = {recognized->entry.seq};
    if (basis) documents.push_back(basis->entry.seq);
    if (!missing.empty())
      add(s, recognized->entry.seq, "exemplar-common-criteria", recognized->act.date,
          i18n::Text("{} was recognised on {} {}, which does not find the common criteria met: {} (000 §IV.1.3, {})",
                     s.id, recognized->act.date,
                     basis ? i18n::Text("on the evaluation of {} (entry {})", basis->act.date, basis->entry.seq)
                           : i18n::Text("with no evaluation"),
                     missing, p.id),
          documents);
    // A claimed criterion whose evidence must be in the building year: from the build plan, within the months the
    // profile gives for the evaluation.
    for (const CommonCriterion& c : p.exemplar->common_criteria) {
      if (!c.evidence || !met.contains(c.id)) continue;
      const std::string from = plan ? plan->act.date : s.founded;
      const bool backed = std::any_of(links.begin(), links.end(), [&](const ChainLink& l) {
        return l.act.act == *c.evidence && l.act.date >= from &&
               !more_than_months(from, l.act.date, p.exemplar->evaluate_within_months);
      });
      if (!backed)
        add(s, basis->entry.seq, "exemplar-common-criteria", recognized->act.date,
            i18n::Text("{} was recognised on {} on an evaluation (entry {}) claiming {} ({}), but no {} is recorded "
                       "in its building year ({} months from its build plan of {}) (000 §IV.1.3, {})",
                       s.id, recognized->act.date, basis->entry.seq, c.id, c.vi, *c.evidence,
                       p.exemplar->evaluate_within_months, from, p.id),
            documents);
    }
  }

  const ledger::Ledger& ledger_;
  std::string today_;
  AsOf at_;
  SubjectFilter keep_;  // empty: every subject
  UnitFilter reporting_;  // the registered units whose reports are audited; empty: see unit_reports
  SubjectReader reader_;
  std::vector<Finding> out_;
};

}  // namespace

Result<std::vector<Finding>> audit(const ledger::Ledger& ledger, const std::string& today, const AsOf& at,
                                   const SubjectFilter& keep, const UnitFilter& reporting) {
  auto out = Auditor(ledger, at.date.value_or(today), at, keep, reporting).run();
  if (!out || keep || reporting) return out;
  // A whole-ledger audit: each sealed part's findings as of the day, by its own profile, with deadlines measured no
  // later than the merger took effect (from then on the predecessor's duties are the successor's, and an open
  // subject nobody took over is not-carried-over), except for the subjects carried over by then.
  const std::size_t own = out->size();
  for (const std::string& prefix : ledger.sealed_parts()) {
    const auto sealing = sealed_as_of(ledger, prefix, at);
    if (!sealing) continue;
    auto part = ledger.open_part(prefix);
    if (!part) return std::unexpected(part.error());
    const std::string day = std::min(at.date.value_or(today), sealing->effective);
    auto theirs = Auditor(**part, day, AsOf{at.date, std::nullopt}, {}, {}).run();
    if (!theirs) return std::unexpected(theirs.error());
    for (Finding& f : *theirs) {
      if (f.subject != "ledger") {
        if (carried_as_of(ledger, prefix, f.subject, at)) continue;
        f.subject = prefix + "." + f.subject;
      }
      f.part = prefix;
      out->push_back(std::move(f));
    }
  }
  if (out->size() > own)
    std::stable_sort(out->begin(), out->end(), [](const Finding& a, const Finding& b) {
      return std::tie(a.subject, a.date, a.rule, a.part, a.seq) < std::tie(b.subject, b.date, b.rule, b.part, b.seq);
    });
  return out;
}

}  // namespace antq::projections
