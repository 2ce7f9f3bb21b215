// antq rebuild: recompute every projection (the `state` database) from the entries alone.
#include <chrono>
#include <iostream>

#include "cli/common.hpp"
#include "cli/display.hpp"
#include "ledger/ledger.hpp"
#include "projections/admission.hpp"

namespace antq::cli {
namespace {

nlohmann::json rebuild_json(const ledger::RebuildReport& r, double seconds) {
  return {{"entries", r.entries},
          {"seconds", seconds},
          {"events_per_s", seconds > 0 ? static_cast<double>(r.entries) / seconds : 0.0},
          {"keys", r.keys},
          {"unchanged", r.unchanged},
          {"changed", r.changed},
          {"added", r.added},
          {"removed", r.removed},
          {"written", r.written()}};
}

void print_rebuild(const ledger::RebuildReport& r, double seconds, const std::string& dir) {
  const i18n::Lang lang = i18n::process_lang();
  const auto label = [&](const i18n::Msg& word) { return field_label(lang, word); };
  std::cout << label(NC_("verify", "rebuilt")) << dir << "\n"
            << label(NC_("verify", "entries"))
            << i18n::trf(lang, "{} replayed in {} s ({} events/s)", r.entries, fmt::format("{:.2f}", seconds),
                         fmt::format("{:.0f}", seconds > 0 ? static_cast<double>(r.entries) / seconds : 0.0))
            << "\n"
            << label(NC_("verify", "state"))
            << i18n::trf(lang, "{} keys: {} changed, {} added, {} removed, {} unchanged", r.keys, r.changed, r.added,
                         r.removed, r.unchanged)
            << "\n";
  std::cout << label(NC_("verify", "result"))
            << (r.written() ? i18n::tr(lang, "the state now equals the replay of the log (one transaction)")
                            : i18n::tr(lang, "the stored state already equalled the replay; nothing written"))
            << "\n";
}

}  // namespace

void add_rebuild(CLI::App& app, Action& run) {
  struct Args {
    std::string dir;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("rebuild", N_("Recompute every projection (the `state` database) from the entries"));
  cmd->footer(
      "Replays the admission rules over every entry in order, as verify does but without checking signatures\n"
      "again (that is verify's job), and replaces the derived state (authority bindings, adopted profiles, subject\n"
      "states and their half-year snapshots, disposals: FORMAT.md §2) with the result in one durable transaction:\n"
      "a crash leaves the old state or the new one. Nothing is written when they are equal. Run it when verify says\n"
      "the derived state differs, as it does for a ledger written before the half-year snapshots (which as-of\n"
      "questions read). Exit 1 when an entry does not replay (run verify).\n"
      "Example: antq rebuild ./ledger && antq verify ./ledger\n"
      "JSON: entries, seconds, events_per_s, keys, unchanged, changed, added, removed, written");
  cmd->add_option("DIR", args->dir, "The ledger")->required();
  cmd->add_flag("--json", args->json, "Print the report as JSON");
  cmd->callback([args, &run] {
    run = [args]() -> int {
      auto ledger = ledger::Ledger::open(args->dir);
      if (!ledger) return fail(ledger.error());
      auto replay = projections::make_admission(**ledger);
      if (!replay) return fail(replay.error());
      const auto t0 = std::chrono::steady_clock::now();
      auto report = (*ledger)->rebuild(**replay, args->json ? ledger::Progress{} : progress_printer("rebuild"));
      if (!report) return fail(report.error());
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (args->json) print_json(rebuild_json(*report, seconds));
      else print_rebuild(*report, seconds, args->dir);
      return kOk;
    };
  });
}

}  // namespace antq::cli
