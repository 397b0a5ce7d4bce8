"""Expectations that differ from a case's own: rules with a selector, a kind and a reason.

A rule is written either in a case (`overrides:`, applying to that case only) or in
a shared expectations file (`suites/expectations/*.yaml`, applying to every case it
selects), so that knowledge about a runtime or a target is written once. Which
rule decides a cell:
- a case's own overrides win over shared rules; among them, the last one wins;
- among shared rules, one that names runtimes, toolchains, build profiles or imports wins
  over one that does not, then one that names targets; among equals the later one (files in
  name order, rules in file order).
Rules with `tests:` apply to single tests of libtest cells, never to whole cells. A rule with
`finding:` (e.g. `lost-output`: a runtime known to lose the tail of stdout) decides nothing up
front: it applies, in every kind of case it selects, where a run shows that finding.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Protocol

from harness.catalogue.build_profiles import ABORT, PROFILES, Profile
from harness.catalogue.targets import Target
from harness.catalogue.toolchains import Toolchain, all_toolchains
from harness.runtime import Runtime, families
from harness.suites.expect import Expectation, parse_expectation
from harness.suites.yaml_files import YamlFile, parse_each, relative_name, suggest
from harness.suites.yaml_lines import Path_


class RuleKind(StrEnum):
    """What a rule says of the cells (or tests) it selects."""

    UNSUPPORTED = "unsupported"  # fails by design, exactly as documented
    XFAIL = "xfail"  # a known bug: fails, with a link
    SKIP = "skip"  # does not apply: never run

    @property
    def runs(self) -> bool:
        """Whether a cell (or test) this rule decides is run at all."""
        return self is not RuleKind.SKIP

    @property
    def expects_failure(self) -> bool:
        """A known bug: a failure is an xfail, a pass an xpass (a stale rule)."""
        return self is RuleKind.XFAIL


KINDS = tuple(RuleKind)
FINDINGS = ("lost-output",)  # what a finding rule may name (harness/results/record.py's FindingKind)
EXPECTATIONS_DIR = "expectations"
SCHEMA = "expectations.schema.json"


class SelectableCase(Protocol):
    """What rules select a case by (harness/cells/case.py's Case)."""

    @property
    def id(self) -> str: ...

    @property
    def features(self) -> tuple[str, ...]: ...

    @property
    def targets(self) -> tuple[str, ...]: ...

    @property
    def overrides(self) -> tuple[Rule, ...]: ...


@dataclass(frozen=True)
class Coordinates:
    """Where a cell is in the matrix: its case, target, runtime, toolchain and build profile,
    each the object itself (toolchain None: a prebuilt guest, built by none)."""

    case: SelectableCase
    target: Target
    runtime: Runtime
    toolchain: Toolchain | None = None
    profile: Profile = ABORT

    @property
    def toolchain_name(self) -> str:
        return self.toolchain.name if self.toolchain is not None else ""


class _AnyImports:
    """Stands for an artifact whose imports are not known: a rule on imports may apply."""


ANY_IMPORTS = _AnyImports()
# What an artifact imports of WASI: known, not known yet (None), or any (ANY_IMPORTS).
Imports = Sequence[str] | _AnyImports | None


@dataclass(frozen=True)
class Selector:
    """Which cells (and tests) a rule applies to; a missing field selects everything."""

    cases: tuple[str, ...] | None = None  # globs on case ids
    features: frozenset[str] | None = None  # the case lists any of them
    targets: frozenset[str] | None = None
    runtimes: frozenset[str] | None = None  # column names or families
    toolchains: frozenset[str] | None = None
    tests: tuple[str, ...] | None = None  # globs on libtest test names
    imports: tuple[str, ...] | None = None  # globs on the WASI interfaces the artifact imports
    profiles: frozenset[str] | None = None  # build profiles (abort, unwind)
    finding: str | None = None  # the rule applies where a run shows this finding (FINDINGS)

    def selects(self, at: Coordinates, imports: Imports = None) -> bool:
        """Whether it selects the cell; a rule on imports only once the artifact's are known
        (or, with ANY_IMPORTS, wherever an artifact may import what it names)."""
        case, target, runtime = at.case, at.target.triple, at.runtime
        toolchain, profile = at.toolchain_name, at.profile.name
        return (
            (self.cases is None or any(fnmatchcase(case.id, g) for g in self.cases))
            and (self.features is None or not self.features.isdisjoint(case.features))
            and (self.targets is None or target in self.targets)
            and (self.runtimes is None or runtime.name in self.runtimes
                 or runtime.family in self.runtimes)
            and (self.toolchains is None or toolchain in self.toolchains)
            and (self.profiles is None or profile in self.profiles)
            and (self.imports is None or imports is ANY_IMPORTS
                 or bool(self.imported(imports or ())))
        )

    def imported(self, imports: Imports) -> list[str]:
        """The artifact's imports that the rule names."""
        if imports is None or isinstance(imports, _AnyImports):
            return []
        return [i for i in imports if any(fnmatchcase(i, g) for g in self.imports or ())]

    def selects_test(self, name: str) -> bool:
        return self.tests is not None and any(fnmatchcase(name, g) for g in self.tests)

    @property
    def specificity(self) -> tuple[bool, bool]:
        named = (self.runtimes is not None or self.toolchains is not None or self.imports is not None
                 or self.profiles is not None)
        return (named, self.targets is not None)


@dataclass(frozen=True)
class Rule:
    """A different expectation for the cells (or tests) a selector picks, with its reason."""

    kind: RuleKind
    reason: str
    selector: Selector
    source: str  # "file:line" where it is written
    shared: bool = False  # from an expectations file rather than a case
    order: int = 0  # position among the rules of its kind of source
    link: str | None = None
    expect: Expectation | None = None  # unsupported only: how the documented failure looks
    intermittent: bool = False  # xfail only: a pass is reported as pass, not xpass

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", RuleKind(self.kind))


def _set(raw: dict[str, Any], key: str) -> frozenset[str] | None:
    return frozenset(raw[key]) if key in raw else None


def _tuple(raw: dict[str, Any], key: str) -> tuple[str, ...] | None:
    return tuple(raw[key]) if key in raw else None


def parse_rule(file: YamlFile, raw: dict[str, Any], at: Path_, *, shared: bool, order: int,
               runtimes: Mapping[str, Runtime]) -> Rule:
    """One schema-checked rule mapping; runtime names are checked against the plugins."""
    known = set(runtimes) | families(runtimes)
    for index, name in enumerate(raw.get("runtimes", [])):
        if name not in known:
            raise file.error((*at, "runtimes", index), f"unknown runtime {name!r}{suggest(name, known)}")
    toolchains = set(all_toolchains())
    for index, name in enumerate(raw.get("toolchains", [])):
        if name not in toolchains:
            raise file.error((*at, "toolchains", index),
                             f"unknown toolchain {name!r}{suggest(name, toolchains)}")
    kind = next(k for k in KINDS if k in raw)
    body = raw[kind]
    if "finding" in raw and (kind is not RuleKind.XFAIL or "tests" in raw):
        raise file.error((*at, "finding"), "a rule on a finding is an xfail for whole cells: "
                                           "it decides the cells and tests where the finding shows")
    expect = body.get("expect")
    selector = Selector(cases=_tuple(raw, "cases"), features=_set(raw, "features"),
                        targets=_set(raw, "targets"), runtimes=_set(raw, "runtimes"),
                        toolchains=_set(raw, "toolchains"), tests=_tuple(raw, "tests"),
                        imports=_tuple(raw, "imports"), profiles=_set(raw, "profiles"),
                        finding=raw.get("finding"))
    return Rule(
        kind=kind, reason=" ".join(body["reason"].split()), selector=selector,
        source=f"{relative_name(file.path)}:{file.line(at)}", shared=shared, order=order,
        link=body.get("link"),
        expect=parse_expectation(file, expect, (*at, kind, "expect")) if expect is not None else None,
        intermittent=body.get("intermittent", False),
    )


def load_rules(path: Path, runtimes: Mapping[str, Runtime], first_order: int = 0) -> list[Rule]:
    """The shared rules of one expectations file; SuiteError with the first problem of each rule."""
    file = YamlFile(path, SCHEMA)
    return parse_each(file.data["expectations"], lambda i, raw: parse_rule(
        file, raw, ("expectations", i), shared=True, order=first_order + i, runtimes=runtimes))


def expectation_files(suites_dir: Path) -> list[Path]:
    directory = suites_dir / EXPECTATIONS_DIR
    return sorted(p for p in directory.glob("*.y*ml") if p.suffix in (".yaml", ".yml"))


class RuleBook:
    """The shared rules of a run, and which rule decides each cell and test."""

    def __init__(self, rules: Iterable[Rule] = ()) -> None:
        self.rules = tuple(rules)
        self._cell_rules = tuple(r for r in self.rules
                                 if r.selector.tests is None and r.selector.finding is None)
        self._test_rules = tuple(r for r in self.rules if r.selector.tests is not None)
        self.finding_rules = tuple(r for r in self.rules if r.selector.finding is not None)

    @classmethod
    def load(cls, paths: Iterable[Path], runtimes: Mapping[str, Runtime]) -> RuleBook:
        rules: list[Rule] = []
        for path in paths:
            rules += load_rules(path, runtimes, first_order=len(rules))
        return cls(rules)

    def for_cell(self, at: Coordinates, imports: Imports = None) -> Rule | None:
        """The rule that decides the cell, or None (the case's own expectation holds); rules on
        the artifact's imports count once `imports` are known. A rule chosen by the imports it
        names says which of them the artifact has."""
        own = [r for r in at.case.overrides if r.selector.tests is None and r.selector.selects(at, imports)]
        shared = [r for r in self._cell_rules if r.selector.selects(at, imports)]
        rule = own[-1] if own else self._shared_rule(shared, catalogue_rule(at, imports))
        found = rule.selector.imported(imports) if rule is not None else []
        if rule is not None and found:
            rule = replace(rule, reason=f"{rule.reason} (this artifact imports {', '.join(found)})")
        return rule

    @staticmethod
    def _shared_rule(shared: list[Rule], linking: Rule | None) -> Rule | None:
        """Of the shared rules that select a cell, the one that decides it. Where the catalogue
        says the runtime cannot link what the artifact imports (`linking`), a shared rule on
        imports still says more (a known bug behind it); any other shared rule speaks of a run
        that cannot happen."""
        if linking is None:
            return _most_specific(shared)
        return _most_specific(r for r in shared if r.selector.imports is not None) or linking

    def test_rules(self, at: Coordinates) -> list[Rule]:
        """The test-level rules that may apply to tests of this cell (own ones first)."""
        own = [r for r in at.case.overrides if r.selector.tests is not None and r.selector.selects(at)]
        shared = [r for r in self._test_rules if r.selector.selects(at)]
        return own + shared


    def for_finding(self, finding: str, at: Coordinates) -> Rule | None:
        """The rule that says what a finding (FINDINGS) means in this cell, or None: the finding
        then fails the cell, as any failure does."""
        return _most_specific(r for r in self.finding_rules if r.selector.finding == finding
                              and r.selector.selects(at))


def for_test(rules: list[Rule], name: str) -> Rule | None:
    """The rule deciding the test `name`, from `RuleBook.test_rules` of its cell."""
    own = [r for r in rules if not r.shared and r.selector.selects_test(name)]
    if own:
        return own[-1]
    return _most_specific(r for r in rules if r.shared and r.selector.selects_test(name))


def _wasi_globs(version: str) -> tuple[str, ...]:
    """The import names of a WASI version (harness/artifacts/wasi_imports.py's wasi_versions)."""
    if version == "0.1":
        return ("wasi_snapshot_preview1", "wasi.*")
    if version == "0.2":
        return ("wasi:*@0.2.*",)
    return (f"wasi:*@{version}",)


def catalogue_rule(at: Coordinates, imports: Imports) -> Rule | None:
    """What the runtime catalogue says of a cell once its artifact's imports are known: a runtime
    that does not implement a WASI version the artifact imports cannot link it. An xfail, so a
    runtime that links it after all shows as an xpass (the catalogue is then wrong). A case's own
    rule, or a shared rule on imports, decides before it (RuleBook._shared_rule)."""
    if imports is None or isinstance(imports, _AnyImports):
        return None
    runtime = at.runtime
    missing = runtime.unlinked_wasi(imports)
    if not missing:
        return None
    reason = (f"the artifact imports WASI {' and '.join(missing)} interfaces, and {runtime.name} "
              f"does not link them: the runtime catalogue gives it WASI "
              f"{', '.join(sorted(runtime.wasi))} only, so it cannot instantiate the artifact")
    selector = Selector(targets=frozenset({at.target.triple}), runtimes=frozenset({runtime.name}),
                        imports=tuple(g for v in missing for g in _wasi_globs(v)))
    return Rule(kind=RuleKind.XFAIL, reason=reason, selector=selector,
                source=runtime.catalogue_source or "harness/catalogue/runtimes.yaml", shared=True)


def _most_specific(rules: Iterable[Rule]) -> Rule | None:
    return max(rules, key=lambda r: (r.selector.specificity, r.order), default=None)


def rule_usage(cases: Iterable[SelectableCase], expectations: RuleBook, targets: Mapping[str, Target],
               runtimes: Iterable[Runtime], toolchains: Iterable[Toolchain]) -> list[tuple[Rule, int]]:
    """Every cell rule (shared ones, then the cases' own) and how many cells of the whole
    matrix it decides (cells a runtime cannot run at all only count for skips); a rule on
    imports or on a finding, how many it may decide (where an artifact may import what it names,
    where the finding may show); a rule on single tests (`tests:`), how many cells it may decide
    tests of (the cells its other fields select, where the runtime can run the target). A rule
    that decides none is stale."""
    used: dict[int, int] = {}
    all_cases = list(cases)
    runtime_list, toolchain_list = list(runtimes), list(toolchains)
    on_imports = [r for r in expectations.rules
                  if r.selector.imports is not None and r.selector.tests is None]
    on_tests = [r for r in expectations.rules if r.selector.tests is not None]
    for case in all_cases:
        for triple in case.targets:
            if triple not in targets:
                continue
            for runtime in runtime_list:
                runnable = runtime.unsupported_reason(targets[triple]) is None
                for toolchain, profile in itertools.product(toolchain_list, PROFILES.values()):
                    at = Coordinates(case, targets[triple], runtime, toolchain, profile)
                    rule = expectations.for_cell(at)
                    counted = [rule] if rule is not None and (runnable or not rule.kind.runs) else []
                    counted += [r for r in on_imports if runnable and r.selector.selects(at, ANY_IMPORTS)]
                    counted += [r for r in [*on_tests, *(o for o in case.overrides
                                                         if o.selector.tests is not None)]
                                if runnable and r.selector.selects(at, ANY_IMPORTS)]
                    counted += [r for r in expectations.finding_rules if runnable and r.selector.selects(at)]
                    for decided in counted:
                        used[id(decided)] = used.get(id(decided), 0) + 1
    candidates = [*expectations.rules, *(r for c in all_cases for r in c.overrides)]
    return [(r, used.get(id(r), 0)) for r in candidates]
