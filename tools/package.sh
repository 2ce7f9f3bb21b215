#!/usr/bin/env bash
# Builds antq's Debian package: a Release build without the tests in build-package/, then CPack's DEB generator
# (cmake/package.cmake says what the package holds and why CPack). Prints the .deb's path; install it with
#   sudo apt-get install ./build-package/antq_VERSION_ARCH.deb
# and check it in a fresh Debian root with tools/package-check.sh (its --help says how).
#   tools/package.sh [--no-deps]   --no-deps: do not run tools/install-deps.sh first
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

deps=1
for arg in "$@"; do
  case "$arg" in
    --no-deps) deps=0 ;;
    -h|--help)
      sed -n '2,6s/^# \{0,1\}//p' "$0"
      exit 0
      ;;
    *)
      echo "package.sh: unknown option '$arg' (known: --no-deps)" >&2
      exit 2
      ;;
  esac
done
if ((deps)); then tools/install-deps.sh; fi

jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build-package -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build-package -j"$jobs"
(cd build-package && cpack -G DEB >/dev/null)
ls -1 "$PWD"/build-package/antq_*.deb
