"""Builds fixtures with the user's own cargo (rustup or distribution toolchain)."""

from __future__ import annotations

import hashlib
import subprocess
from functools import cached_property
from pathlib import Path

from harness.builder import PROFILE, Builder, BuildFailed
from harness.cache import cache_dir
from harness.fixtures import Workspace
from harness.targets import Target
from runners.docker_builder import BUILD_TIMEOUT_S, COMPILER_LINES, copy_artifacts


class HostBuilder(Builder):
    name = "host"

    @cached_property
    def _rustc(self) -> str:
        try:
            return subprocess.run(["rustc", "-vV"], capture_output=True, text=True,
                                  check=True).stdout
        except (OSError, subprocess.CalledProcessError) as error:
            return f"unavailable: {error}"

    def toolchain_id(self) -> str:
        return "host-" + hashlib.sha256(self._rustc.encode()).hexdigest()[:16]

    def toolchain_versions(self) -> dict[str, str]:
        first = self._rustc.splitlines()[0] if self._rustc else ""
        return {"rustc": first.removeprefix("rustc ").split(" ")[0]}

    def unavailable_reason(self, target: Target) -> str | None:
        if target.triple not in self._reasons:
            self._reasons[target.triple] = self._why_not(target)
        return self._reasons[target.triple]

    @cached_property
    def _reasons(self) -> dict[str, str | None]:
        return {}

    def _why_not(self, target: Target) -> str | None:
        if self._rustc.startswith("unavailable"):
            return f"no host rustc ({self._rustc})"
        result = subprocess.run(["rustc", "--print", "target-libdir", "--target", target.triple],
                                capture_output=True, text=True, check=False)
        libdir = Path(result.stdout.strip())
        if result.returncode != 0 or not any(libdir.glob("libstd-*.rlib")):
            return f"the host toolchain has no std for {target.triple}"
        return None

    def compile(self, workspace: Workspace, crate: str, target: Target, out_dir: Path) -> None:
        target_dir = cache_dir(f"host-target/{target.triple}")
        argv = ["cargo", "build", f"--{PROFILE}", "--locked", "-p", crate,
                "--target", target.triple, "--target-dir", str(target_dir)]
        try:
            result = subprocess.run(argv, cwd=workspace.root, capture_output=True, text=True,
                                    timeout=BUILD_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise BuildFailed(f"cargo build took longer than {BUILD_TIMEOUT_S}s") from None
        if result.returncode != 0:
            raise BuildFailed("\n".join(result.stderr.strip().splitlines()[-COMPILER_LINES:]))
        copy_artifacts(workspace, crate, target_dir / target.triple / PROFILE, out_dir)
