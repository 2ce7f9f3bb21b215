// Private to ledger/: the LMDB environment, its named databases and small RAII helpers. See FORMAT.md.
#pragma once

#include <lmdb.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ledger/ledger.hpp"

namespace antq::ledger {

inline constexpr std::string_view kFormatVersion = "antq-ledger 1";
inline constexpr std::size_t kMapSize = std::size_t{1} << 40;  // 1 TiB of address space; the file grows as used

// 8-byte big-endian keys, so that LMDB's byte order is numeric order (and MDB_APPEND works for `entries`).
using SeqKey = std::array<std::uint8_t, 8>;
inline SeqKey seq_key(std::uint64_t v) {
  SeqKey k;
  for (int i = 7; i >= 0; --i, v >>= 8) k[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v);
  return k;
}
inline std::uint64_t seq_of(const MDB_val& v) {
  std::uint64_t out = 0;
  for (std::size_t i = 0; i < 8; ++i) out = out << 8 | static_cast<const std::uint8_t*>(v.mv_data)[i];
  return out;
}
// `nodes` key: level (1 byte) then index (8 bytes big-endian).
using NodeKey = std::array<std::uint8_t, 9>;
inline NodeKey node_key(unsigned level, std::uint64_t index) {
  NodeKey k;
  k[0] = static_cast<std::uint8_t>(level);
  SeqKey s = seq_key(index);
  std::memcpy(k.data() + 1, s.data(), 8);
  return k;
}

inline MDB_val val(const void* p, std::size_t n) { return MDB_val{n, const_cast<void*>(p)}; }
inline MDB_val val(ByteView b) { return val(b.data(), b.size()); }
inline MDB_val val(std::string_view s) { return val(s.data(), s.size()); }
inline ByteView view(const MDB_val& v) { return {static_cast<const std::uint8_t*>(v.mv_data), v.mv_size}; }
inline std::string_view text(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }

std::string lmdb_error(int rc);

// A transaction; aborted on destruction unless committed. Move-only.
class Txn {
 public:
  Txn(MDB_env* env, bool write);
  // A write transaction nested in `parent` (a write transaction): committing it hands its changes to the parent,
  // aborting it undoes them alone. `parent` may not be used until this one ends.
  Txn(MDB_env* env, const Txn& parent) { rc_ = mdb_txn_begin(env, parent.get(), 0, &txn_); if (rc_) txn_ = nullptr; }
  Txn(Txn&& o) noexcept : txn_(o.txn_), rc_(o.rc_) { o.txn_ = nullptr; }
  ~Txn() { if (txn_) mdb_txn_abort(txn_); }
  int begin_status() const { return rc_; }
  MDB_txn* get() const { return txn_; }
  int commit() {
    int rc = mdb_txn_commit(txn_);
    txn_ = nullptr;
    return rc;
  }
  std::optional<MDB_val> get(MDB_dbi dbi, MDB_val key) const {
    MDB_val v;
    if (mdb_get(txn_, dbi, &key, &v) != MDB_SUCCESS) return std::nullopt;
    return v;
  }

 private:
  MDB_txn* txn_ = nullptr;
  int rc_ = 0;
};

struct Ledger::Rep {
  std::filesystem::path dir;
  MDB_env* env = nullptr;
  int data_fd = -1;        // data.mdb, open for reading: the structure checks read it with pread (lmdb_check.hpp)
  // The snapshot (transaction id) whose every tree passed check_snapshot, if any.
  std::optional<std::uint64_t> checked_txnid;
  MDB_dbi entries = 0, nodes = 0, certs = 0, bodies = 0, checkpoints = 0, attachments = 0, meta = 0, state = 0;
  MDB_dbi crls = 0;
  // The has_ flags are atomic: antq serve reads from many threads while its committer appends. Each database
  // handle is stored before its flag is set.
  std::atomic<bool> has_crls = false;  // `crls` is made by the first trust.crl-added entry; ledgers that never held one have none
  MDB_dbi timestamp_authorities = 0;
  std::atomic<bool> has_timestamp_authorities = false;  // likewise, by the first trust.tsa-added entry
  MDB_dbi pdf_signatures = 0;
  std::atomic<bool> has_pdf_signatures = false;  // made by the first append of a signed PDF
  LedgerInfo info;
  std::shared_ptr<const signing::Ed25519Key> operator_key;  // Ledger::use_operator_key; null until then
  // The append path's verifier: built from the stored trust store once, kept across appends (with its cache of
  // verified chains) until an append stores a new CA certificate. Whatever changes the trust store (roots, CRLs)
  // must reset it.
  std::unique_ptr<signing::Verifier> append_verifier;
  // Set by take_in for the duration of its append: writes the sealed part in the append's transaction and checks
  // the ledger.predecessor-sealed act against it (before admission judges it). Without it such an act is refused.
  std::function<Status(const Txn&, const Act&, const std::function<std::optional<ByteView>(const Digest&)>&)> seal;
  // A temporary directory the ledger was written into (Ledger::open_part), removed with it.
  std::filesystem::path temporary;
  ~Rep();

  // A read transaction whose snapshot passed check_snapshot (lmdb_check.hpp) for `databases` (every tree, the free
  // list included, when empty) before LMDB read any of it: corruption "damaged store at page N: ..." otherwise.
  // A snapshot whose every tree was checked already is not checked again.
  Result<Txn> checked_txn(const std::vector<std::string>& databases);

  std::uint64_t size(const Txn& txn) const;
  Digest node(const Txn& txn, unsigned level, std::uint64_t index) const;

};

// Opens the ledger in `dir` as Ledger::open does. With `without_lock`, for reading alone and without LMDB's lock
// file (MDB_RDONLY | MDB_NOLOCK, as on read-only media): nothing in this process then opens or closes lock.mdb, whose
// POSIX locks a process loses all at once when it closes any descriptor of the file. No reader table then keeps a
// writer from reusing the pages being read: REQUIRES that no process can write the ledger while the result lives
// (the caller holds the exclusive lock of lock.mdb, as Ledger::compact does).
Result<std::unique_ptr<Ledger::Rep>> open_rep(const std::filesystem::path& dir, const OpenOptions& options,
                                              bool without_lock);

// Whether `dir` is on a file system mounted read-only (an archive disc, a read-only mount).
bool on_read_only_media(const std::filesystem::path& dir);

// Copies the snapshot of `env` current when it begins into the new file `data` (mdb_env_copyfd2 with MDB_CP_COMPACT:
// the live pages only) and flushes it; its size in bytes. io_error, the file removed, when it cannot (backup.cpp).
// The caller checks the structure first: LMDB's copy walks the trees as its reads do.
Result<std::uint64_t> copy_environment(MDB_env* env, const std::filesystem::path& data);
// Flushes the directory `dir` itself, so that the names of files just made or renamed in it survive a crash. 0, or
// the errno.
int sync_directory(const std::filesystem::path& dir);

}  // namespace antq::ledger
