"""Tracing a report's numbers back to its payload: what the report states must be in the payload."""

from __future__ import annotations

import functools
import re
from decimal import ROUND_HALF_UP, Decimal

from fitness_platform.delivery.reference import KG_PER_LB

_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:[.,]\d+)?(?![\w])")


def _raw_numbers(payload) -> set:
    """Every number in the payload as stored (int or float; never a bool), without duplicates."""
    found: set = set()
    add = found.add
    stack = [payload]
    push, pop = stack.append, stack.pop
    while stack:
        node = pop()
        kind = type(node)
        if kind is dict:
            node = node.values()
        elif kind is not list:
            if kind is int or kind is float:
                add(node)
            elif kind is not str and node is not None:
                _other(node, push, add)
            continue
        # The items of a container: numbers (most of a payload's: its histories) are taken here,
        # without a round through the stack.
        for item in node:
            kind = type(item)
            if kind is float or kind is int:
                add(item)
            elif kind is dict or kind is list:
                push(item)
            elif kind is not str and item is not None:
                _other(item, push, add)
    return found


def _other(node, push, add) -> None:
    """A value of another type: a subclass of dict or list is walked like its base; a number
    subclass other than bool is a number."""
    if isinstance(node, dict):
        push(dict(node))
    elif isinstance(node, list):
        push(list(node))
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        add(node)


@functools.lru_cache(maxsize=1 << 17)
def _variants(value) -> frozenset[Decimal]:
    """A number and the ways a writer may round it (0, 1 or 2 decimals), with either sign.
    Cached: a backfill meets the same history values in week after week."""
    exact = abs(Decimal(str(value)))
    return frozenset(
        [exact]
        + [
            exact.quantize(Decimal(places), rounding=ROUND_HALF_UP)
            for places in ("1", "0.1", "0.01")
        ]
    )


@functools.lru_cache(maxsize=1 << 17)
def _pound_variants(value) -> frozenset[Decimal]:
    """The variants of a kg value converted to pounds (rounded to 0.1 lb first)."""
    return _variants(round(float(value) / KG_PER_LB, 1))


def untraceable_numbers(
    report: str,
    payload: dict,
    *,
    constants: set = frozenset(),
    ignore_text: list[str] | None = None,
) -> list[str]:
    """Numbers written in ``report`` that match no payload value (after rounding) nor a constant.

    Most numbers a report writes are payload values as they stand: those are found in a set of
    floats first. Only a number not found there is compared with every rounding of every value
    (in Decimal, built once per report when first needed). A token of at most 15 significant
    digits equals a float exactly when it equals the float's shortest repr, so the quick test
    accepts nothing the full one would refuse."""
    values = _raw_numbers(payload)
    pounds = (payload.get("display") or {}).get("weight_unit") == "lb"
    exact = {abs(v) for v in values} | {abs(float(c)) for c in constants}
    if pounds:
        # A report in pounds states a weight as its kg value converted (then rounded).
        exact |= {abs(round(float(v) / KG_PER_LB, 1)) for v in values}
    allowed: set[Decimal] | None = None
    text = report
    # Payload text first (a note may hold a date), then the dates left.
    for fragment in sorted(ignore_text or [], key=len, reverse=True):
        text = text.replace(fragment, " ")
    text = _DATE.sub(" ", text)
    missing = []
    for token in _NUMBER.findall(text):
        digits = token.replace(",", ".").lstrip("+-")
        if len(digits.replace(".", "").lstrip("0")) <= 15 and float(digits) in exact:
            continue
        if allowed is None:
            allowed = set()
            for value in values | set(constants):
                allowed |= _variants(value)
            if pounds:
                for value in values:
                    allowed |= _pound_variants(value)
        if abs(Decimal(digits)) not in allowed:  # Decimal equality is numeric: 160 == 160.0
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
