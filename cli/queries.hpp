// The read commands of antq as functions on a ledger that is already open: what `antq show`, `history`, `dossier`,
// `diff`, `stats`, `audit`, `report`, `reconcile`, `retention`, `proof`, `checkpoint` print with --json (or
// --format csv/html), for the service (`antq serve`) to answer the same questions with the same output. Each
// command file of cli/ defines its own (next to the JSON, CSV and HTML it already wrote); the CLI commands call them
// and print what they return, so that both say the same thing.
//
// Errors: bad_input for a bad parameter, with the CLI's message (the option names, e.g. "--as-of: expected a date
// YYYY-MM-DD, got ..."), and for a subject that is not there; the errors of the projections otherwise (corruption
// when the store is damaged).
//
// Scope: a reader sees only the subjects its scope covers (projections/scope.hpp), judged by subject_in_scope().
// A subject outside it is "no such subject", the same answer, word for word, as for one the ledger does not hold;
// stats, audit, report, reconcile, retention and dossier --unit count only the subjects inside it. The whole scope
// (Scope{}) gives exactly what the CLI prints. Proofs and checkpoints have no scope: they hold hashes of entries,
// and the log's tiles serve the entries themselves.
//
// Threads: every function here may be called from many threads at once on one shared Ledger (each of the ledger's
// reads is its own LMDB read transaction: MDB_NOTLS). They keep no state between calls; the profiles they read are
// parsed once, at first use, under C++'s guarded static initialisation. A query makes several reads, so while
// appends go on, its reads may see consecutive snapshots (a figure from one, the size from the next): each answer
// is consistent with the ledger at some point between the call and its return, not necessarily one snapshot.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ledger/ledger.hpp"
#include "i18n/i18n.hpp"
#include "projections/query.hpp"
#include "projections/scope.hpp"
#include "projections/stats.hpp"
#include "signing/result.hpp"

namespace antq::cli::queries {

using Json = nlohmann::json;
using projections::Scope;

// The point in history a query asks about: the CLI's --as-of DATE and --at SEQ (either may be empty), checked by
// as_of_point() (cli/common.hpp): not both, a date YYYY-MM-DD, an entry the ledger holds.
struct Point {
  std::string as_of;
  std::optional<std::uint64_t> at;
};

// Whether `scope` covers subject `id`: judged on the authority (unit, level) that founded it, or, for a subject not
// founded yet, that of its first act; the same whatever point in history is asked about. false for a subject the
// ledger does not hold. Always true for the whole scope.
Result<bool> subject_in_scope(const ledger::Ledger& ledger, const std::string& id, const Scope& scope);
// Whether `scope` covers entry `seq`: its act's subject is in scope (an entry about the ledger itself, to the whole
// scope only). false for an entry the ledger does not hold.
Result<bool> entry_in_scope(const ledger::Ledger& ledger, std::uint64_t seq, const Scope& scope);
// The subjects `scope` covers, for the projections that count all subjects: an empty filter (every subject) for the
// whole scope, else the set of those subject_in_scope() admits, decided once, when this is called.
Result<projections::SubjectFilter> scope_filter(const ledger::Ledger& ledger, const Scope& scope);
// Keeps of `stats.succeeded` (the old-to-new table of statistics and reports) the successions whose ceased unit or
// successor `scope` covers (at the unit's registered level), and `unit` when given (--unit: it or a unit under it in
// the registry as of `date`): a scoped reader sees no other unit's reorganisation, a unit's figures only its own.
void successions_in_scope(const ledger::Ledger& ledger, const Scope& scope, const std::string& unit,
                          const std::string& date, projections::Statistics& stats);

// The unit a user typed for --unit, as the ledger's acts write it: matched after NFC, case folding and collapsed
// white space among the units `scope` covers that founded a subject or hold an authority binding. "" stays "".
// bad_input for a name that matches none: "--unit \"X\": no unit of that name in the ledger; nearest: A, B, C" (the
// nearest names inside the scope only).
// Registered units (projections/units.hpp) are known by their names and aliases, and resolve to the registered name.
Result<std::string> resolve_unit(const ledger::Ledger& ledger, const std::string& typed, const Scope& scope);
// Whether `unit` (as resolve_unit returned it; "" gives an empty function) covers what `founder` founded on `date`:
// the same unit, or one under it in the registry as it stood that day (projections::UnitTree::covers, successions
// effective by then followed).
std::function<bool(std::string_view founder)> unit_cover(const ledger::Ledger& ledger, const std::string& unit,
                                                         const std::string& date);
// The subjects of `keep` (every subject when empty) that `unit` covers on `date`: founded by it or by a unit under
// it (a subject never founded: by the unit of its first act), or by a unit that had ceased by `date` and whose
// competence `unit` took over (unit.reorganised). `keep` itself when `unit` is "". bad_input (exit 2) naming the
// successor when `unit` itself had ceased by `date`.
Result<projections::SubjectFilter> unit_filter(const ledger::Ledger& ledger, const std::string& unit,
                                               const std::string& date, const projections::SubjectFilter& keep);
// bad_input (exit 2) naming the successor when `unit` (as resolve_unit gave it; "" passes) had ceased by `date`.
Status unit_in_force(const ledger::Ledger& ledger, const std::string& unit, const std::string& date);

// antq show --json: the subject's state at `point`.
Result<Json> show(const ledger::Ledger& ledger, const std::string& subject, const Point& point, const Scope& scope);
// antq history --json: its decision chain up to `point`, every signature checked again.
Result<Json> history(const ledger::Ledger& ledger, const std::string& subject, const Point& point, const Scope& scope);
// antq dossier SUBJECT --json, its reasons in `lang`.
Result<Json> dossier(const ledger::Ledger& ledger, const std::string& subject, const Point& point, const Scope& scope,
                     i18n::Lang lang = i18n::Lang::en);
// antq dossier --unit UNIT --json: the subjects of `unit` (inside the scope) with missing items.
Result<Json> dossier_gaps(const ledger::Ledger& ledger, const std::string& unit, const Point& point, const Scope& scope);
// antq diff --from FROM --to TO --json.
Result<Json> diff(const ledger::Ledger& ledger, const std::string& subject, const std::string& from,
                  const std::string& to, const Scope& scope);

// antq stats: --format json, and --format csv. `unit` "" for every unit.
struct StatsOptions {
  Point point;
  std::optional<int> year;
  std::string unit;
};
Result<Json> stats(const ledger::Ledger& ledger, const StatsOptions& options, const Scope& scope);
Result<std::string> stats_csv(const ledger::Ledger& ledger, const StatsOptions& options, const Scope& scope);

// antq audit --json: findings since `since` ("" for all), deadlines measured against today (Vietnam date) or
// point.as_of.
// `unit` (as typed; "" for every unit): only the subjects it or a unit under it founded (unit_filter). Messages in
// `lang` (the service's ?lang=vi, the desk's pages, the CLI's table); ids, dates and keys are the same in any.
Result<Json> audit(const ledger::Ledger& ledger, const Point& point, const std::string& since, const Scope& scope,
                   const std::string& unit = "", i18n::Lang lang = i18n::Lang::en);

// antq units --json: the units as they stood on `as_of` ("" for today, Vietnam date): {as_of, units[]}, the
// registered ones inside the scope in tree order, then those only seen in acts (cli/cmd_units.cpp).
Result<Json> units(const ledger::Ledger& ledger, const std::string& as_of, const Scope& scope);

// antq report PERIOD: --format json, csv, html. `unit` "" for every unit.
struct ReportOptions {
  std::string period;
  std::string unit;
  Point point;
};
Result<Json> report(const ledger::Ledger& ledger, const ReportOptions& options, const Scope& scope);
Result<std::string> report_csv(const ledger::Ledger& ledger, const ReportOptions& options, const Scope& scope);
Result<std::string> report_html(const ledger::Ledger& ledger, const ReportOptions& options, const Scope& scope);

// antq reconcile --json, on the text of a submitted report (CSV, at most kMaxReportCsvBytes) that error messages
// call `name`: period, unit, as_of, figures, differences[]. No difference: differences is empty (the CLI's exit 0).
Result<Json> reconcile(const ledger::Ledger& ledger, std::string_view csv, const std::string& name, const Scope& scope);

// antq retention --json, and --format csv. `on` "" for today (Vietnam date); `unit` "" for every unit.
struct RetentionOptions {
  std::string on;
  std::string unit;
};
Result<Json> retention(const ledger::Ledger& ledger, const RetentionOptions& options, const Scope& scope);
Result<std::string> retention_csv(const ledger::Ledger& ledger, const RetentionOptions& options, const Scope& scope);

// antq proof inclusion --json (`size` 0: the current size) and antq proof consistency --json.
Result<Json> proof_inclusion(const ledger::Ledger& ledger, std::uint64_t seq, std::uint64_t size);
Result<Json> proof_consistency(const ledger::Ledger& ledger, std::uint64_t first, std::uint64_t second);

// antq checkpoint: the signed note of the current tree, byte for byte; corruption when it holds characters a
// terminal would act on (only a damaged or altered store can).
Result<std::string> checkpoint(const ledger::Ledger& ledger);

// What `antq verify DIR` recorded of its last run in DIR (kLastVerificationFile, ledger/FORMAT.md "Last
// verification"): {"recorded": true, "time", "ok", "entries", "root", "failures", "first_failures": [{seq, reason}]},
// or {"recorded": false, "message": "never verified"} when there is no such file. corruption when the file is there
// but not such a record (more than kMaxVerificationRecordBytes, not JSON, a field missing or of another type).
inline constexpr const char* kLastVerificationFile = "last-verification.json";
inline constexpr std::size_t kMaxVerificationRecordBytes = 64u << 10;
Result<Json> last_verification(const std::filesystem::path& dir);

// Writes the record last_verification() reads: `report`'s outcome at the current UTC time, the reasons of its first
// kRecordedFailures failures, to DIR/kLastVerificationFile atomically (a temporary file in DIR, flushed, renamed over
// the old record, then the directory flushed), so that a crash leaves the old record or the new one. io_error (the
// old record left as it was) when DIR cannot be written, e.g. on read-only media.
inline constexpr std::size_t kRecordedFailures = 5;
Status record_verification(const std::filesystem::path& dir, const ledger::VerifyReport& report);
// The same for a verification that could not begin, the store found damaged as it opened: ok false, entries and
// root null, one failure, `error`'s message.
Status record_verification_failure(const std::filesystem::path& dir, const Error& error);

}  // namespace antq::cli::queries
