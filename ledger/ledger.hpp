// The ledger: an append-only log of signed events in LMDB, with its Merkle tree, checkpoints, certificate and
// attachment stores. The public face of ledger/ (with act.hpp, event.hpp, merkle.hpp, checkpoint.hpp).
//
// Storage layout: ledger/FORMAT.md. One writer at a time (LMDB's write lock, across processes); any number of
// readers. Every append is one durable LMDB transaction: when append() returns, the events survive a crash.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "ledger/act.hpp"
#include "ledger/checkpoint.hpp"
#include "ledger/event.hpp"
#include "signing/digest.hpp"
#include "signing/result.hpp"
#include "signing/signing.hpp"

namespace antq::ledger {

// Derived key/value state that admission rules keep between events (authority registry, subject states...).
// Backed by the `state` database during append, by memory during verification replay.
class StateStore {
 public:
  virtual ~StateStore() = default;
  virtual std::optional<std::string> get(std::string_view key) const = 0;
  virtual void put(std::string_view key, std::string_view value) = 0;
  // The same, for a value the caller no longer needs: a store that keeps values may take it without a copy.
  virtual void put(std::string_view key, std::string&& value) { put(key, std::string_view(value)); }
  // Every key starting with `prefix`, in key order, with its value (valid during the call). Returns false when the
  // store cannot list its keys (a store made for a test); the stores of append and replay can.
  virtual bool for_each(std::string_view prefix,
                        const std::function<void(std::string_view key, std::string_view value)>& fn) const {
    (void)prefix;
    (void)fn;
    return false;
  }
};

struct LedgerInfo {
  std::string origin;          // checkpoint origin and operator key name
  std::string profile;         // rule profile named at init
  Digest administrator{};      // fingerprint of the certificate given at init --admin
  std::string verifier_key;    // operator.vkey
  // The rule profile's file as given at init, kept in `attachments` (SHA-256): the ledger is judged by these rules
  // wherever and whenever it is verified. None in ledgers made before profiles were stored.
  std::optional<Digest> profile_document;
};

// A signature that passed the `signature` rule, as admission rules see it.
struct CheckedSignature {
  Role role = Role::person;
  signing::VerifiedSignature verified;
};

// What admission rules are asked about: an event about to become entry `seq`. (Ledger::rebuild replays stored
// entries without checking their signatures again: there each signature carries only its role and
// `verified.signer`, and signatures_checked is false.)
struct Candidate {
  std::uint64_t seq = 0;
  const Act& act;
  const Digest& body_digest;
  const std::vector<CheckedSignature>& signatures;
  signing::UnixTime recorded_at = 0;
  const LedgerInfo& ledger;
  // The content of an attachment the ledger holds or this event carries, by SHA-256 (valid during admit()).
  const std::function<std::optional<ByteView>(const Digest&)>& attachment;
  // False when the replay does not check signatures again (rebuild): `signatures` then carry only role and signer,
  // and rules about the rest of them are not judged.
  bool signatures_checked = true;
};

// Domain rules, supplied from above (projections/). The ledger calls admit() for each event in order, inside
// the write transaction (or during verification replay), after structure, signatures and duplicates passed.
// admit() returns refused(rule, message) to stop the event, and may update `state` when it admits.
class Admission {
 public:
  virtual ~Admission() = default;
  virtual Status admit(const Candidate& candidate, StateStore& state) = 0;
};

struct InitOptions {
  std::filesystem::path dir;
  std::string profile;
  std::string origin;                        // default: default_origin(dir)
  std::vector<Bytes> roots;                  // trust anchors (DER)
  std::vector<Bytes> intermediates;          // from init --chain
  Bytes administrator;                       // DER
  Bytes profile_document;                    // the profile's file (stored as an attachment; may be empty)
  // The operator's key, which signs the checkpoints (required). It is not written into DIR: the caller keeps it
  // apart (cli/operator_key.hpp) and hands it to each Ledger that appends (Ledger::use_operator_key).
  std::shared_ptr<const signing::Ed25519Key> operator_key;
  // Called once, when every check has passed and before anything is written (e.g. to write a new operator key where
  // the operator keeps it). An error stops init with nothing written.
  std::function<Status()> before_writing;
};

// The origin of a ledger in `dir` when init is given none: "antq-ledger/<directory name>", each byte that may not
// be in an origin (a space or control character, '+') written as '-'.
std::string default_origin(const std::filesystem::path& dir);

// Where ledgers made before the operator's key was kept apart hold it: DIR/operator.key, unencrypted. Ledger never
// reads it by itself; the commands that append use it when nothing else names a key, with a warning.
inline constexpr const char* kLegacyOperatorKeyFile = "operator.key";

struct OpenOptions {
  // Check the structure of all of data.mdb (every B-tree and the free list: FORMAT.md, "Structure of data.mdb")
  // before LMDB reads it, as verify and backup need: a read of the whole file. Without it, open checks the meta pages,
  // the main database and `meta` (what opening reads), and LMDB trusts the rest of the file.
  bool check_structure = false;
};

// Progress of a long operation: (done, total). Called from the calling thread only.
using Progress = std::function<void(std::uint64_t done, std::uint64_t total)>;

struct VerifyOptions {
  unsigned jobs = 0;                         // 0: all cores
  std::optional<std::string> checkpoint;     // a checkpoint note an auditor kept: the ledger must extend it
  Progress progress;
  // Each signature that verified, on the calling thread: those of entries in seq order, then those inside signed
  // PDF attachments (attachment, 0-based index in the file) in attachment order. (Failures go to the report.)
  std::function<void(std::uint64_t seq, Role role, const signing::VerifiedSignature&)> on_signature;
  std::function<void(const Digest& attachment, std::size_t index, const PdfSignatureRecord&,
                     const signing::VerifiedSignature&)> on_pdf_signature;
};

struct VerifyReport {
  struct Failure {
    std::optional<std::uint64_t> seq;        // none for failures not tied to one entry
    std::string reason;                      // in English (the JSON's)
    i18n::Text text = {};                    // the reason to be put into words in the reader's language, if made so
    std::string said(i18n::Lang lang) const { return text.empty() ? reason : text.str(lang); }
  };
  bool ok = true;
  std::uint64_t entries = 0;
  std::uint64_t signatures = 0;
  std::uint64_t checkpoints = 0;
  std::uint64_t attachments = 0;
  Digest root{};
  std::vector<Failure> failures;             // sorted: entry failures by seq first
};

// What Ledger::rebuild did to the `state` database: its keys compared with the replay's, before writing.
struct RebuildReport {
  std::uint64_t entries = 0;    // entries replayed (the whole log)
  std::uint64_t keys = 0;       // keys of the rebuilt state
  std::uint64_t unchanged = 0;  // stored with the replay's value
  std::uint64_t changed = 0;    // stored with another value: overwritten
  std::uint64_t added = 0;      // missing from the stored state
  std::uint64_t removed = 0;    // stored but not derived by the replay: deleted
  bool written() const { return changed + added + removed > 0; }
};

// What Ledger::compact did.
struct CompactReport {
  std::uint64_t before_bytes = 0;  // data.mdb before: pages in use, the pages LMDB freed, the free list
  std::uint64_t after_bytes = 0;   // data.mdb after: the pages in use alone
  std::uint64_t entries = 0;       // the log's size, the same before and after
  // What an interrupted compaction had left in the directory (DIR/.compact-<pid>: its copy, never swapped in),
  // removed before this one began.
  std::vector<std::filesystem::path> leftovers_removed;
};

// A CRL or a time-stamp authority's certificate that the log holds: the attachment of a `trust.crl-added` or
// `trust.tsa-added` entry (FORMAT.md §2). From that entry on, admission judges signatures with it.
struct TrustRecord {
  Digest digest{};        // SHA-256 of `der`: the attachment
  std::uint64_t seq = 0;  // the entry that added it
  Bytes der;
};

// The act kinds that change the trust store.
inline constexpr std::string_view kCrlAdded = "trust.crl-added";
inline constexpr std::string_view kTimestampAuthorityAdded = "trust.tsa-added";
// The act kind whose admission removes the documents it names (data.attachments) from the store.
inline constexpr std::string_view kRecordDisposed = "record.disposed";

// A predecessor ledger taken in (antq take-in, FORMAT.md §14): its databases copied byte for byte into the optional
// database `sealed` under keys `prefix \0 database \0 key`, recorded by a `ledger.predecessor-sealed` act.
inline constexpr std::string_view kPredecessorSealed = "ledger.predecessor-sealed";
inline constexpr std::string_view kSealedDatabase = "sealed";
inline constexpr std::size_t kMaxPartPrefix = 16;
// A part's prefix: 1 to kMaxPartPrefix ASCII letters (its subjects read as `<prefix>.<id>`; '.' is in no subject id).
bool valid_part_prefix(std::string_view prefix);

// What the `sealed` database holds of one part, recomputed from its bytes.
struct SealedPart {
  std::string prefix;
  std::string origin;        // its meta `origin`
  std::string verifier_key;  // its meta `operator.vkey`
  std::string profile;       // its meta `profile`
  std::uint64_t size = 0;    // its `entries`, keys 0..size-1 with no gap
  Digest root{};             // the RFC 9162 root of those entries
  std::optional<std::string> checkpoint;  // its checkpoint note of that size, if it holds one
};

// The ledger.predecessor-sealed act `act` against the part it records (rule `predecessor`): data.prefix, origin,
// size and root are the part's, its attachment "checkpoint" is the part's checkpoint note of its size, signed by its
// attachment "operator.vkey", which is the part's meta `operator.vkey`. `attachment` gives an attachment's content.
Status check_sealing_act(const Act& act, const SealedPart& part,
                         const std::function<std::optional<ByteView>(const Digest&)>& attachment);
// The subject.carried-over act `act` against what part data.part holds (rule `predecessor`): `held` is the part's
// `state` value of `subject/<data.from>` (nullopt when the part or the subject is not there); data.record must
// equal it as JSON.
Status check_carried_record(const Act& act, const std::optional<std::string_view>& held);

class Ledger {
 public:
  // Creates a new ledger in `dir` (created if missing, must be empty). Returns the operator's verifier key,
  // also written to DIR/operator.vkey.
  static Result<std::string> init(const InitOptions& options);
  // Opens an existing ledger. bad_input when `dir` holds none; corruption "damaged store at page N: ..." when the
  // structure of data.mdb is damaged where it is checked (OpenOptions), before LMDB reads the damage. A ledger on
  // read-only media (a read-only file system) opens for reading; what would write fails with io_error saying so.
  // It can be read at once; append() needs the operator's key as well (use_operator_key).
  static Result<std::unique_ptr<Ledger>> open(const std::filesystem::path& dir, const OpenOptions& options = {});

  // The key append() signs checkpoints with. bad_input when it is not this ledger's operator key (its verifier key
  // under this origin is not info().verifier_key): checkpoints signed with it would not verify.
  Status use_operator_key(std::shared_ptr<const signing::Ed25519Key> key);
  // The key use_operator_key gave (null until then): the service signs its access log's checkpoints with it too.
  std::shared_ptr<const signing::Ed25519Key> operator_key() const;

  ~Ledger();
  const LedgerInfo& info() const;
  const std::filesystem::path& dir() const;

  // Admits `events` in order as one durable transaction and returns their seqs. On any refusal or error,
  // nothing is written and the error names the event (by its position in `events`) and the rule. bad_input when
  // no operator key was given (use_operator_key).
  Result<std::vector<std::uint64_t>> append(const std::vector<Submission>& events, Admission& admission);
  // The group commit of antq serve: each batch (the events one client sent together) is admitted or refused as
  // append() would, on the ledger as the admitted batches before it leave it, and every admitted batch is written in
  // ONE durable transaction (one fsync, one checkpoint). A refused batch writes nothing and changes nothing for the
  // others (it is tried in a nested transaction, undone alone). One result per batch: its seqs, or why it was
  // refused. An error that is no batch's fault (disk full, the operator's key cannot sign) is every batch's result,
  // and nothing is written. When a batch of a group of several changes the trust store (a trust act, or a CA
  // certificate the ledger does not hold yet), the group is committed batch by batch, each in its own transaction,
  // so that each is judged with the trust the batches before it leave.
  std::vector<Result<std::vector<std::uint64_t>>> append_group(const std::vector<std::vector<Submission>>& batches,
                                                               Admission& admission);

  std::uint64_t size() const;
  // nullopt when seq >= size().
  std::optional<Bytes> entry_bytes(std::uint64_t seq) const;
  // Calls `fn(seq, bytes)` for seq in [from, to) in order, from one read snapshot.
  Status for_each_entry(std::uint64_t from, std::uint64_t to,
                        const std::function<Status(std::uint64_t, ByteView)>& fn) const;
  std::optional<Bytes> certificate(const Digest& fingerprint) const;
  std::optional<Bytes> attachment(const Digest& sha256) const;
  // A value of the derived `state` database (what the admission rules keep), as of the last append.
  std::optional<std::string> state_value(std::string_view key) const;
  // Calls `fn(key, value)` for every `state` key that starts with `prefix`, in key order, from one read snapshot.
  void for_each_state(std::string_view prefix,
                      const std::function<void(std::string_view key, std::string_view value)>& fn) const;
  // The `state` keys that start with `prefix` nearest to `key` (which starts with it): the last one at or before it
  // and the first one after it, with their values, found by one cursor seek.
  struct StateNeighbours {
    std::optional<std::pair<std::string, std::string>> at_or_before, after;
  };
  StateNeighbours state_around(std::string_view prefix, std::string_view key) const;
  // What admission verified of an attachment that is a signed PDF; empty for any other attachment.
  std::vector<PdfSignatureRecord> pdf_signatures(const Digest& attachment) const;
  std::vector<Bytes> trust_roots() const;
  std::vector<Bytes> intermediates() const;  // init --chain and CA certificates carried by signatures

  Digest root(std::uint64_t size) const;
  // The stored perfect nodes (level, from), (level, from + 1), ... (`count` of them; merkle.hpp), from one read
  // snapshot. REQUIRES: they lie inside the tree of size(). Used to serve the log as tiles (tiles.hpp).
  std::vector<Digest> nodes(unsigned level, std::uint64_t from, std::uint64_t count) const;
  // REQUIRES: seq < size <= size().
  std::vector<Digest> inclusion_proof(std::uint64_t seq, std::uint64_t size) const;
  // REQUIRES: 0 < first <= second <= size().
  std::vector<Digest> consistency_proof(std::uint64_t first, std::uint64_t second) const;
  // The signed checkpoint of the current size.
  std::string checkpoint() const;

  // Rechecks everything from the bytes (FORMAT.md "Verification"); `replay` is a fresh Admission whose rules
  // are replayed over the whole log. The structure of data.mdb is checked first (unless open checked this same
  // snapshot): a damaged store is the one failure reported, "damaged store at page N: ...", and LMDB reads none of it.
  VerifyReport verify(const VerifyOptions& options, Admission& replay) const;

  // What copy_to() wrote.
  struct Copy {
    std::uint64_t bytes = 0;  // size of the copy's data.mdb
  };
  // Writes a consistent, compacted copy of the ledger's current snapshot (mdb_env_copyfd2 with MDB_CP_COMPACT: the
  // live pages of one read transaction, renumbered, without the free list) to `dest`/data.mdb, and the operator's
  // verifier key to `dest`/operator.vkey, each flushed to disk (fsync). Never the operator's private key. Appends may
  // go on meanwhile: the copy holds the snapshot its transaction began with. REQUIRES: `dest` is an empty directory.
  // The structure of the snapshot is checked first (as verify does): corruption "damaged store at page N: ..."
  // and nothing written when it is damaged. io_error when the copy cannot be written (disk full).
  Result<Copy> copy_to(const std::filesystem::path& dest) const;

  // Rewrites `dir`/data.mdb to hold the pages in use alone (FORMAT.md §11), so that the pages LMDB freed, which keep
  // the bytes they held (an attachment deleted by a disposal) until a later append reuses them, are gone from it.
  // It must run alone: it takes the lock LMDB's first opener takes (a write lock on byte 0 of lock.mdb) and keeps it
  // throughout, so that no other process has the ledger open, and any that opens it meanwhile waits in LMDB until
  // the end. Then: removes what an interrupted compaction left (DIR/.compact-*); copies the snapshot as copy_to
  // does into DIR/.compact-<pid>, flushed to disk; checks the copy's structure, and that it holds the ledger's
  // size, checkpoint and number of records in every database; renames it over data.mdb and flushes the directory;
  // opens the ledger once, so that LMDB sets lock.mdb up for the new file. A crash at any instant leaves the old
  // data.mdb or the new one, each complete. Errors, with nothing changed: bad_input when `dir` holds no ledger or
  // another process has it open; io_error on read-only media or when the copy cannot be written (disk full);
  // corruption "damaged store at page N: ..." when the ledger is damaged, or when the copy is not what it must be.
  // `step` hears each step in words, as it begins.
  static Result<CompactReport> compact(const std::filesystem::path& dir,
                                       const std::function<void(std::string_view step)>& step = {});

  // Recomputes the derived `state` database from the entries alone (FORMAT.md §2): `replay`, a fresh Admission,
  // folds every entry in seq order into memory, as verify's replay does but without checking signatures again
  // (verify's job). The result replaces the stored state in one durable write transaction, so that a crash leaves
  // the old state or the new one; nothing is written when they are equal. Entries appended meanwhile are replayed
  // too, under the write lock. corruption (nothing written) when an entry does not decode or the replay refuses
  // it: `verify` then names every problem. `progress` sees (entries replayed, size).
  Result<RebuildReport> rebuild(Admission& replay, const Progress& progress = {});

  // Takes in `predecessor` (another ledger, opened read-only, that holds no sealed part itself): in ONE durable write
  // transaction copies every one of its named databases into `sealed` under `prefix` and appends `act`, a
  // ledger.predecessor-sealed act (signed, its attachments carried), which `admission` judges as any act. Refused
  // (rule `predecessor`, nothing written) when the prefix is malformed or taken, or when the act's prefix, origin,
  // size, root or attached checkpoint and operator key are not those of the sealed copy (FORMAT.md §14).
  Result<std::uint64_t> take_in(const Ledger& predecessor, std::string_view prefix, const Submission& act,
                                Admission& admission);
  // The prefixes of the sealed parts, in key order (none when there is no `sealed` database).
  std::vector<std::string> sealed_parts() const;
  // A sealed part as its bytes stand; bad_input when there is no such part, corruption when its entries are not
  // keyed 0..n-1.
  Result<SealedPart> sealed_part(std::string_view prefix) const;
  // Writes the part as a ledger directory of its own in `dest` (an empty or new directory): data.mdb holding each
  // of its databases with the keys and values sealed, and operator.vkey. Opened with Ledger::open, it verifies and
  // answers as the predecessor did.
  Status write_part(std::string_view prefix, const std::filesystem::path& dest) const;
  // Part `prefix` as a ledger of its own, for reading (show, proofs, statistics and verify of a merged province's
  // predecessor): write_part into a new temporary directory (under TMPDIR), removed when the result is destroyed.
  // bad_input when there is no such part; io_error when the copy cannot be written.
  Result<std::unique_ptr<Ledger>> open_part(std::string_view prefix) const;
  // One record of part `prefix`: the value of `key` in its database `database` (nullopt when there is none).
  std::optional<std::string> sealed_value(std::string_view prefix, std::string_view database,
                                          std::string_view key) const;
  // The bytes of entry `seq` of part `prefix` (nullopt when it holds none).
  std::optional<std::string> sealed_entry(std::string_view prefix, std::uint64_t seq) const;
  // Calls `fn(key, value)` for every record of database `database` of part `prefix` whose key starts with
  // `key_prefix`, in key order, from one read snapshot (none when there is no such part).
  void for_each_sealed(std::string_view prefix, std::string_view database, std::string_view key_prefix,
                       const std::function<void(std::string_view key, std::string_view value)>& fn) const;

  // A verifier holding this ledger's trust roots, intermediates, CRLs and time-stamp authorities.
  signing::Verifier make_verifier() const;
  // The CRLs and time-stamp authorities the log holds, in seq order.
  std::vector<TrustRecord> crls() const;
  std::vector<TrustRecord> timestamp_authorities() const;

  struct Rep;

 private:
  explicit Ledger(std::unique_ptr<Rep> rep);
  // append() and append_group().
  // write_part, flushed to disk or not.
  Status write_part(std::string_view prefix, const std::filesystem::path& dest, bool durable) const;
  std::vector<Result<std::vector<std::uint64_t>>> append_batches(
      std::span<const std::vector<Submission>* const> batches, Admission& admission);
  std::unique_ptr<Rep> rep_;
};

// When, and with which trust, a signature is judged at admission (rule `signature`, FORMAT.md §3).
struct AdmissionTime {
  signing::UnixTime at = 0;  // the admission: the entry's recordedAt
  // Whether the CRL, or the time-stamp authority, with this fingerprint was held at admission (added by an earlier
  // entry). Empty: every one the verifier holds was (an append).
  std::function<bool(const Digest&)> crl_held, authority_held;
};

// Which CRLs and time-stamp authorities the log held when each of its entries was admitted: those added by earlier
// entries. For judging stored entries again (verify, history).
class TrustHistory {
 public:
  TrustHistory(const std::vector<TrustRecord>& crls, const std::vector<TrustRecord>& authorities);
  // The admission of entry `seq`, recorded at `recorded_at`. Valid while this object lives.
  AdmissionTime at_entry(std::uint64_t seq, signing::UnixTime recorded_at) const;

 private:
  std::map<Digest, std::uint64_t> crls_, authorities_;  // digest -> seq of the entry that added it
};

// The part of rule `signature` that depends on the time of admission, for one signature the verifier accepted:
// its (effective) signing time is not later than admission plus kClockSkew; and, unless a time-stamp token of an
// authority held at admission fixes its time, its chain is valid at admission and no certificate of it was revoked
// at or before admission by a CRL held then. (How long before admission a signature may have been made is the
// profile's figure: projections check it.)
Status check_at_admission(const signing::VerifiedSignature& v, const AdmissionTime& when);

// Signatures of a stored or submitted event, checked against `verifier` (rule `signature`): at most one per
// role, a person signature present, every CMS valid over the body (in the ledger's stored form) at its signing time,
// and check_at_admission. `certificate` looks up a signer certificate by fingerprint; the caller vouches that the
// DER it returns hashes to that fingerprint and stays valid until check_signatures returns.
Result<std::vector<CheckedSignature>> check_signatures(
    ByteView body, std::span<const SignatureView> signatures, const signing::Verifier& verifier,
    const AdmissionTime& when, const std::function<std::optional<ByteView>(const Digest&)>& certificate);
inline Result<std::vector<CheckedSignature>> check_signatures(
    const Event& event, const signing::Verifier& verifier, const AdmissionTime& when,
    const std::function<std::optional<ByteView>(const Digest&)>& certificate) {
  return check_signatures(event.body, signature_views(event), verifier, when, certificate);
}

// The signatures of an attachment that is a signed PDF (none when it is not one), checked against `verifier`
// (rule `signature`: covered bytes, digest, chain at each signing time, and check_at_admission when `when` is
// given: verify has no time of admission for an attachment that no entry names).
struct CheckedPdf {
  std::vector<PdfSignatureRecord> records;  // what the ledger stores in `pdf_signatures`
  std::vector<signing::VerifiedSignature> verified;  // parallel to records
  std::vector<Bytes> certificates;          // DER, carried in the PDF's CMS: stored by fingerprint
};
Result<CheckedPdf> check_pdf_signatures(ByteView content, const signing::Verifier& verifier,
                                        const std::optional<AdmissionTime>& when);
// A stored PDF judged again as its admission judged it (verify, verify-bundle). That admission was one of the entries
// naming it, `named_by` (seq, recordedAt) in log order: the one that carried it, which entries do not record (an act
// may name a document held elsewhere that a later act carries). Each is tried in turn until `as_admitted` takes the
// result; the last result otherwise. No entry: checked without a time of admission.
using Naming = std::pair<std::uint64_t, signing::UnixTime>;
Result<CheckedPdf> recheck_pdf_signatures(ByteView content, const signing::Verifier& verifier,
                                          const TrustHistory& history, std::span<const Naming> named_by,
                                          const std::function<bool(const Result<CheckedPdf>&)>& as_admitted);

// The two-step signing of an official document (domain.md §8): the competent person signs, then the office clerk
// applies the organisation's signature. Refused (rule `signature`) when the organisation's signing time is earlier.
Status check_signing_order(signing::UnixTime person, signing::UnixTime organisation);

// How far a signing time may be later than admission (domain.md §10, rule `signature`).
inline constexpr signing::UnixTime kClockSkew = 5 * 60;

// The LMDB library this program runs with ("LMDB 0.9.24: (July 24, 2019)"): antq --version.
std::string lmdb_version();

}  // namespace antq::ledger
