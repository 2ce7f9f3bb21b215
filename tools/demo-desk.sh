#!/usr/bin/env bash
# The inspector's desk on the demo ledger, for a person at a browser: after `tools/demo.sh DIR` (whose service scene
# granted the demo inspector read access), serves DIR/ledger on https://127.0.0.1:8443/ until Ctrl-C, and writes
# DIR/pki/inspector.p12 (passphrase "demo"), the inspector's certificate and key to import into the browser.
#   tools/demo-desk.sh DIR [ANTQ] [PORT]   ANTQ: default build/antq; PORT: default 8443
set -euo pipefail
demo=${1:?usage: tools/demo-desk.sh DIR [ANTQ] [PORT]}
antq=${2:-$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../build/antq}
port=${3:-8443}
pki="$demo/pki"
[[ -f "$demo/ledger/data.mdb" && -f "$pki/inspector.crt" ]] ||
  { echo "demo-desk: $demo holds no demo ledger: run tools/demo.sh $demo first" >&2; exit 2; }
openssl pkcs12 -export -in "$pki/inspector.crt" -inkey "$pki/inspector.key" -certfile "$pki/roots.pem" \
  -name "Thanh tra (demo)" -passout pass:demo -out "$pki/inspector.p12"
cat <<TEXT
The desk: https://127.0.0.1:$port/desk/
  1. In the browser's certificate settings, import $pki/roots.pem as an authority (the demo root, test keys only)
     and $pki/inspector.p12 as your certificate (passphrase: demo).
  2. Open the address above; the browser asks which certificate to present: the demo inspector's.
  Every page you open is entered in the access history: antq access-log $demo/ledger
Ctrl-C stops the server.
TEXT
ANTQ_OPERATOR_KEY="$pki/operator.key" exec "$antq" serve "$demo/ledger" --listen "127.0.0.1:$port" \
  --cert "$pki/server.crt" --key "$pki/server.key"
