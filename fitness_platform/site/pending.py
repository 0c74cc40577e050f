"""Whether a delivery run would change anything: ``fitness-platform run`` starts none that would not
(in the site layer: it reads the state of both the delivery and the site).

A delivery run over every week costs Dagster a planned event and a materialization per week and
asset (about 570 events for 142 weeks, 10 to 20 s in the local SQLite instance), even when every
athlete is skipped. Before it starts one, the command asks ``delivery_pending``; nothing pending
means the last delivery's outputs are those the warehouse, the reporter and the renderer give now,
and the assets' last materializations stand."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection

from fitness_platform.delivery.payload import (
    athlete_keys,
    athlete_weeks,
    payload_manifest_key,
    report_manifest_key,
)
from fitness_platform.delivery.publish import (
    athlete_sources,
    in_window,
    payload_entry_current,
    payload_index_key,
    read_index,
    read_manifest,
    report_entry_current,
    report_index_key,
)
from fitness_platform.resources.storage import StorageResource
from fitness_platform.site.publish import built_key, site_stamp


def delivery_pending(
    conn: Connection, storage: StorageResource, identity: dict, first: date, last: date
) -> str | None:
    """Why a delivery of [first, last] with the reporter of ``identity`` must run, or None when it
    would build, write, delete and render nothing (the e-mail step is the caller's concern).

    Nothing is pending when the whole site was last built (``site_stamp``) for this range and
    roster from the delivery indexes as they are now, and every athlete's entries in those indexes
    record their weeks with data in the range as built from the athlete's source now, by this
    reporter. Reads two indexes and a stamp (and the manifests of athletes with no data in the
    range), whatever the number of athletes."""
    athletes = athlete_keys(conn)
    stamp = read_manifest(storage, built_key())
    if not stamp:
        return "no complete delivery is recorded"
    if stamp != site_stamp(storage, athletes, first, last):
        return "the last delivery was of other weeks, athletes or outputs"
    payloads = read_index(storage, payload_index_key())
    reports = read_index(storage, report_index_key())
    gone = sorted(set(payloads) - set(athletes))
    if gone:
        return f"{gone[0]} left the warehouse"
    window = (first.isoformat(), last.isoformat())
    with_data = athlete_weeks(conn, first, last)
    sources = athlete_sources(conn)
    for athlete in athletes:
        wanted = sorted(w.isoformat() for w in with_data.get(athlete, []))
        payload, report = payloads.get(athlete), reports.get(athlete)
        if not wanted:
            # No data in the range: current only if nothing of the range is stored either.
            for entry, key in (
                (payload, payload_manifest_key(athlete)),
                (report, report_manifest_key(athlete)),
            ):
                if entry is None:  # not in the index: the athlete's manifest says
                    entry = read_manifest(storage, key)
                if in_window(entry.get("weeks", ()), window):
                    return f"{athlete} has stored weeks without data"
            continue
        source = sources.get(athlete)
        if not payload_entry_current(payload, source, wanted, window):
            return f"{athlete}'s data changed"
        if not (
            report_entry_current(report, source, identity)
            and in_window(report.get("weeks", ()), window) == wanted
        ):
            return f"{athlete}'s reports are not those of this reporter"
    return None
