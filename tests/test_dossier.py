"""evidence/<target>.md: the tier-2 dossier answers first, then argues requirement by requirement."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from harness.report import build_reports
from harness.report.assessment import MET, NOT_MET, OUTSIDE, STATUSES, headline, load_policy
from tests.test_report import RESULTS, html_cells

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dossiers")
    build_reports(RESULTS, out, DATA / "history")
    return out


def dossier(reports: Path, target: str) -> str:
    return (reports / f"evidence/{target}.md").read_text(encoding="utf-8")


def first_paragraph(text: str) -> str:
    return text.split("\n\n")[1]


def requirement_rows(text: str) -> list[list[str]]:
    rows = [line for line in text.splitlines() if re.match(r"\| [23] \|", line)]
    return [[c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]] for row in rows]


def test_wasip3_opens_with_its_blockers_each_linked(reports: Path) -> None:
    opening = first_paragraph(dossier(reports, "wasm32-wasip3"))
    assert opening.startswith("**wasm32-wasip3: not ready.**")
    assert "1 blocker: (1)" in opening
    assert "std imports wasi 0.3.0-rc-2026-03-15" in opening
    # each blocker points at the cells that show it
    blockers = re.split(r" \(\d\) ", opening)[1:]
    assert len(blockers) == 1
    for blocker in blockers:
        assert re.search(r"\]\(\.\./matrix\.html#cell-[^)]+\)", blocker), blocker
    # an infra error is not hidden, and not a blocker: the run is incomplete
    assert "The run is incomplete: the harness could not judge 1 cell ([fs.read-write @ jco]" in opening


def test_every_requirement_of_both_tiers_has_a_status(reports: Path) -> None:
    for target in ("wasm32-wasip1", "wasm32-wasip1-threads", "wasm32-wasip2", "wasm32-wasip3"):
        rows = requirement_rows(dossier(reports, target))
        assert [r[1] for r in rows] == [r.text for r in load_policy().requirements], target
        for tier, _, status, evidence in rows:
            assert status.strip("*") in STATUSES and evidence, (target, tier, status)


def test_people_and_licenses_are_said_to_be_outside_a_test_run(reports: Path) -> None:
    rows = {r[1]: r for r in requirement_rows(dossier(reports, "wasm32-wasip2"))}
    for requirement in ("A team of at least two target maintainers is on record.",
                        "It has value to people other than its maintainers."):
        assert rows[requirement][2] == f"**{OUTSIDE}**"


def test_a_clean_target_without_rusts_tests_is_not_measured_with_caveats_that_link_their_issues(
        reports: Path) -> None:
    text = dossier(reports, "wasm32-wasip2")
    assert first_paragraph(text).startswith("**wasm32-wasip2: not measured.**")  # no Rust's tests here
    assert "## Blockers" not in text
    assert "preview2-shim has no TCP listen" in text
    assert "[issue](https://github.com/bytecodealliance/jco/issues/3333)" in text
    assert "pytest suites/ -n auto --targets wasm32-wasip2" in text


def test_a_stale_expectation_is_a_caveat_not_a_failing_feature(reports: Path) -> None:
    text = dossier(reports, "wasm32-wasip1")
    assert "passes although suites/expectations/wazero.yaml:7 says it fails" in text
    assert "env.vars @ wazero" not in first_paragraph(text)


def test_measured_requirements_argue_from_the_run(reports: Path) -> None:
    rows = {r[1]: r for r in requirement_rows(dossier(reports, "wasm32-wasip1-threads"))}
    builds = rows["It builds reliably in CI, for every component CI considers mandatory."]
    assert builds[2] == f"**{NOT_MET}**" and "cells with build errors" in builds[3]
    assert "nightly history: 3 runs" in builds[3]
    regular = rows["Its maintainers run the testsuite regularly and fix failures in a timely fashion."]
    assert "3 times from" in regular[3]
    cross = rows["It can be cross-compiled; building does not require the target as host."]
    assert cross[2] == f"**{MET}**"


def test_a_single_failure_on_the_reference_runtime_makes_a_target_not_ready(tmp_path: Path) -> None:
    data = json.loads(RESULTS.read_text(encoding="utf-8"))
    for cell in data["cells"]:
        where = (cell["target"], cell["case"], cell["runtime"])
        if where == ("wasm32-wasip2", "fs.read-write", "wasmtime-49"):
            cell.update(verdict="fail", reason="stdout lacks 'fs: ok'")
    path = tmp_path / "results.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    build_reports(path, tmp_path / "out")
    opening = first_paragraph((tmp_path / "out/evidence/wasm32-wasip2.md").read_text())
    assert opening.startswith("**wasm32-wasip2: not ready.**")
    assert "stdout lacks 'fs: ok'" in opening
    assert "fs.read-write @ wasmtime-49" in opening


def test_every_link_points_at_a_cell_of_the_matrix(reports: Path) -> None:
    ids = {c["id"] for c in html_cells((reports / "matrix.html").read_text(encoding="utf-8"))}
    for evidence in (reports / "evidence").glob("*.md"):
        links = re.findall(r"\]\(\.\./matrix\.html#([^)]+)\)", evidence.read_text())
        assert links and set(links) <= ids, evidence.name


def test_the_html_dossier_is_the_markdown_rendered(reports: Path) -> None:
    html = (reports / "evidence/wasm32-wasip3.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<table>" in html
    assert '<a href="../matrix.html#cell-async.main__wasm32-wasip3__wasmtime-49__debian-sid">' in html
    assert "<script" not in html and "<link" not in html


def test_a_headline_does_not_stop_at_an_abbreviation() -> None:
    first = "the component imports WASI 0.3.0-rc (e.g. wasi:cli/environment), which 46 lacks"
    assert headline(first + ". Seen on 49.") == first
