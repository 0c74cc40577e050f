"""Tracing a report's numbers back to its payload: what the report states must be in the payload."""

from __future__ import annotations

import functools
import re
from decimal import ROUND_HALF_UP, Decimal

from fitness_platform.delivery.reference import KG_PER_LB

# ``\b\d{4}-\d{2}-\d{2}\b``, written to start with a digit: the regular expression engine then
# skips to the digits of a report instead of trying the boundary at every character (twice as
# fast). ``(?<!\w\d)`` after the first digit is ``\b`` before it: no word character precedes.
_DATE = re.compile(r"\d(?<!\w\d)\d{3}-\d{2}-\d{2}(?!\w)")
# A number: ``(?<![\w.])[-+]?\d+(?:[.,]\d+)?(?!\w)``, written to start with the one character it
# may start with, so that the engine skips to the signs and digits of a report (a third faster).
# ``(?<![\w.][-+\d])`` after that character is the look-behind before it; a sign is then followed
# by digits, a digit by more or none (the same matches, tried in the same order).
_NUMBER = re.compile(r"[-+\d](?<![\w.][-+\d])(?:(?<=[-+])\d+|(?<=\d)\d*)(?:[.,]\d+)?(?!\w)")


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
    cited=(),
) -> list[str]:
    """Numbers written in ``report`` that match no payload value (after rounding) nor a constant.

    Most numbers a report writes are payload values as they stand: those are found in a set of
    floats first. ``cited`` may hold payload values the report is known to cite (the values of
    its statements' placeholders): when every number is found among those and the constants,
    the payload is not walked at all. Only a number not found is compared with every rounding
    of every value (in Decimal, built once per report when first needed). A token of at most 15
    significant digits equals a float exactly when it equals the float's shortest repr, so the
    quick tests accept nothing the full one would refuse."""
    pounds = (payload.get("display") or {}).get("weight_unit") == "lb"
    text = report
    # Payload text first (a note may hold a date), then the dates left.
    for fragment in sorted(ignore_text or [], key=len, reverse=True):
        text = text.replace(fragment, " ")
    text = _DATE.sub(" ", text)
    tokens = _NUMBER.findall(text)
    if not tokens:
        return []
    if cited:
        known = _exact(
            [v for v in cited if v.__class__ is int or v.__class__ is float], constants, pounds
        )
        tokens = [t for t in tokens if not _found(t, known)]
        if not tokens:
            return []
    values = _raw_numbers(payload)
    exact = _exact(values, constants, pounds)
    allowed: set[Decimal] | None = None
    missing = []
    for token in tokens:
        if _found(token, exact):
            continue
        if allowed is None:
            allowed = set()
            for value in values | set(constants):
                allowed |= _variants(value)
            if pounds:
                for value in values:
                    allowed |= _pound_variants(value)
        digits = token.replace(",", ".").lstrip("+-")
        if abs(Decimal(digits)) not in allowed:  # Decimal equality is numeric: 160 == 160.0
            missing.append(token)
    return missing


def _exact(values, constants, pounds: bool) -> set:
    """The absolute values of ``values`` and ``constants`` as floats; with ``pounds``, also each
    value converted to pounds and rounded to 0.1 (as a report in pounds states a weight)."""
    exact = {abs(v) for v in values} | {abs(float(c)) for c in constants}
    if pounds:
        exact |= {abs(round(float(v) / KG_PER_LB, 1)) for v in values}
    return exact


def _found(token: str, exact: set) -> bool:
    """A token that is exactly one of the floats of ``exact`` (the quick test)."""
    digits = token.replace(",", ".").lstrip("+-")
    return len(digits.replace(".", "").lstrip("0")) <= 15 and float(digits) in exact


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
