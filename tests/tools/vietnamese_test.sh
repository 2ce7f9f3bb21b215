#!/usr/bin/env bash
# antq in Vietnamese under a Vietnamese locale (LANG=vi_VN.UTF-8, which need not be generated on the machine) and in
# English under LANG=C: a sample of each kind of words people read — the demo's prose, a refusal, the verify summary,
# the statistics table, --help (a command's description, an option's, the headings), errors of the command line,
# of files and of dates — each checked in both languages, with exit code 2 for every error.
#   tests/tools/vietnamese_test.sh ANTQ
set -uo pipefail
antq=$(readlink -f "$1")
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/tools/common.sh"

# Runs antq under LANG=$1 (and no other language variable), output and errors together, into $out; $code its exit.
run() {
  local lang=$1
  shift
  out=$(env -u LANGUAGE -u LC_ALL -u LC_MESSAGES LANG="$lang" "$antq" "$@" 2>&1)
  code=$?
}
has() {  # has LANG TEXT: the last output holds TEXT
  grep -qF -- "$2" <<<"$out" || { printf '%s\n' "$out" | head -40 >&2; fail "LANG=$1 antq ${line[*]}: no '$2'"; }
}
check() {  # check 'ARGS' CODE VI-TEXT... -- EN-TEXT...
  read -r -a line <<<"$1"
  local args=$1 want=$2 lang=vi_VN.UTF-8
  shift 2
  run "$lang" "${line[@]}"
  [[ $code == "$want" ]] || { echo "$out" | tail -5 >&2; fail "LANG=$lang antq $1: exit $code, expected $want"; }
  for text in "$@"; do
    if [[ "$text" == -- ]]; then
      lang=C
      run "$lang" "${line[@]}"
      [[ $code == "$want" ]] || fail "LANG=C antq $1: exit $code, expected $want"
      continue
    fi
    has "$lang" "$text"
  done
  echo "ok: antq $args (exit $want) in Vietnamese and in English"
}

# The demo (twice: each run makes its own directory): its prose, a refusal, the verify summary.
run vi_VN.UTF-8 demo "$tmp/demo-vi" --commune-only
[[ $code == 0 ]] || { echo "$out" | tail -5 >&2; fail "LANG=vi_VN.UTF-8 antq demo exited $code"; }
line=(demo DIR --commune-only)
for text in "== 1. Hạ tầng khóa công khai mẫu" "== 3. Mô hình của một xã, từng văn bản một" \
  "Một văn bản giả mạo bị từ chối, và không có gì được ghi:" "bị từ chối [authority]:" \
  "trưởng công an xã ký quyết định kết thúc của xã" \
  "ĐẠT: mọi bản ghi, điểm kiểm tra và chữ ký đều được xác minh" \
  "Thử tiếp:"; do
  has vi "$text"
done
demo="$tmp/demo"
run C demo "$demo" --commune-only
[[ $code == 0 ]] || fail "LANG=C antq demo exited $code"
for text in "== 1. A demo PKI" "refused [authority]:" "OK: every entry, checkpoint and signature verifies" \
  "Try next:"; do
  has C "$text"
done
grep -qF "Hạ tầng" <<<"$out" && fail "LANG=C antq demo printed Vietnamese prose"
echo "ok: antq demo in Vietnamese and in English"
ledger="$demo/ledger"

check "verify $ledger" 0 "đã xác minh" "bản ghi" "kết quả" "chưa được neo    đã kiểm tra theo khóa" \
  -- "verified" "entries" "result" "not anchored checked against the ledger's own"
# Tables and reports: units, records, a bundle's verification (its labels and unchecked files), the access log.
check "units $ledger --as-of 31/12/2023" 0 "Các đơn vị của $ledger tính đến 31/12/2023" "đơn vị" "thành lập" \
  "(chỉ xuất hiện trong văn bản)" -- "Units of $ledger as of 2023-12-31" "founded" "(only seen in acts)"
check "retention $ledger --as-of 31/12/2026" 0 "hồ sơ, tài liệu của $ledger vào ngày 31/12/2026" "đang giải quyết" \
  "tình trạng" "vĩnh viễn*" -- "records of $ledger on 2026-12-31" "open" "status" "permanent*"
check "verify-bundle $demo/bundle" 1 "CHƯA ĐƯỢC NEO: mới chỉ kiểm tra" "neo tin cậy" "chưa kiểm tra" \
  "operator.vkey: lấy từ chính gói" -- "NOT ANCHORED: only the bundle's consistency" "anchors" "unchecked" \
  "operator.vkey: taken from the bundle itself"
check "history $ledger MS-TL-TDCTQ" 0 "bản ghi " "  văn bản      " "  cơ quan      " "hợp lệ khi ký" \
  "Phê duyệt kế hoạch khảo sát" -- "entry " "  document     " "  authority    " "valid at signing" \
  "survey.plan-approved"
# A backup (each language writes its own copy).
line=(backup "$ledger" DIR)
run vi_VN.UTF-8 backup "$ledger" "$tmp/backup-vi"
[[ $code == 0 ]] || fail "LANG=vi_VN.UTF-8 antq backup exited $code: $out"
has vi "bản sao lưu      $tmp/backup-vi"
has vi "ĐẠT: $tmp/backup-vi là bản sao lưu đã được kiểm tra"
run C backup "$ledger" "$tmp/backup-en"
[[ $code == 0 ]] || fail "LANG=C antq backup exited $code: $out"
has C "result       OK: $tmp/backup-en is a verified backup"
echo "ok: antq backup in Vietnamese and in English"
check "access-log $ledger" 0 "chưa có nhật ký truy cập" -- "has no access log yet"
# The service's lines for its operator: started, stopping, stopped (SIGTERM), with the operator key's warning
# (after access-log: the service makes the access log when it starts).
env -u LANGUAGE -u LC_ALL -u LC_MESSAGES LANG=vi_VN.UTF-8 "$antq" serve "$ledger" --plain-http --listen 127.0.0.1:0 \
  --operator-key "$demo/pki/operator.key" 2>"$tmp/serve.err" &
serve_pid=$!
for _ in $(seq 100); do grep -q "SIGTERM hoặc Ctrl-C để dừng" "$tmp/serve.err" && break; sleep 0.1; done
kill -TERM "$serve_pid"
wait "$serve_pid" || fail "antq serve under LANG=vi_VN.UTF-8 exited $? on SIGTERM: $(cat "$tmp/serve.err")"
out=$(cat "$tmp/serve.err")
line=(serve DIR --plain-http)
for text in "cảnh báo: khóa của đơn vị vận hành" "bản ghi) trên http://127.0.0.1:" "antq serve: đang dừng: không nhận kết nối mới" \
  "antq serve: đã dừng ("; do
  has vi "$text"
done
echo "ok: antq serve's lines in Vietnamese"
check "stats $ledger --as-of 31/12/2023" 0 "Thống kê phong trào, tính đến 31/12/2023" "mô hình (theo tên)" \
  "tổng số" \
  -- "Movement statistics, as of 2023-12-31" "model (by name)" "total"
# --help: the command's description, an option's, the headings.
check "verify --help" 0 "Tùy chọn:" "Kiểm tra lại" "--checkpoint" \
  "Ghi chú điểm kiểm tra (checkpoint) đã lưu trước đó (tệp)" "Ví dụ:" -- "Options:" "Recheck every entry" \
  "A checkpoint note kept earlier (file)"
# Errors: the command line (CLI11's words), a file, a ledger, a date; nothing written, exit 2.
check "verify" 2 "thiếu DIR (bắt buộc) (xem antq verify --help)" -- "DIR is required (see antq verify --help)"
check "stats $ledger --format pdfx" 2 '--format: "pdfx" không thuộc' -- '--format: "pdfx" is not one of'
check "append $ledger $tmp/none.signed" 2 "tệp sự kiện đã ký $tmp/none.signed: không có tệp này" \
  -- "signed event file $tmp/none.signed: no such file"
check "verify $tmp/nothing-here" 2 "không chứa sổ cái" -- "holds no ledger"
check "stats $ledger --as-of 2026-13-45" 2 "--as-of: cần một ngày dạng YYYY-MM-DD" \
  -- "--as-of: expected a date YYYY-MM-DD"
check "verfy" 2 'không có lệnh "verfy"; có phải ý bạn là verify?' -- \
  'no command "verfy"; did you mean verify?'
check "record $ledger $demo/acts/05-model.proposed.json --operator-key $demo/pki/operator.key --person no-colon" 2 \
  'người ký "no-colon": cần KEY:CERT' -- \
  'signer "no-colon": expected KEY:CERT'
check "record $ledger $demo/acts/05-model.proposed.json --person no:colon" 2 \
  "không có khóa của đơn vị vận hành cho sổ cái $ledger" -- "no operator key for the ledger $ledger"
# Errors from deeper down: a checkpoint note, a signed file that does not decode, an output directory that exists,
# a proof out of range.
printf 'not a checkpoint\n' > "$tmp/cp.txt"
check "verify $ledger --checkpoint $tmp/cp.txt" 2 \
  "$tmp/cp.txt: điểm kiểm tra, ghi chú: không có dòng trống giữa nội dung và các chữ ký" -- \
  "$tmp/cp.txt: checkpoint note: no blank line between the text and its signatures"
printf 'garbage' > "$tmp/garbage.signed"
check "append $ledger $tmp/garbage.signed" 2 "$tmp/garbage.signed: sự kiện đã ký: Cap'n Proto sai định dạng" -- \
  "$tmp/garbage.signed: signed event: malformed Cap'n Proto"
check "export $ledger --tiles $demo/acts" 2 "$demo/acts đã có: lệnh export tự tạo thư mục ô (tile); hãy chọn tên mới" -- \
  "$demo/acts exists: export creates the tiles directory itself; name a new one"
check "proof inclusion $ledger 0 --size 99999" 2 "--size 99999: sổ cái chỉ có" -- "--size 99999: the ledger has only"
check "proof" 2 "hãy chọn một lệnh con trong danh sách của --help (xem antq proof --help)" -- \
  "give one of the subcommands --help lists (see antq proof --help)"
# --lang overrides the locale both ways.
run C --lang vi verify
has C "thiếu DIR (bắt buộc)"
run vi_VN.UTF-8 --lang en verify
has vi "DIR is required"
echo "ok: --lang vi and --lang en override the locale"
