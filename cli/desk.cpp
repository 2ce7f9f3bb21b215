// The inspector's desk (cli/desk.hpp, docs/desk.md): pages from the queries of cli/queries.hpp.
#include "cli/desk.hpp"

#include <algorithm>
#include <concepts>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/common.hpp"
#include "cli/display.hpp"
#include "cli/queries.hpp"
#include "ledger/merkle.hpp"
#include "projections/admission.hpp"
#include "i18n/i18n.hpp"
#include "projections/words.hpp"

namespace antq::cli::desk {

extern const char* const kDeskCss;  // cli/desk/desk.css, embedded by CMake (CMakeLists.txt)
extern const char* const kDeskJs;   // cli/desk/desk.js

namespace {

using nlohmann::json;

// ---- One escaping layer: markup is what this file writes; every value put into it is escaped on the way in.

// Markup already built here (a fragment of a page): put in as it is.
struct Markup {
  std::string html;
};
std::string esc(const Markup& m) { return m.html; }
std::string esc(const std::string& s) { return html_escape(s); }
std::string esc(const char* s) { return html_escape(s); }
template <std::integral T>
std::string esc(T v) {
  return std::to_string(v);
}
std::string esc(const json& j) {
  return html_escape(j.is_string() ? j.get<std::string>() : j.is_null() ? "" : j.dump());
}

// fmt::format with every argument escaped (a Markup argument is put in as it is).
template <typename... A>
Markup h(fmt::format_string<decltype(esc(std::declval<A>()))...> f, A&&... args) {
  return {fmt::format(f, esc(std::forward<A>(args))...)};
}
Markup operator+(Markup a, const Markup& b) { return {a.html += b.html}; }
Markup& operator+=(Markup& a, const Markup& b) {
  a.html += b.html;
  return a;
}

namespace words = projections::words;
using http::param;
using http::percent_encode;

// A bad parameter, in the words of the page.
Error bad(std::string message) { return Error{ErrorKind::bad_input, "", std::move(message)}; }

// ---- Words: Vietnamese first, English with ?lang=en; the page's words come from the message catalogue (po/vi.po).

struct Words {
  bool en = false;
  i18n::Lang lang = en ? i18n::Lang::en : i18n::Lang::vi;
  const char* operator()(const char* msgid) const { return i18n::tr(lang, msgid); }
};

std::string text_of(const json& j) { return j.is_string() ? j.get<std::string>() : j.is_null() ? "" : j.dump(); }

// ---- The page around a body.

// The language switch keeps the rest of the query.
std::string with_lang(const http::Request& r, const char* lang) {
  std::string q = r.path + "?";
  for (const auto& [k, v] : r.query)
    if (k != "lang") q += percent_encode(k) + "=" + percent_encode(v) + "&";
  return q + "lang=" + lang;
}

std::string lang_suffix(const Words& w) { return w.en ? "&lang=en" : ""; }

http::Response page(const http::Request& r, const Words& w, const std::string& title, const Markup& body,
                    int status = 200) {
  const std::string l = w.en ? "?lang=en" : "";
  Markup nav = h("<a href=\"/desk/{}\">{}</a>", l, w("Overview")) +
               h("<a href=\"/desk/stats{}\">{}</a>", l, w("Statistics")) +
               h("<a href=\"/desk/audit{}\">{}</a>", l, w("Findings")) +
               h("<a href=\"/desk/reports{}\">{}</a>", l, w("Reports")) +
               h("<a href=\"/desk/verify{}\">{}</a>", l, w("Verification"));
  Markup doc =
      h("<!doctype html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{} · antq</title>"
        "<link rel=\"icon\" href=\"data:,\">"
        "<link rel=\"stylesheet\" href=\"/desk/desk.css\"><script src=\"/desk/desk.js\" defer></script></head>\n"
        "<body><a class=\"skip\" href=\"#main\">{}</a><header><p class=\"brand\">{}</p><nav aria-label=\"{}\">{}</nav>"
        "<p class=\"lang\"><a href=\"{}\" lang=\"vi\">Tiếng Việt</a> · <a href=\"{}\" "
        "lang=\"en\">English</a></p></header>\n"
        "<main id=\"main\"><h1>{}</h1>\n{}</main>\n<footer>{}</footer></body></html>\n",
        w.en ? "en" : "vi", title, w("Skip to content"),
        w("Models and exemplars of the all-people national-security movement"), w("Pages"), nav, with_lang(r, "vi"),
        with_lang(r, "en"), title, body, w("Read-only. Every page view is entered in the access history."));
  http::Response res;
  res.status = status;
  res.content_type = "text/html; charset=utf-8";
  res.body = std::move(doc.html);
  res.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  res.headers.emplace_back("Referrer-Policy", "no-referrer");
  return res;
}

http::Response error_page(const http::Request& r, const Words& w, const Error& e) {
  const int status = e.kind == ErrorKind::bad_input ? 400 : 503;
  return page(r, w, w("No answer"), h("<p class=\"error\" role=\"alert\">{}</p>", e.message), status);
}
http::Response not_found(const http::Request& r, const Words& w, const std::string& what) {
  return page(r, w, w("Not found"), h("<p class=\"error\" role=\"alert\">{}: {}</p>", what, w("no such subject")), 404);
}

Markup subject_link(const std::string& id, const Words& w, const std::string& anchor = "") {
  return h("<a class=\"id\" href=\"/desk/subject?id={}{}{}\">{}</a>", percent_encode(id), lang_suffix(w),
           anchor.empty() ? "" : "#" + anchor, id);
}

Markup table(const std::vector<std::string>& headings, const std::vector<std::vector<Markup>>& rows,
             const std::string& caption = "") {
  Markup out =
      h("<div class=\"scroll\"><table>{}<thead><tr>", caption.empty() ? Markup{} : h("<caption>{}</caption>", caption));
  for (const auto& x : headings) out += h("<th scope=\"col\">{}</th>", x);
  out += Markup{"</tr></thead><tbody>"};
  for (const auto& row : rows) {
    out += Markup{"<tr>"};
    for (const auto& cell : row) out += h("<td>{}</td>", cell);
    out += Markup{"</tr>"};
  }
  return out + Markup{"</tbody></table></div>"};
}
Markup t(const std::string& s) { return h("{}", s); }

// A page lists at most this many rows of subjects or findings (a province holds many thousands): the rest are
// counted, and a unit or a filter narrows the list.
constexpr std::size_t kMaxRows = 1000;
Markup more(std::size_t total, const Words& w) {
  if (total <= kMaxRows) return {};
  return h("<p>{} {} / {}. {}</p>", w("Showing"), vi_number(kMaxRows), vi_number(total),
           w("Choose a unit or a filter to narrow the list."));
}
// Text of several lines (a checkpoint note), each escaped, the line feeds kept.
Markup lines(std::string_view text) {
  Markup out;
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    out += h("{}", std::string(text.substr(start, end - start))) + Markup{end < text.size() ? "\n" : ""};
    start = end + 1;
  }
  return out;
}

// ---- Charts: SVG drawn here, labelled for screen readers, readable in print (no colour carries meaning alone).

struct Bar {
  std::string label;
  std::uint64_t value = 0;
};
Markup bar_chart(const std::string& title, const std::vector<Bar>& bars) {
  const int row = 22, label_w = 330, bar_w = 360, height = static_cast<int>(bars.size()) * row + 8;
  std::uint64_t top = 1;
  for (const auto& b : bars) top = std::max(top, b.value);
  Markup out = h("<figure><svg class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\"><title>{}</title>",
                 label_w + bar_w + 70, height, title, title);
  int y = 4;
  for (const auto& b : bars) {
    const auto len = static_cast<int>(b.value * static_cast<std::uint64_t>(bar_w) / top);
    std::string label = b.label.size() > 60 ? b.label.substr(0, 57) + "..." : b.label;
    out +=
        h("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\">"
          "<title>{}: {}</title></rect><text x=\"{}\" y=\"{}\">{}</text>",
          label_w - 6, y + 15, label, label_w, y + 3, std::max(len, 1), row - 6, b.label, vi_number(b.value),
          label_w + std::max(len, 1) + 6, y + 15, vi_number(b.value));
    y += row;
  }
  return out + h("</svg><figcaption>{}</figcaption></figure>", title);
}

// ---- Pages.

// The subjects the reader sees, with their state now: for the overview.
struct Listed {
  std::string id, kind, stage, name, unit;
};
Result<std::vector<Listed>> subjects_in(const ledger::Ledger& ledger, const projections::Scope& scope,
                                        const std::string& unit, const std::string& today) {
  auto in_scope = queries::scope_filter(ledger, scope);
  if (!in_scope) return std::unexpected(in_scope.error());
  // The unit's and those of the units under it (successions followed), inside the scope.
  auto keep = queries::unit_filter(ledger, unit, today, *in_scope);
  if (!keep) return std::unexpected(keep.error());
  std::vector<Listed> out;
  projections::SubjectReader reader(ledger);
  for (const auto& id : projections::subject_ids(ledger)) {
    if (*keep && !(*keep)(id)) continue;
    auto s = reader.current(id);
    if (!s) continue;
    out.push_back({id, s->kind, s->stage, s->name, s->authority.unit});
  }
  return out;
}

http::Response overview(const ledger::Ledger& ledger, const http::Request& r, const projections::Scope& scope,
                        const Words& w) {
  const std::string today = vietnam_today(), typed = param(r, "unit");
  auto unit = queries::resolve_unit(ledger, typed, scope);
  if (!unit) return error_page(r, w, unit.error());
  auto listed = subjects_in(ledger, scope, *unit, today);
  if (!listed) return error_page(r, w, listed.error());
  queries::StatsOptions asked;
  asked.unit = typed;
  auto stats = queries::stats(ledger, asked, scope);
  if (!stats) return error_page(r, w, stats.error());
  auto audit = queries::audit(ledger, {}, "", scope, typed, w.lang);
  if (!audit) return error_page(r, w, audit.error());
  auto units = queries::units(ledger, "", scope);
  if (!units) return error_page(r, w, units.error());
  // Models and exemplars by stage.
  std::map<std::string, std::map<std::string, std::size_t>> by_stage;  // kind -> stage -> count
  for (const auto& s : *listed) ++by_stage[s.kind == "exemplar" ? "exemplar" : "model"][s.stage];
  // A unit's overview: the unit and every unit under it, as the registry stands today.
  Markup choices;
  for (const auto& u : (*units)["units"])
    if (!u.value("ceased", false)) choices += h("<option value=\"{}\">", text_of(u["name"]));
  Markup body =
      h("<form method=\"get\" action=\"/desk/\">{}<label for=\"unit\">{}</label> "
        "<input id=\"unit\" name=\"unit\" list=\"units\" size=\"36\" value=\"{}\"><datalist id=\"units\">{}</datalist> "
        "<button type=\"submit\">{}</button></form>",
        w.en ? Markup{"<input type=\"hidden\" name=\"lang\" value=\"en\">"} : Markup{},
        w("Unit (and the units under it)"), *unit, choices, w("Show"));
  body += h("<p>{} {}. {}</p>", w("Figures as of"), vi_date(today),
            !unit->empty()  ? std::string(*unit)
            : scope.whole() ? w("The whole ledger.")
                            : w("Within your grant."));
  std::vector<std::vector<Markup>> rows;
  for (const auto& [kind, stages] : by_stage)
    for (const auto& [stage, n] : stages)
      rows.push_back(
          {t(kind == "exemplar" ? w("Exemplar") : w("Model, point")), t(words::stage(w.lang, stage)), t(vi_number(n))});
  body += h("<section aria-labelledby=\"s-stage\"><h2 id=\"s-stage\">{}</h2>{}</section>",
            w("Models and exemplars by stage"), table({w("Kind"), w("Stage"), w("Count")}, rows));
  // Ratings of the latest year.
  rows.clear();
  const json& ratings = (*stats)["ratings"];
  for (const char* level : {"good", "fair", "average", "weak"})
    rows.push_back({t(words::level(w.lang, level)), t(vi_number(ratings.value(level, std::uint64_t{0})))});
  body += h("<section aria-labelledby=\"s-rating\"><h2 id=\"s-rating\">{} {}</h2>{}</section>", w("Ratings of"),
            (*stats)["year"], table({w("Level"), w("Rated")}, rows));
  // Findings by rule.
  rows.clear();
  for (const auto& [rule, n] : (*audit)["counts"].items())
    rows.push_back({h("<a href=\"/desk/audit?rule={}{}\">{}</a>", rule, lang_suffix(w), words::rule(w.lang, rule)),
                    t(vi_number(n.get<std::uint64_t>()))});
  body += h("<section aria-labelledby=\"s-find\"><h2 id=\"s-find\">{}</h2>{}</section>", w("Audit findings"),
            rows.empty() ? t(w("None.")) : table({w("Finding"), w("Count")}, rows));
  // Dossier gaps and deadlines coming: the subjects whose dossier lacks items, the findings dated from today on.
  rows.clear();
  for (const auto& f : (*audit)["findings"])
    if (f.value("rule", "") == "dossier-incomplete" && rows.size() < 50)
      rows.push_back({subject_link(f["subject"], w), t(f.value("message", ""))});
  body += h("<section aria-labelledby=\"s-gaps\"><h2 id=\"s-gaps\">{}</h2>{}</section>", w("Dossier gaps"),
            rows.empty() ? t(w("None.")) : table({w("Subject"), w("Missing")}, rows));
  // Deadlines coming: the profile's in force today (rating proposals, decisions, forwarding, reports), the next
  // occurrence of each, and the hand-overs to the archives that are due.
  rows.clear();
  auto profile = projections::profile_on(ledger, today);
  if (!profile) return error_page(r, w, profile.error());
  std::vector<std::pair<std::string, std::vector<Markup>>> due;
  const int year = std::stoi(today.substr(0, 4));
  for (const auto& d : profile->deadlines)
    for (int y : {year, year + 1}) {
      const std::string day = fmt::format("{}-{}", y, d.before);
      if (day < today) continue;
      const char* act = words::act(w.lang, d.act);
      const char* period = !d.period ? "" : *d.period == "H1" ? w(" (half-year)") : w(" (year)");
      due.push_back({day, {t(vi_date(day)), t(fmt::format("{}{}", act ? act : d.act.c_str(), period))}});
      break;
    }
  std::sort(due.begin(), due.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [day, row] : due) rows.push_back(std::move(row));
  std::size_t handovers = 0;
  for (const auto& f : (*audit)["findings"]) handovers += f.value("rule", "") == "handover-due";
  if (handovers)
    rows.push_back({h("<a href=\"/desk/audit?rule=handover-due{}\">{}</a>", lang_suffix(w), w("Due")),
                    t(fmt::format("{} {}", vi_number(handovers), w("files due for the archives")))});
  body += h("<section aria-labelledby=\"s-due\"><h2 id=\"s-due\">{}</h2>{}</section>", w("Deadlines coming (before)"),
            table({w("Due before"), w("What")}, rows));
  // The subjects themselves.
  rows.clear();
  for (const auto& s : *listed) {
    if (rows.size() == kMaxRows) break;
    rows.push_back({subject_link(s.id, w), t(s.name), t(words::stage(w.lang, s.stage)), t(s.unit)});
  }
  body +=
      h("<section aria-labelledby=\"s-all\"><h2 id=\"s-all\">{} ({})</h2>{}{}</section>", w("Subjects"),
        vi_number(listed->size()), table({w("Id"), w("Name"), w("Stage"), w("Unit")}, rows), more(listed->size(), w));
  return page(r, w, unit->empty() ? std::string(w("Overview")) : fmt::format("{} — {}", w("Overview"), *unit), body);
}

// An RFC 3339 time in Vietnam's offset (2026-12-06T07:58:24+07:00) as Vietnamese write it: 06/12/2026 07:58:24.
std::string vi_time(const std::string& t) {
  if (t.size() < 19 || t[10] != 'T') return t;
  const std::string zone = t.substr(19);
  return vi_date(t.substr(0, 10)) + " " + t.substr(11, 8) +
         (zone == "+07:00" ? ""
          : zone == "Z"    ? " UTC"
                           : " (" + zone + ")");
}

Markup signature_facts(const json& sig, const Words& w) {
  auto status = [&](const json& j) {
    return words::status(w.lang, j.is_object() ? text_of(j.value("status", json())) : "");
  };
  return h(
      "<li><strong>{}</strong>: {}<dl class=\"facts\"><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd>"
      "<dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd></dl></li>",
      text_of(sig.value("role", json())) == "person" ? w("Person") : w("Organisation"),
      common_name(text_of(sig.value("signer", json()))), w("Issuer"), common_name(text_of(sig.value("issuer", json()))),
      w("Signing time"), vi_time(text_of(sig.value("signing_time", json()))), w("Integrity"),
      words::status(w.lang, text_of(sig.value("integrity", json()))), w("Certificate valid when signed"),
      sig.value("valid_at_signing_time", false) ? w("yes") : w("no"), w("Certificate now"),
      status(sig.value("certificate_now", json())), w("Revocation"), status(sig.value("revocation_now", json())));
}

http::Response subject_page(const ledger::Ledger& ledger, const http::Request& r, const projections::Scope& scope,
                            const Words& w) {
  const std::string id = param(r, "id"), as_of = param(r, "as_of");
  if (id.empty()) return error_page(r, w, bad(w("id: give ?id=SUBJECT")));
  // A merged province's predecessor's subject HB.<id> (ledger/FORMAT.md §14), for a reader of the whole ledger: read
  // in part HB, under its own profile; the ids it names are written HB.<id> too.
  std::unique_ptr<ledger::Ledger> part;
  std::string prefix, read_id = id;
  if (const auto dot = id.find('.'); dot != std::string::npos && scope.whole()) {
    const auto parts = ledger.sealed_parts();
    if (std::find(parts.begin(), parts.end(), id.substr(0, dot)) != parts.end() &&
        !ledger.state_value("subject/" + id)) {
      auto opened = ledger.open_part(id.substr(0, dot));
      if (!opened) return error_page(r, w, opened.error());
      part = std::move(*opened);
      prefix = id.substr(0, dot);
      read_id = id.substr(dot + 1);
    }
  }
  const ledger::Ledger& read = part ? *part : ledger;
  auto named = [&prefix](const std::string& x) { return prefix.empty() || x.empty() ? x : prefix + "." + x; };
  auto in = queries::subject_in_scope(read, read_id, scope);
  if (!in) return error_page(r, w, in.error());
  if (!*in) return not_found(r, w, id);
  auto history = queries::history(read, read_id, {}, scope);
  if (!history) return error_page(r, w, history.error());
  auto state = queries::show(read, read_id, {as_of, std::nullopt}, scope);
  if (!state) return error_page(r, w, state.error());
  auto dossier = queries::dossier(read, read_id, {as_of, std::nullopt}, scope, w.lang);
  if (!dossier) return error_page(r, w, dossier.error());
  const json& s = *state;
  const json& acts = (*history)["acts"];
  // As of: a date picker and a slider over the acts' dates (desk.js moves the date; without script, the links).
  std::vector<std::string> dates;
  for (const auto& a : acts) dates.push_back(text_of(a["date"]));
  std::size_t position = dates.empty() ? 0 : dates.size() - 1;
  if (!as_of.empty())
    for (std::size_t i = 0; i < dates.size(); ++i)
      if (dates[i] <= as_of) position = i;
  Markup body =
      h("<form class=\"asof\" method=\"get\" action=\"/desk/subject\"><input type=\"hidden\" name=\"id\" value=\"{}\">"
        "{}<label for=\"as_of\">{}</label> <input type=\"date\" id=\"as_of\" name=\"as_of\" value=\"{}\"> "
        "<button type=\"submit\">{}</button>"
        "<label for=\"slider\">{}</label> <input type=\"range\" id=\"slider\" min=\"0\" max=\"{}\" value=\"{}\" "
        "data-dates=\"{}\" aria-valuetext=\"{}\"></form>",
        id, w.en ? Markup{"<input type=\"hidden\" name=\"lang\" value=\"en\">"} : Markup{}, w("State as of"), as_of,
        w("Show"), w("Act by act"), dates.empty() ? 0 : dates.size() - 1, position, json(dates).dump(),
        dates.empty() ? std::string() : vi_date(dates[position]));
  // The state as of the day.
  const json& authority = s.value("authority", json::object());
  const json& rating = s.value("rating", json());
  std::vector<std::vector<Markup>> rows = {
      {t(w("Id")), t(id)},
      {t(w("Name")), t(text_of(s.value("name", json())))},
      {t(w("Kind")), t(words::kind(w.lang, text_of(s.value("kind", json()))))},
      {t(w("Stage")), h("<strong id=\"stage\">{}</strong>", words::stage(w.lang, text_of(s.value("stage", json()))))},
      {t(w("Unit")), t(text_of(authority.value("unit", json())))},
      {t(w("Founded")), t(vi_date(text_of(s.value("founded", json()))))},
      {t(w("Teams")), t(text_of(s.value("teams", json())))},
      {t(w("Latest rating")), t(rating.is_object() ? fmt::format("{} {}", text_of(rating["year"]),
                                                                 words::level(w.lang, text_of(rating["level"])))
                                                   : "-")},
  };
  body +=
      h("<section aria-labelledby=\"s-state\"><h2 id=\"s-state\">{} {}</h2>{}</section>", w("State"),
        as_of.empty() ? w("now") : std::string(w("as of ")) + vi_date(as_of), table({w("Field"), w("Value")}, rows));
  // Lineage.
  Markup lineage;
  auto list = [&](const char* label, const json& ids) {
    if (ids.is_string() && !ids.get<std::string>().empty())
      lineage += h("<li>{}: {}</li>", label, subject_link(named(ids.get<std::string>()), w));
    if (ids.is_array() && !ids.empty()) {
      Markup links;
      for (const auto& x : ids) links += subject_link(named(text_of(x)), w) + Markup{" "};
      lineage += h("<li>{} ({}): {}</li>", label, ids.size(), links);
    }
  };
  list(w("Point of"), s.value("point_of", json()));
  list(w("Replication points"), s.value("points", json()));
  list(w("Merged from"), s.value("merged_from", json()));
  list(w("Merged into"), s.value("merged_into", json()));
  list(w("Carried from"), s.value("carried_from", json()));
  body += h("<section aria-labelledby=\"s-line\"><h2 id=\"s-line\">{}</h2>{}</section>", w("Lineage"),
            lineage.html.empty() ? t(w("None.")) : h("<ul>{}</ul>", lineage));
  // The timeline, act by act.
  Markup timeline;
  for (const auto& a : acts) {
    const std::string date = text_of(a["date"]);
    const json& doc = a.value("document", json::object());
    Markup sigs;
    for (const auto& sig : a.value("signatures", json::array())) sigs += signature_facts(sig, w);
    const char* kind = words::act(w.lang, text_of(a["act"]));
    timeline +=
        h("<li id=\"e{}\" class=\"{}\"><p><span class=\"date\">{}</span> <strong>{}</strong> {} — {} ({}), {} {}</p>"
          "<p class=\"sigstate\">{}</p><ul class=\"sigs\">{}</ul></li>",
          a["seq"], !as_of.empty() && date > as_of ? "later" : "", vi_date(date), kind ? kind : text_of(a["act"]),
          text_of(doc.value("number", json())), text_of(doc.value("title", json())),
          text_of(doc.value("issuer", json())), w("entry"), a["seq"],
          a.value("signatures_valid", false)
              ? w("Signatures valid")
              : std::string(w("Signatures NOT valid: ")) + text_of(a.value("signature_failure", json())),
          sigs);
  }
  body +=
      h("<section aria-labelledby=\"s-acts\"><h2 id=\"s-acts\">{} ({})</h2><ol class=\"timeline\">{}</ol></section>",
        w("Acts"), acts.size(), timeline);
  // The diff between two dates.
  const std::string from = param(r, "from"), to = param(r, "to");
  Markup diff =
      h("<form method=\"get\" action=\"/desk/subject\"><input type=\"hidden\" name=\"id\" value=\"{}\">{}"
        "<label for=\"from\">{}</label> <input type=\"date\" id=\"from\" name=\"from\" value=\"{}\"> "
        "<label for=\"to\">{}</label> <input type=\"date\" id=\"to\" name=\"to\" value=\"{}\"> "
        "<button type=\"submit\">{}</button></form>",
        id, w.en ? Markup{"<input type=\"hidden\" name=\"lang\" value=\"en\">"} : Markup{}, w("From"), from, w("To"),
        to, w("Compare"));
  if (!from.empty() && !to.empty()) {
    auto d = queries::diff(read, read_id, from, to, scope);
    if (!d) {
      diff += h("<p class=\"error\" role=\"alert\">{}</p>", d.error().message);
    } else {
      std::vector<std::vector<Markup>> changes;
      for (const auto& c : (*d)["changes"])
        changes.push_back({t(text_of(c["field"])), t(text_of(c["from"])), t(text_of(c["to"]))});
      diff += changes.empty() ? t(w("No change.")) : table({w("Field"), w("Before"), w("After")}, changes);
    }
  }
  body += h("<section aria-labelledby=\"s-diff\"><h2 id=\"s-diff\">{}</h2>{}</section>", w("Between two dates"), diff);
  // The dossier checklist, each document downloadable where the ledger holds it.
  rows.clear();
  for (const auto& item : (*dossier)["items"]) {
    Markup docs;
    for (const auto& d : item["documents"]) {
      Markup files;
      for (const auto& a : d["attachments"]) {
        const std::string sha = text_of(a["sha256"]);
        // (A paper of a sealed part is downloaded from the predecessor's own service or directory.)
        if (a.value("held", false) && !d.contains("part") && prefix.empty())
          files +=
              h(" <a href=\"/desk/document?subject={}&amp;sha256={}\">{}</a>", percent_encode(id), sha, w("download"));
        else if (!a["disposal"].is_null())
          files += h(" ({} {})", w("destroyed under decision"), text_of(a["disposal"]["number"]));
        else if (!a.value("held", false))
          files += h(" ({})", w("transferred or not held"));
      }
      docs += h("<li>{} {} ({}){}</li>", text_of(d["number"]), text_of(d["title"]), vi_date(text_of(d["date"])), files);
    }
    const std::string status = text_of(item["status"]);
    rows.push_back({t(text_of(item["item"])), t(text_of(item["title"])),
                    h("<span class=\"st-{}\">{}</span>", status,
                      status == "present"        ? w("present")
                      : status == "missing"      ? w("missing")
                      : status == "not-required" ? w("not required")
                                                 : status.c_str()),
                    docs.html.empty() ? t(text_of(item.value("reason", json()))) : h("<ul>{}</ul>", docs)});
  }
  body += h("<section aria-labelledby=\"s-dossier\"><h2 id=\"s-dossier\">{}</h2>{}</section>", w("Dossier"),
            table({w("Item"), w("Document"), w("Status"), w("Papers")}, rows));
  const std::string name = text_of(s.value("name", json()));
  return page(r, w, name.empty() ? id : fmt::format("{} — {}", id, name), body);
}

// A document of a subject's dossier, by its SHA-256: only one the dossier names, of a subject in the scope.
http::Response document(const ledger::Ledger& ledger, const http::Request& r, const projections::Scope& scope,
                        const Words& w) {
  const std::string id = param(r, "subject"), sha = param(r, "sha256");
  auto in = queries::subject_in_scope(ledger, id, scope);
  if (!in) return error_page(r, w, in.error());
  if (!*in) return not_found(r, w, id);
  auto dossier = queries::dossier(ledger, id, {}, scope);
  if (!dossier) return error_page(r, w, dossier.error());
  std::string media;
  for (const auto& item : (*dossier)["items"])
    for (const auto& d : item["documents"])
      for (const auto& a : d["attachments"])
        if (text_of(a["sha256"]) == sha && !d.contains("part")) media = text_of(a["media_type"]);
  const auto digest = digest_from_hex(sha);
  if (media.empty() || !digest) return not_found(r, w, sha);
  auto bytes = ledger.attachment(*digest);
  if (!bytes) return not_found(r, w, sha);
  http::Response res;
  // Served as a download: a PDF as a PDF, anything else as bytes (never rendered in the desk's origin).
  res.content_type = media == "application/pdf" ? "application/pdf" : "application/octet-stream";
  res.body.assign(bytes->begin(), bytes->end());
  res.headers.emplace_back("Content-Disposition", fmt::format("attachment; filename=\"{}{}\"", sha.substr(0, 16),
                                                              media == "application/pdf" ? ".pdf" : ".bin"));
  res.headers.emplace_back("Content-Security-Policy", "default-src 'none'; sandbox");
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return res;
}

http::Response stats_page(const ledger::Ledger& ledger, const http::Request& r, const projections::Scope& scope,
                          const Words& w) {
  std::optional<int> year;
  if (const std::string y = param(r, "year"); !y.empty()) {
    if (y.size() != 4 || !std::all_of(y.begin(), y.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return error_page(r, w, bad("year: YYYY"));
    year = std::stoi(y);
  }
  queries::StatsOptions asked;  // named, not a temporary: GCC 12 at -O3 warns maybe-uninitialized of one
  asked.point.as_of = param(r, "as_of");
  asked.year = year;
  asked.unit = param(r, "unit");
  auto now = queries::stats(ledger, asked, scope);
  if (!now) return error_page(r, w, now.error());
  const int shown = (*now)["year"].get<int>();
  Markup body =
      h("<form method=\"get\" action=\"/desk/stats\">{}<label for=\"year\">{}</label> "
        "<input id=\"year\" name=\"year\" inputmode=\"numeric\" size=\"5\" value=\"{}\"> "
        "<button type=\"submit\">{}</button></form>",
        w.en ? Markup{"<input type=\"hidden\" name=\"lang\" value=\"en\">"} : Markup{}, w("Evaluation year"), shown,
        w("Show"));
  body +=
      h("<p id=\"totals\" data-points=\"{}\" data-teams=\"{}\">{}: <strong>{}</strong> {}, <strong>{}</strong> {}.</p>",
        (*now)["points"], (*now)["teams"], w("Total"), vi_number((*now)["points"].get<std::uint64_t>()), w("points"),
        vi_number((*now)["teams"].get<std::uint64_t>()), w("teams"));
  std::vector<Bar> bars;
  std::vector<std::vector<Markup>> rows;
  for (const auto& m : (*now)["models"]) {
    if (bars.size() < 12) bars.push_back({text_of(m["name"]), m["points"].get<std::uint64_t>()});
    rows.push_back({t(text_of(m["name"])), t(vi_number(m["points"].get<std::uint64_t>())),
                    t(vi_number(m["teams"].get<std::uint64_t>()))});
  }
  body += h("<section aria-labelledby=\"s-names\"><h2 id=\"s-names\">{}</h2>{}{}</section>", w("Points by model name"),
            bar_chart(w("Points by model name"), bars), table({w("Model"), w("Points"), w("Teams")}, rows));
  // Over the years: points and teams, ratings by level (each evaluation year's figures as of 31 December, after its
  // ratings were decided in November; the current year's as of today).
  rows.clear();
  std::vector<Bar> rated;
  std::map<std::string, std::map<int, std::pair<std::uint64_t, std::uint64_t>>>
      by_name;  // name -> year -> points, teams
  std::vector<int> years;
  std::map<std::string, std::string> standard;  // each name the acts write -> the row it is counted under now
  for (const auto& m : (*now)["models"])
    for (const auto& v : m.value("variants", json::array())) standard[text_of(v["name"])] = text_of(m["name"]);
  for (int y = shown - 4; y <= shown; ++y) {
    queries::StatsOptions of_year;
    of_year.point.as_of = std::min(fmt::format("{}-12-31", y), vietnam_today());
    of_year.year = y;
    of_year.unit = param(r, "unit");
    auto s = queries::stats(ledger, of_year, scope);
    if (!s) continue;  // a year before the ledger's first act
    years.push_back(y);
    for (const auto& m : (*s)["models"]) {
      // A row per name as the shown year's figures name it: a year whose points all wrote a variant (ANTT) joins the
      // standard name's row.
      std::string name = text_of(m["name"]);
      for (const auto& v : m.value("variants", json::array()))
        if (auto it = standard.find(text_of(v["name"])); it != standard.end()) name = it->second;
      auto& cell = by_name[name][y];
      cell.first += m["points"].get<std::uint64_t>();
      cell.second += m["teams"].get<std::uint64_t>();
    }
    const json& rt = (*s)["ratings"];
    std::vector<Markup> row{t(std::to_string(y)), t(vi_number((*s)["points"].get<std::uint64_t>())),
                            t(vi_number((*s)["teams"].get<std::uint64_t>()))};
    for (const char* level : {"good", "fair", "average", "weak"}) {
      row.push_back(t(vi_number(rt.value(level, std::uint64_t{0}))));
      rated.push_back({fmt::format("{} {}", y, words::level(w.lang, level)), rt.value(level, std::uint64_t{0})});
    }
    rows.push_back(std::move(row));
  }
  body += h("<section aria-labelledby=\"s-years\"><h2 id=\"s-years\">{}</h2>{}{}</section>", w("Over the years"),
            bar_chart(w("Ratings by year and level"), rated),
            table({w("Year"), w("Points"), w("Teams"), w("Good"), w("Fair"), w("Average"), w("Weak")}, rows));
  // Points and teams by model name over the same years.
  rows.clear();
  std::vector<std::string> heading{w("Model")};
  for (int y : years) heading.push_back(fmt::format("{} ({})", y, w("points / teams")));
  for (const auto& [name, per_year] : by_name) {
    std::vector<Markup> row{t(name)};
    for (int y : years) {
      auto it = per_year.find(y);
      row.push_back(t(it == per_year.end() ? "-" : vi_number(it->second.first) + " / " + vi_number(it->second.second)));
    }
    rows.push_back(std::move(row));
  }
  body += h("<section aria-labelledby=\"s-names-years\"><h2 id=\"s-names-years\">{}</h2>{}</section>",
            w("Points and teams by model name over the years"), table(heading, rows));
  rows.clear();
  for (const char* stage : {"building", "recognized", "ended"})
    rows.push_back({t(words::stage(w.lang, stage)), t(vi_number((*now)["exemplars"].value(stage, std::uint64_t{0})))});
  body += h("<section aria-labelledby=\"s-ex\"><h2 id=\"s-ex\">{}</h2>{}</section>", w("Exemplars"),
            table({w("Stage"), w("Count")}, rows));
  return page(r, w, i18n::trf(w.lang, "Statistics for {}", shown), body);
}

http::Response audit_page(const ledger::Ledger& ledger, const http::Request& r, const projections::Scope& scope,
                          const Words& w) {
  const std::string rule = param(r, "rule"), year = param(r, "year");
  auto found = queries::audit(ledger, {}, "", scope, param(r, "unit"), w.lang);
  if (!found) return error_page(r, w, found.error());
  Markup options = h("<option value=\"\">{}</option>", w("All"));
  for (const auto& [id, n] : (*found)["counts"].items())
    options += h("<option value=\"{}\"{}>{} ({})</option>", id, id == rule ? Markup{" selected"} : Markup{},
                 words::rule(w.lang, id), n);
  Markup body =
      h("<form method=\"get\" action=\"/desk/audit\">{}<label for=\"rule\">{}</label> <select id=\"rule\" "
        "name=\"rule\">{}</select> "
        "<label for=\"unit\">{}</label> <input id=\"unit\" name=\"unit\" value=\"{}\"> "
        "<label for=\"fyear\">{}</label> <input id=\"fyear\" name=\"year\" size=\"5\" inputmode=\"numeric\" "
        "value=\"{}\"> "
        "<button type=\"submit\">{}</button></form>",
        w.en ? Markup{"<input type=\"hidden\" name=\"lang\" value=\"en\">"} : Markup{}, w("Rule"), options, w("Unit"),
        param(r, "unit"), w("Year"), year, w("Filter"));
  std::size_t matching = 0;  // the findings the filters keep (the table shows kMaxRows of them at most)
  std::vector<std::vector<Markup>> rows;
  for (const auto& f : (*found)["findings"]) {
    if (!rule.empty() && f["rule"] != rule) continue;
    if (!year.empty() && !text_of(f["date"]).starts_with(year)) continue;
    const std::string subject = text_of(f["subject"]);
    Markup who =
        subject == "ledger" ? t(text_of(f.value("unit", json()))) : subject_link(subject, w, "e" + text_of(f["seq"]));
    // The acts concerned, each a link to its place in the subject's timeline.
    Markup documents;
    if (subject != "ledger" && subject.find('.') == std::string::npos)
      for (const auto& d : f.value("documents", json::array()))
        documents += h(" <a href=\"/desk/subject?id={}{}#e{}\">{} {}</a>", percent_encode(subject), lang_suffix(w), d,
                       w("entry"), d);
    ++matching;
    if (rows.size() == kMaxRows) continue;
    rows.push_back({t(vi_date(text_of(f["date"]))),
                    h("<span title=\"{}\">{}</span>", text_of(f["rule"]), words::rule(w.lang, text_of(f["rule"]))), who,
                    t(text_of(f["message"])) + documents});
  }
  body += h("<p id=\"count\" data-count=\"{}\">{}: {}</p>", matching, w("Number of findings"), vi_number(matching));
  body += table({w("Date"), w("Finding"), w("Subject"), w("Message")}, rows) + more(matching, w);
  return page(r, w, w("Audit findings"), body);
}

http::Response reports_page(const http::Request& r, const Words& w) {
  const std::string today = vietnam_today();
  const int y = std::stoi(today.substr(0, 4));
  Markup links;
  for (int year = y; year >= y - 3; --year)
    links +=
        h("<li><a href=\"/v1/report?period={}&amp;format=html\">{} {}</a> · <a "
          "href=\"/v1/report?period={}-H1&amp;format=html\">{} {}</a></li>",
          year, w("Yearly report"), year, year, w("Half-year report"), year);
  return page(r, w, w("Reports"),
              h("<p>{}</p><ul>{}</ul>", w("The printable report, as antq report --format html writes it."), links));
}

// `subject`: set to the subject of the entry it proves, if any.
http::Response verify_page(const ledger::Ledger& ledger, const http::Request& r, const projections::Scope& scope,
                           const Words& w, std::string& subject) {
  auto checkpoint = queries::checkpoint(ledger);
  if (!checkpoint) return error_page(r, w, checkpoint.error());
  auto last = queries::last_verification(ledger.dir());
  Markup body = h("<section aria-labelledby=\"s-cp\"><h2 id=\"s-cp\">{}</h2><pre id=\"checkpoint\">{}</pre></section>",
                  w("The current signed checkpoint"), lines(*checkpoint));
  if (last && last->value("recorded", false))
    body +=
        h("<section aria-labelledby=\"s-last\"><h2 id=\"s-last\">{}</h2><p>{} {}: <strong>{}</strong>, {} "
          "{}.</p></section>",
          w("The last full verification"), w("At"), vi_time(text_of((*last)["time"])),
          last->value("ok", false) ? w("passed") : w("FAILED"), vi_number(last->value("entries", std::uint64_t{0})),
          w("entries"));
  else
    body += h("<p>{}</p>", w("No full verification recorded yet (antq verify)."));
  const std::string seq_text = param(r, "seq");
  body +=
      h("<form method=\"get\" action=\"/desk/verify\">{}<label for=\"seq\">{}</label> "
        "<input id=\"seq\" name=\"seq\" inputmode=\"numeric\" size=\"8\" value=\"{}\"> <button "
        "type=\"submit\">{}</button></form>",
        w.en ? Markup{"<input type=\"hidden\" name=\"lang\" value=\"en\">"} : Markup{},
        w("Prove that an entry is in the log (entry number)"), seq_text, w("Get the proof"));
  if (!seq_text.empty()) {
    if (seq_text.size() > 19 ||
        !std::all_of(seq_text.begin(), seq_text.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return error_page(r, w, bad("seq: a number"));
    const std::uint64_t seq = std::stoull(seq_text);
    auto bytes = ledger.entry_bytes(seq);
    if (!bytes) return error_page(r, w, bad(fmt::format("seq: the log has entries 0 to {}", ledger.size() - 1)));
    // The entry's bytes go to the browser only where the reader may see its subject.
    auto entry = ledger::decode_entry(*bytes);
    auto act = entry ? ledger::decode_body(entry->event.body) : Result<ledger::Act>(std::unexpected(entry.error()));
    if (auto in = queries::entry_in_scope(ledger, seq, scope); !in || !*in)
      return not_found(r, w, fmt::format("{} {}", w("entry"), seq));
    auto proof = queries::proof_inclusion(ledger, seq, ledger.size());
    if (!proof) return error_page(r, w, proof.error());
    if (act) subject = act->subject;
    body += h(
        "<section aria-labelledby=\"s-proof\" id=\"proof\" data-entry=\"{}\" data-seq=\"{}\" data-size=\"{}\" "
        "data-proof=\"{}\" data-leaf=\"{}\" data-root=\"{}\"><h2 id=\"s-proof\">{} {}</h2>"
        "<p>{}</p><p>{}: <code>{}</code></p><p>{}: <code>{}</code></p><p>{}: {}</p>"
        "<p id=\"browser-check\" role=\"status\" aria-live=\"polite\">{}</p><ol id=\"steps\"></ol></section>",
        to_base64(*bytes), seq, (*proof)["size"], (*proof)["proof"].dump(), (*proof)["leaf_hash"], (*proof)["root"],
        w("Inclusion proof of entry"), seq,
        act ? fmt::format("{} {} ({})", words::act(w.lang, act->act) ? words::act(w.lang, act->act) : act->act.c_str(),
                          act->subject, vi_date(act->date))
            : std::string(),
        w("Leaf hash (server)"), (*proof)["leaf_hash"], w("Root (server)"), (*proof)["root"], w("Hashes in the proof"),
        (*proof)["proof"].size(), w("The browser is checking it itself with SHA-256 (WebCrypto)..."));
  }
  return page(r, w, w("Verification"), body);
}

}  // namespace

std::string vi_number(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += '.';
    out += digits[i];
  }
  return out;
}

std::string vi_date(const std::string& iso) { return i18n::date(i18n::Lang::vi, iso); }

namespace {

// What a page of the desk reads, from its request (a verification page's subject is the proven entry's, set by it).
Reading reading_of(const http::Request& r) {
  const std::string page = r.path.substr(std::string_view("/desk/").size());
  if (page == "desk.css" || page == "desk.js") return {};
  if (page == "subject") return {param(r, "id"), "", "desk subject"};
  if (page == "document") return {param(r, "subject"), "", "desk document " + param(r, "sha256")};
  if (page == "stats") return {"", param(r, "unit"), "desk stats " + param(r, "year")};
  if (page == "audit") return {"", param(r, "unit"), "desk audit"};
  if (page == "verify") return {"", "", "desk verify " + param(r, "seq")};
  if (page.empty()) return {"", param(r, "unit"), "desk overview"};
  return {"", "", "desk " + page};
}

http::Response page_of(const ledger::Ledger& ledger, const http::Request& r, const projections::Scope& scope,
                       Reading& shown) {
  const Words w{param(r, "lang") == "en"};
  const std::string page_name = r.path.substr(std::string_view("/desk/").size());
  if (page_name == "desk.css" || page_name == "desk.js") {
    http::Response res;
    res.content_type = page_name == "desk.css" ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
    res.body = page_name == "desk.css" ? kDeskCss : kDeskJs;
    res.cache_control = "private, max-age=300";
    res.headers.emplace_back("X-Content-Type-Options", "nosniff");
    return res;
  }
  if (page_name.empty()) return overview(ledger, r, scope, w);
  if (page_name == "subject") return subject_page(ledger, r, scope, w);
  if (page_name == "document") return document(ledger, r, scope, w);
  if (page_name == "stats") return stats_page(ledger, r, scope, w);
  if (page_name == "audit") return audit_page(ledger, r, scope, w);
  if (page_name == "reports") return reports_page(r, w);
  if (page_name == "verify") return verify_page(ledger, r, scope, w, shown.subject);
  return page(r, w, w("No such page"), h("<p>{}</p>", r.path), 404);
}

}  // namespace

http::Response answer(const ledger::Ledger& ledger, const http::Request& r, const projections::Scope& scope,
                      Reading* shown) {
  Reading reading = reading_of(r);
  http::Response res = page_of(ledger, r, scope, reading);
  if (res.status != 200) reading = {};
  // The unit under its registered name, as the API's routes enter it.
  if (!reading.unit.empty())
    if (auto resolved = queries::resolve_unit(ledger, reading.unit, scope)) reading.unit = std::move(*resolved);
  if (shown) *shown = std::move(reading);
  return res;
}

}  // namespace antq::cli::desk
