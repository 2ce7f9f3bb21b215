// cli/http_client.cpp: a client that may only reach this machine checks the address a name resolves to, before it
// connects.
#include "cli/http_client.hpp"

#include <catch2/catch.hpp>

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

}  // namespace
}  // namespace antq::cli
