#include "ledger/act.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <tuple>

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <fmt/format.h>
#include <utf8proc.h>

#include "ledger/canonical.hpp"
#include "ledger/codec.hpp"
#include "ledger/schema/antq.capnp.h"
#include "signing/file.hpp"
#include "signing/signing.hpp"

namespace antq::ledger {
namespace {

using nlohmann::json;

// ---- the shape of `data` for each act kind (acts.md), with the limits of docs/act-limits.md ---------------------

enum class Type {
  text,        // non-empty string
  opt_text,    // string, may be empty
  count,       // integer >= 1
  natural,     // integer >= 0
  number,      // integer or decimal
  boolean,
  date,        // YYYY-MM-DD, kFirstDate..kLastDate
  year,        // evaluation year
  choice,      // one of `choices`
  choices,     // list of `choices`
  texts,       // list of strings
  members,     // integer >= 0, or list of strings
  criteria,    // list of {id, text}
  period,      // YYYY-H1 | YYYY | adhoc
  fingerprint, // 64 lower-case hex digits
  text_map,    // object: a subject id (kSubjectKey) -> non-empty text (`limit.chars`), `limit.items` entries
  record,      // object: a subject's record as a sealed part's `state` holds it, at most `limit.chars` bytes as JSON
};

// How much a field may hold. Text is measured in characters (Unicode code points) after NFC; a list in items, each
// item's text as `chars` says; a number lies in [least, most].
struct Limit {
  std::size_t chars = 0;
  std::size_t items = 0;
  std::int64_t least = 0, most = 0;
};

// The limits, by what a field holds (docs/act-limits.md says why each is enough).
constexpr Limit kCode{.chars = 32};               // a dossier item, a criterion id
constexpr Limit kShortName{.chars = 64};          // a form of commendation, a profile id
constexpr Limit kName{.chars = 200};              // a name, an area, a unit
constexpr Limit kLongText{.chars = 10'000};       // a summary, a reason, findings
constexpr Limit kSubjects{.chars = 64, .items = 1'000};            // subject ids (or digests)
constexpr Limit kRecordTargets{.chars = 64, .items = 10'000};      // subjects or attachment digests of records acts
constexpr Limit kNames{.chars = 200, .items = 1'000};              // area or unit names
constexpr Limit kAliases{.chars = 200, .items = 50};               // other names of one unit
constexpr Limit kCriterionIds{.chars = 32, .items = 200};
constexpr Limit kCriteria{.chars = 2'000, .items = 200};           // {id (kCode), text}
constexpr Limit kMembers{.chars = 200, .items = 1'000, .least = 0, .most = 1'000'000};
constexpr Limit kTeams{.least = 1, .most = 10'000};
constexpr Limit kTargets{.least = 1, .most = 1'000};
constexpr Limit kTargetsMet{.least = 0, .most = 1'000};
constexpr Limit kPercent{.least = 0, .most = 100};
constexpr Limit kYear{.least = 2000, .most = 2099};
constexpr Limit kSeq{.least = 0, .most = std::int64_t{1} << 53};  // an entry's seq, exact in a JSON number
constexpr Limit kSubjectUnits{.chars = 200, .items = 10'000};     // subject id (64 characters) -> unit name
constexpr std::size_t kSubjectKey = 64;                          // a subject id as a key of a text_map
constexpr Limit kRecord{.chars = 256 * 1024};                     // a subject's record carried over, JSON bytes

struct FieldSpec {
  const char* name;
  Type type;
  bool required = false;
  std::vector<std::string> allowed = {};
  Limit limit = {};
};

const std::vector<std::string> kLevels = {"commune", "district", "province", "ministry", "agency"};
const std::vector<std::string> kRatings = {"good", "fair", "average", "weak"};
const std::vector<std::string> kUnitKinds = {"people-committee", "steering-committee", "police", "party-committee",
                                             "front", "department", "agency", "enterprise", "school", "other"};

std::vector<FieldSpec> model_fields(bool establishing) {
  std::vector<FieldSpec> f = {
      {"name", Type::text, establishing, {}, kName},
      {"type", Type::choice, establishing, {"self-managed", "linked"}},
      {"area", Type::text, false, {}, kName},
      {"movement", Type::choice, false, {"antq", "dan-van-kheo"}},
      {"security_content", Type::boolean},
      {"point_of", Type::text, false, {}, {.chars = 64}},
      {"members", Type::members, false, {}, kMembers},
      // The team or body that carries the model out (issue 21 §5: duplicate-model compares it within an area).
      {"implementer", Type::text, false, {}, kName},
  };
  return f;
}

const std::map<std::string, std::vector<FieldSpec>, std::less<>>& act_specs() {
  static const auto* specs = [] {
    auto* m = new std::map<std::string, std::vector<FieldSpec>, std::less<>>;
    auto& s = *m;
    const std::vector<FieldSpec> summary = {{"summary", Type::opt_text, false, {}, kLongText}};
    const std::vector<FieldSpec> reason = {{"reason", Type::opt_text, false, {}, kLongText}};
    const std::vector<FieldSpec> rating = {{"year", Type::year, true, {}, kYear},
                                           {"level", Type::choice, true, kRatings},
                                           {"targets_met_pct", Type::number, false, {}, kPercent},
                                           {"criteria", Type::texts, false, {}, kCriterionIds}};
    s["survey.plan-approved"] = {{"purpose", Type::opt_text, false, {}, kLongText}};
    s["survey.reported"] = {{"findings", Type::opt_text, false, {}, kLongText}};
    auto proposed = model_fields(false);
    proposed.push_back({"field", Type::choice, false, {"residential", "agency", "enterprise", "school", "other"}});
    proposed.push_back({"proposer", Type::opt_text, false, {}, kName});
    s["model.proposed"] = proposed;
    s["model.policy-issued"] = summary;
    s["model.implementation-issued"] = summary;
    s["model.consulted"] = summary;
    auto established = model_fields(true);
    established.push_back({"teams", Type::count, true, {}, kTeams});
    s["model.recognized"] = established;
    // A model built under a procedure the profile replaced, brought in by its establishment decision (the profile's
    // `transition` section; docs/rules.md).
    established.push_back({"transition", Type::text, false, {}, kName});
    s["model.established"] = established;
    s["model.regulations-issued"] = {
        {"covers", Type::choices, false, {"board", "model", "coordination"}, {.items = 3}},
        {"security_content", Type::boolean}};
    s["model.launched"] = {};
    s["model.plan-issued"] = {{"year", Type::year, true, {}, kYear}, {"targets", Type::count, true, {}, kTargets}};
    s["model.report-filed"] = {{"period", Type::period, true}, {"targets_met", Type::natural, false, {}, kTargetsMet}};
    s["model.reorganized"] = {{"teams", Type::count, false, {}, kTeams},
                              {"members", Type::members, false, {}, kMembers},
                              {"summary", Type::opt_text, false, {}, kLongText}};
    s["model.rating-proposed"] = rating;
    s["model.rated"] = rating;
    s["model.rating-forwarded"] = {{"year", Type::year, true, {}, kYear}, {"to", Type::text, false, {}, kName}};
    s["model.replicated"] = {{"areas", Type::texts, true, {}, kNames}};
    s["model.announced"] = {{"scope", Type::choice, false, {"commune", "district", "province", "national"}},
                            {"by", Type::text, false, {}, kName}};
    s["model.merged"] = {{"from", Type::texts, true, {}, kSubjects}, {"name", Type::text, false, {}, kName}};
    s["model.termination-reported"] = reason;
    s["model.termination-consulted"] = reason;
    s["model.terminated"] = reason;
    s["model.termination-announced"] = reason;
    s["exemplar.surveyed"] = {{"holder", Type::text, false, {}, kName},  // a collective's name (act_from_json)
                              {"holder_kind", Type::choice, false, {"individual", "collective"}},
                              {"area", Type::text, false, {}, kName}};
    s["exemplar.criteria-set"] = {{"criteria", Type::criteria, true, {}, kCriteria},
                                  {"scope", Type::choice, false, {"single", "several", "comprehensive"}}};
    s["exemplar.plan-issued"] = {};
    s["exemplar.self-assessed"] = {{"met", Type::texts, true, {}, kCriterionIds}};
    s["exemplar.evaluated"] = {{"met", Type::texts, true, {}, kCriterionIds}};
    s["exemplar.recognized"] = {{"level", Type::choice, true, {"commune", "district", "province"}}};
    s["exemplar.ended"] = reason;
    s["exemplar.replicated"] = {{"areas", Type::texts, true, {}, kNames}};
    s["commendation.awarded"] = {{"form", Type::text, true, {}, kShortName},
                                 {"level", Type::choice, false, kLevels},
                                 {"to", Type::choice, false, {"model", "member", "exemplar"}},
                                 {"year", Type::year, false, {}, kYear}};
    s["document.attached"] = {};
    s["authority.bound"] = {{"certificate", Type::fingerprint, true},
                            {"role", Type::choice, true, {"person", "organisation", "administrator"}},
                            {"unit", Type::text, true, {}, kName},
                            {"level", Type::choice, true, kLevels},
                            {"title", Type::opt_text, false, {}, kName},
                            {"from", Type::date, true},
                            {"to", Type::date}};
    s["authority.unbound"] = {{"certificate", Type::fingerprint, true}, {"from", Type::date, true}};
    s["profile.adopted"] = {{"profile", Type::text, true, {}, kShortName}, {"effective", Type::date, true}};
    s["record.held"] = {{"targets", Type::texts, true, {}, kRecordTargets}, {"reason", Type::opt_text, false, {}, kLongText}};
    s["record.released"] = {{"targets", Type::texts, true, {}, kRecordTargets},
                            {"hold", Type::natural, false, {}, kSeq},  // the record.held entry it lifts
                            {"reason", Type::opt_text, false, {}, kLongText}};
    s["record.disposed"] = {{"attachments", Type::texts, true, {}, kRecordTargets},
                            {"reason", Type::opt_text, false, {}, kLongText}};
    // A reporting unit's periodic report (docs/rules.md, "Deadlines at the right level"): signed by the unit's
    // person, about the ledger; the report itself (the CSV of antq report) may travel as its attachment.
    s["unit.report-filed"] = {{"period", Type::period, true}, {"to", Type::text, false, {}, kName}};
    s["archive.transferred"] = {{"subjects", Type::texts, true, {}, kRecordTargets}, {"archive", Type::text, true, {}, kName}};
    // The retention schedule (projections/profiles/README.md) travels as the act's attachment, like a profile's file.
    s["retention.schedule-adopted"] = {{"schedule", Type::text, true, {}, kShortName}, {"effective", Type::date, true}};
    // The trust store changes as entries of the log (FORMAT.md §2): the attachment is the CRL or the time-stamp
    // authority's certificate (DER).
    s["trust.crl-added"] = {};
    s["trust.tsa-added"] = {{"name", Type::opt_text, false, {}, kName}};
    // Who may read through the service (projections/access.hpp): a client certificate, by fingerprint or attached
    // (DER), holds a role over a scope from a date; an access.revoked ends it. The scope is the whole ledger
    // (whole_ledger) or the subjects of some units and/or levels.
    s["access.granted"] = {{"certificate", Type::fingerprint},
                           {"role", Type::choice, true, {"inspector", "auditor", "archivist", "reader"}},
                           {"units", Type::texts, false, {}, kNames},
                           {"levels", Type::choices, false, kLevels, {.items = 5}},
                           {"whole_ledger", Type::boolean},
                           {"from", Type::date, true},
                           {"to", Type::date}};
    // The unit registry (projections/units.hpp): a unit, its level and kind, the unit above it, from a date; the
    // other names its acts may write it by.
    s["unit.registered"] = {{"name", Type::text, true, {}, kName},
                            {"level", Type::choice, true, kLevels},
                            {"kind", Type::choice, true, kUnitKinds},
                            {"parent", Type::text, false, {}, kName},
                            {"from", Type::date, true},
                            {"aliases", Type::texts, false, {}, kAliases},
                            // Circular 124/2021/TT-BCA: an agency, enterprise or school whose models the unit that
                            // recognises its "An toàn về an ninh, trật tự" rates (Hòa Bình 000 §III.2.3).
                            {"tt124", Type::boolean},
                            {"safety_recognizer", Type::text, false, {}, kName}};
    // The 2025 reorganisation (projections/units.hpp): from `effective`, the registered `units` cease and `successor`
    // takes their competence (a merger, a split with a successor per open subject, an abolished level).
    s["unit.reorganised"] = {{"effective", Type::date, true},
                             {"kind", Type::choice, true, {"merger", "split", "abolished"}},
                             {"units", Type::texts, true, {}, kNames},
                             {"successor", Type::text, true, {}, kName},
                             {"subjects", Type::text_map, false, {}, kSubjectUnits}};
    s["access.revoked"] = {{"certificate", Type::fingerprint, true},
                           {"from", Type::date, true},
                           {"grant", Type::natural, false, {}, kSeq},  // the access.granted entry it ends
                           {"reason", Type::opt_text, false, {}, kLongText}};
    // A predecessor ledger taken in (antq take-in, FORMAT.md §14): the prefix its subjects read under, its origin,
    // size and root (RFC 9162, hex), the day the merger takes effect; its final checkpoint note and its operator's
    // verifier key travel as attachments (items "checkpoint", "operator.vkey").
    s["ledger.predecessor-sealed"] = {{"prefix", Type::text, true, {}, kCode},
                                      {"origin", Type::text, true, {}, kName},
                                      {"size", Type::natural, true, {}, kSeq},
                                      {"root", Type::fingerprint, true},
                                      {"effective", Type::date, true}};
    // A subject of a sealed part carried over into this ledger (FORMAT.md §14): the part, the subject's id there,
    // its record as the part's `state` holds it, and the origin its point now names (the carried origin, PREFIX-<id>,
    // or the part's, PREFIX.<id>). The act's subject is PREFIX-<id>; its authority the unit that takes it over.
    s["subject.carried-over"] = {{"part", Type::text, true, {}, kCode},
                                 {"from", Type::text, true, {}, {.chars = kSubjectKey}},
                                 {"point_of", Type::text, false, {}, {.chars = kSubjectKey}},
                                 {"record", Type::record, true, {}, kRecord}};
    return m;
  }();
  return *specs;
}

// The limits of the envelope (fields outside `data`), in characters after NFC.
constexpr std::size_t kMaxDocumentNumber = 100;
constexpr std::size_t kMaxDocumentTitle = 1'000;
constexpr std::size_t kMaxUnitName = kName.chars;      // document.issuer, authority.unit
constexpr std::size_t kMaxItem = kCode.chars;          // attachments[].item
constexpr std::size_t kMaxMediaType = 255;             // RFC 6838 §4.2: 127 for each of type and subtype
constexpr std::size_t kMaxPath = 4'096;                // PATH_MAX
// The size a document held elsewhere (sha256 and size, no path) may claim: 1 TiB, far beyond any file a dossier
// holds, but a size whose sums cannot overflow.
constexpr std::uint64_t kMaxStatedSize = std::uint64_t{1} << 40;

// ---- validation helpers --------------------------------------------------------------------------------------

// Characters (code points) of valid UTF-8 text: its bytes that do not continue a sequence.
std::size_t characters(std::string_view utf8) {
  return static_cast<std::size_t>(
      std::count_if(utf8.begin(), utf8.end(), [](char ch) { return (static_cast<unsigned char>(ch) & 0xC0) != 0x80; }));
}

// At most 60 characters of `text` for a message, cut at a character boundary, "..." when cut.
std::string shown(std::string_view text) {
  if (text.size() <= 60) return std::string(text);
  std::size_t cut = 57;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

// A value for a message: its JSON, cut to 60 characters. Never throws (text that is not UTF-8 shows U+FFFD), and
// never recurses deeper than the limit JSON input is held to: deeper values show as "[...]" or "{...}".
std::string describe(const json& v) {
  if (v.is_array() && !v.empty()) return "[...]";
  if (v.is_object() && !v.empty()) return "{...}";
  return shown(v.dump(-1, ' ', false, json::error_handler_t::replace));
}

struct Context {
  const std::string& source;
  std::unexpected<Error> fail(const std::string& where, const std::string& what) const {
    return bad_input(i18n::Text("{}: {}: {}", source, where, i18n::Text::verbatim(what)));
  }
  // The same with a message each reader gets in their language.
  std::unexpected<Error> fail(const std::string& where, i18n::Text what) const {
    return bad_input(i18n::Text("{}: {}: {}", source, where, std::move(what)));
  }
};

// A field's name for a message, with a key taken from the input cut short.
std::string field_name(const std::string& where, std::string_view key) { return where + "." + shown(key); }

Status check_chars(const Context& c, const std::string& where, std::string_view text, std::size_t most) {
  const std::size_t n = characters(text);
  if (n > most) return c.fail(where, i18n::Text("{} characters, more than the limit of {}", n, most));
  return {};
}

Result<std::string> text_value(const Context& c, const std::string& where, const json& v, bool allow_empty,
                               std::size_t most_chars) {
  if (!v.is_string()) return c.fail(where, i18n::Text("expected text, got {}", describe(v)));
  auto n = nfc(v.get_ref<const std::string&>());
  if (!n) return c.fail(where, i18n::Text("text is not valid UTF-8"));
  if (!allow_empty && n->empty()) return c.fail(where, i18n::Text("must not be empty"));
  if (auto s = check_chars(c, where, *n, most_chars); !s) return std::unexpected(s.error());
  return *n;
}

Status check_items(const Context& c, const std::string& where, std::size_t n, std::size_t most) {
  if (n > most) return c.fail(where, i18n::Text("{} items, more than the limit of {}", n, most));
  return {};
}

bool in(const std::vector<std::string>& allowed, const std::string& s) {
  return std::find(allowed.begin(), allowed.end(), s) != allowed.end();
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : "|") + s;
  return out;
}

bool is_period(std::string_view p) {
  if (p == "adhoc") return true;
  auto digits = [](std::string_view s) { return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }); };
  const auto year_in_range = [&] {
    return p.substr(0, 4) >= std::to_string(kYear.least) && p.substr(0, 4) <= std::to_string(kYear.most);
  };
  if (p.size() == 4) return digits(p) && year_in_range();
  return p.size() == 7 && digits(p.substr(0, 4)) && p.substr(4) == "-H1" && year_in_range();
}

std::string date_range_text() { return fmt::format("a date YYYY-MM-DD from {} to {}", kFirstDate, kLastDate); }

// An integer within [least, most] of `limit`, or why not.
Result<std::int64_t> integer_value(const Context& c, const std::string& where, const json& v, const Limit& limit,
                                   const char* expected) {
  const auto out_of_range = [&] {
    return c.fail(where,
                  i18n::Text("expected {} from {} to {}, got {}", expected, limit.least, limit.most, describe(v)));
  };
  if (!v.is_number_integer()) return c.fail(where, i18n::Text("expected {}, got {}", expected, describe(v)));
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(limit.most)) return out_of_range();
  const std::int64_t n = v.get<std::int64_t>();
  if (n < limit.least || n > limit.most) return out_of_range();
  return n;
}

bool is_subject(std::string_view s);

Result<json> check_field(const Context& c, const std::string& where, const FieldSpec& spec, const json& v) {
  switch (spec.type) {
    case Type::text:
    case Type::opt_text: {
      auto t = text_value(c, where, v, spec.type == Type::opt_text, spec.limit.chars);
      if (!t) return std::unexpected(t.error());
      return json(*t);
    }
    case Type::count:
    case Type::natural:
    case Type::year: {
      auto n = integer_value(c, where, v, spec.limit, spec.type == Type::year ? "a year" : "an integer");
      if (!n) return std::unexpected(n.error());
      return json(*n);
    }
    case Type::number: {
      // JSON text holds no NaN or infinity (and 1e400 is refused as it is parsed); a decoded body might.
      const bool finite = v.is_number() && (!v.is_number_float() || std::isfinite(v.get<double>()));
      if (!finite) return c.fail(where, i18n::Text("expected a number, got {}", describe(v)));
      if (v.is_number_integer()) {
        auto n = integer_value(c, where, v, spec.limit, "a number");
        if (!n) return std::unexpected(n.error());
        return json(*n);
      }
      const double x = v.get<double>();
      if (x < static_cast<double>(spec.limit.least) || x > static_cast<double>(spec.limit.most))
        return c.fail(where, i18n::Text("expected a number from {} to {}, got {}", spec.limit.least, spec.limit.most,
                                        describe(v)));
      return json(x);
    }
    case Type::boolean:
      if (!v.is_boolean()) return c.fail(where, i18n::Text("expected true or false, got {}", describe(v)));
      return v;
    case Type::date:
      if (!v.is_string() || !is_act_date(v.get_ref<const std::string&>()))
        return c.fail(where, i18n::Text("expected {}, got {}", date_range_text(), describe(v)));
      return v;
    case Type::period:
      if (!v.is_string() || !is_period(v.get_ref<const std::string&>()))
        return c.fail(where, i18n::Text("expected YYYY-H1, YYYY (years {} to {}) or adhoc, got {}", kYear.least,
                                        kYear.most, describe(v)));
      return v;
    case Type::fingerprint: {
      const std::string* s = v.is_string() ? v.get_ptr<const std::string*>() : nullptr;
      if (!s || s->size() != 64 ||
          !std::all_of(s->begin(), s->end(), [](char ch) { return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'); }))
        return c.fail(where,
                      i18n::Text("expected a SHA-256 fingerprint (64 lower-case hex digits), got {}", describe(v)));
      return v;
    }
    case Type::choice:
      if (!v.is_string() || !in(spec.allowed, v.get_ref<const std::string&>()))
        return c.fail(where, i18n::Text("expected one of {}, got {}", join(spec.allowed), describe(v)));
      return v;
    case Type::choices:
    case Type::texts: {
      if (!v.is_array()) return c.fail(where, i18n::Text("expected a list, got {}", describe(v)));
      if (auto s = check_items(c, where, v.size(), spec.limit.items); !s) return std::unexpected(s.error());
      json out = json::array();
      for (std::size_t i = 0; i < v.size(); ++i) {
        FieldSpec item{spec.name, spec.type == Type::choices ? Type::choice : Type::text, true, spec.allowed, spec.limit};
        auto r = check_field(c, fmt::format("{}[{}]", where, i), item, v[i]);
        if (!r) return r;
        out.push_back(std::move(*r));
      }
      return out;
    }
    case Type::members: {
      if (v.is_number_integer()) return check_field(c, where, {spec.name, Type::natural, false, {}, spec.limit}, v);
      if (v.is_array()) return check_field(c, where, {spec.name, Type::texts, false, {}, spec.limit}, v);
      return c.fail(where, i18n::Text("expected a number of members or a list of member units, got {}", describe(v)));
    }
    case Type::criteria: {
      if (!v.is_array() || v.empty())
        return c.fail(where, i18n::Text("expected a non-empty list of {id, text}, got {}", describe(v)));
      if (auto s = check_items(c, where, v.size(), spec.limit.items); !s) return std::unexpected(s.error());
      json out = json::array();
      for (std::size_t i = 0; i < v.size(); ++i) {
        std::string w = fmt::format("{}[{}]", where, i);
        if (!v[i].is_object()) return c.fail(w, i18n::Text("expected {id, text}, got {}", describe(v[i])));
        json item = json::object();
        for (const auto& [k, x] : v[i].items()) {
          if (k != "id" && k != "text")
            return c.fail(field_name(w, k), i18n::Text("unknown field (expected id, text)"));
          auto t = text_value(c, w + "." + k, x, k == "text", k == "id" ? kCode.chars : spec.limit.chars);
          if (!t) return std::unexpected(t.error());
          item[k] = *t;
        }
        if (!item.contains("id")) return c.fail(w + ".id", i18n::Text("missing"));
        out.push_back(std::move(item));
      }
      return out;
    }
    case Type::text_map: {
      if (!v.is_object())
        return c.fail(where, i18n::Text("expected an object (subject id -> unit), got {}", describe(v)));
      if (auto s = check_items(c, where, v.size(), spec.limit.items); !s) return std::unexpected(s.error());
      json out = json::object();
      for (const auto& [k, x] : v.items()) {
        if (!is_subject(k))
          return c.fail(field_name(where, k), i18n::Text("expected a subject id (1-64 of A-Z a-z 0-9 - _ /)"));
        auto t = text_value(c, field_name(where, k), x, false, spec.limit.chars);
        if (!t) return std::unexpected(t.error());
        out[k] = *t;
      }
      return out;
    }
    case Type::record: {
      if (!v.is_object())
        return c.fail(where, i18n::Text("expected an object (a subject's record), got {}", describe(v)));
      std::size_t n = 0;
      try {
        n = v.dump().size();
      } catch (const json::exception&) {  // a decoded body may hold any bytes
        return c.fail(where, i18n::Text("holds text that is not valid UTF-8"));
      }
      if (n > spec.limit.chars)
        return c.fail(where, i18n::Text("{} bytes as JSON, more than the limit of {}", n, spec.limit.chars));
      return v;
    }
  }
  return c.fail(where, i18n::Text("unsupported field type"));
}

Result<json> check_data(const Context& c, const std::string& kind, const json& data) {
  const auto& spec = act_specs().find(kind)->second;
  if (!data.is_object()) return c.fail("data", i18n::Text("expected an object, got {}", describe(data)));
  json out = json::object();
  for (const auto& [key, value] : data.items()) {
    auto it = std::find_if(spec.begin(), spec.end(), [&](const FieldSpec& f) { return key == f.name; });
    if (it == spec.end()) {
      std::vector<std::string> names;
      for (const auto& f : spec) names.emplace_back(f.name);
      return c.fail(field_name("data", key), i18n::Text("unknown field for {} (expected {})", kind,
                                                        names.empty() ? std::string("no fields") : join(names)));
    }
    if (value.is_null() && !it->required) continue;
    auto v = check_field(c, "data." + key, *it, value);
    if (!v) return v;
    out[key] = std::move(*v);
  }
  for (const auto& f : spec)
    if (f.required && !out.contains(f.name))
      return c.fail(std::string("data.") + f.name, i18n::Text("missing (required for {})", kind));
  return out;
}

bool is_subject(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
           ch == '_' || ch == '/';
  });
}

// The checks of an act's envelope that do not depend on where it was read from (JSON or a stored body).
Status check_envelope(const Context& c, const Act& act) {
  if (!is_known_act(act.act))
    return c.fail("act", i18n::Text("unknown act \"{}\" (see acts.md for the list)", shown(act.act)));
  if (!is_subject(act.subject))
    return c.fail("subject", i18n::Text("expected 1-64 of A-Z a-z 0-9 - _ /, got {}", describe(act.subject)));
  if (is_registry_act(act.act) != (act.subject == kLedgerSubject))
    return c.fail("subject", is_registry_act(act.act)
                                 ? i18n::Text("registry and records acts use the subject \"ledger\"")
                                 : i18n::Text("\"ledger\" is reserved for registry and records acts"));
  if (!is_act_date(act.date))
    return c.fail("date", i18n::Text("expected {}, got {}", date_range_text(), describe(act.date)));
  for (const auto& [where, text, most] : {std::tuple{"document.number", &act.document.number, kMaxDocumentNumber},
                                          std::tuple{"document.title", &act.document.title, kMaxDocumentTitle},
                                          std::tuple{"document.issuer", &act.document.issuer, kMaxUnitName},
                                          std::tuple{"authority.unit", &act.authority.unit, kMaxUnitName}})
    if (auto s = check_chars(c, where, *text, most); !s) return s;
  if (!act.authority.level.empty() && !in(kLevels, act.authority.level))
    return c.fail("authority.level",
                  i18n::Text("expected one of {}, got {}", join(kLevels), describe(act.authority.level)));
  return {};
}

// The checks of one attachment's fields, wherever it was read from; `where` names it ("attachments[2]").
Status check_attachment(const Context& c, const std::string& where, const Act::Attachment& a) {
  if (a.item.empty()) return c.fail(where + ".item", i18n::Text("missing (the dossier item code)"));
  if (auto s = check_chars(c, where + ".item", a.item, kMaxItem); !s) return s;
  if (auto s = check_chars(c, where + ".media_type", a.media_type, kMaxMediaType); !s) return s;
  if (a.size > kMaxStatedSize)
    return c.fail(where + ".size",
                  i18n::Text("{} bytes, more than the limit of {}", a.size, signing::byte_limit_text(kMaxStatedSize)));
  return {};
}

Status check_attachment_count(const Context& c, std::size_t n) {
  if (n > kMaxAttachments)
    return c.fail("attachments", i18n::Text("{} attachments, more than the limit of {}", n, kMaxAttachments));
  return {};
}

// The file an attachment names, read for signing: a regular file of at most kMaxAttachmentBytes, and no private
// key. `budget` is what the act's earlier attachments left of kMaxAttachmentsBytes; this one is taken from it.
Result<Bytes> read_attachment(const Context& c, const std::string& where, const std::filesystem::path& path,
                              std::size_t& budget) {
  auto bytes = signing::read_user_file(path.string(), kMaxAttachmentBytes, N_("attachment"));
  if (!bytes) return c.fail(where, text_of(bytes.error()));
  if (bytes->size() > budget)
    return c.fail(where, i18n::Text("{}: with it the act's attachments exceed the limit of {} together", path.string(),
                                    signing::byte_limit_text(kMaxAttachmentsBytes)));
  if (auto why = signing::private_key_material(*bytes))
    return c.fail(where, i18n::Text("{}: {}; a private key is never attached to an act", path.string(), *why));
  budget -= bytes->size();
  return bytes;
}

Result<Act> check_act(const json& j, const std::string& source, const std::filesystem::path& base_dir,
                      ActInput* input) {
  Context c{source};
  if (!j.is_object()) return bad_input(i18n::Text("{}: an act must be a JSON object", source));
  static const std::set<std::string, std::less<>> kTop = {"act", "subject", "date", "document", "authority",
                                                          "attachments", "data"};
  for (const auto& [key, _] : j.items())
    if (!kTop.contains(key))
      return c.fail(shown(key),
                    i18n::Text("unknown field (expected act, subject, date, document, authority, attachments, data)"));
  Act act;
  if (!j.contains("act")) return c.fail("act", i18n::Text("missing"));
  if (!j["act"].is_string()) return c.fail("act", i18n::Text("expected text, got {}", describe(j["act"])));
  act.act = j["act"].get<std::string>();
  if (!j.contains("subject")) return c.fail("subject", i18n::Text("missing"));
  if (!j["subject"].is_string())
    return c.fail("subject", i18n::Text("expected 1-64 of A-Z a-z 0-9 - _ /, got {}", describe(j["subject"])));
  act.subject = j["subject"].get<std::string>();
  if (!j.contains("date")) return c.fail("date", i18n::Text("missing"));
  if (!j["date"].is_string())
    return c.fail("date", i18n::Text("expected {}, got {}", date_range_text(), describe(j["date"])));
  act.date = j["date"].get<std::string>();

  auto text_fields = [&](const char* name, std::initializer_list<std::pair<const char*, std::string*>> fields) -> Status {
    if (!j.contains(name)) return {};
    const json& o = j[name];
    if (!o.is_object()) return c.fail(name, i18n::Text("expected an object, got {}", describe(o)));
    for (const auto& [key, value] : o.items()) {
      auto it = std::find_if(fields.begin(), fields.end(), [&](const auto& f) { return key == f.first; });
      if (it == fields.end()) {
        std::string names;
        for (const auto& f : fields) names += (names.empty() ? "" : ", ") + std::string(f.first);
        return c.fail(field_name(name, key), i18n::Text("unknown field (expected {})", names));
      }
      // The length is checked by check_envelope, after every field is read.
      auto t = text_value(c, std::string(name) + "." + key, value, true, std::numeric_limits<std::size_t>::max());
      if (!t) return std::unexpected(t.error());
      *it->second = *t;
    }
    return {};
  };
  if (auto s = text_fields("document", {{"number", &act.document.number}, {"title", &act.document.title},
                                        {"issuer", &act.document.issuer}}); !s)
    return std::unexpected(s.error());
  if (auto s = text_fields("authority", {{"level", &act.authority.level}, {"unit", &act.authority.unit}}); !s)
    return std::unexpected(s.error());
  if (auto s = check_envelope(c, act); !s) return std::unexpected(s.error());

  if (j.contains("attachments")) {
    const json& list = j["attachments"];
    if (!list.is_array()) return c.fail("attachments", i18n::Text("expected a list, got {}", describe(list)));
    // Counted before any file is read.
    if (auto s = check_attachment_count(c, list.size()); !s) return std::unexpected(s.error());
    std::size_t budget = kMaxAttachmentsBytes;
    for (std::size_t i = 0; i < list.size(); ++i) {
      std::string w = fmt::format("attachments[{}]", i);
      const json& a = list[i];
      if (!a.is_object()) return c.fail(w, i18n::Text("expected an object, got {}", describe(a)));
      Act::Attachment att;
      std::optional<std::string> path;
      bool has_sha = false, has_size = false;
      for (const auto& [key, value] : a.items()) {
        if (key == "item" || key == "media_type" || key == "path") {
          auto t = text_value(c, w + "." + key, value, false,
                              key == "path" ? kMaxPath : key == "item" ? kMaxItem : kMaxMediaType);
          if (!t) return std::unexpected(t.error());
          if (key == "item") att.item = *t;
          else if (key == "media_type") att.media_type = *t;
          else path = *t;
        } else if (key == "sha256") {
          auto d = value.is_string() ? digest_from_hex(value.get_ref<const std::string&>()) : std::nullopt;
          if (!d) return c.fail(w + ".sha256", i18n::Text("expected 64 hex digits, got {}", describe(value)));
          att.sha256 = *d;
          has_sha = true;
        } else if (key == "size") {
          // A non-negative integer (JSON text gives it unsigned; a program may build it signed).
          if (!value.is_number_integer() || (!value.is_number_unsigned() && value.get<std::int64_t>() < 0))
            return c.fail(w + ".size", i18n::Text("expected a size in bytes, got {}", describe(value)));
          att.size = value.get<std::uint64_t>();
          has_size = true;
        } else {
          return c.fail(field_name(w, key),
                        i18n::Text("unknown field (expected item, path, media_type, sha256, size)"));
        }
      }
      if (att.media_type.empty()) att.media_type = "application/octet-stream";
      if (auto s = check_attachment(c, w, att); !s) return std::unexpected(s.error());
      std::filesystem::path source;
      if (path) {
        if (has_sha || has_size) return c.fail(w, i18n::Text("give either path, or sha256 and size, not both"));
        // Relative to the act's own file, not to wherever the signer happens to be.
        source = *path;
        if (source.is_relative()) source = base_dir / source;
        auto bytes = read_attachment(c, w + ".path", source, budget);
        if (!bytes) return std::unexpected(bytes.error());
        att.sha256 = sha256(*bytes);
        att.size = bytes->size();
        input->attachment_contents.push_back(std::move(*bytes));
      } else if (!has_sha || !has_size) {
        return c.fail(w, i18n::Text("needs path, or sha256 and size"));
      }
      input->attachment_sources.push_back(std::move(source));
      act.attachments.push_back(std::move(att));
    }
  }
  static const json kNoData = json::object();
  auto data = check_data(c, act.act, j.contains("data") ? j["data"] : kNoData);  // never a copy of what was given
  if (!data) return std::unexpected(data.error());
  act.data = std::move(*data);
  // Personal data goes into attachments, which a disposal can erase, never into `data`, which the log keeps for
  // ever (retention.md): an individual exemplar's name is filed in its dossier, not written here. Acts signed before
  // this rule still decode (decode_body does not apply it).
  if (act.act == "exemplar.surveyed") {
    const bool individual = act.data.value("holder_kind", "") == "individual";
    if (individual && act.data.contains("holder"))
      return c.fail("data.holder", i18n::Text("an individual's name is personal data, which the log would keep for "
                                              "ever: leave it out and file it in the exemplar's dossier (an "
                                              "attachment, item E1), which a disposal can erase"));
    if (!individual && !act.data.contains("holder"))
      return c.fail("data.holder", i18n::Text("missing (required for a collective exemplar: the collective's name)"));
  }
  return act;
}

// ---- Cap'n Proto <-> Act -------------------------------------------------------------------------------------

void build_value(schema::Value::Builder b, const json& v);

void build_fields(capnp::List<schema::Field>::Builder list, const json& object) {
  unsigned i = 0;
  for (const auto& [key, value] : object.items()) {  // nlohmann::json objects iterate in key order
    auto f = list[i++];
    f.setKey(key);
    build_value(f.initValue(), value);
  }
}

void build_value(schema::Value::Builder b, const json& v) {
  if (v.is_null()) b.setNull();
  else if (v.is_boolean()) b.setBool(v.get<bool>());
  else if (v.is_number_integer()) b.setInt(v.get<std::int64_t>());
  else if (v.is_number_float()) b.setFloat(v.get<double>());
  else if (v.is_string()) b.setText(v.get<std::string>());
  else if (v.is_array()) {
    auto list = b.initList(static_cast<unsigned>(v.size()));
    for (unsigned i = 0; i < v.size(); ++i) build_value(list[i], v[i]);
  } else {
    build_fields(b.initObject(static_cast<unsigned>(v.size())), v);
  }
}

json read_value(schema::Value::Reader r, int depth);

Result<json> read_fields(capnp::List<schema::Field>::Reader list, int depth) {
  json out = json::object();
  std::string previous;
  for (auto f : list) {
    std::string key = f.getKey();
    if (!out.empty() && key <= previous) return bad_input(i18n::Text("fields are not sorted by key or repeat a key"));
    previous = key;
    out[key] = read_value(f.getValue(), depth + 1);
    if (out[key].is_discarded()) return bad_input(i18n::Text("value nested too deeply"));
  }
  return out;
}

json read_value(schema::Value::Reader r, int depth) {
  if (depth > 16) return json(json::value_t::discarded);
  switch (r.which()) {
    case schema::Value::NULL_: return nullptr;
    case schema::Value::BOOL: return r.getBool();
    case schema::Value::INT: return r.getInt();
    case schema::Value::FLOAT: return r.getFloat();
    case schema::Value::TEXT: return std::string(r.getText());
    case schema::Value::LIST: {
      json out = json::array();
      for (auto x : r.getList()) out.push_back(read_value(x, depth + 1));
      return out;
    }
    case schema::Value::OBJECT: {
      auto o = read_fields(r.getObject(), depth);
      return o ? *o : json(json::value_t::discarded);
    }
  }
  return json(json::value_t::discarded);
}

}  // namespace

// ---- the limits as docs/act-limits.md lists them ------------------------------------------------------------

namespace {

std::string chars_text(std::size_t n) { return "at most " + std::to_string(n) + " characters"; }
std::string items_text(std::size_t n) { return "at most " + std::to_string(n) + " items"; }
std::string range_text(const Limit& l) { return "from " + std::to_string(l.least) + " to " + std::to_string(l.most); }

// What limits a field of `data` of `spec`'s type, or "" for one whose form bounds it (choices, booleans,
// fingerprints, periods).
std::string limit_text(const FieldSpec& spec) {
  const Limit& l = spec.limit;
  switch (spec.type) {
    case Type::text:
    case Type::opt_text: return "text, " + chars_text(l.chars);
    case Type::count:
    case Type::natural: return "integer " + range_text(l);
    case Type::year: return "year " + range_text(l);
    case Type::number: return "number " + range_text(l) + " (finite)";
    case Type::date: return fmt::format("date from {} to {}", kFirstDate, kLastDate);
    case Type::choices: return "list of choices, " + items_text(l.items);
    case Type::texts: return "list, " + items_text(l.items) + ", each " + chars_text(l.chars);
    case Type::members:
      return "integer " + range_text(l) + ", or list, " + items_text(l.items) + ", each " + chars_text(l.chars);
    case Type::criteria:
      return "list, " + items_text(l.items) + ", each id " + chars_text(kCode.chars) + " and text " + chars_text(l.chars);
    case Type::text_map:
      return "object, " + items_text(l.items) + ", each key a subject id (" + chars_text(kSubjectKey) + ") and value " +
             chars_text(l.chars);
    case Type::record: return "object, at most " + std::to_string(l.chars) + " bytes as JSON";
    case Type::boolean:
    case Type::choice:
    case Type::period:
    case Type::fingerprint: return "";
  }
  return "";
}

}  // namespace

std::vector<FieldLimitRow> act_field_limits() {
  std::vector<FieldLimitRow> rows = {
      {"(the act's JSON)", "at most " + signing::byte_limit_text(kMaxActJsonBytes) + ", arrays and objects nested at most " +
                               std::to_string(kMaxJsonDepth) + " deep", ""},
      {"(the encoded body)", "at most " + signing::byte_limit_text(kMaxBodyBytes), ""},
      {"date", fmt::format("date from {} to {}, not later than the day of signing or admission", kFirstDate, kLastDate), ""},
      {"document.number", "text, " + chars_text(kMaxDocumentNumber), ""},
      {"document.title", "text, " + chars_text(kMaxDocumentTitle), ""},
      {"document.issuer", "text, " + chars_text(kMaxUnitName), ""},
      {"authority.unit", "text, " + chars_text(kMaxUnitName), ""},
      {"attachments", "at most " + std::to_string(kMaxAttachments) + " attachments", ""},
      {"attachments[].item", "text, " + chars_text(kMaxItem), ""},
      {"attachments[].media_type", "text, " + chars_text(kMaxMediaType), ""},
      {"attachments[].path", "text, " + chars_text(kMaxPath) + "; a regular file of at most " +
                                 signing::byte_limit_text(kMaxAttachmentBytes) + ", " +
                                 signing::byte_limit_text(kMaxAttachmentsBytes) + " for all of an act's files; no private key", ""},
      {"attachments[].size", "at most " + signing::byte_limit_text(kMaxStatedSize), ""},
  };
  // data fields: one row per field and limit, naming the act kinds that have it.
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> kinds;
  std::vector<std::pair<std::string, std::string>> order;
  for (const auto& [kind, spec] : act_specs())
    for (const FieldSpec& f : spec) {
      std::string limit = limit_text(f);
      if (limit.empty()) continue;
      auto key = std::pair{std::string("data.") + f.name, limit};
      if (!kinds.contains(key)) order.push_back(key);
      kinds[key].push_back(kind);
    }
  std::sort(order.begin(), order.end());
  for (const auto& key : order) {
    std::string acts;
    for (const auto& k : kinds[key]) acts += (acts.empty() ? "" : ", ") + k;
    rows.push_back({key.first, key.second, acts});
  }
  return rows;
}

// ---- public --------------------------------------------------------------------------------------------------

const std::vector<std::string>& known_acts() {
  static const std::vector<std::string> kinds = [] {
    std::vector<std::string> v;
    for (const auto& [k, _] : act_specs()) v.push_back(k);
    return v;
  }();
  return kinds;
}

bool is_known_act(std::string_view kind) { return act_specs().contains(kind); }

const std::vector<std::string>& unit_kinds() { return kUnitKinds; }

bool is_registry_act(std::string_view kind) {
  return kind.starts_with("authority.") || kind == "profile.adopted" || kind.starts_with("record.") ||
         kind.starts_with("archive.") || kind.starts_with("trust.") || kind.starts_with("retention.") ||
         kind.starts_with("access.") || kind.starts_with("unit.") || kind == "ledger.predecessor-sealed";
}

namespace {

// The quick check of UAX #15 for the Latin and Vietnamese text this ledger holds: true when every code point is
// below U+0300 (Latin up to Latin Extended-B) or in Latin Extended Additional (U+1E00-U+1EFF, the precomposed
// Vietnamese letters). These have NFC_Quick_Check=Yes and combining class 0, so such a text is NFC as it stands.
// false when some other code point needs utf8proc to tell; nullopt when the text is not UTF-8 or has a NUL.
std::optional<bool> nfc_quick(std::string_view text) {
  for (std::size_t at = 0; at < text.size();) {
    const auto byte = static_cast<unsigned char>(text[at]);
    if (byte != 0 && byte < 0x80) {  // ASCII, most bytes of most fields
      ++at;
      continue;
    }
    utf8proc_int32_t cp = 0;
    auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + at),
                              static_cast<utf8proc_ssize_t>(text.size() - at), &cp);
    if (n <= 0 || cp == 0) return std::nullopt;
    if (cp >= 0x300 && (cp < 0x1E00 || cp > 0x1EFF)) return false;
    at += static_cast<std::size_t>(n);
  }
  return true;
}

// The NFC of `text` by utf8proc, for what nfc_quick cannot tell; nullopt when the text is not UTF-8 or has a NUL.
std::optional<std::string> nfc_by_utf8proc(std::string_view text) {
  std::string copy(text);  // utf8proc wants a NUL-terminated string
  if (copy.find('\0') != std::string::npos) return std::nullopt;
  utf8proc_uint8_t* out = utf8proc_NFC(reinterpret_cast<const utf8proc_uint8_t*>(copy.c_str()));
  if (!out) return std::nullopt;
  std::string result(reinterpret_cast<char*>(out));
  std::free(out);
  return result;
}

}  // namespace

std::optional<std::string> nfc(std::string_view text) {
  auto quick = nfc_quick(text);
  if (!quick) return std::nullopt;
  if (*quick) return std::string(text);
  return nfc_by_utf8proc(text);
}

std::optional<bool> is_nfc(std::string_view text) {
  auto quick = nfc_quick(text);
  if (!quick || *quick) return quick;
  auto normal = nfc_by_utf8proc(text);
  if (!normal) return std::nullopt;
  return *normal == text;
}

bool is_date(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (t[i] < '0' || t[i] > '9') return false;
  if (t < "1900") return false;
  return signing::parse_time(t).has_value();  // a day that exists (no February 30)
}

bool is_act_date(std::string_view text) { return is_date(text) && text >= kFirstDate && text <= kLastDate; }

Status check_document_date(const Act& act, signing::UnixTime at, std::string_view event) {
  const std::string day = signing::format_vietnam_time(at).substr(0, 10);
  if (act.date <= day) return {};
  return bad_input(i18n::Text("date: the document is dated {}, later than the day of its {} ({}, Vietnam time)",
                              act.date, i18n::Text::word(std::string(event)), day));
}

Result<ActInput> act_from_json(const nlohmann::json& j, const std::string& source,
                               const std::filesystem::path& base_dir) {
  ActInput input;
  auto act = check_act(j, source, base_dir, &input);
  if (!act) return std::unexpected(act.error());
  input.act = std::move(*act);
  return input;
}

Result<json> parse_json_nested(std::string_view text, int max_depth, const std::string& source,
                               std::size_t max_values) {
  bool too_deep = false;
  std::size_t values = 0;
  const json::parser_callback_t depth_limit = [&](int depth, json::parse_event_t event, json&) {
    const bool opens = event == json::parse_event_t::object_start || event == json::parse_event_t::array_start;
    if (opens || event == json::parse_event_t::value) ++values;
    if (values > max_values) return false;
    if (opens && depth >= max_depth) {
      too_deep = true;
      return false;
    }
    return true;
  };
  json j;
  try {
    j = json::parse(text, depth_limit);
  } catch (const json::parse_error& e) {
    return bad_input(i18n::Text("{}: malformed JSON at byte {}", source, e.byte));
  } catch (const json::exception& e) {
    // A number too large for a double (1e400): out_of_range 406, "number overflow parsing '1e400'".
    std::string what = e.what();
    if (auto bracket = what.find("] "); bracket != std::string::npos) what = what.substr(bracket + 2);
    return bad_input(i18n::Text("{}: {}", source, shown(what)));
  }
  if (values > max_values) return bad_input(i18n::Text("{}: more than {} values", source, max_values));
  if (too_deep)
    return bad_input(i18n::Text("{}: nested deeper than {} levels of arrays and objects", source, max_depth));
  return j;
}

Result<ActInput> parse_act(std::string_view text, const std::string& source, const std::filesystem::path& base_dir) {
  if (text.size() > kMaxActJsonBytes)
    return bad_input(i18n::Text("{}: {} bytes, more than the limit of {} for an act", source, text.size(),
                                signing::byte_limit_text(kMaxActJsonBytes)));
  auto j = parse_json_nested(text, kMaxJsonDepth, source);
  if (!j) return std::unexpected(j.error());
  return act_from_json(*j, source, base_dir);
}

nlohmann::json act_to_json(const Act& act) {
  json j = {{"act", act.act}, {"subject", act.subject}, {"date", act.date}};
  j["document"] = {{"number", act.document.number}, {"title", act.document.title}, {"issuer", act.document.issuer}};
  j["authority"] = {{"level", act.authority.level}, {"unit", act.authority.unit}};
  j["attachments"] = json::array();
  for (const auto& a : act.attachments)
    j["attachments"].push_back(
        {{"item", a.item}, {"media_type", a.media_type}, {"sha256", to_hex(a.sha256)}, {"size", a.size}});
  j["data"] = act.data;
  return j;
}

namespace {

// ---- the canonical form of a body, written directly (canonical.hpp) ---------------------------------------------

// A Value's data words (the union's discriminant, the bool at bit 16, an Int64 or Float64 in the second word) and
// whether its pointer is used (text, list, object), as build_value sets them.
struct ValueWords {
  std::uint64_t data[2] = {0, 0};
  bool pointer = false;
};

ValueWords value_words(const json& v) {
  auto which = [](schema::Value::Which w) { return static_cast<std::uint64_t>(w); };
  if (v.is_null()) return {{which(schema::Value::NULL_), 0}, false};
  if (v.is_boolean()) return {{which(schema::Value::BOOL) | (std::uint64_t{v.get<bool>()} << 16), 0}, false};
  if (v.is_number_integer()) return {{which(schema::Value::INT), static_cast<std::uint64_t>(v.get<std::int64_t>())}, false};
  if (v.is_number_float()) return {{which(schema::Value::FLOAT), std::bit_cast<std::uint64_t>(v.get<double>())}, false};
  if (v.is_string()) return {{which(schema::Value::TEXT), 0}, true};
  if (v.is_array()) return {{which(schema::Value::LIST), 0}, true};
  return {{which(schema::Value::OBJECT), 0}, true};
}

void write_fields(CanonicalWriter& w, std::size_t slot, const json& object);

// What a Value's pointer (at `slot`) points at: its text, or its list of values, or its fields.
void write_value_target(CanonicalWriter& w, std::size_t slot, const json& v) {
  if (v.is_string()) {
    w.add_text(slot, v.get_ref<const std::string&>());
  } else if (v.is_array()) {
    unsigned data_words = 0, pointers = 0;
    for (const json& x : v) {
      const ValueWords words = value_words(x);
      data_words = std::max(data_words, CanonicalWriter::truncated(words.data));
      if (words.pointer) pointers = 1;
    }
    const std::size_t first = w.add_struct_list(slot, v.size(), data_words, pointers);
    for (std::size_t i = 0; i < v.size(); ++i) {
      const std::size_t at = first + i * (data_words + pointers);
      const ValueWords words = value_words(v[i]);
      for (unsigned d = 0; d < data_words; ++d) w.word(at + d) = words.data[d];
      if (words.pointer) write_value_target(w, at + data_words, v[i]);
    }
  } else {
    write_fields(w, slot, v);
  }
}

void write_fields(CanonicalWriter& w, std::size_t slot, const json& object) {
  const std::size_t first = w.add_struct_list(slot, object.size(), 0, 2);
  std::size_t at = first;
  for (const auto& [key, value] : object.items()) {  // in key order, as build_fields writes them
    w.add_text(at, key);
    const ValueWords words = value_words(value);
    const std::size_t pointers = w.add_struct(at + 1, words.data, words.pointer ? 1 : 0);
    if (words.pointer) write_value_target(w, pointers, value);
    at += 2;
  }
}

// The bytes encode_body makes of `act`, written into `w`, valid until its next use.
ByteView canonical_body(CanonicalWriter& w, const Act& act) {
  w.start();
  const std::size_t body = w.add_struct(0, {}, 7);
  w.add_text(body, act.act);
  w.add_text(body + 1, act.subject);
  w.add_text(body + 2, act.date);
  const std::size_t doc = w.add_struct(body + 3, {}, 3);
  w.add_text(doc, act.document.number);
  w.add_text(doc + 1, act.document.title);
  w.add_text(doc + 2, act.document.issuer);
  const std::size_t auth = w.add_struct(body + 4, {}, 2);
  w.add_text(auth, act.authority.level);
  w.add_text(auth + 1, act.authority.unit);
  unsigned data_words = 0;  // an attachment's size, dropped when every size is 0
  for (const auto& a : act.attachments)
    if (a.size != 0) data_words = 1;
  const std::size_t first = w.add_struct_list(body + 5, act.attachments.size(), data_words, 3);
  for (std::size_t i = 0; i < act.attachments.size(); ++i) {
    const auto& a = act.attachments[i];
    const std::size_t at = first + i * (data_words + 3);
    if (data_words != 0) w.word(at) = a.size;
    w.add_text(at + data_words, a.item);
    w.add_text(at + data_words + 1, a.media_type);
    w.add_data(at + data_words + 2, a.sha256);
  }
  write_fields(w, body + 6, act.data);
  return w.bytes();
}

}  // namespace

Bytes encode_body(const Act& act) {
  capnp::MallocMessageBuilder message;
  auto b = message.initRoot<schema::ActBody>();
  b.setAct(act.act);
  b.setSubject(act.subject);
  b.setDate(act.date);
  auto doc = b.initDocument();
  doc.setNumber(act.document.number);
  doc.setTitle(act.document.title);
  doc.setIssuer(act.document.issuer);
  auto auth = b.initAuthority();
  auth.setLevel(act.authority.level);
  auth.setUnit(act.authority.unit);
  auto atts = b.initAttachments(static_cast<unsigned>(act.attachments.size()));
  for (unsigned i = 0; i < act.attachments.size(); ++i) {
    const auto& a = act.attachments[i];
    atts[i].setItem(a.item);
    atts[i].setMediaType(a.media_type);
    atts[i].setSha256(kj::arrayPtr(a.sha256.data(), a.sha256.size()));
    atts[i].setSize(a.size);
  }
  build_fields(b.initData(static_cast<unsigned>(act.data.size())), act.data);
  return canonical_bytes(b.asReader());
}

bool is_body_of(const Act& act, ByteView bytes) {
  return std::ranges::equal(canonical_body(thread_canonical_writer(), act), bytes);
}

Result<Act> decode_body(ByteView bytes) {
  // The envelope is read straight into an Act and checked as check_act checks it; `data` goes through check_data.
  // Then the body must be the one encode_body makes of that act: canonical, every value in its place, text in NFC.
  Context c{"body"};
  if (bytes.size() > kMaxBodyBytes)
    return bad_input(i18n::Text("body: {} bytes, more than the limit of {} for an act", bytes.size(),
                                signing::byte_limit_text(kMaxBodyBytes)));
  auto not_canonical = [] {
    return bad_input(i18n::Text("body: not the canonical encoding of its act (text not NFC, or bytes out of place)"));
  };
  try {
    FlatReader reader(bytes);
    auto r = reader.root<schema::ActBody>();
    Act act;
    // Text is kept as stored: it must be valid UTF-8 and already in NFC.
    auto text = [&](capnp::Text::Reader t, std::string& out, const char* where) -> Status {
      out.assign(t.begin(), t.size());
      auto normal = is_nfc(out);
      if (!normal) return c.fail(where, i18n::Text("text is not valid UTF-8"));
      if (!*normal) return not_canonical();
      return {};
    };
    auto doc = r.getDocument();
    auto auth = r.getAuthority();
    for (Status s : {text(r.getAct(), act.act, "act"), text(r.getSubject(), act.subject, "subject"),
                     text(r.getDate(), act.date, "date"), text(doc.getNumber(), act.document.number, "document.number"),
                     text(doc.getTitle(), act.document.title, "document.title"),
                     text(doc.getIssuer(), act.document.issuer, "document.issuer"),
                     text(auth.getLevel(), act.authority.level, "authority.level"),
                     text(auth.getUnit(), act.authority.unit, "authority.unit")})
      if (!s) return std::unexpected(s.error());
    if (auto s = check_envelope(c, act); !s) return std::unexpected(s.error());
    if (auto s = check_attachment_count(c, r.getAttachments().size()); !s) return std::unexpected(s.error());
    unsigned i = 0;
    for (auto a : r.getAttachments()) {
      const std::string where = fmt::format("attachments[{}]", i++);
      Act::Attachment att;
      if (auto s = text(a.getItem(), att.item, "attachments.item"); !s) return std::unexpected(s.error());
      if (auto s = text(a.getMediaType(), att.media_type, "attachments.media_type"); !s) return std::unexpected(s.error());
      if (a.getSha256().size() != att.sha256.size())
        return bad_input(i18n::Text("body: attachment sha256 is not 32 bytes"));
      std::ranges::copy(a.getSha256(), att.sha256.begin());
      att.size = a.getSize();
      if (auto s = check_attachment(c, where, att); !s) return std::unexpected(s.error());
      if (att.media_type.empty()) return not_canonical();  // encode_body never writes an empty media type
      act.attachments.push_back(std::move(att));
    }
    auto data = read_fields(r.getData(), 0);
    if (!data) return bad_input(i18n::Text("body: data: {}", text_of(data.error())));
    auto checked = check_data(c, act.act, *data);
    if (!checked) return std::unexpected(checked.error());
    act.data = std::move(*checked);
    if (!is_body_of(act, bytes)) return not_canonical();
    return act;
  } catch (const kj::Exception& e) {
    return bad_input(i18n::Text("body: malformed Cap'n Proto: {}", e.getDescription().cStr()));
  } catch (const json::exception& e) {
    // Text that is not UTF-8 reaches here when a message about it is formatted.
    return bad_input(i18n::Text("body: a text field is not valid UTF-8 ({})", e.what()));
  }
}

}  // namespace antq::ledger
