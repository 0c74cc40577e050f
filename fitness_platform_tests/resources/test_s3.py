"""S3 storage and raw exports against a moto S3 server on loopback."""

from __future__ import annotations

import shutil
import threading

import boto3
import pytest
from dagster_aws.s3 import S3Resource
from moto.server import ThreadedMotoServer

from fitness_platform.errors import ConfigurationError
from fitness_platform.resources.s3 import S3StorageResource
from fitness_platform_tests.aws import FAKE_KEY_ID, FAKE_SECRET, FlakyProxy
from fitness_platform_tests.helpers import (
    SAMPLE_DIET,
    SAMPLE_HEVY,
    materialization_metadata,
    run_delivery,
    run_ingest,
)


@pytest.fixture(scope="module")
def moto_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws(monkeypatch, moto_endpoint):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", FAKE_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    client = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    return moto_endpoint, client


@pytest.fixture
def bucket(aws, request):
    _, client = aws
    name = "fitness-" + request.node.name.replace("_", "-")[:40].lower()
    client.create_bucket(Bucket=name)
    return name


def test_delivery_layer_on_s3(platform_env, aws, bucket, monkeypatch):
    endpoint, client = aws
    monkeypatch.setenv("FITNESS_STORAGE", "s3")
    monkeypatch.setenv("FITNESS_S3_BUCKET", bucket)
    monkeypatch.setenv("FITNESS_S3_PREFIX", "team/fitness")
    monkeypatch.setenv("FITNESS_S3_ENDPOINT_URL", endpoint)
    assert run_ingest().success
    delivery = run_delivery("2024-01-01", "2024-02-26")
    assert delivery.success
    everything = sorted(o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"])
    # The frames passed between steps sit beside the outputs, in their own folder.
    assert "team/fitness/dagster-io/silver/workout_sets" in everything
    keys = [k for k in everything if not k.startswith("team/fitness/dagster-io/")]
    # Nine weeks × (payload, report, report sidecar, verification record).
    outputs = [k for k in keys if k.startswith(("team/fitness/payloads/", "team/fitness/reports/"))]
    assert len(outputs) == 36
    # The feature table and its column dictionary, written by the ingestion through the storage.
    assert {k for k in keys if k.startswith("team/fitness/features/")} == {
        "team/fitness/features/weekly_features.parquet",
        "team/fitness/features/weekly_features.columns.json",
    }
    payload = "team/fitness/payloads/athlete=demo/week_start=2024-01-22/weekly_fitness_context.json"
    report = "team/fitness/reports/athlete=demo/week_start=2024-01-22/weekly_report.md"
    assert payload in keys and report in keys
    head = client.head_object(Bucket=bucket, Key=payload)
    assert head["ContentType"] == "application/json"
    assert head["ServerSideEncryption"] == "AES256"
    assert client.head_object(Bucket=bucket, Key=report)["ContentType"].startswith("text/markdown")
    meta = materialization_metadata(delivery, ("delivery", "weekly_payload"))
    assert meta["path"].startswith(f"s3://{bucket}/team/fitness/payloads/athlete=demo/")
    assert meta["storage_root"] == f"s3://{bucket}/team/fitness"
    # Credentials never reach the event log (metadata, logs, errors).
    for event in delivery.all_events:
        text = repr(event)
        assert FAKE_SECRET not in text and FAKE_KEY_ID not in text
    again = run_delivery("2024-01-01", "2024-02-26")
    assert materialization_metadata(again, ("delivery", "weekly_payload"))["run_written"] == 0
    assert materialization_metadata(again, ("delivery", "weekly_report"))["run_written"] == 0


def test_raw_exports_from_an_s3_prefix(platform_env, aws, bucket, monkeypatch, warehouse):
    _, client = aws
    client.upload_file(str(SAMPLE_HEVY), bucket, f"exports/demo/{SAMPLE_HEVY.name}")
    client.upload_file(str(SAMPLE_DIET), bucket, f"exports/demo/{SAMPLE_DIET.name}")
    monkeypatch.setenv("FITNESS_RAW_DIR", f"s3://{bucket}/exports")
    monkeypatch.setenv("FITNESS_S3_ENDPOINT_URL", aws[0])
    monkeypatch.chdir(platform_env["FITNESS_OUTPUT_DIR"].rsplit("/", 1)[0])
    assert run_ingest().success
    with warehouse.connect() as conn:
        from sqlalchemy import text

        assert conn.execute(text("SELECT count(*) FROM fitness.sets")).scalar_one() == 9542


def test_missing_bucket_is_a_clear_error(aws):
    endpoint, _ = aws
    storage = S3StorageResource(
        s3=S3Resource(endpoint_url=endpoint, region_name="us-east-1"),
        bucket="no-such-bucket-here",
        prefix="p",
    )
    with pytest.raises(ConfigurationError, match="S3 bucket 'no-such-bucket-here' does not exist"):
        storage.write_bytes("payloads/x.json", b"{}", content_type="application/json")


def test_transient_5xx_is_retried(aws, bucket):
    endpoint, client = aws
    with FlakyProxy(endpoint, failures=2) as proxy:
        storage = S3StorageResource(
            s3=S3Resource(endpoint_url=proxy.url, region_name="us-east-1", max_attempts=5),
            bucket=bucket,
        )
        uri = storage.write_bytes("reports/r.md", b"# hi\n", content_type="text/markdown")
    assert proxy.failed == 2 and proxy.forwarded >= 1
    assert uri == f"s3://{bucket}/reports/r.md"
    assert client.get_object(Bucket=bucket, Key="reports/r.md")["Body"].read() == b"# hi\n"


def test_write_many_writes_concurrently_and_in_order(aws, bucket):
    endpoint, client = aws
    storage = S3StorageResource(
        s3=S3Resource(endpoint_url=endpoint, region_name="us-east-1"), bucket=bucket, prefix="w"
    )
    items = [
        (f"payloads/{i:02d}.json", f'{{"n": {i}}}'.encode(), "application/json") for i in range(20)
    ]
    threads = set()
    storage._client().meta.events.register(
        "before-send.s3.PutObject", lambda **_: threads.add(threading.current_thread().name)
    )
    uris = storage.write_many(items)
    assert uris == [f"s3://{bucket}/w/payloads/{i:02d}.json" for i in range(20)]
    for i in range(20):
        reply = client.get_object(Bucket=bucket, Key=f"w/payloads/{i:02d}.json")
        assert reply["Body"].read() == f'{{"n": {i}}}'.encode()
        assert reply["ContentType"] == "application/json"
    # The requests went out on the resource's one client from several threads, not one by one.
    assert 1 < len(threads) <= storage.WRITE_CONCURRENCY
    assert all(name.startswith("s3") for name in threads)


def test_write_many_failure_is_the_clear_error(aws):
    endpoint, _ = aws
    storage = S3StorageResource(
        s3=S3Resource(endpoint_url=endpoint, region_name="us-east-1"), bucket="no-such-bucket-w"
    )
    with pytest.raises(ConfigurationError, match="S3 bucket 'no-such-bucket-w' does not exist"):
        storage.write_many([("a.json", b"{}", "application/json"), ("b.json", b"{}", "x/y")])


def test_local_raw_dir_unaffected_by_s3_settings(tmp_path):
    from fitness_platform.settings import Settings

    settings = Settings.from_env({"FITNESS_RAW_DIR": str(tmp_path)}, root=tmp_path)
    assert settings.raw_s3_uri is None and settings.raw_dir == tmp_path
    s3 = Settings.from_env({"FITNESS_RAW_DIR": "s3://b/p"}, root=tmp_path)
    assert s3.raw_s3_uri == "s3://b/p" and s3.raw_dir == tmp_path / ".fitness" / "raw_cache"
    shutil.rmtree(tmp_path, ignore_errors=True)
