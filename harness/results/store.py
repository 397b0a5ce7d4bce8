"""The results store and the results file.

During a run each process appends its cell records to its own JSONL file (one
`write` of one line, flushed and fsynced), so records already written survive a
worker's death or Ctrl-C. The controller merges every record file of the run into
`results.json` (written to a temporary file and renamed into place), whose form is
`results.schema.json`. Reading a results file validates it and says in one line
what is wrong with a file that does not match. A file may be gzipped (`.json.gz`).
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import jsonschema

from harness.errors import UserError
from harness.results.record import FORMAT_VERSION, CellKey, CellResult
from harness.results.run_header import RunHeader
from harness.results.verdict import ReasonCode, Verdict
from harness.suites.yaml_files import key_name

RECORDS_DIR = ".records"
SCHEMA_PATH = Path(__file__).with_name("results.schema.json")


class RecordWriter:
    """Appends cell records for one process of one run: a line when a cell starts (its
    identity), a line when it ends (its record)."""

    def __init__(self, results_dir: Path, run_id: str, worker: str) -> None:
        directory = results_dir / RECORDS_DIR / run_id
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"{worker}-{os.getpid()}.jsonl"

    def started(self, cell: CellResult) -> None:
        """A cell begins: if no record follows, it was lost (its worker died, or Ctrl-C)."""
        self._write({STARTED: {k: v for k, v in cell.to_json().items() if k in IDENTITY}})

    def append(self, record: CellResult) -> None:
        self._write(record.to_json())

    def _write(self, value: dict[str, Any]) -> None:
        line = (json.dumps(value, sort_keys=True) + "\n").encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)


STARTED = "started"
IDENTITY = ("case", "target", "runtime", "toolchain", "build_profile", "kind", "library", "test_binary",
            "wasi_suite", "evidence", "suite", "line", "features", "description")


def read_records(results_dir: Path, run_id: str) -> tuple[list[CellResult], list[CellResult]]:
    """Every complete record of the run (a line torn by a crash is skipped), and the cells that
    started but left no record (as records with their identity only, verdict still to judge)."""
    records: list[CellResult] = []
    started: dict[CellKey, CellResult] = {}
    for path in sorted((results_dir / RECORDS_DIR / run_id).glob("*.jsonl")):
        for line in path.read_text(errors="replace").splitlines():
            try:
                raw = json.loads(line)
                if STARTED in raw:
                    identity = CellResult.from_json({**raw[STARTED], "verdict": "infra-error"})
                    started[identity.key] = identity
                else:
                    records.append(CellResult.from_json(raw))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                continue
    done = {r.key for r in records}
    return records, [c for key, c in started.items() if key not in done]


def sort_cells(cells: Iterable[CellResult]) -> tuple[CellResult, ...]:
    return tuple(sorted(cells, key=lambda c: (c.target, c.case, c.runtime, c.toolchain, c.build_profile)))


def ordered(names: Iterable[str], preferred: Iterable[str] = ()) -> list[str]:
    """Unique names, those in `preferred` first in its order, then the rest sorted."""
    rank = {name: i for i, name in enumerate(dict.fromkeys(preferred))}
    return sorted(set(names), key=lambda n: (rank.get(n, len(rank)), n))


@dataclass(frozen=True)
class Results:
    """A whole results file: the run header and the cells sorted by (target, case, runtime).
    Its derived lists are computed once (a run of Rust's tests has thousands of cells)."""

    run: RunHeader
    cells: tuple[CellResult, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "cells", sort_cells(self.cells))

    def to_json(self) -> dict[str, Any]:
        return {"format_version": FORMAT_VERSION, "run": self.run.to_json(),
                "cells": [c.to_json() for c in self.cells]}

    @cached_property
    def targets(self) -> list[str]:
        return ordered([c.target for c in self.cells] + self.run.targets)

    @cached_property
    def runtimes(self) -> list[str]:
        """Runtime columns in the run's column order (the plugins'), then any others."""
        return ordered([c.runtime for c in self.cells] + self.run.runtimes, self.run.runtimes)

    @cached_property
    def toolchains(self) -> list[str]:
        return ordered([c.toolchain for c in self.cells if c.toolchain] + self.run.toolchains,
                       self.run.toolchains)

    @cached_property
    def several_toolchains(self) -> bool:
        return len(self.toolchains) > 1

    @cached_property
    def builds(self) -> list[str]:
        """What built the cells, as the matrix sets them side by side (CellResult.build): each
        toolchain, and under each build profile but the default, `toolchain +profile`."""
        return ordered(c.build for c in self.cells if c.toolchain)

    @cached_property
    def several_builds(self) -> bool:
        return len(self.builds) > 1

    def name_of(self, cell: CellResult) -> str:
        """The cell's pytest item name as this run gave it."""
        return cell.name(self.several_toolchains)

    def for_target(self, target: str) -> list[CellResult]:
        return list(self._by_target.get(target, ()))

    @cached_property
    def _by_target(self) -> dict[str, list[CellResult]]:
        found: dict[str, list[CellResult]] = {}
        for cell in self.cells:
            found.setdefault(cell.target, []).append(cell)
        return found

    def versions(self) -> list[tuple[str, str]]:
        return sorted((str(k), "" if v is None else str(v)) for k, v in self.run.versions.items())

    def header(self, name: str) -> str:
        """A text field of the run header, "unknown" when absent."""
        return self.run.text(name)


def write_results(path: Path, results: Results) -> Path:
    """Write a results file atomically (gzipped when the name ends in .gz)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results.to_json(), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    temporary = path.with_name(path.name + ".tmp")
    if path.name.endswith(".gz"):
        temporary.write_bytes(gzip.compress(text.encode(), mtime=0))
    else:
        temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
    return path


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text()))


def validate(data: Any, source: str) -> None:
    """Raise UserError naming the first field of `data` that does not match the schema."""
    error = jsonschema.exceptions.best_match(_validator().iter_errors(data))
    if error is None:
        return
    where = key_name(tuple(error.absolute_path)) or "(top level)"
    if error.validator == "additionalProperties":
        unknown = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        message = f"unknown field {unknown[0]!r}" if unknown else error.message
    elif error.validator == "required":
        message = error.message.replace("is a required property", "is missing")
    else:
        message = error.message
    if len(message) > 200:
        message = message[:200] + "..."
    raise UserError(f"{source}: {where}: {message} (see harness/results/results.schema.json)")


def upgrade(data: Any) -> Any:
    """A results file of an older format (1: before format_version was recorded, 2: before
    cells recorded their kind's fields and reason codes) in the current one."""
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return data
    if "format_version" not in data:
        data = _upgrade_1(data)
    if data.get("format_version") == 2:
        cells = [_upgrade_cell_2(c) if isinstance(c, dict) else c for c in data["cells"]]
        data = {**data, "format_version": FORMAT_VERSION, "cells": cells}
    return data


def _upgrade_1(data: dict[str, Any]) -> dict[str, Any]:
    defaults = {k: v for k, v in CellResult(case="", target="", runtime="", verdict=Verdict.PASS).to_json()
                .items() if k not in _NEW_IN_3}
    defaults["kind"] = "case"
    run = dict(data.get("run") or {})
    # Format 1 knew one toolchain: the Debian sid image, or the host's own with --builder host.
    toolchain = "host" if run.get("builder") == "host" else "debian-sid"
    run.setdefault("toolchains", [toolchain])
    cells = []
    for raw in data["cells"]:
        if not isinstance(raw, dict):
            cells.append(raw)
            continue
        cell = {k: v for k, v in raw.items() if k in defaults}
        if "flags" in raw and "command" not in raw:
            cell["command"] = list(raw["flags"] or [])
        cells.append({**defaults, "toolchain": toolchain, **cell})
    return {"format_version": 2, "run": run, "cells": cells}


_NEW_IN_3 = ("reason_code", "library", "test_binary", "wasi_suite", "attempts_s", "wasi_imports", "evidence",
             "build_key", "built", "compile_s", "startup_s", "worker", "started_at", "conversation")
# Format 2 said why a cell was not run only in its reason's words.
_REASON_CODES_2 = (
    ("not applicable: ", " does not know ", ReasonCode.UNKNOWN_TARGET),
    ("not applicable: ", "", ReasonCode.SKIP_RULE),
    ("unsupported by runtime: ", "", ReasonCode.RUNTIME_CANNOT),
    ("unsupported by harness: ", "", ReasonCode.HARNESS_CANNOT),
    ("std for ", " does not build with ", ReasonCode.STD_BUILD_FAILED),
    ("toolchain: ", "", ReasonCode.TOOLCHAIN_UNAVAILABLE),
    ("runtime unavailable: ", "", ReasonCode.RUNTIME_UNAVAILABLE),
    ("runtime could not be started: ", "", ReasonCode.RUNTIME_UNAVAILABLE),
    ("sandbox lost: ", "", ReasonCode.SANDBOX_LOST),
    ("lost: ", "", ReasonCode.LOST),
)
# The dossier of format 2 knew its probes by case id.
_EVIDENCE_2 = {"hello.world": ["hello-world"], "upstream.coretests": ["codegen"]}
_LIBRARIES_2 = (("upstream.coretests", "core"), ("upstream.alloctests", "alloc"), ("upstream.std.", "std"))


def _upgrade_cell_2(raw: dict[str, Any]) -> dict[str, Any]:
    """A cell of format 2: its kind's fields and its reason code, read from what it recorded."""
    cell = {**raw, "reason_code": None, "library": "", "test_binary": "", "wasi_suite": "",
            "wasi_imports": [], "evidence": _EVIDENCE_2.get(str(raw.get("case")), [])}
    reason = str(raw.get("reason", ""))
    for start, inside, code in _REASON_CODES_2:
        if reason.startswith(start) and inside in reason:
            cell["reason_code"] = code.value
            break
    built = raw.get("verdict") == "build-error" or "(observed: build-error:" in reason
    if cell["reason_code"] is None and built:
        std = " does not build with " in reason
        cell["reason_code"] = (ReasonCode.STD_BUILD_FAILED if std else ReasonCode.BUILD_ERROR).value
    if raw.get("kind") == "case":
        cell["kind"] = "fixture"
    elif raw.get("kind") == "wasi-testsuite":
        features = list(raw.get("features") or [])
        cell["wasi_suite"], cell["features"] = (features[0] if features else ""), []
    elif raw.get("kind") == "libtest":
        case = str(raw.get("case", ""))
        cell["library"] = next((lib for prefix, lib in _LIBRARIES_2 if case.startswith(prefix)), case)
        wasm = [Path(a).stem for a in raw.get("command") or [] if str(a).endswith(".wasm")]
        cell["test_binary"] = wasm[0] if wasm else ""
    built = [Path(a).parent.name for a in raw.get("command") or []
             if str(a).startswith("/artifacts/") and str(a).endswith(".wasm")]
    if raw.get("build_s") is not None and built:
        cell["build_key"] = built[0]
    return cell


def parse_results(data: Any, source: str) -> Results:
    """Validate a decoded results file (upgrading format 1) and wrap it."""
    version = data.get("format_version") if isinstance(data, dict) else None
    if isinstance(version, int) and version > FORMAT_VERSION:
        raise UserError(f"{source}: format_version: {version}: written by a newer harness (this one "
                        f"reads formats 1 to {FORMAT_VERSION}): update the harness to read it")
    data = upgrade(data)
    validate(data, source)
    cells = [CellResult.from_json(raw) for raw in data["cells"]]
    seen: set[CellKey] = set()
    for cell in cells:
        if cell.key in seen:
            raise UserError(f"{source}: cell {cell.name(bool(cell.toolchain))} appears twice")
        seen.add(cell.key)
    return Results(RunHeader.from_json(data["run"]), tuple(cells))


def load_results(path: Path) -> Results:
    """Read and validate a results file (.json or .json.gz)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
        text = gzip.decompress(raw).decode("utf-8") if raw[:2] == b"\x1f\x8b" else raw.decode("utf-8")
        data = json.loads(text)
    except FileNotFoundError:
        raise UserError(f"{path}: no such results file") from None
    except (OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile) as error:
        raise UserError(f"{path}: cannot read: {error}") from None
    except json.JSONDecodeError as error:
        raise json_error(path, error) from None
    return parse_results(data, str(path))


def json_error(path: Path, error: json.JSONDecodeError) -> UserError:
    """The one line for a results file that is not valid JSON: cut off (with how to recover the
    run's results) or otherwise broken."""
    if not error.doc.rstrip().endswith("}"):  # the text stops before the JSON does
        return UserError(
            f"{path}: cut off at line {error.lineno} (truncated: {error.msg}); if the run that "
            f"wrote it was stopped, `python -m harness recover {path.parent}` rewrites it from "
            "the run's records")
    return UserError(f"{path}: not valid JSON: {error}")
