// antq verify: recheck the whole ledger from its bytes.
#include <iostream>
#include <set>

#include "cli/common.hpp"
#include "cli/display.hpp"
#include "cli/operator_key.hpp"
#include "cli/predecessor.hpp"
#include "cli/queries.hpp"
#include "cli/report.hpp"
#include "ledger/access_log.hpp"
#include "ledger/checkpoint.hpp"
#include "ledger/ledger.hpp"
#include "projections/admission.hpp"

namespace antq::cli {
namespace {

// What verify recorded of its outcome in DIR for `antq serve` (queries::last_verification): when DIR cannot be
// written (read-only media), stderr says so, and the verification's result stands.
void say_if_unrecorded(const Status& recorded) {
  if (!recorded) std::cerr << "verify: " << visible(recorded.error().message) << " (the result stands)\n";
}

}  // namespace

void add_verify(CLI::App& app, Action& run) {
  struct Args {
    std::string dir, checkpoint, operator_key, trust;
    unsigned jobs = 0;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("verify", N_("Recheck every entry, the tree, checkpoints and signatures"));
  cmd->footer(
      "Recomputes every leaf and the root, checks every checkpoint's signature and root, every CMS signature and\n"
      "certificate chain at its signing time, every attachment's digest, and replays the admission rules; and the\n"
      "service's access history (DIR/access/) when there is one: its records, tree and checkpoints; and each\n"
      "predecessor taken in (antq take-in) as a nested ledger: the recorded root, size and origin are the sealed\n"
      "part's, its final checkpoint is signed by the recorded key, and the part verifies under its own profile.\n"
      "Exit 0: all good. Exit 1: the first bad entry is named, with the reason. OpenSSL checks every signature.\n"
      "The ledger's own keys and roots are what it is checked against: a copy rewritten from scratch with new\n"
      "keys agrees with itself. To prove it is the ledger you know, anchor it with what you hold:\n"
      "  --checkpoint FILE    it extends a checkpoint you kept earlier (an older copy, or a fork, fails);\n"
      "  --operator-key FILE  its operator key is the one the operator gave you (operator.vkey);\n"
      "  --trust ROOTS.pem    it trusts exactly these roots (every signature chains to them).\n"
      "Example:\n  antq verify ./ledger --checkpoint kept.txt --trust roots.pem");
  cmd->add_option("DIR", args->dir, "The ledger")->required();
  cmd->add_option("--jobs", args->jobs, "Threads for signature checks (default: all cores)");
  cmd->add_option("--checkpoint", args->checkpoint, "A checkpoint note kept earlier (file)");
  cmd->add_option("--operator-key", args->operator_key, "The operator's verifier key as you hold it (file)");
  cmd->add_option("--trust", args->trust, "The roots you trust (PEM): the ledger's must be exactly these");
  cmd->add_flag("--json", args->json,
                "JSON: signature_details[] (every signature: seq, role, signer, issuer, signing_time, integrity,\n"
                "valid_at_signing_time, certificate_now, revocation_now), pdf_signature_details[], ok, entries, root,\n"
                "signatures, checkpoints, attachments, failures[] (seq, reason), access_log (records, checkpoints,\n"
                "root, ok; null without one), sealed_parts[] (prefix, origin, size, root, carried: the subjects\n"
                "carried over from it, ok: antq take-in)");
  cmd->callback([args, &run] {
    run = [args]() -> int {
      // The structure of all of data.mdb is checked as it opens: a damaged store is one line, exit 1.
      auto ledger = ledger::Ledger::open(args->dir, {.check_structure = true});
      if (!ledger) {
        if (ledger.error().kind == ErrorKind::corruption)
          say_if_unrecorded(queries::record_verification_failure(args->dir, ledger.error()));
        return fail(ledger.error());
      }
      auto admission = projections::make_admission(**ledger);
      if (!admission) return fail(admission.error());
      ledger::VerifyOptions o;
      o.jobs = args->jobs;
      if (!args->checkpoint.empty()) {
        auto text = read_text(args->checkpoint, kMaxCheckpointBytes, N_("checkpoint file"));
        if (!text) return fail(text.error());
        // A file that is no signed note at all is the caller's mistake (exit 2); one this ledger's operator did
        // not sign, or whose tree this ledger does not extend, is a verification failure (exit 1).
        auto key = ledger::parse_verifier_key((*ledger)->info().verifier_key);
        if (!key) return fail(key.error());
        if (auto opened = ledger::open_checkpoint(*text, *key); !opened && opened.error().kind == ErrorKind::bad_input)
          return fail(bad_input(i18n::Text("{}: {}", args->checkpoint, text_of(opened.error()))));
        o.checkpoint = *text;
      }
      if (!args->json) o.progress = progress_printer("verify");
      // Every signature is described as it verifies; with --json the list streams out (a large ledger has millions).
      SignatureDescriber describer(**ledger, signing::now());
      bool first = true;
      nlohmann::json pdf = nlohmann::json::array();
      if (args->json) std::cout << "{\n  \"signature_details\": [";
      o.on_signature = [&](std::uint64_t seq, ledger::Role role, const signing::VerifiedSignature& v) {
        if (!args->json) return describer.count(v);  // replay's thread: no JSON unless it is printed
        nlohmann::json d = describer.describe(v);
        d["seq"] = seq;
        d["role"] = ledger::role_name(role);
        std::cout << (first ? "\n    " : ",\n    ") << json_text(d);
        first = false;
      };
      o.on_pdf_signature = [&](const Digest& attachment, std::size_t index, const ledger::PdfSignatureRecord& r,
                               const signing::VerifiedSignature& v) {
        nlohmann::json d = describer.describe(v);
        d["attachment"] = to_hex(attachment);
        d["signature"] = index + 1;
        d["sub_filter"] = r.sub_filter;
        d["byte_range"] = r.byte_range;
        d["covers_whole_file"] = r.covers_whole_file;
        pdf.push_back(std::move(d));
      };
      ledger::VerifyReport report = (*ledger)->verify(o, **admission);
      // The anchors from outside: the ledger's own operator key and roots must be the ones the auditor holds.
      auto fail_anchor = [&](std::string reason) {
        report.ok = false;
        report.failures.push_back({std::nullopt, std::move(reason)});
      };
      if (!args->operator_key.empty()) {
        auto held = read_verifier_key(args->operator_key);
        if (!held) return fail(held.error());
        auto own = ledger::parse_verifier_key((*ledger)->info().verifier_key);
        if (!own || own->name != held->name || own->public_key != held->public_key)
          fail_anchor("the ledger's operator key (" + (*ledger)->info().verifier_key + ") is not the one in " +
                      args->operator_key + ": this is not the ledger that key signs for");
      }
      if (!args->trust.empty()) {
        auto roots = signing::read_certificates(args->trust);
        if (!roots) return fail(bad_input(i18n::Text("--trust: {}", text_of(roots.error()))));
        std::set<Digest> held, ledgers;
        for (const Bytes& r : *roots) held.insert(sha256(r));
        for (const Bytes& r : (*ledger)->trust_roots()) ledgers.insert(sha256(r));
        for (const Digest& d : ledgers)
          if (!held.contains(d)) fail_anchor("the ledger trusts root " + to_hex(d) + ", which " + args->trust + " lacks");
        for (const Digest& d : held)
          if (!ledgers.contains(d)) fail_anchor("root " + to_hex(d) + " of " + args->trust + " is not among the ledger's");
      }
      // The access history of the service (DIR/access/, FORMAT.md §12), when the ledger has one: its records, tree
      // and checkpoints, signed by this ledger's operator key (anchored with it when --operator-key is given).
      std::optional<ledger::AccessLogReport> access;
      if (ledger::AccessLog::exists(args->dir)) {
        access.emplace();
        auto log = ledger::AccessLog::open_reader(args->dir);
        auto key = ledger::parse_verifier_key((*ledger)->info().verifier_key);
        if (!log) access->failures.push_back("access log: " + log.error().message);
        else if (!key) access->failures.push_back("access log: the ledger's operator key: " + key.error().message);
        else access = (*log)->verify(*key);
        for (const std::string& f : access->failures) fail_anchor(f);
      }
      // Each predecessor taken in (antq take-in, FORMAT.md §14), checked as a nested ledger.
      const std::vector<PartReport> parts = verify_sealed_parts(**ledger);
      for (const auto& p : parts)
        for (const std::string& f : p.failures) fail_anchor(f);
      const bool anchored = !args->checkpoint.empty() || !args->operator_key.empty();
      say_if_unrecorded(queries::record_verification(args->dir, report));
      if (args->json) {
        nlohmann::json rest = report_json(report);
        rest["anchors"] = {{"checkpoint", !args->checkpoint.empty()},
                           {"operator_key", !args->operator_key.empty()},
                           {"trust", !args->trust.empty()}};
        rest["anchored"] = anchored && !args->trust.empty();
        rest["pdf_signature_details"] = std::move(pdf);
        nlohmann::json sealed = nlohmann::json::array();
        for (const auto& p : parts)
          sealed.push_back({{"prefix", p.prefix}, {"origin", p.part.origin}, {"size", p.part.size},
                            {"root", to_hex(p.part.root)}, {"carried", p.carried}, {"ok", p.ok()}});
        rest["sealed_parts"] = std::move(sealed);

        rest["access_log"] = access ? nlohmann::json{{"records", access->records},
                                                     {"checkpoints", access->checkpoints},
                                                     {"root", to_hex(access->root)},
                                                     {"ok", access->ok()}}
                                    : nlohmann::json(nullptr);
        std::string tail = json_text(rest, 2);  // "{\n  ...": continues the object opened above
        std::cout << (first ? "]," : "\n  ],") << tail.substr(1) << "\n";
        return report.ok ? kOk : kCheckFailed;
      }
      print_report(report, false, args->dir);
      // The lines after the summary, in the reader's language (field_label: the summary's columns).
      const i18n::Lang lang = i18n::process_lang();
      const auto label = [&](const i18n::Msg& word) { return field_label(lang, word); };
      if (access)
        std::cout << label(NC_("verify", "access log"))
                  << i18n::trf(lang, "{} records, {} checkpoints, root {}: {}", access->records, access->checkpoints,
                               to_hex(access->root),
                               access->ok() ? i18n::tr(lang, "verifies") : i18n::tr(lang, "FAILED"))
                  << "\n";
      for (const auto& p : parts)
        std::cout << label(NC_("verify", "sealed part"))
                  << i18n::trf(lang, "{}: {} ({} entries, root {}): {}{}", p.prefix, visible(p.part.origin),
                               p.part.size, to_hex(p.part.root),
                               p.ok() ? i18n::tr(lang, "verifies as a ledger under its own profile")
                                      : i18n::tr(lang, "FAILED"),
                               p.carried == 0
                                   ? std::string()
                                   : i18n::trf(lang, "; {} subject(s) carried over, each record the part's", p.carried))
                  << "\n";
      if (report.ok) {
        if (!pdf.empty())
          std::cout << label(NC_("verify", "signed PDFs"))
                    << i18n::trf(lang, "{} signature(s) inside signed PDF attachments verify", pdf.size()) << "\n";
        if (describer.without_signing_certificate_v2 > 0)
          std::cout << label(NC_("verify", "note"))
                    << i18n::trf(lang, "{} signature(s) without signingCertificateV2 (older CMS; still valid)",
                                 describer.without_signing_certificate_v2)
                    << "\n";
        if (describer.revoked_since_signing > 0)
          std::cout << label(NC_("verify", "note"))
                    << i18n::trf(lang, "{} signature(s) by certificates revoked after signing (still valid)",
                                 describer.revoked_since_signing)
                    << "\n";
        if (describer.expired_since_signing > 0)
          std::cout << label(NC_("verify", "note"))
                    << i18n::trf(lang, "{} signature(s) by certificates expired since (valid when made)",
                                 describer.expired_since_signing)
                    << "\n";
        std::cout << std::string(field_width(lang), ' ')
                  << i18n::tr(lang, "(verify --json lists every signature: signer, issuer, time, status now)") << "\n";
      }
      if (!anchored || args->trust.empty()) {
        const bool neither = !anchored && args->trust.empty();
        std::cout << label(NC_("verify", "not anchored"))
                  << (neither     ? i18n::tr(lang,
                                             "checked against the ledger's own operator key and roots: give "
                                                 "--checkpoint or --operator-key, and --trust to prove it is the ledger "
                                                 "you know (see --help)")
                      : !anchored ? i18n::tr(lang,
                                             "checked against the ledger's own operator key: give --checkpoint or "
                                             "--operator-key to prove it is the ledger you know (see --help)")
                                  : i18n::tr(lang,
                                             "checked against the ledger's own roots: give --trust to prove it is the "
                                             "ledger you know (see --help)"))
                  << "\n";
      }
      return report.ok ? kOk : kCheckFailed;
    };
  });
}

}  // namespace antq::cli
