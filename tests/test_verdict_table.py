"""What a verdict means is one row of one table (harness/results/verdict.py): the pytest item,
the report category, the symbol, the legend, the JUnit element and the diff's rank agree."""

from __future__ import annotations

from harness.results.verdict import FAILING_VERDICTS, RANKED, TABLE, JUnitKind, PytestOutcome, Verdict
from harness.suites.rules import Rule, RuleKind, Selector

V = Verdict


def test_every_verdict_has_one_row_and_one_rank() -> None:
    assert set(TABLE) == set(Verdict)
    assert sorted(RANKED, key=str) == sorted(Verdict, key=str)
    assert [v.rank for v in RANKED] == list(range(len(Verdict)))
    assert len({v.symbol for v in Verdict}) == len(Verdict)
    assert all(v.legend.startswith(str(v)) for v in Verdict)


def test_the_items_that_fail_are_the_failing_verdicts_of_every_report() -> None:
    assert {v for v in Verdict if v.is_good} == {V.PASS, V.XFAIL, V.UNSUPPORTED, V.UNAVAILABLE}
    assert set(FAILING_VERDICTS) == {v for v in Verdict if v.category == "fail"}
    assert {v for v in Verdict if v.junit in (JUnitKind.FAILURE, JUnitKind.ERROR)} == set(FAILING_VERDICTS)
    assert {v for v in Verdict if v.junit is JUnitKind.ERROR} == {V.INFRA_ERROR}


def test_the_pytest_item_of_a_cell() -> None:
    assert V.PASS.pytest_outcome(ran=True) is PytestOutcome.PASSED
    assert V.PASS.pytest_outcome(ran=False) is PytestOutcome.FAILED  # a pass that never ran
    assert V.UNSUPPORTED.pytest_outcome(ran=True) is PytestOutcome.PASSED  # failed as documented
    assert V.UNSUPPORTED.pytest_outcome(ran=False) is PytestOutcome.SKIPPED  # n/a
    assert V.UNAVAILABLE.pytest_outcome(ran=False) is PytestOutcome.SKIPPED
    assert V.XFAIL.pytest_outcome(ran=True) is PytestOutcome.XFAILED
    assert V.XPASS.pytest_outcome(ran=True) is PytestOutcome.FAILED


def test_a_rule_kind_is_a_closed_vocabulary() -> None:
    rule = Rule(kind="skip", reason="r", selector=Selector(), source="s:1")  # type: ignore[arg-type]
    assert rule.kind is RuleKind.SKIP and not rule.kind.runs and rule.kind == "skip"
    assert RuleKind.XFAIL.expects_failure and not RuleKind.UNSUPPORTED.expects_failure
