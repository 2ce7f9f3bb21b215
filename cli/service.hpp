// What antq serve answers: the routes of /v1/ and of the tlog-tiles layout, who may call each (from the ledger:
// authority.bound for submissions, access.granted for reads), and the committer that admits concurrent submissions
// one by one in arrival order and commits them together (Ledger::append_group). No HTTP library type here: the
// server (cli/http_server.hpp) hands each request over as an http::Request.
#pragma once

#include <functional>
#include <memory>

#include "cli/http.hpp"
#include "ledger/ledger.hpp"

namespace antq::cli {

struct ServiceOptions {
  std::size_t max_group = 256;               // submissions committed together at most
  std::size_t max_events_per_request = 1000; // events in one POST /v1/acts
  unsigned readers = 0;                      // threads answering reads (0: the cores, at least 2)
};

class Service {
 public:
  // Serves `ledger` (opened with the operator's key, which signs the checkpoints). Starts the committer.
  static Result<std::unique_ptr<Service>> open(std::unique_ptr<ledger::Ledger> ledger, const ServiceOptions& options);
  ~Service();  // stop()s

  // Answers `request` (any thread). `reply` is called exactly once: for a submission later, from the committer's
  // thread, once its group is durable; for GET /v1/health at once; for anything else later, from one of the readers'
  // threads (so that a long report holds a reader, never the threads that read and write the connections).
  void handle(http::Request&& request, http::Reply reply);
  // Called, on the committer's thread, with each CRL the ledger admitted (trust.crl-added): the TLS policy refuses
  // the certificates it revokes from then on.
  void on_crl_added(std::function<void(ByteView der)> fn);
  // Commits every submission queued, answers each, and stops the committer; answers every read under way and stops
  // the readers. Idempotent.
  void stop();
  const ledger::Ledger& ledger() const;

  struct Rep;

 private:
  explicit Service(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

// The routes the service answers, "METHOD path" (a path parameter as {name}), for the OpenAPI test.
std::vector<std::string> service_routes();

}  // namespace antq::cli
