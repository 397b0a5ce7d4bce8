"""Wasmtime's CLI (Cranelift), one column per pinned major version."""

from __future__ import annotations

from harness.runtime import Invocation, RunPlan, Runtime, Step
from harness.targets import Target


class Wasmtime(Runtime):
    family = "wasmtime"
    major = 0
    engine_flags: tuple[str, ...] = ()
    load_error_patterns = (
        r"failed to instantiate",
        r"unknown import",
        r"matching implementation was not found",
        r"failed to parse WebAssembly",
        r"(?i)invalid input WebAssembly",
        r"import .* has the wrong type",
        r"support for .* is not enabled",
        r"failed to compile",
    )

    @property
    def binary(self) -> str:
        return f"wasmtime-{self.major}"

    def unsupported_reason(self, target: Target) -> str | None:
        if target.threads and self.major >= 47:
            return "Wasmtime 47 removed wasi-threads (`-S threads` is no longer supported)"
        return None

    def version_argv(self) -> list[str]:
        return [self.binary, "--version"]

    def plan(self, artifact: str, target: Target, invocation: Invocation) -> RunPlan:
        flags = list(self.engine_flags)
        if target.threads:
            flags += ["-W", "threads,shared-memory", "-S", "threads"]
        if target.is_component and self.major < 46:
            # WASIp3 and async exports are off by default before Wasmtime 46.
            flags += ["-S", "p3", "-W", "component-model-async"]
        if invocation.network:
            flags += ["-S", "inherit-network", "-S", "allow-ip-name-lookup"]
        for guest, host in invocation.dirs.items():
            flags += ["--dir", f"{host}::{guest}"]
        for key, value in invocation.env.items():
            flags += ["--env", f"{key}={value}"]
        argv = [self.binary, "run", *flags, artifact, *invocation.args]
        return RunPlan([Step(argv, stdin=invocation.stdin, timeout_s=invocation.timeout_s)], flags)


class Wasmtime45(Wasmtime):
    name = "wasmtime-45"
    major = 45


class Wasmtime49(Wasmtime):
    name = "wasmtime-49"
    major = 49
