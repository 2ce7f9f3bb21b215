// antq retention: every record of the ledger — each subject's file and each document in it — with its class, period,
// the start of its clock, its due date and its status under the retention schedule the ledger holds (retention.hpp).
#include <iostream>
#include <map>

#include "cli/common.hpp"
#include "cli/service_client.hpp"
#include "cli/csv.hpp"
#include "cli/display.hpp"
#include "cli/queries.hpp"
#include "ledger/ledger.hpp"
#include "projections/retention.hpp"
#include "projections/words.hpp"

namespace antq::cli {
namespace {

std::string period_text(i18n::Lang lang, const projections::RetentionRecord& r) {
  if (r.years) return i18n::trf(lang, "{} years", *r.years);
  if (r.period == "permanent") return i18n::tr(lang, NC_("retention period", "permanent"));
  if (r.period == "until-superseded") return i18n::tr(lang, NC_("retention period", "until-superseded"));
  return r.period;
}

// --as-of: empty (today), or a date.
Status check_on(const std::string& on) {
  if (!on.empty() && !ledger::is_date(on))
    return bad_input(i18n::Text("--as-of: expected a date YYYY-MM-DD, got \"{}\"", on));
  return {};
}

// The records `options` ask for, of the subjects inside `scope`; bad_input when the ledger holds no schedule.
struct Listed {
  projections::RetentionListing listing;
  std::map<std::string, std::size_t> counts;  // by status
};

Result<Listed> listing_of(const ledger::Ledger& ledger, const queries::RetentionOptions& o, const projections::Scope& scope) {
  if (auto ok = check_on(o.on); !ok) return std::unexpected(ok.error());
  auto unit = queries::resolve_unit(ledger, o.unit, scope);
  if (!unit) return std::unexpected(unit.error());
  auto keep = queries::scope_filter(ledger, scope);
  if (!keep) return std::unexpected(keep.error());
  const std::string on = o.on.empty() ? vietnam_today() : o.on;
  if (auto s = queries::unit_in_force(ledger, *unit, on); !s) return std::unexpected(s.error());
  const auto covers = queries::unit_cover(ledger, *unit, on);  // the unit and every unit under it
  auto listing = projections::retention_listing(ledger, on, [&](const projections::FileFacts& f) {
    return (unit->empty() || covers(f.unit)) && (!*keep || (*keep)(f.subject));
  });
  if (!listing) return std::unexpected(listing.error());
  if (!listing->schedule)
    return bad_input(
        i18n::Text("{}: the ledger holds no retention schedule (its profile was stored before "
                   "schedules existed): an administrator adopts one with "
                   "retention.schedule-adopted (the `retention` section of this program's "
                   "projections/profiles/<profile>.json, saved as a file, is the provisional one)",
                   ledger.dir().string()));
  Listed out{std::move(*listing), {}};
  for (const auto& r : out.listing.records) ++out.counts[r.status];
  return out;
}

nlohmann::json listing_json(const Listed& x) {
  const auto& sc = *x.listing.schedule;
  nlohmann::json records = nlohmann::json::array();
  for (const auto& r : x.listing.records) records.push_back(r.to_json());
  return {{"on", x.listing.on},
          {"schedule", {{"id", sc.schedule.id}, {"title", sc.schedule.title},
                        {"adopted_by", sc.adopted_by ? nlohmann::json(*sc.adopted_by) : nlohmann::json(nullptr)},
                        {"profile", sc.profile}}},
          {"records", std::move(records)},
          {"counts", x.counts}};
}

std::string listing_csv(const Listed& x) {
  std::string out = "\xEF\xBB\xBF";  // a BOM: spreadsheets then read the UTF-8 of Vietnamese names as such
  out += csv_record({"subject", "item", "attachment", "class", "period", "clock_start", "due", "due_kind", "status",
                     "provisional", "holds", "unit", "seq", "act", "date", "number"});
  for (const auto& r : x.listing.records) {
    std::string holds;
    for (auto h : r.holds) {
      if (!holds.empty()) holds += ' ';
      holds += std::to_string(h);
    }
    out += csv_record({r.subject, r.item.value_or(""), r.attachment ? to_hex(*r.attachment) : "", r.cls,
                       period_text(i18n::Lang::en, r), r.clock_start.value_or(""), r.due.value_or(""), r.due_kind,
                       r.status, r.provisional ? "provisional" : "", holds, r.unit, r.seq ? std::to_string(*r.seq) : "",
                       r.act, r.date, r.number});
  }
  return out;
}

}  // namespace

namespace queries {

Result<Json> retention(const ledger::Ledger& ledger, const RetentionOptions& options, const Scope& scope) {
  auto x = listing_of(ledger, options, scope);
  if (!x) return std::unexpected(x.error());
  return listing_json(*x);
}

Result<std::string> retention_csv(const ledger::Ledger& ledger, const RetentionOptions& options, const Scope& scope) {
  auto x = listing_of(ledger, options, scope);
  if (!x) return std::unexpected(x.error());
  return listing_csv(*x);
}

}  // namespace queries

void add_retention(CLI::App& app, Action& run) {
  struct Args {
    std::string dir, as_of, unit, format = "table";
    bool json = false;
    ServiceAccess access;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "retention", N_("Records and archives: what is kept how long, what is due for hand-over or disposal"));
  cmd->footer(
      "Every record of the ledger: each subject's file (hồ sơ) and each document in it, with its class, period\n"
      "(permanent, N years, until-superseded), the start of its clock (31 December of the year the file's work ended:\n"
      "the model's termination or merger, the exemplar's end; or of a yearly item's own year), its due date\n"
      "(hand-over to the archive, or disposal) and its status on --as-of (default: today, Vietnam date):\n"
      "  open               the work is not over (the clock has not started)\n"
      "  retained           kept; nothing due yet\n"
      "  handover-due       to be handed over to the archive within 30 days (Decree 30/2020 asks for this warning)\n"
      "  handover-overdue   the hand-over date (the end of the year after the work ended) has passed\n"
      "  transferred        handed over (archive.transferred)\n"
      "  disposal-eligible  its period has run out: a disposal decision (record.disposed) may destroy it\n"
      "  held               a legal hold (record.held) freezes it until record.released\n"
      "  disposed           destroyed by record.disposed: the digest and the decision stay, the bytes are gone\n"
      "The schedule is the one the ledger holds: the profile's `retention` section, or one an administrator adopted\n"
      "with retention.schedule-adopted. EVERY ROW OF THE SHIPPED SCHEDULES IS PROVISIONAL: taken from the general\n"
      "schedule for agencies (Circular 09/2011/TT-BNV) as far as it names our documents, permanent where it does\n"
      "not, until an archivist adopts the official one (Circulars 08/2020/TT-BCA and 45/2018/TT-BCA, whose texts this\n"
      "program does not have). Each record says `provisional` while its row is.\n"
      "JSON: on, schedule {id, title, adopted_by, profile}, records[] (subject, item, attachment, class, period,\n"
      "period_years, clock_start, due, due_kind, status, provisional, holds, unit, seq, act, date, number,\n"
      "disposed_by, transferred_by, title, file: for a file its metadata as Decree 30/2020 Appendix VI asks —\n"
      "{code, title, creator, language, start, end, documents}, else null), counts (by status).\n"
      "CSV: one row per record, UTF-8 with a BOM.\n"
      "Examples: antq retention ledger/ --as-of 2026-12-31\n"
      "          antq retention ledger/ --unit 'UBND xã Lạc Thịnh' --format csv > luu-tru.csv");
  cmd->add_option("DIR", args->dir, kLedgerOrService)->required();
  cmd->add_option("--as-of", args->as_of, "Judge the records as on DATE (YYYY-MM-DD); default today");
  cmd->add_option("--unit", args->unit, "Only the files this unit and the units under it keep (antq units; any case or Unicode form)");
  cmd->add_option("--format", args->format, "table, json or csv")->check(CLI::IsMember({"table", "json", "csv"}));
  cmd->add_flag("--json", args->json, "The same as --format json");
  add_service_options(cmd, args->access);
  cmd->callback([args, &run] {
    run = [args]() -> int {
      if (auto ok = check_on(args->as_of); !ok) return fail(ok.error());
      if (is_service_url(args->dir))
        return ask_service(args->dir, args->access, "retention", "/v1/retention",
                           {{"as_of", args->as_of}, {"unit", args->unit}}, args->json ? "json" : args->format,
                           "add --json or --format csv");
      auto ledger = ledger::Ledger::open(args->dir);
      if (!ledger) return fail(ledger.error());
      auto x = listing_of(**ledger, {args->as_of, args->unit}, {});
      if (!x) return fail(x.error());
      const projections::RetentionListing* listing = &x->listing;
      const std::string& on = listing->on;
      const auto& sc = *listing->schedule;
      const auto& counts = x->counts;
      const std::string format = args->json ? "json" : args->format;
      if (format == "json") {
        print_json(listing_json(*x));
        return kOk;
      }
      if (format == "csv") {
        std::cout << listing_csv(*x);
        return kOk;
      }
      // Headings, statuses, periods and dates in the reader's language (the JSON and CSV keep the ids and ISO dates).
      const i18n::Lang lang = i18n::process_lang();
      print_line(sc.adopted_by ? i18n::trf(lang, "records of {} on {}, under schedule {} (adopted by entry {})",
                                           args->dir, i18n::date(lang, on), sc.schedule.id, *sc.adopted_by)
                               : i18n::trf(lang, "records of {} on {}, under schedule {} (of profile {})", args->dir,
                                           i18n::date(lang, on), sc.schedule.id, sc.profile));
      const bool provisional = std::any_of(listing->records.begin(), listing->records.end(),
                                           [](const auto& r) { return r.provisional; });
      if (provisional)
        print_line(i18n::tr(
            lang, "provisional: rows marked * are not taken from an official schedule (see antq retention --help)"));
      const std::size_t status_width = lang == i18n::Lang::en ? 18 : 22;
      for (const auto& [status, n] : counts)
        std::cout << "  " << cell(projections::words::record_status(lang, status), status_width) << ' ' << n << '\n';
      const auto heading = [&](const i18n::Msg& word, std::size_t width) { return cell(i18n::tr(lang, word), width); };
      std::cout << '\n'
                << heading(NC_("retention", "subject"), 18) << ' ' << heading(NC_("retention", "item"), 5) << ' '
                << heading(NC_("retention", "document"), 14) << ' ' << heading(NC_("retention", "class"), 19) << ' '
                << heading(NC_("retention", "period"), 17) << ' ' << heading(NC_("retention", "due"), 11) << ' '
                << heading(NC_("retention", "status"), status_width) << ' '
                << i18n::tr(lang, NC_("retention", "entry / holds")) << '\n';
      for (const auto& r : listing->records) {
        std::string doc = r.cls == "file" ? i18n::tr(lang, NC_("retention", "(file)"))
                          : r.attachment  ? to_hex(*r.attachment).substr(0, 12) + "…"
                                          : "-";
        std::string tail = r.seq ? fmt::format("{} {}", *r.seq, r.act) : visible(r.title);
        if (!r.holds.empty()) {
          std::string holds;
          for (auto h : r.holds) holds += fmt::format(" {}", h);
          tail += i18n::trf(lang, " held by{}", holds);
        }
        if (r.disposed_by) tail += i18n::trf(lang, " disposed by {}", *r.disposed_by);
        std::cout << cell(r.subject, 18) << ' ' << cell(r.item.value_or("-"), 5) << ' ' << cell(doc, 14) << ' '
                  << cell(r.cls, 19) << ' ' << cell(period_text(lang, r) + (r.provisional ? "*" : ""), 17) << ' '
                  << cell(i18n::date(lang, r.due.value_or("-")), 11) << ' '
                  << cell(projections::words::record_status(lang, r.status), status_width) << ' ' << visible(tail)
                  << '\n';
      }
      return kOk;
    };
  });
}

}  // namespace antq::cli
