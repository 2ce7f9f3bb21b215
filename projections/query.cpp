#include "projections/query.hpp"

#include <algorithm>
#include <span>

#include <fmt/format.h>

#include "projections/admission.hpp"

namespace antq::projections {
namespace {

// A stored state found by Ledger::state_around, parsed; nullopt when none was found.
Result<std::optional<SubjectState>> parse_state(const std::optional<std::pair<std::string, std::string>>& kv) {
  if (!kv) return std::optional<SubjectState>{};
  auto s = SubjectState::from_json(nlohmann::json::parse(kv->second, nullptr, false));
  if (!s) return corruption(i18n::Text("state {}: not a subject state (antq rebuild writes it again)", kv->first));
  return s;
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

bool SubjectReader::holds(const std::string& id) const {
  return ledger_.state_value(std::string(kSubjectPrefix) + id).has_value();
}

Result<ChainLink> SubjectReader::link(const std::string& id, std::uint64_t seq) const {
  auto bytes = ledger_.entry_bytes(seq);
  if (!bytes) return corruption(i18n::Text("{}: the state names entry {}, which the ledger does not have", id, seq));
  auto entry = ledger::decode_entry(*bytes);
  if (!entry) return corruption(i18n::Text("entry {}: {}", seq, text_of(entry.error())));
  auto act = ledger::decode_body(entry->event.body);
  if (!act) return corruption(i18n::Text("entry {}: {}", seq, text_of(act.error())));
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
    auto parsed = parse_state(around.at_or_before);
    if (!parsed) return parsed;
    std::optional<SubjectState> base = std::move(*parsed);
    // A snapshot holds every entry of its half-year: with an entry limit before the base's last, fold the chain.
    if (!at.seq || !base || base->entries.back() <= *at.seq) {
      // The base of the half-year ending that day holds every act dated by then. (Acts after another base may still
      // be dated by the day: a ledger written partly before snapshots lacks the snapshots of its older half-years.)
      if (around.at_or_before && around.at_or_before->first.substr(prefix.size()) == *at.date) return base;
      // The state at the end of the next half-year with acts: its snapshot, or the current state.
      auto next = around.after ? parse_state(around.after) : Result<std::optional<SubjectState>>(current(id));
      if (!next) return next;
      if (!*next) return base;
      const SubjectState& to = **next;
      if (to.last_date <= *at.date && (!at.seq || to.entries.back() <= *at.seq)) return next;
      // The acts after the base: dated after its half-year, up to the next one's end.
      const std::size_t done = base ? base->entries.size() : 0;
      if (to.entries.size() < done)
        return corruption(
            i18n::Text("state of {}: fewer entries than its snapshot {}", id, around.at_or_before->first));
      return fold_entries(id, std::move(base), std::span(to.entries).subspan(done), at);
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
  auto base = parse_state(ledger_.state_around(prefix, prefix + by).at_or_before);
  if (!base) return base;
  const std::size_t done = *base ? (*base)->entries.size() : 0;
  if (done > upto) return corruption(i18n::Text("state of {}: a snapshot holds entries after entry {}", id, *at.seq));
  return fold_entries(id, std::move(*base), std::span(seqs).subspan(done, upto - done), at, std::move(*last));
}

Result<std::optional<SubjectState>> SubjectReader::fold_entries(const std::string& id, std::optional<SubjectState> from,
                                                                std::span<const std::uint64_t> seqs, const AsOf& at,
                                                                std::optional<ChainLink> last) const {
  std::vector<ChainLink> links;
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    auto l = last && i + 1 == seqs.size() ? Result<ChainLink>(std::move(*last)) : link(id, seqs[i]);
    if (!l) return std::unexpected(l.error());
    if (!at.includes(l->entry.seq, l->act.date)) break;  // a prefix: dates never go backwards along a chain
    links.push_back(std::move(*l));
  }
  return fold(id, std::move(from), links, at);
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

std::optional<Sealing> sealed_as_of(const ledger::Ledger& ledger, const std::string& prefix, const AsOf& at) {
  const auto sealed = ledger.state_value("predecessors/" + prefix);
  const auto facts = sealed ? nlohmann::json::parse(*sealed, nullptr, false) : nlohmann::json();
  if (!facts.is_object() || !facts.contains("seq") || !facts["seq"].is_number_unsigned()) return std::nullopt;
  Sealing out{facts["seq"].get<std::uint64_t>(), facts.value("effective", "")};
  if (at.seq && *at.seq < out.seq) return std::nullopt;
  return out;
}

bool carried_as_of(const ledger::Ledger& ledger, const std::string& prefix, const std::string& id, const AsOf& at) {
  const auto carried = ledger.state_value("carried/" + prefix + "/" + id);
  const auto c = carried ? nlohmann::json::parse(*carried, nullptr, false) : nlohmann::json();
  return c.is_object() && at.includes(c.value("seq", std::uint64_t{0}), c.value("date", ""));
}

Result<std::vector<PartSubjects>> part_subjects(const ledger::Ledger& ledger, const AsOf& at) {
  std::vector<PartSubjects> out;
  for (const std::string& prefix : ledger.sealed_parts()) {
    if (!sealed_as_of(ledger, prefix, at)) continue;
    auto part = ledger.open_part(prefix);
    if (!part) return std::unexpected(part.error());
    auto every = SubjectReader(**part).all(AsOf{at.date, std::nullopt});
    if (!every) return std::unexpected(every.error());
    PartSubjects p{prefix, std::move(*part), {}};
    const std::string dot = prefix + ".";
    auto named = [&dot](std::string& id) {
      if (!id.empty()) id = dot + id;
    };
    for (auto& [id, s] : *every) {
      if (carried_as_of(ledger, prefix, id, at)) continue;
      named(s.id);
      named(s.point_of);
      named(s.merged_into);
      for (auto& x : s.points) named(x);
      for (auto& x : s.merged_from) named(x);
      p.states.emplace(s.id, std::move(s));
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace antq::projections
