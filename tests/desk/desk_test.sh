#!/usr/bin/env bash
# The inspector's desk over HTTP, with stock curl (no browser): every page answers for the inspector, in Vietnamese
# and in English, with a Content-Security-Policy that forbids inline script; markup typed into an act shows as text;
# a reader, an auditor and an archivist each get the 404 of an absent subject outside their scope; no
# page changes anything (POST is 405); every page view is in the access history.
#   tests/desk/desk_test.sh ANTQ
set -euo pipefail
antq=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/tools/common.sh
. "$here/tests/tools/common.sh"
command -v curl >/dev/null || fail "curl is missing (tools/install-deps.sh installs it)"
# shellcheck source=tests/desk/setup.sh
. "$here/tests/desk/setup.sh"
as() { local who=$1; shift; curl -sS --cacert "$pki/roots.pem" --cert "$pki/$who.crt" --key "$pki/$who.key" "$@"; }
get() {  # get WHO PATH: the body in $tmp/page, the status printed
  as "$1" -o "$tmp/page" -D "$tmp/headers" -w '%{http_code}' "$url$2"
}

pages=("/desk/" "/desk/subject?id=YT-M01" "/desk/subject?id=YT-M01&as_of=2024-06-30&from=2024-01-01&to=2026-01-01"
       "/desk/subject?id=TL-X1" "/desk/stats" "/desk/stats?year=2025" "/desk/audit" "/desk/audit?rule=missing-report"
       "/desk/reports" "/desk/verify" "/desk/verify?seq=100")
for p in "${pages[@]}"; do
  for lang in "" "&lang=en"; do
    path="$p$lang"
    [[ "$p" == *"?"* ]] || path="$p${lang:+?lang=en}"
    code=$(get inspector "$path")
    [[ $code == 200 ]] || fail "$path: HTTP $code: $(head -c 300 "$tmp/page")"
    grep -qi "^content-security-policy: default-src 'none'; script-src 'self';" "$tmp/headers" ||
      fail "$path: no Content-Security-Policy forbidding inline script"
    grep -q '<script src="/desk/desk.js" defer></script>' "$tmp/page" || fail "$path: not a desk page"
    # The only <script> element of a page is the desk's own file.
    [[ $(grep -o '<script' "$tmp/page" | wc -l) == 1 ]] || fail "$path: a <script> element other than desk.js"
    if [[ -z "$lang" ]]; then grep -q 'lang="vi"' "$tmp/page" || fail "$path: not in Vietnamese"
    else grep -q 'lang="en"' "$tmp/page" || fail "$path: ?lang=en is not English"; fi
  done
done
echo "ok: ${#pages[@]} pages, Vietnamese and English, each with its Content-Security-Policy"

# Markup from an act is text.
get inspector "/desk/subject?id=TL-X1" >/dev/null
grep -q '&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;&lt;img src=x onerror=&quot;document.title=1&quot;&gt;' "$tmp/page" ||
  fail "the act's markup is not escaped on the subject page"
! grep -q '<img src=x' "$tmp/page" || fail "the act's markup reached the page as markup"
echo "ok: an act's <script> shows as text"

# Figures: the statistics page says what antq stats --format json says.
get inspector "/desk/stats" >/dev/null
"$antq" stats "$ledger" --format json >"$tmp/stats.json"
python3 - "$tmp/page" "$tmp/stats.json" <<'PY' || fail "the statistics page differs from antq stats"
import json, re, sys
page, stats = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
m = re.search(r'id="totals" data-points="(\d+)" data-teams="(\d+)"', page)
assert m and int(m.group(1)) == stats["points"] and int(m.group(2)) == stats["teams"], (m and m.groups(), stats["points"])
PY
echo "ok: the statistics page's totals are antq stats's"

# Scope: the police reader sees Tân Lập only.
[[ $(get police "/desk/subject?id=TL-X1") == 200 ]] || fail "the scoped reader cannot open its own unit's subject"
code=$(get police "/desk/subject?id=YT-M01"); cp "$tmp/page" "$tmp/outside"
[[ $code == 404 ]] || fail "the scoped reader opened another unit's subject (HTTP $code)"
[[ $(get police "/desk/subject?id=NOPE-1") == 404 ]] || fail "an absent subject is not 404"
[[ $(sed 's/YT-M01/X/g' "$tmp/outside") == $(sed 's/NOPE-1/X/g' "$tmp/page") ]] || fail "outside the scope differs from absent"
sha=$(as inspector "$url/desk/subject?id=YT-M01" | grep -o 'sha256=[0-9a-f]\{64\}' | head -1 | cut -d= -f2)
[[ -n "$sha" ]] || fail "YT-M01's dossier offers no document to download"
[[ $(get inspector "/desk/document?subject=YT-M01&sha256=$sha") == 200 ]] || fail "the inspector cannot download a document"
grep -qi '^content-disposition: attachment' "$tmp/headers" || fail "a document is not served as a download"
[[ $(get police "/desk/document?subject=YT-M01&sha256=$sha") == 404 ]] || fail "the scoped reader downloaded another unit's document"
[[ $(get police "/desk/document?subject=TL-X1&sha256=$sha") == 404 ]] || fail "a document was served under a subject it is not of"
get police "/desk/" >/dev/null
! grep -q 'YT-M01' "$tmp/page" || fail "the scoped reader's overview lists another unit's subject"
[[ $(get stranger "/desk/" 2>/dev/null || true) != 200 ]] || fail "an untrusted certificate opened the desk"
[[ $(get chair "/desk/") == 403 ]] || fail "a certificate with no access.granted opened the desk"
echo "ok: a reader scoped to UBND xã Tân Lập sees its subjects only; others are refused"
# Each role sees its scope: the auditor Lạc Thịnh's, the archivist what the district founded (YT-M25).
[[ $(get unit-01-person "/desk/subject?id=YT-M01") == 200 ]] || fail "the auditor cannot open a subject of its unit"
[[ $(get unit-01-person "/desk/subject?id=TL-X1") == 404 ]] || fail "the auditor opened another unit's subject"
[[ $(get unit-02-person "/desk/subject?id=YT-M25") == 200 ]] || fail "the archivist cannot open what the district founded"
[[ $(get unit-02-person "/desk/subject?id=YT-M01") == 404 ]] || fail "the archivist opened a commune's subject"
get unit-02-person "/desk/audit" >/dev/null
! grep -q 'id=YT-M01[&"#]' "$tmp/page" || fail "the archivist's findings name a commune's subject"
echo "ok: the auditor and the archivist each see their own scope"
# A merged province's predecessor's subject, read in its part: for a reader of the whole ledger only.
[[ $(get inspector "/desk/subject?id=TL.MS-TL-TDCTQ") == 200 ]] || fail "the inspector cannot open a part's subject"
grep -q 'TL.MS-TL-TDCTQ' "$tmp/page" && grep -q 'Quyết định thành lập' "$tmp/page" || fail "the part's subject page lacks its acts"
[[ $(get police "/desk/subject?id=TL.MS-TL-TDCTQ") == 404 ]] || fail "a scoped reader opened a part's subject"
get inspector "/desk/audit" >/dev/null
grep -q 'href="/desk/subject?id=TL.' "$tmp/page" || fail "the findings do not link a part's subjects"
echo "ok: a part's subject has its page, for a reader of the whole ledger"

# A unit's overview: the unit and the units under it; an unknown unit is a 400 naming the nearest.
[[ $(get inspector "/desk/?unit=UBND%20x%C3%A3%20T%C3%A2n%20L%E1%BA%ADp") == 200 ]] || fail "the unit's overview does not answer"
grep -q 'TL-X1' "$tmp/page" && ! grep -q '>YT-M01<' "$tmp/page" || fail "the unit's overview lists another unit's subjects"
[[ $(get inspector "/desk/?unit=Nowhere") == 400 ]] || fail "an unknown unit is not 400"
grep -q 'nearest' "$tmp/page" || fail "an unknown unit's page names no nearest unit"
# A finding's acts are links to the subject's timeline.
get inspector "/desk/audit?rule=missing-report" >/dev/null
grep -q 'href="/desk/subject?id=[^"]*#e[0-9]*">bản ghi ' "$tmp/page" || fail "a finding's acts are not linked"
# Findings and dossier reasons in the page's language (po/vi.po), dates dd/mm/yyyy; English with ?lang=en.
grep -q 'chưa có báo cáo năm (model.report-filed, kỳ [0-9]*) trước ngày [0-9][0-9]/[0-9][0-9]/[0-9]\{4\}' "$tmp/page" ||
  fail "a finding's message is not in Vietnamese"
! grep -q 'has no yearly report' "$tmp/page" || fail "a Vietnamese page shows an English finding"
get inspector "/desk/audit?rule=missing-report&lang=en" >/dev/null
grep -q 'has no yearly report (model.report-filed, period [0-9]*) dated before [0-9-]*' "$tmp/page" ||
  fail "a finding's message is not in English with ?lang=en"
get inspector "/desk/subject?id=MS-TL-ANXH" >/dev/null
grep -q 'phải có từ khi được xếp loại\|chưa đến bước này\|được ban hành sau bước này' "$tmp/page" &&
  ! grep -q 'file it with document.attached\|step not reached yet\|came after this step' "$tmp/page" ||
  fail "a dossier's reasons are not in Vietnamese"
echo "ok: a unit's overview; an unknown unit is 400; a finding's acts are linked"

# Nothing changes state: the desk answers GET only.
[[ $(as inspector -o /dev/null -w '%{http_code}' -X POST --data x "$url/desk/subject?id=YT-M01") == 405 ]] ||
  fail "POST to a desk page is not 405"
echo "ok: POST is 405"

# Every page view is in the access history.
kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""
# The README's way in: tools/demo-desk.sh serves the demo ledger and writes the inspector's PKCS#12 for a browser.
free=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$here/tools/demo-desk.sh" "$demo" "$antq" "$free" >"$tmp/demo-desk.log" 2>&1 &
desk_pid=$!
for _ in $(seq 100); do grep -q " on https://" "$tmp/demo-desk.log" && break; sleep 0.1; done
code=$(curl -sS --cacert "$pki/roots.pem" --cert-type P12 --cert "$pki/inspector.p12:demo" -o /dev/null \
         -w '%{http_code}' "https://127.0.0.1:$free/desk/" || true)
kill -TERM "$desk_pid"; wait "$desk_pid" || true
[[ $code == 200 ]] || fail "tools/demo-desk.sh: the desk did not answer the inspector's PKCS#12 ($code): $(tail -3 "$tmp/demo-desk.log")"
echo "ok: tools/demo-desk.sh serves the desk to the inspector's PKCS#12"
"$antq" access-log "$ledger" --json >"$tmp/access.json"
python3 - "$tmp/access.json" <<'PY' || fail "page views are missing from the access history"
import json, sys
records = json.load(open(sys.argv[1]))
records = records.get("records", records) if isinstance(records, dict) else records
pages = [r for r in records if str(r.get("route", "")).startswith("GET /desk/")]
subjects = {r.get("subject") for r in pages}
assert len(pages) >= 2 * 11 + 4, len(pages)  # the pages in both languages, and the reads after them
assert "YT-M01" in subjects and "TL-X1" in subjects, subjects
assert not any(r.get("subject") == "YT-M01" and "police" in str(r.get("subject_dn", "")).lower() for r in pages)
# What each page showed: a part's subject under its PREFIX.<id>, the subject of the entry a verification proves, the
# unit of an overview.
assert "TL.MS-TL-TDCTQ" in subjects, subjects
assert any(str(r.get("report", "")).startswith("desk verify 100") and r.get("subject") for r in pages), pages
assert any(r.get("report") == "desk overview" and r.get("unit") == "UBND xã Tân Lập" for r in pages), pages
PY
echo "ok: every page view is in the access history"
