#include "cli/report.hpp"

#include <iostream>

#include "cli/common.hpp"

namespace antq::cli {

void print_report(const ledger::VerifyReport& r, bool json, const std::string& what) {
  if (json) {
    nlohmann::json failures = nlohmann::json::array();
    for (const auto& f : r.failures)
      failures.push_back({{"seq", f.seq ? nlohmann::json(*f.seq) : nlohmann::json(nullptr)}, {"reason", f.reason}});
    print_json({{"ok", r.ok},
                {"entries", r.entries},
                {"root", to_hex(r.root)},
                {"signatures", r.signatures},
                {"checkpoints", r.checkpoints},
                {"attachments", r.attachments},
                {"failures", failures}});
    return;
  }
  std::cout << fmt::format("{:<13}{}\n", "verified", what)
            << fmt::format("{:<13}{}\n", "entries", r.entries)
            << fmt::format("{:<13}{}\n", "signatures", r.signatures)
            << fmt::format("{:<13}{}\n", "checkpoints", r.checkpoints)
            << fmt::format("{:<13}{}\n", "attachments", r.attachments)
            << fmt::format("{:<13}{}\n", "root", to_hex(r.root));
  if (r.ok) {
    std::cout << fmt::format("{:<13}{}\n", "result", "OK: every entry, checkpoint and signature verifies");
    return;
  }
  const auto& first = r.failures.front();
  std::cout << fmt::format("{:<13}FAILED: {} problem(s); first: {}{}\n", "result", r.failures.size(),
                           first.seq ? fmt::format("seq {}: ", *first.seq) : std::string(), first.reason);
  std::size_t shown = 0;
  for (const auto& f : r.failures) {
    if (++shown > 20) {
      std::cout << fmt::format("  ... and {} more (use --json for all)\n", r.failures.size() - 20);
      break;
    }
    std::cout << fmt::format("  {:<10} {}\n", f.seq ? fmt::format("seq {}", *f.seq) : std::string("-"), f.reason);
  }
}

}  // namespace antq::cli
