// antq profile: the rule profile a ledger applies on a day (the one of its init, or the last one adopted in force
// then): the source document, the format, since when and by which entry, the rules on and off, and the criteria acts
// may name (projections/profile_view.hpp).
#include <iostream>

#include "cli/common.hpp"
#include "cli/display.hpp"
#include "ledger/act.hpp"
#include "ledger/ledger.hpp"
#include "projections/admission.hpp"
#include "projections/profile_view.hpp"
#include "projections/query.hpp"

namespace antq::cli {

namespace {

using nlohmann::json;

// The answer of `antq profile --json`: profile_summary() with the day asked about and where the ledger took the
// profile from.
Result<json> profile_in_force(const ledger::Ledger& ledger, const std::string& as_of) {
  auto p = projections::profile_on(ledger, as_of);
  if (!p) return std::unexpected(p.error());
  json out = projections::profile_summary(*p);
  out["as_of"] = as_of;
  const auto adopted = projections::adopted_on(projections::adopted_profiles(projections::LedgerState(ledger)), as_of);
  if (adopted)
    out["since"] = {{"act", "profile.adopted"}, {"effective", adopted->effective}, {"seq", adopted->seq}};
  else
    out["since"] = {{"act", "init"}, {"effective", nullptr}, {"seq", nullptr}};
  return out;
}

std::string joined(const json& list) {
  std::string out;
  for (const auto& s : list) out += (out.empty() ? "" : ", ") + s.get<std::string>();
  return out.empty() ? "—" : out;
}

// The profile in the reader's language: headings and sentences translated; the source's words, ids and rule ids as
// the ledger holds them (the source is Vietnamese already).
void print_text(const std::string& dir, const json& j) {
  const i18n::Lang lang = i18n::process_lang();
  const json& since = j["since"];
  print_line(i18n::trf(
      lang, "Profile of {} as of {}: {} (format antq-profile {}), in force {}", dir,
      i18n::date(lang, j["as_of"].get<std::string>()), j["id"].get<std::string>(), j["format"].get<int>(),
      since["act"] == "init"
          ? std::string(i18n::tr(lang, "since the ledger's init"))
          : i18n::trf(lang, "since {} (profile.adopted, entry {})",
                      i18n::date(lang, since["effective"].get<std::string>()), since["seq"].get<std::uint64_t>())));
  const json& src = j["source"];
  auto text_or = [&](const json& v) {
    return v.is_string() ? v.get<std::string>() : std::string(i18n::tr(lang, "— (none)"));
  };
  const auto label = [&](const i18n::Msg& word) { return cell(i18n::tr(lang, word), 10) + ' '; };
  std::cout << label(NC_("profile", "Title")) << visible(j["title"].get<std::string>()) << '\n';
  std::cout << label(NC_("profile", "Issuer")) << visible(src["issuer"].get<std::string>()) << '\n';
  std::cout << label(NC_("profile", "Number")) << visible(text_or(src["number"])) << '\n';
  std::cout << label(NC_("profile", "Date"))
            << visible(src["date"].is_string() ? i18n::date(lang, src["date"].get<std::string>())
                                               : text_or(src["date"]))
            << '\n';
  std::cout << label(NC_("profile", "File")) << visible(src["file"].get<std::string>()) << '\n';
  std::cout << cell("Căn cứ", 10) << ' ' << visible(j["basis"].get<std::string>()) << '\n';
  for (const auto& r : j["replaces"]) {
    std::cout << label(NC_("profile", "Replaces")) << visible(r["document"].get<std::string>()) << '\n';
    if (r["transition"].is_string())
      std::cout << cell("", 10) << "   "
                << i18n::trf(lang, "transition: {}", visible(r["transition"].get<std::string>())) << '\n';
  }
  std::cout << '\n';
  print_line(i18n::trf(lang, "Rules on ({}): {}", j["rules"]["on"].size(), joined(j["rules"]["on"])));
  print_line(i18n::trf(lang, "Rules off ({}): {}", j["rules"]["off"].size(), joined(j["rules"]["off"])));
  print_line(i18n::trf(lang, "Rating basis: {}", j["rating_basis"].get<std::string>()));
  if (j["raters"].is_null()) {
    print_line(i18n::tr(lang, "Who rates: the unit that established the model (rule same-level, where it is on)"));
  } else {
    std::string who;
    for (const auto& r : j["raters"])
      who += (who.empty() ? "" : ", ") + r["kind"].get<std::string>() + " (" + r["level"].get<std::string>() + ")";
    print_line(i18n::trf(lang, "Who rates: a registered unit of its area that is {} (rule rater)", visible(who)));
  }
  if (const json& r = j["retention"]; r.is_object())
    print_line(i18n::trf(lang,
                         "Retention schedule: {} ({}, {} classes of records; an administrator may adopt another: "
                         "antq retention --help)",
                         visible(r["title"].get<std::string>()), visible(r["id"].get<std::string>()),
                         r["classes"].get<std::size_t>()));
  else
    print_line(i18n::tr(
        lang, "Retention schedule: none in this profile (an administrator adopts one: antq retention --help)"));
  if (!j["criteria"].empty()) {
    std::cout << "\n" << i18n::tr(lang, "Criteria a rating may name:") << "\n";
    for (const auto& c : j["criteria"])
      std::cout << "  " << cell(c["id"].get<std::string>(), 10) << ' ' << visible(c["vi"].get<std::string>()) << " ("
                << visible(c["en"].get<std::string>()) << ")\n";
  }
  if (!j["common_criteria"].empty()) {
    std::cout << "\n" << i18n::tr(lang, "Common criteria of exemplars (exemplar.evaluated's met):") << "\n";
    for (const auto& c : j["common_criteria"])
      std::cout << "  " << cell(c["id"].get<std::string>(), 10) << ' ' << visible(c["vi"].get<std::string>()) << " ("
                << visible(c["en"].get<std::string>()) << ")"
                << (c["evidence"].is_string()
                        ? i18n::trf(lang, " [backed by {}]", visible(c["evidence"].get<std::string>()))
                        : std::string())
                << '\n';
  }
}

}  // namespace

void add_profile(CLI::App& app, Action& run) {
  struct Args {
    std::string dir, as_of;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd =
      app.add_subcommand("profile", N_("The rule profile a ledger applies on a day: its source, rules and criteria"));
  cmd->footer(
      "The profile acts dated --as-of (default today, Vietnam date) are judged by: the one the ledger was made with\n"
      "(antq init --profile), or the last profile.adopted in force on that day. It prints the id and format, since\n"
      "when and by which entry it applies, the source document (title, issuer, number, date, seed file, the\n"
      "documents it replaces and what becomes of their models), the basis a report states (\"Căn cứ …\"), the\n"
      "rules and findings on and off (docs/rules.md), the criteria a rating or an exemplar's evaluation may name, and\n"
      "its retention schedule.\n"
      "JSON: as_of, since {act (init | profile.adopted), effective, seq}, id, format, title, source {issuer, number,\n"
      "date, file}, replaces[] {document, transition}, basis, rules {on[], off[]}, rating_basis, criteria[] {id, vi,\n"
      "en}, common_criteria[] {id, vi, en, evidence}, retention {id, title, classes} (the profile's retention\n"
      "schedule; null when it has none).\n"
      "Example: antq profile ledger/ --as-of 2025-06-30 --json");
  cmd->add_option("DIR", args->dir, "The ledger directory")->required();
  cmd->add_option("--as-of", args->as_of, "The profile in force on DATE (YYYY-MM-DD)");
  cmd->add_flag("--json", args->json, "JSON instead of text");
  cmd->callback([args, &run] {
    run = [args]() -> int {
      if (!args->as_of.empty() && !ledger::is_date(args->as_of))
        return fail(bad_input(i18n::Text("--as-of: expected a date YYYY-MM-DD, got \"{}\"", args->as_of)));
      auto ledger = ledger::Ledger::open(args->dir);
      if (!ledger) return fail(ledger.error());
      auto found = profile_in_force(**ledger, args->as_of.empty() ? vietnam_today() : args->as_of);
      if (!found) return fail(found.error());
      if (args->json) print_json(*found);
      else print_text(args->dir, *found);
      return kOk;
    };
  });
}

}  // namespace antq::cli
