"""Data-quality checks on the warehouse tables; each failing check carries a sample of its rows.

Most are one shape: a query in ``sql/checks/<name>.sql`` returns the offending rows, and the check
warns with their count and a sample. The file's header comments say which table it checks, the
name of the count and, optionally, a column to count the rows by."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)
from sqlalchemy import text

from fitness_platform.paths import CHECKS_SQL_DIR
from fitness_platform.resources.warehouse import WarehouseResource
from fitness_platform.sqlfiles import check_sql, fetch_mappings
from fitness_platform.warehouse.assets import WAREHOUSE_KEYS
from fitness_platform.warehouse.tables import WAREHOUSE_TABLES

REFERENTIAL_INTEGRITY = "referential_integrity"
NATURAL_KEYS_UNIQUE = "natural_keys_unique"
SAMPLE = 10
KCAL_TOLERANCE = 25
# Bound parameters of the row checks that take one.
CHECK_PARAMS = {"kcal_matches_macros": {"tolerance": KCAL_TOLERANCE}}
_HEADER = re.compile(r"^--\s*(?P<key>asset|metric|count_by):\s*(?P<value>\S+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class RowCheck:
    """A warning check whose query returns the rows that break it."""

    name: str
    path: Path
    table: str
    description: str
    metric: str
    count_by: str | None = None


def row_checks(directory: Path = CHECKS_SQL_DIR) -> list[RowCheck]:
    found = []
    for path in sorted(directory.glob("*.sql")):
        body = path.read_text(encoding="utf-8")
        headers = {m["key"]: m["value"] for m in _HEADER.finditer(body)}
        if "asset" not in headers:  # not a row check (referential_integrity)
            continue
        description = body.splitlines()[0].lstrip("- ").strip()
        found.append(
            RowCheck(
                path.stem,
                path,
                headers["asset"],
                description,
                headers["metric"],
                headers.get("count_by"),
            )
        )
    return found


def _sample(rows: list[dict]) -> MetadataValue:
    return MetadataValue.json([{k: str(v) for k, v in r.items()} for r in rows[:SAMPLE]])


def build_row_check(check: RowCheck) -> AssetChecksDefinition:
    @asset_check(
        asset=AssetKey(WAREHOUSE_KEYS[check.table]),
        name=check.name,
        description=f"{check.description} (sql/checks/{check.path.name})",
    )
    def _check(warehouse: WarehouseResource) -> AssetCheckResult:
        with warehouse.connect() as conn:
            rows = [dict(r) for r in fetch_mappings(conn, check.path, CHECK_PARAMS.get(check.name))]
        metadata = {check.metric: len(rows), "sample": _sample(rows)}
        if check.count_by:
            counts: dict[str, int] = {}
            for r in rows:
                counts[r[check.count_by]] = counts.get(r[check.count_by], 0) + 1
            metadata[f"by_{check.count_by}"] = MetadataValue.json(counts)
        return AssetCheckResult(
            passed=not rows, severity=AssetCheckSeverity.WARN, metadata=metadata
        )

    return _check


@asset_check(
    asset=AssetKey(WAREHOUSE_KEYS["sets"]),
    name=REFERENTIAL_INTEGRITY,
    blocking=True,
    description="Every set has a block, every block a workout and sets, every diet day "
    "a known cycle, every exercise a primary muscle group (sql/checks/referential_integrity.sql).",
)
def referential_integrity(warehouse: WarehouseResource) -> AssetCheckResult:
    with warehouse.connect() as conn:
        (found,) = fetch_mappings(conn, check_sql("referential_integrity.sql"))
    return AssetCheckResult(passed=not any(found.values()), metadata=dict(found))


@asset_check(
    asset=AssetKey(WAREHOUSE_KEYS["sets"]),
    name=NATURAL_KEYS_UNIQUE,
    blocking=True,
    description="No natural key appears twice in any warehouse table.",
)
def natural_keys_unique(warehouse: WarehouseResource) -> AssetCheckResult:
    # Table and key names come from the table registry, never from input.
    dupes = {}
    with warehouse.connect() as conn:
        for table in WAREHOUSE_TABLES:
            if table.natural_key:
                dupes[table.name] = conn.execute(
                    text(
                        f"SELECT count(*) FROM (SELECT {table.natural_key} FROM "
                        f"fitness.{table.name} GROUP BY {table.natural_key} HAVING count(*) > 1) d"
                    )
                ).scalar_one()
    return AssetCheckResult(passed=not any(dupes.values()), metadata=dupes)


ROW_CHECKS = row_checks()
WAREHOUSE_CHECKS = [
    referential_integrity,
    natural_keys_unique,
    *(build_row_check(c) for c in ROW_CHECKS),
]
