#!/bin/sh
# Build std once for a tier-3 TARGET with -Zbuild-std and install its rlibs into the
# rustc sysroot, so that a plain `cargo build --target TARGET` works afterwards.
# Usage: build.sh TARGET
set -eu
target=$1
root=/usr/local/lib/wasm-conformance/build-std
sysroot=$(rustc --print sysroot)
libdir="$sysroot/lib/rustlib/$target/lib"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/stdbuild/src"
cat > "$work/stdbuild/Cargo.toml" <<TOML
[package]
name = "stdbuild"
version = "0.0.0"
edition = "2021"
TOML
echo 'fn main() { println!("hello from std"); }' > "$work/stdbuild/src/main.rs"

echo "==> building std for $target (about a minute)"
CARGO_HOME="$root/cargo-home" RUSTC_BOOTSTRAP=1 \
    cargo build --quiet --release --offline --target "$target" \
    -Zbuild-std=std,panic_abort \
    --manifest-path "$work/stdbuild/Cargo.toml" --target-dir "$work/target"
mkdir -p "$libdir"
cp "$work/target/$target/release/deps/"*.rlib "$libdir/"
echo "==> installed $(ls "$work/target/$target/release/deps/"*.rlib | wc -l) rlibs into $libdir"

# Check: the same crate now builds against the sysroot, without build-std or network.
rm -rf "$work/target"
cargo build --quiet --release --offline --target "$target" \
    --manifest-path "$work/stdbuild/Cargo.toml" --target-dir "$work/target"
echo "==> plain cargo build for $target: ok"
