"""The nightly workflow is valid for GitHub Actions and does what the design says."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

WORKFLOW = Path(__file__).resolve().parent.parent / ".github" / "workflows" / "nightly.yml"


def actionlint() -> str | None:
    """actionlint on PATH, or where `go install` puts it."""
    gopath = os.environ.get("GOPATH", str(Path.home() / "go"))
    candidates = [shutil.which("actionlint"), str(Path(gopath) / "bin" / "actionlint")]
    return next((c for c in candidates if c and Path(c).is_file()), None)


@pytest.mark.skipif(
    actionlint() is None,
    reason="actionlint not installed (go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.7)",
)
def test_actionlint_accepts_the_workflow() -> None:
    done = subprocess.run([str(actionlint()), "-no-color", str(WORKFLOW)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_workflow_shape() -> None:
    flow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = flow[True]  # YAML 1.1 reads the key `on` as a boolean
    assert "schedule" in triggers and "workflow_dispatch" in triggers
    shard, report = flow["jobs"]["shard"], flow["jobs"]["report"]
    targets = shard["strategy"]["matrix"]["target"]
    catalogue = yaml.safe_load((WORKFLOW.parents[2] / "harness" / "targets.yaml").read_text())
    assert sorted(targets) == sorted(catalogue)
    runs = "\n".join(s.get("run", "") for s in shard["steps"])
    assert "pytest suites/ -n auto --targets" in runs and "--results-dir" in runs
    assert report["needs"] == "shard"
    steps = "\n".join(s.get("run", "") for s in report["steps"])
    for command in ("python -m harness merge", "python -m harness report", "harness diff"):
        assert command in steps
    uploads = [s["with"]["name"] for s in report["steps"] if "upload-artifact" in s.get("uses", "")]
    assert "reports" in uploads and "merged-results" in uploads
