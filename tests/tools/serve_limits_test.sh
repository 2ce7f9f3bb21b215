#!/usr/bin/env bash
# antq serve under abuse, with small limits: an oversized body (413), an oversized header (431), malformed HTTP (400),
# a request that is not HTTP/1.1 (505), a chunked body (411), a client too fast for its rate (429 with Retry-After),
# a client past its connections (429 before its body is read), more bodies at once than the server takes (503) or
# than one client's share of them (429), no Host or two, a Transfer-Encoding without chunked last (400, smuggling),
# a malformed target (400 from the header, in the language asked for), 405 with Allow, silent connections past the
# handshakes one address may have under way or all addresses together (closed), a slow client that never finishes
# its header (closed within the header timeout, logged 408, while others are served), garbage instead of a TLS
# handshake, a client that tries to resume its TLS session (a full handshake each time, so that a revocation counts
# at once); the server survives all of it, answers a normal request after, and drains on SIGTERM.
#   tests/tools/serve_limits_test.sh ANTQ
set -euo pipefail
antq=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/tools/common.sh
. "$here/tests/tools/common.sh"
server_pid=""
trap '[[ -n "$server_pid" ]] && kill -9 "$server_pid" 2>/dev/null; rm -rf "$tmp"' EXIT

pki="$tmp/pki"
"$here/tools/demo-pki.sh" "$pki" >/dev/null
ledger="$tmp/ledger"
"$antq" init "$ledger" --profile hoa-binh-2023 --trust "$pki/roots.pem" --admin "$pki/province-person.crt" >/dev/null
. "$here/tools/serve-lib.sh"
grant_reader "$antq" "$ledger" "$pki/province-person.key:$pki/province-person.crt" "$tmp" "$pki/inspector.crt" \
  inspector '"whole_ledger": true'
start_serve "$tmp/serve.log" "$antq" serve "$ledger" --listen 127.0.0.1:0 --cert "$pki/server.crt" \
  --key "$pki/server.key" --threads 2 --max-body 4096 --max-header 2048 --header-timeout 2 --idle-timeout 6 \
  --client-rate 5 --client-burst 5 --max-client-connections 3 --max-bodies-in-flight 8192 \
  --max-handshakes-per-address 3 --max-connections 12 || fail "antq serve did not start"
url="https://127.0.0.1:$port"
curl_as() { curl -sS --cacert "$pki/root.crt" --cert "$pki/inspector.crt" --key "$pki/inspector.key" "$@"; }
status() { curl_as -o "$tmp/out" -w '%{http_code}' "$@" || true; }
# TLS as WHO (a client certificate of the demo PKI) for at most SECONDS: stdin to the server, its answer on stdout.
tls_as() { timeout "$2" openssl s_client -quiet -connect "127.0.0.1:$port" -CAfile "$pki/root.crt" \
  -cert "$pki/$1.crt" -key "$pki/$1.key" 2>/dev/null; }
# Raw bytes over TLS (by default with the inspector's certificate); prints the status line of the answer, if any.
raw() { printf "$1" | tls_as "${2:-inspector}" "${3:-10}" | head -1 | tr -d '\r'; }
pause() { sleep 1.1; }  # the rate limit's bucket refills (5 per second)

head -c 10000 /dev/zero > "$tmp/big"
[[ $(status --data-binary @"$tmp/big" "$url/v1/reconcile") == 413 ]] || fail "an oversized body was not answered 413"
pause
[[ $(status -H "X-Padding: $(head -c 4000 /dev/zero | tr '\0' a)" "$url/v1/health") == 431 ]] \
  || fail "an oversized header was not answered 431"
pause
[[ $(raw 'GET /v1/health HTTP/1.1\r\nHost x\r\n\r\n') == "HTTP/1.1 400"* ]] || fail "malformed HTTP was not answered 400"
[[ $(raw 'GET /v1/health HTTP/1.0\r\nHost: x\r\n\r\n') == "HTTP/1.1 505"* ]] || fail "HTTP/1.0 was not answered 505"
[[ $(raw 'GET /v1/health?x=%%zz HTTP/1.1\r\nHost: x\r\n\r\n') == "HTTP/1.1 400"* ]] || fail "a bad escape was not answered 400"
pause
# No Host, or two (RFC 9112 §3.2); a Transfer-Encoding whose last coding is not chunked, which would have the request
# after it read as its body or the reverse (request smuggling): 400, and the connection closed (one answer only).
[[ $(raw 'GET /v1/health HTTP/1.1\r\n\r\n') == "HTTP/1.1 400"* ]] || fail "a request without Host was not answered 400"
[[ $(raw 'GET /v1/health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n') == "HTTP/1.1 400"* ]] ||
  fail "a request with two Host fields was not answered 400"
smuggled='POST /v1/reconcile HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n'
smuggled+='GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n'
answers=$(printf "$smuggled" | tls_as inspector 10 | grep -ac '^HTTP/1.1 ' || true)
[[ $answers == 1 && $(raw "$smuggled") == "HTTP/1.1 400"* ]] ||
  fail "a Transfer-Encoding without chunked last was not refused alone ($answers answers)"
pause
# A malformed target is refused from the header, in the language asked for.
answer=$(printf 'GET /v1/show?subject=%%zz HTTP/1.1\r\nHost: x\r\nAccept-Language: vi\r\nContent-Length: 3000\r\n\r\n' |
  tls_as inspector 5 | tail -1)
[[ $answer == *"đích của yêu cầu (đường dẫn và truy vấn) sai định dạng"* ]] ||
  fail "a malformed target was not refused in Vietnamese from its header: $answer"
# 405 says what is served there.
curl_as -s -D "$tmp/headers" -o /dev/null -X DELETE "$url/v1/show" || true
grep -qi '^HTTP/1.1 405' "$tmp/headers" && grep -qi '^allow: GET, HEAD' "$tmp/headers" ||
  fail "405 without Allow: $(cat "$tmp/headers")"
pause
# Refused requests count toward the client's rate as any other: 20 without Host (each 400, its connection closed),
# then a well-formed one from the same curl: 429.
bad=()
for _ in $(seq 20); do bad+=(-o /dev/null "$url/v1/health"); done
codes=$(curl_as -H 'Host:' -w '%{http_code} ' "${bad[@]}" --next --cacert "$pki/root.crt" --cert "$pki/inspector.crt" \
  --key "$pki/inspector.key" -o /dev/null -w '%{http_code}' "$url/v1/health" || true)
[[ $codes == "$(printf '400 %.0s' $(seq 20))429" ]] || fail "requests refused 400 were not counted: $codes"
pause
# A chunked body (whose chunk lines could run on without end) is refused from its header.
chunked='POST /v1/reconcile HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;aaaaaaaa'
[[ $(raw "$chunked") == "HTTP/1.1 411"* ]] || fail "a chunked body was not answered 411"
pause

# Held open: a client's connections at their maximum (3: two waiting for a body of 1 byte, one uploading 3000
# slowly), and another client's slow upload: the uploads' 2 × 3000 bytes hold most of the 8192 the server receives
# at once. Each waits under --body-timeout (60 s), for 5 s.
held=()
upload() {  # WHO BYTES: BYTES announced, at most 3 sent
  ( printf 'POST /v1/reconcile HTTP/1.1\r\nHost: x\r\nContent-Length: %s\r\n\r\n%s' "$2" "$( (($2 > 1)) && echo abc)"
    sleep 5 ) | tls_as "$1" 7 >/dev/null &
  held+=($!)
}
upload inspector 1; upload inspector 1; upload inspector 3000
sleep 1.5  # their handshakes done: one address has at most 3 under way
upload commune-organisation 3000
sleep 1
# A third client's body past what is left of the 8192: 503 from its header. A fourth connection of the first client:
# 429 as soon as its header is read, not after its body. One client may hold at most half of the 8192 (or one
# largest body, 4096 here): the second client's next 2000 bytes would fit the server, not its share: 429.
big='POST /v1/reconcile HTTP/1.1\r\nHost: x\r\nContent-Length: 4000\r\n\r\n'
[[ $(raw "$big" commune-person 3) == "HTTP/1.1 503"* ]] ||
  fail "a body past the 8192 bytes the server receives at once was not answered 503 from its header"
[[ $(raw "$big" inspector 3) == "HTTP/1.1 429"* ]] ||
  fail "a connection past the client's maximum was not answered 429 from its header"
share=$(printf 'POST /v1/reconcile HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n' |
  tls_as commune-organisation 3 | tr -d '\r')
[[ $share == "HTTP/1.1 429"* && $share == *"this client's requests hold 4096 bytes of the server already"* ]] ||
  fail "a client past its share of the bodies in flight was not answered 429: $share"
wait "${held[@]}" || true
pause

# Silent connections from one address: past 3 handshakes under way, the next is closed at once (and logged).
exec 5<>"/dev/tcp/127.0.0.1/$port" 6<>"/dev/tcp/127.0.0.1/$port" 7<>"/dev/tcp/127.0.0.1/$port"
sleep 0.3
exec 8<>"/dev/tcp/127.0.0.1/$port"
[[ $(timeout 3 head -c 1 <&8 | wc -c) == 0 ]] || fail "a fourth silent connection was not closed"
grep -q "connection closed: 3 TLS handshakes from this address under way already" "$tmp/serve.log" ||
  fail "the closed connection was not logged: $(tail -3 "$tmp/serve.log")"
exec 5>&- 6>&- 7>&- 8>&-
sleep 0.3
[[ $(status "$url/v1/health") == 200 ]] || fail "no answer after the silent connections closed"
pause
# From many addresses: handshakes under way hold at most half of --max-connections (6 of 12), so that the clients
# already connected keep the rest; the seventh silent connection is closed at once.
python3 - "$port" <<'PY' || fail "a silent connection past half of --max-connections was not closed"
import socket, sys, time
def silent(source):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), source_address=(source, 0))
    return s
held = [silent("127.0.0.1") for _ in range(3)] + [silent("127.0.0.%d" % i) for i in (2, 3, 4)]
time.sleep(0.3)
last = silent("127.0.0.5")
last.settimeout(3)
try:
    sys.exit(0 if last.recv(1) == b"" else 1)
except ConnectionResetError:
    sys.exit(0)
except socket.timeout:
    sys.exit(1)
PY
grep -q "connection closed: 6 TLS handshakes under way already (half of --max-connections)" "$tmp/serve.log" ||
  fail "the connection closed past half of --max-connections was not logged: $(tail -3 "$tmp/serve.log")"
sleep 0.3
[[ $(status "$url/v1/health") == 200 ]] || fail "no answer after the silent connections from many addresses"
pause

# TLS session resumption: refused, every connection makes a full handshake (the client certificate checked again).
resumed=$(echo | timeout 20 openssl s_client -connect "127.0.0.1:$port" -CAfile "$pki/root.crt" -cert "$pki/inspector.crt" \
  -key "$pki/inspector.key" -reconnect 2>/dev/null | grep -c '^Reused' || true)
[[ $resumed == 0 ]] || fail "TLS sessions were resumed ($resumed times)"
pause
many=()
for _ in $(seq 12); do many+=(-o /dev/null "$url/v1/health"); done
codes=$(curl_as -w '%{http_code} ' "${many[@]}" || true)
[[ $codes == *429* ]] || fail "12 requests at once past a burst of 5 were all answered: $codes"
curl_as -D "$tmp/headers" -o /dev/null "$url/v1/health" || true
grep -qi '^retry-after: 1' "$tmp/headers" || fail "429 without Retry-After"
pause; pause

# A slow client: half a header, then nothing. The server closes it after --header-timeout (Beast's timer closes the
# socket, so the 408 is logged rather than delivered); meanwhile others are served.
( printf 'GET /v1/health HTTP/1.1\r\nHost: x\r\n'; sleep 8 ) | tls_as inspector 12 > "$tmp/slow.out" &
slow=$!
sleep 0.5
[[ $(status "$url/v1/health") == 200 ]] || fail "a slow client held the server"
sleep 3.5  # the header timeout (2 s) has passed: the server has closed the slow connection and logged it
grep -q " 408 .*not delivered" "$tmp/serve.log" || fail "the slow client was not cut off after 2 s: $(tail -3 "$tmp/serve.log")"
kill "$slow" 2>/dev/null || true
wait "$slow" 2>/dev/null || true
# The same on a keep-alive connection, after a first request: the next header has the header timeout (2 s) from its
# first bytes, not the idle timeout (6 s) the connection waited under.
timeouts=$(grep -c " 408 " "$tmp/serve.log" || true)
( printf 'GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n'; sleep 0.5; printf 'GET /v1/health HTTP/1.1\r\nHost: x\r\n'; sleep 8 ) |
  tls_as inspector 12 > "$tmp/keepalive.out" &
slow=$!
sleep 3.5
[[ $(grep -c " 408 " "$tmp/serve.log" || true) == $((timeouts + 1)) ]] ||
  fail "a slow header on a keep-alive connection was not cut off after 2 s: $(tail -3 "$tmp/serve.log")"
kill "$slow" 2>/dev/null || true
wait "$slow" 2>/dev/null || true
pause

# Not TLS at all, and a TLS handshake cut short: the server survives.
printf 'GET / HTTP/1.1\r\n\r\n' | timeout 5 bash -c "cat > /dev/tcp/127.0.0.1/$port" || true
head -c 300 /dev/urandom | timeout 5 bash -c "cat > /dev/tcp/127.0.0.1/$port" || true
pause
[[ $(status "$url/v1/health") == 200 ]] || fail "the server does not answer after the abuse"

# A client past its rate waits out the 429's Retry-After: antq mirror makes more requests than the burst of 5.
pause
"$antq" mirror "$url" "$tmp/mirror" --operator-key "$ledger/operator.vkey" --server-ca "$pki/root.crt" \
  --client-cert "$pki/inspector.key:$pki/inspector.crt" > "$tmp/mirror.out" 2> "$tmp/mirror.err" \
  || fail "antq mirror past the rate limit failed: $(cat "$tmp/mirror.err")"
grep -q "status 429, the server asks to wait 1 s; waiting" "$tmp/mirror.err" \
  || fail "antq mirror did not meet or wait out a 429: $(cat "$tmp/mirror.err")"
"$antq" verify-bundle "$tmp/mirror" --operator-key "$ledger/operator.vkey" --trust "$pki/roots.pem" >/dev/null \
  || fail "the mirror made past the rate limit does not verify"
pause

kill -TERM "$server_pid"
set +e
wait "$server_pid"; rc=$?
set -e
server_pid=""
[[ $rc == 0 ]] || fail "antq serve exited $rc after SIGTERM"
echo "antq serve under abuse: 413, 431, 400, 505, 411, 429 with Retry-After, 429 and 503 from the header, a client's share of bodies, Host, smuggling, 405 Allow, silent connections closed, no TLS resumption, a slow client cut off after the header timeout, garbage survived, a mirror waited out 429s, SIGTERM exit 0"
