// What a rule profile says of itself, for people: the document it is taken from (title, source, the documents it
// replaces), which rules apply, and the criteria acts may name. `antq report` states the basis ("Căn cứ …") in its
// heading; `antq profile` prints the summary of the profile a ledger applies on a day.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "projections/profile.hpp"

namespace antq::projections {

// The profile's source document as a report states its basis ("Căn cứ …"), in one line:
// "“<title>” (<issuer>, số <number>, ngày <DD/MM/YYYY>); thay thế <document>, …". A number or date the source leaves
// blank is said so ("không số", "không ngày").
std::string profile_basis(const Profile& p);

// The profile as `antq profile --json` prints it (without the ledger's part, its date and entry): id, format,
// title, source {issuer, number, date, file}, replaces [{document, transition}], basis, rules {on, off} (rule ids of
// the format, in rule_ids() order), criteria [{id, vi, en}] (a criteria rating's), common_criteria [{id, vi, en,
// evidence}] (an exemplar's).
nlohmann::json profile_summary(const Profile& p);

}  // namespace antq::projections
