// The HTTP/1.1 client (http_client.hpp). Every operation is asynchronous under the hood so that Beast's stream
// timeouts apply (a synchronous Beast operation has none), run to completion on a private io_context.
#include "cli/http_client.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <fmt/format.h>

#include "signing/signing.hpp"
#include "signing/tls_client.hpp"

namespace antq::cli {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

// Interim (1xx) answers passed over before the final one of a request: a server sending more is refused.
constexpr int kMaxInterimAnswers = 8;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

// The status and headers of a response (its body is the caller's).
HttpResponse response_of(const bhttp::response<bhttp::string_body>& res) {
  HttpResponse out;
  out.status = res.result_int();
  for (const auto& field : res) out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  return out;
}

// Retry-After as delta-seconds (RFC 9110 §10.2.3), at least 1 (0 would have the client ask again at once, without
// end); an HTTP-date or anything else: nullopt.
std::optional<std::chrono::seconds> retry_after(const HttpResponse& res) {
  auto value = res.header("Retry-After");
  if (!value || value->empty() || value->size() > 6) return std::nullopt;
  long n = 0;
  for (char c : *value) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return std::chrono::seconds(std::max(n, 1L));
}

// How many times one request is sent again after a 429 or 503 that says to wait.
constexpr int kMaxRetries = 10;

std::string seconds(std::chrono::milliseconds ms) {
  return ms.count() % 1000 == 0 ? fmt::format("{} s", ms.count() / 1000) : fmt::format("{} ms", ms.count());
}

// A name's lookup, bounded in time. getaddrinfo cannot be interrupted, and Asio's resolver runs it on a thread that
// its io_context joins when destroyed: a lookup the system's resolver holds (5 s × 2 attempts × each server of
// /etc/resolv.conf by default) would hold the client past its timeouts. So it runs on a thread of its own, detached,
// which touches nothing but libc and the state it shares (freed by the last of the two): one that outlives the wait
// ends alone, or with the process.
struct NameLookup {
  std::mutex mutex;
  std::condition_variable finished;
  bool done = false;
  std::string error;  // why the name has no address: empty when found
  std::vector<tcp::endpoint> endpoints;
};

// The lookup once it is done, or nullptr when it was not done within `limit`. The flags are Asio's resolver's.
std::shared_ptr<const NameLookup> look_up(const std::string& host, const std::string& port,
                                          std::chrono::milliseconds limit) {
  auto lookup = std::make_shared<NameLookup>();
  try {
    std::thread([lookup, host, port] {
      addrinfo hints{};
      hints.ai_family = AF_UNSPEC;
      hints.ai_socktype = SOCK_STREAM;
      hints.ai_flags = AI_ADDRCONFIG;
      addrinfo* found = nullptr;
      const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found);
      const int system_error = errno;
      std::vector<tcp::endpoint> endpoints;
      for (const addrinfo* a = rc == 0 ? found : nullptr; a; a = a->ai_next)
        if (tcp::endpoint e; (a->ai_family == AF_INET || a->ai_family == AF_INET6) && a->ai_addrlen <= e.capacity()) {
          std::memcpy(e.data(), a->ai_addr, a->ai_addrlen);
          e.resize(a->ai_addrlen);
          endpoints.push_back(e);
        }
      if (found) ::freeaddrinfo(found);
      const std::lock_guard lock(lookup->mutex);
      if (rc == EAI_SYSTEM)
        lookup->error = std::generic_category().message(system_error);
      else if (rc != 0)
        lookup->error = ::gai_strerror(rc);
      else if (endpoints.empty())
        lookup->error = "no IPv4 or IPv6 address";
      lookup->endpoints = std::move(endpoints);
      lookup->done = true;
      lookup->finished.notify_all();
    }).detach();
  } catch (const std::system_error& e) {  // no thread to be had
    lookup->error = e.what();
    return lookup;
  }
  std::unique_lock lock(lookup->mutex);
  return lookup->finished.wait_for(lock, limit, [&] { return lookup->done; }) ? lookup : nullptr;
}

}  // namespace

std::string Url::shown() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return fmt::format("{}://{}{}{}:{}{}", tls ? "https" : "http", ipv6 ? "[" : "", host, ipv6 ? "]" : "", port,
                     base_path);
}

Result<Url> parse_url(std::string_view text) {
  auto bad = [&](std::string_view why) { return bad_input(i18n::Text("URL {}: {}", text, why)); };
  Url url;
  std::string_view rest = text;
  if (rest.starts_with("https://")) {
    url.tls = true;
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else {
    return bad("expected http://HOST[:PORT][/PATH] or https://...");
  }
  for (char c : text)
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return bad("a space or a control character");
  if (rest.find_first_of("?#") != std::string_view::npos) return bad("a query or a fragment");
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) return bad("user information is not supported");
  std::string_view port;
  if (authority.starts_with("[")) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return bad("an IPv6 address without its ']'");
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(":")) return bad("something after the IPv6 address");
    if (!after.empty()) port = after.substr(1);
  } else {
    auto colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (url.host.empty()) return bad("no host");
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos || std::stoul(std::string(port)) == 0 ||
        std::stoul(std::string(port)) > 65535)
      return bad("the port is not a number from 1 to 65535");
    url.port = std::string(port);
  } else {
    url.port = url.tls ? "443" : "80";
  }
  while (path.ends_with("/")) path.remove_suffix(1);
  url.base_path = std::string(path);
  return url;
}

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return v;
  return std::nullopt;
}

struct HttpClient::Rep {
  Url url;
  HttpOptions options;
  asio::io_context io;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  // What was read and not yet parsed: a header, or a chunk's size line or a trailer, which Beast 1.81 reads until
  // their line ends without a limit of its own. Bounded, so that a line that never ends cannot grow it.
  beast::flat_buffer buffer;
  bool connected = false;
  std::chrono::seconds waited{0};  // the Retry-After waits so far

  beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

  // `limit`, or what is left before the deadline when that is sooner (zero once it has passed).
  std::chrono::milliseconds within(std::chrono::milliseconds limit) const {
    if (!options.deadline) return limit;
    // Rounded up: the operation's timer then fires at the deadline or after it, and past_deadline() tells why.
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(*options.deadline - std::chrono::steady_clock::now());
    return std::clamp(left, std::chrono::milliseconds(0), limit);
  }
  bool past_deadline() const { return options.deadline && std::chrono::steady_clock::now() >= *options.deadline; }
  // The error of a request stopped by the deadline.
  std::unexpected<Error> out_of_time(const std::string& where) const {
    return io_error(i18n::Text("{}: stopped: the time given for the whole command (--max-time) ran out", where));
  }

  // Runs the operation started on `io` to its end; the stream's expiry bounds it.
  void run() {
    io.restart();
    io.run();
  }

  void close() {
    if (secure) {
      beast::error_code ec;
      beast::get_lowest_layer(*secure).socket().close(ec);
      secure.reset();
    }
    if (plain) {
      beast::error_code ec;
      plain->socket().close(ec);
      plain.reset();
    }
    buffer.clear();
    connected = false;
  }

  std::string where(std::string_view method, std::string_view path) const {
    return fmt::format("{} {}{}", method, url.shown(), path);
  }

  Status connect(const std::string& where) {
    close();
    const auto lookup = look_up(url.host, url.port, within(options.connect_timeout));
    if (!lookup)
      return past_deadline() ? out_of_time(where)
                             : io_error(i18n::Text("{}: cannot resolve {}: no answer within {}", where, url.host,
                                                   seconds(options.connect_timeout)));
    if (!lookup->error.empty())
      return io_error(i18n::Text("{}: cannot resolve {}: {}", where, url.host, lookup->error));
    const auto& endpoints = lookup->endpoints;
    beast::error_code ec;
    if (options.loopback_only)
      for (const auto& e : endpoints)
        if (const auto address = e.address(); !address.is_loopback())
          return bad_input(address.to_string() == url.host
                               ? i18n::Text("{}: {} is not an address of this machine", where, url.host)
                               : i18n::Text("{}: {} resolves to {}, not an address of this machine", where, url.host,
                                            address.to_string()));
    if (url.tls)
      secure.emplace(io, tls);
    else
      plain.emplace(io);
    lowest().expires_after(within(options.connect_timeout));
    lowest().async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    run();
    if (ec == beast::error::timeout)
      return past_deadline() ? out_of_time(where)
                             : io_error(i18n::Text("{}: connect: no connection within {}", where,
                                                   seconds(options.connect_timeout)));
    if (ec) return io_error(i18n::Text("{}: connect: {}", where, ec.message()));
    if (url.tls) {
      if (auto s = signing::prepare_tls_connection(secure->native_handle(), url.host); !s)
        return bad_input(i18n::Text("{}: {}", where, text_of(s.error())));
      secure->async_handshake(asio::ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
      run();
      if (ec) {
        const std::string verify = signing::tls_verify_failure(secure->native_handle());
        close();
        if (!verify.empty())
          return bad_input(i18n::Text("{}: the server's certificate does not verify: {}", where, verify));
        if (ec == beast::error::timeout)
          return past_deadline() ? out_of_time(where)
                                 : io_error(i18n::Text("{}: TLS handshake: no answer within {}", where,
                                                       seconds(options.connect_timeout)));
        return io_error(i18n::Text("{}: TLS handshake: {}", where, ec.message()));
      }
    }
    connected = true;
    return {};
  }

  // One exchange on the open connection. `retry_possible` is set when it failed before any of a response came (a
  // kept-alive connection the server closed meanwhile: the caller retries a GET once on a new one).
  Result<HttpResponse> exchange(const bhttp::request<bhttp::string_body>& req, std::size_t max_body,
                                const std::string& where, bool& retry_possible) {
    beast::error_code ec;
    retry_possible = false;
    lowest().expires_after(within(options.response_timeout));
    // With `Expect: 100-continue` (request() sets it on a large body) the header goes first and the body only after
    // the server's 100 Continue: a server that refuses from the header (429, 503) answers and closes without reading
    // the body, and a client still writing megabytes would meet a reset before it read why and when to come back.
    const bool expect = beast::iequals(req[bhttp::field::expect], "100-continue");
    bhttp::request_serializer<bhttp::string_body> serializer{req};
    auto on_write = [&](beast::error_code e, std::size_t) { ec = e; };
    auto send = [&](bool header_only) {
      if (secure && header_only)
        bhttp::async_write_header(*secure, serializer, on_write);
      else if (secure)
        bhttp::async_write(*secure, serializer, on_write);
      else if (header_only)
        bhttp::async_write_header(*plain, serializer, on_write);
      else
        bhttp::async_write(*plain, serializer, on_write);
      run();
      if (ec) close();
      return !ec;
    };
    if (!send(expect)) {
      retry_possible = ec != beast::error::timeout;
      if (ec == beast::error::timeout && past_deadline()) return out_of_time(where);
      return io_error(i18n::Text("{}: sending the request: {}", where, ec.message()));
    }
    std::optional<bhttp::response_parser<bhttp::string_body>> answer(std::in_place);
    auto& parser = *answer;  // emplaced anew after a 100 Continue
    std::size_t limit = 0;
    auto on_read = [&](beast::error_code e, std::size_t) { ec = e; };
    auto read_header = [&] {
      parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(options.max_header_bytes, UINT32_MAX)));
      // The cap is for what was asked; a refusal (429, 404...) may say why in more than a small document's bytes.
      // Beast judges a Content-Length against the limit as the header ends: the larger one until the status is known.
      limit = std::max(max_body, kMaxRefusalBody);
      parser.body_limit(limit);
      if (secure)
        bhttp::async_read_header(*secure, buffer, parser, on_read);
      else
        bhttp::async_read_header(*plain, buffer, parser, on_read);
      run();
    };
    read_header();
    bool body_sent = !expect;
    // Interim answers (1xx but 101) precede the final one: 100 Continue sends the body, any other (103 Early Hints,
    // a proxy's 100 unasked) is passed over, a few of them at most, within the same timeout.
    for (int interim = 0;
         !ec && parser.get().result_int() / 100 == 1 && parser.get().result() != bhttp::status::switching_protocols;
         ++interim) {
      if (interim == kMaxInterimAnswers) {
        close();
        return bad_input(i18n::Text("{}: more than {} interim (1xx) answers", where, kMaxInterimAnswers));
      }
      if (!body_sent && parser.get().result() == bhttp::status::continue_) {
        if (!send(false)) return io_error(i18n::Text("{}: sending the request: {}", where, ec.message()));
        body_sent = true;
      }
      answer.emplace();
      read_header();
    }
    // A success before the body was asked for: the server cannot have read what it says it took.
    if (!ec && !body_sent && parser.get().result_int() / 100 == 2) {
      close();
      return bad_input(i18n::Text("{}: the server answered {} before the request's body was sent", where,
                                  parser.get().result_int()));
    }
    if (!ec) {
      // A 2xx answer's cap is the request's; another answer only says why, in at most 64 KiB.
      limit = parser.get().result_int() / 100 == 2 ? max_body : kMaxRefusalBody;
      if (parser.content_length() && *parser.content_length() > limit)
        ec = bhttp::error::body_limit;
      else parser.body_limit(limit);  // a chunked body: judged as it comes
    }
    if (!ec && !parser.is_done()) {
      if (secure)
        bhttp::async_read(*secure, buffer, parser, on_read);
      else
        bhttp::async_read(*plain, buffer, parser, on_read);
      run();
    }
    // An answer that is not 2xx is its status whatever its body's size: the rest of a longer body is not read.
    if (ec == bhttp::error::body_limit && parser.is_header_done() && parser.get().result_int() / 100 != 2) {
      close();
      HttpResponse out = response_of(parser.get());
      out.body_unread = true;
      return out;
    }
    if (ec) {
      const bool nothing = !parser.got_some();
      close();
      auto failed = read_failure(ec, nothing, max_body, where, retry_possible);
      // A request that may change something (not a GET), sent whole, without a whole answer that refuses it: it may
      // have been carried out.
      if (body_sent && req.method() != bhttp::verb::get &&
          (!parser.is_header_done() || parser.get().result_int() / 100 == 2))
        return io_error(i18n::Text("{} (the request was sent: whether the server carried it out is not known)",
                                   text_of(failed.error())));
      return failed;
    }
    auto res = parser.release();
    HttpResponse out = response_of(res);
    out.body = std::move(res.body());
    if (!res.keep_alive() || !body_sent) close();  // a body announced and not sent: the connection cannot go on
    return out;
  }

  // The error of a response that could not be read whole (`ec`); `nothing`: not a byte of it came.
  std::unexpected<Error> read_failure(const beast::error_code& ec, bool nothing, std::size_t max_body,
                                      const std::string& where, bool& retry_possible) {
    if (ec == bhttp::error::body_limit)  // a 2xx answer (any other is its status, above)
      return bad_input(i18n::Text("{}: the response is larger than {} bytes", where, max_body));
    if (ec == bhttp::error::header_limit)
      return bad_input(
          i18n::Text("{}: the response's header is larger than {} bytes", where, options.max_header_bytes));
    if (ec == bhttp::error::buffer_overflow)
      return bad_input(
          i18n::Text("{}: a line of the response (a chunk's size line or a trailer) is longer than {} bytes", where,
                     buffer.max_size()));
    if (ec == beast::error::timeout)
      return past_deadline()
                 ? out_of_time(where)
                 : io_error(i18n::Text("{}: no whole response within {}", where, seconds(options.response_timeout)));
    retry_possible = nothing;
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
        ec == asio::ssl::error::stream_truncated)
      return io_error(
          i18n::Text("{}: the server closed the connection {}", where,
                     nothing ? i18n::Text("without a response") : i18n::Text("in the middle of its response")));
    return io_error(i18n::Text("{}: reading the response: {}", where, ec.message()));
  }
};

HttpClient::HttpClient(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;
HttpClient::~HttpClient() {
  if (rep_) rep_->close();
}

const Url& HttpClient::url() const { return rep_->url; }

Result<HttpClient> HttpClient::create(const Url& url, const HttpOptions& options) {
  auto rep = std::make_unique<Rep>();
  rep->url = url;
  rep->options = options;
  rep->buffer.max_size(options.max_header_bytes + kMaxRefusalBody);
  if (url.tls) {
    signing::TlsClientOptions tls;
    if (!options.server_ca.empty()) {
      auto roots = signing::read_certificates(options.server_ca);
      if (!roots) return bad_input(i18n::Text("--server-ca {}: {}", options.server_ca, text_of(roots.error())));
      tls.server_roots = std::move(*roots);
    }
    std::optional<signing::PrivateKey> key;
    if (options.client_key.empty() != options.client_cert.empty())
      return bad_input(i18n::Text("a client certificate needs both its key and its certificate (KEY:CERT)"));
    if (!options.client_cert.empty()) {
      auto chain = signing::read_certificates(options.client_cert);
      if (!chain)
        return bad_input(i18n::Text("client certificate {}: {}", options.client_cert, text_of(chain.error())));
      auto loaded = signing::PrivateKey::load(options.client_key);
      if (!loaded) return std::unexpected(loaded.error());
      key.emplace(std::move(*loaded));
      tls.client_chain = std::move(*chain);
      tls.client_key = &*key;
    }
    if (auto s = signing::configure_tls_client(rep->tls.native_handle(), tls); !s)
      return bad_input(i18n::Text("{}: {}", url.shown(), text_of(s.error())));
  } else if (!options.client_cert.empty() || !options.server_ca.empty()) {
    return bad_input(i18n::Text("{}: a client certificate or --server-ca needs an https:// URL", url.shown()));
  }
  return HttpClient(std::move(rep));
}

Result<HttpResponse> HttpClient::request(std::string_view method, std::string_view path, const HttpHeaders& headers,
                                         std::string body, std::optional<std::size_t> max_body_bytes) {
  Rep& r = *rep_;
  const std::string where = r.where(method, path);
  const bhttp::verb verb = bhttp::string_to_verb(method);
  if (verb == bhttp::verb::unknown) return bad_input(i18n::Text("{}: unknown method", where));
  if (!path.starts_with("/")) return bad_input(i18n::Text("{}: the path must start with '/'", where));
  bhttp::request<bhttp::string_body> req{verb, r.url.base_path + std::string(path), 11};
  const std::string host = r.url.host.find(':') != std::string::npos ? "[" + r.url.host + "]" : r.url.host;
  req.set(bhttp::field::host, r.url.port == (r.url.tls ? "443" : "80") ? host : host + ":" + r.url.port);
  req.set(bhttp::field::user_agent, "antq");
  // antq serve says its errors and refusals in the language this command speaks (Error::line adds "bị từ chối").
  req.set(bhttp::field::accept_language, i18n::process_lang() == i18n::Lang::vi ? "vi" : "en");
  for (const auto& [k, v] : headers) req.set(k, v);
  const bool has_body = !body.empty() || verb == bhttp::verb::post || verb == bhttp::verb::put;
  req.body() = std::move(body);
  if (has_body) req.prepare_payload();
  if (req.body().size() > kMaxRefusalBody) req.set(bhttp::field::expect, "100-continue");  // exchange() says why
  req.keep_alive(true);
  const std::size_t max_body = max_body_bytes.value_or(r.options.max_body_bytes);
  int retries = 0;
  const auto started = std::chrono::steady_clock::now();
  for (int attempt = 0;; ++attempt) {
    if (r.past_deadline()) return r.out_of_time(where);
    const bool reused = r.connected;
    if (!r.connected)
      if (auto s = r.connect(where); !s) return std::unexpected(s.error());
    bool retry_possible = false;
    auto res = r.exchange(req, max_body, where, retry_possible);
    // A kept-alive connection the server closed meanwhile fails before any response: once more on a new one,
    // for a GET only (a POST may have been acted on).
    if (!res && reused && retry_possible && verb == bhttp::verb::get && attempt == 0) continue;
    if (res && (res->status == 429 || res->status == 503)) {
      auto wait = retry_after(*res);
      // A wait that would end past the deadline is not begun: the command stops there.
      if (wait && r.options.deadline && std::chrono::steady_clock::now() + *wait >= *r.options.deadline)
        return r.out_of_time(where);
      // The waits add up to max_retry_wait at most; a wait is begun only while the request's time so far, with it,
      // stays within max_retry_wait and one response timeout (after it come one more connection and exchange).
      const auto so_far = std::chrono::steady_clock::now() - started;
      if (wait && r.waited + *wait <= r.options.max_retry_wait &&
          so_far + *wait <= r.options.max_retry_wait + r.options.response_timeout && retries < kMaxRetries) {
        r.waited += *wait;
        ++retries;
        if (r.options.on_wait)
          r.options.on_wait(fmt::format("{}: status {}, the server asks to wait {} s; waiting", where, res->status,
                                        wait->count()));
        std::this_thread::sleep_for(*wait);
        attempt = -1;
        continue;
      }
    }
    return res;
  }
}

}  // namespace antq::cli
