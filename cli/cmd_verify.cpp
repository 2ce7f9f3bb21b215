// antq verify: recheck the whole ledger from its bytes.
#include <iostream>

#include "cli/common.hpp"
#include "cli/report.hpp"
#include "ledger/checkpoint.hpp"
#include "ledger/ledger.hpp"
#include "projections/admission.hpp"

namespace antq::cli {

void add_verify(CLI::App& app, Action& run) {
  struct Args {
    std::string dir, checkpoint;
    unsigned jobs = 0;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("verify", "Recheck every entry, the tree, checkpoints and signatures");
  cmd->footer(
      "Recomputes every leaf and the root, checks every checkpoint's signature and root, every CMS signature and\n"
      "certificate chain at its signing time, every attachment's digest, and replays the admission rules.\n"
      "Exit 0: all good. Exit 1: the first bad entry is named, with the reason.\n"
      "With --checkpoint, also proves this ledger extends a checkpoint you kept earlier (an older copy, or one\n"
      "that has forked, fails).");
  cmd->add_option("DIR", args->dir, "The ledger")->required();
  cmd->add_option("--jobs", args->jobs, "Threads for signature checks (default: all cores)");
  cmd->add_option("--checkpoint", args->checkpoint, "A checkpoint note kept earlier (file)");
  cmd->add_flag("--json", args->json, "JSON: ok, entries, root, signatures, checkpoints, failures[] (seq, reason)");
  cmd->callback([args, &run] {
    run = [args]() -> int {
      auto ledger = ledger::Ledger::open(args->dir);
      if (!ledger) return fail(ledger.error());
      auto admission = projections::make_admission((*ledger)->info().profile);
      if (!admission) return fail(admission.error());
      ledger::VerifyOptions o;
      o.jobs = args->jobs;
      if (!args->checkpoint.empty()) {
        auto text = read_text(args->checkpoint);
        if (!text) return fail(text.error());
        // A file that is no signed note at all is the caller's mistake (exit 2); one this ledger's operator did
        // not sign, or whose tree this ledger does not extend, is a verification failure (exit 1).
        auto key = ledger::parse_verifier_key((*ledger)->info().verifier_key);
        if (!key) return fail(key.error());
        if (auto opened = ledger::open_checkpoint(*text, *key); !opened && opened.error().kind == ErrorKind::bad_input)
          return fail(bad_input(args->checkpoint + ": " + opened.error().message));
        o.checkpoint = *text;
      }
      if (!args->json) o.progress = progress_printer("verify");
      ledger::VerifyReport report = (*ledger)->verify(o, **admission);
      print_report(report, args->json, args->dir);
      return report.ok ? kOk : kCheckFailed;
    };
  });
}

}  // namespace antq::cli
