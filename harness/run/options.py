"""What the command line selects: targets, runtimes, toolchains, build profiles, the fixtures
(read once per run into its plan, harness/run/plan.py)."""

from __future__ import annotations

import pytest

from harness.artifacts.workspace import Workspace
from harness.catalogue.build_profiles import Profile, pick_profiles
from harness.catalogue.targets import Target, all_targets
from harness.catalogue.toolchains import Toolchain, pick
from harness.errors import UserError
from harness.runtime import Runtime, families, installed_runtimes


def split_option(values: list[str]) -> list[str]:
    """`--x a,b --x c` -> ["a", "b", "c"]."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def selected_targets(config: pytest.Config) -> dict[str, Target]:
    names = split_option(config.getoption("targets"))
    known = all_targets()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise pytest.UsageError(f"--targets: unknown {', '.join(unknown)} (known: {', '.join(known)})")
    return {t: known[t] for t in known if t in names} if names else dict(known)


def selected_runtimes(config: pytest.Config) -> dict[str, Runtime]:
    """The selected runtime columns, in column order."""
    names = split_option(config.getoption("runtimes"))
    known = installed_runtimes()
    if not names:
        return dict(known)
    unknown = [n for n in names if n not in known and n not in families(known)]
    if unknown:
        raise pytest.UsageError(
            f"--runtimes: unknown {', '.join(unknown)} (runtimes: {', '.join(known)}; "
            f"families: {', '.join(sorted(families(known)))})")
    return {n: r for n, r in known.items() if n in names or r.family in names}


def selected_toolchains(config: pytest.Config) -> list[Toolchain]:
    """The toolchains of the run: --toolchains (catalogue order), else the catalogue's
    default; `--builder host` is short for `--toolchains host`."""
    names = split_option(config.getoption("toolchains"))
    if not names and config.getoption("builder") == "host":
        names = ["host"]
    try:
        return pick(names)
    except UserError as error:
        raise pytest.UsageError(f"--toolchains: {error}") from None


def selected_profiles(config: pytest.Config) -> list[Profile]:
    """The build profiles of the run: --profiles (catalogue order), else the default (abort)."""
    try:
        return pick_profiles(split_option(config.getoption("profiles")))
    except UserError as error:
        raise pytest.UsageError(f"--profiles: {error}") from None


def workspace_of(config: pytest.Config) -> Workspace:
    root = config.getoption("fixtures_dir")
    return Workspace(root.resolve()) if root else Workspace()
