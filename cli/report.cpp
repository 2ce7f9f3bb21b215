#include "cli/report.hpp"

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
  std::cout << fmt::format("{:<13}{}\n", "verified", visible(what))
            << fmt::format("{:<13}{}\n", "entries", r.entries)
            << fmt::format("{:<13}{}\n", "signatures", r.signatures)
            << fmt::format("{:<13}{}\n", "checkpoints", r.checkpoints)
            << fmt::format("{:<13}{}\n", "attachments", r.attachments)
            << fmt::format("{:<13}{}\n", "root", to_hex(r.root));
  if (r.ok) {
    std::cout << fmt::format("{:<13}{}\n", "result", "OK: every entry, checkpoint and signature verifies");
    return;
  }
  const auto& first = r.failures.front();
  std::cout << fmt::format("{:<13}FAILED: {} problem(s); first: {}{}\n", "result", r.failures.size(),
                           first.seq ? fmt::format("seq {}: ", *first.seq) : std::string(), visible(first.reason));
  std::size_t shown = 0;
  for (const auto& f : r.failures) {
    if (++shown > 20) {
      std::cout << fmt::format("  ... and {} more (use --json for all)\n", r.failures.size() - 20);
      break;
    }
    std::cout << fmt::format("  {:<10} {}\n", f.seq ? fmt::format("seq {}", *f.seq) : std::string("-"),
                             visible(f.reason));
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
