"""junit.xml: one testsuite per target, one testcase per cell (built with junit-xml)."""

from __future__ import annotations

from junit_xml import TestCase, TestSuite, to_xml_report_string

from harness.results.record import CellResult
from harness.results.store import Results
from harness.results.verdict import JUnitKind


def _message(cell: CellResult) -> str:
    text = cell.label
    if cell.reason:
        text += f": {cell.reason}"
    if cell.link:
        text += f" ({cell.link})"
    return text


def _output(cell: CellResult) -> str:
    lines = [f"verdict: {cell.verdict}", f"expectation: {cell.expectation}"]
    if cell.exit_code:
        lines.append(f"exit code: {cell.exit_code}")
    if cell.repro:
        lines.append(f"reproduce: {cell.repro}")
    return "\n".join(lines)


def testcase(cell: CellResult, name: str) -> TestCase:
    """The testcase of one cell, with its skipped/failure/error element."""
    case = TestCase(
        name=name,
        classname=cell.case,
        elapsed_sec=cell.duration_s,
        stdout=cell.stdout or None,
        stderr=cell.stderr or None,
        status=str(cell.verdict),
    )
    kind = cell.verdict.junit  # <error>: the harness failed; <failure>: a finding
    if kind is JUnitKind.ERROR:
        case.add_error_info(message=_message(cell), output=_output(cell), error_type=cell.verdict)
    elif kind is JUnitKind.FAILURE:
        case.add_failure_info(message=_message(cell), output=_output(cell), failure_type=cell.verdict)
    elif kind is JUnitKind.SKIPPED:  # unsupported, n/a, xfail, unavailable
        case.add_skipped_info(message=_message(cell), output=_output(cell))
    return case


def render(results: Results) -> str:
    """The whole junit.xml."""
    properties = {"date": results.header("date"), "image": results.header("image")}
    properties |= {f"version.{k}": v for k, v in results.versions()}
    suites = [
        TestSuite(
            name=target,
            test_cases=[testcase(c, results.name_of(c)) for c in results.for_target(target)],
            properties=dict(sorted(properties.items())),
        )
        for target in results.targets
    ]
    return to_xml_report_string(suites, prettyprint=True)
