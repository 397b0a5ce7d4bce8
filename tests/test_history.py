"""`python -m harness history`: pass counts over time, first-seen regressions and fixes, and
flaky cells (a verdict that changed with nothing changed), from three nights of results."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.cli import main
from harness.errors import UserError
from harness.report.history import History
from tests.test_report_html_browser import CHROMIUM, chromium

NIGHTS = Path(__file__).parent / "data" / "history"


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("history")
    assert main(["history", str(NIGHTS), "-o", str(out)]) == 0
    return out


def test_pass_counts_over_time(pages: Path) -> None:
    text = (pages / "history.md").read_text()
    assert "| wasm32-wasip1 / wasmtime-49 | 2/2 | 1/2 | 2/2 |" in text
    assert "| wasm32-wasip1 / wazero | 2/2 | 2/2 | 1/2 |" in text


def test_regressions_and_fixes_are_first_seen_with_their_date(pages: Path) -> None:
    text = (pages / "history.md").read_text()
    regressions = text.split("## First-seen regressions")[1].split("##")[0]
    fixes = text.split("## First-seen fixes")[1].split("##")[0]
    assert "2026-11-22T02:17:00Z: env.vars[wasm32-wasip1-wasmtime-49]: pass -> fail" in regressions
    assert "2026-11-23T02:17:00Z: env.vars[wasm32-wasip1-wasmtime-49]: fail -> pass" in fixes


def test_a_verdict_that_changes_with_no_version_change_is_flaky() -> None:
    history = History.load(NIGHTS)
    flaky = history.flaky()
    assert [key[:3] for key in flaky] == [("hello.world", "wasm32-wasip1", "wazero")]
    # env.vars changed too, but with Wasmtime's version: a regression, not flakiness
    assert all(key[0] != "env.vars" for key in flaky)


def test_a_folder_without_results_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no results files"):
        History.load(tmp_path)


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not found (Debian: apt-get install chromium)")
def test_the_page_renders_in_a_browser_and_shows_the_flaky_cell(pages: Path, tmp_path: Path) -> None:
    dom = chromium("--dump-dom", (pages / "history.html").as_uri())
    assert 'data-ready="1"' in dom
    assert len(re.findall(r'<tr class="line">', dom)) == 6
    assert dom.count("<polyline") == 6
    assert 'class="flaky" data-cell="hello.world[wasm32-wasip1-wazero]"' in dom
    shot = tmp_path / "history.png"
    chromium("--window-size=1000,900", f"--screenshot={shot}", (pages / "history.html").as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 5000
