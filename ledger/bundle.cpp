// antq export: writing a bundle (FORMAT.md §7), and what the writer and the verifier share (its README, its index).
#include "ledger/bundle.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ledger/merkle.hpp"
#include "ledger/output_directory.hpp"

namespace antq::ledger {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string errno_text() { return std::strerror(errno); }

// entries.bin, written through a buffer: a bundle of a large ledger never sits in memory.
class EntriesFile {
 public:
  // `path`: the file's path in `dir`, for messages.
  EntriesFile(OutputDirectory& dir, int fd, std::string path) : dir_(dir), fd_(fd), path_(std::move(path)) {}
  EntriesFile(const EntriesFile&) = delete;
  EntriesFile& operator=(const EntriesFile&) = delete;
  ~EntriesFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  Status append(ByteView entry) {
    const auto n = static_cast<std::uint32_t>(entry.size());
    const std::uint8_t length[4] = {static_cast<std::uint8_t>(n), static_cast<std::uint8_t>(n >> 8),
                                    static_cast<std::uint8_t>(n >> 16), static_cast<std::uint8_t>(n >> 24)};
    buffer_.insert(buffer_.end(), length, length + 4);
    buffer_.insert(buffer_.end(), entry.begin(), entry.end());
    return buffer_.size() >= kFlushAt ? flush() : Status{};
  }
  Status close() {
    Status s = flush();
    if (::close(std::exchange(fd_, -1)) != 0 && s)
      s = io_error(i18n::Text("cannot write {}: {}", dir_.shown(path_), errno_text()));
    return s;
  }

 private:
  static constexpr std::size_t kFlushAt = 1 << 20;
  Status flush() {
    Status s = dir_.write_all(fd_, buffer_, path_);
    buffer_.clear();
    return s;
  }
  OutputDirectory& dir_;
  int fd_;
  std::string path_;
  Bytes buffer_;
};

}  // namespace

const char* const kBundleIndexHeader = "seq\trole\tsigner\tsigning_time_unix\tsigning_time\n";

std::string bundle_index_line(std::uint64_t seq, Role role, const Digest& signer, signing::UnixTime signing_time) {
  return fmt::format("{}\t{}\t{}\t{}\t{}\n", seq, role_name(role), to_hex(signer), signing_time,
                     signing::format_vietnam_time(signing_time));
}

bool is_subject_or_point(std::string_view id, std::string_view subject) {
  return id == subject || (id.size() > subject.size() && id.starts_with(subject) && id[subject.size()] == '/');
}

bool act_in_subject_bundle(const Act& act, const std::string& subject, const std::set<Digest>& attachments) {
  if (is_subject_or_point(act.subject, subject)) return true;
  if (act.subject != kLedgerSubject) return false;
  // The trust store's changes: every signature of the bundle is judged with the CRLs and time-stamp authorities
  // its entry's admission had.
  if (act.act == kCrlAdded || act.act == kTimestampAuthorityAdded) return true;
  // acts.md: what each records act names.
  const char* field = act.act == "record.held" || act.act == "record.released" ? "targets"
                      : act.act == "record.disposed"                           ? "attachments"
                      : act.act == "archive.transferred"                       ? "subjects"
                                                                               : nullptr;
  if (field == nullptr) return false;
  auto list = act.data.find(field);
  if (list == act.data.end() || !list->is_array()) return false;
  for (const json& named : *list) {
    if (!named.is_string()) continue;
    const std::string& text = named.get_ref<const std::string&>();
    if (is_subject_or_point(text, subject)) return true;
    if (auto digest = digest_from_hex(text); digest && attachments.contains(*digest)) return true;
  }
  return false;
}

void note_disposals(const Act& act, std::uint64_t seq, std::map<Digest, std::uint64_t>& disposed) {
  if (act.act != kRecordDisposed || !act.data.contains("attachments") || !act.data["attachments"].is_array()) return;
  for (const json& d : act.data["attachments"])
    if (auto digest = d.is_string() ? digest_from_hex(d.get<std::string>()) : std::nullopt) disposed.emplace(*digest, seq);
}

std::string bundle_readme(const BundleFacts& f) {
  std::string r = fmt::format(R"README(antq-ledger bundle
==================

This directory is a self-contained copy of {} entries of the antq-ledger log
"{}" (tree size {}), made for verification without antq.
FORMAT.md (beside this file) documents every byte; schema/antq.capnp is the schema.
)README",
                              f.entries, f.origin, f.size);
  if (f.subject)
    r += fmt::format(R"README(It holds only the acts of subject {0} and of its points ({0}/...), the records acts
(record.held, record.released, record.disposed, archive.transferred) that name them or their documents, and the
changes of the trust store (trust.crl-added, trust.tsa-added) that judge their signatures.
)README",
                     *f.subject);
  r += R"README(
What is here
  checkpoint       the log's signed checkpoint (C2SP tlog-checkpoint signed note, Ed25519)
  operator.vkey    the operator's verifier key (C2SP signed-note verifier key), as the bundle's maker wrote it
  entries.bin      the entries, each as a 4-byte little-endian length and the canonical Cap'n Proto Entry
  certs/           every certificate the signatures need, named by the SHA-256 of its DER
  attachments/     attached documents still held (not disposed), named by SHA-256
  trust.pem        the trust anchors the ledger admitted signatures against, as the bundle's maker wrote them
  profile.json     the rule profile named when the ledger was made (its file as stored then; format: README in
                   projections/profiles/ of antq-ledger); absent for ledgers that did not store one
)README";
  if (f.subject) r += "  proofs.json      an RFC 9162 inclusion proof of each entry in the checkpoint's tree\n";
  if (!f.disposed.empty()) {
    r += "\nDocuments destroyed by a disposal decision (record.disposed): the entries keep their SHA-256, the bytes are\n"
         "in no bundle made since\n";
    for (const auto& [digest, seq] : f.disposed) r += fmt::format("  {} disposed of by entry {}\n", to_hex(digest), seq);
  }
  if (f.explode)
    r += "  acts/            <seq>.body: the signed bytes; <seq>.<role>.p7s: DER CMS with the signer's certificates;\n"
         "                   index.tsv: every signature with its signing time\n";
  r += R"README(
Checking it with antq
  antq verify-bundle BUNDLE --operator-key OPERATOR.vkey --trust ROOTS.pem
where OPERATOR.vkey and ROOTS.pem are YOUR OWN copies: the operator's verifier key as the operator gave it to you
(`antq init` prints it), and the root certificates you trust for signatures. Not this bundle's operator.vkey and
trust.pem: whoever made the bundle wrote those too, and a bundle forged from scratch carries a key and roots of its
own that agree with it, so `--operator-key operator.vkey --trust trust.pem` would prove nothing.
Instead of --operator-key (or besides it), --checkpoint KEPT names a checkpoint of this log that you kept earlier
(`antq checkpoint`): the bundle's key must have signed it, and the bundle's tree must extend it.
Without these anchors verify-bundle checks only that the bundle agrees with itself, says so, and exits 1
(--self-consistent-only accepts that, with exit 0). It lists every file of the bundle as checked or unchecked.
)README";
  if (f.subject)
    r += fmt::format(R"README(
What this bundle cannot prove
  - That it holds every act of {0}. Each entry here is proven to be in the log's tree (proofs.json). An entry left
    out is found while anything in the bundle still names it: its proof, its acts/ files or index.tsv line, or a
    document or signer's certificate that only it named. An entry removed together with all of these (say, the
    last act of the chain, from a bundle without acts/) leaves no trace. For completeness, verify the whole ledger
    (antq verify) or a whole-ledger bundle.
  - That the log extends a checkpoint you kept at another tree size: give --operator-key for that.
)README",
                     *f.subject);
  r += R"README(
What verify-bundle does not check
  - The admission rules (who may sign which act, the order of the steps): `antq verify` replays them on the ledger.
  - profile.json: the rule profile named when the ledger was made is kept beside the log, not in it.
  - Time of admission: each signature is judged when made and when admitted, with the CRLs and time-stamp
    authorities the bundle's trust.crl-added and trust.tsa-added entries (and their documents) carry.

Checking it with stock tools
  0. operator.vkey must be, character for character, the key the operator gave you; trust.pem must hold your roots.
  1. Certificates and attachments are content-addressed:
       for f in certs/*.der; do [ "$(sha256sum < "$f" | cut -c1-64)" = "$(basename "$f" .der)" ] || echo "BAD $f"; done
       for f in attachments/*; do [ "$(sha256sum < "$f" | cut -c1-64)" = "$(basename "$f")" ] || echo "BAD $f"; done
  2. An entry is readable with the schema (take one entry's bytes out of entries.bin, FORMAT.md shows how):
       capnp decode --flat schema/antq.capnp Entry < entry.bin
     and its signed act body with
       capnp decode --flat schema/antq.capnp ActBody < acts/<seq>.body
  3. The Merkle tree is RFC 9162 §2.1: leaf = SHA-256(0x00 || entry bytes), node = SHA-256(0x01 || left || right);
     the root over all entries of entries.bin must equal the base64 root on line 3 of `checkpoint`.
)README";
  if (f.explode)
    r += R"README(  4. Every signature verifies with stock OpenSSL, its certificate chain checked at its signing time
     (acts/index.tsv lists seq, role, signer, signing time as Unix seconds and ISO 8601; use your own roots file):
       tail -n +2 acts/index.tsv | while IFS=$'\t' read -r seq role signer unix iso; do
         openssl cms -verify -binary -inform DER -content acts/$seq.body -in acts/$seq.$role.p7s \
           -CAfile ROOTS.pem -purpose any -attime "$unix" -out /dev/null 2>/dev/null || echo "BAD $seq $role"
       done
     (Without -attime OpenSSL checks the chain now, which fails for certificates that have expired since.)
)README";
  return r;
}

namespace {

// What an export reads before it creates anything: the checkpoint (the log only grows, so entries [0, size) are
// fixed whatever is appended meanwhile) and, for a --subject bundle, the attachments of the subject's own acts,
// which the records acts it holds may name.
struct ExportStart {
  std::string note;
  Checkpoint checkpoint;
  std::set<Digest> subject_attachments;
};

Result<ExportStart> start_export(const Ledger& ledger, const ExportOptions& options) {
  auto vkey = parse_verifier_key(ledger.info().verifier_key);
  if (!vkey) return std::unexpected(vkey.error());
  std::string note = ledger.checkpoint();
  auto cp = open_checkpoint(note, *vkey);
  if (!cp) return std::unexpected(cp.error());
  ExportStart start{std::move(note), std::move(*cp), {}};
  if (options.subject) {
    Status s = ledger.for_each_entry(0, start.checkpoint.size, [&](std::uint64_t seq, ByteView bytes) -> Status {
      auto entry = decode_entry(bytes);
      if (!entry) return corruption(i18n::Text("entry {}: {}", seq, text_of(entry.error())));
      auto act = decode_body(entry->event.body);
      if (!act) return corruption(i18n::Text("entry {}: {}", seq, text_of(act.error())));
      if (is_subject_or_point(act->subject, *options.subject))
        for (const auto& a : act->attachments) start.subject_attachments.insert(a.sha256);
      return {};
    });
    if (!s) return std::unexpected(s.error());
  }
  return start;
}

// Writes the bundle's files into `dir`, each path prefixed by `prefix` ("" or "some/directory/", made already).
// On error the caller removes what was written.
Result<ExportSummary> write_bundle(const Ledger& ledger, OutputDirectory& dir, const std::string& prefix,
                                   const ExportStart& start, const ExportOptions& options) {
  const Checkpoint& cp = start.checkpoint;
  for (const char* sub : {"certs", "attachments", "schema"})
    if (auto s = dir.make_subdirectory(prefix + sub); !s) return std::unexpected(s.error());
  if (options.explode)
    if (auto s = dir.make_subdirectory(prefix + "acts"); !s) return std::unexpected(s.error());

  ExportSummary summary;
  summary.size = cp.size;
  signing::Verifier verifier = ledger.make_verifier();
  std::set<Digest> certs_written, attachments_seen;
  auto write_cert = [&](const Digest& fp, ByteView der) -> Status {
    if (!certs_written.insert(fp).second) return {};
    return dir.write_file(prefix + "certs/" + to_hex(fp) + ".der", der);
  };
  for (const auto& der : ledger.intermediates())
    if (auto s = write_cert(sha256(der), der); !s) return std::unexpected(s.error());
  if (const auto& profile = ledger.info().profile_document) {
    auto text = ledger.attachment(*profile);
    if (!text) return corruption(i18n::Text("the ledger's rule profile file {} is missing", to_hex(*profile)));
    if (auto s = dir.write_file(prefix + "profile.json", *text); !s) return std::unexpected(s.error());
  }

  auto entries_fd = dir.create_file(prefix + "entries.bin");
  if (!entries_fd) return std::unexpected(entries_fd.error());
  EntriesFile entries_bin(dir, *entries_fd, prefix + "entries.bin");
  std::string index = kBundleIndexHeader;
  json proofs = json::array();
  std::map<Digest, std::uint64_t> disposed;
  Status status = ledger.for_each_entry(0, cp.size, [&](std::uint64_t seq, ByteView bytes) -> Status {
    auto entry = decode_entry(bytes);
    if (!entry) return corruption(i18n::Text("entry {}: {}", seq, text_of(entry.error())));
    auto act = decode_body(entry->event.body);
    if (!act) return corruption(i18n::Text("entry {}: {}", seq, text_of(act.error())));
    if (options.subject && !act_in_subject_bundle(*act, *options.subject, start.subject_attachments)) return {};
    if (auto w = entries_bin.append(bytes); !w) return w;
    note_disposals(*act, seq, disposed);
    ++summary.entries;
    if (options.subject) {
      json p = json::array();
      for (const Digest& d : ledger.inclusion_proof(seq, cp.size)) p.push_back(to_hex(d));
      proofs.push_back({{"seq", seq}, {"leaf_hash", to_hex(leaf_hash(bytes))}, {"proof", p}});
    }
    for (const auto& s : entry->event.signatures) {
      auto der = ledger.certificate(s.signer);
      if (!der) return corruption(i18n::Text("entry {}: signer certificate {} is not stored", seq, to_hex(s.signer)));
      if (auto w = write_cert(s.signer, *der); !w) return w;
      if (options.explode) {
        auto parts = signing::cms_parse(s.cms);
        if (!parts || !parts->signing_time)
          return corruption(
              i18n::Text("entry {}: its {} signature is not a CMS with a signing time", seq, role_text(s.role)));
        index += bundle_index_line(seq, s.role, s.signer, *parts->signing_time);
        // The chain (without the root) goes into the CMS so that `openssl cms -verify -CAfile ROOTS.pem` works.
        std::vector<Bytes> chain{*der};
        if (auto v = verifier.verify(entry->event.body, s.cms, *der))
          for (std::size_t i = 1; i + 1 < v->chain.size(); ++i)
            if (auto c = ledger.certificate(v->chain[i])) chain.push_back(*c);
        auto p7s = signing::cms_with_certificates(s.cms, chain);
        if (!p7s)
          return p7s.error().kind == ErrorKind::bad_input ? corruption(text_of(p7s.error()))
                                                          : std::unexpected(p7s.error());
        if (auto w = dir.write_file(prefix + fmt::format("acts/{}.{}.p7s", seq, role_name(s.role)), *p7s); !w) return w;
      }
    }
    if (options.explode)
      if (auto w = dir.write_file(prefix + fmt::format("acts/{}.body", seq), entry->event.body); !w) return w;
    for (const auto& a : act->attachments) {
      if (!attachments_seen.insert(a.sha256).second) continue;
      if (auto content = ledger.attachment(a.sha256)) {
        if (auto w = dir.write_file(prefix + "attachments/" + to_hex(a.sha256), *content); !w) return w;
        ++summary.attachments;
      }
    }
    if (options.progress && seq % 1024 == 0) options.progress(seq, cp.size);
    return {};
  });
  if (status) status = entries_bin.close();
  if (!status) return std::unexpected(status.error());
  if (options.progress) options.progress(cp.size, cp.size);
  summary.certificates = certs_written.size();

  std::string trust;
  for (const auto& der : ledger.trust_roots()) trust += signing::certificate_to_pem(der);
  Status s = dir.write_text(prefix + "checkpoint", start.note);
  if (s) s = dir.write_text(prefix + "operator.vkey", ledger.info().verifier_key + "\n");
  if (s) s = dir.write_text(prefix + "trust.pem", trust);
  if (s) s = dir.write_text(prefix + "schema/antq.capnp", kSchemaText);
  if (s) s = dir.write_text(prefix + "FORMAT.md", kFormatText);
  if (s && options.explode) s = dir.write_text(prefix + "acts/index.tsv", index);
  if (s && options.subject)
    s = dir.write_text(prefix + "proofs.json", json{{"subject", *options.subject}, {"size", cp.size}, {"entries", proofs}}.dump(1) + "\n");
  if (s)
    s = dir.write_text(prefix + "README.txt", bundle_readme({cp.origin, summary.entries, cp.size, options.subject, options.explode,
                                                                   disposed}));
  if (!s) return std::unexpected(s.error());
  return summary;
}

}  // namespace

Result<ExportSummary> export_bundle(const Ledger& ledger, const fs::path& out, const ExportOptions& options) {
  auto start = start_export(ledger, options);
  if (!start) return std::unexpected(start.error());
  auto dir = OutputDirectory::create(out, N_("export creates the bundle directory itself"));
  if (!dir) return std::unexpected(dir.error());
  auto summary = write_bundle(ledger, *dir, "", *start, options);
  if (!summary) dir->remove();
  return summary;
}

Result<ExportSummary> export_bundle(const Ledger& ledger, OutputDirectory& dir, const std::string& at,
                                    const ExportOptions& options) {
  auto start = start_export(ledger, options);
  if (!start) return std::unexpected(start.error());
  const std::size_t mark = dir.mark();
  auto summary = [&]() -> Result<ExportSummary> {
    if (auto s = dir.make_subdirectory(at); !s) return std::unexpected(s.error());
    return write_bundle(ledger, dir, at + "/", *start, options);
  }();
  if (!summary) dir.remove_since(mark);
  return summary;
}

}  // namespace antq::ledger
