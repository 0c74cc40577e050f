"""Running the platform from tests: the real definitions, an ephemeral Dagster instance."""

from __future__ import annotations

from dagster import DagsterInstance

from fitness_platform.definitions import build_definitions
from fitness_platform.delivery.schedules import range_run_tags
from fitness_platform.settings import Settings

QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


def definitions():
    return build_definitions(Settings.from_env())


def run_ingest(defs=None, instance=None, run_config=None):
    defs = defs or definitions()
    config = dict(QUIET, **(run_config or {}))
    return defs.resolve_job_def("ingest_job").execute_in_process(
        instance=instance or DagsterInstance.ephemeral(), run_config=config, raise_on_error=False
    )


def run_delivery(first: str, last: str, defs=None, instance=None):
    defs = defs or definitions()
    return defs.resolve_job_def("weekly_delivery_job").execute_in_process(
        instance=instance or DagsterInstance.ephemeral(),
        run_config=QUIET,
        tags=range_run_tags(first, last),
        raise_on_error=False,
    )


def materialization_metadata(result, key_path: tuple[str, ...]) -> dict:
    """Metadata values of the (first) materialization of an asset in a run result."""
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        if tuple(mat.asset_key.path) == key_path:
            return {k: v.value for k, v in mat.metadata.items()}
    raise AssertionError(f"no materialization of {key_path}")


def check_results(result) -> dict[str, bool]:
    return {
        e.event_specific_data.check_name: e.event_specific_data.passed
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }
