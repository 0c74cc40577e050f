"""Raw layer: the exports found under FITNESS_RAW_DIR, one sub-folder per athlete."""

from dagster import AssetExecutionContext, AssetOut, Failure, MetadataValue, Output, multi_asset

from fitness_platform.ingest.athlete import UNKNOWN, SourceFile
from fitness_platform.ownership import OWNERS
from fitness_platform.resources.raw_files import RawFilesResource

WORKOUT_EXPORTS = ["raw", "workout_exports"]
DIET_EXPORTS = ["raw", "diet_exports"]


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
    if files:
        context.log.info(f"found {len(files)} export files under {raw_files.describe()}")
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
