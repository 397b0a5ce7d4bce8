"""The sample in wasi-testsuite's format through the real sandbox and runtimes: the spec's
rules hold, the checkout's expectations and the project's add up, what the harness cannot
run is never a pass, and the reports keep these cells apart from the std evidence."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import docker_ready
from tests.test_wasi_testsuite import build_sample

why_not = docker_ready()
pytestmark = [pytest.mark.docker, pytest.mark.skipif(why_not is not None, reason=str(why_not))]

OUR_RULE = """\
expectations:
  - cases: [wasi.wat.exit-code]
    runtimes: [jco]
    xfail:
      reason: Jco runs a WASIp1 module through the WASIp2 adapter, whose exit carries no status but 1
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("wasi-run")
    checkout = build_sample(directory / "wasi-testsuite")
    (directory / "ours.yaml").write_text(OUR_RULE)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--wasi-testsuite", str(checkout), "--results-dir", "out",
         "--expectations", "ours.yaml", "-p", "no:cacheprovider",
         "--runtimes", "wasmtime-49,wasmtime-45,wazero,jco"],
        cwd=directory, capture_output=True, text=True, timeout=900, check=False,
    )
    assert (directory / "out" / "results.json").is_file(), done.stdout[-3000:] + done.stderr[-3000:]
    return directory / "out"


@pytest.fixture(scope="module")
def cells(run: Path) -> dict[str, dict]:
    data = json.loads((run / "results.json").read_text())
    return {f"{c['case']}[{c['runtime']}]": c for c in data["cells"]}


def test_the_specs_own_rules_hold_on_every_runtime(cells: dict) -> None:
    for runtime in ("wasmtime-49", "wasmtime-45", "wazero", "jco"):
        for test in ("print-hello", "env-and-args", "echo-stdin", "create-once"):
            cell = cells[f"wasi.wat.{test}[{runtime}]"]
            assert cell["verdict"] == "pass", (runtime, test, cell["reason"])
            assert cell["kind"] == "wasi-testsuite" and cell["toolchain"] == ""


def test_a_conversation_the_guest_never_holds_is_never_a_pass(cells: dict) -> None:
    """The guest exits 0 at once: its exit status would pass, its conversation fails."""
    for runtime in ("wasmtime-49", "wazero", "jco"):
        cell = cells[f"wasi.wat.needs-connect[{runtime}]"]
        assert cell["verdict"] == "fail" and cell["ran"], cell["reason"]
        assert "connect" in cell["reason"], cell["reason"]


def test_the_checkouts_expectations_and_ours_add_up(cells: dict) -> None:
    assert cells["wasi.wat.known-failure[wasmtime-49]"]["verdict"] == "xfail"
    assert cells["wasi.wat.known-failure[wasmtime-49]"]["expectation_source"].endswith(
        "expectations/wasmtime/linux.toml:9")
    assert cells["wasi.wat.known-failure[wazero]"]["verdict"] == "unsupported"  # skipped
    assert cells["wasi.wat.known-failure[jco]"]["verdict"] == "fail"  # no rule for jco
    ours = cells["wasi.wat.exit-code[jco]"]
    assert ours["verdict"] == "xfail" and ours["expectation_source"].startswith("ours.yaml:")
    assert cells["wasi.wat.exit-code[wazero]"]["verdict"] == "pass"


def test_components_run_where_components_run(cells: dict) -> None:
    assert cells["wasi.wat.component-run-err[wasmtime-49]"]["verdict"] == "pass"
    assert cells["wasi.wat.component-run-ok[jco]"]["verdict"] == "pass"
    assert cells["wasi.wat.component-run-ok[wazero]"]["reason"].startswith("unsupported by runtime")


def test_the_reports_keep_them_in_their_own_section(run: Path) -> None:
    md = (run / "matrix.md").read_text()
    assert "## WASI runtime conformance (WebAssembly/wasi-testsuite)" in md
    assert "## Summary per target and runtime" in md
    summary = md.split("## Summary per target and runtime")[1].split("##")[0]
    assert "wasmtime-49" not in summary  # no std cells in this run
    assert "| **Sample WAT tests [wasm32-wasip1]** |" in md
    dossier = (run / "evidence" / "wasm32-wasip1.md").read_text()
    assert "No std evidence for this target in this run, only WebAssembly/wasi-testsuite's" in dossier
    html = (run / "matrix.html").read_text()
    assert 'id="wasi-wasm32-wasip1"' in html and 'data-case="wasi.wat.create-once"' in html
