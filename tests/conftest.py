"""Shared fixtures of the harness's own tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, NoReturn

import pytest

from harness.catalogue.build_profiles import PROFILES
from harness.catalogue.targets import all_targets
from harness.catalogue.toolchains import all_toolchains
from harness.runtime import Runtime
from harness.suites.rules import Coordinates

pytest_plugins = ["pytester"]


def write_workspace(root: Path, crates: dict[str, list[str]]) -> Path:
    """A minimal cargo workspace: crate name -> its bins (empty: one src/main.rs)."""
    root.mkdir(parents=True, exist_ok=True)
    members = ", ".join(f'"{name}"' for name in crates)
    (root / "Cargo.toml").write_text(f'[workspace]\nresolver = "2"\nmembers = [{members}]\n')
    (root / "Cargo.lock").write_text("version = 4\n")
    for name, bins in crates.items():
        crate = root / name
        (crate / "src").mkdir(parents=True, exist_ok=True)
        (crate / "Cargo.toml").write_text(
            f'[package]\nname = "{name}"\nversion = "0.1.0"\nedition = "2021"\n'
        )
        if bins:
            (crate / "src" / "bin").mkdir(exist_ok=True)
            for bin_name in bins:
                (crate / "src" / "bin" / f"{bin_name}.rs").write_text("fn main() {}\n")
        else:
            (crate / "src" / "main.rs").write_text('fn main() { println!("hello"); }\n')
    return root


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return write_workspace(tmp_path / "fixtures", {"hello": [], "multi": ["one", "two"]})


def docker_ready() -> str | None:
    """Why the end-to-end tests cannot run here, or None when engine and image are there.

    Under CI (the environment variable CI set) they must run: a reason is an error then,
    raised at collection, never a silent skip."""
    import docker.errors

    from harness.errors import UserError
    from harness.run.preflight import preflight

    if shutil.which("docker") is None:
        why: str | None = "no docker CLI"
    else:
        try:
            why = preflight()
        except (docker.errors.DockerException, OSError, UserError) as error:  # engine trouble
            why = f"{type(error).__name__}: {error}"
    if why and os.environ.get("CI"):
        raise RuntimeError(f"CI needs the Docker engine and the toolchain image: {why}")
    return why


def tool_missing(what: str) -> NoReturn:
    """A real check whose tool is missing here: a skip that says why; under CI (the environment
    variable CI set) a failure in one line naming the tool, never a silent skip."""
    if os.environ.get("CI"):
        pytest.fail(f"CI needs {what}", pytrace=False)
    pytest.skip(what)


def artifacts_dir() -> Path:
    """Where tests keep files for a person to look at (screenshots): $TEST_ARTIFACTS_DIR, else
    reports/test-artifacts/ (not tracked); CI uploads it."""
    root = Path(__file__).resolve().parent.parent
    path = Path(os.environ.get("TEST_ARTIFACTS_DIR") or root / "reports" / "test-artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


def at(case: Any, target: str, runtime: Runtime, toolchain: str = "debian-sid",
       profile: str = "abort") -> Coordinates:
    """A cell's coordinates from the names tests write (the catalogues' objects they name)."""
    chosen = all_toolchains()[toolchain] if toolchain else None
    return Coordinates(case, all_targets()[target], runtime, chosen, PROFILES[profile])
