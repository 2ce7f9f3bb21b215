// Reaching antq serve from the command line (service_client.hpp).
#include "cli/service_client.hpp"

#include <cstdio>
#include <iostream>

#include <fmt/format.h>

#include "cli/common.hpp"
#include "cli/display.hpp"
#include "cli/http.hpp"
#include "cli/signer.hpp"

namespace antq::cli {
namespace {

bool printable_text(std::string_view body) {
  for (unsigned char c : body)
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) return false;
  return true;
}

}  // namespace

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
  auto answer = nlohmann::json::parse(res->body, nullptr, false);
  const std::string why = answer.is_object() && answer["error"].is_string() ? answer["error"].get<std::string>()
                                                                            : res->body.substr(0, 200);
  const std::string line = fmt::format("{}: HTTP {}: {}", client.url().shown(), res->status, why);
  switch (res->status) {
    case 400: case 403: case 404: case 413: case 422: return bad_input(line);
    default: return io_error(line);
  }
}

Result<nlohmann::json> as_json(const HttpClient& client, std::string_view path, Result<std::string> body) {
  if (!body) return std::unexpected(body.error());
  auto j = nlohmann::json::parse(*body, nullptr, false);
  if (j.is_discarded())
    return bad_input(i18n::Text("{}{}: the answer is not JSON", client.url().shown(), std::string(path)));
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
  std::cout << *body;
  return kOk;
}

}  // namespace antq::cli
