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
        return self._image_id

    @cached_property
    def _image_id(self) -> str:
        result = subprocess.run(["docker", "image", "inspect", "--format", "{{.Id}}", self.image],
                                capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BuildFailed(f"toolchain image {self.image} is missing: run `python -m harness setup`")
        return result.stdout.strip()

    def toolchain_versions(self) -> dict[str, str]:
        from harness.image import component_versions

        return {"image": self.image, **component_versions()}

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
