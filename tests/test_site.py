"""The site (harness/report/site): its pages agree with the assessment and the results, every link
resolves, a guest's output is never markup on any page, and the charts have axes and labels."""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from pathlib import Path

import pytest

from harness.cli import main
from harness.report.assessment import assess
from harness.report.history import History
from harness.report.site import urls
from harness.report.site.build import build_site, write_site
from harness.report.site.cells import last_passes
from harness.report.site.charts import Series, line_chart
from harness.report.site.urls import cell_page
from harness.results.record import CellKind, CellResult
from harness.results.store import Results, load_results, write_results
from harness.results.verdict import TestOutcome, Verdict
from tests.site_links import broken_links, parse

DATA = Path(__file__).parent / "data"
RESULTS = DATA / "results.json"
NIGHTS = DATA / "history"
PREVIOUS = NIGHTS / "night-1.json"

MARKUP = ('<script>document.title="pwned"</script>', "<img src=x onerror=alert(1)>", '<b onclick="x()">',
          "]]></pre><h1>", "`</code><i>")
CONTROL = "\x1b\x00\x07\x08\x0b\x7f\x9b"
HOSTILE = "".join(MARKUP) + "\x1b[31m" + CONTROL + " & done"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build_site([RESULTS], out, NIGHTS, PREVIOUS)
    return out


def pages(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


def test_the_site_has_its_pages(site: Path) -> None:
    results = load_results(RESULTS)
    for name in ("index.html", "matrix.html", "history.html", "diff.html"):
        assert (site / name).is_file(), name
    for cell in results.cells:
        assert (site / cell_page(cell)).is_file(), cell.anchor
    for target in results.targets:
        assert (site / "evidence" / f"{target}.html").is_file()


def test_every_link_of_every_page_resolves(site: Path) -> None:
    broken = {str(p.relative_to(site)): b for p in pages(site) if (b := broken_links(p, site))}
    assert not broken


def test_the_front_page_says_each_targets_answer(site: Path) -> None:
    results = load_results(RESULTS)
    text = (site / "index.html").read_text(encoding="utf-8")
    rows = dict(re.findall(r'<tr id="target-[^"]+" data-target="([^"]+)" data-answer="([^"]+)"', text))
    expected = {t: a.answer for t in results.targets if (a := assess(results, t)) is not None}
    assert rows and rows == expected
    for target in expected:
        assert f'href="evidence/{target}.html"' in text


def test_each_test_has_an_anchor_on_its_cell_page(site: Path) -> None:
    cell = next(c for c in load_results(RESULTS).cells if c.tests)
    ids = parse((site / cell_page(cell)).read_text(encoding="utf-8")).ids
    assert set(urls.test_ids(cell)) <= ids and len(urls.test_ids(cell)) == len(cell.tests or [])


def test_the_diff_page_lists_regressions_first_with_both_cells(site: Path) -> None:
    text = (site / "diff.html").read_text(encoding="utf-8")
    groups = re.findall(r'<tr class="change [^"]*" data-group="([^"]+)"', text)
    assert "regressions" in groups
    regressions = groups.count("regressions")
    assert groups[:regressions] == ["regressions"] * regressions
    first = text[text.index('data-group="regressions"'):]
    first = first[: first.index("</tr>")]
    assert 'href="previous/cells/' in first and 'href="cells/' in first


def hostile_results() -> Results:
    """The sample run with a guest's markup and control bytes in a failing cell's output and reason,
    in a libtest cell's failing test's message, and in the reasons of an expectation."""
    results = copy.deepcopy(load_results(RESULTS))
    fixture = next(c for c in results.cells if c.kind is CellKind.FIXTURE and c.verdict is Verdict.PASS
                   and c.runtime == "wasmtime-49")
    fixture.verdict, fixture.reason = Verdict.FAIL, f"exit code 1; stdout said {HOSTILE}"
    fixture.stdout = fixture.stderr = HOSTILE
    libtest: CellResult = next(c for c in results.cells if c.tests)
    test = libtest.tests[0]  # type: ignore[index]
    test.outcome, test.message, test.reason = TestOutcome.FAILED, HOSTILE, HOSTILE
    libtest.verdict, libtest.reason, libtest.stderr = Verdict.FAIL, f"1 test failed: {HOSTILE}", HOSTILE
    xfail = next(c for c in results.cells if c.verdict is Verdict.XFAIL)
    xfail.expectation_reason, xfail.reason = HOSTILE, HOSTILE
    return results


def test_no_page_carries_a_guests_markup_or_control_bytes(tmp_path: Path) -> None:
    results = hostile_results()
    history = History.load(NIGHTS)
    write_site(results, tmp_path, history, (load_results(PREVIOUS), PREVIOUS.name))
    checked = pages(tmp_path)
    assert len(checked) > 50
    for page in checked:
        text = page.read_text(encoding="utf-8")
        for markup in MARKUP:
            assert markup not in text, (page.name, markup)
        for byte in CONTROL:
            assert byte not in text, (page.name, hex(ord(byte)))
    shown = (tmp_path / cell_page(next(c for c in results.cells if c.stdout == HOSTILE))).read_text()
    assert "&lt;script&gt;document.title=" in shown and "\\x1b[31m\\x1b\\x00\\x07" in shown
    diff = (tmp_path / "diff.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in diff  # the failing cell's reason, shown as text
    dossiers = "".join((tmp_path / "evidence" / f"{t}.html").read_text(encoding="utf-8")
                       for t in results.targets)
    assert "&lt;script&gt;document.title=" in dossiers  # a blocker's reason, shown as text


def test_a_chart_has_axes_units_labels_and_a_point_per_night() -> None:
    chart = str(line_chart([Series("wasmtime-49", (("2026-12-01T03:00Z", 50.0), ("2026-12-02T03:00Z", 100.0)),
                                   "#runtime-wasmtime-49"),
                            Series("<jco>", (("2026-12-02T03:00Z", 0.0),))],
                           "wasm32-wasip1: passing", y_label="passing (%)"))
    assert chart.startswith("<svg") and chart.endswith("</svg>")
    assert chart.count('class="axis"') == 2
    assert ">passing (%)</text>" in chart and ">night (UTC date)</text>" in chart
    assert all(f">{tick}</text>" in chart for tick in (0, 25, 50, 75, 100))
    assert ">2026-12-01</text>" in chart and ">2026-12-02</text>" in chart
    assert chart.count("<circle") == 3 and chart.count("<polyline") == 1
    assert "&lt;jco&gt;" in chart and "<jco>" not in chart
    ys = [float(y) for y in re.findall(r'<circle cx="[0-9.]+" cy="([0-9.]+)"', chart)]
    assert ys[1] < ys[0] < ys[2]  # 100 % above 50 % above 0 %


def test_an_empty_chart_says_so() -> None:
    assert "no data" in str(line_chart([], "nothing"))


def test_the_command_writes_the_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["site", str(DATA / "shard-a.json"), str(DATA / "shard-b.json"), "-o", str(tmp_path)]) == 0
    assert "index.html" in capsys.readouterr().out
    assert (tmp_path / "index.html").is_file() and not (tmp_path / "diff.html").exists()
    assert not [b for p in pages(tmp_path) for b in broken_links(p, tmp_path)]


def test_a_runtimes_wasi_testsuite_rate_counts_its_judged_tests_and_links_them(tmp_path: Path) -> None:
    results = copy.deepcopy(load_results(RESULTS))
    base = next(c for c in results.cells if c.runtime == "wazero" and c.target == "wasm32-wasip1")
    suite = []
    for n, verdict in enumerate((Verdict.PASS, Verdict.FAIL, Verdict.PASS, Verdict.UNAVAILABLE)):
        cell = copy.deepcopy(base)
        cell.case, cell.kind, cell.wasi_suite = f"wasi.t{n}", CellKind.WASI_TESTSUITE, "fs"
        cell.toolchain, cell.verdict = "", verdict
        suite.append(cell)
    write_site(Results(results.run, (*results.cells, *suite)), tmp_path)
    text = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert ('data-rate="wasi wasm32-wasip1"><a href="matrix.html?target=wasm32-wasip1&amp;runtime=wazero'
            '&amp;kind=wasi-testsuite">66.7 % (2/3)</a>') in text
    assert not [b for p in pages(tmp_path) for b in broken_links(p, tmp_path)]


def test_a_cell_page_says_when_a_failing_test_last_passed_here(tmp_path: Path) -> None:
    passing = copy.deepcopy(load_results(RESULTS))
    cell = next(c for c in passing.cells if c.tests and c.verdict is Verdict.PASS)
    failing = copy.deepcopy(passing)
    now = next(c for c in failing.cells if c.key == cell.key)
    test = next(t for t in now.tests or [] if t.outcome is TestOutcome.PASSED)
    test.outcome, now.verdict = TestOutcome.FAILED, Verdict.FAIL
    nights = tmp_path / "nights"
    nights.mkdir()
    for name, run, date in (("a", passing, "2026-12-01T03:00:00Z"), ("b", failing, "2026-12-02T03:00:00Z")):
        write_results(nights / f"{name}.json", Results(replace(run.run, date=date), run.cells))
    history = History.load(nights, tmp_path / "cache")
    last = last_passes(history, failing.cells)[now.key]
    assert last.cell == "2026-12-01T03:00:00Z" and last.nights == 2
    assert last.tests == {test.name: "2026-12-01T03:00:00Z"}
    write_site(failing, tmp_path / "site", history)
    page = (tmp_path / "site" / cell_page(now)).read_text(encoding="utf-8")
    row = page[page.index(f'id="{urls.test_anchor(test.name)}"'):]
    assert "2026-12-01T03:00:00Z" in row[: row.index("</tr>")]


def test_a_tests_regression_links_the_test_in_both_runs(tmp_path: Path) -> None:
    before = load_results(RESULTS)
    after = copy.deepcopy(before)
    cell = next(c for c in after.cells if c.tests and any(t.outcome is TestOutcome.PASSED for t in c.tests))
    test = next(t for t in cell.tests or [] if t.outcome is TestOutcome.PASSED)
    test.outcome = TestOutcome.FAILED
    write_site(after, tmp_path, previous=(before, "before.json"))
    text = (tmp_path / "diff.html").read_text(encoding="utf-8")
    anchor = urls.test_anchor(test.name)
    row = text[text.index('data-group="test regressions"'):]
    row = row[: row.index("</tr>")]
    assert f'href="previous/{cell_page(cell)}#{anchor}"' in row
    assert f'href="{cell_page(cell)}#{anchor}"' in row
    assert not broken_links(tmp_path / "diff.html", tmp_path)


def test_the_front_page_says_which_lines_get_no_more_security_fixes(tmp_path: Path) -> None:
    from harness.results.run_header import columns_of

    results = load_results(RESULTS)
    run = replace(results.run, columns=columns_of(results.runtimes))
    write_site(Results(run, results.cells), tmp_path)
    text = (tmp_path / "index.html").read_text(encoding="utf-8")
    said = dict(re.findall(r'<tr id="runtime-([^"]+)".*?<td data-security="([^"]*)"', text, re.S))
    assert said["wasmtime-49"] == "no" and said["wasmtime-45"] == "no"
    assert said.get("jco") == ""  # not tracked
    assert 'title="no more fixes: RUSTSEC-2026-0313 to -0316 not fixed in 49"' in text
