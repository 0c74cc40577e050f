"""Tracing a report's numbers back to its payload: what the report states must be in the payload."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from fitness_platform.delivery.reference import KG_PER_LB

_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:[.,]\d+)?(?![\w])")


def payload_numbers(payload) -> set[Decimal]:
    found: set[Decimal] = set()

    def walk(node):
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, (int, float)) and not isinstance(node, bool):
            found.add(Decimal(str(node)))

    walk(payload)
    return found


def _variants(value: Decimal) -> set[Decimal]:
    """A number and the ways a writer may round it (0, 1 or 2 decimals), with either sign."""
    out = {abs(value)}
    for places in ("1", "0.1", "0.01"):
        out.add(abs(value).quantize(Decimal(places), rounding=ROUND_HALF_UP))
    return out


def untraceable_numbers(
    report: str,
    payload: dict,
    *,
    constants: set = frozenset(),
    ignore_text: list[str] | None = None,
) -> list[str]:
    """Numbers written in ``report`` that match no payload value (after rounding) nor a constant."""
    allowed: set[Decimal] = set()
    values = payload_numbers(payload)
    for value in values | {Decimal(str(c)) for c in constants}:
        allowed |= _variants(value)
    if (payload.get("display") or {}).get("weight_unit") == "lb":
        # A report in pounds states a weight as its kg value converted (then rounded).
        for value in values:
            allowed |= _variants(Decimal(str(round(float(value) / KG_PER_LB, 1))))
    text = report
    # Payload text first (a note may hold a date), then the dates left.
    for fragment in sorted(ignore_text or [], key=len, reverse=True):
        text = text.replace(fragment, " ")
    text = _DATE.sub(" ", text)
    missing = []
    for match in _NUMBER.finditer(text):
        token = match.group(0)
        value = abs(Decimal(token.replace(",", ".").lstrip("+")))
        if value not in allowed:  # Decimal equality is numeric: 160 == 160.0
            missing.append(token)
    return missing


def names_in(payload: dict) -> list[str]:
    """Text in the payload that may contain digits but is not a number (names, keys)."""
    names = [payload["athlete"]["athlete_key"]]
    if payload.get("cycle"):
        names.append(payload["cycle"]["cycle_name"])
    for exercise in payload.get("exercises", []):
        names += [exercise["exercise_name"], exercise["exercise_key"]]
    names += payload.get("data_quality", {}).get("inferred_exercises", [])
    body = payload.get("body") or {}
    names += [body[k] for k in ("trend_change_note", "expenditure_note") if body.get(k)]
    return names
