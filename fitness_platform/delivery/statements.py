"""Reports verified by construction: statements that cite the payload, checked, then rendered.

A reporter (an LLM, or the offline reporter) answers with a *structured report*: sections of short
statements. A statement's text never holds a number of its own; it holds placeholders, ``{path}``,
that name payload fields (``{exercises[bench_press_barbell].current_week.best_e1rm_kg}``), and the
platform writes the numbers in from the payload itself, rounded as the payload rounds them and in
the athlete's display unit. A statement that states a direction or a record says so in a field of
its own, which is checked against the cited delta's sign and the payload's record flags.

Paths: dot-separated field names; a list of objects is indexed by its natural key in brackets
(``exercises[<exercise_key>]``, ``muscle_groups[<muscle_group>]``, ``history.main_lifts[<key>]``,
``signals.stalls[<key>]``, ``signals.acwr[<muscle_group>]``, ``cycle_so_far.main_lifts[<key>]``,
``cycle_review.main_lifts[<key>]``), a list of values by position (``history.tonnage_kg[7]``).
``reference.<name>`` names one of the platform's reference constants (``REFERENCE_VALUES``)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from fitness_platform.delivery.reference import (
    ACWR_BAND,
    CALORIE_TOLERANCE_PCT,
    DELOAD_BASELINE_WEEKS,
    DELOAD_PCT,
    EXPENDITURE_WINDOW_DAYS,
    HARD_SET_RANGE,
    HISTORY_WEEKS,
    KG_PER_LB,
    LIFT_HISTORY_WEEKS,
    MAIN_LIFT_WINDOW_WEEKS,
    PROTEIN_MIN_PCT,
    RATE_WINDOW_DAYS,
    RECORD_WINDOWS_WEEKS,
    STALL_WEEKS,
)

STATEMENTS_VERSION = "statements-v1"
# The constants a statement may cite as {reference.<name>}: definitions, never measurements.
REFERENCE_VALUES = {
    "hard_sets_low": HARD_SET_RANGE[0],
    "hard_sets_high": HARD_SET_RANGE[1],
    "record_short_weeks": RECORD_WINDOWS_WEEKS[0],
    "record_long_weeks": RECORD_WINDOWS_WEEKS[1],
    "stall_weeks": STALL_WEEKS,
    "deload_pct": DELOAD_PCT,
    "deload_baseline_weeks": DELOAD_BASELINE_WEEKS,
    "acwr_low": ACWR_BAND[0],
    "acwr_high": ACWR_BAND[1],
    "rate_window_days": RATE_WINDOW_DAYS,
    "expenditure_window_days": EXPENDITURE_WINDOW_DAYS,
    "calorie_tolerance_pct": CALORIE_TOLERANCE_PCT,
    "protein_min_pct": PROTEIN_MIN_PCT,
    "history_weeks": HISTORY_WEEKS,
    "lift_history_weeks": LIFT_HISTORY_WEEKS,
    "main_lift_window_weeks": MAIN_LIFT_WINDOW_WEEKS,
}
KEYED_LISTS = {
    "exercises": "exercise_key",
    "muscle_groups": "muscle_group",
    "main_lifts": "exercise_key",
    "stalls": "exercise_key",
    "acwr": "muscle_group",
}
RECORD_WINDOWS = ("all_time", "last_52_weeks", "last_8_weeks")
DIRECTIONS = ("up", "down", "flat")
MAX_STATEMENTS = 150

# The JSON Schema of a structured report: the tool every provider is asked to call.
REPORT_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["sections"],
    "properties": {
        "sections": {
            "type": "array",
            "minItems": 1,
            "maxItems": 12,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["title", "statements"],
                "properties": {
                    "title": {"type": "string", "minLength": 1, "maxLength": 80},
                    "statements": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["text", "cites"],
                            "properties": {
                                "text": {
                                    "type": "string",
                                    "minLength": 1,
                                    "maxLength": 600,
                                    "description": "Prose with {path} placeholders for every "
                                    "number and date; no digit of its own.",
                                },
                                "cites": {
                                    "type": "array",
                                    "items": {"type": "string"},
                                    "description": "Every payload path the statement rests on "
                                    "(each placeholder, and the flags it reads).",
                                },
                                "direction": {
                                    "type": "object",
                                    "additionalProperties": False,
                                    "required": ["path", "is"],
                                    "properties": {
                                        "path": {"type": "string"},
                                        "is": {"enum": list(DIRECTIONS)},
                                    },
                                },
                                "record": {
                                    "type": "object",
                                    "additionalProperties": False,
                                    "required": ["path", "window"],
                                    "properties": {
                                        "path": {"type": "string"},
                                        "window": {"enum": list(RECORD_WINDOWS)},
                                    },
                                },
                            },
                        },
                    },
                },
            },
        }
    },
}

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_SEGMENT = re.compile(r"^([a-z_][a-z0-9_]*)(?:\[([^\]]+)\])?$")
# Words that state a direction: a statement using one must carry a direction that agrees.
_UP = re.compile(r"\b(progress(?:ed|ing)?|rose|risen|increased?|improved?|gained|climbed)\b", re.I)
_DOWN = re.compile(
    r"\b(regress(?:ed|ion|ing)?|fell|fallen|decreased?|dropped|declined|worsened)\b", re.I
)
# Terms that hold a digit and are no number: the estimated one-rep max.
TERMS = ("e1RM", "1RM")


class PathError(LookupError):
    pass


def resolve(payload: dict, path: str):
    """The payload value a path names; PathError when it names nothing."""
    return PayloadPaths(payload)(path)


class PayloadPaths:
    """Resolves paths in one payload, each path once: writing, checking and rendering a report
    name the same paths many times, and a keyed step (``exercises[bench_press]``) is looked up in
    an index of its list instead of by a scan. The payload must not change while it is used."""

    __slots__ = ("payload", "_values", "_keyed")

    def __init__(self, payload: dict):
        self.payload = payload
        self._values: dict[str, tuple[bool, object]] = {}
        self._keyed: dict[int, dict[str, object]] = {}

    def __call__(self, path: str):
        hit = self._values.get(path)
        if hit is None:
            try:
                hit = (True, self._resolve(path))
            except PathError as exc:
                hit = (False, str(exc))
            self._values[path] = hit
        found, value = hit
        if not found:
            raise PathError(value)
        return value

    def numbers_seen(self) -> list:
        """The numbers (never a bool) among the payload values resolved so far, the reference
        constants left out: what a report written through this resolver cites. The number check
        looks for a report's numbers there before it walks the whole payload."""
        return [
            value
            for path, (found, value) in self._values.items()
            if found
            and (value.__class__ is int or value.__class__ is float)
            and not path.startswith("reference.")
        ]

    def _item(self, name: str, items: list, key: str):
        """The first item of a keyed list whose key field is ``key`` (None when none is)."""
        index = self._keyed.get(id(items))
        if index is None:
            field_name = KEYED_LISTS.get(name)
            index = {}
            if field_name:
                for x in items:
                    if isinstance(x, dict) and isinstance(x.get(field_name), str):
                        index.setdefault(x[field_name], x)
            self._keyed[id(items)] = index
        return index.get(key)

    def _resolve(self, path: str):
        if path.startswith("reference."):
            name = path.removeprefix("reference.")
            if name not in REFERENCE_VALUES:
                raise PathError(f"{path}: no reference constant {name!r}")
            return REFERENCE_VALUES[name]
        node = self.payload
        for name, key in _segments(path):
            if not isinstance(node, dict) or name not in node:
                raise PathError(f"{path}: no field {name!r}")
            node = node[name]
            if key is None:
                continue
            if not isinstance(node, list):
                raise PathError(f"{path}: {name} is not a list")
            if key.isdigit():
                index = int(key)
                if index >= len(node):
                    raise PathError(f"{path}: {name} has {len(node)} items")
                node = node[index]
                continue
            found = self._item(name, node, key)
            if found is None:
                raise PathError(f"{path}: no {name} item {key!r}")
            node = found
        return node


@functools.lru_cache(maxsize=65536)
def _segments(path: str) -> tuple[tuple[str, str | None], ...]:
    """A path's (field, key) steps, parsed once per distinct path (reports repeat them)."""
    steps = []
    for part in path.split("."):
        match = _SEGMENT.match(part)
        if not match:
            raise PathError(f"{path}: {part!r} is not a field name or name[key]")
        steps.append(match.groups())
    return tuple(steps)


@functools.lru_cache(maxsize=65536)
def _field(path: str) -> str:
    """The last field name of a path, without an index: ``tonnage_kg`` of ``history.tonnage_kg[7]``."""
    return path.rsplit(".", 1)[-1].split("[")[0]


@functools.lru_cache(maxsize=65536)
def weight_path(path: str) -> bool:
    """A weight in kg (shown in the athlete's unit): ``*_kg`` and ``*_kg_per_week``, not a
    ``*_per_kg`` ratio such as protein_g_per_kg."""
    name = _field(path)
    return (name.endswith("_kg") and not name.endswith("_per_kg")) or name.endswith("_kg_per_week")


def format_value(payload: dict, path: str, value) -> str:
    """A payload value as the report writes it: as the payload rounds it, with its unit."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    label, signed = _format_of(path)
    if label is _WEIGHT:
        if (payload.get("display") or {}).get("weight_unit") == "lb":
            return f"{_number(round(value / KG_PER_LB, 1), signed)} lb"
        return f"{_number(value, signed)} kg"
    if label is None:
        return _number(value, signed)
    return f"{_number(value, signed)} {label}"


_WEIGHT = "weight"
_UNIT_SUFFIXES = (
    ("_kcal", "kcal"),
    ("_pct", "%"),
    ("_pct_per_week", "%"),
    ("_g", "g"),
    ("_km", "km"),
)


@functools.lru_cache(maxsize=65536)
def _format_of(path: str) -> tuple[str | None, bool]:
    """How a path's number is written, decided once per distinct path: its unit label
    (``_WEIGHT`` for a weight in the athlete's unit, None for none) and whether it is signed."""
    if weight_path(path):
        return _WEIGHT, signed_path(path)
    name = _field(path)
    label = next((label for suffix, label in _UNIT_SUFFIXES if name.endswith(suffix)), None)
    return label, signed_path(path)


def _number(value, signed: bool = False) -> str:
    """As the payload's JSON writes it (68, 43297.1, 20.0), with a sign for a change."""
    text = str(value) if isinstance(value, int) else repr(float(value))
    return "+" + text if signed and value > 0 else text


@functools.lru_cache(maxsize=65536)
def signed_path(path: str) -> bool:
    """A change (a delta against an earlier week, or a ``*change*`` field) is written with its
    sign: +2.5 kg, -1.0 kg."""
    parts = [p.split("[")[0] for p in path.split(".")]
    if parts[-1] == "weeks_since":
        return False
    return any(p.startswith("delta_") or p == "vs_last_week" for p in parts) or any(
        word in parts[-1] for word in ("change", "rate")
    )


@dataclass(frozen=True)
class Checked:
    errors: list[str]
    record: dict
    """The verification record stored beside the report."""


def _names(payload: dict) -> list[str]:
    """Payload text that may hold digits and is not a number (names, keys)."""
    names = [payload["athlete"]["athlete_key"], payload["athlete"].get("display_name") or ""]
    for exercise in payload.get("exercises", []):
        names += [exercise["exercise_name"], exercise["exercise_key"]]
    for section in ("cycle", "cycle_so_far", "cycle_review"):
        if payload.get(section):
            names.append(payload[section]["cycle_name"])
    for lift in payload.get("history", {}).get("main_lifts", []):
        names.append(lift["exercise_name"])
    body = payload.get("body") or {}
    names += [body.get("trend_change_note") or "", body.get("expenditure_note") or ""]
    names += payload.get("data_quality", {}).get("inferred_exercises", [])
    return sorted({n for n in names if n}, key=len, reverse=True)


def verify(payload: dict, report: dict, paths: PayloadPaths | None = None) -> Checked:
    """Every check of a structured report against its payload; the errors name the statement.
    ``paths`` resolves the payload's paths (one shared with ``render`` resolves each once)."""
    paths = paths or PayloadPaths(payload)
    errors: list[str] = []
    names = _names(payload)
    sections = report.get("sections") if isinstance(report, dict) else None
    if not isinstance(sections, list) or not sections:
        return Checked(["the report has no sections"], {"statements": [], "passed": False})
    checked = []
    count = 0
    for s_index, section in enumerate(sections):
        title = str(section.get("title", ""))
        where_section = f"section {s_index + 1} ({title!r})"
        if _has_digit(title, names):
            errors.append(f"{where_section}: the title holds a number of its own")
        for t_index, statement in enumerate(section.get("statements") or []):
            count += 1
            where = f"{where_section}, statement {t_index + 1}"
            problems = _verify_statement(paths, statement, names)
            errors += [f"{where}: {p}" for p in problems]
            checked.append(
                {
                    "section": title,
                    "text": statement.get("text", ""),
                    "cites": list(statement.get("cites") or []),
                    "direction": statement.get("direction"),
                    "record": statement.get("record"),
                    "passed": not problems,
                    "errors": problems,
                }
            )
    if count == 0:
        errors.append("the report has no statements")
    if count > MAX_STATEMENTS:
        errors.append(f"the report has {count} statements; at most {MAX_STATEMENTS}")
    return Checked(
        errors,
        {"version": STATEMENTS_VERSION, "statements": checked, "passed": not errors},
    )


_DIGIT = re.compile(r"\d")
# The direction words anywhere, even inside a word: text where these find nothing holds no digit
# or direction word however its names are taken out (each becomes a space, joining nothing).
_SCAN = re.compile(r"\d|" + "|".join(p.pattern.replace(r"\b", "") for p in (_UP, _DOWN)), re.I)
# The shortest form of every direction word (_UP, _DOWN), lower case; and the only characters
# other than ASCII letters that an IGNORECASE pattern of ASCII letters matches (Python's re
# documentation: "İ", "ı", "ſ" and the Kelvin sign).
_STEMS = (
    *("progress", "rose", "risen", "increase", "improve", "gained", "climbed"),
    *("regress", "fell", "fallen", "decrease", "dropped", "declined", "worsened"),
)
_FOLDED = ("\u0130", "\u0131", "\u017f", "\u212a")


def _may_state(text: str) -> bool:
    """False only where ``_SCAN`` finds nothing: a digit, a direction stem in the lower-cased
    text, or a letter that case-folds to ASCII makes it True. Ten times faster than ``_SCAN``
    (a report has some 70 statements, and most of their prose states neither)."""
    if _DIGIT.search(text) is not None:
        return True
    lowered = text.lower()
    return any(stem in lowered for stem in _STEMS) or any(c in text for c in _FOLDED)


@functools.lru_cache(maxsize=1 << 14)
def _states(text: str) -> bool:
    """Whether ``text`` holds a digit or a direction word (``_SCAN``), the quick test first.
    Cached: a statement's prose (its text without the placeholders) comes back week after week."""
    return _may_state(text) and _SCAN.search(text) is not None


@functools.lru_cache(maxsize=1 << 14)
def _shape(text: str) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """A statement's text split at its placeholders (prose, path, prose, ..., prose), its paths,
    and its prose with each placeholder a space. Cached like ``_states``: checking and rendering
    a report split each text, and a backfill meets the same texts for week after week."""
    parts = tuple(_PLACEHOLDER.split(text))
    return parts, parts[1::2], " ".join(parts[0::2])


def _without_names(text: str, names: list[str]) -> str:
    """``text`` with the payload's names and the TERMS taken out (they may hold digits or words
    such as "Rose"). Most of a report's text holds no digit or direction word at all: it is
    returned as it is, instead of replacing dozens of names in each statement."""
    if not _states(text):
        return text
    return _remove_names(text, names)


def _remove_names(text: str, names: list[str]) -> str:
    for name in [*names, *TERMS]:
        text = text.replace(name, " ")
    return text


def _has_digit(text: str, names: list[str]) -> bool:
    return _DIGIT.search(_without_names(text, names)) is not None


def _verify_statement(paths: PayloadPaths, statement: dict, names: list[str]) -> list[str]:
    problems = []
    text = statement.get("text")
    if not isinstance(text, str) or not text.strip():
        return ["empty text"]
    cites = statement.get("cites") or []
    _, placeholders, prose = _shape(text)
    for path in placeholders:
        if path not in cites:
            problems.append(f"placeholder {{{path}}} is not among its cites")
    for path in cites:
        try:
            value = paths(path)
        except PathError as exc:
            problems.append(f"cites a path that does not exist: {exc}")
            continue
        if path in placeholders and value is None:
            problems.append(f"{{{path}}} is null in the payload: say there is no value instead")
        if path in placeholders and isinstance(value, (dict, list)):
            problems.append(f"{{{path}}} is not a single value")
    # Most prose holds no digit and no direction word at all: one search says so.
    # What holds one is searched again without the payload's names and the TERMS (most such
    # prose held only "e1RM"): the finer searches run only on what is still left.
    said_up = said_down = False
    if _states(prose):
        prose = _remove_names(prose, names)
        if _states(prose):
            if _DIGIT.search(prose):
                problems.append(
                    "the text holds a number of its own (write every number as a {path} "
                    "placeholder)"
                )
            said_up, said_down = bool(_UP.search(prose)), bool(_DOWN.search(prose))
    direction = statement.get("direction")
    if direction is not None:
        problems += _check_direction(paths, direction, cites)
    stated = direction.get("is") if isinstance(direction, dict) else None
    if (said_up or said_down) and stated is None:
        problems.append("the text states a direction but the statement has no direction")
    elif said_up and stated != "up":
        problems.append(f"the text says up but the direction is {stated!r}")
    elif said_down and stated != "down":
        problems.append(f"the text says down but the direction is {stated!r}")
    record = statement.get("record")
    if record is not None:
        problems += _check_record(paths, record, cites)
    return problems


def _check_direction(paths: PayloadPaths, direction: dict, cites: list[str]) -> list[str]:
    path, stated = direction.get("path", ""), direction.get("is")
    if path not in cites:
        return [f"its direction rests on {path}, which it does not cite"]
    try:
        value = paths(path)
    except PathError as exc:
        return [f"its direction rests on a path that does not exist: {exc}"]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return [f"its direction rests on {path}, which is not a number ({value!r})"]
    actual = "up" if value > 0 else "down" if value < 0 else "flat"
    if actual != stated:
        return [f"it says {stated} but {path} is {value} ({actual})"]
    return []


def _check_record(paths: PayloadPaths, record: dict, cites: list[str]) -> list[str]:
    path, window = record.get("path", ""), record.get("window")
    if path not in cites:
        return [f"its record rests on {path}, which it does not cite"]
    try:
        flags = paths(path)
    except PathError as exc:
        return [f"its record rests on a path that does not exist: {exc}"]
    if not isinstance(flags, dict) or window not in flags:
        return [f"{path} is not a record's flags (all_time, last_52_weeks, last_8_weeks)"]
    if flags[window] is not True:
        return [f"it claims a {window} record but {path}.{window} is {flags[window]}"]
    return []


def render(payload: dict, report: dict, *, title: str, paths: PayloadPaths | None = None) -> str:
    """The verified report as Markdown: each statement a line, its numbers from the payload."""
    paths = paths or PayloadPaths(payload)
    lines = [title, ""]
    for section in report["sections"]:
        lines += [f"## {section['title']}", ""]
        statements = section["statements"] or []
        for statement in statements:
            parts = list(_shape(statement["text"])[0])  # prose, placeholder, ..., prose
            for i in range(1, len(parts), 2):
                parts[i] = format_value(payload, parts[i], paths(parts[i]))
            lines.append("- " + "".join(parts))
        if not statements:
            lines.append("- nothing to report")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
