#include "ledger/act.hpp"

#include <catch2/catch.hpp>

#include <limits>

#include "ledger/event.hpp"

namespace antq::ledger {
namespace {

using nlohmann::json;

json established_with_attachment() {
  return json::parse(R"({
    "act": "model.established", "subject": "BG-LN-TLGTQ", "date": "2023-01-15",
    "document": {"number": "15/QĐ-UBND", "title": "Quyết định thành lập mô hình", "issuer": "UBND xã Tiên Hưng"},
    "authority": {"level": "commune", "unit": "UBND xã Tiên Hưng"},
    "attachments": [{"item": "6", "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "size": 4,
                     "media_type": "application/pdf"}],
    "data": {"name": "Tổ liên gia tự quản về ANTT", "type": "self-managed", "area": "Thôn Đồng Tâm", "teams": 4}
  })");
}

std::string error_of(const json& j) {
  auto r = act_from_json(j, "act.json", ".");
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::bad_input);
  return r.error().message;
}

TEST_CASE("The acts.md example reads, encodes canonically and decodes back to the same act", "[act]") {
  auto input = act_from_json(established_with_attachment(), "act.json", ".");
  REQUIRE(input);
  Bytes body = encode_body(input->act);
  CHECK(body.size() % 8 == 0);
  auto back = decode_body(body);
  REQUIRE(back);
  CHECK(act_to_json(*back) == act_to_json(input->act));
  CHECK(encode_body(*back) == body);
}

TEST_CASE("Key order and Unicode normalisation do not change the signed bytes", "[act]") {
  json a = established_with_attachment();
  json b = json::parse(established_with_attachment().dump());  // same content
  // "Đồng Tâm" written decomposed (NFD): D-stroke, o + circumflex + grave, ...
  b["data"]["area"] = "Th\x6f\xcc\x82\xcc\x82n \xc4\x90o\xcc\x82\xcc\x80ng Ta\xcc\x82m";
  a["data"]["area"] = "Th\xc3\xb4\xcc\x82n \xc4\x90\xe1\xbb\x93ng T\xc3\xa2m";
  auto ea = encode_body(act_from_json(a, "a", ".")->act);
  auto eb = encode_body(act_from_json(b, "b", ".")->act);
  CHECK(ea == eb);
}

TEST_CASE("Bad act JSON is refused with a message naming the field", "[act]") {
  json j = established_with_attachment();
  j["act"] = "model.founded";
  CHECK_THAT(error_of(j), Catch::Contains("act: unknown act \"model.founded\""));
  j = established_with_attachment();
  j["colour"] = "red";
  CHECK_THAT(error_of(j), Catch::Contains("colour: unknown field"));
  j = established_with_attachment();
  j["data"]["teams"] = "four";
  CHECK_THAT(error_of(j), Catch::Contains("data.teams: expected an integer, got \"four\""));
  j = established_with_attachment();
  j["data"]["teams"] = 0;
  CHECK_THAT(error_of(j), Catch::Contains("data.teams: expected an integer from 1 to 10000, got 0"));
  j = established_with_attachment();
  j["data"].erase("name");
  CHECK_THAT(error_of(j), Catch::Contains("data.name: missing"));
  j = established_with_attachment();
  j["data"]["colour"] = 1;
  CHECK_THAT(error_of(j), Catch::Contains("data.colour: unknown field for model.established"));
  j = established_with_attachment();
  j["date"] = "2023-02-30";
  CHECK_THAT(error_of(j), Catch::Contains("date: expected a date YYYY-MM-DD"));
  j = established_with_attachment();
  j["subject"] = "BG LN";
  CHECK_THAT(error_of(j), Catch::Contains("subject: expected 1-64 of"));
  j = established_with_attachment();
  j["authority"]["level"] = "village";
  CHECK_THAT(error_of(j), Catch::Contains("authority.level: expected one of commune"));
  j = established_with_attachment();
  j["attachments"][0]["sha256"] = "xyz";
  CHECK_THAT(error_of(j), Catch::Contains("attachments[0].sha256: expected 64 hex digits"));
  j = established_with_attachment();
  j["subject"] = "ledger";
  CHECK_THAT(error_of(j), Catch::Contains("\"ledger\" is reserved"));
  j = established_with_attachment();
  j["attachments"][0].erase("sha256");
  j["attachments"][0].erase("size");
  j["attachments"][0]["path"] = "/nonexistent/qd.pdf";
  CHECK_THAT(error_of(j), Catch::Contains("attachments[0].path: attachment /nonexistent/qd.pdf: no such file"));
}

TEST_CASE("Malformed JSON text is refused with the byte where it breaks", "[act]") {
  auto r = parse_act("{\"act\": \"model.launched\",", "x.json", ".");
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::StartsWith("x.json: malformed JSON at byte"));
  CHECK_FALSE(parse_act("", "x.json", "."));
  CHECK_FALSE(parse_act("[1,2]", "x.json", "."));
}

TEST_CASE("Every act kind of acts.md is known and registry acts need the ledger subject", "[act]") {
  // 23 model, 8 exemplar, 2 both, 12 registry, records, retention, trust, access, 3 unit, ledger.predecessor-sealed,
  // subject.carried-over
  CHECK(known_acts().size() == 50);
  for (const char* kind : {"survey.plan-approved", "model.termination-announced", "exemplar.replicated",
                           "commendation.awarded", "document.attached", "archive.transferred"})
    CHECK(is_known_act(kind));
  CHECK(is_registry_act("authority.bound"));
  CHECK(is_registry_act("record.disposed"));
  CHECK(is_registry_act("trust.crl-added"));
  CHECK(is_registry_act("trust.tsa-added"));
  CHECK(is_registry_act("retention.schedule-adopted"));
  CHECK(is_registry_act("access.granted"));
  CHECK(is_registry_act("access.revoked"));
  CHECK(is_registry_act("unit.registered"));
  CHECK(is_registry_act("unit.reorganised"));
  CHECK(is_registry_act("ledger.predecessor-sealed"));
  CHECK_FALSE(is_registry_act("model.rated"));
  CHECK_FALSE(is_registry_act("subject.carried-over"));  // its subject is the one it carries over
}

TEST_CASE("Signed bytes that are not canonical are refused when decoded", "[act]") {
  Bytes body = encode_body(act_from_json(established_with_attachment(), "a", ".")->act);
  Bytes longer = body;
  longer.insert(longer.end(), 8, 0);  // a trailing zero word: same message, not canonical
  CHECK(decode_body(longer).error().kind == ErrorKind::bad_input);
  CHECK_FALSE(decode_body(Bytes{}));
  CHECK_FALSE(decode_body(Bytes(7, 0)));
}

TEST_CASE("is_body_of agrees with encode_body on every kind of value, list and attachment", "[act]") {
  // decode_body's canonical check writes the body itself (ledger/canonical.hpp); encode_body builds it with Cap'n
  // Proto and canonicalises. They must agree where data words are dropped (0, false, null), where lists of values
  // mix sizes, on nesting, on empty text, lists and objects, and on attachments with and without a size.
  const Act base = act_from_json(established_with_attachment(), "a", ".")->act;
  const json values[] = {
      nullptr, true, false, 0, 1, -1, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(),
      0.0, -0.0, 1.5, std::numeric_limits<double>::infinity(), "", "1234567", "12345678", "Tổ tự quản",
      json::array(), json::object(), json::array({nullptr}), json::array({nullptr, 7, "x", false, 2.5}),
      json::array({json::array(), json::array({json::object()})}), json::array({0, 0, 0}), json::array({true, 0}),
      json{{"b", {{"c", nullptr}, {"a", json::array({1, json{{"d", ""}}})}}}, {"a", 0}}};
  std::size_t checked = 0;
  for (const json& v : values) {
    for (const json& data : {json{{"v", v}}, json{{"a", v}, {"z", json::array({v, v})}}, json{{"list", json::array({v})}}}) {
      Act act = base;
      act.data = data;
      INFO("data " << data.dump());
      const Bytes bytes = encode_body(act);
      CHECK(is_body_of(act, bytes));
      Act other = act;
      other.data["zz"] = 1;
      CHECK_FALSE(is_body_of(other, bytes));
      ++checked;
    }
  }
  for (const std::vector<std::uint64_t>& sizes : std::vector<std::vector<std::uint64_t>>{{}, {0}, {4}, {0, 0}, {0, 9}, {9, 0}}) {
    Act act = base;
    act.attachments.clear();
    for (std::uint64_t size : sizes) act.attachments.push_back({"6", "application/pdf", sha256(as_bytes("x")), size});
    act.document.title = "";
    INFO(sizes.size() << " attachments");
    CHECK(is_body_of(act, encode_body(act)));
    ++checked;
  }
  CHECK(checked == std::size(values) * 3 + 6);
}

TEST_CASE("A body decodes only from its canonical bytes: every one-bit change is refused or re-encodes to itself",
          "[act]") {
  json j = established_with_attachment();
  j["data"]["members"] = json::array({"Xã A", "Xã B"});
  j["data"]["type"] = "linked";
  const Bytes body = encode_body(act_from_json(j, "a", ".")->act);
  std::size_t refused = 0;
  for (std::size_t bit = 0; bit < body.size() * 8; ++bit) {
    Bytes changed = body;
    changed[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    auto decoded = decode_body(changed);
    INFO("bit " << bit);
    if (decoded) CHECK(encode_body(*decoded) == changed);
    else ++refused;
  }
  CHECK(refused > 0);
}

TEST_CASE("Flipping any bit of a signed event never crashes the decoder", "[act][fuzz]") {
  Submission s;
  s.event.body = encode_body(act_from_json(established_with_attachment(), "a", ".")->act);
  s.event.signatures.push_back({Role::person, sha256(as_bytes("cert")), Bytes(100, 0x30)});
  Bytes bytes = encode_submission(s);
  REQUIRE(decode_submission(bytes));
  std::size_t refused = 0;
  for (std::size_t bit = 0; bit < bytes.size() * 8; ++bit) {
    Bytes mutated = bytes;
    mutated[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    auto d = decode_submission(mutated);
    if (!d) { ++refused; continue; }
    (void)decode_body(d->event.body);  // must not crash either
  }
  CHECK(refused > 0);
}

}  // namespace
}  // namespace antq::ledger
