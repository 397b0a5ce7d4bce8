"""The pytest plugin: suites/*.yaml -> one item per cell -> records -> reports/.

Registered through the `pytest11` entry point. It collects only YAML files below a
directory named `suites`, so it stays out of the way of ordinary test runs.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.cell import Cell, expand
from harness.execution import Context, run_cell
from harness.fixtures import Workspace
from harness.results import RecordWriter
from harness.runtime import installed_runtimes
from harness.suite import SuiteError, load_suite
from harness.targets import Target, all_targets
from harness.verdict import Verdict

SUITE_DIR_NAME = "suites"
SUITE_SUFFIXES = (".yaml", ".yml")
PRUNED_DIRS = {"node_modules", "target", "__pycache__"}  # never hold suites
CASE_IDS = pytest.StashKey[dict[str, str]]()
CONTEXT = pytest.StashKey[Context]()
SESSION = pytest.StashKey["RunSession"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("wasm-conformance")
    group.addoption("--targets", action="append", default=[], metavar="LIST",
                    help="comma-separated target triples to run (default: all)")
    group.addoption("--runtimes", action="append", default=[], metavar="LIST",
                    help="comma-separated runtimes or runtime families (default: all)")
    group.addoption("--builder", default="docker", choices=["docker", "host"],
                    help="how fixtures are compiled (default: docker)")
    group.addoption("--results-dir", default="reports", type=Path, metavar="DIR",
                    help="where results.json and the reports go (default: reports/)")
    group.addoption("--compare", default=None, type=Path, metavar="OLD.json",
                    help="diff this run against an earlier results.json; fail on regressions")
    group.addoption("--fixtures-dir", default=None, type=Path, metavar="DIR",
                    help="the cargo workspace of fixtures (default: rust-fixtures/)")


def _split(values: list[str]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def selected_targets(config: pytest.Config) -> dict[str, Target]:
    names = _split(config.getoption("targets"))
    known = all_targets()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise pytest.UsageError(f"--targets: unknown {', '.join(unknown)} (known: {', '.join(known)})")
    return {t: known[t] for t in names} if names else dict(known)


def selected_runtimes(config: pytest.Config) -> dict:
    names = _split(config.getoption("runtimes"))
    known = installed_runtimes()
    if not names:
        return dict(known)
    chosen = {n: r for n, r in known.items() if n in names or r.family in names}
    unknown = [n for n in names if n not in known and n not in {r.family for r in known.values()}]
    if unknown:
        raise pytest.UsageError(f"--runtimes: unknown {', '.join(unknown)} (known: {', '.join(known)})")
    return chosen


def marker(name: str) -> str:
    return name.replace("-", "_").replace(".", "_")


def pytest_configure(config: pytest.Config) -> None:
    for target in all_targets().values():
        config.addinivalue_line("markers", f"{target.marker}: cells of {target.triple}")
    for runtime in installed_runtimes().values():
        config.addinivalue_line("markers", f"{marker(runtime.name)}: cells run by {runtime.name}")
        config.addinivalue_line("markers", f"{runtime.family}: cells run by the {runtime.family} family")
    from harness.suite import schema

    for feature in schema()["$defs"]["feature"]["enum"]:
        config.addinivalue_line("markers", f"{marker(feature)}: cases exercising {feature}")
    config.stash[CASE_IDS] = {}
    _STARTED.clear()  # a new session (pytester may run several in one process)
    selected_targets(config), selected_runtimes(config)  # refuse unknown names up front
    if _is_suite_run(config):  # a broken suite fails its own collection; the others still run
        config.option.continue_on_collection_errors = True
    workerinput = getattr(config, "workerinput", None)
    run_id = workerinput["wc_run_id"] if workerinput else _new_run_id()
    config.stash[SESSION] = RunSession(config, run_id)


def _new_run_id() -> str:
    return time.strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist: hand the run id to every worker."""
    node.workerinput["wc_run_id"] = node.config.stash[SESSION].run_id


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix in SUITE_SUFFIXES and SUITE_DIR_NAME in file_path.parent.parts:
        return SuiteFile.from_parent(parent, path=file_path)
    return None


def workspace_of(config: pytest.Config) -> Workspace:
    root = config.getoption("fixtures_dir")
    return Workspace(root.resolve()) if root else Workspace()


class SuiteFile(pytest.File):
    """One suite file; a malformed one fails its own collection only."""

    def collect(self) -> Iterator[CellItem]:
        config = self.config
        workspace = workspace_of(config)
        try:
            cases = load_suite(self.path, installed_runtimes(), workspace.check)
        except SuiteError as error:
            raise self.CollectError(str(error)) from None
        seen = config.stash[CASE_IDS]
        for case in cases:
            where = f"{self.path}:{case.line}"
            if case.id in seen and seen[case.id] != where:
                raise self.CollectError(
                    f"{where}: cases.id: duplicate case id {case.id!r} (first defined at {seen[case.id]})"
                )
            seen[case.id] = where
        for cell in expand(cases, selected_targets(config), selected_runtimes(config)):
            yield CellItem.from_parent(self, name=cell.id, cell=cell)


class CellFailure(Exception):
    """A cell whose verdict fails the pytest item."""

    def __init__(self, record: dict[str, Any]) -> None:
        super().__init__(record["verdict"])
        self.record = record


class CellItem(pytest.Item):
    def __init__(self, *, cell: Cell, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cell = cell
        self.add_marker(cell.target.marker)
        self.add_marker(marker(cell.runtime.name))
        self.add_marker(cell.runtime.family)
        for feature in cell.case.features:
            self.add_marker(marker(feature))

    def runtest(self) -> None:
        session = self.config.stash[SESSION]
        record = run_cell(self.cell, session.context())
        session.writer().append(record)
        self.user_properties.append(("verdict", record["verdict"]))
        verdict, reason = Verdict(record["verdict"]), record["reason"]
        if verdict in (Verdict.PASS, Verdict.UNSUPPORTED) and record["ran"]:
            return
        if verdict in (Verdict.UNSUPPORTED, Verdict.UNAVAILABLE):
            pytest.skip(f"{verdict.value}: {reason}")
        if verdict is Verdict.XFAIL:
            pytest.xfail(reason)
        raise CellFailure(record)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str | Any:
        if isinstance(excinfo.value, CellFailure):
            return describe_failure(excinfo.value.record)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.cell.case.line - 1, self.name


def describe_failure(record: dict[str, Any]) -> str:
    lines = [f"verdict: {record['verdict']}", f"reason: {record['reason']}"]
    if record.get("exit_code") is not None:
        lines.append(f"exit code: {record['exit_code']}")
    for stream in ("stdout", "stderr"):
        if record.get(stream):
            lines.append(f"{stream}:\n  " + "\n  ".join(record[stream].splitlines()[:20]))
    lines.append(f"reproduce: {record['repro']}")
    return "\n".join(lines)


class RunSession:
    """Per-process state of a run: the context (builder, sandbox) and the record writer."""

    def __init__(self, config: pytest.Config, run_id: str) -> None:
        self.config, self.run_id = config, run_id
        self._context: Context | None = None
        self._writer: RecordWriter | None = None

    @property
    def results_dir(self) -> Path:
        return Path(self.config.getoption("results_dir")).resolve()

    def writer(self) -> RecordWriter:
        if self._writer is None:
            worker = getattr(self.config, "workerinput", {}).get("workerid", "main")
            self._writer = RecordWriter(self.results_dir, self.run_id, worker)
        return self._writer

    def context(self) -> Context:
        if self._context is None:
            from harness.builder import installed_builders
            from harness.cache import cache_dir
            from harness.image import image_tag
            from harness.sandbox import Sandbox

            builder = installed_builders()[self.config.getoption("builder")]()
            files = {k: v for r in selected_runtimes(self.config).values()
                     for k, v in r.sandbox_files.items()}
            sandbox = Sandbox(image_tag(), cache_dir("artifacts"), cache_dir("sandbox"),
                              self.run_id, files)
            self._context = Context(self.run_id, builder, workspace_of(self.config), sandbox)
        return self._context

    def close(self) -> None:
        if self._context is not None:
            self._context.sandbox.close()


def pytest_sessionstart(session: pytest.Session) -> None:
    config = session.config
    if hasattr(config, "workerinput") or config.option.collectonly or not _is_suite_run(config):
        return
    from harness.preflight import preflight

    problem = preflight(config.getoption("builder"))
    if problem:
        pytest.exit(problem, returncode=pytest.ExitCode.USAGE_ERROR)


def _is_suite_run(config: pytest.Config) -> bool:
    """Whether the command line points at any suite file (so Docker is needed)."""
    for arg in config.args:
        path = Path(arg.split("::")[0]).resolve()
        if path.is_file():
            if path.suffix in SUITE_SUFFIXES and SUITE_DIR_NAME in path.parent.parts:
                return True
            continue
        for directory, subdirs, files in os.walk(path):
            subdirs[:] = [d for d in subdirs if not d.startswith(".") and d not in PRUNED_DIRS]
            if SUITE_DIR_NAME in Path(directory).parts and any(
                f.endswith(SUITE_SUFFIXES) for f in files
            ):
                return True
    return False


def pytest_runtest_logstart(nodeid: str, location: Any) -> None:
    """On the controller: remember which cells started (to report lost ones)."""
    if nodeid.split("::")[0].endswith(SUITE_SUFFIXES):
        _STARTED.add(nodeid)


_STARTED: set[str] = set()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    run = config.stash[SESSION]
    run.close()
    if hasattr(config, "workerinput") or config.option.collectonly:
        return
    if _STARTED:  # containers of workers that died, or of cells interrupted by Ctrl-C
        from harness.sandbox import remove_session_containers

        with contextlib.suppress(OSError):
            remove_session_containers(run.run_id)
    from harness.finish import finish_run

    status = finish_run(config, run.run_id, run.results_dir, sorted(_STARTED))
    if status and session.exitstatus == 0:
        session.exitstatus = status
