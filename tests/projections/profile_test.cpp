// Rule profiles as data (projections/profiles/*.json): every compiled-in profile parses, says what its source says
// (domain.md §3, §6, §9, checked against the seeds), and a malformed file is refused naming the field.
#include "projections/profile.hpp"

#include <algorithm>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "projections/admission.hpp"
#include "support.hpp"

namespace antq::projections {
namespace {

using nlohmann::json;

std::string before(const Profile& p, const std::string& id, const std::string& period = "") {
  for (const auto& d : p.deadlines)
    if (d.id == id && (period.empty() || d.period.value_or("") == period)) return d.before;
  return "";
}

// The Hòa Bình file with one change, for the refusal tests.
std::string changed(const std::function<void(json&)>& change) {
  json j = json::parse(builtin_profile_text("hoa-binh-2023"));
  change(j);
  return j.dump();
}

std::string refusal(const std::string& text) {
  auto p = parse_profile(text, "test.json");
  REQUIRE_FALSE(p.has_value());
  CHECK(p.error().kind == ErrorKind::bad_input);
  return p.error().message;
}

}  // namespace

TEST_CASE("The five profiles of domain.md §9 are compiled in and each parses", "[projections]") {
  CHECK(builtin_profile_ids() ==
        std::vector<std::string>{"bac-giang-2020", "bca-22-2022", "binh-thuan-2023", "hoa-binh-2023", "kon-tum-2022"});
  for (const auto& id : builtin_profile_ids()) {
    INFO(id);
    const Profile& p = test::builtin(id);
    CHECK(p.id == id);
    CHECK(p.rules.size() == rule_ids().size());
    // The refusals every profile keeps: without them the ledger would admit forged or repeated acts.
    for (const char* always : {"signature", "authority", "duplicate", "unknown-subject", "order", "closed"})
      CHECK(p.applies(always));
  }
  CHECK_FALSE(builtin_profile("quang-ninh-2024").has_value());
  CHECK_THAT(builtin_profile("quang-ninh-2024").error().message, Catch::Contains("hoa-binh-2023"));
}

TEST_CASE("The Ministry-baseline family: percentage bands, 10 months, 1 November, 5/10/15 November, 16 and 5 items", "[projections]") {
  for (const char* id : {"bca-22-2022", "hoa-binh-2023", "binh-thuan-2023", "kon-tum-2022"}) {
    INFO(id);
    const Profile& p = test::builtin(id);
    CHECK(p.model_types == std::vector<std::string>{"self-managed", "linked"});
    REQUIRE(p.rating.basis == "percentage");
    REQUIRE(p.rating.bands.size() == 4);
    CHECK(p.rating.bands[0].min_pct == 90);  // Hòa Bình §III.2.2: Tốt ≥ 90%
    CHECK(p.rating.bands[1].min_pct == 70);
    CHECK(p.rating.bands[2].min_pct == 50);
    CHECK(p.rating.eligibility_months == 10);  // Hòa Bình §III.2.1
    CHECK(p.rating.year_start == "11-01");     // Hòa Bình §III.2.3
    for (const auto& type : p.model_types) CHECK(p.model_dossier.at(type).size() == 16);  // Hòa Bình §V.1
    CHECK(p.exemplar_dossier.size() == 5);                                               // Hòa Bình §V.2
    CHECK(p.termination_requires ==
          std::vector<std::string>{"model.termination-reported", "model.termination-consulted"});  // §III.3
    CHECK(p.applies("level-mismatch"));
    REQUIRE(p.exemplar.has_value());
    CHECK(p.exemplar->evaluate_within_months == 12);  // Hòa Bình §IV: within a year of the build plan
    CHECK(p.exemplar->keep_threshold_pct == 70);
    // The establishment decision needs the survey, the proposal and the policy before it (domain.md §10 `order`).
    const auto& needs = p.establishment_requires.at("self-managed");
    for (const char* act : {"survey.plan-approved", "survey.reported", "model.proposed", "model.policy-issued"})
      CHECK(std::find(needs.begin(), needs.end(), act) != needs.end());
  }
  for (const char* id : {"bca-22-2022", "hoa-binh-2023", "binh-thuan-2023"}) {
    INFO(id);
    const Profile& p = test::builtin(id);
    CHECK(before(p, "late-proposal") == "11-05");
    CHECK(before(p, "late-decision") == "11-10");
    CHECK(before(p, "late-forwarding") == "11-15");
    CHECK_FALSE(p.applies("replication-ineffective"));
  }
}

TEST_CASE("Kon Tum: the units report before 10 May and 10 November, a model before 5 November, and the 50%-of-points rule", "[projections]") {
  const Profile& p = test::builtin("kon-tum-2022");
  // 002 §1.d: the units' reports (unit_reports); a model's own yearly report is the baseline's (000 §III.2.3).
  REQUIRE(p.unit_reports.size() == 2);
  CHECK(p.unit_reports[0].period == "H1");
  CHECK(p.unit_reports[0].before == "05-10");
  CHECK(p.unit_reports[1].before == "11-10");
  CHECK(p.unit_reports[1].levels == std::vector<std::string>{"district", "province"});
  CHECK(before(p, "missing-report", "H1").empty());
  CHECK(before(p, "missing-report", "year") == "11-05");
  CHECK(before(p, "missing-rating") == "11-10");
  CHECK(before(p, "missing-forwarding") == "11-15");
  // Format 1 kept the units' days among a model's deadlines.
  auto v1 = frozen_format1_profile("kon-tum-2022");
  REQUIRE(v1);
  CHECK(before(**v1, "missing-report", "H1") == "05-10");
  CHECK((*v1)->unit_reports.empty());
  CHECK(p.points_effective_pct == 50);
  CHECK(p.applies("replication-ineffective"));
}

TEST_CASE("Bắc Giang: criteria instead of percentages, 10 and 7 dossier items, Weak models liquidated at once", "[projections]") {
  const Profile& p = test::builtin("bac-giang-2020");
  CHECK(p.rating.basis == "criteria");
  CHECK(p.rating.bands.empty());
  CHECK_FALSE(p.applies("level-mismatch"));
  CHECK(p.model_dossier.at("self-managed").size() == 10);  // 004 §II.1.4
  CHECK(p.model_dossier.at("linked").size() == 7);         // 004 §II.2.4
  CHECK(p.weak_must_terminate == "immediately");           // 004: "phải thanh loại ngay"
  // Good needs the common criteria and one achievement (an announcement or a certificate of merit): 004 §III.1.
  const CriteriaRule& good = p.rating.criteria.at("good").at("self-managed");
  CHECK_FALSE(good.all.empty());
  CHECK(good.one_of.size() >= 2);
  for (const auto& id : good.all) CHECK(p.rating.criteria_text.contains(id));
  CHECK_FALSE(p.points_effective_pct.has_value());
}

TEST_CASE("Bắc Giang format 2: what the criteria claim (rating_evidence), one rating a year, and format 1 has neither", "[projections]") {
  const Profile& p = test::builtin("bac-giang-2020");
  REQUIRE(p.rating_evidence);
  const RatingEvidence& e = *p.rating_evidence;
  CHECK(e.dossier == std::vector<std::string>{"BG.G.SM1", "BG.G.LK1", "BG.F.SM1", "BG.F.LK1", "BG.A1"});
  REQUIRE(e.announced.size() == 2);
  CHECK(e.announced[0].criterion == "BG.G.X1");
  CHECK(e.announced[0].of == std::vector<std::string>{"district", "province", "national"});  // 004 §III.1.1
  REQUIRE(e.commended.size() == 2);
  CHECK(e.commended[1].criterion == "BG.F.X2");
  CHECK(e.within_months == 12);
  CHECK(p.applies("rating-criteria"));
  CHECK(p.applies("one-rating"));
  for (const auto& id : {"bca-22-2022", "hoa-binh-2023", "binh-thuan-2023", "kon-tum-2022"}) {
    CHECK_FALSE(test::builtin(id).rating_evidence);
    CHECK_FALSE(test::builtin(id).applies("rating-criteria"));
  }
  auto v1 = frozen_format1_profile("bac-giang-2020");
  REQUIRE(v1);
  CHECK_FALSE((*v1)->rating_evidence);
  CHECK_FALSE((*v1)->applies("rating-criteria"));
  CHECK_FALSE((*v1)->applies("one-rating"));
  // Format 1 knows no rating_evidence; format 2 requires it; a percentage profile has none; ids are the profile's.
  json old = json::parse(frozen_format1_text("bac-giang-2020"));
  old["rating_evidence"] = nullptr;
  CHECK_THAT(refusal(old.dump()), Catch::Contains("rating_evidence: unknown field"));
  json bg = json::parse(builtin_profile_text("bac-giang-2020"));
  json bad = bg;
  bad.erase("rating_evidence");
  CHECK_THAT(refusal(bad.dump()), Catch::Contains("rating_evidence: missing"));
  bad = bg;
  bad["rating_evidence"] = nullptr;
  CHECK_THAT(refusal(bad.dump()), Catch::Contains("rating_evidence: a criteria profile says what its criteria claim"));
  bad = bg;
  bad["rating_evidence"]["dossier"][0] = "BG.Z9";
  CHECK_THAT(refusal(bad.dump()), Catch::Contains("rating_evidence.dossier[0]: criterion \"BG.Z9\" is not defined"));
  bad = bg;
  bad["rating_evidence"]["announced"][0]["scopes"][0] = "village";
  CHECK_THAT(refusal(bad.dump()), Catch::Contains("rating_evidence.announced[0].scopes[0]"));
  bad = bg;
  bad["rating_evidence"]["commended"][0].erase("levels");
  CHECK_THAT(refusal(bad.dump()), Catch::Contains("rating_evidence.commended[0].levels: missing"));
  CHECK_THAT(refusal(changed([&](json& j) { j["rating_evidence"] = bg["rating_evidence"]; })),
             Catch::Contains("rating_evidence: expected null: only criteria profiles name criteria"));
}

TEST_CASE("Bắc Giang format 2: who rates (rating.raters, rule rater, 004 §III.2), null elsewhere, absent in format 1", "[projections]") {
  const Profile& p = test::builtin("bac-giang-2020");
  REQUIRE(p.rating.raters);
  const auto& r = *p.rating.raters;
  REQUIRE(r.size() == 3);
  CHECK((r[0].kind == "police" && r[0].level == "province"));
  CHECK((r[1].kind == "steering-committee" && r[1].level == "district"));
  CHECK((r[2].kind == "steering-committee" && r[2].level == "commune"));
  CHECK_THAT(r[0].cite, Catch::StartsWith("004 §III.2") && Catch::Contains("Phòng An ninh kinh tế"));
  CHECK(p.applies("rater"));
  for (const auto& id : {"bca-22-2022", "hoa-binh-2023", "binh-thuan-2023", "kon-tum-2022"}) {
    CHECK_FALSE(test::builtin(id).rating.raters);
    CHECK_FALSE(test::builtin(id).applies("rater"));
  }
  CHECK(std::find(rule_ids().begin(), rule_ids().end(), "rater") != rule_ids().end());
  CHECK(std::find(format1_rule_ids().begin(), format1_rule_ids().end(), "rater") == format1_rule_ids().end());
  auto v1 = frozen_format1_profile("bac-giang-2020");
  REQUIRE(v1);
  CHECK_FALSE((*v1)->rating.raters);
  CHECK_FALSE((*v1)->applies("rater"));
  // Format 1 knows no raters; format 2 requires the field; each entry a registry kind and level, once.
  json old = json::parse(frozen_format1_text("bac-giang-2020"));
  old["rating"]["raters"] = nullptr;
  CHECK_THAT(refusal(old.dump()), Catch::Contains("rating.raters: unknown field"));
  const json bg = json::parse(builtin_profile_text("bac-giang-2020"));
  json bad = bg;
  bad["rating"].erase("raters");
  CHECK_THAT(refusal(bad.dump()), Catch::Contains("rating.raters: missing"));
  bad = bg;
  bad["rating"]["raters"] = json::array();
  CHECK_THAT(refusal(bad.dump()), Catch::Contains("rating.raters: expected a list of {kind, level, cite}, or null"));
  bad = bg;
  bad["rating"]["raters"][0]["kind"] = "phong";
  CHECK_THAT(refusal(bad.dump()), Catch::Contains("rating.raters[0].kind: \"phong\" is not one of people-committee"));
  bad = bg;
  bad["rating"]["raters"][1]["level"] = "department";
  CHECK_THAT(refusal(bad.dump()), Catch::Contains("rating.raters[1].level: \"department\" is not one of commune"));
  bad = bg;
  bad["rating"]["raters"][2].erase("cite");
  CHECK_THAT(refusal(bad.dump()), Catch::Contains("rating.raters[2].cite: missing"));
  bad = bg;
  bad["rating"]["raters"][2]["level"] = "district";
  CHECK_THAT(refusal(bad.dump()), Catch::Contains("rating.raters[2]: steering-committee of level district is listed twice"));
  bad = bg;
  bad["rating"]["raters"][0]["founders"] = json::array();
  CHECK_THAT(refusal(bad.dump()), Catch::Contains("rating.raters[0].founders: unknown field"));
  // The rule on with no one named is no profile.
  bad = bg;
  bad["rating"]["raters"] = nullptr;
  CHECK_THAT(refusal(bad.dump()), Catch::Contains("rules.rater: true, but rating.raters is null"));
  CHECK_THAT(refusal(changed([](json& j) { j["rules"].erase("rater"); })), Catch::Contains("rules.rater: missing"));
  CHECK(parse_profile(changed([](json& j) { j["rating"]["raters"] = json::parse(R"([{"kind": "police", "level": "district", "cite": "x"}])"); }),
                      "test.json"));
}

TEST_CASE("Format 2: the units' report tiers (unit_reports) replace statistics.reports, and Bắc Giang's two tiers (004 §III.2)", "[projections]") {
  const Profile& bg = test::builtin("bac-giang-2020");
  REQUIRE(bg.unit_reports.size() == 4);
  CHECK(bg.unit_reports[0].levels == std::vector<std::string>{"commune", "agency"});
  CHECK(bg.unit_reports[1].before == "11-10");
  CHECK(bg.unit_reports[3].before == "11-20");
  CHECK(bg.unit_reports[3].levels == std::vector<std::string>{"district", "province"});
  CHECK(before(bg, "missing-rating") == "11-10");
  CHECK(before(bg, "missing-report").empty());
  CHECK(bg.applies("good-not-announced"));
  CHECK_FALSE(test::builtin("hoa-binh-2023").applies("good-not-announced"));
  CHECK(test::builtin("bca-22-2022").unit_reports.empty());
  CHECK_THAT(refusal(changed([](json& j) { j["statistics"]["reports"] = json::array(); })),
             Catch::Contains("statistics.reports: unknown field"));
  CHECK_THAT(refusal(changed([](json& j) { j["unit_reports"]["tiers"][0]["levels"] = json::array(); })),
             Catch::Contains("unit_reports.tiers[0].levels: expected at least one"));
  CHECK_THAT(refusal(changed([](json& j) { j["deadlines"][0]["id"] = "missing-rating"; })),
             Catch::Contains("deadlines[0].act: missing-rating is about model.rated"));
  json old = json::parse(frozen_format1_text("hoa-binh-2023"));
  old["deadlines"][0]["id"] = "missing-rating";
  old["deadlines"][0]["act"] = "model.rated";
  CHECK_THAT(refusal(old.dump()), Catch::Contains("\"missing-rating\" is not one of"));
}

TEST_CASE("A malformed profile is refused, naming the field", "[projections]") {
  CHECK_THAT(refusal("{not json"), Catch::Contains("malformed JSON"));
  CHECK_THAT(refusal(changed([](json& j) { j["format"] = "antq-profile 3"; })), Catch::Contains("format"));
  CHECK_THAT(refusal(changed([](json& j) { j.erase("rating"); })), Catch::Contains("rating: missing"));
  CHECK_THAT(refusal(changed([](json& j) { j["colour"] = "red"; })), Catch::Contains("colour: unknown field"));
  CHECK_THAT(refusal(changed([](json& j) { j["establishment"]["requires"]["linked"][0] = "model.celebrated"; })),
             Catch::Contains("establishment.requires.linked[0]") && Catch::Contains("model.celebrated"));
  CHECK_THAT(refusal(changed([](json& j) { j["deadlines"][0]["before"] = "02-30"; })),
             Catch::Contains("deadlines[0].before: expected MM-DD"));
  CHECK_THAT(refusal(changed([](json& j) { std::swap(j["rating"]["bands"][0], j["rating"]["bands"][1]); })),
             Catch::Contains("rating.bands[0].level"));
  CHECK_THAT(refusal(changed([](json& j) { j["rules"].erase("one-rating"); })), Catch::Contains("rules.one-rating: missing"));
  CHECK_THAT(refusal(changed([](json& j) { j["dossier"]["model"]["linked"][1]["item"] = "1"; })),
             Catch::Contains("appears twice"));
  // Provenance is allowed anywhere.
  CHECK(parse_profile(changed([](json& j) { j["rating"]["note"] = "a remark"; }), "test.json").has_value());
}

TEST_CASE("A ledger keeps its profile's file from init and is judged by that file", "[projections]") {
  test::TempDir tmp;
  test::Pki pki(tmp / "pki");
  test::Identity admin = pki.issue("admin");
  auto init = [&](const std::string& dir, const std::string& id, std::string_view text) {
    ledger::InitOptions o;
    o.dir = tmp / dir;
    o.profile = id;
    o.roots = {pki.root().certificate_der};
    o.administrator = admin.certificate;
    o.profile_document.assign(text.begin(), text.end());
    o.operator_key = test::new_operator_key();
    test::require_ok(ledger::Ledger::init(o));
    return test::open_ledger(tmp / dir, o.operator_key);
  };

  const std::string_view text = builtin_profile_text("bac-giang-2020");
  auto kept = init("kept", "bac-giang-2020", text);
  REQUIRE(kept->info().profile_document == sha256(as_bytes(text)));
  auto stored = kept->attachment(*kept->info().profile_document);
  REQUIRE(stored);
  CHECK(std::string(stored->begin(), stored->end()) == text);
  auto rules = make_admission(*kept);
  if (!rules) FAIL(rules.error().line());
  CHECK(kept->verify({}, **rules).ok);

  // A stored file that names another profile than the ledger's is corruption, said with both names.
  auto mixed = init("mixed", "hoa-binh-2023", text);
  auto refused = make_admission(*mixed);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().kind == ErrorKind::corruption);
  CHECK_THAT(refused.error().message, Catch::Contains("bac-giang-2020") && Catch::Contains("hoa-binh-2023"));
}

TEST_CASE("Format 1, the files ledgers stored before issue 21, is still read, and the rules added since do not apply under it", "[projections]") {
  for (const auto& id : known_profiles()) {
    INFO(id);
    auto frozen = frozen_format1_profile(id);
    if (!frozen) FAIL(frozen.error().line());
    CHECK((*frozen)->format == 1);
    CHECK((*frozen)->id == id);
    CHECK(json::parse(frozen_format1_text(id))["format"] == "antq-profile 1");
    for (const auto& rule : rule_ids())
      if (std::find(format1_rule_ids().begin(), format1_rule_ids().end(), rule) == format1_rule_ids().end())
        CHECK_FALSE((*frozen)->applies(rule));
    CHECK(test::builtin(id).format == 2);
  }
}

TEST_CASE("Format 2 of issue 21 §5-6: names, the plan's due day, evidence for Weak models, common criteria, the apart list", "[projections]") {
  for (const auto& id : known_profiles()) {
    INFO(id);
    const Profile& p = test::builtin(id);
    // No seed gives the plan a day: due by the end of the evaluation year.
    CHECK_FALSE(p.missing_plan_before.has_value());
    CHECK(p.weak_on_evidence);
    CHECK(p.exemplar.has_value() == p.applies("exemplar-common-criteria"));
    if (p.exemplar) {
      REQUIRE(p.exemplar->common_criteria.size() == 5);  // 000 §IV.1.3 = 001 §IV.1 Bước 3
      CHECK(p.exemplar->common_criteria[3].evidence == "commendation.awarded");
    }
    // The format-1 file of the same profile: the engine's values of then.
    auto frozen = frozen_format1_profile(id);
    if (!frozen) FAIL(frozen.error().line());
    CHECK((*frozen)->missing_plan_before == "01-01");
    CHECK_FALSE((*frozen)->weak_on_evidence);
    CHECK((*frozen)->statistics_apart == std::vector<std::string>{"dan-van-kheo", "no-security-content"});
    CHECK((*frozen)->names.standard.empty());
    CHECK((*frozen)->names.abbreviations.empty());
    if ((*frozen)->exemplar) CHECK((*frozen)->exemplar->common_criteria.empty());
  }
  CHECK(test::builtin("hoa-binh-2023").statistics_apart.size() == 2);  // 000 §VI.2-3
  CHECK(test::builtin("kon-tum-2022").statistics_apart.empty());
  CHECK(test::builtin("bac-giang-2020").names.standard.size() == 22);  // 004 Phụ lục
  CHECK(test::builtin("bac-giang-2020").names.abbreviations.at("TP") == "tội phạm");

  CHECK_THAT(refusal(changed([](json& j) { j.erase("names"); })), Catch::Contains("names: missing"));
  // A standard name carries no type (no code read it: the appendix's headings are in the section's cite).
  CHECK_THAT(refusal(changed([](json& j) { j["names"]["standard"] = {{{"name", "X"}, {"type", "linked"}, {"aliases", json::array()}}}; })),
             Catch::Contains("names.standard[0].type: unknown field"));
  CHECK_THAT(refusal(changed([](json& j) { j["names"]["abbreviations"]["AN TT"] = "an ninh, trật tự"; })),
             Catch::Contains("an abbreviation is one word"));
  CHECK_THAT(refusal(changed([](json& j) { j["names"]["abbreviations"]["AN-TT"] = "an ninh, trật tự"; })),
             Catch::Contains("names.abbreviations.AN-TT: an abbreviation is one word"));
  CHECK_THAT(refusal(changed([](json& j) { j["names"]["abbreviations"]["ANTT"] = 1; })),
             Catch::Contains("names.abbreviations.ANTT"));
  CHECK_THAT(refusal(changed([](json& j) {
               auto& d = j["deadlines"];
               d.erase(std::remove_if(d.begin(), d.end(), [](const json& e) { return e["id"] == "missing-plan"; }), d.end());
             })),
             Catch::Contains("expected an entry of id missing-plan"));
  CHECK_THAT(refusal(changed([](json& j) { j["deadlines"].back()["before"] = "13-01"; })),
             Catch::Contains("expected MM-DD or null"));
  CHECK_THAT(refusal(changed([](json& j) { j["exemplar"]["common_criteria"][0]["evidence"] = "model.celebrated"; })),
             Catch::Contains("exemplar.common_criteria[0].evidence"));
  CHECK(parse_profile(changed([](json& j) { j["deadlines"].back()["before"] = "01-01"; }), "test.json")->missing_plan_before == "01-01");
  // A format-1 file has none of these sections.
  json v1 = json::parse(frozen_format1_text("hoa-binh-2023"));
  v1["names"] = json::parse(builtin_profile_text("hoa-binh-2023"))["names"];
  CHECK_THAT(refusal(v1.dump()), Catch::Contains("names: unknown field"));
}

TEST_CASE("Recognition only in Kon Tum (002 §1.c), transition only in Bình Thuận (001 §IV(second).3), format 1 keeps the recognition of its time", "[projections][recognition]") {
  const Profile& kt = test::builtin("kon-tum-2022");
  REQUIRE(kt.recognition);
  CHECK_FALSE(kt.recognition->legacy);
  CHECK(kt.recognition->steps == std::vector<std::string>{"model.proposed"});
  CHECK(kt.recognition->excused_items == std::vector<std::string>{"1", "2", "4", "5"});
  CHECK_THAT(kt.recognition->cite, Catch::StartsWith("002 §1.c"));
  CHECK_FALSE(kt.transition);
  const Profile& bt = test::builtin("binh-thuan-2023");
  REQUIRE(bt.transition);
  CHECK(bt.transition->from == "1383/QĐ-BCĐ");
  CHECK_THAT(bt.transition->cite, Catch::StartsWith("001 second §IV"));
  CHECK_FALSE(bt.recognition);
  for (const char* id : {"bca-22-2022", "hoa-binh-2023", "bac-giang-2020"}) {
    INFO(id);
    CHECK_FALSE(test::builtin(id).recognition);
    CHECK_FALSE(test::builtin(id).transition);
  }
  for (const auto& id : known_profiles()) {
    INFO(id);
    auto frozen = frozen_format1_profile(id);
    if (!frozen) FAIL(frozen.error().line());
    REQUIRE((*frozen)->recognition);
    CHECK((*frozen)->recognition->legacy);
    CHECK_FALSE((*frozen)->transition);
  }
}

TEST_CASE("A malformed recognition or transition section is refused, naming the field, and format 1 has neither", "[projections][recognition]") {
  CHECK_THAT(refusal(changed([](json& j) { j.erase("recognition"); })), Catch::Contains("recognition: missing"));
  CHECK_THAT(refusal(changed([](json& j) { j.erase("transition"); })), Catch::Contains("transition: missing"));
  auto kon_tum = [](const std::function<void(json&)>& change) {
    json j = json::parse(builtin_profile_text("kon-tum-2022"));
    change(j);
    return j.dump();
  };
  CHECK(parse_profile(kon_tum([](json&) {}), "test.json").has_value());
  CHECK_THAT(refusal(kon_tum([](json& j) { j["recognition"]["requires"] = json::array({"model.recognized"}); })),
             Catch::Contains("recognition.requires[0]") && Catch::Contains("cannot precede a recognition"));
  CHECK_THAT(refusal(kon_tum([](json& j) { j["recognition"]["requires"] = json::array({"model.celebrated"}); })),
             Catch::Contains("recognition.requires[0]"));
  CHECK_THAT(refusal(kon_tum([](json& j) { j["recognition"]["excused_items"] = json::array({"1", "99"}); })),
             Catch::Contains("recognition.excused_items[1]") && Catch::Contains("\"99\" is not an item of dossier.model"));
  CHECK_THAT(refusal(kon_tum([](json& j) { j["recognition"]["excused_items"] = json::array({"1", "1"}); })),
             Catch::Contains("appears twice"));
  CHECK_THAT(refusal(kon_tum([](json& j) { j["recognition"].erase("cite"); })), Catch::Contains("recognition.cite: missing"));
  CHECK_THAT(refusal(kon_tum([](json& j) { j["recognition"]["steps"] = json::array(); })),
             Catch::Contains("recognition.steps: unknown field"));
  CHECK_THAT(refusal(changed([](json& j) { j["transition"] = {{"from", ""}, {"cite", "x"}}; })),
             Catch::Contains("transition.from: expected non-empty text"));
  CHECK_THAT(refusal(changed([](json& j) { j["transition"] = "1383/QĐ-BCĐ"; })), Catch::Contains("transition: expected an object"));
  // A format-1 file names neither section (the reader of its time would refuse them).
  json old = json::parse(frozen_format1_text("kon-tum-2022"));
  old["recognition"] = nullptr;
  CHECK_THAT(refusal(old.dump()), Catch::Contains("recognition: unknown field"));
}

TEST_CASE("A ledger made before profiles were stored is judged by the frozen format-1 file, not by today's", "[projections]") {
  test::TempDir tmp;
  test::Pki pki(tmp / "pki");
  test::Identity admin = pki.issue("admin");
  ledger::InitOptions o;
  o.dir = tmp / "old";
  o.profile = "kon-tum-2022";
  o.roots = {pki.root().certificate_der};
  o.administrator = admin.certificate;
  o.operator_key = test::new_operator_key();
  test::require_ok(ledger::Ledger::init(o));
  auto old = test::open_ledger(tmp / "old", o.operator_key);
  REQUIRE_FALSE(old->info().profile_document.has_value());
  auto judged = initial_profile(*old);
  if (!judged) FAIL(judged.error().line());
  CHECK(judged->format == 1);
  CHECK(judged->id == "kon-tum-2022");
  auto rules = make_admission(*old);
  if (!rules) FAIL(rules.error().line());
  CHECK(old->verify({}, **rules).ok);
}

}  // namespace antq::projections

namespace antq::projections {

TEST_CASE("Format 2 lists no rule applied under every profile, and termination.decided_by may be null", "[projections]") {
  for (const auto& id : known_profiles()) {
    INFO(id);
    const json j = json::parse(builtin_profile_text(id));
    for (const auto& rule : always_applied_rule_ids()) {
      CHECK_FALSE(j["rules"].contains(rule));
      CHECK(test::builtin(id).applies(rule));
      // The format-1 file lists those of its time, as it did (`unit` and `predecessor` came with format 2).
      CHECK(json::parse(frozen_format1_text(id))["rules"].contains(rule) == (rule != "unit" && rule != "predecessor"));
    }
    CHECK(test::builtin(id).termination_decided_by == "establishing-level");
    CHECK(!test::builtin(id).source_file.empty());
  }
  CHECK_THAT(refusal(changed([](json& j) { j["rules"]["authority"] = false; })),
             Catch::Contains("rules.authority: applies under every profile"));
  CHECK_THAT(refusal(changed([](json& j) { j["termination"]["decided_by"] = "province"; })),
             Catch::Contains("termination.decided_by: expected establishing-level or null"));
  auto open = parse_profile(changed([](json& j) { j["termination"]["decided_by"] = nullptr; }), "test.json");
  REQUIRE(open);
  CHECK_FALSE(open->termination_decided_by.has_value());
  // Format 1 still wants the value it always had.
  json v1 = json::parse(frozen_format1_text("hoa-binh-2023"));
  v1["termination"]["decided_by"] = nullptr;
  CHECK_THAT(refusal(v1.dump()), Catch::Contains("termination.decided_by"));
  CHECK(test::builtin("hoa-binh-2023").replaces.size() == 1);
  CHECK(test::builtin("bac-giang-2020").rating.criteria_en.size() ==
        test::builtin("bac-giang-2020").rating.criteria_text.size());
}

}  // namespace antq::projections
