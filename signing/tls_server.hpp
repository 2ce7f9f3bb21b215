// TLS for antq serve, with OpenSSL: the server's certificate and key, TLS 1.2 and later, and mutual TLS: every client
// presents a certificate that chains to the ledger's trust anchors, is valid now, and is revoked by no CRL the ledger
// holds, or the handshake fails. cli/ holds Asio's ssl::context and streams and passes their native handles here
// (as void*), so that no OpenSSL type leaves signing/.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "signing/signing.hpp"

namespace antq::signing {

struct TlsServerSettings {
  std::vector<Bytes> certificate_chain;  // DER: the server's certificate first, then the CAs a client may need
  const PrivateKey* key = nullptr;       // its private key (a PEM or PKCS#12 file, or a pkcs11: URI)
  // What a client's certificate must chain to (DER), the CAs that may come between, and the CRLs that revoke.
  std::vector<Bytes> roots, intermediates, crls;
};

// The client-certificate policy of one SSL_CTX: it must outlive the context and every connection made with it.
class TlsServerPolicy {
 public:
  // Configures `ssl_ctx` (an SSL_CTX*, e.g. boost::asio::ssl::context::native_handle()). bad_input naming what is
  // wrong: a certificate that does not match the key, a chain that does not decode, no root.
  static Result<std::unique_ptr<TlsServerPolicy>> configure(void* ssl_ctx, const TlsServerSettings& settings);
  // A CRL the ledger admitted since the server started: later handshakes refuse the certificates it revokes.
  // Thread-safe.
  Status add_crl(ByteView der);
  ~TlsServerPolicy();

  struct Rep;

 private:
  explicit TlsServerPolicy(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

// The certificate the client presented in the handshake of `ssl` (an SSL*, e.g. an Asio stream's native_handle()),
// which the handshake verified; nullopt when there is none.
struct PeerCertificate {
  Digest fingerprint{};  // SHA-256 of the DER
  std::string subject;   // RFC 2253, UTF-8
  UnixTime not_after = 0;
  Bytes der;
};
std::optional<PeerCertificate> peer_certificate(void* ssl);
// Why the handshake of `ssl` refused the client's certificate ("certificate has expired", "certificate revoked",
// "unable to get local issuer certificate"...), or empty when the certificate check did not fail.
std::string certificate_refusal(void* ssl);

}  // namespace antq::signing
