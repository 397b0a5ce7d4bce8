"""Find a Docker engine, or start one as root on Linux (Debian's docker.io, no bridge)."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import docker.errors

import docker
from harness.errors import UserError

START_TIMEOUT_S = 60.0
LOG_CANDIDATES = (Path("/var/log/wasm-conformance-dockerd.log"),)

_HOW_TO_START = (
    "no Docker engine answers. Start one (e.g. `sudo systemctl start docker`, or as root "
    "`dockerd --bridge=none &`), make sure your user may use it (the `docker` group or "
    "DOCKER_HOST), or run this command as root on Linux so that it can install and start "
    "Debian's docker.io itself"
)


def find_engine() -> docker.DockerClient | None:
    """A client for an engine that answers a ping, or None (never starts one)."""
    try:
        client = docker.from_env(timeout=300)
        client.ping()
    except (docker.errors.DockerException, OSError):
        return None
    return client


def _may_start_engine() -> bool:
    return platform.system() == "Linux" and hasattr(os, "geteuid") and os.geteuid() == 0


def _dockerd_running() -> bool:
    """Whether /var/run/docker.pid names a live process (an engine that is starting or stuck)."""
    try:
        pid = int(Path("/var/run/docker.pid").read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return False
    return True


def _install_docker_io() -> None:
    """Install Debian's docker.io with apt-get."""
    if shutil.which("apt-get") is None:
        raise UserError(f"dockerd is not installed and apt-get is not available; {_HOW_TO_START}")
    print("setup: installing Debian's docker.io (apt-get)", file=sys.stderr, flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "--no-install-recommends", "docker.io"],
    ):
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).splitlines()[-20:])
            raise UserError(f"`{' '.join(command)}` failed:\n{tail}")
    if shutil.which("dockerd") is None:
        raise UserError("docker.io was installed but dockerd is not on PATH")


def _log_path() -> Path:
    for path in LOG_CANDIDATES:
        if os.access(path.parent, os.W_OK):
            return path
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "wasm-conformance"
    cache.mkdir(parents=True, exist_ok=True)
    return cache / "dockerd.log"


def _start_dockerd() -> docker.DockerClient:
    """Start dockerd in the background and wait until it answers."""
    log_path = _log_path()
    print(
        f"setup: no Docker engine answers; starting dockerd --bridge=none (log: {log_path})",
        flush=True,
    )
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            ["dockerd", "--bridge=none"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        client = find_engine()
        if client is not None:
            print(f"setup: started dockerd (pid {process.pid})", file=sys.stderr, flush=True)
            return client
        if process.poll() is not None:
            tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-20:])
            raise UserError(f"dockerd exited with status {process.returncode}:\n{tail}")
        time.sleep(0.5)
    raise UserError(f"dockerd did not answer within {START_TIMEOUT_S:.0f} s; see {log_path}")


def ensure_engine() -> docker.DockerClient:
    """A client for a running engine; start one only if none answers and we are root."""
    client = find_engine()
    if client is not None:
        return client
    if os.environ.get("DOCKER_HOST"):
        raise UserError(f"the Docker engine at DOCKER_HOST={os.environ['DOCKER_HOST']} does not answer")
    if not _may_start_engine():
        raise UserError(_HOW_TO_START)
    if _dockerd_running():
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            time.sleep(1.0)
            client = find_engine()
            if client is not None:
                return client
        raise UserError(
            "a dockerd process is running but does not answer on the default socket; "
            "wait for it, or check its log (never reconfigured by this harness)"
        )
    if shutil.which("dockerd") is None:
        _install_docker_io()
        client = find_engine()  # the package may have started the service itself
        if client is not None:
            print("setup: docker.io installed; its engine is running", file=sys.stderr, flush=True)
            return client
    return _start_dockerd()


def engine_version(client: docker.DockerClient) -> str:
    """The engine's version string, e.g. `20.10.24+dfsg1`."""
    return str(client.version().get("Version", "unknown"))
