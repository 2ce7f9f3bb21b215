#include "cli/operator_key.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "cli/common.hpp"
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

// A warning on stderr, in the reader's language ("warning: …", "cảnh báo: …").
void warn(const std::string& line) {
  std::fprintf(stderr, "%s\n", visible(i18n::trf(i18n::process_lang(), "warning: {}", line)).c_str());
}

void warn_inside_ledger(const fs::path& file) {
  warn(i18n::trf(i18n::process_lang(),
                 "{}: the operator's private key sits inside the ledger's directory, so every copy and backup of "
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
    return io_error(i18n::Text("cannot create {}: {}", dir.string(), std::strerror(errno)));
  return {};
}

bool is_token(std::string_view spec) { return spec.starts_with("pkcs11:"); }

// `spec` as messages show it: a file's path, or a PKCS#11 URI with any pin-value hidden.
std::string shown(const std::string& spec) { return is_token(spec) ? signing::pkcs11_uri_shown(spec) : spec; }

// Loads the key `spec` names (a file or a PKCS#11 URI), given by `source` ("--operator-key", "ANTQ_OPERATOR_KEY";
// empty for the default place).
Result<std::shared_ptr<const signing::Ed25519Key>> load_key(const std::string& spec, std::string_view source) {
  auto key = signing::Ed25519Key::load(spec);
  if (!key) {
    // The message names the file or URI; where that came from is said when it is not on the command line.
    if (source == kOperatorKeyVariable)
      return std::unexpected(reworded(key.error(), i18n::Text("{}: {}", source, text_of(key.error()))));
    return std::unexpected(key.error());
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

void warn_if_unencrypted(const signing::Ed25519Key& key, const std::string& file) {
  if (key.storage() != signing::Ed25519Key::Storage::unencrypted_file) return;
  warn(i18n::trf(i18n::process_lang(),
                 "operator key {} is not encrypted: anyone who copies it can sign this ledger's checkpoints; "
                 "encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -iter 600000`",
                 file));
}

Result<std::unique_ptr<ledger::Ledger>> open_for_append(const fs::path& dir, const std::string& given) {
  auto ledger = ledger::Ledger::open(dir);
  if (!ledger) return std::unexpected(ledger.error());
  const fs::path legacy = dir / ledger::kLegacyOperatorKeyFile;
  std::error_code ec;
  const bool has_legacy = fs::exists(legacy, ec);

  std::string spec, source;
  const auto default_file = default_operator_key_path((*ledger)->info().origin);
  if (!given.empty()) {
    spec = given, source = "--operator-key";
  } else if (auto named = environment(kOperatorKeyVariable)) {
    spec = *named, source = kOperatorKeyVariable;
  } else if (default_file && fs::exists(*default_file, ec)) {
    spec = default_file->string();
  } else if (has_legacy) {
    spec = legacy.string();
  } else {
    return bad_input(i18n::Text(
        "no operator key for the ledger {} (origin {}): none at {}; give --operator-key FILE|URI or set {} (antq "
        "init said where it wrote the key)",
        dir.string(), (*ledger)->info().origin,
        default_file ? i18n::Text::verbatim(default_file->string())
                     : i18n::Text("the default place (neither XDG_CONFIG_HOME nor HOME is set)"),
        kOperatorKeyVariable));
  }

  auto key = load_key(spec, source);
  if (!key) return std::unexpected(key.error());
  if (auto s = (*ledger)->use_operator_key(*key); !s)
    return bad_input(i18n::Text("operator key {}: {}", shown(spec), text_of(s.error())));
  // Warnings once the key is in hand: a command that fails says one thing, why it failed.
  if (has_legacy) warn_inside_ledger(legacy);
  if (!is_token(spec) && !(has_legacy && resolved(spec) == resolved(legacy))) {
    if (inside(spec, dir))
      warn_inside_ledger(spec);
    else
      warn_if_unencrypted(**key, spec);  // the warning about the key inside the ledger says to encrypt it
  }
  return std::move(*ledger);
}

Status NewLedgerKey::write() const {
  if (!created) return {};
  auto passphrase = signing::new_operator_key_passphrase(where);
  if (!passphrase) return std::unexpected(passphrase.error());
  Status s = make_directory ? make_private_directories(fs::path(where).parent_path()) : Status{};
  if (s) s = key->save(where, *passphrase);
  explicit_bzero(passphrase->data(), passphrase->size());
  written_ = s.has_value();
  return s;
}

void NewLedgerKey::discard() const {
  if (written_) ::unlink(where.c_str());
  written_ = false;
}

Result<NewLedgerKey> new_ledger_key(const fs::path& dir, const std::string& origin, const std::string& given) {
  std::string spec, source;
  if (!given.empty()) {
    spec = given, source = "--operator-key";
  } else if (auto named = environment(kOperatorKeyVariable)) {
    spec = *named, source = kOperatorKeyVariable;
  } else if (auto default_file = default_operator_key_path(origin)) {
    spec = default_file->string();
  } else {
    return bad_input(
        i18n::Text("init: no place for the operator key: neither XDG_CONFIG_HOME nor HOME is set; "
                   "give --operator-key FILE|URI (a file outside {})",
                   dir.string()));
  }
  NewLedgerKey out;
  out.where = shown(spec);
  if (is_token(spec)) {  // a key made on the token beforehand: it never leaves it
    auto key = load_key(spec, source);
    if (!key) return std::unexpected(key.error());
    out.key = std::move(*key);
    return out;
  }
  if (inside(spec, dir))
    return bad_input(
        i18n::Text("init: {} lies inside the ledger's directory {}: every copy and backup of the ledger "
                   "would carry it; keep it apart",
                   source.empty() ? spec : source + " " + spec, dir.string()));
  std::error_code ec;
  if (fs::exists(spec, ec)) {
    if (source.empty())
      return bad_input(
          i18n::Text("init: {} exists: another ledger has the origin {}, and two logs signed by one key "
                     "under one name cannot be told apart; give another --origin",
                     spec, origin));
    auto key = load_key(spec, source);
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

Result<ledger::VerifierKey> read_verifier_key(const std::string& path, const i18n::Text& what) {
  auto text = read_text(path, kMaxCheckpointBytes, N_("operator key file"));
  if (!text) return std::unexpected(text.error());
  auto key = ledger::parse_verifier_key(*text);
  if (!key)
    return bad_input(what.empty() ? i18n::Text("--operator-key {}: {}", path, text_of(key.error()))
                                  : i18n::Text("--operator-key {}: {}: {}", path, what, text_of(key.error())));
  return key;
}

}  // namespace antq::cli
