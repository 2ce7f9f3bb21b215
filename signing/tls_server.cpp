#include "signing/tls_server.hpp"

#include <openssl/ssl.h>

#include <algorithm>
#include <mutex>

#include "signing/openssl_util.hpp"

namespace antq::signing {

namespace {

// A CRL the ledger holds, with the CAs given (roots, intermediates) whose keys signed it: found by name and signature
// once, when it comes, so that a handshake compares public keys (X509_PUBKEY_eq: the algorithm with its parameters
// and the key, so that the key verifies alike) instead of checking its signature again.
struct ServerCrl {
  X509CrlPtr crl;
  std::vector<X509Ptr> signers;
};
using ServerCrls = std::vector<std::shared_ptr<const ServerCrl>>;

}  // namespace

struct TlsServerPolicy::Rep {
  // The roots and intermediates given: those whose keys may sign a CRL.
  X509StackPtr authorities;
  // The intermediates given, parted by whether they chain to a root (chained_intermediates); set once, then read.
  X509StackPtr chained, unchained;
  // Replaced whole by add_crl, never changed: a handshake reads the one it took without the lock.
  std::mutex mutex;
  std::shared_ptr<const ServerCrls> crls = std::make_shared<const ServerCrls>();  // guarded by mutex
};

namespace {

Result<std::shared_ptr<const ServerCrl>> server_crl(ByteView der, STACK_OF(X509) * authorities) {
  auto held = std::make_shared<ServerCrl>();
  held->crl = crl_from_der(der);
  if (!held->crl) return bad_input(i18n::Text("not a DER certificate revocation list (CRL)"));
  for (int i = 0; i < sk_X509_num(authorities); ++i) {
    X509* ca = sk_X509_value(authorities, i);
    EVP_PKEY* key = X509_get0_pubkey(ca);
    if (key != nullptr && X509_NAME_cmp(X509_CRL_get_issuer(held->crl.get()), X509_get_subject_name(ca)) == 0 &&
        X509_CRL_verify(held->crl.get(), key) == 1 && X509_up_ref(ca) == 1) {
      X509Ptr signer(ca);
      held->signers.push_back(std::move(signer));
    }
  }
  // OpenSSL sorts a CRL's entries at its first lookup, writing to it: done here, before handshakes share it.
  X509_REVOKED* entry = nullptr;
  if (UniqueSsl<ASN1_INTEGER, ASN1_INTEGER_free> serial(ASN1_INTEGER_new()); serial)
    (void)X509_CRL_get0_by_serial(held->crl.get(), &entry, serial.get());
  clear_ssl_errors();
  return held;
}

// Whether a CRL held by `policy` revokes `cert`, issued by `issuer`: a CRL counts only when `issuer` signed it
// (its name and its signature: a key found to have signed it, else its signature checked now). Absent CRLs revoke
// nothing, as at admission (signing/verifier.cpp): a CRL past its nextUpdate still names what it revoked.
bool revoked(TlsServerPolicy::Rep& policy, X509* cert, X509* issuer) {
  std::shared_ptr<const ServerCrls> crls;
  {
    std::lock_guard lock(policy.mutex);
    crls = policy.crls;
  }
  EVP_PKEY* key = X509_get0_pubkey(issuer);
  if (key == nullptr) {
    clear_ssl_errors();
    return false;
  }
  for (const auto& held : *crls) {
    if (X509_NAME_cmp(X509_CRL_get_issuer(held->crl.get()), X509_get_subject_name(issuer)) != 0) continue;
    const auto same_key = [&](const X509Ptr& ca) {
      return X509_PUBKEY_eq(X509_get_X509_PUBKEY(ca.get()), X509_get_X509_PUBKEY(issuer)) == 1;
    };
    const bool signed_by_issuer =
        std::any_of(held->signers.begin(), held->signers.end(), same_key) || X509_CRL_verify(held->crl.get(), key) == 1;
    clear_ssl_errors();
    if (!signed_by_issuer) continue;
    X509_REVOKED* entry = nullptr;
    if (X509_CRL_get0_by_cert(held->crl.get(), &entry, cert) == 1 && entry != nullptr) return true;
  }
  return false;
}

int policy_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// OpenSSL's chain check (roots, intermediates, validity now, the ssl_client purpose), then ours: no certificate of the
// chain revoked by a CRL the ledger holds.
int verify_client(int ok, X509_STORE_CTX* store) {
  if (ok != 1) return ok;
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  if (ssl == nullptr) {
    X509_STORE_CTX_set_error(store, X509_V_ERR_UNSPECIFIED);
    return 0;
  }
  auto* policy = static_cast<TlsServerPolicy::Rep*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), policy_index()));
  X509* cert = X509_STORE_CTX_get_current_cert(store);
  X509* issuer = X509_STORE_CTX_get0_current_issuer(store);
  if (policy == nullptr) {  // no CRL could be asked: refused (verify_chain sets both on every context it makes)
    X509_STORE_CTX_set_error(store, X509_V_ERR_UNSPECIFIED);
    return 0;
  }
  if (cert == nullptr || issuer == nullptr || issuer == cert) return ok;
  if (revoked(*policy, cert, issuer)) {
    X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REVOKED);
    return 0;
  }
  return ok;
}

// OpenSSL's check of a client's chain, replaced (SSL_CTX_set_cert_verify_callback) by one that builds it as
// Verifier::verify builds a signer's: from the intermediates that chain to a root, then those the client sent, then
// (when it sent any) the other intermediates held, and again without an issuer another could stand for when the
// chain fails (build_chain: OpenSSL does not try another). Each attempt has the handshake's parameters (valid now,
// the ssl_client purpose, the depth, the security level) and verify_client; the handshake gets the chain built, or
// the first attempt's error.
int verify_chain(X509_STORE_CTX* ctx, void* arg) {
  const auto* policy = static_cast<const TlsServerPolicy::Rep*>(arg);
  X509* leaf = X509_STORE_CTX_get0_cert(ctx);
  STACK_OF(X509)* sent = X509_STORE_CTX_get0_untrusted(ctx);  // the client's certificate, then any it sent
  void* ssl = X509_STORE_CTX_get_ex_data(ctx, SSL_get_ex_data_X509_STORE_CTX_idx());
  if (leaf == nullptr) {
    X509_STORE_CTX_set_error(ctx, X509_V_ERR_UNSPECIFIED);
    return 0;
  }
  bool sent_more = false;
  for (int i = 0; i < sk_X509_num(sent); ++i) sent_more = sent_more || sk_X509_value(sent, i) != leaf;
  const auto pool = [&](std::vector<X509*> excluded) {
    excluded.push_back(leaf);
    X509StackPtr out(sk_X509_new_null());
    if (!out) return out;
    push_held_except(out.get(), policy->chained.get(), excluded);
    push_held_except(out.get(), sent, excluded);
    if (sent_more) push_held_except(out.get(), policy->unchained.get(), excluded);
    return out;
  };
  int error = X509_V_ERR_UNSPECIFIED, depth = 0;
  const BuiltChain built = build_chain(
      X509_STORE_CTX_get0_store(ctx), leaf, pool,
      [&](X509_STORE_CTX* attempt) {
        X509_VERIFY_PARAM_set1(X509_STORE_CTX_get0_param(attempt), X509_STORE_CTX_get0_param(ctx));
        X509_STORE_CTX_set_ex_data(attempt, SSL_get_ex_data_X509_STORE_CTX_idx(), ssl);  // else verify_client refuses
        X509_STORE_CTX_set_verify_cb(attempt, verify_client);
      },
      [&](X509_STORE_CTX* failed) {
        error = X509_STORE_CTX_get_error(failed);
        depth = X509_STORE_CTX_get_error_depth(failed);
      });
  STACK_OF(X509)* chain = built.verified ? X509_STORE_CTX_get1_chain(built.ctx.get()) : nullptr;
  if (chain != nullptr) {
    X509_STORE_CTX_set0_verified_chain(ctx, chain);
    X509_STORE_CTX_set_error(ctx, X509_V_OK);
    return 1;
  }
  clear_ssl_errors();
  X509_STORE_CTX_set_error(ctx, error);
  X509_STORE_CTX_set_error_depth(ctx, depth);
  return 0;
}

}  // namespace

TlsServerPolicy::TlsServerPolicy(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
TlsServerPolicy::~TlsServerPolicy() = default;

Result<std::unique_ptr<TlsServerPolicy>> TlsServerPolicy::configure(void* native, const TlsServerSettings& settings) {
  auto* ctx = static_cast<SSL_CTX*>(native);
  if (settings.certificate_chain.empty()) return bad_input(i18n::Text("--cert: no certificate in the file"));
  if (settings.key == nullptr || settings.key->rep() == nullptr) return bad_input(i18n::Text("--key: no key"));
  if (settings.roots.empty())
    return bad_input(i18n::Text("the ledger holds no trust anchor to check client certificates against"));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                               SSL_OP_NO_TICKET);
  // No session is resumed: a resumed session skips the client certificate's check, so a certificate revoked (a CRL
  // the ledger took in) after a client connected would go on being accepted. Clients keep their connections open.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(ctx, 0);
  // TLS 1.2: forward-secret AEAD suites only (TLS 1.3's are all such).
  if (SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20") != 1)
    return bad_input(i18n::Text("cannot set the TLS 1.2 cipher suites: {}", ssl_errors()));

  X509Ptr leaf = x509_from_der(settings.certificate_chain[0]);
  if (!leaf) return bad_input(i18n::Text("--cert: the first certificate does not decode: {}", ssl_errors()));
  if (SSL_CTX_use_certificate(ctx, leaf.get()) != 1) return bad_input(i18n::Text("--cert: {}", ssl_errors()));
  for (std::size_t i = 1; i < settings.certificate_chain.size(); ++i) {
    X509Ptr ca = x509_from_der(settings.certificate_chain[i]);
    if (!ca) return bad_input(i18n::Text("--cert: a certificate of the chain does not decode: {}", ssl_errors()));
    if (SSL_CTX_add1_chain_cert(ctx, ca.get()) != 1) return bad_input(i18n::Text("--cert: {}", ssl_errors()));
  }
  if (SSL_CTX_use_PrivateKey(ctx, settings.key->rep()->key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1)
    return bad_input(i18n::Text("--key does not match the certificate of --cert: {}", ssl_errors()));

  // The roots, decoded once (one that does not decode cannot help a chain): the client store, the server's chain
  // store, the CRLs' possible signers and the CA names sent to clients.
  X509StackPtr roots(sk_X509_new_null());
  if (!roots) return bad_input(i18n::Text("cannot make a certificate store: {}", ssl_errors()));
  for (const Bytes& der : settings.roots)
    if (X509Ptr c = x509_from_der(der)) push_held(roots.get(), c.get());
  clear_ssl_errors();
  const auto add_roots = [&](X509_STORE* to) {
    for (int i = 0; i < sk_X509_num(roots.get()); ++i)
      if (X509_STORE_add_cert(to, sk_X509_value(roots.get(), i)) != 1) clear_ssl_errors();
  };
  // Client certificates: chains end at the roots alone (the store holds nothing else: trusted only when
  // self-signed), built through the intermediates by verify_chain.
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  add_roots(store);
  X509StackPtr offered(sk_X509_new_null());
  for (const Bytes& der : settings.intermediates)
    if (X509Ptr c = x509_from_der(der); c && offered && sk_X509_push(offered.get(), c.get()) > 0) c.release();
  // At the context's security level, at any time (each handshake checks validity now, and builds the chain again
  // without a certificate that fails then when another stands for it).
  auto parted = chained_intermediates(store, offered.get(), SSL_CTX_get_security_level(ctx));
  // The server's own chain, when --cert holds its certificate alone, is built from the roots and these (OpenSSL's
  // automatic chain: the store that checks clients holds the roots alone).
  X509StorePtr chain_store(X509_STORE_new());
  if (!chain_store) return bad_input(i18n::Text("cannot make a certificate store: {}", ssl_errors()));
  add_roots(chain_store.get());
  for (int i = 0; i < sk_X509_num(parted.chained.get()); ++i)
    if (X509_STORE_add_cert(chain_store.get(), sk_X509_value(parted.chained.get(), i)) != 1) clear_ssl_errors();
  if (SSL_CTX_set1_chain_cert_store(ctx, chain_store.get()) != 1)
    return bad_input(i18n::Text("cannot set the server's chain store: {}", ssl_errors()));
  auto rep = std::make_unique<Rep>();
  rep->chained = std::move(parted.chained);
  rep->unchained = std::move(parted.unchained);
  rep->authorities.reset(sk_X509_new_null());
  if (!rep->authorities) return bad_input(i18n::Text("cannot make a certificate store: {}", ssl_errors()));
  push_held_except(rep->authorities.get(), roots.get(), {});
  push_held_except(rep->authorities.get(), rep->chained.get(), {});
  push_held_except(rep->authorities.get(), rep->unchained.get(), {});
  auto crls = std::make_shared<ServerCrls>();
  for (const Bytes& der : settings.crls) {
    auto c = server_crl(der, rep->authorities.get());
    if (!c) return std::unexpected(c.error());
    crls->push_back(std::move(*c));
  }
  rep->crls = std::move(crls);
  std::unique_ptr<TlsServerPolicy> policy(new TlsServerPolicy(std::move(rep)));
  if (SSL_CTX_set_ex_data(ctx, policy_index(), policy->rep_.get()) != 1)
    return bad_input(i18n::Text("cannot attach the client certificate policy: {}", ssl_errors()));
  // The mode; the callback given here is never called for a client's chain (verify_chain sets it on its own).
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_client);
  SSL_CTX_set_cert_verify_callback(ctx, verify_chain, policy->rep_.get());
  SSL_CTX_set_verify_depth(ctx, 8);
  // Clients are told which CAs their certificate must chain to.
  UniqueSsl<STACK_OF(X509_NAME), detail::free_name_stack> names(sk_X509_NAME_new_null());
  for (int i = 0; names && i < sk_X509_num(roots.get()); ++i)
    if (X509_NAME* n = X509_NAME_dup(X509_get_subject_name(sk_X509_value(roots.get(), i))))
      if (sk_X509_NAME_push(names.get(), n) <= 0) X509_NAME_free(n);
  SSL_CTX_set_client_CA_list(ctx, names.release());
  return policy;
}

Status TlsServerPolicy::add_crl(ByteView der) {
  auto c = server_crl(der, rep_->authorities.get());
  if (!c) return std::unexpected(c.error());
  std::lock_guard lock(rep_->mutex);
  auto crls = std::make_shared<ServerCrls>(*rep_->crls);
  crls->push_back(std::move(*c));
  rep_->crls = std::move(crls);
  return {};
}

std::optional<PeerCertificate> peer_certificate(void* native) {
  auto* ssl = static_cast<SSL*>(native);
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr) return std::nullopt;
  unsigned char* buf = nullptr;
  int len = i2d_X509(cert, &buf);
  if (len <= 0) {
    clear_ssl_errors();
    return std::nullopt;
  }
  PeerCertificate peer;
  peer.der.assign(buf, buf + len);
  OPENSSL_free(buf);
  auto info = inspect_certificate(peer.der);
  if (!info) return std::nullopt;
  peer.fingerprint = info->fingerprint;
  peer.subject = info->subject;
  peer.not_after = info->not_after;
  return peer;
}

std::string certificate_refusal(void* native) {
  const long result = SSL_get_verify_result(static_cast<SSL*>(native));
  return result == X509_V_OK ? std::string() : X509_verify_cert_error_string(result);
}

}  // namespace antq::signing
