"""Faults and hostile guests, through real runs: the right verdict, nothing lost, nothing leaked.

Every run here is a real `pytest suites/` in a subprocess (real Docker, toolchain image,
cargo and runtimes). Each one gets a known run id (so the test can find its containers),
its own TMPDIR (which must be empty afterwards) and must leave no container behind.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.results.store import RECORDS_DIR, STARTED
from tests.conftest import docker_ready

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "hostile-fixtures"
why_not = docker_ready()
needs_docker = [pytest.mark.docker, pytest.mark.skipif(why_not is not None, reason=str(why_not))]
RUN_TIMEOUT_S = 600
pytestmark = needs_docker


@dataclass
class Run:
    """A finished harness run: its exit status, output and results.json (if written)."""

    run_id: str
    returncode: int
    output: str
    results: dict | None
    directory: Path

    @property
    def cells(self) -> dict[str, dict]:
        """`case[target-runtime]` -> record."""
        assert self.results is not None, self.output[-4000:]
        return {f"{c['case']}[{c['target']}-{c['runtime']}]": c for c in self.results["cells"]}


def prepare(directory: Path, suites: dict[str, str], conftest: str = "") -> str:
    """Write suites/, the hostile fixtures and a conftest fixing the run id; return the id."""
    run_id = "t" + time.strftime("%H%M%S") + "-" + secrets.token_hex(3)
    (directory / "suites").mkdir(parents=True, exist_ok=True)
    for name, text in suites.items():
        (directory / "suites" / name).write_text(text)
    if not (directory / "hostile").exists():
        shutil.copytree(HOSTILE, directory / "hostile", ignore=shutil.ignore_patterns("target"))
    (directory / "tmp").mkdir(exist_ok=True)
    # No timings of earlier runs (the cache is shared): the cells start in the suites' order.
    (directory / "conftest.py").write_text(
        f"import harness.plugin, harness.results.timings\nharness.plugin._new_run_id = lambda: {run_id!r}\n"
        f"harness.results.timings.expected = lambda *_, **__: 1.0\n{conftest}"
    )
    return run_id


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "pytest", "suites", "--results-dir", "out",
            "--fixtures-dir", "hostile", "-p", "no:cacheprovider", "-rA", *args]


def environment(directory: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "TMPDIR": str(directory / "tmp"), "PYTHONDONTWRITEBYTECODE": "1", **extra}


def finish(directory: Path, run_id: str, returncode: int, output: str) -> Run:
    """Collect the run's results and check that it leaked nothing."""
    path = directory / "out" / "results.json"
    results = json.loads(path.read_text()) if path.is_file() else None
    assert leftover_containers(run_id) == [], output[-4000:]
    left = [p.name for p in (directory / "tmp").iterdir() if not p.name.startswith("pytest-of-")]
    assert left == [], "the run left temp files behind"  # (pytest's own basetemp aside)
    return Run(run_id, returncode, output, results, directory)


def run_harness(directory: Path, suites: dict[str, str], *args: str, conftest: str = "",
                env: dict[str, str] | None = None) -> Run:
    run_id = prepare(directory, suites, conftest)
    result = subprocess.run(command(*args), cwd=directory, capture_output=True, text=True,
                            env={**environment(directory), **(env or {})}, timeout=RUN_TIMEOUT_S)
    return finish(directory, run_id, result.returncode, result.stdout + result.stderr)


def leftover_containers(run_id: str) -> list[str]:
    """Containers of this run still present (running or not); polls briefly for `--rm`."""
    deadline = time.monotonic() + 15
    while True:
        listing = subprocess.run(
            ["docker", "ps", "-aq", "--filter", f"label=wasm-conformance.session={run_id}"],
            capture_output=True, text=True, check=True,
        )
        if not listing.stdout.split() or time.monotonic() > deadline:
            return listing.stdout.split()
        time.sleep(0.5)


def wait_for_guest(run_id: str, artifact: str, timeout_s: float = 300) -> str:
    """The name of the run's sandbox container once a process running `artifact` is in it."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        names = subprocess.run(
            ["docker", "ps", "--format", "{{.Names}}", "--filter",
             f"label=wasm-conformance.session={run_id}"],
            capture_output=True, text=True, check=False,
        ).stdout.split()
        for name in names:
            top = subprocess.run(["docker", "top", name, "-eo", "pid,args"],
                                 capture_output=True, text=True, check=False)
            if artifact in top.stdout:
                return name
        time.sleep(0.3)
    raise AssertionError(f"no guest running {artifact} within {timeout_s}s")


def wait_for_record(directory: Path, run_id: str, case: str, timeout_s: float = 120) -> None:
    """Until some worker of the run has written the record of `case`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for path in (directory / "out" / RECORDS_DIR / run_id).glob("*.jsonl"):
            for line in path.read_text().splitlines():  # a record, not the line of its start
                if f'"case": "{case}"' in line and f'"{STARTED}":' not in line:
                    return
        time.sleep(0.2)
    raise AssertionError(f"no record of {case} within {timeout_s}s")


@pytest.fixture
def rundir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    shutil.rmtree(tmp_path, ignore_errors=True)


# ---- hostile guests, all in one run ------------------------------------------------------

HOSTILE_SUITE = """\
cases:
  - id: hostile.spin
    fixture: hostile:spin
    targets: [wasm32-wasip1]
    timeout: 3s
  - id: hostile.hog
    fixture: hostile:hog
    targets: [wasm32-wasip1]
  - id: hostile.threads
    fixture: hostile:threads
    targets: [wasm32-wasip1-threads]
    timeout: 60s
  - id: hostile.flood
    fixture: hostile:flood
    targets: [wasm32-wasip1]
    expect: {stderr: {contains: "flood: done"}}
    overrides:
      - runtimes: [wazero]
        skip: {reason: "wazero's interpreter needs over a minute for 1 GiB"}
"""


# The runtimes' slowdowns in the hostile run, stated (not the shared cache's measurements, which
# change from run to run): a time limit is the case's limit times its runtime's slowdown.
SLOWDOWNS = {"wasmtime-45": 1.0, "wazero": 2.0}
FIXED_SLOWDOWNS = (f"harness.results.timings.slowdown = lambda runtime, measured: "
                   f"{SLOWDOWNS!r}[runtime.name]\n")


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    directory = tmp_path_factory.mktemp("hostile")
    run = run_harness(directory, {"hostile.yaml": HOSTILE_SUITE}, "-n", "2",
                      "--targets", "wasm32-wasip1,wasm32-wasip1-threads",
                      "--runtimes", "wasmtime-45,wazero", conftest=FIXED_SLOWDOWNS)
    yield run
    shutil.rmtree(directory, ignore_errors=True)


@pytest.mark.parametrize(("runtime", "limit_s"), [("wasmtime-45", 3.0), ("wazero", 6.0)])
def test_an_endless_loop_is_a_timeout_at_the_cases_limit(hostile_run: Run, runtime: str,
                                                         limit_s: float) -> None:
    cell = hostile_run.cells[f"hostile.spin[wasm32-wasip1-{runtime}]"]
    assert cell["verdict"] == "timeout", cell["reason"]
    # Killed at its own 3 s limit times the runtime's slowdown (1 and 2, SLOWDOWNS), not at the
    # default 60 s; the timeout confirmed by a second attempt alone with twice the limit, both kept.
    first, second = cell["attempts_s"]
    assert limit_s <= first < limit_s + 5 and 2 * limit_s <= second < 2 * limit_s + 5, cell["attempts_s"]
    assert cell["duration_s"] == pytest.approx(second, abs=0.001)
    assert "time limit" in cell["reason"]
    assert cell["stdout"] == "spin: started"  # what it printed before is kept


@pytest.mark.parametrize("runtime", ["wasmtime-45", "wazero"])
def test_unbounded_allocation_hits_the_memory_limit_and_is_recorded(hostile_run: Run,
                                                                    runtime: str) -> None:
    cell = hostile_run.cells[f"hostile.hog[wasm32-wasip1-{runtime}]"]
    assert cell["verdict"] in {"crash", "fail"}, cell["reason"]
    if cell["verdict"] == "crash":  # the kernel's OOM killer, named as such
        assert "memory limit" in cell["reason"], cell["reason"]
    else:  # or the runtime's own ceiling: the allocation failed inside the guest
        assert "hog: " in cell["stdout"]
    assert cell["duration_s"] < 60


def test_unbounded_threads_hit_a_limit_and_are_recorded(hostile_run: Run) -> None:
    cell = hostile_run.cells["hostile.threads[wasm32-wasip1-threads-wasmtime-45]"]
    # The image builds wasm32-wasip1-threads: a build error is a regression, never a skip.
    assert cell["verdict"] != "build-error", cell["reason"][-1000:]
    # pids limit, memory limit or the runtime's own refusal: never a hang.
    assert cell["verdict"] in {"fail", "crash"}, (cell["verdict"], cell["reason"])
    assert cell["duration_s"] < 60, cell


def test_a_gibibyte_of_stdout_is_counted_but_not_kept(hostile_run: Run) -> None:
    cell = hostile_run.cells["hostile.flood[wasm32-wasip1-wasmtime-45]"]
    assert cell["verdict"] == "pass", cell["reason"]
    assert cell["stdout_bytes"] == 1 << 30
    assert len(cell["stdout"]) <= 5000
    # Nothing the run wrote holds the flood: results.json, records and reports stay small.
    written = [p for p in (hostile_run.directory / "out").rglob("*") if p.is_file()]
    assert written and max(p.stat().st_size for p in written) < 1 << 20


def test_the_hostile_run_itself_completed(hostile_run: Run) -> None:
    assert hostile_run.results is not None
    assert "Traceback" not in hostile_run.output
    assert hostile_run.returncode == pytest.ExitCode.TESTS_FAILED  # the timeouts fail their items


# ---- faults: runtimes missing, broken or crashing; a broken suite -----------------------

HELLO = (ROOT / "suites" / "hello.yaml").read_text()
REAL_RUNTIMES = ["wasmtime-36", "wasmtime-45", "wasmtime-46", "wasmtime-48", "wasmtime-49", "wasmtime-50",
                 "pulley-45", "jco", "wasmedge", "wazero"]
FAULTY_RUNTIMES = """
from harness.runtime import Runtime
from runners.wazero import Wazero


class FakeRemovedWazero(Wazero):
    '''A fake column: the real wazero plugin, as if its binary had been removed from the image.'''

    def version_argv(self):
        return ["wazero-removed", "version"]

    def argv(self, artifact, target, invocation):
        return ["wazero-removed", *super().argv(artifact, target, invocation)[1:]]


class FakeCrashingRuntime(Runtime):
    '''A fake runtime (named as such) that dies of SIGSEGV inside the real sandbox.'''

    name = family = "fake-crashing"
    kinds = frozenset({"module", "component"})
    threads = True

    def version_argv(self):
        return ["sh", "-c", "echo fake-crashing 1.0.0"]

    def argv(self, artifact, target, invocation):
        return ["sh", "-c", "kill -SEGV $$", "guest", artifact]


class FakeBrokenRuntime(FakeCrashingRuntime):
    '''A fake runtime whose binary is there but is no executable (a broken install).'''

    name = family = "fake-broken"

    def version_argv(self):
        return ["/etc/hostname", "--version"]
"""
BROKEN_SUITE = "cases:\n  - id: broken.case\n    fixtur: hello\n"


def hello_matrix(directory: Path, plugin: str = "", **suites: str) -> Run:
    """The hello suite on every target and runtime (and those of a runtime plugin file)."""
    args = ["-n", "2", "--fixtures-dir", str(ROOT / "rust-fixtures")]
    if plugin:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "faulty_runtimes.py").write_text(plugin)
        args += ["--runtime-plugin", str(directory / "faulty_runtimes.py")]
    return run_harness(directory, {"hello.yaml": HELLO, **suites}, *args)


def test_one_runtime_removed_and_others_faulty_leave_every_other_verdict_unchanged(
    tmp_path: Path,
) -> None:
    baseline = hello_matrix(tmp_path / "baseline")
    faulty = hello_matrix(tmp_path / "faulty", FAULTY_RUNTIMES, **{"broken.yaml": BROKEN_SUITE})
    base, cells = baseline.cells, faulty.cells
    assert {c["runtime"] for c in base.values()} == set(REAL_RUNTIMES)
    assert "pass" in {c["verdict"] for c in base.values()}
    unchanged = {name: (base[name]["verdict"], cells[name]["verdict"]) for name in base
                 if base[name]["runtime"] != "wazero"}
    assert {n: v for n, v in unchanged.items() if v[0] != v[1]} == {}
    for name, cell in cells.items():
        ran_on = base.get(name.replace(cell["runtime"], "wasmtime-45"), {})
        if cell["runtime"] == "wazero" and base[name]["ran"]:
            # The removed runtime: unavailable, with the reason, and no guest run.
            assert (cell["verdict"], cell["ran"]) == ("unavailable", False), cell
            assert "wazero-removed" in cell["reason"]
        elif cell["runtime"] == "fake-broken" and ran_on.get("ran"):
            # A binary that is there but broken: unavailable.
            assert cell["verdict"] == "unavailable" and "ermission denied" in cell["reason"], cell
        elif cell["runtime"] == "fake-crashing" and ran_on.get("ran"):
            # A runtime that dies of a signal: crash.
            assert cell["verdict"] == "crash", cell
            assert cell["reason"] == f"runtime killed by signal {signal.SIGSEGV.value}"
    assert {c["runtime"] for c in cells.values()} == {*REAL_RUNTIMES, "fake-broken", "fake-crashing"}
    # The broken suite failed its own collection, naming file, line and key, while the
    # other suite's cells all ran (above).
    assert "broken.yaml:3: cases[0].fixtur: unknown key 'fixtur'" in faulty.output
    assert "Traceback" not in faulty.output
    assert faulty.returncode == pytest.ExitCode.TESTS_FAILED


def test_no_engine_at_start_is_one_clear_error_before_any_cell(rundir: Path) -> None:
    run = run_harness(rundir, {"hello.yaml": HELLO}, "--fixtures-dir", str(ROOT / "rust-fixtures"),
                      env={"DOCKER_HOST": f"unix://{rundir}/no-engine.sock"})
    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.output[-3000:]
    assert "no Docker engine answers" in run.output, run.output[-3000:]
    assert "python -m harness setup" in run.output
    assert "Traceback" not in run.output
    assert run.results is None
    assert "PASSED" not in run.output and "FAILED" not in run.output


# ---- interruptions: the sandbox killed, a worker killed, Ctrl-C --------------------------

LONG_SPIN = """\
cases:
  - id: b.spin
    fixture: hostile:spin
    targets: [wasm32-wasip1]
    timeout: 120s
"""


def quick(case_id: str) -> str:
    return (f"cases:\n  - id: {case_id}\n    fixture: hostile:args\n    targets: [wasm32-wasip1]\n"
            "    args: [ok]\n    expect: {stdout: {contains: 'arg[1]=\"ok\"'}}\n")


INTERRUPTED_SUITES = {"a.yaml": quick("a.before"), "b.yaml": LONG_SPIN, "c.yaml": quick("c.after")}


def interrupt(directory: Path, act: str, *args: str) -> tuple[Run, float]:
    """Run the a/b/c suites; once b's guest spins, do `act` to it; return the run and its time."""
    run_id = prepare(directory, INTERRUPTED_SUITES)
    started = time.monotonic()
    # SIGINT as at a terminal, even when this test runs where it is ignored (a background
    # job of a non-interactive shell ignores it, and its children inherit that).
    proc = subprocess.Popen(command("--runtimes", "wasmtime-45", *args), cwd=directory,
                            env=environment(directory), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        container = wait_for_guest(run_id, "spin.wasm")
        wait_for_record(directory, run_id, "a.before")  # (with xdist it runs concurrently)
        if act == "remove-container":
            subprocess.run(["docker", "rm", "-f", container], capture_output=True, check=True)
        elif act == "kill-worker":  # the container's name ends with <worker pid>-<start count>
            os.kill(int(container.rsplit("-", 2)[-2]), signal.SIGKILL)
        elif act == "ctrl-c":
            os.killpg(proc.pid, signal.SIGINT)
        elif act == "terminate":  # a CI job cancelled, a `kill`
            os.killpg(proc.pid, signal.SIGTERM)
        output, _ = proc.communicate(timeout=RUN_TIMEOUT_S)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return finish(directory, run_id, proc.returncode, output), time.monotonic() - started


def test_a_sandbox_lost_mid_cell_is_an_infra_error_and_the_run_goes_on(rundir: Path) -> None:
    run, seconds = interrupt(rundir, "remove-container")
    cells = run.cells
    lost = cells["b.spin[wasm32-wasip1-wasmtime-45]"]
    assert lost["verdict"] == "infra-error", lost
    assert lost["reason"].startswith("sandbox lost:")
    assert cells["a.before[wasm32-wasip1-wasmtime-45]"]["verdict"] == "pass"
    assert cells["c.after[wasm32-wasip1-wasmtime-45]"]["verdict"] == "pass"  # a new sandbox
    assert seconds < 100  # nobody waited for the guest's 120 s limit


def test_a_killed_worker_keeps_its_records_and_its_cell_is_reported_lost(rundir: Path) -> None:
    run, seconds = interrupt(rundir, "kill-worker", "-n", "1")
    cells = run.cells
    assert cells["a.before[wasm32-wasip1-wasmtime-45]"]["verdict"] == "pass"  # written before
    lost = cells["b.spin[wasm32-wasip1-wasmtime-45]"]
    assert lost["verdict"] == "infra-error" and lost["reason"].startswith("lost:"), lost
    assert cells["c.after[wasm32-wasip1-wasmtime-45]"]["verdict"] == "pass"  # a new worker
    assert "crashed" in run.output  # xdist says which worker died running what
    assert seconds < 100


@pytest.mark.parametrize("act", ["ctrl-c", "terminate"])
@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_ctrl_c_merges_the_records_so_far_and_removes_every_container(
    rundir: Path, workers: list[str], act: str,
) -> None:
    run, seconds = interrupt(rundir, act, *workers)
    cells = run.cells  # results.json was written
    assert cells["a.before[wasm32-wasip1-wasmtime-45]"]["verdict"] == "pass"
    lost = cells["b.spin[wasm32-wasip1-wasmtime-45]"]
    assert lost["verdict"] == "infra-error" and lost["reason"].startswith("lost:"), lost
    assert run.returncode == pytest.ExitCode.INTERRUPTED
    assert seconds < 100


def test_a_harness_killed_outright_leaves_no_container_running(rundir: Path) -> None:
    """SIGKILL to every process of the run: nothing cleans up, yet the sandbox's executor sees
    its input end, kills the guest and exits, and `--rm` removes the container."""
    run_id = prepare(rundir, INTERRUPTED_SUITES)
    proc = subprocess.Popen(command("--runtimes", "wasmtime-45", "-n", "1"), cwd=rundir,
                            env=environment(rundir), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_guest(run_id, "spin.wasm")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert leftover_containers(run_id) == []  # within its 15 s, not the guest's 120 s
