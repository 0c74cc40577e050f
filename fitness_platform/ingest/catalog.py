"""The exercise catalog, stable exercise keys, and the name heuristic for titles it lacks."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

import pandas as pd

from fitness_platform.errors import ExportError

CATALOG_COLUMNS = [
    "exercise_title",
    "primary_muscle_group",
    "secondary_muscle_groups",
    "equipment",
    "exercise_type",
    "is_cardio",
]
MUSCLE_GROUPS = {
    "abdominals",
    "abductors",
    "adductors",
    "biceps",
    "calves",
    "cardio",
    "chest",
    "forearms",
    "full_body",
    "glutes",
    "hamstrings",
    "lats",
    "lower_back",
    "neck",
    "other",
    "quadriceps",
    "shoulders",
    "traps",
    "triceps",
    "upper_back",
}


def exercise_key(title: str) -> str:
    """Stable slug of an exercise title: ``Bench Press (Barbell)`` → ``bench_press_barbell``."""
    folded = unicodedata.normalize("NFKD", title)
    ascii_only = (
        "".join(c for c in folded if not unicodedata.combining(c))
        .encode("ascii", "ignore")
        .decode()
    )
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_only.lower()).strip("_")
    if not slug:
        slug = "exercise_" + hashlib.sha1(title.encode()).hexdigest()[:10]
    return slug


def normalise_title(title: str) -> str:
    """Title as stored: invisible spaces (ZWSP, BOM, word joiner) dropped, spaces folded. Zero-width
    joiners stay: they hold emoji sequences together."""
    title = re.sub(r"[\u200b\ufeff\u2060]", "", title)
    return " ".join(title.split())


def lookup_key(title: str) -> str:
    """How a title is matched with the catalog: case-folded, without any zero-width character."""
    return re.sub(r"[\u200b-\u200d\ufeff\u2060]", "", title).casefold()


def load_catalog(path: Path) -> pd.DataFrame:
    """One row per catalog title, with its key; refuses a malformed catalog naming the line."""
    from fitness_platform.ingest.csvfile import read_csv_table

    table = read_csv_table(path)
    missing = [c for c in CATALOG_COLUMNS if c not in table.header]
    if missing:
        raise ExportError(path, "missing column", line=1, column=missing[0])
    frame = pd.DataFrame(table.rows, columns=table.header, dtype=object)
    frame["exercise_title"] = frame["exercise_title"].map(normalise_title)
    for i, row in frame.iterrows():
        line = table.lines[i]
        if row["primary_muscle_group"] not in MUSCLE_GROUPS:
            raise ExportError(
                path,
                f"unknown muscle group {row['primary_muscle_group']!r}",
                line=line,
                column="primary_muscle_group",
            )
        for group in filter(None, row["secondary_muscle_groups"].split(";")):
            if group not in MUSCLE_GROUPS:
                raise ExportError(
                    path,
                    f"unknown muscle group {group!r}",
                    line=line,
                    column="secondary_muscle_groups",
                )
        if row["is_cardio"] not in {"true", "false"}:
            raise ExportError(
                path, "is_cardio must be true or false", line=line, column="is_cardio"
            )
    if frame["exercise_title"].duplicated().any():
        dup = frame.index[frame["exercise_title"].duplicated()][0]
        raise ExportError(
            path, "duplicate exercise title", line=table.lines[dup], column="exercise_title"
        )
    frame["is_cardio"] = frame["is_cardio"] == "true"
    frame["exercise_key"] = frame["exercise_title"].map(exercise_key)
    frame["catalog_source"] = "catalog"
    frame["lookup"] = frame["exercise_title"].map(lookup_key)
    return frame.reset_index(drop=True)


# The name heuristic: ordered (pattern, primary, secondaries, type); the first match wins. Patterns
# are matched against the lower-case base name (without the "(Equipment)" suffix).
_RULES: list[tuple[str, str, str, str]] = [
    (
        r"treadmill|running|\brun\b|walk|jog|cycling|\bbike\b|spinning|elliptical|stair|rowing machine|"
        r"rower|swim|hiking|jump rope|sprint|ski|cardio|esteira|bicicleta|escada|caminhada|corrida",
        "cardio",
        "",
        "cardio",
    ),
    (r"leg curl|hamstring|nordic|flexora|femoral", "hamstrings", "calves", "weight_reps"),
    (r"leg extension|extensora|sissy", "quadriceps", "", "weight_reps"),
    (r"calf|panturrilha|gêmeos|gemeos", "calves", "", "weight_reps"),
    (r"romanian|stiff|good morning|\brdl\b", "hamstrings", "glutes;lower_back", "weight_reps"),
    (
        r"deadlift|rack pull|levantamento terra",
        "lower_back",
        "hamstrings;glutes;quadriceps;traps",
        "weight_reps",
    ),
    (
        r"hip thrust|glute|kickback|bridge|pull through|elevação pélvica|gluteo",
        "glutes",
        "hamstrings",
        "weight_reps",
    ),
    (r"abduct|abdu", "abductors", "glutes", "weight_reps"),
    (r"adduct|adu", "adductors", "", "weight_reps"),
    (
        r"squat|leg press|lunge|split|step up|agachamento|afundo|hack|pendulum|leg",
        "quadriceps",
        "glutes;hamstrings",
        "weight_reps",
    ),
    (
        r"back extension|hyperextension|superman|lombar",
        "lower_back",
        "glutes;hamstrings",
        "weight_reps",
    ),
    (
        r"crunch|sit up|plank|knee raise|leg raise|ab wheel|twist|dead bug|abdominal|prancha|core",
        "abdominals",
        "",
        "weight_reps",
    ),
    (r"shrug|encolhimento|trap", "traps", "forearms", "weight_reps"),
    (
        r"face pull|rear delt|reverse fly|crucifixo inverso",
        "shoulders",
        "upper_back",
        "weight_reps",
    ),
    (
        r"pulldown|pull up|pull-up|chin up|pullover|puxada|barra fixa",
        "lats",
        "biceps;upper_back",
        "weight_reps",
    ),
    (r"\brow\b|rows|remada", "upper_back", "lats;biceps", "weight_reps"),
    (
        r"skull|tricep|pushdown|kickback|dip|close grip|french|tríceps|triceps",
        "triceps",
        "chest;shoulders",
        "weight_reps",
    ),
    (r"wrist|forearm|grip|antebraço", "forearms", "", "weight_reps"),
    (r"curl|bicep|rosca|bíceps", "biceps", "forearms", "weight_reps"),
    (
        r"lateral raise|front raise|overhead press|shoulder|military|arnold|upright|elevação lateral|"
        r"desenvolvimento|ombro",
        "shoulders",
        "triceps",
        "weight_reps",
    ),
    (
        r"bench|chest|fly|flye|press|push up|push-up|pec|supino|crucifixo|peito|crossover",
        "chest",
        "triceps;shoulders",
        "weight_reps",
    ),
    (r"clean|snatch|thruster|burpee|swing|jerk", "full_body", "", "weight_reps"),
]
_EQUIPMENT = {
    "barbell": "barbell",
    "dumbbell": "dumbbell",
    "cable": "cable",
    "machine": "machine",
    "smith machine": "smith_machine",
    "kettlebell": "kettlebell",
    "band": "resistance_band",
    "bodyweight": "none",
    "weighted": "other",
    "assisted": "machine",
    "plate": "plate",
}


def infer_exercise(title: str) -> dict:
    """Classify a title missing from the catalog by the documented rules above.

    The equipment comes from a trailing ``(…)`` when it names one; otherwise ``other``. The primary
    muscle comes from the first rule whose pattern the base name matches, or ``other``."""
    match = re.match(r"^(?P<base>.*?)\s*\((?P<eq>[^()]*)\)\s*$", title)
    base = (match.group("base") if match else title).lower()
    equipment_word = match.group("eq").lower() if match else ""
    equipment = _EQUIPMENT.get(equipment_word, "other" if equipment_word else "none")
    primary, secondary, kind = "other", "", "weight_reps"
    for pattern, group, secondaries, rule_kind in _RULES:
        if re.search(pattern, base):
            primary, secondary, kind = group, secondaries, rule_kind
            break
    is_cardio = primary == "cardio"
    return {
        "exercise_title": title,
        "primary_muscle_group": primary,
        "secondary_muscle_groups": secondary,
        "equipment": equipment,
        "exercise_type": "distance_duration" if is_cardio else kind,
        "is_cardio": is_cardio,
        "exercise_key": exercise_key(title),
        "catalog_source": "inferred",
    }


# Hevy exercise-template types (its API's CustomExerciseType) in this catalog's vocabulary.
HEVY_TYPES = {"bodyweight_assisted_reps": "assisted_bodyweight"}


def from_hevy_template(title: str, template: dict) -> dict | None:
    """A title classified by the athlete's Hevy exercise template (the muscles Hevy itself
    records, custom exercises included); None when the template names no known muscle group."""
    primary = template.get("primary_muscle_group")
    if primary not in MUSCLE_GROUPS:
        return None
    secondary = [g for g in (template.get("secondary_muscle_groups") or []) if g in MUSCLE_GROUPS]
    inferred = infer_exercise(title)
    kind = str(template.get("type") or inferred["exercise_type"])
    is_cardio = primary == "cardio" or kind == "distance_duration"
    return {
        **inferred,
        "primary_muscle_group": primary,
        "secondary_muscle_groups": ";".join(g for g in secondary if g != primary),
        "exercise_type": HEVY_TYPES.get(kind, kind),
        "is_cardio": is_cardio,
        "catalog_source": "hevy",
    }


def resolve_exercises(
    titles: pd.Series, catalog: pd.DataFrame, templates: list[dict] | None = None
) -> pd.DataFrame:
    """One row per distinct title: its catalog entry; else its Hevy template's classification
    (marked ``hevy``); else an inferred one marked ``inferred``."""
    by_lookup = catalog.set_index("lookup")
    by_title = {
        lookup_key(t["title"]): t for t in templates or [] if isinstance(t.get("title"), str)
    }
    rows = []
    for title in sorted(set(pd.unique(titles.dropna()))):
        lookup = lookup_key(title)
        if lookup in by_lookup.index:
            entry = by_lookup.loc[lookup].to_dict()
            entry["exercise_title"] = title
            rows.append(entry)
        elif lookup in by_title and (entry := from_hevy_template(title, by_title[lookup])):
            rows.append(entry)
        else:
            rows.append(infer_exercise(title))
    columns = CATALOG_COLUMNS + ["exercise_key", "catalog_source"]
    return pd.DataFrame(rows, columns=columns)
