// antq init: a new ledger.
#include <iostream>

#include "cli/common.hpp"
#include "ledger/ledger.hpp"
#include "projections/admission.hpp"
#include "projections/profile.hpp"

namespace antq::cli {

void add_init(CLI::App& app, Action& run) {
  struct Args {
    std::string dir, profile, trust, admin, chain, operator_key, origin;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("init", "Create a new, empty ledger");
  cmd->footer(
      "The trust store (--trust) holds the root certificates that every signature must chain to, at its signing\n"
      "time. --admin names the certificate that signs registry acts (authority.bound binds signers to units).\n"
      "The operator key signs checkpoints; its verifier key is written to DIR/operator.vkey for auditors.\n\n"
      "Example:\n  antq init ./ledger --profile hoa-binh-2023 --trust roots.pem --admin admin.crt");
  cmd->add_option("DIR", args->dir, "Directory for the new ledger (created; must be empty)")->required();
  std::string profiles;
  for (const auto& id : projections::known_profiles()) profiles += (profiles.empty() ? "" : ", ") + id;
  cmd->add_option("--profile", args->profile, "Rule profile (" + profiles + "; projections/profiles/)")->required();
  cmd->add_option("--trust", args->trust, "PEM file of trusted root certificates")->required();
  cmd->add_option("--admin", args->admin, "Certificate (PEM or DER) of the ledger's administrator")->required();
  cmd->add_option("--chain", args->chain, "PEM file of intermediate certificates");
  cmd->add_option("--operator-key", args->operator_key, "Ed25519 PEM key for checkpoints (default: a new one)");
  cmd->add_option("--origin", args->origin, "Checkpoint origin line (default: antq-ledger/<DIR name>)");
  cmd->callback([args, &run] {
    run = [args]() -> int {
      if (auto p = projections::make_admission(args->profile); !p) return fail(p.error());
      ledger::InitOptions o;
      o.dir = args->dir;
      o.profile = args->profile;
      // The profile's file is stored in the ledger: it is judged by these rules even after this program changes.
      std::string_view text = projections::builtin_profile_text(args->profile);
      o.profile_document.assign(text.begin(), text.end());
      o.origin = args->origin;
      auto roots = signing::read_certificates(args->trust);
      if (!roots) return fail(roots.error());
      o.roots = std::move(*roots);
      if (!args->chain.empty()) {
        auto chain = signing::read_certificates(args->chain);
        if (!chain) return fail(chain.error());
        o.intermediates = std::move(*chain);
      }
      auto admin = signing::read_certificates(args->admin);
      if (!admin) return fail(admin.error());
      o.administrator = admin->front();
      if (!args->operator_key.empty()) o.operator_key = args->operator_key;
      auto vkey = ledger::Ledger::init(o);
      if (!vkey) return fail(vkey.error());
      std::cout << "created ledger " << args->dir << " (profile " << args->profile << ")\n"
                << "operator verifier key (also in " << args->dir << "/operator.vkey):\n"
                << *vkey << "\n";
      return kOk;
    };
  });
}

}  // namespace antq::cli
