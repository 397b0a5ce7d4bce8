"""The full matrix, for real: every cell's verdict is explained, every column ran, the cells known
to pass pass, and the reports agree.

One run of the hand-written suites (`pytest suites/ -n 2`, the README's main job less
the set-up and Rust's own tests, which take half an hour on 2 cores) and one run of
core's tests on wasm32-wasip1 under Wasmtime 45 per test session; the tests below read
what they wrote. With FULL_MATRIX_RESULTS=path/results.json they read that run instead (a
night's results, or a slice: then only the columns and cells it selected are checked).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import docker_ready

ROOT = Path(__file__).resolve().parent.parent
RESULTS = os.environ.get("FULL_MATRIX_RESULTS")
why_not = None if RESULTS else docker_ready()
pytestmark = [pytest.mark.docker, pytest.mark.skipif(why_not is not None, reason=str(why_not))]

# The image ships every runtime of the catalogue and the default toolchain, so no cell of the
# default run is `unavailable`: one is a runtime or toolchain gone missing.
EXPLAINED = {"pass", "unsupported", "xfail"}
WATCH_ROWS = {"wasm32-none-component", "wasm32-webp2"}  # targets no toolchain has: unavailable by design


def is_watch_row(cell: dict[str, Any]) -> bool:
    """A cell of a watch row, unavailable because the toolchain lacks the target (and saying so)."""
    return (cell["target"] in WATCH_ROWS and cell["verdict"] in ("unavailable", "unsupported")
            and ("does not have " + cell["target"] in cell["reason"] or cell["verdict"] == "unsupported"))
CATALOGUE = ROOT / "harness" / "catalogue" / "runtimes.yaml"  # the columns the runtimes image provides
# Cells seen to pass (on 2026-12-06), one `case[target-runtime]` a line: a cell here that does not
# pass is a regression, whatever a rule turned it into (an over-broad xfail or skip rule hides
# a failure as xfail or a pass as unsupported; a missing runtime makes it unavailable).
KNOWN_PASSING = ROOT / "tests" / "data" / "known-passing.txt"


def name(cell: dict[str, Any]) -> str:
    return f"{cell['case']}[{cell['target']}-{cell['runtime']}]"


def catalogue_columns() -> list[str]:
    return list(yaml.safe_load(CATALOGUE.read_text(encoding="utf-8")))


def columns_without_a_run(data: dict[str, Any]) -> dict[str, str]:
    """Each selected column of the catalogue whose cells never ran, and what its cells were."""
    cells = data["cells"]
    missing = {}
    for runtime in (r for r in data["run"]["runtimes"] if r in catalogue_columns()):
        own = [c for c in cells if c["runtime"] == runtime]
        if not any(c["ran"] for c in own):
            verdicts = sorted({c["verdict"] for c in own})
            reasons = sorted({c["reason"][:200] for c in own if c["verdict"] != "unsupported"})
            missing[runtime] = f"{len(own)} cells, none ran: {verdicts} {reasons[:2]}"
    return missing


def known_passing() -> set[str]:
    lines = KNOWN_PASSING.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def known_passing_that_did_not_pass(data: dict[str, Any]) -> dict[str, str]:
    """Each cell of the run listed as known to pass that did not: its verdict and reason."""
    known = known_passing()
    return {name(c): f"{c['verdict']}: {c['reason'][:300]}" for c in data["cells"]
            if name(c) in known and c["verdict"] != "pass"}


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, int]:
    if RESULTS:
        path = Path(RESULTS)
        data = json.loads(path.read_text())
        return path.parent, data, 1 if any(c["verdict"] not in EXPLAINED for c in data["cells"]) else 0
    out = tmp_path_factory.mktemp("matrix")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "suites/", "-n", "2", "-q", "-p", "no:cacheprovider",
         "--ignore", "suites/upstream.yaml", "--results-dir", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=3600, check=False,
    )
    results = out / "results.json"
    assert results.is_file(), run.stdout[-3000:] + run.stderr[-3000:]
    return out, json.loads(results.read_text()), run.returncode


def test_every_cell_has_an_explained_verdict(matrix: tuple) -> None:
    _, data, returncode = matrix
    unexplained = [f"{name(c)}: {c['verdict']}: {c['reason'][:200]}"
                   for c in data["cells"] if c["verdict"] not in EXPLAINED and not is_watch_row(c)]
    assert not unexplained, "\n".join(unexplained)
    assert returncode == 0
    for cell in data["cells"]:
        if cell["verdict"] != "pass":
            assert cell["reason"], cell
        if cell["verdict"] == "xfail":
            assert cell.get("link") or len(cell["reason"]) > 20, cell
            assert "(observed: " in cell["reason"], cell  # a failure was seen, and is named


def test_every_column_of_the_catalogue_ran_cells(matrix: tuple) -> None:
    """A runtime the image should provide and does not (its binary gone, renamed, broken) makes
    its whole column `unavailable`, or `unsupported` at best: never a quiet column."""
    _, data, _ = matrix
    if not RESULTS:  # the default run selects every column of the catalogue
        assert set(data["run"]["runtimes"]) >= set(catalogue_columns()), data["run"]["runtimes"]
    assert columns_without_a_run(data) == {}
    for runtime in (r for r in data["run"]["runtimes"] if r in catalogue_columns()):
        assert any(c["verdict"] == "pass" for c in data["cells"] if c["runtime"] == runtime), runtime


def test_the_cells_known_to_pass_pass(matrix: tuple) -> None:
    _, data, _ = matrix
    failing = known_passing_that_did_not_pass(data)
    assert not failing, "\n".join(f"{n}: {v}" for n, v in sorted(failing.items()))
    if not RESULTS:  # the whole run: every listed cell was in it
        assert known_passing() <= {name(c) for c in data["cells"]}


def test_the_features_users_come_for_pass_where_they_must(matrix: tuple) -> None:
    _, data, _ = matrix
    verdict = {(c["case"], c["target"], c["runtime"]): c["verdict"] for c in data["cells"]}
    thread_cases = {c["case"] for c in data["cells"] if "thread" in c["features"]}
    must = [(case, "wasm32-wasip1-threads", "wasmtime-45") for case in thread_cases
            if case != "thread.panic-join"]
    must += [("async-main.p3rc", "wasm32-wasip3", "wasmtime-45"),
             ("sockets.tcp-echo", "wasm32-wasip2", "wasmtime-45"),
             ("sockets.tcp-echo", "wasm32-wasip3", "wasmtime-45")]
    if RESULTS:  # a slice: the cells it has
        must = [key for key in must if key in verdict]
    failing = {key: verdict.get(key) for key in must if verdict.get(key) != "pass"}
    assert not failing


def test_the_reports_agree_with_results_json(matrix: tuple) -> None:
    out, data, _ = matrix
    if RESULTS and not (out / "junit.xml").is_file():
        pytest.skip(f"{RESULTS}: no reports beside it")
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
    if RESULTS:
        pytest.skip("FULL_MATRIX_RESULTS: the run of core's tests is not read from a file")
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
    # pass, not merely explained: a cell rule's xfail would hide a test that now fails
    assert coretests["verdict"] == "pass", coretests["reason"]
    outcomes = [t["outcome"] for t in coretests["tests"]]
    assert outcomes.count("passed") >= 2000, coretests["reason"]
    assert outcomes.count("ignored") > 0  # upstream's #[ignore] and wasm cfgs stay visible
    assert coretests["test_counts"]["passed"] == outcomes.count("passed")
