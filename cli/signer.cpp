#include "cli/signer.hpp"

#include <fstream>

#include <fmt/format.h>

#include "cli/common.hpp"
#include "ledger/ledger.hpp"
#include "projections/profile.hpp"

namespace antq::cli {

Result<SignerSpec> parse_signer(const std::string& spec) {
  auto colon = spec.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == spec.size())
    return bad_input(fmt::format("signer \"{}\": expected KEY:CERT (key file or PKCS#11 URI, a colon, certificate file)", spec));
  return SignerSpec{spec.substr(0, colon), spec.substr(colon + 1)};
}

Result<ledger::ActInput> read_act(const std::filesystem::path& path) {
  auto text = read_text(path, ledger::kMaxActJsonBytes, "act file");
  if (!text) return std::unexpected(text.error());
  return ledger::parse_act(*text, path.string(), path.parent_path());
}

ledger::Submission unsigned_submission(ledger::ActInput input) {
  // profile.adopted carries the profile's file (projections::Rules); this program's own when none is attached.
  if (input.act.act == "profile.adopted" && input.act.attachments.empty()) {
    std::string_view text = projections::builtin_profile_text(input.act.data.value("profile", ""));
    if (!text.empty()) {
      Bytes content(text.begin(), text.end());
      input.act.attachments.push_back({"profile", "application/json", sha256(content), content.size()});
      input.attachment_contents.push_back(std::move(content));
    }
  }
  ledger::Submission s;
  s.event.body = ledger::encode_body(input.act);
  for (auto& content : input.attachment_contents) {
    s.blobs.push_back({sha256(content), std::move(content)});
  }
  return s;
}

Status add_signature(ledger::Submission& submission, ledger::Role role, const SignerSpec& signer,
                     const signing::SignOptions& options) {
  for (const auto& s : submission.event.signatures)
    if (s.role == role) return bad_input(fmt::format("the event already has a {} signature", ledger::role_name(role)));
  // Nobody signs a document dated later than today; admission refuses it too, and verify rechecks it.
  if (auto act = ledger::decode_body(submission.event.body); act) {
    if (auto s = ledger::check_document_date(*act, signing::now(), "signing"); !s) return s;
  }
  auto certs = signing::read_certificates(signer.cert);
  if (!certs) return std::unexpected(certs.error());
  auto key = signing::PrivateKey::load(signer.key);
  if (!key) return std::unexpected(key.error());
  auto cms = signing::cms_sign(submission.event.body, *key, certs->front(), options);
  if (!cms) return std::unexpected(cms.error());
  // Further certificates of the file (intermediates) travel in the CMS too, for chain building at append.
  if (certs->size() > 1) {
    std::vector<Bytes> more(certs->begin() + 1, certs->end());
    auto with = signing::cms_with_certificates(*cms, more);
    if (!with) return std::unexpected(with.error());
    cms = std::move(with);
  }
  // The organisation signs after the person (ledger::check_signing_order): refuse now rather than at append.
  auto ours = signing::cms_parse(*cms);
  for (const auto& other : submission.event.signatures) {
    auto theirs = signing::cms_parse(other.cms);
    if (!theirs || !ours || !theirs->signing_time || !ours->signing_time) continue;  // append will say why
    auto order = role == ledger::Role::organisation ? ledger::check_signing_order(*theirs->signing_time, *ours->signing_time)
                                                    : ledger::check_signing_order(*ours->signing_time, *theirs->signing_time);
    if (!order) return order;
  }
  submission.event.signatures.push_back({role, sha256(certs->front()), std::move(*cms)});
  // The person signs first, the organisation after (Decree 30/2020): keep that order in the event.
  std::stable_sort(submission.event.signatures.begin(), submission.event.signatures.end(),
                   [](const auto& a, const auto& b) { return a.role < b.role; });
  return {};
}

Result<ledger::Submission> read_submission(const std::filesystem::path& path) {
  auto text = read_text(path, ledger::kMaxMessageBytes, "signed event file");
  if (!text) return std::unexpected(text.error());
  auto s = ledger::decode_submission(as_bytes(*text));
  if (!s) return std::unexpected(Error{s.error().kind, s.error().rule, path.string() + ": " + s.error().message});
  s->label = path.string();
  return s;
}

Status write_submission(const std::filesystem::path& path, const ledger::Submission& submission) {
  Bytes bytes = ledger::encode_submission(submission);
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      return io_error(fmt::format("cannot write {} (disk full or no permission?)", path.string()));
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return io_error(fmt::format("cannot write {}: {}", path.string(), ec.message()));
  return {};
}

}  // namespace antq::cli
