#include "ledger/replay.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace antq::ledger {

void MemoryState::reserve(std::size_t keys) {
  entries_.reserve(keys);
  if (index_.size() < 2 * keys) grow(2 * keys);
}

void MemoryState::grow(std::size_t slots) {
  index_.assign(std::max<std::size_t>(slots, 16), Slot{});
  for (std::size_t position = 0; position < entries_.size(); ++position) {
    const std::uint64_t h = hash(entries_[position].key);
    index_[slot_of(h, entries_[position].key)] = {h, position};
  }
}

std::size_t MemoryState::slot_of(std::uint64_t h, std::string_view key) const {
  std::size_t i = home(h);
  while (index_[i].hash != 0 && !(index_[i].hash == h && entries_[index_[i].position].key == key))
    if (++i == index_.size()) i = 0;
  return i;
}

const MemoryState::Entry* MemoryState::find(std::string_view key) const {
  if (index_.empty()) return nullptr;
  const Slot& slot = index_[slot_of(hash(key), key)];
  return slot.hash == 0 ? nullptr : &entries_[slot.position];
}

void MemoryState::put(std::string_view key, std::string&& value) {
  if (2 * (entries_.size() + 1) > index_.size()) grow(std::max<std::size_t>(16, 2 * index_.size()));
  const std::uint64_t h = hash(key);
  Slot& slot = index_[slot_of(h, key)];
  if (slot.hash != 0) {
    entries_[slot.position].value = std::move(value);
    return;
  }
  slot = {h, entries_.size()};
  entries_.push_back({std::string(key), std::move(value)});
}

void MemoryState::prefetch(std::string_view key) const {
  if (!index_.empty()) __builtin_prefetch(&index_[home(hash(key))]);
}

bool MemoryState::equals(MDB_txn* txn, MDB_dbi dbi) const {
  MDB_cursor* c = nullptr;
  if (mdb_cursor_open(txn, dbi, &c) != MDB_SUCCESS) return entries_.empty();
  // The stored records are taken a batch at a time and looked up in three passes (index slots, entries, values),
  // each starting the next one's cache misses for the whole batch, instead of one miss after another per record.
  // The views point into the read transaction's pages, which stay put until it ends.
  constexpr std::size_t kBatch = 16;
  struct Stored {
    std::string_view key, value;
    std::uint64_t hash = 0;
    const Entry* entry = nullptr;
  };
  std::array<Stored, kBatch> batch;
  std::size_t n = 0;
  bool same = true;
  MDB_val k, v;
  int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
  while (same && rc == MDB_SUCCESS) {
    std::size_t size = 0;
    for (; size < kBatch && rc == MDB_SUCCESS; ++size, rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
      Stored& s = batch[size];
      s.key = {static_cast<const char*>(k.mv_data), k.mv_size};
      s.value = {static_cast<const char*>(v.mv_data), v.mv_size};
      s.hash = hash(s.key);
      if (!index_.empty()) __builtin_prefetch(&index_[home(s.hash)]);
    }
    for (std::size_t i = 0; i < size; ++i) {  // the first slot with the same hash: nearly always the key's
      batch[i].entry = nullptr;
      for (std::size_t at = index_.empty() ? 0 : home(batch[i].hash); !index_.empty() && index_[at].hash != 0;
           at = at + 1 == index_.size() ? 0 : at + 1)
        if (index_[at].hash == batch[i].hash) {
          batch[i].entry = &entries_[index_[at].position];
          __builtin_prefetch(batch[i].entry);
          break;
        }
    }
    for (std::size_t i = 0; i < size; ++i)
      if (batch[i].entry != nullptr) __builtin_prefetch(batch[i].entry->value.data());
    for (std::size_t i = 0; same && i < size; ++i) {
      const Stored& s = batch[i];
      const Entry* e = s.entry != nullptr && s.entry->key == s.key ? s.entry : find(s.key);
      same = e != nullptr && e->value == s.value;
      ++n;
    }
  }
  mdb_cursor_close(c);
  return same && n == entries_.size();
}

std::vector<std::pair<std::string_view, std::string_view>> MemoryState::sorted() const {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  out.reserve(entries_.size());
  for (const Entry& e : entries_) out.emplace_back(e.key, e.value);
  // string_view compares bytes as unsigned (char_traits<char>), then length: LMDB's default key order.
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

void decode_stored(ByteView bytes, StoredEntry& it) {
  auto entry = decode_entry_view(bytes);
  if (!entry) {
    if (!it.failure) it.failure = entry.error().message;
    return;
  }
  if (entry->seq != it.seq && !it.failure) it.failure = fmt::format("entry says seq {} but is stored as {}", entry->seq, it.seq);
  it.digest = sha256(entry->body);
  auto act = decode_body(entry->body);
  if (!act && !it.failure) it.failure = act.error().message;
  if (act) it.act = std::move(*act);
  auto t = signing::parse_time(entry->recorded_at);
  if (!t && !it.failure) it.failure = "recordedAt is not a time: " + std::string(entry->recorded_at);
  it.recorded_at = t.value_or(0);
  // As admission checked it, with the time it recorded.
  if (it.act && t && !it.failure)
    if (auto s = check_document_date(*it.act, *t + kClockSkew, "admission"); !s) it.failure = s.error().message;
  it.entry = std::move(*entry);
}

std::vector<CheckedSignature> stored_signatures(std::span<const SignatureView> signatures) {
  std::vector<CheckedSignature> out;
  out.reserve(signatures.size());
  for (const SignatureView& s : signatures) {
    CheckedSignature c{s.role, {}};
    c.verified.signer = s.signer;
    out.push_back(std::move(c));
  }
  return out;
}

Status admit_stored(Admission& replay, StateStore& state, const StoredEntry& e,
                    const std::vector<CheckedSignature>& signatures, const LedgerInfo& info,
                    const std::function<std::optional<ByteView>(const Digest&)>& attachment,
                    bool signatures_checked) {
  Candidate c{e.seq, *e.act, e.digest, signatures, e.recorded_at, info, attachment, signatures_checked};
  return replay.admit(c, state);
}

}  // namespace antq::ledger
