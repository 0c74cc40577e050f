"""Delivery's indexes: a replay decides "current" from two files, not one manifest per athlete,
and an index that is missing, damaged or stale costs time, never a wrong result; with the site's
stamp they tell ``fitness-platform run`` that a delivery would change nothing."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date, timedelta
from pathlib import Path

from fitness_platform.delivery.payload import athlete_keys
from fitness_platform.delivery.publish import (
    athlete_sources,
    payload_index_key,
    publish_payloads,
    publish_reports,
    read_index,
    report_index_key,
    update_index,
)
from fitness_platform.delivery.reporters import OfflineReporterResource
from fitness_platform.resources.storage import LocalStorageResource
from fitness_platform.resources.warehouse import WarehouseResource
from fitness_platform.site.pending import delivery_plan
from fitness_platform.site.publish import built_key, record_site_stamp, site_stamp
from fitness_platform_tests.helpers import (
    SAMPLE_DELIVERY,
    recorded_calls,
    run_delivery,
    run_ingest,
    tree_hashes,
)

FIRST, LAST = (date.fromisoformat(d) for d in SAMPLE_DELIVERY)


class RevisedPromptReporter(OfflineReporterResource):
    """The offline reporter under another prompt version: every report is written again."""

    def identity(self) -> dict:
        return {**super().identity(), "prompt_version": "revised-for-the-test"}


def _deliver(url: str, root: Path, reporter=None):
    storage = LocalStorageResource(root=str(root))
    with WarehouseResource(database_url=url).connect() as conn:
        payloads = publish_payloads(conn, storage, FIRST, LAST)
        athletes = athlete_keys(conn)
        sources = athlete_sources(conn)
    reports = publish_reports(
        storage, reporter or OfflineReporterResource(), athletes, FIRST, LAST, sources=sources
    )
    return payloads, reports, sources


def _weeks_on_disk(root: Path, folder: str) -> dict[str, list[str]]:
    """By athlete, the weeks of the files stored under ``folder`` (read from the paths)."""
    found: dict[str, list[str]] = {}
    for path in sorted((root / folder).glob("athlete=*/week_start=*/*")):
        if path.suffix in (".json", ".md") and not path.name.endswith(".meta.json"):
            athlete = path.parent.parent.name.removeprefix("athlete=")
            week = path.parent.name.removeprefix("week_start=")
            if week not in found.setdefault(athlete, []):
                found[athlete].append(week)
    return found


def _index(root: Path, key: str) -> dict:
    return json.loads((root / key).read_bytes())["athletes"]


def _served(root: Path) -> dict[str, str]:
    return {k: v for k, v in tree_hashes(root).items() if not k.startswith("delivery_state/")}


def test_a_replay_reads_the_indexes_not_the_manifests(sample_run, tmp_path):
    url, _ = sample_run
    out = tmp_path / "out"
    payloads, reports, sources = _deliver(url, out)
    assert payloads.written and len(reports.written) == len(payloads.written)
    # The indexes list, for every athlete, the weeks stored and the source they came from.
    payload_weeks = _weeks_on_disk(out, "payloads")
    assert payload_weeks and _weeks_on_disk(out, "reports") == payload_weeks
    index = _index(out, payload_index_key())
    assert {a: e["weeks"] for a, e in index.items()} == payload_weeks
    assert all(index[a]["source"] == sources[a] for a in payload_weeks)
    report_index = _index(out, report_index_key())
    assert {a: e["weeks"] for a, e in report_index.items()} == payload_weeks
    assert all(e["identity"]["reporter"] == "offline" for e in report_index.values())
    first = tree_hashes(out)

    # Without any athlete's manifest, the replay still skips every athlete: only the indexes
    # were read, and nothing is written (the manifests stay absent).
    for folder in (out / "delivery_state").glob("athlete=*"):
        shutil.rmtree(folder)
    payloads, reports, _ = _deliver(url, out)
    stored = sum(len(w) for w in payload_weeks.values())
    assert (payloads.written, reports.written) == ([], [])
    assert payloads.athletes_skipped == reports.athletes_skipped == len(payload_weeks)
    assert payloads.unchanged == reports.unchanged == stored
    assert not list((out / "delivery_state").glob("athlete=*"))
    assert _served(out) == {k: v for k, v in first.items() if not k.startswith("delivery_state/")}
    # The sha256 shown in a week's table is that of the stored bytes (read back without a
    # manifest).
    for week, counts in payloads.weeks.items():
        for item in counts.items:
            key = (
                f"payloads/athlete={item['athlete']}/week_start={week}/weekly_fitness_context.json"
            )
            assert item["sha256"] == first[key]


def test_a_damaged_or_stale_index_costs_time_not_results(sample_run, tmp_path):
    url, _ = sample_run
    out = tmp_path / "out"
    _deliver(url, out)
    first = tree_hashes(out)
    athletes = sorted(_weeks_on_disk(out, "payloads"))

    # Damaged: every athlete goes down the manifest path, and the indexes come back byte for byte.
    for key in (payload_index_key(), report_index_key()):
        (out / key).write_bytes(b'{"version": 1, "athletes": {"demo": ')
    payloads, reports, _ = _deliver(url, out)
    assert (payloads.written, reports.written) == ([], [])
    assert payloads.athletes_skipped == reports.athletes_skipped == len(athletes)
    assert tree_hashes(out) == first

    # Stale: an entry whose source is not the athlete's now is not trusted. Its manifest, which
    # records every week as built from the source now, is read instead, and the entry corrected.
    for key in (payload_index_key(), report_index_key()):
        value = json.loads((out / key).read_bytes())
        value["athletes"][athletes[0]]["source"] = "a load that is gone"
        (out / key).write_text(json.dumps(value))
    payloads, reports, _ = _deliver(url, out)
    assert (payloads.written, reports.written) == ([], [])
    assert tree_hashes(out) == first

    # A stale entry whose manifest is stale too: the athlete's payloads are built and compared
    # with the stored bytes (the same: nothing written), and both come back as they were.
    manifest = out / "delivery_state" / f"athlete={athletes[0]}" / "payloads.json"
    value = json.loads(manifest.read_bytes())
    for entry in value["weeks"].values():
        entry["source"] = "a load that is gone"
    manifest.write_text(json.dumps(value))
    index = json.loads((out / payload_index_key()).read_bytes())
    index["athletes"][athletes[0]]["source"] = "a load that is gone"
    (out / payload_index_key()).write_text(json.dumps(index))
    payloads, reports, _ = _deliver(url, out)
    assert payloads.written == [] and payloads.athletes_skipped == len(athletes) - 1
    assert payloads.unchanged == sum(len(w) for w in _weeks_on_disk(out, "payloads").values())
    assert tree_hashes(out) == first


def test_a_new_reporter_identity_rewrites_every_report(sample_run, tmp_path):
    url, _ = sample_run
    out = tmp_path / "out"
    payloads, _, _ = _deliver(url, out)
    stored = len(payloads.written)
    _, reports, _ = _deliver(url, out, RevisedPromptReporter())
    # The index's entries were written by another prompt version: none is trusted.
    assert len(reports.written) == stored and reports.athletes_skipped == 0
    index = _index(out, report_index_key())
    assert {e["identity"]["prompt_version"] for e in index.values()} == {"revised-for-the-test"}
    # Each sidecar names the payload it was written from: the stored one.
    for meta in out.glob("reports/athlete=*/week_start=*/weekly_report.meta.json"):
        payload = meta.parent.parent.parent.parent / "payloads" / meta.parent.parent.name
        payload = payload / meta.parent.name / "weekly_fitness_context.json"
        recorded = json.loads(meta.read_bytes())
        assert recorded["payload_sha256"] == hashlib.sha256(payload.read_bytes()).hexdigest()
        assert recorded["prompt_version"] == "revised-for-the-test"
    # And back to the offline reporter's own version: rewritten again, then current.
    _, reports, _ = _deliver(url, out)
    assert len(reports.written) == stored
    _, reports, _ = _deliver(url, out)
    assert reports.written == [] and reports.athletes_skipped == len(index)


def test_of_an_athlete_with_one_week_behind_only_that_week_is_read(
    sample_run, tmp_path, monkeypatch
):
    """An athlete whose index entry no longer matches goes down the manifest path; there a week
    the manifest records as written from the payload stored now is counted current without a
    read, and only the week it does not is read back and compared (after a new week, the report
    step read the 141 other weeks of each of 1,000 athletes). Its report is unchanged, so nothing
    is written, and the manifest and index come back as they were."""
    url, _ = sample_run
    out = tmp_path / "out"
    _deliver(url, out)
    first = tree_hashes(out)
    athlete = sorted(_weeks_on_disk(out, "reports"))[0]
    weeks = _weeks_on_disk(out, "reports")[athlete]
    behind = weeks[len(weeks) // 2]
    manifest = out / "delivery_state" / f"athlete={athlete}" / "reports.json"
    value = json.loads(manifest.read_bytes())
    value["weeks"][behind]["payload_sha256"] = "a payload that is gone"
    manifest.write_text(json.dumps(value))
    index = json.loads((out / report_index_key()).read_bytes())
    del index["athletes"][athlete]
    (out / report_index_key()).write_text(json.dumps(index))

    read = recorded_calls(monkeypatch, LocalStorageResource, "read_bytes", lambda _, key: key)
    _, reports, _ = _deliver(url, out)
    weeks_read = {key.split("week_start=")[1].split("/")[0] for key in read if "week_start=" in key}
    assert weeks_read == {behind}
    assert reports.written == [] and reports.unchanged == len(weeks)
    assert reports.athletes_skipped == 0 and reports.checked == len(weeks)
    assert tree_hashes(out) == first


def test_the_plan_sees_a_delivery_with_nothing_to_do_and_where_one_must_start(sample_run, tmp_path):
    url, delivered = sample_run
    out = tmp_path / "out"
    shutil.copytree(delivered, out)  # the session's sample delivery, by the Dagster job
    storage = LocalStorageResource(root=str(out))
    offline = OfflineReporterResource().identity()
    served = _served(out)

    def plan(identity=offline, first=FIRST, last=LAST):
        with WarehouseResource(database_url=url).connect() as conn:
            found = delivery_plan(conn, storage, identity, first, last)
            conn.commit()
            return found

    assert plan() is None
    # Fewer of the same weeks are as current (the site mirrors every stored report).
    assert plan(first=FIRST + timedelta(days=7)) is None
    # Another reporter: every report is written again, from the first week.
    revised = plan({**offline, "prompt_version": "revised-for-the-test"})
    assert revised.reason == "demo's reports are not those of this reporter"
    assert (revised.first, revised.last) == (FIRST.isoformat(), LAST.isoformat())
    # The indexes changed since the site was built (a run without the site step): every week.
    index_path = out / payload_index_key()
    kept = index_path.read_bytes()
    value = json.loads(kept)
    value["athletes"]["demo"]["source"] = "a load that is gone"
    index_path.write_text(json.dumps(value))
    whole = plan()
    assert whole.reason == "the last delivery was of other outputs, athletes or pages"
    assert (whole.first, whole.unchanged_before) == (FIRST.isoformat(), 0)

    def stamped(entry_change):
        """The index with one change to demo's entry, as if the last site run had seen it."""
        value = json.loads(kept)
        entry_change(value["athletes"]["demo"])
        index_path.write_text(json.dumps(value))
        record_site_stamp(storage, site_stamp(storage, ["demo"]))

    # An entry that does not record the source now, while the stored payloads are those the
    # source gives: the plan builds demo's weeks, finds every one unchanged, and puts the entry
    # and the stamp right. Nothing to run, nothing served touched.
    stamped(lambda entry: entry.update(source="a load that is gone"))
    assert plan() is None
    assert index_path.read_bytes() == kept
    assert plan() is None
    assert _served(out) == served
    # A week with data whose payload is neither stored nor recorded: the run starts there.
    manifest_path = out / "delivery_state/athlete=demo/payloads.json"
    manifest = json.loads(manifest_path.read_bytes())
    del manifest["weeks"][LAST.isoformat()]
    manifest_path.write_text(json.dumps(manifest))
    stamped(lambda entry: entry["weeks"].remove(LAST.isoformat()))
    missing = plan()
    assert missing.reason == "demo's data changed"
    assert (missing.first, missing.last) == (LAST.isoformat(), LAST.isoformat())
    assert missing.unchanged_before == (LAST - FIRST).days // 7
    # No record of a whole site (a shard run, or pages that failed their check).
    (out / built_key()).unlink()
    assert plan().reason == "no complete delivery is recorded"


def _index_entries(path) -> dict:
    """The index's entries, parsed here with the standard library."""
    return json.loads(path.read_text())["athletes"]


def test_a_read_follows_the_stored_bytes(tmp_path):
    one = LocalStorageResource(root=str(tmp_path / "one"))
    two = LocalStorageResource(root=str(tmp_path / "two"))
    key = payload_index_key()
    assert read_index(one, key) == {}
    update_index(one, key, {"a": {"source": "s1", "weeks": ["2024-01-01"]}}, None)
    update_index(two, key, {"b": {"source": "s9", "weeks": []}}, None)
    first = read_index(one, key)
    assert (
        first
        == _index_entries(tmp_path / "one" / key)
        == {"a": {"source": "s1", "weeks": ["2024-01-01"]}}
    )
    assert read_index(one, key) is first  # the same bytes: not parsed again
    assert read_index(two, key) == {"b": {"source": "s9", "weeks": []}}

    # Changed by this process, then by another writer (a shard run) behind its back.
    update_index(one, key, {"c": {"source": "s2", "weeks": []}}, None)
    assert set(read_index(one, key)) == {"a", "c"}
    path = tmp_path / "one" / key
    path.write_text(json.dumps({"version": 1, "athletes": {"d": {"source": "x", "weeks": []}}}))
    assert read_index(one, key) == _index_entries(path)
    path.write_text("{damaged")
    assert read_index(one, key) == {}
    path.unlink()
    assert read_index(one, key) == {}
    assert first == {"a": {"source": "s1", "weeks": ["2024-01-01"]}}  # never changed in place


def test_a_delivery_runs_on_to_the_newest_week_still_stored(tmp_path):
    """The last week of a delivery is the last with data, or a later one with stored payloads
    (its data all taken out): from the payloads index, and for an athlete it does not list, from
    the athlete's manifest; never a week that is no weekly partition."""
    from fitness_platform.delivery.payload import payload_manifest_key
    from fitness_platform.delivery.publish import MANIFEST_VERSION, write_manifest
    from fitness_platform.site.pending import delivery_last_week

    storage = LocalStorageResource(root=str(tmp_path))
    keys = ["2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26"]
    assert delivery_last_week(storage, ["a", "b"], "2026-01-12", keys) == "2026-01-12"
    update_index(
        storage,
        payload_index_key(),
        {"a": {"source": "s", "weeks": ["2026-01-05", "2026-01-12"]}},
        None,
    )
    assert delivery_last_week(storage, ["a", "b"], "2026-01-12", keys) == "2026-01-12"
    write_manifest(
        storage,
        payload_manifest_key("b"),
        {"version": MANIFEST_VERSION, "weeks": {"2026-01-19": {"sha256": "x", "source": "s"}}},
    )
    assert delivery_last_week(storage, ["a", "b"], "2026-01-12", keys) == "2026-01-19"
    update_index(
        storage,
        payload_index_key(),
        {"a": {"source": "s", "weeks": ["2026-01-12", "2026-01-26"]}},
        None,
    )
    assert delivery_last_week(storage, ["a", "b"], "2026-01-12", keys) == "2026-01-26"
    assert delivery_last_week(storage, ["a", "b"], "2026-01-12", keys[:3]) == "2026-01-12"
    # Only the athletes named (the warehouse's) are looked at.
    assert delivery_last_week(storage, ["b"], "2026-01-12", keys) == "2026-01-19"


def test_a_wider_range_writes_the_reports_of_its_new_weeks(platform_env):
    """A delivery of more weeks than the last (same data, so the same source) writes the new
    weeks' payloads and their reports: the reports index entry of the last run records only its
    weeks, so it cannot vouch for a payload written since."""
    assert run_ingest().success
    assert run_delivery("2024-07-15", "2024-08-05").success
    assert run_delivery("2024-07-15", "2024-08-12").success
    out = Path(platform_env["FITNESS_OUTPUT_DIR"])
    weeks = ["2024-07-15", "2024-07-22", "2024-07-29", "2024-08-05", "2024-08-12"]
    for kind, name in (
        ("payloads", "weekly_fitness_context.json"),
        ("reports", "weekly_report.md"),
    ):
        stored = sorted(p.parent.name for p in (out / kind / "athlete=demo").glob(f"*/{name}"))
        assert stored == [f"week_start={w}" for w in weeks], kind
