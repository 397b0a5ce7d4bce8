"""Builds with the host's own cargo (a rustup toolchain, or a distribution's)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from functools import cached_property
from pathlib import Path

from harness.artifacts.cache import cache_dir
from harness.artifacts.crate_sources import CratesUnavailable, Origin, cargo_home, crates_for
from harness.artifacts.workspace import Workspace
from harness.builder import CARGO_PROFILE, Builder, BuildFailed, TestCrate
from harness.catalogue.build_profiles import ABORT, Profile
from harness.catalogue.targets import Target
from harness.cells.judgment import toolchain_unavailable, unknown_target
from harness.results.verdict import Judgment
from runners.docker_builder import BUILD_TIMEOUT_S, COMPILER_LINES, TEST_BUILD, copy_artifacts


class HostBuilder(Builder):
    name = "host"

    @property
    def _plus(self) -> list[str]:
        """`+NAME` when the catalogue names a rustup toolchain, else rustup's default."""
        return [f"+{self.toolchain.rustup}"] if self.toolchain.rustup else []

    @cached_property
    def _rustc(self) -> str:
        try:
            return subprocess.run(["rustc", *self._plus, "-vV"], capture_output=True, text=True,
                                  check=True).stdout
        except (OSError, subprocess.CalledProcessError) as error:
            return f"unavailable: {error}"

    def toolchain_id(self) -> str:
        return "host-" + hashlib.sha256(self._rustc.encode()).hexdigest()[:16]

    def toolchain_versions(self) -> dict[str, str]:
        first = self._rustc.splitlines()[0] if self._rustc else ""
        return {"toolchain": self.toolchain.name, "rustc": first.removeprefix("rustc ").split(" ")[0]}

    @cached_property
    def _verdicts(self) -> dict[str, Judgment | None]:
        return {}

    def target_verdict(self, target: Target, profile: Profile = ABORT) -> Judgment | None:
        if target.triple not in self._verdicts:
            self._verdicts[target.triple] = self._why_not(target)
        if self._verdicts[target.triple] is None and profile.suffix:
            return toolchain_unavailable(f"the host's toolchain has no std built with panic={profile.name} "
                                         "(the toolchain images build one: use an image's toolchain)")
        return self._verdicts[target.triple]

    def _why_not(self, target: Target) -> Judgment | None:
        if self._rustc.startswith("unavailable"):
            return toolchain_unavailable(f"no host rustc ({self._rustc})")
        known = subprocess.run(["rustc", *self._plus, "--print", "target-list"],
                               capture_output=True, text=True, check=False).stdout.split()
        version = self._rustc.splitlines()[0]
        if target.triple not in known:
            return unknown_target(f"the host's {version}", target)
        result = subprocess.run(["rustc", *self._plus, "--print", "target-libdir", "--target",
                                 target.triple], capture_output=True, text=True, check=False)
        libdir = Path(result.stdout.strip())
        if result.returncode != 0 or not any(libdir.glob("libstd-*.rlib")):
            return toolchain_unavailable(f"the host's {version} has no std for {target.triple} "
                                         f"(rustup target add {target.triple})")
        return None

    def compile_tests(self, test_crate: TestCrate, target: Target, out_dir: Path,
                      profile: Profile = ABORT) -> None:
        what = ["--upstream", test_crate.crate] if test_crate.crate else ["--path", str(test_crate.path)]
        if test_crate.package:
            what += ["--package", test_crate.package]
        env = dict(os.environ)
        if self.toolchain.rustup:
            env["RUSTUP_TOOLCHAIN"] = self.toolchain.rustup
        if test_crate.path is not None:  # the crates its lock names, fetched (it builds offline)
            try:
                crates = crates_for(test_crate.path, frozenset())
            except CratesUnavailable as error:
                raise BuildFailed(str(error)) from None
            what += ["--lock", str(crates.lock)] if crates.lock is not None else []
            if crates.origin is Origin.FETCHED:
                what += ["--locked"]
                env["CARGO_HOME"] = str(cargo_home())
        argv = [sys.executable, str(TEST_BUILD), "--target", target.triple, "--out", str(out_dir),
                "--target-dir", str(cache_dir(f"host-target/{target.triple}")), *what]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S,
                                check=False, env=env)
        if result.returncode != 0:
            output = (result.stdout + result.stderr).strip().splitlines()
            raise BuildFailed("\n".join(output[-COMPILER_LINES:]))

    def compile(self, workspace: Workspace, crate: str, target: Target, out_dir: Path,
                profile: Profile = ABORT) -> None:
        target_dir = cache_dir(f"host-target/{target.triple}")
        argv = ["cargo", *self._plus, "build", f"--{CARGO_PROFILE}", "--locked", "-p", crate,
                "--target", target.triple, "--target-dir", str(target_dir)]
        try:
            result = subprocess.run(argv, cwd=workspace.root, capture_output=True, text=True,
                                    timeout=BUILD_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise BuildFailed(f"cargo build took longer than {BUILD_TIMEOUT_S}s") from None
        if result.returncode != 0:
            raise BuildFailed("\n".join(result.stderr.strip().splitlines()[-COMPILER_LINES:]))
        copy_artifacts(workspace, crate, target_dir / target.triple / CARGO_PROFILE, out_dir)
