"""Beyond one week, on the sample: the 8-week history, the training signals, the cycle so far and
the cycle reviews, each against the plain-pandas reference (fitness_platform_tests.reference)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from fitness_platform.delivery.offline_report import render_report
from fitness_platform_tests import reference as ref


def close(actual, expected, tol=0.006):
    if expected is None:
        return actual is None
    return actual is not None and abs(actual - float(expected)) <= tol


@pytest.fixture(scope="module")
def sample():
    sets, diet = ref.sets_frame(), ref.diet_frame()
    weeks = ref.weekly_grid(sets, diet)
    training = ref.week_training(sets, weeks)
    weights = ref.weigh_ins(diet)
    trend = ref.trend_by_day(weights, weeks[-1] + timedelta(days=6))
    return {
        "sets": sets,
        "diet": diet,
        "weeks": weeks,
        "training": training,
        "streaks": ref.streaks(training),
        "deloads": ref.deloads(training),
        "hard": ref.hard_sets_by_week(sets, weeks),
        "trend": trend,
    }


def test_history_is_the_last_eight_calendar_weeks(sample_week_payloads, sample):
    intake = ref.diet_frame().groupby("week")["kcal"].mean().to_dict()
    for week, payload in sample_week_payloads.items():
        history = payload["history"]
        expected_weeks = [week - timedelta(days=7 * n) for n in range(7, -1, -1)]
        assert history["weeks"] == [w.isoformat() for w in expected_weeks]
        for i, w in enumerate(expected_weeks):
            t = sample["training"].get(w)
            if t is None:  # before the athlete's first week: no data, null
                assert history["sessions"][i] is None and history["tonnage_kg"][i] is None
                continue
            assert history["sessions"][i] == t["sessions"], (week, w)
            assert history["working_sets"][i] == t["working_sets"], (week, w)
            assert close(history["tonnage_kg"][i], t["tonnage_kg"]), (week, w)
            assert close(history["trend_weight_kg"][i], sample["trend"].get(w + timedelta(6)))
            assert close(history["avg_calories_kcal"][i], intake.get(w)), (week, w)
        for group, series in history["hard_sets"].items():
            by_week = sample["hard"].get(group, {})
            first = min(by_week)
            for i, w in enumerate(expected_weeks):
                want = by_week.get(w, 0.0) if w >= first and w in sample["training"] else None
                assert close(series[i], want), (week, group, w)


def test_streaks_deloads_and_workload_ratios(sample_week_payloads, sample):
    seen = {"deload": 0, "outside": 0, "inside": 0}
    for week, payload in sample_week_payloads.items():
        signals = payload["signals"]
        assert signals["streak_weeks"] == sample["streaks"][week], week
        assert signals["deload"]["is_deload"] == sample["deloads"][week], week
        seen["deload"] += sample["deloads"][week]
        expected = ref.acwr(sample["hard"], sample["weeks"], week)
        got = {a["muscle_group"]: a for a in signals["acwr"]}
        for group, (hard, chronic, ratio, outside) in expected.items():
            if not hard and not chronic:
                assert group not in got
                continue
            a = got[group]
            assert close(a["hard_sets"], hard) and close(a["chronic_hard_sets"], chronic)
            assert close(a["ratio"], ratio) and a["outside_band"] == outside, (week, group)
            if outside is not None:
                seen["outside" if outside else "inside"] += 1
    # The sample shows each: the last week (one session, 13 January) is a deload by the rule.
    assert all(seen.values()), seen
    assert sample_week_payloads[date(2026, 1, 12)]["signals"]["deload"]["is_deload"]


def test_main_lifts_and_their_stalls(sample_week_payloads, sample):
    stalled = 0
    for week, payload in sample_week_payloads.items():
        names = ref.main_lifts(sample["sets"], sample["weeks"], week)
        lifts = payload["history"]["main_lifts"]
        assert [lift["exercise_name"] for lift in lifts] == names, week
        for lift, stall in zip(lifts, payload["signals"]["stalls"], strict=True):
            series = ref.e1rm_weeks(sample["sets"], lift["exercise_name"])
            expected = ref.progress(series, week)
            assert stall["exercise_name"] == lift["exercise_name"]
            assert stall["latest_week"] == expected["latest_week"].isoformat()
            assert close(stall["best_e1rm_kg"], expected["best_e1rm_kg"])
            assert close(stall["previous_best_e1rm_kg"], expected["previous_best_e1rm_kg"])
            assert stall["weeks_since_best"] == expected["weeks_since_best"], (week, lift)
            assert stall["stalled"] == expected["stalled"]
            stalled += expected["stalled"]
            lift_weeks = [week - timedelta(days=7 * n) for n in range(11, -1, -1)]
            assert payload["history"]["lift_weeks"] == [w.isoformat() for w in lift_weeks]
            weekly = [series.get(w) for w in lift_weeks]
            assert all(close(a, b) for a, b in zip(lift["best_e1rm_kg"], weekly, strict=True))
    assert stalled, "the sample has stalls"


def test_each_finished_cut_is_reviewed_with_the_strength_it_kept(sample_week_payloads, sample):
    cycles = ref.day_cycles(sample["diet"], sample["weeks"])
    reviewed = 0
    for week, payload in sample_week_payloads.items():
        review = payload["cycle_review"]
        if review is None:
            continue
        number = review["cycle_number"]
        days = sorted(d for d, c in cycles.items() if c == number)
        assert review["first_day"] == days[0].isoformat()
        as_of = min(week + timedelta(days=6), days[-1])
        assert review["as_of"] == as_of.isoformat()
        names = ref.main_lifts(sample["sets"], sample["weeks"], week)
        assert [lift["exercise_name"] for lift in review["main_lifts"]] == names
        for lift in review["main_lifts"]:
            series = ref.e1rm_weeks(sample["sets"], lift["exercise_name"])
            expected = ref.cycle_lift(series, days[0], week)
            assert lift["trained_weeks"] == expected["trained_weeks"]
            assert close(lift["first_best_e1rm_kg"], expected["first"])
            assert close(lift["last_best_e1rm_kg"], expected["last"])
            if review["cycle_type"] == "cutting" and expected["first"] is not None:
                assert lift["strength_retained"] == (expected["last"] >= expected["first"])
        cycle_days = [d for d in days if d <= as_of]
        start = ref.trend_by_day(ref.weigh_ins(sample["diet"]), as_of)
        before = start.get(cycle_days[0] - timedelta(days=1))
        if before is None:  # no weigh-in before the cycle: its first trend value in it
            before = next(start[d] for d in cycle_days if start.get(d) is not None)
        assert close(review["trend_change_kg"], start[as_of] - before)
        assert close(
            review["trend_rate_kg_per_week"], (start[as_of] - before) / len(cycle_days) * 7
        )
        if review["cycle_type"] == "cutting" and any(
            lift["strength_retained"] is not None for lift in review["main_lifts"]
        ):
            report = render_report(payload)
            assert f"## Cycle review: {review['cycle_name']}" in report
            assert "Strength was retained through the cut" in report or (
                "Strength was not retained through the cut on" in report
            )
            reviewed += 1
    # The sample's finished cuts with training: Cutting II, III and IV.
    assert reviewed == 3


def test_the_cycle_so_far_adds_up_its_days_and_weeks(sample_week_payloads, sample):
    """Each week's cycle so far, worked out from the sample's files: the cycle's days up to its
    as-of day give the weigh-ins, the mean intake, protein per kg and the sessions; the athlete's
    weeks from the cycle's first to this one give the hard sets a week (weeks without training
    count 0)."""
    diet = sample["diet"]
    cycles = ref.day_cycles(diet, sample["weeks"])
    weights = ref.weigh_ins(diet)
    kcal = {d.date(): float(k) for d, k in zip(diet["day"], diet["kcal"], strict=True)}
    protein = {d.date(): float(g) for d, g in zip(diet["day"], diet["proteinas_g"], strict=True)}
    sessions_on: dict[date, int] = {}
    for start in sample["sets"]["start"].unique():
        sessions_on[start.date()] = sessions_on.get(start.date(), 0) + 1
    hard = {
        w: sum(by_week.get(w, 0.0) for by_week in sample["hard"].values()) for w in sample["weeks"]
    }

    def mean(values):
        return sum(values) / len(values) if values else None

    checked = 0
    for week, payload in sample_week_payloads.items():
        so_far = payload["cycle_so_far"]
        if so_far is None:
            continue
        as_of = date.fromisoformat(so_far["as_of"])
        days = sorted(d for d, c in cycles.items() if c == so_far["cycle_number"] and d <= as_of)
        assert so_far["first_day"] == days[0].isoformat()
        assert so_far["days"] == (as_of - days[0]).days + 1
        weighed = [weights[d] for d in days if d in weights]
        assert close(so_far["bodyweight_change_kg"], weighed[-1] - weighed[0] if weighed else None)
        assert close(so_far["avg_calories_kcal"], mean([kcal[d] for d in days if d in kcal]))
        if weighed:
            per_kg = mean([protein[d] for d in days if d in protein]) / mean(weighed)
            assert close(so_far["protein_g_per_kg"], per_kg)
        sessions = sum(sessions_on.get(d, 0) for d in days)
        assert close(so_far["sessions_per_week"], sessions / (so_far["days"] / 7))
        first_week = days[0] - timedelta(days=days[0].weekday())
        assert close(
            so_far["hard_sets_per_week"],
            mean([hard[w] for w in sample["weeks"] if first_week <= w <= week]),
        )
        checked += 1
    assert checked > 50, checked


def test_the_report_names_the_stalls_and_deloads_the_data_show(sample_week_payloads, sample):
    for week, payload in sample_week_payloads.items():
        report = render_report(payload)
        assert ("A **deload week**" in report) == sample["deloads"][week], week
        for stall in payload["signals"]["stalls"]:
            named = f"**{stall['exercise_name']}** has stalled" in report
            assert named == stall["stalled"], (week, stall["exercise_name"])
