// LMDB data files (data.mdb), as every command that opens a ledger checks one before LMDB reads it (LMDB does not
// check its pages): ledger::check_meta_pages, then ledger::check_snapshot of the snapshot it names with every
// database and the free pages (what verify checks). The input is the whole file.
//
// Besides "an error or a result": every page the check accepts lies inside the file.
#include <sys/mman.h>
#include <unistd.h>

#include "ledger/lmdb_check.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace antq;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const int fd = memfd_create("data.mdb", 0);
  if (fd < 0) fuzz::broken("memfd_create failed");
  for (std::size_t done = 0; done < size;) {
    const ssize_t n = write(fd, data + done, size - done);
    if (n <= 0) fuzz::broken("cannot write the input to a memfd");
    done += static_cast<std::size_t>(n);
  }
  auto meta = ledger::check_meta_pages(fd);
  if (!meta) {
    fuzz::check_error(meta.error());
  } else {
    fuzz::require(meta->page_size > 0 && (meta->last_page + 1) * meta->page_size <= size,
                  "check_meta_pages accepted a snapshot that leaves the file");
    auto snapshot = ledger::check_snapshot(fd, meta->txnid, {});
    if (!snapshot) fuzz::check_error(snapshot.error());
    else fuzz::require(snapshot->found, "the snapshot check_meta_pages returned is not found");
  }
  close(fd);
  return 0;
}
