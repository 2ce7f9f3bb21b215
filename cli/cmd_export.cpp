// antq export / antq verify-bundle.
#include <iostream>

#include "cli/common.hpp"
#include "cli/report.hpp"
#include "ledger/bundle.hpp"

namespace antq::cli {

void add_export(CLI::App& app, Action& run) {
  struct Args {
    std::string dir, out, subject;
    bool explode = false, json = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("export", "Write a self-contained bundle for offline verification");
  cmd->footer(
      "The bundle holds the checkpoint, the verifier key, the entries, certificates, attachments, trust anchors,\n"
      "the schema and FORMAT.md, and a README.txt telling how to check each part with stock tools.\n"
      "--explode also writes acts/<seq>.body and acts/<seq>.<role>.p7s, which `openssl cms -verify` accepts.\n"
      "Example:\n  antq export ./ledger ./bundle --explode && antq verify-bundle ./bundle");
  cmd->add_option("DIR", args->dir, "The ledger")->required();
  cmd->add_option("OUT", args->out, "Bundle directory (created; must not exist or be empty)")->required();
  cmd->add_flag("--explode", args->explode, "Also write every signed body and CMS signature as files");
  cmd->add_option("--subject", args->subject, "Only this subject (and its points ID/...), with inclusion proofs");
  cmd->callback([args, &run] {
    run = [args]() -> int {
      auto ledger = ledger::Ledger::open(args->dir);
      if (!ledger) return fail(ledger.error());
      ledger::ExportOptions o;
      o.explode = args->explode;
      if (!args->subject.empty()) o.subject = args->subject;
      o.progress = progress_printer("export");
      auto summary = ledger::export_bundle(**ledger, args->out, o);
      if (!summary) return fail(summary.error());
      std::cout << fmt::format("exported {} entries (tree size {}), {} certificates, {} attachments to {}\n",
                               summary->entries, summary->size, summary->certificates, summary->attachments, args->out);
      return kOk;
    };
  });

  auto* vb = app.add_subcommand("verify-bundle", "Verify a bundle written by `antq export`");
  vb->add_option("OUT", args->out, "Bundle directory")->required();
  vb->add_flag("--json", args->json, "JSON: ok, entries, root, signatures, failures[] (seq, reason)");
  vb->callback([args, &run] {
    run = [args]() -> int {
      auto report = ledger::verify_bundle(args->out, args->json ? ledger::Progress{} : progress_printer("verify-bundle"));
      if (!report) return fail(report.error());
      print_report(*report, args->json, args->out);
      return report->ok ? kOk : kCheckFailed;
    };
  });
}

}  // namespace antq::cli
