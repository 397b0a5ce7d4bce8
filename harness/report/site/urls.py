"""Where things are on the site: one page per cell, one anchor per test on it, the matrix's filters."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from harness.report.night_summary import CellState
from harness.results.record import CellResult, cell_anchor

CELLS = "cells"
PREVIOUS = "previous"  # the compared run's cell pages: previous/cells/...


def cell_page(cell: CellResult | CellState, run: str = "") -> str:
    """The cell's page, relative to the site's root (`run`: PREVIOUS for the compared run)."""
    return f"{run + '/' if run else ''}{CELLS}/{cell_anchor(cell.key)}.html"


def test_anchor(name: str) -> str:
    """A test's anchor on its cell's page (a later test whose name maps to the same anchor gets a
    suffix there: see test_ids)."""
    return "test-" + re.sub(r"[^A-Za-z0-9_.-]", "-", name)


def test_ids(cell: CellResult) -> list[str]:
    """The anchor of each of the cell's tests, in order, unique on the page."""
    ids: list[str] = []
    taken: set[str] = set()
    for test in cell.tests or []:
        anchor, n = test_anchor(test.name), 1
        while anchor in taken:
            n += 1
            anchor = f"{test_anchor(test.name)}-{n}"
        taken.add(anchor)
        ids.append(anchor)
    return ids


def test_link(cell: CellResult, name: str, run: str = "") -> str:
    return f"{cell_page(cell, run)}#{test_anchor(name)}"


def matrix(**filters: str) -> str:
    """matrix.html with its filters set (see harness/report/matrix_html.py)."""
    query = urlencode({k: v for k, v in filters.items() if v}, safe=",")
    return "matrix.html" + (f"?{query}" if query else "")
