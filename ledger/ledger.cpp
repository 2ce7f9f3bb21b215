#include "ledger/ledger.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

#include <fmt/format.h>

#include "ledger/lmdb_check.hpp"
#include "ledger/merkle.hpp"
#include "ledger/parallel.hpp"
#include "ledger/store.hpp"

namespace antq::ledger {

// sealed.cpp: a subject.carried-over act against the sealed part it names, in the append's write transaction.
Status check_carried_in(const Txn& txn, const Act& act);

namespace {

namespace fs = std::filesystem;

const char* const kVerifierKeyFile = "operator.vkey";

std::string meta_text(const Txn& txn, MDB_dbi meta, std::string_view key) {
  auto v = txn.get(meta, val(key));
  if (!v) return {};
  return std::string(static_cast<const char*>(v->mv_data), v->mv_size);
}

std::vector<Digest> split_digests(std::string_view s) {
  std::vector<Digest> out;
  for (std::size_t i = 0; i + 32 <= s.size(); i += 32) {
    Digest d;
    std::memcpy(d.data(), s.data() + i, 32);
    out.push_back(d);
  }
  return out;
}

Status put(const Txn& txn, MDB_dbi dbi, MDB_val key, MDB_val value, unsigned flags = 0) {
  int rc = mdb_put(txn.get(), dbi, &key, &value, flags);
  if (rc == MDB_SUCCESS || (rc == MDB_KEYEXIST && (flags & MDB_NOOVERWRITE))) return {};
  return io_error(i18n::Text("cannot write the ledger: {}", lmdb_error(rc)));
}

Status open_dbis(Ledger::Rep& rep, const Txn& txn, unsigned flags) {
  struct Named {
    const char* name;
    MDB_dbi* dbi;
  } names[] = {{"entries", &rep.entries},         {"nodes", &rep.nodes}, {"certs", &rep.certs},
               {"bodies", &rep.bodies},           {"checkpoints", &rep.checkpoints},
               {"attachments", &rep.attachments}, {"meta", &rep.meta},   {"state", &rep.state}};
  for (auto& n : names) {
    int rc = mdb_dbi_open(txn.get(), n.name, flags, n.dbi);
    if (rc != MDB_SUCCESS)
      return corruption(i18n::Text("ledger database `{}` cannot be opened: {}", n.name, lmdb_error(rc)));
  }
  // Databases made when first needed: absent from ledgers that never needed them.
  struct Optional {
    const char* name;
    MDB_dbi* dbi;
    std::atomic<bool>* present;
  } optional[] = {{"crls", &rep.crls, &rep.has_crls},
                  {"timestamp_authorities", &rep.timestamp_authorities, &rep.has_timestamp_authorities},
                  {"pdf_signatures", &rep.pdf_signatures, &rep.has_pdf_signatures}};
  for (auto& o : optional) {
    int rc = mdb_dbi_open(txn.get(), o.name, flags, o.dbi);
    if (rc == MDB_SUCCESS) *o.present = true;
    else if (rc != MDB_NOTFOUND)
      return corruption(i18n::Text("ledger database `{}` cannot be opened: {}", o.name, lmdb_error(rc)));
  }
  return {};
}

// Whether `data_fd` is open on the file LMDB opened as `env`'s data file.
bool same_file(int data_fd, MDB_env* env) {
  int lmdb_fd = -1;
  struct stat a {}, b {};
  return mdb_env_get_fd(env, &lmdb_fd) == MDB_SUCCESS && ::fstat(data_fd, &a) == 0 && ::fstat(lmdb_fd, &b) == 0 &&
         a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// Opens the LMDB environment in `dir`, for reading and writing, or for reading alone when `read_only`.
Result<MDB_env*> open_env(const fs::path& dir, bool read_only = false) {
  MDB_env* env = nullptr;
  int rc = mdb_env_create(&env);
  if (rc == MDB_SUCCESS) rc = mdb_env_set_maxdbs(env, 16);
  if (rc == MDB_SUCCESS) rc = mdb_env_set_mapsize(env, kMapSize);
  if (rc == MDB_SUCCESS) rc = mdb_env_set_maxreaders(env, 256);
  // MDB_NOTLS: read transactions belong to their objects, not threads (verify uses a thread pool).
  // Never MDB_NOSYNC / MDB_NOMETASYNC: an acknowledged append must survive a crash.
  unsigned flags = MDB_NOTLS;
  // Read-only media cannot hold a writable lock.mdb, the table where readers register the snapshot they read so
  // that a writer does not reuse its pages. MDB_NOLOCK reads without it, which is safe only because nobody can
  // write to read-only media: no writer exists to reuse a page under us. On writable media readers always lock.
  if (read_only) flags |= MDB_RDONLY | MDB_NOLOCK;
  if (rc == MDB_SUCCESS) rc = mdb_env_open(env, dir.c_str(), flags, 0640);
  if (rc != MDB_SUCCESS) {
    if (env) mdb_env_close(env);
    // A file system that says it is read-only only when written to (statvfs did not): read-only media all the same.
    if (rc == EROFS && !read_only) return open_env(dir, true);
    return io_error(i18n::Text("cannot open the ledger in {}: {}", dir.string(), lmdb_error(rc)));
  }
  return env;
}

// Calls fn(key, value) for every key of `dbi` that starts with `prefix`, in key order; false when no cursor opens.
bool for_each_prefixed(MDB_txn* txn, MDB_dbi dbi, std::string_view prefix,
                       const std::function<void(std::string_view, std::string_view)>& fn) {
  MDB_cursor* c = nullptr;
  if (mdb_cursor_open(txn, dbi, &c) != MDB_SUCCESS) return false;
  MDB_val k = val(prefix), v;
  for (int rc = mdb_cursor_get(c, &k, &v, prefix.empty() ? MDB_FIRST : MDB_SET_RANGE); rc == MDB_SUCCESS;
       rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
    std::string_view key(static_cast<const char*>(k.mv_data), k.mv_size);
    if (!key.starts_with(prefix)) break;
    fn(key, std::string_view(static_cast<const char*>(v.mv_data), v.mv_size));
  }
  mdb_cursor_close(c);
  return true;
}

// The `state` database as the StateStore admission rules write during append.
class TxnState final : public StateStore {
 public:
  TxnState(const Txn& txn, MDB_dbi dbi) : txn_(txn), dbi_(dbi) {}
  std::optional<std::string> get(std::string_view key) const override {
    auto v = txn_.get(dbi_, val(key));
    if (!v) return std::nullopt;
    return std::string(static_cast<const char*>(v->mv_data), v->mv_size);
  }
  using StateStore::put;
  void put(std::string_view key, std::string_view value) override {
    MDB_val k = val(key), v = val(value);
    int rc = mdb_put(txn_.get(), dbi_, &k, &v, 0);
    if (rc != MDB_SUCCESS && !error_)
      error_ = io_error(i18n::Text("cannot write derived state: {}", lmdb_error(rc))).error();
  }
  bool for_each(std::string_view prefix,
                const std::function<void(std::string_view, std::string_view)>& fn) const override {
    return for_each_prefixed(txn_.get(), dbi_, prefix, fn);
  }
  std::optional<Error> error_;

 private:
  const Txn& txn_;
  MDB_dbi dbi_;
};

// An event after its stateless checks, ready for the write transaction.
struct Certificate {
  Digest fingerprint{};
  Bytes der;
};

struct Prepared {
  Act act;
  Digest digest{};
  Event stored;                      // CMS without certificates
  std::vector<Certificate> carried;  // certificates the CMS carried: stored by fingerprint, used to build chains
  std::vector<Certificate> signers;  // each signature's certificate, carried or stored by an earlier append
  std::vector<CheckedSignature> signatures;
  std::vector<Digest> chains;        // the certificates of every verified chain of the event (its PDFs' too)
  struct SignedPdf {
    Digest attachment{};
    Bytes record;                    // encode_pdf_signatures
  };
  std::vector<SignedPdf> pdfs;       // attachments of this event that are signed PDFs
  struct TrustChange {
    bool crl = false;                // else a time-stamp authority
    Digest digest{};
    ByteView der;                    // the attachment: in the submission or the ledger (valid during append)
  };
  std::optional<TrustChange> trust;  // a trust.* act: what it adds to the trust store
};

// Where an event is, before a message about it: its file ("x.signed: "), "event 2 of 3: " in a batch, or nothing.
i18n::Text event_label(const std::vector<Submission>& events, std::size_t i) {
  if (!events[i].label.empty()) return i18n::Text::verbatim(events[i].label + ": ");
  return events.size() > 1 ? i18n::Text("event {} of {}: ", i + 1, events.size()) : i18n::Text::verbatim("");
}

// `e` with `prefix` (a file, an event's place) before its message, in every language it can be said in.
Error with_prefix(Error e, const i18n::Text& prefix) {
  auto text = i18n::Text("{}{}", prefix, text_of(e));
  return reworded(std::move(e), std::move(text));
}

}  // namespace

bool on_read_only_media(const fs::path& dir) {
  struct statvfs st {};
  return statvfs(dir.c_str(), &st) == 0 && (st.f_flag & ST_RDONLY) != 0;
}

std::string lmdb_error(int rc) {
  if (rc == MDB_MAP_FULL) return "the ledger's map is full (MDB_MAP_FULL)";
  if (rc == ENOSPC) return "no space left on the device (disk full)";
  if (rc == EROFS) return "the ledger is on read-only media (a read-only file system): nothing can be written to it";
  return mdb_strerror(rc);
}

Txn::Txn(MDB_env* env, bool write) {
  rc_ = mdb_txn_begin(env, nullptr, write ? 0 : MDB_RDONLY, &txn_);
  if (rc_) txn_ = nullptr;
  unsigned env_flags = 0;
  // LMDB refuses a write transaction in an environment opened MDB_RDONLY with EACCES; ours are opened so only on
  // read-only media (open_env), which is what the writer must be told.
  if (rc_ == EACCES && write && mdb_env_get_flags(env, &env_flags) == MDB_SUCCESS && (env_flags & MDB_RDONLY))
    rc_ = EROFS;
}

Ledger::Rep::~Rep() {
  if (env) mdb_env_close(env);
  if (data_fd >= 0) ::close(data_fd);
  std::error_code ec;
  if (!temporary.empty()) std::filesystem::remove_all(temporary, ec);
}

Result<Txn> Ledger::Rep::checked_txn(const std::vector<std::string>& databases) {
  // The read transaction pins its snapshot (a writer reuses none of its pages until it ends), so the pages checked
  // are the pages LMDB then reads. check_snapshot finds the snapshot's meta page by its transaction id; when a
  // writer has committed twice since the transaction began, that page holds a newer one and a newer snapshot is
  // taken.
  constexpr int kAttempts = 100;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    Txn txn(env, false);
    if (txn.begin_status()) return io_error(i18n::Text("cannot read the ledger: {}", lmdb_error(txn.begin_status())));
    const std::uint64_t id = mdb_txn_id(txn.get());
    if (databases.empty() && checked_txnid == id) return txn;
    auto check = check_snapshot(data_fd, id, databases);
    if (!check)
      return std::unexpected(with_prefix(check.error(), i18n::Text::verbatim((dir / "data.mdb").string() + ": ")));
    if (!check->found) continue;
    if (databases.empty()) checked_txnid = id;
    return txn;
  }
  return io_error(
      i18n::Text("{}: could not check the structure of data.mdb: {} snapshots were replaced by appends "
                 "while being read",
                 (dir / "data.mdb").string(), kAttempts));
}

std::uint64_t Ledger::Rep::size(const Txn& txn) const {
  MDB_stat st;
  if (mdb_stat(txn.get(), entries, &st) != MDB_SUCCESS) return 0;
  return st.ms_entries;
}

Digest Ledger::Rep::node(const Txn& txn, unsigned level, std::uint64_t index) const {
  NodeKey k = node_key(level, index);
  auto v = txn.get(nodes, val(k.data(), k.size()));
  Digest d{};
  if (v && v->mv_size == 32) std::memcpy(d.data(), v->mv_data, 32);
  return d;  // a missing node gives zeros: roots and proofs then fail to verify, and `verify` names it
}

TrustHistory::TrustHistory(const std::vector<TrustRecord>& crls, const std::vector<TrustRecord>& authorities) {
  for (const TrustRecord& r : crls) crls_.emplace(r.digest, r.seq);
  for (const TrustRecord& r : authorities) authorities_.emplace(r.digest, r.seq);
}

AdmissionTime TrustHistory::at_entry(std::uint64_t seq, signing::UnixTime recorded_at) const {
  auto before = [seq](const std::map<Digest, std::uint64_t>& added) {
    return [seq, &added](const Digest& d) {
      auto it = added.find(d);
      return it != added.end() && it->second < seq;
    };
  };
  return AdmissionTime{recorded_at, before(crls_), before(authorities_)};
}

Status check_at_admission(const signing::VerifiedSignature& v, const AdmissionTime& when) {
  using signing::format_vietnam_time;
  if (v.signing_time > when.at + kClockSkew)
    return refused("signature", i18n::Text("signing time {} is later than admission {} (more than 5 minutes' skew)",
                                           format_vietnam_time(v.signing_time), format_vietnam_time(when.at)));
  if (v.timestamp_authority) {
    if (when.authority_held && !when.authority_held(*v.timestamp_authority))
      return refused("signature", i18n::Text("its time-stamp authority {} was not trusted yet at admission {}",
                                             to_hex(*v.timestamp_authority), format_vietnam_time(when.at)));
    return {};  // the token proves the signature existed at its time: judged there, not at admission
  }
  // Without a time-stamp the signing time is only the signer's claim: the key must still be good when the act
  // arrives, or a revoked or expired key could sign new acts dated before its end.
  if (when.at > v.chain_valid_until)
    return refused("signature", i18n::Text("a certificate of the signer's chain expired {}, before admission {}: a "
                                           "new act must be signed with a certificate valid when it is admitted "
                                           "(or carry a time-stamp from a trusted authority)",
                                           format_vietnam_time(v.chain_valid_until), format_vietnam_time(when.at)));
  if (when.at < v.chain_valid_from)
    return refused("signature", i18n::Text("a certificate of the signer's chain is valid only from {}, after "
                                           "admission {}",
                                           format_vietnam_time(v.chain_valid_from), format_vietnam_time(when.at)));
  for (const signing::Revocation& r : v.revocations)
    if (r.at <= when.at && (!when.crl_held || when.crl_held(r.crl)))
      return refused("signature", i18n::Text("{}, before admission {}: a revoked key may not sign new acts, whatever "
                                             "signing time it claims",
                                             r.what, format_vietnam_time(when.at)));
  return {};
}

Result<std::vector<CheckedSignature>> check_signatures(
    ByteView body, std::span<const SignatureView> signatures, const signing::Verifier& verifier,
    const AdmissionTime& when, const std::function<std::optional<ByteView>(const Digest&)>& certificate) {
  if (signatures.empty()) return refused("signature", i18n::Text("the event carries no signature"));
  if (signatures.size() > 2)
    return refused("signature", i18n::Text("more than two signatures (one person, one organisation)"));
  std::vector<CheckedSignature> out;
  out.reserve(signatures.size());
  bool has_person = false;
  for (const auto& s : signatures) {
    if (s.role == Role::person) has_person = true;
    for (const auto& o : out)
      if (o.role == s.role) return refused("signature", i18n::Text("two {} signatures", role_text(s.role)));
    auto der = certificate(s.signer);
    if (!der)
      return refused("signature",
                     i18n::Text("{} signer certificate {} is unknown", role_text(s.role), to_hex(s.signer)));
    const auto signed_as = [&](const Error& e) {
      return reworded(e, i18n::Text("{} signature: {}", role_text(s.role), text_of(e)));
    };
    auto v = verifier.verify(body, s.cms, *der);
    if (!v) return std::unexpected(signed_as(v.error()));
    if (v->signer != s.signer)
      return refused("signature", i18n::Text("{} signature names signer {} but was made by {}", role_text(s.role),
                                             to_hex(s.signer), to_hex(v->signer)));
    if (auto at = check_at_admission(*v, when); !at) return std::unexpected(signed_as(at.error()));
    out.push_back({s.role, std::move(*v)});
  }
  if (!has_person) return refused("signature", i18n::Text("the event has no person signature"));
  if (out.size() == 2) {
    const auto& person = out[0].role == Role::person ? out[0] : out[1];
    const auto& organisation = out[0].role == Role::person ? out[1] : out[0];
    if (auto s = check_signing_order(person.verified.signing_time, organisation.verified.signing_time); !s)
      return std::unexpected(s.error());
  }
  return out;
}

Result<CheckedPdf> check_pdf_signatures(ByteView content, const signing::Verifier& verifier,
                                        const std::optional<AdmissionTime>& when) {
  CheckedPdf out;
  // A token counts only if its authority was trusted at admission: one trusted later was ignored then.
  auto verified = signing::verify_pdf(content, verifier, when ? when->authority_held : signing::AuthorityFilter{});
  if (!verified) {
    const Error& e = verified.error();
    return refused("signature", e.kind == ErrorKind::refused ? e.message : "the signed PDF is malformed: " + e.message);
  }
  for (std::size_t i = 0; i < verified->size(); ++i) {
    auto& v = (*verified)[i];
    if (when)
      if (auto at = check_at_admission(v.verified, *when); !at)
        return std::unexpected(reworded(at.error(), i18n::Text("PDF signature {}: {}", i + 1, text_of(at.error()))));
    out.records.push_back({v.signature.byte_range, v.signature.sub_filter, v.signature.covers_whole_file,
                           v.verified.signer, v.verified.signing_time, v.verified.algorithm});
    out.verified.push_back(std::move(v.verified));
    for (auto& c : v.certificates) out.certificates.push_back(std::move(c));
  }
  return out;
}

Result<CheckedPdf> recheck_pdf_signatures(ByteView content, const signing::Verifier& verifier,
                                          const TrustHistory& history, std::span<const Naming> named_by,
                                          const std::function<bool(const Result<CheckedPdf>&)>& as_admitted) {
  if (named_by.empty()) return check_pdf_signatures(content, verifier, std::nullopt);
  auto at = [&](const Naming& n) { return check_pdf_signatures(content, verifier, history.at_entry(n.first, n.second)); };
  Result<CheckedPdf> checked = at(named_by[0]);
  for (std::size_t k = 1; !as_admitted(checked) && k < named_by.size(); ++k) checked = at(named_by[k]);
  return checked;
}

Status check_signing_order(signing::UnixTime person, signing::UnixTime organisation) {
  if (organisation >= person) return {};
  return refused("signature",
                 i18n::Text("the organisation signature ({}) was made before the person's ({}): the "
                            "office clerk applies the organisation's signature after the competent "
                            "person has signed",
                            signing::format_vietnam_time(organisation), signing::format_vietnam_time(person)));
}

Ledger::Ledger(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
Ledger::~Ledger() = default;
const LedgerInfo& Ledger::info() const { return rep_->info; }
const fs::path& Ledger::dir() const { return rep_->dir; }

std::string default_origin(const fs::path& dir) {
  std::string name = fs::absolute(dir).lexically_normal().filename().string();
  if (name.empty()) name = "ledger";
  for (char& ch : name)
    if (static_cast<unsigned char>(ch) <= 0x20 || ch == '+') ch = '-';
  return "antq-ledger/" + name;
}

Result<std::string> Ledger::init(const InitOptions& o) {
  // Everything is checked before anything is written.
  if (o.roots.empty())
    return bad_input(i18n::Text("init: the trust store has no certificate (give --trust ROOTS.pem)"));
  for (const auto& r : o.roots)
    if (auto c = signing::inspect_certificate(r); !c) return std::unexpected(c.error());
  for (const auto& r : o.intermediates)
    if (auto c = signing::inspect_certificate(r); !c) return std::unexpected(c.error());
  auto admin = signing::inspect_certificate(o.administrator);
  if (!admin) return std::unexpected(admin.error());
  std::error_code ec;
  if (fs::exists(o.dir, ec)) {
    if (!fs::is_directory(o.dir, ec)) return bad_input(i18n::Text("{} exists and is not a directory", o.dir.string()));
    if (!fs::is_empty(o.dir, ec))
      return bad_input(i18n::Text("{} is not empty: a new ledger needs an empty directory", o.dir.string()));
  }
  if (!o.operator_key) return bad_input(i18n::Text("init: no operator key to sign checkpoints with"));
  const signing::Ed25519Key& key = *o.operator_key;
  const std::string origin = o.origin.empty() ? default_origin(o.dir) : o.origin;
  for (unsigned char ch : origin)
    if (ch <= 0x20 || ch == '+') return bad_input(i18n::Text("init: the origin may not contain spaces or '+'"));
  std::string vkey = format_verifier_key(origin, key.public_key());

  if (o.before_writing)
    if (auto s = o.before_writing(); !s) return std::unexpected(s.error());
  fs::create_directories(o.dir, ec);
  if (ec) return io_error(i18n::Text("cannot create {}: {}", o.dir.string(), ec.message()));
  auto cleanup = [&] {  // a failed init leaves the directory as it found it
    for (const char* f : {"data.mdb", "lock.mdb", kVerifierKeyFile}) fs::remove(o.dir / f, ec);
  };
  {
    std::ofstream out(o.dir / kVerifierKeyFile);
    out << vkey << "\n";
    if (!out.flush()) {
      cleanup();
      return io_error(i18n::Text("cannot write operator.vkey"));
    }
  }

  auto env = open_env(o.dir);
  if (!env) { cleanup(); return std::unexpected(env.error()); }
  auto rep = std::make_unique<Rep>();
  rep->env = *env;
  Txn txn(rep->env, true);
  if (txn.begin_status()) {
    cleanup();
    return io_error(i18n::Text("cannot begin a transaction: {}", lmdb_error(txn.begin_status())));
  }
  Status s = open_dbis(*rep, txn, MDB_CREATE);
  auto put_meta = [&](std::string_view k, std::string_view v) { if (s) s = put(txn, rep->meta, val(k), val(v)); };
  auto store_certs = [&](const std::vector<Bytes>& ders, std::string_view meta_key) {
    std::string fps;
    for (const auto& der : ders) {
      Digest fp = sha256(der);
      fps.append(reinterpret_cast<const char*>(fp.data()), fp.size());
      if (s) s = put(txn, rep->certs, val(fp), val(der), MDB_NOOVERWRITE);
    }
    put_meta(meta_key, fps);
  };
  put_meta("format", kFormatVersion);
  put_meta("origin", origin);
  put_meta("profile", o.profile);
  if (!o.profile_document.empty()) {
    Digest d = sha256(o.profile_document);
    put_meta("profile.sha256", std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
    if (s) s = put(txn, rep->attachments, val(d), val(o.profile_document), MDB_NOOVERWRITE);
  }
  put_meta("operator.vkey", vkey);
  store_certs(o.roots, "trust.roots");
  store_certs(o.intermediates, "trust.intermediates");
  store_certs({o.administrator}, "administrator");
  auto note = sign_checkpoint({origin, 0, empty_root()}, key);
  if (s && !note) s = std::unexpected(note.error());
  SeqKey zero = seq_key(0);
  if (s) s = put(txn, rep->checkpoints, val(zero.data(), zero.size()), val(*note));
  if (!s) { cleanup(); return std::unexpected(s.error()); }
  if (int rc = txn.commit(); rc != MDB_SUCCESS) {
    cleanup();
    return io_error(i18n::Text("cannot commit the new ledger: {}", lmdb_error(rc)));
  }
  return vkey;
}

Result<std::unique_ptr<Ledger::Rep>> open_rep(const fs::path& dir, const OpenOptions& options, bool without_lock) {
  std::error_code ec;
  const fs::path data = dir / "data.mdb";
  if (!fs::exists(data, ec))
    return bad_input(i18n::Text("{} holds no ledger (no data.mdb); create one with `antq init`", dir.string()));
  // `antq compact` renames a new data.mdb over the old one while it holds LMDB's exclusive lock (compact.cpp). An
  // open that began meanwhile opened data_fd on the old file, then waited in mdb_env_open for that lock, and LMDB
  // opened the new file once it was let in: such an open starts again, so that the file checked is the file LMDB
  // reads.
  constexpr int kAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    auto rep = std::make_unique<Ledger::Rep>();
    rep->dir = dir;
    rep->data_fd = ::open(data.c_str(), O_RDONLY | O_CLOEXEC);
    if (rep->data_fd < 0) return io_error(i18n::Text("cannot read {}: {}", data.string(), std::strerror(errno)));
    // LMDB trusts the meta pages as it opens the environment (a page size of 0 divides by zero): they are checked
    // before, then the trees of the snapshot opening reads (lmdb_check.hpp).
    if (auto meta = check_meta_pages(rep->data_fd); !meta)
      return std::unexpected(with_prefix(meta.error(), i18n::Text::verbatim(data.string() + ": ")));
    auto env = open_env(dir, without_lock || on_read_only_media(dir));
    if (!env) return std::unexpected(env.error());
    rep->env = *env;
    if (!same_file(rep->data_fd, rep->env)) {
      if (attempt < kAttempts) continue;
      return io_error(
          i18n::Text("{} was replaced while it was being opened ({} times: `antq compact` running "
                     "again and again?); try again",
                     data.string(), kAttempts));
    }
    auto checked =
        rep->checked_txn(options.check_structure ? std::vector<std::string>{} : std::vector<std::string>{"meta"});
    if (!checked) return std::unexpected(checked.error());
    Txn& txn = *checked;
    if (auto s = open_dbis(*rep, txn, 0); !s) return std::unexpected(s.error());
    if (meta_text(txn, rep->meta, "format") != kFormatVersion)
      return corruption(i18n::Text("{}: unknown ledger format (expected \"{}\")", dir.string(), kFormatVersion));
    rep->info.origin = meta_text(txn, rep->meta, "origin");
    rep->info.profile = meta_text(txn, rep->meta, "profile");
    if (auto d = split_digests(meta_text(txn, rep->meta, "profile.sha256")); d.size() == 1) rep->info.profile_document = d[0];
    rep->info.verifier_key = meta_text(txn, rep->meta, "operator.vkey");
    auto admin = split_digests(meta_text(txn, rep->meta, "administrator"));
    if (admin.size() != 1) return corruption(i18n::Text("ledger meta `administrator` is missing or malformed"));
    rep->info.administrator = admin[0];
    // Database handles opened in a transaction outlive it only when it commits (an abort closes them).
    if (int rc = txn.commit(); rc != MDB_SUCCESS)
      return io_error(i18n::Text("cannot read the ledger: {}", lmdb_error(rc)));
    return rep;
  }
}

Result<std::unique_ptr<Ledger>> Ledger::open(const fs::path& dir, const OpenOptions& options) {
  auto rep = open_rep(dir, options, /*without_lock=*/false);
  if (!rep) return std::unexpected(rep.error());
  return std::unique_ptr<Ledger>(new Ledger(std::move(*rep)));
}

Status Ledger::use_operator_key(std::shared_ptr<const signing::Ed25519Key> key) {
  if (!key) return bad_input(i18n::Text("no operator key given"));
  if (format_verifier_key(rep_->info.origin, key->public_key()) != rep_->info.verifier_key)
    return bad_input(
        i18n::Text("it is not the operator key of this ledger (origin {}): its checkpoints would not "
                   "verify with operator.vkey",
                   rep_->info.origin));
  rep_->operator_key = std::move(key);
  return {};
}

std::shared_ptr<const signing::Ed25519Key> Ledger::operator_key() const { return rep_->operator_key; }

std::uint64_t Ledger::size() const {
  Txn txn(rep_->env, false);
  return rep_->size(txn);
}

std::optional<Bytes> Ledger::entry_bytes(std::uint64_t seq) const {
  Txn txn(rep_->env, false);
  SeqKey k = seq_key(seq);
  auto v = txn.get(rep_->entries, val(k.data(), k.size()));
  if (!v) return std::nullopt;
  auto b = view(*v);
  return Bytes(b.begin(), b.end());
}

Status Ledger::for_each_entry(std::uint64_t from, std::uint64_t to,
                              const std::function<Status(std::uint64_t, ByteView)>& fn) const {
  Txn txn(rep_->env, false);
  MDB_cursor* cur = nullptr;
  if (mdb_cursor_open(txn.get(), rep_->entries, &cur) != MDB_SUCCESS)
    return io_error(i18n::Text("cannot read entries"));
  SeqKey k = seq_key(from);
  MDB_val key = val(k.data(), k.size()), data;
  Status result;
  for (int rc = mdb_cursor_get(cur, &key, &data, MDB_SET_RANGE); rc == MDB_SUCCESS;
       rc = mdb_cursor_get(cur, &key, &data, MDB_NEXT)) {
    if (key.mv_size != 8) {
      result = corruption(i18n::Text("an `entries` key is not 8 bytes"));
      break;
    }
    std::uint64_t seq = seq_of(key);
    if (seq >= to) break;
    result = fn(seq, view(data));
    if (!result) break;
  }
  mdb_cursor_close(cur);
  return result;
}

std::optional<Bytes> Ledger::certificate(const Digest& fp) const {
  Txn txn(rep_->env, false);
  auto v = txn.get(rep_->certs, val(fp));
  if (!v) return std::nullopt;
  auto b = view(*v);
  return Bytes(b.begin(), b.end());
}

std::optional<std::string> Ledger::state_value(std::string_view key) const {
  Txn txn(rep_->env, false);
  auto v = txn.get(rep_->state, val(key));
  if (!v) return std::nullopt;
  return std::string(static_cast<const char*>(v->mv_data), v->mv_size);
}

void Ledger::for_each_state(std::string_view prefix,
                            const std::function<void(std::string_view, std::string_view)>& fn) const {
  Txn txn(rep_->env, false);
  for_each_prefixed(txn.get(), rep_->state, prefix, fn);
}

Ledger::StateNeighbours Ledger::state_around(std::string_view prefix, std::string_view key) const {
  StateNeighbours out;
  Txn txn(rep_->env, false);
  MDB_cursor* c = nullptr;
  if (mdb_cursor_open(txn.get(), rep_->state, &c) != MDB_SUCCESS) return out;
  auto take = [&](int rc, const MDB_val& k, const MDB_val& v) -> std::optional<std::pair<std::string, std::string>> {
    if (rc != MDB_SUCCESS) return std::nullopt;
    std::string_view found(static_cast<const char*>(k.mv_data), k.mv_size);
    if (!found.starts_with(prefix)) return std::nullopt;
    return std::pair{std::string(found), std::string(static_cast<const char*>(v.mv_data), v.mv_size)};
  };
  MDB_val k = val(key), v;
  int rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);  // the first key at or after `key`
  if (rc == MDB_SUCCESS && std::string_view(static_cast<const char*>(k.mv_data), k.mv_size) == key) {
    out.at_or_before = take(rc, k, v);
    rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
    out.after = take(rc, k, v);
  } else {
    out.after = take(rc, k, v);
    rc = mdb_cursor_get(c, &k, &v, rc == MDB_SUCCESS ? MDB_PREV : MDB_LAST);
    out.at_or_before = take(rc, k, v);
  }
  mdb_cursor_close(c);
  return out;
}

std::vector<PdfSignatureRecord> Ledger::pdf_signatures(const Digest& attachment) const {
  if (!rep_->has_pdf_signatures) return {};
  Txn txn(rep_->env, false);
  auto v = txn.get(rep_->pdf_signatures, val(attachment));
  if (!v) return {};
  auto records = decode_pdf_signatures(view(*v));
  return records ? std::move(*records) : std::vector<PdfSignatureRecord>{};  // `verify` names a bad record
}

std::optional<Bytes> Ledger::attachment(const Digest& d) const {
  Txn txn(rep_->env, false);
  auto v = txn.get(rep_->attachments, val(d));
  if (!v) return std::nullopt;
  auto b = view(*v);
  return Bytes(b.begin(), b.end());
}

namespace {
std::vector<Bytes> certs_listed(const Ledger::Rep& rep, const Txn& txn, std::string_view meta_key) {
  std::vector<Bytes> out;
  for (const Digest& fp : split_digests(meta_text(txn, rep.meta, meta_key)))
    if (auto v = txn.get(rep.certs, val(fp))) out.emplace_back(view(*v).begin(), view(*v).end());
  return out;
}
}  // namespace

std::vector<Bytes> Ledger::trust_roots() const {
  Txn txn(rep_->env, false);
  return certs_listed(*rep_, txn, "trust.roots");
}

std::vector<Bytes> Ledger::intermediates() const {
  Txn txn(rep_->env, false);
  std::vector<Bytes> out = certs_listed(*rep_, txn, "trust.intermediates");
  std::set<Digest> roots;
  for (const Digest& fp : split_digests(meta_text(txn, rep_->meta, "trust.roots"))) roots.insert(fp);
  // CA certificates that signatures carried in (stored by fingerprint at append) also serve as intermediates.
  MDB_cursor* cur = nullptr;
  if (mdb_cursor_open(txn.get(), rep_->certs, &cur) != MDB_SUCCESS) return out;
  MDB_val k, v;
  for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == MDB_SUCCESS; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    if (k.mv_size != 32) continue;
    Digest fp;
    std::memcpy(fp.data(), k.mv_data, 32);
    if (roots.contains(fp)) continue;
    auto info = signing::inspect_certificate(view(v));
    if (info && info->is_ca) out.emplace_back(view(v).begin(), view(v).end());
  }
  mdb_cursor_close(cur);
  return out;
}

namespace {
// The trust records of an index database (`crls` or `timestamp_authorities`: digest -> seq of the entry that added
// it), with their content from `attachments`, in seq order. A record that is not that (an index made by an older
// antq held the CRL itself) is left out: `verify` names it.
std::vector<TrustRecord> trust_records(const Ledger::Rep& rep, MDB_dbi index) {
  std::vector<TrustRecord> out;
  Txn txn(rep.env, false);
  MDB_cursor* cur = nullptr;
  if (mdb_cursor_open(txn.get(), index, &cur) != MDB_SUCCESS) return out;
  MDB_val k, v;
  for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == MDB_SUCCESS; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    if (k.mv_size != 32 || v.mv_size != 8) continue;
    TrustRecord r;
    std::memcpy(r.digest.data(), k.mv_data, 32);
    r.seq = seq_of(v);
    auto content = txn.get(rep.attachments, val(r.digest));
    if (!content) continue;
    r.der.assign(view(*content).begin(), view(*content).end());
    out.push_back(std::move(r));
  }
  mdb_cursor_close(cur);
  std::sort(out.begin(), out.end(), [](const TrustRecord& a, const TrustRecord& b) { return a.seq < b.seq; });
  return out;
}
}  // namespace

std::vector<TrustRecord> Ledger::crls() const {
  return rep_->has_crls ? trust_records(*rep_, rep_->crls) : std::vector<TrustRecord>{};
}

std::vector<TrustRecord> Ledger::timestamp_authorities() const {
  return rep_->has_timestamp_authorities ? trust_records(*rep_, rep_->timestamp_authorities)
                                         : std::vector<TrustRecord>{};
}

signing::Verifier Ledger::make_verifier() const {
  signing::Verifier v;
  for (const auto& r : trust_roots()) (void)v.add_root(r);
  for (const auto& i : intermediates()) (void)v.add_intermediate(i);
  // Each was checked when its entry was admitted; verify checks them again and names one that fails.
  for (const auto& c : crls()) (void)v.add_crl(c.der);
  for (const auto& t : timestamp_authorities()) (void)v.add_timestamp_authority(t.der);
  return v;
}

Digest Ledger::root(std::uint64_t size) const {
  Txn txn(rep_->env, false);
  return root_at(size, [&](unsigned l, std::uint64_t i) { return rep_->node(txn, l, i); });
}

std::vector<Digest> Ledger::nodes(unsigned level, std::uint64_t from, std::uint64_t count) const {
  Txn txn(rep_->env, false);
  std::vector<Digest> out;
  out.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) out.push_back(rep_->node(txn, level, from + i));
  return out;
}

std::vector<Digest> Ledger::inclusion_proof(std::uint64_t seq, std::uint64_t size) const {
  Txn txn(rep_->env, false);
  return ledger::inclusion_proof(seq, size, [&](unsigned l, std::uint64_t i) { return rep_->node(txn, l, i); });
}

std::vector<Digest> Ledger::consistency_proof(std::uint64_t first, std::uint64_t second) const {
  Txn txn(rep_->env, false);
  return ledger::consistency_proof(first, second, [&](unsigned l, std::uint64_t i) { return rep_->node(txn, l, i); });
}

std::string Ledger::checkpoint() const {
  Txn txn(rep_->env, false);
  MDB_cursor* cur = nullptr;
  std::string note;
  if (mdb_cursor_open(txn.get(), rep_->checkpoints, &cur) != MDB_SUCCESS) return note;
  MDB_val k, v;
  if (mdb_cursor_get(cur, &k, &v, MDB_LAST) == MDB_SUCCESS) note.assign(static_cast<const char*>(v.mv_data), v.mv_size);
  mdb_cursor_close(cur);
  return note;
}

Result<std::vector<std::uint64_t>> Ledger::append(const std::vector<Submission>& events, Admission& admission) {
  const std::vector<Submission>* one = &events;
  return std::move(append_batches({&one, 1}, admission)[0]);
}

std::vector<Result<std::vector<std::uint64_t>>> Ledger::append_group(
    const std::vector<std::vector<Submission>>& batches, Admission& admission) {
  std::vector<const std::vector<Submission>*> all;
  for (const auto& b : batches) all.push_back(&b);
  return append_batches(all, admission);
}

std::vector<Result<std::vector<std::uint64_t>>> Ledger::append_batches(
    std::span<const std::vector<Submission>* const> batches, Admission& admission) {
  using Seqs = std::vector<std::uint64_t>;
  const std::size_t nb = batches.size();
  std::vector<Result<Seqs>> results(nb, Seqs{});
  auto fail_all = [&](const Error& e) {
    for (auto& r : results) r = std::unexpected(e);
    return results;
  };
  if (!rep_->operator_key)
    return fail_all(bad_input(i18n::Text("{}: no operator key to sign the checkpoint with: only the operator may "
                                         "append",
                                         rep_->dir.string()))
                        .error());
  const signing::UnixTime now = signing::now();
  // Every event of every batch, in order: event i is event local[i] of batch batch_of[i].
  std::vector<const Submission*> ev;
  std::vector<std::size_t> batch_of, local;
  for (std::size_t b = 0; b < nb; ++b)
    for (std::size_t j = 0; j < batches[b]->size(); ++j) {
      ev.push_back(&(*batches[b])[j]);
      batch_of.push_back(b);
      local.push_back(j);
    }
  const std::size_t n = ev.size();
  auto label = [&](std::size_t i) { return event_label(*batches[batch_of[i]], local[i]); };
  // A batch's first failure, in the order of its events: the batch is refused with it.
  std::vector<std::optional<Error>> failed(nb);
  std::vector<std::optional<Error>> errors(n);
  auto collect = [&] {
    for (std::size_t i = 0; i < n; ++i)
      if (errors[i] && !failed[batch_of[i]]) failed[batch_of[i]] = std::move(errors[i]);
    errors.assign(n, std::nullopt);
  };
  auto dead = [&](std::size_t i) { return failed[batch_of[i]].has_value(); };

  // 1. Stateless checks on all cores: decode, strip certificates from the CMS, find the signer certificates
  // carried along.
  std::vector<Prepared> prepared(n);
  parallel_for(n, 0, [&](std::size_t i) {
    const Submission& sub = *ev[i];
    Prepared& p = prepared[i];
    auto act = decode_body(sub.event.body);
    if (!act) {
      errors[i] = with_prefix(act.error(), label(i));
      return;
    }
    p.act = std::move(*act);
    if (auto s = check_document_date(p.act, now + kClockSkew, N_("admission")); !s) {
      errors[i] = with_prefix(s.error(), label(i));
      return;
    }
    p.digest = sha256(sub.event.body);
    p.stored.body = sub.event.body;
    for (const auto& s : sub.event.signatures) {
      auto parts = signing::cms_parse(s.cms);
      if (!parts) {
        errors[i] = reworded(parts.error(),
                             i18n::Text("{}{} signature: {}", label(i), role_text(s.role), text_of(parts.error())));
        return;
      }
      // Its encoding is not signed: BER (indefinite lengths, non-minimal lengths) would let one signature be
      // submitted in many byte forms. The ledger stores DER only, and takes nothing else.
      if (!parts->der) {
        errors[i] = refused("signature", i18n::Text("{}{} signature: the CMS is not DER (OpenSSL encodes it "
                                                    "differently): submit it as antq sign writes it",
                                                    label(i), role_text(s.role)))
                        .error();
        return;
      }
      p.stored.signatures.push_back({s.role, s.signer, std::move(parts->without_certificates)});
      for (auto& c : parts->certificates) p.carried.push_back({sha256(c), std::move(c)});
    }
    for (const auto& blob : sub.blobs) {
      bool named = std::any_of(p.act.attachments.begin(), p.act.attachments.end(),
                               [&](const Act::Attachment& a) { return a.sha256 == blob.sha256; });
      if (!named) {
        errors[i] =
            bad_input(i18n::Text("{}attachment content {} is not named by the act", label(i), to_hex(blob.sha256)))
                .error();
        return;
      }
    }
  });
  collect();
  // One pass over the stored certificates: each signer's certificate (carried, else stored by an earlier append),
  // and the CA certificates carried in that the ledger does not hold yet, which serve as intermediates. The read
  // transaction also lends the content of a trust act's attachment when the ledger holds it already.
  std::vector<const Bytes*> new_cas;
  std::vector<bool> changes_trust(nb, false);  // the batch brings a trust act or a CA certificate not held yet
  Txn lookups(rep_->env, false);
  {
    std::set<Digest> looked_at;
    for (std::size_t i = 0; i < n; ++i) {
      if (dead(i)) continue;
      Prepared& p = prepared[i];
      const auto& blobs = ev[i]->blobs;
      for (const auto& s : p.stored.signatures) {
        auto carried = std::find_if(p.carried.begin(), p.carried.end(),
                                    [&](const Certificate& c) { return c.fingerprint == s.signer; });
        if (carried != p.carried.end()) p.signers.push_back(*carried);
        else if (auto v = lookups.get(rep_->certs, val(s.signer))) p.signers.push_back({s.signer, Bytes(view(*v).begin(), view(*v).end())});
      }
      for (const auto& c : p.carried) {
        if (!looked_at.insert(c.fingerprint).second || lookups.get(rep_->certs, val(c.fingerprint))) continue;
        if (auto info = signing::inspect_certificate(c.der); info && info->is_ca) {
          new_cas.push_back(&c.der);
          changes_trust[batch_of[i]] = true;
        }
      }
      if (p.act.act == kCrlAdded || p.act.act == kTimestampAuthorityAdded) {
        changes_trust[batch_of[i]] = true;
        if (p.act.attachments.size() != 1) {
          failed[batch_of[i]] =
              bad_input(i18n::Text("{}{}: attach exactly one file: the {}", label(i), p.act.act,
                                   p.act.act == kCrlAdded ? i18n::Text("CRL")
                                                          : i18n::Text("time-stamp authority's certificate (DER)")))
                  .error();
          continue;
        }
        const Digest& d = p.act.attachments[0].sha256;
        std::optional<ByteView> content;
        for (const auto& blob : blobs)
          if (blob.sha256 == d) content = ByteView(blob.content);
        if (!content)
          if (auto v = lookups.get(rep_->attachments, val(d))) content = view(*v);
        if (!content) {
          failed[batch_of[i]] = bad_input(i18n::Text("{}{}: the attached file {} is neither carried nor held", label(i),
                                                     p.act.act, to_hex(d)))
                                    .error();
          continue;
        }
        p.trust = Prepared::TrustChange{p.act.act == kCrlAdded, d, *content};
      }
    }
  }
  // A batch that changes the trust store changes how the batches after it are judged: a group holding one is
  // committed batch by batch (rare: trust acts and new CAs are few).
  if (nb > 1) {
    bool sequential = false;
    for (std::size_t b = 0; b < nb; ++b) sequential = sequential || (changes_trust[b] && !failed[b]);
    if (sequential) {
      for (std::size_t b = 0; b < nb; ++b)
        results[b] = failed[b] ? Result<Seqs>(std::unexpected(*failed[b])) : std::move(append_batches({&batches[b], 1}, admission)[0]);
      return results;
    }
  }

  // 2. Signatures and chains, on all cores: the expensive part of admission. Each event is judged with the trust
  // store as the events before it leave it: a trust act of this batch applies to the events after it.
  if (!rep_->append_verifier) rep_->append_verifier = std::make_unique<signing::Verifier>(make_verifier());
  std::vector<std::unique_ptr<signing::Verifier>> changed;  // rare: verifiers for this append only
  std::vector<const signing::Verifier*> verifier_of(n);
  {
    std::vector<const Prepared::TrustChange*> added;
    auto fresh = [&]() -> Result<std::unique_ptr<signing::Verifier>> {
      auto v = std::make_unique<signing::Verifier>(make_verifier());
      for (const Bytes* c : new_cas) (void)v->add_intermediate(*c);
      for (const auto* t : added) {
        if (t->crl) {
          if (auto r = v->add_crl(t->der); !r) return std::unexpected(r.error());
        } else if (auto r = v->add_timestamp_authority(t->der); !r) {
          return std::unexpected(r.error());
        }
      }
      return v;
    };
    const signing::Verifier* current = rep_->append_verifier.get();
    if (!new_cas.empty()) {  // the kept verifier is rebuilt after the commit
      auto v = fresh();
      if (!v) return fail_all(v.error());
      changed.push_back(std::move(*v));
      current = changed.back().get();
    }
    for (std::size_t i = 0; i < n; ++i) {
      verifier_of[i] = current;
      if (!prepared[i].trust || dead(i)) continue;
      added.push_back(&*prepared[i].trust);
      auto v = fresh();
      if (!v) {
        failed[batch_of[i]] =
            bad_input(i18n::Text("{}{}: {}", label(i), prepared[i].act.act, text_of(v.error()))).error();
        added.pop_back();
        continue;
      }
      changed.push_back(std::move(*v));
      current = changed.back().get();
    }
  }
  const AdmissionTime when{now, {}, {}};
  parallel_for(n, 0, [&](std::size_t i) {
    if (dead(i)) return;
    Prepared& p = prepared[i];
    auto lookup = [&](const Digest& fp) -> std::optional<ByteView> {
      for (const auto& c : p.signers)
        if (c.fingerprint == fp) return ByteView(c.der);
      return std::nullopt;
    };
    Event original{ev[i]->event.body, p.stored.signatures};
    auto checked = check_signatures(original, *verifier_of[i], when, lookup);
    if (!checked) {
      errors[i] = with_prefix(checked.error(), label(i));
      return;
    }
    p.signatures = std::move(*checked);
    for (const auto& c : p.signatures)
      p.chains.insert(p.chains.end(), c.verified.chain.begin(), c.verified.chain.end());
    for (const auto& blob : ev[i]->blobs) {
      if (auto key = signing::private_key_material(blob.content)) {  // never into the log, whatever tool sent it
        errors[i] = bad_input(i18n::Text("{}attachment {}: {}; a private key is never admitted", label(i),
                                         to_hex(blob.sha256), *key))
                        .error();
        return;
      }
      auto pdf = check_pdf_signatures(blob.content, *verifier_of[i], when);
      if (!pdf) {
        errors[i] = reworded(pdf.error(),
                             i18n::Text("{}attachment {}: {}", label(i), to_hex(blob.sha256), text_of(pdf.error())));
        return;
      }
      if (pdf->records.empty()) continue;
      for (const auto& v : pdf->verified) p.chains.insert(p.chains.end(), v.chain.begin(), v.chain.end());
      p.pdfs.push_back({blob.sha256, encode_pdf_signatures(pdf->records)});
      for (auto& c : pdf->certificates) p.carried.push_back({sha256(c), std::move(c)});
    }
  });
  collect();
  if (nb == 1 && failed[0]) return fail_all(*failed[0]);
  // Of the certificates the events carried, those a verified chain of this append holds are stored (the signers'
  // among them): another served no chain here (a later act that needs it carries it), and a CA certificate among
  // them would be offered to every later chain (FORMAT.md §3).
  std::set<Digest> in_chains;
  for (std::size_t i = 0; i < n; ++i)
    if (!dead(i)) in_chains.insert(prepared[i].chains.begin(), prepared[i].chains.end());

  // 3. One write transaction: duplicates, domain rules, then the entries, tree nodes, indexes and checkpoint. In a
  // group, each batch in a transaction nested in it, so that a refused batch undoes its own writes alone.
  Txn txn(rep_->env, true);
  if (txn.begin_status())
    return fail_all(
        io_error(i18n::Text("cannot begin a write transaction: {}", lmdb_error(txn.begin_status()))).error());
  const std::uint64_t base = rep_->size(txn);
  auto read = [&](unsigned l, std::uint64_t i) { return rep_->node(txn, l, i); };
  CompactRange range = CompactRange::load(base, read);
  const std::string recorded_at = signing::format_utc(now);
  std::optional<MDB_dbi> pdf_dbi, crls_dbi, authorities_dbi;
  if (rep_->has_pdf_signatures) pdf_dbi = rep_->pdf_signatures;
  if (rep_->has_crls) crls_dbi = rep_->crls;
  if (rep_->has_timestamp_authorities) authorities_dbi = rep_->timestamp_authorities;
  bool trust_changed = false;
  bool written = false;
  std::uint64_t next = base;  // the seq of the next admitted event
  const bool nested = nb > 1;
  for (std::size_t b = 0, i = 0; b < nb; i += batches[b]->size(), ++b) {
    if (failed[b]) {
      results[b] = std::unexpected(*failed[b]);
      continue;
    }
    std::optional<Txn> child;
    if (nested) {
      child.emplace(rep_->env, txn);
      if (child->begin_status())
        return fail_all(
            io_error(i18n::Text("cannot begin a nested write transaction: {}", lmdb_error(child->begin_status())))
                .error());
    }
    Txn& w = nested ? *child : txn;
    const CompactRange range_before = range;
    const std::optional<MDB_dbi> pdf_before = pdf_dbi, crls_before = crls_dbi, authorities_before = authorities_dbi;
    // Undoes this batch (its nested transaction is aborted when `child` goes) and records why it was refused.
    auto refuse = [&](Error e) {
      range = range_before;
      pdf_dbi = pdf_before;  // a database created in the aborted transaction is gone with it
      crls_dbi = crls_before;
      authorities_dbi = authorities_before;
      results[b] = std::unexpected(std::move(e));
    };
    TxnState state(w, rep_->state);
    std::set<Digest> batch;
    const std::vector<Submission::Blob>* carried_blobs = nullptr;  // the current event's
    const std::function<std::optional<ByteView>(const Digest&)> attachment = [&](const Digest& d) -> std::optional<ByteView> {
      for (const auto& blob : *carried_blobs)
        if (blob.sha256 == d) return ByteView(blob.content);
      if (auto v = w.get(rep_->attachments, val(d))) return view(*v);  // stored, by earlier events of the group too
      return std::nullopt;
    };
    Seqs seqs;
    std::optional<Error> refusal;
    for (std::size_t e = i; e < i + batches[b]->size() && !refusal; ++e) {
      Prepared& p = prepared[e];
      const i18n::Text lbl = label(e);
      const std::uint64_t seq = next + seqs.size();
      if (auto prior = w.get(rep_->bodies, val(p.digest))) {
        refusal = refused("duplicate", i18n::Text("{}{} {} for {} dated {} was admitted before as entry {}", lbl,
                                                  p.act.act, p.act.document.number, p.act.subject, p.act.date,
                                                  seq_of(*prior))).error();
        break;
      }
      if (!batch.insert(p.digest).second) {
        refusal = refused("duplicate", i18n::Text("{}{} for {} appears twice in this batch", lbl, p.act.act,
                                                  p.act.subject)).error();
        break;
      }
      carried_blobs = &ev[e]->blobs;
      // A predecessor's sealing (FORMAT.md §14): only with its databases, written here by take_in's hook.
      if (p.act.act == kPredecessorSealed) {
        if (!rep_->seal || n != 1) {
          refusal = refused("predecessor", i18n::Text("{}{} is appended only by antq take-in, which seals the "
                                                      "predecessor's databases in the same transaction",
                                                      lbl, std::string(kPredecessorSealed)))
                        .error();
          break;
        }
        if (auto s = rep_->seal(w, p.act, attachment); !s) {
          refusal = with_prefix(s.error(), lbl);
          break;
        }
      }
      // A subject of a sealed part carried over: its record is the part's (FORMAT.md §14).
      if (p.act.act == kSubjectCarriedOver)
        if (auto s = check_carried_in(w, p.act); !s) {
          refusal = with_prefix(s.error(), lbl);
          break;
        }
      Candidate c{seq, p.act, p.digest, p.signatures, now, rep_->info, attachment};
      if (auto s = admission.admit(c, state); !s) {
        refusal = with_prefix(s.error(), lbl);
        break;
      }
      if (state.error_) return fail_all(*state.error_);

      // record.disposed, once the rules admitted it: the documents' bytes leave the store in this very transaction,
      // with the record of a signed PDF's signatures, which is derived from them (FORMAT.md §2, "Disposal").
      if (p.act.act == kRecordDisposed && p.act.data.contains("attachments"))
        for (const auto& hex : p.act.data["attachments"]) {
          auto d = hex.is_string() ? digest_from_hex(hex.get<std::string>()) : std::nullopt;
          if (!d) continue;  // the rules refuse it
          for (std::optional<MDB_dbi> dbi : {std::optional<MDB_dbi>(rep_->attachments), pdf_dbi}) {
            MDB_val key = val(*d);
            if (int rc = dbi ? mdb_del(w.get(), *dbi, &key, nullptr) : MDB_NOTFOUND; rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
              return fail_all(io_error(i18n::Text("cannot remove a disposed document: {}", lmdb_error(rc))).error());
          }
        }

      Entry entry{seq, recorded_at, std::move(p.stored)};
      Bytes bytes = encode_entry(entry);
      SeqKey k = seq_key(seq);
      Status s = put(w, rep_->entries, val(k.data(), k.size()), val(bytes), MDB_APPEND);
      for (const PerfectNode& node : range.append(leaf_hash(bytes))) {
        NodeKey nk = node_key(node.level, node.index);
        if (s) s = put(w, rep_->nodes, val(nk.data(), nk.size()), val(node.hash));
      }
      if (s) s = put(w, rep_->bodies, val(p.digest), val(k.data(), k.size()));
      // Signer certificates that were not carried are stored already.
      for (const auto& c : p.carried)
        if (s && in_chains.contains(c.fingerprint))
          s = put(w, rep_->certs, val(c.fingerprint), val(c.der), MDB_NOOVERWRITE);
      for (const auto& blob : ev[e]->blobs)
        if (s) s = put(w, rep_->attachments, val(blob.sha256), val(blob.content), MDB_NOOVERWRITE);
      for (const auto& pdf : p.pdfs) {
        if (s && !pdf_dbi) {
          MDB_dbi dbi = 0;
          if (int rc = mdb_dbi_open(w.get(), "pdf_signatures", MDB_CREATE, &dbi); rc != MDB_SUCCESS)
            return fail_all(
                io_error(i18n::Text("cannot create the `pdf_signatures` database: {}", lmdb_error(rc))).error());
          pdf_dbi = dbi;
        }
        if (s) s = put(w, *pdf_dbi, val(pdf.attachment), val(pdf.record), MDB_NOOVERWRITE);
      }
      if (s && p.trust) {
        std::optional<MDB_dbi>& index = p.trust->crl ? crls_dbi : authorities_dbi;
        if (!index) {
          MDB_dbi dbi = 0;
          const char* name = p.trust->crl ? "crls" : "timestamp_authorities";
          if (int rc = mdb_dbi_open(w.get(), name, MDB_CREATE, &dbi); rc != MDB_SUCCESS)
            return fail_all(io_error(i18n::Text("cannot create the `{}` database: {}", name, lmdb_error(rc))).error());
          index = dbi;
        }
        s = put(w, *index, val(p.trust->digest), val(k.data(), k.size()), MDB_NOOVERWRITE);
        trust_changed = true;
      }
      if (!s) return fail_all(s.error());
      seqs.push_back(seq);
    }
    if (refusal) {
      if (!nested) return fail_all(*refusal);
      refuse(std::move(*refusal));
      continue;
    }
    if (nested)
      if (int rc = child->commit(); rc != MDB_SUCCESS)
        return fail_all(io_error(i18n::Text("cannot commit a nested transaction: {}", lmdb_error(rc))).error());
    next += seqs.size();
    results[b] = std::move(seqs);
    written = true;
  }
  if (!written) return results;  // every batch refused: nothing to write
  // Signed last, inside the write transaction: a token that fails to sign leaves nothing written.
  auto note = sign_checkpoint({rep_->info.origin, range.size(), range.root()}, *rep_->operator_key);
  if (!note) return fail_all(note.error());
  SeqKey ck = seq_key(range.size());
  if (auto s = put(txn, rep_->checkpoints, val(ck.data(), ck.size()), val(*note)); !s) return fail_all(s.error());
  if (int rc = txn.commit(); rc != MDB_SUCCESS)
    return fail_all(
        io_error(i18n::Text("cannot commit the append: {}; nothing was written (free disk space, then append again)",
                            lmdb_error(rc)))
            .error());
  if (!new_cas.empty() || trust_changed) rep_->append_verifier.reset();  // the trust store changed
  if (pdf_dbi) {
    rep_->pdf_signatures = *pdf_dbi;
    rep_->has_pdf_signatures = true;
  }
  if (crls_dbi) {
    rep_->crls = *crls_dbi;
    rep_->has_crls = true;
  }
  if (authorities_dbi) {
    rep_->timestamp_authorities = *authorities_dbi;
    rep_->has_timestamp_authorities = true;
  }
  return results;
}

std::string lmdb_version() { return mdb_version(nullptr, nullptr, nullptr); }

}  // namespace antq::ledger
