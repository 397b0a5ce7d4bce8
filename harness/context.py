"""What every cell of one process of a run shares: the builders, the fixtures, the sandbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from harness.builder import Builder
from harness.fixtures import Workspace
from harness.outcome import Outcome
from harness.runtime import Runtime
from harness.sandbox import GuestRequest, Sandbox
from harness.wasi_imports import imports_of

VERSION_TIMEOUT_S = 60.0


@dataclass
class Context:
    run_id: str
    builders: dict[str, Builder]  # by toolchain name
    workspace: Workspace
    sandbox: Sandbox
    _versions: dict[str, tuple[str | None, str]] = field(default_factory=dict)

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

    def wasi_imports(self, path: Path, sha256: str, inside: str) -> list[str]:
        """What the artifact at `path` (`inside` the sandbox) imports of WASI (read once)."""
        def read_wit(component: Path) -> str | None:
            outcome = self.sandbox.run(GuestRequest(["wasm-tools", "component", "wit", str(component)],
                                                    timeout_s=VERSION_TIMEOUT_S))
            return outcome.stdout if outcome.exit_code == 0 else None

        return imports_of(path, sha256, Path(inside), read_wit)

    def run_guest(self, request: GuestRequest) -> Outcome:
        """One guest process in a fresh scratch directory of the sandbox (SandboxLost on a fault)."""
        return self.sandbox.run(request)
