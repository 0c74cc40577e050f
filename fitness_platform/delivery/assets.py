"""Delivery layer: the weekly payload per athlete (JSON contract) and the weekly report."""

import time
import warnings
from datetime import date, timedelta

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    Backoff,
    BetaWarning,
    MaterializeResult,
    MetadataValue,
    PartitionsDefinition,
    RetryPolicy,
    asset,
)

from fitness_platform.delivery.payload import athlete_keys
from fitness_platform.delivery.publish import (
    SHOWN_PER_WEEK,
    athlete_sources,
    data_weeks,
    outside_partitions_warning,
    publish_payloads,
    publish_reports,
)
from fitness_platform.delivery.reporters import ReporterResource
from fitness_platform.delivery.shards import run_shard, shard_athletes
from fitness_platform.gold.assets import gold_key
from fitness_platform.ownership import OWNERS
from fitness_platform.resources.storage import StorageResource
from fitness_platform.resources.warehouse import WarehouseResource

# BackfillPolicy is beta in Dagster 1.13; a single-run backfill of every week is a design choice.
warnings.filterwarnings("ignore", category=BetaWarning, message=".*backfill_policy.*")

PAYLOAD_KEY = AssetKey(["delivery", "weekly_payload"])
REPORT_KEY = AssetKey(["delivery", "weekly_report"])
PAYLOAD_MATCHES_SCHEMA = "payload_matches_json_schema"
DATA_INSIDE_PARTITIONS = "data_inside_partitions"
REPORT_NUMBERS_TRACEABLE = "report_numbers_traceable"
REPORTS_VERIFIED = "reports_verified"
# One report step at a time across all runs: a backfill of every week must not hammer Bedrock.
REPORTER_POOL = "bedrock"
REPORT_RETRY = RetryPolicy(max_retries=3, delay=30, backoff=Backoff.EXPONENTIAL)
PAYLOAD_SOURCES = [
    "gold_weekly_fitness_summary",
    "gold_weekly_data_quality",
    "gold_weekly_muscle_group_volume",
    "gold_llm_weekly_exercise_context",
]


def window_weeks(context: AssetExecutionContext) -> tuple[date, date]:
    """First and last Monday of the run's partition range (one week, or a whole backfill)."""
    window = context.partition_time_window
    return window.start.date(), window.end.date() - timedelta(days=7)


def _table(rows: list[dict], columns: list[str], limit: int = SHOWN_PER_WEEK) -> str:
    if not rows:
        return "nothing"
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(r[c]) for c in columns) + " |" for r in rows[:limit]]
    if len(rows) > limit:
        lines.append(f"| … {len(rows) - limit} more |" + " |" * (len(columns) - 1))
    return "\n".join(lines)


PROGRESS_EVERY_S = 15.0
"""Progress lines at most this often: each is an event in the run's log (a few ms to store), and
a backfill of a large installation counts hundreds of thousands of items."""


def _progress(context, what: str):
    last = [time.monotonic()]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or now - last[0] >= PROGRESS_EVERY_S:
            last[0] = now
            context.log.info(f"{what}: {done}/{total}")

    return report


def _week_metadata(counts, *, kind: str) -> dict:
    """The metadata of one weekly partition: what this run did to that week's outputs."""
    if not counts.athletes and not counts.deleted:
        return {"has_data": False, "note": f"no athlete has data this week: no {kind} written"}
    metadata = {
        "has_data": bool(counts.athletes),
        "athletes": counts.athletes,
        "written": counts.written,
        "unchanged": counts.unchanged,
        "deleted": counts.deleted,
        kind + "s": MetadataValue.md(
            _table(counts.items, ["athlete", "action"] + (["sha256"] if kind == "payload" else []))
        ),
    }
    first = next((item for item in counts.items if "preview" in item), None)
    if first is not None:
        metadata["path"] = MetadataValue.path(first["uri"])
        preview = first["preview"]
        metadata["preview"] = MetadataValue.md(
            f"```json\n{preview}\n…\n```" if kind == "payload" else preview
        )
    return metadata


def _record_weeks(context, weeks: dict, *, kind: str) -> list[str]:
    """Attach each week's own metadata to its partition; returns the weeks without data."""
    empty = []
    for week, counts in weeks.items():
        context.add_asset_metadata(_week_metadata(counts, kind=kind), partition_key=week)
        if not counts.athletes and not counts.deleted:
            empty.append(week)
    return empty


def _ranges(weeks: list[str]) -> str:
    """``2023-05-01…2023-05-15, 2024-01-01`` for a list of Mondays (consecutive ones joined)."""
    spans: list[list[date]] = []
    for week in sorted(date.fromisoformat(w) for w in weeks):
        if spans and week - spans[-1][1] == timedelta(days=7):
            spans[-1][1] = week
        else:
            spans.append([week, week])
    return ", ".join(str(a) if a == b else f"{a}…{b}" for a, b in spans) or "none"


def build_delivery_assets(partitions_def: PartitionsDefinition):
    @asset(
        key=PAYLOAD_KEY,
        partitions_def=partitions_def,
        backfill_policy=BackfillPolicy.single_run(),
        group_name="delivery",
        owners=OWNERS,
        kinds={"json"},
        deps=[gold_key(v) for v in PAYLOAD_SOURCES],
        check_specs=[
            AssetCheckSpec(
                PAYLOAD_MATCHES_SCHEMA,
                asset=PAYLOAD_KEY,
                description="Every payload built validates against "
                "contracts/weekly_payload.v2.schema.json.",
            ),
            AssetCheckSpec(
                DATA_INSIDE_PARTITIONS,
                asset=PAYLOAD_KEY,
                description="No week with data lies before the first weekly partition "
                "(FITNESS_PARTITION_START); such weeks could get no payload or report.",
            ),
        ],
    )
    def weekly_payload(
        context: AssetExecutionContext, warehouse: WarehouseResource, storage: StorageResource
    ) -> MaterializeResult:
        """One JSON file per athlete per week (athlete=<key>/week_start=<monday>): the canonical,
        byte-deterministic description of that week. Only changed bytes are written."""
        first, last = window_weeks(context)
        with warehouse.connect() as conn:
            shard = run_shard(context)
            summary = publish_payloads(
                conn,
                storage,
                first,
                last,
                progress=_progress(context, "payloads"),
                athletes=shard_athletes(context, athlete_keys(conn)) if shard else None,
            )
            outside = data_weeks(conn, partitions_def.get_partition_keys())
        warning = outside_partitions_warning(outside, partitions_def.get_first_partition_key())
        if warning:
            context.log.warning(warning)
        empty = _record_weeks(context, summary.weeks, kind="payload")
        metadata = {
            "run_weeks": len(summary.weeks),
            "run_payloads_built": summary.validated,
            "run_written": len(summary.written),
            "run_unchanged": summary.unchanged,
            "run_deleted": len(summary.deleted),
            "run_athletes_skipped": summary.athletes_skipped,
            "run_athlete_shard": str(shard) if shard else "all",
            "run_weeks_without_data": len(empty),
            "run_weeks_without_data_list": _ranges(empty),
            "storage_root": storage.root_uri(),
        }
        if not summary.validated:
            context.log.info(f"no athlete has data between {first} and {last}: nothing written")
        return MaterializeResult(
            metadata=metadata,
            check_results=[
                AssetCheckResult(
                    check_name=PAYLOAD_MATCHES_SCHEMA,
                    passed=not summary.invalid,
                    metadata={
                        "validated": summary.validated,
                        "invalid": len(summary.invalid),
                        "errors": MetadataValue.json(summary.invalid[:10]),
                    },
                ),
                AssetCheckResult(
                    check_name=DATA_INSIDE_PARTITIONS,
                    passed=not outside.weeks_before_partitions,
                    severity=AssetCheckSeverity.WARN,
                    metadata={
                        "weeks_before_first_partition": outside.weeks_before_partitions,
                        "earliest_data_week": str(outside.earliest_data_week),
                        "first_partition": partitions_def.get_first_partition_key() or "",
                    },
                ),
            ],
        )

    @asset(
        key=REPORT_KEY,
        partitions_def=partitions_def,
        backfill_policy=BackfillPolicy.single_run(),
        group_name="delivery",
        owners=OWNERS,
        kinds={"markdown", "llm"},
        deps=[PAYLOAD_KEY],
        pool=REPORTER_POOL,
        retry_policy=REPORT_RETRY,
        check_specs=[
            AssetCheckSpec(
                REPORTS_VERIFIED,
                asset=REPORT_KEY,
                description="Every report written in the run passed verification statement by "
                "statement (cited paths exist, directions match the deltas' signs, records match "
                "the flags, no number of its own); a week whose report was refused has none.",
            ),
            AssetCheckSpec(
                REPORT_NUMBERS_TRACEABLE,
                asset=REPORT_KEY,
                description="Every number each report of the weeks in the run states (written "
                "in this run or earlier) can be traced to its payload, allowing a writer's "
                "rounding and the reference constants of delivery/reference.py.",
            ),
        ],
    )
    def weekly_report(
        context: AssetExecutionContext,
        warehouse: WarehouseResource,
        storage: StorageResource,
        reporter: ReporterResource,
    ) -> MaterializeResult:
        """One Markdown coaching report per athlete per week, written from that week's payload as
        verified statements (the offline reporter, Bedrock, Anthropic or an OpenAI-compatible
        model); regenerated only when the payload, the reporter, its prompt version or model
        changed. Beside each: its sidecar (usage, cost) and its verification record."""
        first, last = window_weeks(context)
        with warehouse.connect() as conn:
            athletes = shard_athletes(context, athlete_keys(conn))
            sources = athlete_sources(conn)
        summary = publish_reports(
            storage,
            reporter,
            athletes,
            first,
            last,
            progress=_progress(context, "reports"),
            sources=sources,
            every_athlete=run_shard(context) is None,
        )
        _record_weeks(context, summary.weeks, kind="report")
        metadata = {
            "run_written": len(summary.written),
            "run_unchanged": summary.unchanged,
            "run_deleted": len(summary.deleted),
            "run_athletes_skipped": summary.athletes_skipped,
            **reporter.identity(),
            "storage_root": storage.root_uri(),
            **{f"run_usage_{k}": v for k, v in summary.usage.items()},
            "run_refused": len(summary.refused),
            "run_cost_usd_estimate": round(summary.cost_usd, 6),
            "run_reports_without_price": summary.cost_unknown,
        }
        for refusal in summary.refused:
            context.log.error(
                f"report refused for {refusal['athlete']} week {refusal['week_start']}: "
                f"{refusal['error']}"
            )
        if summary.latencies_ms:
            ordered = sorted(summary.latencies_ms)
            metadata["run_latency_ms_p50"] = round(ordered[len(ordered) // 2], 1)
            metadata["run_latency_ms_max"] = round(ordered[-1], 1)
        return MaterializeResult(
            metadata=metadata,
            check_results=[
                AssetCheckResult(
                    check_name=REPORTS_VERIFIED,
                    passed=not summary.refused,
                    metadata={
                        "reports_written": len(summary.written),
                        "reports_refused": len(summary.refused),
                        "refused": MetadataValue.json(summary.refused[:20]),
                    },
                ),
                AssetCheckResult(
                    check_name=REPORT_NUMBERS_TRACEABLE,
                    passed=not summary.untraceable,
                    severity=AssetCheckSeverity.WARN,
                    metadata={
                        "reports_checked": summary.checked,
                        "reports_written": len(summary.written),
                        "reports_with_untraceable_numbers": len(summary.untraceable),
                        "untraceable": MetadataValue.json(summary.untraceable[:20]),
                    },
                ),
            ],
        )

    return [weekly_payload, weekly_report]
