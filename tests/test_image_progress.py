"""A long image build step keeps saying where it is (no Docker needed)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from harness.images import recipes as image


def slow_events() -> Iterator[dict[str, object]]:
    yield {"stream": "Step 1/2 : FROM debian:sid\n"}
    yield {"stream": "Step 2/2 : RUN apt-get install rustc\n"}
    time.sleep(0.35)  # a long step that prints nothing
    yield {"aux": {"ID": "sha256:abc"}}


def test_a_silent_step_prints_progress(monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(image, "HEARTBEAT_S", 0.1)
    monkeypatch.setattr(image.with_heartbeat, "__defaults__", (0.1,))
    assert image._follow_build(slow_events()) == "sha256:abc"
    lines = capsys.readouterr().err.splitlines()
    still = [line for line in lines if "still at Step 2/2 : RUN apt-get install rustc" in line]
    assert len(still) >= 2, lines


def chatty_events() -> Iterator[dict[str, object]]:
    yield {"stream": "Step 1/1 : RUN cargo install wasm-component-ld\n"}
    for i in range(8):  # output that is not shown, for longer than the heartbeat
        time.sleep(0.05)
        yield {"stream": f"   Compiling crate-{i} v1.0.0\n"}
    yield {"aux": {"ID": "sha256:def"}}


def test_a_step_whose_output_is_not_shown_prints_progress_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(image.with_heartbeat, "__defaults__", (0.1,))
    assert image._follow_build(chatty_events()) == "sha256:def"
    lines = capsys.readouterr().err.splitlines()
    assert sum("still at Step 1/1 : RUN cargo install" in line for line in lines) >= 2, lines


def test_an_error_from_the_engine_reaches_the_reader() -> None:
    def failing() -> Iterator[dict[str, object]]:
        yield {"stream": "Step 1/1 : RUN false\n"}
        raise ConnectionError("engine went away")

    with pytest.raises(ConnectionError):
        list(image.with_heartbeat(failing(), lambda: "x", 5.0))


def test_a_line_split_across_events_is_read_whole() -> None:
    failing = "error: could not download file from 'https://dist.invalid/x.sha256' to '/tmp/f': 404 Not Found"
    events = [{"stream": "Step 1/1 : RUN rustup toolchain install 1.100.0\n"},
              {"stream": failing[:30]}, {"stream": failing[30:] + "\n"},
              {"error": "The command returned a non-zero code: 1"}]
    with pytest.raises(image.UserError, match=r"rustup cannot download .*404 Not Found \(for https://dist"):
        image._follow_build(iter(events))
