"""The answers of the dossiers, calibrated, from synthetic results (no Docker): every path to
ready, not ready, not measured and incomplete, and the findings weighed apart from the target's
blockers (probes with WASI bindings of their own, other runtimes' failures to triage)."""

from __future__ import annotations

import re

from harness.report import dossier_html, matrix_html, matrix_md
from harness.report.assessment import (
    ANSWERS,
    INCOMPLETE,
    NOT_MEASURED,
    NOT_READY,
    READY,
    READY_WITH_CAVEATS,
    UNMEASURED,
    Assessment,
    assess,
    headline,
)
from harness.report.dossier import TRIAGE_WEIGHT, render
from harness.results.record import TestResult
from harness.results.store import Results
from harness.results.verdict import TestOutcome, Verdict
from tests.fake_runs import BINDINGS, CORE, HELLO, PROBE, RC, TARGETS, chain, fake_run, where, without

P2 = "wasm32-wasip2"
RULE = "suites/expectations/wasmtime.yaml:11"


def assessed(results: Results, target: str = P2) -> Assessment:
    found = assess(results, target)
    assert found is not None
    return found


def opening(results: Results, target: str = P2) -> str:
    return render(results, target).split("\n\n")[1]


def test_a_clean_run_is_ready_and_every_clause_a_run_can_measure_is_measured() -> None:
    for target in TARGETS:
        answer = assessed(fake_run(), target)
        assert answer.answer == READY, target
        assert answer.not_measured == [] and answer.blockers == [] and not answer.incomplete
        assert answer.answer in ANSWERS
        assert opening(fake_run(), target).startswith(f"**{target}: ready.**")


def test_a_known_failure_on_another_runtime_is_a_caveat() -> None:
    run = fake_run(change=where(PROBE, P2, "jco", verdict=Verdict.XFAIL, expectation="xfail",
                                expectation_source="suites/expectations/jco.yaml:3",
                                expectation_reason="preview2-shim has no such thing", reason="exit 1"))
    answer = assessed(run)
    assert answer.answer == READY_WITH_CAVEATS
    assert [c.text for c in answer.caveats] == [
        "known failure on jco: preview2-shim has no such thing (suites/expectations/jco.yaml:3)"]


def test_a_std_probe_failing_on_the_reference_is_a_blocker_and_the_first_paragraph_says_why() -> None:
    run = fake_run(change=where(PROBE, P2, "wasmtime-49", verdict=Verdict.XFAIL, expectation="xfail",
                                expectation_source="suites/expectations/targets.yaml:45", reason="exit 1",
                                expectation_reason="UdpSocket::set_read_timeout fails in wasi-libc for "
                                                   "UDP sockets on every runtime"))
    answer = assessed(run)
    assert answer.answer == NOT_READY and len(answer.blockers) == 1
    assert "the reference runtime, do not pass: UdpSocket::set_read_timeout" in answer.blockers[0].text
    text = opening(run)
    assert text.startswith("**wasm32-wasip2: not ready.**")
    assert ("Upstream, wasm32-wasip2 is tier 2 from Rust 1.82 (rust-lang/compiler-team#760). This run "
            "differs on the target's own evidence, not a runtime's or a binding crate's: 1 blocker in its "
            "std on the reference runtime (wasmtime-49), said above.") in text


def test_a_probe_bringing_its_own_bindings_is_the_runtimes_finding_not_a_blocker() -> None:
    """async-main.p3rc built for wasip2 with the wasip3 0.6 crate's bindings of the release
    candidate, which Wasmtime 49 cannot link: a fact about that crate and that runtime line."""
    refused = where(BINDINGS, P2, "wasmtime-49", verdict=Verdict.XFAIL, expectation="xfail",
                    expectation_source=RULE, reason="component imports instance `wasi:cli/stdout@0.3.0-rc`",
                    expectation_reason="the artifact imports WASI 0.3.0 release-candidate interfaces")
    run = fake_run(change=refused, bindings=True)
    answer = assessed(run)
    assert answer.answer == READY and answer.blockers == [] and answer.caveats == []
    assert answer.evidence.reference.runtime == "wasmtime-49"
    assert [f.text for f in answer.bindings] == [
        "async-main.p3rc (bringing WASI 0.3.0-rc-2026-03-15) do not pass on wasmtime-49: the artifact "
        f"imports WASI 0.3.0 release-candidate interfaces (known: {RULE})"]
    text = render(run, P2)
    assert "## Runtime findings: probes with WASI bindings of their own" in text
    assert "never a blocker of the target" in text and "## Blockers" not in text


def test_bindings_are_recognised_from_the_artifact_when_the_case_does_not_say_so() -> None:
    untagged = chain(where(BINDINGS, evidence=[]),
                     where(BINDINGS, P2, "wasmtime-49", verdict=Verdict.FAIL, reason="link error"))
    answer = assessed(fake_run(change=untagged, bindings=True))
    assert answer.answer == READY and len(answer.bindings) == 1
    assert "no expectation explains it: fail: link error" in answer.bindings[0].text
    # std alone never imports the release candidate here, so it stays the reference's WASI
    assert answer.evidence.reference.wasi == ("0.2",)
    assert not any(RC in i for c in answer.evidence.cells if c.case == HELLO for i in c.wasi_imports)


def test_an_unexplained_failure_on_another_runtime_is_a_finding_to_triage() -> None:
    run = fake_run(change=where(PROBE, P2, "jco", verdict=Verdict.CRASH, reason="node: RuntimeError"))
    answer = assessed(run)
    assert answer.answer == READY and answer.blockers == []
    assert [f.text for f in answer.triage] == [
        "1 cell(s) on jco fail with no expectation to explain them (crash: node: RuntimeError)"]
    text = render(run, P2)
    assert "is listed as findings to triage, apart from the blockers" in text.split("\n\n")[1]
    assert f"## Findings to triage (other runtimes)\n\n{TRIAGE_WEIGHT}" in text


def test_a_run_without_rusts_own_tests_is_not_measured_for_every_target() -> None:
    run = fake_run(change=without(CORE))
    for target in TARGETS:
        answer = assessed(run, target)
        assert answer.answer == UNMEASURED, target
        assert [r.id for r, _ in answer.not_measured] == ["std", "codegen"]
        statuses = {r.id: s for r, s in answer.rows}
        assert statuses["std"].status == NOT_MEASURED
        std = statuses["std"].evidence
        assert "Rust's own tests did not run on the reference runtime (wasmtime-49)" in std
        text = render(run, target)
        assert text.split("\n\n")[1].startswith(f"**{target}: not measured.**")
        assert "This run cannot confirm it: it did not measure what the policy asks (std:" in text
        assert "## Not measured in this run" in text
        assert "outside what a test run can show** | Rust" not in text


def test_no_reference_column_ran_so_nothing_is_measured() -> None:
    gone = where(runtime="wasmtime-49", verdict=Verdict.UNAVAILABLE, ran=False, tests=None,
                 reason="wasmtime-49 not found in the image")
    run = fake_run(runtimes=["wasmtime-49", "jco"], change=gone)
    answer = assessed(run)
    assert answer.evidence.reference.runtime is None
    assert answer.answer == UNMEASURED
    assert {r.id for r, _ in answer.not_measured} >= {"std", "codegen", "tests"}
    assert answer.evidence.reference.not_run == (
        ("wasmtime-49", "unavailable: wasmtime-49 not found in the image"),)


def test_the_newest_reference_unavailable_the_next_one_is_the_reference_and_named_so() -> None:
    gone = where(runtime="wasmtime-49", verdict=Verdict.UNAVAILABLE, ran=False, tests=None,
                 reason="wasmtime-49 not found in the image")
    run = fake_run(change=gone)
    answer = assessed(run)
    assert answer.evidence.reference.runtime == "wasmtime-45"
    assert answer.answer == READY
    assert ("Newer columns that may be a reference ran none of its artifacts: wasmtime-49 (unavailable: "
            "wasmtime-49 not found in the image).") in opening(run)


def test_a_cell_the_harness_could_not_judge_makes_the_answer_incomplete_not_a_blocker() -> None:
    for runtime in ("wasmtime-49", "jco"):  # on the reference or elsewhere
        lost = where(PROBE, P2, runtime, verdict=Verdict.INFRA_ERROR, ran=False, reason="lost: worker died")
        run = fake_run(change=lost)
        answer = assessed(run)
        assert answer.answer == INCOMPLETE and answer.blockers == [] and answer.incomplete, runtime
        said = answer.unjudged[0].text
        assert said == f"the harness could not judge 1 cell(s) on {runtime} (lost: worker died)"
        statuses = {r.id: s.status for r, s in answer.rows}
        assert statuses["std"] != "not met" and statuses["tests"] != "not met"
        text = opening(run)
        assert text.startswith("**wasm32-wasip2: incomplete.**")
        assert "The run is incomplete: the harness could not judge 1 cell" in text
        assert "the harness could not judge 1 of the target's cells (its own failure" in text
    # the other target of the same file is not touched
    assert assessed(run, "wasm32-wasip1").answer == READY


def test_a_blocker_stays_not_ready_in_an_incomplete_run_and_the_run_says_it_is_incomplete() -> None:
    run = fake_run(change=chain(
        where(HELLO, P2, "wasmtime-49", verdict=Verdict.FAIL, reason="stdout lacks hello"),
        where(PROBE, P2, "jco", verdict=Verdict.INFRA_ERROR, ran=False, reason="docker: no space left")))
    answer = assessed(run)
    assert answer.answer == NOT_READY and answer.incomplete
    assert "The run is incomplete" in opening(run)


def test_failing_tests_of_rusts_own_on_the_reference_are_a_blocker() -> None:
    tests = [TestResult("num::a", TestOutcome.PASSED),
             TestResult("iter::b", TestOutcome.FAILED, message="boom")]
    run = fake_run(change=where(CORE, P2, "wasmtime-49", verdict=Verdict.FAIL, tests=tests,
                                reason="1 failed"))
    answer = assessed(run)
    assert answer.answer == NOT_READY
    assert any("1 of Rust's own tests fail on wasmtime-49" in f.text for f in answer.blockers)
    assert {r.id: s.status for r, s in answer.rows}["codegen"] == "not met"


def test_a_measured_requirement_not_met_is_a_blocker_of_its_own() -> None:
    slow = where(target=P2, build_s=900.0)
    answer = assessed(fake_run(change=slow))
    assert answer.answer == NOT_READY
    assert len(answer.blockers) == 1 and answer.blockers[0].text.startswith(
        "not met: Building it does not take substantially longer than the slowest CI target: its 3 builds")


def test_unsupported_by_design_names_the_cells_reason_when_no_rule_gave_one() -> None:
    empty = where(CORE, P2, "wasmtime-49", verdict=Verdict.UNSUPPORTED, tests=[], expectation_reason="",
                  reason="no test of this binary exists for this target: upstream compiles every one of them "
                         "out here (cfg)")
    answer = assessed(fake_run(change=empty))
    texts = [c.text for c in answer.caveats]
    assert texts == ["unsupported by design: no test of this binary exists for this target: upstream "
                     "compiles every one of them out here (cfg)"]


def test_the_html_dossier_numbers_its_blockers_in_one_list() -> None:
    run = fake_run(change=chain(
        where(HELLO, P2, "wasmtime-49", verdict=Verdict.FAIL, reason="stdout lacks hello\n\n1. not a list"),
        where(PROBE, P2, "wasmtime-49", verdict=Verdict.TIMEOUT, reason="timed out after 30 s")))
    assert len(assessed(run).blockers) == 2
    html = dossier_html(render(run, P2), "t")
    blockers = re.split(r"<h2[^>]*>Blockers</h2>", html)[1].split("<h2")[0]
    assert blockers.count("<ol>") == 1 and len(re.findall(r"<li>", blockers)) == 2


def test_the_matrix_opens_with_the_answer_per_target_linked_to_its_dossier() -> None:
    run = fake_run(change=without(CORE))
    text = matrix_md.render(run)
    assert text.split("\n## ")[1].startswith("The answer per target")
    assert ("| [wasm32-wasip2](evidence/wasm32-wasip2.md) | **not measured** | not measured in this run: "
            "std, codegen | wasmtime-49 (49.0.3) | debian-sid |") in text
    html = matrix_html.render(run)
    first = html.split("<h2")[1]
    assert first.startswith(' id="answers">The answer per target')
    assert '<a href="evidence/wasm32-wasip1.html">wasm32-wasip1</a>' in first
    assert "which it does not do yet" not in text and "talks to a running guest" in matrix_md.WASI_NOTE


def test_a_rule_that_blocks_on_the_reference_is_said_once_with_where_else_it_holds() -> None:
    everywhere = where(PROBE, P2, verdict=Verdict.XFAIL, expectation="xfail", reason="exit 1",
                       expectation_source="suites/expectations/targets.yaml:45",
                       expectation_reason="UdpSocket::set_read_timeout fails in wasi-libc for UDP sockets")
    answer = assessed(fake_run(change=everywhere))
    assert len(answer.blockers) == 1 and "(the same on jco, wasmtime-45)" in answer.blockers[0].text
    assert answer.caveats == []


def test_a_headline_cut_inside_parentheses_ends_before_them() -> None:
    reason = ("UdpSocket::set_read_timeout fails: wasi-libc implements SO_RCVTIMEO for TCP but not for UDP "
              "sockets (seen on Wasmtime 45.0.2 for both targets; every runtime shows it)")
    assert headline(reason) == ("UdpSocket::set_read_timeout fails: wasi-libc implements SO_RCVTIMEO for TCP "
                                "but not for UDP sockets")


def test_a_long_headline_without_a_sentence_end_is_cut_between_words() -> None:
    reason = "word " * 100
    assert headline(reason).endswith("word ...") and len(headline(reason)) <= 304
