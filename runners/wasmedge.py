"""WasmEdge's CLI, for core modules, as its users run it for speed: each artifact compiled ahead of
time once (`wasmedge compile --optimize 0`, kept in the sandbox's cache), then run in AOT mode.

Optimization level 0 compiles a 3 MB test binary in about 4 s where the default (2) takes about
45 s, and runs it in 2 s where the interpreter takes about 120 s (measured on core's tests)."""

from __future__ import annotations

from harness.catalogue.targets import Target
from harness.runtime import Invocation, Runtime


class WasmEdge(Runtime):
    name = "wasmedge"
    family = "wasmedge"
    rank = 40
    limitations = {
        "component": "the WasmEdge CLI runs core modules, not components",
        "threads": ("`wasmedge --enable-threads` cannot instantiate a wasi-threads module "
                    "(it imports a shared memory)"),
        "exceptions": ("`wasmedge compile` rejects exception handling (\"This instruction or syntax "
                       "requires enabling Exception Handling proposal\", and has no option to enable "
                       "it); its interpreter loads such a guest but corrupts memory at the first "
                       "caught panic (\"out of bounds memory access\")"),
    }
    load_error_patterns = (
        r"instantiation failed",
        r"(?i)unknown import",
        r"validation failed",
        r"loading failed",
    )

    def version_argv(self) -> list[str]:
        return ["wasmedge", "--version"]

    def precompile_argv(self, artifact: str, compiled: str) -> list[str] | None:
        return ["wasmedge", "compile", "--optimize", "0", artifact, compiled]

    def argv(self, artifact: str, target: Target, invocation: Invocation) -> list[str]:
        flags = ["--run-mode", "aot"]
        for guest, host in invocation.dirs.items():
            flags += ["--dir", f"{guest}:{host}"]
        for key, value in invocation.env.items():
            flags += ["--env", f"{key}={value}"]
        return ["wasmedge", *flags, artifact, *invocation.args]
