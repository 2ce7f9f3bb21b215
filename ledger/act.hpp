// Acts: the JSON form people write (shared/acts.md, the public input format) and the canonical Cap'n Proto
// ActBody that is signed. The ledger knows the shape of every act kind (fields and types) but no domain rule.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "signing/digest.hpp"
#include "signing/result.hpp"

namespace antq::ledger {

struct Act {
  struct Document {
    std::string number, title, issuer;
  };
  struct Authority {
    std::string level, unit;
    bool operator==(const Authority&) const = default;
  };
  struct Attachment {
    std::string item;
    std::string media_type;
    Digest sha256{};
    std::uint64_t size = 0;
  };

  std::string act;      // kind, e.g. "model.established"
  std::string subject;  // model, point or exemplar id; "ledger" for registry and records acts
  std::string date;     // YYYY-MM-DD
  Document document;
  Authority authority;
  std::vector<Attachment> attachments;
  nlohmann::json data = nlohmann::json::object();  // validated against the act kind; text in NFC
};

// The subject of registry and records acts.
inline constexpr const char* kLedgerSubject = "ledger";

// An act read from JSON, with the content of attachments given by `path`.
struct ActInput {
  Act act;
  std::vector<Bytes> attachment_contents;  // parallel to the attachments that had a `path`; in order
};

// Parses and validates an act from JSON text. `source` names the input in messages (a file name);
// attachment paths are relative to `base_dir`. Errors are bad_input naming the field, e.g.
// "act.json: data.teams: expected an integer >= 1, got \"four\"".
Result<ActInput> parse_act(std::string_view json_text, const std::string& source,
                               const std::filesystem::path& base_dir);
Result<ActInput> act_from_json(const nlohmann::json& json, const std::string& source,
                               const std::filesystem::path& base_dir);

// The act as JSON (acts.md form, attachments with sha256 and size instead of path).
nlohmann::json act_to_json(const Act& act);

// Canonical Cap'n Proto encoding of ActBody: the signed bytes.
Bytes encode_body(const Act& act);
// Whether `bytes` are exactly encode_body(act), told without building the message: decode_body's last check.
bool is_body_of(const Act& act, ByteView bytes);
// Decodes signed bytes from outside: bounded (traversal and nesting limits), validated like JSON input, and
// required to be canonical (re-encoding gives the same bytes). bad_input otherwise.
Result<Act> decode_body(ByteView bytes);

// True for the kinds of acts.md (model, exemplar, both, registry and records).
bool is_known_act(std::string_view kind);
// Registry and records acts: authority.*, profile.adopted, record.*, archive.*, trust.*.
bool is_registry_act(std::string_view kind);
// Every known kind, in acts.md order.
const std::vector<std::string>& known_acts();

// Unicode NFC of UTF-8 text; nullopt when the text is not valid UTF-8.
std::optional<std::string> nfc(std::string_view text);
// Whether `text` is in NFC already (nfc(text) == text, without the copy in the common case); nullopt like nfc().
std::optional<bool> is_nfc(std::string_view text);

// A real calendar date written YYYY-MM-DD.
bool is_date(std::string_view text);

}  // namespace antq::ledger
