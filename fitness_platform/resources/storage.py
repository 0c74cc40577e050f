"""Where payloads and reports live: a local folder, or an S3 prefix (``resources/s3.py``)."""

import contextlib
import os
import posixpath
import uuid
from abc import abstractmethod
from pathlib import Path

from dagster import ConfigurableResource
from pydantic import PrivateAttr

from fitness_platform.errors import StorageUnavailable


class StorageResource(ConfigurableResource):
    """Interface of the output store; keys are relative paths like ``payloads/athlete=…/….json``."""

    @abstractmethod
    def read_bytes(self, key: str) -> bytes | None: ...

    @abstractmethod
    def write_bytes(self, key: str, data: bytes, *, content_type: str) -> str: ...

    @abstractmethod
    def delete(self, key: str) -> None: ...

    @abstractmethod
    def list_keys(self, prefix: str) -> list[str]:
        """Keys under ``prefix`` (a folder-like path ending in ``/``), sorted."""
        ...

    @abstractmethod
    def uri(self, key: str) -> str: ...

    @abstractmethod
    def root_uri(self) -> str: ...

    def share_url(self, key: str, *, expires_in: int) -> str | None:
        """A link that opens ``key`` for ``expires_in`` seconds without other credentials, where
        the store can make one (a presigned S3 URL); None for a local folder."""
        return None

    def holds(self, key: str, data: bytes) -> bool:
        """Whether ``key`` holds exactly ``data`` (an S3 run decides from a listing's ETags)."""
        return self.read_bytes(key) == data

    def write_many(self, items: list[tuple[str, bytes, str]]) -> list[str]:
        """Write independent objects (key, bytes, content type); returns their URIs in order.
        A store with per-request latency (S3) writes them concurrently; the first failure is
        raised once the others are done."""
        return [self.write_bytes(key, data, content_type=kind) for key, data, kind in items]


class LocalStorageResource(StorageResource):
    """Files under ``root``; writes go through a temporary file and a rename (never half-written)."""

    root: str

    _base: Path | None = PrivateAttr(default=None)
    _made: set = PrivateAttr(default_factory=set)

    def _root(self) -> Path:
        if self._base is None:
            self._base = Path(self.root).resolve()
        return self._base

    def _path(self, key: str) -> Path:
        """The file of a key: a relative path below the root, checked as text (a backfill names
        hundreds of thousands of keys, and resolving each against the disk costs more than the
        write). Keys are made by the platform; one that is absolute or climbs out is refused."""
        normal = posixpath.normpath(key)
        if (
            not key
            or "\0" in key
            or posixpath.isabs(normal)
            or normal in (".", "..")
            or normal.startswith("../")
        ):
            raise ValueError(f"storage key escapes the output folder: {key!r}")
        return self._root() / normal

    def read_bytes(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None

    def write_bytes(self, key: str, data: bytes, *, content_type: str) -> str:
        path = self._path(key)
        # A name of its own per write: two runs writing the same key never share a temporary file.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")
        try:
            if path.parent not in self._made:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._made.add(path.parent)
            try:
                tmp.write_bytes(data)
            except FileNotFoundError:  # the folder was removed since: make it again
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp.write_bytes(data)
            tmp.replace(path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise StorageUnavailable(
                f"cannot write {path}: {exc.strerror or exc} (check FITNESS_OUTPUT_DIR)"
            ) from None
        return self.uri(key)

    def delete(self, key: str) -> None:
        path = self._path(key)
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise StorageUnavailable(f"cannot delete {path}: {exc.strerror or exc}") from None

    def list_keys(self, prefix: str) -> list[str]:
        base = self._root()
        folder = self._path(prefix) if prefix else base
        if not folder.is_dir():
            return []
        return sorted(
            str(p.relative_to(base))
            for p in folder.rglob("*")
            if p.is_file() and not p.name.endswith(".tmp")
        )

    def uri(self, key: str) -> str:
        return str(self._path(key))

    def root_uri(self) -> str:
        return str(self._root())
