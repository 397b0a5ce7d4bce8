"""The images: tools (built once), runtimes (the sandbox), one per toolchain of the catalogue.

Each image's tag names its recipe: a hash of the recipe files it is built from (and, for
a toolchain, its catalogue entry and the tools image), so an unchanged recipe is never
rebuilt and a runtime added to the runtimes image rebuilds no toolchain. The Debian
package versions are resolved against the mirror when an image is built (the pins of
the recipe or catalogue when the mirror still has them) and recorded as labels
`org.wasm-conformance.version.<package>`; a toolchain image is also tagged with its
rustc version.
"""

from __future__ import annotations

import collections
import hashlib
import json
import os
import queue
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import docker.errors
import yaml

import docker
from harness import PROJECT_ROOT
from harness.artifacts.cache import cache_dir
from harness.catalogue.targets import image_targets
from harness.catalogue.toolchains import Toolchain, host_copy
from harness.errors import UserError
from harness.images.apt_versions import Mirror, query, recommended_major, resolve
from harness.images.base_image import ensure_base_image, has_image, toolchain_base
from harness.images.engine import ensure_engine
from harness.images.registry_pins import explain, wasmtime_versions

RECIPE_DIR = PROJECT_ROOT / "docker"
REPOSITORY = "wasm-conformance"
LABEL_PREFIX = "org.wasm-conformance.version."
LABEL_RECIPE = "org.wasm-conformance.recipe"
LABEL_TOOLCHAIN = "org.wasm-conformance.toolchain"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
HOST_TOOLCHAIN = "rustup/host-toolchain"  # in a build context: the host's copy of a channel
# The environment a fixture's `cargo build --release --target T` needs inside a toolchain image.
FIXTURE_BUILD_ENV: dict[str, str] = {"CARGO_NET_OFFLINE": "true"}
RUST_PACKAGES = ("rustc", "cargo", "rust-src", "libstd-rust-dev", "libstd-rust-dev-wasm32")
_IGNORED = {"node_modules", "__pycache__", ".git", "build-ca.pem", "target"}
_TAIL_LINES = 20
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # colours in a build's output
_STEP_LINES = 5000  # of the failing step's output, searched for a registry's refusal
HEARTBEAT_S = 30.0  # a progress line at least this often during a long build step
T = TypeVar("T")


def _progress(message: str) -> None:
    print(f"setup: {message}", file=sys.stderr, flush=True)


# ---- what each image is made of ------------------------------------------------------------


@dataclass(frozen=True)
class ImageSpec:
    """One image of the recipe: where its Dockerfile is and what names its content."""

    kind: str  # "tools", "runtimes" or "toolchain"
    repository: str
    dockerfile: str  # relative to docker/
    inputs: tuple[str, ...]  # recipe files and folders, relative to docker/
    key: str = ""  # more that names it: a toolchain's catalogue entry and its tools image
    toolchain: Toolchain | None = None

    @property
    def recipe_hash(self) -> str:
        digest = hashlib.sha256(self.key.encode() + b"\0")
        for path in _files(self.inputs):
            digest.update(path.relative_to(RECIPE_DIR).as_posix().encode() + b"\0")
            digest.update(b"x" if os.access(path, os.X_OK) else b"-")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        return digest.hexdigest()[:12]

    @property
    def tag(self) -> str:
        return f"{self.repository}:{self.recipe_hash}"


def _files(inputs: Iterable[str]) -> list[Path]:
    found: list[Path] = []
    for entry in inputs:
        path = RECIPE_DIR / entry
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found += [p for p in path.rglob("*") if p.is_file()
                      and not _IGNORED.intersection(p.relative_to(RECIPE_DIR).parts)]
        else:
            raise UserError(f"the image recipe is missing {path}")
    return sorted(found)


def tools_spec() -> ImageSpec:
    return ImageSpec("tools", f"{REPOSITORY}/tools", "tools/Dockerfile",
                     ("tools", "wasi-threads-libc", "unwind"))


def runtimes_spec() -> ImageSpec:
    return ImageSpec("runtimes", f"{REPOSITORY}/runtimes", "runtimes/Dockerfile", ("runtimes",))


def toolchain_spec(toolchain: Toolchain) -> ImageSpec:
    """A toolchain's image: a Debian suite's (toolchain/, on the toolchain base) or a rustup
    channel's (rustup/)."""
    if not toolchain.in_image:
        raise UserError(f"toolchain {toolchain.name} builds on the host, not in an image")
    recipe = "rustup" if toolchain.channel else "toolchain"
    copied = host_copy(toolchain.channel) if toolchain.channel else None
    named: dict[str, Any] = {"suite": toolchain.suite, "pins": toolchain.pins, "channel": toolchain.channel,
                             "host_copy": copied[1] if copied else "",
                             "tools": tools_spec().tag, "targets": image_targets()}
    if not toolchain.channel:  # a Debian toolchain's image starts from the toolchain base
        named["base"] = toolchain_base()
    entry = json.dumps(named, sort_keys=True)
    return ImageSpec("toolchain", f"{REPOSITORY}/toolchain-{toolchain.name}", f"{recipe}/Dockerfile",
                     (recipe, "build-std", "extra-crates"), entry, toolchain)


def runtimes_tag() -> str:
    """The tag of the image guests run in (the sandbox)."""
    return runtimes_spec().tag


def toolchain_tag(toolchain: Toolchain) -> str:
    return toolchain_spec(toolchain).tag


# ---- package versions ------------------------------------------------------------------------


@dataclass
class Plan:
    """An image to build: its build args and the labels that record what it holds."""

    spec: ImageSpec
    args: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    extra_tags: list[str] = field(default_factory=list)


def _packages_file(spec: ImageSpec) -> dict[str, Any]:
    path = RECIPE_DIR / spec.dockerfile.split("/")[0] / "packages.yaml"
    return yaml.safe_load(path.read_text()) if path.is_file() else {"packages": {}}


def _arg_name(package: str) -> str:
    return re.sub(r"[^A-Z0-9]", "_", package.upper()) + "_VERSION"


def _lld_names() -> list[str]:
    return [f"lld-{n}" for n in range(14, 31)]


def plan_images(specs: list[ImageSpec], client: docker.DockerClient, strict: bool) -> list[Plan]:
    """Resolve every package version the images need, against the mirror, in one query."""
    suites = {"sid"} | {s.toolchain.suite for s in specs if s.toolchain and s.toolchain.suite}
    names = set(_lld_names()) | set(RUST_PACKAGES) | {"wasi-libc", "rustup"}
    for spec in specs:
        recipe = _packages_file(spec)
        names |= set(recipe["packages"]) | set(recipe.get("build_packages") or ())
    base = toolchain_base()
    _progress(f"asking the Debian mirror for package versions ({', '.join(sorted(suites))}) in {base}")
    mirror = query(client, base, suites, names, show=["libstd-rust-dev-wasm32"])
    return [_plan(spec, mirror, strict) for spec in specs]


def _plan(spec: ImageSpec, mirror: Mirror, strict: bool) -> Plan:
    plan = Plan(spec, labels={LABEL_RECIPE: spec.recipe_hash})
    if spec.toolchain is not None and spec.toolchain.channel:  # a rustup channel's image
        rustup = resolve(mirror, "rustup", "sid", _packages_file(spec)["packages"].get("rustup"), strict)
        plan.args |= {"CHANNEL": spec.toolchain.channel, "RUSTUP_VERSION": rustup.version,
                      "TOOLS_IMAGE": tools_spec().tag, "TARGETS": " ".join(image_targets())}
        copied = host_copy(spec.toolchain.channel)
        plan.labels |= {LABEL_PREFIX + "rustup": rustup.version, LABEL_TOOLCHAIN: spec.toolchain.name,
                        LABEL_PREFIX + "channel": spec.toolchain.channel
                        + (f" (the host's copy: {copied[1]})" if copied else "")}
        return plan
    if spec.toolchain is None:
        recipe = _packages_file(spec)
        for package, pin in recipe["packages"].items():
            found = resolve(mirror, package, recipe.get("suite", "sid"), pin, strict)
            plan.args[_arg_name(package)] = found.version
            plan.labels[LABEL_PREFIX + package] = found.version
        for package, pin in (recipe.get("build_packages") or {}).items():  # used to build, not kept
            plan.args[_arg_name(package)] = resolve(mirror, package, recipe.get("suite", "sid"), pin,
                                                    strict).version
        if spec.kind == "runtimes":
            jco = json.loads((RECIPE_DIR / "runtimes/jco/package.json").read_text())["dependencies"]
            plan.labels |= {LABEL_PREFIX + n.split("/")[-1]: v for n, v in jco.items()}
            plan.labels |= {LABEL_PREFIX + name: v for name, v in wasmtime_versions().items()}
        return plan
    toolchain = spec.toolchain
    rust = resolve(mirror, "rustc", toolchain.suite, toolchain.pins.get("rustc"), strict)
    libc = resolve(mirror, "wasi-libc", toolchain.suite, toolchain.pins.get("wasi-libc"), strict,
                   fallback_suite="sid")
    llvm = recommended_major(mirror, "libstd-rust-dev-wasm32", rust.version, "lld")
    if llvm is None:
        raise UserError(f"libstd-rust-dev-wasm32 {rust.version} names no lld-N to link with")
    # The linker from sid when sid has that LLVM (its libllvm is the one apt installs there);
    # an older suite's lld-N would want that suite's libllvm-N next to sid's.
    lld = resolve(mirror, f"lld-{llvm}", "sid", toolchain.pins.get("lld"), strict,
                  fallback_suite=toolchain.suite)
    plan.args |= {"BASE_IMAGE": toolchain_base(), "SUITE": toolchain.suite,
                  "RUST_VERSION": rust.version,
                  "WASI_LIBC_VERSION": libc.version, "LLVM": llvm, "LLD_VERSION": lld.version,
                  "TOOLS_IMAGE": tools_spec().tag, "TARGETS": " ".join(image_targets())}
    plan.labels |= {LABEL_PREFIX + p: rust.version for p in RUST_PACKAGES}
    plan.labels |= {LABEL_PREFIX + "wasi-libc": libc.version, LABEL_PREFIX + "lld": lld.version,
                    LABEL_PREFIX + "wasm-component-ld": _tools_arg("WASM_COMPONENT_LD"),
                    LABEL_TOOLCHAIN: toolchain.name}
    plan.extra_tags.append(f"{spec.repository}:rust-{_tag_text(rust.version)}-{spec.recipe_hash}")
    return plan


def _tools_arg(name: str) -> str:
    """The default of an ARG of the tools Dockerfile (e.g. the wasm-component-ld version)."""
    text = (RECIPE_DIR / "tools/Dockerfile").read_text()
    match = re.search(rf"^ARG {name}=(\S+)$", text, re.MULTILINE)
    return match.group(1) if match else "unknown"


def _tag_text(version: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "-", version.split(":", 1)[-1])


# ---- building --------------------------------------------------------------------------------


def _build_context(tmp: Path, plan: Plan) -> Path:
    """A copy of docker/ plus build-ca.pem (the host's CA bundle, or an empty file), and for a
    rustup channel the host's copy of it (rustup/host-toolchain/, empty when there is none)."""
    context = tmp / "context"
    shutil.copytree(RECIPE_DIR, context, ignore=shutil.ignore_patterns(*_IGNORED))
    (context / HOST_TOOLCHAIN).mkdir()
    toolchain = plan.spec.toolchain
    copied = host_copy(toolchain.channel) if toolchain is not None and toolchain.channel else None
    if copied:  # without the documentation (half its size)
        shutil.copytree(copied[0], context / HOST_TOOLCHAIN, dirs_exist_ok=True, symlinks=True,
                        ignore=lambda folder, names: ["share"] if Path(folder) == copied[0] else [])
    ca = context / "build-ca.pem"
    if HOST_CA_BUNDLE.is_file():
        shutil.copyfile(HOST_CA_BUNDLE, ca)
    else:
        ca.write_text("")
    return context


def with_heartbeat(events: Iterable[T], status: Callable[[], str],
                   every_s: float = HEARTBEAT_S) -> Iterator[T]:
    """The events, read in a thread; a progress line (status()) at least every `every_s`,
    whether events come (a long step's output that is not shown) or none do."""
    box: queue.Queue[tuple[str, Any]] = queue.Queue()
    said = time.monotonic()

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
            kind, value = "tick", None
        if time.monotonic() - said >= every_s:
            _progress(f"  ... {status()}")
            said = time.monotonic()
        if kind == "tick":
            continue
        if kind == "end":
            return
        if kind == "error":
            raise value
        yield value


def _follow_build(events: Iterable[dict[str, object]]) -> str:
    """Print step lines, keep the last output lines; the built image id, or UserError."""
    tail: collections.deque[str] = collections.deque(maxlen=_TAIL_LINES)
    step_output: collections.deque[str] = collections.deque(maxlen=_STEP_LINES)
    step = "(before the first step)"
    step_started = time.monotonic()
    image_id = ""

    def status() -> str:
        return f"still at {step[:100]} ({time.monotonic() - step_started:.0f} s)"

    pending = ""  # a line's start whose end arrives in a later event
    for event in with_heartbeat(events, status):
        if "error" in event or "errorDetail" in event:
            if pending.strip():
                step_output.append(pending)
                tail.append(pending)
            message = str(event.get("error") or event.get("errorDetail"))
            drift = explain("\n".join(step_output))
            if drift:  # a registry moved away from a pin: say which, and how to refresh it
                raise UserError(drift)
            output = "\n".join(f"    {line}" for line in tail)
            where = f"the image build failed at {step}"
            raise UserError(f"{where}\n  last output:\n{output}\n  error: {message}")
        aux = event.get("aux")
        if isinstance(aux, dict) and "ID" in aux:
            image_id = str(aux["ID"])
        *lines, pending = (pending + ANSI.sub("", str(event.get("stream", "")))).split("\n")
        for line in lines:
            line = line.rstrip("\r")
            if not line.strip():
                continue
            if line.startswith("Step "):
                step, step_started = line, time.monotonic()
                step_output.clear()
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
                step_output.append(line)
    if not image_id:
        raise UserError(f"the image build ended without an image (last step: {step})")
    return image_id


def _build(client: docker.DockerClient, plan: Plan, stage: str | None = None) -> str:
    """Build the recipe (up to `stage`, when given) with Docker's layer cache; the image id."""
    with tempfile.TemporaryDirectory(prefix="wasm-conformance-ctx-") as tmp:
        context = _build_context(Path(tmp), plan)
        try:
            events = client.api.build(path=str(context), dockerfile=plan.spec.dockerfile,
                                      buildargs=plan.args, labels=plan.labels, rm=True,
                                      forcerm=True, pull=False, network_mode="host", decode=True,
                                      target=stage)
            return _follow_build(events)
        except docker.errors.APIError as error:
            raise UserError(f"the image build failed: {error.explanation or error}") from None


def build_image(client: docker.DockerClient, plan: Plan) -> None:
    """Build one image untagged and tag it only once the whole build succeeded."""
    spec, started = plan.spec, time.monotonic()
    _progress(f"building {spec.tag} ({spec.kind}; a cold build takes minutes)")
    image_id = _build(client, plan)
    for tag in [spec.tag, *plan.extra_tags]:
        repository, version = tag.rsplit(":", 1)
        client.api.tag(image_id, repository, version)
    _progress(f"built {spec.tag} in {time.monotonic() - started:.0f} s")


def build_stage(client: docker.DockerClient, plan: Plan, stage: str | None = None) -> str:
    """An image to run a recipe's installs in: one build stage of it (from Docker's layer
    cache when built before), or the whole image, built only when its tag is missing."""
    if stage is not None:
        _progress(f"building the {stage!r} stage of the {plan.spec.kind} recipe")
        return _build(client, plan, stage)
    if not has_image(client, plan.spec.tag):
        build_image(client, plan)
    return plan.spec.tag


def needed_specs(toolchains: Iterable[Toolchain]) -> list[ImageSpec]:
    """Tools first (toolchain images copy from it), then the runtimes, then each toolchain."""
    return [tools_spec(), runtimes_spec(), *(toolchain_spec(t) for t in toolchains if t.in_image)]


UNBUILDABLE = "unbuildable"  # cache folder: why a toolchain's image could not be built here


def unbuildable(toolchain: Toolchain, tag: str | None = None) -> str | None:
    """Why the toolchain's image (of its recipe now; `tag`, when the caller knows it) could not
    be built here, as setup found."""
    if not toolchain.in_image:
        return None
    tag = tag or toolchain_spec(toolchain).tag
    path = cache_dir(UNBUILDABLE) / f"{tag.replace('/', '_')}.txt"
    return path.read_text().strip() if path.is_file() else None


def setup(toolchains: Iterable[Toolchain], strict: bool = False) -> list[str]:
    """Engine, base image and every image the toolchains need; returns their tags. A rustup
    channel's image that cannot be built here (no download server) is said in one line and
    recorded, so that its cells are unavailable with that reason; setup still fails on it."""
    client = ensure_engine()
    specs = needed_specs(toolchains)
    missing = [s for s in specs if not has_image(client, s.tag)]
    for spec in specs:
        if spec not in missing:
            _progress(f"{spec.tag} is up to date")
    failed: list[str] = []
    if missing:
        ensure_base_image(client)
        ensure_base_image(client, toolchain_base())
        for plan in plan_images(missing, client, strict):
            try:
                build_image(client, plan)
            except UserError as error:
                if plan.spec.toolchain is None or not plan.spec.toolchain.channel:
                    raise
                why = " ".join(str(error).split())[-600:]
                (cache_dir(UNBUILDABLE) / f"{plan.spec.tag.replace('/', '_')}.txt").write_text(why + "\n")
                failed.append(f"{plan.spec.toolchain.name}: {why}")
    if failed:
        raise UserError("the image of a rustup channel could not be built (its cells will be unavailable "
                        "with this reason): " + "; ".join(failed))
    return [s.tag for s in specs]


# ---- what an image holds -----------------------------------------------------------------------


def labels_of(tag: str, client: docker.DockerClient | None = None) -> dict[str, str]:
    client = client or ensure_engine()
    try:
        return dict(client.images.get(tag).labels or {})
    except docker.errors.ImageNotFound:
        raise UserError(f"the image {tag} is missing: run `python -m harness setup`") from None


def versions_of(tag: str, client: docker.DockerClient | None = None) -> dict[str, str]:
    """The component versions an image records in its labels."""
    return {key[len(LABEL_PREFIX):]: value for key, value in sorted(labels_of(tag, client).items())
            if key.startswith(LABEL_PREFIX)}


def toolchain_identity(toolchain: Toolchain, client: docker.DockerClient | None = None,
                       tag: str | None = None) -> str:
    """24 hex digits naming what a toolchain image builds with (its recipe and the package
    versions it installed), not the image itself: artifacts are keyed by it. `tag`: the image's,
    when the caller knows it."""
    tag = tag or toolchain_tag(toolchain)
    labels = labels_of(tag, client)
    named = {k: v for k, v in labels.items() if k.startswith((LABEL_PREFIX, LABEL_RECIPE))}
    if toolchain.channel:  # a channel moves (stable, nightly): each build is its own
        named["image"] = (client or ensure_engine()).images.get(tag).id
    text = json.dumps(named, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]
