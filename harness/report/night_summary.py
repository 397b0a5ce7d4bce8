"""A night's results file, summarised once: what the history needs of it, small and quick to read.

A full night holds ~2457 cells and ~93k test results; the history needs per cell only its
verdict, what the verdict depends on besides chance (a digest), the start of its reason and,
per test binary, the tests that did not pass. `summarise` reads a results file once (orjson, no
per-test objects, no schema walk over every test) into a NightSummary. `load_summary` keeps it in
the persistent cache (`<cache>/history/<key>.json`) or, asked to (`beside`), next to the night
(`NAME.summary.json` beside `NAME.json.gz`, so a folder of nights carries its summaries: the
nightly's results branch does); a summary found beside a night is always used. Either is keyed
by the file's content: a gzipped file by its gzip trailer (the CRC-32 and length of the JSON inside) and its
size, a plain one by its sha256. `summaries` gives every night of a folder, oldest first, makes
the missing summaries in parallel, one process per core, and skips a night that cannot be read
with one line.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import sys
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import orjson

from harness.artifacts.cache import cache_dir
from harness.catalogue.build_profiles import DEFAULT as DEFAULT_PROFILE
from harness.errors import UserError
from harness.results.record import NA, CellKey, cell_name
from harness.results.store import json_error, upgrade
from harness.results.verdict import TestOutcome, Verdict

VERSION = 2  # of the summary's form; a summary of another version is made again
REASON_CHARS = 160
RESULTS_SUFFIXES = (".json", ".json.gz")
SUMMARY_SUFFIX = ".summary.json"
Line = tuple[str, str, str, str]  # target, runtime, build, kind ("std" or "wasi-testsuite")


@dataclass(frozen=True, slots=True)
class CellState:
    """One cell of one night, as the history needs it."""

    key: CellKey
    verdict: Verdict
    label: str  # the verdict as shown ("n/a" for not-run unsupported cells)
    intermittent: bool
    std: bool  # std evidence (not one of wasi-testsuite's tests)
    signature: str  # digest of what the verdict depends on besides chance
    reason: str  # its first REASON_CHARS characters
    line: Line = ("", "", "", "")  # its target, runtime, build and kind (set by make_state)

    @property
    def build(self) -> str:
        """The toolchain, with the build profile when it is not the default."""
        toolchain, profile = self.key[3], self.key[4]
        return f"{toolchain} +{profile}" if profile != DEFAULT_PROFILE else toolchain

    def name(self, with_toolchain: bool = False) -> str:
        case, target, runtime, toolchain, profile = self.key
        return cell_name(case, target, runtime, toolchain if with_toolchain else "",
                         "" if profile == DEFAULT_PROFILE else profile)


def make_state(key: CellKey, verdict: Verdict, label: str, intermittent: bool, std: bool, signature: str,
               reason: str) -> CellState:
    profile = key[4]
    build = f"{key[3]} +{profile}" if profile != DEFAULT_PROFILE else key[3]
    return CellState(key, verdict, label, intermittent, std, signature, reason,
                     (key[1], key[2], build, "std" if std else "wasi-testsuite"))


@dataclass(frozen=True, slots=True)
class TestsSummary:
    """A test binary's tests in one night: how many passed, a digest of their names (the same
    digest: the same tests), and the outcome of every test that neither passed nor was ignored."""

    __test__ = False  # not a test class for pytest

    passed: int
    total: int
    names_digest: str
    not_passed: dict[str, str]


@dataclass(slots=True)
class NightSummary:
    """One night: its date, its column order, every cell's state and each test binary's tests."""

    path: Path
    date: str
    runtimes: list[str]
    cells: dict[CellKey, CellState]
    tests: dict[CellKey, TestsSummary] = field(default_factory=dict)

    @property
    def passes(self) -> dict[Line, tuple[int, int]]:
        """(cells that pass, cells) per line."""
        out: dict[Line, list[int]] = {}
        for state in self.cells.values():
            counts = out.setdefault(state.line, [0, 0])
            counts[0] += state.label == Verdict.PASS.value
            counts[1] += 1
        return {line: (p, n) for line, (p, n) in out.items()}

    def build_error_targets(self) -> set[str]:
        return {s.key[1] for s in self.cells.values() if s.verdict is Verdict.BUILD_ERROR}


# ---- reading a results file once ----------------------------------------------------------------


def _digest(value: object) -> str:
    return hashlib.blake2b(orjson.dumps(value, option=orjson.OPT_SORT_KEYS), digest_size=8).hexdigest()


def _state(raw: dict[str, Any]) -> CellState:
    verdict = Verdict(raw["verdict"])
    ran = bool(raw.get("ran", False))
    label = NA if verdict is Verdict.UNSUPPORTED and not ran else verdict.value
    key = (raw["case"], raw["target"], raw["runtime"], raw.get("toolchain", ""),
           raw.get("build_profile", DEFAULT_PROFILE))
    if not all(isinstance(k, str) for k in key):
        raise TypeError("a cell's case, target, runtime, toolchain and profile are strings")
    signature = _digest([raw.get("artifact_sha256"), raw.get("versions") or {},
                         raw.get("expectation", "pass"), raw.get("expectation_source", ""),
                         raw.get("command") or []])
    return make_state(key, verdict, label, bool(raw.get("intermittent", False)),
                      raw.get("kind", "fixture") != "wasi-testsuite", signature,
                      str(raw.get("reason") or "")[:REASON_CHARS])


OUTCOMES = frozenset(o.value for o in TestOutcome)
PASSED, IGNORED = TestOutcome.PASSED.value, TestOutcome.IGNORED.value


def _tests(raw: list[dict[str, Any]]) -> TestsSummary:
    names = [test["name"] for test in raw]
    passed, not_passed = 0, {}
    for test in raw:
        outcome = test["outcome"]
        if outcome == PASSED:
            passed += 1
        elif outcome not in OUTCOMES:
            raise ValueError(f"unknown test outcome {outcome!r}")
        elif outcome != IGNORED:
            not_passed[test["name"]] = outcome
    digest = hashlib.blake2b("\0".join(names).encode(), digest_size=8).hexdigest()
    return TestsSummary(passed, len(raw), digest, not_passed)


def summarise(path: Path) -> NightSummary:
    """Read a results file (.json or .json.gz) into its summary; UserError when it cannot be read."""
    try:
        raw = Path(path).read_bytes()
        text = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
        data = upgrade(orjson.loads(text))
        run = data["run"]
        cells, tests = {}, {}
        for entry in data["cells"]:
            state = _state(entry)
            if state.key in cells:
                raise ValueError(f"cell {state.name(True)} appears twice")
            cells[state.key] = state
            if entry.get("tests") is not None:
                tests[state.key] = _tests(entry["tests"])
        return NightSummary(Path(path), str(run.get("date") or Path(path).name),
                            list(run.get("runtimes") or []), cells, tests)
    except FileNotFoundError:
        raise UserError(f"{path}: no such results file") from None
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise UserError(f"{path}: cannot read: {error}") from None
    except orjson.JSONDecodeError as error:  # a json.JSONDecodeError, with its position
        raise json_error(Path(path), error) from None
    except ValueError as error:  # UTF-8, an unknown verdict or outcome, a cell twice
        raise UserError(f"{path}: not a results file: {error}") from None
    except (KeyError, TypeError, AttributeError) as error:
        raise UserError(f"{path}: not a results file: a field is missing or of the wrong type "
                        f"({error})") from None


# ---- the summary's file, beside the night or in the cache ---------------------------------------


def fingerprint(path: Path) -> str:
    """A key for the file's content: for gzip, its size and trailer (CRC-32 and length of the JSON
    inside, read without decompressing); else the sha256 of the file."""
    with open(path, "rb") as file:
        head = file.read(2)
        size = os.fstat(file.fileno()).st_size
        if head == b"\x1f\x8b" and size >= 18:
            file.seek(-8, os.SEEK_END)
            return f"gz-{size}-{file.read(8).hex()}"
        file.seek(0)
        return "sha256-" + hashlib.file_digest(file, "sha256").hexdigest()


def _to_json(summary: NightSummary, key: str) -> dict[str, Any]:
    index = {k: i for i, k in enumerate(summary.cells)}
    return {
        "version": VERSION, "fingerprint": key, "date": summary.date, "runtimes": summary.runtimes,
        "cells": [[*s.key, s.verdict.value, s.label, s.intermittent, s.std, s.signature, s.reason]
                  for s in summary.cells.values()],
        "tests": {str(index[k]): [t.passed, t.total, t.names_digest, t.not_passed]
                  for k, t in summary.tests.items()},
    }


# Every distinct cell state, shared by the nights that have it (most cells do not change from
# one night to the next): a year of nights holds each state once, and reads it back quickly.
_STATES: dict[tuple[Any, ...], CellState] = {}
_VERDICTS = {v.value: v for v in Verdict}


def _from_json(path: Path, data: dict[str, Any]) -> NightSummary:
    intern = sys.intern
    cells: dict[CellKey, CellState] = {}
    keys: list[CellKey] = []
    for row in data["cells"]:
        whole = tuple(row)
        state = _STATES.get(whole)
        if state is None:
            case, target, runtime, toolchain, profile = (intern(part) for part in row[:5])
            key = (case, target, runtime, toolchain, profile)
            verdict, label, intermittent, std, signature, reason = row[5:]
            state = _STATES[whole] = make_state(key, _VERDICTS[verdict], intern(label), bool(intermittent),
                                                bool(std), intern(signature), intern(reason))
        keys.append(state.key)
        cells[state.key] = state
    tests = {keys[int(i)]: TestsSummary(passed, total, digest, not_passed)
             for i, (passed, total, digest, not_passed) in data["tests"].items()}
    return NightSummary(path, data["date"], data["runtimes"], cells, tests)


def summary_path(path: Path) -> Path:
    """Where a night's summary is kept beside it: NAME.summary.json for NAME.json(.gz)."""
    name = Path(path).name
    for suffix in (".json.gz", ".json"):
        if name.endswith(suffix):
            return Path(path).with_name(name.removesuffix(suffix) + SUMMARY_SUFFIX)
    return Path(path).with_name(name + SUMMARY_SUFFIX)


def _kept(path: Path, key: str, cache: Path | None) -> NightSummary | None:
    """The summary kept beside the night or in the cache for this content, or None."""
    for kept in (summary_path(path), (cache or cache_dir("history")) / f"{key}.json"):
        try:
            data = orjson.loads(kept.read_bytes())
            if data.get("version") == VERSION and data.get("fingerprint") == key:
                return _from_json(Path(path), data)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass  # none yet, or unreadable: the next place, or made again
    return None


def _keep(path: Path, key: str, summary: NightSummary, cache: Path | None, beside: bool) -> dict[str, Any]:
    """Write the summary into the cache, or beside the night (`beside`; the cache when that folder
    cannot be written)."""
    data = _to_json(summary, key)
    text = orjson.dumps(data)
    problems = []
    places = [summary_path(path)] if beside else []
    for kept in (*places, (cache or cache_dir("history")) / f"{key}.json"):
        partial = kept.with_name(f"{kept.name}.{os.getpid()}.part")
        try:
            kept.parent.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(text)
            partial.replace(kept)
            return data
        except OSError as error:
            problems.append(str(error))
            partial.unlink(missing_ok=True)
    print(f"history: cannot keep the summary of {path} ({'; '.join(problems)}); it is made again "
          "next time", file=sys.stderr)
    return data


def load_summary(path: Path, cache: Path | None = None, beside: bool = False) -> NightSummary:
    """A night's summary: the one kept for this content, else made and kept."""
    key = fingerprint(path)
    found = _kept(path, key, cache)
    if found is not None:
        if beside and not summary_path(path).exists():
            _keep(path, key, found, cache, beside)
        return found
    return _from_json(Path(path), _keep(path, key, summarise(path), cache, beside))  # as a kept one


def _make(path: Path, cache: Path | None, beside: bool) -> str | None:
    """Make and keep one night's summary (in a worker process); the reason it cannot, or None."""
    try:
        _keep(path, fingerprint(path), summarise(path), cache, beside)
        return None
    except UserError as error:
        return str(error).removeprefix(f"{path}: ")
    except OSError as error:
        return f"cannot read: {error}"


def results_files(folder: Path) -> list[Path]:
    """The results files under a folder (*.json, *.json.gz, not the summaries kept there), by name."""
    return sorted(p for p in Path(folder).rglob("*") if p.name.endswith(RESULTS_SUFFIXES)
                  and not p.name.endswith(SUMMARY_SUFFIX) and p.is_file())


def summaries(paths: Iterable[Path], cache: Path | None = None,
              skipped: Callable[[Path, str], None] | None = None,
              workers: int | None = None, beside: bool = False) -> list[NightSummary]:
    """The summary of every night that can be read, oldest first (by date, then path); the missing
    ones are made first, `workers` processes at a time (default: one per core), and kept (beside
    the nights with `beside`); each night that cannot be read is passed to `skipped` (default:
    one line on stderr) and left out."""
    def say(path: Path, why: str) -> None:
        print(f"history: skipped {path}: {why}", file=sys.stderr)

    paths = list(paths)
    found: dict[Path, NightSummary] = {}  # read once here, not again below
    missing = []
    for path in paths:
        try:
            key = fingerprint(path)
        except OSError:
            missing.append(path)  # its reason comes from making it
            continue
        kept = _kept(path, key, cache)
        if kept is None:
            missing.append(path)
            continue
        found[path] = kept
        if beside and not summary_path(path).exists():
            _keep(path, key, kept, cache, beside)
    failed: dict[Path, str] = {}
    count = min(len(missing), workers or os.cpu_count() or 1)
    if count > 1:
        with ProcessPoolExecutor(count, mp_context=get_context("forkserver")) as pool:
            reasons = pool.map(_make, missing, [cache] * len(missing), [beside] * len(missing))
            for path, why in zip(missing, reasons, strict=True):
                if why is not None:
                    failed[path] = why
    out = []
    for path in paths:
        if path in failed:
            (skipped or say)(path, failed[path])
            continue
        if path in found:
            out.append(found[path])
            continue
        try:
            out.append(load_summary(path, cache, beside))
        except UserError as error:
            (skipped or say)(path, str(error).removeprefix(f"{path}: "))
    return sorted(out, key=lambda s: (s.date, str(s.path)))
