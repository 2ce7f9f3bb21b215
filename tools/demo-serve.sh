#!/usr/bin/env bash
# The demo's service scene, after `antq demo DIR`: antq serve on loopback with the demo PKI; the administrator grants
# a provincial inspector read access; the commune's clerk submits a decision (the chairman's and the office's
# signatures) over HTTPS with the chairman's certificate; the inspector reads it back; the tiles are mirrored and
# the copy checked; SIGTERM stops the server cleanly. Requests go through curl, as any office's HTTP client's would,
# and through antq itself: the commune police submit with `antq append --server`, which checks the answer's receipt.
#   tools/demo-serve.sh DIR [ANTQ]   DIR: what `antq demo DIR` made; ANTQ: the antq to run (default build/antq)
set -euo pipefail
demo=${1:?usage: tools/demo-serve.sh DIR [ANTQ]}
antq=${2:-$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../build/antq}
pki="$demo/pki"
ledger="$demo/ledger"
work="$demo/serve"
mkdir -p "$work"
export ANTQ_OPERATOR_KEY="$pki/operator.key"
server_pid=""
trap '[[ -n "$server_pid" ]] && kill -TERM "$server_pid" 2>/dev/null' EXIT

echo
echo "== 12. The provincial service: antq serve over HTTPS, with client certificates"
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/serve-lib.sh"
# The mirror below fetches a resource per document and certificate (hundreds in the full demo): past the service's
# per-client rate it is answered 429 with Retry-After, which antq mirror waits out.
start_serve "$work/serve.log" "$antq" serve "$ledger" --listen 127.0.0.1:0 --cert "$pki/server.crt" \
  --key "$pki/server.key" ||
  { echo "demo-serve: antq serve did not start" >&2; exit 1; }
url="https://127.0.0.1:$port"
echo "   antq serve $ledger --listen 127.0.0.1:$port --cert pki/server.crt --key pki/server.key"
# curl as WHO (a file of the demo PKI, without .crt/.key), checking the server against the demo root.
as() { local who=$1; shift; curl -sS --cacert "$pki/roots.pem" --cert "$pki/$who.crt" --key "$pki/$who.key" "$@"; }
fp() { openssl x509 -in "$1" -outform DER | sha256sum | cut -d' ' -f1; }
post() {  # post WHO FILE: POST /v1/acts; prints the HTTP status and what the answer says
  local code
  code=$(as "$1" -o "$work/answer.json" -w '%{http_code}' --data-binary @"$2" "$url/v1/acts")
  python3 - "$work/answer.json" "$code" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
if "entries" in a:
    e = a["entries"][0]
    print("   HTTP %s: entry %d, %s %s; checkpoint of size %d; inclusion proof of %d hashes"
          % (sys.argv[2], e["seq"], e["act"], e["subject"], a["size"], len(e["proof"])))
else:
    print("   HTTP %s: %s" % (sys.argv[2], json.dumps(a, ensure_ascii=False)))
PY
  [[ $code == 201 ]]
}

echo "-- The administrator grants a provincial inspector read access to the whole ledger (access.granted)"
cat > "$work/grant.json" <<JSON
{"act": "access.granted", "subject": "ledger", "date": "$(date +%F)",
 "document": {"number": "21/QĐ-CAT", "title": "Cấp quyền tra cứu sổ cái cho thanh tra", "issuer": "Công an tỉnh Hòa Bình"},
 "data": {"certificate": "$(fp "$pki/inspector.crt")", "role": "inspector", "whole_ledger": true, "from": "$(date +%F)"}}
JSON
"$antq" sign "$work/grant.json" --key "$pki/admin.key" --cert "$pki/admin.crt" --role person -o "$work/grant.signed" >/dev/null 2>&1
post admin "$work/grant.signed"

echo "-- The commune's clerk submits a decision signed by the chairman and sealed by the office"
cat > "$work/plan.json" <<JSON
{"act": "survey.plan-approved", "subject": "TL-M9", "date": "$(date +%F)",
 "document": {"number": "31/KH-UBND", "title": "Kế hoạch khảo sát tình hình ANTT xóm Bãi", "issuer": "UBND xã Tân Lập"},
 "authority": {"level": "commune", "unit": "UBND xã Tân Lập"}, "data": {"purpose": "Khảo sát tình hình ANTT xóm Bãi"}}
JSON
"$antq" sign "$work/plan.json" --key "$pki/chair.key" --cert "$pki/chair.crt" --role person -o "$work/plan.person" >/dev/null 2>&1
"$antq" sign "$work/plan.json" --key "$pki/office.key" --cert "$pki/office.crt" --role organisation \
  --signed "$work/plan.person" -o "$work/plan.signed" >/dev/null 2>&1
post chair "$work/plan.signed"
echo "-- The same act again is refused, and nothing is written:"
code=$(as chair -o "$work/answer.json" -w '%{http_code}' --data-binary @"$work/plan.signed" "$url/v1/acts")
echo "   HTTP $code: $(cat "$work/answer.json")"

echo "-- The commune police submit the survey report from their own machine with antq append --server; the answer's"
echo "   receipt (inclusion proof, checkpoint) is checked against the operator's verifier key the office holds"
cat > "$work/report.json" <<JSON
{"act": "survey.reported", "subject": "TL-M9", "date": "$(date +%F)",
 "document": {"number": "32/BC-CAX", "title": "Báo cáo kết quả khảo sát xóm Bãi", "issuer": "Công an xã Tân Lập"},
 "authority": {"level": "commune", "unit": "Công an xã Tân Lập"}, "data": {"findings": "Cần mô hình tự quản"}}
JSON
"$antq" sign "$work/report.json" --key "$pki/police.key" --cert "$pki/police.crt" --role person \
  -o "$work/report.signed" >/dev/null 2>&1
echo "   antq append --server $url report.signed --client-cert pki/police.key:pki/police.crt \\"
echo "     --server-ca pki/roots.pem --operator-key ledger/operator.vkey --json"
"$antq" append --server "$url" "$work/report.signed" --client-cert "$pki/police.key:$pki/police.crt" \
  --server-ca "$pki/roots.pem" --operator-key "$ledger/operator.vkey" --json >"$work/receipt.json"
python3 - "$work/receipt.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))[0]
c = r["receipt"]
print("   entry %d, %s %s; its inclusion proof (%d hashes) leads to the root of the tree of size %d, whose checkpoint "
      "verifies with the operator's key: %s" % (r["seq"], r["act"], r["subject"], len(c["proof"]), c["tree_size"],
                                                "yes" if c["anchored"] else "no"))
PY

echo "-- The inspector reads it back with antq show from the service's URL (GET /v1/show); the access history keeps it"
echo "   antq show $url TL-M9 --client-cert pki/inspector.key:pki/inspector.crt --server-ca pki/roots.pem --json"
"$antq" show "$url" TL-M9 --client-cert "$pki/inspector.key:$pki/inspector.crt" --server-ca "$pki/roots.pem" \
  --json >"$work/show.json"
python3 - "$work/show.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print("   %s: a %s at stage %s, as the inspector reads it through the service" % (s["subject"], s["kind"], s["stage"]))
PY
echo "-- A certificate the ledger does not grant reading is refused:"
echo "   HTTP $(as police -o "$work/answer.json" -w '%{http_code}' "$url/v1/show?subject=TL-M9"): $(cat "$work/answer.json")"

echo "-- The log as C2SP tiles, mirrored; the copy is checked against the operator's key, not the server"
"$antq" mirror "$url" "$work/mirror" --operator-key "$ledger/operator.vkey" \
  --client-cert "$pki/inspector.key:$pki/inspector.crt" --server-ca "$pki/roots.pem" 2>&1 | sed 's/^/   /'

echo "-- SIGTERM: no new connections, the requests in flight answered, then exit 0"
kill -TERM "$server_pid"
wait "$server_pid"
server_pid=""
tail -n 4 "$work/serve.log" | sed 's/^/   log: /'
"$antq" access-log "$ledger" | tail -n 3 | sed 's/^/   /'
