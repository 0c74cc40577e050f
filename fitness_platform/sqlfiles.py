"""The SQL kept in ``sql/``: one purpose per file, values always bound parameters.

Besides running files, this module reads the Gold definitions (``sql/gold``), because more than
one layer must know them: the Gold layer builds them, and the warehouse resource decides from them
(and from the warehouse's own state) whether Gold is current."""

from __future__ import annotations

import functools
import hashlib
import io
import re
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

from psycopg.rows import dict_row
from sqlalchemy import Connection, TextClause, text

from fitness_platform.paths import (
    CHECKS_SQL_DIR,
    GOLD_SQL_DIR,
    LOAD_SQL_DIR,
    PAYLOAD_SQL_DIR,
    STATE_SQL_DIR,
)

_STATEMENT_END = re.compile(r";[ \t]*(?:\n|$)")
_HEADER = re.compile(r"^--\s*(?P<key>grain|kind):\s*(?P<value>.+?)\s*$", re.MULTILINE)


@functools.cache
def statements(path: Path) -> tuple[str, ...]:
    """The statements of a SQL file, split at semicolons that end a line."""
    body = "\n".join(
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("--")
    )
    return tuple(s.strip() for s in _STATEMENT_END.split(body) if s.strip())


def run_file(conn: Connection, path: Path, params: dict | None = None) -> dict | None:
    """Execute every statement of ``path``; return the first rows of all statements that return
    rows, merged into one dict (later statements win on a shared column name)."""
    merged: dict | None = None
    for statement in statements(path):
        cursor = conn.execute(text(statement), params or {})
        if cursor.returns_rows:
            row = cursor.mappings().first()
            merged = {**(merged or {}), **(dict(row) if row else {})}
    return merged


@functools.cache
def query(path: Path) -> TextClause:
    """The one statement of a file, ready to execute with bound parameters."""
    (statement,) = statements(path)
    return text(statement)


def fetch_all(conn: Connection, path: Path, params: dict | None = None) -> list:
    """The rows of a file that holds exactly one query."""
    return conn.execute(query(path), params or {}).all()


def fetch_mappings(conn: Connection, path: Path, params: dict | None = None) -> list:
    """The rows of a file that holds exactly one query, as mappings (column name → value)."""
    return conn.execute(query(path), params or {}).mappings().all()


def fetch_batch(conn: Connection, queries: list[tuple[Path, dict]]) -> list[list[dict]]:
    """The rows of several one-query files, as dicts, fetched in one round trip to the server.

    For the small, indexed, repeated reads of one athlete (a payload is seven of them), where
    the time is not the queries' own but the turn-taking and the planning:

    - the queries are sent together in psycopg's pipeline mode, within ``conn``'s transaction,
      and their results read back in order;
    - they run with generic plans (``plan_cache_mode = force_generic_plan``, for these statements
      only: the setting is stashed and restored within the same round trip). psycopg prepares a
      statement from its fifth execution; PostgreSQL would then still plan each execution
      afresh for its array and date values, which took longer than running them. So batch only
      queries whose best plan does not depend on their values (an index lookup by id).

    Values are the driver's own (``Decimal``, ``date``), as ``fetch_mappings`` gives them."""
    driver = conn.connection.driver_connection
    compiled = [(_pyformat(path, conn.dialect), params) for path, params in queries]
    with driver.pipeline():
        driver.execute(_GENERIC_PLANS)
        cursors = []
        for (statement, bind), params in compiled:
            cursor = driver.cursor(row_factory=dict_row)
            cursor.execute(statement, bind.construct_params(params))
            cursors.append(cursor)
        driver.execute(_RESTORE_PLANS)
        results = []
        for cursor in cursors:
            with cursor:
                results.append(cursor.fetchall())
    return results


_GENERIC_PLANS = (
    "SELECT set_config('fitness.stashed_plan_cache_mode', current_setting('plan_cache_mode'), true),"
    " set_config('plan_cache_mode', 'force_generic_plan', true)"
)
_RESTORE_PLANS = (
    "SELECT set_config('plan_cache_mode', current_setting('fitness.stashed_plan_cache_mode'), true)"
)


def copy_csv(conn: Connection, path: Path, params: dict | None = None) -> io.BytesIO:
    """The rows of a one-query file copied out of the server as CSV with a header (``COPY (...)
    TO STDOUT``): for many rows read whole by another library (Arrow), not through Python
    objects. COPY cannot be prepared, so the driver binds ``params`` into the statement."""
    statement, bind = _pyformat(path, conn.dialect)
    sink = io.BytesIO()
    with (
        conn.connection.driver_connection.cursor() as cursor,
        cursor.copy(
            f"COPY ({statement}) TO STDOUT (FORMAT csv, HEADER)",
            bind.construct_params(params or {}) or None,
        ) as copy,
    ):
        for chunk in copy:
            sink.write(chunk)
    sink.seek(0)
    return sink


@functools.cache
def _pyformat(path: Path, dialect) -> tuple:
    """A file's query as the driver's own placeholder text, and what binds its parameters."""
    compiled = query(path).compile(dialect=dialect)
    return str(compiled), compiled


def load_sql(name: str) -> Path:
    return LOAD_SQL_DIR / name


def payload_sql(name: str) -> Path:
    """A query the payload builder runs against Gold, in ``sql/payload``."""
    return PAYLOAD_SQL_DIR / name


def check_sql(name: str) -> Path:
    """A warehouse check's query, in ``sql/checks``."""
    return CHECKS_SQL_DIR / name


def state_sql(name: str) -> Path:
    """A statement about the warehouse's own bookkeeping (loads, Gold state) in ``sql/state``."""
    return STATE_SQL_DIR / name


@dataclass(frozen=True)
class GoldView:
    """One file of ``sql/gold``: its stem is the view name. The header comment gives the grain
    (``-- grain: a, b``, the unique index of its Gold table) and optionally ``-- kind: view`` for a
    plain view (computed when read, never stored)."""

    name: str
    path: Path
    query: str
    grain: tuple[str, ...]
    kind: str  # "table" (kept per athlete, gold/views.py) or "view"
    description: str
    depends_on: tuple[str, ...]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(f"{self.kind}\n{self.query}".encode()).hexdigest()

    @property
    def tag(self) -> str:
        """What ``fitness.gold_objects`` records of an installed view: checksum and kind."""
        return f"{self.sha256}:{self.kind}"


def discover_views(
    directory: Path = GOLD_SQL_DIR, *, force_kind: str | None = None
) -> list[GoldView]:
    """All Gold views, in an order where every view comes after the views it reads."""
    texts = {p.stem: p for p in sorted(directory.glob("gold_*.sql"))}
    views = {}
    for name, path in texts.items():
        body = path.read_text(encoding="utf-8")
        headers = {m["key"]: m["value"] for m in _HEADER.finditer(body)}
        description = body.splitlines()[0].lstrip("- ").strip()
        query = body.strip().rstrip(";")
        refs = set(re.findall(r"\bgold_\w+\b", re.sub(r"--[^\n]*", "", body))) - {name}
        unknown = refs - set(texts)
        if unknown:
            raise ValueError(f"{path.name} reads unknown Gold views {sorted(unknown)}")
        kind = headers.get("kind", "table")
        if force_kind and kind == "table":
            kind = force_kind
        views[name] = GoldView(
            name,
            path,
            query,
            tuple(c.strip() for c in headers.get("grain", "").split(",") if c.strip()),
            kind,
            description,
            tuple(sorted(refs)),
        )
    order = TopologicalSorter({n: v.depends_on for n, v in views.items()}).static_order()
    return [views[n] for n in order]
