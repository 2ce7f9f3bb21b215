// antq trust: the ledger's trust store beyond what `antq init` set (certificate revocation lists).
#include <iostream>

#include <fmt/format.h>

#include "cli/common.hpp"
#include "cli/display.hpp"
#include "ledger/ledger.hpp"

namespace antq::cli {

void add_trust(CLI::App& app, Action& run) {
  auto* trust = app.add_subcommand("trust", "The trust store: add certificate revocation lists");
  trust->require_subcommand(1);
  struct Args {
    std::string dir, file;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* add = trust->add_subcommand("add-crl", "Add a CRL (DER or PEM) of a CA the ledger trusts");
  add->footer(
      "The CRL's signature is checked against its issuer, which must be a trusted root or a known intermediate.\n"
      "From then on `append` refuses, and `verify` reports, any signature made when a certificate of its chain\n"
      "was already revoked; a signature made before the revocation stays valid. Example:\n"
      "  antq trust add-crl ./ledger province-ca.crl");
  add->add_option("DIR", args->dir, "The ledger")->required();
  add->add_option("FILE", args->file, "The CRL file (DER or PEM \"X509 CRL\")")->required();
  add->add_flag("--json", args->json, "JSON: issuer, this_update, next_update, revoked, sha256, already_held");
  add->callback([args, &run] {
    run = [args]() -> int {
      auto der = signing::read_crl(args->file);
      if (!der) return fail(der.error());
      auto ledger = ledger::Ledger::open(args->dir);
      if (!ledger) return fail(ledger.error());
      auto added = (*ledger)->add_crl(*der);
      if (!added) return fail(Error{added.error().kind, added.error().rule, args->file + ": " + added.error().message});
      const auto& i = added->info;
      std::string next = i.next_update ? signing::format_vietnam_time(*i.next_update) : "";
      if (args->json) {
        print_json({{"issuer", i.issuer},
                    {"this_update", signing::format_vietnam_time(i.this_update)},
                    {"next_update", i.next_update ? nlohmann::json(next) : nlohmann::json(nullptr)},
                    {"revoked", i.revoked},
                    {"sha256", to_hex(added->fingerprint)},
                    {"already_held", added->already_held}});
        return kOk;
      }
      std::cout << fmt::format("{} the CRL of {}: issued {}{}, {} revoked certificate{}\n",
                               added->already_held ? "already held" : "added", visible(i.issuer),
                               signing::format_vietnam_time(i.this_update), next.empty() ? "" : ", next update " + next,
                               i.revoked, i.revoked == 1 ? "" : "s");
      return kOk;
    };
  });
}

}  // namespace antq::cli
