// Ledger::verify: recompute everything from the stored bytes (FORMAT.md, "Verification").
#include <algorithm>
#include <future>
#include <map>
#include <vector>

#include <fmt/format.h>

#include "ledger/ledger.hpp"
#include "ledger/merkle.hpp"
#include "ledger/parallel.hpp"
#include "ledger/replay.hpp"
#include "ledger/store.hpp"

namespace antq::ledger {
namespace {

// Entries are checked a chunk at a time (FORMAT.md, "Verification"): this thread reads the chunk in seq order and
// checks the tree over it, all cores decode its entries and check their signatures, then this thread takes them in
// order for what needs order (duplicates, the admission replay) while the next chunk is decoded. Two chunks of
// entries are in memory at a time.
constexpr std::size_t kChunk = 1024;

struct StoredItem : StoredEntry {
  ByteView bytes;  // in the read transaction's map
  std::vector<CheckedSignature> signatures;
};

}  // namespace

VerifyReport Ledger::verify(const VerifyOptions& options, Admission& replay) const {
  VerifyReport report;
  auto fail = [&](std::optional<std::uint64_t> seq, i18n::Text reason) {
    report.ok = false;
    std::string english = reason.str();
    report.failures.push_back({seq, std::move(english), std::move(reason)});
  };

  // The structure of data.mdb first (lmdb_check.hpp): LMDB reads none of a damaged store.
  auto checked = rep_->checked_txn({});
  if (!checked) {
    fail(std::nullopt, line_text(checked.error()));
    return report;
  }
  Txn& txn = *checked;
  const std::uint64_t size = rep_->size(txn);
  report.entries = size;
  auto vkey = parse_verifier_key(rep_->info.verifier_key);
  if (!vkey) fail(std::nullopt, i18n::Text("operator verifier key in meta: {}", text_of(vkey.error())));

  // The auditor's checkpoint, if any: parsed first so that its root is caught while streaming.
  std::optional<Checkpoint> kept;
  if (options.checkpoint && vkey) {
    auto c = open_checkpoint(*options.checkpoint, *vkey);
    if (!c)
      fail(std::nullopt, i18n::Text("the given checkpoint: {}", text_of(c.error())));
    else if (c->origin != rep_->info.origin)
      fail(std::nullopt, i18n::Text("the given checkpoint is for origin \"{}\", this ledger is \"{}\"", c->origin,
                                    rep_->info.origin));
    else if (c->size > size)
      fail(std::nullopt, i18n::Text("the given checkpoint has {} entries but this ledger only {}: this copy is older "
                                    "than the checkpoint, or was truncated",
                                    c->size, size));
    else
      kept = *c;
  }
  std::map<std::uint64_t, Digest> roots_wanted;  // size -> recomputed root
  {
    MDB_cursor* cur = nullptr;
    if (mdb_cursor_open(txn.get(), rep_->checkpoints, &cur) == MDB_SUCCESS) {
      MDB_val k, v;
      for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == MDB_SUCCESS; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
        if (k.mv_size == 8) roots_wanted[seq_of(k)] = {};
      mdb_cursor_close(cur);
    }
  }
  if (kept) roots_wanted[kept->size] = {};
  if (roots_wanted.contains(0)) roots_wanted[0] = empty_root();

  // A content-addressed database (`certs`, `attachments`, `crls`), in key order: `good` gets each value that hashes
  // to its key, `bad` the key of each other.
  auto content_addressed = [&](MDB_dbi dbi, const auto& good, const auto& bad) {
    MDB_cursor* cur = nullptr;
    if (mdb_cursor_open(txn.get(), dbi, &cur) != MDB_SUCCESS) return;
    MDB_val k, v;
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == MDB_SUCCESS; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
      if (k.mv_size == 32 && sha256(view(v)) == *reinterpret_cast<const Digest*>(k.mv_data))
        good(*reinterpret_cast<const Digest*>(k.mv_data), view(v));
      else
        bad(to_hex(view(k)));
    }
    mdb_cursor_close(cur);
  };

  signing::Verifier verifier = make_verifier();
  // Certificates are few (one per signer) and read by every worker: loaded once, each checked against its key,
  // read-only afterwards. A certificate stored under another's fingerprint is left out, so the signatures that
  // name it fail too.
  std::map<Digest, ByteView> certificates;
  content_addressed(
      rep_->certs, [&](const Digest& fp, ByteView der) { certificates.emplace(fp, der); },
      [&](const std::string& key) {
        fail(std::nullopt, i18n::Text("certificate {} (database `certs`): content does not hash to its key", key));
      });
  auto lookup = [&](const Digest& fp) -> std::optional<ByteView> {
    auto it = certificates.find(fp);
    if (it == certificates.end()) return std::nullopt;
    return it->second;
  };

  MemoryState state;
  CompactRange range;
  std::map<Digest, std::uint64_t> bodies;  // body digest -> seq of its first entry
  std::uint64_t expected = 0;

  // The trust store as the log grew it: each CRL and time-stamp authority counts for admission from the entry after
  // the one that added it (the indexes are checked against the entries at the end).
  const std::vector<TrustRecord> crl_records = crls();
  const TrustHistory trust_history(crl_records, timestamp_authorities());

  // Any thread: decode an entry and its body, check its signatures (no LMDB access here).
  auto decode = [&](StoredItem& it) {
    decode_stored(it.bytes, it);
    if (it.failure) return;
    auto checked = check_signatures(it.entry->body, it.entry->signatures, verifier,
                                    trust_history.at_entry(it.seq, it.recorded_at), lookup);
    if (!checked)
      it.failure = line_text(checked.error());
    else
      it.signatures = std::move(*checked);
  };
  const std::function<std::optional<ByteView>(const Digest&)> stored_attachment =
      [&](const Digest& d) -> std::optional<ByteView> {
    if (auto v = txn.get(rep_->attachments, val(d))) return view(*v);
    return std::nullopt;
  };
  // What the entries imply of the trust indexes, and the entries that named each attachment, in order: one of them
  // carried its content and was its admission (an act may name a document held elsewhere, which a later act
  // carries; entries do not say which carried it).
  std::map<Digest, std::uint64_t> crls_added, authorities_added;
  std::map<Digest, std::vector<Naming>> named_by;
  std::map<Digest, std::uint64_t> disposed;  // documents record.disposed entries destroyed: the store must not hold them
  // This thread: duplicates, the admission rules replayed. (The `bodies` index is checked in one scan at the end.)
  auto in_order = [&](StoredItem& it) {
    if (it.act && !it.failure) {
      for (const Act::Attachment& a : it.act->attachments) named_by[a.sha256].emplace_back(it.seq, it.recorded_at);
      if (it.act->attachments.size() == 1 && it.act->act == kCrlAdded)
        crls_added.try_emplace(it.act->attachments[0].sha256, it.seq);
      if (it.act->attachments.size() == 1 && it.act->act == kTimestampAuthorityAdded)
        authorities_added.try_emplace(it.act->attachments[0].sha256, it.seq);
      if (it.act->act == kRecordDisposed && it.act->data.contains("attachments"))
        for (const auto& hex : it.act->data["attachments"])
          if (auto d = hex.is_string() ? digest_from_hex(hex.get<std::string>()) : std::nullopt)
            disposed.try_emplace(*d, it.seq);
    }
    if (it.entry) {
      report.signatures += it.entry->signatures.size();
      if (!bodies.emplace(it.digest, it.seq).second && !it.failure)
        it.failure =
            i18n::Text("refused [{}]: {}", "duplicate", i18n::Text("the same act body appears earlier in the log"));
    }
    if (!it.failure && it.act) {
      if (auto s = admit_stored(replay, state, it, it.signatures, rep_->info, stored_attachment, true); !s)
        it.failure = i18n::Text("admission replay: {}", line_text(s.error()));
    }
    if (it.failure)
      fail(it.seq, *it.failure);
    else if (options.on_signature)
      for (const CheckedSignature& s : it.signatures) options.on_signature(it.seq, s.role, s.verified);
  };

  MDB_cursor* cur = nullptr;
  if (mdb_cursor_open(txn.get(), rep_->entries, &cur) != MDB_SUCCESS) {
    fail(std::nullopt, i18n::Text("cannot read the entries database"));
    return report;
  }
  MDB_val k, v;
  int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
  // This thread: the next entries in seq order into `chunk`, with the tree checked over them: every perfect node
  // the log implies must be the one stored. False at the end of the log or at a gap.
  bool more = rc == MDB_SUCCESS;
  auto read = [&](std::vector<StoredItem>& chunk) {
    chunk.clear();
    for (; more && chunk.size() < kChunk; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT), more = rc == MDB_SUCCESS) {
      if (k.mv_size != 8 || seq_of(k) != expected) {
        fail(expected, i18n::Text("entry {} is missing: the next key in `entries` is {}", expected,
                                  k.mv_size == 8 ? std::to_string(seq_of(k)) : std::string("not 8 bytes")));
        more = false;  // the tree cannot be recomputed past a gap
        break;
      }
      StoredItem& it = chunk.emplace_back();
      it.seq = expected++;
      it.bytes = view(v);
      for (const PerfectNode& node : range.append(leaf_hash(it.bytes))) {
        if (rep_->node(txn, node.level, node.index) == node.hash) continue;
        it.failure =
            node.level == 0
                ? i18n::Text("leaf hash of entry {} differs from the stored tree (entry bytes altered?)", it.seq)
                : i18n::Text("stored tree node (level {}, index {}) differs from the one recomputed", node.level,
                             node.index);
        break;
      }
      if (auto w = roots_wanted.find(range.size()); w != roots_wanted.end()) w->second = range.root();
    }
  };
  // Other threads, all cores: decode and check signatures (nothing there touches LMDB).
  auto decode_all = [&](std::vector<StoredItem>& chunk) {
    parallel_for(chunk.size(), options.jobs, [&](std::size_t i) { decode(chunk[i]); });
  };
  // While one chunk is replayed in order on this thread, the next one is decoded on the others.
  std::vector<StoredItem> ready, ahead;
  read(ready);
  decode_all(ready);
  while (!ready.empty()) {
    read(ahead);
    std::future<void> decoding = std::async(std::launch::async, decode_all, std::ref(ahead));
    for (StoredItem& it : ready) in_order(it);
    if (options.progress) options.progress(ready.back().seq + 1, size);
    decoding.get();
    std::swap(ready, ahead);
  }
  mdb_cursor_close(cur);
  if (expected == size) report.root = range.root();

  auto no_entry_failed = [&] {
    return std::none_of(report.failures.begin(), report.failures.end(),
                        [](const VerifyReport::Failure& f) { return f.seq.has_value(); });
  };

  // The `bodies` index, read in key order: each record must be (body digest -> seq) of an entry, and every entry's
  // body must have its record.
  {
    MDB_cursor* c = nullptr;
    std::size_t indexed = 0;
    if (mdb_cursor_open(txn.get(), rep_->bodies, &c) == MDB_SUCCESS) {
      for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == MDB_SUCCESS; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        auto it = k.mv_size == 32 ? bodies.find(*reinterpret_cast<const Digest*>(k.mv_data)) : bodies.end();
        if (it != bodies.end() && v.mv_size == 8 && seq_of(v) == it->second) ++indexed;
        else
          fail(std::nullopt, i18n::Text("the `bodies` index has a record ({}) that points at no entry with that body",
                                        to_hex(view(k))));
      }
      mdb_cursor_close(c);
    }
    if (indexed != bodies.size()) {
      // Rare (tampering): find the entries without their record.
      for (const auto& [digest, seq] : bodies) {
        auto r = txn.get(rep_->bodies, val(digest));
        if (!r || r->mv_size != 8 || seq_of(*r) != seq)
          fail(seq, i18n::Text("the `bodies` index does not point at this entry"));
      }
    }
  }

  // Checkpoints: each signed by the operator, each root the recomputed root at its size; one at the ledger's size.
  if (vkey) {
    bool signed_at_size = false;
    MDB_cursor* c = nullptr;
    if (mdb_cursor_open(txn.get(), rep_->checkpoints, &c) == MDB_SUCCESS) {
      for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == MDB_SUCCESS; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        ++report.checkpoints;
        std::uint64_t at = k.mv_size == 8 ? seq_of(k) : ~0ull;
        auto cp = open_checkpoint(std::string_view(static_cast<const char*>(v.mv_data), v.mv_size), *vkey);
        if (!cp)
          fail(std::nullopt, i18n::Text("checkpoint at size {}: {}", at, text_of(cp.error())));
        else if (cp->size != at || at > size)
          fail(std::nullopt, i18n::Text("checkpoint stored at size {} says size {}", at, cp->size));
        else if (cp->origin != rep_->info.origin)
          fail(std::nullopt, i18n::Text("checkpoint at size {} has origin {}", at, cp->origin));
        else if (cp->root != roots_wanted[at])
          fail(std::nullopt, i18n::Text("checkpoint at size {}: its root is not the recomputed root", at));
        else if (at == size) signed_at_size = true;
      }
      mdb_cursor_close(c);
    }
    // Every append ends with a checkpoint at the new size (FORMAT.md §5): without one, entries that no operator
    // signature covers could have been put in place of the ones the operator signed (checkpoints deleted, entries
    // after them rewritten).
    if (!signed_at_size)
      fail(std::nullopt, i18n::Text("no checkpoint signed by the operator covers the ledger's {} entries: the last "
                                    "append's checkpoint was removed, and the entries after the last one kept may "
                                    "have been rewritten",
                                    size));
  }
  if (kept && roots_wanted[kept->size] != kept->root)
    fail(std::nullopt, i18n::Text("the given checkpoint at size {} has a different root than this ledger at that size: "
                                  "the logs have forked",
                                  kept->size));

  // Attachments: content-addressed, so each must hash to its key. A signed PDF's signatures are verified again
  // (with the CRLs held now) and must give the record admission stored in `pdf_signatures`.
  std::map<Digest, ByteView> pdf_records;
  if (rep_->has_pdf_signatures) {
    MDB_cursor* c = nullptr;
    if (mdb_cursor_open(txn.get(), rep_->pdf_signatures, &c) == MDB_SUCCESS) {
      for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == MDB_SUCCESS; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (k.mv_size == 32) pdf_records.emplace(*reinterpret_cast<const Digest*>(k.mv_data), view(v));
        else
          fail(std::nullopt, i18n::Text("database `pdf_signatures`: a key that is not a SHA-256"));
      }
      mdb_cursor_close(c);
    }
  }
  content_addressed(
      rep_->attachments,
      [&](const Digest& fp, ByteView content) {
        ++report.attachments;
        if (auto d = disposed.find(fp); d != disposed.end())
          fail(d->second,
               i18n::Text("this entry disposed of document {}, yet `attachments` still holds its bytes", to_hex(fp)));
        auto stored = pdf_records.find(fp);
        auto as_admitted = [&](const Result<CheckedPdf>& checked) {
          return checked && checked->records.empty() == (stored == pdf_records.end()) &&
                 (stored == pdf_records.end() ||
                  encode_pdf_signatures(checked->records) == Bytes(stored->second.begin(), stored->second.end()));
        };
        const auto named = named_by.find(fp);
        auto checked = recheck_pdf_signatures(content, verifier, trust_history,
                                              named == named_by.end() ? std::span<const Naming>{} : named->second,
                                              as_admitted);
        if (!checked) {
          fail(std::nullopt, i18n::Text("attachment {}: {}", to_hex(fp), line_text(checked.error())));
        } else if (!as_admitted(checked)) {
          fail(std::nullopt,
               i18n::Text(
                   "attachment {}: its PDF signatures differ from what admission recorded (database `pdf_signatures`)",
                   to_hex(fp)));
        }
        if (checked && options.on_pdf_signature)
          for (std::size_t i = 0; i < checked->records.size(); ++i)
            options.on_pdf_signature(fp, i, checked->records[i], checked->verified[i]);
        if (stored != pdf_records.end()) pdf_records.erase(stored);
      },
      [&](const std::string& key) {
        ++report.attachments;
        fail(std::nullopt, i18n::Text("attachment {}: content does not hash to its key", key));
      });
  if (rep_->info.profile_document && !txn.get(rep_->attachments, val(*rep_->info.profile_document)))
    fail(std::nullopt, i18n::Text("the rule profile's file (meta `profile.sha256`) is missing from `attachments`"));
  for (const auto& [fp, record] : pdf_records)
    fail(std::nullopt,
         i18n::Text("database `pdf_signatures` holds a record for {}, which is no attachment", to_hex(fp)));

  // The trust indexes: each record the (digest -> seq) of a trust.* entry, every such entry recorded, and each CRL
  // still signed by a CA of the trust store (make_verifier leaves out one that no longer verifies, so the
  // signatures it would have refused are not refused above either: it is named here).
  auto check_index = [&](bool has, MDB_dbi dbi, const char* name, const std::map<Digest, std::uint64_t>& implied) {
    std::map<Digest, std::uint64_t> held;
    if (has) {
      MDB_cursor* c = nullptr;
      if (mdb_cursor_open(txn.get(), dbi, &c) == MDB_SUCCESS) {
        for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == MDB_SUCCESS; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
          if (k.mv_size == 32 && v.mv_size == 8) {
            held.emplace(*reinterpret_cast<const Digest*>(k.mv_data), seq_of(v));
          } else {
            fail(std::nullopt, i18n::Text("database `{}`: record {} is not (SHA-256 -> seq of an entry): a trust "
                                          "store kept beside the log by an older antq; add it again as an entry "
                                          "(`antq trust`)",
                                          name, to_hex(view(k))));
          }
        }
        mdb_cursor_close(c);
      }
    }
    for (const auto& [d, seq] : held)
      if (auto it = implied.find(d); it == implied.end() || it->second != seq)
        fail(std::nullopt, i18n::Text("database `{}` holds {} as added by entry {}, which the log does not say", name,
                                      to_hex(d), seq));
    for (const auto& [d, seq] : implied)
      if (!held.contains(d))
        fail(seq, i18n::Text("database `{}` does not hold {}, which this entry added", name, to_hex(d)));
  };
  if (expected == size) {
    check_index(rep_->has_crls, rep_->crls, "crls", crls_added);
    check_index(rep_->has_timestamp_authorities, rep_->timestamp_authorities, "timestamp_authorities", authorities_added);
  }
  {
    signing::Verifier trust;
    for (const auto& r : trust_roots()) (void)trust.add_root(r);
    for (const auto& i : intermediates()) (void)trust.add_intermediate(i);
    for (const TrustRecord& r : crl_records)
      if (auto check = trust.add_crl(r.der); !check)
        fail(r.seq, i18n::Text("its CRL {}: {}", to_hex(r.digest), text_of(check.error())));
  }

  // Derived state: the replay must reproduce the stored `state` database exactly. After a failed entry the replay
  // cannot (the rules skipped that entry), and the failure is reported already.
  if (expected == size && no_entry_failed()) {
    if (!state.equals(txn.get(), rep_->state))
      fail(std::nullopt, i18n::Text("derived state (database `state`) differs from the replay of the log: `antq "
                                    "rebuild` shows what differs and recomputes it"));
  }

  std::stable_sort(report.failures.begin(), report.failures.end(), [](const auto& a, const auto& b) {
    if (a.seq.has_value() != b.seq.has_value()) return a.seq.has_value();
    return a.seq.value_or(0) < b.seq.value_or(0);
  });
  return report;
}

}  // namespace antq::ledger
