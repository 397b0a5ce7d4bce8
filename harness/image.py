"""The toolchain image: make the `debian:sid` base if needed, build and tag the recipe."""

from __future__ import annotations

import collections
import hashlib
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import docker.errors

import docker
from harness.engine import ensure_engine
from harness.errors import UserError

RECIPE_DIR = Path(__file__).resolve().parent.parent / "docker"
IMAGE_REPO = "wasm-conformance/toolchain"
BASE_IMAGE = "debian:sid"
LABEL_PREFIX = "org.wasm-conformance.version."
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
# The environment a fixture's `cargo build --release --target T` needs inside the image.
FIXTURE_BUILD_ENV: dict[str, str] = {"CARGO_NET_OFFLINE": "true"}
_IGNORED = {"node_modules", "__pycache__", ".git", "build-ca.pem"}
_TAIL_LINES = 20
HEARTBEAT_S = 30.0  # a progress line at least this often during a long build step
T = TypeVar("T")


def _recipe_files() -> list[Path]:
    if not (RECIPE_DIR / "Dockerfile").is_file():
        raise UserError(f"the image recipe is missing: {RECIPE_DIR / 'Dockerfile'}")
    return sorted(
        path
        for path in RECIPE_DIR.rglob("*")
        if path.is_file() and not _IGNORED.intersection(path.relative_to(RECIPE_DIR).parts)
    )


def recipe_hash() -> str:
    """12 hex digits of a sha256 over the docker/ tree (paths, modes and contents)."""
    digest = hashlib.sha256()
    for path in _recipe_files():
        digest.update(path.relative_to(RECIPE_DIR).as_posix().encode() + b"\0")
        digest.update(b"x" if os.access(path, os.X_OK) else b"-")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:12]


# The parts of the recipe that make the compiler side (std built in the image, the threaded
# libc, the vendored crates) and the labels of the packages that make it: together they
# identify what built an artifact, whatever runtimes the image also holds.
TOOLCHAIN_RECIPE_PARTS = ("build-std", "wasi-threads-libc", "extra-crates")
TOOLCHAIN_LABELS = ("rustc", "cargo", "rust-src", "libstd-rust-dev-wasm32", "wasi-libc", "lld",
                    "clang", "llvm", "wasm-component-ld")


def toolchain_identity(client: docker.DockerClient | None = None) -> str:
    """24 hex digits naming the toolchain of the image (not the image itself)."""
    versions = component_versions(client)
    digest = hashlib.sha256()
    for name in TOOLCHAIN_LABELS:
        digest.update(f"{name}={versions.get(name, '')}\0".encode())
    for path in _recipe_files():
        relative = path.relative_to(RECIPE_DIR)
        if relative.parts[0] in TOOLCHAIN_RECIPE_PARTS:
            digest.update(relative.as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:24]


def image_tag() -> str:
    """The tag of the toolchain image that the current recipe builds."""
    return f"{IMAGE_REPO}:{recipe_hash()}"


def _progress(message: str) -> None:
    print(f"setup: {message}", file=sys.stderr, flush=True)


def _has_image(client: docker.DockerClient, name: str) -> bool:
    try:
        client.images.get(name)
    except docker.errors.ImageNotFound:
        return False
    return True


# ---- the base image --------------------------------------------------------------------


def _apt_entries() -> Iterator[tuple[str, list[str]]]:
    """(URI, suites) of each entry in the host's apt sources (deb822 and one-line)."""
    sources_dir = Path("/etc/apt/sources.list.d")
    for path in sorted(sources_dir.glob("*.sources")) if sources_dir.is_dir() else []:
        for stanza in re.split(r"\n\s*\n", path.read_text(errors="replace")):
            fields: dict[str, str] = {}
            for line in stanza.splitlines():
                match = re.match(r"^([A-Za-z-]+):\s*(.*)$", line)
                if match:
                    fields[match.group(1).lower()] = match.group(2)
            if "deb" not in fields.get("types", "").split():
                continue
            for uri in fields.get("uris", "").split():
                yield uri, fields.get("suites", "").split()
    lists = [Path("/etc/apt/sources.list")]
    if sources_dir.is_dir():
        lists += sorted(sources_dir.glob("*.list"))
    for path in lists:
        if not path.is_file():
            continue
        for line in path.read_text(errors="replace").splitlines():
            words = re.sub(r"\[[^]]*\]", " ", line.split("#", 1)[0]).split()
            if len(words) >= 3 and words[0] == "deb":
                yield words[1], [words[2]]


def apt_mirror_uri() -> str:
    """The Debian mirror URI of the host's apt sources (not a security or updates suite)."""
    for uri, suites in _apt_entries():
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
    if not _has_image(client, BASE_IMAGE):
        raise UserError(f"importing {BASE_IMAGE} did not produce the image")


def ensure_base_image(client: docker.DockerClient) -> None:
    """Make sure `debian:sid` exists: pull it, or else debootstrap and import it."""
    if _has_image(client, BASE_IMAGE):
        return
    _progress(f"{BASE_IMAGE} is missing; trying to pull it")
    try:
        repository, tag = BASE_IMAGE.split(":")
        client.images.pull(repository, tag=tag)
        return
    except docker.errors.DockerException as error:
        _progress(f"pull failed ({' '.join(str(error).split())[:160]}); using debootstrap")
    _debootstrap_base(client)


# ---- the toolchain image ---------------------------------------------------------------


def _build_context(tmp: Path) -> Path:
    """A copy of docker/ plus build-ca.pem (the host's CA bundle, or an empty file)."""
    context = tmp / "context"
    shutil.copytree(RECIPE_DIR, context, ignore=shutil.ignore_patterns(*_IGNORED))
    ca = context / "build-ca.pem"
    if HOST_CA_BUNDLE.is_file():
        shutil.copyfile(HOST_CA_BUNDLE, ca)
    else:
        ca.write_text("")
    return context


def with_heartbeat(events: Iterable[T], status: Callable[[], str],
                   every_s: float = HEARTBEAT_S) -> Iterator[T]:
    """The events, read in a thread; a progress line whenever none came for `every_s`."""
    box: queue.Queue[tuple[str, Any]] = queue.Queue()

    def pump() -> None:
        try:
            for event in events:
                box.put(("event", event))
        except BaseException as error:  # handed to the reader, raised there
            box.put(("error", error))
        box.put(("end", None))

    threading.Thread(target=pump, daemon=True).start()
    while True:
        try:
            kind, value = box.get(timeout=every_s)
        except queue.Empty:
            _progress(f"  ... {status()}")
            continue
        if kind == "end":
            return
        if kind == "error":
            raise value
        yield value


def _follow_build(events: Iterable[dict[str, object]]) -> str:
    """Print step lines, keep the last output lines; the built image id, or UserError."""
    tail: collections.deque[str] = collections.deque(maxlen=_TAIL_LINES)
    step = "(before the first step)"
    step_started = time.monotonic()
    image_id = ""

    def status() -> str:
        return f"still at {step[:100]} ({time.monotonic() - step_started:.0f} s)"

    for event in with_heartbeat(events, status):
        if "error" in event or "errorDetail" in event:
            message = str(event.get("error") or event.get("errorDetail"))
            output = "\n".join(f"    {line}" for line in tail)
            where = f"the image build failed at {step}"
            raise UserError(f"{where}\n  last output:\n{output}\n  error: {message}")
        aux = event.get("aux")
        if isinstance(aux, dict) and "ID" in aux:
            image_id = str(aux["ID"])
        text = str(event.get("stream", ""))
        for line in text.splitlines():
            if not line.strip():
                continue
            if line.startswith("Step "):
                step, step_started = line, time.monotonic()
                if not re.match(r"Step \d+/\d+ : (ARG|LABEL|ENV) ", line):
                    _progress(line[:160])
            elif line.startswith("==> "):
                _progress(f"  {line[4:]}")
            else:
                match = re.match(r"Successfully built ([0-9a-f]+)", line)
                if match and not image_id:
                    image_id = match.group(1)
            if not line.startswith((" ---> ", "Removing intermediate container")):
                tail.append(line)
    if not image_id:
        raise UserError(f"the image build ended without an image (last step: {step})")
    return image_id


def build_image(client: docker.DockerClient, tag: str) -> None:
    """Build the recipe untagged and tag it only once the whole build succeeded."""
    started = time.monotonic()
    _progress(f"building {tag} from {RECIPE_DIR} (a cold build takes several minutes)")
    with tempfile.TemporaryDirectory(prefix="wasm-conformance-ctx-") as tmp:
        context = _build_context(Path(tmp))
        try:
            events = client.api.build(
                path=str(context),
                rm=True,
                forcerm=True,
                pull=False,
                network_mode="host",
                decode=True,
            )
            image_id = _follow_build(events)
        except docker.errors.APIError as error:
            raise UserError(f"the image build failed: {error.explanation or error}") from None
    repository, version = tag.split(":")
    client.api.tag(image_id, repository, version)
    _progress(f"built {tag} in {time.monotonic() - started:.0f} s")


def setup() -> str:
    """Engine, base image and toolchain image; returns the image tag."""
    client = ensure_engine()
    tag = image_tag()
    if _has_image(client, tag):
        _progress(f"{tag} is up to date")
        return tag
    ensure_base_image(client)
    build_image(client, tag)
    return tag


def component_versions(client: docker.DockerClient | None = None) -> dict[str, str]:
    """The pinned component versions recorded in the image's labels."""
    client = client or ensure_engine()
    try:
        labels = client.images.get(image_tag()).labels or {}
    except docker.errors.ImageNotFound:
        raise UserError(
            f"the toolchain image {image_tag()} is missing: run `python -m harness setup`"
        ) from None
    return {
        key[len(LABEL_PREFIX) :]: value
        for key, value in sorted(labels.items())
        if key.startswith(LABEL_PREFIX)
    }
