"""Compare two results files: which cells changed verdict, and is any change a regression.

Verdicts are ordered from best to worst (`Verdict.rank`). A change is
- a regression when the verdict got worse and either the old one was `pass` or
  `xpass` (the behaviour passed), or the old one was a documented outcome
  (`unsupported`, `xfail`) and the new one is failing;
- a fix when the verdict got better and either the new one is `pass` or `xpass`, or
  the old one was failing and the new one is a documented outcome;
- another change otherwise (e.g. `fail` -> `crash`, anything to or from `unavailable`
  except from `pass`).
For libtest cells, each test is compared too: one that fails (failed, crashed, timeout)
where it did not is a test regression, the other way round a test fix. A regression of
either kind makes `harness diff` exit 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.report.output import write_text
from harness.results.record import CellResult
from harness.results.store import load_results
from harness.results.verdict import FAILING_TESTS, FAILING_VERDICTS, Verdict

PASSING = frozenset({Verdict.PASS, Verdict.XPASS})
DOCUMENTED = frozenset({Verdict.UNSUPPORTED, Verdict.XFAIL})
GROUPS = ("regressions", "fixes", "test regressions", "test fixes", "other changes", "new cells",
          "removed cells")


FLAKY = frozenset({Verdict.PASS, Verdict.XFAIL})


def classify(old: Verdict, new: Verdict, intermittent: bool = False) -> str:
    """ "regressions", "fixes" or "other changes" for a verdict that changed. A cell whose
    expectation is an intermittent xfail may pass or fail: that is no regression nor fix."""
    if intermittent and {old, new} <= FLAKY:
        return "other changes"
    if new.rank > old.rank and (old in PASSING or (old in DOCUMENTED and new in FAILING_VERDICTS)):
        return "regressions"
    if new.rank < old.rank and (new in PASSING or (old in FAILING_VERDICTS and new in DOCUMENTED)):
        return "fixes"
    return "other changes"


@dataclass(frozen=True)
class Change:
    """One line of the diff."""

    name: str
    old: CellResult | None
    new: CellResult | None

    def line(self) -> str:
        if self.old and self.new:
            text = f"{self.name}: {self.old.label} -> {self.new.label}"
            reason = self.new.reason
        else:
            cell = self.new or self.old
            assert cell is not None
            text = f"{self.name}: {cell.label}"
            reason = cell.reason
        return f"{text} ({reason})" if reason else text


def compare(old_cells: tuple[CellResult, ...],
            new_cells: tuple[CellResult, ...]) -> dict[str, list[Change | TestChange]]:
    """Changes grouped as GROUPS, each sorted by cell name."""
    old = {c.key: c for c in old_cells}
    new = {c.key: c for c in new_cells}
    several = len({k[3] for k in old.keys() | new.keys()}) > 1
    groups: dict[str, list[Change | TestChange]] = {g: [] for g in GROUPS}
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        name = (after or before).name(several)  # type: ignore[union-attr]
        if before is None:
            groups["new cells"].append(Change(name, None, after))
        elif after is None:
            groups["removed cells"].append(Change(name, before, None))
        elif before.label != after.label:
            flaky = before.intermittent or after.intermittent
            groups[classify(before.verdict, after.verdict, flaky)].append(Change(name, before, after))
        if before is not None and after is not None and before.tests and after.tests:
            for group, line, test in test_changes(name, before, after):
                groups[group].append(TestChange(line, before, after, test))
    return groups


@dataclass(frozen=True)
class TestChange:
    """One test of a libtest cell whose outcome changed (a line of the diff)."""

    text: str
    old: CellResult | None = None
    new: CellResult | None = None
    test: str = ""  # the test's name

    def line(self) -> str:
        return self.text


def test_changes(name: str, old: CellResult, new: CellResult) -> list[tuple[str, str, str]]:
    """(group, line, test name) for each test that started or stopped failing between two runs."""
    before = {t.name: t for t in old.tests or []}
    changes = []
    for test in new.tests or []:
        was = before.get(test.name)
        if was is None or was.outcome == test.outcome:
            continue
        if test.outcome in FAILING_TESTS and was.outcome not in FAILING_TESTS:
            message = test.message.strip().splitlines()[-1:] if test.message else []
            why = f" ({message[0][:200]})" if message else ""
            changes.append(("test regressions", f"{name}: {test.name}: {was.outcome} -> {test.outcome}{why}",
                            test.name))
        elif was.outcome in FAILING_TESTS and test.outcome not in FAILING_TESTS:
            changes.append(("test fixes", f"{name}: {test.name}: {was.outcome} -> {test.outcome}", test.name))
    return changes


def render(old_path: Path, new_path: Path, groups: dict[str, list[Change | TestChange]]) -> str:
    """diff.md."""
    lines = [
        f"# Verdict changes: {old_path.name} -> {new_path.name}",
        "",
        f"- old: `{old_path}`",
        f"- new: `{new_path}`",
        "- " + ", ".join(f"{g}: {len(groups[g])}" for g in GROUPS),
    ]
    for group in GROUPS:
        lines += ["", f"## {group.capitalize()}", ""]
        lines += [f"- {c.line()}" for c in groups[group]] or ["None."]
    return "\n".join(lines) + "\n"


def diff_command(old: Path, new: Path, out_dir: Path) -> int:
    """Print and write out_dir/diff.md; 1 when there is at least one regression, else 0."""
    groups = compare(load_results(old).cells, load_results(new).cells)
    text = render(Path(old), Path(new), groups)
    write_text(Path(out_dir) / "diff.md", text)
    print(text, end="")
    return 1 if groups["regressions"] or groups["test regressions"] else 0
