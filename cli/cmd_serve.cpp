// antq serve: the ledger as an HTTPS service (cli/service.cpp answers, cli/http_server.cpp serves).
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include "cli/common.hpp"
#include "cli/display.hpp"
#include "cli/http_server.hpp"
#include "cli/operator_key.hpp"
#include "cli/service.hpp"
#include "signing/tls_server.hpp"

namespace antq::cli {
namespace {

struct ServeArgs {
  std::string dir, listen = "127.0.0.1:8443", cert, key, operator_key, log = "stderr";
  unsigned threads = 0;
  unsigned readers = 0;
  bool plain_http = false;
  http::Limits limits;
  unsigned header_timeout = 10, body_timeout = 60, idle_timeout = 30, drain_timeout = 30;
};

Result<std::pair<std::string, std::uint16_t>> host_port(const std::string& listen) {
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size())
    return bad_input(i18n::Text("--listen {}: give HOST:PORT, e.g. 0.0.0.0:8443 or [::1]:8443", listen));
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned long port = 0;
  for (char c : listen.substr(colon + 1)) {
    if (c < '0' || c > '9' || (port = port * 10 + static_cast<unsigned long>(c - '0')) > 65535)
      return bad_input(i18n::Text("--listen {}: the port is a number from 0 to 65535", listen));
  }
  return std::pair{host, static_cast<std::uint16_t>(port)};
}

// Where systemd-journald takes entries (its native protocol), as libsystemd sends them.
constexpr const char* kJournalSocket = "/run/systemd/journal/socket";

// One line per request, to stderr or to the journal (with the fields as journal fields too).
http::Logger make_logger(const std::string& where) {
  auto mutex = std::make_shared<std::mutex>();
  const bool journal = where == "journald";
  return [mutex, journal](const http::LogLine& l) {
    const std::string fp = l.fingerprint.size() > 16 ? l.fingerprint.substr(0, 16) : l.fingerprint;
    std::string line =
        l.status == 0 ? fmt::format("{} {} {} - {}", l.time, fp, visible(l.address), visible(l.note))
                      : fmt::format("{} {} \"{}\" {} {} {} {} {}B {:.1f}ms{}", l.time, fp, visible(l.subject),
                                    visible(l.address), visible(l.method), visible(l.target), l.status, l.bytes,
                                    l.milliseconds, l.note.empty() ? "" : " " + visible(l.note));
    if (journal) {
      sd_journal_send("MESSAGE=%s", line.c_str(), "PRIORITY=%d", l.status >= 500 || l.status == 0 ? 4 : 6,
                      "ANTQ_CLIENT_FINGERPRINT=%s", l.fingerprint.c_str(), "ANTQ_CLIENT_SUBJECT=%s", l.subject.c_str(),
                      "ANTQ_METHOD=%s", l.method.c_str(), "ANTQ_TARGET=%s", l.target.c_str(), "ANTQ_STATUS=%d",
                      l.status, nullptr);
      return;
    }
    line += '\n';  // one write per line: std::cerr is unbuffered
    std::lock_guard lock(*mutex);
    std::cerr << line;
  };
}

int serve(const ServeArgs& a) {
  auto where = host_port(a.listen);
  if (!where) return fail(where.error());
  if (a.log != "stderr" && a.log != "journald") return fail(bad_input(i18n::Text("--log is stderr or journald")));
  // The journal takes the request log only if it is there (libsystemd drops what it sends to a journal that is
  // not: ENOENT is success to it): say so now rather than lose every line.
  if (a.log == "journald") {
    std::error_code ec;
    int rc = std::filesystem::is_socket(kJournalSocket, ec)
                 ? sd_journal_send("MESSAGE=antq serve: starting for %s", a.dir.c_str(), "PRIORITY=6", nullptr)
                 : -ENOENT;
    if (rc < 0)
      return fail(
          io_error(i18n::Text("--log journald: the journal does not take the log ({}: {}): is "
                              "systemd-journald running? Use --log stderr",
                              kJournalSocket, std::strerror(-rc))));
  }
  if (a.limits.max_bodies_in_flight < a.limits.max_body)
    return fail(bad_input(i18n::Text("--max-bodies-in-flight {} is less than --max-body {}: no body of the largest "
                                     "size could ever be received",
                                     a.limits.max_bodies_in_flight, a.limits.max_body)));
  if (!(std::isfinite(a.limits.client_rate) && a.limits.client_rate > 0 && std::isfinite(a.limits.client_burst) &&
        a.limits.client_burst >= 1))
    return fail(bad_input(
        i18n::Text("--client-rate must be a number of requests per second above 0, and --client-burst at least 1")));
  if (!a.plain_http && (a.cert.empty() || a.key.empty()))
    return fail(
        bad_input(i18n::Text("--cert and --key are required (the server's TLS certificate and key); plain HTTP only "
                             "with --plain-http on a loopback address")));
  auto ledger = open_for_append(a.dir, a.operator_key);
  if (!ledger) return fail(ledger.error());
  std::vector<Bytes> roots = (*ledger)->trust_roots(), intermediates = (*ledger)->intermediates(), crls;
  for (auto& c : (*ledger)->crls()) crls.push_back(std::move(c.der));
  const std::uint64_t entries = (*ledger)->size();
  auto service = Service::open(std::move(*ledger), {.readers = a.readers});
  if (!service) return fail(service.error());
  Service& s = **service;
  http::Limits limits = a.limits;
  limits.header = std::chrono::seconds(a.header_timeout);
  limits.body = std::chrono::seconds(a.body_timeout);
  limits.idle = std::chrono::seconds(a.idle_timeout);
  limits.drain = std::chrono::seconds(a.drain_timeout);
  // Declared before the server, so that it outlives the TLS context that refers to it (tls_server.hpp).
  std::unique_ptr<signing::TlsServerPolicy> policy;
  auto server = http::Server::listen(where->first, where->second, !a.plain_http, limits,
                                     [&s](http::Request&& r, http::Reply reply) { s.handle(std::move(r), std::move(reply)); },
                                     make_logger(a.log));
  if (!server) return fail(server.error());
  if (!a.plain_http) {
    auto chain = signing::read_certificates(a.cert);
    if (!chain) return fail(chain.error());
    auto key = signing::PrivateKey::load(a.key);
    if (!key) return fail(key.error());
    auto p = signing::TlsServerPolicy::configure((*server)->tls_context(), {*chain, &*key, roots, intermediates, crls});
    if (!p) return fail(p.error());
    policy = std::move(*p);
    s.on_crl_added([&policy](ByteView der) { (void)policy->add_crl(der); });
  }
  const unsigned threads = a.threads ? a.threads : std::max(2u, std::thread::hardware_concurrency());
  // The operator's lines in the operator's language (the request log's lines keep one fixed form).
  const i18n::Lang lang = i18n::process_lang();
  std::cerr << i18n::trf(lang, "antq serve: {} ({} entries) on {}://{}:{} with {} threads; SIGTERM or Ctrl-C stops it",
                         visible(a.dir), entries, a.plain_http ? "http" : "https", visible(where->first),
                         (*server)->port(), threads)
            << "\n";
  sd_notifyf(0, "READY=1\nSTATUS=serving %s on port %u", a.dir.c_str(), static_cast<unsigned>((*server)->port()));
  (*server)->run(threads, [lang] {
    sd_notify(0, "STOPPING=1\nSTATUS=draining: answering the requests in flight");
    std::cerr << i18n::tr(lang, "antq serve: stopping: no new connections; answering the requests in flight") << "\n";
  });
  s.stop();                                  // commits and answers what is queued...
  (*server)->deliver(std::chrono::seconds(5));  // ...and writes those answers when the drain's deadline cut it short
  std::cerr << i18n::trf(lang, "antq serve: stopped ({} entries)", s.ledger().size()) << "\n";
  return kOk;
}

}  // namespace

void add_serve(CLI::App& app, Action& run) {
  auto a = std::make_shared<ServeArgs>();
  auto* cmd =
      app.add_subcommand("serve", N_("Serve the ledger over HTTPS: submissions from every office, reads, tiles"));
  cmd->add_option("DIR", a->dir, "The ledger")->required();
  cmd->add_option("--listen", a->listen, "HOST:PORT to listen on (default 127.0.0.1:8443; 0.0.0.0:8443 for all)");
  cmd->add_option("--cert", a->cert, "The server's TLS certificate chain (PEM, the server's first)");
  cmd->add_option("--key", a->key, "Its private key: a PEM or PKCS#12 file, or a pkcs11: URI");
  cmd->add_option("--operator-key", a->operator_key, "The operator's key, which signs checkpoints (as antq append)");
  cmd->add_option("--threads", a->threads, "Threads serving requests, 1 to 256 (default: the cores, at least 2)")
      ->check(CLI::Range(1u, 256u));
  cmd->add_option("--readers", a->readers,
                  "Threads computing the answers to reads (reports, statistics, tiles...), 1 to 256; the connections' "
                  "threads go on meanwhile (default: the cores, at least 2)")
      ->check(CLI::Range(1u, 256u));
  cmd->add_flag("--plain-http", a->plain_http, "HTTP without TLS, on a loopback address only (tests, a local proxy)");
  cmd->add_option("--log", a->log, "Where the request log goes: stderr (default) or journald")
      ->check(CLI::IsMember({"stderr", "journald"}));
  cmd->add_option("--max-body", a->limits.max_body, "Largest request body in bytes (default 64 MiB)");
  cmd->add_option("--max-header", a->limits.max_header, "Largest request header in bytes (default 16 KiB)")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 20));
  cmd->add_option("--max-connections", a->limits.max_connections,
                  "Connections open at once (default 1024); TLS handshakes under way take at most half of them")
      ->check(CLI::Range(1u, 1000000u));
  cmd->add_option("--max-client-connections", a->limits.max_client_connections,
                  "Connections open at once by one client certificate (default 64)")
      ->check(CLI::Range(1u, 1000000u));
  cmd->add_option("--max-bodies-in-flight", a->limits.max_bodies_in_flight,
                  "Bytes of request bodies held at once (received, or waiting for their answer), all clients "
                  "together; past it, 503 (default 256 MiB). One client holds at most half of it (or one --max-body "
                  "when that is more); past that, 429");
  cmd->add_option("--max-handshakes-per-address", a->limits.max_handshakes_per_address,
                  "TLS handshakes under way at once from one address (an IPv6 address: its /64); more are closed "
                  "(default 32)")
      ->check(CLI::Range(1u, 1000000u));
  cmd->add_option("--client-rate", a->limits.client_rate, "Requests per second of one client (default 200)");
  cmd->add_option("--client-burst", a->limits.client_burst, "...of which at most this many at once (default 400)");
  cmd->add_option("--header-timeout", a->header_timeout, "Seconds for a request's header to arrive (default 10)")
      ->check(CLI::Range(1u, 86400u));
  cmd->add_option("--body-timeout", a->body_timeout,
                  "Seconds for a body to arrive or an answer to be read (default 60)")
      ->check(CLI::Range(1u, 86400u));
  cmd->add_option("--idle-timeout", a->idle_timeout, "Seconds a keep-alive connection may wait (default 30)")
      ->check(CLI::Range(1u, 86400u));
  cmd->add_option("--drain-timeout", a->drain_timeout, "Seconds SIGTERM waits for requests in flight (default 30)")
      ->check(CLI::Range(1u, 86400u));
  cmd->footer(
      "Clients present a certificate that chains to the ledger's trust anchors (mutual TLS); one without a\n"
      "certificate, with an untrusted, expired or revoked one, fails the handshake. A certificate bound to a unit\n"
      "(authority.bound) may POST /v1/acts; readers are those an access.granted act names, each within its scope.\n"
      "The API is described at /v1/openapi.json; the log is served as C2SP tlog-tiles at /checkpoint and /tile/.\n"
      "Submissions are admitted one by one in arrival order and committed together (one durable LMDB commit);\n"
      "each is answered after its commit is durable. SIGTERM or SIGINT: no new connections, the requests in\n"
      "flight are answered, then antq exits 0. Under systemd, Type=notify (packaging/antq-serve.service).\n"
      "Example: antq serve ledger --listen 0.0.0.0:8443 --cert server.pem --key server.key");
  cmd->callback([a, &run] { run = [a] { return serve(*a); }; });
}

}  // namespace antq::cli
