"""The run's pace: what counts as a cell, and which sessions are scheduled one cell at a time."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from harness.schedule import Pace, _is_cell, _runs_cells


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
    pace.start(["tests/test_judge.py::test_crash[signal]"], 2)
    pace.pytest_runtest_logreport(SimpleNamespace(when="teardown", nodeid="tests/x.py::t[a]"))  # type: ignore[arg-type]
    assert pace.progress is None and said == []
