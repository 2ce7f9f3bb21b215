// Act bodies (schema ActBody, the signed bytes of every event), as verify, rebuild and every projection read them
// from stored entries: ledger::decode_body.
//
// Besides "an error or an act": an accepted body is canonical (encode_body gives it back), and the act it holds
// survives `antq show`'s JSON and `antq sign` reading that JSON back (act_to_json, then parse_act) unchanged.
#include "ledger/act.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace antq;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView bytes(data, size);
  auto act = ledger::decode_body(bytes);
  if (!act) {
    fuzz::check_error(act.error());
    return 0;
  }
  const Bytes body = ledger::encode_body(*act);
  fuzz::require(std::ranges::equal(body, bytes), "decode_body accepted bytes that encode_body does not make");
  fuzz::require(ledger::is_body_of(*act, bytes), "is_body_of disowns an accepted body");
  const std::string json = ledger::act_to_json(*act).dump();
  auto again = ledger::parse_act(json, "shown.json", fuzz::scratch_dir());
  if (!again) fuzz::broken("parse_act refuses the JSON of an accepted body: " + again.error().line());
  fuzz::require(ledger::encode_body(again->act) == body, "the act read back from its JSON has another body");
  return 0;
}
