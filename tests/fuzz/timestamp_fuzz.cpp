// RFC 3161 time-stamp responses, as `antq timestamp add` reads what a time-stamp authority answered:
// signing::add_timestamp on the fixed signature data/cms-content.p7s, then the stamped signature verified
// (signing::Verifier::verify) with the authority of data/timestamp-authorities.pem trusted, as admission does.
//
// Besides "an error or a stamped signature": a stamped signature that verifies counts the token's time only when
// the token verified, and is still the fixed signer's.
#include "tests/fuzz/fuzz_support.hpp"

using namespace antq;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Bytes content = fuzz::read_file(fuzz::data_dir() / "cms-content.body");
  static const Bytes cms = fuzz::read_file(fuzz::data_dir() / "cms-content.p7s");
  static const std::vector<Bytes> signers = fuzz::certificates("signers.pem");
  auto stamped = signing::add_timestamp(cms, ByteView(data, size));
  if (!stamped) {
    fuzz::check_error(stamped.error());
    return 0;
  }
  const signing::Verifier verifier = fuzz::fixed_verifier();
  for (const Bytes& der : signers) {
    auto v = verifier.verify(content, *stamped, der);
    if (!v) {
      fuzz::check_error(v.error());
      continue;
    }
    fuzz::require(v->signer == sha256(der), "verify names another signer than the one it was given");
    fuzz::require(v->timestamp_authority.has_value() || v->signing_time == v->claimed_signing_time,
                  "a signing time other than the claimed one without a verified token");
  }
  return 0;
}
