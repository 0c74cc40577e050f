"""Delivery on every core: worker processes give the same bytes, in the same order, as one
process, and a worker that dies costs time, not results."""

from __future__ import annotations

import dataclasses
import json
import os
from datetime import date
from pathlib import Path

from fitness_platform.delivery.payload import athlete_keys
from fitness_platform.delivery.publish import publish_payloads, publish_reports
from fitness_platform.delivery.reporters import OfflineReporterResource
from fitness_platform.delivery.workers import ordered_map
from fitness_platform.resources.storage import LocalStorageResource
from fitness_platform.resources.warehouse import WarehouseResource
from fitness_platform_tests.helpers import SAMPLE_DELIVERY


def square_or_die(job: tuple[int, int]) -> int:
    """Squares ``n``; a worker given 5 dies the way a killed one does (no exception, no reply)."""
    n, parent = job
    if n == 5 and os.getpid() != parent:
        os._exit(1)
    return n * n


def test_results_come_back_in_input_order_from_many_workers():
    items = [(f"tag{n}", (n, 0)) for n in range(40) if n != 5]
    got = list(ordered_map(square_or_die, iter(items), workers=2))
    assert got == [(f"tag{n}", n * n) for n in range(40) if n != 5]


def test_a_worker_that_dies_leaves_the_rest_to_this_process():
    logged: list[str] = []
    parent = os.getpid()
    items = ((n, (n, parent)) for n in range(12))
    got = list(ordered_map(square_or_die, items, workers=2, log=logged.append))
    # Every item once, in order: 5 (whose worker died) was done again here, with what followed.
    assert got == [(n, n * n) for n in range(12)]
    assert logged and "one process" in logged[0]


def test_one_worker_means_this_process():
    parent = os.getpid()
    assert list(ordered_map(square_or_die, [(5, (5, parent))], workers=1)) == [(5, 25)]


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "delivery_state" not in p.parts
    }


def _plain(summary, root: Path) -> str:
    """A summary as text, its URIs relative to the output folder."""
    return json.dumps(dataclasses.asdict(summary), default=str).replace(str(root), "ROOT")


def test_worker_processes_deliver_the_same_bytes_as_one_process(sample_run, tmp_path):
    url, delivered = sample_run
    first, last = (date.fromisoformat(d) for d in SAMPLE_DELIVERY)
    warehouse = WarehouseResource(database_url=url)
    trees, summaries = {}, {}
    for workers in (1, 2):
        storage = LocalStorageResource(root=str(tmp_path / f"w{workers}"))
        with warehouse.connect() as conn:
            payloads = publish_payloads(conn, storage, first, last, workers=workers)
            athletes = athlete_keys(conn)
        reports = publish_reports(
            storage, OfflineReporterResource(), athletes, first, last, workers=workers
        )
        trees[workers] = _tree(tmp_path / f"w{workers}")
        summaries[workers] = (payloads, reports)
    assert len(summaries[1][0].written) > 100 and not summaries[1][0].invalid
    assert len(summaries[1][1].written) == len(summaries[1][0].written)
    assert trees[1] == trees[2]
    for one, two in zip(summaries[1], summaries[2], strict=True):
        assert _plain(one, tmp_path / "w1") == _plain(two, tmp_path / "w2")
    # And the same as the Dagster delivery of the session's sample run wrote.
    sample = _tree(Path(delivered))
    shared = {k for k in trees[2] if k.startswith(("payloads/", "reports/"))}
    assert shared and all(trees[2][k] == sample[k] for k in shared)
