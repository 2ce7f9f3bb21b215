// The limits of an act (docs/act-limits.md): every field refused by name when it holds too much, in JSON as in a
// decoded body; JSON too deep or with numbers out of range; attachments that are not regular files, too large, or
// private keys; and document dates later than the day of signing or admission.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <limits>

#include "ledger/act.hpp"
#include "ledger/replay.hpp"
#include "support.hpp"

namespace antq::ledger {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

json established() {
  return json::parse(R"({
    "act": "model.established", "subject": "BG-LN-TLGTQ", "date": "2023-01-15",
    "document": {"number": "15/QĐ-UBND", "title": "Quyết định thành lập mô hình", "issuer": "UBND xã Tiên Hưng"},
    "authority": {"level": "commune", "unit": "UBND xã Tiên Hưng"},
    "data": {"name": "Tổ liên gia tự quản về ANTT", "type": "self-managed", "area": "Thôn Đồng Tâm", "teams": 4}
  })");
}

json rated(const json& pct) {
  json j = established();
  j["act"] = "model.rated";
  j["data"] = {{"year", 2024}, {"level", "good"}, {"targets_met_pct", pct}};
  return j;
}

// The one-line bad_input `j` is refused with (the test fails when it is admitted).
std::string refusal(const json& j, const fs::path& base = ".") {
  auto r = act_from_json(j, "act.json", base);
  if (r) FAIL("admitted: " << j.dump().substr(0, 200));
  CHECK(r.error().kind == ErrorKind::bad_input);
  return r.error().message;
}

std::string parse_refusal(std::string_view text) {
  auto r = parse_act(text, "act.json", ".");
  if (r) FAIL("admitted");
  CHECK(r.error().kind == ErrorKind::bad_input);
  return r.error().message;
}

// "x" repeated to `n` characters: "ệ" (3 bytes of UTF-8, one character) so that bytes and characters differ.
std::string text_of(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += "ệ";
  return s;
}

// The act's body decoded again, or the reason it is refused.
std::string decode_refusal(const Act& act) {
  auto r = decode_body(encode_body(act));
  if (r) FAIL("decoded");
  return r.error().message;
}

}  // namespace

TEST_CASE("Text fields longer than their limit are refused naming the field, in characters after NFC", "[act][limits]") {
  for (const auto& [field, limit] : {std::pair{"title", 1000}, std::pair{"number", 100}, std::pair{"issuer", 200}}) {
    json j = established();
    j["document"][field] = text_of(static_cast<std::size_t>(limit));
    CHECK(act_from_json(j, "act.json", "."));  // at the limit: fine
    j["document"][field] = text_of(static_cast<std::size_t>(limit) + 1);
    CHECK_THAT(refusal(j), Catch::Contains(fmt::format("act.json: document.{}: {} characters, more than the limit of {}",
                                                        field, limit + 1, limit)));
  }
  json j = established();
  j["document"]["title"] = std::string(10'000'000, 'x');  // a 10 MB title
  CHECK_THAT(refusal(j), Catch::Contains("document.title: 10000000 characters"));
  // Decomposed text counts as its NFC: "e" + circumflex + dot below is one character, "ệ".
  j["document"]["title"] = [] {
    std::string s;
    for (int i = 0; i < 1000; ++i) s += "e\xcc\x82\xcc\xa3";
    return s;
  }();
  CHECK(act_from_json(j, "act.json", "."));
  j = established();
  j["data"]["name"] = text_of(201);
  CHECK_THAT(refusal(j), Catch::Contains("data.name: 201 characters, more than the limit of 200"));
  j = established();
  j["act"] = "model.terminated";
  j["data"] = {{"reason", text_of(10'001)}};
  CHECK_THAT(refusal(j), Catch::Contains("data.reason: 10001 characters"));
}

TEST_CASE("Lists longer than their limit are refused naming the field", "[act][limits]") {
  json j = established();
  j["attachments"] = json::array();
  for (int i = 0; i < 100'000; ++i)
    j["attachments"].push_back({{"item", "6"}, {"sha256", std::string(64, 'a')}, {"size", 1}});
  CHECK_THAT(refusal(j), Catch::Contains("act.json: attachments: 100000 attachments, more than the limit of 256"));
  j["attachments"].get_ref<json::array_t&>().resize(256);
  CHECK(act_from_json(j, "act.json", "."));

  j = established();
  j["act"] = "model.replicated";
  j["data"] = {{"areas", json::array()}};
  for (int i = 0; i < 1001; ++i) j["data"]["areas"].push_back(fmt::format("Thôn {}", i));
  CHECK_THAT(refusal(j), Catch::Contains("data.areas: 1001 items, more than the limit of 1000"));
  j["data"]["areas"] = {text_of(201)};
  CHECK_THAT(refusal(j), Catch::Contains("data.areas[0]: 201 characters"));

  j = established();
  j["act"] = "exemplar.criteria-set";
  j["subject"] = "E-1";
  j["data"] = {{"criteria", json::array()}};
  for (int i = 0; i < 201; ++i) j["data"]["criteria"].push_back({{"id", fmt::format("c{}", i)}, {"text", "Tiêu chí"}});
  CHECK_THAT(refusal(j), Catch::Contains("data.criteria: 201 items"));
  j["data"]["criteria"] = {{{"id", std::string(33, 'c')}, {"text", "Tiêu chí"}}};
  CHECK_THAT(refusal(j), Catch::Contains("data.criteria[0].id: 33 characters"));
}

TEST_CASE("Numbers outside their range are refused naming the field", "[act][limits]") {
  CHECK(act_from_json(rated(0), "act.json", "."));
  CHECK(act_from_json(rated(100), "act.json", "."));
  CHECK(act_from_json(rated(87.5), "act.json", "."));
  for (const json& bad : {json(-10), json(1e300), json(100.5), json(-0.5), json(std::numeric_limits<std::uint64_t>::max())}) {
    INFO(bad.dump());
    CHECK_THAT(refusal(rated(bad)), Catch::Contains("data.targets_met_pct: expected a number from 0 to 100"));
  }
  json j = established();
  j["data"]["teams"] = 10'001;
  CHECK_THAT(refusal(j), Catch::Contains("data.teams: expected an integer from 1 to 10000"));
  j["data"]["teams"] = std::numeric_limits<std::uint64_t>::max();  // would read as -1 as an int64
  CHECK_THAT(refusal(j), Catch::Contains("data.teams: expected an integer from 1 to 10000"));
  j["data"]["teams"] = 4;
  j["data"]["members"] = 1'000'001;
  CHECK_THAT(refusal(j), Catch::Contains("data.members: expected an integer from 0 to 1000000"));
  j = rated(90);
  j["data"]["year"] = 2100;
  CHECK_THAT(refusal(j), Catch::Contains("data.year: expected a year from 2000 to 2099"));

  // In a decoded body, NaN and infinity, which JSON text cannot hold.
  Act act = act_from_json(rated(90), "a", ".")->act;
  for (double x : {std::nan(""), std::numeric_limits<double>::infinity(), 1e300}) {
    act.data["targets_met_pct"] = x;
    CHECK_THAT(decode_refusal(act), Catch::Contains("data.targets_met_pct"));
  }
}

TEST_CASE("Dates outside 2000-01-01..2099-12-31 are refused, in the envelope and in data", "[act][limits]") {
  json j = established();
  for (const char* date : {"2100-01-01", "1999-12-31", "2099-02-29"}) {
    j["date"] = date;
    CHECK_THAT(refusal(j), Catch::Contains("act.json: date: expected a date YYYY-MM-DD from 2000-01-01 to 2099-12-31"));
  }
  j["date"] = "2099-12-31";
  CHECK(act_from_json(j, "act.json", "."));
  json bound = {{"act", "authority.bound"}, {"subject", "ledger"}, {"date", "2023-01-02"},
                {"data", {{"certificate", std::string(64, 'a')}, {"role", "person"}, {"unit", "UBND xã A"},
                          {"level", "commune"}, {"from", "2023-01-01"}, {"to", "2100-01-01"}}}};
  CHECK_THAT(refusal(bound), Catch::Contains("data.to: expected a date"));
  json report = established();
  report["act"] = "model.report-filed";
  report["data"] = {{"period", "2100-H1"}};
  CHECK_THAT(refusal(report), Catch::Contains("data.period"));
}

TEST_CASE("A document dated later than the day of signing or admission is refused", "[act][limits]") {
  Act act = act_from_json(established(), "a", ".")->act;
  const signing::UnixTime noon = *signing::parse_time("2023-01-15T12:00:00+07:00");
  CHECK(check_document_date(act, noon, "admission"));
  CHECK(check_document_date(act, noon - 12 * 3600, "admission"));  // 00:00 Vietnam time, the same day
  auto late = check_document_date(act, noon - 12 * 3600 - 1, "admission");  // 23:59:59 the day before
  REQUIRE_FALSE(late);
  CHECK(late.error().message ==
        "date: the document is dated 2023-01-15, later than the day of its admission (2023-01-14, Vietnam time)");
}

TEST_CASE("verify's replay refuses an entry whose document is dated after its recordedAt", "[act][limits][replay]") {
  const Bytes body = encode_body(act_from_json(established(), "a", ".")->act);  // dated 2023-01-15
  auto stored = [&](const std::string& recorded_at) {
    StoredEntry it;
    it.seq = 7;
    const Bytes bytes = encode_entry(Entry{7, recorded_at, {body, {}}});
    decode_stored(bytes, it);
    return it;
  };
  CHECK_FALSE(stored("2023-01-15T01:00:00Z").failure);
  auto early = stored("2023-01-13T01:00:00Z");
  REQUIRE(early.failure);
  CHECK_THAT(early.failure->str(),
             Catch::Contains("date: the document is dated 2023-01-15, later than the day of its admission"));
  // Said in Vietnamese, the day's word too ("admission" is a word of the catalogue, not a value left in English).
  CHECK_THAT(early.failure->str(i18n::Lang::vi),
             Catch::Contains("15/01/2023") && Catch::Contains("vào sổ") && !Catch::Contains("admission"));
}

TEST_CASE("JSON nested too deep and numbers out of range are refused with one line", "[act][limits]") {
  CHECK_THAT(parse_refusal(std::string(100'000, '[') + std::string(100'000, ']')),
             Catch::Contains("act.json: nested deeper than 32 levels"));
  json j = established();
  std::string deep = std::string(40, '[') + std::string(40, ']');
  std::string text = j.dump();
  text.replace(text.find("\"Thôn Đồng Tâm\""), std::string("\"Thôn Đồng Tâm\"").size(), deep);
  CHECK_THAT(parse_refusal(text), Catch::Contains("nested deeper than 32"));
  // 32 levels are read (and refused for what they are, not for their depth).
  text = j.dump();
  text.replace(text.find("\"Thôn Đồng Tâm\""), std::string("\"Thôn Đồng Tâm\"").size(),
               std::string(30, '[') + std::string(30, ']'));
  CHECK_THAT(parse_refusal(text), Catch::Contains("data.area: expected text, got [...]"));

  text = j.dump();
  text.replace(text.find("\"teams\":4"), 9, "\"teams\":1e400");
  CHECK_THAT(parse_refusal(text), Catch::Contains("act.json: number overflow parsing '1e400'"));
  // The whole text is capped before it is parsed.
  CHECK_THAT(parse_refusal(std::string(kMaxActJsonBytes + 1, ' ')), Catch::Contains("more than the limit of 1 MiB"));
}

TEST_CASE("Deep values given by a program are described without recursion", "[act][limits]") {
  json j = established();
  json deep = json::array();
  for (int i = 0; i < 100'000; ++i) {
    json outer = json::array();
    outer.push_back(std::move(deep));
    deep = std::move(outer);
  }
  j["data"]["area"] = std::move(deep);
  CHECK_THAT(refusal(j), Catch::Contains("data.area: expected text, got [...]"));
}

TEST_CASE("A decoded body is held to the same limits as JSON", "[act][limits]") {
  const Act base = act_from_json(established(), "a", ".")->act;
  Act act = base;
  act.document.title = text_of(1001);
  CHECK_THAT(decode_refusal(act), Catch::Contains("body: document.title: 1001 characters"));
  act = base;
  act.authority.unit = text_of(201);
  CHECK_THAT(decode_refusal(act), Catch::Contains("body: authority.unit: 201 characters"));
  act = base;
  act.date = "2100-01-01";
  CHECK_THAT(decode_refusal(act), Catch::Contains("body: date"));
  act = base;
  act.attachments.assign(257, {"6", "application/pdf", sha256(as_bytes("x")), 1});
  CHECK_THAT(decode_refusal(act), Catch::Contains("body: attachments: 257 attachments"));
  act = base;
  act.attachments.assign(1, {std::string(33, '6'), "application/pdf", sha256(as_bytes("x")), 1});
  CHECK_THAT(decode_refusal(act), Catch::Contains("body: attachments[0].item: 33 characters"));
  act = base;
  act.data["teams"] = 10'001;
  CHECK_THAT(decode_refusal(act), Catch::Contains("body: data.teams"));
  act = base;
  act.act = "record.held";
  act.subject = kLedgerSubject;
  act.data = {{"targets", json::array()}};
  for (int i = 0; i < 10'001; ++i) act.data["targets"].push_back(to_hex(sha256(as_bytes(std::to_string(i)))));
  CHECK_THAT(decode_refusal(act), Catch::Contains("body: data.targets: 10001 items"));
  // A body over 2 MiB: 40,000 digests of 64 characters make about 3.5 MiB.
  for (int i = 10'001; i < 40'000; ++i) act.data["targets"].push_back(to_hex(sha256(as_bytes(std::to_string(i)))));
  CHECK_THAT(decode_refusal(act), Catch::Contains("more than the limit of 2 MiB"));
}

TEST_CASE("Attachments are read only from regular files, relative to the act, within the size limits", "[act][limits]") {
  test::TempDir tmp;
  fs::create_directories(tmp / "acts" / "docs");
  test::write_file(tmp / "acts" / "docs" / "qd.txt", "Quyết định");
  json j = established();
  auto attach = [&](const std::string& path) {
    j["attachments"] = json::array({{{"item", "6"}, {"path", path}}});
    return j;
  };
  // Relative paths are read from the act's directory, whatever the working directory is.
  auto input = act_from_json(attach("docs/qd.txt"), "act.json", tmp / "acts");
  if (!input) FAIL(input.error().line());
  CHECK(input->act.attachments[0].size == std::string("Quyết định").size());
  CHECK(input->attachment_sources[0] == tmp / "acts" / "docs" / "qd.txt");
  CHECK_THAT(refusal(attach("docs/qd.txt"), tmp.path()), Catch::Contains("no such file"));

  CHECK_THAT(refusal(attach("/dev/zero")), Catch::Contains("attachments[0].path: attachment /dev/zero: a character device"));
  CHECK_THAT(refusal(attach((tmp / "acts").string())), Catch::Contains("a directory, not a regular file"));
  REQUIRE(::mkfifo((tmp / "fifo").c_str(), 0600) == 0);
  CHECK_THAT(refusal(attach((tmp / "fifo").string())), Catch::Contains("a FIFO (named pipe), not a regular file"));

  // Sizes: a sparse file one byte over the limit is refused from its size, before it is read.
  auto sparse = [&](const std::string& name, off_t size) {
    const fs::path p = tmp / name;
    const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(fd >= 0);
    REQUIRE(::ftruncate(fd, size) == 0);
    ::close(fd);
    return p.string();
  };
  CHECK_THAT(refusal(attach(sparse("big", static_cast<off_t>(kMaxAttachmentBytes) + 1))),
             Catch::Contains("larger than the 64 MiB limit"));
  j["attachments"] = json::array();
  for (int i = 0; i < 4; ++i)
    j["attachments"].push_back({{"item", "6"}, {"path", sparse(fmt::format("part{}", i), kMaxAttachmentBytes)}});
  const std::string message = refusal(j);
  CHECK_THAT(message, Catch::Contains("attachments[3].path"));
  CHECK_THAT(message, Catch::Contains("exceed the limit of 192 MiB together"));
}

TEST_CASE("An attachment that holds a private key is refused, naming it and why", "[act][limits]") {
  test::TempDir tmp;
  test::Pki pki(tmp / "pki");
  const test::Identity chair = pki.issue("chair");
  json j = established();
  j["attachments"] = json::array({{{"item", "6"}, {"path", chair.files.key}}});
  CHECK_THAT(refusal(j), Catch::Contains("attachments[0].path: " + chair.files.key +
                                         ": it holds a private key (a PEM block \"-----BEGIN PRIVATE KEY-----\")"));
  j["attachments"] = json::array({{{"item", "6"}, {"path", chair.files.cert}}});  // a certificate is fine
  CHECK(act_from_json(j, "act.json", "."));
}

TEST_CASE("Admission refuses a private key sent as attachment content by any tool", "[act][limits][ledger]") {
  test::TestLedger t;
  const std::string key_pem = test::read_file(t.chair.files.key);
  const Bytes key(key_pem.begin(), key_pem.end());
  json j = test::make_act("survey.plan-approved", "MS-KEY", "2023-03-01", {{"purpose", "khảo sát tình hình ANTT"}});
  j["attachments"] = json::array({{{"item", "1"}, {"sha256", to_hex(sha256(key))}, {"size", key.size()}}});
  auto input = act_from_json(j, "act", ".");
  REQUIRE(input);
  Submission s = cli::unsigned_submission(std::move(*input));
  s.blobs.push_back({sha256(key), key});
  test::require_ok(cli::add_signature(s, Role::person, t.chair.files));
  test::require_ok(cli::add_signature(s, Role::organisation, t.office.files));
  const std::string before = t.data_bytes();
  auto r = t.append({s});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::bad_input);
  CHECK_THAT(r.error().message, Catch::Contains("attachment " + to_hex(sha256(key)) + ": it holds a private key"));
  CHECK(t.data_bytes() == before);
}

TEST_CASE("Admission refuses a document dated later than its day", "[act][limits][ledger]") {
  test::TestLedger t;
  const std::string tomorrow = signing::format_vietnam_time(signing::now() + 2 * 86400).substr(0, 10);
  json j = test::make_act("survey.plan-approved", "MS-LATER", tomorrow, {{"purpose", "khảo sát tình hình ANTT"}});
  auto input = act_from_json(j, "act", ".");
  REQUIRE(input);
  Submission s = cli::unsigned_submission(std::move(*input));
  // `antq sign` refuses it already...
  auto signed_now = cli::add_signature(s, Role::person, t.chair.files);
  REQUIRE_FALSE(signed_now);
  CHECK_THAT(signed_now.error().message, Catch::Contains("later than the day of its signing"));
  // ... and admission refuses it from any other tool.
  s.event.signatures.clear();
  auto key = signing::PrivateKey::load(t.chair.files.key);
  REQUIRE(key);
  auto cms = signing::cms_sign(s.event.body, *key, t.chair.certificate);
  REQUIRE(cms);
  s.event.signatures.push_back({Role::person, t.chair.fingerprint, *cms});
  const std::string before = t.data_bytes();
  auto r = t.append({s});
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::Contains("date: the document is dated " + tomorrow + ", later than the day of its admission"));
  CHECK(t.data_bytes() == before);
}

TEST_CASE("docs/act-limits.md lists every limit as the code applies it", "[act][limits][docs]") {
  std::ifstream in(std::string(ANTQ_SOURCE_DIR) + "/docs/act-limits.md");
  REQUIRE(in.good());
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const FieldLimitRow& row : act_field_limits()) {
    const std::string line = fmt::format("| `{}` | {} |", row.field, row.limit);
    INFO(line);
    CHECK_THAT(doc, Catch::Contains(line));
  }
}

}  // namespace antq::ledger
