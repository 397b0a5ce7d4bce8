"""matrix.html in real headless Chromium: every cell is rendered, filters hide cells, and what a
person sees (the DOM after load, the console, a screenshot kept for them)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from harness.report import build_reports
from tests.conftest import artifacts_dir, tool_missing
from tests.test_report import html_cells

DATA = Path(__file__).parent / "data"
RESULTS = DATA / "results.json"
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None)
MISSING = "headless Chromium: not found (Debian: apt-get install chromium; or bash tests/install-tools.sh)"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
]  # fmt: skip
# How Chromium logs what a page writes to its console (errors and uncaught exceptions included).
CONSOLE = re.compile(r":CONSOLE(?:\(\d+\)|:\d+)\] (.*)")


@pytest.fixture(autouse=True)
def _needs_chromium() -> None:
    if CHROMIUM is None:
        tool_missing(MISSING)


def chromium_run(*args: str) -> tuple[str, list[str]]:
    """Run Chromium with a fresh profile; return its standard output and the page's console."""
    if CHROMIUM is None:
        tool_missing(MISSING)
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    return done.stdout, [m.group(1) for m in CONSOLE.finditer(done.stderr)]


def chromium(*args: str) -> str:
    """Run Chromium with a fresh profile; return its standard output."""
    return chromium_run(*args)[0]


def loaded(url: str) -> str:
    """The DOM after the page's script ran, which must have written nothing to the console."""
    text, console = chromium_run("--virtual-time-budget=3000", "--dump-dom", url)
    assert console == [], console
    assert 'data-ready="1"' in text, "the page script did not finish"
    return text


def screenshot(url: str, name: str, size: str) -> Path:
    """A screenshot kept for a person, in the tests' artifacts folder (tests/conftest.py)."""
    target = artifacts_dir() / name
    target.unlink(missing_ok=True)
    _, console = chromium_run(f"--window-size={size}", "--virtual-time-budget=3000",
                              f"--screenshot={target}", url)
    assert console == [], console
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return target


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html")
    build_reports(RESULTS, out)
    return out / "matrix.html"


def dom(page: Path, fragment: str = "") -> tuple[str, list[dict[str, str]]]:
    text = chromium("--dump-dom", page.as_uri() + fragment)
    assert 'data-ready="1"' in text, "the page script did not finish"
    return text, html_cells(text)


def test_every_cell_is_rendered(page: Path) -> None:
    raw = json.loads(RESULTS.read_text(encoding="utf-8"))["cells"]
    text, cells = dom(page)
    shown = {(c["data-case"], c["data-target"], c["data-runtime"]): c for c in cells}
    assert len(cells) == len(raw)
    for cell in raw:
        td = shown[(cell["case"], cell["target"], cell["runtime"])]
        assert td["data-verdict"] == cell["verdict"]
        assert td["data-shown"] == "1" and "off" not in td["class"].split()
    assert f"{len(raw)} of {len(raw)} cells shown" in text


@pytest.mark.parametrize(
    ("fragment", "keep"),
    [
        ("#verdict=pass", lambda c: c["data-label"] == "pass"),
        ("#verdict=bad", lambda c: c["data-category"] == "fail"),
        ("#verdict=n/a", lambda c: c["data-label"] == "n/a"),
        ("#runtime=jco,wazero", lambda c: c["data-runtime"] in ("jco", "wazero")),
        ("#feature=thread", lambda c: "thread" in c["data-features"].split()),
        (
            "?target=wasm32-wasip2&verdict=xfail",
            lambda c: c["data-target"] == "wasm32-wasip2" and c["data-label"] == "xfail",
        ),
    ],
)
def test_filter_hides_the_other_cells(page: Path, fragment: str, keep) -> None:
    text, cells = dom(page, fragment)
    expected = [c for c in cells if keep(c)]
    assert 0 < len(expected) < len(cells)
    for cell in cells:
        on = keep(cell)
        assert cell["data-shown"] == ("1" if on else "0"), (fragment, cell["id"])
        assert ("off" in cell["class"].split()) == (not on)
    assert f"{len(expected)} of {len(cells)} cells shown" in text


def summary_row(text: str, target: str, runtime: str) -> list[str]:
    """The cells of a row of the summary table, as shown."""
    row = re.search(rf'<tr data-target="{target}" data-runtime="{runtime}">(.*?)</tr>', text)
    assert row, (target, runtime)
    return re.findall(r"<t[dh]>(.*?)</t[dh]>", row.group(1))


def test_the_whole_page_shows_its_answers(page: Path) -> None:
    """What a person sees on opening the page (stated from tests/data/results.json): every cell,
    the summary's counts, every target's section; nothing on the console. Screenshot kept."""
    text = loaded(page.as_uri())
    assert "<h1>Rust WebAssembly targets: conformance matrix</h1>" in text
    assert '<span id="shown-count">128 of 128 cells shown</span>' in text
    assert summary_row(text, "wasm32-wasip1", "wasmtime-45") == [
        "wasm32-wasip1", "wasmtime-45", "5", "1", "0", "0", "0", "0", "6"]
    assert summary_row(text, "wasm32-wasip1", "wazero") == [
        "wasm32-wasip1", "wazero", "3", "1", "0", "0", "0", "2 (fail 1, xpass 1)", "6"]
    sections = re.findall(r'<section class="target" data-target="([^"]+)"( hidden="")?', text)
    assert sections == [(t, "") for t in ("wasm32-wasip1", "wasm32-wasip1-threads",
                                          "wasm32-wasip2", "wasm32-wasip3")]
    assert len(html_cells(text)) == 128
    screenshot(page.as_uri(), "matrix-screenshot.png", "1400,1800")


def test_an_opened_cell_shows_its_detail(page: Path) -> None:
    """A link to one cell on one target: that target alone, the cell's detail open with its
    verdict and reason. Screenshot kept."""
    cell = "cell-sockets.tcp-loopback__wasm32-wasip1__wasmedge__debian-sid"
    url = page.as_uri() + f"?target=wasm32-wasip1&open={cell}"
    text = loaded(url)
    assert '<span id="shown-count">32 of 128 cells shown</span>' in text
    sections = re.findall(r'<section class="target" data-target="([^"]+)"( hidden="")?', text)
    assert sections == [("wasm32-wasip1", ""), ("wasm32-wasip1-threads", ' hidden=""'),
                        ("wasm32-wasip2", ' hidden=""'), ("wasm32-wasip3", ' hidden=""')]
    td = re.search(rf'<td id="{cell}"[^>]*>(<details.*?</details>)', text, re.S)
    assert td, cell
    detail = td.group(1)
    assert detail.startswith('<details open="">'), detail[:200]
    assert "<tr><th>verdict</th><td>crash</td></tr>" in detail
    assert "<tr><th>reason</th><td>the runtime aborted (SIGABRT)</td></tr>" in detail
    opened = re.findall(r'<details open="">', text)
    assert len(opened) == 1  # that cell's only
    screenshot(url, "matrix-detail-screenshot.png", "1400,1800")


def test_a_script_error_on_the_page_is_seen(page: Path, tmp_path: Path) -> None:
    """The console check itself: a copy of the page whose script throws fails `loaded`."""
    broken = tmp_path / "broken.html"
    broken.write_text(page.read_text().replace("(function () {", "(function () { nothere();", 1))
    with pytest.raises(AssertionError, match="nothere is not defined"):
        loaded(broken.as_uri())
