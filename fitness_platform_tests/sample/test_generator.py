"""The committed sample is what the seeded generator writes, with the profile it was built to have."""

from __future__ import annotations

from fitness_platform.sample.generator import generate_diet, generate_workouts, write_sample
from fitness_platform_tests.helpers import SAMPLE_DIET, SAMPLE_HEVY


def test_committed_sample_is_reproducible(tmp_path):
    hevy, diet = write_sample(tmp_path)
    assert hevy.read_bytes() == SAMPLE_HEVY.read_bytes()
    assert diet.read_bytes() == SAMPLE_DIET.read_bytes()


def test_sample_profile():
    rows = generate_workouts()
    assert len(rows) == 9542
    titles: dict[str, int] = {}
    for r in rows:
        titles[r["exercise_title"]] = titles.get(r["exercise_title"], 0) + 1
    assert len(titles) == 118
    assert sorted(t for t, n in titles.items() if n == 1) == sorted(
        ["Squat (Bodyweight)", "Plank", "Push Up", "Walking", "Stair Machine (Steps)"]
    )
    assert rows[0]["start_time"] == "13 Jan 2026, 18:43"  # newest first
    assert rows[-1]["start_time"].startswith("20 Nov 2023")
    assert {r["set_type"] for r in rows} == {"normal", "warmup", "failure"}
    leg_press = [
        r["weight_kg"]
        for r in rows
        if r["exercise_title"] == "Leg Press (Machine)" and r["set_type"] != "warmup"
    ]
    assert max(leg_press[:8]) in (280.0, 282.5, 285.0) and min(leg_press[-8:]) >= 140
    notes = sum(1 for r in rows if r["exercise_notes"]) / len(rows)
    assert 0.08 < notes < 0.14
    diet = generate_diet()
    assert len(diet) == 982 and diet[0]["data"] == "2023-05-06" and diet[-1]["data"] == "2026-01-11"
    off = [
        d
        for d in diet
        if d["kcal"] != 4 * d["carboidratos_g"] + 4 * d["proteinas_g"] + 9 * d["gorduras_g"]
    ]
    assert (
        len(off) == 1
        and abs(
            off[0]["kcal"]
            - (4 * off[0]["carboidratos_g"] + 4 * off[0]["proteinas_g"] + 9 * off[0]["gorduras_g"])
        )
        == 20
    )
    assert sum(1 for d in diet if d["observacoes"]) == 173
    assert len({d["cicle"] for d in diet}) == 10
