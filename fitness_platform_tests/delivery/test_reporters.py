"""The Bedrock reporter against botocore's Stubber on a real bedrock-runtime client."""

from __future__ import annotations

import json

import pytest
from botocore.stub import Stubber

from fitness_platform.delivery.payload import payload_key, report_key, report_meta_key
from fitness_platform.delivery.prompt import PROMPT_VERSION, SYSTEM_PROMPT
from fitness_platform.delivery.publish import publish_reports
from fitness_platform.delivery.reporters import BedrockReporterResource
from fitness_platform.errors import ReportRefused
from fitness_platform.resources.storage import LocalStorageResource
from fitness_platform_tests.aws import FAKE_KEY_ID, FAKE_SECRET
from fitness_platform_tests.helpers import (
    FIXTURES,
    check_results,
    materialization_metadata,
    run_delivery,
    run_ingest,
)

MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"
WEEK = "2024-05-13"


def reply(text: str, stop: str = "end_turn") -> dict:
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": stop,
        "usage": {"inputTokens": 5120, "outputTokens": 412, "totalTokens": 5532},
        "metrics": {"latencyMs": 2310},
    }


@pytest.fixture
def aws_env(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", FAKE_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


@pytest.fixture
def payload_store(tmp_path):
    """A storage holding one real payload of the sample (built once by the platform)."""
    source = FIXTURES / "payload_demo_2024-05-13.json"
    storage = LocalStorageResource(root=str(tmp_path / "out"))
    storage.write_bytes(
        payload_key("demo", WEEK), source.read_bytes(), content_type="application/json"
    )
    return storage, json.loads(source.read_text()), source.read_text()


def stubbed(reporter: BedrockReporterResource) -> Stubber:
    return Stubber(reporter.client())


def test_normal_reply_sends_the_exact_request(aws_env, payload_store):
    storage, payload, payload_json = payload_store
    reporter = BedrockReporterResource(model_id=MODEL, region_name="us-east-1", max_tokens=1500)
    tonnage = payload["training_overview"]["tonnage_kg"]  # a reply quoting the payload's numbers
    text = f"## Week at a glance\nFour sessions, 68 working sets, tonnage {tonnage} kg."
    with stubbed(reporter) as stub:
        stub.add_response(
            "converse",
            reply(text),
            expected_params={
                "modelId": MODEL,
                "system": [{"text": SYSTEM_PROMPT}],
                "messages": [{"role": "user", "content": [{"text": payload_json}]}],
                "inferenceConfig": {"maxTokens": 1500, "temperature": 0.0},
            },
        )
        summary = publish_reports(storage, reporter, ["demo"], _d(WEEK), _d(WEEK))
        stub.assert_no_pending_responses()
    assert f"Prompt version: {PROMPT_VERSION}." in SYSTEM_PROMPT
    stored = storage.read_bytes(report_key("demo", WEEK)).decode()
    assert stored.endswith(text + "\n")
    assert summary.usage == {"input_tokens": 5120, "output_tokens": 412, "total_tokens": 5532}
    assert summary.latencies_ms == [2310]
    assert summary.untraceable == []
    meta = json.loads(storage.read_bytes(report_meta_key("demo", WEEK)))
    assert meta["model_id"] == MODEL and meta["prompt_version"] == PROMPT_VERSION
    # Same payload, prompt and model: no second request (a pending stub would be unused).
    with stubbed(reporter) as stub:
        again = publish_reports(storage, reporter, ["demo"], _d(WEEK), _d(WEEK))
    assert again.unchanged == 1 and again.written == []


def test_throttling_then_success(aws_env, payload_store):
    storage, _, _ = payload_store
    reporter = BedrockReporterResource(model_id=MODEL, region_name="us-east-1", backoff_seconds=0)
    with stubbed(reporter) as stub:
        stub.add_client_error(
            "converse",
            service_error_code="ThrottlingException",
            service_message="Too many requests",
            http_status_code=429,
        )
        stub.add_client_error(
            "converse", service_error_code="ServiceUnavailableException", http_status_code=503
        )
        stub.add_response("converse", reply("## Week at a glance\nFour sessions."))
        summary = publish_reports(storage, reporter, ["demo"], _d(WEEK), _d(WEEK))
        stub.assert_no_pending_responses()
    assert len(summary.written) == 1


def test_truncated_reply_fails_and_stores_nothing(aws_env, payload_store):
    storage, _, _ = payload_store
    reporter = BedrockReporterResource(model_id=MODEL, region_name="us-east-1")
    with stubbed(reporter) as stub:
        stub.add_response("converse", reply("## Week at a glance\nFour sess", stop="max_tokens"))
        with pytest.raises(ReportRefused, match="cut off at max_tokens=2000"):
            publish_reports(storage, reporter, ["demo"], _d(WEEK), _d(WEEK))
    assert storage.read_bytes(report_key("demo", WEEK)) is None
    assert storage.read_bytes(report_meta_key("demo", WEEK)) is None


def test_empty_reply_fails(aws_env, payload_store):
    storage, _, _ = payload_store
    reporter = BedrockReporterResource(model_id=MODEL, region_name="us-east-1")
    with stubbed(reporter) as stub:
        stub.add_response("converse", reply("   "))
        with pytest.raises(ReportRefused, match="was empty"):
            publish_reports(storage, reporter, ["demo"], _d(WEEK), _d(WEEK))


def test_invented_number_makes_the_asset_check_warn(platform_env, aws_env, monkeypatch):
    monkeypatch.setenv("FITNESS_LLM", "bedrock")
    monkeypatch.setenv("FITNESS_BEDROCK_MODEL_ID", MODEL)
    reporter = BedrockReporterResource(model_id=MODEL, region_name="us-east-1")
    client = reporter.client()
    stub = Stubber(client)
    stub.add_response(
        "converse", reply("## Week at a glance\n68 working sets. Your squat 1RM is about 187.5 kg.")
    )
    stub.activate()
    # Dagster copies resources per run, so hand every copy the stubbed client.
    monkeypatch.setattr(BedrockReporterResource, "client", lambda self: client)
    assert run_ingest().success
    result = run_delivery(WEEK, WEEK)
    stub.deactivate()
    assert result.success
    assert check_results(result)["report_numbers_traceable"] is False
    evaluation = next(
        e.event_specific_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and e.event_specific_data.check_name == "report_numbers_traceable"
    )
    assert evaluation.severity.value == "WARN"
    untraceable = evaluation.metadata["untraceable"].value
    assert untraceable == [{"athlete": "demo", "week_start": WEEK, "numbers": ["187.5"]}]
    meta = materialization_metadata(result, ("delivery", "weekly_report"))
    assert meta["run_usage_total_tokens"] == 5532 and meta["model_id"] == MODEL
    for event in result.all_events:
        assert FAKE_SECRET not in repr(event)


def _d(text: str):
    from datetime import date

    return date.fromisoformat(text)
