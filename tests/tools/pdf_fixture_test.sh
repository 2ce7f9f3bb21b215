#!/usr/bin/env bash
# antq-pdf-fixture makes PDFs that poppler's pdfsig reads as signed: one signature (P-256), two (person, then the
# organisation in an incremental update: each valid, the first covering only its prefix), an RSA-2048 one, and a
# tampered one whose signature pdfsig refuses. The demo root is not in pdfsig's trust store, so it may call the
# issuer unknown or untrusted: only "Signature Validation" matters here.
#   tests/tools/pdf_fixture_test.sh ANTQ_PDF_FIXTURE
set -euo pipefail
fixture=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*"; exit 1; }
command -v pdfsig >/dev/null || fail "pdfsig is missing (poppler-utils; tools/install-deps.sh installs it)"

"$here/tools/demo-pki.sh" "$tmp/pki" >/dev/null
"$here/tools/demo-pki.sh" "$tmp/pki-rsa" --rsa >/dev/null
person="$tmp/pki/commune-person.key:$tmp/pki/commune-person.crt"
org="$tmp/pki/commune-organisation.key:$tmp/pki/commune-organisation.crt"
rsa="$tmp/pki-rsa/commune-person.key:$tmp/pki-rsa/commune-person.crt"
when=2026-01-02T09:30:00+07:00

# pdfsig FILE must list N signatures, each "Signature is Valid."; its output is left in $out (not printed through a
# command substitution, which would swallow a FAIL line).
out=""
expect_valid() {
  local pdf=$1 n=$2 found valid
  out=$(pdfsig "$pdf" 2>&1) || fail "pdfsig $pdf exited $?: $out"
  found=$(grep -c '^Signature #' <<<"$out" || true)
  valid=$(grep -c 'Signature Validation: Signature is Valid\.' <<<"$out" || true)
  [[ $found == "$n" ]] || fail "pdfsig finds $found signatures in $(basename "$pdf"), expected $n: $out"
  [[ $valid == "$n" ]] || fail "pdfsig finds $valid of $n signatures valid in $(basename "$pdf"): $out"
}

"$fixture" "$tmp/one.pdf" --signer "$person" --signing-time "$when" --title "Commune model: survey approved" ||
  fail "antq-pdf-fixture one.pdf exited $?"
expect_valid "$tmp/one.pdf" 1

"$fixture" "$tmp/two.pdf" --signer "$person" --signer "$org" --signing-time "$when" \
  --title "Quyết định thành lập mô hình" || fail "antq-pdf-fixture two.pdf exited $?"
expect_valid "$tmp/two.pdf" 2
# The incremental update: the person's signature covers the first revision only, the organisation's all of it.
totals=$(grep -E '^\s*- (Not total|Total) document signed' <<<"$out" | sed 's/^ *- //' | paste -sd,)
[[ $totals == "Not total document signed,Total document signed" ]] ||
  fail "two.pdf: expected the first signature to cover a prefix and the second the whole file, got: $totals"
# Each revision's xref ends with its own %%EOF: one per signature.
eofs=$(grep -ac '^%%EOF$' "$tmp/two.pdf" || true)
[[ $eofs == 2 ]] || fail "two.pdf has $eofs %%EOF markers, expected 2 (one incremental update)"

"$fixture" "$tmp/rsa.pdf" --signer "$rsa" --signing-time "$when" || fail "antq-pdf-fixture rsa.pdf exited $?"
expect_valid "$tmp/rsa.pdf" 1

"$fixture" "$tmp/tampered.pdf" --signer "$person" --signing-time "$when" --tamper ||
  fail "antq-pdf-fixture tampered.pdf exited $?"
out=$(pdfsig "$tmp/tampered.pdf" 2>&1) || fail "pdfsig tampered.pdf exited $?: $out"
grep -q '^Signature #1' <<<"$out" || fail "pdfsig finds no signature in tampered.pdf: $out"
if grep -q 'Signature is Valid' <<<"$out"; then fail "pdfsig calls the tampered signature valid: $out"; fi
grep -Eq 'Signature Validation: (Digest Mismatch|Signature is Invalid)' <<<"$out" ||
  fail "pdfsig does not report the tampered signature invalid: $out"

# Bad arguments: one line on stderr, exit 2, no file.
set +e
"$fixture" "$tmp/bad.pdf" --signer "$tmp/pki/commune-person.key" 2>"$tmp/err"
rc=$?
set -e
[[ $rc == 2 && $(wc -l <"$tmp/err") == 1 && ! -e $tmp/bad.pdf ]] ||
  fail "a signer without :CERT: exit $rc, stderr $(cat "$tmp/err")"

echo "pdf fixtures: pdfsig finds 1 (P-256), 2 (incremental update) and 1 (RSA-2048) valid signatures," \
  "and the tampered one invalid"
