#include "ledger/access_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ledger/act.hpp"
#include "ledger/lmdb_check.hpp"
#include "ledger/merkle.hpp"
#include "ledger/store.hpp"

namespace antq::ledger {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view kAccessFormat = "antq-access-log 1";
// The named databases of DIR/access/data.mdb (FORMAT.md §12).
constexpr const char* kRecordsDb = "records";
constexpr const char* kNodesDb = "nodes";
constexpr const char* kCheckpointsDb = "checkpoints";
constexpr const char* kMetaDb = "meta";

// The limits of a record's text fields, in bytes of UTF-8 (FORMAT.md §12).
constexpr std::size_t kMaxSubjectDn = 1024;
constexpr std::size_t kMaxRoute = 2048;
constexpr std::size_t kMaxSubject = 64;
constexpr std::size_t kMaxUnit = 800;  // 200 characters of kName (act.cpp), 4 bytes each at most
constexpr std::size_t kMaxReport = 256;
constexpr std::size_t kMaxRole = 32;
// A stored record can be no longer than its fields allow, with JSON's escapes (\u00XX: 6 bytes a byte).
constexpr std::size_t kMaxRecordBytes = 6 * (kMaxSubjectDn + kMaxRoute + kMaxSubject + kMaxUnit + kMaxReport) + 512;
// Failures verify names one by one; beyond them it counts.
constexpr std::size_t kMaxFailuresNamed = 100;

Status check_text(std::string_view field, const std::string& value, std::size_t most) {
  if (value.size() > most)
    return bad_input(i18n::Text("access record: {}: {} bytes, more than the limit of {}", field, value.size(), most));
  if (!nfc(value)) return bad_input(i18n::Text("access record: {}: not valid UTF-8 text (or holds a NUL)", field));
  return {};
}

// Opens (creating it when `create`) the environment of the access log in `dir`.
Result<MDB_env*> open_environment(const fs::path& dir, bool read_only) {
  MDB_env* env = nullptr;
  int rc = mdb_env_create(&env);
  if (rc == MDB_SUCCESS) rc = mdb_env_set_maxdbs(env, 8);
  if (rc == MDB_SUCCESS) rc = mdb_env_set_mapsize(env, kMapSize);
  if (rc == MDB_SUCCESS) rc = mdb_env_set_maxreaders(env, 256);
  // As the ledger's (ledger.cpp open_env): MDB_NOTLS, never MDB_NOSYNC or MDB_NOMETASYNC; MDB_NOLOCK only for
  // reading on read-only media, where nobody can write.
  unsigned flags = MDB_NOTLS;
  if (read_only) flags |= MDB_RDONLY;
  if (read_only && on_read_only_media(dir)) flags |= MDB_NOLOCK;
  if (rc == MDB_SUCCESS) rc = mdb_env_open(env, dir.c_str(), flags, 0640);
  if (rc != MDB_SUCCESS) {
    if (env) mdb_env_close(env);
    return io_error(i18n::Text("cannot open the access log in {}: {}", dir.string(), lmdb_error(rc)));
  }
  return env;
}

}  // namespace

// ---- records --------------------------------------------------------------------------------------------------

Status check_access_record(const AccessRecord& r) {
  const auto parsed = signing::parse_time(r.at);
  if (r.at.size() != 20 || r.at.back() != 'Z' || !parsed || signing::format_utc(*parsed) != r.at)
    return bad_input(i18n::Text("access record: at: expected an RFC 3339 UTC time YYYY-MM-DDTHH:MM:SSZ, got \"{}\"",
                                r.at.substr(0, 40)));
  if (!digest_from_hex(r.certificate) || r.certificate != to_hex(*digest_from_hex(r.certificate)))
    return bad_input(
        i18n::Text("access record: certificate: expected a SHA-256 fingerprint (64 lower-case hex digits)"));
  if (r.role.empty() || r.role.size() > kMaxRole ||
      !std::all_of(r.role.begin(), r.role.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '-'; }))
    return bad_input(i18n::Text("access record: role: expected 1-{} of a-z and '-'", kMaxRole));
  if (r.route.empty()) return bad_input(i18n::Text("access record: route: missing (what was read)"));
  for (const auto& [field, value, most] :
       {std::tuple{"subject_dn", &r.subject_dn, kMaxSubjectDn}, std::tuple{"route", &r.route, kMaxRoute},
        std::tuple{"subject", &r.subject, kMaxSubject}, std::tuple{"unit", &r.unit, kMaxUnit},
        std::tuple{"report", &r.report, kMaxReport}})
    if (auto s = check_text(field, *value, most); !s) return s;
  return {};
}

std::string encode_access_record(const AccessRecord& r) {
  // nlohmann's object keeps its keys in a std::map: dump() writes them in byte order, with no spaces.
  json j = {{"at", r.at},           {"certificate", r.certificate},
            {"report", r.report},   {"role", r.role},
            {"route", r.route},     {"seq", r.seq},
            {"subject", r.subject}, {"subject_dn", r.subject_dn},
            {"unit", r.unit}};
  return j.dump();
}

Result<AccessRecord> decode_access_record(std::string_view bytes) {
  if (bytes.size() > kMaxRecordBytes)
    return bad_input(i18n::Text("access record: {} bytes, more than any record can be", bytes.size()));
  json j = json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.size() != 9)
    return bad_input(i18n::Text("access record: not a JSON object of the 9 fields of a record"));
  AccessRecord r;
  const auto string_field = [&](const char* name, std::string& out) -> Status {
    auto it = j.find(name);
    if (it == j.end() || !it->is_string()) return bad_input(i18n::Text("access record: {}: missing or not text", name));
    out = it->get<std::string>();
    return {};
  };
  for (const auto& [name, out] :
       {std::pair{"at", &r.at}, std::pair{"certificate", &r.certificate}, std::pair{"report", &r.report},
        std::pair{"role", &r.role}, std::pair{"route", &r.route}, std::pair{"subject", &r.subject},
        std::pair{"subject_dn", &r.subject_dn}, std::pair{"unit", &r.unit}})
    if (auto s = string_field(name, *out); !s) return std::unexpected(s.error());
  auto seq = j.find("seq");
  if (seq == j.end() || !seq->is_number_unsigned())
    return bad_input(i18n::Text("access record: seq: missing or not a number"));
  r.seq = seq->get<std::uint64_t>();
  if (auto s = check_access_record(r); !s) return std::unexpected(s.error());
  if (encode_access_record(r) != bytes)
    return bad_input(i18n::Text("access record: not in its canonical form (FORMAT.md §12)"));
  return r;
}

// ---- the log ---------------------------------------------------------------------------------------------------

struct AccessLog::Rep {
  fs::path dir;  // DIR/access
  MDB_env* env = nullptr;
  int data_fd = -1;  // data.mdb, for the structure checks (lmdb_check.hpp)
  MDB_dbi records = 0, nodes = 0, checkpoints = 0, meta = 0;
  std::string origin;
  bool writer = false;

  // The writer's. The committer alone touches `range` and writes; the rest is guarded by `mutex`.
  std::shared_ptr<const signing::Ed25519Key> key;
  Options options;
  CompactRange range;
  std::mutex mutex;
  std::condition_variable work;      // the committer waits for records (or stop)
  std::condition_variable progress;  // record() waits for room, flush() and wait_durable() for commits
  std::deque<AccessRecord> queue;
  std::uint64_t tickets = 0;         // records accepted by record(), ever
  std::uint64_t settled = 0;         // of those, committed (or lost to a failed commit: then `error` is set)
  std::uint64_t committed_size = 0;  // records in the log after the last commit
  std::optional<Error> error;
  bool stopping = false;
  std::thread committer;

  ~Rep() {
    if (env) mdb_env_close(env);
    if (data_fd >= 0) ::close(data_fd);
  }

  Digest node(const Txn& txn, unsigned level, std::uint64_t index) const {
    NodeKey k = node_key(level, index);
    auto v = txn.get(nodes, val(k.data(), k.size()));
    Digest d{};
    if (v && v->mv_size == 32) std::memcpy(d.data(), v->mv_data, 32);
    return d;  // a missing node gives zeros: the root then differs from the checkpoint's, which verify names
  }

  std::uint64_t count(const Txn& txn, MDB_dbi dbi) const {
    MDB_stat st;
    if (mdb_stat(txn.get(), dbi, &st) != MDB_SUCCESS) return 0;
    return st.ms_entries;
  }

  // A read transaction whose snapshot passed check_snapshot for `databases` (every tree and the free list when
  // empty) before LMDB read any of it (as Ledger::Rep::checked_txn).
  Result<Txn> checked_txn(const std::vector<std::string>& databases) const {
    for (int attempt = 0; attempt < 100; ++attempt) {
      Txn txn(env, false);
      if (txn.begin_status())
        return io_error(i18n::Text("cannot read the access log: {}", lmdb_error(txn.begin_status())));
      auto check = check_snapshot(data_fd, mdb_txn_id(txn.get()), databases);
      if (!check) {
        return std::unexpected(
            reworded(check.error(), i18n::Text("{}: {}", (dir / "data.mdb").string(), text_of(check.error()))));
      }
      if (check->found) return txn;
    }
    return io_error(
        i18n::Text("{}: could not check the structure of data.mdb: its snapshots were replaced by "
                   "commits while being read",
                   (dir / "data.mdb").string()));
  }

  Status open_dbis(const Txn& txn, unsigned flags) {
    for (auto [name, dbi] : {std::pair{kRecordsDb, &records}, std::pair{kNodesDb, &nodes},
                             std::pair{kCheckpointsDb, &checkpoints}, std::pair{kMetaDb, &meta}}) {
      int rc = mdb_dbi_open(txn.get(), name, flags, dbi);
      if (rc != MDB_SUCCESS)
        return corruption(
            i18n::Text("{}: access log database `{}` cannot be opened: {}", dir.string(), name, lmdb_error(rc)));
    }
    return {};
  }

  Status put(const Txn& txn, MDB_dbi dbi, MDB_val k, MDB_val v, unsigned flags = 0) const {
    int rc = mdb_put(txn.get(), dbi, &k, &v, flags);
    if (rc != MDB_SUCCESS) return io_error(i18n::Text("cannot write the access log: {}", lmdb_error(rc)));
    return {};
  }

  // Writes `group` after the records in the log as one durable transaction, with the nodes they complete and the
  // checkpoint of the new size. The committer's thread only.
  Status write_group(std::vector<AccessRecord>& group) {
    Txn txn(env, true);
    if (txn.begin_status())
      return io_error(i18n::Text("cannot write the access log: {}", lmdb_error(txn.begin_status())));
    CompactRange next = range;
    for (AccessRecord& r : group) {
      r.seq = next.size();
      const std::string bytes = encode_access_record(r);
      const SeqKey k = seq_key(r.seq);
      if (auto s = put(txn, records, val(k.data(), k.size()), val(bytes), MDB_APPEND); !s) return s;
      for (const PerfectNode& n : next.append(leaf_hash(as_bytes(bytes)))) {
        const NodeKey nk = node_key(n.level, n.index);
        if (auto s = put(txn, nodes, val(nk.data(), nk.size()), val(n.hash)); !s) return s;
      }
    }
    auto note = sign_checkpoint({origin, next.size(), next.root()}, *key);
    if (!note) return std::unexpected(note.error());
    const SeqKey ck = seq_key(next.size());
    if (auto s = put(txn, checkpoints, val(ck.data(), ck.size()), val(*note)); !s) return s;
    if (int rc = txn.commit(); rc != MDB_SUCCESS)
      return io_error(i18n::Text("cannot write the access log: {}", lmdb_error(rc)));
    range = std::move(next);
    return {};
  }

  void commit_loop() {
    std::unique_lock lock(mutex);
    for (;;) {
      work.wait(lock, [&] { return !queue.empty() || stopping; });
      if (queue.empty()) return;  // stopping, and everything written
      // Everything queued now is one group: under load the group grows while the previous one is being flushed.
      std::vector<AccessRecord> group(std::make_move_iterator(queue.begin()), std::make_move_iterator(queue.end()));
      queue.clear();
      progress.notify_all();  // room for record()
      lock.unlock();
      Status written = error ? Status(std::unexpected(*error)) : write_group(group);
      if (written && options.on_commit) options.on_commit(group.size(), range.size());
      lock.lock();
      if (!written && !error) error = written.error();
      if (written) committed_size = range.size();
      settled += group.size();
      progress.notify_all();
    }
  }
};

AccessLog::AccessLog(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}

AccessLog::~AccessLog() {
  if (!rep_->writer) return;
  {
    std::lock_guard lock(rep_->mutex);
    rep_->stopping = true;
  }
  rep_->work.notify_all();
  if (rep_->committer.joinable()) rep_->committer.join();  // it writes what is queued before it stops
}

bool AccessLog::exists(const fs::path& ledger_dir) {
  std::error_code ec;
  return fs::is_regular_file(ledger_dir / kAccessLogDir / "data.mdb", ec);
}

namespace {

// Opens the environment in `dir` as `rep` describes, checking the meta pages of an existing data.mdb before LMDB
// reads them, then the main database and `meta`.
Status open_rep(AccessLog::Rep& rep, bool read_only) {
  const fs::path data = rep.dir / "data.mdb";
  std::error_code ec;
  const bool existed = fs::exists(data, ec);
  if (existed) {
    rep.data_fd = ::open(data.c_str(), O_RDONLY | O_CLOEXEC);
    if (rep.data_fd < 0) return io_error(i18n::Text("cannot read {}: {}", data.string(), std::strerror(errno)));
    if (auto m = check_meta_pages(rep.data_fd); !m) {
      return std::unexpected(reworded(m.error(), i18n::Text("{}: {}", data.string(), text_of(m.error()))));
    }
  }
  auto env = open_environment(rep.dir, read_only);
  if (!env) return std::unexpected(env.error());
  rep.env = *env;
  if (!existed) {
    rep.data_fd = ::open(data.c_str(), O_RDONLY | O_CLOEXEC);
    if (rep.data_fd < 0) return io_error(i18n::Text("cannot read {}: {}", data.string(), std::strerror(errno)));
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<AccessLog>> AccessLog::open_writer(const fs::path& ledger_dir, const std::string& ledger_origin,
                                                          std::shared_ptr<const signing::Ed25519Key> key,
                                                          const Options& options) {
  if (!key) return bad_input(i18n::Text("the access log needs the operator's key to sign its checkpoints"));
  if (options.max_queue == 0) return bad_input(i18n::Text("the access log's queue must hold at least one record"));
  auto rep = std::make_unique<Rep>();
  rep->dir = ledger_dir / kAccessLogDir;
  rep->origin = ledger_origin + kAccessOriginSuffix;
  rep->writer = true;
  rep->key = std::move(key);
  rep->options = options;
  std::error_code ec;
  if (!fs::is_directory(ledger_dir, ec))
    return bad_input(i18n::Text("{} is not a ledger directory", ledger_dir.string()));
  fs::create_directory(rep->dir, ec);
  if (ec) return io_error(i18n::Text("cannot create {}: {}", rep->dir.string(), ec.message()));
  const bool existed = exists(ledger_dir);
  if (auto s = open_rep(*rep, false); !s) return std::unexpected(s.error());
  // A log whose creation never committed (a crash while it was being made) holds no `meta`: it is made afresh.
  bool fresh = !existed;
  if (existed) {
    auto checked = rep->checked_txn({kMetaDb});
    if (!checked) return std::unexpected(checked.error());
    MDB_dbi probe = 0;
    if (mdb_dbi_open(checked->get(), kMetaDb, 0, &probe) == MDB_NOTFOUND) fresh = true;
  }
  if (existed && !fresh) {
    auto checked = rep->checked_txn({kMetaDb});
    if (!checked) return std::unexpected(checked.error());
    if (auto s = rep->open_dbis(*checked, 0); !s) return std::unexpected(s.error());
    auto format = checked->get(rep->meta, val(std::string_view("format")));
    auto origin = checked->get(rep->meta, val(std::string_view("origin")));
    if (!format || text(*format) != kAccessFormat)
      return bad_input(
          i18n::Text("{} holds no access log of this format (expected \"{}\")", rep->dir.string(), kAccessFormat));
    if (!origin || text(*origin) != rep->origin)
      return bad_input(i18n::Text("{} is the access log of origin \"{}\", not of this ledger (\"{}\")",
                                  rep->dir.string(), origin ? std::string(text(*origin)) : std::string(), rep->origin));
    // The tree is picked up where it stands; it must have the root its last checkpoint signed (antq verify says more).
    const std::uint64_t size = rep->count(*checked, rep->records);
    rep->range = CompactRange::load(
        size, [&](unsigned level, std::uint64_t index) { return rep->node(*checked, level, index); });
    const SeqKey ck = seq_key(size);
    auto note = checked->get(rep->checkpoints, val(ck.data(), ck.size()));
    auto vkey = parse_verifier_key(format_verifier_key(rep->origin, rep->key->public_key()));
    auto opened = note && vkey ? open_checkpoint(text(*note), *vkey)
                               : Result<Checkpoint>(corruption(i18n::Text("no checkpoint")));
    if (!opened || opened->size != size || opened->root != rep->range.root())
      return corruption(
          i18n::Text("{}: the access log's {} records are not those its checkpoint of that size signs "
                     "(damaged, or not signed by this operator key): run antq verify",
                     rep->dir.string(), size));
    rep->committed_size = size;
    if (int rc = checked->commit(); rc != MDB_SUCCESS)
      return io_error(i18n::Text("cannot read the access log: {}", lmdb_error(rc)));
  }
  if (fresh) {
    // A new log: its databases, meta and the checkpoint of size 0, in one durable transaction.
    Txn txn(rep->env, true);
    if (txn.begin_status())
      return io_error(i18n::Text("cannot create the access log: {}", lmdb_error(txn.begin_status())));
    if (auto s = rep->open_dbis(txn, MDB_CREATE); !s) return std::unexpected(s.error());
    auto note = sign_checkpoint({rep->origin, 0, empty_root()}, *rep->key);
    if (!note) return std::unexpected(note.error());
    const SeqKey zero = seq_key(0);
    for (Status s : {rep->put(txn, rep->meta, val(std::string_view("format")), val(kAccessFormat)),
                     rep->put(txn, rep->meta, val(std::string_view("origin")), val(rep->origin)),
                     rep->put(txn, rep->checkpoints, val(zero.data(), zero.size()), val(*note))})
      if (!s) return std::unexpected(s.error());
    if (int rc = txn.commit(); rc != MDB_SUCCESS)
      return io_error(i18n::Text("cannot create the access log: {}", lmdb_error(rc)));
  }
  Rep* raw = rep.get();
  rep->committer = std::thread([raw] { raw->commit_loop(); });
  return std::unique_ptr<AccessLog>(new AccessLog(std::move(rep)));
}

Result<std::unique_ptr<AccessLog>> AccessLog::open_reader(const fs::path& ledger_dir) {
  if (!exists(ledger_dir))
    return bad_input(i18n::Text("{} holds no access log (no {}/data.mdb): antq serve makes it when it first starts",
                                ledger_dir.string(), kAccessLogDir));
  auto rep = std::make_unique<Rep>();
  rep->dir = ledger_dir / kAccessLogDir;
  if (auto s = open_rep(*rep, true); !s) return std::unexpected(s.error());
  auto checked = rep->checked_txn({kMetaDb});
  if (!checked) return std::unexpected(checked.error());
  if (auto s = rep->open_dbis(*checked, 0); !s) return std::unexpected(s.error());
  auto format = checked->get(rep->meta, val(std::string_view("format")));
  if (!format || text(*format) != kAccessFormat)
    return bad_input(
        i18n::Text("{} holds no access log of this format (expected \"{}\")", rep->dir.string(), kAccessFormat));
  auto origin = checked->get(rep->meta, val(std::string_view("origin")));
  rep->origin = origin ? std::string(text(*origin)) : std::string();
  if (int rc = checked->commit(); rc != MDB_SUCCESS)
    return io_error(i18n::Text("cannot read the access log: {}", lmdb_error(rc)));
  return std::unique_ptr<AccessLog>(new AccessLog(std::move(rep)));
}

Result<std::uint64_t> AccessLog::copy_to(const fs::path& dest_ledger_dir) const {
  if (auto checked = rep_->checked_txn({}); !checked) return std::unexpected(checked.error());
  const fs::path dir = dest_ledger_dir / kAccessLogDir;
  std::error_code ec;
  if (!fs::create_directory(dir, ec) || ec)
    return io_error(i18n::Text("cannot create {}: {}", dir.string(), ec ? ec.message() : "it exists"));
  auto bytes = copy_environment(rep_->env, dir / "data.mdb");
  if (!bytes) {
    fs::remove(dir, ec);
    return bytes;
  }
  for (const fs::path& d : {dir, dest_ledger_dir})
    if (int error = sync_directory(d); error != 0)
      return io_error(i18n::Text("cannot flush the directory {}: {}", d.string(), std::strerror(error)));
  return bytes;
}

Result<std::uint64_t> AccessLog::record(AccessRecord r) {
  if (!rep_->writer) return bad_input(i18n::Text("the access log was opened for reading"));
  if (r.at.empty()) r.at = signing::format_utc(signing::now());
  if (auto s = check_access_record(r); !s) return std::unexpected(s.error());
  std::unique_lock lock(rep_->mutex);
  rep_->progress.wait(lock,
                      [&] { return rep_->queue.size() < rep_->options.max_queue || rep_->error || rep_->stopping; });
  if (rep_->error) return std::unexpected(*rep_->error);
  if (rep_->stopping) return bad_input(i18n::Text("the access log is closing"));
  rep_->queue.push_back(std::move(r));
  const std::uint64_t ticket = ++rep_->tickets;
  lock.unlock();
  rep_->work.notify_one();
  return ticket;
}

Status AccessLog::wait_durable(std::uint64_t ticket) {
  if (!rep_->writer) return bad_input(i18n::Text("the access log was opened for reading"));
  std::unique_lock lock(rep_->mutex);
  rep_->progress.wait(lock, [&] { return rep_->settled >= ticket; });
  if (rep_->error) return std::unexpected(*rep_->error);
  return {};
}

Status AccessLog::flush() {
  if (!rep_->writer) return {};
  std::uint64_t ticket = 0;
  {
    std::lock_guard lock(rep_->mutex);
    ticket = rep_->tickets;
  }
  return wait_durable(ticket);
}

std::uint64_t AccessLog::size() const {
  if (rep_->writer) {
    std::lock_guard lock(rep_->mutex);
    return rep_->committed_size;
  }
  Txn txn(rep_->env, false);
  return rep_->count(txn, rep_->records);
}

std::string AccessLog::origin() const { return rep_->origin; }

std::string AccessLog::checkpoint() const {
  Txn txn(rep_->env, false);
  // The writer's committed size may trail the snapshot by a commit in flight; the snapshot's own size is signed.
  const SeqKey k = seq_key(rep_->count(txn, rep_->records));
  auto v = txn.get(rep_->checkpoints, val(k.data(), k.size()));
  return v ? std::string(text(*v)) : std::string();
}

Status AccessLog::for_each(const AccessFilter& filter, const std::function<Status(const AccessRecord&)>& fn) const {
  Txn txn(rep_->env, false);
  if (txn.begin_status()) return io_error(i18n::Text("cannot read the access log: {}", lmdb_error(txn.begin_status())));
  MDB_cursor* cur = nullptr;
  if (mdb_cursor_open(txn.get(), rep_->records, &cur) != MDB_SUCCESS)
    return io_error(i18n::Text("cannot read the access log"));
  MDB_val k, v;
  Status result;
  for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == MDB_SUCCESS; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    const std::uint64_t seq = k.mv_size == 8 ? seq_of(k) : 0;
    auto r = decode_access_record(std::string_view(static_cast<const char*>(v.mv_data), v.mv_size));
    if (!r || k.mv_size != 8 || r->seq != seq) {
      result = corruption(i18n::Text("access log record {}: {} (antq verify checks the whole log)", seq,
                                     r ? i18n::Text("its seq is not its key") : text_of(r.error())));
      break;
    }
    if (filter.subject && r->subject != *filter.subject) continue;
    if (filter.since && signing::parse_time(r->at).value_or(0) < *filter.since) continue;
    result = fn(*r);
    if (!result) break;
  }
  mdb_cursor_close(cur);
  return result;
}

AccessLogReport AccessLog::verify(const VerifierKey& ledger_verifier_key) const {
  AccessLogReport report;
  std::size_t unnamed = 0;
  auto fail = [&](std::string reason) {
    if (report.failures.size() < kMaxFailuresNamed)
      report.failures.push_back("access log: " + std::move(reason));
    else
      ++unnamed;
  };
  auto finish = [&] {
    if (unnamed > 0) report.failures.push_back(fmt::format("access log: and {} more problems", unnamed));
    return report;
  };
  // Every tree and the free list, before LMDB reads any of them.
  auto checked = rep_->checked_txn({});
  if (!checked) {
    fail(checked.error().message);
    return finish();
  }
  const Txn& txn = *checked;
  const std::string origin = ledger_verifier_key.name + kAccessOriginSuffix;
  if (rep_->origin != origin)
    fail(fmt::format("its origin is \"{}\", not \"{}\" (the ledger's origin and /access)", rep_->origin, origin));
  auto key = parse_verifier_key(format_verifier_key(origin, ledger_verifier_key.public_key));
  if (!key) {
    fail("the operator's verifier key: " + key.error().message);
    return finish();
  }

  // The checkpoints, by size, checked against the roots recomputed below.
  std::map<std::uint64_t, std::string> notes;
  MDB_cursor* cur = nullptr;
  MDB_val k, v;
  if (mdb_cursor_open(txn.get(), rep_->checkpoints, &cur) == MDB_SUCCESS) {
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == MDB_SUCCESS;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
      if (k.mv_size != 8) {
        fail("a key of `checkpoints` is not 8 bytes");
        continue;
      }
      notes.emplace(seq_of(k), text(v));
    }
    mdb_cursor_close(cur);
  }
  report.checkpoints = notes.size();
  std::map<std::uint64_t, Digest> roots;  // the recomputed root at each checkpoint's size
  if (notes.contains(0)) roots[0] = empty_root();

  // The records: 0, 1, 2, ... each decoding with its own seq; the nodes they complete as stored.
  CompactRange range;
  std::uint64_t nodes_expected = 0;
  if (mdb_cursor_open(txn.get(), rep_->records, &cur) == MDB_SUCCESS) {
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == MDB_SUCCESS;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
      const std::uint64_t expected = range.size();
      if (k.mv_size != 8) {
        fail(fmt::format("a key of `records` after record {} is not 8 bytes", expected));
        break;
      }
      const std::uint64_t seq = seq_of(k);
      if (seq != expected) {
        fail(fmt::format("record {} is missing (the next is {}): records were removed", expected, seq));
        break;  // the tree past a gap is not the tree the checkpoints signed
      }
      const std::string_view bytes(static_cast<const char*>(v.mv_data), v.mv_size);
      auto r = decode_access_record(bytes);
      if (!r)
        fail(fmt::format("record {}: {}", seq, r.error().message));
      else if (r->seq != seq)
        fail(fmt::format("record {}: it says it is record {}", seq, r->seq));
      for (const PerfectNode& n : range.append(leaf_hash(as_bytes(bytes)))) {
        ++nodes_expected;
        if (rep_->node(txn, n.level, n.index) != n.hash)
          fail(
              fmt::format("record {}: the stored tree node (level {}, index {}) differs from the one its "
                          "records give",
                          seq, n.level, n.index));
      }
      if (notes.contains(range.size())) roots[range.size()] = range.root();
    }
    mdb_cursor_close(cur);
  }
  report.records = range.size();
  report.root = range.root();
  if (const std::uint64_t stored = rep_->count(txn, rep_->nodes); stored != nodes_expected)
    fail(fmt::format("`nodes` holds {} tree nodes, its {} records make {}", stored, report.records, nodes_expected));

  for (const auto& [size, note] : notes) {
    auto c = open_checkpoint(note, *key);
    if (!c) {
      fail(fmt::format("checkpoint {}: {}", size, c.error().message));
      continue;
    }
    if (c->origin != origin)
      fail(fmt::format("checkpoint {}: its origin is \"{}\", not \"{}\"", size, c->origin, origin));
    if (c->size != size) fail(fmt::format("checkpoint {}: it says size {}", size, c->size));
    auto root = roots.find(size);
    if (root == roots.end())
      fail(fmt::format("checkpoint {}: the log holds {} records (records removed?)", size, report.records));
    else if (root->second != c->root)
      fail(fmt::format("checkpoint {}: its root is not the root of the first {} records", size, size));
  }
  if (!notes.contains(report.records))
    fail(fmt::format("no checkpoint of its size {}: its last records are signed by none", report.records));
  return finish();
}

}  // namespace antq::ledger
