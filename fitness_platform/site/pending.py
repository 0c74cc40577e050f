"""What a delivery run must cover: ``fitness-platform run`` starts none that would change nothing,
and starts the one it needs at the first week that changes (in the site layer: it reads the state
of both the delivery and the site).

A delivery run costs Dagster a planned event per asset and a materialization per week and asset
(568 for 142 weeks), and counts every athlete-week of the roster, even when it writes one
payload. Before it starts one, the command asks ``delivery_plan``: nothing pending means the last
delivery's outputs are those the warehouse, the reporter and the renderer give now, and the
assets' last materializations stand; otherwise the plan names the weeks to deliver, from the first
week whose payload or report changes (``delivery/plan.py``) to the last week with data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection

from fitness_platform.delivery.payload import (
    athlete_keys,
    payload_manifest_key,
    report_manifest_key,
)
from fitness_platform.delivery.plan import athlete_week_lists, changed_weeks
from fitness_platform.delivery.publish import (
    athlete_sources,
    in_window,
    payload_index_key,
    read_index,
    read_manifest,
    report_entry_current,
    report_index_key,
)
from fitness_platform.delivery.reporters import ReporterResource
from fitness_platform.resources.email import EmailResource
from fitness_platform.resources.storage import StorageResource
from fitness_platform.resources.warehouse import WarehouseResource
from fitness_platform.site.publish import built_key, record_site_stamp, site_stamp

PLAN_MAX_WEEKS = 1500
"""Athlete-weeks the plan builds to find where a run can start (about ten athletes' histories);
beyond that, the run's own comparison over every week costs no more than the plan's."""
PLAN_MAX_ATHLETES = 100
"""Athletes whose entries the plan compares one by one (reading their manifests); more (a new
reporter, a first delivery) go to a run over every week without looking."""


def delivery_last_week(
    storage: StorageResource, athletes: list[str], last: str, keys: list[str]
) -> str:
    """The last week a delivery covers: the last with data (``last``), or a later one that still
    has stored payloads, so that the run deletes them and their reports and pages (a newest week
    whose data was all taken out again; a delivery up to the last week with data never looked
    at the weeks after it). Read from the payloads index, and the manifests of athletes it does
    not list."""
    index = read_index(storage, payload_index_key())
    newest = last
    for athlete in athletes:
        entry = index.get(athlete)
        weeks = (entry or {}).get("weeks") or read_manifest(
            storage, payload_manifest_key(athlete)
        ).get("weeks", {})
        if weeks:
            newest = max(newest, max(weeks))
    # A stored week is a weekly partition (it was delivered by one), unless the partitions moved.
    return newest if newest in keys else last


@dataclass(frozen=True)
class DeliveryPlan:
    """A delivery run to start: its first and last Monday, and why it must run."""

    first: str
    last: str
    reason: str
    unchanged_before: int = 0
    """Weeks of the requested range before ``first``: found unchanged, so not in the run."""


def plan_delivery(
    warehouse: WarehouseResource,
    storage: StorageResource,
    reporter: ReporterResource,
    email: EmailResource,
    first: str,
    last: str,
) -> DeliveryPlan | None:
    """The delivery run over [first, last] that ``fitness-platform run`` and the refresh sensor
    start: ``delivery_plan``'s, or every week of the range when e-mail is on (its step retries
    the sends that failed, whatever their week) or when the delivery state cannot be read (the
    run itself then reports the problem where it lies)."""
    if email.enabled:
        return DeliveryPlan(first, last, "e-mail is on")
    try:
        with warehouse.connect() as conn:
            return delivery_plan(
                conn,
                storage,
                reporter.identity(),
                date.fromisoformat(first),
                date.fromisoformat(last),
            )
    except Exception as exc:
        return DeliveryPlan(
            first, last, f"the delivery state could not be read: {type(exc).__name__}"
        )


def delivery_plan(
    conn: Connection, storage: StorageResource, identity: dict, first: date, last: date
) -> DeliveryPlan | None:
    """The delivery run [first, last] needs with the reporter of ``identity``, or None when it
    would build, write, delete and render nothing (the e-mail step is the caller's concern).

    Nothing is pending when the whole site was last built (``site_stamp``) from the delivery
    indexes as they are now, and every athlete's entries in those indexes record their weeks with
    data in the range as built from the athlete's source now, by this reporter. Reads two indexes
    and a stamp (and the manifests of athletes with no data in the range), whatever the number of
    athletes. When some athletes' entries are not current and they are few, their weeks are
    compared (``changed_weeks``) and the run starts at the first that changes; when none does,
    nothing is pending and the indexes and stamp record what was confirmed."""
    whole = (first.isoformat(), last.isoformat())

    def everything(reason: str) -> DeliveryPlan:
        return DeliveryPlan(*whole, reason)

    athletes = athlete_keys(conn)
    stamp = read_manifest(storage, built_key())
    if not stamp:
        return everything("no complete delivery is recorded")
    if stamp != site_stamp(storage, athletes):
        return everything("the last delivery was of other outputs, athletes or pages")
    payloads = read_index(storage, payload_index_key())
    reports = read_index(storage, report_index_key())
    gone = sorted(set(payloads) - set(athletes))
    if gone:
        return everything(f"{gone[0]} left the warehouse")
    with_data = athlete_week_lists(conn, first, last)
    sources = athlete_sources(conn)
    behind: list[tuple[str, str, bool]] = []  # (athlete, reason, payloads current)
    for athlete in athletes:
        wanted = with_data.get(athlete, "")
        payload, report = payloads.get(athlete), reports.get(athlete)
        if not wanted:
            # No data in the range: current only if nothing of the range is stored either.
            for entry, key in (
                (payload, payload_manifest_key(athlete)),
                (report, report_manifest_key(athlete)),
            ):
                if entry is None:  # not in the index: the athlete's manifest says
                    entry = read_manifest(storage, key)
                if in_window(entry.get("weeks", ()), whole):
                    return everything(f"{athlete} has stored weeks without data")
            continue
        source = sources.get(athlete)
        payloads_current = (
            bool(source)
            and payload is not None
            and payload.get("source") == source
            and " ".join(in_window(payload.get("weeks", ()), whole)) == wanted
        )
        if not payloads_current:
            behind.append((athlete, f"{athlete}'s data changed", False))
        elif not (
            report_entry_current(report, source, identity)
            and " ".join(in_window(report.get("weeks", ()), whole)) == wanted
        ):
            behind.append((athlete, f"{athlete}'s reports are not those of this reporter", True))
    if not behind:
        return None
    more = len(behind) - 1
    reason = behind[0][1] + (f" (and {more} more athlete{'s' * (more > 1)})" if more else "")
    building = sum(with_data[a].count(" ") + 1 for a, _, current in behind if not current)
    if (
        building > PLAN_MAX_WEEKS
        or len(behind) > PLAN_MAX_ATHLETES
        or any(sources.get(a) is None for a, _, _ in behind)
    ):
        return everything(reason)
    changed: set[str] = set()
    for athlete, _, current in behind:
        weeks = [date.fromisoformat(w) for w in with_data[athlete].split()]
        changed |= changed_weeks(
            conn, storage, athlete, weeks, sources[athlete], identity, whole,
            payloads_current=current,
        )  # fmt: skip
    if not changed:
        # Only what the outputs are recorded as built from moved: their bytes, and so the
        # site's pages, are those of the last delivery.
        record_site_stamp(storage, site_stamp(storage, athletes))
        return None
    start = min(changed)
    skipped = (date.fromisoformat(start) - first) // timedelta(days=7)
    return DeliveryPlan(start, whole[1], reason, skipped)
