#!/usr/bin/env bash
# The demo's merger scene as tools/demo.sh runs it (tools/demo-merger.sh after `antq demo`): the predecessor's ledger
# is sealed in as part TL with the very proofs its operator gave, the auditor finds its open model not carried over,
# the administrator carries it over to the commune formed on 2025-07-01, which then holds it with the dossier filed
# before the merger, and the ledger verifies with the part and the carried record checked.
#   tests/tools/demo_merger_test.sh ANTQ
set -euo pipefail
antq=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/tools/common.sh
. "$here/tests/tools/common.sh"
demo="$tmp/demo"
"$antq" demo "$demo" > "$tmp/demo.out" 2>&1 || fail "antq demo failed: $(tail -5 "$tmp/demo.out")"
"$here/tools/demo-merger.sh" "$demo" "$antq" > "$tmp/scene.out" 2>&1 || fail "the merger scene failed: $(tail -15 "$tmp/scene.out")"
expect() { grep -Eq "$1" "$tmp/scene.out" || fail "the scene did not print /$1/: $(cat "$tmp/scene.out")"; }
expect "sealed as part TL, effective 2025-07-01"
expect "the very proof the old operator gave"
expect "\[not-carried-over\] TL\.MS-TL-TDCTQ \(model, active, founded by UBND xã Tân Lập\)"
expect "carried TL\.MS-TL-TDCTQ -> TL-MS-TL-TDCTQ \(entry [0-9]+\)"
expect "carried from TL\.MS-TL-TDCTQ"
expect "authority +UBND xã Yên Thủy \(commune\), established 2023-03-01"
expect "present +02/KH-UBND 2023-01-05 \(TL entry 3\)"
expect "sealed part +TL: .*verifies as a ledger under its own profile"
expect "result +OK"
# Nothing is left without a competent unit, and the carried model is Yên Thủy's to rate.
"$antq" audit "$demo/ledger" --json | python3 -c '
import json, sys
left = [f["subject"] for f in json.load(sys.stdin)["findings"] if f["rule"] == "not-carried-over"]
sys.exit("still not carried over: %s" % left if left else 0)' || fail "a subject of part TL is left without a unit"
"$antq" units "$demo/ledger" --json > /dev/null
echo "the demo's merger scene: sealed with the old proofs, found, carried over, verified"
