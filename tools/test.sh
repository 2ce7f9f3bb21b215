#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test.
#   tools/test.sh            sanitizer run (signing and ledger tests), then the full suite in build/
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

jobs=$(nproc 2>/dev/null || echo 2)

# Address and undefined-behaviour sanitizers on the units that parse untrusted bytes.
if ((asan)); then
  export ASAN_OPTIONS=detect_leaks=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  echo "== sanitizer build (build-asan/: signing and ledger tests)"
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DANTQ_SANITIZE=ON
  cmake --build build-asan -j"$jobs" --target antq signing_tests ledger_tests
  ctest --test-dir build-asan --no-tests=error --output-on-failure -j"$jobs" -R '^(signing|ledger):'
fi

echo "== full build and test suite (build/)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$jobs"
ctest --test-dir build --no-tests=error --output-on-failure -j"$jobs"
