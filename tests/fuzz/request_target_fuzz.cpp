// What antq serve makes of a request's target before any route sees it: cli/http.hpp's parse_target (path and
// query, percent-decoded) and, for the tiles layout, ledger/tiles.hpp's parse_path. Besides "no crash": a target
// that parses has a path starting with '/' and no NUL anywhere; a tiles path that parses is canonical (written
// back, it is the input).
#include "cli/http.hpp"
#include "ledger/tiles.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace antq;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = fuzz::text(data, size);
  if (auto t = cli::http::parse_target(input)) {
    fuzz::require(t->path.starts_with('/'), "a parsed target's path does not start with '/'");
    fuzz::require(t->path.find('\0') == std::string::npos, "a parsed path holds a NUL");
    for (const auto& [name, value] : t->query)
      fuzz::require(name.find('\0') == std::string::npos && value.find('\0') == std::string::npos,
                    "a parsed query holds a NUL");
    if (auto r = ledger::tiles::parse_path(std::string_view(t->path).substr(1)))
      fuzz::require(ledger::tiles::resource_path(*r) == t->path.substr(1), "a tiles path parsed is not canonical");
  }
  if (auto r = ledger::tiles::parse_path(input))
    fuzz::require(ledger::tiles::resource_path(*r) == input, "a tiles path parsed is not canonical");
  return 0;
}
