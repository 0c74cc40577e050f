"""Who writes the weekly report: the deterministic offline reporter, or a model (Amazon Bedrock,
the Anthropic Messages API, or any OpenAI-compatible endpoint) behind one interface.

Every reporter answers with a structured report (``delivery/statements.py``); the platform checks
each statement against the payload and renders the numbers itself. A model's reply that fails the
checks is sent back with the list of errors, up to ``max_verify_attempts`` replies in all; if it
still fails, or is cut off by the token limit, the report is refused for that week
(``ReportRefused``, with the verification record) and nothing is stored."""

import json
import time
from abc import abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from dagster import ConfigurableResource, get_dagster_logger
from pydantic import PrivateAttr

from fitness_platform.delivery.offline_report import REPORTER_VERSION, report_title
from fitness_platform.delivery.prices import estimate_cost, load_prices
from fitness_platform.delivery.prompt import PROMPT_VERSION, SYSTEM_PROMPT
from fitness_platform.delivery.report import Report, offline_report, week_label
from fitness_platform.delivery.statements import REPORT_SCHEMA, PayloadPaths, render, verify
from fitness_platform.errors import ReportRefused

TOOL_NAME = "submit_report"
TOOL_DESCRIPTION = (
    "Submit the weekly coaching report as sections of statements whose numbers are {path} "
    "placeholders into the payload."
)
USAGE_KEYS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")


class ReporterResource(ConfigurableResource):
    LOCAL_CPU: ClassVar[bool] = False
    """Its reports are ``report.offline_report``'s, made with this machine's CPU alone (no
    network, no state): many are then written at once in worker processes."""

    @abstractmethod
    def identity(self) -> dict:
        """What a stored report was written by; a change means every report is rewritten."""
        ...

    @abstractmethod
    def write(self, *, payload: dict, payload_json: str) -> Report: ...


class OfflineReporterResource(ReporterResource):
    """Deterministic statements from the payload alone: no network, no cost, same bytes every
    time, and the same verification as a model's reply."""

    LOCAL_CPU: ClassVar[bool] = True

    def identity(self) -> dict:
        return {"reporter": "offline", "model_id": "offline", "prompt_version": REPORTER_VERSION}

    def write(self, *, payload: dict, payload_json: str) -> Report:
        return offline_report(payload)


@dataclass
class Reply:
    """One model reply, in the provider's own shape (``message``) and read out."""

    report: dict | None
    cut_off: bool
    usage: dict
    message: object = None
    call_id: str | None = None
    latency_ms: float | None = None


class ModelReporterResource(ReporterResource):
    """The loop every model shares: ask, verify, send the errors back, refuse after the last try."""

    model_id: str
    max_tokens: int = 2000
    max_attempts: int = 4
    """Attempts per request against throttling and transient errors."""
    max_verify_attempts: int = 3
    """Replies per report: the first, and retries carrying the previous reply's errors."""
    backoff_seconds: float = 2.0
    prompt_cache: bool = True
    prices_file: str | None = None

    provider: str = ""

    def identity(self) -> dict:
        return {
            "reporter": self.provider,
            "model_id": self.model_id,
            "prompt_version": PROMPT_VERSION,
        }

    @abstractmethod
    def _start(self, payload_json: str) -> dict: ...

    @abstractmethod
    def _ask(self, conversation: dict) -> Reply: ...

    @abstractmethod
    def _send_errors(self, conversation: dict, reply: Reply, errors: list[str]) -> None: ...

    def _sleep(self, attempt: int, retry_after: float | None = None) -> float:
        delay = self.backoff_seconds * 2 ** (attempt - 1)
        if retry_after is not None:
            delay = max(delay, min(retry_after, 60.0))
        time.sleep(delay)
        return delay

    def write(self, *, payload: dict, payload_json: str) -> Report:
        conversation = self._start(payload_json)
        paths = PayloadPaths(payload)
        usage = dict.fromkeys(USAGE_KEYS, 0)
        attempts: list[dict] = []
        latency = 0.0
        for attempt in range(1, self.max_verify_attempts + 1):
            reply = self._ask(conversation)
            for key in USAGE_KEYS:
                usage[key] += reply.usage.get(key, 0)
            latency += reply.latency_ms or 0.0
            if reply.cut_off:
                attempts.append({"attempt": attempt, "errors": ["cut off at max_tokens"]})
                raise ReportRefused(
                    f"the {self.provider} reply for {week_label(payload)} was cut off at max_tokens="
                    f"{self.max_tokens}; raise FITNESS_LLM_MAX_TOKENS. Nothing was stored.",
                    verification=self._record(attempts, usage, passed=False),
                )
            if reply.report is None:
                errors = [f"the reply did not call the {TOOL_NAME} tool with a report"]
                checked = None
            else:
                checked = verify(payload, reply.report, paths)
                errors = checked.errors
            attempts.append({"attempt": attempt, "errors": errors})
            if not errors:
                record = {
                    **checked.record,
                    **self._record(attempts, usage, passed=True),
                }
                return Report(
                    text=render(payload, reply.report, title=report_title(payload), paths=paths),
                    reporter=self.provider,
                    model_id=self.model_id,
                    prompt_version=PROMPT_VERSION,
                    usage=usage,
                    latency_ms=latency,
                    verification=record,
                    cost_usd=record["cost_usd"],
                    cited=paths.numbers_seen(),
                )
            get_dagster_logger().warning(
                f"{self.provider} reply {attempt}/{self.max_verify_attempts} for {week_label(payload)} "
                f"failed verification ({len(errors)} errors: {errors[0]})"
            )
            if attempt < self.max_verify_attempts:
                self._send_errors(conversation, reply, errors)
        raise ReportRefused(
            f"the {self.provider} report for {week_label(payload)} failed verification "
            f"{self.max_verify_attempts} times; nothing was stored. Last errors: "
            + "; ".join(errors[:5]),
            verification={
                **(checked.record if checked else {"statements": []}),
                **self._record(attempts, usage, passed=False),
            },
        )

    def _record(self, attempts: list[dict], usage: dict, *, passed: bool) -> dict:
        return {
            "passed": passed,
            "reporter": self.provider,
            "model_id": self.model_id,
            "attempts": attempts,
            "usage": dict(usage),
            "cost_usd": estimate_cost(load_prices(self.prices_file), self.model_id, usage),
        }


def _errors_text(errors: list[str]) -> str:
    return (
        "The report failed verification. Call the tool again with a corrected report; fix "
        "every error:\n- " + "\n- ".join(errors[:40])
    )


# --- Amazon Bedrock (Converse, tool use) ------------------------------------------------------

RETRYABLE = {
    "ThrottlingException",
    "ServiceUnavailableException",
    "InternalServerException",
    "ModelNotReadyException",
    "ModelTimeoutException",
    "TooManyRequestsException",
}


class BedrockReporterResource(ModelReporterResource):
    """Amazon Bedrock's Converse API with tool use, at temperature 0; the system prompt and the
    tool are marked with ``cachePoint`` so that repeated reports read them from the cache.
    Credentials come only from the AWS default chain."""

    region_name: str | None = None
    endpoint_url: str | None = None
    provider: str = "bedrock"

    _client = PrivateAttr(default=None)

    def client(self):
        if self._client is None:
            import boto3  # here: a command that writes no Bedrock report never imports the SDK
            from botocore.config import Config

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
        """The exact first Converse request for one payload."""
        system = [{"text": SYSTEM_PROMPT}]
        tools = [
            {
                "toolSpec": {
                    "name": TOOL_NAME,
                    "description": TOOL_DESCRIPTION,
                    "inputSchema": {"json": REPORT_SCHEMA},
                }
            }
        ]
        if self.prompt_cache:
            system.append({"cachePoint": {"type": "default"}})
            tools.append({"cachePoint": {"type": "default"}})
        return {
            "modelId": self.model_id,
            "system": system,
            "messages": [{"role": "user", "content": [{"text": payload_json}]}],
            "toolConfig": {"tools": tools, "toolChoice": {"tool": {"name": TOOL_NAME}}},
            "inferenceConfig": {"maxTokens": self.max_tokens, "temperature": 0.0},
        }

    def _start(self, payload_json: str) -> dict:
        return self.request(payload_json)

    def _ask(self, conversation: dict) -> Reply:
        from botocore.exceptions import ClientError

        started = time.perf_counter()
        for attempt in range(1, self.max_attempts + 1):
            try:
                reply = self.client().converse(**conversation)
                break
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "")
                if code not in RETRYABLE or attempt == self.max_attempts:
                    raise
                delay = self._sleep(attempt)
                get_dagster_logger().warning(
                    f"Bedrock {code}; retry {attempt}/{self.max_attempts - 1} in {delay:g} s"
                )
        message = reply.get("output", {}).get("message", {"role": "assistant", "content": []})
        use = next((b["toolUse"] for b in message.get("content", []) if "toolUse" in b), None)
        usage = reply.get("usage", {})
        return Reply(
            report=use.get("input") if use and use.get("name") == TOOL_NAME else None,
            cut_off=reply.get("stopReason") == "max_tokens",
            usage={
                "input_tokens": usage.get("inputTokens", 0),
                "output_tokens": usage.get("outputTokens", 0),
                "cache_read_tokens": usage.get("cacheReadInputTokens", 0),
                "cache_write_tokens": usage.get("cacheWriteInputTokens", 0),
            },
            message=message,
            call_id=use.get("toolUseId") if use else None,
            latency_ms=reply.get("metrics", {}).get(
                "latencyMs", (time.perf_counter() - started) * 1000
            ),
        )

    def _send_errors(self, conversation: dict, reply: Reply, errors: list[str]) -> None:
        conversation["messages"].append(reply.message)
        if reply.call_id:
            block = {
                "toolResult": {
                    "toolUseId": reply.call_id,
                    "content": [{"text": _errors_text(errors)}],
                    "status": "error",
                }
            }
        else:
            block = {"text": _errors_text(errors)}
        conversation["messages"].append({"role": "user", "content": [block]})


# --- HTTP providers ---------------------------------------------------------------------------


class HttpModelReporterResource(ModelReporterResource):
    """A model behind an HTTP API: retries on throttling (429, honouring ``retry-after``) and on
    transient server errors; a refused key or a spent quota fails at once."""

    base_url: str
    api_key_env: str
    timeout_seconds: float = 120.0

    _session = PrivateAttr(default=None)

    def _key(self) -> str | None:
        import os

        return os.environ.get(self.api_key_env) or None

    @abstractmethod
    def _headers(self) -> dict: ...

    @abstractmethod
    def _path(self) -> str: ...

    def _permanent(self, status: int, body: dict) -> bool:
        """A 429 that waiting cannot cure (a spent quota or spend limit)."""
        return False

    def _post(self, body: dict) -> dict:
        import requests  # here: only a model over HTTP needs it (0.03 s of every command)

        if self._session is None:
            self._session = requests.Session()
        url = self.base_url.rstrip("/") + self._path()
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = self._session.post(
                    url, json=body, headers=self._headers(), timeout=self.timeout_seconds
                )
            except requests.RequestException as exc:
                if attempt == self.max_attempts:
                    raise ReportRefused(
                        f"{self.provider} at {self.base_url} could not be reached "
                        f"({type(exc).__name__})"
                    ) from None
                self._sleep(attempt)
                continue
            if response.status_code == 200:
                return response.json()
            try:
                error = response.json()
            except ValueError:
                error = {}
            transient = response.status_code in {429, 500, 502, 503, 504, 529}
            if not transient or self._permanent(response.status_code, error):
                raise RuntimeError(
                    f"{self.provider} refused the request: HTTP {response.status_code} "
                    f"{_error_text(error)}"
                )
            if attempt == self.max_attempts:
                raise RuntimeError(
                    f"{self.provider} still answers HTTP {response.status_code} after "
                    f"{self.max_attempts} attempts: {_error_text(error)}"
                )
            retry_after = response.headers.get("retry-after")
            delay = self._sleep(
                attempt, float(retry_after) if retry_after and retry_after.isdigit() else None
            )
            get_dagster_logger().warning(
                f"{self.provider} HTTP {response.status_code}; retry {attempt}/"
                f"{self.max_attempts - 1} in {delay:g} s"
            )
        raise AssertionError("unreachable")


def _error_text(error: dict) -> str:
    inner = error.get("error") if isinstance(error, dict) else None
    if isinstance(inner, dict):
        return f"({inner.get('type') or inner.get('code') or 'error'}: {inner.get('message', '')})"
    return ""


class AnthropicReporterResource(HttpModelReporterResource):
    """The Anthropic Messages API with tool use; the tool and the system prompt carry
    ``cache_control`` (ephemeral) so repeated reports read them from the prompt cache. The key
    comes from the environment (``ANTHROPIC_API_KEY`` by default) and is sent only as
    ``x-api-key``."""

    base_url: str = "https://api.anthropic.com"
    api_key_env: str = "ANTHROPIC_API_KEY"
    api_version: str = "2023-06-01"
    provider: str = "anthropic"

    def _path(self) -> str:
        return "/v1/messages"

    def _headers(self) -> dict:
        key = self._key()
        if key is None:
            raise ReportRefused(f"FITNESS_LLM=anthropic needs the API key in ${self.api_key_env}")
        return {
            "x-api-key": key,
            "anthropic-version": self.api_version,
            "content-type": "application/json",
        }

    def _permanent(self, status: int, body: dict) -> bool:
        details = (body.get("error") or {}).get("details") or {}
        return status == 429 and details.get("error_code") == "enforced_spend_limit_reached"

    def request(self, payload_json: str) -> dict:
        cache = {"cache_control": {"type": "ephemeral"}} if self.prompt_cache else {}
        return {
            "model": self.model_id,
            "max_tokens": self.max_tokens,
            "temperature": 0.0,
            "system": [{"type": "text", "text": SYSTEM_PROMPT, **cache}],
            "tools": [
                {
                    "name": TOOL_NAME,
                    "description": TOOL_DESCRIPTION,
                    "input_schema": REPORT_SCHEMA,
                    **cache,
                }
            ],
            "tool_choice": {"type": "tool", "name": TOOL_NAME},
            "messages": [{"role": "user", "content": payload_json}],
        }

    def _start(self, payload_json: str) -> dict:
        return self.request(payload_json)

    def _ask(self, conversation: dict) -> Reply:
        started = time.perf_counter()
        reply = self._post(conversation)
        content = reply.get("content") or []
        use = next((b for b in content if b.get("type") == "tool_use"), None)
        usage = reply.get("usage") or {}
        return Reply(
            report=use.get("input") if use and use.get("name") == TOOL_NAME else None,
            cut_off=reply.get("stop_reason") == "max_tokens",
            usage={
                "input_tokens": usage.get("input_tokens", 0),
                "output_tokens": usage.get("output_tokens", 0),
                "cache_read_tokens": usage.get("cache_read_input_tokens", 0) or 0,
                "cache_write_tokens": usage.get("cache_creation_input_tokens", 0) or 0,
            },
            message={"role": "assistant", "content": content},
            call_id=use.get("id") if use else None,
            latency_ms=(time.perf_counter() - started) * 1000,
        )

    def _send_errors(self, conversation: dict, reply: Reply, errors: list[str]) -> None:
        conversation["messages"].append(reply.message)
        if reply.call_id:
            content = [
                {
                    "type": "tool_result",
                    "tool_use_id": reply.call_id,
                    "content": _errors_text(errors),
                    "is_error": True,
                }
            ]
        else:
            content = _errors_text(errors)
        conversation["messages"].append({"role": "user", "content": content})


class OpenAIReporterResource(HttpModelReporterResource):
    """Any OpenAI-compatible Chat Completions endpoint (OpenAI, or a local model served by vLLM
    or Ollama at ``FITNESS_OPENAI_BASE_URL``) with a forced function call. The key, if the
    endpoint needs one, comes from the environment (``OPENAI_API_KEY`` by default)."""

    base_url: str = "https://api.openai.com/v1"
    api_key_env: str = "OPENAI_API_KEY"
    provider: str = "openai"

    def _path(self) -> str:
        return "/chat/completions"

    def _headers(self) -> dict:
        headers = {"content-type": "application/json"}
        key = self._key()
        if key:
            headers["authorization"] = f"Bearer {key}"
        return headers

    def _permanent(self, status: int, body: dict) -> bool:
        return status == 429 and (body.get("error") or {}).get("code") == "insufficient_quota"

    def request(self, payload_json: str) -> dict:
        return {
            "model": self.model_id,
            "max_tokens": self.max_tokens,
            "temperature": 0.0,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": payload_json},
            ],
            "tools": [
                {
                    "type": "function",
                    "function": {
                        "name": TOOL_NAME,
                        "description": TOOL_DESCRIPTION,
                        "parameters": REPORT_SCHEMA,
                    },
                }
            ],
            "tool_choice": {"type": "function", "function": {"name": TOOL_NAME}},
        }

    def _start(self, payload_json: str) -> dict:
        return self.request(payload_json)

    def _ask(self, conversation: dict) -> Reply:
        started = time.perf_counter()
        reply = self._post(conversation)
        choice = (reply.get("choices") or [{}])[0]
        message = choice.get("message") or {"role": "assistant", "content": None}
        calls = message.get("tool_calls") or []
        call = next((c for c in calls if c.get("function", {}).get("name") == TOOL_NAME), None)
        report = None
        if call is not None:
            try:
                report = json.loads(call["function"].get("arguments") or "null")
            except ValueError:
                report = None
        usage = reply.get("usage") or {}
        cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens", 0) or 0
        return Reply(
            report=report if isinstance(report, dict) else None,
            cut_off=choice.get("finish_reason") == "length",
            usage={
                "input_tokens": (usage.get("prompt_tokens", 0) or 0) - cached,
                "output_tokens": usage.get("completion_tokens", 0) or 0,
                "cache_read_tokens": cached,
                "cache_write_tokens": 0,
            },
            message={k: v for k, v in message.items() if k in {"role", "content", "tool_calls"}},
            call_id=call.get("id") if call else None,
            latency_ms=(time.perf_counter() - started) * 1000,
        )

    def _send_errors(self, conversation: dict, reply: Reply, errors: list[str]) -> None:
        conversation["messages"].append(reply.message)
        if reply.call_id:
            conversation["messages"].append(
                {"role": "tool", "tool_call_id": reply.call_id, "content": _errors_text(errors)}
            )
        else:
            conversation["messages"].append({"role": "user", "content": _errors_text(errors)})
