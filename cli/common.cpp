#include "cli/common.hpp"

#include "cli/display.hpp"
#include "ledger/act.hpp"
#include "signing/file.hpp"
#include "signing/signing.hpp"

#include <unistd.h>

#include <iostream>

namespace antq::cli {

int fail(const Error& e) {
  std::fprintf(stderr, "%s\n", visible(e.line(i18n::process_lang())).c_str());
  return e.kind == ErrorKind::corruption ? kCheckFailed : kBadInput;
}

Result<std::string> read_text(const std::filesystem::path& path, std::size_t max_bytes, std::string_view what) {
  auto bytes = signing::read_user_file(path.string(), max_bytes, what);
  if (!bytes) return std::unexpected(bytes.error());
  return std::string(bytes->begin(), bytes->end());
}

std::function<void(std::uint64_t, std::uint64_t)> progress_printer(std::string what) {
  if (!isatty(STDERR_FILENO)) return {};
  return [what = std::move(what)](std::uint64_t done, std::uint64_t total) {
    std::fprintf(stderr, "\r%s", i18n::trf(i18n::process_lang(), "{}: {} / {} entries", what, done, total).c_str());
    if (done >= total) std::fputc('\n', stderr);
    std::fflush(stderr);
  };
}

std::string output_time(const std::string& stored) {
  const auto t = signing::parse_time(stored);
  return t ? signing::format_vietnam_time(*t) : stored;
}

std::string json_text(const nlohmann::json& j, int indent) {
  return json_visible(j.dump(indent, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace));
}

void print_json(const nlohmann::json& j) { std::cout << json_text(j, 2) << "\n"; }

std::string vietnam_today() { return signing::format_vietnam_time(signing::now()).substr(0, 10); }

Result<projections::AsOf> as_of_point(const std::string& date, std::optional<std::uint64_t> seq, std::uint64_t size) {
  projections::AsOf at;
  if (!date.empty() && seq)
    return bad_input(i18n::Text("--as-of excludes --at"));  // CLI11's words, for callers other than it
  if (!date.empty()) {
    if (!ledger::is_date(date)) return bad_input(i18n::Text("--as-of: expected a date YYYY-MM-DD, got \"{}\"", date));
    at.date = date;
  }
  if (seq) {
    if (*seq >= size) return bad_input(i18n::Text("--at {}: the ledger has entries 0 to {}", *seq, size - 1));
    at.seq = seq;
  }
  return at;
}

}  // namespace antq::cli
