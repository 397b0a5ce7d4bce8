"""A runtime added from a file outside the package: selected by name and family, in YAML and
on the command line, seen by doctor and in the matrix; adding it rebuilds no fixture."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.artifacts.cache import cache_dir
from tests.conftest import docker_ready

ROOT = Path(__file__).resolve().parent.parent
why_not = docker_ready()
pytestmark = [pytest.mark.docker, pytest.mark.skipif(why_not is not None, reason=str(why_not))]

SUITE = """\
cases:
  - id: hello.by-family
    fixture: hello
    targets: [wasm32-wasip1, wasm32-wasip2]
    expect: {stdout: {exact: "Hello, world!\\nhello: ok\\n"}}
    overrides:
      - targets: [wasm32-wasip2]
        runtimes: [winch]
        skip: {reason: "N/A: chosen by family in YAML"}
  - id: hello.by-name
    fixture: hello
    targets: [wasm32-wasip1, wasm32-wasip2]
    expect: {stdout: {exact: "Hello, world!\\nhello: ok\\n"}}
    overrides:
      - targets: [wasm32-wasip2]
        runtimes: [winch-45]
        skip: {reason: "N/A: chosen by name in YAML"}
"""


def builds() -> list[str]:
    log = cache_dir("logs") / "builds.jsonl"
    return log.read_text().splitlines() if log.is_file() else []


def run(directory: Path, *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "suites", "--results-dir", "out", "-p", "no:cacheprovider",
         "--fixtures-dir", str(ROOT / "rust-fixtures"), "--runtime-plugin", "plugins/winch_runtime.py",
         *args],
        cwd=directory, capture_output=True, text=True, timeout=900, check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads((directory / "out" / "results.json").read_text())


def test_a_runtime_from_a_file_is_a_column_like_any_other(tmp_path: Path) -> None:
    (tmp_path / "suites").mkdir()
    (tmp_path / "suites" / "hello.yaml").write_text(SUITE)
    (tmp_path / "plugins").mkdir()
    shutil.copy(ROOT / "docs" / "examples" / "winch_runtime.py", tmp_path / "plugins")

    run(tmp_path, "--runtimes", "wasmtime-45")  # the fixtures are built (or already cached)
    before = builds()
    by_family = run(tmp_path, "--runtimes", "winch")  # the family on the command line
    assert builds() == before  # a new column reuses every artifact: no compile at all
    cells = {(c["case"], c["target"]): c for c in by_family["cells"]}
    assert {c["runtime"] for c in by_family["cells"]} == {"winch-45"}
    for case in ("hello.by-family", "hello.by-name"):
        assert cells[(case, "wasm32-wasip1")]["verdict"] == "pass"
        assert cells[(case, "wasm32-wasip1")]["command"][:4] == ["wasmtime-45", "run", "-C",
                                                                 "compiler=winch"]
        na = cells[(case, "wasm32-wasip2")]
        assert (na["verdict"], na["ran"]) == ("unsupported", False)
    assert "by family" in cells[("hello.by-family", "wasm32-wasip2")]["reason"]
    assert "by name" in cells[("hello.by-name", "wasm32-wasip2")]["reason"]

    by_name = run(tmp_path, "--runtimes", "winch-45,wasmtime-45", "--targets", "wasm32-wasip1")
    assert by_name["run"]["runtimes"] == ["wasmtime-45", "winch-45"]  # the plugins' column order
    matrix = (tmp_path / "out" / "matrix.md").read_text()
    assert "| feature / case | wasmtime-45 | winch-45 |" in matrix

    doctor = subprocess.run(
        [sys.executable, "-m", "harness", "--runtime-plugin", "plugins/winch_runtime.py", "doctor",
         "--json"], cwd=tmp_path, capture_output=True, text=True, timeout=900, check=False)
    components = json.loads(doctor.stdout)["components"]
    assert components["winch-45"].startswith("45.0."), components


def test_an_opt_in_column_without_its_binary_is_unavailable_saying_why(tmp_path: Path) -> None:
    (tmp_path / "suites").mkdir()
    (tmp_path / "suites" / "hello.yaml").write_text(
        "cases:\n  - id: hello.plain\n    fixture: hello\n    targets: [wasm32-wasip1]\n")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "suites", "--results-dir", "out", "-p", "no:cacheprovider",
         "--fixtures-dir", str(ROOT / "rust-fixtures"), "--targets", "wasm32-wasip1",
         "--runtime-plugin", str(ROOT / "docs" / "examples" / "wasmtime_dev_runtime.py"),
         "--runtimes", "wasmtime-dev"],
        cwd=tmp_path, capture_output=True, text=True, timeout=900, check=False,
        env={**os.environ, "WASMTIME_DEV": str(tmp_path / "not-built" / "wasmtime")},
    )
    cells = json.loads((tmp_path / "out" / "results.json").read_text())["cells"]
    assert cells and {c["verdict"] for c in cells} == {"unavailable"}, result.stdout[-3000:]
    assert all("/opt/wasmtime-dev/wasmtime" in c["reason"] for c in cells), cells[0]["reason"]
    assert not (tmp_path / "not-built").exists()  # no mount made a directory in its place
