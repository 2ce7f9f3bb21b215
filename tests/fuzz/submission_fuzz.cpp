// Signed events in transit (schema Submission: what `antq sign` writes and `antq append` reads):
// ledger::decode_submission, then what append does first with each part: the body (decode_body) and each CMS
// (signing::cms_parse).
//
// Besides "an error or a submission": what is accepted reads back the same once written again (encode_submission).
// (Not byte for byte: like capnp::canonicalize, the decoder keeps bits in a field's padding and fields of a later
// schema, which FORMAT.md allows outside entries; the ledger stores the entry it encodes itself.)
#include "ledger/act.hpp"
#include "ledger/event.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace antq;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView bytes(data, size);
  auto submission = ledger::decode_submission(bytes);
  if (!submission) {
    fuzz::check_error(submission.error());
    return 0;
  }
  const Bytes written = ledger::encode_submission(*submission);
  auto again = ledger::decode_submission(written);
  if (!again) fuzz::broken("decode_submission refuses what encode_submission wrote: " + again.error().line());
  fuzz::require(ledger::encode_submission(*again) == written, "the submission read back differs");
  if (auto act = ledger::decode_body(submission->event.body); !act) fuzz::check_error(act.error());
  for (const auto& s : submission->event.signatures)
    if (auto parts = signing::cms_parse(s.cms); !parts) fuzz::check_error(parts.error());
  return 0;
}
