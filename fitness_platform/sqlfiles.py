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
    body = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                     if not line.lstrip().startswith("--"))
    return tuple(s.strip() for s in _STATEMENT_END.split(body) if s.strip())


def run_file(conn: Connection, path: Path, params: dict | None = None) -> dict | None:
    """Execute every statement of ``path``; return the first row of the last one as a dict."""
    result = None
    for statement in statements(path):
        cursor = conn.execute(text(statement), params or {})
        result = cursor.mappings().first() if cursor.returns_rows else None
    return dict(result) if result is not None else None


def load_sql(name: str) -> Path:
    return LOAD_SQL_DIR / name
