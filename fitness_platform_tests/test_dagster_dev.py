"""`dagster dev` for real: webserver and daemon on loopback. The sensors deliver the sample by
themselves (raw sensor → ingestion → Gold → refresh sensor → payloads and reports); then a
backfill of every weekly partition launched through Dagster's GraphQL API is one run with passing
checks."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from fitness_platform.paths import REPO_ROOT

LAUNCH = """
mutation Launch($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
    ... on UnauthorizedError { message }
  }
}"""
STATUS = """
query Status($id: String!) {
  partitionBackfillOrError(backfillId: $id) {
    __typename
    ... on PartitionBackfill { status numPartitions }
    ... on PythonError { message }
  }
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(url: str, query: str, variables: dict) -> dict:
    reply = requests.post(url, json={"query": query, "variables": variables}, timeout=30)
    reply.raise_for_status()
    body = reply.json()
    assert "errors" not in body, body
    return body["data"]


@pytest.fixture
def dagster_dev(platform_env, tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((REPO_ROOT / "dagster.yaml").read_text())
    port = free_port()
    env = dict(os.environ, DAGSTER_HOME=str(home))
    log = (tmp_path / "dagster_dev.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dagster",
            "dev",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-w",
            "workspace.yaml",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, (tmp_path / "dagster_dev.log").read_text()
            try:
                if requests.post(url, json={"query": "{ version }"}, timeout=5).ok:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "dagster dev did not answer in 120 s"
            time.sleep(1)
        yield url, home
    finally:
        stop_group(proc)
        log.close()


def stop_group(proc: subprocess.Popen) -> None:
    """dagster dev runs in its own process group: stop the whole group, forcefully if needed."""
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def wait_for_sensor_delivery(home: Path, out: Path, monkeypatch) -> None:
    """Until the refresh sensor's delivery run has succeeded and written every payload."""
    from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

    monkeypatch.setenv("DAGSTER_HOME", str(home))
    deadline = time.monotonic() + 300
    with DagsterInstance.get() as instance:
        while True:
            runs = instance.get_runs(
                RunsFilter(
                    job_name="weekly_delivery_job",
                    tags={"dagster/sensor_name": "weekly_refresh_sensor"},
                )
            )
            failed = [r for r in runs if r.status == DagsterRunStatus.FAILURE]
            assert not failed, f"the sensor's delivery run failed: {failed[0].run_id}"
            done = [r for r in runs if r.status == DagsterRunStatus.SUCCESS]
            if done:
                break
            assert time.monotonic() < deadline, "the sensors delivered nothing in 300 s"
            time.sleep(3)
        ingests = instance.get_runs(RunsFilter(job_name="ingest_job"))
        assert any(r.tags.get("dagster/sensor_name") == "raw_exports_sensor" for r in ingests)
    assert len(list(out.glob("payloads/athlete=demo/*/weekly_fitness_context.json"))) == 142
    assert len(list(out.glob("reports/athlete=demo/*/weekly_report.md"))) == 142


def test_sensors_deliver_then_a_backfill_of_every_week_is_one_run(dagster_dev, monkeypatch):
    url, home = dagster_dev
    out = Path(os.environ["FITNESS_OUTPUT_DIR"])
    wait_for_sensor_delivery(home, out, monkeypatch)
    data = graphql(
        url,
        LAUNCH,
        {
            "params": {
                "assetSelection": [
                    {"path": ["delivery", "weekly_payload"]},
                    {"path": ["delivery", "weekly_report"]},
                ],
                "allPartitions": True,
                "title": "all weeks",
            }
        },
    )
    launched = data["launchPartitionBackfill"]
    assert launched["__typename"] == "LaunchBackfillSuccess", launched
    backfill_id = launched["backfillId"]
    deadline = time.monotonic() + 240
    while True:
        status = graphql(url, STATUS, {"id": backfill_id})["partitionBackfillOrError"]
        if status["status"] in {
            "COMPLETED",
            "COMPLETED_SUCCESS",
            "FAILED",
            "CANCELED",
            "COMPLETED_FAILED",
        }:
            break
        assert time.monotonic() < deadline, status
        time.sleep(2)
    assert status["status"] in {"COMPLETED", "COMPLETED_SUCCESS"}, status

    from dagster import AssetKey, DagsterEventType, DagsterInstance, RunsFilter

    instance = DagsterInstance.get()
    runs = instance.get_runs(RunsFilter(tags={"dagster/backfill": backfill_id}))
    assert len(runs) == 1 and runs[0].is_success
    run_id = runs[0].run_id
    weekly = status["numPartitions"]
    for key in (["delivery", "weekly_payload"], ["delivery", "weekly_report"]):
        records = instance.fetch_materializations(AssetKey(key), limit=10_000).records
        partitions = {r.partition_key for r in records if r.run_id == run_id}
        assert len(partitions) == weekly > 140
    checks = instance.get_records_for_run(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
    data = [r.event_log_entry.dagster_event.event_specific_data for r in checks.records]
    evaluations = {d.check_name: d.passed for d in data}
    assert evaluations == {
        "payload_matches_json_schema": True,
        "data_inside_partitions": True,
        "reports_verified": True,
        "report_numbers_traceable": True,
    }
    assert len(list(out.glob("payloads/athlete=demo/*/weekly_fitness_context.json"))) == 142
