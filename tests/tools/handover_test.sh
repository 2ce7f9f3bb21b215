#!/usr/bin/env bash
# antq handover on the demo ledger: a unit's files whose work ended in a year become a list (HTML, CSV with a BOM),
# a hand-over record and a BagIt bag that an independent validator (bagit_validate.py) accepts and refuses once a
# byte changes, whose bundles `antq verify-bundle` accepts against the ledger's anchors; names are escaped in the
# HTML; a held file stays out; then the unit records archive.transferred, `antq retention` shows the files
# transferred, a second transfer is refused and a second hand-over finds nothing left.
#   tests/tools/handover_test.sh ANTQ
set -euo pipefail
antq=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/tools/common.sh
. "$here/tests/tools/common.sh"
validate=$here/tests/tools/bagit_validate.py

d=$tmp/demo
"$antq" demo "$d" >/dev/null
ledger=$d/ledger
pki=$d/pki
today=$(date -u +%F)  # the UTC date is never after Vietnam's: acts dated so are not in the future

# The unit and year: the demo's story moves with today's date, so they are read from `antq retention`: the unit
# and year of the first file (by subject id) whose hand-over is overdue and that a unit keeps.
"$antq" retention "$ledger" --json >"$tmp/retention.json"
# Not a unit that ceased in the 2025 reorganisation (antq units: the district, two communes): its people's bindings
# lapsed, and its files' keeper is not followed to its successor yet (docs/rules.md).
"$antq" units "$ledger" --json >"$tmp/units.json"
first= level=
while IFS=$'\t' read -r unit year candidate; do
  # The acts below name the unit's level, which a founded subject's state says (an exemplar ended before
  # recognition has a keeper, the unit of its first act, but no founding authority to read it from).
  level=$("$antq" show "$ledger" "$candidate" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["authority"]["level"])')
  if [[ -n $level ]]; then first=$candidate; break; fi
done < <(python3 - "$tmp/retention.json" "$tmp/units.json" <<'PY'
import json, sys
ceased = {u["name"] for u in json.load(open(sys.argv[2]))["units"] if u["ceased"]}
for r in json.load(open(sys.argv[1]))["records"]:
    if r["class"] == "file" and r["status"] == "handover-overdue" and r["unit"] and r["unit"] not in ceased:
        print(r["unit"], r["clock_start"][:4], r["subject"], sep="\t")
PY
)
[[ -n ${first:-} ]] || fail "the demo has no file overdue for hand-over that a founding unit keeps"

# That unit's signers (pki/unit-NN-person and -organisation), found by the organisation certificate's name.
signer=
for c in "$pki"/unit-*-organisation.crt; do
  subject=$(openssl x509 -in "$c" -noout -subject -nameopt utf8,sep_comma_plus_space)
  [[ $subject == *"CN=$unit" ]] && signer=${c%-organisation.crt}
done
[[ -n $signer ]] || fail "no demo certificate for $unit"
person="$signer-person.key:$signer-person.crt"
org="$signer-organisation.key:$signer-organisation.crt"

# record ACT_JSON --person ... [--org ...]: sign and append; stderr kept in $tmp/record.err.
record() { "$antq" record "$ledger" "$1" --operator-key "$pki/operator.key" "${@:2}" >/dev/null 2>"$tmp/record.err"; }
act() {  # act FILE KIND SUBJECT DATE NUMBER DATA_JSON
  python3 - "$@" "$unit" "$level" <<'PY'
import json, sys
path, kind, subject, date, number, data, unit, level = sys.argv[1:9]
json.dump({"act": kind, "subject": subject, "date": date,
           "document": {"number": number, "title": kind, "issuer": unit},
           "authority": {"level": level, "unit": unit}, "data": json.loads(data)},
          open(path, "w"), ensure_ascii=False)
PY
}

# Two exemplars of the unit that end in that year: YT-EX1 with markup in its name, YT-EX2 to be held.
hostile='<script>alert("antq")</script> & Tổ <b>'
for ex in YT-EX1 YT-EX2; do
  name=$([[ $ex == YT-EX1 ]] && echo "$hostile" || echo "Tổ tự quản giữ lại")
  act "$tmp/a1.json" exemplar.surveyed $ex "$year-01-10" "1/BC-$ex" \
    "$(python3 -c 'import json,sys; print(json.dumps({"holder": sys.argv[1], "holder_kind": "collective", "area": "xã"}))' "$name")"
  act "$tmp/a2.json" exemplar.criteria-set $ex "$year-01-20" "2/TC-$ex" \
    '{"criteria": [{"id": "C1", "text": "Tiêu chí 1"}], "scope": "single"}'
  act "$tmp/a3.json" exemplar.plan-issued $ex "$year-02-01" "3/KH-$ex" '{}'
  act "$tmp/a4.json" exemplar.evaluated $ex "$year-06-01" "4/BC-$ex" '{"met": ["C1"]}'
  act "$tmp/a5.json" exemplar.recognized $ex "$year-06-10" "5/QĐ-$ex" '{"level": "commune"}'
  act "$tmp/a6.json" exemplar.ended $ex "$year-11-30" "6/QĐ-$ex" '{"reason": "Hoàn thành"}'
  for n in 1 2 3 4 5 6; do
    record "$tmp/a$n.json" --person "$person" --org "$org" || fail "$ex act $n: $(cat "$tmp/record.err")"
  done
done
cat >"$tmp/hold.json" <<JSON
{"act": "record.held", "subject": "ledger", "date": "$today",
 "document": {"number": "1/QĐ-TTr", "title": "Quyết định thanh tra", "issuer": "Thanh tra huyện"},
 "data": {"targets": ["YT-EX2"], "reason": "Thanh tra <2026>"}}
JSON
record "$tmp/hold.json" --person "$pki/admin.key:$pki/admin.crt" || fail "record.held: $(cat "$tmp/record.err")"

# The files expected: the unit's files of that year of a class handed over, as antq retention judges them.
"$antq" retention "$ledger" --json >"$tmp/retention.json"
# Not a unit that ceased in the 2025 reorganisation (antq units: the district, two communes): its people's bindings
# lapsed, and its files' keeper is not followed to its successor yet (docs/rules.md).
"$antq" units "$ledger" --json >"$tmp/units.json"
expected=$(python3 - "$tmp/retention.json" "$unit" "$year" <<'PY'
import json, sys
rs, unit, year = json.load(open(sys.argv[1]))["records"], sys.argv[2], sys.argv[3]
files = [r for r in rs if r["class"] == "file" and r["unit"] == unit and (r["clock_start"] or "")[:4] == year
         and r["due_kind"] == "handover"]
assert any(r["subject"] == "YT-EX2" and r["status"] == "held" for r in files), "YT-EX2 is not held"
print(" ".join(sorted(r["subject"] for r in files if r["status"] not in ("held", "transferred"))))
PY
)
[[ $expected == *YT-EX1* ]] || fail "antq retention does not list YT-EX1 for hand-over: $expected"

# The hand-over.
out=$tmp/giao-nop
archive='Lưu trữ <huyện> "Yên Thủy"'
"$antq" handover "$ledger" --unit "$unit" --year "$year" -o "$out" --archive "$archive" --json >"$tmp/handover.json" ||
  fail "antq handover failed"
python3 - "$tmp/handover.json" "$expected" "$out" <<'PY' || fail "the hand-over summary is not what was expected"
import json, sys
h, expected, out = json.load(open(sys.argv[1])), sys.argv[2].split(), sys.argv[3]
codes = [f["code"] for f in h["files"]]
assert codes == expected, (codes, expected)
assert [f["number"] for f in h["files"]] == list(range(1, len(codes) + 1))
assert all(f["bundle"] == f"{out}/bag/data/ho-so/{f['number']:03}" for f in h["files"]), h["files"]
assert all(f["pages"] is None and f["documents"] > 0 for f in h["files"])
ex1 = next(f for f in h["files"] if f["code"] == "YT-EX1")
assert ex1["title"] == 'Hồ sơ điển hình <script>alert("antq")</script> & Tổ <b>', ex1
assert (ex1["start"], ex1["documents"], ex1["period"]) == (f"{ex1['start'][:4]}-01-10", 6, "permanent"), ex1
held = [o for o in h["not_handed_over"] if o["code"] == "YT-EX2"]
assert held and held[0]["reason"] == "held" and held[0]["holds"], h["not_handed_over"]
assert h["counts"]["files"] == len(codes) and h["counts"]["held"] == 1, h["counts"]
assert h["next_act"]["data"]["subjects"] == codes and h["next_act"]["act"] == "archive.transferred"
assert sorted(h["paths"]) == sorted(f"{out}/{p}" for p in
    ("muc-luc-ho-so.html", "muc-luc-ho-so.csv", "bien-ban-giao-nhan.html", "bag")), h["paths"]
PY
n_files=$(wc -w <<<"$expected")

# The bag: valid for a validator written from RFC 8493 alone, and invalid once one byte of an entry changes.
result=$("$validate" "$out/bag" 2>"$tmp/notes") || fail "bagit_validate.py refused the bag: $result"
[[ $result == "valid: "* ]] || fail "bagit_validate.py: $result"
cp -a "$out/bag" "$tmp/damaged"
bin=$tmp/damaged/data/ho-so/001/entries.bin
flip_byte "$bin" 40
rc=0
result=$("$validate" "$tmp/damaged" 2>/dev/null) || rc=$?
[[ $rc == 1 && $result == *"checksum mismatch with manifest-sha256.txt, data/ho-so/001/entries.bin"* ]] ||
  fail "a changed byte of entries.bin: expected exit 1 naming it, got $rc: $result"

# Each file's bundle verifies against the ledger's operator key and the demo's roots.
for ((i = 1; i <= n_files; i++)); do
  bundle=$(printf '%s/bag/data/ho-so/%03d' "$out" "$i")
  "$antq" verify-bundle "$bundle" --operator-key "$ledger/operator.vkey" --trust "$pki/roots.pem" >"$tmp/vb.txt" ||
    fail "verify-bundle $bundle: $(cat "$tmp/vb.txt")"
done
ex1_bundle=$(python3 -c 'import json,sys; print(next(f["bundle"] for f in json.load(open(sys.argv[1]))["files"] if f["code"] == "YT-EX1"))' "$tmp/handover.json")
grep -qF '"subject": "YT-EX1"' "$ex1_bundle/proofs.json" || fail "YT-EX1's bundle is not the one its list number names"

# The printable pages: Quốc hiệu, tiêu ngữ, two copies, and every name escaped once.
list=$out/muc-luc-ho-so.html
rec=$out/bien-ban-giao-nhan.html
for needle in "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" "Độc lập - Tự do - Hạnh phúc" "ngày …… tháng …… năm ……" \
              "lập thành hai bản, mỗi bên giữ một bản" "BÊN GIAO:</b> $unit" \
              "BÊN NHẬN:</b> Lưu trữ &lt;huyện&gt; &quot;Yên Thủy&quot;" "$n_files hồ sơ"; do
  grep -qF -- "$needle" "$rec" || fail "the hand-over record lacks: $needle"
done
for needle in "MỤC LỤC HỒ SƠ" "Hồ sơ điển hình &lt;script&gt;alert(&quot;antq&quot;)&lt;/script&gt; &amp; Tổ &lt;b&gt;" \
              "Vĩnh viễn (tạm thời)" "Hồ sơ không giao nộp lần này" "Thanh tra &lt;2026&gt;" "@page { size: A4"; do
  grep -qF -- "$needle" "$list" || fail "the list lacks: $needle"
done
if grep -qiF '<script' "$list" "$rec" || grep -qF '& Tổ <b>' "$list" "$rec"; then
  fail "markup from a name reached the HTML unescaped"
fi

# The CSV: a BOM, the files in order, and the same bytes in the bag.
[[ $(head -c3 "$out/muc-luc-ho-so.csv" | od -An -tx1 | tr -d ' ') == efbbbf ]] || fail "the CSV has no BOM"
cmp -s "$out/muc-luc-ho-so.csv" "$out/bag/data/muc-luc-ho-so.csv" || fail "the bag's CSV differs from the list's"
[[ $(grep -c '' "$out/muc-luc-ho-so.csv") == $((n_files + 1)) ]] || fail "the CSV has not one line per file"
grep -qF '"Hồ sơ điển hình <script>alert(""antq"")</script> & Tổ <b>"' "$out/muc-luc-ho-so.csv" ||
  fail "the CSV does not hold YT-EX1's title as written"

# OUT exists now: a second run is refused and leaves it as it was.
before=$(sha256sum "$out/bag/tagmanifest-sha256.txt")
rc=0
"$antq" handover "$ledger" --unit "$unit" --year "$year" -o "$out" 2>"$tmp/err" || rc=$?
[[ $rc == 2 ]] && grep -qF "exists" "$tmp/err" || fail "an existing OUT: expected exit 2, got $rc: $(cat "$tmp/err")"
[[ $(sha256sum "$out/bag/tagmanifest-sha256.txt") == "$before" ]] || fail "the refused run changed OUT"

# The unit records the hand-over; antq retention then shows the files transferred.
subjects=$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["next_act"]["data"]["subjects"]))' \
  "$tmp/handover.json")
transfer() {  # transfer NUMBER SUBJECTS_JSON
  python3 - "$tmp/transfer.json" "$1" "$2" "$today" "$unit" "$level" <<'PY'
import json, sys
path, number, subjects, date, unit, level = sys.argv[1:7]
json.dump({"act": "archive.transferred", "subject": "ledger", "date": date,
           "document": {"number": number, "title": "Biên bản giao nhận hồ sơ, tài liệu", "issuer": unit},
           "authority": {"level": level, "unit": unit},
           "data": {"subjects": json.loads(subjects), "archive": "Lưu trữ huyện Yên Thủy"}},
          open(path, "w"), ensure_ascii=False)
PY
  record "$tmp/transfer.json" --person "$person" --org "$org"
}
transfer "1/BB-GN" "$subjects" || fail "archive.transferred: $(cat "$tmp/record.err")"
"$antq" retention "$ledger" --unit "$unit" --json >"$tmp/after.json"
python3 - "$tmp/after.json" "$expected" <<'PY' || fail "antq retention does not show the files transferred"
import json, sys
files = {r["subject"]: r for r in json.load(open(sys.argv[1]))["records"] if r["class"] == "file"}
for code in sys.argv[2].split():
    assert files[code]["status"] == "transferred" and files[code]["transferred_by"] is not None, files[code]
PY
rc=0
transfer "2/BB-GN" '["YT-EX1"]' || rc=$?
[[ $rc == 2 ]] && grep -qF "refused [retention]" "$tmp/record.err" ||
  fail "a second transfer: expected exit 2 and refused [retention], got $rc: $(cat "$tmp/record.err")"
rc=0
transfer "3/BB-GN" '["YT-EX2"]' || rc=$?
[[ $rc == 2 ]] && grep -qF "refused [hold]" "$tmp/record.err" ||
  fail "the transfer of a held file: expected exit 2 and refused [hold], got $rc: $(cat "$tmp/record.err")"

# Nothing is left to hand over for that unit and year: exit 2, saying why, and nothing written.
rc=0
"$antq" handover "$ledger" --unit "$unit" --year "$year" -o "$tmp/again" 2>"$tmp/err" || rc=$?
[[ $rc == 2 ]] && grep -qF "nothing to hand over" "$tmp/err" && grep -qF "handed over already: " "$tmp/err" &&
  grep -qF "under a hold: YT-EX2" "$tmp/err" || fail "a second hand-over: expected exit 2 saying why, got $rc: $(cat "$tmp/err")"
[[ ! -e $tmp/again ]] || fail "a refused hand-over created its directory"

# The help teaches what it does and how to check it.
"$antq" handover --help >"$tmp/help"
for needle in "giao nộp hồ sơ vào Lưu trữ cơ quan" "BagIt" "antq verify-bundle OUT/bag/data/ho-so/001" \
              "archive.transferred" "mục lục"; do
  grep -qF -- "$needle" "$tmp/help" || fail "antq handover --help lacks: $needle"
done
# antq retention's CSV opens in a spreadsheet: a BOM, then the header; a cell a spreadsheet would run is neutralised
# (the <script> exemplar's name is no formula, but YT-EX1's file title is in the JSON, not the CSV).
"$antq" retention "$ledger" --format csv >"$tmp/retention.csv"
[[ $(head -c 3 "$tmp/retention.csv" | od -An -tx1 | tr -d ' ') == efbbbf ]] || fail "antq retention --format csv has no BOM"
head -1 "$tmp/retention.csv" | grep -q 'subject,item,attachment,class,period,clock_start,due' ||
  fail "antq retention --format csv: unexpected header"
"$antq" retention "$ledger" --help | grep -q "PROVISIONAL" || fail "antq retention --help does not say the schedule is provisional"

echo "handover: $n_files files of $unit for $year ($expected) listed, bagged, validated and verified;" \
  "transferred, a second transfer refused"
