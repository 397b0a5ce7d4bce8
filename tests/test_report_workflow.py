"""The nightly workflow is valid for GitHub Actions and does what the design says: images built
once and shared by every shard, a shard per target for the hand-written suites and for
upstream plus one for wasi-testsuite, results kept on the `results` branch, and the reports
published on GitHub Pages. Each of its `run:` steps is one make target (.ci/nightly.mk) that the
rehearsal (.ci/rehearse-nightly, run by CI's .ci/run) runs too."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from tests.conftest import tool_missing

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "nightly.yml"
CI = ROOT / ".ci"
REHEARSAL = CI / "rehearse-nightly"
RESULTS_BRANCH = CI / "results-branch"


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


@pytest.mark.skipif(shutil.which("shellcheck") is None,
                    reason="shellcheck not installed (Debian's shellcheck)")
def test_shellcheck_accepts_the_ci_scripts() -> None:
    scripts = [str(CI / name) for name in ("run", "rehearse-nightly", "results-branch")]
    done = subprocess.run(["shellcheck", *scripts], capture_output=True, text=True)
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


def workflow_targets_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("workflow_targets", CI / "workflow_targets.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_call(step: dict[str, Any]) -> list[str]:
    """A `run: make ...` step's words, without the redirection of its output."""
    words = str(step.get("run", "")).split()
    return words[:words.index(">>")] if ">>" in words else words


def calls(step: dict[str, Any], target: str) -> bool:
    words = make_call(step)
    return bool(words) and words[0] == "make" and target in words[1:]


def by_target(steps: list[dict[str, Any]], target: str) -> list[dict[str, Any]]:
    return [s for s in steps if calls(s, target)]


def recipe(target: str) -> str:
    """The recipe of a target of the Makefile or .ci/nightly.mk."""
    for path in (ROOT / "Makefile", CI / "nightly.mk"):
        found = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", path.read_text(encoding="utf-8"),
                          re.MULTILINE)
        if found:
            return found.group(1)
    raise AssertionError(f"no make target {target!r}")


def rehearsed_targets() -> list[str]:
    """The targets the rehearsal's `step` calls name (each `step [FLAGS] TARGET [NAME=VALUE]`)."""
    targets = []
    for line in REHEARSAL.read_text(encoding="utf-8").splitlines():
        found = re.match(r"\s*(?:\w+=\S+\s+)*step\s+(.*)", line)
        if found:
            words = [w for w in found.group(1).split() if not w.startswith("-") and "=" not in w]
            targets.append(words[0])
    return targets


def step_index(steps: list[dict[str, Any]], found: Any, what: str) -> int:
    indexes = [i for i, s in enumerate(steps) if found(s)]
    assert indexes, f"no step {what}"
    return indexes[0]


def catalogue(name: str) -> dict[str, Any]:
    return yaml.safe_load((ROOT / "harness" / "catalogue" / name).read_text(encoding="utf-8"))


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
    (tags,) = by_target(steps, "image-tags")
    assert "TOOLCHAINS=all" in make_call(tags) and '>> "$GITHUB_OUTPUT"' in tags["run"]
    assert '$(HARNESS) setup --print-tags --toolchains "$(TOOLCHAINS)"' in recipe("image-tags")
    assert "key=images-" in recipe("image-tags")
    assert images["outputs"]["key"] == expr(f"steps.{tags['id']}.outputs.key")
    caches = [s for s in steps if uses(s).startswith("actions/cache")]
    assert {uses(s) for s in caches} >= {"actions/cache/restore", "actions/cache/save"}
    assert {s["with"]["key"] for s in caches} == {expr(f"steps.{tags['id']}.outputs.key")}


def test_images_job_builds_and_saves_the_images_only_on_a_cache_miss(flow: dict[str, Any]) -> None:
    steps = job(flow, "images")["steps"]
    lookup = next(s for s in steps if uses(s) == "actions/cache/restore")
    (build,) = by_target(steps, "setup")
    (tarball,) = by_target(steps, "save-images")
    save = next(s for s in steps if uses(s) == "actions/cache/save")
    assert "TOOLCHAINS=all" in make_call(build)
    assert "harness setup --toolchains \"$(TOOLCHAINS)\"" in recipe("setup")
    assert "docker save" in recipe("save-images") and "pipefail" in recipe("save-images")
    for step in (build, tarball, save):
        assert f"steps.{lookup['id']}.outputs.cache-hit != 'true'" in step["if"]
    assert steps.index(lookup) < steps.index(build) < steps.index(tarball) < steps.index(save)
    assert save["with"]["path"] == "images.tar.zst" and "$(NIGHT_DIR)/images.tar.zst" in (
        (CI / "nightly.mk").read_text(encoding="utf-8"))


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
    load = step_index(steps, lambda s: calls(s, "load-images"), "calling make load-images")
    assert "docker load" in recipe("load-images")
    setup = [i for i, s in enumerate(steps) if calls(s, "setup")]
    assert setup, "no step calls make setup"
    assert restore < load < min(setup)
    assert "TOOLCHAINS=all" not in runs(steps)
    for i in setup:
        assert steps[i]["env"]["TOOLCHAINS"] == "${{ matrix.toolchains }}"
    check = step_index(steps, lambda s: calls(s, "check-images"), "checking that every image is loaded")
    assert "docker image inspect" in recipe("check-images")
    assert load < check < min(setup)


def test_the_shard_matrix_covers_every_target_with_suites_and_upstream(flow: dict[str, Any]) -> None:
    entries = shard_entries(flow)
    debian = {name for name, t in catalogue("toolchains.yaml").items() if t["source"] == "debian"}
    suites = {option(e["args"], "--targets"): e for e in entries if words(e["args"])[0] == "suites/"}
    upstream = {option(e["args"], "--targets"): e for e in entries
                if words(e["args"])[0] == "suites/upstream.yaml"}
    targets = set(catalogue("targets.yaml"))
    watch = {name for name, target in catalogue("targets.yaml").items() if target.get("watch")}
    assert set(suites) == targets and set(upstream) == targets - watch  # Rust's tests need a std
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
    (shard,) = by_target(steps, "shard")
    assert shard["env"] == {"SHARD": "${{ matrix.name }}", "SHARD_ARGS": "${{ matrix.args }}"}
    assert "pytest $(SHARD_ARGS) --results-dir $(NIGHT_DIR)/reports-$(SHARD)" in recipe("shard")
    upload = next(s for s in steps if uses(s) == "actions/upload-artifact")
    assert upload["with"]["name"] == "results-${{ matrix.name }}"
    assert upload["with"]["path"] == "reports-${{ matrix.name }}/results.json"
    assert upload["if"] == "${{ !cancelled() }}"


# ---- the report job --------------------------------------------------------------------------


def test_report_job_merges_compares_and_builds_the_history(flow: dict[str, Any]) -> None:
    report = job(flow, "report")
    assert needs(report) == ["shard"]
    assert "!cancelled()" in report["if"]  # failing shards' results are still merged
    steps = report["steps"]
    download = next(s for s in steps if uses(s) == "actions/download-artifact")
    assert download["with"] == {"pattern": "results-*", "path": "shards"}
    assert "$(HARNESS) merge $(NIGHT_DIR)/shards/*/results.json" in recipe("merge")
    order = ["merge", "results-branch", "previous-night", "diff", "add-night", "history", "report",
             "push-night", "summary"]
    firsts = [steps.index(by_target(steps, t)[0]) for t in order]
    assert firsts == sorted(firsts), "the report job's steps are out of order"
    assert "$(HARNESS) history $(NIGHTS) -o $(NIGHT_REPORTS)/history" in recipe("history")
    assert "$(HARNESS) report $(MERGED) -o $(NIGHT_REPORTS) --history $(NIGHTS)" in recipe("report")
    (summary,) = by_target(steps, "summary")
    assert summary["run"].endswith('>> "$GITHUB_STEP_SUMMARY"')
    assert "history/history.md" in recipe("summary")
    uploads = [s["with"] for s in steps if uses(s) == "actions/upload-artifact"]
    assert {"name": "reports", "path": "reports/", "retention-days": 30} in uploads


def test_report_job_keeps_each_night_on_the_results_branch(flow: dict[str, Any]) -> None:
    report = job(flow, "report")
    assert report["permissions"] == {"contents": "write"}
    assert report["env"]["RESULTS_REMOTE"] == "${{ github.server_url }}/${{ github.repository }}.git"
    steps = report["steps"]
    branch = next(s for s in steps if s.get("id") == "branch")
    assert calls(branch, "results-branch") and branch["run"].endswith('>> "$GITHUB_OUTPUT"')
    tonight = "${{ steps.branch.outputs.tonight }}"
    for target in ("previous-night", "add-night", "push-night"):
        (step,) = by_target(steps, target)
        assert step["env"]["TONIGHT"] == tonight, target
    (push,) = by_target(steps, "push-night")
    assert "github.event.repository.default_branch" in push["if"]
    assert "$(NIGHTS)/$(TONIGHT).json.gz" in recipe("add-night") and "gzip -9 -n" in recipe("add-night")


def test_report_job_fails_last_on_regressions(flow: dict[str, Any]) -> None:
    steps = job(flow, "report")["steps"]
    diff = next(s for s in steps if s.get("id") == "diff")
    assert calls(diff, "diff") and diff["continue-on-error"] is True
    assert diff["if"] == "${{ steps.previous.outputs.path != '' }}"
    assert steps[-1]["name"] == "Fail on regressions" and calls(steps[-1], "diff")
    assert steps[-1]["if"] == "${{ steps.diff.outcome == 'failure' }}"
    assert "$(HARNESS) diff $(PREVIOUS) $(MERGED)" in recipe("diff")


# ---- the results branch (.ci/results-branch, with git and a bare repository for the remote) --


def results_branch(*args: str, remote: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    env.pop("GH_TOKEN", None)
    if remote is not None:
        env["RESULTS_REMOTE"] = str(remote)
    return subprocess.run([str(RESULTS_BRANCH), *args], capture_output=True, text=True, env=env,
                          check=True)


def test_the_results_branch_starts_keeps_nights_and_finds_the_previous_one(tmp_path: Path) -> None:
    remote = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    checkout = tmp_path / "results-branch"
    first = results_branch("fetch", str(checkout), remote=remote)
    assert "no results branch yet" in first.stderr and first.stdout == ""
    assert results_branch("previous", str(checkout), "2026-12-05").stdout == ""
    for night in ("2026-12-03", "2026-12-04"):
        (checkout / "nights" / f"{night}.json.gz").write_bytes(night.encode())
        results_branch("push", str(checkout), night)
    unchanged = results_branch("push", str(checkout), "2026-12-04")
    assert "already on the branch" in unchanged.stderr

    again = results_branch("fetch", str(checkout), remote=remote)
    assert "2 night(s) on the branch" in again.stderr
    assert sorted(p.name for p in (checkout / "nights").iterdir()) == ["2026-12-03.json.gz",
                                                                      "2026-12-04.json.gz"]
    # a rerun of a night compares with the night before it, not with itself
    assert results_branch("previous", str(checkout), "2026-12-04").stdout == (
        f"path={checkout}/nights/2026-12-03.json.gz\n")
    assert results_branch("previous", str(checkout), "2026-12-05").stdout == (
        f"path={checkout}/nights/2026-12-04.json.gz\n")
    log = subprocess.run(["git", "-C", str(remote), "log", "--format=%an: %s", "results"],
                         capture_output=True, text=True, check=True).stdout
    assert log.splitlines() == ["github-actions[bot]: Results of 2026-12-04",
                                "github-actions[bot]: Results of 2026-12-03"]


# ---- the pages job ---------------------------------------------------------------------------


def test_pages_job_deploys_the_site_the_harness_makes(flow: dict[str, Any]) -> None:
    pages = job(flow, "pages")
    assert needs(pages) == ["report"]
    assert pages["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert pages["environment"]["name"] == "github-pages"
    steps = pages["steps"]
    branch = step_index(steps, lambda s: calls(s, "results-branch"), "checking out the history")
    download = step_index(steps, lambda s: uses(s) == "actions/download-artifact", "downloading")
    site = step_index(steps, lambda s: calls(s, "site"), "calling make site")
    upload = next(s for s in steps if uses(s) == "actions/upload-pages-artifact")
    deploy = next(s for s in steps if uses(s) == "actions/deploy-pages")
    assert max(branch, download) < site < steps.index(upload)
    assert steps[download]["with"] == {"name": "reports", "path": "reports"}
    assert "harness site" in recipe("site")
    assert make_call(steps[site])[2:] == ["RESULTS=reports/results.json", "HISTORY=results-branch/nights",
                                          "SITE=site"]
    assert upload["with"]["path"] == "site"
    assert "echo" not in runs(steps)  # the harness writes every page, the index too
    assert pages["environment"]["url"] == expr(f"steps.{deploy['id']}.outputs.page_url")


# ---- the workflow and its rehearsal ----------------------------------------------------------


def test_every_run_step_is_a_make_target_the_rehearsal_runs(flow: dict[str, Any]) -> None:
    targets, problems = workflow_targets_module().workflow_targets(WORKFLOW)
    assert problems == []
    assert {"venv", "image-tags", "save-images", "load-images", "shard", "merge", "diff", "history",
            "report", "site"} <= set(targets)
    missing = [t for t in targets if t not in rehearsed_targets()]
    assert missing == [], f"the workflow calls targets the rehearsal does not run: {missing}"
    makefiles = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "Makefile", CI / "nightly.mk"))
    for target in targets:
        assert re.search(rf"^{re.escape(target)}:", makefiles, re.MULTILINE), f"no make target {target}"


def test_the_rehearsal_runs_the_targets_in_the_workflows_order(flow: dict[str, Any]) -> None:
    targets, _ = workflow_targets_module().workflow_targets(WORKFLOW)
    rehearsed = rehearsed_targets()
    firsts = [rehearsed.index(t) for t in targets]
    assert firsts == sorted(firsts), f"rehearsal order {rehearsed}, workflow order {targets}"


def test_a_run_step_that_is_not_one_make_call_is_named() -> None:
    make_target = workflow_targets_module().make_target
    assert make_target('make -s image-tags TOOLCHAINS=all >> "$GITHUB_OUTPUT"') == "image-tags"
    for run in ("python -m pip install -e .", "make merge\nmake report", "make", "make a b",
                "make report > /tmp/out"):
        with pytest.raises(ValueError):
            make_target(run)


def test_the_workflow_installs_from_the_constraints(flow: dict[str, Any]) -> None:
    for name, job_ in flow["jobs"].items():
        if any(calls(s, "shard") or calls(s, "merge") or calls(s, "site") for s in job_["steps"]):
            assert by_target(job_["steps"], "venv"), f"job {name} does not make the venv"
    assert "-c constraints.txt" in recipe("$(BIN)/.installed")


def test_ci_runs_the_rehearsal() -> None:
    commands = [line.split() for line in (CI / "run").read_text(encoding="utf-8").splitlines()
                if line.startswith("make ")]
    assert ["make", "rehearse-nightly"] in commands
    assert ".ci/rehearse-nightly" in recipe("rehearse-nightly")
