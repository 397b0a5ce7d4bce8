"""An opt-in column: a Wasmtime CLI you built yourself (a checkout of Wasmtime's main branch,
a patched release), run like the catalogue's Wasmtime lines.

Build it where its `rust-version` is met, for example in the toolchain image (the host's
rustup may be older):

    docker run --rm -v "$PWD:/w" -e CARGO_HOME=/w/cargo-home -w /w/wasmtime \
      wasm-conformance/toolchain-debian-sid:<tag> cargo build --release --locked --bin wasmtime

(fetch its crates first, `cargo fetch --locked`, since the container has no network), then run
with `--runtime-plugin docs/examples/wasmtime_dev_runtime.py --runtimes wasmtime-dev`;
`WASMTIME_DEV` names the binary (default: ./wasmtime/target/release/wasmtime). The binary is
mounted read-only into the sandbox. Without it, the column's cells are *unavailable*, saying so.
"""

from __future__ import annotations

import os
from pathlib import Path

from runners.wasmtime import Wasmtime

HOST_BINARY = Path(os.environ.get("WASMTIME_DEV", "wasmtime/target/release/wasmtime")).absolute()
INSIDE = "/opt/wasmtime-dev/wasmtime"


class WasmtimeDev(Wasmtime):
    """Built by the user; treated as a line newer than every catalogued one."""

    name = "wasmtime-dev"
    major = 999
    wasi = frozenset({"0.1", "0.2", "0.3.0"})
    sandbox_files = {INSIDE: HOST_BINARY} if HOST_BINARY.is_file() else {}

    @property
    def binary(self) -> str:
        return INSIDE
