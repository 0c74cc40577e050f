"""Replay by metadata: a file whose size, modification time, change time and inode are those the
last scan recorded is not read again; its sha256, kind and row count come from this cache.

Git's rule for "racily clean" files applies: a file whose modification time is within
``RACY_NS`` of the moment it was hashed could have been written again within the clock's
resolution without its mtime moving, so it is hashed again (and recorded anew, now safely). The
content hash stays the truth for everything that changed: the cache only spares reading files
that did not."""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

CACHE_VERSION = 1
# The coarsest modification-time resolution of common filesystems (FAT keeps 2 s).
RACY_NS = 2_000_000_000


class ScanCache:
    """The scan's memory of one raw folder, kept in a JSON file (None: remember nothing)."""

    def __init__(self, path: Path | None):
        self.path = path
        self.entries: dict[str, list] = {}
        self.fresh: dict[str, list] = {}
        self.hits = 0
        self.misses = 0
        if path is not None and path.is_file():
            try:
                stored = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                stored = {}
            if isinstance(stored, dict) and stored.get("version") == CACHE_VERSION:
                self.entries = stored.get("files", {})

    @staticmethod
    def _stamp(stat: os.stat_result) -> list:
        return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]

    def lookup(self, path: Path, stat: os.stat_result) -> tuple[str, str, int] | None:
        """(sha256, kind, rows) recorded for this very file, or None (then it is read)."""
        entry = self.entries.get(str(path))
        if (
            entry is not None
            and entry[:4] == self._stamp(stat)
            and stat.st_mtime_ns + RACY_NS < entry[4]
        ):
            self.hits += 1
            self.fresh[str(path)] = entry
            return entry[5], entry[6], entry[7]
        self.misses += 1
        return None

    def record(
        self, path: Path, stat: os.stat_result, hashed_at_ns: int, sha256: str, kind: str, rows: int
    ) -> None:
        self.fresh[str(path)] = [*self._stamp(stat), hashed_at_ns, sha256, kind, rows]

    def save(self) -> None:
        """Keep what this scan saw (files gone since are forgotten); a failure to write the cache
        only costs the next scan its reads."""
        if self.path is None:
            return
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(
                json.dumps({"version": CACHE_VERSION, "files": self.fresh}, sort_keys=True),
                encoding="utf-8",
            )
            tmp.replace(self.path)
        except OSError:
            tmp.unlink(missing_ok=True)


def now_ns() -> int:
    return time.time_ns()
