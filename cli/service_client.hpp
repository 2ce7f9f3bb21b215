// The commands that talk to antq serve instead of a ledger directory: how they reach it (--client-cert KEY:CERT,
// --server-ca) and how they read its answers. The read commands (show, history, dossier, diff, stats, audit, report,
// retention) take the service's URL where they take DIR; append and record take --server URL; mirror takes a URL.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/http_client.hpp"
#include "signing/result.hpp"

namespace antq::cli {

// How a command reaches the service: KEY:CERT of the client certificate (KEY a file or a pkcs11: URI) and the PEM
// roots the server's certificate must chain to (empty: the system's).
struct ServiceAccess {
  std::string client_cert = {}, server_ca = {};
  std::chrono::seconds max_time{0};  // the whole command's requests end this long after the client is made (0: no end)
};

// The help of DIR in a read command that may ask the service.
inline constexpr const char* kLedgerOrService =
    N_("The ledger, or the URL of antq serve (https://HOST:PORT, with --client-cert)");

// true when DIR is an http:// or https:// URL, i.e. names the service rather than a ledger directory.
bool is_service_url(std::string_view dir);

// --client-cert and --server-ca, for a read command whose DIR may be the service's URL.
void add_service_options(CLI::App* cmd, ServiceAccess& access);

// A client of the service at `url` with `access`; bad_input naming the option at fault. An https URL needs a client
// certificate (antq serve knows its clients by their certificates) and an http URL a loopback address, unless
// `certificate_optional` (antq mirror: any HTTP server may serve the tiles, checked against the operator's key). Waits
// out 429 and 503 answers that say how long (HttpOptions::max_retry_wait), saying so on stderr.
Result<HttpClient> service_client(const std::string& url, const ServiceAccess& access,
                                  bool certificate_optional = false);

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// GET `path` with the non-empty `params` (percent-encoded) from the service: the body of a 200 answer. The service's
// refusals (400, 403, 404, 413, 422) are bad_input with the service's own message, its other answers io_error.
// A body holding control characters other than tab and line ends is bad_input: it is printed as it came.
Result<std::string> service_get(HttpClient& client, std::string_view path, const QueryParams& params);
// The same, the body parsed as JSON (bad_input when it is not).
Result<nlohmann::json> service_get_json(HttpClient& client, std::string_view path, const QueryParams& params);
// POST `body` (of `content_type`) to `path`, the answer read as service_get_json reads it.
Result<nlohmann::json> service_post_json(HttpClient& client, std::string_view path, std::string body,
                                         std::string_view content_type);

// The JSON of an answer from the service, parsed within the limits every answer is read with (arrays and objects
// nested at most 64 deep, at most 2 million values: some 210 MB parsed); bad_input naming `where` otherwise.
Result<nlohmann::json> parse_answer(std::string_view body, const std::string& where);

// The first `max` bytes of `text` (a message from the service), not cutting a UTF-8 sequence, and "…" when cut.
std::string shortened(std::string_view text, std::size_t max);
// "URL: HTTP STATUS: WHY" of an answer that is not the one asked for: WHY is `answer`'s "error" (the answer's body
// parsed) when it is a string, else the body, at most 300 bytes of it.
std::string answer_line(const HttpClient& client, const HttpResponse& res, const nlohmann::json& answer);

// A read command asked of the service at `url` (its DIR): GET `path` with `params` and prints the answer as the
// local command prints it in `format`: "json" as print_json prints it (JSON nested at most 64 deep, refused if it
// would print as more than 256 MiB), "csv" and "html" as the body came, when the CSV is as csv_record writes it (its
// formulas neutralised) and the HTML begins with kDocumentPrologue (no script runs in it). "table" is
// refused, naming `how` (e.g. "add --json"): the tables are printed from a ledger directory. Returns the exit code.
int ask_service(const std::string& url, const ServiceAccess& access, std::string_view command, std::string_view path,
                QueryParams params, const std::string& format, std::string_view how);

}  // namespace antq::cli
