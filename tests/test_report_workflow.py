"""The nightly workflow is valid for GitHub Actions and does what the design says: images built
once and shared by every shard, a shard per target for the hand-written suites and for
upstream plus one for wasi-testsuite, results kept on the `results` branch, and the reports
published on GitHub Pages."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import tool_missing

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "nightly.yml"


def actionlint() -> str | None:
    """actionlint on PATH, or where `go install` puts it."""
    gopath = os.environ.get("GOPATH", str(Path.home() / "go"))
    candidates = [shutil.which("actionlint"), str(Path(gopath) / "bin" / "actionlint")]
    return next((c for c in candidates if c and Path(c).is_file()), None)


def test_actionlint_accepts_the_workflow() -> None:
    if actionlint() is None:
        tool_missing("actionlint: not installed "
                     "(go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.7)")
    done = subprocess.run([str(actionlint()), "-no-color", str(WORKFLOW)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


# ---- helpers ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def flow() -> dict[str, Any]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def job(flow: dict[str, Any], name: str) -> dict[str, Any]:
    assert name in flow["jobs"], f"no job {name!r}"
    return flow["jobs"][name]


def runs(steps: list[dict[str, Any]]) -> str:
    return "\n".join(s.get("run", "") for s in steps)


def uses(step: dict[str, Any]) -> str:
    """The action a step uses, without its version."""
    return str(step.get("uses", "")).split("@")[0]


def needs(job_: dict[str, Any]) -> list[str]:
    value = job_.get("needs", [])
    return [value] if isinstance(value, str) else list(value)


def step_index(steps: list[dict[str, Any]], found: Any, what: str) -> int:
    indexes = [i for i, s in enumerate(steps) if found(s)]
    assert indexes, f"no step {what}"
    return indexes[0]


def catalogue(name: str) -> dict[str, Any]:
    return yaml.safe_load((ROOT / "harness" / name).read_text(encoding="utf-8"))


def shard_entries(flow: dict[str, Any]) -> list[dict[str, str]]:
    return job(flow, "shard")["strategy"]["matrix"]["include"]


def expr(text: str) -> str:
    """A GitHub Actions expression as the workflow writes it."""
    return "${{ " + text + " }}"


def words(args: str) -> list[str]:
    return args.split()


def option(args: str, name: str) -> str | None:
    """The value of `--name VALUE` in a shard's pytest arguments."""
    parts = words(args)
    return parts[parts.index(name) + 1] if name in parts else None


# ---- triggers and permissions ----------------------------------------------------------------


def test_runs_nightly_and_on_demand_one_at_a_time(flow: dict[str, Any]) -> None:
    triggers = flow[True]  # YAML 1.1 reads the key `on` as a boolean
    assert "schedule" in triggers and "workflow_dispatch" in triggers
    assert flow["concurrency"]["cancel-in-progress"] is False


def test_only_the_report_job_may_write_contents(flow: dict[str, Any]) -> None:
    assert flow["permissions"] == {"contents": "read"}
    writers = [name for name, j in flow["jobs"].items()
               if (j.get("permissions") or {}).get("contents") == "write"]
    assert writers == ["report"]


# ---- the images job --------------------------------------------------------------------------


def test_images_job_keys_the_cache_on_the_printed_tags(flow: dict[str, Any]) -> None:
    images = job(flow, "images")
    steps = images["steps"]
    assert "harness setup --print-tags --toolchains all" in runs(steps)
    tags = next(s for s in steps if "--print-tags" in s.get("run", ""))
    assert "GITHUB_OUTPUT" in tags["run"]
    assert images["outputs"]["key"] == expr(f"steps.{tags['id']}.outputs.key")
    caches = [s for s in steps if uses(s).startswith("actions/cache")]
    assert {uses(s) for s in caches} >= {"actions/cache/restore", "actions/cache/save"}
    assert {s["with"]["key"] for s in caches} == {expr(f"steps.{tags['id']}.outputs.key")}


def test_images_job_builds_and_saves_the_images_only_on_a_cache_miss(flow: dict[str, Any]) -> None:
    steps = job(flow, "images")["steps"]
    lookup = next(s for s in steps if uses(s) == "actions/cache/restore")
    build = next(s for s in steps if "docker save" in s.get("run", ""))
    save = next(s for s in steps if uses(s) == "actions/cache/save")
    assert "python -m harness setup --toolchains all" in build["run"]
    for step in (build, save):
        assert f"steps.{lookup['id']}.outputs.cache-hit != 'true'" in step["if"]
    assert steps.index(lookup) < steps.index(build) < steps.index(save)


# ---- the shards ------------------------------------------------------------------------------


def test_every_shard_restores_the_images_jobs_cache(flow: dict[str, Any]) -> None:
    shard = job(flow, "shard")
    assert needs(shard) == ["images"]
    restore = next(s for s in shard["steps"] if uses(s) == "actions/cache/restore")
    assert restore["with"]["key"] == "${{ needs.images.outputs.key }}"
    assert restore["with"].get("fail-on-cache-miss") is True
    saved = next(s for s in job(flow, "images")["steps"] if uses(s) == "actions/cache/save")
    assert restore["with"]["path"] == saved["with"]["path"]  # the cache entry's version names its paths


def test_shards_load_the_images_before_setup_and_never_build(flow: dict[str, Any]) -> None:
    steps = job(flow, "shard")["steps"]
    restore = step_index(steps, lambda s: uses(s) == "actions/cache/restore", "restoring the images")
    load = step_index(steps, lambda s: "docker load" in s.get("run", ""), "running docker load")
    setup = [i for i, s in enumerate(steps)
             if "harness setup" in s.get("run", "") and "--print-tags" not in s.get("run", "")]
    assert setup, "no step runs harness setup"
    assert restore < load < min(setup)
    assert "docker build" not in runs(steps) and "--toolchains all" not in runs(steps)
    check = step_index(steps, lambda s: "docker image inspect" in s.get("run", ""),
                       "checking that every image is loaded")
    assert load < check < min(setup)


def test_the_shard_matrix_covers_every_target_with_suites_and_upstream(flow: dict[str, Any]) -> None:
    entries = shard_entries(flow)
    debian = {name for name, t in catalogue("toolchains.yaml").items() if t["source"] == "debian"}
    suites = {option(e["args"], "--targets"): e for e in entries if words(e["args"])[0] == "suites/"}
    upstream = {option(e["args"], "--targets"): e for e in entries
                if words(e["args"])[0] == "suites/upstream.yaml"}
    targets = set(catalogue("targets.yaml"))
    assert set(suites) == targets and set(upstream) == targets
    for entry in suites.values():
        assert option(entry["args"], "--ignore") == "suites/upstream.yaml"
        assert set(option(entry["args"], "--toolchains").split(",")) == debian
        assert set(entry["toolchains"].split(",")) == debian
    for entry in upstream.values():
        assert option(entry["args"], "--toolchains") is None  # the catalogue's default
        assert entry["toolchains"] == ""


def test_the_wasi_testsuite_shard_checks_out_the_compiled_tests(flow: dict[str, Any]) -> None:
    (entry,) = [e for e in shard_entries(flow) if e["name"] == "wasi-testsuite"]
    assert option(entry["args"], "--wasi-testsuite") == "wasi-testsuite"
    assert not [w for w in words(entry["args"]) if w.startswith("suites")]  # its tests alone
    checkout = next(s for s in job(flow, "shard")["steps"]
                    if s.get("with", {}).get("repository") == "WebAssembly/wasi-testsuite")
    assert uses(checkout) == "actions/checkout"
    assert checkout["with"]["ref"] == "prod/testsuite-base"
    assert checkout["with"]["path"] == "wasi-testsuite"
    assert "wasi-testsuite" in checkout["if"]


def test_each_shard_runs_its_args_and_uploads_its_results(flow: dict[str, Any]) -> None:
    names = [e["name"] for e in shard_entries(flow)]
    assert len(names) == len(set(names))
    steps = job(flow, "shard")["steps"]
    assert 'pytest ${{ matrix.args }} --results-dir "reports-${{ matrix.name }}"' in runs(steps)
    upload = next(s for s in steps if uses(s) == "actions/upload-artifact")
    assert upload["with"]["name"] == "results-${{ matrix.name }}"
    assert upload["if"] == "${{ !cancelled() }}"


# ---- the report job --------------------------------------------------------------------------


def test_report_job_merges_compares_and_builds_the_history(flow: dict[str, Any]) -> None:
    report = job(flow, "report")
    assert needs(report) == ["shard"]
    assert "!cancelled()" in report["if"]  # failing shards' results are still merged
    text = runs(report["steps"])
    for command in ("python -m harness merge", "python -m harness diff",
                    "python -m harness history results-branch/nights -o reports/history",
                    "python -m harness report reports/results.json -o reports "
                    "--history results-branch/nights"):
        assert command in text
    assert "reports/history/history.md" in text and "GITHUB_STEP_SUMMARY" in text
    uploads = [s["with"]["name"] for s in report["steps"] if uses(s) == "actions/upload-artifact"]
    assert "reports" in uploads and "merged-results" in uploads


def test_report_job_keeps_each_night_on_the_results_branch(flow: dict[str, Any]) -> None:
    report = job(flow, "report")
    assert report["permissions"]["contents"] == "write"
    text = runs(report["steps"])
    # a fresh repository on the branch, which stays an orphan when the remote has none yet
    assert "git init -q -b results results-branch" in text
    assert "git ls-remote --exit-code --heads origin results" in text
    assert 'results-branch/nights/$TONIGHT.json.gz' in text
    assert "git push -q origin HEAD:results" in text
    assert "github-actions[bot]" in text


def test_report_job_compares_with_the_branch_first_then_the_artifact(flow: dict[str, Any]) -> None:
    previous = next(s for s in job(flow, "report")["steps"] if s.get("id") == "previous")["run"]
    assert previous.index("results-branch/nights") < previous.index("gh run download")


def test_report_job_fails_last_on_regressions(flow: dict[str, Any]) -> None:
    steps = job(flow, "report")["steps"]
    assert steps[-1]["name"] == "Fail on regressions"
    assert "steps.diff.outputs.status" in steps[-1]["if"]


# ---- the pages job ---------------------------------------------------------------------------


def test_pages_job_deploys_the_reports(flow: dict[str, Any]) -> None:
    pages = job(flow, "pages")
    assert needs(pages) == ["report"]
    assert pages["permissions"] == {"pages": "write", "id-token": "write"}
    assert pages["environment"]["name"] == "github-pages"
    steps = pages["steps"]
    download = next(s for s in steps if uses(s) == "actions/download-artifact")
    upload = next(s for s in steps if uses(s) == "actions/upload-pages-artifact")
    deploy = next(s for s in steps if uses(s) == "actions/deploy-pages")
    assert download["with"]["name"] == "reports"
    assert upload["with"]["path"] == download["with"]["path"]
    assert "index.html" in runs(steps)
    assert pages["environment"]["url"] == expr(f"steps.{deploy['id']}.outputs.page_url")
