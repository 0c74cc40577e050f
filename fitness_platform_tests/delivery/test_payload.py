"""Payload numbers against plain pandas computed from the raw CSV (fitness_platform_tests.reference)."""

from __future__ import annotations

import copy
import json
import random
from datetime import date, timedelta
from pathlib import Path

import pytest

from fitness_platform.delivery.contract import fast_payload_check, payload_validator, schema_errors
from fitness_platform.delivery.payload import number, payload_key, serialise
from fitness_platform_tests import reference as ref
from fitness_platform_tests.helpers import SAMPLE_DELIVERY

CUT_WEEK = date(2024, 2, 5)  # Cutting II
BULK_WEEK = date(2024, 4, 15)  # Bulking I
CORRECTED_WEEK = date(2024, 5, 13)  # holds the corrected 54 kg failure set (Bulking I)
NO_DIET_WEEK = date(2026, 1, 12)  # training on 13 Jan 2026, diet log ends 11 Jan
AFTER_MISSED = date(2024, 8, 5)  # no workout in the week of 29 Jul 2024
ASSISTED_WEEK = date(2023, 12, 4)  # assisted pull-ups (assistance 30 kg), plain chest dips
WEIGHTED_DIPS_WEEK = date(2024, 7, 1)  # triceps dips with a belt, weighted back extensions
WEEKS = [
    ASSISTED_WEEK,
    CUT_WEEK,
    BULK_WEEK,
    CORRECTED_WEEK,
    WEIGHTED_DIPS_WEEK,
    NO_DIET_WEEK,
    AFTER_MISSED,
]


def close(actual, expected, tol=0.006):
    if expected is None:
        return actual is None
    return actual is not None and abs(actual - float(expected)) <= tol


@pytest.fixture(scope="module")
def payloads(sample_run):
    """The payloads of the weeks above, as the delivery wrote them."""
    _, out = sample_run
    return {w: json.loads((Path(out) / payload_key("demo", w)).read_text()) for w in WEEKS}


@pytest.fixture(scope="module")
def every_week(sample_week_payloads):
    return sample_week_payloads


@pytest.fixture(scope="module")
def sets():
    return ref.sets_frame()


@pytest.mark.parametrize("week", WEEKS, ids=str)
def test_training_overview(payloads, sets, week):
    expected = ref.training_overview(sets, week)
    overview = payloads[week]["training_overview"]
    for key, value in expected.items():
        assert close(overview[key], value), (key, overview[key], value)
    expected_cardio = ref.cardio(sets, week)
    for key, value in expected_cardio.items():
        assert close(payloads[week]["cardio"][key], value), key


@pytest.mark.parametrize("week", WEEKS, ids=str)
def test_exercise_metrics_and_deltas(payloads, sets, week):
    expected = ref.exercise_metrics(sets, week)
    exercises = {e["exercise_name"]: e for e in payloads[week]["exercises"]}
    assert set(exercises) == set(expected)
    assert [e["exercise_name"] for e in payloads[week]["exercises"]] == sorted(exercises)
    previous = ref.exercise_metrics(sets, week - timedelta(days=7))
    for title, metrics in expected.items():
        current = exercises[title]["current_week"]
        for key, value in metrics.items():
            assert close(current[key], value), (title, key, current[key], value)
        delta = exercises[title]["delta_vs_last_week"]
        if title not in previous:
            assert delta is None, title
        else:
            for key, value in metrics.items():
                before = previous[title][key]
                want = None if value is None or before is None else value - before
                assert close(delta[key], want), (title, key)


def test_week_after_a_missed_week_compares_with_two_weeks_earlier(payloads, sets):
    assert sets[sets["week"] == AFTER_MISSED - timedelta(days=7)].empty
    payload = payloads[AFTER_MISSED]
    # The missed week still has a diet log, so it exists, with no training: deltas are against 0.
    this_week = ref.training_overview(sets, AFTER_MISSED)
    vs = payload["training_overview"]["vs_last_week"]
    for key in ("training_sessions", "total_sets", "tonnage_kg", "training_minutes"):
        assert close(vs[key], this_week[key]), key
    earlier = ref.exercise_metrics(sets, AFTER_MISSED - timedelta(days=14))
    current = ref.exercise_metrics(sets, AFTER_MISSED)
    for exercise in payload["exercises"]:
        title = exercise["exercise_name"]
        assert exercise["delta_vs_last_week"] is None
        delta = exercise["delta_vs_previous_session_week"]
        if title in earlier:
            assert delta["weeks_since"] == 2
            want = current[title]["total_sets"] - earlier[title]["total_sets"]
            assert delta["total_sets"] == want


@pytest.mark.parametrize("week", WEEKS, ids=str)
def test_records(payloads, sets, week):
    for exercise in payloads[week]["exercises"]:
        title = exercise["exercise_name"]
        for metric, column in (("top_load", "top_load_kg"), ("best_e1rm", "best_e1rm_kg")):
            series = ref.weekly_series(sets, title, column)
            assert exercise["records"][metric] == ref.record_flags(series, week), (title, metric)


@pytest.mark.parametrize("week", WEEKS, ids=str)
def test_muscle_groups(payloads, sets, week):
    expected = ref.muscle_groups(sets, week)
    groups = {g["muscle_group"]: g for g in payloads[week]["muscle_groups"]}
    assert list(groups) == sorted(expected)
    for name, values in expected.items():
        assert close(groups[name]["hard_sets"], values["hard_sets"]), name
        assert close(groups[name]["tonnage_kg"], values["tonnage_kg"]), name


@pytest.mark.parametrize("week", WEEKS, ids=str)
def test_diet_and_cycle(payloads, week):
    diet_df = ref.diet_frame()
    expected = ref.diet(diet_df, week)
    diet = payloads[week]["diet"]
    assert diet["logged_days"] == expected["logged_days"]
    for key in ("avg_calories_kcal", "avg_bodyweight_kg", "cardio_weekly_min"):
        assert close(diet[key], expected[key]), key
    cycle = payloads[week]["cycle"]
    if expected["cycle_label"]:
        assert expected["cycle_label"].startswith(str(cycle["cycle_number"]))
        assert cycle["cycle_name"] in expected["cycle_label"]


def test_week_without_diet_takes_the_cycle_holding_its_monday(payloads):
    payload = payloads[NO_DIET_WEEK]
    assert payload["diet"]["logged_days"] == 0 and payload["diet"]["avg_calories_kcal"] is None
    assert payload["data_quality"]["has_diet"] is False
    # 12 Jan 2026 lies in "10Cutting V (06/10/2025 - XX/XX/XXXX)", the open-ended cycle.
    assert payload["cycle"] == {
        "cycle_number": 10,
        "cycle_name": "Cutting V",
        "cycle_type": "cutting",
    }


def test_corrected_values_reach_the_payload(payloads):
    curl = next(
        e
        for e in payloads[CORRECTED_WEEK]["exercises"]
        if e["exercise_name"] == "Bicep Curl (Machine)"
    )
    assert curl["current_week"]["top_load_kg"] == 54.0
    assert payloads[CORRECTED_WEEK]["data_quality"]["corrected_values"] == 1


def test_trend_weight_rate_and_expenditure_every_week(every_week):
    diet = ref.diet_frame()
    weights = ref.weigh_ins(diet)
    trend = ref.trend_by_day(weights, max(every_week) + timedelta(days=6))
    intake = {d.date(): float(k) for d, k in zip(diet["day"], diet["kcal"], strict=True)}
    seen = {"rate": 0, "no_rate": 0, "expenditure": 0, "no_expenditure": 0, "high": 0}
    assert len(every_week) > 130
    for week, payload in every_week.items():
        expected = ref.body_week(weights, trend, intake, week)
        body = payload["body"]
        for key in (
            "trend_weight_kg",
            "trend_change_kg_per_week",
            "trend_change_pct_per_week",
            "expenditure_kcal",
        ):
            assert close(body[key], expected[key]), (week, key, body[key], expected[key])
        assert body["expenditure_confidence"] == expected["expenditure_confidence"], week
        assert body["expenditure_intake_days"] == expected["expenditure_intake_days"], week
        assert body["expenditure_weigh_ins"] == expected["expenditure_weigh_ins"], week
        # A value that is null says why; one that is given has no note.
        assert (body["trend_change_kg_per_week"] is None) == bool(body["trend_change_note"])
        assert (body["expenditure_kcal"] is None) == bool(body["expenditure_note"])
        seen["rate" if expected["trend_change_kg_per_week"] is not None else "no_rate"] += 1
        if expected["expenditure_kcal"] is None:
            seen["no_expenditure"] += 1
        else:
            seen["expenditure"] += 1
            seen["high"] += expected["expenditure_confidence"] == "high"
    # Both branches of each rule are exercised: the first weeks lack the history.
    assert all(seen.values()), seen
    first = every_week[min(every_week)]["body"]  # the diet log starts on Saturday 6 May 2023
    assert first["trend_change_note"] == "no weigh-in on or before 2023-04-17"
    assert first["expenditure_note"] == (
        "intake logged on fewer than 21 of the 28 days to 2023-05-07"
    )


def test_adherence_every_week(every_week, sets):
    diet = ref.diet_frame()
    for week, payload in every_week.items():
        expected = ref.adherence_week(diet, sets, week)
        adherence = payload["adherence"]
        for key, value in expected.items():
            assert close(adherence[key], value), (week, key, adherence[key], value)
    # After the diet log ends there is nothing to judge calories by: null, not 0.
    assert every_week[NO_DIET_WEEK]["adherence"]["calories"] is None
    assert every_week[NO_DIET_WEEK]["adherence"]["intake_logged_days"] == 0


def test_payloads_built_together_equal_each_built_alone(sample_run, every_week):
    """The delivery builds all of an athlete's weeks from one query per section: each stored
    payload must be the one its week gets when built alone (no week's rows in another's)."""
    _, out = sample_run
    first, last = (date.fromisoformat(d) for d in SAMPLE_DELIVERY)
    delivered = {
        date.fromisoformat(p.parent.name.removeprefix("week_start=")): p
        for p in Path(out).glob("payloads/athlete=demo/week_start=*/*.json")
    }
    assert sorted(delivered) == [w for w in sorted(every_week) if first <= w <= last]
    assert len(delivered) > 100
    for week, path in delivered.items():
        assert json.loads(path.read_text()) == every_week[week], week


def _broken(payload: dict, how: str) -> dict:
    broken = copy.deepcopy(payload)
    if how == "date":
        broken["week_start"] = "2024-13-45"
    elif how == "required":
        del broken["athlete"]
    elif how == "type":
        broken["diet"]["avg_calories_kcal"] = "a lot"
    elif how == "enum":
        broken["exercises"][0]["load_basis"] = "magic"
    elif how == "extra":
        broken["unexpected"] = 1
    return broken


@pytest.mark.parametrize("how", ["date", "required", "type", "enum", "extra"])
def test_compiled_contract_check_refuses_what_the_reference_validator_refuses(every_week, how):
    """The delivery checks payloads with the contract compiled by jsonschema-rs; the reference
    validator (jsonschema, draft 2020-12) must agree on what is broken, and name it."""
    payload = every_week[BULK_WEEK]
    broken = _broken(payload, how)
    assert not fast_payload_check().is_valid(broken)
    assert list(payload_validator().iter_errors(broken))
    errors = schema_errors(broken)
    expected = {"date": "week_start", "required": "'athlete'", "type": "avg_calories_kcal"}
    assert errors and expected.get(how, "") in " ".join(errors)


def test_compiled_contract_check_accepts_every_sample_week(every_week):
    for payload in every_week.values():
        assert fast_payload_check().is_valid(payload)
        assert not list(payload_validator().iter_errors(payload))


# What a broken builder could put in a field: each a value of another type, out of range or
# badly formed (dates that do not exist, another calendar's digits, a key with capitals).
ODD_VALUES = [
    None, True, 0, -1, 1.5, -0.5, 3.0, "", "x", "2024-02-30", "2024-13-01", "2024-1-01",
    "\u0662\u0660\u0662\u0664-01-01", "2024-01-01", "Bench_Press", "bench_press", [], {}, [1], {"a": 1},
]  # fmt: skip


def _nodes(node, path=()):
    """Every (container, key) of a payload, to mutate one at a time."""
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        yield node, key
        if isinstance(value, (dict, list)):
            yield from _nodes(value, (*path, key))


def test_compiled_contract_check_agrees_with_the_reference_on_random_breakage(every_week):
    """A second computation of the contract: for 1,500 payloads with one field replaced,
    removed or added (dates that do not exist, wrong types, negative counts, unknown keys), the
    compiled check passes exactly those the reference validator finds no error in."""
    rng = random.Random(16)
    weeks = sorted(every_week)
    outcomes = {True: 0, False: 0}
    for _ in range(1_500):
        payload = copy.deepcopy(every_week[rng.choice(weeks)])
        container, key = rng.choice(list(_nodes(payload)))
        action = rng.random()
        if action < 0.8:
            container[key] = copy.deepcopy(rng.choice(ODD_VALUES))
        elif isinstance(container, dict) and action < 0.9:
            del container[key]
        elif isinstance(container, dict):
            container["unexpected_field"] = 1
        else:
            container.append(copy.deepcopy(container[key]))
        reference = not list(payload_validator().iter_errors(payload))
        assert fast_payload_check().is_valid(payload) == reference, (container, key)
        outcomes[reference] += 1
    assert min(outcomes.values()) > 100  # both kinds of outcome were exercised


def test_serialised_bytes_are_pythons_json_of_the_payload(every_week):
    """The contract's bytes, written by orjson, are exactly what Python's json writes with a
    2-space indent (the second computation), for every sample week; a number that is not finite
    is refused, never written as null."""
    for payload in every_week.values():
        reference = json.dumps(payload, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
        assert serialise(payload) == reference.encode()
    with pytest.raises(ValueError, match="tonnage_kg is nan"):
        number(float("nan"), "tonnage_kg")
