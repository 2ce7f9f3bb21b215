// Signatures inside PDF attachments, as admission and verify find and check them: signing::pdf_signatures, then
// signing::verify_pdf against the fixed test chain (data/).
//
// Besides "an error or signatures": every signature found lies inside the file, and verify_pdf verifies exactly
// the signatures pdf_signatures finds.
#include "tests/fuzz/fuzz_support.hpp"

using namespace antq;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView pdf(data, size);
  auto found = signing::pdf_signatures(pdf);
  if (!found) {
    fuzz::check_error(found.error());
    return 0;
  }
  for (const auto& s : *found) {
    const auto [a, b, c, d] = s.byte_range;
    fuzz::require(a == 0 && b < c && c <= size && d <= size - c, "a signature's /ByteRange leaves the file");
    fuzz::require(signing::pdf_covered_bytes(pdf, s).size() == b + d, "the covered bytes are not b + d bytes");
  }
  const signing::Verifier verifier = fuzz::fixed_verifier();
  auto verified = signing::verify_pdf(pdf, verifier);
  if (!verified) fuzz::check_error(verified.error());
  else fuzz::require(verified->size() == found->size(), "verify_pdf verified other signatures than it found");
  return 0;
}
