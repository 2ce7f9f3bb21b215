#include "ledger/act.hpp"

#include <catch2/catch.hpp>

#include "ledger/event.hpp"

namespace antq::ledger {
namespace {

using nlohmann::json;

json established() {
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
  auto input = act_from_json(established(), "act.json", ".");
  REQUIRE(input);
  Bytes body = encode_body(input->act);
  CHECK(body.size() % 8 == 0);
  auto back = decode_body(body);
  REQUIRE(back);
  CHECK(act_to_json(*back) == act_to_json(input->act));
  CHECK(encode_body(*back) == body);
}

TEST_CASE("Key order and Unicode normalisation do not change the signed bytes", "[act]") {
  json a = established();
  json b = json::parse(established().dump());  // same content
  // "Đồng Tâm" written decomposed (NFD): D-stroke, o + circumflex + grave, ...
  b["data"]["area"] = "Th\x6f\xcc\x82\xcc\x82n \xc4\x90o\xcc\x82\xcc\x80ng Ta\xcc\x82m";
  a["data"]["area"] = "Th\xc3\xb4\xcc\x82n \xc4\x90\xe1\xbb\x93ng T\xc3\xa2m";
  auto ea = encode_body(act_from_json(a, "a", ".")->act);
  auto eb = encode_body(act_from_json(b, "b", ".")->act);
  CHECK(ea == eb);
}

TEST_CASE("Bad act JSON is refused with a message naming the field", "[act]") {
  json j = established();
  j["act"] = "model.founded";
  CHECK_THAT(error_of(j), Catch::Contains("act: unknown act \"model.founded\""));
  j = established();
  j["colour"] = "red";
  CHECK_THAT(error_of(j), Catch::Contains("colour: unknown field"));
  j = established();
  j["data"]["teams"] = "four";
  CHECK_THAT(error_of(j), Catch::Contains("data.teams: expected an integer, got \"four\""));
  j = established();
  j["data"]["teams"] = 0;
  CHECK_THAT(error_of(j), Catch::Contains("data.teams: expected an integer >= 1"));
  j = established();
  j["data"].erase("name");
  CHECK_THAT(error_of(j), Catch::Contains("data.name: missing"));
  j = established();
  j["data"]["colour"] = 1;
  CHECK_THAT(error_of(j), Catch::Contains("data.colour: unknown field for model.established"));
  j = established();
  j["date"] = "2023-02-30";
  CHECK_THAT(error_of(j), Catch::Contains("date: expected a date YYYY-MM-DD"));
  j = established();
  j["subject"] = "BG LN";
  CHECK_THAT(error_of(j), Catch::Contains("subject: expected 1-64 of"));
  j = established();
  j["authority"]["level"] = "village";
  CHECK_THAT(error_of(j), Catch::Contains("authority.level: expected one of commune"));
  j = established();
  j["attachments"][0]["sha256"] = "xyz";
  CHECK_THAT(error_of(j), Catch::Contains("attachments[0].sha256: expected 64 hex digits"));
  j = established();
  j["subject"] = "ledger";
  CHECK_THAT(error_of(j), Catch::Contains("\"ledger\" is reserved"));
  j = established();
  j["attachments"][0].erase("sha256");
  j["attachments"][0].erase("size");
  j["attachments"][0]["path"] = "/nonexistent/qd.pdf";
  CHECK_THAT(error_of(j), Catch::Contains("cannot read /nonexistent/qd.pdf"));
}

TEST_CASE("Malformed JSON text is refused with the byte where it breaks", "[act]") {
  auto r = parse_act("{\"act\": \"model.launched\",", "x.json", ".");
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::StartsWith("x.json: malformed JSON at byte"));
  CHECK_FALSE(parse_act("", "x.json", "."));
  CHECK_FALSE(parse_act("[1,2]", "x.json", "."));
}

TEST_CASE("Every act kind of acts.md is known and registry acts need the ledger subject", "[act]") {
  CHECK(known_acts().size() == 40);  // 23 model, 8 exemplar, 2 both, 7 registry and records
  for (const char* kind : {"survey.plan-approved", "model.termination-announced", "exemplar.replicated",
                           "commendation.awarded", "document.attached", "archive.transferred"})
    CHECK(is_known_act(kind));
  CHECK(is_registry_act("authority.bound"));
  CHECK(is_registry_act("record.disposed"));
  CHECK_FALSE(is_registry_act("model.rated"));
}

TEST_CASE("Signed bytes that are not canonical are refused when decoded", "[act]") {
  Bytes body = encode_body(act_from_json(established(), "a", ".")->act);
  Bytes longer = body;
  longer.insert(longer.end(), 8, 0);  // a trailing zero word: same message, not canonical
  CHECK(decode_body(longer).error().kind == ErrorKind::bad_input);
  CHECK_FALSE(decode_body(Bytes{}));
  CHECK_FALSE(decode_body(Bytes(7, 0)));
}

TEST_CASE("Flipping any bit of a signed event never crashes the decoder", "[act][fuzz]") {
  Submission s;
  s.event.body = encode_body(act_from_json(established(), "a", ".")->act);
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
