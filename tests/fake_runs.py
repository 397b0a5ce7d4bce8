"""Synthetic results for the tests of the answers: a small matrix of hello world, a std probe,
a probe bringing WASI bindings of its own and core's tests, on chosen targets and runtimes, each
cell passing unless a test says otherwise. No Docker; every field a report reads is filled."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from harness.results.record import CellKind, CellResult, TestResult
from harness.results.run_header import RunHeader, columns_of
from harness.results.store import Results
from harness.results.verdict import TestOutcome, Verdict

RUNTIMES = ["wasmtime-45", "wasmtime-49", "jco"]
TARGETS = ["wasm32-wasip1", "wasm32-wasip2"]
IMPORTS = {
    "wasm32-wasip1": ["wasi_snapshot_preview1"],
    "wasm32-wasip2": ["wasi:cli/environment@0.2.6", "wasi:cli/stdout@0.2.6"],
}
RC = "wasi:cli/stdout@0.3.0-rc-2026-03-15"  # what the wasip3 0.6 crate's bindings import
HELLO, PROBE, BINDINGS, CORE = "hello.world", "std.fs-read", "async-main.p3rc", "upstream.coretests"


def cell(case: str, target: str, runtime: str, **fields: object) -> CellResult:
    """One passing cell of the fake matrix (fields override)."""
    kind = CellKind.LIBTEST if case == CORE else CellKind.FIXTURE
    imports = list(IMPORTS[target]) + ([RC] if case == BINDINGS else [])
    base = CellResult(
        case=case, target=target, runtime=runtime, verdict=Verdict.PASS, ran=True, toolchain="debian-sid",
        kind=kind, features=["core"] if kind is CellKind.LIBTEST else [case.split(".")[0]],
        evidence={HELLO: ["hello-world"], CORE: ["codegen"], BINDINGS: ["wasi-bindings"]}.get(case, []),
        library="core" if kind is CellKind.LIBTEST else "",
        test_binary="coretests" if kind is CellKind.LIBTEST else "",
        wasi_imports=imports, build_s=20.0, build_key=f"{case}/{target}", builder="docker",
        versions={"runtime": {"wasmtime-45": "45.0.2", "wasmtime-49": "49.0.3", "jco": "1.35.0"}[runtime]},
        artifact_sha256=hashlib.sha256(f"{case}/{target}".encode()).hexdigest(),
        tests=[TestResult("num::a", TestOutcome.PASSED), TestResult("iter::b", TestOutcome.PASSED)]
        if kind is CellKind.LIBTEST else None)
    for name, value in fields.items():
        setattr(base, name, value)
    return base


Change = Callable[[CellResult], CellResult | None]  # a cell changed, or None to drop it


def fake_run(targets: Iterable[str] = TARGETS, runtimes: Iterable[str] = RUNTIMES,
             change: Change | None = None, bindings: bool = False) -> Results:
    """The matrix of `targets` x `runtimes`, each cell passed through `change` (dropped on None)."""
    targets, runtimes = list(targets), list(runtimes)
    cases = [HELLO, PROBE, CORE] + ([BINDINGS] if bindings else [])
    cells = []
    for target in targets:
        for case in cases:
            if case == BINDINGS and target == "wasm32-wasip1":
                continue  # a core module cannot export async run
            for runtime in runtimes:
                made = cell(case, target, runtime)
                made = change(made) if change else made
                if made is not None:
                    cells.append(made)
    header = RunHeader(targets=targets, runtimes=runtimes, columns=columns_of(runtimes),
                       toolchains=["debian-sid"],
                       toolchain_versions={"debian-sid": {"rustc": "1.97.1+dfsg1-1"}})
    return Results(header, tuple(cells))


def where(case: str | None = None, target: str | None = None, runtime: str | None = None,
          **fields: object) -> Change:
    """A change that sets `fields` on the cells matching case, target and runtime (None: any)."""
    def change(c: CellResult) -> CellResult:
        if (case in (None, c.case)) and (target in (None, c.target)) and (runtime in (None, c.runtime)):
            for name, value in fields.items():
                setattr(c, name, value)
        return c
    return change


def chain(*changes: Change) -> Change:
    def change(c: CellResult) -> CellResult | None:
        out: CellResult | None = c
        for one in changes:
            if out is None:
                return None
            out = one(out)
        return out
    return change


def without(case: str) -> Change:
    return lambda c: None if c.case == case else c
