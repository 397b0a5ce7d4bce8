"""Wasmtime's CLI (Cranelift), one column per pinned major version."""

from __future__ import annotations

from typing import ClassVar

from harness.runtime import Invocation, Runtime
from harness.targets import Target

# wasi-threads (`-S threads`) was removed in Wasmtime 47.
LAST_WITH_THREADS = 46


class Wasmtime(Runtime):
    family = "wasmtime"
    rank = 10
    major: ClassVar[int] = 0
    kinds = frozenset({"module", "component"})
    network = True
    engine_flags: ClassVar[tuple[str, ...]] = ()
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

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.major and "threads" not in cls.__dict__:
            cls.threads = cls.major <= LAST_WITH_THREADS
            if not cls.threads:
                cls.limitations = {**cls.limitations, "threads": (
                    "Wasmtime 47 removed wasi-threads (`-S threads` is no longer supported)")}

    @property
    def binary(self) -> str:
        return f"wasmtime-{self.major}"

    def version_argv(self) -> list[str]:
        return [self.binary, "--version"]

    def argv(self, artifact: str, target: Target, invocation: Invocation) -> list[str]:
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
        return [self.binary, "run", *flags, artifact, *invocation.args]


class Wasmtime45(Wasmtime):
    name = "wasmtime-45"
    major = 45


class Wasmtime49(Wasmtime):
    name = "wasmtime-49"
    major = 49
