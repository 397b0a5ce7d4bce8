"""WasmEdge's CLI (its interpreter, the default), for core modules."""

from __future__ import annotations

from harness.runtime import Invocation, Runtime
from harness.targets import Target


class WasmEdge(Runtime):
    name = "wasmedge"
    family = "wasmedge"
    rank = 40
    limitations = {
        "component": "the WasmEdge CLI runs core modules, not components",
        "threads": ("`wasmedge --enable-threads` cannot instantiate a wasi-threads module "
                    "(it imports a shared memory)"),
    }
    load_error_patterns = (
        r"instantiation failed",
        r"(?i)unknown import",
        r"validation failed",
        r"loading failed",
    )

    def version_argv(self) -> list[str]:
        return ["wasmedge", "--version"]

    def argv(self, artifact: str, target: Target, invocation: Invocation) -> list[str]:
        flags: list[str] = []
        for guest, host in invocation.dirs.items():
            flags += ["--dir", f"{guest}:{host}"]
        for key, value in invocation.env.items():
            flags += ["--env", f"{key}={value}"]
        return ["wasmedge", *flags, artifact, *invocation.args]
