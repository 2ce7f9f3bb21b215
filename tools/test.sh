#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test.
#   tools/test.sh            sanitizer run (signing and ledger tests, fuzz smoke runs), then the full suite in build/
#   tools/test.sh --no-asan  only the full suite
# The full suite runs last, so the output ends with ctest's summary of all tests.
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

asan=1
for arg in "$@"; do
  case "$arg" in
    --no-asan) asan=0 ;;
    -h|--help)
      sed -n '2,5s/^# \{0,1\}//p' "$0"
      exit 0
      ;;
    *)
      echo "test.sh: unknown option '$arg' (known: --no-asan)" >&2
      exit 2
      ;;
  esac
done

tools/install-deps.sh
# The desk's browser tests drive Debian's Chromium with playwright-core, as tests/desk/package-lock.json pins it (it
# downloads no browser). Without the npm registry, tools:desk-browser says so and is skipped.
# npm trusts the system's certificate authorities too (a site whose TLS goes through its own authority).
if ! (cd tests/desk && npm ls --depth=0 >/dev/null 2>&1) &&
   ! (cd tests/desk && NODE_EXTRA_CA_CERTS=${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt} \
        npm ci --no-audit --no-fund --loglevel=error); then
  echo "test.sh: npm ci in tests/desk failed: the desk's browser tests will be skipped" >&2
fi

jobs=$(nproc 2>/dev/null || echo 2)
# Debug information as line tables only (-g1, -gline-tables-only): backtraces, gdb's and the sanitizers' reports
# keep file and line, and a unit costs g++ 20-35% less CPU (ledger/act.cpp 32.6 s -> 22.8 s), clang with the
# sanitizers 5-18% (CI builds both from scratch on 2 cores within a time limit).

# Address and undefined-behaviour sanitizers on the units that parse untrusted bytes, built with clang-16 so that the
# same build holds the libFuzzer targets (tests/fuzz/): each gets a smoke run of a few seconds from its seeds.
if ((asan)); then
  export ASAN_OPTIONS=detect_leaks=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  if [[ -x /usr/lib/llvm-16/bin/llvm-symbolizer ]]; then export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-16/bin/llvm-symbolizer; fi
  # A build-asan/ made by another compiler (g++, before the fuzz targets) is made anew.
  if [[ -f build-asan/CMakeCache.txt ]] && ! grep -q '^CMAKE_CXX_COMPILER:.*clang++-16$' build-asan/CMakeCache.txt; then
    rm -rf build-asan
  fi
  echo "== sanitizer build (build-asan/, clang-16: signing and ledger tests, a smoke run of each fuzz target)"
  # -O1, as the sanitizers' own documentation builds them: reports stay exact, the build is quicker.
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-16 -DCMAKE_CXX_COMPILER=clang++-16 \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only -DNDEBUG" \
    "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only -DNDEBUG" -DANTQ_SANITIZE=ON -DANTQ_FUZZ=ON -DANTQ_WERROR=ON
  cmake --build build-asan -j"$jobs" --target antq signing_tests ledger_tests fuzz_targets
  ctest --test-dir build-asan --no-tests=error --output-on-failure -j"$jobs" -R '^(signing|ledger|fuzz):'
fi

echo "== full build and test suite (build/)"
# Warnings are errors here (and so in CI), never in a user's build (CMakeLists.txt, ANTQ_WERROR).
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" \
  "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" -DANTQ_WERROR=ON
cmake --build build -j"$jobs"
ctest --test-dir build --no-tests=error --output-on-failure -j"$jobs"
