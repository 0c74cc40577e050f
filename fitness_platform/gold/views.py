"""Gold: the SQL views of ``sql/gold``, created in dependency order and refreshed after loads.

Each file holds one query; its stem is the view name. The header comment gives the view's grain
(``-- grain: a, b``), which becomes the unique index of a materialized view, and optionally
``-- kind: view`` for a plain view (used for the set-level helper that nothing reads directly)."""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

from sqlalchemy import Connection, text

from fitness_platform.paths import GOLD_SQL_DIR

_HEADER = re.compile(r"^--\s*(?P<key>grain|kind):\s*(?P<value>.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class GoldView:
    name: str
    path: Path
    query: str
    grain: tuple[str, ...]
    kind: str  # "materialized" or "view"
    description: str
    depends_on: tuple[str, ...]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(f"{self.kind}\n{self.query}".encode()).hexdigest()


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
        kind = headers.get("kind", "materialized")
        if force_kind and kind == "materialized":
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

    A changed definition drops and recreates every Gold view (dependents would block the drop)."""
    conn.exec_driver_sql("SET LOCAL search_path = fitness, public")
    installed = dict(
        conn.execute(
            text("SELECT view_name, sha256 || ':' || kind FROM fitness.gold_objects")
        ).all()
    )
    wanted = {v.name: f"{v.sha256}:{v.kind}" for v in views}
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
            conn.execute(
                text(
                    "INSERT INTO fitness.gold_objects (view_name, sha256, kind, refreshed_at) "
                    "VALUES (:n, :s, :k, now())"
                ),
                {"n": view.name, "s": view.sha256, "k": view.kind},
            )
        elif action == "refreshed":
            conn.execute(
                text("UPDATE fitness.gold_objects SET refreshed_at = now() WHERE view_name = :n"),
                {"n": view.name},
            )
    return results
