// The half-year and yearly reports the units send up (Hòa Bình 000 §VIII: "Định kỳ 06 tháng (trước ngày 15/5), 1
// năm (trước ngày 15/11) báo cáo kết quả công tác xây dựng, công nhận, nhân rộng mô hình, điển hình"; Kon Tum 002:
// before 10 May / 10 Nov, with a statistics template), as figures: rows (section, key, value) that a CSV holds and
// an inspector reconciles against the ledger.
//
// The sources define only the evaluation year (1 Nov of the year before to 31 Oct: 000 §III.2, 001). The half-year
// H1 of year Y is taken as 1 Nov of Y-1 to 30 April of Y, the half before the May deadline; the sources are silent
// on it, and the template Kon Tum attaches is not in them, so the figures are those the sources ask reports to
// give (domain.md §7): points and teams by model name, what was built, recognised, replicated, merged and ended,
// ratings (yearly), exemplars, announcements, and the models counted apart.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ledger/ledger.hpp"
#include "projections/stats.hpp"

namespace antq::projections {

struct PeriodicReport {
  std::string period;   // "2026-H1" or "2026" (the evaluation year)
  int year = 0;         // the evaluation year
  bool yearly = false;
  Period covers;        // the days the report covers
  std::string as_of;    // the record as it stood on this day: the day before the deadline, unless asked otherwise
  std::string due;      // the deadline ("before" this day) of the profile in force; "" when it sets none
  std::string to;       // to whom the unit sends it, as the profile's tier of `due` for its level writes it; ""
                        // when none says
  std::optional<std::uint64_t> at;  // only the entries up to this seq (the ledger as it stood then), when given
  std::string unit;     // the reporting unit's subjects; "" for every unit
  std::string profile;  // the profile in force on as_of
  std::string basis;    // the profile's source document, as the report states it (its "Căn cứ …": profile_basis())
  Statistics stats;     // as of as_of; ratings of `year` (yearly reports only); in_period over `covers`
};

// The report of `period` without its figures: period, year, covers, due and as_of (as periodic_report decides them:
// the day the figures are taken, and the registry is read), profile and basis. The same bad_input as
// periodic_report.
Result<PeriodicReport> report_frame(const ledger::Ledger& ledger, const std::string& period, const std::string& unit,
                                    const std::optional<std::string>& as_of, const std::string& today,
                                    std::optional<std::uint64_t> at = std::nullopt);

// The report of a frame (report_frame): its figures as of its as_of, from the entries up to its `at`, of the subjects
// `keep` keeps when given.
Result<PeriodicReport> report_in_frame(const ledger::Ledger& ledger, PeriodicReport frame,
                                       const SubjectFilter& keep = {});

// The report of `period` ("YYYY-H1" or "YYYY") as of `as_of` (default: the day before the profile's deadline, or
// the period's last day when it sets none; never after `today`), from the entries up to `at` when given.
// bad_input for a malformed period or date, or an entry the ledger does not hold. `keep`, when given, counts only
// the subjects it keeps (statistics()).
Result<PeriodicReport> periodic_report(const ledger::Ledger& ledger, const std::string& period,
                                       const std::string& unit, const std::optional<std::string>& as_of,
                                       const std::string& today, std::optional<std::uint64_t> at = std::nullopt,
                                       const SubjectFilter& keep = {});

// One figure of a report: the CSV row "section,key,value".
struct Figure {
  std::string section, key, value;
  bool operator==(const Figure&) const = default;
};

// The figures in the order of the report; the first ones (section "report") say which report it is: period,
// unit, as_of, at (when given), from, to, due, profile.
std::vector<Figure> report_figures(const PeriodicReport& report);

}  // namespace antq::projections
