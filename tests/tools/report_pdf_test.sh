#!/usr/bin/env bash
# antq report --format pdf on the commune demo: an A4 PDF that poppler reads (pdfinfo: pages, size), whose text holds
# the national title, the motto, "Nơi nhận" and the signer, with the page number 2 at the top of a second page; page 1
# rendered to PNG (pdftoppm, in the build directory's report-pdf/ when given, to look at); then the PDF attached to
# a dossier by a signed act (document.attached), as any attachment is signed, and `antq verify` accepts the ledger.
# Skipped (exit 77, with the reason) only where Chromium, the renderer, is absent.
#   tests/tools/report_pdf_test.sh ANTQ [KEEP_DIR]
set -euo pipefail
antq=$1
keep=${2:-}
here=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/tools/common.sh
. "$here/tests/tools/common.sh"

skip() { echo "SKIPPED: $*"; exit 77; }
chromium=${ANTQ_CHROMIUM:-$(command -v chromium || true)}
[[ -n $chromium && -x $chromium ]] ||
  skip "no Chromium to print with (Debian's chromium; tools/install-deps.sh installs it)"
for tool in pdfinfo pdftotext pdftoppm; do
  command -v "$tool" >/dev/null || fail "$tool is missing (poppler-utils; tools/install-deps.sh installs it)"
done

d=$tmp/demo
"$antq" demo --commune-only "$d" >/dev/null
ledger=$d/ledger
unit='UBND xã Tân Lập'
pdf=$tmp/out/bao-cao.pdf
mkdir -p "$tmp/out"
"$antq" report "$ledger" 2024 --unit "$unit" --format pdf --output "$pdf" --number 12/BC-UBND --date 2026-06-05 \
  --governing-body 'UBND huyện Yên Thủy' --recipient 'Ban Chỉ đạo huyện' \
  --signer-authority 'TM. Ủy ban nhân dân' --signer-title 'Chủ tịch' --signer-name 'Nguyễn Văn An' ||
  fail "antq report --format pdf exited $?"
[[ -s $pdf ]] || fail "no PDF written"
[[ $(ls -A "$tmp/out") == bao-cao.pdf ]] || fail "files left beside the PDF: $(ls -A "$tmp/out")"

info=$(pdfinfo "$pdf") || fail "pdfinfo cannot read the PDF: $info"
pages=$(awk '/^Pages:/ {print $2}' <<<"$info")
[[ $pages -ge 1 ]] || fail "the PDF has no pages: $info"
grep -Eq '^Page size: +(594\.[0-9]+|595(\.[0-9]+)?) x (841\.[0-9]+|842(\.[0-9]+)?) pts \(A4\)' <<<"$info" ||
  fail "the PDF is not A4 (595x842 pts): $(grep '^Page size' <<<"$info")"

text=$(pdftotext -layout "$pdf" -) || fail "pdftotext cannot read the PDF"
for expected in "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" "Độc lập - Tự do - Hạnh phúc" "UBND XÃ TÂN LẬP" \
                "Số: 12/BC-UBND" "Tân Lập, ngày 05 tháng 6 năm 2026" "BÁO CÁO" "Tổng kết năm 2024" \
                "Nơi nhận:" "- Ban Chỉ đạo huyện;" "- Lưu: VT." "TM. ỦY BAN NHÂN DÂN" "CHỦ TỊCH" "Nguyễn Văn An"; do
  grep -qF -- "$expected" <<<"$text" || fail "the PDF's text lacks \"$expected\": $text"
done
for word in antq period total profile "as of"; do
  ! grep -qiF -- "$word" <<<"$text" || fail "the PDF's text holds the English \"$word\""
done
# Page numbers: none on page 1, "2" alone on the first line of page 2.
first=$(pdftotext -f 1 -l 1 "$pdf" - | grep -v '^\s*$' | head -n 1)
[[ $first != 1 ]] || fail "page 1 carries a page number"
((pages >= 2)) || fail "the yearly report fits on $pages page: page 2's number is not checked (a longer report?)"
top=$(pdftotext -f 2 -l 2 "$pdf" - | grep -v '^\s*$' | head -n 1 | tr -d '[:space:]')
[[ $top == 2 ]] || fail "page 2 does not begin with its number 2: \"$top\""

pdftoppm -png -r 50 -f 1 -l 1 "$pdf" "$tmp/page" || fail "pdftoppm cannot render page 1"
png=$(ls "$tmp"/page-*1.png 2>/dev/null | head -n 1)
[[ -n $png && $(stat -c %s "$png") -gt 5000 ]] || fail "page 1 renders to no PNG, or a blank one"
[[ $(head -c 8 "$png" | od -An -tx1 | tr -d ' ') == 89504e470d0a1a0a ]] || fail "$png is not a PNG"
if [[ -n $keep ]]; then
  mkdir -p "$keep" && cp "$pdf" "$png" "$keep/"
fi

# Signed like any attachment: a document.attached act of the demo's model carries the PDF (its SHA-256 inside the
# signed act), recorded with the chairman's and the office's signatures; verify checks it all.
subject=$(python3 - "$d/acts" <<'PY'
import json, os, sys
for f in sorted(os.listdir(sys.argv[1])):
    if f.endswith(".json"):
        act = json.load(open(os.path.join(sys.argv[1], f)))
        if act.get("subject", "").count("/") == 0 and act.get("act", "").startswith("model."):
            print(act["subject"]); break
PY
)
[[ -n $subject ]] || fail "the demo has no model"
today=$(date -u +%F)
cat > "$tmp/attached.json" <<JSON
{"act": "document.attached", "subject": "$subject", "date": "$today",
 "document": {"number": "12/BC-UBND", "title": "Báo cáo tổng kết năm 2024", "issuer": "$unit"},
 "authority": {"level": "commune", "unit": "$unit"},
 "attachments": [{"item": "10", "path": "$pdf", "media_type": "application/pdf"}]}
JSON
pki=$d/pki
out=$(ANTQ_OPERATOR_KEY=$pki/operator.key "$antq" record "$ledger" "$tmp/attached.json" \
      --person "$pki/chair.key:$pki/chair.crt" --org "$pki/office.key:$pki/office.crt" 2>&1) || fail "the act attaching the report's PDF was refused: $out"
sha=$(sha256sum "$pdf" | cut -d' ' -f1)
dossier=$("$antq" dossier "$ledger" "$subject" --json) || fail "antq dossier $subject exited $?"
grep -q "\"sha256\": \"$sha\"" <<<"$dossier" || fail "the dossier of $subject does not list the PDF ($sha)"
out=$("$antq" verify "$ledger" 2>&1) || fail "verify fails after the PDF was attached: $out"
grep -qF "OK: every entry, checkpoint and signature verifies" <<<"$out" || fail "verify: $out"
# Stopped while it prints (a Chromium that hangs, then SIGTERM): exit 2, the printer killed, nothing written — no PDF,
# nothing beside it, nothing left in TMPDIR.
printf '#!/bin/sh\necho $$ > "%s"\nexec sleep 60\n' "$tmp/hung.pid" > "$tmp/hung-chromium"
chmod +x "$tmp/hung-chromium"
mkdir -p "$tmp/stop" "$tmp/stop-tmp"
ANTQ_CHROMIUM=$tmp/hung-chromium TMPDIR=$tmp/stop-tmp "$antq" report "$ledger" 2024 --format pdf \
  --output "$tmp/stop/r.pdf" 2>"$tmp/stop.err" &
printing=$!
for _ in $(seq 50); do [[ -s "$tmp/hung.pid" ]] && break; sleep 0.1; done
[[ -s "$tmp/hung.pid" ]] || fail "the stand-in Chromium never started"
kill -TERM "$printing"
code=0
wait "$printing" || code=$?
[[ $code == 2 ]] || fail "antq report stopped by SIGTERM exited $code, not 2: $(cat "$tmp/stop.err")"
grep -q "nothing written" "$tmp/stop.err" || fail "the stopped print said: $(cat "$tmp/stop.err")"
! kill -0 "$(cat "$tmp/hung.pid")" 2>/dev/null || fail "the printer was left running after antq stopped"
[[ -z $(ls -A "$tmp/stop") && -z $(ls -A "$tmp/stop-tmp") ]] ||
  fail "a stopped print left files: $(ls -A "$tmp/stop" "$tmp/stop-tmp")"

echo "report PDF: $pages page(s), A4, Decree 30 heading and closing, page 1 as PNG ($(stat -c %s "$png") bytes)," \
  "attached to $subject by a signed act, verify OK; a print stopped by SIGTERM left nothing"
