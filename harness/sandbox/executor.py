"""The in-sandbox executor: runs cell requests, one JSON line in, one JSON line out.

It lives for a whole worker inside one long-lived sandboxed container, so a cell
costs a process spawn rather than a container start. Standard library only: it
runs under the image's python3. Per request it makes a fresh scratch directory,
writes the initial files, runs one process there (its argument list taken
verbatim, never a shell; scratch files are named by relative paths) in its own
process group with a time limit and bounded output capture, then deletes the
directory. A request is {"argv", "stdin", "timeout_s", "idle_timeout_s", "idle_cpu_s",
"files", "mkdirs", "copies", "conversation"}; the answer {"id", "result"} or {"id", "error"}.
With a `conversation` (harness/sandbox/conversation.py), its steps talk to the running guest and
the result says how each went. `copies` maps a
scratch folder to a folder of the sandbox copied there (symlinks kept as symlinks),
from which files named `*.cleanup` (the leftovers of an earlier run, by wasi-testsuite's
convention) are removed.

With `--session` (the worker's long-lived sandbox), the end of its input means the harness
went away (killed, not closed): the guest running then is killed and the executor exits, so
that the container (started with --rm) goes too instead of outliving the run.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any, BinaryIO

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import conversation  # harness/sandbox/conversation.py, mounted beside this file in the sandbox

SCRATCH_ROOT = os.environ.get("EXECUTOR_SCRATCH", "/scratch")
HEAD_BYTES = 16 << 20  # kept from the start of each stream (the rest is counted, not kept)
TAIL_BYTES = 64 << 10  # kept from its end
POLL_S = 0.2  # how often the time limits are checked
# HOME is the sandbox's persistent cache volume when it has one (runtimes keep their
# compiled-code caches there), else a directory on the tmpfs.
BASE_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": os.environ["HOME"] if os.environ.get("HOME", "/") != "/" else "/tmp/home",
    "LANG": "C.UTF-8",
}
# The container's OOM-kill counter (cgroup v1, then v2): tells a memory-limit kill apart.
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
RUNNING: set[int] = set()  # the process group of the guest running now
OOM_COUNTERS = ("/sys/fs/cgroup/memory/memory.oom_control", "/sys/fs/cgroup/memory.events")


class _Capture(threading.Thread):
    """Drains a pipe, keeping a bounded head and tail and counting every byte; a conversation
    reads the head from a cursor of its own, waiting for what has not come yet."""

    def __init__(self, pipe: BinaryIO) -> None:
        super().__init__(daemon=True)
        self.pipe, self.head, self.tail, self.total = pipe, bytearray(), bytearray(), 0
        self.last = time.monotonic()  # when the process last wrote to this stream
        self.cursor, self.ended = 0, False
        self.arrived = threading.Condition()

    def run(self) -> None:
        while chunk := self.pipe.read1(65536):  # type: ignore[attr-defined]
            with self.arrived:
                self.last = time.monotonic()
                self.total += len(chunk)
                room = HEAD_BYTES - len(self.head)
                if room > 0:
                    self.head += chunk[:room]
                    chunk = chunk[room:]
                if chunk:
                    self.tail = (self.tail + chunk)[-TAIL_BYTES:]
                self.arrived.notify_all()
        with self.arrived:
            self.ended = True
            self.arrived.notify_all()

    def take(self, size: int, deadline: float) -> bytes:
        """The next `size` bytes from the cursor, or fewer when the stream ends or time is up."""
        with self.arrived:
            while len(self.head) - self.cursor < size and not self.ended and time.monotonic() < deadline:
                self.arrived.wait(POLL_S)
            taken = bytes(self.head[self.cursor:self.cursor + size])
            self.cursor += len(taken)
            return taken

    def line(self, deadline: float, match: re.Pattern[bytes] | None = None) -> bytes | None:
        """The next whole line from the cursor (with `match`: the next one it matches), or None."""
        with self.arrived:
            while True:
                end = self.head.find(b"\n", self.cursor)
                if end >= 0:
                    text = bytes(self.head[self.cursor:end])
                    self.cursor = end + 1
                    if match is None or match.search(text):
                        return text
                    continue
                if self.ended or time.monotonic() >= deadline:
                    return None
                self.arrived.wait(POLL_S)

    def text(self) -> str:
        middle = self.total - len(self.head) - len(self.tail)
        joint = f"\n[... {middle} bytes not kept ...]\n".encode() if middle > 0 else b""
        return (bytes(self.head) + joint + bytes(self.tail)).decode("utf-8", "replace")


def _child_setup() -> None:
    """In the child: its own process group, first in line for the OOM killer."""
    os.setsid()
    try:
        with open("/proc/self/oom_score_adj", "w") as handle:
            handle.write("1000")
    except OSError:
        pass


def _oom_kills() -> int | None:
    """How many processes the kernel has OOM-killed in this container, if it says."""
    for path in OOM_COUNTERS:
        with contextlib.suppress(OSError, ValueError), open(path) as handle:
            for line in handle:
                if line.startswith("oom_kill "):
                    return int(line.split()[1])
    return None


def _cpu_seconds(pid: int) -> float:
    """The CPU time (user and system, all threads) a process has used so far, or 0."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


def run_process(request: dict[str, Any], scratch: str) -> dict[str, Any]:
    argv = request["argv"]  # verbatim: nothing in it is substituted or interpreted
    timeout = float(request.get("timeout_s", 60))
    # Optional: kill the process when it writes nothing to stdout or stderr for this long
    # (a libtest binary prints an event per test: silence means one test hangs), in wall time,
    # or in CPU time it used meanwhile (which a busy machine does not stretch).
    idle_timeout = request.get("idle_timeout_s")
    idle_cpu = request.get("idle_cpu_s")
    talk = request.get("conversation")
    started, oom_before = time.monotonic(), _oom_kills()
    servers = conversation.start_servers(talk.get("servers", [])) if talk else []
    try:
        proc = subprocess.Popen(
            argv, cwd=scratch, env=BASE_ENV, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, preexec_fn=_child_setup,
        )
        RUNNING.add(proc.pid)
    except OSError as error:
        conversation.stop_servers(servers)
        return {"exit_code": None, "signal": None, "timed_out": False, "spawn_error": str(error),
                "stdout": "", "stderr": "", "stdout_bytes": 0, "stderr_bytes": 0, "duration_s": 0.0}
    captures = [_Capture(proc.stdout), _Capture(proc.stderr)]  # type: ignore[arg-type]
    for capture in captures:
        capture.start()
    deadline = started + timeout
    timed_out = idle = False
    if talk:  # the steps drive the guest (stdin included); what still runs after them is killed
        try:
            said = conversation.Conversation(proc, captures[0], captures[1], talk, deadline).run()
        finally:
            conversation.stop_servers(servers)
            if proc.poll() is None:
                _kill_group(proc.pid)
                proc.wait()
        timed_out = time.monotonic() >= deadline
    else:
        threading.Thread(target=_feed, args=(proc.stdin, request.get("stdin", "")), daemon=True).start()
    cpu = last_output = cpu_at_output = 0.0
    while proc.poll() is None:
        now, cpu = time.monotonic(), max(cpu, _cpu_seconds(proc.pid))
        output = max(c.last for c in captures)
        if output != last_output:  # it wrote since the last look: the CPU clock starts again
            last_output, cpu_at_output = output, cpu
        silent = idle_timeout is not None and now - output >= float(idle_timeout)
        busy = idle_cpu is not None and cpu - cpu_at_output >= float(idle_cpu)
        if now >= deadline:
            timed_out = True
        elif silent or busy:
            timed_out = idle = True
        if timed_out:
            _kill_group(proc.pid)
            proc.wait()
            break
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=min(deadline - now, POLL_S))
    _kill_group(proc.pid)  # leftovers of the process, if it forked
    RUNNING.discard(proc.pid)
    for capture in captures:
        capture.join(timeout=5)
    code = proc.returncode
    oom_after = _oom_kills()
    return {
        "exit_code": code if code >= 0 else None,
        "signal": -code if code < 0 else None,
        "timed_out": timed_out,
        "idle_timed_out": idle,
        "oom_killed": oom_before is not None and oom_after is not None and oom_after > oom_before,
        "spawn_error": None,
        "stdout": captures[0].text(),
        "stderr": captures[1].text(),
        "stdout_bytes": captures[0].total,
        "stderr_bytes": captures[1].total,
        "duration_s": round(time.monotonic() - started, 4),
        "cpu_s": round(cpu, 3),
        **({"conversation": said} if talk else {}),
    }


def _feed(pipe: BinaryIO, text: str) -> None:
    try:
        pipe.write(text.encode())
        pipe.close()
    except OSError:
        pass


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _copy_tree(source: str, destination: str) -> None:
    shutil.copytree(source, destination, symlinks=True)
    os.chmod(destination, 0o755)
    for folder, dirs, files in os.walk(destination):
        os.chmod(folder, 0o755)  # the copy is the guest's to change
        for name in [*dirs, *files]:
            path = os.path.join(folder, name)
            if name.endswith(".cleanup"):
                if name in dirs:
                    dirs.remove(name)
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path)
                else:
                    os.unlink(path)  # a symlink itself, never what it points to
            elif name in files and not os.path.islink(path):
                os.chmod(path, 0o644)


def handle(request: dict[str, Any]) -> dict[str, Any]:
    os.makedirs(SCRATCH_ROOT, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="cell-", dir=SCRATCH_ROOT)
    try:
        for directory in request.get("mkdirs", []):
            os.makedirs(os.path.join(scratch, directory), exist_ok=True)
        for relative, source in request.get("copies", {}).items():
            _copy_tree(source, os.path.join(scratch, relative))
        for relative, content in request.get("files", {}).items():
            path = os.path.join(scratch, relative)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(content)
        return {"id": request.get("id"), "result": run_process(request, scratch)}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _read_requests(lines: queue.Queue[str | None], session: bool) -> None:
    for line in sys.stdin:
        lines.put(line)
    if session:  # the harness is gone: nothing it started may outlive it
        for pid in list(RUNNING):
            _kill_group(pid)
        os._exit(0)
    lines.put(None)


def main() -> None:
    os.makedirs(BASE_ENV["HOME"], exist_ok=True)
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_read_requests, args=(lines, "--session" in sys.argv[1:]), daemon=True).start()
    while (line := lines.get()) is not None:
        if not line.strip():
            continue
        try:
            response = handle(json.loads(line))
        except Exception as error:  # report, never die: the worker needs an answer
            response = {"id": None, "error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(response) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
