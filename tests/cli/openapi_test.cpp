// cli/openapi.json describes exactly the routes cli/service.cpp serves: each route the service has is in it, and
// each path in it is served. (That every route in it answers is tests/tools/serve_test.sh's, over HTTPS.)
#include <fstream>
#include <set>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli/service.hpp"

namespace antq::cli {
namespace {

TEST_CASE("The OpenAPI document and the service's routes are the same set", "[cli][serve]") {
  std::ifstream in(std::string(ANTQ_SOURCE_DIR) + "/cli/openapi.json");
  REQUIRE(in);
  const auto doc = nlohmann::json::parse(in);
  REQUIRE(doc["openapi"].get<std::string>().starts_with("3."));
  std::set<std::string> documented;  // "GET /tile/{L}/{N}"
  for (const auto& [path, ops] : doc["paths"].items())
    for (const auto& [method, op] : ops.items()) {
      std::string m = method;
      for (char& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert(m + " " + path);
      CHECK(op.contains("x-antq-example"));
      CHECK(op.contains("responses"));
    }
  const auto served = service_routes();
  // A route ending in '/' serves every path under it (the tiles layout): the document spells those out.
  auto serves = [&](const std::string& doc_route) {
    for (const auto& r : served)
      if (r.ends_with('/') ? doc_route.starts_with(r) : doc_route == r) return true;
    return false;
  };
  for (const auto& d : documented) {
    INFO(d);
    CHECK(serves(d));
  }
  for (const auto& r : served) {
    INFO(r);
    const bool in_doc = r.ends_with('/') ? std::any_of(documented.begin(), documented.end(),
                                                       [&](const std::string& d) { return d.starts_with(r); })
                                         : documented.contains(r);
    CHECK(in_doc);
  }
}

}  // namespace
}  // namespace antq::cli
