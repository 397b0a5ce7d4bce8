"""libtest cells in the reports: pass rates, the tests that did not pass, std modules."""

from __future__ import annotations

from collections.abc import Iterable

from harness.builder import ONE_BINARY_PER_MODULE
from harness.results.record import CellResult, TestResult
from harness.results.verdict import TestOutcome

# Outcomes worth listing by name: every one but a plain pass (worst first: the enum's order).
NOT_PASSED: tuple[TestOutcome, ...] = tuple(o for o in TestOutcome if o is not TestOutcome.PASSED)


def is_libtest(cell: CellResult) -> bool:
    return cell.tests is not None


def ran(cell: CellResult) -> int:
    """Tests that ran (not ignored upstream, not skipped by an expectation)."""
    counts = cell.test_counts
    return sum(counts.values()) - counts["ignored"] - counts["skipped"]


def rate(cell: CellResult) -> str:
    """ "2269/2269" (passed of those that ran), with ignored/failing counts when any."""
    counts = cell.test_counts
    text = f"{counts['passed']}/{ran(cell)}"
    failing = cell.failing_tests
    notes = [f"{failing} failing" if failing else "", f"{counts['xfail']} xfail" if counts["xfail"] else "",
             f"{counts['ignored']} ignored" if counts["ignored"] else ""]
    extra = ", ".join(n for n in notes if n)
    return f"{text} ({extra})" if extra else text


def module_of(cell: CellResult, test: TestResult) -> str:
    """The part of the library a test exercises: `std::<binary>` for std's integration tests
    (a binary per module), else `<library>::<module>` from the test's path (`core::iter`)."""
    if cell.library in ONE_BINARY_PER_MODULE:
        return f"{cell.library}::{cell.test_binary.replace('-', '_')}"
    return f"{cell.library or cell.case}::{test.name.split('::', 1)[0]}"


def by_module(cells: Iterable[CellResult]) -> dict[str, dict[str, int]]:
    """module -> outcome -> count, over the tests of the given cells."""
    found: dict[str, dict[str, int]] = {}
    for cell in cells:
        for test in cell.tests or []:
            counts = found.setdefault(module_of(cell, test), {})
            counts[test.outcome] = counts.get(test.outcome, 0) + 1
    return dict(sorted(found.items()))


def not_passed(cell: CellResult) -> list[TestResult]:
    """The tests of a cell that did not simply pass, worst first."""
    order = {o: i for i, o in enumerate(NOT_PASSED)}
    return sorted((t for t in cell.tests or [] if t.outcome in order),
                  key=lambda t: (order[t.outcome], t.name))
