// Certificates as `antq init --trust`, `--admin`, `--chain`, `trust add-tsa` and `sign --cert` read them
// (signing::read_certificates: PEM, a DER certificate, or PKCS#12), then each one as the verifier takes it in
// (inspect_certificate, Verifier::add_root, add_intermediate, add_timestamp_authority); and the same bytes as an
// attachment, which admission scans for private key material (signing::private_key_material) before anything else.
#include <cstdlib>

#include "tests/fuzz/fuzz_support.hpp"

using namespace antq;
namespace fs = std::filesystem;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // A PKCS#12 input is opened with this password, never a prompt (the fuzzer may run at a terminal).
  ::setenv("ANTQ_KEY_PASSPHRASE", "fuzz", 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  if (auto why = signing::private_key_material(input))
    fuzz::require(!why->empty() && cli::visible(*why).find('\n') == std::string::npos,
                  "private_key_material gave an empty or multi-line reason");

  static const fs::path file = fuzz::scratch_dir() / "input.crt";
  fuzz::write_file(file, input);
  auto certificates = signing::read_certificates(file.string());
  if (!certificates) {
    fuzz::check_error(certificates.error());
    return 0;
  }
  fuzz::require(!certificates->empty(), "read_certificates gave no certificate and no error");
  signing::Verifier verifier;
  for (const Bytes& der : *certificates) {
    auto info = signing::inspect_certificate(der);
    if (!info) fuzz::check_error(info.error());
    for (auto add : {&signing::Verifier::add_root, &signing::Verifier::add_intermediate,
                     &signing::Verifier::add_timestamp_authority})
      if (auto s = (verifier.*add)(der); !s) fuzz::check_error(s.error());
  }
  return 0;
}
