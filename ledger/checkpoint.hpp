// Checkpoints in the C2SP tlog-checkpoint signed-note format (c2sp.org/tlog-checkpoint, c2sp.org/signed-note),
// signed with the operator's Ed25519 key:
//
//   <origin>\n<tree size, decimal>\n<root hash, base64>\n\n— <key name> <base64(key id (4 bytes) || signature)>\n
//
// The signature is over the note body (the first three lines, each ending in \n). The key id is the first four
// bytes of SHA-256(key name || "\n" || 0x01 || public key). The verifier key (operator.vkey) is
// "<key name>+<key id, 8 hex digits>+<base64(0x01 || public key)>". Our key name is the origin.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "signing/digest.hpp"
#include "signing/result.hpp"
#include "signing/signing.hpp"

namespace antq::ledger {

struct Checkpoint {
  std::string origin;
  std::uint64_t size = 0;
  Digest root{};
};

struct VerifierKey {
  std::string name;
  std::array<std::uint8_t, 4> id{};
  std::array<std::uint8_t, 32> public_key{};
};

std::string format_verifier_key(const std::string& name, const std::array<std::uint8_t, 32>& public_key);
Result<VerifierKey> parse_verifier_key(std::string_view text);  // bad_input when malformed

// The signed note text. Fails only when a key on a token fails to sign (Ed25519Key::sign).
Result<std::string> sign_checkpoint(const Checkpoint& checkpoint, const signing::Ed25519Key& key);

// Opens a C2SP signed note: returns its text (up to and including the newline before the blank line) when a
// signature line by `key` verifies. As Go's note.Open: the note splits at its last blank line, every signature
// line must be well formed, and the first line by `key` decides (a bad one rejects the note). bad_input when
// malformed; corruption when not signed by `key`.
Result<std::string> open_note(std::string_view note, const VerifierKey& key);

// Parses a note and checks that one of its signature lines is a valid signature by `key` (other signature lines,
// e.g. witnesses', are ignored). bad_input when malformed; corruption when no valid signature by `key`.
Result<Checkpoint> open_checkpoint(std::string_view note, const VerifierKey& key);

}  // namespace antq::ledger
