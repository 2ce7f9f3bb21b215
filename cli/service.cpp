#include "cli/service.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <fmt/format.h>

#include "cli/common.hpp"
#include "cli/csv.hpp"
#include "cli/desk.hpp"
#include "cli/official_document.hpp"
#include "cli/queries.hpp"
#include "ledger/access_log.hpp"
#include "ledger/merkle.hpp"
#include "ledger/tiles.hpp"
#include "projections/admission.hpp"
#include "projections/access.hpp"
#include "projections/query.hpp"
#include "projections/retention.hpp"

namespace antq::cli {

extern const char* const kOpenApiText;  // cli/openapi.json, embedded by CMake (CMakeLists.txt)

namespace {

using nlohmann::json;

std::string hex(const Digest& d) { return to_hex(d); }

json hashes(const std::vector<Digest>& list) {
  json out = json::array();
  for (const auto& d : list) out.push_back(hex(d));
  return out;
}

// Today, as the authority registry dates its bindings (Vietnam's calendar day).
std::string today() { return vietnam_today(); }

// The body of POST /v1/acts: one signed event as `antq sign` writes it, or several, each after its length (8 bytes,
// big-endian), as application/vnd.antq.signed-events.
inline constexpr std::string_view kBatchType = "application/vnd.antq.signed-events";

Result<std::vector<ledger::Submission>> read_submissions(const http::Request& request, std::size_t max_events) {
  std::vector<ledger::Submission> events;
  ByteView body(reinterpret_cast<const std::uint8_t*>(request.body.data()), request.body.size());
  auto one = [&](ByteView bytes) -> Status {
    auto s = ledger::decode_submission(bytes);
    if (!s) return std::unexpected(s.error());
    s->label = events.size() > 0 || request.content_type.starts_with(kBatchType)
                   ? fmt::format("event {}", events.size() + 1)
                   : std::string();
    events.push_back(std::move(*s));
    return {};
  };
  if (body.empty())
    return bad_input(i18n::Text("the body is empty: send the bytes `antq sign` writes (a signed event)"));
  if (!request.content_type.starts_with(kBatchType)) {
    if (auto s = one(body); !s) return std::unexpected(s.error());
    return events;
  }
  while (!body.empty()) {
    if (events.size() == max_events) return bad_input(i18n::Text("more than {} events in one request", max_events));
    if (body.size() < 8)
      return bad_input(i18n::Text("signed-events: a length is cut short (8 bytes, big-endian, before each event)"));
    std::uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n = n << 8 | body[i];
    body = body.subspan(8);
    if (n == 0 || n > body.size())
      return bad_input(
          i18n::Text("signed-events: event {} claims {} bytes, {} remain", events.size() + 1, n, body.size()));
    if (auto s = one(body.first(n)); !s) return std::unexpected(s.error());
    body = body.subspan(n);
  }
  return events;
}

// The answer to a refused or failed submission: 422 for a rule's refusal, 400 for malformed input, 503 when the
// ledger could not write (nothing was written in each case), in the language Accept-Language asked for (the JSON's
// keys and the rule id are the same in both).
http::Response submission_error(const Error& e, i18n::Lang lang) {
  switch (e.kind) {
    case ErrorKind::refused:
      return http::json_response(
          422, json_text(json{{"refused", e.rule},
                              {"message", lang == i18n::Lang::en || e.text.empty() ? e.message : e.text.str(lang)}}));
    case ErrorKind::bad_input:
      return http::error(400, e.line(lang));
    default:
      return http::error(503, i18n::Text("{} (nothing was written; try again)", text_of(e)).str(lang));
  }
}

std::optional<std::uint64_t> number(const http::Request& r, const char* name) {
  auto it = r.query.find(name);
  if (it == r.query.end() || it->second.empty() || it->second.size() > 19) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : it->second) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

}  // namespace

// Who sent a request, as the routes see it: its certificate's access on the day (projections/access.hpp).
struct Caller {
  const http::Client& client;
  projections::ClientAccess access;
};

// What a route requires of its caller.
enum class Need {
  client,  // any client the TLS handshake accepted (over plain HTTP, anyone on loopback): the public log
  submit,  // a certificate bound by authority.bound today
  read,    // a certificate with an access.granted grant in force today; it sees its scope only
  log,     // the log itself (tiles, entries, documents): a grant over the whole ledger, or plain HTTP on loopback
};

struct Service::Rep {
  std::unique_ptr<ledger::Ledger> ledger;
  std::unique_ptr<ledger::AccessLog> access_log;
  std::unique_ptr<ledger::Admission> admission;
  ServiceOptions options;
  std::function<void(ByteView)> crl_added;

  struct Pending {
    std::vector<ledger::Submission> events;
    http::Reply reply;
    i18n::Lang lang = i18n::Lang::en;  // of a refusal's message (Accept-Language)
    // The subjects the submitter may hear about (ClientAccess::bound, and its read grant's scope if it has one): a
    // refusal over another subject is told without the reasons, which quote that subject's records.
    projections::Scope bound;
    std::optional<projections::Scope> granted;
  };
  std::mutex mutex;
  std::condition_variable wake;
  std::mutex snapshot_mutex;
  std::optional<ledger::tiles::Snapshot> snapshot;  // guarded by snapshot_mutex: the checkpoint tiles are served at
  Result<ledger::tiles::Snapshot> current_snapshot();
  std::deque<Pending> queue;  // guarded by mutex
  bool stopping = false;      // guarded by mutex
  std::thread committer;
  std::unique_ptr<boost::asio::thread_pool> readers;  // answers every request but submissions and the health check

  void commit_loop();
  void commit(std::vector<Pending> group);
  void handle(http::Request&& request, http::Reply reply);
  void submit(http::Request&& request, const Caller& caller, http::Reply reply);
  // The refusal of `events` (`p`'s, moved out for the commit) as the submitter may read it (Pending::bound).
  http::Response refusal_for(const Pending& p, const std::vector<ledger::Submission>& events, const Error& e);
  // Enters a read in the access history before it is answered; false (and `reply` answered 503) when the history
  // cannot be written.
  bool record_read(const http::Request& r, const Caller& caller, const http::Reply& reply, std::string subject,
                   std::string unit, std::string report);
};

namespace {

using Answer = std::function<void(Service::Rep&, http::Request&&, const Caller&, http::Reply)>;
struct Route {
  std::string_view method, path;  // a path ending in '/' takes every path under it
  Need need;
  Answer answer;
  bool matches(std::string_view p) const { return path.ends_with('/') ? p.starts_with(path) : p == path; }
};

// A read that failed: 400 with the CLI's message for a bad parameter; 500 with "damaged": true for a damaged store
// (a client exits 1 on it, as the command does on the directory); 503 for anything else (a disk error).
http::Response failure(const http::Request& r, const Error& e) {
  if (e.kind == ErrorKind::bad_input) return http::error(400, r, text_of(e));
  if (e.kind == ErrorKind::corruption)
    return http::json_response(
        500, json_text(json{{"error", text_of(e).str(http::language_of(r))}, {"damaged", true}}));
  return http::error(503, r, text_of(e));
}

// A resource of the tlog-tiles layout (ledger/tiles.hpp, FORMAT.md §13), at the latest checkpoint. Reads of
// contents (entry bundles, documents) enter the access history; hash tiles and the checkpoint do not.
void tiles_resource(Service::Rep& rep, http::Request&& r, const Caller& caller, http::Reply reply) {
  auto snapshot = rep.current_snapshot();
  if (!snapshot) return reply(failure(r, snapshot.error()));
  const std::string_view path = std::string_view(r.path).substr(1);
  auto served = ledger::tiles::serve(*rep.ledger, *snapshot, path);
  if (!served) return reply(failure(r, served.error()));
  if (!*served)
    return reply(
        http::error(404, r, i18n::Text("{}: not in the log's tiles at size {}", r.path, snapshot->checkpoint.size)));
  if ((path.starts_with("tile/entries/") || path.starts_with("antq/entries/") || path.starts_with("attachments/")) &&
      !rep.record_read(r, caller, reply, "", "", "export " + std::string(path)))
    return;
  http::Response res;
  res.content_type = (*served)->content_type;
  res.body.assign((*served)->body.begin(), (*served)->body.end());
  res.cache_control = (*served)->immutable ? "public, max-age=31536000, immutable" : "public, max-age=5, no-transform";
  reply(std::move(res));
}

using http::param;

// The point in history of ?as_of=DATE or ?at=SEQ (the CLI's --as-of, --at).
Result<queries::Point> point_of(const http::Request& r) {
  queries::Point p{param(r, "as_of"), std::nullopt};
  if (r.query.contains("at")) {
    p.at = number(r, "at");
    if (!p.at) return bad_input(i18n::Text("at: expected an entry number (seq)"));
  }
  return p;
}

// A query's answer: 200 with its JSON or text, else failure(); a subject the reader cannot see (absent, or outside
// its scope: the same words) is the route's 404.
http::Response answer_json(const http::Request& r, const Result<nlohmann::json>& j) {
  if (j) return http::json_response(200, json_text(*j));
  return failure(r, j.error());
}
http::Response answer_text(const http::Request& r, const Result<std::string>& t, std::string content_type) {
  if (!t) return failure(r, t.error());
  http::Response res;
  res.content_type = std::move(content_type);
  res.body = *t;
  return res;
}

const projections::Scope& scope_of(const Caller& c) {
  static const projections::Scope whole;
  return c.access.grant ? c.access.grant->scope : whole;
}

// The routes on one subject: ?subject=ID, 404 when the reader cannot see it.
using SubjectQuery = std::function<Result<nlohmann::json>(const ledger::Ledger&, const std::string&, const http::Request&,
                                                          const projections::Scope&)>;
Answer subject_route(SubjectQuery query) {
  return [query = std::move(query)](Service::Rep& rep, http::Request&& r, const Caller& c, http::Reply reply) {
    const std::string id = param(r, "subject");
    if (id.empty())
      return reply(http::error(400, r, i18n::Text("subject: give ?subject=ID (e.g. TL-M1 or TL-M1/P003)")));
    auto in = queries::subject_in_scope(*rep.ledger, id, scope_of(c));
    if (!in) return reply(failure(r, in.error()));
    if (!*in) return reply(http::error(404, r, i18n::Text("{}: no such subject", id)));
    http::Response res = answer_json(r, query(*rep.ledger, id, r, scope_of(c)));
    if (res.status == 200 && !rep.record_read(r, c, reply, id, "", "")) return;  // what was shown, only
    reply(std::move(res));
  };
}

// What a read of figures is about, for the access history: the unit (as typed: entered under the name it resolves
// to) and the report.
struct About {
  std::string unit, report;
};

// The routes on figures (stats, audit, report, reconcile, retention): entered in the access history as `about` says.
Answer figures_route(std::function<http::Response(Service::Rep&, const http::Request&, const Caller&)> fn,
                     std::function<About(const http::Request&)> about) {
  return [fn = std::move(fn), about = std::move(about)](Service::Rep& rep, http::Request&& r, const Caller& c,
                                                        http::Reply reply) {
    http::Response res = fn(rep, r, c);
    if (res.status == 200) {  // what was shown, only: a refused parameter is not a read
      About a = about(r);
      if (!a.unit.empty())
        if (auto resolved = queries::resolve_unit(*rep.ledger, a.unit, scope_of(c))) a.unit = std::move(*resolved);
      if (!rep.record_read(r, c, reply, "", a.unit, a.report)) return;
    }
    reply(std::move(res));
  };
}
// The same, about ?unit= and the report `what` names.
Answer figures_route(std::function<http::Response(Service::Rep&, const http::Request&, const Caller&)> fn,
                     std::function<std::string(const http::Request&)> what) {
  return figures_route(std::move(fn), [what = std::move(what)](const http::Request& r) {
    return About{param(r, "unit"), what(r)};
  });
}

// The identity of an uploaded report (its rows of section "report"), for the access history of a reconciliation
// that was answered (its report was read whole); only those rows are kept.
std::map<std::string, std::string> uploaded_report(const http::Request& r) {
  std::map<std::string, std::string> report;
  (void)for_each_csv_record(r.body, "", [&](std::vector<std::string>& row) -> Status {
    if (row.size() == 3 && row[0] == "report") report[row[1]] = std::move(row[2]);
    return {};
  });
  return report;
}

Result<std::optional<int>> year_of(const http::Request& r) {
  if (!r.query.contains("year")) return std::optional<int>();
  auto y = number(r, "year");
  if (!y || *y < 1900 || *y > 2200) return bad_input(i18n::Text("year: expected a year such as 2025"));
  return std::optional<int>(static_cast<int>(*y));
}

// A route whose answer is ready at once.
Answer now(std::function<http::Response(Service::Rep&, const http::Request&, const Caller&)> fn) {
  return [fn = std::move(fn)](Service::Rep& rep, http::Request&& r, const Caller& c, http::Reply reply) {
    reply(fn(rep, r, c));
  };
}

const std::vector<Route>& routes() {
  static const std::vector<Route> table = {
      {"POST", "/v1/acts", Need::submit,
       [](Service::Rep& rep, http::Request&& r, const Caller& c, http::Reply reply) {
         rep.submit(std::move(r), c, std::move(reply));
       }},
      {"GET", "/v1/openapi.json", Need::client, now([](Service::Rep&, const http::Request&, const Caller&) {
         http::Response res;
         res.body = kOpenApiText;
         return res;
       })},
      {"GET", "/v1/health", Need::client, now([](Service::Rep& rep, const http::Request&, const Caller&) {
         return http::json_response(200, json_text(json{{"ok", true}, {"entries", rep.ledger->size()}}));
       })},
      {"GET", "/v1/proof/inclusion", Need::read, now([](Service::Rep& rep, const http::Request& r, const Caller& c) {
         auto seq = number(r, "seq");
         auto size = r.query.contains("size") ? number(r, "size") : std::optional<std::uint64_t>(0);
         if (!seq || !size) return http::error(400, r, i18n::Text("proof/inclusion: ?seq=N[&size=M], numbers"));
         // An entry outside the reader's scope is answered as the desk's verification answers it: not there.
         if (auto in = queries::entry_in_scope(*rep.ledger, *seq, scope_of(c)); !in) return failure(r, in.error());
         else if (!*in && *seq < rep.ledger->size())
           return http::error(404, r, i18n::Text("entry {}: not in this reader's scope", *seq));
         return answer_json(r, queries::proof_inclusion(*rep.ledger, *seq, *size));
       })},
      {"GET", "/v1/proof/consistency", Need::read, now([](Service::Rep& rep, const http::Request& r, const Caller&) {
         auto first = number(r, "first"), second = number(r, "second");
         if (!first || !second) return http::error(400, r, i18n::Text("proof/consistency: ?first=M&second=N, numbers"));
         return answer_json(r, queries::proof_consistency(*rep.ledger, *first, *second));
       })},
      {"GET", "/v1/verify", Need::read, now([](Service::Rep& rep, const http::Request& r, const Caller&) {
         return answer_json(r, queries::last_verification(rep.ledger->dir()));
       })},
      {"GET", "/v1/show", Need::read,
       subject_route([](const ledger::Ledger& l, const std::string& id, const http::Request& r, const projections::Scope& s)
                         -> Result<nlohmann::json> {
         auto p = point_of(r);
         if (!p) return std::unexpected(p.error());
         return queries::show(l, id, *p, s);
       })},
      {"GET", "/v1/history", Need::read,
       subject_route([](const ledger::Ledger& l, const std::string& id, const http::Request& r, const projections::Scope& s)
                         -> Result<nlohmann::json> {
         auto p = point_of(r);
         if (!p) return std::unexpected(p.error());
         return queries::history(l, id, *p, s);
       })},
      {"GET", "/v1/dossier", Need::read,
       subject_route([](const ledger::Ledger& l, const std::string& id, const http::Request& r, const projections::Scope& s)
                         -> Result<nlohmann::json> {
         auto p = point_of(r);
         if (!p) return std::unexpected(p.error());
         return queries::dossier(l, id, *p, s);
       })},
      {"GET", "/v1/diff", Need::read,
       subject_route([](const ledger::Ledger& l, const std::string& id, const http::Request& r, const projections::Scope& s) {
         return queries::diff(l, id, param(r, "from"), param(r, "to"), s);
       })},
      {"GET", "/v1/dossier-gaps", Need::read,
       figures_route([](Service::Rep& rep, const http::Request& r, const Caller& c) {
         auto p = point_of(r);
         if (!p) return http::error(400, r, text_of(p.error()));
         if (param(r, "unit").empty()) return http::error(400, r, i18n::Text("unit: give ?unit=UNIT (the unit whose dossiers to list)"));
         return answer_json(r, queries::dossier_gaps(*rep.ledger, param(r, "unit"), *p, scope_of(c)));
       }, [](const http::Request&) { return std::string("dossier gaps"); })},
      {"GET", "/v1/stats", Need::read,
       figures_route([](Service::Rep& rep, const http::Request& r, const Caller& c) {
         auto p = point_of(r);
         auto y = year_of(r);
         if (!p || !y) return http::error(400, r, text_of(!p ? p.error() : y.error()));
         queries::StatsOptions o{*p, *y, param(r, "unit")};
         if (param(r, "format") == "csv") return answer_text(r, queries::stats_csv(*rep.ledger, o, scope_of(c)), "text/csv; charset=utf-8");
         if (!param(r, "format").empty() && param(r, "format") != "json") return http::error(400, r, i18n::Text("format: json or csv"));
         return answer_json(r, queries::stats(*rep.ledger, o, scope_of(c)));
       }, [](const http::Request& r) { return "stats " + (param(r, "format").empty() ? std::string("json") : param(r, "format")); })},
      {"GET", "/v1/audit", Need::read,
       figures_route([](Service::Rep& rep, const http::Request& r, const Caller& c) {
         auto p = point_of(r);
         if (!p) return http::error(400, r, text_of(p.error()));
         auto lang = param(r, "lang").empty() ? http::language_of(r) : i18n::parse_lang(param(r, "lang"));
         if (!lang) return http::error(400, r, i18n::Text("lang: vi or en"));
         return answer_json(r, queries::audit(*rep.ledger, *p, param(r, "since"), scope_of(c), param(r, "unit"), *lang));
       }, [](const http::Request&) { return std::string("audit"); })},
      {"GET", "/v1/units", Need::read,
       figures_route([](Service::Rep& rep, const http::Request& r, const Caller& c) {
         return answer_json(r, queries::units(*rep.ledger, param(r, "as_of"), scope_of(c)));
       }, [](const http::Request&) { return std::string("units"); })},
      {"GET", "/v1/report", Need::read,
       figures_route([](Service::Rep& rep, const http::Request& r, const Caller& c) {
         auto p = point_of(r);
         if (!p) return http::error(400, r, text_of(p.error()));
         if (param(r, "period").empty()) return http::error(400, r, i18n::Text("period: give ?period=2025 (the year) or 2025-H1 (a half-year)"));
         queries::ReportOptions o{param(r, "period"), param(r, "unit"), *p};
         const std::string format = param(r, "format").empty() ? "json" : param(r, "format");
         if (format == "csv") return answer_text(r, queries::report_csv(*rep.ledger, o, scope_of(c)), "text/csv; charset=utf-8");
         if (format == "html") {
           http::Response res = answer_text(r, queries::report_html(*rep.ledger, o, scope_of(c)), "text/html; charset=utf-8");
           // The report is a printable document: no script runs in it, and nothing it names is fetched; no other
           // site's page frames it (a header's directive only: a <meta> policy cannot say it).
           res.headers.emplace_back("Content-Security-Policy",
                                    std::string(kDocumentSecurityPolicy) + "; frame-ancestors 'none'");
           return res;
         }
         if (format != "json") return http::error(400, r, i18n::Text("format: json, csv or html"));
         return answer_json(r, queries::report(*rep.ledger, o, scope_of(c)));
       }, [](const http::Request& r) { return "report " + param(r, "period") + " " + (param(r, "format").empty() ? std::string("json") : param(r, "format")); })},
      {"POST", "/v1/reconcile", Need::read,
       figures_route([](Service::Rep& rep, const http::Request& r, const Caller& c) {
         if (r.body.size() > kMaxReportCsvBytes) return http::error(413, r, i18n::Text("the report's CSV is larger than 16 MiB"));
         return answer_json(r, queries::reconcile(*rep.ledger, r.body, "the uploaded report", scope_of(c)));
       },
       [](const http::Request& r) {
         auto report = uploaded_report(r);
         return About{report["unit"], fmt::format("reconcile {} as of {}", report["period"], report["as_of"])};
       })},
      {"GET", "/v1/retention", Need::read,
       figures_route([](Service::Rep& rep, const http::Request& r, const Caller& c) {
         queries::RetentionOptions o{param(r, "as_of"), param(r, "unit")};
         if (param(r, "format") == "csv") return answer_text(r, queries::retention_csv(*rep.ledger, o, scope_of(c)), "text/csv; charset=utf-8");
         if (!param(r, "format").empty() && param(r, "format") != "json") return http::error(400, r, i18n::Text("format: json or csv"));
         return answer_json(r, queries::retention(*rep.ledger, o, scope_of(c)));
       }, [](const http::Request& r) { return "retention " + (param(r, "format").empty() ? std::string("json") : param(r, "format")); })},
      // The inspector's desk (cli/desk.hpp): pages for readers, each view entered in the access history as the desk
      // says what it showed (a sealed part's subject, the entry a verification proves), before it goes out; a page
      // that showed nothing (an asset, an error, a subject out of scope: the API's 404) is not entered.
      {"GET", "/desk/", Need::read,
       [](Service::Rep& rep, http::Request&& r, const Caller& c, http::Reply reply) {
         desk::Reading shown;
         http::Response res = desk::answer(*rep.ledger, r, scope_of(c), &shown);
         if (!shown.page.empty() && !rep.record_read(r, c, reply, shown.subject, shown.unit, shown.page)) return;
         reply(std::move(res));
       }},
      {"GET", "/checkpoint", Need::log, tiles_resource},
      {"GET", "/tile/", Need::log, tiles_resource},
      {"GET", "/antq/entries/", Need::log, tiles_resource},
      {"GET", "/certs/", Need::log, tiles_resource},
      {"GET", "/attachments/", Need::log, tiles_resource},
      {"GET", "/trust.pem", Need::log, tiles_resource},
      {"GET", "/intermediates.pem", Need::log, tiles_resource},
      {"GET", "/profile.json", Need::log, tiles_resource},
  };
  return table;
}

}  // namespace

void Service::Rep::commit_loop() {
  for (;;) {
    std::vector<Pending> group;
    {
      std::unique_lock lock(mutex);
      wake.wait(lock, [&] { return !queue.empty() || stopping; });
      if (queue.empty()) return;  // stopping, and every submission answered
      while (!queue.empty() && group.size() < options.max_group) {
        group.push_back(std::move(queue.front()));
        queue.pop_front();
      }
    }
    commit(std::move(group));
  }
}

// One group: admitted one by one in arrival order, committed together (one LMDB transaction, one checkpoint), each
// client answered after the commit that holds its act is durable.
void Service::Rep::commit(std::vector<Pending> group) {
  std::vector<std::vector<ledger::Submission>> batches;
  batches.reserve(group.size());
  for (auto& p : group) batches.push_back(std::move(p.events));
  auto results = ledger->append_group(batches, *admission);
  const std::uint64_t size = ledger->size();
  const std::string checkpoint = size > 0 ? ledger->checkpoint() : std::string();
  const Digest root = ledger->root(size);
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (!results[i]) {
      group[i].reply(refusal_for(group[i], batches[i], results[i].error()));
      continue;
    }
    json entries = json::array();
    for (std::size_t k = 0; k < results[i]->size(); ++k) {
      const std::uint64_t seq = (*results[i])[k];
      auto bytes = ledger->entry_bytes(seq);
      auto act = ledger::decode_body(batches[i][k].event.body);
      // With the event it sent, the time the entry was recorded at gives the client the entry, and so its leaf.
      std::string recorded_at;
      if (bytes)
        if (auto view = ledger::decode_entry_view(*bytes)) recorded_at = view->recorded_at;
      entries.push_back({{"seq", seq},
                         {"act", act ? act->act : ""},
                         {"subject", act ? act->subject : ""},
                         {"recorded_at", recorded_at},
                         {"leaf_hash", bytes ? hex(ledger::leaf_hash(*bytes)) : ""},
                         {"proof", hashes(ledger->inclusion_proof(seq, size))}});
      if (act && act->act == ledger::kCrlAdded && crl_added && act->attachments.size() == 1)
        if (auto der = ledger->attachment(act->attachments[0].sha256)) crl_added(*der);
    }
    group[i].reply(http::json_response(
        201, json_text(json{{"seqs", *results[i]}, {"entries", std::move(entries)}, {"size", size},
                            {"root", hex(root)}, {"checkpoint", checkpoint}})));
  }
}

namespace {

// The subjects the ledger holds that `act` names, which its refusal may quote: its own, and every string (or object
// key) in its data that is a subject's id or the SHA-256 of a document in a subject's file (a merger's data.from, a
// point's point_of, a records act's targets and subjects...). An act's data is bounded (docs/act-limits.md: a
// records act's lists hold at most 10,000 ids, which admission looks up as well), and so are these lookups.
Result<std::set<std::string>> named_subjects(const ledger::Ledger& ledger, const ledger::Act& act) {
  const projections::LedgerState state(ledger);
  std::set<std::string> out;
  Status status;
  auto consider = [&](const std::string& s) {
    if (!status || s.empty() || s == ledger::kLedgerSubject || out.contains(s)) return;
    auto held = queries::subject_in_scope(ledger, s, {});
    if (!held) status = std::unexpected(held.error());
    else if (*held) out.insert(s);
    else if (auto d = digest_from_hex(s); d && s == to_hex(*d))
      if (auto facts = projections::indexed_record(state, *d)) out.insert(facts->subject);
  };
  consider(act.subject);
  std::vector<const json*> stack{&act.data};
  while (!stack.empty()) {
    const json* j = stack.back();
    stack.pop_back();
    if (j->is_string()) consider(j->get_ref<const std::string&>());
    if (j->is_object())
      for (const auto& [key, value] : j->items()) {
        consider(key);
        stack.push_back(&value);
      }
    if (j->is_array())
      for (const auto& value : *j) stack.push_back(&value);
  }
  if (!status) return std::unexpected(status.error());
  return out;
}

}  // namespace

http::Response Service::Rep::refusal_for(const Pending& p, const std::vector<ledger::Submission>& events,
                                         const Error& e) {
  if (e.kind != ErrorKind::refused) return submission_error(e, p.lang);
  // A subject the ledger holds outside what the submitter may hear about, named by one of the events: the refusal
  // may quote its records. (An absent subject's refusal says only that: any beginning act would tell as much.)
  projections::Scope bound = p.bound;  // with the registry, so that it covers the units under the bound ones
  if (!bound.whole()) bound.tree = projections::registry_tree(*ledger, today());
  for (const auto& event : events) {
    auto act = ledger::decode_body(event.event.body);
    if (!act) continue;
    auto named = named_subjects(*ledger, *act);
    if (!named) return submission_error(e, p.lang);
    for (const std::string& id : *named) {
      auto mine = queries::subject_in_scope(*ledger, id, bound);
      auto read = p.granted && mine && !*mine ? queries::subject_in_scope(*ledger, id, *p.granted) : mine;
      if (!mine || !read) return submission_error(e, p.lang);
      if (!*mine && !*read)
        return http::json_response(
            422, json_text(json{{"refused", e.rule},
                                {"message", i18n::Text("{} of {}: refused; the reasons may quote the records of {}, "
                                                       "which this certificate's units do not hold: the unit that "
                                                       "holds it can say why",
                                                       act->act, act->subject, id)
                                                .str(p.lang)}}));
    }
  }
  return submission_error(e, p.lang);
}

void Service::Rep::submit(http::Request&& request, const Caller& caller, http::Reply reply) {
  auto events = read_submissions(request, options.max_events_per_request);
  if (!events) return reply(http::error(400, events.error().line(http::language_of(request))));
  {
    std::lock_guard lock(mutex);
    if (stopping)
      return reply(http::error(503, request, i18n::Text("the service is stopping: submit again when it is back")));
    // Each event of a batch counts as a request against the client's rate: each costs its signatures' checks.
    http::Reply counted = [reply = std::move(reply), n = events->size()](http::Response r) {
      r.counts_as = n;
      reply(std::move(r));
    };
    queue.push_back({std::move(*events), std::move(counted), http::language_of(request), caller.access.bound,
                     caller.access.grant ? std::optional(caller.access.grant->scope) : std::nullopt});
  }
  wake.notify_one();
}

bool Service::Rep::record_read(const http::Request& r, const Caller& caller, const http::Reply& reply,
                               std::string subject, std::string unit, std::string report) {
  if (!access_log || !caller.client.fingerprint) return true;  // plain HTTP on loopback: no client to name
  ledger::AccessRecord record;
  record.certificate = hex(*caller.client.fingerprint);
  record.subject_dn = caller.client.subject;
  record.role = caller.access.grant ? caller.access.grant->role : "submitter";
  record.route = r.method + " " + r.path;
  record.subject = std::move(subject);
  record.unit = std::move(unit);
  record.report = std::move(report);
  if (auto t = access_log->record(std::move(record)); !t) {
    reply(http::error(
        t.error().kind == ErrorKind::bad_input ? 400 : 503, r,
        i18n::Text("the access history cannot record this read, so it is not answered: {}", text_of(t.error()))));
    return false;
  }
  return true;
}

void Service::Rep::handle(http::Request&& r, http::Reply reply) {
  const Route* route = nullptr;
  std::string allow;  // the methods served at the path (RFC 9110 §15.5.6: a 405 says them)
  // HEAD is answered as GET (the server sends the header alone), a read like any other.
  const std::string method = r.method == "HEAD" ? "GET" : r.method;
  for (const Route& candidate : routes())
    if (candidate.matches(r.path)) {
      if (!allow.contains(candidate.method))
        allow += (allow.empty() ? "" : ", ") + std::string(candidate.method) +
                 (candidate.method == "GET" ? ", HEAD" : "");
      if (candidate.method == method) route = &candidate;
    }
  if (!route && allow.empty())
    return reply(http::error(404, r, i18n::Text("{}: no such route (see /v1/openapi.json)", r.path)));
  if (!route) {
    http::Response res = http::error(405, r, i18n::Text("{} is not served at {}", r.method, r.path));
    res.headers.emplace_back("Allow", allow);
    return reply(std::move(res));
  }
  Caller caller{r.client, {}};
  if (r.client.fingerprint) caller.access = projections::client_access(*ledger, *r.client.fingerprint, today());
  switch (route->need) {
    case Need::client: break;
    case Need::submit:
      if (!r.client.fingerprint)
        return reply(http::error(
            403, r, i18n::Text("acts are submitted over TLS with a client certificate, not over plain HTTP")));
      if (!caller.access.may_submit)
        return reply(http::error(
            403, r,
            i18n::Text("this certificate is bound to no unit today (authority.bound): it may not submit acts")));
      break;
    case Need::read:
      if (!r.client.fingerprint)
        return reply(
            http::error(403, r, i18n::Text("reads need TLS and a client certificate an access.granted act names")));
      if (!caller.access.grant) return reply(http::error(403, r, caller.access.no_read_reason));
      break;
    case Need::log:
      if (!r.client.fingerprint) break;  // plain HTTP, on loopback only: the operator publishes the log
      if (!caller.access.grant) return reply(http::error(403, r, caller.access.no_read_reason));
      if (!caller.access.grant->scope.whole())
        return reply(http::error(403, r,
                                 i18n::Text("the log's tiles hold every act: they are served to a grant over the "
                                            "whole ledger, and this one covers {}",
                                            projections::describe(caller.access.grant->scope))));
      break;
  }
  route->answer(*this, std::move(r), caller, std::move(reply));
}

Result<ledger::tiles::Snapshot> Service::Rep::current_snapshot() {
  const std::uint64_t size = ledger->size();
  std::lock_guard lock(snapshot_mutex);
  if (!snapshot || snapshot->checkpoint.size != size) {
    auto s = ledger::tiles::current_snapshot(*ledger);
    if (!s) return std::unexpected(s.error());
    snapshot = std::move(*s);
  }
  return *snapshot;
}

Service::Service(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}

Service::~Service() { stop(); }

Result<std::unique_ptr<Service>> Service::open(std::unique_ptr<ledger::Ledger> ledger, const ServiceOptions& options) {
  auto rep = std::make_unique<Rep>();
  auto admission = projections::make_admission(*ledger);
  if (!admission) return std::unexpected(admission.error());
  rep->admission = std::move(*admission);
  auto log = ledger::AccessLog::open_writer(ledger->dir(), ledger->info().origin, ledger->operator_key());
  if (!log) return std::unexpected(log.error());
  rep->access_log = std::move(*log);
  rep->ledger = std::move(ledger);
  rep->options = options;
  Rep* raw = rep.get();
  rep->committer = std::thread([raw] { raw->commit_loop(); });
  rep->readers = std::make_unique<boost::asio::thread_pool>(
      options.readers ? options.readers : std::max(2u, std::thread::hardware_concurrency()));
  return std::unique_ptr<Service>(new Service(std::move(rep)));
}

void Service::handle(http::Request&& request, http::Reply reply) {
  // A submission is only queued here (the committer does the work); the health check only counts the entries, and
  // answers while the readers are all busy.
  if ((request.method == "POST" && request.path == "/v1/acts") ||
      ((request.method == "GET" || request.method == "HEAD") && request.path == "/v1/health"))
    return rep_->handle(std::move(request), std::move(reply));
  boost::asio::post(*rep_->readers,
                    [rep = rep_.get(), request = std::move(request), reply = std::move(reply)]() mutable {
                      rep->handle(std::move(request), std::move(reply));
                    });
}

void Service::on_crl_added(std::function<void(ByteView)> fn) { rep_->crl_added = std::move(fn); }

void Service::stop() {
  {
    std::lock_guard lock(rep_->mutex);
    rep_->stopping = true;
  }
  rep_->wake.notify_all();
  if (rep_->committer.joinable()) rep_->committer.join();
  if (rep_->readers) rep_->readers->join();
  if (rep_->access_log) (void)rep_->access_log->flush();
}

const ledger::Ledger& Service::ledger() const { return *rep_->ledger; }

std::vector<std::string> service_routes() {
  std::vector<std::string> out;
  for (const Route& r : routes()) out.push_back(std::string(r.method) + " " + std::string(r.path));
  return out;
}

}  // namespace antq::cli
