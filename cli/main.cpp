// antq: the command-line program of antq-ledger. One file per command (cli/cmd_*.cpp).
#include <cstdio>
#include <exception>
#include <new>

#include "cli/common.hpp"
#include "cli/display.hpp"
#include "projections/i18n.hpp"

int main(int argc, char** argv) {
  using namespace antq::cli;
  CLI::App app{
      "antq-ledger: the signed, append-only record of models and exemplars of the all-people national-security\n"
      "movement. Every act is a digitally signed event; anybody can verify the log, its checkpoints and its\n"
      "signatures, with antq or with stock tools (openssl, capnp, sha256sum).\n\n"
      "Start with `antq demo` to see a small ledger built and verified.",
      "antq"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every command");
  // The language of messages (po/README.md): given anywhere on the line (fallthrough), before the command runs.
  app.fallthrough();
  app.add_option_function<std::string>(
         "--lang",
         [](const std::string& lang) { antq::i18n::set_process_lang(*antq::i18n::parse_lang(lang)); },
         "Messages in Vietnamese (vi) or English (en); default: from LANGUAGE, LC_ALL, LC_MESSAGES or LANG")
      ->check(CLI::IsMember({"vi", "en"}));
  Action run;
  add_init(app, run);
  add_sign(app, run);
  add_append(app, run);
  add_verify(app, run);
  add_backup(app, run);
  add_compact(app, run);
  add_rebuild(app, run);
  add_checkpoint(app, run);
  add_proof(app, run);
  add_export(app, run);
  add_show(app, run);
  add_history(app, run);
  add_dossier(app, run);
  add_diff(app, run);
  add_audit(app, run);
  add_units(app, run);
  add_profile(app, run);
  add_stats(app, run);
  add_report(app, run);
  add_reconcile(app, run);
  add_retention(app, run);
  add_handover(app, run);
  add_serve(app, run);
  add_access_log(app, run);
  add_mirror(app, run);
  add_trust(app, run);
  add_take_in(app, run);
  add_carry_over(app, run);
  add_timestamp(app, run);
  add_demo(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s (see antq --help)\n", visible(e.what()).c_str());
    return kBadInput;
  }
  // Bad input never reaches the catch below: each command turns what a library throws for its input (JSON, Cap'n
  // Proto) into one line where it reads it, and bounds what it reads (docs/act-limits.md). What is caught here is
  // a fault of this program, or the machine running out of memory.
  try {
    return run ? run() : kBadInput;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "out of memory\n");
    return kBadInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "internal error: %s\n", visible(e.what()).c_str());
    return kBadInput;
  }
}
