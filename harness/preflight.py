"""Before any cell runs: is the Docker engine there, the toolchain image built, the workspace sound?"""

from __future__ import annotations

from harness.fixtures import Workspace


def preflight(builder: str, workspace: Workspace | None = None) -> str | None:
    """One clear message when the run cannot start, else None. Never starts anything."""
    problem = (workspace or Workspace()).lock_problem()
    if problem:
        return f"wasm-conformance: {problem}"
    from harness.engine import find_engine
    from harness.image import image_tag

    client = find_engine()
    if client is None:
        return ("wasm-conformance: no Docker engine answers, and every cell needs one to run "
                "its guest. Run `python -m harness setup` (it starts one as root), or start "
                "Docker yourself.")
    tag = image_tag()
    if not client.images.list(name=tag):
        return (f"wasm-conformance: the toolchain image {tag} is not built. "
                "Run `python -m harness setup` first.")
    return None
