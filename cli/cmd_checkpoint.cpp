// antq checkpoint: the ledger's latest signed checkpoint.
#include <algorithm>
#include <iostream>

#include "cli/common.hpp"
#include "cli/display.hpp"
#include "cli/queries.hpp"
#include "ledger/checkpoint.hpp"
#include "ledger/ledger.hpp"

namespace antq::cli {

Result<std::string> queries::checkpoint(const ledger::Ledger& ledger) {
  // Printed byte for byte (a note must stay exactly as signed), so one that a terminal would act on, which only
  // a damaged or altered store can hold, is not printed at all.
  std::string note = ledger.checkpoint();
  std::string text = note;  // line ends and backslashes as spaces: visible() would escape them, rightly here
  std::replace_if(text.begin(), text.end(), [](char c) { return c == '\n' || c == '\\'; }, ' ');
  if (visible(text) != text)
    return corruption(i18n::Text(
        "the stored checkpoint holds characters a terminal would act on: the store was altered; run antq verify"));
  return note;
}

void add_checkpoint(CLI::App& app, Action& run) {
  struct Args {
    std::string dir;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd =
      app.add_subcommand("checkpoint", N_("Print the signed checkpoint of the current tree (C2SP signed note)"));
  cmd->footer(
      "Keep it: later, `antq verify DIR --checkpoint FILE` proves the ledger still extends it. Any C2SP\n"
      "tlog-checkpoint tool reads it with DIR/operator.vkey.");
  cmd->add_option("DIR", args->dir, "The ledger")->required();
  cmd->add_flag("--json", args->json,
                "JSON: origin, size, root (hex), note (the signed note, byte for byte), verifier_key (operator.vkey); "
                "the fields are those the note signs, read back with the ledger's own key");
  cmd->callback([args, &run] {
    run = [args]() -> int {
      auto ledger = ledger::Ledger::open(args->dir);
      if (!ledger) return fail(ledger.error());
      auto note = queries::checkpoint(**ledger);
      if (!note) return fail(note.error());
      if (!args->json) {
        std::cout << *note;
        return kOk;
      }
      const std::string& vkey = (*ledger)->info().verifier_key;
      auto key = ledger::parse_verifier_key(vkey);
      if (!key) return fail(key.error());
      auto opened = ledger::open_checkpoint(*note, *key);
      if (!opened) return fail(opened.error());
      print_json({{"origin", opened->origin},
                  {"size", opened->size},
                  {"root", to_hex(opened->root)},
                  {"note", *note},
                  {"verifier_key", vkey}});
      return kOk;
    };
  });
}

}  // namespace antq::cli
