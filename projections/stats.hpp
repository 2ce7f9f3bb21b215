// Statistics as the guidance counts them (domain.md §7; Hòa Bình 000 §VI): by model name the points (the active
// subjects of a lineage: the origin and every point of it) and their implementing teams, one row per name key
// (projections/names.hpp); models without security-and-order content and "Dân vận khéo" models apart, never in the
// totals, when the profile's statistics.apart lists the reason (Hòa Bình 000 §VI.2-3); ratings of an evaluation
// year by level and by unit; exemplars by stage; replications and announcements; Kon Tum's 50%-of-points rule.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ledger/ledger.hpp"
#include "projections/profile.hpp"
#include "projections/query.hpp"

namespace antq::projections {

struct Statistics {
  struct ByName {
    std::string name;         // the profile's standard name, else the variant most of its points use
    std::string key;          // the name key they share (projections/names.hpp)
    std::size_t points = 0;   // active subjects (origins and points) of models of this name
    std::int64_t teams = 0;   // their implementing teams
    std::map<std::string, std::size_t> variants;  // each name as the acts write it -> its points
  };
  struct Apart {
    std::string subject, name, reason;  // reason: no-security-content | dan-van-kheo
  };
  struct Replication {
    std::string origin, name;
    std::size_t points = 0, rated = 0, effective = 0;  // effective: rated Fair or better for `year`
    // The points the share is of: rated for `year`, or open at its end and eligible for a rating by then (Kon Tum
    // 002 §1.c: "từ 50% số điểm trở lên của mô hình", all the model's points, not only those rated).
    std::size_t counted = 0;
    std::optional<int> threshold_pct;                  // the profile's rule (Kon Tum: 50), when it has one
  };
  int year = 0;                                        // the evaluation year of `ratings`
  std::vector<ByName> models;                          // Movement models, by name (one row per name key)
  std::size_t points = 0;
  std::int64_t teams = 0;
  std::map<std::string, std::size_t> ratings;          // level -> subjects rated for `year`
  std::map<std::string, std::map<std::string, std::size_t>> ratings_by_unit;  // unit -> level -> subjects
  std::map<std::string, std::size_t> ratings_by_level; // authority level (commune, district...) -> subjects rated
  std::map<std::string, std::size_t> exemplars;        // building, recognized, ended (and surveying)
  std::vector<Apart> apart;
  std::size_t replications = 0, announcements = 0;     // models replicated, announced (model.replicated, .announced)
  std::vector<Replication> replication;
  // With a period: what happened in it, subjects counted once per kind (apart models never), by key:
  // models-established, points-established, models-recognized (spontaneous models), replicated, merged (models
  // absorbed), reorganized, terminated, announced, exemplars-recognized, exemplars-ended.
  std::map<std::string, std::size_t> in_period;
  // The old-to-new table (the 2025 reorganisation, unit.reorganised): each unit that had ceased by the as-of day
  // and the unit that took over (a split: one row per successor it names), in the order of their entries. Figures
  // by unit (ratings_by_unit) count a ceased unit's subjects under its successor.
  struct Succeeded {
    std::string unit, successor, effective, kind;
    std::uint64_t seq = 0;  // the unit.reorganised entry
  };
  std::vector<Succeeded> succeeded;
  // A merged province's predecessors (sealed parts, part_subjects): how many of the subjects counted are each part's,
  // by prefix (their ids PREFIX.<id>). Only in statistics of the whole ledger (no unit, no scope).
  std::map<std::string, std::size_t> parts;
};

// The old-to-new table as rows of section,key,value: ("succeeded", old unit, its successors joined by "; ") and
// ("succeeded-on", old unit, the effective day), one pair per unit that had ceased (none without reorganisations).
std::vector<std::array<std::string, 3>> succession_rows(const Statistics& s);

// Kon Tum's 50% rule for `origin`'s points in evaluation year `year` (002 §1.c), as statistics and audit count
// it: `points` its points, `rated` those rated for the year, `counted` those rated or open at the year's end
// (31 October) and eligible for a rating in time (the profile's eligibility_months since their founding by the day
// before its late-decision deadline), `effective` those rated Fair or better.
struct PointsOfYear {
  std::size_t points = 0, rated = 0, counted = 0, effective = 0;
};
PointsOfYear points_of_year(const std::vector<const SubjectState*>& points, int year, const Profile& profile);

// The days a report covers, both included (YYYY-MM-DD).
struct Period {
  std::string from, to;
};

// The keys of Statistics::in_period, in the order reports list them.
const std::vector<std::string>& period_keys();

// The statistics as of `at`, for evaluation year `year` (default: the latest year any subject was rated for), of
// the subjects founded by `unit` when given, and among them those `keep` keeps when given; with `period`, also what
// happened in it (acts dated in it that `at` includes). Without `keep`, the subjects of the sealed parts as of `at`
// count too (part_subjects: a merged province's predecessors), each set apart by its own part's profile.
Result<Statistics> statistics(const ledger::Ledger& ledger, const AsOf& at, std::optional<int> year,
                              const std::string& unit = "", const std::optional<Period>& period = std::nullopt,
                              const SubjectFilter& keep = {});

}  // namespace antq::projections
