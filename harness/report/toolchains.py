"""Toolchains side by side: which cells changed verdict from one toolchain to the next.

Toolchains are ordered by their rustc version (the run header's toolchain_versions), so
a cell that fails with an older toolchain and passes with a newer one was "fixed in"
the newer, and the other way round "regressed in" it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from harness.record import FAIL, PASS, XFAIL, CellResult
from harness.results import Results, ordered

WORKS = frozenset({PASS})
BROKEN = frozenset({FAIL, XFAIL})  # known or not, the behaviour does not work


def _version_key(text: str) -> tuple[int, ...]:
    """`1.97.1+dfsg1-1` -> (1, 97, 1); unknown versions sort first."""
    match = re.search(r"(\d+)\.(\d+)\.(\d+)", text or "")
    return tuple(int(g) for g in match.groups()) if match else (0,)


def toolchain_order(results: Results) -> list[str]:
    """The run's toolchains, oldest rustc first (ties: the run's order)."""
    versions = results.run.toolchain_versions
    names = results.toolchains
    return sorted(names, key=lambda n: (_version_key(str((versions.get(n) or {}).get("rustc", ""))),
                                        names.index(n)))


def summary_groups(results: Results, wasi: bool) -> Iterator[tuple[str, str, str, list[CellResult]]]:
    """(target, runtime, toolchain, cells) of each row of a summary table: of the std
    evidence, or (`wasi`) of wasi-testsuite's tests; empty groups left out."""
    for target in results.targets:
        cells = [c for c in results.for_target(target) if c.is_std_evidence != wasi]
        for runtime in ordered((c.runtime for c in cells), results.runtimes):
            for toolchain in ordered({c.toolchain for c in cells}, toolchain_order(results)):
                mine = [c for c in cells if c.runtime == runtime and c.toolchain == toolchain]
                if mine:
                    yield target, runtime, toolchain, mine


def rustc_of(results: Results, toolchain: str) -> str:
    versions = results.run.toolchain_versions.get(toolchain) or {}
    return str(versions.get("rustc", "")) or "unknown"


@dataclass(frozen=True)
class Difference:
    """One (case, target, runtime) whose verdict is not the same under every toolchain."""

    case: str
    target: str
    runtime: str
    cells: tuple[CellResult, ...]  # in toolchain order
    summary: str  # "fixed in X", "regressed in Y", or "differs"


def differences(results: Results) -> list[Difference]:
    order = toolchain_order(results)
    if len(order) < 2:
        return []
    groups: dict[tuple[str, str, str], dict[str, CellResult]] = {}
    for cell in results.cells:
        groups.setdefault((cell.case, cell.target, cell.runtime), {})[cell.toolchain] = cell
    found = []
    for (case, target, runtime), by_toolchain in sorted(groups.items()):
        cells = tuple(by_toolchain[t] for t in order if t in by_toolchain)
        if len({c.label for c in cells}) < 2:
            continue
        found.append(Difference(case, target, runtime, cells, _summary(cells)))
    return found


def _summary(cells: tuple[CellResult, ...]) -> str:
    """What happened along the toolchains, oldest first: each step from failing (known or
    not) to passing is a fix, each step from passing to failing a regression."""
    steps = []
    for before, after in itertools.pairwise(cells):
        if before.category in BROKEN and after.category in WORKS:
            steps.append(f"fixed in {after.toolchain}")
        elif before.category in WORKS and after.category in BROKEN:
            steps.append(f"regressed in {after.toolchain}")
        elif before.label != after.label:
            steps.append(f"{before.label} -> {after.label} in {after.toolchain}")
    return "; ".join(steps)
