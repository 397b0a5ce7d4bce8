"""How the reports group cells: categories, counts, and row and column orders."""

from __future__ import annotations

from collections.abc import Iterable

from harness.results.record import CATEGORIES, FAIL, CellResult
from harness.results.store import ordered

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


def detail_rows(cell: CellResult, name: str) -> list[tuple[str, str]]:
    """What a cell's detail shows, label and value, in order (the matrix's and its page's)."""
    return [
        ("cell", name),
        ("verdict", cell.label + ("" if cell.label == cell.verdict else f" ({cell.verdict})")),
        ("reason", cell.reason),
        ("expectation", cell.expectation),
        ("expectation's reason", cell.expectation_reason),
        ("expectation from", cell.expectation_source),
        ("features", ", ".join(cell.features)),
        ("suite", f"{cell.suite}:{cell.line}" if cell.suite else ""),
        ("toolchain", cell.toolchain),
        ("build profile", f"panic={cell.build_profile}" if cell.toolchain else ""),
        ("exit code", "" if cell.exit_code is None else str(cell.exit_code)),
        ("duration", f"{cell.duration_s:.2f} s" if cell.duration_s else ""),
        ("runtime version", cell.versions.get("runtime", "")),
        ("command", " ".join(cell.command)),
        ("artifact", cell.artifact_sha256 or ""),
    ]
