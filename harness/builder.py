"""The builder plugin API and build-once: one compile per (crate, target, toolchain, build
profile) and run."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path

from filelock import FileLock

from harness.artifacts.artifact import Build
from harness.artifacts.cache import cache_dir
from harness.artifacts.workspace import Workspace, source_hash
from harness.catalogue.build_profiles import ABORT, Profile
from harness.catalogue.targets import Target
from harness.catalogue.toolchains import Toolchain
from harness.errors import UserError
from harness.results.verdict import Judgment

ENTRY_POINT_GROUP = "wasm_conformance.builders"
CARGO_PROFILE = "release"  # cargo's
# The toolchain's own test crates (from its rust-src) and the library each one tests.
UPSTREAM_LIBRARIES = {"coretests": "core", "alloctests": "alloc", "std-tests": "std"}
# Libraries whose test binaries each test one module (std's integration tests: thread, env, ...).
ONE_BINARY_PER_MODULE = frozenset({"std"})


@dataclass(frozen=True)
class TestCrate:
    """A crate whose test binaries are built: one of the toolchain's own test crates (`crate`:
    coretests, alloctests, std-tests) or a user's (`path`, `package`)."""

    __test__ = False  # not a test class for pytest

    crate: str | None = None
    path: Path | None = None  # absolute
    package: str | None = None

    @property
    def name(self) -> str:
        """What names the build (every test target of it is built at once)."""
        return self.crate or f"{self.path}:{self.package or ''}"

    @property
    def upstream(self) -> bool:
        return self.crate is not None

    @property
    def library(self) -> str:
        """What its tests exercise: core, alloc, std, or the user's crate (its package or folder)."""
        if self.crate is not None:
            return UPSTREAM_LIBRARIES.get(self.crate, self.crate)
        return self.package or (self.path.name if self.path else "")


class BuildFailed(Exception):
    """The compiler rejected the crate; the message is the compiler's output."""


class Builder(ABC):
    """Compiles crates for a target with one toolchain of the catalogue. A plugin per place a
    toolchain builds in: `image` (cargo in the toolchain's image: Debian's, or a rustup
    channel's) and `host` (the host's own rustup toolchain)."""

    name: str = ""

    def __init__(self, toolchain: Toolchain) -> None:
        self.toolchain = toolchain

    @abstractmethod
    def toolchain_id(self) -> str:
        """Identifies what builds (compiler, std, linkers), not where; part of the cache key."""

    @abstractmethod
    def toolchain_versions(self) -> dict[str, str]:
        """Component -> version, for the records."""

    def target_verdict(self, target: Target, profile: Profile = ABORT) -> Judgment | None:
        """The judgment of every cell of `target` (built with `profile`) when this toolchain
        cannot build for it (N/A for a target it does not know, build-error when its std does
        not build, unavailable when its std is missing here), or None."""
        return None

    @abstractmethod
    def compile(self, workspace: Workspace, crate: str, target: Target, out_dir: Path,
                profile: Profile = ABORT) -> None:
        """Build `crate` for `target` with `profile`; copy every bin/cdylib `.wasm` into `out_dir`.

        Raises BuildFailed with the compiler's message."""

    def repro(self, workspace: Workspace, crate: str, target: Target, profile: Profile = ABORT) -> str:
        """A command a person can paste to rebuild the artifact."""
        return f"cargo build --{CARGO_PROFILE} --locked -p {crate} --target {target.triple}"

    @abstractmethod
    def compile_tests(self, test_crate: TestCrate, target: Target, out_dir: Path,
                      profile: Profile = ABORT) -> None:
        """Build every test binary of `test_crate` for `target` with `profile` into `out_dir` as
        `<test>.wasm` (harness/artifacts/build_test_binaries.py). Raises BuildFailed with the compiler's
        message."""

    def repro_tests(self, test_crate: TestCrate, target: Target, profile: Profile = ABORT) -> str:
        """A command a person can paste to rebuild the test binaries."""
        return f"cargo test --no-run --{CARGO_PROFILE} --target {target.triple}"


@cache
def installed_builders() -> dict[str, type[Builder]]:
    """Builder classes by where they build ("image", "host")."""
    return {p.name: p.load() for p in entry_points(group=ENTRY_POINT_GROUP)}


def builder_for(toolchain: Toolchain) -> Builder:
    builders = installed_builders()
    where = "image" if toolchain.in_image else "host"
    if where not in builders:
        raise UserError(f"no builder that builds in the {where} (installed: {', '.join(builders)})")
    return builders[where](toolchain)


def build_key(workspace: Workspace, crate: str, target: Target, toolchain_id: str,
              profile: Profile = ABORT) -> str:
    parts = [workspace.source_hash(crate), crate, target.triple, CARGO_PROFILE, toolchain_id]
    parts += [profile.name] if profile.suffix else []  # (the default's keys are as before profiles)
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]


def tests_key(test_crate: TestCrate, target: Target, toolchain_id: str, profile: Profile = ABORT) -> str:
    """The toolchain's own test crates are part of its rust-src (its identity covers them);
    a user's crate counts with every file of its folder."""
    source = "" if test_crate.upstream else source_hash(test_crate.path)  # type: ignore[arg-type]
    parts = ["tests", test_crate.name, source, target.triple, CARGO_PROFILE, toolchain_id]
    parts += [profile.name] if profile.suffix else []
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]


def build_once(builder: Builder, workspace: Workspace, crate: str, target: Target, run_id: str,
               profile: Profile = ABORT) -> Build:
    """The crate's build for `target` with `profile`, compiling only if no worker has done it yet."""
    key = build_key(workspace, crate, target, builder.toolchain_id(), profile)
    return _once(key, crate, target, builder, run_id,
                 lambda out: builder.compile(workspace, crate, target, out, profile))


def build_tests_once(builder: Builder, test_crate: TestCrate, target: Target, run_id: str,
                     profile: Profile = ABORT) -> Build:
    """Every test binary of a test crate for `target` (`<test>.wasm`), built once likewise."""
    key = tests_key(test_crate, target, builder.toolchain_id(), profile)
    return _once(key, test_crate.name, target, builder, run_id,
                 lambda out: builder.compile_tests(test_crate, target, out, profile))


class BuildWaits:
    """Seconds this process spent waiting for builds another worker was doing (a cell that
    waited is not slower to run: the run's estimate leaves the wait out)."""

    seconds = 0.0


def _once(key: str, what: str, target: Target, builder: Builder, run_id: str,
          compile_into: Callable[[Path], None]) -> Build:
    """A build by key, made only if no worker has made it yet (a file lock per key).

    A successful build is kept across runs (content-addressed); a failed one only for
    this run, so every cell of that build gets the same compiler message."""
    artifacts = cache_dir("artifacts")
    directory = artifacts / key
    failure = cache_dir("failures") / f"{key}-{run_id}.txt"
    entered = time.monotonic()
    with FileLock(str(cache_dir("locks") / f"{key}.lock")):
        done = directory / "build.json"
        if done.is_file():
            BuildWaits.seconds += time.monotonic() - entered
            stored = json.loads(done.read_text())
            return Build(key, what, target.triple, directory, stored["toolchain"],
                         sha256=stored.get("sha256", {}), seconds=stored.get("seconds"))
        if failure.is_file():
            return Build(key, what, target.triple, directory, error=failure.read_text())
        staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=artifacts))
        started = time.monotonic()
        try:
            compile_into(staging)
        except BuildFailed as error:
            shutil.rmtree(staging, ignore_errors=True)
            failure.write_text(str(error))
            _log_build(key, what, target, time.monotonic() - started, ok=False)
            return Build(key, what, target.triple, directory, error=str(error), fresh=True)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        toolchain = builder.toolchain_versions()
        digests = {p.stem: hashlib.sha256(p.read_bytes()).hexdigest() for p in staging.glob("*.wasm")}
        seconds = round(time.monotonic() - started, 2)
        (staging / "build.json").write_text(json.dumps(
            {"crate": what, "target": target.triple, "builder": builder.name,
             "toolchain": toolchain, "sha256": digests, "seconds": seconds},
            sort_keys=True,
        ))
        _make_readable(staging)  # the sandbox reads it as an unprivileged user
        staging.rename(directory)
        _log_build(key, what, target, seconds, ok=True)
        return Build(key, what, target.triple, directory, toolchain, sha256=digests, seconds=seconds,
                     fresh=True)


def _make_readable(directory: Path) -> None:
    directory.chmod(0o755)
    for path in directory.iterdir():
        path.chmod(0o644)


def _log_build(key: str, crate: str, target: Target, seconds: float, ok: bool) -> None:
    """One line per real compile, so benchmarks can count builds per (crate, target)."""
    line = json.dumps({"key": key, "crate": crate, "target": target.triple,
                       "seconds": round(seconds, 2), "ok": ok, "time": time.time()})
    with open(cache_dir("logs") / "builds.jsonl", "a") as handle:
        handle.write(line + "\n")
