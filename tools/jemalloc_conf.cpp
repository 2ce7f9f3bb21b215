// jemalloc's options for the programs that allocate with it (CMakeLists.txt, antq_program_allocator). jemalloc reads
// this symbol when it starts; MALLOC_CONF in the environment still overrides it.
//
// thp:always: jemalloc asks for transparent huge pages (madvise(MADV_HUGEPAGE)) on the memory it maps, so that a heap
// that grows to hundreds of MB — the replay state `verify` and `rebuild` keep for every subject — takes one page
// fault per 2 MiB instead of one per 4 KiB. On the kernels that enable THP only on request ("madvise", Debian's
// default) nothing else asks for it. Measured on `antq verify` of a ledger of 100,002 RSA-2048 events: minor page
// faults 24.7k -> 6.7k and user CPU time about 4% lower. Where THP is off ("never"), the option does nothing.
extern "C" {
extern const char* malloc_conf;
const char* malloc_conf = "thp:always,metadata_thp:auto";
}
