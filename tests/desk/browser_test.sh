#!/usr/bin/env bash
# The inspector's desk in a real browser: tests/desk/browser.mjs drives Debian's headless Chromium with playwright-core
# (installed by tools/test.sh into tests/desk/node_modules; nothing downloads a browser) against antq serve over
# mutual TLS with the demo's certificates. Skipped (exit 77, with the reason) only where Chromium cannot start.
#   tests/desk/browser_test.sh ANTQ SCREENSHOTS-DIR
set -euo pipefail
antq=$1
shots=$2
here=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/tools/common.sh
. "$here/tests/tools/common.sh"
skip() { echo "SKIPPED: $*"; exit 77; }
[[ -x /usr/bin/chromium ]] || skip "no /usr/bin/chromium (Debian's chromium; tools/install-deps.sh installs it)"
command -v node >/dev/null || skip "no node (Debian's nodejs; tools/install-deps.sh installs it)"
[[ -d "$here/tests/desk/node_modules/playwright-core" ]] ||
  skip "no playwright-core in tests/desk/node_modules (tools/test.sh runs npm ci there)"
if ! out=$(timeout 60 /usr/bin/chromium --headless --no-sandbox --disable-gpu --no-first-run \
             --disable-background-networking --user-data-dir="$tmp/chromium-check" --dump-dom about:blank 2>&1); then
  skip "Chromium cannot start here: $(tail -n 2 <<<"$out" | tr '\n' ' ')"
fi
# shellcheck source=tests/desk/setup.sh
. "$here/tests/desk/setup.sh"
DESK_URL="$url" DESK_PKI="$pki" DESK_LEDGER="$ledger" DESK_ANTQ="$antq" DESK_SHOTS="$shots" \
  timeout 240 node "$here/tests/desk/browser.mjs"
