"""matrix.html in real headless Chromium: every cell is rendered, and filters hide cells."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from harness.report import build_reports
from tests.test_report import html_cells

DATA = Path(__file__).parent / "data"
RESULTS = DATA / "results.json"
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None)
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
]  # fmt: skip

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium not found (Debian: apt-get install chromium)",
)


def chromium(*args: str) -> str:
    """Run Chromium with a fresh profile; return its standard output."""
    assert CHROMIUM
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    return done.stdout


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


def test_screenshots(page: Path, tmp_path: Path) -> None:
    """Screenshots (into the test's own folder) of the page and of an opened cell."""
    for name, fragment in [
        ("matrix-screenshot.png", ""),
        (
            "matrix-detail-screenshot.png",
            "?target=wasm32-wasip1&open=cell-sockets.tcp-loopback__wasm32-wasip1__wasmedge__debian-sid",
        ),
    ]:
        target = tmp_path / name
        chromium(
            "--window-size=1400,1800",
            "--virtual-time-budget=3000",
            f"--screenshot={target}",
            page.as_uri() + fragment,
        )
        assert target.stat().st_size > 10_000
        assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
