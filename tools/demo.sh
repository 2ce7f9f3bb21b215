#!/usr/bin/env bash
# Installs what is missing, builds antq, builds a demo ledger, serves it (tools/demo-serve.sh), and takes a
# predecessor's ledger into it (tools/demo-merger.sh).
#   tools/demo.sh [DIR]   DIR: where the demo ledger goes (default: a new temporary directory)
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

tools/install-deps.sh

jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs" --target antq

dir="${1:-$(mktemp -d)/demo-ledger}"
build/antq demo "$dir"
# The service scene: antq serve with the demo PKI, a submission, a read, a mirror, a clean stop.
tools/demo-serve.sh "$dir" build/antq
# The merger scene: a predecessor's ledger taken in, its open model carried over to the commune formed on 2025-07-01.
tools/demo-merger.sh "$dir" build/antq
