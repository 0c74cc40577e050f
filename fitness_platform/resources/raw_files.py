"""The raw exports: a local folder, or an S3 prefix mirrored into a local cache; one sub-folder
per athlete either way."""

import hashlib
import shutil
from pathlib import Path

from dagster import ConfigurableResource, ResourceDependency
from dagster_aws.s3 import S3Resource

from fitness_platform.ingest.athlete import SourceFile, discover


class RawFilesResource(ConfigurableResource):
    """Lists the exports under ``raw_dir/<athlete>/*.csv`` with their hash and detected kind."""

    raw_dir: str

    def local_dir(self) -> Path:
        return Path(self.raw_dir)

    def discover(self) -> list[SourceFile]:
        return discover(self.local_dir())

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

    def state(self) -> str:
        """A cheap fingerprint of the folder (path, size, mtime of every CSV) for the sensor."""
        digest = hashlib.sha256()
        root = Path(self.raw_dir)
        if root.is_dir():
            for path in sorted(root.glob("*/*.csv")):
                stat = path.stat()
                digest.update(
                    f"{path.relative_to(root)}\t{stat.st_size}\t{stat.st_mtime_ns}\n".encode()
                )
        return digest.hexdigest()

    def describe(self) -> str:
        return str(Path(self.raw_dir).resolve())


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
                if len(parts) == 2 and parts[1].lower().endswith(".csv") and parts[0]:
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
        for path in cache.glob("*/*.csv"):
            if str(path.relative_to(cache)) not in objects:
                path.unlink()
                path.with_name(path.name + ".etag").unlink(missing_ok=True)
        for folder in [p for p in cache.iterdir() if p.is_dir() and not any(p.iterdir())]:
            shutil.rmtree(folder)
        return discover(cache)

    def problem(self) -> str | None:
        return None  # an empty or missing prefix is simply no objects; a missing bucket raises

    def athlete_folders(self) -> list[str]:
        return []  # an S3 prefix has no empty folders

    def state(self) -> str:
        digest = hashlib.sha256()
        for relative, obj in sorted(self._objects().items()):
            digest.update(f"{relative}\t{obj['ETag']}\t{obj['Size']}\n".encode())
        return digest.hexdigest()

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix.strip('/')}".rstrip("/")
