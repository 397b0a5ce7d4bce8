"""`python -m harness history`: pass counts over time, first-seen regressions and fixes, and
flaky cells (a verdict that changed with nothing changed), from three nights of results."""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

import pytest

from harness.cli import main
from harness.errors import UserError
from harness.report import night_summary
from harness.report.history import History, render_markdown
from tests.test_report_html_browser import loaded, screenshot

NIGHTS = Path(__file__).parent / "data" / "history"
HELLO_WAZERO = ("hello.world", "wasm32-wasip1", "wazero", "debian-sid", "abort")


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


# ---- history that scales: each night summarised once ----------------------------------------


def test_a_night_is_summarised_once_then_read_from_its_summary(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    first = History.load(NIGHTS, cache)
    assert len(list(cache.iterdir())) == 3  # one small summary a night
    assert all(p.stat().st_size < 20_000 for p in cache.iterdir())

    def no_reading(path: Path) -> None:
        raise AssertionError(f"{path} read again")

    monkeypatch.setattr(night_summary, "summarise", no_reading)
    again = History.load(NIGHTS, cache)
    assert render_markdown(again) == render_markdown(first)
    assert [e.line(False) for e in again.events()] == [e.line(False) for e in first.events()]


def test_a_changed_results_file_is_summarised_again(tmp_path: Path) -> None:
    nights = tmp_path / "nights"
    shutil.copytree(NIGHTS, nights)
    cache = tmp_path / "cache"
    cache.mkdir()
    assert History.load(nights, cache).runs[-1].cells[HELLO_WAZERO].label == "fail"
    path = nights / "night-3.json"
    path.write_text(path.read_text().replace('"stdout does not match exact"', '"fixed"')
                    .replace('"verdict": "fail"', '"verdict": "pass"'))
    assert History.load(nights, cache).runs[-1].cells[HELLO_WAZERO].label == "pass"


def test_a_night_that_cannot_be_read_is_skipped_with_one_line(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    nights = tmp_path / "nights"
    shutil.copytree(NIGHTS, nights)
    (nights / "night-4.json.gz").write_bytes(gzip.compress(b'{"run": {}, "cells": [{"verdict": "no'))
    (nights / "night-5.json").write_text('{"format_version": 3, "run": {}, "cells": [{"case": "x"}]}')
    history = History.load(nights, tmp_path / "cache")
    assert len(history.runs) == 3
    assert [p.name for p, _ in history.skipped] == ["night-4.json.gz", "night-5.json"]
    said = capsys.readouterr().err.splitlines()
    assert len(said) == 2 and all(line.startswith("history: skipped ") for line in said)
    assert "truncated" in said[0] and "not a results file" in said[1]
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "bad.json").write_text("{")
    with pytest.raises(UserError, match="none of its 1 results files can be read"):
        History.load(tmp_path / "empty", tmp_path / "cache")


def test_the_summaries_of_a_generated_night_keep_what_the_history_needs(tmp_path: Path) -> None:
    """A synthetic full night (bench/nights.py): ~2457 cells, ~93k tests, in a summary of a
    few hundred KB, read back with the same cells, passes and failing tests."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from nights import write_nights

    paths = write_nights(tmp_path / "nights", 2)
    runs = night_summary.summaries(paths, tmp_path / "cache")
    kept = list((tmp_path / "cache").iterdir())
    assert len(runs) == 2 and len(kept) == 2 and max(p.stat().st_size for p in kept) < 1_000_000
    night = runs[0]
    assert 2400 <= len(night.cells) <= 2500
    assert 90_000 <= sum(t.total for t in night.tests.values()) <= 95_000
    failing = {k for k, s in night.cells.items() if s.label == "fail" and k[0].startswith("upstream.")}
    assert failing == {k for k, t in night.tests.items() if any(o == "failed" for o in t.not_passed.values())}
    fresh = night_summary.summarise(paths[0])
    assert fresh.cells == night.cells and fresh.passes == night.passes
    history = History.load(tmp_path / "nights", tmp_path / "cache")
    assert len(history.lines()) == 36 and history.events()


def test_summaries_kept_beside_the_nights_are_read_without_a_cache(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """`--keep-summaries` (the nightly): each night's summary is written next to it, made in
    worker processes; the folder then carries them, a fresh cache reads them instead of the
    nights, and they are not taken for nights themselves."""
    nights = tmp_path / "nights"
    shutil.copytree(NIGHTS, nights)
    made = night_summary.summaries(night_summary.results_files(nights), tmp_path / "cache-1",
                                   workers=2, beside=True)
    beside = sorted(p.name for p in nights.rglob("*.summary.json"))
    assert beside == ["night-1.summary.json", "night-2.summary.json", "night-3.summary.json"]
    assert not (tmp_path / "cache-1").exists()
    assert len(night_summary.results_files(nights)) == 3

    def not_again(path: Path) -> None:
        raise AssertionError(f"{path} was read again")

    monkeypatch.setattr(night_summary, "summarise", not_again)
    again = night_summary.summaries(night_summary.results_files(nights), tmp_path / "cache-2")
    assert [(r.date, r.cells, r.tests) for r in again] == [(r.date, r.cells, r.tests) for r in made]
    assert not (tmp_path / "cache-2").exists()
