// Hostile input end to end (issue 18, points 3 and 5): what `antq` does with acts that would copy a private key or a
// special file into the permanent record, with special files in place of certificates, keys, CRLs and the rest, and
// with acts built to cost unbounded time or memory. Every one must end with exit 2, one line naming what is wrong,
// and nothing written; every command runs under a time and memory limit, so that a hang or an unbounded read fails
// the test instead of stalling it.
#include <sys/stat.h>

#include <algorithm>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "demo.hpp"

namespace antq::test {
namespace {

// `command` under a time limit (exit 124 when it runs out) and a 4 GiB limit on its heap (RLIMIT_DATA: private
// memory, not LMDB's file mapping of the ledger).
std::string bounded(const std::string& command) { return "ulimit -d 4194304; timeout 60 " + command; }

// The commune demo, and the commands that sign and record as its chairman.
struct HostileDemo : CommuneDemo {
  // `antq sign ACT` by the chairman, into `out`.
  std::string sign(const fs::path& act, const fs::path& out, const std::string& extra = "") const {
    return kAntq + " sign " + quote(act) + " --key " + quote(pki("chair.key")) + " --cert " + quote(pki("chair.crt")) +
           " --role person -o " + quote(out) + " " + extra;
  }
  std::string record(const fs::path& act, const std::string& extra = "") const {
    return CommuneDemo::record(ledger(), act, extra);
  }
};

// Runs `command` (bounded), which must exit 2 with one line containing `expected` and never "internal error", and
// leave the demo ledger byte-identical.
void expect_bad_input(const HostileDemo& demo, const std::string& command, const std::string& expected) {
  const std::string before = demo.data();
  std::string out;
  const int status = run(bounded(command), &out);
  INFO(command << "\n-> " << out.substr(0, 2000));
  CHECK(status == 2);
  CHECK(lines_of(out) == 1);
  CHECK_THAT(out, Catch::Contains(expected));
  CHECK_THAT(out, !Catch::Contains("internal error"));
  CHECK(demo.data() == before);
}

json recognized(const std::string& subject, const std::string& date = "2024-03-01") {
  return json{{"act", "model.recognized"},
              {"subject", subject},
              {"date", date},
              {"document", {{"number", "20/QĐ-UBND"}, {"title", "Quyết định công nhận"}, {"issuer", "UBND xã Tân Lập"}}},
              {"authority", {{"level", "commune"}, {"unit", "UBND xã Tân Lập"}}},
              {"data", {{"name", "Tổ an ninh xung kích"}, {"type", "self-managed"}, {"teams", 3}}}};
}

json with_attachment(json act, const std::string& path) {
  act["attachments"] = json::array({{{"item", "6"}, {"path", path}}});
  return act;
}

}  // namespace

TEST_CASE("The signer's own private key as an attachment is refused by sign and record, in every form",
          "[cli][hostile]") {
  HostileDemo demo;
  const fs::path act = demo.tmp / "act.json";
  const fs::path out = demo.tmp / "act.signed";
  const std::string key = quote(demo.pki("chair.key")), cert = quote(demo.pki("chair.crt"));
  const std::string d = (demo.tmp / "").string();
  for (const std::string& command :
       {"openssl pkcs8 -topk8 -nocrypt -in " + key + " -outform DER -out " + d + "chair.p8",
        "openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:secret -in " + key + " -out " + d + "chair.enc.pem",
        "openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:secret -in " + key + " -outform DER -out " + d + "chair.enc.der",
        "openssl pkcs12 -export -inkey " + key + " -in " + cert + " -passout pass:secret -out " + d + "chair.p12"}) {
    std::string log;
    INFO(command << "\n" << log);
    REQUIRE(run(command, &log) == 0);
  }
  const std::pair<fs::path, std::string> keys[] = {
      {demo.pki("chair.key"), "-----BEGIN PRIVATE KEY-----"},
      {demo.tmp / "chair.p8", "PKCS#8 PrivateKeyInfo"},
      {demo.tmp / "chair.enc.pem", "-----BEGIN ENCRYPTED PRIVATE KEY-----"},
      {demo.tmp / "chair.enc.der", "EncryptedPrivateKeyInfo"},
      {demo.tmp / "chair.p12", "PKCS#12"},
  };
  for (const auto& [file, why] : keys) {
    write_file(act, with_attachment(recognized("MS-KEY"), file.string()).dump());
    expect_bad_input(demo, demo.sign(act, out), "attachments[0].path: " + file.string() + ": ");
    expect_bad_input(demo, demo.sign(act, out), why);
    CHECK_FALSE(fs::exists(out));
    expect_bad_input(demo, demo.record(act), "a private key is never attached");
  }
}

TEST_CASE("A signed event that carries a private key from another tool is refused by append", "[cli][hostile]") {
  HostileDemo demo;
  const std::string key_pem = read_file(demo.pki("chair.key"));
  const Bytes key(key_pem.begin(), key_pem.end());
  json act = recognized("MS-KEY");
  act["attachments"] = json::array({{{"item", "6"}, {"sha256", to_hex(sha256(key))}, {"size", key.size()}}});
  auto input = ledger::act_from_json(act, "act", ".");
  REQUIRE(input);
  ledger::Submission s = cli::unsigned_submission(std::move(*input));
  s.blobs.push_back({sha256(key), key});
  const cli::SignerSpec chair{demo.pki("chair.key").string(), demo.pki("chair.crt").string()};
  const cli::SignerSpec office{demo.pki("office.key").string(), demo.pki("office.crt").string()};
  require_ok(cli::add_signature(s, ledger::Role::person, chair));
  require_ok(cli::add_signature(s, ledger::Role::organisation, office));
  const fs::path signed_event = demo.tmp / "key.signed";
  require_ok(cli::write_submission(signed_event, s));
  expect_bad_input(demo, kAntq + " append " + quote(demo.ledger()) + " " + quote(signed_event),
                   "it holds a private key (a PEM block \"-----BEGIN PRIVATE KEY-----\"); a private key is never admitted");
}

TEST_CASE("Special files never hang or fill memory: /dev/zero, a directory and a FIFO wherever antq reads a file",
          "[cli][hostile]") {
  HostileDemo demo;
  const fs::path fifo = demo.tmp / "fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const fs::path act = demo.tmp / "act.json";
  const fs::path out = demo.tmp / "out.signed";
  write_file(act, recognized("MS-SPECIAL").dump());
  const std::string l = quote(demo.ledger());
  const std::pair<fs::path, std::string> specials[] = {
      {"/dev/zero", "a character device, not a regular file"},
      {demo.tmp / "pki", "a directory, not a regular file"},
      {fifo, "a FIFO (named pipe), not a regular file"},
  };
  for (const auto& [special, why] : specials) {
    const std::string s = quote(special);
    write_file(act, with_attachment(recognized("MS-SPECIAL"), special.string()).dump());
    expect_bad_input(demo, demo.sign(act, out), "attachments[0].path: attachment " + special.string() + ": " + why);
    expect_bad_input(demo, demo.record(act), why);
    write_file(act, recognized("MS-SPECIAL").dump());
    expect_bad_input(demo, kAntq + " sign " + quote(act) + " --key " + quote(demo.pki("chair.key")) + " --cert " + s +
                               " --role person -o " + quote(out),
                     "certificate file " + special.string() + ": " + why);
    expect_bad_input(demo, kAntq + " sign " + quote(act) + " --key " + s + " --cert " + quote(demo.pki("chair.crt")) +
                               " --role person -o " + quote(out),
                     "key file " + special.string() + ": " + why);
    expect_bad_input(demo, kAntq + " sign " + s + " --key " + quote(demo.pki("chair.key")) + " --cert " +
                               quote(demo.pki("chair.crt")) + " --role person -o " + quote(out),
                     "act file " + special.string() + ": " + why);
    expect_bad_input(demo, kAntq + " trust add-crl " + l + " " + s + " --admin " + demo.signer("admin"),
                     "CRL file " + special.string() + ": " + why);
    expect_bad_input(demo, kAntq + " append " + l + " " + s, "signed event file " + special.string() + ": " + why);
    expect_bad_input(demo, kAntq + " verify " + l + " --checkpoint " + s, "checkpoint file " + special.string() + ": " + why);
    expect_bad_input(demo, kAntq + " reconcile " + l + " " + s, "CSV file " + special.string() + ": " + why);
    expect_bad_input(demo, kAntq + " init " + quote(demo.tmp / "new") + " --profile hoa-binh-2023 --trust " + s +
                               " --admin " + quote(demo.pki("admin.crt")),
                     "certificate file " + special.string() + ": " + why);
    CHECK_FALSE(fs::exists(out));
  }
}

TEST_CASE("Acts built to cost unbounded time or memory are refused with one line naming the field", "[cli][hostile]") {
  HostileDemo demo;
  const fs::path act = demo.tmp / "act.json";
  const fs::path out = demo.tmp / "out.signed";
  auto refused = [&](const std::string& text, const std::string& expected) {
    write_file(act, text);
    expect_bad_input(demo, demo.sign(act, out), expected);
    expect_bad_input(demo, demo.record(act), expected);
    CHECK_FALSE(fs::exists(out));
  };
  SECTION("JSON nested 100,000 deep") {
    refused(std::string(100'000, '[') + std::string(100'000, ']'), "nested deeper than 32 levels");
    std::string text = recognized("MS-DEEP").dump();
    text.replace(text.find("\"teams\":3"), 9, "\"teams\":" + std::string(100'000, '[') + std::string(100'000, ']'));
    refused(text, "nested deeper than 32 levels");
  }
  SECTION("a number out of range (1e400)") {
    std::string text = recognized("MS-BIG").dump();
    text.replace(text.find("\"teams\":3"), 9, "\"teams\":1e400");
    refused(text, "number overflow parsing '1e400'");
  }
  SECTION("a 100 MB act") {
    std::string text = recognized("MS-HUGE").dump();
    text.insert(1, std::string(100'000'000, ' '));
    refused(text, "larger than the 1 MiB limit");
  }
  SECTION("a 10 MB title, and a title one character over its limit") {
    json j = recognized("MS-TITLE");
    j["document"]["title"] = std::string(10'000'000, 'x');
    refused(j.dump(), "larger than the 1 MiB limit");
    j["document"]["title"] = std::string(1001, 'x');
    refused(j.dump(), "document.title: 1001 characters, more than the limit of 1000");
  }
  SECTION("100,000 attachments, and one more than the limit") {
    json j = recognized("MS-MANY");
    j["attachments"] = json::array();
    for (int i = 0; i < 100'000; ++i)
      j["attachments"].push_back({{"item", "6"}, {"sha256", std::string(64, 'a')}, {"size", 1}});
    refused(j.dump(), "larger than the 1 MiB limit");
    j["attachments"].get_ref<json::array_t&>().resize(257);
    refused(j.dump(), "attachments: 257 attachments, more than the limit of 256");
  }
  SECTION("dates in 2100") {
    refused(recognized("MS-2100", "2100-01-01").dump(), "date: expected a date YYYY-MM-DD from 2000-01-01 to 2099-12-31");
  }
  SECTION("a document dated after today") {
    const std::string later = signing::format_vietnam_time(signing::now() + 3 * 86400).substr(0, 10);
    write_file(act, recognized("MS-LATER", later).dump());
    expect_bad_input(demo, demo.sign(act, out), "date: the document is dated " + later + ", later than the day of its signing");
    expect_bad_input(demo, demo.record(act), "later than the day of its signing");
  }
  SECTION("targets_met_pct of -10 and 1e300") {
    for (const char* pct : {"-10", "1e300"}) {
      json j = recognized("MS-PCT");
      j["act"] = "model.rated";
      j["data"] = {{"year", 2024}, {"level", "good"}};
      std::string text = j.dump();
      text.replace(text.find("\"level\":\"good\""), 14, std::string("\"level\":\"good\",\"targets_met_pct\":") + pct);
      refused(text, "data.targets_met_pct: expected a number from 0 to 100");
    }
  }
}

TEST_CASE("sign and record with --dry-run show each attachment (item, path, size, SHA-256) and write nothing",
          "[cli][hostile][dry-run]") {
  HostileDemo demo;
  // The act lives in a directory of its own and names its attachment relative to it; antq runs from elsewhere.
  fs::create_directories(demo.tmp / "acts" / "docs");
  const fs::path act = demo.tmp / "acts" / "recognized.json";
  const std::string content = "Quyết định công nhận mô hình (bản scan)\n";
  write_file(demo.tmp / "acts" / "docs" / "qd-20.txt", content);
  json j = recognized("MS-DRY");
  j["attachments"] = json::array({{{"item", "6"}, {"path", "docs/qd-20.txt"}, {"media_type", "text/plain"}},
                                  {{"item", "7"}, {"sha256", std::string(64, 'b')}, {"size", 12345}}});
  write_file(act, j.dump());
  const std::string digest = to_hex(sha256(as_bytes(content)));
  const fs::path resolved = demo.tmp / "acts" / "docs" / "qd-20.txt";
  const fs::path out = demo.tmp / "out.signed";
  const std::string before = demo.data();

  std::string table;
  REQUIRE(run("cd / && " + bounded(demo.sign(act, out, "--dry-run")), &table) == 0);
  INFO(table);
  CHECK_THAT(table, Catch::Contains("model.recognized MS-DRY 2024-03-01: 2 attachments"));
  CHECK_THAT(table, Catch::Contains(fmt::format("6      {:>12}  {}  {}", content.size(), digest, resolved.string())));
  CHECK_THAT(table, Catch::Contains(fmt::format("7      {:>12}  {}  - (not read from a file)", 12345, std::string(64, 'b'))));
  CHECK_THAT(table, Catch::Contains("dry run: nothing signed, nothing written"));
  CHECK_FALSE(fs::exists(out));

  // Without a key: only the act is needed to see what would be attached.
  std::string json_out;
  REQUIRE(run("cd / && " + bounded(kAntq + " sign " + quote(act) + " --dry-run --json"), &json_out) == 0);
  const json listed = json::parse(json_out);
  CHECK(listed["dry_run"] == true);
  CHECK(listed["subject"] == "MS-DRY");
  REQUIRE(listed["attachments"].size() == 2);
  CHECK(listed["attachments"][0] == json{{"item", "6"}, {"path", resolved.string()}, {"media_type", "text/plain"},
                                         {"size", content.size()}, {"sha256", digest}});
  CHECK(listed["attachments"][1]["path"].is_null());

  std::string recorded;
  REQUIRE(run(bounded(kAntq + " record " + quote(demo.ledger()) + " " + quote(act) + " --dry-run"), &recorded) == 0);
  CHECK_THAT(recorded, Catch::Contains(digest));
  CHECK(demo.data() == before);
  CHECK_FALSE(fs::exists(out));

  // Adding the organisation's signature: --dry-run lists what the signed event carries.
  json plain = recognized("MS-DRY");
  plain["attachments"] = json::array({{{"item", "6"}, {"path", "docs/qd-20.txt"}}});
  write_file(act, plain.dump());
  REQUIRE(run(demo.sign(act, out)) == 0);
  std::string second;
  REQUIRE(run(bounded(kAntq + " sign --signed " + quote(out) + " --dry-run"), &second) == 0);
  CHECK_THAT(second, Catch::Contains(digest));
  // Without --dry-run, the usual options are still required.
  expect_bad_input(demo, kAntq + " sign " + quote(act) + " -o " + quote(demo.tmp / "x.signed"), "--key is required");
}

}  // namespace antq::test
