// Rule profiles as data (projections/profiles/*.json, format in projections/profiles/README.md): the procedure of a
// province or of the Ministry baseline — steps, rating basis, deadlines, dossier lists, termination — and which rules
// of domain.md §10 apply. The files are compiled into the program (profiles.cpp is generated from them at build
// time), so that a ledger is judged by the same rules wherever it is verified.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "signing/result.hpp"

namespace antq::projections {

struct DossierItem {
  std::string item;   // code used in attachments[].item: "1".."16", "E1".."E5"
  std::string title;  // as the source writes it (Vietnamese)
  std::string en;
  std::vector<std::string> acts;  // act kinds whose documents belong here
  bool if_any = false;            // "(nếu có)": required only when one of `acts` happened
};

struct Deadline {
  std::string id;                     // finding id: late-proposal, late-decision, late-forwarding, missing-report
  std::string act;                    // act kind it applies to
  std::optional<std::string> period;  // "H1" | "year" for model.report-filed
  std::string before;                 // "MM-DD" of the evaluation year
};

struct RatingBand {
  std::string level;  // good | fair | average | weak
  int min_pct = 0;    // inclusive
};

struct CriteriaRule {
  std::vector<std::string> all;     // every one required
  std::vector<std::string> one_of;  // one of them required (none when empty)
};

// Format 2, `rating.raters` (rule `rater`): a kind and level of unit of the registry that reviews and rates the models
// of its area (Bắc Giang 004 §III.2; docs/rules.md "Who rates").
struct Rater {
  std::string kind;   // a unit kind of the registry (ledger/act.cpp kUnitKinds): police, steering-committee, ...
  std::string level;  // commune | district | province | ministry | agency
  std::string cite;
};

struct Rating {
  std::string basis;                  // "percentage" | "criteria"
  std::vector<RatingBand> bands;      // percentage: best first, the last at 0
  std::map<std::string, std::string> criteria_text;  // criteria: id -> Vietnamese text
  std::map<std::string, std::string> criteria_en;    // criteria: id -> English gloss
  // criteria: level -> model type -> rule
  std::map<std::string, std::map<std::string, CriteriaRule>> criteria;
  std::optional<int> eligibility_months;
  std::optional<std::string> year_start;  // "MM-DD"
  // Format 2: who rates, where the profile says it (rule `rater`); null where it says nothing, and under format 1.
  std::optional<std::vector<Rater>> raters;
};

// A common criterion of exemplars (000 §IV.1.3 = 001 §IV.1 Bước 3, "tiêu chí chung"), besides each one's own.
struct CommonCriterion {
  std::string id;                       // what exemplar.evaluated's `met` names
  std::string vi, en;
  std::optional<std::string> evidence;  // the act kind that must back the claim within the building year, if any
};

// Format 2 (docs/rules.md, rule `rating-criteria`): what a criterion a rating names claims that the ledger can
// check. A claim whose act never happened refuses the rating; the scope or level of the act (not in a subject's
// state) is the audit's (finding `rating-criteria-unsupported`).
struct EvidenceClaim {
  std::string criterion;        // a criterion id of rating.criteria
  std::vector<std::string> of;  // announced: the data.scope values that support it; commended: the data.level values
};

struct RatingEvidence {
  std::vector<std::string> dossier;    // criteria that claim the dossier complete
  std::vector<EvidenceClaim> announced;  // criteria that claim a model.announced in the year
  std::vector<EvidenceClaim> commended;  // criteria that claim a commendation.awarded in the year
  int within_months = 12;              // "Trong năm": the months before the decision an act counts in
};

struct ExemplarRules {
  int evaluate_within_months = 0;
  int keep_threshold_pct = 0;
  std::optional<std::string> province_recognition_level;  // who recognises province-wide exemplars, when said
  std::vector<CommonCriterion> common_criteria;            // format 2 (empty under format 1)
};

// One model, one name (format 2, section `names`): the standard names a profile lists, and the abbreviations its
// provinces write in model names (projections/names.hpp).
struct StandardName {
  std::string name;                  // as the source writes it: what reports print
  std::vector<std::string> aliases;  // other names of the same model
};

struct NameRules {
  std::vector<StandardName> standard;
  std::map<std::string, std::string, std::less<>> abbreviations;  // "ANTT" -> "an ninh, trật tự"
};

struct StatisticsReport {
  std::string period;  // "H1" | "year"
  std::string before;  // "MM-DD"
};

// Format 2: a tier of the reporting units' periodic reports (the units', not a model's: docs/rules.md).
struct UnitReportTier {
  std::string period;               // "H1" | "year"
  std::string before;               // "MM-DD"
  std::vector<std::string> levels;  // the levels of the units that report (commune, district, province, agency ...)
  std::string to;                   // to whom, as the source writes it
  // Optional (`kinds`): per level, the kinds of registered unit that report at it (unit.registered data.kind, e.g.
  // the steering committees of the communes); a level it does not name reports whatever its kind.
  std::map<std::string, std::vector<std::string>> kinds;
};

// A retention schedule (retention.md, records and archives): which period each record of a dossier is kept, from
// when, and whether it is handed over to the archive. Data, not code: a profile's `retention` section, or a schedule
// an archivist adopts with retention.schedule-adopted. Format: projections/profiles/README.md, "Retention schedule".
struct RetentionRow {
  std::string cls;                 // the record class, e.g. "establishment"
  std::string title;               // Vietnamese, as a list of files would print it
  std::vector<std::string> items;  // dossier item codes it covers (empty: any)
  std::vector<std::string> acts;   // act kinds it covers (empty: any)
  // Further conditions on the act's data: "period" (of a report: year, half-year, adhoc), "level" (of a
  // commendation). Each listed key must hold one of its values.
  std::map<std::string, std::vector<std::string>> match;
  std::string period;              // "permanent" | "until-superseded" | "<N>" (years, 1-100)
  std::optional<int> years;        // N for a period of N years
  std::string clock;               // "work-ended" (the file's work ended) | "year" (the record's own year)
  bool handover = false;           // handed over to the archive (Decree 30/2020 art. 29-31: files of 5 years or more)
  std::string source;              // the text the row is taken from
  bool provisional = true;         // not taken from an official text
};

struct RetentionSchedule {
  std::string id, title;
  std::vector<RetentionRow> rows;  // the first row that matches a record is its class
};

// Parses a retention schedule: the `retention` section of a profile, or a schedule file (format
// "antq-retention-schedule 1"). bad_input naming `name` and the field otherwise.
Result<RetentionSchedule> parse_schedule(std::string_view json_text, std::string_view name);

// Founding a model other than by the establishment steps (format 2; docs/rules.md "Recognition and transition").
// `recognition`: the decision recognising a spontaneous model (model.recognized; only Kon Tum provides it, 002 §1.c).
struct Recognition {
  std::vector<std::string> steps;          // `requires`: acts that must precede model.recognized for that subject
  std::vector<std::string> excused_items;  // dossier items a recognized model was not built through
  std::string cite;
  // Format 1 (and files made before it): model.recognized begins a subject under every profile with no earlier
  // step, and excuses every dossier item of a step before the decision — what the engine did then.
  bool legacy = false;
};
// `transition`: models built under the procedure a profile replaced, brought in by a model.established that names
// it in data.transition (Bình Thuận: QĐ 1383/2017, 001 §IV(second).3). It begins a subject without the steps and
// excuses no dossier item: the papers are supplemented (document.attached).
struct Transition {
  std::string from;  // what data.transition names, e.g. "1383/QĐ-BCĐ"
  std::string cite;
};

// Why 10 days: an official document is signed by the competent person, then the office clerk applies the
// organisation's signature and sends it (Decree 30/2020 art. 15-16: on the day it is signed, or the next working
// day); the longest run of days off in the year (Tết, up to 9 consecutive days) may fall between signing and
// submission. A longer window would let a key that is revoked after being stolen keep signing acts dated before its
// revocation for longer; signatures made earlier than this can still be admitted with a time-stamp token.
inline constexpr int kDefaultSignatureMaxAgeDays = 10;

struct Profile {
  // The file's format: 2 for today's files; 1 for the files ledgers stored before the rules of issue 21 (their
  // sections and rules added since are absent, and the engine applies them as it did then).
  int format = 2;
  std::string id;
  std::string title;
  std::string source_issuer;
  std::optional<std::string> source_number;
  std::optional<std::string> source_date;  // null when the document leaves its day blank
  std::string source_file;                 // the source's text among the seeds ("seeds/000_….txt")
  // Older documents the source replaces (`replaces`): what a report's basis and `antq profile` name.
  struct Replaced {
    std::string document;
    std::optional<std::string> transition;  // what happens to models made under it, when the source says
  };
  std::vector<Replaced> replaces;
  std::vector<std::string> model_types;
  std::map<std::string, std::vector<std::string>> establishment_requires;  // model type -> acts, in order
  Rating rating;
  // Format 2, criteria profiles (rule `rating-criteria`): what the criteria claim; null for percentage profiles and
  // under format 1.
  std::optional<RatingEvidence> rating_evidence;
  std::vector<Deadline> deadlines;
  std::map<std::string, std::vector<DossierItem>> model_dossier;  // model type -> items
  std::vector<DossierItem> exemplar_dossier;
  std::vector<std::string> termination_requires;
  // termination.decided_by: "establishing-level" (the unit that founded a model ends it: rule same-level applies to
  // model.terminated whatever the rule says of ratings), or, format 2, nullopt where the source names nobody.
  std::optional<std::string> termination_decided_by = "establishing-level";
  std::optional<std::string> weak_must_terminate;  // "immediately" | "next-evaluation-year"
  std::string replication_requires_level;
  std::optional<int> points_effective_pct;
  std::optional<ExemplarRules> exemplar;
  std::vector<std::string> statistics_apart;  // format 1: both reasons, whatever the file lists (as before)
  std::vector<StatisticsReport> reports;     // format 1: statistics.reports
  std::vector<UnitReportTier> unit_reports;  // format 2: unit_reports.tiers
  // Format 2, issue 21 §5-6 (format 1: the values the engine used before).
  NameRules names;                                  // section `names`; format 1: none
  // missing-plan: a plan for evaluation year Y is due before this "MM-DD" of Y (a `deadlines` entry of id
  // missing-plan); nullopt: by the end of the evaluation year (Y-10-31). Format 1: "01-01".
  std::optional<std::string> missing_plan_before;
  // weak-not-terminated, when `weak_must_terminate` is null: format 2 finds it on evidence only (a later plan,
  // report or rating of a later year, and no termination); format 1 after 31 October of the next evaluation year.
  bool weak_on_evidence = true;
  std::map<std::string, bool, std::less<>> rules;  // every id of domain.md §10
  // Format 2, `circular_124`: whether the unit recognising the "An toàn về an ninh, trật tự" of an agency, enterprise
  // or school under Circular 124/2021/TT-BCA rates its models (Hòa Bình 000 §III.2.3; projections/units.hpp). Format 1:
  // not applied.
  struct Circular124 {
    bool applies = false;
    std::string cite;
  } circular_124;
  // Rule `signature`: a signature without a time-stamp token may have been made at most this many days before its
  // admission (its signing time is only the signer's claim). Not from the sources: kDefaultSignatureMaxAgeDays
  // unless the profile's `signatures.max_age_days` says otherwise.
  int signature_max_age_days = kDefaultSignatureMaxAgeDays;
  // The profile's retention schedule (optional: files made before schedules have none).
  std::optional<RetentionSchedule> retention;
  // Recognition of spontaneous models: null when the profile provides none (format 2); legacy under format 1.
  std::optional<Recognition> recognition;
  // Transition of models built under a replaced procedure: null when the profile provides none (always in format 1).
  std::optional<Transition> transition;

  // Whether rule or finding `id` of domain.md §10 applies under this profile.
  bool applies(std::string_view id) const;
};

// Parses and checks a profile file: every field of the format present with its type, act kinds and rule ids
// known, dates and MM-DD days real. bad_input naming `name` and the field otherwise.
Result<Profile> parse_profile(std::string_view json_text, std::string_view name);

// The profiles compiled into this program, by id (sorted).
const std::vector<std::string>& builtin_profile_ids();
// A compiled-in profile; bad_input listing the known ids when there is none.
Result<const Profile*> builtin_profile(std::string_view id);
// The file text of a compiled-in profile (empty when unknown): what a ledger stores to keep its rules.
std::string_view builtin_profile_text(std::string_view id);

// The profile a ledger made before profiles were stored is judged by: the format-1 file of `id` as it was then
// (projections/profiles/v1/, frozen), so that a later change of the rules never refuses what such a ledger holds.
Result<const Profile*> frozen_format1_profile(std::string_view id);
std::string_view frozen_format1_text(std::string_view id);

// Every rule and finding id a profile of the current format names (domain.md §10 and docs/rules.md).
const std::vector<std::string>& rule_ids();
// The rule ids a format-1 file names: the others do not apply under it.
const std::vector<std::string>& format1_rule_ids();
// The rule ids applied under every profile whatever a file says (they guard the ledger, not a procedure of the
// sources: signature, authority, duplicate, unit): a format-1 file lists them, a format-2 file does not.
const std::vector<std::string>& always_applied_rule_ids();

}  // namespace antq::projections
