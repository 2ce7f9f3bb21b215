// The service in-process (cli/service.hpp), without HTTP: which thread answers what, and that stop() answers every
// request it was given. The HTTP side is end to end in tests/tools/serve_test.sh and serve_limits_test.sh.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>

#include "cli/operator_key.hpp"
#include "cli/service.hpp"
#include "demo.hpp"

namespace antq::test {
namespace {

// What a Reply saw: the status and the thread it was called on.
struct Answers {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::pair<int, std::thread::id>> got;

  cli::http::Reply reply() {
    return [this](cli::http::Response r) {
      std::lock_guard lock(mutex);
      got.emplace_back(r.status, std::this_thread::get_id());
      changed.notify_all();
    };
  }
  std::size_t count() {
    std::lock_guard lock(mutex);
    return got.size();
  }
};

cli::http::Request get(std::string path) {
  cli::http::Request r;
  r.method = "GET";
  r.target = path;
  r.path = std::move(path);
  return r;  // no client certificate: plain HTTP on loopback, as the routes see it
}

TEST_CASE("The service answers reads on its readers' threads, the health check at once, and every request by stop()",
          "[cli][service]") {
  CommuneDemo demo;
  auto ledger = cli::open_for_append(demo.ledger(), (demo.tmp / "pki" / "operator.key").string());
  REQUIRE(ledger);
  auto service = cli::Service::open(std::move(*ledger), {.readers = 2});
  REQUIRE(service);
  Answers answers;
  const auto caller = std::this_thread::get_id();

  (*service)->handle(get("/v1/health"), answers.reply());
  REQUIRE(answers.count() == 1);  // at once, on the calling thread
  CHECK(answers.got[0] == std::pair{200, caller});

  // Reads: handed to the readers, the caller goes on. Each is answered once, none on the caller's thread.
  constexpr std::size_t kReads = 200;
  for (std::size_t i = 0; i < kReads; ++i)
    (*service)->handle(get(i % 2 ? "/v1/openapi.json" : "/tile/0/000"), answers.reply());
  (*service)->stop();  // returns when every read handed over is answered
  REQUIRE(answers.count() == 1 + kReads);
  std::size_t ok = 0;
  for (std::size_t i = 1; i < answers.got.size(); ++i) {
    CHECK(answers.got[i].second != caller);
    if (answers.got[i].first == 200) ++ok;
  }
  CHECK(ok == kReads / 2);  // the OpenAPI document; a tile of a 14-entry log is a partial one, so /tile/0/000 is 404
}

}  // namespace
}  // namespace antq::test
