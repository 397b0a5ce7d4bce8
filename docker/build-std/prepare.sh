#!/bin/sh
# The offline -Zbuild-std setup: rust-src's vendored crates as cargo's crates.io (when the
# toolchain's rust-src has them; older ones do not, and build std online at image build
# time). Debian patched some vendored files, so the per-file checksums are emptied.
set -eu
root=/usr/local/lib/wasm-conformance/build-std
library=$(rustc --print sysroot)/lib/rustlib/src/rust/library
rm -rf "$root/vendor" "$root/cargo-home"
mkdir -p "$root/cargo-home"
if [ ! -d "$library/vendor" ]; then
    echo "==> rust-src has no vendored crates: std is built with crates from crates.io"
    exit 0
fi
cp -r "$library/vendor" "$root/vendor"
python3 - "$root/vendor" <<'PY'
import json, pathlib, sys
for path in pathlib.Path(sys.argv[1]).glob("*/.cargo-checksum.json"):
    data = json.loads(path.read_text())
    data["files"] = {}
    path.write_text(json.dumps(data))
PY
cat > "$root/cargo-home/config.toml" <<TOML
[source.crates-io]
replace-with = "rust-src-vendor"

[source.rust-src-vendor]
directory = "$root/vendor"

[net]
offline = true
TOML
