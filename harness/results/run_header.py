"""The run header of a results file: what ran, when, where, and with which versions."""

from __future__ import annotations

import platform
import subprocess
import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from harness import PROJECT_ROOT
from harness.catalogue.build_profiles import DEFAULT as DEFAULT_PROFILE

# Fields left out of the JSON when they have no value.
OPTIONAL = ("versions_error", "shards", "profile")


@dataclass
class RunHeader:
    run_id: str = ""
    date: str | None = None  # UTC, ISO 8601
    harness_revision: str | None = None
    host: str | None = None
    builder: str | None = None
    targets: list[str] = field(default_factory=list)
    runtimes: list[str] = field(default_factory=list)  # runtime columns, in column order
    # each column: family, major (release line), wasi (versions it implements), reference
    columns: dict[str, dict[str, Any]] = field(default_factory=dict)
    toolchains: list[str] = field(default_factory=list)
    build_profiles: list[str] = field(default_factory=lambda: [DEFAULT_PROFILE])
    argv: list[str] = field(default_factory=list)
    image: str | None = None  # the sandbox's (runtimes) image
    image_id: str | None = None
    versions: dict[str, str] = field(default_factory=dict)  # component -> version (image labels)
    toolchain_versions: dict[str, dict[str, str]] = field(default_factory=dict)
    stale_expectations: list[dict[str, str]] = field(default_factory=list)
    versions_error: str | None = None
    shards: list[dict[str, Any]] | None = None  # a merged file: the runs it was made of
    profile: dict[str, Any] | None = None  # where the run's time went (harness/results/time_spent.py)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        return {k: v for k, v in out.items() if not (k in OPTIONAL and v is None)}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> RunHeader:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in names})

    def text(self, name: str) -> str:
        """A text field, "unknown" when absent."""
        value = getattr(self, name, None)
        return "unknown" if value in (None, "") else str(value)


def describe_run(run_id: str, *, targets: list[str], runtimes: list[str], toolchains: list[str],
                 builders: list[str], argv: list[str], build_profiles: list[str] | None = None,
                 stale: list[dict[str, str]] | None = None,
                 date: float | None = None, note: str | None = None,
                 toolchain_versions: dict[str, dict[str, str]] | None = None) -> RunHeader:
    """The header of a run (of a finished one, or one recovered from its records: `note` says
    so); the sandbox image and its component versions when an engine answers."""
    header = RunHeader(
        run_id=run_id,
        date=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(date)),
        harness_revision=_git_revision(),
        host=platform.node(),
        builder=",".join(sorted(set(builders))) or None,
        targets=targets, runtimes=runtimes, toolchains=toolchains, argv=argv,
        build_profiles=build_profiles or [DEFAULT_PROFILE],
        toolchain_versions=toolchain_versions or {},
        stale_expectations=stale or [],
        versions_error=note,
        columns=columns_of(runtimes),
    )
    try:
        from harness.images.engine import find_engine
        from harness.images.recipes import runtimes_tag, versions_of

        client = find_engine()
        if client is not None:
            header.image = runtimes_tag()
            header.image_id = client.images.get(header.image).id
            header.versions = versions_of(header.image, client)
    except Exception as error:  # a header without versions, saying why
        header.versions_error = f"{type(error).__name__}: {error}"
    return header


def columns_of(names: list[str]) -> dict[str, dict[str, Any]]:
    """What the reports need to know of each runtime column (harness/catalogue/runtimes.yaml)."""
    from harness.runtime import installed_runtimes

    runtimes = installed_runtimes()
    return {name: {"family": r.family, "major": r.major, "wasi": sorted(r.wasi), "reference": r.reference,
                   **({} if r.security_fixes is None else {"security_fixes": r.security_fixes,
                                                           "security_note": r.security_note})}
            for name in names if (r := runtimes.get(name)) is not None}


def _git_revision() -> str:
    result = subprocess.run(["git", "-C", str(PROJECT_ROOT), "rev-parse", "HEAD"],
                            capture_output=True, text=True, check=False)
    return result.stdout.strip() or "unknown"
