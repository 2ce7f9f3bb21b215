// Ledger::rebuild: the derived `state` database recomputed from the entries alone (FORMAT.md §2).
#include <future>

#include <fmt/format.h>

#include "ledger/ledger.hpp"
#include "ledger/replay.hpp"
#include "ledger/store.hpp"

namespace antq::ledger {
namespace {

constexpr std::uint64_t kProgressEvery = 4096;  // entries between progress calls
constexpr std::size_t kBatch = 1024;            // entries decoded at a time

struct Stored {
  StoredEntry entry;
  ByteView bytes;  // in the transaction's map
};

// Replays entries [from, size) read through `txn` into `state`; returns the new size. corruption at the first
// entry that is missing, does not decode or is refused by the replay.
//
// The replay is in seq order, decoding is not: each batch is decoded on another thread while this one replays the
// batch before, so that on two cores the replay does not wait for decoding (a fifth of the work).
Result<std::uint64_t> replay_entries(const Ledger::Rep& rep, const Txn& txn, std::uint64_t from, Admission& replay,
                                     MemoryState& state, const Progress& progress) {
  const std::uint64_t size = rep.size(txn);
  const std::function<std::optional<ByteView>(const Digest&)> attachment =
      [&](const Digest& d) -> std::optional<ByteView> {
    if (auto v = txn.get(rep.attachments, val(d))) return view(*v);
    return std::nullopt;
  };
  MDB_cursor* cur = nullptr;
  if (int rc = mdb_cursor_open(txn.get(), rep.entries, &cur); rc != MDB_SUCCESS)
    return io_error(i18n::Text("cannot read the entries database: {}", lmdb_error(rc)));
  const SeqKey first = seq_key(from);
  MDB_val k = val(first.data(), first.size()), v;
  int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
  std::uint64_t next = from;
  // This thread: the next batch of entries' bytes, in seq order.
  auto read = [&](std::vector<Stored>& batch) -> Status {
    batch.clear();
    for (; next < size && batch.size() < kBatch; ++next, rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
      if (rc != MDB_SUCCESS || k.mv_size != 8 || seq_of(k) != next)
        return corruption(i18n::Text("entry {} is missing from `entries`", next));
      batch.emplace_back().bytes = view(v);
      batch.back().entry.seq = next;
    }
    return {};
  };
  auto decode = [](std::vector<Stored>& batch) {
    for (Stored& s : batch) decode_stored(s.bytes, s.entry);
  };
  auto admit = [&](const std::vector<Stored>& batch) -> Status {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const StoredEntry& e = batch[i].entry;
      if (e.failure) return corruption(i18n::Text("entry {}: {}", e.seq, *e.failure));
      if (auto ok = admit_stored(replay, state, e, stored_signatures(e.entry->signatures), rep.info, attachment, false); !ok)
        return corruption(i18n::Text("entry {}: admission replay: {}", e.seq, line_text(ok.error())));
      if (progress && (e.seq + 1) % kProgressEvery == 0) progress(e.seq + 1, size);
    }
    return {};
  };
  std::vector<Stored> ready, ahead;
  Status read_ok = read(ready);  // after a missing entry, those before it are replayed first (it is named last)
  decode(ready);
  Status s;
  while (s && !ready.empty()) {
    if (read_ok) read_ok = read(ahead);
    else ahead.clear();
    std::future<void> decoding;
    if (!ahead.empty()) decoding = std::async(std::launch::async, decode, std::ref(ahead));
    s = admit(ready);
    if (decoding.valid()) decoding.get();
    std::swap(ready, ahead);
  }
  mdb_cursor_close(cur);
  if (s) s = read_ok;
  if (!s) return std::unexpected(s.error());
  return size;
}

// Compares the stored `state` with `rebuilt` (one pass of both in key order) and, in `txn`, makes it equal.
Status write_state(const Txn& txn, MDB_dbi dbi, const MemoryState& rebuilt, RebuildReport& report) {
  const auto wanted = rebuilt.sorted();
  report.keys = wanted.size();
  std::vector<std::string> removed;
  std::vector<const std::pair<std::string_view, std::string_view>*> upserts;
  {
    MDB_cursor* c = nullptr;
    if (int rc = mdb_cursor_open(txn.get(), dbi, &c); rc != MDB_SUCCESS)
      return io_error(i18n::Text("cannot read the state database: {}", lmdb_error(rc)));
    auto next = wanted.begin();
    MDB_val k, v;
    for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == MDB_SUCCESS; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
      const std::string_view key(static_cast<const char*>(k.mv_data), k.mv_size);
      for (; next != wanted.end() && next->first < key; ++next) upserts.push_back(&*next);
      if (next == wanted.end() || next->first != key) {
        removed.emplace_back(key);
        continue;
      }
      if (next->second == std::string_view(static_cast<const char*>(v.mv_data), v.mv_size)) {
        ++report.unchanged;
      } else {
        upserts.push_back(&*next);
        ++report.changed;
      }
      ++next;
    }
    mdb_cursor_close(c);
    for (; next != wanted.end(); ++next) upserts.push_back(&*next);
  }
  report.added = upserts.size() - report.changed;
  report.removed = removed.size();
  // Written after the pass: the cursor's pages stay as they were while it reads.
  for (const std::string& key : removed) {
    MDB_val mk = val(key);
    if (int rc = mdb_del(txn.get(), dbi, &mk, nullptr); rc != MDB_SUCCESS)
      return io_error(i18n::Text("cannot write the state database: {}", lmdb_error(rc)));
  }
  for (const auto* kv : upserts) {
    MDB_val mk = val(kv->first), mv = val(kv->second);
    if (int rc = mdb_put(txn.get(), dbi, &mk, &mv, 0); rc != MDB_SUCCESS)
      return io_error(i18n::Text("cannot write the state database: {}", lmdb_error(rc)));
  }
  return {};
}

}  // namespace

Result<RebuildReport> Ledger::rebuild(Admission& replay, const Progress& progress) {
  MemoryState state;
  std::uint64_t replayed = 0;
  {
    // The bulk from a read snapshot, so that appends go on meanwhile.
    Txn txn(rep_->env, false);
    if (txn.begin_status()) return io_error(i18n::Text("cannot read the ledger: {}", lmdb_error(txn.begin_status())));
    auto size = replay_entries(*rep_, txn, 0, replay, state, progress);
    if (!size) return std::unexpected(size.error());
    replayed = *size;
  }
  // Then, holding the write lock: the entries appended since, and the state written.
  Txn txn(rep_->env, true);
  if (txn.begin_status())
    return io_error(i18n::Text("cannot begin a write transaction: {}", lmdb_error(txn.begin_status())));
  auto size = replay_entries(*rep_, txn, replayed, replay, state, progress);
  if (!size) return std::unexpected(size.error());
  if (progress) progress(*size, *size);
  RebuildReport report;
  report.entries = *size;
  if (auto s = write_state(txn, rep_->state, state, report); !s) return std::unexpected(s.error());
  if (!report.written()) return report;  // the transaction is aborted: the file stays byte for byte as it was
  if (int rc = txn.commit(); rc != MDB_SUCCESS)
    return io_error(i18n::Text("cannot commit the rebuilt state: {}; the stored state is as it was", lmdb_error(rc)));
  return report;
}

}  // namespace antq::ledger
