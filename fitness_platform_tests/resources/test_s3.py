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


def _requests(storage: S3StorageResource) -> list[str]:
    """The S3 operations the resource's client sends from now on, in order."""
    sent: list[str] = []
    storage._client().meta.events.register(
        "before-call.s3", lambda model, **_: sent.append(model.name)
    )
    return sent


def test_a_run_asks_s3_only_what_it_does_not_know(aws, bucket):
    """Inside a run the resource lists an athlete's folder once instead of reading each object:
    a missing object costs no request, an unchanged one is recognised by its ETag (the MD5 of an
    SSE-S3 object written in one PUT), and what the run wrote is read back from memory."""
    from dagster import build_init_resource_context

    endpoint, client = aws
    for week in ("2024-01-01", "2024-01-08"):
        client.put_object(
            Bucket=bucket,
            Key=f"p/payloads/athlete=a/week_start={week}/weekly_fitness_context.json",
            Body=f'{{"week": "{week}"}}'.encode(),
            ServerSideEncryption="AES256",
        )
    storage = S3StorageResource(
        s3=S3Resource(endpoint_url=endpoint, region_name="us-east-1"), bucket=bucket, prefix="p"
    )
    storage.setup_for_execution(build_init_resource_context())
    sent = _requests(storage)
    week1 = "payloads/athlete=a/week_start=2024-01-01/weekly_fitness_context.json"
    week2 = "payloads/athlete=a/week_start=2024-01-08/weekly_fitness_context.json"
    week3 = "payloads/athlete=a/week_start=2024-01-15/weekly_fitness_context.json"

    assert storage.read_bytes(week3) is None  # one listing of athlete=a's payloads...
    assert storage.holds(week1, b'{"week": "2024-01-01"}')  # ...answers these three
    assert not storage.holds(week2, b'{"week": "changed"}')
    assert not storage.holds(week3, b"{}")
    assert sent == ["ListObjectsV2"]
    assert storage.read_bytes(week2) == b'{"week": "2024-01-08"}'  # an existing object: a GET
    assert sent == ["ListObjectsV2", "GetObject"]

    storage.write_bytes(week3, b'{"week": "2024-01-15"}', content_type="application/json")
    assert storage.read_bytes(week3) == b'{"week": "2024-01-15"}'  # from memory
    assert storage.holds(week3, b'{"week": "2024-01-15"}')
    storage.delete(week1)
    assert storage.read_bytes(week1) is None and not storage.holds(week1, b"{}")
    # Another athlete, and a key in a top folder: a listing each, top folders not descended.
    assert storage.read_bytes("payloads/athlete=b/manifest.json") is None
    assert storage.read_bytes("payloads/index.json") is None
    assert (
        sent == ["ListObjectsV2", "GetObject", "PutObject", "DeleteObject"] + ["ListObjectsV2"] * 2
    )
    listed = [c for c in client.list_objects_v2(Bucket=bucket, Prefix="p/")["Contents"] if c["Key"]]
    assert {c["Key"] for c in listed} == {f"p/{week2}", f"p/{week3}"}


def test_outside_a_run_every_read_goes_to_s3(aws, bucket):
    """Without a run (the command line's planning) nothing is remembered between two reads: an
    object another process wrote in between is seen."""
    endpoint, client = aws
    storage = S3StorageResource(
        s3=S3Resource(endpoint_url=endpoint, region_name="us-east-1"), bucket=bucket
    )
    assert storage.read_bytes("site_state/stamp.json") is None
    client.put_object(Bucket=bucket, Key="site_state/stamp.json", Body=b"1")
    assert storage.read_bytes("site_state/stamp.json") == b"1"
    assert storage.holds("site_state/stamp.json", b"1")


def test_a_write_during_a_listing_is_not_lost():
    """A write that lands while its folder is being listed (the listing may or may not hold
    it) is applied to the listing; so is a delete."""
    from fitness_platform.resources.s3 import RunView

    view = RunView()

    def lister(folder, deep):
        assert (folder, deep) == ("reports/athlete=a/", True)
        view.wrote("reports/athlete=a/w1/r.md", b"new", '"etag-1"')  # lands meanwhile
        view.deleted("reports/athlete=a/w2/r.md")
        return {"reports/athlete=a/w2/r.md": '"etag-2"', "reports/athlete=a/w3/r.md": "x"}

    listing = view.listing("reports/athlete=a/w9/r.md", lister)
    assert listing == {"reports/athlete=a/w1/r.md": '"etag-1"', "reports/athlete=a/w3/r.md": "x"}
    assert view.listing("reports/athlete=a/w1/r.md", None) is listing  # listed once
    assert view.journals == {} and view.listers == {}
    assert RunView.scope("site_state/athletes.index.json") == ("site_state/", False)
    assert RunView.scope("roster.html") == ("", False)


def test_raw_mirror_uses_one_client_and_downloads_only_what_changed(
    aws, bucket, tmp_path, monkeypatch
):
    """A first mirror of several athletes downloads every export (concurrently); the next scan
    lists the prefix and downloads only the object whose ETag changed; a vanished object leaves
    the cache. Every request goes out on one client (building one costs about 0.1 s)."""
    from fitness_platform.resources.s3 import S3RawFilesResource

    endpoint, client = aws
    built = []
    original = S3Resource.get_client

    def counting(self, *args, **kwargs):
        built.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(S3Resource, "get_client", counting)
    athletes = [f"athlete_{i:02d}" for i in range(12)]
    for athlete in athletes:
        client.put_object(Bucket=bucket, Key=f"raw/{athlete}/export.csv", Body=athlete.encode())
    raw = S3RawFilesResource(
        s3=S3Resource(endpoint_url=endpoint, region_name="us-east-1"),
        bucket=bucket,
        prefix="raw",
        raw_dir=str(tmp_path / "cache"),
    )
    raw.discover()
    for athlete in athletes:
        assert (tmp_path / "cache" / athlete / "export.csv").read_bytes() == athlete.encode()

    sent = []
    raw._client().meta.events.register("before-call.s3", lambda model, **_: sent.append(model.name))
    client.put_object(Bucket=bucket, Key="raw/athlete_03/export.csv", Body=b"changed")
    client.delete_object(Bucket=bucket, Key="raw/athlete_07/export.csv")
    raw.discover()
    assert (tmp_path / "cache" / "athlete_03" / "export.csv").read_bytes() == b"changed"
    assert not (tmp_path / "cache" / "athlete_07").exists()
    assert sent == ["ListObjectsV2", "GetObject"]  # one listing, and athlete_03's object
    client.put_object(Bucket=bucket, Key="raw/athlete_05/athlete.toml", Body=b'time_zone = "UTC"\n')
    sent.clear()
    assert raw.athletes_with("athlete.toml") == ["athlete_05"]
    assert sent == ["ListObjectsV2"]  # one listing, not a read per athlete
    assert raw.read("athlete_03", "export.csv") == b"changed"
    assert raw.read("athlete_07", "export.csv") is None
    raw.write("athlete_03", "other.csv", b"x")
    raw.state()
    assert len(built) == 1
