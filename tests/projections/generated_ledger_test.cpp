// A generated district (tools/generator) appended through the real admission under every profile: every lawful
// act is admitted, the state kept on append equals the state rebuilt from the log (verify's replay, byte for byte),
// each subject's kept state equals the fold of its own chain (what show --at reads), and as of any day the state read
// from the half-year snapshots equals that fold.
#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "projections/audit.hpp"
#include "projections/profile.hpp"
#include "projections/query.hpp"
#include "projections/report.hpp"
#include "projections/stats.hpp"
#include "generated_ledger.hpp"

namespace antq::projections {
namespace {

using nlohmann::json;
using test::GeneratedLedger;

std::set<std::string> subjects_of(const std::vector<generator::GeneratedAct>& acts) {
  std::set<std::string> out;
  for (const auto& a : acts)
    if (!a.administrator) out.insert(a.act["subject"].get<std::string>());  // not the registry's subject "ledger"
  return out;
}

// Days to ask about: every half-year end the snapshots are taken at, and the 15th of every month, from the year
// before the first act to the year after the last.
std::vector<std::string> days_around(const std::vector<generator::GeneratedAct>& acts) {
  std::string first = "9999", last = "0000";
  for (const auto& a : acts) {
    first = std::min(first, a.act["date"].get<std::string>());
    last = std::max(last, a.act["date"].get<std::string>());
  }
  std::vector<std::string> out;
  for (int y = std::stoi(first.substr(0, 4)) - 1; y <= std::stoi(last.substr(0, 4)) + 1; ++y) {
    out.push_back(fmt::format("{}-04-30", y));
    out.push_back(fmt::format("{}-10-31", y));
    for (int m = 1; m <= 12; ++m) out.push_back(fmt::format("{}-{:02}-15", y, m));
  }
  return out;
}

// For every subject of `ids`: its state as of `at` from the half-year snapshots is the fold of its whole chain, and
// the states of all subjects at once are those of each alone. Returns how many had a state then.
std::size_t compare_as_of(const SubjectReader& reader, const std::set<std::string>& ids, const AsOf& at) {
  auto every = reader.all(at);
  REQUIRE(every);
  std::size_t present = 0;
  for (const auto& id : ids) {
    auto snap = reader.state(id, at);
    auto fold = reader.replayed(id, at);
    REQUIRE(snap);
    REQUIRE(fold);
    INFO(id << " as of " << at.date.value_or("-") << (at.seq ? fmt::format(", entry {}", *at.seq) : ""));
    REQUIRE(snap->has_value() == fold->has_value());
    REQUIRE(every->contains(id) == fold->has_value());
    if (!*fold) continue;
    ++present;
    CHECK((*snap)->to_text() == (*fold)->to_text());
    CHECK(every->at(id).to_text() == (*fold)->to_text());
  }
  return present;
}

// compare_as_of on every day of days_around(), with an entry limit too on the half-year ends, and at entries alone.
void check_as_of(GeneratedLedger& g, const std::vector<generator::GeneratedAct>& acts) {
  SubjectReader reader(*g.ledger);
  const auto ids = subjects_of(acts);
  const std::uint64_t size = g.ledger->size();
  std::size_t compared = 0, present = 0;
  for (const auto& day : days_around(acts)) {
    present += compare_as_of(reader, ids, {day, std::nullopt});
    compared += ids.size();
    if (day.ends_with("-04-30") || day.ends_with("-10-31")) compare_as_of(reader, ids, {day, size / 2});
  }
  CHECK(present > 0);
  CHECK(present < compared);  // days before the first act too
  for (std::uint64_t seq : {std::uint64_t{0}, size / 4, size / 2, size * 3 / 4, size - 2, size - 1})
    compare_as_of(reader, ids, {std::nullopt, seq});
}

void check_ledger(GeneratedLedger& g, const std::vector<generator::GeneratedAct>& acts) {
  // Rebuilt from the log: verify replays every entry through a fresh admission and compares the `state` database.
  auto replay = make_admission(*g.ledger);
  REQUIRE(replay);
  ledger::VerifyReport report = g.ledger->verify({}, **replay);
  INFO((report.failures.empty() ? "" : report.failures.front().reason));
  REQUIRE(report.ok);
  // Each subject's kept state is the fold of its own chain (SubjectReader, what show --at and --as-of read).
  SubjectReader reader(*g.ledger);
  const AsOf last{std::nullopt, g.ledger->size() - 1};
  for (const auto& id : subjects_of(acts)) {
    auto kept = reader.current(id);
    REQUIRE(kept);
    auto folded = reader.state(id, last);
    REQUIRE(folded);
    REQUIRE(*folded);
    INFO(id);
    CHECK((*folded)->to_json().dump() == kept->to_json().dump());
  }
}

TEST_CASE("Generated acts are the same for the same seed, and differ for another", "[generator]") {
  generator::Options o;
  o.models = 10;
  o.points = 12;
  auto a = generator::district(o), b = generator::district(o);
  REQUIRE(a);
  REQUIRE(b);
  REQUIRE(a->size() == b->size());
  for (std::size_t i = 0; i < a->size(); ++i) REQUIRE((*a)[i].act.dump() == (*b)[i].act.dump());
  o.seed = 2;
  auto c = generator::district(o);
  REQUIRE(c);
  bool differs = c->size() != a->size();
  for (std::size_t i = 0; !differs && i < a->size(); ++i) differs = (*a)[i].act.dump() != (*c)[i].act.dump();
  CHECK(differs);
  CHECK_FALSE(generator::district(generator::Options{.profile = "no-such-profile"}));
}

TEST_CASE("A generated district of a few thousand acts (Hòa Bình): all admitted, kept state = rebuilt state", "[generator]") {
  generator::Options o;  // 24 models, one replicated to 110 villages, a merge, 8 exemplars, 3 evaluation years
  auto acts = generator::district(o);
  REQUIRE(acts);
  REQUIRE(acts->size() > 2000);
  GeneratedLedger g(o);
  g.append_all(*acts);
  check_ledger(g, *acts);
  check_as_of(g, *acts);

  SubjectReader reader(*g.ledger);
  auto origin = reader.current("YT-M01");
  REQUIRE(origin);
  CHECK(origin->points.size() == o.points);
  CHECK(origin->has("model.replicated"));
  auto point = reader.current("YT-M01/P007");
  REQUIRE(point);
  CHECK(point->kind == "point");
  CHECK(point->point_of == "YT-M01");
  auto merged = reader.current("YT-M03");
  REQUIRE(merged);
  CHECK(merged->stage == "merged");
  CHECK(merged->merged_into == "YT-M02");
  CHECK(reader.current("YT-M02")->merged_from == std::vector<std::string>{"YT-M03"});
  // holds() answers as current() does, without reading the state: a point, a merged model, an unknown id.
  for (const std::string id : {"YT-M01", "YT-M01/P007", "YT-M03", "YT-M99", "YT-M01/", ""})
    CHECK(reader.holds(id) == reader.current(id).has_value());
  // Weak models were ended in the profile's four steps; exemplars were recognised or ended.
  std::map<std::string, int> stages;
  for (const auto& id : subjects_of(*acts)) ++stages[reader.current(id)->stage];
  CHECK(stages["terminated"] > 0);
  CHECK(stages["active"] > 0);
  CHECK(stages["recognized"] + stages["ended"] == static_cast<int>(o.exemplars));
}

// The demo's district: lapses an auditor finds, yearly reports with their evidence attached, the record cut at a
// day. Every act is still lawful, and the audit finds each kind of lapse.
TEST_CASE("A generated district with lapses and attachments, cut at a day: all admitted, the audit finds the lapses",
          "[generator]") {
  generator::Options o;
  o.models = 16;
  o.points = 60;
  o.exemplars = 8;
  o.lapses_pct = 40;
  o.attachments = true;
  // Cut at a day: exactly the acts of the whole record dated on or before it, in the same order.
  auto whole = generator::district(o);
  REQUIRE(whole);
  o.until = "2025-06-30";
  auto cut = generator::district(o);
  REQUIRE(cut);
  std::vector<std::string> expected;
  for (const auto& a : *whole)
    if (a.act["date"].get<std::string>() <= o.until) expected.push_back(a.act.dump());
  REQUIRE(cut->size() == expected.size());
  CHECK(cut->size() < whole->size());
  for (std::size_t i = 0; i < cut->size(); ++i) REQUIRE((*cut)[i].act.dump() == expected[i]);

  o.until = "2026-12-31";  // a year after the last ratings: Weak models left open are found
  auto acts = generator::district(o);
  REQUIRE(acts);
  std::size_t attached = 0;
  for (const auto& a : *acts) attached += a.files.size();
  CHECK(attached > 0);
  GeneratedLedger g(o);
  g.append_all(*acts);
  check_ledger(g, *acts);
  check_as_of(g, *acts);

  auto findings = audit(*g.ledger, o.until, AsOf{});
  REQUIRE(findings);
  std::map<std::string, int> rules;
  for (const auto& f : *findings) ++rules[f.rule];
  INFO(json(rules).dump());
  for (const char* rule : {"level-mismatch", "late-decision", "late-forwarding", "missing-report", "dossier-incomplete",
                           "weak-not-terminated", "exemplar-late-evaluation"})
    CHECK(rules[rule] > 0);

  CHECK_FALSE(generator::district(generator::Options{.until = "2025-02-30"}));
  CHECK_FALSE(generator::district(generator::Options{.until = "30/06/2025"}));
}

// Bắc Giang rates by criteria (rule rating-criteria): with lapses, a model that skipped its regulations is rated
// Weak (BG.W1), or issues them late when it may not be Weak; an announcement or a commendation comes before a rating
// that names it. Every act is still admitted.
TEST_CASE("A generated Bắc Giang district with lapses: ratings by criteria, all admitted", "[generator]") {
  generator::Options o;
  o.profile = "bac-giang-2020";
  o.models = 12;
  o.points = 4;
  o.exemplars = 0;
  o.lapses_pct = 40;
  o.seed = 11;
  auto acts = generator::district(o);
  REQUIRE(acts);
  std::map<std::string, int> kinds;
  std::set<std::string> criteria;
  for (const auto& a : *acts) {
    ++kinds[a.act["act"].get<std::string>()];
    if (a.act["act"] == "model.rated")
      for (const auto& c : a.act["data"]["criteria"]) criteria.insert(c.get<std::string>());
  }
  CHECK(kinds["model.announced"] > 0);
  CHECK(kinds["commendation.awarded"] > 0);
  CHECK(kinds["model.policy-issued"] > 0);
  CHECK(criteria.contains("BG.W1"));
  // Who rates (rule rater, 004 §III.2): the generator registers the district, the communes and their steering
  // committees, and each rating is decided by the committee of the founder's commune or district.
  CHECK(kinds["unit.registered"] == 22);
  std::set<std::string> raters;
  for (const auto& a : *acts)
    if (a.act["act"] == "model.rated") raters.insert(a.act["authority"]["unit"].get<std::string>());
  REQUIRE_FALSE(raters.empty());
  for (const auto& r : raters) CHECK_THAT(r, Catch::StartsWith("Ban Chỉ đạo "));
  GeneratedLedger g(o);
  g.append_all(*acts);
  check_ledger(g, *acts);
}

// The hierarchy and the 2025 reorganisation (Options::registry, reorganise_on; docs/rules.md): the province, the
// district and its communes registered; on 2025-07-01 the last two communes merged into UBND xã Yên Thủy and the
// district abolished, its competence passed to that commune. Every act is admitted: from that day the acts on what a
// ceased unit founded are the new commune's (same-level follows the succession), signed under its own bindings (the
// old ones lapse), and the statistics and reports as of a day before it count the old units, after it the new.
TEST_CASE("A generated district reorganised on 2025-07-01 (Hòa Bình): all admitted, old units before, new after",
          "[generator]") {
  generator::Options o;
  o.models = 16;
  o.points = 20;
  o.exemplars = 6;
  o.first_year = 2024;  // evaluation years 2024-2026: ratings before and after the reorganisation
  o.years = 3;
  o.until = "2026-11-30";  // not after today (acts are not dated after their signing)
  o.registry = true;
  o.reorganise_on = "2025-07-01";
  auto acts = generator::district(o);
  REQUIRE(acts);
  const std::string merged = generator::kReorganisedCommune, district = "UBND huyện Yên Thủy";
  const std::set<std::string> ceased = {district, "UBND xã Lạc Lương", "UBND xã Lạc Sỹ"};
  std::map<std::string, int> kinds;
  std::map<std::string, std::string> founder;  // subject -> the unit of its model.established
  std::size_t by_merged = 0, taken_over = 0;
  for (const auto& a : *acts) {
    const std::string kind = a.act["act"], date = a.act["date"];
    ++kinds[kind];
    if (a.administrator) continue;
    const std::string unit = a.act["authority"]["unit"], subject = a.act["subject"];
    if (kind == "model.established") founder.emplace(subject, unit);
    INFO(kind << " of " << subject << " dated " << date << " by " << unit);
    if (date >= "2025-07-01") CHECK_FALSE(ceased.contains(unit));
    else CHECK(unit != merged);
    by_merged += unit == merged;
    if (kind == "model.rated" && unit == merged && ceased.contains(founder[subject])) ++taken_over;
  }
  CHECK(kinds["unit.registered"] == 13);  // the province, the district, ten communes, the new commune
  CHECK(kinds["unit.reorganised"] == 2);  // the merger, the abolition
  CHECK(by_merged > 0);
  CHECK(taken_over > 0);  // ratings of models a ceased unit founded, decided by the commune that took over
  const auto units = generator::signing_units(o);
  REQUIRE(units.back().authority.unit == merged);
  CHECK(units.back().from == "2025-07-01");
  CHECK(units.front().ceases == "2025-07-01");
  CHECK(units.front().successor == merged);

  GeneratedLedger g(o);
  g.append_all(*acts);
  check_ledger(g, *acts);

  // As of 2025-06-30 the old units; as of the end of 2026 the new, with the old-to-new table.
  auto before = statistics(*g.ledger, AsOf{"2025-06-30", std::nullopt}, 2024);
  auto after = statistics(*g.ledger, AsOf{"2026-12-31", std::nullopt}, 2026);
  REQUIRE(before);
  REQUIRE(after);
  CHECK(before->succeeded.empty());
  CHECK(std::any_of(ceased.begin(), ceased.end(), [&](const auto& u) { return before->ratings_by_unit.contains(u); }));
  CHECK_FALSE(before->ratings_by_unit.contains(merged));
  REQUIRE(after->succeeded.size() == 3);
  for (const auto& s : after->succeeded) {
    CHECK(ceased.contains(s.unit));
    CHECK(s.successor == merged);
    CHECK(s.effective == "2025-07-01");
  }
  CHECK(after->ratings_by_unit.contains(merged));
  for (const auto& u : ceased) CHECK_FALSE(after->ratings_by_unit.contains(u));
  auto h1 = periodic_report(*g.ledger, "2025-H1", "", std::nullopt, "2026-12-31");
  auto y2026 = periodic_report(*g.ledger, "2026", "", std::nullopt, "2026-12-31");
  REQUIRE(h1);
  REQUIRE(y2026);
  auto rows = [](const PeriodicReport& r, const std::string& section) {
    std::size_t n = 0;
    for (const auto& f : report_figures(r)) n += f.section == section;
    return n;
  };
  CHECK(rows(*h1, "succeeded") == 0);
  CHECK(rows(*y2026, "succeeded") == 3);
  CHECK(rows(*y2026, "succeeded-on") == 3);
  // The successor's yearly report covers what the ceased units founded: their models' ratings count under it.
  auto mine = periodic_report(*g.ledger, "2026", merged, std::nullopt, "2026-12-31");
  REQUIRE(mine);
  std::size_t rated = 0;
  for (const auto& [level, n] : mine->stats.ratings) rated += n;
  CHECK(rated > 0);

  // Off by default; a bad date is refused.
  CHECK_FALSE(generator::district(generator::Options{.reorganise_on = "2025-07-32"}));
}

// Under Bắc Giang the steering committees rate (004 §III.2): on 2025-07-01 they follow their units — the new
// commune's committee is registered, the merged communes' committees are merged into it and the district's is
// abolished — and from that day it rates what the ceased units founded.
TEST_CASE("A generated Bắc Giang district reorganised on 2025-07-01: the steering committees follow their units",
          "[generator]") {
  generator::Options o;
  o.profile = "bac-giang-2020";
  o.models = 16;
  o.points = 8;
  o.exemplars = 3;
  o.first_year = 2024;
  o.years = 3;
  o.until = "2026-11-30";
  o.reorganise_on = "2025-07-01";
  auto acts = generator::district(o);
  REQUIRE(acts);
  const std::string committee = generator::kReorganisedCommittee;
  const std::set<std::string> ceased = {"UBND huyện Yên Thủy", "UBND xã Lạc Lương", "UBND xã Lạc Sỹ"};
  std::map<std::string, int> kinds;
  std::map<std::string, std::string> founder;
  std::size_t rated_by_new = 0, rated_before = 0;
  for (const auto& a : *acts) {
    const std::string kind = a.act["act"], date = a.act["date"];
    ++kinds[kind];
    if (a.administrator) continue;
    const std::string unit = a.act["authority"]["unit"], subject = a.act["subject"];
    if (kind == "model.established") founder.emplace(subject, unit);
    if (kind != "model.rated" || !ceased.contains(founder[subject])) continue;
    INFO(subject << " rated " << date << " by " << unit);
    if (date >= "2025-07-01") {
      CHECK(unit == committee);
      ++rated_by_new;
    } else {
      CHECK(unit != committee);
      ++rated_before;
    }
  }
  CHECK(kinds["unit.reorganised"] == 4);  // the communes and their committees merged; the district and its abolished
  CHECK(rated_by_new > 0);
  CHECK(rated_before > 0);
  const auto units = generator::signing_units(o);
  REQUIRE(units.size() >= 2);
  CHECK(units.back().authority.unit == generator::kReorganisedCommune);
  CHECK(units[units.size() - 2].authority.unit == committee);
  CHECK(units[units.size() - 2].from == "2025-07-01");

  GeneratedLedger g(o);
  g.append_all(*acts);
  check_ledger(g, *acts);
}

TEST_CASE("A generated district is lawful under every profile", "[generator]") {
  // As generated by default; then with the hierarchy and the 2025 reorganisation.
  for (const bool with_registry : {false, true})
    for (const std::string& profile : builtin_profile_ids()) {
      generator::Options o;
      o.profile = profile;
      o.models = 8;
      o.points = 6;
      o.exemplars = 3;
      o.seed = 7;
      const bool raters = builtin_profile(profile).value()->rating.raters.has_value();
      o.registry = with_registry;
      if (with_registry) o.reorganise_on = "2025-07-01";
      auto acts = generator::district(o);
      REQUIRE(acts);
      INFO(profile << (with_registry ? " with the registry" : "")
                   << (o.reorganise_on.empty() ? "" : " and the reorganisation") << ": " << acts->size() << " acts");
      if (with_registry) {
        CHECK(std::any_of(acts->begin(), acts->end(), [](const auto& a) { return a.act["act"] == "unit.registered"; }));
      } else {
        // A registry only where the profile names who rates (rating.raters): the other profiles' acts are as before.
        const bool registry = std::any_of(acts->begin(), acts->end(), [](const auto& a) { return a.administrator; });
        CHECK(registry == raters);
      }
      GeneratedLedger g(o);
      g.append_all(*acts);
      check_ledger(g, *acts);
    }
}

}  // namespace
}  // namespace antq::projections
