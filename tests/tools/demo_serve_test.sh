#!/usr/bin/env bash
# The demo's service scene as tools/demo.sh runs it (tools/demo-serve.sh after `antq demo`): the server starts on
# loopback with the demo PKI, a grant and a clerk's decision are answered 201, the duplicate 422, the commune police's
# report submitted with `antq append --server --operator-key` has its receipt anchored, the inspector reads
# the decision back with `antq show URL`, an ungranted certificate gets 403, the mirror (past the per-client rate, so
# waiting out 429s) is a first copy anchored on the operator's key and verify-bundle accepts it, and SIGTERM stops the
# server cleanly.
#   tests/tools/demo_serve_test.sh ANTQ
set -euo pipefail
antq=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/tools/common.sh
. "$here/tests/tools/common.sh"
command -v curl >/dev/null || fail "curl is missing (tools/install-deps.sh installs it)"
demo="$tmp/demo"
"$antq" demo "$demo" > "$tmp/demo.out" 2>&1 || fail "antq demo failed: $(tail -5 "$tmp/demo.out")"
"$here/tools/demo-serve.sh" "$demo" "$antq" > "$tmp/scene.out" 2>&1 || fail "the service scene failed: $(tail -15 "$tmp/scene.out")"
expect() { grep -Eq "$1" "$tmp/scene.out" || fail "the scene did not print /$1/: $(cat "$tmp/scene.out")"; }
expect "HTTP 201: entry [0-9]+, access.granted ledger"
expect "HTTP 201: entry [0-9]+, survey.plan-approved TL-M9; checkpoint of size [0-9]+; inclusion proof of [0-9]+ hashes"
expect 'HTTP 422: .*"refused":"duplicate"'
expect "entry [0-9]+, survey.reported TL-M9; its inclusion proof .* verifies with the operator's key: yes"
expect "TL-M9: a model at stage surveying, as the inspector reads it through the service"
expect "HTTP 403: "
expect "mirrored https://127.0.0.1:[0-9]+ to .*; a first copy: its checkpoint verifies with the operator key given"
expect "log: antq serve: stopped \([0-9]+ entries\)"
"$antq" verify-bundle "$demo/serve/mirror" --operator-key "$demo/ledger/operator.vkey" --trust "$demo/pki/roots.pem" \
  > /dev/null || fail "verify-bundle does not accept the demo's mirror"
"$antq" verify "$demo/ledger" > /dev/null || fail "the demo ledger does not verify after the scene"
echo "the demo's service scene: 201, 422, a receipt anchored, the inspector's read, 403, mirror verified, SIGTERM stop"
