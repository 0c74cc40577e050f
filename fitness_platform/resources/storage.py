"""Where payloads and reports live: a local folder, or an S3 prefix through dagster-aws."""

from __future__ import annotations

from pathlib import Path

from abc import abstractmethod

from dagster import ConfigurableResource


class StorageResource(ConfigurableResource):
    """Interface of the output store; keys are relative paths like ``payloads/athlete=…/….json``."""

    @abstractmethod
    def read_bytes(self, key: str) -> bytes | None:
        ...

    @abstractmethod
    def write_bytes(self, key: str, data: bytes, *, content_type: str) -> str:
        ...

    @abstractmethod
    def delete(self, key: str) -> None:
        ...

    @abstractmethod
    def list_keys(self, prefix: str) -> list[str]:
        """Keys under ``prefix`` (a folder-like path ending in ``/``), sorted."""
        ...

    @abstractmethod
    def uri(self, key: str) -> str:
        ...

    @abstractmethod
    def root_uri(self) -> str:
        ...


class LocalStorageResource(StorageResource):
    """Files under ``root``; writes go through a temporary file and a rename (never half-written)."""

    root: str

    def _path(self, key: str) -> Path:
        path = (Path(self.root) / key).resolve()
        if Path(self.root).resolve() not in path.parents:
            raise ValueError(f"storage key escapes the output folder: {key!r}")
        return path

    def read_bytes(self, key: str) -> bytes | None:
        path = self._path(key)
        return path.read_bytes() if path.exists() else None

    def write_bytes(self, key: str, data: bytes, *, content_type: str) -> str:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        return self.uri(key)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def list_keys(self, prefix: str) -> list[str]:
        base = Path(self.root).resolve()
        folder = self._path(prefix) if prefix else base
        if not folder.is_dir():
            return []
        return sorted(str(p.relative_to(base)) for p in folder.rglob("*")
                      if p.is_file() and not p.name.endswith(".tmp"))

    def uri(self, key: str) -> str:
        return str(self._path(key))

    def root_uri(self) -> str:
        return str(Path(self.root).resolve())
