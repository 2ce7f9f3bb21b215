// A small synchronous HTTP/1.1 client on Boost.Beast (antq mirror; antq append --server): http:// and https://,
// mutual TLS with a client certificate, the server checked against given roots, and every response bounded in time
// and size. Asio and Beast stay in http_client.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "signing/result.hpp"

namespace antq::cli {

struct Url {
  bool tls = false;       // https
  std::string host;       // a name, an IPv4 address, or an IPv6 address without its brackets
  std::string port;       // "80" / "443" when the URL names none
  std::string base_path;  // the path of the URL without a trailing '/' ("" for the root)
  std::string shown() const;  // "https://host:port/base"
};
// http://HOST[:PORT][/PATH] or https://...; bad_input for anything else (user info, a query, a fragment, no host).
Result<Url> parse_url(std::string_view text);

struct HttpOptions {
  // Each of: looking the host's name up, connecting, and the TLS handshake. A lookup cut short is left to end on
  // a thread of its own (getaddrinfo cannot be interrupted).
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds response_timeout{60'000};  // writing the request and reading the whole response
  std::size_t max_header_bytes = 64u << 10;
  std::size_t max_body_bytes = 64u << 20;             // the default cap of a response body (per request: below)
  // Mutual TLS: the client's key (a file or a PKCS#11 URI, as signing::PrivateKey::load takes it) and certificate
  // (PEM; the chain after it, if any, is sent too). Both or neither.
  std::string client_key, client_cert;
  // PEM file of the roots the server's certificate must chain to; empty: the system's roots. https only.
  std::string server_ca;
  // A 429 or 503 answer with `Retry-After: SECONDS` (at least 1) is waited out and the request sent again, at most
  // 10 times, for as long as the waits of this client add up to no more than this (0: never) and the request's time
  // so far, its exchanges with the waits, would not pass it by more than one response_timeout (a server slow to say
  // "wait" cannot hold the client for ten exchanges' timeouts); each wait is told to `on_wait` first, if set.
  // Such an answer from antq serve means nothing was done with the request, so a POST is sent again too.
  std::chrono::seconds max_retry_wait{120};
  std::function<void(const std::string& what)> on_wait;
  // Connect only to loopback addresses (the name resolved first: "localhost" as /etc/hosts says).
  bool loopback_only = false;
  // When every request of this client must be done (a command's --max-time): connecting, each exchange and each
  // Retry-After wait end there at the latest, and a request asked for later fails at once. None: only the timeouts.
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

// What is read of the body of an answer that is not 2xx (it says why), when the request's own cap is smaller.
inline constexpr std::size_t kMaxRefusalBody = 64u << 10;

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  unsigned status = 0;
  HttpHeaders headers;
  std::string body;
  // An answer that is not 2xx whose body was longer than kMaxRefusalBody: `body` is empty (the connection is
  // closed rather than read to its end).
  bool body_unread = false;
  // The value of the first header named `name` (case-insensitive).
  std::optional<std::string> header(std::string_view name) const;
};

// One server (scheme, host, port, base path); one connection at a time, kept alive between requests when the
// server allows it. Errors name the method, the URL and what failed: io_error for the network and timeouts
// ("GET https://h:8443/checkpoint: connect: Connection refused", "...: no response within 60 s"), bad_input for a
// response over its cap or malformed, a server certificate that does not verify, or a bad client key or certificate.
// Not thread-safe.
class HttpClient {
 public:
  static Result<HttpClient> create(const Url& url, const HttpOptions& options);
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;
  ~HttpClient();

  // Sends METHOD base_path + `path` (`path` starts with '/') with `headers` and `body` (a Content-Length is set
  // for a body); any status is a response, after the waits HttpOptions::max_retry_wait allows. `max_body_bytes`
  // overrides the default cap for this response; an answer that is not 2xx is read up to kMaxRefusalBody whatever
  // the cap: a longer one (a CDN's 404 page) is its status and headers, its body unread (HttpResponse::body_unread).
  Result<HttpResponse> request(std::string_view method, std::string_view path, const HttpHeaders& headers = {},
                               std::string body = {}, std::optional<std::size_t> max_body_bytes = {});
  Result<HttpResponse> get(std::string_view path, std::optional<std::size_t> max_body_bytes = {}) {
    return request("GET", path, {}, {}, max_body_bytes);
  }
  const Url& url() const;

  struct Rep;

 private:
  explicit HttpClient(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

}  // namespace antq::cli
