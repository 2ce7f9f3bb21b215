#include "projections/query.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "projections/admission.hpp"

namespace antq::projections {
namespace {

constexpr std::string_view kSubjectPrefix = "subject/";

Result<std::optional<SubjectState>> parse_snapshot(std::string_view key, std::string_view text) {
  auto s = SubjectState::from_json(nlohmann::json::parse(text, nullptr, false));
  if (!s) return corruption(fmt::format("state {}: not a subject state (antq rebuild writes it again)", key));
  return s;
}

Result<std::optional<SubjectState>> parse_snapshot(const std::pair<std::string, std::string>& kv) {
  return parse_snapshot(kv.first, kv.second);
}

}  // namespace

std::vector<std::string> subject_ids(const ledger::Ledger& ledger) {
  std::vector<std::string> out;
  ledger.for_each_state(kSubjectPrefix, [&](std::string_view key, std::string_view) {
    out.emplace_back(key.substr(kSubjectPrefix.size()));
  });
  return out;
}

std::optional<SubjectState> SubjectReader::current(const std::string& id) const {
  return subject_state(LedgerState(ledger_), id);
}

Result<ChainLink> SubjectReader::link(const std::string& id, std::uint64_t seq) const {
  auto bytes = ledger_.entry_bytes(seq);
  if (!bytes) return corruption(fmt::format("{}: the state names entry {}, which the ledger does not have", id, seq));
  auto entry = ledger::decode_entry(*bytes);
  if (!entry) return corruption(fmt::format("entry {}: {}", seq, entry.error().message));
  auto act = ledger::decode_body(entry->event.body);
  if (!act) return corruption(fmt::format("entry {}: {}", seq, act.error().message));
  return ChainLink{std::move(*entry), std::move(*act)};
}

Result<std::vector<ChainLink>> SubjectReader::chain(const std::string& id) const {
  std::vector<ChainLink> out;
  auto s = current(id);
  if (!s) return out;
  for (std::uint64_t seq : s->entries) {
    auto l = link(id, seq);
    if (!l) return std::unexpected(l.error());
    out.push_back(std::move(*l));
  }
  return out;
}

std::vector<std::string> SubjectReader::points_begun(const std::string& origin, const AsOf& at) const {
  std::vector<std::string> out;
  auto o = current(origin);
  if (!o) return out;
  for (const auto& p : o->points) {
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
  auto s = unlisted(id, at);
  if (s && *s && (*s)->kind == "model") (*s)->points = points_begun(id, at);
  return s;
}

Result<std::optional<SubjectState>> SubjectReader::replayed(const std::string& id, const AsOf& at) const {
  auto links = chain(id);
  if (!links) return std::unexpected(links.error());
  auto s = fold(id, std::nullopt, *links, at);
  if (s && *s && (*s)->kind == "model") (*s)->points = points_begun(id, at);
  return s;
}

Result<std::optional<SubjectState>> SubjectReader::unlisted(const std::string& id, const AsOf& at) const {
  if (!at.date && !at.seq) return current(id);
  if (at.date) {
    const std::string prefix = snapshot_prefix(id);
    const auto around = ledger_.state_around(prefix, prefix + *at.date);
    std::optional<SubjectState> base;
    if (around.at_or_before) {
      auto s = parse_snapshot(*around.at_or_before);
      if (!s) return s;
      base = std::move(*s);
    }
    // A snapshot holds every entry of its half-year: with an entry limit before the base's last, fold the chain.
    if (!at.seq || !base || base->entries.back() <= *at.seq) {
      // The base of the half-year ending that day holds every act dated by then. (Acts after another base may still
      // be dated by the day: a ledger written partly before snapshots lacks the snapshots of its older half-years.)
      if (around.at_or_before && around.at_or_before->first.substr(prefix.size()) == *at.date) return base;
      // The state at the end of the next half-year with acts: its snapshot, or the current state.
      std::optional<SubjectState> next;
      if (around.after) {
        auto s = parse_snapshot(*around.after);
        if (!s) return s;
        next = std::move(*s);
      } else {
        next = current(id);
      }
      if (!next) return base;
      if (next->last_date <= *at.date && (!at.seq || next->entries.back() <= *at.seq)) return next;
      // `at` includes a prefix of the acts after the base: dated after its half-year, up to the next one's end.
      const std::size_t done = base ? base->entries.size() : 0;
      if (next->entries.size() < done)
        return corruption(fmt::format("state of {}: fewer entries than its snapshot {}", id, around.at_or_before->first));
      std::vector<ChainLink> links;
      for (std::size_t i = done; i < next->entries.size(); ++i) {
        auto l = link(id, next->entries[i]);
        if (!l) return std::unexpected(l.error());
        if (!at.includes(l->entry.seq, l->act.date)) break;
        links.push_back(std::move(*l));
      }
      return fold(id, std::move(base), links, at);
    }
  }
  return before_entry(id, at);
}

Result<std::optional<SubjectState>> SubjectReader::before_entry(const std::string& id, const AsOf& at) const {
  auto now = current(id);
  if (!now) return now;
  if (!at.date && now->entries.back() <= *at.seq) return now;
  const auto& seqs = now->entries;
  const std::size_t upto = static_cast<std::size_t>(std::upper_bound(seqs.begin(), seqs.end(), *at.seq) - seqs.begin());
  if (upto == 0) return std::optional<SubjectState>{};
  // The last entry of the chain within the limit is dated in some half-year; the snapshots of the half-years before
  // it hold no later entry (dates never go backwards along a chain), and the latest of them (ended by the date) is
  // the base. Its own half-year's snapshot may hold later entries.
  auto last = link(id, seqs[upto - 1]);
  if (!last) return std::unexpected(last.error());
  std::string by = previous_period_end(snapshot_period_end(last->act.date));
  if (at.date && *at.date < by) by = *at.date;
  const std::string prefix = snapshot_prefix(id);
  std::optional<SubjectState> base;
  if (auto around = ledger_.state_around(prefix, prefix + by); around.at_or_before) {
    auto s = parse_snapshot(*around.at_or_before);
    if (!s) return s;
    base = std::move(*s);
  }
  std::vector<ChainLink> links;
  for (std::size_t i = base ? base->entries.size() : 0; i < upto; ++i) {
    auto l = i + 1 == upto ? std::move(last) : link(id, seqs[i]);
    if (!l) return std::unexpected(l.error());
    if (!at.includes(l->entry.seq, l->act.date)) break;
    links.push_back(std::move(*l));
  }
  return fold(id, std::move(base), links, at);
}

Result<std::map<std::string, SubjectState>> SubjectReader::all(const AsOf& at) const {
  std::map<std::string, SubjectState> out;
  for (const auto& id : subject_ids(ledger_)) {
    auto s = unlisted(id, at);
    if (!s) return std::unexpected(s.error());
    if (*s) out.emplace(id, std::move(**s));
  }
  if (!at.date && !at.seq) return out;
  // A model's points as of `at`: those of its list that had begun, which are those with a state then.
  for (auto& [id, s] : out) {
    if (s.kind != "model") continue;
    s.points.clear();
    if (auto now = current(id))
      for (auto& p : now->points)
        if (out.contains(p)) s.points.push_back(std::move(p));
  }
  return out;
}

Result<SubjectReader::WithActs> SubjectReader::state_with_acts(const std::string& id, const AsOf& at) const {
  auto links = chain(id);
  if (!links) return std::unexpected(links.error());
  WithActs out;
  if (!at.date && !at.seq) out.state = current(id);
  else {
    auto s = fold(id, std::nullopt, *links, at);
    if (!s) return std::unexpected(s.error());
    out.state = std::move(*s);
    if (out.state && out.state->kind == "model") out.state->points = points_begun(id, at);
  }
  for (auto& l : *links)
    if (at.includes(l.entry.seq, l.act.date) && l.act.subject == id) out.acts.push_back(std::move(l));
  return out;
}

Result<std::optional<SubjectState>> SubjectReader::fold(const std::string& id, std::optional<SubjectState> s,
                                                        const std::vector<ChainLink>& links, const AsOf& at) const {
  // Dates only move forward along a chain (rule `order`; last_date otherwise), so what `at` includes is a prefix.
  for (const ChainLink& l : links) {
    if (!at.includes(l.entry.seq, l.act.date)) break;
    if (l.act.subject != id) {  // the merge into another subject that closed this one
      if (s) s = merged_into(std::move(*s), l.act.subject, l.act.date, l.entry.seq);
      continue;
    }
    std::vector<SubjectState> absorbed;
    if (l.act.act == "model.merged") {
      for (const auto& from : l.act.data.value("from", nlohmann::json::array())) {
        auto a = unlisted(from.get<std::string>(), AsOf{std::nullopt, l.entry.seq - 1});
        if (!a) return std::unexpected(a.error());
        if (*a) absorbed.push_back(std::move(**a));
      }
    }
    s = apply_act(std::move(s), l.act, l.entry.seq, absorbed);
  }
  return s;
}

}  // namespace antq::projections
