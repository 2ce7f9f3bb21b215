#!/usr/bin/env bash
# Runs the README's commands for each user (every sh block between <!-- user-commands:begin --> and
# <!-- user-commands:end -->) as a reader would: in order, in one shell, with antq on PATH, from a new temporary
# directory. Any command failing fails the test; a line starting with `!` must exit 1 or 2 (a refusal, a finding,
# a figure that differs). Then it checks what each block promises.
#   tests/tools/readme_users_test.sh ANTQ
set -uo pipefail
antq=${1:?usage: tests/tools/readme_users_test.sh ANTQ}
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/tools/common.sh"
mkdir -p "$tmp/bin" "$tmp/run"
ln -s "$(readlink -f "$antq")" "$tmp/bin/antq"

# The blocks, each preceded by a line naming it, so that the output can be cut per block; `! CMD` becomes
# `must_fail CMD` (bash's `!` would let a command that should have failed pass).
awk '/<!-- user-commands:begin -->/ { n++; inside = 1; printf "echo \"=== block %d\"\n", n; next }
     /<!-- user-commands:end -->/   { inside = 0; next }
     inside && !/^```/              { sub(/^! /, "must_fail "); print }' "$here/README.md" > "$tmp/blocks.sh"
blocks=$(grep -c '^echo "=== block' "$tmp/blocks.sh")
[[ $blocks == 7 ]] ||
  fail "README.md has $blocks blocks marked user-commands; expected 7 (the demo, then clerk, provincial staff," \
       "inspector, auditor, archivist, operator)"
{
  echo 'must_fail() { local rc=0; "$@" || rc=$?'
  echo '  [[ $rc == 1 || $rc == 2 ]] || { echo "FAIL: exit $rc, not 1 or 2: $*" >&2; exit 1; }; }'
  cat "$tmp/blocks.sh"
} > "$tmp/run.sh"

# English messages whatever the machine's locale (the blocks ask for Vietnamese where they show it).
if ! (cd "$tmp/run" && PATH="$tmp/bin:$PATH" TMPDIR="$tmp" LANGUAGE=en \
      bash -euo pipefail "$tmp/run.sh" > "$tmp/out.txt" 2>&1); then
  cat "$tmp/out.txt"
  fail "a command of the README's user blocks failed (the last lines above say which)"
fi

# Each block's output in a file of its own: out N prints block N's.
awk '/^=== block / { f = dir "/block-" $3 ".txt"; next } f { print > f }' dir="$tmp" "$tmp/out.txt"
out() { cat "$tmp/block-$1.txt"; }
expect() {  # expect N NAME STRING...: block N (the user NAME) printed every STRING
  local n=$1 name=$2 s; shift 2
  for s in "$@"; do
    grep -F -- "$s" "$tmp/block-$n.txt" > /dev/null || { out "$n"; fail "the README's $name block did not print: $s"; }
  done
}
expect_re() {  # expect_re N NAME REGEX
  grep -E -- "$3" "$tmp/block-$1.txt" > /dev/null ||
    { out "$1"; fail "the README's $2 block printed no line matching: $3"; }
}
expect 2 clerk "signed (person) -> terminated.signed" "signed (organisation) -> terminated.signed" \
  "refused [termination-steps]: terminated.signed" "refused [authority]: acts/forged.json" \
  "dry run: nothing signed, nothing written"
expect_re 2 clerk '^[0-9]+ +model\.terminated +MS-TL-TDCTQ'
[[ $(out 2 | grep -c '^refused \[') == 2 ]] || { out 2; fail "the clerk's block: not exactly 2 refusals"; }
expect 3 "provincial staff" "Movement statistics" "Units of ledger as of 2025-06-30" "Profile of ledger" \
  " 0 of " "hạn trước ngày"
expect_re 3 "provincial staff" ': [1-9][0-9]* of [0-9]+ figures differ'
expect 4 inspector "stage        proposed" "stage        terminated" "model.termination-consulted" \
  "dossier of MS-TL-TDCTQ" "change(s)" "finding(s) in ledger"
expect 5 auditor "not anchored" "result       OK: every entry and signature verifies against your anchors" \
  "CMS Verification successful"
[[ $(out 5 | grep -cF 'OK: every entry, checkpoint and signature verifies') == 3 ]] ||
  { out 5; fail "the auditor's block: not three verifications OK"; }
expect 6 archivist "records of ledger on" "hand-over of UBND xã Tân Lập: 1 file" "disposed" \
  "result       OK: every entry and signature verifies against your anchors" "compacted"
expect 7 operator "is a verified backup" "created ledger ../new-ledger" "sealed as part TL" \
  "carried TL.MS-TL-TDCTQ -> TL-MS-TL-TDCTQ" "rebuilt" "sealed part  TL" \
  "OK: every entry, checkpoint and signature verifies"
echo "README user blocks: $blocks blocks, $(grep -c '^refused' "$tmp/out.txt") refusals as promised," \
     "$(grep -c 'OK: every entry' "$tmp/out.txt") verifications OK"
