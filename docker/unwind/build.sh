#!/bin/sh
# The wasm unwinder std's `unwind` crate links on WASI under -Cpanic=unwind (`-lunwind`), for
# the targets without threads: Debian ships none for wasm32 (its wasm32 libc++abi is built
# without exceptions). Two entry points over wasm exception handling (the threaded wasi-libc
# builds the same sources for wasm32-wasip1-threads); wasip2's serves wasip3.
# Usage: CC=clang-22 AR=llvm-ar-22 build.sh SRC OUT   ->  OUT/<target>/libunwind.a
set -eu
src=$1 out=$2
for target in wasm32-wasip1 wasm32-wasip2; do
    mkdir -p "$out/$target"
    "$CC" --target="$target" -ffreestanding -O2 -fwasm-exceptions -mllvm -wasm-use-legacy-eh=false \
        -c "$src/unwind.c" -o "$out/$target/unwind.o"
    "$CC" --target="$target" -mexception-handling -c "$src/cpp_exception_tag.s" \
        -o "$out/$target/cpp_exception_tag.o"
    "$AR" crs "$out/$target/libunwind.a" "$out/$target/unwind.o" "$out/$target/cpp_exception_tag.o"
    rm "$out/$target/"*.o
done
echo "==> the wasm unwinder for wasm32-wasip1, wasm32-wasip2"
