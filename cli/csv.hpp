// CSV as RFC 4180 writes it: the rows section,key,value of `antq stats --format csv` and `antq report`, read back
// by `antq reconcile`.
//
// Spreadsheets run a cell that begins with =, +, - or @ as a formula (and some skip a leading TAB or CR first), so
// a model named =HYPERLINK(...) would run in the inspector's spreadsheet. As OWASP's "CSV Injection" advises, such a
// cell is written with a single quote before it, which makes it text, and quoted: "'=HYPERLINK(...)". A cell already
// made of quotes and then one of those characters gets one quote more, so that reading removes exactly one and
// every text comes back as it was written. Counts antq writes are non-negative decimal integers: none begins with
// one of these characters, so none is changed.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "signing/result.hpp"

namespace antq::cli {

// What every CSV antq writes for people begins with: the UTF-8 byte order mark, by which spreadsheets (Excel above
// all) read the file as UTF-8 and show Vietnamese names as written.
inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// A field: a formula-looking text neutralised as above; quoted when neutralised or when it holds a comma, a quote
// or a line break, quotes doubled.
std::string csv_field(std::string_view value);
// A record of fields, ended by CRLF.
std::string csv_record(const std::vector<std::string>& fields);
// Every record of `text` (CRLF or LF line ends; a final line end optional), each field as csv_field was given it
// (the quote a neutralised field begins with removed). As a spreadsheet saves it too: a leading byte order mark is
// skipped, and fields are separated by ';' when the first line has a ';' and no ',' outside quotes (Excel under a
// locale whose decimal mark is a comma, as Vietnamese is). bad_input naming `what` and the line of an unterminated
// quote or a character after a closing quote.
Result<std::vector<std::vector<std::string>>> parse_csv(std::string_view text, const std::string& what);
// The same records one at a time, none kept: `fn` is given each in turn (it may take its fields) and may end the
// reading with an error, which is returned. A text of millions of short lines costs no more memory than one.
Status for_each_csv_record(std::string_view text, const std::string& what,
                           const std::function<Status(std::vector<std::string>& record)>& fn);

// A report as `antq report --format csv` writes it and `antq reconcile` reads it back: its identity (the rows of
// section "report": period, unit, as_of, ...) and its figures.
// A report of antq report holds a record per figure (a model's points, teams...): a province's has thousands. More
// than this many records (blank lines too) is not one.
inline constexpr std::size_t kMaxReportRecords = 250'000;
struct SubmittedReport {
  std::map<std::string, std::string> report;
  std::map<std::pair<std::string, std::string>, std::string> figures;
  std::vector<std::pair<std::string, std::string>> order;  // (section, key) as the report lists them
};
// The report in `text`; bad_input naming `what` (the file) and the record when it is not such a report (defined in
// cmd_report.cpp).
Result<SubmittedReport> parse_submitted_report(std::string_view text, const std::string& what);

}  // namespace antq::cli
