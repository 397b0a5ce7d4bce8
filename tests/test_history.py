"""`python -m harness history`: pass counts over time, first-seen regressions and fixes, and
flaky cells (a verdict that changed with nothing changed), from three nights of results."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.cli import main
from harness.errors import UserError
from harness.report.history import History
from tests.test_report_html_browser import loaded, screenshot

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


def test_the_page_renders_in_a_browser_and_shows_the_flaky_cell(pages: Path) -> None:
    """What a person sees (the DOM after load; stated from tests/data/history): a line per
    target and runtime with its last pass count, the regression, the fix and the flaky cell;
    nothing on the console. The screenshot is kept for them."""
    url = (pages / "history.html").as_uri()
    dom = loaded(url)
    assert "<p>3 runs from 2026-11-21T02:17:00Z to 2026-11-23T02:17:00Z." in dom
    lines = re.findall(r'<tr class="line"><th>([^<]+)</th>.*?<td class="num">([^<]+)</td></tr>', dom)
    assert lines == [("wasm32-wasip1 / wasmtime-45", "2/2"), ("wasm32-wasip1 / wasmtime-49", "2/2"),
                     ("wasm32-wasip1 / pulley-45", "2/2"), ("wasm32-wasip1 / jco", "2/2"),
                     ("wasm32-wasip1 / wasmedge", "2/2"), ("wasm32-wasip1 / wazero", "1/2")]
    assert dom.count("<polyline") == 6
    # each line's points: one per night, the dip of wasmtime-49 on the 22nd among them
    assert "<title>2026-11-22T02:17:00Z: 1/2</title>" in dom and dom.count("<circle") == 18
    assert ('<li class="regression">2026-11-22T02:17:00Z: env.vars[wasm32-wasip1-wasmtime-49]: '
            "pass -&gt; fail (exit code 1, expected 0)</li>") in dom
    assert ('<li class="fix">2026-11-23T02:17:00Z: env.vars[wasm32-wasip1-wasmtime-49]: '
            "fail -&gt; pass</li>") in dom
    assert re.findall(r'<li class="flaky" data-cell="([^"]+)">', dom) == ["hello.world[wasm32-wasip1-wazero]"]
    screenshot(url, "history-screenshot.png", "1000,900")
