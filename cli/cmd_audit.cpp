// antq audit: the findings of domain.md §10 an auditor must look at.
#include <iostream>
#include <map>

#include "cli/common.hpp"
#include "cli/display.hpp"
#include "cli/queries.hpp"
#include "ledger/ledger.hpp"
#include "projections/audit.hpp"

namespace antq::cli {

namespace {

// --since: empty, or a date.
Status check_since(const std::string& since) {
  if (!since.empty() && !ledger::is_date(since))
    return bad_input(fmt::format("--since: expected a date YYYY-MM-DD, got \"{}\"", since));
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
                             const projections::Scope& scope) {
  if (auto ok = check_since(since); !ok) return std::unexpected(ok.error());
  auto at = as_of_point(p.as_of, p.at, ledger.size());
  if (!at) return std::unexpected(at.error());
  const projections::AsOf point = *at;
  const std::string today = vietnam_today();
  auto keep = queries::scope_filter(ledger, scope);
  if (!keep) return std::unexpected(keep.error());
  auto findings = projections::audit(ledger, today, point, *keep);
  if (!findings) return std::unexpected(findings.error());
  Findings out;
  for (auto& f : *findings)
    if (since.empty() || f.date >= since) out.shown.push_back(std::move(f));
  for (const auto& f : out.shown) ++out.counts[f.rule];
  out.today = point.date.value_or(today);
  return out;
}

nlohmann::json findings_json(const Findings& f) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& x : f.shown)
    list.push_back({{"subject", x.subject}, {"seq", x.seq}, {"rule", x.rule}, {"date", x.date},
                    {"message", x.message}, {"documents", x.documents}});
  return {{"findings", std::move(list)}, {"counts", f.counts}, {"today", f.today}};
}

}  // namespace

Result<queries::Json> queries::audit(const ledger::Ledger& ledger, const Point& point, const std::string& since,
                                     const Scope& scope) {
  auto f = findings_of(ledger, point, since, scope);
  if (!f) return std::unexpected(f.error());
  return findings_json(*f);
}

void add_audit(CLI::App& app, Action& run) {
  struct Args {
    std::string dir, as_of, since;
    std::optional<std::uint64_t> at;
    bool json = false, strict = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("audit", "Findings: late or missing acts, mismatched ratings, incomplete dossiers...");
  cmd->footer(
      "Every finding of domain.md §10 under the profile in force: late-proposal, late-decision, late-forwarding,\n"
      "level-mismatch, weak-not-terminated, missing-plan, missing-report, dossier-incomplete,\n"
      "exemplar-late-evaluation, exemplar-below-threshold, duplicate-model, replication-ineffective. Each with the\n"
      "subject, the entry, the rule, a message naming dates and documents, and the entries involved. Deadlines are\n"
      "measured against today (Vietnam date), or the --as-of date.\n"
      "Exit 0, or with --strict 1 when there is any finding. JSON: findings[] (subject, seq, rule, date, message,\n"
      "documents[]), counts (by rule).\n"
      "Example: antq audit ledger/ --since 2024-11-01 --strict");
  cmd->add_option("DIR", args->dir, "The ledger")->required();
  auto* as_of = cmd->add_option("--as-of", args->as_of, "Audit the record as it stood on DATE (YYYY-MM-DD)");
  auto* at = cmd->add_option("--at", args->at, "Audit the ledger as it stood after entry SEQ");
  as_of->excludes(at);
  cmd->add_option("--since", args->since, "Only findings that arose on or after DATE");
  cmd->add_flag("--json", args->json, "JSON instead of a table");
  cmd->add_flag("--strict", args->strict, "Exit 1 when there is any finding");
  cmd->callback([args, &run] {
    run = [args]() -> int {
      if (auto ok = check_since(args->since); !ok) return fail(ok.error());
      auto ledger = ledger::Ledger::open(args->dir);
      if (!ledger) return fail(ledger.error());
      auto found = findings_of(**ledger, {args->as_of, args->at}, args->since, {});
      if (!found) return fail(found.error());
      const std::vector<projections::Finding>& shown = found->shown;
      if (args->json) {
        print_json(findings_json(*found));
      } else {
        // A finding's subject and message quote acts: shown through visible() (cli/display.hpp).
        print_line(fmt::format("{} finding(s) in {}{}", shown.size(), args->dir,
                               args->since.empty() ? "" : " since " + args->since));
        for (const auto& [rule, n] : found->counts) std::cout << "  " << cell(rule, 26) << ' ' << n << '\n';
        if (!shown.empty()) std::cout << "\n";
        for (const auto& f : shown)
          std::cout << cell(f.subject, 16) << fmt::format(" entry {:<6} ", f.seq)
                    << visible(fmt::format("[{}] {}", f.rule, f.message)) << '\n';
      }
      return args->strict && !shown.empty() ? kCheckFailed : kOk;
    };
  });
}

}  // namespace antq::cli
