"""The committed sample is what the seeded generator writes, with the profile it was built to have."""

from __future__ import annotations

from fitness_platform.sample.generator import generate_diet, generate_workouts, write_sample
from fitness_platform_tests.helpers import SAMPLE_HEVY


def test_committed_sample_is_reproducible(tmp_path):
    written = write_sample(tmp_path)
    assert [p.name for p in written] == [
        "hevy_workouts_raw.csv",
        "diet_daily_raw_export.csv",
        "athlete.toml",
        "cycles.csv",
    ]
    for path in written:
        assert path.read_bytes() == (SAMPLE_HEVY.parent / path.name).read_bytes(), path.name


def test_sample_profile():
    rows = generate_workouts()
    assert len(rows) == 9542
    titles: dict[str, int] = {}
    for r in rows:
        titles[r["exercise_title"]] = titles.get(r["exercise_title"], 0) + 1
    # 118 titles, and the assisted pull-ups and weighted dips the sample grew for issue 12.
    assert len(titles) == 120
    assisted = [r for r in rows if r["exercise_title"] == "Pull Up (Assisted)"]
    assert {r["start_time"][-18:-7] for r in assisted} >= {"21 Nov 2023", "09 Jan 2024"}
    # The assistance falls from 34 kg (the first session's first set) to 20 kg (the last's).
    firsts = {r["start_time"][:11]: r["weight_kg"] for r in assisted if r["set_index"] == 0}
    assert (firsts["21 Nov 2023"], firsts["09 Jan 2024"]) == (34.0, 20.0)
    dips = [r for r in rows if r["exercise_title"] == "Triceps Dip (Weighted)"]
    assert {r["weight_kg"] for r in dips} <= {5.0, 7.5, 10.0, 12.5, 15.0} and dips
    assert titles["Pull Up"] > 0 and titles["Chest Dip"] > 0  # plain bodyweight moves remain
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
