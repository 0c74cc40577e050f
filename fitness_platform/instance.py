"""The local Dagster instance's storage: Dagster's own SQLite storage, with its connections kept.

Dagster's SQLite event log builds a new SQLAlchemy engine and opens a new connection for every
event it stores (and every query), then closes it. Each close of the last connection to a
database in WAL mode checkpoints the log into the database and deletes it, and each new engine
compiles its statements again: a run over 142 weeks stores about 600 events, and those costs were
most of a one-edit ``fitness-platform run`` (23 of 35 s, profiled). This storage keeps one engine
per database file (a few at a time, least recently used closed first) and its connection open,
with ``synchronous=NORMAL``, which SQLite documents as safe from corruption in WAL mode (a power
cut may lose the last transactions, never the database). Files, tables and schema are Dagster's
own, so an instance written by either storage is read by the other; the UI, the daemon and every
run process share the files as before (WAL lets them read while one writes).

Each new run's database is a copy of an empty one that Dagster's own initialisation made (once
per Dagster version): 55 ms less for each of the two runs of a ``fitness-platform run``.

``dagster.yaml`` selects it (``storage: custom``); its ``base_dir`` defaults to ``DAGSTER_HOME``.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as db
from dagster import Field, StringSource
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
from dagster._core.storage.schedules.sqlite.sqlite_schedule_storage import SqliteScheduleStorage
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage
from dagster._serdes import ConfigurableClassData
from dagster.version import __version__ as dagster_version
from sqlalchemy.pool import NullPool

from fitness_platform.errors import ConfigurationError

ENGINES_KEPT = 16
"""Database files with an open connection at a time: the index, the run being written and the few
the UI reads (each run has a file of its own, so a long-lived UI would otherwise hold thousands)."""


TEMPLATES = ".templates"
"""The folder, among the runs' database files, of the empty run database copied for each new run."""


def _pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log storage, each database file's engine and connection kept."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, db.Engine] = OrderedDict()
        self._engines_lock = threading.Lock()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> db.Engine:
        with self._engines_lock:
            engine = self._engines.pop(shard, None)
            if engine is None:
                engine = db.create_engine(
                    self.conn_string_for_shard(shard),
                    # One connection kept (every use holds the storage's lock); creating a
                    # database's tables, or asking for one inside a transaction, opens another
                    # one for a moment.
                    pool_size=1,
                    max_overflow=2,
                    # The lock, not the thread, guards the connection (the UI reads from threads).
                    connect_args={
                        "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
                        "check_same_thread": False,
                    },
                )
                db.event.listen(engine, "connect", _pragmas)
            self._engines[shard] = engine
            while len(self._engines) > ENGINES_KEPT:
                _, oldest = self._engines.popitem(last=False)
                oldest.dispose()
            return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[db.Connection]:
        with self._db_lock:
            if shard not in self._initialized_dbs and self._copy_template(shard):
                self._initialized_dbs.add(shard)
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _copy_template(self, shard: str) -> bool:
        """A new run's database made as a copy of an empty one (``_template``): Dagster makes
        each by creating its tables and stamping its schema revision, 55 ms a run, twice in
        every ``fitness-platform run``. False for the index, for a run whose file exists already
        (it may be another process's), and when no copy can be made: Dagster's own
        initialisation then runs, as it always did."""
        target = self.path_for_shard(shard)
        if shard == INDEX_SHARD_NAME or os.path.exists(target):
            return False
        try:
            made = f"{target}.{os.getpid()}.{threading.get_ident()}.tmp"
            shutil.copyfile(self._template(), made)
            try:
                os.link(made, target)  # never over a file another process made meanwhile
            finally:
                os.unlink(made)
        except OSError:
            return False
        return True

    def _template(self) -> str:
        """An empty run database as Dagster makes it (tables, WAL mode, schema revision), made
        once per Dagster version, beside the runs' files (in a hidden folder: Dagster lists the
        runs as the ``*.db`` files of their own folder)."""
        path = os.path.join(self._base_dir, TEMPLATES, f"run-{dagster_version}.db")
        if not os.path.exists(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            made = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
            engine = db.create_engine(f"sqlite:///{made}", poolclass=NullPool)
            try:
                self._initdb(engine)
            finally:
                engine.dispose()  # its last connection closed: the write-ahead log folded in
            if os.path.exists(made + "-wal"):
                os.unlink(made)
                raise OSError(f"{made}: its write-ahead log was left beside it")
            os.replace(made, path)
        return path

    def has_table(self, table_name: str) -> bool:
        # Asked while a connection to the index is open (not under the lock, as in Dagster's).
        engine = self._engine("index")
        with engine.connect() as conn:
            return bool(engine.dialect.has_table(conn, table_name))

    def _close_engines(self) -> None:
        with self._engines_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self._close_engines()  # before Dagster deletes the files under them
        super().wipe()

    def dispose(self) -> None:
        self._close_engines()
        super().dispose()


class LocalSqliteStorage(DagsterSqliteStorage):
    """The local instance's storage (``dagster.yaml``, ``storage: custom``): Dagster's SQLite
    files under ``base_dir`` (default ``DAGSTER_HOME``), the event log's connections kept."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        # The parent's constructor would open Dagster's own event log storage first: not called.
        self.base_dir = base_dir
        self._run_storage = SqliteRunStorage.from_local(os.path.join(base_dir, "history", ""))
        self._event_log_storage = PooledSqliteEventLogStorage(
            os.path.join(base_dir, "history", "runs", "")
        )
        self._schedule_storage = SqliteScheduleStorage.from_local(
            os.path.join(base_dir, "schedules")
        )
        self._inst_data = inst_data
        super(DagsterSqliteStorage, self).__init__()

    @classmethod
    def config_type(cls):
        return {"base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        base_dir = config_value.get("base_dir") or os.environ.get("DAGSTER_HOME")
        if not base_dir:
            raise ConfigurationError(
                "the instance's dagster.yaml keeps its files under DAGSTER_HOME, which is not set: "
                "set it (make dev and fitness-platform do), or give storage.custom.config.base_dir"
            )
        os.makedirs(base_dir, exist_ok=True)
        return cls(os.path.abspath(base_dir), inst_data=inst_data)
