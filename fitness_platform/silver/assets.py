"""Silver layer: validated pandas frames, one parse per athlete whose exports changed."""

import hashlib
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetIn,
    AssetOut,
    Config,
    MetadataValue,
    Output,
    asset,
    multi_asset,
)

from fitness_platform.ingest.athlete import SourceFile, fingerprint, parse_many
from fitness_platform.ingest.catalog import load_catalog
from fitness_platform.ingest.corrections import load_corrections
from fitness_platform.ownership import OWNERS
from fitness_platform.paths import CATALOG_PATH, CORRECTIONS_PATH
from fitness_platform.raw.assets import DIET_EXPORTS, WORKOUT_EXPORTS
from fitness_platform.resources.spool import SilverSpoolResource, SpooledFrames
from fitness_platform.resources.warehouse import WarehouseResource
from fitness_platform.silver.batches import LoadBatch, SpoolWhereParsed

EXERCISE_CATALOG = ["silver", "exercise_catalog"]
SILVER_KEYS = {
    "workout_sets": ["silver", "workout_sets"],
    "diet_days": ["silver", "diet_days"],
    "diet_cycles": ["silver", "diet_cycles"],
    "body_measurements": ["silver", "body_measurements"],
    "rejected_rows": ["silver", "rejected_rows"],
    "load_batches": ["silver", "load_batches"],
}
FRAME_OUTPUTS = ("workout_sets", "diet_days", "diet_cycles", "body_measurements", "rejected_rows")
EXPORTS_READABLE = "exports_readable"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "absent"


@asset(key=EXERCISE_CATALOG, group_name="silver", kinds={"pandas", "csv"}, owners=OWNERS)
def exercise_catalog() -> Output[pd.DataFrame]:
    """One row per exercise title of ``data/reference/exercise_catalog.csv``: muscles, equipment,
    type, is_cardio and the stable ``exercise_key``."""
    catalog = load_catalog(CATALOG_PATH)
    return Output(
        catalog,
        metadata={
            "dagster/row_count": len(catalog),
            "sha256": _sha(CATALOG_PATH),
            "muscle_groups": len(set(catalog["primary_muscle_group"])),
        },
    )


class SilverConfig(Config):
    force_reload: bool = False
    """Parse and reload every athlete even when their exports are unchanged."""


def _files(records: list[dict]) -> list[SourceFile]:
    return [
        SourceFile(r["athlete_key"], Path(r["path"]), r["kind"], r["sha256"], r["rows"], r["bytes"])
        for r in records
    ]


@multi_asset(
    ins={
        "workout_exports": AssetIn(key=WORKOUT_EXPORTS),
        "diet_exports": AssetIn(key=DIET_EXPORTS),
    },
    outs={
        "workout_sets": AssetOut(
            key=SILVER_KEYS["workout_sets"],
            is_required=False,
            group_name="silver",
            owners=OWNERS,
            kinds={"pandas"},
            description="Per athlete loaded in this run, one row per accepted set: kg, km, local "
            "times, "
            "exercise block, corrections applied.",
        ),
        "diet_days": AssetOut(
            key=SILVER_KEYS["diet_days"],
            is_required=False,
            group_name="silver",
            owners=OWNERS,
            kinds={"pandas"},
            description="Per athlete loaded in this run, one row per logged day, English columns.",
        ),
        "diet_cycles": AssetOut(
            key=SILVER_KEYS["diet_cycles"],
            is_required=False,
            group_name="silver",
            owners=OWNERS,
            kinds={"pandas"},
            description="Per athlete loaded in this run, one row per diet cycle, parsed by rule "
            "from the diet log's labels.",
        ),
        "body_measurements": AssetOut(
            key=SILVER_KEYS["body_measurements"],
            is_required=False,
            group_name="silver",
            owners=OWNERS,
            kinds={"pandas"},
            description="Per athlete loaded in this run, one row per day and source of body "
            "measurements (Hevy's measurements export, the Hevy API): weight, body fat, "
            "circumferences in cm.",
        ),
        "rejected_rows": AssetOut(
            key=SILVER_KEYS["rejected_rows"],
            is_required=False,
            group_name="silver",
            owners=OWNERS,
            kinds={"pandas"},
            description="Per athlete loaded in this run, one row per quarantined source row and "
            "broken rule.",
        ),
        "load_batches": AssetOut(
            key=SILVER_KEYS["load_batches"],
            group_name="silver",
            owners=OWNERS,
            kinds={"pandas"},
            description="One LoadBatch per athlete: load, unchanged or refused, "
            "with the fingerprint of what it is built from.",
        ),
    },
    check_specs=[
        AssetCheckSpec(
            EXPORTS_READABLE,
            asset=SILVER_KEYS["load_batches"],
            description="Every athlete's exports could be read. A file that cannot be read "
            "refuses that athlete only (its earlier data and outputs stay as they were); this "
            "check then fails, naming the file, line and column.",
        )
    ],
)
def silver_frames(
    context: AssetExecutionContext,
    config: SilverConfig,
    warehouse: WarehouseResource,
    silver_spool: SilverSpoolResource,
    workout_exports: list[dict],
    diet_exports: list[dict],
):
    """Parse each athlete whose files (or the catalog, corrections or parser) changed since their
    last committed load; a file that cannot be read refuses that athlete only. Each frame output
    holds one frame per athlete loaded in this run, written to the run's spool as soon as the
    athlete is parsed, by the process that parsed it (``resources/spool.py``,
    ``silver/batches.py``), so no step holds every athlete's rows at once;
    ``load_batches`` holds one ``LoadBatch`` for every athlete."""
    corrections = load_corrections(CORRECTIONS_PATH)
    context_hash = f"{_sha(CATALOG_PATH)}:{_sha(CORRECTIONS_PATH)}"
    by_athlete: dict[str, list[SourceFile]] = {}
    for f in _files(workout_exports + diet_exports):
        by_athlete.setdefault(f.athlete_key, []).append(f)
    loaded = warehouse.loaded_fingerprints()
    spool = None
    exercise_keys: set[str] = set()
    rules: Counter = Counter()
    batches: dict[str, LoadBatch] = {}
    todo = {}
    for athlete, files in sorted(by_athlete.items()):
        files = sorted(files, key=lambda f: f.path.name)
        fp = fingerprint(files, context_hash)
        unchanged = loaded.get(athlete) == fp and not config.force_reload
        batches[athlete] = LoadBatch(
            athlete_key=athlete,
            fingerprint=fp,
            seen_fingerprint=loaded.get(athlete),
            status="unchanged" if unchanged else "load",
            files=_file_records(files),
        )
        if not unchanged:
            todo[athlete] = files
    # Each athlete's frames are written to the spool where they were parsed: only what silver
    # records of them comes back to this process (``silver.batches.SpoolWhereParsed``).
    spool = silver_spool.open(context.run.run_id) if todo else None
    keep = SpoolWhereParsed(str(spool.directory)) if spool is not None else None
    for athlete, parsed, error in parse_many(todo, corrections, log=context.log.warning, keep=keep):
        batch = batches[athlete]
        if error is not None:
            batch.status, batch.error = "refused", error
            context.log.error(f"athlete {athlete}: {error}")
            continue
        parsed_files = [replace(f, sha256=parsed.file_hashes[f.path.name]) for f in todo[athlete]]
        for before, after in zip(todo[athlete], parsed_files, strict=True):
            if before.sha256 != after.sha256:
                context.log.warning(
                    f"athlete {athlete}: {before.path.name} changed after the scan; "
                    "its current content is loaded and recorded"
                )
        batch.fingerprint = fingerprint(parsed_files, context_hash)
        batch.files = _file_records(parsed_files)
        spool.record(athlete, parsed.rows)
        exercise_keys.update(parsed.exercise_keys)
        rules.update(parsed.rules)
        batch.titles = parsed.titles
        batch.corrections, batch.profile, batch.units = (
            parsed.corrections,
            parsed.profile,
            parsed.units,
        )
        batch.deletions, batch.templates = parsed.deletions, parsed.templates
        batch.sets, batch.diet_days, batch.rejected = (
            parsed.rows["workout_sets"],
            parsed.rows["diet_days"],
            parsed.rows["rejected_rows"],
        )

    batch_list = list(batches.values())
    applied = [dict(c, athlete=b.athlete_key) for b in batch_list for c in b.corrections]
    status = Counter(b.status for b in batch_list)
    frames: dict[str, SpooledFrames] = {
        name: spool.frames(name) if spool is not None else SpooledFrames.empty(name)
        for name in FRAME_OUTPUTS
    }
    extra = {
        "workout_sets": {
            "exercises": len(exercise_keys),
            "corrections_applied": sum(c["status"] == "applied" for c in applied),
            "corrections": MetadataValue.md(_corrections_md(applied)),
        },
        "rejected_rows": {"rules": MetadataValue.json(dict(rules))},
        "load_batches": {
            "to_load": status["load"],
            "unchanged": status["unchanged"],
            "refused": status["refused"],
            "athletes": MetadataValue.md(_batches_md(batch_list)),
            "units": MetadataValue.json({b.athlete_key: b.units for b in batch_list if b.units}),
            "unit_assumptions": MetadataValue.json(
                sorted(
                    {
                        f"{b.athlete_key}/{name}: {note}"
                        for b in batch_list
                        for name, u in b.units.items()
                        for note in u.get("assumed", [])
                    }
                )
            ),
        },
    }
    pending = None if todo else warehouse.gold_pending()
    if not todo and pending is None:
        # Nothing changed and Gold is current: only the batch list is materialized, so the
        # warehouse, Gold and their checks are skipped by Dagster (a replay costs a scan and a
        # fingerprint comparison).
        frames = {}
        context.log.info("every athlete's exports are unchanged since their last load")
    elif pending is not None:
        context.log.info(f"no export changed, but Gold is not current ({pending}): refreshing it")
    for name, by_athlete_frames in frames.items():
        yield Output(
            by_athlete_frames,
            output_name=name,
            metadata={
                "dagster/row_count": by_athlete_frames.rows,
                "athletes": len(by_athlete_frames),
                **extra.get(name, {}),
            },
        )
    yield Output(
        batch_list,
        output_name="load_batches",
        metadata={"dagster/row_count": len(batch_list), **extra["load_batches"]},
    )
    refused = {b.athlete_key: b.error for b in batch_list if b.status == "refused"}
    yield AssetCheckResult(
        check_name=EXPORTS_READABLE,
        asset_key=SILVER_KEYS["load_batches"],
        passed=not refused,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "athletes": len(batch_list),
            "refused": len(refused),
            "refusals": MetadataValue.json(refused),
        },
    )


def _file_records(files: list[SourceFile]) -> list[dict]:
    return [{"file": f.path.name, "sha256": f.sha256, "kind": f.kind} for f in files]


def _batches_md(batches: list[LoadBatch]) -> str:
    if not batches:
        return "no athletes"
    lines = ["| athlete | status | sets | diet days | rejected |", "|---|---|---:|---:|---:|"]
    lines += [
        f"| {b.athlete_key} | {b.status} | {b.sets} | {b.diet_days} | {b.rejected} |"
        for b in batches[:50]
    ]
    if len(batches) > 50:
        lines.append(f"| … {len(batches) - 50} more | | | | |")
    return "\n".join(lines)


def _corrections_md(applied: list[dict]) -> str:
    if not applied:
        return "no corrections applied"
    lines = [
        "| athlete | workout | exercise | set | field | old → new | status |",
        "|---|---|---|---:|---|---|---|",
    ]
    lines += [
        f"| {c['athlete']} | {c['workout_start']} | {c['exercise_title']} | {c['set_index']} "
        f"| {c['field']} | {c['old_value'] or '(blank)'} → {c['new_value']} | {c['status']} |"
        for c in applied
    ]
    return "\n".join(lines)
