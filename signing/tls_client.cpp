// TLS client configuration (tls_client.hpp).
#include "signing/tls_client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

#include "signing/openssl_util.hpp"

namespace antq::signing {

Status configure_tls_client(void* native, const TlsClientOptions& o) {
  auto* ctx = static_cast<SSL_CTX*>(native);
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
    return bad_input(i18n::Text("cannot require TLS 1.2: {}", ssl_errors()));
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (o.server_roots.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx) != 1)
      return bad_input(i18n::Text("cannot load the system's roots: {}", ssl_errors()));
  } else {
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    for (const Bytes& der : o.server_roots) {
      const unsigned char* p = der.data();
      X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
      if (!cert || X509_STORE_add_cert(store, cert.get()) != 1)
        return bad_input(i18n::Text("a server root certificate cannot be used: {}", ssl_errors()));
    }
  }
  if (o.client_chain.empty()) return {};
  if (o.client_key == nullptr) return bad_input(i18n::Text("a client certificate without its key"));
  for (std::size_t i = 0; i < o.client_chain.size(); ++i) {
    const Bytes& der = o.client_chain[i];
    const unsigned char* p = der.data();
    X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!cert) return bad_input(i18n::Text("the client certificate is not a certificate: {}", ssl_errors()));
    if (i == 0 ? SSL_CTX_use_certificate(ctx, cert.get()) != 1
               : SSL_CTX_add1_chain_cert(ctx, cert.get()) != 1)
      return bad_input(i18n::Text("the client certificate cannot be used: {}", ssl_errors()));
  }
  if (SSL_CTX_use_PrivateKey(ctx, o.client_key->rep()->key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1)
    return bad_input(i18n::Text("the client key does not match the client certificate: {}", ssl_errors()));
  return {};
}

Status prepare_tls_connection(void* native, const std::string& host) {
  auto* ssl = static_cast<SSL*>(native);
  unsigned char addr[16];
  const bool ip = inet_pton(AF_INET, host.c_str(), addr) == 1 || inet_pton(AF_INET6, host.c_str(), addr) == 1;
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (ip) {
    if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1)
      return bad_input(i18n::Text("bad IP address {}", host));
  } else {
    if (SSL_set_tlsext_host_name(ssl, host.c_str()) != 1 || X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0) != 1)
      return bad_input(i18n::Text("bad host name {}: {}", host, ssl_errors()));
  }
  return {};
}

std::string tls_verify_failure(void* native) {
  const long result = SSL_get_verify_result(static_cast<SSL*>(native));
  if (result == X509_V_OK) return {};
  return X509_verify_cert_error_string(result);
}

}  // namespace antq::signing
