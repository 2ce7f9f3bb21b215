#!/usr/bin/env bash
# Writes the message template (every string the code marks for translation) to OUTPUT with xgettext:
#   po/extract.sh OUTPUT.pot
# The markers are i18n/i18n.hpp's (tr, trc, trf, N_, NC_, Text), the desk's w("…") (cli/desk.cpp) and the demo's
# prose("…") (cli/cmd_demo.cpp); and the help's words, where CLI11 is given them: options' descriptions (add_option's
# third argument, add_flag's last) and commands' footers (cli/main.cpp's translate_help looks them up).
# Then: msgmerge --update po/vi.po OUTPUT.pot, translate what is new, and run tests/tools/catalogue_test.sh.
set -euo pipefail
if (($# != 1)); then
  echo "usage: po/extract.sh OUTPUT.pot" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mapfile -t sources < <(find cli projections ledger signing i18n \( -name '*.cpp' -o -name '*.hpp' \) | LC_ALL=C sort)
# xgettext writes non-ASCII msgids only in a UTF-8 locale; C.UTF-8 is always there.
LC_ALL=C.UTF-8 xgettext --language=C++ --from-code=UTF-8 --no-location --sort-output --package-name=antq-ledger \
  --keyword= --keyword=tr:2 --keyword=trc:2c,3 --keyword=trf:2 --keyword=N_ --keyword=NC_:1c,2 --keyword=Text:1 \
  --keyword=w:1 --keyword=prose:1 --keyword=add_option:3 --keyword=add_option_function:3 --keyword=add_flag:2,2t \
  --keyword=add_flag:3,3t --keyword=footer:1 --output="$1" "${sources[@]}"
