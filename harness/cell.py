"""Cells: one case on one target under one runtime, and the expansion that makes them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from harness.results import cell_id
from harness.runtime import Runtime
from harness.suite import Case, Expectation, Override
from harness.targets import Target


@dataclass(frozen=True)
class Cell:
    case: Case
    target: Target
    runtime: Runtime

    @property
    def id(self) -> str:
        return cell_id(self.case.id, self.target.triple, self.runtime.name)

    @property
    def override(self) -> Override | None:
        return self.case.override_for(self.target.triple, self.runtime.name, self.runtime.family)

    @property
    def expectation_kind(self) -> str:
        override = self.override
        return override.kind if override else "pass"

    @property
    def expect(self) -> Expectation:
        override = self.override
        if override is not None and override.expect is not None:
            return override.expect
        return self.case.expect


def expand(cases: Iterable[Case], targets: dict[str, Target],
           runtimes: dict[str, Runtime]) -> Iterator[Cell]:
    """Every (case, target, runtime) cell, for the selected targets and runtimes."""
    for case in cases:
        for triple in case.targets:
            if triple not in targets:
                continue
            for runtime in runtimes.values():
                yield Cell(case, targets[triple], runtime)
