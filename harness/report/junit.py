"""junit.xml: one testsuite per target, one testcase per cell (built with junit-xml)."""

from __future__ import annotations

from junit_xml import TestCase, TestSuite, to_xml_report_string

from harness.report.model import FAIL, Cell, Results
from harness.verdict import Verdict

# Verdicts reported as <error> (the harness failed) rather than <failure> (a finding).
ERRORS = frozenset({Verdict.INFRA_ERROR})


def _message(cell: Cell) -> str:
    text = cell.label
    if cell.get("reason"):
        text += f": {cell.get('reason')}"
    if cell.get("link"):
        text += f" ({cell.get('link')})"
    return text


def _output(cell: Cell) -> str:
    lines = [f"verdict: {cell.verdict}", f"expectation: {cell.get('expectation') or 'pass'}"]
    if cell.get("exit_code"):
        lines.append(f"exit code: {cell.get('exit_code')}")
    if cell.get("repro"):
        lines.append(f"reproduce: {cell.get('repro')}")
    return "\n".join(lines)


def testcase(cell: Cell) -> TestCase:
    """The testcase of one cell, with its skipped/failure/error element."""
    duration = cell.raw.get("duration_s")
    case = TestCase(
        name=cell.name,
        classname=cell.case,
        elapsed_sec=float(duration) if isinstance(duration, int | float) else None,
        stdout=cell.get("stdout") or None,
        stderr=cell.get("stderr") or None,
        status=str(cell.verdict),
    )
    if cell.verdict in ERRORS:
        case.add_error_info(message=_message(cell), output=_output(cell), error_type=cell.verdict)
    elif cell.category == FAIL:
        case.add_failure_info(message=_message(cell), output=_output(cell), failure_type=cell.verdict)
    elif cell.verdict is not Verdict.PASS:  # unsupported, n/a, xfail, unavailable
        case.add_skipped_info(message=_message(cell), output=_output(cell))
    return case


def render(results: Results) -> str:
    """The whole junit.xml."""
    properties = {"date": results.header("date"), "image": results.header("image")}
    properties |= {f"version.{k}": v for k, v in results.versions()}
    suites = [
        TestSuite(
            name=target,
            test_cases=[testcase(c) for c in results.for_target(target)],
            properties=dict(sorted(properties.items())),
        )
        for target in results.targets
    ]
    return to_xml_report_string(suites, prettyprint=True)
