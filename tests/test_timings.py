"""Runtime slowdowns, the factor of a runtime's time limits, measured from a run's cells."""

from __future__ import annotations

from harness.results.record import CellResult, TestResult
from harness.results.timings import slowdowns
from harness.results.verdict import TestOutcome, Verdict

ONE_TEST = [TestResult(name="t", outcome=TestOutcome.PASSED)]


def binary(case: str, runtime: str, seconds: float, startup: float) -> CellResult:
    return CellResult(case=case, target="wasm32-wasip1", runtime=runtime, verdict=Verdict.PASS,
                      ran=True, toolchain="debian-sid", duration_s=seconds, startup_s=startup,
                      tests=ONE_TEST)


def test_a_slowdown_is_guest_time_over_the_fastest_and_ignores_start_ups() -> None:
    cells = [
        binary("coretests", "wasmtime-49", 2.5, 0.5), binary("coretests", "node-like", 26.0, 6.0),
        binary("coretests", "interpreter", 16.5, 0.5),
        # a binary of one quick test measures how long a runtime takes to start, not to run
        binary("std.env", "wasmtime-49", 0.2, 0.1), binary("std.env", "node-like", 3.2, 3.0),
        binary("std.env", "interpreter", 0.3, 0.1),
    ]
    assert slowdowns(cells) == {"wasmtime-49": 1.0, "node-like": 10.0, "interpreter": 8.0}


def test_a_binary_built_another_way_is_not_the_yardstick() -> None:
    """Under panic=unwind the same tests run in one process (faster), on fewer runtimes: an
    abort build is measured against the fastest abort build only."""
    unwound = binary("coretests", "wasmtime-49", 1.5, 0.5)
    unwound.build_profile = "unwind"
    cells = [binary("coretests", "wasmtime-49", 4.5, 0.5), binary("coretests", "wasmtime-36", 8.5, 0.5),
             unwound]
    assert slowdowns(cells) == {"wasmtime-49": 1.0, "wasmtime-36": 2.0}


def test_no_binary_long_enough_measures_nothing() -> None:
    assert slowdowns([binary("std.env", "wasmtime-49", 0.2, 0.1), binary("std.env", "jco", 3.2, 3.0)]) == {}


def test_a_cell_is_remembered_without_the_build_it_did(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The next run finds the artifact in the cache: its estimate leaves the build out."""
    from harness.results import timings
    from harness.results.run_header import RunHeader
    from harness.results.store import Results

    monkeypatch.setenv("WASM_CONFORMANCE_CACHE", str(tmp_path))
    first = binary("coretests", "wasmtime-49", 2.5, 0.5)
    first.wall_s, first.build_s, first.built = 130.0, 120.0, True
    second = binary("coretests", "jco", 9.0, 1.0)
    second.wall_s, second.build_s = 10.0, 120.0  # the same build, done by the first
    timings.remember(Results(RunHeader(), (first, second)))
    assert timings.load() == {"coretests[wasm32-wasip1-wasmtime-49]": 10.0,
                              "coretests[wasm32-wasip1-jco]": 10.0}
