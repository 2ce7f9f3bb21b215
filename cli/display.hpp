// Text from outside (an act, a certificate, a file, an argument) as a reader's terminal shows it: printed so that it
// cannot move the cursor, retitle the window, plant a hyperlink, reverse the line or hide characters, and padded to
// columns by the cells a terminal gives it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "i18n/i18n.hpp"

namespace antq::cli {

// `text` with every character that acts on a terminal or disguises text shown as an escape, and everything else
// unchanged (Vietnamese in NFC or NFD, with its combining marks, prints as it is):
//   C0 controls, TAB, LF and CR included   \x1b, \t, \n, \r (and \x00 ... \x1f but those three)
//   DEL                                     \x7f
//   C1 controls U+0080-U+009F               \u0085
//   format characters (Unicode category Cf: the bidirectional embeddings, overrides and isolates U+202A-U+202E,
//     U+2066-U+2069, the marks U+200E, U+200F, U+061C; zero-width space, joiners, word joiner, BOM, soft
//     hyphen, tag characters ...), the line and paragraph separators U+2028, U+2029, the other characters
//     Unicode says to draw as nothing (Default_Ignorable_Code_Point: variation selectors, Hangul fillers ...),
//     and code points unassigned in utf8proc's Unicode version (no agreed appearance)
//                                           \u202e, \U000e0041
//   a byte that is not part of valid UTF-8  \xff
//   the backslash itself                    \\ (so that a text holding "\x1b" shows apart from one holding ESC)
// Joiners, zero-width and other invisible characters are escaped too: Vietnamese needs none of them, and they make
// two different names (two rows of `antq stats`, two subjects in a finding) look the same.
// Distinct texts show as distinct strings. Apply it once, to the raw text: visible(visible(x)) doubles backslashes.
std::string visible(std::string_view text);

// `json`, a JSON text in valid UTF-8 (nlohmann's dump with error_handler_t::replace), with every character visible()
// escapes that JSON leaves raw (DEL, C1, format and invisible characters) written as a JSON \u escape (a surrogate
// pair above U+FFFF): the same JSON value, which a parser reads back exactly, and nothing a terminal acts on.
std::string json_visible(std::string_view json);

// The terminal columns `shown` takes (0 for a combining mark, 2 for a wide East Asian character). `shown` is
// visible()'s output: it holds no control characters and is valid UTF-8.
std::size_t display_width(std::string_view shown);

// visible(text) followed by spaces up to `width` columns (never cut when longer): a left-aligned table cell.
std::string cell(std::string_view text, std::size_t width);
// Spaces, then visible(text), up to `width` columns: a right-aligned table cell.
std::string cell_right(std::string_view text, std::size_t width);

// A label of a two-column summary (verify, verify-bundle, backup, compact, rebuild, show) in `lang`, padded so that
// the values line up: field_width(lang) columns, 13 in English, 17 in Vietnamese (a line without a label is indented
// by as many spaces).
std::size_t field_width(i18n::Lang lang);
std::string field_label(i18n::Lang lang, const i18n::Msg& word);

// Prints visible(text) and a line end to stdout: a line of a table or report whose every part may come from outside.
void print_line(std::string_view text);

// `text` as HTML element content or a quoted attribute value (the printable pages of antq report and antq
// handover), shown through visible() first (a bidirectional override would reverse the printed line as it does on
// a terminal), then & < > " ' as character references. Apply it once, to the raw text.
std::string html_escape(std::string_view text);

// The CN of an RFC 2253 name, unescaped ("CN=Nguyễn Văn An\\, Chủ tịch,O=..." gives "Nguyễn Văn An, Chủ tịch"); the
// whole name when it has none.
std::string common_name(std::string_view dn);

}  // namespace antq::cli
