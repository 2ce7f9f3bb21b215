#!/usr/bin/env bash
# The bash completion of antq (packaging/antq.bash-completion, which asks antq __complete): commands, a command's
# options, an option's choices, nested commands, and file names where antq names nothing.
#   tests/tools/completion_test.sh ANTQ [COMPLETION-SCRIPT]
set -uo pipefail
antq=$(readlink -f "$1")
here=$(cd "$(dirname "$0")/../.." && pwd)
script=${2:-$here/packaging/antq.bash-completion}
. "$here/tests/tools/common.sh"

mkdir -p "$tmp/bin" "$tmp/files" && ln -s "$antq" "$tmp/bin/antq"
export PATH="$tmp/bin:$PATH"
# shellcheck source=/dev/null
. "$script"

# The words bash would offer after LINE (a line ending in a space completes a new, empty word).
offered() {
  local line=$1
  read -r -a COMP_WORDS <<<"$line"
  [[ "$line" == *" " ]] && COMP_WORDS+=("")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _antq 2>/dev/null
  echo "${COMPREPLY[*]}"
}
expect() {
  local line=$1 want=$2 got
  got=$(offered "$line")
  [[ "$got" == "$want" ]] || fail "completing '$line': offered '$got', expected '$want'"
  echo "ok: '$line' -> '$got'"
}

expect "antq ver" "verify verify-bundle"
expect "antq verify --ch" "--checkpoint"
expect "antq --lang " "en vi"
expect "antq --lang v" "vi"
expect "antq proof " "consistency inclusion"
expect "antq proof in" "inclusion"
expect "antq stats ledger/ --as-" "--as-of"
expect "antq report ledger/ 2026-H1 --format c" "csv"
# A value antq names no choices for, and a positional: bash completes file names (nothing offered here).
expect "antq verify --checkpoint " ""
expect "antq verify " ""
# Every command antq --help lists is offered after "antq ".
listed=$(LANGUAGE=en antq --help | sed -n '/^Subcommands:/,$p' | awk 'NR > 1 && /^  [a-z]/ {print $1}' |
  sort | tr '\n' ' ')
all=$(offered "antq " | tr ' ' '\n' | sort | tr '\n' ' ')
[[ -n "$listed" && "$all" == "$listed" ]] || fail "antq <TAB> offered '$all'; antq --help lists '$listed'"
echo "ok: every command of antq --help is completed ($(wc -w <<<"$all") commands)"
