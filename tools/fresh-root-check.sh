#!/usr/bin/env bash
# Checks the README's commands on a bare Debian system: a debootstrap'ed bookworm chroot (minbase), with nothing
# installed beyond what debootstrap puts there, gets a copy of the repository and runs a command in it.
#
#   sudo tools/fresh-root-check.sh [options] [CHROOT_DIR] [-- COMMAND...]
#
#   CHROOT_DIR     default /srv/fresh-bookworm; created with debootstrap if it does not exist (about a minute)
#   COMMAND        run in the copy, default: tools/test.sh (another useful one: tools/demo.sh)
#   --recreate     delete CHROOT_DIR first, so that install-deps.sh starts from a bare system again
#   --worktree     copy the working tree (tracked and untracked, not ignored) instead of HEAD
#   --mirror URL   Debian mirror for debootstrap (default http://deb.debian.org/debian)
#   --with FILE    also copy FILE to CHROOT_DIR/root/ (a .deb for tools/package-check.sh); may be repeated
#
# The repository is copied to CHROOT_DIR/root/antq (replacing any previous copy), and ../shared beside the repository,
# if there is one, to CHROOT_DIR/root/shared (the tests read the RFC 9162 vectors from there). Needs root (chroot,
# mount). The chroot's apt sources are bookworm, bookworm-updates and bookworm-security from the same mirror.
set -euo pipefail

repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)

root=/srv/fresh-bookworm
mirror=http://deb.debian.org/debian
recreate=0
worktree=0
command=(tools/test.sh)
with=()
while (($#)); do
  case "$1" in
    --recreate) recreate=1 ;;
    --worktree) worktree=1 ;;
    --mirror)
      mirror=${2:?--mirror needs a URL}
      shift
      ;;
    --with)
      [[ -f "${2:-}" ]] || { echo "fresh-root-check.sh: --with needs a file (no '${2:-}')" >&2; exit 2; }
      with+=("$(readlink -f "$2")")
      shift
      ;;
    --)
      shift
      if (($#)); then command=("$@"); fi
      break
      ;;
    -h|--help)
      sed -n '2,16s/^# \{0,1\}//p' "$0"
      exit 0
      ;;
    -*)
      echo "fresh-root-check.sh: unknown option '$1'" >&2
      exit 2
      ;;
    *) root=$1 ;;
  esac
  shift
done

if ((EUID != 0)); then
  echo "fresh-root-check.sh: needs root (debootstrap, chroot, mount)" >&2
  exit 2
fi
root=$(readlink -m "$root")
if [[ "$root" == / ]]; then
  echo "fresh-root-check.sh: refusing to use / as the chroot" >&2
  exit 2
fi

mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" || true
  done
}
trap cleanup EXIT

# A mount left behind by an interrupted run would make rm -rf reach into the host.
for m in proc dev/pts dev; do
  if mountpoint -q "$root/$m" 2>/dev/null; then
    umount "$root/$m" 2>/dev/null || umount -l "$root/$m"
  fi
done

if ((recreate)) && [[ -d "$root" ]]; then
  echo "== removing $root"
  rm -rf --one-file-system "$root"
fi

if [[ ! -x "$root/bin/bash" ]]; then
  if ! command -v debootstrap >/dev/null 2>&1; then
    echo "== installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
  fi
  echo "== debootstrap --variant=minbase bookworm $root $mirror"
  start=$(date +%s)
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 ||
    { tail -20 "$root.debootstrap.log" >&2; exit 1; }
  echo "   took $(($(date +%s) - start)) s (log: $root.debootstrap.log)"
fi

# Network and apt sources, as on a freshly installed machine.
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
# A network whose TLS goes through the site's own certificate authority (a proxy's) is part of the machine, not of
# what the project installs: the authorities added locally (/usr/local/share/ca-certificates) go with it, and join
# the system's store when ca-certificates is installed (npm and curl reach their registries through them).
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
fi
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF

mount -t proc proc "$root/proc"
mounted+=("$root/proc")
mount --bind /dev "$root/dev"
mounted+=("$root/dev")
mount --bind /dev/pts "$root/dev/pts"
mounted+=("$root/dev/pts")

if ((!worktree)) && ! git -C "$repo" rev-parse -q --verify HEAD >/dev/null; then
  echo "fresh-root-check.sh: no commit yet; copying the working tree" >&2
  worktree=1
fi

# The repository: HEAD as committed, or the working tree without ignored files (no build trees).
echo "== copying $repo to $root/root/antq ($( ((worktree)) && echo "working tree" || echo HEAD))"
rm -rf --one-file-system "$root/root/antq"
mkdir -p "$root/root/antq"
if ((worktree)); then
  git -C "$repo" ls-files -z --cached --others --exclude-standard |
    (cd "$repo" && xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh) |
    tar -C "$repo" --null -T - -cf - | tar -C "$root/root/antq" -xf -
else
  git -C "$repo" archive --format=tar HEAD | tar -C "$root/root/antq" -xf -
fi
if [[ -d "$repo/../shared" ]]; then
  rm -rf --one-file-system "$root/root/shared"
  cp -a "$repo/../shared" "$root/root/shared"
fi

for file in "${with[@]}"; do
  echo "== copying $file to $root/root/"
  cp "$file" "$root/root/"
done

echo "== chroot $root: cd /root/antq && ${command[*]}"
chroot "$root" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  LANG=C.UTF-8 bash -c 'cd /root/antq && "$@"' bash "${command[@]}"
