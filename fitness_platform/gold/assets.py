"""Gold layer: the weekly views of ``sql/gold``, one asset per view, built in dependency order."""

import re

from dagster import AssetExecutionContext, AssetSpec, MaterializeResult, multi_asset
from sqlalchemy import text

from fitness_platform.gold.views import GoldView, build_views, discover_views
from fitness_platform.resources.warehouse import WarehouseResource
from fitness_platform.warehouse.load import TABLES

GOLD_VIEWS = discover_views()


def gold_key(name: str) -> list[str]:
    return ["fitness", name]


def _upstream(view: GoldView) -> list[list[str]]:
    tables = set(re.findall(r"\bfitness\.(\w+)", view.query)) & set(TABLES)
    return [gold_key(d) for d in view.depends_on] + [["fitness", t] for t in sorted(tables)]


def _needs_refresh(conn) -> bool:
    """True when some athlete was loaded after the last refresh (or Gold was never built)."""
    return bool(
        conn.execute(
            text("""
        SELECT coalesce((SELECT max(loaded_at) FROM fitness.athlete_loads), '-infinity')
             > coalesce((SELECT min(refreshed_at) FROM fitness.gold_objects WHERE kind = 'materialized'),
                        '-infinity')
    """)
        ).scalar_one()
    )


@multi_asset(
    specs=[
        AssetSpec(
            gold_key(v.name),
            group_name="gold",
            kinds={"postgres", "sql"},
            description=v.description,
            deps=_upstream(v),
            metadata={
                "sql_file": f"sql/gold/{v.path.name}",
                "grain": ", ".join(v.grain),
                "view_kind": v.kind,
            },
        )
        for v in GOLD_VIEWS
    ],
)
def gold_views(context: AssetExecutionContext, warehouse: WarehouseResource):
    """Create missing or changed views, and refresh the materialized ones after a load changed the
    warehouse; an unchanged warehouse costs nothing here."""
    with warehouse.begin() as conn:
        refresh = _needs_refresh(conn)
        results = build_views(conn, GOLD_VIEWS, refresh=refresh)
    for r in results:
        metadata = {"action": r.action, "seconds": round(r.seconds, 3)}
        if r.rows >= 0:
            metadata["dagster/row_count"] = r.rows
        yield MaterializeResult(asset_key=gold_key(r.name), metadata=metadata)
    context.log.info("gold: " + ", ".join(f"{r.name} {r.action}" for r in results))
