# Sourced by the tests of tests/tools/ after `here` (the source tree) is set: a temporary directory $tmp removed at
# exit; the operator keys of the ledgers a test makes go to its own configuration directory there, never the user's;
# fail MESSAGE ends the test.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CONFIG_HOME="$tmp/config" ANTQ_OPERATOR_PASSPHRASE=test-only
unset ANTQ_OPERATOR_KEY
fail() { echo "FAIL: $*" >&2; exit 1; }
