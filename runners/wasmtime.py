"""Wasmtime's CLI (Cranelift): one column per release line of harness/catalogue/runtimes.yaml, each the CLI
`wasmtime-<major>` of the runtimes image (docker/runtimes/wheels.txt)."""

from __future__ import annotations

from typing import ClassVar

from harness.catalogue.targets import Target
from harness.runtime import Invocation, Runtime

# wasi-threads (`-S threads`) was removed in Wasmtime 47.
LAST_WITH_THREADS = 46
# WASIp3 (`-S p3`) came in Wasmtime 37, on by default (with async exports) from 46.
FIRST_WITH_P3, P3_BY_DEFAULT = 37, 46
# Exception handling: 36 cannot translate its operators ("exception operators are not yet
# implemented", even with `-W exceptions=y`); 45 and 46 run it with `-W exceptions=y`; on by
# default from 47 (checked with each column's CLI).
FIRST_WITH_EXCEPTIONS, EXCEPTIONS_BY_DEFAULT = 45, 47


class Wasmtime(Runtime):
    family = "wasmtime"
    rank = 10
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
        # a class that says whether it runs threads (Pulley never does) keeps its word
        said = any("threads" in k.__dict__ for k in cls.__mro__[:-1]
                   if k is not Wasmtime and issubclass(k, Wasmtime))
        if cls.major and not said:
            cls.threads = cls.major <= LAST_WITH_THREADS
            if not cls.threads:
                cls.limitations = {**cls.limitations, "threads": (
                    "Wasmtime 47 removed wasi-threads (`-S threads` is no longer supported)")}
        if cls.major and "exceptions" not in cls.__dict__:
            cls.exceptions = cls.major >= FIRST_WITH_EXCEPTIONS
            if not cls.exceptions:
                cls.limitations = {**cls.limitations, "exceptions": (
                    f"Wasmtime {cls.major} cannot compile exception handling (\"exception operators "
                    "are not yet implemented\", with -W exceptions=y too)")}

    @property
    def binary(self) -> str:
        return f"wasmtime-{self.major}"

    def version_argv(self) -> list[str]:
        return [self.binary, "--version"]

    def _p3_flags(self, target: Target) -> list[str]:
        # WASIp3 and async exports are off by default before Wasmtime 46.
        return ["-S", "p3", "-W", "component-model-async"] if (
            target.is_component and FIRST_WITH_P3 <= self.major < P3_BY_DEFAULT) else []

    def serve_argv(self, artifact: str, target: Target, invocation: Invocation) -> list[str] | None:
        """`wasmtime serve` on a port it picks (it prints "Serving HTTP on http://..." on stderr);
        `-S cli` gives the guest the CLI interfaces its std imports."""
        flags = [*self.engine_flags, "-S", "cli", *self._p3_flags(target), "--addr=127.0.0.1:0"]
        for guest, host in invocation.dirs.items():
            flags += ["--dir", f"{host}::{guest}"]
        for key, value in invocation.env.items():
            flags += ["--env", f"{key}={value}"]
        return [self.binary, "serve", *flags, artifact]

    def argv(self, artifact: str, target: Target, invocation: Invocation) -> list[str]:
        flags = list(self.engine_flags)
        if target.threads:
            # 36 predates the separate shared-memory switch (`-W threads` implies it there).
            flags += ["-W", "threads" if self.major <= 36 else "threads,shared-memory", "-S", "threads"]
        flags += self._p3_flags(target)
        if invocation.exceptions and self.major < EXCEPTIONS_BY_DEFAULT:
            flags += ["-W", "exceptions=y"]
        if invocation.network:
            flags += ["-S", "inherit-network", "-S", "allow-ip-name-lookup"]
        if "http" in invocation.proposals:
            flags += ["-S", "http"]
        for guest, host in invocation.dirs.items():
            flags += ["--dir", f"{host}::{guest}"]
        for key, value in invocation.env.items():
            flags += ["--env", f"{key}={value}"]
        return [self.binary, "run", *flags, artifact, *invocation.args]
