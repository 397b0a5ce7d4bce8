"""Builds fixtures with cargo inside the toolchain image (the default builder)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from functools import cached_property
from pathlib import Path

from harness.builder import PROFILE, Builder, BuildFailed
from harness.cache import cache_dir
from harness.fixtures import Workspace
from harness.sandbox import LABEL
from harness.targets import Target

BUILD_TIMEOUT_S = 30 * 60
COMPILER_LINES = 60


class DockerBuilder(Builder):
    name = "docker"

    @cached_property
    def image(self) -> str:
        from harness.image import image_tag

        return image_tag()

    def toolchain_id(self) -> str:
        return self._toolchain_id

    @cached_property
    def _toolchain_id(self) -> str:
        """What the compiler, std, linkers and vendored crates are, not which image holds them:
        a runtime added to or bumped in the image rebuilds no fixture."""
        from harness.image import toolchain_identity

        return toolchain_identity()

    def toolchain_versions(self) -> dict[str, str]:
        """The versions of what builds: the compiler, std, linkers (not the image's runtimes)."""
        from harness.image import TOOLCHAIN_LABELS, component_versions

        versions = component_versions()
        return {"image": self.image, **{k: versions[k] for k in TOOLCHAIN_LABELS if k in versions}}

    def _docker_argv(self, workspace: Workspace, target: Target) -> list[str]:
        """Cargo in a throwaway container of the image: offline (the image vendors every
        crate the fixtures use), workspace read-only, a persistent target dir per target."""
        target_dir = cache_dir(f"cargo-target/{target.triple}")
        argv = [
            "docker", "run", "--rm", "--label", LABEL, "--network", "none",
            "-v", f"{workspace.root}:/ws:ro",
            "-v", f"{target_dir}:/target",
            "-e", "CARGO_TARGET_DIR=/target", "-e", "CARGO_TERM_COLOR=never",
            "-w", "/ws",
        ]
        if os.getuid() != 0:
            argv += ["--user", f"{os.getuid()}:{os.getgid()}"]
        return [*argv, self.image]

    def compile(self, workspace: Workspace, crate: str, target: Target, out_dir: Path) -> None:
        argv = [*self._docker_argv(workspace, target), *_cargo(crate, target)]
        try:
            result = subprocess.run(argv, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S,
                                    check=False)
        except subprocess.TimeoutExpired:
            raise BuildFailed(f"cargo build took longer than {BUILD_TIMEOUT_S}s") from None
        if result.returncode != 0:
            lines = (result.stderr or result.stdout).strip().splitlines()[-COMPILER_LINES:]
            raise BuildFailed("\n".join(lines))
        built = cache_dir(f"cargo-target/{target.triple}") / target.triple / PROFILE
        copy_artifacts(workspace, crate, built, out_dir)

    def repro(self, workspace: Workspace, crate: str, target: Target) -> str:
        return shlex.join([*self._docker_argv(workspace, target), *_cargo(crate, target)])


def _cargo(crate: str, target: Target) -> list[str]:
    return ["cargo", "build", f"--{PROFILE}", "--locked", "--offline", "-p", crate,
            "--target", target.triple]


def copy_artifacts(workspace: Workspace, crate: str, built: Path, out_dir: Path) -> None:
    """Copy the crate's wasm files (every bin, or its cdylib) from cargo's output dir."""
    found = workspace.crates[crate]
    stems = [found.cdylib] if found.cdylib else list(found.bins)
    for stem in stems:
        source = built / f"{stem}.wasm"
        if not source.is_file():
            raise BuildFailed(f"cargo succeeded but {source.name} is missing from {built}")
        shutil.copy2(source, out_dir / source.name)


def make_lockfile(workspace_root: Path) -> Path:
    """`cargo generate-lockfile --offline` for a workspace, in the toolchain image, against the
    crates the image vendors; returns the lock file's path."""
    from harness.errors import UserError
    from harness.image import image_tag

    if not (workspace_root / "Cargo.toml").is_file():
        raise UserError(f"{workspace_root}: no Cargo.toml")
    argv = ["docker", "run", "--rm", "--label", LABEL, "--network", "none",
            "-v", f"{workspace_root}:/ws", "-w", "/ws"]
    if os.getuid() != 0:
        argv += ["--user", f"{os.getuid()}:{os.getgid()}"]
    argv += [image_tag(), "cargo", "generate-lockfile", "--offline"]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise UserError(f"cargo generate-lockfile failed:\n{result.stderr.strip()[-2000:]}")
    return workspace_root / "Cargo.lock"
