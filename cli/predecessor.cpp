// Predecessor ledgers taken in: sealed parts as nested ledgers (ledger/FORMAT.md §14).
#include "cli/predecessor.hpp"

#include <cstdio>

#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ledger/act.hpp"
#include "ledger/event.hpp"
#include "projections/admission.hpp"

namespace antq::cli {

namespace fs = std::filesystem;

std::vector<PartReport> verify_sealed_parts(const ledger::Ledger& own) {
  // The act of entry `seq` of `own` (the sealing act, a carry-over), or why it cannot be read.
  auto act_at = [&own](std::uint64_t seq) -> Result<ledger::Act> {
    auto bytes = own.entry_bytes(seq);
    auto entry = bytes ? ledger::decode_entry(*bytes) : Result<ledger::Entry>(bad_input(i18n::Text("no such entry")));
    if (!entry) return std::unexpected(entry.error());
    return ledger::decode_body(entry->event.body);
  };
  std::vector<PartReport> out;
  std::set<std::string> seen;
  for (const std::string& prefix : own.sealed_parts()) {
    seen.insert(prefix);
    PartReport r;
    r.prefix = prefix;
    auto failed = [&](const std::string& why) { r.failures.push_back(fmt::format("sealed part {}: {}", prefix, why)); };
    auto part = own.sealed_part(prefix);
    if (!part) {
      failed(part.error().message);
      out.push_back(std::move(r));
      continue;
    }
    r.part = *part;
    // The act that recorded it.
    auto record = own.state_value("predecessors/" + prefix);
    const auto facts = record ? nlohmann::json::parse(*record, nullptr, false) : nlohmann::json();
    if (!facts.is_object() || !facts.contains("seq") || !facts["seq"].is_number_unsigned()) {
      failed("no ledger.predecessor-sealed entry records it (state predecessors/" + prefix + ")");
    } else {
      const auto seq = facts["seq"].get<std::uint64_t>();
      Bytes held;  // the attachment last looked up (check_sealing_act copies each at once)
      auto act = act_at(seq);
      if (!act || act->act != ledger::kPredecessorSealed) {
        failed(fmt::format("entry {} is not the ledger.predecessor-sealed act that recorded it", seq));
      } else if (auto s = ledger::check_sealing_act(*act, *part, [&held, &own](const Digest& d) -> std::optional<ByteView> {
                   auto content = own.attachment(d);
                   if (!content) return std::nullopt;
                   held = std::move(*content);
                   return ByteView(held);
                 });
                 !s) {
        failed(fmt::format("entry {}: {}", seq, s.error().message));
      }
    }
    // Each subject carried over from it (state carried/<prefix>/<id>): its entry's data.record is the part's record.
    const std::string carried = "carried/" + prefix + "/";
    own.for_each_state(carried, [&](std::string_view key, std::string_view value) {
      ++r.carried;
      const std::string from(key.substr(carried.size()));
      const auto j = nlohmann::json::parse(value, nullptr, false);
      const std::uint64_t seq =
          j.is_object() && j.contains("seq") && j["seq"].is_number_unsigned() ? j["seq"].get<std::uint64_t>() : 0;
      auto act = act_at(seq);
      if (!act || act->act != ledger::kSubjectCarriedOver || act->data.value("from", "") != from) {
        failed(fmt::format("entry {} is not the subject.carried-over act of {}.{} (state {})", seq, prefix, from, key));
        return;
      }
      const auto held = own.sealed_value(prefix, "state", "subject/" + from);
      if (auto s = ledger::check_carried_record(*act, held ? std::optional<std::string_view>(*held) : std::nullopt); !s)
        failed(fmt::format("entry {}: {}", seq, s.error().message));
    });
    // The part as a ledger of its own, judged by its own stored profile.
    auto opened = own.open_part(prefix);
    if (!opened) {
      failed(opened.error().message);
    } else {
      auto replay = projections::make_admission(**opened);
      if (!replay) {
        failed("its profile: " + replay.error().message);
      } else {
        ledger::VerifyOptions o;
        if (part->checkpoint) o.checkpoint = *part->checkpoint;
        ledger::VerifyReport report = (*opened)->verify(o, **replay);
        for (const auto& f : report.failures)
          failed(f.seq ? fmt::format("entry {}: {}", *f.seq, f.reason) : f.reason);
        if (report.ok && report.root != part->root) failed("its root is not the root of its sealed entries");
      }
    }
    out.push_back(std::move(r));
  }
  own.for_each_state("predecessors/", [&](std::string_view key, std::string_view) {
    const std::string prefix(key.substr(std::string_view("predecessors/").size()));
    if (seen.contains(prefix)) return;
    PartReport r;
    r.prefix = prefix;
    r.failures.push_back(fmt::format("sealed part {}: a ledger.predecessor-sealed entry records it, but the `sealed` "
                                     "database does not hold it",
                                     prefix));
    out.push_back(std::move(r));
  });
  return out;
}

}  // namespace antq::cli
