#!/usr/bin/env bash
# Installs antq's .deb on this machine with apt-get, as a user would, and checks the installed files: antq --version,
# man antq-verify (and in Vietnamese), the bash completion through bash-completion's loader, the system user and /var/lib/antq, the unit
# through systemd-analyze verify, and the demo run from /usr/bin/antq (built, verified, its bundle verified); then
# the maintainer scripts: a reinstall, a remove and a purge (the ledger and the user stay), an install again.
# Meant for a fresh Debian root, where apt-get must find every library the package depends on:
#
#   tools/package.sh                                   # or: cpack -G DEB in a build tools/test.sh made
#   sudo tools/fresh-root-check.sh --recreate /srv/fresh-package --with build-package/antq_0.23.0_amd64.deb \
#     -- tools/package-check.sh /root/antq_0.23.0_amd64.deb
#
#   tools/package-check.sh DEB
set -euo pipefail

deb=${1:-}
if [[ -z "$deb" || "$deb" == -h || "$deb" == --help ]]; then
  sed -n '2,13s/^# \{0,1\}//p' "$0"
  exit "$([[ -z "$deb" ]] && echo 2 || echo 0)"
fi
[[ -f "$deb" ]] || { echo "package-check.sh: no file $deb" >&2; exit 2; }
((EUID == 0)) || { echo "package-check.sh: needs root (apt-get install)" >&2; exit 2; }
deb=$(readlink -f "$deb")
fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== apt-get install $deb (and man-db, bash-completion, to read and complete as a user does)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "$deb" man-db bash-completion >/tmp/package-check.apt.log 2>&1 ||
  { tail -20 /tmp/package-check.apt.log; fail "apt-get install"; }
dpkg-query -W -f='${Package} ${Version} ${Status}\n' antq

echo "== antq --version"
command -v antq | grep -qx /usr/bin/antq || fail "antq is not /usr/bin/antq"
antq --version

echo "== man antq-verify"
MANWIDTH=100 man antq-verify >/tmp/package-check.man 2>/dev/null || fail "man antq-verify"
sed -n 1,12p /tmp/package-check.man
grep -qF -- "--checkpoint" /tmp/package-check.man || fail "man antq-verify has no --checkpoint"
man -w antq antq-serve antq-report >/dev/null || fail "man -w antq antq-serve antq-report"
echo "== man -L vi antq-verify"
MANWIDTH=100 man -L vi antq-verify >/tmp/package-check.man.vi 2>/dev/null || fail "man -L vi antq-verify"
sed -n 1,6p /tmp/package-check.man.vi
grep -qF "TÙY CHỌN" /tmp/package-check.man.vi || fail "man -L vi antq-verify is not in Vietnamese"

echo "== completion (bash-completion's loader finds /usr/share/bash-completion/completions/antq)"
offered=$(bash -c '. /usr/share/bash-completion/bash_completion
  __load_completion antq || exit 3
  COMP_WORDS=(antq ver); COMP_CWORD=1; COMPREPLY=(); _antq; echo "${COMPREPLY[*]}"')
echo "antq ver<TAB> -> $offered"
[[ "$offered" == "verify verify-bundle" ]] || fail "completion offered '$offered'"

echo "== the service's user and unit"
id antq || fail "no user antq (systemd-sysusers in postinst)"
[[ $(stat -c '%U:%G %a' /var/lib/antq) == "antq:antq 750" ]] ||
  fail "/var/lib/antq is $(stat -c '%U:%G %a' /var/lib/antq 2>&1), not antq:antq 750 (systemd-tmpfiles in postinst)"
echo "/var/lib/antq: $(stat -c '%U:%G %a' /var/lib/antq)"
systemd-analyze verify /lib/systemd/system/antq-serve.service || fail "systemd-analyze verify"
echo "systemd-analyze verify: ok"

echo "== the demo, from the installed files"
demo=$(mktemp -d)/demo
(cd /tmp && antq demo "$demo" >/tmp/package-check.demo.log 2>&1) ||
  { tail -20 /tmp/package-check.demo.log; fail "antq demo"; }
tail -5 /tmp/package-check.demo.log
antq verify "$demo/ledger" --checkpoint "$demo/checkpoint.txt" --trust "$demo/pki/roots.pem" | tail -2
antq verify-bundle "$demo/bundle" --checkpoint "$demo/checkpoint.txt" --trust "$demo/pki/roots.pem" | tail -2
LANG=vi_VN.UTF-8 antq audit "$demo/ledger" >/tmp/package-check.audit || fail "antq audit"
sed -n 1,3p /tmp/package-check.audit   # (whole outputs kept in files: a pipe into head would end antq by SIGPIPE)
echo "== reinstall (postinst configure with the version before), remove, purge, install again"
apt-get install -y -qq --reinstall "$deb" >>/tmp/package-check.apt.log 2>&1 || fail "apt-get install --reinstall"
apt-get remove -y -qq antq >>/tmp/package-check.apt.log 2>&1 || fail "apt-get remove antq"
[[ ! -e /usr/bin/antq && ! -e /lib/systemd/system/antq-serve.service ]] || fail "antq remove left its files"
# A ledger is a record to keep: removing, even purging, the program leaves it and its user.
[[ -d "$demo/ledger" && -d /var/lib/antq ]] && id antq >/dev/null || fail "removing antq took the ledger or its user"
dpkg --purge antq >>/tmp/package-check.apt.log 2>&1 || fail "dpkg --purge antq"
[[ -d /var/lib/antq ]] && id antq >/dev/null || fail "purging antq took /var/lib/antq or the user antq"
apt-get install -y -qq "$deb" >>/tmp/package-check.apt.log 2>&1 || fail "apt-get install after purge"
antq verify "$demo/ledger" --checkpoint "$demo/checkpoint.txt" >/dev/null || fail "the ledger after reinstalling"
echo "reinstalled, removed (the ledger, /var/lib/antq and the user kept), purged, installed again: antq verify OK"
echo "package-check.sh: the installed package works"
