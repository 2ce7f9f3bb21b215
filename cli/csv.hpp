// CSV as RFC 4180 writes it: the rows section,key,value of `antq stats --format csv` and `antq report`, read back
// by `antq reconcile`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "signing/result.hpp"

namespace antq::cli {

// A field: quoted when it holds a comma, a quote or a line break, quotes doubled.
std::string csv_field(std::string_view value);
// A record of fields, ended by CRLF.
std::string csv_record(const std::vector<std::string>& fields);
// Every record of `text` (CRLF or LF line ends; a final line end optional). bad_input naming `what` and the line of
// an unterminated quote or a character after a closing quote.
Result<std::vector<std::vector<std::string>>> parse_csv(std::string_view text, const std::string& what);

}  // namespace antq::cli
