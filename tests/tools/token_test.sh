#!/usr/bin/env bash
# Signing on a hardware token (issue 3): a SoftHSM2 token made by tools/demo-token.sh holds an RSA-2048 key (the
# person) and an ECDSA P-256 key (the organisation). A decision is signed in two steps on the token by PKCS#11 URI,
# admitted, verified by `antq verify`, and its exported signatures by stock `openssl cms -verify`. A wrong PIN, a
# missing PIN and a key that is not on the token each fail with exit 2, one line, and nothing written.
#   tests/tools/token_test.sh ANTQ
set -euo pipefail
antq=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The operator's keys of the ledgers made here go to this test's own configuration directory, never the user's.
export XDG_CONFIG_HOME="$tmp/config" ANTQ_OPERATOR_PASSPHRASE=test-only
unset ANTQ_OPERATOR_KEY
fail() { echo "FAIL: $*" >&2; exit 1; }

"$here/tools/demo-pki.sh" "$tmp/pki" >/dev/null
"$here/tools/demo-token.sh" "$tmp/token" --ca "$tmp/pki/root.crt" --ca-key "$tmp/pki/root.key" >/dev/null
# shellcheck disable=SC1091
. "$tmp/token/env"
person="$ANTQ_TOKEN_PERSON" organisation="$ANTQ_TOKEN_ORGANISATION"
fingerprint() { openssl x509 -in "$1" -outform DER | sha256sum | cut -d' ' -f1; }

ledger="$tmp/ledger"
"$antq" init "$ledger" --profile hoa-binh-2023 --trust "$tmp/pki/roots.pem" --admin "$tmp/pki/province-person.crt" >/dev/null
admin="$tmp/pki/province-person.key:$tmp/pki/province-person.crt"
for role in person organisation; do
  cat > "$tmp/bind-$role.json" <<JSON
{"act": "authority.bound", "subject": "ledger", "date": "2026-01-02",
 "data": {"certificate": "$(fingerprint "$tmp/token/$role.crt")", "role": "$role", "unit": "UBND xã Lạc Thịnh",
          "level": "commune", "from": "2026-01-01"}}
JSON
  "$antq" record "$ledger" "$tmp/bind-$role.json" --person "$admin" >/dev/null
done

cat > "$tmp/act.json" <<'JSON'
{"act": "model.recognized", "subject": "MS-LT-TOKEN", "date": "2026-02-01",
 "document": {"number": "7/QĐ-UBND", "title": "Quyết định thành lập", "issuer": "UBND xã Lạc Thịnh"},
 "authority": {"level": "commune", "unit": "UBND xã Lạc Thịnh"},
 "data": {"name": "Tổ tự quản an ninh trật tự", "type": "self-managed", "teams": 2}}
JSON

# Failures first: each exits 2 with one line and writes nothing.
expect_failure() {  # WHAT EXPECTED-TEXT COMMAND...
  local what=$1 expected=$2
  shift 2
  local out status=0
  out=$("$@" 2>&1 </dev/null) || status=$?
  [[ $status == 2 ]] || fail "$what: exit $status, expected 2: $out"
  [[ $(printf '%s\n' "$out" | wc -l) == 1 ]] || fail "$what: more than one line: $out"
  [[ $out == *"$expected"* ]] || fail "$what: expected '$expected' in: $out"
  [[ ! -e "$tmp/act.signed" ]] || fail "$what: wrote $tmp/act.signed"
}
sign_person=("$antq" sign "$tmp/act.json" --key "$person" --cert "$tmp/token/person.crt" --role person -o "$tmp/act.signed")
ANTQ_PKCS11_PIN=000000 expect_failure "a wrong PIN" "the token refused the PIN" "${sign_person[@]}"
(unset ANTQ_PKCS11_PIN; expect_failure "no PIN" "set ANTQ_PKCS11_PIN" "${sign_person[@]}")
expect_failure "a key not on the token" "no such private key" \
  "$antq" sign "$tmp/act.json" --key "pkcs11:token=antq-demo;object=nobody;type=private" \
  --cert "$tmp/token/person.crt" --role person -o "$tmp/act.signed"
expect_failure "the token's other key" "does not belong to certificate" \
  "$antq" sign "$tmp/act.json" --key "$organisation" --cert "$tmp/token/person.crt" --role person -o "$tmp/act.signed"
if "$antq" sign "$tmp/act.json" --key "$person" --cert "$tmp/token/person.crt" --role person -o "$tmp/act.signed" \
     2>&1 | grep -q "$ANTQ_PKCS11_PIN"; then
  fail "the PIN appears in the output"
fi
rm -f "$tmp/act.signed"
# At a terminal (script(1) gives one) the PIN is asked for.
prompt_checked="PIN asked for at a terminal"
if script -qec true /dev/null >/dev/null 2>&1 </dev/null; then
  printf -v command '%q ' "${sign_person[@]}"
  prompted=$( (printf '%s\r' "$ANTQ_PKCS11_PIN"; sleep 1) | (unset ANTQ_PKCS11_PIN; script -qec "$command" /dev/null) 2>&1) ||
    fail "signing with the PIN typed at a terminal: $prompted"
  [[ $prompted == *"PIN for antq-demo"* && -s "$tmp/act.signed" ]] || fail "no PIN prompt at a terminal: $prompted"
  rm -f "$tmp/act.signed"
else
  prompt_checked="PIN prompt NOT checked (no pseudo-terminal for script(1) here)"
fi

# The person signs through p11-kit's proxy (as with a real token: OpenSC and SoftHSM2 register with p11-kit); the
# clerk names the module directly.
"${sign_person[@]}" >/dev/null
ANTQ_PKCS11_MODULE=/usr/lib/softhsm/libsofthsm2.so \
  "$antq" sign --signed "$tmp/act.signed" --key "$organisation" --cert "$tmp/token/organisation.crt" \
  --role organisation -o "$tmp/act.signed" >/dev/null
"$antq" append "$ledger" "$tmp/act.signed" >/dev/null
"$antq" verify "$ledger" >/dev/null || fail "antq verify refused the ledger"

"$antq" export "$ledger" "$tmp/bundle" --explode >/dev/null
"$antq" verify-bundle "$tmp/bundle" --operator-key "$ledger/operator.vkey" --trust "$tmp/pki/roots.pem" >/dev/null ||
  fail "antq verify-bundle refused the bundle"
cd "$tmp/bundle"
checked=0
while IFS=$'\t' read -r seq role signer unix iso; do
  openssl cms -verify -binary -inform DER -content "acts/$seq.body" -in "acts/$seq.$role.p7s" \
    -CAfile trust.pem -purpose any -attime "$unix" -out /dev/null 2>/dev/null ||
    fail "openssl cms -verify refused acts/$seq.$role.p7s"
  checked=$((checked + 1))
done < <(tail -n +2 acts/index.tsv)
[[ $checked == 4 ]] || fail "expected 4 signatures in the bundle, found $checked"
openssl cms -cmsout -print -inform DER -in acts/2.person.p7s | grep -q rsassaPss || fail "the token's RSA signature is not RSASSA-PSS"
openssl cms -cmsout -print -inform DER -in acts/2.organisation.p7s | grep -q ecdsa-with-SHA256 || fail "the token's EC signature is not ECDSA"
echo "token: a decision signed on a SoftHSM2 token (RSA-PSS person, ECDSA organisation) was admitted and verified;" \
  "openssl cms -verify accepted all $checked signatures; $prompt_checked; wrong PIN, no PIN and missing key refused"
