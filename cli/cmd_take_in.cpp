// antq take-in: a merged province's ledger takes in its predecessor's whole history as a sealed part
// (ledger/FORMAT.md §14), recorded by an administrator-signed ledger.predecessor-sealed act.
#include <iostream>

#include <fmt/format.h>

#include "cli/common.hpp"
#include "cli/display.hpp"
#include "cli/operator_key.hpp"
#include "cli/signer.hpp"
#include "ledger/act.hpp"
#include "ledger/event.hpp"
#include "ledger/ledger.hpp"
#include "projections/admission.hpp"

namespace antq::cli {

void add_take_in(CLI::App& app, Action& run) {
  struct Args {
    std::string dir, predecessor, prefix, admin, effective, date, number, operator_key;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("take-in", N_("Take in a predecessor ledger's whole history (a merged province)"));
  cmd->footer(
      "When provinces merge (from 1 July 2025: Hòa Bình into Phú Thọ, Bình Thuận into Lâm Đồng, ...), the new\n"
      "province's ledger takes in the old one's: PREDECESSOR is verified fully under its own stored profile (as\n"
      "`antq verify PREDECESSOR` does: every entry, signature, checkpoint, and its state replayed byte for byte);\n"
      "then ONE write transaction copies every one of its databases, byte for byte, into the database `sealed` of\n"
      "DIR under --prefix (ledger/FORMAT.md §14) and appends the act ledger.predecessor-sealed, signed by DIR's\n"
      "administrator: data prefix, origin (the predecessor's checkpoint origin), size, root (hex), effective;\n"
      "attached, the predecessor's final checkpoint note (item \"checkpoint\") and its operator verifier key (item\n"
      "\"operator.vkey\"). The old ledger is sealed: nothing is appended to the part again; the old directory is\n"
      "not changed.\n"
      "Afterwards `antq verify DIR` checks each sealed part as a nested ledger (its root is the one recorded, the\n"
      "note is signed by the recorded key, its entries replay under its own profile into its own state), and\n"
      "`antq proof inclusion DIR --part HB SEQ` makes proofs that verify against the predecessor's final checkpoint:\n"
      "every proof the old operator gave still checks.\n"
      "Refused [predecessor], nothing written: a prefix that is not 1 to 16 ASCII letters (subjects of the part read\n"
      "as HB.<id>; '.' is in no subject id) or one taken already, an act whose size, root, origin, note or key are\n"
      "not the sealed copy's, a predecessor holding an act dated after --effective (it had ceased by then).\n"
      "A PREDECESSOR that is no ledger, does not verify, is DIR itself or holds sealed parts of its own: one line,\n"
      "exit 2, nothing written. Its open subjects then continue in DIR by `antq carry-over` (which unit takes each).\n"
      "Example (Hòa Bình taken into Phú Thọ on the day of the merger):\n"
      "  antq take-in phu-tho/ hoa-binh/ --prefix HB --effective 2025-07-01 --admin admin.key:admin.crt \\\n"
      "      --number 1234/QĐ-UBND\n"
      "  antq verify phu-tho/\n"
      "  antq proof inclusion phu-tho/ --part HB 7 --json");
  cmd->add_option("DIR", args->dir, "The new ledger, which takes the predecessor in")->required();
  cmd->add_option("PREDECESSOR", args->predecessor, "The predecessor's ledger directory (read, never written)")->required();
  cmd->add_option("--prefix", args->prefix, "The part's prefix: its subjects read as PREFIX.<id> (e.g. HB)")->required();
  cmd->add_option("--admin", args->admin,
                  "KEY:CERT of DIR's administrator, who signs the act (KEY may be a PKCS#11 URI)")
      ->required();
  cmd->add_option("--effective", args->effective, "The day the merger takes effect (YYYY-MM-DD)")->required();
  cmd->add_option("--date", args->date, "Date of the decision (YYYY-MM-DD; default: --effective)");
  cmd->add_option("--number", args->number, "Number and symbol of the decision, if there is one");
  cmd->add_option("--operator-key", args->operator_key,
                  "DIR's operator key, a file or a PKCS#11 URI (else ANTQ_OPERATOR_KEY, else the default file: "
                  "antq append --help)");
  cmd->add_flag("--json", args->json, "JSON: seq, prefix, origin, size, root, effective");
  cmd->callback([args, &run] {
    run = [args]() -> int {
      auto admin = parse_signer(args->admin);
      if (!admin) return fail(admin.error());
      if (!ledger::is_date(args->effective))
        return fail(bad_input(i18n::Text("--effective: expected a date YYYY-MM-DD, got \"{}\"", args->effective)));
      if (!ledger::valid_part_prefix(args->prefix))
        return fail(refused("predecessor", i18n::Text("--prefix \"{}\": 1 to {} ASCII letters (the part's subjects "
                                                      "read as <prefix>.<id>)",
                                                      args->prefix, ledger::kMaxPartPrefix)));
      std::error_code ec;
      if (std::filesystem::equivalent(args->dir, args->predecessor, ec))
        return fail(bad_input(
            i18n::Text("predecessor {} is {} itself: a ledger cannot take itself in", args->predecessor, args->dir)));
      // The predecessor, verified fully under its own stored profile before anything is signed or written.
      auto predecessor = ledger::Ledger::open(args->predecessor, {.check_structure = true});
      if (!predecessor)
        return fail(bad_input(i18n::Text("predecessor {}: {}", args->predecessor, text_of(predecessor.error()))));
      {
        auto replay = projections::make_admission(**predecessor);
        if (!replay)
          return fail(
              bad_input(i18n::Text("predecessor {}: its profile: {}", args->predecessor, text_of(replay.error()))));
        ledger::VerifyReport report = (*predecessor)->verify({}, **replay);
        if (!report.ok) {
          const auto& f = report.failures.front();
          return fail(bad_input(i18n::Text("predecessor {} does not verify ({}{}); antq verify {} names every problem",
                                           args->predecessor, f.seq ? fmt::format("entry {}: ", *f.seq) : "", f.reason,
                                           args->predecessor)));
        }
      }
      // The predecessor ceased on the effective day: an act dated after it is not the predecessor's to have made.
      {
        std::optional<Error> late;
        const auto each = [&](std::uint64_t seq, ByteView bytes) -> Status {
          auto entry = ledger::decode_entry(bytes);
          auto act =
              entry ? ledger::decode_body(entry->event.body) : Result<ledger::Act>(std::unexpected(entry.error()));
          if (!act) return std::unexpected(act.error());
          if (act->date > args->effective && !late)
            late = refused("predecessor", i18n::Text("predecessor {}: entry {} ({} of {}) is dated {}, after the "
                                                     "merger took effect on {}: the acts of a province that has "
                                                     "ceased are not taken in (is --effective right?)",
                                                     args->predecessor, seq, act->act, visible(act->subject), act->date,
                                                     args->effective))
                       .error();
          return {};
        };
        auto s = (*predecessor)->for_each_entry(0, (*predecessor)->size(), each);
        if (!s) return fail(s.error());
        if (late) return fail(*late);
      }
      auto ledger = open_for_append(args->dir, args->operator_key);
      if (!ledger) return fail(ledger.error());
      const ledger::LedgerInfo& old = (*predecessor)->info();
      const std::uint64_t size = (*predecessor)->size();
      const std::string root = to_hex((*predecessor)->root(size));
      const std::string note = (*predecessor)->checkpoint();
      const Bytes note_bytes(note.begin(), note.end());
      const Bytes vkey_bytes(old.verifier_key.begin(), old.verifier_key.end());
      nlohmann::json act{
          {"act", ledger::kPredecessorSealed},
          {"subject", ledger::kLedgerSubject},
          {"date", args->date.empty() ? args->effective : args->date},
          {"attachments",
           {{{"item", "checkpoint"}, {"media_type", "text/plain"}, {"sha256", to_hex(sha256(note_bytes))},
             {"size", note_bytes.size()}},
            {{"item", "operator.vkey"}, {"media_type", "text/plain"}, {"sha256", to_hex(sha256(vkey_bytes))},
             {"size", vkey_bytes.size()}}}},
          {"data",
           {{"prefix", args->prefix}, {"origin", old.origin}, {"size", size}, {"root", root},
            {"effective", args->effective}}}};
      if (!args->number.empty()) act["document"] = {{"number", args->number}};
      auto input = ledger::act_from_json(act, "antq take-in", ".");
      if (!input) return fail(input.error());
      input->attachment_contents.push_back(note_bytes);
      input->attachment_contents.push_back(vkey_bytes);
      ledger::Submission submission = unsigned_submission(std::move(*input));
      submission.label = "take-in " + args->prefix;
      if (auto s = add_signature(submission, ledger::Role::person, *admin); !s) return fail(s.error());
      auto admission = projections::make_admission(**ledger);
      if (!admission) return fail(admission.error());
      auto seq = (*ledger)->take_in(**predecessor, args->prefix, submission, **admission);
      if (!seq) return fail(seq.error());
      if (args->json) {
        print_json({{"seq", *seq}, {"prefix", args->prefix}, {"origin", old.origin}, {"size", size}, {"root", root},
                    {"effective", args->effective}});
        return kOk;
      }
      std::cout << i18n::trf(i18n::process_lang(), "entry {}: {} ({} entries, root {}) sealed as part {}, effective {}",
                             *seq, visible(old.origin), size, root, args->prefix, args->effective)
                << "\n";
      return kOk;
    };
  });
}

}  // namespace antq::cli
