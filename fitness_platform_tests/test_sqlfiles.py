"""Running the files of ``sql/``: several queries in one round trip give what one at a time gives."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from fitness_platform.sqlfiles import fetch_batch, fetch_mappings


def _files(folder: Path, **queries: str) -> dict[str, Path]:
    paths = {}
    for name, sql in queries.items():
        paths[name] = folder / f"{name}.sql"
        paths[name].write_text(f"-- {name}: a query of this test\n{sql}\n", encoding="utf-8")
    return paths


def test_a_batch_gives_each_query_its_own_rows_in_order(database_url, tmp_path):
    files = _files(
        tmp_path,
        doubled="SELECT x, x * 2 AS doubled FROM unnest(CAST(:xs AS int[])) AS x ORDER BY x",
        pattern="SELECT :word || '%' AS pattern, 7 % 3 AS remainder",
        empty="SELECT 1 AS one WHERE false",
    )
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            batch = fetch_batch(
                conn,
                [
                    (files["doubled"], {"xs": [3, 1, 2]}),
                    (files["pattern"], {"word": "squat"}),
                    (files["empty"], {}),
                    (files["doubled"], {"xs": [5]}),
                ],
            )
            one_at_a_time = [
                dict(r) for r in fetch_mappings(conn, files["pattern"], {"word": "squat"})
            ]
    finally:
        engine.dispose()
    assert batch == [
        [{"x": 1, "doubled": 2}, {"x": 2, "doubled": 4}, {"x": 3, "doubled": 6}],
        [{"pattern": "squat%", "remainder": 1}],
        [],
        [{"x": 5, "doubled": 10}],
    ]
    assert batch[1] == one_at_a_time


def test_generic_plans_are_for_the_batch_only(database_url, tmp_path):
    files = _files(tmp_path, mode="SELECT current_setting('plan_cache_mode') AS mode")
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
            (inside,) = fetch_batch(conn, [(files["mode"], {})])
            after = conn.execute(text("SHOW plan_cache_mode")).scalar_one()
            conn.rollback()
            fresh = conn.execute(text("SHOW plan_cache_mode")).scalar_one()
    finally:
        engine.dispose()
    assert inside == [{"mode": "force_generic_plan"}]
    assert after == "force_custom_plan"  # what the transaction had set before the batch
    assert fresh == "auto"  # PostgreSQL's default: nothing outlives the transaction
