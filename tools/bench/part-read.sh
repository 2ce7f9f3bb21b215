#!/usr/bin/env bash
# What reading a merged province's predecessor through its sealed part costs, against reading the predecessor's own
# directory in the same run (ledger/FORMAT.md §14: a part is written out into a temporary directory per question).
# The predecessor is the full demo ledger (`antq demo`); the ledger that takes it in is a commune-only demo ledger.
#   tools/bench/part-read.sh [ANTQ] [RUNS]   ANTQ: default build/antq; RUNS: runs per command (default 20)
set -euo pipefail
antq=$(readlink -f "${1:-$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../../build/antq}")
runs=${2:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$antq" demo big > /dev/null 2>&1
"$antq" demo small --commune-only > /dev/null 2>&1
today=$(TZ=Asia/Ho_Chi_Minh date +%F)
ANTQ_OPERATOR_KEY=small/pki/operator.key "$antq" take-in small/ledger big/ledger --prefix YT --effective "$today" \
  --admin small/pki/admin.key:small/pki/admin.crt > /dev/null 2>&1
entries=$("$antq" verify big/ledger --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["entries"])')
# Mean seconds of `runs` runs of the command.
mean() {
  local start end
  start=$(date +%s.%N)
  for _ in $(seq "$runs"); do "$@" > /dev/null; done
  end=$(date +%s.%N)
  python3 -c "print(f'{($end - $start) / $runs:.4f}')"
}
direct_show=$(mean "$antq" show big/ledger YT-M01)
part_show=$(mean "$antq" show small/ledger YT.YT-M01)
direct_proof=$(mean "$antq" proof inclusion big/ledger 100)
part_proof=$(mean "$antq" proof inclusion small/ledger --part YT 100)
direct_stats=$(mean "$antq" stats big/ledger --as-of "$today")
part_stats=$(mean "$antq" stats small/ledger --as-of "$today")
echo "part of $entries entries ($(du -k big/ledger/data.mdb | cut -f1) KiB data.mdb), mean of $runs runs:"
for q in show proof stats; do
  d=direct_$q p=part_$q
  python3 -c "print(f'  {\"$q\":<6} through the part {${!p}:.4f} s, the predecessor directly {${!d}:.4f} s: {${!p} / ${!d}:.2f}x')"
done
