"""Running the SQL kept in ``sql/``: one purpose per file, values always bound parameters."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from sqlalchemy import Connection, text

from fitness_platform.paths import LOAD_SQL_DIR

_STATEMENT_END = re.compile(r";[ \t]*(?:\n|$)")


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


def load_sql(name: str) -> Path:
    return LOAD_SQL_DIR / name
