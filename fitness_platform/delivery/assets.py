"""Delivery layer: the weekly payload per athlete (JSON contract) and the weekly report."""

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
from sqlalchemy import text

from fitness_platform.delivery.publish import publish_payloads, publish_reports
from fitness_platform.gold.assets import gold_key
from fitness_platform.resources.reporter import ReporterResource
from fitness_platform.resources.storage import StorageResource
from fitness_platform.resources.warehouse import WarehouseResource

# BackfillPolicy is beta in Dagster 1.13; a single-run backfill of every week is a design choice.
warnings.filterwarnings("ignore", category=BetaWarning, message=".*backfill_policy.*")

PAYLOAD_KEY = AssetKey(["delivery", "weekly_payload"])
REPORT_KEY = AssetKey(["delivery", "weekly_report"])
PAYLOAD_MATCHES_SCHEMA = "payload_matches_json_schema"
REPORT_NUMBERS_TRACEABLE = "report_numbers_traceable"
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


def _table(rows: list[dict], columns: list[str], limit: int = 30) -> str:
    if not rows:
        return "nothing"
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(r[c]) for c in columns) + " |" for r in rows[:limit]]
    if len(rows) > limit:
        lines.append(f"| … {len(rows) - limit} more |" + " |" * (len(columns) - 1))
    return "\n".join(lines)


def _progress(context, what: str):
    return lambda done, total: context.log.info(f"{what}: {done}/{total}")


def build_delivery_assets(partitions_def: PartitionsDefinition):
    @asset(
        key=PAYLOAD_KEY,
        partitions_def=partitions_def,
        backfill_policy=BackfillPolicy.single_run(),
        group_name="delivery",
        kinds={"json"},
        deps=[gold_key(v) for v in PAYLOAD_SOURCES],
        check_specs=[
            AssetCheckSpec(
                PAYLOAD_MATCHES_SCHEMA,
                asset=PAYLOAD_KEY,
                description="Every payload built validates against "
                "contracts/weekly_payload.v1.schema.json.",
            )
        ],
    )
    def weekly_payload(
        context: AssetExecutionContext, warehouse: WarehouseResource, storage: StorageResource
    ) -> MaterializeResult:
        """One JSON file per athlete per week (athlete=<key>/week_start=<monday>): the canonical,
        byte-deterministic description of that week. Only changed bytes are written."""
        first, last = window_weeks(context)
        with warehouse.connect() as conn:
            summary = publish_payloads(
                conn, storage, first, last, progress=_progress(context, "payloads")
            )
        weeks = (last - first).days // 7 + 1
        metadata = {
            "weeks": weeks,
            "payloads_built": summary.validated,
            "written": len(summary.written),
            "unchanged": summary.unchanged,
            "deleted": len(summary.deleted),
            "weeks_without_data": weeks - summary.weeks_with_data,
            "storage_root": storage.root_uri(),
            "written_payloads": MetadataValue.md(
                _table(summary.written, ["athlete", "week_start", "sha256"])
            ),
        }
        if summary.last:
            metadata.update(
                {
                    "path": MetadataValue.path(summary.last["uri"]),
                    "sha256": summary.last["sha256"],
                    "preview": MetadataValue.md(f"```json\n{summary.last['preview']}\n…\n```"),
                }
            )
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
                )
            ],
        )

    @asset(
        key=REPORT_KEY,
        partitions_def=partitions_def,
        backfill_policy=BackfillPolicy.single_run(),
        group_name="delivery",
        kinds={"markdown", "bedrock"},
        deps=[PAYLOAD_KEY],
        pool=REPORTER_POOL,
        retry_policy=REPORT_RETRY,
        check_specs=[
            AssetCheckSpec(
                REPORT_NUMBERS_TRACEABLE,
                asset=REPORT_KEY,
                description="Every number a report states can be traced to "
                "its payload (allowing a writer's rounding).",
            )
        ],
    )
    def weekly_report(
        context: AssetExecutionContext,
        warehouse: WarehouseResource,
        storage: StorageResource,
        reporter: ReporterResource,
    ) -> MaterializeResult:
        """One Markdown coaching report per athlete per week, written from that week's payload;
        regenerated only when the payload, the reporter, its prompt version or model changed."""
        first, last = window_weeks(context)
        with warehouse.connect() as conn:
            athletes = [
                r[0]
                for r in conn.execute(
                    text("SELECT athlete_key FROM fitness.athletes ORDER BY athlete_key")
                ).all()
            ]
        summary = publish_reports(
            storage, reporter, athletes, first, last, progress=_progress(context, "reports")
        )
        metadata = {
            "written": len(summary.written),
            "unchanged": summary.unchanged,
            "deleted": len(summary.deleted),
            **reporter.identity(),
            "storage_root": storage.root_uri(),
            "written_reports": MetadataValue.md(_table(summary.written, ["athlete", "week_start"])),
            **{f"usage_{k}": v for k, v in summary.usage.items()},
        }
        if summary.latencies_ms:
            ordered = sorted(summary.latencies_ms)
            metadata["latency_ms_p50"] = round(ordered[len(ordered) // 2], 1)
            metadata["latency_ms_max"] = round(ordered[-1], 1)
        if summary.last:
            metadata.update(
                {
                    "path": MetadataValue.path(summary.last["uri"]),
                    "preview": MetadataValue.md(summary.last["preview"]),
                }
            )
        return MaterializeResult(
            metadata=metadata,
            check_results=[
                AssetCheckResult(
                    check_name=REPORT_NUMBERS_TRACEABLE,
                    passed=not summary.untraceable,
                    severity=AssetCheckSeverity.WARN,
                    metadata={
                        "reports_checked": len(summary.written),
                        "reports_with_untraceable_numbers": len(summary.untraceable),
                        "untraceable": MetadataValue.json(summary.untraceable[:20]),
                    },
                )
            ],
        )

    return [weekly_payload, weekly_report]
