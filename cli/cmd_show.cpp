// antq show, antq history and antq dossier: one subject's state, its decision chain and its dossier, now or as of a
// date or an entry.
#include <algorithm>
#include <iostream>
#include <map>
#include <set>

#include "cli/common.hpp"
#include "cli/display.hpp"
#include "cli/queries.hpp"
#include "cli/report.hpp"
#include "cli/service_client.hpp"
#include "ledger/ledger.hpp"
#include "projections/words.hpp"
#include "projections/dossier.hpp"
#include "projections/query.hpp"

namespace antq::cli {
namespace {

using nlohmann::json;

struct ShowArgs {
  std::string dir, subject, as_of, unit;
  std::optional<std::uint64_t> at;
  bool json = false;
  ServiceAccess access;
};

void add_common(CLI::App* cmd, ShowArgs& a, bool subject_required = true) {
  cmd->add_option("DIR", a.dir, kLedgerOrService)->required();
  cmd->add_option("SUBJECT", a.subject, "A model, point or exemplar id, e.g. TL-M1 or TL-M1/P003")
      ->required(subject_required);
  auto* as_of = cmd->add_option("--as-of", a.as_of,
                                "As the record stood on DATE (YYYY-MM-DD): acts whose document is dated on or before it");
  auto* at = cmd->add_option("--at", a.at, "As the ledger stood after entry SEQ");
  as_of->excludes(at);
  cmd->add_flag("--json", a.json, "JSON instead of a table");
  add_service_options(cmd, a.access);
}

// Where a subject is read: `HB.<id>` of a predecessor taken in as part HB (antq take-in, ledger/FORMAT.md §14) is
// `<id>` of the part, read as a ledger of its own under its own profile (its dates, its entries: --at is a seq of
// the part), unless this ledger holds a subject of that very id; any other id is this ledger's. A subject carried
// over from a part (antq carry-over), asked about as of a day before its subject.carried-over act, is read in the
// part as its HB.<id> (`carried_on` then says when it came over).
struct Target {
  std::unique_ptr<ledger::Ledger> part;
  std::string prefix;                    // the part's, when read in a part
  const ledger::Ledger* read = nullptr;  // the ledger or the part
  std::string subject;
  std::string carried_on;  // the date of the carry-over, when a carried subject is read in its part
};
Result<Target> target_of(const ledger::Ledger& own, const std::string& subject, const std::string& as_of = "") {
  Target t{nullptr, "", &own, subject, ""};
  const std::size_t dot = subject.find('.');
  if (dot == std::string::npos && !as_of.empty()) {
    const auto text = own.state_value("subject/" + subject);
    const auto s = text ? projections::SubjectState::from_json(json::parse(*text, nullptr, false)) : std::nullopt;
    const auto carried = s ? s->acts.find(std::string(ledger::kSubjectCarriedOver)) : decltype(s->acts.end()){};
    if (s && !s->carried_from.empty() && carried != s->acts.end() && as_of < carried->second.date) {
      auto in_part = target_of(own, s->carried_from);
      if (in_part && in_part->part) in_part->carried_on = carried->second.date;
      return in_part;
    }
  }
  if (dot == std::string::npos || !ledger::valid_part_prefix(subject.substr(0, dot))) return t;
  if (own.state_value("subject/" + subject)) return t;
  const std::string prefix = subject.substr(0, dot);
  const auto parts = own.sealed_parts();
  if (std::find(parts.begin(), parts.end(), prefix) == parts.end()) return t;
  auto part = own.open_part(prefix);
  if (!part) return std::unexpected(part.error());
  t.part = std::move(*part);
  t.prefix = prefix;
  t.read = t.part.get();
  t.subject = subject.substr(dot + 1);
  return t;
}

// The same question asked of antq serve (DIR is its URL), with the point asked about.
int ask_service(const ShowArgs& a, std::string_view command, std::string_view path, QueryParams params) {
  params.emplace_back("as_of", a.as_of);
  params.emplace_back("at", a.at ? std::to_string(*a.at) : "");
  return ask_service(a.dir, a.access, command, path, std::move(params), a.json ? "json" : "table", "add --json");
}

// The point in the process's language ("as of 2024-06-30"; in Vietnamese the date as dd/mm/yyyy).
std::string describe_point(const projections::AsOf& at, std::uint64_t size) {
  const i18n::Lang lang = i18n::process_lang();
  if (at.date) return i18n::trf(lang, "as of {}", *at.date);
  if (at.seq) return i18n::trf(lang, "at entry {}", *at.seq);
  return i18n::trf(lang, "now ({} entries)", size);
}

// The point asked about (--as-of, --at), checked against the ledger.
Result<projections::AsOf> point_in(const ledger::Ledger& ledger, const queries::Point& point) {
  return as_of_point(point.as_of, point.at, ledger.size());
}

// The answer to "no such subject": the same for a subject the ledger does not hold and one outside the scope.
std::unexpected<Error> no_such_subject(const ledger::Ledger& ledger, const std::string& subject) {
  return bad_input(
      i18n::Text("{}: no such subject in {} (a subject begins with survey.plan-approved, "
                 "model.proposed or exemplar.surveyed, or with the founding acts its profile provides)",
                 subject, ledger.dir().string()));
}

// The subject as of `at`, when `scope` covers it; bad_input naming what is wrong otherwise.
Result<projections::SubjectState> subject_at(const ledger::Ledger& ledger, const std::string& subject,
                                             const projections::AsOf& at, const projections::Scope& scope) {
  auto in = queries::subject_in_scope(ledger, subject, scope);
  if (!in) return std::unexpected(in.error());
  if (!*in) return no_such_subject(ledger, subject);
  projections::SubjectReader reader(ledger);
  auto state = reader.state(subject, at);
  if (!state) return std::unexpected(state.error());
  if (!*state) {
    auto current = reader.current(subject);
    if (!current) return no_such_subject(ledger, subject);
    return bad_input(i18n::Text("{} had no act {} (its first is entry {})", subject, describe_point(at, ledger.size()),
                                current->entries.front()));
  }
  return std::move(**state);
}

json show_json(const projections::SubjectState& s, const projections::AsOf& at) {
  json out = s.to_json();
  out.erase("id");
  out.erase("acts");
  json result{{"subject", s.id}};
  result.update(out);
  auto latest = s.latest_rating();
  result["rating"] = latest ? json{{"year", latest->first}, {"level", latest->second.level},
                                   {"date", latest->second.date}, {"seq", latest->second.seq}}
                            : json(nullptr);
  result["as_of"] = {{"date", at.date ? json(*at.date) : json(nullptr)}, {"seq", at.seq ? json(*at.seq) : json(nullptr)}};
  return result;
}

std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }

std::string list_of(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : ", ") + x;
  return or_dash(out);
}

// Every table below shows text from acts and certificates through visible() (cli/display.hpp): a name, a title or a
// reason may hold terminal escapes or bidirectional overrides.
void print_show(const projections::SubjectState& s, const std::string& when) {
  namespace words = projections::words;
  using i18n::tr;
  using i18n::trf;
  const i18n::Lang lang = i18n::process_lang();
  const bool en = lang == i18n::Lang::en;
  // The labels in the reader's language, padded to the longest; ids (stage, kind, level) as words in Vietnamese.
  auto row = [&](const i18n::Msg& label, const std::string& v) {
    std::cout << field_label(lang, label) << visible(v) << "\n";
  };
  auto word = [&](std::string (*name)(i18n::Lang, const std::string&), const std::string& id) {
    return en ? id : name(lang, id);
  };
  row(NC_("show", "subject"), fmt::format("{} ({}), {}", s.id, word(words::kind, s.kind), when));
  row(NC_("show", "name"), or_dash(s.name));
  if (s.kind != "exemplar")
    row(NC_("show", "type"), or_dash(s.type));
  else
    row(NC_("show", "holder"), or_dash(s.type));
  row(NC_("show", "area"), or_dash(s.area));
  row(NC_("show", "stage"), word(words::stage, s.stage));
  if (!s.carried_from.empty())
    row(NC_("show", "carried from"),
        trf(lang, "{} (a sealed part's subject: `antq history` of {} lists its acts there)", s.carried_from,
            s.carried_from));
  const char* founded = s.kind == "exemplar" || s.has("model.recognized") ? N_("recognized") : N_("established");
  row(NC_("show", "authority"), s.founded.empty()
                                    ? std::string(tr(lang, "- (not founded yet)"))
                                    : trf(lang, "{} ({}), {} {}", s.authority.unit,
                                          word(words::level, s.authority.level), tr(lang, founded), s.founded));
  if (s.kind != "exemplar") {
    row(NC_("show", "teams"), std::to_string(s.teams));
    row(NC_("show", "members"), s.members.is_null()    ? "-"
                                : s.members.is_array() ? list_of(s.members.get<std::vector<std::string>>())
                                                       : json_text(s.members));
    if (s.movement != "antq" || !s.security_content)
      row(NC_("show", "counted"), trf(lang, "apart from the Movement totals ({})",
                                      s.movement != "antq" ? s.movement : tr(lang, "no security-and-order content")));
    std::string ratings;
    for (const auto& [year, r] : s.ratings)
      ratings += (ratings.empty() ? "" : "; ") +
                 trf(lang, "{} {} (decision {}, entry {})", year, word(words::level, r.level), r.date, r.seq);
    row(NC_("show", "ratings"), or_dash(ratings));
    row(NC_("show", "point of"), or_dash(s.point_of));
    row(NC_("show", "points"), s.points.empty() ? "-" : fmt::format("{}: {}", s.points.size(), list_of(s.points)));
    if (!s.merged_from.empty()) row(NC_("show", "merged from"), list_of(s.merged_from));
    if (!s.merged_into.empty()) row(NC_("show", "merged into"), s.merged_into);
  } else {
    row(NC_("show", "criteria"), list_of(s.criteria));
    row(NC_("show", "met"), list_of(s.met));
  }
  row(NC_("show", "acts"), trf(lang, "{} (latest dated {}; `antq history` lists them)", s.entries.size(), s.last_date));
}

// The certificate of `fingerprint`: the ledger's, else (a carried subject's paper, signed before the merger) the one
// sealed part `part` holds.
std::optional<Bytes> certificate_of(const ledger::Ledger& ledger, const Digest& fingerprint,
                                    const std::string& part = "") {
  auto der = ledger.certificate(fingerprint);
  if (!der && !part.empty())
    if (auto held = ledger.sealed_value(
            part, "certs", std::string_view(reinterpret_cast<const char*>(fingerprint.data()), fingerprint.size())))
      der = Bytes(held->begin(), held->end());
  return der;
}

// A signature inside a signed PDF attachment, as admission verified and recorded it (history and dossier): of this
// ledger, or of sealed part `part`.
json pdf_signature_json(const ledger::Ledger& ledger, const ledger::PdfSignatureRecord& r,
                        const std::string& part = "") {
  json d{{"signer_sha256", to_hex(r.signer)},
         {"signing_time", signing::format_vietnam_time(r.signing_time)},
         {"algorithm", r.algorithm},
         {"covers_whole_file", r.covers_whole_file},
         {"sub_filter", r.sub_filter},
         {"verified_at_admission", true}};
  if (auto der = certificate_of(ledger, r.signer, part))
    if (auto info = signing::inspect_certificate(*der)) {
      d["signer"] = info->subject;
      d["issuer"] = info->issuer;
    }
  return d;
}

// One signature of an entry, as `verify --json` shows it, or why it does not verify now.
struct SignatureCheck {
  std::vector<ledger::CheckedSignature> signatures;
  std::optional<std::string> failure;
};

class History {
 public:
  explicit History(const ledger::Ledger& ledger)
      : ledger_(ledger),
        verifier_(ledger.make_verifier()),
        trust_(ledger.crls(), ledger.timestamp_authorities()),
        describer_(ledger, signing::now()) {}

  json link_json(const projections::ChainLink& l) {
    const ledger::Act& a = l.act;
    json out{{"seq", l.entry.seq},
             {"date", a.date},
             {"act", a.act},
             {"subject", a.subject},
             {"document", {{"number", a.document.number}, {"title", a.document.title}, {"issuer", a.document.issuer}}},
             {"authority", {{"level", a.authority.level}, {"unit", a.authority.unit}}},
             {"recorded_at", output_time(l.entry.recorded_at)},
             {"data", a.data}};
    SignatureCheck check = signatures(l);
    json sigs = json::array();
    for (const auto& s : check.signatures) {
      json d = describer_.describe(s.verified);
      d["role"] = ledger::role_name(s.role);
      sigs.push_back(std::move(d));
    }
    out["signatures"] = std::move(sigs);
    out["signatures_valid"] = !check.failure;
    if (check.failure) out["signature_failure"] = *check.failure;
    json atts = json::array();
    for (const auto& att : a.attachments) {
      json pdf = json::array();
      for (const auto& r : ledger_.pdf_signatures(att.sha256)) pdf.push_back(pdf_signature_json(ledger_, r));
      atts.push_back({{"item", att.item},
                      {"media_type", att.media_type},
                      {"size", att.size},
                      {"sha256", to_hex(att.sha256)},
                      {"held", ledger_.attachment(att.sha256).has_value()},
                      {"pdf_signatures", std::move(pdf)}});
    }
    out["attachments"] = std::move(atts);
    return out;
  }

 private:
  SignatureCheck signatures(const projections::ChainLink& l) {
    SignatureCheck out;
    auto recorded = signing::parse_time(l.entry.recorded_at);
    std::map<Digest, Bytes> held;
    auto lookup = [&](const Digest& fp) -> std::optional<ByteView> {
      auto it = held.find(fp);
      if (it == held.end()) {
        auto der = ledger_.certificate(fp);
        if (!der) return std::nullopt;
        it = held.emplace(fp, std::move(*der)).first;
      }
      return ByteView(it->second);
    };
    auto checked = ledger::check_signatures(l.entry.event, verifier_, trust_.at_entry(l.entry.seq, recorded.value_or(0)),
                                            lookup);
    if (checked) out.signatures = std::move(*checked);
    else out.failure = checked.error().line();
    return out;
  }

  const ledger::Ledger& ledger_;
  signing::Verifier verifier_;
  ledger::TrustHistory trust_;
  SignatureDescriber describer_;
};

// A signer's or issuer's name as history shows it: its CN (common_name).
std::string short_subject(i18n::Lang lang, const json& signer) {
  if (!signer.is_string()) return i18n::tr(lang, "(certificate not held)");
  return common_name(signer.get<std::string>());
}

// The history in the reader's language: labels, the kind, stage and level, the act's name and dates in
// Vietnamese; in English the ids, as the JSON has them.
void print_history(const projections::SubjectState& s, const json& links, const std::string& when) {
  const i18n::Lang lang = i18n::process_lang();
  const bool en = lang == i18n::Lang::en;
  const auto label = [&](const i18n::Msg& word) { return "  " + cell(i18n::tr(lang, word), 13); };
  const auto act_name = [&](const std::string& act) {
    const char* name = en ? nullptr : projections::words::act(lang, act);
    return name ? std::string(name) : act;
  };
  print_line(fmt::format("{} — {} ({}, {}), {}", s.id, or_dash(s.name),
                         en ? s.kind : projections::words::kind(lang, s.kind),
                         en ? s.stage : projections::words::stage(lang, s.stage), when));
  for (const json& l : links) {
    std::cout << "\n";
    print_line(
        i18n::trf(lang, "entry {} {}  {}{}", fmt::format("{:<6}", l["seq"].get<std::uint64_t>()),
                  i18n::date(lang, l["date"].get<std::string>()), act_name(l["act"].get<std::string>()),
                  l["subject"] != s.id ? i18n::trf(lang, " of {}", l["subject"].get<std::string>()) : std::string()));
    const json& d = l["document"];
    if (!d["number"].get<std::string>().empty() || !d["title"].get<std::string>().empty())
      print_line(label(NC_("history", "document")) + fmt::format("{} {} ({})", d["number"].get<std::string>(),
                                                                 d["title"].get<std::string>(),
                                                                 d["issuer"].get<std::string>()));
    if (!l["authority"]["unit"].get<std::string>().empty())
      print_line(label(NC_("history", "authority")) +
                 fmt::format("{} ({})", l["authority"]["unit"].get<std::string>(),
                             projections::words::level(lang, l["authority"]["level"].get<std::string>())));
    for (const json& sig : l["signatures"]) {
      std::string status = i18n::tr(lang, "valid at signing");
      if (sig.contains("certificate_now")) {
        const std::string now = sig["certificate_now"]["status"].get<std::string>();
        status += i18n::trf(lang, ", certificate {} now", en ? now : projections::words::status(lang, now));
      }
      if (sig["revocation_now"]["status"] == "revoked")
        status += i18n::trf(lang, ", revoked {} (after signing: stands)",
                            sig["revocation_now"]["revoked_at"].get<std::string>());
      if (!sig["signing_certificate_v2"].get<bool>())
        status += i18n::tr(lang, ", no signingCertificateV2 (older CMS form)");
      const std::string role = sig["role"].get<std::string>();
      print_line(label(role == "person" ? NC_("signer role", "person") : NC_("signer role", "organisation")) +
                 i18n::trf(lang, "{}, signed {} ({}; issuer {})", short_subject(lang, sig["signer"]),
                           sig["signing_time"].get<std::string>(), status, short_subject(lang, sig["issuer"])));
    }
    if (l.contains("signature_failure"))
      print_line(label(NC_("history", "signatures")) +
                 i18n::trf(lang, "INVALID NOW: {}", l["signature_failure"].get<std::string>()));
    for (const json& a : l["attachments"]) {
      print_line(label(NC_("history", "attachment")) +
                 i18n::trf(lang, "item {} {} {} bytes sha256 {}…{}", or_dash(a["item"]),
                           a["media_type"].get<std::string>(), a["size"].get<std::uint64_t>(),
                           a["sha256"].get<std::string>().substr(0, 16),
                           a["held"] ? std::string() : std::string(i18n::tr(lang, " (not held)"))));
      for (const json& p : a["pdf_signatures"])
        print_line(
            "  " + cell("", 13) +
            i18n::trf(lang, "PDF signed by {}, {} ({}{})", short_subject(lang, p.value("signer", json())),
                      p["signing_time"].get<std::string>(), p["algorithm"].get<std::string>(),
                      p["covers_whole_file"] ? i18n::tr(lang, ", whole file") : i18n::tr(lang, ", part of the file")));
    }
  }
}

json dossier_json(const ledger::Ledger& ledger, const projections::Dossier& d, i18n::Lang lang = i18n::Lang::en) {
  json items = json::array();
  for (const auto& e : d.items) {
    json docs = json::array();
    for (const auto& doc : e.documents) {
      json signers = json::array();
      for (const auto& [role, fp] : doc.signers) {
        json s{{"role", ledger::role_name(role)}, {"signer_sha256", to_hex(fp)}};
        if (auto der = certificate_of(ledger, fp, doc.part))
          if (auto info = signing::inspect_certificate(*der)) s["signer"] = info->subject;
        signers.push_back(std::move(s));
      }
      json atts = json::array();
      for (const auto& a : doc.attachments) {
        json pdf = json::array();
        for (const auto& r : a.pdf) pdf.push_back(pdf_signature_json(ledger, r, doc.part));
        atts.push_back({{"sha256", to_hex(a.sha256)}, {"media_type", a.media_type}, {"size", a.size},
                        {"held", a.held}, {"disposed_by", a.disposal ? json(a.disposal->seq) : json(nullptr)},
                        {"disposal", a.disposal ? json{{"seq", a.disposal->seq}, {"number", a.disposal->number},
                                                       {"date", a.disposal->date}}
                                                : json(nullptr)},
                        {"pdf_signatures", std::move(pdf)}});
      }
      docs.push_back({{"seq", doc.seq}, {"act", doc.act}, {"date", doc.date}, {"number", doc.document.number},
                      {"title", doc.document.title}, {"issuer", doc.document.issuer}, {"signers", std::move(signers)},
                      {"attachments", std::move(atts)}});
      if (!doc.part.empty()) docs.back()["part"] = doc.part;  // an entry of the sealed part it was carried from
    }
    json item{{"item", e.item.item}, {"title", e.item.title}, {"en", e.item.en}, {"if_any", e.item.if_any},
              {"status", e.status}, {"documents", std::move(docs)}};
    if (!e.reason.empty()) item["reason"] = e.reason.str(lang);
    items.push_back(std::move(item));
  }
  return {{"subject", d.subject}, {"kind", d.kind}, {"stage", d.stage}, {"profile", d.profile},
          {"completeness", d.completeness()},
          {"counts", {{"present", d.present}, {"missing", d.missing}, {"not_required", d.not_required}, {"disposed", d.disposed}}},
          {"items", std::move(items)}};
}

std::string percent(double f) { return fmt::format("{:.0f}%", 100 * f); }

// A dossier item's status in the reader's language ("present" → "đã có").
std::string item_status(i18n::Lang lang, const std::string& id) {
  static const std::map<std::string, i18n::Msg, std::less<>> kWords = {
      {"present", NC_("dossier item", "present")},
      {"missing", NC_("dossier item", "missing")},
      {"not-required", NC_("dossier item", "not-required")},
      {"disposed", NC_("dossier item", "disposed")}};
  auto it = kWords.find(id);
  return lang == i18n::Lang::en || it == kWords.end() ? id : std::string(i18n::tr(lang, it->second));
}

void print_dossier(const projections::Dossier& d, const std::string& when) {
  namespace words = projections::words;
  const i18n::Lang lang = i18n::process_lang();
  const bool en = lang == i18n::Lang::en;
  print_line(i18n::trf(lang, "dossier of {} ({}, {}) under {}, {}: {} of {} required items ({}){}", d.subject,
                       en ? d.kind : words::kind(lang, d.kind), en ? d.stage : words::stage(lang, d.stage), d.profile,
                       when, d.present, d.present + d.missing, percent(d.completeness()),
                       d.missing ? i18n::trf(lang, "; {} missing", d.missing) : "") +
             (d.disposed ? i18n::trf(lang, "; {} disposed of (counted neither present nor missing)", d.disposed) : ""));
  // The status column as wide as its widest word in the reader's language ("không bắt buộc" is 14 columns).
  std::size_t status_width = display_width(i18n::trc(lang, "dossier", "status"));
  for (const char* id : {"present", "missing", "not-required", "disposed"})
    status_width = std::max(status_width, display_width(item_status(lang, id)));
  const std::string under_docs(5 + 1 + status_width + 1, ' ');  // a line under the documents column
  std::cout << cell(i18n::trc(lang, "dossier", "item"), 5) << ' '
            << cell(i18n::trc(lang, "dossier", "status"), status_width) << ' '
            << cell(i18n::trc(lang, "dossier", "documents"), 40) << ' ' << i18n::trc(lang, "dossier", "title") << "\n";
  for (const auto& e : d.items) {
    std::string docs;
    for (std::size_t i = 0; i < e.documents.size() && i < 2; ++i)
      docs += fmt::format("{}{} {} ({})", i ? ", " : "", e.documents[i].document.number,
                          i18n::date(lang, e.documents[i].date),
                          i18n::trf(lang, "{}entry {}", e.documents[i].part.empty() ? "" : e.documents[i].part + " ",
                                    e.documents[i].seq));
    if (e.documents.size() > 2) docs += i18n::trf(lang, " +{} more", e.documents.size() - 2);
    if (docs.empty()) docs = "-";
    std::cout << cell(e.item.item, 5) << ' ' << cell(item_status(lang, e.status), status_width) << ' ' << cell(docs, 40)
              << ' ' << visible(e.item.title) << '\n';
    if (e.status == "missing") print_line(under_docs + e.reason.str(lang));
    if (e.status == "disposed")
      for (const auto& doc : e.documents)
        for (const auto& a : doc.attachments)
          if (a.disposal)
            print_line(under_docs + i18n::trf(lang, "{}… destroyed under decision {} of {} (entry {})",
                                              to_hex(a.sha256).substr(0, 12), a.disposal->number,
                                              i18n::date(lang, a.disposal->date), a.disposal->seq));
    for (const auto& doc : e.documents)
      for (const auto& a : doc.attachments)
        for (const auto& r : a.pdf)
          print_line(under_docs + i18n::trf(lang, "PDF {}… signed {} ({})", to_hex(a.sha256).substr(0, 12),
                                            signing::format_vietnam_time(r.signing_time), r.algorithm));
  }
}

// antq history: the subject and its chain's acts up to the point, each as history --json shows it.
struct HistoryAnswer {
  projections::SubjectState state;
  json links;
};

Result<HistoryAnswer> history_of(const ledger::Ledger& ledger, const std::string& subject, const projections::AsOf& at,
                                 const projections::Scope& scope) {
  auto state = subject_at(ledger, subject, at, scope);
  if (!state) return std::unexpected(state.error());
  auto chain = projections::SubjectReader(ledger).chain(subject);
  if (!chain) return std::unexpected(chain.error());
  History history(ledger);
  json links = json::array();
  for (const auto& l : *chain)
    if (at.includes(l.entry.seq, l.act.date)) links.push_back(history.link_json(l));
  return HistoryAnswer{std::move(*state), std::move(links)};
}

json history_json(const HistoryAnswer& h) {
  return {{"subject", h.state.id}, {"kind", h.state.kind}, {"stage", h.state.stage}, {"acts", h.links}};
}

// antq dossier SUBJECT: a subject outside the scope is one the ledger does not hold (dossier_of's words).
Result<projections::Dossier> dossier_in(const ledger::Ledger& ledger, const std::string& subject,
                                        const projections::AsOf& at, const projections::Scope& scope) {
  auto in = queries::subject_in_scope(ledger, subject, scope);
  if (!in) return std::unexpected(in.error());
  if (!*in)
    return bad_input(at.date || at.seq ? i18n::Text("{}: no such subject in the ledger then", subject)
                                       : i18n::Text("{}: no such subject in the ledger", subject));
  return projections::dossier_of(ledger, subject, at);
}

// antq dossier --unit: how many subjects (inside the scope) the unit founded, and those with missing items, worst
// first.
struct Gaps {
  std::string unit;  // as the ledger's acts write it (queries::resolve_unit)
  std::size_t subjects = 0;
  std::vector<projections::Dossier> gaps;
};

Result<Gaps> gaps_of(const ledger::Ledger& ledger, const std::string& typed_unit, const projections::AsOf& at,
                     const projections::Scope& scope) {
  auto resolved = queries::resolve_unit(ledger, typed_unit, scope);
  if (!resolved) return std::unexpected(resolved.error());
  const std::string& unit = *resolved;
  auto in_scope = queries::scope_filter(ledger, scope);
  if (!in_scope) return std::unexpected(in_scope.error());
  // The subjects of the unit and of every unit under it in the registry as it stood on the day asked about.
  auto keep = queries::unit_filter(ledger, unit, at.date.value_or(vietnam_today()), *in_scope);
  if (!keep) return std::unexpected(keep.error());
  projections::SubjectReader reader(ledger);
  Gaps out;
  out.unit = unit;
  for (const auto& id : projections::subject_ids(ledger)) {
    if (*keep && !(*keep)(id)) continue;
    auto s = reader.current(id);
    if (!s) continue;
    ++out.subjects;
    auto d = projections::dossier_of(ledger, id, at);
    if (!d) {
      if (d.error().kind == ErrorKind::bad_input) continue;  // not yet begun at --as-of/--at
      return std::unexpected(d.error());
    }
    if (d->missing > 0) out.gaps.push_back(std::move(*d));
  }
  std::stable_sort(out.gaps.begin(), out.gaps.end(), [](const auto& a, const auto& b) { return a.missing > b.missing; });
  return out;
}

json gaps_json(const std::string& unit, const Gaps& g) {
  json list = json::array();
  for (const auto& d : g.gaps) {
    json missing = json::array();
    for (const auto& e : d.items)
      if (e.status == "missing")
        missing.push_back({{"item", e.item.item}, {"title", e.item.title}, {"reason", e.reason.str()}});
    list.push_back({{"subject", d.subject}, {"kind", d.kind}, {"stage", d.stage}, {"completeness", d.completeness()},
                    {"missing", std::move(missing)}});
  }
  return {{"unit", unit}, {"subjects_founded", g.subjects}, {"subjects", std::move(list)}};
}

// antq diff's dates: bad_input unless both are dates and TO is not before FROM.
Status check_diff_dates(const std::string& from, const std::string& to) {
  for (const auto* d : {&from, &to})
    if (!ledger::is_date(*d)) return bad_input(i18n::Text("expected a date YYYY-MM-DD, got \"{}\"", *d));
  if (to < from) return bad_input(i18n::Text("--to {} is before --from {}", to, from));
  return {};
}

// antq diff --json: the fields that differ between the states as of FROM and TO, and the acts dated in between.
Result<json> diff_of(const ledger::Ledger& ledger, const std::string& subject, const std::string& from,
                     const std::string& to, const projections::Scope& scope) {
  if (auto dates = check_diff_dates(from, to); !dates) return std::unexpected(dates.error());
  auto in = queries::subject_in_scope(ledger, subject, scope);
  if (!in) return std::unexpected(in.error());
  if (!*in) return bad_input(i18n::Text("{}: no such subject in {}", subject, ledger.dir().string()));
  projections::SubjectReader reader(ledger);
  auto before = reader.state(subject, {from, std::nullopt});
  auto after = reader.state(subject, {to, std::nullopt});
  if (!before) return std::unexpected(before.error());
  if (!after) return std::unexpected(after.error());
  // Field by field, on the JSON form (the index fields entries, acts and last_date are the acts listed below).
  json a = *before ? (*before)->to_json() : json::object(), b = *after ? (*after)->to_json() : json::object();
  json changes = json::array();
  std::set<std::string> keys;
  for (const auto& [k, v] : a.items()) keys.insert(k);
  for (const auto& [k, v] : b.items()) keys.insert(k);
  for (const auto& k : keys) {
    if (k == "entries" || k == "acts" || k == "last_date") continue;
    const json x = a.value(k, json()), y = b.value(k, json());
    if (k == "ratings" && x.is_object() && y.is_object()) {
      std::set<std::string> years;
      for (const auto& [year, r] : x.items()) years.insert(year);
      for (const auto& [year, r] : y.items()) years.insert(year);
      for (const auto& year : years)
        if (x.value(year, json()) != y.value(year, json()))
          changes.push_back({{"field", "ratings." + year}, {"from", x.value(year, json())}, {"to", y.value(year, json())}});
    } else if (x != y) {
      changes.push_back({{"field", k}, {"from", x}, {"to", y}});
    }
  }
  auto chain = reader.chain(subject);
  if (!chain) return std::unexpected(chain.error());
  json acts = json::array();
  for (const auto& l : *chain)
    if (l.act.date > from && l.act.date <= to)
      acts.push_back({{"seq", l.entry.seq}, {"date", l.act.date}, {"act", l.act.act}, {"subject", l.act.subject},
                      {"number", l.act.document.number}});
  return json{{"subject", subject}, {"from", from}, {"to", to}, {"changes", changes}, {"acts", acts}};
}

}  // namespace

namespace queries {

Result<Json> show(const ledger::Ledger& ledger, const std::string& subject, const Point& point, const Scope& scope) {
  auto at = point_in(ledger, point);
  if (!at) return std::unexpected(at.error());
  auto state = subject_at(ledger, subject, *at, scope);
  if (!state) return std::unexpected(state.error());
  return show_json(*state, *at);
}

Result<Json> history(const ledger::Ledger& ledger, const std::string& subject, const Point& point, const Scope& scope) {
  auto at = point_in(ledger, point);
  if (!at) return std::unexpected(at.error());
  auto h = history_of(ledger, subject, *at, scope);
  if (!h) return std::unexpected(h.error());
  return history_json(*h);
}

Result<Json> dossier(const ledger::Ledger& ledger, const std::string& subject, const Point& point, const Scope& scope,
                     i18n::Lang lang) {
  auto at = point_in(ledger, point);
  if (!at) return std::unexpected(at.error());
  auto d = dossier_in(ledger, subject, *at, scope);
  if (!d) return std::unexpected(d.error());
  return dossier_json(ledger, *d, lang);
}

Result<Json> dossier_gaps(const ledger::Ledger& ledger, const std::string& unit, const Point& point, const Scope& scope) {
  auto at = point_in(ledger, point);
  if (!at) return std::unexpected(at.error());
  auto g = gaps_of(ledger, unit, *at, scope);
  if (!g) return std::unexpected(g.error());
  return gaps_json(g->unit, *g);
}

Result<Json> diff(const ledger::Ledger& ledger, const std::string& subject, const std::string& from,
                  const std::string& to, const Scope& scope) {
  return diff_of(ledger, subject, from, to, scope);
}

}  // namespace queries

void add_show(CLI::App& app, Action& run) {
  auto args = std::make_shared<ShowArgs>();
  auto* cmd = app.add_subcommand("show", N_("A model, point or exemplar: stage, authority, teams, ratings, lineage"));
  cmd->footer(
      "Without --as-of/--at: the state after the ledger's latest act. With --as-of DATE: as the record stood on that\n"
      "date (acts whose documents are dated on or before it). With --at SEQ: after entry SEQ was appended.\n"
      "Only the subject's own entries are read (the state database indexes them), however long the log.\n"
      "JSON keys: subject, kind, stage, name, type, area, authority, founded, teams, members, rating (the latest:\n"
      "year, level, date, seq; or null), ratings (by year), point_of, points, merged_from, merged_into, entries.\n"
      "A subject HB.<id> of a predecessor taken in as part HB (antq take-in) is read in the part, under its own\n"
      "profile (JSON adds part); --at is then a seq of the part. One carried over (antq carry-over) continues here\n"
      "as HB-<id>, its state beginning with the part's record (JSON adds carried_from: HB.<id>); as of a day before\n"
      "it was carried over, it is read in the part (JSON adds part and carried_on). History and dossier likewise.\n"
      "Example: antq show ledger/ TL-M1 --as-of 2024-06-30");
  add_common(cmd, *args);
  cmd->callback([args, &run] {
    run = [args]() -> int {
      if (is_service_url(args->dir)) return ask_service(*args, "show", "/v1/show", {{"subject", args->subject}});
      auto own = ledger::Ledger::open(args->dir);
      if (!own) return fail(own.error());
      auto target = target_of(**own, args->subject, args->as_of);
      if (!target) return fail(target.error());
      const ledger::Ledger& read = *target->read;
      const std::string& prefix = target->prefix;
      if (args->json) {
        auto j = queries::show(read, target->subject, {args->as_of, args->at}, {});
        if (!j) return fail(j.error());
        if (target->part) {  // read in a part: named as this ledger names it
          (*j)["subject"] = args->subject;
          (*j)["part"] = prefix;
          if (!target->carried_on.empty()) (*j)["carried_on"] = target->carried_on;
        }
        print_json(*j);
        return kOk;
      }
      auto at = point_in(read, {args->as_of, args->at});
      if (!at) return fail(at.error());
      auto state = subject_at(read, target->subject, *at, {});
      if (!state) return fail(state.error());
      if (target->part)
        print_line(fmt::format("{}: subject {} of the predecessor {} taken in as part {} (its entries, its profile){}",
                               args->subject, target->subject, target->part->info().origin, prefix,
                               target->carried_on.empty()
                                   ? ""
                                   : fmt::format("; carried over into this ledger on {}", target->carried_on)));
      print_show(*state, describe_point(*at, read.size()));
      return kOk;
    };
  });
}

void add_history(CLI::App& app, Action& run) {
  auto args = std::make_shared<ShowArgs>();
  auto* cmd = app.add_subcommand("history",
                                 N_("The decision chain of a subject: every act, its document, authority and signers"));
  cmd->footer(
      "Each act with its document (number, title, issuer), the deciding authority, and every signature as the rules\n"
      "for official digital signatures ask: signer, issuer, signing time (+07:00), validity at the signing time,\n"
      "the certificate's validity and revocation now, and whether the CMS binds its certificate\n"
      "(signingCertificateV2). Signed PDF attachments show their own signers. --as-of/--at stop the chain there.\n"
      "JSON: subject, kind, stage, acts[] (seq, date, act, document, authority, recorded_at, data, signatures[],\n"
      "signatures_valid, attachments[] with pdf_signatures[]).\n"
      "Example: antq history ledger/ TL-M1 --as-of 2024-12-31");
  add_common(cmd, *args);
  cmd->callback([args, &run] {
    run = [args]() -> int {
      if (is_service_url(args->dir))
        return ask_service(*args, "history", "/v1/history", {{"subject", args->subject}});
      auto own = ledger::Ledger::open(args->dir);
      if (!own) return fail(own.error());
      auto target = target_of(**own, args->subject, args->as_of);
      if (!target) return fail(target.error());
      const ledger::Ledger& read = *target->read;
      auto at = point_in(read, {args->as_of, args->at});
      if (!at) return fail(at.error());
      auto h = history_of(read, target->subject, *at, {});
      if (!h) return fail(h.error());
      if (args->json) print_json(history_json(*h));
      else print_history(h->state, h->links, describe_point(*at, read.size()));
      return kOk;
    };
  });
}

}  // namespace antq::cli

namespace antq::cli {

void add_dossier(CLI::App& app, Action& run) {
  auto args = std::make_shared<ShowArgs>();
  auto* cmd = app.add_subcommand("dossier", N_("A subject's dossier against the profile's list, or a unit's gaps"));
  cmd->footer(
      "Every item of the profile's dossier list (16 items for a model under the Ministry baseline, 10/7 under Bắc\n"
      "Giang, 5 for an exemplar) with its status: present, missing (a later step happened without it),\n"
      "not-required (an \"(if any)\" item whose act never happened, or a step not reached yet) or disposed; the\n"
      "documents behind it (number, date, entry, signers, attachments and their PDF signatures) and the\n"
      "completeness: present and disposed items over the required ones.\n"
      "With --unit U instead of SUBJECT: every subject founded by unit U, or by a unit under it in the registry\n"
      "(antq units), that has missing items, worst first.\n"
      "JSON: subject, completeness, items[] (item, title, status, reason, documents[]); --unit: unit, subjects[].\n"
      "Examples: antq dossier ledger/ TL-M1 --as-of 2024-12-31\n"
      "          antq dossier ledger/ --unit 'UBND xã Lạc Thịnh' --json");
  add_common(cmd, *args, /*subject_required=*/false);
  cmd->add_option("--unit", args->unit, "List the subjects of this unit (its name, in any case or Unicode form) with missing items");
  cmd->callback([args, &run] {
    run = [args]() -> int {
      if (args->subject.empty() == args->unit.empty())
        return fail(bad_input(i18n::Text("dossier: give a SUBJECT or --unit UNIT (one of them)")));
      if (is_service_url(args->dir))
        return args->unit.empty() ? ask_service(*args, "dossier", "/v1/dossier", {{"subject", args->subject}})
                                  : ask_service(*args, "dossier", "/v1/dossier-gaps", {{"unit", args->unit}});
      auto ledger = ledger::Ledger::open(args->dir);
      if (!ledger) return fail(ledger.error());
      if (!args->subject.empty()) {
        auto target = target_of(**ledger, args->subject, args->as_of);
        if (!target) return fail(target.error());
        const ledger::Ledger& read = *target->read;
        auto at = point_in(read, {args->as_of, args->at});
        if (!at) return fail(at.error());
        auto d = dossier_in(read, target->subject, *at, {});
        if (!d) return fail(d.error());
        if (args->json) print_json(dossier_json(read, *d));
        else print_dossier(*d, describe_point(*at, read.size()));
        return kOk;
      }
      auto at = point_in(**ledger, {args->as_of, args->at});
      if (!at) return fail(at.error());
      const std::string when = describe_point(*at, (*ledger)->size());
      auto g = gaps_of(**ledger, args->unit, *at, {});
      if (!g) return fail(g.error());
      if (args->json) {
        print_json(gaps_json(g->unit, *g));
        return kOk;
      }
      const i18n::Lang lang = i18n::process_lang();
      const bool en = lang == i18n::Lang::en;
      print_line(i18n::trf(lang, "{}: {} subject(s) founded, {} with missing dossier items, {}", g->unit, g->subjects,
                           g->gaps.size(), when));
      if (g->subjects == 0)
        std::cout << i18n::tr(lang, "(no subject founded by this unit: it holds authority bindings only)") << "\n";
      for (const auto& d : g->gaps) {
        std::string items;
        for (const auto& e : d.items)
          if (e.status == "missing") items += (items.empty() ? "" : ", ") + e.item.item;
        std::cout << "  " << cell(d.subject, 16) << ' '
                  << cell(en ? d.kind : projections::words::kind(lang, d.kind), en ? 9 : 12) << ' '
                  << cell(en ? d.stage : projections::words::stage(lang, d.stage), en ? 12 : 16) << ' '
                  << fmt::format("{:>4}", percent(d.completeness())) << "  "
                  << i18n::trf(lang, "missing items {}", visible(items)) << '\n';
      }
      return kOk;
    };
  });
}

}  // namespace antq::cli

namespace antq::cli {

namespace {

// What the table below reads of a diff (an answer from the service is checked before it is printed).
bool diff_shaped(const json& d) {
  auto has_string = [](const json& o, const char* k) { return o.contains(k) && o[k].is_string(); };
  if (!d.is_object() || !d.contains("changes") || !d["changes"].is_array() || !d.contains("acts") ||
      !d["acts"].is_array())
    return false;
  for (const auto& c : d["changes"])
    if (!c.is_object() || !has_string(c, "field") || !c.contains("from") || !c.contains("to")) return false;
  for (const auto& x : d["acts"])
    if (!x.is_object() || !x.contains("seq") || !x["seq"].is_number_unsigned() || !has_string(x, "date") ||
        !has_string(x, "act") || !has_string(x, "number"))
      return false;
  return true;
}

}  // namespace

void add_diff(CLI::App& app, Action& run) {
  struct DiffArgs {
    std::string dir, subject, from, to;
    bool json = false;
    ServiceAccess access;
  };
  auto args = std::make_shared<DiffArgs>();
  auto* cmd = app.add_subcommand("diff", N_("What changed in a subject between two dates"));
  cmd->footer(
      "The subject's state as of FROM and as of TO (acts whose documents are dated on or before each), the fields\n"
      "that differ (stage, name, teams, members, authority, ratings by year, points, merges...) and the acts dated\n"
      "after FROM up to TO. JSON: subject, from, to, changes[] (field, from, to), acts[] (seq, date, act, number).\n"
      "Example: antq diff ledger/ TL-M1 --from 2023-12-31 --to 2024-12-31");
  cmd->add_option("DIR", args->dir, kLedgerOrService)->required();
  cmd->add_option("SUBJECT", args->subject, "A model, point or exemplar id")->required();
  cmd->add_option("--from", args->from, "The earlier date, YYYY-MM-DD")->required();
  cmd->add_option("--to", args->to, "The later date, YYYY-MM-DD")->required();
  cmd->add_flag("--json", args->json, "JSON instead of a table");
  add_service_options(cmd, args->access);
  cmd->callback([args, &run] {
    run = [args]() -> int {
      if (auto dates = check_diff_dates(args->from, args->to); !dates) return fail(dates.error());
      Result<json> d;
      if (is_service_url(args->dir)) {
        auto client = service_client(args->dir, args->access);
        if (!client) return fail(client.error());
        d = service_get_json(*client, "/v1/diff", {{"subject", args->subject}, {"from", args->from}, {"to", args->to}});
        if (d && !diff_shaped(*d))
          return fail(bad_input(i18n::Text("{}: the service's diff is not what antq writes", args->dir)));
      } else {
        auto ledger = ledger::Ledger::open(args->dir);
        if (!ledger) return fail(ledger.error());
        d = queries::diff(**ledger, args->subject, args->from, args->to, {});
      }
      if (!d) return fail(d.error());
      if (args->json) {
        print_json(*d);
        return kOk;
      }
      const json& changes = (*d)["changes"];
      const json& acts = (*d)["acts"];
      auto text = [](const json& v) {
        if (v.is_null()) return std::string("-");
        if (v.is_string()) return v.get<std::string>().empty() ? std::string("-") : v.get<std::string>();
        auto is_text = [&v](const char* k) { return v.contains(k) && v[k].is_string(); };
        if (v.is_object() && is_text("level") && is_text("date"))  // a rating
          return fmt::format("{} ({})", v["level"].get<std::string>(), v["date"].get<std::string>());
        if (v.is_object() && is_text("unit") && is_text("level"))  // an authority
          return v["unit"].get<std::string>().empty()
                     ? std::string("-")
                     : fmt::format("{} ({})", v["unit"].get<std::string>(), v["level"].get<std::string>());
        return json_text(v);
      };
      const i18n::Lang lang = i18n::process_lang();
      print_line(i18n::trf(lang, "{} from {} to {}: {} change(s), {} act(s)", args->subject, args->from, args->to,
                           changes.size(), acts.size()));
      for (const auto& c : changes)
        std::cout << "  " << cell(c["field"].get<std::string>(), 18) << ' ' << visible(text(c["from"])) << " -> "
                  << visible(text(c["to"])) << '\n';
      for (const auto& x : acts)
        print_line("  " + i18n::trf(lang, "entry {} {}  {}{}", fmt::format("{:<6}", x["seq"].get<std::uint64_t>()),
                                    i18n::date(lang, x["date"].get<std::string>()), x["act"].get<std::string>(),
                                    " " + x["number"].get<std::string>()));
      return kOk;
    };
  });
}

}  // namespace antq::cli
