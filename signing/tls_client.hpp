// TLS for antq's HTTP clients (antq mirror, antq append --server): the OpenSSL side of an Asio ssl::context and
// ssl::stream that cli/ holds. cli/ passes their native_handle() as void*, so that OpenSSL stays in signing/.
#pragma once

#include <string>
#include <vector>

#include "signing/digest.hpp"
#include "signing/result.hpp"
#include "signing/signing.hpp"

namespace antq::signing {

struct TlsClientOptions {
  // The roots (DER) the server's certificate must chain to; empty: the system's default roots.
  std::vector<Bytes> server_roots;
  // The client's certificate (DER) and the chain to send after it, for mutual TLS; empty: none.
  std::vector<Bytes> client_chain;
  // Its key; must be given with client_chain and match its first certificate.
  const PrivateKey* client_key = nullptr;
};

// Configures `ssl_ctx` (an SSL_CTX*, boost::asio::ssl::context::native_handle()) for a client: TLS 1.2 or later,
// the server's certificate verified against the roots (a handshake with an unverified server fails), and the
// client certificate and key. bad_input when the key does not match the certificate or a certificate is malformed.
Status configure_tls_client(void* ssl_ctx, const TlsClientOptions& options);

// Prepares one connection (`ssl`: an SSL*, the ssl::stream's native_handle()) to `host`: SNI (unless `host` is an
// IP address) and the check that the server's certificate names `host` (DNS name or IP address).
Status prepare_tls_connection(void* ssl, const std::string& host);

// Why the last handshake on `ssl` failed, when the server's certificate did not verify ("certificate has expired",
// "unable to get local issuer certificate"); empty otherwise.
std::string tls_verify_failure(void* ssl);

}  // namespace antq::signing
