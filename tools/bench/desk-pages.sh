#!/usr/bin/env bash
# What a page of the inspector's desk costs, against the API's JSON answer to the same question in the same run
# (the page is rendered from that very query): antq serve over mutual TLS on the demo ledger, each request made RUNS
# times by curl with the demo inspector's certificate, the mean of curl's total time.
#   tools/bench/desk-pages.sh [ANTQ] [RUNS]   ANTQ: default build/antq; RUNS: default 20
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
antq=$(readlink -f "${1:-$here/build/antq}")
runs=${2:-20}
tmp=$(mktemp -d)
server_pid=""
trap '[[ -n "$server_pid" ]] && { kill -TERM "$server_pid"; wait "$server_pid"; } 2>/dev/null; rm -rf "$tmp"' EXIT
"$antq" demo "$tmp/demo" >/dev/null 2>&1
pki="$tmp/demo/pki"
export ANTQ_OPERATOR_KEY="$pki/operator.key"
. "$here/tools/serve-lib.sh"
grant_reader "$antq" "$tmp/demo/ledger" "$pki/admin.key:$pki/admin.crt" "$tmp" "$pki/inspector.crt" inspector \
  '"whole_ledger": true'
start_serve "$tmp/serve.log" "$antq" serve "$tmp/demo/ledger" --listen 127.0.0.1:0 --cert "$pki/server.crt" \
  --key "$pki/server.key"
url="https://127.0.0.1:$port"
mean() {  # mean PATH: seconds, over RUNS requests
  local total=0 t
  for _ in $(seq "$runs"); do
    t=$(curl -sS --cacert "$pki/roots.pem" --cert "$pki/inspector.crt" --key "$pki/inspector.key" -o /dev/null \
          -w '%{time_total}' "$url$1")
    total=$(python3 -c "print($total + $t)")
  done
  python3 -c "print(f'{$total / $runs:.4f}')"
}
echo "$(sed -n 2p <("$antq" checkpoint "$tmp/demo/ledger")) entries; mean of $runs requests each:"
for pair in "/desk/subject?id=YT-M01|/v1/history?subject=YT-M01" "/desk/stats|/v1/stats" "/desk/audit|/v1/audit" \
            "/desk/|/v1/stats" "/desk/verify?seq=100|/v1/proof/inclusion?seq=100"; do
  page=${pair%%|*} api=${pair##*|}
  p=$(mean "$page") a=$(mean "$api")
  python3 -c "print(f'  {\"$page\":<26} {$p:.4f} s; {\"$api\":<32} {$a:.4f} s: {$p / $a:.2f}x')"
done
