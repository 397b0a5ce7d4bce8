"""End to end, through the real Docker engine, toolchain image, cargo and runtimes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import docker_ready, tool_missing

ROOT = Path(__file__).resolve().parent.parent
why_not = docker_ready()
pytestmark = [pytest.mark.docker, pytest.mark.skipif(why_not is not None, reason=str(why_not))]

# Cells the toolchain image must pass (issue: the environment's definition of done).
MUST_PASS = [
    *(f"wasm32-{t}-wasmtime-45" for t in ("wasip1", "wasip1-threads", "wasip2", "wasip3")),
    *(f"wasm32-{t}-pulley-45" for t in ("wasip1", "wasip2", "wasip3")),
    *(f"wasm32-{t}-wasmtime-49" for t in ("wasip1", "wasip2", "wasip3")),
    *(f"wasm32-{t}-wasmtime-48" for t in ("wasip1", "wasip2", "wasip3")),
    *(f"wasm32-{t}-wasmtime-50" for t in ("wasip1", "wasip2", "wasip3")),
    *(f"wasm32-{t}-wasmtime-46" for t in ("wasip1", "wasip1-threads", "wasip2", "wasip3")),
    *(f"wasm32-{t}-wasmtime-36" for t in ("wasip1", "wasip1-threads", "wasip2", "wasip3")),
    *(f"wasm32-{t}-jco" for t in ("wasip1", "wasip2", "wasip3")),
    "wasm32-wasip1-wasmedge", "wasm32-wasip1-wazero",
]
# And the rest of hello.world's 40 cells: what a runtime's CLI cannot run (its capabilities).
UNSUPPORTED = [
    "wasm32-wasip2-wasmedge", "wasm32-wasip3-wasmedge", "wasm32-wasip1-threads-wasmedge",
    "wasm32-wasip1-threads-wazero", "wasm32-wasip2-wazero", "wasm32-wasip3-wazero",
    "wasm32-wasip1-threads-jco", "wasm32-wasip1-threads-pulley-45",
    "wasm32-wasip1-threads-wasmtime-48", "wasm32-wasip1-threads-wasmtime-49",
    "wasm32-wasip1-threads-wasmtime-50",
]
# hello.watch: the watch rows of the target catalogue, on every column, unavailable (no toolchain has them).
COLUMNS = ["wasmtime-36", "wasmtime-45", "wasmtime-46", "wasmtime-48", "wasmtime-49", "wasmtime-50",
           "pulley-45", "jco", "wasmedge", "wazero"]
UNAVAILABLE = [f"{t}-{r}" for t in ("wasm32-none-component", "wasm32-webp2") for r in COLUMNS[:-2]]
# ... but for WasmEdge and wazero, whose CLIs run core modules only: that comes first.
UNSUPPORTED += [f"{t}-{r}" for t in ("wasm32-none-component", "wasm32-webp2") for r in COLUMNS[-2:]]

def run_suites(pytester: pytest.Pytester, suites: dict[str, str], *args: str) -> dict:
    directory = pytester.path / "suites"
    directory.mkdir(exist_ok=True)
    for name, text in suites.items():
        (directory / name).write_text(text)
    result = pytester.runpytest_subprocess(
        "suites", "--results-dir", "out", "-p", "no:cacheprovider", *args, timeout=1800
    )
    results = pytester.path / "out" / "results.json"
    assert results.is_file(), result.stdout.str()[-3000:]
    data = json.loads(results.read_text())
    data["pytest"] = result
    assert leftover_containers(data["run"]["run_id"]) == []
    return data


def leftover_containers(run_id: str) -> list[str]:
    """Containers the run started and did not remove (each carries its run's label)."""
    listing = subprocess.run(
        ["docker", "ps", "-aq", "--filter", f"label=wasm-conformance.session={run_id}"],
        capture_output=True, text=True, check=True,
    )
    return listing.stdout.split()


def cells_by_name(data: dict) -> dict[str, dict]:
    return {f"{c['target']}-{c['runtime']}": c for c in data["cells"]}


def test_the_hello_suite_runs_on_every_target_and_runtime(pytester: pytest.Pytester) -> None:
    data = run_suites(pytester, {"hello.yaml": (ROOT / "suites" / "hello.yaml").read_text()},
                      "-n", "2")
    cells = cells_by_name(data)
    assert len(cells) == 4 * 10 + 2 * 10 == len(MUST_PASS) + len(UNSUPPORTED) + len(UNAVAILABLE)
    # Every cell's verdict is stated: a pass, unsupported by the runtime's CLI, or (a watch row)
    # unavailable; none else.
    expected = {**dict.fromkeys(MUST_PASS, "pass"), **dict.fromkeys(UNSUPPORTED, "unsupported"),
                **dict.fromkeys(UNAVAILABLE, "unavailable")}
    unexpected = {n: (c["verdict"], c["reason"][:300]) for n, c in cells.items()
                  if c["verdict"] != expected.get(n)}
    assert not unexpected
    for name in MUST_PASS:
        cell = cells[name]
        assert "Hello, world!" in cell["stdout"], name
        assert cell["ran"] and cell["exit_code"] == 0 and cell["artifact_sha256"], name
    for name in UNSUPPORTED:
        assert cells[name]["reason"].startswith("unsupported by runtime:"), name
        assert not cells[name]["ran"], name
    for name in UNAVAILABLE:
        assert "does not have wasm32-" in cells[name]["reason"] and not cells[name]["ran"], name
    assert data["pytest"].ret == pytest.ExitCode.OK, data["pytest"].stdout.str()[-3000:]
    run = data["run"]
    assert run["image"].startswith("wasm-conformance/runtimes:")
    assert run["toolchains"] == ["debian-sid"]
    assert run["toolchain_versions"]["debian-sid"]["rustc"].startswith("1.97.1")
    assert run["versions"] and run["harness_revision"]


def test_a_selected_slice_runs_exactly_that_slice(pytester: pytest.Pytester) -> None:
    data = run_suites(pytester, {"hello.yaml": (ROOT / "suites" / "hello.yaml").read_text()},
                      "--targets", "wasm32-wasip2", "--runtimes", "jco")
    assert [(c["target"], c["runtime"]) for c in data["cells"]] == [("wasm32-wasip2", "jco")]
    assert data["cells"][0]["verdict"] == "pass"


def test_a_broken_fixture_is_a_build_error_with_the_compilers_message(
    pytester: pytest.Pytester,
) -> None:
    shutil.copytree(ROOT / "tests" / "broken-fixtures", pytester.path / "fixtures")
    suite = "cases:\n  - id: broken.compiles\n    fixture: broken\n    targets: [wasm32-wasip1]\n"
    data = run_suites(pytester, {"broken.yaml": suite}, "--fixtures-dir", "fixtures",
                      "--runtimes", "wasmtime-45,wazero")
    assert {c["verdict"] for c in data["cells"]} == {"build-error"}
    assert all("mismatched types" in c["reason"] for c in data["cells"])
    assert data["pytest"].ret == pytest.ExitCode.TESTS_FAILED


def test_a_runtime_missing_from_the_image_is_unavailable(pytester: pytest.Pytester) -> None:
    # A fake column (named as such): the real Wasmtime plugin, pointed at a version the image
    # does not ship.
    (pytester.path / "w44.py").write_text(
        "from runners.wasmtime import Wasmtime\n"
        "class FakeWasmtime44(Wasmtime):\n    name = 'wasmtime-44'\n    major = 44\n"
    )
    suite = (ROOT / "suites" / "hello.yaml").read_text()
    data = run_suites(pytester, {"hello.yaml": suite}, "--targets", "wasm32-wasip1",
                      "--runtimes", "wasmtime-44,wasmtime-45", "--runtime-plugin", "w44.py")
    cells = cells_by_name(data)
    assert cells["wasm32-wasip1-wasmtime-44"]["verdict"] == "unavailable"
    assert "wasmtime-44" in cells["wasm32-wasip1-wasmtime-44"]["reason"]
    assert cells["wasm32-wasip1-wasmtime-45"]["verdict"] == "pass"
    assert data["pytest"].ret == pytest.ExitCode.OK


def test_a_rustup_channel_the_host_has_builds_its_image_and_runs_its_cells(pytester: pytest.Pytester) -> None:
    """The channel image's code path with a real toolchain: the host's rustup copy of stable
    (a machine with the download server would install the newest stable instead)."""
    from harness.catalogue.toolchains import all_toolchains, host_copy
    from harness.images import recipes as images

    if host_copy("stable") is None:
        tool_missing("the host's rustup stable toolchain: not found (rustup toolchain install stable)")
    images.setup([all_toolchains()["rustup-stable"]])
    data = run_suites(pytester, {"hello.yaml": (ROOT / "suites" / "hello.yaml").read_text()},
                      "--toolchains", "rustup-stable", "--runtimes", "wasmtime-45")
    cells = cells_by_name(data)
    assert {n: c["verdict"] for n, c in cells.items()} == {
        **{f"wasm32-{t}-wasmtime-45": "pass" for t in ("wasip1", "wasip1-threads", "wasip2", "wasip3")},
        **{f"{t}-wasmtime-45": "unavailable" for t in ("wasm32-none-component", "wasm32-webp2")}}
    versions = data["run"]["toolchain_versions"]["rustup-stable"]
    assert versions["rustc"] == host_copy("stable")[1].split()[1], versions
