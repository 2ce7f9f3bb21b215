#!/usr/bin/env bash
# Makes a throwaway SoftHSM2 token that stands in for a signer's USB token: an RSA-2048 key (object "person") and
# an ECDSA P-256 key (object "organisation"), generated on the token, with certificates issued by a CA you give
# (tools/demo-pki.sh makes one). TEST TOKEN ONLY: its PIN is printed below and the keys live in plain files.
#
#   tools/demo-token.sh DIR --ca CA.crt --ca-key CA.key [--label LABEL]
#
# Writes DIR/softhsm2.conf and DIR/tokens/ (the token), DIR/person.crt, DIR/organisation.crt, and DIR/env, which
# sets SOFTHSM2_CONF and ANTQ_PKCS11_PIN and names the two keys' URIs:   . DIR/env
#   antq sign act.json --key "$ANTQ_TOKEN_PERSON" --cert DIR/person.crt --role person -o act.signed
# Needs softhsm2, opensc (pkcs11-tool) and libengine-pkcs11-openssl: tools/install-deps.sh installs them.
set -euo pipefail

usage() { sed -n '2,11s/^# \{0,1\}//p' "$0"; }
dir="" ca="" ca_key="" label="antq-demo"
while (($#)); do
  case "$1" in
    --ca) ca=${2:?--ca needs a file}; shift 2 ;;
    --ca-key) ca_key=${2:?--ca-key needs a file}; shift 2 ;;
    --label) label=${2:?--label needs a name}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "demo-token.sh: unknown option '$1' (known: --ca, --ca-key, --label)" >&2; exit 2 ;;
    *) [[ -z "$dir" ]] || { echo "demo-token.sh: give one DIR" >&2; exit 2; }; dir=$1; shift ;;
  esac
done
[[ -n "$dir" && -n "$ca" && -n "$ca_key" ]] || { usage >&2; exit 2; }
for f in "$ca" "$ca_key"; do [[ -r "$f" ]] || { echo "demo-token.sh: cannot read $f" >&2; exit 2; }; done
if [[ -e "$dir" && -n "$(ls -A "$dir" 2>/dev/null)" ]]; then
  echo "demo-token.sh: $dir is not empty; give a new directory" >&2
  exit 2
fi
module=/usr/lib/softhsm/libsofthsm2.so
for need in softhsm2-util pkcs11-tool openssl; do
  command -v "$need" >/dev/null || { echo "demo-token.sh: $need is missing (tools/install-deps.sh installs it)" >&2; exit 2; }
done
[[ -r "$module" ]] || { echo "demo-token.sh: $module is missing (install softhsm2)" >&2; exit 2; }

mkdir -p "$dir/tokens"
dir=$(cd "$dir" && pwd)
pin=123456 so_pin=12345678
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$dir" > "$dir/softhsm2.conf"
export SOFTHSM2_CONF="$dir/softhsm2.conf"
softhsm2-util --init-token --free --label "$label" --so-pin "$so_pin" --pin "$pin" >/dev/null

p11() { pkcs11-tool --module "$module" --token-label "$label" --login --pin "$pin" "$@" >/dev/null 2>&1; }
p11 --keypairgen --key-type rsa:2048 --label person --id 01
p11 --keypairgen --key-type EC:prime256v1 --label organisation --id 02

declare -A cn=([person]="Chủ tịch UBND xã (demo token)" [organisation]="UBND xã Lạc Thịnh (demo token)")
for object in person organisation; do
  uri="pkcs11:token=$label;object=$object;type=private"
  # The certificate request is signed on the token: the private key never leaves it.
  PKCS11_MODULE_PATH=$module openssl req -new -engine pkcs11 -keyform engine -key "$uri;pin-value=$pin" -utf8 \
    -subj "/C=VN/O=UBND xã Lạc Thịnh/CN=${cn[$object]}" -out "$dir/$object.csr" 2>/dev/null
  openssl x509 -req -in "$dir/$object.csr" -CA "$ca" -CAkey "$ca_key" -CAcreateserial -days 825 -sha256 \
    -extfile "$(dirname "$0")/demo-pki.cnf" -extensions signer -out "$dir/$object.crt" 2>/dev/null
  rm -f "$dir/$object.csr"
done

cat > "$dir/env" <<ENV
# Source me: the demo token's configuration and its TEST PIN.
export SOFTHSM2_CONF='$dir/softhsm2.conf'
export ANTQ_PKCS11_PIN=$pin
export ANTQ_TOKEN_PERSON='pkcs11:token=$label;object=person;type=private'
export ANTQ_TOKEN_ORGANISATION='pkcs11:token=$label;object=organisation;type=private'
ENV
echo "demo token '$label' in $dir (TEST TOKEN, PIN $pin): RSA-2048 'person' and P-256 'organisation' keys"
echo "  . $dir/env    # then sign with --key \"\$ANTQ_TOKEN_PERSON\" --cert $dir/person.crt"
