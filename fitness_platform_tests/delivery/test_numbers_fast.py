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
            kind = rng.randrange(7)
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
            elif kind == 5:
                token = "0." + "0" * rng.randrange(3) + str(rng.randrange(1, 10**17))
            else:  # a date, alone or against other characters (only a whole one is skipped)
                token = rng.choice(["", "a", "-", "1", "(", "_", "é"]) + "2024-05-06"
                token += rng.choice(["", "b", ".5", "7", ")", "-3", "_"])
            tokens.append(token)
        # "1" and "0" equal True and False, which are flags, not numbers.
        report = "On 2024-05-06 you did " + "; then ".join(tokens) + " (1 of 0)."
        constants = {8, 52, 0.5}
        expected = full_check(report, payload, constants)
        assert untraceable_numbers(report, payload, constants=constants) == expected, (
            case,
            report,
        )
        # The payload values a report cites, looked at first, change nothing: a number among
        # them is in the payload, and one that is not is still compared with the whole payload.
        cited = rng.sample(numbers, rng.randrange(len(numbers) + 1)) + [True, False]
        assert untraceable_numbers(report, payload, constants=constants, cited=cited) == expected, (
            case,
            report,
            cited,
        )


def plain_statement_problems(text: str, names: list[str]) -> tuple[bool, bool, bool]:
    """The statement text rules computed the long way: every name and term taken out of the
    text, then (a digit left, a word of progress left, a word of regress left)."""
    import re

    from fitness_platform.delivery.statements import _DOWN, _PLACEHOLDER, _UP, TERMS

    prose = _PLACEHOLDER.sub(" ", text)
    for name in [*names, *TERMS]:
        prose = prose.replace(name, " ")
    return bool(re.search(r"\d", prose)), bool(_UP.search(prose)), bool(_DOWN.search(prose))


def test_the_statement_check_finds_what_taking_every_name_out_finds():
    """``_verify_statement`` takes the payload's names out of a statement only when its text
    holds a digit or a direction word somewhere: the same problems as always taking them out."""
    from fitness_platform.delivery.statements import PayloadPaths, _verify_statement

    rng = random.Random(20261206)
    names = ["Rose 5x5", "Bench Press (21s)", "Incline Press", "bench_press", "athlete_0007"]
    words = ["you", "rose", "Rose", "fell", "increased", "Benchrose", "held", "steady", "e1RM"]
    words += ["1RM", "21", "in", "week", "{training_overview.tonnage_kg}", "Incline", "declined"]
    paths = PayloadPaths({"training_overview": {"tonnage_kg": 100.0}})
    for _ in range(2000):
        parts = [rng.choice(words + names) for _ in range(rng.randrange(1, 8))]
        text = rng.choice(["", " "]).join(parts)
        statement = {"text": text, "cites": ["training_overview.tonnage_kg"]}
        problems = _verify_statement(paths, statement, names)
        digit, up, down = plain_statement_problems(text, names)
        assert any("number of its own" in p for p in problems) == digit, text
        assert any("states a direction" in p for p in problems) == (up or down), text


def test_the_number_and_date_patterns_find_what_the_plain_ones_find():
    """The patterns are written to start with a character (for speed); on random text built of
    the characters that matter (digits, signs, separators, letters, a non-ASCII letter, an
    underscore) they find exactly what the plain patterns of ``full_check`` find."""
    import re

    from fitness_platform.delivery.numbers import _DATE, _NUMBER

    plain_number = re.compile(r"(?<![\w.])[-+]?\d+(?:[.,]\d+)?(?![\w])")
    plain_date = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
    rng = random.Random(20261207)
    alphabet = "0123456789-+.,aZ_é ()"
    for _ in range(30000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 14)))
        assert _NUMBER.findall(text) == plain_number.findall(text), text
        dated = text[: len(text) // 2] + "2024-05-06" + text[len(text) // 2 :]
        assert _DATE.sub(" ", dated) == plain_date.sub(" ", dated), dated
