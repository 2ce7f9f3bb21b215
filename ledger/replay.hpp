// Private to ledger/: what Ledger::verify and Ledger::rebuild share to replay the admission rules over stored
// entries — the in-memory state the replay folds into, and the decoding and admission of one stored entry.
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ledger/ledger.hpp"

namespace antq::ledger {

// Replay state in memory (hashed: the replay looks a key up for every entry), compared with or written over the
// stored `state` database at the end. The keys and values lie in one vector in the order they were first put; an
// open-addressing index of (hash, position) finds them, one cache line per probe, which prefetch() can start early.
class MemoryState final : public StateStore {
 public:
  std::optional<std::string> get(std::string_view key) const override {
    const Entry* e = find(key);
    if (e == nullptr) return std::nullopt;
    return e->value;
  }
  void put(std::string_view key, std::string_view value) override { put(key, std::string(value)); }
  void put(std::string_view key, std::string&& value) override;
  void prefetch(std::string_view key) const override;
  std::size_t size() const { return entries_.size(); }
  void reserve(std::size_t keys);

  // Whether the stored database holds exactly these keys and values: one pass over its cursor, nothing copied.
  bool equals(MDB_txn* txn, MDB_dbi dbi) const;

  // The keys and values in LMDB's key order (bytewise), pointing into this state: valid until the next put().
  std::vector<std::pair<std::string_view, std::string_view>> sorted() const;

 private:
  struct Entry {
    std::string key;
    std::string value;
  };
  struct Slot {
    std::uint64_t hash = 0;       // 0: free (a key's hash has its lowest bit set)
    std::uint64_t position = 0;   // in entries_
  };
  static std::uint64_t hash(std::string_view key) { return std::hash<std::string_view>{}(key) | 1; }
  std::size_t home(std::uint64_t h) const {
    return static_cast<std::size_t>((static_cast<unsigned __int128>(h) * index_.size()) >> 64);
  }
  // The slot of `key`, whose hash is `h`: the one that holds it, or the free slot where it goes. The index is never
  // more than half full, so there is one.
  std::size_t slot_of(std::uint64_t h, std::string_view key) const;
  const Entry* find(std::string_view key) const;
  void grow(std::size_t slots);

  std::vector<Slot> index_;
  std::vector<Entry> entries_;
};

// A stored entry decoded for the replay. `failure` says the first thing wrong with it; a failure set before
// decode_stored() (say, by the tree check) is kept.
struct StoredEntry {
  std::uint64_t seq = 0;
  std::optional<EntryView> entry;  // views into the stored bytes
  std::optional<Act> act;
  Digest digest{};  // SHA-256 of the event's body
  signing::UnixTime recorded_at = 0;
  std::optional<std::string> failure;
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
