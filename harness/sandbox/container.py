"""The guest sandbox: one long-lived locked-down container per worker, driven over a pipe.

The container runs `harness/sandbox/executor.py`, which spawns each cell's runtime directly.
It runs as a non-root user, with a read-only root file system, all capabilities
dropped, no-new-privileges, no network (its own loopback only), memory/pids/CPU
limits, the artifact cache mounted read-only and tmpfs scratch space. `docker run
--rm -i` ties the container's life to the pipe: when the worker goes away, stdin
closes, the executor exits and Docker removes the container.
"""

from __future__ import annotations

import json
import os
import queue
import shlex
import subprocess
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harness.sandbox.outcome import Outcome

LABEL = "wasm-conformance"
SESSION_ENV = "WASM_CONFORMANCE_SESSION"  # the run under way, for the labels of its builds
GUEST_USER = "10001:10001"
ARTIFACTS_MOUNT = "/artifacts"
CACHE_MOUNT = "/cache"  # persistent across runs: runtimes' compiled code, Jco's transpiled output
EXECUTOR_MOUNT = "/harness/executor.py"
EXECUTOR_SOURCE = Path(__file__).with_name("executor.py")
# what the executor imports, mounted beside it
EXECUTOR_FILES = {EXECUTOR_MOUNT: EXECUTOR_SOURCE,
                  "/harness/conversation.py": Path(__file__).with_name("conversation.py")}
LIMITS = {"memory": "2g", "pids": "512", "cpus": "1.5"}
CLOSE_TIMEOUT_S = 10.0  # for the executor to exit once its stdin closes
DEADLINE_MARGIN_S = 60.0  # how much longer than the process's own limit to wait for the executor


@dataclass(frozen=True)
class GuestRequest:
    """One process for the executor to run in a fresh scratch directory (harness/sandbox/executor.py).

    `files`: scratch-relative path -> content written first; `mkdirs`: folders made first;
    `copies`: scratch folder -> a folder of the sandbox copied there (without `*.cleanup`
    leftovers). With `idle_timeout_s`, the process is killed when it writes nothing to
    stdout or stderr for that long; with `idle_cpu_s`, when it uses that much CPU time
    without writing anything (a limit a busy machine does not stretch)."""

    argv: list[str]
    stdin: str = ""
    timeout_s: float = 60.0
    idle_timeout_s: float | None = None
    idle_cpu_s: float | None = None
    files: dict[str, str] = field(default_factory=dict)
    mkdirs: list[str] = field(default_factory=list)
    copies: dict[str, str] = field(default_factory=dict)
    conversation: dict[str, Any] | None = None  # steps that talk to the running guest


class SandboxLost(Exception):
    """The container or its executor went away, or stopped answering."""


def sandbox_flags(artifacts_dir: Path, cache_dir: Path, session: str) -> list[str]:
    """The `docker run` options of the guest sandbox (also used in reproduction commands)."""
    return [
        "--rm", "-i",
        "--label", LABEL, "--label", f"{LABEL}.session={session}",
        "--user", GUEST_USER,
        "--read-only",
        "--cap-drop", "ALL",
        "--security-opt", "no-new-privileges",
        "--network", "none",
        "--sysctl", "net.ipv6.conf.lo.disable_ipv6=0",  # the own loopback, IPv6 too
        "--memory", LIMITS["memory"], "--memory-swap", LIMITS["memory"],
        "--pids-limit", LIMITS["pids"],
        "--cpus", LIMITS["cpus"],
        "--tmpfs", "/tmp:rw,exec,size=1g,mode=1777",
        "--tmpfs", "/scratch:rw,exec,size=1g,mode=1777",
        "-v", f"{artifacts_dir}:{ARTIFACTS_MOUNT}:ro",
        "-v", f"{cache_dir}:{CACHE_MOUNT}",
        "-e", f"HOME={CACHE_MOUNT}/home",
    ]


class Sandbox:
    """A sandboxed container with a running executor; `request` sends one cell."""

    def __init__(self, image: str, artifacts_dir: Path, cache_dir: Path, session: str,
                 files: dict[str, Path] | None = None) -> None:
        self.image, self.artifacts_dir, self.session = image, artifacts_dir, session
        self.cache_dir = cache_dir
        cache_dir.chmod(0o1777)  # written by the sandbox's unprivileged user
        self.files = {**EXECUTOR_FILES, **(files or {})}
        self._proc: subprocess.Popen[bytes] | None = None
        self._lines: queue.Queue[bytes] = queue.Queue()
        self._next_id = 0
        self._starts = 0

    @property
    def container_name(self) -> str:
        return f"wasm-conformance-{self.session}-{os.getpid()}-{self._starts}"

    def argv(self) -> list[str]:
        return [
            "docker", "run", *sandbox_flags(self.artifacts_dir, self.cache_dir, self.session),
            "--name", self.container_name,
            *self._file_mounts(),
            self.image, "python3", EXECUTOR_MOUNT, "--session",
        ]

    def _file_mounts(self) -> list[str]:
        """Read-only mounts of the executor and the runtimes' support files."""
        return [arg for inside, host in sorted(self.files.items())
                for arg in ("-v", f"{host}:{inside}:ro")]

    def repro(self, guest_argv: list[str], copies: dict[str, str] | None = None) -> str:
        """A command that reruns one guest by hand in the same sandbox (after copying the
        folders it starts with, without their `*.cleanup` leftovers)."""
        argv = ["docker", "run", *sandbox_flags(self.artifacts_dir, self.cache_dir, "repro"),
                *self._file_mounts(), "-w", "/tmp", self.image]
        if not copies:
            return shlex.join([*argv, *guest_argv])
        steps = [f"cp -r {shlex.quote(source)} {shlex.quote(folder)} && chmod -R u+w {shlex.quote(folder)}"
                 f" && find {shlex.quote(folder)} -name '*.cleanup' -exec rm -rf {{}} +"
                 for folder, source in copies.items()]
        script = "mkdir -p dirs && " + " && ".join(steps) + ' && exec "$@"'
        return shlex.join([*argv, "sh", "-c", script, "sh", *guest_argv])

    def repro_request(self, request: GuestRequest) -> str:
        """A command that reruns one request by hand (a conversation with the guest too): the
        executor in the same sandbox, given the request on its stdin."""
        argv = ["docker", "run", *sandbox_flags(self.artifacts_dir, self.cache_dir, "repro"),
                *self._file_mounts(), self.image, "python3", EXECUTOR_MOUNT]
        return f"printf '%s\\n' {shlex.quote(json.dumps(asdict(request)))} | {shlex.join(argv)}"

    def start(self) -> None:
        """Start the container now, if it is not running: its executor then waits for the first
        request, so that the container's start overlaps whatever comes before that."""
        if self._proc is None or self._proc.poll() is not None:
            self._start()

    def _start(self) -> None:
        self._starts += 1
        # Its own session: a Ctrl-C at the terminal reaches the harness, which records the
        # cell as interrupted and removes the container, not the sandbox mid-cell.
        self._proc = subprocess.Popen(
            self.argv(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self._lines = queue.Queue()
        threading.Thread(target=self._read, args=(self._proc, self._lines), daemon=True).start()

    @staticmethod
    def _read(proc: subprocess.Popen[bytes], lines: queue.Queue[bytes]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(b"")  # end of stream: the container is gone

    def run(self, request: GuestRequest) -> Outcome:
        """Run one process in the sandbox; what happened. SandboxLost if the sandbox dies or does
        not answer within the process's time limit and a margin."""
        self.start()
        assert self._proc is not None and self._proc.stdin is not None
        self._next_id += 1
        payload = {**asdict(request), "id": self._next_id}
        timeout_s = request.timeout_s + DEADLINE_MARGIN_S
        try:
            self._proc.stdin.write(json.dumps(payload).encode() + b"\n")
            self._proc.stdin.flush()
            line = self._lines.get(timeout=timeout_s)
        except (BrokenPipeError, queue.Empty) as error:
            self._abandon()
            raise SandboxLost(f"sandbox did not answer: {type(error).__name__}") from None
        if not line:
            raise SandboxLost(f"sandbox exited: {self._stderr_tail()}")
        response = json.loads(line)
        if response.get("error"):
            raise SandboxLost(f"executor error: {response['error']}")
        return Outcome.from_result(response["result"])

    def _stderr_tail(self) -> str:
        proc, self._proc = self._proc, None
        if proc is None or proc.stderr is None:
            return ""
        proc.wait(timeout=30)
        return proc.stderr.read().decode(errors="replace").strip()[-2000:]

    def _abandon(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.kill()
            proc.wait()
        subprocess.run(["docker", "rm", "-f", self.container_name], capture_output=True, check=False)

    def close(self) -> None:
        """End the executor; `--rm` removes the container."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin:
            proc.stdin.close()
        try:
            proc.wait(timeout=CLOSE_TIMEOUT_S)
        except subprocess.TimeoutExpired:  # a step still runs (e.g. after Ctrl-C): remove it
            self._proc = proc
            self._abandon()


def container_labels() -> list[str]:
    """The labels of a container the run starts besides its sandboxes (builds): the project's,
    and the run's session when one is under way, so that the run's end removes whatever a
    killed worker left running."""
    session = os.environ.get(SESSION_ENV)
    return ["--label", LABEL, *(["--label", f"{LABEL}.session={session}"] if session else [])]


def remove_session_containers(session: str) -> int:
    """Remove any container left by this session (e.g. after a worker was killed)."""
    listing = subprocess.run(
        ["docker", "ps", "-aq", "--filter", f"label={LABEL}.session={session}"],
        capture_output=True, text=True, check=False,
    )
    ids = listing.stdout.split()
    if ids:
        subprocess.run(["docker", "rm", "-f", *ids], capture_output=True, check=False)
    return len(ids)
