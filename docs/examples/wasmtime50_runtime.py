"""An opt-in column: Wasmtime 50, which exists only as source (crates.io's `wasmtime-cli`).

It is not in the runtimes image: building it costs more than the whole cold CI set-up
(see docker/README.md). To add it, build the binary once in the toolchain image (its
rustc 1.97 meets wasmtime-cli 50's `rust-version`; the host's rustup may be older):

    cd ~/.cache/wasm-conformance && mkdir -p wasmtime-50 && cd wasmtime-50
    # unpack wasmtime-cli-50.0.1.crate (crates.io's download of that version) here, then
    (cd wasmtime-cli-50.0.1 && CARGO_HOME=$PWD/../cargo-home cargo fetch --locked)
    docker run --rm -v "$PWD:/w" -e CARGO_HOME=/w/cargo-home -e CARGO_TARGET_DIR=/w/target \
      -w /w/wasmtime-cli-50.0.1 wasm-conformance/toolchain-debian-sid:<tag> \
      cargo build --release --locked --offline --bin wasmtime

then run with `--runtime-plugin docs/examples/wasmtime50_runtime.py` (the binary is
mounted read-only into the sandbox; `WASMTIME_50` names another path). Without the
binary, the column's cells are *unavailable*, saying so.
"""

from __future__ import annotations

import os
from pathlib import Path

from runners.wasmtime import Wasmtime

BUILT = Path.home() / ".cache" / "wasm-conformance" / "wasmtime-50" / "target" / "release" / "wasmtime"
HOST_BINARY = Path(os.environ.get("WASMTIME_50", BUILT))
INSIDE = "/opt/wasmtime-50/wasmtime"


class Wasmtime50(Wasmtime):
    """Built from source by the user; the newest line."""

    name = "wasmtime-50"
    major = 50
    sandbox_files = {INSIDE: HOST_BINARY} if HOST_BINARY.is_file() else {}

    @property
    def binary(self) -> str:
        return INSIDE
