#!/usr/bin/env bash
# Makes a throwaway PKI for demos and tests: a root CA standing in for the Government CA, and for a province, a
# district and a commune each a person certificate (the competent official) and an organisation certificate (the
# unit's seal, applied by the office clerk). TEST KEYS ONLY: unencrypted, never for real documents.
#
#   tools/demo-pki.sh DIR [--rsa]     keys ECDSA P-256 by default, RSA-2048 with --rsa (as the Government CA issues)
#
# Writes DIR/root.crt and DIR/root.key, DIR/<level>-<role>.{crt,key} for level in province, district, commune and
# role in person, organisation, DIR/roots.pem for `antq init --trust`, and a time-stamp authority (RFC 3161):
# DIR/tsa.{crt,key} and DIR/tsa.cnf, so that `openssl ts -reply -config DIR/tsa.cnf -queryfile Q.tsq -out R.tsr`
# answers `antq timestamp request`. For `antq serve`: DIR/server.{crt,key} (the service's TLS certificate, for
# localhost, 127.0.0.1 and ::1) and DIR/inspector.{crt,key} (a provincial inspector's client certificate, for reads
# once an access.granted act names it). Refuses a DIR that is not empty.
set -euo pipefail

usage() { sed -n '2,9s/^# \{0,1\}//p' "$0"; }
dir=""
key_args=(-newkey ec -pkeyopt ec_paramgen_curve:P-256)
for arg in "$@"; do
  case "$arg" in
    --rsa) key_args=(-newkey rsa:2048) ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "demo-pki.sh: unknown option '$arg' (known: --rsa)" >&2; exit 2 ;;
    *) [[ -z "$dir" ]] || { echo "demo-pki.sh: give one DIR" >&2; exit 2; }; dir="$arg" ;;
  esac
done
[[ -n "$dir" ]] || { usage >&2; exit 2; }
if [[ -e "$dir" && -n "$(ls -A "$dir" 2>/dev/null)" ]]; then
  echo "demo-pki.sh: $dir is not empty; give a new directory" >&2
  exit 2
fi
mkdir -p "$dir"
command -v openssl >/dev/null || { echo "demo-pki.sh: openssl is missing (tools/install-deps.sh installs it)" >&2; exit 2; }

# Certificate extensions for the CA and for signers (shared with tools/demo-token.sh).
ext="$(dirname "$0")/demo-pki.cnf"

openssl req -x509 -new "${key_args[@]}" -nodes -days 3650 -sha256 \
  -subj "/C=VN/O=Demo Government CA (TEST KEYS ONLY)/CN=Demo Root CA" \
  -keyout "$dir/root.key" -out "$dir/root.crt" -extensions ca -config "$ext" 2>/dev/null
cp "$dir/root.crt" "$dir/roots.pem"

declare -A unit=([province]="UBND tỉnh Hòa Bình" [district]="UBND huyện Yên Thủy" [commune]="UBND xã Lạc Thịnh")
declare -A official=([province]="Chủ tịch UBND tỉnh" [district]="Chủ tịch UBND huyện" [commune]="Chủ tịch UBND xã")
for level in province district commune; do
  for role in person organisation; do
    name="$dir/$level-$role"
    if [[ $role == person ]]; then cn="${official[$level]} (demo)"; else cn="${unit[$level]} (demo)"; fi
    openssl req -new "${key_args[@]}" -nodes -utf8 -subj "/C=VN/O=${unit[$level]}/CN=$cn" \
      -keyout "$name.key" -out "$name.csr" 2>/dev/null
    openssl x509 -req -in "$name.csr" -CA "$dir/root.crt" -CAkey "$dir/root.key" -CAcreateserial -days 825 \
      -sha256 -extfile "$ext" -extensions signer -out "$name.crt" 2>/dev/null
    rm -f "$name.csr"
  done
done

# The time-stamp authority: its certificate says extendedKeyUsage timeStamping (critical), as RFC 3161 requires.
# antq serve's TLS certificate, and an inspector's client certificate.
openssl req -new "${key_args[@]}" -nodes -subj "/C=VN/O=Demo provincial service (TEST KEYS ONLY)/CN=localhost" \
  -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
openssl x509 -req -in "$dir/server.csr" -CA "$dir/root.crt" -CAkey "$dir/root.key" -CAcreateserial -days 825 \
  -sha256 -extfile "$ext" -extensions server -out "$dir/server.crt" 2>/dev/null
openssl req -new "${key_args[@]}" -nodes -utf8 -subj "/C=VN/O=Công an tỉnh Hòa Bình/CN=Thanh tra viên (demo)" \
  -keyout "$dir/inspector.key" -out "$dir/inspector.csr" 2>/dev/null
openssl x509 -req -in "$dir/inspector.csr" -CA "$dir/root.crt" -CAkey "$dir/root.key" -CAcreateserial -days 825 \
  -sha256 -extfile "$ext" -extensions signer -out "$dir/inspector.crt" 2>/dev/null
rm -f "$dir/server.csr" "$dir/inspector.csr"

openssl req -new "${key_args[@]}" -nodes -utf8 -subj "/C=VN/O=Demo Government CA (TEST KEYS ONLY)/CN=Demo TSA" \
  -keyout "$dir/tsa.key" -out "$dir/tsa.csr" 2>/dev/null
openssl x509 -req -in "$dir/tsa.csr" -CA "$dir/root.crt" -CAkey "$dir/root.key" -CAcreateserial -days 825 \
  -sha256 -extfile "$ext" -extensions tsa -out "$dir/tsa.crt" 2>/dev/null
rm -f "$dir/tsa.csr" "$dir/root.srl"
abs=$(cd "$dir" && pwd)
echo 01 > "$dir/tsa.serial"
cat > "$dir/tsa.cnf" <<EOF
# openssl ts -reply configuration of the demo time-stamp authority (TEST KEYS ONLY).
[tsa]
default_tsa = tsa_config
[tsa_config]
serial = $abs/tsa.serial
signer_cert = $abs/tsa.crt
signer_key = $abs/tsa.key
certs = $abs/tsa.crt
signer_digest = sha256
default_policy = 1.3.6.1.4.1.55555.1.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
EOF
chmod 600 "$dir"/*.key
echo "demo PKI (TEST KEYS ONLY) in $dir: root.crt, roots.pem, 6 signers (province|district|commune)-(person|organisation), tsa, server, inspector"
