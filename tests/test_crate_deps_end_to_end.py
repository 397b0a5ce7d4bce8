"""A crate and a fixture with a crates.io dependency the toolchain image does not vendor,
through the real image and a runtime: the lock is made against the registry (`harness lock`),
its crates fetched once into the harness's CARGO_HOME and mounted read-only into the build
container, which has no network; no image change. A crate with its own `cargo vendor`
directory builds from that instead."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import docker_ready

ROOT = Path(__file__).resolve().parent.parent
why_not = docker_ready()
pytestmark = [pytest.mark.docker, pytest.mark.skipif(why_not is not None, reason=str(why_not))]
DEPENDENCY = ("itoa", "1.0.11")  # small, no dependencies of its own, in no image's vendor directory

LIB = """\
pub fn decimal(n: u64) -> String {
    itoa::Buffer::new().format(n).to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_zero() { assert_eq!(super::decimal(0), "0"); }
    #[test]
    fn formats_max() { assert_eq!(super::decimal(u64::MAX), "18446744073709551615"); }
}
"""
MAIN = 'fn main() { println!("{}", itoa::Buffer::new().format(12345u32)); }\n'
SUITE = """\
cases:
  - id: deps.unit
    libtest: {{path: {crate}, test: lib}}
    features: [libtest]
    targets: [wasm32-wasip1, wasm32-wasip2]
  - id: deps.vendored
    libtest: {{path: {vendored}, test: lib}}
    features: [libtest]
    targets: [wasm32-wasip1]
  - id: deps.fixture
    fixture: uses-dep
    features: [hello]
    targets: [wasm32-wasip1]
    expect:
      exit_code: 0
      stdout: {{exact: "12345\\n"}}
"""


def package(folder: Path, name: str, source: tuple[str, str]) -> None:
    (folder / "src").mkdir(parents=True)
    (folder / "src" / source[0]).write_text(source[1])
    (folder / "Cargo.toml").write_text(f'[package]\nname = "{name}"\nversion = "0.1.0"\nedition = "2021"\n\n'
                                       f'[dependencies]\nitoa = "={DEPENDENCY[1]}"\n')


def lock(folder: Path, env: dict[str, str]) -> None:
    """`python -m harness lock`; skip when no registry answers (nothing to fetch from)."""
    done = subprocess.run([sys.executable, "-m", "harness", "lock", str(folder)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    if "no registry answered" in done.stderr:
        pytest.skip(done.stderr.strip())
    assert done.returncode == 0 and "resolved against the registry" in done.stdout, done.stderr


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, str]:
    directory = tmp_path_factory.mktemp("crate-deps")
    env = dict(os.environ, WASM_CONFORMANCE_CACHE=str(directory / "cache"))
    package(directory / "counts", "counts", ("lib.rs", LIB))
    (directory / "counts" / "Cargo.toml").write_text(
        (directory / "counts" / "Cargo.toml").read_text() + "\n[workspace]\n")
    fixtures = directory / "fixtures"
    package(fixtures / "uses-dep", "uses-dep", ("main.rs", MAIN))
    (fixtures / "Cargo.toml").write_text('[workspace]\nresolver = "2"\nmembers = ["uses-dep"]\n')
    lock(directory / "counts", env)
    lock(fixtures, env)
    vendored = directory / "counts-vendored"  # the user's own `cargo vendor` directory
    package(vendored, "counts-vendored", ("lib.rs", LIB))
    (vendored / "Cargo.toml").write_text((vendored / "Cargo.toml").read_text() + "\n[workspace]\n")
    lock(vendored, env)
    subprocess.run(["cargo", "vendor", "--locked", "--quiet"], cwd=vendored, capture_output=True, env=env,
                   timeout=600, check=True)
    (vendored / ".cargo").mkdir()
    (vendored / ".cargo" / "config.toml").write_text(
        '[source.crates-io]\nreplace-with = "vendored-sources"\n\n'
        '[source.vendored-sources]\ndirectory = "vendor"\n')
    (directory / "suites").mkdir()
    (directory / "suites" / "deps.yaml").write_text(
        SUITE.format(crate=directory / "counts", vendored=vendored))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "suites", "--results-dir", "out", "-p", "no:cacheprovider",
         "--fixtures-dir", str(fixtures), "--runtimes", "wasmtime-49"],
        cwd=directory, env=env, capture_output=True, text=True, timeout=1800, check=False)
    path = directory / "out" / "results.json"
    assert path.is_file(), done.stdout[-3000:] + done.stderr[-3000:]
    cells = {f"{c['case']}[{c['target']}-{c['runtime']}]": c for c in json.loads(path.read_text())["cells"]}
    return directory, cells, done.stdout


def test_the_image_does_not_vendor_the_dependency() -> None:
    """Else the test would prove nothing about fetching."""
    from harness.catalogue.toolchains import default_toolchain
    from runners.docker_builder import DockerBuilder

    assert DEPENDENCY not in DockerBuilder(default_toolchain()).vendored


@pytest.mark.parametrize("cell", ["deps.unit[wasm32-wasip1-wasmtime-49]",
                                  "deps.unit[wasm32-wasip2-wasmtime-49]",
                                  "deps.vendored[wasm32-wasip1-wasmtime-49]"])
def test_a_crate_with_a_registry_dependency_runs_its_tests(run: tuple[Path, dict, str], cell: str) -> None:
    _, cells, output = run
    record = cells[cell]
    assert record["verdict"] == "pass", (record["reason"], output[-2000:])
    assert record["reason"] == "2 passed"
    assert {t["name"]: t["outcome"] for t in record["tests"]} == {
        "tests::formats_zero": "passed", "tests::formats_max": "passed"}


def test_a_fixture_with_a_new_dependency_builds_without_an_image_change(run: tuple[Path, dict, str]) -> None:
    _, cells, output = run
    record = cells["deps.fixture[wasm32-wasip1-wasmtime-49]"]
    assert record["verdict"] == "pass", (record["reason"], output[-2000:])


def test_each_lock_was_fetched_once_into_the_harness_cargo_home(run: tuple[Path, dict, str]) -> None:
    directory, _, _ = run
    home = directory / "cache" / "cargo-home"
    for folder in (directory / "counts", directory / "fixtures"):
        key = hashlib.sha256((folder / "Cargo.lock").read_bytes()).hexdigest()[:24]
        assert (home / ".fetched" / key).is_file()
    assert any(home.glob(f"registry/src/*/{DEPENDENCY[0]}-{DEPENDENCY[1]}/Cargo.toml"))
    # the crate with its own vendor directory built from it: nothing was fetched for its lock
    key = hashlib.sha256((directory / "counts-vendored" / "Cargo.lock").read_bytes()).hexdigest()[:24]
    assert not (home / ".fetched" / key).exists()
