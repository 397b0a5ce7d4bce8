"""A long image build step keeps saying where it is (no Docker needed)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from harness import image


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


def test_an_error_from_the_engine_reaches_the_reader() -> None:
    def failing() -> Iterator[dict[str, object]]:
        yield {"stream": "Step 1/1 : RUN false\n"}
        raise ConnectionError("engine went away")

    with pytest.raises(ConnectionError):
        list(image.with_heartbeat(failing(), lambda: "x", 5.0))
