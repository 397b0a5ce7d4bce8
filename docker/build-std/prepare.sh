#!/bin/sh
# Prepare an offline -Zbuild-std setup: rust-src's vendored crates as cargo's crates.io.
# Debian patched some vendored files, so the per-file checksums are emptied.
set -eu
root=/usr/local/lib/wasm-conformance/build-std
sysroot=$(rustc --print sysroot)
rm -rf "$root/vendor"
cp -r "$sysroot/lib/rustlib/src/rust/library/vendor" "$root/vendor"
python3 - "$root/vendor" <<'PY'
import json, pathlib, sys
for path in pathlib.Path(sys.argv[1]).glob("*/.cargo-checksum.json"):
    data = json.loads(path.read_text())
    data["files"] = {}
    path.write_text(json.dumps(data))
PY
mkdir -p "$root/cargo-home"
cat > "$root/cargo-home/config.toml" <<TOML
[source.crates-io]
replace-with = "rust-src-vendor"

[source.rust-src-vendor]
directory = "$root/vendor"

[net]
offline = true
TOML
for target in wasm32-wasip3 wasm32-wasip1-threads; do
    mkdir -p "$sysroot/lib/rustlib/$target/lib/self-contained"
done
