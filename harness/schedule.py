"""The run's order and pace (a pytest plugin the main one loads): the longest cells first, workers
that pull one cell at a time, what the run should take said up front, and an ETA per suite.

pytest-xdist's default (`--dist load`) hands each worker a long block of consecutive cells at
the start; with the longest cells first that would give one worker all the long ones. So the
plugin asks xdist for one cell at a time (`--maxschedchunk 1`, unless given), and the workers
pull the next longest cell as they free up: they end together.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from harness.results import timings
from harness.results.record import CellKind
from harness.run.estimate import Progress
from harness.suites.paths import SUITE_DIR_NAME, WASI_MANIFEST, is_suite_file

PROGRESS_EVERY_S = 60.0


def _cell_items(items: list[pytest.Item]) -> list[Any]:
    from harness.plugin import CellItem

    return [item for item in items if isinstance(item, CellItem)]


def _runs_cells(config: pytest.Config) -> bool:
    """Whether the session was asked for suites (not, e.g., for the project's own tests)."""
    return bool(config.getoption("wasi_testsuite", None)) or any(
        SUITE_DIR_NAME in Path(arg.split("::", 1)[0]).parts for arg in config.args)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(Pace(config), "wasm-conformance-pace")
    if (not hasattr(config, "workerinput") and getattr(config.option, "numprocesses", None)
            and getattr(config.option, "maxschedchunk", "absent") is None and _runs_cells(config)):
        config.option.maxschedchunk = 1


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    """The longest cells first, by the last run's timings (every worker sorts alike); but first
    of all the longest cell of each build, so that the workers build different crates at the
    same time instead of one waiting for the build the other is doing."""
    cells = _cell_items(items)
    if not cells:
        return
    known = timings.load()
    expected = {item.name: timings.expected(item.name, known, item.cell.case.kind.cell_kind
                                            is CellKind.LIBTEST) for item in cells}
    seen: set[str] = set()

    def first_of_its_build(item: Any) -> bool:
        group = item.cell.case.kind.build_group(item.cell)
        if group is None or group in seen:
            return False
        seen.add(group)
        return True

    by_length = sorted(cells, key=lambda item: -expected[item.name])
    firsts = {item.name for item in by_length if first_of_its_build(item)}
    order = sorted(by_length, key=lambda item: item.name not in firsts)  # stable: longest first in each
    others = [item for item in items if item not in set(cells)]
    items[:] = others + order
    _keep_plan(config, {item.nodeid: _planned(item.cell) for item in cells})


Plan = dict[str, tuple[str | None, bool, bool]]  # node id -> estimate.Planned's group, libtest, instant


def _planned(cell: Any) -> tuple[str | None, bool, bool]:
    """What the estimate knows of a cell before it runs: its build group, whether it runs a test
    binary, whether it is judged without running (then it builds nothing)."""
    from harness.cells.runner import judged_up_front

    instant = judged_up_front(cell) is not None
    return (None if instant else cell.case.kind.build_group(cell),
            cell.case.kind.cell_kind is CellKind.LIBTEST, instant)
PLAN = pytest.StashKey[Plan]()


def _plan_file(config: pytest.Config, worker: str) -> Path:
    """Where a worker leaves its plan for the controller (beside the run's records)."""
    from harness.plugin import SESSION
    from harness.results.store import RECORDS_DIR

    run = config.stash[SESSION]
    return run.results_dir / RECORDS_DIR / run.run_id / f"plan-{worker}.json"


def _keep_plan(config: pytest.Config, plan: Plan) -> None:
    """The plan of the cells collected, for the estimate: kept, or under xdist written for the
    controller (which collects nothing itself)."""
    config.stash[PLAN] = plan
    workerinput = getattr(config, "workerinput", None)
    if workerinput is None:
        return
    path = _plan_file(config, str(workerinput["workerid"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(plan))
    temporary.replace(path)


def _read_plan(config: pytest.Config, worker: str) -> Plan:
    try:
        raw = json.loads(_plan_file(config, worker).read_text())
    except (OSError, ValueError, KeyError):
        return {}
    return {str(k): (v[0], bool(v[1]), bool(v[2])) for k, v in raw.items()} if isinstance(raw, dict) else {}


def _is_cell(node_id: str) -> bool:
    """A node id of a cell: an item of a suite file or of a wasi-testsuite manifest (the other
    items a session may hold, e.g. the project's own tests, are not the run's cells)."""
    path = Path(node_id.split("::", 1)[0])
    return "::" in node_id and (is_suite_file(path) or path.name == WASI_MANIFEST)


class Pace:
    """The estimate said up front and the progress line every minute, for one pytest config
    (a plugin object per config: a test may run pytest inside pytest)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.progress: Progress | None = None
        self.last_line = 0.0
        self.free_since: dict[str, float] = {}  # worker -> when it last ended a cell
        self.started = 0.0

    def start(self, node_ids: list[str], workers: int, plan: Plan) -> None:
        cells = [node_id for node_id in node_ids if _is_cell(node_id)]
        if self.progress is not None or not cells:
            return
        self.progress = Progress.of(cells, workers, timings.load(), plan)
        self.last_line = self.started = time.monotonic()
        self.say(f"wasm-conformance: {self.progress.estimate()}")

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        """On the controller: the cells every worker collected (and the plan it left)."""
        worker = str(getattr(node, "workerinput", {}).get("workerid", ""))
        self.start(ids, int(self.config.option.numprocesses or 1), _read_plan(self.config, worker))

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Without xdist: the cells this process collected."""
        if hasattr(self.config, "workerinput") or getattr(self.config.option, "numprocesses", None):
            return
        self.start([item.nodeid for item in _cell_items(session.items)], 1,
                   self.config.stash.get(PLAN, {}))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "teardown" or self.progress is None or not _is_cell(report.nodeid):
            return
        # what the cell cost its worker: since the worker ended its last cell, so the harness's
        # own time between cells counts too (it is a part of the run's pace)
        now = time.monotonic()
        worker = str(getattr(getattr(report, "node", None), "workerinput", {}).get("workerid", "main"))
        seconds, self.free_since[worker] = now - self.free_since.get(worker, self.started), now
        said = dict(report.user_properties)
        build_s, waited_s, own_s = said.get("build_s"), said.get("waited_s"), said.get("wall_s")
        self.progress.done(report.nodeid, seconds,
                           float(build_s) if isinstance(build_s, (int, float)) else None,
                           float(waited_s) if isinstance(waited_s, (int, float)) else 0.0,
                           first=said.get("first") is True,
                           own_s=float(own_s) if isinstance(own_s, (int, float)) else None)
        if now - self.last_line >= PROGRESS_EVERY_S:
            self.last_line = now
            self.say(f"wasm-conformance progress: {self.progress.line()}")

    def say(self, line: str) -> None:
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(line)
