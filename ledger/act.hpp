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
#include "signing/signing.hpp"

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
// A subject of a sealed part carried over into the ledger that sealed it (FORMAT.md §14), signed by the
// administrator: data.record must be the part's `state` record `subject/<data.from>`, as the part holds it.
inline constexpr std::string_view kSubjectCarriedOver = "subject.carried-over";

// The limits of an act (docs/act-limits.md, which also lists the limit of each text and list field). Exceeding one
// is bad_input naming the field; JSON input and a decoded body are held to the same ones.
inline constexpr std::size_t kMaxActJsonBytes = 1u << 20;       // the JSON text of one act
inline constexpr int kMaxJsonDepth = 32;                          // arrays and objects nested in it
inline constexpr std::size_t kMaxBodyBytes = 2u << 20;           // an encoded ActBody (a 1 MiB act encodes smaller)
inline constexpr std::size_t kMaxAttachments = 256;              // attachments of one act
inline constexpr std::size_t kMaxAttachmentBytes = 64u << 20;    // one attachment read from its `path`
inline constexpr std::size_t kMaxAttachmentsBytes = 192u << 20;  // all of an act's attachments read from paths
inline constexpr std::string_view kFirstDate = "2000-01-01";     // dates: the document's and those in `data`
inline constexpr std::string_view kLastDate = "2099-12-31";

// One row of the table of limits in docs/act-limits.md: a field as messages name it ("document.title",
// "data.reason"), what it may hold ("text, at most 10,000 characters"), and for a field of `data` the act kinds
// that have it. A test holds the document to these rows.
struct FieldLimitRow {
  std::string field, limit, acts;
};
std::vector<FieldLimitRow> act_field_limits();

// An act read from JSON, with the content of attachments given by `path`.
struct ActInput {
  Act act;
  std::vector<Bytes> attachment_contents;  // parallel to the attachments that had a `path`; in order
  // Parallel to act.attachments: the file each was read from (relative ones resolved against the act's directory);
  // empty for one given by sha256 and size.
  std::vector<std::filesystem::path> attachment_sources;
};

// Parses JSON from outside whose arrays and objects nest at most `max_depth` deep. The parser keeps its own stack on
// the heap, but what is built from deeper JSON would be walked recursively (by messages, by dump()): a deeper array or
// object is discarded as it is read, and refused. bad_input naming `source`: malformed JSON (at which byte), nested
// too deep, more than `max_values` values (arrays, objects and scalars: what the parsed form costs in memory), a
// number too large for a double.
Result<nlohmann::json> parse_json_nested(std::string_view text, int max_depth, const std::string& source,
                                         std::size_t max_values = SIZE_MAX);

// Parses and validates an act from JSON text of at most kMaxActJsonBytes, nested at most kMaxJsonDepth deep.
// `source` names the input in messages (a file name); attachment paths are relative to `base_dir`, and each is read
// as a regular file of at most kMaxAttachmentBytes (kMaxAttachmentsBytes for all of them) that holds no private key
// (signing::private_key_material). Errors are one line of bad_input naming the field, e.g.
// "act.json: data.teams: expected an integer from 1 to 10000, got \"four\"".
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
// Decodes signed bytes from outside: bounded (at most kMaxBodyBytes, traversal and nesting limits), validated like
// JSON input and held to the same limits, and required to be canonical (re-encoding gives the same bytes).
// bad_input otherwise.
Result<Act> decode_body(ByteView bytes);

// True for the kinds of acts.md (model, exemplar, both, registry and records).
bool is_known_act(std::string_view kind);
// Registry and records acts: authority.*, profile.adopted, record.*, archive.*, trust.*, retention.*, access.*, unit.*.
bool is_registry_act(std::string_view kind);

// The kinds of unit the registry knows (unit.registered data.kind): people-committee, steering-committee, police, ...
const std::vector<std::string>& unit_kinds();
// Every known kind, in acts.md order.
const std::vector<std::string>& known_acts();

// Unicode NFC of UTF-8 text; nullopt when the text is not valid UTF-8.
std::optional<std::string> nfc(std::string_view text);
// Whether `text` is in NFC already (nfc(text) == text, without the copy in the common case); nullopt like nfc().
std::optional<bool> is_nfc(std::string_view text);

// A real calendar date written YYYY-MM-DD.
bool is_date(std::string_view text);
// A date an act may hold: is_date() and within kFirstDate..kLastDate.
bool is_act_date(std::string_view text);

// A document is signed, and admitted, on or after the day it is dated: bad_input naming `date` when the act's date
// is later than the day (Vietnam time) of `at`. `event` says which day ("signing", "admission"). Admission applies
// it with its own time plus kClockSkew, verify's replay with the entry's recordedAt plus kClockSkew, `antq sign`
// with the time it signs.
Status check_document_date(const Act& act, signing::UnixTime at, std::string_view event);

}  // namespace antq::ledger
