#include "projections/audit.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "projections/admission.hpp"
#include "projections/dossier.hpp"
#include "projections/lifecycle.hpp"
#include "projections/retention.hpp"

namespace antq::projections {
namespace {

using nlohmann::json;

// Whether at least `months` full months and a day have passed from `from` to `to`.
bool more_than_months(const std::string& from, const std::string& to, int months) {
  const int m = full_months(from, to);
  return m > months || (m == months && to.substr(8) > from.substr(8));
}

int year_of(const json& data) { return data.is_object() ? data.value("year", 0) : 0; }

// "a, b or c".
std::string list_of(const std::vector<std::string>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i == 0 ? "" : i + 1 == v.size() ? " or " : ", ") + v[i];
  return out;
}



class Auditor {
 public:
  Auditor(const ledger::Ledger& ledger, std::string today, const AsOf& at, const SubjectFilter& keep)
      : ledger_(ledger), today_(std::move(today)), at_(at), keep_(keep), reader_(ledger) {}

  Result<std::vector<Finding>> run() {
    std::map<std::string, std::vector<const SubjectState*>> by_name;  // duplicate-model candidates
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
    for (const SubjectState& s : states) {
      const std::vector<ChainLink>& links = chains[s.id];
      if (s.kind == "exemplar") {
        exemplar(*p, s, links);
        continue;
      }
      deadlines(*p, s, links);
      level_mismatch(*p, s, links);
      good_not_announced(*p, s, links);
      criteria_unsupported(*p, s, links);
      weak_not_terminated(*p, s);
      missing_plan(*p, s, links);
      dossier(*p, s, links);
      if (!s.closed() && s.is_founded() && !s.area.empty() && p->applies("duplicate-model"))
        by_name[s.name + "\x1f" + s.type + "\x1f" + s.area].push_back(&s);
      if (!s.points.empty()) replication(*p, s);
    }
    for (const auto& [key, models] : by_name)
      for (std::size_t i = 1; i < models.size(); ++i)
        add(*models[i], models[i]->founding_seq(), "duplicate-model", models[i]->founded,
            fmt::format("{} and {} are both active \"{}\" ({}) models in {}: merge candidates (Hòa Bình §III.1, §III.3)",
                        models[0]->id, models[i]->id, models[i]->name, models[i]->type, models[i]->area),
            {models[0]->founding_seq(), models[i]->founding_seq()});
    unit_reports(*p, states);
    if (auto r = retention(states, chains); !r) return std::unexpected(r.error());
    std::sort(out_.begin(), out_.end(), [](const Finding& a, const Finding& b) {
      return std::tie(a.subject, a.date, a.rule, a.seq) < std::tie(b.subject, b.date, b.rule, b.seq);
    });
    return std::move(out_);
  }

 private:
  void add(const SubjectState& s, std::uint64_t seq, std::string rule, std::string date, std::string message,
           std::vector<std::uint64_t> documents = {}) {
    if (documents.empty()) documents.push_back(seq);
    out_.push_back({s.id, seq, std::move(rule), std::move(date), std::move(message), std::move(documents), {}});
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
        const int year = year_of(l.act.data);
        const std::string due = fmt::format("{:04}-{}", year, d.before);
        if (l.act.date >= due)
          add(s, l.entry.seq, d.id, l.act.date,
              fmt::format("{} of {} for {} is dated {}; it was due before {} ({})", d.act, s.id, year, l.act.date,
                          due, p.id));
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
              fmt::format("{} has no {} report (model.report-filed, period {}) dated before {} ({})", s.id,
                          period == "H1" ? "half-year" : "yearly", name, due, p.id));
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
          fmt::format("{} {} {} and has no rating decision (model.rated) for {}, due before {} ({})", s.id,
                      s.has("model.recognized") ? "was recognized" : "was established", s.founded, y, due, p.id));
    }
  }

  // missing-forwarding: a rating of year Y never sent on (model.rating-forwarded of Y), its day passed.
  void missing_forwarding(const Profile& p, const Deadline& d, const SubjectState& s, const std::vector<ChainLink>& links) {
    for (const auto& [y, r] : s.ratings) {
      const std::string due = fmt::format("{:04}-{}", y, d.before);
      if (today_ < due) continue;
      const bool sent = std::any_of(links.begin(), links.end(), [&, y = y](const ChainLink& l) {
        return l.act.act == "model.rating-forwarded" && year_of(l.act.data) == y;
      });
      if (!sent)
        add(s, r.seq, "missing-forwarding", due,
            fmt::format("{} was rated {} for {} (decision of {}, entry {}); the result was never sent on "
                        "(model.rating-forwarded), due before {} ({})", s.id, r.level, y, r.date, r.seq, due, p.id));
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
            fmt::format("{} was rated good for {} (decision of {}, entry {}) and was not announced for dissemination "
                        "and replication (model.announced) from {} to before {} ({})", s.id, y, r.date, r.seq, from,
                        by, p.id));
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
                fmt::format("{} was rated {} for {} (decision of {}) naming {}, but no {} from {} has data.{} {} ({})",
                            s.id, l.act.data.value("level", ""), year_of(l.act.data), l.act.date, id, kind, since,
                            field, list_of(claim->of), p.id));
        }
      }
    }
  }

  // missing-unit-report (format 2, unit_reports): a reporting unit with no report of a period (unit.report-filed)
  // dated before its tier's day. The units: those at a tier's level that founded a subject audited here (or, on the
  // whole ledger, filed a report), from the year they founded their first; the kind of unit a tier names (steering
  // committee, department) is not known yet (no unit registry), so a level stands for it.
  void unit_reports(const Profile& p, const std::vector<SubjectState>& states) {
    if (!p.applies("missing-unit-report") || p.unit_reports.empty()) return;
    struct Unit {
      std::string level, since;
      std::uint64_t seq = 0;
    };
    std::map<std::string, Unit> units;
    for (const SubjectState& s : states) {
      if (!s.is_founded() || s.authority.unit.empty()) continue;
      auto [it, added] = units.try_emplace(s.authority.unit, Unit{s.authority.level, s.founded, s.founding_seq()});
      if (!added && s.founded < it->second.since) it->second = {s.authority.level, s.founded, s.founding_seq()};
    }
    std::vector<UnitReport> filed;
    for (auto& r : unit_reports_of(LedgerState(ledger_)))
      if (!at_.seq || r.seq <= *at_.seq) filed.push_back(std::move(r));
    if (!keep_)
      for (const UnitReport& r : filed) units.try_emplace(r.unit, Unit{r.level, r.date, r.seq});
    const int last = std::stoi(today_.substr(0, 4));
    for (const auto& [unit, u] : units)
      for (const UnitReportTier& tier : p.unit_reports) {
        if (std::find(tier.levels.begin(), tier.levels.end(), u.level) == tier.levels.end()) continue;
        for (int y = std::stoi(u.since.substr(0, 4)); y <= last; ++y) {
          const std::string due = fmt::format("{:04}-{}", y, tier.before);
          const std::string name = tier.period == "H1" ? fmt::format("{}-H1", y) : std::to_string(y);
          if (today_ < due || due <= u.since) continue;
          const bool sent = std::any_of(filed.begin(), filed.end(), [&, &unit = unit](const UnitReport& r) {
            return r.unit == unit && r.period == name && r.date < due;
          });
          if (sent) continue;
          out_.push_back({"ledger", u.seq, "missing-unit-report", due,
                          fmt::format("{} ({}) has no {} report {} (unit.report-filed) dated before {} to {} ({})", unit,
                                      u.level, tier.period == "H1" ? "half-year" : "yearly", name, due, tier.to, p.id),
                          {u.seq}, unit});
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
            fmt::format("{} was rated {} for {} (decision of {}), but {}% of its targets met is the {} band ({})",
                        s.id, level, year_of(l.act.data), l.act.date, pct, band, p.id));
    }
  }

  // weak-not-terminated: a Weak model still open after the next evaluation year (Bắc Giang: at once).
  void weak_not_terminated(const Profile& p, const SubjectState& s) {
    if (!p.applies("weak-not-terminated") || s.closed()) return;
    auto latest = s.latest_rating();
    if (!latest || latest->second.level != "weak") return;
    const bool at_once = p.weak_must_terminate == "immediately";
    const std::string by = at_once ? latest->second.date : fmt::format("{:04}-10-31", latest->first + 1);
    if (today_ <= by) return;
    add(s, latest->second.seq, "weak-not-terminated", by,
        fmt::format("{} was rated weak for {} (decision of {}, entry {}) and is still {} {}", s.id, latest->first,
                    latest->second.date, latest->second.seq, s.stage,
                    at_once ? fmt::format("({}: a Weak model is liquidated at once)", p.id)
                            : fmt::format("after the next evaluation year ended {}", by)));
  }

  // missing-plan: an active model without an activity plan for an evaluation year that began after its founding,
  // two months into that year.
  void missing_plan(const Profile& p, const SubjectState& s, const std::vector<ChainLink>& links) {
    if (!p.applies("missing-plan") || s.stage != "active") return;
    const int first = std::stoi(s.founded.substr(0, 4)) + 1;
    for (int y = first; y <= std::stoi(today_.substr(0, 4)) + 1; ++y) {
      const std::string opens = fmt::format("{:04}-11-01", y - 1), due = fmt::format("{:04}-01-01", y);
      if (s.founded >= opens || today_ < due) continue;
      const bool planned = std::any_of(links.begin(), links.end(), [&](const ChainLink& l) {
        return l.act.act == "model.plan-issued" && year_of(l.act.data) == y;
      });
      if (!planned)
        add(s, s.entries.back(), "missing-plan", due,
            fmt::format("{} is active but has no activity plan (model.plan-issued) for evaluation year {}, which "
                        "opened {}", s.id, y, opens));
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
          fmt::format("{}'s dossier lacks item(s) {} of {} ({:.0f}% complete; antq dossier {} lists them)", s.id,
                      items, p.id, 100 * d.completeness(), s.id));
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
    const std::string provisional = r.provisional ? ", provisional schedule" : "";
    if (r.cls == "file" && r.status == "handover-due")
      add(s, s.entries.back(), "handover-due", r.due->substr(0, 4) + "-12-01",
          fmt::format("the file of {} is due for hand-over to the archive by {} (kept {}{}; antq handover)",
                      r.subject, *r.due, r.years ? fmt::format("{} years", *r.years) : r.period, provisional));
    else if (r.cls == "file" && r.status == "handover-overdue")
      add(s, s.entries.back(), "handover-overdue", next_day,
          fmt::format("the file of {} was due for hand-over to the archive by {} and has not been transferred (kept "
                      "{}{}; antq handover)", r.subject, *r.due, r.years ? fmt::format("{} years", *r.years) : r.period,
                      provisional));
    else if (r.cls != "file" && r.status == "disposal-eligible")
      add(s, r.seq.value_or(s.entries.back()), "disposal-eligible", next_day,
          fmt::format("{} {} of {} ({}, {} years{}) has been kept to {}: the unit may decide its disposal "
                      "(record.disposed)", r.act, r.number.empty() ? std::string("(no number)") : r.number,
                      r.subject, r.cls, r.years.value_or(0), provisional, *r.due));
  }

  // replication-ineffective (Kon Tum): fewer than the profile's share of a model's points rated Fair or better.
  void replication(const Profile& p, const SubjectState& origin) {
    if (!p.applies("replication-ineffective") || !p.points_effective_pct) return;
    std::map<int, std::pair<int, int>> by_year;  // year -> (effective, rated)
    for (const auto& id : origin.points) {
      auto point = reader_.state(id, at_);
      if (!point || !*point) continue;
      for (const auto& [year, r] : (*point)->ratings) {
        auto& [effective, rated] = by_year[year];
        ++rated;
        if (r.level == "good" || r.level == "fair") ++effective;
      }
    }
    for (const auto& [year, counts] : by_year)
      if (counts.first * 100 < *p.points_effective_pct * counts.second)
        add(origin, origin.entries.back(), "replication-ineffective", fmt::format("{:04}-11-10", year),
            fmt::format("{}: {} of its {} points rated for {} are Fair or better, under {}% ({})", origin.id,
                        counts.first, counts.second, year, *p.points_effective_pct, p.id));
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
            evaluated ? fmt::format("{} was first evaluated {}, more than {} months after its build plan of {} ({})",
                                    s.id, evaluated->act.date, within, plan->act.date, p.id)
                      : fmt::format("{} has no evaluation {} months after its build plan of {} ({})", s.id, within,
                                    plan->act.date, p.id),
            {plan->entry.seq});
    }
    if (s.stage == "recognized" && p.applies("exemplar-below-threshold") && !s.criteria.empty()) {
      const int pct = static_cast<int>(100 * s.met.size() / s.criteria.size());
      if (pct < p.exemplar->keep_threshold_pct) {
        const ActRef& e = s.acts.at("exemplar.evaluated");
        add(s, e.seq, "exemplar-below-threshold", e.date,
            fmt::format("{} met {} of its {} criteria ({}%) at the evaluation of {} and has not been ended (under {}%, "
                        "{})", s.id, s.met.size(), s.criteria.size(), pct, e.date, p.exemplar->keep_threshold_pct, p.id));
      }
    }
  }

  const ledger::Ledger& ledger_;
  std::string today_;
  AsOf at_;
  SubjectFilter keep_;  // empty: every subject
  SubjectReader reader_;
  std::vector<Finding> out_;
};

}  // namespace

Result<std::vector<Finding>> audit(const ledger::Ledger& ledger, const std::string& today, const AsOf& at,
                                   const SubjectFilter& keep) {
  return Auditor(ledger, at.date.value_or(today), at, keep).run();
}

}  // namespace antq::projections
