"""The base image `debian:sid`: pulled where a registry answers, else debootstrapped from the
Debian mirror the host's apt sources name, and `docker import`ed.

The Debian toolchain images (docker/toolchain/) and setup's question to the mirror start from
`$WASM_CONFORMANCE_TOOLCHAIN_BASE` when it is set (an image that must exist, such as a copy of
debian:sid with its apt sources laid out otherwise), else from debian:sid; the tools and
runtimes images always start from debian:sid.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import docker.errors
from debian.deb822 import Deb822

import docker
from harness.errors import UserError

BASE_IMAGE = "debian:sid"
TOOLCHAIN_BASE_ENV = "WASM_CONFORMANCE_TOOLCHAIN_BASE"
_TAIL_LINES = 20


def _progress(message: str) -> None:
    print(f"setup: {message}", file=sys.stderr, flush=True)


def has_image(client: docker.DockerClient, name: str) -> bool:
    try:
        client.images.get(name)
    except docker.errors.ImageNotFound:
        return False
    return True


def toolchain_base() -> str:
    """The image the Debian toolchain images start from: $WASM_CONFORMANCE_TOOLCHAIN_BASE or
    debian:sid."""
    return os.environ.get(TOOLCHAIN_BASE_ENV, "").strip() or BASE_IMAGE


def _deb822_entries(path: Path) -> Iterator[tuple[str, list[str]]]:
    """(URI, suites) of each enabled `deb` stanza of a deb822 `.sources` file."""
    with path.open(encoding="utf-8", errors="replace") as stream:
        for stanza in Deb822.iter_paragraphs(stream):
            if stanza.get("Enabled", "yes").strip().lower() == "no":
                continue
            if "deb" not in stanza.get("Types", "").split():
                continue
            for uri in stanza.get("URIs", "").split():
                yield uri, stanza.get("Suites", "").split()


def _one_line_entries(path: Path) -> Iterator[tuple[str, list[str]]]:
    """(URI, [suite]) of each `deb` line of a one-line `.list` file (options in [...] skipped)."""
    for line in path.read_text(errors="replace").splitlines():
        words = re.sub(r"\[[^]]*\]", " ", line.split("#", 1)[0]).split()
        if len(words) >= 3 and words[0] == "deb":
            yield words[1], [words[2]]


def apt_entries(root: Path = Path("/")) -> Iterator[tuple[str, list[str]]]:
    """(URI, suites) of each entry in the apt sources under `root` (deb822 and one-line)."""
    sources_dir = root / "etc/apt/sources.list.d"
    for path in sorted(sources_dir.glob("*.sources")) if sources_dir.is_dir() else []:
        yield from _deb822_entries(path)
    lists = [root / "etc/apt/sources.list"]
    if sources_dir.is_dir():
        lists += sorted(sources_dir.glob("*.list"))
    for path in lists:
        if path.is_file():
            yield from _one_line_entries(path)


def apt_mirror_uri(root: Path = Path("/")) -> str:
    """The Debian mirror URI of the host's apt sources (not a security or updates suite)."""
    for uri, suites in apt_entries(root):
        if uri.startswith(("http://", "https://")) and any(
            not suite.endswith(("-security", "-updates", "-backports")) for suite in suites
        ):
            return uri
    raise UserError(
        "cannot make the debian:sid base image: no registry answered a pull and the host's "
        "apt sources name no Debian mirror for debootstrap"
    )


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-_TAIL_LINES:])
        raise UserError(f"{what} failed (`{' '.join(command)}`):\n{tail}")


def _debootstrap_base(client: docker.DockerClient) -> None:
    """debootstrap a minbase sid into a temp dir and `docker import` it as debian:sid."""
    if os.geteuid() != 0:
        raise UserError(
            "the debian:sid base image is missing and cannot be pulled; making it with "
            "debootstrap needs root (or `docker pull debian:sid` where a registry is reachable)"
        )
    if shutil.which("debootstrap") is None:
        _progress("installing debootstrap (apt-get)")
        _run(["apt-get", "update"], "apt-get update")
        _run(["apt-get", "install", "-y", "debootstrap"], "installing debootstrap")
    mirror = apt_mirror_uri()
    tmp = Path(tempfile.mkdtemp(prefix="wasm-conformance-sid-", dir="/var/tmp"))
    try:
        rootfs = tmp / "rootfs"
        _progress(f"debootstrap --variant=minbase sid from {mirror} (about 30 s)")
        _run(
            ["debootstrap", "--variant=minbase", "sid", str(rootfs), mirror],
            "debootstrap of Debian sid",
        )
        tarball = tmp / "rootfs.tar"
        _run(["tar", "-C", str(rootfs), "-cf", str(tarball), "."], "packing the root file system")
        _progress(f"importing the root file system as {BASE_IMAGE}")
        repository, tag = BASE_IMAGE.split(":")
        client.api.import_image_from_file(str(tarball), repository=repository, tag=tag)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not has_image(client, BASE_IMAGE):
        raise UserError(f"importing {BASE_IMAGE} did not produce the image")


def ensure_base_image(client: docker.DockerClient, name: str = BASE_IMAGE) -> None:
    """Make sure `debian:sid` exists: pull it, or else debootstrap and import it. Another
    base (the toolchain images' from $WASM_CONFORMANCE_TOOLCHAIN_BASE) must exist already."""
    if has_image(client, name):
        return
    if name != BASE_IMAGE:
        raise UserError(f"the base image {name} (named by {TOOLCHAIN_BASE_ENV}) is missing: "
                        f"make it, or unset {TOOLCHAIN_BASE_ENV} to use {BASE_IMAGE}")
    _progress(f"{BASE_IMAGE} is missing; trying to pull it")
    try:
        repository, tag = BASE_IMAGE.split(":")
        client.images.pull(repository, tag=tag)
        return
    except docker.errors.DockerException as error:
        _progress(f"pull failed ({' '.join(str(error).split())[:160]}); using debootstrap")
    _debootstrap_base(client)
