"""A written report, and the offline report: made with this machine's CPU alone.

Light on imports (no Dagster, no AWS SDK): worker processes import this module to write offline
reports on every core (``workers.ordered_map``), and start in a fraction of a second."""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson

from fitness_platform.delivery.numbers import names_in, untraceable_numbers
from fitness_platform.delivery.offline_report import (
    REPORTER_VERSION,
    report_title,
    structured_report,
)
from fitness_platform.delivery.reference import REFERENCE_CONSTANTS
from fitness_platform.delivery.statements import PayloadPaths, render, verify
from fitness_platform.errors import ReportRefused


@dataclass
class Report:
    text: str
    reporter: str
    model_id: str
    prompt_version: str
    usage: dict = field(default_factory=dict)
    latency_ms: float | None = None
    verification: dict = field(default_factory=dict)
    cost_usd: float | None = None
    cited: list = field(default_factory=list)
    """Payload numbers the report cites (``PayloadPaths.numbers_seen``): where the number check
    looks first."""


def json_bytes(value: dict) -> bytes:
    """A sidecar or record as indented JSON with sorted keys (by orjson: a backfill writes two a
    report)."""
    option = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
    return orjson.dumps(value, option=option) + b"\n"


def week_label(payload: dict) -> str:
    return f"{payload['athlete']['athlete_key']} week {payload['week_start']}"


def offline_report(payload: dict) -> Report:
    """Deterministic statements from the payload alone, verified like a model's reply; a
    statement that fails verification is a defect of the offline reporter: ReportRefused."""
    paths = PayloadPaths(payload)  # one resolver for writing, checking and rendering
    structured = structured_report(payload, paths)
    checked = verify(payload, structured, paths)
    record = {**checked.record, "attempts": 1, "reporter": "offline"}
    if checked.errors:  # never stored
        raise ReportRefused(
            f"the offline report for {week_label(payload)} failed verification: "
            + "; ".join(checked.errors[:5]),
            verification=record,
        )
    text = render(payload, structured, title=report_title(payload), paths=paths)
    return Report(
        text,
        "offline",
        "offline",
        REPORTER_VERSION,
        verification=record,
        cited=paths.numbers_seen(),
    )


def untraceable(report: str, payload: dict, cited=()) -> list[str]:
    """The numbers of a report's text found nowhere in its payload (nor among the constants);
    ``cited``: payload values the report is known to cite, looked at first."""
    found = untraceable_numbers(
        report, payload, constants=REFERENCE_CONSTANTS, ignore_text=names_in(payload), cited=cited
    )
    return sorted(set(found))


@dataclass(frozen=True)
class Written:
    """A report as written, ready to store: its text, its number check and its verification
    record already as JSON bytes (it crosses processes: bytes are cheaper to send than dicts)."""

    text: str
    reporter: str
    missing: list[str]
    verification_json: bytes
    usage: dict = field(default_factory=dict)
    cost_usd: float | None = None
    latency_ms: float | None = None


@dataclass(frozen=True)
class Refused:
    """A report refused by verification: why, and the verification record."""

    message: str
    verification: dict


def write_reports(reporter, datas: list[bytes]) -> list[Written | Refused]:
    """Reports of stored payloads (their bytes) by ``reporter.write``, each number-checked."""
    out: list[Written | Refused] = []
    for data in datas:
        payload = orjson.loads(data)
        try:
            report = reporter.write(payload=payload, payload_json=data.decode())
        except ReportRefused as exc:
            out.append(Refused(str(exc), exc.verification or {}))
            continue
        out.append(
            Written(
                text=report.text,
                reporter=report.reporter,
                missing=untraceable(report.text, payload, report.cited),
                verification_json=json_bytes(report.verification),
                usage=report.usage,
                cost_usd=report.cost_usd,
                latency_ms=report.latency_ms,
            )
        )
    return out


class _Offline:
    def write(self, *, payload: dict, payload_json: str) -> Report:
        return offline_report(payload)


def offline_reports(datas: list[bytes]) -> list[Written | Refused]:
    """The offline reports of stored payloads: the work of one worker process."""
    return write_reports(_Offline(), datas)
