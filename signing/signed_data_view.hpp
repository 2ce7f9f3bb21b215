// Private to signing/: a zero-copy view of a detached CMS SignedData, read strictly from DER, for the
// verifier's fast path (OpenSSL's template decoder costs about a sixth of an ECDSA verification).
//
// The view accepts only the plain shape that OpenSSL would decode and re-encode byte for byte, so that a
// signature checked over the raw signed attributes is exactly the one OpenSSL would check over its
// re-encoding: ContentInfo id-signedData; SignedData with consistent versions, no certificates or CRLs,
// encapContentInfo id-data without content, digestAlgorithms listing the SignerInfo's digest, exactly one
// SignerInfo without unsigned attributes; signed attributes in DER order, each once with one value, of the
// kinds contentType (id-data), signingTime (UTCTime or GeneralizedTime, seconds, Z), messageDigest,
// signingCertificate, signingCertificateV2 and smimeCapabilities. Anything else yields nullopt and goes to
// the full path, which decides and explains.
#pragma once

#include <optional>

#include "signing/der.hpp"
#include "signing/signing.hpp"

namespace antq::signing {

struct SignedDataView {
  ByteView digest_algorithm_oid;     // content of the SignerInfo digestAlgorithm OID
  int signer_version = 0;            // 1: sid is IssuerAndSerialNumber; 3: SubjectKeyIdentifier
  ByteView sid;                      // content of the sid element
  ByteView signed_attributes;        // content of signedAttrs; what is signed is SET (0x31) over the same content
  ByteView signed_attributes_whole;  // the [0] element, whose length header the SET shares
  ByteView signature_algorithm;      // the whole AlgorithmIdentifier
  ByteView signature;                // content of the signature OCTET STRING
  ByteView message_digest;           // content of the messageDigest value
  UnixTime signing_time = 0;
  std::optional<ByteView> signing_certificate;     // whole value of signingCertificate (ESS v1)
  std::optional<ByteView> signing_certificate_v2;  // whole value of signingCertificateV2
};

// The view of `der`, or nullopt when it is not the plain shape described above. The view borrows `der`.
std::optional<SignedDataView> view_signed_data(ByteView der);

// DER contents of the OIDs the fast path knows.
namespace oid {
inline constexpr std::uint8_t kSignedData[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02};
inline constexpr std::uint8_t kData[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01};
inline constexpr std::uint8_t kSha256[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};
inline constexpr std::uint8_t kSha384[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02};
inline constexpr std::uint8_t kSha512[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03};
}  // namespace oid

}  // namespace antq::signing
