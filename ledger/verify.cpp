// Ledger::verify: recompute everything from the stored bytes (FORMAT.md, "Verification").
#include <atomic>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "ledger/ledger.hpp"
#include "ledger/merkle.hpp"
#include "ledger/replay.hpp"
#include "ledger/store.hpp"

namespace antq::ledger {
namespace {

// Entries flow through a ring of slots (FORMAT.md, "Verification"): this thread reads the log in order and
// checks the tree, workers decode entries and check their signatures, and this thread then takes the finished slots
// in order for the checks that need order (duplicates, the admission replay). When it has no
// in-order work, this thread decodes too, so that every core stays busy. The ring bounds memory whatever the
// ledger's size.
constexpr std::size_t kRing = 4096;
constexpr std::size_t kBatch = 16;    // slots a thread claims at once
constexpr std::size_t kPublish = 256; // slots read before workers are told
constexpr std::size_t kPrefetchAhead = 4;  // in-order entries between a body's prefetch and its duplicate check

struct Item : StoredEntry {
  ByteView bytes;  // in the read transaction's map
  std::vector<CheckedSignature> signatures;
};

struct Slot {
  Item item;
  std::atomic<bool> decoded{false};
};

// Reads the stored perfect nodes of the tree in the order a scan of the log meets them: at each level, index after
// index. One cursor per level steps to the next key (MDB_NEXT) instead of searching the B-tree for each node.
class NodeScan {
 public:
  NodeScan(MDB_txn* txn, MDB_dbi nodes) : txn_(txn), nodes_(nodes) {}
  NodeScan(const NodeScan&) = delete;
  NodeScan& operator=(const NodeScan&) = delete;
  ~NodeScan() {
    for (Level& l : levels_)
      if (l.cursor != nullptr) mdb_cursor_close(l.cursor);
  }

  // The stored node (level, index), or zeros when there is none.
  Digest get(unsigned level, std::uint64_t index) {
    if (level >= levels_.size()) levels_.resize(level + 1);
    Level& l = levels_[level];
    const NodeKey want = node_key(level, index);
    MDB_val k{want.size(), const_cast<std::uint8_t*>(want.data())}, v{};
    int rc = MDB_NOTFOUND;
    if (l.cursor == nullptr && mdb_cursor_open(txn_, nodes_, &l.cursor) != MDB_SUCCESS) l.cursor = nullptr;
    if (l.cursor != nullptr) {
      if (l.next == index) {
        rc = mdb_cursor_get(l.cursor, &k, &v, MDB_NEXT);
        if (rc == MDB_SUCCESS && !(k.mv_size == want.size() && std::memcmp(k.mv_data, want.data(), want.size()) == 0)) {
          k = {want.size(), const_cast<std::uint8_t*>(want.data())};
          rc = mdb_cursor_get(l.cursor, &k, &v, MDB_SET_KEY);
        }
      } else {
        rc = mdb_cursor_get(l.cursor, &k, &v, MDB_SET_KEY);
      }
    }
    Digest d{};
    if (rc == MDB_SUCCESS && v.mv_size == 32) {
      std::memcpy(d.data(), v.mv_data, 32);
      l.next = index + 1;
    } else {
      l.next = ~0ull;  // the cursor is not on this node: the next read searches
    }
    return d;
  }

 private:
  struct Level {
    MDB_cursor* cursor = nullptr;
    std::uint64_t next = ~0ull;  // the index MDB_NEXT reaches from where the cursor is
  };
  MDB_txn* txn_;
  MDB_dbi nodes_;
  std::vector<Level> levels_;
};

// The body digest of every entry with the seq of its first occurrence, for the duplicate check and the `bodies`
// index. Open addressing with linear probing in one array sized for the whole log: no allocation per entry, one
// cache line per probe in the common case, prefetchable. The slot is chosen from a keyed mix of the digest, so
// that a crafted log cannot pile its bodies into one run of slots.
class BodyTable {
 public:
  struct Record {
    Digest digest{};
    std::uint64_t seq = kFree;

    bool indexed() const { return (seq & kIndexed) != 0; }
    std::uint64_t first_seq() const { return seq & ~kIndexed; }
  };

  explicit BodyTable(std::uint64_t entries) {
    std::random_device random;
    seed_ = (std::uint64_t{random()} << 32) ^ random();
    resize(std::max<std::uint64_t>(16, entries + entries / 2));
  }

  // Records the body of entry `seq`; when an earlier entry has the same body, leaves it and returns false.
  bool insert(const Digest& digest, std::uint64_t seq) {
    if ((used_ + 1) * 3 > slots_.size() * 2) resize(slots_.size() * 2);
    Record* r = probe(digest);
    if (r->seq != kFree) return false;
    *r = {digest, seq};
    ++used_;
    return true;
  }

  // The record of `digest`, or nullptr.
  Record* find(const Digest& digest) {
    Record* r = probe(digest);
    return r->seq == kFree ? nullptr : r;
  }
  static void mark_indexed(Record& r) { r.seq |= kIndexed; }

  void prefetch(const Digest& digest) const { __builtin_prefetch(&slots_[slot(digest)]); }

  template <class Fn>
  void for_each(Fn&& fn) const {
    for (const Record& r : slots_)
      if (r.seq != kFree) fn(r);
  }

 private:
  static constexpr std::uint64_t kFree = ~0ull;
  static constexpr std::uint64_t kIndexed = 1ull << 63;  // seqs are below 2^63

  std::size_t slot(const Digest& digest) const {
    std::uint64_t h;
    std::memcpy(&h, digest.data(), sizeof h);
    h ^= seed_;  // murmur3's finaliser: every bit of the key moves every bit of the slot
    h = (h ^ (h >> 33)) * 0xff51afd7ed558ccdull;
    h = (h ^ (h >> 33)) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return static_cast<std::size_t>((static_cast<unsigned __int128>(h) * slots_.size()) >> 64);
  }
  Record* probe(const Digest& digest) {
    std::size_t i = slot(digest);
    for (;;) {
      Record& r = slots_[i];
      if (r.seq == kFree || r.digest == digest) return &r;
      if (++i == slots_.size()) i = 0;
    }
  }
  void resize(std::uint64_t capacity) {
    std::vector<Record> old = std::exchange(slots_, std::vector<Record>(capacity));
    for (const Record& r : old)
      if (r.seq != kFree) *probe(r.digest) = r;
  }

  std::uint64_t seed_ = 0;
  std::vector<Record> slots_;
  std::uint64_t used_ = 0;
};
}  // namespace

VerifyReport Ledger::verify(const VerifyOptions& options, Admission& replay) const {
  VerifyReport report;
  auto fail = [&](std::optional<std::uint64_t> seq, std::string reason) {
    report.ok = false;
    report.failures.push_back({seq, std::move(reason)});
  };

  // The structure of data.mdb first (lmdb_check.hpp): LMDB reads none of a damaged store.
  auto checked = rep_->checked_txn({});
  if (!checked) {
    fail(std::nullopt, checked.error().line());
    return report;
  }
  Txn& txn = *checked;
  const std::uint64_t size = rep_->size(txn);
  report.entries = size;
  const std::jthread mapping_in = rep_->prefault();
  auto vkey = parse_verifier_key(rep_->info.verifier_key);
  if (!vkey) fail(std::nullopt, "operator verifier key in meta: " + vkey.error().message);

  // The auditor's checkpoint, if any: parsed first so that its root is caught while streaming.
  std::optional<Checkpoint> kept;
  if (options.checkpoint && vkey) {
    auto c = open_checkpoint(*options.checkpoint, *vkey);
    if (!c) fail(std::nullopt, "the given checkpoint: " + c.error().message);
    else if (c->origin != rep_->info.origin)
      fail(std::nullopt, fmt::format("the given checkpoint is for origin \"{}\", this ledger is \"{}\"", c->origin, rep_->info.origin));
    else if (c->size > size)
      fail(std::nullopt, fmt::format("the given checkpoint has {} entries but this ledger only {}: this copy is older "
                                     "than the checkpoint, or was truncated", c->size, size));
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
        fail(std::nullopt, "certificate " + key + " (database `certs`): content does not hash to its key");
      });
  auto lookup = [&](const Digest& fp) -> std::optional<ByteView> {
    auto it = certificates.find(fp);
    if (it == certificates.end()) return std::nullopt;
    return it->second;
  };

  MemoryState state;
  state.reserve(size);  // room for a key per entry (a subject, a snapshot): the replay seldom rehashes
  CompactRange range;
  BodyTable bodies(size);
  std::uint64_t expected = 0;

  // The trust store as the log grew it: each CRL and time-stamp authority counts for admission from the entry after
  // the one that added it (the indexes are checked against the entries at the end).
  const std::vector<TrustRecord> crl_records = crls();
  const TrustHistory trust_history(crl_records, timestamp_authorities());

  // Any thread: decode an entry and its body, check its signatures (no LMDB access here).
  auto decode = [&](Item& it) {
    decode_stored(it.bytes, it);
    if (it.failure) return;
    auto checked = check_signatures(it.entry->body, it.entry->signatures, verifier,
                                    trust_history.at_entry(it.seq, it.recorded_at), lookup);
    if (!checked) it.failure = checked.error().line();
    else it.signatures = std::move(*checked);
  };
  const std::function<std::optional<ByteView>(const Digest&)> stored_attachment =
      [&](const Digest& d) -> std::optional<ByteView> {
    if (auto v = txn.get(rep_->attachments, val(d))) return view(*v);
    return std::nullopt;
  };
  // What the entries imply of the trust indexes, and which entry first named each attachment (its admission).
  std::map<Digest, std::uint64_t> crls_added, authorities_added;
  std::map<Digest, std::pair<std::uint64_t, signing::UnixTime>> first_named;
  // This thread: duplicates, the admission rules replayed. (The `bodies` index is checked in one scan at the end.)
  auto in_order = [&](Item& it) {
    if (it.act && !it.failure) {
      for (const Act::Attachment& a : it.act->attachments) first_named.try_emplace(a.sha256, it.seq, it.recorded_at);
      if (it.act->attachments.size() == 1 && it.act->act == kCrlAdded)
        crls_added.try_emplace(it.act->attachments[0].sha256, it.seq);
      if (it.act->attachments.size() == 1 && it.act->act == kTimestampAuthorityAdded)
        authorities_added.try_emplace(it.act->attachments[0].sha256, it.seq);
    }
    if (it.entry) {
      report.signatures += it.entry->signatures.size();
      if (!bodies.insert(it.digest, it.seq) && !it.failure)
        it.failure = "refused [duplicate]: the same act body appears earlier in the log";
    }
    if (!it.failure && it.act) {
      if (auto s = admit_stored(replay, state, it, it.signatures, rep_->info, stored_attachment, true); !s)
        it.failure = "admission replay: " + s.error().line();
    }
    if (it.failure) fail(it.seq, *it.failure);
    else if (options.on_signature)
      for (const CheckedSignature& s : it.signatures) options.on_signature(it.seq, s.role, s.verified);
  };

  MDB_cursor* cur = nullptr;
  if (mdb_cursor_open(txn.get(), rep_->entries, &cur) != MDB_SUCCESS) {
    fail(std::nullopt, "cannot read the entries database");
    return report;
  }
  NodeScan stored_nodes(txn.get(), rep_->nodes);
  MDB_val k, v;
  int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
  // LMDB leaves the next leaf of `entries` where the pages written beside it by the same commits put it, one to
  // three pages further on nearly always. Each step onto a new page waits for its page walk and first lines (about
  // 2 us here); starting them when the cursor enters a page halves the cost of the walk (0.97 -> 0.44 us per
  // entry, `antq verify --jobs 1` of 100,002 entries). A guess that misses costs two wasted lines; a prefetch
  // never faults, even past the end of the file.
  MDB_stat entries_stat{};
  const std::uintptr_t page_size =
      mdb_stat(txn.get(), rep_->entries, &entries_stat) == MDB_SUCCESS ? entries_stat.ms_psize : 0;
  std::uintptr_t page_entered = 0;
  auto prefetch_next_pages = [&](ByteView bytes) {
    if (page_size == 0 || (page_size & (page_size - 1)) != 0) return;
    const std::uintptr_t page = reinterpret_cast<std::uintptr_t>(bytes.data()) & ~(page_size - 1);
    if (page == page_entered) return;
    page_entered = page;
    for (std::uintptr_t next = page + page_size; next <= page + 3 * page_size; next += page_size) {
      __builtin_prefetch(reinterpret_cast<const void*>(next));                  // page header, node offsets
      __builtin_prefetch(reinterpret_cast<const void*>(next + page_size - 64));  // the first node, at the page's end
    }
  };
  // This thread: the next entry of the log into `it`, with the tree checked over it; false at the end or at a gap.
  auto read_next = [&](Item& it) {
    if (rc != MDB_SUCCESS) return false;
    it.seq = k.mv_size == 8 ? seq_of(k) : expected;
    if (k.mv_size != 8 || it.seq != expected) {
      fail(expected, fmt::format("entry {} is missing: the next key in `entries` is {}", expected,
                                 k.mv_size == 8 ? std::to_string(seq_of(k)) : std::string("not 8 bytes")));
      return false;  // the tree cannot be recomputed past a gap
    }
    ++expected;
    ByteView bytes = view(v);
    prefetch_next_pages(bytes);
    // The tree: every perfect node the log implies must be the one stored.
    for (const PerfectNode& node : range.append(leaf_hash(bytes))) {
      if (stored_nodes.get(node.level, node.index) != node.hash) {
        it.failure = node.level == 0 ? fmt::format("leaf hash of entry {} differs from the stored tree (entry bytes altered?)", it.seq)
                                     : fmt::format("stored tree node (level {}, index {}) differs from the one recomputed", node.level, node.index);
        break;
      }
    }
    if (auto w = roots_wanted.find(range.size()); w != roots_wanted.end()) w->second = range.root();
    it.bytes = bytes;
    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    return true;
  };

  // Slots [consumed, published) hold read entries; [claimed, published) are not yet taken for decoding.
  auto ring = std::make_unique<Slot[]>(kRing);
  std::atomic<std::uint64_t> published{0}, claimed{0};
  std::atomic<std::uint32_t> signal{0};  // bumped (and waited on) when entries are published or the work ends
  std::atomic<bool> finished{false};
  auto claim_and_decode = [&] {
    std::uint64_t p = published.load(std::memory_order_acquire);
    std::uint64_t c = claimed.load(std::memory_order_relaxed);
    while (c < p) {
      std::uint64_t end = std::min(p, c + kBatch);
      if (claimed.compare_exchange_weak(c, end, std::memory_order_acq_rel)) {
        // The batch's entries were read on another core: start their first lines (and page walks) together.
        for (std::uint64_t i = c; i < end; ++i)
          for (std::size_t at = 0; at < ring[i % kRing].item.bytes.size(); at += 64)
            __builtin_prefetch(ring[i % kRing].item.bytes.data() + at);
        for (std::uint64_t i = c; i < end; ++i) {
          Slot& slot = ring[i % kRing];
          decode(slot.item);
          slot.decoded.store(true, std::memory_order_release);
        }
        return true;
      }
    }
    return false;
  };
  auto wake = [&] {
    signal.fetch_add(1, std::memory_order_release);
    signal.notify_all();
  };
  unsigned jobs = options.jobs != 0 ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::jthread> workers;
  for (unsigned w = 1; w < jobs; ++w)
    workers.emplace_back([&] {
      for (;;) {
        std::uint32_t seen_signal = signal.load(std::memory_order_acquire);
        if (claim_and_decode()) continue;
        if (finished.load(std::memory_order_acquire)) return;
        signal.wait(seen_signal, std::memory_order_acquire);
      }
    });

  std::uint64_t consumed = 0, filled = 0;
  bool reading = true;
  while (reading || consumed < filled) {
    bool progressed = false;
    for (; consumed < filled; ++consumed) {
      Slot& slot = ring[consumed % kRing];
      if (!slot.decoded.load(std::memory_order_acquire)) break;
      // A few entries ahead, decoded on another core: its table slot and its own lines, so that their cache misses
      // overlap the work in between.
      if (const std::uint64_t ahead = consumed + kPrefetchAhead; ahead < filled) {
        const Slot& next = ring[ahead % kRing];
        if (next.decoded.load(std::memory_order_acquire)) {
          if (next.item.entry) bodies.prefetch(next.item.digest);
          if (next.item.act) replay.prefetch(*next.item.act, state);
          for (std::size_t at = 0; at < sizeof(Item); at += 64)
            __builtin_prefetch(reinterpret_cast<const char*>(&next.item) + at);
        }
      }
      in_order(slot.item);
      slot.item = Item{};
      slot.decoded.store(false, std::memory_order_relaxed);
      progressed = true;
      if (options.progress && (consumed + 1) % kPublish == 0) options.progress(consumed + 1, size);
    }
    std::size_t read = 0;
    while (reading && filled - consumed < kRing && read < kPublish) {
      if (!read_next(ring[filled % kRing].item)) reading = false;
      else ++filled, ++read;
    }
    if (read > 0) {
      published.store(filled, std::memory_order_release);
      wake();
      progressed = true;
    }
    if (claim_and_decode()) progressed = true;
    if (!progressed) std::this_thread::yield();  // the next slot in order is being decoded by a worker
  }
  finished.store(true, std::memory_order_release);
  wake();
  workers.clear();  // joins
  mdb_cursor_close(cur);
  if (options.progress) options.progress(consumed, size);
  if (expected == size) report.root = range.root();

  // The derived state is compared on another thread while this one checks the indexes, checkpoints and attachments,
  // through a read transaction of its own on the same snapshot (MDB_NOTLS; an append may have committed since this
  // one began, and then the compare waits for this thread). Its verdict counts only if no entry failed: see below.
  auto no_entry_failed = [&] {
    return std::none_of(report.failures.begin(), report.failures.end(),
                        [](const VerifyReport::Failure& f) { return f.seq.has_value(); });
  };
  std::optional<bool> state_same;
  std::jthread state_compare;
  if (expected == size && no_entry_failed())
    state_compare = std::jthread([&] {
      Txn own(rep_->env, false);
      if (own.begin_status() == 0 && mdb_txn_id(own.get()) == mdb_txn_id(txn.get()))
        state_same = state.equals(own.get(), rep_->state);
    });

  // The `bodies` index, read in key order: each record must be (body digest -> seq) of an entry, and every entry's
  // body must have its record.
  {
    MDB_cursor* c = nullptr;
    if (mdb_cursor_open(txn.get(), rep_->bodies, &c) == MDB_SUCCESS) {
      for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == MDB_SUCCESS; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        BodyTable::Record* r = k.mv_size == 32 ? bodies.find(*reinterpret_cast<const Digest*>(k.mv_data)) : nullptr;
        if (r != nullptr && !r->indexed() && v.mv_size == 8 && seq_of(v) == r->first_seq()) BodyTable::mark_indexed(*r);
        else fail(std::nullopt, "the `bodies` index has a record (" + to_hex(view(k)) + ") that points at no entry with that body");
      }
      mdb_cursor_close(c);
    }
    bodies.for_each([&](const BodyTable::Record& r) {
      if (!r.indexed()) fail(r.first_seq(), "the `bodies` index does not point at this entry");
    });
  }

  // Checkpoints: each signed by the operator, each root the recomputed root at its size.
  if (vkey) {
    MDB_cursor* c = nullptr;
    if (mdb_cursor_open(txn.get(), rep_->checkpoints, &c) == MDB_SUCCESS) {
      for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == MDB_SUCCESS; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        ++report.checkpoints;
        std::uint64_t at = k.mv_size == 8 ? seq_of(k) : ~0ull;
        auto cp = open_checkpoint(std::string_view(static_cast<const char*>(v.mv_data), v.mv_size), *vkey);
        if (!cp) fail(std::nullopt, fmt::format("checkpoint at size {}: {}", at, cp.error().message));
        else if (cp->size != at || at > size) fail(std::nullopt, fmt::format("checkpoint stored at size {} says size {}", at, cp->size));
        else if (cp->origin != rep_->info.origin) fail(std::nullopt, fmt::format("checkpoint at size {} has origin {}", at, cp->origin));
        else if (cp->root != roots_wanted[at]) fail(std::nullopt, fmt::format("checkpoint at size {}: its root is not the recomputed root", at));
      }
      mdb_cursor_close(c);
    }
  }
  if (kept && roots_wanted[kept->size] != kept->root)
    fail(std::nullopt, fmt::format("the given checkpoint at size {} has a different root than this ledger at that size: "
                                   "the logs have forked", kept->size));

  // Attachments: content-addressed, so each must hash to its key. A signed PDF's signatures are verified again
  // (with the CRLs held now) and must give the record admission stored in `pdf_signatures`.
  std::map<Digest, ByteView> pdf_records;
  if (rep_->has_pdf_signatures) {
    MDB_cursor* c = nullptr;
    if (mdb_cursor_open(txn.get(), rep_->pdf_signatures, &c) == MDB_SUCCESS) {
      for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == MDB_SUCCESS; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (k.mv_size == 32) pdf_records.emplace(*reinterpret_cast<const Digest*>(k.mv_data), view(v));
        else fail(std::nullopt, "database `pdf_signatures`: a key that is not a SHA-256");
      }
      mdb_cursor_close(c);
    }
  }
  content_addressed(
      rep_->attachments,
      [&](const Digest& fp, ByteView content) {
        ++report.attachments;
        auto stored = pdf_records.find(fp);
        std::optional<AdmissionTime> when;
        if (auto named = first_named.find(fp); named != first_named.end())
          when = trust_history.at_entry(named->second.first, named->second.second);
        auto checked = check_pdf_signatures(content, verifier, when);
        if (!checked) {
          fail(std::nullopt, "attachment " + to_hex(fp) + ": " + checked.error().line());
        } else if (checked->records.empty() != (stored == pdf_records.end()) ||
                   (stored != pdf_records.end() && encode_pdf_signatures(checked->records) != Bytes(stored->second.begin(), stored->second.end()))) {
          fail(std::nullopt, "attachment " + to_hex(fp) + ": its PDF signatures differ from what admission recorded "
                             "(database `pdf_signatures`)");
        }
        if (checked && options.on_pdf_signature)
          for (std::size_t i = 0; i < checked->records.size(); ++i)
            options.on_pdf_signature(fp, i, checked->records[i], checked->verified[i]);
        if (stored != pdf_records.end()) pdf_records.erase(stored);
      },
      [&](const std::string& key) {
        ++report.attachments;
        fail(std::nullopt, "attachment " + key + ": content does not hash to its key");
      });
  if (rep_->info.profile_document && !txn.get(rep_->attachments, val(*rep_->info.profile_document)))
    fail(std::nullopt, "the rule profile's file (meta `profile.sha256`) is missing from `attachments`");
  for (const auto& [fp, record] : pdf_records)
    fail(std::nullopt, "database `pdf_signatures` holds a record for " + to_hex(fp) + ", which is no attachment");

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
            fail(std::nullopt, fmt::format("database `{}`: record {} is not (SHA-256 -> seq of an entry): a trust "
                                           "store kept beside the log by an older antq; add it again as an entry "
                                           "(`antq trust`)", name, to_hex(view(k))));
          }
        }
        mdb_cursor_close(c);
      }
    }
    for (const auto& [d, seq] : held)
      if (auto it = implied.find(d); it == implied.end() || it->second != seq)
        fail(std::nullopt, fmt::format("database `{}` holds {} as added by entry {}, which the log does not say", name,
                                       to_hex(d), seq));
    for (const auto& [d, seq] : implied)
      if (!held.contains(d))
        fail(seq, fmt::format("database `{}` does not hold {}, which this entry added", name, to_hex(d)));
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
      if (auto check = trust.add_crl(r.der); !check) fail(r.seq, "its CRL " + to_hex(r.digest) + ": " + check.error().message);
  }

  // Derived state: the replay must reproduce the stored `state` database exactly. After a failed entry the replay
  // cannot (the rules skipped that entry), and the failure is reported already.
  if (state_compare.joinable()) state_compare.join();
  if (expected == size && no_entry_failed()) {
    if (!(state_same.has_value() ? *state_same : state.equals(txn.get(), rep_->state)))
      fail(std::nullopt, "derived state (database `state`) differs from the replay of the log: `antq rebuild` shows "
                         "what differs and recomputes it");
  }

  std::stable_sort(report.failures.begin(), report.failures.end(), [](const auto& a, const auto& b) {
    if (a.seq.has_value() != b.seq.has_value()) return a.seq.has_value();
    return a.seq.value_or(0) < b.seq.value_or(0);
  });
  return report;
}

}  // namespace antq::ledger
