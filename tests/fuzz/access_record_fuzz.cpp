// Records of the access history (ledger/access_log.hpp, FORMAT.md §12), as antq verify and antq access-log read them
// from DIR/access/data.mdb: ledger::decode_access_record. Besides "an error or a record": a record decoded is one
// check_access_record accepts, and its encoding is exactly the input (a record has one form).
#include "ledger/access_log.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace antq;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = fuzz::text(data, size);
  auto record = ledger::decode_access_record(input);
  if (!record) {
    fuzz::check_error(record.error());
    return 0;
  }
  fuzz::require(bool(ledger::check_access_record(*record)), "a decoded record fails check_access_record");
  fuzz::require(ledger::encode_access_record(*record) == input, "a decoded record encodes to other bytes");
  return 0;
}
