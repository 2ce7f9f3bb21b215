// antq carry-over: the open subjects of a sealed part (a merged province's predecessor, antq take-in) continue in
// this ledger, each by an administrator-signed subject.carried-over act (ledger/FORMAT.md §14).
#include <algorithm>
#include <iostream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "cli/common.hpp"
#include "cli/display.hpp"
#include "cli/operator_key.hpp"
#include "cli/signer.hpp"
#include "ledger/act.hpp"
#include "ledger/ledger.hpp"
#include "projections/admission.hpp"
#include "projections/query.hpp"
#include "projections/subject.hpp"
#include "projections/units.hpp"

namespace antq::cli {

namespace {

using nlohmann::json;

struct CarryOverArgs {
  std::string dir, part, to, level, admin, date, number, founded_by, operator_key;
  std::vector<std::string> subjects;
  bool all = false, dry_run = false, json = false;
};

// One subject of the part to carry over: its id there, its record as the part holds it.
struct Carried {
  std::string from;
  json record;
  projections::SubjectState state;
};

// The taking unit as the registry writes it, and its level (--level must agree); as typed where no registry is kept.
Result<ledger::Act::Authority> taking_unit(const ledger::Ledger& ledger, const CarryOverArgs& a,
                                           const std::string& date) {
  const projections::LedgerState state(ledger);
  const projections::UnitTree tree(projections::registered_units(state), projections::reorganisations(state), date);
  if (tree.units().empty()) {
    if (a.level.empty())
      return bad_input(
          i18n::Text("--level: the ledger keeps no unit registry, so give the level of --to (commune, province, ...)"));
    return ledger::Act::Authority{a.level, a.to};
  }
  const projections::Unit* u = tree.find(a.to);
  if (!u)
    return bad_input(i18n::Text("--to \"{}\": no unit of that name is registered on {} (antq units {} --as-of {})",
                                a.to, date, a.dir, date));
  if (!a.level.empty() && a.level != u->level)
    return bad_input(i18n::Text("--level {}: {} is registered at level {}", a.level, u->name, u->level));
  return ledger::Act::Authority{u->level, u->name};
}

}  // namespace

void add_carry_over(CLI::App& app, Action& run) {
  auto args = std::make_shared<CarryOverArgs>();
  auto* cmd = app.add_subcommand("carry-over", N_("Continue a taken-in predecessor's open subjects in this ledger"));
  cmd->footer(
      "After `antq take-in` sealed a predecessor as part HB, its models, points and exemplars that were still open\n"
      "(not terminated, merged or ended) continue here: each is carried over by an act subject.carried-over, signed\n"
      "by DIR's administrator (which unit takes a predecessor's subject over is the administrator's record), whose\n"
      "subject is HB-<id> and whose data holds the subject's record exactly as the sealed part holds it. From then\n"
      "on HB-<id> is a subject of DIR: the unit given by --to rates, replicates and ends it under DIR's rules; its\n"
      "dates, stage, ratings and dossier items are the record's; `antq show DIR HB.<id>` still shows its history in\n"
      "the part. The ledger refuses [predecessor] a record that is not the part's, a closed subject, one carried\n"
      "over before, a date before the merger's --effective; [unit] a --to not registered then.\n"
      "Origins are carried before their points, so that a point names its carried origin (HB-<origin>); a point\n"
      "whose origin is not carried names the part's (HB.<origin>). All selected subjects go in one transaction.\n"
      "Choose them with --subject (repeatable), --founded-by (the predecessor's unit that founded them) or --all.\n"
      "Examples:\n"
      "  antq carry-over phu-tho/ --part HB --founded-by \"UBND huyện Lạc Sơn\" --to \"UBND xã Lạc Sơn\" \\\n"
      "      --admin admin.key:admin.crt --dry-run\n"
      "  antq carry-over phu-tho/ --part HB --all --to \"Ban Chỉ đạo tỉnh Phú Thọ\" --admin admin.key:admin.crt");
  cmd->add_option("DIR", args->dir, "The ledger that took the predecessor in")->required();
  cmd->add_option("--part", args->part, "The sealed part's prefix (antq take-in --prefix)")->required();
  cmd->add_option("--subject", args->subjects, "A subject of the part to carry over: ID or HB.ID (repeatable)");
  cmd->add_option("--founded-by", args->founded_by, "Every open subject the predecessor's unit UNIT founded");
  cmd->add_flag("--all", args->all, "Every open subject of the part not carried over yet");
  cmd->add_option("--to", args->to, "The unit of DIR that takes them over (as registered: antq units DIR)")->required();
  cmd->add_option("--level", args->level, "Its level, where DIR keeps no unit registry (commune, province, ...)");
  cmd->add_option("--admin", args->admin, "KEY:CERT of DIR's administrator, who signs (KEY may be a PKCS#11 URI)");
  cmd->add_option("--date", args->date, "Date of the acts (YYYY-MM-DD; default: today, Vietnam time)");
  cmd->add_option("--number", args->number, "Number and symbol of the decision, if there is one");
  cmd->add_option("--operator-key", args->operator_key,
                  "DIR's operator key, a file or a PKCS#11 URI (else ANTQ_OPERATOR_KEY, else the default file: "
                  "antq append --help)");
  cmd->add_flag("--dry-run", args->dry_run, "List what would be carried over; sign and write nothing");
  cmd->add_flag("--json", args->json, "JSON: {carried: [{from, as, seq, point_of}], skipped: [{from, why}]}");
  cmd->callback([args, &run] {
    run = [args]() -> int {
      const CarryOverArgs& a = *args;
      const int chosen = (a.subjects.empty() ? 0 : 1) + (a.founded_by.empty() ? 0 : 1) + (a.all ? 1 : 0);
      if (chosen != 1)
        return fail(bad_input(i18n::Text("choose the subjects with one of --subject, --founded-by or --all")));
      const std::string date = a.date.empty() ? vietnam_today() : a.date;
      if (!ledger::is_date(date))
        return fail(bad_input(i18n::Text("--date: expected a date YYYY-MM-DD, got \"{}\"", date)));
      if (!a.dry_run && a.admin.empty())
        return fail(bad_input(i18n::Text("--admin KEY:CERT is required (or --dry-run)")));
      auto opened = a.dry_run ? ledger::Ledger::open(a.dir) : open_for_append(a.dir, a.operator_key);
      if (!opened) return fail(opened.error());
      ledger::Ledger& ledger = **opened;
      const auto parts = ledger.sealed_parts();
      if (std::find(parts.begin(), parts.end(), a.part) == parts.end()) {
        std::string held;
        for (const auto& p : parts) held += (held.empty() ? "" : ", ") + p;
        return fail(bad_input(i18n::Text("--part {}: {} holds no sealed part of that prefix ({})", visible(a.part),
                                         a.dir,
                                         held.empty() ? i18n::Text("antq take-in seals one")
                                                      : i18n::Text("it holds {}", held))));
      }
      auto unit = taking_unit(ledger, a, date);
      if (!unit) return fail(unit.error());

      // The part's subjects, by id; which to carry.
      std::map<std::string, Carried> all;
      const std::string record_prefix = "subject/";
      ledger.for_each_sealed(a.part, "state", record_prefix, [&](std::string_view key, std::string_view value) {
        auto j = json::parse(value, nullptr, false);
        auto s = projections::SubjectState::from_json(j);
        if (s) all.emplace(std::string(key.substr(record_prefix.size())), Carried{s->id, std::move(j), std::move(*s)});
      });
      std::vector<const Carried*> picked;
      json skipped = json::array();
      auto carried_already = [&](const std::string& id) {
        return ledger.state_value("carried/" + a.part + "/" + id).has_value();
      };
      auto consider = [&](const Carried& c, bool named) -> Status {
        const std::string why = c.state.closed() ? fmt::format("it is {} in the part", c.state.stage)
                                : carried_already(c.from)
                                    ? fmt::format("it is carried over already as {}-{}", a.part, c.from)
                                    : "";
        if (why.empty()) {
          picked.push_back(&c);
          return {};
        }
        if (named) return bad_input(i18n::Text("--subject {}.{}: {}", a.part, c.from, why));
        skipped.push_back({{"from", a.part + "." + c.from}, {"why", why}});
        return {};
      };
      if (!a.subjects.empty()) {
        std::set<std::string> seen;
        for (std::string id : a.subjects) {
          if (id.starts_with(a.part + ".")) id = id.substr(a.part.size() + 1);
          auto it = all.find(id);
          if (it == all.end())
            return fail(bad_input(i18n::Text("--subject {}: part {} holds no subject of that id (antq show {} {}.{})",
                                             id, a.part, a.dir, a.part, id)));
          if (!seen.insert(id).second) continue;
          if (auto s = consider(it->second, true); !s) return fail(s.error());
        }
      } else {
        const std::string wanted = projections::unit_key(a.founded_by);
        for (const auto& [id, c] : all)
          if (a.all || projections::unit_key(c.state.authority.unit) == wanted) (void)consider(c, false);
        if (picked.empty() && skipped.empty() && !a.all)
          return fail(bad_input(
              i18n::Text("--founded-by \"{}\": part {} holds no subject founded by that unit", a.founded_by, a.part)));
      }
      // Origins first: a point carried with its origin names the carried one.
      std::stable_sort(picked.begin(), picked.end(), [](const Carried* x, const Carried* y) {
        return x->state.point_of.empty() > y->state.point_of.empty();
      });
      std::set<std::string> carrying;
      for (const Carried* c : picked) carrying.insert(c->from);
      std::vector<ledger::Submission> batch;
      json out = json::array();
      for (const Carried* c : picked) {
        const std::string as = a.part + "-" + c->from;
        std::string point_of;
        if (const std::string& o = c->state.point_of; !o.empty())
          point_of = carrying.contains(o) || carried_already(o) ? a.part + "-" + o : a.part + "." + o;
        out.push_back({{"from", a.part + "." + c->from}, {"as", as}, {"point_of", point_of}});
        if (a.dry_run) continue;
        json act{{"act", ledger::kSubjectCarriedOver},
                 {"subject", as},
                 {"date", date},
                 {"authority", {{"level", unit->level}, {"unit", unit->unit}}},
                 {"data", {{"part", a.part}, {"from", c->from}, {"record", c->record}}}};
        if (!point_of.empty()) act["data"]["point_of"] = point_of;
        if (!a.number.empty()) act["document"] = {{"number", a.number}};
        auto input = ledger::act_from_json(act, "antq carry-over " + as, ".");
        if (!input) return fail(input.error());
        batch.push_back(unsigned_submission(std::move(*input)));
        batch.back().label = as;
      }
      if (!a.dry_run && !batch.empty()) {
        auto admin = parse_signer(a.admin);
        if (!admin) return fail(admin.error());
        for (auto& submission : batch)
          if (auto s = add_signature(submission, ledger::Role::person, *admin); !s) return fail(s.error());
        auto admission = projections::make_admission(ledger);
        if (!admission) return fail(admission.error());
        auto seqs = ledger.append(batch, **admission);
        if (!seqs) return fail(seqs.error());
        for (std::size_t i = 0; i < seqs->size(); ++i) out[i]["seq"] = (*seqs)[i];
      }
      if (a.json) {
        print_json({{"part", a.part},
                    {"to", unit->unit},
                    {"date", date},
                    {"dry_run", a.dry_run},
                    {"carried", out},
                    {"skipped", skipped}});
        return kOk;
      }
      const i18n::Lang lang = i18n::process_lang();
      for (const auto& c : out) {
        const std::string from = visible(c["from"].get<std::string>()), as = visible(c["as"].get<std::string>());
        const std::string entry =
            c.contains("seq") ? i18n::trf(lang, " (entry {})", c["seq"].get<std::uint64_t>()) : std::string();
        const std::string point = c["point_of"].get<std::string>().empty()
                                      ? std::string()
                                      : i18n::trf(lang, ", a point of {}", visible(c["point_of"].get<std::string>()));
        std::cout << (a.dry_run ? i18n::trf(lang, "would carry {} -> {}{}{}", from, as, entry, point)
                                : i18n::trf(lang, "carried {} -> {}{}{}", from, as, entry, point))
                  << "\n";
      }
      for (const auto& s : skipped)
        std::cout << i18n::trf(lang, "skipped {}: {}", visible(s["from"].get<std::string>()),
                               visible(s["why"].get<std::string>()))
                  << "\n";
      std::cout << (a.dry_run
                        ? i18n::trf(lang, "{} subject(s) of part {} would be carried over to {} ({}) on {}; {} skipped",
                                    out.size(), a.part, visible(unit->unit), unit->level, date, skipped.size())
                        : i18n::trf(lang, "{} subject(s) of part {} carried over to {} ({}) on {}; {} skipped",
                                    out.size(), a.part, visible(unit->unit), unit->level, date, skipped.size()))
                << "\n";
      return kOk;
    };
  });
}

}  // namespace antq::cli
