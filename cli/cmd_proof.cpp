// antq proof inclusion | consistency: RFC 9162 proofs from the stored tree.
#include <iostream>

#include "cli/common.hpp"
#include "cli/queries.hpp"
#include "ledger/ledger.hpp"
#include "ledger/merkle.hpp"

namespace antq::cli {
namespace {

nlohmann::json hex_list(const std::vector<Digest>& proof) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : proof) out.push_back(to_hex(d));
  return out;
}

void print_proof_table(const std::vector<std::pair<std::string, std::string>>& rows, const std::vector<Digest>& proof) {
  for (const auto& [k, v] : rows) std::cout << fmt::format("{:<13}{}\n", k, v);
  for (std::size_t i = 0; i < proof.size(); ++i)
    std::cout << fmt::format("{:<13}{}\n", i == 0 ? "proof" : "", to_hex(proof[i]));
  if (proof.empty()) std::cout << fmt::format("{:<13}(empty)\n", "proof");
}

// The proof of entry `seq` in the tree of `size` entries (0: the current size), its leaf and root.
struct Inclusion {
  std::uint64_t seq = 0, size = 0;
  Digest leaf{}, root{};
  std::vector<Digest> proof;
};

Result<Inclusion> inclusion_of(const ledger::Ledger& ledger, std::uint64_t seq, std::uint64_t asked) {
  const std::uint64_t current = ledger.size();
  const std::uint64_t size = asked ? asked : current;
  if (size > current) return bad_input(i18n::Text("--size {}: the ledger has only {} entries", size, current));
  if (seq >= size) return bad_input(i18n::Text("seq {} is not in a tree of {} entries", seq, size));
  auto bytes = ledger.entry_bytes(seq);
  if (!bytes) return bad_input(i18n::Text("entry {} cannot be read", seq));
  return Inclusion{seq, size, ledger::leaf_hash(*bytes), ledger.root(size), ledger.inclusion_proof(seq, size)};
}

// The proof that the tree of `first` entries is a prefix of the tree of `second`, and both roots.
struct Consistency {
  std::uint64_t first = 0, second = 0;
  Digest first_root{}, second_root{};
  std::vector<Digest> proof;
};

Result<Consistency> consistency_of(const ledger::Ledger& ledger, std::uint64_t first, std::uint64_t second) {
  const std::uint64_t current = ledger.size();
  if (first == 0 || first > second || second > current)
    return bad_input(i18n::Text("need 0 < M <= N <= {} (the current size), got M={} N={}", current, first, second));
  return Consistency{first, second, ledger.root(first), ledger.root(second), ledger.consistency_proof(first, second)};
}

// The sealed part `prefix` as a ledger (null when `prefix` is empty: the ledger itself).
Result<std::unique_ptr<ledger::Ledger>> sealed(const ledger::Ledger& own, const std::string& prefix) {
  if (prefix.empty()) return std::unique_ptr<ledger::Ledger>();
  if (!ledger::valid_part_prefix(prefix))
    return bad_input(i18n::Text("--part \"{}\": a prefix is 1 to {} ASCII letters", prefix, ledger::kMaxPartPrefix));
  return own.open_part(prefix);
}

nlohmann::json inclusion_json(const Inclusion& i) {
  return {{"seq", i.seq}, {"size", i.size}, {"leaf_hash", to_hex(i.leaf)}, {"root", to_hex(i.root)}, {"proof", hex_list(i.proof)}};
}

nlohmann::json consistency_json(const Consistency& c) {
  return {{"first", c.first}, {"second", c.second}, {"first_root", to_hex(c.first_root)},
          {"second_root", to_hex(c.second_root)}, {"proof", hex_list(c.proof)}};
}

}  // namespace

Result<queries::Json> queries::proof_inclusion(const ledger::Ledger& ledger, std::uint64_t seq, std::uint64_t size) {
  auto i = inclusion_of(ledger, seq, size);
  if (!i) return std::unexpected(i.error());
  return inclusion_json(*i);
}

Result<queries::Json> queries::proof_consistency(const ledger::Ledger& ledger, std::uint64_t first, std::uint64_t second) {
  auto c = consistency_of(ledger, first, second);
  if (!c) return std::unexpected(c.error());
  return consistency_json(*c);
}

void add_proof(CLI::App& app, Action& run) {
  struct Args {
    std::string dir, part;
    std::uint64_t seq = 0, size = 0, first = 0, second = 0;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("proof", N_("RFC 9162 inclusion and consistency proofs"));
  cmd->require_subcommand(1);
  auto* inc = cmd->add_subcommand("inclusion", N_("Prove that entry SEQ is in the tree of --size entries"));
  inc->footer(
      "Any RFC 9162 / RFC 6962 verifier accepts the proof; hashes are lower-case hex.\n"
      "With --part HB: the proof is made in the sealed copy of the predecessor taken in as HB (antq take-in), whose\n"
      "entries, tree and checkpoints are the predecessor's byte for byte: it verifies against the predecessor's final\n"
      "checkpoint (the note attached to the ledger.predecessor-sealed act), as the old operator's proofs do.\n"
      "Example: antq proof inclusion phu-tho/ --part HB 7 --json");
  inc->add_option("DIR", args->dir, "The ledger")->required();
  inc->add_option("SEQ", args->seq, "The entry")->required();
  inc->add_option("--size", args->size, "Tree size (default: the current size)");
  inc->add_option("--part", args->part,
                  "A predecessor taken in (antq take-in --prefix): prove SEQ of its sealed entries instead");
  inc->add_flag("--json", args->json, "JSON: seq, size, leaf_hash, root, proof[]");
  inc->callback([args, &run] {
    run = [args]() -> int {
      auto ledger = ledger::Ledger::open(args->dir);
      if (!ledger) return fail(ledger.error());
      auto part = sealed(**ledger, args->part);
      if (!part) return fail(part.error());
      auto i = inclusion_of(*part ? **part : **ledger, args->seq, args->size);
      if (!i) return fail(i.error());
      if (args->json) print_json(inclusion_json(*i));
      else
        print_proof_table({{"seq", std::to_string(i->seq)},
                           {"size", std::to_string(i->size)},
                           {"leaf_hash", to_hex(i->leaf)},
                           {"root", to_hex(i->root)}},
                          i->proof);
      return kOk;
    };
  });
  auto* con = cmd->add_subcommand("consistency", N_("Prove that the tree of M entries is a prefix of the tree of N"));
  con->footer("Any RFC 9162 / RFC 6962 verifier accepts the proof; hashes are lower-case hex.");
  con->add_option("DIR", args->dir, "The ledger")->required();
  con->add_option("M", args->first, "Older size")->required();
  con->add_option("N", args->second, "Newer size")->required();
  con->add_option("--part", args->part, "A predecessor taken in (antq take-in --prefix): its sealed tree instead");
  con->add_flag("--json", args->json, "JSON: first, second, first_root, second_root, proof[]");
  con->callback([args, &run] {
    run = [args]() -> int {
      auto ledger = ledger::Ledger::open(args->dir);
      if (!ledger) return fail(ledger.error());
      auto part = sealed(**ledger, args->part);
      if (!part) return fail(part.error());
      auto c = consistency_of(*part ? **part : **ledger, args->first, args->second);
      if (!c) return fail(c.error());
      if (args->json) print_json(consistency_json(*c));
      else
        print_proof_table({{"first", std::to_string(c->first)},
                           {"second", std::to_string(c->second)},
                           {"first_root", to_hex(c->first_root)},
                           {"second_root", to_hex(c->second_root)}},
                          c->proof);
      return kOk;
    };
  });
}

}  // namespace antq::cli
