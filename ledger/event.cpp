#include "ledger/event.hpp"

#include <algorithm>
#include <cstddef>
#include <type_traits>

#include "ledger/canonical.hpp"
#include "ledger/codec.hpp"
#include "ledger/schema/antq.capnp.h"

namespace antq::ledger {
namespace {

ByteView data_view(capnp::Data::Reader d) { return {d.begin(), d.size()}; }
kj::ArrayPtr<const kj::byte> ptr(ByteView v) { return kj::arrayPtr(v.data(), v.size()); }

void build_event(schema::Event::Builder b, const Event& event) {
  b.setBody(ptr(event.body));
  auto sigs = b.initSignatures(static_cast<unsigned>(event.signatures.size()));
  for (unsigned i = 0; i < event.signatures.size(); ++i) {
    const auto& s = event.signatures[i];
    sigs[i].setRole(s.role == Role::person ? schema::Role::PERSON : schema::Role::ORGANISATION);
    sigs[i].setSigner(ptr(s.signer));
    sigs[i].setCms(ptr(s.cms));
  }
}

// The bytes encode_entry makes of these values, written directly (canonical.hpp) into `w`, valid until its next use.
ByteView canonical_entry(CanonicalWriter& w, std::uint64_t seq, std::string_view recorded_at, ByteView body,
                         std::span<const SignatureView> signatures) {
  w.start();
  const std::uint64_t entry_data[] = {seq};
  const std::size_t entry = w.add_struct(0, entry_data, 2);
  w.add_text(entry, recorded_at);
  const std::size_t event = w.add_struct(entry + 1, {}, 2);
  w.add_data(event, body);
  const auto role = [](const SignatureView& s) -> std::uint64_t {
    return static_cast<std::uint16_t>(s.role == Role::person ? schema::Role::PERSON : schema::Role::ORGANISATION);
  };
  unsigned data_words = 0;  // a role other than the first (0) needs the data word
  for (const SignatureView& s : signatures)
    if (role(s) != 0) data_words = 1;
  const std::size_t size = data_words + 2;
  const std::size_t first = w.add_struct_list(event + 1, signatures.size(), data_words, 2);
  for (std::size_t i = 0; i < signatures.size(); ++i) {
    const std::size_t at = first + i * size;
    if (data_words != 0) w.word(at) = role(signatures[i]);
    w.add_data(at + data_words, signatures[i].signer);
    w.add_data(at + data_words + 1, signatures[i].cms);
  }
  return w.bytes();
}

// A signature as stored, its CMS viewed where `in` read it from.
Result<SignatureView> read_signature(schema::Signature::Reader s, const FlatReader& in) {
  SignatureView out;
  switch (s.getRole()) {
    case schema::Role::PERSON: out.role = Role::person; break;
    case schema::Role::ORGANISATION: out.role = Role::organisation; break;
    default:
      return bad_input(i18n::Text("signature role is neither person nor organisation"));
  }
  if (s.getSigner().size() != 32) return bad_input(i18n::Text("signature signer is not a 32-byte SHA-256 fingerprint"));
  std::copy(s.getSigner().begin(), s.getSigner().end(), out.signer.begin());
  out.cms = in.in_given(s.getCms());
  return out;
}

Result<Event> read_event(schema::Event::Reader r, const FlatReader& in) {
  Event event;
  auto body = data_view(r.getBody());
  event.body.assign(body.begin(), body.end());
  event.signatures.reserve(r.getSignatures().size());
  for (auto s : r.getSignatures()) {
    auto v = read_signature(s, in);
    if (!v) return std::unexpected(v.error());
    event.signatures.push_back({v->role, v->signer, Bytes(v->cms.begin(), v->cms.end())});
  }
  return event;
}

// Reads `bytes` as a T with read(root, reader), then requires them canonical: by default the canonical form of what
// was read (capnp::canonicalize, the definition FORMAT.md gives; not MessageReader::isCanonical, which on altered
// bytes sometimes disagrees with it in Cap'n Proto 0.9); `canonical(root, result)` decides instead when given.
template <class T, class F, class C = std::nullptr_t>
auto decode(ByteView bytes, const char* what, F&& read, C&& canonical = nullptr)
    -> decltype(read(std::declval<typename T::Reader>(), std::declval<const FlatReader&>())) {
  if (bytes.size() > kMaxMessageBytes)
    return bad_input(i18n::Text("{}: larger than the 256 MiB limit", i18n::Text::word(std::string(what))));
  try {
    FlatReader reader(bytes);
    auto root = reader.root<T>();
    auto result = read(root, reader);
    if (!result) return result;
    bool is_canonical = false;
    if constexpr (std::is_same_v<std::decay_t<C>, std::nullptr_t>) is_canonical = is_canonical_encoding<T>(root, bytes);
    else is_canonical = canonical(root, *result);
    if (!is_canonical)
      return bad_input(i18n::Text("{}: not in canonical Cap'n Proto form", i18n::Text::word(std::string(what))));
    return result;
  } catch (const kj::Exception& e) {
    return bad_input(
        i18n::Text("{}: malformed Cap'n Proto: {}", i18n::Text::word(std::string(what)), e.getDescription().cStr()));
  }
}

}  // namespace

std::string_view role_name(Role role) { return role == Role::person ? "person" : "organisation"; }
i18n::Text role_text(Role role) {
  return role == Role::person ? i18n::Text::term("person", NC_("signer role", "person"))
                              : i18n::Text::term("organisation", NC_("signer role", "organisation"));
}

Bytes encode_entry(const Entry& entry) {
  capnp::MallocMessageBuilder message;
  auto b = message.initRoot<schema::Entry>();
  b.setSeq(entry.seq);
  b.setRecordedAt(entry.recorded_at);
  build_event(b.initEvent(), entry.event);
  return canonical_bytes(b.asReader());
}

std::vector<SignatureView> signature_views(const Event& event) {
  std::vector<SignatureView> out;
  out.reserve(event.signatures.size());
  for (const SignatureRecord& s : event.signatures) out.push_back({s.role, s.signer, s.cms});
  return out;
}

Result<EntryView> decode_entry_view(ByteView bytes) {
  auto read = [](schema::Entry::Reader r, const FlatReader& in) -> Result<EntryView> {
    EntryView entry;
    entry.seq = r.getSeq();
    entry.recorded_at = in.in_given(r.getRecordedAt());
    if (entry.recorded_at.find('\0') != std::string_view::npos)
      return bad_input(i18n::Text("entry: recordedAt holds a NUL byte"));
    auto event = r.getEvent();
    entry.body = in.in_given(event.getBody());
    entry.signatures.reserve(event.getSignatures().size());
    for (auto s : event.getSignatures()) {
      auto v = read_signature(s, in);
      if (!v) return std::unexpected(v.error());
      entry.signatures.push_back(*v);
    }
    return entry;
  };
  // Canonical means what encode_entry makes of what the entry says: besides Cap'n Proto's canonical form, no bits
  // in a field's padding and no field this schema lacks (which canonicalize keeps, as fields of a later schema).
  auto canonical = [&](schema::Entry::Reader, const EntryView& e) {
    return std::ranges::equal(canonical_entry(thread_canonical_writer(), e.seq, e.recorded_at, e.body, e.signatures),
                              bytes);
  };
  return decode<schema::Entry>(bytes, N_("entry"), read, canonical);
}

Result<Entry> decode_entry(ByteView bytes) {
  auto v = decode_entry_view(bytes);
  if (!v) return std::unexpected(v.error());
  Entry entry{v->seq, std::string(v->recorded_at), {Bytes(v->body.begin(), v->body.end()), {}}};
  entry.event.signatures.reserve(v->signatures.size());
  for (const SignatureView& s : v->signatures)
    entry.event.signatures.push_back({s.role, s.signer, Bytes(s.cms.begin(), s.cms.end())});
  return entry;
}

Bytes encode_submission(const Submission& submission) {
  capnp::MallocMessageBuilder message;
  auto b = message.initRoot<schema::Submission>();
  build_event(b.initEvent(), submission.event);
  auto blobs = b.initAttachments(static_cast<unsigned>(submission.blobs.size()));
  for (unsigned i = 0; i < submission.blobs.size(); ++i) {
    blobs[i].setSha256(ptr(submission.blobs[i].sha256));
    blobs[i].setContent(ptr(submission.blobs[i].content));
  }
  return canonical_bytes(b.asReader());
}

Bytes encode_pdf_signatures(const std::vector<PdfSignatureRecord>& signatures) {
  capnp::MallocMessageBuilder message;
  auto list = message.initRoot<schema::PdfSignatures>().initSignatures(static_cast<unsigned>(signatures.size()));
  for (unsigned i = 0; i < signatures.size(); ++i) {
    const PdfSignatureRecord& s = signatures[i];
    auto b = list[i];
    auto range = b.initByteRange(4);
    for (unsigned j = 0; j < 4; ++j) range.set(j, s.byte_range[j]);
    b.setSubFilter(s.sub_filter);
    b.setCoversWholeFile(s.covers_whole_file);
    b.setSigner(ptr(s.signer));
    b.setSigningTime(s.signing_time);
    b.setAlgorithm(s.algorithm);
  }
  return canonical_bytes(message.getRoot<schema::PdfSignatures>().asReader());
}

Result<std::vector<PdfSignatureRecord>> decode_pdf_signatures(ByteView bytes) {
  return decode<schema::PdfSignatures>(
      bytes, N_("PDF signature record"),
      [](schema::PdfSignatures::Reader r, const FlatReader&) -> Result<std::vector<PdfSignatureRecord>> {
        std::vector<PdfSignatureRecord> out;
        for (auto s : r.getSignatures()) {
          PdfSignatureRecord rec;
          if (s.getByteRange().size() != 4 || s.getSigner().size() != 32)
            return bad_input(i18n::Text("PDF signature record: a byte range or signer of the wrong size"));
          for (unsigned j = 0; j < 4; ++j) rec.byte_range[j] = s.getByteRange()[j];
          rec.sub_filter = s.getSubFilter();
          rec.covers_whole_file = s.getCoversWholeFile();
          std::copy(s.getSigner().begin(), s.getSigner().end(), rec.signer.begin());
          rec.signing_time = s.getSigningTime();
          rec.algorithm = s.getAlgorithm();
          out.push_back(std::move(rec));
        }
        return out;
      });
}

Result<Submission> decode_submission(ByteView bytes) {
  auto read = [](schema::Submission::Reader r, const FlatReader& in) -> Result<Submission> {
    Submission s;
    auto event = read_event(r.getEvent(), in);
    if (!event) return std::unexpected(event.error());
    s.event = std::move(*event);
    for (auto b : r.getAttachments()) {
      Submission::Blob blob;
      if (b.getSha256().size() != 32) return bad_input(i18n::Text("signed event: attachment digest is not 32 bytes"));
      std::copy(b.getSha256().begin(), b.getSha256().end(), blob.sha256.begin());
      blob.content.assign(b.getContent().begin(), b.getContent().end());
      if (sha256(blob.content) != blob.sha256)
        return bad_input(
            i18n::Text("signed event: attachment content does not match its SHA-256 {}", to_hex(blob.sha256)));
      s.blobs.push_back(std::move(blob));
    }
    return s;
  };
  return decode<schema::Submission>(bytes, N_("signed event"), read);
}

}  // namespace antq::ledger
