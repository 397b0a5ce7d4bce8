"""A busy machine gives the same verdicts: a guest that takes several times longer when other
processes compete for the CPU keeps its verdict, because a test's limit is the CPU time it uses
(a busy machine does not stretch it), a timeout or a crash is confirmed by a rerun before it
stands, and output a runtime lost (Jco, when its reader lags) is run again, not taken for a crash.

Two kinds of check, each a real run on a quiet machine and the same run beside CPU burners:
- one test binary (tests/libtest-crate's `h_works_for_a_while`, a fixed amount of work) whose
  limit is set so that a wall-clock limit would have killed it under load;
- a slice of the real matrix that exercises every runtime column: core's tests on
  wasm32-wasip1 under each column (and on wasm32-wasip2 under Jco, whose lost output once
  turned a passing test into a crash), and two hand-written cases on every target.
Neither may change a verdict or a test's outcome, and the busy run may need no second attempt:
a limit that load could break and only the rerun rescued would show there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from harness.runtime import installed_runtimes
from tests.conftest import docker_ready

ROOT = Path(__file__).resolve().parent.parent
why_not = docker_ready()
pytestmark = [pytest.mark.docker, pytest.mark.skipif(why_not is not None, reason=str(why_not))]
TEST = "tests::h_works_for_a_while"
LIMIT_S = 1.5  # the test's CPU limit; it needs about 0.6 s of CPU on Wasmtime
SUITE = f"""\
cases:
  - id: mine.busy
    libtest: {{path: {ROOT / "tests" / "libtest-crate"}, test: lib}}
    features: [libtest]
    targets: [wasm32-wasip1]
    test_timeout: {LIMIT_S}s
    overrides:
      - tests: ["tests::[a-g]_*"]
        skip: {{reason: only the test that works a while}}
"""
# The hand-written cases of the slice, on every target and column: the smallest program, and
# one whose guest panics (a trap each runtime reports its own way).
FIXTURE_CASES = ("suites/hello.yaml::hello.world", "suites/std_basics.yaml::std.panic")
# Jco on wasip2: the cell whose lost output under load once read as a crashed test.
EXTRA_CORE_CELLS = ("upstream.coretests[wasm32-wasip2-jco]",)


@contextmanager
def burners(count: int) -> Iterator[list[subprocess.Popen[bytes]]]:
    """`count` processes that keep a CPU busy each (the machine's other job). Each in a session
    of its own: the kernel's autogroup scheduling would otherwise weigh them all as one task."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)
             for _ in range(count)]
    try:
        yield procs
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def cpu_s(pid: int) -> float:
    """The CPU time a process has used so far (user and system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(directory: Path, name: str) -> dict:
    out = directory / name
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "suites", "--results-dir", str(out), "-p", "no:cacheprovider",
         "--runtimes", "wasmtime-45"],
        cwd=directory, capture_output=True, text=True, timeout=900, check=False)
    path = out / "results.json"
    assert path.is_file(), done.stdout[-3000:] + done.stderr[-3000:]
    (cell,) = json.loads(path.read_text())["cells"]
    return cell


def test_a_guest_several_times_slower_under_load_keeps_its_verdict(tmp_path: Path) -> None:
    (tmp_path / "suites").mkdir()
    (tmp_path / "suites" / "busy.yaml").write_text(SUITE)
    quiet = run(tmp_path, "quiet")
    with burners(3 * (os.cpu_count() or 2)):
        busy = run(tmp_path, "busy")
    tests = {name: {t["name"]: t for t in cell["tests"]}[TEST]
             for name, cell in (("quiet", quiet), ("busy", busy))}
    assert (quiet["verdict"], busy["verdict"]) == ("pass", "pass"), (quiet["reason"], busy["reason"])
    assert tests["quiet"]["outcome"] == tests["busy"]["outcome"] == "passed"
    # the load was real: the work (about 0.6 s of CPU) took longer than its limit in wall time,
    # so a wall-clock limit would have killed it (the quiet run is the control for the verdict
    # only: beside the project's other tests it need not be quiet)
    assert tests["busy"]["duration_s"] > LIMIT_S, (tests["quiet"], tests["busy"])
    # and it passed at the first attempt: a wall-clock limit that killed it, rescued by the
    # rerun with twice the limit, would pass too, with two attempts
    assert len(tests["busy"].get("attempts_s") or [None]) == 1, tests["busy"]


def slice_args() -> list[str]:
    """The node ids of the slice: core's tests on wasm32-wasip1 under every column of the
    catalogue, the extra cells, and the hand-written cases on every target and column."""
    core = [f"upstream.coretests[wasm32-wasip1-{name}]" for name in installed_runtimes()]
    return [*(f"suites/upstream.yaml::{cell}" for cell in (*core, *EXTRA_CORE_CELLS)), *FIXTURE_CASES]


def run_slice(out: Path) -> tuple[dict[str, dict], float]:
    """The slice's records by cell name, and the run's wall time."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *slice_args(), "-n", "2", "--results-dir", str(out),
         "-p", "no:cacheprovider"],
        cwd=ROOT, capture_output=True, text=True, timeout=1500, check=False)
    took = time.monotonic() - started
    path = out / "results.json"
    assert path.is_file(), done.stdout[-3000:] + done.stderr[-3000:]
    cells = json.loads(path.read_text())["cells"]
    return {f"{c['case']}[{c['target']}-{c['runtime']}]": c for c in cells}, took


def changes(quiet: dict[str, dict], busy: dict[str, dict]) -> list[str]:
    """Every cell whose verdict, and every test whose outcome, differs between two runs."""
    both = sorted(quiet.keys() & busy.keys())
    lines = [f"{name}: {quiet[name]['verdict']} -> {busy[name]['verdict']} ({busy[name]['reason'][:300]})"
             for name in both if quiet[name]["verdict"] != busy[name]["verdict"]]
    for name in both:
        was = {t["name"]: t["outcome"] for t in quiet[name].get("tests") or []}
        for test in busy[name].get("tests") or []:
            if was.get(test["name"], test["outcome"]) != test["outcome"]:
                lines.append(f"{name}: {test['name']}: {was[test['name']]} -> {test['outcome']} "
                             f"({test.get('message', '')[:300]})")
    return lines


def second_attempts(cells: dict[str, dict]) -> list[str]:
    """The cells and tests that needed a second attempt (a timeout or a crash run again)."""
    lines = [f"{name}: {cell['attempts_s']} ({cell['reason'][:200]})" for name, cell in sorted(cells.items())
             if len(cell.get("attempts_s") or []) > 1]
    lines += [f"{name}: {test['name']}: {test['attempts_s']} ({test.get('message', '')[:200]})"
              for name, cell in sorted(cells.items()) for test in cell.get("tests") or []
              if len(test.get("attempts_s") or []) > 1]
    return lines


def test_a_slice_of_the_matrix_on_every_column_keeps_every_verdict_beside_cpu_burners(
    tmp_path: Path,
) -> None:
    quiet, quiet_s = run_slice(tmp_path / "quiet")
    count = os.cpu_count() or 2
    with burners(count) as procs:
        busy, busy_s = run_slice(tmp_path / "busy")
        burned = sum(cpu_s(p.pid) for p in procs)
    print(f"slice of {len(quiet)} cells: quiet {quiet_s:.0f} s, beside {count} CPU burners {busy_s:.0f} s "
          f"(they used {burned:.0f} s of CPU)")
    assert quiet.keys() == busy.keys()
    # every column of the catalogue ran cells of the slice (a column missing from the image
    # would make its cells unavailable and prove nothing)
    ran = {c["runtime"] for c in quiet.values() if c["ran"]}
    assert ran == set(installed_runtimes()), sorted(set(installed_runtimes()) - ran)
    core = {c["runtime"]: c for c in quiet.values() if c["case"] == "upstream.coretests" and c["tests"]}
    assert core.keys() == set(installed_runtimes()), sorted(core)
    # the load was real: the burners had on average at least half a core between them
    assert burned > 0.5 * busy_s, (burned, busy_s)
    assert changes(quiet, busy) == []
    assert second_attempts(busy) == []
