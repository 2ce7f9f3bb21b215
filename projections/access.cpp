#include "projections/access.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "projections/authority.hpp"
#include "projections/query.hpp"
#include "projections/retention.hpp"
#include "projections/units.hpp"
#include "signing/signing.hpp"

namespace antq::projections {
namespace {

using nlohmann::json;

// The attachment of access.granted that is the client certificate (the others are the grant's documents).
constexpr std::string_view kCertificateItem = "certificate";

std::string grant_key(const Digest& certificate) { return std::string(kAccessPrefix) + to_hex(certificate); }

// A certificate as messages name it: the first 8 bytes of its fingerprint, as admission names signers.
std::string short_fingerprint(const Digest& certificate) { return to_hex(ByteView(certificate.data(), 8)) + "…"; }

json grant_json(const Grant& g) {
  return {{"role", g.role},
          {"units", g.scope.units},
          {"levels", g.scope.levels},
          {"from", g.from},
          {"to", g.to},
          {"seq", g.seq},
          {"revoked_by", g.revoked_by ? json(*g.revoked_by) : json(nullptr)}};
}

std::vector<Grant> parse_grants(const std::string& text) {
  std::vector<Grant> out;
  json list = json::parse(text, nullptr, false);
  if (!list.is_array()) return out;  // written only by store_grants(); verify compares the state with its replay
  for (const auto& j : list) {
    if (!j.is_object()) continue;
    Grant g;
    g.role = j.value("role", "");
    for (const auto* field : {"units", "levels"}) {
      auto& set = std::string_view(field) == "units" ? g.scope.units : g.scope.levels;
      if (auto it = j.find(field); it != j.end() && it->is_array())
        for (const auto& x : *it)
          if (x.is_string()) set.insert(x.get<std::string>());
    }
    g.from = j.value("from", "");
    g.to = j.value("to", "");
    g.seq = j.value("seq", std::uint64_t{0});
    if (auto it = j.find("revoked_by"); it != j.end() && it->is_number_unsigned())
      g.revoked_by = it->get<std::uint64_t>();
    out.push_back(std::move(g));
  }
  return out;
}

void store_grants(ledger::StateStore& state, const Digest& certificate, const std::vector<Grant>& grants) {
  json list = json::array();
  for (const auto& g : grants) list.push_back(grant_json(g));
  state.put(grant_key(certificate), list.dump());
}

std::string period(const Grant& g) {
  return g.to.empty() ? fmt::format("from {}", g.from) : fmt::format("from {} to {}", g.from, g.to);
}

// Whether [from, to) and [g.from, g.to) share a day (an empty `to` is open).
bool overlaps(const Grant& g, std::string_view from, std::string_view to) {
  const bool starts_before_end = to.empty() || g.from < to;
  const bool ends_after_start = g.to.empty() || g.to > from;
  return starts_before_end && ends_after_start;
}

// The client certificate an access.granted names: data.certificate and/or the attachment of item "certificate".
Result<Digest> granted_certificate(const ledger::Candidate& c) {
  std::optional<Digest> named;
  if (auto it = c.act.data.find("certificate"); it != c.act.data.end()) named = digest_from_hex(it->get<std::string>());
  std::optional<Digest> attached;
  for (const auto& a : c.act.attachments) {
    if (a.item != kCertificateItem) continue;
    if (attached)
      return refused("access",
                     i18n::Text("access.granted attaches two certificates (item \"certificate\"): a grant is for one"));
    attached = a.sha256;
    // Its content, when the act carries it or the ledger holds it (a document given by sha256 and size alone may
    // be held elsewhere: then its digest is the fingerprint, unchecked).
    if (auto content = c.attachment(a.sha256)) {
      auto info = signing::inspect_certificate(*content);
      if (!info)
        return bad_input(
            i18n::Text("access.granted: the attachment of item \"certificate\" ({}) is not a DER X.509 "
                       "certificate: {}",
                       to_hex(a.sha256), text_of(info.error())));
      const std::string from = c.act.data.at("from").get<std::string>();
      const std::string expires = signing::format_vietnam_time(info->not_after).substr(0, 10);
      if (expires < from)
        return refused("access", i18n::Text("access.granted from {}: certificate {} ({}) expires on {}, before the "
                                            "grant begins",
                                            from, short_fingerprint(a.sha256), info->subject, expires));
    }
  }
  if (named && attached && *named != *attached)
    return refused("access", i18n::Text("access.granted names certificate {} in data.certificate but attaches {}: "
                                        "the two must be the same certificate",
                                        to_hex(*named), to_hex(*attached)));
  if (named) return *named;
  if (attached) return *attached;
  return refused("access", i18n::Text("access.granted names no certificate: give data.certificate (its SHA-256 "
                                      "fingerprint) or attach it (item \"certificate\", DER)"));
}

Status grant(const ledger::Candidate& c, ledger::StateStore& state) {
  const json& d = c.act.data;
  auto certificate = granted_certificate(c);
  if (!certificate) return std::unexpected(certificate.error());
  Grant g;
  g.role = d.at("role").get<std::string>();
  for (const auto* field : {"units", "levels"})
    if (auto it = d.find(field); it != d.end())
      for (const auto& x : *it)
        (std::string_view(field) == "units" ? g.scope.units : g.scope.levels).insert(x.get<std::string>());
  const bool whole = d.value("whole_ledger", false);
  if (whole && !g.scope.whole())
    return refused("access", i18n::Text("access.granted: whole_ledger and a scope of {} contradict each other: give "
                                        "one or the other",
                                        describe(g.scope)));
  if (!whole && g.scope.whole())
    return refused("access", i18n::Text("access.granted covers nothing: give data.units and/or data.levels, or "
                                        "data.whole_ledger: true for the whole ledger"));
  g.from = d.at("from").get<std::string>();
  g.to = d.value("to", "");
  g.seq = c.seq;
  if (!g.to.empty() && g.to <= g.from)
    return refused("access", i18n::Text("access.granted: it ends ({}) on or before it begins ({})", g.to, g.from));
  auto grants = grants_of(state, *certificate);
  for (const Grant& other : grants)
    if ((other.to.empty() || other.to > other.from) &&
        overlaps(other, g.from, g.to))  // one revoked before it began has no day
      return refused("access", i18n::Text("access.granted: certificate {} holds the grant of entry {} ({}, {}, {}) "
                                          "on days of this one ({}): one grant at a time; end it first with "
                                          "access.revoked",
                                          short_fingerprint(*certificate), other.seq, other.role, describe(other.scope),
                                          period(other), period(g)));
  grants.push_back(std::move(g));
  store_grants(state, *certificate, grants);
  return {};
}

Status revoke(const ledger::Candidate& c, ledger::StateStore& state) {
  const json& d = c.act.data;
  const Digest certificate = *digest_from_hex(d.at("certificate").get<std::string>());
  const std::string from = d.at("from").get<std::string>();
  // data.grant, when given, names the one grant it ends (a plain pair: GCC 12 misjudges an optional here).
  const bool by_seq = d.contains("grant");
  const std::uint64_t named = by_seq ? d["grant"].get<std::uint64_t>() : 0;
  auto grants = grants_of(state, certificate);
  if (by_seq && std::none_of(grants.begin(), grants.end(), [&](const Grant& g) { return g.seq == named; }))
    return refused("access", i18n::Text("access.revoked: entry {} is no grant of certificate {}", named,
                                        short_fingerprint(certificate)));
  bool ended = false;
  for (Grant& g : grants) {
    if (by_seq && g.seq != named) continue;
    if (!g.to.empty() && g.to <= from) continue;  // over by then (ended, revoked or expired)
    g.to = std::max(from, g.from);
    g.revoked_by = c.seq;
    ended = true;
  }
  if (!ended)
    return refused("access",
                   by_seq ? fmt::format("access.revoked from {}: the grant of entry {} is over by then", from, named)
                          : fmt::format("access.revoked from {}: certificate {} holds no grant in force on or "
                                        "after that day",
                                        from, short_fingerprint(certificate)));
  store_grants(state, certificate, grants);
  return {};
}

}  // namespace

const std::vector<std::string>& access_roles() {
  static const std::vector<std::string> roles = {"inspector", "auditor", "archivist", "reader"};
  return roles;
}

std::vector<Grant> grants_of(const ledger::StateStore& state, const Digest& certificate) {
  auto text = state.get(grant_key(certificate));
  return text ? parse_grants(*text) : std::vector<Grant>{};
}

Status admit_access_act(const ledger::Candidate& c, ledger::StateStore& state) {
  return c.act.act == "access.granted" ? grant(c, state) : revoke(c, state);
}

ClientAccess client_access(const ledger::StateStore& state, const Digest& certificate, std::string_view date,
                           const Digest& administrator) {
  ClientAccess out;
  // The bindings in force on the day: any lets the certificate submit; their units bound what its refusals tell.
  bool administers = certificate == administrator;
  out.may_submit = administers;
  for (const Binding& b : bindings_of(state, certificate))
    if (date >= b.from && (b.to.empty() || date < b.to)) {
      out.may_submit = true;
      administers = administers || b.role == "administrator";
      out.bound.units.insert(b.unit);
    }
  if (administers) out.bound = {};
  const auto grants = grants_of(state, certificate);
  for (const Grant& g : grants)
    if (g.in_force(date)) {
      out.grant = g;
      return out;
    }
  // No grant in force: say which one is nearest in time — the next to begin, else the last that ended.
  const Grant* next = nullptr;
  const Grant* last = nullptr;
  for (const Grant& g : grants) {
    const bool never_in_force = !g.to.empty() && g.to <= g.from;  // revoked before it began
    if (g.from > date && !never_in_force) {
      if (!next || g.from < next->from) next = &g;
    } else if (!last || g.to > last->to) {
      last = &g;
    }
  }
  const std::string who = short_fingerprint(certificate);
  if (next)
    out.no_read_reason = i18n::Text("certificate {} may read from {} (grant of entry {}), not on {}", who, next->from,
                                    next->seq, std::string(date));
  else if (last && last->revoked_by)
    out.no_read_reason = i18n::Text("certificate {}: its grant (entry {}) was revoked from {} by entry {}", who,
                                    last->seq, last->to, *last->revoked_by);
  else if (last)
    out.no_read_reason = i18n::Text("certificate {}: its grant (entry {}) ended on {}", who, last->seq, last->to);
  else
    out.no_read_reason = i18n::Text("certificate {} holds no read grant (access.granted) of this ledger", who);
  return out;
}

ClientAccess client_access(const ledger::Ledger& ledger, const Digest& certificate, std::string_view date) {
  struct State final : ledger::StateStore {
    explicit State(const ledger::Ledger& l) : ledger(l) {}
    std::optional<std::string> get(std::string_view key) const override { return ledger.state_value(key); }
    using ledger::StateStore::put;
    void put(std::string_view, std::string_view) override {}
    const ledger::Ledger& ledger;
  };
  ClientAccess out = client_access(State(ledger), certificate, date, ledger.info().administrator);
  // A grant to units covers the units under them in the registry, as it stands on the day.
  if (out.grant && !out.grant->scope.units.empty()) out.grant->scope.tree = registry_tree(ledger, date);
  return out;
}

std::shared_ptr<const UnitTree> registry_tree(const ledger::Ledger& ledger, std::string_view date) {
  const LedgerState state(ledger);
  auto units = registered_units(state);
  if (units.empty()) return nullptr;
  return std::make_shared<const UnitTree>(std::move(units), reorganisations(state), std::string(date));
}

bool Scope::covers(std::string_view unit, std::string_view level, std::string_view subject) const {
  if (!levels.empty() && !levels.contains(level)) return false;
  if (units.empty() || units.contains(unit)) return true;
  return tree &&
         std::any_of(units.begin(), units.end(), [&](const std::string& g) { return tree->covers(g, unit, subject); });
}

bool visible(const Scope& scope, std::string_view unit, std::string_view level) { return scope.covers(unit, level); }

bool visible(const Scope& scope, const SubjectState& subject, std::string_view keeper) {
  if (!subject.authority.unit.empty()) return scope.covers(subject.authority.unit, subject.authority.level, subject.id);
  return scope.covers(keeper, "", subject.id);
}

bool visible(const Scope& scope, const SubjectState& subject, const ledger::StateStore& state) {
  if (scope.whole()) return true;
  return visible(scope, subject, keeper_of(state, subject));
}

std::string describe(const Scope& scope) {
  if (scope.whole()) return "the whole ledger";
  auto list = [](const auto& set) {
    std::string out;
    for (const auto& x : set) out += (out.empty() ? "" : ", ") + x;
    return out;
  };
  if (scope.levels.empty()) return "units " + list(scope.units);
  if (scope.units.empty()) return "levels " + list(scope.levels);
  return fmt::format("units {}; levels {}", list(scope.units), list(scope.levels));
}

}  // namespace antq::projections
