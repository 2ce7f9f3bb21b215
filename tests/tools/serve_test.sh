#!/usr/bin/env bash
# antq serve end to end, with stock curl and openssl: mutual TLS refusals (no certificate, an untrusted, an expired
# and a revoked one), an unbound certificate refused 403, a submission answered 201 with its proof after the commit,
# a refused one 422 and garbage 400 with nothing written, plain HTTP only on loopback, SIGTERM drains and exits 0.
#   tests/tools/serve_test.sh ANTQ
set -euo pipefail
antq=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/tools/common.sh
. "$here/tests/tools/common.sh"
command -v curl >/dev/null || fail "curl is missing (tools/install-deps.sh installs it)"
server_pid=""
trap '[[ -n "$server_pid" ]] && kill -9 "$server_pid" 2>/dev/null; rm -rf "$tmp"' EXIT

pki="$tmp/pki"
"$here/tools/demo-pki.sh" "$pki" >/dev/null
ledger="$tmp/ledger"
"$antq" init "$ledger" --profile hoa-binh-2023 --trust "$pki/roots.pem" --admin "$pki/province-person.crt" >/dev/null
admin="$pki/province-person.key:$pki/province-person.crt"
fp() { openssl x509 -in "$1" -outform DER | sha256sum | cut -d' ' -f1; }
for role in person organisation; do
  cat > "$tmp/bind-$role.json" <<JSON
{"act": "authority.bound", "subject": "ledger", "date": "2026-01-02",
 "data": {"certificate": "$(fp "$pki/commune-$role.crt")", "role": "$role", "unit": "UBND xã Lạc Thịnh", "level": "commune", "from": "2026-01-01"}}
JSON
  "$antq" record "$ledger" "$tmp/bind-$role.json" --person "$admin" >/dev/null
done

# Readers: a provincial inspector over the whole ledger; the commune's seal certificate over another unit only.
. "$here/tools/serve-lib.sh"
grant() { grant_reader "$antq" "$ledger" "$admin" "$tmp" "$@"; }  # grant CERT ROLE SCOPE-JSON
grant "$pki/inspector.crt" inspector '"whole_ledger": true'
grant "$pki/commune-organisation.crt" reader '"units": ["UBND huyện Yên Thủy"]'

# An expired and a revoked client certificate, from the same root (openssl ca sets the dates and writes the CRL).
ca="$tmp/ca"
mkdir -p "$ca"
: > "$ca/index.txt"
echo 1000 > "$ca/serial"
cat > "$ca/ca.cnf" <<CNF
[ca]
default_ca = demo
[demo]
database = $ca/index.txt
serial = $ca/serial
new_certs_dir = $ca
certificate = $pki/root.crt
private_key = $pki/root.key
default_md = sha256
policy = any
default_crl_days = 30
unique_subject = no
[any]
commonName = supplied
[signer]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
CNF
for who in expired revoked; do
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$who (test)" \
    -keyout "$tmp/$who.key" -out "$tmp/$who.csr" 2>/dev/null
done
openssl ca -batch -config "$ca/ca.cnf" -extensions signer -startdate 20200101000000Z -enddate 20210101000000Z \
  -in "$tmp/expired.csr" -out "$tmp/expired.crt" 2>/dev/null
openssl ca -batch -config "$ca/ca.cnf" -extensions signer -days 30 -in "$tmp/revoked.csr" -out "$tmp/revoked.crt" 2>/dev/null
openssl ca -batch -config "$ca/ca.cnf" -revoke "$tmp/revoked.crt" 2>/dev/null
openssl ca -batch -config "$ca/ca.cnf" -gencrl -out "$tmp/root.crl" 2>/dev/null
"$antq" trust add-crl "$ledger" "$tmp/root.crl" --admin "$admin" >/dev/null
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=stranger" \
  -keyout "$tmp/stranger.key" -out "$tmp/stranger.crt" 2>/dev/null

# Plain HTTP only on loopback.
set +e
out=$("$antq" serve "$ledger" --plain-http --listen 0.0.0.0:0 2>&1); rc=$?
set -e
[[ $rc == 2 && $out == *"loopback"* ]] || fail "plain HTTP on 0.0.0.0 was not refused (rc $rc): $out"

start_serve "$tmp/serve.log" "$antq" serve "$ledger" --listen 127.0.0.1:0 --cert "$pki/server.crt" \
  --key "$pki/server.key" --threads 2 || fail "antq serve did not start"
url="https://127.0.0.1:$port"
as() { local who=$1; shift; curl -sS --cacert "$pki/root.crt" --cert "$who.crt" --key "$who.key" "$@"; }
clerk="$pki/commune-person"

# Refused at the handshake: nothing is read, no answer.
handshake_refused() {
  local what=$1; shift
  if curl -sS --max-time 10 --cacert "$pki/root.crt" "$@" "$url/v1/health" >/dev/null 2>"$tmp/curl.err"; then
    fail "$what: the server answered"
  fi
  echo "handshake refused ($what): $(head -c 120 "$tmp/curl.err")"
}
handshake_refused "no certificate"
handshake_refused "untrusted certificate" --cert "$tmp/stranger.crt" --key "$tmp/stranger.key"
handshake_refused "expired certificate" --cert "$tmp/expired.crt" --key "$tmp/expired.key"
handshake_refused "revoked certificate" --cert "$tmp/revoked.crt" --key "$tmp/revoked.key"
if openssl s_client -connect "127.0.0.1:$port" -CAfile "$pki/root.crt" -tls1_1 </dev/null >/dev/null 2>&1; then
  fail "TLS 1.1 was accepted"
fi

# A trusted but unbound certificate may not submit.
size_before=$("$antq" checkpoint "$ledger" | sed -n 2p)
cat > "$tmp/act.json" <<JSON
{"act": "model.proposed", "subject": "LT-M1", "date": "2026-03-02",
 "document": {"number": "07/BC-CAX", "title": "Báo cáo đề xuất xây dựng mô hình", "issuer": "UBND xã Lạc Thịnh"},
 "authority": {"level": "commune", "unit": "UBND xã Lạc Thịnh"}, "data": {"name": "Tổ tự quản về ANTT", "type": "self-managed"}}
JSON
"$antq" sign "$tmp/act.json" --key "$clerk.key" --cert "$clerk.crt" --role person -o "$tmp/act.signed" >/dev/null
code=$(as "$pki/district-person" -o "$tmp/out.json" -w '%{http_code}' --data-binary @"$tmp/act.signed" "$url/v1/acts")
[[ $code == 403 ]] || fail "an unbound certificate submitted (HTTP $code): $(cat "$tmp/out.json")"
grep -q '"error"' "$tmp/out.json" || fail "403 without a reason"

# Garbage: 400, nothing written.
head -c 500 /dev/urandom > "$tmp/garbage"
code=$(as "$clerk" -o "$tmp/out.json" -w '%{http_code}' --data-binary @"$tmp/garbage" "$url/v1/acts")
[[ $code == 400 ]] || fail "garbage was answered $code: $(cat "$tmp/out.json")"

# A lawful act: 201 after the commit, with its seq, leaf hash, checkpoint and inclusion proof.
code=$(as "$clerk" -o "$tmp/out.json" -w '%{http_code}' --data-binary @"$tmp/act.signed" "$url/v1/acts")
[[ $code == 201 ]] || fail "the act was answered $code: $(cat "$tmp/out.json")"
python3 - "$tmp/out.json" <<'PY'
import hashlib, json, sys
a = json.load(open(sys.argv[1]))
seq, size = a["seqs"][0], a["size"]
e = a["entries"][0]
assert e["seq"] == seq and len(e["leaf_hash"]) == 64, a
assert a["checkpoint"].splitlines()[1] == str(size), a["checkpoint"]
# RFC 9162 inclusion: fold the proof from the leaf up to the root.
def h(b): return hashlib.sha256(b).digest()
fn, sn, r = seq, size - 1, bytes.fromhex(e["leaf_hash"])
for p in map(bytes.fromhex, e["proof"]):
    if sn == 0: raise SystemExit("proof too long")
    if fn % 2 == 1 or fn == sn:
        r = h(b"\x01" + p + r)
        if fn % 2 == 0:
            while fn % 2 == 0 and fn != 0: fn >>= 1; sn >>= 1
    else:
        r = h(b"\x01" + r + p)
    fn >>= 1; sn >>= 1
assert sn == 0 and r.hex() == a["root"], "the inclusion proof does not lead to the root"
PY
first_seq=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["seqs"][0])' "$tmp/out.json")
cp "$tmp/out.json" "$tmp/receipt.json"
echo "submitted: HTTP 201, entry $first_seq, proof checked"

# The same act again: 422 duplicate, nothing written.
code=$(as "$clerk" -o "$tmp/out.json" -w '%{http_code}' --data-binary @"$tmp/act.signed" "$url/v1/acts")
[[ $code == 422 ]] || fail "a duplicate was answered $code: $(cat "$tmp/out.json")"
grep -q '"refused":"duplicate"' "$tmp/out.json" || fail "422 without the rule: $(cat "$tmp/out.json")"

# The client side: antq append and antq record --server, with the same output and exit codes as on a directory.
sed 's/LT-M1/LT-M2/; s|07/BC-CAX|08/BC-CAX|' "$tmp/act.json" > "$tmp/act2.json"
"$antq" sign "$tmp/act2.json" --key "$clerk.key" --cert "$clerk.crt" --role person -o "$tmp/act2.signed" >/dev/null 2>&1
remote=(--server "$url" --client-cert "$clerk.key:$clerk.crt" --server-ca "$pki/root.crt")
out=$("$antq" append "${remote[@]}" "$tmp/act2.signed") || fail "antq append --server failed: $out"
[[ $out =~ ^[0-9]+\ +model.proposed\ +LT-M2$ ]] || fail "antq append --server printed: $out"
set +e
out=$("$antq" append "${remote[@]}" "$tmp/act2.signed" 2>&1); rc=$?
set -e
[[ $rc == 2 && $out == "refused [duplicate]: "* ]] || fail "a duplicate through --server: rc $rc: $out"
# The refusal in the client's language: it asks with Accept-Language, the service answers in it.
set +e
out=$(LANG=vi_VN.UTF-8 LANGUAGE= LC_ALL= "$antq" append "${remote[@]}" "$tmp/act2.signed" 2>&1); rc=$?
set -e
[[ $rc == 2 && $out == "bị từ chối [duplicate]: model.proposed "*" của LT-M2 ngày "*" đã được ghi vào sổ"* ]] ||
  fail "a duplicate through --server under a Vietnamese locale: rc $rc: $out"
sed 's/LT-M1/LT-M3/; s|07/BC-CAX|09/BC-CAX|' "$tmp/act.json" > "$tmp/act3.json"
out=$("$antq" record "$tmp/act3.json" --person "$clerk.key:$clerk.crt" "${remote[@]}" --json 2>/dev/null) \
  || fail "antq record --server failed: $out"
[[ $out == *'"subject": "LT-M3"'* ]] || fail "antq record --server --json printed: $out"
set +e
out=$("$antq" append --server "$url" --client-cert "$pki/district-person.key:$pki/district-person.crt" \
  --server-ca "$pki/root.crt" "$tmp/act2.signed" 2>&1); rc=$?
set -e
[[ $rc == 2 && $out == *"HTTP 403"* ]] || fail "an unbound certificate through --server: rc $rc: $out"
echo "antq append/record --server: 201 printed as locally, refusals and 403 with exit 2"

# What the client takes a 201 to prove: the entry of the act sent, at its seq and recording time, has the leaf hash
# whose inclusion proof leads to the root the answer names, and with --operator-key that tree's checkpoint is the
# operator's.
# A stand-in (tests/tools/hostile_server.py) answers act.signed with the service's own receipt for it, or that
# receipt changed: taken as it is, and refused with exit 1 and one line once changed.
sed 's/LT-M1/LT-M4/; s|07/BC-CAX|10/BC-CAX|' "$tmp/act.json" > "$tmp/act4.json"
"$antq" sign "$tmp/act4.json" --key "$clerk.key" --cert "$clerk.crt" --role person -o "$tmp/act4.signed" >/dev/null 2>&1
out=$("$antq" append "${remote[@]}" --operator-key "$ledger/operator.vkey" "$tmp/act4.signed") ||
  fail "antq append --server --operator-key failed: $out"
[[ $out =~ ^[0-9]+\ +model.proposed\ +LT-M4$ ]] || fail "antq append --server --operator-key printed: $out"
# --json keeps the receipt: the proof and the signed checkpoint the client checked, anchored to the key given.
sed 's/LT-M1/LT-M7/; s|07/BC-CAX|17/BC-CAX|' "$tmp/act.json" > "$tmp/act7.json"
"$antq" sign "$tmp/act7.json" --key "$clerk.key" --cert "$clerk.crt" --role person -o "$tmp/act7.signed" >/dev/null 2>&1
"$antq" append "${remote[@]}" --operator-key "$ledger/operator.vkey" "$tmp/act7.signed" --json >"$tmp/receipt7.json" ||
  fail "antq append --server --json failed: $(cat "$tmp/receipt7.json")"
python3 - "$tmp/receipt7.json" <<'PY' || fail "the --json receipt: $(cat "$tmp/receipt7.json")"
import json, sys
[a] = json.load(open(sys.argv[1]))
r = a["receipt"]
assert a["subject"] == "LT-M7" and r["anchored"] is True and len(r["leaf_hash"]) == 64 and r["recorded_at"], r
assert r["checkpoint"].splitlines()[1] == str(r["tree_size"]) and a["seq"] < r["tree_size"] and r["proof"], r
PY
# An act signed by the person and the organisation, with a document, recorded through the service: its receipt is
# the entry of both signatures (each CMS without its certificates) and holds.
printf 'Biên bản họp thôn\n' >"$tmp/minutes.txt"
python3 - "$tmp/act.json" "$tmp/minutes.txt" "$tmp/act8.json" <<'PY'
import json, sys
act = json.load(open(sys.argv[1]))
act["subject"], act["document"]["number"] = "LT-M8", "18/BC-CAX"
act["attachments"] = [{"item": "1", "path": sys.argv[2], "media_type": "text/plain"}]
json.dump(act, open(sys.argv[3], "w"), ensure_ascii=False)
PY
out=$("$antq" record "$tmp/act8.json" --person "$clerk.key:$clerk.crt" \
  --org "$pki/commune-organisation.key:$pki/commune-organisation.crt" "${remote[@]}" \
  --operator-key "$ledger/operator.vkey" 2>&1) || fail "record --server with --org and a document: $out"
[[ $out == *"LT-M8"* ]] || fail "record --server with --org and a document printed: $out"
for n in 5 6; do  # a batch: admitted together, at consecutive seqs, each with its proof
  sed "s/LT-M1/LT-M$n/; s|07/BC-CAX|1$n/BC-CAX|" "$tmp/act.json" > "$tmp/act$n.json"
  "$antq" sign "$tmp/act$n.json" --key "$clerk.key" --cert "$clerk.crt" --role person -o "$tmp/act$n.signed" \
    >/dev/null 2>&1
done
out=$("$antq" append "${remote[@]}" --operator-key "$ledger/operator.vkey" "$tmp/act5.signed" "$tmp/act6.signed") ||
  fail "a batch through --server failed: $out"
[[ $(wc -l <<<"$out") == 2 && $out == *LT-M5*LT-M6* ]] || fail "a batch through --server printed: $out"
python3 - "$tmp/receipt.json" "$tmp/receipt" "$ledger/operator.vkey" <<'PY'
import base64, hashlib, json, os, sys
genuine, out = json.load(open(sys.argv[1])), sys.argv[2]
def write(name, change):
    a = json.loads(json.dumps(genuine))
    change(a)
    json.dump(a, open(f"{out}-{name}.json", "w"))
write("genuine", lambda a: None)
write("leaf", lambda a: a["entries"][0].update(leaf_hash="00" * 32))
write("proof", lambda a: a["entries"][0]["proof"].__setitem__(0, "11" * 32))
write("no-time", lambda a: a["entries"][0].pop("recorded_at"))
write("other-time", lambda a: a["entries"][0].update(recorded_at="2020-01-01T00:00:00Z"))
write("size", lambda a: a.update(size=a["seqs"][0]))
write("bare", lambda a: [a.pop(k) for k in ("size", "root", "checkpoint", "seqs")])
write("bigger", lambda a: a.update(size=a["size"] + 1))
write("root", lambda a: a.update(root="22" * 32))
write("seqs", lambda a: a.update(seqs=[a["seqs"][0] + 1]))
write("bad-time", lambda a: a["entries"][0].update(recorded_at="2026-13-45T99:99:99Z"))
origin = genuine["checkpoint"].splitlines()[0]
# The operator's key under another name: the checkpoint's signature line relabelled to it still verifies (the
# signature covers the text only), but the log it names is not that one.
name, _, encoded = open(sys.argv[3]).read().strip().split("+", 2)
renamed = "another/log"
renamed_id = hashlib.sha256(renamed.encode() + b"\n" + base64.b64decode(encoded)).digest()[:4]
open(f"{out}-renamed.vkey", "w").write(f"{renamed}+{renamed_id.hex()}+{encoded}\n")
def relabel(note):
    lines = note.split("\n")
    for i, line in enumerate(lines):
        if line.startswith(f"\u2014 {name} "):
            sig = base64.b64decode(line.split(" ")[2])
            lines[i] = f"\u2014 {renamed} " + base64.b64encode(renamed_id + sig[4:]).decode()
    return "\n".join(lines)
write("relabelled", lambda a: a.update(checkpoint=relabel(a["checkpoint"])))
key = b"\x01" + os.urandom(32)  # another Ed25519 key of the same name: C2SP's key id, then the key
key_id = hashlib.sha256(origin.encode() + b"\n" + key).hexdigest()[:8]
open(f"{out}-other.vkey", "w").write(f"{origin}+{key_id}+" + base64.b64encode(key).decode() + "\n")
PY
receipt() {  # NAME RC PATTERN [ARGS...]: append act.signed to the stand-in answering $tmp/receipt-NAME.json
  local name=$1 want=$2 pattern=$3 port rc=0 out
  shift 3
  coproc stand_in { exec python3 "$here/tests/tools/hostile_server.py" "$pki/server.crt" "$pki/server.key" \
    answer-201 "$tmp/receipt-$name.json"; }
  read -r port <&"${stand_in[0]}"
  out=$("$antq" append --server "https://127.0.0.1:$port" --client-cert "$clerk.key:$clerk.crt" \
    --server-ca "$pki/root.crt" "$@" "$tmp/act.signed" 2>&1) || rc=$?
  kill "$stand_in_PID" 2>/dev/null || true
  wait "$stand_in_PID" 2>/dev/null || true
  [[ $rc == "$want" && $(wc -l <<<"$out") == 1 && $out == $pattern ]] || fail "receipt $name: rc $rc: $out"
}
receipt genuine 0 "$first_seq *model.proposed *LT-M1" --operator-key "$ledger/operator.vkey"
receipt genuine 0 "$first_seq *model.proposed *LT-M1"
proves="*: the answer does not prove that the log holds the act"
receipt genuine 1 "$proves (its checkpoint: *); it may have been admitted: look it up*" \
  --operator-key "$tmp/receipt-other.vkey"
origin=$("$antq" checkpoint "$ledger" | sed -n 1p)
receipt relabelled 1 "$proves (its checkpoint is of the log $origin, not another/log)*" \
  --operator-key "$tmp/receipt-renamed.vkey"
receipt bigger 1 "$proves (its checkpoint is of a tree of size *, not of the one it names)*" \
  --operator-key "$ledger/operator.vkey"
receipt root 1 "$proves (its checkpoint is of a tree of size *, not of the one it names)*" \
  --operator-key "$ledger/operator.vkey"
receipt seqs 1 "$proves (entry $first_seq: its seq is not the next one in a tree of size *)*"
receipt bad-time 1 "$proves (entry $first_seq: its recording time is missing or not a UTC time)*"
receipt leaf 1 "$proves (entry $first_seq: its leaf hash is not that of the act sent, recorded at *)*"
receipt other-time 1 "$proves (entry $first_seq: its leaf hash is not that of the act sent, recorded at 2020-01-01T*)*"
receipt proof 1 "$proves (entry $first_seq: its inclusion proof does not lead to the root of the tree of size *)*"
receipt no-time 1 "$proves (entry $first_seq: its recording time is missing or not a UTC time)*"
receipt size 1 "$proves (entry $first_seq: its seq is not the next one in a tree of size $first_seq)*"
receipt bare 1 "$proves (its size, root, checkpoint or seqs are missing)*"
set +e
out=$("$antq" append "${remote[@]}" --operator-key "$pki/server.key" "$tmp/act.signed" 2>&1); rc=$?
set -e
[[ $rc == 2 && $out == *"$pki/server.key: with --server, the operator's verifier key (operator.vkey)"* ]] ||
  fail "a private key as --operator-key with --server: rc $rc: $out"
echo "antq append --server: a receipt proves the act in the log (with --operator-key, the operator's checkpoint)"

# Reads: the inspector sees the subject; a reader scoped to another unit gets the answer of an absent subject.
# A unit typed in lower case is entered in the access history under its name (checked below).
lower_case_unit="ubnd%20x%C3%A3%20l%E1%BA%A1c%20th%E1%BB%8Bnh"
code=$(as "$pki/inspector" -o /dev/null -w '%{http_code}' "$url/v1/stats?unit=$lower_case_unit")
[[ $code == 200 ]] || fail "the statistics of a unit typed in lower case were answered $code"
code=$(as "$pki/inspector" -o "$tmp/out.json" -w '%{http_code}' "$url/v1/show?subject=LT-M1")
[[ $code == 200 ]] && grep -q '"subject":"LT-M1"' "$tmp/out.json" || fail "the inspector could not read LT-M1 ($code): $(cat "$tmp/out.json")"
code=$(as "$pki/commune-organisation" -o "$tmp/scoped.json" -w '%{http_code}' "$url/v1/show?subject=LT-M1")
code2=$(as "$pki/commune-organisation" -o "$tmp/absent.json" -w '%{http_code}' "$url/v1/show?subject=NOPE-1")
[[ $code == 404 && $code2 == 404 ]] || fail "a scoped reader saw another unit's subject ($code): $(cat "$tmp/scoped.json")"
[[ $(sed 's/LT-M1/X/' "$tmp/scoped.json") == $(sed 's/NOPE-1/X/' "$tmp/absent.json") ]] || fail "outside the scope differs from absent"
head=$(as "$pki/inspector" -I "$url/v1/show?subject=LT-M1" | tr -d '\r')
[[ $head == "HTTP/1.1 200"* && $head == *"Content-Length: "[1-9]* ]] || fail "HEAD was not answered as GET without a body: $head"
code=$(as "$pki/commune-organisation" -o "$tmp/out.json" -w '%{http_code}' "$url/tile/0/000.p/1")
[[ $code == 403 ]] || fail "a scoped reader got the log's tiles ($code)"
# Nor the inclusion proof of an entry outside its scope (the desk's verification answers so too); the inspector is.
code=$(as "$pki/commune-organisation" -o "$tmp/out.json" -w '%{http_code}' "$url/v1/proof/inclusion?seq=$first_seq")
code2=$(as "$pki/inspector" -o /dev/null -w '%{http_code}' "$url/v1/proof/inclusion?seq=$first_seq")
[[ $code == 404 && $code2 == 200 ]] ||
  fail "the proof of LT-M1's entry: $code to a reader scoped to another unit, $code2 to the inspector"
# An audit as of a day to come would judge years that have not come: 400.
code=$(as "$pki/inspector" -o "$tmp/out.json" -w '%{http_code}' "$url/v1/audit?as_of=9999-12-31")
[[ $code == 400 ]] && grep -q "later than today" "$tmp/out.json" ||
  fail "an audit as of 9999-12-31 was answered $code: $(head -c 200 "$tmp/out.json")"
# What was refused was not shown: the access history enters neither (checked below).
code=$(as "$pki/inspector" -o /dev/null -w '%{http_code}' "$url/v1/report?period=NOPE-X&format=x")
code2=$(as "$pki/inspector" -o /dev/null -w '%{http_code}' "$url/v1/show?subject=LT-M2&as_of=2026-13-40")
[[ $code == 400 && $code2 == 400 ]] || fail "a bad period or as-of was answered $code, $code2"
code=$(as "$pki/commune-person" -o "$tmp/out.json" -w '%{http_code}' "$url/v1/stats")
[[ $code == 403 ]] || fail "a submitter without a grant read the statistics ($code)"
# Every 4xx in the language Accept-Language names first (Vietnamese for vi, vi-VN), English otherwise.
code=$(as "$pki/commune-person" -H 'Accept-Language: vi-VN,vi;q=0.9,en;q=0.5' -o "$tmp/out.json" -w '%{http_code}' \
  "$url/v1/stats")
[[ $code == 403 ]] && grep -q '"error":"chứng thư .* không có quyền đọc (access.granted) sổ cái này"' "$tmp/out.json" ||
  fail "a 403 asked in Vietnamese ($code): $(cat "$tmp/out.json")"
code=$(as "$pki/inspector" -H 'Accept-Language: vi' -o "$tmp/out.json" -w '%{http_code}' "$url/v1/nowhere")
[[ $code == 404 ]] && grep -q '"error":"/v1/nowhere: không có đường dẫn (route) này' "$tmp/out.json" ||
  fail "a 404 asked in Vietnamese ($code): $(cat "$tmp/out.json")"
code=$(as "$pki/inspector" -H 'Accept-Language: vi' -o "$tmp/out.json" -w '%{http_code}' "$url/v1/stats?format=xml")
[[ $code == 400 ]] && grep -q '"error":"format: json hoặc csv"' "$tmp/out.json" ||
  fail "a 400 asked in Vietnamese ($code): $(cat "$tmp/out.json")"
code=$(as "$pki/inspector" -H 'Accept-Language: en-GB' -o "$tmp/out.json" -w '%{http_code}' "$url/v1/stats?format=xml")
[[ $code == 400 ]] && grep -q '"error":"format: json or csv"' "$tmp/out.json" ||
  fail "a 400 asked in English ($code): $(cat "$tmp/out.json")"
# The same answer as the CLI's --json.
as "$pki/inspector" "$url/v1/stats" > "$tmp/stats.served"
"$antq" stats "$ledger" --format json > "$tmp/stats.cli"
python3 -c 'import json,sys; a,b=(json.load(open(f)) for f in sys.argv[1:]); sys.exit(a != b)' "$tmp/stats.served" "$tmp/stats.cli" \
  || fail "GET /v1/stats differs from antq stats --format json"

# The read commands with the service's URL for DIR print what they print on the directory, byte for byte.
reader=(--client-cert "$pki/inspector.key:$pki/inspector.crt" --server-ca "$pki/root.crt")
same() {  # same ARGS...: `antq ARGS` on the ledger and on the service's URL print the same and exit 0
  local cmd=$1; shift
  "$antq" "$cmd" "$ledger" "$@" > "$tmp/local.out" || fail "antq $cmd $ledger $* failed"
  "$antq" "$cmd" "$url" "$@" "${reader[@]}" > "$tmp/remote.out" 2>"$tmp/remote.err" \
    || fail "antq $cmd URL $* failed: $(cat "$tmp/remote.err")"
  cmp -s "$tmp/local.out" "$tmp/remote.out" || fail "antq $cmd URL $* differs: $(diff "$tmp/local.out" "$tmp/remote.out" | head -5)"
}
same show LT-M1 --json
same show LT-M1 --json --at 5
same history LT-M1 --json
same dossier LT-M1 --json
same dossier --unit "UBND xã Lạc Thịnh" --json
same diff LT-M1 --from 2025-01-01 --to 2026-12-31
same diff LT-M1 --from 2025-01-01 --to 2026-12-31 --json
same stats --format json
same stats --format csv --year 2026
same audit --json
same report 2026 --format json
same report 2026 --format csv
same report 2026 --format html
same retention --json
"$antq" report "$ledger" 2026 --format csv > "$tmp/report.csv"
same reconcile "$tmp/report.csv" --json
cp "$tmp/report.csv" "$tmp/padded.csv"
echo "points,Mô hình không có trong sổ,5" >> "$tmp/padded.csv"
set +e
"$antq" reconcile "$url" "$tmp/padded.csv" "${reader[@]}" > "$tmp/remote.out"; rc_remote=$?
"$antq" reconcile "$ledger" "$tmp/padded.csv" > "$tmp/local.out"; rc_local=$?
set -e
[[ $rc_remote == 1 && $rc_local == 1 ]] || fail "reconcile of a padded report: exit $rc_local on the directory, $rc_remote on the URL"
cmp -s <(tail -n +2 "$tmp/local.out") <(tail -n +2 "$tmp/remote.out") || fail "antq reconcile URL's table differs"
"$antq" audit "$url" "${reader[@]}" | tail -n +2 > "$tmp/remote.out"
"$antq" audit "$ledger" | tail -n +2 > "$tmp/local.out"
cmp -s "$tmp/local.out" "$tmp/remote.out" || fail "antq audit URL's table differs"
expect_refusal() {  # expect_refusal PATTERN ARGS...: antq ARGS exits 2 with one line matching PATTERN
  local pattern=$1; shift
  set +e
  out=$("$antq" "$@" 2>&1 >/dev/null); rc=$?
  set -e
  [[ $rc == 2 && $out == $pattern && $(wc -l <<< "$out") == 1 ]] || fail "antq $*: rc $rc: $out"
}
expect_refusal "*HTTP 404*no such subject*" show "$url" NOPE-1 --json "${reader[@]}"
expect_refusal "*HTTP 404*no such subject*" show "$url" LT-M1 --json --client-cert \
  "$pki/commune-organisation.key:$pki/commune-organisation.crt" --server-ca "$pki/root.crt"
expect_refusal "*HTTP 403*" stats "$url" --format json --client-cert "$clerk.key:$clerk.crt" --server-ca "$pki/root.crt"
# The read commands ask in the language they speak, and print the service's answer in it.
LANG=vi_VN.UTF-8 LANGUAGE= LC_ALL= expect_refusal "*HTTP 403: chứng thư * không có quyền đọc*" stats "$url" \
  --format json --client-cert "$clerk.key:$clerk.crt" --server-ca "$pki/root.crt"
LANG=vi_VN.UTF-8 LANGUAGE= LC_ALL= expect_refusal "*HTTP 404: NOPE-1: không có đối tượng này*" show "$url" NOPE-1 \
  --json "${reader[@]}"
expect_refusal "*add --json*" show "$url" LT-M1 "${reader[@]}"
expect_refusal "*--client-cert*" show "$url" LT-M1 --json
expect_refusal "*--as-of*" show "$url" LT-M1 --json --as-of 2026-13-40 "${reader[@]}"
echo "antq show/history/dossier/diff/stats/audit/report/reconcile/retention URL: the same output as on the directory; refusals exit 2"

# Another site's page in the inspector's browser, which sends the certificate with any page's requests (<img>,
# fetch(), a form, a script moving a window): 403 from the header, nothing entered in the access history. A link the
# user clicked elsewhere opens the page (the user sees it); the desk's own requests are answered.
records() { "$antq" access-log "$ledger" --json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["records"]))'; }
before=$(records)
browser() { as "$pki/inspector" -o "$tmp/out.json" -w '%{http_code}' "$@" || true; }
[[ $(browser -H 'Sec-Fetch-Site: cross-site' -H 'Sec-Fetch-Mode: no-cors' -H 'Sec-Fetch-Dest: image' \
  "$url/v1/show?subject=LT-M1") == 403 ]] || fail "another site's image request was answered: $(cat "$tmp/out.json")"
grep -q "another site's page" "$tmp/out.json" || fail "the 403 does not say why: $(cat "$tmp/out.json")"
[[ $(browser -H 'Origin: https://evil.example' -H 'Content-Type: text/plain' --data-binary @"$tmp/report.csv" \
  "$url/v1/reconcile") == 403 ]] || fail "another origin's POST was answered: $(cat "$tmp/out.json")"
[[ $(browser -H 'Sec-Fetch-Site: same-site' -H 'Sec-Fetch-Mode: navigate' -H 'Sec-Fetch-Dest: iframe' \
  "$url/desk/subject?id=LT-M1") == 403 ]] || fail "a frame of another site's page was answered"
[[ $(browser -H 'Sec-Fetch-Site: cross-site' -H 'Sec-Fetch-Mode: navigate' -H 'Sec-Fetch-Dest: document' \
  "$url/desk/subject?id=LT-M1") == 403 ]] || fail "another site's script moving a window to a page was answered"
[[ $(records) == "$before" ]] || fail "another site's requests were entered in the access history: $before -> $(records)"
[[ $(browser -H 'Sec-Fetch-Site: cross-site' -H 'Sec-Fetch-Mode: navigate' -H 'Sec-Fetch-Dest: document' \
  -H 'Sec-Fetch-User: ?1' "$url/desk/subject?id=LT-M1") == 200 ]] || fail "a link clicked on another site was refused"
[[ $(browser -H 'Sec-Fetch-Site: same-origin' -H "Origin: https://127.0.0.1:$port" -H 'Sec-Fetch-Mode: cors' \
  "$url/v1/show?subject=LT-M1") == 200 ]] || fail "the service's own page's request was refused"
echo "another site's requests through the inspector's browser: 403, nothing entered; a link clicked, the desk's own: 200"

# Every route of the OpenAPI document answers (its example, as the inspector): no 404 "no such route", no 405, no 5xx.
as "$pki/inspector" "$url/v1/openapi.json" > "$tmp/openapi.json"
cmp -s "$tmp/openapi.json" "$here/cli/openapi.json" || fail "/v1/openapi.json is not cli/openapi.json"
size=$("$antq" checkpoint "$ledger" | sed -n 2p)
profile=$(as "$pki/inspector" "$url/profile.json" | sha256sum | cut -d' ' -f1)
python3 - "$tmp/openapi.json" "$size" "$(fp "$clerk.crt")" "$profile" > "$tmp/examples" <<'PY'
import json, sys
doc, width, cert, attachment = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3], sys.argv[4]
for path, ops in doc["paths"].items():
    for method, op in ops.items():
        ex = op["x-antq-example"].format(subject="LT-M1", unit="UBND%20x%C3%A3%20L%E1%BA%A1c%20Th%E1%BB%8Bnh",
                                         width=width, certificate=cert, attachment=attachment)
        print(method.upper(), ex, path)
PY
while read -r method target path; do
  body=()
  [[ $method == POST ]] && body=(--data-binary "x")
  code=$(as "$pki/inspector" -X "$method" "${body[@]}" -o "$tmp/out.json" -w '%{http_code}' "$url$target")
  if [[ $code == 405 || $code -ge 500 ]] || grep -q "no such route" "$tmp/out.json"; then
    fail "$method $target ($path in the OpenAPI document) was answered $code: $(head -c 300 "$tmp/out.json")"
  fi
done < "$tmp/examples"
echo "every route of the OpenAPI document answers ($(wc -l < "$tmp/examples") operations)"

# SIGTERM: drains and exits 0; the acknowledged act is there.
kill -TERM "$server_pid"
set +e
wait "$server_pid"; rc=$?
set -e
server_pid=""
[[ $rc == 0 ]] || fail "antq serve exited $rc after SIGTERM: $(tail -3 "$tmp/serve.log")"
grep -q "stopped" "$tmp/serve.log" || fail "no 'stopped' line: $(tail -3 "$tmp/serve.log")"
size_after=$("$antq" checkpoint "$ledger" | sed -n 2p)
[[ $size_after == $((size_before + 8)) ]] || fail "size $size_before -> $size_after, expected eight more entries"
"$antq" verify "$ledger" >/dev/null || fail "the ledger does not verify after the service"
grep -q " POST /v1/acts 201 " "$tmp/serve.log" || fail "no log line for the submission: $(cat "$tmp/serve.log")"
# The access history holds the inspector's reads, and verifies.
"$antq" access-log "$ledger" --subject LT-M1 --json > "$tmp/access.json"
grep -q '"role":"inspector"' "$tmp/access.json" || grep -q '"role": "inspector"' "$tmp/access.json" || fail "no access record of the inspector's read: $(head -c 400 "$tmp/access.json")"
# An uploaded report is entered with its period and as-of day (what the CSV says), as the reads that name them.
"$antq" access-log "$ledger" --json > "$tmp/access-all.json"
grep -q '"report": *"reconcile 2026 as of 20[0-9-]*"' "$tmp/access-all.json" ||
  fail "the reconcile is not in the access history with its report's period: $(grep -o '"reconcile[^"]*"' \
    "$tmp/access-all.json" | head -2)"
python3 - "$tmp/access-all.json" <<'PY' || fail "the access history: a unit typed in lower case, or refused reads"
import json, sys
records = json.load(open(sys.argv[1]))["records"]
assert any(r["route"] == "GET /v1/stats" and r["unit"] == "UBND xã Lạc Thịnh" for r in records)
assert not any("NOPE-X" in r["report"] or r["subject"] == "LT-M2" for r in records), "a refused read was entered"
PY
# antq backup copies the access history with the ledger and verifies the copy.
"$antq" backup "$ledger" "$tmp/backup" --json > "$tmp/backup.json" || fail "antq backup failed: $(cat "$tmp/backup.json")"
python3 - "$tmp/backup.json" <<'PY' || fail "antq backup did not copy the access history: $(cat "$tmp/backup.json")"
import json, sys
b = json.load(open(sys.argv[1]))
sys.exit(not (b["ok"] and b["access_log"]["ok"] and b["access_log"]["records"] > 0))
PY
cmp -s <("$antq" access-log "$ledger" --json) <("$antq" access-log "$tmp/backup" --json) \
  || fail "the backup's access history lists differently from the ledger's"
echo "antq serve: mTLS refusals, 403, 400, 201 with a proof, 422, SIGTERM drain: all as expected"
echo "--- the request log:"; cat "$tmp/serve.log"
