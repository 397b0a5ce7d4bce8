"""A page per cell (cells/<anchor>.html): verdict, reason, rule, output, the reproduction command
and every test with an anchor of its own; with the nightly history, when the cell and each of its
tests that does not pass now last passed here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from harness.report.history import History
from harness.report.model import detail_rows
from harness.report.site import urls
from harness.results.record import PASS, CellKey, CellResult
from harness.results.verdict import FAILING_TESTS, TestOutcome

OUTPUT_CHARS = 64_000  # of each stream shown on a page (the rest is counted)
NOT_PASSED_FIRST = {TestOutcome.PASSED: 2, TestOutcome.IGNORED: 1, TestOutcome.SKIPPED: 1}
FAILING = FAILING_TESTS | {TestOutcome.XFAIL}  # the tests whose last pass a page names


@dataclass(frozen=True)
class LastPass:
    """When a cell, and each test of it, last passed in the nightly history."""

    cell: str  # a date, "" when never
    tests: dict[str, str]  # a test that fails now -> the date it last passed ("" never)
    nights: int  # the nights that ran the cell


def last_passes(history: History, cells: Iterable[CellResult]) -> dict[CellKey, LastPass]:
    """For every cell of `cells`: when it (and each of its tests that does not pass) last passed in
    the history's nights."""
    cell_pass: dict[CellKey, str] = {}
    nights: dict[CellKey, int] = {}
    test_pass: dict[CellKey, dict[str, str]] = {}
    wanted = {c.key: {t.name for t in c.tests or [] if t.outcome in FAILING} for c in cells}
    for run in history.runs:
        for key, names in wanted.items():
            state = run.cells.get(key)
            if state is None:
                continue
            nights[key] = nights.get(key, 0) + 1
            if state.label == PASS:
                cell_pass[key] = run.date
            tests = run.tests.get(key)
            if names and tests is not None:  # a night keeps the tests that did not pass (or were
                found = test_pass.setdefault(key, {})  # ignored): one it does not name passed
                for name in names:
                    if name not in tests.not_passed:
                        found[name] = run.date
    return {key: LastPass(cell_pass.get(key, ""), {n: test_pass.get(key, {}).get(n, "") for n in names},
                          nights.get(key, 0)) for key, names in wanted.items()}


def _clip(text: str) -> tuple[str, int]:
    return text[:OUTPUT_CHARS], max(0, len(text) - OUTPUT_CHARS)


def cell_context(cell: CellResult, name: str, last: LastPass | None, run: str = "",
                 run_date: str = "") -> dict[str, object]:
    """The template context of one cell's page."""
    depth = "../../" if run else "../"
    rows = [*detail_rows(cell, name), ("run", run_date)]
    streams = []
    for stream in ("stdout", "stderr"):
        text, more = _clip(getattr(cell, stream))
        if text:
            streams.append((stream, text, more))
    tests = []
    mine = cell.tests or []
    ids = urls.test_ids(cell)
    for i in sorted(range(len(mine)), key=lambda i: (NOT_PASSED_FIRST.get(mine[i].outcome, 0), i)):
        test = mine[i]
        since = last.tests.get(test.name) if last and test.outcome in FAILING else None
        tests.append({"id": ids[i], "test": test, "last_pass": since})
    return {
        "title": name, "cell": cell, "rows": [(k, v) for k, v in rows if v], "streams": streams,
        "tests": tests, "counts": ", ".join(f"{n} {o}" for o, n in cell.test_counts.items() if n),
        "last": last, "root": depth, "matrix": f"{depth}matrix.html#{cell.anchor}" if not run else "",
        "dossier": f"{depth}evidence/{cell.target}.html" if cell.is_std_evidence and not run else "",
    }
