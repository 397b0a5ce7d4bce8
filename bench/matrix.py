"""Benchmark: the full matrix cold and warm, against the bare runtime calls of the same run.

    python bench/matrix.py [--workers N] [--keep-cache] [--suites PATH] [-- PYTEST_ARGS...]
    python bench/matrix.py --suites suites/upstream.yaml   # Rust's own tests only

Cold: the run starts from an empty cache of its own (bench/out/cache; the
toolchain image stays, your own caches are not touched). Warm: the same run again.
For every cell that ran, the executor inside the sandbox measures the runtime
process itself (`duration_s`: the bare runtime call, spawned directly in the same
container); the harness measures the whole cell
(`wall_s`). For a libtest cell (one test binary, run again by exact name after
a test crashed it) both sum over its runtime processes, so their difference is the
harness's overhead per binary. The figures are ratios and differences taken within
one run, plus the size of the results file and its gzip. Each run's profile (where its
time went, harness/results/time_spent.py) is printed, and how many entries each runtime's
compiled-code cache gained (a miss each; a warm run should gain none). The last line is
a `key=value` summary.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from harness.results.time_spent import lines as profile_lines  # noqa: E402

OUT = ROOT / "bench" / "out"
CACHE = OUT / "cache"
os.environ["WASM_CONFORMANCE_CACHE"] = str(CACHE)  # for this process and the runs it starts


def run_matrix(name: str, suites: str, workers: int, extra: list[str]) -> tuple[float, dict]:
    results_dir = OUT / name
    shutil.rmtree(results_dir, ignore_errors=True)
    argv = [sys.executable, "-m", "pytest", suites, "-q", "-p", "no:cacheprovider",
            "-n", str(workers), "--results-dir", str(results_dir), *extra]
    started = time.monotonic()
    subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, check=False)
    elapsed = time.monotonic() - started
    return elapsed, json.loads((results_dir / "results.json").read_text())


# The runtimes' compiled-code caches, below the sandbox's persistent cache.
CODE_CACHES = {"wasmtime and pulley": "sandbox/home/.cache/wasmtime", "wazero": "sandbox/wazero",
               "wasmedge (ahead of time)": "sandbox/aot", "jco (transpiled)": "sandbox/jco"}


def cache_entries() -> dict[str, int]:
    return {name: sum(1 for p in (CACHE / relative).rglob("*") if p.is_file())
            if (CACHE / relative).is_dir() else 0 for name, relative in CODE_CACHES.items()}


def overhead_ms(cell: dict) -> float:
    """What the harness added to a cell: its wall time less the runtime processes, the runtime's
    ahead-of-time compile and a build it did."""
    build = (cell.get("build_s") or 0.0) if cell.get("built") else 0.0
    return 1000 * (cell["wall_s"] - cell["duration_s"] - (cell.get("compile_s") or 0.0) - build)


def builds_since(moment: float) -> Counter[tuple[str, str]]:
    log = CACHE / "logs" / "builds.jsonl"
    counts: Counter[tuple[str, str]] = Counter()
    if log.is_file():
        for line in log.read_text().splitlines():
            entry = json.loads(line)
            if entry["time"] >= moment:
                counts[(entry["crate"], entry["target"])] += 1
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep-cache", action="store_true", help="start from the last bench cache")
    parser.add_argument("--suites", default="suites/", help="the suites to run (default: all)")
    parser.add_argument("pytest_args", nargs="*")
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "harness", "setup"], cwd=ROOT, check=True)

    if not args.keep_cache:
        shutil.rmtree(CACHE, ignore_errors=True)
    entries = [cache_entries()]
    cold_start = time.time()
    cold_s, cold = run_matrix("cold", args.suites, args.workers, args.pytest_args)
    cold_builds = builds_since(cold_start)
    entries.append(cache_entries())
    warm_start = time.time()
    warm_s, warm = run_matrix("warm", args.suites, args.workers, args.pytest_args)
    warm_builds = builds_since(warm_start)
    entries.append(cache_entries())
    for name, data in (("cold", cold), ("warm", warm)):
        print(f"{name} run, where its time went (seconds):")
        for line in profile_lines(data["run"].get("profile") or {}):
            print(f"  {line}")
    for name, before, after in (("cold", entries[0], entries[1]), ("warm", entries[1], entries[2])):
        print(f"compiled-code caches, entries added by the {name} run (misses): "
              + ", ".join(f"{cache} {after[cache] - before[cache]}" for cache in CODE_CACHES))

    ran = [c for c in warm["cells"] if c.get("ran")]
    bare = [c["duration_s"] for c in ran]
    overheads_ms = [overhead_ms(c) for c in ran]
    bare_per_worker = sum(bare) / args.workers
    verdicts = {(c["case"], c["target"], c["runtime"]): c["verdict"] for c in cold["cells"]}
    changed = [c for c in warm["cells"]
               if verdicts.get((c["case"], c["target"], c["runtime"])) != c["verdict"]]
    needed = {(c["artifact_sha256"], c["target"]) for c in warm["cells"] if c.get("artifact_sha256")}
    by_runtime: dict[str, list[float]] = {}
    for cell in ran:
        by_runtime.setdefault(cell["runtime"], []).append(overhead_ms(cell))

    print(f"cells: {len(warm['cells'])} ({len(ran)} ran); workers: {args.workers}")
    print(f"cold run: {cold_s:.1f}s with {sum(cold_builds.values())} cargo builds "
          f"for {len(cold_builds)} (crate, target) pairs")
    print(f"warm run: {warm_s:.1f}s with {sum(warm_builds.values())} cargo builds; "
          f"{len(changed)} verdicts differ from the cold run")
    print(f"bare runtime calls: {sum(bare):.1f}s in all, {bare_per_worker:.1f}s per worker")
    for runtime, values in sorted(by_runtime.items()):
        print(f"  {runtime:<12} median harness overhead {statistics.median(values):7.1f} ms "
              f"over {len(values)} cells")
    binaries = [c for c in ran if c.get("kind") == "libtest"]
    tests = [t for c in binaries for t in c.get("tests") or []]
    stored = (OUT / "warm" / "results.json").read_bytes()
    if binaries:
        print(f"test binaries: {len(binaries)} cells, {len(tests)} per-test results; median overhead "
              f"{statistics.median(overhead_ms(c) for c in binaries):.1f} ms "
              f"per binary")
    print(f"results.json: {len(stored) / 1e6:.2f} MB, gzipped {len(gzip.compress(stored)) / 1e6:.2f} MB")
    report_start = time.monotonic()
    subprocess.run([sys.executable, "-m", "harness", "report", str(OUT / "warm" / "results.json"),
                    "-o", str(OUT / "report")], cwd=ROOT, stdout=subprocess.DEVNULL, check=True)
    report_s = time.monotonic() - report_start
    print(f"reports from results.json: {report_s:.1f}s")
    summary = {
        "cells": len(warm["cells"]),
        "ran": len(ran),
        "workers": args.workers,
        "cold_s": round(cold_s, 1),
        "warm_s": round(warm_s, 1),
        "bare_sum_s": round(sum(bare), 1),
        "warm_ratio": round(warm_s / bare_per_worker, 2) if bare_per_worker else None,
        "overhead_ms_median": round(statistics.median(overheads_ms), 1) if overheads_ms else None,
        "builds_per_fixture_target": max(cold_builds.values(), default=0),
        "cold_builds": sum(cold_builds.values()),
        "warm_builds": sum(warm_builds.values()),
        "cache_hit_rate": round(1 - sum(warm_builds.values()) / max(len(needed), 1), 3),
        "artifacts": len(needed),
        "verdicts_changed": len(changed),
        "test_results": len(tests),
        "results_mb": round(len(stored) / 1e6, 2),
        "results_gz_mb": round(len(gzip.compress(stored)) / 1e6, 2),
        "report_s": round(report_s, 1),
        "tail_idle_s": (warm["run"].get("profile") or {}).get("tail_idle_s"),
        "warm_cache_misses": sum(entries[2][c] - entries[1][c] for c in CODE_CACHES),
    }
    print(" ".join(f"{k}={v}" for k, v in summary.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
