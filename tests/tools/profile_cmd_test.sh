#!/usr/bin/env bash
# antq profile (issue 21: every profile field is read) on the commune demo: the profile the ledger applies, its
# source document and rules, the same basis in antq report's heading; a bad --as-of and a directory that is no
# ledger are one line and exit 2.
#   tests/tools/profile_cmd_test.sh ANTQ
set -euo pipefail
antq=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/tools/common.sh
. "$here/tests/tools/common.sh"

"$antq" demo --commune-only "$tmp/demo" >/dev/null
ledger="$tmp/demo/ledger"

out=$("$antq" profile "$ledger" --as-of 2025-06-30 --json) || fail "profile --json: $out"
python3 - "$out" <<'PY' || fail "profile --json: $out"
import json, sys
j = json.loads(sys.argv[1])
assert j["as_of"] == "2025-06-30", j["as_of"]
assert j["id"] == "hoa-binh-2023" and j["format"] == 2, (j["id"], j["format"])
assert j["since"] == {"act": "init", "effective": None, "seq": None}, j["since"]
assert j["source"]["issuer"] == "Ban chỉ đạo 09 tỉnh Hòa Bình" and j["source"]["number"] is None, j["source"]
assert j["source"]["date"] == "2023-03-07" and j["source"]["file"].startswith("seeds/000_"), j["source"]
assert j["replaces"][0]["document"].startswith("Hướng dẫn số 94/HD-UBMTTQ-CAT"), j["replaces"]
assert j["basis"].startswith("“Xây dựng, công nhận, nhân rộng mô hình") and "ngày 07/03/2023" in j["basis"], j["basis"]
assert "same-level" in j["rules"]["on"] and "replication-ineffective" in j["rules"]["off"], j["rules"]
assert "authority" in j["rules"]["on"], j["rules"]  # applied under every profile, listed or not
assert [c["id"] for c in j["common_criteria"]] == ["EX.C1", "EX.C2", "EX.C3", "EX.C4", "EX.C5"], j["common_criteria"]
assert j["criteria"] == [] and j["rating_basis"] == "percentage"
PY

text=$("$antq" profile "$ledger" --as-of 2025-06-30) || fail "profile: $text"
[[ $text == *"hoa-binh-2023 (format antq-profile 2), in force since the ledger's init"* ]] || fail "profile: $text"
[[ $text == *"Căn cứ"*"Ban chỉ đạo 09 tỉnh Hòa Bình, không số, ngày 07/03/2023"* ]] || fail "profile: $text"
[[ $text == *"Rules on ("*"same-level"* ]] || fail "profile: $text"

report=$("$antq" report "$ledger" 2025 --as-of 2025-06-30) || fail "report: $report"
[[ $report == *"Căn cứ (basis)"*"Ban chỉ đạo 09 tỉnh Hòa Bình, không số, ngày 07/03/2023); thay thế Hướng dẫn số 94/HD-UBMTTQ-CAT"* ]] ||
  fail "report heading: $report"

set +e
bad=$("$antq" profile "$ledger" --as-of 2025-13-01 2>&1); rc=$?
set -e
[[ $rc == 2 && $(wc -l <<<"$bad") == 1 && $bad == *"--as-of"* ]] || fail "bad --as-of: exit $rc: $bad"
set +e
bad=$("$antq" profile "$tmp/none" 2>&1); rc=$?
set -e
[[ $rc == 2 && $(wc -l <<<"$bad") == 1 ]] || fail "no ledger: exit $rc: $bad"
echo "profile_cmd_test: ok"
