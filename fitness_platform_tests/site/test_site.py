"""The static site on the sample: every week has a page, the index lists them newest first, each
diet cycle has a page, the roster has the athlete's latest week; a replay rewrites nothing; and one
athlete's pages never reach another's (links read with the standard library's HTML parser)."""

from __future__ import annotations

import json
import posixpath
import shutil
from html.parser import HTMLParser
from pathlib import Path

from fitness_platform_tests.helpers import (
    check_results,
    materialization_metadata,
    recorded_calls,
    run_delivery,
    run_ingest,
    tree_hashes,
)


class Links(HTMLParser):
    """Every href and src of a page but the inline ones: the SVGs' ``#id`` references and the
    empty ``data:`` favicon (which keeps the browser from asking the server for one)."""

    def __init__(self):
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if (
                name in {"href", "src", "xlink:href"}
                and value
                and not value.startswith(("#", "data:"))
            ):
                self.targets.append(value)


def links(path: Path) -> list[str]:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.targets


def reports_by_week(out: Path, athlete: str) -> list[str]:
    folder = out / "reports" / f"athlete={athlete}"
    return sorted(
        (p.parent.name.split("=")[1] for p in folder.glob("*/weekly_report.md")), reverse=True
    )


def test_the_sample_site_has_every_week_cycle_and_the_roster(sample_run):
    _, out = sample_run
    site = out / "site"
    weeks = reports_by_week(out, "demo")
    athlete = site / "athlete=demo"
    assert sorted(p.stem for p in (athlete / "weeks").glob("*.html")) == sorted(weeks)
    index = (athlete / "index.html").read_text(encoding="utf-8")
    listed = [
        t.removeprefix("weeks/").removesuffix(".html")
        for t in links(athlete / "index.html")
        if t.startswith("weeks/")
    ]
    assert listed == weeks  # newest first, every week once
    assert 'latest: <a href="latest.html">' in index
    newest = json.loads(
        (
            out / "payloads/athlete=demo" / f"week_start={weeks[0]}/weekly_fitness_context.json"
        ).read_text()
    )
    latest = (athlete / "latest.html").read_text(encoding="utf-8")
    assert f'<p class="sub">{weeks[0]} to {newest["week_end"]}' in latest
    # One page per diet cycle the delivered weeks touch: the sample's cycles.csv numbers 3 to 10.
    assert sorted(int(p.stem) for p in (athlete / "cycles").glob("*.html")) == list(range(3, 11))
    cut = (athlete / "cycles" / "6.html").read_text(encoding="utf-8")
    assert "Cutting III" in cut and "strength retained" in cut
    roster = site / "coach" / "roster.html"
    assert links(roster) == ["../athlete=demo/latest.html"]
    assert f'<td class="nowrap">{weeks[0]}</td>' in roster.read_text(encoding="utf-8")


def test_a_replay_rewrites_no_page(platform_env):
    assert run_ingest().success
    assert run_delivery("2024-04-29", "2024-05-20").success
    out = Path(platform_env["FITNESS_OUTPUT_DIR"])
    before = tree_hashes(out)
    mtimes = {p: p.stat().st_mtime_ns for p in (out / "site").rglob("*.html")}
    again = run_delivery("2024-04-29", "2024-05-20")
    assert tree_hashes(out) == before
    assert {p: p.stat().st_mtime_ns for p in (out / "site").rglob("*.html")} == mtimes
    meta = materialization_metadata(again, ("delivery", "athlete_site"))
    assert meta["run_written"] == 0 and meta["run_unchanged"] > 0


def test_one_athletes_pages_never_reach_another_athletes(platform_env, raw_dir):
    shutil.copytree(raw_dir / "demo", raw_dir / "ana")
    assert run_ingest().success
    delivery = run_delivery("2024-05-06", "2024-05-13")
    assert delivery.success
    site = Path(platform_env["FITNESS_OUTPUT_DIR"]) / "site"
    pages = sorted(site.rglob("*.html"))
    assert {p.relative_to(site).parts[0] for p in pages} == {"athlete=ana", "athlete=demo", "coach"}
    for page in pages:
        rel = page.relative_to(site).as_posix()
        scope = "coach" if rel.startswith("coach/") else rel.split("/")[0]
        for target in links(page):
            assert ":" not in target.split("/")[0], (rel, target)  # no scheme: nothing remote
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(rel), target))
            if scope == "coach":
                assert resolved in {"athlete=ana/latest.html", "athlete=demo/latest.html"}
            else:
                assert resolved.startswith(scope + "/"), (rel, target)
            assert (site / resolved).exists(), (rel, target)
    assert links(site / "coach" / "roster.html") == [
        "../athlete=ana/latest.html",
        "../athlete=demo/latest.html",
    ]
    assert check_results(delivery)["athlete_pages_link_only_to_their_athlete"] is True


def test_the_site_index_skips_unchanged_athletes_and_is_only_a_shortcut(platform_env, raw_dir):
    from fitness_platform_tests.helpers import edit_one_set

    shutil.copytree(raw_dir / "demo", raw_dir / "ana")
    assert run_ingest().success
    assert run_delivery("2024-07-29", "2024-08-19").success
    out = Path(platform_env["FITNESS_OUTPUT_DIR"])
    index_path = out / "site_state" / "athletes.index.json"
    index = json.loads(index_path.read_bytes())["athletes"]
    # An entry per athlete: as many pages as the athlete's folder holds, and the roster's row.
    for athlete in ("ana", "demo"):
        pages = list((out / "site" / f"athlete={athlete}").rglob("*.html"))
        assert index[athlete]["pages"] == len(pages)
        assert index[athlete]["roster"]["href"] == f"../athlete={athlete}/latest.html"
    before, kept = tree_hashes(out), index_path.read_bytes()
    # Unchanged: every page counted from the index, none read or written.
    again = run_delivery("2024-07-29", "2024-08-19")
    meta = materialization_metadata(again, ("delivery", "athlete_site"))
    assert meta["run_written"] == 0
    assert meta["run_unchanged"] == index["ana"]["pages"] + index["demo"]["pages"] + 1  # roster
    # A damaged or missing index costs a look at every page, never a different byte.
    for damage in (b"{not json", None):
        if damage is None:
            index_path.unlink()
        else:
            index_path.write_bytes(damage)
        assert run_delivery("2024-07-29", "2024-08-19").success
        assert tree_hashes(out) == before and index_path.read_bytes() == kept
    # One athlete's edit changes that athlete's entry only.
    edit_one_set(raw_dir, athlete="demo")
    assert run_ingest().success
    assert run_delivery("2024-07-29", "2024-08-19").success
    edited = json.loads(index_path.read_bytes())["athletes"]
    assert edited["ana"] == index["ana"] and edited["demo"]["inputs"] != index["demo"]["inputs"]


def test_a_new_week_reads_its_payload_not_the_historys(platform_env, monkeypatch):
    """The athlete's index and cycle pages need every week's row; the week rows record keeps
    them, so a delivery that adds a week reads that week's payload and the newest of each cycle,
    not the others'. The pages are those a site built from nothing gives, byte for byte, and a
    damaged record only costs reads."""
    import fitness_platform.site.publish as site_publish

    asked = recorded_calls(monkeypatch, site_publish, "payload_key", lambda athlete, week: week)
    assert run_ingest().success
    assert run_delivery("2024-07-15", "2024-08-05").success
    assert sorted(set(asked)) == ["2024-07-15", "2024-07-22", "2024-07-29", "2024-08-05"]

    asked.clear()
    assert run_delivery("2024-07-15", "2024-08-12").success
    out = Path(platform_env["FITNESS_OUTPUT_DIR"])
    # Independently: the newest week of each cycle, read from the payload files themselves.
    newest_of_cycle = {}
    for week in ["2024-08-12", "2024-08-05", "2024-07-29", "2024-07-22", "2024-07-15"]:
        payload = json.loads(
            (
                out / "payloads/athlete=demo" / f"week_start={week}/weekly_fitness_context.json"
            ).read_bytes()
        )
        cycle = payload["cycle_review"] or payload["cycle_so_far"]
        if cycle:
            newest_of_cycle.setdefault(cycle["cycle_number"], week)
    assert sorted(set(asked)) == sorted({"2024-08-12", *newest_of_cycle.values()})
    assert len(set(asked)) < 5

    site, state = out / "site", out / "site_state"
    built = tree_hashes(site)
    for damage in (b"{not json", b'{"version": 1, "renderer": "other", "weeks": {}}', None):
        record = state / "athlete=demo" / "weeks.json"
        if damage is None:  # and everything of the site: built from nothing
            shutil.rmtree(site)
            shutil.rmtree(state)
        else:  # the site index taken too, or it would skip the athlete without a look
            record.write_bytes(damage)
            (state / "athletes.index.json").unlink()
        asked.clear()
        assert run_delivery("2024-07-15", "2024-08-12").success
        assert tree_hashes(site) == built
        assert len(set(asked)) == 5  # every week read again
