"""The results file as the reports see it: the run header, cells, and how to group them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.cli import UserError
from harness.verdict import SYMBOLS, Verdict

# Report categories: every cell falls in exactly one.
PASS, UNSUPPORTED, NA, XFAIL, UNAVAILABLE, FAIL = (
    "pass",
    "unsupported",
    "n/a",
    "xfail",
    "unavailable",
    "fail",
)
CATEGORIES = (PASS, UNSUPPORTED, NA, XFAIL, UNAVAILABLE, FAIL)
# The verdicts counted as "fail" in summaries: every verdict that fails the pytest item.
FAILING: tuple[Verdict, ...] = tuple(v for v in Verdict if not v.is_good)
NA_SYMBOL = "N/A"

# Preferred column and row orders; anything else follows, sorted by name.
RUNTIME_ORDER = ("wasmtime-45", "wasmtime-49", "pulley-45", "jco", "wasmedge", "wazero")
FEATURE_ORDER = (
    "hello", "stdio", "args", "env", "exit", "panic", "clocks", "random",
    "fs", "thread", "sockets", "async-main",
)  # fmt: skip
NO_FEATURE = "(no feature)"


def ordered(names: Iterable[str], preferred: tuple[str, ...] = ()) -> list[str]:
    """Unique names, those in `preferred` first in its order, then the rest sorted."""
    rank = {name: i for i, name in enumerate(preferred)}
    return sorted(set(names), key=lambda n: (rank.get(n, len(rank)), n))


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Cell:
    """One case x target x runtime result."""

    case: str
    target: str
    runtime: str
    verdict: Verdict
    raw: dict[str, Any] = field(compare=False, repr=False)

    @classmethod
    def from_json(cls, raw: dict[str, Any], source: str = "results") -> Cell:
        """Validate the identifying fields of one cell of a results file."""
        try:
            case, target, runtime = str(raw["case"]), str(raw["target"]), str(raw["runtime"])
        except (KeyError, TypeError) as error:
            raise UserError(f"{source}: a cell lacks {error}: {raw!r:.200}") from None
        try:
            verdict = Verdict(str(raw.get("verdict")))
        except ValueError:
            raise UserError(
                f"{source}: cell {case}[{target}-{runtime}] has an unknown verdict {raw.get('verdict')!r}"
            ) from None
        return cls(case, target, runtime, verdict, raw)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.case, self.target, self.runtime)

    @property
    def name(self) -> str:
        """The pytest item name."""
        return f"{self.case}[{self.target}-{self.runtime}]"

    @property
    def anchor(self) -> str:
        """The HTML id of the cell in matrix.html."""
        text = f"cell-{self.case}__{self.target}__{self.runtime}"
        return re.sub(r"[^A-Za-z0-9._-]", "-", text)

    @property
    def features(self) -> tuple[str, ...]:
        return tuple(str(f) for f in self.raw.get("features") or ())

    @property
    def feature(self) -> str:
        """The row group: the first feature the case lists."""
        return self.features[0] if self.features else NO_FEATURE

    @property
    def ran(self) -> bool:
        return bool(self.raw.get("ran", True))

    @property
    def not_applicable(self) -> bool:
        """An `unsupported` cell that was not run (a skip override): shown as N/A."""
        return self.verdict is Verdict.UNSUPPORTED and not self.ran

    @property
    def category(self) -> str:
        if self.not_applicable:
            return NA
        if self.verdict in FAILING:
            return FAIL
        return str(self.verdict)

    @property
    def symbol(self) -> str:
        return NA_SYMBOL if self.not_applicable else SYMBOLS[self.verdict]

    @property
    def label(self) -> str:
        """The verdict as shown to readers ("n/a" for not-run unsupported cells)."""
        return NA if self.not_applicable else str(self.verdict)

    def get(self, name: str) -> str:
        """A text field of the cell, "" when absent or null."""
        return _text(self.raw.get(name))


@dataclass(frozen=True)
class Results:
    """A whole results file: run header plus cells sorted by (target, case, runtime)."""

    run: dict[str, Any]
    cells: tuple[Cell, ...]

    @property
    def targets(self) -> list[str]:
        return ordered([c.target for c in self.cells] + list(self.run.get("targets") or []))

    @property
    def runtimes(self) -> list[str]:
        names = [c.runtime for c in self.cells] + list(self.run.get("runtimes") or [])
        return ordered(names, RUNTIME_ORDER)

    def for_target(self, target: str) -> list[Cell]:
        return [c for c in self.cells if c.target == target]

    def versions(self) -> list[tuple[str, str]]:
        return sorted((str(k), _text(v)) for k, v in (self.run.get("versions") or {}).items())

    def header(self, name: str) -> str:
        """A text field of the run header, "unknown" when absent."""
        return _text(self.run.get(name)) or "unknown"


def runtimes_of(cells: Iterable[Cell]) -> list[str]:
    return ordered((c.runtime for c in cells), RUNTIME_ORDER)


def features_of(cells: Iterable[Cell]) -> list[str]:
    return ordered((c.feature for c in cells), FEATURE_ORDER)


def counts(cells: Iterable[Cell]) -> dict[str, int]:
    """Cells per report category (all categories present, zero when none)."""
    result = dict.fromkeys(CATEGORIES, 0)
    for cell in cells:
        result[cell.category] += 1
    return result


def failing_breakdown(cells: Iterable[Cell]) -> str:
    """E.g. "crash 1, fail 2" for the cells counted as fail; "" when none."""
    found: dict[str, int] = {}
    for cell in cells:
        if cell.category == FAIL:
            found[cell.verdict] = found.get(cell.verdict, 0) + 1
    return ", ".join(f"{v} {n}" for v, n in sorted(found.items()))


def sort_cells(cells: Iterable[Cell]) -> tuple[Cell, ...]:
    return tuple(sorted(cells, key=lambda c: (c.target, c.case, c.runtime)))


def parse_results(data: Any, source: str) -> Results:
    """Check the shape of a decoded results file and wrap it."""
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise UserError(f"{source}: not a results file (expected an object with 'cells')")
    run = data.get("run") or {}
    if not isinstance(run, dict):
        raise UserError(f"{source}: 'run' must be an object")
    cells = [Cell.from_json(raw, source) for raw in data["cells"]]
    seen: dict[tuple[str, str, str], Cell] = {}
    for cell in cells:
        if cell.key in seen:
            raise UserError(f"{source}: cell {cell.name} appears twice")
        seen[cell.key] = cell
    return Results(run, sort_cells(cells))


def load_results(path: Path) -> Results:
    """Read and validate a results.json file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: no such results file") from None
    except json.JSONDecodeError as error:
        raise UserError(f"{path}: not valid JSON: {error}") from None
    return parse_results(data, str(path))
