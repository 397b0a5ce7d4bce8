"""wazero's CLI in interpreter mode, for core modules."""

from __future__ import annotations

from harness.runtime import Invocation, RunPlan, Runtime, Step
from harness.targets import Target


class Wazero(Runtime):
    name = "wazero"
    family = "wazero"
    load_error_patterns = (
        r"error instantiating",
        r"error compiling",
        r"not instantiated",
        r"invalid magic number",
        r"(?i)import .* not found",
    )

    def unsupported_reason(self, target: Target) -> str | None:
        if target.is_component:
            return "the wazero CLI runs core modules, not components"
        if target.threads:
            return "the wazero CLI has no option to enable threads (shared memory)"
        return None

    def version_argv(self) -> list[str]:
        return ["wazero", "version"]

    def plan(self, artifact: str, target: Target, invocation: Invocation) -> RunPlan:
        flags = ["-interpreter"]
        for guest, host in invocation.dirs.items():
            flags.append(f"-mount={host}:{guest}")
        for key, value in invocation.env.items():
            flags.append(f"-env={key}={value}")
        argv = ["wazero", "run", *flags, artifact, "--", *invocation.args]
        return RunPlan([Step(argv, stdin=invocation.stdin, timeout_s=invocation.timeout_s)], flags)
