"""The site and e-mail assets: HTML reports with charts, athlete indexes, cycle pages and the coach's
roster, written through the storage resource; then the newest report e-mailed, once per content."""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    PartitionsDefinition,
    asset,
)

from fitness_platform.delivery.assets import REPORT_KEY, window_weeks
from fitness_platform.delivery.payload import athlete_keys
from fitness_platform.delivery.shards import shard_athletes
from fitness_platform.ownership import OWNERS
from fitness_platform.resources.email import EmailResource
from fitness_platform.resources.storage import StorageResource
from fitness_platform.resources.warehouse import WarehouseResource
from fitness_platform.site.mail import send_reports
from fitness_platform.site.publish import (
    ROSTER_KEY,
    index_key,
    private_link_errors,
    publish_site,
    record_site_stamp,
    site_stamp,
)

SITE_KEY = AssetKey(["delivery", "athlete_site"])
EMAIL_KEY = AssetKey(["delivery", "report_email"])
SITE_PAGES_PRIVATE = "athlete_pages_link_only_to_their_athlete"
EMAILS_SENT = "report_emails_sent"


def build_site_assets(partitions_def: PartitionsDefinition):
    @asset(
        key=SITE_KEY,
        partitions_def=partitions_def,
        backfill_policy=BackfillPolicy.single_run(),
        group_name="delivery",
        owners=OWNERS,
        kinds={"html", "svg"},
        deps=[REPORT_KEY],
        check_specs=[
            AssetCheckSpec(
                SITE_PAGES_PRIVATE,
                asset=SITE_KEY,
                description="No athlete page links to or embeds anything outside that athlete's "
                "folder (health data: one athlete never sees another's), and no page loads "
                "anything from the network.",
            )
        ],
    )
    def athlete_site(
        context: AssetExecutionContext, warehouse: WarehouseResource, storage: StorageResource
    ) -> MaterializeResult:
        """The static site under ``site/``: one HTML page per weekly report (inline SVG charts,
        light and dark, printable, phone-width), each athlete's index of weeks and diet cycles,
        ``latest.html``, and the coach's roster. Only pages whose bytes change are written. It
        mirrors every stored report, whatever the run's weeks: an athlete whose payloads or
        reports changed has every page whose inputs changed rendered again."""
        with warehouse.connect() as conn:
            athletes = athlete_keys(conn)
            chosen = shard_athletes(context, athletes)
            summary = publish_site(conn, storage, chosen, roster=athletes)
        errors = private_link_errors(storage, summary)
        # The whole site, every page private: what it was built from, for the next CLI run.
        whole = chosen == athletes and not errors
        record_site_stamp(storage, site_stamp(storage, athletes) if whole else None)
        metadata = {
            "run_written": len(summary.written),
            "run_unchanged": summary.unchanged,
            "run_deleted": len(summary.deleted),
            "athletes": len(summary.pages),
            "roster": MetadataValue.path(storage.uri(ROSTER_KEY)),
            "storage_root": storage.root_uri(),
        }
        if summary.pages:
            metadata["first_athlete_index"] = MetadataValue.path(
                storage.uri(index_key(sorted(summary.pages)[0]))
            )
        return MaterializeResult(
            metadata=metadata,
            check_results=[
                AssetCheckResult(
                    check_name=SITE_PAGES_PRIVATE,
                    passed=not errors,
                    metadata={
                        "pages_checked": sum(summary.pages.values()),
                        "errors": MetadataValue.json(errors[:20]),
                    },
                )
            ],
        )

    @asset(
        key=EMAIL_KEY,
        partitions_def=partitions_def,
        backfill_policy=BackfillPolicy.single_run(),
        group_name="delivery",
        owners=OWNERS,
        kinds={"ses", "email"},
        deps=[SITE_KEY],
        check_specs=[
            AssetCheckSpec(
                EMAILS_SENT,
                asset=EMAIL_KEY,
                description="Every report due to be e-mailed in this run was accepted by SES "
                "(a failed one is retried by the next run, never sent twice).",
            )
        ],
    )
    def report_email(
        context: AssetExecutionContext,
        warehouse: WarehouseResource,
        storage: StorageResource,
        email: EmailResource,
    ) -> MaterializeResult:
        """Each athlete's newest weekly report of the run, e-mailed to the recipients of its
        athlete.toml (``FITNESS_EMAIL=ses``; off by default): HTML with the charts inline, a
        plain-text alternative, once per content (the sent-log ``fitness.report_emails``)."""
        first, last = window_weeks(context)
        if not email.enabled:
            context.log.info("e-mail is off (FITNESS_EMAIL unset): nothing sent")
        with warehouse.connect() as conn:
            athletes = shard_athletes(context, athlete_keys(conn))
            summary = send_reports(conn, storage, email, athletes, first, last)
        for failure in summary.failed:
            context.log.warning(
                f"e-mail of {failure['athlete']} week {failure['week_start']} failed "
                f"({failure['error']}); the next run tries again"
            )
        for unknown in summary.unknown:
            context.log.warning(
                f"e-mail of {unknown['athlete']} week {unknown['week_start']} was claimed by a "
                "run that stopped during the send: not resent (it may have gone out)"
            )
        return MaterializeResult(
            metadata={
                **email.identity(),
                "run_sent": len(summary.sent),
                "run_unchanged": summary.unchanged,
                "run_failed": len(summary.failed),
                "run_outcome_unknown": len(summary.unknown),
                "run_without_recipients": len(summary.skipped),
                "sent": MetadataValue.json(summary.sent[:20]),
            },
            check_results=[
                AssetCheckResult(
                    check_name=EMAILS_SENT,
                    passed=not summary.failed and not summary.unknown,
                    severity=AssetCheckSeverity.WARN,
                    metadata={
                        "failed": MetadataValue.json(summary.failed[:20]),
                        "outcome_unknown": MetadataValue.json(summary.unknown[:20]),
                    },
                )
            ],
        )

    return [athlete_site, report_email]
