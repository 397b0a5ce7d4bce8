"""The runtime plugin contract, and the registry of installed runtimes.

A runtime plugin is a small class: a column name and family, what it can run
(artifact kinds, wasi-threads, sockets), the command that prints its version, and
the argv that runs one artifact with one invocation. Everything else is the
harness's: stdin, the time limit, the process environment, memory and network
isolation are applied to every runtime alike, outside the plugin.

Plugins come from the entry-point group `wasm_conformance.runtimes`, or from a
Python file given with `--runtime-plugin FILE` (or the environment variable
WASM_CONFORMANCE_RUNTIME_PLUGINS, paths separated by os.pathsep). The columns of an
entry-point plugin are the entries of the runtime catalogue (harness/catalogue/runtimes.yaml) that
name it, each setting the plugin's attributes (a release line is one line there).
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, ClassVar

from harness import PROJECT_ROOT
from harness.artifacts.wasi_imports import wasi_versions
from harness.catalogue.entries import entry_line, read_entries
from harness.catalogue.targets import Target
from harness.errors import UserError

ENTRY_POINT_GROUP = "wasm_conformance.runtimes"
CATALOGUE = Path(__file__).resolve().parent / "catalogue" / "runtimes.yaml"
PLUGINS_ENV = "WASM_CONFORMANCE_RUNTIME_PLUGINS"


@dataclass(frozen=True)
class Invocation:
    """What the guest gets, for the plugin to express as flags.

    `dirs` maps a guest path to a directory relative to the cell's scratch
    directory (the runtime runs there). `network` asks for sockets on loopback.
    `proposals` names WASI proposals beyond the CLI world the guest imports (e.g.
    "http"), for runtimes that switch them on by flag. `exceptions`: the guest uses the
    WebAssembly exception-handling proposal (built with panic=unwind)."""

    args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    dirs: Mapping[str, str] = field(default_factory=dict)
    network: bool = False
    proposals: frozenset[str] = frozenset()
    exceptions: bool = False


class Runtime(ABC):
    """A runtime column of the matrix."""

    name: ClassVar[str] = ""  # the column, e.g. "wasmtime-45"
    family: ClassVar[str] = ""  # e.g. "wasmtime"; suites and --runtimes may name a family
    rank: ClassVar[int] = 100  # column order: lower first, then family and name
    kinds: ClassVar[frozenset[str]] = frozenset({"module"})  # "module" and/or "component"
    threads: ClassVar[bool] = False  # runs wasi-threads modules (shared memory)
    network: ClassVar[bool] = False  # can grant guests sockets on loopback
    exceptions: ClassVar[bool] = False  # runs guests that use exception handling (panic=unwind)
    # Why a capability is missing, in the runtime's own terms ("threads", "component",
    # "module", "network", "exceptions"); shown as the reason of the cells it cannot run.
    limitations: ClassVar[Mapping[str, str]] = {}
    # The image label that records the runtime's package version (default: the name).
    package: ClassVar[str] = ""
    # stderr patterns by which the runtime documents that it refused to load the guest
    load_error_patterns: ClassVar[tuple[str, ...]] = ()
    # files the sandbox mounts read-only for this runtime: path inside -> path on the host
    sandbox_files: ClassVar[Mapping[str, Path]] = {}
    major: ClassVar[int] = 0  # the release line: orders a family's columns (the newest is highest)
    # The WASI versions it implements, as artifacts import them (harness/artifacts/wasi_imports.py):
    # "0.1", "0.2", "0.3.0-rc-2026-03-15", "0.3.0".
    wasi: ClassVar[frozenset[str]] = frozenset()
    catalogue_source: ClassVar[str] = ""  # "file:line" of its catalogue entry ("": none)
    reference: ClassVar[bool] = False  # may be a tier-2 dossier's reference runtime
    # Whether its release line still gets security fixes (None: not tracked), and the evidence.
    security_fixes: ClassVar[bool | None] = None
    security_note: ClassVar[str] = ""
    # How many times longer its guests take than the fastest column's (Wasmtime's Cranelift):
    # time limits are that many times longer. The last run's measurement, when there is one
    # (harness/results/timings.py), takes its place.
    slowdown: ClassVar[float] = 1.0

    @classmethod
    def column(cls, name: str, fields: Mapping[str, Any]) -> Runtime:
        """The column `name` of this plugin, its attributes set by a catalogue entry."""
        unknown = sorted(set(fields) - {"plugin"} - {k for k in dir(cls) if not k.startswith("_")})
        if unknown:
            raise UserError(f"{CATALOGUE}: {name}: {cls.__name__} has no attribute {unknown[0]!r}")
        attributes = {k: frozenset(v) if isinstance(v, list) else v for k, v in fields.items()
                      if k != "plugin"}
        source = {"catalogue_source": _entry_source(name)}
        return type(f"{cls.__name__}_{name.replace('-', '_')}", (cls,),
                    {"name": name, **source, **attributes})()

    def unlinked_wasi(self, imports: Iterable[str]) -> list[str]:
        """The WASI versions that `imports` (an artifact's, harness/artifacts/wasi_imports.py)
        name and this runtime does not implement, by its catalogue entry; [] for a runtime whose
        WASI versions the catalogue does not say."""
        if not self.wasi:
            return []
        return sorted(wasi_versions(imports) - self.wasi)

    def unsupported_reason(self, target: Target) -> str | None:
        """Why this runtime cannot run the target's artifacts at all, or None."""
        if target.kind not in self.kinds:
            return self.limitations.get(target.kind) or (
                f"{self.name} runs {' and '.join(sorted(self.kinds))}s, not {target.kind}s")
        if target.threads and not self.threads:
            return self.limitations.get("threads") or f"{self.name} cannot run wasi-threads modules"
        return None

    def exceptions_reason(self) -> str | None:
        """Why this runtime cannot run guests that use exception handling, or None."""
        if self.exceptions:
            return None
        return self.limitations.get("exceptions") or (
            f"{self.name} does not implement the exception-handling proposal")

    def serve_reason(self) -> str | None:
        """Why this runtime cannot serve a `wasi:http/service` guest, or None."""
        probe = Target("probe", "probe", "component", False, True)
        if self.serve_argv("guest.wasm", probe, Invocation()) is None:
            return self.limitations.get("serve") or f"{self.name} has no mode that serves HTTP"
        return None

    def network_reason(self, target: Target) -> str | None:
        """Why a guest of `target` that needs sockets cannot get them here, or None."""
        if target.sockets and not self.network:
            return self.limitations.get("network") or f"{self.name} cannot grant sockets to guests"
        return None

    @abstractmethod
    def version_argv(self) -> list[str]:
        """The command that prints the runtime's version."""

    def parse_version(self, output: str) -> str:
        match = re.search(r"\d+\.\d+\.\d+\S*", output)
        return match.group(0) if match else output.strip()[:80]

    @abstractmethod
    def argv(self, artifact: str, target: Target, invocation: Invocation) -> list[str]:
        """The command that runs `artifact` (a path inside the sandbox) with `invocation`; with
        `precompile_argv`, `artifact` is the compiled file."""

    def serve_argv(self, artifact: str, target: Target, invocation: Invocation) -> list[str] | None:
        """The command that serves HTTP with `artifact` (a guest of the `wasi:http/service`
        world) on a port of the runtime's choosing, printing its `http://` address on stderr
        (as `wasmtime serve` does); None (the default) when the runtime has no serve mode."""
        return None

    def precompile_argv(self, artifact: str, compiled: str) -> list[str] | None:
        """The command that compiles `artifact` ahead of time into the file `compiled`, as the
        runtime's users do before they run it; None (the default) when the runtime runs the
        artifact itself. The harness runs it once per artifact and keeps the file in the
        sandbox's persistent cache."""
        return None

    def is_load_error(self, exit_code: int | None, stdout: str, stderr: str) -> bool:
        """Whether the runtime refused to instantiate the guest (its documented signals)."""
        if exit_code == 0 or stdout.strip():
            return False
        return any(re.search(p, stderr) for p in self.load_error_patterns)

    @property
    def package_label(self) -> str:
        return self.package or self.name


def _natural(name: str) -> tuple[object, ...]:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name))


def column_order(runtimes: Iterable[Runtime]) -> list[Runtime]:
    return sorted(runtimes, key=lambda r: (r.rank, r.family, _natural(r.name)))


class Registry:
    """The installed runtimes: entry points plus plugin files loaded at run time."""

    def __init__(self) -> None:
        self._files: list[Path] = []
        self._found: dict[str, Runtime] | None = None

    def add_files(self, paths: Iterable[str | Path]) -> None:
        for path in paths:
            resolved = Path(path).expanduser().resolve()
            if resolved not in self._files:
                self._files.append(resolved)
                self._found = None

    def reset(self) -> None:
        self._files.clear()
        self._found = None

    def runtimes(self) -> dict[str, Runtime]:
        if self._found is None:
            found: dict[str, Runtime] = {}
            catalogue = _catalogue()
            for point in entry_points(group=ENTRY_POINT_GROUP):
                plugin = point.load()
                columns = {n: f for n, f in catalogue.items() if f.get("plugin") == point.name}
                if not columns:
                    runtime = plugin()
                    found[runtime.name or point.name] = runtime
                for name, fields in columns.items():
                    found[name] = plugin.column(name, fields)
            env_files = [p for p in os.environ.get(PLUGINS_ENV, "").split(os.pathsep) if p]
            for path in [*self._files, *(Path(p).resolve() for p in env_files)]:
                for runtime in _load_file(path):
                    found[runtime.name] = runtime
            self._found = {r.name: r for r in column_order(found.values())}
        return self._found


def _entry_source(name: str) -> str:
    """Where the catalogue writes the entry `name`: "harness/catalogue/runtimes.yaml:LINE"."""
    line = entry_line(CATALOGUE, name)
    where = CATALOGUE.relative_to(PROJECT_ROOT).as_posix() if CATALOGUE.is_relative_to(PROJECT_ROOT) \
        else str(CATALOGUE)
    return f"{where}:{line}" if line else where


def _catalogue() -> dict[str, dict[str, Any]]:
    entries = read_entries(CATALOGUE)
    for name, fields in entries.items():
        if not isinstance(fields, dict) or "plugin" not in fields:
            raise UserError(f"{CATALOGUE}: {name}: an entry names its `plugin`")
    return dict(entries)


def _load_file(path: Path) -> list[Runtime]:
    """Every concrete Runtime subclass with a name defined in the Python file `path`."""
    if not path.is_file():
        raise UserError(f"--runtime-plugin {path}: no such file")
    module_name = f"wasm_conformance_plugin_{abs(hash(path)):x}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise UserError(f"--runtime-plugin {path}: not a Python module")
    module = sys.modules.get(module_name)
    if module is None:
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as error:
            del sys.modules[module_name]
            raise UserError(f"--runtime-plugin {path}: {type(error).__name__}: {error}") from None
    found = [obj() for obj in vars(module).values()
             if isinstance(obj, type) and issubclass(obj, Runtime) and obj.__module__ == module_name
             and obj.name and not getattr(obj, "__abstractmethods__", None)]
    if not found:
        raise UserError(f"--runtime-plugin {path}: defines no Runtime subclass with a name")
    for runtime in found:
        if not runtime.family:
            raise UserError(f"--runtime-plugin {path}: runtime {runtime.name!r} has no family")
    return found


REGISTRY = Registry()


def installed_runtimes() -> dict[str, Runtime]:
    """Every installed runtime, by column name, in column order."""
    return REGISTRY.runtimes()


def families(runtimes: Mapping[str, Runtime]) -> set[str]:
    return {r.family for r in runtimes.values()}
