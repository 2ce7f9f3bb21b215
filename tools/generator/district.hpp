// A seeded generator of lawful lifecycle acts for a fictional district (Yên Thủy style: a district People's
// Committee and its communes): models founded through the profile's steps, yearly plans, reports and ratings,
// a model replicated to many villages (its points), a merge, terminations of Weak models in the profile's steps,
// and exemplars from survey to recognition or end. The same seed and options give the same acts, byte for byte, so
// tests, benchmarks and the demo reuse it at any size.
//
// Every act is lawful under the profile given (domain.md §10): tests append them through the real admission and
// expect every one admitted. The caller binds a person and an organisation certificate to each unit of units().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ledger/act.hpp"

namespace antq::generator {

struct Options {
  std::uint64_t seed = 1;
  std::string profile = "hoa-binh-2023";
  std::size_t models = 24;     // models founded by the district's units (besides the points of the replicated one)
  std::size_t points = 110;    // points of the replicated model
  std::size_t exemplars = 8;
  int first_year = 2023;       // first evaluation year (1 Nov of the year before to 31 Oct)
  int years = 3;               // evaluation years covered
  std::string prefix = "YT";   // subject ids: <prefix>-M01, <prefix>-M01/P001, <prefix>-E01
  // Lapses an auditor finds (domain.md §10 findings, all lawful acts): in about this percentage of the chances, a
  // model skips its regulations or a half-year report, a rating is decided and forwarded late or off the band of
  // targets met, a Weak model is not ended, an exemplar is evaluated late. 0: a model district.
  int lapses_pct = 0;
  std::string until = {};      // YYYY-MM-DD: no act dated after it (the record as it stands on that day); "": none
  // Yearly reports attach the evidence of the model's effectiveness (dossier item 11) and its review report (item
  // 15) as text files (GeneratedAct::files); a lapse leaves them out.
  bool attachments = false;
  // The unit hierarchy (docs/rules.md "The unit registry"): the province UBND tỉnh Hòa Bình, the district under it and
  // the communes under the district, registered by the administrator (GeneratedAct::administrator) before the first
  // act. Off: no registry (except the raters' one, below), the acts of earlier versions byte for byte.
  bool registry = false;
  // YYYY-MM-DD, e.g. "2025-07-01" (implies `registry`): the 2025 reorganisation of units (docs/rules.md "The 2025
  // reorganisation of units"). The commune kReorganisedCommune is registered from that day (under the province),
  // the last two communes (Lạc Lương, Lạc Sỹ) are merged into it and the district is abolished with its competence
  // passed to it (the
  // commune formed at the district's seat: the seeds name no successor; the two-level local government leaves
  // communes and the province). From that day every act on a model or exemplar of a ceased unit is decided by that
  // commune, and new models are founded by units that exist then. Under a profile that names who rates
  // (rating.raters), the steering committees follow: kReorganisedCommittee is registered under the new commune, the
  // two communes' committees are merged into it and the district's is abolished, its competence passed to it. "": none.
  std::string reorganise_on = {};
};

// The commune formed on `reorganise_on` (Options).
inline constexpr const char* kReorganisedCommune = "UBND xã Yên Thủy";
// Its steering committee, under a profile that names who rates (rating.raters).
inline constexpr const char* kReorganisedCommittee = "Ban Chỉ đạo xã Yên Thủy";
// The province registered with `registry` (Options).
inline constexpr const char* kProvince = "UBND tỉnh Hòa Bình";

struct GeneratedAct {
  nlohmann::json act;     // acts.md JSON
  bool decision = false;  // signed by the unit's organisation too (projections::is_decision_act)
  // The files act["attachments"] names (path relative to the act's file -> content); the caller writes them.
  std::vector<std::pair<std::string, std::string>> files;
  // A registry act (unit.registered, subject "ledger"): signed by the ledger's administrator, not by a unit. Only
  // under a profile that names who rates (rating.raters: Bắc Giang), whose raters must be registered units.
  bool administrator = false;
};

// The units whose person and organisation certificates sign the acts (level and unit name): the district People's
// Committee and its communes, and, under a profile that names who rates (rating.raters), the steering committees
// of the district and of each commune, which rate the models of their area (Bắc Giang 004 §III.2).
// With `reorganise_on`, the commune kReorganisedCommune comes last (after its steering committee, where there is one).
std::vector<ledger::Act::Authority> units(const Options& options);

// A unit of units() and the days its people may sign for it: from `from` (its certificates are bound from that
// day: 2020-01-01, or `reorganise_on` for the commune formed then) until `ceases` ("" for none: the unit stays;
// else `reorganise_on`, when its bindings lapse, docs/rules.md) and, when it ceases, the unit that takes over.
struct SigningUnit {
  ledger::Act::Authority authority;
  std::string from, ceases, successor;
};
std::vector<SigningUnit> signing_units(const Options& options);

// The acts, in the order to append them (document dates never go backwards). bad_input for an unknown profile or a
// malformed `until`.
Result<std::vector<GeneratedAct>> district(const Options& options);

}  // namespace antq::generator
