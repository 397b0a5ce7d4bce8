"""Builds with cargo inside a toolchain's image (a Debian suite's toolchain, or a rustup channel's)."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from functools import cached_property
from pathlib import Path
from typing import Any

from harness.artifacts.cache import cache_dir
from harness.artifacts.crate_sources import (
    Crates,
    CratesUnavailable,
    Origin,
    Package,
    cargo_home,
    crates_for,
    explain_missing,
)
from harness.artifacts.workspace import Workspace
from harness.builder import CARGO_PROFILE, Builder, BuildFailed, TestCrate
from harness.catalogue.build_profiles import ABORT, Profile
from harness.catalogue.targets import Target
from harness.cells.judgment import std_does_not_build, toolchain_unavailable, unknown_target
from harness.errors import UserError
from harness.results.verdict import Judgment
from harness.sandbox.container import container_labels

BUILD_TIMEOUT_S = 30 * 60
COMPILER_LINES = 60
TEST_BUILD = Path(__file__).resolve().parent.parent / "harness" / "artifacts" / "build_test_binaries.py"
TARGETS_RECORD = "/usr/local/lib/wasm-conformance/targets.json"
RUSTC_RECORD = "/usr/local/lib/wasm-conformance/rustc-version"
VENDOR = "/usr/local/lib/wasm-conformance/build-std/vendor"  # the crates the image vendors
DEPS_HOME = "/deps-home"  # the harness's fetched CARGO_HOME in a build container (read-only)
LOCK = "/lock/Cargo.lock"  # a lock the harness made for a crate without one
# Name and version of every crate the image vendors (the Cargo.toml of each folder).
LIST_VENDORED = f"""
import json, pathlib, tomllib
found = []
for path in sorted(pathlib.Path("{VENDOR}").glob("*/Cargo.toml")):
    try:
        package = tomllib.loads(path.read_text())["package"]
        found.append([package["name"], package["version"]])
    except (KeyError, tomllib.TOMLDecodeError):
        pass
print(json.dumps(found))
"""


class DockerBuilder(Builder):
    name = "image"

    @cached_property
    def image(self) -> str:
        """The tag of the toolchain's image, computed once (it hashes the recipe)."""
        from harness.images.recipes import toolchain_tag

        return toolchain_tag(self.toolchain)

    @cached_property
    def _unbuildable(self) -> str | None:
        """Why the image could not be built here (setup's record), read once."""
        from harness.images.recipes import unbuildable

        return unbuildable(self.toolchain, self.image)

    def toolchain_id(self) -> str:
        return self._toolchain_id

    @cached_property
    def _toolchain_id(self) -> str:
        """What the compiler, std, linkers and vendored crates are, not which image holds them."""
        from harness.images.recipes import toolchain_identity

        return toolchain_identity(self.toolchain, tag=self.image)

    def toolchain_versions(self) -> dict[str, str]:
        """The versions of what builds: the compiler, std, linkers (from the image's labels)."""
        from harness.images.recipes import versions_of

        why = self._unbuildable
        if why is not None:
            return {"toolchain": self.toolchain.name, "image": self.image, "unavailable": why}
        versions = {"toolchain": self.toolchain.name, "image": self.image, **versions_of(self.image)}
        if "rustc" not in versions:  # a rustup channel's: known once installed
            versions["rustc"] = self._record[1].split()[1]  # rustc 1.95.0 (hash date)
        return versions

    @cached_property
    def _record(self) -> tuple[dict[str, dict[str, Any]], str]:
        """What the image's build recorded for each target (docker/build-std/toolchain.sh),
        and its rustc's version line. Read from the image once (a container start, about half a
        second, which every worker of every run paid) and kept in the cache under the image's id,
        which changes whenever the image is rebuilt."""
        inspected = subprocess.run(["docker", "image", "inspect", "--format", "{{.Id}}", self.image],
                                   capture_output=True, text=True, check=False)
        image_id = inspected.stdout.strip().removeprefix("sha256:") if inspected.returncode == 0 else ""
        kept = cache_dir("image-record") / f"{image_id}.txt" if image_id else None
        if kept is not None and kept.is_file():
            text = kept.read_text()
        else:
            result = subprocess.run(["docker", "run", "--rm", "--network", "none", *container_labels(),
                                     self.image, "sh", "-c", f"cat {TARGETS_RECORD} {RUSTC_RECORD}"],
                                    capture_output=True, text=True, check=False)
            if result.returncode != 0:
                raise UserError(f"cannot read {TARGETS_RECORD} from {self.image}: {result.stderr.strip()}")
            text = result.stdout
            if kept is not None:  # written whole or not at all: another worker may read it now
                partial = kept.with_name(f"{kept.name}.{os.getpid()}.tmp")
                partial.write_text(text)
                partial.replace(kept)
        body, _, rustc = text.rpartition("}")
        return json.loads(body + "}"), rustc.strip()

    @cached_property
    def vendored(self) -> frozenset[Package]:
        """The crates the image vendors (name, version), read once per image and kept in the cache."""
        kept = cache_dir("image-vendor") / f"{self.image.replace('/', '+')}.json"
        if not kept.is_file():
            result = subprocess.run(["docker", "run", "--rm", "--network", "none", *container_labels(),
                                     self.image, "python3", "-c", LIST_VENDORED],
                                    capture_output=True, text=True, check=False)
            if result.returncode != 0:
                raise UserError(f"cannot list {VENDOR} in {self.image}: {result.stderr.strip()}")
            kept.write_text(result.stdout)
        return frozenset((name, version) for name, version in json.loads(kept.read_text()))

    def crates(self, folder: Path) -> Crates:
        """Where the crates of a build of `folder` come from (harness/artifacts/crate_sources.py); BuildFailed
        with one line when they cannot be had."""
        try:
            return crates_for(folder, self.vendored)
        except CratesUnavailable as error:
            raise BuildFailed(str(error)) from None

    def target_verdict(self, target: Target, profile: Profile = ABORT) -> Judgment | None:
        why = self._unbuildable
        if why is not None:
            return toolchain_unavailable(f"{self.toolchain.name}: its image could not be built here: {why}")
        targets, rustc = self._record
        entry = targets.get(target.triple, {"status": "unknown"})
        who = f"toolchain {self.toolchain.name} ({rustc})"
        if entry["status"] == "unknown":
            return unknown_target(who, target)
        if entry["status"] == "failed":
            return std_does_not_build(who, target, entry.get("detail", ""))
        if profile.suffix:  # std built with that profile in the image (docker/build-std/unwind.sh)
            built = entry.get(profile.name)
            if built is None:
                return toolchain_unavailable(f"{self.toolchain.name}: its image has no std built with "
                                             f"panic={profile.name} for {target.triple} (an image made "
                                             "before build profiles: run `python -m harness setup`)")
            if built["status"] == "failed":
                return std_does_not_build(f"{who} with panic={profile.name}", target,
                                          built.get("detail", ""))
        return None

    def _docker_argv(self, workspace: Workspace, target: Target, profile: Profile,
                     crates: Crates) -> list[str]:
        """Cargo in a throwaway container of the image: offline (its crates from the image's
        vendor directory, the workspace's own, or the harness's fetched CARGO_HOME read-only),
        workspace read-only, a persistent target dir per target and profile, the profile's
        flags in RUSTFLAGS."""
        target_dir = self._target_dir(target, profile)
        argv = [
            "docker", "run", "--rm", *container_labels(), "--network", "none",
            "-v", f"{workspace.root}:/ws:ro",
            "-v", f"{target_dir}:/target",
            "-e", "CARGO_TARGET_DIR=/target", "-e", "CARGO_TERM_COLOR=never",
            "-w", "/ws", *_deps_mount(crates),
        ]
        if profile.rustflags:
            argv += ["-e", f"RUSTFLAGS={profile.rustflags}"]
        if os.getuid() != 0:
            argv += ["--user", f"{os.getuid()}:{os.getgid()}"]
        return [*argv, self.image]

    def _target_dir(self, target: Target, profile: Profile) -> Path:
        suffix = f"+{profile.name}" if profile.suffix else ""
        return cache_dir(f"cargo-target/{self.toolchain.name}/{target.triple}{suffix}")

    def compile(self, workspace: Workspace, crate: str, target: Target, out_dir: Path,
                profile: Profile = ABORT) -> None:
        argv = self._docker_argv(workspace, target, profile, self.crates(workspace.root))
        _run_build([*argv, *_cargo(crate, target)], "cargo build", workspace.root)
        built = self._target_dir(target, profile) / target.triple / CARGO_PROFILE
        copy_artifacts(workspace, crate, built, out_dir)

    def repro(self, workspace: Workspace, crate: str, target: Target, profile: Profile = ABORT) -> str:
        argv = self._docker_argv(workspace, target, profile, self._planned(workspace.root))
        return shlex.join([*argv, *_cargo(crate, target)])

    def _planned(self, folder: Path | None) -> Crates:
        """The crates of a build for its repro command (the image's when they cannot be had)."""
        try:
            return self.crates(folder) if folder is not None else Crates(Origin.IMAGE)
        except BuildFailed:
            return Crates(Origin.IMAGE)

    def _tests_argv(self, test_crate: TestCrate, target: Target, out_dir: Path,
                    profile: Profile, crates: Crates) -> list[str]:
        """harness/artifacts/build_test_binaries.py in a throwaway container of the image, offline."""
        argv = ["docker", "run", "--rm", *container_labels(), "--network", "none",
                "-v", f"{TEST_BUILD}:/harness/build_test_binaries.py:ro",
                "-v", f"{self._target_dir(target, profile)}:/target", "-v", f"{out_dir}:/out",
                *_deps_mount(crates)]
        what = ["--upstream", test_crate.crate] if test_crate.crate else ["--path", "/ws"]
        if test_crate.path is not None:
            argv += ["-v", f"{test_crate.path}:/ws:ro"]
        if crates.lock is not None:
            argv += ["-v", f"{crates.lock}:{LOCK}:ro"]
            what += ["--lock", LOCK]
        if crates.origin is Origin.FETCHED:
            what += ["--locked"]
        if test_crate.package:
            what += ["--package", test_crate.package]
        if os.getuid() != 0:
            argv += ["--user", f"{os.getuid()}:{os.getgid()}"]
        if profile.rustflags:
            what += ["--rustflags", profile.rustflags]
        return [*argv, self.image, "python3", "/harness/build_test_binaries.py", "--target", target.triple,
                "--out", "/out", "--target-dir", "/target", *what]

    def compile_tests(self, test_crate: TestCrate, target: Target, out_dir: Path,
                      profile: Profile = ABORT) -> None:
        crates = self.crates(test_crate.path) if test_crate.path is not None else Crates(Origin.IMAGE)
        _run_build(self._tests_argv(test_crate, target, out_dir, profile, crates), "cargo test --no-run",
                   test_crate.path)

    def repro_tests(self, test_crate: TestCrate, target: Target, profile: Profile = ABORT) -> str:
        crates = self._planned(test_crate.path)
        return shlex.join(self._tests_argv(test_crate, target, Path("OUT_DIR"), profile, crates))


def _deps_mount(crates: Crates) -> list[str]:
    """docker run options that give a build container the crates fetched for it (read-only)."""
    if crates.origin is not Origin.FETCHED:
        return []
    return ["-v", f"{cargo_home()}:{DEPS_HOME}:ro", "-e", f"CARGO_HOME={DEPS_HOME}"]


def _cargo(crate: str, target: Target) -> list[str]:
    return ["cargo", "build", f"--{CARGO_PROFILE}", "--locked", "--offline", "-p", crate,
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


def make_lockfile(workspace_root: Path, image: str) -> Path:
    """`cargo generate-lockfile --offline` for a workspace (`cargo update --workspace --offline`
    when it has a lock: its versions stay), in a toolchain image, against the crates the image
    vendors; returns the lock file's path."""
    if not (workspace_root / "Cargo.toml").is_file():
        raise UserError(f"{workspace_root}: no Cargo.toml")
    argv = ["docker", "run", "--rm", *container_labels(), "--network", "none",
            "-v", f"{workspace_root}:/ws", "-w", "/ws"]
    if os.getuid() != 0:
        argv += ["--user", f"{os.getuid()}:{os.getgid()}"]
    locked = (workspace_root / "Cargo.lock").is_file()
    command = ["update", "--workspace"] if locked else ["generate-lockfile"]
    argv += [image, "cargo", *command, "--offline"]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise UserError(f"cargo {command[0]} failed:\n{result.stderr.strip()[-2000:]}")
    return workspace_root / "Cargo.lock"


def _run_build(argv: list[str], what: str, folder: Path | None = None) -> None:
    """Run a build container; BuildFailed with the last lines of its output when it fails (one
    line when a crate of `folder`'s could not be had)."""
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S,
                                check=False)
    except subprocess.TimeoutExpired:
        raise BuildFailed(f"{what} took longer than {BUILD_TIMEOUT_S}s") from None
    if result.returncode != 0:
        output = (result.stdout + "\n" + result.stderr).strip()
        missing = explain_missing(output, folder) if folder is not None else None
        raise BuildFailed(missing or "\n".join(output.splitlines()[-COMPILER_LINES:]))
