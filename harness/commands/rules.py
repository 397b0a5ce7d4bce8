"""Which rules decide which cells, over the whole matrix of a suites folder; stale rules."""

from __future__ import annotations

from pathlib import Path

from harness.errors import UserError
from harness.sources.registry import usage
from harness.suites.paths import suite_files


def expectations_command(suites_dir: Path) -> int:
    if not suites_dir.is_dir():
        raise UserError(f"{suites_dir}: no such folder (a folder of suites was expected, like suites/)")
    rows = usage(suites_dir)
    if not rows and not suite_files(suites_dir):
        raise UserError(f"{suites_dir}: no suite files and no expectation files in it")
    for rule, cells in rows:
        mark = "STALE" if cells == 0 else f"{cells:5d}"
        tests = " (tests)" if rule.selector.tests is not None else ""
        print(f"{mark:>5}  {rule.kind + tests:<19} {rule.source}  {rule.reason[:90]}")
    stale = sum(1 for _, cells in rows if cells == 0)
    on_tests = sum(1 for rule, _ in rows if rule.selector.tests is not None)
    print(f"{len(rows)} rules ({on_tests} on single tests, counted by the cells whose tests they "
          f"may decide), {stale} stale (deciding no cell of the whole matrix)")
    return 1 if stale else 0
