"""The quick test of report numbers (a set of floats first) finds exactly what the full
comparison with every rounding of every payload value finds."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

from fitness_platform.delivery.numbers import untraceable_numbers
from fitness_platform.delivery.reference import KG_PER_LB


def full_check(report: str, payload: dict, constants) -> list[str]:
    """The plain rule, computed the long way: every payload number and constant in Decimal with
    its roundings to 0, 1 and 2 decimals (and, for a report in pounds, its conversion)."""
    import re

    values = []

    def walk(node):
        if isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, (int, float)) and not isinstance(node, bool):
            values.append(Decimal(str(node)))

    walk(payload)
    allowed = set()

    def add(value: Decimal):
        allowed.add(abs(value))
        for places in ("1", "0.1", "0.01"):
            allowed.add(abs(value).quantize(Decimal(places), rounding=ROUND_HALF_UP))

    for value in values + [Decimal(str(c)) for c in constants]:
        add(value)
    if payload["display"]["weight_unit"] == "lb":
        for value in values:
            add(Decimal(str(round(float(value) / KG_PER_LB, 1))))
    text = re.sub(r"\b\d{4}-\d{2}-\d{2}\b", " ", report)
    return [
        m.group(0)
        for m in re.finditer(r"(?<![\w.])[-+]?\d+(?:[.,]\d+)?(?![\w])", text)
        if abs(Decimal(m.group(0).replace(",", ".").lstrip("+"))) not in allowed
    ]


def test_quick_and_full_checks_agree_on_random_reports():
    rng = random.Random(20261202)
    for case in range(400):
        numbers = [round(rng.uniform(-300, 300), rng.choice([0, 1, 2])) for _ in range(12)]
        numbers += [rng.randint(0, 40) for _ in range(4)]
        payload = {
            "display": {"weight_unit": rng.choice(["kg", "lb"])},
            "values": numbers[:8],
            "nested": [{"x": n, "flag": True} for n in numbers[8:]],
        }
        tokens = []
        for _ in range(10):
            base = rng.choice(numbers)
            kind = rng.randrange(6)
            if kind == 0:
                token = str(base)
            elif kind == 1:
                token = f"{abs(base):.0f}"
            elif kind == 2:
                token = f"{base:+.1f}"
            elif kind == 3:
                token = f"{round(base / KG_PER_LB, 1)}".replace(".", ",")
            elif kind == 4:
                token = f"{rng.uniform(0, 999):.{rng.choice([0, 1, 2, 3])}f}"
            else:
                token = "0." + "0" * rng.randrange(3) + str(rng.randrange(1, 10**17))
            tokens.append(token)
        report = "On 2024-05-06 you did " + "; then ".join(tokens) + "."
        constants = {8, 52, 0.5}
        expected = full_check(report, payload, constants)
        assert untraceable_numbers(report, payload, constants=constants) == expected, (
            case,
            report,
        )
