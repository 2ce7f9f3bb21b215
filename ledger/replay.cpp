#include "ledger/replay.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace antq::ledger {

bool MemoryState::equals(MDB_txn* txn, MDB_dbi dbi) const {
  MDB_cursor* c = nullptr;
  if (mdb_cursor_open(txn, dbi, &c) != MDB_SUCCESS) return map_.empty();
  std::size_t n = 0;
  bool same = true;
  MDB_val k, v;
  for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); same && rc == MDB_SUCCESS; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
    auto it = map_.find(std::string_view(static_cast<const char*>(k.mv_data), k.mv_size));
    same = it != map_.end() && it->second == std::string_view(static_cast<const char*>(v.mv_data), v.mv_size);
    ++n;
  }
  mdb_cursor_close(c);
  return same && n == map_.size();
}

std::vector<std::pair<std::string_view, std::string_view>> MemoryState::sorted() const {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  out.reserve(map_.size());
  for (const auto& [k, v] : map_) out.emplace_back(k, v);
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
                    const std::function<std::optional<ByteView>(const Digest&)>& attachment) {
  Candidate c{e.seq, *e.act, e.digest, signatures, e.recorded_at, info, attachment};
  return replay.admit(c, state);
}

}  // namespace antq::ledger
