"""Before any cell runs: is the Docker engine there, are the images built, is the workspace sound?"""

from __future__ import annotations

from collections.abc import Iterable

from harness.artifacts.workspace import Workspace
from harness.catalogue.toolchains import Toolchain, default_toolchain


def preflight(toolchains: Iterable[Toolchain] | None = None,
              workspace: Workspace | None = None, builds: bool = True) -> str | None:
    """One clear message when the run cannot start, else None. Never starts anything.
    `builds`: whether any case is compiled (else no toolchain image is needed)."""
    problem = (workspace or Workspace()).lock_problem()
    if problem:
        return f"wasm-conformance: {problem}"
    from harness.images.engine import find_engine
    from harness.images.recipes import needed_specs

    client = find_engine()
    if client is None:
        return ("wasm-conformance: no Docker engine answers, and every cell needs one to run "
                "its guest. Run `python -m harness setup` (it starts one as root), or start "
                "Docker yourself.")
    chosen = list(toolchains or [default_toolchain()])
    from harness.images.recipes import unbuildable

    # a toolchain whose image setup found it cannot build here: its cells say why
    missing = [s.tag for s in needed_specs(chosen) if not client.images.list(name=s.tag)
               and (builds or s.kind != "toolchain")
               and not (s.toolchain is not None and unbuildable(s.toolchain))]
    if missing:
        names = ",".join(t.name for t in chosen)
        return (f"wasm-conformance: the image{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                f"{'are' if len(missing) > 1 else 'is'} not built. Run "
                f"`python -m harness setup --toolchains {names}` first.")
    return None
