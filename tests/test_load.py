"""A busy machine gives the same verdicts: a guest that takes several times longer when other
processes compete for the CPU keeps its verdict, because a test's limit is the CPU time it uses
(a busy machine does not stretch it) and a timeout is confirmed by a rerun before it stands.

Two real runs of the same test binary (tests/libtest-crate's `h_works_for_a_while`, a fixed
amount of work): one on a quiet machine, one beside CPU burners. Its limit is set so that a
wall-clock limit would have killed it under load.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

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


@contextmanager
def burners(count: int) -> Iterator[None]:
    """`count` processes that keep a CPU busy each (the machine's other job). Each in a session
    of its own: the kernel's autogroup scheduling would otherwise weigh them all as one task."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)
             for _ in range(count)]
    try:
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


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
