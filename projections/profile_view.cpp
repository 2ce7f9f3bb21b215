#include "projections/profile_view.hpp"

#include <fmt/format.h>

namespace antq::projections {

namespace {

using nlohmann::json;

// YYYY-MM-DD -> DD/MM/YYYY, as Vietnamese documents write a date.
std::string vietnamese_date(const std::string& date) {
  if (date.size() != 10) return date;
  return fmt::format("{}/{}/{}", date.substr(8, 2), date.substr(5, 2), date.substr(0, 4));
}

json opt(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

std::string profile_basis(const Profile& p) {
  std::string out = fmt::format("“{}” ({}, {}, {})", p.title, p.source_issuer,
                                p.source_number ? "số " + *p.source_number : std::string("không số"),
                                p.source_date ? "ngày " + vietnamese_date(*p.source_date) : std::string("không ngày"));
  for (std::size_t i = 0; i < p.replaces.size(); ++i)
    out += (i == 0 ? "; thay thế " : ", ") + p.replaces[i].document;
  return out;
}

json profile_summary(const Profile& p) {
  json replaces = json::array();
  for (const auto& r : p.replaces) replaces.push_back({{"document", r.document}, {"transition", opt(r.transition)}});
  json on = json::array(), off = json::array();
  for (const auto& id : p.format == 1 ? format1_rule_ids() : rule_ids()) (p.applies(id) ? on : off).push_back(id);
  json criteria = json::array();
  for (const auto& [id, vi] : p.rating.criteria_text) {
    auto en = p.rating.criteria_en.find(id);
    criteria.push_back({{"id", id}, {"vi", vi}, {"en", en == p.rating.criteria_en.end() ? "" : en->second}});
  }
  json common = json::array();
  if (p.exemplar)
    for (const auto& c : p.exemplar->common_criteria)
      common.push_back({{"id", c.id}, {"vi", c.vi}, {"en", c.en}, {"evidence", opt(c.evidence)}});
  json raters = nullptr;  // null: the establishing unit rates (same-level)
  if (p.rating.raters) {
    raters = json::array();
    for (const auto& r : *p.rating.raters) raters.push_back({{"kind", r.kind}, {"level", r.level}});
  }
  // The profile's own retention schedule (a retention.schedule-adopted may replace it in a ledger).
  json retention = nullptr;
  if (p.retention)
    retention = {{"id", p.retention->id}, {"title", p.retention->title}, {"classes", p.retention->rows.size()}};
  return {{"id", p.id},
          {"format", p.format},
          {"title", p.title},
          {"source", {{"issuer", p.source_issuer}, {"number", opt(p.source_number)}, {"date", opt(p.source_date)},
                      {"file", p.source_file}}},
          {"replaces", std::move(replaces)},
          {"basis", profile_basis(p)},
          {"rules", {{"on", std::move(on)}, {"off", std::move(off)}}},
          {"rating_basis", p.rating.basis},
          {"raters", std::move(raters)},
          {"criteria", std::move(criteria)},
          {"common_criteria", std::move(common)},
          {"retention", std::move(retention)}};
}

}  // namespace antq::projections
