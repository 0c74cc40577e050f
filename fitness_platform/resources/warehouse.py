"""The warehouse: a PostgreSQL database, embedded (pgserver) by default or any URL (Amazon RDS)."""

import contextlib
import hashlib
import json
import os
import signal
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import psutil
from dagster import ConfigurableResource
from pydantic import PrivateAttr
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from fitness_platform.errors import ConfigurationError, WarehouseUnavailable
from fitness_platform.paths import SCHEMA_SQL_DIR
from fitness_platform.sqlfiles import GoldView, discover_views, fetch_all, run_file, state_sql

# pgserver asks platformdirs for a runtime dir; without XDG_RUNTIME_DIR that warns on every start.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")

SCHEMA = "fitness"
_ENGINES: dict[str, Engine] = {}
_SERVERS: dict[Path, object] = {}
_LOCK = threading.Lock()
# Arbitrary constant: serialises schema migrations across processes sharing one database.
_MIGRATION_LOCK_KEY = 0x66697431


def normalise_url(url: str) -> str:
    """Select the psycopg 3 driver for ``postgresql://`` and ``postgres://`` URLs."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # SQLAlchemy raises ArgumentError with the URL in the message
        raise ConfigurationError("FITNESS_DATABASE_URL is not a valid database URL") from exc
    if parsed.drivername in {"postgresql", "postgres", "postgresql+psycopg2"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername != "postgresql+psycopg":
        raise ConfigurationError("FITNESS_DATABASE_URL must be a PostgreSQL URL")
    return parsed.render_as_string(hide_password=False)


def _exit_on_sigterm() -> None:
    """Turn SIGTERM into a normal exit so pgserver's atexit hook releases the embedded server."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, frame: (_ for _ in ()).throw(SystemExit(143)))


def _prune_dead_holders(pgdata: Path) -> None:
    """Forget holders killed without running their exit hook, so the last live one stops the server."""
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    import pgserver.postgres_server as pg

    with pg.PostgresServer._lock:
        try:
            pids = json.loads(handles.read_text() or "[]")
        except (OSError, ValueError):
            return
        alive = [pid for pid in pids if psutil.pid_exists(pid)]
        if alive != pids:
            handles.write_text(json.dumps(alive))


def embedded_url(pgdata: Path) -> str:
    """Start (or attach to) the embedded PostgreSQL under ``pgdata`` and return its SQLAlchemy URL."""
    pgdata = pgdata.expanduser().resolve()
    with _LOCK:
        if pgdata not in _SERVERS:
            import pgserver

            pgdata.parent.mkdir(parents=True, exist_ok=True)
            _prune_dead_holders(pgdata)
            _exit_on_sigterm()
            _SERVERS[pgdata] = pgserver.get_server(pgdata, cleanup_mode="stop")
        uri = _SERVERS[pgdata].get_uri()
    return normalise_url(uri)


def get_engine(url: str) -> Engine:
    with _LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            engine = create_engine(url, pool_pre_ping=True, pool_size=4, max_overflow=4)
            _ENGINES[url] = engine
    return engine


def schema_files(directory: Path = SCHEMA_SQL_DIR) -> list[Path]:
    return sorted(directory.glob("[0-9][0-9][0-9]_*.sql"))


def apply_migrations(conn: Connection, directory: Path = SCHEMA_SQL_DIR) -> list[str]:
    """Apply every ``sql/schema`` file not yet recorded, in order; return the versions applied.

    Recorded files are checksummed: editing an applied file is refused (add a new file instead)."""
    # The lock first: two processes creating the schema at once would collide in pg_namespace.
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
    conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
    conn.execute(
        text(
            f"CREATE TABLE IF NOT EXISTS {SCHEMA}.schema_migrations ("
            " version text PRIMARY KEY, sha256 text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
    )
    applied = dict(
        conn.execute(text(f"SELECT version, sha256 FROM {SCHEMA}.schema_migrations")).all()
    )
    done = []
    for path in schema_files(directory):
        body = path.read_text(encoding="utf-8")
        digest = hashlib.sha256(body.encode()).hexdigest()
        if path.name in applied:
            if applied[path.name] != digest:
                raise ConfigurationError(
                    f"{path.name} changed after it was applied; add a new schema file instead"
                )
            continue
        conn.exec_driver_sql(body)
        conn.execute(
            text(f"INSERT INTO {SCHEMA}.schema_migrations (version, sha256) VALUES (:v, :s)"),
            {"v": path.name, "s": digest},
        )
        done.append(path.name)
    return done


def installed_views(conn: Connection) -> dict[str, str]:
    """The Gold views the warehouse holds, as ``GoldView.tag`` values by name."""
    return dict(fetch_all(conn, state_sql("installed_gold_views.sql")))


def gold_pending_reason(conn: Connection, views: list[GoldView]) -> str | None:
    """Why Gold must be built or refreshed now, or None when it is current.

    Decided from the warehouse alone: the installed definitions against ``sql/gold``, and the
    load of every athlete against the load each one's Gold rows were built from. So a run that
    loaded athletes and stopped before Gold (killed, or failed elsewhere) leaves a warehouse that
    the next run sees as behind, whatever that next run loads itself."""
    installed = installed_views(conn)
    if not installed:
        return "Gold has never been built"
    if installed != {v.name: v.tag for v in views}:
        return "the Gold definitions in sql/gold changed"
    behind = run_file(conn, state_sql("gold_pending.sql"))["athletes_behind"]
    if behind:
        return f"{behind} athlete(s) were loaded after the last Gold refresh"
    return None


class WarehouseResource(ConfigurableResource):
    """Hands out SQLAlchemy (psycopg 3) connections to the warehouse, schema ``fitness``.

    With no ``database_url`` it runs a real PostgreSQL 16 from pgserver under ``embedded_dir``."""

    database_url: str | None = None
    embedded_dir: str = ".fitness/pg"
    allow_mass_delete: bool = False
    """Let a re-export delete more than 10% of an athlete's stored workouts or diet days."""
    load_workers: int = 0
    """Athletes loaded side by side, each on its own connection and in its own transaction;
    0 means one per CPU core, at most 4."""

    _migrated: bool = PrivateAttr(default=False)

    def url(self) -> str:
        if self.database_url:
            return normalise_url(self.database_url)
        return embedded_url(Path(self.embedded_dir))

    def engine(self) -> Engine:
        engine = get_engine(self.url())
        if not self._migrated:
            with self._reach(engine.begin) as conn:
                apply_migrations(conn)
            self._migrated = True
        return engine

    @contextlib.contextmanager
    def _reach(self, open_connection) -> Iterator[Connection]:
        """Open a connection, turning "cannot connect" into one sentence: where, and why."""
        with contextlib.ExitStack() as stack:
            try:
                conn = stack.enter_context(open_connection())
            except OperationalError as exc:
                raise WarehouseUnavailable(
                    f"cannot connect to the warehouse at {self.describe_address()}: "
                    f"{self._reason(exc)}"
                ) from None
            yield conn

    def _reason(self, exc: OperationalError) -> str:
        """psycopg's own reason, on one line, with any password in it removed."""
        text_ = " ".join(str(exc.orig or exc).split()).removeprefix("connection failed: ")
        password = make_url(self.url()).password if self.database_url else None
        return text_.replace(password, "***") if password else text_

    @contextlib.contextmanager
    def begin(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back whole if it raises."""
        with self._reach(self.engine().begin) as conn:
            yield conn

    @contextlib.contextmanager
    def connect(self) -> Iterator[Connection]:
        with self._reach(self.engine().connect) as conn:
            yield conn

    def check_connection(self) -> None:
        """Connect once (applying the schema files); raises WarehouseUnavailable with the reason."""
        with self.connect() as conn:
            conn.execute(text("SELECT 1"))

    @contextlib.contextmanager
    def exclusive_snapshot(self, lock_key: int) -> Iterator[Connection]:
        """One REPEATABLE READ transaction (every statement sees the same snapshot), entered
        only while holding the session advisory lock ``lock_key``, which is taken before the
        snapshot so that a second run waiting for it then sees what the first committed."""
        with self._reach(self.engine().connect) as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": lock_key})
            conn.commit()
            try:
                with conn.execution_options(isolation_level="REPEATABLE READ").begin():
                    yield conn
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": lock_key})
                conn.commit()

    def loaded_fingerprints(self) -> dict[str, str]:
        """Each loaded athlete's fingerprint: what their last committed load was built from."""
        with self.connect() as conn:
            return dict(fetch_all(conn, state_sql("loaded_fingerprints.sql")))

    def gold_pending(self) -> str | None:
        """Why Gold must be built or refreshed, or None when it is current (see
        ``gold_pending_reason``)."""
        with self.connect() as conn:
            return gold_pending_reason(conn, discover_views())

    def workers_for(self, athletes: int) -> int:
        """How many connections a load of ``athletes`` athletes uses."""
        wanted = self.load_workers or min(os.cpu_count() or 1, 4)
        return max(1, min(wanted, athletes))

    def describe(self) -> str:
        """Where the warehouse is, without credentials (safe for logs and metadata)."""
        if self.database_url:
            return f"postgresql://{self.describe_address()}"
        return f"embedded PostgreSQL at {Path(self.embedded_dir).resolve()}"

    def describe_address(self) -> str:
        """``host:port/database`` of an external warehouse (never the user or password)."""
        if not self.database_url:
            return self.describe()
        parsed = make_url(normalise_url(self.database_url))
        return f"{parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database}"
