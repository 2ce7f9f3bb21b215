// Dossier completeness (domain.md §6; Hòa Bình 000 §V.1 for models, §V.2 for exemplars): every status — present,
// missing, not-required (an "(if any)" item, a step not reached, a recognized model's building steps) and disposed —
// with the documents behind each item, as of any date.
#include "projections/dossier.hpp"

#include <algorithm>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "projections/audit.hpp"
#include "support.hpp"

namespace antq::projections {
namespace {

using nlohmann::json;
using test::make_act;
using test::TestLedger;

const std::vector<std::string>& kSteps = test::kBaselineSteps;

const DossierEntry& item(const Dossier& d, const std::string& code) {
  for (const auto& e : d.items)
    if (e.item.item == code) return e;
  FAIL("no item " << code);
  throw;
}

Dossier dossier(const TestLedger& t, const std::string& id, AsOf at = {}) {
  auto d = dossier_of(*t.ledger, id, at);
  if (!d) FAIL(d.error().line());
  return *d;
}

// A model founded by the six baseline steps on `date` (000 §III.1), its decision with a document given by digest.
void found_on(TestLedger& t, const std::string& id, const std::string& date) {
  int day = 1;
  for (const auto& step : kSteps)
    t.admit(make_act(step, id, fmt::format("2023-02-{:02}", day++), step == "model.proposed"
                                                                       ? json{{"name", "Tổ tự quản"}, {"type", "self-managed"}}
                                                                       : json::object()));
  json established = make_act("model.established", id, date, {{"name", "Tổ tự quản"}, {"type", "self-managed"}, {"teams", 3}});
  established["attachments"] = json::array({{{"item", "6"}, {"media_type", "application/pdf"},
                                             {"sha256", std::string(64, 'a')}, {"size", 12345}}});
  t.admit(established);
}

TEST_CASE("A model's dossier: present, missing, not-required, disposed, and as of an earlier date (000 §V.1)", "[dossier]") {
  TestLedger t("hoa-binh-2023", "p256");
  found_on(t, "M-1", "2023-03-01");
  t.admit(make_act("model.launched", "M-1", "2023-03-15"));  // without regulations (item 7)
  t.admit(make_act("model.plan-issued", "M-1", "2023-11-20", {{"year", 2024}, {"targets", 10}}));
  t.admit(make_act("model.report-filed", "M-1", "2024-05-10", {{"period", "2024-H1"}, {"targets_met", 5}}));
  t.admit(make_act("model.rated", "M-1", "2024-11-08", {{"year", 2024}, {"level", "good"}}));
  // Item 11, evidence of effectiveness: a document filed with document.attached.
  const std::filesystem::path evidence = t.tmp / "evidence.txt";
  test::write_file(evidence, "Báo cáo thành tích năm 2024");
  json attached = make_act("document.attached", "M-1", "2024-11-20");
  attached["attachments"] = json::array({{{"item", "11"}, {"media_type", "text/plain"}, {"path", evidence.string()}}});
  t.admit(attached);

  Dossier d = dossier(t, "M-1");
  CHECK(d.profile == "hoa-binh-2023");
  REQUIRE(d.items.size() == 16);
  for (const char* present : {"1", "2", "3", "4", "5", "6", "8", "9", "10", "11", "13", "16"}) {
    INFO(present);
    CHECK(item(d, present).status == "present");
  }
  // 7: regulations — the launch came after that step without them.
  CHECK(item(d, "7").status == "missing");
  CHECK_THAT(item(d, "7").reason.str(), Catch::Contains("model.launched of 2023-03-15"));
  // 15: reviews — due once rated, none filed.
  CHECK(item(d, "15").status == "missing");
  // 12 fund ledger and 14 reorganisation are "(nếu có)" items whose acts never happened.
  CHECK(item(d, "12").status == "not-required");
  CHECK(item(d, "14").status == "not-required");
  CHECK(d.present == 12);
  CHECK(d.missing == 2);
  CHECK(d.completeness() == Approx(12.0 / 14.0));
  // The documents behind an item: the decision with its number, date, signers and attachment.
  const DossierEntry& six = item(d, "6");
  REQUIRE(six.documents.size() == 1);
  CHECK(six.documents[0].act == "model.established");
  CHECK(six.documents[0].date == "2023-03-01");
  CHECK(six.documents[0].document.number == "1/model.established");
  CHECK(six.documents[0].signers.size() == 2);  // the chairman and the office
  REQUIRE(six.documents[0].attachments.size() == 1);
  CHECK_FALSE(six.documents[0].attachments[0].held);  // given by digest: held elsewhere, not disposed
  CHECK(item(d, "11").documents[0].attachments[0].held);

  // As of before the launch: the steps after establishment are not reached yet, nothing is missing.
  Dossier early = dossier(t, "M-1", AsOf{"2023-03-05", std::nullopt});
  CHECK(item(early, "7").status == "not-required");
  CHECK(item(early, "7").reason.str() == "step not reached yet");
  CHECK(item(early, "9").status == "not-required");
  CHECK(early.missing == 0);
  CHECK(early.completeness() == 1.0);

  // Item 11's evidence is kept permanently (no row of the provisional schedule names it): its disposal is refused
  // [retention], and a digest that is none is bad input. (Lawful disposals: retention_test.cpp.)
  const Digest digest = sha256(as_bytes("Báo cáo thành tích năm 2024"));
  auto refused = t.record({{"act", "record.disposed"}, {"subject", "ledger"}, {"date", "2025-01-10"},
                           {"document", {{"number", "3/QĐ-HS"}, {"title", "Quyết định hủy tài liệu"}, {"issuer", "UBND xã Tân Lập"}}},
                           {"authority", test::kCommune},
                           {"data", {{"attachments", json::array({to_hex(digest)})}, {"reason", "hết thời hạn bảo quản"}}}});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().line().starts_with("refused [retention]"));
  CHECK(item(dossier(t, "M-1"), "11").status == "present");
  auto bad = t.record({{"act", "record.disposed"}, {"subject", "ledger"}, {"date", "2025-01-11"}, {"authority", test::kCommune},
                       {"data", {{"attachments", json::array({"not-a-digest"})}}}});
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message, Catch::Contains("data.attachments[0]: expected a SHA-256 digest"));
  auto verify = t.verify();
  CHECK(verify.ok);
}

TEST_CASE("A recognized (spontaneous) model under kon-tum-2022 owes the items of its profile: the proposal, not the survey, policy or implementation (002 §1.c)", "[dossier]") {
  TestLedger t("kon-tum-2022", "p256");
  t.admit(make_act("model.proposed", "R-1", "2023-02-20", {{"name", "Tổ tự phát"}, {"type", "self-managed"}}));
  t.admit(make_act("model.recognized", "R-1", "2023-03-01", {{"name", "Tổ tự phát"}, {"type", "self-managed"}, {"teams", 1}}));
  t.admit(make_act("model.launched", "R-1", "2023-03-10"));
  Dossier d = dossier(t, "R-1");
  // The profile's recognition.excused_items: never surveyed, no party committee's policy, no implementing document.
  for (const char* code : {"1", "2", "4", "5"}) {
    INFO(code);
    CHECK(item(d, code).status == "not-required");
    CHECK_THAT(item(d, code).reason.str(), Catch::Contains("recognized"));
  }
  // The advice to recognise it is its proposal (item 3), and the recognition decision plays the role of the
  // establishment decision (item 6).
  CHECK(item(d, "3").status == "present");
  CHECK(item(d, "3").documents[0].act == "model.proposed");
  CHECK(item(d, "6").status == "present");
  CHECK(item(d, "6").documents[0].act == "model.recognized");
  // What comes after the decision is owed as for any model: the regulations (item 7) came before the launch.
  CHECK(item(d, "7").status == "missing");
}

TEST_CASE("A model brought in from QĐ 1383/2017 under binh-thuan-2023 owes items 1-5 until document.attached files them (001 §IV(second).3)", "[dossier]") {
  TestLedger t("binh-thuan-2023", "p256");
  t.bind_commune_from("2017-01-01");
  t.admit(make_act("model.established", "CU-1", "2020-06-01",
                   {{"name", "Tổ tự quản"}, {"type", "self-managed"}, {"teams", 2}, {"transition", "1383/QĐ-BCĐ"}}));
  Dossier d = dossier(t, "CU-1");
  for (const char* code : {"1", "2", "3", "4", "5"}) {
    INFO(code);
    CHECK(item(d, code).status == "missing");
    CHECK_THAT(item(d, code).reason.str(), Catch::Contains("brought in from 1383/QĐ-BCĐ") &&
                                         Catch::Contains("document.attached"));
  }
  CHECK(item(d, "6").status == "present");
  // The audit names the papers owed.
  auto findings = audit(*t.ledger, "2023-01-01", AsOf{});
  if (!findings) FAIL(findings.error().line());
  const auto incomplete = std::find_if(findings->begin(), findings->end(),
                                       [](const Finding& f) { return f.subject == "CU-1" && f.rule == "dossier-incomplete"; });
  REQUIRE(incomplete != findings->end());
  CHECK_THAT(incomplete->message.str(), Catch::Contains("lacks item(s) 1, 2, 3, 4, 5"));
  // The papers supplemented ("bổ sung thủ tục, hồ sơ"): the survey plan and report, filed on a later day.
  json attached = make_act("document.attached", "CU-1", "2023-06-01");
  attached["attachments"] = json::array({{{"item", "1"}, {"sha256", std::string(64, 'a')}, {"size", 100}},
                                         {{"item", "2"}, {"sha256", std::string(64, 'b')}, {"size", 200}}});
  t.admit(attached);
  d = dossier(t, "CU-1");
  CHECK(item(d, "1").status == "present");
  CHECK(item(d, "2").status == "present");
  for (const char* code : {"3", "4", "5"}) {
    INFO(code);
    CHECK(item(d, code).status == "missing");
  }
  CHECK(d.missing >= 3);
}

TEST_CASE("Under a format-1 file a recognized model was not built through any step before the decision: items 1-5 are not required, as before", "[dossier]") {
  for (auto stored : {test::StoredProfile::format1, test::StoredProfile::none}) {
    TestLedger t("hoa-binh-2023", "p256", stored);
    t.admit(make_act("model.recognized", "R-1", "2023-03-01", {{"name", "Tổ tự phát"}, {"type", "self-managed"}, {"teams", 1}}));
    Dossier d = dossier(t, "R-1");
    for (const char* code : {"1", "2", "3", "4", "5"}) {
      INFO(code);
      CHECK(item(d, code).status == "not-required");
      CHECK_THAT(item(d, code).reason.str(), Catch::Contains("recognized"));
    }
    CHECK(item(d, "6").status == "present");
  }
}

TEST_CASE("An exemplar's dossier has the five items of 000 §V.2", "[dossier]") {
  TestLedger t("hoa-binh-2023", "p256");
  t.admit(make_act("exemplar.surveyed", "E-1", "2023-02-01", {{"holder_kind", "individual"}}));
  t.admit(make_act("exemplar.plan-issued", "E-1", "2023-03-01"));
  Dossier d = dossier(t, "E-1");
  REQUIRE(d.items.size() == 5);
  CHECK(item(d, "E1").status == "present");
  CHECK(item(d, "E2").status == "missing");  // the plan came after the criteria set's step without one
  CHECK(item(d, "E3").status == "present");
  CHECK(item(d, "E4").status == "not-required");
  CHECK(item(d, "E5").status == "not-required");
  CHECK_FALSE(dossier_of(*t.ledger, "E-404", {}));
  CHECK(subject_ids(*t.ledger) == std::vector<std::string>{"E-1"});
}

}  // namespace
}  // namespace antq::projections
