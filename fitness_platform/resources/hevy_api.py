"""The Hevy public API (v1, Pro accounts): a typed client with retries, as a Dagster resource.

Facts of the API this client relies on (its OpenAPI spec, and clients that use it): the key goes in
an ``api-key`` header; listings are paged with ``page`` (from 1) and ``pageSize`` (at most 10, 100
for exercise templates) and answer ``{page, page_count, <items>}``; a page past the last one may
answer 404; a refused key answers 401 with the plain-text body ``InvalidApiKey``. No rate limit is
published, so 429 is honoured when it comes (``Retry-After``), as are 408, 5xx and timeouts.

The key is a parameter of each call, read by the caller from the environment variable an athlete
names; it is sent in the header and nowhere else: never in a log line, an error or metadata."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterator
from datetime import UTC, datetime

from dagster import ConfigurableResource, get_dagster_logger

from fitness_platform.errors import FitnessError

DEFAULT_BASE_URL = "https://api.hevyapp.com"
RETRYABLE = {408, 429, 500, 502, 503, 504}
PAGE_SIZE = 10
TEMPLATE_PAGE_SIZE = 100
MAX_PAGES = 100_000  # a guard against a server that never reports the last page


class HevyApiError(FitnessError):
    """A failure of the Hevy API for one athlete (refused key, exhausted retries, bad reply)."""


class HevyKeyRefused(HevyApiError):
    """The API refused the athlete's key (401 or 403)."""


class HevyClient:
    """Calls of one athlete's key. Every listing is walked to its end or not at all."""

    def __init__(self, resource: HevyApiResource, key: str, key_name: str):
        self._resource = resource
        self._key = key
        self._key_name = key_name
        import requests  # here: only a sync needs it (0.03 s of every command otherwise)

        self._session = requests.Session()
        self._session.headers.update({"api-key": key, "accept": "application/json"})
        self.calls = 0
        self.first_reply_at: datetime | None = None
        """The server's clock (its ``Date`` header) at the first reply: where a full walk began."""

    def close(self) -> None:
        self._session.close()

    def get(self, path: str, params: dict | None = None, *, page: int | None = None) -> dict | None:
        """The JSON object at ``path``; None when a page after the first answers 404 (the end)."""
        import requests

        r = self._resource
        url = r.base_url.rstrip("/") + path
        where = path + (f" (page {page})" if page else "")
        for attempt in range(1, r.max_attempts + 1):
            self.calls += 1
            try:
                reply = self._session.get(url, params=params, timeout=r.timeout_seconds)
            except (requests.Timeout, requests.ConnectionError) as exc:
                if attempt == r.max_attempts:
                    raise HevyApiError(
                        f"the Hevy API did not answer {where} after {attempt} attempts "
                        f"({type(exc).__name__})"
                    ) from None
                self._wait(attempt, None, f"{type(exc).__name__} on {where}")
                continue
            if reply.status_code in (401, 403):
                raise HevyKeyRefused(
                    f"the Hevy API key in {self._key_name} was refused ({reply.status_code}"
                    f"{': ' + reply.text.strip()[:40] if reply.text.strip() else ''})"
                )
            if reply.status_code == 404 and page is not None and page > 1:
                return None
            if reply.status_code in RETRYABLE:
                if attempt == r.max_attempts:
                    raise HevyApiError(
                        f"the Hevy API answered {reply.status_code} to {where} "
                        f"{attempt} times; try again later"
                    )
                self._wait(attempt, reply.headers.get("Retry-After"), f"{reply.status_code}")
                continue
            if self.first_reply_at is None:
                self.first_reply_at = _http_date(reply.headers.get("Date"))
            if reply.status_code != 200:
                raise HevyApiError(
                    f"the Hevy API answered {reply.status_code} to {where}: "
                    f"{reply.text.strip()[:200]}"
                )
            try:
                body = reply.json()
            except ValueError:
                raise HevyApiError(
                    f"the Hevy API answered {where} with something not JSON"
                ) from None
            if not isinstance(body, dict):
                raise HevyApiError(
                    f"the Hevy API answered {where} with a JSON {type(body).__name__}"
                )
            return body
        raise AssertionError("unreachable")

    def _wait(self, attempt: int, retry_after: str | None, why: str) -> None:
        r = self._resource
        delay = min(r.backoff_seconds * 2 ** (attempt - 1), r.max_backoff_seconds)
        asked = _retry_after_seconds(retry_after)
        if asked is not None:
            delay = min(max(delay, asked), r.max_backoff_seconds)
        get_dagster_logger().warning(
            f"Hevy API {why}; retry {attempt}/{r.max_attempts - 1} in {delay:g} s"
        )
        time.sleep(delay)

    def pages(self, path: str, key: str, params: dict | None = None, size: int = PAGE_SIZE):
        """Every item of a paged listing, page by page."""
        page = 1
        while page <= MAX_PAGES:
            body = self.get(path, {**(params or {}), "page": page, "pageSize": size}, page=page)
            if body is None:
                return
            items = body.get(key)
            if not isinstance(items, list):
                raise HevyApiError(f"the Hevy API page {page} of {path} has no list {key!r}")
            yield from items
            count = body.get("page_count")
            if not isinstance(count, int) or page >= count or not items:
                return
            page += 1
        raise HevyApiError(f"{path} reported more than {MAX_PAGES} pages")

    def workouts(self) -> Iterator[dict]:
        return self.pages("/v1/workouts", "workouts")

    def events(self, since: str) -> Iterator[dict]:
        return self.pages("/v1/workouts/events", "events", {"since": since})

    def exercise_templates(self) -> Iterator[dict]:
        return self.pages("/v1/exercise_templates", "exercise_templates", size=TEMPLATE_PAGE_SIZE)

    def body_measurements(self) -> Iterator[dict]:
        return self.pages("/v1/body_measurements", "body_measurements")


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    when = _http_date(value)
    return None if when is None else max((when - datetime.now(UTC)).total_seconds(), 0.0)


class HevyApiResource(ConfigurableResource):
    """The Hevy API at ``base_url`` (``FITNESS_HEVY_API_URL`` for a test server or a proxy)."""

    base_url: str = DEFAULT_BASE_URL
    timeout_seconds: float = 30.0
    max_attempts: int = 6
    backoff_seconds: float = 2.0
    max_backoff_seconds: float = 120.0

    def client(self, key: str, key_name: str) -> HevyClient:
        """A client of one athlete's key; ``key_name`` (the variable it came from) is what errors
        name."""
        return HevyClient(self, key, key_name)
