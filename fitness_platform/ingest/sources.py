"""The source registry: every kind of input, declared once.

A kind says how a file of it is recognised (from its header and first rows, or by its name for the
settings file), what a person calls it, what role its rows play (settings, cycles, diet, workouts)
and how it is parsed. Raw discovery, silver parsing and ``fitness-platform validate`` all read this
list, so a new source is one entry here (see "How to add a source" in the README).

Parsing an athlete's files goes role by role: settings first (units for exports that do not state
them), then cycles (for diet logs without a cycle column), then the diet log, then workouts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from fitness_platform.errors import ExportError
from fitness_platform.ingest.body import is_hevy_measurements_header, parse_hevy_measurements
from fitness_platform.ingest.cronometer import (
    is_cronometer_header,
    is_cronometer_servings_header,
    parse_cronometer,
    parse_cronometer_servings,
)
from fitness_platform.ingest.csvfile import CsvTable
from fitness_platform.ingest.cycles import CYCLE_COLUMNS, is_cycles_header, parse_cycles_file
from fitness_platform.ingest.diet import is_diet_header, parse_diet
from fitness_platform.ingest.hevy import is_hevy_header, parse_hevy
from fitness_platform.ingest.hevy_api import MIRROR_FILE, parse_mirror
from fitness_platform.ingest.profile import SETTINGS_FILE, load_profile
from fitness_platform.ingest.strong import (
    is_strong_header,
    nearest_layout,
    parse_strong,
    reads_by_position,
)

ROLES = ("settings", "cycles", "diet", "body", "workouts")
"""The order in which an athlete's files are parsed: each role may use what an earlier one gave."""


@dataclass
class SourceInput:
    """What a parser is given: the file (its bytes and, for a CSV, its cells) and what the
    athlete's earlier files said."""

    path: Path
    content: bytes
    table: CsvTable | None
    athlete_key: str
    corrections: pd.DataFrame | None
    now: datetime
    profile: dict = field(default_factory=dict)
    cycles: pd.DataFrame | None = None


@dataclass
class SourceResult:
    """What a file contributed; the parts a kind does not produce stay None."""

    sets: pd.DataFrame | None = None
    diet: pd.DataFrame | None = None
    cycles: pd.DataFrame | None = None
    body: pd.DataFrame | None = None
    """Body measurements (``ingest/body.py``): one row per day of this source."""
    rejects: pd.DataFrame | None = None
    corrections: list[dict] = field(default_factory=list)
    profile: dict | None = None
    facts: dict = field(default_factory=dict)
    """What ``validate`` and the load metadata say about the file: units, layout, language."""
    authoritative_starts: set = field(default_factory=set)
    """Start times of workouts of which this file has the live copy: another file's workout of
    the same source and start is replaced by it (the Hevy API over a CSV export)."""
    removed_starts: set = field(default_factory=set)
    """Start times of workouts deleted at the source: another file's copy is dropped too."""
    deletions: list[dict] = field(default_factory=list)
    """Deletions seen at the source, for the audit table."""
    templates: list[dict] = field(default_factory=list)
    """The source's own classification of the exercises used (Hevy exercise templates)."""


@dataclass(frozen=True)
class SourceKind:
    name: str
    label: str
    role: str
    parse: Callable[[SourceInput], SourceResult]
    recognise: Callable[[list[str], list[list[str]]], bool] | None = None
    """From the header and the first rows; None for a kind found by its file name."""
    file_name: str | None = None
    """The fixed name of a non-CSV kind (``athlete.toml``)."""
    describe: Callable[[SourceResult], str] = lambda result: ""
    """The part of ``validate``'s "kind:" line after the label (layout, language, …)."""

    @property
    def is_csv(self) -> bool:
        return self.file_name is None


def _workouts(parsed) -> SourceResult:
    return SourceResult(
        sets=parsed.sets,
        rejects=parsed.rejects,
        corrections=parsed.corrections,
        facts=parsed.units,
    )


def _parse_hevy(source: SourceInput) -> SourceResult:
    result = _workouts(
        parse_hevy(
            source.table,
            athlete_key=source.athlete_key,
            corrections=source.corrections,
            now=source.now,
        )
    )
    first_line = source.content.split(b"\n", 1)[0]
    result.facts = {**result.facts, "header": "quoted" if b'"' in first_line else "bare"}
    return result


def _parse_strong(source: SourceInput) -> SourceResult:
    return _workouts(
        parse_strong(
            source.table,
            athlete_key=source.athlete_key,
            corrections=source.corrections,
            now=source.now,
            weight_unit=source.profile.get("weight_unit"),
            distance_unit=source.profile.get("distance_unit"),
        )
    )


def _parse_diet(source: SourceInput) -> SourceResult:
    parsed = parse_diet(
        source.table,
        athlete_key=source.athlete_key,
        today=source.now.date(),
        cycles_file=source.cycles,
    )
    return SourceResult(diet=parsed.days, cycles=parsed.cycles, rejects=parsed.rejects)


def _parse_cronometer(source: SourceInput) -> SourceResult:
    parsed = parse_cronometer(
        source.table,
        athlete_key=source.athlete_key,
        today=source.now.date(),
        cycles=source.cycles if source.cycles is not None else pd.DataFrame(columns=CYCLE_COLUMNS),
    )
    return SourceResult(diet=parsed.days, cycles=parsed.cycles, rejects=parsed.rejects)


def _parse_measurements(source: SourceInput) -> SourceResult:
    body, rejects, facts = parse_hevy_measurements(
        source.table, athlete_key=source.athlete_key, today=source.now.date()
    )
    return SourceResult(body=body, rejects=rejects, facts=facts)


def _parse_servings(source: SourceInput) -> SourceResult:
    parsed = parse_cronometer_servings(
        source.table,
        athlete_key=source.athlete_key,
        today=source.now.date(),
        cycles=source.cycles if source.cycles is not None else pd.DataFrame(columns=CYCLE_COLUMNS),
    )
    return SourceResult(diet=parsed.days, cycles=parsed.cycles, rejects=parsed.rejects)


def _parse_cycles(source: SourceInput) -> SourceResult:
    return SourceResult(cycles=parse_cycles_file(source.table, athlete_key=source.athlete_key))


def _parse_settings(source: SourceInput) -> SourceResult:
    return SourceResult(profile=load_profile(source.path, source.content))


def _parse_hevy_api(source: SourceInput) -> SourceResult:
    sets, rejects, applied, facts, extra = parse_mirror(
        source.path,
        source.content,
        athlete_key=source.athlete_key,
        profile=source.profile,
        corrections=source.corrections,
        now=source.now,
    )
    return SourceResult(
        sets=sets,
        rejects=rejects,
        corrections=applied,
        facts=facts,
        authoritative_starts=extra["authoritative_starts"],
        removed_starts=extra["removed_starts"],
        deletions=extra["deletions"],
        templates=extra["templates"],
        body=extra["body"],
    )


def _strong_facts(result: SourceResult) -> str:
    f = result.facts
    return (
        f", layout {f['layout']}, headers in {f['language']}; "
        f"{f['rest_timer_rows']} rest-timer rows skipped"
    )


REGISTRY: list[SourceKind] = [
    SourceKind(
        "settings",
        "athlete settings",
        "settings",
        _parse_settings,
        file_name=SETTINGS_FILE,
    ),
    SourceKind(
        "hevy_api",
        "Hevy API mirror",
        "workouts",
        _parse_hevy_api,
        file_name=MIRROR_FILE,
        describe=lambda result: (
            f" ({result.facts['workouts']} workouts, cursor {result.facts['cursor']})"
        ),
    ),
    # Strong before Hevy: a Strong header names no Hevy column, but some Hevy-like files do both.
    SourceKind(
        "strong",
        "Strong workout export",
        "workouts",
        _parse_strong,
        recognise=lambda header, rows: is_strong_header(header) or reads_by_position(header, rows),
        describe=_strong_facts,
    ),
    SourceKind(
        "hevy",
        "Hevy workout export",
        "workouts",
        _parse_hevy,
        recognise=lambda header, rows: is_hevy_header(header),
        describe=lambda result: f" ({result.facts['header']} header)",
    ),
    SourceKind(
        "cronometer",
        "Cronometer daily summary",
        "diet",
        _parse_cronometer,
        recognise=lambda header, rows: is_cronometer_header(header),
    ),
    SourceKind(
        "cronometer_servings",
        "Cronometer servings export",
        "diet",
        _parse_servings,
        recognise=lambda header, rows: is_cronometer_servings_header(header),
    ),
    SourceKind(
        "hevy_measurements",
        "Hevy measurements export",
        "body",
        _parse_measurements,
        recognise=lambda header, rows: is_hevy_measurements_header(header),
        describe=lambda result: (
            f" ({result.facts['measurements']} days, lengths in {result.facts['lengths']})"
        ),
    ),
    SourceKind(
        "cycles",
        "diet cycles file",
        "cycles",
        _parse_cycles,
        recognise=lambda header, rows: is_cycles_header(header),
    ),
    SourceKind(
        "diet",
        "diet log (personal SQLite export)",
        "diet",
        _parse_diet,
        recognise=lambda header, rows: is_diet_header(header),
    ),
]


def kinds() -> list[SourceKind]:
    return list(REGISTRY)


def kind_named(name: str) -> SourceKind | None:
    return next((k for k in REGISTRY if k.name == name), None)


def by_file_name(name: str) -> SourceKind | None:
    """The non-CSV kind a file is by its name (``athlete.toml``), or None."""
    return next((k for k in REGISTRY if k.file_name == name), None)


def recognise(header: list[str], rows: list[list[str]]) -> SourceKind | None:
    """The first CSV kind whose recognition accepts this header (and first rows), or None."""
    return next((k for k in REGISTRY if k.recognise and k.recognise(header, rows)), None)


def expected_kinds() -> str:
    labels = [k.label for k in REGISTRY if k.is_csv]
    return ", ".join(labels[:-1]) + " or " + labels[-1] if len(labels) > 1 else labels[0]


def unrecognised(table: CsvTable) -> ExportError:
    """The refusal of a file of no known kind, naming the nearest layout when one is close."""
    near = nearest_layout(table.header)
    if near is not None:
        return ExportError(
            table.path,
            f"not a recognised export: the header is close to {near[0]} but has columns it "
            f"does not know: {', '.join(repr(h) for h in near[1])}",
            line=1,
        )
    return ExportError(
        table.path,
        f"not a recognised export (expected a {expected_kinds()}); header starts "
        f"{', '.join(table.header[:4])}",
        line=1,
    )
