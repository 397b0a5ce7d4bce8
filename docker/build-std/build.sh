#!/bin/sh
# Build std once for a tier-3 TARGET with -Zbuild-std and install its rlibs into the
# rustc sysroot, so that a plain `cargo build --target TARGET` works afterwards.
# Usage: [OFFLINE=false] [CRATES=std,panic_abort,test] build.sh TARGET
# OFFLINE=false fetches std's dependencies from crates.io (a rust-src without vendored
# crates); `test` (libtest) is built too, so `cargo test` works for the target.
set -eu
target=$1
offline=${OFFLINE:-true}
crates=${CRATES:-std,panic_abort,test}
root=/usr/local/lib/wasm-conformance/build-std
sysroot=$(rustc --print sysroot)
libdir="$sysroot/lib/rustlib/$target/lib"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "$offline" = true ]; then net=--offline; else net=; fi

mkdir -p "$work/stdbuild/src"
cat > "$work/stdbuild/Cargo.toml" <<TOML
[package]
name = "stdbuild"
version = "0.0.0"
edition = "2021"
TOML
echo 'fn main() { println!("hello from std"); }' > "$work/stdbuild/src/main.rs"

echo "==> building $crates for $target (about a minute)"
CARGO_HOME="$root/cargo-home" RUSTC_BOOTSTRAP=1 \
    cargo build --quiet --release $net --target "$target" \
    -Zbuild-std="$crates" \
    --manifest-path "$work/stdbuild/Cargo.toml" --target-dir "$work/target"
mkdir -p "$libdir"
cp "$work/target/$target/release/deps/"*.rlib "$libdir/"
echo "==> installed $(ls "$work/target/$target/release/deps/"*.rlib | wc -l) rlibs into $libdir"

# Check: the same crate now builds against the sysroot, without build-std or network.
rm -rf "$work/target"
cargo build --quiet --release --offline --target "$target" \
    --manifest-path "$work/stdbuild/Cargo.toml" --target-dir "$work/target"
echo "==> plain cargo build for $target: ok"
