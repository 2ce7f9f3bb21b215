#!/usr/bin/env bash
# Crash test: nothing acknowledged is ever lost, and a crash at any instant leaves a ledger that verifies.
#
#   tools/crash-test.sh [--rounds N] [--events N] [--batch N] [--antq PATH] [--smoke]
#
# Each round starts a writer that appends pre-signed events (--batch per `antq append`, one transaction each)
# and records an event as acknowledged only after `antq append` exited 0 for it; then kills the writer and the
# antq process with SIGKILL at a random instant (often inside a write transaction). Events are signed ahead, --events
# at first and more whenever fewer are left than three rounds have taken at most, so that every round kills a writer
# at work; a round whose writer had stopped before the kill does not count. The test fails unless it killed --rounds
# times. After each kill:
#   - `antq verify` must pass (tree, checkpoints, signatures, state);
#   - every acknowledged event must be in the ledger at the seq it was acknowledged with;
#   - unacknowledged events are either wholly in or wholly out (verify and the seq check show it).
# This kills the process, not the machine: the page cache survives. Power-loss durability rests on LMDB's
# synchronous commit (fsync/fdatasync of data and meta page; the ledger never sets MDB_NOSYNC).
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

rounds=20
events=300
batch=5
antq=build/antq
while (($#)); do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --events) events=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --antq) antq=$2; shift 2 ;;
    --smoke) rounds=3; events=30; shift ;;
    -h|--help) sed -n '2,16s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "crash-test.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ -x "$antq" ]] || { echo "crash-test.sh: $antq is not built (cmake --build build --target antq)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$antq" demo --commune-only "$work/demo" >/dev/null
ledger="$work/demo/ledger"
pki="$work/demo/pki"
# The demo's operator key (a test key beside its PKI) signs the checkpoints of every append; no other is looked at.
export ANTQ_OPERATOR_KEY="$pki/operator.key" XDG_CONFIG_HOME="$work/config"
base=$("$antq" checkpoint "$ledger" | sed -n 2p)

# Signs events [$1, $2): model proposals of distinct subjects, as a commune would sign them.
signed=0
sign_events() {
  local i
  for ((i = $1; i < $2; i++)); do
    cat >"$work/act.json" <<EOF
{"act": "model.proposed", "subject": "CRASH-$i", "date": "2024-05-01",
 "document": {"number": "$i/BC-UBND", "title": "Báo cáo đề xuất xây dựng mô hình", "issuer": "UBND xã Tân Lập"},
 "authority": {"level": "commune", "unit": "UBND xã Tân Lập"},
 "data": {"name": "Tổ tự quản $i", "type": "self-managed", "area": "Xóm $i", "field": "residential"}}
EOF
    "$antq" sign "$work/act.json" --key "$pki/chair.key" --cert "$pki/chair.crt" --role person \
      -o "$work/signed/$i.signed" >/dev/null 2>"$work/sign.err" || {
      cat "$work/sign.err" >&2
      echo "crash-test: FAILED: antq sign refused event $i" >&2
      exit 1
    }
  done
  signed=$2
}

echo "crash-test: signing $events events (batches of $batch per append; more are signed as rounds need them)"
mkdir -p "$work/signed"
sign_events 0 "$events"

# The writer: appends batches in order; after each acknowledged append, records "seq subject" lines.
# When it stops before the kill (out of signed events, or refused), it says why in $work/writer.stopped: that round
# killed nothing.
writer() {
  local next=$1
  while ((next < signed)); do
    local files=()
    for ((j = next; j < next + batch && j < signed; j++)); do files+=("$work/signed/$j.signed"); done
    if ! out=$("$antq" append "$ledger" "${files[@]}" 2>&1); then
      # A refusal here means the batch was already in (acknowledged before the previous kill, not recorded).
      echo "$out" >>"$work/writer.err"
      echo "antq append refused a batch" >"$work/writer.stopped"
      return 1
    fi
    # (The demo's operator key is a test key without passphrase: antq warns so on a line of its own.)
    printf '%s\n' "$out" | grep -v '^warning: ' | awk '{print $1, $3}' >>"$work/acked"
    next=$((next + batch))
  done
  echo "ran out of signed events" >"$work/writer.stopped"
}

touch "$work/acked"
kills=0
most=0  # the most events one round appended
attempts=0
while ((kills < rounds)); do
  if ((++attempts > 2 * rounds + 5)); then
    echo "crash-test: FAILED: $kills kills of $rounds in $((attempts - 1)) rounds (the writer kept stopping before the kill)" >&2
    exit 1
  fi
  size=$("$antq" checkpoint "$ledger" | sed -n 2p)
  next=$((size - base))
  if ((signed - next < 3 * most || signed - next < batch)); then
    sign_events "$signed" $((next + 3 * most + events))
  fi
  rm -f "$work/writer.stopped"
  set -m  # the writer gets its own process group: one signal kills it and the antq it runs
  writer "$next" &
  pid=$!
  set +m
  sleep "0.$(printf '%03d' $((RANDOM % 300)))"
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  after=$("$antq" checkpoint "$ledger" | sed -n 2p)
  ((after - size <= most)) || most=$((after - size))
  if [[ -e "$work/writer.stopped" ]]; then
    echo "crash-test: round $attempts: the writer stopped before the kill ($(cat "$work/writer.stopped")); not counted" >&2
  else
    kills=$((kills + 1))
  fi

  if ! "$antq" verify "$ledger" >"$work/verify.out" 2>&1; then
    cat "$work/verify.out" >&2
    echo "crash-test: FAILED after kill $kills: the ledger does not verify" >&2
    exit 1
  fi
  # Every acknowledged event is at its seq.
  "$antq" export "$ledger" "$work/bundle" --explode >/dev/null 2>&1 || { echo "crash-test: export failed" >&2; exit 1; }
  while read -r seq subject; do
    [[ -f "$work/bundle/acts/$seq.body" ]] && grep -qaP -- "\Q$subject\E\x00" "$work/bundle/acts/$seq.body" || {
      echo "crash-test: FAILED after kill $kills: acknowledged $subject at seq $seq is missing" >&2
      exit 1
    }
  done <"$work/acked"
  rm -rf "$work/bundle"
done

size=$("$antq" checkpoint "$ledger" | sed -n 2p)
if ((size == base)); then
  cat "$work/writer.err" >&2 2>/dev/null
  echo "crash-test: FAILED: no event was admitted (the writer's refusals are above)" >&2
  exit 1
fi
echo "crash-test: $kills kills of $rounds; $signed events signed, $(wc -l <"$work/acked") acknowledged and all present; ledger of $size entries verifies"
