#!/usr/bin/env bash
# Crash test of antq serve's group commit: no acknowledged act is ever lost, whatever instant the server dies at.
#
#   tools/serve-crash-test.sh [--rounds N] [--events N] [--clients N] [--antq PATH] [--smoke]
#
# Each round starts antq serve on loopback and tools/serve_load.py, whose --clients concurrent HTTPS clients submit
# pre-signed acts (one per request: the server commits them in groups); a client records an act as acknowledged only
# after its 201. At a random instant the server gets SIGKILL (often inside a group's write transaction). Then:
#   - `antq verify` must pass (tree, checkpoints, signatures, state, access history);
#   - every acknowledged act must be in the ledger at the seq, with the leaf hash, its 201 gave;
#   - acts sent but not acknowledged are wholly in or wholly out (verify shows it; a later round's resubmission of
#     one that got in is refused as a duplicate and counted so).
# This kills the process, not the machine: power-loss durability rests on LMDB's synchronous commit, as for append.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
. tools/serve-lib.sh

rounds=10
events=640
clients=64
antq=build/antq
while (($#)); do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --events) events=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --antq) antq=$2; shift 2 ;;
    --smoke) rounds=3; events=600; shift ;;
    -h|--help) sed -n '2,14s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "serve-crash-test.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ -x "$antq" ]] || { echo "serve-crash-test.sh: $antq is not built (cmake --build build --target antq)" >&2; exit 2; }

work=$(mktemp -d)
server_pid=""
trap '[[ -n "$server_pid" ]] && kill -KILL "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT
"$antq" demo --commune-only "$work/demo" >/dev/null
ledger="$work/demo/ledger"
pki="$work/demo/pki"
export ANTQ_OPERATOR_KEY="$pki/operator.key" XDG_CONFIG_HOME="$work/config"

echo "serve-crash-test: signing $events acts"
mkdir -p "$work/signed"
for ((i = 0; i < events; i++)); do
  cat >"$work/act.json" <<JSON
{"act": "model.proposed", "subject": "SRV-$i", "date": "2024-05-01",
 "document": {"number": "$i/BC-UBND", "title": "Báo cáo đề xuất xây dựng mô hình", "issuer": "UBND xã Tân Lập"},
 "authority": {"level": "commune", "unit": "UBND xã Tân Lập"},
 "data": {"name": "Tổ tự quản $i", "type": "self-managed", "area": "Xóm $i", "field": "residential"}}
JSON
  "$antq" sign "$work/act.json" --key "$pki/chair.key" --cert "$pki/chair.crt" --role person \
    -o "$work/signed/$i.signed" 2>/dev/null >/dev/null
done

touch "$work/acked"
at_work=0  # rounds whose kill came while acts were still being submitted
left() { comm -23 <(ls "$work/signed"/*.signed | sort) <(awk '{print $NF}' "$work/acked" | sort); }
for ((round = 1; round <= rounds; round++)); do
  mapfile -t todo < <(left)
  ((${#todo[@]} > 0)) || { echo "serve-crash-test: every act is in after $((round - 1)) rounds"; break; }
  start_serve "$work/serve.log" "$antq" serve "$ledger" --listen 127.0.0.1:0 --cert "$pki/server.crt" \
    --key "$pki/server.key" --client-rate 100000 --client-burst 100000 ||
    { echo "serve-crash-test: FAILED: antq serve did not start" >&2; exit 1; }
  before=$(wc -l <"$work/acked")
  python3 tools/serve_load.py --url "https://127.0.0.1:$port" --cacert "$pki/roots.pem" --cert "$pki/chair.crt" \
    --key "$pki/chair.key" --clients "$clients" --acked "$work/acked" "${todo[@]}" &
  load=$!
  # The kill comes at a random instant once the first acknowledgement is in (the clients have connected).
  for _ in $(seq 400); do
    (($(wc -l <"$work/acked") > before)) && break
    kill -0 "$load" 2>/dev/null || break
    sleep 0.025
  done
  sleep "0.$(printf "%03d" $((RANDOM % 100)))"
  kill -KILL "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  wait "$load" || true
  acked=$(($(wc -l <"$work/acked") - before))
  remaining=$(left | wc -l)
  ((remaining > 0)) && at_work=$((at_work + 1))
  echo "serve-crash-test: round $round: killed the server after $acked acknowledgements; $remaining acts not acknowledged yet"

  if ! "$antq" verify "$ledger" >"$work/verify.out" 2>&1; then
    cat "$work/verify.out" >&2
    echo "serve-crash-test: FAILED after round $round: the ledger does not verify" >&2
    exit 1
  fi
  while read -r seq leaf file; do
    [[ $seq == duplicate ]] && continue
    got=$("$antq" proof inclusion "$ledger" "$seq" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["leaf_hash"])')
    [[ $got == "$leaf" ]] || {
      echo "serve-crash-test: FAILED after round $round: $file was acknowledged as entry $seq ($leaf), the ledger holds $got" >&2
      exit 1
    }
  done <"$work/acked"
done
((at_work > 0)) || { echo "serve-crash-test: FAILED: no kill came while acts were being submitted (too few --events?)" >&2; exit 1; }
echo "serve-crash-test: $(grep -vc '^duplicate' "$work/acked") acknowledged acts all present after $((round - 1)) kills ($at_work while submitting); verify passed each time"
