#include "projections/admission.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include <fmt/format.h>

#include "projections/access.hpp"
#include "projections/authority.hpp"
#include "projections/lifecycle.hpp"
#include "projections/profile.hpp"
#include "projections/query.hpp"
#include "projections/retention.hpp"
#include "projections/units.hpp"

namespace antq::projections {
namespace {

constexpr std::string_view kAdoptedKey = "profiles/adopted";
constexpr std::string_view kDisposedPrefix = "disposed/";
constexpr std::string_view kPredecessorPrefix = "predecessors/";
constexpr std::string_view kCarriedPrefix = "carried/";

// What names the act that last changed the registry (units/version): its seq and event digest.
std::string version_of(const ledger::Candidate& c) { return fmt::format("{} {}", c.seq, to_hex(c.body_digest)); }

std::string short_name(const ledger::CheckedSignature& s) {
  return to_hex(ByteView(s.verified.signer.data(), 8));
}

const ledger::CheckedSignature* signature_of(const ledger::Candidate& c, ledger::Role role) {
  for (const auto& s : c.signatures)
    if (s.role == role) return &s;
  return nullptr;
}

class Rules final : public ledger::Admission {
 public:
  explicit Rules(Profile profile) : profile_(std::move(profile)) {}

  Status admit(const ledger::Candidate& c, ledger::StateStore& state) override {
    if (auto s = check_signature_age(c, state); !s) return s;
    if (auto s = check_authority(c, state); !s) return s;
    if (c.act.act == "profile.adopted") {
      const std::string id = c.act.data.value("profile", "");
      return adopt_file(c, state, kAdoptedKey, "profile", parse_profile,
                        fmt::format("profile.adopted {0}: attach the profile's file ({0}.json); antq sign attaches this "
                                    "program's own when the act names a profile it has and attaches nothing", id));
    }
    if (c.act.act == "retention.schedule-adopted")
      return adopt_file(c, state, kSchedulesKey, "schedule", parse_schedule,
                        fmt::format("retention.schedule-adopted {}: attach the schedule's file",
                                    c.act.data.value("schedule", "")));
    if (c.act.act == "authority.bound" || c.act.act == "authority.unbound") apply_registry_act(state, c.act, c.seq);
    if (c.act.act == "record.disposed") return record_disposal(c, state);
    if (c.act.act == "record.held") return record_hold(c, state);
    if (c.act.act == "record.released") return record_release(c, state);
    if (c.act.act == "archive.transferred") return record_transfer(c, state);
    if (c.act.act == "access.granted" || c.act.act == "access.revoked") return admit_access_act(c, state);
    if (c.act.act == "unit.registered") return register_unit(c.act, c.seq, version_of(c), state);
    if (c.act.act == "unit.reorganised") return reorganise_units(c.act, c.seq, version_of(c), state);
    if (c.act.act == "unit.report-filed") return record_unit_report(c, state);
    if (c.act.act == ledger::kPredecessorSealed) return record_predecessor(c, state);
    if (ledger::is_registry_act(c.act.act)) return {};
    if (c.act.act == ledger::kSubjectCarriedOver) return carry_over(c, state);
    for (const auto& a : c.act.attachments)
      if (auto d = disposal_of(state, a.sha256))
        return refused("retention", i18n::Text("{} names document {}, which record.disposed (entry {}, decision {} "
                                               "of {}) destroyed: a disposed document does not come back",
                                               c.act.act, to_hex(a.sha256), d->seq, d->number, d->date));
    if (auto s = judge_lifecycle(c, state); !s) return s;
    // The unit of a subject's first act (always one that begins a subject, or a model.established bringing in a
    // model of a replaced procedure) keeps its file until a founding decision names another (retention.hpp).
    const bool brought_in = c.act.act == "model.established" && c.act.data.is_object() && c.act.data.contains("transition");
    if (const std::string key = std::string(kKeeperPrefix) + c.act.subject;
        (begins_subject(c.act.act) || brought_in) && !state.get(key))
      state.put(key, c.act.authority.unit);
    // Each document's record (retention.hpp): the act that named it first.
    for (const auto& a : c.act.attachments) {
      const std::string key = std::string(kRecordPrefix) + to_hex(a.sha256);
      if (!state.get(key)) state.put(key, record_facts(c.act, c.seq, a.item).to_json().dump());
    }
    return {};
  }

 private:
  // Rule `signature`, the profile's part: a signature whose time is only the signer's claim (no time-stamp token)
  // may not be older at admission than the profile's figure. The ledger checked the rest of the rule.
  Status check_signature_age(const ledger::Candidate& c, const ledger::StateStore& state) {
    if (!c.signatures_checked) return {};
    auto profile = profile_on(c.act.date, state, c);
    if (!profile) return std::unexpected(profile.error());
    const signing::UnixTime max_age = signing::UnixTime{(*profile)->signature_max_age_days} * 86400;
    for (const auto& s : c.signatures) {
      if (s.verified.timestamp_authority || c.recorded_at - s.verified.signing_time <= max_age) continue;
      return refused("signature",
                     i18n::Text("the {} signature says it was made {}, more than {} days before admission {}: a "
                                "signing time is only the signer's claim (profile {} allows {} days); sign it again, "
                                "or add a time-stamp from a trusted authority (antq timestamp)",
                                ledger::role_text(s.role), signing::format_vietnam_time(s.verified.signing_time),
                                (*profile)->signature_max_age_days, signing::format_vietnam_time(c.recorded_at),
                                (*profile)->id, (*profile)->signature_max_age_days));
    }
    return {};
  }

  // ledger.predecessor-sealed (antq take-in, ledger/FORMAT.md §14): the ledger checked the act against the part it
  // sealed in the same transaction; here, the prefix: well formed and not taken (rule `predecessor`, in every
  // format: the act kind is new). state `predecessors/<prefix>` records it.
  static Status record_predecessor(const ledger::Candidate& c, ledger::StateStore& state) {
    const std::string prefix = c.act.data.value("prefix", "");
    if (!ledger::valid_part_prefix(prefix))
      return refused("predecessor", i18n::Text("{}: prefix \"{}\" must be 1 to {} ASCII letters (its subjects read "
                                               "as <prefix>.<id>)",
                                               c.act.act, prefix, ledger::kMaxPartPrefix));
    const std::string key = std::string(kPredecessorPrefix) + prefix;
    if (auto prior = state.get(key)) {
      const auto j = nlohmann::json::parse(*prior, nullptr, false);
      return refused("predecessor",
                     i18n::Text("{}: prefix \"{}\" is taken: entry {} sealed a predecessor under it", c.act.act, prefix,
                                j.is_object() ? j.value("seq", std::uint64_t{0}) : 0));
    }
    state.put(key, nlohmann::json{{"effective", c.act.data.value("effective", "")},
                                  {"origin", c.act.data.value("origin", "")},
                                  {"root", c.act.data.value("root", "")},
                                  {"seq", c.seq},
                                  {"size", c.act.data.value("size", std::uint64_t{0})}}
                      .dump());
    return {};
  }

  // subject.carried-over (FORMAT.md §14): a subject of a sealed part continues in this ledger as PREFIX-<id>, taken
  // over by the act's unit. The ledger checked data.record against the part; here (rule `predecessor`): the part is
  // sealed, the act is dated on or after the merger took effect, its subject is PREFIX-<id>, the record is a
  // subject's (canonical, of that id) and open, not carried over before, and data.point_of names the carried origin
  // (or the part's, PREFIX.<id>, while it is not carried). The taking unit must be registered where a registry is
  // kept (rule `unit`). States `subject/PREFIX-<id>` (carried_over), the origin's `points`, `records/keeper/…`, and
  // `carried/<prefix>/<id>` (verify checks each against the part).
  Status carry_over(const ledger::Candidate& c, ledger::StateStore& state) {
    const auto& d = c.act.data;
    const std::string part = d.value("part", ""), from = d.value("from", "");
    const std::string there = part + "." + from;
    auto no = [&](const std::string& why) {
      return refused("predecessor", i18n::Text("{} {}: {}", c.act.act, there, why));
    };
    const auto sealed = state.get(std::string(kPredecessorPrefix) + part);
    if (!sealed) return no(fmt::format("no predecessor is sealed as part \"{}\" (antq take-in)", part));
    const auto facts = nlohmann::json::parse(*sealed, nullptr, false);
    const std::string effective = facts.is_object() ? facts.value("effective", "") : "";
    if (c.act.date < effective)
      return no(fmt::format("dated {}, before the merger took effect on {}: until then the subject was the "
                            "predecessor's", c.act.date, effective));
    const std::string id = part + "-" + from;
    if (c.act.subject != id)
      return no(
          fmt::format("its subject must be {} (the part's prefix, '-', its id there), not {}", id, c.act.subject));
    const auto record = SubjectState::from_json(d.at("record"));
    if (!record || record->id != from || record->to_json() != d.at("record"))
      return no("data.record is not the record of a subject of that id, as a ledger's state holds it");
    if (record->closed())
      return no(fmt::format("it is {} in the part: its history stays there (antq show DIR {}) and is not continued",
                            record->stage, there));
    if (auto prior = subject_state(state, id))
      return no(fmt::format("{} is in this ledger already (entry {}): a subject is carried over once", id,
                            prior->entries.empty() ? 0 : prior->entries.front()));
    std::optional<SubjectState> origin;
    std::string point_of;
    if (!record->point_of.empty()) {
      origin = subject_state(state, part + "-" + record->point_of);
      point_of = origin ? origin->id : part + "." + record->point_of;
    }
    if (d.value("point_of", "") != point_of)
      return no(point_of.empty() ? std::string("data.point_of: it is no point")
                                 : fmt::format("data.point_of must be {}, the origin {}", point_of,
                                               origin ? "carried over already" : "as the part holds it (not carried "
                                                                                 "over: carry origins first)"));
    RegistryOn registry(state, c.act.date, &registry_cache_);
    if (!registry.tree().units().empty()) {
      const Unit* u = registry.tree().find(c.act.authority.unit);
      if (!u || u->level != c.act.authority.level)
        return refused(
            "unit", i18n::Text("{} {}: the unit taking it over, {} ({}), is not registered at that level "
                               "on {} (antq units DIR --as-of {})",
                               c.act.act, there, c.act.authority.unit, c.act.authority.level, c.act.date, c.act.date));
      if (const Reorganisation* r = registry.tree().ceased(u->name))
        return refused("unit", i18n::Text("{} {}: {} ceased on {} (unit.reorganised, entry {})", c.act.act, there,
                                          u->name, r->effective, r->seq));
    }
    const SubjectState s = carried_over(c.act, c.seq);
    state.put(std::string(kSubjectPrefix) + id, s.to_text());
    if (origin) {
      origin->points.push_back(id);
      state.put(std::string(kSubjectPrefix) + origin->id, origin->to_text());
    }
    state.put(std::string(kKeeperPrefix) + id, c.act.authority.unit);
    state.put(std::string(kCarriedPrefix) + part + "/" + from,
              nlohmann::json{{"as", id}, {"date", c.act.date}, {"seq", c.seq}}.dump());
    return {};
  }

  // The targets of a records act: each a subject the ledger knows or the SHA-256 (lower-case hex) of a document
  // of a subject's file (rule `unknown-subject`).
  static Status check_targets(const ledger::Candidate& c, const ledger::StateStore& state, const char* field) {
    const auto& list = c.act.data.at(field);
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string t = list[i].get<std::string>();
      if (subject_state(state, t)) continue;
      if (auto d = digest_from_hex(t); d && t == to_hex(*d) && indexed_record(state, *d)) continue;
      return refused("unknown-subject", i18n::Text("{}: data.{}[{}] \"{}\" is neither a subject of the ledger nor "
                                                   "the SHA-256 of a document in a subject's file",
                                                   c.act.act, field, i, t));
    }
    return {};
  }

  // The unit that keeps a file decides its disposal and its hand-over (retention.md): the act's authority must be it.
  // Once the keeper has ceased (unit.reorganised), the unit competent on the act's date keeps the file.
  Status check_keeper(const ledger::Candidate& c, const ledger::StateStore& state, const SubjectState& s) {
    std::string keeper = keeper_of(state, s), since;
    if (RegistryOn registry(state, c.act.date, &registry_cache_); registry.any_reorganisation())
      if (const Reorganisation* r = registry.tree().ceased(keeper)) {
        since = fmt::format(" ({} ceased on {}: unit.reorganised, entry {})", keeper, r->effective, r->seq);
        keeper = registry.tree().competent(keeper, s.id);
        if (unit_key(c.act.authority.unit) == unit_key(keeper)) return {};
      }
    if (c.act.authority.unit == keeper) return {};
    return refused("authority", i18n::Text("{}: the file of {} is kept by {}{}, not by {} (the act's authority)",
                                           c.act.act, s.id, keeper, since, c.act.authority.unit));
  }

  // record.held (retention.md): the targets are frozen until a record.released lifts the hold.
  static Status record_hold(const ledger::Candidate& c, ledger::StateStore& state) {
    if (auto s = check_targets(c, state, "targets"); !s) return s;
    nlohmann::json list = nlohmann::json::parse(state.get(kHoldsKey).value_or("[]"), nullptr, false);
    if (!list.is_array()) list = nlohmann::json::array();
    list.push_back({{"seq", c.seq}, {"date", c.act.date}, {"targets", c.act.data.at("targets")},
                    {"reason", c.act.data.value("reason", "")}, {"released_by", nullptr}, {"released_on", ""}});
    state.put(kHoldsKey, list.dump());
    return {};
  }

  // record.released lifts the hold data.hold names, or (without it) every hold in force on one of the targets.
  static Status record_release(const ledger::Candidate& c, ledger::StateStore& state) {
    if (auto s = check_targets(c, state, "targets"); !s) return s;
    nlohmann::json list = nlohmann::json::parse(state.get(kHoldsKey).value_or("[]"), nullptr, false);
    if (!list.is_array()) list = nlohmann::json::array();
    const auto& targets = c.act.data.at("targets");
    const bool by_seq = c.act.data.contains("hold");
    const std::uint64_t named = by_seq ? c.act.data["hold"].get<std::uint64_t>() : 0;
    bool lifted = false;
    for (auto& h : list) {
      if (!h["released_by"].is_null()) continue;
      const bool hit = by_seq ? h.value("seq", std::uint64_t{0}) == named
                             : std::any_of(targets.begin(), targets.end(), [&](const auto& t) {
                                 return std::find(h["targets"].begin(), h["targets"].end(), t) != h["targets"].end();
                               });
      if (!hit) continue;
      if (h.value("date", "") > c.act.date)
        return refused("order", i18n::Text("record.released dated {} lifts the hold of entry {}, dated {}", c.act.date,
                                           h.value("seq", std::uint64_t{0}), h.value("date", "")));
      h["released_by"] = c.seq;
      h["released_on"] = c.act.date;
      lifted = true;
    }
    if (!lifted)
      return refused("hold", by_seq ? i18n::Text("record.released: entry {} is no hold in force", named)
                                    : i18n::Text("record.released: no hold in force names {}", targets.dump()));
    state.put(kHoldsKey, list.dump());
    return {};
  }

  // Whether a hold in force (not released) covers the subject or the document; its seq.
  static std::optional<std::uint64_t> held(const ledger::StateStore& state, const std::string& subject,
                                           const std::string& document) {
    for (const Hold& h : holds_of(state))
      if (!h.released_by && (std::find(h.targets.begin(), h.targets.end(), subject) != h.targets.end() ||
                             (!document.empty() && std::find(h.targets.begin(), h.targets.end(), document) != h.targets.end())))
        return h.seq;
    return std::nullopt;
  }

  // record.disposed (retention.md): a document whose period has run out under the schedule in force on the
  // decision's date, that no hold covers, decided by the unit that keeps its file. The ledger then removes its bytes
  // in the same transaction (ledger.cpp); the state keeps the decision per document ("disposed/<sha256 hex>").
  Status record_disposal(const ledger::Candidate& c, ledger::StateStore& state) {
    auto schedule = schedule_on(c.act.date, state, c);
    if (!schedule) return std::unexpected(schedule.error());
    const auto& list = c.act.data.at("attachments");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string hex = list[i].get<std::string>();
      if (!digest_from_hex(hex) || hex != to_hex(*digest_from_hex(hex)))
        return bad_input(
            i18n::Text("record.disposed: data.attachments[{}]: expected a SHA-256 digest (64 lower-case "
                       "hex digits), got \"{}\"",
                       i, hex));
      const Digest d = *digest_from_hex(hex);
      auto facts = indexed_record(state, d);
      if (!facts)
        return refused("unknown-subject",
                       i18n::Text("record.disposed: {} is not a document of any subject's file", hex));
      if (auto prior = disposal_of(state, d))
        return refused("retention", i18n::Text("record.disposed: {} was disposed of already (entry {}, decision {})",
                                               hex, prior->seq, prior->number));
      if (auto h = held(state, facts->subject, hex))
        return refused("hold", i18n::Text("record.disposed: {} (file {}) is held by entry {} until record.released "
                                          "lifts the hold",
                                          hex, facts->subject, *h));
      auto s = subject_state(state, facts->subject);
      if (!s)
        return corruption(i18n::Text("the record of {} names subject {}, which has no state", hex, facts->subject));
      if (auto k = check_keeper(c, state, *s); !k) return k;
      if (!*schedule)
        return refused("retention",
                       i18n::Text("record.disposed: the ledger holds no retention schedule (its profile has none): an "
                                  "administrator adopts one with retention.schedule-adopted"));
      const RetentionRow& row = row_for(**schedule, *facts);
      const FileFacts file = file_facts(*s, transfer_of(state, s->id), {}, c.act.date, keeper_of(state, *s));
      RetentionRecord r = judge_document(row, *facts, file, std::nullopt, {}, c.act.date);
      if (r.status != "disposal-eligible") {
        std::string why = row.period == "permanent" ? "it is kept permanently"
                          : !r.clock_start ? (row.clock == "year" ? fmt::format("its year ({}) is not over", facts->year)
                                                                  : fmt::format("the work of its file has not ended (stage {})", s->stage))
                          : fmt::format("its period of {} years runs to {}", row.period,
                                        year_end(std::stoi(r.clock_start->substr(0, 4)) + row.years.value_or(0)));
        return refused("retention", i18n::Text("record.disposed {} on {}: document {} ({} of entry {}, file {}) is of "
                                               "class {} ({}{}): {}",
                                               c.act.document.number, c.act.date, hex, facts->act, facts->seq,
                                               facts->subject, row.cls, row.years ? row.period + " years" : row.period,
                                               row.provisional ? ", provisional" : "", why));
      }
      state.put(std::string(kDisposedPrefix) + hex,
                nlohmann::json{{"date", c.act.date}, {"seq", c.seq}, {"number", c.act.document.number}}.dump());
    }
    return {};
  }

  // unit.report-filed (docs/rules.md): a reporting unit's half-year or yearly report, kept under its own key
  // (kUnitReportsPrefix, unit_reports_of) for the audit's missing-unit-report.
  static Status record_unit_report(const ledger::Candidate& c, ledger::StateStore& state) {
    const std::string period = c.act.data.value("period", "");
    if (period == "adhoc")
      return bad_input(i18n::Text(
          "unit.report-filed: data.period: expected YYYY-H1 (the half-year) or YYYY (the year), got \"adhoc\""));
    state.put(fmt::format("{}{:020}", kUnitReportsPrefix, c.seq),
              nlohmann::json{{"seq", c.seq}, {"date", c.act.date}, {"unit", c.act.authority.unit},
                             {"level", c.act.authority.level}, {"period", period}, {"to", c.act.data.value("to", "")}}
                  .dump());
    return {};
  }

  // archive.transferred (retention.md): files whose work has ended, handed over by the unit that keeps them.
  Status record_transfer(const ledger::Candidate& c, ledger::StateStore& state) {
    const auto& list = c.act.data.at("subjects");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string id = list[i].get<std::string>();
      auto s = subject_state(state, id);
      if (!s)
        return refused("unknown-subject",
                       i18n::Text("archive.transferred: data.subjects[{}] \"{}\" is no subject of the ledger", i, id));
      if (auto k = check_keeper(c, state, *s); !k) return k;
      if (auto t = transfer_of(state, id))
        return refused("retention",
                       i18n::Text("archive.transferred: the file of {} was handed over already (entry {}, to {})", id,
                                  t->seq, t->archive));
      if (auto h = held(state, id, ""))
        return refused("hold", i18n::Text("archive.transferred: the file of {} is held by entry {}", id, *h));
      const FileFacts file = file_facts(*s, std::nullopt, {}, c.act.date, keeper_of(state, *s));
      if (!file.ended || *file.ended > c.act.date)
        return refused("retention", i18n::Text("archive.transferred: the file of {} is not due: its work has not ended "
                                               "on {} (stage {}); files go to the archive after the year their work "
                                               "ended",
                                               id, c.act.date, s->stage));
      state.put(std::string(kTransferPrefix) + id,
                nlohmann::json{{"seq", c.seq}, {"date", c.act.date}, {"archive", c.act.data.at("archive")},
                               {"number", c.act.document.number}}.dump());
    }
    return {};
  }

  // The lifecycle rules (lifecycle.hpp) under the profile in force on the act's date; the subject states they
  // return go to the `state` database (key "subject/<id>", the JSON of SubjectState::to_json).
  Status judge_lifecycle(const ledger::Candidate& c, ledger::StateStore& state) {
    auto profile = profile_on(c.act.date, state, c);
    if (!profile) return std::unexpected(profile.error());
    std::map<std::string, std::string, std::less<>> last_dates;  // of the states the rules read, by id
    // The act's own subject, read once: the rules (whose first lookup is of it) and the registry's rules share it.
    const std::optional<SubjectState> subject = subject_state(state, c.act.subject);
    if (subject) last_dates.emplace(c.act.subject, subject->last_date);
    SubjectLookup lookup = [&](const std::string& id) -> std::optional<SubjectState> {
      if (id == c.act.subject) return subject;
      auto s = subject_state(state, id);
      if (s) last_dates.emplace(id, s->last_date);
      return s;
    };
    // The unit registry as of the act's date, read and parsed at most once for the rules below (units.hpp), and
    // kept across acts while no registry act changes it.
    RegistryOn registry(state, c.act.date, &registry_cache_);
    // Circular 124/2021/TT-BCA (units.hpp): the unit recognising a school's safety rates its models, where
    // same-level would refuse it; that rating is judged with same-level lifted, every other rule as it stands.
    const Profile* judged = *profile;
    std::optional<Profile> lifted;
    if (c.act.act == "model.rated" && subject) {
      auto tt124 = circular_124_rater(**profile, c.act, *subject, registry);
      if (!tt124) return std::unexpected(tt124.error());
      if (*tt124) {
        lifted = **profile;
        lifted->rules["same-level"] = false;
        judged = &*lifted;
      }
    }
    // Competence follows a reorganisation (units.hpp): for a model whose founder has ceased by the act's date, the
    // unit that took it over rates, reorganises and terminates it. Only where the ledger records a reorganisation.
    std::optional<Competence> competence;
    if ((c.act.act == "model.rated" || c.act.act == "model.reorganized" || c.act.act == "model.terminated") && subject &&
        subject->is_founded() && registry.any_reorganisation()) {
      const UnitTree& tree = registry.tree();
      if (const Reorganisation* r = tree.ceased(subject->authority.unit)) {
        const std::string unit = tree.competent(subject->authority.unit, subject->id);
        const Unit* u = tree.find(unit);
        const Unit* signer = tree.find(c.act.authority.unit);
        competence = Competence{unit, u ? u->level : "", u != nullptr && signer == u && c.act.authority.level == u->level,
                                fmt::format("{} ceased on {} (unit.reorganised, entry {}): {} is now decided by {} "
                                            "({})", subject->authority.unit, r->effective, r->seq, subject->id, unit,
                                            u ? u->level : "")};
      }
    }
    auto states = judge_act(*judged, c.act, c.seq, lookup, competence ? &*competence : nullptr);
    if (!states) return std::unexpected(states.error());
    // Rule `rater` (format 2, rating.raters): who rates, once the act is otherwise lawful.
    if (subject)
      if (auto r = check_rater(**profile, c.act, *subject, registry); !r) return r;
    for (const SubjectState& s : *states) {
      const std::string key = std::string(kSubjectPrefix) + s.id;
      // An act of its chain (the origin that only lists a new point has none here), the first dated in a later
      // half-year than the state the rules read: that state becomes the snapshot of its half-year (admission.hpp).
      if (auto before = last_dates.find(s.id); before != last_dates.end() && s.entries.back() == c.seq) {
        const std::string end = snapshot_period_end(before->second);
        if (end != snapshot_period_end(s.last_date))
          if (auto text = state.get(key)) state.put(snapshot_prefix(s.id) + end, std::move(*text));
      }
      state.put(key, s.to_text());
    }
    return {};
  }

  // The profile of `antq init` until the first profile.adopted takes effect, then the adopted ones by effective
  // date (domain.md §9: a change applies to acts dated on or after its effective date).
  Result<const Profile*> profile_on(const std::string& date, const ledger::StateStore& state,
                                    const ledger::Candidate& c) {
    auto text = state.get(kAdoptedKey);
    if (text != adopted_text_) {
      adopted_text_ = std::move(text);
      adopted_ = adopted_profiles(state);
    }
    const std::optional<AdoptedProfile> last = adopted_on(adopted_, date);
    if (!last) return &profile_;
    return load(loaded_, *last, c, "profile", parse_profile);
  }

  // The retention schedule in force on `date`: the last adopted by then (retention.schedule-adopted), else the
  // profile's own; null when neither has one.
  Result<const RetentionSchedule*> schedule_on(const std::string& date, const ledger::StateStore& state,
                                               const ledger::Candidate& c) {
    const std::optional<AdoptedSchedule> last = adopted_on(adopted_schedules(state), date);
    if (!last) {
      auto profile = profile_on(date, state, c);
      if (!profile) return std::unexpected(profile.error());
      return (*profile)->retention ? &*(*profile)->retention : nullptr;
    }
    return load(schedules_, *last, c, "retention schedule", parse_schedule);
  }

  // The file `a` adopted, parsed by `parse` (once: `cache` keeps it by digest). `what` names it in errors.
  template <class T>
  static Result<const T*> load(std::map<Digest, T>& cache, const AdoptedFile& a, const ledger::Candidate& c,
                               const char* what, Result<T> (*parse)(std::string_view, std::string_view)) {
    auto it = cache.find(a.file);
    if (it == cache.end()) {
      auto content = c.attachment(a.file);
      if (!content)
        return corruption(i18n::Text("{} {} adopted by entry {}: its file {} is not in the ledger's attachments", what,
                                     a.id, a.seq, to_hex(a.file)));
      auto parsed = parse(std::string_view(reinterpret_cast<const char*>(content->data()), content->size()), a.id);
      if (!parsed)
        return corruption(i18n::Text("{} {} adopted by entry {}: {}", what, a.id, a.seq, text_of(parsed.error())));
      it = cache.emplace(a.file, std::move(*parsed)).first;
    }
    return &it->second;
  }

  // profile.adopted and retention.schedule-adopted (domain.md §9): the file adopted travels as the act's
  // attachment, so the rules are the ones the administrator signed, whatever this program's own copy says later.
  // `parse` reads an attached file; `id_field` names its id in the act's data and in the list under `key`;
  // `missing` is the error when no attachment is such a file. Effective dates only move forward (rule `order`).
  template <class T>
  static Status adopt_file(const ledger::Candidate& c, ledger::StateStore& state, std::string_view key,
                           const std::string& id_field, Result<T> (*parse)(std::string_view, std::string_view),
                           const std::string& missing) {
    const std::string id = c.act.data.value(id_field, "");
    const std::string effective = c.act.data.value("effective", "");
    std::optional<Digest> file;
    for (const auto& a : c.act.attachments) {
      auto content = c.attachment(a.sha256);
      if (!content) continue;
      auto parsed = parse(std::string_view(reinterpret_cast<const char*>(content->data()), content->size()),
                          id + " (attached to " + c.act.act + ")");
      if (!parsed) return std::unexpected(parsed.error());
      if (parsed->id != id)
        return bad_input(i18n::Text("{} names {} {}, but the attached file is {} {}", c.act.act, id_field, id, id_field,
                                    parsed->id));
      file = a.sha256;
      break;
    }
    if (!file) return bad_input(missing);
    std::vector<AdoptedFile> adopted = adopted_files(state, key, id_field);
    if (!adopted.empty() && effective <= adopted.back().effective)
      return refused("order",
                     i18n::Text("{} {} takes effect {}, not after {}, from which {} was adopted (entry {})", c.act.act,
                                id, effective, adopted.back().effective, adopted.back().id, adopted.back().seq));
    adopted.push_back({effective, id, *file, c.seq});
    nlohmann::json list = nlohmann::json::array();
    for (const auto& a : adopted)
      list.push_back({{"effective", a.effective}, {id_field, a.id}, {"sha256", to_hex(a.file)}, {"seq", a.seq}});
    state.put(key, list.dump());
    return {};
  }

  // Rule `authority` (domain.md §10).
  Status check_authority(const ledger::Candidate& c, const ledger::StateStore& state) const {
    const auto* person = signature_of(c, ledger::Role::person);
    if (!person) return refused("authority", i18n::Text("the act has no person signature"));
    // Disposal and hand-over are decisions of the unit that keeps the file (retention.md), not of the administrator.
    const bool records_decision = c.act.act == "record.disposed" || c.act.act == "archive.transferred";
    // A unit's report is the unit's own act, signed by its person like a lifecycle act (not a decision).
    const bool unit_report = c.act.act == "unit.report-filed";
    // Which unit takes over a predecessor's subject is the administrator's record too (domain.md §11).
    const bool carried = c.act.act == ledger::kSubjectCarriedOver;
    if ((ledger::is_registry_act(c.act.act) && !records_decision && !unit_report) || carried) {
      const Digest& signer = person->verified.signer;
      if (signer == c.ledger.administrator || bindings_.binding_on(state, signer, "administrator", c.act.date)) return {};
      return refused("authority", i18n::Text("{} is {} and must be signed by an administrator; certificate {}… is "
                                             "not one on {}",
                                             c.act.act, carried ? "the administrator's record" : "a registry act",
                                             short_name(*person), c.act.date));
    }
    const auto& a = c.act.authority;
    if (a.unit.empty() || a.level.empty())
      return refused("authority", i18n::Text("{} names no authority (level and unit)", c.act.act));
    const auto person_binding = bindings_.binding_on(state, person->verified.signer, "person", c.act.date, a.unit, a.level);
    if (!person_binding)
      return refused("authority", i18n::Text("the person signer (certificate {}…) is not bound to {} ({}) on {}",
                                             short_name(*person), a.unit, a.level, c.act.date));
    if (auto s = binding_in_force(c, state, *person, *person_binding); !s) return s;
    if (is_decision_act(c.act.act) || records_decision) {
      const auto* org = signature_of(c, ledger::Role::organisation);
      if (!org)
        return refused("authority",
                       i18n::Text("{} is a decision and needs the organisation signature of {}", c.act.act, a.unit));
      const auto org_binding = bindings_.binding_on(state, org->verified.signer, "organisation", c.act.date, a.unit);
      if (!org_binding)
        return refused("authority", i18n::Text("the organisation signer (certificate {}…) is not bound to {} on {}",
                                               short_name(*org), a.unit, c.act.date));
      if (auto s = binding_in_force(c, state, *org, *org_binding); !s) return s;
    }
    return {};
  }

  // A binding to a unit that a unit.reorganised made cease lapses on its effective day (units.hpp): an act dated on
  // or after it, signed under that binding, is refused. Only where the ledger records a reorganisation.
  Status binding_in_force(const ledger::Candidate& c, const ledger::StateStore& state,
                          const ledger::CheckedSignature& signer, const Binding& b) const {
    // Asked of every act once a reorganisation is recorded: read through the indexes, not the whole registry.
    const auto r = ceased_by(state, b.unit, c.act.date);
    if (!r) return {};
    RegistryOn registry(state, c.act.date, &registry_cache_);
    const UnitTree& tree = registry.tree();
    return refused("authority",
                   i18n::Text("{} dated {}: the {} signer (certificate {}…) is bound to {} (entry {}), which ceased on "
                              "{} (unit.reorganised, entry {}; its successor is {}): a binding to a unit ends when "
                              "the unit does",
                              c.act.act, c.act.date, ledger::role_text(signer.role), short_name(signer), b.unit, b.seq,
                              r->effective, r->seq, tree.successor(b.unit)));
  }

  Profile profile_;  // the profile in force from the start
  std::optional<std::string> adopted_text_;  // the state's "profiles/adopted" that adopted_ was read from
  std::vector<AdoptedProfile> adopted_;
  std::map<Digest, Profile> loaded_;         // adopted profiles by file digest
  std::map<Digest, RetentionSchedule> schedules_;  // adopted retention schedules by file digest
  mutable BindingCache bindings_;
  mutable RegistryCache registry_cache_;  // the unit registry, parsed once for many acts (units.hpp)
};

}  // namespace

bool is_decision_act(std::string_view kind) {
  static const std::set<std::string, std::less<>> kDecisions = {
      "model.established", "model.recognized",    "exemplar.recognized",        "model.rated",
      "model.terminated",  "model.replicated",    "model.merged",               "model.reorganized",
      "exemplar.plan-issued", "exemplar.ended",   "commendation.awarded",       "survey.plan-approved",
      "model.policy-issued",  "model.implementation-issued"};
  return kDecisions.contains(kind);
}

std::vector<UnitReport> unit_reports_of(const ledger::Ledger& ledger) {
  std::vector<UnitReport> out;
  ledger.for_each_state(kUnitReportsPrefix, [&](std::string_view, std::string_view value) {
    const nlohmann::json r = nlohmann::json::parse(value, nullptr, false);
    if (!r.is_object()) return;
    out.push_back({r.value("seq", std::uint64_t{0}), r.value("date", ""), r.value("unit", ""), r.value("level", ""),
                   r.value("period", ""), r.value("to", "")});
  });
  return out;
}

const std::vector<std::string>& known_profiles() { return builtin_profile_ids(); }

std::optional<SubjectState> subject_state(const ledger::StateStore& state, const std::string& id) {
  auto text = state.get(std::string(kSubjectPrefix) + id);
  if (!text) return std::nullopt;
  return SubjectState::from_json(nlohmann::json::parse(*text, nullptr, false));
}

std::string snapshot_period_end(std::string_view date) {
  // Dates are checked YYYY-MM-DD (acts.md); 1 November onwards belongs to the next year's first half.
  const std::string_view year = date.substr(0, 4), day = date.substr(5);
  if (day <= "04-30") return fmt::format("{}-04-30", year);
  if (day <= "10-31") return fmt::format("{}-10-31", year);
  int next = 0;
  std::from_chars(year.data(), year.data() + year.size(), next);
  return fmt::format("{:04}-04-30", next + 1);
}

std::string previous_period_end(std::string_view end) {
  const std::string_view year = end.substr(0, 4);
  if (end.substr(5) == "10-31") return fmt::format("{}-04-30", year);
  int y = 0;
  std::from_chars(year.data(), year.data() + year.size(), y);
  return fmt::format("{:04}-10-31", y - 1);
}

std::string snapshot_prefix(std::string_view id) { return fmt::format("{}{}@", kSnapshotPrefix, id); }

std::optional<Disposal> disposal_of(const ledger::StateStore& state, const Digest& attachment) {
  auto text = state.get(std::string(kDisposedPrefix) + to_hex(attachment));
  if (!text) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  return Disposal{j.value("date", ""), j.value("number", ""), j.value("seq", std::uint64_t{0})};
}

std::vector<AdoptedFile> adopted_files(const ledger::StateStore& state, std::string_view key, std::string_view id_field) {
  std::vector<AdoptedFile> out;
  auto text = state.get(key);
  if (!text) return out;
  auto list = nlohmann::json::parse(*text, nullptr, false);
  if (!list.is_array()) return out;  // written only by adopt_file; verify compares the state with its replay
  for (const auto& a : list) {
    auto file = digest_from_hex(a.value("sha256", ""));
    if (!file) continue;
    out.push_back({a.value("effective", ""), a.value(id_field, ""), *file, a.value("seq", std::uint64_t{0})});
  }
  return out;
}

std::optional<AdoptedFile> adopted_on(const std::vector<AdoptedFile>& adopted, const std::string& date) {
  std::optional<AdoptedFile> last;
  for (const AdoptedFile& a : adopted) {
    if (a.effective > date) break;
    last = a;
  }
  return last;
}

std::vector<AdoptedProfile> adopted_profiles(const ledger::StateStore& state) {
  return adopted_files(state, kAdoptedKey, "profile");
}

Result<std::unique_ptr<ledger::Admission>> make_admission(const std::string& profile) {
  auto p = builtin_profile(profile);
  if (!p) return std::unexpected(p.error());
  return std::unique_ptr<ledger::Admission>(new Rules(**p));
}

Result<Profile> initial_profile(const ledger::Ledger& ledger) {
  const ledger::LedgerInfo& info = ledger.info();
  if (!info.profile_document) {
    // Made before profiles were stored: the rules of that time, frozen (not today's file of the same id).
    auto p = frozen_format1_profile(info.profile);
    if (!p) return std::unexpected(p.error());
    return **p;
  }
  auto text = ledger.attachment(*info.profile_document);
  if (!text)
    return corruption(i18n::Text("the ledger's rule profile file ({}) is missing from its attachments",
                                 to_hex(*info.profile_document)));
  auto p = parse_profile(std::string_view(reinterpret_cast<const char*>(text->data()), text->size()),
                         info.profile + " (stored in the ledger)");
  if (!p) return corruption(text_of(p.error()));
  if (p->id != info.profile)
    return corruption(
        i18n::Text("the ledger's stored profile says it is \"{}\", its meta says \"{}\"", p->id, info.profile));
  return std::move(*p);
}

Result<Profile> profile_on(const ledger::Ledger& ledger, const std::string& date) {
  const std::optional<AdoptedProfile> last = adopted_on(adopted_profiles(LedgerState(ledger)), date);
  if (!last) return initial_profile(ledger);
  auto text = ledger.attachment(last->file);
  if (!text) return corruption(i18n::Text("profile {} adopted by entry {}: its file is not held", last->id, last->seq));
  auto p = parse_profile(std::string_view(reinterpret_cast<const char*>(text->data()), text->size()), last->id);
  if (!p) return corruption(text_of(p.error()));
  return std::move(*p);
}

Result<std::unique_ptr<ledger::Admission>> make_admission(const ledger::Ledger& ledger) {
  auto p = initial_profile(ledger);
  if (!p) return std::unexpected(p.error());
  return std::unique_ptr<ledger::Admission>(new Rules(std::move(*p)));
}

}  // namespace antq::projections
