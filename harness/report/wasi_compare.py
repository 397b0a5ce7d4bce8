"""`python -m harness compare-wasi-testsuite REFERENCE.json RESULTS.json --runtime COLUMN`:
do the harness's verdicts on wasi-testsuite's tests agree with the suite's own runner?

REFERENCE.json is what wasi-testsuite's runner writes with `--json-output-location`
(per suite: its name and, per test, `outcome`: pass, fail, skip, xfail or xpass), for the
same runtime binary as the harness's column COLUMN. Each test is matched by suite name
and test name; the harness's verdict is read as the runner's outcome (a pass as pass,
every failing verdict as fail, xfail, xpass, and a skip as skip). Tests the harness does
not run (`unsupported by harness`) are listed apart, never counted as agreeing. Exit
status 1 when a test disagrees.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from harness.errors import UserError
from harness.record import CellKind, CellResult
from harness.results import load_results
from harness.verdict import FAILING_VERDICTS, ReasonCode, Verdict

NOT_RUN = "unsupported by harness"


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
    return "skip"  # a skip rule, or a runtime that cannot run it


def _key(suite: str, test: str) -> tuple[str, str]:
    return suite, re.sub(r"[^a-z0-9._-]", "-", test.lower())


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


def compare(reference: Path, results: Path, runtime: str) -> tuple[list[Row], list[str]]:
    """(one row per test both sides know, names of tests only one side has)."""
    try:
        data = json.loads(reference.read_text(encoding="utf-8"))
        suites = data["results"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UserError(f"{reference}: not a wasi-testsuite runner report ({error})") from None
    cells = {}
    for cell in load_results(results).cells:
        if cell.kind is CellKind.WASI_TESTSUITE and cell.runtime == runtime:
            cells[_key(cell.wasi_suite, cell.case.rsplit(".", 1)[-1])] = cell
    if not cells:
        raise UserError(f"{results}: no wasi-testsuite cells of the runtime {runtime!r}")
    rows, alone = [], []
    seen = set()
    for suite in suites:
        for test in suite.get("tests", []):
            key = _key(suite["name"], test["name"])
            if key not in cells:
                alone.append(f"only the runner has {suite['name']}: {test['name']}")
                continue
            cell = cells[key]
            seen.add(key)
            failures = test.get("failures") or [""]
            theirs = test.get("outcome") or ("skip" if not test.get("executed", True) else "pass")
            ours = outcome_of(cell)
            why = cell.reason if ours != "pass" else failures[0]
            rows.append(Row(suite["name"], test["name"], ours, theirs, " ".join(why.split())[:240]))
    alone += [f"only the harness has {s}: {t}" for (s, t) in sorted(set(cells) - seen)]
    return rows, alone


def render(rows: list[Row], alone: list[str], runtime: str) -> str:
    compared = [r for r in rows if r.ours != NOT_RUN]
    agree = [r for r in compared if r.agrees]
    lines = [f"# wasi-testsuite: the harness's {runtime} column against the suite's own runner", "",
             f"- tests in both: {len(rows)}",
             f"- compared: {len(compared)}; the same outcome: {len(agree)}; different: "
             f"{len(compared) - len(agree)}",
             f"- not compared (unsupported by harness, so not run): {len(rows) - len(compared)}", ""]
    different = [r for r in compared if not r.agrees]
    if different:
        lines += ["| suite | test | harness | runner | harness's reason / runner's failure |",
                  "|---|---|---|---|---|"]
        lines += [f"| {r.suite} | {r.test} | {r.ours} | {r.theirs} | {r.why.replace('|', '/')} |"
                  for r in different]
        lines.append("")
    skipped = [r for r in rows if r.ours == NOT_RUN]
    if skipped:
        lines += ["Not run by the harness (the runner's outcome in brackets): "
                  + ", ".join(f"{r.test} ({r.theirs})" for r in skipped), ""]
    lines += alone
    return "\n".join(lines).rstrip() + "\n"


def compare_command(reference: Path, results: Path, runtime: str) -> int:
    rows, alone = compare(reference, results, runtime)
    print(render(rows, alone, runtime), end="")
    return 1 if any(not r.agrees for r in rows if r.ours != NOT_RUN) or alone else 0
