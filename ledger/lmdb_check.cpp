// The structural check of data.mdb (lmdb_check.hpp). The constants and layouts are LMDB 0.9's (mdb.c); the names
// in comments are mdb.c's, so that each check can be compared with the code that relies on it.
#include "ledger/lmdb_check.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>

#include <fmt/format.h>

namespace antq::ledger {
namespace {

// MDB_page: pgno (8 bytes), mp_pad (2), mp_flags (2), then mp_lower and mp_upper (2 each) or, for the first page
// of an overflow run, mp_pages (4); then mp_ptrs[], the 2-byte offsets of the nodes (PAGEHDRSZ = 16; PAGEBASE is 0
// outside MDB_DEVEL builds).
constexpr std::size_t kPageHeader = 16;
constexpr std::uint16_t kBranch = 0x01, kLeaf = 0x02, kOverflow = 0x04, kMeta = 0x08;  // P_BRANCH ... P_META
// MDB_node: mn_lo, mn_hi (the data size on a leaf, the low 32 bits of the child page on a branch), mn_flags (the
// child page's high 16 bits on a branch), mn_ksize, then the key and, on a leaf, the data (NODESIZE = 8).
constexpr std::size_t kNodeHeader = 8;
constexpr std::uint16_t kBigData = 0x01, kSubData = 0x02, kDupData = 0x04;  // F_BIGDATA, F_SUBDATA, F_DUPDATA
constexpr std::size_t kMaxKeySize = 511;                                    // MDB_MAXKEYSIZE
// MDB_db: md_pad (4), md_flags (2), md_depth (2), md_branch_pages, md_leaf_pages, md_overflow_pages, md_entries,
// md_root (8 each).
constexpr std::size_t kDbRecord = 48;
constexpr std::uint64_t kNoPage = ~std::uint64_t{0};  // P_INVALID: the root of an empty database
// Database flags: MDB_INTEGERKEY (the free database's); MDB_REVERSEKEY, MDB_DUPSORT, MDB_DUPFIXED, MDB_INTEGERDUP and
// MDB_REVERSEDUP, which no database of antq or LMDB's free database has.
constexpr std::uint16_t kIntegerKey = 0x08;
constexpr std::uint16_t kOtherDbFlags = 0x02 | 0x04 | 0x10 | 0x20 | 0x40;
// MDB_meta, after the page header: mm_magic (4), mm_version (4), mm_address (8), mm_mapsize (8), mm_dbs[2] (the
// free database, whose md_pad is the page size and md_flags the environment's flags, then the main database),
// mm_last_pg (8), mm_txnid (8).
constexpr std::size_t kMetaSize = 8 + 8 + 8 + 2 * kDbRecord + 8 + 8;
constexpr std::uint32_t kMagic = 0xBEEFC0DE;                        // MDB_MAGIC
constexpr std::uint32_t kDataVersion = 1;                           // MDB_DATA_VERSION
constexpr unsigned kMaxDepth = 32;                                  // CURSOR_STACK: LMDB cannot descend further
constexpr std::uint32_t kMinPageSize = 512, kMaxPageSize = 0x8000;  // MAX_PAGESIZE without MDB_DEVEL

template <class T>
T load(const std::uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

std::unexpected<Error> damaged(std::uint64_t page, const std::string& what) {
  return corruption(i18n::Text("damaged store at page {}: {}", page, what));
}

LmdbDbRecord parse_db(const std::uint8_t* p) {
  LmdbDbRecord r;
  r.pad = load<std::uint32_t>(p);
  r.flags = load<std::uint16_t>(p + 4);
  r.depth = load<std::uint16_t>(p + 6);
  r.branch_pages = load<std::uint64_t>(p + 8);
  r.leaf_pages = load<std::uint64_t>(p + 16);
  r.overflow_pages = load<std::uint64_t>(p + 24);
  r.entries = load<std::uint64_t>(p + 32);
  r.root = load<std::uint64_t>(p + 40);
  return r;
}

// Reads exactly `size` bytes at `offset`. nullopt when they are not all there (the file ends first); the error text
// when the system cannot read them (an I/O error of a failing disk).
std::optional<std::string> read_at(int fd, std::uint64_t offset, void* out, std::size_t size, bool& short_read) {
  auto* p = static_cast<std::uint8_t*>(out);
  short_read = false;
  while (size > 0) {
    ssize_t n = pread(fd, p, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::string(std::strerror(errno));
    if (n == 0) {
      short_read = true;
      return std::nullopt;
    }
    p += n;
    offset += static_cast<std::uint64_t>(n);
    size -= static_cast<std::size_t>(n);
  }
  return std::nullopt;
}

Result<std::uint64_t> file_size(int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0) return io_error(i18n::Text("cannot read data.mdb: {}", std::strerror(errno)));
  return static_cast<std::uint64_t>(st.st_size);
}

// Reads `size` bytes at page `page` + `within`, as damage when they cannot be read.
Status read_page_bytes(int fd, std::uint64_t page, std::uint32_t page_size, std::size_t within, void* out,
                       std::size_t size) {
  bool short_read = false;
  if (auto error = read_at(fd, page * page_size + within, out, size, short_read))
    return damaged(page, "cannot be read (" + *error + ")");
  if (short_read) return damaged(page, "past the end of the file");
  return {};
}

// Both meta pages, read and checked as mdb_env_read_header does, plus what LMDB takes on trust: the page size.
struct MetaPages {
  std::array<LmdbMeta, 2> metas;
  std::uint64_t file_size = 0;
};

Result<LmdbMeta> parse_meta_page(const std::uint8_t* page, unsigned index) {
  const std::uint64_t pgno = load<std::uint64_t>(page);
  const std::uint16_t flags = load<std::uint16_t>(page + 10);
  if (flags != kMeta) return damaged(index, fmt::format("not a meta page (page flags {:#x})", flags));
  if (pgno != index) return damaged(index, fmt::format("the meta page says it is page {}", pgno));
  const std::uint8_t* m = page + kPageHeader;
  if (load<std::uint32_t>(m) != kMagic) return damaged(index, "the meta page lacks LMDB's magic number");
  if (std::uint32_t v = load<std::uint32_t>(m + 4); v != kDataVersion)
    return damaged(index, fmt::format("LMDB data version {} (this is LMDB 0.9's version {})", v, kDataVersion));
  LmdbMeta meta;
  meta.page = index;
  meta.free_db = parse_db(m + 24);
  meta.main_db = parse_db(m + 24 + kDbRecord);
  meta.page_size = meta.free_db.pad;  // mm_psize
  meta.last_page = load<std::uint64_t>(m + 24 + 2 * kDbRecord);
  meta.txnid = load<std::uint64_t>(m + 24 + 2 * kDbRecord + 8);
  if (meta.page_size < kMinPageSize || meta.page_size > kMaxPageSize || (meta.page_size & (meta.page_size - 1)) != 0)
    return damaged(index, fmt::format("page size {} (LMDB's is a power of two from {} to {})", meta.page_size,
                                      kMinPageSize, kMaxPageSize));
  return meta;
}

Result<MetaPages> read_meta_pages(int fd) {
  MetaPages out;
  auto size = file_size(fd);
  if (!size) return std::unexpected(size.error());
  out.file_size = *size;
  std::array<std::uint8_t, kPageHeader + kMetaSize> buffer{};
  std::uint64_t offset = 0;
  for (unsigned i = 0; i < 2; ++i) {
    bool short_read = false;
    if (auto error = read_at(fd, offset, buffer.data(), buffer.size(), short_read))
      return damaged(i, "cannot be read (" + *error + ")");
    if (short_read) return damaged(i, "the file ends before the meta page");
    auto meta = parse_meta_page(buffer.data(), i);
    if (!meta) return std::unexpected(meta.error());
    out.metas[i] = *meta;
    offset = meta->page_size;  // LMDB finds meta page 1 at page 0's page size
  }
  if (out.metas[0].page_size != out.metas[1].page_size)
    return damaged(1, fmt::format("page size {}, page 0 says {}", out.metas[1].page_size, out.metas[0].page_size));
  return out;
}

// The checks of the meta page a snapshot starts from, beyond those every meta page passes.
Status check_snapshot_meta(const LmdbMeta& m, std::uint64_t file_size) {
  const unsigned at = m.page;
  if ((m.txnid & 1) != m.page)
    return damaged(at,
                   fmt::format("transaction {} is written on meta page {}: LMDB writes transaction n on page n mod 2, "
                               "and reads it there",
                               m.txnid, m.page));
  if (m.last_page < 1 || m.last_page >= file_size / m.page_size)
    return damaged(at, fmt::format("the snapshot's last page is {}, the file holds pages 0 to {}", m.last_page,
                                   file_size / m.page_size == 0 ? 0 : file_size / m.page_size - 1));
  if ((m.free_db.flags & kIntegerKey) == 0 || (m.free_db.flags & kOtherDbFlags) != 0)
    return damaged(
        at, fmt::format("the free database has flags {:#x} (LMDB gives it MDB_INTEGERKEY and no other database flag)",
                        m.free_db.flags));
  if (m.main_db.flags != 0)
    return damaged(at, fmt::format("the main database has flags {:#x} (antq's has none)", m.main_db.flags));
  for (const auto& [db, name] : {std::pair{&m.free_db, "free"}, std::pair{&m.main_db, "main"}}) {
    if (db->root == kNoPage) continue;
    if (db->root < 2 || db->root > m.last_page)
      return damaged(at, fmt::format("the {} database's root is page {}, outside the snapshot's pages 2 to {}", name,
                                     db->root, m.last_page));
    if (db->depth == 0 || db->depth > kMaxDepth)
      return damaged(at, fmt::format("the {} database has depth {} (1 to {})", name, db->depth, kMaxDepth));
  }
  return {};
}

// Which of two meta pages LMDB opens (mdb_env_pick_meta): the larger transaction id, page 0 on a tie.
const LmdbMeta& newest(const MetaPages& p) { return p.metas[p.metas[0].txnid < p.metas[1].txnid ? 1 : 0]; }

// A database to walk: its name, its record and where the record is kept.
struct Database {
  enum class Kind { main, named, free };
  Kind kind = Kind::named;
  std::string name;
  LmdbDbRecord record;
  std::uint64_t record_page = 0;

  // How messages name it.
  std::string label() const {
    return kind == Kind::main   ? "the main database"
           : kind == Kind::free ? "the free database"
                                : "database `" + name + "`";
  }
};

// LMDB's key order for the database's flags: mdb_cmp_memn (bytes, then length) or, with MDB_INTEGERKEY, the key as
// an unsigned 8-byte integer (mdb_cmp_long; the free database's transaction ids).
int compare_keys(std::string_view a, std::string_view b, bool integer_keys) {
  if (integer_keys) {
    const auto x = load<std::uint64_t>(reinterpret_cast<const std::uint8_t*>(a.data()));
    const auto y = load<std::uint64_t>(reinterpret_cast<const std::uint8_t*>(b.data()));
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
  if (c != 0) return c;
  return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

// One walk over the trees of one snapshot: pages are read one at a time with pread, checked, and marked, so that a
// page reached a second time (a cycle, a page in two trees, a free page in use) is damage.
class Walker {
 public:
  Walker(int fd, const LmdbMeta& meta)
      : fd_(fd), meta_(meta), psize_(meta.page_size), seen_(meta.last_page + 1, false), node_at_(psize_ / 2, 0) {}

  std::uint64_t pages() const { return pages_; }

  // Walks `db`. Every record of the main database is a named database's, added to `named`.
  Status walk(const Database& db, std::vector<Database>* named = nullptr) {
    db_ = &db;
    main_ = db.kind == Database::Kind::main;
    free_db_ = db.kind == Database::Kind::free;
    named_ = named;
    integer_keys_ = free_db_;
    has_last_key_ = false;
    has_floor_ = false;
    counted_ = {};
    const LmdbDbRecord& r = db.record;
    if (free_db_ ? (r.flags & kIntegerKey) == 0 || (r.flags & kOtherDbFlags) != 0 : r.flags != 0)
      return damaged(db.record_page, fmt::format("{} has flags {:#x} ({})", db.label(), r.flags,
                                                 free_db_ ? "LMDB gives it MDB_INTEGERKEY and no other database flag"
                                                          : "antq's databases have none"));
    if (r.root == kNoPage) {
      if (r.depth != 0 || r.entries != 0 || r.branch_pages != 0 || r.leaf_pages != 0 || r.overflow_pages != 0)
        return damaged(db.record_page,
                       fmt::format("{} has no root page but depth {} and {} entries", db.label(), r.depth, r.entries));
      return {};
    }
    if (r.root < 2 || r.root > meta_.last_page)
      return damaged(db.record_page, fmt::format("{}'s root is page {}, outside the snapshot's pages 2 to {}",
                                                 db.label(), r.root, meta_.last_page));
    if (r.depth == 0 || r.depth > kMaxDepth)
      return damaged(db.record_page, fmt::format("{} has depth {} (1 to {})", db.label(), r.depth, kMaxDepth));
    if (levels_.size() < r.depth) levels_.resize(r.depth, std::vector<std::uint8_t>(psize_));
    if (auto s = visit(r.root, 1, db.record_page); !s) return s;
    auto mismatch = [&](const char* what, std::uint64_t found, std::uint64_t recorded) {
      return damaged(db.record_page,
                     fmt::format("{} has {} {}, its record says {}", db.label(), found, what, recorded));
    };
    if (counted_.branch != r.branch_pages) return mismatch("branch pages", counted_.branch, r.branch_pages);
    if (counted_.leaf != r.leaf_pages) return mismatch("leaf pages", counted_.leaf, r.leaf_pages);
    if (counted_.overflow != r.overflow_pages) return mismatch("overflow pages", counted_.overflow, r.overflow_pages);
    if (counted_.entries != r.entries) return mismatch("entries", counted_.entries, r.entries);
    return {};
  }

 private:
  struct Counts {
    std::uint64_t branch = 0, leaf = 0, overflow = 0, entries = 0;
  };

  // Claims page `pgno`, reached from page `from`: inside the snapshot and not seen before.
  Status claim(std::uint64_t pgno, std::uint64_t from, const char* what) {
    if (pgno < 2 || pgno > meta_.last_page)
      return damaged(from, fmt::format("{} of {} points at page {}, outside the snapshot's pages 2 to {}", what,
                                       db_->label(), pgno, meta_.last_page));
    if (seen_[pgno])
      return damaged(from, fmt::format("{} of {} points at page {}, which is reached twice (a cycle, or a page of two "
                                       "trees)",
                                       what, db_->label(), pgno));
    seen_[pgno] = true;
    ++pages_;
    return {};
  }

  Status visit(std::uint64_t pgno, unsigned level, std::uint64_t from) {
    if (auto s = claim(pgno, from, level == 1 ? "the root pointer" : "a branch pointer"); !s) return s;
    std::vector<std::uint8_t>& page = levels_[level - 1];
    if (auto s = read_page_bytes(fd_, pgno, psize_, 0, page.data(), psize_); !s) return s;
    const std::uint8_t* p = page.data();
    const bool leaf = level == db_->record.depth;
    if (std::uint64_t said = load<std::uint64_t>(p); said != pgno)
      return damaged(pgno, fmt::format("its header says page {} (a page of another place, or pages swapped)", said));
    const std::uint16_t flags = load<std::uint16_t>(p + 10);
    const std::uint16_t want = leaf ? kLeaf : kBranch;
    if (flags != want)
      return damaged(pgno, fmt::format("{} needs a {} page at depth {} of {}, the page's flags are {:#x}", db_->label(),
                                       leaf ? "leaf" : "branch", level, db_->record.depth, flags));
    const std::uint16_t lower = load<std::uint16_t>(p + 12), upper = load<std::uint16_t>(p + 14);
    if (lower < kPageHeader || (lower - kPageHeader) % 2 != 0 || lower > upper || upper > psize_)
      return damaged(pgno, fmt::format("free space from {} to {} does not fit a page of {} bytes after its header",
                                       lower, upper, psize_));
    const std::size_t keys = (lower - kPageHeader) / 2;
    if (keys < (leaf ? 1u : 2u))
      return damaged(pgno, fmt::format("a {} page with {} node(s)", leaf ? "leaf" : "branch", keys));
    leaf ? ++counted_.leaf : ++counted_.branch;

    // Every node inside the page, and the nodes filling [upper, page size) exactly, each starting where the one
    // below it ends (mdb_node_add and mdb_node_del keep them so): `node_at_` holds each node's even size (EVEN) at
    // its offset, and a walk from `upper` must meet every node once and end at the end of the page.
    for (std::size_t i = 0; i < keys; ++i) {
      const std::uint16_t at = load<std::uint16_t>(p + kPageHeader + 2 * i);
      if (at < upper || at % 2 != 0 || at + kNodeHeader > psize_)
        return damaged(
            pgno, fmt::format("node {} starts at offset {}, outside the nodes' space {} to {}", i, at, upper, psize_));
      const std::uint16_t node_flags = load<std::uint16_t>(p + at + 4);
      const std::uint16_t ksize = load<std::uint16_t>(p + at + 6);
      if (ksize > kMaxKeySize)
        return damaged(pgno, fmt::format("node {} has a key of {} bytes (LMDB's limit is {})", i, ksize, kMaxKeySize));
      std::size_t size = kNodeHeader + ksize;
      if (leaf) {
        if ((node_flags & ~(kBigData | kSubData)) != 0 || node_flags == (kBigData | kSubData) ||
            ((node_flags & kSubData) != 0) != main_)
          return damaged(pgno, fmt::format("node {} has flags {:#x}{}", i, node_flags,
                                           main_ ? " (every record of the main database is a named database)"
                                           : (node_flags & kDupData) ? " (no database of antq has duplicates)"
                                                                     : ""));
        const std::uint32_t dsize = load<std::uint16_t>(p + at) | std::uint32_t{load<std::uint16_t>(p + at + 2)} << 16;
        size += (node_flags & kBigData) ? 8 : dsize;
      }
      if (at + size > psize_)
        return damaged(pgno, fmt::format("node {} at offset {} runs {} bytes past the end of the page", i, at,
                                         at + size - psize_));
      // (The walk ends at the first damage: node_at_ need not be cleared then.)
      std::uint16_t& slot = node_at_[at / 2];
      if (slot != 0) return damaged(pgno, fmt::format("node {} starts at offset {}, where another node starts", i, at));
      slot = static_cast<std::uint16_t>((size + 1) & ~std::size_t{1});
    }
    std::size_t met = 0, offset = upper;
    while (offset < psize_ && node_at_[offset / 2] != 0) {
      offset += node_at_[offset / 2];
      ++met;
    }
    clear_nodes(p, keys);
    if (offset != psize_ || met != keys)
      return damaged(pgno, fmt::format("the nodes do not fill the page from offset {} to its end without overlap or "
                                       "gap (a node should start at offset {})",
                                       upper, offset));

    // Keys in LMDB's order, within the page and across the tree (a branch key is not above the first key below it,
    // and is above every key of the subtrees before it); then the children or the records.
    std::string_view previous_key;  // on a leaf page, the key of the node before
    for (std::size_t i = 0; i < keys; ++i) {
      const std::uint16_t at = load<std::uint16_t>(p + kPageHeader + 2 * i);
      const std::uint8_t* node = p + at;
      const std::string_view key(reinterpret_cast<const char*>(node + kNodeHeader), load<std::uint16_t>(node + 6));
      if (!leaf) {
        const std::uint64_t child = std::uint64_t{load<std::uint16_t>(node)} |
                                    std::uint64_t{load<std::uint16_t>(node + 2)} << 16 |
                                    std::uint64_t{load<std::uint16_t>(node + 4)} << 32;
        if (i > 0) {  // the key of node 0 of a branch page is not used
          if (auto s = check_key(key, pgno, i); !s) return s;
          if (has_last_key_ && compare_keys(key, last_key_, integer_keys_) <= 0)
            return damaged(pgno, fmt::format("branch key {} is not above the keys before it", i));
          floor_.assign(key);
          has_floor_ = true;
        }
        if (auto s = visit(child, level + 1, pgno); !s) return s;
        continue;
      }
      if (auto s = check_key(key, pgno, i); !s) return s;
      const std::string_view previous = i > 0 ? previous_key : std::string_view(last_key_);
      if ((i > 0 || has_last_key_) && compare_keys(key, previous, integer_keys_) <= 0)
        return damaged(pgno, fmt::format("key {} is not above the key before it (keys out of order)", i));
      if (has_floor_ && compare_keys(key, floor_, integer_keys_) < 0)
        return damaged(pgno, fmt::format("key {} is below the branch key that leads to it", i));
      has_floor_ = false;
      previous_key = key;
      ++counted_.entries;
      if (auto s = check_record(node, key, pgno, i); !s) return s;
    }
    if (leaf) {  // the page's last key, kept for the next leaf (this page's buffer is reused)
      last_key_.assign(previous_key);
      has_last_key_ = true;
    }
    return {};
  }

  // Resets node_at_ for the first `count` nodes of page `p` (whose offsets are inside the page).
  void clear_nodes(const std::uint8_t* p, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) node_at_[load<std::uint16_t>(p + kPageHeader + 2 * i) / 2] = 0;
  }

  Status check_key(std::string_view key, std::uint64_t pgno, std::size_t i) {
    if (integer_keys_ && key.size() != 8)
      return damaged(
          pgno, fmt::format("node {} of {} has a key of {} bytes, not an 8-byte integer", i, db_->label(), key.size()));
    return {};
  }

  // A leaf node's data: an overflow run, a named database's record, or the free list of the free database.
  Status check_record(const std::uint8_t* node, std::string_view key, std::uint64_t pgno, std::size_t i) {
    const std::uint16_t flags = load<std::uint16_t>(node + 4);
    const std::uint64_t dsize = load<std::uint16_t>(node) | std::uint64_t{load<std::uint16_t>(node + 2)} << 16;
    const std::uint8_t* data = node + kNodeHeader + key.size();
    if (flags & kSubData) {
      if (dsize != kDbRecord)
        return damaged(pgno, fmt::format("the record of database `{}` has {} bytes, not {}", key, dsize, kDbRecord));
      named_->push_back({Database::Kind::named, std::string(key), parse_db(data), pgno});
      return {};
    }
    std::optional<std::uint64_t> overflow;  // the first page of the data's overflow run
    if (flags & kBigData) {
      const std::uint64_t first = load<std::uint64_t>(data);
      if (auto s = claim(first, pgno, "an overflow pointer"); !s) return s;
      std::array<std::uint8_t, kPageHeader> header{};
      if (auto s = read_page_bytes(fd_, first, psize_, 0, header.data(), header.size()); !s) return s;
      if (std::uint64_t said = load<std::uint64_t>(header.data()); said != first)
        return damaged(first, fmt::format("its header says page {} (a page of another place, or pages swapped)", said));
      if (std::uint16_t f = load<std::uint16_t>(header.data() + 10); f != kOverflow)
        return damaged(first, fmt::format("node {} of page {} needs an overflow page here, the page's flags are {:#x}",
                                          i, pgno, f));
      const std::uint64_t run = load<std::uint32_t>(header.data() + 12);
      const std::uint64_t needed = (kPageHeader - 1 + dsize) / psize_ + 1;  // OVPAGES
      if (run < needed || run > meta_.last_page - first + 1)
        return damaged(first, fmt::format("an overflow run of {} page(s) for {} bytes of data ({} needed, {} left in "
                                          "the snapshot)",
                                          run, dsize, needed, meta_.last_page - first + 1));
      for (std::uint64_t q = first + 1; q < first + run; ++q) {
        if (seen_[q])
          return damaged(first, fmt::format("its overflow run reaches page {}, which is in use elsewhere", q));
        seen_[q] = true;
      }
      pages_ += run - 1;
      counted_.overflow += run;
      overflow = first;
    }
    if (!free_db_) return {};

    // The free list of one transaction (an MDB_IDL): a count, then that many page numbers in descending order.
    // mdb_freelist_save may reserve more room than it fills. Read 8 bytes at a time from the page, or in blocks
    // from the overflow run.
    if (dsize < 8 || dsize % 8 != 0)
      return damaged(pgno, fmt::format("free list {} has {} bytes, not a whole number of page numbers", i, dsize));
    std::uint64_t block_start = 0, block_end = 0;
    auto number = [&](std::uint64_t k) -> Result<std::uint64_t> {
      if (!overflow) return load<std::uint64_t>(data + 8 * k);
      if (8 * k < block_start || 8 * k + 8 > block_end) {
        block_start = 8 * k;
        block_end = std::min<std::uint64_t>(dsize, block_start + kBlock);
        block_.resize(block_end - block_start);
        if (auto s = read_page_bytes(fd_, *overflow, psize_, kPageHeader + block_start, block_.data(), block_.size());
            !s)
          return std::unexpected(s.error());
      }
      return load<std::uint64_t>(block_.data() + (8 * k - block_start));
    };
    auto count = number(0);
    if (!count) return std::unexpected(count.error());
    if (*count > dsize / 8 - 1)
      return damaged(pgno, fmt::format("free list {} counts {} pages in room for {}", i, *count, dsize / 8 - 1));
    std::uint64_t previous = kNoPage;
    for (std::uint64_t k = 1; k <= *count; ++k) {
      auto free_page = number(k);
      if (!free_page) return std::unexpected(free_page.error());
      if (*free_page >= previous)
        return damaged(pgno, fmt::format("free list {} is not in descending order at page {}", i, *free_page));
      if (*free_page < 2 || *free_page > meta_.last_page)
        return damaged(pgno, fmt::format("free list {} names page {}, outside the snapshot's pages 2 to {}", i,
                                         *free_page, meta_.last_page));
      // The free database is walked last: a page in use by any tree is marked by now.
      if (seen_[*free_page])
        return damaged(pgno, fmt::format("free list {} names page {}, which is in use or listed twice", i, *free_page));
      seen_[*free_page] = true;
      ++pages_;
      previous = *free_page;
    }
    return {};
  }

  static constexpr std::uint64_t kBlock = 1 << 16;
  int fd_;
  const LmdbMeta& meta_;
  const std::uint32_t psize_;
  std::vector<bool> seen_;
  std::uint64_t pages_ = 0;
  std::vector<std::vector<std::uint8_t>> levels_;  // one page buffer per depth
  std::vector<std::uint16_t> node_at_;  // by offset / 2 within the page being checked: the even size of the node there
  std::vector<std::uint8_t> block_;     // a block of a free list read from its overflow run
  // The database being walked.
  const Database* db_ = nullptr;
  bool main_ = false, integer_keys_ = false, free_db_ = false;
  std::vector<Database>* named_ = nullptr;
  std::string last_key_;  // the last leaf key seen, if has_last_key_
  bool has_last_key_ = false;
  std::string floor_;  // the branch key the next leaf key must not be below, if has_floor_
  bool has_floor_ = false;
  Counts counted_;
};

}  // namespace

Result<LmdbMeta> check_meta_pages(int fd) {
  auto pages = read_meta_pages(fd);
  if (!pages) return std::unexpected(pages.error());
  const LmdbMeta& meta = newest(*pages);
  if (auto s = check_snapshot_meta(meta, pages->file_size); !s) return std::unexpected(s.error());
  return meta;
}

Result<LmdbSnapshotCheck> check_snapshot(int fd, std::uint64_t txnid, const std::vector<std::string>& databases) {
  LmdbSnapshotCheck out;
  auto pages = read_meta_pages(fd);
  if (!pages) return std::unexpected(pages.error());
  const LmdbMeta& meta = pages->metas[txnid & 1];
  if (meta.txnid != txnid) {
    out.found = false;
    return out;
  }
  if (auto s = check_snapshot_meta(meta, pages->file_size); !s) return std::unexpected(s.error());
  // A meta page torn by a writer that overwrites it now would read as another transaction id, or differ when read
  // again.
  auto again = read_meta_pages(fd);
  if (!again) return std::unexpected(again.error());
  const LmdbMeta& reread = again->metas[txnid & 1];
  if (reread.txnid != txnid || std::memcmp(&reread.main_db, &meta.main_db, sizeof meta.main_db) != 0 ||
      std::memcmp(&reread.free_db, &meta.free_db, sizeof meta.free_db) != 0 || reread.last_page != meta.last_page) {
    out.found = false;
    return out;
  }

  Walker walker(fd, meta);
  std::vector<Database> named;
  const Database main{Database::Kind::main, "", meta.main_db, meta.page};
  if (auto s = walker.walk(main, &named); !s) return std::unexpected(s.error());
  for (const Database& db : named) out.databases.push_back(db.name);
  for (const Database& db : named) {
    if (!databases.empty() && std::find(databases.begin(), databases.end(), db.name) == databases.end()) {
      // Not walked; its record must still describe a tree LMDB can start into.
      if (db.record.root != kNoPage && (db.record.root < 2 || db.record.root > meta.last_page))
        return damaged(db.record_page,
                       fmt::format("database `{}`'s root is page {}, outside the snapshot's pages 2 to {}", db.name,
                                   db.record.root, meta.last_page));
      continue;
    }
    if (auto s = walker.walk(db); !s) return std::unexpected(s.error());
  }
  if (databases.empty()) {
    const Database free{Database::Kind::free, "", meta.free_db, meta.page};
    if (auto s = walker.walk(free); !s) return std::unexpected(s.error());
  }
  out.pages = walker.pages();
  return out;
}

}  // namespace antq::ledger
