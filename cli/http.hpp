// The service's requests and answers as its routes see them (cli/service.cpp), without Beast types: the HTTP
// server (cli/http_server.cpp) fills a Request from what it read and writes the Response back.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "i18n/i18n.hpp"
#include "signing/digest.hpp"

namespace antq::cli::http {

// Who sent the request: the certificate the TLS handshake verified (none over plain HTTP on loopback).
struct Client {
  std::optional<Digest> fingerprint;
  std::string subject;  // RFC 2253
  std::string address;  // the peer's IP address
};

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path and query
  std::string path;    // percent-decoded, without the query
  std::map<std::string, std::string, std::less<>> query;  // percent-decoded; a repeated name keeps the last
  std::string content_type;
  std::string accept_language;  // the Accept-Language header as sent ("" without one): see language_of()
  std::string body;
  Client client;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Cache-Control: the API's answers are private and never cached (no-store) unless a route says otherwise.
  std::string cache_control = "no-store";
  std::vector<std::pair<std::string, std::string>> headers;  // more headers (Retry-After, ...)
  // The requests this answer's request counts as against its client's rate (--client-rate): a batch of N events
  // counts as N, whether they were admitted or refused.
  std::size_t counts_as = 1;
};

// A route's answer may come later, from another thread (POST /v1/acts waits for its group's commit): the server
// hands each request a Reply to call exactly once.
using Reply = std::function<void(Response)>;
using Handler = std::function<void(Request&&, Reply)>;

// {"error": message} with `status`: the one-line answer of every 4xx and 5xx.
Response error(int status, std::string_view message);

// The language of an answer's words (an error's message, a refusal's): Vietnamese when Accept-Language's first
// choice is Vietnamese (vi, vi-VN), else English. JSON keys, rule ids and ids are the same in both.
i18n::Lang language_of(std::string_view accept_language);
inline i18n::Lang language_of(const Request& r) { return language_of(r.accept_language); }
// error() with `message` put into words in the request's language.
inline Response error(int status, const Request& r, const i18n::Text& message) {
  return error(status, message.str(language_of(r)));
}
// A JSON answer (cli/common.hpp's json_text: visible escapes, one line).
Response json_response(int status, const std::string& json);

// Splits a request target into its percent-decoded path and query; nullopt when it is malformed (a bad escape,
// a NUL, a path that does not start with '/').
struct Target {
  std::string path;
  std::map<std::string, std::string, std::less<>> query;
};
std::optional<Target> parse_target(std::string_view target);

// RFC 3986 percent-encoding of a query name or value: the unreserved characters as they are, every other byte as %XX
// (what parse_target decodes).
std::string percent_encode(std::string_view text);

// The value of query parameter `name` ("" when absent).
std::string param(const Request& request, std::string_view name);

}  // namespace antq::cli::http
