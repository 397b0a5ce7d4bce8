"""The Wasmtime lines built from source: their pins, and the line about a newer release."""

from __future__ import annotations

from harness.images.registry_check import newer_line_note
from harness.images.registry_pins import source_wasmtime_versions, wasmtime_versions

CARGO_INFO_51_WITHOUT_CLI = ("wasmtime version: 48.0.11 (latest 51.0.0)\n"
                             "wasmtime-cli version: 48.0.8 (latest 50.0.1)\n")
CARGO_INFO_51_WITH_CLI = "wasmtime version: 51.0.0\nwasmtime-cli version: 51.0.0\n"


def test_a_source_line_is_a_column_with_its_pinned_version() -> None:
    assert "50.0.1" in source_wasmtime_versions()
    assert wasmtime_versions()["wasmtime-50"] == "50.0.1"
    assert wasmtime_versions()["wasmtime-49"] == "49.0.4"  # the wheels' lines stay


def test_a_release_without_its_cli_on_crates_io_is_one_line() -> None:
    note = newer_line_note(CARGO_INFO_51_WITHOUT_CLI, ["50.0.1"])
    assert note == ("Wasmtime 51.0.0 is released (the wasmtime crate) but its CLI is not on crates.io yet "
                    "(newest wasmtime-cli: 50.0.1); its column waits for it")


def test_a_published_cli_says_what_to_add() -> None:
    note = newer_line_note(CARGO_INFO_51_WITH_CLI, ["50.0.1"])
    assert note is not None
    assert "add `wasmtime-cli==51.0.0` to docker/runtimes/crates.txt" in note
    assert "wasmtime-51 line to harness/catalogue/runtimes.yaml" in note


def test_nothing_newer_says_nothing() -> None:
    assert newer_line_note("wasmtime version: 50.0.1\nwasmtime-cli version: 50.0.1\n", ["50.0.1"]) is None
