"""The runtime plugin contract, without Docker: golden argv per runner, what every plugin must
carry into its argv, plugin files; one cell through `run_cell` with the real builder, sandbox
and runtime, and its error paths with named fakes."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from harness.artifacts.workspace import Workspace
from harness.builder import Builder, BuildFailed, TestCrate
from harness.catalogue.targets import all_targets
from harness.catalogue.toolchains import all_toolchains, default_toolchain
from harness.cells.case import Case, Cell
from harness.cells.context import Context
from harness.cells.kinds.fixture import Fixture
from harness.cells.kinds.test_binary import TestBinary
from harness.cells.libtest import Limits
from harness.cells.runner import run_cell
from harness.errors import UserError
from harness.results.record import FindingKind
from harness.results.verdict import Verdict
from harness.runtime import REGISTRY, Invocation, installed_runtimes
from harness.sandbox.container import GuestRequest
from harness.sandbox.outcome import Outcome
from harness.suites.expect import Expectation, Matcher
from harness.suites.rules import Rule, RuleBook, Selector
from tests.conftest import write_workspace

SID = all_toolchains()["debian-sid"]

TARGETS = all_targets()
P1, P1T, P2, P3 = (TARGETS[t] for t in ("wasm32-wasip1", "wasm32-wasip1-threads",
                                          "wasm32-wasip2", "wasm32-wasip3"))
FULL = Invocation(args=("a b", "é"), env={"K": "v w"}, dirs={"/data": "dirs/0"}, network=True)
PLAIN = Invocation()
JCO_CACHE = "/cache/jco/artifacts_k_g.wasm-"

GOLDEN: list[tuple[str, Any, Invocation, list[str]]] = [
    ("wasmtime-45", P1, PLAIN, ["wasmtime-45", "run", "/artifacts/k/g.wasm"]),
    ("wasmtime-45", P1, FULL, ["wasmtime-45", "run", "-S", "inherit-network", "-S",
                               "allow-ip-name-lookup", "--dir", "dirs/0::/data", "--env", "K=v w",
                               "/artifacts/k/g.wasm", "a b", "é"]),
    ("wasmtime-45", P1T, PLAIN, ["wasmtime-45", "run", "-W", "threads,shared-memory", "-S", "threads",
                                 "/artifacts/k/g.wasm"]),
    ("wasmtime-45", P3, PLAIN, ["wasmtime-45", "run", "-S", "p3", "-W", "component-model-async",
                                "/artifacts/k/g.wasm"]),
    ("wasmtime-49", P3, PLAIN, ["wasmtime-49", "run", "/artifacts/k/g.wasm"]),
    ("pulley-45", P2, PLAIN, ["wasmtime-45", "run", "--target", "pulley64", "-S", "p3", "-W",
                              "component-model-async", "/artifacts/k/g.wasm"]),
    ("wasmedge", P1, FULL, ["wasmedge", "--run-mode", "aot", "--dir", "/data:dirs/0", "--env", "K=v w",
                            "/artifacts/k/g.wasm", "a b", "é"]),
    ("wazero", P1, FULL, ["wazero", "run", "-cachedir=/cache/wazero", "-mount=dirs/0:/data", "-env=K=v w",
                          "/artifacts/k/g.wasm", "--", "a b", "é"]),
]


@pytest.mark.parametrize(("runtime", "target", "invocation", "argv"), GOLDEN,
                         ids=[f"{r}-{t.triple}-{'full' if i is FULL else 'plain'}" for r, t, i, _ in GOLDEN])
def test_golden_argv(runtime: str, target: Any, invocation: Invocation, argv: list[str]) -> None:
    assert installed_runtimes()[runtime].argv("/artifacts/k/g.wasm", target, invocation) == argv


def test_golden_argv_jco() -> None:
    argv = installed_runtimes()["jco"].argv("/artifacts/k/g.wasm", P2, FULL)
    assert argv[:3] == ["node", "/runners/jco_run.mjs", "/artifacts/k/g.wasm"]
    assert argv[3].startswith(JCO_CACHE)
    assert argv[4:] == ["--env", "K=v w", "--dir", "/data::dirs/0", "--network", "--", "a b", "é"]


@pytest.mark.parametrize("name", sorted(installed_runtimes()))
def test_every_plugin_carries_args_env_dirs_and_network_into_its_argv(name: str) -> None:
    runtime = installed_runtimes()[name]
    for target in TARGETS.values():
        if runtime.unsupported_reason(target):
            continue
        argv = runtime.argv("/artifacts/k/g.wasm", target, FULL)
        text = "\0".join(argv)
        assert argv[-2:] == ["a b", "é"], argv  # the guest's arguments last, verbatim
        assert "K=v w" in text and "/data" in text and "dirs/0" in text, argv
        if runtime.network_reason(target) is None and target.sockets:  # it grants sockets
            closed = Invocation(FULL.args, FULL.env, FULL.dirs, network=False)
            assert argv != runtime.argv("/artifacts/k/g.wasm", target, closed), argv


def test_capabilities_decide_what_a_runtime_is_asked_to_run() -> None:
    runtimes = installed_runtimes()
    assert runtimes["wasmedge"].unsupported_reason(P2) == "the WasmEdge CLI runs core modules, not components"
    assert "47 removed wasi-threads" in (runtimes["wasmtime-49"].unsupported_reason(P1T) or "")
    assert runtimes["wasmtime-45"].unsupported_reason(P1T) is None
    assert "Pulley cannot run shared-memory threads" in (runtimes["pulley-45"].unsupported_reason(P1T) or "")
    assert runtimes["jco"].network_reason(P2) is None
    assert runtimes["wazero"].network_reason(P1) is None  # std on WASIp1 cannot create sockets anyway


def test_exception_handling_is_asked_for_where_a_runtime_needs_a_flag_and_refused_where_it_has_none() -> None:
    runtimes = installed_runtimes()
    unwinding = Invocation(exceptions=True)
    assert runtimes["wasmtime-45"].argv("/a/g.wasm", P1, unwinding) == [
        "wasmtime-45", "run", "-W", "exceptions=y", "/a/g.wasm"]
    assert runtimes["wasmtime-49"].argv("/a/g.wasm", P1, unwinding) == ["wasmtime-49", "run", "/a/g.wasm"]
    assert "--exceptions" in runtimes["jco"].argv("/a/g.wasm", P2, unwinding)
    assert "--exceptions" not in runtimes["jco"].argv("/a/g.wasm", P2, PLAIN)
    supported = {n for n, r in runtimes.items() if r.exceptions_reason() is None}
    assert supported == {"wasmtime-45", "wasmtime-46", "wasmtime-48", "wasmtime-49", "wasmtime-50",
                         "pulley-45", "jco"}
    assert "not yet implemented" in (runtimes["wasmtime-36"].exceptions_reason() or "")
    assert "tag section not supported" in (runtimes["wazero"].exceptions_reason() or "")


def test_columns_come_in_the_plugins_order() -> None:
    assert list(installed_runtimes())[:10] == ["wasmtime-36", "wasmtime-45", "wasmtime-46",
                                               "wasmtime-48", "wasmtime-49", "wasmtime-50", "pulley-45",
                                               "jco", "wasmedge", "wazero"]


PLUGIN = '''
from harness.runtime import Invocation, Runtime


class FakeQuick(Runtime):
    """A fake runtime (named as such) for the registry tests."""

    name = "quick-1"
    family = "quick"
    rank = 5

    def version_argv(self):
        return ["quick", "--version"]

    def argv(self, artifact, target, invocation):
        return ["quick", artifact, *invocation.args]
'''


@pytest.fixture
def plugin_file(tmp_path: Path) -> Any:
    path = tmp_path / "quick_plugin.py"
    path.write_text(PLUGIN)
    REGISTRY.add_files([path])
    yield path
    REGISTRY.reset()


def test_a_plugin_file_adds_a_column_without_packaging(plugin_file: Path) -> None:
    runtimes = installed_runtimes()
    assert next(iter(runtimes)) == "quick-1"  # its rank puts it first
    assert runtimes["quick-1"].family == "quick"
    assert "wasmtime-45" in runtimes


@pytest.mark.parametrize(
    ("text", "message"),
    [("x = 1\n", "defines no Runtime subclass with a name"),
     ("raise RuntimeError('boom')\n", "RuntimeError: boom"),
     ("from harness.runtime import Runtime\nclass A(Runtime):\n    name = 'a'\n"
      "    def version_argv(self): return []\n    def argv(self, a, t, i): return []\n", "has no family")],
)
def test_a_bad_plugin_file_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad_plugin.py"
    path.write_text(text)
    REGISTRY.add_files([path])
    try:
        with pytest.raises(UserError) as info:
            installed_runtimes()
        assert str(info.value).startswith(f"--runtime-plugin {path}: ")
        assert message in str(info.value)
    finally:
        REGISTRY.reset()


# ---- one cell through run_cell: real parts, and named fakes for error paths ----------------------


class FakeSandbox:
    """A fake sandbox (named as such), for error paths: answers each process with a canned result."""

    def __init__(self, result: dict[str, Any]) -> None:
        self.result, self.requests = result, []  # type: ignore[var-annotated]

    def run(self, request: GuestRequest) -> Outcome:
        self.requests.append(request)
        if request.argv[-1] == "--version":
            return Outcome.from_result({**PROCESS, "stdout": "fake 1.2.3\n"})
        return Outcome.from_result({**PROCESS, **self.result})

    def repro(self, argv: list[str], copies: dict[str, str] | None = None) -> str:
        return "docker run ... " + " ".join(argv)


class FakeBuilder(Builder):
    """A fake builder (named as such), for error paths: writes a placeholder artifact, or fails."""

    name = "fake"

    def __init__(self, error: str | None = None) -> None:
        super().__init__(default_toolchain())
        self.error, self.compiles = error, 0

    def toolchain_id(self) -> str:
        return "fake-toolchain"

    def toolchain_versions(self) -> dict[str, str]:
        return {"rustc": "0.0.0-fake"}

    def compile(self, workspace: Workspace, crate: str, target: Any, out_dir: Path,
                profile: Any = None) -> None:
        self.compiles += 1
        if self.error:
            raise BuildFailed(self.error)
        (out_dir / f"{crate}.wasm").write_bytes(b"\0asm\1\0\0\0")

    def compile_tests(self, test_crate: Any, target: Any, out_dir: Path, profile: Any = None) -> None:
        self.compiles += 1
        (out_dir / "coretests.wasm").write_bytes(b"\0asm\1\0\0\0")


PROCESS = {"exit_code": 0, "stdout": "", "stderr": "", "duration_s": 0.01, "timed_out": False,
           "signal": None, "spawn_error": None, "stdout_bytes": 0, "oom_killed": False}


def cell_and_context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, result: dict[str, Any],
                     builder: FakeBuilder, **case: Any) -> tuple[Cell, Context, FakeSandbox]:
    monkeypatch.setenv("WASM_CONFORMANCE_CACHE", str(tmp_path / "cache"))
    workspace = Workspace(write_workspace(tmp_path / "ws", {"hello": []}))
    the_case = Case(id="hello.fake", description="", kind=Fixture("hello"), features=("hello",),
                    targets=("wasm32-wasip1",), path=tmp_path / "suites" / "s.yaml", line=2, **case)
    runtime = installed_runtimes()["wasmtime-45"]
    cell = Cell(the_case, P1, runtime, SID, None, RuleBook())
    sandbox = FakeSandbox(result)
    context = Context("run1", {"debian-sid": builder}, workspace, sandbox)  # type: ignore[arg-type]
    return cell, context, sandbox


class RecordingSandbox:
    """The real sandbox, recording each request it is given (a spy, not a fake: every process
    runs in the real container)."""

    def __init__(self, sandbox: Any) -> None:
        self.sandbox, self.requests = sandbox, []  # type: ignore[var-annotated]

    def run(self, request: GuestRequest) -> Outcome:
        self.requests.append(request)
        outcome: Outcome = self.sandbox.run(request)
        return outcome

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sandbox, name)


@pytest.mark.docker
def test_run_cell_builds_once_runs_and_judges() -> None:
    """The happy path with the real parts: the toolchain image's builder, the real sandbox and
    Wasmtime 45, the shipped std.fs case (args, a preopened dir with a file, a time limit)."""
    from harness.artifacts.cache import cache_dir
    from harness.builder import builder_for
    from harness.images.recipes import runtimes_tag
    from harness.sandbox.container import Sandbox
    from harness.sources.registry import Options, load_cases
    from tests.conftest import docker_ready

    why_not = docker_ready()
    if why_not:
        pytest.skip(why_not)
    root = Path(__file__).resolve().parent.parent
    runtimes = installed_runtimes()
    case = next(c for c in load_cases(root / "suites" / "std_basics.yaml", Options(runtimes))
                if c.id == "std.fs")
    cell = Cell(case, P1, runtimes["wasmtime-45"], SID, None, RuleBook())
    sandbox = RecordingSandbox(Sandbox(runtimes_tag(), cache_dir("artifacts"), cache_dir("sandbox"),
                                       f"contract-{os.getpid()}"))
    context = Context(f"contract-{os.getpid()}", {"debian-sid": builder_for(default_toolchain())},
                      Workspace(root / "rust-fixtures"), sandbox,  # type: ignore[arg-type]
                      measured_slowdowns={})  # the catalogue's slowdown, not the last runs' on this machine
    try:
        record = run_cell(cell, context)
        again = run_cell(cell, context)
    finally:
        sandbox.close()
    assert (record.verdict, record.ran, record.reason) == (Verdict.PASS, True, "")
    assert "fs-read-preopened: ok" in record.stdout and record.exit_code == 0
    assert record.versions["rustc"].startswith("1.97.1") and record.versions["runtime"].startswith("45.")
    request = sandbox.requests[-1]
    # The harness, not the plugin, applies the time limit and the preopen's files.
    assert request.timeout_s == 30.0
    assert request.files == {"dirs/0/input.txt": "preloaded by the harness\nsecond line\n"}
    assert request.mkdirs == ["dirs/0"]
    assert request.argv == again.command
    assert again.command[-1] == "fs" and "dirs/0::/data" in again.command
    assert (again.verdict, again.built) == (Verdict.PASS, False)  # the second cell built nothing
    assert again.artifact_sha256 == record.artifact_sha256


def test_run_cell_reports_a_build_error_with_the_compilers_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    cell, context, sandbox = cell_and_context(tmp_path, monkeypatch, {}, FakeBuilder("error[E0308]: x"))
    record = run_cell(cell, context)
    assert (record.verdict, record.ran) == (Verdict.BUILD_ERROR, False)
    assert "E0308" in record.reason
    assert sandbox.requests == []


def test_run_cell_names_the_guests_panic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stderr = "thread 'main' panicked at src/main.rs:3:5:\nno file\nnote: run with `RUST_BACKTRACE=1`\n"
    cell, context, _ = cell_and_context(tmp_path, monkeypatch, {"exit_code": 134, "stderr": stderr},
                                        FakeBuilder())
    record = run_cell(cell, context)
    assert record.verdict is Verdict.FAIL
    assert record.reason == "exit code 134, expected 0; guest panicked at src/main.rs:3:5: no file"


class FakeFlakySandbox(FakeSandbox):
    """A fake sandbox (named as such) whose guest does something else each time it runs: the
    results in turn, the last one from then on."""

    def __init__(self, results: list[dict[str, Any]]) -> None:
        super().__init__(results[-1])
        self.results = results

    def run(self, request: GuestRequest) -> Outcome:
        if request.argv[-1] != "--version":
            self.result = self.results.pop(0) if len(self.results) > 1 else self.results[0]
        return super().run(request)


def flaky_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, results: list[dict[str, Any]],
               rules: tuple[Rule, ...] = ()) -> tuple[Cell, Context, FakeFlakySandbox]:
    cell, context, _ = cell_and_context(tmp_path, monkeypatch, {}, FakeBuilder(),
                                        expect=Expectation(stdout=Matcher("contains", ("hello: ok",))))
    sandbox = FakeFlakySandbox(results)
    context = Context("run1", context.builders, context.workspace, sandbox)  # type: ignore[arg-type]
    return replace(cell, expectations=RuleBook(rules)), context, sandbox


KILLED = {"exit_code": None, "signal": 9, "stderr": "Killed\n", "stdout": "hello: start\n"}
PASSED = {"stdout": "hello: start\nhello: ok\n", "stdout_bytes": 24}
SHORT = {"stdout": "hello: start\n", "stdout_bytes": 13}  # exit 0, the tail of stdout missing


def test_a_fixture_whose_process_died_runs_again_and_a_crash_that_does_not_recur_is_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    cell, context, sandbox = flaky_cell(tmp_path, monkeypatch, [KILLED, PASSED])
    record = run_cell(cell, context)
    # neither a silent pass nor a plain crash: an intermittent crash, both runs kept
    assert record.verdict is Verdict.CRASH
    assert record.reason == "intermittent: runtime killed by signal 9, then pass when run again"
    assert record.attempts_s is not None and len(record.attempts_s) == 2
    assert record.first_attempt == {"exit_code": None, "signal": 9, "stdout": "hello: start",
                                    "stderr": "Killed"}
    assert record.stdout == "hello: start\nhello: ok"
    assert [(f.kind, f.detail) for f in record.findings] == [
        (FindingKind.INTERMITTENT_CRASH,
         "the first run crashed (runtime killed by signal 9); run again, pass")]
    assert len([r for r in sandbox.requests if r.argv[-1] != "--version"]) == 2


def test_a_crash_that_recurs_stands_with_both_attempts(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    cell, context, _ = flaky_cell(tmp_path, monkeypatch, [KILLED])
    record = run_cell(cell, context)
    assert (record.verdict, record.reason) == (Verdict.CRASH, "runtime killed by signal 9")
    assert record.attempts_s is not None and len(record.attempts_s) == 2 and record.findings == []


def test_lost_output_runs_again_where_a_rule_says_the_runtime_loses_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    loses = Rule("xfail", "loses the tail of stdout", Selector(runtimes=frozenset({"wasmtime-45"}),
                                                               finding="lost-output"),
                 "x.yaml:1", shared=True, intermittent=True)
    # the rerun gets through: judged by it, the finding in the record
    cell, context, _ = flaky_cell(tmp_path, monkeypatch, [SHORT, PASSED], (loses,))
    record = run_cell(cell, context)
    assert record.verdict is Verdict.PASS
    assert record.reason == "passed when run again; the first run lost its output: loses the tail of stdout"
    (finding,) = record.findings
    assert finding.kind is FindingKind.LOST_OUTPUT and finding.detail.startswith(
        "lost output: the first run ended with the expected exit status 0 but short of its stdout "
        "(13 bytes), as x.yaml:1 says this runtime does; run again, pass")
    assert (record.expectation_source, record.intermittent) == ("x.yaml:1", True)
    # lost again: the rule's xfail
    cell, context, _ = flaky_cell(tmp_path, monkeypatch, [SHORT], (loses,))
    record = run_cell(cell, context)
    assert record.verdict is Verdict.XFAIL
    assert record.reason.startswith("loses the tail of stdout (observed: output lost twice: stdout does not")
    # no rule: a run short of its stdout is a plain failure, run once
    cell, context, sandbox = flaky_cell(tmp_path, monkeypatch, [SHORT, PASSED])
    record = run_cell(cell, context)
    assert record.verdict is Verdict.FAIL and record.attempts_s is None and record.findings == []
    assert len([r for r in sandbox.requests if r.argv[-1] != "--version"]) == 1


class FakeTestSandbox(FakeSandbox):
    """A fake sandbox (named as such) whose guest is a fake libtest binary."""

    def __init__(self, binary: Any) -> None:
        super().__init__({})
        self.binary = binary

    def run(self, request: GuestRequest) -> Outcome:
        if request.argv[-1] == "--version":
            return super().run(request)
        self.requests.append(request)
        argv = request.argv
        args = argv[next(i for i, a in enumerate(argv) if a.endswith("/coretests.wasm")) + 1:]
        outcome: Outcome = self.binary(args, Limits(request.timeout_s, request.idle_cpu_s,
                                                     request.idle_timeout_s))
        return outcome


def coretests_case(tmp_path: Path) -> Case:
    """core's tests on wasm32-wasip1, as a suite of tmp_path names them."""
    return Case(id="upstream.coretests", description="", features=("core",),
                kind=TestBinary(TestCrate(crate="coretests"), "coretests"),
                targets=("wasm32-wasip1",), path=tmp_path / "s.yaml", line=1, timeout_s=600)


def test_a_libtest_cell_runs_every_test_and_names_the_one_that_aborted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.test_libtest import FakeLibtestBinary

    monkeypatch.setenv("WASM_CONFORMANCE_CACHE", str(tmp_path / "cache"))
    case = coretests_case(tmp_path)
    cell = Cell(case, P1, installed_runtimes()["wasmtime-45"], SID, None, RuleBook())
    binary = FakeLibtestBinary({"a": "ok", "b": "abort", "c": "ok"})
    sandbox = FakeTestSandbox(binary)
    builder = FakeBuilder()
    context = Context("run1", {"debian-sid": builder}, Workspace(tmp_path), sandbox)  # type: ignore[arg-type]
    record = run_cell(cell, context)
    assert record.kind == "libtest" and record.ran
    assert {t.name: t.outcome for t in record.tests or []} == {"a": "passed", "b": "crashed", "c": "passed"}
    assert record.verdict is Verdict.FAIL
    assert record.reason.startswith("1 of 3 tests failed: b (crashed: src/lib.rs:1:1: b went wrong)")
    # RUSTC_BOOTSTRAP reaches the guest through the runtime's own flag; /tmp is preopened
    assert "RUSTC_BOOTSTRAP=1" in record.command and "tmp::/tmp" in record.command


def test_a_libtest_cell_that_lost_output_says_so_and_is_judged_by_the_rerun(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.test_libtest import FakeLossyLibtestBinary

    monkeypatch.setenv("WASM_CONFORMANCE_CACHE", str(tmp_path / "cache"))
    case = coretests_case(tmp_path)
    loses = Rule("xfail", "loses the tail of stdout", Selector(runtimes=frozenset({"wasmtime-45"}),
                                                               finding="lost-output"),
                 "x.yaml:1", shared=True, intermittent=True)
    cell = Cell(case, P1, installed_runtimes()["wasmtime-45"], SID, None, RuleBook([loses]))
    sandbox = FakeTestSandbox(FakeLossyLibtestBinary({"a": "ok", "b": "ok", "c": "ok"}, cut_at="b",
                                                     lossy_runs=1))
    context = Context("run1", {"debian-sid": FakeBuilder()}, Workspace(tmp_path), sandbox)  # type: ignore[arg-type]
    record = run_cell(cell, context)
    assert {t.name: t.outcome for t in record.tests or []} == {"a": "passed", "b": "passed", "c": "passed"}
    assert record.verdict is Verdict.PASS
    assert record.reason.startswith("3 passed (lost output, not a crash: 1 run(s) of the binary ended as ")
    assert record.reason.endswith("; this runtime is known to lose output: x.yaml:1)")
    assert [(f.kind, f.tests) for f in record.findings] == [(FindingKind.LOST_OUTPUT, ["b", "c"])]


def test_a_libtest_cell_that_cannot_run_is_still_a_libtest_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WASM_CONFORMANCE_CACHE", str(tmp_path / "cache"))
    case = Case(id="upstream.coretests", description="", features=("core",),
                kind=TestBinary(TestCrate(crate="coretests"), "coretests"),
                targets=("wasm32-wasip2",), path=tmp_path / "s.yaml", line=1)
    p2 = all_targets()["wasm32-wasip2"]
    cell = Cell(case, p2, installed_runtimes()["wazero"], SID, None, RuleBook())
    context = Context("run1", {"debian-sid": FakeBuilder()}, Workspace(tmp_path), FakeSandbox({}))  # type: ignore[arg-type]
    record = run_cell(cell, context)
    assert (record.verdict, record.ran) == (Verdict.UNSUPPORTED, False)
    assert record.kind == "libtest"  # the reports keep it with Rust's tests, not the probes


def test_a_runs_build_containers_carry_its_session_so_its_end_removes_them(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker killed mid-build leaves its `docker run` orphaned; the run's end removes the
    containers of its session, builds included."""
    from harness.sandbox.container import LABEL, SESSION_ENV, container_labels

    monkeypatch.delenv(SESSION_ENV, raising=False)
    assert container_labels() == ["--label", LABEL]
    monkeypatch.setenv(SESSION_ENV, "20261201T1200-abc")
    assert container_labels() == ["--label", LABEL, "--label", f"{LABEL}.session=20261201T1200-abc"]
