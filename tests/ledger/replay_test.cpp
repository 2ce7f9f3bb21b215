// MemoryState: the replay's state in memory, against a std::map doing the same puts.
#include <map>
#include <random>

#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "ledger/replay.hpp"

namespace antq::ledger {
namespace {

TEST_CASE("MemoryState keeps the last value put for each key and sorts as LMDB does", "[ledger][replay]") {
  MemoryState state;
  std::map<std::string, std::string, std::less<>> model;
  std::mt19937_64 random(7);
  for (int i = 0; i < 5000; ++i) {
    // Keys short enough for std::string's inline buffer and longer; a third of the puts overwrite.
    const std::uint64_t n = random() % 3000;
    const std::string key = n % 2 == 0 ? fmt::format("s/{}", n) : fmt::format("subject/a-rather-long-id-{}", n);
    std::string value = fmt::format("{{\"v\":{},\"pad\":\"{}\"}}", i, std::string(random() % 40, 'x'));
    model[key] = value;
    if (i % 2 == 0) state.put(key, std::move(value));
    else state.put(key, std::string_view(value));
  }
  REQUIRE(state.size() == model.size());
  for (const auto& [key, value] : model) REQUIRE(state.get(key) == value);
  CHECK_FALSE(state.get("s/3001").has_value());
  CHECK_FALSE(state.get("").has_value());

  const auto sorted = state.sorted();
  REQUIRE(sorted.size() == model.size());
  auto m = model.begin();
  for (const auto& [key, value] : sorted) {
    CHECK(key == m->first);
    CHECK(value == m->second);
    ++m;
  }
}

TEST_CASE("An empty MemoryState finds nothing and sorts to nothing", "[ledger][replay]") {
  MemoryState state;
  CHECK_FALSE(state.get("subject/x").has_value());
  CHECK(state.sorted().empty());
  CHECK(state.size() == 0);
  state.put("", std::string_view("empty key"));
  CHECK(state.get("") == "empty key");
}

}  // namespace
}  // namespace antq::ledger
