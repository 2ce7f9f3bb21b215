#include "projections/profile.hpp"

#include <algorithm>
#include <set>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ledger/act.hpp"
#include "projections/names.hpp"

namespace antq::projections {

// Generated at build time from projections/profiles/*.json (cmake/embed_profiles.cmake).
namespace generated {
struct ProfileFile {
  std::string_view id;
  std::string_view text;
};
extern const ProfileFile kProfileFiles[];
extern const std::size_t kProfileFileCount;
extern const ProfileFile kFrozenV1Files[];
extern const std::size_t kFrozenV1FileCount;
}  // namespace generated

namespace {

using nlohmann::json;

const std::vector<std::string> kLevels = {"good", "fair", "average", "weak"};
const std::vector<std::string> kModelTypes = {"self-managed", "linked"};

// "MM-DD" of a day that exists in some year (02-29 included).
bool is_month_day(const std::string& s) { return s.size() == 5 && s[2] == '-' && ledger::is_date("2000-" + s); }

// Reads one JSON object of a profile, naming the field on every error. Fields "cite" and "note" are allowed
// anywhere (provenance for people); any other field must be read, or `done()` refuses it.
class Fields {
 public:
  Fields(const json& object, std::string path, std::string_view file) : object_(object), path_(std::move(path)), file_(file) {}

  Status check_object() const {
    if (!object_.is_object()) return fail("", "expected an object");
    return {};
  }
  std::unexpected<Error> fail(const std::string& key, const std::string& what) const {
    std::string where = path_.empty() ? key : key.empty() ? path_ : path_ + "." + key;
    return bad_input(i18n::Text("profile {}: {}: {}", file_, where.empty() ? i18n::Text("(top)") : i18n::Text::verbatim(where), what));
  }
  std::string child(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

  Result<const json*> get(const std::string& key) {
    read_.insert(key);
    auto it = object_.find(key);
    if (it == object_.end()) return fail(key, "missing");
    return &*it;
  }
  // The object at `key`, to read its fields.
  Result<Fields> object(const std::string& key) {
    auto v = get(key);
    if (!v) return std::unexpected(v.error());
    Fields f(**v, child(key), file_);
    if (auto s = f.check_object(); !s) return std::unexpected(s.error());
    return f;
  }
  Result<std::string> text(const std::string& key) {
    auto v = get(key);
    if (!v) return std::unexpected(v.error());
    if (!(*v)->is_string() || (*v)->get<std::string>().empty()) return fail(key, "expected non-empty text");
    return (*v)->get<std::string>();
  }
  Result<std::optional<std::string>> opt_text(const std::string& key) {
    auto v = get(key);
    if (!v) return std::unexpected(v.error());
    if ((*v)->is_null()) return std::optional<std::string>();
    if (!(*v)->is_string() || (*v)->get<std::string>().empty()) return fail(key, "expected text or null");
    return std::optional<std::string>((*v)->get<std::string>());
  }
  Result<std::optional<int>> opt_int(const std::string& key, int lo, int hi) {
    auto v = get(key);
    if (!v) return std::unexpected(v.error());
    if ((*v)->is_null()) return std::optional<int>();
    if (!(*v)->is_number_integer() || (*v)->get<std::int64_t>() < lo || (*v)->get<std::int64_t>() > hi)
      return fail(key, fmt::format("expected an integer from {} to {}, or null", lo, hi));
    return std::optional<int>(static_cast<int>((*v)->get<std::int64_t>()));
  }
  Result<bool> boolean(const std::string& key) {
    auto v = get(key);
    if (!v) return std::unexpected(v.error());
    if (!(*v)->is_boolean()) return fail(key, "expected true or false");
    return (*v)->get<bool>();
  }
  Result<const json*> list(const std::string& key) {
    auto v = get(key);
    if (!v) return std::unexpected(v.error());
    if (!(*v)->is_array()) return fail(key, "expected a list");
    return *v;
  }
  // A list of texts, each one of `allowed` (any text when `allowed` is null).
  Result<std::vector<std::string>> texts(const std::string& key, const std::vector<std::string>* allowed = nullptr) {
    auto v = list(key);
    if (!v) return std::unexpected(v.error());
    std::vector<std::string> out;
    for (std::size_t i = 0; i < (*v)->size(); ++i) {
      const json& e = (**v)[i];
      std::string where = fmt::format("{}[{}]", key, i);
      if (!e.is_string()) return fail(where, "expected text");
      if (allowed && std::find(allowed->begin(), allowed->end(), e.get<std::string>()) == allowed->end())
        return fail(where, fmt::format("\"{}\" is not one of {}", e.get<std::string>(), join(*allowed)));
      out.push_back(e.get<std::string>());
    }
    return out;
  }
  Status done() const {
    for (const auto& [key, value] : object_.items())
      if (!read_.contains(key) && key != "cite" && key != "note") return fail(key, "unknown field");
    return {};
  }

  static std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
  }

 private:
  const json& object_;
  std::string path_;
  std::string_view file_;
  std::set<std::string> read_;
};

// Unwraps a Result into `target`, or returns its error from the enclosing function.
#define ANTQ_TRY(target, expr)                           \
  do {                                                   \
    auto antq_r = (expr);                                \
    if (!antq_r) return std::unexpected(antq_r.error()); \
    target = std::move(*antq_r);                         \
  } while (false)
#define ANTQ_CHECK(expr)                                 \
  do {                                                   \
    auto antq_s = (expr);                                \
    if (!antq_s) return std::unexpected(antq_s.error()); \
  } while (false)

Result<std::vector<DossierItem>> dossier_items(const json& list, const std::string& path, std::string_view file) {
  std::vector<DossierItem> out;
  if (!list.is_array()) return Fields(list, path, file).fail("", "expected a list");
  std::set<std::string> codes;
  for (std::size_t i = 0; i < list.size(); ++i) {
    Fields f(list[i], fmt::format("{}[{}]", path, i), file);
    ANTQ_CHECK(f.check_object());
    DossierItem item;
    ANTQ_TRY(item.item, f.text("item"));
    ANTQ_TRY(item.title, f.text("title"));
    ANTQ_TRY(item.en, f.text("en"));
    ANTQ_TRY(item.acts, f.texts("acts", &ledger::known_acts()));
    ANTQ_TRY(item.if_any, f.boolean("if_any"));
    ANTQ_CHECK(f.done());
    if (!codes.insert(item.item).second) return f.fail("item", "\"" + item.item + "\" appears twice");
    out.push_back(std::move(item));
  }
  return out;
}

// Format 2, `rating.raters`: null, or the kinds and levels of registered units that rate (rule `rater`).
Result<std::optional<std::vector<Rater>>> parse_raters(Fields& rating, std::string_view file) {
  const json* j = nullptr;
  ANTQ_TRY(j, rating.get("raters"));
  if (j->is_null()) return std::optional<std::vector<Rater>>();
  if (!j->is_array() || j->empty()) return rating.fail("raters", "expected a list of {kind, level, cite}, or null");
  // The unit kinds and levels of the registry (ledger/act.cpp kUnitKinds; unit.registered's level).
  static const std::vector<std::string> kKinds = {"people-committee", "steering-committee", "police", "party-committee",
                                                  "front", "department", "agency", "enterprise", "school", "other"};
  static const std::vector<std::string> kUnitLevels = {"commune", "district", "province", "ministry", "agency"};
  std::vector<Rater> out;
  for (std::size_t i = 0; i < j->size(); ++i) {
    Fields f((*j)[i], fmt::format("rating.raters[{}]", i), file);
    ANTQ_CHECK(f.check_object());
    Rater r;
    ANTQ_TRY(r.kind, f.text("kind"));
    if (std::find(kKinds.begin(), kKinds.end(), r.kind) == kKinds.end())
      return f.fail("kind", fmt::format("\"{}\" is not one of {}", r.kind, Fields::join(kKinds)));
    ANTQ_TRY(r.level, f.text("level"));
    if (std::find(kUnitLevels.begin(), kUnitLevels.end(), r.level) == kUnitLevels.end())
      return f.fail("level", fmt::format("\"{}\" is not one of {}", r.level, Fields::join(kUnitLevels)));
    ANTQ_TRY(r.cite, f.text("cite"));
    ANTQ_CHECK(f.done());
    for (const Rater& o : out)
      if (o.kind == r.kind && o.level == r.level)
        return f.fail("", fmt::format("{} of level {} is listed twice", r.kind, r.level));
    out.push_back(std::move(r));
  }
  return std::optional<std::vector<Rater>>(std::move(out));
}

Result<Rating> parse_rating(const json& j, std::string_view file, const std::vector<std::string>& types, int format) {
  Fields f(j, "rating", file);
  ANTQ_CHECK(f.check_object());
  Rating r;
  ANTQ_TRY(r.basis, f.text("basis"));
  if (r.basis != "percentage" && r.basis != "criteria") return f.fail("basis", "expected percentage or criteria");
  const json* bands = nullptr;
  ANTQ_TRY(bands, f.get("bands"));
  const json* criteria = nullptr;
  ANTQ_TRY(criteria, f.get("criteria"));
  if (r.basis == "percentage") {
    if (!bands->is_array() || bands->empty()) return f.fail("bands", "a percentage profile needs its bands");
    if (!criteria->is_null()) return f.fail("criteria", "a percentage profile has none (null)");
    for (std::size_t i = 0; i < bands->size(); ++i) {
      Fields b((*bands)[i], fmt::format("rating.bands[{}]", i), file);
      ANTQ_CHECK(b.check_object());
      RatingBand band;
      ANTQ_TRY(band.level, b.text("level"));
      if (band.level != kLevels[std::min(i, kLevels.size() - 1)])
        return b.fail("level", "bands go good, fair, average, weak in that order");
      std::optional<int> pct;
      ANTQ_TRY(pct, b.opt_int("min_pct", 0, 100));
      if (!pct) return b.fail("min_pct", "expected a percentage");
      band.min_pct = *pct;
      if (!r.bands.empty() && band.min_pct >= r.bands.back().min_pct) return b.fail("min_pct", "must fall band by band");
      ANTQ_CHECK(b.done());
      r.bands.push_back(std::move(band));
    }
    if (r.bands.size() != kLevels.size() || r.bands.back().min_pct != 0)
      return f.fail("bands", "expected the four levels, the last (weak) from 0%");
  } else {
    if (!bands->is_null()) return f.fail("bands", "a criteria profile has none (null)");
    Fields c(*criteria, "rating.criteria", file);
    ANTQ_CHECK(c.check_object());
    const json* defs = nullptr;
    ANTQ_TRY(defs, c.list("definitions"));
    for (std::size_t i = 0; i < defs->size(); ++i) {
      Fields d((*defs)[i], fmt::format("rating.criteria.definitions[{}]", i), file);
      ANTQ_CHECK(d.check_object());
      std::string id, vi, en;
      ANTQ_TRY(id, d.text("id"));
      ANTQ_TRY(vi, d.text("vi"));
      ANTQ_TRY(en, d.text("en"));
      ANTQ_CHECK(d.done());
      if (!r.criteria_text.emplace(id, vi).second) return d.fail("id", "\"" + id + "\" is defined twice");
      r.criteria_en.emplace(id, en);
    }
    for (const auto& level : kLevels) {
      const json* by_type = nullptr;
      ANTQ_TRY(by_type, c.get(level));
      Fields t(*by_type, "rating.criteria." + level, file);
      ANTQ_CHECK(t.check_object());
      for (const auto& type : types) {
        const json* rule = nullptr;
        ANTQ_TRY(rule, t.get(type));
        Fields rf(*rule, "rating.criteria." + level + "." + type, file);
        ANTQ_CHECK(rf.check_object());
        CriteriaRule cr;
        ANTQ_TRY(cr.all, rf.texts("all"));
        ANTQ_TRY(cr.one_of, rf.texts("one_of"));
        ANTQ_CHECK(rf.done());
        for (const auto& id : cr.all) if (!r.criteria_text.contains(id)) return rf.fail("all", "criterion \"" + id + "\" is not defined");
        for (const auto& id : cr.one_of) if (!r.criteria_text.contains(id)) return rf.fail("one_of", "criterion \"" + id + "\" is not defined");
        r.criteria[level][type] = std::move(cr);
      }
      ANTQ_CHECK(t.done());
    }
    ANTQ_CHECK(c.done());
  }
  ANTQ_TRY(r.eligibility_months, f.opt_int("eligibility_months", 1, 60));
  ANTQ_TRY(r.year_start, f.opt_text("year_start"));
  if (r.year_start && !is_month_day(*r.year_start)) return f.fail("year_start", "expected MM-DD");
  // Added with format 2 (absent, so refused as unknown, in format 1): who rates.
  if (format >= 2) ANTQ_TRY(r.raters, parse_raters(f, file));
  ANTQ_CHECK(f.done());
  return r;
}

// Format 2: the `rating_evidence` section (null for percentage profiles).
Result<std::optional<RatingEvidence>> parse_rating_evidence(const json& j, std::string_view file, const Rating& rating) {
  if (j.is_null()) {
    if (rating.basis == "criteria") return Fields(j, "rating_evidence", file).fail("", "a criteria profile says what its criteria claim");
    return std::optional<RatingEvidence>();
  }
  Fields f(j, "rating_evidence", file);
  ANTQ_CHECK(f.check_object());
  if (rating.basis != "criteria") return f.fail("", "expected null: only criteria profiles name criteria");
  RatingEvidence e;
  ANTQ_TRY(e.dossier, f.texts("dossier"));
  for (std::size_t i = 0; i < e.dossier.size(); ++i)
    if (!rating.criteria_text.contains(e.dossier[i]))
      return f.fail(fmt::format("dossier[{}]", i), "criterion \"" + e.dossier[i] + "\" is not defined");
  static const std::vector<std::string> kScopes = {"commune", "district", "province", "national"};
  static const std::vector<std::string> kCommendationLevels = {"commune", "district", "province", "ministry", "agency"};
  for (const auto& [key, allowed, out] : {std::tuple{"announced", &kScopes, &e.announced},
                                          std::tuple{"commended", &kCommendationLevels, &e.commended}}) {
    const json* list = nullptr;
    ANTQ_TRY(list, f.list(key));
    for (std::size_t i = 0; i < list->size(); ++i) {
      Fields c((*list)[i], fmt::format("rating_evidence.{}[{}]", key, i), file);
      ANTQ_CHECK(c.check_object());
      EvidenceClaim claim;
      ANTQ_TRY(claim.criterion, c.text("criterion"));
      if (!rating.criteria_text.contains(claim.criterion))
        return c.fail("criterion", "criterion \"" + claim.criterion + "\" is not defined");
      ANTQ_TRY(claim.of, c.texts(std::string(key) == "announced" ? "scopes" : "levels", allowed));
      if (claim.of.empty()) return c.fail(std::string(key) == "announced" ? "scopes" : "levels", "expected at least one");
      ANTQ_CHECK(c.done());
      out->push_back(std::move(claim));
    }
  }
  std::optional<int> months;
  ANTQ_TRY(months, f.opt_int("within_months", 1, 60));
  if (!months) return f.fail("within_months", "expected a number of months");
  e.within_months = *months;
  ANTQ_CHECK(f.done());
  return std::optional<RatingEvidence>(std::move(e));
}

Result<RetentionSchedule> parse_schedule_object(const json& j, const std::string& path, std::string_view file) {
  Fields f(j, path, file);
  ANTQ_CHECK(f.check_object());
  RetentionSchedule sc;
  std::string format;
  ANTQ_TRY(format, f.text("format"));
  if (format != "antq-retention-schedule 1")
    return f.fail("format", "expected \"antq-retention-schedule 1\", got \"" + format + "\"");
  ANTQ_TRY(sc.id, f.text("id"));
  ANTQ_TRY(sc.title, f.text("title"));
  const json* rows = nullptr;
  ANTQ_TRY(rows, f.list("rows"));
  if (rows->empty()) return f.fail("rows", "expected at least one row");
  static const std::vector<std::string> kClocks = {"work-ended", "year"};
  static const std::vector<std::string> kMatchKeys = {"period", "level"};
  std::set<std::string> classes;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    Fields r((*rows)[i], fmt::format("{}.rows[{}]", path, i), file);
    ANTQ_CHECK(r.check_object());
    RetentionRow row;
    ANTQ_TRY(row.cls, r.text("class"));
    if (!classes.insert(row.cls).second) return r.fail("class", "\"" + row.cls + "\" appears twice");
    ANTQ_TRY(row.title, r.text("title"));
    ANTQ_TRY(row.items, r.texts("items"));
    ANTQ_TRY(row.acts, r.texts("acts", &ledger::known_acts()));
    auto m = r.object("match");
    if (!m) return std::unexpected(m.error());
    for (const auto& key : kMatchKeys)
      if ((*rows)[i].at("match").contains(key)) ANTQ_TRY(row.match[key], m->texts(key));
    ANTQ_CHECK(m->done());
    const json* period = nullptr;
    ANTQ_TRY(period, r.get("period"));
    if (period->is_number_integer() && period->get<std::int64_t>() >= 1 && period->get<std::int64_t>() <= 100) {
      row.years = static_cast<int>(period->get<std::int64_t>());
      row.period = std::to_string(*row.years);
    } else if (period->is_string() && (*period == "permanent" || *period == "until-superseded")) {
      row.period = period->get<std::string>();
    } else {
      return r.fail("period", "expected \"permanent\", \"until-superseded\" or a number of years (1-100)");
    }
    ANTQ_TRY(row.clock, r.text("clock"));
    if (std::find(kClocks.begin(), kClocks.end(), row.clock) == kClocks.end())
      return r.fail("clock", "expected work-ended or year");
    ANTQ_TRY(row.handover, r.boolean("handover"));
    ANTQ_TRY(row.source, r.text("source"));
    ANTQ_TRY(row.provisional, r.boolean("provisional"));
    ANTQ_CHECK(r.done());
    sc.rows.push_back(std::move(row));
  }
  const RetentionRow& last = sc.rows.back();
  if (!last.items.empty() || !last.acts.empty() || !last.match.empty())
    return f.fail("rows", "the last row must match every record (empty items, acts and match): a record no row names "
                          "would have no period");
  ANTQ_CHECK(f.done());
  return sc;
}

// ---- format 2, issue 21 §5-6 ---------------------------------------------------------------------------------

// The deadlines entry of id missing-plan: act model.plan-issued, period null, before "MM-DD" or null (by the end
// of the evaluation year).
Status parse_plan_deadline(Fields& d, Profile& p, bool& seen) {
  if (seen) return d.fail("id", "missing-plan appears twice");
  seen = true;
  std::string act;
  std::optional<std::string> period, before;
  ANTQ_TRY(act, d.text("act"));
  if (act != "model.plan-issued") return d.fail("act", "the missing-plan deadline is of model.plan-issued");
  ANTQ_TRY(period, d.opt_text("period"));
  if (period) return d.fail("period", "a plan deadline has none (null)");
  ANTQ_TRY(before, d.opt_text("before"));
  if (before && !is_month_day(*before)) return d.fail("before", "expected MM-DD or null");
  ANTQ_CHECK(d.done());
  p.missing_plan_before = before;
  return {};
}

Result<std::vector<CommonCriterion>> common_criteria(Fields& x, std::string_view file) {
  const json* list = nullptr;
  ANTQ_TRY(list, x.list("common_criteria"));
  std::vector<CommonCriterion> out;
  std::set<std::string> ids;
  for (std::size_t i = 0; i < list->size(); ++i) {
    Fields c((*list)[i], fmt::format("exemplar.common_criteria[{}]", i), file);
    ANTQ_CHECK(c.check_object());
    CommonCriterion cc;
    ANTQ_TRY(cc.id, c.text("id"));
    if (cc.id.size() > 32) return c.fail("id", "at most 32 characters (an id of exemplar.evaluated's met)");
    if (!ids.insert(cc.id).second) return c.fail("id", "\"" + cc.id + "\" appears twice");
    ANTQ_TRY(cc.vi, c.text("vi"));
    ANTQ_TRY(cc.en, c.text("en"));
    ANTQ_TRY(cc.evidence, c.opt_text("evidence"));
    if (cc.evidence && !ledger::is_known_act(*cc.evidence))
      return c.fail("evidence", "\"" + *cc.evidence + "\" is not an act kind of acts.md");
    ANTQ_CHECK(c.done());
    out.push_back(std::move(cc));
  }
  return out;
}

Result<NameRules> parse_names(const json& j, std::string_view file) {
  Fields f(j, "names", file);
  ANTQ_CHECK(f.check_object());
  NameRules n;
  const json* standard = nullptr;
  ANTQ_TRY(standard, f.list("standard"));
  for (std::size_t i = 0; i < standard->size(); ++i) {
    Fields e((*standard)[i], fmt::format("names.standard[{}]", i), file);
    ANTQ_CHECK(e.check_object());
    StandardName sn;
    ANTQ_TRY(sn.name, e.text("name"));
    ANTQ_TRY(sn.aliases, e.texts("aliases"));
    for (std::size_t k = 0; k < sn.aliases.size(); ++k)
      if (sn.aliases[k].empty()) return e.fail(fmt::format("aliases[{}]", k), "expected non-empty text");
    ANTQ_CHECK(e.done());
    n.standard.push_back(std::move(sn));
  }
  auto a = f.object("abbreviations");
  if (!a) return std::unexpected(a.error());
  for (const auto& item : j.at("abbreviations").items()) {
    const std::string& abbreviation = item.key();
    if (abbreviation == "cite" || abbreviation == "note") continue;
    std::string expansion;
    ANTQ_TRY(expansion, a->text(abbreviation));
    if (const std::string key = name_key(abbreviation); key.empty() || key.find(' ') != std::string::npos)
      return a->fail(abbreviation, "an abbreviation is one word (letters and digits)");
    n.abbreviations.emplace(abbreviation, std::move(expansion));
  }
  ANTQ_CHECK(a->done());
  ANTQ_CHECK(f.done());
  return n;
}

// Section `recognition` (format 2): null, or the acts that must precede model.recognized and the dossier items it
// excuses (each an item of every model type's list).
Result<std::optional<Recognition>> parse_recognition(Fields& top, const Profile& p, std::string_view file) {
  const json* j = nullptr;
  ANTQ_TRY(j, top.get("recognition"));
  if (j->is_null()) return std::optional<Recognition>();
  Fields f(*j, "recognition", file);
  ANTQ_CHECK(f.check_object());
  Recognition r;
  ANTQ_TRY(r.steps, f.texts("requires", &ledger::known_acts()));
  for (std::size_t i = 0; i < r.steps.size(); ++i)
    if (r.steps[i] == "model.recognized" || r.steps[i] == "model.established" ||
        r.steps[i].starts_with("exemplar.") || std::count(r.steps.begin(), r.steps.end(), r.steps[i]) > 1)
      return f.fail(fmt::format("requires[{}]", i), "\"" + r.steps[i] + "\" cannot precede a recognition (or appears twice)");
  ANTQ_TRY(r.excused_items, f.texts("excused_items"));
  for (std::size_t i = 0; i < r.excused_items.size(); ++i) {
    const std::string& code = r.excused_items[i];
    if (std::count(r.excused_items.begin(), r.excused_items.end(), code) > 1)
      return f.fail(fmt::format("excused_items[{}]", i), "\"" + code + "\" appears twice");
    for (const auto& [type, items] : p.model_dossier)
      if (std::none_of(items.begin(), items.end(), [&](const DossierItem& d) { return d.item == code; }))
        return f.fail(fmt::format("excused_items[{}]", i), "\"" + code + "\" is not an item of dossier.model." + type);
  }
  ANTQ_TRY(r.cite, f.text("cite"));
  ANTQ_CHECK(f.done());
  return std::optional<Recognition>(std::move(r));
}

// Section `transition` (format 2): null, or the replaced procedure a model.established may name in data.transition.
Result<std::optional<Transition>> parse_transition(Fields& top, std::string_view file) {
  const json* j = nullptr;
  ANTQ_TRY(j, top.get("transition"));
  if (j->is_null()) return std::optional<Transition>();
  Fields f(*j, "transition", file);
  ANTQ_CHECK(f.check_object());
  Transition t;
  ANTQ_TRY(t.from, f.text("from"));
  ANTQ_TRY(t.cite, f.text("cite"));
  ANTQ_CHECK(f.done());
  return std::optional<Transition>(std::move(t));
}

}  // namespace

Result<RetentionSchedule> parse_schedule(std::string_view json_text, std::string_view name) {
  json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded()) return bad_input(i18n::Text("retention schedule {}: malformed JSON", name));
  return parse_schedule_object(j, "", name);
}

const std::vector<std::string>& format1_rule_ids() {
  static const std::vector<std::string> ids = {
      // refusals
      "signature", "authority", "duplicate", "unknown-subject", "order", "eligibility", "same-level", "one-rating",
      "replication", "termination-steps", "closed", "exemplar-order",
      // findings
      "late-proposal", "late-decision", "late-forwarding", "level-mismatch", "weak-not-terminated", "missing-plan",
      "missing-report", "dossier-incomplete", "exemplar-late-evaluation", "exemplar-below-threshold", "duplicate-model",
      "replication-ineffective"};
  return ids;
}

const std::vector<std::string>& rule_ids() {
  static const std::vector<std::string> ids = [] {
    std::vector<std::string> out = format1_rule_ids();
    // Added with format 2 (docs/rules.md).
    out.push_back("exemplar-common-criteria");  // issue 21 §5: exemplars' common criteria (000 §IV.1.3)
    out.push_back("unit");  // refusal: the unit registry (unit.registered, projections/units.hpp)
    out.push_back("rating-criteria");  // refusal: a criteria rating's level follows from the criteria it names
    // findings: what is absent by its day (deadlines of the model), a Good model not announced (Bắc Giang)
    for (const char* id : {"missing-rating", "missing-forwarding", "good-not-announced", "missing-unit-report",
                           "rating-criteria-unsupported"})
      out.push_back(id);
    out.push_back("rater");  // refusal: who rates, where the profile says it (rating.raters, Bắc Giang 004 §III.2)
    // refusal: a predecessor ledger sealed by ledger.predecessor-sealed (antq take-in, ledger/FORMAT.md §14). A new
    // act kind: refused in every format, whatever the profile's value.
    out.push_back("predecessor");
    return out;
  }();
  return ids;
}

const std::vector<std::string>& always_applied_rule_ids() {
  static const std::vector<std::string> ids = {"signature", "authority", "duplicate", "unit", "predecessor"};
  return ids;
}

bool Profile::applies(std::string_view id) const {
  auto it = rules.find(id);
  return it != rules.end() && it->second;
}

Result<Profile> parse_profile(std::string_view json_text, std::string_view name) {
  json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded()) return bad_input(i18n::Text("profile {}: malformed JSON", name));
  Fields top(j, "", name);
  ANTQ_CHECK(top.check_object());
  Profile p;
  std::string format;
  ANTQ_TRY(format, top.text("format"));
  if (format == "antq-profile 1") {
    p.format = 1;
  } else if (format == "antq-profile 2") {
    p.format = 2;
  } else {
    return top.fail("format", "expected \"antq-profile 2\" (or \"antq-profile 1\" of older ledgers), got \"" + format + "\"");
  }
  ANTQ_TRY(p.id, top.text("id"));
  ANTQ_TRY(p.title, top.text("title"));

  auto s = top.object("source");
  if (!s) return std::unexpected(s.error());
  ANTQ_TRY(p.source_issuer, s->text("issuer"));
  ANTQ_TRY(p.source_number, s->opt_text("number"));
  ANTQ_TRY(p.source_date, s->opt_text("date"));
  if (p.source_date && !ledger::is_date(*p.source_date)) return s->fail("date", "expected YYYY-MM-DD or null");
  ANTQ_TRY(p.source_file, s->text("file"));
  ANTQ_CHECK(s->done());

  const json* replaces = nullptr;
  ANTQ_TRY(replaces, top.list("replaces"));
  for (std::size_t i = 0; i < replaces->size(); ++i) {
    Fields r((*replaces)[i], fmt::format("replaces[{}]", i), name);
    ANTQ_CHECK(r.check_object());
    Profile::Replaced replaced;
    ANTQ_TRY(replaced.document, r.text("document"));
    ANTQ_TRY(replaced.transition, r.opt_text("transition"));
    ANTQ_CHECK(r.done());
    p.replaces.push_back(std::move(replaced));
  }

  ANTQ_TRY(p.model_types, top.texts("model_types", &kModelTypes));
  if (p.model_types.empty()) return top.fail("model_types", "expected at least one");

  auto e = top.object("establishment");
  if (!e) return std::unexpected(e.error());
  auto er = e->object("requires");
  if (!er) return std::unexpected(er.error());
  for (const auto& type : p.model_types) ANTQ_TRY(p.establishment_requires[type], er->texts(type, &ledger::known_acts()));
  ANTQ_CHECK(er->done());
  ANTQ_CHECK(e->done());

  const json* rating = nullptr;
  ANTQ_TRY(rating, top.get("rating"));
  ANTQ_TRY(p.rating, parse_rating(*rating, name, p.model_types, p.format));
  if (p.format >= 2) {
    const json* evidence = nullptr;
    ANTQ_TRY(evidence, top.get("rating_evidence"));
    ANTQ_TRY(p.rating_evidence, parse_rating_evidence(*evidence, name, p.rating));
  }

  const json* deadlines = nullptr;
  ANTQ_TRY(deadlines, top.list("deadlines"));
  static const std::vector<std::string> kDeadlineIds1 = {"late-proposal", "late-decision", "late-forwarding", "missing-report"};
  // Format 2: what is absent by its day, not only what is late (docs/rules.md).
  static const std::vector<std::string> kDeadlineIds2 = {"late-proposal", "late-decision", "late-forwarding",
                                                         "missing-report", "missing-rating", "missing-forwarding"};
  const std::vector<std::string>& kDeadlineIds = p.format == 1 ? kDeadlineIds1 : kDeadlineIds2;
  bool plan_deadline = false;
  for (std::size_t i = 0; i < deadlines->size(); ++i) {
    Fields d((*deadlines)[i], fmt::format("deadlines[{}]", i), name);
    ANTQ_CHECK(d.check_object());
    Deadline dl;
    ANTQ_TRY(dl.id, d.text("id"));
    if (p.format == 2 && dl.id == "missing-plan") {  // issue 21 §5: the plan's due day, from the profile
      ANTQ_CHECK(parse_plan_deadline(d, p, plan_deadline));
      continue;
    }
    if (std::find(kDeadlineIds.begin(), kDeadlineIds.end(), dl.id) == kDeadlineIds.end())
      return d.fail("id", "\"" + dl.id + "\" is not one of " + Fields::join(kDeadlineIds));
    ANTQ_TRY(dl.act, d.text("act"));
    if (!ledger::is_known_act(dl.act)) return d.fail("act", "\"" + dl.act + "\" is not an act kind of acts.md");
    if ((dl.id == "missing-rating" && dl.act != "model.rated") ||
        (dl.id == "missing-forwarding" && dl.act != "model.rating-forwarded"))
      return d.fail("act", fmt::format("{} is about {}", dl.id, dl.id == "missing-rating" ? "model.rated" : "model.rating-forwarded"));
    ANTQ_TRY(dl.period, d.opt_text("period"));
    if (dl.period && *dl.period != "H1" && *dl.period != "year") return d.fail("period", "expected H1, year or null");
    if ((dl.act == "model.report-filed") != dl.period.has_value())
      return d.fail("period", "a report deadline names its period (H1 or year); others have none");
    ANTQ_TRY(dl.before, d.text("before"));
    if (!is_month_day(dl.before)) return d.fail("before", "expected MM-DD");
    ANTQ_CHECK(d.done());
    p.deadlines.push_back(std::move(dl));
  }
  if (p.format == 1) p.missing_plan_before = "01-01";
  else if (!plan_deadline) return top.fail("deadlines", "expected an entry of id missing-plan (its before may be null)");

  auto ds = top.object("dossier");
  if (!ds) return std::unexpected(ds.error());
  auto md = ds->object("model");
  if (!md) return std::unexpected(md.error());
  for (const auto& type : p.model_types) {
    const json* items = nullptr;
    ANTQ_TRY(items, md->get(type));
    ANTQ_TRY(p.model_dossier[type], dossier_items(*items, "dossier.model." + type, name));
  }
  ANTQ_CHECK(md->done());
  const json* exemplar_dossier = nullptr;
  ANTQ_TRY(exemplar_dossier, ds->get("exemplar"));
  ANTQ_TRY(p.exemplar_dossier, dossier_items(*exemplar_dossier, "dossier.exemplar", name));
  ANTQ_CHECK(ds->done());

  auto t = top.object("termination");
  if (!t) return std::unexpected(t.error());
  ANTQ_TRY(p.termination_requires, t->texts("requires", &ledger::known_acts()));
  // Format 2: null where the source names nobody (no file today), and then only `authority` checks who ends it.
  if (p.format == 1) ANTQ_TRY(p.termination_decided_by, t->text("decided_by"));
  else ANTQ_TRY(p.termination_decided_by, t->opt_text("decided_by"));
  if (p.termination_decided_by && *p.termination_decided_by != "establishing-level")
    return t->fail("decided_by", p.format == 1 ? "expected establishing-level" : "expected establishing-level or null");
  ANTQ_CHECK(t->done());

  auto w = top.object("weak");
  if (!w) return std::unexpected(w.error());
  ANTQ_TRY(p.weak_must_terminate, w->opt_text("must_terminate"));
  if (p.weak_must_terminate && *p.weak_must_terminate != "immediately" && *p.weak_must_terminate != "next-evaluation-year")
    return w->fail("must_terminate", "expected immediately, next-evaluation-year or null");
  ANTQ_CHECK(w->done());
  p.weak_on_evidence = p.format == 2;

  auto rp = top.object("replication");
  if (!rp) return std::unexpected(rp.error());
  ANTQ_TRY(p.replication_requires_level, rp->text("requires_level"));
  if (std::find(kLevels.begin(), kLevels.end(), p.replication_requires_level) == kLevels.end())
    return rp->fail("requires_level", "expected a rating level");
  ANTQ_TRY(p.points_effective_pct, rp->opt_int("points_effective_pct", 1, 100));
  ANTQ_CHECK(rp->done());

  const json* exemplar = nullptr;
  ANTQ_TRY(exemplar, top.get("exemplar"));
  if (!exemplar->is_null()) {
    Fields x(*exemplar, "exemplar", name);
    ANTQ_CHECK(x.check_object());
    ExemplarRules rules;
    std::optional<int> months, pct;
    ANTQ_TRY(months, x.opt_int("evaluate_within_months", 1, 120));
    ANTQ_TRY(pct, x.opt_int("keep_threshold_pct", 1, 100));
    if (!months) return x.fail("evaluate_within_months", "expected months");
    if (!pct) return x.fail("keep_threshold_pct", "expected a percentage");
    rules.evaluate_within_months = *months;
    rules.keep_threshold_pct = *pct;
    ANTQ_TRY(rules.province_recognition_level, x.opt_text("province_recognition_level"));
    if (p.format == 2) ANTQ_TRY(rules.common_criteria, common_criteria(x, name));
    ANTQ_CHECK(x.done());
    p.exemplar = std::move(rules);
  }

  auto st = top.object("statistics");
  if (!st) return std::unexpected(st.error());
  static const std::vector<std::string> kApart = {"dan-van-kheo", "no-security-content"};
  ANTQ_TRY(p.statistics_apart, st->texts("apart", &kApart));
  if (p.format == 1) p.statistics_apart = kApart;  // format 1 put both apart, whatever the file listed
  // Format 1: statistics.reports (the units' days, read by nothing but kept in the struct); format 2: unit_reports.
  const json* reports = nullptr;
  static const json kNone = json::array();
  if (p.format == 1) ANTQ_TRY(reports, st->list("reports"));
  else reports = &kNone;
  for (std::size_t i = 0; i < reports->size(); ++i) {
    Fields r((*reports)[i], fmt::format("statistics.reports[{}]", i), name);
    ANTQ_CHECK(r.check_object());
    StatisticsReport report;
    ANTQ_TRY(report.period, r.text("period"));
    if (report.period != "H1" && report.period != "year") return r.fail("period", "expected H1 or year");
    ANTQ_TRY(report.before, r.text("before"));
    if (!is_month_day(report.before)) return r.fail("before", "expected MM-DD");
    ANTQ_CHECK(r.done());
    p.reports.push_back(std::move(report));
  }
  ANTQ_CHECK(st->done());

  // Format 2: one model, one name (issue 21 §6).
  if (p.format == 2) {
    const json* names = nullptr;
    ANTQ_TRY(names, top.get("names"));
    ANTQ_TRY(p.names, parse_names(*names, name));
  }

  // Recognition and transition (docs/rules.md): required in format 2; a format-1 file has neither (its reader
  // refuses them as unknown fields) and keeps the recognition of its time.
  if (p.format == 1) {
    Recognition legacy;
    legacy.legacy = true;
    p.recognition = std::move(legacy);
  } else {
    ANTQ_TRY(p.recognition, parse_recognition(top, p, name));
    ANTQ_TRY(p.transition, parse_transition(top, name));
  }

  // Format 2: the reporting units' periodic reports (docs/rules.md, "Deadlines at the right level").
  if (p.format >= 2) {
    auto ur = top.object("unit_reports");
    if (!ur) return std::unexpected(ur.error());
    const json* tiers = nullptr;
    ANTQ_TRY(tiers, ur->list("tiers"));
    static const std::vector<std::string> kUnitLevels = {"commune", "district", "province", "ministry", "agency"};
    for (std::size_t i = 0; i < tiers->size(); ++i) {
      Fields r((*tiers)[i], fmt::format("unit_reports.tiers[{}]", i), name);
      ANTQ_CHECK(r.check_object());
      UnitReportTier tier;
      ANTQ_TRY(tier.period, r.text("period"));
      if (tier.period != "H1" && tier.period != "year") return r.fail("period", "expected H1 or year");
      ANTQ_TRY(tier.before, r.text("before"));
      if (!is_month_day(tier.before)) return r.fail("before", "expected MM-DD");
      ANTQ_TRY(tier.levels, r.texts("levels", &kUnitLevels));
      if (tier.levels.empty()) return r.fail("levels", "expected at least one");
      ANTQ_TRY(tier.to, r.text("to"));
      // Optional, so that format-2 files stored before it was added still read.
      if ((*tiers)[i].contains("kinds")) {
        auto kinds = r.object("kinds");
        if (!kinds) return std::unexpected(kinds.error());
        for (const auto& [level, _] : (*tiers)[i].at("kinds").items()) {
          if (level == "cite" || level == "note") continue;
          if (std::find(tier.levels.begin(), tier.levels.end(), level) == tier.levels.end())
            return kinds->fail(level, fmt::format("is not one of the tier's levels ({})", Fields::join(tier.levels)));
          ANTQ_TRY(tier.kinds[level], kinds->texts(level, &ledger::unit_kinds()));
          if (tier.kinds[level].empty()) return kinds->fail(level, "expected at least one kind");
        }
        ANTQ_CHECK(kinds->done());
      }
      ANTQ_CHECK(r.done());
      p.unit_reports.push_back(std::move(tier));
    }
    ANTQ_CHECK(ur->done());
  }

  // Optional (the sources say nothing of it): how long before admission a signature without a time-stamp may have
  // been made.
  if (j.contains("signatures")) {
    auto sg = top.object("signatures");
    if (!sg) return std::unexpected(sg.error());
    std::optional<int> days;
    ANTQ_TRY(days, sg->opt_int("max_age_days", 0, 3650));
    if (!days) return sg->fail("max_age_days", "expected a number of days");
    p.signature_max_age_days = *days;
    ANTQ_CHECK(sg->done());
  }

  // Optional (profiles made before retention schedules have none): the retention schedule.
  if (j.contains("retention")) {
    const json* retention = nullptr;
    ANTQ_TRY(retention, top.get("retention"));
    ANTQ_TRY(p.retention, parse_schedule_object(*retention, "retention", name));
  }

  // Added with format 2 (absent, so refused as unknown, in format 1): Circular 124/2021/TT-BCA (units.hpp).
  if (p.format == 2) {
    auto c = top.object("circular_124");
    if (!c) return std::unexpected(c.error());
    ANTQ_TRY(p.circular_124.applies, c->boolean("applies"));
    ANTQ_TRY(p.circular_124.cite, c->text("cite"));
    ANTQ_CHECK(c->done());
  }

  auto ru = top.object("rules");
  if (!ru) return std::unexpected(ru.error());
  // A format-1 file names the rules of its time; those added since do not apply under it. Format 2 does not name
  // the rules applied under every profile (always_applied_rule_ids): nothing read its value.
  const auto& always = always_applied_rule_ids();
  const auto is_always = [&](const std::string& id) { return std::find(always.begin(), always.end(), id) != always.end(); };
  for (const auto& id : p.format == 1 ? format1_rule_ids() : rule_ids()) {
    if (p.format == 2 && is_always(id)) {
      if (j.at("rules").contains(id))
        return ru->fail(id, "applies under every profile (it guards the ledger): format 2 does not list it");
      p.rules[id] = true;
      continue;
    }
    ANTQ_TRY(p.rules[id], ru->boolean(id));
  }
  for (const auto& id : rule_ids()) p.rules.try_emplace(id, false);
  ANTQ_CHECK(ru->done());
  if (p.applies("rater") && !p.rating.raters)
    return ru->fail("rater", "true, but rating.raters is null: the profile names no one who rates");

  ANTQ_CHECK(top.done());
  return p;
}

const std::vector<std::string>& builtin_profile_ids() {
  static const std::vector<std::string> ids = [] {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < generated::kProfileFileCount; ++i) out.emplace_back(generated::kProfileFiles[i].id);
    std::sort(out.begin(), out.end());
    return out;
  }();
  return ids;
}

std::string_view builtin_profile_text(std::string_view id) {
  for (std::size_t i = 0; i < generated::kProfileFileCount; ++i)
    if (generated::kProfileFiles[i].id == id) return generated::kProfileFiles[i].text;
  return {};
}

namespace {

using ParsedProfiles = std::map<std::string, Result<Profile>, std::less<>>;

// Parsed once, on first use; each file was checked by the tests, but a bad one still fails here, not later.
ParsedProfiles parse_all(const generated::ProfileFile* files, std::size_t count, std::string_view dir) {
  ParsedProfiles out;
  for (std::size_t i = 0; i < count; ++i)
    out.emplace(std::string(files[i].id), parse_profile(files[i].text, std::string(dir) + std::string(files[i].id) + ".json"));
  return out;
}

Result<const Profile*> find_parsed(const ParsedProfiles& parsed, std::string_view id) {
  auto it = parsed.find(id);
  if (it == parsed.end())
    return bad_input(i18n::Text("unknown profile \"{}\" (known: {})", id, Fields::join(builtin_profile_ids())));
  if (!it->second) return std::unexpected(it->second.error());
  if (it->second->id != id)
    return bad_input(i18n::Text("profile file {}.json says its id is \"{}\"", id, it->second->id));
  return &*it->second;
}

}  // namespace

Result<const Profile*> builtin_profile(std::string_view id) {
  static const ParsedProfiles parsed = parse_all(generated::kProfileFiles, generated::kProfileFileCount, "");
  return find_parsed(parsed, id);
}

Result<const Profile*> frozen_format1_profile(std::string_view id) {
  static const ParsedProfiles parsed = parse_all(generated::kFrozenV1Files, generated::kFrozenV1FileCount, "v1/");
  return find_parsed(parsed, id);
}

std::string_view frozen_format1_text(std::string_view id) {
  for (std::size_t i = 0; i < generated::kFrozenV1FileCount; ++i)
    if (generated::kFrozenV1Files[i].id == id) return generated::kFrozenV1Files[i].text;
  return {};
}

}  // namespace antq::projections
