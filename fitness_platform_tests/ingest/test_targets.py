"""Targets: athlete.toml's [targets] and the per-cycle targets of cycles.csv."""

from __future__ import annotations

from datetime import datetime

import pytest

from fitness_platform.errors import ExportError
from fitness_platform.ingest.athlete import athlete_files, parse_athlete
from fitness_platform.ingest.profile import load_profile
from fitness_platform_tests.helpers import FIXTURES


def test_targets_are_read_and_checked(tmp_path):
    path = tmp_path / "athlete.toml"
    path.write_text("[targets]\nsessions_per_week = 4\nprotein_g = 160.5\n")
    profile = load_profile(path)
    assert (profile["target_sessions_per_week"], profile["target_protein_g"]) == (4.0, 160.5)
    assert profile["target_calories_kcal"] is None  # not set: null, never 0
    for text, column in (
        ("[targets]\ncalories_kcal = 90000\n", "targets.calories_kcal"),
        ('[targets]\nprotein_g = "lots"\n', "targets.protein_g"),
        ("[targets]\nsteps = 10000\n", "targets.steps"),
        ("targets = 5\n", "targets"),
    ):
        path.write_text(text)
        with pytest.raises(ExportError) as refused:
            load_profile(path)
        assert refused.value.column == column, text


def test_cycles_csv_gives_targets_to_the_diet_logs_cycles(tmp_path):
    folder = tmp_path / "ana"
    folder.mkdir()
    # The diet log names cycle 1; cycles.csv gives it its targets.
    (folder / "diet.csv").write_text(
        "data,carboidratos_g,proteinas_g,gorduras_g,kcal,cardio_semanal_min,cicle,peso_kg,observacoes\n"
        "2026-01-05,200,150,60,1940,120,1Cut (01/01/2026 - XX/XX/XXXX),80.2,\n"
    )
    (folder / "cycles.csv").write_text(
        "number,name,type,start,end,target_kcal,target_protein_g\n1,Cut,cutting,2026-01-01,,1900,170\n"
    )
    parsed = parse_athlete("ana", athlete_files(folder), now=datetime(2026, 2, 1))
    (cycle,) = parsed.cycles.to_dict("records")
    assert (cycle["cycle_name"], cycle["target_calories_kcal"], cycle["target_protein_g"]) == (
        "Cut",
        1900.0,
        170.0,
    )
    # A cycle the log does not name is refused, naming the file.
    (folder / "cycles.csv").write_text(
        "number,name,type,start,end,target_kcal\n1,Cut,cutting,2026-01-01,,1900\n"
        "2,Bulk,bulking,2026-03-01,,2900\n"
    )
    with pytest.raises(ExportError) as refused:
        parse_athlete("ana", athlete_files(folder), now=datetime(2026, 2, 1))
    assert refused.value.path.endswith("cycles.csv") and "cycle 2 is not one" in str(refused.value)


def test_a_bad_cycle_target_names_line_and_column(tmp_path):
    folder = tmp_path / "ana"
    folder.mkdir()
    (folder / "cycles.csv").write_text(
        (FIXTURES / "cycles.csv").read_text().splitlines()[0] + ",target_kcal\n"
        "1,Cut Winter,cutting,2025-11-01,2026-01-06,2000\n2,Lean bulk,bulking,2026-01-07,,3k\n"
    )
    with pytest.raises(ExportError) as refused:
        parse_athlete("ana", athlete_files(folder), now=datetime(2026, 2, 1))
    assert (refused.value.line, refused.value.column) == (3, "target_kcal")
