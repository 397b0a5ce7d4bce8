"""The tier-2 assessment from fake results (no Docker): the reference runtime chosen by what the
artifacts import, the requirements as data, the field note."""

from __future__ import annotations

from harness.report.assessment import MET, STATUSES, assess, load_policy
from harness.report.dossier import render
from harness.results.record import CellKind, CellResult, TestResult
from harness.results.run_header import RunHeader, columns_of
from harness.results.store import Results
from harness.results.verdict import TestOutcome, Verdict

RC = ["wasi:cli/environment@0.3.0-rc-2026-03-15", "wasi:cli/stdout@0.2.6"]
FINAL = ["wasi:cli/environment@0.3.0", "wasi:cli/stdout@0.2.6"]
RUNTIMES = ["wasmtime-36", "wasmtime-45", "wasmtime-46", "wasmtime-48", "wasmtime-49", "pulley-45", "jco"]
REFUSING = "component imports instance `wasi:cli/environment@0.3.0-rc-2026-03-15`, but a matching ..."


def cells(imports: list[str]) -> list[CellResult]:
    """hello world and core's tests on wasm32-wasip3 under every column: the columns that link
    what the artifacts import pass, the others refuse them (as a rule expects)."""
    rc = any("rc" in i for i in imports)
    links = ({"wasmtime-45", "pulley-45", "jco"} if rc
             else {"wasmtime-46", "wasmtime-48", "wasmtime-49", "jco"})
    out = []
    for runtime in RUNTIMES:
        for case, kind in (("hello.world", CellKind.FIXTURE), ("upstream.coretests", CellKind.LIBTEST)):
            ok = runtime in links
            cell = CellResult(
                case=case, target="wasm32-wasip3", runtime=runtime, toolchain="debian-sid", kind=kind,
                verdict=Verdict.PASS if ok else Verdict.XFAIL, ran=True, wasi_imports=imports,
                evidence=["hello-world"] if kind is CellKind.FIXTURE else ["codegen"],
                features=["hello"] if kind is CellKind.FIXTURE else ["core"],
                library="core" if kind is CellKind.LIBTEST else "", test_binary="coretests",
                reason="" if ok else f"the toolchain's std imports WASI it does not link ({REFUSING})",
                expectation="pass" if ok else "xfail",
                expectation_source="" if ok else "suites/expectations/wasmtime.yaml:8",
                expectation_reason="" if ok else "std imports a WASI these runtimes do not link",
                versions={"runtime": runtime.split("-")[-1] + ".0.1"}, build_s=20.0, build_key=case)
            if kind is CellKind.LIBTEST and ok:
                cell.tests = [TestResult("num::a", TestOutcome.PASSED),
                              TestResult("iter::b", TestOutcome.PASSED)]
            out.append(cell)
    # the build-time baseline's one build (wasm32-wasip1's hello world)
    out.append(CellResult(case="hello.world", target="wasm32-wasip1", runtime="wasmtime-49", ran=True,
                          toolchain="debian-sid", verdict=Verdict.PASS, evidence=["hello-world"],
                          build_s=30.0, build_key="hello-p1"))
    return out


def results(imports: list[str]) -> Results:
    header = RunHeader(runtimes=RUNTIMES, columns=columns_of(RUNTIMES), toolchains=["debian-sid"],
                       toolchain_versions={"debian-sid": {"rustc": "1.97.1+dfsg1-1"}})
    return Results(header, tuple(cells(imports)))


def test_artifacts_of_the_final_wasi_0_3_0_pick_the_newest_supported_wasmtime() -> None:
    assessment = assess(results(FINAL), "wasm32-wasip3")
    assert assessment is not None
    reference = assessment.evidence.reference
    # 49 is newer, but its line gets no more security fixes: the LTS line 48 is the reference
    assert reference.runtime == "wasmtime-48" and reference.refused == ()
    assert reference.why.endswith(", of the release lines that still get security fixes (not wasmtime-49)")
    assert reference.wasi == ("0.2", "0.3.0")
    assert assessment.answer == "ready with caveats"  # the older lines' refusal is a caveat there
    text = render(results(FINAL), "wasm32-wasip3")
    assert "known failure on wasmtime-36, pulley-45, wasmtime-45" in text  # by release line, then name


def test_an_unsupported_line_is_the_reference_only_when_no_supported_one_runs_the_artifacts() -> None:
    with_50 = [*RUNTIMES, "wasmtime-50"]
    header = RunHeader(runtimes=with_50, columns=columns_of(with_50), toolchains=["debian-sid"])
    newest = [c for c in cells(FINAL) if c.runtime == "wasmtime-48"]
    newest = [CellResult(**{**vars(c), "runtime": "wasmtime-50"}) for c in newest]
    assessment = assess(Results(header, (*cells(FINAL), *newest)), "wasm32-wasip3")
    assert assessment is not None and assessment.evidence.reference.runtime == "wasmtime-50"
    assessment = assess(results(RC), "wasm32-wasip3")  # only 45 (no more fixes) links the RC
    assert assessment is not None and assessment.evidence.reference.runtime == "wasmtime-45"


def test_artifacts_of_the_release_candidate_pick_wasmtime_45_and_name_the_newer_that_refuse() -> None:
    assessment = assess(results(RC), "wasm32-wasip3")
    assert assessment is not None
    reference = assessment.evidence.reference
    assert reference.runtime == "wasmtime-45"
    assert [name for name, _ in reference.refused] == ["wasmtime-49", "wasmtime-48", "wasmtime-46"]
    # Rust's own tests ran on the reference: core and std are measured, not "outside"
    rows = {r.id: s for r, s in assessment.rows}
    assert rows["std"].status == MET and "2 of Rust's own tests pass on wasmtime-45" in rows["std"].evidence
    assert rows["codegen"].status == MET and rows["tests"].status == MET
    # the refusal is one blocker, said once (not again as a caveat of the same rule)
    assert assessment.answer == "not ready" and len(assessment.blockers) == 1
    blocker = assessment.blockers[0].text
    assert "(wasmtime-46, wasmtime-48, wasmtime-49) refuse this toolchain's artifacts" in blocker
    assert ("std imports WASI 0.2, 0.3.0-rc-2026-03-15 (each lacks 0.3.0-rc-2026-03-15, has 0.3.0, 0.3.2)"
            in blocker)
    assert not any("wasmtime.yaml:8" in c.text for c in assessment.caveats)
    text = render(results(RC), "wasm32-wasip3")
    assert "the reference runtime is wasmtime-45" in text and "wasmtime-49" in text
    assert "speaks WASI 0.2, 0.3.0-rc-2026-03-15, not 0.3.0: a newer std exists" in text


def test_a_probe_bringing_its_own_wasi_does_not_move_the_reference() -> None:
    """std on the release candidate, and a probe built with a binding crate of the final 0.3.0
    (as async-main.p3 is): the reference follows what std imports, not the union, and the
    probe's failures are the runtimes' findings, not std's."""
    base = results(RC)
    probe = [CellResult(case="async-main.p3", target="wasm32-wasip3", runtime=runtime,
                        toolchain="debian-sid", kind=CellKind.FIXTURE, ran=True, wasi_imports=FINAL,
                        verdict=Verdict.PASS if runtime in {"wasmtime-49", "jco"} else Verdict.XFAIL,
                        reason="" if runtime in {"wasmtime-49", "jco"} else "it imports the final 0.3.0",
                        expectation_source="" if runtime in {"wasmtime-49", "jco"} else "x.yaml:1")
             for runtime in RUNTIMES]
    assessment = assess(Results(base.run, base.cells + tuple(probe)), "wasm32-wasip3")
    assert assessment is not None
    assert assessment.evidence.reference.runtime == "wasmtime-45"
    assert assessment.evidence.reference.wasi == ("0.2", "0.3.0-rc-2026-03-15")
    std = {r.id: s for r, s in assessment.rows}["std"]  # measured there, without the probe
    assert std.status == MET and "2 of Rust's own tests pass on wasmtime-45" in std.evidence
    brought = [f.text.split(" do not")[0] for f in assessment.bindings]
    assert brought == ["async-main.p3 (bringing WASI 0.3.0)"]
    assert not any("async-main" in f.text for f in assessment.blockers + assessment.caveats)


def test_an_unavailable_column_is_never_the_reference() -> None:
    base = results(FINAL)
    changed = tuple(
        CellResult(**{**vars(c), "verdict": Verdict.UNAVAILABLE, "ran": False, "tests": None})
        if c.runtime == "wasmtime-49" else c for c in base.cells)
    assessment = assess(Results(base.run, changed), "wasm32-wasip3")
    assert assessment is not None and assessment.evidence.reference.runtime == "wasmtime-48"


def test_every_requirement_is_data_with_a_status() -> None:
    policy = load_policy()
    assert len({r.id for r in policy.requirements}) == len(policy.requirements)
    assessment = assess(results(RC), "wasm32-wasip3")
    assert assessment is not None
    assert [r.id for r, _ in assessment.rows] == [r.id for r in policy.requirements]
    assert {s.status for _, s in assessment.rows} <= set(STATUSES)


def test_the_dossier_and_the_matrix_name_the_lines_without_security_support() -> None:
    from harness.report.matrix_md import render as render_matrix

    expected = ("Release lines without security support in this run: wasmtime-45, wasmtime-46, wasmtime-49, "
                "pulley-45 (RUSTSEC-2026-0313 to -0316 not fixed in them).")
    assert expected in render(results(FINAL), "wasm32-wasip3")
    assert expected in render_matrix(results(FINAL))
