// What the end-to-end tests of tests/cli/ share: the commune demo they run antq on, how they count the lines of its
// output, and answers as text.
#pragma once

#include <algorithm>
#include <string>
#include <type_traits>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "cli/common.hpp"
#include "support.hpp"

namespace antq::test {

// The commune demo, built by `antq demo --commune-only` in a fresh directory: the demo PKI in DIR/pki (test keys
// only), a ledger of 14 acts of a fictional commune in DIR/ledger, its acts in DIR/acts and an exploded bundle of it
// in DIR/bundle. The full demo (with the district) has its own test.
struct CommuneDemo {
  CommuneDemo() {
    std::string out;
    INFO(out);
    REQUIRE(run(kAntq + " demo --commune-only " + quote(tmp.path()), &out) == 0);
  }
  fs::path ledger() const { return tmp / "ledger"; }
  fs::path bundle() const { return tmp / "bundle"; }
  fs::path pki(const std::string& file) const { return tmp / "pki" / file; }
  fs::path act(const std::string& file) const { return tmp / "acts" / file; }
  // KEY:CERT of the demo PKI's `who` ("chair", "office", ...), as --person and --org take them.
  std::string signer(const std::string& who) const { return quote(pki(who + ".key")) + ":" + quote(pki(who + ".crt")); }
  // The ledger's data.mdb, byte for byte: what a refused command must leave as it was.
  std::string data() const { return read_file(ledger() / "data.mdb"); }
  // `antq record LEDGER ACT` signed by the chairman and the commune's office.
  std::string record(const fs::path& ledger, const fs::path& act, const std::string& extra = "") const {
    return kAntq + " record " + quote(ledger) + " " + quote(act) + " --person " + signer("chair") + " --org " +
           signer("office") + " " + extra;
  }

  TempDir tmp;
  // The demo's operator key (a test key, beside its PKI), for the commands that append.
  OperatorKeyVariable operator_key{tmp / "pki" / "operator.key"};
};

// The lines of `output` other than warnings (a last line without a line feed counts): the demo's keys are test keys
// without passphrase, and every command that signs or appends with them says so on a line of its own first.
inline std::size_t lines_of(const std::string& output) {
  const std::string s = without_warnings(output);
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

// An answer as text, errors included (kind and message), so that answers compare with ==.
template <typename T>
std::string text_of(const Result<T>& r) {
  if (!r) return fmt::format("error {}: {}", static_cast<int>(r.error().kind), r.error().message);
  if constexpr (std::is_same_v<T, std::string>)
    return *r;
  else
    return cli::json_text(*r, 2);
}

}  // namespace antq::test
