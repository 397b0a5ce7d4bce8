"""Builds side by side: which cells changed verdict from one toolchain, or build profile, to
the next.

Toolchains are ordered by their rustc version (the run header's toolchain_versions), each
under its build profiles in the catalogue's order (abort, then unwind), so a cell that fails
with an older toolchain and passes with a newer one was "fixed in" the newer, one that fails
under panic=abort and passes under unwind "fixed by panic=unwind", and the other way round
"regressed in" (or "by") it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from harness.catalogue.build_profiles import PROFILES
from harness.results.record import FAIL, PASS, XFAIL, CellResult
from harness.results.store import Results, ordered

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


def build_order(results: Results) -> list[str]:
    """The run's builds (CellResult.build): toolchains oldest rustc first, each under its build
    profiles in catalogue order."""
    rank = {p: i for i, p in enumerate(PROFILES)}
    toolchains = toolchain_order(results)
    firsts = {c.build: c for c in results.cells if c.toolchain}
    return sorted(firsts, key=lambda b: (toolchains.index(firsts[b].toolchain)
                                         if firsts[b].toolchain in toolchains else len(toolchains),
                                         rank.get(firsts[b].build_profile, len(rank))))


def summary_groups(results: Results, wasi: bool) -> Iterator[tuple[str, str, str, list[CellResult]]]:
    """(target, runtime, build, cells) of each row of a summary table: of the std evidence, or
    (`wasi`) of wasi-testsuite's tests; empty groups left out."""
    order = build_order(results)
    for target in results.targets:
        cells = [c for c in results.for_target(target) if c.is_std_evidence != wasi]
        for runtime in ordered((c.runtime for c in cells), results.runtimes):
            for build in ordered({c.build for c in cells}, order):
                mine = [c for c in cells if c.runtime == runtime and c.build == build]
                if mine:
                    yield target, runtime, build, mine


def rustc_of(results: Results, toolchain: str) -> str:
    versions = results.run.toolchain_versions.get(toolchain) or {}
    return str(versions.get("rustc", "")) or "unknown"


@dataclass(frozen=True)
class Difference:
    """One (case, target, runtime) whose verdict is not the same under every build."""

    case: str
    target: str
    runtime: str
    cells: tuple[CellResult, ...]  # in build order
    summary: str  # "fixed in X", "fixed by panic=unwind", "regressed in Y", ...


def differences(results: Results) -> list[Difference]:
    order = build_order(results)
    if len(order) < 2:
        return []
    groups: dict[tuple[str, str, str], dict[str, CellResult]] = {}
    for cell in results.cells:
        groups.setdefault((cell.case, cell.target, cell.runtime), {})[cell.build] = cell
    found = []
    for (case, target, runtime), by_build in sorted(groups.items()):
        cells = tuple(by_build[b] for b in order if b in by_build)
        if len({c.label for c in cells}) < 2:
            continue
        found.append(Difference(case, target, runtime, cells, _summary(cells)))
    return found


def _summary(cells: tuple[CellResult, ...]) -> str:
    """What happened along the builds, in order: each step from failing (known or not) to
    passing is a fix, each step from passing to failing a regression."""
    steps = []
    for before, after in itertools.pairwise(cells):
        where = (f"by panic={after.build_profile}" if before.toolchain == after.toolchain
                 else f"in {after.build}")
        if before.category in BROKEN and after.category in WORKS:
            steps.append(f"fixed {where}")
        elif before.category in WORKS and after.category in BROKEN:
            steps.append(f"regressed {where}")
        elif before.label != after.label:
            steps.append(f"{before.label} -> {after.label} {where}")
    return "; ".join(steps)
