"""Synthetic nights of the full matrix, for the history benchmark and its tests.

A night is a results file (format 3, gzipped) shaped like a full `make matrix`: 4 targets x 9
runtime columns, per column ~60 probe cells and ~8 test binaries of Rust's own tests, about
2457 cells and 93k test results in all, with durations, messages of failing tests and the
fields every report reads. Night to night a few things change, as they do: some cells flip
verdict (flaky, or with a runtime's version bump), some tests fail and are fixed, a runtime
line moves to a new patch release now and then. Each cell is serialised once and reused, so
365 nights take minutes, not hours.

    python bench/nights.py DIR [--nights N]
"""

from __future__ import annotations

import argparse
import functools
import gzip
import hashlib
import json
import random
from pathlib import Path
from typing import Any

TARGETS = ["wasm32-wasip1", "wasm32-wasip1-threads", "wasm32-wasip2", "wasm32-wasip3"]
RUNTIMES = ["wasmtime-36", "wasmtime-45", "wasmtime-46", "wasmtime-48", "wasmtime-49", "pulley-45", "jco",
            "wasmedge", "wazero"]
VERSIONS = {"wasmtime-36": [36, 0, 9], "wasmtime-45": [45, 0, 2], "wasmtime-46": [46, 0, 1],
            "wasmtime-48": [48, 0, 2], "wasmtime-49": [49, 0, 3], "pulley-45": [45, 0, 2],
            "jco": [1, 35, 0], "wasmedge": [0, 17, 1], "wazero": [1, 12, 0]}
FEATURES = ["hello", "stdio", "args", "env", "exit", "panic", "clocks", "random", "fs", "thread", "sockets",
            "async-main"]
PROBES = 60  # probe cells per (target, runtime)
# test binaries of Rust's own tests per (target, runtime), with their number of tests: ~2583 a column
BINARIES = {"coretests": 1450, "alloctests": 333, "alloctests-lib": 600, "std.env": 40, "std.fs": 60,
            "std.thread": 50, "std.sync": 40, "std.process": 10}
START = (2025, 12, 7)


def _date(night: int) -> str:
    import datetime

    day = datetime.date(*START) + datetime.timedelta(days=night)
    return f"{day.isoformat()}T02:17:00Z"


def _version(runtime: str, night: int) -> str:
    """A runtime's version: a new patch release every 45 nights."""
    major, minor, patch = VERSIONS[runtime]
    return f"{major}.{minor}.{patch + night // 45}"


WORDS = [f"{a}{b}" for a in ("iter", "slice", "str", "num", "fmt", "hash", "cell", "sync", "mem", "ptr", "fs",
                             "env", "io", "net", "time", "char", "vec", "btree", "string", "ops")
         for b in ("", "_map", "_set", "_ext", "_impl", "_tests", "_range", "_sort", "_iter", "_parse")]


@functools.cache
def _name(binary: str, i: int) -> str:
    """A test's name, as diverse as upstream's (a path of a few words, stable per binary and index)."""
    pick = random.Random(f"{binary}/{i}")
    return "::".join([*pick.sample(WORDS, pick.randint(2, 4)), f"test_{pick.choice(WORDS)}_{i}"])


def _tests(binary: str, count: int, rng: random.Random, failing: set[int]) -> list[dict[str, Any]]:
    out = []
    for i in range(count):
        name = _name(binary, i)
        if i in failing:
            out.append({"name": name, "outcome": "failed", "duration_s": round(rng.random() / 50, 4),
                        "message": f"thread 'main' panicked at library/{binary}/tests/m{i // 40}.rs:{i}:5:\n"
                                   "assertion `left == right` failed\n  left: 1\n right: 2"})
        elif i % 17 == 0:
            out.append({"name": name, "outcome": "ignored", "reason": "#[should_panic]: cannot run here"})
        else:
            out.append({"name": name, "outcome": "passed", "duration_s": rng.random() / 100})
    return out


def _cell(case: str, target: str, runtime: str, night: int, rng: random.Random,
          **fields: Any) -> dict[str, Any]:
    feature = fields.pop("feature", "hello")
    out: dict[str, Any] = {
        "case": case, "target": target, "runtime": runtime, "verdict": "pass", "reason": "", "ran": True,
        "toolchain": "debian-sid", "build_profile": "abort", "kind": "fixture", "reason_code": None,
        "library": "", "test_binary": "", "wasi_suite": "", "suite": f"suites/{feature}.yaml", "line": 12,
        "description": f"the {case} probe", "features": [feature], "evidence": [], "expectation": "pass",
        "expectation_reason": "", "expectation_source": "", "intermittent": False, "link": None,
        "exit_code": 0, "stdout": f"{case}: ok\n", "stderr": "", "stdout_bytes": len(case) + 5,
        "duration_s": round(0.05 + rng.random() / 10, 3), "wall_s": round(0.3 + rng.random(), 3),
        "artifact_sha256": hashlib.sha256(f"{case}/{target}".encode()).hexdigest(),
        "wasi_imports": ["wasi_snapshot_preview1"] if "wasip1" in target else ["wasi:cli/stdout@0.2.6"],
        "build_s": 21.5, "build_key": f"{case}/{target}", "built": False, "compile_s": None,
        "startup_s": None, "worker": "gw0", "started_at": 1.8e9 + night * 86400 + rng.random() * 3600,
        "builder": "docker", "versions": {"runtime": _version(runtime, night), "rustc": "1.97.1"},
        "command": [runtime, "run", f"/artifacts/{case}.wasm"],
        "repro": f"docker run ... {runtime} {case}.wasm",
        "attempts_s": None, "conversation": None,
    }
    out.update(fields)
    return out


def night(number: int, seed: int = 7) -> dict[str, Any]:
    """Night `number` of the synthetic nightly."""
    stable = random.Random(seed)  # what every night shares
    tonight = random.Random(seed * 1000 + number)  # what changes
    cells = []
    for target in TARGETS:
        for runtime in RUNTIMES:
            for i in range(PROBES):
                feature = FEATURES[i % len(FEATURES)]
                case = f"{feature}.probe-{i}"
                fields: dict[str, Any] = {"feature": feature}
                if stable.random() < 0.08:
                    fields.update(verdict="xfail", expectation="xfail", reason="a known bug",
                                  expectation_reason="a known bug of this runtime, with its link",
                                  expectation_source=f"suites/expectations/{runtime.split('-')[0]}.yaml:{i}")
                if tonight.random() < 0.004:  # a flaky failure tonight
                    fields.update(verdict="fail", reason="stdout lacks 'ok'", exit_code=1)
                cells.append(_cell(case, target, runtime, number, tonight, **fields))
            for binary, count in BINARIES.items():
                failing = {i for i in range(count) if tonight.random() < 0.0004}
                tests = _tests(binary, count, tonight, failing)
                outcomes: dict[str, int] = {}
                for test in tests:
                    outcomes[test["outcome"]] = outcomes.get(test["outcome"], 0) + 1
                counts = {o: outcomes.get(o, 0) for o in
                          ("passed", "failed", "crashed", "timeout", "ignored", "skipped", "xfail", "xpass")}
                cells.append(_cell(
                    f"upstream.{binary}", target, runtime, number, tonight, feature="core", kind="libtest",
                    library=binary.split(".")[0].replace("tests", "") or "std", test_binary=binary,
                    verdict="fail" if failing else "pass", stdout="", stdout_bytes=0,
                    reason=f"{len(failing)} of {count} tests failed" if failing else f"{count} tests",
                    tests=tests, test_counts=counts, evidence=["codegen"] if binary == "coretests" else []))
    header = {"run_id": f"night-{number}", "date": _date(number), "harness_revision": "0" * 12, "host": "ci",
              "builder": "docker", "targets": TARGETS, "runtimes": RUNTIMES, "columns": {},
              "toolchains": ["debian-sid"], "build_profiles": ["abort"], "argv": ["pytest", "suites/"],
              "image": "wasm-conformance/runtimes:synthetic", "image_id": "sha256:" + "ab" * 32,
              "versions": {r: _version(r, number) for r in RUNTIMES}, "toolchain_versions": {},
              "stale_expectations": []}
    return {"format_version": 3, "run": header, "cells": cells}


def write_nights(folder: Path, count: int, seed: int = 7, level: int = 6) -> list[Path]:
    """`count` nights as `night-NNN.json.gz` in `folder` (existing ones kept)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        path = folder / f"night-{number:03d}.json.gz"
        if not path.exists():
            # compact, so that the C encoder writes it (results.py indents: the same JSON, more spaces)
            text = json.dumps(night(number, seed), sort_keys=True, separators=(",", ":"))
            partial = path.with_suffix(".part")
            partial.write_bytes(gzip.compress(text.encode(), compresslevel=level, mtime=0))
            partial.replace(path)
        paths.append(path)
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--nights", type=int, default=365)
    args = parser.parse_args()
    paths = write_nights(args.folder, args.nights)
    size = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} nights in {args.folder}, {size / 1e6:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
