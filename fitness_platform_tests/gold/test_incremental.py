"""Incremental Gold against a full rebuild, row for row, after edits, deletions and new athletes.

The second computation is each definition itself, run whole over the warehouse as it stands
(what a full rebuild would store); the incremental build must hold exactly those rows."""

import csv
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from fitness_platform.features.assets import (
    FEATURES_PARQUET,
    FEATURES_STATE,
    parquet_bytes,
    read_feature_table,
)
from fitness_platform.gold.views import FULL_REFRESH_SHARE
from fitness_platform.sample.generator import write_sample
from fitness_platform.sqlfiles import discover_views
from fitness_platform_tests.helpers import (
    SAMPLE_EXPORT_NAME,
    edit_one_set,
    materialization_metadata,
    run_ingest,
)

TABLES = [v for v in discover_views() if v.kind == "table"]


def differences(conn) -> dict[str, int]:
    """Rows that differ between each Gold table and its definition run whole (both ways), and
    a row count kept that differs from the table's."""
    found = {}
    conn.exec_driver_sql("SET search_path = fitness, public")
    for view in TABLES:
        diff = conn.execute(
            text(
                f"SELECT count(*) FROM ((TABLE fitness.{view.name} EXCEPT ALL ({view.query})) "
                f"UNION ALL (({view.query}) EXCEPT ALL TABLE fitness.{view.name})) AS d"
            )
        ).scalar_one()
        rows = conn.execute(text(f"SELECT count(*) FROM fitness.{view.name}")).scalar_one()
        kept = conn.execute(
            text("SELECT row_count FROM fitness.gold_objects WHERE view_name = :n"),
            {"n": view.name},
        ).scalar_one()
        if diff or kept != rows:
            found[view.name] = diff or f"row_count {kept} != {rows}"
    return found


def gold_indexes(conn) -> dict[str, list[str]]:
    """Each Gold table's index definitions, from the catalog."""
    found = {}
    for view in TABLES:
        found[view.name] = sorted(
            conn.execute(
                text(
                    "SELECT indexdef FROM pg_indexes "
                    "WHERE schemaname = 'fitness' AND tablename = :t"
                ),
                {"t": view.name},
            ).scalars()
        )
    return found


def features_match_a_whole_read(conn, out, result, build: str, read: int) -> None:
    """The stored feature file has the bytes of the table read whole from the warehouse now, and
    the run built it the way named (``read``: athletes read from the warehouse)."""
    meta = materialization_metadata(result, ("features", "weekly_features"))
    assert (meta["build"], meta["athletes_read"]) == (build, read)
    assert (out / FEATURES_PARQUET).read_bytes() == parquet_bytes(read_feature_table(conn))


def gold_build(result) -> dict:
    return materialization_metadata(result, ("fitness", "gold_weekly_fitness_summary"))


def drop_one_workout(path) -> str:
    """Remove every row of the export's last workout; returns its start time."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    start = header.index("start_time")
    last = body[-1][start]
    kept = [r for r in body if r[start] != last]
    assert len(kept) < len(body)
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows([header, *kept])
    return last


@pytest.mark.usefixtures("platform_env")
def test_incremental_gold_matches_a_full_rebuild_row_for_row(raw_dir, warehouse, platform_env):
    out = Path(platform_env["FITNESS_OUTPUT_DIR"])
    for i in range(4):
        write_sample(raw_dir, athlete=f"gen_{i}", seed=500 + i, target_rows=None)
    result = run_ingest()
    assert result.success
    with warehouse.connect() as conn:
        assert differences(conn) == {}
        features_match_a_whole_read(conn, out, result, "full", 5)
        first_build_indexes = gold_indexes(conn)
    # Every table has its grain's unique index (and one on athlete_id where the grain does not
    # start with it), as the first build makes them.
    for view in TABLES:
        grain = f"({', '.join(view.grain)})"
        assert any("UNIQUE" in d and d.endswith(grain) for d in first_build_indexes[view.name])
    # 1 athlete of 5 behind: under the share at which every row is replaced.
    assert FULL_REFRESH_SHARE >= 1 / 5

    # An edited set in one athlete: only that athlete is rebuilt.
    edit_one_set(raw_dir)
    result = run_ingest()
    assert result.success
    assert gold_build(result)["build"] == "incremental"
    assert gold_build(result)["athletes_rebuilt"] == 1
    with warehouse.connect() as conn:
        assert differences(conn) == {}
        features_match_a_whole_read(conn, out, result, "incremental", 1)

    # A workout deleted from another athlete's export.
    drop_one_workout(raw_dir / "gen_1" / SAMPLE_EXPORT_NAME)
    result = run_ingest()
    assert result.success
    assert (gold_build(result)["build"], gold_build(result)["athletes_rebuilt"]) == (
        "incremental",
        1,
    )
    with warehouse.connect() as conn:
        assert differences(conn) == {}
        features_match_a_whole_read(conn, out, result, "incremental", 1)

    # A new athlete (a copy of an existing one under another name) and a diet log cut short.
    shutil.copytree(raw_dir / "gen_2", raw_dir / "newcomer")
    diet = raw_dir / "gen_3" / "diet_daily_raw_export.csv"
    lines = diet.read_text(encoding="utf-8").splitlines(keepends=True)
    diet.write_text("".join(lines[:-3]), encoding="utf-8")
    result = run_ingest()
    assert result.success
    # 2 of 6 behind is under the share: two athletes rebuilt one after the other.
    assert FULL_REFRESH_SHARE >= 2 / 6
    assert (gold_build(result)["build"], gold_build(result)["athletes_rebuilt"]) == (
        "incremental",
        2,
    )
    with warehouse.connect() as conn:
        assert differences(conn) == {}
        # The newcomer's rows spliced in among the others, in the order of a whole read.
        features_match_a_whole_read(conn, out, result, "incremental", 2)

    # 5 of 6 behind is over the share: every row is replaced, the other path of the build.
    for athlete in ["gen_0", "gen_1", "gen_2", "gen_3", "newcomer"]:
        drop_one_workout(raw_dir / athlete / SAMPLE_EXPORT_NAME)
    result = run_ingest()
    assert result.success
    assert FULL_REFRESH_SHARE < 5 / 6
    assert (gold_build(result)["build"], gold_build(result)["athletes_rebuilt"]) == ("full", 6)
    with warehouse.connect() as conn:
        assert differences(conn) == {}
        # Dropped for the insert and built again after it: the same indexes as a first build.
        assert gold_indexes(conn) == first_build_indexes
        features_match_a_whole_read(conn, out, result, "incremental", 5)
        copies = conn.execute(
            text(
                "SELECT count(DISTINCT (tonnage_kg, total_sets, week_start)) * 1.0 / count(*) "
                "FROM fitness.gold_weekly_fitness_summary WHERE athlete_key IN ('gen_2', 'newcomer')"
            )
        ).scalar_one()
    assert copies == 0.5  # the newcomer's weeks are gen_2's, row for row

    # Nothing changed: Gold is current and nothing is rebuilt.
    result = run_ingest()
    assert result.success
    built = [
        e.asset_key.path[-1]
        for e in result.get_asset_materialization_events()
        if e.asset_key.path[0] == "fitness" and e.asset_key.path[-1].startswith("gold_")
    ]
    assert built == []  # not even materialized: the load and Gold are skipped

    # A state that does not describe the stored file (here: damaged) reads the table whole.
    (out / FEATURES_STATE).write_text("{not json", encoding="utf-8")
    edit_one_set(raw_dir, new_weight="310")
    result = run_ingest()
    assert result.success
    with warehouse.connect() as conn:
        features_match_a_whole_read(conn, out, result, "full", 6)
