// antq proof inclusion | consistency: RFC 9162 proofs from the stored tree.
#include <iostream>

#include "cli/common.hpp"
#include "ledger/ledger.hpp"
#include "ledger/merkle.hpp"

namespace antq::cli {
namespace {

nlohmann::json hex_list(const std::vector<Digest>& proof) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : proof) out.push_back(to_hex(d));
  return out;
}

void print_table(const std::vector<std::pair<std::string, std::string>>& rows, const std::vector<Digest>& proof) {
  for (const auto& [k, v] : rows) std::cout << fmt::format("{:<13}{}\n", k, v);
  for (std::size_t i = 0; i < proof.size(); ++i)
    std::cout << fmt::format("{:<13}{}\n", i == 0 ? "proof" : "", to_hex(proof[i]));
  if (proof.empty()) std::cout << fmt::format("{:<13}(empty)\n", "proof");
}

}  // namespace

void add_proof(CLI::App& app, Action& run) {
  struct Args {
    std::string dir;
    std::uint64_t seq = 0, size = 0, first = 0, second = 0;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("proof", "RFC 9162 inclusion and consistency proofs");
  cmd->require_subcommand(1);
  auto* inc = cmd->add_subcommand("inclusion", "Prove that entry SEQ is in the tree of --size entries");
  inc->footer("Any RFC 9162 / RFC 6962 verifier accepts the proof; hashes are lower-case hex.");
  inc->add_option("DIR", args->dir, "The ledger")->required();
  inc->add_option("SEQ", args->seq, "The entry")->required();
  inc->add_option("--size", args->size, "Tree size (default: the current size)");
  inc->add_flag("--json", args->json, "JSON: seq, size, leaf_hash, root, proof[]");
  inc->callback([args, &run] {
    run = [args]() -> int {
      auto ledger = ledger::Ledger::open(args->dir);
      if (!ledger) return fail(ledger.error());
      const std::uint64_t current = (*ledger)->size();
      const std::uint64_t size = args->size ? args->size : current;
      if (size > current) return fail(bad_input(fmt::format("--size {}: the ledger has only {} entries", size, current)));
      if (args->seq >= size) return fail(bad_input(fmt::format("seq {} is not in a tree of {} entries", args->seq, size)));
      auto bytes = (*ledger)->entry_bytes(args->seq);
      if (!bytes) return fail(bad_input(fmt::format("entry {} cannot be read", args->seq)));
      auto proof = (*ledger)->inclusion_proof(args->seq, size);
      Digest leaf = ledger::leaf_hash(*bytes), root = (*ledger)->root(size);
      if (args->json) {
        print_json({{"seq", args->seq}, {"size", size}, {"leaf_hash", to_hex(leaf)}, {"root", to_hex(root)}, {"proof", hex_list(proof)}});
      } else {
        print_table({{"seq", std::to_string(args->seq)}, {"size", std::to_string(size)}, {"leaf_hash", to_hex(leaf)}, {"root", to_hex(root)}}, proof);
      }
      return kOk;
    };
  });
  auto* con = cmd->add_subcommand("consistency", "Prove that the tree of M entries is a prefix of the tree of N");
  con->footer("Any RFC 9162 / RFC 6962 verifier accepts the proof; hashes are lower-case hex.");
  con->add_option("DIR", args->dir, "The ledger")->required();
  con->add_option("M", args->first, "Older size")->required();
  con->add_option("N", args->second, "Newer size")->required();
  con->add_flag("--json", args->json, "JSON: first, second, first_root, second_root, proof[]");
  con->callback([args, &run] {
    run = [args]() -> int {
      auto ledger = ledger::Ledger::open(args->dir);
      if (!ledger) return fail(ledger.error());
      const std::uint64_t current = (*ledger)->size();
      if (args->first == 0 || args->first > args->second || args->second > current)
        return fail(bad_input(fmt::format("need 0 < M <= N <= {} (the current size), got M={} N={}", current, args->first, args->second)));
      auto proof = (*ledger)->consistency_proof(args->first, args->second);
      Digest r1 = (*ledger)->root(args->first), r2 = (*ledger)->root(args->second);
      if (args->json) {
        print_json({{"first", args->first}, {"second", args->second}, {"first_root", to_hex(r1)}, {"second_root", to_hex(r2)}, {"proof", hex_list(proof)}});
      } else {
        print_table({{"first", std::to_string(args->first)}, {"second", std::to_string(args->second)},
                     {"first_root", to_hex(r1)}, {"second_root", to_hex(r2)}}, proof);
      }
      return kOk;
    };
  });
}

}  // namespace antq::cli
