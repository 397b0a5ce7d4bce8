"""A user's crate's tests through the real image and runtimes: a failing test is that test's
failure with its message, an abort or a hang does not hide the tests after it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import docker_ready

ROOT = Path(__file__).resolve().parent.parent
why_not = docker_ready()
pytestmark = [pytest.mark.docker, pytest.mark.skipif(why_not is not None, reason=str(why_not))]

SUITE = f"""\
cases:
  - id: mine.unit
    libtest: {{path: {ROOT / "tests" / "libtest-crate"}, test: lib}}
    features: [libtest]
    targets: [wasm32-wasip1, wasm32-wasip2]
    test_timeout: 3s
  - id: mine.integration
    libtest: {{path: {ROOT / "tests" / "libtest-crate"}, test: integration}}
    features: [libtest]
    targets: [wasm32-wasip1]
"""


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict:
    directory = tmp_path_factory.mktemp("libtest")
    (directory / "suites").mkdir()
    (directory / "suites" / "mine.yaml").write_text(SUITE)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "suites", "--results-dir", "out", "-p", "no:cacheprovider",
         "--runtimes", "wasmtime-45,wazero,jco"],
        cwd=directory, capture_output=True, text=True, timeout=1800, check=False,
    )
    path = directory / "out" / "results.json"
    assert path.is_file(), run.stdout[-3000:] + run.stderr[-3000:]
    return {f"{c['case']}[{c['target']}-{c['runtime']}]": c for c in json.loads(path.read_text())["cells"]}


@pytest.mark.parametrize("cell", ["mine.unit[wasm32-wasip1-wasmtime-45]", "mine.unit[wasm32-wasip1-wazero]",
                                  "mine.unit[wasm32-wasip2-wasmtime-45]", "mine.unit[wasm32-wasip2-jco]"])
def test_every_test_reports_whatever_the_others_do(results: dict, cell: str) -> None:
    record = results[cell]
    tests = {t["name"]: t for t in record["tests"]}
    outcomes = {name: t["outcome"] for name, t in tests.items()}
    assert outcomes == {
        "tests::a_passes": "passed",
        "tests::b_fails_deliberately": "crashed",  # panic=abort: a failed assertion ends the process
        "tests::c_aborts": "crashed",
        "tests::d_after_the_abort_still_runs": "passed",
        "tests::e_ignored": "ignored",
        "tests::f_hangs": "timeout",
        "tests::g_after_the_hang_still_runs": "passed",
        "tests::h_works_for_a_while": "passed",
    }, record["reason"]
    # the hang ran out of its limit twice: once with the others, once alone with a longer one
    assert len(tests["tests::f_hangs"]["attempts_s"]) == 2
    assert "two doubled is not five" in tests["tests::b_fails_deliberately"]["message"]
    assert tests["tests::e_ignored"]["reason"] == "marked #[ignore]: slow on purpose"
    assert record["verdict"] == "fail"
    assert record["reason"].startswith("3 of 8 tests failed: tests::b_fails_deliberately (crashed: ")
    assert "two doubled is not five" in record["reason"]


def test_an_integration_test_binary_is_a_case_of_its_own(results: dict) -> None:
    record = results["mine.integration[wasm32-wasip1-wasmtime-45]"]
    assert record["verdict"] == "pass" and record["reason"] == "1 passed"
