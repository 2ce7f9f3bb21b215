#!/usr/bin/env bash
# Signing on a hardware token (issue 3): a SoftHSM2 token made by tools/demo-token.sh holds an RSA-2048 key (the
# person) and an ECDSA P-256 key (the organisation). A decision is signed in two steps on the token by PKCS#11 URI,
# admitted, verified by `antq verify`, and its exported signatures by stock `openssl cms -verify`. A wrong PIN, a
# missing PIN and a key that is not on the token each fail with exit 2, one line, and nothing written.
#   tests/tools/token_test.sh ANTQ
set -euo pipefail
antq=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/tools/common.sh
. "$here/tests/tools/common.sh"

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
{"act": "survey.plan-approved", "subject": "MS-LT-TOKEN", "date": "2026-02-01",
 "document": {"number": "7/QĐ-UBND", "title": "Quyết định phê duyệt kế hoạch khảo sát", "issuer": "UBND xã Lạc Thịnh"},
 "authority": {"level": "commune", "unit": "UBND xã Lạc Thịnh"},
 "data": {"purpose": "khảo sát xây dựng Tổ tự quản an ninh trật tự"}}
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
cd "$here"

# The operator's Ed25519 key on a token of its own (issue 18 point 9), generated there: a ledger made with it holds no
# private key, its appends sign checkpoints on the token, verify accepts them, and a wrong or missing PIN, another
# token's key and a key that is not Ed25519 each end with exit 2, one line and nothing written. (A token of its own:
# Debian 12's pkcs11 engine, which signers' keys go through, cannot list any key of a token that holds an Ed25519 one.)
softhsm2-util --init-token --free --label antq-operator --so-pin 12345678 --pin 654321 >/dev/null
pkcs11-tool --module /usr/lib/softhsm/libsofthsm2.so --token-label antq-operator --login --pin 654321 \
  --keypairgen --key-type EC:edwards25519 --label checkpoints --id 42 >/dev/null 2>&1 ||
  fail "pkcs11-tool could not make an Ed25519 key on the operator's token"
operator_uri='pkcs11:token=antq-operator;object=checkpoints;type=private'
op_ledger="$tmp/operator-ledger"
out=$(ANTQ_OPERATOR_PIN=654321 "$antq" init "$op_ledger" --profile hoa-binh-2023 --trust "$tmp/pki/roots.pem" \
  --admin "$tmp/pki/province-person.crt" --operator-key "$operator_uri" </dev/null 2>&1) ||
  fail "init with the operator's key on a token: $out"
[[ $out == *"operator key: $operator_uri (on the token) -- not part of the ledger"* ]] ||
  fail "init did not say where the key is: $out"
if grep -rlE -- '-----BEGIN [A-Z ]*PRIVATE KEY-----' "$op_ledger" >/dev/null; then
  fail "the ledger holds a private key"
fi
bind_file="$tmp/bind-person.json"
ANTQ_OPERATOR_PIN=654321 ANTQ_OPERATOR_KEY="$operator_uri" "$antq" record "$op_ledger" "$bind_file" --person "$admin" \
  </dev/null >/dev/null 2>&1 || fail "record with the operator's key on the token (ANTQ_OPERATOR_KEY) failed"
"$antq" verify "$op_ledger" >/dev/null || fail "antq verify refused checkpoints signed on the token"
before=$(sha256sum < "$op_ledger/data.mdb")
expect_operator_failure() {  # WHAT EXPECTED-TEXT PIN URI
  local out status=0
  out=$(ANTQ_OPERATOR_PIN=$3 "$antq" record "$op_ledger" "$tmp/bind-organisation.json" --person "$admin" \
    --operator-key "$4" 2>&1 </dev/null) || status=$?
  [[ $status == 2 ]] || fail "$1: exit $status, expected 2: $out"
  [[ $(printf '%s\n' "$out" | wc -l) == 1 ]] || fail "$1: more than one line: $out"
  [[ $out == *"$2"* ]] || fail "$1: expected '$2' in: $out"
  [[ $(sha256sum < "$op_ledger/data.mdb") == "$before" ]] || fail "$1: the ledger changed"
}
expect_operator_failure "a wrong operator PIN" "token antq-operator refused the PIN" 000000 "$operator_uri"
out=$(unset ANTQ_OPERATOR_PIN; "$antq" record "$op_ledger" "$tmp/bind-organisation.json" --person "$admin" \
  --operator-key "$operator_uri" 2>&1 </dev/null) && fail "no operator PIN: admitted"
[[ $out == *"the token needs its PIN: set ANTQ_OPERATOR_PIN"* ]] || fail "no operator PIN: $out"
expect_operator_failure "an RSA key as operator key" "not an Ed25519 key" "$ANTQ_PKCS11_PIN" "$person"
expect_operator_failure "no such key" "no such private key on token antq-operator" 654321 \
  'pkcs11:token=antq-operator;object=nobody;type=private'
# With --operator-key, and the PIN typed at a terminal when script(1) gives one.
record_operator=("$antq" record "$op_ledger" "$tmp/bind-organisation.json" --person "$admin"
                 --operator-key "$operator_uri")
if [[ $prompt_checked == "PIN asked for at a terminal" ]]; then
  printf -v command '%q ' "${record_operator[@]}"
  prompted=$( (printf '654321\r'; sleep 1) | (unset ANTQ_OPERATOR_PIN; script -qec "$command" /dev/null) 2>&1) ||
    fail "record with the operator's PIN typed at a terminal: $prompted"
  [[ $prompted == *"PIN for token antq-operator"* ]] || fail "no operator PIN prompt at a terminal: $prompted"
else
  ANTQ_OPERATOR_PIN=654321 "${record_operator[@]}" </dev/null >/dev/null 2>&1 ||
    fail "record with --operator-key URI failed"
fi
"$antq" verify "$op_ledger" >/dev/null || fail "antq verify refused the second checkpoint signed on the token"
[[ $("$antq" checkpoint "$op_ledger" | sed -n 2p) == 2 ]] || fail "the operator's ledger does not hold 2 entries"

# antq serve with its TLS key on the token (--key pkcs11:...): the handshake is signed there, and the server presents
# the token's certificate. (--insecure: that certificate names a person, not 127.0.0.1; the point is the key.)
server_pid=""
trap '[[ -n "$server_pid" ]] && kill -9 "$server_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
. "$here/tools/serve-lib.sh"
start_serve "$tmp/serve.log" "$antq" serve "$ledger" --listen 127.0.0.1:0 --cert "$tmp/token/person.crt" \
  --key "$person" </dev/null || fail "antq serve with its key on the token did not start"
code=$(curl -sS --insecure --cert "$tmp/pki/inspector.crt" --key "$tmp/pki/inspector.key" -o "$tmp/health.json" \
  -w '%{http_code}' "https://127.0.0.1:$port/v1/health") || fail "no TLS handshake with the token's key: $(tail -3 "$tmp/serve.log")"
[[ $code == 200 ]] || fail "GET /v1/health with the server's key on the token: $code $(cat "$tmp/health.json")"
presented=$(openssl s_client -connect "127.0.0.1:$port" -cert "$tmp/pki/inspector.crt" -key "$tmp/pki/inspector.key" \
  </dev/null 2>/dev/null | openssl x509 -outform DER | sha256sum | cut -d' ' -f1)
[[ $presented == "$(fingerprint "$tmp/token/person.crt")" ]] || fail "the server did not present the token's certificate"
kill -TERM "$server_pid"
wait "$server_pid" || fail "antq serve with its key on the token did not stop cleanly"
server_pid=""

echo "token: a decision signed on a SoftHSM2 token (RSA-PSS person, ECDSA organisation) was admitted and verified;" \
  "openssl cms -verify accepted all $checked signatures; $prompt_checked; wrong PIN, no PIN and missing key refused;" \
  "the operator's Ed25519 key on a token of its own signed the checkpoints of a ledger that holds no private key;" \
  "antq serve's TLS key on the token signed its handshakes"
