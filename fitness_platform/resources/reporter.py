"""Who writes the weekly report: the deterministic offline reporter, or Amazon Bedrock."""

from __future__ import annotations

from dataclasses import dataclass, field

from abc import abstractmethod

from dagster import ConfigurableResource

from fitness_platform.delivery.offline_report import REPORTER_VERSION, render_report


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
    def write(self, *, payload: dict, payload_json: str) -> Report:
        ...


class OfflineReporterResource(ReporterResource):
    """Deterministic Markdown from the payload alone: no network, no cost, same bytes every time."""

    def identity(self) -> dict:
        return {"reporter": "offline", "model_id": "offline", "prompt_version": REPORTER_VERSION}

    def write(self, *, payload: dict, payload_json: str) -> Report:
        return Report(render_report(payload), "offline", "offline", REPORTER_VERSION)
