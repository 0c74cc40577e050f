"""Data-quality checks on the warehouse tables; each failing check carries a sample of its rows.

Most are one shape: a query in ``sql/checks/<name>.sql`` returns the offending rows, and the check
warns with their count and a sample. The file's header comments say which table it checks, the
name of the count, optionally a column to count the rows by, and ``scope: athlete`` when every
row belongs to one athlete (the query then returns ``athlete_id``).

A check's cost follows the change, not the installation. What an athlete-scoped query finds is
kept per athlete with the load it was found in (``fitness.check_athlete_state``); a check looks
again only at the athletes loaded since, or at all of them when its query changed, and reports
over everyone's kept findings. Loads are the only writers of athletes' rows, and each commits a
new load id, so the kept findings are those of the rows as they are. What a constraint of the
database guarantees (unique natural keys, rows pointing at rows that exist) is read from the
catalog, and scanned for only when the constraint is missing."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
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
from sqlalchemy.engine import Connection

from fitness_platform.paths import CHECKS_SQL_DIR
from fitness_platform.resources.warehouse import WarehouseResource
from fitness_platform.sqlfiles import check_sql, fetch_all, fetch_mappings, run_file, state_sql
from fitness_platform.warehouse.assets import WAREHOUSE_KEYS
from fitness_platform.warehouse.tables import WAREHOUSE_TABLES

REFERENTIAL_INTEGRITY = "referential_integrity"
NATURAL_KEYS_UNIQUE = "natural_keys_unique"
REFERENTIAL_SQL_DIR = CHECKS_SQL_DIR / "referential_integrity"
SAMPLE = 10
KCAL_TOLERANCE = 25
# Bound parameters of the row checks that take one.
CHECK_PARAMS = {"kcal_matches_macros": {"tolerance": KCAL_TOLERANCE}}
# Beyond this share of the athletes to look at again, a check runs its query once over everyone
# instead of once per athlete (a first load, a changed query).
FULL_SCAN_SHARE = 0.5
_HEADER = re.compile(
    r"^--\s*(?P<key>asset|metric|count_by|scope|foreign_key):\s*(?P<value>.+?)\s*$", re.MULTILINE
)
_FOREIGN_KEY = re.compile(r"^(\w+)\s*\(([\w, ]+)\)\s*->\s*(\w+)\s*\(([\w, ]+)\)$")


def _headers(body: str) -> dict[str, str]:
    return {m["key"]: m["value"] for m in _HEADER.finditer(body)}


@dataclass(frozen=True)
class RowCheck:
    """A query whose rows are the ones that break a rule."""

    name: str
    path: Path
    table: str | None
    description: str
    metric: str
    count_by: str | None = None
    per_athlete: bool = False
    params: dict = field(default_factory=dict, compare=False)

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def definition(self) -> str:
        """What the kept findings were found by: the query and its parameters."""
        body = self.sql + json.dumps(self.params, sort_keys=True, default=str)
        return hashlib.sha256(body.encode()).hexdigest()


def row_checks(directory: Path = CHECKS_SQL_DIR) -> list[RowCheck]:
    found = []
    for path in sorted(directory.glob("*.sql")):
        body = path.read_text(encoding="utf-8")
        headers = _headers(body)
        if "asset" not in headers:  # a catalog query of the constraint checks
            continue
        found.append(
            RowCheck(
                path.stem,
                path,
                headers["asset"],
                body.splitlines()[0].lstrip("- ").strip(),
                headers["metric"],
                headers.get("count_by"),
                headers.get("scope") == "athlete",
                CHECK_PARAMS.get(path.stem, {}),
            )
        )
    return found


def _strings(row: dict) -> dict:
    return {k: str(v) for k, v in row.items() if k != "athlete_id"}


@dataclass
class Findings:
    """What a row check found: how many rows, the first ones, the count by ``count_by``."""

    found: int = 0
    sample: list[dict] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    athletes_checked: int | None = None
    """Athletes whose rows were looked at in this evaluation (None: not kept per athlete)."""

    def add(self, rows: list[dict], count_by: str | None) -> None:
        self.found += len(rows)
        self.sample.extend(_strings(r) for r in rows[: max(SAMPLE - len(self.sample), 0)])
        if count_by:
            for r in rows:
                self.counts[str(r[count_by])] = self.counts.get(str(r[count_by]), 0) + 1


def _scoped(check: RowCheck):
    """The check's rows of one athlete: an equality, which PostgreSQL carries through the query's
    joins and groupings to each table's athlete index (``gold/views.py`` says why not a list)."""
    return text(
        f"SELECT * FROM (\n{check.sql.rstrip().rstrip(';')}\n) AS check_scope "
        "WHERE check_scope.athlete_id = :check_athlete"
    )


def evaluate(conn: Connection, check: RowCheck) -> Findings:
    """Run ``check``: over every row, or, for an athlete-scoped check, over the rows of the
    athletes loaded since it last looked, keeping what it finds per athlete (in the caller's
    transaction) and reporting over everyone's kept findings."""
    if not check.per_athlete:
        findings = Findings()
        findings.add(
            [dict(r) for r in fetch_mappings(conn, check.path, check.params)], check.count_by
        )
        return findings
    definition = check.definition
    keys = {"check": check.name, "definition": definition}
    stale = fetch_all(conn, state_sql("check_stale.sql"), keys)
    run_file(conn, state_sql("check_forget.sql"), {"check": check.name})
    loaded = conn.execute(text("SELECT count(*) FROM fitness.athlete_loads")).scalar_one()
    by_athlete: dict[int, list[dict]] = {athlete: [] for athlete, _ in stale}
    if len(stale) > FULL_SCAN_SHARE * max(loaded, 1):
        for row in fetch_mappings(conn, check.path, check.params):
            if row["athlete_id"] in by_athlete:
                by_athlete[row["athlete_id"]].append(dict(row))
    else:
        scoped = _scoped(check)
        for athlete in by_athlete:
            result = conn.execute(scoped, {**check.params, "check_athlete": athlete})
            by_athlete[athlete] = [dict(r) for r in result.mappings()]
    for athlete, load_id in stale:
        mine = Findings()
        mine.add(by_athlete[athlete], check.count_by)
        run_file(
            conn,
            state_sql("check_record.sql"),
            {
                **keys,
                "athlete_id": athlete,
                "load_id": load_id,
                "found": mine.found,
                "sample": json.dumps(mine.sample),
                "counts": json.dumps(mine.counts),
            },
        )
    findings = Findings(athletes_checked=len(stale))
    for found, sample, counts in fetch_all(conn, state_sql("check_findings.sql"), keys):
        findings.found += found
        findings.sample.extend(sample[: max(SAMPLE - len(findings.sample), 0)])
        for value, n in counts.items():
            findings.counts[value] = findings.counts.get(value, 0) + n
    return findings


def build_row_check(check: RowCheck) -> AssetChecksDefinition:
    @asset_check(
        asset=AssetKey(WAREHOUSE_KEYS[check.table]),
        name=check.name,
        description=f"{check.description} (sql/checks/{check.path.name})",
    )
    def _check(warehouse: WarehouseResource) -> AssetCheckResult:
        with warehouse.begin() as conn:
            findings = evaluate(conn, check)
        metadata = {check.metric: findings.found, "sample": MetadataValue.json(findings.sample)}
        if check.count_by:
            metadata[f"by_{check.count_by}"] = MetadataValue.json(findings.counts)
        if findings.athletes_checked is not None:
            metadata["athletes_looked_at"] = findings.athletes_checked
        return AssetCheckResult(
            passed=not findings.found, severity=AssetCheckSeverity.WARN, metadata=metadata
        )

    return _check


@dataclass(frozen=True)
class ForeignKey:
    child: str
    child_columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]


def _foreign_key(spec: str) -> ForeignKey:
    match = _FOREIGN_KEY.match(spec)
    if not match:
        raise ValueError(f"foreign_key header {spec!r} is not 'table (columns) -> table (columns)'")
    child, child_cols, parent, parent_cols = match.groups()
    columns = [tuple(c.strip() for c in cols.split(",")) for cols in (child_cols, parent_cols)]
    return ForeignKey(child, columns[0], parent, columns[1])


@dataclass(frozen=True)
class IntegrityPart:
    """One count of ``referential_integrity``: a query of ``sql/checks/referential_integrity/``,
    with the foreign key that makes its count zero, or kept per athlete."""

    name: str
    path: Path
    foreign_key: ForeignKey | None
    rows: RowCheck | None


def integrity_parts(directory: Path = REFERENTIAL_SQL_DIR) -> list[IntegrityPart]:
    parts = []
    for path in sorted(directory.glob("*.sql")):
        body = path.read_text(encoding="utf-8")
        headers = _headers(body)
        fk = _foreign_key(headers["foreign_key"]) if "foreign_key" in headers else None
        rows = None
        if headers.get("scope") == "athlete":
            description = body.splitlines()[0].lstrip("- ").strip()
            name = f"{REFERENTIAL_INTEGRITY}.{path.stem}"
            rows = RowCheck(name, path, None, description, "rows", per_athlete=True)
        parts.append(IntegrityPart(path.stem, path, fk, rows))
    return parts


def enforced_foreign_keys(conn: Connection) -> dict[ForeignKey, str]:
    """The validated foreign keys of schema fitness, each with its constraint's name."""
    return {
        ForeignKey(child, tuple(cc), parent, tuple(pc)): name
        for child, cc, parent, pc, name in fetch_all(conn, check_sql("foreign_keys.sql"))
    }


INTEGRITY_PARTS = integrity_parts()


@asset_check(
    asset=AssetKey(WAREHOUSE_KEYS["sets"]),
    name=REFERENTIAL_INTEGRITY,
    blocking=True,
    description="Every set has a block, every block a workout and sets, every diet day a known "
    "cycle, every exercise a primary muscle group (sql/checks/referential_integrity/). What a "
    "validated foreign key guarantees is read from the catalog (and scanned for without one).",
)
def referential_integrity(warehouse: WarehouseResource) -> AssetCheckResult:
    counts: dict[str, int] = {}
    enforced_by: dict[str, str] = {}
    with warehouse.begin() as conn:
        constraints = enforced_foreign_keys(conn)
        for part in INTEGRITY_PARTS:
            if part.foreign_key and part.foreign_key in constraints:
                counts[part.name] = 0
                enforced_by[part.name] = constraints[part.foreign_key]
            elif part.rows:
                counts[part.name] = evaluate(conn, part.rows).found
            else:
                (counts[part.name],) = fetch_all(conn, part.path)[0]
    return AssetCheckResult(
        passed=not any(counts.values()),
        metadata={**counts, "enforced_by_constraint": MetadataValue.json(enforced_by)},
    )


def unique_column_sets(conn: Connection) -> dict[str, list[tuple[str, set[str]]]]:
    """By table, its unique indexes whose columns can hold no NULL: (index name, columns)."""
    found: dict[str, list[tuple[str, set[str]]]] = {}
    for table, index, columns, no_nulls in fetch_all(conn, check_sql("unique_indexes.sql")):
        if no_nulls:
            found.setdefault(table, []).append((index, set(columns)))
    return found


@asset_check(
    asset=AssetKey(WAREHOUSE_KEYS["sets"]),
    name=NATURAL_KEYS_UNIQUE,
    blocking=True,
    description="No natural key appears twice in any warehouse table: a unique index on the "
    "key's columns (or on some of them, none nullable) is read from the catalog; a table without "
    "one is scanned.",
)
def natural_keys_unique(warehouse: WarehouseResource) -> AssetCheckResult:
    # Table and key names come from the table registry, never from input.
    dupes: dict[str, int] = {}
    enforced_by: dict[str, str] = {}
    with warehouse.connect() as conn:
        unique = unique_column_sets(conn)
        for table in WAREHOUSE_TABLES:
            if not table.natural_key:
                continue
            key = {c.strip() for c in table.natural_key.split(",")}
            index = next((i for i, cols in unique.get(table.name, []) if cols <= key), None)
            if index:
                dupes[table.name] = 0
                enforced_by[table.name] = index
                continue
            dupes[table.name] = conn.execute(
                text(
                    f"SELECT count(*) FROM (SELECT {table.natural_key} FROM "
                    f"fitness.{table.name} GROUP BY {table.natural_key} HAVING count(*) > 1) d"
                )
            ).scalar_one()
    return AssetCheckResult(
        passed=not any(dupes.values()),
        metadata={**dupes, "enforced_by_index": MetadataValue.json(enforced_by)},
    )


ROW_CHECKS = row_checks()
WAREHOUSE_CHECKS = [
    referential_integrity,
    natural_keys_unique,
    *(build_row_check(c) for c in ROW_CHECKS),
]
