#!/usr/bin/env bash
# bagit_validate.py, the RFC 8493 validator the tests check antq's bags with, on bags built here by hand (find,
# sha256sum, printf: nothing of the validator's code): a valid bag with nested payload and a name with a space is
# accepted; each damaged copy is refused with exactly the expected "invalid:" lines, so a damage is neither missed
# nor drowned in unrelated complaints.
#   tests/tools/bagit_validate_test.sh
set -euo pipefail
validate=$(cd "$(dirname "$0")" && pwd)/bagit_validate.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*"; exit 1; }

# The three "seal" steps a bag writer does after the payload, each redone by a case to leave only its own damage.
payload_manifest() { (cd "$1" && find data -type f -print0 | sort -z | xargs -0 -r sha256sum >manifest-sha256.txt); }
bag_info() {
  local oxum
  oxum=$(cd "$1" && find data -type f -printf '%s\n' | awk '{ s += $1; n++ } END { print s + 0 "." n + 0 }')
  printf '%s\n' 'Source-Organization: antq-ledger tests' \
    'External-Description: A bag built by hand, with a value' '  continued on a second line' \
    'Bagging-Date: 2026-01-02' 'Bag-Size: 1 KB' "Payload-Oxum: $oxum" >"$1/bag-info.txt"
}
tag_manifest() {
  (cd "$1" && find . -maxdepth 1 -type f ! -name 'tagmanifest-*' -printf '%P\0' | sort -z |
    xargs -0 -r sha256sum >tagmanifest-sha256.txt)
}

good="$tmp/good"
mkdir -p "$good/data/sub/dir"
printf 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n' >"$good/bagit.txt"
printf 'top-level payload\n' >"$good/data/readme.txt"
printf 'a name with a space, two directories down\n' >"$good/data/sub/dir/a b.txt"
head -c 300 /dev/zero | tr '\0' '\377' >"$good/data/sub/x.bin"
payload_manifest "$good"
bag_info "$good"
tag_manifest "$good"

# A fresh copy of the good bag for one case.
copy() { cp -a "$good" "$tmp/$1"; echo "$tmp/$1"; }

# expect_valid BAG LINE: exit 0 and exactly LINE on stdout.
expect_valid() {
  local out rc=0
  out=$("$validate" "$1" 2>"$tmp/stderr") || rc=$?
  [[ $rc == 0 && $out == "$2" ]] || fail "$(basename "$1"): expected exit 0 and '$2', got exit $rc: $out"
}

# expect_invalid BAG COUNT FRAGMENT...: exit 1, exactly COUNT lines all "invalid: ...", and each FRAGMENT in one.
expect_invalid() {
  local bag=$1 count=$2 out rc=0 fragment
  shift 2
  out=$("$validate" "$bag" 2>"$tmp/stderr") || rc=$?
  [[ $rc == 1 ]] || fail "$(basename "$bag"): expected exit 1, got $rc: $out"
  [[ $(grep -c '' <<<"$out") == "$count" ]] ||
    fail "$(basename "$bag"): expected $count violation line(s), got: $out"
  if grep -qv '^invalid: ' <<<"$out"; then fail "$(basename "$bag"): a line is not 'invalid: ...': $out"; fi
  for fragment in "$@"; do
    grep -qF -- "$fragment" <<<"$out" || fail "$(basename "$bag"): no line has '$fragment': $out"
  done
}

expect_valid "$good" "valid: 3 payload files, 4 tag files"
[[ ! -s $tmp/stderr ]] || fail "good bag: unexpected notes: $(cat "$tmp/stderr")"

# One byte of a payload file changed (same size, so Payload-Oxum still agrees).
bag=$(copy byte)
printf 'X' | dd of="$bag/data/sub/dir/a b.txt" bs=1 seek=3 conv=notrunc status=none
expect_invalid "$bag" 1 "checksum mismatch with manifest-sha256.txt, data/sub/dir/a b.txt"

# A payload file that no manifest lists (bag-info.txt and the tag manifest redone to agree with it).
bag=$(copy unlisted)
printf 'not in the manifest\n' >"$bag/data/sub/dir/extra.txt"
bag_info "$bag"
tag_manifest "$bag"
expect_invalid "$bag" 1 "payload file not listed in manifest-sha256.txt" ", data/sub/dir/extra.txt"

# A manifest entry for a file that is not there.
bag=$(copy missing)
rm "$bag/data/readme.txt"
bag_info "$bag"
tag_manifest "$bag"
expect_invalid "$bag" 1 "listed in manifest-sha256.txt but missing" ", data/readme.txt"

# No bag declaration.
bag=$(copy no-bagit)
rm "$bag/bagit.txt"
tag_manifest "$bag"
expect_invalid "$bag" 1 "bag declaration missing" ", bagit.txt"

# A bag declaration whose second line is not Tag-File-Character-Encoding.
bag=$(copy bad-bagit)
printf 'BagIt-Version: 1.0\nTag-File-Encoding: UTF-8\n' >"$bag/bagit.txt"
tag_manifest "$bag"
expect_invalid "$bag" 1 "line 2 is not 'Tag-File-Character-Encoding: UTF-8'" ", bagit.txt"

# A manifest path climbing out of the bag, to a file that is there with that checksum.
bag=$(copy dotdot)
printf 'outside the bag\n' >"$tmp/outside.txt"
printf '%s  ../outside.txt\n' "$(sha256sum <"$tmp/outside.txt" | cut -d' ' -f1)" >>"$bag/manifest-sha256.txt"
tag_manifest "$bag"
expect_invalid "$bag" 1 "manifest-sha256.txt line 4: '..' path component" ", ../outside.txt"

# A Payload-Oxum that does not add up (one octet more).
bag=$(copy oxum)
oxum=$(sed -n 's/^Payload-Oxum: //p' "$bag/bag-info.txt")
sed -i "s/^Payload-Oxum: .*/Payload-Oxum: $((${oxum%.*} + 1)).${oxum#*.}/" "$bag/bag-info.txt"
tag_manifest "$bag"
expect_invalid "$bag" 1 "Payload-Oxum $((${oxum%.*} + 1)).${oxum#*.} but the payload is $oxum" ", bag-info.txt"

# A tag file changed after the tag manifest was made.
bag=$(copy tag-mismatch)
printf 'Contact-Name: added later\n' >>"$bag/bag-info.txt"
expect_invalid "$bag" 1 "checksum mismatch with tagmanifest-sha256.txt, bag-info.txt"

# A symbolic link in the payload, even to a file outside: refused, never followed.
bag=$(copy symlink)
ln -s "$tmp/outside.txt" "$bag/data/link.txt"
expect_invalid "$bag" 1 "symbolic link refused" ", data/link.txt"

# fetch.txt: a file still to be fetched makes the bag incomplete; once it is there, the bag is valid.
bag=$(copy fetch)
printf 'https://example.org/x.bin 300 data/sub/x.bin\n' >"$bag/fetch.txt"
tag_manifest "$bag"
expect_valid "$bag" "valid: 3 payload files, 5 tag files"
grep -q '^note: fetch.txt present, 1 files listed' "$tmp/stderr" || fail "fetch: no note of fetch.txt"
rm "$bag/data/sub/x.bin"
bag_info "$bag"
tag_manifest "$bag"
expect_invalid "$bag" 2 "listed in manifest-sha256.txt but missing (section 3), data/sub/x.bin" \
  "fetch.txt lists a file not fetched yet: the bag is incomplete"

# Usage errors.
rc=0; "$validate" >/dev/null 2>&1 || rc=$?
[[ $rc == 2 ]] || fail "no argument: expected exit 2, got $rc"
rc=0; "$validate" "$tmp/no-such-bag" >/dev/null 2>&1 || rc=$?
[[ $rc == 2 ]] || fail "a missing directory: expected exit 2, got $rc"

echo "bagit_validate_test: all cases passed"
