// antq audit: the findings of domain.md §10 an auditor must look at.
#include <iostream>
#include <map>

#include "cli/common.hpp"
#include "cli/display.hpp"
#include "ledger/ledger.hpp"
#include "projections/audit.hpp"

namespace antq::cli {

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
      if (!args->since.empty() && !ledger::is_date(args->since))
        return fail(bad_input(fmt::format("--since: expected a date YYYY-MM-DD, got \"{}\"", args->since)));
      auto ledger = ledger::Ledger::open(args->dir);
      if (!ledger) return fail(ledger.error());
      auto at = as_of_point(args->as_of, args->at, (*ledger)->size());
      if (!at) return fail(at.error());
      const projections::AsOf point = *at;
      const std::string today = vietnam_today();
      auto findings = projections::audit(**ledger, today, point);
      if (!findings) return fail(findings.error());
      std::vector<projections::Finding> shown;
      for (auto& f : *findings)
        if (args->since.empty() || f.date >= args->since) shown.push_back(std::move(f));
      std::map<std::string, std::size_t> counts;
      for (const auto& f : shown) ++counts[f.rule];
      if (args->json) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& f : shown)
          list.push_back({{"subject", f.subject}, {"seq", f.seq}, {"rule", f.rule}, {"date", f.date},
                          {"message", f.message}, {"documents", f.documents}});
        print_json({{"findings", std::move(list)}, {"counts", counts}, {"today", point.date.value_or(today)}});
      } else {
        // A finding's subject and message quote acts: shown through visible() (cli/display.hpp).
        print_line(fmt::format("{} finding(s) in {}{}", shown.size(), args->dir,
                               args->since.empty() ? "" : " since " + args->since));
        for (const auto& [rule, n] : counts) std::cout << "  " << cell(rule, 26) << ' ' << n << '\n';
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
