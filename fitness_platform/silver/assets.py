"""Silver layer: validated pandas frames, one parse per athlete whose exports changed."""

import hashlib
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

from fitness_platform.ingest.athlete import SourceFile, concat_frames, fingerprint, parse_many
from fitness_platform.ingest.catalog import load_catalog
from fitness_platform.ingest.corrections import load_corrections
from fitness_platform.ingest.diet import CYCLE_COLUMNS, DIET_COLUMNS
from fitness_platform.ingest.hevy import SET_COLUMNS
from fitness_platform.ingest.rules import REJECT_COLUMNS
from fitness_platform.paths import CATALOG_PATH, CORRECTIONS_PATH
from fitness_platform.raw.assets import DIET_EXPORTS, WORKOUT_EXPORTS
from fitness_platform.resources.warehouse import WarehouseResource

EXERCISE_CATALOG = ["silver", "exercise_catalog"]
SILVER_KEYS = {
    "workout_sets": ["silver", "workout_sets"],
    "diet_days": ["silver", "diet_days"],
    "diet_cycles": ["silver", "diet_cycles"],
    "rejected_rows": ["silver", "rejected_rows"],
    "load_batches": ["silver", "load_batches"],
}
EXPORTS_READABLE = "exports_readable"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "absent"


@asset(key=EXERCISE_CATALOG, group_name="silver", kinds={"pandas", "csv"})
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
        "catalog": AssetIn(key=EXERCISE_CATALOG),
    },
    outs={
        "workout_sets": AssetOut(
            key=SILVER_KEYS["workout_sets"],
            is_required=False,
            group_name="silver",
            kinds={"pandas"},
            description="One row per accepted set: kg, km, local times, "
            "exercise block, corrections applied.",
        ),
        "diet_days": AssetOut(
            key=SILVER_KEYS["diet_days"],
            is_required=False,
            group_name="silver",
            kinds={"pandas"},
            description="One row per athlete and logged day, English columns.",
        ),
        "diet_cycles": AssetOut(
            key=SILVER_KEYS["diet_cycles"],
            is_required=False,
            group_name="silver",
            kinds={"pandas"},
            description="One row per athlete and diet cycle, parsed by rule "
            "from the diet log's labels.",
        ),
        "rejected_rows": AssetOut(
            key=SILVER_KEYS["rejected_rows"],
            is_required=False,
            group_name="silver",
            kinds={"pandas"},
            description="One row per quarantined source row and broken rule.",
        ),
        "load_batches": AssetOut(
            key=SILVER_KEYS["load_batches"],
            group_name="silver",
            kinds={"pandas"},
            description="One row per athlete: load, unchanged or refused, "
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
    workout_exports: list[dict],
    diet_exports: list[dict],
    catalog: pd.DataFrame,
):
    """Parse each athlete whose files (or the catalog, corrections or parser) changed since their
    last committed load; a file that cannot be read refuses that athlete only."""
    corrections = load_corrections(CORRECTIONS_PATH)
    context_hash = f"{_sha(CATALOG_PATH)}:{_sha(CORRECTIONS_PATH)}"
    by_athlete: dict[str, list[SourceFile]] = {}
    for f in _files(workout_exports + diet_exports):
        by_athlete.setdefault(f.athlete_key, []).append(f)
    loaded = warehouse.loaded_fingerprints()
    sets, diets, cycles, rejects, batches = [], [], [], [], []
    todo = {}
    for athlete, files in sorted(by_athlete.items()):
        files = sorted(files, key=lambda f: f.path.name)
        fp = fingerprint(files, context_hash)
        batch = {
            "athlete_key": athlete,
            "fingerprint": fp,
            "seen_fingerprint": loaded.get(athlete),
            "status": "load",
            "error": None,
            "files": [{"file": f.path.name, "sha256": f.sha256, "kind": f.kind} for f in files],
            "corrections": [],
            "profile": {},
            "units": {},
            "sets": 0,
            "diet_days": 0,
            "rejected": 0,
        }
        if loaded.get(athlete) == fp and not config.force_reload:
            batch["status"] = "unchanged"
        else:
            todo[athlete] = files
        batches.append(batch)
    by_key = {b["athlete_key"]: b for b in batches}
    for athlete, parsed, error in parse_many(todo, catalog, corrections, log=context.log.warning):
        batch = by_key[athlete]
        if error is not None:
            batch.update(status="refused", error=error)
            context.log.error(f"athlete {athlete}: {error}")
            continue
        parsed_files = [replace(f, sha256=parsed.file_hashes[f.path.name]) for f in todo[athlete]]
        for before, after in zip(todo[athlete], parsed_files, strict=True):
            if before.sha256 != after.sha256:
                context.log.warning(
                    f"athlete {athlete}: {before.path.name} changed after the scan; "
                    "its current content is loaded and recorded"
                )
        batch.update(
            fingerprint=fingerprint(parsed_files, context_hash),
            files=[{"file": f.path.name, "sha256": f.sha256, "kind": f.kind} for f in parsed_files],
        )
        sets.append(parsed.sets)
        diets.append(parsed.diet)
        cycles.append(parsed.cycles)
        rejects.append(parsed.rejects)
        batch.update(
            corrections=parsed.corrections,
            profile=parsed.profile,
            units=parsed.units,
            sets=len(parsed.sets),
            diet_days=len(parsed.diet),
            rejected=len(parsed.rejects),
        )

    frames = {
        "workout_sets": concat_frames(sets, SET_COLUMNS),
        "diet_days": concat_frames(diets, DIET_COLUMNS),
        "diet_cycles": concat_frames(cycles, CYCLE_COLUMNS),
        "rejected_rows": concat_frames(rejects, REJECT_COLUMNS),
        "load_batches": pd.DataFrame(
            batches,
            columns=[
                "athlete_key",
                "fingerprint",
                "seen_fingerprint",
                "status",
                "error",
                "files",
                "corrections",
                "profile",
                "units",
                "sets",
                "diet_days",
                "rejected",
            ],
        ),
    }
    applied = [dict(c, athlete=b["athlete_key"]) for b in batches for c in b["corrections"]]
    status = frames["load_batches"]["status"].value_counts().to_dict()
    extra = {
        "workout_sets": {
            "exercises": int(frames["workout_sets"]["exercise_key"].nunique()),
            "corrections_applied": sum(c["status"] == "applied" for c in applied),
            "corrections": MetadataValue.md(_corrections_md(applied)),
        },
        "rejected_rows": {
            "rules": MetadataValue.json(frames["rejected_rows"]["rule"].value_counts().to_dict())
        },
        "load_batches": {
            "to_load": status.get("load", 0),
            "unchanged": status.get("unchanged", 0),
            "refused": status.get("refused", 0),
            "units": MetadataValue.json(
                {b["athlete_key"]: b["units"] for b in batches if b["units"]}
            ),
            "unit_assumptions": MetadataValue.json(
                sorted(
                    {
                        f"{b['athlete_key']}/{name}: {note}"
                        for b in batches
                        for name, u in b["units"].items()
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
        frames = {"load_batches": frames["load_batches"]}
        context.log.info("every athlete's exports are unchanged since their last load")
    elif pending is not None:
        context.log.info(f"no export changed, but Gold is not current ({pending}): refreshing it")
    for name, frame in frames.items():
        yield Output(
            frame,
            output_name=name,
            metadata={"dagster/row_count": len(frame), **extra.get(name, {})},
        )
    refused = {b["athlete_key"]: b["error"] for b in batches if b["status"] == "refused"}
    yield AssetCheckResult(
        check_name=EXPORTS_READABLE,
        asset_key=SILVER_KEYS["load_batches"],
        passed=not refused,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "athletes": len(batches),
            "refused": len(refused),
            "refusals": MetadataValue.json(refused),
        },
    )


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
