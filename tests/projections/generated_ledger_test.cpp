// A generated district (tools/generator) appended through the real admission under every profile: every lawful
// act is admitted, the state kept on append equals the state rebuilt from the log (verify's replay, byte for byte),
// and each subject's kept state equals the fold of its own chain (what show --at reads).
#include <map>
#include <set>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "projections/profile.hpp"
#include "projections/query.hpp"
#include "support.hpp"
#include "tools/generator/district.hpp"

namespace antq::projections {
namespace {

using nlohmann::json;
using test::Identity;

struct Signers {
  Identity person, organisation;
};

// A ledger under `profile` with a person and an organisation certificate bound to every unit of the generator.
class GeneratedLedger {
 public:
  explicit GeneratedLedger(const generator::Options& o) : pki(tmp / "pki"), options(o) {
    admin = pki.issue("admin");
    ledger::InitOptions init;
    init.dir = tmp / "ledger";
    init.profile = o.profile;
    init.roots = {pki.root().certificate_der};
    init.administrator = admin.certificate;
    const std::string_view text = builtin_profile_text(o.profile);
    init.profile_document.assign(text.begin(), text.end());
    test::require_ok(ledger::Ledger::init(init));
    auto l = ledger::Ledger::open(init.dir);
    REQUIRE(l);
    ledger = std::move(*l);
    auto a = make_admission(*ledger);
    REQUIRE(a);
    admission = std::move(*a);
    std::vector<ledger::Submission> binds;
    int n = 0;
    for (const auto& unit : generator::units(o)) {
      Signers s{pki.issue(fmt::format("person-{}", n)), pki.issue(fmt::format("organisation-{}", n))};
      ++n;
      for (const auto& [who, role] : {std::pair{&s.person, "person"}, std::pair{&s.organisation, "organisation"}})
        binds.push_back(test::sign({{"act", "authority.bound"}, {"subject", "ledger"}, {"date", "2020-01-02"},
                                    {"data", {{"certificate", to_hex(who->fingerprint)}, {"role", role},
                                              {"unit", unit.unit}, {"level", unit.level}, {"from", "2020-01-01"}}}},
                                   admin));
      signers.emplace(unit.unit, std::move(s));
    }
    test::require_ok(ledger->append(binds, *admission));
  }

  // Appends every generated act in batches; fails the test naming the first refused act.
  std::size_t append_all(const std::vector<generator::GeneratedAct>& acts) {
    constexpr std::size_t kBatch = 250;
    for (std::size_t i = 0; i < acts.size(); i += kBatch) {
      std::vector<ledger::Submission> batch;
      for (std::size_t j = i; j < std::min(acts.size(), i + kBatch); ++j) {
        const Signers& s = signers.at(acts[j].act["authority"]["unit"].get<std::string>());
        batch.push_back(test::sign(acts[j].act, s.person, acts[j].decision ? &s.organisation : nullptr));
      }
      auto r = ledger->append(batch, *admission);
      if (!r) FAIL(options.profile << ": " << r.error().line());
    }
    return acts.size();
  }

  test::TempDir tmp;
  test::Pki pki;
  generator::Options options;
  Identity admin;
  std::map<std::string, Signers> signers;
  std::unique_ptr<ledger::Ledger> ledger;
  std::unique_ptr<ledger::Admission> admission;
};

std::set<std::string> subjects_of(const std::vector<generator::GeneratedAct>& acts) {
  std::set<std::string> out;
  for (const auto& a : acts) out.insert(a.act["subject"].get<std::string>());
  return out;
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
  // Weak models were ended in the profile's four steps; exemplars were recognised or ended.
  std::map<std::string, int> stages;
  for (const auto& id : subjects_of(*acts)) ++stages[reader.current(id)->stage];
  CHECK(stages["terminated"] > 0);
  CHECK(stages["active"] > 0);
  CHECK(stages["recognized"] + stages["ended"] == static_cast<int>(o.exemplars));
}

TEST_CASE("A generated district is lawful under every profile", "[generator]") {
  for (const std::string& profile : builtin_profile_ids()) {
    generator::Options o;
    o.profile = profile;
    o.models = 8;
    o.points = 6;
    o.exemplars = 3;
    o.seed = 7;
    auto acts = generator::district(o);
    REQUIRE(acts);
    INFO(profile << ": " << acts->size() << " acts");
    GeneratedLedger g(o);
    g.append_all(*acts);
    check_ledger(g, *acts);
  }
}

}  // namespace
}  // namespace antq::projections
