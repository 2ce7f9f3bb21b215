// cli/http_client.cpp: a client that may only reach this machine checks the address a name resolves to, before it
// connects; a name's lookup is bounded by the client's times; an answer that is not 2xx is its status, however long
// its body.
#include "cli/http_client.hpp"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

// The system's name lookup as this test program sees it: a name under slow-lookup.test (RFC 6761's .test: never a
// real name) takes 20 s to find no address, as when the resolver's servers do not answer; any other name is the C
// library's lookup.
extern "C" int getaddrinfo(const char* node, const char* service, const addrinfo* hints, addrinfo** res) {
  if (node && std::string_view(node).ends_with(".slow-lookup.test")) {
    std::this_thread::sleep_for(std::chrono::seconds(20));
    return EAI_AGAIN;
  }
  using Lookup = int (*)(const char*, const char*, const addrinfo*, addrinfo**);
  static const auto libc = reinterpret_cast<Lookup>(::dlsym(RTLD_NEXT, "getaddrinfo"));
  return libc(node, service, hints, res);
}

namespace antq::cli {
namespace {

TEST_CASE("A name's lookup that takes too long ends at the connect timeout or the deadline", "[cli][http]") {
  // GET /checkpoint of `url` with `options`: the answer, which must come within 5 s (the lookup takes 20).
  auto fetch = [](const std::string& url, const HttpOptions& options) {
    auto client = HttpClient::create(*parse_url(url), options);
    REQUIRE(client);
    const auto start = std::chrono::steady_clock::now();
    auto res = client->get("/checkpoint");
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
    REQUIRE_FALSE(res);
    return res.error();
  };
  HttpOptions short_connect;
  short_connect.connect_timeout = std::chrono::milliseconds(1000);
  auto error = fetch("http://ledger.slow-lookup.test:8443", short_connect);
  CHECK(error.kind == ErrorKind::io);
  CHECK(error.line() ==
        "GET http://ledger.slow-lookup.test:8443/checkpoint: cannot resolve ledger.slow-lookup.test: no answer "
        "within 1 s");
  HttpOptions short_command;  // the default connect timeout, 10 s; the command's time runs out first
  short_command.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  CHECK(fetch("http://ledger.slow-lookup.test:8443", short_command).line() ==
        "GET http://ledger.slow-lookup.test:8443/checkpoint: stopped: the time given for the whole command "
        "(--max-time) ran out");
  // A name that has no address says so, in the words of the system's resolver.
  HttpOptions quick;  // where no resolver answers, a lookup that ends at the timeout
  quick.connect_timeout = std::chrono::milliseconds(3000);
  CHECK_THAT(fetch("http://nothing.invalid:8443", quick).line(),
             Catch::StartsWith("GET http://nothing.invalid:8443/checkpoint: cannot resolve nothing.invalid: "));
}

TEST_CASE("loopback_only: an address that is not this machine's is refused before connecting", "[cli][http]") {
  HttpOptions options;
  options.loopback_only = true;
  options.connect_timeout = std::chrono::milliseconds(2000);
  auto url = parse_url("http://192.0.2.1:9");  // TEST-NET-1: never this machine
  REQUIRE(url);
  auto client = HttpClient::create(*url, options);
  REQUIRE(client);
  auto res = client->get("/v1/health");
  REQUIRE_FALSE(res);
  CHECK(res.error().kind == ErrorKind::bad_input);
  CHECK(res.error().line() ==
        "GET http://192.0.2.1:9/v1/health: 192.0.2.1 is not an address of this machine");
  // A loopback address is connected to (nothing listens on port 9 here: refused by the system, not by the client).
  auto local = HttpClient::create(*parse_url("http://127.0.0.1:9"), options);
  REQUIRE(local);
  auto refused = local->get("/v1/health");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == ErrorKind::io);
  CHECK_THAT(refused.error().line(), Catch::Contains("connect"));
}

// What a connection's request sent: its header, and how much of it came (the header's end not found: all of it).
std::string read_header(int conn) {
  std::string request;
  char buf[4096];
  while (request.find("\r\n\r\n") == std::string::npos) {
    const auto n = ::read(conn, buf, sizeof buf);
    if (n <= 0) break;
    request.append(buf, static_cast<std::size_t>(n));
  }
  return request;
}

void send_all(int conn, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const auto n = ::send(conn, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
}

// A server on a loopback port that hands each connection to the next of `handlers`, then closes it; by default a
// handler reads the request's header and writes an answer (raw HTTP).
class OneShotServer {
 public:
  using Handler = std::function<void(int conn)>;
  explicit OneShotServer(const std::vector<std::string>& answers) : OneShotServer(handlers_of(answers)) {}
  explicit OneShotServer(std::vector<Handler> handlers) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) == 0);
    REQUIRE(::listen(fd_, 4) == 0);
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this, handlers = std::move(handlers)] {
      for (const auto& handler : handlers) {
        const int conn = ::accept(fd_, nullptr, nullptr);
        if (conn < 0) return;
        handler(conn);
        ::close(conn);
      }
    });
  }
  ~OneShotServer() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  static std::vector<Handler> handlers_of(const std::vector<std::string>& answers) {
    std::vector<Handler> out;
    for (const auto& a : answers)
      out.push_back([a](int conn) {
        read_header(conn);
        send_all(conn, a);
      });
    return out;
  }
  int fd_ = -1;
  unsigned port_ = 0;
  std::thread thread_;
};

std::string answer(const std::string& status, const std::string& body) {
  return "HTTP/1.1 " + status + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST_CASE("an answer that is not 2xx is its status, its body read up to kMaxRefusalBody", "[cli][http]") {
  const std::string page(kMaxRefusalBody + 1, 'x');  // a CDN's large 404 page
  std::string chunked = "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) chunked += "8000\r\n" + std::string(0x8000, 'y') + "\r\n";
  chunked += "0\r\n\r\n";
  OneShotServer server(
      {answer("404 Not Found", page), chunked, answer("404 Not Found", "not here"), answer("200 OK", page)});
  auto client = HttpClient::create(*parse_url(server.url()), {});
  REQUIRE(client);
  for (int i = 0; i < 2; ++i) {  // its length said first, then chunked
    auto res = client->get("/tile/0/000.p/7", 16);
    REQUIRE(res);
    CHECK(res->status == 404);
    CHECK(res->body_unread);
    CHECK(res->body.empty());
  }
  auto small = client->get("/tile/0/000.p/7", 16);
  REQUIRE(small);
  CHECK(small->status == 404);
  CHECK_FALSE(small->body_unread);
  CHECK(small->body == "not here");
  // A 2xx answer over the request's cap is an error: what was asked for is not all there.
  auto big = client->get("/checkpoint", 16);
  REQUIRE_FALSE(big);
  CHECK(big.error().kind == ErrorKind::bad_input);
  CHECK_THAT(big.error().line(), Catch::Contains("the response is larger than 16 bytes"));
}

TEST_CASE("A large body waits for 100 Continue: a refusal from the header is read and waited out", "[cli][http]") {
  // 8 MiB: more than the sockets hold, so that a body written at once would meet the server's reset instead of its
  // answer. The server refuses the first request from its header and closes without reading the body, as antq
  // serve does past a client's share of the bodies in flight; the second it takes.
  const std::string body(8u << 20, 'b');
  std::string first, second;
  std::size_t received = 0;
  OneShotServer server(std::vector<OneShotServer::Handler>{
      [&](int conn) {
        first = read_header(conn);
        send_all(conn,
                 "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 4\r\n"
                 "Connection: close\r\n\r\nbusy");
      },
      [&](int conn) {
        second = read_header(conn);
        send_all(conn, "HTTP/1.1 100 Continue\r\n\r\n");
        received = second.size() - second.find("\r\n\r\n") - 4;
        char buf[65536];
        while (received < body.size()) {
          const auto n = ::read(conn, buf, sizeof buf);
          if (n <= 0) break;
          received += static_cast<std::size_t>(n);
        }
        send_all(conn, answer("200 OK", "taken"));
      }});
  auto client = HttpClient::create(*parse_url(server.url()), {});
  REQUIRE(client);
  auto res = client->request("POST", "/v1/reconcile", {{"Content-Type", "text/csv"}}, body);
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body == "taken");
  CHECK(received == body.size());
  CHECK_THAT(first, Catch::Contains("Expect: 100-continue"));
  CHECK(first.ends_with("\r\n\r\n"));  // the header alone: no byte of the body before the answer
  // A small body is sent with its header, without waiting.
  std::string seen;
  OneShotServer small(std::vector<OneShotServer::Handler>{[&](int conn) {
    seen = read_header(conn);
    send_all(conn, answer("200 OK", "ok"));
  }});
  auto quick = HttpClient::create(*parse_url(small.url()), {});
  REQUIRE(quick);
  auto ok = quick->request("POST", "/v1/acts", {}, std::string(1000, 'a'));
  REQUIRE(ok);
  CHECK(ok->status == 200);
  CHECK_THAT(seen, !Catch::Contains("Expect"));
}

TEST_CASE("A server slow to say \"wait\" holds a request for the retry budget and one timeout at most", "[cli][http]") {
  // Each answer takes 1.2 s, then asks to wait 1 s. The waits (2 s allowed) would allow a third try; the request's
  // time would not: 1.2 + 1 + 1.2 s so far, and a wait past 2 s + one response timeout (1.5 s) is not begun.
  std::atomic<int> answered = 0;
  std::vector<OneShotServer::Handler> slow(3, [&](int conn) {
    read_header(conn);
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    ++answered;
    send_all(conn, "HTTP/1.1 503 Busy\r\nRetry-After: 1\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy");
  });
  OneShotServer server(std::move(slow));
  HttpOptions options;
  options.response_timeout = std::chrono::milliseconds(1500);
  options.max_retry_wait = std::chrono::seconds(2);
  auto client = HttpClient::create(*parse_url(server.url()), options);
  REQUIRE(client);
  auto res = client->get("/v1/health");
  REQUIRE(res);
  CHECK(res->status == 503);
  CHECK(answered == 2);
}

}  // namespace
}  // namespace antq::cli
