#include "projections/query.hpp"

#include <fmt/format.h>

#include "projections/admission.hpp"

namespace antq::projections {

std::optional<SubjectState> SubjectReader::current(const std::string& id) const {
  return subject_state(LedgerState(ledger_), id);
}

Result<std::vector<ChainLink>> SubjectReader::chain(const std::string& id) const {
  std::vector<ChainLink> out;
  auto s = current(id);
  if (!s) return out;
  for (std::uint64_t seq : s->entries) {
    auto bytes = ledger_.entry_bytes(seq);
    if (!bytes) return corruption(fmt::format("{}: the state names entry {}, which the ledger does not have", id, seq));
    auto entry = ledger::decode_entry(*bytes);
    if (!entry) return corruption(fmt::format("entry {}: {}", seq, entry.error().message));
    auto act = ledger::decode_body(entry->event.body);
    if (!act) return corruption(fmt::format("entry {}: {}", seq, act.error().message));
    out.push_back({std::move(*entry), std::move(*act)});
  }
  return out;
}

std::vector<std::string> SubjectReader::points_begun(const SubjectState& origin, const AsOf& at) const {
  std::vector<std::string> out;
  for (const auto& p : origin.points) {
    auto point = current(p);
    if (!point || point->entries.empty()) continue;
    const std::uint64_t first = point->entries.front();
    for (const auto& [kind, ref] : point->acts)
      if (ref.seq == first && at.includes(first, ref.date)) out.push_back(p);
  }
  return out;
}

Result<std::optional<SubjectState>> SubjectReader::state(const std::string& id, const AsOf& at) const {
  if (!at.date && !at.seq) return current(id);
  auto links = chain(id);
  if (!links) return std::unexpected(links.error());
  return fold(id, *links, at);
}

Result<SubjectReader::WithActs> SubjectReader::state_with_acts(const std::string& id, const AsOf& at) const {
  auto links = chain(id);
  if (!links) return std::unexpected(links.error());
  WithActs out;
  if (!at.date && !at.seq) out.state = current(id);
  else {
    auto s = fold(id, *links, at);
    if (!s) return std::unexpected(s.error());
    out.state = std::move(*s);
  }
  for (auto& l : *links)
    if (at.includes(l.entry.seq, l.act.date) && l.act.subject == id) out.acts.push_back(std::move(l));
  return out;
}

Result<std::optional<SubjectState>> SubjectReader::fold(const std::string& id, const std::vector<ChainLink>& links,
                                                        const AsOf& at) const {
  std::optional<SubjectState> s;
  // Dates only move forward along a chain (rule `order`), so what `at` includes is a prefix.
  for (const ChainLink& l : links) {
    if (!at.includes(l.entry.seq, l.act.date)) break;
    if (l.act.subject != id) {  // the merge into another subject that closed this one
      if (s) s = merged_into(std::move(*s), l.act.subject, l.act.date, l.entry.seq);
      continue;
    }
    std::vector<SubjectState> absorbed;
    if (l.act.act == "model.merged") {
      for (const auto& from : l.act.data.value("from", nlohmann::json::array())) {
        auto a = state(from.get<std::string>(), AsOf{std::nullopt, l.entry.seq - 1});
        if (!a) return std::unexpected(a.error());
        if (*a) absorbed.push_back(std::move(**a));
      }
    }
    s = apply_act(std::move(s), l.act, l.entry.seq, absorbed);
  }
  // A model's points are no acts of its chain: those that had begun by then.
  if (s) s->points = points_begun(*current(id), at);
  return s;
}

}  // namespace antq::projections
