// A ledger of a generated district (tools/generator) for the projection tests: a person and an organisation
// certificate bound to every unit of the generator, and the generated acts appended through the real admission.
#pragma once

#include <filesystem>
#include <map>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "projections/admission.hpp"
#include "projections/profile.hpp"
#include "support.hpp"
#include "tools/generator/district.hpp"

namespace antq::test {

using nlohmann::json;

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
    const std::string_view text = projections::builtin_profile_text(o.profile);
    init.profile_document.assign(text.begin(), text.end());
    init.operator_key = new_operator_key();
    require_ok(ledger::Ledger::init(init));
    ledger = open_ledger(init.dir, init.operator_key);
    auto a = projections::make_admission(*ledger);
    REQUIRE(a);
    admission = std::move(*a);
    std::vector<ledger::Submission> binds;
    int n = 0;
    // Bound from the day each unit stands (the commune formed by a reorganisation from that day); the bindings of
    // a unit that ceases lapse by themselves (docs/rules.md).
    for (const auto& [unit, from, ceases, successor] : generator::signing_units(o)) {
      Signers s{pki.issue(fmt::format("person-{}", n)), pki.issue(fmt::format("organisation-{}", n))};
      ++n;
      const std::string date = from == "2020-01-01" ? "2020-01-02" : from;
      for (const auto& [who, role] : {std::pair{&s.person, "person"}, std::pair{&s.organisation, "organisation"}})
        binds.push_back(test::sign({{"act", "authority.bound"}, {"subject", "ledger"}, {"date", date},
                                    {"data", {{"certificate", to_hex(who->fingerprint)}, {"role", role},
                                              {"unit", unit.unit}, {"level", unit.level}, {"from", from}}}},
                                   admin));
      signers.emplace(unit.unit, std::move(s));
    }
    require_ok(ledger->append(binds, *admission));
  }

  // Appends every generated act in batches; fails the test naming the first refused act.
  std::size_t append_all(const std::vector<generator::GeneratedAct>& acts) {
    constexpr std::size_t kBatch = 250;
    for (std::size_t i = 0; i < acts.size(); i += kBatch) {
      std::vector<ledger::Submission> batch;
      for (std::size_t j = i; j < std::min(acts.size(), i + kBatch); ++j) {
        if (acts[j].administrator) {  // the unit registry (rule rater's raters): the administrator's act
          batch.push_back(test::sign(acts[j].act, admin));
          continue;
        }
        const Signers& s = signers.at(acts[j].act["authority"]["unit"].get<std::string>());
        batch.push_back(signed_by(acts[j], s));
      }
      auto r = ledger->append(batch, *admission);
      if (!r) FAIL(options.profile << ": " << r.error().line());
    }
    return acts.size();
  }

  // The act signed by its unit's person (and organisation, for decisions), its attachments written under files/.
  ledger::Submission signed_by(const generator::GeneratedAct& g, const Signers& s) {
    if (g.files.empty()) return test::sign(g.act, s.person, g.decision ? &s.organisation : nullptr);
    const std::filesystem::path base = tmp / "acts";
    for (const auto& [path, content] : g.files) {
      std::filesystem::create_directories((base / path).parent_path());
      write_file(base / path, content);
    }
    auto input = ledger::act_from_json(g.act, "act", base);
    if (!input) FAIL(input.error().line());
    auto submission = cli::unsigned_submission(std::move(*input));
    REQUIRE(cli::add_signature(submission, ledger::Role::person, s.person.files));
    if (g.decision) REQUIRE(cli::add_signature(submission, ledger::Role::organisation, s.organisation.files));
    return submission;
  }

  TempDir tmp;
  Pki pki;
  generator::Options options;
  Identity admin;
  std::map<std::string, Signers> signers;
  std::unique_ptr<ledger::Ledger> ledger;
  std::unique_ptr<ledger::Admission> admission;
};

}  // namespace antq::test
