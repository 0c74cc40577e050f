"""The S3 side of the output store and of the raw exports, through dagster-aws's S3Resource
(the AWS default credential chain, the endpoint of S3-compatible stores, botocore's retries).

Imported only when a setting names S3 (``environment.py``): dagster-aws and boto3 take about half a
second to import, a tenth of a one-edit ``fitness-platform run`` on a local folder."""

import hashlib
import shutil
import threading
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


class S3RawFilesResource(RawFilesResource):
    """Exports under ``s3://bucket/prefix/<athlete>/*.csv``, mirrored into ``raw_dir`` (a cache)
    before each scan: changed objects (by ETag) are downloaded, vanished ones removed."""

    s3: ResourceDependency[S3Resource]
    bucket: str
    prefix: str = ""

    def _objects(self) -> dict[str, dict]:
        base = f"{self.prefix.strip('/')}/" if self.prefix.strip("/") else ""
        found = {}
        for page in (
            self.s3.get_client()
            .get_paginator("list_objects_v2")
            .paginate(Bucket=self.bucket, Prefix=base)
        ):
            for obj in page.get("Contents", []):
                relative = obj["Key"][len(base) :]
                parts = relative.split("/")
                if len(parts) == 2 and is_source_name(parts[1]) and parts[0]:
                    found[relative] = obj
        return found

    def discover(self) -> list[SourceFile]:
        cache = Path(self.raw_dir)
        cache.mkdir(parents=True, exist_ok=True)
        objects = self._objects()
        client = self.s3.get_client()
        base = f"{self.prefix.strip('/')}/" if self.prefix.strip("/") else ""
        for relative, obj in objects.items():
            target = cache / relative
            tag = target.with_name(target.name + ".etag")
            if target.exists() and tag.exists() and tag.read_text() == obj["ETag"]:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(target.name + ".part")
            client.download_file(self.bucket, base + relative, str(tmp))
            tmp.replace(target)
            tag.write_text(obj["ETag"])
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

    def _object_key(self, athlete: str, name: str) -> str:
        base = f"{self.prefix.strip('/')}/" if self.prefix.strip("/") else ""
        return f"{base}{athlete}/{name}"

    def read(self, athlete: str, name: str) -> bytes | None:
        client = self.s3.get_client()
        try:
            reply = client.get_object(Bucket=self.bucket, Key=self._object_key(athlete, name))
        except client.exceptions.NoSuchKey:
            return None
        return reply["Body"].read()

    def write(self, athlete: str, name: str, data: bytes) -> str:
        key = self._object_key(athlete, name)
        self.s3.get_client().put_object(
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
