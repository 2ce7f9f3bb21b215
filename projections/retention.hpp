// Records and archives (retention.md): the retention schedule the ledger holds applied to every record — each
// subject's file (hồ sơ) and each document in it — with holds, disposals and hand-overs to the archive. The
// admission rules use it to judge record.held, record.released, record.disposed and archive.transferred; `antq
// retention`, `antq audit` and `antq handover` read it.
//
// The state the admission keeps for it (FORMAT.md §2): "records/attachment/<sha256 hex>" (the act that first named a
// document: RecordFacts), "records/holds" (every hold, with its release), "records/transferred/<subject>" (the
// hand-over of a file), "retention/adopted" (schedules adopted by retention.schedule-adopted), and "disposed/<sha256
// hex>" (admission.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ledger/ledger.hpp"
#include "projections/admission.hpp"
#include "projections/profile.hpp"
#include "projections/query.hpp"
#include "projections/subject.hpp"

namespace antq::projections {

// What the retention rules need of one document: the act that filed it.
struct RecordFacts {
  std::string subject, act, item, date;
  int year = 0;               // the record's own year: data.year, a report's period, else the document's date
  std::string report_period;  // model.report-filed: year | half-year | adhoc
  std::string level;          // commendation.awarded: its level
  std::uint64_t seq = 0;      // the entry that named it first
  nlohmann::json to_json() const;
  static std::optional<RecordFacts> from_json(const nlohmann::json& j);
};
RecordFacts record_facts(const ledger::Act& act, std::uint64_t seq, const std::string& item);

// The schedule's row for a document: the first that matches it (the last row matches every record).
const RetentionRow& row_for(const RetentionSchedule& schedule, const RecordFacts& facts);

struct Hold {
  std::uint64_t seq = 0;
  std::string date, reason;
  std::vector<std::string> targets;  // subjects, or documents' SHA-256 (lower-case hex)
  std::optional<std::uint64_t> released_by;
  std::string released_on;
  // In force on `date` (YYYY-MM-DD): recorded by then and not released by then. Empty `date`: now.
  bool in_force(const std::string& on) const;
};

struct Transfer {
  std::uint64_t seq = 0;
  std::string date, archive, number;
};

// The file of one subject as the rules see it.
struct FileFacts {
  std::string subject, name, kind, unit;  // unit: the unit that keeps the file (the one that founded the subject)
  std::optional<std::string> ended;       // the date its work ended (termination, merger, end of the exemplar)
  std::optional<Transfer> transferred;
  std::vector<std::uint64_t> holds;       // holds in force on the subject itself
};
// The unit that keeps a subject's file: the one that founded it (SubjectState::authority), else — a subject never
// founded, e.g. an exemplar ended before recognition — the unit of its first act ("records/keeper/<subject>").
std::string keeper_of(const ledger::StateStore& state, const SubjectState& s);
FileFacts file_facts(const SubjectState& s, const std::optional<Transfer>& transfer, const std::vector<Hold>& holds,
                     const std::string& on, const std::string& keeper);

// One line of the retention listing (`antq retention --json`: the keys of to_json are stable).
struct RetentionRecord {
  std::string subject;
  std::optional<std::string> item;       // null for the file itself
  std::optional<Digest> attachment;      // null for the file, or for an act that attaches nothing
  std::string cls;                       // the schedule's class; "file" for the file itself
  // The schedule row's title and the text it is taken from (its `source`); empty for the file itself.
  std::string class_title, class_source;
  std::string period;                    // permanent | until-superseded | <N> (years)
  std::optional<int> years;
  std::optional<std::string> clock_start, due;  // YYYY-MM-DD
  // open | retained | handover-due | handover-overdue | transferred | disposal-eligible | held | disposed
  std::string status;
  bool provisional = true;
  std::vector<std::uint64_t> holds;
  // Not in the stable keys' list but printed: the act and document behind the record, and who keeps it.
  std::optional<std::uint64_t> seq, disposed_by, transferred_by;
  std::string act, date, number, title, unit, due_kind;  // due_kind: handover | disposal
  // The file's metadata (Decree 30/2020 Appendix VI), for cls "file": the first and last dates of its acts and their
  // number; with `subject` (the file code), `title`, the period and `unit` (the creator), and its language.
  std::string start, end;
  std::size_t documents = 0;
  nlohmann::json to_json() const;
};

// The year-end a period runs from, and the date a period of N years ends: YYYY-12-31.
std::string year_end(int year);
// The year of a date (YYYY-MM-DD); 0 when it does not start with digits.
int year_of(std::string_view date);

// A document's record on `on` (YYYY-MM-DD), judged by `row`.
RetentionRecord judge_document(const RetentionRow& row, const RecordFacts& facts, const FileFacts& file,
                               const std::optional<Disposal>& disposal, const std::vector<std::uint64_t>& holds,
                               const std::string& on);
// The file's own record, from its documents' (`fallback`: the schedule's last row, for a file with no document).
RetentionRecord judge_file(const FileFacts& file, const std::vector<RetentionRecord>& documents,
                           const RetentionRow& fallback, const std::string& on);

// The state's records keys.
std::optional<RecordFacts> indexed_record(const ledger::StateStore& state, const Digest& document);
std::vector<Hold> holds_of(const ledger::StateStore& state);
std::optional<Transfer> transfer_of(const ledger::StateStore& state, const std::string& subject);
inline constexpr std::string_view kRecordPrefix = "records/attachment/";
inline constexpr std::string_view kHoldsKey = "records/holds";
inline constexpr std::string_view kTransferPrefix = "records/transferred/";
inline constexpr std::string_view kKeeperPrefix = "records/keeper/";
inline constexpr std::string_view kSchedulesKey = "retention/adopted";

using AdoptedSchedule = AdoptedFile;  // retention.schedule-adopted (admission.hpp)
std::vector<AdoptedSchedule> adopted_schedules(const ledger::StateStore& state);

// The schedule in force on `date`: the last adopted by then, else the retention section of the profile in force.
// nullopt when the ledger holds none (profiles stored before schedules existed).
struct ScheduleInForce {
  RetentionSchedule schedule;
  std::optional<std::uint64_t> adopted_by;  // the retention.schedule-adopted entry; none: the profile's
  std::string profile;                      // the profile in force then
};
Result<std::optional<ScheduleInForce>> schedule_on(const ledger::Ledger& ledger, const std::string& date);

// The records of one file on `on`: its own, then each of its documents' in entry order. `acts` are the subject's
// own acts as of `on`; `state`, where the disposals are read.
std::vector<RetentionRecord> file_records(const ledger::StateStore& state, const RetentionSchedule& schedule,
                                          const std::vector<Hold>& holds, const FileFacts& file,
                                          const std::vector<ChainLink>& acts, const std::string& on);

// Every record of the ledger on `on`: per subject (in id order) its file, then its documents in entry order.
// `unit` (optional) keeps the files that unit keeps; `keep`, those it returns true for (every subject's chain is
// read either way: the facts it is given are judged from it).
struct RetentionListing {
  std::string on;
  std::optional<ScheduleInForce> schedule;
  std::vector<RetentionRecord> records;
  std::vector<FileFacts> files;  // the facts of each file listed, in the order of the files' records
};
using FileFilter = std::function<bool(const FileFacts&)>;
Result<RetentionListing> retention_listing(const ledger::Ledger& ledger, const std::string& on, const FileFilter& keep);
Result<RetentionListing> retention_listing(const ledger::Ledger& ledger, const std::string& on,
                                           const std::optional<std::string>& unit = std::nullopt);

}  // namespace antq::projections
