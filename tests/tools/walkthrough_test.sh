#!/usr/bin/env bash
# Runs the README's walkthrough (the sh block between <!-- walkthrough:begin --> and <!-- walkthrough:end -->) as a
# new user would, and checks every refusal it promises and the final verification.
#   tests/tools/walkthrough_test.sh ANTQ
set -uo pipefail
antq=${1:?usage: tests/tools/walkthrough_test.sh ANTQ}
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
mkdir -p "$tmp/bin"
ln -s "$(readlink -f "$antq")" "$tmp/bin/antq"
sed -n '/<!-- walkthrough:begin -->/,/<!-- walkthrough:end -->/p' "$here/README.md" | sed '1,2d;$d' | sed '$d' \
  > "$tmp/walkthrough.sh"
[[ -s "$tmp/walkthrough.sh" ]] || fail "README.md has no walkthrough block"
cd "$here" || fail "no source tree at $here"
# The walkthrough names its operator key itself; XDG_CONFIG_HOME keeps anything else away from the user's.
if ! PATH="$tmp/bin:$PATH" TMPDIR="$tmp" XDG_CONFIG_HOME="$tmp/config" \
     bash -euo pipefail "$tmp/walkthrough.sh" > "$tmp/out.txt" 2>&1; then
  cat "$tmp/out.txt"
  fail "the README walkthrough failed"
fi
for expected in "model.established of LT-M1 dated 2023-02-01 needs" \
                "refused [eligibility]: act.json: LT-M1 was established 2023-03-01" \
                "has operated 8 months, a rating needs 10" "refused [same-level]" "refused [termination-steps]" \
                "LT-M1 was terminated by the decision of 2024-12-20" "stage        active" \
                "2024 weak" "model.termination-announced" "OK: every entry, checkpoint and signature verifies"; do
  grep -F -- "$expected" "$tmp/out.txt" > /dev/null ||
    { cat "$tmp/out.txt"; fail "walkthrough output lacks: $expected"; }
done
echo "README walkthrough: $(grep -c '^refused' "$tmp/out.txt") refusals as promised," \
     "$(grep -cE '^[0-9]+ +[a-z]' "$tmp/out.txt") entries appended, verify OK"
