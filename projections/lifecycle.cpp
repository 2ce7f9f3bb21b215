#include "projections/lifecycle.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include <fmt/format.h>

namespace antq::projections {
namespace {

using nlohmann::json;

// Acts a closed subject still takes (domain.md §10 `closed`): the announcement of its end and attachments.
bool allowed_when_closed(std::string_view kind) {
  return kind == "model.termination-announced" || kind == "document.attached";
}

// Acts about any subject, model or exemplar.
bool about_any_subject(std::string_view kind) { return kind == "commendation.awarded" || kind == "document.attached"; }

// Acts that need the model established or recognised (domain.md §10 `order`: "launch, plans, reports, ratings
// need the model established or recognized"; and what the establishing level does afterwards).
bool needs_founded_model(std::string_view kind) {
  static const std::set<std::string, std::less<>> kinds = {
      "model.regulations-issued", "model.launched",           "model.plan-issued",          "model.report-filed",
      "model.reorganized",        "model.rating-proposed",    "model.rated",                "model.rating-forwarded",
      "model.replicated",         "model.announced",          "model.merged",               "model.termination-reported",
      "model.termination-consulted", "model.terminated",      "model.termination-announced"};
  return kinds.contains(kind);
}

std::string list(const std::vector<std::string>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i == 0 ? "" : i + 1 == v.size() ? " and " : ", ") + v[i];
  return out;
}

std::string unit_of(const ledger::Act::Authority& a) { return fmt::format("{} ({})", a.unit, a.level); }

// "was established 2023-03-01 (entry 12)" for the founding decision of `s`.
std::string founding(const SubjectState& s) {
  const char* kind = s.has("model.recognized") || s.kind == "exemplar" ? "recognized" : "established";
  return fmt::format("was {} {} by {} (entry {})", kind, s.founded, unit_of(s.authority), s.founding_seq());
}

std::string stage_of(const SubjectState& s) {
  return fmt::format("{} {} at stage {}", s.kind == "exemplar" ? "an exemplar" : s.kind == "point" ? "a point" : "a model",
                     s.id, s.stage);
}

// The act whose date is the subject's latest, for messages.
std::pair<std::string, ActRef> latest_act(const SubjectState& s) {
  std::pair<std::string, ActRef> best;
  for (const auto& [kind, ref] : s.acts)
    if (ref.date == s.last_date && ref.seq >= best.second.seq) best = {kind, ref};
  return best;
}

int number(std::string_view text) {
  int v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

// The step list a chain act belongs to: the establishment steps of the subject's model type.
const std::vector<std::string>* establishment_steps(const Profile& p, const ledger::Act& act, const SubjectState* s) {
  std::string type = act.data.is_object() ? act.data.value("type", "") : "";
  if (type.empty() && s) type = s->type;
  if (type.empty() && !p.model_types.empty()) type = p.model_types.front();
  auto it = p.establishment_requires.find(type);
  return it == p.establishment_requires.end() ? nullptr : &it->second;
}

std::vector<std::string> missing_of(const SubjectState* s, const std::vector<std::string>& needed) {
  std::vector<std::string> out;
  for (const auto& k : needed)
    if (!s || !s->has(k)) out.push_back(k);
  return out;
}

class Judge {
 public:
  Judge(const Profile& p, const ledger::Act& act, std::uint64_t seq, const SubjectLookup& lookup,
        const Competence* competent)
      : p_(p), act_(act), k_(act.act), seq_(seq), lookup_(lookup), competent_(competent) {}

  Result<std::vector<SubjectState>> run() {
    std::optional<SubjectState> s = lookup_(act_.subject);
    const SubjectState* before = s ? &*s : nullptr;
    if (auto r = founding_provided(before); !r) return std::unexpected(r.error());
    if (auto r = subject_known(s); !r) return std::unexpected(r.error());
    if (auto r = not_closed(before); !r) return std::unexpected(r.error());
    if (auto r = in_order(before); !r) return std::unexpected(r.error());
    std::optional<SubjectState> origin;  // of a point this act begins or names
    if (auto r = point_origin(before, origin); !r) return std::unexpected(r.error());
    if (before) {
      if (auto r = decided_by_founder(*before); !r) return std::unexpected(r.error());
      if (k_ == "model.rated")
        if (auto r = rating(*before); !r) return std::unexpected(r.error());
      if (k_ == "model.rated" || k_ == "model.rating-proposed")
        if (auto r = rating_criteria(*before); !r) return std::unexpected(r.error());
      if (k_ == "model.replicated")
        if (auto r = replication(*before); !r) return std::unexpected(r.error());
      if (k_ == "model.terminated")
        if (auto r = termination_steps(*before); !r) return std::unexpected(r.error());
      if (is_exemplar_act(k_))
        if (auto r = exemplar_order(*before); !r) return std::unexpected(r.error());
    }
    std::vector<SubjectState> absorbed;
    if (k_ == "model.merged") {
      auto a = merged_subjects();
      if (!a) return std::unexpected(a.error());
      absorbed = std::move(*a);
    }
    std::vector<SubjectState> out;
    out.push_back(apply_act(std::move(s), act_, seq_, absorbed));
    for (auto& a : absorbed) out.push_back(merged_into(std::move(a), act_.subject, act_.date, seq_));
    // The origin lists its points (lineage); that is no act of the origin's chain.
    if (origin && std::find(origin->points.begin(), origin->points.end(), act_.subject) == origin->points.end()) {
      origin->points.push_back(act_.subject);
      out.push_back(std::move(*origin));
    }
    return out;
  }

 private:
  bool on(std::string_view rule) const { return p_.applies(rule); }

  // Whether this is a model.established naming, in data.transition, the procedure its model was built under.
  bool names_transition() const { return k_ == "model.established" && act_.data.is_object() && act_.data.contains("transition"); }
  // Whether model.recognized continues a subject (format 2: a profile's recognition needs its steps before it)
  // rather than beginning one (format 1).
  bool recognition_continues() const {
    return k_ == "model.recognized" && p_.recognition && !p_.recognition->legacy;
  }

  // The acts that begin a subject under this profile, for messages.
  std::string beginnings() const {
    std::string out = p_.recognition && p_.recognition->legacy
                          ? "survey.plan-approved, model.proposed, model.recognized or exemplar.surveyed"
                          : "survey.plan-approved, model.proposed or exemplar.surveyed";
    if (p_.transition) out += fmt::format("; a model built under {}: model.established naming it in data.transition", p_.transition->from);
    return out;
  }

  // The establishment steps of the act's model type and the decision, for messages: "a, b and model.established".
  std::string establishment_path(const SubjectState* s) const {
    std::vector<std::string> path;
    if (const auto* steps = establishment_steps(p_, act_, s)) path = *steps;
    path.push_back("model.established");
    return list(path);
  }

  // The compiled-in profiles that provide what `has` asks, with the section of their source: "kon-tum-2022 provides
  // it: 002 §1.c bullet 2".
  static std::string providers(const std::function<std::optional<std::string>(const Profile&)>& has) {
    std::vector<std::string> out;
    for (const auto& id : builtin_profile_ids()) {
      auto p = builtin_profile(id);
      if (!p) continue;
      if (auto what = has(**p)) out.push_back(*what);
    }
    return out.empty() ? "no profile of this program provides it" : list(out);
  }
  // A cite up to its quotation: "002 §1.c bullet 2 ('Đối với ...')" -> "002 §1.c bullet 2".
  static std::string section_of(const std::string& cite) { return cite.substr(0, cite.find(" (")); }

  // Rule `order` for the foundings other than the establishment steps, as the profile provides them (format 2;
  // docs/rules.md "Recognition and transition"): model.recognized only where the profile provides recognition of
  // spontaneous models, after the acts it requires; model.established with data.transition only where the profile
  // brings in models of the procedure it names, dated before the profile replaced it. Format 1 recognises as it did.
  Status founding_provided(const SubjectState* s) const {
    if (!on("order")) return {};
    if (k_ == "model.recognized") {
      if (p_.recognition && p_.recognition->legacy) return {};
      if (!p_.recognition)
        return refused(
            "order",
            i18n::Text(
                "model.recognized of {} dated {}: {} provides no recognition of spontaneous models ({}); found it "
                "through {}",
                act_.subject, act_.date, p_.id, providers([](const Profile& p) -> std::optional<std::string> {
                  if (!p.recognition || p.recognition->legacy) return std::nullopt;
                  return fmt::format("{} provides it: {}", p.id, section_of(p.recognition->cite));
                }),
                establishment_path(s)));
      if (s && (s->is_founded() || s->kind == "exemplar")) return {};  // refused below, as it was
      if (auto missing = missing_of(s, p_.recognition->steps); !missing.empty())
        return refused("order", i18n::Text("model.recognized of {} dated {} needs {} before it ({}: {}); {} has no {}",
                                           act_.subject, act_.date, list(p_.recognition->steps), p_.id,
                                           section_of(p_.recognition->cite), act_.subject, list(missing)));
      return {};
    }
    if (!names_transition() || (s && s->is_founded())) return {};  // founded: refused below, as any second founding
    const std::string named = act_.data.value("transition", "");
    if (!p_.transition)
      return refused(
          "order",
          i18n::Text(
              "model.established of {} dated {} names data.transition \"{}\", but {} brings in no model of an earlier "
              "procedure ({}); found it through {}",
              act_.subject, act_.date, named, p_.id, providers([](const Profile& p) -> std::optional<std::string> {
                if (!p.transition) return std::nullopt;
                return fmt::format("{} provides it for {}: {}", p.id, p.transition->from,
                                   section_of(p.transition->cite));
              }),
              establishment_path(s)));
    if (named != p_.transition->from)
      return refused("order", i18n::Text("model.established of {} dated {} names data.transition \"{}\"; {} brings "
                                         "in the models built under {} only ({})",
                                         act_.subject, act_.date, named, p_.id, p_.transition->from,
                                         section_of(p_.transition->cite)));
    if (p_.source_date && act_.date >= *p_.source_date)
      return refused("order", i18n::Text("model.established of {} dated {} names data.transition \"{}\", but {} "
                                         "replaced {} on {} ({}): a model built under it was established before; "
                                         "found a later one through {}",
                                         act_.subject, act_.date, named, p_.id, p_.transition->from, *p_.source_date,
                                         section_of(p_.transition->cite), establishment_path(s)));
    return {};
  }

  // Rule `unknown-subject`.
  Status subject_known(const std::optional<SubjectState>& s) const {
    if (!on("unknown-subject")) return {};
    // A model built under a replaced procedure is brought in by its establishment decision (founding_provided).
    if (!s && names_transition() && p_.transition) return {};
    if (begins_subject(k_) && !(s && recognition_continues())) {
      const bool continues = k_ == "model.proposed" && s && s->kind != "exemplar" && s->stage == "surveying" &&
                             !s->has("model.proposed");
      if (s && !continues)
        return refused("unknown-subject", i18n::Text("{} begins a subject, but {} exists already: {} since entry {}",
                                                     k_, act_.subject, stage_of(*s), s->entries.front()));
      return {};
    }
    if (!s)
      return refused("unknown-subject",
                     i18n::Text("{} is not in the ledger, and {} cannot begin a subject (begin with {})", act_.subject,
                                k_, beginnings()));
    if (!about_any_subject(k_) && is_exemplar_act(k_) != (s->kind == "exemplar"))
      return refused("unknown-subject",
                     i18n::Text("{} is {}, and {} is an act of {}", act_.subject,
                                s->kind == "exemplar" ? i18n::Text("an exemplar") : i18n::Text("a model"), k_,
                                is_exemplar_act(k_) ? i18n::Text("an exemplar") : i18n::Text("a model")));
    return {};
  }

  // Rule `closed`.
  Status not_closed(const SubjectState* s) const {
    if (!s || !s->closed() || !on("closed") || allowed_when_closed(k_)) return {};
    return refused("closed", i18n::Text("{} {}; it takes no {} (only the announcement of its end and attachments)",
                                        act_.subject, how_closed(*s), k_));
  }

  static std::string how_closed(const SubjectState& s) {
    if (s.stage == "merged") {
      const ActRef& m = s.acts.at("model.merged");
      return fmt::format("was merged into {} on {} (entry {})", s.merged_into, m.date, m.seq);
    }
    const char* kind = s.stage == "ended" ? "exemplar.ended" : "model.terminated";
    const ActRef& e = s.acts.at(kind);
    return fmt::format("was {} by the decision of {} (entry {})", s.stage == "ended" ? "ended" : "terminated", e.date, e.seq);
  }

  // Rule `order`: dates forward along the chain, and each step after what it needs.
  Status in_order(const SubjectState* s) const {
    if (!on("order")) return {};
    if (s && act_.date < s->last_date) {
      auto [kind, ref] = latest_act(*s);
      return refused("order", i18n::Text("{} of {} is dated {}, before {} of {} (entry {}): the dates of one "
                                         "subject's documents may not go backwards",
                                         k_, act_.subject, act_.date, kind, ref.date, ref.seq));
    }
    if (const auto* steps = establishment_steps(p_, act_, s); steps && !(s && s->is_founded())) {
      auto at = std::find(steps->begin(), steps->end(), k_);
      std::vector<std::string> needed(steps->begin(), at);
      // A beginning act begins freely (its subject is new); later steps need those before them. A model brought in
      // from a replaced procedure needs none of them (founding_provided).
      const bool brought_in = names_transition() && p_.transition;
      if ((k_ == "model.established" && !brought_in) || (s && at != steps->end())) {
        if (auto missing = missing_of(s, needed); !missing.empty())
          return refused("order",
                         i18n::Text("{} of {} dated {} needs {} before it ({}); {} has no {}", k_, act_.subject,
                                    act_.date, list(needed), p_.id, act_.subject, list(missing)));
      }
    }
    if (!s) return {};
    if ((k_ == "model.established" || k_ == "model.recognized") && s->is_founded())
      return refused("order", i18n::Text("{} {} already; {} dated {} would found it again", act_.subject, founding(*s),
                                         k_, act_.date));
    if (needs_founded_model(k_) && !s->is_founded())
      return refused("order", i18n::Text("{} of {} dated {} needs it established or recognized first; it is {}", k_,
                                         act_.subject, act_.date, stage_of(*s)));
    if (k_ == "model.launched" && s->stage == "active") {
      const ActRef& l = s->acts.at("model.launched");
      return refused("order", i18n::Text("{} was launched on {} (entry {}) already", act_.subject, l.date, l.seq));
    }
    if (k_ == "model.rating-forwarded") {
      const int year = act_.data.value("year", 0);
      if (!s->ratings.contains(year))
        return refused("order", i18n::Text("model.rating-forwarded of {} for {} dated {}: there is no rating "
                                           "decision (model.rated) for {} to forward",
                                           act_.subject, year, act_.date, year));
    }
    if (k_ == "model.termination-announced" && !s->has("model.terminated"))
      return refused("order", i18n::Text("model.termination-announced of {} dated {} announces an end that was not "
                                         "decided: {} has no model.terminated",
                                         act_.subject, act_.date, act_.subject));
    return {};
  }

  // Rule `replication` for a point (and `unknown-subject` for its origin): a point only of a replicated model.
  Status point_origin(const SubjectState* s, std::optional<SubjectState>& found) const {
    std::string origin = act_.data.is_object() ? act_.data.value("point_of", "") : "";
    if (origin.empty() && !s && begins_subject(k_)) origin = point_origin_of_id(act_.subject);
    if (origin.empty() || (s && s->point_of == origin)) return {};
    if (origin == act_.subject) return bad_input(i18n::Text("data.point_of: {} cannot be a point of itself", origin));
    auto o = lookup_(origin);
    if (!o) {
      if (!on("unknown-subject")) return {};
      return refused("unknown-subject",
                     i18n::Text("{} is a point of {}, which is not in the ledger", act_.subject, origin));
    }
    if (!on("replication") || o->has("model.replicated")) {
      found = std::move(o);
      return {};
    }
    return refused("replication", i18n::Text("{} is a point of {}, but {} was never replicated (no model.replicated "
                                             "decision before {} of {})",
                                             act_.subject, origin, origin, k_, act_.date));
  }

  // Rule `same-level`: the establishing (recognising) unit rates, reorganises and terminates. Termination is the
  // establishing level's where the profile's termination.decided_by says so (every file: "establishing-level"),
  // also where `same-level` is off because others review the quality (Bắc Giang 004 §III.2; its liquidation: §II.3).
  Status decided_by_founder(const SubjectState& s) const {
    if (!s.is_founded()) return {};
    const bool rates_or_reorganises = k_ == "model.rated" || k_ == "model.reorganized";
    const bool terminates = k_ == "model.terminated" && p_.termination_decided_by == "establishing-level";
    if (!(terminates || (rates_or_reorganises && on("same-level")))) return {};
    // The founder has ceased (a unit.reorganised): the unit holding its competence on the act's date decides.
    if (competent_) {
      if (competent_->act_is_competent) return {};
      return refused("same-level", i18n::Text("{} of {} dated {} is decided by {}, but {} {}, and {}: only that unit "
                                              "rates, reorganises and terminates it",
                                              k_, act_.subject, act_.date, unit_of(act_.authority), act_.subject,
                                              founding(s), competent_->why));
    }
    if (act_.authority.unit == s.authority.unit && act_.authority.level == s.authority.level) return {};
    return refused("same-level",
                   i18n::Text("{} of {} dated {} is decided by {}, but {} {}: only that unit rates, "
                              "reorganises and terminates it",
                              k_, act_.subject, act_.date, unit_of(act_.authority), act_.subject, founding(s)));
  }

  // Rules `eligibility` and `one-rating`.
  Status rating(const SubjectState& s) const {
    const int year = act_.data.value("year", 0);
    if (on("eligibility")) {
      if (const auto& start = p_.rating.year_start) {
        const std::string opens = fmt::format("{:04}-{}", year - 1, *start);
        if (act_.date < opens)
          return refused("eligibility", i18n::Text("the rating decision of {} for evaluation year {} is dated {}, "
                                                   "before that year opens on {}",
                                                   act_.subject, year, act_.date, opens));
      }
      if (const auto& months = p_.rating.eligibility_months) {
        const int operated = full_months(s.founded, act_.date);
        if (operated < *months)
          return refused("eligibility",
                         i18n::Text("{} {}; by the rating decision of {} it has operated {} month{}, "
                                    "a rating needs {}",
                                    act_.subject, founding(s), act_.date, operated, operated == 1 ? "" : "s", *months));
      }
    }
    if (on("one-rating")) {
      if (auto it = s.ratings.find(year); it != s.ratings.end())
        return refused("one-rating", i18n::Text("{} was rated {} for {} by the decision of {} (entry {}); one rating "
                                                "per subject and evaluation year",
                                                act_.subject, it->second.level, year, it->second.date, it->second.seq));
    }
    return {};
  }

  // Rule `rating-criteria` (format 2, criteria profiles: Bắc Giang 004 §III.1): the level decided or proposed follows
  // from the criteria the act names (data.criteria), and what those criteria claim the ledger records is there.
  Status rating_criteria(const SubjectState& s) const {
    if (!on("rating-criteria") || p_.rating.basis != "criteria") return {};
    const int year = act_.data.value("year", 0);
    const std::string level = act_.data.value("level", "");
    const std::string what = fmt::format("{} of {} for {} dated {} ({} {})", k_, act_.subject, year, act_.date,
                                         k_ == "model.rated" ? "decides" : "proposes", level);
    auto fail = [&](const std::string& why) {
      return refused("rating-criteria", i18n::Text("{} {} ({})", what, why, p_.id));
    };
    std::vector<std::string> named;
    if (act_.data.contains("criteria"))
      for (const auto& c : act_.data.at("criteria")) named.push_back(c.get<std::string>());
    const std::string type = s.type.empty() && !p_.model_types.empty() ? p_.model_types.front() : s.type;
    auto rule_of = [&](const std::string& lv) -> const CriteriaRule* {
      auto l = p_.rating.criteria.find(lv);
      if (l == p_.rating.criteria.end()) return nullptr;
      auto t = l->second.find(type);
      return t == l->second.end() ? nullptr : &t->second;
    };
    auto in = [](const std::vector<std::string>& v, const std::string& id) { return std::find(v.begin(), v.end(), id) != v.end(); };
    if (named.empty())
      return fail("names no criteria (data.criteria): the level follows from the criteria met");
    // Each id defined, and one of this model type's.
    for (const auto& id : named) {
      if (!p_.rating.criteria_text.contains(id))
        return fail(fmt::format("names {}, which is no criterion of the profile", id));
      bool of_type = false;
      for (const auto& [lv, types] : p_.rating.criteria)
        if (auto t = types.find(type); t != types.end()) of_type = of_type || in(t->second.all, id) || in(t->second.one_of, id);
      if (!of_type)
        return fail(fmt::format("names {}, a criterion of another model type; {} is {}", id, act_.subject, type));
    }
    auto unmet = [&](const CriteriaRule& r) {
      std::vector<std::string> missing;
      for (const auto& id : r.all)
        if (!in(named, id)) missing.push_back(id);
      const bool one = r.one_of.empty() || std::any_of(r.one_of.begin(), r.one_of.end(), [&](const auto& id) { return in(named, id); });
      return std::pair{missing, one};
    };
    auto satisfied = [&](const CriteriaRule* r) {
      if (!r) return false;
      auto [missing, one] = unmet(*r);
      return missing.empty() && one;
    };
    // A Weak criterion makes the model Weak ("Mô hình xếp loại Yếu khi có một trong các tiêu chí sau").
    const CriteriaRule* weak = rule_of("weak");
    if (level != "weak" && weak)
      for (const auto& id : named)
        if (in(weak->all, id) || in(weak->one_of, id))
          return fail(fmt::format("names {}, a criterion of a Weak model: with it the level is weak", id));
    const CriteriaRule* rule = rule_of(level);
    if (!rule) return fail(fmt::format("has no criteria for {} {} models", level, type));
    if (auto [missing, one] = unmet(*rule); !missing.empty() || !one) {
      std::string why = "does not meet the criteria of that level:";
      if (!missing.empty()) why += fmt::format(" it does not name {}", list(missing));
      if (!one) why += fmt::format("{} it names none of {}", missing.empty() ? "" : ";", list(rule->one_of));
      return fail(why);
    }
    // A better level the named criteria meet is the level (a Weak criterion named keeps it weak).
    const bool weak_named = weak && std::any_of(named.begin(), named.end(), [&](const auto& id) { return in(weak->all, id) || in(weak->one_of, id); });
    if (!weak_named)
      for (const std::string lv : {"good", "fair", "average", "weak"}) {
        if (lv == level) break;
        if (satisfied(rule_of(lv)))
          return fail(fmt::format("names the criteria of {} (all of {}{}): that is the level", lv, list(rule_of(lv)->all),
                                  rule_of(lv)->one_of.empty() ? "" : fmt::format(" and one of {}", list(rule_of(lv)->one_of))));
      }
    if (!p_.rating_evidence) return {};
    const RatingEvidence& ev = *p_.rating_evidence;
    // What the criteria claim, against the model's chain.
    for (const auto& id : named) {
      if (in(ev.dossier, id)) {
        if (auto owed = owed_items(s); !owed.empty())
          return fail(fmt::format("names {} (the dossier complete), but {}'s dossier lacks {}", id, act_.subject, list(owed)));
      }
      for (const auto& [claims, kind] : {std::pair{&ev.announced, "model.announced"}, std::pair{&ev.commended, "commendation.awarded"}}) {
        if (!std::any_of(claims->begin(), claims->end(), [&](const EvidenceClaim& c) { return c.criterion == id; })) continue;
        const std::string since = months_before(act_.date, ev.within_months);
        auto it = s.acts.find(kind);
        if (it == s.acts.end())
          return fail(fmt::format("names {}, but {} has no {}", id, act_.subject, kind));
        if (it->second.date < since)
          return fail(fmt::format("names {}, but {}'s latest {} is of {} (entry {}), not within the {} months before "
                                  "the decision (from {})", id, act_.subject, kind, it->second.date, it->second.seq,
                                  ev.within_months, since));
      }
    }
    return {};
  }

  // The dossier items of the model's type that are required (no "(nếu có)"), are produced by acts, and none of
  // whose acts is in its chain: "8 (model.plan-issued)". A recognised model was not built through the steps before
  // its recognition (dossier.cpp).
  std::vector<std::string> owed_items(const SubjectState& s) const {
    static const std::set<std::string, std::less<>> before_founding = {
        "survey.plan-approved", "survey.reported", "model.proposed", "model.policy-issued",
        "model.implementation-issued", "model.consulted"};
    std::vector<std::string> out;
    auto items = p_.model_dossier.find(s.type);
    if (items == p_.model_dossier.end()) return out;
    for (const DossierItem& item : items->second) {
      if (item.if_any || item.acts.empty()) continue;
      bool present = false, excused = s.has("model.recognized");
      for (const auto& k : item.acts) {
        present = present || s.has(k) || (k == "model.established" && s.has("model.recognized"));
        excused = excused && before_founding.contains(k);
      }
      if (!present && !excused) out.push_back(fmt::format("item {} (no {})", item.item, list(item.acts)));
    }
    return out;
  }


  // Rule `replication`: only a model whose latest rating is the profile's level (Good).
  Status replication(const SubjectState& s) const {
    if (!on("replication")) return {};
    const std::string& needed = p_.replication_requires_level;
    auto latest = s.latest_rating();
    if (latest && latest->second.level == needed) return {};
    if (!latest)
      return refused("replication", i18n::Text("{} has never been rated; only a model rated {} is replicated "
                                               "(model.replicated dated {})",
                                               act_.subject, needed, act_.date));
    return refused("replication", i18n::Text("{}'s latest rating is {} for {} (decision of {}, entry {}); only a "
                                             "model rated {} is replicated",
                                             act_.subject, latest->second.level, latest->first, latest->second.date,
                                             latest->second.seq, needed));
  }

  // Rule `termination-steps`.
  Status termination_steps(const SubjectState& s) const {
    if (!on("termination-steps")) return {};
    auto missing = missing_of(&s, p_.termination_requires);
    if (missing.empty()) return {};
    return refused("termination-steps", i18n::Text("model.terminated of {} dated {} needs {} before it ({}); {} has "
                                                   "no {}",
                                                   act_.subject, act_.date, list(p_.termination_requires), p_.id,
                                                   act_.subject, list(missing)));
  }

  // Rule `exemplar-order`.
  Status exemplar_order(const SubjectState& s) const {
    if (!on("exemplar-order")) return {};
    auto need = [&](std::vector<std::string> before) -> Status {
      if (auto missing = missing_of(&s, before); !missing.empty())
        return refused("exemplar-order",
                       i18n::Text("{} of {} dated {} needs {} before it; {} has no {}", k_, act_.subject, act_.date,
                                  list(before), act_.subject, list(missing)));
      return {};
    };
    if (k_ == "exemplar.self-assessed" || k_ == "exemplar.evaluated") {
      if (auto r = need({"exemplar.criteria-set", "exemplar.plan-issued"}); !r) return r;
      for (const auto& m : act_.data.value("met", json::array())) {
        const std::string id = m.get<std::string>();
        // The profile's common criteria of exemplars (format 2, 000 §IV.1.3) may be met besides the exemplar's own.
        const auto& common = p_.exemplar ? p_.exemplar->common_criteria : std::vector<CommonCriterion>{};
        const bool is_common = std::any_of(common.begin(), common.end(), [&](const auto& c) { return c.id == id; });
        if (std::find(s.criteria.begin(), s.criteria.end(), id) == s.criteria.end() && !is_common) {
          const ActRef& set = s.acts.at("exemplar.criteria-set");
          return refused("exemplar-order", i18n::Text("{} of {} lists criterion {} as met, which is not in its "
                                                      "criteria set of {} (entry {}: {})",
                                                      k_, act_.subject, id, set.date, set.seq, list(s.criteria)));
        }
      }
    }
    if (k_ == "exemplar.recognized" || k_ == "exemplar.ended")
      if (auto r = need({"exemplar.evaluated"}); !r) return r;
    if (k_ == "exemplar.replicated" && s.stage != "recognized")
      return refused("exemplar-order", i18n::Text("exemplar.replicated of {} dated {}: only a recognized exemplar is "
                                                  "replicated; it is {}",
                                                  act_.subject, act_.date, stage_of(s)));
    if (k_ == "exemplar.recognized" && act_.data.value("level", "") == "province") {
      std::string level = "province";
      if (p_.exemplar && p_.exemplar->province_recognition_level) level = *p_.exemplar->province_recognition_level;
      if (act_.authority.level != level)
        return refused("exemplar-order", i18n::Text("{} is recognized as a province-level exemplar by {}; only a {} "
                                                    "authority recognizes province-level exemplars ({})",
                                                    act_.subject, unit_of(act_.authority), level, p_.id));
    }
    return {};
  }

  // The subjects of model.merged data.from: known models, open, not the subject itself.
  Result<std::vector<SubjectState>> merged_subjects() const {
    std::vector<SubjectState> out;
    for (const auto& f : act_.data.value("from", json::array())) {
      const std::string id = f.get<std::string>();
      if (id == act_.subject)
        return bad_input(i18n::Text("data.from: {} is the subject of the merge; list the subjects merged into it", id));
      if (std::any_of(out.begin(), out.end(), [&](const SubjectState& o) { return o.id == id; }))
        return bad_input(i18n::Text("data.from: {} is listed twice", id));
      auto a = lookup_(id);
      if (!a || a->kind == "exemplar")
        return refused("unknown-subject", i18n::Text("model.merged of {} dated {} merges {}, which is not a model in "
                                                     "the ledger",
                                                     act_.subject, act_.date, id));
      if (a->closed() && on("closed"))
        return refused("closed", i18n::Text("model.merged of {} dated {} merges {}, which {}", act_.subject, act_.date,
                                            id, how_closed(*a)));
      if (on("order") && act_.date < a->last_date) {
        auto [kind, ref] = latest_act(*a);
        return refused("order", i18n::Text("model.merged of {} is dated {}, before {} of {} (entry {}) of the merged "
                                           "subject {}",
                                           act_.subject, act_.date, kind, ref.date, ref.seq, id));
      }
      out.push_back(std::move(*a));
    }
    return out;
  }

  const Profile& p_;
  const ledger::Act& act_;
  const std::string& k_;
  std::uint64_t seq_;
  const SubjectLookup& lookup_;
  const Competence* competent_;  // the unit holding a ceased founder's competence (judge_act), or null
};

}  // namespace

int full_months(std::string_view from, std::string_view to) {
  const int y1 = number(from.substr(0, 4)), m1 = number(from.substr(5, 2)), d1 = number(from.substr(8, 2));
  const int y2 = number(to.substr(0, 4)), m2 = number(to.substr(5, 2)), d2 = number(to.substr(8, 2));
  // A month counted from a day its last month lacks (the 31st, say) ends on that month's last day (as the Civil
  // Code counts periods in months): 2023-08-31 to 2024-06-30 is 10 months.
  const bool last_day = !ledger::is_date(fmt::format("{:04}-{:02}-{:02}", y2, m2, d2 + 1));
  return (y2 - y1) * 12 + (m2 - m1) - (d2 < d1 && !last_day ? 1 : 0);
}

std::string months_before(std::string_view date, int months) {
  int y = number(date.substr(0, 4)), m = number(date.substr(5, 2)) - months, d = number(date.substr(8, 2));
  while (m < 1) {
    m += 12;
    --y;
  }
  while (d > 28 && !ledger::is_date(fmt::format("{:04}-{:02}-{:02}", y, m, d))) --d;
  return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

Result<std::vector<SubjectState>> judge_act(const Profile& profile, const ledger::Act& act, std::uint64_t seq,
                                            const SubjectLookup& lookup, const Competence* competent) {
  return Judge(profile, act, seq, lookup, competent).run();
}

}  // namespace antq::projections
