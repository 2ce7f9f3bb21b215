#!/usr/bin/env bash
# tools/demo-pki.sh makes certificates that stock openssl and antq accept: every signer chains to the root, and the
# ledger takes them (init with the root, a binding recorded by the province official as administrator).
#   tests/tools/demo_pki_test.sh ANTQ
set -euo pipefail
antq=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/tools/common.sh
. "$here/tests/tools/common.sh"

for kind in ec rsa; do
  pki="$tmp/pki-$kind"
  "$here/tools/demo-pki.sh" "$pki" $([[ $kind == rsa ]] && echo --rsa) >/dev/null
  for c in "$pki"/*-*.crt; do openssl verify -CAfile "$pki/root.crt" "$c" >/dev/null; done
  n=$(ls "$pki"/*-*.crt | wc -l)
  [[ $n == 6 ]] || { echo "expected 6 signer certificates, found $n"; exit 1; }
  # A second run into the same directory is refused.
  if "$here/tools/demo-pki.sh" "$pki" 2>/dev/null; then echo "demo-pki.sh overwrote $pki"; exit 1; fi

  "$antq" init "$tmp/ledger-$kind" --profile hoa-binh-2023 --trust "$pki/roots.pem" --admin "$pki/province-person.crt" >/dev/null
  fp=$(openssl x509 -in "$pki/commune-person.crt" -outform DER | sha256sum | cut -d' ' -f1)
  cat > "$tmp/bind-$kind.json" <<JSON
{"act": "authority.bound", "subject": "ledger", "date": "2026-01-02",
 "data": {"certificate": "$fp", "role": "person", "unit": "UBND xã Lạc Thịnh", "level": "commune", "from": "2026-01-01"}}
JSON
  "$antq" record "$tmp/ledger-$kind" "$tmp/bind-$kind.json" --person "$pki/province-person.key:$pki/province-person.crt" >/dev/null
  "$antq" verify "$tmp/ledger-$kind" >/dev/null
  echo "demo PKI ($kind): 6 signers chain to the root; the ledger admitted a binding signed with it and verifies"
done
