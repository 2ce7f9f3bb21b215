// Predecessors taken in (antq take-in): the `sealed` database (FORMAT.md §14).
#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "ledger/ledger.hpp"
#include "ledger/merkle.hpp"
#include "ledger/store.hpp"

namespace antq::ledger {
namespace {

namespace fs = std::filesystem;

std::string part_key(std::string_view prefix, std::string_view database, std::string_view key) {
  std::string k;
  k.reserve(prefix.size() + database.size() + key.size() + 2);
  k.append(prefix).push_back('\0');
  k.append(database).push_back('\0');
  k.append(key);
  return k;
}

// Calls fn(key within the database, value) for every record of `database` of part `prefix` whose key starts with
// `key_prefix`, in key order.
template <typename Fn>
Status for_each_record(const Txn& txn, MDB_dbi sealed, std::string_view prefix, std::string_view database, Fn&& fn,
                       std::string_view key_prefix = {}) {
  const std::size_t base = part_key(prefix, database, "").size();
  const std::string start = part_key(prefix, database, key_prefix);
  MDB_cursor* cur = nullptr;
  if (int rc = mdb_cursor_open(txn.get(), sealed, &cur); rc != MDB_SUCCESS)
    return io_error(i18n::Text("cannot read the sealed parts: {}", lmdb_error(rc)));
  MDB_val k = val(start), v;
  Status s;
  for (int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == MDB_SUCCESS && s;
       rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    const std::string_view key = text(k);
    if (!key.starts_with(start)) break;
    s = fn(key.substr(base), v);
  }
  mdb_cursor_close(cur);
  return s;
}

// The part as its sealed bytes stand in `txn`.
Result<SealedPart> read_part(const Txn& txn, MDB_dbi sealed, std::string_view prefix) {
  SealedPart part;
  part.prefix = std::string(prefix);
  auto meta = [&](std::string_view name) -> std::optional<std::string> {
    auto v = txn.get(sealed, val(part_key(prefix, "meta", name)));
    if (!v) return std::nullopt;
    return std::string(text(*v));
  };
  auto origin = meta("origin");
  if (!origin) return bad_input(i18n::Text("no sealed part \"{}\"", prefix));
  part.origin = *origin;
  part.verifier_key = meta("operator.vkey").value_or("");
  part.profile = meta("profile").value_or("");
  CompactRange range;
  auto s = for_each_record(txn, sealed, prefix, "entries", [&](std::string_view key, const MDB_val& v) -> Status {
    if (key.size() != 8 || seq_of(val(key)) != range.size())
      return corruption(
          i18n::Text("sealed part {}: its entries are not keyed 0, 1, 2, ... (entry {} is missing "
                     "or a key is malformed)",
                     prefix, range.size()));
    range.append(leaf_hash(view(v)));
    return {};
  });
  if (!s) return std::unexpected(s.error());
  part.size = range.size();
  part.root = range.root();
  const SeqKey size_key = seq_key(part.size);
  if (auto note = txn.get(sealed, val(part_key(prefix, "checkpoints",
                                                std::string_view(reinterpret_cast<const char*>(size_key.data()), 8)))))
    part.checkpoint = std::string(text(*note));
  return part;
}

std::optional<MDB_dbi> sealed_dbi(const Txn& txn) {
  MDB_dbi dbi = 0;
  if (mdb_dbi_open(txn.get(), std::string(kSealedDatabase).c_str(), 0, &dbi) != MDB_SUCCESS) return std::nullopt;
  return dbi;
}

// The named databases of an environment: the keys of its main database.
std::vector<std::string> database_names(const Txn& txn) {
  std::vector<std::string> names;
  MDB_dbi main = 0;
  if (mdb_dbi_open(txn.get(), nullptr, 0, &main) != MDB_SUCCESS) return names;
  MDB_cursor* cur = nullptr;
  if (mdb_cursor_open(txn.get(), main, &cur) != MDB_SUCCESS) return names;
  MDB_val k, v;
  for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == MDB_SUCCESS; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
    names.emplace_back(text(k));
  mdb_cursor_close(cur);
  return names;
}

}  // namespace

Status check_sealing_act(const Act& act, const SealedPart& part,
                         const std::function<std::optional<ByteView>(const Digest&)>& attachment) {
  auto no = [&](const std::string& why) {
    return refused("predecessor", i18n::Text("{} {}: {}", kPredecessorSealed, part.prefix, why));
  };
  const auto& d = act.data;
  auto field = [&](const char* name) { return d.is_object() && d.contains(name) ? d[name] : nlohmann::json(); };
  if (field("prefix") != part.prefix)
    return no(fmt::format("data.prefix is {}, the part is sealed as \"{}\"", field("prefix").dump(), part.prefix));
  if (field("origin") != part.origin)
    return no(fmt::format("data.origin is {}, the sealed ledger's origin is \"{}\"", field("origin").dump(), part.origin));
  const nlohmann::json size = field("size");
  if (!size.is_number_integer() || size.get<std::int64_t>() < 0 || size.get<std::uint64_t>() != part.size)
    return no(fmt::format("data.size is {}, the sealed ledger holds {} entries", size.dump(), part.size));
  if (field("root") != to_hex(part.root))
    return no(fmt::format("data.root is {}, the root of the sealed entries is {}", field("root").dump(), to_hex(part.root)));
  if (!part.checkpoint)
    return no(fmt::format("the sealed ledger holds no checkpoint of its size {}", part.size));
  std::optional<std::string> note, vkey;
  for (const auto& a : act.attachments) {
    std::optional<std::string>* slot = a.item == "checkpoint" ? &note : a.item == "operator.vkey" ? &vkey : nullptr;
    if (!slot) continue;
    if (*slot) return no(fmt::format("two attachments of item \"{}\"", a.item));
    auto content = attachment(a.sha256);
    if (!content) return no(fmt::format("the attachment \"{}\" ({}) is neither carried nor held", a.item, to_hex(a.sha256)));
    *slot = std::string(reinterpret_cast<const char*>(content->data()), content->size());
  }
  if (!note || *note != *part.checkpoint)
    return no("attach the sealed ledger's final checkpoint note, exactly as it holds it (item \"checkpoint\")");
  if (!vkey || *vkey != part.verifier_key)
    return no("attach the sealed ledger's operator verifier key, exactly as its meta holds it (item \"operator.vkey\")");
  auto key = parse_verifier_key(*vkey);
  if (!key) return no("its operator verifier key: " + key.error().message);
  auto opened = open_checkpoint(*note, *key);
  if (!opened) return no("its final checkpoint: " + opened.error().message);
  if (opened->origin != part.origin || opened->size != part.size || opened->root != part.root)
    return no("its final checkpoint does not say the origin, size and root of the sealed entries");
  return {};
}

Status check_carried_record(const Act& act, const std::optional<std::string_view>& held) {
  const auto& d = act.data;
  const std::string part = d.is_object() ? d.value("part", "") : "";
  const std::string from = d.is_object() ? d.value("from", "") : "";
  auto no = [&](const std::string& why) {
    return refused("predecessor", i18n::Text("{} {}.{}: {}", kSubjectCarriedOver, part, from, why));
  };
  if (!valid_part_prefix(part)) return no("data.part must be the prefix of a sealed part (1 to 16 ASCII letters)");
  if (!held)
    return no(fmt::format("no sealed part \"{}\" holds a subject \"{}\" (antq show DIR {}.{})", part, from, part,
                          from));
  const auto record = nlohmann::json::parse(*held, nullptr, false);
  if (record.is_discarded() || !d.contains("record") || d["record"] != record)
    return no("data.record is not the subject's record as the sealed part holds it (antq carry-over copies it)");
  return {};
}

// For the append (ledger.cpp): the carried-over act against the sealed part in the write transaction `txn`.
Status check_carried_in(const Txn& txn, const Act& act) {
  const std::string part = act.data.is_object() ? act.data.value("part", "") : "";
  const std::string from = act.data.is_object() ? act.data.value("from", "") : "";
  std::optional<std::string_view> held;
  if (valid_part_prefix(part) && from.find('\0') == std::string::npos)
    if (auto dbi = sealed_dbi(txn))
      if (auto v = txn.get(*dbi, val(part_key(part, "state", "subject/" + from)))) held = text(*v);
  return check_carried_record(act, held);
}

bool valid_part_prefix(std::string_view prefix) {
  return !prefix.empty() && prefix.size() <= kMaxPartPrefix &&
         std::all_of(prefix.begin(), prefix.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); });
}

std::vector<std::string> Ledger::sealed_parts() const {
  std::vector<std::string> out;
  Txn txn(rep_->env, false);
  if (txn.begin_status()) return out;
  auto dbi = sealed_dbi(txn);
  if (!dbi) return out;
  MDB_cursor* cur = nullptr;
  if (mdb_cursor_open(txn.get(), *dbi, &cur) != MDB_SUCCESS) return out;
  MDB_val k, v;
  for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == MDB_SUCCESS;) {
    const std::string_view key = text(k);
    const std::string prefix(key.substr(0, key.find('\0')));
    out.push_back(prefix);
    // The next part: past every key beginning `prefix \0` (the byte after NUL is 0x01).
    const std::string next = prefix + '\x01';
    k = val(next);
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
  }
  mdb_cursor_close(cur);
  return out;
}

Result<SealedPart> Ledger::sealed_part(std::string_view prefix) const {
  Txn txn(rep_->env, false);
  if (txn.begin_status()) return io_error(i18n::Text("cannot read the ledger: {}", lmdb_error(txn.begin_status())));
  auto dbi = sealed_dbi(txn);
  if (!dbi) return bad_input(i18n::Text("{} holds no sealed part (no predecessor was taken in)", rep_->dir.string()));
  return read_part(txn, *dbi, prefix);
}

std::optional<std::string> Ledger::sealed_value(std::string_view prefix, std::string_view database,
                                                std::string_view key) const {
  Txn txn(rep_->env, false);
  if (txn.begin_status()) return std::nullopt;
  auto dbi = sealed_dbi(txn);
  if (!dbi) return std::nullopt;
  auto v = txn.get(*dbi, val(part_key(prefix, database, key)));
  if (!v) return std::nullopt;
  return std::string(text(*v));
}

std::optional<std::string> Ledger::sealed_entry(std::string_view prefix, std::uint64_t seq) const {
  const SeqKey k = seq_key(seq);
  return sealed_value(prefix, "entries", std::string_view(reinterpret_cast<const char*>(k.data()), k.size()));
}

void Ledger::for_each_sealed(std::string_view prefix, std::string_view database, std::string_view key_prefix,
                             const std::function<void(std::string_view key, std::string_view value)>& fn) const {
  Txn txn(rep_->env, false);
  if (txn.begin_status()) return;
  auto dbi = sealed_dbi(txn);
  if (!dbi || !valid_part_prefix(prefix)) return;
  (void)for_each_record(
      txn, *dbi, prefix, database,
      [&](std::string_view key, const MDB_val& v) -> Status {
        fn(key, text(v));
        return {};
      },
      key_prefix);
}

Status Ledger::write_part(std::string_view prefix, const fs::path& dest) const {
  return write_part(prefix, dest, true);
}

Status Ledger::write_part(std::string_view prefix, const fs::path& dest, bool durable) const {
  Txn txn(rep_->env, false);
  if (txn.begin_status()) return io_error(i18n::Text("cannot read the ledger: {}", lmdb_error(txn.begin_status())));
  auto dbi = sealed_dbi(txn);
  if (!dbi) return bad_input(i18n::Text("{} holds no sealed part", rep_->dir.string()));
  auto part = read_part(txn, *dbi, prefix);
  if (!part) return std::unexpected(part.error());
  std::error_code ec;
  fs::create_directories(dest, ec);
  if (ec) return io_error(i18n::Text("cannot create {}: {}", dest.string(), ec.message()));
  MDB_env* env = nullptr;
  int rc = mdb_env_create(&env);
  if (rc == MDB_SUCCESS) rc = mdb_env_set_maxdbs(env, 16);
  if (rc == MDB_SUCCESS) rc = mdb_env_set_mapsize(env, kMapSize);
  // A temporary copy is not flushed: it is read at once and removed, and a crash leaves only a stray directory.
  if (rc == MDB_SUCCESS) rc = mdb_env_open(env, dest.c_str(), MDB_NOTLS | (durable ? 0 : MDB_NOSYNC), 0640);
  if (rc != MDB_SUCCESS) {
    if (env) mdb_env_close(env);
    return io_error(i18n::Text("cannot make a ledger in {}: {}", dest.string(), lmdb_error(rc)));
  }
  Status s;
  {
    Txn out(env, true);
    if (out.begin_status())
      s = io_error(i18n::Text("cannot write {}: {}", dest.string(), lmdb_error(out.begin_status())));
    // The databases every ledger has, even when the part holds no record of one (an empty database leaves no key).
    for (const char* name : {"entries", "nodes", "certs", "bodies", "checkpoints", "attachments", "meta", "state"}) {
      MDB_dbi made = 0;
      if (int r2 = s ? mdb_dbi_open(out.get(), name, MDB_CREATE, &made) : MDB_SUCCESS; r2 != MDB_SUCCESS)
        s = io_error(i18n::Text("cannot make database `{}` in {}: {}", name, dest.string(), lmdb_error(r2)));
    }
    // Every database of the part, in key order: `prefix \0 database \0 key`.
    const std::string start = std::string(prefix) + '\0';
    MDB_cursor* cur = nullptr;
    if (s && mdb_cursor_open(txn.get(), *dbi, &cur) == MDB_SUCCESS) {
      MDB_val k = val(start), v;
      std::string open_name;
      MDB_dbi target = 0;
      for (int r = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); r == MDB_SUCCESS && s;
           r = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        const std::string_view key = text(k);
        if (!key.starts_with(start)) break;
        const std::string_view rest = key.substr(start.size());
        const std::size_t nul = rest.find('\0');
        if (nul == std::string_view::npos || nul == 0) {
          s = corruption(i18n::Text("sealed part {}: a key names no database", prefix));
          break;
        }
        const std::string name(rest.substr(0, nul));
        if (name != open_name) {
          if (int r2 = mdb_dbi_open(out.get(), name.c_str(), MDB_CREATE, &target); r2 != MDB_SUCCESS) {
            s = io_error(i18n::Text("cannot make database `{}` in {}: {}", name, dest.string(), lmdb_error(r2)));
            break;
          }
          open_name = name;
        }
        // The sealed keys of one database come in its own key order (the same prefix, then the key): appended.
        MDB_val ok = val(rest.substr(nul + 1));
        if (int r2 = mdb_put(out.get(), target, &ok, &v, MDB_APPEND); r2 != MDB_SUCCESS)
          s = io_error(i18n::Text("cannot write {}: {}", dest.string(), lmdb_error(r2)));
      }
      mdb_cursor_close(cur);
    }
    if (s)
      if (int r2 = out.commit(); r2 != MDB_SUCCESS)
        s = io_error(i18n::Text("cannot write {}: {}", dest.string(), lmdb_error(r2)));
  }
  mdb_env_close(env);
  if (!s) return s;
  FILE* f = std::fopen((dest / "operator.vkey").c_str(), "w");
  if (!f) return io_error(i18n::Text("cannot write {}", (dest / "operator.vkey").string()));
  const std::string line = part->verifier_key + "\n";
  const bool written = std::fwrite(line.data(), 1, line.size(), f) == line.size();
  if (std::fclose(f) != 0 || !written)
    return io_error(i18n::Text("cannot write {}", (dest / "operator.vkey").string()));
  return {};
}

Result<std::unique_ptr<Ledger>> Ledger::open_part(std::string_view prefix) const {
  std::string tmpl = (fs::temp_directory_path() / "antq-part-XXXXXX").string();
  if (!mkdtemp(tmpl.data()))
    return io_error(i18n::Text("cannot make a temporary directory for sealed part {}", prefix));
  const fs::path dir = tmpl;
  auto removed = [&dir](Error e) -> Result<std::unique_ptr<Ledger>> {
    std::error_code ec;
    fs::remove_all(dir, ec);
    return std::unexpected(std::move(e));
  };
  if (auto s = write_part(prefix, dir, false); !s) return removed(s.error());
  // Written by this process from the sealed bytes: its structure is LMDB's own, not checked again here (verify checks
  // every tree it reads).
  auto opened = open(dir);
  if (!opened) return removed(opened.error());
  (*opened)->rep_->temporary = dir;
  return opened;
}

Result<std::uint64_t> Ledger::take_in(const Ledger& predecessor, std::string_view prefix, const Submission& act,
                                      Admission& admission) {
  if (!valid_part_prefix(prefix))
    return refused("predecessor", i18n::Text("prefix \"{}\": 1 to {} ASCII letters (its subjects read as "
                                             "<prefix>.<id>)",
                                             prefix, kMaxPartPrefix));
  std::error_code ec;
  if (fs::equivalent(predecessor.dir(), rep_->dir, ec))
    return bad_input(i18n::Text("{} cannot take itself in", rep_->dir.string()));
  Txn from(predecessor.rep_->env, false);
  if (from.begin_status())
    return io_error(i18n::Text("cannot read the predecessor: {}", lmdb_error(from.begin_status())));
  const std::vector<std::string> names = database_names(from);
  if (std::find(names.begin(), names.end(), kSealedDatabase) != names.end())
    return bad_input(
        i18n::Text("{} holds sealed parts of its own: a ledger that took in a predecessor cannot be "
                   "taken in (yet)",
                   predecessor.dir().string()));
  const int max_key = mdb_env_get_maxkeysize(rep_->env);
  {
    Txn txn(rep_->env, false);
    if (txn.begin_status()) return io_error(i18n::Text("cannot read the ledger: {}", lmdb_error(txn.begin_status())));
    if (auto dbi = sealed_dbi(txn)) {
      const std::string start = std::string(prefix) + '\0';
      bool taken = false;
      MDB_cursor* cur = nullptr;
      if (mdb_cursor_open(txn.get(), *dbi, &cur) == MDB_SUCCESS) {
        MDB_val k = val(start), v;
        taken = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE) == MDB_SUCCESS && text(k).starts_with(start);
        mdb_cursor_close(cur);
      }
      if (taken)
        return refused("predecessor",
                       i18n::Text("prefix \"{}\" is taken: a predecessor was sealed under it already", prefix));
    }
  }
  const std::string id(prefix);
  rep_->seal = [&, id, names, max_key](const Txn& w, const Act& a,
                                       const std::function<std::optional<ByteView>(const Digest&)>& attachment) -> Status {
    MDB_dbi sealed = 0;
    if (int rc = mdb_dbi_open(w.get(), std::string(kSealedDatabase).c_str(), MDB_CREATE, &sealed); rc != MDB_SUCCESS)
      return io_error(i18n::Text("cannot create the `sealed` database: {}", lmdb_error(rc)));
    for (const std::string& name : names) {
      MDB_dbi source = 0;
      if (int rc = mdb_dbi_open(from.get(), name.c_str(), 0, &source); rc != MDB_SUCCESS)
        return bad_input(
            i18n::Text("{}: database `{}` cannot be opened: {}", predecessor.dir().string(), name, lmdb_error(rc)));
      MDB_cursor* cur = nullptr;
      if (int rc = mdb_cursor_open(from.get(), source, &cur); rc != MDB_SUCCESS)
        return io_error(i18n::Text("cannot read the predecessor: {}", lmdb_error(rc)));
      Status s;
      MDB_val k, v;
      for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == MDB_SUCCESS && s;
           rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        const std::string key = part_key(id, name, text(k));
        if (key.size() > static_cast<std::size_t>(max_key)) {
          s = bad_input(
              i18n::Text("{}: a key of `{}` is too long to be sealed ({} bytes with the prefix; LMDB takes {})",
                         predecessor.dir().string(), name, key.size(), max_key));
          break;
        }
        MDB_val sk = val(key);
        if (int r2 = mdb_put(w.get(), sealed, &sk, &v, MDB_NOOVERWRITE); r2 != MDB_SUCCESS)
          s = io_error(i18n::Text("cannot write the sealed part: {}", lmdb_error(r2)));
      }
      mdb_cursor_close(cur);
      if (!s) return s;
    }
    auto part = read_part(w, sealed, id);
    if (!part) return std::unexpected(part.error());
    return check_sealing_act(a, *part, attachment);
  };
  auto seqs = append({act}, admission);
  rep_->seal = nullptr;
  if (!seqs) return std::unexpected(seqs.error());
  return seqs->front();
}

}  // namespace antq::ledger
