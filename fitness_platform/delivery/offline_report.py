"""The deterministic offline coaching report: Markdown written from the weekly payload alone.

Every number it prints is a value of the payload or one of the reference constants of
``delivery/reference.py``, which the number check also knows."""

from __future__ import annotations

import contextvars

from fitness_platform.delivery.reference import (
    ACWR_BAND,
    CALORIE_TOLERANCE_PCT,
    DELOAD_BASELINE_WEEKS,
    DELOAD_PCT,
    EXPENDITURE_WINDOW_DAYS,
    HARD_SET_RANGE,
    KG_PER_LB,
    PROTEIN_MIN_PCT,
    RATE_WINDOW_DAYS,
    RECORD_WINDOWS_WEEKS,
    STALL_WEEKS,
)

REPORTER_VERSION = "offline-v6"
# The unit weights are written in for the report being rendered (the payload's display unit).
_WEIGHT_UNIT: contextvars.ContextVar[str] = contextvars.ContextVar("weight_unit", default="kg")

CYCLE_READING = {
    "cutting": (
        "This is a **cut**: energy is below maintenance, so holding loads is a good week and small "
        "dips in e1RM or reps are expected rather than a sign of poor training. A regression only "
        "deserves action when it repeats across weeks or hits the main lifts hard."
    ),
    "bulking": (
        "This is a **bulk**: with a surplus, loads and reps should climb. Progress is the norm here; "
        "a regression in a bulk points at recovery (sleep, stress, volume) rather than food."
    ),
    "reverse": (
        "This is a **reverse diet**: calories are climbing back, so performance should recover "
        "week by week; stalls are normal early in the phase."
    ),
    "maintenance": (
        "This is **maintenance**: performance should be stable to slowly improving; a clear "
        "regression is worth a look at volume and recovery."
    ),
    "other": "The cycle type is not one of cut, bulk, reverse or maintenance; read trends plainly.",
}


def _n(value, unit: str = "") -> str:
    if value is None:
        return "n/a"
    if unit == "kg" and _WEIGHT_UNIT.get() == "lb":
        value, unit = round(value / KG_PER_LB, 1), "lb"
    text = f"{value:g}" if isinstance(value, int) else f"{value}"
    return f"{text} {unit}".strip()


def _signed(value, unit: str = "") -> str:
    if value is None:
        return "n/a"
    sign = "+" if value > 0 else ""
    return f"{sign}{_n(value, unit)}"


def _change(exercise: dict) -> tuple[str, dict] | None:
    """Classify an exercise against the last week it was trained: progressed, regressed or held."""
    delta = exercise["delta_vs_previous_session_week"]
    if delta is None:
        return None
    for key in ("best_e1rm_kg", "top_load_kg", "total_reps"):
        value = delta[key]
        if value:
            return ("progressed" if value > 0 else "regressed"), delta
    return "held", delta


def _exercise_line(exercise: dict, delta: dict) -> str:
    cur = exercise["current_week"]
    parts = []
    if cur["top_load_kg"] is not None:
        parts.append(
            f"top load {_n(cur['top_load_kg'], 'kg')} ({_signed(delta['top_load_kg'], 'kg')})"
        )
    if exercise["load_basis"] == "bodyweight_minus_assistance" and cur["logged_min_kg"] is not None:
        # The lifter reads the machine's assistance; less of it is the progress.
        parts.append(
            f"least assistance {_n(cur['logged_min_kg'], 'kg')} "
            f"({_signed(delta['logged_min_kg'], 'kg')})"
        )
    elif exercise["load_basis"] == "bodyweight_plus_added" and cur["logged_max_kg"] is not None:
        parts.append(
            f"most added weight {_n(cur['logged_max_kg'], 'kg')} "
            f"({_signed(delta['logged_max_kg'], 'kg')})"
        )
    if cur["best_e1rm_kg"] is not None:
        parts.append(
            f"e1RM {_n(cur['best_e1rm_kg'], 'kg')} ({_signed(delta['best_e1rm_kg'], 'kg')})"
        )
    if cur["total_reps"] is not None:
        parts.append(f"{_n(cur['total_reps'])} reps ({_signed(delta['total_reps'])})")
    weeks = delta["weeks_since"]
    since = "last week" if weeks == 1 else f"{weeks} weeks earlier"
    return f"- **{exercise['exercise_name']}**: " + ", ".join(parts) + f", against {since}"


def _records(exercise: dict) -> str | None:
    rec = exercise["records"]
    cur = exercise["current_week"]
    found = []
    for metric, label, value in (
        ("top_load", "top load", cur["top_load_kg"]),
        ("best_e1rm", "e1RM", cur["best_e1rm_kg"]),
    ):
        flags = rec[metric]
        if flags["all_time"]:
            found.append(f"all-time {label} record ({_n(value, 'kg')})")
        elif flags["last_52_weeks"]:
            found.append(
                f"best {label} of the past {RECORD_WINDOWS_WEEKS[1]} weeks ({_n(value, 'kg')})"
            )
        elif flags["last_8_weeks"]:
            found.append(
                f"best {label} of the past {RECORD_WINDOWS_WEEKS[0]} weeks ({_n(value, 'kg')})"
            )
    if not found:
        return None
    return f"- **{exercise['exercise_name']}**: " + "; ".join(found)


def _g(value) -> str:
    """A count-like value without a trailing ".0" (5.0 planned sessions reads "5")."""
    return "n/a" if value is None else f"{value:g}"


def _body_lines(body: dict, adherence: dict, overview: dict) -> list[str]:
    """Trend weight and its rate, expenditure, adherence: each stated, or why it is not."""
    lines = []
    if body["trend_weight_kg"] is None:
        lines.append("No weigh-in yet, so no trend weight.")
    elif body["trend_change_kg_per_week"] is None:
        lines.append(
            f"Trend weight {_n(body['trend_weight_kg'], 'kg')}; no weekly rate yet "
            f"({body['trend_change_note']})."
        )
    else:
        lines.append(
            f"Trend weight {_n(body['trend_weight_kg'], 'kg')}, changing "
            f"{_signed(body['trend_change_kg_per_week'], 'kg')} "
            f"({_signed(body['trend_change_pct_per_week'])} %) a week over the last "
            f"{RATE_WINDOW_DAYS} days."
        )
    if body["expenditure_kcal"] is None:
        lines.append(f"Expenditure not estimated: {body['expenditure_note']}.")
    else:
        lines.append(
            f"Estimated expenditure {_n(body['expenditure_kcal'])} kcal a day over the last "
            f"{EXPENDITURE_WINDOW_DAYS} days ({body['expenditure_confidence']} confidence: "
            f"{_n(body['expenditure_intake_days'])} days of intake, "
            f"{_n(body['expenditure_weigh_ins'])} weigh-ins)."
        )
    parts = []
    if adherence["planned_sessions"] is not None:
        parts.append(
            f"{_n(overview['training_sessions'])} of {_g(adherence['planned_sessions'])} planned "
            f"sessions (share {_g(adherence['training'])})"
        )
    if adherence["calories"] is not None:
        parts.append(
            f"calories within {CALORIE_TOLERANCE_PCT} % of "
            f"{_g(adherence['calorie_target_kcal'])} kcal on "
            f"{_n(adherence['calorie_days_on_target'])} days (share {_g(adherence['calories'])})"
        )
    if adherence["protein"] is not None:
        parts.append(
            f"protein at least {PROTEIN_MIN_PCT} % of {_g(adherence['protein_target_g'])} g on "
            f"{_n(adherence['protein_days_on_target'])} days (share {_g(adherence['protein'])})"
        )
    parts.append(
        f"intake logged on {_n(adherence['intake_logged_days'])} days, "
        f"{_n(adherence['weigh_in_days'])} weigh-ins"
    )
    lines.append("Adherence: " + "; ".join(parts) + ".")
    return lines


def _signal_lines(signals: dict) -> list[str]:
    weeks = signals["streak_weeks"]
    lines = [
        f"Training streak: {_n(weeks)} {'week' if weeks == 1 else 'weeks'} in a row with a session."
        if weeks
        else "No session this week: the training streak is broken."
    ]
    deload = signals["deload"]
    if deload["is_deload"]:
        lines.append(
            f"A **deload week**: {_n(deload['working_sets'])} working sets and "
            f"{_n(deload['tonnage_kg'], 'kg')} of tonnage, at most {DELOAD_PCT} % of the mean of "
            f"the previous {DELOAD_BASELINE_WEEKS} weeks ({_n(deload['baseline_sets'])} sets, "
            f"{_n(deload['baseline_tonnage_kg'], 'kg')})."
        )
    for stall in signals["stalls"]:
        if stall["stalled"]:
            lines.append(
                f"**{stall['exercise_name']}** has stalled: no best e1RM above "
                f"{_n(stall['previous_best_e1rm_kg'], 'kg')} for {_n(stall['weeks_since_best'])} "
                f"trained weeks (latest {_n(stall['best_e1rm_kg'], 'kg')}; a stall from "
                f"{STALL_WEEKS})."
            )
    low, high = ACWR_BAND
    flagged = [a for a in signals["acwr"] if a["outside_band"]]
    if flagged:
        lines.append(
            f"Acute:chronic workload outside {low}–{high} (hard sets this week against the mean "
            "of the previous four): "
            + "; ".join(
                f"{a['muscle_group']} {_n(a['ratio'])} ({_n(a['hard_sets'])} against "
                f"{_n(a['chronic_hard_sets'])})"
                for a in flagged
            )
            + "."
        )
    elif signals["acwr"]:
        lines.append(f"Every muscle group's acute:chronic workload ratio is within {low}–{high}.")
    return lines


def _cycle_lines(cycle: dict, review: bool = False) -> list[str]:
    span = f"{cycle['first_day']} to {cycle['as_of']}"
    lines = [
        f"**{cycle['cycle_name']}** ({cycle['cycle_type']}), {span}: {_n(cycle['weeks'])} weeks.",
    ]
    if cycle["trend_change_kg"] is not None:
        lines.append(
            f"Trend weight {_signed(cycle['trend_change_kg'], 'kg')} "
            f"({_signed(cycle['trend_rate_kg_per_week'], 'kg')} a week); weigh-ins "
            f"{_signed(cycle['bodyweight_change_kg'], 'kg')} from the first to the last."
        )
    if cycle["avg_calories_kcal"] is not None:
        lines.append(
            f"Mean intake {_n(cycle['avg_calories_kcal'])} kcal, protein "
            f"{_n(cycle['protein_g_per_kg'])} g per kg; {_n(cycle['sessions_per_week'])} "
            f"sessions and {_n(cycle['hard_sets_per_week'])} hard sets a week."
        )
    for lift in cycle["main_lifts"]:
        if lift["e1rm_change_kg"] is None:
            continue
        kept = ""
        if lift["strength_retained"] is not None:
            kept = (
                " — strength retained" if lift["strength_retained"] else " — strength not retained"
            )
        lines.append(
            f"- **{lift['exercise_name']}**: best e1RM {_n(lift['first_best_e1rm_kg'], 'kg')} in "
            f"the first {_n(lift['edge_weeks'])} trained weeks, "
            f"{_n(lift['last_best_e1rm_kg'], 'kg')} in the last "
            f"({_signed(lift['e1rm_change_kg'], 'kg')}, {_n(lift['e1rm_retained_pct'])} % kept)"
            + kept
        )
    if review and cycle["cycle_type"] == "cutting":
        judged = [lift for lift in cycle["main_lifts"] if lift["strength_retained"] is not None]
        lost = [lift["exercise_name"] for lift in judged if not lift["strength_retained"]]
        if judged and not lost:
            lines.append("Strength was retained through the cut on every main lift.")
        elif lost:
            lines.append("Strength was not retained through the cut on " + ", ".join(lost) + ".")
        else:
            lines.append("Too few trained weeks to judge the strength kept through the cut.")
    return lines


def render_report(payload: dict) -> str:
    """The coaching report of one athlete-week, as Markdown, weights in the athlete's unit."""
    unit = (payload.get("display") or {}).get("weight_unit") or "kg"
    token = _WEIGHT_UNIT.set(unit)
    try:
        return _render(payload)
    finally:
        _WEIGHT_UNIT.reset(token)


def _render(payload: dict) -> str:
    p = payload
    ov, diet, cardio, dq = p["training_overview"], p["diet"], p["cardio"], p["data_quality"]
    lines = [
        f"# Weekly coaching report: {p['athlete']['athlete_key']}, week of {p['week_start']}",
        "",
        f"Week {p['week_start']} to {p['week_end']}.",
    ]
    cycle = p["cycle"]
    if cycle:
        lines.append(
            f"Diet cycle: **{cycle['cycle_name']}** ({cycle['cycle_type']}, "
            f"cycle {cycle['cycle_number']})."
        )
    else:
        lines.append("No diet cycle covers this week.")

    lines += ["", "## The week at a glance", ""]
    if ov["training_sessions"]:
        vs = ov["vs_last_week"]
        lines += ["| | this week | vs last week |", "|---|---:|---:|"]
        for label, key, unit in (
            ("Sessions", "training_sessions", ""),
            ("Working sets", "total_sets", ""),
            ("Tonnage", "tonnage_kg", "kg"),
            ("Training minutes", "training_minutes", ""),
        ):
            lines.append(
                f"| {label} | {_n(ov[key], unit)} | "
                f"{_signed(vs[key], unit) if vs else 'no data last week'} |"
            )
        lines += [
            "",
            f"Failure sets: {_n(ov['failure_sets'])} of {_n(ov['total_sets'])} working "
            f"sets; average {_n(ov['avg_reps_per_set'])} reps per set.",
        ]
        if cardio["sessions"]:
            distance = (
                f", {_n(cardio['distance_km'], 'km')}" if cardio["distance_km"] is not None else ""
            )
            lines.append(
                f"Cardio: {_n(cardio['sessions'])} "
                f"{'session' if cardio['sessions'] == 1 else 'sessions'}, "
                f"{_n(cardio['minutes'])} minutes{distance}."
            )
    else:
        lines.append("No training was logged this week.")

    progressed, regressed, held, records = [], [], [], []
    for exercise in p["exercises"]:
        change = _change(exercise)
        if change:
            kind, delta = change
            target = {"progressed": progressed, "regressed": regressed, "held": held}[kind]
            target.append(
                exercise["exercise_name"] if kind == "held" else _exercise_line(exercise, delta)
            )
        record = _records(exercise)
        if record:
            records.append(record)
    if p["exercises"]:
        lines += ["", "## Progression", ""]
        lines += ["### Progressed", ""] + (progressed or ["- none this week"])
        lines += ["", "### Regressed", ""] + (regressed or ["- none this week"])
        if held:
            lines += ["", "Held steady: " + ", ".join(held) + "."]
        new = [e for e in p["exercises"] if e["delta_vs_previous_session_week"] is None]
        if new:
            lines += ["", "First time logged: " + ", ".join(e["exercise_name"] for e in new) + "."]
        lines += ["", "### Records", ""] + (records or ["- no new records this week"])

    if p["muscle_groups"]:
        low, high = HARD_SET_RANGE
        lines += [
            "",
            f"## Hard sets per muscle group (common weekly range {low}–{high})",
            "",
            "| muscle group | hard sets | tonnage | reading |",
            "|---|---:|---:|---|",
        ]
        for m in p["muscle_groups"]:
            sets = m["hard_sets"]
            reading = "below range" if sets < low else "above range" if sets > high else "in range"
            lines.append(
                f"| {m['muscle_group']} | {_n(sets)} | {_n(m['tonnage_kg'], 'kg')} | {reading} |"
            )

    lines += ["", "## Diet", ""]
    if diet["logged_days"]:
        lines.append(
            f"Averages over {_n(diet['logged_days'])} logged days: {_n(diet['avg_calories_kcal'])} "
            f"kcal, {_n(diet['avg_carbs_g'], 'g')} carbs, {_n(diet['avg_protein_g'], 'g')} protein, "
            f"{_n(diet['avg_fat_g'], 'g')} fat."
        )
        if diet["avg_bodyweight_kg"] is not None:
            change = diet["bodyweight_change_kg"]
            lines.append(
                f"Bodyweight {_n(diet['avg_bodyweight_kg'], 'kg')}"
                + (f" ({_signed(change, 'kg')} against last week)" if change is not None else "")
                + f"; protein {_n(diet['protein_g_per_kg'])} g per kg of bodyweight."
            )
        if diet["cardio_weekly_min"] is not None:
            lines.append(f"Weekly cardio target: {_n(diet['cardio_weekly_min'])} minutes.")
    else:
        lines.append("No diet was logged this week.")

    lines += ["", "## Body", ""] + _body_lines(p["body"], p["adherence"], ov)
    lines += ["", "## Signals", ""] + _signal_lines(p["signals"])
    review = p["cycle_review"]
    current = p["cycle_so_far"]
    if current and not (review and review["cycle_number"] == current["cycle_number"]):
        lines += ["", "## The cycle so far", ""] + _cycle_lines(current)
    if review:
        review = p["cycle_review"]
        lines += ["", f"## Cycle review: {review['cycle_name']}", ""]
        lines += _cycle_lines(review, review=True)

    lines += ["", "## Reading the week in its cycle", ""]
    if cycle:
        lines.append(CYCLE_READING.get(cycle["cycle_type"], CYCLE_READING["other"]))
        if cycle["cycle_type"] == "cutting" and regressed and not progressed:
            lines.append(
                "Every change this week was a dip: expected in a cut, but watch whether "
                "it continues next week."
            )
        if cycle["cycle_type"] == "bulking" and regressed and len(regressed) > len(progressed):
            lines.append("More exercises regressed than progressed, which is unusual in a bulk.")
    else:
        lines.append("Without a cycle the week is read on its own trends.")

    lines += ["", "## Data quality", ""]
    notes = []
    if not dq["has_training"]:
        notes.append("no workouts logged")
    if not dq["has_diet"]:
        notes.append("no diet log")
    elif dq["diet_days_missing"]:
        notes.append(f"{_n(dq['diet_days_missing'])} diet days not logged")
    if dq["bodyweight_days_missing"]:
        notes.append(f"{_n(dq['bodyweight_days_missing'])} logged days without a bodyweight")
    if dq["kcal_mismatch_days"]:
        notes.append(f"{_n(dq['kcal_mismatch_days'])} days whose kcal disagree with the macros")
    if dq["quarantined_rows"]:
        notes.append(f"{_n(dq['quarantined_rows'])} rows quarantined")
    if dq["corrected_values"]:
        notes.append(
            f"{_n(dq['corrected_values'])} "
            f"{'value' if dq['corrected_values'] == 1 else 'values'} corrected by hand "
            "(data/corrections.csv)"
        )
    if dq["inferred_exercises"]:
        notes.append(
            "exercises classified by name, not the catalog: " + ", ".join(dq["inferred_exercises"])
        )
    lines += [f"- {note}" for note in notes] or ["- nothing to report"]
    return "\n".join(lines) + "\n"
