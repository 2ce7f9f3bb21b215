// Certificate revocation lists, as `antq trust add-crl` reads a CRL file (signing::read_crl: PEM or DER) and the
// verifier takes one in (signing::Verifier::add_crl, against the fixed test chain of data/); then a signature of
// data/ is verified with the CRL held, so that the revocation checks run over what the CRL says.
#include "tests/fuzz/fuzz_support.hpp"

using namespace antq;
namespace fs = std::filesystem;

namespace {

// A verifier of the fixed chain takes `crl` in (or refuses it); with it held, the signatures of data/ are checked.
void add_and_verify(ByteView crl) {
  static const Bytes content = fuzz::read_file(fuzz::data_dir() / "cms-content.body");
  static const Bytes cms = fuzz::read_file(fuzz::data_dir() / "cms-content.p7s");
  static const std::vector<Bytes> signers = fuzz::certificates("signers.pem");
  signing::Verifier verifier = fuzz::fixed_verifier();
  auto added = verifier.add_crl(crl);
  if (!added) {
    fuzz::check_error(added.error());
    return;
  }
  for (const Bytes& der : signers)
    if (auto v = verifier.verify(content, cms, der); !v) fuzz::check_error(v.error());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const fs::path file = fuzz::scratch_dir() / "input.crl";
  fuzz::write_file(file, ByteView(data, size));
  auto der = signing::read_crl(file.string());
  // The bytes as given (as the ledger's `crls` database would hand them over), then what read_crl made of them.
  add_and_verify(ByteView(data, size));
  if (der) add_and_verify(*der);
  else fuzz::check_error(der.error());
  return 0;
}
