// The HTTP/1.1 server of antq serve, on Boost.Asio and Boost.Beast (their types stay in http_server.cpp): TLS with
// client certificates (or plain HTTP on loopback), the limits that keep a slow or hostile client from holding the
// service, one log line per request, and a drain on SIGTERM/SIGINT. What a request means is the Handler's business
// (cli/service.cpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cli/http.hpp"
#include "signing/result.hpp"

namespace antq::cli::http {

struct Limits {
  std::size_t max_body = 64u << 20;     // bytes of a request's body (a signed event carries its attachments)
  std::size_t max_header = 16u << 10;   // bytes of a request's start line and headers
  unsigned max_connections = 1024;      // open at once; more are closed as they arrive
  unsigned max_client_connections = 64; // open at once by one client certificate (or one address over plain HTTP)
  double client_rate = 200;             // requests per second of one client, on average...
  double client_burst = 400;            // ...and at most this many at once
  std::chrono::seconds handshake{10};   // to finish the TLS handshake
  std::chrono::seconds header{10};      // to send a request's header, once it began
  std::chrono::seconds body{60};        // to send its body; to read the answer
  std::chrono::seconds idle{30};        // between two requests of a keep-alive connection
  std::chrono::seconds drain{30};       // after SIGTERM, for the requests in flight to finish
  unsigned max_handshakes_per_address = 32;       // TLS handshakes under way at once from one address (IPv6: /64)
  std::size_t max_bodies_in_flight = 256u << 20;  // bytes of request bodies received or being answered, all clients
};

// One line of the request log.
struct LogLine {
  std::string time;         // RFC 3339, UTC
  std::string fingerprint;  // of the client certificate, hex; "-" without one
  std::string subject;      // its subject, RFC 2253
  std::string address;
  std::string method, target;
  int status = 0;           // 0: no answer (a failed handshake, a connection closed early)
  std::size_t bytes = 0;    // of the answer's body
  double milliseconds = 0;  // from the request's header to the answer written
  std::string note;         // why a connection ended without an answer
};
using Logger = std::function<void(const LogLine&)>;

// Whom the TLS handshakes of a connection from `address` count against (Limits::max_handshakes_per_address): an
// IPv4 address as it is (an IPv4-mapped IPv6 one as its IPv4 address), an IPv6 one as its /64 ("2001:db8::/64"):
// one host is given a whole /64, and counted by address it could open the limit 2^64 times over.
std::string handshake_origin(const std::string& address);

// What a browser says of where a request comes from (RFC 6454's Origin, W3C Fetch Metadata's Sec-Fetch-*), as sent
// ("" when absent), with the request's method and Host. curl, mirrors and antq send none of them.
struct BrowserSays {
  std::string_view method = {}, host = {}, origin = {}, site = {}, mode = {}, dest = {}, user = {};
};
// Why a request is refused from its header as made by another site's page (nullopt when it is not). A browser sends
// the user's client certificate with any page's requests: another site's <img>, <form> or fetch() would have its
// reads entered in the access history as the user's, and a clerk's browser submit an act it holds. Refused when
// Sec-Fetch-Site is neither same-origin nor none or, without it (an older browser), when Origin is not the service's
// own (`tls`: https://HOST, else http://HOST); let through: a page the user opened at the top level (GET or HEAD,
// navigate, document, Sec-Fetch-User ?1: a link clicked; a page's script moving a window elsewhere has no ?1).
std::optional<i18n::Text> cross_site_refusal(const BrowserSays& r, bool tls);

class Server {
 public:
  // Binds `host`:`port` (a numeric address or "localhost"; port 0 lets the system choose). Plain HTTP (tls false)
  // only on a loopback address: bad_input otherwise.
  static Result<std::unique_ptr<Server>> listen(const std::string& host, std::uint16_t port, bool tls,
                                                const Limits& limits, Handler handler, Logger logger);
  ~Server();
  // The OpenSSL SSL_CTX of the TLS connections, for signing::TlsServerPolicy::configure before run(); null when plain.
  void* tls_context();
  std::uint16_t port() const;
  // Serves on `threads` threads until stop() (or SIGTERM/SIGINT), then drains: accepts no more connections, answers
  // the requests in flight (with Connection: close), closes idle connections, and returns when the last connection
  // has closed or Limits::drain has passed. `on_drain` is called when the drain begins.
  void run(unsigned threads, const std::function<void()>& on_drain);
  // After run(): writes the answers given since it returned (a drain cut short by Limits::drain while submissions
  // were being committed), running the connections' work again for at most `limit`.
  void deliver(std::chrono::seconds limit);
  // Begins the drain, from any thread.
  void stop();

  struct Rep;

 private:
  explicit Server(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
  std::function<void()> stop_;  // set by run()
};

}  // namespace antq::cli::http
