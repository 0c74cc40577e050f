"""Model reports verified claim by claim, for every provider: Bedrock (botocore's Stubber on a real
bedrock-runtime client), the Anthropic Messages API and an OpenAI-compatible endpoint (fake servers
on 127.0.0.1, fitness_platform_tests/llm_fakes.py).

The payload is the sample's week of 13 May 2024 (fixtures/payload_demo_2024-05-13.json). The
values the tests expect were read off that file by hand: Bicep Curl (Machine) has a best e1RM of
75.6 kg, +15.4 kg against the last week it was trained, and an all-time e1RM record; Leg Press
(Machine) has a best e1RM of 263.33 kg, -3.17 kg against its last week, and no record."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest
from botocore.stub import Stubber

from fitness_platform.delivery.payload import payload_key, report_key, report_meta_key
from fitness_platform.delivery.publish import publish_reports, verification_key
from fitness_platform.delivery.reporters import (
    TOOL_NAME,
    AnthropicReporterResource,
    BedrockReporterResource,
    OpenAIReporterResource,
)
from fitness_platform.delivery.statements import REPORT_SCHEMA, verify
from fitness_platform.resources.storage import LocalStorageResource
from fitness_platform_tests.aws import FAKE_KEY_ID, FAKE_SECRET
from fitness_platform_tests.helpers import FIXTURES
from fitness_platform_tests.llm_fakes import FakeModelServer

WEEK = date(2024, 5, 13)
BEDROCK_MODEL = "anthropic.claude-sonnet-4-20250514-v1:0"
CURL = "exercises[bicep_curl_machine]"
PRESS = "exercises[leg_press_machine]"

VALID = {
    "sections": [
        {
            "title": "Progression",
            "statements": [
                {
                    "text": "**Bicep Curl (Machine)** progressed: best e1RM "
                    f"{{{CURL}.current_week.best_e1rm_kg}} "
                    f"({{{CURL}.delta_vs_previous_session_week.best_e1rm_kg}}).",
                    "cites": [
                        f"{CURL}.current_week.best_e1rm_kg",
                        f"{CURL}.delta_vs_previous_session_week.best_e1rm_kg",
                    ],
                    "direction": {
                        "path": f"{CURL}.delta_vs_previous_session_week.best_e1rm_kg",
                        "is": "up",
                    },
                },
                {
                    "text": "That is an all-time e1RM record.",
                    "cites": [f"{CURL}.records.best_e1rm"],
                    "record": {"path": f"{CURL}.records.best_e1rm", "window": "all_time"},
                },
            ],
        },
        {
            "title": "Next-week focus",
            "statements": [{"text": "Keep the curls heavy and sleep well.", "cites": []}],
        },
    ]
}
# Rendered from the payload by the platform: the numbers are the payload's own, with the sign of
# a change and the unit of a weight.
VALID_LINES = [
    "- **Bicep Curl (Machine)** progressed: best e1RM 75.6 kg (+15.4 kg).",
    "- That is an all-time e1RM record.",
]


def _bad(kind: str) -> dict:
    report = copy.deepcopy(VALID)
    first = report["sections"][0]["statements"]
    if kind == "missing path":
        first[0]["text"] = "Squat best e1RM {exercises[squat_barbell].current_week.best_e1rm_kg}."
        first[0]["cites"] = ["exercises[squat_barbell].current_week.best_e1rm_kg"]
        del first[0]["direction"]
    elif kind == "wrong direction":  # Leg Press went down (-3.17 kg): called progress
        first[0] = {
            "text": f"**Leg Press (Machine)** progressed to {{{PRESS}.current_week.best_e1rm_kg}}.",
            "cites": [
                f"{PRESS}.current_week.best_e1rm_kg",
                f"{PRESS}.delta_vs_previous_session_week.best_e1rm_kg",
            ],
            "direction": {
                "path": f"{PRESS}.delta_vs_previous_session_week.best_e1rm_kg",
                "is": "up",
            },
        }
    elif kind == "wrong record":  # Leg Press holds no record this week
        first[1] = {
            "text": "**Leg Press (Machine)** set an all-time e1RM record.",
            "cites": [f"{PRESS}.records.best_e1rm"],
            "record": {"path": f"{PRESS}.records.best_e1rm", "window": "all_time"},
        }
    elif kind == "free-text number":
        first[1]["text"] = "Your squat is about 187.5 kg."
    return report


EXPECTED_ERROR = {
    "missing path": "no exercises item 'squat_barbell'",
    "wrong direction": "it says up but exercises[leg_press_machine]"
    ".delta_vs_previous_session_week.best_e1rm_kg is -3.17 (down)",
    "wrong record": "it claims a all_time record but exercises[leg_press_machine]"
    ".records.best_e1rm.all_time is False",
    "free-text number": "the text holds a number of its own",
}
BAD_KINDS = list(EXPECTED_ERROR)


@pytest.fixture
def store(tmp_path):
    source = FIXTURES / "payload_demo_2024-05-13.json"
    storage = LocalStorageResource(root=str(tmp_path / "out"))
    storage.write_bytes(
        payload_key("demo", WEEK), source.read_bytes(), content_type="application/json"
    )
    return storage, json.loads(source.read_text())


def test_the_valid_report_passes_and_each_bad_one_fails_for_its_reason(store):
    _, payload = store
    assert verify(payload, VALID).errors == []
    for kind in BAD_KINDS:
        errors = verify(payload, _bad(kind)).errors
        assert len(errors) == 1 and EXPECTED_ERROR[kind] in errors[0], (kind, errors)


# --- one driver per provider: script replies, run the reporter, read back the requests ---------


class Bedrock:
    name = "bedrock"

    def __init__(self, monkeypatch):
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", FAKE_KEY_ID)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET)
        self.reporter = BedrockReporterResource(
            model_id=BEDROCK_MODEL, region_name="us-east-1", backoff_seconds=0
        )
        self.stub = Stubber(self.reporter.client())
        self.count = 0

    def reply(self, report: dict, cut_off: bool = False):
        self.count += 1
        self.stub.add_response(
            "converse",
            {
                "output": {
                    "message": {
                        "role": "assistant",
                        "content": [
                            {
                                "toolUse": {
                                    "toolUseId": f"tooluse_{self.count}",
                                    "name": TOOL_NAME,
                                    "input": report,
                                }
                            }
                        ],
                    }
                },
                "stopReason": "max_tokens" if cut_off else "tool_use",
                "usage": {
                    "inputTokens": 1800,
                    "outputTokens": 700,
                    "totalTokens": 7300,
                    "cacheReadInputTokens": 4800,
                    "cacheWriteInputTokens": 0,
                },
                "metrics": {"latencyMs": 2000},
            },
        )

    def throttle(self):
        self.stub.add_client_error(
            "converse", service_error_code="ThrottlingException", http_status_code=429
        )

    def __enter__(self):
        self.stub.activate()
        return self

    def __exit__(self, *exc):
        self.stub.deactivate()

    def error_feedback(self) -> list[str]:
        return []  # the Stubber keeps no requests; the feedback is checked on the HTTP fakes


class Http:
    def __init__(self, name: str, monkeypatch):
        self.name = name
        key = "test-key-" + name  # made up for this test; never a real key
        self.fake = FakeModelServer(name, key=key)
        url = self.fake.start()
        monkeypatch.setenv("FAKE_LLM_KEY", key)
        cls = AnthropicReporterResource if name == "anthropic" else OpenAIReporterResource
        self.reporter = cls(
            model_id="claude-sonnet-4-20250514" if name == "anthropic" else "llama3.1:8b",
            base_url=url,
            api_key_env="FAKE_LLM_KEY",
            backoff_seconds=0,
        )

    def reply(self, report: dict, cut_off: bool = False):
        self.fake.reply_with_report(
            report, usage={"input": 1800, "output": 700, "cache_read": 4800}, cut_off=cut_off
        )

    def throttle(self):
        self.fake.throttle()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.fake.stop()

    def error_feedback(self) -> list[str]:
        """The error lists sent back to the model after each rejected reply."""
        found = []
        for request in self.fake.requests[1:]:
            last = request["json"]["messages"][-1]
            if self.name == "anthropic":
                (block,) = last["content"]
                assert block["type"] == "tool_result" and block["is_error"] is True
                found.append(block["content"])
            else:
                assert last["role"] == "tool"
                found.append(last["content"])
        return found


PROVIDERS = ["bedrock", "anthropic", "openai"]


@pytest.fixture(params=PROVIDERS)
def provider(request, monkeypatch):
    driver = (
        Bedrock(monkeypatch) if request.param == "bedrock" else Http(request.param, monkeypatch)
    )
    with driver:
        yield driver


def publish(storage, reporter):
    return publish_reports(storage, reporter, ["demo"], WEEK, WEEK)


def test_a_valid_structured_reply_is_rendered_with_the_payloads_numbers(store, provider):
    storage, _ = store
    provider.reply(VALID)
    summary = publish(storage, provider.reporter)
    assert summary.refused == [] and len(summary.written) == 1
    text = storage.read_bytes(report_key("demo", WEEK)).decode()
    assert text.startswith("# Weekly coaching report: demo, week of 2024-05-13\n\n## Progression\n")
    for line in VALID_LINES:
        assert line in text
    record = json.loads(storage.read_bytes(verification_key("demo", WEEK)))
    assert record["passed"] is True and len(record["attempts"]) == 1
    assert [s["cites"] for s in record["statements"][:1]] == [
        VALID["sections"][0]["statements"][0]["cites"]
    ]
    meta = json.loads(storage.read_bytes(report_meta_key("demo", WEEK)))
    # Usage as the fake replies state it: 1,800 fresh input, 4,800 cached, 700 output tokens.
    assert meta["usage"] == {
        "input_tokens": 1800,
        "output_tokens": 700,
        "cache_read_tokens": 4800,
        "cache_write_tokens": 0,
    }
    if provider.name == "openai":
        assert meta["cost_usd"] is None  # a local model: no price known, never 0
    else:
        # Sonnet 4 list prices (USD per million): 3 input, 15 output, 0.30 cache read.
        assert meta["cost_usd"] == pytest.approx((1800 * 3 + 700 * 15 + 4800 * 0.3) / 1e6)


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_a_bad_reply_is_retried_with_its_errors_then_refused(store, provider, kind):
    storage, _ = store
    for _ in range(3):
        provider.reply(_bad(kind))
    summary = publish(storage, provider.reporter)
    assert summary.written == [] and len(summary.refused) == 1
    refused = summary.refused[0]
    assert refused["week_start"] == "2024-05-13" and EXPECTED_ERROR[kind] in refused["error"]
    # Nothing stored but the record of why.
    assert storage.read_bytes(report_key("demo", WEEK)) is None
    assert storage.read_bytes(report_meta_key("demo", WEEK)) is None
    record = json.loads(storage.read_bytes(verification_key("demo", WEEK)))
    assert record["passed"] is False and len(record["attempts"]) == 3
    assert all(EXPECTED_ERROR[kind] in a["errors"][0] for a in record["attempts"])
    feedback = provider.error_feedback()
    if provider.name != "bedrock":
        assert len(feedback) == 2 and all(EXPECTED_ERROR[kind] in f for f in feedback)


def test_a_bad_reply_corrected_on_the_retry_is_stored(store, provider):
    storage, _ = store
    provider.reply(_bad("wrong direction"))
    provider.reply(VALID)
    summary = publish(storage, provider.reporter)
    assert len(summary.written) == 1
    record = json.loads(storage.read_bytes(verification_key("demo", WEEK)))
    assert [bool(a["errors"]) for a in record["attempts"]] == [True, False]


def test_throttling_is_retried(store, provider):
    storage, _ = store
    provider.throttle()
    provider.reply(VALID)
    summary = publish(storage, provider.reporter)
    assert len(summary.written) == 1 and summary.refused == []


def test_a_cut_off_reply_is_refused(store, provider):
    storage, _ = store
    provider.reply(VALID, cut_off=True)
    summary = publish(storage, provider.reporter)
    assert summary.written == [] and "cut off at max_tokens" in summary.refused[0]["error"]
    assert storage.read_bytes(report_key("demo", WEEK)) is None


def test_the_bedrock_request_caches_the_prompt_and_forces_the_tool(store, monkeypatch):
    _, payload = store
    driver = Bedrock(monkeypatch)
    request = driver.reporter.request(json.dumps(payload))
    assert request["system"][-1] == {"cachePoint": {"type": "default"}}
    tools = request["toolConfig"]["tools"]
    assert tools[0]["toolSpec"]["inputSchema"]["json"] == REPORT_SCHEMA
    assert tools[-1] == {"cachePoint": {"type": "default"}}
    assert request["toolConfig"]["toolChoice"] == {"tool": {"name": TOOL_NAME}}


def test_the_anthropic_request_caches_the_prompt_and_sends_the_key_only_as_a_header(
    store, monkeypatch
):
    storage, _ = store
    with Http("anthropic", monkeypatch) as driver:
        driver.reply(VALID)
        publish(storage, driver.reporter)
        (sent,) = driver.fake.requests
    body = sent["json"]
    assert body["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert body["tools"][0]["cache_control"] == {"type": "ephemeral"}
    assert body["tool_choice"] == {"type": "tool", "name": TOOL_NAME}
    assert sent["headers"]["anthropic-version"] == "2023-06-01"
    assert "test-key-anthropic" not in json.dumps(body)


def test_the_offline_reporter_passes_the_same_verification_every_week(sample_week_payloads):
    from fitness_platform.delivery.offline_report import (
        render_report,
        report_title,
        structured_report,
    )
    from fitness_platform.delivery.statements import render

    for week, payload in sample_week_payloads.items():
        structured = structured_report(payload)
        checked = verify(payload, structured)
        assert checked.errors == [], (week, checked.errors[:3])
        assert checked.record["passed"] is True
        # The Markdown is that verified structure rendered, nothing added.
        assert render_report(payload) == render(payload, structured, title=report_title(payload))
        assert all(s["passed"] for s in checked.record["statements"])


def test_a_run_through_dagster_records_cost_and_refusals_and_never_the_key(
    platform_env, monkeypatch
):
    from fitness_platform_tests.helpers import (
        check_results,
        materialization_metadata,
        run_delivery,
        run_ingest,
    )

    key = "test-key-anthropic-run"  # made up for this test
    fake = FakeModelServer("anthropic", key=key)
    url = fake.start()
    try:
        for name, value in {
            "FITNESS_LLM": "anthropic",
            "FITNESS_LLM_MODEL": "claude-sonnet-4-20250514",
            "FITNESS_ANTHROPIC_BASE_URL": url,
            "FITNESS_LLM_API_KEY_ENV": "FAKE_LLM_KEY",
            "FAKE_LLM_KEY": key,
        }.items():
            monkeypatch.setenv(name, value)
        assert run_ingest().success
        fake.reply_with_report(VALID, usage={"input": 1800, "output": 700, "cache_read": 4800})
        first = run_delivery("2024-05-13", "2024-05-13")
        assert first.success and check_results(first)["reports_verified"] is True
        meta = materialization_metadata(first, ("delivery", "weekly_report"))
        assert meta["run_refused"] == 0 and meta["reporter"] == "anthropic"
        assert meta["run_cost_usd_estimate"] == pytest.approx(
            (1800 * 3 + 700 * 15 + 4800 * 0.3) / 1e6
        )
        assert meta["run_usage_cache_read_tokens"] == 4800
        # The next week's report is refused three times: the run goes on, the check fails.
        for _ in range(3):
            fake.reply_with_report(_bad("free-text number"))
        second = run_delivery("2024-05-20", "2024-05-20")
        assert second.success and check_results(second)["reports_verified"] is False
        assert materialization_metadata(second, ("delivery", "weekly_report"))["run_refused"] == 1
        out = platform_env["FITNESS_OUTPUT_DIR"]
        assert not (
            FIXTURES.parent.parent
            / out
            / "reports/athlete=demo/week_start=2024-05-20/weekly_report.md"
        ).exists()
        for result in (first, second):
            for event in result.all_events:
                assert key not in repr(event)
        assert all(r["headers"]["x-api-key"] == key for r in fake.requests)
    finally:
        fake.stop()
