#!/usr/bin/env bash
# The Debian package made from the build tools/test.sh has just tested (cmake/package.cmake, CPack): what it holds,
# lintian without an error or a warning (the informational tags left are explained in docs/packaging.md), the manual
# pages, the completion, and the systemd unit through systemd-analyze verify and its offline security rating.
# Installing it in a fresh Debian root and running the demo from the installed files: tools/package-check.sh.
#   tests/tools/package_test.sh BUILD-DIR
set -uo pipefail
build=$(readlink -f "$1")
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/tools/common.sh"

for tool in cpack dpkg-deb lintian man systemd-analyze; do
  command -v "$tool" >/dev/null || fail "$tool is missing (tools/install-deps.sh installs it)"
done
[[ -d "$build/man/man1" ]] || fail "$build/man/man1 is missing: the manual pages were not made (is help2man installed?)"

(cd "$tmp" && cpack -G DEB -B "$tmp/out" --config "$build/CPackConfig.cmake" >"$tmp/cpack.log" 2>&1) ||
  { cat "$tmp/cpack.log"; fail "cpack -G DEB failed"; }
deb=$(ls "$tmp"/out/antq_*_*.deb 2>/dev/null | head -1)
[[ -f "$deb" ]] || fail "cpack wrote no antq_*.deb"
echo "ok: $(basename "$deb") ($(stat -c %s "$deb") bytes)"

field() { dpkg-deb -f "$deb" "$1"; }
[[ "$(field Package)" == antq ]] || fail "Package: $(field Package)"
for dep in libc6 libssl3 liblmdb0 libboost-locale1.81.0 libsystemd0 "systemd | systemd-standalone-sysusers"; do
  [[ "$(field Depends)" == *"$dep"* ]] || fail "Depends lacks $dep: $(field Depends)"
done
echo "ok: Depends (dpkg-shlibdeps): $(field Depends)"

dpkg-deb -c "$deb" | awk '{print $6}' | sed 's#^\./#/#' >"$tmp/files"
for path in /usr/bin/antq /lib/systemd/system/antq-serve.service /usr/lib/sysusers.d/antq.conf \
  /usr/lib/tmpfiles.d/antq.conf \
  /usr/share/bash-completion/completions/antq /usr/share/doc/antq/copyright /usr/share/doc/antq/changelog.gz \
  /usr/share/doc/antq/ledger/FORMAT.md /usr/share/doc/antq/docs/output.md /usr/share/antq/profiles/hoa-binh-2023.json \
  /usr/share/antq/profiles/v1/kon-tum-2022.json \
  /usr/share/man/man1/antq.1.gz /usr/share/man/man1/antq-verify.1.gz /usr/share/man/man1/antq-serve.1.gz; do
  grep -qx "$path" "$tmp/files" || fail "the package lacks $path"
done
# A manual page for every command antq --help lists.
dpkg-deb -x "$deb" "$tmp/root"
commands=$(LANGUAGE=en "$tmp/root/usr/bin/antq" --help | sed -n '/^Subcommands:/,$p' |
  awk 'NR > 1 && /^  [a-z]/ {print $1}')
[[ $(wc -w <<<"$commands") -ge 30 ]] || fail "antq --help listed only: $commands"
for c in $commands; do
  [[ -f "$tmp/root/usr/share/man/man1/antq-$c.1.gz" ]] || fail "no manual page antq-$c(1)"
  [[ -f "$tmp/root/usr/share/man/vi/man1/antq-$c.1.gz" ]] || fail "no Vietnamese manual page antq-$c(1)"
done
# Every file the installed README links to is installed beside it.
for link in $(grep -o '](\(docs\|ledger\)/[^)#]*' "$tmp/root/usr/share/doc/antq/README.md" | cut -c3- | sort -u); do
  [[ -f "$tmp/root/usr/share/doc/antq/$link" ]] || fail "the installed README links to $link, which is not installed"
done
echo "ok: the files, the README's links, and a manual page for each of the $(wc -w <<<"$commands") commands"

"$tmp/root/usr/bin/antq" --version | grep -q "^antq [0-9]" || fail "the packaged antq --version printed no version"
page=$(MANWIDTH=100 man -l "$tmp/root/usr/share/man/man1/antq-verify.1.gz" 2>/dev/null)
for want in "antq-verify - Recheck every entry" "--checkpoint" "--operator-key" "SEE ALSO"; do
  grep -qF -- "$want" <<<"$page" || fail "man antq-verify lacks '$want'"
done
echo "ok: man antq-verify renders ($(wc -l <<<"$page") lines)"
page=$(MANWIDTH=100 man -l "$tmp/root/usr/share/man/vi/man1/antq-verify.1.gz" 2>/dev/null)
for want in "antq-verify - Kiểm tra lại mọi bản ghi" "TÓM TẮT" "antq verify [TÙY_CHỌN] DIR" "TÙY CHỌN" "--checkpoint" \
  "XEM THÊM"; do
  grep -qF -- "$want" <<<"$page" || fail "the Vietnamese man antq-verify lacks '$want'"
done
echo "ok: the Vietnamese man antq-verify renders ($(wc -l <<<"$page") lines)"

# The installed completion completes (through the packaged antq).
"$here/tests/tools/completion_test.sh" "$tmp/root/usr/bin/antq" "$tmp/root/usr/share/bash-completion/completions/antq" \
  >"$tmp/completion.log" 2>&1 || { cat "$tmp/completion.log"; fail "the packaged completion"; }
echo "ok: the packaged bash completion ($(grep -c '^ok' "$tmp/completion.log") checks)"

# The unit: systemd-analyze verify with its ExecStart pointed at the packaged binary (nothing is installed here;
# tools/package-check.sh verifies the unit as installed), and the sandbox's offline rating.
unit="$tmp/antq-serve.service"
sed "s#/usr/bin/antq#$tmp/root/usr/bin/antq#" "$tmp/root/lib/systemd/system/antq-serve.service" >"$unit"
systemd-analyze verify --man=no "$unit" >"$tmp/verify.log" 2>&1 ||
  { cat "$tmp/verify.log"; fail "systemd-analyze verify"; }
[[ ! -s "$tmp/verify.log" ]] || { cat "$tmp/verify.log"; fail "systemd-analyze verify complained"; }
exposure=$(systemd-analyze security --offline=yes "$unit" 2>/dev/null |
  sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p')
[[ -n "$exposure" ]] || fail "systemd-analyze security printed no exposure level"
awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' ||
  fail "the unit's exposure level is $exposure (at most 2.0 expected)"
echo "ok: systemd-analyze verify; exposure level $exposure"

# lintian: no error, no warning. (Its informational tags: docs/packaging.md.)
lintian --fail-on error,warning "$deb" >"$tmp/lintian.log" 2>&1 ||
  { cat "$tmp/lintian.log"; fail "lintian found errors or warnings"; }
if grep -E '^[EW]:' "$tmp/lintian.log"; then fail "lintian printed errors or warnings"; fi
echo "ok: lintian: no error, no warning"
