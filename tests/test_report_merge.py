"""`python -m harness merge`: shards combine into the same reports as one run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.errors import UserError
from harness.report import build_reports
from harness.report.merge import merge_files

DATA = Path(__file__).parent / "data"
FULL, SHARD_A, SHARD_B = DATA / "results.json", DATA / "shard-a.json", DATA / "shard-b.json"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.*")}


@pytest.mark.parametrize("order", [(SHARD_A, SHARD_B), (SHARD_B, SHARD_A)])
def test_merged_shards_give_identical_reports(tmp_path: Path, order: tuple[Path, Path]) -> None:
    merged = tmp_path / "merged.json"
    merge_files(list(order), merged)
    build_reports(FULL, tmp_path / "full")
    build_reports(merged, tmp_path / "merged")
    full, from_shards = tree(tmp_path / "full"), tree(tmp_path / "merged")
    assert full.keys() == from_shards.keys()
    for name in full:
        assert full[name] == from_shards[name], name


def test_merge_does_not_depend_on_input_order(tmp_path: Path) -> None:
    merge_files([SHARD_A, SHARD_B], tmp_path / "ab.json")
    merge_files([SHARD_B, SHARD_A], tmp_path / "ba.json")
    assert (tmp_path / "ab.json").read_bytes() == (tmp_path / "ba.json").read_bytes()
    run = json.loads((tmp_path / "ab.json").read_text())["run"]
    assert run["date"] == "2026-11-22T03:40:00Z"
    assert run["targets"] == json.loads(FULL.read_text())["run"]["targets"]
    assert [s["file"] for s in run["shards"]] == ["shard-a.json", "shard-b.json"]


def test_overlapping_shards_with_the_same_verdicts_merge(tmp_path: Path) -> None:
    merge_files([FULL, SHARD_A], tmp_path / "m.json")
    assert len(json.loads((tmp_path / "m.json").read_text())["cells"]) == len(
        json.loads(FULL.read_text())["cells"]
    )


def edited(tmp_path: Path, source: Path, name: str, edit) -> Path:
    data = json.loads(source.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_refuses_the_same_cell_with_different_verdicts(tmp_path: Path) -> None:
    def edit(data: dict) -> None:
        data["cells"][0]["verdict"] = "crash"

    conflicting = edited(tmp_path, SHARD_A, "conflict.json", edit)
    cell = json.loads(SHARD_A.read_text())["cells"][0]
    name = f"{cell['case']}[{cell['target']}-{cell['runtime']}]"
    with pytest.raises(UserError) as error:
        merge_files([SHARD_A, conflicting], tmp_path / "out.json")
    message = str(error.value)
    assert name in message and "shard-a.json" in message and "conflict.json" in message
    assert not (tmp_path / "out.json").exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("image", "wasm-conformance/toolchain:0000"), ("harness_revision", "deadbeef")],
)
def test_refuses_different_image_or_revision(tmp_path: Path, field: str, value: str) -> None:
    other = edited(tmp_path, SHARD_B, "other.json", lambda d: d["run"].update({field: value}))
    with pytest.raises(UserError, match=field) as error:
        merge_files([SHARD_A, other], tmp_path / "out.json")
    assert "shard-a.json" in str(error.value) and "other.json" in str(error.value)


def test_refuses_different_component_versions(tmp_path: Path) -> None:
    other = edited(tmp_path, SHARD_B, "other.json", lambda d: d["run"]["versions"].update(rustc="1.98.0"))
    with pytest.raises(UserError, match="rustc"):
        merge_files([SHARD_A, other], tmp_path / "out.json")
