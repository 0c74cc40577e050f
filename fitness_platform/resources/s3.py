"""The S3 side of the output store and of the raw exports, through dagster-aws's S3Resource
(the AWS default credential chain, the endpoint of S3-compatible stores, botocore's retries).

Imported only when a setting names S3 (``environment.py``): dagster-aws and boto3 take about half a
second to import, a tenth of a one-edit ``fitness-platform run`` on a local folder."""

import hashlib
import re
import shutil
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import ClassVar

from botocore.exceptions import ClientError
from dagster import ResourceDependency
from dagster_aws.s3 import S3Resource
from pydantic import PrivateAttr

from fitness_platform.errors import StorageUnavailable
from fitness_platform.ingest.athlete import SourceFile
from fitness_platform.resources.raw_files import RawFilesResource, is_source_name
from fitness_platform.resources.storage import StorageResource


def _one_client(resource):
    """The resource's one boto3 client for its life: building one costs about 0.1 s (it loads
    the service model and resolves credentials), far more than a request to S3 takes. Clients
    are thread-safe, so threads share it."""
    if resource._client_cache is None:
        with resource._client_lock:
            if resource._client_cache is None:
                resource._client_cache = resource.s3.get_client()
    return resource._client_cache


_MD5_ETAG = re.compile(r'^"?([0-9a-f]{32})"?$')


class RunView:
    """What one run knows its prefix holds, so that it asks S3 only what it does not know.

    - Listings: an athlete's folder of one kind (``payloads/athlete=x/``, every week below it)
      or a top folder's direct children (``site_state/``), listed once, one request per 1,000
      keys, answer "is there such an object" and, for an object written by a single PUT in
      plaintext or with SSE-S3 (an ETag of 32 hex digits is its MD5), "does it hold these
      bytes", where a GET per object would cost a round trip each.
    - The bytes the run itself wrote, up to ``max_bytes``: a later step reads them back (the
      report step reads the payloads, the site the payloads and reports) from memory.

    Only the run's own writes and deletes change it (a write that lands while its folder is
    being listed is kept in a journal and applied to the listing); another writer of the same
    keys at the same time is not seen, as two runs writing the same keys at once race anyway."""

    def __init__(self, max_folders: int = 256, max_bytes: int = 64 * 1024 * 1024):
        self.max_folders = max_folders
        self.max_bytes = max_bytes
        self.folders: OrderedDict[str, dict[str, str]] = OrderedDict()
        self.journals: dict[str, dict[str, str | None]] = {}
        self.listers: dict[str, int] = {}
        self.written: OrderedDict[str, bytes] = OrderedDict()
        self.written_size = 0
        self.lock = threading.Lock()

    @staticmethod
    def scope(key: str) -> tuple[str, bool]:
        """The folder listed to learn about ``key``, and whether the listing goes below it."""
        parts = key.split("/")
        if len(parts) >= 3:
            return f"{parts[0]}/{parts[1]}/", True
        return (f"{parts[0]}/" if len(parts) == 2 else ""), False

    def listing(self, key: str, lister) -> dict[str, str]:
        """Key → ETag of ``key``'s folder: known, or listed now by ``lister(folder, deep)``."""
        folder, deep = self.scope(key)
        with self.lock:
            known = self.folders.get(folder)
            if known is not None:
                self.folders.move_to_end(folder)
                return known
            self.journals.setdefault(folder, {})
            self.listers[folder] = self.listers.get(folder, 0) + 1
        listed = None
        try:
            listed = lister(folder, deep)  # outside the lock: a listing is a round trip
        finally:
            with self.lock:
                journal = self.journals[folder]
                self.listers[folder] -= 1
                if not self.listers[folder]:
                    del self.listers[folder], self.journals[folder]
                if listed is not None:
                    for name, etag in journal.items():
                        if etag is None:
                            listed.pop(name, None)
                        else:
                            listed[name] = etag
                    known = self.folders.setdefault(folder, listed)
                    while len(self.folders) > self.max_folders:
                        self.folders.popitem(last=False)
        return known

    def cached(self, key: str) -> bytes | None:
        with self.lock:
            return self.written.get(key)

    def _changed(self, key: str, etag: str | None) -> None:
        folder, _ = self.scope(key)
        known = self.folders.get(folder)
        if known is not None:
            if etag is None:
                known.pop(key, None)
            else:
                known[key] = etag
        if folder in self.journals:
            self.journals[folder][key] = etag
        old = self.written.pop(key, None)
        self.written_size -= len(old) if old is not None else 0

    def wrote(self, key: str, data: bytes, etag: str | None) -> None:
        with self.lock:
            self._changed(key, etag or "")
            if len(data) <= self.max_bytes // 16:
                self.written[key] = data
                self.written_size += len(data)
            while self.written_size > self.max_bytes:
                _, dropped = self.written.popitem(last=False)
                self.written_size -= len(dropped)

    def deleted(self, key: str) -> None:
        with self.lock:
            self._changed(key, None)


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
    _view: RunView | None = PrivateAttr(default=None)

    WRITE_CONCURRENCY: ClassVar[int] = 8
    """Requests in flight at once in ``write_many`` (botocore's pool holds 10 connections)."""

    def setup_for_execution(self, context) -> None:
        """Each run (Dagster builds the resource anew for it) starts knowing nothing of the
        bucket and learns from its own listings and writes (``RunView``). Outside a run (the
        command line's planning) every read goes to S3."""
        self._view = RunView()

    def _list_folder(self, folder: str, deep: bool) -> dict[str, str]:
        """Relative key → ETag of the objects in a folder (``deep``: in its sub-folders too)."""
        full = self._key(folder)
        strip = len(self._key(""))
        found = {}
        extra = {} if deep else {"Delimiter": "/"}
        try:
            pages = (
                self._client()
                .get_paginator("list_objects_v2")
                .paginate(Bucket=self.bucket, Prefix=full, **extra)
            )
            for page in pages:
                for obj in page.get("Contents", []):
                    found[obj["Key"][strip:]] = obj.get("ETag", "")
        except ClientError as exc:
            raise self._explain(exc, "list", folder) from exc
        return found

    def _key(self, key: str) -> str:
        return f"{self.prefix.strip('/')}/{key}" if self.prefix.strip("/") else key

    def _client(self):
        return _one_client(self)

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
        view = self._view
        if view is not None:
            data = view.cached(key)
            if data is not None:
                return data
            if key not in view.listing(key, self._list_folder):
                return None
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

    def holds(self, key: str, data: bytes) -> bool:
        view = self._view
        if view is None:
            return super().holds(key, data)
        cached = view.cached(key)
        if cached is not None:
            return cached == data
        etag = view.listing(key, self._list_folder).get(key)
        if etag is None:
            return False
        md5 = _MD5_ETAG.match(etag)
        if md5 and self.server_side_encryption == "AES256":
            return md5.group(1) == hashlib.md5(data, usedforsecurity=False).hexdigest()
        return super().holds(key, data)

    def write_bytes(self, key: str, data: bytes, *, content_type: str) -> str:
        try:
            reply = self._client().put_object(
                Bucket=self.bucket,
                Key=self._key(key),
                Body=data,
                ContentType=content_type,
                ServerSideEncryption=self.server_side_encryption,
            )
        except ClientError as exc:
            raise self._explain(exc, "write", key) from exc
        if self._view is not None:
            self._view.wrote(key, data, reply.get("ETag"))
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
        if self._view is not None:
            self._view.deleted(key)

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


class S3RawFilesResource(RawFilesResource):
    """Exports under ``s3://bucket/prefix/<athlete>/*.csv``, mirrored into ``raw_dir`` (a cache)
    before each scan: changed objects (by ETag) are downloaded, concurrently, vanished ones
    removed. One boto3 client serves every request of the resource (the scan, the sensor's
    fingerprint, the Hevy sync's reads and writes)."""

    s3: ResourceDependency[S3Resource]
    bucket: str
    prefix: str = ""

    _client_cache: object = PrivateAttr(default=None)
    _client_lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    DOWNLOAD_CONCURRENCY: ClassVar[int] = 8
    """Objects downloaded at once into the cache (a first mirror of many athletes)."""

    def _client(self):
        return _one_client(self)

    def _base(self) -> str:
        return f"{self.prefix.strip('/')}/" if self.prefix.strip("/") else ""

    def _objects(self) -> dict[str, dict]:
        base = self._base()
        found = {}
        pages = (
            self._client()
            .get_paginator("list_objects_v2")
            .paginate(Bucket=self.bucket, Prefix=base)
        )
        for page in pages:
            for obj in page.get("Contents", []):
                relative = obj["Key"][len(base) :]
                parts = relative.split("/")
                if len(parts) == 2 and is_source_name(parts[1]) and parts[0]:
                    found[relative] = obj
        return found

    def _download(self, relative: str, etag: str) -> None:
        target = Path(self.raw_dir) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        # One GET streamed to disk: download_file's transfer manager costs about 10 ms of set-up
        # per object, more than a small export's request.
        reply = self._client().get_object(Bucket=self.bucket, Key=self._base() + relative)
        with tmp.open("wb") as out:
            for chunk in reply["Body"].iter_chunks(1 << 20):
                out.write(chunk)
        tmp.replace(target)
        # The ETag of the bytes fetched (the listing's may be older than the object read).
        target.with_name(target.name + ".etag").write_text(reply.get("ETag", etag))

    def discover(self) -> list[SourceFile]:
        cache = Path(self.raw_dir)
        cache.mkdir(parents=True, exist_ok=True)
        objects = self._objects()
        changed = []
        for relative, obj in objects.items():
            target = cache / relative
            tag = target.with_name(target.name + ".etag")
            if not (target.exists() and tag.exists() and tag.read_text() == obj["ETag"]):
                changed.append((relative, obj["ETag"]))
        if len(changed) > 1:
            self._client()  # built once, before the threads share it
            with ThreadPoolExecutor(self.DOWNLOAD_CONCURRENCY, thread_name_prefix="s3raw") as pool:
                futures = [pool.submit(self._download, *item) for item in changed]
                wait(futures)
                for future in futures:
                    future.result()  # the first failure, once every download has ended
        else:
            for item in changed:
                self._download(*item)
        for path in [p for p in cache.glob("*/*") if is_source_name(p.name)]:
            if str(path.relative_to(cache)) not in objects:
                path.unlink()
                path.with_name(path.name + ".etag").unlink(missing_ok=True)
        for folder in [p for p in cache.iterdir() if p.is_dir() and not any(p.iterdir())]:
            shutil.rmtree(folder)
        return super().discover()

    def problem(self) -> str | None:
        return None  # an empty or missing prefix is simply no objects; a missing bucket raises

    def athlete_folders(self) -> list[str]:
        return sorted({relative.split("/")[0] for relative in self._objects()})

    def athletes_with(self, name: str) -> list[str]:
        return sorted(
            athlete
            for athlete, _, file in (r.partition("/") for r in self._objects())
            if file == name
        )

    def _object_key(self, athlete: str, name: str) -> str:
        return f"{self._base()}{athlete}/{name}"

    def read(self, athlete: str, name: str) -> bytes | None:
        client = self._client()
        try:
            reply = client.get_object(Bucket=self.bucket, Key=self._object_key(athlete, name))
        except client.exceptions.NoSuchKey:
            return None
        return reply["Body"].read()

    def write(self, athlete: str, name: str, data: bytes) -> str:
        key = self._object_key(athlete, name)
        self._client().put_object(
            Bucket=self.bucket, Key=key, Body=data, ServerSideEncryption="AES256"
        )
        return f"s3://{self.bucket}/{key}"

    def state(self) -> str:
        digest = hashlib.sha256()
        for relative, obj in sorted(self._objects().items()):
            digest.update(f"{relative}\t{obj['ETag']}\t{obj['Size']}\n".encode())
        return digest.hexdigest()

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix.strip('/')}".rstrip("/")
