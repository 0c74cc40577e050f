"""The deterministic offline coaching report, written as structured statements from the payload.

It answers exactly as a model must (``delivery/statements.py``): sections of statements whose
numbers are ``{path}`` placeholders into the payload, with a direction or a record claim where one
is stated. It therefore passes the same verification as a model's reply, and its Markdown is the
same rendering. A null value is never a placeholder: the text says "n/a" or explains why."""

from __future__ import annotations

from fitness_platform.delivery.statements import PayloadPaths, render

REPORTER_VERSION = "offline-v7"

CYCLE_READING = {
    "cutting": (
        "This is a **cut**: energy is below maintenance, so holding loads is a good week and small "
        "dips in e1RM or reps are expected rather than a sign of poor training. A dip only "
        "deserves action when it repeats across weeks or hits the main lifts hard."
    ),
    "bulking": (
        "This is a **bulk**: with a surplus, loads and reps should go up week after week; a "
        "setback in a bulk points at recovery (sleep, stress, volume) rather than food."
    ),
    "reverse": (
        "This is a **reverse diet**: calories are climbing back, so performance should recover "
        "week by week; stalls are normal early in the phase."
    ),
    "maintenance": (
        "This is **maintenance**: performance should be stable to slowly improving; a clear "
        "setback is worth a look at volume and recovery."
    ),
    "other": "The cycle type is not one of cut, bulk, reverse or maintenance; read trends plainly.",
}


class _Writer:
    """Collects the statements of one report; ``v(path)`` is a placeholder for a non-null value."""

    def __init__(self, payload: dict, paths: PayloadPaths | None = None):
        self.payload = payload
        self.paths = paths or PayloadPaths(payload)
        self.sections: list[dict] = []
        self._cites: list[str] = []

    def v(self, path: str, absent: str = "n/a") -> str:
        value = self.paths(path)
        if value is None:
            return absent
        self._cites.append(path)
        return "{" + path + "}"

    def cite(self, path: str) -> None:
        self._cites.append(path)

    def section(self, title: str) -> None:
        self.sections.append({"title": title, "statements": []})

    def say(self, text: str, *, direction: tuple[str, str] | None = None, record=None) -> None:
        statement = {"text": text, "cites": list(dict.fromkeys(self._cites))}
        if direction is not None:
            path, stated = direction
            if path not in statement["cites"]:
                statement["cites"].append(path)
            statement["direction"] = {"path": path, "is": stated}
        if record is not None:
            path, window = record
            if path not in statement["cites"]:
                statement["cites"].append(path)
            statement["record"] = {"path": path, "window": window}
        self.sections[-1]["statements"].append(statement)
        self._cites = []

    def report(self) -> dict:
        return {"sections": self.sections}


def _sign(value) -> str:
    return "up" if value > 0 else "down" if value < 0 else "flat"


def _change(exercise: dict) -> tuple[str, str, float] | None:
    """Against the last week the exercise was trained: (kind, the deciding metric, its delta)."""
    delta = exercise["delta_vs_previous_session_week"]
    if delta is None:
        return None
    for key in ("best_e1rm_kg", "top_load_kg", "total_reps"):
        value = delta[key]
        if value:
            return ("progressed" if value > 0 else "regressed"), key, value
    return "held", "best_e1rm_kg", 0


def _exercise_statement(w: _Writer, exercise: dict, metric: str, value) -> None:
    base = f"exercises[{exercise['exercise_key']}]"
    cur, delta = f"{base}.current_week", f"{base}.delta_vs_previous_session_week"
    current = exercise["current_week"]
    parts = []
    if current["top_load_kg"] is not None:
        parts.append(f"top load {w.v(cur + '.top_load_kg')} ({w.v(delta + '.top_load_kg')})")
    if (
        exercise["load_basis"] == "bodyweight_minus_assistance"
        and current["logged_min_kg"] is not None
    ):
        # The lifter reads the machine's assistance; less of it is the progress.
        parts.append(
            f"least assistance {w.v(cur + '.logged_min_kg')} ({w.v(delta + '.logged_min_kg')})"
        )
    elif exercise["load_basis"] == "bodyweight_plus_added" and current["logged_max_kg"] is not None:
        parts.append(
            f"most added weight {w.v(cur + '.logged_max_kg')} ({w.v(delta + '.logged_max_kg')})"
        )
    if current["best_e1rm_kg"] is not None:
        parts.append(f"e1RM {w.v(cur + '.best_e1rm_kg')} ({w.v(delta + '.best_e1rm_kg')})")
    if current["total_reps"] is not None:
        parts.append(f"{w.v(cur + '.total_reps')} reps ({w.v(delta + '.total_reps')})")
    weeks = exercise["delta_vs_previous_session_week"]["weeks_since"]
    since = "last week" if weeks == 1 else f"{w.v(delta + '.weeks_since')} weeks earlier"
    w.say(
        f"**{exercise['exercise_name']}**: " + ", ".join(parts) + f", against {since}",
        direction=(f"{delta}.{metric}", _sign(value)),
    )


def _records(w: _Writer, exercise: dict) -> bool:
    base = f"exercises[{exercise['exercise_key']}]"
    said = False
    for metric, label, column in (
        ("top_load", "top load", "top_load_kg"),
        ("best_e1rm", "e1RM", "best_e1rm_kg"),
    ):
        flags = exercise["records"][metric]
        window = next((k for k in ("all_time", "last_52_weeks", "last_8_weeks") if flags[k]), None)
        if window is None:
            continue
        value = w.v(f"{base}.current_week.{column}")
        what = {
            "all_time": f"all-time {label} record",
            "last_52_weeks": f"best {label} of the past {w.v('reference.record_long_weeks')} weeks",
            "last_8_weeks": f"best {label} of the past {w.v('reference.record_short_weeks')} weeks",
        }[window]
        w.say(
            f"**{exercise['exercise_name']}**: {what} ({value})",
            record=(f"{base}.records.{metric}", window),
        )
        said = True
    return said


def _glance(w: _Writer, p: dict) -> None:
    ov, cardio = p["training_overview"], p["cardio"]
    w.section("The week at a glance")
    if not ov["training_sessions"]:
        w.say("No training was logged this week.")
        return
    vs = ov["vs_last_week"]
    for label, key in (
        ("Sessions", "training_sessions"),
        ("Working sets", "total_sets"),
        ("Tonnage", "tonnage_kg"),
        ("Training minutes", "training_minutes"),
    ):
        if vs is None:
            w.say(f"{label}: {w.v('training_overview.' + key)} (no data last week).")
        else:
            w.say(
                f"{label}: {w.v('training_overview.' + key)} "
                f"({w.v('training_overview.vs_last_week.' + key)} against last week)."
            )
    w.say(
        f"Failure sets: {w.v('training_overview.failure_sets')} of "
        f"{w.v('training_overview.total_sets')} working sets; average "
        f"{w.v('training_overview.avg_reps_per_set')} reps per set."
    )
    if cardio["sessions"]:
        distance = f", {w.v('cardio.distance_km')}" if cardio["distance_km"] is not None else ""
        noun = "session" if cardio["sessions"] == 1 else "sessions"
        w.say(
            f"Cardio: {w.v('cardio.sessions')} {noun}, {w.v('cardio.minutes')} minutes{distance}."
        )


def _progression(w: _Writer, p: dict) -> tuple[int, int]:
    progressed, regressed, held, new = [], [], [], []
    for exercise in p["exercises"]:
        change = _change(exercise)
        if change is None:
            new.append(exercise)
        else:
            {"progressed": progressed, "regressed": regressed, "held": held}[change[0]].append(
                (exercise, change)
            )
    if not p["exercises"]:
        return 0, 0
    w.section("Progressed")
    for exercise, (_, metric, value) in progressed:
        _exercise_statement(w, exercise, metric, value)
    if not progressed:
        w.say("No exercise moved up this week.")
    w.section("Regressed")
    for exercise, (_, metric, value) in regressed:
        _exercise_statement(w, exercise, metric, value)
    if not regressed:
        w.say("No exercise moved down this week.")
    if held or new:
        w.section("Held and new")
        if held:
            w.say("Held steady: " + ", ".join(e["exercise_name"] for e, _ in held) + ".")
        if new:
            w.say("First time logged: " + ", ".join(e["exercise_name"] for e in new) + ".")
    w.section("Records")
    if not any([_records(w, e) for e in p["exercises"]]):
        w.say("No new records this week.")
    return len(progressed), len(regressed)


def _muscles(w: _Writer, p: dict) -> None:
    if not p["muscle_groups"]:
        return
    w.section("Hard sets per muscle group")
    low, high = w.paths("reference.hard_sets_low"), w.paths("reference.hard_sets_high")
    w.say(
        f"The common weekly range is {w.v('reference.hard_sets_low')} to "
        f"{w.v('reference.hard_sets_high')} hard sets per muscle group."
    )
    for m in p["muscle_groups"]:
        base = f"muscle_groups[{m['muscle_group']}]"
        sets = m["hard_sets"]
        reading = (
            "below the range" if sets < low else "above the range" if sets > high else "in range"
        )
        w.say(
            f"{m['muscle_group']}: {w.v(base + '.hard_sets')} hard sets, "
            f"{w.v(base + '.tonnage_kg')} of tonnage ({reading})."
        )


def _diet(w: _Writer, p: dict) -> None:
    diet = p["diet"]
    w.section("Diet")
    if not diet["logged_days"]:
        w.say("No diet was logged this week.")
        return
    w.say(
        f"Averages over {w.v('diet.logged_days')} logged days: {w.v('diet.avg_calories_kcal')}, "
        f"{w.v('diet.avg_carbs_g')} carbs, {w.v('diet.avg_protein_g')} protein, "
        f"{w.v('diet.avg_fat_g')} fat."
    )
    if diet["avg_bodyweight_kg"] is not None:
        change = (
            f" ({w.v('diet.bodyweight_change_kg')} against last week)"
            if diet["bodyweight_change_kg"] is not None
            else ""
        )
        w.say(
            f"Bodyweight {w.v('diet.avg_bodyweight_kg')}{change}; protein "
            f"{w.v('diet.protein_g_per_kg')} g per kg of bodyweight."
        )
    if diet["cardio_weekly_min"] is not None:
        w.say(f"Weekly cardio target: {w.v('diet.cardio_weekly_min')} minutes.")


def _body(w: _Writer, p: dict) -> None:
    body, adherence = p["body"], p["adherence"]
    w.section("Body")
    if body["trend_weight_kg"] is None:
        w.say("No weigh-in yet, so no trend weight.")
    elif body["trend_change_kg_per_week"] is None:
        w.say(
            f"Trend weight {w.v('body.trend_weight_kg')}; no weekly rate yet "
            f"({body['trend_change_note']})."
        )
    else:
        w.say(
            f"Trend weight {w.v('body.trend_weight_kg')}, changing "
            f"{w.v('body.trend_change_kg_per_week')} ({w.v('body.trend_change_pct_per_week')}) "
            f"a week over the last {w.v('reference.rate_window_days')} days."
        )
    if body["expenditure_kcal"] is None:
        w.say(f"Expenditure not estimated: {body['expenditure_note']}.")
    else:
        w.say(
            f"Estimated expenditure {w.v('body.expenditure_kcal')} a day over the last "
            f"{w.v('reference.expenditure_window_days')} days ({body['expenditure_confidence']} "
            f"confidence: {w.v('body.expenditure_intake_days')} days of intake, "
            f"{w.v('body.expenditure_weigh_ins')} weigh-ins)."
        )
    if adherence["planned_sessions"] is not None:
        w.say(
            f"Training: {w.v('training_overview.training_sessions')} of "
            f"{w.v('adherence.planned_sessions')} planned sessions (share "
            f"{w.v('adherence.training')})."
        )
    if adherence["calories"] is not None:
        w.say(
            f"Calories within {w.v('reference.calorie_tolerance_pct')} of "
            f"{w.v('adherence.calorie_target_kcal')} on {w.v('adherence.calorie_days_on_target')} "
            f"days (share {w.v('adherence.calories')})."
        )
    if adherence["protein"] is not None:
        w.say(
            f"Protein at least {w.v('reference.protein_min_pct')} of "
            f"{w.v('adherence.protein_target_g')} on {w.v('adherence.protein_days_on_target')} "
            f"days (share {w.v('adherence.protein')})."
        )
    w.say(
        f"Intake logged on {w.v('adherence.intake_logged_days')} days, "
        f"{w.v('adherence.weigh_in_days')} weigh-ins."
    )


def _signals(w: _Writer, p: dict) -> None:
    signals = p["signals"]
    w.section("Signals")
    weeks = signals["streak_weeks"]
    if weeks:
        w.say(
            f"Training streak: {w.v('signals.streak_weeks')} "
            f"{'week' if weeks == 1 else 'weeks'} in a row with a session."
        )
    else:
        w.say("No session this week: the training streak is broken.")
    if signals["deload"]["is_deload"]:
        w.cite("signals.deload.is_deload")
        w.say(
            f"A **deload week**: {w.v('signals.deload.working_sets')} working sets and "
            f"{w.v('signals.deload.tonnage_kg')} of tonnage, at most "
            f"{w.v('reference.deload_pct')} of the mean of the previous "
            f"{w.v('reference.deload_baseline_weeks')} weeks "
            f"({w.v('signals.deload.baseline_sets')} sets, "
            f"{w.v('signals.deload.baseline_tonnage_kg')})."
        )
    for stall in signals["stalls"]:
        if stall["stalled"]:
            base = f"signals.stalls[{stall['exercise_key']}]"
            w.cite(base + ".stalled")
            w.say(
                f"**{stall['exercise_name']}** has stalled: no best e1RM above "
                f"{w.v(base + '.previous_best_e1rm_kg')} for {w.v(base + '.weeks_since_best')} "
                f"trained weeks (latest {w.v(base + '.best_e1rm_kg')}; a stall from "
                f"{w.v('reference.stall_weeks')})."
            )
    flagged = [a for a in signals["acwr"] if a["outside_band"]]
    if flagged:
        w.say(
            f"Acute:chronic workload outside {w.v('reference.acwr_low')}–"
            f"{w.v('reference.acwr_high')} (hard sets this week against the mean of the previous "
            "four weeks):"
        )
        for a in flagged:
            base = f"signals.acwr[{a['muscle_group']}]"
            w.cite(base + ".outside_band")
            w.say(
                f"{a['muscle_group']}: ratio {w.v(base + '.ratio')} "
                f"({w.v(base + '.hard_sets')} against {w.v(base + '.chronic_hard_sets')})."
            )
    elif signals["acwr"]:
        w.say(
            "Every muscle group's acute:chronic workload ratio is within "
            f"{w.v('reference.acwr_low')}–{w.v('reference.acwr_high')}."
        )


def _cycle(w: _Writer, p: dict, key: str, review: bool) -> None:
    cycle = p[key]
    w.say(
        f"**{cycle['cycle_name']}** ({cycle['cycle_type']}), {w.v(key + '.first_day')} to "
        f"{w.v(key + '.as_of')}: {w.v(key + '.weeks')} weeks."
    )
    if cycle["trend_change_kg"] is not None:
        w.say(
            f"Trend weight {w.v(key + '.trend_change_kg')} "
            f"({w.v(key + '.trend_rate_kg_per_week')} a week); weigh-ins "
            f"{w.v(key + '.bodyweight_change_kg')} from the first to the last."
        )
    if cycle["avg_calories_kcal"] is not None:
        w.say(
            f"Mean intake {w.v(key + '.avg_calories_kcal')}, protein "
            f"{w.v(key + '.protein_g_per_kg')} g per kg; {w.v(key + '.sessions_per_week')} "
            f"sessions and {w.v(key + '.hard_sets_per_week')} hard sets a week."
        )
    for lift in cycle["main_lifts"]:
        if lift["e1rm_change_kg"] is None:
            continue
        base = f"{key}.main_lifts[{lift['exercise_key']}]"
        kept = ""
        if lift["strength_retained"] is not None:
            w.cite(base + ".strength_retained")
            kept = (
                " — strength retained" if lift["strength_retained"] else " — strength not retained"
            )
        w.say(
            f"**{lift['exercise_name']}**: best e1RM {w.v(base + '.first_best_e1rm_kg')} in the "
            f"first {w.v(base + '.edge_weeks')} trained weeks, {w.v(base + '.last_best_e1rm_kg')} "
            f"in the last ({w.v(base + '.e1rm_change_kg')}, {w.v(base + '.e1rm_retained_pct')} "
            "kept)" + kept
        )
    if review and cycle["cycle_type"] == "cutting":
        judged = [lift for lift in cycle["main_lifts"] if lift["strength_retained"] is not None]
        for lift in judged:
            w.cite(f"{key}.main_lifts[{lift['exercise_key']}].strength_retained")
        lost = [lift["exercise_name"] for lift in judged if not lift["strength_retained"]]
        if judged and not lost:
            w.say("Strength was retained through the cut on every main lift.")
        elif lost:
            w.say("Strength was not retained through the cut on " + ", ".join(lost) + ".")
        else:
            w.say("Too few trained weeks to judge the strength kept through the cut.")


def _quality(w: _Writer, p: dict) -> None:
    dq = p["data_quality"]
    w.section("Data quality")
    said = False
    if not dq["has_training"]:
        w.say("No workouts logged.")
        said = True
    if not dq["has_diet"]:
        w.say("No diet log.")
        said = True
    elif dq["diet_days_missing"]:
        w.say(f"{w.v('data_quality.diet_days_missing')} diet days not logged.")
        said = True
    for key, text in (
        ("bodyweight_days_missing", "logged days without a bodyweight"),
        ("kcal_mismatch_days", "days whose kcal disagree with the macros"),
        ("quarantined_rows", "rows quarantined"),
    ):
        if dq[key]:
            w.say(f"{w.v('data_quality.' + key)} {text}.")
            said = True
    if dq["corrected_values"]:
        noun = "value" if dq["corrected_values"] == 1 else "values"
        w.say(
            f"{w.v('data_quality.corrected_values')} {noun} corrected by hand "
            "(data/corrections.csv)."
        )
        said = True
    if dq["inferred_exercises"]:
        w.say(
            "Exercises classified by name, not the catalog: "
            + ", ".join(dq["inferred_exercises"])
            + "."
        )
        said = True
    if not said:
        w.say("Nothing to report.")


def structured_report(payload: dict, paths: PayloadPaths | None = None) -> dict:
    """The offline report as structured statements (the schema of delivery/statements.py)."""
    p = payload
    w = _Writer(p, paths)
    w.section("The week")
    w.say(f"Week {w.v('week_start')} to {w.v('week_end')}.")
    if p["cycle"]:
        w.say(
            f"Diet cycle: **{p['cycle']['cycle_name']}** ({p['cycle']['cycle_type']}, cycle "
            f"{w.v('cycle.cycle_number')})."
        )
    else:
        w.say("No diet cycle covers this week.")
    _glance(w, p)
    progressed, regressed = _progression(w, p)
    _muscles(w, p)
    _diet(w, p)
    _body(w, p)
    _signals(w, p)
    review, current = p["cycle_review"], p["cycle_so_far"]
    if current and not (review and review["cycle_number"] == current["cycle_number"]):
        w.section("The cycle so far")
        _cycle(w, p, "cycle_so_far", review=False)
    if review:
        w.section(f"Cycle review: {review['cycle_name']}")
        _cycle(w, p, "cycle_review", review=True)
    w.section("Reading the week in its cycle")
    cycle = p["cycle"]
    if cycle:
        w.say(CYCLE_READING.get(cycle["cycle_type"], CYCLE_READING["other"]))
        if cycle["cycle_type"] == "cutting" and regressed and not progressed:
            w.say(
                "Every change this week was a dip: expected in a cut, but watch whether it "
                "continues next week."
            )
        if cycle["cycle_type"] == "bulking" and regressed > progressed:
            w.say("More exercises moved down than up, which is unusual in a bulk.")
    else:
        w.say("Without a cycle the week is read on its own trends.")
    _quality(w, p)
    return w.report()


def report_title(payload: dict) -> str:
    return (
        f"# Weekly coaching report: {payload['athlete']['athlete_key']}, week of "
        f"{payload['week_start']}"
    )


def render_report(payload: dict) -> str:
    """The offline coaching report of one athlete-week, as Markdown (verified statements)."""
    return render(payload, structured_report(payload), title=report_title(payload))
