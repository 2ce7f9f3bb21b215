// Stored entries (schema Entry: the values of the `log` database and the records of a bundle's entries.bin), as
// verify, rebuild and verify-bundle read them: ledger::decode_entry_view and ledger::decode_entry, then the body
// they carry (decode_body).
//
// Besides "an error or an entry": the two decoders agree, and an accepted entry is canonical (encode_entry gives
// it back).
#include "ledger/act.hpp"
#include "ledger/event.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace antq;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView bytes(data, size);
  auto view = ledger::decode_entry_view(bytes);
  auto entry = ledger::decode_entry(bytes);
  fuzz::require(view.has_value() == entry.has_value(), "decode_entry and decode_entry_view disagree");
  if (!entry) {
    fuzz::check_error(entry.error());
    fuzz::require(view.error().message == entry.error().message, "the two decoders refuse for different reasons");
    return 0;
  }
  fuzz::require(view->seq == entry->seq && view->recorded_at == entry->recorded_at &&
                    std::ranges::equal(view->body, entry->event.body) &&
                    view->signatures.size() == entry->event.signatures.size(),
                "decode_entry_view and decode_entry read different entries");
  fuzz::require(std::ranges::equal(ledger::encode_entry(*entry), bytes),
                "decode_entry accepted bytes that encode_entry does not make");
  if (auto act = ledger::decode_body(view->body); !act) fuzz::check_error(act.error());
  return 0;
}
