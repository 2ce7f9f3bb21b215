// What the libFuzzer targets of tests/fuzz/ share: the fixed material they check input against (tests/fuzz/data/,
// public certificates and keys only), a scratch directory, and the one check every target makes of a refusal.
//
// A target decodes the fuzzer's bytes through the project's real entry points and demands an error or a value,
// never a crash, a hang, a leak or an exception: libFuzzer reports an uncaught exception, an abort, a sanitizer
// error, a slow input (-timeout) or a large allocation (-rss_limit_mb, -malloc_limit_mb) as a finding.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/common.hpp"
#include "cli/display.hpp"
#include "signing/digest.hpp"
#include "signing/result.hpp"
#include "signing/signing.hpp"

namespace antq::fuzz {

namespace fs = std::filesystem;

// Where the fixed material lives (the source tree's tests/fuzz/data/), unless ANTQ_FUZZ_DATA names another copy.
inline fs::path data_dir() {
  if (const char* dir = std::getenv("ANTQ_FUZZ_DATA")) return dir;
  return ANTQ_FUZZ_DATA_DIR;
}

// Stops the run: an input broke a property the target states. libFuzzer saves the input as a crash.
[[noreturn]] inline void broken(std::string_view what) {
  std::fprintf(stderr, "fuzz: property broken: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}
inline void require(bool ok, std::string_view what) {
  if (!ok) broken(what);
}

// A refusal as a user meets it: a message (which may quote the input), shown through cli::visible() as fail()
// shows it and carried in JSON as `--json` output carries it; neither may throw.
inline void check_error(const Error& e) {
  require(!e.message.empty(), "an error without a message");
  const std::string shown = cli::visible(e.line());
  require(shown.find_first_of("\n\r\x1b") == std::string::npos, "an error shown on more than one line: " + shown);
  (void)cli::json_text(nlohmann::json{{"error", e.line()}});
}

inline Bytes bytes(const std::uint8_t* data, std::size_t size) { return Bytes(data, data + size); }
inline std::string_view text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// `input` cut at every `separator`: the parts of a target whose input is several files.
inline std::vector<ByteView> split(ByteView input, std::string_view separator) {
  std::vector<ByteView> parts;
  const std::string_view s(reinterpret_cast<const char*>(input.data()), input.size());
  std::size_t from = 0;
  for (std::size_t at; (at = s.find(separator, from)) != std::string_view::npos; from = at + separator.size())
    parts.push_back(input.subspan(from, at - from));
  parts.push_back(input.subspan(from));
  return parts;
}

inline Bytes read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) broken("cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string s = ss.str();
  return Bytes(s.begin(), s.end());
}
inline void write_file(const fs::path& path, ByteView content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(content.data()), static_cast<std::streamsize>(content.size()));
  if (!out) broken("cannot write " + path.string());
}

// A directory of this process's own under $TMPDIR, made on first use and removed when the process exits normally
// (a crashed run leaves it: it is small, and names the process id).
inline const fs::path& scratch_dir() {
  static const fs::path dir = [] {
    std::string tmpl = (fs::temp_directory_path() / "antq-fuzz-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) broken("cannot make a scratch directory under $TMPDIR");
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(scratch_dir(), ec);
    });
    return fs::path(tmpl);
  }();
  return dir;
}

// The certificates of a PEM file of data/, as DER.
inline std::vector<Bytes> certificates(const std::string& name) {
  auto certs = signing::read_certificates((data_dir() / name).string());
  if (!certs) broken(certs.error().message);
  return *certs;
}

// A verifier of the fixed test chain (data/roots.pem, data/intermediates.pem) that trusts the time-stamp authority
// of data/timestamp-authorities.pem, made anew for each input so that nothing one input leaves in its caches changes
// how the next one runs.
inline signing::Verifier fixed_verifier() {
  static const std::vector<Bytes> roots = certificates("roots.pem");
  static const std::vector<Bytes> intermediates = certificates("intermediates.pem");
  static const std::vector<Bytes> authorities = certificates("timestamp-authorities.pem");
  signing::Verifier verifier;
  for (const Bytes& der : roots)
    if (!verifier.add_root(der)) broken("data/roots.pem: not a certificate");
  for (const Bytes& der : intermediates)
    if (!verifier.add_intermediate(der)) broken("data/intermediates.pem: not a certificate");
  for (const Bytes& der : authorities)
    if (!verifier.add_timestamp_authority(der)) broken("data/timestamp-authorities.pem: not a certificate");
  return verifier;
}

}  // namespace antq::fuzz
