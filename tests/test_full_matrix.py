"""The full matrix, for real: every cell's verdict is explained, and the reports agree.

One run of the hand-written suites (`pytest suites/ -n 2`, the README's main job less
the set-up and Rust's own tests, which take half an hour on 2 cores) and one run of
core's tests on wasm32-wasip1 under Wasmtime 45 per test session; the tests below read
what they wrote.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import docker_ready

ROOT = Path(__file__).resolve().parent.parent
why_not = docker_ready()
pytestmark = [pytest.mark.docker, pytest.mark.skipif(why_not is not None, reason=str(why_not))]

EXPLAINED = {"pass", "unsupported", "xfail", "unavailable"}


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("matrix")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "suites/", "-n", "2", "-q", "-p", "no:cacheprovider",
         "--ignore", "suites/upstream.yaml", "--results-dir", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=3600, check=False,
    )
    results = out / "results.json"
    assert results.is_file(), run.stdout[-3000:] + run.stderr[-3000:]
    return out, json.loads(results.read_text()), run


def test_every_cell_has_an_explained_verdict(matrix: tuple) -> None:
    _, data, run = matrix
    unexplained = [f"{c['case']}[{c['target']}-{c['runtime']}]: {c['verdict']}: {c['reason'][:200]}"
                   for c in data["cells"] if c["verdict"] not in EXPLAINED]
    assert not unexplained, "\n".join(unexplained)
    assert run.returncode == 0, run.stdout[-3000:]
    for cell in data["cells"]:
        if cell["verdict"] != "pass":
            assert cell["reason"], cell
        if cell["verdict"] == "xfail":
            assert cell.get("link") or len(cell["reason"]) > 20, cell


def test_the_features_users_come_for_pass_where_they_must(matrix: tuple) -> None:
    _, data, _ = matrix
    verdict = {(c["case"], c["target"], c["runtime"]): c["verdict"] for c in data["cells"]}
    thread_cases = {c["case"] for c in data["cells"] if "thread" in c["features"]}
    must = [(case, "wasm32-wasip1-threads", "wasmtime-45") for case in thread_cases
            if case != "thread.panic-join"]
    must += [("async-main.p3rc", "wasm32-wasip3", "wasmtime-45"),
             ("sockets.tcp-echo", "wasm32-wasip2", "wasmtime-45"),
             ("sockets.tcp-echo", "wasm32-wasip3", "wasmtime-45")]
    failing = {key: verdict.get(key) for key in must if verdict.get(key) != "pass"}
    assert not failing


def test_the_reports_agree_with_results_json(matrix: tuple) -> None:
    out, data, _ = matrix
    cells = data["cells"]
    for name in ("matrix.md", "matrix.html", "junit.xml"):
        assert (out / name).is_file(), name
    for target in data["run"]["targets"]:
        assert (out / "evidence" / f"{target}.md").is_file(), target
    testcases = ET.parse(out / "junit.xml").getroot().iter("testcase")
    assert sum(1 for _ in testcases) == len(cells)
    html = (out / "matrix.html").read_text()
    assert html.count('data-verdict="') == len(cells)


@pytest.fixture(scope="module")
def coretests(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("coretests")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "suites/upstream.yaml", "-q", "-p", "no:cacheprovider",
         "-k", "upstream.coretests", "--targets", "wasm32-wasip1", "--runtimes", "wasmtime-45",
         "--results-dir", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=3600, check=False,
    )
    results = out / "results.json"
    assert results.is_file(), run.stdout[-3000:] + run.stderr[-3000:]
    cells = json.loads(results.read_text())["cells"]
    assert len(cells) == 1, [c["case"] for c in cells]
    return cells[0]


def test_core_tests_run_end_to_end_with_every_test_recorded(coretests: dict) -> None:
    assert coretests["verdict"] in EXPLAINED, coretests["reason"]
    outcomes = [t["outcome"] for t in coretests["tests"]]
    assert outcomes.count("passed") >= 2000, coretests["reason"]
    assert outcomes.count("ignored") > 0  # upstream's #[ignore] and wasm cfgs stay visible
    assert coretests["test_counts"]["passed"] == outcomes.count("passed")
