// antq report: the half-year and yearly reports in the shape the provinces send (table, CSV, printable HTML,
// JSON); antq reconcile: a submitted report's figures checked against the ledger as of the report's day.
#include <algorithm>
#include <iostream>
#include <map>
#include <sstream>

#include "cli/common.hpp"
#include "cli/service_client.hpp"
#include "cli/csv.hpp"
#include "cli/display.hpp"
#include "cli/official_document.hpp"
#include "cli/pdf.hpp"
#include "cli/queries.hpp"
#include "ledger/act.hpp"
#include "ledger/ledger.hpp"
#include "projections/admission.hpp"
#include "projections/names.hpp"
#include "projections/report.hpp"
#include "projections/units.hpp"

namespace antq::cli {
namespace {

using nlohmann::json;
using projections::Figure;
using projections::PeriodicReport;

// A section of the report as the provinces head it (Vietnamese, then English), with its table.
struct Section {
  std::string number, vi, en;
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};

struct Label {
  const char *vi, *en;
};
const std::map<std::string, Label, std::less<>> kPeriodLabels = {
    {"models-established", {"Mô hình xây dựng mới", "models established"}},
    {"points-established", {"Điểm mô hình nhân rộng mới", "new points of replicated models"}},
    {"models-recognized", {"Mô hình tự phát được công nhận", "spontaneous models recognised"}},
    {"replicated", {"Mô hình được quyết định nhân rộng", "models replicated"}},
    {"merged", {"Mô hình sáp nhập vào mô hình khác", "models merged into another"}},
    {"reorganized", {"Mô hình được kiện toàn", "models reorganised"}},
    {"terminated", {"Mô hình kết thúc hoạt động", "models terminated"}},
    {"announced", {"Mô hình được thông báo, giới thiệu kinh nghiệm", "models announced"}},
    {"exemplars-recognized", {"Điển hình được công nhận", "exemplars recognised"}},
    {"exemplars-ended", {"Điển hình kết thúc xây dựng", "exemplars ended"}},
};
const std::map<std::string, Label, std::less<>> kLevels = {
    {"good", {"Tốt", "Good"}}, {"fair", {"Khá", "Fair"}}, {"average", {"Trung bình", "Average"}}, {"weak", {"Yếu", "Weak"}},
    {"building", {"Đang xây dựng", "building"}}, {"recognized", {"Đã công nhận", "recognised"}},
    {"ended", {"Kết thúc xây dựng", "ended"}}};
// The printed document's words for the reasons a model is counted apart and the kinds of reorganisation (the table
// shows the keys, as the CSV has them); a value not listed prints as it is.
const std::map<std::string, std::string, std::less<>> kApartReasons = {
    {"dan-van-kheo", "Mô hình “Dân vận khéo”"},
    {"no-security-content", "Không có nội dung về an ninh, trật tự"}};
const std::map<std::string, std::string, std::less<>> kReorganisationKinds = {
    {"merger", "Sáp nhập"}, {"split", "Chia tách"}, {"abolished", "Kết thúc hoạt động"}};

std::string in_period(const projections::Statistics& s, const std::string& key) {
  auto it = s.in_period.find(key);
  return std::to_string(it == s.in_period.end() ? 0 : it->second);
}

std::string word_of(const std::map<std::string, std::string, std::less<>>& words, const std::string& key) {
  auto it = words.find(key);
  return it == words.end() ? key : it->second;
}

// The sections of the report. With `english` (the table): each label as "Vietnamese (English)", and the subjects
// counted apart by id. Without (the printed document, Decree 30): Vietnamese only, subjects by name, dates as
// dd/mm/yyyy, and no section of internal ids (the sealed parts of a merged province).
std::vector<Section> sections_of(const PeriodicReport& r, bool english = true) {
  const projections::Statistics& s = r.stats;
  auto both = [english](std::string_view vi, std::string_view en) {
    return english ? fmt::format("{} ({})", vi, en) : std::string(vi);
  };
  auto day = [english](const std::string& date) { return english ? date : decree30_date(date); };
  std::vector<Section> out;
  Section models{"I", "Thống kê mô hình theo tên", "models by name: points and implementing teams",
                 {both("Tên mô hình", "model"), both("Số điểm", "points"), both("Số tổ", "teams")}, {}};
  for (const auto& m : s.models) models.rows.push_back({m.name, std::to_string(m.points), std::to_string(m.teams)});
  models.rows.push_back({both("Tổng số", "total"), std::to_string(s.points), std::to_string(s.teams)});
  out.push_back(std::move(models));

  Section built{"II", "Xây dựng mới, công nhận, nhân rộng, sáp nhập, kiện toàn, kết thúc trong kỳ",
                fmt::format("in the period {} to {}", r.covers.from, r.covers.to),
                {both("Nội dung", "figure"), "Số lượng"}, {}};
  for (const char* key : {"models-established", "points-established", "models-recognized", "replicated", "merged",
                          "reorganized", "terminated"}) {
    const Label& l = kPeriodLabels.at(key);
    built.rows.push_back({both(l.vi, l.en), in_period(s, key)});
  }
  out.push_back(std::move(built));

  if (r.yearly) {
    Section ratings{"III", fmt::format("Đánh giá, xếp loại mô hình năm {}", r.year),
                    fmt::format("ratings of evaluation year {}", r.year),
                    {both("Mức xếp loại", "level"), "Số mô hình, điểm"}, {}};
    std::size_t effective = 0;
    for (const char* level : {"good", "fair", "average", "weak"}) {
      auto it = s.ratings.find(level);
      const std::size_t n = it == s.ratings.end() ? 0 : it->second;
      if (std::string_view(level) == "good" || std::string_view(level) == "fair") effective += n;
      ratings.rows.push_back({both(kLevels.at(level).vi, kLevels.at(level).en), std::to_string(n)});
    }
    ratings.rows.push_back({english ? "Hoạt động hiệu quả: Khá trở lên (effective: Fair or better)"
                                    : "Hoạt động hiệu quả (xếp loại Khá trở lên)",
                            std::to_string(effective)});
    for (const auto& rep : s.replication)
      ratings.rows.push_back(
          {english ? fmt::format("Mô hình nhân rộng {} ({}): {} điểm, số điểm Khá trở lên", rep.origin, rep.name,
                                 rep.points)
                   : fmt::format("Mô hình nhân rộng “{}”: {} điểm, số điểm Khá trở lên", rep.name, rep.points),
           std::to_string(rep.effective)});
    out.push_back(std::move(ratings));
  }

  const Label& announced = kPeriodLabels.at("announced");
  out.push_back({"IV", "Đề xuất thông báo, giới thiệu kinh nghiệm, nhân rộng", "announcements in the period",
                 {both("Nội dung", "figure"), "Số lượng"},
                 {{both(announced.vi, announced.en), in_period(s, "announced")}}});

  Section exemplars{"V", "Điển hình tiên tiến", fmt::format("exemplars on {}, and in the period", r.as_of),
                    {both("Nội dung", "figure"), "Số lượng"}, {}};
  for (const char* stage : {"building", "recognized", "ended"}) {
    auto it = s.exemplars.find(stage);
    exemplars.rows.push_back({both(kLevels.at(stage).vi, kLevels.at(stage).en),
                              std::to_string(it == s.exemplars.end() ? 0 : it->second)});
  }
  for (const char* key : {"exemplars-recognized", "exemplars-ended"}) {
    const Label& l = kPeriodLabels.at(key);
    exemplars.rows.push_back({english ? fmt::format("{} trong kỳ ({} in the period)", l.vi, l.en)
                                      : fmt::format("{} trong kỳ", l.vi),
                              in_period(s, key)});
  }
  out.push_back(std::move(exemplars));

  Section apart{"VI", "Thống kê riêng, không tính vào tổng số",
                "counted apart, never in the totals: Dân vận khéo models and models without security content", {}, {}};
  if (english) {
    apart.columns = {"Mô hình (subject)", "Tên (name)", "Lý do (reason)"};
    for (const auto& a : s.apart) apart.rows.push_back({a.subject, a.name, a.reason});
  } else {
    apart.columns = {"Tên mô hình", "Lý do"};
    for (const auto& a : s.apart) apart.rows.push_back({a.name, word_of(kApartReasons, a.reason)});
  }
  out.push_back(std::move(apart));

  // The units as they were on the report's day (unit.reorganised): only where a reorganisation is in force.
  if (!s.succeeded.empty()) {
    Section units{"VII", "Đơn vị sau sắp xếp", "units reorganised by the report's day: old unit, successor, from",
                  {both("Đơn vị cũ", "old unit"), both("Đơn vị kế thừa", "successor"), both("Từ ngày", "effective"),
                   both("Hình thức", "kind")},
                  {}};
    for (const auto& x : s.succeeded)
      units.rows.push_back(
          {x.unit, x.successor, day(x.effective), english ? x.kind : word_of(kReorganisationKinds, x.kind)});
    out.push_back(std::move(units));
  }
  // The subjects counted from a merged province's predecessors (sealed parts): only where there are some. Its rows
  // are id prefixes, which the printed document does not show (the totals above count those subjects).
  if (!s.parts.empty() && english) {
    Section parts{s.succeeded.empty() ? "VII" : "VIII", "Mô hình, điển hình của tỉnh cũ (trước sắp xếp)",
                  "subjects of a merged province's predecessor counted, not carried over by the report's day",
                  {"Phần hồ sơ (sealed part)", "Số mô hình, điểm, điển hình (subjects)"}, {}};
    for (const auto& [prefix, n] : s.parts) parts.rows.push_back({prefix, std::to_string(n)});
    out.push_back(std::move(parts));
  }
  return out;
}

std::string title_of(const PeriodicReport& r) {
  return r.yearly ? fmt::format("BÁO CÁO tổng kết năm {}", r.year)
                  : fmt::format("BÁO CÁO sơ kết 6 tháng đầu năm {}", r.year);
}
constexpr const char* kSubject =
    "Kết quả công tác xây dựng, công nhận, nhân rộng mô hình, điển hình tiên tiến trong phong trào Toàn dân bảo vệ "
    "an ninh Tổ quốc";

std::vector<std::pair<std::string, std::string>> heading(const PeriodicReport& r, const std::string& dir,
                                                         std::uint64_t size) {
  return {{"Đơn vị báo cáo (reporting unit)", r.unit.empty() ? "Tất cả các đơn vị (every unit)" : r.unit},
          {"Kỳ báo cáo (period)", fmt::format("{} ({} – {})", r.period, r.covers.from, r.covers.to)},
          {"Số liệu tính đến (as of)", r.as_of},
          {"Hạn gửi (due before)", r.due.empty() ? "— (the profile sets none)" : r.due},
          {"Quy định áp dụng (profile)", r.profile},
          {"Căn cứ (basis)", r.basis},
          {"Nguồn (source)", fmt::format("antq-ledger {} ({} entries)", dir, size)}};
}

bool is_count(const std::string& cell) {
  return !cell.empty() && cell.find_first_not_of("0123456789") == std::string::npos;
}

// The table and the HTML page show every cell through visible() (cli/display.hpp): model names, units and reasons
// come from acts, the unit and the directory from the command line.
void print_report_table(const PeriodicReport& r, const std::string& dir, std::uint64_t size) {
  std::cout << title_of(r) << "\n" << kSubject << "\n\n";
  for (const auto& [k, v] : heading(r, dir, size)) std::cout << cell(k, 34) << ' ' << visible(v) << '\n';
  for (const auto& s : sections_of(r)) {
    std::cout << "\n";
    print_line(fmt::format("{}. {} ({})", s.number, s.vi, s.en));
    if (s.rows.empty()) std::cout << "   (không có / none)\n";
    for (const auto& row : s.rows) {
      const bool counts = std::all_of(row.begin() + 1, row.end(), is_count);
      std::string line = "   " + (counts ? cell(row[0], 70) : visible(row[0]));
      for (std::size_t i = 1; i < row.size(); ++i) {
        line += counts ? " " : "  ";
        line += counts ? cell_right(row[i], 8) : visible(row[i]);
      }
      std::cout << line << "\n";
    }
  }
  std::cout << "\n";
  print_line(fmt::format("Check a submitted copy: antq reconcile {} REPORT.csv", dir));
}

// What antq report's options say of the printed document (--issuer ...); what they leave unset comes from the
// ledger (document_of).
struct DocumentOptions {
  std::optional<std::string> issuer, governing_body, number, place, date, signer_authority, signer_title, signer_name;
  std::vector<std::string> recipients;
};

// The printed report's document fields: the options, else the unit registry as of the report's day (the issuer is
// the reporting unit by its registered name, its governing body the unit above it, the signer of a people's
// committee or a steering committee signs on its behalf as its head), the place its name carries (place_of), the
// recipient the profile's tier of the deadline names, today's date. bad_input for a --date that is not a date.
Result<OfficialDocument> document_of(const ledger::Ledger& ledger, const PeriodicReport& r, const DocumentOptions& o) {
  OfficialDocument d;
  d.issuer = o.issuer.value_or(r.unit);
  const projections::LedgerState state(ledger);
  const projections::UnitTree tree(projections::registered_units(state), r.as_of);
  const projections::Unit* unit = d.issuer.empty() ? nullptr : tree.find(d.issuer);
  if (unit && !o.issuer) d.issuer = unit->name;
  if (o.governing_body) d.governing_body = *o.governing_body;
  else if (const projections::Unit* above = unit ? tree.parent(*unit) : nullptr) d.governing_body = above->name;
  d.number = o.number.value_or("");
  d.symbol = report_symbol(d.issuer);
  d.place = o.place.value_or(place_of(d.issuer));
  d.date = o.date.value_or(vietnam_today());
  if (!ledger::is_date(d.date)) return bad_input(i18n::Text("--date: expected a date YYYY-MM-DD, got \"{}\"", d.date));
  d.recipients = o.recipients;
  if (d.recipients.empty() && !r.to.empty()) d.recipients.push_back(r.to);
  if (unit && unit->kind == "people-committee") {
    d.signer_authority = "TM. ỦY BAN NHÂN DÂN";
    d.signer_title = "CHỦ TỊCH";
  } else if (unit && unit->kind == "steering-committee") {
    d.signer_authority = "TM. BAN CHỈ ĐẠO";
    d.signer_title = "TRƯỞNG BAN";
  }
  d.signer_authority = o.signer_authority.value_or(d.signer_authority);
  d.signer_title = o.signer_title.value_or(d.signer_title);
  d.signer_name = o.signer_name.value_or("");
  return d;
}

// The report as an administrative document of Decree 30/2020/NĐ-CP (cli/official_document.hpp): Vietnamese only,
// no command line, path, entry number or subject id. Every value goes through html_escape (cli/display.hpp).
void print_html(std::ostream& out, const PeriodicReport& r, const OfficialDocument& doc) {
  const std::string when = r.yearly ? fmt::format("năm {}", r.year) : fmt::format("6 tháng đầu năm {}", r.year);
  const std::string work =
      "công tác xây dựng, công nhận, nhân rộng mô hình, điển hình tiên tiến trong phong trào Toàn dân bảo vệ an ninh "
      "Tổ quốc";
  print_document_head(out, doc, fmt::format("Báo cáo {} {}", r.yearly ? "tổng kết" : "sơ kết", when), "Báo cáo",
                      fmt::format("{} {} {}", r.yearly ? "Tổng kết" : "Sơ kết", when, work));
  // The document the report carries out (profile_basis: its title, issuer, number and date), without the documents
  // it replaced.
  const std::string basis = r.basis.substr(0, r.basis.find("; thay thế"));
  out << "<p>Thực hiện " << html_escape(basis) << ", "
      << html_escape(doc.issuer.empty() ? std::string("các đơn vị") : doc.issuer) << " báo cáo kết quả "
      << html_escape(work) << " " << html_escape(when) << " (từ ngày " << html_escape(decree30_date(r.covers.from))
      << " đến ngày " << html_escape(decree30_date(r.covers.to)) << "; số liệu tính đến ngày "
      << html_escape(decree30_date(r.as_of)) << ") như sau:</p>\n";
  for (const auto& s : sections_of(r, false)) {
    out << "<h2>" << html_escape(s.number) << ". " << html_escape(s.vi) << "</h2>\n<table>\n<tr>";
    for (const auto& c : s.columns) out << "<th>" << html_escape(c) << "</th>";
    out << "</tr>\n";
    if (s.rows.empty()) out << "<tr><td colspan=\"" << s.columns.size() << "\">Không có</td></tr>\n";
    for (const auto& row : s.rows) {
      out << "<tr>";
      for (std::size_t i = 0; i < row.size(); ++i)
        out << (i > 0 && is_count(row[i]) ? "<td class=\"n\">" : "<td>") << html_escape(row[i]) << "</td>";
      out << "</tr>\n";
    }
    out << "</table>\n";
  }
  print_document_close(out, doc);
}

json figures_json(const std::vector<Figure>& figures) {
  json out = json::array();
  for (const auto& f : figures) out.push_back({{"section", f.section}, {"key", f.key}, {"value", f.value}});
  return out;
}

Result<SubmittedReport> read_submitted(const std::string& path) {
  auto text = read_text(path, kMaxReportCsvBytes, N_("CSV file"));
  if (!text) return std::unexpected(text.error());
  return parse_submitted_report(*text, path);
}

std::optional<std::uint64_t> parse_seq(const std::string& text) {
  if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoull(text);
}

// The report `options` ask for, of the subjects inside `scope`, and the size of the tree its figures come from.
struct Reported {
  PeriodicReport report;
  std::uint64_t size = 0;
};

Result<Reported> report_of(const ledger::Ledger& ledger, const queries::ReportOptions& o, const projections::Scope& scope) {
  auto unit = queries::resolve_unit(ledger, o.unit, scope);
  if (!unit) return std::unexpected(unit.error());
  auto in_scope = queries::scope_filter(ledger, scope);
  if (!in_scope) return std::unexpected(in_scope.error());
  // The unit and every unit under it in the registry as it stood on the day the figures are taken (--as-of, else
  // the day before the reporting units' deadline, never after today: report_frame).
  const std::optional<std::string> as_of = o.point.as_of.empty() ? std::nullopt : std::optional(o.point.as_of);
  auto frame = projections::report_frame(ledger, o.period, *unit, as_of, vietnam_today(), o.point.at);
  if (!frame) return std::unexpected(frame.error());
  auto keep = queries::unit_filter(ledger, *unit, frame->as_of, *in_scope);
  if (!keep) return std::unexpected(keep.error());
  // The unit names the report (and its tier's due day); `keep` decides which subjects it counts.
  const std::string figures_day = frame->as_of;
  auto r = projections::report_in_frame(ledger, std::move(*frame), *keep);
  if (!r) return std::unexpected(r.error());
  queries::successions_in_scope(ledger, scope, *unit, figures_day, r->stats);
  const std::uint64_t size = o.point.at ? *o.point.at + 1 : ledger.size();  // the tree the figures come from
  return Reported{std::move(*r), size};
}

json report_json(const Reported& x) {
  const PeriodicReport& r = x.report;
  return {{"period", r.period}, {"unit", r.unit}, {"as_of", r.as_of}, {"entries", x.size}, {"from", r.covers.from},
          {"to", r.covers.to}, {"due", r.due}, {"profile", r.profile}, {"basis", r.basis},
          {"figures", figures_json(projections::report_figures(r))}};
}

std::string report_csv_text(const PeriodicReport& r) {
  std::string out = std::string(kUtf8Bom) + csv_record({"section", "key", "value"});
  for (const auto& f : projections::report_figures(r)) out += csv_record({f.section, f.key, f.value});
  return out;
}

Result<std::string> report_html_text(const ledger::Ledger& ledger, const Reported& x, const DocumentOptions& o) {
  auto doc = document_of(ledger, x.report, o);
  if (!doc) return std::unexpected(doc.error());
  std::ostringstream out;
  print_html(out, x.report, *doc);
  return std::move(out).str();
}

// The value of a submitted report's row "report,KEY,VALUE"; empty when it has none.
std::string report_field(const SubmittedReport& submitted, const char* key) {
  auto it = submitted.report.find(key);
  return it == submitted.report.end() ? std::string() : it->second;
}

// A submitted report (`name` in messages) checked against the ledger's figures, of the subjects inside `scope`,
// for the same period, unit, as-of day and entry: reconcile --json.
Result<json> reconcile_submitted(const ledger::Ledger& ledger, const SubmittedReport& submitted, const std::string& name,
                                 const projections::Scope& scope) {
  auto field = [&](const char* key) { return report_field(submitted, key); };
  // The same report as `antq report` makes for that period, unit (and the units under it), as-of day and entry.
  queries::ReportOptions o{field("period"), field("unit"), {field("as_of"), std::nullopt}};
  if (auto it = submitted.report.find("at"); it != submitted.report.end()) {
    auto parsed = parse_seq(it->second);
    if (!parsed) return bad_input(i18n::Text("{}: report,at,{} is not an entry number", name, it->second));
    o.point.at = parsed;
  }
  if (o.point.as_of.empty()) return bad_input(i18n::Text("{}: no row report,as_of: not a report of antq report", name));
  auto x = report_of(ledger, o, scope);
  if (!x) return std::unexpected(x.error());
  const PeriodicReport* r = &x->report;
  const std::string& unit = o.unit;
  const std::string& as_of = o.point.as_of;
  // Rows of models by name (points, teams) are matched by name key (projections/names.hpp): a submitted
  // "Tổ dân cư tự quản về ANTT" is the ledger's "Tổ dân cư tự quản về an ninh, trật tự"; several submitted variants
  // of one name add up.
  auto in_force = projections::profile_on(ledger, r->as_of);
  if (!in_force) return std::unexpected(in_force.error());
  const projections::ModelNames names(in_force->names);
  std::map<std::string, std::string> by_group;  // name group -> the ledger's row key
  for (const auto& m : r->stats.models) by_group.emplace(m.key, m.name);
  std::map<std::pair<std::string, std::string>, std::string> figures;
  std::vector<std::pair<std::string, std::string>> order;
  for (auto key : submitted.order) {
    const std::string& value = submitted.figures.at(key);
    if (key.first == "points" || key.first == "teams")
      if (auto it = by_group.find(names.group(key.second)); it != by_group.end()) key.second = it->second;
    auto [at_key, added] = figures.emplace(key, value);
    if (added) {
      order.push_back(key);
    } else {
      const bool numbers = !value.empty() && !at_key->second.empty() &&
                           value.find_first_not_of("0123456789") == std::string::npos && value.size() < 16 &&
                           at_key->second.find_first_not_of("0123456789") == std::string::npos && at_key->second.size() < 16;
      at_key->second = numbers ? std::to_string(std::stoull(at_key->second) + std::stoull(value)) : value;
    }
  }
  std::map<std::pair<std::string, std::string>, std::string> expected;
  for (const auto& f : projections::report_figures(*r)) {
    if (f.section == "report") continue;
    expected[{f.section, f.key}] = f.value;
    if (!figures.contains({f.section, f.key})) order.emplace_back(f.section, f.key);
  }
  json differences = json::array();
  for (const auto& key : order) {
    auto reported = figures.find(key);
    auto ledger_value = expected.find(key);
    const std::string a = reported == figures.end() ? "" : reported->second;
    const std::string b = ledger_value == expected.end() ? "" : ledger_value->second;
    if (a != b)
      differences.push_back({{"section", key.first}, {"key", key.second},
                             {"reported", reported == figures.end() ? json(nullptr) : json(a)},
                             {"ledger", ledger_value == expected.end() ? json(nullptr) : json(b)}});
  }
  return json{{"period", r->period}, {"unit", unit}, {"as_of", as_of}, {"figures", order.size()},
              {"differences", differences}};
}

}  // namespace

namespace queries {

Result<Json> report(const ledger::Ledger& ledger, const ReportOptions& options, const Scope& scope) {
  auto x = report_of(ledger, options, scope);
  if (!x) return std::unexpected(x.error());
  return report_json(*x);
}

Result<std::string> report_csv(const ledger::Ledger& ledger, const ReportOptions& options, const Scope& scope) {
  auto x = report_of(ledger, options, scope);
  if (!x) return std::unexpected(x.error());
  return report_csv_text(x->report);
}

Result<std::string> report_html(const ledger::Ledger& ledger, const ReportOptions& options, const Scope& scope) {
  auto x = report_of(ledger, options, scope);
  if (!x) return std::unexpected(x.error());
  return report_html_text(ledger, *x, {});
}

Result<Json> reconcile(const ledger::Ledger& ledger, std::string_view csv, const std::string& name, const Scope& scope) {
  if (csv.size() > kMaxReportCsvBytes)
    return bad_input(i18n::Text("{}: larger than {} bytes: not a report of antq report", name, kMaxReportCsvBytes));
  auto submitted = parse_submitted_report(csv, name);
  if (!submitted) return std::unexpected(submitted.error());
  return reconcile_submitted(ledger, *submitted, name, scope);
}

}  // namespace queries

Result<SubmittedReport> parse_submitted_report(std::string_view text, const std::string& path) {
  auto no_header = [&](const std::string& found) {
    return bad_input(
        i18n::Text("{}: the first line must be section,key,value (a report of antq report --format csv, "
                   "commas or semicolons between the fields), found {}",
                   path, found));
  };
  SubmittedReport s;
  std::size_t n = 0;  // the records read, the header first
  auto read = for_each_csv_record(text, path, [&](std::vector<std::string>& r) -> Status {
    if (++n > kMaxReportRecords)
      return bad_input(i18n::Text("{}: more than {} records: not a report of antq report", path, kMaxReportRecords));
    if (n == 1) {
      if (r == std::vector<std::string>{"section", "key", "value"}) return {};
      std::string found;
      for (std::size_t i = 0; i < r.size() && i < 4; ++i) found += (i ? "," : "") + visible(r[i].substr(0, 40));
      return no_header(found);
    }
    if (r.size() == 1 && r[0].empty()) return {};  // a blank line
    if (r.size() != 3)
      return bad_input(i18n::Text("{}: record {} has {} fields; expected section,key,value", path, n, r.size()));
    if (r[0] == "report") {
      s.report[r[1]] = std::move(r[2]);
      return {};
    }
    if (!s.figures.emplace(std::pair{r[0], r[1]}, r[2]).second)
      return bad_input(i18n::Text("{}: record {}: {},{} is given twice", path, n, r[0], r[1]));
    s.order.emplace_back(std::move(r[0]), std::move(r[1]));
    return {};
  });
  if (!read) return std::unexpected(read.error());
  if (n == 0) return no_header("nothing");
  for (const char* key : {"period", "as_of"})
    if (!s.report.contains(key))
      return bad_input(
          i18n::Text("{}: no report,{},… row: which report is it? (antq report --format csv writes it)", path, key));
  return s;
}

void add_report(CLI::App& app, Action& run) {
  struct Args {
    std::string dir, period, unit, as_of, format = "table", output;
    bool json = false;
    std::optional<std::uint64_t> at;
    DocumentOptions document;
    ServiceAccess access;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("report", N_("The half-year or yearly report, in the shape the provinces send"));
  cmd->footer(
      "PERIOD is YYYY-H1, the half-year the provinces report as \"sơ kết 6 tháng đầu năm YYYY\": the first six\n"
      "months of the evaluation year, 1 November of YYYY-1 to 30 April of YYYY; or YYYY, the evaluation year\n"
      "(\"tổng kết năm YYYY\"): 1 November of YYYY-1 to 31 October of YYYY. The figures are as of the day before the\n"
      "profile's deadline (Hòa Bình: 15 May, 15 Nov; Kon Tum and Bắc Giang communes: 10 May, 10 Nov), or --as-of.\n"
      "Sections: I models by name (points, teams); II built, recognised, replicated, merged, reorganised, ended in\n"
      "the period; III ratings and effective points (yearly); IV announcements; V exemplars; VI models counted apart;\n"
      "VII, after a reorganisation of units (act unit.reorganised, e.g. the district level abolished and communes\n"
      "merged on 2025-07-01), the units that had ceased by the report's day and their successors (CSV rows\n"
      "succeeded,OLD,NEW and succeeded-on,OLD,DAY).\n"
      "Subjects count under the unit competent on the report's day: before the reorganisation the old units, from\n"
      "its day the new; --unit of a unit that had ceased by then is exit 2 naming its successor (use --as-of before\n"
      "that day for its own figures). --format csv gives the rows section,key,value an inspector checks with\n"
      "antq reconcile.\n"
      "--format html and pdf print the report as an administrative document of Decree 30/2020/NĐ-CP (Appendix I):\n"
      "national title and motto, issuing body (and its governing body), number, place and date, BÁO CÁO and its\n"
      "subject, the sections in Vietnamese, recipients and the signature block; A4, Times New Roman, page numbers\n"
      "from page 2. The issuer is the --unit by its registered name, its governing body the unit above it in the\n"
      "registry (antq units), the place the name after its level (\"UBND xã Phú Lai\": Phú Lai), the date today,\n"
      "the recipient the one the profile names for the deadline, and a people's or steering committee signs \"TM.\"\n"
      "by its head; the options above replace any of them. A blank number is left for the clerk to write in.\n"
      "--format pdf needs --output FILE.pdf and Chromium (Debian's package chromium; $ANTQ_CHROMIUM names another\n"
      "one), which prints the same HTML; a failure leaves FILE.pdf as it was.\n"
      "Example: antq report ledger/ 2026-H1 --unit 'UBND xã Phú Lai' --number 12/BC-UBND \\\n"
      "           --signer-name 'Nguyễn Văn An' --format pdf --output bao-cao.pdf");
  cmd->add_option("DIR", args->dir, kLedgerOrService)->required();
  cmd->add_option("PERIOD", args->period, "YYYY-H1 or YYYY")->required();
  cmd->add_option("--unit", args->unit, "The reporting unit: the subjects it and the units under it founded (antq units; its name, in any case or Unicode form)");
  cmd->add_option("--as-of", args->as_of, "The figures as the record stood on DATE (YYYY-MM-DD)");
  cmd->add_option("--at", args->at, "Only the entries up to SEQ (the ledger as it stood after that entry)");
  auto* format = cmd->add_option("--format", args->format, "table, csv, html, pdf or json")
                     ->check(CLI::IsMember({"table", "csv", "html", "pdf", "json"}));
  cmd->add_option("--output", args->output, "With --format pdf: the PDF file to write");
  cmd->add_flag("--json", args->json, "The same as --format json")->excludes(format);
  DocumentOptions& d = args->document;
  cmd->add_option("--issuer", d.issuer, "html, pdf: the issuing body (default: --unit)");
  cmd->add_option("--governing-body", d.governing_body, "html, pdf: the body above the issuer ('' for none)");
  cmd->add_option("--number", d.number, "html, pdf: number and symbol, e.g. 12/BC-UBND (default: a blank)");
  cmd->add_option("--place", d.place, "html, pdf: the place of the date line, e.g. Phú Lai");
  cmd->add_option("--date", d.date, "html, pdf: the document's date, YYYY-MM-DD (default: today)");
  cmd->add_option("--recipient", d.recipients, "html, pdf: a recipient (repeat it; \"Lưu: VT.\" is added last)");
  cmd->add_option("--signer-authority", d.signer_authority, "html, pdf: e.g. 'TM. ỦY BAN NHÂN DÂN' ('' for none)");
  cmd->add_option("--signer-title", d.signer_title, "html, pdf: the signer's office, e.g. 'CHỦ TỊCH'");
  cmd->add_option("--signer-name", d.signer_name, "html, pdf: the signer's full name");
  add_service_options(cmd, args->access);
  cmd->callback([args, &run] {
    run = [args]() -> int {
      if (args->json) args->format = "json";
      const DocumentOptions& d = args->document;
      const bool document_given = d.issuer || d.governing_body || d.number || d.place || d.date || d.signer_authority ||
                                  d.signer_title || d.signer_name || !d.recipients.empty();
      const bool printed = args->format == "html" || args->format == "pdf";
      if (document_given && !printed)
        return fail(bad_input(i18n::Text(
            "--issuer, --number, --recipient, --signer-... shape the printed document: add --format html or pdf")));
      if (args->format == "pdf" && args->output.empty())
        return fail(bad_input(i18n::Text("--format pdf writes a file, never to the terminal: add --output FILE.pdf")));
      if (!args->output.empty() && args->format != "pdf")
        return fail(bad_input(i18n::Text("--output is for --format pdf; the other formats print to standard output")));
      if (is_service_url(args->dir)) {
        if (args->format == "pdf" || document_given)
          return fail(
              bad_input(i18n::Text("--format pdf and the document's options (--issuer ...) read a local ledger; from a "
                                   "service, get --format html")));
        return ask_service(args->dir, args->access, "report", "/v1/report",
                           {{"period", args->period},
                            {"unit", args->unit},
                            {"as_of", args->as_of},
                            {"at", args->at ? std::to_string(*args->at) : ""}},
                           args->format, "add --format json, csv or html");
      }
      // The renderer is looked for before anything is computed: without it, one line and nothing written.
      std::optional<std::filesystem::path> chromium;
      if (args->format == "pdf") {
        auto found = find_chromium();
        if (!found) return fail(found.error());
        chromium = std::move(*found);
      }
      auto ledger = ledger::Ledger::open(args->dir);
      if (!ledger) return fail(ledger.error());
      auto x = report_of(**ledger, {args->period, args->unit, {args->as_of, args->at}}, {});
      if (!x) return fail(x.error());
      if (printed) {
        auto html = report_html_text(**ledger, *x, d);
        if (!html) return fail(html.error());
        if (!chromium) {
          std::cout << *html;
          return kOk;
        }
        auto written = print_pdf(*chromium, *html, args->output);
        return written ? kOk : fail(written.error());
      }
      if (args->format == "csv") std::cout << report_csv_text(x->report);
      else if (args->format == "json") print_json(report_json(*x));
      else
        print_report_table(x->report, args->dir, x->size);
      return kOk;
    };
  });
}

namespace {

// What the table reads of a reconciliation (an answer from the service is checked before it is printed).
bool reconciliation_shaped(const json& r) {
  auto text = [](const json& o, const char* k) { return o.contains(k) && o[k].is_string(); };
  auto text_or_null = [](const json& o, const char* k) { return o.contains(k) && (o[k].is_string() || o[k].is_null()); };
  if (!r.is_object() || !text(r, "period") || !text(r, "unit") || !text(r, "as_of") || !r.contains("figures") ||
      !r["figures"].is_number_unsigned() || !r.contains("differences") || !r["differences"].is_array())
    return false;
  return std::ranges::all_of(r["differences"], [&](const json& d) {
    return d.is_object() && text(d, "section") && text(d, "key") && text_or_null(d, "reported") &&
           text_or_null(d, "ledger");
  });
}

// Whether a reconciliation (shaped) is of `submitted`: the same period, unit and as-of day as its rows "report,...",
// and at least as many figures compared as it lists differences and, when it holds any figure, at least one.
bool reconciliation_of(const json& r, const SubmittedReport& submitted) {
  auto field = [&](const char* key) { return report_field(submitted, key); };
  const auto figures = r["figures"].get<std::uint64_t>();
  return r["period"] == field("period") && r["unit"] == field("unit") && r["as_of"] == field("as_of") &&
         figures >= r["differences"].size() && (submitted.figures.empty() || figures > 0);
}

}  // namespace

void add_reconcile(CLI::App& app, Action& run) {
  struct Args {
    std::string dir, report;
    bool json = false;
    ServiceAccess access;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("reconcile", N_("Check a submitted report's figures against the ledger"));
  cmd->footer(
      "REPORT.csv holds the rows section,key,value of antq report --format csv, as a unit submitted them (perhaps\n"
      "edited since). The ledger's figures are recomputed for the same period, unit and as-of day, and every figure\n"
      "that differs is listed: a padded count of points, a model the ledger does not know, a figure left out.\n"
      "Exit 0 when every figure matches, 1 when any differs, 2 when the file is not such a report.\n"
      "JSON: period, unit, as_of, figures (how many compared), differences[] (section, key, reported, ledger).\n"
      "Example: antq reconcile ledger/ bao-cao-6-thang.csv");
  cmd->add_option("DIR", args->dir, kLedgerOrService)->required();
  cmd->add_option("REPORT", args->report, "The report submitted (CSV)")->required();
  cmd->add_flag("--json", args->json, "JSON instead of a table");
  add_service_options(cmd, args->access);
  cmd->callback([args, &run] {
    run = [args]() -> int {
      auto submitted = read_submitted(args->report);
      if (!submitted) return fail(submitted.error());
      Result<json> result;
      if (is_service_url(args->dir)) {  // the same CSV, checked by the service (POST /v1/reconcile)
        auto client = service_client(args->dir, args->access);
        if (!client) return fail(client.error());
        auto text = read_text(args->report, kMaxReportCsvBytes, N_("CSV file"));
        if (!text) return fail(text.error());
        result = service_post_json(*client, "/v1/reconcile", std::move(*text), "text/csv");
        if (result && !reconciliation_shaped(*result))
          return fail(bad_input(i18n::Text("{}: the service's reconciliation is not what antq writes", args->dir)));
        if (result && !reconciliation_of(*result, *submitted))
          return fail(bad_input(i18n::Text(
              "{}: the service's reconciliation is not of {} (another period, unit or as-of day, or fewer figures)",
              args->dir, args->report)));
      } else {
        auto ledger = ledger::Ledger::open(args->dir);
        if (!ledger) return fail(ledger.error());
        result = reconcile_submitted(**ledger, *submitted, args->report, {});
      }
      if (!result) return fail(result.error());
      const json& r = *result;
      const json& differences = r["differences"];
      if (args->json) {
        print_json(r);
      } else {
        // Every cell quotes the submitted file or the ledger: shown through visible() (cli/display.hpp).
        const std::string unit = r["unit"].get<std::string>();
        const i18n::Lang lang = i18n::process_lang();
        print_line(i18n::trf(lang, "{} ({}, {}, as of {}) against {}: {} of {} figures differ", args->report,
                             r["period"].get<std::string>(),
                             unit.empty() ? std::string(i18n::tr(lang, "every unit")) : unit,
                             i18n::date(lang, r["as_of"].get<std::string>()), args->dir, differences.size(),
                             r["figures"].get<std::size_t>()));
        if (!differences.empty())
          std::cout << "\n"
                    << cell(i18n::tr(lang, NC_("reconcile", "section")), 22) << ' '
                    << cell(i18n::tr(lang, NC_("reconcile", "key")), 52) << ' '
                    << cell_right(i18n::tr(lang, NC_("reconcile", "reported")), 10) << ' '
                    << cell_right(i18n::tr(lang, NC_("reconcile", "ledger")), 10) << "\n";
        for (const auto& d : differences)
          std::cout << cell(d["section"].get<std::string>(), 22) << ' ' << cell(d["key"].get<std::string>(), 52) << ' '
                    << cell_right(d["reported"].is_null() ? "(absent)" : d["reported"].get<std::string>(), 10) << ' '
                    << cell_right(d["ledger"].is_null() ? "(none)" : d["ledger"].get<std::string>(), 10) << '\n';
      }
      return differences.empty() ? kOk : kCheckFailed;
    };
  });
}

}  // namespace antq::cli
