// antq backup: a consistent copy of a live ledger, verified before it is called a backup.
#include <unistd.h>

#include <iostream>

#include "cli/common.hpp"
#include "cli/display.hpp"
#include "cli/report.hpp"
#include "ledger/access_log.hpp"
#include "ledger/ledger.hpp"
#include "projections/admission.hpp"

namespace antq::cli {
namespace {

namespace fs = std::filesystem;

// A step of the backup on stderr, in the reader's language, only when stderr is a terminal (as progress_printer).
void step(const i18n::Text& what) {
  if (isatty(STDERR_FILENO))
    std::fprintf(stderr, "%s\n", visible(i18n::Text("backup: {}", what).str(i18n::process_lang())).c_str());
}

}  // namespace

void add_backup(CLI::App& app, Action& run) {
  struct Args {
    std::string dir, dest;
    unsigned jobs = 0;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd =
      app.add_subcommand("backup", N_("Copy a ledger consistently, even while it is appended to, and verify the copy"));
  cmd->footer(
      "`cp` of a live ledger is not a backup. LMDB writes an append's pages in place and then switches a meta page\n"
      "to them, reusing pages freed two appends before; a copy made with cp, rsync or tar while appends commit mixes\n"
      "pages of several moments, and may hold a tree that no moment ever had (a meta page naming pages rewritten\n"
      "since). `antq verify` names such a copy a damaged store, or finds nothing wrong until an append on it\n"
      "overwrites live pages.\n\n"
      "antq backup reads one snapshot through LMDB (mdb_env_copy2, compacted: live pages only), so appends may go on\n"
      "meanwhile. It first checks the structure of the ledger's data.mdb (a damaged store is not copied), then writes\n"
      "DEST/data.mdb and DEST/operator.vkey (the operator's verifier key; never operator.key, the private key, which\n"
      "belongs apart from every copy), flushes them to disk, and verifies the copy as `antq verify` does (structure,\n"
      "every entry, the tree, checkpoints, signatures, attachments, the admission rules replayed), and checks that\n"
      "its root is the source's root at that size. The service's access history (DIR/access/), when there is one,\n"
      "is copied the same way to DEST/access/ and verified there. Only then it says OK.\n\n"
      "DEST is created and must not exist. Exit 0: DEST is a verified backup. Exit 1: no backup (the source is\n"
      "damaged, or the copy failed), or a copy that must not be trusted (it failed verification; it is kept for\n"
      "inspection). Exit 2: bad usage (DEST exists, DIR holds no ledger).\n\n"
      "DEST is itself a ledger directory: `antq verify DEST` rechecks it at any time, and every reading command\n"
      "opens it, also from read-only media. Keep a checkpoint (`antq checkpoint DIR`) apart from it to prove later\n"
      "that a restored ledger extends what you saw.\n"
      "Example: antq backup ./ledger /mnt/archive/ledger-2024-11-15\n"
      "JSON: ok, source, dest, entries, root, bytes, source_bytes, verify (ok, entries, root, signatures,\n"
      "checkpoints, attachments, failures[]), error");
  cmd->add_option("DIR", args->dir, "The ledger")->required();
  cmd->add_option("DEST", args->dest, "The backup directory (created; must not exist)")->required();
  cmd->add_option("--jobs", args->jobs, "Threads for verifying the copy (default: all cores)");
  cmd->add_flag("--json", args->json, "Print the result as JSON");
  cmd->callback([args, &run] {
    run = [args]() -> int {
      const fs::path dir = args->dir, dest = args->dest;
      std::error_code ec;
      if (fs::exists(fs::symlink_status(dest, ec)))
        return fail(bad_input(i18n::Text("{} exists: a backup goes into a new directory", dest.string())));
      fs::path parent = fs::absolute(dest, ec).lexically_normal();
      if (!parent.has_filename()) parent = parent.parent_path();  // "DEST/"
      parent = parent.parent_path();
      if (!fs::is_directory(parent, ec))
        return fail(bad_input(i18n::Text("{}: no such directory to hold the backup", parent.string())));

      // A failure after the start: one line, exit 1, in the reader's language (in English in the JSON, as verify's
      // reasons). `made` says whether DEST holds a copy that must not be trusted.
      nlohmann::json out{{"ok", false}, {"source", dir.string()}, {"dest", dest.string()}};
      auto failed = [&](const i18n::Text& why, bool made) {
        const i18n::Text line =
            made ? i18n::Text("backup FAILED: {}; the copy in {} must not be trusted (kept for inspection; delete it)",
                              why, dest.string())
                 : i18n::Text("backup FAILED: {}; no backup was made", why);
        if (args->json) {
          out["error"] = line.str();
          print_json(out);
        } else {
          std::fprintf(stderr, "%s\n", visible(line.str(i18n::process_lang())).c_str());
        }
        return kCheckFailed;
      };

      step(i18n::Text("checking the structure of {}", (dir / "data.mdb").string()));
      auto source = ledger::Ledger::open(dir, {.check_structure = true});
      if (!source) {
        if (source.error().kind != ErrorKind::corruption) return fail(source.error());
        return failed(line_text(source.error()), false);
      }
      if (!fs::create_directory(dest, ec) || ec)
        return fail(io_error(i18n::Text("cannot create {}: {}", dest.string(), ec ? ec.message() : "it exists")));
      fs::permissions(dest, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec, ec);

      step(i18n::Text("copying one snapshot into {}", (dest / "data.mdb").string()));
      auto copy = (*source)->copy_to(dest);
      if (!copy) {
        fs::remove(dest / "data.mdb", ec);
        fs::remove(dest / "operator.vkey", ec);
        fs::remove(dest, ec);
        return failed(line_text(copy.error()), false);
      }
      out["bytes"] = copy->bytes;
      const std::uintmax_t source_bytes = fs::file_size(dir / "data.mdb", ec);
      out["source_bytes"] = ec ? 0 : source_bytes;

      step(i18n::Text("verifying the copy"));
      auto backup = ledger::Ledger::open(dest, {.check_structure = true});
      if (!backup) return failed(i18n::Text("the copy does not open: {}", line_text(backup.error())), true);
      if (auto vkey = read_text(dest / "operator.vkey", 64u << 10, N_("the copy's verifier key"));
          !vkey || *vkey != (*backup)->info().verifier_key + "\n")
        return failed(i18n::Text("the copy's operator.vkey is not the ledger's verifier key"), true);
      auto admission = projections::make_admission(**backup);
      if (!admission)
        return failed(i18n::Text("the copy's rules cannot be replayed: {}", line_text(admission.error())), true);
      ledger::VerifyOptions o;
      o.jobs = args->jobs;
      if (!args->json) o.progress = progress_printer("verify copy");
      const ledger::VerifyReport report = (*backup)->verify(o, **admission);
      out["entries"] = report.entries;
      out["root"] = to_hex(report.root);
      out["verify"] = report_json(report);
      if (!report.ok) {
        const auto& first = report.failures.front();
        return failed(
            i18n::Text("the copy fails verification ({} problem(s); first: {}{}; `antq verify {}` lists them)",
                       report.failures.size(), first.seq ? fmt::format("seq {}: ", *first.seq) : "",
                       first.text.empty() ? i18n::Text::verbatim(first.reason) : first.text, dest.string()),
            true);
      }
      // The copy is of this ledger: the source's stored tree has the same root at the copy's size.
      if (report.entries > (*source)->size() || (*source)->root(report.entries) != report.root)
        return failed(i18n::Text("the copy's root at size {} is not the source's", report.entries), true);

      // The service's access history (DIR/access/), when there is one: copied, then verified in the copy against the
      // ledger's operator key.
      std::optional<ledger::AccessLogReport> access;
      if (ledger::AccessLog::exists(dir)) {
        step(i18n::Text("copying and verifying the access history"));
        auto log = ledger::AccessLog::open_reader(dir);
        if (!log) return failed(i18n::Text("the access history: {}", line_text(log.error())), true);
        if (auto copied = (*log)->copy_to(dest); !copied)
          return failed(i18n::Text("the access history: {}", line_text(copied.error())), true);
        auto copy_log = ledger::AccessLog::open_reader(dest);
        auto key = ledger::parse_verifier_key((*backup)->info().verifier_key);
        if (!copy_log || !key)
          return failed(i18n::Text("the copy of the access history does not open: {}",
                                   line_text(!copy_log ? copy_log.error() : key.error())),
                        true);
        access = (*copy_log)->verify(*key);
        out["access_log"] = {{"records", access->records}, {"root", to_hex(access->root)}, {"ok", access->ok()}};
        if (!access->ok())
          return failed(i18n::Text("the copy of the access history fails verification: {}",
                                   i18n::Text::verbatim(access->failures.front())),
                        true);
      }

      out["ok"] = true;
      if (args->json) {
        print_json(out);  // json_text: every string exactly, nothing a terminal acts on
        return kOk;
      }
      // Paths are shown through visible(), as every text from outside.
      const i18n::Lang lang = i18n::process_lang();
      const auto label = [&](const i18n::Msg& word) { return field_label(lang, word); };
      std::cout << label(NC_("verify", "backup")) << visible(dest.string()) << "\n"
                << label(NC_("verify", "source")) << visible(dir.string()) << "\n"
                << label(NC_("verify", "entries")) << report.entries << "\n"
                << label(NC_("verify", "root")) << to_hex(report.root) << "\n"
                << label(NC_("verify", "size"))
                << i18n::trf(lang, "{} bytes (data.mdb, compacted; the source's is {} bytes)", copy->bytes,
                             out["source_bytes"].get<std::uint64_t>())
                << "\n"
                << label(NC_("verify", "verified"))
                << i18n::trf(lang, "{} signatures, {} checkpoints, {} attachments verify in the copy",
                             report.signatures, report.checkpoints, report.attachments)
                << "\n";
      if (access)
        std::cout << label(NC_("verify", "access log"))
                  << i18n::trf(lang, "{} records, root {}: copied, and verify in the copy", access->records,
                               to_hex(access->root))
                  << "\n";
      std::cout << label(NC_("verify", "result"))
                << i18n::trf(lang, "OK: {} is a verified backup (operator.vkey beside it; operator.key is not copied)",
                             visible(dest.string()))
                << "\n";
      return kOk;
    };
  });
}

}  // namespace antq::cli
