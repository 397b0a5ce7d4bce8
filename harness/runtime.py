"""The runtime plugin API: how a runtime says what it runs and how to invoke it."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path

from harness.targets import Target

ENTRY_POINT_GROUP = "wasm_conformance.runtimes"



@dataclass(frozen=True)
class Invocation:
    """What the guest gets: argv[1..], environment, stdin, preopens, network, time limit."""

    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    stdin: str = ""
    # guest path -> directory holding its initial files, relative to the cell's scratch
    # directory (every step runs there)
    dirs: dict[str, str] = field(default_factory=dict)
    network: bool = False
    timeout_s: float = 60.0


@dataclass(frozen=True)
class Step:
    """One process the executor starts (argument list only: no shell is ever involved)."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    stdin: str = ""
    timeout_s: float = 60.0


@dataclass(frozen=True)
class RunPlan:
    """Preparation steps, then the guest run itself (the last step)."""

    steps: list[Step]
    flags: list[str]  # the runtime flags the guest run uses, for the record
    files: dict[str, str] = field(default_factory=dict)  # written into the scratch dir first

    @property
    def guest(self) -> Step:
        return self.steps[-1]


class Runtime(ABC):
    """A runtime column of the matrix. Subclasses are small: a name, flags, and patterns."""

    name: str = ""  # the column, e.g. "wasmtime-45"
    family: str = ""  # e.g. "wasmtime"; suites may name a family in overrides
    # stderr patterns by which the runtime documents that it refused to load the guest
    load_error_patterns: tuple[str, ...] = ()
    # files the sandbox mounts read-only for this runtime: path inside -> path on the host
    sandbox_files: dict[str, Path] = {}  # noqa: RUF012 (read-only by convention)

    def unsupported_reason(self, target: Target) -> str | None:
        """Why this runtime cannot run the target's artifacts at all, or None."""
        return None

    @abstractmethod
    def version_argv(self) -> list[str]:
        """The command that prints the runtime's version."""

    def parse_version(self, output: str) -> str:
        match = re.search(r"\d+\.\d+\.\d+\S*", output)
        return match.group(0) if match else output.strip()[:80]

    @abstractmethod
    def plan(self, artifact: str, target: Target, invocation: Invocation) -> RunPlan:
        """The steps that run `artifact` (a path inside the sandbox) with `invocation`."""

    def is_load_error(self, exit_code: int | None, stdout: str, stderr: str) -> bool:
        """Whether the runtime refused to instantiate the guest (its documented signals)."""
        if exit_code == 0 or stdout.strip():
            return False
        return any(re.search(p, stderr) for p in self.load_error_patterns)


@cache
def installed_runtimes() -> dict[str, Runtime]:
    """Every runtime registered in the entry-point group, by column name."""
    found: dict[str, Runtime] = {}
    for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
        runtime = point.load()()
        found[runtime.name or point.name] = runtime
    return found
