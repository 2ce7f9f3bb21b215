#!/usr/bin/env bash
# The Vietnamese catalogue against the code: every string the code marks for translation (po/extract.sh) has a
# translation in po/vi.po, and po/vi.po holds none the code no longer uses. gettext's own msgcmp and msgattrib judge.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$root/po/extract.sh" "$work/antq.pot" 2>"$work/xgettext.log" || { cat "$work/xgettext.log" >&2; exit 1; }
# xgettext's advice against non-ASCII msgids is not a complaint: Vietnamese words stand in some English messages.
advice='non-ASCII\|will cause problems\|different from yours\|pure ASCII msgid\|^ '
if grep -v "$advice" "$work/xgettext.log" | grep .; then
  echo "FAIL: xgettext complained (above)" >&2
  exit 1
fi
if ! LC_ALL=C.UTF-8 msgcmp "$root/po/vi.po" "$work/antq.pot" 2>"$work/msgcmp.log"; then
  grep -c 'used but not defined' "$work/msgcmp.log" | sed 's/^/FAIL: untranslated messages: /' >&2
  LC_ALL=C.UTF-8 msgmerge --quiet --no-fuzzy-matching "$root/po/vi.po" "$work/antq.pot" -o "$work/merged.po"
  LC_ALL=C.UTF-8 msgattrib --untranslated --no-location "$work/merged.po" | grep '^msgid' | sed 1d | head -20 >&2
  exit 1
fi
LC_ALL=C.UTF-8 msgmerge --quiet --no-fuzzy-matching "$root/po/vi.po" "$work/antq.pot" -o "$work/merged.po"
obsolete=$(LC_ALL=C.UTF-8 msgattrib --only-obsolete --no-location "$work/merged.po" | grep -c '^#~ msgid' || true)
if ((obsolete > 0)); then
  echo "FAIL: po/vi.po holds $obsolete message(s) the code no longer marks:" >&2
  LC_ALL=C.UTF-8 msgattrib --only-obsolete --no-location "$work/merged.po" | grep '^#~ msgid' >&2
  exit 1
fi
echo "ok: $(grep -c '^msgid' "$work/antq.pot") messages marked, every one translated in po/vi.po, none left over"
