#!/usr/bin/env python3
"""The make targets that the nightly workflow's `run:` steps call, one a line.

Every `run:` step must be one thin call, `make [-s] TARGET [NAME=VALUE...]`, optionally with
its output appended to $GITHUB_OUTPUT or $GITHUB_STEP_SUMMARY; a step that is anything else is
named on stderr and the exit status is 1. The rehearsal (.ci/rehearse-nightly) checks that it
ran each of these targets, and tests/test_report_workflow.py that it names each.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import yaml

WORKFLOW = Path(__file__).resolve().parent.parent / ".github" / "workflows" / "nightly.yml"
# Steps that concern the runner and not the harness: no rehearsal can show them here.
RUNNER_ONLY = {
    "Make room for the images": "frees the disk of a GitHub runner (unused SDKs)",
}
FLAGS = {"-s", "--silent", "--no-print-directory"}
OUTPUTS = {"$GITHUB_OUTPUT", "$GITHUB_STEP_SUMMARY"}


def make_target(run: str) -> str:
    """The target of one `make` call; ValueError when `run` is not one."""
    if "\n" in run.strip():
        raise ValueError("more than one line")
    words = shlex.split(run)
    if len(words) >= 2 and words[-2] == ">>" and words[-1] in OUTPUTS:
        words = words[:-2]
    if not words or words[0] != "make":
        raise ValueError("not a make call")
    targets = [w for w in words[1:] if w not in FLAGS and "=" not in w]
    if len(targets) != 1 or any(w.startswith("-") for w in targets):
        raise ValueError(f"not exactly one make target: {targets}")
    return targets[0]


def workflow_targets(path: Path = WORKFLOW) -> tuple[list[str], list[str]]:
    """(the targets in the order the workflow calls them, one problem a line)."""
    flow = yaml.safe_load(path.read_text(encoding="utf-8"))
    targets: list[str] = []
    problems: list[str] = []
    for job_name, job in flow["jobs"].items():
        for step in job.get("steps", []):
            if "run" not in step or step.get("name") in RUNNER_ONLY:
                continue
            try:
                target = make_target(step["run"])
            except ValueError as error:
                problems.append(f"{path.name}: job {job_name}, step {step.get('name')!r}: {error}")
                continue
            if target not in targets:
                targets.append(target)
    return targets, problems


def main() -> int:
    targets, problems = workflow_targets()
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    print("\n".join(targets))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
