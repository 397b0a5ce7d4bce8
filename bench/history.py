"""Benchmark: `python -m harness history` over a year of generated full nights, cold and warm.

    python bench/history.py [--nights 365] [--dir DIR] [--out DIR]

The nights (bench/nights.py: ~2457 cells and ~93k test results each, gzipped, a few changes
night to night) are generated into DIR once (default bench/out/nights) and kept. Cold: the
history from an empty summary cache of its own (bench/out/history-cache), so every night is
read in full and summarised, one worker process per core; warm: the same again, from the
summaries (as the nightly reads the summaries its results branch keeps beside the nights).
Each run is a process of its own, measured from outside: wall time and the peak resident
memory of its largest process (rusage; cold runs one worker per core beside it, so its bound
is the peak times the processes). The last line is a `key=value` summary, with whether both
runs hold the bound (60 s, 1 GiB).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from nights import write_nights  # noqa: E402

OUT = ROOT / "bench" / "out"
LIMIT_S, LIMIT_MB = 60.0, 1024.0


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB, exit status) of one process."""
    start = time.monotonic()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return time.monotonic() - start, usage.ru_maxrss / 1024, process.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nights", type=int, default=365)
    parser.add_argument("--dir", type=Path, default=OUT / "nights")
    parser.add_argument("--out", type=Path, default=OUT / "history")
    args = parser.parse_args()
    started = time.monotonic()
    paths = write_nights(args.dir, args.nights)
    made = time.monotonic() - started
    on_disk = sum(p.stat().st_size for p in paths) / 1e6
    print(f"{len(paths)} nights in {args.dir}: {on_disk:.0f} MB gzipped ({made:.0f} s to make the missing "
          "ones)")
    cache = OUT / "history-cache"
    shutil.rmtree(cache, ignore_errors=True)
    env = {**os.environ, "WASM_CONFORMANCE_CACHE": str(cache), "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "harness", "history", str(args.dir), "-o", str(args.out)]
    figures = {}
    for phase in ("cold", "warm"):
        seconds, peak, status = timed(argv, env)
        if status != 0:
            print(f"{phase}: harness history exited {status}")
            return 1
        figures[phase] = (seconds, peak)
        print(f"{phase}: {seconds:.1f} s, peak RSS {peak:.0f} MB")
    kept = sum(p.stat().st_size for p in (cache / "history").iterdir()) / 1e6
    print(f"summaries kept: {kept:.1f} MB ({kept / len(paths) * 1000:.0f} KB a night)")
    (cold_s, cold_mb), (warm_s, warm_mb) = figures["cold"], figures["warm"]
    processes = 1 + (os.cpu_count() or 1)
    holds = max(cold_s, warm_s) <= LIMIT_S and max(cold_mb * processes, warm_mb) <= LIMIT_MB
    print(f"nights={len(paths)} cold_s={cold_s:.1f} cold_peak_mb={cold_mb:.0f} cold_processes={processes} "
          f"warm_s={warm_s:.1f} warm_peak_mb={warm_mb:.0f} summaries_mb={kept:.1f} "
          f"bound={'held' if holds else 'NOT held'} (cold and warm <= {LIMIT_S:.0f} s and {LIMIT_MB:.0f} MB)")
    return 0 if holds else 1


if __name__ == "__main__":
    raise SystemExit(main())
