"""Worker processes that end with their parent: the one way the platform starts them.

Spawned, never forked: callers hold threads and database connections, which a fork would copy
half-way. Kept free of heavy imports, so that a worker starts in a fraction of a second; the work
a worker is given imports what it needs."""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

PR_SET_PDEATHSIG = 1  # linux/prctl.h
WATCHDOG_SECONDS = 0.5


def _die_with_parent(parent_pid: int) -> None:
    """Worker initializer: end this worker as soon as the process that started it is gone (a
    parent killed with SIGKILL runs no cleanup, and an orphaned worker would parse on for
    minutes). Linux is told directly; a watchdog thread covers every platform."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)

    def watch() -> None:
        while True:
            if os.getppid() != parent_pid:
                os._exit(1)
            time.sleep(WATCHDOG_SECONDS)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """Spawned (not forked: the caller holds threads and connections) workers that end when
    their parent does."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_die_with_parent,
        initargs=(os.getpid(),),
    )
