// The service in-process (cli/service.hpp), without HTTP: which thread answers what, and that stop() answers every
// request it was given. The HTTP side is end to end in tests/tools/serve_test.sh and serve_limits_test.sh.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>

#include "cli/operator_key.hpp"
#include "cli/service.hpp"
#include "demo.hpp"
#include "signing/signing.hpp"

namespace antq::test {
namespace {

// What a Reply saw: the status and the thread it was called on, and how many requests each answer counts as.
struct Answers {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::pair<int, std::thread::id>> got;
  std::vector<std::size_t> counts_as;
  std::vector<std::string> bodies;

  cli::http::Reply reply() {
    return [this](cli::http::Response r) {
      std::lock_guard lock(mutex);
      got.emplace_back(r.status, std::this_thread::get_id());
      counts_as.push_back(r.counts_as);
      bodies.push_back(r.body);
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

// POST /v1/acts of `body` from the client certificate `fingerprint`.
cli::http::Request post_acts(std::string content_type, std::string body, const Digest& fingerprint) {
  cli::http::Request r;
  r.method = "POST";
  r.target = r.path = "/v1/acts";
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  r.client.fingerprint = fingerprint;
  return r;
}

// The fingerprint of the demo PKI's certificate of `who` ("chair", "police", ...).
Digest fingerprint_of(const CommuneDemo& demo, const std::string& who) {
  auto der = signing::read_certificates(demo.pki(who + ".crt").string());
  REQUIRE(der);
  auto info = signing::inspect_certificate((*der)[0]);
  REQUIRE(info);
  return info->fingerprint;
}

// `antq sign ACT` by the demo PKI's `who` in `role`, to `out` (adding its signature when `out` is `act` signed).
void sign_as(const CommuneDemo& demo, const fs::path& act, const std::string& who, const std::string& role,
             const fs::path& out) {
  const std::string what = act == out ? " --signed " + quote(out) : " " + quote(act);
  REQUIRE(run(kAntq + " sign" + what + " --key " + quote(demo.pki(who + ".key")) + " --cert " +
              quote(demo.pki(who + ".crt")) + " --role " + role + " -o " + quote(out)) == 0);
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

TEST_CASE("A batch of submissions counts as its events against the client's rate, admitted or refused",
          "[cli][service]") {
  CommuneDemo demo;
  // The survey plan's approval, signed again: the ledger holds it already, so each copy is refused, but each cost the
  // service its signatures' checks.
  const auto signed_act = demo.tmp / "plan.signed";
  sign_as(demo, demo.act("03-survey.plan-approved.json"), "chair", "person", signed_act);
  sign_as(demo, signed_act, "office", "organisation", signed_act);
  const std::string event = read_file(signed_act);
  auto ledger = cli::open_for_append(demo.ledger(), (demo.tmp / "pki" / "operator.key").string());
  REQUIRE(ledger);
  auto service = cli::Service::open(std::move(*ledger), {.readers = 1});
  REQUIRE(service);
  const Digest chair = fingerprint_of(demo, "chair");  // bound by authority.bound
  auto post = [&](std::string content_type, std::string body) {
    return post_acts(std::move(content_type), std::move(body), chair);
  };
  std::string batch;
  for (int copy = 0; copy < 3; ++copy) {
    for (int i = 7; i >= 0; --i) batch.push_back(static_cast<char>((event.size() >> (8 * i)) & 0xff));
    batch += event;
  }
  Answers answers;
  (*service)->handle(post("application/octet-stream", event), answers.reply());
  (*service)->handle(post("application/vnd.antq.signed-events", batch), answers.reply());
  (*service)->handle(post("application/vnd.antq.signed-events", batch.substr(0, batch.size() - 1)), answers.reply());
  (*service)->stop();
  REQUIRE(answers.count() == 3);
  // The committer answers after the malformed batch, which is answered at once: order the answers by count.
  std::vector<std::pair<int, std::size_t>> got;
  for (std::size_t i = 0; i < 3; ++i) got.emplace_back(answers.got[i].first, answers.counts_as[i]);
  std::sort(got.begin(), got.end(),
            [](auto& a, auto& b) { return a.second < b.second || (a.second == b.second && a.first < b.first); });
  CHECK(got == std::vector<std::pair<int, std::size_t>>{{400, 1}, {422, 1}, {422, 3}});
}

TEST_CASE("A refusal over another unit's subject is told to a submitter without the reasons that quote its records",
          "[cli][service]") {
  CommuneDemo demo;
  // The survey plan's approval of MS-TL-TDCTQ (UBND xã Tân Lập's), signed again: the ledger holds it already.
  const auto signed_act = demo.tmp / "plan.signed";
  sign_as(demo, demo.act("03-survey.plan-approved.json"), "chair", "person", signed_act);
  // A hold on MS-TL-TDCTQ's file by the commune police (Công an xã Tân Lập): its subject is "ledger", the subject
  // it names is in data.targets. Refused (a records act needs the administrator), and told to the police without the
  // reasons, whichever rule refused it: a refusal may quote every subject an act names.
  const auto hold = demo.tmp / "hold.json";
  {
    std::ofstream out(hold);
    out << R"({"act": "record.held", "subject": "ledger", "date": "2026-01-09",
      "document": {"number": "5/QĐ-CA", "title": "Quyết định tạm giữ hồ sơ", "issuer": "Công an xã Tân Lập"},
      "authority": {"level": "commune", "unit": "Công an xã Tân Lập"},
      "data": {"targets": ["MS-TL-TDCTQ"], "reason": "thanh tra"}})";
  }
  const auto signed_hold = demo.tmp / "hold.signed";
  sign_as(demo, hold, "police", "person", signed_hold);
  std::string local;
  REQUIRE(run(kAntq + " append " + quote(demo.ledger()) + " " + quote(signed_hold), &local) == 2);
  INFO(local);
  auto ledger = cli::open_for_append(demo.ledger(), (demo.tmp / "pki" / "operator.key").string());
  REQUIRE(ledger);
  auto service = cli::Service::open(std::move(*ledger), {.readers = 1});
  REQUIRE(service);
  Answers answers;
  // The chairman of UBND xã Tân Lập, and the police of the commune (bound to Công an xã Tân Lập, another unit).
  const std::vector<std::pair<std::string, fs::path>> sent = {
      {"chair", signed_act}, {"police", signed_act}, {"police", signed_hold}};
  for (const auto& [who, file] : sent) {
    const std::size_t before = answers.count();
    (*service)->handle(post_acts("application/octet-stream", read_file(file), fingerprint_of(demo, who)),
                       answers.reply());
    std::unique_lock lock(answers.mutex);
    answers.changed.wait(lock, [&] { return answers.bodies.size() == before + 1; });
  }
  (*service)->stop();
  REQUIRE(answers.count() == 3);
  std::vector<nlohmann::json> got;
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(answers.got[i].first == 422);
    got.push_back(nlohmann::json::parse(answers.bodies[i]));
  }
  CHECK(got[0]["refused"] == "duplicate");
  CHECK_THAT(got[0]["message"].get<std::string>(), Catch::Contains("admitted before as entry 3"));
  CHECK(got[1]["refused"] == "duplicate");
  CHECK(got[1]["message"] ==
        "survey.plan-approved of MS-TL-TDCTQ: refused; the reasons may quote the records of MS-TL-TDCTQ, which this "
        "certificate's units do not hold: the unit that holds it can say why");
  CHECK_THAT(local, Catch::Contains("refused [authority]: "));
  CHECK(got[2]["message"] ==
        "record.held of ledger: refused; the reasons may quote the records of MS-TL-TDCTQ, which this certificate's "
        "units do not hold: the unit that holds it can say why");
}

}  // namespace
}  // namespace antq::test
