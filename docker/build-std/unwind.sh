#!/bin/sh
# std built with -Cpanic=unwind for TARGET, into a sysroot of its own beside the toolchain's
# (the `unwind` build profile, harness/profiles.py): build-std with panic_unwind from the same
# rust-src, and the wasm unwinder std's `unwind` crate links on WASI. The toolchain's own std
# (panic=abort) is left as it is. Builds then add `--sysroot SYSROOT -Cpanic=unwind`.
# Usage: [OFFLINE=false] unwind.sh TARGET
set -eu
target=$1
offline=${OFFLINE:-true}
root=/usr/local/lib/wasm-conformance
out=$root/sysroot-unwind
sysroot=$(rustc --print sysroot)
own="$sysroot/lib/rustlib/$target/lib/self-contained"
lib="$out/lib/rustlib/$target/lib"
case "$target" in
    wasm32-wasip1-threads) unwinder="$root/wasi-threads-libc/libunwind.a" ;;
    wasm32-wasip1) unwinder="$root/unwind/wasm32-wasip1/libunwind.a" ;;
    *) unwinder="$root/unwind/wasm32-wasip2/libunwind.a" ;;
esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "$offline" = true ]; then net=--offline; else net=; fi

# The unwinder where rustc's self-contained link line finds -lunwind: the toolchain's
# sysroot (build-std links with it; a panic=abort build never asks for it) and the new one,
# which also gets the target's crt and libc, and the host's folder (the linker rustup ships).
cp "$unwinder" "$own/libunwind.a"
mkdir -p "$lib/self-contained"
cp "$own/"* "$lib/self-contained/"
host=$(rustc -vV | sed -n 's/^host: //p')
[ -e "$out/lib/rustlib/$host" ] || ln -s "$sysroot/lib/rustlib/$host" "$out/lib/rustlib/$host"

mkdir -p "$work/stdbuild/src"
printf '[package]\nname = "stdbuild"\nversion = "0.0.0"\nedition = "2021"\n' > "$work/stdbuild/Cargo.toml"
echo 'fn main() { println!("hello from std"); }' > "$work/stdbuild/src/main.rs"
CARGO_HOME="$root/build-std/cargo-home" RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Cpanic=unwind" \
    cargo build --quiet --release $net --target "$target" -Zbuild-std=std,panic_unwind,test \
    --manifest-path "$work/stdbuild/Cargo.toml" --target-dir "$work/target"
cp "$work/target/$target/release/deps/"*.rlib "$lib/"

# Check: a plain build against the new sysroot, without build-std.
rm -rf "$work/target"
RUSTFLAGS="--sysroot $out -Cpanic=unwind" cargo build --quiet --release --offline --target "$target" \
    --manifest-path "$work/stdbuild/Cargo.toml" --target-dir "$work/target"
echo "==> std with panic=unwind for $target: $(ls "$lib/"*.rlib | wc -l) rlibs in $lib"
