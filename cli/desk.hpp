// The inspector's desk: read-only HTML pages served by antq serve under /desk/ (docs/desk.md), rendered on the
// server from the same queries as the CLI's --json (cli/queries.hpp), in Vietnamese (English with ?lang=en).
//
// Safety: every value from the ledger goes through one escaping layer (Html below: text is escaped when it is put in,
// markup is only what this file writes); every page is sent with a Content-Security-Policy that allows no inline
// script and nothing from elsewhere (kContentSecurityPolicy); no page changes anything (GET only); a reader sees only
// its scope: a subject outside it is the same 404 as one the ledger does not hold.
#pragma once

#include <string>

#include "cli/http.hpp"
#include "ledger/ledger.hpp"
#include "projections/scope.hpp"

namespace antq::cli::desk {

// Scripts and styles from /desk/ only, no inline script, nothing fetched elsewhere, no framing, forms to the desk.
inline constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

// What a desk answer showed, for the access history: the subject of a subject page, a document or the entry a
// verification page proves ("" otherwise; PREFIX.<id> for a sealed part's subject), the unit asked about, and the
// page ("desk subject", "desk stats 2025", ...). An answer that showed nothing (an asset, an error page, the 404 of
// a subject out of scope) has `page` "".
struct Reading {
  std::string subject, unit, page;
};

// The answer to a GET under /desk/ for a reader whose grant covers `scope`: a page (text/html with
// kContentSecurityPolicy), an asset, a document's bytes, or an error page (400 for a bad parameter, 404 for a
// subject or document the reader cannot see, 503 for a damaged store); what it showed in `*shown` when given (the
// service enters it in the access history before the answer goes out).
http::Response answer(const ledger::Ledger& ledger, const http::Request& request, const projections::Scope& scope,
                      Reading* shown = nullptr);

// Vietnamese numbers: 1.234.567 (a dot between thousands).
std::string vi_number(std::uint64_t n);
// 2025-07-01 -> 01/07/2025; anything else as it is.
std::string vi_date(const std::string& iso);

}  // namespace antq::cli::desk
