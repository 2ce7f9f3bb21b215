#include "cli/report.hpp"

#include <algorithm>
#include <iostream>

#include "cli/common.hpp"
#include "cli/display.hpp"

namespace antq::cli {

nlohmann::json report_json(const ledger::VerifyReport& r) {
  nlohmann::json failures = nlohmann::json::array();
  for (const auto& f : r.failures)
    failures.push_back({{"seq", f.seq ? nlohmann::json(*f.seq) : nlohmann::json(nullptr)}, {"reason", f.reason}});
  return {{"ok", r.ok},
          {"entries", r.entries},
          {"root", to_hex(r.root)},
          {"signatures", r.signatures},
          {"checkpoints", r.checkpoints},
          {"attachments", r.attachments},
          {"failures", failures}};
}

void print_report(const ledger::VerifyReport& r, bool json, const std::string& what) {
  if (json) {
    print_json(report_json(r));
    return;
  }
  // A failure's reason may quote stored bytes or a certificate's name, `what` is a path: shown through visible().
  // The labels in the reader's language, padded to the longest (cell() counts characters, not bytes).
  const i18n::Lang lang = i18n::process_lang();
  const auto label = [&](const i18n::Msg& word) { return field_label(lang, word); };
  std::cout << label(NC_("verify", "verified")) << visible(what) << "\n"
            << label(NC_("verify", "entries")) << r.entries << "\n"
            << label(NC_("verify", "signatures")) << r.signatures << "\n"
            << label(NC_("verify", "checkpoints")) << r.checkpoints << "\n"
            << label(NC_("verify", "attachments")) << r.attachments << "\n"
            << label(NC_("verify", "root")) << to_hex(r.root) << "\n";
  if (r.ok) {
    std::cout << label(NC_("verify", "result")) << i18n::tr(lang, "OK: every entry, checkpoint and signature verifies")
              << "\n";
    return;
  }
  const auto& first = r.failures.front();
  std::cout << label(NC_("verify", "result"))
            << i18n::trf(lang, "FAILED: {} problem(s); first: {}{}", r.failures.size(),
                         first.seq ? fmt::format("seq {}: ", *first.seq) : std::string(), visible(first.said(lang)))
            << "\n";
  std::size_t shown = 0;
  for (const auto& f : r.failures) {
    if (++shown > 20) {
      std::cout << i18n::trf(lang, "  ... and {} more (use --json for all)", r.failures.size() - 20) << "\n";
      break;
    }
    std::cout << fmt::format("  {:<10} {}\n", f.seq ? fmt::format("seq {}", *f.seq) : std::string("-"),
                             visible(f.said(lang)));
  }
}

int bundle_exit_code(const ledger::BundleReport& r, bool self_consistent_only) {
  if (!r.verify.ok) return kCheckFailed;
  return r.anchored() || self_consistent_only ? kOk : kCheckFailed;
}

std::string not_anchored_line(const ledger::BundleReport& r, i18n::Lang lang) {
  if (r.anchored()) return {};
  std::string line = i18n::tr(lang, "NOT ANCHORED: only the bundle's consistency with itself was checked. ");
  if (!r.operator_anchored)
    line += i18n::tr(lang,
                     "Its operator key is its own, so this does not prove that the operator's log holds these entries "
                     "(give --operator-key or --checkpoint)");
  if (!r.operator_anchored && !r.trust_anchored) line += "; ";
  if (!r.trust_anchored)
    line += i18n::tr(
        lang,
        "its trust roots are its own, so this does not prove that signers you trust signed these acts (give --trust)");
  return line + ".";
}

namespace {


// What kind of bundle file `path` is, for the summary of checked files: a group name, or the path itself.
std::string file_kind(const std::string& path) {
  if (path.starts_with("certs/")) return "certs/*.der";
  if (path.starts_with("attachments/")) return "attachments/*";
  if (path.starts_with("acts/") && path.ends_with(".body")) return "acts/*.body";
  if (path.starts_with("acts/") && path.ends_with(".p7s")) return "acts/*.p7s";
  return path;
}

}  // namespace

void print_bundle_report(const ledger::BundleReport& r, const ledger::BundleAnchors& anchors, bool self_consistent_only,
                         bool json, const std::string& what) {
  const int exit_code = bundle_exit_code(r, self_consistent_only);
  const i18n::Lang lang = json ? i18n::Lang::en : i18n::process_lang();  // the JSON's words are English
  const std::string not_anchored = not_anchored_line(r, lang);
  if (json) {
    ledger::VerifyReport shown = r.verify;
    for (auto& f : shown.failures) f.reason = visible(f.reason);
    nlohmann::json j = report_json(shown);
    j["ok"] = exit_code == kOk;
    j["consistent"] = r.verify.failures.size() == (r.whole_refused ? 1u : 0u);  // --whole's is not the bundle's
    j["anchored"] = r.anchored();
    j["anchors"] = {{"operator_key", anchors.operator_key.has_value()},
                    {"checkpoint", anchors.checkpoint.has_value()},
                    {"trust", anchors.trust.has_value()}};
    j["self_consistent_only"] = self_consistent_only;
    j["subject"] = r.subject ? nlohmann::json(visible(*r.subject)) : nlohmann::json(nullptr);
    j["tree_size"] = r.tree_size ? nlohmann::json(*r.tree_size) : nlohmann::json(nullptr);
    j["not_anchored"] = not_anchored.empty() ? nlohmann::json(nullptr) : nlohmann::json(not_anchored);
    nlohmann::json files = nlohmann::json::array();
    for (const auto& f : r.files)
      files.push_back({{"path", visible(f.path)}, {"status", ledger::status_name(f.status)}, {"reason", visible(f.reason)}});
    j["files"] = std::move(files);
    print_json(j);
    return;
  }
  if (!not_anchored.empty()) std::cout << not_anchored << "\n";
  std::string used;
  for (const auto& [given, name] : {std::pair{anchors.operator_key.has_value(), N_("operator key (--operator-key)")},
                                    std::pair{anchors.checkpoint.has_value(), N_("kept checkpoint (--checkpoint)")},
                                    std::pair{anchors.trust.has_value(), N_("trust roots (--trust)")}})
    if (given) used += (used.empty() ? "" : ", ") + std::string(i18n::tr(lang, name));
  // The labels as `antq verify` prints them (print_report).
  const std::size_t width = field_width(lang);  // a line without a label lines up
  const auto label = [&](const i18n::Msg& word) { return field_label(lang, word); };
  std::cout << label(NC_("verify", "verified")) << visible(what) << "\n"
            << label(NC_("verify", "anchors"))
            << (used.empty() ? std::string(i18n::tr(lang, "none: the bundle's own key and roots")) : used) << "\n"
            << label(NC_("verify", "entries")) << r.verify.entries << "\n";
  // What the entries are of the log: all of it, or one subject's (proven in the tree, not shown to be all of its).
  if (r.tree_size && r.subject)
    std::cout << label(NC_("verify", "holds"))
              << visible(i18n::trf(lang,
                                   "subject {} only: {} of the {} entries of the checkpoint's tree, each by its "
                                   "inclusion proof (not a proof that the subject has no other entry)",
                                   *r.subject, r.verify.entries, *r.tree_size))
              << "\n";
  else if (r.tree_size && r.whole_log)
    std::cout << label(NC_("verify", "holds"))
              << i18n::trf(lang, "the whole log: {} entries, the checkpoint's tree of {}", r.verify.entries,
                           *r.tree_size)
              << "\n";
  std::cout << label(NC_("verify", "signatures")) << r.verify.signatures << "\n"
            << label(NC_("verify", "attachments")) << r.verify.attachments << "\n"
            << label(NC_("verify", "root")) << to_hex(r.verify.root) << "\n";
  // Checked files by kind (a group, or the file itself), in path order of each kind's first file.
  struct Kind {
    std::string name;
    std::size_t files = 0;
    bool group = false;  // of several files (certificates...), not one file
  };
  std::vector<Kind> kinds;
  std::size_t checked = 0;
  std::vector<const ledger::BundleFile*> unchecked;
  for (const auto& f : r.files) {
    if (f.status == ledger::BundleFile::Status::unchecked) unchecked.push_back(&f);
    if (f.status != ledger::BundleFile::Status::checked) continue;
    ++checked;
    const std::string kind = file_kind(f.path);
    auto it = std::find_if(kinds.begin(), kinds.end(), [&](const Kind& k) { return k.name == kind; });
    if (it == kinds.end()) kinds.push_back({kind, 1, kind != f.path});
    else ++it->files;
  }
  std::string by_kind;
  for (const Kind& k : kinds)
    by_kind += (by_kind.empty() ? ": " : ", ") + (k.group ? fmt::format("{} ({})", k.name, k.files) : k.name);
  std::cout << label(NC_("verify", "checked")) << i18n::trf(lang, "{} file(s){}", checked, by_kind) << "\n";
  std::size_t shown = 0;
  for (const ledger::BundleFile* f : unchecked) {
    if (++shown > 20) {
      std::cout << cell("", width)
                << i18n::trf(lang, "... and {} more (--json lists every file)", unchecked.size() - 20) << "\n";
      break;
    }
    std::cout << (shown == 1 ? label(NC_("verify", "unchecked")) : cell("", width)) << visible(f->path) << ": "
              << visible(f->said(lang)) << "\n";
  }
  if (!r.verify.ok) {
    const auto& first = r.verify.failures.front();
    std::cout << label(NC_("verify", "result"))
              << i18n::trf(lang, "FAILED: {} problem(s); first: {}{}", r.verify.failures.size(),
                           first.seq ? fmt::format("seq {}: ", *first.seq) : std::string(), visible(first.said(lang)))
              << "\n";
    shown = 0;
    for (const auto& f : r.verify.failures) {
      if (++shown > 20) {
        std::cout << i18n::trf(lang, "  ... and {} more (use --json for all)", r.verify.failures.size() - 20) << "\n";
        break;
      }
      std::cout << fmt::format("  {:<10} {}\n", f.seq ? fmt::format("seq {}", *f.seq) : std::string("-"),
                               visible(f.said(lang)));
    }
  } else if (r.anchored()) {
    std::cout << label(NC_("verify", "result"))
              << i18n::tr(lang,
                          "OK: every entry and signature verifies against your anchors; every file is checked "
                          "or listed above as unchecked")
              << "\n";
  } else if (self_consistent_only) {
    std::cout << label(NC_("verify", "result"))
              << i18n::tr(lang, "OK AS SELF-CONSISTENT ONLY (--self-consistent-only): not anchored, see the first line")
              << "\n";
  } else {
    std::cout << label(NC_("verify", "result"))
              << i18n::tr(lang,
                          "NOT ANCHORED: consistent with itself only, see the first line (exit 1; "
                          "--self-consistent-only accepts this)")
              << "\n";
  }
}

SignatureDescriber::SignatureDescriber(const ledger::Ledger& ledger, signing::UnixTime now)
    : ledger_(ledger), now_(now), crls_held_(ledger.crls().size()) {}

const signing::CertificateInfo* SignatureDescriber::certificate(const Digest& fingerprint) {
  auto [it, added] = certificates_.try_emplace(fingerprint);
  if (added) {
    if (auto der = ledger_.certificate(fingerprint))
      if (auto info = signing::inspect_certificate(*der)) it->second = std::move(*info);
  }
  return it->second ? &*it->second : nullptr;
}

void SignatureDescriber::count(const signing::VerifiedSignature& v) {
  if (!v.signing_certificate_v2) ++without_signing_certificate_v2;
  if (v.revoked_after) ++revoked_since_signing;
  if (const signing::CertificateInfo* cert = certificate(v.signer); cert && now_ > cert->not_after) ++expired_since_signing;
}

nlohmann::json SignatureDescriber::describe(const signing::VerifiedSignature& v) {
  using nlohmann::json;
  count(v);
  const signing::CertificateInfo* cert = certificate(v.signer);
  json out{{"signer", cert ? json(cert->subject) : json(nullptr)},
           {"signer_sha256", to_hex(v.signer)},
           {"issuer", cert ? json(cert->issuer) : json(nullptr)},
           {"signing_time", signing::format_vietnam_time(v.signing_time)},
           // Where the signing time comes from: a time-stamp token of a trusted authority (RFC 3161), or the
           // signer's own claim (the signingTime attribute).
           {"signing_time_source", v.timestamp_authority ? "timestamp" : "claimed"},
           {"claimed_signing_time", signing::format_vietnam_time(v.claimed_signing_time)},
           {"timestamp_authority", v.timestamp_authority ? json(to_hex(*v.timestamp_authority)) : json(nullptr)},
           {"algorithm", v.algorithm},
           // The CMS signature and messageDigest verify over the signed bytes.
           {"integrity", "valid"},
           // A chain to a trusted root, each certificate valid then, none revoked by then (CRLs held).
           {"valid_at_signing_time", true},
           {"signing_certificate_v2", v.signing_certificate_v2}};
  if (cert) {
    const char* status = now_ < cert->not_before ? "not-yet-valid" : now_ > cert->not_after ? "expired" : "valid";
    out["certificate_now"] = {{"status", status},
                              {"not_before", signing::format_vietnam_time(cert->not_before)},
                              {"not_after", signing::format_vietnam_time(cert->not_after)}};
  }
  json revocation{{"status", v.revoked_after ? "revoked" : "not-revoked"}, {"crls_held", crls_held_}};
  if (v.revoked_after) {
    revocation["revoked_at"] = signing::format_vietnam_time(*v.revoked_after);
    revocation["note"] = "revoked after the signing time: the signature stands";
  }
  out["revocation_now"] = std::move(revocation);
  return out;
}

}  // namespace antq::cli
