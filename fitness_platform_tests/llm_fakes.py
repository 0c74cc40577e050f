"""Fake model APIs on 127.0.0.1 for the reporter tests: the Anthropic Messages API and an
OpenAI-compatible Chat Completions endpoint.

Each answers the replies a test scripts, in order, and records every request. What they check and
how they fail follows the vendors' documentation: Anthropic requires ``x-api-key`` and
``anthropic-version`` (401 ``authentication_error`` otherwise), ``model``, ``max_tokens`` and
``messages`` (400 ``invalid_request_error``), and signals throttling with 429 ``rate_limit_error``
and a ``retry-after`` header (docs.anthropic.com/en/api/errors); the OpenAI-compatible server
requires ``model`` and ``messages`` and throttles with 429 and ``error.code``
``rate_limit_exceeded`` (platform.openai.com/docs/guides/error-codes). The reply bodies are the
documented shapes: ``content`` blocks with ``tool_use`` and ``stop_reason`` for Anthropic,
``choices[0].message.tool_calls`` and ``finish_reason`` for OpenAI. The usage numbers in the
scripted replies are made up for the tests."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeModelServer:
    def __init__(self, kind: str, key: str | None = None):
        assert kind in {"anthropic", "openai"}
        self.kind, self.key = kind, key
        self.replies: list[tuple[int, dict, dict]] = []
        self.requests: list[dict] = []
        self._server: ThreadingHTTPServer | None = None

    # Scripting -----------------------------------------------------------------------------

    def reply_with_report(self, report: dict, *, usage: dict | None = None, cut_off=False):
        usage = usage or {}
        if self.kind == "anthropic":
            body = {
                "id": f"msg_{len(self.replies):04d}",
                "type": "message",
                "role": "assistant",
                "model": "claude-test",
                "content": [
                    {
                        "type": "tool_use",
                        "id": f"toolu_{len(self.replies):04d}",
                        "name": "submit_report",
                        "input": report,
                    }
                ],
                "stop_reason": "max_tokens" if cut_off else "tool_use",
                "usage": {
                    "input_tokens": usage.get("input", 1800),
                    "output_tokens": usage.get("output", 700),
                    "cache_creation_input_tokens": usage.get("cache_write", 0),
                    "cache_read_input_tokens": usage.get("cache_read", 0),
                },
            }
        else:
            body = {
                "id": f"chatcmpl-{len(self.replies):04d}",
                "object": "chat.completion",
                "model": "local-model",
                "choices": [
                    {
                        "index": 0,
                        "message": {
                            "role": "assistant",
                            "content": None,
                            "tool_calls": [
                                {
                                    "id": f"call_{len(self.replies):04d}",
                                    "type": "function",
                                    "function": {
                                        "name": "submit_report",
                                        "arguments": json.dumps(report),
                                    },
                                }
                            ],
                        },
                        "finish_reason": "length" if cut_off else "tool_calls",
                    }
                ],
                "usage": {
                    "prompt_tokens": usage.get("input", 1800) + usage.get("cache_read", 0),
                    "completion_tokens": usage.get("output", 700),
                    "total_tokens": usage.get("input", 1800)
                    + usage.get("cache_read", 0)
                    + usage.get("output", 700),
                    "prompt_tokens_details": {"cached_tokens": usage.get("cache_read", 0)},
                },
            }
        self.replies.append((200, {}, body))

    def throttle(self, retry_after: int = 0):
        if self.kind == "anthropic":
            body = {
                "type": "error",
                "error": {
                    "type": "rate_limit_error",
                    "message": "Number of requests has exceeded your rate limit",
                },
            }
        else:
            body = {
                "error": {
                    "message": "Rate limit reached for requests",
                    "type": "requests",
                    "code": "rate_limit_exceeded",
                }
            }
        self.replies.append((429, {"retry-after": str(retry_after)}, body))

    # Serving -------------------------------------------------------------------------------

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("content-length", 0))
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    body = None
                fake.requests.append(
                    {"path": self.path, "headers": dict(self.headers.items()), "json": body}
                )
                status, headers, reply = fake._answer(self.path, self.headers, body)
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}" + ("" if self.kind == "anthropic" else "/v1")

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _error(self, status: int, kind: str, message: str):
        if self.kind == "anthropic":
            return status, {}, {"type": "error", "error": {"type": kind, "message": message}}
        return status, {}, {"error": {"message": message, "type": kind, "code": None}}

    def _answer(self, path, headers, body):
        if self.kind == "anthropic":
            if path != "/v1/messages":
                return self._error(404, "not_found_error", f"no route {path}")
            if headers.get("x-api-key") != self.key:
                return self._error(401, "authentication_error", "invalid x-api-key")
            if not headers.get("anthropic-version"):
                return self._error(
                    400, "invalid_request_error", "anthropic-version header is required"
                )
            needed = ("model", "max_tokens", "messages")
        else:
            if path != "/v1/chat/completions":
                return self._error(404, "invalid_request_error", f"no route {path}")
            if self.key and headers.get("authorization") != f"Bearer {self.key}":
                return self._error(401, "invalid_request_error", "Incorrect API key provided")
            needed = ("model", "messages")
        if not isinstance(body, dict) or any(k not in body for k in needed):
            return self._error(400, "invalid_request_error", f"{', '.join(needed)} are required")
        if not self.replies:
            return self._error(500, "api_error", "the test scripted no more replies")
        return self.replies.pop(0)
