#!/usr/bin/env bash
# Damage sweep: `antq verify` of a damaged data.mdb reports the damage and never crashes.
#
#   tools/damage-sweep.sh [--flips N] [--headers] [--seed S] [--antq PATH] [LEDGER]
#
# Copies LEDGER's data.mdb (default: a fresh `antq demo --commune-only` ledger) once per case, flips one bit, and
# runs `antq verify` on the copy. Cases: N bits at random offsets of the whole file (--flips, default 400), and with
# --headers also one bit of every byte of every page header (16 bytes per 4 KiB page) and of the first node offset.
# Each verify must exit 0 (the bit was in no byte in use), or 1 with one line "damaged store at page N: ..." or an
# ordinary verification report; a signal (SIGSEGV, SIGBUS, SIGFPE, SIGABRT) or any other exit fails the sweep,
# naming the offset. The suite runs a few seconds of the same (tests/cli/storage_test.cpp); this is the long run.
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

flips=400
headers=0
seed=1
antq=build/antq
ledger=
while (($#)); do
  case "$1" in
    --flips) flips=$2; shift 2 ;;
    --headers) headers=1; shift ;;
    --seed) seed=$2; shift 2 ;;
    --antq) antq=$2; shift 2 ;;
    -h|--help) sed -n '2,11s/^# \{0,1\}//p' "$0"; exit 0 ;;
    -*) echo "damage-sweep.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    *) ledger=$1; shift ;;
  esac
done
[[ -x "$antq" ]] || { echo "damage-sweep.sh: $antq is not built (cmake --build build --target antq)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ -z "$ledger" ]]; then
  "$antq" demo --commune-only "$work/demo" >/dev/null
  ledger="$work/demo/ledger"
fi
[[ -f "$ledger/data.mdb" ]] || { echo "damage-sweep.sh: $ledger holds no data.mdb" >&2; exit 2; }
size=$(stat -c %s "$ledger/data.mdb")
pages=$((size / 4096))

offsets=()
RANDOM=$seed
for ((i = 0; i < flips; i++)); do offsets+=($(((RANDOM << 30 | RANDOM << 15 | RANDOM) % size))); done
if ((headers)); then
  for ((p = 0; p < pages; p++)); do
    for ((b = 0; b < 18; b++)); do offsets+=($((p * 4096 + b))); done
  done
fi

mkdir -p "$work/copy"
cp "$ledger/operator.vkey" "$work/copy/"
clean=0 named=0 failed_check=0 crashed=0
for offset in "${offsets[@]}"; do
  cp "$ledger/data.mdb" "$work/copy/data.mdb"
  rm -f "$work/copy/lock.mdb"
  byte=$(od -An -tu1 -j "$offset" -N1 "$work/copy/data.mdb" | tr -d ' ')
  flipped=$((byte ^ (1 << (RANDOM % 8))))
  printf "$(printf '\\%03o' "$flipped")" | dd of="$work/copy/data.mdb" bs=1 seek="$offset" conv=notrunc status=none
  set +e
  "$antq" verify "$work/copy" --jobs 1 >"$work/out" 2>&1
  status=$?
  set -e
  if ((status == 0)); then
    clean=$((clean + 1))
  elif ((status == 1)) && grep -q "damaged store at page " "$work/out"; then
    if (($(wc -l <"$work/out") != 1)); then
      echo "damage-sweep: byte $offset (page $((offset / 4096))): the damaged store takes more than one line:" >&2
      cat "$work/out" >&2
      exit 1
    fi
    named=$((named + 1))
  elif ((status == 1)); then
    failed_check=$((failed_check + 1))
  else
    crashed=$((crashed + 1))
    echo "damage-sweep: byte $offset (page $((offset / 4096))): antq verify exited $status:" >&2
    tail -5 "$work/out" >&2
  fi
done
echo "damage-sweep: ${#offsets[@]} flips of $ledger/data.mdb ($pages pages): $named named a damaged store," \
  "$failed_check failed verification otherwise, $clean verified (no byte in use), $crashed crashed"
((crashed == 0))
