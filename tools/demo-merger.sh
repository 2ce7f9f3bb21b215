#!/usr/bin/env bash
# The demo's merger scene, after `antq demo DIR`: a province merged on 2025-07-01 takes its predecessor's ledger in.
# The predecessor is a small ledger of its own (`antq demo --commune-only`: one commune's model, up to its first
# rating, with its own PKI and operator key). The demo ledger seals it as part TL (antq take-in): every proof the old
# operator gave still checks; the auditor sees its open model with no competent unit (not-carried-over); the
# administrator carries it over to the commune formed on that day (antq carry-over), which then holds it as TL-<id>
# with the dossier filed before; antq verify checks the part and the carried record against it.
#   tools/demo-merger.sh DIR [ANTQ]   DIR: what `antq demo DIR` made; ANTQ: the antq to run (default build/antq)
set -euo pipefail
demo=${1:?usage: tools/demo-merger.sh DIR [ANTQ]}
antq=${2:-$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../build/antq}
pki="$demo/pki"
ledger="$demo/ledger"
old="$demo/predecessor"
admin="$pki/admin.key:$pki/admin.crt"
export ANTQ_OPERATOR_KEY="$pki/operator.key"
model=MS-TL-TDCTQ
commune="UBND xã Yên Thủy"  # formed on 2025-07-01 (antq demo's reorganisation)

echo
echo "== 13. A merged province: the predecessor's ledger taken in, its open model carried over"
"$antq" demo "$old" --commune-only > "$demo/predecessor.log" 2>&1 ||
  { echo "demo-merger: the predecessor's ledger could not be made: $(tail -3 "$demo/predecessor.log")" >&2; exit 1; }
echo "   the predecessor: $old/ledger ($("$antq" verify "$old/ledger" --json 2>/dev/null |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["entries"])') entries, its own PKI and operator key)"
proof_before=$("$antq" proof inclusion "$old/ledger" 9 --json)
echo "   antq take-in $ledger $old/ledger --prefix TL --effective 2025-07-01 --admin pki/admin.key:pki/admin.crt"
"$antq" take-in "$ledger" "$old/ledger" --prefix TL --effective 2025-07-01 --admin "$admin" 2>/dev/null | sed 's/^/   /'
proof_after=$("$antq" proof inclusion "$ledger" --part TL 9 --json)
if [[ "$proof_before" == "$proof_after" ]]; then
  echo "   antq proof inclusion $ledger --part TL 9: the very proof the old operator gave"
else
  echo "demo-merger: the part's proof differs from the predecessor's" >&2
  exit 1
fi
echo "   antq audit $ledger (not-carried-over):"
"$antq" audit "$ledger" | grep 'not-carried-over' | sed 's/^/   /' || true
echo "   antq carry-over $ledger --part TL --all --to '$commune' --admin pki/admin.key:pki/admin.crt"
"$antq" carry-over "$ledger" --part TL --all --to "$commune" --admin "$admin" 2>/dev/null | sed 's/^/   /'
echo "   antq show $ledger TL-$model:"
"$antq" show "$ledger" "TL-$model" | grep -E '^(subject|stage|carried from|authority|ratings) ' | sed 's/^/     /'
echo "   antq dossier $ledger TL-$model (papers filed before the merger, read from the part):"
"$antq" dossier "$ledger" "TL-$model" | sed -n '1p;/TL entry/p' | head -4 | sed 's/^/     /'
echo "   antq verify $ledger:"
"$antq" verify "$ledger" | grep -E '^(sealed part|result)' | sed 's/^/     /'
