// The unit registry (projections/units.hpp): unit.registered and its refusals, --unit covering the units under a
// unit in report, stats, dossier, audit and retention, names typed in any Unicode form, antq units.
#include <map>

#include "cli/common.hpp"
#include "cli/queries.hpp"
#include "projections/access.hpp"
#include "demo.hpp"
#include "generated_ledger.hpp"
#include "projections/units.hpp"
#include "support.hpp"

namespace antq::test {
namespace {

namespace q = cli::queries;

json unit_act(const std::string& name, const std::string& level, const std::string& kind, const std::string& parent,
              const std::string& from = "2020-01-01", json aliases = json::array(), const std::string& date = "2025-01-02") {
  json data = {{"name", name}, {"level", level}, {"kind", kind}, {"from", from}};
  if (!parent.empty()) data["parent"] = parent;
  if (!aliases.empty()) data["aliases"] = std::move(aliases);
  return json{{"act", "unit.registered"}, {"subject", "ledger"}, {"date", date}, {"data", std::move(data)}};
}

// Signs `act` by the administrator `admin`, failing the test with the signing error's line.
ledger::Submission admin_signed(const json& act, const Identity& admin) {
  auto input = ledger::act_from_json(act, "act", ".");
  if (!input) FAIL(input.error().line());
  auto s = cli::unsigned_submission(std::move(*input));
  auto r = cli::add_signature(s, ledger::Role::person, admin.files, {}, cli::UnencryptedKey::quiet);
  if (!r) FAIL(r.error().line());
  return s;
}

TEST_CASE("unit.registered builds the hierarchy and refuses what would break it, data.mdb unchanged", "[cli][units]") {
  TestLedger t("hoa-binh-2023", "p256");
  auto admit = [&](const json& act) {
    auto r = t.append({sign(act, t.admin)});
    if (!r) FAIL(r.error().line());
  };
  admit(unit_act("UBND tỉnh Hòa Bình", "province", "people-committee", ""));
  admit(unit_act("UBND huyện Yên Thủy", "district", "people-committee", "UBND tỉnh Hòa Bình", "2020-01-01",
                 {"Ủy ban nhân dân huyện Yên Thủy"}));
  // The parent typed in another form (decomposed, other case) is the registered one.
  admit(unit_act("UBND xã Tân Lập", "commune", "people-committee", "ubnd HUYE\xcc\xa3\xcc\x82N yên thủy"));

  auto refused_with = [&](const json& act, const std::string& rule, const std::string& words,
                          const Identity* signer = nullptr) {
    const std::string before = t.data_bytes();
    auto r = t.append({sign(act, signer ? *signer : t.admin)});
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().line(), Catch::StartsWith("refused [" + rule + "]: ") && Catch::Contains(words));
    CHECK(t.data_bytes() == before);
  };
  SECTION("unknown parent: the nearest registered names") {
    refused_with(unit_act("UBND xã Phú Lai", "commune", "people-committee", "UBND huyện Yên Thuy"), "unit",
                 "its parent \"UBND huyện Yên Thuy\" is not a registered unit (register it first; nearest: UBND "
                 "huyện Yên Thủy");
  }
  SECTION("a name colliding after folding") {
    refused_with(unit_act("ubnd  XÃ TÂN LẬP", "commune", "people-committee", "UBND huyện Yên Thủy"), "unit",
                 "is, once folded (NFC, case, white space), a name of \"UBND xã Tân Lập\"");
    // An alias colliding with another unit's name, or with the alias of another.
    refused_with(unit_act("UBND xã Phú Lai", "commune", "people-committee", "UBND huyện Yên Thủy", "2020-01-01",
                          {"UBND tỉnh Hòa Bình"}), "unit", "a name of \"UBND tỉnh Hòa Bình\"");
    refused_with(unit_act("Huyện Yên Thủy", "district", "people-committee", "UBND tỉnh Hòa Bình", "2020-01-01",
                          {"ủy ban nhân dân huyện yên thủy"}), "unit", "a name of \"UBND huyện Yên Thủy\"");
    refused_with(unit_act("UBND xã Phú Lai", "commune", "people-committee", "UBND huyện Yên Thủy", "2020-01-01",
                          {"ubnd xã phú lai"}), "unit", "are the same name once folded");
  }
  SECTION("a cycle: a unit above itself") {
    refused_with(unit_act("BCĐ xã Phú Lai", "commune", "steering-committee", "bcđ xã phú lai"), "unit",
                 "is the unit itself");
  }
  SECTION("a parent of a lower level, or in the registry only later") {
    refused_with(unit_act("UBND huyện Lạc Sơn", "district", "people-committee", "UBND xã Tân Lập"), "unit",
                 "its parent \"UBND xã Tân Lập\" is of level commune, below district");
    refused_with(unit_act("UBND xã Phú Lai", "commune", "people-committee", "UBND huyện Yên Thủy", "2019-06-01"),
                 "unit", "from 2019-06-01, under \"UBND huyện Yên Thủy\", which is in the registry only from 2020-01-01");
  }
  SECTION("signed by no administrator") {
    refused_with(unit_act("UBND xã Phú Lai", "commune", "people-committee", "UBND huyện Yên Thủy"), "authority",
                 "unit.registered is a registry act and must be signed by an administrator", &t.chair);
  }
  SECTION("a bad level or kind is one line naming the field") {
    auto bad = ledger::act_from_json(unit_act("X", "hamlet", "people-committee", ""), "act.json", ".");
    REQUIRE_FALSE(bad);
    CHECK_THAT(bad.error().message, Catch::Contains("data.level"));
    auto kind = ledger::act_from_json(unit_act("X", "commune", "club", ""), "act.json", ".");
    REQUIRE_FALSE(kind);
    CHECK_THAT(kind.error().message, Catch::Contains("data.kind"));
  }
  SECTION("the registry replays: verify finds the state as admission wrote it") {
    auto report = t.verify();
    CHECK(report.ok);
    const projections::UnitTree tree(projections::registered_units(projections::LedgerState(*t.ledger)), "2025-01-01");
    REQUIRE(tree.units().size() == 3);
    CHECK(tree.units()[2].parent == "UBND huyện Yên Thủy");
    CHECK(tree.covers("UBND tỉnh Hòa Bình", "UBND xã Tân Lập"));
    CHECK(tree.covers("ủy ban nhân dân huyện yên thủy", "UBND XÃ TÂN LẬP"));
    CHECK_FALSE(tree.covers("UBND xã Tân Lập", "UBND huyện Yên Thủy"));
    CHECK_FALSE(tree.covers("UBND huyện Yên Thủy", "UBND xã Phú Lai"));  // not registered: stands alone
    CHECK(tree.covers("UBND xã Phú Lai", "ubnd xã phú lai"));
    // Before the units' `from`, no hierarchy.
    CHECK_FALSE(projections::UnitTree(projections::registered_units(projections::LedgerState(*t.ledger)), "2019-12-31")
                    .covers("UBND tỉnh Hòa Bình", "UBND xã Tân Lập"));
  }
}

// A generated district (tools/generator): the district People's Committee and its ten communes.
struct District {
  District() : g(options()) {
    auto acts = generator::district(g.options);
    REQUIRE(acts);
    g.append_all(*acts);
  }
  static generator::Options options() {
    generator::Options o;
    o.models = 10;
    o.points = 20;
    o.exemplars = 2;
    return o;  // evaluation years 2023 to 2025
  }
  // Registers the province, the district under it, and every commune under the district (dated 2026-01-05).
  void register_hierarchy() {
    std::vector<ledger::Submission> acts{
        admin_signed(unit_act("UBND tỉnh Hòa Bình", "province", "people-committee", "", "2020-01-01", json::array(), "2026-01-05"),
             g.admin),
        admin_signed(unit_act("UBND huyện Yên Thủy", "district", "people-committee", "UBND tỉnh Hòa Bình", "2020-01-01",
                      json::array(), "2026-01-05"),
             g.admin)};
    for (const auto& u : generator::units(g.options))
      if (u.level == "commune")
        acts.push_back(admin_signed(unit_act(u.unit, "commune", "people-committee", "UBND huyện Yên Thủy", "2020-01-01",
                                     json::array(), "2026-01-05"),
                            g.admin));
    auto r = g.ledger->append(acts, *g.admission);
    if (!r) FAIL(r.error().line());
  }
  GeneratedLedger g;
};

// The report's figures without its "report" section (period, unit, as_of...).
json figures_of(const Result<q::Json>& r) {
  REQUIRE(r);
  json out = json::array();
  for (const auto& f : (*r)["figures"])
    if (f["section"] != "report") out.push_back(f);
  return out;
}

TEST_CASE("A district's --unit covers its communes once they are registered under it", "[cli][units]") {
  District d;
  const ledger::Ledger& l = *d.g.ledger;
  const std::string district = "UBND huyện Yên Thủy";
  const json every = figures_of(q::report(l, {"2025", "", {}}, {}));
  // No registry: the district's own subjects only, as before.
  CHECK(figures_of(q::report(l, {"2025", district, {}}, {})) != every);

  d.register_hierarchy();
  // The district's report is now the whole district's: every subject was founded by it or one of its communes.
  const auto covered = q::report(l, {"2025", district, {}}, {});
  CHECK(figures_of(covered) == every);
  CHECK((*covered)["unit"] == district);
  CHECK(text_of(q::stats(l, {{}, std::nullopt, district}, {})) == text_of(q::stats(l, {}, {})));
  // A commune still reports only its own subjects.
  const std::string commune = "UBND xã Lạc Thịnh";
  CHECK(figures_of(q::report(l, {"2025", commune, {}}, {})) != every);
  // The province covers all of it too; audit, dossier --unit and retention likewise.
  const std::string province = "UBND tỉnh Hòa Bình";
  CHECK(figures_of(q::report(l, {"2025", province, {}}, {})) == every);
  CHECK(text_of(q::audit(l, {}, "", {}, district))  == text_of(q::audit(l, {}, "", {})));
  const auto commune_audit = q::audit(l, {}, "", {}, commune);
  REQUIRE(commune_audit);
  for (const auto& f : (*commune_audit)["findings"]) CHECK(f["subject"].get<std::string>().starts_with("YT-"));
  CHECK((*q::dossier_gaps(l, district, {}, {}))["subjects_founded"] == projections::subject_ids(l).size());
  CHECK(text_of(q::retention(l, {"2030-01-01", district}, {})) == text_of(q::retention(l, {"2030-01-01", ""}, {})));
  // The district's report as it submits it (CSV) reconciles without a difference: reconcile recomputes the same
  // report, the communes under it included.
  for (const std::string& unit : {district, commune}) {
    auto csv = q::report_csv(l, {"2025", unit, {}}, {});
    REQUIRE(csv);
    auto checked = q::reconcile(l, *csv, unit + ".csv", {});
    REQUIRE(checked);
    CHECK((*checked)["differences"].empty());
    CHECK((*checked)["unit"] == unit);
  }
}

TEST_CASE("A unit typed in decomposed Unicode gives the same report, and an unknown one is exit 2 with the nearest",
          "[cli][units]") {
  District d;
  d.register_hierarchy();
  const ledger::Ledger& l = *d.g.ledger;
  const std::string district = "UBND huyện Yên Thủy";
  const std::string decomposed = "ubnd HUYE\xcc\xa3\xcc\x82N Ye\xcc\x82n Thu\xcc\x89y";  // NFD, other case
  const std::string exact = text_of(q::report(l, {"2025", district, {}}, {}));
  CHECK_FALSE(exact.starts_with("error"));
  CHECK(text_of(q::report(l, {"2025", decomposed, {}}, {})) == exact);
  CHECK(text_of(q::stats(l, {{}, {}, decomposed}, {})) == text_of(q::stats(l, {{}, {}, district}, {})));
  auto unknown = q::report(l, {"2025", "UBND huyện Yên Thủ", {}}, {});
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().kind == ErrorKind::bad_input);
  CHECK_THAT(unknown.error().message,
             Catch::StartsWith("--unit \"UBND huyện Yên Thủ\": no unit of that name") && Catch::Contains("nearest: " + district));

  std::string out;
  CHECK(run(kAntq + " report " + quote(d.g.tmp / "ledger") + " 2025 --unit 'UBND huyện Yên Thủ'", &out) == 2);
  CHECK_THAT(out, Catch::Contains("nearest: " + district));
  CHECK(run(kAntq + " audit " + quote(d.g.tmp / "ledger") + " --unit 'No Such Unit'", &out) == 2);
  CHECK_THAT(out, Catch::Contains("no unit of that name"));
  CHECK(run(kAntq + " report " + quote(d.g.tmp / "ledger") + " 2025 --format json --unit '" + decomposed + "'", &out) == 0);
  CHECK(json::parse(out)["unit"] == district);
}

TEST_CASE("antq units lists the hierarchy as of a date, with --json", "[cli][units]") {
  District d;
  const fs::path dir = d.g.tmp / "ledger";
  std::string out;
  // No registry: every unit stands alone, seen in acts.
  REQUIRE(run(kAntq + " units " + quote(dir) + " --json --as-of 2026-06-30", &out) == 0);
  json before = json::parse(out);
  CHECK(before["as_of"] == "2026-06-30");
  REQUIRE(before["units"].size() == 11);  // the district and its ten communes
  for (const auto& u : before["units"]) {
    CHECK(u["registered"] == false);
    CHECK(u["kind"].is_null());
  }

  d.register_hierarchy();
  // Communes registered only from 2025-01-01: as of 2024-12-31 they stand alone under no one.
  require_ok(d.g.ledger->append({admin_signed(unit_act("UBND xã Mới", "commune", "people-committee", "UBND huyện Yên Thủy",
                                               "2025-01-01", {"Xã Mới"}, "2026-01-05"),
                                      d.g.admin)},
                                *d.g.admission));
  REQUIRE(run(kAntq + " units " + quote(dir) + " --json --as-of 2026-06-30", &out) == 0);
  json now = json::parse(out);
  REQUIRE(now["units"].size() == 13);
  CHECK(now["units"][0]["name"] == "UBND tỉnh Hòa Bình");
  CHECK(now["units"][0]["depth"] == 0);
  CHECK(now["units"][0]["subjects"] == 0);
  CHECK(now["units"][1]["name"] == "UBND huyện Yên Thủy");
  CHECK(now["units"][1]["parent"] == "UBND tỉnh Hòa Bình");
  CHECK(now["units"][1]["level"] == "district");
  CHECK(now["units"][1]["kind"] == "people-committee");
  CHECK(now["units"][1]["from"] == "2020-01-01");
  std::size_t founded = 0;
  for (const auto& u : now["units"]) {
    CHECK(u["registered"] == true);
    founded += u["subjects"].get<std::size_t>();
  }
  CHECK(now["units"][0]["subjects_under"] == founded);
  CHECK(now["units"][1]["subjects_under"] == founded);
  CHECK(now["units"][2]["parent"] == "UBND huyện Yên Thủy");
  CHECK(now["units"][2]["depth"] == 2);

  REQUIRE(run(kAntq + " units " + quote(dir) + " --json --as-of 2024-12-31", &out) == 0);
  json earlier = json::parse(out);
  CHECK(earlier["as_of"] == "2024-12-31");
  REQUIRE(earlier["units"].size() == 12);  // UBND xã Mới is not in the registry yet
  for (const auto& u : earlier["units"]) CHECK(u["name"] != "UBND xã Mới");

  REQUIRE(run(kAntq + " units " + quote(dir) + " --as-of 2026-06-30", &out) == 0);
  CHECK_THAT(out, Catch::Contains("13 registered, 0 only seen in acts") && Catch::Contains("    UBND xã Lạc Thịnh"));
  CHECK(run(kAntq + " units " + quote(dir) + " --as-of 2026-13-01", &out) == 2);
  CHECK_THAT(out, Catch::Contains("--as-of: expected a date YYYY-MM-DD"));
  REQUIRE(run(kAntq + " units --help", &out) == 0);
  CHECK_THAT(out, Catch::Contains("unit.registered") && Catch::Contains("refused [unit]"));
}

TEST_CASE("A reader's scope: antq units and --unit see only the units inside it", "[cli][units]") {
  District d;
  d.register_hierarchy();
  const ledger::Ledger& l = *d.g.ledger;
  const std::string commune = "UBND xã Lạc Thịnh";
  const projections::Scope mine{{commune}, {}};
  auto listed = q::units(l, "2026-06-30", mine);
  REQUIRE(listed);
  REQUIRE((*listed)["units"].size() == 1);
  CHECK((*listed)["units"][0]["name"] == commune);
  CHECK((*listed)["units"][0]["subjects"] == (*listed)["units"][0]["subjects_under"]);
  // The district is outside the scope: unknown, as an absent unit is; the commune's --unit is the scope's figures.
  auto outside = q::stats(l, {{}, std::nullopt, "UBND huyện Yên Thủy"}, mine);
  REQUIRE_FALSE(outside);
  CHECK_THAT(outside.error().message, Catch::EndsWith("nearest: " + commune));
  CHECK(text_of(q::stats(l, {{}, std::nullopt, commune}, mine)) == text_of(q::stats(l, {}, mine)));
}


TEST_CASE("A reader granted the province sees the units under it in the registry", "[cli][units]") {
  District d;
  d.register_hierarchy();
  const ledger::Ledger& l = *d.g.ledger;
  const std::string province = "UBND tỉnh Hòa Bình", commune = "UBND xã Lạc Thịnh";
  // By name alone the province founded nothing; read against the registry it covers the district and its communes.
  projections::Scope by_province{{province}, {}};
  CHECK_FALSE(by_province.covers(commune, "commune"));
  const projections::LedgerState state(l);
  by_province.tree = std::make_shared<const projections::UnitTree>(projections::registered_units(state),
                                                                   projections::reorganisations(state), "2026-06-30");
  CHECK(by_province.covers(commune, "commune"));
  CHECK(by_province.covers("UBND huyện Yên Thủy", "district"));
  CHECK_FALSE(by_province.covers("UBND tỉnh Khác", "province"));
  CHECK(text_of(q::stats(l, {}, by_province)) == text_of(q::stats(l, {}, projections::Scope{})));
  // The service reads a grant to the province so (client_access, on the day of the request).
  const std::string certificate(64, 'a');
  const json grant = {{"act", "access.granted"},
                      {"subject", "ledger"},
                      {"date", "2026-01-06"},
                      {"data", {{"certificate", certificate}, {"role", "inspector"}, {"units", {province}}, {"from", "2026-01-06"}}}};
  auto granted = d.g.ledger->append({admin_signed(grant, d.g.admin)}, *d.g.admission);
  if (!granted) FAIL(granted.error().line());
  const auto access = projections::client_access(l, *digest_from_hex(certificate), "2026-06-30");
  REQUIRE(access.grant);
  CHECK(access.grant->scope.tree != nullptr);
  CHECK(access.grant->scope.covers(commune, "commune"));
  // A commune's reader still sees its own alone, registry or not.
  projections::Scope mine{{commune}, {}, by_province.tree};
  CHECK_FALSE(mine.covers("UBND huyện Yên Thủy", "district"));
  CHECK(text_of(q::stats(l, {}, mine)) == text_of(q::stats(l, {{}, std::nullopt, commune}, {})));
}

// antq handover --unit resolves the unit as the other --unit options do (cli/queries.hpp resolve_unit, unit_cover):
// any case or Unicode form, the units under it in the registry, an unknown one exit 2 with the nearest names.
TEST_CASE("antq handover --unit: folded names, the units under it, an unknown unit is exit 2", "[cli][units]") {
  TestLedger t;
  // An exemplar of the commune built over 2024, recognised in June and ended on 30 November: a file to hand over.
  t.admit(make_act("exemplar.surveyed", "E-1", "2024-01-10", {{"holder", "Tổ một"}, {"holder_kind", "collective"}, {"area", "xã"}}));
  t.admit(make_act("exemplar.criteria-set", "E-1", "2024-01-20",
                   {{"criteria", json::array({{{"id", "C1"}, {"text", "Tiêu chí 1"}}})}, {"scope", "single"}}));
  t.admit(make_act("exemplar.plan-issued", "E-1", "2024-02-01"));
  t.admit(make_act("exemplar.evaluated", "E-1", "2024-06-01", {{"met", json::array({"C1"})}}));
  t.admit(make_act("exemplar.recognized", "E-1", "2024-06-10", {{"level", "commune"}}));
  t.admit(make_act("exemplar.ended", "E-1", "2024-11-30", {{"reason", "Hoàn thành"}}));
  const std::string dir = quote(t.dir());
  auto handover = [&](const std::string& unit, const std::string& out, std::string* text) {
    return run(kAntq + " handover " + dir + " --unit '" + unit + "' --year 2024 --as-of 2026-12-15 --json -o " +
                   quote(t.tmp / out), text);
  };
  std::string out;
  // The commune typed in another case: resolved to the name the acts write.
  REQUIRE(handover("ubnd XÃ TÂN LẬP", "by-commune", &out) == 0);
  json j = json::parse(out);
  CHECK(j["unit"] == "UBND xã Tân Lập");
  REQUIRE(j["files"].size() == 1);
  CHECK(j["files"][0]["code"] == "E-1");
  // The district before the registry holds the commune under it: no unit of that name in the ledger.
  CHECK(handover("UBND huyện Lạc Sơn", "by-district", &out) == 2);
  CHECK_THAT(out, Catch::Contains("--unit \"UBND huyện Lạc Sơn\": no unit of that name") &&
                      Catch::Contains("nearest: UBND xã Tân Lập"));
  CHECK_FALSE(fs::exists(t.tmp / "by-district"));
  // Registered, the district covers its commune's files, as antq retention --unit lists them.
  require_ok(t.append({admin_signed(unit_act("UBND huyện Lạc Sơn", "district", "people-committee", ""), t.admin),
                       admin_signed(unit_act("UBND xã Tân Lập", "commune", "people-committee", "UBND huyện Lạc Sơn"), t.admin)}));
  REQUIRE(handover("ubnd huyện lạc sơn", "by-district", &out) == 0);
  j = json::parse(out);
  CHECK(j["unit"] == "UBND huyện Lạc Sơn");
  REQUIRE(j["files"].size() == 1);
  CHECK(j["files"][0]["code"] == "E-1");
}

}  // namespace
}  // namespace antq::test
