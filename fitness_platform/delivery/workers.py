"""Delivery's CPU work on every core: payloads and offline reports of many athletes at once.

A backfill builds and checks hundreds of thousands of payloads and reports; each is a few ms of
pure Python, so one process uses one core of the machine. ``ordered_map`` runs the work of one
athlete at a time in a pool of spawned processes, keeps only a few athletes in flight (memory
stays bounded whatever the number of athletes), and gives the results back in the order of the
input, so that everything the caller writes (manifests, metadata, logs) is the same as when the
work is done in this process. Storage writes and manifests stay in the caller: only bytes and
plain values cross the process boundary."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from fitness_platform.processes import worker_pool

T = TypeVar("T")
A = TypeVar("A")
R = TypeVar("R")

IN_FLIGHT_PER_WORKER = 2
"""Athletes submitted ahead per worker: enough to keep every worker busy while the caller writes
the results of the previous one, few enough to bound memory."""


def default_workers() -> int:
    return os.cpu_count() or 1


def ordered_map(
    fn: Callable[[A], R],
    items: Iterable[tuple[T, A]],
    *,
    workers: int,
    log: Callable[[str], None] | None = None,
) -> Iterator[tuple[T, R]]:
    """``(tag, fn(arg))`` for every ``(tag, arg)`` of ``items``, in their order.

    With ``workers`` of 2 or more, ``fn`` (a module-level function) runs in that many spawned
    processes; the tag stays here. If the pool cannot start or breaks (a worker killed, a
    platform without spawn), what is left runs in this process: the results are the same."""
    window = max(workers, 1) * IN_FLIGHT_PER_WORKER
    pending: deque = deque()
    pool = _start(workers, log) if workers >= 2 else None
    try:
        for tag, arg in items:
            if pool is not None:
                try:
                    future = pool.submit(fn, arg)
                except BrokenProcessPool as exc:
                    pool = _stop(pool, exc, log)
                else:
                    pending.append((tag, arg, future))
                    try:
                        while len(pending) >= window:
                            yield _next(pending)
                    except BrokenProcessPool as exc:
                        pool = _stop(pool, exc, log)
                        yield from _here(pending, fn)
                    continue
            yield from _here(pending, fn)  # what a broken pool left, first: order is kept
            yield tag, fn(arg)
        while pending:
            try:
                yield _next(pending)
            except BrokenProcessPool as exc:
                pool = _stop(pool, exc, log)
                yield from _here(pending, fn)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _here(pending: deque, fn):
    """The work still in flight in a pool that broke, done again in this process, in order."""
    while pending:
        tag, arg, _ = pending.popleft()
        yield tag, fn(arg)


def _start(workers: int, log):
    try:
        return worker_pool(workers)
    except OSError as exc:  # no process pool on this platform
        if log is not None:
            log(f"worker processes unavailable ({exc}); carrying on in one process")
        return None


def _stop(pool, exc: BaseException, log) -> None:
    if log is not None:
        log(f"a worker process failed ({exc}); carrying on in one process")
    pool.shutdown(wait=False, cancel_futures=True)
    return None


def _next(pending: deque):
    """The oldest result; it leaves ``pending`` only once it is in hand (so that a broken pool
    leaves it to be done again in this process)."""
    tag, _, future = pending[0]
    result = future.result()
    pending.popleft()
    return tag, result
