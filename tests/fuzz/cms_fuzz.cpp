// CMS SignedData (CAdES-BES), as admission and verify read an event's signatures: signing::cms_parse, then
// signing::Verifier::verify over the fixed content data/cms-content.body against the fixed test chain (data/, with
// its trusted time-stamp authority), both as the ledger calls it (CmsForm::ledger, the signer certificate looked up
// by its fingerprint) and as PDF verification calls it (CmsForm::document, the certificates the CMS carries);
// signing::cms_with_certificates as export calls it and signing::timestamp_request as `antq timestamp request` does.
//
// Besides "an error or a verified signature": a verified signature names the signer certificate it was given, and
// cms_parse's quicker path for DER with certificates gives the answer of cms_parse_general (OpenSSL decodes every byte).
#include <algorithm>

#include "signing/openssl_util.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace antq;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Bytes content = fuzz::read_file(fuzz::data_dir() / "cms-content.body");
  static const std::vector<Bytes> signers = fuzz::certificates("signers.pem");
  const ByteView cms(data, size);

  const signing::Verifier verifier = fuzz::fixed_verifier();
  auto parts = signing::cms_parse(cms);
  auto general = signing::cms_parse_general(cms);
  fuzz::require(parts.has_value() == general.has_value(), "cms_parse and cms_parse_general disagree on success");
  if (parts)
    fuzz::require(parts->without_certificates == general->without_certificates &&
                      parts->certificates == general->certificates && parts->signer == general->signer &&
                      parts->signing_time == general->signing_time && parts->der == general->der,
                  "cms_parse and cms_parse_general give different parts");
  else
    fuzz::require(parts.error().line() == general.error().line(), "cms_parse and cms_parse_general word it differently");
  if (!parts) {
    fuzz::check_error(parts.error());
  } else if (parts->signer) {
    auto signer = std::ranges::find_if(parts->certificates, [&](const Bytes& der) { return sha256(der) == *parts->signer; });
    fuzz::require(signer != parts->certificates.end(), "cms_parse names a signer it does not carry");
    auto v = verifier.verify(content, cms, *signer, parts->certificates, signing::Verifier::CmsForm::document);
    if (!v) fuzz::check_error(v.error());
    else fuzz::require(v->signer == *parts->signer, "verify names another signer than the one it was given");
  }
  // As the ledger verifies: the certificate comes from its store, by the fingerprint the entry names.
  for (const Bytes& der : signers) {
    auto v = verifier.verify(content, cms, der);
    if (!v) fuzz::check_error(v.error());
    else fuzz::require(v->signer == sha256(der), "verify names another signer than the one it was given");
  }
  if (auto with = signing::cms_with_certificates(cms, signers); !with) fuzz::check_error(with.error());
  if (auto request = signing::timestamp_request(cms); !request) fuzz::check_error(request.error());
  return 0;
}
