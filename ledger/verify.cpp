// Ledger::verify: recompute everything from the stored bytes (FORMAT.md, "Verification").
#include <map>
#include <future>
#include <unordered_set>

#include <fmt/format.h>

#include "ledger/ledger.hpp"
#include "ledger/merkle.hpp"
#include "ledger/parallel.hpp"
#include "ledger/store.hpp"

namespace antq::ledger {
namespace {

// Replay state in memory; compared with the stored `state` database at the end.
class MemoryState final : public StateStore {
 public:
  std::optional<std::string> get(std::string_view key) const override {
    auto it = map_.find(std::string(key));
    if (it == map_.end()) return std::nullopt;
    return it->second;
  }
  void put(std::string_view key, std::string_view value) override { map_[std::string(key)] = std::string(value); }
  const std::map<std::string, std::string>& map() const { return map_; }

 private:
  std::map<std::string, std::string> map_;
};

// Entries are verified in chunks: the tree recomputed in order, then entries decoded and signatures checked on all
// cores, then duplicates, the bodies index and the admission rules checked in order. A chunk bounds memory whatever
// the ledger's size.
constexpr std::size_t kChunk = 2048;

struct Item {
  std::uint64_t seq = 0;
  ByteView bytes;  // in the read transaction's map
  std::optional<Entry> entry;
  std::optional<Act> act;
  Digest digest{};
  signing::UnixTime recorded_at = 0;
  std::vector<CheckedSignature> signatures;
  std::optional<std::string> failure;
};

}  // namespace

VerifyReport Ledger::verify(const VerifyOptions& options, Admission& replay) const {
  VerifyReport report;
  auto fail = [&](std::optional<std::uint64_t> seq, std::string reason) {
    report.ok = false;
    report.failures.push_back({seq, std::move(reason)});
  };

  Txn txn(rep_->env, false);
  if (txn.begin_status()) {
    fail(std::nullopt, "cannot read the ledger: " + lmdb_error(txn.begin_status()));
    return report;
  }
  const std::uint64_t size = rep_->size(txn);
  report.entries = size;
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

  signing::Verifier verifier = make_verifier();
  // Certificates are few (one per signer) and read by every worker: loaded once, read-only afterwards.
  std::map<Digest, Bytes> certificates;
  {
    MDB_cursor* cur = nullptr;
    if (mdb_cursor_open(txn.get(), rep_->certs, &cur) == MDB_SUCCESS) {
      MDB_val k, v;
      for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == MDB_SUCCESS; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
        if (k.mv_size == 32) certificates.emplace(*reinterpret_cast<const Digest*>(k.mv_data), Bytes(view(v).begin(), view(v).end()));
      mdb_cursor_close(cur);
    }
  }
  auto lookup = [&](const Digest& fp) -> std::optional<Bytes> {
    auto it = certificates.find(fp);
    if (it == certificates.end()) return std::nullopt;
    return it->second;
  };

  MemoryState state;
  CompactRange range;
  std::unordered_set<Digest, DigestHash> seen;
  std::uint64_t expected = 0;
  std::vector<Item> items;
  items.reserve(kChunk);

  // All cores: decode each entry and its body, check its signatures (no LMDB access here).
  auto decode_all = [&](std::vector<Item>& chunk) {
    parallel_for(chunk.size(), options.jobs, [&](std::size_t i) {
      Item& it = chunk[i];
      auto entry = decode_entry(it.bytes);
      if (!entry) {
        if (!it.failure) it.failure = entry.error().message;
        return;
      }
      if (entry->seq != it.seq && !it.failure) it.failure = fmt::format("entry says seq {} but is stored as {}", entry->seq, it.seq);
      it.digest = sha256(entry->event.body);
      auto act = decode_body(entry->event.body);
      if (!act && !it.failure) it.failure = act.error().message;
      if (act) it.act = std::move(*act);
      auto t = signing::parse_time(entry->recorded_at);
      if (!t && !it.failure) it.failure = "recordedAt is not a time: " + entry->recorded_at;
      it.recorded_at = t.value_or(0);
      it.entry = std::move(*entry);
      if (it.failure) return;
      auto checked = check_signatures(it.entry->event, verifier, it.recorded_at + kClockSkew, lookup);
      if (!checked) it.failure = checked.error().line();
      else it.signatures = std::move(*checked);
    });
  };
  // In order: duplicates, the bodies index, the admission rules replayed.
  auto in_order = [&](std::vector<Item>& chunk) {
    for (Item& it : chunk) {
      if (it.entry) {
        report.signatures += it.entry->event.signatures.size();
        if (!seen.insert(it.digest).second && !it.failure)
          it.failure = "refused [duplicate]: the same act body appears earlier in the log";
        auto indexed = txn.get(rep_->bodies, val(it.digest));
        if ((!indexed || indexed->mv_size != 8 || seq_of(*indexed) != it.seq) && !it.failure)
          it.failure = "the `bodies` index does not point at this entry";
      }
      if (!it.failure && it.act) {
        Candidate c{it.seq, *it.act, it.digest, it.signatures, it.recorded_at, rep_->info};
        if (auto s = replay.admit(c, state); !s) it.failure = "admission replay: " + s.error().line();
      }
      if (it.failure) fail(it.seq, *it.failure);
    }
    if (options.progress && !chunk.empty()) options.progress(chunk.back().seq + 1, size);
  };
  // Chunk k is decoded and its signatures checked on all cores while this thread replays chunk k-1 in order and
  // recomputes the tree over chunk k+1, so that no core waits for the in-order work.
  std::vector<Item> in_flight;
  std::future<void> decoding;
  auto flush = [&] {
    std::vector<Item> previous;
    if (decoding.valid()) {
      decoding.get();
      previous = std::move(in_flight);
    }
    in_flight = std::move(items);
    items = {};
    items.reserve(kChunk);
    decoding = std::async(std::launch::async, [&] { decode_all(in_flight); });
    in_order(previous);
  };
  auto finish = [&] {
    flush();
    decoding.get();
    in_order(in_flight);
    in_flight.clear();
  };

  MDB_cursor* cur = nullptr;
  if (mdb_cursor_open(txn.get(), rep_->entries, &cur) != MDB_SUCCESS) {
    fail(std::nullopt, "cannot read the entries database");
    return report;
  }
  MDB_val k, v;
  for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == MDB_SUCCESS; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    Item it;
    it.seq = k.mv_size == 8 ? seq_of(k) : expected;
    if (k.mv_size != 8 || it.seq != expected) {
      fail(expected, fmt::format("entry {} is missing: the next key in `entries` is {}", expected,
                                 k.mv_size == 8 ? std::to_string(seq_of(k)) : std::string("not 8 bytes")));
      break;  // the tree cannot be recomputed past a gap
    }
    ++expected;
    ByteView bytes = view(v);
    // The tree: every perfect node the log implies must be the one stored.
    for (const PerfectNode& node : range.append(leaf_hash(bytes))) {
      if (rep_->node(txn, node.level, node.index) != node.hash) {
        it.failure = node.level == 0 ? fmt::format("leaf hash of entry {} differs from the stored tree (entry bytes altered?)", it.seq)
                                     : fmt::format("stored tree node (level {}, index {}) differs from the one recomputed", node.level, node.index);
        break;
      }
    }
    if (auto w = roots_wanted.find(range.size()); w != roots_wanted.end()) w->second = range.root();
    it.bytes = bytes;
    items.push_back(std::move(it));
    if (items.size() == kChunk) flush();
  }
  mdb_cursor_close(cur);
  finish();
  if (expected == size) report.root = range.root();

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

  // Attachments: content-addressed, so each must hash to its key.
  {
    MDB_cursor* c = nullptr;
    if (mdb_cursor_open(txn.get(), rep_->attachments, &c) == MDB_SUCCESS) {
      for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == MDB_SUCCESS; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        ++report.attachments;
        if (k.mv_size != 32 || sha256(view(v)) != Digest(*reinterpret_cast<const Digest*>(k.mv_data)))
          fail(std::nullopt, "attachment " + to_hex(view(k)) + ": content does not hash to its key");
      }
      mdb_cursor_close(c);
    }
  }

  // Derived state: the replay must reproduce the stored `state` database exactly.
  if (expected == size) {
    std::map<std::string, std::string> stored;
    MDB_cursor* c = nullptr;
    if (mdb_cursor_open(txn.get(), rep_->state, &c) == MDB_SUCCESS) {
      for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == MDB_SUCCESS; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
        stored.emplace(std::string(static_cast<const char*>(k.mv_data), k.mv_size),
                       std::string(static_cast<const char*>(v.mv_data), v.mv_size));
      mdb_cursor_close(c);
    }
    if (stored != state.map()) fail(std::nullopt, "derived state (database `state`) differs from the replay of the log");
  }

  std::stable_sort(report.failures.begin(), report.failures.end(), [](const auto& a, const auto& b) {
    if (a.seq.has_value() != b.seq.has_value()) return a.seq.has_value();
    return a.seq.value_or(0) < b.seq.value_or(0);
  });
  return report;
}

}  // namespace antq::ledger
