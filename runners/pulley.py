"""Pulley, Wasmtime's portable interpreter (`--target pulley64`)."""

from __future__ import annotations

from harness.targets import Target
from runners.wasmtime import Wasmtime


class Pulley45(Wasmtime):
    name = "pulley-45"
    family = "pulley"
    major = 45
    engine_flags = ("--target", "pulley64")

    def unsupported_reason(self, target: Target) -> str | None:
        if target.threads:
            return ("Pulley cannot run shared-memory threads: \"the wasm_threads feature is not "
                    "supported on this compiler configuration\"")
        return super().unsupported_reason(target)
