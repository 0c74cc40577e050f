"""Where payloads and reports live: a local folder, or an S3 prefix through dagster-aws."""

import contextlib
import os
import posixpath
import threading
import uuid
from abc import abstractmethod
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import ClassVar

from botocore.exceptions import ClientError
from dagster import ConfigurableResource, ResourceDependency
from dagster_aws.s3 import S3Resource
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


class S3StorageResource(StorageResource):
    """Objects under ``s3://bucket/prefix/``, through dagster-aws's S3Resource (which brings the
    AWS default credential chain, the endpoint for S3-compatible stores and botocore retries).

    Every object is written with its content type and server-side encryption (SSE-S3) requested."""

    s3: ResourceDependency[S3Resource]
    bucket: str
    prefix: str = ""
    server_side_encryption: str = "AES256"

    _client_cache: object = PrivateAttr(default=None)
    _client_lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _pool: ThreadPoolExecutor | None = PrivateAttr(default=None)

    WRITE_CONCURRENCY: ClassVar[int] = 8
    """Requests in flight at once in ``write_many`` (botocore's pool holds 10 connections)."""

    def _key(self, key: str) -> str:
        return f"{self.prefix.strip('/')}/{key}" if self.prefix.strip("/") else key

    def _client(self):
        """One boto3 client for the resource's life: building one costs about 0.1 s (it loads the
        service model and resolves credentials), far more than a request to S3 takes. Clients are
        thread-safe, so threads share it."""
        if self._client_cache is None:
            with self._client_lock:
                if self._client_cache is None:
                    self._client_cache = self.s3.get_client()
        return self._client_cache

    def _explain(self, exc: ClientError, action: str, key: str) -> Exception:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in {"NoSuchBucket", "404"} and action != "read":
            return StorageUnavailable(
                f"S3 bucket {self.bucket!r} does not exist (set FITNESS_S3_BUCKET to an existing "
                f"bucket); could not {action} {key}"
            )
        if code in {"AccessDenied", "403", "InvalidAccessKeyId", "SignatureDoesNotMatch"}:
            return StorageUnavailable(
                f"access to s3://{self.bucket}/{self._key(key)} was denied ({code}); check the "
                "credentials and the IAM policy in deploy/iam-policy.json"
            )
        return exc

    def read_bytes(self, key: str) -> bytes | None:
        try:
            reply = self._client().get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in {"NoSuchKey", "404"}:
                return None
            if code == "NoSuchBucket":
                raise self._explain(exc, "read from", key) from exc
            raise self._explain(exc, "read", key) from exc
        return reply["Body"].read()

    def write_bytes(self, key: str, data: bytes, *, content_type: str) -> str:
        try:
            self._client().put_object(
                Bucket=self.bucket,
                Key=self._key(key),
                Body=data,
                ContentType=content_type,
                ServerSideEncryption=self.server_side_encryption,
            )
        except ClientError as exc:
            raise self._explain(exc, "write", key) from exc
        return self.uri(key)

    def write_many(self, items: list[tuple[str, bytes, str]]) -> list[str]:
        if len(items) < 2:
            return super().write_many(items)
        with self._client_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.WRITE_CONCURRENCY, thread_name_prefix="s3")
        self._client()  # built once, before the threads share it
        futures = [
            self._pool.submit(self.write_bytes, key, data, content_type=kind)
            for key, data, kind in items
        ]
        wait(futures)
        return [f.result() for f in futures]

    def delete(self, key: str) -> None:
        try:
            self._client().delete_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            raise self._explain(exc, "delete", key) from exc

    def list_keys(self, prefix: str) -> list[str]:
        full = self._key(prefix)
        strip = len(self._key(""))
        keys = []
        try:
            for page in (
                self._client()
                .get_paginator("list_objects_v2")
                .paginate(Bucket=self.bucket, Prefix=full)
            ):
                keys += [obj["Key"][strip:] for obj in page.get("Contents", [])]
        except ClientError as exc:
            raise self._explain(exc, "list", prefix) from exc
        return sorted(keys)

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._key(key)}"

    def share_url(self, key: str, *, expires_in: int) -> str | None:
        """A presigned GET URL: the object stays private; the link alone opens it, until it
        expires (SigV4 allows at most 7 days)."""
        return self._client().generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": self._key(key)},
            ExpiresIn=expires_in,
        )

    def root_uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix.strip('/')}".rstrip("/")
