// antq audit: the findings of domain.md §10 an auditor must look at.
#include <iostream>
#include <map>

#include "cli/common.hpp"
#include "cli/display.hpp"
#include "cli/queries.hpp"
#include "cli/service_client.hpp"
#include "ledger/ledger.hpp"
#include "projections/audit.hpp"

namespace antq::cli {

namespace {

// --since: empty, or a date.
Status check_since(const std::string& since) {
  if (!since.empty() && !ledger::is_date(since))
    return bad_input(i18n::Text("--since: expected a date YYYY-MM-DD, got \"{}\"", since));
  return {};
}

// The findings of the subjects inside `scope` as of `point`, those that arose on or after `since`, and the day
// deadlines were measured against.
struct Findings {
  std::vector<projections::Finding> shown;
  std::map<std::string, std::size_t> counts;  // by rule
  std::string today;
};

Result<Findings> findings_of(const ledger::Ledger& ledger, const queries::Point& p, const std::string& since,
                             const projections::Scope& scope, const std::string& typed_unit) {
  if (auto ok = check_since(since); !ok) return std::unexpected(ok.error());
  auto at = as_of_point(p.as_of, p.at, ledger.size());
  if (!at) return std::unexpected(at.error());
  const projections::AsOf point = *at;
  const std::string today = vietnam_today();
  // Each year from a subject's founding to the day asked about is judged: a day in the future would judge years
  // that have not come (as of 9999, some 8,000 of them for each subject).
  if (point.date && *point.date > today)
    return bad_input(i18n::Text(
        "--as-of {}: later than today ({}); an audit judges what was due by a day that has come", *point.date, today));
  auto unit = queries::resolve_unit(ledger, typed_unit, scope);
  if (!unit) return std::unexpected(unit.error());
  auto in_scope = queries::scope_filter(ledger, scope);
  if (!in_scope) return std::unexpected(in_scope.error());
  // The subjects of the unit and of every unit under it in the registry as it stood on the day asked about.
  auto keep = queries::unit_filter(ledger, *unit, point.date.value_or(today), *in_scope);
  if (!keep) return std::unexpected(keep.error());
  // The registered units whose periodic reports are audited: the unit's and those under it, inside the scope.
  projections::UnitFilter reporting;
  if (!unit->empty() || !scope.whole()) {
    auto covers = queries::unit_cover(ledger, *unit, point.date.value_or(today));
    reporting = [covers, scope](std::string_view name, std::string_view level) {
      return (!covers || covers(name)) && scope.covers(name, level);
    };
  }
  auto findings = projections::audit(ledger, today, point, *keep, reporting);
  if (!findings) return std::unexpected(findings.error());
  Findings out;
  for (auto& f : *findings)
    if (since.empty() || f.date >= since) out.shown.push_back(std::move(f));
  for (const auto& f : out.shown) ++out.counts[f.rule];
  out.today = point.date.value_or(today);
  return out;
}

nlohmann::json findings_json(const Findings& f, i18n::Lang lang) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& x : f.shown) {
    list.push_back({{"subject", x.subject},
                    {"seq", x.seq},
                    {"rule", x.rule},
                    {"date", x.date},
                    {"message", x.message.str(lang)},
                    {"documents", x.documents}});
    if (!x.unit.empty()) list.back()["unit"] = x.unit;
    if (!x.part.empty()) list.back()["part"] = x.part;  // seq and documents are entries of that sealed part
  }
  return {{"findings", std::move(list)}, {"counts", f.counts}, {"today", f.today}};
}

// What the table reads of the findings (an answer from the service is checked before it is printed).
bool findings_shaped(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("findings") || !j["findings"].is_array() || !j.contains("counts") ||
      !j["counts"].is_object())
    return false;
  for (const auto& [rule, n] : j["counts"].items())
    if (!n.is_number_unsigned()) return false;
  for (const auto& f : j["findings"])
    if (!f.is_object() || !f.contains("seq") || !f["seq"].is_number_unsigned())
      return false;
    else
      for (const char* k : {"subject", "rule", "message"})
        if (!f.contains(k) || !f[k].is_string()) return false;
  return true;
}

}  // namespace

Result<queries::Json> queries::audit(const ledger::Ledger& ledger, const Point& point, const std::string& since,
                                     const Scope& scope, const std::string& unit, i18n::Lang lang) {
  auto f = findings_of(ledger, point, since, scope, unit);
  if (!f) return std::unexpected(f.error());
  return findings_json(*f, lang);
}

void add_audit(CLI::App& app, Action& run) {
  struct Args {
    std::string dir, as_of, since, unit;
    std::optional<std::uint64_t> at;
    bool json = false, strict = false;
    ServiceAccess access;
  };
  auto args = std::make_shared<Args>();
  auto* cmd =
      app.add_subcommand("audit", N_("Findings: late or missing acts, mismatched ratings, incomplete dossiers..."));
  cmd->footer(
      "Every finding of domain.md §10 under the profile in force: late-proposal, late-decision, late-forwarding,\n"
      "level-mismatch, weak-not-terminated, missing-plan, missing-report, dossier-incomplete,\n"
      "exemplar-late-evaluation, exemplar-below-threshold, duplicate-model, replication-ineffective; and those\n"
      "docs/rules.md adds: exemplar-common-criteria, missing-rating (an eligible model with no rating of a year by\n"
      "its day), missing-forwarding (a rating never sent on), good-not-announced (Bắc Giang: a Good model not\n"
      "announced for replication), missing-unit-report (a reporting unit's half-year or yearly report,\n"
      "unit.report-filed, not filed by its tier's day; subject \"ledger\", JSON unit), rating-criteria-unsupported\n"
      "(Bắc Giang: an announcement or commendation criterion whose act's scope or level is below the one the\n"
      "criterion names), not-carried-over (a merged province's predecessor's open subject that no unit here took\n"
      "over: antq carry-over; subject HB.<id>; whole-ledger audits only). A whole-ledger audit adds each sealed\n"
      "part's findings by its own profile, deadlines measured no later than the merger (subject HB.<id>, JSON part;\n"
      "its seq and documents are the part's entries), but not of subjects carried over by then. Each with the\n"
      "subject, the entry, the rule, a message naming dates and documents, and the entries involved. Deadlines are\n"
      "measured against today (Vietnam date), or the --as-of date. --unit U: only the subjects founded by U or by a\n"
      "unit under it in the registry (antq units); U is matched in any case or Unicode form, an unknown U is exit 2\n"
      "naming the nearest units.\n"
      "Exit 0, or with --strict 1 when there is any finding. JSON: findings[] (subject, seq, rule, date, message,\n"
      "documents[]), counts (by rule).\n"
      "Example: antq audit ledger/ --since 2024-11-01 --strict");
  cmd->add_option("DIR", args->dir, kLedgerOrService)->required();
  auto* as_of =
      cmd->add_option("--as-of", args->as_of, "Audit the record as it stood on DATE (YYYY-MM-DD, not after today)");
  auto* at = cmd->add_option("--at", args->at, "Audit the ledger as it stood after entry SEQ");
  as_of->excludes(at);
  cmd->add_option("--since", args->since, "Only findings that arose on or after DATE");
  cmd->add_option("--unit", args->unit, "Only the subjects this unit or a unit under it founded (any case or Unicode form)");
  cmd->add_flag("--json", args->json, "JSON instead of a table");
  add_service_options(cmd, args->access);
  cmd->add_flag("--strict", args->strict, "Exit 1 when there is any finding");
  cmd->callback([args, &run] {
    run = [args]() -> int {
      if (auto ok = check_since(args->since); !ok) return fail(ok.error());
      // JSON is for programs: its messages stay in English whatever the locale.
      const i18n::Lang lang = args->json ? i18n::Lang::en : i18n::process_lang();
      Result<nlohmann::json> found;
      if (is_service_url(args->dir)) {
        auto client = service_client(args->dir, args->access);
        if (!client) return fail(client.error());
        found = service_get_json(*client, "/v1/audit",
                                 {{"as_of", args->as_of},
                                  {"at", args->at ? std::to_string(*args->at) : ""},
                                  {"since", args->since},
                                  {"unit", args->unit},
                                  {"lang", lang == i18n::Lang::vi ? "vi" : ""}});
        if (found && !findings_shaped(*found))
          return fail(bad_input(i18n::Text("{}: the service's findings are not what antq writes", args->dir)));
      } else {
        auto ledger = ledger::Ledger::open(args->dir);
        if (!ledger) return fail(ledger.error());
        found = queries::audit(**ledger, {args->as_of, args->at}, args->since, {}, args->unit, lang);
      }
      if (!found) return fail(found.error());
      const nlohmann::json& shown = (*found)["findings"];
      if (args->json) {
        print_json(*found);
      } else {
        // A finding's subject and message quote acts: shown through visible() (cli/display.hpp).
        print_line(i18n::trf(lang, "{} finding(s) in {}{}{}", shown.size(), args->dir,
                             args->unit.empty() ? "" : i18n::trf(lang, " for {}", args->unit),
                             args->since.empty() ? "" : i18n::trf(lang, " since {}", args->since)));
        for (const auto& [rule, n] : (*found)["counts"].items())
          std::cout << "  " << cell(rule, 26) << ' ' << n.get<std::size_t>() << '\n';
        if (!shown.empty()) std::cout << "\n";
        for (const auto& f : shown)
          std::cout << cell(f["subject"].get<std::string>(), 16)
                    // An entry of a sealed part is named with its prefix: "HB entry 12" (cell() makes it visible).
                    << " "
                    << cell(i18n::trf(lang, "{}entry {}",
                                      f.contains("part") && f["part"].is_string() ? f["part"].get<std::string>() + " "
                                                                                  : "",
                                      f["seq"].get<std::uint64_t>()),
                            lang == i18n::Lang::en ? 12 : 14)
                    << " "
                    << visible(fmt::format("[{}] {}", f["rule"].get<std::string>(), f["message"].get<std::string>()))
                    << '\n';
      }
      return args->strict && !shown.empty() ? kCheckFailed : kOk;
    };
  });
}

}  // namespace antq::cli
