// Audit findings (domain.md §10, "Findings"): acts the ledger admitted that an auditor must look at — late
// proposals, decisions and forwarding, ratings that differ from the band of targets met, Weak models not ended,
// missing plans and reports, incomplete dossiers, late or failing exemplars, exemplars recognised without the common
// criteria, duplicate models, replications whose points are mostly ineffective — each under the profile in force,
// with the documents involved.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/ledger.hpp"
#include "i18n/i18n.hpp"
#include "projections/query.hpp"

namespace antq::projections {

struct Finding {
  std::string subject;
  std::uint64_t seq = 0;     // the entry the finding is about (the late act, the rating, the subject's latest act)
  std::string rule;          // a finding id of domain.md §10
  std::string date;          // when it arose (YYYY-MM-DD): the act's date, or the deadline that passed
  i18n::Text message;  // in the reader's language: message.str(lang)
  std::vector<std::uint64_t> documents;  // entries involved
  std::string unit;  // missing-unit-report: the reporting unit (the subject is then "ledger")
  // A finding of sealed part `part` (a merged province's predecessor): its subject reads PREFIX.<id>, its seq and
  // documents are entries of the part.
  std::string part = {};
};

// Which registered units (name, level) an audit looks at for missing-unit-report.
using UnitFilter = std::function<bool(std::string_view name, std::string_view level)>;

// Every finding as of `at`, with `today` (YYYY-MM-DD) as the day deadlines are measured against (at.date when
// given). Sorted by subject, then date, then rule. `keep`, when given, audits only the subjects it keeps (a
// duplicate-model is then found among them alone). `reporting`, when given, names the registered units whose
// periodic reports are audited; without it, every registered unit when `keep` is empty, else those that founded a
// subject it keeps. Without either (a whole-ledger audit), the findings of each sealed part as of `at` (part_subjects'
// rule: a part sealed by then, its subjects not carried over by then), judged by its own profile, its deadlines
// measured no later than the day the merger took effect.
Result<std::vector<Finding>> audit(const ledger::Ledger& ledger, const std::string& today, const AsOf& at,
                                   const SubjectFilter& keep = {}, const UnitFilter& reporting = {});

}  // namespace antq::projections
