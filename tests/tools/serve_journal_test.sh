#!/usr/bin/env bash
# antq serve --log journald: with no journal, it refuses to start (one line, exit 2) rather than lose the log;
# with one, every request is a journal entry with the fields docs/service.md names. The journal here is a stand-in:
# a datagram socket at /run/systemd/journal/socket, as systemd-journald listens (its native protocol, KEY=value
# lines), made only where there is none (a build machine or a container without systemd); where a real journald
# runs, the test says so and checks only that the server starts and answers.
#   tests/tools/serve_journal_test.sh ANTQ
set -euo pipefail
antq=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/tools/common.sh
. "$here/tests/tools/common.sh"
command -v curl >/dev/null || fail "curl is missing (tools/install-deps.sh installs it)"
socket=/run/systemd/journal/socket
server_pid="" listener="" made_dir=""
cleanup() {
  [[ -n "$server_pid" ]] && kill -9 "$server_pid" 2>/dev/null
  [[ -n "$listener" ]] && { kill "$listener" 2>/dev/null; rm -f "$socket"; }
  [[ -n "$made_dir" ]] && rmdir "$made_dir" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

"$here/tools/demo-pki.sh" "$tmp/pki" >/dev/null
ledger="$tmp/ledger"
"$antq" init "$ledger" --profile hoa-binh-2023 --trust "$tmp/pki/roots.pem" --admin "$tmp/pki/province-person.crt" >/dev/null
serve=("$antq" serve "$ledger" --listen 127.0.0.1:0 --cert "$tmp/pki/server.crt" --key "$tmp/pki/server.key" --log journald)
. "$here/tools/serve-lib.sh"

stand_in=false
if [[ ! -S $socket ]]; then
  # No journal: the server says so and does not start.
  set +e
  out=$("${serve[@]}" 2>&1 </dev/null); rc=$?
  set -e
  [[ $rc != 0 && $out == *"--log journald: the journal does not take the log"* && $(wc -l <<< "$out") == 1 ]] ||
    fail "antq serve --log journald without a journal: rc $rc: $out"
  if [[ ! -d /run/systemd/journal ]]; then
    mkdir -p /run/systemd/journal 2>/dev/null && made_dir=/run/systemd/journal
  fi
  if [[ -w /run/systemd/journal ]]; then
    python3 -u - "$socket" "$tmp/journal" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("listening", flush=True)
with open(sys.argv[2], "ab") as out:
    while True:
        data = s.recv(1 << 20)
        out.write(data + b"\n--\n")
        out.flush()
PY
    listener=$!
    for _ in $(seq 100); do [[ -S $socket ]] && break; sleep 0.05; done
    [[ -S $socket ]] || fail "the stand-in journal did not start"
    stand_in=true
  else
    echo "skipped the journal's fields: no journal here and /run/systemd/journal cannot be made (not root)"
  fi
else
  echo "a real journald runs here: its entries are not read back (journalctl would show them)"
fi
if [[ $stand_in == true || -S $socket ]]; then
  start_serve "$tmp/serve.log" "${serve[@]}" || fail "antq serve --log journald did not start"
  as=(--cacert "$tmp/pki/roots.pem" --cert "$tmp/pki/inspector.crt" --key "$tmp/pki/inspector.key")
  [[ $(curl -sS "${as[@]}" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port/v1/health") == 200 ]] ||
    fail "GET /v1/health was not answered 200"
  [[ $(curl -sS "${as[@]}" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port/v1/nothing") == 404 ]] ||
    fail "GET /v1/nothing was not answered 404"
  kill -TERM "$server_pid"
  wait "$server_pid" || fail "antq serve did not stop cleanly"
  server_pid=""
  grep -q " GET /v1/health " "$tmp/serve.log" && fail "the request log went to stderr, not the journal"
  if [[ $stand_in == true ]]; then
    fp=$(openssl x509 -in "$tmp/pki/inspector.crt" -outform DER | sha256sum | cut -d' ' -f1)
    for field in "MESSAGE=antq serve: starting for $ledger" "ANTQ_METHOD=GET" "ANTQ_TARGET=/v1/health" \
      "ANTQ_STATUS=200" "ANTQ_TARGET=/v1/nothing" "ANTQ_STATUS=404" "ANTQ_CLIENT_FINGERPRINT=$fp" "PRIORITY=6"; do
      grep -qaxF "$field" "$tmp/journal" || fail "no journal field $field in: $(cat "$tmp/journal")"
    done
    grep -qa "^ANTQ_CLIENT_SUBJECT=.*Thanh tra" "$tmp/journal" || fail "no ANTQ_CLIENT_SUBJECT: $(cat "$tmp/journal")"
    echo "antq serve --log journald: refused without a journal; each request a journal entry with its fields"
  fi
fi
