// Private to ledger/: lets Cap'n Proto 0.9's headers (Debian 12) compile with clang 16 or later in C++20 and later.
//
// capnp/blob.h compares a `const char*` with a kj::StringPtr. kj 0.9 declares no operator for that when the compiler
// has three-way comparison, counting on the reversed StringPtr::operator==; clang 16 implements P2468R2, under which
// that reversal is not considered because StringPtr also declares operator!=. These are the operators kj declares for
// compilers before C++20 (Cap'n Proto 1.0 fixed blob.h instead: capnproto/capnproto#1618). CMakeLists.txt includes
// this header ahead of everything else (-include) in ledger/'s sources, for clang with Cap'n Proto before 1.0 only.
#pragma once

#include <kj/string.h>

namespace kj {

inline bool operator==(const char* a, const StringPtr& b) { return b == StringPtr(a); }
inline bool operator!=(const char* a, const StringPtr& b) { return !(b == StringPtr(a)); }

}  // namespace kj
