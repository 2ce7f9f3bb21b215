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

#include <string>
#include <string_view>
#include <vector>

#include "signing/result.hpp"

namespace antq::cli {

// A field: a formula-looking text neutralised as above; quoted when neutralised or when it holds a comma, a quote
// or a line break, quotes doubled.
std::string csv_field(std::string_view value);
// A record of fields, ended by CRLF.
std::string csv_record(const std::vector<std::string>& fields);
// Every record of `text` (CRLF or LF line ends; a final line end optional), each field as csv_field was given it
// (the quote a neutralised field begins with removed). bad_input naming `what` and the line of an unterminated
// quote or a character after a closing quote.
Result<std::vector<std::vector<std::string>>> parse_csv(std::string_view text, const std::string& what);

}  // namespace antq::cli
