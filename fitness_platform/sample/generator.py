"""Deterministic, seeded generator of realistic athlete exports.

It reproduces the profile of the personal dataset the platform was designed around: a Hevy export
(one row per set, newest workout first) from 20 Nov 2023 to 13 Jan 2026 and a daily diet log from
6 May 2023 to 11 Jan 2026 with ten diet cycles, strength that climbs in bulks and stalls in cuts, a
few missed weeks, repeated exercise blocks and two planted entry errors. ``bench/`` reuses it with other
seeds to build many athletes.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from fitness_platform.sample.programs import ALTERNATES, MISSED_WEEKS, PROGRAMS, SINGLETONS

HEVY_COLUMNS = [
    "title",
    "start_time",
    "end_time",
    "description",
    "exercise_title",
    "superset_id",
    "exercise_notes",
    "set_index",
    "set_type",
    "weight_kg",
    "reps",
    "distance_km",
    "duration_seconds",
    "rpe",
]
DIET_COLUMNS = [
    "data",
    "carboidratos_g",
    "proteinas_g",
    "gorduras_g",
    "kcal",
    "cardio_semanal_min",
    "cicle",
    "peso_kg",
    "observacoes",
]
SAMPLE_SET_ROWS = 9542
FIRST_WORKOUT = date(2023, 11, 20)
LAST_WORKOUT = date(2026, 1, 13)
DIET_START, DIET_END = date(2023, 5, 6), date(2026, 1, 11)

# (label, type, start, end): the athlete's cycles as typed in the diet log.
CYCLES = [
    ("1Cutting I (01/05/2023 - 17/09/2023)", "cutting", date(2023, 5, 1), date(2023, 9, 17)),
    ("2Reversa I (18/09/2023 - 29/10/2023)", "reverse", date(2023, 9, 18), date(2023, 10, 29)),
    ("3Cutting II (30/10/2023 - 23/02/2024)", "cutting", date(2023, 10, 30), date(2024, 2, 23)),
    ("4Reversa II (24/02/2024 - 22/03/2024)", "reverse", date(2024, 2, 24), date(2024, 3, 22)),
    ("5Bulking I (23/03/2024 - 19/05/2024)", "bulking", date(2024, 3, 23), date(2024, 5, 19)),
    ("6Cutting III (20/05/2024 - 28/09/2024)", "cutting", date(2024, 5, 20), date(2024, 9, 28)),
    ("7Bulking II (28/10/2024 - 01/01/2025)", "bulking", date(2024, 10, 28), date(2025, 1, 1)),
    ("8Cutting IV (02/01/2025 - 17/04/2025)", "cutting", date(2025, 1, 2), date(2025, 4, 17)),
    (
        "9Manutenção I (18/04/2025 - 05/10/2025)",
        "maintenance",
        date(2025, 4, 18),
        date(2025, 10, 5),
    ),
    ("10Cutting V (06/10/2025 - XX/XX/XXXX)", "cutting", date(2025, 10, 6), None),
]
# Weekly strength trend per cycle type (arbitrary units; normalised to 0..1 over the history).
TREND = {"bulking": 1.0, "reverse": 0.55, "maintenance": 0.4, "cutting": 0.18}
PLANTED = {
    # (workout day, exercise title, set_index): what the athlete mistyped
    (date(2024, 5, 14), "Bicep Curl (Machine)", 2): {"weight_kg": None, "set_type": "failure"},
    (date(2024, 1, 23), "Preacher Curl (Machine)", 1): {"reps": 111},
}
PLANTED_TRUTH = {
    (date(2024, 5, 14), "Bicep Curl (Machine)", 2): {"weight_kg": 54.0},
    (date(2024, 1, 23), "Preacher Curl (Machine)", 1): {"reps": 11},
}
# The planted failure set was lifted at the block's working weight.
FORCED_WEIGHT = {(date(2024, 5, 14), "Bicep Curl (Machine)"): 54.0}
FORCED_START = {
    date(2024, 1, 23): (11, 9),
    date(2024, 5, 14): (11, 11),
    date(2026, 1, 13): (18, 43),
}
NOTES = [
    "2RIR",
    "1RIR",
    "0RIR",
    "3RIR",
    "banco 3",
    "pegada fechada",
    "assento 4",
    "drop no final",
    "pausa 2s",
    "cadência lenta",
    "dor no ombro, leve",
    "pegada neutra",
]
DIET_NOTES = [
    "refeição livre",
    "dormi mal",
    "pesagem em jejum",
    "viagem, comi fora",
    "sem fome",
    "treino de perna pesado",
    "aniversário",
    "inchado, muito sódio ontem",
    "dia de descanso",
    'jantar com amigos, "estimei" as macros',
    "retenção",
    "muito calor, bebi 5L",
]


@dataclass
class SetRow:
    exercise: str
    set_type: str
    weight_kg: float | None
    reps: int | None
    distance_km: float | None = None
    duration_seconds: int | None = None


def cycle_for(day: date) -> tuple[str, str]:
    """The cycle label the athlete typed on ``day`` (the previous cycle runs on through a gap)."""
    chosen = CYCLES[0]
    for cycle in CYCLES:
        if cycle[2] <= day:
            chosen = cycle
    if chosen[3] is not None and day > chosen[3]:
        for cycle in CYCLES:
            if cycle[3] is not None and cycle[3] < day:
                prev = cycle
        chosen = prev
    return chosen[0], chosen[1]


def progress_curve() -> dict[date, float]:
    """Normalised strength progress (0 at the first workout, 1 at the last) for every day."""
    level, raw = 0.0, {}
    day = FIRST_WORKOUT
    while day <= LAST_WORKOUT:
        kind = cycle_for(day)[1]
        level += TREND[kind] / 7
        raw[day] = level
        day += timedelta(days=1)
    top = raw[LAST_WORKOUT]
    return {d: v / top for d, v in raw.items()}


def _round_to(value: float, step: float) -> float:
    return round(round(value / step) * step, 2)


def _step_for(title: str) -> float:
    if "(Dumbbell)" in title or title in {"Goblet Squat", "Dumbbell Row"}:
        return 2.0
    if "(Cable)" in title or "Pushdown" in title or "Curl" in title or "Raise" in title:
        return 1.0
    return 2.5


def _program_for(day: date) -> dict:
    chosen = PROGRAMS[0][1]
    for start, program in PROGRAMS:
        if start <= day:
            chosen = program
    return chosen


def _exercise_sets(rng, spec, progress, day, scale=1.0):
    title, n_sets, rep_range, w0, w1 = spec
    if w0 == "cardio":
        minutes = rng.choice([10, 12, 15, 15, 20, 20, 25, 30])
        distance = None
        if title in {"Treadmill", "Spinning", "Air Bike"} and rng.random() < 0.55:
            speed = {"Treadmill": 6.0, "Spinning": 22.0, "Air Bike": 18.0}[title]
            distance = round(minutes / 60 * speed * rng.uniform(0.85, 1.1), 2)
        return [
            SetRow(title, "normal", None, None, distance, minutes * 60 + rng.choice([0, 0, 30]))
        ]
    rows: list[SetRow] = []
    if w0 is None:
        for i in range(n_sets):
            reps = rng.randint(*rep_range) - i
            rows.append(
                SetRow(
                    title,
                    "failure" if i == n_sets - 1 and rng.random() < 0.4 else "normal",
                    None,
                    max(reps, 4),
                )
            )
        return rows
    step = _step_for(title)
    top = (w0 + (w1 - w0) * progress) * scale
    top *= rng.choice([1.0, 1.0, 1.0, 0.99, 1.01])
    top = max(_round_to(top, step), step)
    if rep_range[0] <= 10 and rng.random() < 0.6:
        for pct in [0.5] if rng.random() < 0.5 else [0.45, 0.7]:
            rows.append(
                SetRow(title, "warmup", max(_round_to(top * pct, step), step), rng.randint(10, 15))
            )
    for i in range(n_sets):
        reps = rng.randint(*rep_range)
        weight = (
            top if i < n_sets - 1 or rng.random() < 0.7 else max(_round_to(top * 0.9, step), step)
        )
        kind = "failure" if i == n_sets - 1 and rng.random() < 0.35 else "normal"
        rows.append(SetRow(title, kind, weight, reps))
    return rows


def _training_days(rng) -> list[date]:
    days, monday = [], FIRST_WORKOUT
    while monday <= LAST_WORKOUT:
        if monday not in MISSED_WEEKS:
            program = _program_for(monday)
            weekdays = sorted(program)
            if rng.random() < 0.55:  # four sessions this week: skip the optional last split
                weekdays = weekdays[:4]
            for wd in weekdays:
                day = monday + timedelta(days=wd)
                if day <= LAST_WORKOUT:
                    days.append(day)
        monday += timedelta(days=7)
    for forced in FORCED_START:
        assert forced in days, forced
    return days


def generate_workouts(seed: int = 7, target_rows: int | None = SAMPLE_SET_ROWS) -> list[dict]:
    """Hevy rows (dicts keyed by ``HEVY_COLUMNS``), newest workout first."""
    rng = random.Random(seed)
    curve = progress_curve()
    singletons = {d: (t, kw) for d, t, kw in SINGLETONS}
    workouts = []
    for n, day in enumerate(_training_days(rng)):
        title, specs = _program_for(day)[day.weekday()]
        blocks: list[list[SetRow]] = []
        for spec in specs:
            spec = tuple(spec)
            alt = ALTERNATES.get(spec[0])
            scale = 1.0
            if alt and rng.random() < 0.1:
                spec = (
                    (alt[0], *spec[1:])
                    if alt[1] is not None
                    else (alt[0], spec[1], spec[2], None, None)
                )
                scale = alt[1] or 1.0
            block = _exercise_sets(rng, spec, curve[day], day, scale)
            if (day, spec[0]) in FORCED_WEIGHT:
                for s in block:
                    s.weight_kg = FORCED_WEIGHT[(day, spec[0])] * (
                        0.5 if s.set_type == "warmup" else 1
                    )
            blocks.append(block)
        if n % 61 == 7:  # back-off block of the first lift at the end of the session
            first = blocks[0]
            backoff = [
                SetRow(
                    r.exercise,
                    "normal",
                    r.weight_kg and _round_to(r.weight_kg * 0.8, 2.5),
                    (r.reps or 8) + 2,
                )
                for r in first
                if r.set_type != "warmup"
            ][:2]
            blocks.insert(len(blocks) - 1, backoff)
        if day in singletons:
            single_title, values = singletons[day]
            blocks.append(
                [
                    SetRow(
                        single_title,
                        "normal",
                        None,
                        values.get("reps"),
                        values.get("distance_km"),
                        values.get("duration_seconds"),
                    )
                ]
            )
        hour, minute = FORCED_START.get(
            day, (rng.choice([6, 7, 7, 11, 12, 18, 18, 19, 20]), rng.randint(0, 59))
        )
        start = datetime(day.year, day.month, day.day, hour, minute)
        workouts.append(
            {
                "title": title,
                "start": start,
                "blocks": blocks,
                "description": ""
                if rng.random() > 0.04
                else rng.choice(["Treino bom", "Academia cheia", "Pouca energia hoje", "Deload"]),
            }
        )
    if target_rows is not None:
        _fit_row_count(rng, workouts, target_rows)
    _bodyweight_variants(workouts)
    return _to_rows(rng, workouts)


# Bodyweight moves in all their kinds: the athlete starts pull-ups on the assisted machine (the
# assistance falls session by session, more of it on the last set), then does them at bodyweight;
# dips get a belt with added weight in the last months of the second program.
ASSISTED_PULL_UPS_UNTIL = date(2024, 1, 9)
ASSISTANCE_KG = (34.0, 20.0)
WEIGHTED_DIPS_FROM = date(2024, 6, 21)
DIP_ADDED_KG = (5.0, 15.0)


def _bodyweight_variants(workouts) -> None:
    """Turn the early pull-ups into assisted ones and the late dips into weighted ones. Only the
    titles and weights of those blocks change (no random draw), so the rest of the sample stays
    exactly as it was."""

    def sessions(title, keep):
        return sorted(
            (
                w
                for w in workouts
                if keep(w["start"].date()) and any(b[0].exercise == title for b in w["blocks"])
            ),
            key=lambda w: w["start"],
        )

    def spread(first_last, i, n, step):
        first, last = first_last
        return _round_to(first + (last - first) * i / max(n - 1, 1), step)

    assisted = sessions("Pull Up", lambda d: d <= ASSISTED_PULL_UPS_UNTIL)
    for i, w in enumerate(assisted):
        assistance = spread(ASSISTANCE_KG, i, len(assisted), 2.0)
        for block in (b for b in w["blocks"] if b[0].exercise == "Pull Up"):
            for n, s in enumerate(block):
                s.exercise = "Pull Up (Assisted)"
                s.weight_kg = assistance + (2.0 if n == len(block) - 1 else 0.0)
    weighted = sessions("Triceps Dip", lambda d: d >= WEIGHTED_DIPS_FROM)
    for i, w in enumerate(weighted):
        added = spread(DIP_ADDED_KG, i, len(weighted), 2.5)
        for block in (b for b in w["blocks"] if b[0].exercise == "Triceps Dip"):
            for s in block:
                s.exercise = "Triceps Dip (Weighted)"
                s.weight_kg = added


def _protected(workout, block_index) -> bool:
    day = workout["start"].date()
    block = workout["blocks"][block_index]
    return any(key[0] == day and key[1] == block[0].exercise for key in PLANTED) or len(block) < 3


def _fit_row_count(rng, workouts, target) -> None:
    total = sum(len(b) for w in workouts for b in w["blocks"])
    while total != target:
        w = rng.choice(workouts)
        i = rng.randrange(len(w["blocks"]))
        block = w["blocks"][i]
        if block[0].duration_seconds is not None or block[0].weight_kg is None and len(block) < 3:
            continue
        if total > target and not _protected(w, i):
            block.pop()
            total -= 1
        elif total < target and len(block) < 5:
            last = block[-1]
            block.append(
                SetRow(last.exercise, "normal", last.weight_kg, max((last.reps or 8) - 1, 4))
            )
            total += 1


def _to_rows(rng, workouts) -> list[dict]:
    rows = []
    for w in sorted(workouts, key=lambda w: w["start"], reverse=True):
        start = w["start"]
        n_sets = sum(len(b) for b in w["blocks"])
        minutes = min(max(int(n_sets * 3.6 + rng.randint(-8, 8)), 50), 110)
        end = start + timedelta(minutes=minutes)
        for block in w["blocks"]:
            notes = rng.choice(NOTES) if rng.random() < 0.105 else ""
            for set_index, s in enumerate(block):
                row = {
                    "title": w["title"],
                    "start_time": hevy_time(start),
                    "end_time": hevy_time(end),
                    "description": w["description"],
                    "exercise_title": s.exercise,
                    "superset_id": "",
                    "exercise_notes": notes,
                    "set_index": set_index,
                    "set_type": s.set_type,
                    "weight_kg": s.weight_kg,
                    "reps": s.reps,
                    "distance_km": s.distance_km,
                    "duration_seconds": s.duration_seconds,
                    "rpe": "",
                }
                key = (start.date(), s.exercise, set_index)
                if key in PLANTED_TRUTH:
                    row.update(PLANTED_TRUTH[key])
                    row["set_type"] = (
                        "failure" if "weight_kg" in PLANTED_TRUTH[key] else row["set_type"]
                    )
                if key in PLANTED:
                    row.update(PLANTED[key])
                rows.append(row)
    return rows


def hevy_time(moment: datetime) -> str:
    """A time as Hevy's export writes it ("13 Jan 2026, 18:43"), whatever the locale."""
    return moment.strftime("%d %b %Y, %H:%M").replace(
        moment.strftime("%b"),
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][
            moment.month - 1
        ],
    )


def generate_diet(seed: int = 7) -> list[dict]:
    """One row per day from 6 May 2023 to 11 Jan 2026, in the personal SQLite export's columns."""
    rng = random.Random(seed * 1009 + 1)
    days = [DIET_START + timedelta(days=i) for i in range((DIET_END - DIET_START).days + 1)]
    noted = set(rng.sample(range(len(days)), 173))
    off_by_20 = rng.randrange(len(days))
    bodyweight, rows = 86.0, []
    cycle_start_kcal: dict[str, int] = {}
    for i, day in enumerate(days):
        label, kind = cycle_for(day)
        drift = {"cutting": -0.065, "reverse": 0.02, "bulking": 0.045, "maintenance": 0.0}[kind]
        bodyweight += drift + rng.uniform(-0.05, 0.05)
        base = {"cutting": 2050, "reverse": 2350, "bulking": 2950, "maintenance": 2600}[kind]
        start_kcal = cycle_start_kcal.setdefault(label, base)
        days_in = sum(1 for d in days[max(0, i - 200) : i] if cycle_for(d)[0] == label)
        if kind == "cutting":
            target = start_kcal - min(days_in, 120) * 2.0
        elif kind == "reverse":
            target = start_kcal + min(days_in, 60) * 6.0
        else:
            target = start_kcal
        target += rng.uniform(-120, 120)
        protein = round(bodyweight * rng.uniform(2.0, 2.3))
        fat = round(rng.uniform(55, 80))
        carbs = max(round((target - 4 * protein - 9 * fat) / 4), 60)
        kcal = 4 * carbs + 4 * protein + 9 * fat + (20 if i == off_by_20 else 0)
        cardio = {"cutting": 150, "reverse": 90, "bulking": 60, "maintenance": 90}[kind]
        if label.startswith("10"):
            cardio = 180
        weighed = rng.random() > 0.06
        rows.append(
            {
                "data": day.isoformat(),
                "carboidratos_g": carbs,
                "proteinas_g": protein,
                "gorduras_g": fat,
                "kcal": kcal,
                "cardio_semanal_min": cardio,
                "cicle": label,
                "peso_kg": round(bodyweight + rng.uniform(-0.4, 0.4), 1) if weighed else "",
                "observacoes": rng.choice(DIET_NOTES) if i in noted else "",
            }
        )
    return rows


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}" if value != int(value) else str(int(value))
    return str(value)


def write_hevy_csv(rows: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(HEVY_COLUMNS)
        for row in rows:
            writer.writerow([_fmt(row[c]) for c in HEVY_COLUMNS])


def write_diet_csv(rows: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(DIET_COLUMNS)
        for row in rows:
            writer.writerow([_fmt(row[c]) for c in DIET_COLUMNS])


# The athlete's targets: five sessions a week planned (four or five are done), 150 g of protein a
# day, and per cycle the calories its kind starts from (``generate_diet``'s base intake).
SETTINGS = """# The sample athlete's settings (see fitness_platform/ingest/profile.py).
[targets]
sessions_per_week = 5
protein_g = 150
"""
CYCLE_TARGET_KCAL = {"cutting": 2050, "reverse": 2350, "bulking": 2950, "maintenance": 2600}


def write_cycles_csv(path: Path) -> None:
    """The cycles of the diet log with their calorie targets (the log names the cycles; this file
    gives them targets, matched by number)."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(
            ["number", "name", "type", "start", "end", "target_kcal", "target_protein_g"]
        )
        for label, kind, start, end in CYCLES:
            number = int("".join(ch for ch in label[:2] if ch.isdigit()))
            name = label[len(str(number)) : label.index("(")].strip()
            writer.writerow([number, name, kind, start, end or "", CYCLE_TARGET_KCAL[kind], ""])


def write_sample(
    raw_dir: Path, athlete: str = "demo", seed: int = 7, target_rows: int | None = SAMPLE_SET_ROWS
) -> list[Path]:
    """Write one athlete's exports, settings and cycle targets under ``raw_dir/athlete``; return
    their paths."""
    folder = raw_dir / athlete
    hevy = folder / "hevy_workouts_raw.csv"
    diet = folder / "diet_daily_raw_export.csv"
    write_hevy_csv(generate_workouts(seed, target_rows), hevy)
    write_diet_csv(generate_diet(seed), diet)
    (folder / "athlete.toml").write_text(SETTINGS, encoding="utf-8")
    write_cycles_csv(folder / "cycles.csv")
    return [hevy, diet, folder / "athlete.toml", folder / "cycles.csv"]


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Write the committed sample exports.")
    parser.add_argument("--raw-dir", type=Path, default=Path("data/raw"))
    args = parser.parse_args()
    for path in write_sample(args.raw_dir):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
