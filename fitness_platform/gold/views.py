"""Gold: the SQL views of ``sql/gold`` (discovered by ``sqlfiles.discover_views``), created in
dependency order and refreshed after loads."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import Connection, text

from fitness_platform.resources.warehouse import installed_views
from fitness_platform.sqlfiles import GoldView, run_file, state_sql

# Arbitrary constant: one Gold build at a time, whichever run or process starts it.
GOLD_LOCK_KEY = 0x66697432


def _create(conn: Connection, view: GoldView) -> None:
    if view.kind == "view":
        conn.exec_driver_sql(f"CREATE VIEW fitness.{view.name} AS\n{view.query}")
        return
    conn.exec_driver_sql(f"CREATE MATERIALIZED VIEW fitness.{view.name} AS\n{view.query}")
    if view.grain:
        conn.exec_driver_sql(
            f"CREATE UNIQUE INDEX {view.name}_grain ON fitness.{view.name} ({', '.join(view.grain)})"
        )


def _drop(conn: Connection, name: str, kind: str) -> None:
    keyword = "MATERIALIZED VIEW" if kind == "materialized" else "VIEW"
    conn.exec_driver_sql(f"DROP {keyword} IF EXISTS fitness.{name} CASCADE")


@dataclass
class ViewResult:
    name: str
    action: str  # created | refreshed | unchanged
    rows: int
    seconds: float


def build_views(conn: Connection, views: list[GoldView], *, refresh: bool) -> list[ViewResult]:
    """Create what is missing or changed, else refresh materialized views when ``refresh``.

    A changed definition drops and recreates every Gold view (dependents would block the drop).
    The caller holds ``GOLD_LOCK_KEY`` and one snapshot for the whole build
    (``WarehouseResource.exclusive_snapshot``): the loads recorded at the end as built into Gold
    are then exactly the loads the refresh saw."""
    conn.exec_driver_sql("SET LOCAL search_path = fitness, public")
    installed = installed_views(conn)
    wanted = {v.name: v.tag for v in views}
    rebuild = installed != wanted
    if rebuild:
        for name, tag in installed.items():
            _drop(conn, name, tag.rsplit(":", 1)[1])
        for view in views:
            _drop(conn, view.name, "materialized" if view.kind == "view" else "view")
        conn.exec_driver_sql("DELETE FROM fitness.gold_objects")
    results = []
    for view in views:
        started = time.perf_counter()
        if rebuild:
            _create(conn, view)
            action = "created"
        elif refresh and view.kind == "materialized":
            conn.exec_driver_sql(f"REFRESH MATERIALIZED VIEW fitness.{view.name}")
            action = "refreshed"
        else:
            action = "unchanged"
        seconds = time.perf_counter() - started
        rows = (
            conn.execute(text(f"SELECT count(*) FROM fitness.{view.name}")).scalar_one()
            if view.kind == "materialized"
            else -1
        )
        results.append(ViewResult(view.name, action, rows, seconds))
        if rebuild:
            run_file(
                conn,
                state_sql("record_gold_view.sql"),
                {"name": view.name, "sha256": view.sha256, "kind": view.kind},
            )
        elif action == "refreshed":
            run_file(conn, state_sql("touch_gold_view.sql"), {"name": view.name})
    if rebuild or refresh:
        run_file(conn, state_sql("record_gold_state.sql"))
    return results
