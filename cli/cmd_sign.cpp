// antq sign: sign an act (or add the organisation's signature to a signed event).
#include <iostream>
#include <optional>
#include <utility>

#include "cli/common.hpp"
#include "cli/signer.hpp"

namespace antq::cli {

void add_sign(CLI::App& app, Action& run) {
  struct Args {
    std::string act, key, cert, role, signed_in, out, signing_time;
    bool pkcs1 = false, dry_run = false, json = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("sign", N_("Sign an act: write a signed event for `antq append`"));
  cmd->footer(
      "An official decision carries two signatures (Decree 30/2020): the competent person's, then the issuing\n"
      "organisation's, applied by the office clerk. So:\n"
      "  antq sign act.json --key chair.key --cert chair.crt --role person -o act.signed\n"
      "  antq sign --signed act.signed --key org.key --cert org.crt --role organisation -o act.signed\n"
      "The organisation's signing time must not be earlier than the person's (refused [signature] otherwise).\n"
      "The signature is CMS (CAdES-BES, with signingCertificateV2) over the canonical bytes of the act; RSA keys\n"
      "sign with RSASSA-PSS unless --pkcs1 is given. Attachments given by `path` (relative to the act's file) are\n"
      "hashed into the act and carried to the ledger with the signed event: each must be a regular file of at\n"
      "most 64 MiB, and a file holding a private key (PEM, PKCS#8, PKCS#12) is refused. See first what will be\n"
      "attached, and sign nothing:\n"
      "  antq sign act.json --dry-run\n"
      "The limits of every field of an act are in docs/act-limits.md.\n"
      "An encrypted key's (or .p12 file's) passphrase is read from ANTQ_KEY_PASSPHRASE, else asked for.\n"
      "A key on a USB token or smart card is named by its PKCS#11 URI; the PIN is read from ANTQ_PKCS11_PIN,\n"
      "else asked for; p11-kit finds the token's module (or set ANTQ_PKCS11_MODULE to the module's .so):\n"
      "  antq sign act.json --key 'pkcs11:token=Chair;object=sign' --cert chair.crt --role person -o act.signed\n"
      "List a token's keys with `pkcs11-tool --list-objects --type privkey`.");
  cmd->add_option("ACT", args->act, "The act as JSON (acts.md); not needed with --signed");
  // Required unless --dry-run (checked below: CLI11's required() cannot depend on another flag).
  cmd->add_option("--key", args->key, "Private key: a PEM or PKCS#12 (.p12) file, or a key on a token by PKCS#11 URI (pkcs11:token=...;object=...)");
  cmd->add_option("--cert", args->cert, "Signer certificate (PEM, DER or the .p12 of --key; further certificates in the file travel along)");
  cmd->add_option("--role", args->role, "person | organisation")->check(CLI::IsMember({"person", "organisation"}));
  cmd->add_option("--signed", args->signed_in, "A signed event to add this signature to");
  cmd->add_option("-o,--out", args->out, "Where to write the signed event");
  cmd->add_flag("--dry-run", args->dry_run,
                "List the attachments (item, path, size, SHA-256) that would be signed; sign and write nothing");
  cmd->add_flag("--json", args->json,
                "JSON: dry_run, act, subject, and with --dry-run attachments[], else role (the signature added), "
                "out, signatures (how many the signed event holds)");
  cmd->add_flag("--pkcs1", args->pkcs1, "RSA keys: sign with PKCS#1 v1.5 instead of RSASSA-PSS (the default)");
  cmd->add_option("--signing-time", args->signing_time, "Signing time to state (ISO 8601; default: now)");
  cmd->callback([args, &run] {
    run = [args]() -> int {
      if (!args->dry_run)
        for (const auto& [value, option] : {std::pair{&args->key, "--key"}, std::pair{&args->cert, "--cert"},
                                            std::pair{&args->role, "--role"}, std::pair{&args->out, "--out"}})
          if (value->empty()) return fail(bad_input(i18n::Text("sign: {} is required (see antq sign --help)", option)));
      ledger::Submission submission;
      if (!args->signed_in.empty()) {
        auto s = read_submission(args->signed_in);
        if (!s) return fail(s.error());
        submission = std::move(*s);
        std::optional<ledger::ActInput> act;
        if (!args->act.empty()) {
          auto read = read_act(args->act);
          if (!read) return fail(read.error());
          if (ledger::encode_body(read->act) != submission.event.body)
            return fail(bad_input(i18n::Text("{} is not the act signed in {}", args->act, args->signed_in)));
          act = std::move(*read);
        }
        if (args->dry_run) {
          if (act) {
            print_attachments(act->act, act->attachment_sources, args->json);
            return kOk;
          }
          auto signed_act = ledger::decode_body(submission.event.body);
          if (!signed_act) return fail(bad_input(i18n::Text("{}: {}", args->signed_in, text_of(signed_act.error()))));
          print_attachments(*signed_act, {}, args->json);
          return kOk;
        }
      } else {
        if (args->act.empty())
          return fail(bad_input(i18n::Text("sign: give ACT.json, or --signed IN to add a signature")));
        auto act = read_act(args->act);
        if (!act) return fail(act.error());
        if (args->dry_run) {
          if (auto s = ledger::check_document_date(act->act, signing::now(), N_("signing")); !s) return fail(s.error());
          attach_builtin_profile(*act);
          print_attachments(act->act, act->attachment_sources, args->json);
          return kOk;
        }
        submission = unsigned_submission(std::move(*act));
      }
      signing::SignOptions options;
      if (args->pkcs1) options.rsa_padding = signing::RsaPadding::pkcs1;
      if (!args->signing_time.empty()) {
        auto t = signing::parse_time(args->signing_time);
        if (!t) return fail(bad_input(i18n::Text("--signing-time: not an ISO 8601 time: {}", args->signing_time)));
        options.signing_time = *t;
      }
      auto role = args->role == "person" ? ledger::Role::person : ledger::Role::organisation;
      if (auto s = add_signature(submission, role, {args->key, args->cert}, options); !s) return fail(s.error());
      if (auto s = write_submission(args->out, submission); !s) return fail(s.error());
      if (args->json) {
        auto signed_act = ledger::decode_body(submission.event.body);
        if (!signed_act) return fail(signed_act.error());
        print_json({{"dry_run", false},
                    {"act", signed_act->act},
                    {"subject", signed_act->subject},
                    {"role", args->role},
                    {"out", args->out},
                    {"signatures", submission.event.signatures.size()}});
        return kOk;
      }
      std::cout << i18n::trf(i18n::process_lang(), "signed ({}) -> {}", args->role, args->out) << "\n";
      return kOk;
    };
  });
}

}  // namespace antq::cli
