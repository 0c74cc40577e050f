"""Sample delivery to S3 (a moto server on loopback) against a local folder: ``python -m bench.s3``.

The committed sample is ingested once into a fresh database of the bench's embedded PostgreSQL;
then the whole delivery job (payloads, reports, site, e-mail step) runs over every week of the
sample, fresh and again with nothing changed, once into a local folder and once into a bucket of
a moto S3 server on 127.0.0.1 (every request a real HTTP round trip). Prints the times and the
ratios; with ``--json-out`` writes them too (``bench.run --profile full`` records them in
bench/results.json)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
import uuid
from pathlib import Path

from bench.run import WORKDIR, _drop_database, _new_database

FAKE_KEY_ID = "AKIABENCHFAKE0000001"
FAKE_SECRET = "bench-fake-secret-not-a-real-one"
QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


def _deliver(defs, first: str, last: str) -> float:
    from dagster import DagsterInstance

    from fitness_platform.delivery.schedules import range_run_tags

    started = time.perf_counter()
    with DagsterInstance.ephemeral() as instance:  # disposed in this thread, not by the collector
        result = defs.resolve_job_def("weekly_delivery_job").execute_in_process(
            instance=instance, run_config=QUIET, tags=range_run_tags(first, last)
        )
    assert result.success
    return time.perf_counter() - started


def measure() -> dict:
    import boto3
    from dagster import DagsterInstance
    from moto.server import ThreadedMotoServer

    from fitness_platform.definitions import build_definitions
    from fitness_platform.paths import DATA_DIR
    from fitness_platform.resources.warehouse import embedded_url
    from fitness_platform.settings import Settings

    admin = embedded_url(WORKDIR / "pg")
    name = f"bench_s3_{uuid.uuid4().hex[:6]}"
    url = _new_database(admin, name)
    work = WORKDIR / f"s3_{name}"
    os.environ.update(
        FITNESS_DATABASE_URL=url,
        FITNESS_RAW_DIR=str(DATA_DIR / "raw"),
        FITNESS_OUTPUT_DIR=str(work / "out"),
        FITNESS_STATE_DIR=str(work / "state"),
        FITNESS_STORAGE="local",
        FITNESS_LLM="offline",
    )
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one log line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    out: dict = {}
    try:
        defs = build_definitions(Settings.from_env())
        ingest = defs.resolve_job_def("ingest_job")
        with DagsterInstance.ephemeral() as instance:
            assert ingest.execute_in_process(instance=instance, run_config=QUIET).success
        keys = defs.resolve_job_def("weekly_delivery_job").partitions_def.get_partition_keys()
        from fitness_platform.delivery.payload import weeks_with_data
        from fitness_platform.resources.warehouse import WarehouseResource

        with WarehouseResource(database_url=url).connect() as conn:
            weeks = sorted({str(w) for _, w in weeks_with_data(conn, *_span())})
        first = next(k for k in keys if k >= weeks[0])
        last = max(k for k in keys if k <= weeks[-1])
        out["weeks"] = keys.index(last) - keys.index(first) + 1
        out["local_fresh_s"] = _deliver(defs, first, last)
        out["local_replay_s"] = _deliver(defs, first, last)

        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        os.environ.update(
            FITNESS_STORAGE="s3",
            FITNESS_S3_BUCKET="bench-bucket",
            FITNESS_S3_PREFIX="bench",
            FITNESS_S3_ENDPOINT_URL=endpoint,
            AWS_ACCESS_KEY_ID=FAKE_KEY_ID,
            AWS_SECRET_ACCESS_KEY=FAKE_SECRET,
            AWS_REGION="us-east-1",
            AWS_DEFAULT_REGION="us-east-1",
        )
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(
            Bucket="bench-bucket"
        )
        defs = build_definitions(Settings.from_env())
        out["s3_fresh_s"] = _deliver(defs, first, last)
        out["s3_replay_s"] = _deliver(defs, first, last)
        objects = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        pages = objects.get_paginator("list_objects_v2").paginate(Bucket="bench-bucket")
        out["s3_objects"] = sum(len(p.get("Contents", [])) for p in pages)
        out["s3_vs_local_fresh"] = out["s3_fresh_s"] / out["local_fresh_s"]
        out["s3_vs_local_replay"] = out["s3_replay_s"] / out["local_replay_s"]
    finally:
        server.stop()
        _drop_database(admin, name)
    return out


def _span():
    from datetime import date

    return date(2000, 1, 3), date(2100, 1, 4)


def table(result: dict) -> str:
    return (
        f"sample delivery ({result['weeks']} weeks, {result['s3_objects']} objects): "
        f"local folder {result['local_fresh_s']:.1f} s fresh / {result['local_replay_s']:.2f} s "
        f"replay; S3 (moto server) {result['s3_fresh_s']:.1f} s / {result['s3_replay_s']:.2f} s; "
        f"S3 against local {result['s3_vs_local_fresh']:.2f}× fresh, "
        f"{result['s3_vs_local_replay']:.2f}× replay"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args(argv)
    result = measure()
    if args.json_out:
        args.json_out.write_text(json.dumps(result))
    print(table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
