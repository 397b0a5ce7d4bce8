"""The reports agree with results.json and with each other."""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from harness.report import build_reports

DATA = Path(__file__).parent / "data"
RESULTS = DATA / "results.json"
# Stated here, not imported from harness.results.verdict: the verdicts that fail a pytest item (and
# count as "fail" in summaries), and the symbol the Markdown matrix shows for each verdict.
BAD = {"fail", "load-error", "timeout", "crash", "xpass", "build-error", "infra-error"}
SYMBOLS = {
    "pass": "✔", "fail": "✘", "load-error": "L", "timeout": "T", "crash": "C", "xfail": "x",
    "xpass": "X!", "unsupported": "U", "build-error": "B", "unavailable": "-", "infra-error": "I",
}  # fmt: skip


def raw_cells(path: Path = RESULTS) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def category(cell: dict) -> str:
    """The report category, computed independently of harness.report.model."""
    if cell["verdict"] == "unsupported" and not cell["ran"]:
        return "n/a"
    return "fail" if cell["verdict"] in BAD else cell["verdict"]


class CellCollector(HTMLParser):
    """Collects the attributes of every <td class="cell ..."> of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "td" and "cell" in found.get("class", "").split():
            self.cells.append(found)


def html_cells(text: str) -> list[dict[str, str]]:
    parser = CellCollector()
    parser.feed(text)
    return parser.cells


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    build_reports(RESULTS, out)
    return out


def test_fixtures_are_up_to_date() -> None:
    sys.path.insert(0, str(DATA))
    try:
        import make_results
    finally:
        sys.path.remove(str(DATA))
    for name, document in make_results.documents().items():
        assert (DATA / name).read_text(encoding="utf-8") == make_results.render(document), name


def test_all_files_exist(tmp_path: Path) -> None:
    paths = build_reports(RESULTS, tmp_path)
    targets = sorted({c["target"] for c in raw_cells()})
    expected = ["matrix.md", "matrix.html", "junit.xml"] + [
        f"evidence/{t}.{ext}" for t in targets for ext in ("md", "html")]
    assert [p.relative_to(tmp_path).as_posix() for p in paths] == expected
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)


def test_output_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    a, b = build_reports(RESULTS, first), build_reports(RESULTS, second)
    for x, y in zip(a, b, strict=True):
        assert x.read_bytes() == y.read_bytes(), x.name


def test_markdown_summary_counts_match_results(reports: Path) -> None:
    text = (reports / "matrix.md").read_text(encoding="utf-8")
    expected: dict[tuple[str, str], Counter] = {}
    for cell in raw_cells():
        expected.setdefault((cell["target"], cell["runtime"]), Counter())[category(cell)] += 1
    header = "| target | runtime | pass | unsupported | N/A | xfail | unavailable | fail | total |"
    assert header in text
    columns = ["pass", "unsupported", "n/a", "xfail", "unavailable", "fail"]
    rows = re.findall(r"^\| (wasm32-[\w-]+) \| ([\w-]+) \| (.*) \|$", text, re.M)
    summary = {(t, r): rest.split(" | ") for t, r, rest in rows if not rest.startswith("**")}
    assert summary.keys() == expected.keys()
    for key, numbers in summary.items():
        got = {c: int(n.split()[0]) for c, n in zip(columns, numbers[:-1], strict=True)}
        assert got == {c: expected[key][c] for c in columns}, key
        assert int(numbers[-1]) == sum(expected[key].values())


def test_markdown_tables_show_every_cell_symbol(reports: Path) -> None:
    text = (reports / "matrix.md").read_text(encoding="utf-8")
    for target in sorted({c["target"] for c in raw_cells()}):
        section = text.split(f"\n## {target}\n", 1)[1].split("\n## ", 1)[0]
        head = re.search(r"^\| feature / case \| (.*) \|$", section, re.M)
        assert head
        runtimes = head.group(1).split(" | ")
        rows = {
            m.group(1): m.group(2).split(" | ")
            for m in re.finditer(r"^\| ([a-z0-9][\w.-]*) \| (.*) \|$", section, re.M)
        }
        for cell in raw_cells():
            if cell["target"] != target:
                continue
            symbol = rows[cell["case"]][runtimes.index(cell["runtime"])]
            na = cell["verdict"] == "unsupported" and not cell["ran"]
            # (a libtest cell's symbol is followed by its pass rate)
            assert symbol.split(" ")[0] == ("N/A" if na else SYMBOLS[cell["verdict"]]), cell["case"]


def test_junit_agrees_with_results(reports: Path) -> None:
    root = ET.parse(reports / "junit.xml").getroot()
    cells = raw_cells()
    suites = root.findall("testsuite")
    assert sorted(s.get("name") for s in suites) == sorted({c["target"] for c in cells})
    cases = {tc.get("name"): tc for s in suites for tc in s.findall("testcase")}
    assert len(cases) == len(cells) == sum(int(s.get("tests")) for s in suites)
    for cell in cells:
        tc = cases[f"{cell['case']}[{cell['target']}-{cell['runtime']}]"]
        assert tc.get("classname") == cell["case"]
        kind = category(cell)
        if cell["verdict"] == "infra-error":
            assert tc.find("error") is not None
            assert cell["reason"] in tc.find("error").get("message")
        elif kind == "fail":
            assert tc.find("failure").get("type") == cell["verdict"]
        elif kind == "pass":
            assert len(tc) == 0 or all(e.tag in ("system-out", "system-err") for e in tc)
        else:
            skipped = tc.find("skipped")
            assert skipped is not None, tc.get("name")
            assert skipped.get("message").startswith(kind)
            assert cell["reason"] in skipped.get("message")
            if cell.get("link"):
                assert cell["link"] in skipped.get("message")
    totals = Counter(category(c) for c in cells)
    assert (
        sum(int(s.get("failures")) for s in suites) + sum(int(s.get("errors")) for s in suites)
        == totals["fail"]
    )
    assert sum(int(s.get("skipped")) for s in suites) == (
        totals["unsupported"] + totals["n/a"] + totals["xfail"] + totals["unavailable"]
    )


def test_html_has_every_cell_with_attributes(reports: Path) -> None:
    text = (reports / "matrix.html").read_text(encoding="utf-8")
    assert "http://" not in text.split("<body>")[0] and "<link" not in text
    assert "<script src" not in text
    cells = {(c["data-case"], c["data-target"], c["data-runtime"]): c for c in html_cells(text)}
    raw = raw_cells()
    assert len(cells) == len(raw) == len(html_cells(text))
    for cell in raw:
        td = cells[(cell["case"], cell["target"], cell["runtime"])]
        assert td["data-verdict"] == cell["verdict"]
        assert td["data-category"] == category(cell)
        assert td["id"].startswith("cell-")
    assert f"{len(raw)} of {len(raw)} cells shown" in text


def test_reports_agree_with_each_other(reports: Path) -> None:
    html = html_cells((reports / "matrix.html").read_text(encoding="utf-8"))
    root = ET.parse(reports / "junit.xml").getroot()
    assert len(html) == len(root.findall("testsuite/testcase"))
    html_bad = sum(1 for c in html if c["data-category"] == "fail")
    junit_bad = len(root.findall("testsuite/testcase/failure")) + len(
        root.findall("testsuite/testcase/error")
    )
    assert html_bad == junit_bad


def test_libtest_cells_show_their_pass_rate_and_the_tests_that_did_not_pass(reports: Path) -> None:
    md = (reports / "matrix.md").read_text(encoding="utf-8")
    row = next(line for line in md.splitlines() if line.startswith("| upstream.coretests |"))
    assert "✔ 3/3 (1 ignored)" in row and "✘ 2/3 (1 failing, 1 ignored)" in row
    html = (reports / "matrix.html").read_text(encoding="utf-8")
    assert "slice::sort::stable_sort" in html and "clock not supported" in html
    assert "1 ignored</summary><ul><li><code>num::int_log::ilog_panics</code>" in html


def test_the_evidence_reports_pass_rates_per_library_module(tmp_path: Path) -> None:
    from harness.report.libtests import by_module
    from harness.results.store import load_results

    cells = [c for c in load_results(RESULTS).cells if c.tests is not None]
    modules = by_module(cells)
    assert modules["core::slice"] == {"passed": 1, "crashed": 1}
    assert modules["core::num"] == {"passed": 2, "ignored": 2}


def test_toolchains_side_by_side(tmp_path: Path) -> None:
    build_reports(DATA / "toolchains.json", tmp_path)
    md = (tmp_path / "matrix.md").read_text(encoding="utf-8")
    assert "## Builds compared" in md
    prefix = "| wasm32-wasip1-threads | thread.spawn-join | wasmtime-45 |"
    line = next(x for x in md.splitlines() if x.startswith(prefix))
    # oldest rustc first: trixie (1.85.1) failed, sid (1.97.1) passes
    assert line == "| wasm32-wasip1-threads | thread.spawn-join | wasmtime-45 | ✘ | ✔ | fixed in debian-sid |"
    assert "## wasm32-wasip2 (debian-trixie, rustc 1.85.1+dfsg1-1+deb13u1)" in md
    html = (tmp_path / "matrix.html").read_text(encoding="utf-8")
    assert 'id="filter-toolchain"' in html
    assert "thread.spawn-join[wasm32-wasip1-threads-wasmtime-45@debian-trixie]" in html


def test_build_profiles_side_by_side(tmp_path: Path) -> None:
    """A cell that fails under panic=abort and passes under unwind, same toolchain: the builds
    are set side by side and the step is named a fix by panic=unwind."""
    data = json.loads((DATA / "toolchains.json").read_text())
    sid = [c for c in data["cells"] if c["toolchain"] == "debian-sid"]
    aborting = [{**c, "verdict": "fail", "reason": "crashed"} if c["case"] == "thread.spawn-join"
                and c["verdict"] == "pass" else c for c in sid]
    unwinding = [{**c, "build_profile": "unwind"} for c in sid]
    data["cells"] = aborting + unwinding
    data["run"] |= {"toolchains": ["debian-sid"], "build_profiles": ["abort", "unwind"]}
    source = tmp_path / "results.json"
    source.write_text(json.dumps(data))
    build_reports(source, tmp_path)
    md = (tmp_path / "matrix.md").read_text(encoding="utf-8")
    assert "## Builds compared" in md
    prefix = "| wasm32-wasip1-threads | thread.spawn-join | wasmtime-45 |"
    line = next(x for x in md.splitlines() if x.startswith(prefix))
    assert line == f"{prefix} ✘ | ✔ | fixed by panic=unwind |"
    assert "| wasm32-wasip2 | wasmtime-45 | debian-sid +unwind |" in md  # a summary row per build
    html = (tmp_path / "matrix.html").read_text(encoding="utf-8")
    assert "thread.spawn-join[wasm32-wasip1-threads-wasmtime-45+unwind]" in html
