// The records of what admission verified of a signed PDF attachment (schema PdfSignatures, the `pdf_signatures` database),
// as verify and `antq show` read them: ledger::decode_pdf_signatures.
//
// Besides "an error or records": what is accepted reads back the same once written again (encode_pdf_signatures).
// (Not byte for byte: like capnp::canonicalize, the decoder keeps bits in a field's padding and fields of a later
// schema, which FORMAT.md allows outside entries.)
#include "ledger/event.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace antq;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView bytes(data, size);
  auto records = ledger::decode_pdf_signatures(bytes);
  if (!records) {
    fuzz::check_error(records.error());
    return 0;
  }
  auto again = ledger::decode_pdf_signatures(ledger::encode_pdf_signatures(*records));
  if (!again) fuzz::broken("decode_pdf_signatures refuses what encode_pdf_signatures wrote: " + again.error().line());
  fuzz::require(*again == *records, "the records read back differ");
  return 0;
}
