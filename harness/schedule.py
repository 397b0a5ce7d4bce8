"""The run's order and pace (a pytest plugin the main one loads): the longest cells first, workers
that pull one cell at a time, what the run should take said up front, and an ETA per suite.

pytest-xdist's default (`--dist load`) hands each worker a long block of consecutive cells at
the start; with the longest cells first that would give one worker all the long ones. So the
plugin asks xdist for one cell at a time (`--maxschedchunk 1`, unless given), and the workers
pull the next longest cell as they free up: they end together.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from harness import timings
from harness.record import CellKind

PROGRESS_EVERY_S = 60.0
_CONFIG: dict[str, pytest.Config] = {}
PROGRESS = pytest.StashKey[timings.Progress]()
LAST_LINE = pytest.StashKey[float]()


def _cell_items(items: list[pytest.Item]) -> list[Any]:
    from harness.plugin import CellItem

    return [item for item in items if isinstance(item, CellItem)]


def pytest_configure(config: pytest.Config) -> None:
    _CONFIG["config"] = config  # the report hook below is given no config
    if (not hasattr(config, "workerinput") and getattr(config.option, "numprocesses", None)
            and getattr(config.option, "maxschedchunk", "absent") is None):
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


def _start(config: pytest.Config, node_ids: list[str], workers: int) -> None:
    if PROGRESS in config.stash or not node_ids:
        return
    progress = timings.Progress.of(node_ids, workers, timings.load())
    config.stash[PROGRESS] = progress
    config.stash[LAST_LINE] = time.monotonic()
    _say(config, f"wasm-conformance: {progress.estimate()}")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node: Any, ids: list[str]) -> None:
    """On the controller: the cells every worker collected."""
    config = node.config
    _start(config, [i for i in ids if "[" in i], int(config.option.numprocesses or 1))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Without xdist: the cells this process collected."""
    config = session.config
    if hasattr(config, "workerinput") or getattr(config.option, "numprocesses", None):
        return
    _start(config, [item.nodeid for item in _cell_items(session.items)], 1)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    config = _CONFIG.get("config")
    if config is None or report.when != "teardown" or PROGRESS not in config.stash:
        return
    progress = config.stash[PROGRESS]
    progress.done(report.nodeid)
    now = time.monotonic()
    if now - config.stash[LAST_LINE] >= PROGRESS_EVERY_S:
        config.stash[LAST_LINE] = now
        _say(config, f"wasm-conformance progress: {progress.line()}")


def _say(config: pytest.Config, line: str) -> None:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(line)
