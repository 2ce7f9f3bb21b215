#!/usr/bin/env bash
# antq compact (issue 19) on the commune demo: the copy an interrupted compaction left is removed; data.mdb does not
# grow; the compacted ledger verifies against the operator's verifier key kept apart, and takes an append. While
# another process has the ledger open (mdb_load, a real LMDB process, waiting for its input) compaction refuses: exit
# 2, one line, data.mdb unchanged, no copy left.
#   tests/tools/compact_test.sh ANTQ
set -euo pipefail
antq=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/tools/common.sh
. "$here/tests/tools/common.sh"

"$antq" demo --commune-only "$tmp/demo" >/dev/null
ledger="$tmp/demo/ledger"
cp "$ledger/operator.vkey" "$tmp/kept.vkey"  # the operator's verifier key as an auditor keeps it, apart
data_size() { stat -c %s "$ledger/data.mdb"; }
json_value() { sed -n "s/^ *\"$1\": \([^,]*\),\{0,1\}$/\1/p"; }  # a number or true/false of antq's indented JSON
verifies() {  # ENTRIES: antq verify, anchored in the kept key, passes with that many entries
  local out
  out=$("$antq" verify "$ledger" --operator-key "$tmp/kept.vkey" --json) || fail "verify: $out"
  [[ $(json_value ok <<<"$out") == true && $(json_value entries <<<"$out") == "$1" ]] ||
    fail "verify: expected ok with $1 entries: $(grep -m3 -A2 failures <<<"$out")"
}
copies_left() { find "$ledger" -mindepth 1 -maxdepth 1 -name '.compact-*' | wc -l; }

# An interrupted compaction's copy: every command ignores it, the next compaction removes it.
mkdir "$ledger/.compact-999999"
echo "half a copy" >"$ledger/.compact-999999/data.mdb"
verifies 14

before=$(data_size)
out=$("$antq" compact "$ledger" --json) || fail "compact: $out"
[[ $(json_value before_bytes <<<"$out") == "$before" ]] || fail "before_bytes is not $before: $out"
after=$(json_value after_bytes <<<"$out")
[[ $after == "$(data_size)" ]] || fail "after_bytes is not the size of data.mdb ($(data_size)): $out"
((after <= before)) || fail "data.mdb grew from $before to $after bytes"
[[ $(json_value entries <<<"$out") == 14 ]] || fail "entries: $out"
[[ $out == *'.compact-999999"'* && ! -e "$ledger/.compact-999999" ]] || fail "the leftover copy is still there: $out"
[[ $(copies_left) == 0 ]] || fail "compact left a copy: $(ls -a "$ledger")"
verifies 14

# The compacted ledger takes an append (LMDB set lock.mdb up for the new file) and verifies.
cat >"$tmp/act.json" <<'JSON'
{"act": "survey.plan-approved", "subject": "MS-TL-COMPACT", "date": "2024-03-01",
 "document": {"number": "20/QĐ-UBND", "title": "Quyết định", "issuer": "UBND xã Tân Lập"},
 "authority": {"level": "commune", "unit": "UBND xã Tân Lập"},
 "data": {"purpose": "khảo sát xây dựng Tổ an ninh sau khi nén"}}
JSON
pki="$tmp/demo/pki"
ANTQ_OPERATOR_KEY="$pki/operator.key" "$antq" record "$ledger" "$tmp/act.json" \
  --person "$pki/chair.key:$pki/chair.crt" --org "$pki/office.key:$pki/office.crt" >/dev/null 2>&1 ||
  fail "no append after compaction"
verifies 15

# Another process has the ledger open: mdb_load has opened the environment (LMDB's read lock on byte 0 of
# lock.mdb, seen in /proc/locks) and waits for records on a pipe that stays open.
mkfifo "$tmp/records"
mdb_load "$ledger" <"$tmp/records" &
holder=$!
exec 7>"$tmp/records"
printf 'VERSION=3\nformat=bytevalue\ntype=btree\nHEADER=END\n' >&7
inode=$(stat -c %i "$ledger/lock.mdb")
for _ in $(seq 100); do
  grep -q ":$inode " /proc/locks && break
  sleep 0.1
done
grep -q ":$inode " /proc/locks || fail "mdb_load did not open the ledger"
sum=$(sha256sum <"$ledger/data.mdb")
status=0
out=$("$antq" compact "$ledger" 2>&1) || status=$?
[[ $status == 2 ]] || fail "compact beside mdb_load: exit $status, expected 2: $out"
[[ $(printf '%s\n' "$out" | wc -l) == 1 ]] || fail "compact beside mdb_load: more than one line: $out"
[[ $out == *"is open in another process"*"nothing was changed"* ]] || fail "compact beside mdb_load: $out"
[[ $(sha256sum <"$ledger/data.mdb") == "$sum" ]] || fail "compact beside mdb_load changed data.mdb"
[[ $(copies_left) == 0 ]] || fail "compact beside mdb_load left a copy"
exec 7>&-  # mdb_load reads the end of its input, writes nothing and exits
wait "$holder" || fail "mdb_load failed"
[[ $(sha256sum <"$ledger/data.mdb") == "$sum" ]] || fail "mdb_load changed data.mdb"
"$antq" compact "$ledger" >/dev/null || fail "compact once mdb_load was gone"
verifies 15

echo "compact: $before -> $after bytes, the ledger verifies and takes appends; refused (exit 2) beside mdb_load"
