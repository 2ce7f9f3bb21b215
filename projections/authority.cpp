#include "projections/authority.hpp"

#include <nlohmann/json.hpp>

namespace antq::projections {
namespace {

using nlohmann::json;

std::string binding_key(const Digest& certificate) { return "authority/" + to_hex(certificate); }

json binding_json(const Binding& b) {
  return {{"role", b.role}, {"unit", b.unit}, {"level", b.level}, {"title", b.title},
          {"from", b.from}, {"to", b.to},     {"seq", b.seq}};
}

void store_bindings(ledger::StateStore& state, const Digest& certificate, const std::vector<Binding>& bindings) {
  json list = json::array();
  for (const auto& b : bindings) list.push_back(binding_json(b));
  state.put(binding_key(certificate), list.dump());
}

}  // namespace

namespace {

std::vector<Binding> parse_bindings(const std::string& text) {
  std::vector<Binding> out;
  json list = json::parse(text, nullptr, false);
  if (!list.is_array()) return out;
  for (const auto& j : list)
    out.push_back({j.value("role", ""), j.value("unit", ""), j.value("level", ""), j.value("title", ""),
                   j.value("from", ""), j.value("to", ""), j.value("seq", std::uint64_t{0})});
  return out;
}

std::optional<Binding> match(const std::vector<Binding>& bindings, std::string_view role, std::string_view date,
                             std::string_view unit, std::string_view level) {
  for (const auto& b : bindings) {
    if (b.role != role || date < b.from || (!b.to.empty() && date >= b.to)) continue;
    if (!unit.empty() && b.unit != unit) continue;
    if (!level.empty() && b.level != level) continue;
    return b;
  }
  return std::nullopt;
}

}  // namespace

std::vector<Binding> bindings_of(const ledger::StateStore& state, const Digest& certificate) {
  auto text = state.get(binding_key(certificate));
  return text ? parse_bindings(*text) : std::vector<Binding>{};
}

void apply_registry_act(ledger::StateStore& state, const ledger::Act& act, std::uint64_t seq) {
  const json& d = act.data;
  Digest certificate = *digest_from_hex(d.at("certificate").get<std::string>());
  auto bindings = bindings_of(state, certificate);
  if (act.act == "authority.bound") {
    bindings.push_back({d.at("role").get<std::string>(), d.at("unit").get<std::string>(),
                        d.at("level").get<std::string>(), d.value("title", ""), d.at("from").get<std::string>(),
                        d.value("to", ""), seq});
  } else {  // authority.unbound: every binding still open on `from` ends there
    const std::string from = d.at("from").get<std::string>();
    for (auto& b : bindings)
      if (b.to.empty() || b.to > from) b.to = std::max(from, b.from);
  }
  store_bindings(state, certificate, bindings);
}

std::optional<Binding> binding_on(const ledger::StateStore& state, const Digest& certificate, std::string_view role,
                                  std::string_view date, std::string_view unit, std::string_view level) {
  return match(bindings_of(state, certificate), role, date, unit, level);
}

std::optional<Binding> BindingCache::binding_on(const ledger::StateStore& state, const Digest& certificate,
                                                std::string_view role, std::string_view date, std::string_view unit,
                                                std::string_view level) {
  auto it = parsed_.find(certificate);
  auto text = state.get(it != parsed_.end() ? it->second.key : binding_key(certificate));
  if (!text) return std::nullopt;
  if (it == parsed_.end() || it->second.text != *text) {
    if (parsed_.size() >= kMaxCertificates) parsed_.clear();
    it = parsed_.insert_or_assign(certificate, Parsed{binding_key(certificate), *text, parse_bindings(*text)}).first;
  }
  return match(it->second.bindings, role, date, unit, level);
}

}  // namespace antq::projections
