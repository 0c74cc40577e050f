"""Raw layer: the exports found under FITNESS_RAW_DIR, one sub-folder per athlete, and the Hevy
accounts mirrored there by the API sync."""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetOut,
    Config,
    Failure,
    MaterializeResult,
    MetadataValue,
    Output,
    asset,
    multi_asset,
)

from fitness_platform.ingest.athlete import UNKNOWN, SourceFile
from fitness_platform.ownership import OWNERS
from fitness_platform.raw.hevy_sync import AthleteSync, sync_athletes
from fitness_platform.resources.hevy_api import HevyApiResource
from fitness_platform.resources.raw_files import RawFilesResource

WORKOUT_EXPORTS = ["raw", "workout_exports"]
DIET_EXPORTS = ["raw", "diet_exports"]
HEVY_API = ["raw", "hevy_api"]


def file_record(f: SourceFile) -> dict:
    return {
        "athlete_key": f.athlete_key,
        "path": str(f.path),
        "file": f.path.name,
        "kind": f.kind,
        "role": f.role,
        "sha256": f.sha256,
        "rows": f.rows,
        "bytes": f.size,
    }


def _table(records: list[dict]) -> str:
    lines = ["| athlete | file | kind | rows | sha256 |", "|---|---|---|---:|---|"]
    lines += [
        f"| {r['athlete_key']} | {r['file']} | {r['kind']} | {r['rows']} | `{r['sha256'][:12]}` |"
        for r in records
    ]
    return "\n".join(lines)


def _output(records: list[dict], name: str) -> Output:
    return Output(
        records,
        output_name=name,
        metadata={
            "files": MetadataValue.md(_table(records) if records else "no files"),
            "file_count": len(records),
            "athletes": len({r["athlete_key"] for r in records}),
            "dagster/row_count": sum(r["rows"] for r in records),
        },
    )


@multi_asset(
    # The API mirrors are files of the raw folder like the exports: lineage only (the ingestion
    # job scans the folder; the sync runs in a job of its own, on its schedule).
    deps=[HEVY_API],
    outs={
        "workout_exports": AssetOut(
            key=WORKOUT_EXPORTS,
            group_name="raw",
            owners=OWNERS,
            kinds={"csv"},
            description="Workout exports (Hevy, Strong), one record per file: athlete, path, kind, "
            "sha256, rows. "
            "Files whose kind cannot be recognised are listed here too, so that silver "
            "refuses them by name.",
        ),
        "diet_exports": AssetOut(
            key=DIET_EXPORTS,
            group_name="raw",
            owners=OWNERS,
            kinds={"csv"},
            description="Diet logs (personal SQLite export, Cronometer), cycles files and athlete "
            "settings, one record per file: athlete, path, kind, sha256, rows.",
        ),
    },
)
def raw_exports(context: AssetExecutionContext, raw_files: RawFilesResource):
    """Scan the raw folder once; each file's kind comes from its header, not its name. A missing
    folder fails the run; an empty one, or an athlete folder without exports, is said so."""
    problem = raw_files.problem()
    if problem:
        raise Failure(description=problem)
    files = [file_record(f) for f in raw_files.discover()]
    known, read = raw_files.last_scan()
    if files:
        context.log.info(
            f"found {len(files)} export files under {raw_files.describe()} "
            f"({read} read, {known} unchanged by size and modification time)"
        )
    else:
        context.log.warning(f"no exports found under {raw_files.describe()}")
    found = {r["athlete_key"] for r in files}
    for athlete in raw_files.athlete_folders():
        if athlete not in found:
            context.log.warning(f"athlete folder {athlete!r} holds no exports; it is ignored")
    # Workout files, and files of unknown kind (so that silver refuses them by name), in one
    # output; diet logs, cycles and settings in the other.
    workouts = {"workouts", UNKNOWN}
    yield _output([r for r in files if r["role"] in workouts], "workout_exports")
    yield _output([r for r in files if r["role"] not in workouts], "diet_exports")


HEVY_SYNCS_COMPLETED = "hevy_syncs_completed"
# One sync at a time across runs: the API publishes no rate limit, so it is not raced.
HEVY_API_POOL = "hevy_api"


class HevySyncConfig(Config):
    athletes: list[str] = []
    """Athletes to sync (empty: every athlete whose athlete.toml names a Hevy API key)."""


def _sync_table(results: list[AthleteSync]) -> str:
    if not results:
        return "no athlete has connected a Hevy account (hevy_api_key_env in athlete.toml)"
    lines = [
        "| athlete | status | first sync | events | updated | deleted | API calls |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.athlete_key} | {r.status} | {r.summary.first_sync} | {r.summary.events} "
        f"| {r.summary.updated} | {r.summary.deleted} | {r.summary.calls} |"
        for r in results
    ]
    return "\n".join(lines)


@asset(
    key=HEVY_API,
    group_name="raw",
    owners=OWNERS,
    kinds={"api", "json"},
    pool=HEVY_API_POOL,
    description="The Hevy account of every athlete who connected one, mirrored into "
    "<athlete>/hevy-api.json: a full walk the first time, then the workout events since the "
    "cursor. A mirror is rewritten only when something arrived, which is what starts an "
    "ingestion (the raw sensor sees the file change).",
    check_specs=[
        AssetCheckSpec(
            HEVY_SYNCS_COMPLETED,
            asset=HEVY_API,
            description="Every connected athlete's sync completed; a refused key or an API "
            "that kept failing fails this check naming the athlete (the others are synced).",
        )
    ],
)
def hevy_api(
    context: AssetExecutionContext,
    config: HevySyncConfig,
    raw_files: RawFilesResource,
    hevy_api: HevyApiResource,
) -> MaterializeResult:
    results = sync_athletes(raw_files, hevy_api, only=config.athletes or None)
    failed = {r.athlete_key: r.error for r in results if r.status == "failed"}
    for r in results:
        if r.error:
            context.log.error(f"athlete {r.athlete_key}: {r.error}")
        else:
            context.log.info(
                f"athlete {r.athlete_key}: {r.status}, {r.summary.events} events, "
                f"{r.summary.calls} API calls"
            )
    return MaterializeResult(
        metadata={
            "athletes": len(results),
            "changed": sum(r.status == "synced" for r in results),
            "failed": len(failed),
            "api_calls": sum(r.summary.calls for r in results),
            "syncs": MetadataValue.md(_sync_table(results)),
        },
        check_results=[
            AssetCheckResult(
                check_name=HEVY_SYNCS_COMPLETED,
                passed=not failed,
                severity=AssetCheckSeverity.ERROR,
                metadata={"failures": MetadataValue.json(failed)},
            )
        ],
    )
