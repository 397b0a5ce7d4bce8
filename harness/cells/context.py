"""What every cell of one process of a run shares: the builders, the fixtures, the sandbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock

from harness.artifacts.cache import cache_dir
from harness.artifacts.wasi_imports import imports_of
from harness.artifacts.workspace import Workspace
from harness.builder import Builder
from harness.catalogue.toolchains import Toolchain
from harness.results import timings
from harness.runtime import Runtime
from harness.sandbox.container import CACHE_MOUNT, GuestRequest, Sandbox
from harness.sandbox.outcome import Outcome

VERSION_TIMEOUT_S = 60.0
PRECOMPILE_TIMEOUT_S = 20 * 60.0
AOT_DIR = "aot"  # below the sandbox's cache: the runtimes' compiled artifacts


@dataclass(frozen=True)
class Precompiled:
    """What to run: the artifact, or the runtime's compile of it (and what making it took)."""

    path: str  # inside the sandbox
    compile_s: float | None = None  # this call compiled it
    failed: Outcome | None = None  # the compile failed: its outcome


@dataclass
class Context:
    run_id: str
    builders: dict[str, Builder]  # by toolchain name
    workspace: Workspace
    sandbox: Sandbox
    worker: str = "main"  # the pytest-xdist worker (for the run's profile)
    measured_slowdowns: dict[str, float] = field(default_factory=timings.load_slowdowns)
    crashers: dict[str, list[str]] = field(default_factory=timings.load_crashers)  # last run's, by cell
    _versions: dict[str, tuple[str | None, str]] = field(default_factory=dict)

    def builder(self, toolchain: Toolchain | None) -> Builder:
        """The builder of a built cell's toolchain."""
        assert toolchain is not None, "a cell of a kind that is not built has no builder"
        return self.builders[toolchain.name]

    def runtime_version(self, runtime: Runtime) -> tuple[str | None, str]:
        """The runtime's version as its binary reports it, or None and why it cannot run."""
        if runtime.name not in self._versions:
            outcome = self.sandbox.run(GuestRequest(runtime.version_argv(), timeout_s=VERSION_TIMEOUT_S))
            if outcome.spawn_error or outcome.exit_code != 0:
                why = outcome.spawn_error or (outcome.stderr or outcome.stdout).strip()[-300:]
                self._versions[runtime.name] = (None, why)
            else:
                version = runtime.parse_version(outcome.stdout + outcome.stderr)
                self._versions[runtime.name] = (version, "")
        return self._versions[runtime.name]

    def wasi_imports(self, path: Path, sha256: str) -> list[str]:
        """What the artifact at `path` imports of WASI (read once)."""
        return imports_of(path, sha256)

    def precompiled(self, runtime: Runtime, inside: str, sha256: str) -> Precompiled:
        """The file the runtime runs for the artifact at `inside`: its ahead-of-time compile, made
        once per (runtime, artifact) across workers and runs (a file lock, the sandbox's
        persistent cache), or the artifact itself when the runtime compiles nothing ahead."""
        version = self.runtime_version(runtime)[0] or "unknown"
        name = f"{AOT_DIR}/{runtime.name}-{version}/{sha256[:32]}.wasm"
        compiled, temporary = f"{CACHE_MOUNT}/{name}", f"{CACHE_MOUNT}/{name}.{self.worker}.tmp"
        argv = runtime.precompile_argv(inside, temporary)
        if argv is None:
            return Precompiled(inside)
        host = self.sandbox.cache_dir / name
        with FileLock(str(cache_dir("locks") / f"aot-{runtime.name}-{version}-{sha256[:32]}.lock")):
            if host.is_file():
                return Precompiled(compiled)
            for folder in (host.parent.parent, host.parent):
                folder.mkdir(exist_ok=True)
                folder.chmod(0o1777)  # written by the sandbox's unprivileged user
            outcome = self.sandbox.run(GuestRequest(argv, timeout_s=PRECOMPILE_TIMEOUT_S))
            if outcome.exit_code != 0 or outcome.timed_out:
                return Precompiled(inside, outcome.duration_s, failed=outcome)
            self.sandbox.run(GuestRequest(["mv", temporary, compiled], timeout_s=VERSION_TIMEOUT_S))
            return Precompiled(compiled, outcome.duration_s)

    def slowdown(self, runtime: Runtime) -> float:
        """How many times longer the runtime's cells may take (harness/results/timings.py)."""
        return timings.slowdown(runtime, self.measured_slowdowns)

    def run_guest(self, request: GuestRequest) -> Outcome:
        """One guest process in a fresh scratch directory of the sandbox (SandboxLost on a fault)."""
        return self.sandbox.run(request)
