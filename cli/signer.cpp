#include "cli/signer.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "cli/common.hpp"
#include "cli/display.hpp"
#include "ledger/ledger.hpp"
#include "projections/profile.hpp"

namespace antq::cli {

Result<SignerSpec> parse_signer(const std::string& spec) {
  auto colon = spec.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == spec.size())
    return bad_input(
        i18n::Text("signer \"{}\": expected KEY:CERT (key file or PKCS#11 URI, a colon, certificate file)", spec));
  return SignerSpec{spec.substr(0, colon), spec.substr(colon + 1)};
}

Result<ledger::ActInput> read_act(const std::filesystem::path& path) {
  auto text = read_text(path, ledger::kMaxActJsonBytes, N_("act file"));
  if (!text) return std::unexpected(text.error());
  return ledger::parse_act(*text, path.string(), path.parent_path());
}

void attach_builtin_profile(ledger::ActInput& input) {
  // profile.adopted carries the profile's file (projections::Rules); this program's own when none is attached.
  if (input.act.act != "profile.adopted" || !input.act.attachments.empty()) return;
  std::string_view text = projections::builtin_profile_text(input.act.data.value("profile", ""));
  if (text.empty()) return;
  Bytes content(text.begin(), text.end());
  input.act.attachments.push_back({"profile", "application/json", sha256(content), content.size()});
  input.attachment_contents.push_back(std::move(content));
  input.attachment_sources.emplace_back();
}

ledger::Submission unsigned_submission(ledger::ActInput input) {
  attach_builtin_profile(input);
  ledger::Submission s;
  s.event.body = ledger::encode_body(input.act);
  for (auto& content : input.attachment_contents) {
    s.blobs.push_back({sha256(content), std::move(content)});
  }
  return s;
}

namespace {

// `text` for a table cell, each control character shown as "?" so that a name from the act cannot drive the terminal.
std::string cell(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return out;
}

}  // namespace

void print_attachments(const ledger::Act& act, const std::vector<std::filesystem::path>& sources, bool json) {
  std::uint64_t total = 0;
  nlohmann::json list = nlohmann::json::array();
  for (std::size_t i = 0; i < act.attachments.size(); ++i) {
    const auto& a = act.attachments[i];
    const std::string path = i < sources.size() ? sources[i].string() : "";
    total += a.size;
    list.push_back({{"item", a.item},
                    {"path", path.empty() ? nlohmann::json(nullptr) : nlohmann::json(path)},
                    {"media_type", a.media_type},
                    {"size", a.size},
                    {"sha256", to_hex(a.sha256)}});
  }
  if (json) {
    print_json({{"dry_run", true}, {"act", act.act}, {"subject", act.subject}, {"attachments", list}});
    return;
  }
  const i18n::Lang lang = i18n::process_lang();
  std::cout << (act.attachments.size() == 1
                    ? i18n::trf(lang, "{} {} {}: {} attachment, {} bytes in all", act.act, act.subject,
                                i18n::date(lang, act.date), act.attachments.size(), total)
                    : i18n::trf(lang, "{} {} {}: {} attachments, {} bytes in all", act.act, act.subject,
                                i18n::date(lang, act.date), act.attachments.size(), total))
            << "\n";
  if (!act.attachments.empty()) {
    std::cout << cell(i18n::tr(lang, NC_("attachments", "ITEM")), 6) << ' '
              << cell_right(i18n::tr(lang, NC_("attachments", "SIZE")), 12) << "  " << cell("SHA-256", 64) << "  "
              << i18n::tr(lang, NC_("attachments", "PATH")) << "\n";
    for (std::size_t i = 0; i < act.attachments.size(); ++i) {
      const auto& a = act.attachments[i];
      const std::string path = i < sources.size() ? sources[i].string() : "";
      std::cout << fmt::format("{:<6} {:>12}  {}  {}\n", cell(a.item), a.size, to_hex(a.sha256),
                               path.empty() ? std::string(i18n::tr(lang, "- (not read from a file)")) : cell(path));
    }
  }
  std::cout << i18n::tr(lang, "dry run: nothing signed, nothing written") << "\n";
}

Status add_signature(ledger::Submission& submission, ledger::Role role, const SignerSpec& signer,
                     const signing::SignOptions& options, UnencryptedKey unencrypted) {
  for (const auto& s : submission.event.signatures)
    if (s.role == role) return bad_input(i18n::Text("the event already has a {} signature", ledger::role_text(role)));
  // Nobody signs a document dated later than today; admission refuses it too, and verify rechecks it.
  if (auto act = ledger::decode_body(submission.event.body); act) {
    if (auto s = ledger::check_document_date(*act, signing::now(), N_("signing")); !s) return s;
  }
  auto certs = signing::read_certificates(signer.cert);
  if (!certs) return std::unexpected(certs.error());
  auto key = signing::PrivateKey::load(signer.key);
  if (!key) return std::unexpected(key.error());
  auto cms = signing::cms_sign(submission.event.body, *key, certs->front(), options);
  if (!cms) return std::unexpected(cms.error());
  if (unencrypted == UnencryptedKey::warn && key->unencrypted_file()) {
    auto holder = signing::inspect_certificate(certs->front());  // it signed, so the certificate parses
    const i18n::Lang lang = i18n::process_lang();
    const std::string holder_name = holder ? holder->subject : std::string(i18n::tr(lang, "its holder"));
    std::fprintf(stderr, "%s\n",
                 visible(i18n::trf(lang, "warning: {}",
                                   i18n::trf(lang,
                                             "key {} is not encrypted: anyone who copies the file can sign as {}; "
                                             "keep it encrypted (ANTQ_KEY_PASSPHRASE) or on a token (PKCS#11)",
                                             signer.key, holder_name)))
                     .c_str());
  }
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
  auto text = read_text(path, ledger::kMaxMessageBytes, N_("signed event file"));
  if (!text) return std::unexpected(text.error());
  auto s = ledger::decode_submission(as_bytes(*text));
  if (!s) return std::unexpected(reworded(s.error(), i18n::Text("{}: {}", path.string(), text_of(s.error()))));
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
      return io_error(i18n::Text("cannot write {} (disk full or no permission?)", path.string()));
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return io_error(i18n::Text("cannot write {}: {}", path.string(), ec.message()));
  return {};
}

}  // namespace antq::cli
