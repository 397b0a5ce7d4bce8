"""Build every test binary of a test crate for one target; run where cargo is (standard library
only: it runs inside a toolchain image, or on the host).

    python3 build_test_binaries.py --target T --out DIR --target-dir DIR [--rustflags FLAGS]
        (--upstream CRATE | --path P [--package X] [--lock FILE] [--locked])

--upstream builds one of the toolchain's own test crates from its rust-src: coretests,
alloctests (their Cargo.toml in library/), or std-tests, a package made here whose
[[test]] targets are std's integration tests (library/std/tests), so that they build
against the installed std like any crate's tests. Writes DIR/<test>.wasm for each test
target (`lib` for a crate's unit tests) and DIR/tests.json; on a compile error prints
cargo's messages and exits 1. A user's crate builds from its own folder, so that its
`.cargo/config.toml` (a `cargo vendor` source replacement) applies; --lock gives it a
Cargo.lock made elsewhere, --locked keeps cargo to the lock.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

UPSTREAM_FLAGS = "-Zforce-unstable-if-unmarked -Aunexpected_cfgs"
COMPILER_LINES = 60


def library() -> Path:
    sysroot = subprocess.run(["rustc", "--print", "sysroot"], capture_output=True, text=True,
                             check=True).stdout.strip()
    path = Path(sysroot) / "lib/rustlib/src/rust/library"
    if not (path / "Cargo.toml").is_file():
        sys.exit(f"this toolchain has no rust-src (no {path}): its own tests cannot be built")
    return path


def std_tests_package(lib: Path, where: Path) -> Path:
    """A package whose test targets are library/std/tests, built against the installed std."""
    manifest = tomllib.loads((lib / "std/Cargo.toml").read_text())
    declared = {t["path"]: t for t in manifest.get("test", [])}
    tests = []
    for path in sorted((lib / "std/tests").glob("*.rs")):
        entry = declared.get(f"tests/{path.name}", {"name": path.stem})
        if entry.get("harness", True):
            tests.append((entry["name"], path))
    for relative, entry in declared.items():
        if "/" in relative.removeprefix("tests/") and entry.get("harness", True):
            tests.append((entry["name"], lib / "std" / relative))
    where.mkdir(parents=True, exist_ok=True)
    (where / "lib.rs").write_text("")
    lines = ['[package]', 'name = "std-tests"', 'version = "0.0.0"', 'edition = "2024"',
             "autotests = false", "autobenches = false", "", "[workspace]", "",
             '[lib]', 'path = "lib.rs"', "test = false", "", "[dev-dependencies]",
             'rand = { version = "0.9.0", default-features = false, features = ["alloc"] }',
             'rand_xorshift = "0.4.0"']
    for name, path in sorted(tests):
        lines += ["", "[[test]]", f'name = "{name}"', f'path = "{path}"']
    (where / "Cargo.toml").write_text("\n".join(lines) + "\n")
    return where / "Cargo.toml"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--target-dir", type=Path, required=True)
    parser.add_argument("--upstream")
    parser.add_argument("--path", type=Path)
    parser.add_argument("--package")
    parser.add_argument("--lock", type=Path, help="a Cargo.lock for a crate that has none")
    parser.add_argument("--locked", action="store_true")
    parser.add_argument("--rustflags", default="", help="more RUSTFLAGS (a build profile's)")
    args = parser.parse_args()
    env = dict(os.environ, CARGO_TERM_COLOR="never")
    work = Path(tempfile.mkdtemp(prefix="test-build-"))
    try:
        if args.upstream:
            # A writable copy of library/: cargo may write its lock file there.
            lib = work / "library"
            shutil.copytree(library(), lib, symlinks=True,
                            ignore=shutil.ignore_patterns("vendor", "target", ".cargo"))
            env |= {"RUSTC_BOOTSTRAP": "1", "RUSTFLAGS": UPSTREAM_FLAGS}
            manifest = (std_tests_package(lib, work / "std-tests") if args.upstream == "std-tests"
                        else lib / args.upstream / "Cargo.toml")
            package: list[str] = []
            cwd = None
        else:  # a copy, so that cargo may write its lock file
            crate = work / "crate"
            shutil.copytree(args.path, crate, symlinks=True, ignore=shutil.ignore_patterns("target", ".git"))
            if args.lock:
                shutil.copyfile(args.lock, crate / "Cargo.lock")
            manifest = crate / "Cargo.toml"
            package = ["-p", args.package] if args.package else []
            package += ["--locked"] if args.locked else []
            cwd = crate  # its .cargo/config.toml counts (cargo reads the one where it runs)
        if args.rustflags:
            env["RUSTFLAGS"] = f"{env.get('RUSTFLAGS', '')} {args.rustflags}".strip()
        command = ["cargo", "test", "--no-run", "--release", "--offline", "--target", args.target,
                   "--manifest-path", str(manifest), "--target-dir", str(args.target_dir),
                   "--message-format", "json", *package]
        result = subprocess.run(command, capture_output=True, text=True, env=env, check=False,
                                cwd=cwd)
        if result.returncode != 0:
            print("\n".join(result.stderr.strip().splitlines()[-COMPILER_LINES:]))
            return 1
        found = {}
        for line in result.stdout.splitlines():
            message = json.loads(line) if line.startswith("{") else {}
            kinds = message.get("target", {}).get("kind", [])
            if (message.get("reason") == "compiler-artifact" and message["profile"]["test"]
                    and message.get("executable") and ("lib" in kinds or "test" in kinds)):
                name = "lib" if "lib" in kinds else message["target"]["name"]
                shutil.copyfile(message["executable"], args.out / f"{name}.wasm")
                found[name] = message["target"]["src_path"]
        (args.out / "tests.json").write_text(json.dumps(found, indent=1, sort_keys=True) + "\n")
        print(f"built {len(found)} test binaries: {', '.join(sorted(found))}")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
