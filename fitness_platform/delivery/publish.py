"""Writing payloads and reports to storage: only bytes that change are written, stale ones go.

Plain functions over a connection, the storage and the reporter, so that Dagster assets, the CLI
and the benchmarks share one implementation."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from datetime import date

import jsonschema
from sqlalchemy import Connection, text

from fitness_platform.delivery.numbers import names_in, untraceable_numbers
from fitness_platform.delivery.offline_report import REFERENCE_CONSTANTS
from fitness_platform.delivery.payload import (
    build_payload,
    payload_key,
    report_key,
    report_meta_key,
    serialise,
    sha256,
    weeks_with_data,
)
from fitness_platform.errors import ReportRefused
from fitness_platform.paths import CONTRACTS_DIR
from fitness_platform.resources.reporter import ReporterResource
from fitness_platform.resources.storage import StorageResource

PAYLOAD_SCHEMA_PATH = CONTRACTS_DIR / "weekly_payload.v1.schema.json"
_WEEK = re.compile(r"week_start=(\d{4}-\d{2}-\d{2})/")


@functools.cache
def payload_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(PAYLOAD_SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def schema_errors(payload: dict) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in payload_validator().iter_errors(payload)
    ]


@dataclass
class PayloadSummary:
    written: list[dict] = field(default_factory=list)
    unchanged: int = 0
    deleted: list[str] = field(default_factory=list)
    invalid: list[dict] = field(default_factory=list)
    validated: int = 0
    weeks_with_data: int = 0
    last: dict | None = None


def _stored_weeks(storage: StorageResource, prefix: str, first: date, last: date) -> set[str]:
    weeks = set()
    for key in storage.list_keys(prefix):
        match = _WEEK.search(key)
        if match and first.isoformat() <= match.group(1) <= last.isoformat():
            weeks.add(match.group(1))
    return weeks


def publish_payloads(
    conn: Connection, storage: StorageResource, first: date, last: date, progress=None
) -> PayloadSummary:
    """Build every athlete-week payload with data in [first, last]; write those whose bytes differ
    from the stored ones; delete payloads (and reports) of athlete-weeks that no longer have data."""
    summary = PayloadSummary()
    pairs = weeks_with_data(conn, first, last)
    summary.weeks_with_data = len({week for _, week in pairs})
    athletes = [
        r[0]
        for r in conn.execute(
            text("SELECT athlete_key FROM fitness.athletes ORDER BY athlete_key")
        ).all()
    ]
    present: dict[str, set[str]] = {a: set() for a in athletes}
    for i, (athlete, week) in enumerate(pairs, start=1):
        present.setdefault(athlete, set()).add(week.isoformat())
        payload = build_payload(conn, athlete, week)
        data = serialise(payload)
        errors = schema_errors(payload)
        summary.validated += 1
        key = payload_key(athlete, week)
        if errors:
            summary.invalid.append({"athlete": athlete, "week": str(week), "errors": errors[:5]})
            continue
        if storage.read_bytes(key) == data:
            summary.unchanged += 1
        else:
            uri = storage.write_bytes(key, data, content_type="application/json")
            summary.written.append(
                {"athlete": athlete, "week_start": str(week), "uri": uri, "sha256": sha256(data)}
            )
        summary.last = {
            "athlete": athlete,
            "week_start": str(week),
            "uri": storage.uri(key),
            "sha256": sha256(data),
            "preview": data.decode()[:600],
        }
        if progress and (i % 25 == 0 or i == len(pairs)):
            progress(i, len(pairs))
    for athlete, weeks in present.items():
        for week in sorted(
            _stored_weeks(storage, f"payloads/athlete={athlete}/", first, last) - weeks
        ):
            for key in (
                payload_key(athlete, week),
                report_key(athlete, week),
                report_meta_key(athlete, week),
            ):
                storage.delete(key)
            summary.deleted.append(payload_key(athlete, week))
    return summary


@dataclass
class ReportSummary:
    written: list[dict] = field(default_factory=list)
    unchanged: int = 0
    deleted: list[str] = field(default_factory=list)
    untraceable: list[dict] = field(default_factory=list)
    usage: dict = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    last: dict | None = None


def publish_reports(
    storage: StorageResource,
    reporter: ReporterResource,
    athletes: list[str],
    first: date,
    last: date,
    progress=None,
) -> ReportSummary:
    """Write the report of every stored payload in [first, last] whose payload, reporter, prompt
    version or model changed since its report was written (recorded in a sidecar .meta.json)."""
    summary = ReportSummary()
    identity = reporter.identity()
    todo = []
    for athlete in athletes:
        payload_weeks = _stored_weeks(storage, f"payloads/athlete={athlete}/", first, last)
        for week in sorted(
            _stored_weeks(storage, f"reports/athlete={athlete}/", first, last) - payload_weeks
        ):
            storage.delete(report_key(athlete, week))
            storage.delete(report_meta_key(athlete, week))
            summary.deleted.append(report_key(athlete, week))
        todo += [(athlete, week) for week in sorted(payload_weeks)]
    for i, (athlete, week) in enumerate(todo, start=1):
        data = storage.read_bytes(payload_key(athlete, week))
        meta = {"payload_sha256": sha256(data), **identity}
        stored_meta = storage.read_bytes(report_meta_key(athlete, week))
        if (
            stored_meta is not None
            and json.loads(stored_meta) == meta
            and storage.read_bytes(report_key(athlete, week)) is not None
        ):
            summary.unchanged += 1
            continue
        payload = json.loads(data)
        report = reporter.write(payload=payload, payload_json=data.decode())
        if not report.text.strip():
            raise ReportRefused(f"empty report for {athlete} week {week}; nothing was stored")
        missing = untraceable_numbers(
            report.text, payload, constants=REFERENCE_CONSTANTS, ignore_text=names_in(payload)
        )
        if missing:
            summary.untraceable.append(
                {"athlete": athlete, "week_start": week, "numbers": sorted(set(missing))}
            )
        uri = storage.write_bytes(
            report_key(athlete, week),
            report.text.encode(),
            content_type="text/markdown; charset=utf-8",
        )
        storage.write_bytes(
            report_meta_key(athlete, week),
            (json.dumps(meta, indent=2, sort_keys=True) + "\n").encode(),
            content_type="application/json",
        )
        for k, v in report.usage.items():
            summary.usage[k] = summary.usage.get(k, 0) + v
        if report.latency_ms is not None:
            summary.latencies_ms.append(report.latency_ms)
        summary.written.append({"athlete": athlete, "week_start": week, "uri": uri})
        summary.last = {"uri": uri, "preview": report.text[:800]}
        if progress and (i % 25 == 0 or i == len(todo)):
            progress(i, len(todo))
    return summary
