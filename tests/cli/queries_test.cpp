// cli/queries.hpp: the read commands as functions on an open ledger. They answer as the CLI does (the CLI's own tests
// check its output, which comes from them), see only a reader's scope, can be called from many threads at once on
// one Ledger, and report the last verification antq verify recorded.
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <atomic>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "cli/common.hpp"
#include "cli/queries.hpp"
#include "demo.hpp"
#include "projections/query.hpp"

namespace antq::test {
namespace {

namespace q = cli::queries;
using projections::Scope;

// The full demo (`antq demo DIR`: a commune's story and a district of some 3,000 acts), built once per run of the
// test program; or, when ANTQ_TEST_DEMO names a directory `antq demo` made, that one (only read here): a build with
// the thread sanitizer would take minutes to make its own.
const fs::path& full_demo() {
  static TempDir tmp;
  static const fs::path dir = [] {
    if (const char* given = std::getenv("ANTQ_TEST_DEMO"); given != nullptr && *given != '\0') return fs::path(given);
    std::string out;
    return run(kAntq + " demo " + quote(tmp.path()), &out) == 0 ? tmp.path() : fs::path();
  }();
  REQUIRE(!dir.empty());
  return dir;
}

std::unique_ptr<ledger::Ledger> open_ledger(const fs::path& dir) {
  auto l = ledger::Ledger::open(dir);
  INFO(dir << ": " << (l ? std::string() : l.error().message));
  REQUIRE(l);
  return std::move(*l);
}

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

// The unit and level a subject belongs to, found here without cli/queries.hpp: the authority that founded it, else
// that of the first act of its chain.
std::pair<std::string, std::string> home_of(const ledger::Ledger& ledger, const std::string& id) {
  projections::SubjectReader reader(ledger);
  auto s = reader.current(id);
  REQUIRE(s);
  if (!s->authority.unit.empty()) return {s->authority.unit, s->authority.level};
  auto chain = reader.chain(id);
  REQUIRE(chain);
  REQUIRE(!chain->empty());
  return {chain->front().act.authority.unit, chain->front().act.authority.level};
}

// Every read the service makes, each as a call returning its answer as text: on `subjects`, under each of `scopes`.
std::vector<std::pair<std::string, std::function<std::string()>>> every_query(const ledger::Ledger& l, const fs::path& demo,
                                                                              const std::vector<std::string>& subjects,
                                                                              const std::vector<Scope>& scopes) {
  std::vector<std::pair<std::string, std::function<std::string()>>> calls;
  const ledger::Ledger* lp = &l;
  const std::string csv = read_file(demo / "report-2026.csv");
  for (std::size_t i = 0; i < scopes.size(); ++i) {
    const Scope sc = scopes[i];
    auto add = [&](std::string name, std::function<std::string()> f) {
      calls.emplace_back(fmt::format("scope {}: {}", i, name), std::move(f));
    };
    for (const auto& s : subjects) {
      for (const q::Point& p : {q::Point{}, q::Point{"2024-06-30", std::nullopt}, q::Point{"", 1500}}) {
        const std::string at = fmt::format("{} {} {}", s, p.as_of, p.at ? std::to_string(*p.at) : "");
        add("show " + at, [lp, s, p, sc] { return text_of(q::show(*lp, s, p, sc)); });
        add("dossier " + at, [lp, s, p, sc] { return text_of(q::dossier(*lp, s, p, sc)); });
      }
      add("history " + s, [lp, s, sc] { return text_of(q::history(*lp, s, {}, sc)); });
      add("diff " + s, [lp, s, sc] { return text_of(q::diff(*lp, s, "2023-12-31", "2025-12-31", sc)); });
    }
    add("dossier --unit", [lp, sc] { return text_of(q::dossier_gaps(*lp, "UBND xã Lạc Thịnh", {}, sc)); });
    add("stats", [lp, sc] { return text_of(q::stats(*lp, {}, sc)); });
    add("stats csv 2024", [lp, sc] { return text_of(q::stats_csv(*lp, {{"2024-06-30", std::nullopt}, 2024, ""}, sc)); });
    add("audit", [lp, sc] { return text_of(q::audit(*lp, {}, "", sc)); });
    add("audit since", [lp, sc] { return text_of(q::audit(*lp, {"", 2000}, "2024-01-01", sc)); });
    add("audit --unit", [lp, sc] { return text_of(q::audit(*lp, {}, "", sc, "UBND xã Lạc Thịnh")); });
    add("units", [lp, sc] { return text_of(q::units(*lp, "2025-06-30", sc)); });
    add("report", [lp, sc] { return text_of(q::report(*lp, {"2025", "", {}}, sc)); });
    add("report csv", [lp, sc] { return text_of(q::report_csv(*lp, {"2026-H1", "", {}}, sc)); });
    add("report html", [lp, sc] { return text_of(q::report_html(*lp, {"2025", "UBND xã Lạc Thịnh", {}}, sc)); });
    add("reconcile", [lp, csv, sc] { return text_of(q::reconcile(*lp, csv, "report-2026.csv", sc)); });
    add("retention", [lp, sc] { return text_of(q::retention(*lp, {"2030-01-01", ""}, sc)); });
    add("retention csv", [lp, sc] { return text_of(q::retention_csv(*lp, {"2040-01-01", ""}, sc)); });
  }
  calls.emplace_back("proof inclusion", [lp] { return text_of(q::proof_inclusion(*lp, 17, 0)); });
  calls.emplace_back("proof consistency", [lp] { return text_of(q::proof_consistency(*lp, 100, 2000)); });
  calls.emplace_back("checkpoint", [lp] { return text_of(q::checkpoint(*lp)); });
  calls.emplace_back("last verification", [lp] { return text_of(q::last_verification(lp->dir())); });
  return calls;
}

TEST_CASE("Queries called from 8 threads at once on one Ledger give the answers they give one at a time",
          "[cli][queries][threads]") {
  const fs::path demo = full_demo();
  auto l = open_ledger(demo / "ledger");
  const std::vector<std::string> subjects = {"MS-TL-ANXH", "YT-M01", "YT-M01/P002", "YT-E02", "YT-M10", "NO-SUCH"};
  const std::vector<Scope> scopes = {Scope{}, Scope{{"UBND xã Lạc Thịnh"}, {}}, Scope{{}, {"district"}}};
  const auto calls = every_query(*l, demo, subjects, scopes);

  std::vector<std::string> expected;
  std::string errors;  // which calls fail, and why
  for (const auto& [name, call] : calls) {
    expected.push_back(call());
    if (expected.back().starts_with("error")) errors += name + ": " + expected.back() + "\n";
  }
  INFO(errors);
  // The answers are answers: many succeed; those about a subject absent, outside the scope or not begun yet fail.
  const auto failed = std::count_if(expected.begin(), expected.end(), [](const auto& s) { return s.starts_with("error"); });
  CHECK(failed > 0);
  CHECK(calls.size() - static_cast<std::size_t>(failed) >= 60);

  constexpr unsigned kThreads = 8;
  std::vector<std::vector<std::string>> mismatches(kThreads);
  std::atomic<unsigned> ready = 0;
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      ++ready;
      while (ready < kThreads) std::this_thread::yield();  // all start together
      // Each thread goes through every call from its own starting point, so that different calls overlap.
      for (std::size_t k = 0; k < calls.size(); ++k) {
        const std::size_t i = (k + t * calls.size() / kThreads) % calls.size();
        if (calls[i].second() != expected[i]) mismatches[t].push_back(calls[i].first);
      }
    });
  for (auto& th : threads) th.join();
  for (unsigned t = 0; t < kThreads; ++t) {
    INFO("thread " << t);
    CHECK(mismatches[t].empty());
    for (const auto& m : mismatches[t]) UNSCOPED_INFO(m);
  }
}

TEST_CASE("Queries while acts are appended: the past answers as it did, the present only grows",
          "[cli][queries][threads]") {
  TestLedger t;
  auto proposed = [](int i) { return make_act("model.proposed", fmt::format("M-{}", i), "2023-03-15"); };
  for (int i = 0; i < 5; ++i) REQUIRE(t.append({sign(proposed(i), t.chair)}));
  const std::uint64_t before = t.ledger->size();
  const q::Point past{"", before - 1};
  const Scope whole;
  const ledger::Ledger& l = *t.ledger;
  auto past_answers = [&] {
    return std::vector<std::string>{text_of(q::show(l, "M-1", past, whole)), text_of(q::stats(l, {past, {}, ""}, whole)),
                                    text_of(q::audit(l, past, "", whole)), text_of(q::dossier(l, "M-4", past, whole)),
                                    text_of(q::proof_inclusion(l, 2, before))};
  };
  const std::vector<std::string> expected = past_answers();
  for (const auto& a : expected) CHECK_FALSE(a.starts_with("error"));

  constexpr int kActs = 120;
  std::vector<ledger::Submission> later;
  for (int i = 5; i < 5 + kActs; ++i) later.push_back(sign(proposed(i), t.chair));
  std::atomic<bool> done = false;
  std::string writer_error;
  std::thread writer([&] {
    std::size_t i = 0;
    for (int k = 0; i < later.size(); ++k) {  // groups of 1 to 3, as the service commits them
      const std::size_t n = std::min<std::size_t>(1 + k % 3, later.size() - i);
      const auto from = later.begin() + static_cast<std::ptrdiff_t>(i);
      if (auto r = t.append({from, from + static_cast<std::ptrdiff_t>(n)}); !r) writer_error = r.error().line();
      i += n;
    }
    done = true;
  });
  constexpr unsigned kReaders = 4;
  std::vector<std::vector<std::string>> problems(kReaders);
  std::atomic<bool> saw_midway = false;  // a read saw the ledger after some of the appends and before the last
  std::vector<std::thread> readers;
  for (unsigned r = 0; r < kReaders; ++r)
    readers.emplace_back([&, r] {
      std::uint64_t size = 0;
      do {
        if (past_answers() != expected) problems[r].push_back("an answer about the past changed");
        auto now = q::stats(l, {}, whole);
        auto audit = q::audit(l, {}, "", whole);
        auto checkpoint = q::checkpoint(l);
        if (!now || !audit || !checkpoint) {
          problems[r].push_back("a query of the present failed: " +
                                (!now ? now.error().line() : !audit ? audit.error().line() : checkpoint.error().line()));
          continue;
        }
        const std::uint64_t s = std::stoull(checkpoint->substr(checkpoint->find('\n') + 1));
        if (s < size) problems[r].push_back(fmt::format("the checkpoint's size went down, {} to {}", size, s));
        if (s > before && s < before + kActs) saw_midway = true;
        size = s;
      } while (!done);
    });
  writer.join();
  for (auto& th : readers) th.join();
  CHECK(writer_error.empty());
  INFO(writer_error);
  for (unsigned r = 0; r < kReaders; ++r) {
    INFO("reader " << r << ": " << (problems[r].empty() ? std::string() : problems[r].front()));
    CHECK(problems[r].empty());
  }
  CHECK(t.ledger->size() == before + kActs);
  CHECK(saw_midway);  // the reads did overlap the appends
  CHECK(past_answers() == expected);
  CHECK(q::show(l, fmt::format("M-{}", 4 + kActs), {}, whole).has_value());
}

TEST_CASE("A reader sees only its scope: subjects outside it are not found, counts cover only those inside",
          "[cli][queries][scope]") {
  const fs::path demo = full_demo();
  auto l = open_ledger(demo / "ledger");
  const Scope whole;
  // Every subject's unit and level, found independently of the queries.
  std::map<std::string, std::set<std::string>> by_unit, by_level;
  std::map<std::string, std::set<std::string>> founded_by;  // unit -> subjects its authority founded
  projections::SubjectReader reader(*l);
  for (const auto& id : projections::subject_ids(*l)) {
    auto [unit, level] = home_of(*l, id);
    by_unit[unit].insert(id);
    by_level[level].insert(id);
    auto s = reader.current(id);
    if (!s->authority.unit.empty()) founded_by[s->authority.unit].insert(id);
  }
  REQUIRE(by_unit.size() > 3);
  const std::string unit = "UBND xã Lạc Thịnh";
  REQUIRE(by_unit[unit].size() > 3);
  const Scope mine{{unit}, {}};
  const std::string inside = "YT-M01", outside = "MS-TL-ANXH";
  REQUIRE(by_unit[unit].contains(inside));
  REQUIRE(!by_unit[unit].contains(outside));

  SECTION("show, history, dossier and diff: a subject outside the scope is worded as one the ledger does not hold") {
    const q::Point now, then{"2024-06-30", std::nullopt};
    for (const q::Point& p : {now, then}) {
      CHECK(text_of(q::show(*l, inside, p, mine)) == text_of(q::show(*l, inside, p, whole)));
      CHECK(text_of(q::dossier(*l, inside, p, mine)) == text_of(q::dossier(*l, inside, p, whole)));
      CHECK(text_of(q::show(*l, outside, p, mine)) == replaced(text_of(q::show(*l, "NO-SUCH", p, whole)), "NO-SUCH", outside));
      CHECK(text_of(q::dossier(*l, outside, p, mine)) ==
            replaced(text_of(q::dossier(*l, "NO-SUCH", p, whole)), "NO-SUCH", outside));
    }
    CHECK(q::show(*l, outside, {}, whole));
    CHECK(text_of(q::history(*l, inside, {}, mine)) == text_of(q::history(*l, inside, {}, whole)));
    CHECK(text_of(q::history(*l, outside, {}, mine)) ==
          replaced(text_of(q::history(*l, "NO-SUCH", {}, whole)), "NO-SUCH", outside));
    CHECK(text_of(q::diff(*l, inside, "2023-01-01", "2026-01-01", mine)) ==
          text_of(q::diff(*l, inside, "2023-01-01", "2026-01-01", whole)));
    CHECK(text_of(q::diff(*l, outside, "2023-01-01", "2026-01-01", mine)) ==
          replaced(text_of(q::diff(*l, "NO-SUCH", "2023-01-01", "2026-01-01", whole)), "NO-SUCH", outside));
    // An exemplar never recognised has no founding authority: the unit of its first act decides.
    const std::string unfounded = "YT-E02";
    REQUIRE(reader.current(unfounded)->authority.unit.empty());
    const auto [home, level] = home_of(*l, unfounded);
    CHECK(q::show(*l, unfounded, {}, Scope{{home}, {}}));
    CHECK(!q::show(*l, unfounded, {}, Scope{{home + " (another)"}, {}}));
  }

  SECTION("stats: the unit scopes partition the whole; a unit's scope counts what --unit counts of it") {
    auto all = q::stats(*l, {}, whole);
    REQUIRE(all);
    std::size_t points = 0, teams = 0;
    std::map<std::string, std::size_t> ratings, exemplars;
    for (const auto& [u, ids] : by_unit) {
      auto part = q::stats(*l, {{}, (*all)["year"].get<int>(), ""}, Scope{{u}, {}});
      REQUIRE(part);
      points += (*part)["points"].get<std::size_t>();
      teams += (*part)["teams"].get<std::size_t>();
      for (const auto& [k, v] : (*part)["ratings"].items()) ratings[k] += v.get<std::size_t>();
      for (const auto& [k, v] : (*part)["exemplars"].items()) exemplars[k] += v.get<std::size_t>();
      // By the unit competent today: the commune that took over from a unit the 2025 reorganisation ended.
      const bool ceased = u == "UBND huyện Yên Thủy" || u == "UBND xã Lạc Lương" || u == "UBND xã Lạc Sỹ";
      for (const auto& [k, v] : (*part)["ratings_by_unit"].items()) CHECK(k == (ceased ? "UBND xã Yên Thủy" : u));
    }
    CHECK(points == (*all)["points"].get<std::size_t>());
    CHECK(teams == (*all)["teams"].get<std::size_t>());
    for (const auto& [k, v] : (*all)["ratings"].items()) CHECK(ratings[k] == v.get<std::size_t>());
    for (const auto& [k, v] : (*all)["exemplars"].items()) CHECK(exemplars[k] == v.get<std::size_t>());
    CHECK((*all)["points"].get<std::size_t>() > (*q::stats(*l, {}, mine))["points"].get<std::size_t>());

    REQUIRE(founded_by[unit] == by_unit[unit]);  // every subject of the unit was founded by it: --unit counts the same
    CHECK(text_of(q::stats(*l, {}, mine)) == text_of(q::stats(*l, {{}, std::nullopt, unit}, whole)));
    CHECK(text_of(q::stats_csv(*l, {}, mine)) == text_of(q::stats_csv(*l, {{}, std::nullopt, unit}, whole)));
    // A level's scope: the district's own subjects only; their ratings count at the level of the unit competent on
    // the day asked about: the district's before the 2025 reorganisation, the commune's that took over after it.
    auto district = q::stats(*l, {{"2025-06-30", std::nullopt}, 2024, ""}, Scope{{}, {"district"}});
    REQUIRE(district);
    for (const auto& [k, v] : (*district)["ratings_by_level"].items()) CHECK(k == "district");
    CHECK((*district)["ratings_by_level"].contains("district"));
    auto now = q::stats(*l, {}, Scope{{}, {"district"}});
    REQUIRE(now);
    for (const auto& [k, v] : (*now)["ratings_by_level"].items()) CHECK(k == "commune");
    CHECK((*now)["ratings_by_level"].contains("commune"));
  }

  SECTION("audit: findings of the subjects inside the scope, the same as the whole ledger's about them") {
    auto all = q::audit(*l, {}, "", whole);
    auto part = q::audit(*l, {}, "", mine);
    REQUIRE(all);
    REQUIRE(part);
    std::vector<json> expected;
    for (const auto& f : (*all)["findings"])
      if (by_unit[unit].contains(f["subject"].get<std::string>()) && f["rule"] != "duplicate-model") expected.push_back(f);
    std::vector<json> got;
    for (const auto& f : (*part)["findings"]) {
      CHECK(by_unit[unit].contains(f["subject"].get<std::string>()));
      if (f["rule"] != "duplicate-model") got.push_back(f);
    }
    CHECK(got == expected);
    CHECK((*part)["findings"].size() < (*all)["findings"].size());
  }

  SECTION("report and reconcile: a unit's scope reports what the unit's report says; others' figures differ") {
    for (const char* period : {"2025", "2026-H1"}) {
      auto scoped = q::report(*l, {period, "", {}}, mine);
      auto as_unit = q::report(*l, {period, unit, {}}, whole);
      REQUIRE(scoped);
      REQUIRE(as_unit);
      auto figures = [](const json& r) {
        json out = json::array();
        for (const auto& f : r["figures"])
          if (f["section"] != "report") out.push_back(f);
        return out;
      };
      CHECK(figures(*scoped) == figures(*as_unit));
      CHECK(figures(*scoped) != figures(*q::report(*l, {period, "", {}}, whole)));
    }
    const std::string csv = read_file(demo / "report-2026.csv");
    auto matched = q::reconcile(*l, csv, "report-2026.csv", whole);
    REQUIRE(matched);
    CHECK((*matched)["differences"].empty());
    auto scoped = q::reconcile(*l, csv, "report-2026.csv", mine);
    REQUIRE(scoped);
    CHECK(!(*scoped)["differences"].empty());  // the province's figures are not the unit's
  }

  SECTION("retention: the records of the files inside the scope, as the whole listing has them") {
    for (const Scope& sc : {mine, Scope{{}, {"district"}}}) {
      auto all = q::retention(*l, {"2040-01-01", ""}, whole);
      auto part = q::retention(*l, {"2040-01-01", ""}, sc);
      REQUIRE(all);
      REQUIRE(part);
      const std::set<std::string>& ids = sc.units.empty() ? by_level["district"] : by_unit[unit];
      json expected = json::array();
      for (const auto& r : (*all)["records"])
        if (ids.contains(r["subject"].get<std::string>())) expected.push_back(r);
      CHECK((*part)["records"] == expected);
      CHECK(!expected.empty());
    }
  }

  SECTION("dossier --unit: only the subjects inside the scope") {
    CHECK(text_of(q::dossier_gaps(*l, unit, {}, mine)) == text_of(q::dossier_gaps(*l, unit, {}, whole)));
    // Outside the scope the unit is not known, as absent units are not (resolve_unit): one line naming the nearest.
    auto other = q::dossier_gaps(*l, unit, {}, Scope{{"UBND xã Phú Lai"}, {}});
    REQUIRE_FALSE(other);
    CHECK_THAT(other.error().message, Catch::StartsWith("--unit \"" + unit + "\": no unit of that name") &&
                                          Catch::EndsWith("nearest: UBND xã Phú Lai"));
    CHECK((*q::dossier_gaps(*l, unit, {}, whole))["subjects_founded"].get<std::size_t>() > 0);
  }
}

TEST_CASE("A unit typed for --unit is matched after NFC, case folding and white space, and an unknown one names "
          "the nearest",
          "[cli][queries]") {
  const fs::path demo = full_demo();
  auto l = open_ledger(demo / "ledger");
  const std::string unit = "UBND xã Lạc Thịnh";
  // The same name decomposed (NFD: "a" + combining dot below...), in capitals, with doubled and outer spaces.
  const std::string decomposed = "UBND xa\xcc\x83 La\xcc\xa3" "c Thi\xcc\xa3" "nh";
  const std::string typed_otherwise = "  ubnd   XÃ lạc THỊNH ";
  CHECK(q::resolve_unit(*l, decomposed, {}).value_or("") == unit);
  CHECK(q::resolve_unit(*l, typed_otherwise, {}).value_or("") == unit);
  CHECK(q::resolve_unit(*l, "", {}).value_or("x").empty());
  const std::string exact = text_of(q::report(*l, {"2025", unit, {}}, {}));
  CHECK_FALSE(exact.starts_with("error"));
  CHECK(text_of(q::report(*l, {"2025", decomposed, {}}, {})) == exact);
  CHECK(text_of(q::stats(*l, {{}, {}, typed_otherwise}, {})) == text_of(q::stats(*l, {{}, {}, unit}, {})));
  CHECK(text_of(q::dossier_gaps(*l, decomposed, {}, {})) == text_of(q::dossier_gaps(*l, unit, {}, {})));
  CHECK(text_of(q::retention(*l, {"2030-01-01", typed_otherwise}, {})) ==
        text_of(q::retention(*l, {"2030-01-01", unit}, {})));

  auto unknown = q::resolve_unit(*l, "UBND xã Lạc Thinh Xyz", {});
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().kind == ErrorKind::bad_input);
  CHECK_THAT(unknown.error().message, Catch::StartsWith("--unit \"UBND xã Lạc Thinh Xyz\": no unit of that name") &&
                                          Catch::Contains("nearest: " + unit));
  CHECK(text_of(q::stats(*l, {{}, {}, "No Such Unit"}, {})).starts_with("error"));
  // A reader's scope: only the units inside it are known, and only they are offered as nearest.
  const Scope mine{{unit}, {}};
  CHECK(q::resolve_unit(*l, decomposed, mine).value_or("") == unit);
  auto outside = q::resolve_unit(*l, "UBND huyện Yên Thủy", mine);
  REQUIRE_FALSE(outside);
  CHECK_THAT(outside.error().message, Catch::EndsWith("nearest: " + unit));
}

TEST_CASE("Queries refuse a bad parameter with the CLI's message", "[cli][queries]") {
  CommuneDemo demo;
  auto l = open_ledger(demo.ledger());
  const Scope whole;
  auto bad = [](const auto& r, const std::string& message) {
    REQUIRE(!r);
    CHECK(r.error().kind == ErrorKind::bad_input);
    CHECK(r.error().message == message);
  };
  bad(q::show(*l, "MS-TL-TDCTQ", {"30/06/2024", std::nullopt}, whole),
      "--as-of: expected a date YYYY-MM-DD, got \"30/06/2024\"");
  bad(q::stats(*l, {{"2024-06-30", 3}, std::nullopt, ""}, whole), "--as-of excludes --at");
  bad(q::history(*l, "MS-TL-TDCTQ", {"", 99}, whole), "--at 99: the ledger has entries 0 to 13");
  bad(q::diff(*l, "MS-TL-TDCTQ", "2025-01-01", "2024-01-01", whole), "--to 2024-01-01 is before --from 2025-01-01");
  bad(q::audit(*l, {}, "yesterday", whole), "--since: expected a date YYYY-MM-DD, got \"yesterday\"");
  bad(q::report(*l, {"2025-H2", "", {}}, whole), "period \"2025-H2\": expected YYYY-H1 (the half-year) or YYYY (the evaluation year)");
  bad(q::retention(*l, {"soon", ""}, whole), "--as-of: expected a date YYYY-MM-DD, got \"soon\"");
  bad(q::reconcile(*l, "a,b\n", "upload", whole),
      "upload: the first line must be section,key,value (a report of antq report --format csv, commas or semicolons "
      "between the fields), found a,b");
  bad(q::proof_inclusion(*l, 14, 0), "seq 14 is not in a tree of 14 entries");
  bad(q::proof_inclusion(*l, 1, 15), "--size 15: the ledger has only 14 entries");
  bad(q::proof_consistency(*l, 0, 5), "need 0 < M <= N <= 14 (the current size), got M=0 N=5");
  // The CLI prints what they return: the same bytes.
  std::string out;
  REQUIRE(run(kAntq + " proof inclusion " + quote(demo.ledger()) + " 3 --json", &out) == 0);
  CHECK(out == cli::json_text(*q::proof_inclusion(*l, 3, 0), 2) + "\n");
  REQUIRE(run(kAntq + " checkpoint " + quote(demo.ledger()), &out) == 0);
  CHECK(out == *q::checkpoint(*l));
}

TEST_CASE("antq verify records its outcome in DIR, and last_verification reads it back", "[cli][queries][verify]") {
  CommuneDemo demo;
  const fs::path l = demo.ledger(), record = l / q::kLastVerificationFile;
  auto last = [&] {
    auto r = q::last_verification(l);
    REQUIRE(r);
    return *r;
  };
  CHECK(last() == json{{"recorded", false}, {"message", "never verified"}});

  std::string out;
  REQUIRE(run(kAntq + " verify " + quote(l), &out) == 0);
  INFO(out);
  json good = last();
  CHECK(good["recorded"] == true);
  CHECK(good["ok"] == true);
  CHECK(good["entries"] == 14);
  CHECK(good["failures"] == 0);
  CHECK(good["first_failures"] == json::array());
  {
    auto opened = open_ledger(l);
    CHECK(good["root"] == to_hex(opened->root(14)));
  }
  const std::string time = good["time"].get<std::string>();
  CHECK(time.size() == 25);
  CHECK(time.ends_with("+07:00"));
  CHECK(time.substr(0, 10) <= signing::format_vietnam_time(signing::now()).substr(0, 10));
  for (const auto& e : fs::directory_iterator(l))  // the temporary file was renamed, not left behind
    CHECK(e.path().filename().string().find(".tmp") == std::string::npos);

  SECTION("a failed verification is recorded with its first failures") {
    REQUIRE(run(kAntq + " verify " + quote(l) + " --trust " + quote(demo.pki("chair.crt")), &out) == 1);
    json failed = last();
    CHECK(failed["ok"] == false);
    CHECK(failed["entries"] == 14);
    CHECK(failed["failures"].get<std::size_t>() >= 1);
    REQUIRE(!failed["first_failures"].empty());
    CHECK_THAT(failed["first_failures"][0]["reason"].get<std::string>(), Catch::Contains("root"));
    // --json keeps stdout JSON: the record says nothing there.
    REQUIRE(run(kAntq + " verify " + quote(l) + " --json > " + quote(demo.tmp / "v.json"), &out) == 0);
    CHECK(json::parse(read_file(demo.tmp / "v.json"))["ok"] == true);
    CHECK(last()["ok"] == true);
  }
  SECTION("when DIR cannot take the record, verify still verifies, and says it could not record") {
    fs::remove(record);
    fs::create_directory(record);  // rename() cannot replace a directory: as on read-only media, the write fails
    REQUIRE(run(kAntq + " verify " + quote(l), &out) == 0);
    CHECK_THAT(out, Catch::StartsWith("verify: cannot record the verification in ") &&
                        Catch::Contains("result       OK"));
    for (const auto& e : fs::directory_iterator(l)) CHECK(e.path().filename().string().find(".tmp") == std::string::npos);
    auto r = q::last_verification(l);
    CHECK(!r);  // a directory is no record
  }
  SECTION("a store found damaged as it opened is recorded as such") {
    REQUIRE(q::record_verification_failure(l, Error{ErrorKind::corruption, {}, "damaged store at page 3: a test"}));
    json damaged = last();
    CHECK(damaged["ok"] == false);
    CHECK(damaged["entries"].is_null());
    CHECK(damaged["root"].is_null());
    CHECK(damaged["failures"] == 1);
    CHECK(damaged["first_failures"] == json::array({{{"seq", nullptr}, {"reason", "damaged store at page 3: a test"}}}));
  }
  SECTION("a record that is not one is corruption, never a crash or a hang") {
    for (const std::string& text : {std::string("not json"), std::string("[]"), std::string("{\"format\": 1}"),
                                    json{{"format", "antq-last-verification/1"}, {"time", 5}}.dump(),
                                    std::string(q::kMaxVerificationRecordBytes + 1, ' ')}) {
      write_file(record, text);
      auto r = q::last_verification(l);
      REQUIRE(!r);
      CHECK(r.error().kind == ErrorKind::corruption);
    }
    fs::remove(record);
    REQUIRE(mkfifo(record.c_str(), 0600) == 0);  // a FIFO would block a plain read
    auto r = q::last_verification(l);
    REQUIRE(!r);
    CHECK(r.error().kind == ErrorKind::corruption);
  }
}

}  // namespace
}  // namespace antq::test
