"""Writing payloads and reports to storage: only bytes that change are written, stale ones go.

Plain functions over a connection, the storage and the reporter, so that Dagster assets, the CLI
and the benchmarks share one implementation. Every count is kept per week as well as in total, so
that a run over many weeks can say what happened to each one."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import orjson
from sqlalchemy import Connection
from sqlalchemy.exc import ProgrammingError

from fitness_platform.delivery.contract import PAYLOAD_SCHEMA_PATH
from fitness_platform.delivery.payload import (
    athlete_keys,
    athlete_weeks,
    built_payloads,
    payload_batch,
    payload_key,
    payload_manifest_key,
    report_key,
    report_manifest_key,
    report_meta_key,
    sha256,
    verification_key,
)
from fitness_platform.delivery.report import (
    Refused,
    Written,
    json_bytes,
    offline_reports,
    untraceable,
    write_reports,
)
from fitness_platform.delivery.reporters import ReporterResource
from fitness_platform.delivery.workers import default_workers, ordered_map
from fitness_platform.paths import PAYLOAD_SQL_DIR
from fitness_platform.resources.storage import StorageResource
from fitness_platform.sqlfiles import discover_views, fetch_all, payload_sql

_WEEK = re.compile(r"week_start=(\d{4}-\d{2}-\d{2})/")
# What a stored report was written from; a change of any of these rewrites it.
IDENTITY_FIELDS = ("payload_sha256", "reporter", "model_id", "prompt_version")
MANIFEST_VERSION = 1
INDEX_VERSION = 1
SHOWN_PER_WEEK = 30
"""Athletes listed in a week's metadata table (the first by key; the counts cover them all)."""
POOL_MIN_WEEKS = 200
"""Athlete-weeks from which payloads and offline reports are made in worker processes: starting
them costs a second or two, which a few weeks would not repay."""


@functools.cache
def builder_digest() -> str:
    """What every payload is built by: the builder's code, its queries, the contract and the Gold
    definitions. A change of any of them rebuilds every payload (and compares its bytes)."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    files = [here / "payload.py", here / "reference.py", PAYLOAD_SCHEMA_PATH]
    files += sorted(PAYLOAD_SQL_DIR.glob("*.sql"))
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for view in discover_views():
        digest.update(f"{view.name}:{view.tag}\n".encode())
    return digest.hexdigest()


def athlete_sources(conn: Connection) -> dict[str, str]:
    """By athlete, what their payloads are built from now: the builder and the load and Gold build
    of their rows. An athlete whose stored payloads were built from the same, for the same weeks,
    is skipped without building or reading anything."""
    builder = builder_digest()
    return {
        athlete: sha256(f"{builder}\n{source}".encode())
        for athlete, source in fetch_all(conn, payload_sql("athlete_sources.sql"))
        if source is not None
    }


def read_manifest(storage: StorageResource, key: str) -> dict:
    """A manifest written by this module, or {} when absent or damaged (then rebuilt)."""
    return _json_object(storage.read_bytes(key))


def _json_object(raw: bytes | None) -> dict:
    if raw is None:
        return {}
    try:
        value = orjson.loads(raw)  # 1,000 athletes read two each per run: 3x json's speed
    except ValueError:  # orjson.JSONDecodeError is one
        return {}
    return value if isinstance(value, dict) else {}


def write_manifest(storage: StorageResource, key: str, value: dict) -> None:
    _write_json(storage, key, value)


def payload_index_key() -> str:
    """By athlete, the source and weeks of their stored payloads, when all were built from one
    source (beside the manifests; here, not in ``payload.py``, whose bytes are in the builder's
    digest)."""
    return "delivery_state/payloads.index.json"


def report_index_key() -> str:
    """By athlete, the source, reporter and weeks their stored reports were all written from."""
    return "delivery_state/reports.index.json"


_INDEXES_READ: dict[str, tuple[bytes, dict]] = {}
"""By location, the bytes of each index last read and what they hold: an index of 1,000
athletes is 2 MB of JSON, read about ten times a run (the plan, payloads, reports, the site),
and parsing it took 11 ms each time; comparing the bytes read with those kept takes 0.2 ms."""


def read_index(storage: StorageResource, key: str, version: int = INDEX_VERSION) -> dict[str, dict]:
    """An index's entries by athlete, or {} when absent, damaged or of another version.

    An index holds, for each athlete whose stored outputs were all made from one source (the
    warehouse's ``athlete_sources``), that source and the weeks: a run compares it with the
    source now and decides "current" without reading the athlete's manifest (at 1,000 athletes,
    one file instead of 3,000). An entry is only a shortcut: one that does not match the source
    now sends the athlete down the manifest path, which writes a new one.

    The entries are shared with every other read of the same bytes in this process: callers
    read them and never change them (``update_index`` merges into a copy)."""
    raw = storage.read_bytes(key)
    where = storage.uri(key)
    kept = _INDEXES_READ.get(where)
    if raw is not None and kept is not None and kept[0] == raw:
        value = kept[1]
    else:
        value = _json_object(raw)
        if raw is not None:
            _INDEXES_READ[where] = (raw, value)
    athletes = value.get("athletes") if value.get("version") == version else None
    return athletes if isinstance(athletes, dict) else {}


def update_index(
    storage: StorageResource,
    key: str,
    changes: dict[str, dict | None],
    keep: set[str] | None,
    version: int = INDEX_VERSION,
) -> None:
    """Merge ``changes`` (None removes an entry) into the index as stored now, read again just
    before the write so that a concurrent run (another shard) loses as few entries as possible;
    a lost one costs that athlete's manifest read once. With ``keep``, athletes outside it (gone
    from the warehouse) leave the index."""
    current = read_index(storage, key, version)
    merged = dict(current)
    for athlete, entry in changes.items():
        if entry is None:
            merged.pop(athlete, None)
        else:
            merged[athlete] = entry
    if keep is not None:
        merged = {a: e for a, e in merged.items() if a in keep}
    if merged != current:
        # Compact and sorted: rewritten whenever one athlete changes, so not indented.
        body = orjson.dumps({"version": version, "athletes": merged}, option=orjson.OPT_SORT_KEYS)
        storage.write_bytes(key, body + b"\n", content_type="application/json")


def payload_entry(recorded: dict) -> dict | None:
    """The payload index entry of a manifest's weeks: only when all were built from one source."""
    sources = {entry.get("source") for entry in recorded.values()}
    if len(sources) != 1 or None in sources:
        return None
    return {"source": sources.pop(), "weeks": sorted(recorded)}


def in_window(weeks, window: tuple[str, str]) -> list[str]:
    return [w for w in weeks if window[0] <= w <= window[1]]


def payload_entry_current(
    entry: dict | None, source: str | None, wanted: list[str], window: tuple[str, str]
) -> bool:
    """A payload index entry records the athlete's weeks with data in the range (``wanted``, in
    order), and only those, as built from their ``source`` now."""
    return (
        bool(source)
        and entry is not None
        and entry.get("source") == source
        and in_window(entry.get("weeks", ()), window) == wanted
    )


def report_entry_current(entry: dict | None, source: str | None, identity: dict) -> bool:
    """A reports index entry records every report as written by this reporter (``identity``)
    from payloads of the athlete's ``source`` now."""
    return (
        bool(source)
        and entry is not None
        and entry.get("source") == source
        and entry.get("identity") == identity
    )


@dataclass(frozen=True)
class DataWeeks:
    """The weekly partitions that hold data, and what lies outside them."""

    first: str | None
    last: str | None
    earliest_data_week: date | None
    weeks_before_partitions: int
    """Weeks with data before the first partition: they cannot be delivered (say so loudly)."""


def data_weeks(conn: Connection, partition_keys: list[str]) -> DataWeeks:
    """The first and last partition with data (complete weeks only), from the Gold summary."""
    try:
        rows = fetch_all(conn, payload_sql("data_weeks.sql"))
    except ProgrammingError:  # Gold not built yet: nothing to deliver
        conn.rollback()
        return DataWeeks(None, None, None, 0)
    weeks = sorted(r[0] for r in rows)
    if not weeks or not partition_keys:
        return DataWeeks(None, None, weeks[0] if weeks else None, 0)
    start = date.fromisoformat(partition_keys[0])
    inside = [k for k in partition_keys if weeks[0].isoformat() <= k <= weeks[-1].isoformat()]
    return DataWeeks(
        inside[0] if inside else None,
        inside[-1] if inside else None,
        weeks[0],
        sum(1 for w in weeks if w < start),
    )


def outside_partitions_warning(weeks: DataWeeks, partition_start: str) -> str | None:
    if not weeks.weeks_before_partitions:
        return None
    return (
        f"{weeks.weeks_before_partitions} week(s) of data, from {weeks.earliest_data_week}, lie "
        f"before the first weekly partition ({partition_start}) and get no payload or report: set "
        f"FITNESS_PARTITION_START to {weeks.earliest_data_week} (a Monday) to deliver them"
    )


@dataclass
class WeekCounts:
    """What one run did to one week's outputs."""

    athletes: int = 0
    written: int = 0
    unchanged: int = 0
    deleted: int = 0
    invalid: int = 0
    untraceable: int = 0
    items: list[dict] = field(default_factory=list)
    previewed: bool = False
    """An item of this week carries a preview (the first written one)."""


@dataclass
class PayloadSummary:
    written: list[dict] = field(default_factory=list)
    unchanged: int = 0
    deleted: list[str] = field(default_factory=list)
    invalid: list[dict] = field(default_factory=list)
    validated: int = 0
    weeks_with_data: int = 0
    weeks: dict[str, WeekCounts] = field(default_factory=dict)
    athletes_skipped: int = 0
    """Athletes whose manifest showed every payload of the range current: nothing built."""


def _stored_weeks(storage: StorageResource, prefix: str, first: date, last: date) -> set[str]:
    weeks = set()
    for key in storage.list_keys(prefix):
        match = _WEEK.search(key)
        if match and first.isoformat() <= match.group(1) <= last.isoformat():
            weeks.add(match.group(1))
    return weeks


def _all_weeks(first: date, last: date) -> dict[str, WeekCounts]:
    count = (last - first).days // 7 + 1
    return {(first + timedelta(days=7 * i)).isoformat(): WeekCounts() for i in range(count)}


def publish_payloads(
    conn: Connection,
    storage: StorageResource,
    first: date,
    last: date,
    progress=None,
    athletes: list[str] | None = None,
    workers: int | None = None,
) -> PayloadSummary:
    """Build every athlete-week payload with data in [first, last]; write those whose bytes differ
    from the stored ones; delete payloads (and reports) of athlete-weeks that no longer have data.

    Each athlete's manifest records, per stored week, the payload's sha256 and what it was built
    from (``athlete_sources``). An athlete whose weeks in the range are all recorded as built from
    what they would be built from now is skipped whole: a replay builds and reads nothing but
    one index (``read_index``). Otherwise the athlete's weeks are built and compared by sha256 with
    the manifest (the stored bytes are read back only for weeks it does not record). With
    ``athletes``, only those athletes (a shard) are built."""
    summary = PayloadSummary(weeks=_all_weeks(first, last))
    with_data = athlete_weeks(conn, first, last)
    if athletes is not None:  # one shard of the athletes (``shards.py``)
        chosen = set(athletes)
        with_data = {a: w for a, w in with_data.items() if a in chosen}
    summary.weeks_with_data = len({week for weeks in with_data.values() for week in weeks})
    pair_count = sum(len(weeks) for weeks in with_data.values())
    sources = athlete_sources(conn)
    by_athlete: dict[str, list[date]] = {
        a: [] for a in (athletes if athletes is not None else athlete_keys(conn))
    }
    by_athlete.update(with_data)
    window = (first.isoformat(), last.isoformat())
    # What each athlete built has to be compared with: filled in as the athletes are read.
    state: dict[str, tuple[dict, dict, str | None, set[str], set[str]]] = {}
    done = [0]  # weeks dealt with, for progress
    index = read_index(storage, payload_index_key())
    entries: dict[str, dict | None] = {}  # the index's changes

    def current(athlete: str, weeks: list[str], shas: dict | None) -> None:
        """Count an athlete whose payloads of the range are all current (nothing built)."""
        for week in weeks:
            counts = summary.weeks[week]
            counts.athletes += 1
            counts.unchanged += 1
            # The sha256 of the few shown in the week's table is read later (``_show_shas``).
            sha = shas[week]["sha256"] if shas is not None else None
            counts.items.append({"athlete": athlete, "action": "unchanged", "sha256": sha})
        summary.unchanged += len(weeks)
        summary.validated += len(weeks)
        summary.athletes_skipped += 1
        done[0] += len(weeks)

    def to_build():
        """The athletes whose payloads must be built (the current ones are counted here)."""
        for athlete, weeks in by_athlete.items():
            source = sources.get(athlete)
            wanted_weeks = [w.isoformat() for w in weeks]
            if payload_entry_current(index.get(athlete), source, wanted_weeks, window):
                current(athlete, wanted_weeks, None)
                continue
            manifest = read_manifest(storage, payload_manifest_key(athlete))
            recorded = manifest.get("weeks", {})
            wanted = set(wanted_weeks)
            recorded_in_window = set(in_window(recorded, window))
            if (
                source
                and recorded_in_window == wanted
                and all(recorded[w].get("source") == source for w in wanted)
            ):
                current(athlete, wanted_weeks, recorded)
                entries[athlete] = payload_entry(recorded)
                continue
            state[athlete] = (manifest, recorded, source, wanted, recorded_in_window)
            yield athlete, weeks

    # Which athletes to build is known first (a manifest read each), so that the pool is started
    # only for enough work: one edited athlete's weeks are built here faster than a pool starts.
    jobs = list(to_build())
    if workers is None:
        building = sum(len(weeks) for _, weeks in jobs)
        workers = default_workers() if building >= POOL_MIN_WEEKS else 1
    if workers >= 2:
        url = conn.engine.url.render_as_string(hide_password=False)
        tasks = ((athlete, (url, athlete, weeks)) for athlete, weeks in jobs)
        results = ordered_map(payload_batch, tasks, workers=workers)
    else:  # here, over the caller's connection
        results = ((athlete, built_payloads(conn, athlete, weeks)) for athlete, weeks in jobs)
    for athlete, built in results:
        manifest, recorded, source, wanted, recorded_in_window = state.pop(athlete)
        updated = dict(recorded)
        writes: list[tuple[str, bytes, str]] = []
        for one in built:
            week = one.week
            counts = summary.weeks[week.isoformat()]
            counts.athletes += 1
            summary.validated += 1
            key = payload_key(athlete, week)
            done[0] += 1
            if one.errors:
                summary.invalid.append(
                    {"athlete": athlete, "week": str(week), "errors": one.errors[:5]}
                )
                counts.invalid += 1
                updated.pop(week.isoformat(), None)
                continue
            data, digest = one.data, one.sha256
            item = {"athlete": athlete, "uri": storage.uri(key), "sha256": digest}
            stored = recorded.get(week.isoformat(), {}).get("sha256")
            if stored == digest or (stored is None and storage.holds(key, data)):
                summary.unchanged += 1
                counts.unchanged += 1
                item["action"] = "unchanged"
            else:
                writes.append((key, data, "application/json"))
                summary.written.append({**item, "week_start": str(week)})
                counts.written += 1
                item["action"] = "written"
            updated[week.isoformat()] = {"sha256": digest, "source": source}
            if not counts.previewed:
                item["preview"] = data.decode()[:600]
                counts.previewed = True
            counts.items.append(item)
            if progress and done[0] % 25 == 0:
                progress(done[0], pair_count)
        # The athlete's changed payloads at once (concurrently on S3), before the manifest
        # that records them.
        storage.write_many(writes)
        stale = (
            _stored_weeks(storage, f"payloads/athlete={athlete}/", first, last) | recorded_in_window
        )
        for week in sorted(stale - wanted):
            for key in (
                payload_key(athlete, week),
                report_key(athlete, week),
                report_meta_key(athlete, week),
                verification_key(athlete, week),
            ):
                storage.delete(key)
            updated.pop(week, None)
            summary.deleted.append(payload_key(athlete, week))
            summary.weeks[week].deleted += 1
        if updated != recorded or manifest.get("version") != MANIFEST_VERSION:
            write_manifest(
                storage,
                payload_manifest_key(athlete),
                {"version": MANIFEST_VERSION, "weeks": dict(sorted(updated.items()))},
            )
        entries[athlete] = payload_entry(updated)
    # After every manifest it summarises.
    update_index(
        storage, payload_index_key(), entries, set(by_athlete) if athletes is None else None
    )
    if progress and pair_count:
        progress(pair_count, pair_count)
    for counts in summary.weeks.values():  # athlete order, however the work was spread
        counts.items.sort(key=lambda item: item["athlete"])
    _show_shas(storage, summary)
    return summary


def _show_shas(storage: StorageResource, summary: PayloadSummary) -> None:
    """Fill in the sha256 of the payloads shown in each week's table that were counted current
    from the index: a manifest read for each athlete shown (the first few by key), not 1,000;
    the stored bytes are hashed where the manifest does not say."""
    manifests: dict[str, dict] = {}
    for week, counts in summary.weeks.items():
        for item in counts.items[:SHOWN_PER_WEEK]:
            if item.get("sha256", "") is None:
                athlete = item["athlete"]
                if athlete not in manifests:
                    key = payload_manifest_key(athlete)
                    manifests[athlete] = read_manifest(storage, key).get("weeks", {})
                recorded = manifests[athlete].get(week, {}).get("sha256")
                if recorded is None:
                    data = storage.read_bytes(payload_key(athlete, week))
                    recorded = sha256(data) if data is not None else "missing"
                item["sha256"] = recorded


@dataclass
class ReportSummary:
    written: list[dict] = field(default_factory=list)
    unchanged: int = 0
    deleted: list[str] = field(default_factory=list)
    untraceable: list[dict] = field(default_factory=list)
    refused: list[dict] = field(default_factory=list)
    """Weeks whose report was refused (failed verification, or cut off): nothing stored."""
    checked: int = 0
    usage: dict = field(default_factory=dict)
    cost_usd: float = 0.0
    cost_unknown: int = 0
    """Reports written by a model whose price is not in the price table."""
    latencies_ms: list[float] = field(default_factory=list)
    weeks: dict[str, WeekCounts] = field(default_factory=dict)
    athletes_skipped: int = 0
    """Athletes whose manifests showed every report of the range current: nothing read."""


def publish_reports(
    storage: StorageResource,
    reporter: ReporterResource,
    athletes: list[str],
    first: date,
    last: date,
    progress=None,
    workers: int | None = None,
    sources: dict[str, str] | None = None,
    every_athlete: bool = True,
) -> ReportSummary:
    """Write the report of every stored payload in [first, last] whose payload, reporter, prompt
    version or model changed since its report was written (recorded in a sidecar .meta.json).

    Every report in the range is number-checked against its payload, the unchanged ones too: the
    result is kept in the sidecar, so an unchanged report is checked once, when it is written.

    With ``sources`` (``athlete_sources``, what payloads are built from now), an athlete whose
    reports index entry records every report as written by this reporter from payloads of that
    source is counted current from the index alone (payloads are deterministic in their source).
    ``every_athlete``: ``athletes`` is the whole roster, not one shard (the index is pruned)."""
    summary = ReportSummary(weeks=_all_weeks(first, last))
    identity = reporter.identity()
    window = (first.isoformat(), last.isoformat())
    todo = []
    manifests: dict[str, dict] = {}
    index = read_index(storage, report_index_key()) if sources is not None else {}
    # The payloads index as the payload step left it: a report entry vouches for the weeks it
    # lists, and a payload written since (a wider range, the same source) is not among them.
    payload_index = read_index(storage, payload_index_key()) if index else {}
    sources = sources or {}
    entries: dict[str, dict | None] = {}  # the index's changes
    payload_weeks_of: dict[str, dict] = {}  # the payload manifests read

    def current(
        athlete: str, weeks: list[str], untraceable: dict[str, list], *, whole: bool = True
    ) -> None:
        """Count reports found current without reading them: the athlete's whole range (the
        athlete is skipped), or some of its weeks (``whole=False``)."""
        for week in weeks:
            counts = summary.weeks[week]
            counts.athletes += 1
            counts.unchanged += 1
            _count_check(summary, counts, athlete, week, untraceable.get(week, []))
            counts.items.append({"athlete": athlete, "action": "unchanged"})
        summary.unchanged += len(weeks)
        summary.athletes_skipped += whole

    for athlete in athletes:
        entry = index.get(athlete)
        source = sources.get(athlete)
        if report_entry_current(entry, source, identity):
            weeks = in_window(entry.get("weeks", ()), window)
            stored = in_window((payload_index.get(athlete) or {}).get("weeks", ()), window)
            if weeks and weeks == stored:
                current(athlete, weeks, entry.get("untraceable", {}))
                continue
        payloads = read_manifest(storage, payload_manifest_key(athlete)).get("weeks", {})
        payload_weeks_of[athlete] = payloads
        recorded = read_manifest(storage, report_manifest_key(athlete)).get("weeks", {})
        weeks = sorted(w for w in payloads if window[0] <= w <= window[1])
        if weeks and all(
            w in recorded and _written_from(recorded[w], payloads[w], identity) for w in weeks
        ):
            # Every report of the range was written from the payload now stored, by this
            # reporter: nothing to read (the number check's result is in the manifest).
            current(athlete, weeks, {w: recorded[w]["untraceable_numbers"] for w in weeks})
            entries[athlete] = report_entry(source, identity, payloads, recorded)
            continue
        # Weeks no longer among the payloads leave the manifest (their files went with them).
        manifests[athlete] = {w: e for w, e in recorded.items() if w in payloads}
        payload_weeks = _stored_weeks(storage, f"payloads/athlete={athlete}/", first, last)
        for week in sorted(
            _stored_weeks(storage, f"reports/athlete={athlete}/", first, last) - payload_weeks
        ):
            for key in (
                report_key(athlete, week),
                report_meta_key(athlete, week),
                verification_key(athlete, week),
            ):
                storage.delete(key)
            manifests[athlete].pop(week, None)
            summary.deleted.append(report_key(athlete, week))
            summary.weeks[week].deleted += 1
        # A week whose report the manifest records as written from the payload stored now, by
        # this reporter, is current as the athlete's whole range is above: nothing is read.
        # Only the other weeks are read and compared (after a new week, two of an athlete's
        # 143: at 1,000 athletes, reading the rest was 72% of the step's time).
        matching = sorted(
            w
            for w in payload_weeks
            if w in payloads and w in recorded and _written_from(recorded[w], payloads[w], identity)
        )
        untraceable_of = {w: recorded[w]["untraceable_numbers"] for w in matching}
        current(athlete, matching, untraceable_of, whole=False)
        todo += [(athlete, week) for week in sorted(payload_weeks - set(matching))]

    def changed():
        """By athlete, the weeks whose report must be written (the unchanged ones are counted
        here, as they are read); each batch is one athlete's, or one week's for a model."""
        batch: list[tuple[str, bytes, dict]] = []
        for index, (athlete, week) in enumerate(todo):
            counts = summary.weeks[week]
            counts.athletes += 1
            data = storage.read_bytes(payload_key(athlete, week))
            meta = {"payload_sha256": sha256(data), **identity}
            stored = _read_meta(storage, athlete, week)
            stored_report = storage.read_bytes(report_key(athlete, week))
            if (
                stored is not None
                and {k: stored.get(k) for k in IDENTITY_FIELDS} == meta
                and stored_report is not None
            ):
                summary.unchanged += 1
                counts.unchanged += 1
                missing = stored.get("untraceable_numbers")
                if missing is None:  # a sidecar from before the check was recorded
                    missing = untraceable(stored_report.decode(), orjson.loads(data))
                _count_check(summary, counts, athlete, week, missing)
                counts.items.append({"athlete": athlete, "action": "unchanged"})
                manifests[athlete][week] = {**meta, "untraceable_numbers": missing}
            else:
                batch.append((week, data, meta))
            last = index + 1 == len(todo) or todo[index + 1][0] != athlete
            if batch and (last or not local):
                yield (athlete, batch), [data for _, data, _ in batch]
                batch = []

    local = reporter.LOCAL_CPU
    if local:
        if workers is None:
            workers = default_workers() if len(todo) >= POOL_MIN_WEEKS else 1
        results = ordered_map(offline_reports, changed(), workers=workers)
    else:
        results = ((tag, write_reports(reporter, datas)) for tag, datas in changed())
    done = 0
    for (athlete, batch), outcomes in results:
        for (week, _, meta), outcome in zip(batch, outcomes, strict=True):
            done += 1
            _store_report(storage, summary, manifests, athlete, week, meta, outcome)
            if progress and (done % 25 == 0):
                progress(done, len(todo))
    if progress and todo:
        progress(len(todo), len(todo))
    for counts in summary.weeks.values():  # athlete order, however the work was spread
        counts.items.sort(key=lambda item: item["athlete"])
    for athlete, weeks in manifests.items():
        if weeks:
            write_manifest(
                storage,
                report_manifest_key(athlete),
                {"version": MANIFEST_VERSION, "weeks": dict(sorted(weeks.items()))},
            )
        else:
            storage.delete(report_manifest_key(athlete))
        source = sources.get(athlete)
        entries[athlete] = report_entry(source, identity, payload_weeks_of[athlete], weeks)
    if sources:  # after every manifest it summarises
        update_index(storage, report_index_key(), entries, set(athletes) if every_athlete else None)
    return summary


def _written_from(report: dict, payload: dict, identity: dict) -> bool:
    """Whether a report manifest entry records a report written from the payload of this
    payload manifest entry, by this reporter."""
    return report.get("payload_sha256") == payload.get("sha256") and all(
        report.get(k) == v for k, v in identity.items()
    )


def report_entry(source: str | None, identity: dict, payloads: dict, reports: dict) -> dict | None:
    """The reports index entry of an athlete: only when every stored payload was built from
    ``source`` and every one has its report, written from it by this reporter (a week whose
    report was refused has none: the athlete stays on the manifest path, and it is tried again)."""
    if not source or not payloads:
        return None
    for week, payload in payloads.items():
        report = reports.get(week)
        if (
            payload.get("source") != source
            or report is None
            or not _written_from(report, payload, identity)
        ):
            return None
    return {
        "source": source,
        "identity": identity,
        "weeks": sorted(payloads),
        "untraceable": {
            week: reports[week]["untraceable_numbers"]
            for week in sorted(payloads)
            if reports[week].get("untraceable_numbers")
        },
    }


def _store_report(
    storage: StorageResource,
    summary: ReportSummary,
    manifests: dict,
    athlete: str,
    week: str,
    meta: dict,
    outcome: Written | Refused,
) -> None:
    counts = summary.weeks[week]
    if isinstance(outcome, Refused):
        # Never stored half-right: no report for this week, only the record of why.
        storage.delete(report_key(athlete, week))
        storage.delete(report_meta_key(athlete, week))
        _write_json(storage, verification_key(athlete, week), outcome.verification)
        summary.refused.append({"athlete": athlete, "week_start": week, "error": outcome.message})
        counts.items.append({"athlete": athlete, "action": "refused"})
        manifests[athlete].pop(week, None)
        return
    report, missing = outcome, outcome.missing
    _count_check(summary, counts, athlete, week, missing)
    sidecar = {
        **meta,
        "untraceable_numbers": missing,
        "usage": report.usage,
        "cost_usd": report.cost_usd,
    }
    uri, _, _ = storage.write_many(
        [
            (report_key(athlete, week), report.text.encode(), "text/markdown; charset=utf-8"),
            (report_meta_key(athlete, week), json_bytes(sidecar), "application/json"),
            (verification_key(athlete, week), report.verification_json, "application/json"),
        ]
    )
    manifests[athlete][week] = {**meta, "untraceable_numbers": missing}
    for k, v in report.usage.items():
        summary.usage[k] = summary.usage.get(k, 0) + v
    if report.cost_usd is not None:
        summary.cost_usd += report.cost_usd
    elif report.reporter != "offline":
        summary.cost_unknown += 1
    if report.latency_ms is not None:
        summary.latencies_ms.append(report.latency_ms)
    summary.written.append({"athlete": athlete, "week_start": week, "uri": uri})
    counts.written += 1
    item = {"athlete": athlete, "action": "written", "uri": uri}
    if not counts.previewed:
        item["preview"] = report.text[:800]
        counts.previewed = True
    counts.items.append(item)


def _write_json(storage: StorageResource, key: str, value: dict) -> None:
    storage.write_bytes(key, json_bytes(value), content_type="application/json")


def _read_meta(storage: StorageResource, athlete: str, week: str) -> dict | None:
    raw = storage.read_bytes(report_meta_key(athlete, week))
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:  # a damaged sidecar: the report is simply rewritten
        return None


def _count_check(summary: ReportSummary, counts: WeekCounts, athlete, week, missing) -> None:
    summary.checked += 1
    if missing:
        counts.untraceable += 1
        summary.untraceable.append({"athlete": athlete, "week_start": week, "numbers": missing})
