// antq export / antq verify-bundle.
#include <iostream>

#include "cli/common.hpp"
#include "cli/operator_key.hpp"
#include "cli/report.hpp"
#include "ledger/bundle.hpp"
#include "ledger/tiles.hpp"

namespace antq::cli {

void add_export(CLI::App& app, Action& run) {
  struct Args {
    std::string dir, out, subject, operator_key, checkpoint, trust;
    bool explode = false, tiles = false, json = false, self_consistent_only = false, whole = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("export", N_("Write a self-contained bundle for offline verification"));
  cmd->footer(
      "The bundle holds the checkpoint, the verifier key, the entries, certificates, attachments, trust anchors,\n"
      "the schema and FORMAT.md, and a README.txt telling how to check each part with stock tools.\n"
      "--explode also writes acts/<seq>.body and acts/<seq>.<role>.p7s, which `openssl cms -verify` accepts.\n"
      "OUT must not exist: export creates it (mode 0755) and every file in it, never following a symlink; a failed\n"
      "export removes what it created.\n"
      "--tiles writes the whole log instead as C2SP tlog-tiles static files (checkpoint, tile/<L>/<N>[.p/<W>],\n"
      "tile/entries/<N>[.p/<W>]) with the certificates, documents and anchors a mirror needs (FORMAT.md §13):\n"
      "any static web server serves OUT, and `antq mirror URL COPY` keeps a verifiable copy of it.\n"
      "Example:\n  antq export ./ledger ./bundle --explode\n"
      "  antq export ./ledger ./site --tiles && python3 -m http.server -d ./site 8080\n"
      "  antq verify-bundle ./bundle --operator-key ./ledger/operator.vkey --trust roots.pem");
  cmd->add_option("DIR", args->dir, "The ledger")->required();
  cmd->add_option("OUT", args->out, "Bundle directory (created; must not exist)")->required();
  cmd->add_flag("--explode", args->explode, "Also write every signed body and CMS signature as files");
  auto* subject = cmd->add_option(
      "--subject", args->subject,
      "Only this subject (and its points ID/...) and the records acts naming them, with inclusion proofs");
  cmd->add_flag("--tiles", args->tiles, "Write the log as C2SP tlog-tiles static files instead of a bundle")
      ->excludes(subject)
      ->excludes("--explode");
  cmd->add_flag("--json", args->json,
                "JSON: out, format (bundle or tiles), size (the tree), and for a bundle entries, certificates, "
                "attachments; for --tiles tiles, bundles, long_bundles, certificates, attachments");
  cmd->callback([args, &run] {
    run = [args]() -> int {
      auto ledger = ledger::Ledger::open(args->dir);
      if (!ledger) return fail(ledger.error());
      if (args->tiles) {
        auto summary = ledger::tiles::export_tiles(**ledger, args->out, progress_printer("export"));
        if (!summary) return fail(summary.error());
        if (args->json) {
          print_json({{"out", args->out},
                      {"format", "tiles"},
                      {"size", summary->size},
                      {"tiles", summary->tiles},
                      {"bundles", summary->bundles},
                      {"long_bundles", summary->long_bundles},
                      {"certificates", summary->certificates},
                      {"attachments", summary->attachments}});
          return kOk;
        }
        std::cout << i18n::trf(i18n::process_lang(),
                               "exported tree size {} as tiles: {} hash tiles, {} entry bundles ({} with entries "
                               "over 65535 bytes, under antq/entries/), {} certificates, {} attachments to {}",
                               summary->size, summary->tiles, summary->bundles, summary->long_bundles,
                               summary->certificates, summary->attachments, args->out)
                  << "\n";
        return kOk;
      }
      ledger::ExportOptions o;
      o.explode = args->explode;
      if (!args->subject.empty()) o.subject = args->subject;
      o.progress = progress_printer("export");
      auto summary = ledger::export_bundle(**ledger, args->out, o);
      if (!summary) return fail(summary.error());
      if (args->json) {
        print_json({{"out", args->out},
                    {"format", "bundle"},
                    {"size", summary->size},
                    {"entries", summary->entries},
                    {"certificates", summary->certificates},
                    {"attachments", summary->attachments}});
        return kOk;
      }
      std::cout << i18n::trf(i18n::process_lang(),
                             "exported {} entries (tree size {}), {} certificates, {} attachments to {}",
                             summary->entries, summary->size, summary->certificates, summary->attachments, args->out)
                << "\n";
      return kOk;
    };
  });

  auto* vb =
      app.add_subcommand("verify-bundle", N_("Verify a bundle written by `antq export`, against your own anchors"));
  vb->footer(
      "Anchor the check outside the bundle: whoever made a bundle also wrote its operator.vkey and trust.pem.\n"
      "  --operator-key FILE  the operator's verifier key as the operator gave it to you (antq init prints it);\n"
      "                       the bundle's checkpoint must verify with it and its operator.vkey must be the same key\n"
      "  --checkpoint FILE    a checkpoint of the log you kept earlier: the bundle's key must have signed it and\n"
      "                       the bundle's tree must extend it (a --subject bundle: only at the same size)\n"
      "  --trust ROOTS.pem    the root certificates every signature must chain to (the bundle's trust.pem is\n"
      "                       then compared, not used)\n"
      "Without an operator anchor (--operator-key or --checkpoint) and --trust, every internal check still runs,\n"
      "then one line says that only the bundle's consistency with itself was checked, and the exit code is 1\n"
      "(0 with --self-consistent-only). Every file of the bundle is listed as checked, or as unchecked with why.\n"
      "Exit 0: verified (or self-consistent, when accepted). Exit 1: a check failed, or not anchored. Exit 2: bad\n"
      "input (not a bundle directory, an anchor file that is not what it should be).\n"
      "Example:\n  antq verify-bundle ./bundle --operator-key operator.vkey --trust roots.pem --json");
  vb->add_option("OUT", args->out, "Bundle directory")->required();
  vb->add_option("--operator-key", args->operator_key, "The operator's C2SP verifier key (file), your own copy");
  vb->add_option("--checkpoint", args->checkpoint, "A checkpoint note of the log kept earlier (file)");
  vb->add_option("--trust", args->trust, "PEM file of the root certificates you trust");
  vb->add_flag("--self-consistent-only", args->self_consistent_only,
               "Exit 0 when the bundle is consistent with itself, though not anchored (the output says so)");
  vb->add_flag("--whole", args->whole,
               "Fail (exit 1) unless the bundle holds the whole log: a --subject bundle proves its entries are in the "
               "log, not that nothing was left out (for a backup or a mirror's copy)");
  vb->add_flag("--json", args->json,
               "JSON: ok (the exit code is 0), consistent (no check failed but --whole), anchored, anchors,\n"
               "self_consistent_only, not_anchored, subject (a --subject bundle's; null: the whole log),\n"
               "tree_size (the checkpoint's), entries, root, signatures, checkpoints, attachments,\n"
               "failures[] (seq, reason), files[] (path, status: checked|unchecked|failed, reason)");
  vb->callback([args, &run] {
    run = [args]() -> int {
      ledger::BundleAnchors anchors;
      if (!args->operator_key.empty()) {
        auto key = read_verifier_key(args->operator_key);
        if (!key) return fail(key.error());
        anchors.operator_key = std::move(*key);
      }
      if (!args->checkpoint.empty()) {
        auto text = read_text(args->checkpoint, kMaxCheckpointBytes, N_("checkpoint file"));
        if (!text) return fail(text.error());
        anchors.checkpoint = std::move(*text);
      }
      if (!args->trust.empty()) {
        auto roots = signing::read_certificates(args->trust);
        if (!roots) return fail(bad_input(i18n::Text("--trust: {}", text_of(roots.error()))));
        anchors.trust = std::move(*roots);
      }
      auto report = ledger::verify_bundle(args->out, anchors,
                                          args->json ? ledger::Progress{} : progress_printer("verify-bundle"));
      if (!report) return fail(report.error());
      if (args->whole && !report->whole_log) {
        const auto said = i18n::Text("proofs.json: a --subject bundle (of {}), not the whole log (--whole)",
                                     report->subject.value_or("?"));
        report->verify.ok = false;
        report->whole_refused = true;
        report->verify.failures.insert(report->verify.failures.begin(), {std::nullopt, said.str(), said});
      }
      print_bundle_report(*report, anchors, args->self_consistent_only, args->json, args->out);
      return bundle_exit_code(*report, args->self_consistent_only);
    };
  });
}

}  // namespace antq::cli
