// antq units: the units of a ledger, as the registry (unit.registered, projections/units.hpp) places them and as
// the acts name them.
#include <algorithm>
#include <functional>
#include <iostream>
#include <map>
#include <set>

#include "cli/common.hpp"
#include "cli/display.hpp"
#include "cli/queries.hpp"
#include "cli/service_client.hpp"
#include "ledger/act.hpp"
#include "ledger/ledger.hpp"
#include "projections/authority.hpp"
#include "projections/query.hpp"
#include "projections/retention.hpp"
#include "projections/units.hpp"
#include "projections/words.hpp"

namespace antq::cli {

namespace {

using nlohmann::json;

Status check_as_of(const std::string& as_of) {
  if (!as_of.empty() && !ledger::is_date(as_of))
    return bad_input(i18n::Text("--as-of: expected a date YYYY-MM-DD, got \"{}\"", as_of));
  return {};
}

// What the table reads of the answer (one from the service is checked before it is printed).
bool units_shaped(const json& j) {
  if (!j.is_object() || !j.contains("units") || !j["units"].is_array() || !j.contains("as_of") || !j["as_of"].is_string())
    return false;
  for (const auto& u : j["units"])
    if (!u.is_object() || !u.contains("name") || !u["name"].is_string() || !u.contains("level") ||
        !u["level"].is_string() || !u.contains("registered") || !u["registered"].is_boolean() || !u.contains("depth") ||
        !u["depth"].is_number_unsigned() || !u.contains("subjects") || !u["subjects"].is_number_unsigned() ||
        !u.contains("subjects_under") || !u["subjects_under"].is_number_unsigned() ||
        (u.contains("ceased") && !u["ceased"].is_boolean()))
      return false;
  return true;
}

std::string text_or(const json& j, const char* key, const char* absent) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : absent;
}

}  // namespace

Result<queries::Json> queries::units(const ledger::Ledger& ledger, const std::string& as_of, const Scope& scope) {
  if (auto ok = check_as_of(as_of); !ok) return std::unexpected(ok.error());
  const std::string on = as_of.empty() ? vietnam_today() : as_of;
  const projections::LedgerState state(ledger);
  const projections::UnitTree tree(projections::registered_units(state), projections::reorganisations(state), on);
  // Every recorded succession, whatever its date: `to` and `successor` show a unit's end also before it comes.
  const projections::UnitTree ever(projections::registered_units(state), projections::reorganisations(state), "");
  auto keep = scope_filter(ledger, scope);
  if (!keep) return std::unexpected(keep.error());

  // Units only seen in acts, by key: the name first met and its level (founders first, then bindings).
  std::map<std::string, std::pair<std::string, std::string>> seen;
  std::map<std::string, std::size_t> founded;  // by key of the founder's name, registered or not
  std::map<const projections::Unit*, std::size_t> under;
  auto every = projections::SubjectReader(ledger).all(projections::AsOf{on, std::nullopt});
  if (!every) return std::unexpected(every.error());
  for (const auto& [id, s] : *every) {
    if (*keep && !(*keep)(id)) continue;
    const std::string founder = projections::keeper_of(state, s);
    if (founder.empty()) continue;
    const projections::Unit* u = tree.find(founder);
    if (!u) seen.emplace(projections::unit_key(founder), std::pair{founder, s.authority.level});
    if (!s.is_founded()) continue;
    ++founded[projections::unit_key(u ? u->name : founder)];
    // Under the unit competent on the day (a ceased unit's subjects are its successor's) and every unit above it.
    if (u) u = tree.find(tree.competent(u->name, id));
    for (std::size_t steps = 0; u != nullptr && steps <= tree.units().size(); ++steps, u = tree.parent(*u)) ++under[u];
  }
  ledger.for_each_state("authority/", [&](std::string_view key, std::string_view) {
    if (auto certificate = digest_from_hex(key.substr(std::string_view("authority/").size())))
      for (const auto& b : projections::bindings_of(state, *certificate))
        if (!b.unit.empty() && b.from <= on && scope.covers(b.unit, b.level) && !tree.find(b.unit))
          seen.emplace(projections::unit_key(b.unit), std::pair{b.unit, b.level});
  });

  json list = json::array();
  auto count = [&](const std::map<std::string, std::size_t>& m, const std::string& key) {
    auto it = m.find(key);
    return it == m.end() ? std::size_t{0} : it->second;
  };
  // The registered units in tree order: each after its parent, siblings in the order of their entries.
  std::set<const projections::Unit*> listed;
  std::function<void(const projections::Unit*, std::size_t)> walk = [&](const projections::Unit* u, std::size_t depth) {
    if (!listed.insert(u).second) return;
    const bool visible = scope.covers(u->name, u->level) ||
                         std::any_of(u->aliases.begin(), u->aliases.end(), [&](const auto& a) { return scope.covers(a, u->level); });
    if (visible) {
      auto it = under.find(u);
      const projections::Unit* above = tree.parent(*u);  // on the day: a ceased parent's successor or its parent
      list.push_back({{"name", u->name}, {"level", u->level}, {"kind", u->kind},
                      {"parent", above ? json(above->name) : json(nullptr)}, {"from", u->from},
                      {"aliases", u->aliases}, {"registered", true}, {"seq", u->seq}, {"depth", depth},
                      {"safety_recognizer", u->safety_recognizer.empty() ? json(nullptr) : json(u->safety_recognizer)},
                      {"subjects", count(founded, projections::unit_key(u->name))},
                      {"subjects_under", it == under.end() ? std::size_t{0} : it->second}});
      // The 2025 reorganisation (unit.reorganised): the day the unit ceases and the unit that takes over.
      const projections::Reorganisation* r = ever.ceased(u->name);
      list.back()["to"] = r ? json(r->effective) : json(nullptr);
      list.back()["successor"] = r ? json(ever.successor(u->name)) : json(nullptr);
      list.back()["ceased"] = tree.ceased(u->name) != nullptr;
    }
    for (const auto& child : tree.units())
      if (const projections::Unit* p = tree.parent(child); p == u) walk(&child, depth + 1);
  };
  for (const auto& u : tree.units())
    if (!tree.parent(u)) walk(&u, 0);
  for (const auto& u : tree.units()) walk(&u, 0);  // a parent not in force yet on the day: the unit stands at the top
  for (const auto& [key, unit] : seen) {
    const std::size_t n = count(founded, key);
    list.push_back({{"name", unit.first}, {"level", unit.second}, {"kind", nullptr}, {"parent", nullptr},
                    {"from", nullptr}, {"aliases", json::array()}, {"registered", false}, {"seq", nullptr},
                    {"safety_recognizer", nullptr},
                    {"depth", 0}, {"subjects", n}, {"subjects_under", n}, {"to", nullptr}, {"successor", nullptr},
                    {"ceased", false}});
  }
  return json{{"as_of", on}, {"units", std::move(list)}};
}

void add_units(CLI::App& app, Action& run) {
  struct Args {
    std::string dir, as_of;
    bool json = false;
    ServiceAccess access;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("units", N_("The units: the registry's hierarchy and the units the acts name"));
  cmd->footer(
      "The units of the ledger as they stood on --as-of (default today, Vietnam date). First those the administrator\n"
      "registered (act unit.registered: name, level, kind, parent, from, aliases), each under its parent, with the\n"
      "subjects it founded itself and those it and every unit under it founded; then the units only seen in acts\n"
      "(an authority that founded or began a subject, a unit a certificate is bound to) that no registered name or\n"
      "alias matches: each stands alone. --unit U of report, stats, dossier, audit and retention covers U and\n"
      "every unit under it here; names are matched after NFC, case folding and collapsed white space.\n"
      "A ledger with no registry lists only the units seen in acts, as every --unit then counts them: alone.\n"
      "To register a unit, an administrator signs (antq sign) an act such as\n"
      "  {\"act\": \"unit.registered\", \"subject\": \"ledger\", \"date\": \"2025-01-02\",\n"
      "   \"data\": {\"name\": \"UBND huyện Yên Thủy\", \"level\": \"district\", \"kind\": \"people-committee\",\n"
      "            \"parent\": \"UBND tỉnh Hòa Bình\", \"from\": \"2020-01-01\", \"aliases\": [\"Ủy ban nhân dân huyện Yên Thủy\"]}}\n"
      "and appends it; refused [unit] when the parent is not registered (from that day), is the unit itself or of a\n"
      "lower level, or when a name or alias, once folded, is already another unit's.\n"
      "An agency, enterprise or school may carry \"tt124\": true and \"safety_recognizer\": the registered unit that\n"
      "recognises its \"An toàn về an ninh, trật tự\" under Circular 124/2021/TT-BCA; where the profile applies the\n"
      "circular (hoa-binh-2023: 000 §III.2.3) that unit, not the founder, rates its models (docs/rules.md).\n"
      "After the 2025 reorganisation (act unit.reorganised: effective, kind merger|split|abolished, units,\n"
      "successor, and for a split subjects: {subject id: unit}) a unit shows the day it ceases (to) and its\n"
      "successor, and \"ceased\" once --as-of reaches that day; --unit of report, stats, dossier and audit then\n"
      "names the successor (exit 2) and its subjects count under the successor (docs/rules.md). A unit whose parent\n"
      "has ceased stands under the unit that parent merged into, or, where a level was abolished, under the parent's\n"
      "own parent: the communes of an abolished district are the province's (JSON parent: the parent on the day).\n"
      "JSON: as_of, units[] (name, level, kind, parent, from, aliases[], registered, seq, depth, subjects,\n"
      "subjects_under, safety_recognizer, to, successor, ceased); kind, parent, from and seq are null for a unit\n"
      "only seen in acts; to and successor null for a unit no unit.reorganised names.\n"
      "Example: antq units ledger/ --as-of 2025-06-30 --json");
  cmd->add_option("DIR", args->dir, kLedgerOrService)->required();
  cmd->add_option("--as-of", args->as_of, "The units as they stood on DATE (YYYY-MM-DD)");
  cmd->add_flag("--json", args->json, "JSON instead of a table");
  add_service_options(cmd, args->access);
  cmd->callback([args, &run] {
    run = [args]() -> int {
      if (auto ok = check_as_of(args->as_of); !ok) return fail(ok.error());
      Result<json> found;
      if (is_service_url(args->dir)) {
        auto client = service_client(args->dir, args->access);
        if (!client) return fail(client.error());
        found = service_get_json(*client, "/v1/units", {{"as_of", args->as_of}});
        if (found && !units_shaped(*found))
          return fail(bad_input(i18n::Text("{}: the service's units are not what antq writes", args->dir)));
      } else {
        auto ledger = ledger::Ledger::open(args->dir);
        if (!ledger) return fail(ledger.error());
        found = queries::units(**ledger, args->as_of, {});
      }
      if (!found) return fail(found.error());
      if (args->json) {
        print_json(*found);
        return kOk;
      }
      // Names come from acts: shown through cell()/visible() (cli/display.hpp). Levels, kinds, dates and headings in
      // the reader's language (the ids and ISO dates in English, as the JSON has them).
      const i18n::Lang lang = i18n::process_lang();
      std::size_t registered = 0;
      for (const auto& u : (*found)["units"]) registered += u["registered"].get<bool>() ? 1 : 0;
      print_line(i18n::trf(lang, "Units of {} as of {}: {} registered, {} only seen in acts", args->dir,
                           i18n::date(lang, (*found)["as_of"].get<std::string>()), registered,
                           (*found)["units"].size() - registered));
      const bool en = lang == i18n::Lang::en;
      const std::size_t level_width = en ? 9 : 10, kind_width = en ? 18 : 22, count_width = en ? 8 : 11;
      const auto heading = [&](const i18n::Msg& word, std::size_t width) { return cell(i18n::tr(lang, word), width); };
      std::cout << "\n"
                << heading(NC_("units", "unit"), 50) << ' ' << heading(NC_("units", "level"), level_width) << ' '
                << heading(NC_("units", "kind"), kind_width) << ' ' << heading(NC_("units", "from"), 10) << ' '
                << heading(NC_("units", "to"), 10) << ' '
                << cell_right(i18n::tr(lang, NC_("units", "founded")), count_width) << ' '
                << cell_right(i18n::tr(lang, NC_("units", "under")), count_width) << "\n";
      bool apart = false;
      for (const auto& u : (*found)["units"]) {
        if (!u["registered"].get<bool>() && !apart) {
          apart = true;
          std::cout << i18n::tr(lang, "(only seen in acts)") << "\n";
        }
        const std::string indent(2 * std::min<std::size_t>(u["depth"].get<std::size_t>(), 8), ' ');
        const std::string kind = text_or(u, "kind", "-");
        std::cout << cell(indent + u["name"].get<std::string>(), 50) << ' '
                  << cell(projections::words::level(lang, u["level"].get<std::string>()), level_width) << ' '
                  << cell(kind == "-" ? kind : projections::words::unit_kind(lang, kind), kind_width) << ' '
                  << cell(i18n::date(lang, text_or(u, "from", "-")), 10) << ' '
                  << cell(i18n::date(lang, text_or(u, "to", "-")), 10) << ' '
                  << cell_right(std::to_string(u["subjects"].get<std::size_t>()), count_width) << ' '
                  << cell_right(std::to_string(u["subjects_under"].get<std::size_t>()), count_width) << "\n";
        if (const std::string next = text_or(u, "successor", ""); !next.empty())
          std::cout << cell(std::string(2 * std::min<std::size_t>(u["depth"].get<std::size_t>(), 8) + 2, ' ') +
                                (u.value("ceased", false) ? i18n::trf(lang, "succeeded by {}", next)
                                                          : i18n::trf(lang, "to be succeeded by {}", next)),
                            120)
                    << "\n";
      }
      return kOk;
    };
  });
}

}  // namespace antq::cli
