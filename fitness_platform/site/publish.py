"""The static site, written through the storage resource: per athlete an index of weeks, a page per
week's report (and ``latest.html``), a page per diet cycle; and the coach's roster.

Layout under the storage root (links between pages are relative, so the folder can be served by any
web server, or kept private in S3 and opened through presigned URLs)::

    site/athlete=<key>/index.html           weeks, newest first, and the athlete's diet cycles
    site/athlete=<key>/latest.html          the newest week's report
    site/athlete=<key>/weeks/<monday>.html  one report per week
    site/athlete=<key>/cycles/<n>.html      one page per diet cycle
    site/coach/roster.html                  every athlete's latest week, for the coach alone

An athlete's pages link only inside that athlete's folder; only the roster links across athletes.
Only pages whose bytes change are written; pages of weeks that lost their report are deleted.

The site mirrors every stored report, whatever weeks the run delivered: a run over one week
brings any other page whose payload or report changed (in a run without the site step) up to
date too, so the site's state never depends on the weeks of the run that last built it."""

from __future__ import annotations

import json
import os
import posixpath
import re
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

import orjson
from sqlalchemy import Connection

from fitness_platform.delivery.payload import (
    payload_key,
    payload_manifest_key,
    report_key,
    report_manifest_key,
    sha256,
)
from fitness_platform.delivery.publish import (
    payload_index_key,
    read_index,
    read_manifest,
    report_index_key,
    update_index,
)
from fitness_platform.processes import worker_pool
from fitness_platform.resources.storage import StorageResource
from fitness_platform.site.render import (
    RENDERER_VERSION,
    Link,
    athlete_index,
    cycle_page,
    cycle_row,
    index_row,
    report_page,
    roster_page,
    roster_row,
    week_label,
)
from fitness_platform.sqlfiles import fetch_all, payload_sql

SITE = "site"
ROSTER_KEY = f"{SITE}/coach/roster.html"
HTML = "text/html; charset=utf-8"
_WEEK = re.compile(r"week_start=(\d{4}-\d{2}-\d{2})/weekly_report\.md$")
_PAGE = re.compile(r"weeks/(\d{4}-\d{2}-\d{2})\.html$")
_LINK = re.compile(r"""\b(?:href|src|xlink:href)\s*=\s*["']([^"']*)["']""", re.I)


def athlete_folder(athlete: str) -> str:
    return f"{SITE}/athlete={athlete}/"


def week_page_key(athlete: str, week: str) -> str:
    return f"{athlete_folder(athlete)}weeks/{week}.html"


def latest_key(athlete: str) -> str:
    return f"{athlete_folder(athlete)}latest.html"


def index_key(athlete: str) -> str:
    return f"{athlete_folder(athlete)}index.html"


def cycle_key(athlete: str, number: int) -> str:
    return f"{athlete_folder(athlete)}cycles/{number}.html"


def manifest_key(athlete: str) -> str:
    """What each of the athlete's report pages was rendered from (outside ``site/``: not served)."""
    return f"site_state/athlete={athlete}/pages.json"


def week_rows_key(athlete: str) -> str:
    """What each week of the athlete gives the athlete's index and cycle pages (its index row and
    its cycle), with the payload it was read from (outside ``site/``: not served)."""
    return f"site_state/athlete={athlete}/weeks.json"


WEEK_ROWS_VERSION = 1


def _read_week_rows(storage: StorageResource, athlete: str) -> dict[str, dict]:
    """The recorded week rows, or none when absent, damaged, of another version or of another
    renderer (then every week's payload is read)."""
    data = read_manifest(storage, week_rows_key(athlete))
    if (data.get("version"), data.get("renderer")) != (WEEK_ROWS_VERSION, RENDERER_VERSION):
        return {}
    weeks = data.get("weeks")
    return weeks if isinstance(weeks, dict) else {}


def site_index_key() -> str:
    """By athlete, what their pages were last built from, how many there are and their row of the
    roster (outside ``site/``: not served). One file, read once a run: an athlete whose inputs
    are unchanged costs nothing else, whatever the number of athletes."""
    return "site_state/athletes.index.json"


SITE_INDEX_VERSION = 1


def read_site_index(storage: StorageResource) -> dict[str, dict]:
    """The site index's entries by athlete, or {} when absent, damaged or of another version
    (then every athlete's pages are looked at again, and the same bytes written)."""
    return read_index(storage, site_index_key(), SITE_INDEX_VERSION)


def update_site_index(
    storage: StorageResource, changes: dict[str, dict | None], keep: set[str] | None
) -> None:
    """Merge ``changes`` (None removes an entry) into the site index as stored now, as the
    delivery indexes are (``update_index``); with ``keep``, athletes outside it leave."""
    update_index(storage, site_index_key(), changes, keep, SITE_INDEX_VERSION)


def built_key() -> str:
    """What the last whole site was built from (``site_stamp``); not served."""
    return "site_state/built.json"


def site_stamp(storage: StorageResource, athletes: list[str]) -> dict:
    """What a whole site (every athlete's pages and the roster) is built from: the renderer, the
    roster and the delivery indexes as stored now. The indexes change whenever a payload or
    report is built from something new, so a stamp equal to the one the last site run wrote means
    that run's pages are the ones these inputs give (the site mirrors every stored report,
    whatever the run's weeks)."""
    return {
        "version": 2,
        "renderer": RENDERER_VERSION,
        "athletes": sha256("\n".join(sorted(athletes)).encode()),
        "payloads_index": sha256(storage.read_bytes(payload_index_key()) or b""),
        "reports_index": sha256(storage.read_bytes(report_index_key()) or b""),
    }


def record_site_stamp(storage: StorageResource, stamp: dict | None) -> None:
    """Keep the stamp of a whole site just built, or (None: a shard, or pages that failed their
    check) remove the last one, so that the next ``fitness-platform run`` delivers again."""
    if stamp is None:
        storage.delete(built_key())
        return
    body = (json.dumps(stamp, indent=1, sort_keys=True) + "\n").encode()
    if not storage.holds(built_key(), body):
        storage.write_bytes(built_key(), body, content_type="application/json")


def _inputs(
    storage: StorageResource, athlete: str, payloads: dict | None, reports: dict | None
) -> str | None:
    """A digest of everything the athlete's pages are made of. From the athlete's entries in the
    delivery indexes when both exist (the payloads are deterministic in their source, the reports
    in their payload and reporter): no file is read. Otherwise from the payload and report
    manifests; None when either is missing (then every page is looked at)."""
    if payloads is not None and reports is not None:
        text = orjson.dumps(["indexes", RENDERER_VERSION, payloads, reports], option=_SORTED)
        return sha256(text)
    payload_weeks = read_manifest(storage, payload_manifest_key(athlete)).get("weeks")
    report_weeks_ = read_manifest(storage, report_manifest_key(athlete)).get("weeks")
    if not payload_weeks or not report_weeks_:
        return None
    text = orjson.dumps(
        ["manifests", RENDERER_VERSION, payload_weeks, report_weeks_], option=_SORTED
    )
    return sha256(text)


_SORTED = orjson.OPT_SORT_KEYS


def _read_manifest(storage: StorageResource, athlete: str) -> dict[str, str]:
    raw = storage.read_bytes(manifest_key(athlete))
    try:
        return json.loads(raw) if raw else {}
    except ValueError:  # a damaged manifest: every page is rendered again
        return {}


@dataclass
class SiteSummary:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    deleted: list[str] = field(default_factory=list)
    pages: dict[str, int] = field(default_factory=dict)
    """Athlete → how many pages the athlete has (for the check's metadata)."""


RENDER_POOL_MIN_PAGES = 200
"""Fewer week pages than this to render are rendered in this process (about 5 ms a page, most of
it the report's Markdown; a worker costs about half a second to start); more go to a pool of
processes, one per core (at most 4)."""


def _render(job: tuple[bytes, bytes, int, str | None]) -> str:
    payload_bytes, report_bytes, depth, cycle_href = job
    return week_html(payload_bytes, report_bytes, depth=depth, cycle_href=cycle_href)


class PageRenderer:
    """Renders week pages, in a pool of spawned processes when there are enough of them; the
    pages are the same bytes either way."""

    def __init__(self, workers: int | None = None):
        self.workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
        self._pool = None

    def render(self, jobs: list[tuple[bytes, bytes, int, str | None]]) -> list[str]:
        if self.workers >= 2 and len(jobs) >= RENDER_POOL_MIN_PAGES:
            try:
                if self._pool is None:
                    self._pool = worker_pool(self.workers)
                return list(self._pool.map(_render, jobs, chunksize=4))
            except (BrokenProcessPool, OSError):
                self.close()  # no pool on this machine: render here, as with few pages
        return [_render(job) for job in jobs]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _put(storage: StorageResource, summary: SiteSummary, pages: list[tuple[str, str]]) -> None:
    """Write the pages (key, html) whose bytes differ from the stored ones, at once (on S3,
    concurrently)."""
    writes = []
    for key, html in pages:
        data = html.encode()
        if storage.holds(key, data):
            summary.unchanged += 1
        else:
            writes.append((key, data, HTML))
    storage.write_many(writes)
    summary.written += [key for key, _, _ in writes]


def report_weeks(storage: StorageResource, athlete: str) -> list[str]:
    """The weeks with a stored report, newest first."""
    weeks = []
    for key in storage.list_keys(f"reports/athlete={athlete}/"):
        match = _WEEK.search(key)
        if match:
            weeks.append(match.group(1))
    return sorted(weeks, reverse=True)


def generated_from(payload_bytes: bytes, report_bytes: bytes | None = None) -> str:
    text = f"{RENDERER_VERSION} · payload sha256 {sha256(payload_bytes)[:12]}"
    if report_bytes is not None:
        text += f" · report sha256 {sha256(report_bytes)[:12]}"
    return text


def week_html(
    payload_bytes: bytes, report_bytes: bytes, *, depth: int, cycle_href: str | None = None
) -> str:
    """A week's report page; ``depth`` is how many folders below the athlete's folder it lies."""
    payload = json.loads(payload_bytes)
    up = "../" * depth
    links = [Link(f"{up}index.html", "All weeks")]
    if cycle_href:
        links.append(Link(up + cycle_href, "This diet cycle"))
    return report_page(
        payload,
        report_bytes.decode(),
        links=links,
        generated_from=generated_from(payload_bytes, report_bytes),
    )


def _cycle_of(payload: dict) -> tuple[dict, bool] | None:
    """The cycle summary a week's payload carries: (summary, still ongoing)."""
    if payload["cycle_review"]:
        return payload["cycle_review"], False
    if payload["cycle_so_far"]:
        return payload["cycle_so_far"], True
    return None


def newest_payload(storage: StorageResource, athlete: str) -> dict | None:
    """The newest stored payload of an athlete that has a report (what their pages show)."""
    for week in report_weeks(storage, athlete):
        data = storage.read_bytes(payload_key(athlete, week))
        if data is not None:
            return json.loads(data)
    return None


def roster_href(athlete: str) -> str:
    return f"../athlete={athlete}/latest.html"


def publish_athlete(
    storage: StorageResource, athlete: str, summary: SiteSummary, renderer: PageRenderer
) -> dict | None:
    """Every page of one athlete: each week's page whose payload or report changed rendered, the
    index, the cycles and ``latest.html`` rebuilt from every stored week. Returns the newest
    payload (for the roster).

    A week's index row and cycle come from the athlete's week rows (``week_rows_key``) when the
    payload manifest records the payload they were read from; only the other weeks' payloads are
    read, with the newest one and the newest of each cycle (their pages show them whole). So a
    new week costs that week's payload, not the history's; the reports are read, as they are what
    the week pages are checked against."""
    weeks = report_weeks(storage, athlete)
    folder = athlete_folder(athlete)
    existing = set(storage.list_keys(folder))
    keep = {week_page_key(athlete, w) for w in weeks}
    for key in sorted(existing):
        if _PAGE.search(key) and key not in keep:
            storage.delete(key)
            summary.deleted.append(key)
    if not weeks:
        for key in sorted(existing - set(summary.deleted)):
            storage.delete(key)
            summary.deleted.append(key)
        storage.delete(manifest_key(athlete))
        storage.delete(week_rows_key(athlete))
        return None
    manifest = _read_manifest(storage, athlete)
    recorded = _read_week_rows(storage, athlete)
    stored = read_manifest(storage, payload_manifest_key(athlete)).get("weeks")
    stored_shas = {
        week: entry.get("sha256")
        for week, entry in (stored.items() if isinstance(stored, dict) else ())
        if isinstance(entry, dict)
    }
    read: dict[str, bytes] = {}  # week → payload bytes read in this run
    parsed: dict[str, dict] = {}  # week → those bytes parsed

    def payload_bytes_of(week: str) -> bytes | None:
        if week not in read:
            data = storage.read_bytes(payload_key(athlete, week))
            if data is None:
                return None
            read[week] = data
        return read[week]

    def payload_of(week: str) -> dict | None:
        if week not in parsed:
            data = payload_bytes_of(week)
            if data is None:
                return None
            parsed[week] = orjson.loads(data)
        return parsed[week]

    fingerprints: dict[str, str] = {}
    pending: list[tuple[str, str, tuple]] = []  # (page key, week, (report bytes, depth, href))

    def report_html(key, week, payload_sha, report_bytes, depth, cycle_href):
        """Render a report page unless its inputs are those it was last rendered from."""
        fingerprint = sha256(
            f"{RENDERER_VERSION}|{depth}|{cycle_href}|".encode()
            + payload_sha.encode()
            + sha256(report_bytes).encode()
        )
        fingerprints[key] = fingerprint
        if manifest.get(key) == fingerprint and key in existing:
            summary.unchanged += 1
            return
        pending.append((key, week, (report_bytes, depth, cycle_href)))

    rows, week_rows, newest_of_cycle, by_cycle = [], {}, {}, {}
    newest_week = None
    for week in weeks:  # newest first
        entry = recorded.get(week)
        if not (
            isinstance(entry, dict)
            and entry.keys() == {"payload", "row", "cycle"}
            and stored_shas.get(week)
            and entry["payload"] == stored_shas[week]
        ):
            payload = payload_of(week)
            if payload is None:
                continue
            cycle = _cycle_of(payload)
            entry = {
                "payload": sha256(read[week]),
                "row": index_row(payload, f"weeks/{week}.html"),
                "cycle": cycle[0]["cycle_number"] if cycle else None,
            }
        week_rows[week] = entry
        number = entry["cycle"]
        cycle_href = None
        if number is not None:
            cycle_href = f"cycles/{number}.html"
            by_cycle.setdefault(number, []).append(
                {"week_start": week, "href": f"../weeks/{week}.html"}
            )
            newest_of_cycle.setdefault(number, week)  # its newest week holds its latest summary
        rows.append(entry["row"])
        report_bytes = storage.read_bytes(report_key(athlete, week))
        if report_bytes is None:
            continue
        sha = entry["payload"]
        report_html(week_page_key(athlete, week), week, sha, report_bytes, 1, cycle_href)
        if newest_week is None:
            newest_week = week
            report_html(latest_key(athlete), week, sha, report_bytes, 0, cycle_href)
    jobs = []
    for key, week, (report_bytes, depth, cycle_href) in pending:
        payload_bytes = payload_bytes_of(week)
        if payload_bytes is None:  # gone since it was listed: its page is left as it was
            fingerprints.pop(key, None)
            continue
        jobs.append((key, (payload_bytes, report_bytes, depth, cycle_href)))
    rendered = renderer.render([job for _, job in jobs])
    _put(storage, summary, [(key, html) for (key, _), html in zip(jobs, rendered, strict=True)])
    if fingerprints != manifest:
        storage.write_bytes(
            manifest_key(athlete),
            (json.dumps(fingerprints, indent=1, sort_keys=True) + "\n").encode(),
            content_type="application/json",
        )
    if week_rows != recorded:
        record = {"version": WEEK_ROWS_VERSION, "renderer": RENDERER_VERSION, "weeks": week_rows}
        storage.write_bytes(
            week_rows_key(athlete),
            orjson.dumps(record, option=_SORTED) + b"\n",
            content_type="application/json",
        )
    newest = payload_of(newest_week) if newest_week is not None else None
    cycles = {}
    for number, week in newest_of_cycle.items():
        payload = payload_of(week)
        cycle = _cycle_of(payload) if payload is not None else None
        if cycle is not None and cycle[0]["cycle_number"] == number:
            cycles[number] = (cycle[0], cycle[1], payload)
    if newest is None:
        return None
    stamp = f"{RENDERER_VERSION} · {len(rows)} weeks, newest {newest['week_start']}"
    cycle_rows, pages = [], []
    for number in sorted(cycles, reverse=True):
        cycle, ongoing, payload = cycles[number]
        cycle_rows.append(cycle_row(cycle, payload, f"cycles/{number}.html", ongoing))
        pages.append(
            (
                cycle_key(athlete, number),
                cycle_page(payload, cycle, by_cycle[number], ongoing, stamp),
            )
        )
    for key in storage.list_keys(f"{folder}cycles/"):
        if key not in {cycle_key(athlete, n) for n in cycles}:
            storage.delete(key)
            summary.deleted.append(key)
    latest = {"href": "latest.html", "week_label": week_label(newest["week_start"])}
    pages.append((index_key(athlete), athlete_index(newest, rows, cycle_rows, latest, stamp)))
    _put(storage, summary, pages)
    summary.pages[athlete] = len(storage.list_keys(folder))
    return newest


def publish_site(
    conn: Connection,
    storage: StorageResource,
    athletes: list[str],
    roster: list[str] | None = None,
) -> SiteSummary:
    """The sites of ``athletes`` and the roster of ``roster`` (default: the same athletes), from
    the stored payloads and reports. A shard run renders its own athletes' pages and lists every
    athlete on the roster.

    The site index (``site_index_key``) records, by athlete, the digest of what their pages were
    built from (``_inputs``), their page count and their roster row: an athlete whose digest is
    unchanged is skipped without reading a file, so a run after one athlete's edit reads two
    indexes and that athlete's files, not every athlete's manifests and newest payload."""
    summary = SiteSummary()
    index = read_site_index(storage)
    payload_entries = read_index(storage, payload_index_key())
    report_entries = read_index(storage, report_index_key())
    rows: dict[str, dict] = {}  # athlete → roster row, before the last session is filled in
    changes: dict[str, dict | None] = {}
    renderer = PageRenderer()
    try:
        for athlete in athletes:
            inputs = _inputs(
                storage, athlete, payload_entries.get(athlete), report_entries.get(athlete)
            )
            recorded = index.get(athlete) or {}
            if inputs is not None and recorded.get("inputs") == inputs and "roster" in recorded:
                summary.unchanged += recorded["pages"]
                summary.pages[athlete] = recorded["pages"]
                rows[athlete] = recorded["roster"]
                continue
            newest = publish_athlete(storage, athlete, summary, renderer)
            if newest is None:
                changes[athlete] = None
                continue
            rows[athlete] = roster_row(newest, roster_href(athlete), None)
            changes[athlete] = (
                {"inputs": inputs, "pages": summary.pages[athlete], "roster": rows[athlete]}
                if inputs is not None
                else None
            )
    finally:
        renderer.close()
    for athlete in sorted(set(roster or []) - set(athletes)):
        recorded = index.get(athlete) or {}
        if "roster" in recorded:
            rows[athlete] = recorded["roster"]
            continue
        newest = newest_payload(storage, athlete)
        if newest is not None:
            rows[athlete] = roster_row(newest, roster_href(athlete), None)
    whole = roster is None or set(athletes) >= set(roster)
    update_site_index(storage, changes, set(athletes) if whole else None)
    sessions = {r[0]: r[1] for r in fetch_all(conn, payload_sql("last_sessions.sql"))}
    lines = [
        {**rows[a], "last_session": str(sessions[a]) if sessions.get(a) else "never"}
        for a in sorted(rows)
    ]
    roster_html = roster_page(lines, f"{RENDERER_VERSION} · {len(lines)} athletes")
    _put(storage, summary, [(ROSTER_KEY, roster_html)])
    return summary


def link_errors(key: str, html: str) -> list[str]:
    """What is wrong with a page's links: anything fetched from or pointing at the network, and
    for an athlete's page anything outside that athlete's folder (the roster may link to every
    athlete's pages, never outside the site)."""
    folder = key.split("/")[1] if key.startswith(f"{SITE}/athlete=") else None
    errors = []
    for target in _LINK.findall(html):
        if target.startswith("#") or target in {"data:,"}:
            continue
        if re.match(r"^[a-z][a-z0-9+.-]*:|^//", target, re.I):
            errors.append(f"{key}: links outside the site: {target}")
            continue
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(key), target))
        scope = f"{SITE}/{folder}/" if folder else f"{SITE}/"
        if not resolved.startswith(scope):
            errors.append(f"{key}: links outside {scope}: {target}")
    return errors


def private_link_errors(storage: StorageResource, summary: SiteSummary) -> list[str]:
    """The link errors of every page this run wrote (unchanged pages were checked when written)."""
    errors = []
    for key in summary.written:
        data = storage.read_bytes(key)
        if data is not None:
            errors += link_errors(key, data.decode())
    return errors
