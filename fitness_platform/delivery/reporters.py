"""Who writes the weekly report: the deterministic offline reporter, or Amazon Bedrock."""

import time
from abc import abstractmethod
from dataclasses import dataclass, field

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from dagster import ConfigurableResource, get_dagster_logger
from pydantic import PrivateAttr

from fitness_platform.delivery.offline_report import REPORTER_VERSION, render_report
from fitness_platform.delivery.prompt import PROMPT_VERSION, SYSTEM_PROMPT
from fitness_platform.errors import ReportRefused


@dataclass
class Report:
    text: str
    reporter: str
    model_id: str
    prompt_version: str
    usage: dict = field(default_factory=dict)
    latency_ms: float | None = None


class ReporterResource(ConfigurableResource):
    @abstractmethod
    def identity(self) -> dict:
        """What a stored report was written by; a change means every report is rewritten."""
        ...

    @abstractmethod
    def write(self, *, payload: dict, payload_json: str) -> Report: ...


class OfflineReporterResource(ReporterResource):
    """Deterministic Markdown from the payload alone: no network, no cost, same bytes every time."""

    def identity(self) -> dict:
        return {"reporter": "offline", "model_id": "offline", "prompt_version": REPORTER_VERSION}

    def write(self, *, payload: dict, payload_json: str) -> Report:
        return Report(render_report(payload), "offline", "offline", REPORTER_VERSION)


RETRYABLE = {
    "ThrottlingException",
    "ServiceUnavailableException",
    "InternalServerException",
    "ModelNotReadyException",
    "ModelTimeoutException",
    "TooManyRequestsException",
}


class BedrockReporterResource(ReporterResource):
    """Amazon Bedrock (Converse API) writes the report from the payload, at temperature 0.

    Credentials come only from the AWS default chain. Throttling and transient errors are retried
    by botocore (standard mode) and again here with exponential backoff; what still fails fails the
    step, which the asset's RetryPolicy retries later."""

    model_id: str
    region_name: str | None = None
    endpoint_url: str | None = None
    max_tokens: int = 2000
    max_attempts: int = 4
    backoff_seconds: float = 2.0

    _client = PrivateAttr(default=None)

    def identity(self) -> dict:
        return {"reporter": "bedrock", "model_id": self.model_id, "prompt_version": PROMPT_VERSION}

    def client(self):
        if self._client is None:
            self._client = boto3.client(
                "bedrock-runtime",
                region_name=self.region_name,
                endpoint_url=self.endpoint_url,
                config=Config(
                    retries={"mode": "standard", "max_attempts": self.max_attempts},
                    read_timeout=120,
                ),
            )
        return self._client

    def request(self, payload_json: str) -> dict:
        """The exact Converse request for one payload."""
        return {
            "modelId": self.model_id,
            "system": [{"text": SYSTEM_PROMPT}],
            "messages": [{"role": "user", "content": [{"text": payload_json}]}],
            "inferenceConfig": {"maxTokens": self.max_tokens, "temperature": 0.0},
        }

    def _converse(self, request: dict) -> dict:
        log = get_dagster_logger()
        for attempt in range(1, self.max_attempts + 1):
            try:
                return self.client().converse(**request)
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "")
                if code not in RETRYABLE or attempt == self.max_attempts:
                    raise
                delay = self.backoff_seconds * 2 ** (attempt - 1)
                log.warning(
                    f"Bedrock {code}; retry {attempt}/{self.max_attempts - 1} in {delay:g} s"
                )
                time.sleep(delay)
        raise AssertionError("unreachable")

    def write(self, *, payload: dict, payload_json: str) -> Report:
        started = time.perf_counter()
        reply = self._converse(self.request(payload_json))
        elapsed = (time.perf_counter() - started) * 1000
        week = f"{payload['athlete']['athlete_key']} week {payload['week_start']}"
        if reply.get("stopReason") == "max_tokens":
            raise ReportRefused(
                f"the Bedrock reply for {week} was cut off at max_tokens="
                f"{self.max_tokens}; raise FITNESS_BEDROCK_MAX_TOKENS. Nothing "
                "was stored."
            )
        blocks = reply.get("output", {}).get("message", {}).get("content", [])
        text = "".join(b.get("text", "") for b in blocks).strip()
        if not text:
            raise ReportRefused(f"the Bedrock reply for {week} was empty. Nothing was stored.")
        usage = reply.get("usage", {})
        header = (
            f"# Weekly coaching report: {payload['athlete']['athlete_key']}, week of "
            f"{payload['week_start']}\n\n"
        )
        return Report(
            text=header + text + "\n",
            reporter="bedrock",
            model_id=self.model_id,
            prompt_version=PROMPT_VERSION,
            usage={
                "input_tokens": usage.get("inputTokens", 0),
                "output_tokens": usage.get("outputTokens", 0),
                "total_tokens": usage.get("totalTokens", 0),
            },
            latency_ms=reply.get("metrics", {}).get("latencyMs", elapsed),
        )
