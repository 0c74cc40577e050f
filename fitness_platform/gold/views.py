"""Gold: the SQL of ``sql/gold`` (discovered by ``sqlfiles.discover_views``), kept as tables per
athlete and rebuilt, after loads, only for the athletes those loads changed.

Every definition is one query over the warehouse and earlier Gold objects, partitioned by athlete
(every window, grouping and join of a Gold query keeps to one athlete). So an athlete's rows of
a Gold table are the rows the query gives when filtered to that athlete, and rebuilding one
athlete is: delete their rows, insert the filtered query's rows, table by table in dependency
order, all in one transaction. Each athlete is inserted on their own, filtered by equality:
PostgreSQL carries the athlete's id through the query's joins, windows, groupings and inlined
CTEs to every table's index, so the cost follows the athlete's data, not everyone's. (A CTE read
twice is materialized unless marked ``NOT MATERIALIZED``, and a full outer join's coalesced key
stops the filter: the Gold SQL avoids both.)
A changed definition drops and recreates everything; most athletes behind at once (a first build,
a catalog change) replaces every row in one statement per table, which is cheaper then."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import Connection, text

from fitness_platform.resources.warehouse import installed_views
from fitness_platform.sqlfiles import GoldView, fetch_all, run_file, state_sql

# Arbitrary constant: one Gold build at a time, whichever run or process starts it.
GOLD_LOCK_KEY = 0x66697432
# Beyond this share of the athletes behind, every row is replaced (TRUNCATE and one INSERT per
# table) rather than athlete by athlete. Measured at 100 athletes (bench data, 2 cores): one
# athlete's rebuild 0.29-0.42 s, a full refresh 32.6 s; the two cross at 80-110 athletes behind.
FULL_REFRESH_SHARE = 0.75
_RELKIND = {"r": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW"}


def _create(conn: Connection, view: GoldView) -> int | None:
    if view.kind == "view":
        conn.exec_driver_sql(f"CREATE VIEW fitness.{view.name} AS\n{view.query}")
        return None
    conn.exec_driver_sql(f"CREATE TABLE fitness.{view.name} AS\n{view.query}")
    if view.grain:
        conn.exec_driver_sql(
            f"CREATE UNIQUE INDEX {view.name}_grain ON fitness.{view.name} ({', '.join(view.grain)})"
        )
    if view.grain[:1] != ("athlete_id",):
        conn.exec_driver_sql(
            f"CREATE INDEX {view.name}_athlete ON fitness.{view.name} (athlete_id)"
        )
    conn.exec_driver_sql(f"ANALYZE fitness.{view.name}")
    return conn.execute(text(f"SELECT count(*) FROM fitness.{view.name}")).scalar_one()


def _insert(view: GoldView):
    """One athlete's rows of ``view``. An equality with one value, not ``= ANY(:athletes)``:
    PostgreSQL carries ``athlete_id = <value>`` to every side of the query's joins on
    athlete_id (and into its windows and groupings), so every base table is read by its index
    for that athlete; a list filters only the query's output, and the tables under its joins were
    read whole (at 100 athletes: 0.36 s for one athlete's 21 tables against 2.7 s)."""
    return text(
        f"INSERT INTO fitness.{view.name}\nSELECT * FROM (\n{view.query}\n) AS gold_scope "
        "WHERE gold_scope.athlete_id = :athlete"
    )


def _replace_all(conn: Connection, view: GoldView) -> int:
    """Every row of ``view`` again. The table's indexes are dropped before the insert and built
    again after it, as a first build does (``_create``): one sort per index instead of an index
    entry per inserted row. The unique index on the grain is checked when it is built, as it was
    on every insert; the transaction holds the table's exclusive lock from the TRUNCATE."""
    conn.exec_driver_sql(f"TRUNCATE fitness.{view.name}")
    indexes = fetch_all(conn, state_sql("gold_indexes.sql"), {"table": view.name})
    for name, _ in indexes:
        conn.exec_driver_sql(f'DROP INDEX fitness."{name}"')
    inserted = conn.exec_driver_sql(f"INSERT INTO fitness.{view.name}\n{view.query}").rowcount
    for _, definition in indexes:
        conn.exec_driver_sql(definition)
    conn.exec_driver_sql(f"ANALYZE fitness.{view.name}")
    return inserted


def _drop_everything(conn: Connection, views: list[GoldView]) -> None:
    """Drop every installed Gold object and every relation named like a wanted one, whatever it
    is now (a materialized view of an older release, a table, a view)."""
    names = set(installed_views(conn)) | {v.name for v in views}
    present = dict(fetch_all(conn, state_sql("gold_relation_kinds.sql")))
    for name in sorted(names):
        if name in present:
            conn.exec_driver_sql(f"DROP {_RELKIND[present[name]]} IF EXISTS fitness.{name} CASCADE")
            # CASCADE may have taken dependents with it: look again before the next drop.
            present = dict(fetch_all(conn, state_sql("gold_relation_kinds.sql")))
    conn.exec_driver_sql("DELETE FROM fitness.gold_objects")


@dataclass
class ViewResult:
    name: str
    action: str  # created | refreshed (every row) | updated (some athletes) | unchanged
    rows: int
    seconds: float
    athletes: int = 0
    """Athletes whose rows this build replaced (every athlete for created and refreshed)."""


@dataclass
class GoldBuild:
    results: list[ViewResult]
    mode: str  # created | full | incremental | current
    athletes: int
    """Athletes rebuilt (for created and full: every athlete with a load)."""


def build_views(conn: Connection, views: list[GoldView], *, refresh: bool) -> GoldBuild:
    """Create what is missing or changed; else, when ``refresh``, rebuild the athletes whose last
    load Gold has not seen (or every row, when most athletes are behind).

    The caller holds ``GOLD_LOCK_KEY`` and one snapshot for the whole build
    (``WarehouseResource.exclusive_snapshot``): the loads recorded at the end as built into Gold
    are then exactly the loads the build saw."""
    conn.exec_driver_sql("SET LOCAL search_path = fitness, public")
    installed = installed_views(conn)
    rebuild = installed != {v.name: v.tag for v in views}
    behind = [r[0] for r in fetch_all(conn, state_sql("gold_behind.sql"))] if refresh else []
    athletes_loaded = conn.execute(text("SELECT count(*) FROM fitness.athlete_loads")).scalar_one()
    if rebuild:
        mode = "created"
        _drop_everything(conn, views)
    elif not behind:
        mode = "current"
    elif len(behind) > FULL_REFRESH_SHARE * max(athletes_loaded, 1):
        mode = "full"
    else:
        mode = "incremental"
    counts = dict(fetch_all(conn, state_sql("gold_row_counts.sql")))
    results = []
    for view in views:
        started = time.perf_counter()
        rows = counts.get(view.name)
        if mode == "created":
            rows, action = _create(conn, view), "created"
            run_file(
                conn,
                state_sql("record_gold_view.sql"),
                {"name": view.name, "sha256": view.sha256, "kind": view.kind, "row_count": rows},
            )
        elif view.kind == "view" or mode == "current":
            action = "unchanged"
        elif mode == "full":
            rows, action = _replace_all(conn, view), "refreshed"
        else:
            deleted = conn.execute(
                text(f"DELETE FROM fitness.{view.name} WHERE athlete_id = ANY(:athletes)"),
                {"athletes": behind},
            ).rowcount
            insert = _insert(view)
            inserted = sum(conn.execute(insert, {"athlete": a}).rowcount for a in behind)
            if rows is None:  # a count not kept yet: count once
                rows = conn.execute(text(f"SELECT count(*) FROM fitness.{view.name}")).scalar_one()
            else:
                rows = rows - deleted + inserted
            action = "updated"
        if action in {"refreshed", "updated"}:
            run_file(conn, state_sql("gold_row_count.sql"), {"name": view.name, "row_count": rows})
        rebuilt = athletes_loaded if mode in {"created", "full"} else len(behind)
        results.append(
            ViewResult(
                view.name,
                action,
                -1 if rows is None else int(rows),
                time.perf_counter() - started,
                rebuilt if action != "unchanged" else 0,
            )
        )
    if mode in {"created", "full"}:
        run_file(conn, state_sql("record_gold_state.sql"))
    elif mode == "incremental":
        run_file(conn, state_sql("record_gold_athletes.sql"), {"athletes": behind})
    return GoldBuild(results, mode, athletes_loaded if mode in {"created", "full"} else len(behind))
