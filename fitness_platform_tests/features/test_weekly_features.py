"""The feature table of the sample: read back with pandas, one row per athlete-week, labels that
are the next week's values, the same bytes for the same warehouse."""

from __future__ import annotations

import json
import math
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa

from fitness_platform.features.assets import (
    COLUMNS,
    FEATURES_COLUMNS,
    FEATURES_PARQUET,
    SCHEMA,
    parquet_bytes,
    read_feature_table,
)
from fitness_platform.paths import FEATURES_SQL_DIR
from fitness_platform.resources.warehouse import WarehouseResource
from fitness_platform.sqlfiles import fetch_mappings
from fitness_platform_tests import reference as ref


def test_one_row_per_athlete_week_with_next_week_labels(sample_run):
    url, out = sample_run
    table = pd.read_parquet(Path(out) / FEATURES_PARQUET)
    assert list(table.columns) == list(COLUMNS)
    sets, diet = ref.sets_frame(), ref.diet_frame()
    weeks = ref.weekly_grid(sets, diet)
    assert list(table["week_start"]) == weeks and set(table["athlete_key"]) == {"demo"}
    training = ref.week_training(sets, weeks)
    assert list(table["sessions"]) == [training[w]["sessions"] for w in weeks]
    trend = ref.trend_by_day(ref.weigh_ins(diet), weeks[-1] + timedelta(days=6))
    for i, week in enumerate(weeks):
        row = table.iloc[i]
        now, nxt = trend.get(week + timedelta(days=6)), trend.get(week + timedelta(days=13))
        label = row["label_next_week_trend_change_kg"]
        if now is None or nxt is None or i == len(weeks) - 1:
            assert math.isnan(label), week
        else:
            assert abs(label - (nxt - now)) < 1e-9, week
    # The main-lift label: this week's main lifts, next week's best e1RM against the latest one.
    checked = 0
    for i, week in enumerate(weeks[:-1]):
        changes = []
        for title in ref.main_lifts(sets, weeks, week):
            series = ref.e1rm_weeks(sets, title)
            latest = ref.progress(series, week)
            if latest and week + timedelta(days=7) in series:
                changes.append(series[week + timedelta(days=7)] - latest["best_e1rm_kg"])
        label = table.iloc[i]["label_next_week_main_lift_e1rm_change_kg"]
        if changes:
            assert abs(label - sum(changes) / len(changes)) < 1e-6, week
            checked += 1
        else:
            assert math.isnan(label), week
    assert checked > 100
    dictionary = json.loads((Path(out) / FEATURES_COLUMNS).read_text())
    assert [c["column"] for c in dictionary] == list(COLUMNS)


def row_by_row(rows) -> pa.Table:
    """The feature table built a second way: each value of the query's rows through Python."""

    def value(v, kind):
        if v is None:
            return None
        if pa.types.is_floating(kind):
            return float(v)
        return int(v) if pa.types.is_integer(kind) else v

    columns = {name: [value(r[name], kind) for r in rows] for name, (kind, _) in COLUMNS.items()}
    return pa.table(columns, schema=SCHEMA)


def test_the_same_warehouse_gives_the_same_bytes(sample_run):
    url, out = sample_run
    with WarehouseResource(database_url=url).connect() as conn:
        rows = fetch_mappings(conn, FEATURES_SQL_DIR / "weekly_features.sql")
        table = read_feature_table(conn)
    assert table.equals(row_by_row(rows))
    first = parquet_bytes(table)
    assert first == parquet_bytes(row_by_row(rows))
    assert first == (Path(out) / FEATURES_PARQUET).read_bytes()


def _table(rows: list[tuple[str, int]]) -> pa.Table:
    """Feature rows with only the key columns and one value set, the rest null."""
    from datetime import date

    columns = {name: [None] * len(rows) for name in COLUMNS}
    columns["athlete_key"] = [a for a, _ in rows]
    columns["week_start"] = [date(2024, 1, 1) + timedelta(weeks=w) for _, w in rows]
    columns["sessions"] = [len(a) * 100 + w for a, w in rows]
    return pa.table(columns, schema=SCHEMA)


def test_splice_gives_what_a_sort_of_the_kept_and_fresh_rows_gives():
    """The incremental feature table's splice, against the filter and sort it replaces, written
    here independently: random stored tables, athletes kept, replaced, dropped and new (keys
    with non-ASCII letters, whose byte order differs from a case-folded one)."""
    import random

    import pyarrow.compute as pc

    from fitness_platform.features.assets import splice

    rng = random.Random(16)
    names = ["a", "b", "Z", "ä", "é", "athlete_2", "athlete_10", "ß", "日本", "zz"]
    for _ in range(300):
        stored_athletes = rng.sample(names, rng.randint(0, len(names)))
        stored = _table(
            sorted(
                ((a, w) for a in stored_athletes for w in rng.sample(range(9), rng.randint(1, 5))),
                key=lambda r: (r[0].encode(), r[1]),
            )
        )
        kept = {a for a in stored_athletes if rng.random() < 0.6}
        fresh_athletes = [a for a in names if a not in kept and rng.random() < 0.5]
        fresh = _table(
            sorted(
                ((a, w) for a in fresh_athletes for w in rng.sample(range(9), rng.randint(1, 5))),
                key=lambda r: (r[0].encode(), r[1]),
            )
        )
        mask = pc.is_in(stored["athlete_key"], value_set=pa.array(sorted(kept), pa.string()))
        expected = pa.concat_tables([stored.filter(mask), fresh]).sort_by(
            [("athlete_key", "ascending"), ("week_start", "ascending")]
        )
        got = splice(stored, fresh, kept)
        assert got.to_pylist() == expected.to_pylist()
        assert parquet_bytes(got) == parquet_bytes(expected)
