"""The target catalogue: watch rows (targets no toolchain here has) and the schema's list."""

from __future__ import annotations

import json

from harness import PROJECT_ROOT
from harness.catalogue.targets import all_targets, image_targets
from harness.cells.judgment import unknown_target
from harness.results.verdict import ReasonCode, Verdict

WATCH_ROWS = {"wasm32-none-component", "wasm32-webp2"}


def test_watch_rows_are_in_the_catalogue_but_no_image_builds_them() -> None:
    assert set(all_targets()) >= WATCH_ROWS
    assert image_targets() == ["wasm32-wasip1", "wasm32-wasip1-threads", "wasm32-wasip2", "wasm32-wasip3"]


def test_a_watch_row_is_unavailable_naming_the_toolchain_asked() -> None:
    judgment = unknown_target("toolchain debian-sid (rustc 1.97.1)", all_targets()["wasm32-webp2"])
    assert judgment.verdict is Verdict.UNAVAILABLE
    assert judgment.code is ReasonCode.TOOLCHAIN_UNAVAILABLE
    assert "debian-sid (rustc 1.97.1) does not have wasm32-webp2" in judgment.reason
    assert "compiler-team#1037" in judgment.reason


def test_a_target_a_toolchain_does_not_know_is_not_applicable() -> None:
    judgment = unknown_target("toolchain debian-trixie (rustc 1.85.1)", all_targets()["wasm32-wasip3"])
    assert judgment.verdict is Verdict.UNSUPPORTED
    assert judgment.reason == ("not applicable: toolchain debian-trixie (rustc 1.85.1) does not know "
                               "wasm32-wasip3")


def test_the_suite_schema_names_the_catalogue_targets() -> None:
    schema = json.loads((PROJECT_ROOT / "harness" / "suites" / "suite.schema.json").read_text())
    assert schema["$defs"]["target"]["enum"] == list(all_targets())
