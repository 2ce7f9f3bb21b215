#!/usr/bin/env bash
# --json of the commands that print, on the demo's ledger (docs/output.md): each prints one JSON document that
# parses; counts, sizes and sequence numbers are JSON numbers; every time is RFC 3339 in Vietnam time (+07:00).
#   tests/tools/json_output_test.sh ANTQ
set -uo pipefail
antq=$(readlink -f "$1")
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/tools/common.sh"

demo="$tmp/demo"
LANGUAGE=en "$antq" demo "$demo" --commune-only --json >"$tmp/demo.json" || fail "antq demo --json exited $?"
pki="$demo/pki" ledger="$demo/ledger" act="$demo/acts/05-model.proposed.json"

# Each line: a name, then the command's arguments (after antq), all with --json.
commands=(
  "demo|cat $tmp/demo.json"
  "init|init $tmp/new --profile hoa-binh-2023 --trust $pki/roots.pem --admin $pki/admin.crt --json"
  "checkpoint|checkpoint $ledger --json"
  "verify|verify $ledger --json"
  "verify-bundle|verify-bundle $demo/bundle --operator-key $ledger/operator.vkey --trust $pki/roots.pem --json"
  "export|export $ledger $tmp/bundle --json"
  "export-tiles|export $ledger $tmp/tiles --tiles --json"
  "proof|proof inclusion $ledger 9 --json"
  "show|show $ledger MS-TL-TDCTQ --json"
  "history|history $ledger MS-TL-TDCTQ --json"
  "dossier|dossier $ledger MS-TL-TDCTQ --json"
  "diff|diff $ledger MS-TL-TDCTQ --from 2023-01-01 --to 2024-12-31 --json"
  "audit|audit $ledger --json"
  "units|units $ledger --json"
  "profile|profile $ledger --json"
  "stats|stats $ledger --json"
  "report|report $ledger 2024 --json"
  "retention|retention $ledger --json"
  "sign|sign $act --key $pki/police.key --cert $pki/police.crt --role person -o $tmp/act.signed --json"
  "timestamp|timestamp request $tmp/act.signed -o $tmp/act.tsq --json"
)
for line in "${commands[@]}"; do
  name=${line%%|*}
  read -r -a words <<<"${line#*|}"
  if [[ "${words[0]}" == cat ]]; then
    [[ -s "${words[1]}" ]] || fail "${words[1]} is empty"
  else
    LANGUAGE=en "$antq" "${words[@]}" >"$tmp/$name.json" 2>"$tmp/$name.err" ||
      { cat "$tmp/$name.err"; fail "antq ${words[*]} exited $?"; }
  fi
done

python3 - "$tmp" "${commands[@]%%|*}" <<'PY' || fail "the JSON outputs (above)"
import json, re, sys
tmp, names = sys.argv[1], sys.argv[2:]
numeric = {"seq", "size", "entries", "count", "signatures", "checkpoints", "attachments", "certificates", "points",
           "teams", "failures", "bytes", "before", "tiles", "bundles", "long_bundles", "new_entries", "year"}
time_re = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
bad = []
def walk(name, path, v):
    if isinstance(v, dict):
        for k, x in v.items():
            # A count: a number (a key of the same name may hold the list itself: a dossier's attachments).
            if k in numeric and x is not None and not isinstance(x, (list, dict)) and \
                    not (isinstance(x, int) and not isinstance(x, bool)):
                bad.append(f"{name}: {path}.{k} is {x!r}, not a number")
            walk(name, f"{path}.{k}", x)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            walk(name, f"{path}[{i}]", x)
    elif isinstance(v, str) and time_re.match(v) and not v.endswith("+07:00"):
        bad.append(f"{name}: {path} is {v!r}, not in Vietnam time (+07:00)")
times = 0
for name in names:
    text = open(f"{tmp}/{name}.json", encoding="utf-8").read()
    try:
        doc = json.loads(text)
    except ValueError as e:
        bad.append(f"{name}: not one JSON document ({e})")
        continue
    times += len(re.findall(r'"\d{4}-\d{2}-\d{2}T[^"]*\+07:00"', text))
    walk(name, "$", doc)
for b in bad:
    print("FAIL:", b)
print(f"{len(names)} outputs parsed; {times} times, all +07:00" if not bad else "")
sys.exit(1 if bad else 0)
PY
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["ok"] is True and d["entries"] == 14, d' \
  "$tmp/demo.json" || fail "antq demo --json: $(cat "$tmp/demo.json")"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["size"] == 14 and len(d["root"]) == 64, d' \
  "$tmp/checkpoint.json" || fail "antq checkpoint --json: $(cat "$tmp/checkpoint.json")"
grep -q '"recorded_at": "[0-9-]*T[0-9:]*+07:00"' "$tmp/history.json" || fail "history --json: no recorded_at in +07:00"
echo "ok: --json of ${#commands[@]} commands"
