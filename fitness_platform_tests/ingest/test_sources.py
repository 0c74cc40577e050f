"""The source registry is the one place a kind is declared: discovery, parsing and validate all
read it, and validate says of every fixture what a load does with it."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from fitness_platform.errors import ExportError
from fitness_platform.ingest import sources
from fitness_platform.ingest.athlete import discover, parse_athlete
from fitness_platform.ingest.catalog import load_catalog
from fitness_platform.ingest.corrections import load_corrections
from fitness_platform.ingest.csvfile import CsvTable
from fitness_platform.ingest.hevy import parse_hevy
from fitness_platform.ingest.sources import SourceKind, SourceResult
from fitness_platform.paths import CATALOG_PATH
from fitness_platform.validate import validate_file, validate_files
from fitness_platform_tests.helpers import FIXTURES

NO_CORRECTIONS = load_corrections(Path("/nonexistent"))
CATALOG = load_catalog(CATALOG_PATH)
TOY_HEADER = ["toy_when", "toy_lift", "toy_kg", "toy_reps"]
HEVY_HEADER = [
    "title",
    "start_time",
    "end_time",
    "exercise_title",
    "set_index",
    "set_type",
    "weight_kg",
    "reps",
]


def parse_toy(source) -> SourceResult:
    """A toy tracker: one row per set, 'when,lift,kg,reps', read as the Hevy layout."""
    table = source.table
    rows = [
        ["Toy", when, when, lift, str(i), "normal", kg, reps]
        for i, (when, lift, kg, reps) in enumerate(table.rows)
    ]
    hevy = CsvTable(table.path, HEVY_HEADER, rows, table.lines, table.delimiter)
    parsed = parse_hevy(hevy, athlete_key=source.athlete_key, now=source.now, source="toy")
    return SourceResult(sets=parsed.sets, rejects=parsed.rejects, facts=parsed.units)


TOY = SourceKind(
    "toy",
    "Toy tracker log",
    "workouts",
    parse_toy,
    recognise=lambda header, rows: header == TOY_HEADER,
    describe=lambda result: " (a test kind)",
)


def test_a_kind_added_to_the_registry_reaches_discovery_parsing_and_validate(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "REGISTRY", [TOY, *sources.REGISTRY])
    folder = tmp_path / "raw" / "ana"
    folder.mkdir(parents=True)
    path = folder / "toy.csv"
    path.write_text(
        "toy_when,toy_lift,toy_kg,toy_reps\n"
        "2026-01-13T18:43:00,Bench Press (Barbell),80,8\n"
        "2026-01-13T18:43:00,Bench Press (Barbell),85,6\n"
    )
    (file,) = discover(tmp_path / "raw")
    assert (file.kind, file.role, file.rows) == ("toy", "workouts", 2)
    silver = parse_athlete("ana", [file], corrections=NO_CORRECTIONS)
    assert set(silver.sets["source"]) == {"toy"}
    assert silver.sets["weight_kg"].tolist() == [80.0, 85.0]
    out = io.StringIO()
    assert validate_files([path], out=out) == 0
    assert "kind: Toy tracker log (a test kind)" in out.getvalue()
    assert "workouts: 1, sets: 2" in out.getvalue()


def test_without_the_toy_kind_its_file_is_refused_by_name(tmp_path):
    folder = tmp_path / "raw" / "ana"
    folder.mkdir(parents=True)
    (folder / "toy.csv").write_text("toy_when,toy_lift,toy_kg,toy_reps\n2026-01-13,Row,1,1\n")
    (file,) = discover(tmp_path / "raw")
    assert file.kind == "unknown"
    with pytest.raises(ExportError, match="not a recognised export"):
        parse_athlete("ana", [file], corrections=NO_CORRECTIONS)


FIXTURE_FILES = sorted(
    p.name for p in FIXTURES.iterdir() if p.suffix in {".csv", ".toml"} and p.is_file()
)


@pytest.mark.parametrize("name", FIXTURE_FILES)
def test_validate_and_the_load_agree_on_every_fixture(tmp_path, name):
    folder = tmp_path / "raw" / "ana"
    folder.mkdir(parents=True)
    target = folder / ("athlete.toml" if name.endswith(".toml") else name)
    shutil.copy(FIXTURES / name, target)
    try:
        silver = parse_athlete("ana", discover(tmp_path / "raw"), corrections=NO_CORRECTIONS)
        loaded, load_rejects = True, silver.rejects
    except ExportError:
        loaded, load_rejects = False, None
    accepted, validate_rejects = validate_file(target, CATALOG, io.StringIO(), NO_CORRECTIONS)
    assert accepted == loaded
    if loaded:
        assert sorted(map(tuple, load_rejects[["source_line", "rule"]].values.tolist())) == sorted(
            map(tuple, validate_rejects[["source_line", "rule"]].values.tolist())
            if not validate_rejects.empty
            else []
        )
