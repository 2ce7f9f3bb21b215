// antq init: a new ledger.
#include <iostream>

#include "cli/common.hpp"
#include "cli/display.hpp"
#include "cli/operator_key.hpp"
#include "ledger/ledger.hpp"
#include "projections/admission.hpp"
#include "projections/profile.hpp"

namespace antq::cli {

void add_init(CLI::App& app, Action& run) {
  struct Args {
    std::string dir, profile, trust, admin, chain, operator_key, origin;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("init", N_("Create a new, empty ledger"));
  cmd->footer(
      "The trust store (--trust) holds the root certificates that every signature must chain to, at its signing\n"
      "time. --admin names the certificate that signs registry acts (authority.bound binds signers to units).\n"
      "The operator's key signs checkpoints; its verifier key is written to DIR/operator.vkey for auditors. The\n"
      "key itself is never in DIR (copies, backups and bundles of the ledger must not let anybody sign as the\n"
      "operator): a new key is written, encrypted (PKCS#8, AES-256, PBKDF2), to --operator-key FILE, else to the\n"
      "file ANTQ_OPERATOR_KEY names, else to ${XDG_CONFIG_HOME:-$HOME/.config}/antq/operator-keys/ORIGIN.pem\n"
      "(each '/' of the origin as '_'; directory 0700, file 0600). Its passphrase comes from\n"
      "ANTQ_OPERATOR_PASSPHRASE, else it is asked for twice. An existing key file named by --operator-key or\n"
      "ANTQ_OPERATOR_KEY is used as it is. Keep a copy of the key apart from the ledger's backups. The commands\n"
      "that append (append, record, trust) look for the key in the same three places.\n"
      "On a token instead (the key never leaves it): make an Ed25519 key there, on a token of its own, and give\n"
      "its PKCS#11 URI (PIN from ANTQ_OPERATOR_PIN, else asked for), here and to every command that appends:\n"
      "  pkcs11-tool --login --keypairgen --key-type EC:edwards25519 --label operator --id 01 --token-label Operator\n"
      "  antq init ./ledger ... --operator-key 'pkcs11:token=Operator;object=operator;type=private'\n"
      "A ledger made by an older version holds its key in DIR/operator.key, unencrypted: move it out with\n"
      "  openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -iter 600000 -in DIR/operator.key -out KEY.pem\n"
      "then check `ANTQ_OPERATOR_KEY=KEY.pem antq append ...` works and delete DIR/operator.key (README).\n\n"
      "Example:\n  antq init ./ledger --profile hoa-binh-2023 --trust roots.pem --admin admin.crt");
  cmd->add_option("DIR", args->dir, "Directory for the new ledger (created; must be empty)")->required();
  std::string profiles;
  for (const auto& id : projections::known_profiles()) profiles += (profiles.empty() ? "" : ", ") + id;
  cmd->add_option("--profile", args->profile, "Rule profile (" + profiles + "; projections/profiles/)")->required();
  cmd->add_option("--trust", args->trust, "PEM file of trusted root certificates")->required();
  cmd->add_option("--admin", args->admin, "Certificate (PEM or DER) of the ledger's administrator")->required();
  cmd->add_option("--chain", args->chain, "PEM file of intermediate certificates");
  cmd->add_option("--operator-key", args->operator_key,
                  "Where the operator's key is kept, outside DIR: a new key is written to a FILE that does not "
                  "exist; an existing Ed25519 PEM key, or a key on a token by PKCS#11 URI, is used");
  cmd->add_option("--origin", args->origin, "Checkpoint origin line (default: antq-ledger/<DIR name>)");
  cmd->add_flag("--json", args->json,
                "JSON: dir, profile, origin, verifier_key (operator.vkey), operator_key (where it is kept), "
                "operator_key_created, operator_key_on_token");
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
      auto key = new_ledger_key(o.dir, o.origin.empty() ? ledger::default_origin(o.dir) : o.origin,
                                args->operator_key);
      if (!key) return fail(key.error());
      o.operator_key = key->key;
      o.before_writing = [&key] { return key->write(); };
      auto vkey = ledger::Ledger::init(o);
      if (!vkey) {
        key->discard();
        return fail(vkey.error());
      }
      if (!key->created) warn_if_unencrypted(*key->key, key->where);
      const bool on_token = key->key->storage() == signing::Ed25519Key::Storage::token;
      if (args->json) {
        print_json({{"dir", args->dir},
                    {"profile", args->profile},
                    {"origin", o.origin.empty() ? ledger::default_origin(o.dir) : o.origin},
                    {"verifier_key", *vkey},
                    {"operator_key", key->where},  // JSON escapes it; visible() would escape it twice
                    {"operator_key_created", key->created},
                    {"operator_key_on_token", on_token}});
        return kOk;
      }
      const i18n::Lang lang = i18n::process_lang();
      std::cout << i18n::trf(lang, "created ledger {} (profile {})", args->dir, args->profile) << "\n"
                << i18n::trf(lang, "operator key: {}{} -- not part of the ledger: backups of {} do not include it{}",
                             visible(key->where),
                             key->created ? i18n::tr(lang, " (new, encrypted)")
                             : on_token   ? i18n::tr(lang, " (on the token)")
                                          : "",
                             args->dir, on_token ? "" : i18n::tr(lang, "; keep a copy apart"))
                << "\n"
                << i18n::trf(lang, "operator verifier key (also in {}/operator.vkey):", args->dir) << "\n"
                << *vkey << "\n";
      return kOk;
    };
  });
}

}  // namespace antq::cli
