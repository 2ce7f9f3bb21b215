// The access history (issue 20, point 5; Decree 30/2020): every read of the service by a client certificate,
// kept in a tamper-evident log of its own — its own LMDB environment in DIR/access/, never in the acts' database,
// with its own RFC 9162 Merkle tree (merkle.hpp) and C2SP checkpoints (checkpoint.hpp) signed by the operator's key
// under the origin "<ledger origin>/access". Format, durability and what a crash can lose: ledger/FORMAT.md §12.
//
// Writing: one AccessLog per process and directory (LMDB's rule for an environment). record() is thread-safe and
// only queues; one committer thread writes whatever is queued as one LMDB write transaction (one fsync) per group,
// with the checkpoint of the new size. Reading (antq access-log, antq verify): AccessLog::open_reader, from any
// process, while a writer appends.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ledger/checkpoint.hpp"
#include "signing/digest.hpp"
#include "signing/result.hpp"
#include "signing/signing.hpp"

namespace antq::ledger {

// The directory of the access log inside a ledger directory.
inline constexpr const char* kAccessLogDir = "access";
// The suffix of the access log's origin (and checkpoint key name) after the ledger's origin.
inline constexpr const char* kAccessOriginSuffix = "/access";

// One read. Text is UTF-8; the limits are those of FORMAT.md §12 (a longer field is bad_input).
struct AccessRecord {
  std::uint64_t seq = 0;    // position in the access log: given at commit (what record() is passed is ignored)
  std::string at;           // when it was read, RFC 3339 UTC to the second: "2026-12-05T06:20:18Z"
  std::string certificate;  // SHA-256 of the client certificate's DER, 64 lower-case hex digits
  std::string subject_dn;   // the client certificate's subject, RFC 2253
  std::string role;         // the role of its grant (inspector, auditor, archivist, reader): 1-32 of a-z and '-'
  std::string route;        // what was asked: method and path, e.g. "GET /v1/subjects/BG-LN-TLGTQ/dossier"
  std::string subject;      // the subject read, if the route reads one; else empty
  std::string unit;         // the unit whose figures were read (report, stats for a unit), else empty
  std::string report;       // the report or export read (e.g. "report 2025 json", "audit"), else empty
  bool operator==(const AccessRecord&) const = default;
};

// The bytes of a record as stored and hashed (FORMAT.md §12): canonical JSON, keys in byte order, no spaces.
// REQUIRES: check_access_record(r) passed.
std::string encode_access_record(const AccessRecord& r);
// Decodes stored bytes: bad_input unless they are exactly encode_access_record of a record that passes
// check_access_record (every key present, no other, each value of its type and within its limits).
Result<AccessRecord> decode_access_record(std::string_view bytes);
// The limits and forms of FORMAT.md §12, `seq` aside. bad_input naming the field.
Status check_access_record(const AccessRecord& r);

// What open_reader's for_each lists.
struct AccessFilter {
  std::optional<std::string> subject;      // only records of this subject (exact)
  std::optional<signing::UnixTime> since;  // only records at or after this instant
};

// What AccessLog::verify found (FORMAT.md §12, "Verification").
struct AccessLogReport {
  std::uint64_t records = 0;
  std::uint64_t checkpoints = 0;
  Digest root{};
  std::vector<std::string> failures;  // each names the record or checkpoint; empty: everything verifies
  bool ok() const { return failures.empty(); }
};

class AccessLog {
 public:
  struct Options {
    // Records queued and not yet committed, at most; record() waits for room beyond it (memory stays bounded when
    // the disk stalls). Also the most records one transaction writes.
    std::size_t max_queue = 65'536;
    // Called on the committer thread after each group is durable, with the number of records it held and the log's
    // new size (metrics; tests, which hold the next group back by waiting in it). It must not call into this log.
    std::function<void(std::size_t group, std::uint64_t size)> on_commit;
  };

  // Whether `ledger_dir` holds an access log (DIR/access/data.mdb).
  static bool exists(const std::filesystem::path& ledger_dir);

  // Opens the access log of the ledger in `ledger_dir` for writing, creating DIR/access/ (with the checkpoint of
  // size 0) when it is missing. `ledger_origin` is the ledger's origin (LedgerInfo::origin); `key` its operator key,
  // which signs every checkpoint. Starts the committer thread. bad_input when an existing log belongs to another
  // origin or is not an access log; corruption when its structure is damaged (checked before LMDB reads it, as
  // FORMAT.md §9 says for data.mdb); io_error when it cannot be created or written (read-only media, permissions).
  static Result<std::unique_ptr<AccessLog>> open_writer(const std::filesystem::path& ledger_dir,
                                                        const std::string& ledger_origin,
                                                        std::shared_ptr<const signing::Ed25519Key> key,
                                                        const Options& options);
  static Result<std::unique_ptr<AccessLog>> open_writer(const std::filesystem::path& ledger_dir,
                                                        const std::string& ledger_origin,
                                                        std::shared_ptr<const signing::Ed25519Key> key) {
    return open_writer(ledger_dir, ledger_origin, std::move(key), Options{});
  }
  // Opens it for reading only. bad_input when there is none (exists() is false); corruption as open_writer.
  static Result<std::unique_ptr<AccessLog>> open_reader(const std::filesystem::path& ledger_dir);

  // A writer flushes (flush()) and stops its committer; errors then are lost: call flush() first to hear them.
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  // Writer, any thread: checks `record` (check_access_record; an empty `at` is stamped with now) and queues it.
  // Returns a ticket for wait_durable(). Returns at once unless max_queue records wait, then when there is room.
  // The record is not yet durable on return: see FORMAT.md §12 for what a crash can lose. bad_input when the record
  // is malformed (nothing queued); the commit's error once a commit has failed (the log takes nothing more until it
  // is opened again: the service should then refuse reads); bad_input on a reader.
  Result<std::uint64_t> record(AccessRecord record);
  // Writer, any thread: waits until the record of `ticket` (and every one before it) is durable.
  Status wait_durable(std::uint64_t ticket);
  // Writer, any thread: waits until everything queued before the call is durable. The error of a failed commit.
  Status flush();

  // Records durable so far (a writer), or in the snapshot read (a reader): the tree size of the last checkpoint.
  std::uint64_t size() const;
  // The signed checkpoint note of size(): origin "<ledger origin>/access", signed by the operator's key.
  std::string checkpoint() const;
  std::string origin() const;

  // Calls `fn` for each record that passes `filter`, in seq order, from one read snapshot; stops at the first
  // error `fn` returns. corruption naming the record when one does not decode (antq verify then says more).
  Status for_each(const AccessFilter& filter, const std::function<Status(const AccessRecord&)>& fn) const;

  // Copies the log's current snapshot, compacted, to DEST/access/data.mdb (`dest_ledger_dir` is a ledger directory
  // antq backup is making; DEST/access/ must not exist), its structure checked first, the file and both directories
  // flushed. The copy's size in bytes; corruption when the log's structure is damaged, io_error when DEST cannot
  // be written (nothing of the copy left).
  Result<std::uint64_t> copy_to(const std::filesystem::path& dest_ledger_dir) const;

  // Rechecks the log from its bytes (FORMAT.md §12) against the operator's verifier key of the ledger
  // (`ledger_verifier_key`: operator.vkey, name = the ledger's origin): structure of data.mdb, origin, records 0..n-1
  // with no gap each decoding with its own seq, every stored tree node, every checkpoint's signature and root, and
  // a checkpoint of the log's own size.
  AccessLogReport verify(const VerifierKey& ledger_verifier_key) const;

  struct Rep;

 private:
  explicit AccessLog(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

}  // namespace antq::ledger
