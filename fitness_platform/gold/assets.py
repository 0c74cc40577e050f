"""Gold layer: the weekly views of ``sql/gold``, one asset per view, built in dependency order."""

import re

from dagster import AssetExecutionContext, AssetSpec, MaterializeResult, multi_asset

from fitness_platform.gold.views import GOLD_LOCK_KEY, build_views
from fitness_platform.ownership import OWNERS
from fitness_platform.resources.warehouse import WarehouseResource, gold_pending_reason
from fitness_platform.sqlfiles import GoldView, discover_views
from fitness_platform.warehouse.tables import TABLES

GOLD_VIEWS = discover_views()


def gold_key(name: str) -> list[str]:
    return ["fitness", name]


def _upstream(view: GoldView) -> list[list[str]]:
    tables = set(re.findall(r"\bfitness\.(\w+)", view.query)) & set(TABLES)
    return [gold_key(d) for d in view.depends_on] + [["fitness", t] for t in sorted(tables)]


@multi_asset(
    specs=[
        AssetSpec(
            gold_key(v.name),
            group_name="gold",
            owners=OWNERS,
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
    """Create missing or changed views; else rebuild the rows of the athletes whose last load is
    not yet in Gold (whichever run loaded it), and only theirs. A current Gold costs nothing."""
    with warehouse.exclusive_snapshot(GOLD_LOCK_KEY) as conn:
        reason = gold_pending_reason(conn, GOLD_VIEWS)
        build = build_views(conn, GOLD_VIEWS, refresh=reason is not None)
    if reason:
        context.log.info(
            f"gold: building because {reason} ({build.mode}, {build.athletes} athletes)"
        )
    for r in build.results:
        metadata = {
            "action": r.action,
            "seconds": round(r.seconds, 3),
            "reason": reason or "current",
            "build": build.mode,
            "athletes_rebuilt": r.athletes,
        }
        if r.rows >= 0:
            metadata["dagster/row_count"] = r.rows
        yield MaterializeResult(asset_key=gold_key(r.name), metadata=metadata)
    context.log.info("gold: " + ", ".join(f"{r.name} {r.action}" for r in build.results))
