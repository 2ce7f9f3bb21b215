// The lifecycle rules of domain.md §10 for one act — unknown-subject, closed, order, same-level, eligibility,
// one-rating, replication, termination-steps, exemplar-order — judged against the states of the subjects the act
// touches, with the numbers of the profile in force on the act's date. Pure: the admission (admission.cpp) looks
// the states up in the ledger's `state` database and stores what this returns.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/act.hpp"
#include "projections/profile.hpp"
#include "projections/subject.hpp"
#include "signing/result.hpp"

namespace antq::projections {

// The state of a subject as the ledger holds it before the act, or nullopt when it has none.
using SubjectLookup = std::function<std::optional<SubjectState>(const std::string& id)>;

// The states to store if `act` is admitted as entry `seq`: the subject's first, then (model.merged) those of the
// subjects it absorbs. Or refused(rule, message naming the dates, units and acts involved). `profile` is the
// profile in force on act.date. REQUIRES: `act` passed check_act and is not a registry or records act.
//
// `competent`, when given: the founder of the act's subject has ceased by the act's date (a unit.reorganised,
// projections/units.hpp) and this unit holds its competence; the same-level rule compares the act's authority with it
// instead of the founder.
struct Competence {
  std::string unit;    // the registered name of the competent unit
  std::string level;   // its registered level
  bool act_is_competent = false;  // the act's authority is that unit at that level
  std::string why;     // "UBND huyện X ceased on 2025-07-01 (unit.reorganised, entry N): M1 is now decided by …"
};
Result<std::vector<SubjectState>> judge_act(const Profile& profile, const ledger::Act& act, std::uint64_t seq,
                                            const SubjectLookup& lookup, const Competence* competent = nullptr);

// Full months from `from` to `to` (YYYY-MM-DD, from <= to): 2023-03-01 to 2023-11-08 is 8, to 2024-01-01 is 10;
// 2023-08-31 to 2024-06-30 is 10 (a month ends on the last day of a month that lacks the starting day).
int full_months(std::string_view from, std::string_view to);

// The day `months` months before `date` (YYYY-MM-DD), on the month's last day when that month lacks date's day:
// 2024-11-08 less 12 months is 2023-11-08; 2024-02-29 less 12 is 2023-02-28.
std::string months_before(std::string_view date, int months);

}  // namespace antq::projections
