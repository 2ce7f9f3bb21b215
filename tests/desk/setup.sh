# Sourced by the desk's tests (tests/desk/*_test.sh) after `here` and `antq` are set and tests/tools/common.sh is
# sourced: the demo ledger (antq demo, and its merger scene: part TL) with readers granted — the provincial inspector
# over the whole ledger, a reader (the police certificate) over UBND xã Tân Lập, an auditor over UBND xã Lạc Thịnh,
# an archivist over what the district founded — and an act of Tân Lập whose title is markup (as any office may
# type), then antq serve on loopback over mutual TLS. Sets demo, pki, ledger, url, server_pid.
demo="$tmp/demo"
"$antq" demo "$demo" >"$tmp/demo.log" 2>&1 || { tail -5 "$tmp/demo.log" >&2; fail "antq demo failed"; }
pki="$demo/pki"
ledger="$demo/ledger"
# The merger scene: a predecessor's ledger sealed in as part TL, its open model carried over.
"$here/tools/demo-merger.sh" "$demo" "$antq" >"$tmp/merger.log" 2>&1 || { tail -5 "$tmp/merger.log" >&2; fail "demo-merger failed"; }
export ANTQ_OPERATOR_KEY="$pki/operator.key"
today=$(TZ=Asia/Ho_Chi_Minh date +%F)
# shellcheck source=tools/serve-lib.sh
. "$here/tools/serve-lib.sh"
grant() {  # grant CERT ROLE SCOPE-JSON
  grant_reader "$antq" "$ledger" "$pki/admin.key:$pki/admin.crt" "$tmp" "$@" || fail "granting $2 to $1 was refused"
}
grant "$pki/inspector.crt" inspector '"whole_ledger": true'
grant "$pki/police.crt" reader '"units": ["UBND xã Tân Lập"]'
grant "$pki/unit-01-person.crt" auditor '"units": ["UBND xã Lạc Thịnh"]'
grant "$pki/unit-02-person.crt" archivist '"levels": ["district"]'
# Markup typed into an act by an office: every page must show it as text.
markup='<script>document.title="pwned"</script><img src=x onerror="document.title=1">'
python3 - "$tmp/hostile.json" "$today" "$markup" <<'PY'
import json, sys
json.dump({"act": "survey.plan-approved", "subject": "TL-X1", "date": sys.argv[2],
           "document": {"number": "99/KH-UBND", "title": sys.argv[3], "issuer": "UBND xã Tân Lập"},
           "authority": {"level": "commune", "unit": "UBND xã Tân Lập"},
           "data": {"purpose": sys.argv[3]}}, open(sys.argv[1], "w"), ensure_ascii=False)
PY
"$antq" record "$ledger" "$tmp/hostile.json" --person "$pki/chair.key:$pki/chair.crt" \
  --org "$pki/office.key:$pki/office.crt" >/dev/null 2>&1 || fail "the act with markup in its title was refused"
"$antq" verify "$ledger" >/dev/null || fail "the demo ledger does not verify"
start_serve "$tmp/serve.log" "$antq" serve "$ledger" --listen 127.0.0.1:0 --cert "$pki/server.crt" \
  --key "$pki/server.key" || fail "antq serve did not start"
trap '[[ -n "${server_pid:-}" ]] && { kill -TERM "$server_pid"; wait "$server_pid"; } 2>/dev/null; rm -rf "$tmp"' EXIT
url="https://127.0.0.1:$port"
