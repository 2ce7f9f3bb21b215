# Sourced by the scripts that start antq serve (tools/demo-serve.sh, tools/serve-crash-test.sh, tests/tools/serve*).
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
