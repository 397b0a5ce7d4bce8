"""The results store: records appended per process, merged atomically, torn lines skipped."""

from __future__ import annotations

import json
from pathlib import Path

from harness.finish import lost_record, parse_nodeid
from harness.results import RecordWriter, read_records, write_results


def record(case: str, target: str = "wasm32-wasip1", runtime: str = "wasmtime-45") -> dict:
    return {"case": case, "target": target, "runtime": runtime, "verdict": "pass"}


def test_records_from_several_writers_are_all_read(tmp_path: Path) -> None:
    first = RecordWriter(tmp_path, "run1", "gw0")
    second = RecordWriter(tmp_path, "run1", "gw1")
    first.append(record("a"))
    second.append(record("b"))
    first.append(record("c"))
    RecordWriter(tmp_path, "other-run", "gw0").append(record("z"))
    assert sorted(r["case"] for r in read_records(tmp_path, "run1")) == ["a", "b", "c"]


def test_a_line_torn_by_a_crash_is_skipped_and_the_rest_kept(tmp_path: Path) -> None:
    writer = RecordWriter(tmp_path, "run1", "gw0")
    writer.append(record("a"))
    with open(writer.path, "a") as handle:
        handle.write('{"case": "b", "tar')
    assert [r["case"] for r in read_records(tmp_path, "run1")] == ["a"]


def test_results_json_is_sorted_and_shaped(tmp_path: Path) -> None:
    path = write_results(
        tmp_path / "out" / "results.json",
        {"date": "d"},
        [record("b", "wasm32-wasip2"), record("a", "wasm32-wasip2"), record("c")],
    )
    data = json.loads(path.read_text())
    assert data["run"] == {"date": "d"}
    assert [(c["target"], c["case"]) for c in data["cells"]] == [
        ("wasm32-wasip1", "c"),
        ("wasm32-wasip2", "a"),
        ("wasm32-wasip2", "b"),
    ]
    assert not list(path.parent.glob("*.tmp"))


def test_node_ids_name_their_cell() -> None:
    assert parse_nodeid("suites/t.yaml::thread.spawn[wasm32-wasip1-threads-wasmtime-45]") == (
        "thread.spawn",
        "wasm32-wasip1-threads",
        "wasmtime-45",
    )
    assert parse_nodeid("suites/t.yaml::a[wasm32-wasip1-pulley-45]") == ("a", "wasm32-wasip1", "pulley-45")
    assert parse_nodeid("tests/test_x.py::test_y") is None


def test_a_lost_cell_is_an_infra_error_with_its_reason() -> None:
    lost = lost_record("a", "wasm32-wasip1", "jco")
    assert lost["verdict"] == "infra-error"
    assert lost["reason"].startswith("lost:")


def test_a_change_to_one_fixture_changes_only_its_own_build_key(tmp_path: Path) -> None:
    from harness.builder import build_key
    from harness.fixtures import Workspace
    from harness.targets import all_targets
    from tests.conftest import write_workspace

    root = write_workspace(tmp_path / "ws", {"one": [], "two": []})
    target = all_targets()["wasm32-wasip1"]
    before = {c: build_key(Workspace(root), c, target, "image-a") for c in ("one", "two")}
    (root / "one" / "src" / "main.rs").write_text('fn main() { println!("changed"); }\n')
    after = {c: build_key(Workspace(root), c, target, "image-a") for c in ("one", "two")}
    assert after["one"] != before["one"]
    assert after["two"] == before["two"]
    assert build_key(Workspace(root), "two", target, "image-b") != after["two"]


def test_cache_info_and_clear(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from harness.cache import cache_command, cache_dir

    monkeypatch.setenv("WASM_CONFORMANCE_CACHE", str(tmp_path / "cache"))
    (cache_dir("artifacts") / "a.wasm").write_bytes(b"\0" * 2_000_000)
    assert cache_command("info") == 0
    assert "artifacts" in capsys.readouterr().out
    assert cache_command("clear") == 0
    assert not (tmp_path / "cache").exists()
