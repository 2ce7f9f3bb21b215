// The authority registry: which certificate holds which role (person, organisation, administrator) for which
// unit and level, from a date to a date. Built from authority.bound / authority.unbound acts.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ledger/ledger.hpp"

namespace antq::projections {

struct Binding {
  std::string role;   // person | organisation | administrator
  std::string unit;
  std::string level;
  std::string title;
  std::string from;   // YYYY-MM-DD, inclusive
  std::string to;     // YYYY-MM-DD, exclusive; empty: open
  std::uint64_t seq = 0;  // the authority.bound entry
};

// Bindings of a certificate, oldest first.
std::vector<Binding> bindings_of(const ledger::StateStore& state, const Digest& certificate);
// Records an authority.bound or authority.unbound act. REQUIRES: the act is one of those two and valid.
void apply_registry_act(ledger::StateStore& state, const ledger::Act& act, std::uint64_t seq);

// The binding of `certificate` in `role` in force on `date`; with `unit`/`level` given, only one for them.
std::optional<Binding> binding_on(const ledger::StateStore& state, const Digest& certificate, std::string_view role,
                                  std::string_view date, std::string_view unit = {}, std::string_view level = {});

// binding_on for callers that ask for every event (admission, its replay by verify): the parsed bindings of a
// certificate are kept while its stored text is unchanged. Not thread-safe.
class BindingCache {
 public:
  std::optional<Binding> binding_on(const ledger::StateStore& state, const Digest& certificate, std::string_view role,
                                    std::string_view date, std::string_view unit = {}, std::string_view level = {});

 private:
  static constexpr std::size_t kMaxCertificates = 4096;
  struct Parsed {
    std::string key;   // in the state database ("authority/<hex>"), kept so that a lookup formats no hex
    std::string text;
    std::vector<Binding> bindings;
  };
  std::map<Digest, Parsed> parsed_;
};

}  // namespace antq::projections
