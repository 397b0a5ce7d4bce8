"""The site in real headless Chromium (Debian's `chromium`): the front page's answers and rates match
the results, every link resolves, the matrix's filters behind each rate and the diff page's filters
work, no page logs to the console; the run keeps a screenshot of the front page
(reports/screenshots/site-front.png, or $SITE_SCREENSHOTS). With $SITE_RESULTS the checks run on
the site of that results file (a real run's: `SITE_RESULTS=reports/results.json pytest
tests/test_site_browser.py`) instead of the sample."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import unquote

import pytest

from harness.report.assessment import assess
from harness.report.site.build import build_site
from harness.report.site.urls import cell_page
from harness.results.store import load_results
from tests.site_links import broken_links
from tests.test_report import html_cells

DATA = Path(__file__).parent / "data"
RESULTS = Path(os.environ.get("SITE_RESULTS", DATA / "results.json")).resolve()
NIGHTS = DATA / "history"
PREVIOUS = NIGHTS / "night-1.json"
ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = Path(os.environ.get("SITE_SCREENSHOTS", ROOT / "reports" / "screenshots"))
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None)
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
]  # fmt: skip
NOT_RUN = {"ignored", "skipped"}
PASSED = {"passed", "xpass"}

pytestmark = pytest.mark.skipif(CHROMIUM is None,
                                reason="headless Chromium not found (Debian: apt-get install chromium)")


def browse(*args: str) -> subprocess.CompletedProcess[str]:
    """Chromium with a fresh profile."""
    assert CHROMIUM
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                              text=True, timeout=120, check=True)


def dom(page: Path, suffix: str = "") -> str:
    """The page's DOM once its script ran (a query or fragment in `suffix`); no console message."""
    done = browse("--dump-dom", page.as_uri() + suffix)
    assert 'data-ready="1"' in done.stdout, "the page script did not finish"
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    assert not console, console
    return done.stdout


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build_site([RESULTS], out, NIGHTS, PREVIOUS)
    return out


@pytest.fixture(scope="module")
def front(site: Path) -> str:
    return dom(site / "index.html")


def test_the_front_pages_answers_and_blockers_are_the_assessments(front: str) -> None:
    results = load_results(RESULTS)
    rows = re.findall(r'<tr id="target-[^"]+" data-target="([^"]+)" data-answer="([^"]+)"', front)
    expected = [(t, a.answer) for t in results.targets if (a := assess(results, t)) is not None]
    assert rows == expected and len(rows) == len(results.targets)  # a row for every target
    assessments = [a for t in results.targets if (a := assess(results, t)) is not None]
    assert re.findall(r'data-blockers="(\d+)"', front) == [str(len(a.blockers)) for a in assessments]


def raw_rate(target: str, runtime: str) -> tuple[int, int]:
    """Rust's own tests that passed / that ran, counted from results.json itself."""
    passed = total = 0
    for cell in json.loads(RESULTS.read_text(encoding="utf-8"))["cells"]:
        if cell["kind"] == "libtest" and cell["target"] == target and cell["runtime"] == runtime:
            ran = [t for t in cell.get("tests") or [] if t["outcome"] not in NOT_RUN]
            total += len(ran)
            passed += sum(1 for t in ran if t["outcome"] in PASSED)
    return passed, total


def test_each_rate_is_the_results_and_links_to_exactly_its_cells(site: Path, front: str) -> None:
    rates = re.findall(r'<tr id="runtime-([^"]+)".*?</tr>', front, re.S)
    assert rates == load_results(RESULTS).runtimes
    links = re.findall(r'data-rate="rust ([^"]+)"><a href="matrix.html\?([^"]+)">[0-9.]+ % '
                       r"\((\d+)/(\d+)\)", front)
    assert links
    raw = json.loads(RESULTS.read_text(encoding="utf-8"))["cells"]
    for target, query, passed, total in links:
        filters = dict(part.split("=") for part in query.replace("&amp;", "&").split("&"))
        assert filters["target"] == target and filters["kind"] == "libtest"
        assert (int(passed), int(total)) == raw_rate(target, filters["runtime"])
        shown = [c for c in html_cells(dom(site / "matrix.html", "?" + query.replace("&amp;", "&")))
                 if c["data-shown"] == "1"]
        behind = [c for c in raw if c["kind"] == "libtest" and c["target"] == target
                  and c["runtime"] == filters["runtime"]]
        assert sorted(c["id"] for c in shown) == sorted(
            f"cell-{c['case']}__{target}__{c['runtime']}__{c['toolchain']}" for c in behind)


def test_every_link_resolves(site: Path, front: str) -> None:
    assert not broken_links(site / "index.html", site, front)
    results = load_results(RESULTS)
    for page in ("matrix.html", "history.html", "diff.html", cell_page(results.cells[0]),
                 "evidence/wasm32-wasip1.html"):
        path = site / page
        text = dom(path) if page != "evidence/wasm32-wasip1.html" else path.read_text(encoding="utf-8")
        assert not broken_links(path, site, text), page
    assert not [b for p in site.rglob("*.html") for b in broken_links(p, site)]


def diff_rows(text: str) -> list[tuple[str, str, str]]:
    return re.findall(r'<tr class="change [^"]*" data-group="([^"]+)" data-target="([^"]+)"'
                      r'(?: hidden="")? data-shown="(\d)"', text)


@pytest.mark.skipif("SITE_RESULTS" in os.environ,
                    reason="the diff page's filters are checked on the sample's diff against its first night")
@pytest.mark.parametrize("fragment", ["#group=regressions", "#target=wasm32-wasip1",
                                      "#group=new%20cells&target=wasm32-wasip2"])
def test_the_diff_pages_filters_show_only_their_changes(site: Path, fragment: str) -> None:
    everything = diff_rows(dom(site / "diff.html"))
    assert everything and all(shown == "1" for _, _, shown in everything)
    assert everything[0][0] == "regressions"
    wanted = dict(unquote(part).split("=") for part in fragment[1:].split("&"))
    text = dom(site / "diff.html", fragment)
    rows = diff_rows(text)
    keep = [r for r in rows if all(dict(group=r[0], target=r[1])[k] == v for k, v in wanted.items())]
    assert 0 < len(keep) < len(rows)
    assert all((shown == "1") == (row in keep) for row in rows for shown in [row[2]])
    assert f"{len(keep)} of {len(rows)} changes shown" in text


def test_a_screenshot_of_the_front_page(site: Path) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / "site-front.png"
    browse("--window-size=1400,1300", "--virtual-time-budget=3000", f"--screenshot={target}",
           (site / "index.html").as_uri())
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and target.stat().st_size > 20_000
