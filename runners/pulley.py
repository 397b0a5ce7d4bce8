"""Pulley, Wasmtime's portable interpreter (`--target pulley64`)."""

from __future__ import annotations

from runners.wasmtime import Wasmtime


class Pulley(Wasmtime):
    """A column per release line of harness/catalogue/runtimes.yaml, run by that line's CLI."""

    family = "pulley"
    rank = 20
    engine_flags = ("--target", "pulley64")
    threads = False
    limitations = {"threads": ("Pulley cannot run shared-memory threads: \"the wasm_threads feature is "
                               "not supported on this compiler configuration\"")}
