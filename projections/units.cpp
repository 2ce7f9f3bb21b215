#include "projections/units.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "projections/admission.hpp"
#include "projections/names.hpp"
#include "signing/digest.hpp"

namespace antq::projections {

std::string unit_key(std::string_view name) { return fold_text(name); }

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t next = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = row[j];
      row[j] = next;
    }
  }
  return row[b.size()];
}

namespace {

using nlohmann::json;

json unit_json(const Unit& u) {
  json j = {{"name", u.name}, {"level", u.level}, {"kind", u.kind},   {"parent", u.parent},
            {"from", u.from}, {"aliases", u.aliases}, {"seq", u.seq}, {"date", u.date}};
  if (!u.safety_recognizer.empty()) j["safety_recognizer"] = u.safety_recognizer;
  return j;
}

// Rank of a level in the chain commune < district < province < ministry; 0 for agency (it may sit anywhere).
int rank_of(std::string_view level) {
  if (level == "commune") return 1;
  if (level == "district") return 2;
  if (level == "province") return 3;
  if (level == "ministry") return 4;
  return 0;
}

std::string nearest(const std::vector<Unit>& units, const std::string& key) {
  std::vector<std::pair<std::size_t, std::string>> d;
  for (const Unit& u : units) d.emplace_back(edit_distance(unit_key(u.name), key), u.name);
  std::sort(d.begin(), d.end());
  std::string out;
  for (std::size_t i = 0; i < d.size() && i < 3; ++i) out += (i ? ", " : "") + d[i].second;
  return out.empty() ? "the registry holds no unit yet" : "nearest: " + out;
}

}  // namespace

namespace {

std::string seq_text(std::uint64_t seq) { return fmt::format("{:020}", seq); }

// The index key of a name's unit_key `key` under `prefix`: its SHA-256, so that a key never exceeds LMDB's limit.
std::string index_key(std::string_view prefix, std::string_view key) {
  return std::string(prefix) + to_hex(sha256(ByteView(reinterpret_cast<const std::uint8_t*>(key.data()), key.size())));
}

std::optional<Unit> unit_of_json(const json& j) {
  if (!j.is_object()) return std::nullopt;  // written only by register_unit; verify compares the state with its replay
  Unit u{j.value("name", ""), j.value("level", ""), j.value("kind", ""), j.value("parent", ""),
         j.value("from", ""), {}, j.value("seq", std::uint64_t{0}), j.value("date", ""),
         j.value("safety_recognizer", "")};
  if (j.contains("aliases") && j["aliases"].is_array())
    for (const auto& a : j["aliases"])
      if (a.is_string()) u.aliases.push_back(a.get<std::string>());
  return u;
}

// The registered unit one of whose names has unit_key `key`: two reads of the index, whatever the registry's size.
std::optional<Unit> unit_named(const ledger::StateStore& state, const std::string& key) {
  const auto seq = state.get(index_key(kUnitNamesPrefix, key));
  const auto text = seq ? state.get(std::string(kUnitsPrefix) + *seq) : std::nullopt;
  return text ? unit_of_json(json::parse(*text, nullptr, false)) : std::nullopt;
}

}  // namespace

std::vector<Unit> registered_units(const ledger::StateStore& state) {
  std::vector<Unit> out;
  state.for_each(kUnitsPrefix, [&](std::string_view, std::string_view value) {
    if (auto u = unit_of_json(json::parse(value, nullptr, false))) out.push_back(std::move(*u));
  });
  return out;
}

Status register_unit(const ledger::Act& act, std::uint64_t seq, const std::string& version,
                     ledger::StateStore& state) {
  const json& d = act.data;
  Unit u{d.value("name", ""), d.value("level", ""), d.value("kind", ""), "", d.value("from", ""), {}, seq, act.date, ""};
  if (d.contains("aliases"))
    for (const auto& a : d["aliases"]) u.aliases.push_back(a.get<std::string>());
  const std::string what = fmt::format("unit.registered \"{}\"", u.name);
  // Names: the unit's own and its aliases, each a key no other unit has, nor another of its own names.
  std::vector<std::string> names{u.name};
  names.insert(names.end(), u.aliases.begin(), u.aliases.end());
  std::map<std::string, std::string> own;
  for (const auto& n : names) {
    const std::string key = unit_key(n);
    if (key.empty()) return refused("unit", i18n::Text("{}: a name of only white space", what));
    if (auto [it, fresh] = own.emplace(key, n); !fresh)
      return refused("unit", i18n::Text("{}: \"{}\" and \"{}\" are the same name once folded (NFC, case, white "
                                        "space): give each name once",
                                        what, it->second, n));
    if (const auto other = unit_named(state, key))
      return refused("unit", i18n::Text("{}: \"{}\" is, once folded (NFC, case, white space), a name of \"{}\", "
                                        "registered by entry {}: a name stands for one unit",
                                        what, n, other->name, other->seq));
  }
  if (d.contains("parent")) {
    const std::string typed = d["parent"].get<std::string>();
    const std::string key = unit_key(typed);
    if (own.contains(key))
      return refused("unit",
                     i18n::Text("{}: its parent \"{}\" is the unit itself: a unit is not above itself", what, typed));
    const auto parent = unit_named(state, key);
    if (!parent)
      return refused("unit", i18n::Text("{}: its parent \"{}\" is not a registered unit (register it first; {})", what,
                                        typed, nearest(registered_units(state), key)));
    if (parent->from > u.from)
      return refused("unit", i18n::Text("{}: from {}, under \"{}\", which is in the registry only from {} (entry {})",
                                        what, u.from, parent->name, parent->from, parent->seq));
    const int mine = rank_of(u.level), above = rank_of(parent->level);
    if (mine != 0 && above != 0 && above < mine)
      return refused("unit", i18n::Text("{} ({}): its parent \"{}\" is of level {}, below {}", what, u.level,
                                        parent->name, parent->level, u.level));
    u.parent = parent->name;
  }
  // Circular 124/2021/TT-BCA: an agency, enterprise or school, and the registered unit recognising its safety.
  const bool tt124 = d.value("tt124", false);
  if (d.contains("safety_recognizer") && !tt124)
    return refused("unit", i18n::Text("{}: a safety_recognizer without tt124: true (the unit recognising the \"An "
                                      "toàn về an ninh, trật tự\" of a unit under Circular 124/2021/TT-BCA)",
                                      what));
  if (tt124) {
    if (u.kind != "agency" && u.kind != "enterprise" && u.kind != "school")
      return refused("unit", i18n::Text("{} ({}): Circular 124/2021/TT-BCA covers agencies, enterprises and schools "
                                        "(Hòa Bình 000 §III.2.3), not a {}",
                                        what, u.kind, u.kind));
    if (!d.contains("safety_recognizer"))
      return refused("unit", i18n::Text("{}: tt124 names no safety_recognizer, the registered unit that recognises "
                                        "its \"An toàn về an ninh, trật tự\" and rates its models",
                                        what));
    const std::string typed = d["safety_recognizer"].get<std::string>();
    const std::string key = unit_key(typed);
    if (own.contains(key)) return refused("unit", i18n::Text("{}: its safety_recognizer is the unit itself", what));
    const auto recognizer = unit_named(state, key);
    if (!recognizer || recognizer->from > u.from)
      return refused("unit", i18n::Text("{}: its safety_recognizer \"{}\" is not a registered unit from {} ({})", what,
                                        typed, u.from, nearest(registered_units(state), key)));
    u.safety_recognizer = recognizer->name;
  }
  state.put(std::string(kUnitsPrefix) + seq_text(seq), unit_json(u).dump());
  for (const auto& [key, name] : own) state.put(index_key(kUnitNamesPrefix, key), seq_text(seq));
  if (!u.safety_recognizer.empty()) state.put(kUnitsTt124Key, std::string_view("true"));
  state.put(kUnitsVersionKey, version);
  return {};
}

const UnitTree& RegistryCache::tree(const ledger::StateStore& state, const std::string& date) {
  const auto units = state.get(kUnitsVersionKey), reorganised = state.get(kReorganisationsVersionKey);
  if (units != units_version_ || reorganised != reorganisations_version_) {
    if (units != units_version_) {
      units_ = registered_units(state);
      keys_ = UnitTree::keys_of_each(units_);
    }
    if (reorganised != reorganisations_version_) reorganisations_ = reorganisations(state);
    units_version_ = units;
    reorganisations_version_ = reorganised;
    trees_.clear();
    dates_.clear();
  }
  if (auto it = trees_.find(date); it != trees_.end()) return it->second;
  if (dates_.size() >= kTrees) {
    trees_.erase(dates_.front());
    dates_.erase(dates_.begin());
  }
  dates_.push_back(date);
  return trees_.emplace(date, UnitTree(units_, keys_, reorganisations_, date)).first->second;
}

bool RegistryOn::any_tt124() {
  if (!tt124_) tt124_ = state_.get(kUnitsTt124Key).has_value();
  return *tt124_;
}

bool RegistryOn::any_reorganisation() {
  if (!reorganised_) reorganised_ = state_.get(kReorganisationsVersionKey).has_value();
  return *reorganised_;
}

const UnitTree& RegistryOn::tree() {
  if (cache_) {
    if (!cached_) cached_ = &cache_->tree(state_, date_);
    return *cached_;
  }
  if (!tree_)
    tree_.emplace(registered_units(state_),
                  any_reorganisation() ? reorganisations(state_) : std::vector<Reorganisation>{}, date_);
  return *tree_;
}

namespace {

json reorganisation_json(const Reorganisation& r) {
  json subjects = json::object();
  for (const auto& [id, unit] : r.subjects) subjects[id] = unit;
  return {{"seq", r.seq},   {"date", r.date},           {"effective", r.effective},       {"kind", r.kind},
          {"units", r.units}, {"successor", r.successor}, {"subjects", std::move(subjects)}};
}

}  // namespace

namespace {

std::optional<Reorganisation> reorganisation_of_json(const json& j) {
  // Written only by reorganise_units; verify compares the state with its replay.
  if (!j.is_object()) return std::nullopt;
  Reorganisation r{j.value("seq", std::uint64_t{0}), j.value("date", ""), j.value("effective", ""),
                   j.value("kind", ""), {}, j.value("successor", ""), {}};
  if (j.contains("units") && j["units"].is_array())
    for (const auto& u : j["units"])
      if (u.is_string()) r.units.push_back(u.get<std::string>());
  if (j.contains("subjects") && j["subjects"].is_object())
    for (const auto& [id, u] : j["subjects"].items())
      if (u.is_string()) r.subjects.emplace(id, u.get<std::string>());
  return r;
}

}  // namespace

std::vector<Reorganisation> reorganisations(const ledger::StateStore& state) {
  std::vector<Reorganisation> out;
  state.for_each(kReorganisationsPrefix, [&](std::string_view, std::string_view value) {
    if (auto r = reorganisation_of_json(json::parse(value, nullptr, false))) out.push_back(std::move(*r));
  });
  return out;
}

std::optional<Reorganisation> ceased_by(const ledger::StateStore& state, std::string_view unit,
                                        const std::string& date) {
  if (!state.get(kReorganisationsVersionKey)) return std::nullopt;
  const std::string key = unit_key(unit);
  const auto u = unit_named(state, key);
  const auto at = state.get(index_key(kCeasedPrefix, u ? unit_key(u->name) : key));
  const auto text = at ? state.get(std::string(kReorganisationsPrefix) + *at) : std::nullopt;
  auto r = text ? reorganisation_of_json(json::parse(*text, nullptr, false)) : std::nullopt;
  if (r && !date.empty() && r->effective > date) return std::nullopt;
  return r;
}

Status reorganise_units(const ledger::Act& act, std::uint64_t seq, const std::string& version,
                        ledger::StateStore& state) {
  const json& d = act.data;
  Reorganisation r{seq, act.date, d.value("effective", ""), d.value("kind", ""), {}, "", {}};
  const std::string what = fmt::format("unit.reorganised ({}, effective {})", r.kind, r.effective);
  auto fail = [&](const std::string& why) { return refused("unit", i18n::Text("{}: {}", what, why)); };
  // A registered unit in the hierarchy by `effective` (read through the name index).
  auto registered = [&](const std::string& field, const std::string& typed) -> Result<Unit> {
    const std::string key = unit_key(typed);
    const auto u = unit_named(state, key);
    if (!u)
      return fail(fmt::format("{} \"{}\" is not a registered unit (register it with unit.registered first; {})",
                              field, typed, nearest(registered_units(state), key)));
    if (u->from > r.effective)
      return fail(fmt::format("{} \"{}\" is in the registry only from {} (entry {}), after {}", field, u->name, u->from,
                              u->seq, r.effective));
    return *u;
  };
  if (d.contains("units")) {
    const json& list = d["units"];
    if (list.empty()) return fail("data.units names no unit: name the units that cease");
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto u = registered("data.units[" + std::to_string(i) + "]", list[i].get<std::string>());
      if (!u) return std::unexpected(u.error());
      if (std::find(r.units.begin(), r.units.end(), u->name) != r.units.end())
        return fail(fmt::format("data.units names \"{}\" twice", u->name));
      if (const auto x = ceased_by(state, u->name, ""))
        return fail(fmt::format("\"{}\" was already succeeded by \"{}\" from {} (entry {}): a unit ceases once",
                                u->name, x->successor, x->effective, x->seq));
      r.units.push_back(u->name);
    }
  }
  auto successor_ok = [&](const std::string& field, const std::string& typed) -> Result<std::string> {
    auto u = registered(field, typed);
    if (!u) return std::unexpected(u.error());
    if (std::find(r.units.begin(), r.units.end(), u->name) != r.units.end())
      return fail(fmt::format("{} \"{}\" is among the units that cease: a unit does not succeed itself", field,
                              u->name));
    if (const auto x = ceased_by(state, u->name, r.effective))
      return fail(fmt::format("{} \"{}\" had itself ceased on {} (entry {}; its successor is \"{}\")", field,
                              u->name, x->effective, x->seq, x->successor));
    return u->name;
  };
  auto successor = successor_ok("data.successor", d.value("successor", ""));
  if (!successor) return std::unexpected(successor.error());
  r.successor = *successor;
  if (r.kind != "split") {
    if (d.contains("subjects"))
      return fail("data.subjects: only a split names a successor per subject (a merger or an abolished unit passes "
                  "everything to data.successor)");
  } else {
    if (r.units.size() != 1)
      return fail(fmt::format("a split divides one unit; data.units names {}", r.units.size()));
    if (!d.contains("subjects"))
      return fail(fmt::format("a split names the successor of each open subject \"{}\" founded (data.subjects, "
                              "subject id -> unit)", r.units.front()));
    // Competence as it stands the day before: what the split unit holds, through earlier successions.
    const UnitTree tree(registered_units(state), reorganisations(state), "");
    const std::string& split = r.units.front();
    auto held = [&](const SubjectState& s) {
      return s.is_founded() && !s.closed() && unit_key(tree.competent(s.authority.unit, s.id)) == unit_key(split);
    };
    for (const auto& [id, typed] : d["subjects"].items()) {
      auto s = subject_state(state, id);
      if (!s) return fail(fmt::format("data.subjects names {}, which is not a subject of the ledger", id));
      if (!held(*s))
        return fail(fmt::format("data.subjects names {}, which is not an open subject founded by \"{}\" ({} by {}, "
                                "stage {})", id, split, s->is_founded() ? "founded" : "never founded",
                                s->authority.unit, s->stage));
      auto to = successor_ok("data.subjects." + id, typed.get<std::string>());
      if (!to) return std::unexpected(to.error());
      r.subjects.emplace(id, *to);
    }
    std::vector<std::string> unnamed;
    state.for_each("subject/", [&](std::string_view key, std::string_view) {
      const std::string id(key.substr(std::string_view("subject/").size()));
      if (r.subjects.contains(id)) return;
      if (auto s = subject_state(state, id); s && held(*s)) unnamed.push_back(id);
    });
    if (!unnamed.empty()) {
      std::string shown;
      for (std::size_t i = 0; i < unnamed.size() && i < 5; ++i) shown += (i ? ", " : "") + unnamed[i];
      if (unnamed.size() > 5) shown += fmt::format(" and {} more", unnamed.size() - 5);
      return fail(fmt::format("the split leaves open subjects of \"{}\" without a successor: {} (name each in "
                              "data.subjects)", split, shown));
    }
  }
  state.put(std::string(kReorganisationsPrefix) + seq_text(seq), reorganisation_json(r).dump());
  for (const auto& name : r.units) state.put(index_key(kCeasedPrefix, unit_key(name)), seq_text(seq));
  state.put(kReorganisationsVersionKey, version);
  return {};
}

Result<bool> circular_124_rater(const Profile& profile, const ledger::Act& act, const SubjectState& model,
                                RegistryOn& registry) {
  if (!profile.circular_124.applies || !profile.applies("same-level") || act.act != "model.rated" ||
      !model.is_founded() || !registry.any_tt124())
    return false;
  const UnitTree& tree = registry.tree();
  const Unit* founder = tree.find(model.authority.unit);
  if (!founder || founder->safety_recognizer.empty()) return false;
  const Unit* rater = tree.find(act.authority.unit);
  // The recognizer, or (after a reorganisation) the unit that took over its competence.
  const Unit* recognizer = tree.find(tree.competent(founder->safety_recognizer));
  if (rater != nullptr && rater == recognizer) return true;
  return refused(
      "same-level",
      i18n::Text("{} of {} dated {} is decided by {} ({}), but {} was founded by {} ({}), under Circular "
                 "124/2021/TT-BCA: its models are rated by {}, which recognises its \"An toàn về an ninh, "
                 "trật tự\" ({})",
                 act.act, act.subject, act.date, act.authority.unit, act.authority.level, act.subject, founder->name,
                 founder->kind, recognizer ? recognizer->name : founder->safety_recognizer, profile.circular_124.cite));
}

UnitTree::UnitTree(std::vector<Unit> units, std::vector<Reorganisation> reorganisations, const std::string& date,
                   std::optional<std::uint64_t> at)
    : UnitTree(units, keys_of_each(units), reorganisations, date, at) {}

UnitTree::UnitTree(const std::vector<Unit>& units, const std::vector<std::vector<std::string>>& keys,
                   const std::vector<Reorganisation>& reorganisations, const std::string& date,
                   std::optional<std::uint64_t> at) {
  std::vector<std::vector<std::string>> kept;
  for (std::size_t i = 0; i < units.size(); ++i)
    if ((date.empty() || units[i].from <= date) && (!at || units[i].seq <= *at)) {
      units_.push_back(units[i]);
      kept.push_back(keys[i]);
    }
  for (const auto& r : reorganisations)
    if ((date.empty() || r.effective <= date) && (!at || r.seq <= *at)) reorganisations_.push_back(r);
  index(kept);
}

std::vector<std::vector<std::string>> UnitTree::keys_of_each(const std::vector<Unit>& units) {
  std::vector<std::vector<std::string>> keys;
  for (const Unit& u : units) keys.push_back(keys_of(u));
  return keys;
}

std::vector<std::string> UnitTree::keys_of(const Unit& u) {
  std::vector<std::string> keys{unit_key(u.name)};
  for (const auto& a : u.aliases) keys.push_back(unit_key(a));
  return keys;
}

void UnitTree::index(const std::vector<std::vector<std::string>>& keys) {
  for (std::size_t i = 0; i < units_.size(); ++i) {
    for (const auto& k : keys[i]) keys_.emplace(k, i);
    primary_.push_back(keys[i].front());
  }
  // Each ceased unit (the registered names a unit.reorganised wrote), by key: the first reorganisation naming it.
  for (std::size_t r = 0; r < reorganisations_.size(); ++r)
    for (const auto& name : reorganisations_[r].units) ceased_.emplace(unit_key(name), r);
}

const Unit& rater_area(const UnitTree& tree, const Unit& rater) {
  const Unit* area = &rater;
  // The registry refuses cycles; the bound guards a damaged state all the same.
  for (std::size_t steps = 0; steps <= tree.units().size(); ++steps) {
    const Unit* up = tree.parent(*area);
    if (up == nullptr || up->level != rater.level) break;
    area = up;
  }
  return *area;
}

Status check_rater(const Profile& profile, const ledger::Act& act, const SubjectState& model, RegistryOn& registry) {
  if (!profile.applies("rater") || !profile.rating.raters || act.act != "model.rated" || !model.is_founded())
    return {};
  const std::vector<Rater>& raters = *profile.rating.raters;
  // "a police unit of level province, a steering-committee of level district or a steering-committee of level
  // commune, each for the models of its area (004 §III.2)"
  std::string reviewers, sections;
  for (std::size_t i = 0; i < raters.size(); ++i) {
    reviewers += fmt::format("{}{} of level {}", i == 0 ? "" : i + 1 == raters.size() ? " or " : ", ",
                             raters[i].kind == "police" ? "a police unit" : "a " + raters[i].kind, raters[i].level);
    const std::string section = raters[i].cite.substr(0, raters[i].cite.find(" ("));
    if (sections.find(section) == std::string::npos) sections += (sections.empty() ? "" : ", ") + section;
  }
  const std::string under = fmt::format("under {} the reviewers are {}, each for the models of its area ({})",
                                        profile.id, reviewers, sections);
  const std::string what = fmt::format("{} of {} dated {} is decided by {}", act.act, act.subject, act.date,
                                       act.authority.unit);
  const UnitTree& tree = registry.tree();
  const Unit* rater = tree.find(act.authority.unit);
  if (rater == nullptr)
    return refused("rater", i18n::Text("{} ({}), which the unit registry does not hold on {}; {}: if it is one of "
                                       "them, an administrator registers it first (unit.registered with its kind "
                                       "and level, under the unit of its area)",
                                       what, act.authority.level, act.date, under));
  const bool listed = std::any_of(raters.begin(), raters.end(), [&](const Rater& r) {
    return r.kind == rater->kind && r.level == rater->level;
  });
  if (!listed) return refused("rater", i18n::Text("{} ({}, {}); {}", what, rater->kind, rater->level, under));
  const Unit& area = rater_area(tree, *rater);
  if (!tree.covers(area.name, model.authority.unit))
    return refused("rater", i18n::Text("{} ({}, {}), whose area is {}; {} was founded by {} ({}), which the registry "
                                       "on {} does not hold under {}: {}",
                                       what, rater->kind, rater->level, area.name, act.subject, model.authority.unit,
                                       model.authority.level, act.date, area.name, under));
  return {};
}

UnitTree::UnitTree(std::vector<Unit> units, const std::string& date, std::optional<std::uint64_t> at)
    : UnitTree(std::move(units), {}, date, at) {}

const Unit* UnitTree::by_key(const std::string& key) const {
  auto it = keys_.find(key);
  return it == keys_.end() ? nullptr : &units_[it->second];
}

const Unit* UnitTree::find(std::string_view name) const { return by_key(unit_key(name)); }

const Unit* UnitTree::parent(const Unit& u) const {
  const Unit* p = u.parent.empty() ? nullptr : find(u.parent);
  // Under a unit that had ceased by the tree's date: under the unit it merged into, else (a level abolished, a
  // split) under the ceased unit's own parent — the communes of an abolished district are the province's. Each step
  // leaves a ceased unit; the bound guards a damaged state.
  for (std::size_t steps = 0; p != nullptr && steps <= units_.size(); ++steps) {
    const Reorganisation* r = ceased(p->name);
    if (r == nullptr) break;
    const Unit* into = r->kind == "merger" ? find(r->successor) : nullptr;
    p = into != nullptr && into != &u ? into : p->parent.empty() ? nullptr : find(p->parent);
  }
  return p;
}

const Reorganisation* UnitTree::ceased(std::string_view unit) const {
  if (ceased_.empty()) return nullptr;
  const std::string key = unit_key(unit);
  const Unit* u = by_key(key);
  auto it = ceased_.find(u ? primary_[static_cast<std::size_t>(u - units_.data())] : key);
  return it == ceased_.end() ? nullptr : &reorganisations_[it->second];
}

std::string UnitTree::successor(std::string_view unit, std::string_view subject) const {
  const Reorganisation* r = ceased(unit);
  if (!r) return "";
  if (auto it = r->subjects.find(std::string(subject)); !subject.empty() && it != r->subjects.end()) return it->second;
  return r->successor;
}

std::string UnitTree::competent(std::string_view founder, std::string_view subject) const {
  std::string u(founder);
  // Each step goes to a unit not yet ceased when its act was admitted: no cycle; the bound guards a damaged state.
  for (std::size_t steps = 0; steps <= reorganisations_.size(); ++steps) {
    std::string next = successor(u, subject);
    if (next.empty()) break;
    u = std::move(next);
  }
  return u;
}

bool UnitTree::covers(std::string_view unit, std::string_view founder, std::string_view subject) const {
  const std::string competent_unit = competent(founder, subject);
  founder = competent_unit;
  const std::string want = unit_key(unit), from = unit_key(founder);
  if (want == from) return true;
  const Unit* target = by_key(want);
  if (!target) return false;
  // Up from the founder: the registry refuses cycles; the bound guards a damaged state all the same.
  const Unit* u = by_key(from);
  for (std::size_t steps = 0; u != nullptr && steps <= units_.size(); ++steps, u = parent(*u))
    if (u == target) return true;
  return false;
}

}  // namespace antq::projections
