#!/usr/bin/env bash
# A signing time is the signer's claim (issue 18, point 2): end to end through the CLI, with the forged material made
# by stock `openssl` (`openssl ca` for the PKI, an expired certificate, a revocation and its CRL; `openssl ts -reply`
# for time-stamp tokens of a test time-stamp authority). Each case fails on an antq that judges a signature only at
# the time it claims:
#   - a certificate that has expired signs a new act dated while it was valid: refused at admission;
#   - a key revoked (CRL added to the log by `antq trust add-crl`) signs an act dated before its revocation: refused,
#     and a signed PDF attached with such a backdated signature too;
#   - a signing time older than the profile's figure (10 days): refused;
#   - a time-stamp token of an authority the ledger does not trust: refused; once `antq trust add-tsa` trusts it, a
#     signature time-stamped before the revocation is admitted after it, and verify shows the time-stamp;
#   - `trust add-crl` and `trust add-tsa` are entries: the tree's size grows by one each;
#   - a time-stamped PDF admitted before the TSA is trusted still verifies once it is (its token did not count then),
#     and one named by an act (held elsewhere) before the TSA is trusted and carried by a later act after it is judged
#     as the carrying act's admission judged it, by verify and by verify-bundle.
#   tests/tools/signing_time_test.sh ANTQ ANTQ_PDF_FIXTURE
set -euo pipefail
antq=$1
fixture=$2
here=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/tools/common.sh
. "$here/tests/tools/common.sh"
iso() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
fingerprint() { openssl x509 -in "$1" -outform DER | sha256sum | cut -d' ' -f1; }
size() { "$antq" checkpoint "$ledger" | sed -n 2p; }
# expect_refused WHAT TEXT... : the last command's output (in $out) is one refusal line holding every TEXT.
expect_refused() {
  local what=$1
  shift
  [[ $status == 2 ]] || fail "$what: exit $status, expected 2: $out"
  [[ $(wc -l <<<"$out") == 1 ]] || fail "$what: expected one line, got: $out"
  for text in "$@"; do grep -qF -- "$text" <<<"$out" || fail "$what: the refusal lacks '$text': $out"; done
}
run() { set +e; out=$("$@" 2>&1); status=$?; set -e; }

# The PKI, made with stock `openssl ca` so that certificates can start in the past (a signing time two days ago must
# fall inside the chain's validity) and end in the past (the expired clerk), and be revoked with a CRL.
pki="$tmp/pki"
mkdir -p "$pki/new"
: > "$pki/index.txt"
echo 1000 > "$pki/serial"
echo 01 > "$pki/crlnumber"
cat > "$pki/ca.cnf" <<EOF
[ca]
default_ca = demo
[demo]
database = $pki/index.txt
new_certs_dir = $pki/new
certificate = $pki/root.crt
private_key = $pki/root.key
serial = $pki/serial
crlnumber = $pki/crlnumber
default_md = sha256
default_crl_days = 7
policy = anything
unique_subject = no
[anything]
commonName = supplied
organizationName = optional
countryName = optional
[root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[signer]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
[tsa]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
EOF
stamp() { date -u -d "$1" +%Y%m%d%H%M%SZ; }
issue() {  # issue NAME "SUBJECT" EXTENSIONS [START END]: NAME.key and NAME.crt under the test root
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -utf8 -subj "$2" \
    -keyout "$pki/$1.key" -out "$pki/$1.csr" 2>/dev/null
  local sign=(-cert "$pki/root.crt" -keyfile "$pki/root.key")
  [[ $1 == root ]] && sign=(-selfsign -keyfile "$pki/root.key")
  openssl ca -batch -utf8 -config "$pki/ca.cnf" "${sign[@]}" -in "$pki/$1.csr" -out "$pki/$1.crt" -notext \
    -extensions "$3" -startdate "${4:-$(stamp '60 days ago')}" -enddate "${5:-$(stamp '1 year')}" 2>/dev/null
  rm -f "$pki/$1.csr"
}
issue root "/C=VN/O=Test CA (TEST KEYS ONLY)/CN=Test Root CA" root
issue admin "/C=VN/O=UBND tỉnh Hòa Bình/CN=Administrator" signer
issue commune-person "/C=VN/O=UBND xã Lạc Thịnh/CN=Chủ tịch UBND xã" signer
issue district-person "/C=VN/O=UBND huyện Yên Thủy/CN=Chủ tịch UBND huyện" signer
issue expired "/C=VN/O=UBND xã Lạc Thịnh/CN=Expired clerk" signer "$(stamp '30 days ago')" "$(stamp '1 day ago')"
issue tsa "/C=VN/O=Test CA (TEST KEYS ONLY)/CN=Test TSA" tsa
echo 01 > "$pki/tsa.serial"
cat > "$pki/tsa.cnf" <<EOF
[tsa]
default_tsa = tsa_config
[tsa_config]
serial = $pki/tsa.serial
signer_cert = $pki/tsa.crt
signer_key = $pki/tsa.key
certs = $pki/tsa.crt
signer_digest = sha256
default_policy = 1.3.6.1.4.1.55555.1.1
digests = sha256, sha384, sha512
ess_cert_id_alg = sha256
EOF

ledger="$tmp/ledger"
"$antq" init "$ledger" --profile hoa-binh-2023 --trust "$pki/root.crt" --admin "$pki/admin.crt" >/dev/null
admin="$pki/admin.key:$pki/admin.crt"

bind() {  # bind CERT ROLE UNIT LEVEL
  cat > "$tmp/bind.json" <<JSON
{"act": "authority.bound", "subject": "ledger", "date": "2023-01-02",
 "data": {"certificate": "$(fingerprint "$1")", "role": "$2", "unit": "$3", "level": "$4", "from": "2023-01-01"}}
JSON
  "$antq" record "$ledger" "$tmp/bind.json" --person "$admin" >/dev/null
}
bind "$pki/commune-person.crt" person "UBND xã Lạc Thịnh" commune
bind "$pki/expired.crt" person "UBND xã Lạc Thịnh" commune
bind "$pki/district-person.crt" person "UBND huyện Yên Thủy" district
act() {  # act SUBJECT UNIT LEVEL [ATTACHMENT]: a model proposed (the person signs alone), in $tmp/SUBJECT.json
  local attachments=""
  [[ -n ${4:-} ]] && attachments=", \"attachments\": [{\"item\": \"1\", \"path\": \"$4\", \"media_type\": \"application/pdf\"}]"
  cat > "$tmp/$1.json" <<JSON
{"act": "model.proposed", "subject": "$1", "date": "2023-01-05",
 "document": {"number": "07/BC-CAX", "title": "Báo cáo đề xuất xây dựng mô hình", "issuer": "$2"},
 "authority": {"level": "$3", "unit": "$2"}, "data": {"name": "Tổ tự quản về ANTT", "type": "self-managed"}$attachments}
JSON
}
sign() {  # sign SUBJECT KEY CERT TIME: the person's signature, claiming TIME
  "$antq" sign "$tmp/$1.json" --key "$2" --cert "$3" --role person --signing-time "$4" -o "$tmp/$1.signed" >/dev/null
}

# 1. An expired certificate signs a new act dated two days ago, while it was valid.
act EXPIRED "UBND xã Lạc Thịnh" commune
sign EXPIRED "$pki/expired.key" "$pki/expired.crt" "$(iso '2 days ago')"
before=$(sha256sum < "$ledger/data.mdb")
run "$antq" append "$ledger" "$tmp/EXPIRED.signed"
expect_refused "expired certificate, backdated" "refused [signature]" "expired" "before admission"
[[ $(sha256sum < "$ledger/data.mdb") == "$before" ]] || fail "a refused append changed data.mdb"

# 2. A signature time-stamped now by the demo TSA, before the ledger trusts the TSA; then a backdated one and a
# backdated PDF by the same key, signed before its revocation is known.
act STAMPED "UBND xã Lạc Thịnh" commune
sign STAMPED "$pki/commune-person.key" "$pki/commune-person.crt" "$(iso '1 hour ago')"
"$antq" timestamp request "$tmp/STAMPED.signed" --role person -o "$tmp/stamped.tsq" >/dev/null
openssl ts -reply -config "$pki/tsa.cnf" -queryfile "$tmp/stamped.tsq" -out "$tmp/stamped.tsr" 2>/dev/null
"$antq" timestamp add "$tmp/STAMPED.signed" --role person --reply "$tmp/stamped.tsr" -o "$tmp/STAMPED.signed" >/dev/null
openssl ts -reply -in "$tmp/stamped.tsr" -text 2>/dev/null | grep -q "Status: Granted" || fail "the demo TSA did not grant"
run "$antq" append "$ledger" "$tmp/STAMPED.signed"
expect_refused "a token of an authority not trusted" "refused [signature]" "time-stamp authority this ledger trusts"
act BACKDATED "UBND xã Lạc Thịnh" commune
sign BACKDATED "$pki/commune-person.key" "$pki/commune-person.crt" "$(iso '1 hour ago')"
"$fixture" "$tmp/decision.pdf" --signer "$pki/commune-person.key:$pki/commune-person.crt" \
  --signing-time "$(iso '1 hour ago')" --title "Decision" >/dev/null
act PDF "UBND huyện Yên Thủy" district "$tmp/decision.pdf"
sign PDF "$pki/district-person.key" "$pki/district-person.crt" "$(iso '1 minute ago')"
# A document held elsewhere: an act names a PDF by its SHA-256 and size only. The PDF, signed by the district chairman
# claiming an hour ago and time-stamped now by the TSA that the ledger does not trust yet, is carried in (7).
"$fixture" "$tmp/held.pdf" --signer "$pki/district-person.key:$pki/district-person.crt" \
  --signing-time "$(iso '1 hour ago')" --title "Held elsewhere" \
  --timestamp-command "openssl ts -reply -config '$pki/tsa.cnf' -queryfile /dev/stdin 2>/dev/null" >/dev/null
act HELD "UBND huyện Yên Thủy" district
held_sha=$(sha256sum < "$tmp/held.pdf" | cut -d' ' -f1)
sed -i "s|}\$|, \"attachments\": [{\"item\": \"1\", \"sha256\": \"$held_sha\", \"size\": $(stat -c %s "$tmp/held.pdf"), \"media_type\": \"application/pdf\"}]}|" \
  "$tmp/HELD.json"
sign HELD "$pki/district-person.key" "$pki/district-person.crt" "$(iso '1 minute ago')"
run "$antq" append "$ledger" "$tmp/HELD.signed"
[[ $status == 0 ]] || fail "an act naming a document held elsewhere was refused: $out"
# And a PDF time-stamped by the same TSA, carried now: its token does not count yet (the claimed time does).
"$fixture" "$tmp/carried.pdf" --signer "$pki/district-person.key:$pki/district-person.crt" \
  --signing-time "$(iso '1 hour ago')" --title "Carried before the TSA is trusted" \
  --timestamp-command "openssl ts -reply -config '$pki/tsa.cnf' -queryfile /dev/stdin 2>/dev/null" >/dev/null
act CARRIED "UBND huyện Yên Thủy" district "$tmp/carried.pdf"
sign CARRIED "$pki/district-person.key" "$pki/district-person.crt" "$(iso '1 minute ago')"
run "$antq" append "$ledger" "$tmp/CARRIED.signed"
[[ $status == 0 ]] || fail "a PDF time-stamped by an authority not trusted yet was refused: $out"
sleep 2  # the revocation below comes after the time-stamp, to the second

# 3. The commune chairman's key is revoked (keyCompromise); the CRL becomes an entry of the log.
openssl ca -batch -config "$pki/ca.cnf" -revoke "$pki/commune-person.crt" -crl_reason keyCompromise 2>/dev/null
openssl ca -batch -config "$pki/ca.cnf" -gencrl -out "$tmp/root.crl" 2>/dev/null
n=$(size)
"$antq" trust add-crl "$ledger" "$tmp/root.crl" --admin "$admin" >/dev/null
[[ $(size) == $((n + 1)) ]] || fail "trust add-crl did not add an entry (size $n -> $(size))"
run "$antq" append "$ledger" "$tmp/BACKDATED.signed"
expect_refused "revoked key, backdated before its revocation" "refused [signature]" "was revoked" "before admission"
run "$antq" append "$ledger" "$tmp/PDF.signed"
expect_refused "a PDF signed by the revoked key, backdated" "refused [signature]" "PDF signature 1" "was revoked" \
  "before admission"

# 4. Older than the profile allows (10 days), by a key that is still good.
act OLD "UBND huyện Yên Thủy" district
sign OLD "$pki/district-person.key" "$pki/district-person.crt" "$(iso '20 days ago')"
run "$antq" append "$ledger" "$tmp/OLD.signed"
expect_refused "a signing time 20 days before admission" "refused [signature]" "more than 10 days before admission"

# 5. Once the TSA is trusted (an entry too), the signature time-stamped before the revocation is admitted.
n=$(size)
"$antq" trust add-tsa "$ledger" "$pki/tsa.crt" --admin "$admin" --name "Demo TSA" >/dev/null
[[ $(size) == $((n + 1)) ]] || fail "trust add-tsa did not add an entry"
run "$antq" append "$ledger" "$tmp/STAMPED.signed"
[[ $status == 0 ]] || fail "the time-stamped signature was refused: $out"
seq=$(awk '{print $1}' <<<"$out")
run "$antq" verify "$ledger" --json
[[ $status == 0 ]] || fail "verify failed (the PDF admitted before the TSA was trusted?): $out"
grep -q "\"seq\":$seq,.*\"signing_time_source\":\"timestamp\"\|\"signing_time_source\":\"timestamp\".*\"seq\":$seq" <<<"$out" ||
  fail "verify --json does not show entry $seq's time-stamp: $out"

# 6. Stock OpenSSL reads the stored signature with its token.
"$antq" export "$ledger" "$tmp/bundle" --explode >/dev/null
openssl cms -verify -binary -inform DER -content "$tmp/bundle/acts/$seq.body" -in "$tmp/bundle/acts/$seq.person.p7s" \
  -CAfile "$pki/root.crt" -purpose any -out /dev/null 2>/dev/null || fail "openssl cms -verify refuses entry $seq"
openssl cms -cmsout -print -inform DER -in "$tmp/bundle/acts/$seq.person.p7s" | grep -q "id-smime-aa-timeStampToken" ||
  fail "entry $seq's stored signature lacks its time-stamp token"
# 7. The held PDF carried in by a later act, now that the TSA is trusted: admission counts the token's time, and
# verify, which cannot tell from the entries which act carried it, judges it as that act's admission did.
cat > "$tmp/ATTACHED.json" <<JSON
{"act": "document.attached", "subject": "HELD", "date": "2023-01-06",
 "document": {"number": "08/BC-CAH", "title": "Văn bản kèm theo", "issuer": "UBND huyện Yên Thủy"},
 "authority": {"level": "district", "unit": "UBND huyện Yên Thủy"},
 "attachments": [{"item": "1", "path": "$tmp/held.pdf", "media_type": "application/pdf"}]}
JSON
sign ATTACHED "$pki/district-person.key" "$pki/district-person.crt" "$(iso '1 minute ago')"
run "$antq" append "$ledger" "$tmp/ATTACHED.signed"
[[ $status == 0 ]] || fail "the act carrying the held PDF was refused: $out"
run "$antq" verify "$ledger" --json
[[ $status == 0 ]] || fail "verify fails on a PDF named before the TSA was trusted and carried after: $out"
# (pdf_signature_details is indented JSON: one line per PDF signature once spaces and line feeds are gone)
tr -d ' \n' <<<"$out" | sed 's/},{/}\n{/g' |
  grep -q "\"attachment\":\"$held_sha\".*\"signing_time_source\":\"timestamp\"" ||
  fail "verify --json does not show the held PDF's time-stamp: $out"
"$antq" export "$ledger" "$tmp/bundle7" >/dev/null
run "$antq" verify-bundle "$tmp/bundle7" --operator-key "$ledger/operator.vkey" --trust "$pki/root.crt"
[[ $status == 0 ]] || fail "verify-bundle fails on the bundle with both PDFs: $out"
echo "signing times: expired, revoked (act and PDF), too old and untrusted time-stamps refused; time-stamped admitted;" \
  "a time-stamped PDF carried after its first naming verifies as admitted"
