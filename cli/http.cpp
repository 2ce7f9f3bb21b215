#include "cli/http.hpp"

#include <fmt/format.h>

#include "cli/common.hpp"

namespace antq::cli::http {
namespace {

// Percent-decodes `s` ('+' as a space when `plus_is_space`, as HTML forms write a query); nullopt on a bad escape
// or a NUL.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      auto byte = i + 2 < s.size() ? from_hex(s.substr(i + 1, 2)) : std::nullopt;
      if (!byte) return std::nullopt;
      c = static_cast<char>((*byte)[0]);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') return std::nullopt;
    out.push_back(c);
  }
  return out;
}

}  // namespace

Response error(int status, std::string_view message) {
  return json_response(status, json_text(nlohmann::json{{"error", std::string(message)}}));
}

i18n::Lang language_of(std::string_view accept_language) {
  std::string_view first = accept_language.substr(0, accept_language.find_first_of(",;"));
  while (!first.empty() && first.front() == ' ') first.remove_prefix(1);
  return i18n::parse_lang(first).value_or(i18n::Lang::en);
}

Response json_response(int status, const std::string& json) {
  Response r;
  r.status = status;
  r.body = json;
  r.body.push_back('\n');
  return r;
}

std::optional<Target> parse_target(std::string_view target) {
  if (target.empty() || target[0] != '/') return std::nullopt;
  Target t;
  const std::size_t q = target.find('?');
  auto path = percent_decode(target.substr(0, q), false);
  if (!path) return std::nullopt;
  t.path = std::move(*path);
  if (q == std::string_view::npos) return t;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    auto name = percent_decode(pair.substr(0, eq), true);
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!name || !value) return std::nullopt;
    t.query[*name] = std::move(*value);
  }
  return t;
}

std::string percent_encode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~')
      out.push_back(static_cast<char>(c));
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string param(const Request& request, std::string_view name) {
  auto it = request.query.find(name);
  return it == request.query.end() ? std::string() : it->second;
}

}  // namespace antq::cli::http
