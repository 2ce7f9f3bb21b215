// Private to ledger/: what Ledger::verify and Ledger::rebuild share to replay the admission rules over stored
// entries — the in-memory state the replay folds into, and the decoding and admission of one stored entry.
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ledger/ledger.hpp"

namespace antq::ledger {

// Replay state in memory, compared with or written over the stored `state` database at the end. Ordered, as LMDB
// orders keys (bytewise): no crafted set of subject ids can make its lookups degrade, and the comparison with the
// stored database is one walk of both in the same order.
class MemoryState final : public StateStore {
 public:
  std::optional<std::string> get(std::string_view key) const override {
    auto it = values_.find(key);
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }
  void put(std::string_view key, std::string_view value) override { put(key, std::string(value)); }
  void put(std::string_view key, std::string&& value) override;
  bool for_each(std::string_view prefix,
                const std::function<void(std::string_view, std::string_view)>& fn) const override {
    for (auto it = values_.lower_bound(prefix); it != values_.end() && std::string_view(it->first).starts_with(prefix); ++it)
      fn(it->first, it->second);
    return true;
  }
  std::size_t size() const { return values_.size(); }

  // Whether the stored database holds exactly these keys and values: one pass over its cursor, nothing copied.
  bool equals(MDB_txn* txn, MDB_dbi dbi) const;

  // The keys and values in LMDB's key order, pointing into this state: valid until the next put().
  std::vector<std::pair<std::string_view, std::string_view>> sorted() const;

 private:
  // std::string compares as unsigned bytes (char_traits<char>), then length: LMDB's default key order.
  std::map<std::string, std::string, std::less<>> values_;
};

// A stored entry decoded for the replay. `failure` says the first thing wrong with it; a failure set before
// decode_stored() (say, by the tree check) is kept.
struct StoredEntry {
  std::uint64_t seq = 0;
  std::optional<EntryView> entry;  // views into the stored bytes
  std::optional<Act> act;
  Digest digest{};  // SHA-256 of the event's body
  signing::UnixTime recorded_at = 0;
  std::optional<i18n::Text> failure;  // the first problem of this entry, to be put into words in the reader's language
};

// Decodes entry `out.seq` from its stored bytes: the entry, its body as an act, its recordedAt. Touches no LMDB
// state, so any thread may call it.
void decode_stored(ByteView bytes, StoredEntry& out);

// The entry's signatures as stored, for a replay that does not check them again (rebuild): each one's role and
// signer fingerprint, the other fields of VerifiedSignature left empty. Admission rules read only these two.
std::vector<CheckedSignature> stored_signatures(std::span<const SignatureView> signatures);

// Replays the admission of a decoded entry (no failure) with `signatures` as checked (or, when
// `signatures_checked` is false, as stored_signatures() gives them), folding into `state`.
Status admit_stored(Admission& replay, StateStore& state, const StoredEntry& e,
                    const std::vector<CheckedSignature>& signatures, const LedgerInfo& info,
                    const std::function<std::optional<ByteView>(const Digest&)>& attachment,
                    bool signatures_checked);

}  // namespace antq::ledger
