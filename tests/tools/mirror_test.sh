#!/usr/bin/env bash
# antq export --tiles and antq mirror (issue 20): the demo ledger (3246 entries: twelve full tiles and a partial one
# at level 0, a partial at level 1) written as C2SP tlog-tiles, checked byte for byte by an independent script
# (tests/tools/tiles_check.py: RFC 9162 and the specification only), served by a plain static file server
# (python3's http.server on a free loopback port, its 404 page 100 kB as a CDN's may be), mirrored; appended to,
# exported and mirrored again (only what is new is fetched); the copy is a bundle `antq verify-bundle` accepts
# against the operator's key and the roots. An older checkpoint consistent with the copy fetches nothing; a forked
# log (the same operator key signing another history) is refused as forked; what a server without the key can change
# (a leaf, a tile above level 0, an entry, a truncated tile, an oversized response, a checkpoint whose signature does
# not verify, a signer's certificate among the intermediates) is refused as the server's error, never as a fork, with
# one line, and leaves the copy as it was. A first copy cut short is made again; a directory of other files is not
# taken for one; what a later run cut short left is put back; --max-time bounds a run against a server that stalls.
#   tests/tools/mirror_test.sh ANTQ
set -euo pipefail
antq=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/tools/common.sh
. "$here/tests/tools/common.sh"
check_tiles() { python3 "$here/tests/tools/tiles_check.py" "$1" >/dev/null || fail "tiles_check $1: $(python3 "$here/tests/tools/tiles_check.py" "$1")"; }

"$antq" demo "$tmp/demo" >/dev/null 2>&1 || fail "antq demo"
ledger="$tmp/demo/ledger" pki="$tmp/demo/pki"
cp "$ledger/operator.vkey" "$tmp/kept.vkey"  # the operator's verifier key as the archivist keeps it, apart
cp -a "$ledger" "$tmp/fork"                  # the same log and operator key, to be given another history below
export ANTQ_OPERATOR_KEY="$pki/operator.key"
record() {  # LEDGER SUBJECT: admits one more decision (a survey plan approved), signed by the commune's chair and office
  cat >"$tmp/act.json" <<JSON
{"act": "survey.plan-approved", "subject": "$2", "date": "2024-03-01",
 "document": {"number": "21/QĐ-UBND", "title": "Quyết định", "issuer": "UBND xã Tân Lập"},
 "authority": {"level": "commune", "unit": "UBND xã Tân Lập"},
 "data": {"purpose": "khảo sát xây dựng Tổ an ninh $2"}}
JSON
  "$antq" record "$1" "$tmp/act.json" --person "$pki/chair.key:$pki/chair.crt" \
    --org "$pki/office.key:$pki/office.crt" >/dev/null 2>&1 || fail "record $2 in $1"
}

# The static site and its server: $tmp/www is replaced by each export, the server keeps serving that path.
"$antq" export "$ledger" "$tmp/site1" --tiles >/dev/null || fail "export --tiles"
[[ -f $tmp/site1/tile/0/011 && -f $tmp/site1/tile/0/012.p/174 && -f $tmp/site1/tile/1/000.p/12 &&
   -f $tmp/site1/tile/entries/012.p/174 ]] || fail "export --tiles: $(cd "$tmp/site1" && find tile | head)"
check_tiles "$tmp/site1"
status=0
out=$("$antq" export "$ledger" "$tmp/site1" --tiles 2>&1) || status=$?
[[ $status == 2 && $out == *"exists"* ]] || fail "export --tiles into an existing directory: exit $status: $out"
serve() { rm -rf "$tmp/www"; cp -a "$1" "$tmp/www"; }
serve "$tmp/site1"
# python3's http.server, its 404 page as large as a CDN's (100 kB): more than the 64 KiB antq reads of a refusal.
python3 -u - "$tmp/www" >"$tmp/server.log" 2>&1 <<'PY' &
import functools, http.server, sys
class Site(http.server.SimpleHTTPRequestHandler):
    error_message_format = "<html><body><p>%(code)d %(message)s</p>" + "<p>Not here.</p>" * 7000 + "</body></html>"
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Site, directory=sys.argv[1]))
print("Serving on port", server.server_address[1], flush=True)
server.serve_forever()
PY
server=$!
trap 'kill "$server" 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do
  port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$tmp/server.log" | head -1)
  [[ -n $port ]] && break
  sleep 0.1
done
[[ -n $port ]] || fail "the static server did not start: $(cat "$tmp/server.log")"
url="http://127.0.0.1:$port"

copy="$tmp/copy"
mirror() { "$antq" mirror "$url" "$copy" --operator-key "$tmp/kept.vkey" 2>&1; }
fingerprint() { (cd "$copy" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
verifies() {  # ENTRIES: $copy is a bundle verify-bundle accepts, anchored in the kept key and the demo's roots
  local out
  out=$("$antq" verify-bundle "$copy" --operator-key "$tmp/kept.vkey" --trust "$pki/roots.pem" --json 2>&1) ||
    fail "verify-bundle of the copy: $(grep -m5 -A3 '"failed"\|failures' <<<"$out")"
  [[ $out == *"\"entries\": $1,"* ]] || fail "verify-bundle: not $1 entries: $(head -c 600 <<<"$out")"
}

out=$(mirror) || fail "first mirror: $out"
[[ $out == *"tree size 3246 (0 before), 3246 new entries"* ]] || fail "first mirror: $out"
[[ $out == *"; a first copy: its checkpoint verifies with the operator key given"* ]] || fail "first mirror: $out"
[[ ! -e $copy/.mirror-incoming ]] || fail "the staging directory was left"
check_tiles "$copy"
verifies 3246
out=$(mirror) || fail "mirror when up to date: $out"
[[ $out == *"up to date at tree size 3246"* ]] || fail "mirror when up to date: $out"
# Such a run reads no entry: how many documents the copy lacks is not known to it.
out=$("$antq" mirror "$url" "$copy" --operator-key "$tmp/kept.vkey" --json 2>&1) || fail "mirror --json: $out"
[[ $out == *'"up_to_date": true'* && $out == *'"documents_missing": null'* ]] || fail "mirror --json up to date: $out"

# Appended to, exported again: the second run fetches only what is new (the checkpoint, the new partial tiles and
# bundle, and the documents and anchors beside them), not the twelve full tiles and bundles it holds.
record "$ledger" MS-MIRROR-1
"$antq" export "$ledger" "$tmp/site2" --tiles >/dev/null || fail "export --tiles after an append"
check_tiles "$tmp/site2"
serve "$tmp/site2"
requests_before=$(grep -c '"GET ' "$tmp/server.log")
out=$(mirror) || fail "incremental mirror: $out"
[[ $out == *"tree size 3247 (3246 before), 1 new entries"* && $out == *"; consistent with the checkpoint kept" ]] ||
  fail "incremental mirror: $out"
requests=$(($(grep -c '"GET ' "$tmp/server.log") - requests_before))
((requests <= 12)) || fail "the incremental mirror made $requests requests: $(tail -n "$requests" "$tmp/server.log")"
grep -q '"GET /tile/0/011 ' <(tail -n "$requests" "$tmp/server.log") && fail "a full tile kept was fetched again"
[[ ! -e $copy/tile/0/012.p/174 && -f $copy/tile/0/012.p/175 ]] || fail "the old partial tile is still there"
check_tiles "$copy"
verifies 3247
kept=$(fingerprint)

refused() {  # WHAT EXPECTED-EXIT PATTERN: the mirror fails with one line matching PATTERN and leaves the copy as it was
  local status=0 out
  out=$(mirror) || status=$?
  [[ $status == "$2" ]] || fail "$1: exit $status, expected $2: $out"
  [[ $(printf '%s\n' "$out" | wc -l) == 1 ]] || fail "$1: more than one line: $out"
  [[ $out == *$3* ]] || fail "$1: $out"
  [[ $(fingerprint) == "$kept" ]] || fail "$1: the kept copy changed"
  [[ ! -e $copy/.mirror-incoming ]] || fail "$1: the staging directory was left"
}

# An older checkpoint (a cache not yet refreshed, or a log rolled back), consistent with the copy: nothing fetched.
serve "$tmp/site1"
out=$(mirror) || fail "an older checkpoint: $out"
[[ $out == *"up to date at tree size 3247; $url serves an older checkpoint (size 3246), consistent with the copy"* ]] ||
  fail "an older checkpoint: $out"
[[ $(fingerprint) == "$kept" ]] || fail "an older checkpoint: the kept copy changed"

# Forked: the same operator key signs another history from entry 3246 on: of the copy's size (3247), and longer.
record "$tmp/fork" MS-FORK-1
"$antq" export "$tmp/fork" "$tmp/site-fork1" --tiles >/dev/null || fail "export of the fork"
record "$tmp/fork" MS-FORK-2
"$antq" export "$tmp/fork" "$tmp/site-fork" --tiles >/dev/null || fail "export of the fork"
serve "$tmp/site-fork1"
refused "a forked log of the copy's size" 1 "forked: $url serves a checkpoint of size 3247 with another root"
serve "$tmp/site-fork"
refused "a forked log" 1 \
  "forked: the checkpoint of size 3248 that $url serves, signed with the operator key, holds another entry 3246"

# Hostile responses for a newer, honest log.
record "$ledger" MS-MIRROR-2
"$antq" export "$ledger" "$tmp/site3" --tiles >/dev/null || fail "export --tiles after a second append"
serve "$tmp/site3"
head -c 1000 "$tmp/site3/tile/0/012.p/176" >"$tmp/www/tile/0/012.p/176"
refused "a truncated tile" 1 "$url/tile/0/012.p/176: 1000 bytes, 5632 expected (176 hashes)"
serve "$tmp/site3"
head -c 100000 /dev/zero | tr '\0' 'a' >"$tmp/www/checkpoint"
refused "an oversized checkpoint" 2 "GET $url/checkpoint: the response is larger than 65536 bytes"
serve "$tmp/site3"
sed -i '3s/.*/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=/' "$tmp/www/checkpoint"  # another root, the same signature
refused "a checkpoint whose signature does not verify" 1 "$url/checkpoint: the checkpoint does not verify with the operator key"
serve "$tmp/site3"
printf 'x' >>"$tmp/www/tile/entries/012.p/176"
refused "an entry bundle with a byte too many" 1 "$url/tile/entries/012.p/176: 1 bytes after its 176 entries"
serve "$tmp/site3"
printf 'not a certificate\n' >"$tmp/www/trust.pem"
refused "a trust.pem that holds no certificate" 1 "$url/trust.pem: "
# A PKCS#12 file is not PEM: refused as it is, never opened (its key derivation runs as many rounds as it asks, and
# it would ask for a passphrase).
serve "$tmp/site3"
openssl pkcs12 -export -nokeys -in "$pki/roots.pem" -passout pass:x -out "$tmp/www/trust.pem" 2>/dev/null ||
  fail "openssl pkcs12"
refused "a trust.pem that is a PKCS#12 file" 1 "$url/trust.pem: holds no PEM certificate"
# A signer's certificate as an intermediate: kept in certs/, it would fail verify-bundle for good.
serve "$tmp/site3"
cat "$pki/chair.crt" >>"$tmp/www/intermediates.pem"
refused "an intermediate that is not a CA's" 1 "$url/intermediates.pem: holds a certificate that is not a CA's"
# A server without the operator's key cannot have the copy accuse the log: a byte changed in a leaf hash the copy
# holds, in a tile above level 0 or in a new entry is the server's error, found before any entry is fetched or as its
# bundle comes.
serve "$tmp/site3"
flip_byte "$tmp/www/tile/0/012.p/176" 5
refused "a changed leaf the copy holds" 1 \
  "$url/checkpoint: the checkpoint's root (tree size 3248) is not that of the tiles served; the kept copy is unchanged"
serve "$tmp/site3"
flip_byte "$tmp/www/tile/1/000.p/12" 100
refused "a changed tile above level 0" 1 "$url/tile/1/000.p/12: hash 3 is not that of the level-0 tiles below it"
serve "$tmp/site3"
size=$(stat -c %s "$tmp/www/tile/entries/012.p/176")
flip_byte "$tmp/www/tile/entries/012.p/176" $((size - 1))
refused "a changed entry" 1 "$url/tile/entries/012.p/176: entry 3247 is not the one the checkpoint's tiles hold"
# The checkpoint of a log that is not there: the URL is wrong (exit 2).
serve "$tmp/site3"
rm "$tmp/www/checkpoint"
refused "no checkpoint" 2 "$url/checkpoint: not found: is $url the URL prefix of a log"

# Another run holds the copy (flock, as antq mirror takes it): refused at once, exit 2, and neither the copy nor what
# the other run stages is touched.
serve "$tmp/site3"
mkdir "$copy/.mirror-incoming" && echo theirs >"$copy/.mirror-incoming/entries.bin"
status=0
out=$(flock "$copy" "$antq" mirror "$url" "$copy" --operator-key "$tmp/kept.vkey" 2>&1) || status=$?
[[ $status == 2 && $out == "$copy: another antq mirror is updating this copy; run again when it has finished" ]] ||
  fail "a copy another run holds: exit $status: $out"
[[ $(cat "$copy/.mirror-incoming/entries.bin") == theirs ]] || fail "the other run's staging directory was touched"
rm -r "$copy/.mirror-incoming"
[[ $(fingerprint) == "$kept" ]] || fail "a copy another run holds: the kept copy changed"

# The honest log is mirrored after all that, its intermediates.pem this once listing one more CA certificate: kept
# in certs/, and kept there when later runs no longer list it (a server cannot take a chain's link from the copy).
serve "$tmp/site3"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/listed-once.key" \
  -subj "/CN=Listed once" -addext basicConstraints=critical,CA:TRUE -days 30 -out "$tmp/listed-once.crt" 2>/dev/null ||
  fail "openssl req"
cat "$tmp/listed-once.crt" >>"$tmp/www/intermediates.pem"
listed_once="$copy/certs/$(openssl x509 -in "$tmp/listed-once.crt" -outform DER | sha256sum | cut -c1-64).der"
out=$(mirror) || fail "mirror after the refusals: $out"
[[ -f $listed_once ]] || fail "a CA certificate intermediates.pem listed was not kept in certs/"
[[ $out == *"tree size 3248 (3247 before), 1 new entries"* ]] || fail "mirror after the refusals: $out"
check_tiles "$copy"
verifies 3248

# The log grew past its right edge between the checkpoint and the fetches: a server serves no partial tile or bundle
# once the full one exists (antq serve's rule), so the copy takes the first hashes and entries of the full ones,
# which must agree with the entries as a partial would. Then the full ones themselves.
for i in $(seq 3 54); do record "$ledger" "MS-MIRROR-$i"; done  # 3300 entries: tile 12 holds 228 of its 256
"$antq" export "$ledger" "$tmp/site-mid" --tiles >/dev/null || fail "export --tiles at 3300 entries"
for i in $(seq 55 82); do record "$ledger" "MS-MIRROR-$i"; done  # 3328: tile 12 is full
"$antq" export "$ledger" "$tmp/site4" --tiles >/dev/null || fail "export --tiles at 3328 entries"
[[ -f $tmp/site-mid/tile/0/012.p/228 && -f $tmp/site4/tile/0/012 && -f $tmp/site4/tile/entries/012 ]] ||
  fail "export --tiles: not the tiles this test needs"
serve "$tmp/site4"
cp "$tmp/site-mid/checkpoint" "$tmp/www/checkpoint"                 # the checkpoint of 3300 ...
cp "$tmp/site-mid/tile/1/000.p/12" "$tmp/www/tile/1/000.p/12"       # ... and the partial its level 1 still has
requests_before=$(grep -c '"GET ' "$tmp/server.log")
out=$(mirror) || fail "mirror of a log that grew past its partial tiles: $out"
[[ $out == *"tree size 3300 (3248 before), 52 new entries"* ]] || fail "mirror past the partial tiles: $out"
requests=$(tail -n "$(($(grep -c '"GET ' "$tmp/server.log") - requests_before))" "$tmp/server.log")
grep -q '"GET /tile/0/012 ' <<<"$requests" && grep -q '"GET /tile/entries/012 ' <<<"$requests" ||
  fail "the full tile and bundle were not fetched: $requests"
[[ -f $copy/tile/0/012.p/228 && -f $copy/tile/entries/012.p/228 && ! -e $copy/tile/0/012 ]] ||
  fail "mirror past the partial tiles: not the partial tiles of 3300: $(cd "$copy" && find tile -path '*012*')"
check_tiles "$copy"
verifies 3300
serve "$tmp/site4"
out=$(mirror) || fail "mirror of 3328 entries: $out"
[[ $out == *"tree size 3328 (3300 before), 28 new entries"* ]] || fail "mirror of 3328 entries: $out"
[[ -f $copy/tile/0/012 && ! -e $copy/tile/0/012.p/228 && ! -e $copy/tile/entries/012.p/228 ]] ||
  fail "mirror of 3328 entries: the partial tiles of 3300 are still there"
check_tiles "$copy"
verifies 3328
[[ -f $listed_once ]] || fail "a CA certificate kept in certs/ was removed when intermediates.pem no longer listed it"

# A run cut short (kill -9) after it moved in entries.bin and README.txt of a larger size, partial tiles of it, a
# signer's certificate and a document only its new entries name, but not the checkpoint, and a server still at the
# copy's size: the next run puts the copy back as it was (verify-bundle fails on it before), byte for byte, and says
# so; --json tells it. The mark names what the cut run added (a document the copy holds, and a path outside the copy,
# named there too, stay).
kept=$(fingerprint)
mkdir -p "$copy/.mirror-incoming" "$copy/tile/0/013.p" "$copy/tile/entries/013.p" "$copy/antq/entries/013.p"
cp "$tmp/site-fork/checkpoint" "$copy/.mirror-incoming/checkpoint"
head -c 5000 "$copy/entries.bin" >>"$copy/entries.bin" && sed -i 's/3328/3329/g' "$copy/README.txt"
for p in tile/0/013.p/1 tile/entries/013.p/1 antq/entries/013.p/1; do echo cut >"$copy/$p"; done
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/new-signer.key" \
  -subj /CN=new-signer -days 2 -outform DER -out "$tmp/new-signer.der" 2>/dev/null || fail "openssl: a new certificate"
new_cert="certs/$(sha256sum <"$tmp/new-signer.der" | cut -c1-64).der" && cp "$tmp/new-signer.der" "$copy/$new_cert"
echo "a document of an entry not committed" >"$tmp/new-doc"
new_doc="attachments/$(sha256sum <"$tmp/new-doc" | cut -c1-64)" && cp "$tmp/new-doc" "$copy/$new_doc"
held_doc=$(cd "$copy" && find attachments -type f -print -quit)
printf '%s\n' "$new_cert" "$new_doc" "$held_doc" "attachments/../../outside" >"$copy/.mirror-incoming/moving-in"
echo mine >"$tmp/outside"
"$antq" verify-bundle "$copy" --operator-key "$tmp/kept.vkey" --trust "$pki/roots.pem" >/dev/null 2>&1 &&
  fail "the interrupted copy verifies: the test does not make what a cut run leaves"
out=$("$antq" mirror "$url" "$copy" --operator-key "$tmp/kept.vkey" --json 2>&1) || fail "mirror after a cut run: $out"
[[ $out == *'"repaired": true'* && $out == *'"up_to_date": true'* ]] || fail "mirror after a cut run: $out"
[[ $(fingerprint) == "$kept" && -f $tmp/outside ]] ||
  fail "mirror after a cut run: not the copy it was: $(fingerprint | diff - <(echo "$kept"))"
verifies 3328
mkdir -p "$copy/.mirror-incoming" "$copy/tile/0/013.p" && echo cut >"$copy/tile/0/013.p/2"
: >"$copy/.mirror-incoming/moving-in"
out=$(mirror) || fail "mirror after a cut run: $out"
[[ $out == *"up to date at tree size 3328; an interrupted run had left its files here"* ]] ||
  fail "mirror after a cut run: $out"
[[ $(fingerprint) == "$kept" ]] || fail "mirror after a cut run: the partial tile of another size is still there"
# One stopped before it moved anything in (no mark) left only its staging directory: removed, nothing made again.
mkdir -p "$copy/.mirror-incoming" && echo staged >"$copy/.mirror-incoming/entries.bin"
out=$(mirror) || fail "mirror after a run stopped while fetching: $out"
[[ $out == *"up to date at tree size 3328" && ! -e $copy/.mirror-incoming && $(fingerprint) == "$kept" ]] ||
  fail "mirror after a run stopped while fetching: $out"

# A fork below the copy's last tile (the copy at 3328, a multiple of 256; the fork from entry 3246 on, longer): the
# level-0 tiles served over the whole tree give its signed root, so it is told from the server's error: forked.
for i in $(seq 3 83); do record "$tmp/fork" "MS-FORK-$i"; done  # 3329 entries
"$antq" export "$tmp/fork" "$tmp/site-fork2" --tiles >/dev/null || fail "export of the longer fork"
serve "$tmp/site-fork2"
kept=$(fingerprint)
refused "a fork below the copy's last tile" 1 \
  "forked: the checkpoint of size 3329 that $url serves, signed with the operator key, holds another entry 3246"
# A copy damaged on disk is not taken for a fork when an older checkpoint is served: the copy is damaged.
serve "$tmp/site1"
cp "$copy/tile/entries/000" "$tmp/bundle-000"
flip_byte "$copy/tile/entries/000" 100
kept=$(fingerprint)
refused "a damaged copy and an older checkpoint" 1 \
  "the kept entries do not give the kept checkpoint's root: the kept copy is damaged"
cp "$tmp/bundle-000" "$copy/tile/entries/000"
serve "$tmp/site4"

# A busy server: the smallest document is first answered 429 with Retry-After: 1 and a body longer than the document
# (a document's own size caps its answer): the mirror waits, fetches it again, and its copy verifies.
python3 -u - "$tmp/site3" >"$tmp/busy.log" 2>&1 <<'PY' &
import functools, http.server, json, os, sys
site = sys.argv[1]
docs = os.path.join(site, "attachments")
smallest = "/attachments/" + min(os.listdir(docs), key=lambda f: os.path.getsize(os.path.join(docs, f)))
refused = []
class Busy(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        if self.path == smallest and not refused:
            refused.append(self.path)
            body = json.dumps({"error": "more than 200 requests per second from this client: wait and retry " + "." * 400}).encode()
            self.send_response(429)
            self.send_header("Retry-After", "1")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Busy, directory=site))
print("busy", server.server_address[1], os.path.getsize(site + smallest), flush=True)
server.serve_forever()
PY
busy=$!
for _ in $(seq 100); do grep -q "^busy" "$tmp/busy.log" && break; sleep 0.05; done
read -r _ busy_port smallest_bytes < <(grep "^busy" "$tmp/busy.log") || fail "the busy server did not start: $(cat "$tmp/busy.log")"
((smallest_bytes < 400)) || fail "the smallest document has $smallest_bytes bytes: the 429's body is not longer"
# What an interrupted first run left staged is no obstacle to the next one.
mkdir -p "$tmp/busy-copy/.mirror-incoming" && echo partial >"$tmp/busy-copy/.mirror-incoming/entries.bin"
out=$("$antq" mirror "http://127.0.0.1:$busy_port" "$tmp/busy-copy" --operator-key "$tmp/kept.vkey" 2>&1) ||
  fail "mirror from a busy server: $out"
kill "$busy" 2>/dev/null || true
[[ $out == *"status 429, the server asks to wait 1 s; waiting"* ]] || fail "no 429 met or waited out: $out"
[[ $out == *"; a first copy: "* && ! -e $tmp/busy-copy/.mirror-incoming ]] || fail "mirror into a staged copy: $out"
copy="$tmp/busy-copy" verifies 3248
# A server that takes its time (each answer after 30 s): --max-time 2 stops the run at 2 s, one line, exit 2, and the
# first copy it began is not kept.
python3 -u - >"$tmp/slow.log" 2>&1 <<'PY' &
import http.server, time
class Slow(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(30)
        self.send_error(404)
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
print("slow", server.server_address[1], flush=True)
server.serve_forever()
PY
slow=$!
for _ in $(seq 100); do grep -q "^slow" "$tmp/slow.log" && break; sleep 0.05; done
read -r _ slow_port < <(grep "^slow" "$tmp/slow.log") || fail "the slow server did not start: $(cat "$tmp/slow.log")"
status=0
started=$SECONDS
out=$("$antq" mirror "http://127.0.0.1:$slow_port" "$tmp/slow-copy" --operator-key "$tmp/kept.vkey" --max-time 2 \
  2>&1) || status=$?
took=$((SECONDS - started))
kill "$slow" 2>/dev/null || true
[[ $status == 2 && $(wc -l <<<"$out") == 1 && $out == *"the time given for the whole command (--max-time) ran out"* &&
   ! -e $tmp/slow-copy ]] || fail "--max-time against a slow server: exit $status: $out"
((took < 20)) || fail "--max-time 2 stopped the run after $took s"

# A first copy cut short (kill -9) while moving files in: operator.vkey (moved first), some files, no checkpoint
# but the staged one (moved last). The next run makes it again.
mkdir -p "$tmp/cut-copy/tile" "$tmp/cut-copy/.mirror-incoming" && cp "$tmp/kept.vkey" "$tmp/cut-copy/operator.vkey"
cp "$tmp/site1/checkpoint" "$tmp/cut-copy/.mirror-incoming/checkpoint"
echo partial >"$tmp/cut-copy/entries.bin" && echo partial >"$tmp/cut-copy/tile/stale"
out=$("$antq" mirror "$url" "$tmp/cut-copy" --operator-key "$tmp/kept.vkey" 2>&1) || fail "mirror into a cut copy: $out"
[[ $out == *"; a first copy: "* && ! -e $tmp/cut-copy/tile/stale ]] || fail "mirror into a cut copy: $out"
copy="$tmp/cut-copy" verifies 3328
mkdir -p "$tmp/cut-copy2.d" && cp "$tmp/kept.vkey" "$tmp/cut-copy2.d/operator.vkey"
echo mine >"$tmp/cut-copy2.d/notes.txt"
status=0
out=$("$antq" mirror "$url" "$tmp/cut-copy2.d" --operator-key "$tmp/kept.vkey" 2>&1) || status=$?
[[ $status == 2 && $out == *"holds no mirrored copy (no checkpoint) and is not empty"* &&
   -f $tmp/cut-copy2.d/notes.txt ]] ||
  fail "a directory with other files was taken for a cut copy: exit $status: $out"
# A directory of the user's anchors (the operator's key, trust.pem) is not a copy cut short: refused, untouched.
mkdir -p "$tmp/anchors" && cp "$tmp/kept.vkey" "$tmp/anchors/operator.vkey"
cp "$pki/roots.pem" "$tmp/anchors/trust.pem"
status=0
out=$("$antq" mirror "$url" "$tmp/anchors" --operator-key "$tmp/anchors/operator.vkey" 2>&1) || status=$?
[[ $status == 2 && $out == *"is not empty"* ]] && cmp -s "$tmp/anchors/trust.pem" "$pki/roots.pem" ||
  fail "a directory of anchors was taken for a cut copy: exit $status: $out"

# Over HTTPS with a client certificate (openssl s_server -WWW: files of its directory, mutual TLS required, a server
# certificate for 127.0.0.1 from a CA of this test): a copy from scratch; refused without a client certificate, and
# when the server's certificate does not chain to --server-ca.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/ca.key" -out "$tmp/ca.crt" \
  -subj /CN=mirror-test-ca -days 2 2>/dev/null || fail "openssl: test CA"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/server.key" -out "$tmp/server.csr" \
  -subj /CN=127.0.0.1 2>/dev/null || fail "openssl: server key"
openssl x509 -req -in "$tmp/server.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" -CAcreateserial -out "$tmp/server.crt" \
  -days 2 -extfile <(printf 'subjectAltName=IP:127.0.0.1\n') 2>/dev/null || fail "openssl: server certificate"
tls_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$tmp/site3" && exec openssl s_server -accept "127.0.0.1:$tls_port" -cert "$tmp/server.crt" -key "$tmp/server.key" \
  -WWW -Verify 1 -CAfile "$pki/roots.pem" -quiet) >"$tmp/tls.log" 2>&1 &
tls_server=$!
trap 'kill "$server" "$tls_server" 2>/dev/null; rm -rf "$tmp"' EXIT
tls_url="https://127.0.0.1:$tls_port"
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$tls_port") 2>/dev/null && break
  sleep 0.1
done
out=$("$antq" mirror "$tls_url" "$tmp/tls-copy" --operator-key "$tmp/kept.vkey" --server-ca "$tmp/ca.crt" \
  --client-cert "$pki/chair.key:$pki/chair.crt" 2>&1) || fail "mirror over HTTPS: $out"
[[ $out == *"tree size 3248 (0 before), 3248 new entries"* ]] || fail "mirror over HTTPS: $out"
copy="$tmp/tls-copy" verifies 3248
status=0
out=$("$antq" mirror "$tls_url" "$tmp/tls-none" --operator-key "$tmp/kept.vkey" --server-ca "$tmp/ca.crt" 2>&1) ||
  status=$?
[[ $status == 2 && $out == "GET $tls_url/checkpoint: "* && ! -e $tmp/tls-none ]] ||
  fail "mirror over HTTPS without a client certificate: exit $status: $out"
status=0
out=$("$antq" mirror "$tls_url" "$tmp/tls-none" --operator-key "$tmp/kept.vkey" --server-ca "$pki/roots.pem" \
  --client-cert "$pki/chair.key:$pki/chair.crt" 2>&1) || status=$?
[[ $status == 2 && $out == *"the server's certificate does not verify"* && ! -e $tmp/tls-none ]] ||
  fail "mirror from a server --server-ca does not vouch for: exit $status: $out"
echo "mirror_test: ok"
