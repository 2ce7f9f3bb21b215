// antq stats: the Movement's statistics as the provinces report them (domain.md §7).
#include <iostream>
#include <map>

#include "cli/common.hpp"
#include "cli/service_client.hpp"
#include "cli/csv.hpp"
#include "cli/display.hpp"
#include "cli/queries.hpp"
#include "ledger/ledger.hpp"
#include "projections/stats.hpp"

namespace antq::cli {
namespace {

using nlohmann::json;

// The count under `key`, 0 when there is none.
std::size_t count_of(const std::map<std::string, std::size_t>& counts, const std::string& key) {
  auto it = counts.find(key);
  return it == counts.end() ? 0 : it->second;
}

json stats_json(const projections::Statistics& s) {
  json models = json::array();
  for (const auto& m : s.models) {
    // variants: the names as the acts write them, grouped under this one (projections/names.hpp), with their points.
    json variants = json::array();
    for (const auto& [name, points] : m.variants) variants.push_back({{"name", name}, {"points", points}});
    models.push_back({{"name", m.name}, {"points", m.points}, {"teams", m.teams}, {"variants", std::move(variants)}});
  }
  json apart = json::array();
  for (const auto& a : s.apart) apart.push_back({{"subject", a.subject}, {"name", a.name}, {"reason", a.reason}});
  json replication = json::array();
  for (const auto& r : s.replication) {
    json x{{"origin", r.origin}, {"name", r.name},       {"points", r.points},
           {"rated", r.rated},   {"counted", r.counted}, {"effective", r.effective}};
    if (r.threshold_pct)
      x["effective_model"] = r.counted > 0 && r.effective * 100 >= static_cast<std::size_t>(*r.threshold_pct) * r.counted;
    replication.push_back(std::move(x));
  }
  json ratings = json::object();
  for (const char* level : {"good", "fair", "average", "weak"}) ratings[level] = count_of(s.ratings, level);
  json exemplars = json::object();
  for (const char* stage : {"building", "recognized", "ended"}) exemplars[stage] = count_of(s.exemplars, stage);
  json out = {{"year", s.year},
          {"models", std::move(models)},
          {"points", s.points},
          {"teams", s.teams},
          {"ratings", std::move(ratings)},
          {"ratings_by_unit", s.ratings_by_unit},
          {"ratings_by_level", s.ratings_by_level},
          {"exemplars", std::move(exemplars)},
          {"apart", std::move(apart)},
          {"replications", s.replications},
          {"announcements", s.announcements},
          {"replication", std::move(replication)}};
  // The old-to-new table (unit.reorganised), only where the ledger records a reorganisation in force.
  if (!s.succeeded.empty()) {
    json succeeded = json::array();
    for (const auto& x : s.succeeded)
      succeeded.push_back({{"unit", x.unit}, {"successor", x.successor}, {"effective", x.effective}, {"kind", x.kind},
                           {"seq", x.seq}});
    out["succeeded"] = std::move(succeeded);
  }
  // The subjects counted from sealed parts (a merged province's predecessors), only where there are some.
  if (!s.parts.empty()) out["parts"] = s.parts;
  return out;
}

std::string csv_text(const projections::Statistics& s) {
  std::string out = std::string(kUtf8Bom) + "section,key,value\r\n";
  auto row = [&out](const std::string& section, const std::string& key, const std::string& value) {
    out += csv_record({section, key, value});
  };
  row("year", "", std::to_string(s.year));
  for (const auto& m : s.models) {
    row("points", m.name, std::to_string(m.points));
    row("teams", m.name, std::to_string(m.teams));
  }
  row("total", "points", std::to_string(s.points));
  row("total", "teams", std::to_string(s.teams));
  for (const char* level : {"good", "fair", "average", "weak"})
    row("ratings", level, std::to_string(count_of(s.ratings, level)));
  for (const char* stage : {"building", "recognized", "ended"})
    row("exemplars", stage, std::to_string(count_of(s.exemplars, stage)));
  row("total", "replications", std::to_string(s.replications));
  row("total", "announcements", std::to_string(s.announcements));
  for (const auto& a : s.apart) row("apart", a.subject, a.reason);
  for (const auto& [section, key, value] : projections::succession_rows(s)) row(section, key, value);
  for (const auto& [prefix, n] : s.parts) row("part", prefix, std::to_string(n));
  return out;
}

// The statistics `options` ask for, of the subjects inside `scope`, and the point they are as of.
struct Counted {
  projections::AsOf at;
  projections::Statistics stats;
};

Result<Counted> statistics_of(const ledger::Ledger& ledger, const queries::StatsOptions& options,
                              const projections::Scope& scope) {
  auto at = as_of_point(options.point.as_of, options.point.at, ledger.size());
  if (!at) return std::unexpected(at.error());
  auto unit = queries::resolve_unit(ledger, options.unit, scope);
  if (!unit) return std::unexpected(unit.error());
  auto in_scope = queries::scope_filter(ledger, scope);
  if (!in_scope) return std::unexpected(in_scope.error());
  // The unit and every unit under it in the registry as it stood on the day asked about.
  auto keep = queries::unit_filter(ledger, *unit, options.point.as_of.empty() ? vietnam_today() : options.point.as_of,
                                   *in_scope);
  if (!keep) return std::unexpected(keep.error());
  auto s = projections::statistics(ledger, *at, options.year, "", std::nullopt, *keep);
  if (!s) return std::unexpected(s.error());
  queries::successions_in_scope(ledger, scope, *unit,
                                options.point.as_of.empty() ? vietnam_today() : options.point.as_of, *s);
  return Counted{*at, std::move(*s)};
}

}  // namespace

namespace queries {

Result<Json> stats(const ledger::Ledger& ledger, const StatsOptions& options, const Scope& scope) {
  auto c = statistics_of(ledger, options, scope);
  if (!c) return std::unexpected(c.error());
  return stats_json(c->stats);
}

Result<std::string> stats_csv(const ledger::Ledger& ledger, const StatsOptions& options, const Scope& scope) {
  auto c = statistics_of(ledger, options, scope);
  if (!c) return std::unexpected(c.error());
  return csv_text(c->stats);
}

}  // namespace queries

// Names, subjects and reasons come from acts: shown through visible() (cli/display.hpp).
void print_stats_table(const projections::Statistics& s, const i18n::Text& when) {
  const i18n::Lang lang = i18n::process_lang();
  using i18n::tr;
  using i18n::trf;
  print_line(trf(lang, "Movement statistics, {}; ratings of evaluation year {}", when.str(lang), s.year));
  std::cout << "\n";
  std::cout << cell(tr(lang, "model (by name)"), 52) << ' ' << cell_right(tr(lang, "points"), 7) << ' '
            << cell_right(tr(lang, "teams"), 7) << "\n";
  for (const auto& m : s.models) std::cout << cell(m.name, 52) << fmt::format(" {:>7} {:>7}\n", m.points, m.teams);
  std::cout << cell(tr(lang, "total"), 52) << fmt::format(" {:>7} {:>7}\n\n", s.points, s.teams);
  std::cout << trf(lang, "ratings {}: good {}, fair {}, average {}, weak {}", s.year, count_of(s.ratings, "good"),
                   count_of(s.ratings, "fair"), count_of(s.ratings, "average"), count_of(s.ratings, "weak"))
            << "\n";
  std::cout << trf(lang, "exemplars: building {}, recognized {}, ended {}", count_of(s.exemplars, "building"),
                   count_of(s.exemplars, "recognized"), count_of(s.exemplars, "ended"))
            << "\n";
  std::cout << trf(lang, "replications {}, announcements {}", s.replications, s.announcements) << "\n";
  for (const auto& r : s.replication)
    print_line(trf(lang, "replicated {} ({}): {} points, {} rated for {}, {} Fair or better of {} counted{}", r.origin,
                   r.name, r.points, r.rated, s.year, r.effective, r.counted,
                   r.threshold_pct ? trf(lang, " (effective when ≥ {}%)", *r.threshold_pct) : ""));
  for (const auto& [prefix, n] : s.parts)
    std::cout << trf(lang,
                     "of which {} subject(s) of sealed part {} (a merged province's predecessor; ids {}.<id>), not "
                     "carried over by then",
                     n, prefix, prefix)
              << "\n";
  if (!s.apart.empty()) {
    std::cout << "\n" << trf(lang, "reported apart, not in the totals ({}):", s.apart.size()) << "\n";
    for (const auto& a : s.apart)
      std::cout << "  " << cell(a.subject, 16) << ' ' << cell(a.name, 44) << ' ' << visible(a.reason) << '\n';
  }
}

void add_stats(CLI::App& app, Action& run) {
  struct Args {
    std::string dir, as_of, unit, format = "table";
    bool json = false;
    std::optional<std::uint64_t> at;
    std::optional<int> year;
    ServiceAccess access;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("stats", N_("Statistics: points and teams by model name, ratings, exemplars"));
  cmd->footer(
      "Counted as the guidance counts (Hòa Bình §VI): by model name the points — the active subjects of a lineage,\n"
      "the origin and every point of it — and their implementing teams; models without security-and-order content\n"
      "and Dân vận khéo models are listed apart, never in the totals. Ratings of evaluation year --year (default:\n"
      "the latest rated) by level, by unit and by the deciding level; exemplars by stage; replications,\n"
      "announcements, and for replicated models how many points were Fair or better (Kon Tum: effective at 50%).\n"
      "A ledger that took in a merged province's predecessor (antq take-in) counts, as of a day, the subjects of\n"
      "its sealed part not carried over by then (ids PREFIX.<id>; JSON parts, CSV rows part,PREFIX,N); --unit\n"
      "counts this ledger's own subjects.\n"
      "--format csv writes rows section,key,value (RFC 4180).\n"
      "Example: antq stats ledger/ --year 2024 --as-of 2024-11-15 --format csv");
  cmd->add_option("DIR", args->dir, kLedgerOrService)->required();
  cmd->add_option("--year", args->year, "Evaluation year of the ratings (1 Nov of the year before to 31 Oct)");
  auto* as_of = cmd->add_option("--as-of", args->as_of, "As the record stood on DATE (YYYY-MM-DD)");
  auto* at = cmd->add_option("--at", args->at, "As the ledger stood after entry SEQ");
  as_of->excludes(at);
  cmd->add_option("--unit", args->unit, "Only the subjects this unit or a unit under it founded (its name, in any case or Unicode form)");
  auto* format =
      cmd->add_option("--format", args->format, "table, json or csv")->check(CLI::IsMember({"table", "json", "csv"}));
  cmd->add_flag("--json", args->json, "The same as --format json")->excludes(format);
  add_service_options(cmd, args->access);
  cmd->callback([args, &run] {
    run = [args]() -> int {
      if (args->json) args->format = "json";
      if (is_service_url(args->dir))
        return ask_service(args->dir, args->access, "stats", "/v1/stats",
                           {{"year", args->year ? std::to_string(*args->year) : ""},
                            {"unit", args->unit},
                            {"as_of", args->as_of},
                            {"at", args->at ? std::to_string(*args->at) : ""}},
                           args->format, "add --format json or --format csv");
      auto ledger = ledger::Ledger::open(args->dir);
      if (!ledger) return fail(ledger.error());
      auto c = statistics_of(**ledger, {{args->as_of, args->at}, args->year, args->unit}, {});
      if (!c) return fail(c.error());
      const projections::AsOf& at = c->at;
      if (args->format == "json")
        print_json(stats_json(c->stats));
      else if (args->format == "csv")
        std::cout << csv_text(c->stats);
      else
        print_stats_table(c->stats, at.date  ? i18n::Text("as of {}", *at.date)
                                    : at.seq ? i18n::Text("at entry {}", *at.seq)
                                             : i18n::Text("now"));
      return kOk;
    };
  });
}

}  // namespace antq::cli
