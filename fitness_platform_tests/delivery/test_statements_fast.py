"""The quick paths of report verification decide exactly what the plain rules decide: the cheap
test for digits and direction words never passes prose the plain patterns would stop, and the
walk that collects a payload's numbers finds exactly what a plain recursive walk finds."""

from __future__ import annotations

import enum
import random
import re

import pytest

from fitness_platform.delivery.numbers import _raw_numbers
from fitness_platform.delivery.statements import _may_state, verify

# The direction words, written out here again (not taken from the module): every form the
# verifier must notice, in any case.
UP_WORDS = (
    "progress progressed progressing rose risen increase increased improve improved gained climbed"
)
DOWN_WORDS = (
    "regress regressed regression regressing fell fallen decrease decreased dropped declined "
    "worsened"
)
PLAIN = re.compile(
    r"\d|" + "|".join(re.escape(w) for w in (UP_WORDS + " " + DOWN_WORDS).split()), re.I
)
FRAGMENTS = [
    "Bench Press",
    " ",
    "e1RM",
    "top load",
    ", against last week",
    "**",
    "held",
    "steady",
    "rosé",
    "fel",
    "ris",
    "٣",  # an Arabic-Indic digit: \d matches it
    "\u017f",  # long s: IGNORECASE matches it against "s"
    "\u0131",  # dotless i
    "\u0130",  # dotted capital I
    "\u212a",  # Kelvin sign
    *UP_WORDS.split(),
    *DOWN_WORDS.split(),
]


def _case(word: str, rng: random.Random) -> str:
    return "".join(c.upper() if rng.random() < 0.3 else c for c in word)


def test_the_cheap_test_never_passes_what_the_plain_patterns_stop():
    rng = random.Random(16)
    stopped = 0
    for _ in range(20_000):
        text = "".join(_case(rng.choice(FRAGMENTS), rng) for _ in range(rng.randint(1, 6)))
        if rng.random() < 0.2:  # a direction word spelled with a letter that folds to ASCII
            text = text.replace("s", "\u017f", 1).replace("i", "\u0131", 1)
        if PLAIN.search(text):
            stopped += 1
            assert _may_state(text), text
    assert stopped > 5_000  # the corpus exercises the rule


def test_prose_states_a_direction_even_spelled_with_a_folding_letter():
    payload = {"athlete": {"athlete_key": "a1"}, "display": {"weight_unit": "kg"}}
    for word in ("\u0131ncreased", "ro\u017fe", "RO\u017fE"):
        report = {"sections": [{"title": "Week", "statements": [{"text": word, "cites": []}]}]}
        errors = verify(payload, report).errors
        assert errors == [
            "section 1 ('Week'), statement 1: the text states a direction but the statement has "
            "no direction"
        ], word


def test_a_digit_next_to_the_e1rm_term_is_still_a_number_of_its_own():
    payload = {
        "athlete": {"athlete_key": "a1"},
        "display": {"weight_unit": "kg"},
        "exercises": [{"exercise_name": "Squat 5x5", "exercise_key": "squat_5x5"}],
    }

    def errors(text):
        statement = {"text": text, "cites": []}
        return verify(payload, {"sections": [{"title": "W", "statements": [statement]}]}).errors

    assert errors("Squat 5x5 e1RM held") == []  # a name and the term: no number of its own
    assert errors("e1RM held for 3 weeks") == [
        "section 1 ('W'), statement 1: the text holds a number of its own (write every number "
        "as a {path} placeholder)"
    ]


class Level(enum.IntEnum):
    HIGH = 3


class Tagged(dict):
    pass


def _plain_numbers(node, out: set) -> set:
    if isinstance(node, dict):
        for v in node.values():
            _plain_numbers(v, out)
    elif isinstance(node, list):
        for v in node:
            _plain_numbers(v, out)
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        out.add(node)
    return out


def _random_node(rng: random.Random, depth: int):
    pick = rng.random()
    if depth > 3 or pick < 0.5:
        return rng.choice(
            [
                rng.randint(-5, 500),
                round(rng.uniform(-50, 500), 2),
                True,
                False,
                None,
                "8 weeks",
                Level.HIGH,
                0.0,
                -0.0,
            ]
        )
    if pick < 0.75:
        return [_random_node(rng, depth + 1) for _ in range(rng.randint(0, 8))]
    kind = Tagged if rng.random() < 0.1 else dict
    return kind((f"k{i}", _random_node(rng, depth + 1)) for i in range(rng.randint(0, 6)))


def test_the_number_walk_finds_what_a_plain_walk_finds():
    rng = random.Random(7)
    for _ in range(2_000):
        payload = {"root": _random_node(rng, 0)}
        assert _raw_numbers(payload) == _plain_numbers(payload, set())
    assert _raw_numbers({"a": [True, False, None, "1"], "b": Tagged(x=[Level.HIGH, 2.5])}) == {
        3,
        2.5,
    }


def test_the_numbers_a_report_cites_are_payload_numbers_only():
    """What the number check looks at first (``PayloadPaths.numbers_seen``): the numbers among
    the payload values resolved, never a flag, a text, a list or a reference constant."""
    from fitness_platform.delivery.statements import PathError, PayloadPaths

    payload = {
        "a": 1,
        "b": 2.5,
        "flag": True,
        "none": None,
        "name": "Bench 5x5",
        "series": [7, 8.5],
        "exercises": [{"exercise_key": "bench", "top_load_kg": 100.0}],
    }
    paths = PayloadPaths(payload)
    for path in ["a", "b", "flag", "none", "name", "series", "series[1]"]:
        paths(path)
    paths("exercises[bench].top_load_kg")
    paths("reference.hard_sets_low")  # a constant (10), not a payload value
    with pytest.raises(PathError):
        paths("missing")
    assert sorted(paths.numbers_seen()) == [1, 2.5, 8.5, 100.0]
