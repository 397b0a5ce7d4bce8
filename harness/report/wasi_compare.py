"""`python -m harness compare-wasi-testsuite REFERENCE.json... [--results RESULTS.json] [--runtime COLUMN]`:
do the harness's verdicts on wasi-testsuite's tests agree with the suite's own results?

A reference is what wasi-testsuite's runner writes (`--json-output-location`), or one of the
files the suite publishes each day (its `prod/daily-test-results` branch,
`results/<runtime>/<date>.json`): per suite its name, the runtime's name and version, and per
test whether it ran, its failures and (in the runner's newer files) its `outcome`. Each
reference is matched with the harness's column of the same runtime (family) whose binary has
the same major version, else the nearest one, said so; each test by suite and test name
(suite names compared without case or doubled spaces). The harness's verdict is read as the
runner's outcome: pass, every failing verdict as fail, xfail, xpass, and a skip as skip. Tests
the harness did not run (`unsupported by harness`) are listed apart, never counted as agreeing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import UserError
from harness.results.record import CellResult
from harness.results.run_header import columns_of
from harness.results.store import Results, load_results
from harness.results.verdict import FAILING_VERDICTS, ReasonCode, Verdict

NOT_RUN = "unsupported by harness"
SKIP = "skip"
# The runtime names the suite's results use, for the harness's families.
FAMILIES = {"wasmtime-cli": "wasmtime", "wasmtime": "wasmtime", "wazero": "wazero", "wasmedge": "wasmedge",
            "jco": "jco"}


def outcome_of(cell: CellResult) -> str:
    """The cell's verdict in the runner's words."""
    if cell.reason_code is ReasonCode.HARNESS_CANNOT:
        return NOT_RUN
    if cell.verdict is Verdict.PASS:
        return "pass"
    if cell.verdict is Verdict.XFAIL:
        return "xfail"
    if cell.verdict is Verdict.XPASS:
        return "xpass"
    if cell.verdict in FAILING_VERDICTS:
        return "fail"
    return SKIP  # a skip rule, or a runtime that cannot run it


def suite_key(name: str) -> str:
    return " ".join(name.lower().split())


def test_key(name: str) -> str:
    return re.sub(r"[^a-z0-9._-]", "-", name.lower())


@dataclass(frozen=True)
class Tested:
    """One test of a reference: its suite, name, outcome and first failure."""

    suite: str
    name: str
    outcome: str
    failure: str


@dataclass
class PublishedResults:
    """One reference file: the runtime it ran and its tests."""

    path: Path
    runtime: str
    version: str
    tests: list[Tested] = field(default_factory=list)

    @property
    def family(self) -> str | None:
        return FAMILIES.get(self.runtime)


def read_reference(path: Path) -> PublishedResults:
    """A runner's report or a published daily results file (either generation of it)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        suites = data["results"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UserError(f"{path}: not a wasi-testsuite results file ({error})") from None
    runtime = dict(data.get("runtime") or {})  # the older daily files: one runtime at the top
    reference = PublishedResults(Path(path), "", "")
    for suite in suites:
        said = suite.get("runtime") or runtime
        reference.runtime = reference.runtime or str(said.get("name", ""))
        reference.version = reference.version or str(said.get("version", ""))
        for test in suite.get("tests", []):
            failures = [str(f) for f in test.get("failures") or []]
            outcome = test.get("outcome") or (
                SKIP if not test.get("executed", True) else "fail" if failures else "pass")
            first = failures[0] if failures else ""
            reference.tests.append(Tested(suite["name"], test["name"], outcome, first))
    return reference


@dataclass(frozen=True)
class Row:
    suite: str
    test: str
    ours: str
    theirs: str
    why: str  # our reason, or the runner's first failure line

    @property
    def agrees(self) -> bool:
        return self.ours == self.theirs


@dataclass
class Comparison:
    """One reference against the column it was matched with."""

    reference: PublishedResults
    column: str
    column_version: str
    rows: list[Row]
    alone: list[str]  # tests only one side has

    @property
    def skipped_here(self) -> list[Row]:
        """Tests a skip rule kept from running here (the checkout's own expectations, mostly)
        that the reference ran: not a disagreement about the runtime."""
        return [r for r in self.rows if r.ours == SKIP and r.theirs != SKIP]

    @property
    def compared(self) -> list[Row]:
        return [r for r in self.rows if r.ours != NOT_RUN and r not in self.skipped_here]

    @property
    def differing(self) -> list[Row]:
        return [r for r in self.compared if not r.agrees]

    @property
    def versions_note(self) -> str:
        theirs, ours = self.reference.version, self.column_version
        return "" if _major(theirs) == _major(ours) else f" (versions differ: theirs {theirs}, ours {ours})"

    def summary(self) -> str:
        return (f"{self.reference.runtime} {self.reference.version} against {self.column} "
                f"({self.column_version}){self.versions_note}: {len(self.compared) - len(self.differing)} "
                f"agree, {len(self.differing)} differ, {len(self.skipped_here)} skipped here by a rule, "
                f"{len([r for r in self.rows if r.ours == NOT_RUN])} not run by the harness, "
                f"{len(self.alone)} on one side only")


def _major(version: str) -> str:
    match = re.search(r"(\d+)(?:\.\d+)*", version)
    return match.group(1) if match else version


def _columns(results: Results, family: str | None) -> dict[str, str]:
    """The run's columns of a family that ran wasi-testsuite's tests, with their binaries' versions."""
    columns = results.run.columns or columns_of(results.runtimes)
    names = {name for name in results.runtimes if columns.get(name, {}).get("family") == family}
    found: dict[str, str] = {}
    for cell in results.cells:
        if not cell.is_std_evidence and cell.runtime in names:
            found[cell.runtime] = found.get(cell.runtime) or cell.versions.get("runtime", "")
    return found


def match_column(reference: PublishedResults, results: Results, column: str | None = None) -> tuple[str, str]:
    """The column a reference is compared with: the one named, else the family's column whose
    binary has the reference's major version, else the family's nearest."""
    candidates = _columns(results, reference.family)
    if column:
        if column not in {c.runtime for c in results.cells}:
            raise UserError(f"no cells of the runtime {column!r} in the results")
        return column, candidates.get(column, "")
    if not candidates:
        raise UserError(f"{reference.path}: the results have no wasi-testsuite cells of "
                        f"{reference.runtime or 'its runtime'}")
    wanted = _major(reference.version)
    same = [c for c, v in candidates.items() if _major(v) == wanted]
    if same:
        return same[0], candidates[same[0]]
    def number(version: str) -> int:  # a binary may say "dev" (wazero built from source)
        major = _major(version)
        return int(major) if major.isdigit() else 0

    nearest = min(candidates, key=lambda c: abs(number(candidates[c]) - number(reference.version)))
    return nearest, candidates[nearest]


def compare(reference: PublishedResults, results: Results, column: str | None = None) -> Comparison:
    column, version = match_column(reference, results, column)
    cells = {(suite_key(c.wasi_suite), test_key(c.case.rsplit(".", 1)[-1])): c
             for c in results.cells if not c.is_std_evidence and c.runtime == column}
    rows, alone, seen = [], [], set()
    for test in reference.tests:
        key = (suite_key(test.suite), test_key(test.name))
        cell = cells.get(key)
        if cell is None:
            alone.append(f"only the runner has {test.suite}: {test.name}")
            continue
        seen.add(key)
        ours = outcome_of(cell)
        why = cell.reason if ours != "pass" else test.failure
        rows.append(Row(test.suite, test.name, ours, test.outcome, " ".join(why.split())[:240]))
    alone += [f"only the harness has {cells[k].wasi_suite}: {k[1]}" for k in sorted(set(cells) - seen)]
    return Comparison(reference, column, version, rows, alone)


def render(comparison: Comparison) -> str:
    lines = [f"# wasi-testsuite: the harness's {comparison.column} column against the suite's own results",
             "", f"- reference: `{comparison.reference.path}`", f"- {comparison.summary()}", ""]
    if comparison.differing:
        lines += ["| suite | test | harness | theirs | harness's reason / their failure |",
                  "|---|---|---|---|---|"]
        lines += [f"| {r.suite} | {r.test} | {r.ours} | {r.theirs} | {r.why.replace('|', '/')} |"
                  for r in comparison.differing]
        lines.append("")
    if comparison.skipped_here:
        lines += ["Skipped here by a rule (their outcome in brackets): "
                  + ", ".join(f"{r.test} ({r.theirs})" for r in comparison.skipped_here), ""]
    skipped = [r for r in comparison.rows if r.ours == NOT_RUN]
    if skipped:
        lines += ["Not run by the harness (their outcome in brackets): "
                  + ", ".join(f"{r.test} ({r.theirs})" for r in skipped), ""]
    lines += comparison.alone
    return "\n".join(lines).rstrip() + "\n"


def compare_all(references: Iterable[Path], results: Results, column: str | None = None) -> list[Comparison]:
    return [compare(read_reference(path), results, column) for path in references]


def compare_command(references: list[Path], results: Path, runtime: str | None) -> int:
    comparisons = compare_all(references, load_results(results), runtime)
    print("\n".join(render(c) for c in comparisons), end="")
    return 1 if any(c.differing or c.alone for c in comparisons) else 0
