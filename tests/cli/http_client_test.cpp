// cli/http_client.cpp: a client that may only reach this machine checks the address a name resolves to, before it
// connects; an answer that is not 2xx is its status, however long its body.
#include "cli/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

namespace antq::cli {
namespace {

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

// A server on a loopback port that reads one request per connection and writes the next of `answers` (raw HTTP),
// then closes the connection.
class OneShotServer {
 public:
  explicit OneShotServer(std::vector<std::string> answers) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) == 0);
    REQUIRE(::listen(fd_, 4) == 0);
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this, answers = std::move(answers)] {
      for (const auto& answer : answers) {
        const int conn = ::accept(fd_, nullptr, nullptr);
        if (conn < 0) return;
        std::string request;
        char buf[4096];
        while (request.find("\r\n\r\n") == std::string::npos) {
          const auto n = ::read(conn, buf, sizeof buf);
          if (n <= 0) break;
          request.append(buf, static_cast<std::size_t>(n));
        }
        std::size_t sent = 0;
        while (sent < answer.size()) {
          const auto n = ::send(conn, answer.data() + sent, answer.size() - sent, MSG_NOSIGNAL);
          if (n <= 0) break;
          sent += static_cast<std::size_t>(n);
        }
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

}  // namespace
}  // namespace antq::cli
