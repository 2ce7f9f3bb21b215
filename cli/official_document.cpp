#include "cli/official_document.hpp"

#include <array>
#include <cstdlib>
#include <memory>

#include <fmt/format.h>
#include <utf8proc.h>

#include "cli/display.hpp"

namespace antq::cli {
namespace {

// Decree 30/2020/NĐ-CP, Appendix I (thể thức và kỹ thuật trình bày văn bản hành chính): A4; margins top and bottom
// 20-25 mm, left 30-35 mm, right 15-20 mm (we take the narrowest, which leaves the most room to the tables); Times
// New Roman (Liberation Serif, metric-compatible, where it is missing: Debian's fonts-liberation2); national title
// 12-13 pt bold upper case; motto 13-14 pt bold, underlined by a line as long as it; issuing body 12-13 pt bold upper
// case, a line 1/3-1/2 as long below it, its governing body above it in regular type; "Số:" 13 pt; the place and
// date 13-14 pt italic; the kind 13-14 pt bold upper case and the subject 13-14 pt bold below it, over a short line;
// body 13-14 pt, justified, first line indented 1-1.27 cm, at least 6 pt between paragraphs; "Nơi nhận:" 12 pt bold
// italic and its list 11 pt; the signer's authority, title and name 13-14 pt bold; page numbers 13-14 pt, centred
// in the top margin, from the second page. The @page margin boxes need Chromium 131 or later (Debian 12 ships 13x+).
constexpr const char* kStyle = R"css(@page { size: A4; margin: 20mm 15mm 20mm 30mm;
  @top-center { content: counter(page); font-family: 'Times New Roman', 'Liberation Serif', serif; font-size: 13pt;
                vertical-align: middle; } }
@page :first { @top-center { content: none; } }
body { margin: 0; font-family: 'Times New Roman', 'Liberation Serif', serif; font-size: 14pt; line-height: 1.2;
       color: #000; background: #fff; }
p { margin: 0; }
table.heading { width: 100%; border-collapse: collapse; table-layout: fixed; }
table.heading td { border: none; padding: 0; text-align: center; vertical-align: top; }
table.heading td.issuing { width: 40%; }
table.heading tr.dated td { padding-top: 10pt; }
.governing, .issuer, .nation, .number { font-size: 13pt; }
.issuer, .nation, .motto { font-weight: bold; }
.motto { font-size: 14pt; }
.motto span { border-bottom: 1px solid #000; padding-bottom: 1px; }
.issuer span, .excerpt span { display: inline-block; position: relative; padding-bottom: 4pt; }
.issuer span::after, .excerpt span::after { content: ""; position: absolute; bottom: 0; border-bottom: 1px solid #000; }
.issuer span::after { left: 30%; width: 40%; }
.excerpt span::after { left: 35%; width: 30%; }
.date { font-style: italic; font-size: 14pt; }
.kind { text-align: center; font-weight: bold; font-size: 14pt; margin-top: 24pt; }
.excerpt { text-align: center; font-weight: bold; font-size: 14pt; margin-bottom: 6pt; }
.body p { text-align: justify; text-indent: 1cm; margin-top: 6pt; line-height: 1.3; }
.body h2 { font-size: 14pt; font-weight: bold; margin: 10pt 0 4pt; text-indent: 1cm; break-after: avoid; }
.body table { border-collapse: collapse; width: 100%; font-size: 13pt; margin-top: 4pt; }
.body th, .body td { border: 1px solid #000; padding: 2pt 5pt; vertical-align: top; text-align: left; }
.body th { font-weight: bold; text-align: center; }
.body td.n { text-align: right; white-space: nowrap; width: 5em; }
.body tr { break-inside: avoid; }
table.closing { width: 100%; border-collapse: collapse; table-layout: fixed; margin-top: 18pt; break-inside: avoid; }
table.closing td { border: none; padding: 0; vertical-align: top; }
table.closing td.recipients { width: 45%; font-size: 11pt; }
.recipients-title { font-weight: bold; font-style: italic; font-size: 12pt; }
table.closing td.signature { text-align: center; font-weight: bold; font-size: 14pt; }
.signer-name { margin-top: 84pt; min-height: 1.2em; }
)css";

// Each code point of valid UTF-8 `text`, NFC, through `map`; `text` itself when it is not valid UTF-8.
template <class Map>
std::string map_code_points(std::string_view text, Map map) {
  utf8proc_uint8_t* nfc = nullptr;
  const auto n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()), static_cast<utf8proc_ssize_t>(text.size()),
                   &nfc, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  if (n < 0) return std::string(text);
  const std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owned(nfc, &std::free);
  std::string out;
  for (utf8proc_ssize_t i = 0; i < n;) {
    utf8proc_int32_t c = 0;
    const auto len = utf8proc_iterate(nfc + i, n - i, &c);
    if (len <= 0) return std::string(text);
    std::array<utf8proc_uint8_t, 4> buf{};
    const auto written = utf8proc_encode_char(map(c), buf.data());
    out.append(reinterpret_cast<const char*>(buf.data()), static_cast<std::size_t>(written));
    i += len;
  }
  return out;
}

// The day and month of YYYY-MM-DD as Decree 30 writes them (Appendix I, II.5.b: "Đối với những số chỉ ngày nhỏ hơn
// 10 và tháng 1, 2 phải ghi thêm số 0 phía trước").
struct DayMonth {
  std::string day, month, year;
};
DayMonth day_month(std::string_view date) {
  if (date.size() != 10) return {std::string(date), "", ""};
  const int month = std::atoi(std::string(date.substr(5, 2)).c_str());
  return {std::string(date.substr(8, 2)), month < 3 ? fmt::format("{:02}", month) : std::to_string(month),
          std::string(date.substr(0, 4))};
}

}  // namespace

std::string upper_case(std::string_view text) {
  return map_code_points(text, [](utf8proc_int32_t c) { return utf8proc_toupper(c); });
}

std::string decree30_date_line(std::string_view place, std::string_view date) {
  const DayMonth d = day_month(date);
  // A place left to fill by hand: dots, as the forms print them.
  return fmt::format("{}, ngày {} tháng {} năm {}", place.empty() ? "……………" : place, d.day, d.month, d.year);
}

std::string decree30_date(std::string_view date) {
  const DayMonth d = day_month(date);
  return d.month.empty() ? d.day : fmt::format("{}/{}/{}", d.day, d.month, d.year);
}

std::string place_of(std::string_view unit) {
  std::size_t after = std::string_view::npos;
  for (std::string_view level : {"xã ", "phường ", "thị trấn ", "huyện ", "quận ", "thị xã ", "thành phố ", "tỉnh "}) {
    for (std::size_t at = unit.find(level); at != std::string_view::npos; at = unit.find(level, at + 1)) {
      if (at > 0 && unit[at - 1] != ' ') continue;  // a word, not the end of one
      if (after == std::string_view::npos || at + level.size() > after) after = at + level.size();
    }
  }
  if (after == std::string_view::npos) return "";
  std::string_view rest = unit.substr(after);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  return std::string(rest);
}

std::string report_symbol(std::string_view issuer) {
  const std::string_view first = issuer.substr(0, issuer.find(' '));
  const bool abbreviation = first.size() >= 2 && first.size() < issuer.size() && upper_case(first) == first &&
                            first.find_first_of("0123456789<>&\"'") == std::string_view::npos;
  return abbreviation ? fmt::format("BC-{}", first) : std::string("BC");
}

void print_document_head(std::ostream& out, const OfficialDocument& doc, std::string_view title, std::string_view kind,
                         std::string_view subject) {
  out << kDocumentPrologue << "<title>" << html_escape(title) << "</title>\n<style>\n"
      << kStyle << "</style>\n</head>\n<body>\n";
  // The heading: two columns, the issuing body and its number on the left, the nation and the date on the right.
  out << "<table class=\"heading\">\n<tr><td class=\"issuing\">";
  if (!doc.governing_body.empty())
    out << "<p class=\"governing\">" << html_escape(upper_case(doc.governing_body)) << "</p>";
  // An issuer left to fill by hand (a report of every unit): dots, as the forms print them.
  out << "<p class=\"issuer\"><span>" << html_escape(doc.issuer.empty() ? "……………" : upper_case(doc.issuer))
      << "</span></p></td>\n"
      << "<td><p class=\"nation\">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</p>"
      << "<p class=\"motto\"><span>Độc lập - Tự do - Hạnh phúc</span></p></td></tr>\n";
  // A number the clerk writes in on issue: a blank before the symbol.
  const std::string number =
      doc.number.empty() ? fmt::format("\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0/{}", doc.symbol) : doc.number;
  out << "<tr class=\"dated\"><td class=\"issuing\"><p class=\"number\">Số: " << html_escape(number) << "</p></td>"
      << "<td><p class=\"date\">" << html_escape(decree30_date_line(doc.place, doc.date)) << "</p></td></tr>\n"
      << "</table>\n";
  out << "<p class=\"kind\">" << html_escape(upper_case(kind)) << "</p>\n<p class=\"excerpt\"><span>"
      << html_escape(subject) << "</span></p>\n<div class=\"body\">\n";
}

void print_document_close(std::ostream& out, const OfficialDocument& doc) {
  out << "</div>\n<table class=\"closing\">\n"
      << "<tr><td class=\"recipients\"><p class=\"recipients-title\">Nơi nhận:</p>\n";
  // The last line is the copy kept by the issuer ("Lưu: VT."), unless the unit gave its own.
  const bool kept = !doc.recipients.empty() && doc.recipients.back().starts_with("Lưu");
  for (std::size_t i = 0; i < doc.recipients.size(); ++i)
    out << "<p>- " << html_escape(doc.recipients[i]) << (kept && i + 1 == doc.recipients.size() ? "." : ";")
        << "</p>\n";
  if (!kept) out << "<p>- Lưu: VT.</p>";
  out << "</td>\n<td class=\"signature\">";
  if (!doc.signer_authority.empty()) out << "<p>" << html_escape(upper_case(doc.signer_authority)) << "</p>";
  if (!doc.signer_title.empty()) out << "<p>" << html_escape(upper_case(doc.signer_title)) << "</p>";
  out << "<p class=\"signer-name\">" << html_escape(doc.signer_name) << "</p></td></tr>\n</table>\n"
      << "</body>\n</html>\n";
}

}  // namespace antq::cli
