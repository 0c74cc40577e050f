"""Builds the resources from Settings: the one place that decides local versus cloud."""

from __future__ import annotations

from dagster import EnvVar

from fitness_platform.resources.raw_files import RawFilesResource
from fitness_platform.resources.reporter import OfflineReporterResource
from fitness_platform.resources.storage import LocalStorageResource
from fitness_platform.resources.warehouse import WarehouseResource
from fitness_platform.settings import Settings


def build_resources(settings: Settings) -> dict:
    return {
        "warehouse": WarehouseResource(
            # An EnvVar keeps the URL (and any password in it) out of the UI and run config.
            database_url=EnvVar("FITNESS_DATABASE_URL") if settings.database_url else None,
            embedded_dir=str(settings.embedded_dir),
            allow_mass_delete=settings.allow_deletions,
        ),
        "raw_files": RawFilesResource(raw_dir=str(settings.raw_dir)),
        "storage": build_storage(settings),
        "reporter": build_reporter(settings),
    }


def warehouse_for(settings: Settings) -> WarehouseResource:
    """A warehouse resource with the URL itself (for code outside Dagster, such as the CLI)."""
    return WarehouseResource(database_url=settings.database_url,
                             embedded_dir=str(settings.embedded_dir),
                             allow_mass_delete=settings.allow_deletions)


def build_storage(settings: Settings):
    return LocalStorageResource(root=str(settings.output_dir))


def build_reporter(settings: Settings):
    return OfflineReporterResource()
