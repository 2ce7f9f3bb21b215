// cli/http_server.cpp: whom a connection's TLS handshakes count against — an IPv6 host by its /64, which is what one
// host is given, so that its addresses do not each get the limit.
#include "cli/http_server.hpp"

#include <catch2/catch.hpp>

namespace antq::cli::http {
namespace {

TEST_CASE("handshake_origin: an IPv4 address as it is, an IPv6 one by its /64", "[http]") {
  CHECK(handshake_origin("127.0.0.1") == "127.0.0.1");
  CHECK(handshake_origin("203.0.113.7") == "203.0.113.7");
  CHECK(handshake_origin("::ffff:203.0.113.7") == "203.0.113.7");
  CHECK(handshake_origin("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64");
  CHECK(handshake_origin("2001:db8:1:2::1") == handshake_origin("2001:db8:1:2:ffff::9"));
  CHECK(handshake_origin("2001:db8:1:3::1") != handshake_origin("2001:db8:1:2::1"));
  CHECK(handshake_origin("::1") == "::/64");
  CHECK(handshake_origin("?") == "?");
}

}  // namespace
}  // namespace antq::cli::http
