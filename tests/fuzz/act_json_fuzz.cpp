// Act JSON (acts.md), as `antq sign` and `antq record` read it: ledger::parse_act.
//
// Besides "an error or an act": an act that parse_act accepts has a body (encode_body) that decode_body accepts as
// the same act, and it prints as JSON (act_to_json, as `antq show` prints it).
#include "ledger/act.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace antq;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Attachment paths are read relative to an empty directory of the run's own.
  auto input = ledger::parse_act(fuzz::text(data, size), "act.json", fuzz::scratch_dir());
  if (!input) {
    fuzz::check_error(input.error());
    return 0;
  }
  const Bytes body = ledger::encode_body(input->act);
  fuzz::require(ledger::is_body_of(input->act, body), "is_body_of disowns encode_body's bytes");
  auto decoded = ledger::decode_body(body);
  if (!decoded) fuzz::broken("decode_body refuses the body of an accepted act: " + decoded.error().line());
  fuzz::require(ledger::encode_body(*decoded) == body, "the decoded act encodes to other bytes");
  fuzz::require(ledger::act_to_json(*decoded) == ledger::act_to_json(input->act), "the decoded act differs");
  (void)ledger::act_to_json(input->act).dump();
  return 0;
}
