"""The raw exports: a local folder, or an S3 prefix mirrored into a local cache
(``resources/s3.py``); one sub-folder per athlete either way."""

import hashlib
import os
import uuid
from pathlib import Path

from dagster import ConfigurableResource
from pydantic import PrivateAttr

from fitness_platform.errors import StorageUnavailable
from fitness_platform.ingest.athlete import SourceFile, discover
from fitness_platform.ingest.scan_cache import ScanCache
from fitness_platform.ingest.sources import kinds


def _named_files() -> set[str]:
    """Files found by name rather than by their header (``athlete.toml``, the API mirror)."""
    return {k.file_name for k in kinds() if k.file_name}


def is_source_name(name: str) -> bool:
    return name.lower().endswith(".csv") or name in _named_files()


class RawFilesResource(ConfigurableResource):
    """Lists the exports under ``raw_dir/<athlete>/`` (every ``*.csv`` and the files the source
    registry knows by name) with their hash and detected kind; reads and writes an athlete's
    named files (the Hevy API mirror)."""

    _last_scan: tuple[int, int] = PrivateAttr(default=(0, 0))

    raw_dir: str
    scan_cache_dir: str | None = None
    """Where the scan remembers each file's size, times and hash (replay by metadata); None:
    every scan reads every file."""

    def local_dir(self) -> Path:
        return Path(self.raw_dir)

    def scan_cache(self) -> ScanCache:
        if not self.scan_cache_dir:
            return ScanCache(None)
        name = hashlib.sha256(str(self.local_dir().resolve()).encode()).hexdigest()[:16]
        return ScanCache(Path(self.scan_cache_dir) / f"raw-{name}.json")

    def discover(self) -> list[SourceFile]:
        cache = self.scan_cache()
        found = discover(self.local_dir(), cache)
        cache.save()
        self._last_scan = (cache.hits, cache.misses)
        return found

    def last_scan(self) -> tuple[int, int]:
        """(files known by their metadata, files read) in the last ``discover``."""
        return self._last_scan

    def problem(self) -> str | None:
        """Why the raw location cannot be scanned at all, or None. A missing folder is an error,
        never "no data": a mistyped FITNESS_RAW_DIR must not quietly deliver old outputs."""
        root = Path(self.raw_dir)
        if not root.exists():
            return f"the raw exports folder {root.resolve()} does not exist (check FITNESS_RAW_DIR)"
        if not root.is_dir():
            return f"the raw exports location {root.resolve()} is a file, not a folder"
        return None

    def athlete_folders(self) -> list[str]:
        """The athlete folders under the raw folder, whether or not they hold exports."""
        root = Path(self.raw_dir)
        if not root.is_dir():
            return []
        return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))

    def athletes_with(self, name: str) -> list[str]:
        """The athletes whose folder holds a file named ``name`` (one listing, not a read per
        athlete)."""
        root = Path(self.raw_dir)
        if not root.is_dir():
            return []
        return sorted(
            p.parent.name
            for p in root.glob(f"*/{name}")
            if p.is_file() and not p.parent.name.startswith(".")
        )

    def read(self, athlete: str, name: str) -> bytes | None:
        """One file of an athlete's folder, or None."""
        path = Path(self.raw_dir) / athlete / name
        return path.read_bytes() if path.is_file() else None

    def write(self, athlete: str, name: str, data: bytes) -> str:
        """Replace one file of an athlete's folder in one rename (never half-written)."""
        path = Path(self.raw_dir) / athlete / name
        tmp = path.with_name(f".{name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")
        try:
            tmp.write_bytes(data)
            tmp.replace(path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise StorageUnavailable(f"cannot write {path}: {exc.strerror or exc}") from None
        return str(path)

    def state(self) -> str:
        """A cheap fingerprint of the folder (path, size, mtime of every source file) for the
        sensor: an export, athlete.toml or the API mirror changing starts an ingestion."""
        digest = hashlib.sha256()
        root = Path(self.raw_dir)
        if root.is_dir():
            for path in sorted(p for p in root.glob("*/*") if is_source_name(p.name)):
                stat = path.stat()
                digest.update(
                    f"{path.relative_to(root)}\t{stat.st_size}\t{stat.st_mtime_ns}\n".encode()
                )
        return digest.hexdigest()

    def describe(self) -> str:
        return str(Path(self.raw_dir).resolve())
