#include "cli/display.hpp"

#include <fmt/format.h>
#include <utf8proc.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <utility>

namespace antq::cli {
namespace {

// The code point starting at text[at] and its length in bytes; length 0 when the bytes there are not valid UTF-8
// (utf8proc refuses overlong forms, surrogates, and code points past U+10FFFF).
std::pair<utf8proc_int32_t, std::size_t> decode_utf8(std::string_view text, std::size_t at) {
  utf8proc_int32_t cp = -1;
  const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + at),
                                  static_cast<utf8proc_ssize_t>(text.size() - at), &cp);
  if (n <= 0 || cp < 0) return {0, 0};
  return {cp, static_cast<std::size_t>(n)};
}

bool must_escape(utf8proc_int32_t cp) {
  if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) return true;
  // Default_Ignorable_Code_Point, drawn as nothing: variation selectors, the combining grapheme joiner, Hangul
  // fillers (utf8proc marks the assigned ones; the unassigned ones are Cn below).
  if (utf8proc_get_property(cp)->ignorable) return true;
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_CC:  // controls (the ranges above)
    case UTF8PROC_CATEGORY_CF:  // format: bidi controls, zero-width characters, tags
    case UTF8PROC_CATEGORY_ZL:  // U+2028
    case UTF8PROC_CATEGORY_ZP:  // U+2029
    case UTF8PROC_CATEGORY_CN:  // unassigned (in utf8proc's Unicode) and noncharacters: no agreed appearance
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string visible(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte < 0x7f) {  // printable ASCII, the common case
      if (byte == '\\') out += '\\';
      out += static_cast<char>(byte);
      ++i;
      continue;
    }
    const auto [cp, length] = decode_utf8(text, i);
    if (length == 0) {
      out += fmt::format("\\x{:02x}", byte);
      ++i;
      continue;
    }
    if (!must_escape(cp))
      out.append(text.substr(i, length));
    else if (cp == '\t')
      out += "\\t";
    else if (cp == '\n')
      out += "\\n";
    else if (cp == '\r')
      out += "\\r";
    else if (cp < 0x80)
      out += fmt::format("\\x{:02x}", cp);
    else if (cp <= 0xffff)
      out += fmt::format("\\u{:04x}", cp);
    else
      out += fmt::format("\\U{:08x}", cp);
    i += length;
  }
  return out;
}

std::string json_visible(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  for (std::size_t i = 0; i < json.size();) {
    // A run of ASCII but DEL, most of any JSON text, is kept as it is: C0 controls inside strings the dump escaped
    // already, and outside strings they are only JSON's whitespace.
    std::size_t ascii = i;
    while (ascii < json.size() && static_cast<unsigned char>(json[ascii]) < 0x7f) ++ascii;
    if (ascii > i) {
      out.append(json.substr(i, ascii - i));
      i = ascii;
      continue;
    }
    const auto [cp, length] = decode_utf8(json, i);
    if (length == 0 || !must_escape(cp)) {
      out.append(json.substr(i, length == 0 ? 1 : length));
      i += length == 0 ? 1 : length;
      continue;
    }
    // Outside strings a JSON text is ASCII, so every character escaped here is inside a string.
    if (cp <= 0xffff) {
      out += fmt::format("\\u{:04x}", cp);
    } else {
      const auto v = static_cast<std::uint32_t>(cp) - 0x10000;
      out += fmt::format("\\u{:04x}\\u{:04x}", 0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff));
    }
    i += length;
  }
  return out;
}

std::size_t display_width(std::string_view shown) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < shown.size();) {
    const auto [cp, length] = decode_utf8(shown, i);
    if (length == 0) {  // not visible()'s output; count the byte as its escape would
      width += 4;
      ++i;
      continue;
    }
    width += static_cast<std::size_t>(std::max(utf8proc_charwidth(cp), 0));
    i += length;
  }
  return width;
}

std::string cell(std::string_view text, std::size_t width) {
  std::string shown = visible(text);
  const std::size_t w = display_width(shown);
  if (w < width) shown.append(width - w, ' ');
  return shown;
}

std::string cell_right(std::string_view text, std::size_t width) {
  std::string shown = visible(text);
  const std::size_t w = display_width(shown);
  return w < width ? std::string(width - w, ' ') + shown : shown;
}

std::size_t field_width(i18n::Lang lang) { return lang == i18n::Lang::en ? 13 : 17; }

std::string field_label(i18n::Lang lang, const i18n::Msg& word) {
  return cell(i18n::tr(lang, word), field_width(lang));
}

void print_line(std::string_view text) { std::cout << visible(text) << '\n'; }

std::string html_escape(std::string_view text) {
  std::string out;
  for (char c : visible(text)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string common_name(std::string_view dn) {
  const auto cn = dn.find("CN=");
  if (cn == std::string_view::npos) return std::string(dn);
  std::string out;
  for (std::size_t i = cn + 3; i < dn.size() && dn[i] != ','; ++i) {
    if (dn[i] == '\\' && i + 1 < dn.size()) ++i;
    out += dn[i];
  }
  return out;
}

}  // namespace antq::cli
