"""Before any cell runs: is the Docker engine there, and the toolchain image built?"""

from __future__ import annotations


def preflight(builder: str) -> str | None:
    """One clear message when the run cannot start, else None. Never starts anything."""
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
