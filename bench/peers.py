"""Benchmark: the harness beside the tools a user would run instead, cold and warm, in one run.

    python bench/peers.py --wasi-testsuite DIR [--crate DIR] [--runner-python PY] [--workers 2]
                          [--warm-runs 2] [--runtime wasmtime-49]

Two comparisons, each a ratio of wall times (harness / peer), cold and warm, and each with its
results compared test by test in the same run:

(a) wasi-testsuite: `pytest --wasi-testsuite DIR --runtimes COLUMN -n WORKERS` against the
    suite's own runner (`test-runner/wasi_test_runner.py` with `adapters/wasmtime.py` and the
    checkout's `expectations/wasmtime/linux.toml`) on the same suites of the same checkout.
(b) a crate's tests: `pytest` on a suite of `libtest: {path: CRATE, test: T}` cases, one per
    test target of the crate (its unit tests and integration tests), for wasm32-wasip1, against
    `cargo test --release --tests --target wasm32-wasip1` with CARGO_TARGET_WASM32_WASIP1_RUNNER
    set to the same Wasmtime. The default crate is semver 1.0.28 from crates.io (no dependency,
    34 tests, criterion as a dev-dependency), fetched once with the host's cargo into
    bench/out/peers/crates; `--crate` names another (every test of it must pass on wasm: a
    panicking test ends `cargo test`'s process there, the harness's not).

The same binary on both sides: the Wasmtime CLI of the harness's column is copied out of the
runtimes image (`docker create` + `docker cp` of /opt/wasmtime/MAJOR/wasmtime) and its
`--version` checked against the harness's record. The wasi-testsuite runner runs on the host
with that copy (WASMTIME=...), as a user of the suite runs it: the harness's sandbox (a
container per worker, its round trips) is part of what is measured. `cargo test` has no wasm
std on the host, so it runs in the harness's own toolchain image (the same rustc and std the
harness builds with), in one `docker run --network none` with the Wasmtime copy mounted, the
crates fetched beforehand by the host's cargo (`cargo fetch --locked`, part of the cold time,
as the harness's own fetch is part of its cold run).

Cold: every side from nothing of its own: the harness with an empty cache of its own per
comparison (WASM_CONFORMANCE_CACHE under bench/out/peers: no artifacts, no compiled code, no
timings, no fetched crates; the images stay), the runner with an empty HOME (Wasmtime's
compiled-code cache), cargo with an empty CARGO_HOME, target dir and HOME. Warm: the same
again, each side with what its cold run left; with --warm-runs N each side runs N times,
alternating, and the fastest counts. Each harness run's profile (run.profile) is printed.
The last line is a `key=value` summary. The results are compared test by test in every run
of the two sides (hence the tests passed, failed, ignored per side): a test whose outcome
changed from run to run on either side is intermittent (listed with its outcomes, run by run;
on this machine wasi-testsuite's http-client-trailers answers 500 now and then, under either
tool), a difference KNOWN names is listed with its reason; any other difference makes the
exit status 1 (else 0). The ratios' bound (warm <= 1.2) is reported, not enforced.

wasi-testsuite's runner needs Python >= 3.12 (`str in StrEnum`) with its
test-runner/requirements.txt: give it with --runner-python (a venv of its own).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from harness.catalogue.toolchains import all_toolchains  # noqa: E402
from harness.images.recipes import runtimes_tag, toolchain_tag  # noqa: E402
from harness.report.wasi_compare import compare, read_reference  # noqa: E402
from harness.results.store import Results, load_results  # noqa: E402
from harness.results.time_spent import lines as profile_lines  # noqa: E402
from harness.results.verdict import TestOutcome  # noqa: E402
from harness.sources.wasi_testsuite import find_manifests  # noqa: E402

OUT = ROOT / "bench" / "out" / "peers"
CRATE = ("semver", "1.0.28")
TARGET = "wasm32-wasip1"
TOOLCHAIN = "debian-sid"
BOUND = 1.2  # harness / peer, warm
CASE_PREFIX = "peers."
# Differences between the two sides that are understood, each with why: printed, not failing
# the run (any other difference does); one that no longer happens is printed as stale.
KNOWN = {
    ("WASI Rust tests [wasm32-wasip3]", "filesystem-read-directory"): (
        "harness pass, runner fail: the runner runs every test in the checkout's own folders and "
        "its cleanup of `*.cleanup` leftovers skips symlinks, so the `parent.cleanup -> ..` that "
        "filesystem-hard-links makes is still there when filesystem-read-directory lists the folder "
        "(alone, on a clean folder, the runner passes it too); the harness gives each test a fresh "
        "copy without leftovers"),
}
# libtest's own words for a test's outcome, and the harness's outcomes in them
CARGO_WORDS = {"ok": "passed", "FAILED": "failed", "ignored": "ignored"}
AS_CARGO = {TestOutcome.PASSED: "passed", TestOutcome.IGNORED: "ignored"}


@dataclass
class Timed:
    seconds: float
    status: int
    output: str = ""


def timed(argv: list[str], env: dict[str, str] | None = None, cwd: Path | None = None,
          capture: bool = False) -> Timed:
    """One process, measured from outside (wall time), its output kept when asked."""
    started = time.monotonic()
    done = subprocess.run(argv, env=env, cwd=cwd, check=False, text=True,
                          stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                          stderr=subprocess.STDOUT if capture else subprocess.DEVNULL)
    return Timed(time.monotonic() - started, done.returncode, done.stdout or "")


def fresh(*folders: Path) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)


def user_flags() -> list[str]:
    """As the harness's builds: the caller's user, unless root."""
    return ["--user", f"{os.getuid()}:{os.getgid()}"] if os.getuid() != 0 else []


# ---- the same Wasmtime on both sides ---------------------------------------------------------------

def copy_wasmtime(column: str) -> Path:
    """The column's CLI copied out of the runtimes image, into bench/out/peers/wasmtime/."""
    major = column.rsplit("-", 1)[-1]
    dest = OUT / "wasmtime" / column
    dest.parent.mkdir(parents=True, exist_ok=True)
    image = runtimes_tag()
    container = subprocess.run(["docker", "create", image, "true"], capture_output=True, text=True,
                               check=True).stdout.strip()
    try:
        subprocess.run(["docker", "cp", f"{container}:/opt/wasmtime/{major}/wasmtime", str(dest)],
                       check=True, capture_output=True)
    finally:
        subprocess.run(["docker", "rm", container], capture_output=True, check=False)
    return dest


def version_of(binary: Path) -> str:
    """`wasmtime 49.0.3 (...)` -> 49.0.3"""
    said = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True).stdout
    return said.split()[1]


# ---- the harness ----------------------------------------------------------------------------------

@dataclass
class HarnessRun:
    seconds: float
    results: Results
    path: Path


def run_harness(name: str, args: list[str], cache: Path, workers: int) -> HarnessRun:
    results_dir = OUT / "results" / name
    shutil.rmtree(results_dir, ignore_errors=True)
    env = {**os.environ, "WASM_CONFORMANCE_CACHE": str(cache), "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "pytest", *args, "-q", "-p", "no:cacheprovider", "-n", str(workers),
            "--results-dir", str(results_dir)]
    run = timed(argv, env=env, cwd=ROOT)
    path = results_dir / "results.json"
    if not path.is_file():
        raise SystemExit(f"{name}: the harness wrote no results (exit {run.status}): {shlex.join(argv)}")
    return HarnessRun(run.seconds, load_results(path), path)


def print_profile(name: str, run: HarnessRun) -> None:
    data = run.results.run.profile or {}
    print(f"{name}: {run.seconds:.1f} s in all; where the cells' time went (seconds):")
    for line in profile_lines(data):
        print(f"  {line}")
    span = float(data.get("span_s") or 0.0)
    print(f"  outside the cells (pytest's start, collection, the workers' and sandboxes' starts, "
          f"results and reports): {run.seconds - span:.1f} s")


# ---- (a) wasi-testsuite -----------------------------------------------------------------------------

def run_runner(checkout: Path, python: str, wasmtime: Path, home: Path, report: Path) -> Timed:
    """wasi-testsuite's own runner on every suite folder the harness runs, with the checkout's
    expectations for Wasmtime on Linux."""
    suites = [str(m.parent) for m in find_manifests(checkout)]
    expectations = checkout / "expectations" / "wasmtime" / "linux.toml"
    argv = [python, str(checkout / "test-runner" / "wasi_test_runner.py"), "-t", *suites,
            *(["-e", str(expectations)] if expectations.is_file() else []),
            "-r", str(checkout / "adapters" / "wasmtime.py"), "--json-output-location", str(report),
            "--disable-colors"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env |= {"WASMTIME": str(wasmtime), "HOME": str(home)}
    run = timed(argv, env=env, cwd=checkout, capture=True)
    if not report.is_file():
        raise SystemExit(f"the wasi-testsuite runner wrote no report (exit {run.status}):\n"
                         f"{run.output[-3000:]}")
    return run


Outcomes = dict[tuple[str, str], tuple[str, str]]  # (suite or binary, test) -> (harness, peer)


def wasi_outcomes(report: Path, results: Results, column: str) -> tuple[Outcomes, list[str]]:
    """Each test's outcome on both sides (in the runner's words), and the tests one side lacks."""
    comparison = compare(read_reference(report), results, column)
    return {(r.suite, r.test): (r.ours, r.theirs) for r in comparison.rows}, comparison.alone


@dataclass
class Ledger:
    """One comparison's outcomes, run after run. A test whose outcome changed from one run to
    another on either side is intermittent there: its differences are listed, not failures of
    the comparison; a difference KNOWN explains is listed with its reason; any other fails it."""

    name: str
    runs: dict[str, Outcomes] = field(default_factory=dict)
    alone: list[str] = field(default_factory=list)

    def add(self, label: str, outcomes: Outcomes, alone: list[str] | None = None) -> int:
        self.runs[label] = outcomes
        self.alone += [f"{self.name} {label}: {line}" for line in alone or []]
        return sum(1 for ours, theirs in outcomes.values() if ours != theirs)

    def counts(self, label: str) -> tuple[Counter[str], Counter[str]]:
        outcomes = self.runs[label].values()
        return Counter(o for o, _ in outcomes), Counter(t for _, t in outcomes)

    def intermittent(self) -> dict[tuple[str, str], str]:
        """The tests that changed outcome on a side, with their outcomes run by run."""
        keys = {k for outcomes in self.runs.values() for k in outcomes}
        found = {}
        for key in sorted(keys):
            seen = [self.runs[label].get(key, ("absent", "absent")) for label in self.runs]
            if len({o for o, _ in seen}) > 1 or len({t for _, t in seen}) > 1:
                found[key] = ", ".join(f"{label} {o}/{t}"
                                       for label, (o, t) in zip(self.runs, seen, strict=True))
        return found

    def differences(self) -> tuple[list[str], list[str], set[tuple[str, str]]]:
        """(unexplained differences, intermittent ones, the KNOWN ones seen)."""
        flaky = self.intermittent()
        problems, known = list(self.alone), set()
        for label, outcomes in self.runs.items():
            for key, (ours, theirs) in sorted(outcomes.items()):
                if ours == theirs:
                    continue
                if key in KNOWN:
                    known.add(key)
                elif key not in flaky:
                    problems.append(f"{self.name} {label}: {key[0]}: {key[1]}: harness {ours}, peer {theirs}")
        intermittent = [f"{key[0]}: {key[1]} (harness/peer: {runs})" for key, runs in flaky.items()]
        return problems, intermittent, known

# ---- (b) a crate's tests ----------------------------------------------------------------------------

def fetch_crate(name: str, version: str) -> Path:
    """The published crate, unpacked once into bench/out/peers/crates (fetched by the host's cargo:
    a throwaway package that depends on it, `cargo fetch` into a throwaway CARGO_HOME)."""
    dest = OUT / "crates" / f"{name}-{version}"
    if (dest / "Cargo.toml").is_file():
        return dest
    with tempfile.TemporaryDirectory() as work:
        package = Path(work) / "fetch"
        (package / "src").mkdir(parents=True)
        (package / "src" / "lib.rs").write_text("")
        (package / "Cargo.toml").write_text(f'[package]\nname = "fetch"\nversion = "0.0.0"\n\n'
                                            f'[dependencies]\n{name} = "={version}"\n')
        home = Path(work) / "home"
        subprocess.run(["cargo", "fetch", "--manifest-path", str(package / "Cargo.toml")], check=True,
                       env={**os.environ, "CARGO_HOME": str(home)})
        packed = next((home / "registry" / "cache").glob(f"*/{name}-{version}.crate"))
        dest.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(packed) as archive:
            archive.extractall(dest.parent, filter="data")
    return dest


def test_targets(crate: Path) -> dict[str, str]:
    """The crate's test targets as the harness names them (`lib` for its unit tests), each with
    its source path relative to the crate, from `cargo metadata`."""
    metadata = json.loads(subprocess.run(
        ["cargo", "metadata", "--no-deps", "--offline", "--format-version", "1",
         "--manifest-path", str(crate / "Cargo.toml")], capture_output=True, text=True, check=True).stdout)
    found = {}
    for target in metadata["packages"][0]["targets"]:
        kinds = target["kind"]
        if target.get("test", True) and ("lib" in kinds or "test" in kinds):
            name = "lib" if "lib" in kinds else target["name"]
            found[name] = str(Path(target["src_path"]).resolve().relative_to(crate.resolve()))
    return found


def write_suite(crate: Path, targets: dict[str, str]) -> Path:
    """A suite of one libtest case per test target (a suite lives below a folder `suites`)."""
    suite = OUT / "suites" / "crate.yaml"
    suite.parent.mkdir(parents=True, exist_ok=True)
    cases = "".join(f"  - id: {CASE_PREFIX}{re.sub(r'[^a-z0-9_-]', '-', test.lower())}\n"
                    f"    libtest: {{path: {crate}, test: {test}}}\n"
                    f"    features: [libtest]\n    targets: [{TARGET}]\n" for test in sorted(targets))
    suite.write_text(f"# written by bench/peers.py: {crate.name}'s test targets\ncases:\n{cases}")
    return suite


def cargo_test(crate: Path, wasmtime: Path, image: str, cold: bool) -> Timed:
    """`cargo test --tests` for the target, with the Wasmtime copy as its runner; cold from an empty
    CARGO_HOME (fetched first), target dir and HOME (Wasmtime's compiled-code cache)."""
    home, target, guest_home = OUT / "cargo" / "home", OUT / "cargo" / "target", OUT / "cargo" / "wasm-home"
    fetch = Timed(0.0, 0)
    if cold:
        fresh(home, target, guest_home)
        fetch = timed(["cargo", "fetch", "--locked", "--manifest-path", str(crate / "Cargo.toml")],
                      env={**os.environ, "CARGO_HOME": str(home)}, capture=True)
        if fetch.status != 0:
            raise SystemExit(f"cargo fetch failed:\n{fetch.output[-3000:]}")
    runner = f"/opt/peer/{wasmtime.name} run"
    argv = ["docker", "run", "--rm", "--network", "none", *user_flags(),
            "-v", f"{crate}:/ws:ro", "-w", "/ws",
            "-v", f"{home}:/deps-home:ro", "-e", "CARGO_HOME=/deps-home",
            "-v", f"{target}:/target", "-e", "CARGO_TARGET_DIR=/target", "-e", "CARGO_TERM_COLOR=never",
            "-v", f"{guest_home}:/guest-home", "-e", "HOME=/guest-home",
            "-v", f"{wasmtime}:/opt/peer/{wasmtime.name}:ro",
            "-e", f"CARGO_TARGET_{TARGET.upper().replace('-', '_')}_RUNNER={runner}",
            image, "cargo", "test", "--release", "--offline", "--locked", "--tests", "--target", TARGET]
    run = timed(argv, capture=True)
    run.seconds += fetch.seconds
    return run


RUNNING = re.compile(r"^\s*Running (?:unittests )?(\S+) \(")
TEST_LINE = re.compile(r"^test (\S+) \.\.\. (ok|FAILED|ignored)")


def cargo_outcomes(output: str, targets: dict[str, str]) -> dict[tuple[str, str], str]:
    """(test target, test) -> passed/failed/ignored, from cargo test's output."""
    by_source = {source: name for name, source in targets.items()}
    outcomes, binary = {}, "?"
    for line in output.splitlines():
        if match := RUNNING.match(line):
            binary = by_source.get(match.group(1), match.group(1))
        elif match := TEST_LINE.match(line):
            outcomes[(binary, match.group(1))] = CARGO_WORDS[match.group(2)]
    return outcomes


def harness_outcomes(results: Results) -> dict[tuple[str, str], str]:
    """(test target, test) -> the harness's outcome in cargo's words (anything else: failed)."""
    return {(cell.test_binary, test.name): AS_CARGO.get(test.outcome, "failed")
            for cell in results.cells if cell.case.startswith(CASE_PREFIX) for test in cell.tests or []}


def crate_pairs(ours: dict[tuple[str, str], str], theirs: dict[tuple[str, str], str]) -> Outcomes:
    return {key: (ours.get(key, "absent"), theirs.get(key, "absent")) for key in set(ours) | set(theirs)}


# ---- the run ----------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wasi-testsuite", type=Path, required=True, metavar="DIR",
                        help="a checkout of wasi-testsuite's prod/testsuite-base branch (runner included)")
    parser.add_argument("--crate", type=Path, help=f"a crate whose tests to run (default: {'-'.join(CRATE)})")
    parser.add_argument("--runner-python", default="python3",
                        help="the Python (>= 3.12, with test-runner/requirements.txt) that runs "
                             "wasi-testsuite's runner")
    parser.add_argument("--runtime", default="wasmtime-49", help="the harness's Wasmtime column")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warm-runs", type=int, default=2, help="warm runs per side; the fastest counts")
    args = parser.parse_args()
    checkout = args.wasi_testsuite.resolve()
    if not (checkout / "test-runner" / "wasi_test_runner.py").is_file():
        parser.error(f"{checkout}: no test-runner/wasi_test_runner.py (a wasi-testsuite checkout "
                     "was expected)")
    OUT.mkdir(parents=True, exist_ok=True)
    wasmtime = copy_wasmtime(args.runtime)
    version = version_of(wasmtime)
    crate = (args.crate or fetch_crate(*CRATE)).resolve()
    targets = test_targets(crate)
    suite = write_suite(crate, targets)
    image = toolchain_tag(all_toolchains()[TOOLCHAIN])
    print(f"{args.runtime}: {wasmtime} ({version}); crate {crate.name}: test targets "
          f"{', '.join(sorted(targets))}")

    ws_args = ["--wasi-testsuite", str(checkout), "--runtimes", args.runtime]
    crate_args = [str(suite), "--runtimes", args.runtime, "--targets", TARGET, "--toolchains", TOOLCHAIN]
    ws_cache, crate_cache = OUT / "cache-wasi-testsuite", OUT / "cache-crate"
    runner_home, runner_dir = OUT / "runner-home", OUT / "runner"
    fresh(ws_cache, crate_cache, runner_home, runner_dir)

    times: dict[str, dict[str, list[float]]] = {
        side: {"cold": [], "warm": []} for side in ("harness_ws", "runner", "harness_crate", "cargo")}
    last: dict[str, HarnessRun] = {}
    problems: list[str] = []
    wasi, tests = Ledger("wasi-testsuite"), Ledger("crate")
    phases = ["cold"] + ["warm"] * args.warm_runs
    for index, phase in enumerate(phases):
        label = phase if phase == "cold" else f"warm{index}"
        ws = run_harness(f"ws-{label}", ws_args, ws_cache, args.workers)
        report = runner_dir / f"{label}.json"
        peer = run_runner(checkout, args.runner_python, wasmtime, runner_home, report)
        differ = wasi.add(label, *wasi_outcomes(report, ws.results, args.runtime))
        ours, theirs = wasi.counts(label)
        times["harness_ws"][phase].append(ws.seconds)
        times["runner"][phase].append(peer.seconds)
        print(f"wasi-testsuite {label}: harness {ws.seconds:.1f} s {dict(ours)}; runner "
              f"{peer.seconds:.1f} s {dict(theirs)}; {differ} tests differ")
        print_profile(f"  harness, wasi-testsuite {label}", ws)

        crate_run = run_harness(f"crate-{label}", crate_args, crate_cache, args.workers)
        cargo = cargo_test(crate, wasmtime, image, cold=phase == "cold")
        theirs_tests = cargo_outcomes(cargo.output, targets)
        if cargo.status != 0 and not any(v == "failed" for v in theirs_tests.values()):
            problems.append(f"cargo test {label} exited {cargo.status}:\n{cargo.output[-3000:]}")
        differ = tests.add(label, crate_pairs(harness_outcomes(crate_run.results), theirs_tests))
        ours, theirs = tests.counts(label)
        times["harness_crate"][phase].append(crate_run.seconds)
        times["cargo"][phase].append(cargo.seconds)
        print(f"crate {label}: harness {crate_run.seconds:.1f} s {dict(ours)}; cargo test "
              f"{cargo.seconds:.1f} s {dict(theirs)}; {differ} tests differ")
        print_profile(f"  harness, crate {label}", crate_run)
        last = {"ws": ws, "crate": crate_run}

    versions = {c.versions.get("runtime", "") for c in last["ws"].results.cells if c.runtime == args.runtime}
    if versions and versions != {version}:
        problems.append(f"the harness's {args.runtime} says {sorted(versions)}, the copy {version}")
    intermittent: list[str] = []
    known: set[tuple[str, str]] = set()
    for ledger in (wasi, tests):
        unexplained, flaky, explained = ledger.differences()
        problems += unexplained
        intermittent += [f"{ledger.name}: {line}" for line in flaky]
        known |= explained
    for key, why in KNOWN.items():
        print(f"known difference: {key[0]}: {key[1]}: {why}" if key in known else
              f"known difference not seen (stale, remove it from KNOWN): {key[0]}: {key[1]}")
    for line in intermittent:
        print(f"intermittent (its outcome changed from run to run): {line}")
    for problem in problems:
        print(f"DIFFERENT: {problem}")

    def ratio(harness: str, peer: str, phase: str) -> float:
        return round(min(times[harness][phase]) / min(times[peer][phase]), 2)

    ratios = {"ws_cold_ratio": ratio("harness_ws", "runner", "cold"),
              "ws_warm_ratio": ratio("harness_ws", "runner", "warm"),
              "crate_cold_ratio": ratio("harness_crate", "cargo", "cold"),
              "crate_warm_ratio": ratio("harness_crate", "cargo", "warm")}
    held = ratios["ws_warm_ratio"] <= BOUND and ratios["crate_warm_ratio"] <= BOUND

    def counts(counter: Counter[str]) -> str:
        return "/".join(f"{k}:{v}" for k, v in sorted(counter.items()))

    final = phases[-1] if len(phases) == 1 else f"warm{len(phases) - 1}"
    summary = {
        "runtime": f"{args.runtime}({version})", "workers": args.workers, "warm_runs": args.warm_runs,
        "ws_harness_cold_s": round(times["harness_ws"]["cold"][0], 1),
        "ws_runner_cold_s": round(times["runner"]["cold"][0], 1),
        "ws_harness_warm_s": round(min(times["harness_ws"]["warm"]), 1),
        "ws_runner_warm_s": round(min(times["runner"]["warm"]), 1),
        "ws_harness": counts(wasi.counts(final)[0]), "ws_runner": counts(wasi.counts(final)[1]),
        "crate": crate.name,
        "crate_harness_cold_s": round(times["harness_crate"]["cold"][0], 1),
        "crate_cargo_cold_s": round(times["cargo"]["cold"][0], 1),
        "crate_harness_warm_s": round(min(times["harness_crate"]["warm"]), 1),
        "crate_cargo_warm_s": round(min(times["cargo"]["warm"]), 1),
        "crate_harness": counts(tests.counts(final)[0]), "crate_cargo": counts(tests.counts(final)[1]),
        **ratios,
        "results": (f"DIFFERENT({len(problems)})" if problems else
                    "equal" + (f"_but_{len(known)}_known" if known else "")
                    + (f"_{len(intermittent)}_intermittent" if intermittent else "")),
        "bound": f"{'held' if held else 'NOT held'}(warm<={BOUND})",
    }
    print(" ".join(f"{k}={v}" for k, v in summary.items()))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
