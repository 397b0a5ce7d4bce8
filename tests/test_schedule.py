"""The run's pace: what counts as a cell, and which sessions are scheduled one cell at a time."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from harness.schedule import PLAN, Pace, _is_cell, _keep_plan, _read_plan, _runs_cells


@pytest.mark.parametrize(("node_id", "cell"), [
    ("suites/std.yaml::std.env[wasm32-wasip1-wasmtime-45]", True),
    ("/checkout/tests/rust/testsuite/manifest.json::fs-rename[wasm32-wasip1-wasmtime-49]", True),
    ("tests/test_judge.py::test_crash[signal]", False),  # the project's own (parametrized) test
    ("suites/expectations/wasmtime.yaml", False),
])
def test_only_items_of_suites_count_as_cells(node_id: str, cell: bool) -> None:
    assert _is_cell(node_id) is cell


def fake_config(*args: str, wasi: list[str] | None = None) -> Any:
    return SimpleNamespace(args=list(args), getoption=lambda name, default=None: wasi or default)


def test_a_session_of_suites_is_scheduled_cell_by_cell_and_one_of_tests_is_not() -> None:
    assert _runs_cells(fake_config("suites/"))
    assert _runs_cells(fake_config("suites/upstream.yaml::upstream.coretests"))
    assert _runs_cells(fake_config(wasi=["/checkout"]))
    assert not _runs_cells(fake_config("tests/"))


def test_a_session_without_cells_says_no_estimate_and_counts_no_progress() -> None:
    """A session of other tests (or a pytest run inside a test) has no pace of its own."""
    said: list[str] = []
    pace = Pace(SimpleNamespace(option=SimpleNamespace(numprocesses=2)))  # type: ignore[arg-type]
    pace.say = said.append  # type: ignore[method-assign]
    pace.start(["tests/test_judge.py::test_crash[signal]"], 2, {})
    pace.pytest_runtest_logreport(SimpleNamespace(when="teardown", nodeid="tests/x.py::t[a]"))  # type: ignore[arg-type]
    assert pace.progress is None and said == []


def test_a_workers_plan_reaches_the_controllers_estimate(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Under xdist only the workers collect: each leaves the cells' build groups beside the
    run's records, and the controller's estimate counts the builds outstanding from them."""
    from harness.plugin import SESSION

    monkeypatch.setenv("WASM_CONFORMANCE_CACHE", str(tmp_path / "cache"))  # no timings yet
    plan = {"suites/hello.yaml::hello.world[wasm32-wasip1-wasmtime-45]":
            ("hello wasm32-wasip1", False, False),
            "suites/upstream.yaml::upstream.coretests[wasm32-wasip1-jco]": ("tests core", True, False)}
    session = SimpleNamespace(results_dir=tmp_path, run_id="20261206T000000-abcdef")
    worker = SimpleNamespace(stash={SESSION: session}, workerinput={"workerid": "gw0"})
    _keep_plan(worker, plan)  # type: ignore[arg-type]
    assert worker.stash[PLAN] == plan
    controller = SimpleNamespace(stash={SESSION: session}, option=SimpleNamespace(numprocesses=2))
    assert _read_plan(controller, "gw0") == plan  # type: ignore[arg-type]
    assert _read_plan(controller, "gw1") == {}  # type: ignore[arg-type]
    said: list[str] = []
    pace = Pace(controller)  # type: ignore[arg-type]
    pace.say = said.append  # type: ignore[method-assign]
    pace.start(list(plan), 2, _read_plan(controller, "gw0"))  # type: ignore[arg-type]
    assert pace.progress is not None and said and "no timings yet" in said[0]
    assert pace.progress.remaining.left["suites/upstream.yaml::upstream.coretests[wasm32-wasip1-jco]"].libtest
