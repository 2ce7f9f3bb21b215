#!/usr/bin/env bash
# The commands that ask antq serve, against a server that lies (tests/tools/hostile_server.py): a chunk line or a
# trailer without end, JSON nested 100,000 deep, too many values or too wide to print, Retry-After: 0 for ever, CSV
# with a formula or a C1 control, HTML with a script, units of the wrong type, an error message of 50 kB, of 8 MiB
# or without end, an append answered with another act or with too many values, interim answers (103) and a storm of
# them, a redirect, a 201 before a large body was sent, a submission not answered, a reconciliation of another report,
# a document that refreshes to another site.
# Each ends with one line, exit 2, within seconds and a bounded memory; nothing is printed on stdout. A damaged store
# (500, "damaged": true) exits 1, as the command on the directory. Plain http:// is refused to any address but this
# machine's.
#   tests/tools/serve_client_test.sh ANTQ
set -euo pipefail
antq=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/tools/common.sh
. "$here/tests/tools/common.sh"
server_pid=""
trap '[[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null; rm -rf "$tmp"' EXIT

pki="$tmp/pki"
"$here/tools/demo-pki.sh" "$pki" >/dev/null
access=(--client-cert "$pki/inspector.key:$pki/inspector.crt" --server-ca "$pki/roots.pem")

# against MODE PATTERN ARGS...: antq ARGS (its URL written as URL) against the hostile server in MODE (given $file,
# if set) exits 2 (or $expect_rc) within 30 s, never above 200 MB resident (or $max_rss kB), with one line on stderr
# matching PATTERN and nothing on stdout.
expect_rc=2 max_rss=200000
against() {
  local mode=$1 pattern=$2 port
  shift 2
  coproc server {
    exec python3 "$here/tests/tools/hostile_server.py" "$pki/server.crt" "$pki/server.key" "$mode" ${file:+"$file"}
  }
  server_pid=$server_PID
  read -r port <&"${server[0]}"
  local args=("${@//URL/https://127.0.0.1:$port}") rc=0 rss=0 now pid
  # Its peak resident memory read from /proc while it runs (VmHWM, kB), and killed after 30 s.
  "$antq" "${args[@]}" >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  local until=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < until)); do
    now=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    [[ -n "$now" ]] && rss=$now
    sleep 0.05
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" || rc=$?
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  local err
  err=$(grep -v "asks to wait" "$tmp/err" || true)
  [[ $rc == "$expect_rc" ]] || fail "$mode: antq ${args[*]} exited $rc: $(head -c 300 "$tmp/err")"
  [[ $(wc -l <<<"$err") == 1 && $err == $pattern ]] ||
    fail "$mode: expected one line like '$pattern', got: $(head -c 300 <<<"$err")"
  [[ ! -s "$tmp/out" ]] || fail "$mode: printed on stdout: $(head -c 200 "$tmp/out")"
  ((rss < max_rss)) || fail "$mode: antq used $rss kB"
}

against chunk-extension "*a line of the response (a chunk's size line or a trailer) is longer than*" \
  show URL M-1 --json "${access[@]}"
against trailer "*a line of the response (a chunk's size line or a trailer) is longer than*" \
  show URL M-1 --json "${access[@]}"
against nested "*nested deeper than 64 levels of arrays and objects" show URL M-1 --json "${access[@]}"
# 5 million empty arrays (15 MB): refused past 2 million values (64 MiB of them would take 1.3 GB parsed).
max_rss=300000 against many-values "*more than 2000000 values" show URL M-1 --json "${access[@]}"
# 1.9 million empty arrays 61 deep (6 MB): indented, some 470 MB; refused past 256 MiB.
max_rss=300000 against deep-and-wide "*the answer would print as more than 268435456 bytes" show URL M-1 --json \
  "${access[@]}"
start=$SECONDS
against retry-0 "*HTTP 503: busy" show URL M-1 --json "${access[@]}"
(( $(grep -c "asks to wait 1 s" "$tmp/err") == 10 )) ||
  fail "Retry-After: 0 was not waited as 1 s, 10 times: $(tail -2 "$tmp/err")"
(( SECONDS - start < 25 )) || fail "Retry-After: 0 held the client $((SECONDS - start)) s"
against formula-csv "*the answer is not CSV as antq writes it*" stats URL --format csv "${access[@]}"
against c1-csv "*the answer holds control characters" stats URL --format csv "${access[@]}"
against script-html "*the answer does not begin as antq's documents do*" report URL 2026 --format html "${access[@]}"
against units-ceased "*the service's units are not what antq writes" units URL "${access[@]}"
against long-error "*HTTP 500: xxxx*…" show URL M-1 --json "${access[@]}"
(( $(wc -c <"$tmp/err") < 1000 )) || fail "a 50 kB error message was printed whole"
# A longer body is not read: the answer is its status (a mirror falls back from a CDN's large 404 page).
against huge-error "*HTTP 500: its body is longer than 65536 bytes (not read)" show URL M-1 --json "${access[@]}"
against huge-chunked-error "*HTTP 404: its body is longer than 65536 bytes (not read)" show URL M-1 --json \
  "${access[@]}"
# A damaged store exits 1, as the command does on the directory; a "damaged" that is not true is any other 500.
expect_rc=1 against damaged "*HTTP 500: entry 7: the store is damaged" show URL M-1 --json "${access[@]}"
against damaged-string "*HTTP 500: entry 7: the store is damaged" show URL M-1 --json "${access[@]}"

# An append answered 201 with another act than the one sent: not a proof (exit 1), and it may have been admitted.
ledger="$tmp/ledger"
"$antq" demo --commune-only "$tmp/demo" >/dev/null 2>&1
demo_pki="$tmp/demo/pki"
"$antq" sign "$tmp/demo/acts/03-survey.plan-approved.json" --key "$demo_pki/chair.key" --cert "$demo_pki/chair.crt" \
  --role person -o "$tmp/plan.signed" >/dev/null 2>&1
expect_rc=1 against other-act "*does not prove that the log holds the act (its entries are not those of the acts*" \
  append --server URL "${access[@]}" "$tmp/plan.signed"
# An append's 201 answer is read within the limits of every answer: 5 million empty arrays (15 MB) refused.
max_rss=300000 against many-values-201 "*more than 2000000 values" append --server URL "${access[@]}" "$tmp/plan.signed"

# Interim answers (103) are passed over, a few of them; a redirect is named, not followed; a success before a large
# body was sent is refused; a submission sent whole and not answered says its outcome is not known.
against interim-103 "*HTTP 500: after the hints" show URL M-1 --json "${access[@]}"
against interim-storm "*more than 8 interim (1xx) answers" show URL M-1 --json "${access[@]}"
against redirect "*HTTP 301: a redirect to https://elsewhere.example/v1/, not followed*" show URL M-1 --json \
  "${access[@]}"
head -c 100000 /dev/zero | tr '\0' 'a' >"$tmp/minutes.txt"
python3 - "$tmp/demo/acts/03-survey.plan-approved.json" "$tmp/minutes.txt" "$tmp/large.json" <<'PY'
import json, sys
act = json.load(open(sys.argv[1]))
act["attachments"] = [{"item": "1", "path": sys.argv[2], "media_type": "text/plain"}]
json.dump(act, open(sys.argv[3], "w"), ensure_ascii=False)
PY
"$antq" sign "$tmp/large.json" --key "$demo_pki/chair.key" --cert "$demo_pki/chair.crt" --role person \
  -o "$tmp/large.signed" >/dev/null 2>&1 || fail "sign an act with a 100 kB document"
against early-201 "*the server answered 201 before the request's body was sent" \
  append --server URL "${access[@]}" "$tmp/large.signed"
against close-after-read "*the server closed the connection without a response (the request was sent: whether the*" \
  append --server URL "${access[@]}" "$tmp/plan.signed"

# A document that begins as antq's and then refreshes to another site (no policy forbids a <meta> refresh).
"$antq" report "$tmp/demo/ledger" 2025 --format html >"$tmp/report.html"
head -n 5 "$tmp/report.html" >"$tmp/prologue.html"
file="$tmp/prologue.html" against refresh-html "*the answer holds a <meta> tag past the prologue*" \
  report URL 2025 --format html "${access[@]}"

# A reconciliation must be of the report sent: another period (and no figure compared) is refused, not "0 differ".
"$antq" report "$tmp/demo/ledger" 2025 --format csv >"$tmp/report.csv"
against reconcile-other "*the service's reconciliation is not of $tmp/report.csv (another period, unit or as-of*" \
  reconcile URL "$tmp/report.csv" "${access[@]}"

# Plain http:// carries no client certificate and no server authentication: to this machine only.
for url in http://10.0.0.1:8443 http://127.example.com:8443 http://[fe80::1]:8443; do
  set +e
  out=$("$antq" show "$url" M-1 --json 2>&1); rc=$?
  set -e
  [[ $rc == 2 && $out == *"plain http:// only to this machine"* ]] || fail "$url: rc $rc: $out"
done
echo "antq's service commands against a hostile server: bounded lines, deep or wide JSON, Retry-After 0, formulas,"\
  "C1, scripts, wrong types, long errors, a damaged store, another act, a wide 201, 1xx, a redirect, an early 201,"\
  "an unanswered submission, another report's reconciliation, a refresh, plain http elsewhere: one line each"
