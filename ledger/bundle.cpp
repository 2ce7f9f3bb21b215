#include "ledger/bundle.hpp"

#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ledger/merkle.hpp"
#include "ledger/parallel.hpp"

namespace antq::ledger {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Status write_file(const fs::path& path, ByteView bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out.flush()) return io_error("cannot write " + path.string() + " (disk full or no permission?)");
  return {};
}
Status write_text(const fs::path& path, std::string_view text) { return write_file(path, as_bytes(text)); }

Result<Bytes> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return bad_input("bundle: cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return Bytes(s.begin(), s.end());
}

bool in_subject(const std::string& subject, const std::string& wanted) {
  return subject == wanted || subject.starts_with(wanted + "/");
}

std::string readme(const ExportSummary& s, bool explode, bool partial) {
  std::string r = fmt::format(R"README(antq-ledger bundle
==================

This directory is a self-contained copy of {} entries of an antq-ledger log (tree size {}), made for
verification without antq. FORMAT.md (beside this file) documents every byte; schema/antq.capnp is the schema.

What is here
  checkpoint       the log's signed checkpoint (C2SP tlog-checkpoint signed note, Ed25519)
  operator.vkey    the operator's verifier key (C2SP signed-note verifier key)
  entries.bin      the entries, each as a 4-byte little-endian length and the canonical Cap'n Proto Entry
  certs/           every certificate the signatures need, named by the SHA-256 of its DER
  attachments/     attached documents still held (not disposed), named by SHA-256
  trust.pem        the trust anchors the ledger admitted signatures against
  profile.json     the rule profile the ledger is judged by (its file as stored at init; format: README in
                   projections/profiles/ of antq-ledger); absent for ledgers that did not store one
{}{}
Checking it with antq
  antq verify-bundle .

Checking it with stock tools
  1. Certificates and attachments are content-addressed:
       for f in certs/*.der; do [ "$(sha256sum < "$f" | cut -c1-64)" = "$(basename "$f" .der)" ] || echo "BAD $f"; done
       for f in attachments/*; do [ "$(sha256sum < "$f" | cut -c1-64)" = "$(basename "$f")" ] || echo "BAD $f"; done
  2. An entry is readable with the schema (take one entry's bytes out of entries.bin, FORMAT.md shows how):
       capnp decode --flat schema/antq.capnp Entry < entry.bin
     and its signed act body with
       capnp decode --flat schema/antq.capnp ActBody < acts/<seq>.body
  3. The Merkle tree is RFC 9162 §2.1: leaf = SHA-256(0x00 || entry bytes), node = SHA-256(0x01 || left || right);
     the root over all entries of entries.bin must equal the base64 root on line 3 of `checkpoint`.
)README",
                              s.entries, s.size, partial ? "  proofs.json      an RFC 9162 inclusion proof of each entry in the checkpoint's tree\n" : "",
                              explode ? "  acts/            <seq>.body: the signed bytes; <seq>.<role>.p7s: DER CMS with the signer's certificates\n" : "");
  if (explode)
    r += R"README(  4. Every signature verifies with stock OpenSSL, its certificate chain checked at its signing time
     (acts/index.tsv lists seq, role, signer, signing time as Unix seconds and ISO 8601):
       tail -n +2 acts/index.tsv | while IFS=$'\t' read -r seq role signer unix iso; do
         openssl cms -verify -binary -inform DER -content acts/$seq.body -in acts/$seq.$role.p7s \
           -CAfile trust.pem -purpose any -attime "$unix" -out /dev/null 2>/dev/null || echo "BAD $seq $role"
       done
     (Without -attime OpenSSL checks the chain now, which fails for certificates that have expired since.)
)README";
  return r;
}

}  // namespace

Result<ExportSummary> export_bundle(const Ledger& ledger, const fs::path& out, const ExportOptions& options) {
  std::error_code ec;
  if (fs::exists(out, ec) && !(fs::is_directory(out, ec) && fs::is_empty(out, ec)))
    return bad_input(out.string() + " exists and is not an empty directory");
  auto vkey = parse_verifier_key(ledger.info().verifier_key);
  if (!vkey) return std::unexpected(vkey.error());
  // The checkpoint first: the log only grows, so entries [0, size) are fixed whatever is appended meanwhile.
  const std::string note = ledger.checkpoint();
  auto cp = open_checkpoint(note, *vkey);
  if (!cp) return std::unexpected(cp.error());

  fs::create_directories(out / "certs", ec);
  fs::create_directories(out / "attachments", ec);
  fs::create_directories(out / "schema", ec);
  if (options.explode) fs::create_directories(out / "acts", ec);
  if (ec) return io_error("cannot create " + out.string() + ": " + ec.message());
  auto fail = [&](Error e) {
    fs::remove_all(out, ec);
    return std::unexpected(std::move(e));
  };

  ExportSummary summary;
  summary.size = cp->size;
  signing::Verifier verifier = ledger.make_verifier();
  std::set<Digest> certs_written, attachments_seen;
  auto write_cert = [&](const Digest& fp, ByteView der) -> Status {
    if (!certs_written.insert(fp).second) return {};
    return write_file(out / "certs" / (to_hex(fp) + ".der"), der);
  };
  for (const auto& der : ledger.intermediates())
    if (auto s = write_cert(sha256(der), der); !s) return fail(s.error());
  if (const auto& profile = ledger.info().profile_document) {
    auto text = ledger.attachment(*profile);
    if (!text) return fail(corruption("the ledger's rule profile file " + to_hex(*profile) + " is missing").error());
    if (auto s = write_file(out / "profile.json", *text); !s) return fail(s.error());
  }

  // entries.bin is streamed: a bundle of a large ledger never sits in memory.
  std::ofstream entries_bin(out / "entries.bin", std::ios::binary | std::ios::trunc);
  if (!entries_bin) return fail(io_error("cannot create " + (out / "entries.bin").string()).error());
  std::string index = "seq\trole\tsigner\tsigning_time_unix\tsigning_time\n";
  json proofs = json::array();
  Status status = ledger.for_each_entry(0, cp->size, [&](std::uint64_t seq, ByteView bytes) -> Status {
    auto entry = decode_entry(bytes);
    if (!entry) return corruption(fmt::format("entry {}: {}", seq, entry.error().message));
    auto act = decode_body(entry->event.body);
    if (!act) return corruption(fmt::format("entry {}: {}", seq, act.error().message));
    if (options.subject && !in_subject(act->subject, *options.subject)) return {};
    std::uint32_t n = static_cast<std::uint32_t>(bytes.size());
    char len[4] = {static_cast<char>(n), static_cast<char>(n >> 8), static_cast<char>(n >> 16), static_cast<char>(n >> 24)};
    entries_bin.write(len, 4);
    entries_bin.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    ++summary.entries;
    if (options.subject) {
      json p = json::array();
      for (const Digest& d : ledger.inclusion_proof(seq, cp->size)) p.push_back(to_hex(d));
      proofs.push_back({{"seq", seq}, {"leaf_hash", to_hex(leaf_hash(bytes))}, {"proof", p}});
    }
    for (const auto& s : entry->event.signatures) {
      auto der = ledger.certificate(s.signer);
      if (!der) return corruption(fmt::format("entry {}: signer certificate {} is not stored", seq, to_hex(s.signer)));
      if (auto w = write_cert(s.signer, *der); !w) return w;
      if (options.explode) {
        // The chain (without the root) goes into the CMS so that `openssl cms -verify -CAfile trust.pem` works.
        std::vector<Bytes> chain{*der};
        auto v = verifier.verify(entry->event.body, s.cms, *der);
        if (v) {
          for (std::size_t i = 1; i + 1 < v->chain.size(); ++i)
            if (auto c = ledger.certificate(v->chain[i])) chain.push_back(*c);
          index += fmt::format("{}\t{}\t{}\t{}\t{}\n", seq, role_name(s.role), to_hex(s.signer), v->signing_time,
                               signing::format_vietnam_time(v->signing_time));
        }
        auto p7s = signing::cms_with_certificates(s.cms, chain);
        if (!p7s) return p7s.error().kind == ErrorKind::bad_input ? corruption(p7s.error().message) : std::unexpected(p7s.error());
        auto w = write_file(out / "acts" / fmt::format("{}.{}.p7s", seq, role_name(s.role)), *p7s);
        if (!w) return w;
      }
    }
    if (options.explode)
      if (auto w = write_file(out / "acts" / fmt::format("{}.body", seq), entry->event.body); !w) return w;
    for (const auto& a : act->attachments) {
      if (!attachments_seen.insert(a.sha256).second) continue;
      if (auto content = ledger.attachment(a.sha256)) {
        if (auto w = write_file(out / "attachments" / to_hex(a.sha256), *content); !w) return w;
        ++summary.attachments;
      }
    }
    if (options.progress && seq % 1024 == 0) options.progress(seq, cp->size);
    return {};
  });
  if (!status) return fail(status.error());
  entries_bin.close();
  if (!entries_bin) return fail(io_error("cannot write " + (out / "entries.bin").string() + " (disk full?)").error());
  if (options.progress) options.progress(cp->size, cp->size);
  summary.certificates = certs_written.size();

  std::string trust;
  for (const auto& der : ledger.trust_roots()) trust += signing::certificate_to_pem(der);
  Status s = write_text(out / "checkpoint", note);
  if (s) s = write_text(out / "operator.vkey", ledger.info().verifier_key + "\n");
  if (s) s = write_text(out / "trust.pem", trust);
  if (s) s = write_text(out / "schema" / "antq.capnp", kSchemaText);
  if (s) s = write_text(out / "FORMAT.md", kFormatText);
  if (s && options.explode) s = write_text(out / "acts" / "index.tsv", index);
  if (s && options.subject)
    s = write_text(out / "proofs.json", json{{"subject", *options.subject}, {"size", cp->size}, {"entries", proofs}}.dump(1) + "\n");
  if (s) s = write_text(out / "README.txt", readme(summary, options.explode, options.subject.has_value()));
  if (!s) return fail(s.error());
  return summary;
}

Result<VerifyReport> verify_bundle(const fs::path& dir, const Progress& progress) {
  VerifyReport report;
  auto fail = [&](std::optional<std::uint64_t> seq, std::string reason) {
    report.ok = false;
    report.failures.push_back({seq, std::move(reason)});
  };
  auto vkey_text = read_file(dir / "operator.vkey");
  if (!vkey_text) return std::unexpected(vkey_text.error());
  auto vkey = parse_verifier_key(std::string(vkey_text->begin(), vkey_text->end()));
  if (!vkey) return std::unexpected(vkey.error());
  auto note = read_file(dir / "checkpoint");
  if (!note) return std::unexpected(note.error());
  auto cp = open_checkpoint(std::string(note->begin(), note->end()), *vkey);
  if (!cp) {
    if (cp.error().kind == ErrorKind::bad_input) return std::unexpected(cp.error());
    fail(std::nullopt, cp.error().message);
    return report;
  }

  // Trust anchors and every certificate of certs/ (which must hash to its name).
  signing::Verifier verifier;
  auto trust = signing::read_certificates((dir / "trust.pem").string());
  if (!trust) return std::unexpected(trust.error());
  for (const auto& der : *trust) (void)verifier.add_root(der);
  std::map<Digest, Bytes> certs;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(dir / "certs", ec)) {
    auto der = read_file(f.path());
    if (!der) return std::unexpected(der.error());
    auto name = digest_from_hex(f.path().stem().string());
    if (!name || sha256(*der) != *name) { fail(std::nullopt, "certs/" + f.path().filename().string() + " does not hash to its name"); continue; }
    if (auto info = signing::inspect_certificate(*der); info && info->is_ca) (void)verifier.add_intermediate(*der);
    certs[*name] = std::move(*der);
  }
  for (const auto& f : fs::directory_iterator(dir / "attachments", ec)) {
    auto content = read_file(f.path());
    if (!content) return std::unexpected(content.error());
    ++report.attachments;
    auto name = digest_from_hex(f.path().filename().string());
    if (!name || sha256(*content) != *name) {
      fail(std::nullopt, "attachments/" + f.path().filename().string() + " does not hash to its name");
      continue;
    }
    // A signed PDF's own signatures, as admission checked them.
    if (auto pdf = check_pdf_signatures(*content, verifier, std::nullopt); !pdf)
      fail(std::nullopt, "attachments/" + f.path().filename().string() + ": " + pdf.error().line());
  }

  auto bin = read_file(dir / "entries.bin");
  if (!bin) return std::unexpected(bin.error());
  std::vector<std::pair<std::uint64_t, std::uint64_t>> spans;  // offset, length
  for (std::size_t pos = 0; pos < bin->size();) {
    if (bin->size() - pos < 4) return bad_input("bundle: entries.bin ends inside a length");
    std::uint64_t n = (*bin)[pos] | (*bin)[pos + 1] << 8 | (*bin)[pos + 2] << 16 | static_cast<std::uint64_t>((*bin)[pos + 3]) << 24;
    pos += 4;
    if (n > bin->size() - pos) return bad_input("bundle: entries.bin ends inside an entry");
    spans.emplace_back(pos, n);
    pos += n;
  }
  report.entries = spans.size();

  std::map<std::uint64_t, std::vector<Digest>> proofs;
  const bool partial = fs::exists(dir / "proofs.json", ec);
  if (partial) {
    auto text = read_file(dir / "proofs.json");
    if (!text) return std::unexpected(text.error());
    json j = json::parse(text->begin(), text->end(), nullptr, false);
    if (!j.is_object() || !j.contains("entries") || !j["entries"].is_array()) return bad_input("bundle: proofs.json is malformed");
    for (const auto& e : j["entries"]) {
      if (!e.is_object() || !e.contains("seq") || !e["seq"].is_number_unsigned() || !e.contains("proof") || !e["proof"].is_array())
        return bad_input("bundle: proofs.json has a malformed entry");
      std::vector<Digest> p;
      for (const auto& h : e["proof"]) {
        auto d = h.is_string() ? digest_from_hex(h.get<std::string>()) : std::nullopt;
        if (!d) return bad_input("bundle: proofs.json has a hash that is not 64 hex digits");
        p.push_back(*d);
      }
      proofs[e["seq"].get<std::uint64_t>()] = std::move(p);
    }
  } else if (spans.size() != cp->size) {
    fail(std::nullopt, fmt::format("entries.bin holds {} entries but the checkpoint is for {}", spans.size(), cp->size));
  }

  CompactRange range;
  std::vector<std::optional<std::string>> errors(spans.size());
  std::vector<std::optional<Entry>> entries(spans.size());
  for (std::size_t i = 0; i < spans.size(); ++i) {
    ByteView bytes(bin->data() + spans[i].first, spans[i].second);
    Digest leaf = leaf_hash(bytes);
    auto entry = decode_entry(bytes);
    if (!entry) { errors[i] = entry.error().message; continue; }
    if (partial) {
      auto p = proofs.find(entry->seq);
      if (p == proofs.end()) errors[i] = "no inclusion proof in proofs.json";
      else if (!verify_inclusion(entry->seq, cp->size, leaf, p->second, cp->root))
        errors[i] = "its inclusion proof does not verify against the checkpoint";
    } else {
      if (entry->seq != i) errors[i] = fmt::format("entry at position {} says seq {}", i, entry->seq);
      range.append(leaf);
    }
    if (auto act = decode_body(entry->event.body); !act && !errors[i]) errors[i] = act.error().message;
    entries[i] = std::move(*entry);
  }
  if (!partial && range.size() == cp->size && range.root() != cp->root)
    fail(std::nullopt, "the root recomputed from entries.bin is not the checkpoint's root");

  parallel_for(spans.size(), 0, [&](std::size_t i) {
    if (!entries[i] || errors[i]) return;
    auto t = signing::parse_time(entries[i]->recorded_at);
    auto checked = check_signatures(entries[i]->event, verifier, AdmissionTime{t.value_or(0), {}, {}},
                                    [&](const Digest& fp) -> std::optional<ByteView> {
                                      auto it = certs.find(fp);  // each hashes to its key (checked above)
                                      if (it == certs.end()) return std::nullopt;
                                      return ByteView(it->second);
                                    });
    if (!checked) errors[i] = checked.error().line();
  });
  for (std::size_t i = 0; i < spans.size(); ++i) {
    if (entries[i]) report.signatures += entries[i]->event.signatures.size();
    if (errors[i]) fail(entries[i] ? entries[i]->seq : i, *errors[i]);
  }
  if (progress) progress(spans.size(), spans.size());
  report.root = cp->root;
  std::stable_sort(report.failures.begin(), report.failures.end(), [](const auto& a, const auto& b) {
    if (a.seq.has_value() != b.seq.has_value()) return a.seq.has_value();
    return a.seq.value_or(0) < b.seq.value_or(0);
  });
  return report;
}

}  // namespace antq::ledger
