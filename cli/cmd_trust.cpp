// antq trust: changes of the ledger's trust store beyond what `antq init` set — certificate revocation lists and
// time-stamp authorities — each an administrator-signed entry of the log (trust.crl-added, trust.tsa-added).
#include <iostream>

#include <fmt/format.h>

#include "cli/common.hpp"
#include "cli/display.hpp"
#include "cli/operator_key.hpp"
#include "cli/signer.hpp"
#include "ledger/ledger.hpp"
#include "projections/admission.hpp"

namespace antq::cli {
namespace {

struct TrustArgs {
  std::string dir, file, admin, date, number, name, operator_key;
  bool json = false;
};

// Signs `act` (subject "ledger", the file attached) as the administrator and appends it; the new seq.
Result<std::uint64_t> record_trust_act(const TrustArgs& args, std::string_view kind, Bytes content, std::string item,
                                       std::string media_type, nlohmann::json data) {
  auto admin = parse_signer(args.admin);
  if (!admin) return std::unexpected(admin.error());
  // The operator's key first: without it nothing is signed.
  auto ledger = open_for_append(args.dir, args.operator_key);
  if (!ledger) return std::unexpected(ledger.error());
  nlohmann::json act{{"act", kind},
                     {"subject", ledger::kLedgerSubject},
                     {"date", args.date.empty() ? vietnam_today() : args.date},
                     {"attachments", {{{"item", item}, {"media_type", media_type}, {"sha256", to_hex(sha256(content))},
                                       {"size", content.size()}}}},
                     {"data", std::move(data)}};
  if (!args.number.empty()) act["document"] = {{"number", args.number}};
  // Validated (and its text normalised) as any act written as JSON.
  auto input = ledger::act_from_json(act, "antq trust", ".");
  if (!input) return std::unexpected(input.error());
  input->attachment_contents.push_back(std::move(content));
  ledger::Submission submission = unsigned_submission(std::move(*input));
  submission.label = args.file;
  if (auto s = add_signature(submission, ledger::Role::person, *admin); !s) return std::unexpected(s.error());
  auto admission = projections::make_admission(**ledger);
  if (!admission) return std::unexpected(admission.error());
  auto seqs = (*ledger)->append({std::move(submission)}, **admission);
  if (!seqs) return std::unexpected(seqs.error());
  return seqs->front();
}

CLI::App* add_trust_file(CLI::App* cmd, TrustArgs& args, const char* file_help) {
  cmd->add_option("DIR", args.dir, "The ledger")->required();
  cmd->add_option("FILE", args.file, file_help)->required();
  cmd->add_option("--admin", args.admin,
                  "KEY:CERT of the ledger's administrator, who signs the entry (KEY may be a PKCS#11 URI)")
      ->required();
  cmd->add_option("--date", args.date, "Date of the decision to trust it (YYYY-MM-DD; default: today)");
  cmd->add_option("--number", args.number, "Number and symbol of the document deciding it, if there is one");
  cmd->add_option("--operator-key", args.operator_key,
                  "The operator's key, a file or a PKCS#11 URI (else ANTQ_OPERATOR_KEY, else the default file: "
                  "antq append --help)");
  return cmd;
}

}  // namespace

void add_trust(CLI::App& app, Action& run) {
  auto* trust = app.add_subcommand("trust", N_("The trust store: add revocation lists and time-stamp authorities"));
  trust->require_subcommand(1);
  auto args = std::make_shared<TrustArgs>();

  auto* crl = add_trust_file(trust->add_subcommand("add-crl", N_("Add a CRL (DER or PEM) of a CA the ledger trusts")),
                             *args, N_("The CRL file (DER or PEM \"X509 CRL\")"));
  crl->footer(
      "The CRL becomes an entry of the log (act trust.crl-added, the CRL attached), signed by the administrator:\n"
      "the tree's root and size change, and `verify` knows from which entry on it counted. Its signature is checked\n"
      "against its issuer, a trusted root or a known intermediate. From then on `append` refuses any signature by a\n"
      "certificate of a chain it revokes (whatever signing time the signature claims), and `verify` reports any\n"
      "signature made after a revocation it lists; a signature made before the revocation stays valid. Example:\n"
      "  antq trust add-crl ./ledger province-ca.crl --admin admin.key:admin.crt");
  crl->add_flag("--json", args->json, "JSON: seq, issuer, this_update, next_update, revoked, sha256");
  crl->callback([args, &run] {
    run = [args]() -> int {
      auto der = signing::read_crl(args->file);
      if (!der) return fail(der.error());
      // What the CRL says, checked against the trust store as it stands (append checks it again).
      auto ledger = ledger::Ledger::open(args->dir);
      if (!ledger) return fail(ledger.error());
      signing::Verifier verifier = (*ledger)->make_verifier();
      auto info = verifier.add_crl(*der);
      if (!info) return fail(bad_input(i18n::Text("{}: {}", args->file, text_of(info.error()))));
      const Digest digest = sha256(*der);
      ledger->reset();
      auto seq = record_trust_act(*args, ledger::kCrlAdded, *der, "crl", "application/pkix-crl", nlohmann::json::object());
      if (!seq) return fail(seq.error());
      const auto& i = *info;
      std::string next = i.next_update ? signing::format_vietnam_time(*i.next_update) : "";
      if (args->json) {
        print_json({{"seq", *seq},
                    {"issuer", i.issuer},
                    {"this_update", signing::format_vietnam_time(i.this_update)},
                    {"next_update", i.next_update ? nlohmann::json(next) : nlohmann::json(nullptr)},
                    {"revoked", i.revoked},
                    {"sha256", to_hex(digest)}});
        return kOk;
      }
      const i18n::Lang lang = i18n::process_lang();
      const std::string update = next.empty() ? std::string() : i18n::trf(lang, ", next update {}", next);
      std::cout << (i.revoked == 1
                        ? i18n::trf(lang, "entry {}: the CRL of {}, issued {}{}, {} revoked certificate", *seq,
                                    visible(i.issuer), signing::format_vietnam_time(i.this_update), update, i.revoked)
                        : i18n::trf(lang, "entry {}: the CRL of {}, issued {}{}, {} revoked certificates", *seq,
                                    visible(i.issuer), signing::format_vietnam_time(i.this_update), update, i.revoked))
                << "\n";
      return kOk;
    };
  });

  auto* tsa = add_trust_file(
      trust->add_subcommand("add-tsa", N_("Trust a time-stamp authority (RFC 3161) for signatures' time-stamps")),
      *args, N_("The authority's certificate (PEM or DER): its TSA certificate, or the CA that issues it"));
  tsa->footer(
      "The certificate becomes an entry of the log (act trust.tsa-added), signed by the administrator. From then on\n"
      "a signature may carry a time-stamp token (unsigned attribute id-aa-signatureTimeStampToken; see `antq\n"
      "timestamp`) that verifies against it with OpenSSL's TS code: its time is then the signing time that counts,\n"
      "proven rather than claimed. Example:\n"
      "  antq trust add-tsa ./ledger tsa.crt --admin admin.key:admin.crt --name 'TSA of the Government CA'");
  tsa->add_option("--name", args->name, "The authority's name, for people");
  tsa->add_flag("--json", args->json, "JSON: seq, subject, sha256");
  tsa->callback([args, &run] {
    run = [args]() -> int {
      auto certs = signing::read_certificates(args->file);
      if (!certs) return fail(certs.error());
      if (certs->size() != 1) return fail(bad_input(i18n::Text("{}: give exactly one certificate", args->file)));
      auto info = signing::inspect_certificate(certs->front());
      if (!info) return fail(info.error());
      nlohmann::json data = nlohmann::json::object();
      if (!args->name.empty()) data["name"] = args->name;
      auto seq = record_trust_act(*args, ledger::kTimestampAuthorityAdded, certs->front(), "tsa",
                                  "application/pkix-cert", std::move(data));
      if (!seq) return fail(seq.error());
      if (args->json) {
        print_json({{"seq", *seq}, {"subject", info->subject}, {"sha256", to_hex(info->fingerprint)}});
        return kOk;
      }
      std::cout << i18n::trf(i18n::process_lang(), "entry {}: time-stamp authority {} ({})", *seq,
                             visible(info->subject), to_hex(info->fingerprint))
                << "\n";
      return kOk;
    };
  });
}

}  // namespace antq::cli
