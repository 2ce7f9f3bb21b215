#include "ledger/checkpoint.hpp"

#include <charconv>

namespace antq::ledger {
namespace {

constexpr std::string_view kDash = "\xE2\x80\x94 ";  // "— ": U+2014 EM DASH and a space
constexpr std::uint8_t kEd25519Type = 0x01;

std::array<std::uint8_t, 4> key_id(const std::string& name, const std::array<std::uint8_t, 32>& pub) {
  const std::uint8_t type = kEd25519Type;
  Digest d = sha256({as_bytes(name), as_bytes("\n"), ByteView(&type, 1), ByteView(pub)});
  return {d[0], d[1], d[2], d[3]};
}

bool valid_key_name(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name)
    if (c <= 0x20 || c == '+') return false;  // signed-note: no spaces, no '+', printable
  return true;
}

std::string body(const Checkpoint& c) {
  return c.origin + "\n" + std::to_string(c.size) + "\n" + to_base64(c.root) + "\n";
}

}  // namespace

std::string format_verifier_key(const std::string& name, const std::array<std::uint8_t, 32>& public_key) {
  Bytes typed{kEd25519Type};
  typed.insert(typed.end(), public_key.begin(), public_key.end());
  return name + "+" + to_hex(key_id(name, public_key)) + "+" + to_base64(typed);
}

Result<VerifierKey> parse_verifier_key(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  auto p1 = text.find('+');
  auto p2 = p1 == std::string_view::npos ? p1 : text.find('+', p1 + 1);
  // The name holds no '+'; the base64 key after the second '+' may.
  if (p2 == std::string_view::npos) return bad_input(i18n::Text("verifier key: expected <name>+<key id>+<base64 key>"));
  VerifierKey key;
  key.name = std::string(text.substr(0, p1));
  auto id = from_hex(text.substr(p1 + 1, p2 - p1 - 1));
  auto typed = from_base64(text.substr(p2 + 1));
  if (!valid_key_name(key.name)) return bad_input(i18n::Text("verifier key: bad key name"));
  if (!id || id->size() != 4) return bad_input(i18n::Text("verifier key: key id is not 8 hex digits"));
  if (!typed || typed->size() != 33 || (*typed)[0] != kEd25519Type)
    return bad_input(i18n::Text("verifier key: not an Ed25519 key (type 0x01, 32 bytes)"));
  std::copy(typed->begin() + 1, typed->end(), key.public_key.begin());
  std::copy(id->begin(), id->end(), key.id.begin());
  if (key_id(key.name, key.public_key) != key.id)
    return bad_input(i18n::Text("verifier key: key id does not match the key"));
  return key;
}

Result<std::string> sign_checkpoint(const Checkpoint& checkpoint, const signing::Ed25519Key& key) {
  std::string text = body(checkpoint);
  auto pub = key.public_key();
  auto sig = key.sign(as_bytes(text));
  if (!sig) return std::unexpected(sig.error());
  auto id = key_id(checkpoint.origin, pub);
  Bytes blob(id.begin(), id.end());
  blob.insert(blob.end(), sig->begin(), sig->end());
  return text + "\n" + std::string(kDash) + checkpoint.origin + " " + to_base64(blob) + "\n";
}

Result<std::string> open_note(std::string_view note, const VerifierKey& key) {
  if (note.size() > 64 * 1024) return bad_input(i18n::Text("note: larger than 64 KiB"));
  auto split = note.rfind("\n\n");
  if (split == std::string_view::npos)
    return bad_input(i18n::Text("note: no blank line between the text and its signatures"));
  std::string_view text = note.substr(0, split + 1);
  std::string_view sigs = note.substr(split + 2);
  if (sigs.empty() || sigs.back() != '\n')
    return bad_input(i18n::Text("note: signature lines must end with a newline"));
  std::optional<bool> verdict;  // decided by the first line of `key`
  std::size_t lines = 0;
  for (std::size_t p = 0; p < sigs.size();) {
    auto nl = sigs.find('\n', p);
    std::string_view line = sigs.substr(p, nl - p);
    p = nl + 1;
    if (++lines > 100) return bad_input(i18n::Text("note: more than 100 signature lines"));
    if (!line.starts_with(kDash)) return bad_input(i18n::Text("note: a signature line does not start with \"— \""));
    line.remove_prefix(kDash.size());
    auto sp = line.find(' ');
    if (sp == std::string_view::npos || !valid_key_name(line.substr(0, sp)))
      return bad_input(i18n::Text("note: a signature line has no key name and signature"));
    std::string_view name = line.substr(0, sp);
    auto blob = from_base64(line.substr(sp + 1));
    if (!blob || blob->size() < 5)
      return bad_input(i18n::Text("note: a signature is not base64 of a key id and signature"));
    if (verdict || name != key.name || !std::equal(key.id.begin(), key.id.end(), blob->begin())) continue;
    verdict = blob->size() == 4 + 64 &&
              signing::ed25519_verify(key.public_key, as_bytes(text), ByteView(blob->data() + 4, 64));
  }
  if (!verdict) return corruption(i18n::Text("note: not signed by {}", key.name));
  if (!*verdict) return corruption(i18n::Text("note: the signature by {} does not verify", key.name));
  return std::string(text);
}

Result<Checkpoint> open_checkpoint(std::string_view note, const VerifierKey& key) {
  auto opened = open_note(note, key);
  if (!opened) {
    return std::unexpected(reworded(opened.error(), i18n::Text("checkpoint {}", text_of(opened.error()))));
  }
  const std::string& text = *opened;
  // Body: origin, size, root; further lines (extensions) are allowed by tlog-checkpoint and ignored.
  Checkpoint c;
  std::size_t pos = 0;
  auto next_line = [&](std::string_view& line) {
    auto nl = text.find('\n', pos);
    if (nl == std::string::npos) return false;
    line = std::string_view(text).substr(pos, nl - pos);
    pos = nl + 1;
    return true;
  };
  std::string_view origin, size, root;
  if (!next_line(origin) || !next_line(size) || !next_line(root))
    return bad_input(i18n::Text("checkpoint: fewer than three lines"));
  if (origin.empty()) return bad_input(i18n::Text("checkpoint: empty origin"));
  c.origin = std::string(origin);
  if (size.empty() || (size.size() > 1 && size[0] == '0') ||
      std::from_chars(size.data(), size.data() + size.size(), c.size).ec != std::errc() ||
      std::to_string(c.size) != size)
    return bad_input(i18n::Text("checkpoint: tree size is not a decimal number"));
  auto r = from_base64(root);
  if (!r || r->size() != 32) return bad_input(i18n::Text("checkpoint: root hash is not 32 bytes of base64"));
  std::copy(r->begin(), r->end(), c.root.begin());
  return c;
}

}  // namespace antq::ledger
