// Shared by the command files of cli/: how commands register, report errors and print.
#pragma once

#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "projections/query.hpp"
#include "signing/result.hpp"

namespace antq::projections {
struct Statistics;
}

namespace antq::cli {

// Exit codes (design.md §5).
inline constexpr int kOk = 0;
inline constexpr int kCheckFailed = 1;
inline constexpr int kBadInput = 2;

// A command's body: returns the exit code. Commands print their own results; errors go through fail().
using Action = std::function<int()>;

// Each command file defines one of these; main() calls them all. `run` receives the action to perform once the
// command line is parsed.
void add_init(CLI::App& app, Action& run);
void add_sign(CLI::App& app, Action& run);
void add_append(CLI::App& app, Action& run);  // append and record
void add_verify(CLI::App& app, Action& run);
void add_backup(CLI::App& app, Action& run);
void add_compact(CLI::App& app, Action& run);
void add_rebuild(CLI::App& app, Action& run);
void add_checkpoint(CLI::App& app, Action& run);
void add_proof(CLI::App& app, Action& run);
void add_export(CLI::App& app, Action& run);  // export and verify-bundle
void add_demo(CLI::App& app, Action& run);
void add_trust(CLI::App& app, Action& run);
void add_timestamp(CLI::App& app, Action& run);  // timestamp request / add
void add_show(CLI::App& app, Action& run);     // show
void add_history(CLI::App& app, Action& run);  // history
void add_dossier(CLI::App& app, Action& run);  // dossier
void add_diff(CLI::App& app, Action& run);     // diff
void add_audit(CLI::App& app, Action& run);
void add_units(CLI::App& app, Action& run);
void add_take_in(CLI::App& app, Action& run);
void add_carry_over(CLI::App& app, Action& run);  // carry-over (cmd_carry_over.cpp)
void add_profile(CLI::App& app, Action& run);   // profile (cmd_profile.cpp)
void add_stats(CLI::App& app, Action& run);
void add_report(CLI::App& app, Action& run);     // report (cmd_report.cpp)
void add_reconcile(CLI::App& app, Action& run);  // reconcile (cmd_report.cpp)
void add_retention(CLI::App& app, Action& run);  // retention
void add_handover(CLI::App& app, Action& run);   // handover (cmd_handover.cpp)
void add_serve(CLI::App& app, Action& run);      // serve (cmd_serve.cpp, service.cpp, http_server.cpp)
void add_access_log(CLI::App& app, Action& run);  // access-log (cmd_access_log.cpp)
void add_mirror(CLI::App& app, Action& run);     // mirror (cmd_mirror.cpp)

// Prints the one line of `e` to stderr, as cli/display.hpp's visible() shows text (a message may quote an act, a
// certificate or a file name), and returns its exit code (2; corruption found by a check: 1).
int fail(const Error& e);
inline int fail(const std::unexpected<Error>& e) { return fail(e.error()); }

// Reads a whole file the user named (signing::read_user_file): a regular file of at most `max_bytes`, so that a
// FIFO, a device or a directory never blocks or streams. bad_input naming `what` and the file when it cannot.
Result<std::string> read_text(const std::filesystem::path& path, std::size_t max_bytes, std::string_view what);
// Limits for files that are neither acts nor signed events (docs/act-limits.md): a checkpoint is a signed note of
// a few lines, its cosignatures included well under 1 KiB; a report's CSV holds some hundreds of figures.
inline constexpr std::size_t kMaxCheckpointBytes = 64u << 10;
inline constexpr std::size_t kMaxReportCsvBytes = 16u << 20;

// Progress on stderr, only when stderr is a terminal: "\rverify: 12,000 / 100,000 entries".
std::function<void(std::uint64_t, std::uint64_t)> progress_printer(std::string what);

// The JSON text of `j` (indented by `indent`, or on one line when -1): every string exactly as stored, with the
// characters cli/display.hpp's visible() escapes written as JSON escapes (\u001b, \u202e), and Vietnamese as it
// is. A byte of a string that is not valid UTF-8 (a certificate's name, a file's) becomes U+FFFD instead of making
// nlohmann throw.
std::string json_text(const nlohmann::json& j, int indent = -1);
// json_text(j, 2) and a line end, to stdout.
void print_json(const nlohmann::json& j);
// A time as antq's outputs write every time (docs/output.md): RFC 3339 in Vietnam time, "2026-12-05T13:40:00+07:00".
// `stored` is a time as the ledger stores it (UTC, "...Z"); text that is not a time is returned as it is.
std::string output_time(const std::string& stored);

// Today's date in Vietnam (YYYY-MM-DD): the day deadlines are measured against.
std::string vietnam_today();

// The statistics table of `antq stats` (cmd_stats.cpp); `when` says as of what ("now", "as of 2024-11-15").
void print_stats_table(const projections::Statistics& s, const i18n::Text& when);

// The point in history a query asks about, from its --as-of DATE and --at SEQ (either may be unset), checked
// against a ledger of `size` entries (not both: a point is one or the other): bad_input naming the option otherwise.
Result<projections::AsOf> as_of_point(const std::string& date, std::optional<std::uint64_t> seq, std::uint64_t size);

}  // namespace antq::cli
