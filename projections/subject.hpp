// The state of one subject — a model, a point of a replicated model, or an exemplar — as the fold of its acts
// (domain.md §2–§5, acts.md). Pure: no storage, no rules. The admission rules keep one per subject in the ledger's
// `state` database (to_json, deterministic) and judge each new act against it; `show` and `history` read it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ledger/act.hpp"

namespace antq::projections {

struct SubjectRating {
  std::string level;  // good | fair | average | weak
  std::string date;   // of the rating decision
  std::uint64_t seq = 0;
  bool operator==(const SubjectRating&) const = default;
};

// The latest occurrence of an act kind in a subject's chain.
struct ActRef {
  std::string date;
  std::uint64_t seq = 0;
  bool operator==(const ActRef&) const = default;
};

struct SubjectState {
  std::string id;
  std::string kind;   // "model" | "point" (a model with point_of) | "exemplar"
  // models and points: surveying, proposed, established, active (launched), terminated, merged;
  // exemplars: surveying, building (plan issued), recognized, ended
  std::string stage;
  std::string name, type, area;
  std::string movement = "antq";  // antq | dan-van-kheo
  bool security_content = true;
  std::string point_of;           // origin model of a point: data.point_of, or ORIGIN of an id ORIGIN/Pnnn
  ledger::Act::Authority authority;  // the unit that established or recognised it: it rates and ends it
  std::string founded;               // date of the establishment or recognition decision
  std::int64_t teams = 0;
  nlohmann::json members;            // a number, or the member units of a linked model; null before establishment
  std::map<int, SubjectRating> ratings;  // by evaluation year
  std::vector<std::string> points;       // models: the points replicated from it (point_of), in order admitted
  std::vector<std::string> merged_from;  // subjects merged into this one
  std::string merged_into;               // set when this one was merged into another
  std::vector<std::string> criteria;     // exemplars: ids of the latest criteria set
  std::vector<std::string> met;          // exemplars: criteria met by the latest evaluation
  std::vector<std::uint64_t> entries;    // seqs of its acts, in order
  std::map<std::string, ActRef> acts;    // act kind -> its latest occurrence
  std::string last_date;                 // date of its latest act
  std::string carried_from;              // PREFIX.<id>: the sealed part's subject it continues (subject.carried-over)

  bool has(std::string_view kind) const { return acts.contains(std::string(kind)); }
  // Founded: established or recognised (models, points), recognised (exemplars).
  bool is_founded() const { return !founded.empty(); }
  // The entry of the decision that founded it (establishment or recognition); its first entry when none.
  std::uint64_t founding_seq() const;

  bool closed() const { return stage == "terminated" || stage == "merged" || stage == "ended"; }
  std::optional<std::pair<int, SubjectRating>> latest_rating() const;
  nlohmann::json to_json() const;  // keys sorted: the same state gives the same bytes
  // to_json().dump(), written directly (the admission stores one per act, and verify replays every one).
  std::string to_text() const;
  static std::optional<SubjectState> from_json(const nlohmann::json& j);
  bool operator==(const SubjectState&) const = default;
};

// Acts that begin a subject (domain.md §10 `unknown-subject`): survey.plan-approved, model.proposed,
// model.recognized, exemplar.surveyed. model.proposed continues a subject whose survey came first. Under a format-2
// profile model.recognized begins none: it continues a subject after the steps the profile's `recognition` requires
// (lifecycle.cpp; docs/rules.md "Recognition and transition"), and a model.established naming data.transition may
// begin one where the profile's `transition` provides it.
bool begins_subject(std::string_view kind);
// Whether `kind` is an act about an exemplar.
bool is_exemplar_act(std::string_view kind);
// The origin of a point named ORIGIN/Pnnn (acts.md), else empty.
std::string point_origin_of_id(std::string_view subject);

// The state after `act` (entry `seq`): `before` is the subject's state, or nullopt for a beginning act. For
// model.merged, `absorbed` are the states of the subjects in data.from (their teams join this one); each of
// those takes merged_into(...) for its own new state. REQUIRES: act.subject is the subject, the act is valid.
SubjectState apply_act(std::optional<SubjectState> before, const ledger::Act& act, std::uint64_t seq,
                       const std::vector<SubjectState>& absorbed = {});
// The state a subject.carried-over act begins: the sealed part's record (data.record) under the act's subject id,
// taken over by the act's authority; its dates kept, the seqs it names those of this act (the part's own are in
// its record, which the act holds); its points none until theirs are carried over; what it merged named as the
// part's (PREFIX.<id>).
SubjectState carried_over(const ledger::Act& act, std::uint64_t seq);
// The state of a subject merged into `into` by entry `seq`.
SubjectState merged_into(SubjectState absorbed, const std::string& into, const std::string& date, std::uint64_t seq);

}  // namespace antq::projections
