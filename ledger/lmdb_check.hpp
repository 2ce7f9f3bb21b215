// Private to ledger/: a structural check of an LMDB 0.9 data file (data.mdb), made before LMDB is trusted with it.
//
// LMDB 0.9 does not check the pages it reads. A damaged page number, node offset or size sends it outside the page
// or past the end of the file (SIGSEGV, SIGBUS), a page size of 0 divides by zero when the environment opens, and a
// page of the wrong kind trips one of its assertions (abort). This checker reads the file as LMDB's format defines
// it (LMDB's mdb.c: MDB_meta, MDB_db, MDB_page, MDB_node) with pread alone, checking every offset and size against
// the page and the file before it uses it, so that no damage can crash it. A snapshot it accepts can be read by LMDB
// without leaving a page or the file: FORMAT.md, "Structure of data.mdb", lists what is checked.
//
// The layout is LMDB 0.9's on a 64-bit little-endian machine (page numbers and transaction ids are 8 bytes, in the
// byte order of the machine that wrote them), the one antq runs on.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "signing/result.hpp"

namespace antq::ledger {

// What LMDB keeps of one database (B-tree) in its parent: a meta page for the free and the main database, a record
// of the main database for each named one (MDB_db).
struct LmdbDbRecord {
  std::uint32_t pad = 0;    // the page size, in the free database's record
  std::uint16_t flags = 0;  // mdb_dbi_open flags (MDB_INTEGERKEY for the free database)
  std::uint16_t depth = 0;  // levels of the tree, 0 when empty
  std::uint64_t branch_pages = 0, leaf_pages = 0, overflow_pages = 0;
  std::uint64_t entries = 0;
  std::uint64_t root = 0;  // page number; all ones (P_INVALID) when empty
};

// The meta page a snapshot starts from (MDB_meta).
struct LmdbMeta {
  unsigned page = 0;  // 0 or 1: where it was read
  std::uint32_t page_size = 0;
  std::uint64_t last_page = 0;  // the highest page number the snapshot uses
  std::uint64_t txnid = 0;      // the write transaction that committed it
  LmdbDbRecord free_db, main_db;
};

// Checks the two meta pages of data.mdb (open for reading as `fd`) and returns the one LMDB opens: the one with the
// larger transaction id (page 0 on a tie). Both must be meta pages of LMDB's data version with the same, valid page
// size; the one returned must also have been written where its transaction id puts it (page txnid mod 2), use no
// page past the end of the file, and hold sane records of the free and main databases. Nothing past the meta pages
// is read. corruption "damaged store at page N: ..." naming what is wrong; io_error when the file cannot be read.
Result<LmdbMeta> check_meta_pages(int fd);

// What check_snapshot did.
struct LmdbSnapshotCheck {
  bool found = true;        // false: no meta page holds `txnid` any more (a writer committed twice since)
  std::uint64_t pages = 0;  // pages checked: tree pages, overflow pages and, with the free database, free pages
  std::vector<std::string> databases;  // the named databases found in the main database, in key order
};

// Checks the B-trees of the snapshot committed by transaction `txnid` of data.mdb (`fd`): the main database with
// the record of every named database it holds, then the trees of the named databases listed in `databases` (all of
// them, and the free database with every free page it lists, when `databases` is empty). The caller must keep the
// snapshot from being reused while this runs, by holding a read transaction of it (mdb_txn_id() == txnid), unless
// nobody can write the file. Every page is checked once: number below the snapshot's last page and inside the file,
// header (number, kind, bounds of its free space), every node inside the page and in key order, branch pointers,
// overflow runs inside the snapshot, no page reached twice (no cycle, no page shared by two trees, no free page in
// use), leaves at the depth the database record gives and page and entry counts equal to the record's.
// found == false (nothing checked) when neither meta page holds `txnid`; corruption "damaged store at page N: ..."
// at the first problem; io_error when the file cannot be read.
Result<LmdbSnapshotCheck> check_snapshot(int fd, std::uint64_t txnid, const std::vector<std::string>& databases);

}  // namespace antq::ledger
