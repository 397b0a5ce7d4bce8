"""Cells: one case on one target under one runtime (built by one toolchain), and their expansion."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from harness.case import Case
from harness.expect import Expectation
from harness.expectations import Expectations, Rule
from harness.record import cell_name
from harness.runtime import Runtime
from harness.targets import Target


@dataclass(frozen=True)
class Cell:
    case: Case
    target: Target
    runtime: Runtime
    toolchain: str
    rule: Rule | None  # the rule deciding this cell's expectation, if any
    expectations: Expectations  # for the rules of single tests (libtest cells)
    named_with_toolchain: bool = False

    @property
    def id(self) -> str:
        return cell_name(self.case.id, self.target.triple, self.runtime.name,
                         self.toolchain if self.named_with_toolchain else "")

    @property
    def expectation_kind(self) -> str:
        return self.rule.kind if self.rule else "pass"

    @property
    def expect(self) -> Expectation:
        if self.rule is not None and self.rule.expect is not None:
            return self.rule.expect
        return self.case.expect


def expand(cases: Iterable[Case], expectations: Expectations, targets: Mapping[str, Target],
           runtimes: Mapping[str, Runtime], toolchains: Iterable[str]) -> Iterator[Cell]:
    """Every (case, target, runtime, toolchain) cell of the selection; a case whose kind is not
    built (a prebuilt wasi-testsuite binary) has no toolchain, so one cell per target and runtime."""
    chosen = list(toolchains)
    several = len(chosen) > 1
    for case in cases:
        for triple in case.targets:
            if triple not in targets:
                continue
            for runtime in runtimes.values():
                for toolchain in (chosen if case.kind.built else [""]):
                    rule = expectations.for_cell(case, triple, runtime, toolchain)
                    yield Cell(case, targets[triple], runtime, toolchain, rule, expectations, several)
