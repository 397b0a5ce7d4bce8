"""The guest sandbox, attacked: its container's settings, what a process inside can do, and
what guests that try to escape actually get (real Docker, image, runtimes)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pytest

from harness.sandbox.container import GUEST_USER, LABEL, GuestRequest, Sandbox
from tests.test_reliability import Run, leftover_containers, needs_docker, run_harness

pytestmark = needs_docker
GIB = 1 << 30


def image() -> str:
    from harness.images.recipes import runtimes_tag

    return runtimes_tag()


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """A real sandbox, as a worker starts it, with one artifact in its read-only mount."""
    root = tmp_path_factory.mktemp("sandbox")
    artifacts = root / "artifacts"
    artifacts.mkdir()
    (artifacts / "guest.wasm").write_text("not really wasm")
    artifacts.chmod(0o755)
    (artifacts / "guest.wasm").chmod(0o644)
    (root / "cache").mkdir()
    box = Sandbox(image(), artifacts, root / "cache", f"sbtest-{os.getpid()}")
    probe(box, "true")  # start it
    yield box
    box.close()
    assert leftover_containers(box.session) == []


def probe(box: Sandbox, script: str, timeout_s: float = 30) -> dict:
    """Run a probe shell script (ours, not suite data) as a process in the sandbox."""
    return asdict(box.run(GuestRequest(["sh", "-c", script], timeout_s=timeout_s)))


def python(box: Sandbox, code: str) -> dict:
    return asdict(box.run(GuestRequest(["python3", "-c", code], timeout_s=30)))


def test_the_container_is_configured_locked_down(sandbox: Sandbox) -> None:
    inspect = subprocess.run(["docker", "inspect", sandbox.container_name], capture_output=True,
                             text=True, check=True)
    (info,) = json.loads(inspect.stdout)
    host, config = info["HostConfig"], info["Config"]
    assert config["User"] == GUEST_USER
    assert LABEL in config["Labels"]
    assert config["Labels"][f"{LABEL}.session"] == sandbox.session
    assert host["ReadonlyRootfs"] is True
    assert host["CapDrop"] == ["ALL"] and not host["CapAdd"]
    assert host["SecurityOpt"] == ["no-new-privileges"]
    assert host["NetworkMode"] == "none"
    assert host["Privileged"] is False
    assert host["Memory"] == host["MemorySwap"] == 2 * GIB
    assert host["PidsLimit"] == 512
    assert host["NanoCpus"] == 1_500_000_000  # 1.5 CPUs
    mounts = {m["Destination"]: m for m in info["Mounts"]}
    assert mounts["/artifacts"]["RW"] is False
    assert mounts["/harness/executor.py"]["RW"] is False
    # Writable: tmpfs scratch and /tmp, and the runtimes' compiled-code cache.
    assert {d for d, m in mounts.items() if m["RW"]} == {"/cache"}
    assert set(host["Tmpfs"]) == {"/tmp", "/scratch"}


def test_processes_inside_run_as_non_root_without_capabilities(sandbox: Sandbox) -> None:
    ids = probe(sandbox, "id -u; id -g; id -G")
    assert ids["stdout"].split() == ["10001", "10001", "10001"]
    status = dict(line.split(":", 1) for line in
                  probe(sandbox, "cat /proc/self/status")["stdout"].splitlines() if ":" in line)
    for capabilities in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        assert int(status[capabilities].strip(), 16) == 0, capabilities
    assert status["NoNewPrivs"].strip() == "1"
    assert status["Seccomp"].strip() == "2"  # Docker's default seccomp filter is on


def test_only_scratch_space_and_the_runtime_cache_are_writable(sandbox: Sandbox) -> None:
    places = ["/", "/etc", "/usr", "/usr/local/bin", "/root", "/home", "/var", "/opt",
              "/artifacts", "/harness", "/proc", "/sys", "/tmp", "/scratch", ".", "/cache",
              "/dev/shm"]
    code = (
        "import json, os, sys\n"
        "ok = []\n"
        "for place in sys.argv[1:]:\n"
        "    try:\n"
        "        with open(os.path.join(place, '.probe'), 'w'): pass\n"
        "        os.unlink(os.path.join(place, '.probe'))\n"
        "        ok.append(place)\n"
        "    except OSError:\n"
        "        pass\n"
        "print(json.dumps(ok))\n"
    )
    result = asdict(sandbox.run(GuestRequest(["python3", "-c", code, *places])))
    writable = set(json.loads(result["stdout"]))  # "." is the cell's scratch dir
    # /dev/shm is Docker's per-container tmpfs (64 MiB); the rest is the design.
    assert writable - {"/dev/shm"} == {"/tmp", "/scratch", ".", "/cache"}
    mounts = {line.split()[1]: line.split()[3].split(",")
              for line in probe(sandbox, "cat /proc/self/mounts")["stdout"].splitlines()}
    assert "ro" in mounts["/"]
    assert "ro" in mounts["/artifacts"]
    assert "ro" in mounts["/harness/executor.py"]


def test_there_is_no_network_but_loopback(sandbox: Sandbox) -> None:
    devices = probe(sandbox, "cat /proc/net/dev")["stdout"].splitlines()[2:]
    assert [line.split(":")[0].strip() for line in devices] == ["lo"]
    result = python(sandbox, (
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('192.0.2.1', 47001), timeout=3)\n"
        "    print('CONNECTED')\n"
        "except OSError as error:\n"
        "    print('blocked', error.errno)\n"
    ))
    assert result["stdout"].startswith("blocked"), result


def test_cgroup_limits_are_in_force(sandbox: Sandbox) -> None:
    memory = probe(sandbox, "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null"
                            " || cat /sys/fs/cgroup/memory.max")["stdout"].strip()
    pids = probe(sandbox, "cat /sys/fs/cgroup/pids/pids.max 2>/dev/null"
                          " || cat /sys/fs/cgroup/pids.max")["stdout"].strip()
    assert int(memory) == 2 * GIB
    assert int(pids) == 512


def test_a_timed_out_step_leaves_no_process_and_no_scratch_dir(sandbox: Sandbox) -> None:
    result = probe(sandbox, "sleep 300 & sleep 301 & echo started; wait", timeout_s=1)
    assert result["timed_out"] and result["stdout"] == "started\n"
    left = python(sandbox, (
        "import os\n"
        "for pid in filter(str.isdigit, os.listdir('/proc')):\n"
        "    try: print(open(f'/proc/{pid}/cmdline').read().replace(chr(0), ' '))\n"
        "    except OSError: pass\n"
    ))
    assert "sleep" not in left["stdout"], left["stdout"]
    # Only the probe's own cell dir exists under /scratch while it runs.
    assert len(probe(sandbox, "ls -A /scratch")["stdout"].split()) == 1


def test_closing_removes_the_container(tmp_path: Path) -> None:
    (tmp_path / "artifacts").mkdir()
    (tmp_path / "cache").mkdir()
    box = Sandbox(image(), tmp_path / "artifacts", tmp_path / "cache", f"sbclose-{os.getpid()}")
    assert probe(box, "echo up")["stdout"] == "up\n"
    box.close()
    assert leftover_containers(box.session) == []


# ---- guests that try to break out, through real runs --------------------------------------

ESCAPES = """\
cases:
  - id: escape.files
    fixture: hostile:escape
    targets: [wasm32-wasip1, wasm32-wasip2]
    dirs: {/data: {inside.txt: "inside"}}
    expect:
      stdout: {contains: ["preopen: ok: inside", "read /etc/passwd: denied",
                          "read ../../etc/passwd: denied", "escape: all denied"]}
  - id: escape.network
    fixture: hostile:dial
    targets: [wasm32-wasip2]
    network: loopback
    expect:
      stdout: {regex: "^dial 192.0.2.1:47001: blocked: \\\\w+\\nloopback: ok$"}
  - id: escape.shell
    fixture: hostile:args
    targets: [wasm32-wasip1]
    args: ["; rm -rf /", "$(touch /tmp/pwned)", "`id`", "a b", "*", "' \\" \\\\"]
    expect:
      stdout:
        exact: |
          arg[1]="; rm -rf /"
          arg[2]="$(touch /tmp/pwned)"
          arg[3]="`id`"
          arg[4]="a b"
          arg[5]="*"
          arg[6]="' \\" \\\\"
"""


@pytest.fixture(scope="module")
def escapes(tmp_path_factory: pytest.TempPathFactory) -> Run:
    directory = tmp_path_factory.mktemp("escapes")
    return run_harness(directory, {"escape.yaml": ESCAPES}, "-n", "2",
                       "--runtimes", "wasmtime-45,jco,wasmedge,wazero")


def _ran(run: Run, case: str) -> dict[str, dict]:
    cells = {name: c for name, c in run.cells.items() if name.startswith(case + "[")}
    return {name: c for name, c in cells.items() if c["ran"]}


def test_a_guest_cannot_read_files_outside_its_preopen(escapes: Run) -> None:
    cells = _ran(escapes, "escape.files")
    assert len(cells) == 6  # wasip1 on four runtimes, wasip2 on Wasmtime and Jco
    for name, cell in cells.items():
        assert cell["verdict"] == "pass", (name, cell["reason"], cell["stdout"])
        assert "LEAKED" not in cell["stdout"] and "root:" not in cell["stdout"]


def test_a_guest_cannot_reach_a_non_loopback_address(escapes: Run) -> None:
    cells = _ran(escapes, "escape.network")
    assert set(cells) == {"escape.network[wasm32-wasip2-wasmtime-45]",
                          "escape.network[wasm32-wasip2-jco]"}
    for name, cell in cells.items():  # loopback works, so the refusal is the sandbox's
        assert cell["verdict"] == "pass", (name, cell["reason"], cell["stdout"])


def test_suite_strings_reach_the_guest_verbatim_never_through_a_shell(escapes: Run) -> None:
    cells = _ran(escapes, "escape.shell")
    assert len(cells) == 4
    for name, cell in cells.items():
        assert cell["verdict"] == "pass", (name, cell["reason"], cell["stdout"])
