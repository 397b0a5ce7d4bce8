"""Cases and cells: what one guest must do on the targets it applies to (a case, of a kind that
says how it is run), and one case on one target under one runtime, built by one toolchain (a cell).

The suite sources (harness/sources/registry.py) make cases: YAML suites make fixture and
test-binary cases, a wasi-testsuite checkout makes prebuilt ones. A case's `kind` is the
strategy that gets its artifact, runs it and fills its kind's fields of the record
(harness/cells/kinds/); everything else about a case is the same for every kind.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from harness.catalogue.build_profiles import ABORT, Profile
from harness.catalogue.targets import Target
from harness.catalogue.toolchains import Toolchain
from harness.cells.evidence import Evidence
from harness.results.record import CellKind, cell_name
from harness.results.verdict import Judgment
from harness.runtime import Runtime
from harness.suites.expect import Expectation
from harness.suites.rules import Coordinates, Rule, RuleBook

if TYPE_CHECKING:
    from harness.cells.context import Context

DEFAULT_TIMEOUT_S = 60.0


class CaseKind(ABC):
    """How the cells of one kind of case get their artifact, run, and say what they are."""

    cell_kind: ClassVar[CellKind]
    built: ClassVar[bool] = True  # built by each toolchain (a toolchain is an axis of its cells)

    @abstractmethod
    def record_fields(self) -> dict[str, Any]:
        """The record's fields that say what the guest is (library, test binary, wasi suite)."""

    def build_group(self, cell: Cell) -> str | None:
        """What build the cell's artifact comes from (cells of one group share it), or None for
        an artifact nothing builds. The schedule starts one cell of each group first."""
        return None

    @abstractmethod
    def origin(self, cell: Cell, context: Context) -> tuple[str, str]:
        """Who makes the artifact (the builder's name, or "prebuilt") and the command that
        makes it again by hand ("" when nothing is built)."""

    @abstractmethod
    def not_runnable(self, cell: Cell, context: Context) -> Judgment | None:
        """The judgment of a cell of this kind that cannot run at all (the toolchain cannot build
        for the target, the harness cannot do what the guest needs), or None."""

    @abstractmethod
    def run(self, cell: Cell, context: Context, found: Evidence) -> Judgment:
        """Get the artifact, run it under the cell's runtime, gather what it finds in `found`
        (the cell runner writes it into the record); the judgment. May raise Stopped (a cell that
        ends before its guest's run) and SandboxLost."""


@dataclass(frozen=True)
class Case:
    id: str
    description: str
    kind: CaseKind
    features: tuple[str, ...]
    targets: tuple[str, ...]
    evidence: tuple[str, ...] = ()  # what it is evidence of for the dossier (hello-world, codegen)
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    stdin: str = ""
    dirs: dict[str, dict[str, str]] = field(default_factory=dict)  # guest path -> file -> content
    network: str = "none"
    timeout_s: float = DEFAULT_TIMEOUT_S
    expect: Expectation = field(default_factory=Expectation)
    overrides: tuple[Rule, ...] = ()
    path: Path = Path()
    line: int = 0


@dataclass(frozen=True)
class Cell:
    """A cell's coordinates (case, target, runtime, toolchain, build profile), each the object
    itself, and the rule that decides it."""

    case: Case
    target: Target
    runtime: Runtime
    toolchain: Toolchain | None  # None for a kind that is not built (a prebuilt guest)
    rule: Rule | None  # the rule deciding this cell's expectation, if any
    expectations: RuleBook  # for the rules of single tests (libtest cells)
    named_with_toolchain: bool = False
    profile: Profile = ABORT  # the build profile (a built kind's axis)

    @property
    def at(self) -> Coordinates:
        """The cell's coordinates, as rules select cells by them."""
        return Coordinates(self.case, self.target, self.runtime, self.toolchain, self.profile)

    @property
    def toolchain_name(self) -> str:
        """The toolchain's name, as records and rules name it ("" for a prebuilt guest)."""
        return self.at.toolchain_name

    @property
    def id(self) -> str:
        return cell_name(self.case.id, self.target.triple, self.runtime.name,
                         self.toolchain_name if self.named_with_toolchain else "", self.profile.suffix)

    @property
    def expectation_kind(self) -> str:
        return self.rule.kind if self.rule else "pass"

    @property
    def expect(self) -> Expectation:
        if self.rule is not None and self.rule.expect is not None:
            return self.rule.expect
        return self.case.expect


def expand(cases: Iterable[Case], expectations: RuleBook, targets: Mapping[str, Target],
           runtimes: Mapping[str, Runtime], toolchains: Iterable[Toolchain],
           profiles: Iterable[Profile] = (ABORT,)) -> Iterator[Cell]:
    """Every (case, target, runtime, toolchain, build profile) cell of the selection; a case
    whose kind is not built (a prebuilt wasi-testsuite binary) has no toolchain nor profile,
    so one cell per target and runtime."""
    chosen, built_as = list(toolchains), list(profiles)
    several = len(chosen) > 1
    for case in cases:
        for triple in case.targets:
            if triple not in targets:
                continue
            for runtime in runtimes.values():
                for toolchain in (chosen if case.kind.built else [None]):
                    for profile in (built_as if case.kind.built else [ABORT]):
                        rule = expectations.for_cell(Coordinates(case, targets[triple], runtime, toolchain,
                                                                 profile))
                        yield Cell(case, targets[triple], runtime, toolchain, rule, expectations,
                                   several, profile)
