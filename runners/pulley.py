"""Pulley, Wasmtime's portable interpreter (`--target pulley64`)."""

from __future__ import annotations

from runners.wasmtime import Wasmtime


class Pulley45(Wasmtime):
    name = "pulley-45"
    family = "pulley"
    rank = 20
    major = 45
    package = "wasmtime-45"
    engine_flags = ("--target", "pulley64")
    threads = False
    limitations = {"threads": ("Pulley cannot run shared-memory threads: \"the wasm_threads feature is "
                               "not supported on this compiler configuration\"")}
