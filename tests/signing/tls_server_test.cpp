// signing/tls_server.cpp: the client-certificate policy, judged by handshakes in memory (OpenSSL's BIO pair).
#include "signing/tls_server.hpp"

#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "signing/openssl_util.hpp"
#include "signing_test_support.hpp"

namespace antq::signing {
using namespace test;

namespace {

using SslCtxPtr = UniqueSsl<SSL_CTX, SSL_CTX_free>;
using SslPtr = UniqueSsl<SSL, SSL_free>;

// A server context configured with `settings`, and its policy (which must outlive it).
struct Server {
  std::unique_ptr<TlsServerPolicy> policy;
  SslCtxPtr ctx;
  explicit Server(const TlsServerSettings& settings) : ctx(SSL_CTX_new(TLS_server_method())) {
    REQUIRE(ctx);
    auto configured = TlsServerPolicy::configure(ctx.get(), settings);
    if (!configured) FAIL(configured.error().line());
    policy = std::move(*configured);
  }
};

// A handshake between the server `server_ctx` and a client presenting `client` (and the certificates
// `sent` after it), over memory: the server's refusal ("" when it accepted the client). With `server_root`, the client
// checks the server's chain against that root alone (the server must send its intermediates).
std::string handshake(SSL_CTX* server_ctx, const IssuedCertificate& client, const std::vector<Bytes>& sent = {},
                      const Bytes* server_root = nullptr) {
  SslCtxPtr client_ctx(SSL_CTX_new(TLS_client_method()));
  REQUIRE(client_ctx);
  X509Ptr cert = x509_from_der(client.certificate_der);
  BioPtr key_bio = memory_bio(as_bytes(client.private_key_pem));
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  REQUIRE((cert && key));
  REQUIRE(SSL_CTX_use_certificate(client_ctx.get(), cert.get()) == 1);
  REQUIRE(SSL_CTX_use_PrivateKey(client_ctx.get(), key.get()) == 1);
  for (const Bytes& der : sent) {
    X509Ptr c = x509_from_der(der);
    REQUIRE((c && SSL_CTX_add1_chain_cert(client_ctx.get(), c.get()) == 1));
  }
  if (server_root != nullptr) {
    X509Ptr root = x509_from_der(*server_root);
    REQUIRE((root && X509_STORE_add_cert(SSL_CTX_get_cert_store(client_ctx.get()), root.get()) == 1));
    SSL_CTX_set_verify(client_ctx.get(), SSL_VERIFY_PEER, nullptr);
  } else {
    SSL_CTX_set_verify(client_ctx.get(), SSL_VERIFY_NONE, nullptr);  // the server's certificate is not under test
  }

  SslPtr server(SSL_new(server_ctx)), client_ssl(SSL_new(client_ctx.get()));
  REQUIRE((server && client_ssl));
  BIO *server_end = nullptr, *client_end = nullptr;
  REQUIRE(BIO_new_bio_pair(&server_end, 0, &client_end, 0) == 1);
  SSL_set_bio(server.get(), server_end, server_end);
  SSL_set_bio(client_ssl.get(), client_end, client_end);
  SSL_set_accept_state(server.get());
  SSL_set_connect_state(client_ssl.get());
  // Each side in turn until both are done or one fails (TLS 1.3: the server judges the client's certificate in its
  // last flight, which the client's SSL_do_handshake has already counted as sent).
  bool server_done = false, client_done = false;
  for (int round = 0; round < 20 && !(server_done && client_done); ++round) {
    if (!client_done) {
      const int r = SSL_do_handshake(client_ssl.get());
      if (r == 1)
        client_done = true;
      else if (SSL_get_error(client_ssl.get(), r) != SSL_ERROR_WANT_READ)
        break;
    }
    if (!server_done) {
      const int r = SSL_do_handshake(server.get());
      if (r == 1)
        server_done = true;
      else if (SSL_get_error(server.get(), r) != SSL_ERROR_WANT_READ)
        break;
    }
  }
  std::string refusal = certificate_refusal(server.get());
  clear_ssl_errors();
  if (refusal.empty() && !server_done) refusal = "the handshake did not complete";
  return refusal;
}

// The same with a server configured with `settings`.
std::string handshake(const TlsServerSettings& settings, const IssuedCertificate& client,
                      const std::vector<Bytes>& sent = {}, const Bytes* server_root = nullptr) {
  Server server(settings);
  return handshake(server.ctx.get(), client, sent, server_root);
}

// The server's side of the handshakes below: a provincial CA under the shared root, the service's certificate
// (under the root, or under the provincial CA) and key, and settings that trust the root alone.
struct Service {
  static CertificateRequest ca_request(const std::string& name) {
    CertificateRequest r = request(name);
    r.is_ca = true;
    return r;
  }
  static CertificateRequest server_request() {
    CertificateRequest r = valid(request("service"), now() - 3600, now() + 86400);
    r.tls_server_names = {"DNS:localhost"};
    return r;
  }
  // A clerk's certificate under `issuer`, valid now.
  static IssuedCertificate clerk(const IssuedCertificate& issuer) {
    return issue(valid(request("Ward clerk"), now() - 3600, now() + 86400), &issuer);
  }
  explicit Service(bool server_under_ca = false)
      : server_cert(issue(server_request(), server_under_ca ? &intermediate : &p.root)),
        server_key(key_of(dir, server_cert, "server.key")) {
    settings.certificate_chain = {server_cert.certificate_der};
    settings.key = &server_key;
    settings.roots = {p.root.certificate_der};
  }
  Service(const Service&) = delete;  // settings.key points into it

  TempDir dir;
  const Pki& p = pki();
  CertificateRequest ca = ca_request("Provincial CA");
  IssuedCertificate intermediate = issue(ca, &p.root);
  IssuedCertificate server_cert;
  PrivateKey server_key;
  TlsServerSettings settings;
};

}  // namespace

TEST_CASE("the service's handshake builds client chains only from intermediates that chain to a root",
          "[signing][tls]") {
  Service service;
  TlsServerSettings& settings = service.settings;
  const IssuedCertificate& intermediate = service.intermediate;
  auto client = Service::clerk(intermediate);
  // The intermediate's name and key under a root of the trusted root's name and another key: OpenSSL would take it
  // for the issuer of the clerk's certificate, and the chain would then end at that root.
  auto forged_root = root_ca();
  CertificateRequest copy = service.ca;
  copy.key_pem = intermediate.private_key_pem;
  auto forged = issue(copy, &forged_root);

  CHECK(handshake(settings, client) == "unable to get local issuer certificate");  // no intermediate known
  for (const bool forged_first : {true, false}) {
    INFO("forged first: " << forged_first);
    settings.intermediates = forged_first ? std::vector{forged.certificate_der, intermediate.certificate_der}
                                          : std::vector{intermediate.certificate_der, forged.certificate_der};
    CHECK(handshake(settings, client).empty());
  }
  settings.intermediates = {forged.certificate_der};
  CHECK_FALSE(handshake(settings, client).empty());
}

TEST_CASE("the service's handshake builds a client's chain again without an issuer that fails", "[tls]") {
  Service service;
  TlsServerSettings& settings = service.settings;
  const IssuedCertificate& intermediate = service.intermediate;
  // The provincial CA re-keyed (its name, another key), and the ward's CA issued by the new key without an
  // authorityKeyIdentifier: OpenSSL takes the old key's certificate for its issuer first.
  auto rekeyed = issue(service.ca, &service.p.root);
  CertificateRequest ward = Service::ca_request("Ward CA");
  auto ward_ca = issue(ward, &rekeyed);
  ward_ca.certificate_der = without_authority_key_id(ward_ca.certificate_der, rekeyed);
  auto client = Service::clerk(ward_ca);
  // A bridge CA that has expired, and a cross-certificate of the ward's CA (its name and key) it issued, valid now
  // and held first: OpenSSL takes it for the clerk's issuer, then finds the bridge expired.
  CertificateRequest bridge_request = valid(request("Bridge CA"), at("2015-01-01"), at("2018-01-01"));
  bridge_request.is_ca = true;
  auto bridge = issue(bridge_request, &service.p.root);
  CertificateRequest cross_request = valid(ward, at("2015-01-01"), now() + 86400);
  cross_request.key_pem = ward_ca.private_key_pem;
  auto cross = issue(cross_request, &bridge);

  settings.intermediates = {intermediate.certificate_der, rekeyed.certificate_der, bridge.certificate_der,
                            cross.certificate_der, ward_ca.certificate_der};
  CHECK(handshake(settings, client).empty());
  // Without the re-keyed CA's certificate, the cross-certificate is all there is: refused for the bridge's expiry.
  settings.intermediates = {intermediate.certificate_der, bridge.certificate_der, cross.certificate_der,
                            ward_ca.certificate_der};
  CHECK(handshake(settings, client) == "certificate has expired");
}

TEST_CASE("the service's handshake: revocations, what the client sends, and the server's own chain", "[tls]") {
  Service service(true);  // the server's certificate under the intermediate, given alone (--cert without its chain)
  TlsServerSettings& settings = service.settings;
  const IssuedCertificate& intermediate = service.intermediate;
  const Pki& p = service.p;
  auto client = Service::clerk(intermediate);

  // The intermediate sent by the client, none held: accepted. Held: the server sends it with its own certificate.
  CHECK_FALSE(handshake(settings, client).empty());
  CHECK(handshake(settings, client, {intermediate.certificate_der}).empty());
  settings.intermediates = {intermediate.certificate_der};
  CHECK(handshake(settings, client, {}, &p.root.certificate_der).empty());

  // The clerk's certificate revoked by a CRL the ledger holds.
  auto revokes_client = issue_crl(intermediate, {{client.certificate_der, now() - 60}}, now() - 30);
  REQUIRE(revokes_client);
  settings.crls = {*revokes_client};
  CHECK(handshake(settings, client) == "certificate revoked");
  // The intermediate's certificate revoked by the root: no other certificate of its name and key (a renewal the
  // client sends, or one held) opens the way again.
  CertificateRequest renewal_request = service.ca;
  renewal_request.key_pem = intermediate.private_key_pem;
  auto renewal = issue(renewal_request, &p.root);
  auto revokes_intermediate = issue_crl(p.root, {{intermediate.certificate_der, now() - 60}}, now() - 30);
  REQUIRE(revokes_intermediate);
  settings.crls = {*revokes_intermediate};
  CHECK(handshake(settings, client, {renewal.certificate_der}) == "certificate revoked");
  settings.intermediates = {intermediate.certificate_der, renewal.certificate_der};
  CHECK(handshake(settings, client) == "certificate revoked");
}

TEST_CASE("the service's handshake: a CRL counts when the client's issuer signed it, and from when it is added",
          "[tls]") {
  Service service;
  TlsServerSettings& settings = service.settings;
  const IssuedCertificate& intermediate = service.intermediate;
  auto client = Service::clerk(intermediate);
  auto revokes_client = issue_crl(intermediate, {{client.certificate_der, now() - 60}}, now() - 30);
  REQUIRE(revokes_client);

  // The intermediate not held (the client sends it): the CRL's signature is checked at the handshake.
  settings.crls = {*revokes_client};
  CHECK(handshake(settings, client, {intermediate.certificate_der}) == "certificate revoked");

  // A CRL in the intermediate's name, signed by another CA of that name (held, and chaining to the root): it revokes
  // nothing the intermediate issued.
  auto namesake = issue(service.ca, &service.p.root);
  auto forged = issue_crl(namesake, {{client.certificate_der, now() - 60}}, now() - 30);
  REQUIRE(forged);
  settings.intermediates = {intermediate.certificate_der, namesake.certificate_der};
  settings.crls = {*forged};
  CHECK(handshake(settings, client).empty());

  // Added while the server runs: the handshakes after it refuse the client.
  Server server(settings);
  CHECK(handshake(server.ctx.get(), client).empty());
  REQUIRE(server.policy->add_crl(*revokes_client));
  CHECK(handshake(server.ctx.get(), client) == "certificate revoked");
  CHECK_FALSE(server.policy->add_crl(as_bytes("not a CRL")));
}

}  // namespace antq::signing
