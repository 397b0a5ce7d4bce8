"""Write this sample as a wasi-testsuite checkout: the same tree, each `.wat` as `.wasm`.

    python tests/wasi-testsuite-sample/build.py OUT
    pytest --wasi-testsuite OUT

The sample keeps its tests as WebAssembly text (readable, diffable); the checkout format
has binaries, made here with wasmtime-py's `wat2wasm` (core modules and components).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import wasmtime

SAMPLE = Path(__file__).resolve().parent


def build(out: Path) -> Path:
    """The checkout at `out` (replaced if present)."""
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(SAMPLE, out, ignore=shutil.ignore_patterns("build.py", "README.md", "__pycache__"))
    for source in sorted(out.rglob("*.wat")):
        source.with_suffix(".wasm").write_bytes(wasmtime.wat2wasm(source.read_text(encoding="utf-8")))
        source.unlink()
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(build(Path(sys.argv[1])))
