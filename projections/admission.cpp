#include "projections/admission.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include <fmt/format.h>

#include "projections/authority.hpp"
#include "projections/lifecycle.hpp"
#include "projections/profile.hpp"
#include "projections/query.hpp"

namespace antq::projections {
namespace {

constexpr std::string_view kAdoptedKey = "profiles/adopted";
constexpr std::string_view kSubjectPrefix = "subject/";
constexpr std::string_view kDisposedPrefix = "disposed/";

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
    if (c.act.act == "profile.adopted") return adopt_profile(c, state);
    if (c.act.act == "authority.bound" || c.act.act == "authority.unbound") apply_registry_act(state, c.act, c.seq);
    if (c.act.act == "record.disposed") return record_disposal(c, state);
    if (ledger::is_registry_act(c.act.act)) return {};
    return judge_lifecycle(c, state);
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
                     fmt::format("the {} signature says it was made {}, more than {} days before admission {}: a "
                                 "signing time is only the signer's claim (profile {} allows {} days); sign it again, "
                                 "or add a time-stamp from a trusted authority (antq timestamp)",
                                 ledger::role_name(s.role), signing::format_vietnam_time(s.verified.signing_time),
                                 (*profile)->signature_max_age_days, signing::format_vietnam_time(c.recorded_at),
                                 (*profile)->id, (*profile)->signature_max_age_days));
    }
    return {};
  }

  // record.disposed: the disposal decision of documents (retention.md), kept per attachment (key
  // "disposed/<sha256 hex>") for dossiers and retention.
  static Status record_disposal(const ledger::Candidate& c, ledger::StateStore& state) {
    const auto& list = c.act.data.at("attachments");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string hex = list[i].get<std::string>();
      if (!digest_from_hex(hex) || hex != to_hex(*digest_from_hex(hex)))
        return bad_input(fmt::format("record.disposed: data.attachments[{}]: expected a SHA-256 digest (64 lower-case "
                                     "hex digits), got \"{}\"", i, hex));
      state.put(std::string(kDisposedPrefix) + hex,
                nlohmann::json{{"date", c.act.date}, {"seq", c.seq}, {"number", c.act.document.number}}.dump());
    }
    return {};
  }

  // The lifecycle rules (lifecycle.hpp) under the profile in force on the act's date; the subject states they
  // return go to the `state` database (key "subject/<id>", the JSON of SubjectState::to_json).
  Status judge_lifecycle(const ledger::Candidate& c, ledger::StateStore& state) {
    auto profile = profile_on(c.act.date, state, c);
    if (!profile) return std::unexpected(profile.error());
    std::map<std::string, std::string, std::less<>> last_dates;  // of the states the rules read, by id
    SubjectLookup lookup = [&](const std::string& id) {
      auto s = subject_state(state, id);
      if (s) last_dates.emplace(id, s->last_date);
      return s;
    };
    auto states = judge_act(**profile, c.act, c.seq, lookup);
    if (!states) return std::unexpected(states.error());
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
    const Profile* in_force = &profile_;
    for (const AdoptedProfile& a : adopted_) {
      if (a.effective > date) break;
      auto it = loaded_.find(a.file);
      if (it == loaded_.end()) {
        auto content = c.attachment(a.file);
        if (!content)
          return corruption(fmt::format("profile {} adopted by entry {}: its file {} is not in the ledger's attachments",
                                        a.id, a.seq, to_hex(a.file)));
        auto p = parse_profile(std::string_view(reinterpret_cast<const char*>(content->data()), content->size()), a.id);
        if (!p) return corruption(fmt::format("profile {} adopted by entry {}: {}", a.id, a.seq, p.error().message));
        it = loaded_.emplace(a.file, std::move(*p)).first;
      }
      in_force = &it->second;
    }
    return in_force;
  }

  // profile.adopted (domain.md §9): the profile's file travels as an attachment of the act, so the rules adopted
  // are the ones the administrator signed, whatever this program's own copy says later. Effective dates only move
  // forward (rule `order`).
  Status adopt_profile(const ledger::Candidate& c, ledger::StateStore& state) {
    const std::string id = c.act.data.value("profile", "");
    const std::string effective = c.act.data.value("effective", "");
    std::optional<Digest> file;
    for (const auto& a : c.act.attachments) {
      auto content = c.attachment(a.sha256);
      if (!content) continue;
      auto p = parse_profile(std::string_view(reinterpret_cast<const char*>(content->data()), content->size()),
                             id + " (attached to profile.adopted)");
      if (!p) return std::unexpected(p.error());
      if (p->id != id)
        return bad_input(fmt::format("profile.adopted names profile {}, but the attached file is profile {}", id, p->id));
      file = a.sha256;
      break;
    }
    if (!file)
      return bad_input(fmt::format("profile.adopted {}: attach the profile's file ({}.json); antq sign attaches this "
                                   "program's own when the act names a profile it has and attaches nothing",
                                   id, id));
    std::vector<AdoptedProfile> adopted = adopted_profiles(state);
    if (!adopted.empty() && effective <= adopted.back().effective)
      return refused("order", fmt::format("profile.adopted {} takes effect {}, not after {}, from which {} was adopted "
                                          "(entry {})", id, effective, adopted.back().effective, adopted.back().id,
                                          adopted.back().seq));
    adopted.push_back({effective, id, *file, c.seq});
    nlohmann::json list = nlohmann::json::array();
    for (const auto& a : adopted)
      list.push_back({{"effective", a.effective}, {"profile", a.id}, {"sha256", to_hex(a.file)}, {"seq", a.seq}});
    state.put(kAdoptedKey, list.dump());
    return {};
  }

  // Rule `authority` (domain.md §10).
  Status check_authority(const ledger::Candidate& c, const ledger::StateStore& state) const {
    const auto* person = signature_of(c, ledger::Role::person);
    if (!person) return refused("authority", "the act has no person signature");
    if (ledger::is_registry_act(c.act.act)) {
      const Digest& signer = person->verified.signer;
      if (signer == c.ledger.administrator || bindings_.binding_on(state, signer, "administrator", c.act.date)) return {};
      return refused("authority", fmt::format("{} is a registry act and must be signed by an administrator; "
                                              "certificate {}… is not one on {}",
                                              c.act.act, short_name(*person), c.act.date));
    }
    const auto& a = c.act.authority;
    if (a.unit.empty() || a.level.empty())
      return refused("authority", fmt::format("{} names no authority (level and unit)", c.act.act));
    if (!bindings_.binding_on(state, person->verified.signer, "person", c.act.date, a.unit, a.level))
      return refused("authority", fmt::format("the person signer (certificate {}…) is not bound to {} ({}) on {}",
                                              short_name(*person), a.unit, a.level, c.act.date));
    if (is_decision_act(c.act.act)) {
      const auto* org = signature_of(c, ledger::Role::organisation);
      if (!org)
        return refused("authority", fmt::format("{} is a decision and needs the organisation signature of {}", c.act.act, a.unit));
      if (!bindings_.binding_on(state, org->verified.signer, "organisation", c.act.date, a.unit))
        return refused("authority", fmt::format("the organisation signer (certificate {}…) is not bound to {} on {}",
                                                short_name(*org), a.unit, c.act.date));
    }
    return {};
  }

  Profile profile_;  // the profile in force from the start
  std::optional<std::string> adopted_text_;  // the state's "profiles/adopted" that adopted_ was read from
  std::vector<AdoptedProfile> adopted_;
  std::map<Digest, Profile> loaded_;         // adopted profiles by file digest
  mutable BindingCache bindings_;
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

std::vector<AdoptedProfile> adopted_profiles(const ledger::StateStore& state) {
  std::vector<AdoptedProfile> out;
  auto text = state.get(kAdoptedKey);
  if (!text) return out;
  auto list = nlohmann::json::parse(*text, nullptr, false);
  if (!list.is_array()) return out;  // written only by adopt_profile; verify compares the state with its replay
  for (const auto& a : list) {
    auto file = digest_from_hex(a.value("sha256", ""));
    if (!file) continue;
    out.push_back({a.value("effective", ""), a.value("profile", ""), *file, a.value("seq", std::uint64_t{0})});
  }
  return out;
}

Result<std::unique_ptr<ledger::Admission>> make_admission(const std::string& profile) {
  auto p = builtin_profile(profile);
  if (!p) return std::unexpected(p.error());
  return std::unique_ptr<ledger::Admission>(new Rules(**p));
}

Result<Profile> initial_profile(const ledger::Ledger& ledger) {
  const ledger::LedgerInfo& info = ledger.info();
  if (!info.profile_document) {
    auto p = builtin_profile(info.profile);
    if (!p) return std::unexpected(p.error());
    return **p;
  }
  auto text = ledger.attachment(*info.profile_document);
  if (!text)
    return corruption(fmt::format("the ledger's rule profile file ({}) is missing from its attachments",
                                  to_hex(*info.profile_document)));
  auto p = parse_profile(std::string_view(reinterpret_cast<const char*>(text->data()), text->size()),
                         info.profile + " (stored in the ledger)");
  if (!p) return corruption(p.error().message);
  if (p->id != info.profile)
    return corruption(fmt::format("the ledger's stored profile says it is \"{}\", its meta says \"{}\"", p->id, info.profile));
  return std::move(*p);
}

Result<Profile> profile_on(const ledger::Ledger& ledger, const std::string& date) {
  std::optional<AdoptedProfile> last;
  for (const AdoptedProfile& a : adopted_profiles(LedgerState(ledger)))
    if (a.effective <= date) last = a;
  if (!last) return initial_profile(ledger);
  auto text = ledger.attachment(last->file);
  if (!text) return corruption(fmt::format("profile {} adopted by entry {}: its file is not held", last->id, last->seq));
  auto p = parse_profile(std::string_view(reinterpret_cast<const char*>(text->data()), text->size()), last->id);
  if (!p) return corruption(p.error().message);
  return std::move(*p);
}

Result<std::unique_ptr<ledger::Admission>> make_admission(const ledger::Ledger& ledger) {
  auto p = initial_profile(ledger);
  if (!p) return std::unexpected(p.error());
  return std::unique_ptr<ledger::Admission>(new Rules(std::move(*p)));
}

}  // namespace antq::projections
