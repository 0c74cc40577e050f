"""The raw exports folder: one sub-folder per athlete."""

from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource

from fitness_platform.ingest.athlete import SourceFile, discover


class RawFilesResource(ConfigurableResource):
    """Lists the exports under ``raw_dir/<athlete>/*.csv`` with their hash and detected kind."""

    raw_dir: str

    def discover(self) -> list[SourceFile]:
        return discover(Path(self.raw_dir))
