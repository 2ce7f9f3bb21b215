// antq compact: rewrite data.mdb with the pages in use alone, so that freed pages (a disposed document's bytes)
// are gone from it.
#include <unistd.h>

#include <iostream>

#include "cli/common.hpp"
#include "cli/display.hpp"
#include "ledger/ledger.hpp"

namespace antq::cli {

void add_compact(CLI::App& app, Action& run) {
  struct Args {
    std::string dir;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "compact", N_("Rewrite data.mdb with the pages in use alone, so that freed pages and their old bytes are gone"));
  cmd->footer(
      "Why: a disposal (record.disposed) deletes the document's bytes from the ledger's `attachments`, but LMDB\n"
      "does not overwrite the pages that held them. It lists them as free and leaves them, old bytes and all, in\n"
      "data.mdb until a later append happens to reuse them: `strings data.mdb`, or any forensic read of the file,\n"
      "may still find a disposed document. The same holds for whatever else an append replaced.\n\n"
      "What: antq compact copies the ledger's one snapshot with LMDB's compacting copy (the pages in use, renumbered,\n"
      "as antq backup makes), flushes it to disk, checks it (its structure, and the same entries, checkpoint and\n"
      "number of records in every database as the ledger), and renames it over data.mdb: an atomic swap. A crash at\n"
      "any moment leaves the old data.mdb or the new one, each complete and verifiable. An interrupted run leaves its\n"
      "copy in DIR/.compact-<pid>: every command ignores it, and the next compact removes it.\n\n"
      "It must run alone. It takes the lock that LMDB's first opener takes (lock.mdb) and keeps it to the end, then\n"
      "lets LMDB set lock.mdb up for the new file. When any process has the ledger open (another antq command,\n"
      "mdb_stat), it refuses with exit 2 and changes nothing: stop that process and run it again. A command started\n"
      "while it runs waits until it is done.\n\n"
      "What it cannot reach: the old data.mdb's blocks on the disk. The file system frees them without overwriting\n"
      "them (an SSD, a journal or a copy-on-write file system may keep them long after), and backups, bundles and\n"
      "copies made earlier hold what they held. Those are the media's and the copies' keepers' to destroy.\n"
      "FORMAT.md §11 (in every bundle) says step by step what it does and what stays readable.\n\n"
      "Exit 0: compacted. Exit 1: the ledger is damaged (antq verify names it) or the copy is not what it must be;\n"
      "nothing changed. Exit 2: bad usage, the ledger is in use, read-only media, or the copy cannot be written\n"
      "(disk full); nothing changed.\n"
      "Example: antq compact ./ledger && antq verify ./ledger --operator-key kept.vkey\n"
      "JSON: before_bytes, after_bytes, entries, leftovers_removed[]");
  cmd->add_option("DIR", args->dir, "The ledger")->required();
  cmd->add_flag("--json", args->json, "Print the result as JSON");
  cmd->callback([args, &run] {
    run = [args]() -> int {
      // Each step on stderr, only when stderr is a terminal (as progress_printer).
      const bool steps = !args->json && isatty(STDERR_FILENO);
      auto report = ledger::Ledger::compact(args->dir, [steps](std::string_view what) {
        if (steps) std::fprintf(stderr, "compact: %s\n", visible(std::string(what)).c_str());
      });
      if (!report) return fail(report.error());
      nlohmann::json leftovers = nlohmann::json::array();
      for (const auto& p : report->leftovers_removed) leftovers.push_back(p.string());
      if (args->json) {
        print_json({{"before_bytes", report->before_bytes},
                    {"after_bytes", report->after_bytes},
                    {"entries", report->entries},
                    {"leftovers_removed", leftovers}});
        return kOk;
      }
      const i18n::Lang lang = i18n::process_lang();
      const auto label = [&](const i18n::Msg& word) { return field_label(lang, word); };
      std::cout << label(NC_("verify", "compacted")) << visible(args->dir) << "\n"
                << label(NC_("verify", "entries")) << i18n::trf(lang, "{} (unchanged)", report->entries) << "\n"
                << label(NC_("verify", "size"))
                << i18n::trf(lang, "{} bytes before, {} bytes after (data.mdb)", report->before_bytes,
                             report->after_bytes)
                << "\n";
      for (const auto& p : report->leftovers_removed)
        std::cout << label(NC_("verify", "removed"))
                  << i18n::trf(lang, "{} (the copy of an interrupted compaction)", visible(p.string())) << "\n";
      std::cout << label(NC_("verify", "result"))
                << i18n::tr(lang, "OK: data.mdb holds the pages in use alone; no freed page of it is left") << "\n";
      return kOk;
    };
  });
}

}  // namespace antq::cli
