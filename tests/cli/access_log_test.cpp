// End to end: access.granted / access.revoked through `antq record`, `antq access-log`, and `antq verify` of the
// access history (ledger/access_log.hpp), tampering included.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "demo.hpp"
#include "ledger/access_log.hpp"

namespace antq::test {
namespace {

// The commune demo with an access act file and the administrator's KEY:CERT.
struct AccessDemo : CommuneDemo {
  std::string admin() const { return signer("admin"); }
  Digest fingerprint(const std::string& who) const {
    auto certs = signing::read_certificates(pki(who + ".crt").string());
    REQUIRE(certs);
    return sha256(certs->front());
  }
  // Writes `act` to a file and runs `antq record` with the administrator's key (or `by`).
  int record_act(const json& act, std::string* out, const std::string& by = "") const {
    const fs::path file = tmp / "access-act.json";
    write_file(file, act.dump());
    return run(kAntq + " record " + quote(ledger()) + " " + quote(file) + " --person " + (by.empty() ? admin() : by),
               out);
  }
  // Reads of the service, written as antq serve writes them: through ledger::AccessLog with the operator's key.
  void write_reads(const std::vector<ledger::AccessRecord>& reads) const {
    auto key = signing::Ed25519Key::load((tmp / "pki" / "operator.key").string());
    REQUIRE(key);
    std::string origin;
    {
      auto opened = ledger::Ledger::open(ledger());
      REQUIRE(opened);
      origin = (*opened)->info().origin;
    }
    auto log =
        ledger::AccessLog::open_writer(ledger(), origin, std::make_shared<const signing::Ed25519Key>(std::move(*key)));
    if (!log) FAIL(log.error().line());
    for (const auto& r : reads) REQUIRE((*log)->record(r));
    REQUIRE((*log)->flush());
  }
};

json access_act(const std::string& kind, const json& data, const std::string& date = "2026-12-01") {
  return json{
      {"act", kind},
      {"subject", "ledger"},
      {"date", date},
      {"document", {{"number", "5/QĐ-CA"}, {"title", "Cấp quyền tra cứu"}, {"issuer", "Công an huyện Minh Sơn"}}},
      {"data", data}};
}

ledger::AccessRecord read_of(const std::string& subject, const std::string& at, const Digest& certificate) {
  ledger::AccessRecord r;
  r.at = at;
  r.certificate = to_hex(certificate);
  r.subject_dn = "CN=Thanh tra (demo),O=Thanh tra huyện Minh Sơn";
  r.role = "inspector";
  r.route = "GET /v1/subjects/" + subject;
  r.subject = subject;
  return r;
}

}  // namespace

TEST_CASE("antq record admits access.granted and access.revoked from the administrator and refuses the rest",
          "[cli][access]") {
  AccessDemo demo;
  const std::string police = to_hex(demo.fingerprint("police"));
  std::string out;
  const json grant = access_act(
      "access.granted",
      {{"certificate", police}, {"role", "inspector"}, {"units", {"UBND xã Tân Lập"}}, {"from", "2026-12-01"}});

  SECTION("signed by someone else than the administrator") {
    const std::string before = demo.data();
    CHECK(demo.record_act(grant, &out, demo.signer("chair")) == 2);
    CHECK(lines_of(out) == 1);
    CHECK_THAT(out, Catch::Contains("refused [authority]: ") &&
                        Catch::Contains("access.granted is a registry act and must be signed by an administrator"));
    CHECK(demo.data() == before);
  }
  SECTION("contradictory: the whole ledger and some units") {
    json both = grant;
    both["data"]["whole_ledger"] = true;
    const std::string before = demo.data();
    CHECK(demo.record_act(both, &out) == 2);
    CHECK(lines_of(out) == 1);
    CHECK_THAT(out, Catch::Contains("refused [access]: ") &&
                        Catch::Contains("access-act.json: access.granted: whole_ledger and a scope of units UBND xã "
                                        "Tân Lập contradict each other"));
    CHECK(demo.data() == before);
  }
  SECTION("malformed: an unknown role") {
    json bad = grant;
    bad["data"]["role"] = "superuser";
    const std::string before = demo.data();
    CHECK(demo.record_act(bad, &out) == 2);
    CHECK(lines_of(out) == 1);
    CHECK_THAT(out,
               Catch::Contains("data.role: expected one of inspector|auditor|archivist|reader, got \"superuser\""));
    CHECK(demo.data() == before);
  }
  SECTION("granted, revoked, and a revocation with nothing left to end") {
    REQUIRE(demo.record_act(grant, &out) == 0);
    const json revoke = access_act("access.revoked", {{"certificate", police}, {"from", "2026-12-03"}}, "2026-12-02");
    REQUIRE(demo.record_act(revoke, &out) == 0);
    json again = revoke;
    again["document"]["number"] = "6/QĐ-CA";
    const std::string before = demo.data();
    CHECK(demo.record_act(again, &out) == 2);
    CHECK_THAT(out, Catch::Contains("refused [access]: ") &&
                        Catch::Contains("access-act.json: access.revoked from 2026-12-03: certificate " +
                                        police.substr(0, 16) + "… holds no grant in force on or after that day"));
    CHECK(demo.data() == before);
    REQUIRE(run(kAntq + " verify " + quote(demo.ledger()), &out) == 0);
  }
}

TEST_CASE("antq access-log lists the reads, filtered by subject and time, as a table or JSON", "[cli][access]") {
  AccessDemo demo;
  const Digest police = demo.fingerprint("police");
  std::string out;
  REQUIRE(run(kAntq + " access-log " + quote(demo.ledger()), &out) == 0);
  CHECK_THAT(out, Catch::Contains("has no access log yet"));
  CHECK_FALSE(ledger::AccessLog::exists(demo.ledger()));  // listing it made none

  demo.write_reads({read_of("MS-TL-ANXK", "2026-12-01T01:00:00Z", police),
                    read_of("MS-TL-OTHER", "2026-12-02T01:00:00Z", police),
                    read_of("MS-TL-ANXK", "2026-12-03T01:00:00Z", police)});
  REQUIRE(run(kAntq + " access-log " + quote(demo.ledger()), &out) == 0);
  CHECK_THAT(out, Catch::Contains("3 record(s) listed of 3"));
  CHECK_THAT(out, Catch::Contains("GET /v1/subjects/MS-TL-OTHER [subject MS-TL-OTHER]"));
  CHECK_THAT(out, Catch::Contains("CN=Thanh tra (demo),O=Thanh tra huyện Minh Sơn"));

  REQUIRE(run(kAntq + " access-log " + quote(demo.ledger()) + " --subject MS-TL-ANXK --since 2026-12-02 --json",
              &out) == 0);
  const json j = json::parse(without_warnings(out));
  REQUIRE(j["records"].size() == 1);
  CHECK(j["records"][0]["seq"] == 2);
  CHECK(j["records"][0]["at"] == "2026-12-03T08:00:00+07:00");  // stored 01:00:00Z, written in Vietnam time
  CHECK(j["records"][0]["certificate"] == to_hex(police));
  CHECK(j["records"][0]["role"] == "inspector");
  CHECK(j["count"] == 1);
  CHECK(j["size"] == 3);
  CHECK(j["origin"] == "antq-ledger.demo/minh-son/access");

  SECTION("bad input: one line, exit 2") {
    CHECK(run(kAntq + " access-log " + quote(demo.ledger()) + " --since 2026-13-01", &out) == 2);
    CHECK(lines_of(out) == 1);
    CHECK_THAT(out, Catch::Contains("--since: expected a date YYYY-MM-DD or an RFC 3339 time, got \"2026-13-01\""));
    CHECK(run(kAntq + " access-log " + quote(demo.tmp / "nowhere"), &out) == 2);
    CHECK(lines_of(out) == 1);
  }
}

TEST_CASE("antq verify checks the access history and fails when a record was changed or removed", "[cli][access]") {
  AccessDemo demo;
  const Digest police = demo.fingerprint("police");
  demo.write_reads(
      {read_of("MS-TL-ANXK", "2026-12-01T01:00:00Z", police), read_of("MS-TL-ANXK", "2026-12-01T02:00:00Z", police)});
  demo.write_reads({read_of("MS-TL-ANXK", "2026-12-01T03:00:00Z", police)});
  std::string out;
  REQUIRE(run(kAntq + " verify " + quote(demo.ledger()), &out) == 0);
  CHECK_THAT(out, Catch::Contains("access log   3 records"));
  CHECK_THAT(out, Catch::Contains("verifies"));
  REQUIRE(run(kAntq + " verify --json " + quote(demo.ledger()), &out) == 0);
  const json ok = json::parse(without_warnings(out));
  CHECK(ok["access_log"]["records"] == 3);
  CHECK(ok["access_log"]["ok"] == true);
  const fs::path data = demo.ledger() / "access" / "data.mdb";

  SECTION("a byte of a record changed") {
    std::string bytes = read_file(data);
    std::size_t copies = 0;  // the live leaf and any older copy LMDB freed
    for (auto at = bytes.find("T02:00:00Z"); at != std::string::npos; at = bytes.find("T02:00:00Z", at + 1), ++copies)
      bytes[at + 1] = '1';  // 02:00 becomes 12:00: a valid record, another one
    REQUIRE(copies >= 1);
    write_file(data, bytes);
    CHECK(run(kAntq + " verify " + quote(demo.ledger()), &out) == 1);
    CHECK_THAT(out, Catch::Contains("FAILED"));
    CHECK_THAT(out, Catch::Contains("access log: record 1: the stored tree node (level 0, index 1) differs"));
    REQUIRE(run(kAntq + " verify --json " + quote(demo.ledger()), &out) == 1);
    const json failed = json::parse(without_warnings(out));
    CHECK(failed["ok"] == false);
    CHECK(failed["access_log"]["ok"] == false);
  }
  SECTION("the last record removed") {
    edit_database(demo.ledger() / "access", "records", [](MDB_txn* txn, MDB_dbi dbi) {
      std::uint8_t k[8] = {0, 0, 0, 0, 0, 0, 0, 2};
      MDB_val key{8, k};
      REQUIRE(mdb_del(txn, dbi, &key, nullptr) == 0);
    });
    CHECK(run(kAntq + " verify " + quote(demo.ledger()), &out) == 1);
    CHECK_THAT(out, Catch::Contains("access log: checkpoint 3: the log holds 2 records (records removed?)"));
    CHECK(run(kAntq + " access-log " + quote(demo.ledger()), &out) == 0);  // listing still reads what is there
    CHECK_THAT(out, Catch::Contains("2 record(s) listed of 2"));
  }
  SECTION("a damaged page") {
    std::string bytes = read_file(data);
    for (std::size_t i = 2 * 4096; i < bytes.size(); ++i) bytes[i] = '\xff';  // every page after the meta pages
    write_file(data, bytes);
    CHECK(run(kAntq + " verify " + quote(demo.ledger()), &out) == 1);
    CHECK_THAT(out, Catch::Contains("access log:") && Catch::Contains("damaged store at page"));
    CHECK(run(kAntq + " access-log " + quote(demo.ledger()), &out) == 1);
    CHECK(lines_of(out) == 1);
    CHECK_THAT(out, Catch::Contains("damaged store at page"));
  }
}

}  // namespace antq::test
