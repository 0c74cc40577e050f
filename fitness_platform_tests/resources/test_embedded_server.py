"""The embedded PostgreSQL is never orphaned: SIGTERM and SIGINT end a holder normally, and a
holder killed outright is forgotten by the next one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from sqlalchemy import text
    from fitness_platform.resources.warehouse import WarehouseResource
    warehouse = WarehouseResource(embedded_dir=sys.argv[1])
    with warehouse.connect() as conn:
        conn.execute(text("SELECT 1"))
    Path(sys.argv[2]).write_text("ready")
    if sys.argv[3] == "wait":
        time.sleep(120)
""")


def postmaster_pid(pgdata: Path) -> int | None:
    pidfile = pgdata / "postmaster.pid"
    if not pidfile.exists():
        return None
    return int(pidfile.read_text().splitlines()[0])


def _default_signals() -> None:
    """In the holder, before it starts: SIGTERM and SIGINT as a user's shell gives them. A test
    run started in the background (``nohup``, ``cmd &``) passes them on ignored, and a process
    that inherits an ignored signal rightly keeps ignoring it."""
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, signal.SIG_DFL)


def hold(pgdata: Path, marker: Path, mode: str) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(pgdata), str(marker), mode],
        preexec_fn=_default_signals,
    )
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, "the holder exited before the server was ready"
        assert time.monotonic() < deadline
        time.sleep(0.1)
    return proc


def wait_stopped(pid: int, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
            return True
        time.sleep(0.2)
    return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_stops_the_embedded_server(tmp_path, sig):
    pgdata = tmp_path / "pg"
    proc = hold(pgdata, tmp_path / "ready", "wait")
    server = postmaster_pid(pgdata)
    assert server is not None and psutil.pid_exists(server)
    os.kill(proc.pid, sig)
    proc.wait(timeout=60)
    assert wait_stopped(server), "the embedded PostgreSQL outlived its only holder"


def test_a_killed_holder_is_forgotten(tmp_path):
    pgdata = tmp_path / "pg"
    killed = hold(pgdata, tmp_path / "first", "wait")
    server = postmaster_pid(pgdata)
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=10)
    assert psutil.pid_exists(server)  # nobody stopped it: the killed holder could not
    # The next holder prunes the dead one from pgserver's list, so its normal exit stops it.
    follower = hold(pgdata, tmp_path / "second", "exit")
    follower.wait(timeout=60)
    assert wait_stopped(server), "the server was orphaned by the SIGKILLed holder"
