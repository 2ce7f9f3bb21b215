#include "cli/operator_key.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "cli/display.hpp"
#include "signing/signing.hpp"

namespace antq::cli {
namespace {

namespace fs = std::filesystem;

// The value of environment variable `name`, when it is set and not empty.
std::optional<std::string> environment(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

// `path` as an absolute path with every symbolic link of its existing part resolved.
fs::path resolved(const fs::path& path) {
  std::error_code ec;
  fs::path absolute = fs::absolute(path, ec);
  if (ec) return path.lexically_normal();
  fs::path canonical = fs::weakly_canonical(absolute, ec);
  return ec ? absolute.lexically_normal() : canonical;
}

// Whether `path` lies inside directory `dir` (or is it), once both are resolved.
bool inside(const fs::path& path, const fs::path& dir) {
  const fs::path p = resolved(path), d = resolved(dir);
  auto pi = p.begin();
  for (auto di = d.begin(); di != d.end(); ++di, ++pi) {
    if (di->empty() && std::next(di) == d.end()) break;  // a trailing separator
    if (pi == p.end() || *pi != *di) return false;
  }
  return true;
}

void warn(const std::string& line) { std::fprintf(stderr, "warning: %s\n", visible(line).c_str()); }

void warn_inside_ledger(const fs::path& file) {
  warn(
      fmt::format("{}: the operator's private key sits inside the ledger's directory, so every copy and backup of "
                  "the ledger carries it; move it out and encrypt it (README, \"The operator's key\")",
                  file.string()));
}

// Makes `dir` and its missing parents, each new one mode 0700 (the XDG Base Directory specification's mode).
Status make_private_directories(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return {};
  if (dir.has_parent_path() && dir.parent_path() != dir)
    if (auto s = make_private_directories(dir.parent_path()); !s) return s;
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return io_error(fmt::format("cannot create {}: {}", dir.string(), std::strerror(errno)));
  return {};
}

// Loads the key in `file`, named by `source` for the messages ("--operator-key", "ANTQ_OPERATOR_KEY", ...).
Result<std::shared_ptr<const signing::Ed25519Key>> load_key(const fs::path& file, std::string_view source) {
  auto key = signing::Ed25519Key::load(file.string());
  if (!key) {
    Error e = key.error();
    if (!source.empty()) e.message = fmt::format("{}: {}", source, e.message);
    return std::unexpected(e);
  }
  return std::make_shared<const signing::Ed25519Key>(std::move(*key));
}

}  // namespace

std::optional<fs::path> default_operator_key_path(std::string_view origin) {
  fs::path base;
  if (auto xdg = environment("XDG_CONFIG_HOME"); xdg && fs::path(*xdg).is_absolute()) {
    base = *xdg;
  } else if (auto home = environment("HOME"); home && fs::path(*home).is_absolute()) {
    base = fs::path(*home) / ".config";
  } else {
    return std::nullopt;
  }
  std::string name(origin);
  for (char& c : name)
    if (c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '_';
  return base / "antq" / "operator-keys" / (name + ".pem");
}

void warn_if_unencrypted(const signing::Ed25519Key& key, const fs::path& file) {
  if (key.storage() != signing::Ed25519Key::Storage::unencrypted_file) return;
  warn(
      fmt::format("operator key {} is not encrypted: anyone who copies it can sign this ledger's checkpoints; "
                  "encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -iter 600000`",
                  file.string()));
}

Result<std::unique_ptr<ledger::Ledger>> open_for_append(const fs::path& dir, const std::string& given) {
  auto ledger = ledger::Ledger::open(dir);
  if (!ledger) return std::unexpected(ledger.error());
  const fs::path legacy = dir / ledger::kLegacyOperatorKeyFile;
  std::error_code ec;
  const bool has_legacy = fs::exists(legacy, ec);

  fs::path file;
  std::string source;
  const auto default_file = default_operator_key_path((*ledger)->info().origin);
  if (!given.empty()) {
    file = given, source = "--operator-key";
  } else if (auto named = environment(kOperatorKeyVariable)) {
    file = *named, source = kOperatorKeyVariable;
  } else if (default_file && fs::exists(*default_file, ec)) {
    file = *default_file;
  } else if (has_legacy) {
    file = legacy;
  } else {
    return bad_input(fmt::format(
        "no operator key for the ledger {} (origin {}): none at {}; give --operator-key FILE or set {} (antq init "
        "said where it wrote the key)",
        dir.string(), (*ledger)->info().origin,
        default_file ? default_file->string() : "the default place (neither XDG_CONFIG_HOME nor HOME is set)",
        kOperatorKeyVariable));
  }

  auto key = load_key(file, source);
  if (!key) return std::unexpected(key.error());
  if (auto s = (*ledger)->use_operator_key(*key); !s)
    return bad_input(fmt::format("operator key {}: {}", file.string(), s.error().message));
  // Warnings once the key is in hand: a command that fails says one thing, why it failed.
  if (has_legacy) warn_inside_ledger(legacy);
  const bool is_legacy = has_legacy && resolved(file) == resolved(legacy);
  if (!is_legacy) {
    if (inside(file, dir))
      warn_inside_ledger(file);
    else
      warn_if_unencrypted(**key, file);  // the warning about the key inside the ledger says to encrypt it
  }
  return std::move(*ledger);
}

Status NewLedgerKey::write() const {
  if (!created) return {};
  auto passphrase = signing::new_operator_key_passphrase(file.string());
  if (!passphrase) return std::unexpected(passphrase.error());
  Status s = make_directory ? make_private_directories(file.parent_path()) : Status{};
  if (s) s = key->save(file.string(), *passphrase);
  explicit_bzero(passphrase->data(), passphrase->size());
  written_ = s.has_value();
  return s;
}

void NewLedgerKey::discard() const {
  if (written_) ::unlink(file.c_str());
  written_ = false;
}

Result<NewLedgerKey> new_ledger_key(const fs::path& dir, const std::string& origin, const std::string& given) {
  fs::path file;
  std::string source;
  if (!given.empty()) {
    file = given, source = "--operator-key";
  } else if (auto named = environment(kOperatorKeyVariable)) {
    file = *named, source = kOperatorKeyVariable;
  } else if (auto default_file = default_operator_key_path(origin)) {
    file = *default_file;
  } else {
    return bad_input(
        fmt::format("init: no place for the operator key: neither XDG_CONFIG_HOME nor HOME is set; "
                    "give --operator-key FILE (outside {})",
                    dir.string()));
  }
  const std::string named_by = source.empty() ? std::string("the operator key") : source + " " + file.string();
  if (inside(file, dir))
    return bad_input(
        fmt::format("init: {} lies inside the ledger's directory {}: every copy and backup of the ledger "
                    "would carry it; keep it apart",
                    source.empty() ? file.string() : named_by, dir.string()));
  std::error_code ec;
  NewLedgerKey out;
  out.file = file;
  if (fs::exists(file, ec)) {
    if (source.empty())
      return bad_input(
          fmt::format("init: {} exists: another ledger has the origin {}, and two logs signed by one key "
                      "under one name cannot be told apart; give another --origin",
                      file.string(), origin));
    auto key = load_key(file, source);
    if (!key) return std::unexpected(key.error());
    out.key = std::move(*key);
    return out;
  }
  auto key = signing::Ed25519Key::generate();
  if (!key) return std::unexpected(key.error());
  out.key = std::make_shared<const signing::Ed25519Key>(std::move(*key));
  out.created = true;
  out.make_directory = source.empty();  // the default place is made; a file the operator names goes where it says
  return out;
}

}  // namespace antq::cli
