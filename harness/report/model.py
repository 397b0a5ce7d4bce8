"""How the reports group cells: categories, counts, and row and column orders."""

from __future__ import annotations

from collections.abc import Iterable

from harness.record import CATEGORIES, FAIL, CellResult
from harness.results import ordered

FEATURE_ORDER = (
    "hello", "stdio", "args", "env", "exit", "panic", "clocks", "random",
    "fs", "thread", "sockets", "async-main",
)  # fmt: skip


def runtimes_of(cells: Iterable[CellResult], column_order: Iterable[str]) -> list[str]:
    return ordered((c.runtime for c in cells), column_order)


def features_of(cells: Iterable[CellResult]) -> list[str]:
    return ordered((c.group for c in cells), FEATURE_ORDER)


def counts(cells: Iterable[CellResult]) -> dict[str, int]:
    """Cells per report category (all categories present, zero when none)."""
    result = dict.fromkeys(CATEGORIES, 0)
    for cell in cells:
        result[cell.category] += 1
    return result


def failing_breakdown(cells: Iterable[CellResult]) -> str:
    """E.g. "crash 1, fail 2" for the cells counted as fail; "" when none."""
    found: dict[str, int] = {}
    for cell in cells:
        if cell.category == FAIL:
            found[cell.verdict] = found.get(cell.verdict, 0) + 1
    return ", ".join(f"{v} {n}" for v, n in sorted(found.items()))
