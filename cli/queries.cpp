// What the queries of cli/queries.hpp share: the reader's scope, and the record of the last verification. The
// queries themselves are in the command files (cmd_show.cpp, cmd_stats.cpp, ...), beside what their commands print.
#include "cli/queries.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "cli/common.hpp"
#include "ledger/act.hpp"
#include "ledger/event.hpp"
#include "projections/authority.hpp"
#include "projections/names.hpp"
#include "projections/retention.hpp"
#include "projections/units.hpp"
#include "signing/file.hpp"
#include "signing/signing.hpp"

namespace antq::cli::queries {

namespace fs = std::filesystem;

Result<bool> subject_in_scope(const ledger::Ledger& ledger, const std::string& id, const Scope& scope) {
  projections::SubjectReader reader(ledger);
  if (scope.whole()) return reader.holds(id);  // the question every read asks first: no need to read the state
  auto s = reader.current(id);
  if (!s) return false;
  if (s->is_founded()) return scope.covers(s->authority.unit, s->authority.level, id);
  // Not founded yet (surveyed, proposed): the authority of its first act, which began the subject.
  if (s->entries.empty()) return false;
  const std::uint64_t seq = s->entries.front();
  auto bytes = ledger.entry_bytes(seq);
  if (!bytes) return corruption(i18n::Text("{}: the state names entry {}, which the ledger does not have", id, seq));
  auto entry = ledger::decode_entry(*bytes);
  if (!entry) return corruption(i18n::Text("entry {}: {}", seq, text_of(entry.error())));
  auto act = ledger::decode_body(entry->event.body);
  if (!act) return corruption(i18n::Text("entry {}: {}", seq, text_of(act.error())));
  return scope.covers(act->authority.unit, act->authority.level, id);
}

Result<bool> entry_in_scope(const ledger::Ledger& ledger, std::uint64_t seq, const Scope& scope) {
  if (seq >= ledger.size()) return false;
  if (scope.whole()) return true;
  auto bytes = ledger.entry_bytes(seq);
  if (!bytes) return corruption(i18n::Text("entry {}: {}", seq, i18n::Text("no such entry")));
  auto entry = ledger::decode_entry(*bytes);
  if (!entry) return corruption(i18n::Text("entry {}: {}", seq, text_of(entry.error())));
  auto act = ledger::decode_body(entry->event.body);
  if (!act) return corruption(i18n::Text("entry {}: {}", seq, text_of(act.error())));
  if (act->subject == "ledger") return false;
  return subject_in_scope(ledger, act->subject, scope);
}

Result<std::string> resolve_unit(const ledger::Ledger& ledger, const std::string& typed, const Scope& scope) {
  if (typed.empty()) return typed;
  const projections::LedgerState state(ledger);
  // The registered units (projections/units.hpp) inside the scope, by their names and aliases: the registered name.
  std::vector<std::pair<std::string, std::string>> names;  // (a name users may type, the name it resolves to)
  for (const auto& u : projections::registered_units(state)) {
    if (!scope.covers(u.name, u.level) &&
        std::none_of(u.aliases.begin(), u.aliases.end(), [&](const auto& a) { return scope.covers(a, u.level); }))
      continue;
    names.emplace_back(u.name, u.name);
    for (const auto& a : u.aliases) names.emplace_back(a, u.name);
  }
  // A registered name or alias as typed: the answer the loops below would give first, without reading every subject.
  for (const auto& [name, resolved] : names)
    if (name == typed) return resolved;
  // The units the ledger knows inside the scope: those that founded (or began) a subject, those holding a binding.
  std::set<std::string> units;
  projections::SubjectReader reader(ledger);
  for (const auto& id : projections::subject_ids(ledger))
    if (auto s = reader.current(id);
        s && !s->authority.unit.empty() && scope.covers(s->authority.unit, s->authority.level, id))
      units.insert(s->authority.unit);
  ledger.for_each_state("authority/", [&](std::string_view key, std::string_view) {
    if (auto certificate = digest_from_hex(key.substr(std::string_view("authority/").size())))
      for (const auto& b : projections::bindings_of(state, *certificate))
        if (!b.unit.empty() && scope.covers(b.unit, b.level)) units.insert(b.unit);
  });
  for (const auto& u : units) names.emplace_back(u, u);
  for (const auto& [name, resolved] : names)
    if (name == typed) return resolved;
  const std::string wanted = projections::unit_key(typed);
  std::vector<std::pair<std::size_t, std::string>> nearest;
  for (const auto& [name, resolved] : names) {
    const std::string f = projections::unit_key(name);
    if (f == wanted) return resolved;
    nearest.emplace_back(projections::edit_distance(f, wanted), name);
  }
  std::sort(nearest.begin(), nearest.end());
  nearest.erase(std::unique(nearest.begin(), nearest.end()), nearest.end());
  std::string shown;
  for (std::size_t i = 0; i < nearest.size() && i < 3; ++i) shown += (i ? ", " : "") + nearest[i].second;
  if (shown.empty()) return bad_input(i18n::Text("--unit \"{}\": no unit of that name in the ledger (it holds none)", typed));
  return bad_input(i18n::Text("--unit \"{}\": no unit of that name in the ledger; nearest: {}", typed, shown));
}

std::function<bool(std::string_view)> unit_cover(const ledger::Ledger& ledger, const std::string& unit,
                                                 const std::string& date) {
  if (unit.empty()) return {};
  const projections::LedgerState state(ledger);
  auto tree = std::make_shared<const projections::UnitTree>(projections::registered_units(state),
                                                            projections::reorganisations(state), date);
  return [tree, unit](std::string_view founder) { return tree->covers(unit, founder); };
}

namespace {

// bad_input naming the successor when `unit` had ceased by the tree's date `date` (unit.reorganised): it has no
// figures of its own then, its successor answers for what it founded.
Status not_ceased(const projections::UnitTree& tree, const std::string& unit, const std::string& date) {
  if (const projections::Reorganisation* r = tree.ceased(unit)) {
    std::vector<std::string> next{r->successor};
    for (const auto& [id, to] : r->subjects)
      if (std::find(next.begin(), next.end(), to) == next.end()) next.push_back(to);
    std::string named;
    for (std::size_t i = 0; i < next.size(); ++i) named += (i ? i + 1 == next.size() ? " and " : ", " : "") + next[i];
    return bad_input(
        i18n::Text("--unit \"{}\": {} ceased on {} (unit.reorganised, entry {}, {}); {}; use --unit {} for its "
                   "figures as of {}, or --as-of before {} for the figures of {} itself",
                   unit, unit, r->effective, r->seq, r->kind,
                   next.size() > 1 ? i18n::Text("its successors are {}", named) : i18n::Text("its successor is {}", named),
                   next.front(), date, r->effective, unit));
  }
  return {};
}

}  // namespace

Status unit_in_force(const ledger::Ledger& ledger, const std::string& unit, const std::string& date) {
  if (unit.empty()) return {};
  const projections::LedgerState state(ledger);
  const projections::UnitTree tree(projections::registered_units(state), projections::reorganisations(state), date);
  return not_ceased(tree, unit, date);
}

Result<projections::SubjectFilter> unit_filter(const ledger::Ledger& ledger, const std::string& unit,
                                               const std::string& date, const projections::SubjectFilter& keep) {
  if (unit.empty()) return keep;
  const projections::LedgerState state(ledger);
  const projections::UnitTree tree(projections::registered_units(state), projections::reorganisations(state), date);
  if (auto s = not_ceased(tree, unit, date); !s) return std::unexpected(s.error());
  const auto covers = [&](std::string_view founder, std::string_view id) { return tree.covers(unit, founder, id); };
  projections::SubjectReader reader(ledger);
  auto inside = std::make_shared<std::set<std::string, std::less<>>>();
  for (const auto& id : projections::subject_ids(ledger)) {
    if (keep && !keep(id)) continue;
    auto s = reader.current(id);
    if (!s) continue;
    // The unit that founded it, else (never founded) the unit of its first act: the one that keeps its file.
    if (covers(projections::keeper_of(state, *s), id)) inside->insert(id);
  }
  return projections::SubjectFilter([inside](const std::string& id) { return inside->contains(id); });
}

Result<projections::SubjectFilter> scope_filter(const ledger::Ledger& ledger, const Scope& scope) {
  if (scope.whole()) return projections::SubjectFilter{};
  auto inside = std::make_shared<std::set<std::string, std::less<>>>();
  for (const auto& id : projections::subject_ids(ledger)) {
    auto in = subject_in_scope(ledger, id, scope);
    if (!in) return std::unexpected(in.error());
    if (*in) inside->insert(id);
  }
  return projections::SubjectFilter([inside](const std::string& id) { return inside->contains(id); });
}

void successions_in_scope(const ledger::Ledger& ledger, const Scope& scope, const std::string& unit,
                          const std::string& date, projections::Statistics& stats) {
  if ((scope.whole() && unit.empty()) || stats.succeeded.empty()) return;
  const projections::LedgerState state(ledger);
  auto registered = projections::registered_units(state);
  std::map<std::string, std::string, std::less<>> levels;
  for (const auto& u : registered) levels.emplace(u.name, u.level);
  Scope of_unit;
  if (!unit.empty())
    of_unit = {{unit},
               {},
               std::make_shared<const projections::UnitTree>(std::move(registered), projections::reorganisations(state),
                                                             date)};
  const auto covered = [&](const std::string& name) {
    const auto it = levels.find(name);
    const std::string_view level = it == levels.end() ? "" : std::string_view(it->second);
    return scope.covers(name, level) && of_unit.covers(name, level);
  };
  std::erase_if(stats.succeeded, [&](const auto& s) { return !covered(s.unit) && !covered(s.successor); });
}

namespace {

// The JSON of the record: the keys of kLastVerificationFile (ledger/FORMAT.md "Last verification").
Json record_json(bool ok, const Json& entries, const Json& root, std::size_t failures, const Json& first) {
  return {{"format", "antq-last-verification/1"},
          {"time", signing::format_vietnam_time(signing::now())},
          {"ok", ok},
          {"entries", entries},
          {"root", root},
          {"failures", failures},
          {"first_failures", first}};
}

// Writes `text` to `dir`/`name` through a temporary file in `dir`: written, flushed, renamed over, the directory
// flushed. io_error naming the file, and the temporary file removed, when any step fails.
Status write_atomically(const fs::path& dir, const std::string& name, const std::string& text) {
  const fs::path path = dir / name;
  const fs::path tmp = dir / fmt::format(".{}.tmp-{}", name, ::getpid());
  auto failed = [&](const char* step, int err) -> Status {
    ::unlink(tmp.c_str());
    return io_error(
        i18n::Text("cannot record the verification in {}: {}: {}", path.string(), step, std::strerror(err)));
  };
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
  if (fd < 0)
    return io_error(i18n::Text("cannot record the verification in {}: {}", path.string(), std::strerror(errno)));
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      ::close(fd);
      return failed("write", err);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    return failed("fsync", err);
  }
  if (::close(fd) != 0) return failed("close", errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return failed("rename", errno);
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0 || ::fsync(dfd) != 0) {
    const int err = errno;
    if (dfd >= 0) ::close(dfd);
    return io_error(i18n::Text("cannot record the verification in {}: fsync of the directory: {}", path.string(),
                               std::strerror(err)));
  }
  ::close(dfd);
  return {};
}

}  // namespace

Status record_verification(const fs::path& dir, const ledger::VerifyReport& report) {
  Json first = Json::array();
  for (std::size_t i = 0; i < report.failures.size() && i < kRecordedFailures; ++i)
    first.push_back({{"seq", report.failures[i].seq ? Json(*report.failures[i].seq) : Json(nullptr)},
                     {"reason", report.failures[i].reason}});
  return write_atomically(dir, kLastVerificationFile,
                          json_text(record_json(report.ok, report.entries, to_hex(report.root), report.failures.size(),
                                                first), 2) + "\n");
}

Status record_verification_failure(const fs::path& dir, const Error& error) {
  Json first = Json::array({{{"seq", nullptr}, {"reason", error.message}}});
  return write_atomically(dir, kLastVerificationFile,
                          json_text(record_json(false, nullptr, nullptr, 1, first), 2) + "\n");
}

Result<Json> last_verification(const fs::path& dir) {
  const fs::path path = dir / kLastVerificationFile;
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(path, ec))) return Json{{"recorded", false}, {"message", "never verified"}};
  auto bytes = signing::read_user_file(path.string(), kMaxVerificationRecordBytes, N_("verification record"));
  if (!bytes) return corruption(text_of(bytes.error()));
  auto bad = [&](const std::string& why) { return corruption(i18n::Text("{}: {}", path.string(), why)); };
  Json j = Json::parse(bytes->begin(), bytes->end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  if (!j.contains("format") || j["format"] != "antq-last-verification/1")
    return bad("not an antq-last-verification/1 record");
  const bool ok_types = j.contains("time") && j["time"].is_string() && j.contains("ok") && j["ok"].is_boolean() &&
                        j.contains("entries") && (j["entries"].is_number_unsigned() || j["entries"].is_null()) &&
                        j.contains("root") && (j["root"].is_string() || j["root"].is_null()) &&
                        j.contains("failures") && j["failures"].is_number_unsigned() && j.contains("first_failures") &&
                        j["first_failures"].is_array();
  if (!ok_types) return bad("a field is missing or of another type");
  for (const Json& f : j["first_failures"])
    if (!f.is_object() || !f.contains("reason") || !f["reason"].is_string() || !f.contains("seq") ||
        !(f["seq"].is_null() || f["seq"].is_number_unsigned()))
      return bad("a failure is not {seq, reason}");
  return Json{{"recorded", true},
              {"time", output_time(j["time"].get<std::string>())},
              {"ok", j["ok"]},
              {"entries", j["entries"]},
              {"root", j["root"]},
              {"failures", j["failures"]},
              {"first_failures", j["first_failures"]}};
}

}  // namespace antq::cli::queries
