"""The plan of one run: what its command line selects (targets, runtimes, toolchains, build
profiles), the suites it names and the shared rules each suites folder gets. Built once in
pytest_configure (each process of a run builds its own), stashed, and read everywhere else."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from harness import PROJECT_ROOT
from harness.artifacts.workspace import Workspace
from harness.catalogue.build_profiles import Profile
from harness.catalogue.targets import Target
from harness.catalogue.toolchains import Toolchain
from harness.cells.case import Case
from harness.run.options import (
    selected_profiles,
    selected_runtimes,
    selected_targets,
    selected_toolchains,
    workspace_of,
)
from harness.runtime import Runtime
from harness.sources.registry import Options, load_cases
from harness.suites.paths import WASI_MANIFEST, is_suite_file, suite_files, suite_root, suites_in_args
from harness.suites.rules import RuleBook, expectation_files

PROJECT_SUITES = PROJECT_ROOT / "suites"


@dataclass(frozen=True)
class Selection:
    """What the command line selects; unknown names are usage errors (raised by `of`)."""

    targets: dict[str, Target]
    runtimes: dict[str, Runtime]  # the selected columns, in column order
    toolchains: list[Toolchain]
    profiles: list[Profile]

    @classmethod
    def of(cls, config: pytest.Config) -> Selection:
        return cls(selected_targets(config), selected_runtimes(config), selected_toolchains(config),
                   selected_profiles(config))


@dataclass(frozen=True)
class RunPlan:
    selection: Selection
    workspace: Workspace
    suites: list[Path]  # the suite files and wasi-testsuite manifests the command line names
    extra_expectations: list[Path]  # --expectations, each folder read as its YAML files
    installed: dict[str, Runtime]  # every installed runtime (rules name any of them)
    _rules: dict[Path, RuleBook] = field(default_factory=dict, compare=False, repr=False)
    _cases: dict[Path, list[Case]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, config: pytest.Config, selection: Selection, installed: dict[str, Runtime]) -> RunPlan:
        extra: list[Path] = []
        for given in config.getoption("expectations"):
            path = Path(given)
            extra += sorted(p for p in path.glob("*.y*ml")) if path.is_dir() else [path]
        return cls(selection, workspace_of(config), suites_in_args(config.args), extra, installed)

    @property
    def runs_suites(self) -> bool:
        """Whether the command line names any suite (so cells may run, and Docker is needed)."""
        return bool(self.suites)

    @property
    def builds(self) -> bool:
        """Whether any named suite builds its guests (a wasi-testsuite one does not)."""
        return any(path.name != WASI_MANIFEST for path in self.suites)

    @property
    def suite_roots(self) -> list[Path]:
        """The folders of the run's YAML suites (a wasi-testsuite checkout has none of its own)."""
        return sorted({suite_root(p) for p in self.suites if is_suite_file(p)})

    def rules_root(self, suite_path: Path) -> Path:
        """The suites folder whose shared rules a suite gets: its own; a wasi-testsuite folder
        gets those of the run's first YAML suite's folder (the project's without one)."""
        if suite_path.name == WASI_MANIFEST:
            yaml_suites = [p for p in self.suites if is_suite_file(p)]
            return suite_root(yaml_suites[0]) if yaml_suites else PROJECT_SUITES.resolve()
        return suite_root(suite_path)

    def expectation_paths(self, root: Path) -> list[Path]:
        """The shared expectation files of a suites folder: its own, then --expectations."""
        return [*expectation_files(root), *self.extra_expectations]

    def rules(self, root: Path) -> RuleBook:
        """The shared rules of a suites folder, loaded once per process."""
        if root not in self._rules:
            self._rules[root] = RuleBook.load(self.expectation_paths(root), self.installed)
        return self._rules[root]

    def folder_cases(self, root: Path) -> list[Case]:
        """Every case of every suite of a suites folder (the whole matrix, not just what the
        run selects), loaded once per process. SuiteError on a broken file."""
        if root not in self._cases:
            self._cases[root] = [c for path in suite_files(root)
                                 for c in load_cases(path, Options(self.installed))]
        return self._cases[root]


PLAN = pytest.StashKey[RunPlan]()
