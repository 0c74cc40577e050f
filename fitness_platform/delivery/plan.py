"""Which weeks of an athlete a delivery must write, found before the run starts.

When an athlete's data changed, the delivery run compares every week's payload with the stored
one and writes only those whose bytes differ: one edited set changes a week or two of 142. A run
over every week still costs Dagster a materialization per week and delivery asset (568 for 142
weeks) and counts every athlete-week of the roster. ``changed_weeks`` does that comparison
first, for the few athletes whose data changed, so that ``fitness-platform run`` can start its
run at the first week that changes (``site/pending.py``): the same comparison the payload step
makes, over the same builder, with nothing written but the bookkeeping the step itself would
write for an unchanged week (the manifest's record of the source it was built from)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection

from fitness_platform.delivery.payload import (
    build_payloads,
    payload_manifest_key,
    report_manifest_key,
    serialise,
    sha256,
)
from fitness_platform.delivery.publish import (
    MANIFEST_VERSION,
    in_window,
    payload_entry,
    payload_index_key,
    read_manifest,
    report_entry,
    report_index_key,
    update_index,
    write_manifest,
)
from fitness_platform.resources.storage import StorageResource
from fitness_platform.sqlfiles import fetch_all, state_sql


def athlete_week_lists(conn: Connection, start: date, end: date) -> dict[str, str]:
    """By athlete, the weeks with data in [start, end] as ISO dates joined by spaces."""
    rows = fetch_all(conn, state_sql("athlete_week_lists.sql"), {"start": start, "end": end})
    return dict(rows)


def _report_stale(report: dict | None, payload_sha: str | None, identity: dict) -> bool:
    """A week's report must be written: none is recorded (or it was refused), or it was written
    from another payload or by another reporter, model or prompt version."""
    return (
        report is None
        or payload_sha is None
        or report.get("payload_sha256") != payload_sha
        or any(report.get(k) != v for k, v in identity.items())
    )


def changed_weeks(
    conn: Connection,
    storage: StorageResource,
    athlete: str,
    weeks: list[date],
    source: str,
    identity: dict,
    window: tuple[str, str],
    *,
    payloads_current: bool = False,
) -> set[str]:
    """The weeks of ``window`` whose payload or report a delivery of ``athlete`` would write or
    delete: payloads whose bytes differ from the stored ones (built from ``source``, the
    athlete's source now), weeks with data and nothing stored, stored weeks that lost their data,
    and reports not written from the stored payload by this reporter (``identity``).

    Weeks whose payload bytes are unchanged are recorded in the athlete's manifest as built from
    ``source``, as the payload step records them; when no week changes, the athlete's index
    entries are written too, so the next run finds the athlete current from the indexes alone.
    With ``payloads_current`` (the athlete's payload index entry already matches ``source``),
    nothing is built: only the reports are compared."""
    manifest = read_manifest(storage, payload_manifest_key(athlete))
    recorded: dict[str, dict] = manifest.get("weeks", {})
    reports: dict[str, dict] = read_manifest(storage, report_manifest_key(athlete)).get("weeks", {})
    wanted = {w.isoformat() for w in weeks}
    changed = set(in_window(recorded, window)) - wanted  # stored, but no data any more
    updated = dict(recorded)
    if payloads_current:
        shas = {week: recorded.get(week, {}).get("sha256") for week in wanted}
    else:
        shas = {}
        # Only the bytes are compared: a stored payload passed the contract when it was written,
        # so one built the same needs no check here (one that differs is the run's to check).
        built = build_payloads(conn, athlete, weeks)
        for day in weeks:
            week, digest = day.isoformat(), sha256(serialise(built.get(day)))
            entry = recorded.get(week)
            if entry is None or entry.get("sha256") != digest:
                changed.add(week)
                continue
            shas[week] = digest
            if entry.get("source") != source:
                updated[week] = {"sha256": digest, "source": source}
    changed |= {w for w, sha in shas.items() if _report_stale(reports.get(w), sha, identity)}
    if updated != recorded:
        write_manifest(
            storage,
            payload_manifest_key(athlete),
            {"version": MANIFEST_VERSION, "weeks": dict(sorted(updated.items()))},
        )
    if not changed:
        update_index(storage, payload_index_key(), {athlete: payload_entry(updated)}, None)
        entry = report_entry(source, identity, updated, reports)
        update_index(storage, report_index_key(), {athlete: entry}, None)
    return changed
