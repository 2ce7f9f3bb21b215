// antq access-log: the access history of the service (ledger/access_log.hpp): who read what, when.
#include <iostream>

#include "cli/common.hpp"
#include "cli/display.hpp"
#include "ledger/access_log.hpp"
#include "ledger/ledger.hpp"
#include "projections/words.hpp"

namespace antq::cli {

void add_access_log(CLI::App& app, Action& run) {
  struct Args {
    std::string dir, subject, since;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("access-log", N_("The access history: every read of the service, by whom, when"));
  cmd->footer(
      "Lists the records of DIR/access/, the tamper-evident log antq serve keeps of every read of a subject,\n"
      "dossier, report or export by a client certificate (Decree 30/2020 asks records systems to keep one): its\n"
      "own Merkle tree and checkpoints, signed by the operator's key under the origin \"<origin>/access\".\n"
      "antq verify DIR checks it. Times are UTC (RFC 3339).\n"
      "JSON: records[] (seq, at, certificate, subject_dn, role, route, subject, unit, report), count, size,\n"
      "origin.\n"
      "Examples: antq access-log ledger/ --subject BG-LN-TLGTQ\n"
      "          antq access-log ledger/ --since 2026-12-01 --json");
  cmd->add_option("DIR", args->dir, "The ledger")->required();
  cmd->add_option("--subject", args->subject, "Only reads of this subject");
  cmd->add_option("--since", args->since,
                  "Only reads at or after DATE (YYYY-MM-DD, from 00:00 Vietnam time) or TIME (RFC 3339)");
  cmd->add_flag("--json", args->json, "JSON instead of a table");
  cmd->callback([args, &run] {
    run = [args]() -> int {
      ledger::AccessFilter filter;
      if (!args->subject.empty()) filter.subject = args->subject;
      if (!args->since.empty()) {
        filter.since = signing::parse_time(args->since);
        if (!filter.since)
          return fail(bad_input(
              i18n::Text("--since: expected a date YYYY-MM-DD or an RFC 3339 time, got \"{}\"", args->since)));
      }
      // The ledger first: a directory that holds none is named as such.
      auto ledger = ledger::Ledger::open(args->dir);
      if (!ledger) return fail(ledger.error());
      if (!ledger::AccessLog::exists(args->dir)) {
        if (args->json) {
          print_json({{"records", nlohmann::json::array()},
                      {"count", 0},
                      {"size", 0},
                      {"origin", (*ledger)->info().origin + ledger::kAccessOriginSuffix}});
        } else {
          print_line(i18n::trf(i18n::process_lang(),
                               "{} has no access log yet: antq serve makes it when it first starts on the ledger",
                               args->dir));
        }
        return kOk;
      }
      auto log = ledger::AccessLog::open_reader(args->dir);
      if (!log) return fail(log.error());
      std::uint64_t count = 0;
      Status listed;
      if (args->json) {
        // Streamed: the log may hold millions of records.
        std::cout << "{\n  \"records\": [";
        listed = (*log)->for_each(filter, [&](const ledger::AccessRecord& r) -> Status {
          nlohmann::json j = {{"seq", r.seq},
                              {"at", output_time(r.at)},
                              {"certificate", r.certificate},
                              {"subject_dn", r.subject_dn},
                              {"role", r.role},
                              {"route", r.route},
                              {"subject", r.subject},
                              {"unit", r.unit},
                              {"report", r.report}};
          std::cout << (count++ == 0 ? "\n    " : ",\n    ") << json_text(j);
          return {};
        });
        nlohmann::json tail = {{"count", count}, {"size", (*log)->size()}, {"origin", (*log)->origin()}};
        std::cout << (count == 0 ? "]," : "\n  ],") << json_text(tail, 2).substr(1) << "\n";
      } else {
        // Headings, roles and labels in the reader's language; times as RFC 3339 in Vietnam time in both.
        const i18n::Lang lang = i18n::process_lang();
        const std::size_t role_width = lang == i18n::Lang::en ? 9 : 10;
        std::cout << cell_right(i18n::tr(lang, NC_("access log", "seq")), 6) << "  "
                  << cell(i18n::tr(lang, NC_("access log", "at")), 25) << "  "
                  << cell(i18n::tr(lang, NC_("access log", "role")), role_width) << "  "
                  << cell(i18n::tr(lang, NC_("access log", "certificate")), 16) << "  "
                  << i18n::tr(lang, NC_("access log", "read / by")) << "\n";
        listed = (*log)->for_each(filter, [&](const ledger::AccessRecord& r) -> Status {
          ++count;
          std::string what = r.route;
          for (const auto& [label, value] :
               {std::pair{NC_("access log", "subject"), &r.subject}, std::pair{NC_("access log", "unit"), &r.unit},
                std::pair{NC_("access log", "report"), &r.report}})
            if (!value->empty()) what += fmt::format(" [{} {}]", i18n::tr(lang, label), *value);
          std::cout << fmt::format("{:>6}  {:<25}  {}  {:<16}  {}\n", r.seq, output_time(r.at),
                                   cell(projections::words::reader_role(lang, r.role), role_width),
                                   r.certificate.substr(0, 16), visible(what))
                    << fmt::format("{:>6}  {:<25}  {}  {:<16}  {}\n", "", "", std::string(role_width, ' '), "",
                                   visible(r.subject_dn));
          return {};
        });
        std::cout << i18n::trf(lang, "{} record(s) listed of {}; checkpoint origin {}", count, (*log)->size(),
                               visible((*log)->origin()))
                  << "\n";
      }
      if (!listed) return fail(listed.error());
      return kOk;
    };
  });
}

}  // namespace antq::cli
