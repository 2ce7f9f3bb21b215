// Reaching antq serve from the command line (service_client.hpp).
#include "cli/service_client.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <iostream>

#include <fmt/format.h>
#include <utf8proc.h>

#include "cli/common.hpp"
#include "cli/csv.hpp"
#include "cli/display.hpp"
#include "cli/http.hpp"
#include "cli/official_document.hpp"
#include "cli/signer.hpp"
#include "ledger/act.hpp"

namespace antq::cli {
namespace {

// True when `body` is UTF-8 without the controls terminals act on: C0 but tab and line ends, DEL, and C1 (U+009B is
// CSI, as ESC [ is). Other characters pass: the local command prints them as they are.
bool printable_text(std::string_view body) {
  for (std::size_t at = 0; at < body.size();) {
    utf8proc_int32_t c = 0;
    const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(body.data() + at),
                                    static_cast<utf8proc_ssize_t>(body.size() - at), &c);
    if (n <= 0) return false;
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7f && c <= 0x9f)) return false;
    at += static_cast<std::size_t>(n);
  }
  return true;
}

// A loopback address, or localhost.
bool is_loopback(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

}  // namespace

std::string shortened(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "…";
}

std::string answer_line(const HttpClient& client, const HttpResponse& res, const nlohmann::json& answer) {
  std::string why = res.body;
  if (res.body_unread)
    why = i18n::trf(i18n::process_lang(), "its body is longer than {} bytes (not read)", kMaxRefusalBody);
  else if (auto error = answer.is_object() ? answer.find("error") : answer.end();
           error != answer.end() && error->is_string())
    why = error->get<std::string>();
  else if (auto location = res.header("Location"); res.status / 100 == 3 && location)
    why = i18n::trf(i18n::process_lang(), "a redirect to {}, not followed (give that URL, if it is the service's)",
                    *location);
  return fmt::format("{}: HTTP {}: {}", client.url().shown(), res.status, shortened(why, 300));
}

namespace {

// Whether `text` holds `word` (lower-case ASCII) in any case.
bool holds_ascii_nocase(std::string_view text, std::string_view word) {
  return std::search(text.begin(), text.end(), word.begin(), word.end(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         }) != text.end();
}

// Arrays and objects nest at most this deep in an answer (an act's data at most 32, inside the answer's own).
constexpr int kMaxAnswerDepth = 64;
// Values (scalars, arrays, objects) in one JSON answer. Parsed, each costs some 60 bytes: 64 MiB of "[[],[],...]"
// would take 1.3 GB; refused at 2 million values, 15 MB of them peak at 210 MB (an audit's finding is ten values).
constexpr std::size_t kMaxAnswerValues = 2'000'000;
// An answer whose indented JSON (print_json) would take more than this is refused: JSON nested deep prints as many
// times its size in indentation (2 million values 60 deep: some 470 MB from 6 MB).
constexpr std::size_t kMaxPrintedBytes = 256u << 20;

// At least the bytes json_text(j, 2) prints for `j` at `depth` (a string's characters counted as escapes of 6 bytes
// each, so never fewer), counting stopped past `limit`.
std::size_t printed_bytes(const nlohmann::json& j, std::size_t depth, std::size_t limit) {
  std::size_t n = 2 * depth + 2;  // indentation, the line end and a comma
  if (j.is_string()) return n + 6 * j.get_ref<const std::string&>().size() + 2;
  if (!j.is_structured()) return n + j.dump().size();
  for (auto it = j.begin(); it != j.end() && n <= limit; ++it)
    n += (j.is_object() ? 6 * it.key().size() + 4 : 0) + printed_bytes(*it, depth + 1, limit);
  return n + 2 * depth + 2;
}

// The CSV of an answer is as antq writes it: the byte order mark, then records as csv_record writes them (so that
// a cell a spreadsheet would run as a formula is neutralised, as locally). One record in memory at a time.
bool written_as_antq_writes_csv(std::string_view body) {
  if (!body.starts_with(kUtf8Bom)) return false;
  std::size_t at = kUtf8Bom.size();
  auto read = for_each_csv_record(body, "", [&](std::vector<std::string>& row) -> Status {
    const std::string written = csv_record(row);
    if (body.substr(at, written.size()) != written) return bad_input(i18n::Text::verbatim("not as antq writes it"));
    at += written.size();
    return {};
  });
  return read && at == body.size();
}

}  // namespace

Result<nlohmann::json> parse_answer(std::string_view body, const std::string& where) {
  return ledger::parse_json_nested(body, kMaxAnswerDepth, where, kMaxAnswerValues);
}

bool is_service_url(std::string_view dir) { return dir.starts_with("https://") || dir.starts_with("http://"); }

void add_service_options(CLI::App* cmd, ServiceAccess& access) {
  cmd->add_option("--client-cert", access.client_cert,
                  "When DIR is the URL of antq serve (https://HOST:PORT): KEY:CERT of your client certificate");
  cmd->add_option("--server-ca", access.server_ca,
                  "When DIR is a URL: PEM roots the server's certificate must chain to (default: the system's)");
}

Result<HttpClient> service_client(const std::string& url_text, const ServiceAccess& access,
                                  bool certificate_optional) {
  auto url = parse_url(url_text);
  if (!url) return std::unexpected(url.error());
  // What is submitted and read is neither sent nor taken unauthenticated across a network; the tiles a mirror
  // fetches are checked against the operator's key instead.
  if (!url->tls && !certificate_optional && !is_loopback(url->host))
    return bad_input(
        i18n::Text("{}: plain http:// only to this machine (127.0.0.1, ::1, localhost); the service is "
                   "reached over https:// with a client certificate",
                   url_text));
  HttpOptions options;
  if (!access.client_cert.empty()) {
    auto spec = parse_signer(access.client_cert);
    if (!spec) return bad_input(i18n::Text("--client-cert: {}", text_of(spec.error())));
    options.client_key = spec->key;
    options.client_cert = spec->cert;
  } else if (url->tls && !certificate_optional) {
    return bad_input(
        i18n::Text("{}: give --client-cert KEY:CERT (the service knows its clients by their certificates)", url_text));
  }
  options.server_ca = access.server_ca;
  options.loopback_only = !url->tls && !certificate_optional;  // and what "localhost" resolves to, checked too
  if (access.max_time.count() > 0) options.deadline = std::chrono::steady_clock::now() + access.max_time;
  options.on_wait = [](const std::string& what) { std::fprintf(stderr, "%s\n", visible(what).c_str()); };
  return HttpClient::create(*url, options);
}

namespace {

// One request to the service: the body of a 200 answer; its refusals as service_get says.
Result<std::string> ask(HttpClient& client, std::string_view method, const std::string& target, std::string body = {},
                        std::string_view content_type = {}) {
  HttpHeaders headers;
  if (!content_type.empty()) headers.emplace_back("Content-Type", std::string(content_type));
  auto res = client.request(method, target, headers, std::move(body));
  if (!res) return std::unexpected(res.error());
  if (res->status == 200) {
    if (!printable_text(res->body))
      return bad_input(i18n::Text("{}{}: the answer holds control characters", client.url().shown(), target));
    return std::move(res->body);
  }
  auto answer = parse_answer(res->body, "");
  const std::string line = answer_line(client, *res, answer ? *answer : nlohmann::json());
  switch (res->status) {
    case 400: case 403: case 404: case 413: case 422: return bad_input(line);
    case 500:
      // The ledger's store is damaged: what the command says, and exits 1 with, on the directory.
      if (answer && answer->is_object() && (*answer)["damaged"].is_boolean() && (*answer)["damaged"].get<bool>())
        return corruption(line);
      return io_error(line);
    default: return io_error(line);
  }
}

Result<nlohmann::json> as_json(const HttpClient& client, std::string_view path, Result<std::string> body) {
  if (!body) return std::unexpected(body.error());
  const std::string where = client.url().shown() + std::string(path);
  auto j = parse_answer(*body, where);
  if (!j) return std::unexpected(j.error());
  if (printed_bytes(*j, 0, kMaxPrintedBytes) > kMaxPrintedBytes)
    return bad_input(i18n::Text("{}: the answer would print as more than {} bytes", where, kMaxPrintedBytes));
  return j;
}

}  // namespace

Result<std::string> service_get(HttpClient& client, std::string_view path, const QueryParams& params) {
  std::string target(path);
  char sep = '?';
  for (const auto& [k, v] : params) {
    if (v.empty()) continue;
    target += sep + k + "=" + http::percent_encode(v);
    sep = '&';
  }
  return ask(client, "GET", target);
}

Result<nlohmann::json> service_get_json(HttpClient& client, std::string_view path, const QueryParams& params) {
  return as_json(client, path, service_get(client, path, params));
}

Result<nlohmann::json> service_post_json(HttpClient& client, std::string_view path, std::string body,
                                         std::string_view content_type) {
  return as_json(client, path, ask(client, "POST", std::string(path), std::move(body), content_type));
}

int ask_service(const std::string& url, const ServiceAccess& access, std::string_view command, std::string_view path,
                QueryParams params, const std::string& format, std::string_view how) {
  if (format == "table")
    return fail(
        bad_input(i18n::Text("{}: from the service's URL the table is not printed (it is made from the "
                             "ledger directory): {}",
                             command, how)));
  auto client = service_client(url, access);
  if (!client) return fail(client.error());
  if (format == "json") {
    auto j = service_get_json(*client, path, params);
    if (!j) return fail(j.error());
    print_json(*j);
    return kOk;
  }
  params.emplace_back("format", format);
  auto body = service_get(*client, path, params);
  if (!body) return fail(body.error());
  if (format == "csv" && !written_as_antq_writes_csv(*body))
    return fail(
        bad_input(i18n::Text("{}{}: the answer is not CSV as antq writes it (a cell a spreadsheet would run "
                             "as a formula, or no byte order mark)",
                             client->url().shown(), std::string(path))));
  if (format == "html" && !body->starts_with(kDocumentPrologue))
    return fail(
        bad_input(i18n::Text("{}{}: the answer does not begin as antq's documents do, with the policy that "
                             "no script runs in it",
                             client->url().shown(), std::string(path))));
  // A <meta> past the prologue (text is escaped: any "<" is a tag's) could send the reader elsewhere (a refresh),
  // which no policy forbids; antq's documents have none.
  if (format == "html" && holds_ascii_nocase(std::string_view(*body).substr(kDocumentPrologue.size()), "<meta"))
    return fail(
        bad_input(i18n::Text("{}{}: the answer holds a <meta> tag past the prologue, as antq's documents do not",
                             client->url().shown(), std::string(path))));
  std::cout << *body;
  return kOk;
}

}  // namespace antq::cli
