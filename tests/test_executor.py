"""The in-sandbox executor, run here on the host: limits, bounds, scratch dirs, no shell."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from harness.sandbox import executor

PY = sys.executable


@pytest.fixture(autouse=True)
def scratch_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(executor, "SCRATCH_ROOT", str(tmp_path / "scratch"))
    monkeypatch.setitem(executor.BASE_ENV, "PATH", "/usr/local/bin:/usr/bin:/bin")
    return tmp_path / "scratch"


def run(argv: list[str], **request: object) -> dict:
    return executor.handle({"argv": argv, **request})["result"]


def test_a_process_gets_stdin_only_the_base_environment_and_its_exit_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOST_SECRET", "leaked")
    code = "import os,sys; print(sys.stdin.read().upper(), sorted(os.environ)); sys.exit(7)"
    result = run([PY, "-c", code], stdin="hi")
    assert result["exit_code"] == 7
    assert result["stdout"].startswith("HI ")
    assert "HOST_SECRET" not in result["stdout"]
    assert not result["timed_out"]


def test_files_are_written_into_a_fresh_scratch_dir_that_is_removed(scratch_root: Path) -> None:
    code = "import os; print(open('dirs/0/a.txt').read(), os.path.isdir('dirs/1'))"
    result = run([PY, "-c", code], files={"dirs/0/a.txt": "x"}, mkdirs=["dirs/1"])
    assert result["stdout"] == "x True\n"
    assert list(scratch_root.iterdir()) == []


def test_processes_run_in_the_scratch_dir_and_arguments_stay_verbatim(scratch_root: Path) -> None:
    code = "import os,sys; print(os.path.dirname(os.getcwd()), sys.argv[1])"
    result = run([PY, "-c", code, "{scratch}"])
    assert result["stdout"] == f"{scratch_root} {{scratch}}\n"


def test_a_process_past_its_time_limit_is_killed() -> None:
    result = run([PY, "-c", "import time; print('x', flush=True); time.sleep(60)"], timeout_s=0.5)
    assert result["timed_out"]
    assert result["exit_code"] is None
    assert result["stdout"] == "x\n"
    assert result["duration_s"] < 10


def test_output_is_bounded_but_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(executor, "HEAD_BYTES", 1000)
    monkeypatch.setattr(executor, "TAIL_BYTES", 100)
    code = "import sys; sys.stdout.write('a' * 5_000_000 + 'END')"
    result = run([PY, "-c", code])
    assert result["stdout_bytes"] == 5_000_003
    assert len(result["stdout"]) < 2000
    assert result["stdout"].endswith("END")
    assert "bytes not kept" in result["stdout"]


def test_a_missing_binary_is_a_spawn_error() -> None:
    result = run(["/nonexistent/runtime"])
    assert result["exit_code"] is None
    assert "nonexistent" in result["spawn_error"]


def test_suite_data_is_never_interpreted_by_a_shell() -> None:
    result = run([PY, "-c", "import sys; print(sys.argv[1])", "; rm -rf / $(id)"])
    assert result["stdout"] == "; rm -rf / $(id)\n"


def test_a_silent_process_is_killed_at_its_idle_limit_and_a_talkative_one_is_not() -> None:
    quiet = "import time; print('started', flush=True); time.sleep(60)"
    result = run([PY, "-c", quiet], timeout_s=30, idle_timeout_s=0.6)
    assert result["timed_out"] and result["idle_timed_out"]
    assert result["duration_s"] < 10 and result["stdout"] == "started\n"
    chatty = "import time\nfor i in range(8):\n    print(i, flush=True); time.sleep(0.2)\n"
    result = run([PY, "-c", chatty], timeout_s=30, idle_timeout_s=0.6)
    assert not result["timed_out"] and result["exit_code"] == 0
    assert result["stdout"].split() == [str(i) for i in range(8)]
