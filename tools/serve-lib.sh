# Sourced by the scripts that start antq serve (tools/demo-serve.sh, tools/serve-crash-test.sh, tests/tools/serve*,
# tests/desk/, tools/bench/desk-pages.sh).
# start_serve LOG COMMAND...: runs COMMAND (an `antq serve ...` line) in the background with its stderr in LOG, and
# waits for the line saying where it listens; sets server_pid and port. Returns 1, with the log on stderr, when the
# server exits or says nothing within 10 s.
start_serve() {
  local log=$1
  shift
  "$@" 2>"$log" &
  server_pid=$!
  port=""
  for _ in $(seq 200); do
    port=$(sed -n 's|.* on https\{0,1\}://[^ ]*:\([0-9][0-9]*\) .*|\1|p' "$log")
    [[ -n "$port" ]] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
  done
  cat "$log" >&2
  return 1
}

# grant_reader ANTQ LEDGER ADMIN_KEY:ADMIN_CERT WORKDIR CERT ROLE SCOPE-JSON: records (antq record, signed by the
# administrator) the access.granted act that lets the holder of CERT read LEDGER as ROLE over SCOPE-JSON (e.g.
# '"whole_ledger": true' or '"units": ["UBND xã Tân Lập"]'), from today (Vietnam date). Returns antq's status.
grant_reader() {
  local antq=$1 ledger=$2 admin=$3 work=$4 cert=$5 role=$6 scope=$7 today fp
  today=$(TZ=Asia/Ho_Chi_Minh date +%F)
  fp=$(openssl x509 -in "$cert" -outform DER | sha256sum | cut -d' ' -f1)
  cat >"$work/grant.json" <<JSON
{"act": "access.granted", "subject": "ledger", "date": "$today",
 "document": {"number": "5/QĐ-CA", "title": "Cấp quyền tra cứu", "issuer": "Công an tỉnh Hòa Bình"},
 "data": {"certificate": "$fp", "role": "$role", $scope, "from": "$today"}}
JSON
  "$antq" record "$ledger" "$work/grant.json" --person "$admin" >/dev/null 2>&1
}
