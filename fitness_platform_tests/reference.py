"""Independent reference numbers: plain pandas over the raw sample CSV.

Written from the metric definitions of DESIGN.md and the README without any platform code, so that a test that
compares the two catches mistakes in either. The two planted errors are corrected here by hand,
from the values the issue states (54.0 kg and 11 reps)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from fitness_platform_tests.helpers import DATA_DIR, SAMPLE_DIET, SAMPLE_HEVY

CATALOG = DATA_DIR / "reference" / "exercise_catalog.csv"


def monday(ts: pd.Series) -> pd.Series:
    day = ts.dt.normalize()
    return (day - pd.to_timedelta(day.dt.day_of_week, unit="D")).dt.date


def sets_frame() -> pd.DataFrame:
    df = pd.read_csv(SAMPLE_HEVY)
    df["start"] = pd.to_datetime(df["start_time"], format="%d %b %Y, %H:%M")
    df["end"] = pd.to_datetime(df["end_time"], format="%d %b %Y, %H:%M")
    fix1 = (
        (df["exercise_title"] == "Bicep Curl (Machine)")
        & (df["start"] == pd.Timestamp("2024-05-14 11:11"))
        & (df["set_index"] == 2)
    )
    fix2 = (
        (df["exercise_title"] == "Preacher Curl (Machine)")
        & (df["start"] == pd.Timestamp("2024-01-23 11:09"))
        & (df["set_index"] == 1)
    )
    assert fix1.sum() == 1 and fix2.sum() == 1
    df.loc[fix1, "weight_kg"] = 54.0
    df.loc[fix2, "reps"] = 11
    catalog = pd.read_csv(CATALOG, keep_default_na=False)
    df = df.merge(catalog, on="exercise_title", how="left")
    df["week"] = monday(df["start"])
    df["working"] = (df["set_type"] != "warmup") & (df["is_cardio"] != True)  # noqa: E712
    return add_loads(df, weigh_ins(diet_frame()))


# --- effective load, from the metric definitions (README, "Effective load") -------------------
BASIS = {
    "bodyweight_reps": "bodyweight",
    "weighted_bodyweight": "bodyweight_plus_added",
    "assisted_bodyweight": "bodyweight_minus_assistance",
    "reps_only": "none",
    "duration": "none",
    "distance_duration": "none",
}


def weigh_ins(diet: pd.DataFrame) -> dict[date, float]:
    """Day → bodyweight of the diet log (the sample's only bodyweight source)."""
    weighed = diet.dropna(subset=["peso_kg"])
    return {d.date(): float(w) for d, w in zip(weighed["day"], weighed["peso_kg"], strict=True)}


def bodyweight_on(weights: dict[date, float], day: date) -> float | None:
    """The latest weigh-in on or before ``day`` within 14 days, else the earliest in the 14 days
    after, else None."""
    for back in range(0, 15):
        if day - timedelta(days=back) in weights:
            return weights[day - timedelta(days=back)]
    for ahead in range(1, 15):
        if day + timedelta(days=ahead) in weights:
            return weights[day + timedelta(days=ahead)]
    return None


def effective_load(basis: str, weight, bodyweight):
    weight = None if pd.isna(weight) else float(weight)
    if basis == "none":
        return None
    if basis == "external":
        return weight
    if bodyweight is None:
        return None
    if basis == "bodyweight_minus_assistance":
        return max(bodyweight - (weight or 0.0), 0.0)
    return bodyweight + (weight or 0.0)  # bodyweight, and bodyweight plus what was added


def add_loads(df: pd.DataFrame, weights: dict[date, float]) -> pd.DataFrame:
    df = df.copy()
    df["basis"] = [
        "none" if cardio is True else BASIS.get(kind, "external")
        for kind, cardio in zip(df["exercise_type"], df["is_cardio"], strict=True)
    ]
    df["bodyweight"] = [bodyweight_on(weights, t.date()) for t in df["start"]]
    df["load"] = [
        effective_load(b, w, bw)
        for b, w, bw in zip(df["basis"], df["weight_kg"], df["bodyweight"], strict=True)
    ]
    df["load"] = df["load"].astype("float64")
    df["lacks_bodyweight"] = df["basis"].str.startswith("bodyweight") & df["bodyweight"].isna()
    return df


def diet_frame() -> pd.DataFrame:
    diet = pd.read_csv(SAMPLE_DIET)
    diet["day"] = pd.to_datetime(diet["data"])
    diet["week"] = monday(diet["day"])
    return diet


def training_overview(df: pd.DataFrame, week: date) -> dict:
    w = df[df["week"] == week]
    workouts = w.drop_duplicates("start")
    work = w[w["working"]]
    both = work.dropna(subset=["load", "reps"])
    return {
        "training_sessions": len(workouts),
        "total_sets": len(work),
        "failure_sets": int((work["set_type"] == "failure").sum()),
        "avg_reps_per_set": work["reps"].mean() if work["reps"].notna().any() else None,
        "tonnage_kg": float((both["load"] * both["reps"]).sum()),
        "training_minutes": float(
            ((workouts["end"] - workouts["start"]).dt.total_seconds() / 60).sum()
        ),
    }


def cardio(df: pd.DataFrame, week: date) -> dict:
    c = df[(df["week"] == week) & (df["is_cardio"] == True)]  # noqa: E712
    return {
        "sessions": c["start"].nunique(),
        "minutes": float(c["duration_seconds"].sum() / 60),
        "distance_km": float(c["distance_km"].sum()) if c["distance_km"].notna().any() else None,
    }


def exercise_metrics(df: pd.DataFrame, week: date) -> dict[str, dict]:
    w = df[(df["week"] == week) & df["working"]]
    out = {}
    for title, g in w.groupby("exercise_title"):
        loaded = g.dropna(subset=["load"])
        e1rm = loaded[(loaded["reps"] >= 1) & (loaded["reps"] <= 12)]
        both = g.dropna(subset=["load", "reps"])
        logged = g["weight_kg"].dropna()
        out[title] = {
            "total_sets": len(g),
            "failure_sets": int((g["set_type"] == "failure").sum()),
            "total_reps": int(g["reps"].sum()) if g["reps"].notna().any() else None,
            "avg_reps": g["reps"].mean() if g["reps"].notna().any() else None,
            "avg_load_kg": loaded["load"].mean() if len(loaded) else None,
            "top_load_kg": loaded["load"].max() if len(loaded) else None,
            "best_e1rm_kg": (e1rm["load"] * (1 + e1rm["reps"] / 30)).max() if len(e1rm) else None,
            "tonnage_kg": float((both["load"] * both["reps"]).sum()) if len(both) else None,
            "sessions_count": g["start"].nunique(),
            "logged_min_kg": logged.min() if len(logged) else None,
            "logged_max_kg": logged.max() if len(logged) else None,
        }
    return out


def weekly_series(df: pd.DataFrame, title: str, metric: str) -> dict[date, float]:
    """Per week: top load or best e1RM of one exercise, for weeks where it had a working set."""
    rows = df[(df["exercise_title"] == title) & df["working"]]
    out = {}
    for week, g in rows.groupby("week"):
        loaded = g.dropna(subset=["load"])
        if metric == "top_load_kg":
            out[week] = loaded["load"].max() if len(loaded) else None
        else:
            e = loaded[(loaded["reps"] >= 1) & (loaded["reps"] <= 12)]
            out[week] = (e["load"] * (1 + e["reps"] / 30)).max() if len(e) else None
    return out


def record_flags(series: dict[date, float], week: date) -> dict[str, bool]:
    """Strictly above every earlier week with a value in the window (none earlier: no record)."""
    value = series.get(week)
    flags = {}
    for name, days in (("all_time", None), ("last_52_weeks", 364), ("last_8_weeks", 56)):
        earlier = [
            v
            for w, v in series.items()
            if w < week and v is not None and (days is None or w >= week - timedelta(days=days))
        ]
        flags[name] = bool(earlier) and value is not None and value > max(earlier)
    return flags


def muscle_groups(df: pd.DataFrame, week: date) -> dict[str, dict]:
    w = df[(df["week"] == week) & df["working"]]
    out: dict[str, dict] = {}
    for row in w.itertuples():
        primary = out.setdefault(row.primary_muscle_group, {"hard_sets": 0.0, "tonnage_kg": 0.0})
        primary["hard_sets"] += 1
        if pd.notna(row.load) and pd.notna(row.reps):
            primary["tonnage_kg"] += row.load * row.reps
        for group in filter(None, str(row.secondary_muscle_groups).split(";")):
            if group != row.primary_muscle_group:
                out.setdefault(group, {"hard_sets": 0.0, "tonnage_kg": 0.0})["hard_sets"] += 0.5
    return out


def diet(diet_df: pd.DataFrame, week: date) -> dict:
    d = diet_df[diet_df["week"] == week].sort_values("day")
    if d.empty:
        return {
            "logged_days": 0,
            "avg_calories_kcal": None,
            "avg_bodyweight_kg": None,
            "cardio_weekly_min": None,
            "cycle_label": None,
        }
    labels = d["cicle"].value_counts()
    top = labels[labels == labels.max()].index
    # ties: the later cycle, i.e. the larger leading sequence number
    label = max(top, key=lambda s: int("".join(ch for ch in s[:3] if ch.isdigit())))
    return {
        "logged_days": len(d),
        "avg_calories_kcal": d["kcal"].mean(),
        "avg_carbs_g": d["carboidratos_g"].mean(),
        "avg_protein_g": d["proteinas_g"].mean(),
        "avg_fat_g": d["gorduras_g"].mean(),
        "avg_bodyweight_kg": d["peso_kg"].mean() if d["peso_kg"].notna().any() else None,
        "cardio_weekly_min": float(d["cardio_semanal_min"].iloc[-1]),
        "cycle_label": label,
    }


# --- body composition and adherence (README, "Trend weight, expenditure and adherence") -------
SMOOTHING = 0.1
KCAL_PER_KG = 7700


def trend_by_day(weights: dict[date, float], last: date) -> dict[date, float]:
    """The trend on every day from the first weigh-in to ``last``: each weigh-in moves it by
    1 - 0.9^(days since the previous weigh-in) of the gap; other days carry it."""
    trend: dict[date, float] = {}
    value = previous = None
    day = min(weights)
    while day <= last:
        if day in weights:
            if value is None:
                value = weights[day]
            else:
                value += (1 - (1 - SMOOTHING) ** (day - previous).days) * (weights[day] - value)
            previous = day
        trend[day] = value
        day += timedelta(days=1)
    return trend


def count_in(days: set[date], first: date, last: date) -> int:
    return sum(1 for d in days if first <= d <= last)


def body_week(weights, trend, intake: dict[date, float], week: date) -> dict:
    sunday = week + timedelta(days=6)
    end = trend.get(sunday)
    start = trend.get(sunday - timedelta(days=20))
    weighed = set(weights)
    rate = pct = None
    if start is not None and count_in(weighed, sunday - timedelta(days=20), sunday) >= 4:
        rate = (end - start) / 20 * 7
        pct = rate / end * 100
    window = [sunday - timedelta(days=n) for n in range(28)]
    logged = [intake[d] for d in window if d in intake]
    weigh_ins = sum(1 for d in window if d in weights)
    before = trend.get(sunday - timedelta(days=28))
    expenditure = confidence = None
    if len(logged) >= 21 and weigh_ins >= 8 and before is not None:
        expenditure = sum(logged) / len(logged) - (end - before) * KCAL_PER_KG / 28
        confidence = "high" if len(logged) >= 26 and weigh_ins >= 20 else "medium"
    return {
        "trend_weight_kg": end,
        "trend_change_kg_per_week": rate,
        "trend_change_pct_per_week": pct,
        "expenditure_kcal": expenditure,
        "expenditure_confidence": confidence,
        "expenditure_intake_days": len(logged),
        "expenditure_weigh_ins": weigh_ins,
    }


def sample_targets() -> tuple[dict, dict[int, float]]:
    """The sample's targets as its two files state them: athlete.toml and cycles.csv."""
    import tomllib

    settings = tomllib.loads((SAMPLE_HEVY.parent / "athlete.toml").read_text())["targets"]
    cycles = pd.read_csv(SAMPLE_HEVY.parent / "cycles.csv")
    return settings, dict(zip(cycles["number"], cycles["target_kcal"], strict=True))


def cycle_target_on(day: date, label: str | None) -> float:
    """A day's calorie target: its diet-log cycle's, else the cycle whose range holds the day."""
    _, cycle_kcal = sample_targets()
    if label:
        return cycle_kcal[int("".join(c for c in label[:2] if c.isdigit()))]
    cycles = pd.read_csv(SAMPLE_HEVY.parent / "cycles.csv", keep_default_na=False)
    holding = [
        r
        for r in cycles.itertuples()
        if date.fromisoformat(r.start) <= day and (not r.end or date.fromisoformat(r.end) >= day)
    ]
    return float(max(holding, key=lambda r: (r.start, r.number)).target_kcal)


def adherence_week(diet: pd.DataFrame, sets: pd.DataFrame, week: date) -> dict:
    settings, _ = sample_targets()
    days = diet[diet["week"] == week]
    labels = {d.date(): label for d, label in zip(days["day"], days["cicle"], strict=True)}
    week_days = [week + timedelta(days=n) for n in range(7)]
    week_targets = [cycle_target_on(d, labels.get(d)) for d in week_days]
    # float even for a week without diet rows (an empty map keeps the labels' string dtype)
    targets = days["cicle"].map(lambda label: cycle_target_on(None, label)).astype(float)
    on_kcal = ((days["kcal"] - targets).abs() <= 0.1 * targets).sum()
    protein = days["proteinas_g"].dropna()
    on_protein = (protein >= 0.9 * settings["protein_g"]).sum()
    sessions = sets.loc[sets["week"] == week, "start"].nunique()
    return {
        "planned_sessions": settings["sessions_per_week"],
        "training": sessions / settings["sessions_per_week"],
        "calorie_target_kcal": sum(week_targets) / 7,
        "calorie_days_on_target": int(on_kcal) if len(days) else None,
        "calories": on_kcal / len(days) if len(days) else None,
        "protein_target_g": settings["protein_g"],
        "protein_days_on_target": int(on_protein) if len(protein) else None,
        "protein": on_protein / len(protein) if len(protein) else None,
        "intake_logged_days": int(days["kcal"].notna().sum()),
        "weigh_in_days": int(days["peso_kg"].notna().sum()),
    }


# --- beyond one week: history, signals, cycles (README, "Signals and cycles") ----------------


def weekly_grid(sets: pd.DataFrame, diet: pd.DataFrame) -> list[date]:
    """Every calendar week from the first week with any data to the last."""
    first = min(min(sets["week"]), min(diet["week"]))
    last = max(max(sets["week"]), max(diet["week"]))
    return [first + timedelta(days=7 * n) for n in range((last - first).days // 7 + 1)]


def week_training(sets: pd.DataFrame, weeks: list[date]) -> dict[date, dict]:
    out = {}
    for week in weeks:
        w = sets[sets["week"] == week]
        work = w[w["working"]].dropna(subset=["load", "reps"])
        out[week] = {
            "sessions": w["start"].nunique(),
            "working_sets": int(w["working"].sum()),
            "tonnage_kg": float((work["load"] * work["reps"]).sum()),
        }
    return out


def streaks(training: dict[date, dict]) -> dict[date, int]:
    run, out = 0, {}
    for week in sorted(training):
        run = run + 1 if training[week]["sessions"] else 0
        out[week] = run
    return out


def deloads(training: dict[date, dict]) -> dict[date, bool]:
    weeks = sorted(training)
    out = {}
    for i, week in enumerate(weeks):
        this = training[week]
        if i < 4 or not this["sessions"]:
            out[week] = False
            continue
        before = [training[w] for w in weeks[i - 4 : i]]
        sets = sum(b["working_sets"] for b in before) / 4
        tonnage = sum(b["tonnage_kg"] for b in before) / 4
        out[week] = (sets > 0 and this["working_sets"] <= 0.6 * sets) or (
            tonnage > 0 and this["tonnage_kg"] <= 0.6 * tonnage
        )
    return out


def hard_sets_by_week(sets: pd.DataFrame, weeks: list[date]) -> dict[str, dict[date, float]]:
    out: dict[str, dict[date, float]] = {}
    for week in weeks:
        for group, values in muscle_groups(sets, week).items():
            out.setdefault(group, {})[week] = values["hard_sets"]
    return out


def acwr(hard: dict[str, dict[date, float]], weeks: list[date], week: date) -> dict[str, tuple]:
    """Group → (hard sets, chronic mean, ratio, outside the band) for ``week``."""
    out = {}
    for group, by_week in hard.items():
        first = min(by_week)
        grid = [w for w in weeks if w >= first]
        if week not in grid:
            continue
        i = grid.index(week)
        this = by_week.get(week, 0.0)
        if i < 4:
            out[group] = (this, None, None, None)
            continue
        chronic = sum(by_week.get(w, 0.0) for w in grid[i - 4 : i]) / 4
        ratio = this / chronic if chronic else None
        out[group] = (this, chronic, ratio, None if ratio is None else not 0.8 <= ratio <= 1.3)
    return out


def e1rm_weeks(sets: pd.DataFrame, title: str) -> dict[date, float]:
    """Weeks in which ``title`` had a working set with an e1RM: the week's best."""
    return {w: v for w, v in weekly_series(sets, title, "best_e1rm_kg").items() if v is not None}


def progress(series: dict[date, float], week: date) -> dict | None:
    """The stall rule at ``week`` from the exercise's latest e1RM week up to it."""
    weeks = sorted(w for w in series if w <= week)
    if not weeks:
        return None
    since, best = 0, None
    previous = None
    for w in weeks:
        previous = best
        if best is None or series[w] > best:
            best, since = series[w], 0
        else:
            since += 1
    return {
        "latest_week": weeks[-1],
        "best_e1rm_kg": series[weeks[-1]],
        "previous_best_e1rm_kg": previous,
        "weeks_since_best": since,
        "stalled": since >= 3,
    }


def main_lifts(sets: pd.DataFrame, weeks: list[date], week: date) -> list[str]:
    """The up-to-3 exercises with an e1RM in the 12 weeks to ``week`` with the most working sets
    in them (ties by name)."""
    window = [w for w in weeks if week - timedelta(days=77) <= w <= week]
    work = sets[sets["working"] & sets["week"].isin(window)]
    counts = []
    for title, g in work.groupby("exercise_title"):
        loaded = g.dropna(subset=["load"])
        if len(loaded[(loaded["reps"] >= 1) & (loaded["reps"] <= 12)]):
            counts.append((-len(g), title))
    return [title for _, title in sorted(counts)[:3]]


def day_cycles(diet: pd.DataFrame, weeks: list[date]) -> dict[date, int | None]:
    """Every day of the grid → its cycle: the diet log's label, else cycles.csv's range."""
    cycles = pd.read_csv(SAMPLE_HEVY.parent / "cycles.csv", keep_default_na=False)
    labels = {
        d.date(): int("".join(c for c in label[:2] if c.isdigit()))
        for d, label in zip(diet["day"], diet["cicle"], strict=True)
    }
    out = {}
    for week in weeks:
        for n in range(7):
            day = week + timedelta(days=n)
            if day in labels:
                out[day] = labels[day]
                continue
            holding = [
                r
                for r in cycles.itertuples()
                if date.fromisoformat(r.start) <= day
                and (not r.end or date.fromisoformat(r.end) >= day)
            ]
            out[day] = max(holding, key=lambda r: (r.start, r.number)).number if holding else None
    return out


def cycle_lift(series: dict[date, float], first_day: date, week: date) -> dict:
    """A main lift through a cycle to ``week``: best e1RM of its first and last trained weeks."""
    monday = first_day - timedelta(days=first_day.weekday())
    trained = [series[w] for w in sorted(series) if monday <= w <= week]
    n = len(trained)
    if n < 2:
        return {"trained_weeks": n, "first": None, "last": None}
    k = min(3, n // 2)
    return {"trained_weeks": n, "edge": k, "first": max(trained[:k]), "last": max(trained[-k:])}
