"""WasmEdge's CLI (its interpreter, the default), for core modules."""

from __future__ import annotations

from harness.runtime import Invocation, RunPlan, Runtime, Step
from harness.targets import Target


class WasmEdge(Runtime):
    name = "wasmedge"
    family = "wasmedge"
    load_error_patterns = (
        r"instantiation failed",
        r"(?i)unknown import",
        r"validation failed",
        r"loading failed",
    )

    def unsupported_reason(self, target: Target) -> str | None:
        if target.is_component:
            return "the WasmEdge CLI runs core modules, not components"
        if target.threads:
            return ("`wasmedge --enable-threads` cannot instantiate a wasi-threads module "
                    "(it imports a shared memory)")
        return None

    def version_argv(self) -> list[str]:
        return ["wasmedge", "--version"]

    def plan(self, artifact: str, target: Target, invocation: Invocation) -> RunPlan:
        flags: list[str] = []
        for guest, host in invocation.dirs.items():
            flags += ["--dir", f"{guest}:{host}"]
        for key, value in invocation.env.items():
            flags += ["--env", f"{key}={value}"]
        argv = ["wasmedge", *flags, artifact, *invocation.args]
        return RunPlan([Step(argv, stdin=invocation.stdin, timeout_s=invocation.timeout_s)], flags)
