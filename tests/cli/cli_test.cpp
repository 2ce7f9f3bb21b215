// The antq program end to end, as users and outside verifiers meet it: exit codes, one-line errors, nothing
// written on bad input, and artefacts that stock tools (openssl, capnp) accept.
#include <sys/resource.h>

#include <algorithm>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "cli/csv.hpp"
#include "cli/display.hpp"
#include "ledger/merkle.hpp"
#include "demo.hpp"

namespace antq::test {
namespace {

// The commune demo, and `antq sign` of an act by one of its signers.
struct SignDemo : CommuneDemo {
  // `antq sign` of `act` by `who` into `out`; the organisation's signature is added to `out` (`--signed`).
  void sign(const fs::path& act, const fs::path& out, const std::string& who, const std::string& role,
            const std::string& extra = "") const {
    const std::string input = role == "organisation" ? "--signed " + quote(out) : quote(act);
    REQUIRE(run(kAntq + " sign " + input + " --key " + quote(pki(who + ".key")) + " --cert " +
                quote(pki(who + ".crt")) + " --role " + role + " " + extra + " -o " + quote(out)) == 0);
  }
};

// Runs `command`, which must fail with exit 2 and exactly one line containing `expected`, and leave the demo
// ledger byte-identical.
void expect_refusal(const SignDemo& demo, const std::string& command, const std::string& expected) {
  const std::string before = demo.data();
  std::string out;
  const int status = run(command, &out);
  INFO(command << "\n-> " << out);
  CHECK(status == 2);
  CHECK(lines_of(out) == 1);
  CHECK_THAT(out, Catch::Contains(expected));
  CHECK(demo.data() == before);
}

// A decision that begins a new subject (person and office sign it): the approval of its survey plan.
json plan_approved(const std::string& subject, const std::string& date = "2024-03-01") {
  return json{{"act", "survey.plan-approved"},
              {"subject", subject},
              {"date", date},
              {"document", {{"number", "20/QĐ-UBND"}, {"title", "Quyết định phê duyệt kế hoạch khảo sát"}, {"issuer", "UBND xã Tân Lập"}}},
              {"authority", {{"level", "commune"}, {"unit", "UBND xã Tân Lập"}}},
              {"data", {{"purpose", "khảo sát xây dựng Tổ an ninh xung kích"}}}};
}

TEST_CASE("Bad input of every kind exits 2 with one line and writes nothing", "[cli]") {
  SignDemo demo;
  const std::string l = quote(demo.ledger());
  const fs::path act = demo.tmp / "act.json";
  write_file(act, plan_approved("MS-TL-ANXK").dump());

  SECTION("a missing file") { expect_refusal(demo, kAntq + " append " + l + " " + quote(demo.tmp / "nope.signed"), "nope.signed"); }
  SECTION("a file that is not a signed event") {
    write_file(demo.tmp / "garbage.signed", std::string(4096, 'x'));
    expect_refusal(demo, kAntq + " append " + l + " " + quote(demo.tmp / "garbage.signed"), "garbage.signed");
  }
  SECTION("a truncated signed event") {
    const fs::path signed_act = demo.tmp / "act.signed";
    demo.sign(act, signed_act, "chair", "person");
    std::string bytes = read_file(signed_act);
    write_file(signed_act, bytes.substr(0, bytes.size() / 2));
    expect_refusal(demo, kAntq + " append " + l + " " + quote(signed_act), "act.signed");
  }
  SECTION("malformed JSON") {
    write_file(act, "{\"act\": \"model.established\", ");
    expect_refusal(demo, kAntq + " record " + l + " " + quote(act) + " --person " + demo.signer("chair"),
                   "malformed JSON");
  }
  SECTION("an unknown act") {
    json j = plan_approved("MS-TL-ANXK");
    j["act"] = "model.celebrated";
    write_file(act, j.dump());
    expect_refusal(demo, kAntq + " record " + l + " " + quote(act) + " --person " + demo.signer("chair"),
                   "model.celebrated");
  }
  SECTION("a signer the ledger does not trust") {
    Pki other(demo.tmp / "other-pki");
    Identity stranger = other.issue("stranger");
    expect_refusal(demo,
                   kAntq + " record " + l + " " + quote(act) + " --person " + quote(stranger.files.key) + ":" +
                       quote(stranger.files.cert),
                   "refused [signature]");
  }
  SECTION("a signature made before the certificate was valid") {
    const fs::path signed_act = demo.tmp / "old.signed";
    demo.sign(act, signed_act, "chair", "person", "--signing-time 2020-01-01T08:00:00+07:00");
    expect_refusal(demo, kAntq + " append " + l + " " + quote(signed_act), "refused [signature]");
  }
  SECTION("an organisation signature dated before the person's") {
    const fs::path signed_act = demo.tmp / "two-step.signed";
    demo.sign(act, signed_act, "chair", "person");
    const std::string before = read_file(signed_act);
    expect_refusal(demo,
                   kAntq + " sign --signed " + quote(signed_act) + " --key " + quote(demo.pki("office.key")) +
                       " --cert " + quote(demo.pki("office.crt")) + " --role organisation --signing-time " +
                       signing::format_vietnam_time(signing::now() - 3600) + " -o " + quote(signed_act),
                   "refused [signature]: the organisation signature");
    CHECK(read_file(signed_act) == before);
  }
  SECTION("a refusal in the user's language: Vietnamese under a Vietnamese locale or --lang vi, else English") {
    json j = plan_approved("MS-TL-NEW");
    j["act"] = "model.launched";
    j["data"] = json::object();
    write_file(act, j.dump());
    const std::string record = kAntq + " record " + l + " " + quote(act) + " --person " + demo.signer("chair");
    expect_refusal(demo, "LANG=vi_VN.UTF-8 LC_ALL= LANGUAGE= " + record,
                   "act.json: MS-TL-NEW không có trong sổ, và model.launched không thể mở đầu một đối tượng");
    expect_refusal(demo, "LANG=C LC_ALL= LANGUAGE= " + record + " --lang vi", "bị từ chối [unknown-subject]");
    expect_refusal(demo, "LANG=vi_VN.UTF-8 LC_ALL= LANGUAGE= " + record + " --lang en",
                   "act.json: MS-TL-NEW is not in the ledger, and model.launched cannot begin a subject");
    expect_refusal(demo, "LANG=vi_VN.UTF-8 LC_ALL= LANGUAGE= " + record + " --lang en", "refused [unknown-subject]: ");
  }
  SECTION("a signer not bound to the act's authority") {
    expect_refusal(demo, kAntq + " record " + l + " " + quote(act) + " --person " + demo.signer("police") + " --org " +
                             demo.signer("office"),
                   "refused [authority]");
  }
  SECTION("the same signed event twice") {
    const fs::path signed_act = demo.tmp / "twice.signed";
    demo.sign(act, signed_act, "chair", "person");
    demo.sign(act, signed_act, "office", "organisation");
    expect_refusal(demo, kAntq + " append " + l + " " + quote(signed_act) + " " + quote(signed_act),
                   "refused [duplicate]");
    REQUIRE(run(kAntq + " append " + l + " " + quote(signed_act)) == 0);
    expect_refusal(demo, kAntq + " append " + l + " " + quote(signed_act), "refused [duplicate]");
  }
  SECTION("a ledger directory that holds no ledger") {
    expect_refusal(demo, kAntq + " verify " + quote(demo.tmp / "acts"), "no ledger");
  }
  SECTION("a checkpoint file that is not a signed note") {
    write_file(demo.tmp / "cp.txt", "not a checkpoint\n");
    expect_refusal(demo, kAntq + " verify " + l + " --checkpoint " + quote(demo.tmp / "cp.txt"), "checkpoint");
  }
  SECTION("an unknown option") { expect_refusal(demo, kAntq + " verify " + l + " --frobnicate", "frobnicate"); }
}

TEST_CASE("A full disk refuses the append with one line and loses nothing", "[cli]") {
  SignDemo demo;
  const fs::path act = demo.tmp / "act.json";
  write_file(act, plan_approved("MS-TL-ANXK").dump());
  std::string checkpoint_before;
  REQUIRE(run(kAntq + " checkpoint " + quote(demo.ledger()), &checkpoint_before) == 0);
  // RLIMIT_FSIZE (bash counts KiB) at the current file size: every write that grows data.mdb fails as on a full
  // disk (EFBIG instead of ENOSPC).
  const auto size = fs::file_size(demo.ledger() / "data.mdb");
  std::string out;
  const int status = run("trap '' XFSZ; ulimit -f " + std::to_string(size / 1024) + "; " + kAntq + " record " +
                             quote(demo.ledger()) + " " + quote(act) + " --person " + demo.signer("chair") +
                             " --org " + demo.signer("office"),
                         &out);
  INFO(out);
  CHECK(status == 2);
  CHECK(lines_of(out) == 1);
  std::string checkpoint_after;
  REQUIRE(run(kAntq + " checkpoint " + quote(demo.ledger()), &checkpoint_after) == 0);
  CHECK(checkpoint_after == checkpoint_before);
  REQUIRE(run(kAntq + " verify " + quote(demo.ledger()), &out) == 0);
  // With room again, the same act is admitted.
  REQUIRE(run(kAntq + " record " + quote(demo.ledger()) + " " + quote(act) + " --person " + demo.signer("chair") +
                  " --org " + demo.signer("office"),
              &out) == 0);
  CHECK_THAT(out, Catch::Contains("14"));
}

TEST_CASE("verify exits 1 and names the seq whose stored bytes were changed", "[cli]") {
  SignDemo demo;
  // Flip one byte of entry 6 in place, through LMDB's own tools as an intruder with file access could.
  std::string dump;
  REQUIRE(run("mdb_dump -s entries " + quote(demo.ledger()), &dump) == 0);
  const std::string key = " 0000000000000006\n";
  auto at = dump.find(key);
  REQUIRE(at != std::string::npos);
  auto value_at = at + key.size() + 1;  // the value line starts with one space
  REQUIRE(dump[value_at + 40] != '0');
  dump[value_at + 40] = dump[value_at + 40] == 'f' ? 'e' : 'f';
  write_file(demo.tmp / "dump.txt", dump);
  REQUIRE(run("mdb_load -s entries -f " + quote(demo.tmp / "dump.txt") + " " + quote(demo.ledger())) == 0);

  std::string out;
  CHECK(run(kAntq + " verify " + quote(demo.ledger()), &out) == 1);
  CHECK_THAT(out, Catch::Contains("seq 6"));
  CHECK(run(kAntq + " verify --json " + quote(demo.ledger()), &out) == 1);
  auto report = json::parse(out);
  CHECK(report["ok"] == false);
  REQUIRE(!report["failures"].empty());
  CHECK(report["failures"][0]["seq"] == 6);
}

TEST_CASE("An older copy fails verify against a checkpoint kept from the newer ledger", "[cli]") {
  SignDemo demo;
  fs::copy(demo.ledger(), demo.tmp / "older", fs::copy_options::recursive);
  const fs::path act = demo.tmp / "act.json";
  write_file(act, plan_approved("MS-TL-ANXK").dump());
  REQUIRE(run(kAntq + " record " + quote(demo.ledger()) + " " + quote(act) + " --person " + demo.signer("chair") +
              " --org " + demo.signer("office")) == 0);
  std::string note;
  REQUIRE(run(kAntq + " checkpoint " + quote(demo.ledger()), &note) == 0);
  write_file(demo.tmp / "kept.txt", note);
  std::string out;
  CHECK(run(kAntq + " verify " + quote(demo.ledger()) + " --checkpoint " + quote(demo.tmp / "kept.txt"), &out) == 0);
  CHECK(run(kAntq + " verify " + quote(demo.tmp / "older") + " --checkpoint " + quote(demo.tmp / "kept.txt"), &out) ==
        1);
  CHECK_THAT(out, Catch::Contains("15"));
}

TEST_CASE("verify anchors a copy with the operator key and roots the auditor holds, and a forged one fails", "[cli]") {
  SignDemo demo;
  const std::string held = " --operator-key " + quote(demo.ledger() / "operator.vkey") + " --trust " +
                           quote(demo.pki("roots.pem"));
  std::string out;
  CHECK(run(kAntq + " verify " + quote(demo.ledger()) + held, &out) == 0);
  CHECK_THAT(out, !Catch::Contains("not anchored"));
  // Unanchored, the same ledger verifies, and the output says against what.
  CHECK(run(kAntq + " verify " + quote(demo.ledger()), &out) == 0);
  CHECK_THAT(out, Catch::Contains("not anchored") && Catch::Contains("--operator-key"));

  // A ledger made from scratch under the real origin, with its own operator key and its own root (stock openssl).
  const fs::path forger = demo.tmp / "forger";
  fs::create_directories(forger);
  REQUIRE(run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj '/CN=Forged root' "
              "-keyout " + quote(forger / "root.key") + " -out " + quote(forger / "root.crt")) == 0);
  std::string vkey = read_file(demo.ledger() / "operator.vkey");
  const std::string origin = vkey.substr(0, vkey.find('+'));
  // The forger's own operator key (not the demo's, which ANTQ_OPERATOR_KEY names).
  REQUIRE(run("ANTQ_OPERATOR_KEY=" + quote(forger / "operator.pem") + " ANTQ_OPERATOR_PASSPHRASE=forger " + kAntq +
              " init " + quote(forger / "ledger") + " --profile hoa-binh-2023 --trust " + quote(forger / "root.crt") +
              " --admin " + quote(forger / "root.crt") + " --origin " + origin) == 0);
  CHECK(run(kAntq + " verify " + quote(forger / "ledger"), &out) == 0);  // consistent with itself
  CHECK(run(kAntq + " verify " + quote(forger / "ledger") + held + " --json", &out) == 1);
  auto report = json::parse(out.substr(out.find('{')));
  CHECK(report["ok"] == false);
  CHECK(report["anchored"] == true);
  std::string reasons;
  for (const auto& f : report["failures"]) reasons += f["reason"].get<std::string>() + "\n";
  CHECK_THAT(reasons, Catch::Contains("is not the one in") && Catch::Contains("which " + demo.pki("roots.pem").string() +
                                                                                 " lacks"));
}

TEST_CASE("verify fails a ledger whose last checkpoint was removed: no operator signature covers its last entries",
          "[cli]") {
  // What rewriting the end of a copy takes: delete the checkpoints from some size on, then put other entries there.
  // Removing the last one is the first step, and is enough to be caught.
  CommuneDemo demo;
  std::string out;
  REQUIRE(run(kAntq + " checkpoint " + quote(demo.ledger()), &out) == 0);
  const std::uint64_t size = std::stoull(out.substr(out.find('\n') + 1));
  edit_database(demo.ledger(), "checkpoints", [&](MDB_txn* txn, MDB_dbi dbi) {
    unsigned char key[8];
    for (int i = 0; i < 8; ++i) key[i] = static_cast<unsigned char>(size >> (56 - 8 * i));
    MDB_val k{sizeof key, key};
    REQUIRE(mdb_del(txn, dbi, &k, nullptr) == 0);
  });
  const std::string held = " --operator-key " + quote(demo.ledger() / "operator.vkey") + " --trust " +
                           quote(demo.pki("roots.pem"));
  CHECK(run(kAntq + " verify " + quote(demo.ledger()) + held, &out) == 1);
  CHECK_THAT(out, Catch::Contains(fmt::format("no checkpoint signed by the operator covers the ledger's {} entries",
                                              size)));
}

TEST_CASE("Stock openssl verifies every signature of an exploded bundle, and capnp decodes its entries", "[cli]") {
  SignDemo demo;
  const fs::path bundle = demo.tmp / "bundle";  // written by the demo with --explode
  std::size_t verified = 0;
  for (const auto& f : fs::directory_iterator(bundle / "acts")) {
    const std::string name = f.path().filename().string();
    if (!name.ends_with(".p7s")) continue;
    const std::string seq = name.substr(0, name.find('.'));
    std::string out;
    const std::string command = "openssl cms -verify -binary -inform DER -purpose any -CAfile " +
                                quote(bundle / "trust.pem") + " -content " + quote(bundle / "acts" / (seq + ".body")) +
                                " -in " + quote(f.path()) + " -out /dev/null";
    INFO(command);
    CHECK(run(command, &out) == 0);
    CHECK_THAT(out, Catch::Contains("Verification successful"));
    ++verified;
  }
  CHECK(verified == 19);

  // entries.bin: each entry as a 4-byte little-endian length and the canonical flat Cap'n Proto bytes.
  const std::string entries = read_file(bundle / "entries.bin");
  REQUIRE(entries.size() > 4);
  std::uint32_t length = 0;
  for (int i = 3; i >= 0; --i) length = length << 8 | static_cast<unsigned char>(entries[i]);
  REQUIRE(4 + length <= entries.size());
  write_file(demo.tmp / "entry0.bin", entries.substr(4, length));
  std::string decoded;
  REQUIRE(run("capnp decode --flat " + quote(bundle / "schema" / "antq.capnp") + " Entry < " +
                  quote(demo.tmp / "entry0.bin"),
              &decoded) == 0);
  CHECK_THAT(decoded, Catch::Contains("seq = 0"));

  std::string out;
  const std::string anchors =
      " --operator-key " + quote(demo.ledger() / "operator.vkey") + " --trust " + quote(demo.pki("roots.pem"));
  CHECK(run(kAntq + " verify-bundle " + quote(bundle) + anchors, &out) == 0);
  // A changed body in the bundle is caught.
  std::string body = read_file(bundle / "entries.bin");
  body[body.size() / 2] ^= 1;
  write_file(bundle / "entries.bin", body);
  CHECK(run(kAntq + " verify-bundle " + quote(bundle) + anchors, &out) == 1);
}

TEST_CASE("JSON output (--json) parses and an inclusion proof from it verifies with RFC 9162 arithmetic", "[cli]") {
  SignDemo demo;
  std::string out;
  REQUIRE(run(kAntq + " proof inclusion " + quote(demo.ledger()) + " 9 --json", &out) == 0);
  auto proof = json::parse(out);
  std::vector<Digest> path;
  for (const auto& h : proof["proof"]) path.push_back(*digest_from_hex(h.get<std::string>()));
  CHECK(ledger::verify_inclusion(9, proof["size"].get<std::uint64_t>(),
                                 *digest_from_hex(proof["leaf_hash"].get<std::string>()), path,
                                 *digest_from_hex(proof["root"].get<std::string>())));

  REQUIRE(run(kAntq + " proof consistency " + quote(demo.ledger()) + " 5 14 --json", &out) == 0);
  auto consistency = json::parse(out);
  CHECK(consistency.contains("proof"));

  REQUIRE(run(kAntq + " verify --json " + quote(demo.ledger()), &out) == 0);
  auto report = json::parse(out);
  CHECK(report["ok"] == true);
  CHECK(report["entries"] == 14);
  CHECK(report["signatures"] == 19);
}

TEST_CASE("`antq trust add-crl` is an entry: appends refuse the revoked key whatever time it claims, verify rechecks",
          "[cli][crl]") {
  TestLedger t;  // administrator, commune chairman and commune office bound
  OperatorKeyVariable operator_key(t.operator_key_file());
  const signing::UnixTime now = signing::now();
  auto signed_at = [&](int i, signing::UnixTime when) {
    signing::SignOptions o;
    o.signing_time = when;
    return test::sign(make_act("model.proposed", fmt::format("CRL-{}", i), "2023-03-15"), t.chair, nullptr, o);
  };
  // Admitted before the CRL is known: one signed before the revocation it will list, one after.
  REQUIRE(t.append({signed_at(1, now - 7200), signed_at(2, now - 1800)}));
  const std::uint64_t late_seq = t.ledger->size() - 1;
  const std::string checkpoint_before = t.ledger->checkpoint();
  t.ledger.reset();  // the commands below open the ledger themselves

  auto crl = signing::issue_crl(t.pki.root(), {{t.chair.certificate, now - 3600}}, now - 60);
  REQUIRE(crl);
  const fs::path crl_file = t.tmp / "root.crl";
  write_file(crl_file, std::string(crl->begin(), crl->end()));
  const std::string dir = quote(t.dir());
  const std::string admin = " --admin " + quote(t.admin.files.key) + ":" + quote(t.admin.files.cert);
  std::string out;
  // Only the administrator may change the trust store.
  CHECK(run(kAntq + " trust add-crl " + dir + " " + quote(crl_file) + " --admin " + quote(t.chair.files.key) + ":" +
                quote(t.chair.files.cert),
            &out) == 2);
  CHECK_THAT(out, Catch::Contains("refused [authority]"));
  REQUIRE(run(kAntq + " trust add-crl " + dir + " " + quote(crl_file) + admin, &out) == 0);
  out = without_warnings(out);  // the test keys are not encrypted, and antq says so first
  CHECK_THAT(out, Catch::StartsWith(fmt::format("entry {}: the CRL of", late_seq + 1)) &&
                      Catch::Contains("1 revoked certificate"));
  // The CRL is in the log: the tree grew by its entry.
  REQUIRE(run(kAntq + " checkpoint " + dir, &out) == 0);
  CHECK(out != checkpoint_before);
  std::istringstream note(out);
  std::string origin, size;
  std::getline(note, origin);
  std::getline(note, size);
  CHECK(size == std::to_string(late_seq + 2));
  // The same decision again is a duplicate.
  CHECK(run(kAntq + " trust add-crl " + dir + " " + quote(crl_file) + admin, &out) == 2);
  CHECK_THAT(out, Catch::Contains("refused [duplicate]"));

  // A new signature by the revoked certificate is refused, and nothing is written: made after the revocation, and
  // also when it claims a time before it (the backdating the rule exists for).
  const std::string before = t.data_bytes();
  for (signing::UnixTime when : {now - 60, now - 7000}) {
    const fs::path event = t.tmp / fmt::format("late-{}.signed", now - when);
    REQUIRE(cli::write_submission(event, signed_at(static_cast<int>(now - when), when)));
    CHECK(run(kAntq + " append " + dir + " " + quote(event), &out) == 2);
    CHECK(lines_of(out) == 1);
    CHECK_THAT(out, Catch::Contains("refused [signature]") && Catch::Contains("was revoked"));
    if (when < now - 3600) CHECK_THAT(out, Catch::Contains("before admission"));
    CHECK(t.data_bytes() == before);
  }

  // verify rechecks with the CRL: the entry signed after the revocation is named; the one before stands.
  CHECK(run(kAntq + " verify --json " + dir, &out) == 1);
  auto report = json::parse(out);
  REQUIRE(report["failures"].size() == 1);
  CHECK(report["failures"][0]["seq"] == late_seq);
  CHECK_THAT(report["failures"][0]["reason"].get<std::string>(), Catch::Contains("was revoked"));
  // The signature made before the revocation stands, and verify --json shows the certificate revoked since.
  const json& details = report["signature_details"];
  auto early = std::find_if(details.begin(), details.end(), [&](const json& d) { return d["seq"] == late_seq - 1; });
  REQUIRE(early != details.end());
  CHECK((*early)["valid_at_signing_time"] == true);
  CHECK((*early)["signing_time_source"] == "claimed");
  CHECK((*early)["revocation_now"]["status"] == "revoked");
  CHECK((*early)["revocation_now"]["revoked_at"] == signing::format_vietnam_time(now - 3600));
  CHECK((*early)["revocation_now"]["crls_held"] == 1);

  // history shows the same: the early signature stands with the revocation since; the late one is invalid now.
  REQUIRE(run(kAntq + " history " + dir + " CRL-1 --json", &out) == 0);
  json early_history = json::parse(out)["acts"][0];
  CHECK(early_history["signatures_valid"] == true);
  CHECK(early_history["signatures"][0]["revocation_now"]["status"] == "revoked");
  REQUIRE(run(kAntq + " history " + dir + " CRL-2 --json", &out) == 0);
  json late_history = json::parse(out)["acts"][0];
  CHECK(late_history["signatures_valid"] == false);
  CHECK_THAT(late_history["signature_failure"].get<std::string>(), Catch::Contains("was revoked"));
  REQUIRE(run(kAntq + " history " + dir + " CRL-2", &out) == 0);
  CHECK_THAT(out, Catch::Contains("INVALID NOW"));
  REQUIRE(run(kAntq + " history " + dir + " CRL-1", &out) == 0);
  CHECK_THAT(out, Catch::Contains("(after signing: stands)"));

  // A bundle carries the CRL's entry and judges the same: the entry signed after the revocation fails, alone.
  REQUIRE(run(kAntq + " export " + dir + " " + quote(t.tmp / "bundle"), &out) == 0);
  CHECK(run(kAntq + " verify-bundle " + quote(t.tmp / "bundle") + " --operator-key " +
                quote(t.dir() / "operator.vkey") + " --trust " + quote(t.pki.roots_pem()) + " --json",
            &out) == 1);
  auto bundle_report = json::parse(out);
  REQUIRE(bundle_report["failures"].size() == 1);
  CHECK(bundle_report["failures"][0]["seq"] == late_seq);
  CHECK_THAT(bundle_report["failures"][0]["reason"].get<std::string>(), Catch::Contains("was revoked"));

  // What is not a CRL of a trusted CA is refused.
  write_file(t.tmp / "junk.crl", "junk");
  CHECK(run(kAntq + " trust add-crl " + dir + " " + quote(t.tmp / "junk.crl") + admin, &out) == 2);
  CHECK(lines_of(out) == 1);
}

TEST_CASE("verify --json shows every signature as the rules for official digital signatures ask", "[cli]") {
  SignDemo demo;
  // A decision with a PDF that the chairman and the office signed themselves (PAdES, tools/pdf-fixture.cpp).
  const fs::path pdf = demo.tmp / "decision.pdf";
  REQUIRE(run(quote(fs::path(ANTQ_PDF_FIXTURE)) + " " + quote(pdf) + " --signer " + demo.signer("chair") +
              " --signer " + demo.signer("office")) == 0);
  json act = plan_approved("MS-TL-PDF");
  act["attachments"] = json::array({{{"item", "1"}, {"media_type", "application/pdf"}, {"path", pdf.string()}}});
  write_file(demo.tmp / "act.json", act.dump());
  std::string out;
  REQUIRE(run(kAntq + " record " + quote(demo.ledger()) + " " + quote(demo.tmp / "act.json") + " --person " +
              demo.signer("chair") + " --org " + demo.signer("office"), &out) == 0);

  REQUIRE(run(kAntq + " verify --json " + quote(demo.ledger()), &out) == 0);
  json report = json::parse(out);
  const json& details = report["signature_details"];
  REQUIRE(details.size() == report["signatures"].get<std::size_t>());
  const auto chair_fp = to_hex(sha256(*signing::read_certificates(demo.pki("chair.crt").string())->begin()));
  for (const json& d : details) {
    INFO(d.dump());
    CHECK(d["seq"].is_number());
    CHECK((d["role"] == "person" || d["role"] == "organisation"));
    CHECK_THAT(d["signer"].get<std::string>(), Catch::Contains("CN="));
    CHECK_THAT(d["issuer"].get<std::string>(), Catch::Contains("CN="));
    CHECK_THAT(d["signing_time"].get<std::string>(), Catch::EndsWith("+07:00"));
    CHECK(d["integrity"] == "valid");
    CHECK(d["valid_at_signing_time"] == true);
    CHECK(d["signing_certificate_v2"] == true);
    CHECK(d["certificate_now"]["status"] == "valid");
    CHECK(d["revocation_now"]["status"] == "not-revoked");
  }
  CHECK(std::any_of(details.begin(), details.end(), [&](const json& d) { return d["signer_sha256"] == chair_fp; }));

  const json& in_pdf = report["pdf_signature_details"];
  REQUIRE(in_pdf.size() == 2);
  CHECK(in_pdf[0]["signer_sha256"] == chair_fp);
  CHECK(in_pdf[0]["covers_whole_file"] == false);
  CHECK(in_pdf[1]["covers_whole_file"] == true);
  CHECK(in_pdf[1]["sub_filter"] == "adbe.pkcs7.detached");

  REQUIRE(run(kAntq + " verify " + quote(demo.ledger()), &out) == 0);
  CHECK_THAT(out, Catch::Contains("2 signature(s) inside signed PDF attachments verify"));
  // history shows the PDF's own signers with the attachment.
  REQUIRE(run(kAntq + " history " + quote(demo.ledger()) + " MS-TL-PDF --json", &out) == 0);
  const json attachment = json::parse(out)["acts"][0]["attachments"][0];
  REQUIRE(attachment["pdf_signatures"].size() == 2);
  CHECK(attachment["pdf_signatures"][0]["signer_sha256"] == chair_fp);
  CHECK_THAT(attachment["pdf_signatures"][0]["signer"].get<std::string>(), Catch::Contains("CN="));
  CHECK_THAT(attachment["pdf_signatures"][1]["signing_time"].get<std::string>(), Catch::EndsWith("+07:00"));
  REQUIRE(run(kAntq + " history " + quote(demo.ledger()) + " MS-TL-PDF", &out) == 0);
  CHECK_THAT(out, Catch::Contains("PDF signed by") && Catch::Contains("whole file"));
  // A bundle carries the PDF; verify-bundle checks its signatures too.
  REQUIRE(run(kAntq + " export " + quote(demo.ledger()) + " " + quote(demo.tmp / "pdf-bundle"), &out) == 0);
  CHECK(run(kAntq + " verify-bundle " + quote(demo.tmp / "pdf-bundle") + " --operator-key " +
                quote(demo.ledger() / "operator.vkey") + " --trust " + quote(demo.pki("roots.pem")), &out) == 0);
}

TEST_CASE("Help (--help) teaches: every command explains itself with an example", "[cli]") {
  for (std::string command : {"init", "sign", "append", "record", "verify", "checkpoint", "proof", "export",
                              "verify-bundle", "demo", "trust add-crl", "show", "history", "dossier", "diff", "audit", "stats",
                              "profile"}) {
    std::string out;
    INFO(command);
    CHECK(run(kAntq + " " + command + " --help", &out) == 0);
    CHECK_THAT(out, Catch::Contains("Usage: antq " + command));
  }
}

TEST_CASE("antq --version names the build and its libraries, antq help explains a command, a typo gets the nearest",
          "[cli]") {
  std::string out;
  REQUIRE(run(kAntq + " --version", &out) == 0);
  CHECK_THAT(out, Catch::Matches("antq [0-9]+\\.[0-9]+\\.[0-9]+ \\(commit [0-9a-z.+-]+\\)\nOpenSSL 3[^\n]*\nLMDB "
                                 "0\\.9[^\n]*\nBoost 1\\.[0-9.]+\n"));
  // antq help COMMAND [SUBCOMMAND] says what COMMAND --help says.
  for (std::string command : {"verify", "proof inclusion", "trust add-crl"}) {
    INFO(command);
    std::string help, direct;
    REQUIRE(run(kAntq + " help " + command, &help) == 0);
    REQUIRE(run(kAntq + " " + command + " --help", &direct) == 0);
    CHECK(help == direct);
  }
  REQUIRE(run(kAntq + " help", &out) == 0);
  CHECK_THAT(out, Catch::Contains("Usage: antq [OPTIONS] SUBCOMMAND") && Catch::Contains("verify"));
  // A mistyped command: one line naming the nearest, exit 2.
  CHECK(run(kAntq + " verfy /nowhere", &out) == 2);
  CHECK(out == "antq: no command \"verfy\"; did you mean verify? (antq help lists the commands)\n");
  CHECK(run(kAntq + " --lang en stat /nowhere", &out) == 2);
  CHECK_THAT(out, Catch::Contains("did you mean stats?"));
  CHECK(run(kAntq + " frobnicate", &out) == 2);
  CHECK(out == "antq: no command \"frobnicate\" (antq help lists the commands)\n");
  CHECK(run(kAntq + " help prof", &out) == 2);
  CHECK_THAT(out, Catch::Contains("did you mean proof, profile?"));
  CHECK(run(kAntq, &out) == 2);
  CHECK_THAT(out, Catch::StartsWith("antq: give a command"));
  // Under a Vietnamese locale (or --lang vi): the help's headings and the commands' descriptions, and these errors.
  const std::string vi = "LANG=vi_VN.UTF-8 LC_ALL= LANGUAGE= ";
  REQUIRE(run(vi + kAntq + " --help", &out) == 0);
  CHECK_THAT(out, Catch::Contains("Cách dùng: antq [TÙY_CHỌN] LỆNH") && Catch::Contains("Các lệnh:") &&
                      Catch::Contains("Tạo một sổ mới, trống") && !Catch::Contains("Usage:"));
  REQUIRE(run("LANG=C LC_ALL= LANGUAGE= " + kAntq + " verify --help --lang vi", &out) == 0);
  CHECK_THAT(out, Catch::StartsWith("Kiểm tra lại mọi bản ghi") && Catch::Contains("Cách dùng: antq verify"));
  REQUIRE(run(vi + kAntq + " --lang en --help", &out) == 0);
  CHECK_THAT(out, Catch::Contains("Usage: antq [OPTIONS] SUBCOMMAND"));
  CHECK(run(vi + kAntq + " verfy /nowhere", &out) == 2);
  CHECK(out == "antq: không có lệnh \"verfy\"; có phải ý bạn là verify? (antq help liệt kê các lệnh)\n");
  // A name with terminal controls is shown as escapes.
  CHECK(run(kAntq + " \"$(printf '\\033[2Jx')\"", &out) == 2);
  CHECK_THAT(out, !Catch::Contains("\x1b") && Catch::Contains("\\x1b[2Jx"));
}

}  // namespace
}  // namespace antq::test

namespace antq::test {
namespace {

// design.md §5: `antq show DIR SUBJECT [--as-of DATE|--at SEQ] [--json]` and `antq history`.
TEST_CASE("show answers now, as of a date and at an entry, history lists the decision chain with its signers", "[cli][show]") {
  SignDemo demo;
  const std::string l = quote(demo.ledger());
  const std::string subject = "MS-TL-TDCTQ";  // the demo's model: surveyed 2023-01, established 2023-03-01, rated 2024
  std::string out;
  auto show = [&](const std::string& extra) {
    REQUIRE(run(kAntq + " show " + l + " " + subject + " --json " + extra, &out) == 0);
    return json::parse(out);
  };
  json now = show("");
  CHECK(now["subject"] == subject);
  CHECK(now["kind"] == "model");
  CHECK(now["stage"] == "active");
  CHECK(now["authority"] == json{{"level", "commune"}, {"unit", "UBND xã Tân Lập"}});
  CHECK(now["founded"] == "2023-03-01");
  CHECK(now["rating"]["year"] == 2024);
  CHECK(now["rating"]["level"] == "good");
  CHECK(now["teams"] == 4);

  // Before the establishment decision: proposed, no authority yet, no rating.
  json before = show("--as-of 2023-02-20");
  CHECK(before["stage"] == "proposed");
  CHECK(before["founded"] == "");
  CHECK(before["rating"].is_null());
  CHECK(before["as_of"]["date"] == "2023-02-20");
  // A date as Vietnamese write it, dd/mm/yyyy (or d/m/yyyy, or with dots), is the same date.
  CHECK(show("--as-of 20/02/2023") == before);
  CHECK(show("--as-of 20.2.2023") == before);
  // The day of the decision, and after its entry (--at), it is established; the rating comes later.
  CHECK(show("--as-of 2023-03-01")["stage"] == "established");
  // Its 7th act is the establishment: survey plan, survey report, proposal, policy, implementation, consultation.
  const std::uint64_t established_seq = now["entries"][6].get<std::uint64_t>();
  json at = show("--at " + std::to_string(established_seq));
  CHECK(at["stage"] == "established");
  CHECK(at["entries"].back() == established_seq);
  CHECK(at["rating"].is_null());
  CHECK(show("--as-of 2024-11-08")["rating"]["level"] == "good");

  // The table is the default.
  REQUIRE(run(kAntq + " show " + l + " " + subject, &out) == 0);
  CHECK_THAT(out, Catch::Contains("stage        active") && Catch::Contains("UBND xã Tân Lập (commune), established 2023-03-01") &&
                      Catch::Contains("2024 good"));

  // history: every act in order, each decision with both signatures described.
  REQUIRE(run(kAntq + " history " + l + " " + subject + " --json", &out) == 0);
  json h = json::parse(out);
  REQUIRE(h["acts"].size() == now["entries"].size());
  CHECK(h["acts"][0]["act"] == "survey.plan-approved");
  const json* established = nullptr;
  for (const json& a : h["acts"])
    if (a["act"] == "model.established") established = &a;
  REQUIRE(established);
  CHECK((*established)["document"]["number"] == "15/QĐ-UBND");
  CHECK((*established)["signatures_valid"] == true);
  REQUIRE((*established)["signatures"].size() == 2);
  for (const json& s : (*established)["signatures"]) {
    CHECK(s["integrity"] == "valid");
    CHECK(s["valid_at_signing_time"] == true);
    CHECK_THAT(s["signing_time"].get<std::string>(), Catch::EndsWith("+07:00"));
    CHECK(s["issuer"] == "CN=antq demo root CA,O=antq-ledger demo");
    CHECK(s["certificate_now"]["status"] == "valid");
    CHECK(s["revocation_now"]["status"] == "not-revoked");
  }
  CHECK((*established)["attachments"][0]["item"] == "6");
  REQUIRE(run(kAntq + " history " + l + " " + subject + " --as-of 2023-02-01 --json", &out) == 0);
  CHECK(json::parse(out)["acts"].size() == 3);  // survey plan, survey report, proposal
  REQUIRE(run(kAntq + " history " + l + " " + subject, &out) == 0);
  CHECK_THAT(out, Catch::Contains("model.established") && Catch::Contains("15/QĐ-UBND") &&
                      Catch::Contains("organisation UBND xã Tân Lập, signed"));

  // Mistakes: one line, exit 2.
  for (const auto& [args, expected] : std::vector<std::pair<std::string, std::string>>{
           {"show " + l + " NO-SUCH", "NO-SUCH: no such subject"},
           {"history " + l + " NO-SUCH", "NO-SUCH: no such subject"},
           {"show " + l + " " + subject + " --as-of 2020-01-01", "had no act as of 2020-01-01"},
           {"show " + l + " " + subject + " --as-of 2023-13-01", "--as-of: expected a date"},
           {"show " + l + " " + subject + " --at 99999", "--at 99999: the ledger has entries 0 to"},
       }) {
    expect_refusal(demo, kAntq + " " + args, expected);
  }
}

}  // namespace
}  // namespace antq::test

namespace antq::test {
namespace {

// design.md §5: `antq dossier DIR SUBJECT [--json]`, and for a whole unit `--unit U`.
TEST_CASE("dossier lists every item of the profile with its status and documents, and a unit's gaps", "[cli][dossier]") {
  SignDemo demo;
  const std::string l = quote(demo.ledger());
  std::string out;
  REQUIRE(run(kAntq + " dossier " + l + " MS-TL-TDCTQ --json", &out) == 0);
  json d = json::parse(out);
  CHECK(d["subject"] == "MS-TL-TDCTQ");
  CHECK(d["profile"] == "hoa-binh-2023");
  REQUIRE(d["items"].size() == 16);
  std::map<std::string, std::string> status;
  for (const json& i : d["items"]) status[i["item"]] = i["status"];
  CHECK(status["1"] == "present");
  CHECK(status["6"] == "present");
  CHECK(status["7"] == "missing");  // the demo model was launched without its regulations
  CHECK(status["12"] == "not-required");
  const json& six = d["items"][5];
  REQUIRE(six["documents"].size() == 1);
  CHECK(six["documents"][0]["number"] == "15/QĐ-UBND");
  CHECK(six["documents"][0]["signers"].size() == 2);
  CHECK(six["documents"][0]["attachments"][0]["held"] == true);
  CHECK(d["completeness"].get<double>() > 0.5);
  CHECK(d["completeness"].get<double>() < 1.0);

  REQUIRE(run(kAntq + " dossier " + l + " MS-TL-TDCTQ", &out) == 0);
  CHECK_THAT(out, Catch::Contains("required items") && Catch::Contains("missing") && Catch::Contains("Kế hoạch khảo sát"));
  REQUIRE(run(kAntq + " dossier " + l + " MS-TL-TDCTQ --as-of 2023-02-20 --json", &out) == 0);
  CHECK(json::parse(out)["counts"]["missing"] == 0);

  REQUIRE(run(kAntq + " dossier " + l + " --unit 'UBND xã Tân Lập' --json", &out) == 0);
  json unit = json::parse(out);
  CHECK(unit["subjects_founded"] == 1);
  REQUIRE(unit["subjects"].size() == 1);
  CHECK(unit["subjects"][0]["subject"] == "MS-TL-TDCTQ");
  CHECK(unit["subjects"][0]["missing"][0]["item"] == "7");
  REQUIRE(run(kAntq + " dossier " + l + " --unit 'UBND xã Tân Lập'", &out) == 0);
  CHECK_THAT(out, Catch::Contains("MS-TL-TDCTQ") && Catch::Contains("missing items 7"));

  for (const auto& [args, expected] : std::vector<std::pair<std::string, std::string>>{
           {"dossier " + l, "give a SUBJECT or --unit UNIT"},
           {"dossier " + l + " NO-SUCH", "NO-SUCH: no such subject"},
           {"dossier " + l + " MS-TL-TDCTQ --at 99999", "--at 99999"},
       }) {
    expect_refusal(demo, kAntq + " " + args, expected);
  }
}

}  // namespace
}  // namespace antq::test

namespace antq::test {
namespace {

TEST_CASE("diff shows what changed in a subject between two dates, and the acts between", "[cli][diff]") {
  SignDemo demo;
  const std::string l = quote(demo.ledger());
  std::string out;
  REQUIRE(run(kAntq + " diff " + l + " MS-TL-TDCTQ --from 2023-02-20 --to 2024-12-31 --json", &out) == 0);
  json d = json::parse(out);
  std::map<std::string, json> changes;
  for (const json& c : d["changes"]) changes[c["field"]] = c;
  CHECK(changes["stage"]["from"] == "proposed");
  CHECK(changes["stage"]["to"] == "active");
  CHECK(changes["founded"]["to"] == "2023-03-01");
  CHECK(changes["ratings.2024"]["to"]["level"] == "good");
  REQUIRE(d["acts"].size() == 6);
  CHECK(d["acts"][0]["act"] == "model.consulted");
  CHECK(d["acts"][1]["act"] == "model.established");
  // Nothing happened between two dates after the last act.
  REQUIRE(run(kAntq + " diff " + l + " MS-TL-TDCTQ --from 2025-01-01 --to 2025-06-30 --json", &out) == 0);
  CHECK(json::parse(out)["changes"].empty());
  REQUIRE(run(kAntq + " diff " + l + " MS-TL-TDCTQ --from 2023-02-20 --to 2024-12-31", &out) == 0);
  CHECK_THAT(out, Catch::Contains("stage              proposed -> active") &&
                      Catch::Contains("authority          - -> UBND xã Tân Lập (commune)"));
  CHECK(run(kAntq + " diff " + l + " MS-TL-TDCTQ --from 2024-12-31 --to 2023-01-01", &out) == 2);
  CHECK_THAT(out, Catch::Contains("is before --from"));
  CHECK(run(kAntq + " diff " + l + " NO-SUCH --from 2023-01-01 --to 2024-01-01", &out) == 2);
}

}  // namespace
}  // namespace antq::test

namespace antq::test {
namespace {

TEST_CASE("audit lists findings with their rule, entry and documents, --strict exits 1, --since filters", "[cli][audit]") {
  SignDemo demo;
  const std::string l = quote(demo.ledger());
  std::string out;
  // The demo model has no yearly report for 2023 nor 2024 (due before 5 November, 000 §III.2.3), its 2024 rating
  // was never sent on, no plan for evaluation year 2025 (due by the end of that year: the seeds give no day), and it
  // lacks dossier items.
  REQUIRE(run(kAntq + " audit " + l + " --as-of 2025-06-30 --json", &out) == 0);
  json a = json::parse(out);
  CHECK(a["today"] == "2025-06-30");
  CHECK(a["counts"]["missing-report"] == 2);
  CHECK(a["counts"]["missing-forwarding"] == 1);
  CHECK_FALSE(a["counts"].contains("missing-rating"));  // rated for 2024; 2023: not 10 months old by 10 November
  CHECK_FALSE(a["counts"].contains("missing-plan"));
  CHECK(a["counts"]["dossier-incomplete"] == 1);
  for (const json& f : a["findings"]) {
    CHECK(f["subject"] == "MS-TL-TDCTQ");
    CHECK(f["seq"].is_number());
    CHECK_FALSE(f["message"].get<std::string>().empty());
    CHECK_FALSE(f["documents"].empty());
  }
  CHECK(run(kAntq + " audit " + l + " --as-of 2025-11-01 --strict", &out) == 1);
  CHECK_THAT(out, Catch::Contains("[missing-plan]") && Catch::Contains("evaluation year 2025"));
  REQUIRE(run(kAntq + " audit " + l + " --as-of 2025-06-30 --since 2025-01-01 --json", &out) == 0);
  for (const json& f : json::parse(out)["findings"]) CHECK(f["date"].get<std::string>() >= "2025-01-01");
  // As of the day after the establishment nothing is due yet.
  REQUIRE(run(kAntq + " audit " + l + " --as-of 2023-03-02 --strict", &out) == 0);
  CHECK_THAT(out, Catch::StartsWith("0 finding(s)"));
  CHECK(run(kAntq + " audit " + l + " --since 2025-13-01", &out) == 2);
}

}  // namespace
}  // namespace antq::test

namespace antq::test {
namespace {

// Issue 3: signatures without signingCertificateV2 (older CMS, `openssl cms -sign` without -cades) are verified,
// and history says so.
TEST_CASE("history says when a signature carries no signingCertificateV2 (an older CMS form, still valid)", "[cli][openssl]") {
  TestLedger t;
  const json act = make_act("model.proposed", "M-OLD", "2023-03-15");
  Bytes body = ledger::encode_body(ledger::act_from_json(act, "a", ".")->act);
  write_file(t.tmp / "body", std::string(body.begin(), body.end()));
  std::string out;
  REQUIRE(run(fmt::format("openssl cms -sign -binary -md sha256 -in {} -signer {} -inkey {} -outform DER -out {}",
                          quote(t.tmp / "body"), quote(t.chair.files.cert), quote(t.chair.files.key),
                          quote(t.tmp / "sig.p7s")), &out) == 0);
  const std::string cms = read_file(t.tmp / "sig.p7s");
  ledger::Submission s;
  s.event.body = body;
  s.event.signatures.push_back({ledger::Role::person, t.chair.fingerprint, Bytes(cms.begin(), cms.end())});
  require_ok(t.append({s}));
  t.ledger.reset();
  REQUIRE(run(kAntq + " history " + quote(t.dir()) + " M-OLD --json", &out) == 0);
  const json sig = json::parse(out)["acts"][0]["signatures"][0];
  CHECK(sig["signing_certificate_v2"] == false);
  CHECK(sig["valid_at_signing_time"] == true);
  REQUIRE(run(kAntq + " history " + quote(t.dir()) + " M-OLD", &out) == 0);
  CHECK_THAT(out, Catch::Contains("no signingCertificateV2 (older CMS form)"));
}

}  // namespace
}  // namespace antq::test

namespace antq::test {
namespace {

TEST_CASE("stats as a table, JSON and CSV, as of a date, a bad format is refused", "[cli][stats]") {
  SignDemo demo;
  const std::string l = quote(demo.ledger());
  std::string out;
  REQUIRE(run(kAntq + " stats " + l + " --format json", &out) == 0);
  json s = json::parse(out);
  CHECK(s["year"] == 2024);
  REQUIRE(s["models"].size() == 1);
  CHECK(s["models"][0]["points"] == 1);
  CHECK(s["models"][0]["teams"] == 4);
  // The names grouped under the row, as the acts write them (projections/names.hpp).
  CHECK(s["models"][0]["variants"] == json::parse(R"([{"name": "Tổ dân cư tự quản về ANTT", "points": 1}])"));
  CHECK(s["ratings"]["good"] == 1);
  CHECK(s["apart"].empty());
  REQUIRE(run(kAntq + " stats " + l + " --format csv", &out) == 0);
  CHECK_THAT(out, Catch::StartsWith("\xEF\xBB\xBFsection,key,value\r\n") &&
                      Catch::Contains("points,Tổ dân cư tự quản về ANTT,1\r\n") &&
                      Catch::Contains("ratings,good,1\r\n"));
  REQUIRE(run(kAntq + " stats " + l + " --as-of 2023-02-20 --format json", &out) == 0);
  CHECK(json::parse(out)["points"] == 0);  // proposed, not yet established
  REQUIRE(run(kAntq + " stats " + l, &out) == 0);
  CHECK_THAT(out, Catch::Contains("model (by name)") && Catch::Contains("ratings 2024: good 1"));
  expect_refusal(demo, kAntq + " stats " + l + " --format xml", "--format");
}

// design.md §5 and issue 5: the half-year and yearly reports as the provinces send them, and reconcile, which
// catches a padded copy.
TEST_CASE("report as a table, CSV, printable HTML and JSON, reconcile passes the report and lists what was padded",
          "[cli][report]") {
  SignDemo demo;
  const std::string l = quote(demo.ledger());
  std::string out;
  REQUIRE(run(kAntq + " report " + l + " 2023", &out) == 0);
  CHECK_THAT(out, Catch::Contains("BÁO CÁO tổng kết năm 2023") && Catch::Contains("2022-11-01 – 2023-10-31") &&
                      Catch::Contains("2023-11-14") && Catch::Contains("Mô hình xây dựng mới (models established)"));
  REQUIRE(run(kAntq + " report " + l + " 2024-H1 --format json", &out) == 0);
  const json half = json::parse(out);
  CHECK(half["from"] == "2023-11-01");
  CHECK(half["to"] == "2024-04-30");
  CHECK(half["as_of"] == "2024-05-14");
  CHECK(half["due"] == "2024-05-15");
  REQUIRE(run(kAntq + " report " + l + " 2024 --format html", &out) == 0);
  CHECK_THAT(out, Catch::StartsWith("<!doctype html>") && Catch::Contains("<meta charset=\"utf-8\">") &&
                      Catch::Contains("@page { size: A4") && Catch::Contains("<td>Tốt</td><td class=\"n\">1</td>") &&
                      Catch::EndsWith("</html>\n"));

  REQUIRE(run(kAntq + " report " + l + " 2024 --format csv", &out) == 0);
  CHECK_THAT(out, Catch::StartsWith("\xEF\xBB\xBFsection,key,value\r\nreport,period,2024\r\nreport,unit,\r\n"
                                    "report,as_of,2024-11-14\r\n") &&
                      Catch::Contains("ratings,good,1\r\n") &&
                      Catch::Contains("points,Tổ dân cư tự quản về ANTT,1\r\n"));
  const fs::path report = demo.tmp / "report-2024.csv";
  write_file(report, out);
  REQUIRE(run(kAntq + " reconcile " + l + " " + quote(report), &out) == 0);
  CHECK_THAT(out, Catch::Contains("0 of ") && Catch::Contains(" figures differ"));

  // A padded copy: more points and a better rating than the ledger holds, a model it does not know, a row left out.
  std::string padded = read_file(report);
  auto replace = [&](const std::string& from, const std::string& to) {
    auto at = padded.find(from);
    REQUIRE(at != std::string::npos);
    padded.replace(at, from.size(), to);
  };
  replace("points,Tổ dân cư tự quản về ANTT,1\r\n", "points,Tổ dân cư tự quản về ANTT,3\r\n");
  replace("ratings,good,1\r\n", "ratings,good,2\r\n");
  replace("exemplars,ended,0\r\n", "");
  padded += "points,\"Camera an ninh, xóm Đông\",4\r\n";
  const fs::path padded_file = demo.tmp / "padded.csv";
  write_file(padded_file, padded);
  REQUIRE(run(kAntq + " reconcile " + l + " " + quote(padded_file) + " --json", &out) == 1);
  const json r = json::parse(out);
  CHECK(r["period"] == "2024");
  REQUIRE(r["differences"].size() == 4);
  std::map<std::string, json> diffs;
  for (const auto& d : r["differences"]) diffs[d["section"].get<std::string>() + "/" + d["key"].get<std::string>()] = d;
  CHECK(diffs.at("points/Tổ dân cư tự quản về ANTT")["reported"] == "3");
  CHECK(diffs.at("points/Tổ dân cư tự quản về ANTT")["ledger"] == "1");
  CHECK(diffs.at("ratings/good")["ledger"] == "1");
  CHECK(diffs.at("points/Camera an ninh, xóm Đông")["ledger"].is_null());
  CHECK(diffs.at("exemplars/ended")["reported"].is_null());
  REQUIRE(run(kAntq + " reconcile " + l + " " + quote(padded_file), &out) == 1);
  CHECK_THAT(out, Catch::Contains("4 of ") && Catch::Contains("(absent)") && Catch::Contains("(none)"));

  // Not a report: one line, exit 2, nothing written.
  write_file(demo.tmp / "quote.csv", "section,key,value\r\nreport,period,\"2024\r\n");
  write_file(demo.tmp / "fields.csv", "section,key,value\r\nreport,period,2024,extra\r\n");
  write_file(demo.tmp / "header.csv", "a,b\r\n");
  write_file(demo.tmp / "anonymous.csv", "section,key,value\r\npoints,X,1\r\n");
  for (const auto& [file, expected] :
       std::vector<std::pair<std::string, std::string>>{{"quote.csv", "never closed"},
                                                        {"fields.csv", "4 fields"},
                                                        {"header.csv", "section,key,value"},
                                                        {"header.csv", "found a,b"},
                                                        {"anonymous.csv", "no report,period"},
                                                        {"nope.csv", "no such file"}})
    expect_refusal(demo, kAntq + " reconcile " + l + " " + quote(demo.tmp / file), expected);
  // The report as a spreadsheet under a Vietnamese locale saves it again: its BOM kept, ';' between the fields
  // (so a name with a comma needs no quotes, and one with a ';' does), and it still reconciles.
  {
    REQUIRE(run(kAntq + " report " + l + " 2024 --format csv", &out) == 0);
    auto records = cli::parse_csv(out, "report.csv");
    REQUIRE(records);
    std::string resaved(cli::kUtf8Bom);
    for (const auto& r : *records) {
      for (std::size_t i = 0; i < r.size(); ++i) {
        const bool quote_it = r[i].find_first_of(";\"") != std::string::npos;
        std::string cell = r[i];
        for (std::size_t at = 0; (at = cell.find('"', at)) != std::string::npos; at += 2) cell.insert(at, "\"");
        resaved += (i ? ";" : "") + (quote_it ? "\"" + cell + "\"" : cell);
      }
      resaved += "\r\n";
    }
    write_file(demo.tmp / "resaved.csv", resaved);
    CHECK(run(kAntq + " reconcile " + l + " " + quote(demo.tmp / "resaved.csv"), &out) == 0);
  }
  // --at: the ledger as it stood after entry 12, before the 2024 rating (entry 13); reconcile reads it back.
  REQUIRE(run(kAntq + " report " + l + " 2024 --at 12 --format csv", &out) == 0);
  CHECK_THAT(out, Catch::Contains("report,at,12\r\n") && Catch::Contains("ratings,good,0\r\n"));
  write_file(demo.tmp / "at-12.csv", out);
  CHECK(run(kAntq + " reconcile " + l + " " + quote(demo.tmp / "at-12.csv"), &out) == 0);
  expect_refusal(demo, kAntq + " report " + l + " 2024 --at 99", "--at 99");
  expect_refusal(demo, kAntq + " report " + l + " 2024-H2", "expected YYYY-H1");
  expect_refusal(demo, kAntq + " report " + l + " 2024 --format pdf", "--format");
}

// The demo a newcomer meets (issue 5): the commune's story, then the district of a few thousand acts, unlawful acts
// refused by rule, and what to read: verification, statistics, dossier gaps, findings, next commands. Then the
// commands it suggests answer on the same ledger.
TEST_CASE("antq demo builds the district at scale and shows what a newcomer should see", "[cli][demo]") {
  TempDir tmp;
  std::string out;
  REQUIRE(run(kAntq + " demo " + quote(tmp.path()), &out) == 0);
  INFO(out);
  for (const char* rule : {"closed", "replication", "one-rating", "authority", "signature"})
    CHECK_THAT(out, Catch::Contains(fmt::format("refused [{}]: ", rule)));
  // The hierarchy and the 2025 reorganisation (generator::Options::registry, reorganise_on): the district's chairman
  // signing after the district was abolished is refused [authority]; the units before and after, the reports' old-to-
  // new table, the ratings counted under the units as they then were.
  const auto abolished = out.find("(unlawful-abolished.json):\n");
  REQUIRE(abolished != std::string::npos);
  const std::string refusal = out.substr(abolished, out.find('\n', out.find('\n', abolished) + 1) - abolished);
  CHECK_THAT(refusal, Catch::Contains("refused [authority]: ") && Catch::Contains("UBND huyện Yên Thủy") &&
                          Catch::Contains("2025-07-01"));
  CHECK_THAT(out, Catch::Contains("== 12. The units as they were: the 2025 reorganisation (unit.reorganised, effective "
                                  "2025-07-01)") &&
                      Catch::Contains("--as-of 2025-06-30\n") && Catch::Contains("ceases 2025-07-01") &&
                      Catch::Contains("ceased 2025-07-01, succeeded by UBND xã Yên Thủy") &&
                      Catch::Contains("no unit had been reorganised by 2025-05-14: no section VII") &&
                      Catch::Contains("VII. Đơn vị sau sắp xếp") &&
                      Catch::Contains("-> UBND xã Yên Thủy, 2025-07-01, abolished") &&
                      Catch::Contains("-> UBND xã Yên Thủy, 2025-07-01, merger") &&
                      Catch::Contains("its successor is UBND xã Yên Thủy"));
  CHECK_THAT(out, Catch::Contains("result       OK: every entry, checkpoint and signature verifies") &&
                      Catch::Contains("antq-ledger.demo/minh-son\n") && Catch::Contains("RFC 9162 verification: OK") &&
                      Catch::Contains("antq verify-bundle: OK") && Catch::Contains("Movement statistics") &&
                      Catch::Contains("reported apart, not in the totals") &&
                      Catch::Contains("the five most incomplete") && Catch::Contains("findings; one of each kind") &&
                      Catch::Contains("Try next:") && !Catch::Contains("ADMITTED"));

  const std::string l = quote(tmp / "ledger");
  REQUIRE(run(kAntq + " verify " + l + " --json", &out) == 0);
  const json verified = json::parse(out);
  CHECK(verified["ok"] == true);
  CHECK(verified["entries"].get<int>() > 2000);  // a few thousand events

  REQUIRE(run(kAntq + " stats " + l + " --format json", &out) == 0);
  const json stats = json::parse(out);
  CHECK(stats["models"].size() >= 10);  // dozens of models, by name
  REQUIRE(stats["replication"].size() == 1);
  CHECK(stats["replication"][0]["origin"] == "YT-M01");
  CHECK(stats["replication"][0]["points"].get<int>() > 100);  // replicated to over a hundred villages
  for (const char* level : {"good", "fair", "average", "weak"}) CHECK(stats["ratings"][level].get<int>() > 0);
  CHECK(stats["exemplars"]["recognized"].get<int>() > 0);
  CHECK(stats["apart"].size() > 0);

  REQUIRE(run(kAntq + " show " + l + " YT-M03 --json", &out) == 0);
  CHECK(json::parse(out)["stage"] == "merged");
  // The units as they were: the commune formed on 2025-07-01 is not there the day before; after, the district and
  // the two communes merged into it have ceased, succeeded by it.
  REQUIRE(run(kAntq + " units " + l + " --as-of 2025-06-30 --json", &out) == 0);
  std::map<std::string, json> before, after;
  const json units_before = json::parse(out);
  for (const auto& u : units_before["units"]) before[u["name"].get<std::string>()] = u;
  REQUIRE(run(kAntq + " units " + l + " --json", &out) == 0);
  const json units_after = json::parse(out);
  for (const auto& u : units_after["units"]) after[u["name"].get<std::string>()] = u;
  // Seen the day before only as the unit its people are bound to (from 2025-07-01), not registered by then.
  CHECK((!before.contains("UBND xã Yên Thủy") || before["UBND xã Yên Thủy"]["registered"] == false));
  REQUIRE(after.contains("UBND xã Yên Thủy"));
  CHECK(after["UBND xã Yên Thủy"]["parent"] == "UBND tỉnh Hòa Bình");
  for (const char* unit : {"UBND huyện Yên Thủy", "UBND xã Lạc Lương", "UBND xã Lạc Sỹ"}) {
    INFO(unit);
    CHECK(before[unit]["ceased"] == false);
    CHECK(after[unit]["ceased"] == true);
    CHECK(after[unit]["successor"] == "UBND xã Yên Thủy");
  }
  CHECK(after["UBND xã Lạc Thịnh"]["ceased"] == false);
  // A commune that survives the abolished district is the province's from that day.
  CHECK(before["UBND xã Lạc Thịnh"]["parent"] == "UBND huyện Yên Thủy");
  CHECK(after["UBND xã Lạc Thịnh"]["parent"] == "UBND tỉnh Hòa Bình");
  CHECK(stats["succeeded"].size() == 3);
  REQUIRE(run(kAntq + " audit " + l + " --json", &out) == 0);
  const json counts = json::parse(out)["counts"];
  for (const char* rule : {"late-decision", "level-mismatch", "missing-report", "dossier-incomplete"})
    CHECK(counts.value(rule, 0) > 0);
  REQUIRE(run(kAntq + " dossier " + l + " --unit 'UBND xã Phú Lai' --json", &out) == 0);
  CHECK(json::parse(out).is_object());
  // The archive story's disposal, under the item whose bytes it destroyed: in the reader's language, its date
  // dd/mm/yyyy in Vietnamese, and the documents column where the status column's widest word ends.
  REQUIRE(run(kAntq + " dossier " + l + " MS-TL-ANXH", &out) == 0);
  CHECK_THAT(out, Catch::Contains("… destroyed under decision 62/QĐ-UBND of ") && Catch::Contains("disposed"));
  REQUIRE(run("LANG=C LC_ALL= LANGUAGE= " + kAntq + " dossier " + l + " MS-TL-ANXH --lang vi", &out) == 0);
  CHECK_THAT(out,
             Catch::Contains("… đã tiêu hủy theo quyết định 62/QĐ-UBND ngày ") && !Catch::Contains("destroyed under"));
  std::set<std::size_t> documents_column;  // where the documents column starts, in columns, on each row
  std::size_t table_rows = 0;
  std::istringstream rows(out);
  for (std::string row; std::getline(rows, row);)
    for (const std::string status : {"đã có", "còn thiếu", "không bắt buộc", "đã hủy", "tình trạng"}) {
      const auto at = row.find(" " + status + " ");
      if (at == std::string::npos || at > 8) continue;  // a status word in the status column only
      documents_column.insert(cli::display_width(row.substr(0, row.find_first_not_of(' ', at + status.size() + 1))));
      ++table_rows;
    }
  CHECK(table_rows == 17);  // the heading and the profile's 16 items
  CHECK(documents_column.size() == 1);

  // The yearly report it wrote reconciles with the ledger.
  fs::path report;
  for (const auto& e : fs::directory_iterator(tmp.path()))
    if (e.path().filename().string().starts_with("report-")) report = e.path();
  REQUIRE(!report.empty());
  REQUIRE(run(kAntq + " reconcile " + l + " " + quote(report), &out) == 0);
  CHECK_THAT(out, Catch::Contains("0 of "));

  CHECK(run(kAntq + " demo " + quote(tmp.path()), &out) == 2);  // not a new directory
  CHECK_THAT(out, Catch::Contains("is not empty"));
}

}  // namespace
}  // namespace antq::test
