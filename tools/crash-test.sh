#!/usr/bin/env bash
# Crash test: nothing acknowledged is ever lost, and a crash at any instant leaves a ledger that verifies.
#
#   tools/crash-test.sh [--rounds N] [--events N] [--batch N] [--antq PATH] [--smoke]
#
# Each round starts a writer that appends pre-signed events (--batch per `antq append`, one transaction each)
# and records an event as acknowledged only after `antq append` exited 0 for it; then kills the writer and the
# antq process with SIGKILL at a random instant (often inside a write transaction). After each kill:
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
    -h|--help) sed -n '2,13s/^# \{0,1\}//p' "$0"; exit 0 ;;
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

echo "crash-test: signing $events events (batches of $batch per append)"
mkdir -p "$work/signed"
for ((i = 0; i < events; i++)); do
  cat >"$work/act.json" <<EOF
{"act": "model.proposed", "subject": "CRASH-$i", "date": "2024-05-01",
 "document": {"number": "$i/BC-UBND", "title": "Báo cáo đề xuất xây dựng mô hình", "issuer": "UBND xã Tân Lập"},
 "authority": {"level": "commune", "unit": "UBND xã Tân Lập"},
 "data": {"name": "Tổ tự quản $i", "type": "self-managed", "area": "Xóm $i", "field": "residential"}}
EOF
  "$antq" sign "$work/act.json" --key "$pki/chair.key" --cert "$pki/chair.crt" --role person \
    -o "$work/signed/$i.signed" >/dev/null
done

# The writer: appends batches in order; after each acknowledged append, records "seq subject" lines.
writer() {
  local next=$1
  while ((next < events)); do
    local files=()
    for ((j = next; j < next + batch && j < events; j++)); do files+=("$work/signed/$j.signed"); done
    if ! out=$("$antq" append "$ledger" "${files[@]}" 2>&1); then
      # A refusal here means the batch was already in (acknowledged before the previous kill, not recorded).
      echo "$out" >>"$work/writer.err"
      return 1
    fi
    # (The demo's operator key is a test key without passphrase: antq warns so on a line of its own.)
    printf '%s\n' "$out" | grep -v '^warning: ' | awk '{print $1, $3}' >>"$work/acked"
    next=$((next + batch))
  done
}

touch "$work/acked"
kills=0
for ((round = 1; round <= rounds; round++)); do
  size=$("$antq" checkpoint "$ledger" | sed -n 2p)
  next=$((size - base))
  ((next < events)) || break
  set -m  # the writer gets its own process group: one signal kills it and the antq it runs
  writer "$next" &
  pid=$!
  set +m
  sleep "0.$(printf '%03d' $((RANDOM % 300)))"
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  kills=$((kills + 1))

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
echo "crash-test: $kills kills; $(wc -l <"$work/acked") acknowledged events all present; ledger of $size entries verifies"
