// Events, entries and submissions as plain C++ values, and their canonical Cap'n Proto bytes (schema/antq.capnp).
#pragma once

#include "i18n/i18n.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "signing/digest.hpp"
#include "signing/result.hpp"

namespace antq::ledger {

enum class Role { person, organisation };
std::string_view role_name(Role role);  // "person" | "organisation"
i18n::Text role_text(Role role);        // the same as a message's value: the id in English, its word otherwise

struct SignatureRecord {
  Role role = Role::person;
  Digest signer{};  // SHA-256 of the signer certificate's DER
  Bytes cms;        // DER CMS SignedData, detached over Event::body
};

struct Event {
  Bytes body;  // canonical ActBody: the signed bytes
  std::vector<SignatureRecord> signatures;
};

struct Entry {
  std::uint64_t seq = 0;
  std::string recorded_at;  // "YYYY-MM-DDTHH:MM:SSZ"
  Event event;
};

// An event in transit (`antq sign` writes it, `antq append` reads it): signatures carry their certificates,
// attachments given by path carry their content.
struct Submission {
  struct Blob {
    Digest sha256{};
    Bytes content;
  };
  Event event;
  std::vector<Blob> blobs;
  std::string label;  // where it came from (a file name), for messages only; not encoded
};

// An entry read in place, for verify and rebuild: the views point into the bytes it was decoded from.
struct SignatureView {
  Role role = Role::person;
  Digest signer{};
  ByteView cms;
};
struct EntryView {
  std::uint64_t seq = 0;
  std::string_view recorded_at;
  ByteView body;
  std::vector<SignatureView> signatures;
};
// The views of an event's signatures, valid while the event is.
std::vector<SignatureView> signature_views(const Event& event);

Bytes encode_entry(const Entry& entry);
// Bounded decode of stored or exported entry bytes; bad_input when malformed or not canonical.
Result<Entry> decode_entry(ByteView bytes);
// The same checks, without copying: the result's views point into `bytes`.
Result<EntryView> decode_entry_view(ByteView bytes);

Bytes encode_submission(const Submission& submission);
Result<Submission> decode_submission(ByteView bytes);

// A signature of a PDF attachment as admission verified it (schema PdfSignature).
struct PdfSignatureRecord {
  std::array<std::uint64_t, 4> byte_range{};
  std::string sub_filter;
  bool covers_whole_file = false;
  Digest signer{};
  std::int64_t signing_time = 0;
  std::string algorithm;
  bool operator==(const PdfSignatureRecord&) const = default;
};
Bytes encode_pdf_signatures(const std::vector<PdfSignatureRecord>& signatures);
Result<std::vector<PdfSignatureRecord>> decode_pdf_signatures(ByteView bytes);

// The largest submission or entry accepted (attachments included).
inline constexpr std::size_t kMaxMessageBytes = 256u << 20;

}  // namespace antq::ledger
