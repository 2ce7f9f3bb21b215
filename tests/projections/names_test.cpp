// One model, one name (issue 21 §6; projections/names.hpp): names keyed after NFC, case folding, one tone placement,
// the profile's abbreviations and without punctuation; statistics and reports print one row per key with the
// profile's standard name (Bắc Giang 004 Phụ lục), else the variant most points use.
#include "projections/names.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "cli/queries.hpp"
#include "projections/report.hpp"
#include "projections/stats.hpp"
#include "support.hpp"

namespace antq::projections {
namespace {

using nlohmann::json;
using test::make_act;
using test::TestLedger;

// "Tổ dân cư tự quản" in decomposed Unicode (NFD): each accented letter a base letter and combining marks.
const std::string kDecomposed = "To\xCC\x82\xCC\x89 da\xCC\x82n cu\xCC\x9B tu\xCC\x9B\xCC\xA3 qua\xCC\x89n";

TEST_CASE("A name key: NFC, case folding, one tone placement, no punctuation", "[names]") {
  CHECK(name_key(kDecomposed) == name_key("Tổ dân cư tự quản"));
  CHECK(fold_text(kDecomposed) == fold_text("TỔ DÂN CƯ TỰ QUẢN"));
  CHECK(name_key("TỔ DÂN CƯ   TỰ QUẢN") == name_key("tổ dân cư tự quản"));
  // The old and the new tone placement are one syllable: uỷ/ủy, oà/òa, oè/òe, uý/úy.
  CHECK(name_key("Uỷ ban") == name_key("Ủy ban"));
  CHECK(name_key("hoà giải") == name_key("hòa giải"));
  CHECK(name_key("khoẻ") == name_key("khỏe"));
  CHECK(name_key("quý") == name_key("qúy"));
  CHECK(name_key("thuỷ") == name_key("thủy"));
  // Tones still tell syllables apart.
  CHECK(name_key("Tổ") != name_key("Tố"));
  CHECK(name_key("hoà") != name_key("hoá"));
  // Punctuation separates words and is dropped.
  CHECK(name_key("an ninh, trật tự.") == name_key("an ninh trật tự"));
  CHECK(name_key("Tổ liên gia (Cụm dân cư an toàn)...") == name_key("Tổ liên gia Cụm dân cư an toàn"));
  CHECK(name_key("Câu lạc bộ phòng, chống TP, TNXH") != name_key("Câu lạc bộ phòng chống tội phạm tệ nạn xã hội"));
}

TEST_CASE("Abbreviations expand only as whole words, under the profile that lists them", "[names]") {
  const auto& bg = test::builtin("bac-giang-2020").names.abbreviations;
  CHECK(name_key("Tổ dân cư tự quản về ANTT", bg) == name_key("Tổ dân cư tự quản về an ninh, trật tự", bg));
  CHECK(name_key("Câu lạc bộ phòng, chống TP, TNXH", bg) ==
        name_key("Câu lạc bộ phòng, chống tội phạm, tệ nạn xã hội", bg));
  // TP only as a word: inside PCTP it is PCTP's own expansion; in "TPHCM" nothing is expanded.
  CHECK(name_key("Tổ PCTP lưu hành tiền giả", bg) == name_key("Tổ phòng, chống tội phạm lưu hành tiền giả", bg));
  CHECK(name_key("Đội TPHCM", bg) == name_key("đội tphcm"));
  CHECK(name_key("Đội tp", bg) == name_key("Đội tội phạm", bg));  // case folded like the name
  // Without the profile's abbreviations, ANTT is a word of its own.
  CHECK(name_key("Tổ dân cư tự quản về ANTT") != name_key("Tổ dân cư tự quản về an ninh, trật tự"));
  // Hòa Bình lists ANTT (000 writes both); Bình Thuận lists none.
  CHECK(test::builtin("hoa-binh-2023").names.abbreviations.contains("ANTT"));
  CHECK(test::builtin("binh-thuan-2023").names.abbreviations.empty());
}

TEST_CASE("Bắc Giang's standard names: an alias, an abbreviation and decomposed input reach the listed name", "[names]") {
  const Profile& p = test::builtin("bac-giang-2020");
  REQUIRE(p.names.standard.size() == 22);  // 004 Phụ lục: 16 self-managed, 6 linked
  const ModelNames names(p.names);
  const std::string group = names.group("Tổ liên gia tự quản về ANTT");
  CHECK(names.standard(group) == "Tổ liên gia tự quản về ANTT");
  CHECK(names.group("TỔ LIÊN GIA TỰ QUẢN VỀ AN NINH, TRẬT TỰ") == group);
  CHECK(names.group("Cụm dân cư an toàn") == group);  // the appendix's other name of it
  CHECK(names.group("Phường an toàn về an ninh, trật tự") ==
        names.group("Xã, phường, thị trấn, cơ quan, doanh nghiệp, nhà trường, an toàn về ANTT"));
  CHECK_FALSE(names.standard(names.group("Tổ dân cư tự quản")).has_value());
}

// A Bắc Giang model: proposal, consultation, establishment (004 §II.1.1-§II.1.2).
void found_bg(TestLedger& t, const std::string& id, const std::string& month, const std::string& name, int teams) {
  t.admit(make_act("model.proposed", id, month + "-01"));
  t.admit(make_act("model.consulted", id, month + "-05"));
  t.admit(make_act("model.established", id, month + "-10", {{"name", name}, {"type", "self-managed"}, {"teams", teams}}));
}

TEST_CASE("Statistics: one row per name key, printed with the standard name, variants in the JSON", "[names][stats]") {
  TestLedger t("bac-giang-2020", "p256");
  found_bg(t, "A", "2023-01", "Tổ liên gia tự quản về ANTT", 3);
  found_bg(t, "B", "2023-02", "Tổ liên gia tự quản về an ninh, trật tự", 4);
  found_bg(t, "C", "2023-03", "tổ liên gia tự quản về an ninh trật tự", 2);
  found_bg(t, "D", "2023-04", "Camera an ninh", 1);
  auto st = statistics(*t.ledger, {}, std::nullopt);
  if (!st) FAIL(st.error().line());
  REQUIRE(st->models.size() == 2);
  CHECK(st->models[0].name == "Tổ liên gia tự quản về ANTT");  // the standard name
  CHECK(st->models[0].points == 3);
  CHECK(st->models[0].teams == 9);
  CHECK(st->models[0].variants.size() == 3);
  CHECK(st->models[0].variants.at("Tổ liên gia tự quản về an ninh, trật tự") == 1);
  CHECK(st->models[1].name == "Camera an ninh");
  // The report prints the one row.
  auto r = periodic_report(*t.ledger, "2023", "", std::nullopt, "2023-12-31");
  if (!r) FAIL(r.error().line());
  int rows = 0;
  for (const auto& f : report_figures(*r))
    if (f.section == "points" && f.key.find("Tổ liên gia") != std::string::npos) {
      ++rows;
      CHECK(f.key == "Tổ liên gia tự quản về ANTT");
      CHECK(f.value == "3");
    }
  CHECK(rows == 1);

  // reconcile matches a submitted row by name key: two variants, one in decomposed Unicode, add up to the one row.
  std::string csv = "section,key,value\r\nreport,period,2023\r\nreport,as_of," + r->as_of + "\r\n";
  csv += "points,Tổ liên gia tự quản về an ninh trật tự,2\r\n";
  csv += "points,To\xCC\x82\xCC\x89 lie\xCC\x82n gia tu\xCC\x9B\xCC\xA3 qua\xCC\x89n ve\xCC\x82\xCC\x80 ANTT,1\r\n";
  for (const auto& f : report_figures(*r))
    if (f.section != "report" && f.section != "points") csv += f.section + "," + f.key + "," + f.value + "\r\n";
  csv += "points,Camera an ninh,1\r\n";
  auto checked = cli::queries::reconcile(*t.ledger, csv, "bao-cao.csv", {});
  if (!checked) FAIL(checked.error().line());
  INFO(checked->dump());
  CHECK((*checked)["differences"].empty());
}

TEST_CASE("Statistics: without a standard name, the variant most points use, tone placement and ANTT grouped", "[names][stats]") {
  TestLedger t("hoa-binh-2023", "p256");
  auto found = [&](const std::string& id, const std::string& month, const std::string& name) {
    const auto& steps = test::kBaselineSteps;
    for (std::size_t i = 0; i < steps.size(); ++i) t.admit(make_act(steps[i], id, fmt::format("{}-{:02}", month, i + 1)));
    t.admit(make_act("model.established", id, month + "-10", {{"name", name}, {"type", "self-managed"}, {"teams", 1}}));
  };
  found("A", "2023-01", "Tổ dân cư tự quản về ANTT");
  found("B", "2023-02", "Tổ dân cư tự quản về an ninh, trật tự");
  found("C", "2023-03", "Tổ dân cư tự quản về an ninh, trật tự");
  found("D", "2023-04", "Tổ hoà giải");
  found("E", "2023-05", "Tổ hòa giải");
  auto st = statistics(*t.ledger, {}, std::nullopt);
  if (!st) FAIL(st.error().line());
  REQUIRE(st->models.size() == 2);
  CHECK(st->models[0].name == "Tổ dân cư tự quản về an ninh, trật tự");  // 2 of its 3 points
  CHECK(st->models[0].points == 3);
  CHECK(st->models[1].points == 2);
}

}  // namespace
}  // namespace antq::projections
