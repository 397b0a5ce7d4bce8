"""Proof that the image recipes still install from today's registries, and the npm lock's refresh.

A cached image hides a registry that moved away from a pin until a fresh machine meets
it. `check_registries()` runs each recipe's registry installs again, in throwaway
containers of the recipes' own build stages (the `node` stage of the runtimes recipe, the
tools image), whether or not the images are cached: `npm ci` on the committed lock (which
must stay unchanged), `pip download --require-hashes` of every pinned wheel, `cargo fetch
--locked`, and every Debian pin resolved against the mirror. `lock_npm()` refreshes the npm
lock with the same npm.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import docker
from harness.catalogue.toolchains import Toolchain, all_toolchains
from harness.errors import UserError
from harness.images.base_image import ensure_base_image, toolchain_base
from harness.images.engine import ensure_engine
from harness.images.recipes import HOST_CA_BUNDLE, Plan, build_stage, needed_specs, plan_images
from harness.images.registry_pins import (
    CARGO_PROJECTS,
    NPM_PROJECT,
    SOURCE_CRATES,
    WHEEL_FILES,
    explain,
    relative,
    source_wasmtime_versions,
)

NPM_CI = "npm ci --ignore-scripts --no-audit --no-fund"
CA_INSIDE = "/tmp/host-ca.pem"  # the host's CA bundle, which the image builds trust too
NODE_STAGE = "node"  # the runtimes recipe's stage with Node.js, npm and pip


@dataclass(frozen=True)
class Check:
    """One registry input and the shell script that installs it (in /work, a copy of the input)."""

    what: str  # e.g. "npm: docker/runtimes/jco"
    image: str  # "node" (the runtimes recipe's stage) or "tools"
    folder: Path  # copied to /work
    script: str


def checks() -> list[Check]:
    found = [Check(f"npm: {relative(NPM_PROJECT)}", NODE_STAGE, NPM_PROJECT,
                   f"cp package-lock.json /tmp/lock.before && {NPM_CI} && "
                   "{ cmp -s package-lock.json /tmp/lock.before "
                   "|| { echo 'npm ci changed the lock' >&2; exit 1; }; }")]
    for path in WHEEL_FILES:
        script = "\n".join([
            "set -e", "i=0",
            "grep -v '^#' wheels.txt | grep . | while read -r line; do",
            "  i=$((i + 1)); echo \"$line\" > /tmp/req-$i.txt",
            "  python3 -m pip download --quiet --no-deps --only-binary=:all: --require-hashes "
            "--dest /tmp/wheels -r /tmp/req-$i.txt",
            "done",
        ])
        found.append(Check(f"PyPI: {relative(path)}", NODE_STAGE, path.parent, script))
    for project in CARGO_PROJECTS:
        found.append(Check(f"crates.io: {relative(project)}/Cargo.lock", "tools", project,
                           "CARGO_HOME=/tmp/cargo-home cargo fetch --locked --quiet"))
    found.append(Check(f"crates.io: {relative(SOURCE_CRATES)}", "tools", SOURCE_CRATES.parent,
                       SOURCE_CRATES_SCRIPT))
    return found


# Each wasmtime-cli line of crates.txt: its crate, then every dependency its own lock names.
SOURCE_CRATES_SCRIPT = """set -e
export CARGO_HOME=/tmp/cargo-home
grep '^wasmtime-cli==' crates.txt | while read -r line; do
  version=${line#wasmtime-cli==}
  cargo info --quiet "wasmtime-cli@$version" >/dev/null
  mkdir -p /tmp/src && tar -xzf "$(ls $CARGO_HOME/registry/cache/*/wasmtime-cli-$version.crate)" -C /tmp/src
  cargo fetch --locked --quiet --manifest-path "/tmp/src/wasmtime-cli-$version/Cargo.toml"
done
"""
# The newest version crates.io has of Wasmtime's library and of its CLI.
LATEST_SCRIPT = ("for c in wasmtime wasmtime-cli; do printf '%s ' $c; "
                 "CARGO_HOME=/tmp/cargo-home cargo info $c 2>/dev/null | grep '^version:'; done")
LATEST = re.compile(r"^(\S+) version: (\S+)(?: \(latest (\S+)\))?", re.MULTILINE)


def newer_line_note(output: str, pinned: list[str]) -> str | None:
    """One line on a Wasmtime release line newer than every pinned one, from `cargo info`'s
    output for wasmtime and wasmtime-cli: its CLI is published (add it) or not yet."""
    latest = {m.group(1): m.group(3) or m.group(2) for m in LATEST.finditer(output)}
    newest = max((int(v.split(".")[0]) for v in pinned), default=0)
    library, cli = latest.get("wasmtime", ""), latest.get("wasmtime-cli", "")
    if cli and int(cli.split(".")[0]) > newest:
        return (f"wasmtime-cli {cli} is on crates.io: add `wasmtime-cli=={cli}` to "
                f"{relative(SOURCE_CRATES)} and a wasmtime-{cli.split('.')[0]} line to "
                "harness/catalogue/runtimes.yaml")
    if library and int(library.split(".")[0]) > newest:
        return (f"Wasmtime {library} is released (the wasmtime crate) but its CLI is not on crates.io "
                f"yet (newest wasmtime-cli: {cli or 'none'}); its column waits for it")
    return None


def run_in(client: docker.DockerClient, image: str, folder: Path, script: str,
            keep: str = "") -> tuple[int, str, str]:
    """Run `script` in a throwaway container of `image`, in a copy of `folder` (its /work);
    the exit status, the output and the content of the file `keep` of /work afterwards."""
    with tempfile.TemporaryDirectory(prefix="wasm-conformance-pins-") as tmp:
        work = Path(tmp) / "work"
        shutil.copytree(folder, work, ignore=shutil.ignore_patterns("node_modules", "target"))
        volumes = {str(work): {"bind": "/work", "mode": "rw"}}
        ca = HOST_CA_BUNDLE if HOST_CA_BUNDLE.is_file() else None
        if ca is not None:
            volumes[str(ca)] = {"bind": CA_INSIDE, "mode": "ro"}
        trust = CA_INSIDE if ca is not None else "/etc/ssl/certs/ca-certificates.crt"
        container = client.containers.run(
            image, ["sh", "-c", script], detach=True, working_dir="/work", network_mode="host",
            volumes=volumes, entrypoint=[],
            user=f"{os.getuid()}:{os.getgid()}",
            environment={"HOME": "/tmp", "PIP_CERT": trust, "NPM_CONFIG_CAFILE": trust,
                         "SSL_CERT_FILE": trust, "CARGO_HTTP_CAINFO": trust,
                         "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
        )
        try:
            status = int(container.wait().get("StatusCode", 1))
            output = container.logs(stdout=True, stderr=True).decode(errors="replace")
        finally:
            container.remove(force=True)
        kept = (work / keep).read_text() if keep and (work / keep).is_file() else ""
    return status, output, kept


def plan_of(plans: list[Plan], kind: str) -> Plan:
    return next(p for p in plans if p.spec.kind == kind)


def current_plans(toolchains: Iterable[Toolchain] = (), strict: bool = False,
                  ) -> tuple[docker.DockerClient, list[Plan]]:
    """The engine, and the plans of the images the toolchains need, resolved against the
    mirror now (the tools and runtimes images with none)."""
    client = ensure_engine()
    ensure_base_image(client)
    ensure_base_image(client, toolchain_base())
    return client, plan_images(needed_specs(toolchains), client, strict)


def _say(message: str) -> None:
    print(f"check-registries: {message}", file=sys.stderr, flush=True)


def check_registries(strict_pins: bool = False) -> int:
    """Run every registry input's install against today's registries, cached images or not:
    0 when all still install as pinned, else 1 with one line per input that does not."""
    started = time.monotonic()
    problems = []
    try:  # Debian: every pin of every recipe and toolchain, resolved against the mirror now
        client, plans = current_plans(all_toolchains().values(), strict_pins)
        _say(f"Debian: {sum(len(p.args) for p in plans)} package versions resolved")
    except UserError as error:
        problems.append(f"Debian: {error}")
        client, plans = current_plans()
    images = {"tools": build_stage(client, plan_of(plans, "tools")),
              NODE_STAGE: build_stage(client, plan_of(plans, "runtimes"), NODE_STAGE)}
    for check in checks():
        began = time.monotonic()
        status, output, _ = run_in(client, images[check.image], check.folder, check.script)
        took = f"{time.monotonic() - began:.0f} s"
        if status != 0:
            line = explain(output) or "failed: " + " | ".join(output.strip().splitlines()[-5:])[:600]
            problems.append(f"{check.what}: {line}")
            _say(f"{check.what}: FAILED ({took})")
        else:
            _say(f"{check.what}: installs as pinned ({took})")
    status, output, _ = run_in(client, images["tools"], SOURCE_CRATES.parent, LATEST_SCRIPT)
    note = newer_line_note(output, source_wasmtime_versions()) if status == 0 else None
    if note:
        _say(note)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    _say(f"{len(problems) or 'no'} problem(s), {time.monotonic() - started:.0f} s")
    return 1 if problems else 0


def lock_npm() -> Path:
    """Refresh docker/runtimes/jco/package-lock.json with the runtimes image's npm: what
    `npm install` adds for package.json, every version the lock already pins kept; then
    proven with `npm ci`."""
    client, plans = current_plans()
    plan = plan_of(plans, "runtimes")
    script = f"npm install --package-lock-only --ignore-scripts --no-audit --no-fund && {NPM_CI}"
    status, output, lock = run_in(client, build_stage(client, plan, NODE_STAGE), NPM_PROJECT,
                                   script, keep="package-lock.json")
    if status != 0 or not lock:
        tail = " | ".join(output.strip().splitlines()[-8:])
        raise UserError(f"refreshing the npm lock failed: {explain(output) or tail}")
    path = NPM_PROJECT / "package-lock.json"
    path.write_text(lock)
    return path
