"""The pytest plugin: suites/*.yaml -> one item per cell -> records -> reports/.

Registered through the `pytest11` entry point. It collects only YAML files below a
directory named `suites` (except its `expectations/` folder, which holds shared
expectation files), so it stays out of the way of ordinary test runs.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.builder import BuildWaits
from harness.catalogue.targets import all_targets
from harness.catalogue.toolchains import all_toolchains
from harness.cells.case import Cell, expand
from harness.cells.context import Context
from harness.cells.runner import identity, run_cell
from harness.errors import UserError
from harness.results.record import CellKind, CellResult
from harness.results.store import RecordWriter
from harness.results.verdict import PytestOutcome
from harness.run.finish import SITE, STALE, TIME_SPENT
from harness.run.plan import PLAN, RunPlan, Selection
from harness.runtime import REGISTRY, installed_runtimes
from harness.sandbox.container import SESSION_ENV
from harness.sources.registry import Options, load_cases
from harness.sources.wasi_testsuite import find_manifests
from harness.sources.yaml_suites import features
from harness.suites.case_ids import CaseIds
from harness.suites.paths import (
    SUITE_DIR_NAME,
    WASI_MANIFEST,
    is_suite_file,
    misplaced_suites,
)
from harness.suites.yaml_files import SuiteError

pytest_plugins = ["harness.schedule"]  # the run's order and pace

CASE_IDS = pytest.StashKey[CaseIds]()
SESSION = pytest.StashKey["RunSession"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("wasm-conformance")
    group.addoption("--targets", action="append", default=[], metavar="LIST",
                    help="comma-separated target triples to run (default: all)")
    group.addoption("--runtimes", action="append", default=[], metavar="LIST",
                    help="comma-separated runtimes or runtime families (default: all)")
    group.addoption("--toolchains", action="append", default=[], metavar="LIST",
                    help="comma-separated toolchains of harness/catalogue/toolchains.yaml (default: the "
                         "catalogue's default); several make the toolchain an axis of the cells")
    group.addoption("--profiles", action="append", default=[], metavar="LIST",
                    help="comma-separated build profiles: abort (the default: the toolchain's own "
                         "std) and unwind (std built with panic=unwind); several make the profile "
                         "an axis of the cells")
    group.addoption("--builder", default="docker", choices=["docker", "host"],
                    help="`host` is short for --toolchains host (the host's own cargo)")
    group.addoption("--results-dir", default="reports", type=Path, metavar="DIR",
                    help="where results.json and the reports go (default: reports/)")
    group.addoption("--compare", default=None, type=Path, metavar="OLD.json",
                    help="diff this run against an earlier results.json; fail on regressions")
    group.addoption("--fixtures-dir", default=None, type=Path, metavar="DIR",
                    help="the cargo workspace of fixtures (default: rust-fixtures/)")
    group.addoption("--runtime-plugin", action="append", default=[], type=Path, metavar="FILE",
                    help="a Python file defining Runtime subclasses: extra runtime columns")
    group.addoption("--expectations", action="append", default=[], type=Path, metavar="PATH",
                    help="more shared expectation files (or folders of them), after the suites' own")
    group.addoption("--wasi-testsuite", action="append", default=[], type=Path, metavar="DIR",
                    help="also run the tests of this WebAssembly/wasi-testsuite checkout (its "
                         "prod/testsuite-base branch, which has the binaries)")
    group.addoption("--wasi-testsuite-os", default="linux", choices=["linux", "macos", "windows"],
                    help="which expectations/<runtime>/<os>.toml of the checkout to read")


def marker(name: str) -> str:
    return name.replace("-", "_").replace(".", "_")


def _stop_like_ctrl_c(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signal.Signals(signum).name}")


def pytest_configure(config: pytest.Config) -> None:
    # A run told to stop (a CI job cancelled, `kill`) ends as after a Ctrl-C: the cells so far
    # recorded and reported, the containers removed.
    if threading.current_thread() is threading.main_thread() \
            and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _stop_like_ctrl_c)
    REGISTRY.add_files(config.getoption("runtime_plugin"))
    try:
        runtimes = installed_runtimes()
    except UserError as error:
        raise pytest.UsageError(str(error)) from None
    for target in all_targets().values():
        config.addinivalue_line("markers", f"{target.marker}: cells of {target.triple}")
    for runtime in runtimes.values():
        config.addinivalue_line("markers", f"{marker(runtime.name)}: cells run by {runtime.name}")
        config.addinivalue_line("markers", f"{marker(runtime.family)}: cells of the {runtime.family} family")
    for feature in features():
        config.addinivalue_line("markers", f"{marker(feature)}: cases exercising {feature}")
    for toolchain in all_toolchains().values():
        config.addinivalue_line("markers", f"{toolchain.marker}: cells built by {toolchain.name}")
    config.addinivalue_line("markers", f"{marker(CellKind.WASI_TESTSUITE)}: prebuilt tests of "
                                       "WebAssembly/wasi-testsuite")
    config.stash[CASE_IDS] = CaseIds()
    selection = Selection.of(config)  # refuses unknown names up front
    _check_paths(config)
    _check_compare(config)
    _add_wasi_testsuite(config)
    plan = config.stash[PLAN] = RunPlan.of(config, selection, runtimes)
    if plan.runs_suites:  # a broken suite fails its own collection; the others still run
        config.option.continue_on_collection_errors = True
    workerinput = getattr(config, "workerinput", None)
    run_id = workerinput["wc_run_id"] if workerinput else _new_run_id()
    config.stash[SESSION] = RunSession(config, run_id)
    os.environ[SESSION_ENV] = run_id  # its builds' containers carry it (harness/sandbox/container.py)


def _check_paths(config: pytest.Config) -> None:
    """Folders and files the options name must be there before anything is collected."""
    for path in config.getoption("expectations"):
        if not Path(path).exists():
            raise pytest.UsageError(f"--expectations: {path}: no such file or folder (a shared "
                                    "expectations file, or a folder of them, was expected)")
    fixtures = config.getoption("fixtures_dir")
    if fixtures is not None and not (Path(fixtures) / "Cargo.toml").is_file():
        raise pytest.UsageError(f"--fixtures-dir: {fixtures}: no Cargo.toml there (a cargo workspace "
                                "of fixtures was expected, like rust-fixtures/)")


def _check_compare(config: pytest.Config) -> None:
    """--compare OLD.json is read at the end of the run: check it before the first cell."""
    old = config.getoption("compare")
    if old is None or hasattr(config, "workerinput"):
        return
    from harness.results.store import load_results

    try:
        load_results(old)
    except UserError as error:
        raise pytest.UsageError(f"--compare: {error}") from None


def _add_wasi_testsuite(config: pytest.Config) -> None:
    """--wasi-testsuite DIR: each suite folder's manifest becomes an argument to collect
    (alone when no suite was named on the command line)."""
    checkouts = config.getoption("wasi_testsuite")
    if not checkouts:
        return
    try:
        manifests = [str(m) for d in checkouts for m in find_manifests(Path(d))]
    except SuiteError as error:
        raise pytest.UsageError(f"--wasi-testsuite: {error}") from None
    if config.args_source is not pytest.Config.ArgsSource.ARGS:
        config.args[:] = []
    config.args += [m for m in manifests if m not in config.args]


def _new_run_id() -> str:
    return time.strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist: hand the run id to every worker."""
    node.workerinput["wc_run_id"] = node.config.stash[SESSION].run_id


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if is_suite_file(file_path):
        return SuiteFile.from_parent(parent, path=file_path)
    if file_path.name == WASI_MANIFEST and str(file_path) in parent.config.args:
        return SuiteFile.from_parent(parent, path=file_path)
    return None


class SuiteFile(pytest.File):
    """One suite file; a malformed one fails its own collection only."""

    def collect(self) -> Iterator[CellItem]:
        config = self.config
        plan = config.stash[PLAN]
        try:
            expectations = plan.rules(plan.rules_root(self.path))
            cases = load_cases(self.path, Options(plan.installed, plan.workspace.check,
                                                  config.getoption("wasi_testsuite_os")))
        except SuiteError as error:
            raise self.CollectError(str(error)) from None
        ids = config.stash[CASE_IDS]
        cases = [case for case in cases if ids.keep(self.nodeid, self.path, case.id, case.line)]
        chosen = plan.selection
        cells = expand(cases, expectations, chosen.targets, chosen.runtimes, chosen.toolchains,
                       chosen.profiles)
        for cell in cells:
            yield CellItem.from_parent(self, name=cell.id, cell=cell)


def pytest_collection_finish(session: pytest.Session) -> None:
    """pytest without xdist starts its sandbox once it has cells to run, in the background: the
    container boots while pytest reports the collection, not in the first cell (an xdist worker
    starts its own before collecting, pytest_sessionstart)."""
    config = session.config
    if (hasattr(config, "workerinput") or getattr(config.option, "numprocesses", None)
            or config.option.collectonly or not any(isinstance(i, CellItem) for i in session.items)):
        return
    config.stash[SESSION].context().sandbox.start()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    """Duplicate case ids: each blamed definition is one collection error of its file, and
    its cells are left out; every other case of both files stays."""
    ids = config.stash.get(CASE_IDS, None)
    if ids is None or not ids.duplicates:
        return
    blamed = ids.blamed()
    items[:] = [item for item in items if not (
        isinstance(item, CellItem) and (item.cell.case.id, item.path) in blamed)]
    for duplicate in ids.duplicates:
        report = pytest.CollectReport(duplicate.blamed.nodeid, "failed", duplicate.line(), [])
        config.hook.pytest_collectreport(report=report)


class CellFailure(Exception):
    """A cell whose verdict fails the pytest item."""

    def __init__(self, record: CellResult) -> None:
        super().__init__(record.verdict.value)
        self.record = record


class CellItem(pytest.Item):
    def __init__(self, *, cell: Cell, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cell = cell
        self.add_marker(cell.target.marker)
        self.add_marker(marker(cell.runtime.name))
        self.add_marker(marker(cell.runtime.family))
        for feature in cell.case.features:
            self.add_marker(marker(feature))
        self.add_marker(cell.toolchain.marker if cell.toolchain else marker(cell.case.kind.cell_kind))

    def runtest(self) -> None:
        session = self.config.stash[SESSION]
        session.writer().started(identity(self.cell))
        waited, first = BuildWaits.seconds, session.cells_run == 0
        record = run_cell(self.cell, session.context())
        session.cells_run += 1
        # for the controller's estimate: the wait for another worker's build, and whether the
        # process's first cell (which starts what the later ones reuse) took this long
        self.user_properties += [("waited_s", BuildWaits.seconds - waited), ("first", first)]
        session.writer().append(record)
        self.user_properties += [("verdict", record.verdict.value), ("wall_s", record.wall_s)]
        # for the controller's estimate: how much of the cell's time was its build (0: it found
        # its artifact built; None: it used none, e.g. a cell its runtime cannot run)
        used = 0.0 if record.built or record.build_key is not None else None
        self.user_properties.append(("build_s", (record.build_s or 0.0) if record.built else used))
        verdict, reason = record.verdict, record.reason
        outcome = verdict.pytest_outcome(record.ran)
        if outcome is PytestOutcome.PASSED:
            return
        if outcome is PytestOutcome.SKIPPED:
            pytest.skip(f"{verdict.value}: {reason}")
        if outcome is PytestOutcome.XFAILED:
            pytest.xfail(reason)
        raise CellFailure(record)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str | Any:
        if isinstance(excinfo.value, CellFailure):
            return describe_failure(excinfo.value.record)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.cell.case.line - 1, self.name


def describe_failure(record: CellResult) -> str:
    lines = [f"verdict: {record.verdict.value}", f"reason: {record.reason}"]
    if record.exit_code is not None:
        lines.append(f"exit code: {record.exit_code}")
    for stream in ("stdout", "stderr"):
        text = getattr(record, stream)
        if text:
            lines.append(f"{stream}:\n  " + "\n  ".join(text.splitlines()[:20]))
    lines.append(f"reproduce: {record.repro}")
    return "\n".join(lines)


class RunSession:
    """Per-process state of a run: the context (builders, sandbox), the writer (the plan is
    stashed apart, harness/run/plan.py)."""

    def __init__(self, config: pytest.Config, run_id: str) -> None:
        self.config, self.run_id = config, run_id
        self._context: Context | None = None
        self._writer: RecordWriter | None = None
        self.cells_run = 0

    @property
    def results_dir(self) -> Path:
        return Path(self.config.getoption("results_dir")).resolve()

    @property
    def worker(self) -> str:
        return str(getattr(self.config, "workerinput", {}).get("workerid", "main"))

    def writer(self) -> RecordWriter:
        if self._writer is None:
            self._writer = RecordWriter(self.results_dir, self.run_id, self.worker)
        return self._writer

    def context(self) -> Context:
        if self._context is None:
            from harness.artifacts.cache import cache_dir
            from harness.builder import builder_for
            from harness.images.recipes import runtimes_tag
            from harness.sandbox.container import Sandbox

            plan = self.config.stash[PLAN]
            builders = {t.name: builder_for(t) for t in plan.selection.toolchains}
            files = {k: v for r in plan.selection.runtimes.values() for k, v in r.sandbox_files.items()}
            sandbox = Sandbox(runtimes_tag(), cache_dir("artifacts"), cache_dir("sandbox"),
                              self.run_id, files)
            self._context = Context(self.run_id, builders, plan.workspace, sandbox, self.worker)
        return self._context

    def close(self) -> None:
        if self._context is not None:
            self._context.sandbox.close()


def pytest_sessionstart(session: pytest.Session) -> None:
    config = session.config
    plan = config.stash[PLAN]
    if config.option.collectonly or not plan.runs_suites:
        return
    if hasattr(config, "workerinput"):
        # the worker's sandbox boots in the background while the worker collects and xdist hands
        # out the cells (the controller's preflight has passed: the workers start after it)
        config.stash[SESSION].context().sandbox.start()
        return
    from harness.run.preflight import preflight

    problem = preflight(plan.selection.toolchains, plan.workspace, plan.builds)
    if problem:
        pytest.exit(problem, returncode=pytest.ExitCode.USAGE_ERROR)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    run = config.stash[SESSION]
    run.close()
    if hasattr(config, "workerinput") or config.option.collectonly or not config.stash[PLAN].runs_suites:
        return
    from harness.sandbox.container import remove_session_containers

    with contextlib.suppress(OSError):  # containers of workers that died, or of a Ctrl-C
        remove_session_containers(run.run_id)
    from harness.run.finish import finish_run

    status = finish_run(config, run.run_id, run.results_dir)
    if status and session.exitstatus == 0:
        session.exitstatus = status


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        misplaced = misplaced_suites(config.args)
        if misplaced:
            more = f" (and {len(misplaced) - 1} more)" if len(misplaced) > 1 else ""
            terminalreporter.write_line(
                f"{misplaced[0]}: reads like a suite but is not below a folder named "
                f"`{SUITE_DIR_NAME}`{more}, so nothing was collected: put the suites in a "
                f"`{SUITE_DIR_NAME}/` folder")
    timing = config.stash.get(TIME_SPENT, None)
    if timing:
        terminalreporter.section("where the run's time went (seconds)")
        for line in timing:
            terminalreporter.write_line(line)
    stale = config.stash.get(STALE, None)
    if stale:
        terminalreporter.section("stale expectations")
        for line in stale:
            terminalreporter.write_line(line)
    site = config.stash.get(SITE, None)
    if site is not None:
        terminalreporter.section("the site of this run")
        terminalreporter.write_line(f"the answers, the matrix, every cell: {site.resolve().as_uri()}")
