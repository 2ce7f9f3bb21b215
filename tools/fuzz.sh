#!/usr/bin/env bash
# Runs the libFuzzer targets of tests/fuzz/ (one per decoder of untrusted bytes), for as long as you like.
#
#   tools/fuzz.sh TARGET SECONDS [-- LIBFUZZER_OPTION...]   fuzz one target for SECONDS
#   tools/fuzz.sh all SECONDS [--parallel N]                 every target, SECONDS each (N at a time, default 1)
#   tools/fuzz.sh --list                                     the targets
#   tools/fuzz.sh --make-seeds                               remake tests/fuzz/data/ and tests/fuzz/corpus/
#   tools/fuzz.sh --build-dir DIR ...                        another build tree (default build-asan/)
#
# It builds the targets first when needed: the sanitizer build of tools/test.sh (clang-16, address and
# undefined-behaviour sanitizers, -DANTQ_FUZZ=ON) in build-asan/. A run starts from the committed seeds
# (tests/fuzz/corpus/TARGET/, only read) and from what earlier runs found (fuzz-runs/TARGET/corpus/, where new
# inputs go), uses TARGET's dictionary (tests/fuzz/TARGET.dict) when there is one, and detects leaks, hangs
# (-timeout=10 s an input) and memory blow-ups (-rss_limit_mb=2048). Findings are saved as
# fuzz-runs/TARGET/crashes/{crash,leak,timeout,oom}-<sha1>, and the log as fuzz-runs/TARGET/<date>.log
# (fuzz-runs/ is not tracked by git). The summary gives executions, coverage (edges; features), the corpus before
# and after, and the findings; the exit status is 1 when there are any.
#
# A finding: reproduce it with  build-asan/tests/fuzz/TARGET_fuzz fuzz-runs/TARGET/crashes/crash-...  (one run of
# that input, with the stack), fix the decoder, and add a regression test named after what broke (the input, when
# it is small, becomes a seed: copy it into tests/fuzz/corpus/TARGET/).
#
# Examples:
#   tools/fuzz.sh act_json 600
#   tools/fuzz.sh all 600 --parallel 2
#   tools/fuzz.sh cms 60 -- -max_len=8192
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

usage() { sed -n '2,27s/^# \{0,1\}//p' "$0"; }

build=build-asan
parallel=1
target=""
seconds=""
make_seeds=0
list=0
extra=()
while (($#)); do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --list) list=1; shift ;;
    --make-seeds) make_seeds=1; shift ;;
    --build-dir) build=${2:?--build-dir needs a directory}; shift 2 ;;
    --parallel) parallel=${2:?--parallel needs a number}; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -*) echo "fuzz.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    *)
      if [[ -z "$target" ]]; then target=$1
      elif [[ -z "$seconds" ]]; then seconds=$1
      else echo "fuzz.sh: one TARGET and one SECONDS (see --help)" >&2; exit 2
      fi
      shift ;;
  esac
done

targets=()
for f in tests/fuzz/*_fuzz.cpp; do
  f=${f##*/}
  targets+=("${f%_fuzz.cpp}")
done

if ((list)); then
  printf '%s\n' "${targets[@]}"
  exit 0
fi
if ((!make_seeds)); then
  [[ -n "$target" && -n "$seconds" ]] || { usage >&2; exit 2; }
  [[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: SECONDS must be a positive number, not '$seconds'" >&2; exit 2; }
  [[ "$parallel" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --parallel needs a positive number" >&2; exit 2; }
  if [[ "$target" != all ]] && ! printf '%s\n' "${targets[@]}" | grep -qx -- "$target"; then
    echo "fuzz.sh: no target '$target' (the targets: ${targets[*]})" >&2
    exit 2
  fi
fi

command -v clang++-16 >/dev/null || { echo "fuzz.sh: clang++-16 is missing (tools/install-deps.sh installs it)" >&2; exit 2; }
jobs=$(nproc 2>/dev/null || echo 2)
# The same configuration as tools/test.sh's sanitizer build, so that the two share build-asan/ (and, as there, a
# build-asan/ made by another compiler is made anew; another directory is left alone).
if [[ -f "$build/CMakeCache.txt" ]] && ! grep -q '^CMAKE_CXX_COMPILER:.*clang++-16$' "$build/CMakeCache.txt"; then
  if [[ "$build" != build-asan ]]; then
    echo "fuzz.sh: $build was configured with another compiler than clang++-16; give a new --build-dir" >&2
    exit 2
  fi
  rm -rf build-asan
fi
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-16 -DCMAKE_CXX_COMPILER=clang++-16 \
  -DANTQ_SANITIZE=ON -DANTQ_FUZZ=ON >/dev/null

if [[ -x /usr/lib/llvm-16/bin/llvm-symbolizer ]]; then export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-16/bin/llvm-symbolizer; fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

if ((make_seeds)); then
  cmake --build "$build" -j"$jobs" --target antq antq-pdf-fixture antq-fuzz-seeds
  "$build/tests/fuzz/antq-fuzz-seeds" --antq "$build/antq" --pdf-fixture "$build/antq-pdf-fixture" \
    --demo-pki tools/demo-pki.sh tests/fuzz
  exit 0
fi

if [[ "$target" == all ]]; then run=("${targets[@]}"); else run=("$target"); fi
cmake --build "$build" -j"$jobs" --target "${run[@]/%/_fuzz}"

# One run of target $1; prints its summary line.
fuzz_one() {
  local t=$1 dir=fuzz-runs/$1
  mkdir -p "$dir/corpus" "$dir/crashes"
  local log
  log="$dir/$(date -u +%Y%m%dT%H%M%SZ).log"
  local dict=()
  [[ -f tests/fuzz/$t.dict ]] && dict=(-dict="tests/fuzz/$t.dict")
  local before found
  before=$(find "$dir/corpus" tests/fuzz/corpus/"$t" -type f | wc -l)
  found=$(find "$dir/crashes" -type f | wc -l)
  "$build/tests/fuzz/${t}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -detect_leaks=1 \
    -print_final_stats=1 -artifact_prefix="$dir/crashes/" "${dict[@]}" "${extra[@]}" \
    "$dir/corpus" "tests/fuzz/corpus/$t" >"$log" 2>&1 || true
  local after execs cov ft findings
  after=$(find "$dir/corpus" tests/fuzz/corpus/"$t" -type f | wc -l)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  findings=$(($(find "$dir/crashes" -type f | wc -l) - found))
  printf '%-22s %5ss  %10s execs  cov %6s  ft %7s  corpus %5s -> %5s  findings %s  (%s)\n' \
    "$t" "$seconds" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$before" "$after" "$findings" "$log"
  ((findings == 0))
}

status=0
if ((parallel == 1 || ${#run[@]} == 1)); then
  for t in "${run[@]}"; do fuzz_one "$t" || status=1; done
else
  running=0
  for t in "${run[@]}"; do
    fuzz_one "$t" &
    if ((++running >= parallel)); then
      wait -n || status=1
      running=$((running - 1))
    fi
  done
  while ((running > 0)); do
    wait -n || status=1
    running=$((running - 1))
  done
fi
if ((status)); then
  echo "fuzz.sh: findings above; reproduce one with $build/tests/fuzz/TARGET_fuzz FILE" >&2
fi
exit "$status"
