// antq checkpoint: the ledger's latest signed checkpoint.
#include <iostream>

#include "cli/common.hpp"
#include "ledger/ledger.hpp"

namespace antq::cli {

void add_checkpoint(CLI::App& app, Action& run) {
  auto dir = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("checkpoint", "Print the signed checkpoint of the current tree (C2SP signed note)");
  cmd->footer(
      "Keep it: later, `antq verify DIR --checkpoint FILE` proves the ledger still extends it. Any C2SP\n"
      "tlog-checkpoint tool reads it with DIR/operator.vkey.");
  cmd->add_option("DIR", *dir, "The ledger")->required();
  cmd->callback([dir, &run] {
    run = [dir]() -> int {
      auto ledger = ledger::Ledger::open(*dir);
      if (!ledger) return fail(ledger.error());
      std::cout << (*ledger)->checkpoint();
      return kOk;
    };
  });
}

}  // namespace antq::cli
