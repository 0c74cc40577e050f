"""Worker processes end with the process that started them, even when it is killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import psutil

PARENT = textwrap.dedent("""
    import sys, time
    from fitness_platform.processes import worker_pool
    pool = worker_pool(2)
    futures = [pool.submit(time.sleep, 120) for _ in range(2)]
    while len(pool._processes) < 2:
        time.sleep(0.05)
    print(" ".join(str(pid) for pid in pool._processes), flush=True)
    time.sleep(120)
""")


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_workers_die_when_their_parent_is_killed():
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    workers = [int(pid) for pid in parent.stdout.readline().split()]
    assert len(workers) == 2 and not any(gone(pid) for pid in workers)
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while not all(gone(pid) for pid in workers):
        # Before the fix, the workers went on with their task (here two minutes of it).
        assert time.monotonic() < deadline, "parse workers outlived their killed parent"
        time.sleep(0.1)


def _thresholds(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_workers_and_the_started_command_collect_less_often_than_python_does():
    """A worker, and the command once started, use the platform's collector thresholds, not
    the interpreter's own (read here from a plain interpreter)."""
    import gc

    from fitness_platform.processes import COLLECTOR_THRESHOLDS, worker_pool

    default = _thresholds("import gc; print(gc.get_threshold())")
    assert default != str(COLLECTOR_THRESHOLDS)
    with worker_pool(1) as pool:
        assert str(pool.submit(gc.get_threshold).result()) == str(COLLECTOR_THRESHOLDS)
    started = _thresholds(
        "import gc; from fitness_platform import cli; gc.disable(); "
        "cli._startup_done(freeze=False); print(gc.isenabled(), gc.get_threshold())"
    )
    assert started == f"True {COLLECTOR_THRESHOLDS}"
    # A caller that never turned collection off (a test calling ``main``) is left as it is.
    untouched = _thresholds(
        "import gc; from fitness_platform import cli; cli._startup_done(freeze=False); "
        "print(gc.get_threshold())"
    )
    assert untouched == default
