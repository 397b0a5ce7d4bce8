"""Which WASI versions a runtime links is the runtime catalogue's (harness/catalogue/runtimes.yaml):
a new Wasmtime release line is one catalogue line, and its cells on an artifact that imports a
WASI version the line does not implement are decided by that line alone (no expectation file)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import runtime as runtime_module
from harness.cells.judgment import judge_run
from harness.results.verdict import Verdict
from harness.runtime import Runtime
from harness.sandbox.outcome import Outcome
from harness.sources.registry import Options, load_cases
from harness.suites.rules import RuleBook, RuleKind, expectation_files
from tests.conftest import at

ROOT = Path(__file__).resolve().parent.parent
# What Debian's Rust 1.97.1 std for wasm32-wasip3 imports (recorded from its hello-world's
# artifact): WASI 0.2 and the 0.3.0 release candidate.
RELEASE_CANDIDATE = ["wasi:cli/environment@0.3.0-rc-2026-03-15", "wasi:cli/exit@0.2.6",
                     "wasi:cli/stdout@0.3.0-rc-2026-03-15", "wasi:io/streams@0.2.6",
                     "wasi:random/insecure-seed@0.3.0-rc-2026-03-15"]
FINAL = ["wasi:cli/environment@0.3.0", "wasi:cli/stdout@0.3.0", "wasi:io/streams@0.2.6"]
FAKE_LINE = 'wasmtime-51: {plugin: wasmtime, major: 51, wasi: ["0.1", "0.2", "0.3.0", "0.3.2"]}\n'
# How a Wasmtime CLI refuses such a component (seen on 46.0.1, 48.0.2 and 49.0.3)
REFUSED = Outcome(exit_code=1, stdout="", duration_s=0.1, stderr=(
    "Error: failed to run main module `hello.wasm`\n\nCaused by:\n    0: component imports instance "
    "`wasi:cli/environment@0.3.0-rc-2026-03-15`, but a matching implementation was not found in "
    "the linker"))


@pytest.fixture
def runtimes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Runtime]]:
    catalogue = tmp_path / "runtimes.yaml"
    catalogue.write_text(runtime_module.CATALOGUE.read_text() + FAKE_LINE)
    monkeypatch.setattr(runtime_module, "CATALOGUE", catalogue)
    runtime_module.REGISTRY.reset()
    yield runtime_module.installed_runtimes()
    monkeypatch.undo()
    runtime_module.REGISTRY.reset()


def test_a_new_wasmtime_line_in_the_catalogue_alone_decides_its_release_candidate_cells(
        runtimes: dict[str, Runtime]) -> None:
    line = runtimes["wasmtime-51"]
    assert line.wasi == {"0.1", "0.2", "0.3.0", "0.3.2"}
    rules = RuleBook.load(expectation_files(ROOT / "suites"), runtimes)
    case = next(c for c in load_cases(ROOT / "suites" / "hello.yaml", Options(runtimes))
                if c.id == "hello.world")
    for target in ("wasm32-wasip2", "wasm32-wasip3"):
        assert rules.for_cell(at(case, target, line)) is None  # imports not yet known
        rule = rules.for_cell(at(case, target, line), RELEASE_CANDIDATE)
        assert rule is not None and rule.kind is RuleKind.XFAIL
        assert rule.source.startswith(str(catalogue_name(runtime_module.CATALOGUE)))
        assert "0.3.0-rc-2026-03-15" in rule.reason and "wasmtime-51" in rule.reason
        assert rule.reason.endswith("(this artifact imports wasi:cli/environment@0.3.0-rc-2026-03-15, "
                                    "wasi:cli/stdout@0.3.0-rc-2026-03-15, "
                                    "wasi:random/insecure-seed@0.3.0-rc-2026-03-15)")
        judged = judge_run(REFUSED, case.expect, rule, line)
        assert judged.verdict is Verdict.XFAIL, judged
        assert rules.for_cell(at(case, target, line), FINAL) is None
    # the lines that link the release candidate are not decided by the catalogue
    assert rules.for_cell(at(case, "wasm32-wasip3", runtimes["wasmtime-45"]),
                          RELEASE_CANDIDATE) is None


def test_the_catalogue_decides_each_line_by_its_wasi_versions(runtimes: dict[str, Runtime]) -> None:
    assert runtimes["wasmtime-49"].unlinked_wasi(RELEASE_CANDIDATE) == ["0.3.0-rc-2026-03-15"]
    assert runtimes["wasmtime-45"].unlinked_wasi(FINAL) == ["0.3.0"]
    assert runtimes["wasmtime-45"].unlinked_wasi(RELEASE_CANDIDATE) == []
    assert runtimes["wazero"].unlinked_wasi(["wasi_snapshot_preview1"]) == []


def catalogue_name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
