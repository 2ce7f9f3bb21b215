// The subject fold (projections/subject.hpp): a model, a point and an exemplar walked through their lives
// (domain.md §2–§5), a merge (Hòa Bình §III.3), and the state's JSON form.
#include "projections/subject.hpp"

#include <catch2/catch.hpp>

namespace antq::projections {
namespace {

using nlohmann::json;

ledger::Act act(const std::string& kind, const std::string& subject, const std::string& date, json data = json::object(),
                const std::string& unit = "UBND xã Tân Lập", const std::string& level = "commune") {
  ledger::Act a;
  a.act = kind;
  a.subject = subject;
  a.date = date;
  a.authority = {level, unit};
  a.data = std::move(data);
  return a;
}

// Folds `acts` (seq = position) into one subject's state.
SubjectState fold(const std::vector<ledger::Act>& acts) {
  std::optional<SubjectState> s;
  for (std::size_t i = 0; i < acts.size(); ++i) s = apply_act(s, acts[i], i);
  return *s;
}

}  // namespace

TEST_CASE("A model through the Ministry baseline's steps, a rating, a reorganisation and its end", "[projections]") {
  std::vector<ledger::Act> acts = {
      act("survey.plan-approved", "M", "2023-01-05"),
      act("survey.reported", "M", "2023-01-20"),
      act("model.proposed", "M", "2023-02-01", {{"name", "Tổ tự quản"}, {"type", "self-managed"}, {"area", "Thôn 1"}}),
      act("model.policy-issued", "M", "2023-02-10"),
      act("model.implementation-issued", "M", "2023-02-15"),
      act("model.consulted", "M", "2023-02-20"),
  };
  SubjectState s = fold(acts);
  CHECK(s.kind == "model");
  CHECK(s.stage == "proposed");
  CHECK(s.founded.empty());

  acts.push_back(act("model.established", "M", "2023-03-01", {{"name", "Tổ tự quản ANTT"}, {"type", "self-managed"}, {"teams", 3}, {"members", 12}}));
  s = fold(acts);
  CHECK(s.stage == "established");
  CHECK(s.name == "Tổ tự quản ANTT");  // the decision's name replaces the proposal's
  CHECK(s.area == "Thôn 1");           // kept from the proposal
  CHECK(s.founded == "2023-03-01");
  CHECK(s.authority.unit == "UBND xã Tân Lập");
  CHECK(s.authority.level == "commune");
  CHECK(s.teams == 3);

  acts.push_back(act("model.launched", "M", "2023-03-15"));
  acts.push_back(act("model.rated", "M", "2024-11-08", {{"year", 2024}, {"level", "good"}}));
  acts.push_back(act("model.reorganized", "M", "2025-01-10", {{"teams", 4}}));
  s = fold(acts);
  CHECK(s.stage == "active");
  REQUIRE(s.latest_rating());
  CHECK(s.latest_rating()->first == 2024);
  CHECK(s.latest_rating()->second.level == "good");
  CHECK(s.latest_rating()->second.seq == 8);  // its position among the acts
  CHECK(s.teams == 4);
  CHECK_FALSE(s.closed());

  acts.push_back(act("model.termination-reported", "M", "2026-01-05"));
  acts.push_back(act("model.terminated", "M", "2026-02-01"));
  s = fold(acts);
  CHECK(s.stage == "terminated");
  CHECK(s.closed());
  CHECK(s.entries.size() == acts.size());
  CHECK(s.acts.at("model.termination-reported").date == "2026-01-05");
  CHECK(s.last_date == "2026-02-01");
}

TEST_CASE("A spontaneous model recognised, and a point of a replicated model", "[projections]") {
  SubjectState recognized = fold({act("model.recognized", "R", "2023-05-01", {{"name", "Tổ hòa giải"}, {"type", "self-managed"}, {"teams", 2}})});
  CHECK(recognized.kind == "model");
  CHECK(recognized.stage == "established");  // recognition plays the role of establishment (Kon Tum §1.c)
  CHECK(recognized.founded == "2023-05-01");

  SubjectState point = fold({act("model.proposed", "M/P001", "2024-02-01", {{"name", "Tổ tự quản"}, {"type", "self-managed"}, {"point_of", "M"}}),
                             act("model.established", "M/P001", "2024-03-01", {{"name", "Tổ tự quản"}, {"type", "self-managed"}, {"teams", 5}, {"point_of", "M"}})});
  CHECK(point.kind == "point");
  CHECK(point.point_of == "M");
  CHECK(point.teams == 5);
}

TEST_CASE("An exemplar from survey to recognition and its end", "[projections]") {
  std::vector<ledger::Act> acts = {
      act("exemplar.surveyed", "E", "2023-04-01", {{"holder", "Nguyễn Văn Bình"}, {"holder_kind", "individual"}, {"area", "Xã Tân Lập"}}),
      act("exemplar.criteria-set", "E", "2023-04-10"),
  };
  SubjectState s = fold(acts);
  CHECK(s.kind == "exemplar");
  CHECK(s.stage == "surveying");
  CHECK(s.name == "Nguyễn Văn Bình");
  acts.push_back(act("exemplar.plan-issued", "E", "2023-05-01"));
  CHECK(fold(acts).stage == "building");
  acts.push_back(act("exemplar.evaluated", "E", "2024-04-01"));
  acts.push_back(act("exemplar.recognized", "E", "2024-04-20", {{"level", "district"}}, "UBND huyện Yên Thủy", "district"));
  s = fold(acts);
  CHECK(s.stage == "recognized");
  CHECK(s.authority.level == "district");
  acts.push_back(act("exemplar.ended", "E", "2025-06-01"));
  CHECK(fold(acts).closed());
}

TEST_CASE("A merge closes the merged models and the new one continues with their teams", "[projections]") {
  auto established = [](const std::string& id, int teams) {
    return fold({act("model.established", id, "2023-03-01", {{"name", id}, {"type", "self-managed"}, {"teams", teams}})});
  };
  SubjectState a = established("A", 3), b = established("B", 2), c = established("C", 1);
  SubjectState merged = apply_act(c, act("model.merged", "C", "2024-06-01", {{"from", {"A", "B"}}, {"name", "Tổ liên gia"}}), 9, {a, b});
  CHECK(merged.teams == 6);
  CHECK(merged.merged_from == std::vector<std::string>{"A", "B"});
  CHECK(merged.name == "Tổ liên gia");
  CHECK(merged.stage == "established");
  SubjectState gone = merged_into(a, "C", "2024-06-01", 9);
  CHECK(gone.stage == "merged");
  CHECK(gone.merged_into == "C");
  CHECK(gone.closed());
}

TEST_CASE("The state's JSON is deterministic and reads back to the same state", "[projections]") {
  SubjectState s = fold({act("model.established", "M", "2023-03-01", {{"name", "Tổ"}, {"type", "linked"}, {"teams", 2}, {"members", {"Xã A", "Xã B"}}}),
                         act("model.rated", "M", "2024-11-08", {{"year", 2024}, {"level", "fair"}}),
                         act("model.rated", "M", "2025-11-07", {{"year", 2025}, {"level", "good"}})});
  const std::string once = s.to_json().dump();
  CHECK(s.to_json().dump() == once);
  auto back = SubjectState::from_json(json::parse(once));
  REQUIRE(back);
  CHECK(*back == s);
  CHECK(back->to_json().dump() == once);
  CHECK_FALSE(SubjectState::from_json(json::parse(R"({"id": "M"})")).has_value());
}

TEST_CASE("to_text writes exactly what to_json().dump() writes, escapes included", "[projections]") {
  SubjectState s = fold({act("model.established", "M", "2023-03-01",
                             {{"name", "Tổ \"An\" \\ tự quản\n\t\x01"}, {"type", "linked"}, {"teams", 2},
                              {"members", {"Xã A", "Xã B"}}, {"area", ""}}),
                         act("model.rated", "M", "2024-11-08", {{"year", 2024}, {"level", "fair"}}),
                         act("model.merged", "M", "2024-12-01", {{"from", {"N"}}})});
  s.points = {"M/P001", "M/P002"};
  s.criteria = {"C1"};
  CHECK(s.to_text() == s.to_json().dump());
  SubjectState empty = fold({act("exemplar.surveyed", "E", "2023-01-01", {{"holder", "Bà B"}})});
  CHECK(empty.to_text() == empty.to_json().dump());
  for (json members : {json(12), json(-3), json(true), json(2.5), json::array(), json::object(),
                       json{{"z", {1, "Xã \"A\""}}, {"a", nullptr}, {"m", {{"k", false}}}}}) {
    empty.members = members;
    CHECK(empty.to_text() == empty.to_json().dump());
  }
}

TEST_CASE("to_text escapes a character wherever it falls in the eight-byte steps of its scan", "[projections]") {
  SubjectState s = fold({act("exemplar.surveyed", "E", "2023-01-01", {{"holder", "Bà B"}})});
  const std::string text = "Mô hình \"Camera an ninh\" của tổ tự quản số 7";  // ASCII and UTF-8, 50 bytes
  for (char special : {'"', '\\', '\n', '\x01', '\x1f', '\x7f', ' '}) {
    for (std::size_t at = 0; at <= text.size(); ++at) {
      if (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xc0) == 0x80) continue;  // inside a letter
      s.name = text.substr(0, at) + special + text.substr(at);
      INFO("character " << static_cast<int>(special) << " at byte " << at);
      REQUIRE(s.to_text() == s.to_json().dump());
    }
  }
  for (int c = 1; c < 0x20; ++c) {
    s.name = std::string(9, 'a') + static_cast<char>(c) + std::string(9, 'b');
    REQUIRE(s.to_text() == s.to_json().dump());
  }
}

}  // namespace antq::projections
