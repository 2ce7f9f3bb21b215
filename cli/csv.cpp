#include "cli/csv.hpp"

#include <fmt/format.h>

namespace antq::cli {

namespace {

// Whether a spreadsheet may take `value` for a formula once one leading quote is gone: any quotes, then =, +, -, @,
// TAB or CR. csv_field adds a quote to such a text; parse_csv removes one.
bool formula_like(std::string_view value) {
  const std::size_t start = value.find_first_not_of('\'');
  return start != std::string_view::npos && std::string_view("=+-@\t\r").find(value[start]) != std::string_view::npos;
}

// The separator of `text`'s records: ';' when its first line holds a ';' and no ',' outside quotes, else ','.
char separator_of(std::string_view text) {
  bool quoted = false, comma = false, semicolon = false;
  for (char c : text) {
    if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && (c == '\r' || c == '\n')) {
      break;
    } else if (!quoted) {
      comma = comma || c == ',';
      semicolon = semicolon || c == ';';
    }
  }
  return semicolon && !comma ? ';' : ',';
}

}  // namespace

std::string csv_field(std::string_view value) {
  const bool neutralise = formula_like(value);
  if (!neutralise && value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string out = neutralise ? "\"'" : "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string csv_record(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += csv_field(fields[i]);
  }
  return out + "\r\n";
}

Result<std::vector<std::vector<std::string>>> parse_csv(std::string_view text, const std::string& what) {
  std::vector<std::vector<std::string>> records;
  auto read = for_each_csv_record(text, what, [&](std::vector<std::string>& record) -> Status {
    records.push_back(std::move(record));
    return {};
  });
  if (!read) return std::unexpected(read.error());
  return records;
}

Status for_each_csv_record(std::string_view text, const std::string& what,
                           const std::function<Status(std::vector<std::string>& record)>& fn) {
  if (text.starts_with(kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
  const char separator = separator_of(text);
  std::vector<std::string> record;
  std::string field;
  std::size_t line = 1, i = 0;
  bool quoted_field = false;
  auto end_field = [&] {
    if (!field.empty() && field[0] == '\'' && formula_like(field)) field.erase(0, 1);
    record.push_back(std::move(field));
    field.clear();
    quoted_field = false;
  };
  auto end_record = [&] {
    end_field();
    Status s = fn(record);
    record.clear();
    return s;
  };
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"' && field.empty() && !quoted_field) {
      // A quoted field: up to the quote not doubled.
      const std::size_t opened = line;
      for (++i;; ++i) {
        if (i >= text.size()) return bad_input(i18n::Text("{}: line {}: a quoted field is never closed", what, opened));
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            ++i;
            continue;
          }
          ++i;
          break;
        }
        if (text[i] == '\n') ++line;
        field += text[i];
      }
      quoted_field = true;
      if (i < text.size() && text[i] != separator && text[i] != '\r' && text[i] != '\n')
        return bad_input(i18n::Text("{}: line {}: a character after a closing quote", what, line));
      continue;
    }
    if (c == separator) {
      end_field();
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (auto s = end_record(); !s) return s;
      ++line;
    } else {
      if (quoted_field) return bad_input(i18n::Text("{}: line {}: a character after a closing quote", what, line));
      field += c;
    }
    ++i;
  }
  if (!field.empty() || quoted_field || !record.empty()) return end_record();
  return {};
}

}  // namespace antq::cli
