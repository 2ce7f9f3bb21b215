# Sourced by the tests of tests/tools/ after `here` (the source tree) is set: a temporary directory $tmp removed at
# exit; the operator keys of the ledgers a test makes go to its own configuration directory there, never the user's;
# fail MESSAGE ends the test; flip_byte FILE OFFSET changes one byte in place (its lowest bit: never the same byte, as
# writing a chosen byte may be, one time in 256).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CONFIG_HOME="$tmp/config" ANTQ_OPERATOR_PASSPHRASE=test-only
unset ANTQ_OPERATOR_KEY
fail() { echo "FAIL: $*" >&2; exit 1; }
flip_byte() {
  local byte
  byte=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
  [[ -n $byte ]] || fail "flip_byte: $1 has no byte at offset $2"
  printf "\\$(printf '%03o' $((byte ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
