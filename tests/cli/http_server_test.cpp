// cli/http_server.cpp: whom a connection's TLS handshakes count against — an IPv6 host by its /64, which is what one
// host is given, so that its addresses do not each get the limit; which of a browser's requests another site made.
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

TEST_CASE("cross_site_refusal: another site's page is refused, the service's own and a link clicked are not",
          "[http]") {
  const std::string_view host = "antq.example:8443";
  auto refused = [&](BrowserSays r) {
    r.host = host;
    return cross_site_refusal(r, true).has_value();
  };
  // curl, mirrors, antq: none of the browser's headers.
  CHECK_FALSE(refused({.method = "GET"}));
  CHECK_FALSE(refused({.method = "POST"}));
  // The desk's own pages and requests; an address typed or a bookmark (none).
  CHECK_FALSE(refused({.method = "GET", .site = "same-origin", .mode = "cors", .dest = "empty"}));
  CHECK_FALSE(
      refused({.method = "POST", .origin = "https://antq.example:8443", .site = "same-origin", .mode = "cors"}));
  CHECK_FALSE(refused({.method = "GET", .site = "none", .mode = "navigate", .dest = "document"}));
  // A link the user clicked on another site's page opens the page where the user sees it; a script moving a window
  // there (no user activation: no Sec-Fetch-User) does not.
  CHECK_FALSE(refused({.method = "GET", .site = "cross-site", .mode = "navigate", .dest = "document", .user = "?1"}));
  CHECK_FALSE(refused({.method = "HEAD", .site = "same-site", .mode = "navigate", .dest = "document", .user = "?1"}));
  CHECK(refused({.method = "GET", .site = "cross-site", .mode = "navigate", .dest = "document"}));
  CHECK(refused({.method = "GET", .site = "cross-site", .mode = "navigate", .dest = "document", .user = "?0"}));
  // Another site's <img>, <iframe>, fetch(), form POST (even at the top level), another port of the same host.
  CHECK(refused({.method = "GET", .site = "cross-site", .mode = "no-cors", .dest = "image"}));
  CHECK(refused({.method = "GET", .site = "cross-site", .mode = "navigate", .dest = "iframe"}));
  CHECK(refused({.method = "GET", .site = "Cross-Site", .mode = "cors", .dest = "empty"}));
  CHECK(refused({.method = "POST",
                 .origin = "https://evil.example",
                 .site = "cross-site",
                 .mode = "navigate",
                 .dest = "document",
                 .user = "?1"}));
  CHECK(refused({.method = "POST", .site = "same-site", .mode = "no-cors", .dest = "empty"}));
  CHECK(refused({.method = "GET", .site = "something-new", .mode = "cors", .dest = "empty"}));
  // An older browser without Fetch Metadata: its Origin, against the Host it was sent to.
  CHECK(refused({.method = "POST", .origin = "https://evil.example"}));
  CHECK(refused({.method = "POST", .origin = "null"}));
  CHECK(refused({.method = "POST", .origin = "http://antq.example:8443"}));
  CHECK(refused({.method = "POST", .origin = "https://antq.example"}));
  CHECK_FALSE(refused({.method = "POST", .origin = "https://ANTQ.example:8443"}));
  CHECK(cross_site_refusal({.method = "POST", .host = "127.0.0.1:8080", .origin = "http://127.0.0.1:8080"}, true));
  CHECK_FALSE(
      cross_site_refusal({.method = "POST", .host = "127.0.0.1:8080", .origin = "http://127.0.0.1:8080"}, false));
}

}  // namespace
}  // namespace antq::cli::http
