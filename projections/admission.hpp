// The domain's admission rules, plugged into the ledger (ledger::Admission). Rule ids: domain.md §10.
#pragma once

#include <memory>
#include <string>

#include "ledger/ledger.hpp"
#include "projections/profile.hpp"
#include "projections/subject.hpp"

namespace antq::projections {

// Decision acts (domain.md §10, rule `authority`): they need an organisation signature too.
bool is_decision_act(std::string_view kind);

// The admission rules of `profile`, a profile compiled into this program. bad_input when it is unknown.
Result<std::unique_ptr<ledger::Admission>> make_admission(const std::string& profile);
// The admission rules `ledger` is judged by: the profile file it stored at init (LedgerInfo::profile_document),
// else (older ledgers) the compiled-in profile of its name. corruption when the stored file is missing or bad.
Result<std::unique_ptr<ledger::Admission>> make_admission(const ledger::Ledger& ledger);

// The profile of `antq init` as the ledger stored it (older ledgers: the compiled-in profile of its name).
Result<Profile> initial_profile(const ledger::Ledger& ledger);
// The profile in force on `date` (YYYY-MM-DD): the initial one, or the last adopted with an effective date on or
// before it (domain.md §9).
Result<Profile> profile_on(const ledger::Ledger& ledger, const std::string& date);

// The reporting units' periodic reports (unit.report-filed, docs/rules.md): one state key per report,
// "units/reports/<seq, 20 digits>" (so keys sort in the order admitted), written only by that act. One key each, not
// one growing list: a list rewritten by every report would cost, over the years of a province's ledger, the square
// of their number.
inline constexpr std::string_view kUnitReportsPrefix = "units/reports/";
struct UnitReport {
  std::uint64_t seq = 0;
  std::string date, unit, level;
  std::string period;  // YYYY-H1 | YYYY
  std::string to;
};
std::vector<UnitReport> unit_reports_of(const ledger::Ledger& ledger);

// A rule file adopted by a registry act from an effective date: a profile (profile.adopted, state key
// "profiles/adopted") or a retention schedule (retention.schedule-adopted, "retention/adopted"). The file travels as
// the act's attachment; the state lists the adoptions in effective-date order.
struct AdoptedFile {
  std::string effective;  // YYYY-MM-DD: acts dated on or after it are judged by this file
  std::string id;         // the profile's or the schedule's id
  Digest file{};          // SHA-256 of the file, an attachment of the act
  std::uint64_t seq = 0;  // the adopting entry
};
// The adoptions listed under `key`, each naming its file's id in `id_field` ("profile", "schedule").
std::vector<AdoptedFile> adopted_files(const ledger::StateStore& state, std::string_view key, std::string_view id_field);
// The last of `adopted` in effective-date order that is in force on `date`, or nullopt.
std::optional<AdoptedFile> adopted_on(const std::vector<AdoptedFile>& adopted, const std::string& date);

// Profiles adopted by profile.adopted acts (the profile of `antq init` is in force before the first).
using AdoptedProfile = AdoptedFile;
std::vector<AdoptedProfile> adopted_profiles(const ledger::StateStore& state);

// The state of a subject as the admission keeps it (key "subject/<id>"), or nullopt when the ledger has none.
std::optional<SubjectState> subject_state(const ledger::StateStore& state, const std::string& id);

// Snapshots of subject states by date, so that a question as of a date reads a state or two per subject instead of
// folding its chain (design.md §4). The half-years of the reports (report.hpp) end on 30 April and 31 October. When a
// subject's act is the first dated in a later half-year than its state's last_date, the admission keeps that state
// under "asof/<id>@<E>", E the end of the half-year it belonged to: each such key then holds the state after the
// subject's latest act dated on or before E. The state of its latest half-year is "subject/<id>" itself. ('@' never
// occurs in a subject id, so one subject's keys are contiguous and no other subject's share their prefix.)
inline constexpr std::string_view kSnapshotPrefix = "asof/";
std::string snapshot_period_end(std::string_view date);  // YYYY-MM-DD -> YYYY-04-30 or YYYY-10-31
std::string previous_period_end(std::string_view end);   // YYYY-04-30 -> (YYYY-1)-10-31, YYYY-10-31 -> YYYY-04-30
std::string snapshot_prefix(std::string_view id);        // "asof/<id>@"

// The record.disposed act that disposed of an attachment (key "disposed/<sha256 hex>"), or nullopt.
struct Disposal {
  std::string date, number;  // of the disposal decision
  std::uint64_t seq = 0;
};
std::optional<Disposal> disposal_of(const ledger::StateStore& state, const Digest& attachment);

// Profiles this build knows (domain.md §9): the files of projections/profiles/, compiled in.
const std::vector<std::string>& known_profiles();

}  // namespace antq::projections
