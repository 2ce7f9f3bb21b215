#include "ledger/replay.hpp"


#include <fmt/format.h>

namespace antq::ledger {

void MemoryState::put(std::string_view key, std::string&& value) {
  auto it = values_.find(key);
  if (it != values_.end()) it->second = std::move(value);
  else values_.emplace(std::string(key), std::move(value));
}

bool MemoryState::equals(MDB_txn* txn, MDB_dbi dbi) const {
  MDB_cursor* c = nullptr;
  if (mdb_cursor_open(txn, dbi, &c) != MDB_SUCCESS) return values_.empty();
  auto mine = values_.begin();
  bool same = true;
  MDB_val k, v;
  for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); same && rc == MDB_SUCCESS; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
    same = mine != values_.end() && mine->first == std::string_view(static_cast<const char*>(k.mv_data), k.mv_size) &&
           mine->second == std::string_view(static_cast<const char*>(v.mv_data), v.mv_size);
    if (same) ++mine;
  }
  mdb_cursor_close(c);
  return same && mine == values_.end();
}

std::vector<std::pair<std::string_view, std::string_view>> MemoryState::sorted() const {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  out.reserve(values_.size());
  for (const auto& [key, value] : values_) out.emplace_back(key, value);
  return out;
}

void decode_stored(ByteView bytes, StoredEntry& it) {
  auto entry = decode_entry_view(bytes);
  if (!entry) {
    if (!it.failure) it.failure = text_of(entry.error());
    return;
  }
  if (entry->seq != it.seq && !it.failure)
    it.failure = i18n::Text("entry says seq {} but is stored as {}", entry->seq, it.seq);
  it.digest = sha256(entry->body);
  auto act = decode_body(entry->body);
  if (!act && !it.failure) it.failure = text_of(act.error());
  if (act) it.act = std::move(*act);
  auto t = signing::parse_time(entry->recorded_at);
  if (!t && !it.failure) it.failure = i18n::Text("recordedAt is not a time: {}", std::string(entry->recorded_at));
  it.recorded_at = t.value_or(0);
  // As admission checked it, with the time it recorded.
  if (it.act && t && !it.failure)
    if (auto s = check_document_date(*it.act, *t + kClockSkew, N_("admission")); !s) it.failure = text_of(s.error());
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
