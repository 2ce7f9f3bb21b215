// The operator's key, which signs the ledger's checkpoints: where the commands that append (append, record, trust,
// and later the service) find it, and where `antq init` puts a new one. It is never part of the ledger (FORMAT.md
// §1): a copy or backup of the ledger's directory, or a bundle, must not let anybody sign as the operator.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/ledger.hpp"
#include "signing/result.hpp"

namespace antq::cli {

// The environment variable naming the operator's key file when --operator-key does not.
inline constexpr const char* kOperatorKeyVariable = "ANTQ_OPERATOR_KEY";

// The default file of the operator key of the ledger whose origin is `origin`:
// ${XDG_CONFIG_HOME:-$HOME/.config}/antq/operator-keys/<origin>.pem, each '/' of the origin written as '_' (and any
// byte that has no place in a file name, a control character or '\', too). nullopt when neither variable holds an
// absolute path (the XDG Base Directory specification ignores relative ones).
std::optional<std::filesystem::path> default_operator_key_path(std::string_view origin);

// Opens the ledger in `dir` for an append and gives it its operator's key, found in this order:
//   1. `given` (--operator-key FILE|URI), when not empty;
//   2. the file (or PKCS#11 URI) named by ANTQ_OPERATOR_KEY;
//   3. the default file for the ledger's origin (default_operator_key_path), when it exists;
//   4. DIR/operator.key, where ledgers made before the key was kept apart hold it.
// Prints one warning line on stderr when DIR/operator.key exists at all (every copy of the ledger carries it: how to
// move it is in the README), when the key used lies inside DIR under another name, and when the key used is a file
// that no passphrase protects. A key on a token never warns. bad_input, in one line and before anything is signed or
// written: no key found (naming where it looked and what to give), a key file that cannot be read or opened, or a key
// that is not this ledger's.
Result<std::unique_ptr<ledger::Ledger>> open_for_append(const std::filesystem::path& dir, const std::string& given);

// The operator's C2SP verifier key in the file `path`, the --operator-key of the commands that check its signature
// (verify, verify-bundle, mirror, append --server): the file's read error as it is; bad_input "--operator-key PATH:
// [WHAT: ]why" when it holds no such key.
Result<ledger::VerifierKey> read_verifier_key(const std::string& path, const i18n::Text& what = {});

// The operator's key of a new ledger (`antq init`).
struct NewLedgerKey {
  std::shared_ptr<const signing::Ed25519Key> key;
  std::string where;            // its file, or the PKCS#11 URI of a key on a token (pin-value hidden)
  bool created = false;         // a new key, which write() puts in the file `where`, encrypted
  bool make_directory = false;  // `where` is the default place: write() makes its missing directories, mode 0700
  // Writes a created key to the file `where` (mode 0600), encrypted under a passphrase from ANTQ_OPERATOR_PASSPHRASE
  // or asked twice at the terminal. For InitOptions::before_writing.
  Status write() const;
  // Removes the file write() wrote, if it did: init failed after it.
  void discard() const;

 private:
  mutable bool written_ = false;
};

// Where the key of a new ledger in `dir` with origin `origin` is kept: `given` (--operator-key FILE|URI), else
// ANTQ_OPERATOR_KEY, else the default file. A PKCS#11 URI names an Ed25519 key made on a token beforehand; an
// existing file named by the first two is used as it is (loaded, its passphrase asked for when it is encrypted);
// otherwise a new key is generated, to be written there by write(). bad_input when the file lies inside `dir` (it
// would travel with every copy of the ledger), when the default file exists already (another ledger has this
// origin: two logs signed with one key under one name could not be told apart), when there is no default place and
// no key is named, or when the named key does not load.
Result<NewLedgerKey> new_ledger_key(const std::filesystem::path& dir, const std::string& origin,
                                    const std::string& given);

// One line on stderr when `key` is a file that no passphrase protects (anyone who copies it can sign checkpoints).
void warn_if_unencrypted(const signing::Ed25519Key& key, const std::string& file);

}  // namespace antq::cli
