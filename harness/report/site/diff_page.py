"""diff.html: what changed between a previous run and this one, regressions first, each change
linked to the cell's page in both runs (the previous run's pages are under previous/cells/)."""

from __future__ import annotations

from dataclasses import dataclass

from harness.report.diff import GROUPS, Change, TestChange, compare
from harness.report.site import urls
from harness.results.record import CellResult
from harness.results.store import Results


@dataclass(frozen=True)
class ChangeRow:
    group: str
    text: str
    target: str
    old_href: str
    new_href: str


def _row(group: str, change: Change | TestChange) -> ChangeRow:
    """A change, linked to the cell (or the test, for a test's change) in both runs."""
    cell = change.new or change.old
    test = change.test if isinstance(change, TestChange) else ""

    def link(which: CellResult | None, run: str = "") -> str:
        if which is None:
            return ""
        return urls.test_link(which, test, run) if test else urls.cell_page(which, run)

    return ChangeRow(group, change.line(), cell.target if cell else "", link(change.old, urls.PREVIOUS),
                     link(change.new))


def diff_context(previous: Results, current: Results, previous_name: str,
                 current_name: str) -> dict[str, object]:
    """The template context of diff.html."""
    groups = compare(previous.cells, current.cells)
    rows = [_row(g, c) for g in GROUPS for c in groups[g]]
    return {"groups": [(g, len(groups[g])) for g in GROUPS], "rows": rows,
            "targets": sorted({r.target for r in rows}), "previous": previous_name,
            "current": current_name, "previous_date": previous.header("date"),
            "current_date": current.header("date"),
            "regressed": bool(groups["regressions"] or groups["test regressions"])}
