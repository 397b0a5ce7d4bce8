#!/bin/sh
# Finish a toolchain image: std for the tier-3 targets the compiler knows, the crates that
# fixture builds may use (offline), and a record of what builds for each target.
# Usage: toolchain.sh TARGET...
# Writes /usr/local/lib/wasm-conformance/targets.json: target -> {"status", "detail", "unwind"}, where
# status is "prebuilt" (Debian ships std), "built" (built here), "failed" (std does not
# build with this toolchain; detail: the compiler's last lines) or "unknown" (rustc does
# not know the target); "unwind" says the same of std with panic=unwind (unwind.sh).
set -eu
root=/usr/local/lib/wasm-conformance
here=$root/build-std
sysroot=$(rustc --print sysroot)
status=$root/target-status
mkdir -p "$status"

# 1. cargo's crates.io replaced by rust-src's vendored crates (when rust-src has them)
#    plus extra-crates/ vendored from crates.io now; fixture builds stay offline.
sh "$here/prepare.sh"
if [ -d "$here/vendor" ]; then offline=true; else offline=false; mkdir -p "$here/vendor"; fi

# 2. std for each target.
known=$(rustc --print target-list)
for target in "$@"; do
    mkdir -p "$sysroot/lib/rustlib/$target/lib/self-contained"
    if ! echo "$known" | grep -qx "$target"; then
        echo "unknown" > "$status/$target"
        echo "==> $target: rustc $(rustc --version | cut -d' ' -f2) does not know it"
    elif ls "$sysroot/lib/rustlib/$target/lib/"libstd-*.rlib >/dev/null 2>&1; then
        echo "prebuilt" > "$status/$target"
        echo "==> $target: std shipped with the toolchain"
    else
        case "$target" in
            wasm32-wasip1-threads) cp "$root/wasi-threads-libc/"* "$sysroot/lib/rustlib/$target/lib/self-contained/" ;;
            wasm32-wasip3)  # wasip2's crt and libc: Debian's wasi-libc, else rustup's wasip2 std
                p2=/usr/lib/wasm32-wasip2
                [ -d "$p2" ] || p2="$sysroot/lib/rustlib/wasm32-wasip2/lib/self-contained"
                cp "$p2/crt1-command.o" "$p2/crt1-reactor.o" "$p2/libc.a" \
                   "$sysroot/lib/rustlib/$target/lib/self-contained/" ;;
        esac
        if OFFLINE=$offline sh "$here/build.sh" "$target" > "$status/$target.log" 2>&1; then
            echo "built" > "$status/$target"
            echo "==> $target: std built"
        else
            echo "failed" > "$status/$target"
            echo "==> $target: std does not build: $(grep -m1 '^error' "$status/$target.log" || tail -n1 "$status/$target.log")"
        fi
    fi
done

# 2b. std with panic=unwind, in a sysroot of its own (the `unwind` build profile), for each
#     target that has std.
for target in "$@"; do
    case "$(cat "$status/$target")" in prebuilt|built) ;; *) continue ;; esac
    if OFFLINE=$offline sh "$here/unwind.sh" "$target" > "$status/$target.unwind.log" 2>&1; then
        echo "built" > "$status/$target.unwind"
        echo "==> $target: std with panic=unwind built"
    else
        echo "failed" > "$status/$target.unwind"
        echo "==> $target: std with panic=unwind does not build: $(grep -m1 '^error' "$status/$target.unwind.log" || tail -n1 "$status/$target.unwind.log")"
    fi
done

# 3. The crates fixtures need beyond rust-src's (e.g. wasip3 0.7.1), vendored next to them;
#    a crate already vendored at the same version is kept as it is.
cd "$root/extra-crates"
CARGO_HOME=/tmp/cargo-home cargo vendor --quiet --locked --versioned-dirs /tmp/extra-vendor > /dev/null
for dir in /tmp/extra-vendor/*/; do
    name=$(basename "$dir")
    if [ ! -e "$here/vendor/$name" ]; then cp -r "$dir" "$here/vendor/" && echo "==> vendored $name"; fi
done
rm -rf /tmp/extra-vendor /tmp/cargo-home

# 4. The configuration fixture builds use (CARGO_HOME=/usr/local/cargo): offline, vendored.
mkdir -p /usr/local/cargo
cat > /usr/local/cargo/config.toml <<TOML
[source.crates-io]
replace-with = "vendored"

[source.vendored]
directory = "$here/vendor"

[net]
offline = true
TOML
chmod 1777 /usr/local/cargo

python3 - "$status" "$root/targets.json" "$@" <<'PY'
import json, pathlib, sys
status, out, targets = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3:]


def detail(log):
    """The compiler's first errors and the log's last lines."""
    if not log.is_file():
        return ""
    lines = [l for l in log.read_text(errors="replace").splitlines() if l.strip()]
    errors = [l for l in lines if l.startswith("error")]
    return "\n".join((errors[:5] or []) + ["..."] + lines[-15:])


record = {}
for target in targets:
    entry = {"status": (status / target).read_text().strip()}
    log = status / f"{target}.log"
    if entry["status"] == "failed" and log.is_file():
        entry["detail"] = detail(log)
    unwind = status / f"{target}.unwind"
    if unwind.is_file():
        entry["unwind"] = {"status": unwind.read_text().strip()}
        if entry["unwind"]["status"] == "failed":
            entry["unwind"]["detail"] = detail(status / f"{target}.unwind.log")
    record[target] = entry
pathlib.Path(out).write_text(json.dumps(record, indent=1) + "\n")
PY
rustc --version > "$root/rustc-version"
cat "$root/targets.json"
