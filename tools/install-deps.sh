#!/usr/bin/env bash
# Installs the Debian packages antq-ledger needs to build and test, if any are missing.
#   tools/install-deps.sh           build and test dependencies
#   tools/install-deps.sh --bench   also PostgreSQL (a peer for the benchmarks in tools/bench/)
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ca-certificates
  liblmdb-dev lmdb-utils
  capnproto libcapnp-dev
  libboost1.81-dev                           # Boost.Asio and Boost.Beast: antq serve, antq mirror, the client side
  libboost-locale1.81-dev gettext            # the Vietnamese catalogue po/vi.po: msgfmt, Boost.Locale
  libsystemd-dev                             # sd_notify: antq serve as a systemd Type=notify service
  libssl-dev openssl
  catch2
  nlohmann-json3-dev libcli11-dev libfmt-dev libutf8proc-dev
  libjemalloc-dev
  softhsm2 opensc libengine-pkcs11-openssl   # PKCS#11 tokens: a software token for tests, pkcs11-tool, the engine
  libp11-kit-dev                             # the operator's Ed25519 key on a token (the engine cannot use one)
  poppler-utils                              # pdfsig, which checks our signed PDF fixtures
  clang-16 libclang-rt-16-dev libfuzzer-16-dev # the sanitizer build of tools/test.sh with the libFuzzer targets
  llvm-16                                    # llvm-symbolizer: sanitizer and fuzzer reports with file and line
  python3                                    # tests/tools/bagit_validate.py (RFC 8493); http.server for the mirror test
  curl                                       # the service's end-to-end tests: requests with client certificates
  chromium nodejs npm                        # the desk's browser tests: headless Chromium driven by playwright-core
  fonts-liberation2                          # Liberation Serif (Times New Roman's metrics): antq report --format pdf
  help2man                                   # the manual pages, made from antq --help at build time
  locales                                    # vi_VN's locale sources: the Vietnamese manual pages (localedef)
  lintian man-db systemd                     # the package's test: lintian, man, systemd-analyze verify of the unit
)

for arg in "$@"; do
  case "$arg" in
    --bench) packages+=(postgresql postgresql-contrib) ;;
    -h|--help)
      sed -n '2,4s/^# \{0,1\}//p' "$0"
      exit 0
      ;;
    *)
      echo "install-deps.sh: unknown option '$arg' (known: --bench)" >&2
      exit 2
      ;;
  esac
done

missing=()
for pkg in "${packages[@]}"; do
  # A Node.js from elsewhere (NodeSource's package carries its own npm, and conflicts with Debian's) will do.
  if [[ "$pkg" == npm ]] && command -v npm >/dev/null 2>&1; then continue; fi
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"

as_root=()
if ((EUID != 0)); then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "install-deps: not root and no sudo; install these as root: ${missing[*]}" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
