"""Running a cell: build once, run the guest in the sandbox, judge, and make the record."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from harness import libtest
from harness.builder import Builder, build_once, build_tests_once
from harness.cell import Cell
from harness.fixtures import Workspace
from harness.judge import judge
from harness.outcome import Outcome
from harness.prebuilt import stage_file, stage_folder
from harness.record import UNSUPPORTED_BY_HARNESS, WASI_TESTSUITE, CellResult
from harness.runtime import Invocation, Runtime
from harness.sandbox import ARTIFACTS_MOUNT, Sandbox, SandboxLost
from harness.suite_file import relative_name
from harness.verdict import Verdict

EXCERPT_LINES = 15
EXCERPT_CHARS = 4000
VERSION_TIMEOUT_S = 60.0
DEADLINE_MARGIN_S = 60.0  # how much longer than the guest's limit to wait for the executor


@dataclass
class Context:
    """What every cell of one process of a run shares."""

    run_id: str
    builders: dict[str, Builder]  # by toolchain name
    workspace: Workspace
    sandbox: Sandbox
    _versions: dict[str, tuple[str | None, str]] = field(default_factory=dict)

    def runtime_version(self, runtime: Runtime) -> tuple[str | None, str]:
        """The runtime's version as its binary reports it, or None and why it cannot run."""
        if runtime.name not in self._versions:
            result = self.sandbox.run({"argv": runtime.version_argv(), "timeout_s": VERSION_TIMEOUT_S},
                                      VERSION_TIMEOUT_S + 30)
            if result["spawn_error"] or result["exit_code"] != 0:
                why = result["spawn_error"] or (result["stderr"] or result["stdout"]).strip()[-300:]
                self._versions[runtime.name] = (None, why)
            else:
                version = runtime.parse_version(result["stdout"] + result["stderr"])
                self._versions[runtime.name] = (version, "")
        return self._versions[runtime.name]

    def run_guest(self, argv: list[str], stdin: str, timeout_s: float, files: dict[str, str],
                  mkdirs: list[str], idle_timeout_s: float | None = None,
                  copies: dict[str, str] | None = None) -> Outcome:
        """One guest process in a fresh scratch directory of the sandbox (SandboxLost on a fault);
        with an idle limit, it is killed when it writes nothing for that long. `copies` are
        folders of the sandbox copied into the scratch directory first."""
        request = {"argv": argv, "stdin": stdin, "timeout_s": timeout_s, "files": files, "mkdirs": mkdirs,
                   "idle_timeout_s": idle_timeout_s, "copies": copies or {}}
        return Outcome.from_result(self.sandbox.run(request, timeout_s + DEADLINE_MARGIN_S))


def run_cell(cell: Cell, context: Context) -> CellResult:
    """Everything that happens to one cell, ending in its record (never raises SandboxLost)."""
    started = time.monotonic()
    record = _run(cell, context)
    record.wall_s = round(time.monotonic() - started, 4)  # harness cost included
    return record


def base_record(cell: Cell, context: Context) -> CellResult:
    """The record of a cell before it runs: what it is and what it expects."""
    rule = cell.rule
    if cell.case.wasi is not None:
        builder_name, repro = "prebuilt", ""
    else:
        builder = context.builders[cell.toolchain]
        builder_name = builder.name
        repro = (builder.repro_tests(cell.case.libtest, cell.target) if cell.case.libtest
                 else builder.repro(context.workspace, cell.case.crate, cell.target))
    return CellResult(
        case=cell.case.id,
        target=cell.target.triple,
        runtime=cell.runtime.name,
        toolchain=cell.toolchain,
        verdict=Verdict.INFRA_ERROR,
        suite=relative_name(cell.case.path),
        line=cell.case.line,
        description=cell.case.description,
        # a wasi-testsuite test's row group is its suite
        features=[cell.case.wasi.suite] if cell.case.wasi is not None else list(cell.case.features),
        expectation=cell.expectation_kind,
        expectation_reason=rule.reason if rule else "",
        expectation_source=rule.source if rule else "",
        link=rule.link if rule else None,
        intermittent=bool(rule and rule.intermittent),
        builder=builder_name,
        repro=repro,
        kind=WASI_TESTSUITE if cell.case.wasi is not None else "libtest" if cell.case.libtest else "case",
    )


def not_runnable(cell: Cell, context: Context) -> tuple[Verdict, str] | None:
    """The verdict of a cell that is not run at all (skip, runtime or toolchain can't), or None."""
    if cell.rule is not None and cell.rule.kind == "skip":
        return Verdict.UNSUPPORTED, f"not applicable: {cell.rule.reason}"
    reason = cell.runtime.unsupported_reason(cell.target)
    if reason:
        return Verdict.UNSUPPORTED, f"unsupported by runtime: {reason}"
    if cell.case.network == "loopback":
        reason = cell.runtime.network_reason(cell.target)
        if reason:
            return Verdict.UNSUPPORTED, f"unsupported by runtime: {reason}"
    if cell.case.wasi is not None:
        why = cell.case.wasi.spec.unsupported
        return (Verdict.UNSUPPORTED, f"{UNSUPPORTED_BY_HARNESS}: {why}") if why else None
    return context.builders[cell.toolchain].target_verdict(cell.target)


def _run(cell: Cell, context: Context) -> CellResult:
    record = base_record(cell, context)
    early = not_runnable(cell, context)
    if early:
        return _finish(record, *_known_build_error(cell, *early), ran=False)
    if cell.case.wasi is not None:
        argv, copies = _staged_guest(cell, record)
        return _with_runtime(cell, context, record,
                             lambda: _run_guest(cell, context, record, argv, {}, [], copies))
    builder = context.builders[cell.toolchain]
    test_crate = cell.case.libtest
    if test_crate is not None:
        build = build_tests_once(builder, test_crate, cell.target, context.run_id)
        stem = test_crate.test
        if not build.error and not (build.directory / f"{stem}.wasm").is_file():
            built = ", ".join(sorted(p.stem for p in build.directory.glob("*.wasm")))
            build = replace(build, error=f"the crate has no test target {stem!r} (it has: {built})")
    else:
        build = build_once(builder, context.workspace, cell.case.crate, cell.target, context.run_id)
        stem = context.workspace.crates[cell.case.crate].artifact_stem(cell.case.bin)
    if build.error:
        verdict, reason = _known_build_error(cell, Verdict.BUILD_ERROR, build.error[-EXCERPT_CHARS:])
        return _finish(record, verdict, reason, ran=False)
    artifact = build.artifact(stem)
    record.artifact_sha256 = artifact.sha256
    record.build_s = build.seconds
    record.versions.update(build.toolchain)
    path = f"{ARTIFACTS_MOUNT}/{artifact.relative}"
    if test_crate is not None:
        return _with_runtime(cell, context, record, lambda: _run_tests(cell, context, record, path))
    invocation, files, mkdirs = _invocation(cell)
    argv = cell.runtime.argv(path, cell.target, invocation)
    return _with_runtime(cell, context, record,
                         lambda: _run_guest(cell, context, record, argv, files, mkdirs))


def _staged_guest(cell: Cell, record: CellResult) -> tuple[list[str], dict[str, str]]:
    """A wasi-testsuite case's argv and folder copies: its binary and folders copied into the
    artifact cache, each folder given to the guest as a fresh copy without `*.cleanup` leftovers."""
    test = cell.case.wasi
    assert test is not None
    relative, record.artifact_sha256 = stage_file(test.wasm)
    dirs = {guest: f"dirs/{index}" for index, guest in enumerate(sorted(test.spec.dirs))}
    copies = {dirs[guest]: f"{ARTIFACTS_MOUNT}/{stage_folder(folder)}"
              for guest, folder in test.spec.dirs.items()}
    invocation = Invocation(args=cell.case.args, env=dict(cell.case.env), dirs=dirs,
                            network=test.spec.network, proposals=frozenset(test.spec.proposals))
    return cell.runtime.argv(f"{ARTIFACTS_MOUNT}/{relative}", cell.target, invocation), copies


def _with_runtime(cell: Cell, context: Context, record: CellResult,
                  go: Callable[[], CellResult]) -> CellResult:
    """`go()` once the runtime has told its version (else the cell is unavailable); a sandbox
    lost on the way makes the cell an infra-error."""
    try:
        version, why = context.runtime_version(cell.runtime)
        if version is None:
            return _finish(record, Verdict.UNAVAILABLE, f"runtime unavailable: {why}", ran=False)
        record.versions["runtime"] = version
        return go()
    except SandboxLost as error:
        return _finish(record, Verdict.INFRA_ERROR, f"sandbox lost: {error}", ran=False)


def _run_guest(cell: Cell, context: Context, record: CellResult, argv: list[str],
               files: dict[str, str], mkdirs: list[str], copies: dict[str, str] | None = None) -> CellResult:
    """One run of the guest, judged against the case's expectation."""
    record.command = argv
    record.repro = context.sandbox.repro(argv, copies)
    outcome = context.run_guest(argv, cell.case.stdin, cell.case.timeout_s, files, mkdirs, copies=copies)
    verdict, reason = judge(outcome, cell.expect, cell.rule, cell.runtime)
    _keep_output(record, outcome)
    return _finish(record, verdict, reason, ran=True)


def _keep_output(record: CellResult, outcome: Outcome, duration_s: float | None = None) -> None:
    record.exit_code = outcome.exit_code
    record.stdout = excerpt(outcome.stdout)
    record.stderr = excerpt(outcome.stderr)
    record.stdout_bytes = outcome.stdout_bytes
    record.duration_s = round(outcome.duration_s if duration_s is None else duration_s, 4)


def _run_tests(cell: Cell, context: Context, record: CellResult, artifact: str) -> CellResult:
    """A libtest cell: every test of the binary, one crash at a time (harness/libtest.py)."""
    # std's tests write below env::temp_dir() (/tmp on WASI): a scratch folder preopened there
    dirs, mkdirs = {"/tmp": "tmp"}, ["tmp"]

    def argv_for(args: list[str]) -> list[str]:
        invocation = Invocation(args=tuple(args), env=libtest.ENV, dirs=dirs)
        return cell.runtime.argv(artifact, cell.target, invocation)

    def run(args: list[str], timeout_s: float, idle_s: float | None) -> Outcome:
        return context.run_guest(argv_for(args), "", timeout_s, {}, mkdirs, idle_s)

    first = argv_for(list(libtest.JSON_ARGS))
    record.command = first
    record.repro = context.sandbox.repro(first)
    rules = cell.expectations.test_rules(cell.case, cell.target.triple, cell.runtime, cell.toolchain)
    result = libtest.run_binary(run, rules, cell.case.timeout_s, cell.case.test_timeout_s)
    _keep_output(record, result.outcomes[-1], result.duration_s)
    if not result.tests and result.listing is not None and result.listing.exit_code != 0:
        verdict, reason = judge(result.listing, cell.expect, cell.rule, cell.runtime)
        return _finish(record, verdict, f"listing the tests: {reason}", ran=True)
    record.tests = result.tests
    verdict, reason = libtest.verdict(result.tests)
    if cell.rule is not None and cell.rule.kind == "xfail":
        if verdict in (Verdict.FAIL, Verdict.XPASS):
            verdict, reason = Verdict.XFAIL, f"{cell.rule.reason} (observed: {reason})"
        elif verdict is Verdict.PASS and not cell.rule.intermittent:
            verdict, reason = Verdict.XPASS, f"expected to fail but passed: {cell.rule.reason}"
    return _finish(record, verdict, reason, ran=True)


def _known_build_error(cell: Cell, verdict: Verdict, reason: str) -> tuple[Verdict, str]:
    """A build error the cell's xfail rule expects (e.g. a toolchain too old for a crate)."""
    if verdict is Verdict.BUILD_ERROR and cell.rule is not None and cell.rule.kind == "xfail":
        return Verdict.XFAIL, f"{cell.rule.reason} (observed: build-error: {reason[-600:]})"
    return verdict, reason


def _finish(record: CellResult, verdict: Verdict, reason: str, ran: bool) -> CellResult:
    record.verdict, record.reason, record.ran = verdict, reason, ran
    return record


def _invocation(cell: Cell) -> tuple[Invocation, dict[str, str], list[str]]:
    """The guest's invocation, and the scratch files and folders its preopens start with."""
    case = cell.case
    dirs = {guest: f"dirs/{index}" for index, guest in enumerate(sorted(case.dirs))}
    files = {f"{dirs[guest]}/{name}": content
             for guest, entries in case.dirs.items() for name, content in entries.items()}
    invocation = Invocation(args=case.args, env=dict(case.env), dirs=dirs,
                            network=case.network == "loopback")
    return invocation, files, sorted(dirs.values())


def excerpt(text: str) -> str:
    """The first and last lines of a stream, bounded."""
    lines = text.splitlines()
    if len(lines) > 2 * EXCERPT_LINES:
        skipped = len(lines) - 2 * EXCERPT_LINES
        lines = [*lines[:EXCERPT_LINES], f"[... {skipped} lines ...]", *lines[-EXCERPT_LINES:]]
    joined = "\n".join(lines)
    if len(joined) > EXCERPT_CHARS:
        half = EXCERPT_CHARS // 2
        joined = joined[:half] + "\n[...]\n" + joined[-half:]
    return joined
