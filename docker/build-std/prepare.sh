#!/bin/sh
# The offline -Zbuild-std setup: rust-src's vendored crates as cargo's crates.io. Debian's
# rust-src has them (it patched some vendored files, so the per-file checksums are emptied);
# rustup's has not, and they are vendored here from crates.io at image build time, by the
# lock of rust-src. Without rust-src there is nothing to do.
set -eu
root=/usr/local/lib/wasm-conformance/build-std
library=$(rustc --print sysroot)/lib/rustlib/src/rust/library
rm -rf "$root/vendor" "$root/cargo-home"
mkdir -p "$root/cargo-home"
if [ -d "$library/vendor" ]; then
    cp -r "$library/vendor" "$root/vendor"
elif [ -f "$library/Cargo.lock" ]; then
    (cd "$library" && CARGO_HOME=/tmp/vendor-home CARGO_NET_OFFLINE=false RUSTC_BOOTSTRAP=1 \
        cargo vendor --quiet --locked --versioned-dirs "$root/vendor" > /dev/null)
    rm -rf /tmp/vendor-home
    echo "==> std's crates vendored from crates.io ($(ls "$root/vendor" | wc -l) crates)"
else
    echo "==> no rust-src: std is not built here"
    exit 0
fi
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
