// Who may do what through the service (antq serve), from the ledger alone: a client certificate bound by
// authority.bound may submit acts (admission still judges each one); one granted by access.granted may read, in a
// role and over a scope, until an access.revoked (or the grant's own `to`) ends it. Their refusals have the rule id
// `access`, added with these acts beside those of domain.md §10 (as `hold` and `retention` were with records acts).
//
// State key (ledger/FORMAT.md §2): "access/<certificate sha256 hex>", the certificate's grants in the order
// admitted: JSON list of {role, units, levels, from, to, seq, revoked_by}.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "i18n/i18n.hpp"
#include "ledger/ledger.hpp"
#include "projections/scope.hpp"
#include "projections/subject.hpp"

namespace antq::projections {

inline constexpr std::string_view kAccessPrefix = "access/";

// The reading roles a grant gives (acts.md, access.granted). What each may read is the service's to say; every
// role reads only its scope.
const std::vector<std::string>& access_roles();

struct Grant {
  std::string role;                         // inspector | auditor | archivist | reader
  Scope scope;                              // both sets empty: the whole ledger
  std::string from;                         // YYYY-MM-DD, inclusive
  std::string to;                           // YYYY-MM-DD, exclusive; empty: open
  std::uint64_t seq = 0;                    // the access.granted entry
  std::optional<std::uint64_t> revoked_by;  // the access.revoked entry that ended it (which set `to`)

  bool in_force(std::string_view date) const { return date >= from && (to.empty() || date < to); }
  bool operator==(const Grant&) const = default;
};

// The grants of `certificate`, in the order admitted (none when it never had one).
std::vector<Grant> grants_of(const ledger::StateStore& state, const Digest& certificate);

// Admits an access.granted or access.revoked act (the administrator's signature was checked by rule `authority`)
// and records it in `state`. refused [access] when it is contradictory:
//   access.granted: neither data.certificate nor an attached certificate, or both and they differ, or two attached;
//     both whole_ledger and units/levels, or neither (a grant says what it covers); `to` not after `from`; another
//     grant of the same certificate in force on some day of [from, to) (one grant at a time: revoke it first);
//   access.revoked: ends, from data.from on, every grant of the certificate still in force on or after that day
//     (only the one data.grant names, when given): refused when there is none.
// bad_input when an attachment of access.granted is not a DER X.509 certificate. REQUIRES: `c.act` is one of the
// two kinds and passed the act's structural checks (ledger/act.cpp).
Status admit_access_act(const ledger::Candidate& c, ledger::StateStore& state);

// What the service may let a client certificate do on `date` (YYYY-MM-DD, Vietnam time).
struct ClientAccess {
  // Bound by authority.bound in any role (person, organisation, administrator) on `date`, or the administrator of
  // `antq init`: it may POST acts, which admission then judges.
  bool may_submit = false;
  // What a submitter's refusals may tell it of other acts: the subjects of the units it is bound to on `date` (and,
  // with Scope::tree set from registry_tree, of the units under them: left to the caller, which needs it only for a
  // refusal); the whole ledger for the administrator. Meaningful only when may_submit.
  Scope bound;
  std::optional<Grant> grant;  // the read grant in force on `date`
  // When there is no grant: why, in one line fit for a 403 body (names the certificate by its first 8 bytes of hex,
  // the date, and the grant that ended or has not begun, if any), in the reader's language. Empty when `grant` is
  // set.
  i18n::Text no_read_reason;
};
ClientAccess client_access(const ledger::StateStore& state, const Digest& certificate, std::string_view date,
                           const Digest& administrator);
// The same, read from `ledger`'s state as of its last append (one read transaction per state key); a grant to units
// carries the registry as it stands on `date` (Scope::tree), so that it covers the units under them.
ClientAccess client_access(const ledger::Ledger& ledger, const Digest& certificate, std::string_view date);
// The unit registry of `ledger` as it stands on `date`, with its successions, for Scope::tree; null when the ledger
// registers no unit (names then stand alone).
std::shared_ptr<const UnitTree> registry_tree(const ledger::Ledger& ledger, std::string_view date);

// The unit and level a subject belongs to, for a scope: the authority that founded it (established or recognized);
// before its founding the unit of its first act (`keeper`, retention.hpp's keeper_of), of no level.
// A scope with levels never covers a subject of no level.
bool visible(const Scope& scope, std::string_view unit, std::string_view level);
bool visible(const Scope& scope, const SubjectState& subject, std::string_view keeper);
// With the keeper read from `state` ("records/keeper/<id>").
bool visible(const Scope& scope, const SubjectState& subject, const ledger::StateStore& state);

// A scope in words for messages and listings: "the whole ledger", or "units A, B; levels commune".
std::string describe(const Scope& scope);

}  // namespace antq::projections
