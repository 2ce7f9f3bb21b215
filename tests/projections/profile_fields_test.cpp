// Every field of a profile is read (issue 21, "Done when": "Every profile JSON field is either used by the engine or
// removed; a test fails if a profile carries a field no code reads"; projections/profiles/README.md, "Every field has
// a row"). The test lists every leaf path of every format-2 file compiled in (list elements as [*], the keys of
// names.abbreviations and of a unit report tier's kinds as *), and wants each path in exactly one of three lists:
//   - kProse: the leaves for people only (`cite`, `note`), read by nobody on purpose;
//   - the rows: each changes the value in a profile's text (a figure, a rule, an entry dropped) and watches the
//     engine's answer on a small scenario change (an admission, a finding, a report figure, a dossier item, the
//     summary `antq profile` prints);
//   - kNotYetObserved: paths the engine reads (the file that reads each is named) for which no row is written yet.
//     It only shrinks: a path there must exist, and must not have a row too.
// A path in none of them fails the test: a profile then carries a field that no code is shown to read. An empty list
// or object (`replaces: []`) is covered by the rows of its elements.
#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "projections/admission.hpp"
#include "projections/audit.hpp"
#include "projections/dossier.hpp"
#include "projections/lifecycle.hpp"
#include "projections/profile.hpp"
#include "projections/profile_view.hpp"
#include "projections/report.hpp"
#include "projections/retention.hpp"
#include "bac_giang_units.hpp"
#include "support.hpp"

namespace antq::projections {
namespace {

using nlohmann::json;
using test::make_act;
using test::TestLedger;

// ---- leaf paths ---------------------------------------------------------------------------------------------------

void leaves(const json& v, const std::string& path, std::set<std::string>& out) {
  if (v.is_object()) {
    if (v.empty()) out.insert(path + "{}");
    for (const auto& [key, x] : v.items()) {
      // Keys that are data, not fields: an abbreviation, a level of unit.
      const std::string k = path == "names.abbreviations" || path == "unit_reports.tiers[*].kinds" ? "*" : key;
      leaves(x, path.empty() ? k : path + "." + k, out);
    }
  } else if (v.is_array()) {
    if (v.empty()) out.insert(path + "[]");
    for (const auto& x : v) leaves(x, path + "[*]", out);
  } else {
    out.insert(path);
  }
}

std::set<std::string> leaves_of(const std::string& text) {
  std::set<std::string> out;
  leaves(json::parse(text), "", out);
  return out;
}

// Prose: what people read, no code (Fields::done() in profile.cpp allows them anywhere).
const std::set<std::string> kProse = {"cite", "note"};

bool is_prose(const std::string& path) {
  const auto dot = path.rfind('.');
  return kProse.contains(dot == std::string::npos ? path : path.substr(dot + 1));
}

// ---- the engine's answers under a profile text --------------------------------------------------------------------

const json kYenThuy = {{"level", "district"}, {"unit", "UBND huyện Yên Thủy"}};

Result<Profile> parsed(const std::string& text) { return parse_profile(text, "mutated.json"); }

// What `antq profile` prints of it (projections/profile_view.hpp), or the parser's refusal.
std::string summary(const std::string& text) {
  auto p = parsed(text);
  return p ? profile_summary(*p).dump() : "profile refused: " + p.error().message;
}

// The acts judged one after another by the lifecycle rules (judge_act), each state kept in memory: "ok" or the
// refusal of each act, one line each.
std::string judged(const std::string& text, const std::vector<json>& acts) {
  auto p = parsed(text);
  if (!p) return "profile refused: " + p.error().message;
  std::map<std::string, SubjectState> states;
  std::string out;
  std::uint64_t seq = 10;
  for (const json& a : acts) {
    auto input = ledger::act_from_json(a, "act", ".");
    if (!input) FAIL(input.error().line());
    const SubjectLookup lookup = [&](const std::string& id) -> std::optional<SubjectState> {
      auto it = states.find(id);
      if (it == states.end()) return std::nullopt;
      return it->second;
    };
    auto r = judge_act(*p, input->act, seq++, lookup);
    out += fmt::format("{} {} {}: ", a["act"].get<std::string>(), a["subject"].get<std::string>(), a["date"].get<std::string>());
    if (!r) {
      out += r.error().line() + "\n";
      continue;
    }
    for (auto& s : *r) states[s.id] = std::move(s);
    out += "ok\n";
  }
  return out;
}

// The baseline's six steps on the six days before `date` and the establishment decision of `date`, less the steps
// named in `skip`.
std::vector<json> founding(const std::string& id, const std::string& date, const json& data, const json& unit = test::kCommune,
                           const std::set<std::string>& skip = {}) {
  std::vector<json> out;
  for (json& a : test::founding_acts(id, date, data, unit))
    if (!skip.contains(a["act"].get<std::string>())) out.push_back(std::move(a));
  return out;
}

std::vector<json> plus(std::vector<json> a, const std::vector<json>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

const json kSelfManaged = {{"name", "Tổ tự quản"}, {"type", "self-managed"}, {"teams", 1}};
const json kLinked = {{"name", "Cụm an ninh liên hoàn"}, {"type", "linked"}, {"teams", 1}};

std::string record_outcome(TestLedger& t, const json& act) {
  auto r = t.record(act, is_decision_act(act["act"].get<std::string>()));
  return fmt::format("{} {} {}: {}\n", act["act"].get<std::string>(), act["subject"].get<std::string>(),
                     act["date"].get<std::string>(), r ? std::string("ok") : r.error().line());
}

// The Hòa Bình-shaped scenario most rows watch: two self-managed models founded in February 2023 with names that
// differ only by the abbreviation ANTT, a linked one, a Dân vận khéo one; M1's rating of 2024 proposed, decided and
// forwarded late, good at 60 %; M2 rated weak and given a plan for 2025. The commune files no unit report.
void hoa_binh_scenario(TestLedger&, const std::function<void(const json&)>& act) {
  auto found = [&](const std::string& id, const json& data) {
    for (const json& a : test::founding_acts(id, "2023-02-01", data)) act(a);
    act(make_act("model.launched", id, "2023-02-10"));
  };
  found("M1", {{"name", "Tổ tự quản về ANTT"}, {"type", "self-managed"}, {"teams", 2}});
  act(make_act("model.plan-issued", "M1", "2023-11-20", {{"year", 2024}, {"targets", 10}}));
  act(make_act("model.report-filed", "M1", "2024-05-10", {{"period", "2024-H1"}, {"targets_met", 2}}));
  act(make_act("model.rating-proposed", "M1", "2024-11-06", {{"year", 2024}, {"level", "good"}}));
  act(make_act("model.rated", "M1", "2024-11-12", {{"year", 2024}, {"level", "good"}, {"targets_met_pct", 60}}));
  act(make_act("model.rating-forwarded", "M1", "2024-11-20", {{"year", 2024}, {"to", "Công an tỉnh"}}));
  found("M2", {{"name", "Tổ tự quản về an ninh, trật tự"}, {"type", "self-managed"}, {"teams", 1}});
  act(make_act("model.rated", "M2", "2024-11-08", {{"year", 2024}, {"level", "weak"}, {"targets_met_pct", 30}}));
  act(make_act("model.plan-issued", "M2", "2024-11-20", {{"year", 2025}, {"targets", 5}}));
  found("L1", kLinked);
  found("D1", {{"name", "Dân vận khéo giữ bình yên"}, {"type", "self-managed"}, {"teams", 1}, {"movement", "dan-van-kheo"}});
}

// Hòa Bình's exemplars: E1 evaluated 13 months after its build plan, claiming every common criterion with no
// commendation, recognised, then meeting 2 of its 3 criteria; E2 only planned.
void exemplar_scenario(TestLedger&, const std::function<void(const json&)>& act) {
  const json criteria = {{"criteria", {{{"id", "C1"}, {"text", "a"}}, {{"id", "C2"}, {"text", "b"}}, {{"id", "C3"}, {"text", "c"}}}}};
  for (const char* id : {"E1", "E2"}) {
    act(make_act("exemplar.surveyed", id, "2023-02-01", {{"holder", "Nguyễn Văn An"}}));
    act(make_act("exemplar.criteria-set", id, "2023-02-10", criteria));
    act(make_act("exemplar.plan-issued", id, "2023-03-01"));
  }
  act(make_act("exemplar.evaluated", "E1", "2024-04-01",
               {{"met", {"C1", "C2", "C3", "EX.C1", "EX.C2", "EX.C3", "EX.C4", "EX.C5"}}}));
  act(make_act("exemplar.recognized", "E1", "2024-05-01", {{"level", "commune"}}));
  act(make_act("exemplar.evaluated", "E1", "2025-01-15", {{"met", {"C1", "C2"}}}));
}

// Bắc Giang: a model founded by its two steps under the other name of a standard one (004 Phụ lục I.1).
void bac_giang_names(TestLedger&, const std::function<void(const json&)>& act) {
  const json data = {{"name", "Cụm dân cư an toàn"}, {"type", "self-managed"}, {"teams", 1}};
  act(make_act("model.proposed", "B1", "2023-03-01", {{"name", "Cụm dân cư an toàn"}, {"type", "self-managed"}}));
  act(make_act("model.consulted", "B1", "2023-03-05"));
  act(make_act("model.established", "B1", "2023-03-10", data));
}

enum class View { audit, report, dossier_m1, dossier_l1, dossier_k1, dossier_e2 };

std::string view_of(TestLedger& t, View v) {
  switch (v) {
    case View::audit: {
      auto all = audit(*t.ledger, "2025-12-31", AsOf{"2025-12-31", std::nullopt});
      if (!all) return "audit: " + all.error().line();
      std::string out;
      for (const auto& f : *all)
        out += fmt::format("{} {} {} {}: {}\n", f.subject, f.rule, f.date, f.unit, f.message.str());
      return out;
    }
    case View::report: {
      auto r = periodic_report(*t.ledger, "2024", "", std::nullopt, "2025-12-31");
      if (!r) return "report: " + r.error().line();
      std::string out = "basis " + r->basis + "\n";
      for (const auto& f : report_figures(*r)) out += fmt::format("{},{},{}\n", f.section, f.key, f.value);
      return out;
    }
    case View::dossier_m1:
    case View::dossier_l1:
    case View::dossier_k1:
    case View::dossier_e2: {
      const char* id = v == View::dossier_m1 ? "M1" : v == View::dossier_l1 ? "L1" : v == View::dossier_k1 ? "K1" : "E2";
      auto d = dossier_of(*t.ledger, id, AsOf{"2025-12-31", std::nullopt});
      if (!d) return "dossier: " + d.error().line();
      std::string out;
      for (const auto& e : d->items)
        out += fmt::format("{} {} ({}): {} {}\n", e.item.item, e.item.title, e.item.en, e.status, e.reason.str());
      return out;
    }
  }
  return "";
}

std::string on_ledger(const std::string& id, const std::string& text, View v,
                      void (*setup)(TestLedger&, const std::function<void(const json&)>&)) {
  if (auto p = parsed(text); !p) return "profile refused: " + p.error().message;
  TestLedger t(id, "p256", test::StoredProfile::today, text);
  std::string outcomes;
  setup(t, [&](const json& a) { outcomes += record_outcome(t, a); });
  return outcomes + view_of(t, v);
}

// Kon Tum: a model rated Good for 2023 and replicated; its two points, founded in January 2024, rated Weak for 2025
// (none of them effective).
void kon_tum_replication(TestLedger& t, const std::function<void(const json&)>& act) {
  t.bind_commune_from("2022-01-01");
  for (const json& a : test::founding_acts("R", "2022-11-15", kSelfManaged)) act(a);
  act(make_act("model.launched", "R", "2022-11-20"));
  act(make_act("model.rated", "R", "2023-11-08", {{"year", 2023}, {"level", "good"}, {"targets_met_pct", 95}}));
  act(make_act("model.replicated", "R", "2023-12-01", {{"areas", {"Thôn A", "Thôn B"}}}));
  for (const char* p : {"R/P001", "R/P002"}) {
    for (const json& a : test::founding_acts(p, "2024-01-10", kSelfManaged)) act(a);
    act(make_act("model.launched", p, "2024-01-15"));
    act(make_act("model.rated", p, "2025-11-08", {{"year", 2025}, {"level", "weak"}, {"targets_met_pct", 30}}));
  }
}

// Kon Tum: a spontaneous model recognised on its proposal.
void kon_tum_recognition(TestLedger&, const std::function<void(const json&)>& act) {
  act(make_act("model.proposed", "K1", "2023-03-01", {{"name", "Tổ tự quản"}, {"type", "self-managed"}}));
  act(make_act("model.recognized", "K1", "2023-03-10", kSelfManaged));
}

// The profile's retention schedule applied to one file's documents (row_for, judge_document) on 2040-06-01: each
// record's class, its title and source, period, clock, due day, status and whether it is provisional.
std::string retained(const std::string& text) {
  auto p = parsed(text);
  if (!p) return "profile refused: " + p.error().message;
  if (!p->retention) return "no schedule";
  auto facts = [](const std::string& act, const std::string& item, int year, const std::string& period = "",
                  const std::string& level = "") {
    RecordFacts f;
    f.subject = "M1";
    f.act = act;
    f.item = item;
    f.date = fmt::format("{}-05-10", year);
    f.year = year;
    f.report_period = period;
    f.level = level;
    f.seq = 20;
    return f;
  };
  const std::vector<RecordFacts> documents = {
      facts("model.report-filed", "10", 2024, "half-year"), facts("model.report-filed", "10", 2024, "adhoc"),
      facts("model.plan-issued", "9", 2024),
      facts("commendation.awarded", "13", 2024, "", "commune"), facts("commendation.awarded", "13", 2024, "", "province"),
      facts("model.established", "6", 2023), facts("document.attached", "15", 2024), facts("document.attached", "11", 2024)};
  FileFacts file{"M1", "Tổ tự quản", "model", "UBND xã Tân Lập", std::string("2025-03-10"), std::nullopt, {}};
  std::string out;
  for (const auto& f : documents)
    out += judge_document(row_for(*p->retention, f), f, file, std::nullopt, {}, "2040-06-01").to_json().dump() + "\n";
  return out;
}

// Hòa Bình: a school under Circular 124/2021/TT-BCA, its "An toàn về an ninh, trật tự" recognised by the district
// police, founds a model; the police rate it (000 §III.2.3).
std::string school_rated_by_police(const std::string& text) {
  if (auto p = parsed(text); !p) return "profile refused: " + p.error().message;
  TestLedger t("hoa-binh-2023", "p256", test::StoredProfile::today, text);
  const json school_unit = {{"level", "agency"}, {"unit", "Trường THPT Yên Thủy A"}};
  const json police_unit = {{"level", "district"}, {"unit", "Công an huyện Yên Thủy"}};
  const test::UnitSigners school = t.bind_unit("school", school_unit), police = t.bind_unit("police", police_unit);
  auto unit = [](const std::string& name, const std::string& level, const std::string& kind, json extra) {
    json data = {{"name", name}, {"level", level}, {"kind", kind}, {"from", "2020-01-01"}};
    data.update(extra);
    return json{{"act", "unit.registered"}, {"subject", "ledger"}, {"date", "2023-01-02"}, {"data", std::move(data)}};
  };
  std::string out;
  for (const json& u : {unit("Công an huyện Yên Thủy", "district", "police", json::object()),
                        unit("Trường THPT Yên Thủy A", "agency", "school",
                             {{"tt124", true}, {"safety_recognizer", "Công an huyện Yên Thủy"}})}) {
    auto r = t.append({test::sign(u, t.admin)});
    out += r ? "unit ok\n" : r.error().line() + "\n";
  }
  for (const json& a : test::founding_acts("S1", "2023-03-01", kSelfManaged, school_unit)) {
    auto r = t.record(school, a, is_decision_act(a["act"].get<std::string>()));
    out += r ? "ok\n" : r.error().line() + "\n";
  }
  auto r = t.record(police, make_act("model.rated", "S1", "2024-01-10", {{"year", 2024}, {"level", "fair"}, {"targets_met_pct", 80}},
                                     police_unit));
  return out + (r ? "rated by the police: ok" : "rated by the police: " + r.error().line());
}

// Bắc Giang (004 §III.2): the registry of register_bac_giang, a model the commune founds, rated Weak by the commune's
// steering committee (a listed reviewer of its area).
std::string bac_giang_rated_by_committee(const std::string& text) {
  if (auto p = parsed(text); !p) return "profile refused: " + p.error().message;
  TestLedger t("bac-giang-2020", "p256", test::StoredProfile::today, text);
  const test::UnitSigners committee = test::commune_committee(t);
  std::string out;
  for (const json& a : {make_act("model.proposed", "B1", "2023-03-01", {{"name", "Tổ tự quản"}, {"type", "self-managed"}}),
                        make_act("model.consulted", "B1", "2023-03-10"),
                        make_act("model.established", "B1", "2023-03-20", kSelfManaged)})
    out += record_outcome(t, a);
  auto r = t.record(committee, make_act("model.rated", "B1", "2024-11-08", {{"year", 2024}, {"level", "weak"}, {"criteria", {"BG.W2"}}},
                                        test::kCommuneCommittee));
  return out + (r ? "rated by the commune committee: ok" : "rated by the commune committee: " + r.error().line());
}

// Bắc Giang (004 §III.1.1): two Good ratings by the commune's steering committee, one naming BG.G.X1 on an
// announcement by the commune, one BG.G.X2 on a commune commendation (Good wants the district or higher).
void bac_giang_unsupported(TestLedger& t, const std::function<void(const json&)>& act) {
  const test::UnitSigners committee = test::commune_committee(t);
  std::vector<std::string> good = {"BG.G.SM1", "BG.G.SM2", "BG.G.SM3", "BG.G.SM4", "BG.G.SM5"};
  for (const char* id : {"U-1", "U-2"}) {
    act(make_act("model.proposed", id, "2024-01-10", {{"name", "Tổ tự quản"}, {"type", "self-managed"}}));
    act(make_act("model.consulted", id, "2024-01-10"));
    act(make_act("model.established", id, "2024-01-10", kSelfManaged));
    for (const char* k : {"model.policy-issued", "model.implementation-issued", "model.launched"}) act(make_act(k, id, "2024-01-10"));
    act(make_act("model.regulations-issued", id, "2024-01-10", {{"covers", {"model"}}, {"security_content", true}}));
    act(make_act("model.plan-issued", id, "2024-01-10", {{"year", 2024}, {"targets", 5}}));
    act(make_act("model.report-filed", id, "2024-11-01", {{"period", "2024"}, {"targets_met", 5}}));
  }
  act(make_act("model.announced", "U-1", "2024-11-02", {{"scope", "commune"}}));
  act(make_act("commendation.awarded", "U-2", "2024-11-02", {{"form", "giay-khen"}, {"level", "commune"}, {"to", "member"}}));
  for (const auto& [id, x] : {std::pair{"U-1", "BG.G.X1"}, std::pair{"U-2", "BG.G.X2"}}) {
    json criteria = good;
    criteria.push_back(x);
    auto r = t.record(committee, make_act("model.rated", id, "2024-11-08", {{"year", 2024}, {"level", "good"}, {"criteria", criteria}},
                                          test::kCommuneCommittee));
    if (!r) FAIL(r.error().line());
  }
}

// Hòa Bình (000 §VIII.1) with a registry: the province's people's committee and a department; who owes the province's
// reports (missing-unit-report) as of 2025-12-31.
std::string hoa_binh_reporting_units(const std::string& text) {
  if (auto p = parsed(text); !p) return "profile refused: " + p.error().message;
  TestLedger t("hoa-binh-2023", "p256", test::StoredProfile::today, text);
  std::string out;
  for (const json& u : {test::unit_registered("UBND tỉnh Hòa Bình", "province", "people-committee", ""),
                        test::unit_registered("Sở Giáo dục và Đào tạo", "province", "department", "UBND tỉnh Hòa Bình")}) {
    auto r = t.append({test::sign(u, t.admin)});
    out += r ? "unit ok\n" : r.error().line() + "\n";
  }
  return out + view_of(t, View::audit);
}

// Bắc Giang: model B of `type` proposed, consulted and established on `established` (a first of the month), then the
// acts its dossier needs (policy, implementation, regulations, launch), the plan of 2023 and the yearly report of
// 2023 (BG.*.SM1's "hồ sơ đầy đủ"), with `more` (an announcement, say) before the report.
std::vector<json> bg_backed(const std::string& type, const std::string& established, const std::vector<json>& more = {}) {
  const std::string month = established.substr(0, 8);  // YYYY-MM-
  std::vector<json> acts = {
      make_act("model.proposed", "B", month + "01", {{"name", "Tổ tự quản"}, {"type", type}}),
      make_act("model.consulted", "B", month + "01"),
      make_act("model.established", "B", established, type == "linked" ? kLinked : kSelfManaged),
      make_act("model.policy-issued", "B", established),
      make_act("model.implementation-issued", "B", established),
      make_act("model.regulations-issued", "B", month + "05", {{"covers", {"model"}}, {"security_content", true}}),
      make_act("model.launched", "B", month + "10"),
      make_act("model.plan-issued", "B", month + "15", {{"year", 2023}, {"targets", 5}})};
  acts.insert(acts.end(), more.begin(), more.end());
  acts.push_back(make_act("model.report-filed", "B", "2023-11-01", {{"period", "2023"}, {"targets_met", 4}}));
  return acts;
}

// ---- the rows -----------------------------------------------------------------------------------------------------

struct Row {
  std::string pattern;  // the leaf path it changes
  std::string file;     // the profile whose text it changes
  std::string watches;  // what answer it watches (the README's table says the same)
  std::function<void(json&)> change;
  std::function<std::string(const std::string& text)> answer;
};

json& deadline(json& j, const std::string& id) {
  for (auto& d : j["deadlines"])
    if (d["id"] == id) return d;
  FAIL("no deadline " + id);
  return j;
}

json& item(json& j, const std::string& type, const std::string& code) {
  for (auto& i : j["dossier"]["model"][type])
    if (i["item"] == code) return i;
  FAIL("no item " + code);
  return j;
}

std::function<std::string(const std::string&)> judging(std::vector<json> acts) {
  return [acts = std::move(acts)](const std::string& text) { return judged(text, acts); };
}

std::function<std::string(const std::string&)> watching(const std::string& id, View v,
                                                        void (*setup)(TestLedger&, const std::function<void(const json&)>&) = hoa_binh_scenario) {
  return [id, v, setup](const std::string& text) { return on_ledger(id, text, v, setup); };
}

std::vector<Row> rows() {
  std::vector<Row> out;
  const auto by_summary = [](const std::string& pattern, const std::string& file, std::function<void(json&)> change) {
    return Row{pattern, file, "antq profile (profile_summary): the value, or the parser refusing it", std::move(change), summary};
  };
  // What `antq profile` and a report's heading state (profile_view.hpp).
  out.push_back(by_summary("format", "hoa-binh-2023", [](json& j) { j["format"] = "antq-profile 1"; }));
  out.push_back(by_summary("id", "hoa-binh-2023", [](json& j) { j["id"] = "hoa-binh-2099"; }));
  out.push_back(by_summary("title", "hoa-binh-2023", [](json& j) { j["title"] = "Một văn bản khác"; }));
  out.push_back(by_summary("source.issuer", "hoa-binh-2023", [](json& j) { j["source"]["issuer"] = "Ban khác"; }));
  out.push_back(by_summary("source.number", "hoa-binh-2023", [](json& j) { j["source"]["number"] = "1/HD"; }));
  out.push_back(by_summary("source.file", "hoa-binh-2023", [](json& j) { j["source"]["file"] = "seeds/other.txt"; }));
  out.push_back(by_summary("replaces[*].document", "hoa-binh-2023", [](json& j) { j["replaces"][0]["document"] = "Hướng dẫn khác"; }));
  out.push_back(by_summary("replaces[*].transition", "binh-thuan-2023", [](json& j) { j["replaces"][0]["transition"] = nullptr; }));
  out.push_back(by_summary("rating.criteria.definitions[*].en", "bac-giang-2020",
                           [](json& j) { j["rating"]["criteria"]["definitions"][0]["en"] = "another gloss"; }));
  out.push_back(by_summary("rating.basis", "hoa-binh-2023", [](json& j) { j["rating"]["basis"] = "criteria"; }));
  out.push_back(by_summary("rating.criteria.definitions[*].id", "bac-giang-2020", [](json& j) {
    // A new id, and the rules and claims that named the old one follow it.
    std::string text = j.dump();
    for (std::size_t at = 0; (at = text.find("\"BG.W1\"", at)) != std::string::npos;) text.replace(at, 7, "\"BG.W9\"");
    j = json::parse(text);
  }));
  out.push_back(by_summary("rating.criteria.definitions[*].vi", "bac-giang-2020",
                           [](json& j) { j["rating"]["criteria"]["definitions"][0]["vi"] = "tiêu chí khác"; }));
  // Fixed by rating.basis: a percentage profile has no criteria and no evidence, a criteria profile no bands.
  out.push_back(by_summary("rating.bands", "bac-giang-2020", [](json& j) {
    j["rating"]["bands"] = json::parse(builtin_profile_text("hoa-binh-2023"))["rating"]["bands"];
  }));
  out.push_back(by_summary("rating.criteria", "hoa-binh-2023", [](json& j) {
    j["rating"]["criteria"] = json::parse(builtin_profile_text("bac-giang-2020"))["rating"]["criteria"];
  }));
  out.push_back(by_summary("rating_evidence", "hoa-binh-2023", [](json& j) {
    j["rating_evidence"] = json::parse(builtin_profile_text("bac-giang-2020"))["rating_evidence"];
  }));
  out.push_back(by_summary("exemplar.common_criteria[*].en", "hoa-binh-2023",
                           [](json& j) { j["exemplar"]["common_criteria"][0]["en"] = "another gloss"; }));
  out.push_back(by_summary("exemplar.common_criteria[*].vi", "hoa-binh-2023",
                           [](json& j) { j["exemplar"]["common_criteria"][0]["vi"] = "tiêu chí khác"; }));
  out.push_back(by_summary("exemplar", "bac-giang-2020", [](json& j) {
    j["exemplar"] = json::parse(builtin_profile_text("hoa-binh-2023"))["exemplar"];
  }));
  // Fixed by the format: any other value is refused by the parser.
  out.push_back(by_summary("rating.bands[*].level", "hoa-binh-2023", [](json& j) { j["rating"]["bands"][1]["level"] = "good"; }));
  out.push_back(by_summary("retention.format", "hoa-binh-2023", [](json& j) { j["retention"]["format"] = "antq-retention-schedule 2"; }));
  out.push_back(by_summary("retention.id", "hoa-binh-2023", [](json& j) { j["retention"]["id"] = "official-2026"; }));
  out.push_back(by_summary("retention.title", "hoa-binh-2023", [](json& j) { j["retention"]["title"] = "Bảng khác"; }));
  // Every rule id of the format, on or off (the rules `antq profile` lists).
  const json hb_rules = json::parse(builtin_profile_text("hoa-binh-2023"))["rules"];
  for (const auto& rule : hb_rules.items()) {
    const std::string id = rule.key();
    // `rater` on needs the raters it names (rating.raters): flipped off where a profile names them.
    out.push_back(by_summary("rules." + id, id == "rater" ? "bac-giang-2020" : "hoa-binh-2023",
                             [id](json& j) { j["rules"][id] = !j["rules"][id].get<bool>(); }));
  }

  // Admission (judge_act).
  for (const std::string type : {"self-managed", "linked"}) {
    const json data = type == "linked" ? kLinked : kSelfManaged;
    out.push_back({"establishment.requires." + type + "[*]", "hoa-binh-2023",
                   "model.established without model.consulted: refused [order], admitted once the step is not required",
                   [type](json& j) {
                     auto& steps = j["establishment"]["requires"][type];
                     steps.erase(std::remove(steps.begin(), steps.end(), "model.consulted"), steps.end());
                   },
                   judging(founding("M", "2023-02-01", data, test::kCommune, {"model.consulted"}))});
  }
  out.push_back({"model_types[*]", "hoa-binh-2023",
                 "a linked model established without its steps: refused [order] while linked is a model type of the profile",
                 [](json& j) {
                   j["model_types"] = {"self-managed"};
                   j["establishment"]["requires"].erase("linked");
                   j["dossier"]["model"].erase("linked");
                 },
                 judging({make_act("survey.plan-approved", "M", "2023-01-20"), make_act("model.established", "M", "2023-02-01", kLinked)})});
  const std::vector<json> early_rating =
      plus(founding("M", "2023-02-01", kSelfManaged),
           {make_act("model.rated", "M", "2023-11-08", {{"year", 2024}, {"level", "fair"}, {"targets_met_pct", 75}})});
  out.push_back({"rating.eligibility_months", "hoa-binh-2023", "a rating after 9 months: refused [eligibility], admitted at 9",
                 [](json& j) { j["rating"]["eligibility_months"] = 9; }, judging(early_rating)});
  out.push_back({"rating.year_start", "hoa-binh-2023",
                 "the same rating refused [eligibility] as dated before the evaluation year opens (12-01)",
                 [](json& j) { j["rating"]["year_start"] = "12-01"; }, judging(early_rating)});
  const std::vector<json> ended_by_district =
      plus(founding("M", "2023-02-01", kSelfManaged),
           {make_act("model.termination-reported", "M", "2024-03-01"),
            make_act("model.termination-consulted", "M", "2024-03-05"),
            make_act("model.terminated", "M", "2024-03-10", json::object(), kYenThuy)});
  out.push_back({"termination.decided_by", "hoa-binh-2023",
                 "model.terminated by the district of a commune's model: refused [same-level]; admitted under null",
                 [](json& j) { j["termination"]["decided_by"] = nullptr; }, judging(ended_by_district)});
  out.push_back({"termination.requires[*]", "hoa-binh-2023",
                 "model.terminated with no termination-consulted: refused [termination-steps], admitted once not required",
                 [](json& j) { j["termination"]["requires"] = {"model.termination-reported"}; },
                 judging(plus(founding("M", "2023-02-01", kSelfManaged),
                              {make_act("model.termination-reported", "M", "2024-03-01"),
                               make_act("model.terminated", "M", "2024-03-10")}))});
  out.push_back({"replication.requires_level", "hoa-binh-2023",
                 "model.replicated of a model rated fair: refused [replication], admitted when fair is required",
                 [](json& j) { j["replication"]["requires_level"] = "fair"; },
                 judging(plus(founding("M", "2023-02-01", kSelfManaged),
                              {make_act("model.rated", "M", "2023-12-08", {{"year", 2024}, {"level", "fair"}, {"targets_met_pct", 75}}),
                               make_act("model.replicated", "M", "2024-01-10", {{"areas", {"Thôn Khác"}}})}))});
  out.push_back({"recognition", "hoa-binh-2023", "model.recognized: refused [order] under null, admitted once provided",
                 [](json& j) { j["recognition"] = {{"requires", json::array()}, {"excused_items", json::array()}, {"cite", "test"}}; },
                 judging({make_act("model.recognized", "R", "2023-03-10", kSelfManaged)})});
  out.push_back({"recognition.requires[*]", "kon-tum-2022",
                 "model.recognized with no proposal: refused [order], admitted when nothing must precede it",
                 [](json& j) { j["recognition"]["requires"] = json::array(); },
                 judging({make_act("model.recognized", "R", "2023-03-10", kSelfManaged)})});
  json brought_in = kSelfManaged;
  brought_in["transition"] = "1383/QĐ-BCĐ";
  out.push_back({"transition", "hoa-binh-2023", "model.established naming 1383/QĐ-BCĐ: refused under null, admitted once provided",
                 [](json& j) { j["transition"] = {{"from", "1383/QĐ-BCĐ"}, {"cite", "test"}}; },
                 judging({make_act("model.established", "T", "2017-06-01", brought_in)})});
  out.push_back({"transition.from", "binh-thuan-2023", "the same establishment: admitted, refused when another decision is named",
                 [](json& j) { j["transition"]["from"] = "9999/QĐ-BCĐ"; },
                 judging({make_act("model.established", "T", "2017-06-01", brought_in)})});
  out.push_back({"source.date", "binh-thuan-2023",
                 "a transition dated 2023-06-01, after the guidance: refused; admitted when the guidance is dated later",
                 [](json& j) { j["source"]["date"] = "2023-12-31"; },
                 judging({make_act("model.established", "T", "2023-06-01", brought_in)})});

  // Findings, report figures, dossier items on the Hòa Bình scenario.
  out.push_back({"deadlines[*].before", "hoa-binh-2023", "audit: M1's late-proposal (06/11) is not late before 11-07",
                 [](json& j) { deadline(j, "late-proposal")["before"] = "11-07"; }, watching("hoa-binh-2023", View::audit)});
  out.push_back({"deadlines[*].id", "hoa-binh-2023", "audit: the late-decision entry renamed late-forwarding",
                 [](json& j) { deadline(j, "late-decision")["id"] = "late-forwarding"; }, watching("hoa-binh-2023", View::audit)});
  out.push_back({"deadlines[*].act", "hoa-binh-2023", "audit: late-decision measured on the forwarding (20/11) instead",
                 [](json& j) { deadline(j, "late-decision")["act"] = "model.rating-forwarded"; }, watching("hoa-binh-2023", View::audit)});
  out.push_back({"deadlines[*].period", "hoa-binh-2023", "audit: missing-report of the half-year, which M1 filed",
                 [](json& j) { deadline(j, "missing-report")["period"] = "H1"; }, watching("hoa-binh-2023", View::audit)});
  out.push_back({"rating.bands[*].min_pct", "hoa-binh-2023", "audit: M1 rated good at 60 %: level-mismatch, none when good starts at 55 %",
                 [](json& j) { j["rating"]["bands"][0]["min_pct"] = 55; j["rating"]["bands"][1]["min_pct"] = 54; j["rating"]["bands"][2]["min_pct"] = 50; },
                 watching("hoa-binh-2023", View::audit)});
  out.push_back({"weak.must_terminate", "hoa-binh-2023", "audit: M2 rated weak: weak-not-terminated found from another day when immediately",
                 [](json& j) { j["weak"]["must_terminate"] = "immediately"; }, watching("hoa-binh-2023", View::audit)});
  out.push_back({"statistics.apart[*]", "hoa-binh-2023", "report: the Dân vận khéo model counted in the totals when nothing is apart",
                 [](json& j) { j["statistics"]["apart"] = json::array(); }, watching("hoa-binh-2023", View::report)});
  out.push_back({"names.abbreviations.*", "hoa-binh-2023", "report: M1 (ANTT) and M2 (an ninh, trật tự) one row, two without the abbreviation",
                 [](json& j) { j["names"]["abbreviations"] = json::object(); }, watching("hoa-binh-2023", View::report)});
  out.push_back({"unit_reports.tiers[*].before", "hoa-binh-2023", "report: the yearly report's due day; audit of missing-unit-report",
                 [](json& j) { j["unit_reports"]["tiers"][1]["before"] = "11-20"; }, watching("hoa-binh-2023", View::report)});
  out.push_back({"unit_reports.tiers[*].period", "hoa-binh-2023", "report: no yearly tier left, so no due day",
                 [](json& j) { j["unit_reports"]["tiers"][1]["period"] = "H1"; }, watching("hoa-binh-2023", View::report)});
  out.push_back({"unit_reports.tiers[*].levels[*]", "hoa-binh-2023", "audit: the founding commune owes the province's reports (missing-unit-report) when communes report",
                 [](json& j) {
                   for (auto& t : j["unit_reports"]["tiers"]) {
                     t["levels"] = {"commune"};
                     t.erase("kinds");  // its levels must be the tier's
                   }
                 }, watching("hoa-binh-2023", View::audit)});
  out.push_back({"unit_reports.tiers[*].to", "bac-giang-2020", "audit: B1's commune has no report: missing-unit-report names to whom",
                 [](json& j) { for (auto& t : j["unit_reports"]["tiers"]) t["to"] = "Ban khác"; },
                 watching("bac-giang-2020", View::audit, bac_giang_names)});
  for (const std::string type : {"self-managed", "linked"}) {
    const View v = type == "linked" ? View::dossier_l1 : View::dossier_m1;
    const std::string base = "dossier.model." + type + "[*].";
    out.push_back({base + "item", "hoa-binh-2023", "dossier: item 9 filed under another code",
                   [type](json& j) { item(j, type, "9")["item"] = "9b"; }, watching("hoa-binh-2023", v)});
    out.push_back({base + "title", "hoa-binh-2023", "dossier: the item's title",
                   [type](json& j) { item(j, type, "9")["title"] = "Kế hoạch khác"; }, watching("hoa-binh-2023", v)});
    out.push_back({base + "en", "hoa-binh-2023", "dossier: the item's gloss",
                   [type](json& j) { item(j, type, "9")["en"] = "another plan"; }, watching("hoa-binh-2023", v)});
    out.push_back({base + "acts[*]", "hoa-binh-2023", "dossier: item 1 missing when no act of the chain files it",
                   [type](json& j) { item(j, type, "1")["acts"] = json::array(); }, watching("hoa-binh-2023", v)});
    out.push_back({base + "if_any", "hoa-binh-2023", "dossier: item 12 (fund ledger) owed when not 'nếu có'",
                   [type](json& j) { item(j, type, "12")["if_any"] = false; }, watching("hoa-binh-2023", v)});
  }
  out.push_back({"exemplar.evaluate_within_months", "hoa-binh-2023", "audit: E1 evaluated 13 months after its plan: late, not within 14",
                 [](json& j) { j["exemplar"]["evaluate_within_months"] = 14; }, watching("hoa-binh-2023", View::audit, exemplar_scenario)});
  out.push_back({"exemplar.keep_threshold_pct", "hoa-binh-2023", "audit: E1 meeting 67 % of its criteria: below 70, not below 60",
                 [](json& j) { j["exemplar"]["keep_threshold_pct"] = 60; }, watching("hoa-binh-2023", View::audit, exemplar_scenario)});
  out.push_back({"exemplar.common_criteria[*].id", "hoa-binh-2023", "audit: E1 recognised without the renamed common criterion",
                 [](json& j) { j["exemplar"]["common_criteria"][0]["id"] = "EX.C9"; }, watching("hoa-binh-2023", View::audit, exemplar_scenario)});
  out.push_back({"exemplar.common_criteria[*].evidence", "hoa-binh-2023", "audit: E1's claim of a commendation needs none when no act backs it",
                 [](json& j) { j["exemplar"]["common_criteria"][3]["evidence"] = nullptr; }, watching("hoa-binh-2023", View::audit, exemplar_scenario)});
  {
    const std::string base = "dossier.exemplar[*].";
    const auto e2 = watching("hoa-binh-2023", View::dossier_e2, exemplar_scenario);
    auto exemplar_item = [](json& j, const std::string& code) -> json& {
      for (auto& i : j["dossier"]["exemplar"])
        if (i["item"] == code) return i;
      FAIL("no exemplar item " + code);
      return j;
    };
    out.push_back({base + "item", "hoa-binh-2023", "dossier: E2's item E3 under another code",
                   [=](json& j) { exemplar_item(j, "E3")["item"] = "E3b"; }, e2});
    out.push_back({base + "title", "hoa-binh-2023", "dossier: the item's title",
                   [=](json& j) { exemplar_item(j, "E3")["title"] = "Kế hoạch khác"; }, e2});
    out.push_back({base + "en", "hoa-binh-2023", "dossier: the item's gloss",
                   [=](json& j) { exemplar_item(j, "E3")["en"] = "another plan"; }, e2});
    out.push_back({base + "acts[*]", "hoa-binh-2023", "dossier: E1 missing when no act files it",
                   [=](json& j) { exemplar_item(j, "E1")["acts"] = json::array(); }, e2});
    out.push_back({base + "if_any", "hoa-binh-2023", "dossier: E5 owed by an exemplar never recognised when not 'nếu có'",
                   [=](json& j) { exemplar_item(j, "E5")["if_any"] = false; }, e2});
  }
  out.push_back({"names.standard[*].name", "bac-giang-2020", "report: B1, named by an alias, is counted under the standard name",
                 [](json& j) { j["names"]["standard"][0]["name"] = "Tổ liên gia tự quản"; },
                 watching("bac-giang-2020", View::report, bac_giang_names)});
  out.push_back({"names.standard[*].aliases[*]", "bac-giang-2020", "report: B1 under its own name when the alias is dropped",
                 [](json& j) { j["names"]["standard"][0]["aliases"] = json::array(); },
                 watching("bac-giang-2020", View::report, bac_giang_names)});
  {
    const auto row = [](json& j, const std::string& cls) -> json& {
      for (auto& r : j["retention"]["rows"])
        if (r["class"] == cls) return r;
      FAIL("no retention row " + cls);
      return j;
    };
    const std::string base = "retention.rows[*].";
    const std::string how = "retention: the records of a file's documents (class, period, due day, status)";
    out.push_back({base + "class", "hoa-binh-2023", how, [=](json& j) { row(j, "reviews")["class"] = "review-files"; }, retained});
    out.push_back({base + "title", "hoa-binh-2023", how, [=](json& j) { row(j, "reviews")["title"] = "Hồ sơ khác"; }, retained});
    out.push_back({base + "source", "hoa-binh-2023", how, [=](json& j) { row(j, "reviews")["source"] = "another text"; }, retained});
    out.push_back({base + "items[*]", "hoa-binh-2023", how, [=](json& j) { row(j, "reviews")["items"] = {"11"}; }, retained});
    out.push_back({base + "acts[*]", "hoa-binh-2023", how,
                   [=](json& j) { row(j, "plan-report-year")["acts"] = {"model.report-filed"}; }, retained});
    out.push_back({base + "match.period[*]", "hoa-binh-2023", how,
                   [=](json& j) { row(j, "report-half-year")["match"]["period"] = {"year"}; }, retained});
    out.push_back({base + "match.level[*]", "hoa-binh-2023", how,
                   [=](json& j) { row(j, "commendation-local")["match"]["level"] = {"district"}; }, retained});
    out.push_back({base + "period", "hoa-binh-2023", how, [=](json& j) { row(j, "report-half-year")["period"] = 5; }, retained});
    out.push_back({base + "clock", "hoa-binh-2023", how, [=](json& j) { row(j, "report-half-year")["clock"] = "work-ended"; }, retained});
    out.push_back({base + "handover", "hoa-binh-2023", how, [=](json& j) { row(j, "report-half-year")["handover"] = false; }, retained});
    out.push_back({base + "provisional", "hoa-binh-2023", how, [=](json& j) { row(j, "report-half-year")["provisional"] = false; }, retained});
  }
  out.push_back({"circular_124.applies", "hoa-binh-2023",
                 "model.rated of a tt124 school's model by the police recognising it: admitted, refused [same-level] when the circular does not apply",
                 [](json& j) { j["circular_124"]["applies"] = false; }, school_rated_by_police});
  out.push_back(by_summary("rating.raters", "hoa-binh-2023", [](json& j) {
    j["rating"]["raters"] = json::parse(builtin_profile_text("bac-giang-2020"))["rating"]["raters"];
  }));
  out.push_back({"rating.raters[*].kind", "bac-giang-2020",
                 "model.rated by the commune's steering committee: admitted, refused [rater] when no listed reviewer is a steering committee",
                 [](json& j) { for (auto& r : j["rating"]["raters"]) r["kind"] = "police"; }, bac_giang_rated_by_committee});
  out.push_back({"rating.raters[*].level", "bac-giang-2020",
                 "model.rated by the commune's steering committee: admitted, refused [rater] when no listed reviewer is of commune level",
                 [](json& j) { j["rating"]["raters"][2]["level"] = "agency"; }, bac_giang_rated_by_committee});
  out.push_back({"unit_reports.tiers[*].kinds.*[*]", "hoa-binh-2023",
                 "audit: the registered department owes the province's reports (missing-unit-report); the people's committee does when it is a kind that reports",
                 [](json& j) { for (auto& t : j["unit_reports"]["tiers"]) t["kinds"]["province"] = {"people-committee"}; },
                 hoa_binh_reporting_units});
  // Bắc Giang's Good, Fair and Average criteria, each claim backed by the chain (its dossier's acts, an
  // announcement): the proposal naming exactly the level's criteria is admitted; dropping the first of `all`, or
  // leaving only the second of `one_of`, makes the criteria named no longer that level's.
  const json bg = json::parse(builtin_profile_text("bac-giang-2020"))["rating"]["criteria"];
  for (const std::string level : {"good", "fair", "average"})
    for (const std::string type : {"self-managed", "linked"})
      for (const std::string list : {"all", "one_of"}) {
        const json& rule = bg[level][type];
        if (rule[list].size() < (list == "one_of" ? 2u : 1u)) continue;  // an empty list: no row can change it
        std::vector<std::string> named = rule["all"].get<std::vector<std::string>>();
        if (!rule["one_of"].empty()) named.push_back(rule["one_of"][0].get<std::string>());
        out.push_back({fmt::format("rating.criteria.{}.{}.{}[*]", level, type, list), "bac-giang-2020",
                       fmt::format("model.rating-proposed {} naming its criteria, every claim backed: admitted, "
                                   "refused [rating-criteria] once they no longer make that level",
                                   level),
                       [level, type, list](json& j) {
                         json& l = j["rating"]["criteria"][level][type][list];
                         if (list == "all") l.erase(l.begin());
                         else l = json::array({l[1]});
                       },
                       judging(plus(bg_backed(type, "2022-12-01",
                                              {make_act("model.announced", "B", "2023-10-20", {{"scope", "district"}})}),
                                    {make_act("model.rating-proposed", "B", "2023-11-03",
                                              {{"year", 2023}, {"level", level}, {"criteria", named}})}))});
      }
  // What a claim needs the chain to show (rating_evidence): a Good proposal whose dossier lacks its acts, or whose
  // announcement is 13 months old.
  {
    std::vector<std::string> good = bg["good"]["self-managed"]["all"].get<std::vector<std::string>>();
    good.push_back("BG.G.X1");
    const json propose = make_act("model.rating-proposed", "B", "2023-11-03",
                                  {{"year", 2023}, {"level", "good"}, {"criteria", good}});
    const json data = {{"name", "Tổ tự quản"}, {"type", "self-managed"}};
    out.push_back({"rating_evidence.dossier[*]", "bac-giang-2020",
                   "a Good proposal naming BG.G.SM1 (the dossier complete) with no dossier acts: refused "
                   "[rating-criteria], admitted once BG.G.SM1 needs no dossier",
                   [](json& j) {
                     auto& d = j["rating_evidence"]["dossier"];
                     d.erase(std::remove(d.begin(), d.end(), "BG.G.SM1"), d.end());
                   },
                   judging({make_act("model.proposed", "B", "2022-11-01", data), make_act("model.consulted", "B", "2022-11-10"),
                            make_act("model.established", "B", "2022-12-01", kSelfManaged),
                            make_act("model.announced", "B", "2023-10-20", {{"scope", "district"}}), propose})});
    // A Good proposal with its dossier's acts but neither announcement nor commendation.
    const std::vector<json> backed_but_unannounced = bg_backed("self-managed", "2022-12-01");
    std::vector<std::string> good_x2 = bg["good"]["self-managed"]["all"].get<std::vector<std::string>>();
    good_x2.push_back("BG.G.X2");
    out.push_back({"rating_evidence.announced[*].criterion", "bac-giang-2020",
                   "a Good proposal naming BG.G.X1 with no announcement: refused [rating-criteria], admitted once the "
                   "announcement backs another criterion",
                   [](json& j) { j["rating_evidence"]["announced"][0]["criterion"] = "BG.G.X2"; },
                   judging(plus(backed_but_unannounced, {propose}))});
    out.push_back({"rating_evidence.commended[*].criterion", "bac-giang-2020",
                   "a Good proposal naming BG.G.X2 with no commendation: refused [rating-criteria], admitted once the "
                   "commendation backs another criterion",
                   [](json& j) { j["rating_evidence"]["commended"][0]["criterion"] = "BG.G.X1"; },
                   judging(plus(backed_but_unannounced,
                                {make_act("model.rating-proposed", "B", "2023-11-03",
                                          {{"year", 2023}, {"level", "good"}, {"criteria", good_x2}})}))});
    out.push_back({"rating_evidence.within_months", "bac-giang-2020",
                   "a Good proposal whose announcement (BG.G.X1) is 13 months old: refused [rating-criteria], "
                   "admitted within 24 months",
                   [](json& j) { j["rating_evidence"]["within_months"] = 24; },
                   judging(plus(bg_backed("self-managed", "2022-01-01",
                                          {make_act("model.announced", "B", "2022-10-01", {{"scope", "district"}})}),
                                {propose}))});
  }
  out.push_back({"rating_evidence.announced[*].scopes[*]", "bac-giang-2020",
                 "audit: a Good rating naming BG.G.X1 on the commune's announcement is rating-criteria-unsupported, "
                 "not once the commune's scope supports it",
                 [](json& j) { j["rating_evidence"]["announced"][0]["scopes"].push_back("commune"); },
                 watching("bac-giang-2020", View::audit, bac_giang_unsupported)});
  out.push_back({"rating_evidence.commended[*].levels[*]", "bac-giang-2020",
                 "audit: a Good rating naming BG.G.X2 on a commune commendation is rating-criteria-unsupported, not "
                 "once the commune's level supports it",
                 [](json& j) { j["rating_evidence"]["commended"][0]["levels"].push_back("commune"); },
                 watching("bac-giang-2020", View::audit, bac_giang_unsupported)});
  // Bắc Giang's Weak criteria (004 §III.1.4: "có một trong các tiêu chí sau"): a proposal naming BG.W1 alone.
  for (const std::string type : {"self-managed", "linked"}) {
    const json data = {{"name", "Tổ tự quản"}, {"type", type}};
    const json established = type == "linked" ? kLinked : kSelfManaged;
    out.push_back({"rating.criteria.weak." + type + ".one_of[*]", "bac-giang-2020",
                   "model.rating-proposed Weak naming BG.W1: admitted, refused [rating-criteria] once BG.W1 is not "
                   "one of the Weak criteria",
                   [type](json& j) { j["rating"]["criteria"]["weak"][type]["one_of"] = {"BG.W2", "BG.W3"}; },
                   judging({make_act("model.proposed", "W", "2022-11-01", data),
                            make_act("model.consulted", "W", "2022-11-10"),
                            make_act("model.established", "W", "2022-12-01", established),
                            make_act("model.rating-proposed", "W", "2023-11-03",
                                     {{"year", 2023}, {"level", "weak"}, {"criteria", {"BG.W1"}}})})});
  }
  const json province = {{"level", "province"}, {"unit", "UBND tỉnh Hòa Bình"}};
  out.push_back({"exemplar.province_recognition_level", "hoa-binh-2023",
                 "exemplar.recognized at province level by the province: admitted, refused [exemplar-order] when the "
                 "profile names another level",
                 [](json& j) { j["exemplar"]["province_recognition_level"] = "district"; },
                 judging({make_act("exemplar.surveyed", "E", "2023-02-01", {{"holder", "Nguyễn Văn An"}}, province),
                          make_act("exemplar.criteria-set", "E", "2023-02-10",
                                   {{"criteria", {{{"id", "C1"}, {"text", "a"}}}}}, province),
                          make_act("exemplar.plan-issued", "E", "2023-03-01", json::object(), province),
                          make_act("exemplar.evaluated", "E", "2024-02-01", {{"met", {"C1"}}}, province),
                          make_act("exemplar.recognized", "E", "2024-03-01", {{"level", "province"}}, province)})});
  out.push_back({"replication.points_effective_pct", "kon-tum-2022",
                 "audit: a replicated model whose points are all Weak is replication-ineffective under 50 %, not when "
                 "the profile sets no share",
                 [](json& j) { j["replication"]["points_effective_pct"] = nullptr; },
                 watching("kon-tum-2022", View::audit, kon_tum_replication)});
  out.push_back({"recognition.excused_items[*]", "kon-tum-2022", "dossier: a recognised model's items 1, 2, 4, 5 owed when none is excused",
                 [](json& j) { j["recognition"]["excused_items"] = json::array(); },
                 watching("kon-tum-2022", View::dossier_k1, kon_tum_recognition)});
  return out;
}

// Values the format fixes (or that follow from rating.basis): the parser refuses any other, and that refusal is what
// their rows watch. Every other row's change is a lawful profile.
const std::set<std::string> kFixedByFormat = {"format", "retention.format", "rating.bands[*].level", "rating.basis",
                                              "rating.bands", "rating.criteria", "rating_evidence"};

// Paths the engine reads, with no row yet (the file that reads each): this list only shrinks.
const std::map<std::string, std::string> kNotYetObserved = {
};

// The criteria rating's per-level rules (rating.criteria.<level>.<type>.all, one_of: lifecycle.cpp, rating-criteria)
// that are empty lists (Average's one_of, Weak's all): no row can take an element out of them, and adding one would
// only show what the rows of the other lists show. Every non-empty one has a row.
bool criteria_rule_path(const std::string& path) {
  return path.starts_with("rating.criteria.") && !path.starts_with("rating.criteria.definitions") && path.ends_with("[]");
}

// Which list covers `path` ("" when none): a row's pattern, the not-yet list, prose. `x[]` is covered by a row of
// `x[*]…`, `x{}` by one of `x.…`.
std::string covered_by(const std::string& path, const std::set<std::string>& patterns) {
  if (is_prose(path)) return "prose";
  if (patterns.contains(path)) return "row";
  if (kNotYetObserved.contains(path)) return "not yet";
  if (criteria_rule_path(path)) return "not yet";
  auto under = [&](const std::string& prefix) {
    return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& k) { return k.starts_with(prefix); }) ||
           std::any_of(kNotYetObserved.begin(), kNotYetObserved.end(), [&](const auto& k) { return k.first.starts_with(prefix); });
  };
  if (path.ends_with("[]") && under(path.substr(0, path.size() - 2) + "[*]")) return "empty list";
  if (path.ends_with("{}") && under(path.substr(0, path.size() - 2) + ".")) return "empty object";
  return "";
}

}  // namespace

TEST_CASE("Every leaf of every format-2 profile has a row, is prose, or is listed as not yet observed", "[projections][profile-fields]") {
  std::set<std::string> patterns;
  for (const auto& r : rows()) {
    INFO(r.pattern);
    CHECK(patterns.insert(r.pattern).second);  // one row a path
    CHECK_FALSE(kNotYetObserved.contains(r.pattern));
  }
  std::set<std::string> every;
  for (const auto& id : builtin_profile_ids()) {
    for (const auto& path : leaves_of(std::string(builtin_profile_text(id)))) {
      INFO(id << ": " << path);
      every.insert(path);
      CHECK(covered_by(path, patterns) != "");
    }
  }
  // A not-yet entry or a row of a path no file carries is stale.
  for (const auto& [path, reader] : kNotYetObserved) {
    INFO(path << " (" << reader << ")");
    CHECK(every.contains(path));
  }
  for (const auto& p : patterns) {
    INFO(p);
    CHECK(every.contains(p));
  }
}

TEST_CASE("Each row's change of a profile changes the engine's answer", "[projections][profile-fields]") {
  for (const auto& r : rows()) {
    INFO(r.pattern << " in " << r.file << ": " << r.watches);
    const std::string text(builtin_profile_text(r.file));
    REQUIRE_FALSE(text.empty());
    CHECK(leaves_of(text).contains(r.pattern));
    json j = json::parse(text);
    r.change(j);
    const std::string changed = j.dump(2);
    REQUIRE(json::parse(changed) != json::parse(text));
    const std::string before = r.answer(text), after = r.answer(changed);
    INFO("answer before:\n" << before << "\nafter:\n" << after);
    CHECK(before != after);
    // A row passes by breaking the profile only where the format fixes the value.
    CHECK(after.starts_with("profile refused") == kFixedByFormat.contains(r.pattern));
    // The unchanged file is a lawful profile: its answer is not a refusal of the profile itself.
    CHECK_FALSE(before.starts_with("profile refused"));
  }
}

}  // namespace antq::projections
